//! Deviances of the Tweedie family (normal, Poisson, Gamma, ...) and the pinball loss.

use kiln_core::check::check_param;
use kiln_core::{Error, Result};
use ndarray::ArrayView1;

use super::{average_loss, check_inputs};

/// The unit deviance of the Tweedie distribution with `power`, as scikit-learn 1.9.1's
/// `_mean_tweedie_deviance` writes it (Jørgensen 1997, eq. 4.2): the special cases 0, 1, 2 in
/// closed form, the general formula otherwise.
#[inline]
pub(super) fn unit_deviance(power: f64, t: f64, p: f64) -> f64 {
    if power < 0.0 {
        let tp = if t > 0.0 { t } else { 0.0 };
        2.0 * (tp.powf(2.0 - power) / ((1.0 - power) * (2.0 - power))
            - t * p.powf(1.0 - power) / (1.0 - power)
            + p.powf(2.0 - power) / (2.0 - power))
    } else if power == 0.0 {
        (t - p) * (t - p)
    } else if power == 1.0 {
        // x log(x / y) is 0 at x = 0 (scipy.special.xlogy).
        let xlogy = if t == 0.0 { 0.0 } else { t * (t / p).ln() };
        2.0 * (xlogy - t + p)
    } else if power == 2.0 {
        2.0 * ((p / t).ln() + t / p - 1.0)
    } else {
        2.0 * (t.powf(2.0 - power) / ((1.0 - power) * (2.0 - power))
            - t * p.powf(1.0 - power) / (1.0 - power)
            + p.powf(2.0 - power) / (2.0 - power))
    }
}

/// Checks the Tweedie `power`: finite, ≤ 0 or ≥ 1 (as scikit-learn).
pub(super) fn check_power(metric: &str, power: f64) -> Result<()> {
    check_param(
        metric,
        "power",
        power,
        power.is_finite() && !(0.0 < power && power < 1.0),
        "a float in the range (-inf, 0] or [1, inf)",
    )
}

/// Checks `power` and the domain of `y_true` and `y_pred` for it.
pub(super) fn check_tweedie(
    metric: &str,
    power: f64,
    y_true: ArrayView1<'_, f64>,
    y_pred: ArrayView1<'_, f64>,
) -> Result<()> {
    check_power(metric, power)?;
    // Every power but 0 (the normal distribution) needs positive predictions.
    if power != 0.0 {
        first_violation(
            metric,
            "y_pred",
            y_pred,
            |v| v > 0.0,
            power,
            "strictly positive",
        )?;
    }
    if (1.0..2.0).contains(&power) {
        first_violation(
            metric,
            "y_true",
            y_true,
            |v| v >= 0.0,
            power,
            "non-negative",
        )?;
    } else if power >= 2.0 {
        first_violation(
            metric,
            "y_true",
            y_true,
            |v| v > 0.0,
            power,
            "strictly positive",
        )?;
    }
    Ok(())
}

/// [`Error::InvalidValue`] at the first value of `values` that is not `ok`.
fn first_violation(
    metric: &str,
    what: &str,
    values: ArrayView1<'_, f64>,
    ok: impl Fn(f64) -> bool,
    power: f64,
    needed: &str,
) -> Result<()> {
    match values.iter().position(|&v| !ok(v)) {
        None => Ok(()),
        Some(row) => Err(Error::InvalidValue {
            what: format!("{what} of {metric}"),
            row: Some(row),
            reason: format!(
                "the Tweedie deviance with power={power} needs {needed} {what}; got {}",
                values[row]
            ),
        }),
    }
}

/// Mean Tweedie deviance with `power` (scikit-learn's `mean_tweedie_deviance`).
///
/// # Parameters
/// - `power` (scikit-learn's default 0): the Tweedie power, ≤ 0 or ≥ 1.
///   - `power < 0`: extreme stable distribution; needs `y_pred > 0`.
///   - `power = 0`: normal distribution; equals [`super::mean_squared_error`].
///   - `power = 1`: Poisson; needs `y_true ≥ 0`, `y_pred > 0`.
///   - `1 < power < 2`: compound Poisson; needs `y_true ≥ 0`, `y_pred > 0`.
///   - `power = 2`: Gamma; `power = 3`: inverse Gaussian; `power ≥ 2`: needs `y_true > 0`,
///     `y_pred > 0`.
///
/// # Errors
/// [`Error::InvalidParameter`] for `power` in (0, 1) or not finite;
/// [`Error::InvalidValue`] with the row of the first value outside the domain above; the
/// input checks of the [module](super).
///
/// # References
/// B. Jørgensen (1997), *The Theory of Dispersion Models*, Chapman & Hall, ch. 4.
pub fn mean_tweedie_deviance(
    y_true: ArrayView1<'_, f64>,
    y_pred: ArrayView1<'_, f64>,
    power: f64,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    let metric = "mean_tweedie_deviance";
    check_power(metric, power)?;
    check_inputs(metric, y_true, y_pred, sample_weight)?;
    check_tweedie(metric, power, y_true, y_pred)?;
    Ok(average_loss(y_true, y_pred, sample_weight, |t, p| {
        unit_deviance(power, t, p)
    }))
}

/// Mean Poisson deviance, `Σ wᵢ 2 (yᵢ ln(yᵢ/ŷᵢ) − yᵢ + ŷᵢ) / Σ wᵢ` (scikit-learn's
/// `mean_poisson_deviance`; [`mean_tweedie_deviance`] with power 1). `0 · ln 0` is 0.
///
/// # Errors
/// [`Error::InvalidValue`] with the row of the first `y_true < 0` or `y_pred ≤ 0`; the input
/// checks of the [module](super).
pub fn mean_poisson_deviance(
    y_true: ArrayView1<'_, f64>,
    y_pred: ArrayView1<'_, f64>,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    let metric = "mean_poisson_deviance";
    check_inputs(metric, y_true, y_pred, sample_weight)?;
    check_tweedie(metric, 1.0, y_true, y_pred)?;
    Ok(average_loss(y_true, y_pred, sample_weight, |t, p| {
        unit_deviance(1.0, t, p)
    }))
}

/// Mean Gamma deviance, `Σ wᵢ 2 (ln(ŷᵢ/yᵢ) + yᵢ/ŷᵢ − 1) / Σ wᵢ` (scikit-learn's
/// `mean_gamma_deviance`; [`mean_tweedie_deviance`] with power 2). Invariant to scaling the
/// target: it measures relative errors.
///
/// # Errors
/// [`Error::InvalidValue`] with the row of the first `y_true ≤ 0` or `y_pred ≤ 0`; the input
/// checks of the [module](super).
pub fn mean_gamma_deviance(
    y_true: ArrayView1<'_, f64>,
    y_pred: ArrayView1<'_, f64>,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    let metric = "mean_gamma_deviance";
    check_inputs(metric, y_true, y_pred, sample_weight)?;
    check_tweedie(metric, 2.0, y_true, y_pred)?;
    Ok(average_loss(y_true, y_pred, sample_weight, |t, p| {
        unit_deviance(2.0, t, p)
    }))
}

/// The pinball loss of one residual `t − p` at quantile level `alpha`.
#[inline]
pub(super) fn pinball(alpha: f64, t: f64, p: f64) -> f64 {
    let diff = t - p;
    if diff >= 0.0 {
        alpha * diff
    } else {
        -(1.0 - alpha) * diff
    }
}

/// Checks the quantile level of the pinball loss: a float in [0, 1].
pub(super) fn check_alpha(metric: &str, alpha: f64) -> Result<()> {
    check_param(
        metric,
        "alpha",
        alpha,
        (0.0..=1.0).contains(&alpha),
        "a float in the range [0, 1]",
    )
}

/// Mean pinball (quantile) loss at level `alpha` (scikit-learn's `mean_pinball_loss`):
/// `α (y − ŷ)` where `y ≥ ŷ`, `(1 − α)(ŷ − y)` otherwise, averaged with the weights.
///
/// # Parameters
/// - `alpha` (scikit-learn's default 0.5): the quantile level in [0, 1]. At 0.5 the loss is
///   half the [mean absolute error](super::mean_absolute_error).
///
/// # Errors
/// [`Error::InvalidParameter`] for `alpha` outside [0, 1] (or NaN); the input checks of the
/// [module](super).
///
/// # References
/// R. Koenker and G. Bassett (1978), "Regression quantiles", *Econometrica* 46(1).
pub fn mean_pinball_loss(
    y_true: ArrayView1<'_, f64>,
    y_pred: ArrayView1<'_, f64>,
    alpha: f64,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    let metric = "mean_pinball_loss";
    check_alpha(metric, alpha)?;
    check_inputs(metric, y_true, y_pred, sample_weight)?;
    Ok(average_loss(y_true, y_pred, sample_weight, |t, p| {
        pinball(alpha, t, p)
    }))
}
