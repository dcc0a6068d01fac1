//! From a bootstrap distribution to a confidence interval: percentile and BCa, with the
//! formulas of `scipy.stats.bootstrap` (SciPy 1.17.1).

use kiln_core::check::check_param;
use kiln_core::special::{norm_cdf, norm_ppf};
use kiln_core::{Error, Result};
use serde::{Deserialize, Serialize};

/// How the interval is read off the bootstrap distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum IntervalMethod {
    /// The `(1 − confidence)/2` and `(1 + confidence)/2` quantiles of the bootstrap
    /// distribution (SciPy's `method='percentile'`). The default.
    #[default]
    Percentile,
    /// Efron's bias-corrected and accelerated interval (SciPy's `method='BCa'`): the quantile
    /// levels are shifted by the bias `z₀` (where the estimate falls in the bootstrap
    /// distribution) and the acceleration `a` (skewness of the leave-one-out jackknife
    /// values). Second-order accurate; costs `n_samples` extra metric evaluations.
    Bca,
}

/// The `p`-quantile of the sorted `sorted` as `scipy.stats.quantile(method='linear')`
/// (Hyndman & Fan's type 7, written as SciPy writes it so the rounding agrees): with
/// `h = p·n + 1 − p`, `j = ⌊h⌋ − 1`, `g = h − ⌊h⌋`, the result is
/// `(1 − g)·x[j] + g·x[j + 1]` (indices clipped to the data). NaN for `p` outside [0, 1].
fn quantile_linear(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 || p.is_nan() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    let h = p * n as f64 + (1.0 - p);
    let floor = h.floor();
    let g = h - floor;
    let last = (n - 1) as f64;
    let j = (floor - 1.0).clamp(0.0, last) as usize;
    let jp1 = floor.clamp(0.0, last) as usize;
    (1.0 - g) * sorted[j] + g * sorted[jp1]
}

/// The BCa quantile levels `(α₁, α₂)` for the two-sided level `alpha = (1 − confidence)/2`
/// (Efron & Tibshirani 1993, eq. 14.10 with `z₀` from eq. 14.14 and `a` from eq. 14.15, as
/// SciPy's `_bca_interval` computes them).
fn bca_levels(estimate: f64, resamples: &[f64], jackknife: &[f64], alpha: f64) -> (f64, f64) {
    // z₀: where the estimate falls in the bootstrap distribution, ties counted half
    // (SciPy's `_percentile_of_score`, "mean" kind).
    let below = resamples.iter().filter(|&&v| v < estimate).count();
    let at_or_below = resamples.iter().filter(|&&v| v <= estimate).count();
    let z0 = norm_ppf((below + at_or_below) as f64 / (2 * resamples.len()) as f64);

    // a: the skewness of the jackknife influence values U_i = (n − 1)(θ̄ − θ_i).
    let n = jackknife.len() as f64;
    let mean = jackknife.iter().sum::<f64>() / n;
    let (mut cubes, mut squares) = (0.0, 0.0);
    for &theta in jackknife {
        let u = (n - 1.0) * (mean - theta);
        squares += u * u;
        cubes += u * u * u;
    }
    let accel = 1.0 / 6.0 * (cubes / (n * n * n)) / (squares / (n * n)).powf(1.5);

    let z_alpha = norm_ppf(alpha);
    let level = |z: f64| {
        let num = z0 + z;
        norm_cdf(z0 + num / (1.0 - accel * num))
    };
    (level(z_alpha), level(-z_alpha))
}

/// The confidence interval `(lower, upper)` from a bootstrap distribution, as
/// `scipy.stats.bootstrap` computes it from its resampled statistics.
///
/// This is the second half of [`super::Bootstrap::interval`], public so the interval
/// formulas can be checked against SciPy on the very same resamples (and reused with
/// resamples drawn elsewhere).
///
/// # Parameters
/// - `estimate`: the metric on all rows (used by BCa only).
/// - `resamples`: the metric on each bootstrap resample, in any order.
/// - `jackknife`: the metric without row `i`, for each row `i` (needed by BCa only).
/// - `confidence`: the two-sided confidence level, in (0, 1).
/// - `method`: [`IntervalMethod::Percentile`] takes the `α = (1 − confidence)/2` and `1 − α`
///   quantiles of `resamples`; [`IntervalMethod::Bca`] takes the BCa-adjusted levels.
///   Quantiles interpolate linearly between order statistics (`scipy.stats.quantile`'s
///   default `'linear'`, NumPy's default percentile).
///
/// # Errors
/// - [`Error::InvalidParameter`] for `confidence` outside (0, 1).
/// - [`Error::EmptyInput`] for no resamples, or no jackknife values with BCa.
/// - [`Error::NonFinite`] for a NaN among the values (a NaN `estimate` with BCa).
/// - [`Error::InvalidValue`] when BCa is undefined (SciPy returns NaN and warns): e.g. every
///   jackknife value is equal, so the acceleration is 0/0. The percentile method is then the
///   way out.
///
/// # References
/// B. Efron and R. J. Tibshirani (1993), *An Introduction to the Bootstrap*, Chapman & Hall,
/// §13.3 (percentile interval), §14.3 (BCa, eqs. 14.9–14.15).
///
/// # Example
/// ```
/// use kiln_metrics::bootstrap::{IntervalMethod, interval_from_resamples};
///
/// let resamples: Vec<f64> = (0..=100).map(f64::from).collect();
/// let (lo, hi) =
///     interval_from_resamples(50.0, &resamples, None, 0.9, IntervalMethod::Percentile)?;
/// // Linear interpolation between order statistics: the 5 % and 95 % points of 0..=100.
/// assert!((lo - 5.0).abs() < 1e-12 && (hi - 95.0).abs() < 1e-12);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn interval_from_resamples(
    estimate: f64,
    resamples: &[f64],
    jackknife: Option<&[f64]>,
    confidence: f64,
    method: IntervalMethod,
) -> Result<(f64, f64)> {
    check_confidence(confidence)?;
    if resamples.is_empty() {
        return Err(Error::EmptyInput {
            what: "bootstrap distribution".into(),
            reason: "0 resamples".into(),
        });
    }
    check_no_nan(resamples, "bootstrap distribution")?;
    let alpha = (1.0 - confidence) / 2.0;
    let (low_level, high_level) = match method {
        IntervalMethod::Percentile => (alpha, 1.0 - alpha),
        IntervalMethod::Bca => {
            let jackknife = jackknife.unwrap_or_default();
            if jackknife.is_empty() {
                return Err(Error::EmptyInput {
                    what: "jackknife values of the BCa interval".into(),
                    reason: "0 values; BCa needs the metric without each row".into(),
                });
            }
            check_no_nan(jackknife, "jackknife values of the BCa interval")?;
            check_no_nan(&[estimate], "estimate of the BCa interval")?;
            bca_levels(estimate, resamples, jackknife, alpha)
        }
    };
    let mut sorted = resamples.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    let lower = quantile_linear(&sorted, low_level);
    let upper = quantile_linear(&sorted, high_level);
    if lower.is_nan() || upper.is_nan() {
        return Err(Error::InvalidValue {
            what: "BCa interval".into(),
            row: None,
            reason: format!(
                "the adjusted quantile levels are ({low_level}, {high_level}); BCa is undefined \
                 when the bootstrap distribution or the jackknife values are degenerate \
                 (e.g. all equal); use IntervalMethod::Percentile"
            ),
        });
    }
    Ok((lower, upper))
}

/// Checks the confidence level: a float in (0, 1).
pub(super) fn check_confidence(confidence: f64) -> Result<()> {
    check_param(
        "Bootstrap",
        "confidence",
        confidence,
        confidence > 0.0 && confidence < 1.0,
        "a float in the range (0, 1)",
    )
}

/// [`Error::NonFinite`] at the first NaN of `values`.
fn check_no_nan(values: &[f64], what: &str) -> Result<()> {
    match values.iter().position(|v| v.is_nan()) {
        None => Ok(()),
        Some(row) => Err(Error::NonFinite {
            what: what.into(),
            row,
            col: None,
            value: f64::NAN,
        }),
    }
}

/// The sample standard deviation (`ddof = 1`, as SciPy's `standard_error`); NaN for fewer
/// than two values.
pub(super) fn std_ddof1(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
    (ss / (n - 1.0)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    // numpy.quantile([1, 2, 3, 4], [0, 0.25, 0.5, 0.9, 1]) = [1, 1.75, 2.5, 3.7, 4].
    #[test]
    fn linear_quantile_matches_numpy() {
        let x = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_linear(&x, 0.0), 1.0);
        assert_eq!(quantile_linear(&x, 0.25), 1.75);
        assert_eq!(quantile_linear(&x, 0.5), 2.5);
        assert!((quantile_linear(&x, 0.9) - 3.7).abs() < 1e-15);
        assert_eq!(quantile_linear(&x, 1.0), 4.0);
        assert!(quantile_linear(&x, 1.5).is_nan());
        assert_eq!(quantile_linear(&[7.0], 0.3), 7.0);
    }

    #[test]
    fn std_uses_n_minus_one() {
        assert_eq!(std_ddof1(&[1.0, 3.0]), 2.0_f64.sqrt());
        assert!(std_ddof1(&[1.0]).is_nan());
    }
}
