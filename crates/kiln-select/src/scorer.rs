//! Scorers: a named metric applied to a fitted model on `(X, y)`, with the direction that
//! counts as better.
//!
//! Cross-validation, parameter search, curves and permutation importance all take scorers,
//! so any metric (built-in or a closure) works with any model. A scorer keeps a metric's
//! natural sign: mean squared error is reported as an error, with [`Direction::Minimize`],
//! rather than negated as scikit-learn's `neg_mean_squared_error`.
//!
//! ```
//! use kiln_core::{Fit, Predict};
//! use kiln_linear::LinearRegression;
//! use kiln_select::scorer::{Direction, Scorer};
//! use ndarray::array;
//!
//! let x = array![[0.0], [1.0], [2.0], [3.0]];
//! let y = array![1.0, 3.0, 5.0, 7.0];
//! let model = LinearRegression::default().fit(x.view(), y.view())?;
//! // Any closure over the model's predictions is a scorer.
//! let max_error = Scorer::from_predictions("max_error", Direction::Minimize, |y, p, _w| {
//!     Ok(y.iter().zip(p).map(|(a, b): (&f64, &f64)| (a - b).abs()).fold(0.0, f64::max))
//! });
//! assert!(max_error.score(&model, x.view(), y.view(), None)? < 1e-12);
//! # Ok::<(), kiln_core::Error>(())
//! ```

use std::fmt;
use std::sync::Arc;

use kiln_core::{Predict, Result};
use ndarray::{ArrayView1, ArrayView2};

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

/// A named metric of a fitted model `M` on data with targets of type `T`.
///
/// Cheap to clone (the function is shared).
pub struct Scorer<M, T> {
    name: String,
    direction: Direction,
    score: Arc<ScoreFn<M, T>>,
}

impl<M, T> Clone for Scorer<M, T> {
    fn clone(&self) -> Self {
        Self {
            name: self.name.clone(),
            direction: self.direction,
            score: Arc::clone(&self.score),
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
        Self::new(name, direction, move |model: &M, x, y, w| {
            let pred = model.predict(x)?;
            metric(y, pred.view(), w)
        })
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

    /// Whether score `a` is strictly better than `b` under this scorer's direction
    /// (NaN is never better).
    pub fn is_better(&self, a: f64, b: f64) -> bool {
        match self.direction {
            Direction::Maximize => a > b || (b.is_nan() && !a.is_nan()),
            Direction::Minimize => a < b || (b.is_nan() && !a.is_nan()),
        }
    }
}
