//! Input checks shared by the metrics: lengths, labels, scores, probabilities and weights.
//!
//! Every metric runs these before it computes, so a bad input is a typed [`Error`] naming the
//! argument and the position, never a panic or a silent NaN.

use kiln_core::check::{check_finite_1d, check_same_len, check_sample_weight};
use kiln_core::{Error, Result};
use ndarray::{ArrayView1, ArrayView2};

/// Checks that `y_true` is not empty and that `other` (named `other_name`) has its length.
///
/// # Errors
/// [`Error::EmptyInput`] for no samples, [`Error::ShapeMismatch`] for different lengths.
pub(crate) fn check_pair<A, B>(
    metric: &str,
    y_true: ArrayView1<'_, A>,
    other: ArrayView1<'_, B>,
    other_name: &str,
) -> Result<usize> {
    let n = y_true.len();
    if n == 0 {
        return Err(Error::EmptyInput {
            what: format!("y_true of {metric}"),
            reason: "0 samples; a metric needs at least 1".into(),
        });
    }
    check_same_len(
        &format!("length of {other_name} against y_true in {metric}"),
        n,
        other.len(),
    )?;
    Ok(n)
}

/// Checks optional sample weights against `n` samples (finite, non-negative, positive sum).
///
/// # Errors
/// As [`check_sample_weight`].
pub(crate) fn check_weights(sample_weight: Option<ArrayView1<'_, f64>>, n: usize) -> Result<()> {
    check_sample_weight(sample_weight, n)
}

/// The weight of sample `i`: 1 without weights.
#[inline]
pub(crate) fn weight_at(sample_weight: Option<&ArrayView1<'_, f64>>, i: usize) -> f64 {
    sample_weight.map_or(1.0, |w| w[i])
}

/// Checks that every value of a 1-d real input (scores, predictions, targets) is finite.
///
/// # Errors
/// [`Error::NonFinite`] with the first offending position.
pub(crate) fn check_finite_values(values: ArrayView1<'_, f64>, what: &str) -> Result<()> {
    check_finite_1d(values, what)
}

/// Checks binary targets: every value is 0 or 1 (1 is the positive class, as
/// `kiln_core::ClassLabels::binary` encodes it).
///
/// # Errors
/// [`Error::InvalidValue`] at the first value outside {0, 1}.
pub(crate) fn check_binary_targets(y: ArrayView1<'_, usize>, metric: &str) -> Result<()> {
    if let Some(row) = y.iter().position(|&c| c > 1) {
        return Err(Error::InvalidValue {
            what: format!("y_true of {metric}"),
            row: Some(row),
            reason: format!(
                "binary targets must be 0 or 1 (1 = positive class); got {}",
                y[row]
            ),
        });
    }
    Ok(())
}

/// How far a row of probabilities may sum from 1 (scikit-learn's `log_loss` uses a relative
/// tolerance of about `sqrt(eps)`).
pub(crate) const PROBA_SUM_TOL: f64 = 1.5e-8;

/// Checks a probability matrix: `n` rows, finite values in [0, 1], each row summing to 1
/// within [`PROBA_SUM_TOL`].
///
/// # Errors
/// [`Error::ShapeMismatch`], [`Error::NonFinite`] or [`Error::InvalidValue`] with the row.
pub(crate) fn check_proba(proba: ArrayView2<'_, f64>, n: usize, metric: &str) -> Result<()> {
    check_same_len(
        &format!("rows of the probabilities against y_true in {metric}"),
        n,
        proba.nrows(),
    )?;
    if proba.ncols() == 0 {
        return Err(Error::EmptyInput {
            what: format!("probabilities of {metric}"),
            reason: "0 columns; one column per class is needed".into(),
        });
    }
    for (row, p) in proba.outer_iter().enumerate() {
        let mut sum = 0.0;
        for (col, &v) in p.iter().enumerate() {
            if !v.is_finite() {
                return Err(Error::NonFinite {
                    what: format!("probabilities of {metric}"),
                    row,
                    col: Some(col),
                    value: v,
                });
            }
            if !(0.0..=1.0).contains(&v) {
                return Err(Error::InvalidValue {
                    what: format!("probabilities of {metric}"),
                    row: Some(row),
                    reason: format!("column {col} holds {v}, outside [0, 1]"),
                });
            }
            sum += v;
        }
        if (sum - 1.0).abs() > PROBA_SUM_TOL {
            return Err(Error::InvalidValue {
                what: format!("probabilities of {metric}"),
                row: Some(row),
                reason: format!("the row sums to {sum}, not 1"),
            });
        }
    }
    Ok(())
}

/// Checks binary probabilities of the positive class: finite values in [0, 1].
///
/// # Errors
/// [`Error::NonFinite`] or [`Error::InvalidValue`] with the row.
pub(crate) fn check_proba_1d(proba: ArrayView1<'_, f64>, metric: &str) -> Result<()> {
    check_finite_1d(proba, &format!("probabilities of {metric}"))?;
    if let Some(row) = proba.iter().position(|v| !(0.0..=1.0).contains(v)) {
        return Err(Error::InvalidValue {
            what: format!("probabilities of {metric}"),
            row: Some(row),
            reason: format!("{} is outside [0, 1]", proba[row]),
        });
    }
    Ok(())
}
