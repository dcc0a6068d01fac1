//! [`Lasso`] and [`ElasticNet`]: least squares with an L1 (and L2) penalty, fitted by
//! coordinate descent with a duality-gap stopping rule, as scikit-learn's estimators of the
//! same names.
//!
//! Both minimize
//!
//! ```text
//! 1/(2·Σw) · Σ wᵢ (yᵢ − b − xᵢβ)²  +  alpha · l1_ratio · ‖β‖₁  +  ½ · alpha · (1 − l1_ratio) · ‖β‖²
//! ```
//!
//! (`l1_ratio = 1` for the lasso; `wᵢ = 1` without sample weights). [`ElasticNet::path`] and
//! [`Lasso::path`] fit a whole regularization path with warm starts, over a given list of
//! alphas or scikit-learn's default grid ([`Alphas`]).
//!
//! # How it runs
//! The data are centred (when fitting an intercept) and weighted once. When there are many
//! more samples than features the solver works on the Gram matrix `XᵀX`, built in one blocked
//! pass over the rows (in parallel over fixed chunks, added in a fixed order), after which a
//! coordinate step costs O(n_features); otherwise it keeps the residual over a column-major
//! copy of `X`, at O(n_samples) per step. [`Precompute`] overrides the choice. Either way the
//! result is the same optimum, and it does not depend on the number of threads.

use crate::common::{check_at_least_one, check_non_negative, check_unit_interval};
use kiln_core::check::{self, NanPolicy};
use kiln_core::{Error, Result};
use ndarray::{Array1, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

mod fitted;
mod kernels;
mod params;
mod path;
mod prepare;
mod solver;

pub use fitted::{FittedElasticNet, FittedLasso};
pub use params::{ElasticNet, Lasso};
pub use path::{Alphas, EnetPath};

use prepare::{Formulation, Prepared};
use solver::{Penalty, Settings};

/// The order in which coordinate descent visits the features in each sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Selection {
    /// Every feature in turn, in column order (scikit-learn's `"cyclic"`, the default).
    #[default]
    Cyclic,
    /// A feature drawn at random (with replacement) at each step, from the estimator's seed
    /// (scikit-learn's `"random"`). Often converges faster when `tol` is above 1e-4.
    Random,
}

/// Whether to precompute the Gram matrix `XᵀX` (scikit-learn's `precompute`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Precompute {
    /// Use the Gram matrix when there are at least twice as many samples as features and at
    /// most 256 features (1024 for a path, which runs many more sweeps), else the residual.
    /// The default. (scikit-learn's default is `False`; both reach the same optimum.)
    #[default]
    Auto,
    /// Always build the Gram matrix: O(n·p²) once, then O(p) per coordinate step.
    Always,
    /// Never build it: O(n) per coordinate step on a column-major copy of `X`.
    Never,
}

impl Precompute {
    fn formulation(self, n_samples: usize, n_features: usize, for_path: bool) -> Formulation {
        let max_features = if for_path { 1024 } else { 256 };
        match self {
            Precompute::Always => Formulation::Gram,
            Precompute::Never => Formulation::Columns,
            Precompute::Auto if n_samples >= 2 * n_features && n_features <= max_features => {
                Formulation::Gram
            }
            Precompute::Auto => Formulation::Columns,
        }
    }
}

/// Every setting of one coordinate-descent fit, shared by [`Lasso`] and [`ElasticNet`].
#[derive(Debug, Clone, Copy)]
struct Config {
    name: &'static str,
    alpha: f64,
    l1_ratio: f64,
    fit_intercept: bool,
    max_iter: usize,
    tol: f64,
    positive: bool,
    selection: Selection,
    seed: u64,
    precompute: Precompute,
}

impl Config {
    /// scikit-learn's parameter constraints, checked in the order of its signature.
    fn validate(&self) -> Result<()> {
        let n = self.name;
        check_non_negative(n, "alpha", self.alpha)?;
        check_unit_interval(n, "l1_ratio", self.l1_ratio)?;
        check_at_least_one(n, "max_iter", self.max_iter)?;
        check_non_negative(n, "tol", self.tol)
    }

    fn penalty(&self, alpha: f64, n_samples: usize) -> Penalty {
        let n = n_samples as f64;
        Penalty {
            l1: alpha * self.l1_ratio * n,
            l2: alpha * (1.0 - self.l1_ratio) * n,
            positive: self.positive,
        }
    }

    fn settings(&self) -> Settings {
        Settings {
            max_iter: self.max_iter,
            tol: self.tol,
            random: self.selection == Selection::Random,
        }
    }
}

/// What one fit learned, before it is wrapped in its fitted type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Solution {
    coef: Array1<f64>,
    intercept: f64,
    n_iter: usize,
    dual_gap: f64,
    converged: bool,
}

/// The checks of every fit and path, in the order of the kiln contract: parameters were
/// validated by the caller; here the data, then the weights, then the starting coefficients.
fn check_inputs(
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, f64>,
    sample_weight: Option<ArrayView1<'_, f64>>,
    init: Option<ArrayView1<'_, f64>>,
) -> Result<()> {
    check::check_fit_xy(x, y.len(), NanPolicy::Reject)?;
    check::check_finite_1d(y, "y")?;
    check::check_sample_weight(sample_weight, x.nrows())?;
    // Coordinate descent sums squares of X and y: past f64's range it would stop at a wrong
    // but finite answer (found by probing: y of 1e307 gave all-zero coefficients).
    check::check_squares_fit_2d(x, "X")?;
    check::check_squares_fit(y, "y")?;
    if let Some(init) = init {
        check::check_same_len(
            "length of the starting coefficients against columns of X",
            x.ncols(),
            init.len(),
        )?;
        check::check_finite_1d(init, "starting coefficients")?;
    }
    Ok(())
}

/// Prepares the data in the formulation `cfg.precompute` picks.
fn prepare_for(
    cfg: &Config,
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, f64>,
    sample_weight: Option<ArrayView1<'_, f64>>,
    for_path: bool,
) -> Prepared {
    let (n, p) = x.dim();
    let weights = prepare::normalized_weights(sample_weight, n);
    let formulation = cfg.precompute.formulation(n, p, for_path);
    prepare::prepare(x, y, weights.as_deref(), cfg.fit_intercept, formulation)
}

/// Solves at one alpha from `coef` (updated in place) and packages the result.
fn solve_at(
    cfg: &Config,
    prep: &Prepared,
    alpha: f64,
    coef: &mut [f64],
    rng: &mut kiln_core::random::KilnRng,
) -> Result<Solution> {
    let out = solver::solve(
        prep,
        cfg.penalty(alpha, prep.n_samples),
        cfg.settings(),
        coef,
        rng,
    );
    let intercept = if cfg.fit_intercept {
        prep.y_offset - kernels::dot(&prep.x_offset, coef)
    } else {
        0.0
    };
    if !intercept.is_finite() || coef.iter().any(|c| !c.is_finite()) {
        return Err(Error::InvalidValue {
            what: "X".into(),
            row: None,
            reason: format!(
                "{}: coordinate descent produced non-finite coefficients; the data may hold \
                 values too large to square in f64 and need rescaling",
                cfg.name
            ),
        });
    }
    Ok(Solution {
        coef: Array1::from(coef.to_vec()),
        intercept,
        n_iter: out.n_iter,
        dual_gap: out.gap / prep.n_samples as f64,
        converged: out.converged,
    })
}

/// One fit at `cfg.alpha`, optionally warm-started from `init`.
fn fit_config(
    cfg: &Config,
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, f64>,
    sample_weight: Option<ArrayView1<'_, f64>>,
    init: Option<ArrayView1<'_, f64>>,
) -> Result<Solution> {
    cfg.validate()?;
    check_inputs(x, y, sample_weight, init)?;
    let prep = prepare_for(cfg, x, y, sample_weight, false);
    let mut coef = match init {
        Some(c) => c.to_vec(),
        None => vec![0.0; x.ncols()],
    };
    let mut rng = kiln_core::random::rng_from_seed(cfg.seed);
    solve_at(cfg, &prep, cfg.alpha, &mut coef, &mut rng)
}
