//! The statistics a drift report computes, delegated to [`crate::stats`] and
//! [`crate::distance`]. Kept in one place so the report's columns use exactly those functions.

use kiln_core::Result;

use crate::distance;
use crate::stats::{self, KsMethod};

/// Two-sample KS on sorted samples: (statistic, p-value).
pub(crate) fn ks(reference: &[f64], current: &[f64]) -> Result<(f64, f64)> {
    let r = stats::ks_2samp_sorted(reference, current, KsMethod::Auto)?;
    Ok((r.statistic, r.p_value))
}

/// Wasserstein-1 distance divided by the reference's population standard deviation.
pub(crate) fn wasserstein_normed(reference: &[f64], current: &[f64]) -> Result<f64> {
    stats::wasserstein_normalized(reference, current)
}

/// Energy distance.
pub(crate) fn energy(reference: &[f64], current: &[f64]) -> Result<f64> {
    stats::energy_distance(reference, current)
}

/// Anderson–Darling k-sample: (statistic, significance level as p-value).
pub(crate) fn anderson(reference: &[f64], current: &[f64]) -> Result<(f64, f64)> {
    let r = stats::anderson_ksamp(&[reference, current])?;
    Ok((r.statistic, r.significance_level))
}

/// Population stability index with empty bins smoothed by `epsilon`.
pub(crate) fn psi(reference: &[f64], current: &[f64], epsilon: f64) -> Result<f64> {
    distance::psi(reference, current, epsilon)
}

/// Jensen–Shannon distance with logarithms in `base`.
pub(crate) fn jensen_shannon(reference: &[f64], current: &[f64], base: f64) -> Result<f64> {
    distance::jensen_shannon(reference, current, base)
}

/// Hellinger distance.
pub(crate) fn hellinger(reference: &[f64], current: &[f64]) -> Result<f64> {
    distance::hellinger(reference, current)
}

/// KL divergence of the reference from the current, smoothed by `epsilon`, natural log.
pub(crate) fn kl(reference: &[f64], current: &[f64], epsilon: f64) -> Result<f64> {
    distance::kl_divergence(reference, current, epsilon)
}

/// Chi-square goodness of fit of `observed` counts to `expected` proportions: (statistic, p).
pub(crate) fn chi2_gof(observed: &[f64], expected: &[f64]) -> Result<(f64, f64)> {
    let r = distance::chi2_goodness_of_fit(observed, expected)?;
    Ok((r.statistic, r.p_value))
}

/// Pooled two-proportion z-test: (statistic, two-sided p).
pub(crate) fn ztest(count_ref: f64, n_ref: f64, count_cur: f64, n_cur: f64) -> Result<(f64, f64)> {
    let r = stats::proportions_ztest(count_ref, n_ref, count_cur, n_cur)?;
    Ok((r.statistic, r.p_value))
}

/// Counts of `values` in the bins of `edges`.
pub(crate) fn histogram(values: &[f64], edges: &[f64]) -> Result<Vec<f64>> {
    distance::histogram(values, edges)
}
