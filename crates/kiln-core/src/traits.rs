//! The estimator traits: params → fit → fitted model → predict / predict_proba / transform.
//!
//! A kiln estimator is two types. The *params* type is a plain struct with public fields and a
//! documented `Default`; it implements [`Params`] and one of [`Fit`] (supervised) or
//! [`FitUnsupervised`]. Fitting returns a separate *fitted* type that implements
//! [`Predict`], [`PredictProba`] and/or [`Transform`]; so predicting with an unfitted model
//! cannot compile.
//!
//! Inputs are views (`ArrayView2<f64>`, `ArrayView1<_>`); outputs are owned arrays.
//! Classifiers take class *indices* (`usize`, `0..n_classes`); [`crate::ClassLabels`] maps any
//! labels to indices and back.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

use crate::Result;

/// The hyperparameters of an estimator: a name for messages and a range check.
///
/// `fit` calls [`Params::validate`] before it looks at the data; parameter searches call it
/// up front to reject a grid point without fitting.
pub trait Params {
    /// The estimator's name as it appears in messages, e.g. `"KMeans"`.
    const NAME: &'static str;

    /// Checks every parameter against its documented range.
    ///
    /// # Errors
    /// [`crate::Error::InvalidParameter`] naming the first parameter out of range.
    fn validate(&self) -> Result<()>;
}

/// Supervised fitting: `X` (n_samples × n_features) and a target `y` of length n_samples.
///
/// `Target` is `usize` (class indices) for classifiers and `f64` for regressors.
pub trait Fit: Params {
    /// The element type of the target.
    type Target;
    /// The fitted model.
    type Fitted;

    /// Fits on `x` and `y` with optional per-sample weights.
    ///
    /// A weight of 2 counts a sample twice; weights must be finite and non-negative with a
    /// positive sum. An algorithm that does not define sample weights returns
    /// [`crate::Error::Unsupported`] when given `Some`.
    ///
    /// # Errors
    /// Invalid parameters, then empty, non-finite or mismatched inputs, then any
    /// algorithm-specific condition (e.g. a single class).
    fn fit_weighted(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, Self::Target>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<Self::Fitted>;

    /// Fits with every sample weighted equally.
    ///
    /// # Errors
    /// As [`Fit::fit_weighted`].
    fn fit(&self, x: ArrayView2<'_, f64>, y: ArrayView1<'_, Self::Target>) -> Result<Self::Fitted> {
        self.fit_weighted(x, y, None)
    }
}

/// Unsupervised fitting (clusterers, scalers, imputers): `X` only.
pub trait FitUnsupervised: Params {
    /// The fitted model.
    type Fitted;

    /// Fits on `x` with optional per-sample weights (see [`Fit::fit_weighted`]).
    ///
    /// # Errors
    /// Invalid parameters, then empty or non-finite inputs, then any algorithm-specific condition
    /// (e.g. more clusters than samples).
    fn fit_weighted(
        &self,
        x: ArrayView2<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<Self::Fitted>;

    /// Fits with every sample weighted equally.
    ///
    /// # Errors
    /// As [`FitUnsupervised::fit_weighted`].
    fn fit(&self, x: ArrayView2<'_, f64>) -> Result<Self::Fitted> {
        self.fit_weighted(x, None)
    }
}

/// What every fitted model knows about the data it was fitted on.
pub trait Fitted {
    /// The number of features (columns of `X`) seen at fit; predict rejects any other count.
    fn n_features_in(&self) -> usize;
}

/// Predictions, one per row of `x`.
pub trait Predict: Fitted {
    /// `usize` class indices for classifiers and clusterers, `f64` for regressors.
    type Output;

    /// Predicts every row of `x`.
    ///
    /// # Errors
    /// [`crate::Error::FeatureCountMismatch`] when `x` has a different number of columns than at
    /// fit; [`crate::Error::NonFinite`] for values the model cannot handle;
    /// [`crate::Error::EmptyInput`] for zero rows.
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<Self::Output>>;
}

/// Class probabilities of a fitted classifier.
///
/// Column `j` of the result is the probability of the `j`-th class in [`PredictProba::classes`];
/// rows sum to 1, and the arg-max of each row is what [`Predict::predict`] returns (ties go to
/// the lowest class index).
pub trait PredictProba: Predict<Output = usize> {
    /// The class indices seen at fit, sorted; the columns of `predict_proba` follow this order.
    fn classes(&self) -> &[usize];

    /// Probabilities, n_samples × n_classes.
    ///
    /// # Errors
    /// As [`Predict::predict`].
    fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>>;
}

/// A fitted transformer: maps rows of `x` to new rows.
pub trait Transform: Fitted {
    /// Transforms every row of `x`.
    ///
    /// # Errors
    /// As [`Predict::predict`].
    fn transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>>;
}

/// A fitted transformer that can map its output back to the input space.
pub trait InverseTransform: Transform {
    /// Maps transformed rows back.
    ///
    /// # Errors
    /// When `x` does not have the transformer's output width, or holds non-finite values.
    fn inverse_transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>>;
}

/// Fit and transform in one call, for unsupervised transformers.
///
/// The provided method fits then transforms; a transformer may override it with a faster
/// path, and the `kiln-check` suite verifies that both give the same result.
pub trait FitTransform: FitUnsupervised
where
    Self::Fitted: Transform,
{
    /// Fits on `x` and returns the fitted transformer with `x` transformed.
    ///
    /// # Errors
    /// As [`FitUnsupervised::fit`] and [`Transform::transform`].
    fn fit_transform(&self, x: ArrayView2<'_, f64>) -> Result<(Self::Fitted, Array2<f64>)> {
        let fitted = self.fit(x)?;
        let out = fitted.transform(x)?;
        Ok((fitted, out))
    }
}
