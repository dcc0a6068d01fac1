//! Regularization paths: [`Alphas`], [`EnetPath`] and the warm-started loop behind
//! `ElasticNet::path` and `Lasso::path`.

use kiln_core::{Error, Result};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

use super::prepare::Prepared;
use super::{Config, check_inputs, prepare_for, solve_at};

/// The alphas of a regularization path.
#[derive(Debug, Clone, PartialEq)]
pub enum Alphas {
    /// scikit-learn's default grid: `n_alphas` values spaced evenly on a log scale from
    /// `alpha_max` down to `alpha_max · eps`, where `alpha_max = max_j |X_cⱼᵀ W y_c| /
    /// (Σw · l1_ratio)` is the smallest alpha at which every coefficient is zero (under
    /// `positive`, the largest signed correlation, floored at 0). When `alpha_max` is below
    /// 1e-15 every alpha is 1e-15, as in scikit-learn.
    Grid {
        /// Number of alphas, `>= 1` (scikit-learn's default 100).
        n_alphas: usize,
        /// `alpha_min / alpha_max`, `> 0` (scikit-learn's default 1e-3).
        eps: f64,
    },
    /// The given alphas (each finite and `>= 0`), fitted from the largest to the smallest.
    Values(Vec<f64>),
}

impl Default for Alphas {
    /// `Grid { n_alphas: 100, eps: 1e-3 }`, scikit-learn's default.
    fn default() -> Self {
        Alphas::Grid {
            n_alphas: 100,
            eps: 1e-3,
        }
    }
}

/// The result of a regularization path: for each alpha, in decreasing order, the coefficients
/// and intercept it gives and how its solve ended.
///
/// Unlike scikit-learn's `enet_path`, which returns coefficients as `(n_features, n_alphas)`
/// and expects centred data, the coefficients here are one row per alpha and the intercepts
/// are fitted as `fit_intercept` says.
#[derive(Debug, Clone, PartialEq)]
pub struct EnetPath {
    alphas: Array1<f64>,
    coefs: Array2<f64>,
    intercepts: Array1<f64>,
    dual_gaps: Array1<f64>,
    n_iters: Vec<usize>,
    converged: Vec<bool>,
}

impl EnetPath {
    /// The alphas, largest first.
    pub fn alphas(&self) -> &Array1<f64> {
        &self.alphas
    }

    /// The coefficients, `n_alphas × n_features`: row `k` belongs to `alphas()[k]`.
    pub fn coefs(&self) -> &Array2<f64> {
        &self.coefs
    }

    /// The intercept at each alpha (all `0` without `fit_intercept`).
    pub fn intercepts(&self) -> &Array1<f64> {
        &self.intercepts
    }

    /// The final duality gap at each alpha, in the scale of the objective.
    pub fn dual_gaps(&self) -> &Array1<f64> {
        &self.dual_gaps
    }

    /// The sweeps run at each alpha.
    pub fn n_iters(&self) -> &[usize] {
        &self.n_iters
    }

    /// Whether each alpha's solve reached the tolerance.
    pub fn converged(&self) -> &[bool] {
        &self.converged
    }
}

/// Checks the grid description against scikit-learn's constraints.
fn validate(cfg: &Config, alphas: &Alphas) -> Result<()> {
    let name = cfg.name;
    match alphas {
        Alphas::Grid { n_alphas, eps } => {
            kiln_core::check::check_param(
                name,
                "n_alphas",
                n_alphas,
                *n_alphas >= 1,
                "an int in the range [1, inf)",
            )?;
            kiln_core::check::check_param(
                name,
                "eps",
                eps,
                *eps > 0.0 && eps.is_finite(),
                "a float in the range (0, inf)",
            )?;
            if cfg.l1_ratio == 0.0 {
                return Err(Error::invalid_param(
                    name,
                    "l1_ratio",
                    "must be > 0 to build the default alpha grid, which is defined by the L1 \
                     part; got 0 (give the alphas with `Alphas::Values`)",
                ));
            }
            Ok(())
        }
        Alphas::Values(values) => {
            if values.is_empty() {
                return Err(Error::invalid_param(
                    name,
                    "alphas",
                    "must hold at least one value; got an empty list",
                ));
            }
            match values.iter().position(|a| !(a.is_finite() && *a >= 0.0)) {
                Some(i) => Err(Error::invalid_param(
                    name,
                    "alphas",
                    format!(
                        "must hold floats in the range [0, inf); got {} at index {i}",
                        values[i]
                    ),
                )),
                None => Ok(()),
            }
        }
    }
}

/// scikit-learn's default grid on the prepared (centred, weighted) data.
fn default_grid(cfg: &Config, prep: &Prepared, n_alphas: usize, eps: f64) -> Vec<f64> {
    // The weights were rescaled to sum to n_samples, so Σw is n_samples here.
    let scale = prep.n_samples as f64 * cfg.l1_ratio;
    let top = if cfg.positive {
        prep.xty.iter().copied().fold(0.0_f64, f64::max)
    } else {
        prep.xty.iter().fold(0.0_f64, |m, v| m.max(v.abs()))
    };
    let alpha_max = top / scale;
    // numpy's float64 `resolution`, the floor scikit-learn uses.
    const RESOLUTION: f64 = 1e-15;
    if alpha_max <= RESOLUTION {
        return vec![RESOLUTION; n_alphas];
    }
    if n_alphas == 1 {
        return vec![alpha_max];
    }
    let last = (n_alphas - 1) as f64;
    (0..n_alphas)
        .map(|k| alpha_max * eps.powf(k as f64 / last))
        .collect()
}

/// Fits the path: validates, prepares the data once, then solves alpha by alpha from the
/// largest, each solve starting where the previous one ended.
pub(super) fn run(
    cfg: &Config,
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, f64>,
    sample_weight: Option<ArrayView1<'_, f64>>,
    alphas: &Alphas,
) -> Result<EnetPath> {
    cfg.validate()?;
    validate(cfg, alphas)?;
    check_inputs(x, y, sample_weight, None)?;
    let prep = prepare_for(cfg, x, y, sample_weight, true);
    let grid = match alphas {
        Alphas::Grid { n_alphas, eps } => default_grid(cfg, &prep, *n_alphas, *eps),
        Alphas::Values(values) => {
            let mut v = values.clone();
            v.sort_by(|a, b| b.total_cmp(a));
            v
        }
    };
    let p = x.ncols();
    let mut coefs = Array2::zeros((grid.len(), p));
    let mut intercepts = Array1::zeros(grid.len());
    let mut dual_gaps = Array1::zeros(grid.len());
    let mut n_iters = Vec::with_capacity(grid.len());
    let mut converged = Vec::with_capacity(grid.len());
    let mut coef = vec![0.0; p];
    // One generator for the whole path, as scikit-learn threads one random state through it.
    let mut rng = kiln_core::random::rng_from_seed(cfg.seed);
    for (k, &alpha) in grid.iter().enumerate() {
        let sol = solve_at(cfg, &prep, alpha, &mut coef, &mut rng)?;
        coefs.row_mut(k).assign(&sol.coef);
        intercepts[k] = sol.intercept;
        dual_gaps[k] = sol.dual_gap;
        n_iters.push(sol.n_iter);
        converged.push(sol.converged);
    }
    Ok(EnetPath {
        alphas: Array1::from(grid),
        coefs,
        intercepts,
        dual_gaps,
        n_iters,
        converged,
    })
}
