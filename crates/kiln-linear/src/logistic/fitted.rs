//! [`FittedLogisticRegression`]: coefficients, predictions and persistence.

use kiln_core::persist::{FeatureSchema, Persist};
use kiln_core::{Fitted, Params, Predict, PredictProba, Result};
use ndarray::{Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use super::LogisticRegression;
use super::loss::{sigmoid, softmax_into};
use crate::NamedCoef;
use crate::common::FeatureNames;

/// A fitted [`LogisticRegression`].
///
/// # Example
/// ```
/// use kiln_core::{Fit, PredictProba};
/// use kiln_linear::logistic::LogisticRegression;
/// use ndarray::array;
///
/// let x = array![[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]];
/// let y = array![0, 0, 2, 2, 5, 5]; // class indices may have gaps
/// let model = LogisticRegression::default()
///     .fit(x.view(), y.view())?
///     .with_feature_names(vec!["dose".into()])?;
/// assert_eq!(model.classes(), &[0, 2, 5]);
/// assert_eq!(model.coef().dim(), (3, 1)); // multinomial: one row per class
/// assert_eq!(model.named_coef()[0][0].name, "dose");
/// assert!(model.intercept().sum().abs() < 1e-12);
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedLogisticRegression {
    params: LogisticRegression,
    classes: Vec<usize>,
    coef: Array2<f64>,
    intercept: Array1<f64>,
    n_iter: usize,
    converged: bool,
    names: FeatureNames,
}

impl FittedLogisticRegression {
    pub(super) fn new(
        params: LogisticRegression,
        classes: Vec<usize>,
        coef: Array2<f64>,
        intercept: Array1<f64>,
        n_iter: usize,
        converged: bool,
    ) -> Self {
        Self {
            params,
            classes,
            coef,
            intercept,
            n_iter,
            converged,
            names: FeatureNames::default(),
        }
    }

    /// Attaches feature names, in column order; they label [`Self::named_coef`] and are
    /// saved in the model's feature schema.
    ///
    /// # Errors
    /// [`kiln_core::Error::ShapeMismatch`] when the number of names differs from the number
    /// of features.
    pub fn with_feature_names(mut self, names: Vec<String>) -> Result<Self> {
        self.names.set(names, self.coef.ncols())?;
        Ok(self)
    }

    /// The feature names, when given.
    pub fn feature_names(&self) -> Option<&[String]> {
        self.names.get()
    }

    /// The params it was fitted with.
    pub fn params(&self) -> &LogisticRegression {
        &self.params
    }

    /// The coefficients (scikit-learn's `coef_`): `1 × n_features` for two classes (the
    /// log-odds of the larger class index), `n_classes × n_features` otherwise.
    pub fn coef(&self) -> &Array2<f64> {
        &self.coef
    }

    /// The intercepts (`intercept_`), one per row of [`Self::coef`]; zeros without
    /// `fit_intercept`.
    pub fn intercept(&self) -> &Array1<f64> {
        &self.intercept
    }

    /// Each row of [`Self::coef`] with the feature names (`x0`, `x1`, ... when unnamed).
    pub fn named_coef(&self) -> Vec<Vec<NamedCoef>> {
        self.coef
            .rows()
            .into_iter()
            .map(|row| self.names.named(row))
            .collect()
    }

    /// The number of solver iterations run (Newton, proximal Newton or L-BFGS).
    pub fn n_iter(&self) -> usize {
        self.n_iter
    }

    /// Whether the solver reached `tol` within `max_iter` iterations.
    pub fn converged(&self) -> bool {
        self.converged
    }

    /// The linear predictors `X·Wᵀ + b` (scikit-learn's `decision_function`): one column for
    /// two classes (positive values favour the larger class index), one per class otherwise.
    ///
    /// # Errors
    /// As [`Predict::predict`].
    pub fn decision_function(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        crate::predict::checked_linear_multi(
            LogisticRegression::NAME,
            x,
            self.coef.view(),
            self.intercept.view(),
        )
    }
}

impl Fitted for FittedLogisticRegression {
    fn n_features_in(&self) -> usize {
        self.coef.ncols()
    }
}

impl Predict for FittedLogisticRegression {
    type Output = usize;

    /// The class with the largest decision value (binary: the larger class when the decision
    /// value is positive), as scikit-learn does; the probabilities are monotone in the decision
    /// values, so this is the arg-max of [`PredictProba::predict_proba`] (up to rounding when
    /// two classes are within an ulp of each other). Ties go to the lowest class index.
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<usize>> {
        let z = self.decision_function(x)?;
        Ok(z.rows()
            .into_iter()
            .map(|row| {
                let best = if row.len() == 1 {
                    usize::from(row[0] > 0.0)
                } else {
                    let mut best = 0;
                    for (j, &v) in row.iter().enumerate() {
                        if v > row[best] {
                            best = j;
                        }
                    }
                    best
                };
                self.classes[best]
            })
            .collect())
    }
}

impl PredictProba for FittedLogisticRegression {
    fn classes(&self) -> &[usize] {
        &self.classes
    }

    fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let z = self.decision_function(x)?;
        let mut proba = Array2::<f64>::zeros((x.nrows(), self.classes.len()));
        if self.classes.len() == 2 {
            for (zr, mut pr) in z.rows().into_iter().zip(proba.rows_mut()) {
                let p1 = sigmoid(zr[0]);
                pr[0] = 1.0 - p1;
                pr[1] = p1;
            }
        } else {
            for (zr, pr) in z.axis_iter(Axis(0)).zip(proba.axis_iter_mut(Axis(0))) {
                softmax_into(zr, pr);
            }
        }
        Ok(proba)
    }
}

impl Persist for FittedLogisticRegression {
    const KIND: &'static str = "kiln_linear::LogisticRegression";
    type Params = LogisticRegression;

    fn params(&self) -> &LogisticRegression {
        &self.params
    }

    fn feature_schema(&self) -> FeatureSchema {
        self.names.schema(self.coef.ncols())
    }

    fn check_loaded(&self) -> Result<()> {
        let (rows, cols) = self.coef.dim();
        crate::predict::check_loaded_shapes(cols, rows, self.intercept.len(), cols)?;
        crate::predict::check_loaded_classes(self.classes.len(), rows)
    }
}
