//! The pooled two-proportion z-test.

use kiln_core::special::norm_cdf;
use kiln_core::{Error, Result};
use serde::{Deserialize, Serialize};

/// The result of [`proportions_ztest`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ZTestResult {
    /// `z = (p_ref − p_cur) / sqrt(p(1 − p)(1/n_ref + 1/n_cur))`, `p` the pooled proportion.
    pub statistic: f64,
    /// The two-sided p-value `2·Φ(−|z|)`.
    pub p_value: f64,
}

/// The two-sided z-test for equal proportions in two samples, pooled variance: the formula
/// of statsmodels' `proportions_ztest([count_ref, count_cur], [n_ref, n_cur])` and
/// Evidently's `z` drift test.
///
/// # Parameters
/// - `count_ref`, `n_ref`: successes and trials in the reference sample.
/// - `count_cur`, `n_cur`: the same in the current sample.
///
/// Counts are `f64` so weighted or aggregated counts can be passed; they must satisfy
/// `0 <= count <= n` and `n > 0`.
///
/// # Errors
/// [`Error::NonFinite`] for a non-finite argument, [`Error::InvalidValue`] for a negative
/// count, a count above its `n`, or `n <= 0`.
///
/// # Notes
/// When the pooled proportion is 0 or 1 (both samples all failures or all successes) the
/// variance is 0 and statsmodels returns NaN; here the samples agree exactly, so the result
/// is `z = 0`, `p = 1` (as Evidently treats two identical constant columns).
///
/// # Example
/// ```
/// use kiln_monitor::stats::proportions_ztest;
///
/// // 30/100 against 45/100: p = 0.375, se = sqrt(0.375·0.625·0.02).
/// let r = proportions_ztest(30.0, 100.0, 45.0, 100.0)?;
/// let z = -0.15 / (0.375_f64 * 0.625 * 0.02).sqrt();
/// assert!((r.statistic - z).abs() < 1e-12);
/// assert!((r.p_value - 0.028_459_736_916_310_5).abs() < 1e-10);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn proportions_ztest(
    count_ref: f64,
    n_ref: f64,
    count_cur: f64,
    n_cur: f64,
) -> Result<ZTestResult> {
    let args = [
        ("count_ref", count_ref),
        ("n_ref", n_ref),
        ("count_cur", count_cur),
        ("n_cur", n_cur),
    ];
    for (i, &(name, v)) in args.iter().enumerate() {
        if !v.is_finite() {
            return Err(Error::NonFinite {
                what: format!("proportions_ztest argument `{name}`"),
                row: i,
                col: None,
                value: v,
            });
        }
    }
    for (count_name, count, n_name, n) in [
        ("count_ref", count_ref, "n_ref", n_ref),
        ("count_cur", count_cur, "n_cur", n_cur),
    ] {
        if n <= 0.0 {
            return Err(Error::InvalidValue {
                what: n_name.into(),
                row: None,
                reason: format!("the number of trials must be > 0; got {n}"),
            });
        }
        if count < 0.0 || count > n {
            return Err(Error::InvalidValue {
                what: count_name.into(),
                row: None,
                reason: format!("the count must be in [0, {n_name}={n}]; got {count}"),
            });
        }
    }
    let diff = count_ref / n_ref - count_cur / n_cur;
    let pooled = (count_ref + count_cur) / (n_ref + n_cur);
    let var = pooled * (1.0 - pooled) * (1.0 / n_ref + 1.0 / n_cur);
    if var <= 0.0 {
        return Ok(ZTestResult {
            statistic: 0.0,
            p_value: 1.0,
        });
    }
    let statistic = diff / var.sqrt();
    Ok(ZTestResult {
        statistic,
        p_value: 2.0 * norm_cdf(-statistic.abs()),
    })
}
