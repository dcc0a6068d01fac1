//! The SGD epoch loop for one binary (or regression) problem: scikit-learn's `_plain_sgd`.
//!
//! The weights are stored as `w = wscale·v` (Bottou's trick, as scikit-learn's
//! `WeightVector`), so the L2 shrinkage `w ← (1 − η·α·(1 − ρ))·w` of every step costs one
//! multiplication instead of a pass over the features; `v` is rescaled only when `wscale`
//! falls below 1e-9, and once at the end. The L1 part uses the cumulative truncated gradient
//! of Tsuruoka et al. (2009). Averaged SGD keeps the running average through the same kind of
//! lazy representation (Xu 2011), as scikit-learn.
//!
//! The order of the floating-point operations follows scikit-learn's, so with shuffling off
//! both take the same steps.

use kiln_core::random::KilnRng;
use kiln_core::{Error, Result};
use rand::seq::SliceRandom;

use super::loss::LossFn;
use super::{Job, LearningRate, Penalty};

/// `|dloss|` is clipped to this, as scikit-learn, so a wild first step cannot overflow.
const MAX_DLOSS: f64 = 1e12;

/// Below this `wscale` the scale is folded into the stored vector, before it underflows.
const WSCALE_RESET: f64 = 1e-9;

/// The settings of one run over a data set, shared by every binary problem of a fit.
#[derive(Debug, Clone, Copy)]
pub(super) struct Settings {
    pub penalty: Penalty,
    pub alpha: f64,
    pub l1_ratio: f64,
    pub max_iter: usize,
    pub tol: Option<f64>,
    pub n_iter_no_change: usize,
    pub fit_intercept: bool,
    pub shuffle: bool,
    pub learning_rate: LearningRate,
    pub eta0: f64,
    pub power_t: f64,
    /// The update count at which averaging starts (scikit-learn's `average`); 0 is off.
    pub average: usize,
}

/// Rows of a row-major matrix, with targets and per-sample weights.
#[derive(Debug, Clone, Copy)]
pub(super) struct Data<'a> {
    pub x: &'a [f64],
    pub n_features: usize,
    pub y: &'a [f64],
    pub sample_weight: &'a [f64],
}

/// The parameters one run updates in place.
pub(super) struct State<'a> {
    pub coef: &'a mut [f64],
    pub intercept: f64,
    /// The averaged coefficients; empty when averaging is off.
    pub avg_coef: &'a mut [f64],
    pub avg_intercept: f64,
}

/// How a run ended.
#[derive(Debug, Clone, Copy)]
pub(super) struct Outcome {
    pub n_iter: usize,
    pub converged: bool,
}

/// `w = wscale·v` with the averaged weights `(aw + a·v)/b` of ASGD, and the norms the
/// stopping rule reads (kept as scikit-learn keeps them: refreshed by `add` only).
struct Weights<'s> {
    v: &'s mut [f64],
    wscale: f64,
    sq_norm: f64,
    l1_norm: f64,
    aw: &'s mut [f64],
    average_a: f64,
    average_b: f64,
}

impl<'s> Weights<'s> {
    fn new(v: &'s mut [f64], aw: &'s mut [f64]) -> Self {
        let sq_norm = v.iter().fold(0.0, |s, w| s + w * w);
        let l1_norm = v.iter().fold(0.0, |s, w| s + w.abs());
        Self {
            v,
            wscale: 1.0,
            sq_norm,
            l1_norm,
            aw,
            average_a: 0.0,
            average_b: 1.0,
        }
    }

    #[inline]
    fn dot(&self, x: &[f64]) -> f64 {
        let mut s = 0.0;
        for (w, xj) in self.v.iter().zip(x) {
            s += w * xj;
        }
        s * self.wscale
    }

    /// `w += c·x`, refreshing the norms when the stopping rule needs them (without it the
    /// loop is a plain axpy, which vectorizes).
    #[inline]
    fn add(&mut self, x: &[f64], c: f64, track_norms: bool) {
        let step = c / self.wscale;
        if !track_norms {
            for (w, xj) in self.v.iter_mut().zip(x) {
                *w += xj * step;
            }
            return;
        }
        let (mut l2, mut l1) = (0.0, 0.0);
        for (w, xj) in self.v.iter_mut().zip(x) {
            *w += xj * step;
            l2 += *w * *w;
            l1 += w.abs();
        }
        self.sq_norm = l2 * (self.wscale * self.wscale);
        self.l1_norm = l1 * self.wscale;
    }

    /// The ASGD update after a step of `c·x`, with `num_iter` steps averaged so far.
    #[inline]
    fn add_average(&mut self, x: &[f64], c: f64, num_iter: f64) {
        let mu = 1.0 / num_iter;
        let step = -c / self.wscale;
        let a = self.average_a;
        for (aw, xj) in self.aw.iter_mut().zip(x) {
            *aw += a * xj * step;
        }
        if num_iter > 1.0 {
            self.average_b /= 1.0 - mu;
        }
        self.average_a += mu * self.average_b * self.wscale;
    }

    #[inline]
    fn scale(&mut self, c: f64) {
        self.wscale *= c;
        self.sq_norm *= c * c;
        self.l1_norm *= c.abs();
        if self.wscale < WSCALE_RESET {
            self.reset();
        }
    }

    /// Folds `wscale` (and the averaging coefficients) into the stored vectors.
    fn reset(&mut self) {
        if !self.aw.is_empty() {
            let (a, inv_b) = (self.average_a, 1.0 / self.average_b);
            for (aw, v) in self.aw.iter_mut().zip(self.v.iter()) {
                *aw += a * v;
                *aw *= inv_b;
            }
            self.average_a = 0.0;
            self.average_b = 1.0;
        }
        let s = self.wscale;
        self.v.iter_mut().for_each(|v| *v *= s);
        self.wscale = 1.0;
    }

    /// The cumulative L1 penalty of Tsuruoka et al. (2009): each weight is pulled towards
    /// zero by the total penalty `u` it could have received, less what it already took (`q`),
    /// and never across zero.
    #[inline]
    fn l1_penalty(&mut self, q: &mut [f64], u: f64) {
        let s = self.wscale;
        for (w, qj) in self.v.iter_mut().zip(q.iter_mut()) {
            let z = *w;
            if s * z > 0.0 {
                *w = f64::max(0.0, *w - (u + *qj) / s);
            } else if s * z < 0.0 {
                *w = f64::min(0.0, *w + (u - *qj) / s);
            }
            *qj += s * (*w - z);
        }
    }
}

/// The learning rate at update count `t`, for the schedules that depend on it.
struct Schedule {
    kind: LearningRate,
    alpha: f64,
    eta0: f64,
    power_t: f64,
    optimal_init: f64,
}

impl Schedule {
    fn new<L: LossFn>(s: &Settings, loss: &L) -> Self {
        // Bottou's heuristic (as scikit-learn): start where the step a typical weight of
        // size 1/sqrt(alpha) would take is about one, i.e. t0 = 1/(eta0·alpha).
        let optimal_init = if s.learning_rate == LearningRate::Optimal {
            let typw = (1.0 / s.alpha.sqrt()).sqrt();
            let initial_eta0 = typw / f64::max(1.0, loss.dloss(1.0, -typw));
            1.0 / (initial_eta0 * s.alpha)
        } else {
            0.0
        };
        Self {
            kind: s.learning_rate,
            alpha: s.alpha,
            eta0: s.eta0,
            power_t: s.power_t,
            optimal_init,
        }
    }

    #[inline]
    fn eta(&self, t: f64, current: f64) -> f64 {
        match self.kind {
            LearningRate::Optimal => 1.0 / (self.alpha * (self.optimal_init + t - 1.0)),
            LearningRate::InvScaling => self.eta0 / t.powf(self.power_t),
            LearningRate::Constant | LearningRate::Adaptive => current,
        }
    }
}

/// Runs up to `max_iter` epochs of SGD from `state`, starting at update count `job.t`
/// (scikit-learn's `t_`), with class weight `job.weight_pos` for `y > 0` and
/// `job.weight_neg` otherwise. `rng` shuffles the rows before each epoch when `shuffle` is set.
///
/// # Errors
/// [`Error::InvalidValue`] when the weights overflow (the data need scaling).
pub(super) fn plain_sgd<L: LossFn>(
    loss: &L,
    job: &Job<'_>,
    state: &mut State<'_>,
    rng: &mut KilnRng,
) -> Result<Outcome> {
    let Job {
        settings: ref s,
        data,
        t: t_start,
        weight_pos,
        weight_neg,
        estimator,
    } = *job;
    let p = data.n_features;
    let n = data.y.len();
    let l1_ratio = match s.penalty {
        Penalty::L2 => 0.0,
        Penalty::L1 => 1.0,
        Penalty::ElasticNet | Penalty::None => s.l1_ratio,
    };
    let shrink = matches!(s.penalty, Penalty::L2 | Penalty::ElasticNet);
    let truncate = matches!(s.penalty, Penalty::L1 | Penalty::ElasticNet);
    let penalized = s.penalty != Penalty::None;
    let track = s.tol.is_some();
    let tol = s.tol.unwrap_or(f64::NEG_INFINITY);
    let schedule = Schedule::new(s, loss);
    let mut q = if truncate { vec![0.0; p] } else { Vec::new() };
    let mut order: Vec<usize> = (0..n).collect();

    let mut w = Weights::new(state.coef, state.avg_coef);
    let mut intercept = state.intercept;
    let mut avg_intercept = state.avg_intercept;
    let mut t = t_start;
    let mut eta = s.eta0;
    let mut u = 0.0;
    let mut best_objective = f64::INFINITY;
    let mut no_improvement = 0usize;
    let mut converged = false;
    let mut epoch = 0;
    let average = s.average as f64;

    while epoch < s.max_iter {
        let mut objective_sum = 0.0;
        if s.shuffle {
            order.shuffle(rng);
        }
        for &i in &order {
            let xi = &data.x[i * p..(i + 1) * p];
            let yi = data.y[i];
            let pred = w.dot(xi) + intercept;
            eta = schedule.eta(t, eta);
            if track {
                objective_sum += loss.loss(yi, pred);
                if penalized {
                    let norm = w.sq_norm.sqrt();
                    objective_sum +=
                        s.alpha * ((1.0 - l1_ratio) * 0.5 * (norm * norm) + l1_ratio * w.l1_norm);
                }
            }
            let class_weight = if yi > 0.0 { weight_pos } else { weight_neg };
            let dloss = loss.dloss(yi, pred).clamp(-MAX_DLOSS, MAX_DLOSS);
            let mut update = -eta * dloss;
            update *= class_weight * data.sample_weight[i];
            if shrink {
                w.scale(f64::max(0.0, 1.0 - (1.0 - l1_ratio) * eta * s.alpha));
            }
            if update != 0.0 {
                w.add(xi, update, track);
                if s.fit_intercept {
                    intercept += update;
                }
            }
            if s.average > 0 && average <= t {
                let num_iter = t - average + 1.0;
                w.add_average(xi, update, num_iter);
                avg_intercept += (intercept - avg_intercept) / num_iter;
            }
            if truncate {
                u += l1_ratio * eta * s.alpha;
                w.l1_penalty(&mut q, u);
            }
            t += 1.0;
        }
        epoch += 1;
        if !intercept.is_finite() || w.v.iter().any(|v| !v.is_finite()) || !w.wscale.is_finite() {
            return Err(Error::InvalidValue {
                what: "X".into(),
                row: None,
                reason: format!(
                    "{estimator}: floating-point overflow in SGD at epoch {epoch}; scale the \
                     features (e.g. with a standard scaler) or lower eta0"
                ),
            });
        }
        // scikit-learn's stopping rule: the mean objective of the epoch has not improved on
        // the best one by `tol` for `n_iter_no_change` epochs in a row.
        let objective = objective_sum / n as f64;
        if objective > best_objective - tol {
            no_improvement += 1;
        } else {
            no_improvement = 0;
        }
        if objective < best_objective {
            best_objective = objective;
        }
        if no_improvement >= s.n_iter_no_change {
            if s.learning_rate == LearningRate::Adaptive && eta > 1e-6 {
                eta /= 5.0;
                no_improvement = 0;
            } else {
                converged = true;
                break;
            }
        }
    }
    w.reset();
    state.intercept = intercept;
    state.avg_intercept = avg_intercept;
    Ok(Outcome {
        n_iter: epoch,
        converged,
    })
}
