//! Regression metrics: errors (MSE, RMSE, MAE, median and max error, MAPE, MSLE), scores
//! (R², explained variance, D²) and deviances (Poisson, Gamma, Tweedie, pinball).
//!
//! Each function equals scikit-learn 1.9.1's function of the same name (`r2` is
//! `r2_score`, `explained_variance` is `explained_variance_score`) for one output, to about
//! 1e-12 relative: sums are accumulated left to right where NumPy sums pairwise, which
//! differs only in the last bits. Arguments come in scikit-learn's order with
//! `sample_weight` last wherever scikit-learn accepts it.
//!
//! Every function checks its input first: [`kiln_core::Error::EmptyInput`] for no samples,
//! [`kiln_core::Error::ShapeMismatch`] for different lengths,
//! [`kiln_core::Error::NonFinite`] for NaN or infinite values (with the row),
//! [`kiln_core::Error::InvalidValue`] for invalid weights or values outside a metric's
//! domain (with the row), [`kiln_core::Error::InvalidParameter`] for a bad `power` or `alpha`.
//!
//! ```
//! use kiln_metrics::regression::{mean_absolute_error, median_absolute_error, r2};
//! use ndarray::array;
//!
//! let y_true = array![3.0, -0.5, 2.0, 7.0];
//! let y_pred = array![2.5, 0.0, 2.0, 8.0];
//! assert_eq!(mean_absolute_error(y_true.view(), y_pred.view(), None)?, 0.5);
//! assert_eq!(median_absolute_error(y_true.view(), y_pred.view(), None)?, 0.5);
//! let r2 = r2(y_true.view(), y_pred.view(), None)?;
//! assert!((r2 - 0.948_608_137_044_967_9).abs() < 1e-12);
//! // Weights: the last row counts three times.
//! let w = array![1.0, 1.0, 1.0, 3.0];
//! assert_eq!(mean_absolute_error(y_true.view(), y_pred.view(), Some(w.view()))?, 4.0 / 6.0);
//! # Ok::<(), kiln_core::Error>(())
//! ```
//!
//! # References
//! - R. J. Hyndman and Y. Fan (1996), "Sample quantiles in statistical packages",
//!   *The American Statistician* 50(4): the (averaged) inverted-CDF weighted median.
//! - scikit-learn user guide, §3.4.4 "Regression metrics".

mod deviance;
mod percentile;
mod score;

pub use deviance::{
    mean_gamma_deviance, mean_pinball_loss, mean_poisson_deviance, mean_tweedie_deviance,
};
pub use score::{
    d2_absolute_error_score, d2_pinball_score, d2_tweedie_score, explained_variance,
    explained_variance_with, r2, r2_with,
};

use kiln_core::{Error, Result};
use ndarray::{ArrayView1, Zip};

use crate::input::{check_finite_values, check_pair, check_weights};

/// The checks every regression metric runs: non-empty, same lengths, finite values, valid
/// weights. Returns the number of samples.
fn check_inputs(
    metric: &str,
    y_true: ArrayView1<'_, f64>,
    y_pred: ArrayView1<'_, f64>,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<usize> {
    let n = check_pair(metric, y_true, y_pred, "y_pred")?;
    check_finite_values(y_true, &format!("y_true of {metric}"))?;
    check_finite_values(y_pred, &format!("y_pred of {metric}"))?;
    check_weights(sample_weight, n)?;
    Ok(n)
}

/// The (weighted) mean of `loss(y_true[i], y_pred[i])`, as `numpy.average`: `Σ wᵢ lᵢ / Σ wᵢ`,
/// or `Σ lᵢ / n` without weights.
fn average_loss(
    y_true: ArrayView1<'_, f64>,
    y_pred: ArrayView1<'_, f64>,
    sample_weight: Option<ArrayView1<'_, f64>>,
    loss: impl Fn(f64, f64) -> f64,
) -> f64 {
    match sample_weight {
        None => {
            let mut sum = 0.0;
            Zip::from(y_true)
                .and(y_pred)
                .for_each(|&t, &p| sum += loss(t, p));
            sum / y_true.len() as f64
        }
        Some(w) => {
            let (mut sum, mut total) = (0.0, 0.0);
            Zip::from(y_true)
                .and(y_pred)
                .and(w)
                .for_each(|&t, &p, &wi| {
                    sum += loss(t, p) * wi;
                    total += wi;
                });
            sum / total
        }
    }
}

/// The (weighted) mean of `values`, as `numpy.average`.
fn average(values: ArrayView1<'_, f64>, sample_weight: Option<ArrayView1<'_, f64>>) -> f64 {
    match sample_weight {
        None => values.sum() / values.len() as f64,
        Some(w) => {
            let (mut sum, mut total) = (0.0, 0.0);
            Zip::from(values).and(w).for_each(|&v, &wi| {
                sum += v * wi;
                total += wi;
            });
            sum / total
        }
    }
}

/// Mean squared error, `Σ wᵢ (yᵢ − ŷᵢ)² / Σ wᵢ` (scikit-learn's `mean_squared_error`).
///
/// # Errors
/// Empty or mismatched inputs, NaN or infinite values, invalid weights (see the
/// [module docs](self)).
pub fn mean_squared_error(
    y_true: ArrayView1<'_, f64>,
    y_pred: ArrayView1<'_, f64>,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    check_inputs("mean_squared_error", y_true, y_pred, sample_weight)?;
    Ok(average_loss(y_true, y_pred, sample_weight, |t, p| {
        (t - p) * (t - p)
    }))
}

/// Root mean squared error, the square root of [`mean_squared_error`] (scikit-learn's
/// `root_mean_squared_error`).
///
/// # Errors
/// As [`mean_squared_error`].
pub fn root_mean_squared_error(
    y_true: ArrayView1<'_, f64>,
    y_pred: ArrayView1<'_, f64>,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    check_inputs("root_mean_squared_error", y_true, y_pred, sample_weight)?;
    Ok(average_loss(y_true, y_pred, sample_weight, |t, p| (t - p) * (t - p)).sqrt())
}

/// Mean absolute error, `Σ wᵢ |yᵢ − ŷᵢ| / Σ wᵢ` (scikit-learn's `mean_absolute_error`).
///
/// # Errors
/// Empty or mismatched inputs, NaN or infinite values, invalid weights.
pub fn mean_absolute_error(
    y_true: ArrayView1<'_, f64>,
    y_pred: ArrayView1<'_, f64>,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    check_inputs("mean_absolute_error", y_true, y_pred, sample_weight)?;
    Ok(average_loss(y_true, y_pred, sample_weight, |t, p| {
        (p - t).abs()
    }))
}

/// Median absolute error (scikit-learn's `median_absolute_error`).
///
/// Without weights, the median of `|yᵢ − ŷᵢ|` as `numpy.median` (the mean of the two middle
/// values for an even count). With weights, scikit-learn 1.9.1's weighted percentile at 50 with
/// `average=True`: the smallest absolute error whose cumulative weight (errors sorted
/// ascending) reaches half the total weight; when the cumulative weight equals half the
/// total exactly (within machine epsilon), the mean of that error and the next one of positive
/// weight. Unit weights therefore give the unweighted median. The result is robust to
/// outliers, unlike [`mean_absolute_error`].
///
/// # Errors
/// Empty or mismatched inputs, NaN or infinite values, invalid weights.
pub fn median_absolute_error(
    y_true: ArrayView1<'_, f64>,
    y_pred: ArrayView1<'_, f64>,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    check_inputs("median_absolute_error", y_true, y_pred, sample_weight)?;
    let errors = Zip::from(y_pred)
        .and(y_true)
        .map_collect(|&p, &t| (p - t).abs());
    Ok(match sample_weight {
        None => {
            let mut errors = errors.into_raw_vec_and_offset().0;
            percentile::median(&mut errors)
        }
        Some(w) => percentile::weighted_percentile(errors.view(), w, 50.0, true),
    })
}

/// Maximum residual error, `max |yᵢ − ŷᵢ|` (scikit-learn's `max_error`, which takes no
/// sample weights).
///
/// # Errors
/// Empty or mismatched inputs, NaN or infinite values.
pub fn max_error(y_true: ArrayView1<'_, f64>, y_pred: ArrayView1<'_, f64>) -> Result<f64> {
    check_inputs("max_error", y_true, y_pred, None)?;
    let mut max = 0.0_f64;
    Zip::from(y_true)
        .and(y_pred)
        .for_each(|&t, &p| max = max.max((t - p).abs()));
    Ok(max)
}

/// Mean absolute percentage error, `Σ wᵢ |yᵢ − ŷᵢ| / max(|yᵢ|, ε) / Σ wᵢ` with ε the machine
/// epsilon of f64 (scikit-learn's `mean_absolute_percentage_error`).
///
/// # Notes
/// The result is a fraction, not a percentage (0.25 means 25 %). A zero in `y_true` is divided
/// by ε ≈ 2.2e-16 instead of 0, as scikit-learn does: the result is huge but finite, which
/// flags the problem without NaN.
///
/// # Errors
/// Empty or mismatched inputs, NaN or infinite values, invalid weights.
pub fn mean_absolute_percentage_error(
    y_true: ArrayView1<'_, f64>,
    y_pred: ArrayView1<'_, f64>,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    check_inputs(
        "mean_absolute_percentage_error",
        y_true,
        y_pred,
        sample_weight,
    )?;
    Ok(average_loss(y_true, y_pred, sample_weight, |t, p| {
        (p - t).abs() / t.abs().max(f64::EPSILON)
    }))
}

/// Checks that every value of `values` is above −1, the domain of `ln(1 + y)`.
fn check_log1p_domain(metric: &str, what: &str, values: ArrayView1<'_, f64>) -> Result<()> {
    match values.iter().position(|&v| v <= -1.0) {
        None => Ok(()),
        Some(row) => Err(Error::InvalidValue {
            what: format!("{what} of {metric}"),
            row: Some(row),
            reason: format!(
                "values must be greater than -1 (the log of 1 + y is taken); got {}",
                values[row]
            ),
        }),
    }
}

/// The mean squared error of `ln(1 + y)` after the domain checks of MSLE.
fn squared_log_error(
    metric: &str,
    y_true: ArrayView1<'_, f64>,
    y_pred: ArrayView1<'_, f64>,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    check_inputs(metric, y_true, y_pred, sample_weight)?;
    check_log1p_domain(metric, "y_true", y_true)?;
    check_log1p_domain(metric, "y_pred", y_pred)?;
    Ok(average_loss(y_true, y_pred, sample_weight, |t, p| {
        let d = t.ln_1p() - p.ln_1p();
        d * d
    }))
}

/// Mean squared logarithmic error, the [`mean_squared_error`] of `ln(1 + y)` and
/// `ln(1 + ŷ)` (scikit-learn's `mean_squared_log_error`).
///
/// # Notes
/// Like scikit-learn 1.9.1, values in (−1, 0) are accepted (the logarithm is defined there);
/// only values ≤ −1 are rejected. Meant for positive targets with exponential growth.
///
/// # Errors
/// As [`mean_squared_error`], and [`kiln_core::Error::InvalidValue`] with the row of the first
/// value ≤ −1 in `y_true` or `y_pred`.
pub fn mean_squared_log_error(
    y_true: ArrayView1<'_, f64>,
    y_pred: ArrayView1<'_, f64>,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    squared_log_error("mean_squared_log_error", y_true, y_pred, sample_weight)
}

/// Root mean squared logarithmic error, the square root of [`mean_squared_log_error`]
/// (scikit-learn's `root_mean_squared_log_error`).
///
/// # Errors
/// As [`mean_squared_log_error`].
pub fn root_mean_squared_log_error(
    y_true: ArrayView1<'_, f64>,
    y_pred: ArrayView1<'_, f64>,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    squared_log_error("root_mean_squared_log_error", y_true, y_pred, sample_weight).map(f64::sqrt)
}
