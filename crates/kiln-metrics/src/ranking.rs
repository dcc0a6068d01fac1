//! Ranking metrics of scores: ROC and precision-recall curves, the areas under them, and
//! calibration curves.
//!
//! Every function here takes `y_true` in {0, 1} (1 = positive) and a score per sample (a
//! probability or any decision value; higher means "more positive"), except
//! [`roc_auc_multiclass`], which takes a probability matrix. Results equal scikit-learn
//! 1.9's; see each function for the few documented differences (errors where scikit-learn
//! warns and returns NaN).
//!
//! | function | scikit-learn |
//! |---|---|
//! | [`roc_curve`], [`roc_auc`], [`roc_auc_max_fpr`] | `roc_curve`, `roc_auc_score` (binary, `max_fpr`) |
//! | [`roc_auc_multiclass`] | `roc_auc_score(multi_class="ovr" / "ovo")` |
//! | [`precision_recall_curve`], [`average_precision`] | `precision_recall_curve`, `average_precision_score` |
//! | [`calibration_curve`] | `sklearn.calibration.calibration_curve` |
//! | [`expected_calibration_error`] | none (definition documented on the function) |
//!
//! # Speed
//!
//! Curves and areas sort the scores once, in linear time: each score is mapped to an integer
//! key with the same order and the keys are radix-sorted, then one pass accumulates the
//! weighted true and false positives at each distinct score. Unweighted [`roc_auc`] sorts the
//! positives' and negatives' keys apart and counts in exact integers. Nothing runs in
//! parallel, so results never depend on the thread count.
//!
//! # Example
//!
//! ```
//! use kiln_metrics::ranking::{average_precision, roc_auc, roc_curve};
//! use ndarray::array;
//!
//! let y_true = array![0, 0, 1, 1];
//! let y_score = array![0.1, 0.4, 0.35, 0.8];
//! assert_eq!(roc_auc(y_true.view(), y_score.view(), None)?, 0.75);
//! let roc = roc_curve(y_true.view(), y_score.view(), true, None)?;
//! assert_eq!(roc.tpr.to_vec(), vec![0.0, 0.5, 0.5, 1.0, 1.0]);
//! let ap = average_precision(y_true.view(), y_score.view(), None)?;
//! assert!((ap - 0.8333333333333333).abs() < 1e-15);
//! # Ok::<(), kiln_core::Error>(())
//! ```

mod calibration;
pub(crate) mod counts;
mod multiclass;
mod pr;
mod roc;
pub(crate) mod sort;

pub use calibration::{
    CalibrationCurve, CalibrationStrategy, calibration_curve, expected_calibration_error,
};
pub use multiclass::{MultiClass, roc_auc_multiclass};
pub use pr::{PrecisionRecallCurve, average_precision, precision_recall_curve};
pub use roc::{RocCurve, roc_auc, roc_auc_max_fpr, roc_curve};

use kiln_core::{Error, Result};
use ndarray::ArrayView1;

use crate::input::{check_binary_targets, check_finite_values, check_pair, check_weights};

/// The checks of every binary score metric: non-empty, equal lengths, targets in {0, 1},
/// finite scores, valid weights, and a length the sort's 32-bit positions can hold.
pub(crate) fn check_binary_scores(
    metric: &str,
    y_true: ArrayView1<'_, usize>,
    y_score: ArrayView1<'_, f64>,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<usize> {
    let n = check_pair(metric, y_true, y_score, "y_score")?;
    check_binary_targets(y_true, metric)?;
    check_finite_values(y_score, &format!("y_score of {metric}"))?;
    check_weights(sample_weight, n)?;
    if u32::try_from(n).is_err() {
        return Err(Error::InvalidValue {
            what: format!("y_score of {metric}"),
            row: None,
            reason: format!("{n} samples; at most {} are supported", u32::MAX),
        });
    }
    Ok(n)
}
