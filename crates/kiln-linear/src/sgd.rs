//! [`SGDClassifier`] and [`SGDRegressor`]: linear models fitted by stochastic gradient
//! descent, one sample at a time, as scikit-learn's estimators of the same names.
//!
//! They minimize the regularized empirical risk
//!
//! ```text
//! 1/n · Σᵢ sᵢ · L(yᵢ, xᵢ·w + b)  +  alpha · ( (1 − l1_ratio)/2 · ‖w‖²  +  l1_ratio · ‖w‖₁ )
//! ```
//!
//! with a per-sample step `w ← w − η·(∂L/∂p · sᵢ · xᵢ + penalty gradient)` (`sᵢ` the sample
//! weight times the class weight). Because each step reads one row, they suit data that arrive
//! in batches or do not fit in memory: `partial_fit` runs one epoch over a batch and keeps the
//! model (coefficients, intercept, update count `t_`) for the next batch.
//!
//! # How it runs
//! - One pass per epoch over the rows of a row-major copy of `X` (no copy when `X` is
//!   already row-major), in order or shuffled per epoch from the estimator's `seed`.
//! - The weights are stored as a scale times a vector, so the L2 shrinkage of every step costs
//!   O(1); the L1 part is the cumulative truncated gradient of Tsuruoka et al. (2009).
//! - Multiclass classification is one-versus-rest: one independent binary problem per class,
//!   run in parallel over the classes when the data are large; each problem draws its
//!   shuffles from its own seed, so the result does not depend on the number of threads.
//! - The loop performs the floating-point operations of scikit-learn 1.9's `_plain_sgd` in
//!   the same order: with shuffling off, both give the same coefficients (to rounding).
//!
//! # References
//! - L. Bottou (2010). Large-scale machine learning with stochastic gradient descent.
//!   *COMPSTAT*. (The "optimal" schedule and its `t0` heuristic; the scaled weight vector.)
//! - Y. Tsuruoka, J. Tsujii, S. Ananiadou (2009). Stochastic gradient descent training for
//!   L1-regularized log-linear models with cumulative penalty. *ACL-IJCNLP*.
//! - W. Xu (2011). Towards optimal one pass large scale learning with averaged stochastic
//!   gradient descent. arXiv:1107.2490. (Averaged SGD with lazy updates.)
//! - T. Zhang (2004). Solving large scale linear prediction problems using stochastic
//!   gradient descent algorithms. *ICML*. (Modified Huber.)
//! - B. Zadrozny, C. Elkan (2002). Transforming classifier scores into accurate multiclass
//!   probability estimates. *KDD*. (One-versus-rest probabilities.)

use crate::common::{check_at_least_one, check_non_negative, check_unit_interval};
use kiln_core::check::{self, NanPolicy};
use kiln_core::random::KilnRng;
use kiln_core::{Error, Result};
use ndarray::{ArrayView1, ArrayView2, CowArray, Ix2};
use serde::{Deserialize, Serialize};

mod classifier;
mod fitted_classifier;
mod fitted_regressor;
mod kernel;
mod loss;
mod regressor;

pub use crate::logistic::ClassWeight;
pub use classifier::SGDClassifier;
pub use fitted_classifier::FittedSGDClassifier;
pub use fitted_regressor::FittedSGDRegressor;
pub use regressor::SGDRegressor;

use kernel::{Data, Outcome, Settings, State};

/// The penalty on the coefficients (scikit-learn's `penalty`). The intercept is never
/// penalized.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Penalty {
    /// No penalty (scikit-learn's `None`).
    None,
    /// `alpha/2 · ‖w‖²` (the default).
    #[default]
    L2,
    /// `alpha · ‖w‖₁`, which sets coefficients exactly to zero.
    L1,
    /// `alpha · ((1 − l1_ratio)/2 · ‖w‖² + l1_ratio · ‖w‖₁)`.
    ElasticNet,
}

/// The step size η at update `t` (scikit-learn's `learning_rate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LearningRate {
    /// `η = eta0`.
    Constant,
    /// `η = 1 / (alpha · (t + t0))`, with `t0` from Bottou's heuristic (the classifier's
    /// default); needs `alpha > 0`.
    Optimal,
    /// `η = eta0 / t^power_t` (the regressor's default).
    InvScaling,
    /// `η = eta0` until the stopping rule fires, then divided by 5 (and the count restarted)
    /// each time it fires again, until it falls below 1e-6.
    Adaptive,
}

/// The loss of [`SGDClassifier`] (scikit-learn's `loss`), on labels coded `±1` for the class
/// against the rest (`0/1` for log-loss).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ClassifierLoss {
    /// `max(0, 1 − y·p)`: a linear SVM (the default).
    #[default]
    Hinge,
    /// The logistic loss: logistic regression, with probabilities.
    LogLoss,
    /// Smoothed hinge, tolerant to outliers, with probabilities (Zhang 2004).
    ModifiedHuber,
    /// `max(0, 1 − y·p)²`.
    SquaredHinge,
    /// `max(0, −y·p)`: the perceptron.
    Perceptron,
    /// `½(p − y)²` on `y = ±1`.
    SquaredError,
    /// Huber on `y = ±1`, threshold `epsilon`.
    Huber,
    /// `max(0, |y − p| − epsilon)` on `y = ±1`.
    EpsilonInsensitive,
    /// `max(0, |y − p| − epsilon)²` on `y = ±1`.
    SquaredEpsilonInsensitive,
}

/// The loss of [`SGDRegressor`] (scikit-learn's `loss`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum RegressorLoss {
    /// `½(p − y)²`: least squares (the default).
    #[default]
    SquaredError,
    /// Quadratic within `epsilon` of the target, linear beyond: robust to outliers.
    Huber,
    /// `max(0, |y − p| − epsilon)`: support vector regression.
    EpsilonInsensitive,
    /// `max(0, |y − p| − epsilon)²`.
    SquaredEpsilonInsensitive,
}

/// The loss function with its constant, for dispatch to the monomorphized loop.
#[derive(Debug, Clone, Copy)]
enum LossKind {
    Hinge(f64),
    SquaredHinge,
    Log,
    ModifiedHuber,
    Squared,
    Huber(f64),
    EpsilonInsensitive(f64),
    SquaredEpsilonInsensitive(f64),
}

impl LossKind {
    fn classifier(loss: ClassifierLoss, epsilon: f64) -> Self {
        match loss {
            ClassifierLoss::Hinge => LossKind::Hinge(1.0),
            ClassifierLoss::LogLoss => LossKind::Log,
            ClassifierLoss::ModifiedHuber => LossKind::ModifiedHuber,
            ClassifierLoss::SquaredHinge => LossKind::SquaredHinge,
            ClassifierLoss::Perceptron => LossKind::Hinge(0.0),
            ClassifierLoss::SquaredError => LossKind::Squared,
            ClassifierLoss::Huber => LossKind::Huber(epsilon),
            ClassifierLoss::EpsilonInsensitive => LossKind::EpsilonInsensitive(epsilon),
            ClassifierLoss::SquaredEpsilonInsensitive => {
                LossKind::SquaredEpsilonInsensitive(epsilon)
            }
        }
    }

    fn regressor(loss: RegressorLoss, epsilon: f64) -> Self {
        match loss {
            RegressorLoss::SquaredError => LossKind::Squared,
            RegressorLoss::Huber => LossKind::Huber(epsilon),
            RegressorLoss::EpsilonInsensitive => LossKind::EpsilonInsensitive(epsilon),
            RegressorLoss::SquaredEpsilonInsensitive => {
                LossKind::SquaredEpsilonInsensitive(epsilon)
            }
        }
    }

    /// Runs the epoch loop with this loss (one monomorphized loop per loss).
    fn run(self, job: &Job<'_>, state: &mut State<'_>, rng: &mut KilnRng) -> Result<Outcome> {
        macro_rules! go {
            ($l:expr) => {
                kernel::plain_sgd(&$l, job, state, rng)
            };
        }
        match self {
            LossKind::Hinge(th) => go!(loss::Hinge(th)),
            LossKind::SquaredHinge => go!(loss::SquaredHinge),
            LossKind::Log => go!(loss::LogLoss),
            LossKind::ModifiedHuber => go!(loss::ModifiedHuber),
            LossKind::Squared => go!(loss::Squared),
            LossKind::Huber(e) => go!(loss::Huber(e)),
            LossKind::EpsilonInsensitive(e) => go!(loss::EpsilonInsensitive(e)),
            LossKind::SquaredEpsilonInsensitive(e) => go!(loss::SquaredEpsilonInsensitive(e)),
        }
    }
}

/// One binary (or regression) problem: everything but the parameters it updates.
#[derive(Clone, Copy)]
struct Job<'a> {
    settings: Settings,
    data: Data<'a>,
    t: f64,
    weight_pos: f64,
    weight_neg: f64,
    estimator: &'static str,
}

/// The parameters both estimators share, checked in one place.
#[derive(Debug, Clone, Copy)]
struct Common {
    name: &'static str,
    penalty: Penalty,
    alpha: f64,
    l1_ratio: f64,
    fit_intercept: bool,
    max_iter: usize,
    tol: Option<f64>,
    shuffle: bool,
    epsilon: f64,
    learning_rate: LearningRate,
    eta0: f64,
    power_t: f64,
    n_iter_no_change: usize,
    average: usize,
}

impl Common {
    /// scikit-learn's parameter constraints, in the order of its signature.
    fn validate(&self) -> Result<()> {
        let n = self.name;
        check_non_negative(n, "alpha", self.alpha)?;
        check_unit_interval(n, "l1_ratio", self.l1_ratio)?;
        check_at_least_one(n, "max_iter", self.max_iter)?;
        if let Some(tol) = self.tol {
            check::check_param(
                n,
                "tol",
                tol,
                tol >= 0.0 && tol.is_finite(),
                "a float in the range [0, inf) or None",
            )?;
        }
        check_non_negative(n, "epsilon", self.epsilon)?;
        check::check_param(
            n,
            "eta0",
            self.eta0,
            self.eta0 > 0.0 && self.eta0.is_finite(),
            "a float in the range (0, inf)",
        )?;
        // scikit-learn still accepts a negative power_t with a deprecation warning (an error
        // from 1.10); kiln rejects it now.
        check_non_negative(n, "power_t", self.power_t)?;
        check_at_least_one(n, "n_iter_no_change", self.n_iter_no_change)?;
        if self.learning_rate == LearningRate::Optimal && self.alpha == 0.0 {
            return Err(Error::invalid_param(
                n,
                "alpha",
                "must be > 0 when learning_rate is Optimal, which computes the step size from \
                 it; got 0",
            ));
        }
        Ok(())
    }

    fn settings(&self, max_iter: usize) -> Settings {
        Settings {
            penalty: self.penalty,
            alpha: self.alpha,
            l1_ratio: self.l1_ratio,
            max_iter,
            tol: self.tol,
            n_iter_no_change: self.n_iter_no_change,
            fit_intercept: self.fit_intercept,
            shuffle: self.shuffle,
            learning_rate: self.learning_rate,
            eta0: self.eta0,
            power_t: self.power_t,
            average: self.average,
        }
    }
}

/// `X` in row-major order (borrowed when it already is).
fn rows_of<'a>(x: ArrayView2<'a, f64>) -> CowArray<'a, f64, Ix2> {
    if x.is_standard_layout() {
        CowArray::from(x)
    } else {
        CowArray::from(x.as_standard_layout().into_owned())
    }
}

/// The row-major data of `x` as one slice.
fn as_rows<'b>(x: &'b CowArray<'_, f64, Ix2>) -> Result<&'b [f64]> {
    x.as_slice().ok_or_else(|| Error::InvalidValue {
        what: "X".into(),
        row: None,
        reason: "could not be laid out in row-major order".into(),
    })
}

/// The checks of every fit and partial fit on `x`, a target of `y_len` and the weights.
fn check_data(
    x: ArrayView2<'_, f64>,
    y_len: usize,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<()> {
    check::check_fit_xy(x, y_len, NanPolicy::Reject)?;
    check::check_sample_weight(sample_weight, x.nrows())
}

/// The sample weights as a vector, ones when not given.
fn weights_vec(sample_weight: Option<ArrayView1<'_, f64>>, n: usize) -> Vec<f64> {
    match sample_weight {
        Some(w) => w.to_vec(),
        None => vec![1.0; n],
    }
}

/// The coefficients the fitted model exposes: the averaged ones once averaging has run over
/// at least one update (scikit-learn's `average <= t_ - 1`), else the plain SGD iterate.
fn use_average(average: usize, t: f64) -> bool {
    average > 0 && average as f64 <= t - 1.0
}

/// The `with_*` setters both estimators share; the two defaults that differ are passed in
/// for the docs.
macro_rules! setters {
    ($ty:ident, $learning_rate:literal, $power_t:literal) => {
        impl $ty {
            /// Sets `penalty` (by default, [`Penalty::L2`]).
            #[must_use]
            pub fn with_penalty(mut self, penalty: Penalty) -> Self {
                self.penalty = penalty;
                self
            }

            /// Sets `alpha` (by default, `1e-4`).
            #[must_use]
            pub fn with_alpha(mut self, alpha: f64) -> Self {
                self.alpha = alpha;
                self
            }

            /// Sets `l1_ratio` (by default, `0.15`).
            #[must_use]
            pub fn with_l1_ratio(mut self, l1_ratio: f64) -> Self {
                self.l1_ratio = l1_ratio;
                self
            }

            /// Sets `fit_intercept` (by default, `true`).
            #[must_use]
            pub fn with_fit_intercept(mut self, fit_intercept: bool) -> Self {
                self.fit_intercept = fit_intercept;
                self
            }

            /// Sets `max_iter` (by default, `1000`).
            #[must_use]
            pub fn with_max_iter(mut self, max_iter: usize) -> Self {
                self.max_iter = max_iter;
                self
            }

            /// Sets `tol` (by default, `Some(1e-3)`); `None` runs every epoch.
            #[must_use]
            pub fn with_tol(mut self, tol: Option<f64>) -> Self {
                self.tol = tol;
                self
            }

            /// Sets `n_iter_no_change` (by default, `5`).
            #[must_use]
            pub fn with_n_iter_no_change(mut self, n_iter_no_change: usize) -> Self {
                self.n_iter_no_change = n_iter_no_change;
                self
            }

            /// Sets `shuffle` (by default, `true`).
            #[must_use]
            pub fn with_shuffle(mut self, shuffle: bool) -> Self {
                self.shuffle = shuffle;
                self
            }

            /// Sets `seed` (by default, [`kiln_core::random::DEFAULT_SEED`]).
            #[must_use]
            pub fn with_seed(mut self, seed: u64) -> Self {
                self.seed = seed;
                self
            }

            /// Sets `epsilon` (by default, `0.1`).
            #[must_use]
            pub fn with_epsilon(mut self, epsilon: f64) -> Self {
                self.epsilon = epsilon;
                self
            }

            #[doc = concat!("Sets `learning_rate` (by default, [`LearningRate::", $learning_rate, "`]).")]
            #[must_use]
            pub fn with_learning_rate(mut self, learning_rate: LearningRate) -> Self {
                self.learning_rate = learning_rate;
                self
            }

            /// Sets `eta0` (by default, `0.01`).
            #[must_use]
            pub fn with_eta0(mut self, eta0: f64) -> Self {
                self.eta0 = eta0;
                self
            }

            #[doc = concat!("Sets `power_t` (by default, `", $power_t, "`).")]
            #[must_use]
            pub fn with_power_t(mut self, power_t: f64) -> Self {
                self.power_t = power_t;
                self
            }

            /// Sets `average` (by default, `0`: off; `1` averages from the first update).
            #[must_use]
            pub fn with_average(mut self, average: usize) -> Self {
                self.average = average;
                self
            }
        }
    };
}
use setters;
