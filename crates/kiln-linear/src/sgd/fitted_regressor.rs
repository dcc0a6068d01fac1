//! [`FittedSGDRegressor`]: coefficients, more batches, predictions and persistence.

use kiln_core::check::{self, NanPolicy};
use kiln_core::persist::{FeatureSchema, Persist};
use kiln_core::{Fitted, Params, Predict, Result};
use ndarray::{Array1, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::regressor::{SGDRegressor, check_regression_data, train};
use super::use_average;
use crate::NamedCoef;
use crate::common::FeatureNames;

/// A fitted [`SGDRegressor`]: predicts `X·w + b`; [`FittedSGDRegressor::partial_fit`] trains
/// it further.
///
/// Saved and loaded through [`kiln_core::persist`] as kind `kiln_linear::SGDRegressor`, with
/// everything `partial_fit` needs to continue.
///
/// # Example
/// ```
/// use kiln_core::Predict;
/// use kiln_linear::sgd::SGDRegressor;
/// use ndarray::{Array1, Array2, s};
///
/// let x = Array2::from_shape_fn((40, 1), |(i, _)| (i % 8) as f64 / 4.0 - 1.0);
/// let y: Array1<f64> = x.column(0).mapv(|v| 3.0 * v + 0.5);
/// let params = SGDRegressor::default().with_eta0(0.1).with_seed(3);
/// let mut model = params.partial_fit(x.slice(s![..20, ..]), y.slice(s![..20]), None)?;
/// for _ in 0..30 {
///     model.partial_fit(x.slice(s![20.., ..]), y.slice(s![20..]), None)?;
///     model.partial_fit(x.slice(s![..20, ..]), y.slice(s![..20]), None)?;
/// }
/// assert_eq!(model.t(), 1.0 + 61.0 * 20.0);
/// assert!((model.coef()[0] - 3.0).abs() < 0.05);
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedSGDRegressor {
    pub(super) params: SGDRegressor,
    /// The SGD iterate (scikit-learn's `_standard_coef`).
    pub(super) coef: Array1<f64>,
    pub(super) intercept: f64,
    /// The averaged iterate; empty without averaging.
    pub(super) avg_coef: Array1<f64>,
    pub(super) avg_intercept: f64,
    pub(super) n_features: usize,
    pub(super) t: f64,
    pub(super) n_iter: usize,
    pub(super) converged: bool,
    pub(super) names: FeatureNames,
}

impl FittedSGDRegressor {
    /// A model at its starting point: zero coefficients, `t = 1`.
    pub(super) fn empty(params: SGDRegressor, n_features: usize) -> Self {
        let n_avg = if params.average > 0 { n_features } else { 0 };
        Self {
            params,
            coef: Array1::zeros(n_features),
            intercept: 0.0,
            avg_coef: Array1::zeros(n_avg),
            avg_intercept: 0.0,
            n_features,
            t: 1.0,
            n_iter: 0,
            converged: false,
            names: FeatureNames::default(),
        }
    }

    /// Runs one more epoch over a batch (scikit-learn's later `partial_fit(X, y)` calls).
    /// Shuffling (when on) draws from a seed derived from `seed` and the update count. On
    /// error the model is unchanged.
    ///
    /// # Errors
    /// [`kiln_core::Error::FeatureCountMismatch`] for a different number of features; the
    /// data errors of [`kiln_core::Fit::fit_weighted`]; [`kiln_core::Error::InvalidValue`]
    /// on overflow.
    pub fn partial_fit(
        &mut self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<()> {
        check::check_n_features(SGDRegressor::NAME, self.n_features, x)?;
        check_regression_data(x, y, sample_weight)?;
        train(self, x, y, sample_weight, 1)
    }

    /// The params it was fitted with.
    pub fn params(&self) -> &SGDRegressor {
        &self.params
    }

    /// The coefficients (scikit-learn's `coef_`); with averaging, the averaged ones once
    /// averaging has started.
    pub fn coef(&self) -> &Array1<f64> {
        if use_average(self.params.average, self.t) {
            &self.avg_coef
        } else {
            &self.coef
        }
    }

    /// The intercept (`intercept_[0]`); `0` without `fit_intercept`.
    pub fn intercept(&self) -> f64 {
        if use_average(self.params.average, self.t) {
            self.avg_intercept
        } else {
            self.intercept
        }
    }

    /// The number of epochs of the last `fit` or `partial_fit` call (`n_iter_`).
    pub fn n_iter(&self) -> usize {
        self.n_iter
    }

    /// The update count plus one (scikit-learn's `t_`): `1 + epochs · n_samples` summed
    /// over the calls.
    pub fn t(&self) -> f64 {
        self.t
    }

    /// Whether the stopping rule ended the last call before its epoch budget. Always
    /// `false` with `tol = None` and after `partial_fit`.
    pub fn converged(&self) -> bool {
        self.converged
    }

    /// Attaches feature names, shown by [`Self::coef_named`] and saved in the schema.
    ///
    /// # Errors
    /// [`kiln_core::Error::ShapeMismatch`] when there are not `n_features_in()` names.
    pub fn with_feature_names(mut self, names: Vec<String>) -> Result<Self> {
        self.names.set(names, self.n_features)?;
        Ok(self)
    }

    /// The feature names, when given.
    pub fn feature_names(&self) -> Option<&[String]> {
        self.names.get()
    }

    /// Each coefficient with its feature's name (`x0`, `x1`, ... when unnamed).
    pub fn coef_named(&self) -> Vec<NamedCoef> {
        self.names.named(self.coef().view())
    }
}

impl Fitted for FittedSGDRegressor {
    fn n_features_in(&self) -> usize {
        self.n_features
    }
}

impl Predict for FittedSGDRegressor {
    type Output = f64;

    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        check::check_predict_x(SGDRegressor::NAME, self.n_features, x, NanPolicy::Reject)?;
        Ok(x.dot(self.coef()) + self.intercept())
    }
}

impl Persist for FittedSGDRegressor {
    const KIND: &'static str = "kiln_linear::SGDRegressor";
    type Params = SGDRegressor;

    fn params(&self) -> &SGDRegressor {
        &self.params
    }

    fn feature_schema(&self) -> FeatureSchema {
        self.names.schema(self.n_features)
    }

    fn check_loaded(&self) -> Result<()> {
        crate::predict::check_loaded_shapes(self.coef.len(), 1, 1, self.n_features)?;
        // The averaged coefficients are empty unless averaging is on.
        if self.avg_coef.is_empty() {
            return Ok(());
        }
        crate::predict::check_loaded_shapes(self.avg_coef.len(), 1, 1, self.n_features)
    }
}
