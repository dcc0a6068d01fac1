//! [`FittedSGDClassifier`]: coefficients, more batches, predictions and persistence.

use kiln_core::check::{self, NanPolicy};
use kiln_core::persist::{FeatureSchema, Persist};
use kiln_core::{Error, Fitted, Params, Predict, PredictProba, Result};
use ndarray::linalg::general_mat_mul;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::classifier::{SGDClassifier, train, zeros};
use super::{ClassWeight, ClassifierLoss, check_data, use_average};
use crate::NamedCoef;
use crate::common::FeatureNames;

/// A fitted [`SGDClassifier`]; [`FittedSGDClassifier::partial_fit`] trains it further.
///
/// Saved and loaded through [`kiln_core::persist`] as kind `kiln_linear::SGDClassifier`,
/// with everything `partial_fit` needs to continue.
///
/// # Example
/// ```
/// use kiln_core::{Fit, PredictProba};
/// use kiln_linear::sgd::{ClassifierLoss, SGDClassifier};
/// use ndarray::array;
///
/// let x = array![[0.0], [0.2], [2.0], [2.2], [4.0], [4.2]];
/// let y = array![0, 0, 2, 2, 5, 5]; // class indices may have gaps
/// let model = SGDClassifier::default()
///     .with_loss(ClassifierLoss::LogLoss)
///     .fit(x.view(), y.view())?
///     .with_feature_names(vec!["dose".into()])?;
/// assert_eq!(model.classes(), &[0, 2, 5]);
/// assert_eq!(model.coef().dim(), (3, 1)); // one-versus-rest: one row per class
/// assert_eq!(model.named_coef()[0][0].name, "dose");
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedSGDClassifier {
    pub(super) params: SGDClassifier,
    pub(super) classes: Vec<usize>,
    /// The SGD iterate (scikit-learn's `_standard_coef`).
    pub(super) coef: Array2<f64>,
    pub(super) intercept: Array1<f64>,
    /// The averaged iterate; empty (0 rows) without averaging.
    pub(super) avg_coef: Array2<f64>,
    pub(super) avg_intercept: Array1<f64>,
    pub(super) t: f64,
    pub(super) n_iter: usize,
    pub(super) converged: bool,
    pub(super) names: FeatureNames,
}

impl FittedSGDClassifier {
    /// A model at its starting point: zero coefficients, `t = 1`.
    pub(super) fn empty(params: SGDClassifier, classes: Vec<usize>, n_features: usize) -> Self {
        let (coef, intercept) = zeros(classes.len(), n_features);
        let (avg_coef, avg_intercept) = if params.average > 0 {
            (coef.clone(), intercept.clone())
        } else {
            (Array2::zeros((0, n_features)), Array1::zeros(0))
        };
        Self {
            params,
            classes,
            coef,
            intercept,
            avg_coef,
            avg_intercept,
            t: 1.0,
            n_iter: 0,
            converged: false,
            names: FeatureNames::default(),
        }
    }

    /// Runs one more epoch over a batch (scikit-learn's later `partial_fit(X, y)` calls).
    ///
    /// The batch may hold any of the model's classes. Shuffling (when on) draws from a seed
    /// derived from `seed` and the update count, so the same sequence of batches gives the
    /// same model. On error the model is unchanged.
    ///
    /// # Errors
    /// [`Error::FeatureCountMismatch`] for a different number of features;
    /// [`Error::EmptyInput`], [`Error::NonFinite`] or [`Error::ShapeMismatch`] for bad data
    /// or sample weights; [`Error::UnknownLabel`] for a class the model does not know;
    /// [`Error::InvalidParameter`] when the model was fitted with [`ClassWeight::Balanced`]
    /// (see [`SGDClassifier::partial_fit`]); [`Error::InvalidValue`] on overflow.
    pub fn partial_fit(
        &mut self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, usize>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<()> {
        check::check_n_features(SGDClassifier::NAME, self.n_features_in(), x)?;
        if self.params.class_weight == ClassWeight::Balanced {
            return Err(Error::invalid_param(
                SGDClassifier::NAME,
                "class_weight",
                "cannot be Balanced in partial_fit: one batch does not give the class \
                 frequencies; compute them on the whole target and pass ClassWeight::Custom",
            ));
        }
        check_data(x, y.len(), sample_weight)?;
        train(self, x, y, sample_weight, 1)
    }

    /// The params it was fitted with.
    pub fn params(&self) -> &SGDClassifier {
        &self.params
    }

    /// The coefficients (scikit-learn's `coef_`): `1 × n_features` for two classes (positive
    /// values favour the larger class index), one row per class otherwise. With averaging,
    /// the averaged coefficients once averaging has started.
    pub fn coef(&self) -> &Array2<f64> {
        if use_average(self.params.average, self.t) {
            &self.avg_coef
        } else {
            &self.coef
        }
    }

    /// The intercepts (`intercept_`), one per row of [`Self::coef`].
    pub fn intercept(&self) -> &Array1<f64> {
        if use_average(self.params.average, self.t) {
            &self.avg_intercept
        } else {
            &self.intercept
        }
    }

    /// The number of epochs of the last `fit` or `partial_fit` call (`n_iter_`; the largest
    /// over the binary problems of a multiclass fit).
    pub fn n_iter(&self) -> usize {
        self.n_iter
    }

    /// The update count plus one (scikit-learn's `t_`): `1 + epochs · n_samples` summed
    /// over the calls, which the learning-rate schedules continue from.
    pub fn t(&self) -> f64 {
        self.t
    }

    /// Whether the stopping rule ended the last call before its epoch budget (for every
    /// binary problem). Always `false` with `tol = None` and after `partial_fit`.
    pub fn converged(&self) -> bool {
        self.converged
    }

    /// Attaches feature names, in column order; they label [`Self::named_coef`] and are
    /// saved in the model's feature schema.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when the number of names differs from the number of features.
    pub fn with_feature_names(mut self, names: Vec<String>) -> Result<Self> {
        self.names.set(names, self.coef.ncols())?;
        Ok(self)
    }

    /// The feature names, when given.
    pub fn feature_names(&self) -> Option<&[String]> {
        self.names.get()
    }

    /// Each row of [`Self::coef`] with the feature names (`x0`, `x1`, ... when unnamed).
    pub fn named_coef(&self) -> Vec<Vec<NamedCoef>> {
        self.coef()
            .rows()
            .into_iter()
            .map(|row| self.names.named(row))
            .collect()
    }

    /// The scores `X·Wᵀ + b` (scikit-learn's `decision_function`): one column for two
    /// classes, one per class otherwise.
    ///
    /// # Errors
    /// As [`Predict::predict`].
    pub fn decision_function(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        check::check_predict_x(
            SGDClassifier::NAME,
            self.n_features_in(),
            x,
            NanPolicy::Reject,
        )?;
        let coef = self.coef();
        let mut z = Array2::<f64>::zeros((x.nrows(), coef.nrows()));
        general_mat_mul(1.0, &x, &coef.t(), 0.0, &mut z);
        z += self.intercept();
        Ok(z)
    }
}

impl Fitted for FittedSGDClassifier {
    fn n_features_in(&self) -> usize {
        self.coef.ncols()
    }
}

impl Predict for FittedSGDClassifier {
    type Output = usize;

    /// The class with the largest score (the larger class index when the binary score is
    /// positive); ties go to the lowest class index.
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<usize>> {
        let z = self.decision_function(x)?;
        let binary = self.classes.len() == 2;
        Ok(z.rows()
            .into_iter()
            .map(|row| {
                if binary {
                    return self.classes[usize::from(row[0] > 0.0)];
                }
                let mut best = 0;
                for (j, &v) in row.iter().enumerate() {
                    if v > row[best] {
                        best = j;
                    }
                }
                self.classes[best]
            })
            .collect())
    }
}

impl PredictProba for FittedSGDClassifier {
    fn classes(&self) -> &[usize] {
        &self.classes
    }

    /// Probabilities for [`ClassifierLoss::LogLoss`] (the sigmoid of the score; with more
    /// classes, the one-versus-rest sigmoids divided by their sum) and
    /// [`ClassifierLoss::ModifiedHuber`] (`(clip(score, −1, 1) + 1) / 2`, normalized the same
    /// way, uniform when every class gets 0), as scikit-learn.
    ///
    /// # Errors
    /// [`Error::Unsupported`] for the other losses (their scores are not probabilities;
    /// calibrate them instead), then as [`Predict::predict`].
    fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let loss = self.params.loss;
        if !matches!(
            loss,
            ClassifierLoss::LogLoss | ClassifierLoss::ModifiedHuber
        ) {
            return Err(Error::Unsupported {
                estimator: SGDClassifier::NAME.into(),
                what: format!(
                    "predict_proba with loss {loss:?} (only LogLoss and ModifiedHuber give \
                     probabilities)"
                ),
            });
        }
        let z = self.decision_function(x)?;
        let to_prob = |s: f64| match loss {
            ClassifierLoss::LogLoss => 1.0 / (1.0 + (-s).exp()),
            _ => (s.clamp(-1.0, 1.0) + 1.0) / 2.0,
        };
        let k = self.classes.len();
        let mut proba = Array2::<f64>::zeros((x.nrows(), k));
        for (zr, mut pr) in z.rows().into_iter().zip(proba.rows_mut()) {
            if k == 2 {
                let p1 = to_prob(zr[0]);
                pr[0] = 1.0 - p1;
                pr[1] = p1;
                continue;
            }
            let mut sum = 0.0;
            for (p, &s) in pr.iter_mut().zip(zr) {
                *p = to_prob(s);
                sum += *p;
            }
            if sum > 0.0 {
                pr.mapv_inplace(|p| p / sum);
            } else {
                pr.fill(1.0 / k as f64);
            }
        }
        Ok(proba)
    }
}

impl Persist for FittedSGDClassifier {
    const KIND: &'static str = "kiln_linear::SGDClassifier";
    type Params = SGDClassifier;

    fn params(&self) -> &SGDClassifier {
        &self.params
    }

    fn feature_schema(&self) -> FeatureSchema {
        self.names.schema(self.coef.ncols())
    }

    fn check_loaded(&self) -> Result<()> {
        let (rows, cols) = self.coef.dim();
        crate::predict::check_loaded_shapes(cols, rows, self.intercept.len(), cols)?;
        // The averaged coefficients are empty unless averaging is on.
        if !self.avg_coef.is_empty() || !self.avg_intercept.is_empty() {
            crate::predict::check_loaded_shapes(
                self.avg_coef.ncols(),
                self.avg_coef.nrows(),
                self.avg_intercept.len(),
                cols,
            )?;
        }
        crate::predict::check_loaded_classes(self.classes.len(), rows)
    }
}
