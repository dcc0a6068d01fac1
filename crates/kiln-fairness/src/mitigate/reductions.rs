//! Exponentiated-gradient reductions (in-processing): a randomized mixture of classifiers,
//! each fitted by any kiln classifier that takes sample weights, that minimizes the error
//! subject to a fairness constraint (Agarwal et al. 2018; fairlearn 0.15's
//! `ExponentiatedGradient`).
//!
//! The reduction plays a zero-sum game between a classifier player and a Lagrange-multiplier
//! player. Each round the multipliers `λ` (exponentiated-gradient updates of `θ`, with
//! `λ = B e^θ / (1 + Σ e^θ)` and `B = 1/eps`) turn the constrained problem into a weighted
//! classification problem whose best response is one `fit_weighted` of the base estimator
//! ("the oracle"). The classifiers found so far are mixed by the average of the rounds' best
//! responses or, when [`ExponentiatedGradient::run_linprog_step`] is on, by the exact saddle
//! point over their convex hull (a small linear program solved by a dense simplex); the round
//! with the smallest duality gap gives the final mixture.
//!
//! Constraints ([`Constraint`]): demographic parity, equalized odds, true positive rate parity
//! (equal opportunity), false positive rate parity and error rate parity, each bounded by
//! `difference_bound`; their moments ([`LoadedMoment`]: `gamma`, `signed_weights`,
//! `project_lambda`) match fairlearn's to 1e-12 on the same predictions.
//!
//! ```
//! use kiln_fairness::groups::SensitiveColumn;
//! use kiln_fairness::mitigate::reductions::{Constraint, ExponentiatedGradient};
//! use kiln_linear::LogisticRegression;
//! use kiln_core::Predict;
//! use ndarray::{Array1, Array2};
//!
//! // Group "b" has higher feature values, so an unconstrained model selects it more often.
//! let n = 80;
//! let group: Vec<&str> = (0..n).map(|i| if i % 2 == 0 { "a" } else { "b" }).collect();
//! let x = Array2::from_shape_fn((n, 1), |(i, _)| (i % 10) as f64 / 10.0 + (i % 2) as f64 * 0.5);
//! let y: Array1<usize> = (0..n).map(|i| usize::from((i % 10) >= 4 || i % 4 == 1)).collect();
//! let sex = SensitiveColumn::from_strings("group", &group)?;
//!
//! let eg = ExponentiatedGradient::new(LogisticRegression::default(), Constraint::demographic_parity())
//!     .with_max_iter(10);
//! let model = eg.fit(x.view(), y.view(), &[sex], &[])?;
//! let expected = model.pmf_predict(x.view())?; // n × 2: P(0), P(1) per row
//! assert!((expected[[0, 0]] + expected[[0, 1]] - 1.0).abs() < 1e-12);
//! let labels = model.predict(x.view())?; // randomized, seeded by `seed`
//! assert_eq!(labels, model.predict(x.view())?);
//! assert!((model.weights().iter().sum::<f64>() - 1.0).abs() < 1e-9);
//! assert!(model.trace().n_oracle_calls >= 1);
//! # Ok::<(), kiln_core::Error>(())
//! ```
//!
//! # References
//! A. Agarwal, A. Beygelzimer, M. Dudík, J. Langford, H. Wallach, "A Reductions Approach to
//! Fair Classification", ICML 2018. fairlearn 0.15, `fairlearn.reductions`.

mod constraint;
mod fitted;
mod lagrangian;
mod moments;
mod simplex;

pub use constraint::{Constraint, ConstraintKind, DEFAULT_DIFFERENCE_BOUND};
pub use fitted::{FittedExponentiatedGradient, ReductionSettings, ReductionTrace};
pub use moments::{ConstraintId, ErrorRateObjective, LoadedMoment, Sign};

use kiln_core::check::{self, NanPolicy, check_param};
use kiln_core::random::DEFAULT_SEED;
use kiln_core::{Fit, Params, Predict, Result};
use ndarray::{Array1, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::groups::SensitiveColumn;
use lagrangian::{Lagrangian, PRECISION};

/// fairlearn's `_ACCURACY_MUL`: the automatic `nu` is this times the standard error of the
/// first classifier's accuracy.
const ACCURACY_MUL: f64 = 0.5;
/// fairlearn's learning-rate schedule: check the regret from round 5, then every time the
/// round number grows by 1.6×, and shrink `eta` by 0.8 when the best gap did not fall by 20%.
const REGRET_CHECK_START_T: f64 = 5.0;
const REGRET_CHECK_INCREASE_T: f64 = 1.6;
const SHRINK_REGRET: f64 = 0.8;
const SHRINK_ETA: f64 = 0.8;
/// The fewest rounds before the duality gap may stop the game.
const MIN_ITER: usize = 5;

/// One classifier of the mixture: a fitted base estimator, or a constant when the weighted
/// problem of its round had a single label (fairlearn's `DummyClassifier`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum BaseClassifier<F> {
    /// Predicts this class for every row.
    Constant(usize),
    /// A fitted base estimator.
    Fitted(F),
}

impl<F: Predict<Output = usize>> BaseClassifier<F> {
    /// Predicts every row of `x`.
    ///
    /// # Errors
    /// As the base estimator's `predict`.
    pub fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<usize>> {
        match self {
            BaseClassifier::Constant(c) => Ok(Array1::from_elem(x.nrows(), *c)),
            BaseClassifier::Fitted(f) => f.predict(x),
        }
    }
}

/// Exponentiated-gradient reduction of fair classification to weighted classification.
///
/// # Parameters
/// * `estimator`: the base classifier, fitted once per oracle call with sample weights
///   (binary 0/1 labels). It must support sample weights.
/// * `constraint`: the fairness constraint and its bound. By default demographic parity with
///   `difference_bound = 0.01`.
/// * `eps`: allowed constraint violation; sets the multiplier bound `B = 1/eps`. By default,
///   `0.01`. Must be `> 0`.
/// * `max_iter`: the most rounds. By default, `50`. Must be `≥ 1`.
/// * `nu`: duality-gap threshold that stops the game (after at least 5 rounds). By default,
///   `None`: `0.5 · std(|h₀(X) − y|) / √n` for the first best response `h₀` (fairlearn's rule).
/// * `eta0`: initial learning rate of the multipliers, as `eta = eta0 / B`. By default, `2.0`.
/// * `run_linprog_step`: whether each round also solves the linear program over the convex
///   hull of the classifiers found so far. By default, `true`.
/// * `seed`: seed of the randomized [`Predict::predict`] of the fitted mixture. By default,
///   `0`.
///
/// # Errors
/// `fit` returns [`InvalidParameter`](kiln_core::Error::InvalidParameter) for parameters out
/// of range; [`EmptyInput`](kiln_core::Error::EmptyInput),
/// [`NonFinite`](kiln_core::Error::NonFinite) or
/// [`ShapeMismatch`](kiln_core::Error::ShapeMismatch) for bad `X`, `y` or sensitive columns;
/// [`InvalidValue`](kiln_core::Error::InvalidValue) for labels other than 0/1; and
/// [`Unsupported`](kiln_core::Error::Unsupported) when the estimator does not take sample
/// weights.
///
/// # Notes
/// Unlike fairlearn, the random draws of [`Predict::predict`] come from kiln's ChaCha8
/// generator, not numpy's, so randomized labels differ from fairlearn's for the same seed; the
/// expected values ([`FittedExponentiatedGradient::pmf_predict`]) do not depend on it. The
/// oracle fits run one after another, so a seed gives the same mixture on any thread count.
/// There are no per-sample weights for the data (fairlearn's `ExponentiatedGradient` has none
/// either): the weights given to the base estimator are the reduction's own.
/// Several sensitive columns are joined into one group name with `,` as fairlearn joins them.
///
/// # References
/// Agarwal et al., "A Reductions Approach to Fair Classification", ICML 2018.
///
/// # Example
/// See the [module documentation](self).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExponentiatedGradient<P> {
    /// The base classifier.
    pub estimator: P,
    /// The fairness constraint. By default, demographic parity with bound `0.01`.
    pub constraint: Constraint,
    /// Allowed constraint violation, `B = 1/eps`. By default, `0.01`.
    pub eps: f64,
    /// The most rounds. By default, `50`.
    pub max_iter: usize,
    /// Duality-gap threshold; `None` (the default) for fairlearn's automatic rule.
    pub nu: Option<f64>,
    /// Initial learning rate. By default, `2.0`.
    pub eta0: f64,
    /// Whether to solve the linear program each round. By default, `true`.
    pub run_linprog_step: bool,
    /// Seed of the randomized predictions. By default, `0`.
    pub seed: u64,
}

impl<P: Default> Default for ExponentiatedGradient<P> {
    fn default() -> Self {
        Self::new(P::default(), Constraint::default())
    }
}

impl<P> ExponentiatedGradient<P> {
    /// The reduction of `estimator` under `constraint`, with the other parameters at their
    /// defaults.
    pub fn new(estimator: P, constraint: Constraint) -> Self {
        Self {
            estimator,
            constraint,
            eps: 0.01,
            max_iter: 50,
            nu: None,
            eta0: 2.0,
            run_linprog_step: true,
            seed: DEFAULT_SEED,
        }
    }

    /// Sets the constraint. By default, demographic parity with bound `0.01`.
    pub fn with_constraint(mut self, constraint: Constraint) -> Self {
        self.constraint = constraint;
        self
    }

    /// Sets `eps`. By default, `0.01`.
    pub fn with_eps(mut self, eps: f64) -> Self {
        self.eps = eps;
        self
    }

    /// Sets the most rounds. By default, `50`.
    pub fn with_max_iter(mut self, max_iter: usize) -> Self {
        self.max_iter = max_iter;
        self
    }

    /// Sets the duality-gap threshold. By default, `None` (automatic).
    pub fn with_nu(mut self, nu: Option<f64>) -> Self {
        self.nu = nu;
        self
    }

    /// Sets the initial learning rate. By default, `2.0`.
    pub fn with_eta0(mut self, eta0: f64) -> Self {
        self.eta0 = eta0;
        self
    }

    /// Turns the per-round linear program on or off. By default, on.
    pub fn with_run_linprog_step(mut self, run_linprog_step: bool) -> Self {
        self.run_linprog_step = run_linprog_step;
        self
    }

    /// Sets the seed of randomized predictions. By default, `0`.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    fn settings(&self) -> ReductionSettings {
        ReductionSettings {
            constraint: self.constraint,
            eps: self.eps,
            max_iter: self.max_iter,
            nu: self.nu,
            eta0: self.eta0,
            run_linprog_step: self.run_linprog_step,
            seed: self.seed,
        }
    }
}

impl<P> Params for ExponentiatedGradient<P> {
    const NAME: &'static str = "ExponentiatedGradient";

    fn validate(&self) -> Result<()> {
        let name = Self::NAME;
        check_param(
            name,
            "eps",
            self.eps,
            self.eps.is_finite() && self.eps > 0.0,
            "a float in the range (0, inf)",
        )?;
        check_param(
            name,
            "max_iter",
            self.max_iter,
            self.max_iter >= 1,
            "an int in the range [1, inf)",
        )?;
        if let Some(nu) = self.nu {
            check_param(
                name,
                "nu",
                nu,
                nu.is_finite() && nu >= 0.0,
                "None or a float in the range [0, inf)",
            )?;
        }
        check_param(
            name,
            "eta0",
            self.eta0,
            self.eta0.is_finite() && self.eta0 > 0.0,
            "a float in the range (0, inf)",
        )?;
        self.constraint.validate(name)
    }
}

fn std_ddof1(values: &[f64]) -> f64 {
    let n = values.len();
    if n < 2 {
        return 0.0;
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
    (ss / (n - 1) as f64).sqrt()
}

impl<P> ExponentiatedGradient<P>
where
    P: Fit<Target = usize> + Clone + Sync,
    P::Fitted: Predict<Output = usize>,
{
    /// Plays the game on `x` and labels `y` (0/1, 1 = favourable) with the groups of the
    /// `sensitive` columns, within the levels of the `control` columns (none: pass `&[]`).
    ///
    /// # Errors
    /// See the [type documentation](ExponentiatedGradient); errors of the base estimator's fit
    /// and predict are passed on.
    pub fn fit(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, usize>,
        sensitive: &[SensitiveColumn],
        control: &[SensitiveColumn],
    ) -> Result<FittedExponentiatedGradient<P::Fitted>> {
        self.validate()?;
        self.estimator.validate()?;
        check::check_fit_xy(x, y.len(), NanPolicy::Reject)?;
        let constraints = self.constraint.load(y, sensitive, control)?;
        let objective = ErrorRateObjective::load(y)?;
        let n = y.len();
        let k = constraints.n_constraints();
        let b = 1.0 / self.eps;
        let mut lag = Lagrangian::new(x, &self.estimator, constraints, objective, b);

        let mut theta = vec![0.0_f64; k];
        let mut qsum: Vec<f64> = Vec::new();
        let mut gaps_eg: Vec<f64> = Vec::new();
        let mut gaps: Vec<f64> = Vec::new();
        let mut qs: Vec<Vec<f64>> = Vec::new();
        let mut used_lp: Vec<bool> = Vec::new();
        let mut lambda_vecs_eg: Vec<Vec<f64>> = Vec::new();
        let mut lambda_vecs_lp: Vec<(usize, Vec<f64>)> = Vec::new();
        let mut last_regret_checked = REGRET_CHECK_START_T;
        let mut last_gap = f64::INFINITY;
        let mut lambda_cumsum = vec![0.0; k];
        let mut nu = self.nu.unwrap_or(f64::NAN);
        let mut eta = self.eta0 / b;

        for t in 0..self.max_iter {
            let exp_theta: Vec<f64> = theta.iter().map(|v| v.exp()).collect();
            let denom = 1.0 + exp_theta.iter().sum::<f64>();
            let lambda_vec: Vec<f64> = exp_theta.iter().map(|e| b * e / denom).collect();
            for (c, l) in lambda_cumsum.iter_mut().zip(&lambda_vec) {
                *c += l;
            }
            let lambda_eg: Vec<f64> = lambda_cumsum.iter().map(|c| c / (t + 1) as f64).collect();
            lambda_vecs_eg.push(lambda_vec.clone());

            let h_idx = lag.best_h(&lambda_vec)?;
            if t == 0 {
                if self.nu.is_none() {
                    let abs_err: Vec<f64> = lag.train_predictions[h_idx]
                        .iter()
                        .zip(y)
                        .map(|(p, &yi)| (p - yi as f64).abs())
                        .collect();
                    nu = ACCURACY_MUL * std_ddof1(&abs_err) / (n as f64).sqrt();
                }
                eta = self.eta0 / b;
            }

            if qsum.len() <= h_idx {
                qsum.resize(h_idx + 1, 0.0);
            }
            qsum[h_idx] += 1.0;
            let gamma = lag.gammas[h_idx].clone();
            let total: f64 = qsum.iter().sum();
            let q_eg: Vec<f64> = qsum.iter().map(|q| q / total).collect();
            let gap_eg = lag.eval_gap(&q_eg, &lambda_eg, nu)?.gap();
            gaps_eg.push(gap_eg);

            let lp = if t == 0 || !self.run_linprog_step {
                None
            } else {
                lag.solve_linprog(nu)?
            };
            let gap_lp = match &lp {
                Some((_, lambda_lp, result)) => {
                    lambda_vecs_lp.push((t, lambda_lp.clone()));
                    result.gap()
                }
                None => f64::INFINITY,
            };
            match lp {
                Some((q_lp, _, _)) if gap_eg >= gap_lp => {
                    qs.push(q_lp);
                    gaps.push(gap_lp);
                    used_lp.push(true);
                }
                _ => {
                    qs.push(q_eg);
                    gaps.push(gap_eg);
                    used_lp.push(false);
                }
            }

            if gaps[t] < nu && t >= MIN_ITER {
                break;
            }
            if t as f64 >= last_regret_checked * REGRET_CHECK_INCREASE_T {
                let best_gap = gaps_eg.iter().copied().fold(f64::INFINITY, f64::min);
                if best_gap > last_gap * SHRINK_REGRET {
                    eta *= SHRINK_ETA;
                }
                last_regret_checked = t as f64;
                last_gap = best_gap;
            }
            let bound = lag.constraints.bound();
            for (th, g) in theta.iter_mut().zip(&gamma) {
                *th += eta * (g - bound);
            }
        }

        let min_gap = gaps.iter().copied().fold(f64::INFINITY, f64::min);
        let best_iter = gaps
            .iter()
            .rposition(|&g| g <= min_gap + PRECISION)
            .unwrap_or(0);
        let mut weights = qs.get(best_iter).cloned().unwrap_or_default();
        weights.resize(lag.hs.len(), 0.0);
        let trace = ReductionTrace {
            best_iter,
            best_gap: gaps.get(best_iter).copied().unwrap_or(f64::NAN),
            last_iter: qs.len().saturating_sub(1),
            nu,
            n_oracle_calls: lag.n_oracle_calls,
            n_oracle_calls_dummy_returned: lag.n_oracle_calls_dummy_returned,
            gaps,
            gaps_eg,
            used_linprog: used_lp,
            lambda_vecs_eg,
            lambda_vecs_lp,
            lambda_vecs: std::mem::take(&mut lag.lambdas),
            errors: std::mem::take(&mut lag.errors),
            gammas: std::mem::take(&mut lag.gammas),
        };
        Ok(FittedExponentiatedGradient {
            settings: self.settings(),
            n_features: x.ncols(),
            index: lag.constraints.index().to_vec(),
            predictors: std::mem::take(&mut lag.hs),
            weights,
            trace,
        })
    }
}
