//! The generalized entropy index and the Theil index of AIF360's benefit `b_i = ŷ_i − y_i + 1`.

use kiln_core::check::check_sample_weight;
use kiln_core::{Error, Result};
use ndarray::ArrayView1;

use crate::confusion::check_binary_labels;
use crate::value::Value;

/// The generalized entropy index of the benefits `b_i = ŷ_i − y_i + 1` (AIF360's
/// `ClassificationMetric.generalized_entropy_index`): 0 when everyone gets the same benefit,
/// larger as benefits are spread more unequally.
///
/// With `μ` the (weighted) mean benefit:
/// - `α ∉ {0, 1}`: `GE(α) = mean((b/μ)^α − 1) / (α(α − 1))`;
/// - `α = 1` (Theil): `mean((b/μ) ln(b/μ))`, with `0 ln 0 = 0`;
/// - `α = 0`: `−mean(ln(b/μ))`.
///
/// # Parameters
/// - `y_true`, `y_pred`: 0/1 labels, 1 = favourable.
/// - `alpha`: finite; 2 is AIF360's default (half the squared coefficient of variation).
/// - `sample_weight`: optional; the means become weighted means (AIF360 ignores its
///   `instance_weights` here).
///
/// # Errors
/// [`Error::InvalidParameter`] for a non-finite `alpha`; [`Error::ShapeMismatch`] for lengths
/// that differ; [`Error::InvalidValue`] for a label other than 0 or 1 or bad weights;
/// [`Error::EmptyInput`] for no rows.
///
/// # Notes
/// Benefits take only the values 0 (false negative), 1 (correct) and 2 (false positive), so
/// the index is computed from the three (weighted) counts. It is undefined when `μ = 0` (every
/// row a false negative), and for `α <= 0` when some row has benefit 0 (`ln 0`, `0^α`; AIF360
/// returns inf there). For `α = 0`, AIF360 0.6.1's code divides the mean log once more by `μ`,
/// unlike its own documented formula; kiln follows the formula above (Speicher et al.).
///
/// # References
/// Speicher, T. et al. (2018). A unified approach to quantifying algorithmic unfairness:
/// measuring individual & group unfairness via inequality indices. *KDD*.
///
/// # Example
/// ```
/// use kiln_fairness::measures::generalized_entropy_index;
/// use ndarray::array;
///
/// // Benefits 1, 1, 2, 0: μ = 1, GE(2) = mean(b² − 1) / 2 = (0 + 0 + 3 − 1) / 8.
/// let ge = generalized_entropy_index(array![1, 0, 0, 1].view(), array![1, 0, 1, 0].view(), 2.0, None)?;
/// assert_eq!(ge.get(), Some(0.25));
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn generalized_entropy_index(
    y_true: ArrayView1<'_, usize>,
    y_pred: ArrayView1<'_, usize>,
    alpha: f64,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<Value> {
    if !alpha.is_finite() {
        return Err(Error::invalid_param(
            "generalized_entropy_index",
            "alpha",
            format!("must be a finite float; got {alpha}"),
        ));
    }
    let n = y_true.len();
    if n == 0 {
        return Err(Error::EmptyInput {
            what: "y_true of generalized_entropy_index".into(),
            reason: "0 rows".into(),
        });
    }
    check_binary_labels(y_pred, n, "y_pred")?;
    check_binary_labels(y_true, n, "y_true")?;
    check_sample_weight(sample_weight, n)?;
    // Weight of benefit 0, 1 and 2.
    let mut w = [0.0_f64; 3];
    for i in 0..n {
        let b = match (y_true[i], y_pred[i]) {
            (1, 0) => 0,
            (0, 1) => 2,
            _ => 1,
        };
        w[b] += sample_weight.map_or(1.0, |s| s[i]);
    }
    Ok(gei_from_weights(w, alpha))
}

/// The Theil index: [`generalized_entropy_index`] with `α = 1` (AIF360's `theil_index`).
///
/// # Errors
/// As [`generalized_entropy_index`].
///
/// # Example
/// ```
/// use kiln_fairness::measures::theil_index;
/// use ndarray::array;
///
/// // Everyone classified correctly: equal benefits, no inequality.
/// let t = theil_index(array![1, 0, 1].view(), array![1, 0, 1].view(), None)?;
/// assert_eq!(t.get(), Some(0.0));
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn theil_index(
    y_true: ArrayView1<'_, usize>,
    y_pred: ArrayView1<'_, usize>,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<Value> {
    generalized_entropy_index(y_true, y_pred, 1.0, sample_weight)
}

fn gei_from_weights(w: [f64; 3], alpha: f64) -> Value {
    let total = w[0] + w[1] + w[2];
    let mu = (w[1] + 2.0 * w[2]) / total;
    if mu == 0.0 {
        return Value::undefined(
            "every benefit is 0 (all rows false negatives): the mean benefit is 0",
        );
    }
    let r = [0.0, 1.0 / mu, 2.0 / mu];
    if alpha <= 0.0 && w[0] > 0.0 {
        return Value::undefined(format!(
            "a benefit of 0 (a false negative) with alpha = {alpha} <= 0 gives an infinite index"
        ));
    }
    let value = if alpha == 1.0 {
        (w[1] * r[1] * r[1].ln() + w[2] * r[2] * r[2].ln()) / total
    } else if alpha == 0.0 {
        -(w[1] * r[1].ln() + w[2] * r[2].ln()) / total
    } else {
        let zero = if w[0] > 0.0 {
            w[0] * (0.0_f64.powf(alpha) - 1.0)
        } else {
            0.0
        };
        (zero + w[1] * (r[1].powf(alpha) - 1.0) + w[2] * (r[2].powf(alpha) - 1.0))
            / total
            / (alpha * (alpha - 1.0))
    };
    Value::Defined(value)
}
