//! [`MinMaxScaler`]: map each feature's observed range onto a target interval.

use kiln_core::check::{self, NanPolicy};
use kiln_core::persist::{FeatureSchema, Persist};
use kiln_core::{
    Error, FitTransform, FitUnsupervised, Fitted, InverseTransform, Params, Result, Transform,
};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::{colstats, no_weights};

/// Scales each feature to `feature_range`: `x · scale + min`, where
/// `scale = (hi − lo) / (data_max − data_min)` and `min = lo − data_min · scale`, as
/// scikit-learn's `MinMaxScaler`.
///
/// # Parameters
/// - `feature_range` (default `(0.0, 1.0)`): the target interval `(lo, hi)`, finite with
///   `lo < hi`.
/// - `clip` (default `false`): clip transformed values to `feature_range` (useful when new
///   data lies outside the range seen at fit).
///
/// # Fitted attributes
/// [`FittedMinMaxScaler::data_min`], [`FittedMinMaxScaler::data_max`],
/// [`FittedMinMaxScaler::data_range`], [`FittedMinMaxScaler::scale`] and
/// [`FittedMinMaxScaler::min`] (scikit-learn's `min_`, the additive offset).
///
/// # Notes
/// NaN is ignored at fit and kept at transform; a constant feature (range below `10·ε`) gets
/// range 1, so it maps to `lo`. Sample weights are not defined (they do not change a minimum
/// or maximum): passing some gives [`Error::Unsupported`].
///
/// # Errors
/// Empty or infinite `x`; [`Error::InvalidValue`] naming the column whose range
/// `data_max − data_min` overflows f64 (values near ±1e308 of both signs), where
/// scikit-learn would scale every value to 0.
///
/// # Example
/// ```
/// use kiln_core::{FitUnsupervised, Transform};
/// use kiln_prep::scale::MinMaxScaler;
/// use ndarray::array;
///
/// let x = array![[1.0], [3.0], [5.0]];
/// let scaler = MinMaxScaler::default().with_feature_range((-1.0, 1.0)).fit(x.view())?;
/// assert_eq!(scaler.transform(x.view())?, array![[-1.0], [0.0], [1.0]]);
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MinMaxScaler {
    /// The target interval `(lo, hi)`. By default, `(0.0, 1.0)`.
    pub feature_range: (f64, f64),
    /// Clip transformed values to `feature_range`. By default, `false`.
    pub clip: bool,
}

impl Default for MinMaxScaler {
    fn default() -> Self {
        Self {
            feature_range: (0.0, 1.0),
            clip: false,
        }
    }
}

impl MinMaxScaler {
    /// Sets `feature_range` (by default, `(0.0, 1.0)`).
    #[must_use]
    pub fn with_feature_range(mut self, feature_range: (f64, f64)) -> Self {
        self.feature_range = feature_range;
        self
    }

    /// Sets `clip` (by default, `false`).
    #[must_use]
    pub fn with_clip(mut self, clip: bool) -> Self {
        self.clip = clip;
        self
    }
}

impl Params for MinMaxScaler {
    const NAME: &'static str = "MinMaxScaler";

    fn validate(&self) -> Result<()> {
        let (lo, hi) = self.feature_range;
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return Err(Error::invalid_param(
                Self::NAME,
                "feature_range",
                format!("must be two finite numbers (lo, hi) with lo < hi; got ({lo}, {hi})"),
            ));
        }
        Ok(())
    }
}

impl FitUnsupervised for MinMaxScaler {
    type Fitted = FittedMinMaxScaler;

    fn fit_weighted(
        &self,
        x: ArrayView2<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedMinMaxScaler> {
        self.validate()?;
        no_weights(Self::NAME, sample_weight)?;
        check::check_x(x, NanPolicy::AllowMissing)?;
        let (lo, hi) = self.feature_range;
        let mm = colstats::min_max(x);
        let data_min = Array1::from_iter(mm.iter().map(|p| p.0));
        let data_max = Array1::from_iter(mm.iter().map(|p| p.1));
        let data_range = &data_max - &data_min;
        if let Some(j) = data_range.iter().position(|r| r.is_infinite()) {
            return Err(colstats::too_large(j, "range (max − min)"));
        }
        let scale = data_range.mapv(|r| (hi - lo) / colstats::handle_zero_scale(r));
        let min = Array1::from_shape_fn(scale.len(), |j| lo - data_min[j] * scale[j]);
        Ok(FittedMinMaxScaler {
            params: *self,
            n_features: x.ncols(),
            data_min,
            data_max,
            data_range,
            scale,
            min,
        })
    }
}

impl FitTransform for MinMaxScaler {}

/// A fitted [`MinMaxScaler`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedMinMaxScaler {
    params: MinMaxScaler,
    n_features: usize,
    data_min: Array1<f64>,
    data_max: Array1<f64>,
    data_range: Array1<f64>,
    scale: Array1<f64>,
    min: Array1<f64>,
}

impl FittedMinMaxScaler {
    /// The params it was fitted with.
    pub fn params(&self) -> &MinMaxScaler {
        &self.params
    }

    /// The minimum of each feature over its non-missing values (`data_min_`).
    pub fn data_min(&self) -> &Array1<f64> {
        &self.data_min
    }

    /// The maximum of each feature over its non-missing values (`data_max_`).
    pub fn data_max(&self) -> &Array1<f64> {
        &self.data_max
    }

    /// `data_max − data_min` (`data_range_`), before the zero-range rule.
    pub fn data_range(&self) -> &Array1<f64> {
        &self.data_range
    }

    /// The multiplier of each feature (`scale_`).
    pub fn scale(&self) -> &Array1<f64> {
        &self.scale
    }

    /// The offset added after scaling (`min_`).
    pub fn min(&self) -> &Array1<f64> {
        &self.min
    }
}

impl Fitted for FittedMinMaxScaler {
    fn n_features_in(&self) -> usize {
        self.n_features
    }
}

impl Transform for FittedMinMaxScaler {
    fn transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        check::check_predict_x(
            MinMaxScaler::NAME,
            self.n_features,
            x,
            NanPolicy::AllowMissing,
        )?;
        let (lo, hi) = self.params.feature_range;
        let clip = self.params.clip;
        colstats::map_rows(x, self.n_features, |row, out| {
            for (((o, &v), &s), &m) in out.iter_mut().zip(row).zip(&self.scale).zip(&self.min) {
                let t = v * s + m;
                // `clamp` keeps NaN, as NumPy's `clip` does.
                *o = if clip { t.clamp(lo, hi) } else { t };
            }
        })
    }
}

impl InverseTransform for FittedMinMaxScaler {
    fn inverse_transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        check::check_predict_x(
            MinMaxScaler::NAME,
            self.n_features,
            x,
            NanPolicy::AllowMissing,
        )?;
        colstats::map_rows(x, self.n_features, |row, out| {
            for (((o, &v), &s), &m) in out.iter_mut().zip(row).zip(&self.scale).zip(&self.min) {
                *o = (v - m) / s;
            }
        })
    }
}

impl Persist for FittedMinMaxScaler {
    const KIND: &'static str = "kiln_prep::MinMaxScaler";
    type Params = MinMaxScaler;

    fn params(&self) -> &MinMaxScaler {
        &self.params
    }

    fn feature_schema(&self) -> FeatureSchema {
        FeatureSchema::new(self.n_features)
    }
}
