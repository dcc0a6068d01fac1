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

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};

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

    /// Whether [`Fit::fit_rows`] reads the chosen rows where they are (`true`) rather than
    /// copying them first (the default). Cross-validation and parameter search ask, and copy
    /// the rows of each fold themselves, into reused buffers, for estimators that say `false`.
    const FITS_ROWS_IN_PLACE: bool = false;

    /// Fits on the rows `rows` of `x`, `y` and the weights, in that order: the same model,
    /// and the same errors, as [`Fit::fit_weighted`] on `x.select(Axis(0), rows)` and the
    /// matching entries of `y` and the weights (so an error's row is a position in `rows`).
    ///
    /// The default copies the rows, then fits. An estimator whose fit reads its input in one
    /// streaming pass (least squares, through its Gram matrix) overrides it to read the rows
    /// in place, and sets [`Fit::FITS_ROWS_IN_PLACE`]; for such a fit the copy of a
    /// cross-validation fold costs as much as the fit itself.
    ///
    /// # Errors
    /// [`crate::Error::ShapeMismatch`] when `y` or the weights do not have one entry per row
    /// of `x`; [`crate::Error::InvalidValue`] for an index out of range; then as
    /// [`Fit::fit_weighted`].
    fn fit_rows(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, Self::Target>,
        sample_weight: Option<ArrayView1<'_, f64>>,
        rows: &[usize],
    ) -> Result<Self::Fitted>
    where
        Self::Target: Clone,
    {
        self.validate()?;
        crate::check::check_rows(x.nrows(), y.len(), sample_weight, rows)?;
        let w = sample_weight.map(|w| w.select(Axis(0), rows));
        self.fit_weighted(
            x.select(Axis(0), rows).view(),
            y.select(Axis(0), rows).view(),
            w.as_ref().map(|w| w.view()),
        )
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

    /// Whether [`Predict::predict_rows`] reads the chosen rows where they are (`true`) rather
    /// than copying them first (the default); cross-validation scores such models on each
    /// fold's test rows without copying them.
    const PREDICTS_ROWS_IN_PLACE: bool = false;

    /// Predicts the rows `rows` of `x`, in that order: the same values, and the same errors, as
    /// [`Predict::predict`] on `x.select(Axis(0), rows)` (an error's row is a position in
    /// `rows`). The default copies the rows; a model that reads each row once (the linear
    /// models) overrides it and sets [`Predict::PREDICTS_ROWS_IN_PLACE`].
    ///
    /// # Errors
    /// [`crate::Error::InvalidValue`] for an index out of range, then as [`Predict::predict`].
    fn predict_rows(&self, x: ArrayView2<'_, f64>, rows: &[usize]) -> Result<Array1<Self::Output>> {
        crate::check::check_row_indices(x.nrows(), rows)?;
        self.predict(x.select(Axis(0), rows).view())
    }
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;
    use crate::Error;
    use ndarray::array;

    /// Records what it was fitted on: the sum of each column of `X`, of `y` and of the weights.
    struct Sums;

    impl Params for Sums {
        const NAME: &'static str = "Sums";
        fn validate(&self) -> Result<()> {
            Ok(())
        }
    }

    impl Fit for Sums {
        type Target = f64;
        type Fitted = Vec<f64>;
        fn fit_weighted(
            &self,
            x: ArrayView2<'_, f64>,
            y: ArrayView1<'_, f64>,
            w: Option<ArrayView1<'_, f64>>,
        ) -> Result<Vec<f64>> {
            crate::check::check_fit_xy(x, y.len(), crate::check::NanPolicy::Reject)?;
            let mut out: Vec<f64> = x.columns().into_iter().map(|c| c.sum()).collect();
            out.push(y.sum());
            out.push(w.map_or(-1.0, |w| w.sum()));
            Ok(out)
        }
    }

    #[test]
    fn the_default_fit_rows_fits_on_the_chosen_rows_in_order() {
        const { assert!(!Sums::FITS_ROWS_IN_PLACE) };
        let x = array![[1.0, 10.0], [2.0, 20.0], [4.0, 40.0]];
        let y = array![100.0, 200.0, 400.0];
        let w = array![0.5, 1.5, 3.0];
        let got = Sums
            .fit_rows(x.view(), y.view(), Some(w.view()), &[2, 0, 2])
            .unwrap();
        assert_eq!(got, vec![9.0, 90.0, 900.0, 6.5]);
        // A NaN in a row not chosen is not seen; in a chosen one it is named by its position.
        let mut bad = x.clone();
        bad[[1, 1]] = f64::NAN;
        assert!(Sums.fit_rows(bad.view(), y.view(), None, &[0, 2]).is_ok());
        let err = Sums
            .fit_rows(bad.view(), y.view(), None, &[0, 2, 1])
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::NonFinite {
                    row: 2,
                    col: Some(1),
                    ..
                }
            ),
            "{err}"
        );
        // Lengths and indices are checked before anything is copied.
        let err = Sums
            .fit_rows(x.view(), y.view(), None, &[0, 3])
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidValue { row: Some(1), .. }),
            "{err}"
        );
        let err = Sums.fit_rows(x.view(), y.view(), Some(array![1.0, 1.0].view()), &[0]);
        assert!(matches!(
            err,
            Err(Error::ShapeMismatch {
                expected: 3,
                got: 2,
                ..
            })
        ));
        let err = Sums.fit_rows(x.view(), y.view(), None, &[]).unwrap_err();
        assert!(matches!(err, Error::EmptyInput { .. }), "{err}");
    }

    impl Fitted for Vec<f64> {
        fn n_features_in(&self) -> usize {
            1
        }
    }

    /// Predicts each row's first value plus the model's first sum.
    impl Predict for Vec<f64> {
        type Output = f64;
        fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
            crate::check::check_x(x, crate::check::NanPolicy::Reject)?;
            Ok(x.column(0).mapv(|v| v + self[0]))
        }
    }

    #[test]
    fn the_default_predict_rows_predicts_the_chosen_rows_in_order() {
        const { assert!(!<Vec<f64> as Predict>::PREDICTS_ROWS_IN_PLACE) };
        let model = vec![100.0];
        let x = array![[1.0], [2.0], [f64::NAN]];
        assert_eq!(
            model.predict_rows(x.view(), &[1, 0, 1]).unwrap().to_vec(),
            vec![102.0, 101.0, 102.0]
        );
        let err = model.predict_rows(x.view(), &[0, 2]).unwrap_err();
        assert!(matches!(err, Error::NonFinite { row: 1, .. }), "{err}");
        let err = model.predict_rows(x.view(), &[3]).unwrap_err();
        assert!(
            matches!(err, Error::InvalidValue { row: Some(0), .. }),
            "{err}"
        );
    }
}
