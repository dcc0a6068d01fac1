//! [`MaxAbsScaler`]: divide each feature by its largest absolute value.

use kiln_core::check::{self, NanPolicy};
use kiln_core::persist::{FeatureSchema, Persist};
use kiln_core::{
    FitTransform, FitUnsupervised, Fitted, InverseTransform, Params, Result, Transform,
};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::{colstats, no_weights};

/// Scales each feature by its maximum absolute value, so values land in `[-1, 1]` without
/// shifting (zeros and signs are kept), as scikit-learn's `MaxAbsScaler`.
///
/// It has no parameters.
///
/// # Fitted attributes
/// [`FittedMaxAbsScaler::max_abs`] and [`FittedMaxAbsScaler::scale`] (the max-abs, or 1 for
/// an all-zero feature).
///
/// # Notes
/// NaN is ignored at fit and kept at transform. Sample weights are not defined: passing some
/// gives [`kiln_core::Error::Unsupported`].
///
/// # Example
/// ```
/// use kiln_core::{FitUnsupervised, Transform};
/// use kiln_prep::scale::MaxAbsScaler;
/// use ndarray::array;
///
/// let x = array![[-4.0, 0.0], [2.0, 0.0]];
/// let scaler = MaxAbsScaler.fit(x.view())?;
/// assert_eq!(scaler.transform(x.view())?, array![[-1.0, 0.0], [0.5, 0.0]]);
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaxAbsScaler;

impl Params for MaxAbsScaler {
    const NAME: &'static str = "MaxAbsScaler";

    /// There are no parameters to check.
    fn validate(&self) -> Result<()> {
        Ok(())
    }
}

impl FitUnsupervised for MaxAbsScaler {
    type Fitted = FittedMaxAbsScaler;

    fn fit_weighted(
        &self,
        x: ArrayView2<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedMaxAbsScaler> {
        self.validate()?;
        no_weights(Self::NAME, sample_weight)?;
        check::check_x(x, NanPolicy::AllowMissing)?;
        let max_abs = Array1::from_iter(
            colstats::min_max(x)
                .into_iter()
                .map(|(lo, hi)| lo.abs().max(hi.abs())),
        );
        let scale = max_abs.mapv(colstats::handle_zero_scale);
        Ok(FittedMaxAbsScaler {
            params: *self,
            n_features: x.ncols(),
            max_abs,
            scale,
        })
    }
}

impl FitTransform for MaxAbsScaler {}

/// A fitted [`MaxAbsScaler`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedMaxAbsScaler {
    params: MaxAbsScaler,
    n_features: usize,
    max_abs: Array1<f64>,
    scale: Array1<f64>,
}

impl FittedMaxAbsScaler {
    /// The largest absolute value of each feature (`max_abs_`); NaN for a feature with no
    /// value.
    pub fn max_abs(&self) -> &Array1<f64> {
        &self.max_abs
    }

    /// The divisor of each feature (`scale_`): `max_abs`, or 1 where it is (almost) zero.
    pub fn scale(&self) -> &Array1<f64> {
        &self.scale
    }
}

impl Fitted for FittedMaxAbsScaler {
    fn n_features_in(&self) -> usize {
        self.n_features
    }
}

impl Transform for FittedMaxAbsScaler {
    fn transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        check::check_predict_x(
            MaxAbsScaler::NAME,
            self.n_features,
            x,
            NanPolicy::AllowMissing,
        )?;
        colstats::map_rows(x, self.n_features, |row, out| {
            for ((o, &v), &s) in out.iter_mut().zip(row).zip(&self.scale) {
                *o = v / s;
            }
        })
    }
}

impl InverseTransform for FittedMaxAbsScaler {
    fn inverse_transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        check::check_predict_x(
            MaxAbsScaler::NAME,
            self.n_features,
            x,
            NanPolicy::AllowMissing,
        )?;
        colstats::map_rows(x, self.n_features, |row, out| {
            for ((o, &v), &s) in out.iter_mut().zip(row).zip(&self.scale) {
                *o = v * s;
            }
        })
    }
}

impl Persist for FittedMaxAbsScaler {
    const KIND: &'static str = "kiln_prep::MaxAbsScaler";
    type Params = MaxAbsScaler;

    fn params(&self) -> &MaxAbsScaler {
        &self.params
    }

    fn feature_schema(&self) -> FeatureSchema {
        FeatureSchema::new(self.n_features)
    }
}
