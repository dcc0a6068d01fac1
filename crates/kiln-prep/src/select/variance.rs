//! [`VarianceThreshold`]: drop features whose variance is too low.

use kiln_core::check::{self, NanPolicy};
use kiln_core::persist::{FeatureSchema, Persist};
use kiln_core::{
    Error, FitTransform, FitUnsupervised, Fitted, InverseTransform, Params, Result, Transform,
};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::Selection;
use crate::scale::{colstats, no_weights};

/// Keeps the features whose variance is strictly above `threshold` (scikit-learn's
/// `VarianceThreshold`); by default it removes constant features.
///
/// # Parameters
/// - `threshold` (default `0.0`): a finite, non-negative variance.
///
/// # Fitted attributes
/// [`FittedVarianceThreshold::variances`], [`FittedVarianceThreshold::support`] and
/// [`FittedVarianceThreshold::selected`].
///
/// # Notes
/// - Variances are population variances over the non-missing values (NumPy's `nanvar`);
///   missing values are accepted at fit and transform.
/// - With `threshold = 0`, scikit-learn records `min(variance, max − min)` so that a constant
///   feature gets exactly 0 despite rounding; kiln does the same, so `variances()` can be the
///   peak-to-peak range for features whose range is below their variance.
/// - Fitting fails when no feature passes (as scikit-learn), with a note when `X` has a single
///   row. Sample weights are not defined ([`Error::Unsupported`]).
///
/// # Example
/// ```
/// use kiln_core::{FitUnsupervised, Transform};
/// use kiln_prep::select::VarianceThreshold;
/// use ndarray::array;
///
/// let x = array![[0.0, 2.0, 1.0], [0.0, 1.0, 1.0], [0.0, 3.0, 1.0]];
/// let selector = VarianceThreshold::default().fit(x.view())?;
/// assert_eq!(selector.support(), &[false, true, false]);
/// assert_eq!(selector.transform(x.view())?, array![[2.0], [1.0], [3.0]]);
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct VarianceThreshold {
    /// Features with a variance at or below this are removed. By default, `0.0`.
    pub threshold: f64,
}

impl VarianceThreshold {
    /// Sets `threshold` (by default, `0.0`).
    #[must_use]
    pub fn with_threshold(mut self, threshold: f64) -> Self {
        self.threshold = threshold;
        self
    }
}

impl Params for VarianceThreshold {
    const NAME: &'static str = "VarianceThreshold";

    fn validate(&self) -> Result<()> {
        check::check_param(
            Self::NAME,
            "threshold",
            self.threshold,
            self.threshold.is_finite() && self.threshold >= 0.0,
            "a float in the range [0, inf)",
        )
    }
}

impl FitUnsupervised for VarianceThreshold {
    type Fitted = FittedVarianceThreshold;

    fn fit_weighted(
        &self,
        x: ArrayView2<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedVarianceThreshold> {
        self.validate()?;
        no_weights(Self::NAME, sample_weight)?;
        check::check_x(x, NanPolicy::AllowMissing)?;
        let stats = colstats::mean_var(x, None);
        let n = x.nrows() as f64;
        let mut variances = Array1::from(stats.var);
        if self.threshold == 0.0 {
            for ((v, (lo, hi)), &count) in variances
                .iter_mut()
                .zip(colstats::min_max(x))
                .zip(&stats.count)
            {
                // NumPy's `ptp` is NaN for a column holding NaN; `nanmin` then ignores it.
                let ptp = if count < n { f64::NAN } else { hi - lo };
                *v = v.min(ptp);
            }
        }
        let support: Vec<bool> = variances.iter().map(|&v| v > self.threshold).collect();
        if !support.iter().any(|&s| s) {
            let note = if x.nrows() == 1 {
                " (X contains only one sample)"
            } else {
                ""
            };
            return Err(Error::InvalidValue {
                what: "X".into(),
                row: None,
                reason: format!(
                    "no feature meets the variance threshold {}{note}",
                    self.threshold
                ),
            });
        }
        Ok(FittedVarianceThreshold {
            params: *self,
            selection: Selection::new(variances, Array1::zeros(0), support),
        })
    }
}

impl FitTransform for VarianceThreshold {}

/// A fitted [`VarianceThreshold`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedVarianceThreshold {
    params: VarianceThreshold,
    /// `scores` holds the variances; there are no p-values.
    selection: Selection,
}

impl FittedVarianceThreshold {
    /// The params it was fitted with.
    pub fn params(&self) -> &VarianceThreshold {
        &self.params
    }

    /// The variance of each feature (`variances_`; see the notes on `threshold = 0`).
    pub fn variances(&self) -> &Array1<f64> {
        &self.selection.scores
    }

    /// Whether each input feature is kept (`get_support()`).
    pub fn support(&self) -> &[bool] {
        &self.selection.support
    }

    /// The indices of the kept features, ascending.
    pub fn selected(&self) -> &[usize] {
        &self.selection.selected
    }
}

impl Fitted for FittedVarianceThreshold {
    fn n_features_in(&self) -> usize {
        self.selection.support.len()
    }
}

impl Transform for FittedVarianceThreshold {
    fn transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        self.selection
            .transform(VarianceThreshold::NAME, x, NanPolicy::AllowMissing)
    }
}

impl InverseTransform for FittedVarianceThreshold {
    /// Puts the kept columns back in place with zeros in the removed ones (as scikit-learn).
    fn inverse_transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        self.selection
            .inverse_transform(VarianceThreshold::NAME, x, NanPolicy::AllowMissing)
    }
}

impl Persist for FittedVarianceThreshold {
    const KIND: &'static str = "kiln_prep::VarianceThreshold";
    type Params = VarianceThreshold;

    fn params(&self) -> &VarianceThreshold {
        &self.params
    }

    fn feature_schema(&self) -> FeatureSchema {
        FeatureSchema::new(self.selection.support.len())
    }
}
