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

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::svd;
use faer::{Mat, MatRef, Par};
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
///   minimum-norm solution is computed through a SVD (faer) with numpy's cut-off
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
        // Centred sensitive columns and the other columns.
        let a = Mat::from_fn(n, sensitive.len(), |i, k| {
            x[[i, sensitive[k]]] - sensitive_mean[k]
        });
        let z = Mat::from_fn(n, other.len(), |i, k| x[[i, other[k]]]);
        let beta = min_norm_lstsq(a.as_ref(), z.as_ref())?;
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

/// The minimum-norm solution `W` (columns of `A` × columns of `Z`) of `min ‖Z − A W‖²`, as
/// numpy's `lstsq`: from the thin SVD `A = U S Vᵀ` (faer, on one thread),
/// `W = Σ_k v_k (u_kᵀ Z) / σ_k` over the singular values above numpy's cut-off
/// `ε · max(n, m) · σ_max`, so the zero singular values of one-hot columns drop out.
fn min_norm_lstsq(a: MatRef<'_, f64>, z: MatRef<'_, f64>) -> Result<Array2<f64>> {
    let (n, m) = (a.nrows(), a.ncols());
    let k = n.min(m);
    let mut s = faer::diag::Diag::<f64>::zeros(k);
    let mut u = Mat::zeros(n, k);
    let mut v = Mat::zeros(m, k);
    let mut buf = MemBuffer::new(svd::svd_scratch::<f64>(
        n,
        m,
        svd::ComputeSvdVectors::Thin,
        svd::ComputeSvdVectors::Thin,
        Par::Seq,
        Default::default(),
    ));
    svd::svd(
        a,
        s.as_mut(),
        Some(u.as_mut()),
        Some(v.as_mut()),
        Par::Seq,
        MemStack::new(&mut buf),
        Default::default(),
    )
    .map_err(|e| Error::InvalidValue {
        what: "sensitive columns of X".into(),
        row: None,
        reason: format!("their SVD failed ({e:?}); the data may be too badly scaled"),
    })?;
    let sigma: Vec<f64> = s.column_vector().iter().copied().collect();
    let sigma_max = sigma.iter().copied().fold(0.0, f64::max);
    let cutoff = f64::EPSILON * n.max(m) as f64 * sigma_max;
    let utz = u.transpose() * z;
    let mut w = Array2::<f64>::zeros((m, z.ncols()));
    for (kk, &sk) in sigma.iter().enumerate() {
        if sk <= cutoff || sk == 0.0 {
            continue;
        }
        for j in 0..z.ncols() {
            let coef = utz[(kk, j)] / sk;
            for r in 0..m {
                w[[r, j]] += v[(r, kk)] * coef;
            }
        }
    }
    Ok(w)
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
