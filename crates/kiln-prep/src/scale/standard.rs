//! [`StandardScaler`]: remove the mean and divide by the standard deviation.

use kiln_core::check::{self, NanPolicy};
use kiln_core::persist::{FeatureSchema, Persist};
use kiln_core::{
    FitTransform, FitUnsupervised, Fitted, InverseTransform, Params, Result, Transform,
};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::colstats;

/// Standardizes features: `z = (x − mean) / std`, as scikit-learn's `StandardScaler`.
///
/// # Parameters
/// - `with_mean` (default `true`): subtract the mean.
/// - `with_std` (default `true`): divide by the standard deviation (population, `ddof = 0`).
///
/// # Fitted attributes
/// [`FittedStandardScaler::mean`], [`FittedStandardScaler::var`],
/// [`FittedStandardScaler::scale`] and [`FittedStandardScaler::n_samples_seen`].
///
/// # Notes
/// - NaN is ignored at fit (each feature's statistics use its non-missing values) and kept
///   at transform. A feature with no value at all gets NaN statistics and transforms to NaN.
/// - A feature that is constant, or whose variance is within the rounding error of the
///   two-pass algorithm (scikit-learn's `_is_constant_feature` bound), gets scale 1.
/// - Sample weights are supported: a weight of 2 counts a row twice.
/// - The variance is computed with the corrected two-pass algorithm, as scikit-learn does on
///   a first fit, and matches it to rounding.
///
/// # Errors
/// `fit` rejects empty input and infinite values ([`kiln_core::Error::NonFinite`] with the
/// position) and invalid sample weights.
///
/// # Example
/// ```
/// use kiln_core::{FitUnsupervised, Transform};
/// use kiln_prep::scale::StandardScaler;
/// use ndarray::array;
///
/// let x = array![[0.0, 7.0], [2.0, 7.0]];
/// let scaler = StandardScaler::default().fit(x.view())?;
/// // The constant second feature keeps scale 1.
/// assert_eq!(scaler.scale().map(|s| s.to_vec()), Some(vec![1.0, 1.0]));
/// assert_eq!(scaler.transform(x.view())?, array![[-1.0, 0.0], [1.0, 0.0]]);
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StandardScaler {
    /// Subtract the mean. By default, `true`.
    pub with_mean: bool,
    /// Divide by the standard deviation. By default, `true`.
    pub with_std: bool,
}

impl Default for StandardScaler {
    fn default() -> Self {
        Self {
            with_mean: true,
            with_std: true,
        }
    }
}

impl StandardScaler {
    /// Sets `with_mean` (by default, `true`).
    #[must_use]
    pub fn with_mean(mut self, with_mean: bool) -> Self {
        self.with_mean = with_mean;
        self
    }

    /// Sets `with_std` (by default, `true`).
    #[must_use]
    pub fn with_std(mut self, with_std: bool) -> Self {
        self.with_std = with_std;
        self
    }
}

impl Params for StandardScaler {
    const NAME: &'static str = "StandardScaler";

    /// Both parameters are booleans, so every value is valid.
    fn validate(&self) -> Result<()> {
        Ok(())
    }
}

impl FitUnsupervised for StandardScaler {
    type Fitted = FittedStandardScaler;

    fn fit_weighted(
        &self,
        x: ArrayView2<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedStandardScaler> {
        self.validate()?;
        check::check_non_empty(x, "X")?;
        check::check_sample_weight(sample_weight, x.nrows())?;
        let stats = colstats::mean_var(x, sample_weight);
        // An infinite value makes its column's mean or variance infinite or NaN, so the full
        // finiteness check (one more pass over `x`, with the row and column of the first bad
        // value) runs only when a statistic is not finite.
        let suspect = stats
            .count
            .iter()
            .zip(stats.mean.iter().zip(&stats.var))
            .any(|(&c, (m, v))| c > 0.0 && !(m.is_finite() && v.is_finite()));
        if suspect {
            check::check_x(x, NanPolicy::AllowMissing)?;
            // Every value is finite, so a sum overflowed: values near f64's range (found by
            // probing: 1e308 gave an infinite mean and NaN output, as in scikit-learn).
            if let Some(j) = (0..stats.mean.len()).find(|&j| {
                stats.count[j] > 0.0 && !(stats.mean[j].is_finite() && stats.var[j].is_finite())
            }) {
                return Err(kiln_core::Error::InvalidValue {
                    what: format!("column {j} of X"),
                    row: None,
                    reason: "its values are too large: their mean or variance overflows f64; \
                             rescale it (e.g. divide by a constant)"
                        .into(),
                });
            }
        }
        let n_samples_seen = Array1::from(stats.count);
        let mean = Array1::from(stats.mean);
        let var = Array1::from(stats.var);
        let scale = Array1::from_shape_fn(var.len(), |j| {
            // scikit-learn's `_is_constant_feature`: the variance is below the error bound of
            // the two-pass algorithm, so the feature is indistinguishable from a constant.
            let (n, v, m) = (n_samples_seen[j], var[j], mean[j]);
            let eps = f64::EPSILON;
            let bound = n * eps * v + (n * m * eps).powi(2);
            if v <= bound { 1.0 } else { v.sqrt() }
        });
        let both_off = !self.with_mean && !self.with_std;
        Ok(FittedStandardScaler {
            params: *self,
            n_features: x.ncols(),
            mean: (!both_off).then_some(mean),
            var: self.with_std.then_some(var),
            scale: self.with_std.then_some(scale),
            n_samples_seen,
        })
    }
}

impl FitTransform for StandardScaler {
    /// Fits on `x` and returns it scaled: one statistics pass and one output pass, since `x`
    /// was checked by the fit (transforming a new matrix checks it again).
    fn fit_transform(&self, x: ArrayView2<'_, f64>) -> Result<(FittedStandardScaler, Array2<f64>)> {
        let fitted = self.fit(x)?;
        let out = fitted.scale_unchecked(x)?;
        Ok((fitted, out))
    }
}

/// A fitted [`StandardScaler`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedStandardScaler {
    params: StandardScaler,
    n_features: usize,
    mean: Option<Array1<f64>>,
    var: Option<Array1<f64>>,
    scale: Option<Array1<f64>>,
    n_samples_seen: Array1<f64>,
}

impl FittedStandardScaler {
    /// The params it was fitted with.
    pub fn params(&self) -> &StandardScaler {
        &self.params
    }

    /// The (weighted) mean of each feature over its non-missing values (scikit-learn's
    /// `mean_`). `None` only when both `with_mean` and `with_std` are off, as in scikit-learn;
    /// with `with_mean = false` it is computed but not subtracted.
    pub fn mean(&self) -> Option<&Array1<f64>> {
        self.mean.as_ref()
    }

    /// The (weighted, population) variance of each feature (`var_`); `None` when `with_std`
    /// is off.
    pub fn var(&self) -> Option<&Array1<f64>> {
        self.var.as_ref()
    }

    /// The divisor of each feature (`scale_`): the standard deviation, or 1 for a
    /// (numerically) constant feature; `None` when `with_std` is off.
    pub fn scale(&self) -> Option<&Array1<f64>> {
        self.scale.as_ref()
    }

    /// The number (total weight) of non-missing values seen per feature
    /// (`n_samples_seen_`, always per feature here).
    pub fn n_samples_seen(&self) -> &Array1<f64> {
        &self.n_samples_seen
    }

    fn offsets(&self) -> (Option<&Array1<f64>>, Option<&Array1<f64>>) {
        let centre = if self.params.with_mean {
            self.mean.as_ref()
        } else {
            None
        };
        (centre, self.scale.as_ref())
    }
}

impl Fitted for FittedStandardScaler {
    fn n_features_in(&self) -> usize {
        self.n_features
    }
}

impl Transform for FittedStandardScaler {
    fn transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        check::check_predict_x(
            StandardScaler::NAME,
            self.n_features,
            x,
            NanPolicy::AllowMissing,
        )?;
        self.scale_unchecked(x)
    }
}

impl FittedStandardScaler {
    /// `(x − mean) / scale` of every row, without checking `x` (the caller has).
    fn scale_unchecked(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let (centre, scale) = self.offsets();
        // One pass per row, each case its own loop so each compiles to plain vector code.
        fn slice(a: Option<&Array1<f64>>) -> Result<Option<&[f64]>> {
            a.map(|a| {
                a.as_slice().ok_or_else(|| kiln_core::Error::InvalidValue {
                    what: "fitted scaler".into(),
                    row: None,
                    reason: "its statistics are not contiguous".into(),
                })
            })
            .transpose()
        }
        match (slice(centre)?, slice(scale)?) {
            (Some(m), Some(s)) => colstats::map_rows(x, self.n_features, |row, out| {
                for ((o, &v), (&m, &s)) in out.iter_mut().zip(row).zip(m.iter().zip(s.iter())) {
                    *o = (v - m) / s;
                }
            }),
            (Some(m), None) => colstats::map_rows(x, self.n_features, |row, out| {
                for ((o, &v), &m) in out.iter_mut().zip(row).zip(m) {
                    *o = v - m;
                }
            }),
            (None, Some(s)) => colstats::map_rows(x, self.n_features, |row, out| {
                for ((o, &v), &s) in out.iter_mut().zip(row).zip(s) {
                    *o = v / s;
                }
            }),
            (None, None) => {
                colstats::map_rows(x, self.n_features, |row, out| out.copy_from_slice(row))
            }
        }
    }
}

impl InverseTransform for FittedStandardScaler {
    fn inverse_transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        check::check_predict_x(
            StandardScaler::NAME,
            self.n_features,
            x,
            NanPolicy::AllowMissing,
        )?;
        let (centre, scale) = self.offsets();
        colstats::map_rows(x, self.n_features, |row, out| {
            out.copy_from_slice(row);
            if let Some(s) = scale {
                out.iter_mut().zip(s).for_each(|(o, s)| *o *= s);
            }
            if let Some(m) = centre {
                out.iter_mut().zip(m).for_each(|(o, m)| *o += m);
            }
        })
    }
}

impl Persist for FittedStandardScaler {
    const KIND: &'static str = "kiln_prep::StandardScaler";
    type Params = StandardScaler;

    fn params(&self) -> &StandardScaler {
        &self.params
    }

    fn feature_schema(&self) -> FeatureSchema {
        FeatureSchema::new(self.n_features)
    }
}
