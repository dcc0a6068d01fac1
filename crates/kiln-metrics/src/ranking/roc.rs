//! The ROC curve and the area under it: binary, partial (McClish-corrected) and multiclass.

use kiln_core::{Error, Result};
use ndarray::{Array1, ArrayView1};

use super::check_binary_scores;
use super::counts::{ThresholdCounts, threshold_counts};
use super::sort::{descending_key, sort_by_key};

/// A receiver operating characteristic curve, as scikit-learn's `roc_curve` returns it.
///
/// Point `i` is the classifier "positive when `score >= thresholds[i]`". The first point is
/// `(0, 0)` at threshold `+inf` (scikit-learn ≥ 1.3), the last is `(1, 1)` at the lowest score.
#[derive(Debug, Clone, PartialEq)]
pub struct RocCurve {
    /// False positive rate at each threshold (increasing); all NaN when `y_true` has no
    /// negative sample (scikit-learn warns and does the same).
    pub fpr: Array1<f64>,
    /// True positive rate at each threshold (increasing); all NaN when `y_true` has no
    /// positive sample.
    pub tpr: Array1<f64>,
    /// Decreasing thresholds: `+inf`, then distinct scores.
    pub thresholds: Array1<f64>,
}

/// The ROC curve of binary scores (scikit-learn's `roc_curve`).
///
/// # Parameters
/// - `y_true`: classes in {0, 1}, 1 = positive.
/// - `y_score`: scores of the positive class (probabilities or any decision values); higher
///   means more likely positive.
/// - `drop_intermediate`: drop points collinear with their neighbours, which never change the
///   plotted curve or its area (scikit-learn's default is `true`).
/// - `sample_weight`: optional non-negative weights; zero-weight samples are ignored.
///
/// # Errors
/// [`Error::EmptyInput`], [`Error::ShapeMismatch`], [`Error::NonFinite`] for NaN or infinite
/// scores, [`Error::InvalidValue`] for a target outside {0, 1} or a bad weight.
///
/// # Notes
/// Sorts once (a linear-time radix sort on the scores). With a single class the rate of the
/// missing class is NaN, as in scikit-learn (which also warns).
///
/// # Example
/// ```
/// use kiln_metrics::ranking::roc_curve;
/// use ndarray::array;
///
/// let roc = roc_curve(array![0, 0, 1, 1].view(), array![0.1, 0.4, 0.35, 0.8].view(), true, None)?;
/// assert_eq!(roc.fpr.to_vec(), vec![0.0, 0.0, 0.5, 0.5, 1.0]);
/// assert_eq!(roc.tpr.to_vec(), vec![0.0, 0.5, 0.5, 1.0, 1.0]);
/// assert_eq!(roc.thresholds[0], f64::INFINITY);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn roc_curve(
    y_true: ArrayView1<'_, usize>,
    y_score: ArrayView1<'_, f64>,
    drop_intermediate: bool,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<RocCurve> {
    check_binary_scores("roc_curve", y_true, y_score, sample_weight)?;
    let c = threshold_counts(y_true, y_score, sample_weight.as_ref());
    Ok(curve_from_counts(&c, drop_intermediate))
}

fn curve_from_counts(c: &ThresholdCounts, drop_intermediate: bool) -> RocCurve {
    let m = c.tps.len();
    let keep: Vec<usize> = if drop_intermediate && m > 2 {
        // A point is kept where the second difference of fps or tps is non-zero (a corner),
        // computed as scikit-learn's `np.diff(_, 2)` does.
        let corner = |v: &[f64], i: usize| (v[i + 1] - v[i]) - (v[i] - v[i - 1]) != 0.0;
        (0..m)
            .filter(|&i| i == 0 || i == m - 1 || corner(&c.fps, i) || corner(&c.tps, i))
            .collect()
    } else {
        (0..m).collect()
    };
    let (p, n) = (c.total_pos(), c.total_neg());
    let rate = |v: f64, total: f64| if total <= 0.0 { f64::NAN } else { v / total };
    let mut fpr = Vec::with_capacity(keep.len() + 1);
    let mut tpr = Vec::with_capacity(keep.len() + 1);
    let mut thresholds = Vec::with_capacity(keep.len() + 1);
    fpr.push(rate(0.0, n));
    tpr.push(rate(0.0, p));
    thresholds.push(f64::INFINITY);
    for &i in &keep {
        fpr.push(rate(c.fps[i], n));
        tpr.push(rate(c.tps[i], p));
        thresholds.push(c.thresholds[i]);
    }
    RocCurve {
        fpr: Array1::from(fpr),
        tpr: Array1::from(tpr),
        thresholds: Array1::from(thresholds),
    }
}

/// Area under the ROC curve of binary scores (scikit-learn's `roc_auc_score` for binary
/// `y_true`).
///
/// The probability that a random positive scores above a random negative, ties counting one
/// half (Mann–Whitney U / (P·N)), computed by the trapezoidal rule over the curve.
///
/// # Parameters
/// As [`roc_curve`].
///
/// # Errors
/// As [`roc_curve`], and [`Error::SingleClass`] when `y_true` (restricted to samples of
/// non-zero weight) holds only one class. scikit-learn 1.9 warns and returns NaN there (older
/// versions raised `ValueError`); kiln returns the error.
///
/// # Notes
/// Without weights the area is accumulated in exact integer arithmetic (twice the area in units
/// of one positive-negative pair) and divided once, so the result is the correctly rounded
/// Mann–Whitney statistic and does not depend on summation order or thread count. Time is
/// O(n): one radix sort of the positives' and one of the negatives' scores, then one merge.
///
/// # References
/// Fawcett, T. (2006). An introduction to ROC analysis. *Pattern Recognition Letters* 27(8).
///
/// # Example
/// ```
/// use kiln_metrics::ranking::roc_auc;
/// use ndarray::array;
///
/// let auc = roc_auc(array![0, 0, 1, 1].view(), array![0.1, 0.4, 0.35, 0.8].view(), None)?;
/// assert_eq!(auc, 0.75);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn roc_auc(
    y_true: ArrayView1<'_, usize>,
    y_score: ArrayView1<'_, f64>,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    check_binary_scores("roc_auc", y_true, y_score, sample_weight)?;
    match sample_weight {
        None => unweighted_auc(y_true, y_score),
        Some(w) => {
            let c = threshold_counts(y_true, y_score, Some(&w));
            check_two_classes("roc_auc", &c)?;
            Ok(trapezoid_auc(&c))
        }
    }
}

/// `SingleClass` when the positives or the negatives weigh nothing.
fn check_two_classes(metric: &str, c: &ThresholdCounts) -> Result<()> {
    if c.total_pos() > 0.0 && c.total_neg() > 0.0 {
        return Ok(());
    }
    let class = if c.total_pos() > 0.0 { 1 } else { 0 };
    Err(single_class(metric, class))
}

pub(super) fn single_class(metric: &str, class: usize) -> Error {
    Error::SingleClass {
        estimator: metric.to_owned(),
        class: class.to_string(),
    }
}

/// Trapezoidal area under the (unnormalized) count curve, divided by P·N.
fn trapezoid_auc(c: &ThresholdCounts) -> f64 {
    let (mut area, mut tp0, mut fp0) = (0.0, 0.0, 0.0);
    for (&tp, &fp) in c.tps.iter().zip(&c.fps) {
        area += (fp - fp0) * (tp + tp0);
        tp0 = tp;
        fp0 = fp;
    }
    area / 2.0 / (c.total_pos() * c.total_neg())
}

/// AUC without weights: positives' and negatives' keys are radix-sorted apart (no index
/// payload to move) and merged; every count is an integer, so the area is exact.
fn unweighted_auc(y_true: ArrayView1<'_, usize>, y_score: ArrayView1<'_, f64>) -> Result<f64> {
    let n_pos = y_true.iter().filter(|&&c| c == 1).count();
    let n_neg = y_true.len() - n_pos;
    if n_pos == 0 || n_neg == 0 {
        return Err(single_class("roc_auc", if n_pos == 0 { 0 } else { 1 }));
    }
    let mut pos: Vec<u64> = Vec::with_capacity(n_pos);
    let mut neg: Vec<u64> = Vec::with_capacity(n_neg);
    for (&c, &s) in y_true.iter().zip(y_score.iter()) {
        if c == 1 {
            pos.push(descending_key(s));
        } else {
            neg.push(descending_key(s));
        }
    }
    sort_by_key(&mut pos);
    sort_by_key(&mut neg);
    Ok(merged_auc(&pos, &neg))
}

/// Walks two ascending key lists (descending scores) together, one step per distinct score.
fn merged_auc(pos: &[u64], neg: &[u64]) -> f64 {
    let (mut i, mut j) = (0usize, 0usize);
    // Twice the area in units of one (positive, negative) pair: sum of dfp · (tp0 + tp1).
    let mut area2: u128 = 0;
    while j < neg.len() {
        let key = neg[j];
        // Positives scored above this negative move the curve up only.
        while i < pos.len() && pos[i] < key {
            i += 1;
        }
        let tp0 = i;
        while i < pos.len() && pos[i] == key {
            i += 1;
        }
        let j0 = j;
        while j < neg.len() && neg[j] == key {
            j += 1;
        }
        area2 += (j - j0) as u128 * (tp0 + i) as u128;
    }
    area2 as f64 / (2.0 * pos.len() as f64 * neg.len() as f64)
}

/// Partial area under the ROC curve up to `max_fpr`, McClish-standardized, as scikit-learn's
/// `roc_auc_score(..., max_fpr=...)`.
///
/// # Parameters
/// - `max_fpr`: in (0, 1]; `1` gives the full [`roc_auc`].
/// - the others as [`roc_auc`].
///
/// # Errors
/// As [`roc_auc`], and [`Error::InvalidParameter`] for `max_fpr` outside (0, 1].
///
/// # Notes
/// The curve (with intermediate points dropped) is cut at `max_fpr` by linear interpolation,
/// its area `A` taken by the trapezoidal rule, then standardized to
/// `(1 + (A − min)/(max − min)) / 2` with `min = max_fpr²/2` (a random classifier) and
/// `max = max_fpr` (a perfect one), so 0.5 is chance and 1 is perfect.
///
/// # References
/// McClish, D. K. (1989). Analyzing a portion of the ROC curve. *Medical Decision Making* 9(3).
///
/// # Example
/// ```
/// use kiln_metrics::ranking::roc_auc_max_fpr;
/// use ndarray::array;
///
/// let y = array![0, 0, 1, 1];
/// let s = array![0.1, 0.4, 0.35, 0.8];
/// let pauc = roc_auc_max_fpr(y.view(), s.view(), 0.5, None)?;
/// assert!((pauc - 0.6666666666666666).abs() < 1e-15);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn roc_auc_max_fpr(
    y_true: ArrayView1<'_, usize>,
    y_score: ArrayView1<'_, f64>,
    max_fpr: f64,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    if !(max_fpr > 0.0 && max_fpr <= 1.0) {
        return Err(Error::invalid_param(
            "roc_auc",
            "max_fpr",
            format!("must be in the range (0, 1]; got {max_fpr}"),
        ));
    }
    if max_fpr == 1.0 {
        return roc_auc(y_true, y_score, sample_weight);
    }
    check_binary_scores("roc_auc", y_true, y_score, sample_weight)?;
    let c = threshold_counts(y_true, y_score, sample_weight.as_ref());
    check_two_classes("roc_auc", &c)?;
    let roc = curve_from_counts(&c, true);
    let (fpr, tpr) = (roc.fpr.to_vec(), roc.tpr.to_vec());
    // First point with fpr > max_fpr (exists: the last fpr is 1 > max_fpr).
    let stop = fpr.partition_point(|&f| f <= max_fpr);
    let (x0, x1, y0, y1) = (fpr[stop - 1], fpr[stop], tpr[stop - 1], tpr[stop]);
    // np.interp's formula.
    let slope = (y1 - y0) / (x1 - x0);
    let y_cut = slope * (max_fpr - x0) + y0;
    let mut area = 0.0;
    for k in 1..stop {
        area += (fpr[k] - fpr[k - 1]) * (tpr[k] + tpr[k - 1]) / 2.0;
    }
    area += (max_fpr - x0) * (y_cut + y0) / 2.0;
    let min_area = 0.5 * max_fpr * max_fpr;
    let max_area = max_fpr;
    Ok(0.5 * (1.0 + (area - min_area) / (max_area - min_area)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    /// Hand count: pairs (pos, neg) ranked correctly plus half the ties, over P·N.
    #[test]
    fn unweighted_auc_counts_pairs_with_half_ties() {
        let y = array![1, 0, 1, 0, 1, 0];
        let s = array![0.9, 0.9, 0.5, 0.1, 0.1, 0.7];
        // pos 0.9: beats 0.7, 0.1, ties 0.9 -> 2.5; pos 0.5: beats 0.1 -> 1; pos 0.1: ties 0.1 -> 0.5
        let want = (2.5 + 1.0 + 0.5) / 9.0;
        assert_eq!(roc_auc(y.view(), s.view(), None).unwrap(), want);
        let w = array![1.0, 1.0, 1.0, 1.0, 1.0, 1.0];
        let got = roc_auc(y.view(), s.view(), Some(w.view())).unwrap();
        assert!((got - want).abs() < 1e-15);
    }
}
