//! [`CorrelationRemover`] (pre-processing): removes the linear correlation of the features
//! with the sensitive columns, as fairlearn 0.15's `CorrelationRemover`.
//!
//! ```
//! use kiln_core::{FitUnsupervised, Transform};
//! use kiln_fairness::mitigate::correlation::CorrelationRemover;
//! use ndarray::array;
//!
//! // Column 1 is a one-hot sensitive column; column 0 is correlated with it.
//! let x = array![[1.0, 0.0], [2.0, 0.0], [5.0, 1.0], [6.0, 1.0]];
//! let remover = CorrelationRemover::default().with_sensitive_feature_ids(vec![1]).fit(x.view())?;
//! let z = remover.transform(x.view())?;
//! assert_eq!(z.dim(), (4, 1)); // the sensitive column is dropped
//! // What is left of column 0 no longer differs between the two groups on average.
//! assert!(((z[[0, 0]] + z[[1, 0]]) - (z[[2, 0]] + z[[3, 0]])).abs() < 1e-12);
//! # Ok::<(), kiln_core::Error>(())
//! ```

use kiln_core::check::{self, NanPolicy};
use kiln_core::persist::{FeatureSchema, Persist};
use kiln_core::{Error, FitTransform, FitUnsupervised, Fitted, Params, Result, Transform};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

/// Filters the sensitive columns' linear information out of the other features.
///
/// With `S` the sensitive columns of `X` (e.g. one-hot group indicators), `S̄` their means and
/// `Z` the other columns, fit solves the least-squares problem
/// `min_W ‖Z − (S − 1·S̄ᵀ) W‖²` (minimum-norm solution, as `numpy.linalg.lstsq`), and
/// transform returns `α (Z − (S − 1·S̄ᵀ) W) + (1 − α) Z`, dropping the sensitive columns.
///
/// # Parameters
/// - `sensitive_feature_ids` (default empty): the columns of `X` that are sensitive.
/// - `alpha` (default `1.0`): how much to filter, in `[0, 1]`; 1 removes all linear
///   correlation, 0 leaves `Z` unchanged.
///
/// # Fitted attributes
/// [`FittedCorrelationRemover::sensitive_mean`] (`sensitive_mean_`),
/// [`FittedCorrelationRemover::beta`] (`beta_`, sensitive × other columns).
///
/// # Errors
/// `fit` rejects `alpha` outside `[0, 1]`, repeated ids, an id outside `X`'s columns, empty or
/// non-finite `X`, and sample weights ([`Error::Unsupported`]: fairlearn defines none).
///
/// # Notes
/// - Output columns are the non-sensitive columns in their input order, as fairlearn.
/// - One-hot columns of every level sum to 1, so their centred matrix is rank-deficient; the
///   minimum-norm solution is computed through a one-sided Jacobi SVD with numpy's cut-off
///   (`rcond = ε · max(n, m)`), so `beta` matches fairlearn's, and the transform does not depend
///   on the choice of solution anyway.
/// - Uncorrelated does not mean independent: this suits linear models best.
///
/// # References
/// fairlearn 0.15 `fairlearn.preprocessing.CorrelationRemover`.
///
/// # Example
/// See the [module documentation](self).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CorrelationRemover {
    /// The sensitive columns of `X`. By default, none.
    pub sensitive_feature_ids: Vec<usize>,
    /// How much to filter, in `[0, 1]`. By default, `1.0`.
    pub alpha: f64,
}

impl Default for CorrelationRemover {
    fn default() -> Self {
        Self {
            sensitive_feature_ids: Vec::new(),
            alpha: 1.0,
        }
    }
}

impl CorrelationRemover {
    /// Sets the sensitive columns (by default, none).
    #[must_use]
    pub fn with_sensitive_feature_ids(mut self, ids: Vec<usize>) -> Self {
        self.sensitive_feature_ids = ids;
        self
    }

    /// Sets `alpha` (by default, `1.0`).
    #[must_use]
    pub fn with_alpha(mut self, alpha: f64) -> Self {
        self.alpha = alpha;
        self
    }
}

impl Params for CorrelationRemover {
    const NAME: &'static str = "CorrelationRemover";

    fn validate(&self) -> Result<()> {
        let a = self.alpha;
        check::check_param(
            Self::NAME,
            "alpha",
            a,
            (0.0..=1.0).contains(&a),
            "a float in the range [0, 1]",
        )?;
        let ids = &self.sensitive_feature_ids;
        for (k, id) in ids.iter().enumerate() {
            if ids[..k].contains(id) {
                return Err(Error::invalid_param(
                    Self::NAME,
                    "sensitive_feature_ids",
                    format!("must not repeat a column; column {id} is listed twice"),
                ));
            }
        }
        Ok(())
    }
}

impl FitUnsupervised for CorrelationRemover {
    type Fitted = FittedCorrelationRemover;

    fn fit_weighted(
        &self,
        x: ArrayView2<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedCorrelationRemover> {
        self.validate()?;
        if sample_weight.is_some() {
            return Err(Error::Unsupported {
                estimator: Self::NAME.into(),
                what: "sample weights".into(),
            });
        }
        check::check_x(x, NanPolicy::Reject)?;
        let d = x.ncols();
        if let Some(&bad) = self.sensitive_feature_ids.iter().find(|&&i| i >= d) {
            return Err(Error::invalid_param(
                Self::NAME,
                "sensitive_feature_ids",
                format!("must name columns of X; column {bad} does not exist (X has {d} columns)"),
            ));
        }
        let (other, sensitive) = split_columns(d, &self.sensitive_feature_ids);
        let n = x.nrows();
        let sensitive_mean =
            Array1::from_iter(sensitive.iter().map(|&j| x.column(j).sum() / n as f64));
        // Centred sensitive columns and the other columns, each column contiguous.
        let mut a: Vec<Vec<f64>> = sensitive
            .iter()
            .zip(&sensitive_mean)
            .map(|(&j, &m)| x.column(j).iter().map(|v| v - m).collect())
            .collect();
        let z: Vec<Vec<f64>> = other.iter().map(|&j| x.column(j).to_vec()).collect();
        let beta = min_norm_lstsq(&mut a, &z, n);
        Ok(FittedCorrelationRemover {
            params: self.clone(),
            n_features: d,
            other,
            sensitive,
            sensitive_mean,
            beta,
        })
    }
}

impl FitTransform for CorrelationRemover {}

/// The non-sensitive and the sensitive column indices, each in input order.
fn split_columns(d: usize, ids: &[usize]) -> (Vec<usize>, Vec<usize>) {
    let other = (0..d).filter(|j| !ids.contains(j)).collect();
    (other, ids.to_vec())
}

/// The minimum-norm solution `W` (a.len() × z.len()) of `min ‖Z − A W‖²`, where `a` and `z`
/// hold the columns of `A` and `Z` (each of length `n`). `a` is overwritten.
///
/// One-sided Jacobi (Hestenes 1958): rotate pairs of columns of `A` until all are orthogonal,
/// so `A V = B` with orthogonal columns `b_k = σ_k u_k`; then `W = Σ_k v_k (b_kᵀ Z) / σ_k²`
/// over the singular values above numpy's `lstsq` cut-off `ε · max(n, m) · σ_max`. Working on
/// `A` itself (not `AᵀA`) keeps the zero singular values of one-hot columns near ε·‖A‖, well
/// below the cut-off.
fn min_norm_lstsq(a: &mut [Vec<f64>], z: &[Vec<f64>], n: usize) -> Array2<f64> {
    let m = a.len();
    let mut v = Array2::<f64>::eye(m);
    let dot = |p: &[f64], q: &[f64]| p.iter().zip(q).map(|(x, y)| x * y).sum::<f64>();
    for _sweep in 0..100 {
        let mut rotated = false;
        for p in 0..m {
            for q in p + 1..m {
                let alpha = dot(&a[p], &a[p]);
                let beta = dot(&a[q], &a[q]);
                let gamma = dot(&a[p], &a[q]);
                if gamma == 0.0 || gamma.abs() <= f64::EPSILON * (alpha * beta).sqrt() {
                    continue;
                }
                rotated = true;
                let zeta = (beta - alpha) / (2.0 * gamma);
                let t = zeta.signum() / (zeta.abs() + (1.0 + zeta * zeta).sqrt());
                let c = 1.0 / (1.0 + t * t).sqrt();
                let s = c * t;
                let (lo, hi) = a.split_at_mut(q);
                for (xp, xq) in lo[p].iter_mut().zip(hi[0].iter_mut()) {
                    let (bp, bq) = (*xp, *xq);
                    *xp = c * bp - s * bq;
                    *xq = s * bp + c * bq;
                }
                for r in 0..m {
                    let (vp, vq) = (v[[r, p]], v[[r, q]]);
                    v[[r, p]] = c * vp - s * vq;
                    v[[r, q]] = s * vp + c * vq;
                }
            }
        }
        if !rotated {
            break;
        }
    }
    let sigma: Vec<f64> = a.iter().map(|b| dot(b, b).sqrt()).collect();
    let sigma_max = sigma.iter().copied().fold(0.0, f64::max);
    let cutoff = f64::EPSILON * n.max(m) as f64 * sigma_max;
    let mut w = Array2::<f64>::zeros((m, z.len()));
    for (k, b) in a.iter().enumerate() {
        if sigma[k] <= cutoff || sigma[k] == 0.0 {
            continue;
        }
        let s2 = sigma[k] * sigma[k];
        for (j, zj) in z.iter().enumerate() {
            let coef = dot(b, zj) / s2;
            for r in 0..m {
                w[[r, j]] += v[[r, k]] * coef;
            }
        }
    }
    w
}

/// A fitted [`CorrelationRemover`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedCorrelationRemover {
    params: CorrelationRemover,
    n_features: usize,
    other: Vec<usize>,
    sensitive: Vec<usize>,
    sensitive_mean: Array1<f64>,
    beta: Array2<f64>,
}

impl FittedCorrelationRemover {
    /// The params it was fitted with.
    pub fn params(&self) -> &CorrelationRemover {
        &self.params
    }

    /// The mean of each sensitive column at fit (fairlearn's `sensitive_mean_`).
    pub fn sensitive_mean(&self) -> &Array1<f64> {
        &self.sensitive_mean
    }

    /// The least-squares coefficients, sensitive columns × other columns (`beta_`).
    pub fn beta(&self) -> &Array2<f64> {
        &self.beta
    }

    /// The input columns kept in the output, in output order.
    pub fn output_columns(&self) -> &[usize] {
        &self.other
    }
}

impl Fitted for FittedCorrelationRemover {
    fn n_features_in(&self) -> usize {
        self.n_features
    }
}

impl Transform for FittedCorrelationRemover {
    fn transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        check::check_predict_x(
            CorrelationRemover::NAME,
            self.n_features,
            x,
            NanPolicy::Reject,
        )?;
        let alpha = self.params.alpha;
        let mut out = Array2::<f64>::zeros((x.nrows(), self.other.len()));
        let mut centred = vec![0.0; self.sensitive.len()];
        for (row, mut o) in x.outer_iter().zip(out.outer_iter_mut()) {
            for ((c, &j), &m) in centred
                .iter_mut()
                .zip(&self.sensitive)
                .zip(&self.sensitive_mean)
            {
                *c = row[j] - m;
            }
            for (k, (&j, o)) in self.other.iter().zip(o.iter_mut()).enumerate() {
                let proj: f64 = centred
                    .iter()
                    .zip(self.beta.column(k))
                    .map(|(c, b)| c * b)
                    .sum();
                let filtered = row[j] - proj;
                *o = alpha * filtered + (1.0 - alpha) * row[j];
            }
        }
        Ok(out)
    }
}

impl Persist for FittedCorrelationRemover {
    const KIND: &'static str = "kiln_fairness::CorrelationRemover";
    type Params = CorrelationRemover;

    fn params(&self) -> &CorrelationRemover {
        &self.params
    }

    fn feature_schema(&self) -> FeatureSchema {
        FeatureSchema::new(self.n_features)
    }
}
