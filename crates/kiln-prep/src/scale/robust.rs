//! [`RobustScaler`]: centre on the median and scale by an inter-quantile range.

use kiln_core::check::{self, NanPolicy};
use kiln_core::persist::{FeatureSchema, Persist};
use kiln_core::{
    Error, FitTransform, FitUnsupervised, Fitted, InverseTransform, Params, Result, Transform,
};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::{colstats, no_weights};
use kiln_core::special;

/// Scales features with statistics that outliers barely move: subtract the median, divide by
/// the range between two percentiles (the inter-quartile range by default), as
/// scikit-learn's `RobustScaler`.
///
/// # Parameters
/// - `with_centering` (default `true`): subtract the median.
/// - `with_scaling` (default `true`): divide by the inter-quantile range.
/// - `quantile_range` (default `(25.0, 75.0)`): the percentiles `(q_min, q_max)`, with
///   `0 ≤ q_min ≤ q_max ≤ 100`.
/// - `unit_variance` (default `false`): further divide the scale by
///   `Φ⁻¹(q_max/100) − Φ⁻¹(q_min/100)`, so that normally distributed features get variance 1.
///   It needs `0 < q_min < q_max < 100`.
///
/// # Fitted attributes
/// [`FittedRobustScaler::center`] (the medians) and [`FittedRobustScaler::scale`].
///
/// # Notes
/// - Percentiles follow NumPy's default linear interpolation; NaN is ignored at fit and kept
///   at transform; a zero inter-quantile range becomes 1. Medians and interpolated
///   percentiles of values near f64's range are computed without overflow (scikit-learn's
///   can be infinite there); an inter-quantile range that itself exceeds f64 is an
///   [`Error::InvalidValue`] naming the column.
/// - Sample weights are not defined: passing some gives [`Error::Unsupported`].
/// - With `unit_variance`, scikit-learn accepts `q_min = 0` or `q_max = 100` and then divides
///   by an infinite adjustment; kiln rejects those ranges instead.
///
/// # Example
/// ```
/// use kiln_core::{FitUnsupervised, Transform};
/// use kiln_prep::scale::RobustScaler;
/// use ndarray::array;
///
/// let x = array![[1.0], [2.0], [3.0], [4.0], [100.0]];
/// let scaler = RobustScaler::default().fit(x.view())?;
/// assert_eq!(scaler.center().map(|c| c[0]), Some(3.0));
/// assert_eq!(scaler.scale().map(|s| s[0]), Some(2.0)); // 75th − 25th percentile: 4 − 2
/// assert_eq!(scaler.transform(x.view())?[[4, 0]], 48.5);
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RobustScaler {
    /// Subtract the median. By default, `true`.
    pub with_centering: bool,
    /// Divide by the inter-quantile range. By default, `true`.
    pub with_scaling: bool,
    /// The percentiles `(q_min, q_max)` whose difference is the scale. By default,
    /// `(25.0, 75.0)`.
    pub quantile_range: (f64, f64),
    /// Rescale so that normal features get unit variance. By default, `false`.
    pub unit_variance: bool,
}

impl Default for RobustScaler {
    fn default() -> Self {
        Self {
            with_centering: true,
            with_scaling: true,
            quantile_range: (25.0, 75.0),
            unit_variance: false,
        }
    }
}

impl RobustScaler {
    /// Sets `with_centering` (by default, `true`).
    #[must_use]
    pub fn with_centering(mut self, with_centering: bool) -> Self {
        self.with_centering = with_centering;
        self
    }

    /// Sets `with_scaling` (by default, `true`).
    #[must_use]
    pub fn with_scaling(mut self, with_scaling: bool) -> Self {
        self.with_scaling = with_scaling;
        self
    }

    /// Sets `quantile_range` (by default, `(25.0, 75.0)`).
    #[must_use]
    pub fn with_quantile_range(mut self, quantile_range: (f64, f64)) -> Self {
        self.quantile_range = quantile_range;
        self
    }

    /// Sets `unit_variance` (by default, `false`).
    #[must_use]
    pub fn with_unit_variance(mut self, unit_variance: bool) -> Self {
        self.unit_variance = unit_variance;
        self
    }
}

impl Params for RobustScaler {
    const NAME: &'static str = "RobustScaler";

    fn validate(&self) -> Result<()> {
        let (lo, hi) = self.quantile_range;
        // `<=` comparisons are false for NaN, so NaN is rejected too.
        if !(0.0 <= lo && lo <= hi && hi <= 100.0) {
            return Err(Error::invalid_param(
                Self::NAME,
                "quantile_range",
                format!("must satisfy 0 <= q_min <= q_max <= 100; got ({lo}, {hi})"),
            ));
        }
        if self.unit_variance && !(0.0 < lo && lo < hi && hi < 100.0) {
            return Err(Error::invalid_param(
                Self::NAME,
                "quantile_range",
                format!(
                    "must satisfy 0 < q_min < q_max < 100 when unit_variance is on \
                     (the adjustment would be infinite or zero); got ({lo}, {hi})"
                ),
            ));
        }
        Ok(())
    }
}

impl FitUnsupervised for RobustScaler {
    type Fitted = FittedRobustScaler;

    fn fit_weighted(
        &self,
        x: ArrayView2<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedRobustScaler> {
        self.validate()?;
        no_weights(Self::NAME, sample_weight)?;
        check::check_x(x, NanPolicy::AllowMissing)?;
        let (q_min, q_max) = self.quantile_range;
        let stats = colstats::sorted_columns(x, |col| {
            (
                colstats::median_sorted(col),
                colstats::percentile_sorted(col, q_max) - colstats::percentile_sorted(col, q_min),
            )
        });
        if self.with_scaling
            && let Some(j) = stats.iter().position(|s| s.1.is_infinite())
        {
            return Err(colstats::too_large(j, "inter-quantile range"));
        }
        let center = self
            .with_centering
            .then(|| Array1::from_iter(stats.iter().map(|s| s.0)));
        let scale = self.with_scaling.then(|| {
            let adjust = if self.unit_variance {
                special::norm_ppf(q_max / 100.0) - special::norm_ppf(q_min / 100.0)
            } else {
                1.0
            };
            Array1::from_iter(
                stats
                    .iter()
                    .map(|s| colstats::handle_zero_scale(s.1) / adjust),
            )
        });
        Ok(FittedRobustScaler {
            params: *self,
            n_features: x.ncols(),
            center,
            scale,
        })
    }
}

impl FitTransform for RobustScaler {}

/// A fitted [`RobustScaler`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedRobustScaler {
    params: RobustScaler,
    n_features: usize,
    center: Option<Array1<f64>>,
    scale: Option<Array1<f64>>,
}

impl FittedRobustScaler {
    /// The params it was fitted with.
    pub fn params(&self) -> &RobustScaler {
        &self.params
    }

    /// The median of each feature over its non-missing values (`center_`); `None` when
    /// `with_centering` is off.
    pub fn center(&self) -> Option<&Array1<f64>> {
        self.center.as_ref()
    }

    /// The divisor of each feature (`scale_`); `None` when `with_scaling` is off.
    pub fn scale(&self) -> Option<&Array1<f64>> {
        self.scale.as_ref()
    }
}

impl Fitted for FittedRobustScaler {
    fn n_features_in(&self) -> usize {
        self.n_features
    }
}

impl Transform for FittedRobustScaler {
    fn transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        check::check_predict_x(
            RobustScaler::NAME,
            self.n_features,
            x,
            NanPolicy::AllowMissing,
        )?;
        colstats::map_rows(x, self.n_features, |row, out| {
            out.copy_from_slice(row);
            if let Some(c) = &self.center {
                out.iter_mut().zip(c).for_each(|(o, c)| *o -= c);
            }
            if let Some(s) = &self.scale {
                out.iter_mut().zip(s).for_each(|(o, s)| *o /= s);
            }
        })
    }
}

impl InverseTransform for FittedRobustScaler {
    fn inverse_transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        check::check_predict_x(
            RobustScaler::NAME,
            self.n_features,
            x,
            NanPolicy::AllowMissing,
        )?;
        colstats::map_rows(x, self.n_features, |row, out| {
            out.copy_from_slice(row);
            if let Some(s) = &self.scale {
                out.iter_mut().zip(s).for_each(|(o, s)| *o *= s);
            }
            if let Some(c) = &self.center {
                out.iter_mut().zip(c).for_each(|(o, c)| *o += c);
            }
        })
    }
}

impl Persist for FittedRobustScaler {
    const KIND: &'static str = "kiln_prep::RobustScaler";
    type Params = RobustScaler;

    fn params(&self) -> &RobustScaler {
        &self.params
    }

    fn feature_schema(&self) -> FeatureSchema {
        FeatureSchema::new(self.n_features)
    }
}
