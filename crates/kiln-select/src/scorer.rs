//! Scorers: a named metric applied to a fitted model on `(X, y)`, with the direction that
//! counts as better.
//!
//! Cross-validation, parameter search, curves and permutation importance all take scorers,
//! so any metric (built-in or a closure) works with any model. A scorer keeps a metric's
//! natural sign: mean squared error is reported as an error, with [`Direction::Minimize`],
//! rather than negated as scikit-learn's `neg_mean_squared_error`.
//!
//! The built-in scorers ([`accuracy`], [`f1`], [`roc_auc`], [`log_loss`], [`r2`],
//! [`mean_squared_error`], ...) wrap the kiln-metrics functions of the same names; classifier
//! scorers built on probabilities place each probability column at its class index, so a
//! model fitted on a fold that never saw a class still scores.
//!
//! ```
//! use kiln_core::{Fit, Predict};
//! use kiln_linear::LinearRegression;
//! use kiln_select::scorer::{self, Direction, Scorer};
//! use ndarray::array;
//!
//! let x = array![[0.0], [1.0], [2.0], [3.0]];
//! let y = array![1.0, 3.0, 5.0, 7.0];
//! let model = LinearRegression::default().fit(x.view(), y.view())?;
//! let r2 = scorer::r2();
//! assert!((r2.score(&model, x.view(), y.view(), None)? - 1.0).abs() < 1e-12);
//! assert_eq!(r2.direction(), Direction::Maximize);
//!
//! // Any closure over the model's predictions is a scorer too.
//! let max_error = Scorer::from_predictions("max_error", Direction::Minimize, |y, p, _w| {
//!     Ok(y.iter().zip(p).map(|(a, b): (&f64, &f64)| (a - b).abs()).fold(0.0, f64::max))
//! });
//! assert!(max_error.score(&model, x.view(), y.view(), None)? < 1e-12);
//! # Ok::<(), kiln_core::Error>(())
//! ```

use std::fmt;
use std::sync::Arc;

use kiln_core::{Error, Predict, PredictProba, Result};
use kiln_metrics::classification::{self, Average};
use kiln_metrics::ranking::{self, MultiClass};
use kiln_metrics::regression;
use ndarray::{Array2, ArrayView1, ArrayView2};

/// Which way a score is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Higher is better (accuracy, R², AUC).
    Maximize,
    /// Lower is better (errors, losses).
    Minimize,
}

/// The target types a model selection routine handles: class indices or real values.
///
/// Splitters that stratify (`StratifiedKFold`) read class indices; [`Target::class_indices`]
/// gives them for classification targets and `None` for regression targets.
pub trait Target: Copy + Send + Sync + 'static {
    /// The target as class indices, when it is a classification target.
    fn class_indices(y: ArrayView1<'_, Self>) -> Option<ArrayView1<'_, usize>>;
}

impl Target for usize {
    fn class_indices(y: ArrayView1<'_, Self>) -> Option<ArrayView1<'_, usize>> {
        Some(y)
    }
}

impl Target for f64 {
    fn class_indices(_: ArrayView1<'_, Self>) -> Option<ArrayView1<'_, usize>> {
        None
    }
}

/// The function a [`Scorer`] wraps: `(model, x, y, sample_weight) -> score`.
type ScoreFn<M, T> = dyn Fn(&M, ArrayView2<'_, f64>, ArrayView1<'_, T>, Option<ArrayView1<'_, f64>>) -> Result<f64>
    + Send
    + Sync;

/// A score of the rows `rows` of `x` (read in place), with `y` and the weights already
/// taken at those rows.
type RowsScoreFn<M, T> = dyn Fn(
        &M,
        ArrayView2<'_, f64>,
        &[usize],
        ArrayView1<'_, T>,
        Option<ArrayView1<'_, f64>>,
    ) -> Result<f64>
    + Send
    + Sync;

/// A named metric of a fitted model `M` on data with targets of type `T`.
///
/// Cheap to clone (the function is shared).
pub struct Scorer<M, T> {
    name: String,
    direction: Direction,
    score: Arc<ScoreFn<M, T>>,
    /// The same score on rows read in place, for a scorer of predictions of a model that
    /// predicts rows in place ([`Predict::PREDICTS_ROWS_IN_PLACE`]).
    score_rows: Option<Arc<RowsScoreFn<M, T>>>,
}

impl<M, T> Clone for Scorer<M, T> {
    fn clone(&self) -> Self {
        Self {
            name: self.name.clone(),
            direction: self.direction,
            score: Arc::clone(&self.score),
            score_rows: self.score_rows.clone(),
        }
    }
}

impl<M, T> fmt::Debug for Scorer<M, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scorer")
            .field("name", &self.name)
            .field("direction", &self.direction)
            .finish_non_exhaustive()
    }
}

impl<M, T> Scorer<M, T> {
    /// A scorer from a function of the fitted model, `x`, `y` and optional sample weights.
    pub fn new<F>(name: impl Into<String>, direction: Direction, score: F) -> Self
    where
        F: Fn(
                &M,
                ArrayView2<'_, f64>,
                ArrayView1<'_, T>,
                Option<ArrayView1<'_, f64>>,
            ) -> Result<f64>
            + Send
            + Sync
            + 'static,
    {
        Self {
            name: name.into(),
            direction,
            score: Arc::new(score),
            score_rows: None,
        }
    }

    /// A scorer from a metric of `(y_true, y_pred, sample_weight)`, applied to the model's
    /// predictions.
    pub fn from_predictions<F>(name: impl Into<String>, direction: Direction, metric: F) -> Self
    where
        M: Predict,
        F: Fn(
                ArrayView1<'_, T>,
                ArrayView1<'_, M::Output>,
                Option<ArrayView1<'_, f64>>,
            ) -> Result<f64>
            + Send
            + Sync
            + 'static,
    {
        let metric = Arc::new(metric);
        let on_rows = Arc::clone(&metric);
        let mut scorer = Self::new(name, direction, move |model: &M, x, y, w| {
            let pred = model.predict(x)?;
            metric(y, pred.view(), w)
        });
        if M::PREDICTS_ROWS_IN_PLACE {
            scorer.score_rows = Some(Arc::new(move |model: &M, x, rows: &[usize], y, w| {
                let pred = model.predict_rows(x, rows)?;
                on_rows(y, pred.view(), w)
            }));
        }
        scorer
    }

    /// The scorer's name, e.g. `"accuracy"`; it labels the results.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Which way the score is better.
    pub fn direction(&self) -> Direction {
        self.direction
    }

    /// Scores `model` on `x` and `y`.
    ///
    /// # Errors
    /// The model's prediction errors (e.g. a wrong feature count) and the metric's errors.
    pub fn score(
        &self,
        model: &M,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, T>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<f64> {
        (self.score)(model, x, y, sample_weight)
    }

    /// Whether [`Scorer::score_rows`] can read the rows where they are (a scorer of
    /// predictions, of a model that predicts rows in place).
    pub(crate) fn reads_rows_in_place(&self) -> bool {
        self.score_rows.is_some()
    }

    /// Scores `model` on the rows `rows` of `x`, given `y` and the weights at those rows; the
    /// same score as [`Scorer::score`] on the copied rows. Without an in-place path the rows
    /// are copied.
    ///
    /// # Errors
    /// As [`Scorer::score`].
    pub(crate) fn score_rows(
        &self,
        model: &M,
        x: ArrayView2<'_, f64>,
        rows: &[usize],
        y: ArrayView1<'_, T>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<f64> {
        match &self.score_rows {
            Some(f) => f(model, x, rows, y, sample_weight),
            None => {
                kiln_core::check::check_row_indices(x.nrows(), rows)?;
                let xs = x.select(ndarray::Axis(0), rows);
                (self.score)(model, xs.view(), y, sample_weight)
            }
        }
    }

    /// Whether score `a` is strictly better than `b` under this scorer's direction
    /// (NaN is never better).
    pub fn is_better(&self, a: f64, b: f64) -> bool {
        match self.direction {
            Direction::Maximize => a > b || (b.is_nan() && !a.is_nan()),
            Direction::Minimize => a < b || (b.is_nan() && !a.is_nan()),
        }
    }
}

// ---- built-in scorers -------------------------------------------------------------------

/// Accuracy of a classifier's predictions ([`kiln_metrics::classification::accuracy`]).
pub fn accuracy<M: Predict<Output = usize>>() -> Scorer<M, usize> {
    Scorer::from_predictions("accuracy", Direction::Maximize, classification::accuracy)
}

/// Balanced accuracy of a classifier's predictions
/// ([`kiln_metrics::classification::balanced_accuracy`]).
pub fn balanced_accuracy<M: Predict<Output = usize>>() -> Scorer<M, usize> {
    Scorer::from_predictions(
        "balanced_accuracy",
        Direction::Maximize,
        classification::balanced_accuracy,
    )
}

/// F1 score of a classifier's predictions under `average`
/// ([`kiln_metrics::classification::f1`]); named `f1` for [`Average::Binary`], else
/// `f1_macro`, `f1_micro` or `f1_weighted` (scikit-learn's scorer names).
pub fn f1<M: Predict<Output = usize>>(average: Average) -> Scorer<M, usize> {
    Scorer::from_predictions(
        format!("f1{}", average_suffix(average)),
        Direction::Maximize,
        move |y, p, w| classification::f1(y, p, average, w),
    )
}

/// Precision of a classifier's predictions under `average`
/// ([`kiln_metrics::classification::precision`]), named as [`f1`] names its scores.
pub fn precision<M: Predict<Output = usize>>(average: Average) -> Scorer<M, usize> {
    Scorer::from_predictions(
        format!("precision{}", average_suffix(average)),
        Direction::Maximize,
        move |y, p, w| classification::precision(y, p, average, w),
    )
}

/// Recall of a classifier's predictions under `average`
/// ([`kiln_metrics::classification::recall`]), named as [`f1`] names its scores.
pub fn recall<M: Predict<Output = usize>>(average: Average) -> Scorer<M, usize> {
    Scorer::from_predictions(
        format!("recall{}", average_suffix(average)),
        Direction::Maximize,
        move |y, p, w| classification::recall(y, p, average, w),
    )
}

fn average_suffix(average: Average) -> &'static str {
    match average {
        Average::Binary => "",
        Average::Micro => "_micro",
        Average::Macro => "_macro",
        Average::Weighted => "_weighted",
    }
}

/// Area under the ROC curve of a classifier's probabilities: the binary AUC of class 1's
/// column when the classes are {0, 1}, else the one-vs-rest macro AUC
/// ([`kiln_metrics::ranking::roc_auc`], [`kiln_metrics::ranking::roc_auc_multiclass`]).
///
/// The probability columns are placed at their class indices ([`PredictProba::classes`]),
/// so a model fitted on a fold that missed a class still scores.
pub fn roc_auc<M: PredictProba>() -> Scorer<M, usize> {
    Scorer::new("roc_auc", Direction::Maximize, |model: &M, x, y, w| {
        let proba = aligned_proba(model, x, y)?;
        if proba.ncols() == 2 {
            ranking::roc_auc(y, proba.column(1), w)
        } else {
            ranking::roc_auc_multiclass(y, proba.view(), MultiClass::Ovr, Average::Macro, w)
        }
    })
}

/// Average precision of a binary classifier's class-1 probability
/// ([`kiln_metrics::ranking::average_precision`]).
pub fn average_precision<M: PredictProba>() -> Scorer<M, usize> {
    Scorer::new(
        "average_precision",
        Direction::Maximize,
        |model: &M, x, y, w| {
            let proba = aligned_proba(model, x, y)?;
            ranking::average_precision(y, proba.column(binary_column(&proba)?), w)
        },
    )
}

/// Log-loss of a classifier's probabilities ([`kiln_metrics::classification::log_loss`]).
pub fn log_loss<M: PredictProba>() -> Scorer<M, usize> {
    Scorer::new("log_loss", Direction::Minimize, |model: &M, x, y, w| {
        let proba = aligned_proba(model, x, y)?;
        classification::log_loss(y, proba.view(), w)
    })
}

/// Brier score of a binary classifier's class-1 probability
/// ([`kiln_metrics::classification::brier_score`]).
pub fn brier_score<M: PredictProba>() -> Scorer<M, usize> {
    Scorer::new("brier_score", Direction::Minimize, |model: &M, x, y, w| {
        let proba = aligned_proba(model, x, y)?;
        classification::brier_score(y, proba.column(binary_column(&proba)?), w)
    })
}

/// The model's probabilities with column `j` holding class `j`: as many columns as the
/// largest class index seen in the model or in `y`, plus one; classes the model never saw
/// get probability 0.
fn aligned_proba<M: PredictProba>(
    model: &M,
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, usize>,
) -> Result<Array2<f64>> {
    let proba = model.predict_proba(x)?;
    let classes = model.classes();
    let width = classes
        .iter()
        .chain(y.iter())
        .max()
        .map_or(0, |&c| c + 1)
        .max(2);
    if classes.len() == width && classes.iter().enumerate().all(|(j, &c)| j == c) {
        return Ok(proba);
    }
    let mut out = Array2::zeros((proba.nrows(), width));
    for (j, &c) in classes.iter().enumerate() {
        out.column_mut(c).assign(&proba.column(j));
    }
    Ok(out)
}

/// Column 1 of a two-column probability matrix, or an error for a multiclass one.
fn binary_column(proba: &Array2<f64>) -> Result<usize> {
    if proba.ncols() == 2 {
        Ok(1)
    } else {
        Err(Error::InvalidValue {
            what: "probabilities".into(),
            row: None,
            reason: format!(
                "this scorer needs a binary classifier (classes 0 and 1); got {} classes",
                proba.ncols()
            ),
        })
    }
}

/// Coefficient of determination of a regressor's predictions
/// ([`kiln_metrics::regression::r2`]).
pub fn r2<M: Predict<Output = f64>>() -> Scorer<M, f64> {
    Scorer::from_predictions("r2", Direction::Maximize, regression::r2)
}

/// Mean squared error of a regressor's predictions
/// ([`kiln_metrics::regression::mean_squared_error`]).
pub fn mean_squared_error<M: Predict<Output = f64>>() -> Scorer<M, f64> {
    Scorer::from_predictions(
        "mean_squared_error",
        Direction::Minimize,
        regression::mean_squared_error,
    )
}

/// Root mean squared error of a regressor's predictions
/// ([`kiln_metrics::regression::root_mean_squared_error`]).
pub fn root_mean_squared_error<M: Predict<Output = f64>>() -> Scorer<M, f64> {
    Scorer::from_predictions(
        "root_mean_squared_error",
        Direction::Minimize,
        regression::root_mean_squared_error,
    )
}

/// Mean absolute error of a regressor's predictions
/// ([`kiln_metrics::regression::mean_absolute_error`]).
pub fn mean_absolute_error<M: Predict<Output = f64>>() -> Scorer<M, f64> {
    Scorer::from_predictions(
        "mean_absolute_error",
        Direction::Minimize,
        regression::mean_absolute_error,
    )
}

/// Mean absolute percentage error of a regressor's predictions
/// ([`kiln_metrics::regression::mean_absolute_percentage_error`]).
pub fn mean_absolute_percentage_error<M: Predict<Output = f64>>() -> Scorer<M, f64> {
    Scorer::from_predictions(
        "mean_absolute_percentage_error",
        Direction::Minimize,
        regression::mean_absolute_percentage_error,
    )
}
