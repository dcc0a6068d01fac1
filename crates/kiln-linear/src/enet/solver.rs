//! Cyclic or random coordinate descent for the elastic net, with a duality-gap stop and gap
//! safe screening.
//!
//! Minimizes `P(β) = ½‖y − Xβ‖² + l1‖β‖₁ + ½·l2‖β‖²` over the centred, weighted data of
//! [`Prepared`], where `l1 = n·alpha·l1_ratio` and `l2 = n·alpha·(1 − l1_ratio)`, i.e.
//! `n_samples` times scikit-learn's objective. Each coordinate step is the exact minimizer
//! `β_j = S(X_jᵀr + β_j‖X_j‖², l1) / (‖X_j‖² + l2)` with `S` the soft threshold (Friedman,
//! Hastie & Tibshirani 2010, eq. 5), clipped at zero under the positivity constraint.
//!
//! Stopping follows scikit-learn: when the largest coordinate change of a sweep is at most
//! `tol` times the largest coefficient (or the last sweep is reached), the duality gap
//! `G(β, θ) = P(β) − D(θ)` is computed at the rescaled residual `θ = s·r` with
//! `s = min(1, l1 / ‖Xᵀr − l2β‖_∞)`, and the solver stops once `G ≤ tol·‖y‖²` (Fercoq,
//! Gramfort & Salmon 2015). Without an L1 part the gap of Dünner et al. (2016, §5.2.3) is used,
//! and without any penalty the squared gradient norm.
//!
//! After every gap evaluation, features whose dual constraint is provably inactive are
//! removed (gap safe rule; Ndiaye, Fercoq, Gramfort & Salmon 2017, eq. 11): feature `j` is
//! discarded when `(1 − |X_jᵀθ|) / √(‖X_j‖² + l2) > √(2G) / l1`, and its coefficient is
//! exactly zero at the optimum.

use kiln_core::random::KilnRng;
use rand::Rng;
use rayon::prelude::*;

use super::kernels::{axpy, dot};
use super::prepare::{Data, Prepared};

/// Below this many elements of `X`, the gap's `Xᵀr` runs on the calling thread.
const PARALLEL_MIN: usize = 1 << 18;

/// The penalty in the solver's scaling (already multiplied by `n_samples`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Penalty {
    pub l1: f64,
    pub l2: f64,
    pub positive: bool,
}

/// How long to iterate and in which order.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    pub max_iter: usize,
    pub tol: f64,
    pub random: bool,
}

/// How a solve ended.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Outcome {
    /// The last duality gap, in the solver's scaling (`n_samples` times scikit-learn's).
    pub gap: f64,
    /// Sweeps over the coordinates (0 when the starting point already met the tolerance).
    pub n_iter: usize,
    pub converged: bool,
}

/// Runs coordinate descent from `w` (updated in place).
pub(crate) fn solve(
    prep: &Prepared,
    pen: Penalty,
    settings: Settings,
    w: &mut [f64],
    rng: &mut KilnRng,
) -> Outcome {
    match &prep.data {
        Data::Gram { gram } => {
            let mut c = GramCoords::new(gram, &prep.xty, prep.y_norm2, w);
            descend(&mut c, &prep.norm2, prep.y_norm2, pen, settings, w, rng)
        }
        Data::Columns { x, y } => {
            let mut c = ColumnCoords::new(x, y, prep.n_samples, w);
            descend(&mut c, &prep.norm2, prep.y_norm2, pen, settings, w, rng)
        }
    }
}

/// What coordinate descent needs from a formulation: the correlation of one column with the
/// residual, a coefficient change, and the pieces of the duality gap.
trait Coords {
    /// `X_jᵀr` at the current coefficients.
    fn partial(&self, j: usize) -> f64;
    /// Applies `β_j += delta` to the residual (or to `Qβ`).
    fn update(&mut self, j: usize, delta: f64);
    /// Fills `xtr` with `Xᵀr` and returns `(‖r‖², rᵀy)`.
    fn gap_parts(&self, w: &[f64], xtr: &mut [f64]) -> (f64, f64);
}

/// Gram formulation: keeps `Qβ` up to date, so a step costs O(p).
struct GramCoords<'a> {
    gram: &'a [f64],
    q: &'a [f64],
    y_norm2: f64,
    qw: Vec<f64>,
    p: usize,
}

impl<'a> GramCoords<'a> {
    fn new(gram: &'a [f64], q: &'a [f64], y_norm2: f64, w: &[f64]) -> Self {
        let p = q.len();
        let mut qw = vec![0.0; p];
        for (j, &wj) in w.iter().enumerate() {
            if wj != 0.0 {
                axpy(wj, &gram[j * p..(j + 1) * p], &mut qw);
            }
        }
        Self {
            gram,
            q,
            y_norm2,
            qw,
            p,
        }
    }
}

impl Coords for GramCoords<'_> {
    fn partial(&self, j: usize) -> f64 {
        self.q[j] - self.qw[j]
    }

    fn update(&mut self, j: usize, delta: f64) {
        let p = self.p;
        axpy(delta, &self.gram[j * p..(j + 1) * p], &mut self.qw);
    }

    fn gap_parts(&self, w: &[f64], xtr: &mut [f64]) -> (f64, f64) {
        for ((o, q), qw) in xtr.iter_mut().zip(self.q).zip(&self.qw) {
            *o = q - qw;
        }
        // r = y − Xβ without forming it: ‖r‖² = ‖y‖² − 2βᵀq + βᵀQβ and rᵀy = ‖y‖² − βᵀq.
        let qdw = dot(self.q, w);
        let wqw = dot(w, &self.qw);
        (self.y_norm2 + wqw - 2.0 * qdw, self.y_norm2 - qdw)
    }
}

/// Residual formulation over column-major `X`: a step costs O(n).
struct ColumnCoords<'a> {
    x: &'a [f64],
    y: &'a [f64],
    n: usize,
    r: Vec<f64>,
}

impl<'a> ColumnCoords<'a> {
    fn new(x: &'a [f64], y: &'a [f64], n: usize, w: &[f64]) -> Self {
        let mut r = y.to_vec();
        for (j, &wj) in w.iter().enumerate() {
            if wj != 0.0 {
                axpy(-wj, &x[j * n..(j + 1) * n], &mut r);
            }
        }
        Self { x, y, n, r }
    }

    fn col(&self, j: usize) -> &[f64] {
        &self.x[j * self.n..(j + 1) * self.n]
    }
}

impl Coords for ColumnCoords<'_> {
    fn partial(&self, j: usize) -> f64 {
        dot(self.col(j), &self.r)
    }

    fn update(&mut self, j: usize, delta: f64) {
        let n = self.n;
        axpy(-delta, &self.x[j * n..(j + 1) * n], &mut self.r);
    }

    fn gap_parts(&self, _w: &[f64], xtr: &mut [f64]) -> (f64, f64) {
        let n = self.n;
        let (x, r) = (self.x, &self.r);
        // One dot per column, each computed whole by one thread: same bits on any thread count.
        if x.len() >= PARALLEL_MIN {
            xtr.par_iter_mut()
                .enumerate()
                .for_each(|(j, o)| *o = dot(&x[j * n..(j + 1) * n], r));
        } else {
            for (j, o) in xtr.iter_mut().enumerate() {
                *o = dot(&x[j * n..(j + 1) * n], r);
            }
        }
        (dot(r, r), dot(r, self.y))
    }
}

/// The duality gap at `w`; leaves `Xᵀr − l2·w` in `xta` and returns the gap with the dual
/// norm `‖Xᵀr − l2·w‖_∞` (the largest entry under positivity) that screening needs.
fn duality_gap<C: Coords>(c: &C, w: &[f64], pen: Penalty, xta: &mut [f64]) -> (f64, f64) {
    let (r_norm2, ry) = c.gap_parts(w, xta);
    let w_l2 = if pen.l2 > 0.0 { dot(w, w) } else { 0.0 };
    if pen.l1 == 0.0 {
        let grad2 = dot(xta, xta);
        if pen.l2 == 0.0 {
            // Least squares has no bounded dual here; the first-order condition Xᵀr = 0 is
            // what is measured.
            return (grad2, grad2);
        }
        // Ridge: the gap of Dünner et al. (2016), whose dual needs no feasibility scaling.
        let gap = r_norm2 + 0.5 * pen.l2 * w_l2 - ry + grad2 / (2.0 * pen.l2);
        return (gap, grad2);
    }
    for (a, &wj) in xta.iter_mut().zip(w) {
        *a -= pen.l2 * wj;
    }
    let dual_norm = if pen.positive {
        xta.iter().copied().fold(f64::NEG_INFINITY, f64::max)
    } else {
        xta.iter().fold(0.0_f64, |m, a| m.max(a.abs()))
    };
    let w_l1: f64 = w.iter().map(|v| v.abs()).sum();
    let smooth = r_norm2 + pen.l2 * w_l2;
    let primal = 0.5 * smooth + pen.l1 * w_l1;
    let scale = if dual_norm > pen.l1 {
        pen.l1 / dual_norm
    } else {
        1.0
    };
    let dual = -0.5 * scale * scale * smooth + scale * ry;
    (primal - dual, dual_norm)
}

/// The features still in play, and those proven zero at the optimum.
struct ActiveSet {
    active: Vec<usize>,
    excluded: Vec<bool>,
}

impl ActiveSet {
    fn all(p: usize) -> Self {
        Self {
            active: (0..p).collect(),
            excluded: vec![false; p],
        }
    }

    /// Gap safe screening: drops every feature whose safe-sphere test proves it inactive,
    /// zeroing its coefficient (and updating the residual) if it was not zero yet.
    #[expect(
        clippy::too_many_arguments,
        reason = "the screening test reads the whole state of one gap evaluation"
    )]
    fn screen<C: Coords>(
        &mut self,
        c: &mut C,
        w: &mut [f64],
        norm2: &[f64],
        xta: &[f64],
        gap: f64,
        dual_norm: f64,
        pen: Penalty,
    ) {
        // Rounding can make a tiny gap negative; its magnitude is the honest radius.
        let radius = (2.0 * gap.abs()).sqrt() / pen.l1;
        let theta_scale = pen.l1.max(dual_norm);
        self.active.clear();
        for j in 0..w.len() {
            if self.excluded[j] {
                continue;
            }
            let keep = norm2[j] > 0.0 && {
                let xj_theta = xta[j] / theta_scale;
                let d_j = (1.0 - xj_theta.abs()) / (norm2[j] + pen.l2).sqrt();
                d_j <= radius
            };
            if keep {
                self.active.push(j);
            } else {
                if w[j] != 0.0 {
                    c.update(j, -w[j]);
                    w[j] = 0.0;
                }
                self.excluded[j] = true;
            }
        }
    }
}

fn descend<C: Coords>(
    c: &mut C,
    norm2: &[f64],
    y_norm2: f64,
    pen: Penalty,
    settings: Settings,
    w: &mut [f64],
    rng: &mut KilnRng,
) -> Outcome {
    let p = w.len();
    let mut xta = vec![0.0; p];
    let gap_tol = settings.tol * y_norm2;
    let screening = pen.l1 > 0.0;
    let (mut gap, mut dual_norm) = duality_gap(c, w, pen, &mut xta);
    if gap <= gap_tol {
        return Outcome {
            gap,
            n_iter: 0,
            converged: true,
        };
    }
    let mut set = ActiveSet::all(p);
    if screening {
        set.screen(c, w, norm2, &xta, gap, dual_norm, pen);
    }
    for sweep in 0..settings.max_iter {
        let mut w_max = 0.0_f64;
        let mut d_w_max = 0.0_f64;
        let n_active = set.active.len();
        for f in 0..n_active {
            let pick = if settings.random {
                rng.random_range(0..n_active)
            } else {
                f
            };
            let j = set.active[pick];
            let nj = norm2[j];
            if nj == 0.0 {
                continue;
            }
            let old = w[j];
            let tmp = c.partial(j) + old * nj;
            let new = if pen.positive && tmp < 0.0 {
                0.0
            } else {
                tmp.signum() * (tmp.abs() - pen.l1).max(0.0) / (nj + pen.l2)
            };
            if new != old {
                c.update(j, new - old);
                w[j] = new;
            }
            d_w_max = d_w_max.max((new - old).abs());
            w_max = w_max.max(new.abs());
        }
        let last = sweep + 1 == settings.max_iter;
        if w_max == 0.0 || d_w_max / w_max <= settings.tol || last {
            (gap, dual_norm) = duality_gap(c, w, pen, &mut xta);
            if gap <= gap_tol {
                return Outcome {
                    gap,
                    n_iter: sweep + 1,
                    converged: true,
                };
            }
            if screening {
                set.screen(c, w, norm2, &xta, gap, dual_norm, pen);
            }
        }
    }
    Outcome {
        gap,
        n_iter: settings.max_iter,
        converged: false,
    }
}
