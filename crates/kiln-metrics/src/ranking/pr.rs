//! The precision-recall curve and average precision.

use kiln_core::Result;
use ndarray::{Array1, ArrayView1};

use super::check_binary_scores;
use super::counts::{ThresholdCounts, threshold_counts};

/// A precision-recall curve, as scikit-learn's `precision_recall_curve` returns it.
///
/// Entry `i` (for `i < thresholds.len()`) is the classifier "positive when
/// `score >= thresholds[i]`"; thresholds increase, recall decreases. The last entry of
/// `precision` and `recall` is the extra point `(recall 0, precision 1)`, which has no
/// threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct PrecisionRecallCurve {
    /// Precision at each threshold, then 1. A threshold with nothing predicted positive has
    /// precision 0 (scikit-learn's convention).
    pub precision: Array1<f64>,
    /// Recall at each threshold (decreasing), then 0. All 1 when `y_true` has no positive
    /// sample (scikit-learn warns and does the same).
    pub recall: Array1<f64>,
    /// Increasing thresholds: the distinct scores.
    pub thresholds: Array1<f64>,
}

/// The precision-recall curve of binary scores (scikit-learn's `precision_recall_curve`).
///
/// # Parameters
/// - `y_true`: classes in {0, 1}, 1 = positive.
/// - `y_score`: scores of the positive class; higher means more likely positive.
/// - `drop_intermediate`: keep only the first and last threshold of each run of equal recall
///   (vertical segments of the plot); scikit-learn's default is `false`.
/// - `sample_weight`: optional non-negative weights; zero-weight samples are ignored.
///
/// # Errors
/// [`kiln_core::Error::EmptyInput`], [`kiln_core::Error::ShapeMismatch`],
/// [`kiln_core::Error::NonFinite`] for NaN or infinite scores,
/// [`kiln_core::Error::InvalidValue`] for a target outside {0, 1} or a bad weight.
///
/// # Example
/// ```
/// use kiln_metrics::ranking::precision_recall_curve;
/// use ndarray::array;
///
/// let pr = precision_recall_curve(
///     array![0, 0, 1, 1].view(), array![0.1, 0.4, 0.35, 0.8].view(), false, None)?;
/// assert_eq!(pr.recall.to_vec(), vec![1.0, 1.0, 0.5, 0.5, 0.0]);
/// assert_eq!(pr.thresholds.to_vec(), vec![0.1, 0.35, 0.4, 0.8]);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn precision_recall_curve(
    y_true: ArrayView1<'_, usize>,
    y_score: ArrayView1<'_, f64>,
    drop_intermediate: bool,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<PrecisionRecallCurve> {
    check_binary_scores("precision_recall_curve", y_true, y_score, sample_weight)?;
    let c = threshold_counts(y_true, y_score, sample_weight.as_ref());
    let m = c.tps.len();
    let t = &c.tps;
    let keep: Vec<usize> = if drop_intermediate && m > 2 {
        (0..m)
            .filter(|&i| i == 0 || i == m - 1 || t[i] - t[i - 1] != 0.0 || t[i + 1] - t[i] != 0.0)
            .collect()
    } else {
        (0..m).collect()
    };
    let mut precision = Vec::with_capacity(keep.len() + 1);
    let mut recall = Vec::with_capacity(keep.len() + 1);
    let mut thresholds = Vec::with_capacity(keep.len());
    for &i in keep.iter().rev() {
        let (p, r) = precision_recall_at(&c, i);
        precision.push(p);
        recall.push(r);
        thresholds.push(c.thresholds[i]);
    }
    precision.push(1.0);
    recall.push(0.0);
    Ok(PrecisionRecallCurve {
        precision: Array1::from(precision),
        recall: Array1::from(recall),
        thresholds: Array1::from(thresholds),
    })
}

/// (precision, recall) at distinct threshold `i`, with scikit-learn's conventions for empty
/// denominators (precision 0, recall 1).
fn precision_recall_at(c: &ThresholdCounts, i: usize) -> (f64, f64) {
    let (tp, ps) = (c.tps[i], c.tps[i] + c.fps[i]);
    let precision = if ps != 0.0 { tp / ps } else { 0.0 };
    let total = c.total_pos();
    let recall = if total == 0.0 { 1.0 } else { tp / total };
    (precision, recall)
}

/// Average precision of binary scores (scikit-learn's `average_precision_score`).
///
/// `AP = Σₙ (Rₙ − Rₙ₋₁) Pₙ` over the distinct thresholds from the highest score down, with
/// `R₋₁ = 0`: precision weighted by the increase in recall, a step-wise integral of the
/// precision-recall curve, not the (optimistic) trapezoidal or interpolated one.
///
/// # Parameters
/// As [`precision_recall_curve`] (all thresholds are used).
///
/// # Errors
/// As [`precision_recall_curve`].
///
/// # Notes
/// With no positive sample scikit-learn warns and returns 0 (recall is taken as 1 and every
/// precision is 0); kiln returns 0 too. With only positives the result is 1.
///
/// # References
/// Zhu, M. (2004). Recall, precision and average precision. University of Waterloo;
/// scikit-learn's user guide, "Precision, recall and F-measures".
///
/// # Example
/// ```
/// use kiln_metrics::ranking::average_precision;
/// use ndarray::array;
///
/// let ap = average_precision(array![0, 0, 1, 1].view(), array![0.1, 0.4, 0.35, 0.8].view(), None)?;
/// assert!((ap - 0.8333333333333333).abs() < 1e-15);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn average_precision(
    y_true: ArrayView1<'_, usize>,
    y_score: ArrayView1<'_, f64>,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    check_binary_scores("average_precision", y_true, y_score, sample_weight)?;
    let c = threshold_counts(y_true, y_score, sample_weight.as_ref());
    let mut ap = 0.0;
    let mut r0 = 0.0;
    for i in 0..c.tps.len() {
        let (p, r) = precision_recall_at(&c, i);
        ap += (r - r0) * p;
        r0 = r;
    }
    // scikit-learn clips a rounding -0.0 to 0.
    Ok(ap.max(0.0))
}
