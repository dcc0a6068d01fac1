//! Fractions of variance or deviance explained: R², explained variance and the D² scores.

use kiln_core::{Error, Result};
use ndarray::{Array1, ArrayView1, Zip};

use super::deviance::{check_alpha, check_power, check_tweedie, pinball, unit_deviance};
use super::{average, average_loss, check_inputs, percentile};

/// `1 − numerator / denominator` with scikit-learn's `force_finite` rule
/// (`_assemble_fraction_of_explained_deviance`): a zero numerator (perfect predictions) gives
/// 1.0, a zero denominator with a non-zero numerator gives 0.0.
fn fraction_explained(numerator: f64, denominator: f64, force_finite: bool) -> f64 {
    if !force_finite || (numerator != 0.0 && denominator != 0.0) {
        1.0 - numerator / denominator
    } else if numerator == 0.0 {
        1.0
    } else {
        0.0
    }
}

/// The coefficient of determination R² (scikit-learn's `r2_score` with its default
/// `force_finite=True`): `1 − Σ wᵢ (yᵢ − ŷᵢ)² / Σ wᵢ (yᵢ − ȳ)²` with ȳ the weighted mean.
///
/// 1.0 is perfect, 0.0 is what predicting the mean earns, and it can be negative.
///
/// # Notes
/// - Constant `y_true` (zero denominator): 1.0 if the predictions are perfect, else 0.0
///   (scikit-learn's `force_finite`); [`r2_with`] with `force_finite = false` gives the raw
///   NaN or −∞ instead.
/// - Fewer than two samples: NaN, as scikit-learn (R² is not defined there; scikit-learn
///   also warns). [`crate::bootstrap`] counts a NaN resample as failed.
///
/// # Errors
/// Empty or mismatched inputs, NaN or infinite values, invalid weights (see the
/// [module docs](super)).
pub fn r2(
    y_true: ArrayView1<'_, f64>,
    y_pred: ArrayView1<'_, f64>,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    r2_with(y_true, y_pred, true, sample_weight)
}

/// [`r2`] with scikit-learn's `force_finite` option.
///
/// # Parameters
/// - `force_finite` (scikit-learn's default `true`): replace the NaN (perfect predictions of a
///   constant target) or −∞ (imperfect ones) of a constant `y_true` by 1.0 or 0.0.
///
/// # Errors
/// As [`r2`].
pub fn r2_with(
    y_true: ArrayView1<'_, f64>,
    y_pred: ArrayView1<'_, f64>,
    force_finite: bool,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    let n = check_inputs("r2", y_true, y_pred, sample_weight)?;
    if n < 2 {
        return Ok(f64::NAN);
    }
    let sums = |scale: f64| {
        let numerator = weighted_sum(y_true, y_pred, sample_weight, |t, p| {
            let d = (t - p) * scale;
            d * d
        });
        let mean = average(y_true, sample_weight) * scale;
        let denominator = weighted_sum(y_true, y_true, sample_weight, |t, _| {
            let d = t * scale - mean;
            d * d
        });
        (numerator, denominator)
    };
    let (mut numerator, mut denominator) = sums(1.0);
    if !(numerator.is_finite() && denominator.is_finite()) {
        // Squares of values near 1e154 and beyond overflow, where scikit-learn returns NaN
        // (found by probing: values around 1e200). R² does not depend on the scale, so the
        // sums are taken again on values scaled by a power of two (exact) to at most 1.
        let largest = y_true
            .iter()
            .chain(y_pred.iter())
            .fold(0.0f64, |m, v| m.max(v.abs()));
        let scale = 2f64.powi(-(largest.log2().ceil() as i32) - 1);
        (numerator, denominator) = sums(scale);
    }
    Ok(fraction_explained(numerator, denominator, force_finite))
}

/// `Σ wᵢ loss(aᵢ, bᵢ)` (unit weights without `sample_weight`).
fn weighted_sum(
    a: ArrayView1<'_, f64>,
    b: ArrayView1<'_, f64>,
    sample_weight: Option<ArrayView1<'_, f64>>,
    loss: impl Fn(f64, f64) -> f64,
) -> f64 {
    let mut sum = 0.0;
    match sample_weight {
        None => Zip::from(a).and(b).for_each(|&x, &y| sum += loss(x, y)),
        Some(w) => Zip::from(a)
            .and(b)
            .and(w)
            .for_each(|&x, &y, &wi| sum += wi * loss(x, y)),
    }
    sum
}

/// Explained variance (scikit-learn's `explained_variance_score` with its default
/// `force_finite=True`): `1 − Var_w(y − ŷ) / Var_w(y)`, with weighted population variances.
///
/// Unlike [`r2`], a constant bias in the predictions is not penalized.
///
/// # Notes
/// Constant `y_true`: 1.0 if the residuals are constant (zero numerator), else 0.0
/// (scikit-learn's `force_finite`; see [`explained_variance_with`]). Unlike R², scikit-learn
/// defines it for a single sample (1.0).
///
/// # Errors
/// Empty or mismatched inputs, NaN or infinite values, invalid weights.
pub fn explained_variance(
    y_true: ArrayView1<'_, f64>,
    y_pred: ArrayView1<'_, f64>,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    explained_variance_with(y_true, y_pred, true, sample_weight)
}

/// [`explained_variance`] with scikit-learn's `force_finite` option.
///
/// # Parameters
/// - `force_finite` (scikit-learn's default `true`): replace the NaN or −∞ of a constant
///   `y_true` by 1.0 (zero numerator) or 0.0.
///
/// # Errors
/// As [`explained_variance`].
pub fn explained_variance_with(
    y_true: ArrayView1<'_, f64>,
    y_pred: ArrayView1<'_, f64>,
    force_finite: bool,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    check_inputs("explained_variance", y_true, y_pred, sample_weight)?;
    let diff_mean = average_loss(y_true, y_pred, sample_weight, |t, p| t - p);
    let numerator = average_loss(y_true, y_pred, sample_weight, |t, p| {
        let d = t - p - diff_mean;
        d * d
    });
    let mean = average(y_true, sample_weight);
    let denominator = average_loss(y_true, y_true, sample_weight, |t, _| {
        (t - mean) * (t - mean)
    });
    Ok(fraction_explained(numerator, denominator, force_finite))
}

/// D² for the Tweedie deviance with `power` (scikit-learn's `d2_tweedie_score`): the
/// fraction of deviance explained, `1 − D(y, ŷ) / D(y, ȳ)` with ȳ the weighted mean of
/// `y_true`. `power = 0` gives R².
///
/// # Parameters
/// - `power` (scikit-learn's default 0): as in [`super::mean_tweedie_deviance`].
///
/// # Notes
/// Fewer than two samples: NaN, as scikit-learn. No `force_finite` here (as scikit-learn).
///
/// # Errors
/// As [`super::mean_tweedie_deviance`]; [`Error::InvalidValue`] when the deviance of the mean
/// prediction is 0 (constant `y_true`), where scikit-learn raises `ZeroDivisionError`.
pub fn d2_tweedie_score(
    y_true: ArrayView1<'_, f64>,
    y_pred: ArrayView1<'_, f64>,
    power: f64,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    let metric = "d2_tweedie_score";
    check_power(metric, power)?;
    let n = check_inputs(metric, y_true, y_pred, sample_weight)?;
    if n < 2 {
        return Ok(f64::NAN);
    }
    check_tweedie(metric, power, y_true, y_pred)?;
    let numerator = average_loss(y_true, y_pred, sample_weight, |t, p| {
        unit_deviance(power, t, p)
    });
    let mean = average(y_true, sample_weight);
    let denominator = average_loss(y_true, y_true, sample_weight, |t, _| {
        unit_deviance(power, t, mean)
    });
    if denominator == 0.0 {
        return Err(Error::InvalidValue {
            what: format!("y_true of {metric}"),
            row: None,
            reason: "the deviance of the mean prediction is 0 (y_true is constant), so the \
                     fraction of deviance explained is undefined"
                .into(),
        });
    }
    Ok(1.0 - numerator / denominator)
}

/// D² for the pinball loss at quantile level `alpha` (scikit-learn's `d2_pinball_score`):
/// `1 − L(y, ŷ) / L(y, q)` where `q` is the weighted `alpha`-quantile of `y_true`
/// (scikit-learn's weighted percentile with `average=True`, also without weights).
///
/// # Parameters
/// - `alpha` (scikit-learn's default 0.5): the quantile level in [0, 1].
///
/// # Notes
/// scikit-learn's `force_finite` rule applies: a zero numerator gives 1.0, a zero
/// denominator (e.g. constant `y_true`) with a non-zero numerator gives 0.0. Fewer than two
/// samples: NaN, as scikit-learn.
///
/// # Errors
/// [`Error::InvalidParameter`] for `alpha` outside [0, 1]; the input checks of the
/// [module](super).
///
/// # References
/// R. Koenker and J. A. F. Machado (1999), "Goodness of fit and related inference processes
/// for quantile regression", *JASA* 94(448), eq. 7.
pub fn d2_pinball_score(
    y_true: ArrayView1<'_, f64>,
    y_pred: ArrayView1<'_, f64>,
    alpha: f64,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    let metric = "d2_pinball_score";
    check_alpha(metric, alpha)?;
    let n = check_inputs(metric, y_true, y_pred, sample_weight)?;
    if n < 2 {
        return Ok(f64::NAN);
    }
    let numerator = average_loss(y_true, y_pred, sample_weight, |t, p| pinball(alpha, t, p));
    let ones;
    let weights = match sample_weight {
        Some(w) => w,
        None => {
            ones = Array1::<f64>::ones(n);
            ones.view()
        }
    };
    let quantile = percentile::weighted_percentile(y_true, weights, alpha * 100.0, true);
    let denominator = average_loss(y_true, y_true, sample_weight, |t, _| {
        pinball(alpha, t, quantile)
    });
    Ok(fraction_explained(numerator, denominator, true))
}

/// D² for the absolute error (scikit-learn's `d2_absolute_error_score`):
/// [`d2_pinball_score`] at `alpha = 0.5`, the fraction of absolute error explained relative to
/// predicting the (weighted) median.
///
/// # Errors
/// As [`d2_pinball_score`].
pub fn d2_absolute_error_score(
    y_true: ArrayView1<'_, f64>,
    y_pred: ArrayView1<'_, f64>,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    d2_pinball_score(y_true, y_pred, 0.5, sample_weight)
}
