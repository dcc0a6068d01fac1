//! The Rand index and its chance-adjusted form (Hubert & Arabie 1985).

use kiln_core::Result;
use ndarray::ArrayView1;

use super::contingency::Contingency;
use crate::input::check_pair;

/// The Rand index: the share of sample pairs on which two labelings agree (both together or
/// both apart), as scikit-learn's `rand_score`.
///
/// 1.0 when the labelings agree up to renaming; also 1.0 for a single sample (no pairs), as in
/// scikit-learn.
///
/// # Errors
/// [`kiln_core::Error::EmptyInput`] for no samples, [`kiln_core::Error::ShapeMismatch`] for
/// labelings of different lengths.
///
/// # References
/// W. M. Rand (1971), "Objective criteria for the evaluation of clustering methods", JASA 66.
///
/// # Example
/// ```
/// use kiln_metrics::cluster::rand_score;
/// use ndarray::array;
///
/// let ri = rand_score(array![0, 0, 1, 2].view(), array![0, 0, 1, 1].view())?;
/// assert!((ri - 10.0 / 12.0).abs() < 1e-15);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn rand_score(
    labels_true: ArrayView1<'_, usize>,
    labels_pred: ArrayView1<'_, usize>,
) -> Result<f64> {
    check_pair("rand_score", labels_true, labels_pred, "labels_pred")?;
    let [[c00, c01], [c10, c11]] = Contingency::build(labels_true, labels_pred).pair_confusion();
    let agree = c00 + c11;
    let all = c00 + c01 + c10 + c11;
    if agree == all || all == 0 {
        return Ok(1.0);
    }
    Ok(agree as f64 / all as f64)
}

/// The adjusted Rand index (ARI): the Rand index corrected for chance, as scikit-learn's
/// `adjusted_rand_score`.
///
/// 1.0 for labelings equal up to renaming, about 0 for independent ones, and at least -0.5.
/// Symmetric in its arguments. Computed from the pair confusion matrix in exact integer
/// arithmetic, then `2 (tp·tn − fn·fp) / ((tp + fn)(fn + tn) + (tp + fp)(fp + tn))`.
///
/// # Errors
/// [`kiln_core::Error::EmptyInput`] for no samples, [`kiln_core::Error::ShapeMismatch`] for
/// labelings of different lengths.
///
/// # References
/// L. Hubert and P. Arabie (1985), "Comparing partitions", Journal of Classification 2,
/// 193–218.
///
/// # Example
/// ```
/// use kiln_metrics::cluster::adjusted_rand_score;
/// use ndarray::array;
///
/// // Equal up to renaming the clusters.
/// assert_eq!(adjusted_rand_score(array![0, 0, 1, 1].view(), array![5, 5, 2, 2].view())?, 1.0);
/// let ari = adjusted_rand_score(array![0, 0, 1, 2].view(), array![0, 0, 1, 1].view())?;
/// assert!((ari - 4.0 / 7.0).abs() < 1e-15);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn adjusted_rand_score(
    labels_true: ArrayView1<'_, usize>,
    labels_pred: ArrayView1<'_, usize>,
) -> Result<f64> {
    check_pair(
        "adjusted_rand_score",
        labels_true,
        labels_pred,
        "labels_pred",
    )?;
    let [[tn, fp], [fn_, tp]] = Contingency::build(labels_true, labels_pred).pair_confusion();
    if fn_ == 0 && fp == 0 {
        return Ok(1.0);
    }
    // Signed, as the numerator may be negative; i128 holds n^4 for any n that fits memory.
    let (tn, fp, fn_, tp) = (tn as i128, fp as i128, fn_ as i128, tp as i128);
    let num = tp * tn - fn_ * fp;
    let den = (tp + fn_) * (fn_ + tn) + (tp + fp) * (fp + tn);
    Ok(2.0 * num as f64 / den as f64)
}
