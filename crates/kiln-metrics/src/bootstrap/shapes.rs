//! [`Bootstrap`] for metrics of the usual `(y_true, y, sample_weight)` shapes: the resampled
//! rows of each array are gathered and handed to the metric.

use kiln_core::Result;
use ndarray::{Array1, ArrayView1, ArrayView2, Axis};

use super::{Bootstrap, Interval};
use crate::input::check_pair;

/// The elements of `a` at `rows`.
fn gather<T: Copy>(a: ArrayView1<'_, T>, rows: &[usize]) -> Array1<T> {
    rows.iter().map(|&i| a[i]).collect()
}

/// Checks that the weights, if any, have one value per row (their values are the metric's
/// business, checked when it runs on all rows).
fn check_weight_len(sample_weight: Option<ArrayView1<'_, f64>>, n: usize) -> Result<()> {
    match sample_weight {
        None => Ok(()),
        Some(w) => kiln_core::check::check_same_len(
            "length of sample_weight against y_true in Bootstrap",
            n,
            w.len(),
        ),
    }
}

impl Bootstrap {
    /// The interval of a metric of class labels and a probability matrix, e.g.
    /// [`log_loss`](crate::classification::log_loss): `metric(y_true, proba, sample_weight)`
    /// on the resampled rows.
    ///
    /// # Errors
    /// As [`Bootstrap::interval_paired`] (the rows of `proba` must match `y_true`).
    pub fn interval_proba<F>(
        &self,
        y_true: ArrayView1<'_, usize>,
        proba: ArrayView2<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
        metric: F,
    ) -> Result<Interval>
    where
        F: Fn(
                ArrayView1<'_, usize>,
                ArrayView2<'_, f64>,
                Option<ArrayView1<'_, f64>>,
            ) -> Result<f64>
            + Sync,
    {
        let n = check_pair("Bootstrap", y_true, y_true, "y_true")?;
        kiln_core::check::check_same_len(
            "rows of proba against y_true in Bootstrap",
            n,
            proba.nrows(),
        )?;
        check_weight_len(sample_weight, n)?;
        self.interval(n, |rows| {
            let w = sample_weight.map(|w| gather(w, rows));
            metric(
                gather(y_true, rows).view(),
                proba.select(Axis(0), rows).view(),
                w.as_ref().map(|w| w.view()),
            )
        })
    }

    /// The interval of a metric of two arrays, `metric(y_true, y, sample_weight)` on the
    /// resampled rows (weights travel with their rows): class labels and predictions
    /// ([`accuracy`](crate::classification::accuracy)), labels and scores
    /// ([`roc_auc`](crate::ranking::roc_auc); a resample holding one class makes AUC fail and
    /// is counted in [`Interval::n_failed`], stratify by `y_true` to avoid it), or regression
    /// targets and predictions ([`mean_absolute_error`](crate::regression::mean_absolute_error)).
    ///
    /// # Errors
    /// [`kiln_core::Error::EmptyInput`] or [`kiln_core::Error::ShapeMismatch`] for empty or
    /// mismatched inputs; otherwise as [`Bootstrap::interval`].
    pub fn interval_paired<A, B, F>(
        &self,
        y_true: ArrayView1<'_, A>,
        other: ArrayView1<'_, B>,
        sample_weight: Option<ArrayView1<'_, f64>>,
        metric: F,
    ) -> Result<Interval>
    where
        A: Copy + Sync,
        B: Copy + Sync,
        F: Fn(ArrayView1<'_, A>, ArrayView1<'_, B>, Option<ArrayView1<'_, f64>>) -> Result<f64>
            + Sync,
    {
        let n = check_pair("Bootstrap", y_true, other, "the second array")?;
        check_weight_len(sample_weight, n)?;
        self.interval(n, |rows| {
            let w = sample_weight.map(|w| gather(w, rows));
            metric(
                gather(y_true, rows).view(),
                gather(other, rows).view(),
                w.as_ref().map(|w| w.view()),
            )
        })
    }
}
