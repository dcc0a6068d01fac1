//! The two-sample Kolmogorov–Smirnov test, as scipy 1.17's `stats.ks_2samp` (two-sided).

use kiln_core::Result;
use serde::{Deserialize, Serialize};

use super::kolmogorov::kstwo_sf;
use super::{check_sample, check_sorted, sorted_copy};

/// How [`ks_2samp`] computes its p-value (scipy's `method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum KsMethod {
    /// Exact when both samples have at most 10 000 values, asymptotic beyond (the default,
    /// scipy's `'auto'`).
    #[default]
    Auto,
    /// The exact distribution of the two-sample statistic under the null (Hodges' lattice
    /// path counts). Falls back to [`KsMethod::Asymptotic`] where scipy does: when
    /// `n1/g · n2/g` (g their gcd) reaches the 32-bit integer range, or when the computation
    /// fails. Costs O(n1·n2) in the worst case.
    Exact,
    /// The distribution of the one-sample statistic for `n = round(n1·n2 / (n1 + n2))`
    /// (scipy's `'asymp'`, `kstwo.sf`).
    Asymptotic,
}

/// The result of [`ks_2samp`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KsResult {
    /// The largest absolute difference between the two empirical distribution functions.
    /// With the exact method it is rounded to the lattice `h / lcm(n1, n2)` as scipy does.
    pub statistic: f64,
    /// The two-sided p-value.
    pub p_value: f64,
    /// The method that produced the p-value: never [`KsMethod::Auto`].
    pub method_used: KsMethod,
    /// The size of the reference sample.
    pub n_reference: usize,
    /// The size of the current sample.
    pub n_current: usize,
}

/// `method='auto'` is exact up to this many values in the larger sample.
const MAX_AUTO_N: usize = 10_000;

/// The two-sample Kolmogorov–Smirnov test (two-sided), equal to scipy 1.17's
/// `scipy.stats.ks_2samp(reference, current, method=...)`.
///
/// # Parameters
/// - `reference`, `current`: the two samples, any order, finite values.
/// - `method`: how to compute the p-value; [`KsMethod::Auto`] is scipy's default.
///
/// # Errors
/// [`kiln_core::Error::EmptyInput`] if a sample is empty, [`kiln_core::Error::NonFinite`]
/// (naming `reference` or `current` and the position) for a NaN or infinite value.
///
/// # Notes
/// Sorts copies of both samples (O((n1 + n2) log(n1 + n2))), then one merge pass computes the
/// statistic over the pooled values, so ties are handled as scipy does. The exact p-value
/// costs O(n) for equal sizes and up to O(n1·n2) otherwise; with [`KsMethod::Auto`] this only
/// happens up to 10 000 values per sample. The asymptotic p-value costs at most a few
/// thousand operations. For a reference sample that is already sorted, use
/// [`ks_2samp_sorted`].
///
/// With `n1 = n2 = 1` and [`KsMethod::Asymptotic`], scipy's `n = round(0.5) = 0` is outside
/// the distribution's domain and the p-value is NaN, as in scipy.
///
/// # References
/// - J. L. Hodges Jr., "The significance probability of the Smirnov two-sample test",
///   Arkiv för Matematik 3, 1958.
/// - T. Viehmann, "Numerically more stable computation of the p-values for the two-sample
///   Kolmogorov-Smirnov test", arXiv:2102.08037, 2021.
///
/// # Example
/// ```
/// use kiln_monitor::stats::{ks_2samp, KsMethod};
///
/// let r = ks_2samp(&[1.0, 2.0, 3.0, 4.0], &[3.5, 4.5, 5.5], KsMethod::Auto)?;
/// assert!((r.statistic - 0.75).abs() < 1e-15);
/// assert_eq!(r.method_used, KsMethod::Exact);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn ks_2samp(reference: &[f64], current: &[f64], method: KsMethod) -> Result<KsResult> {
    check_sample(reference, "reference")?;
    check_sample(current, "current")?;
    let a = sorted_copy(reference);
    let b = sorted_copy(current);
    ks_sorted_unchecked(&a, &b, method)
}

/// [`ks_2samp`] for samples that are already sorted ascending: one O(n1 + n2) merge.
///
/// # Errors
/// As [`ks_2samp`], and [`kiln_core::Error::InvalidValue`] if a sample is not sorted ascending.
///
/// # Example
/// ```
/// use kiln_monitor::stats::{ks_2samp, ks_2samp_sorted, KsMethod};
///
/// let a = [0.1, 0.4, 0.5, 0.9];
/// let b = [0.2, 0.3, 0.8];
/// assert_eq!(
///     ks_2samp_sorted(&a, &b, KsMethod::Exact)?,
///     ks_2samp(&a, &b, KsMethod::Exact)?
/// );
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn ks_2samp_sorted(
    reference_sorted: &[f64],
    current_sorted: &[f64],
    method: KsMethod,
) -> Result<KsResult> {
    check_sample(reference_sorted, "reference")?;
    check_sample(current_sorted, "current")?;
    check_sorted(reference_sorted, "reference")?;
    check_sorted(current_sorted, "current")?;
    ks_sorted_unchecked(reference_sorted, current_sorted, method)
}

fn ks_sorted_unchecked(a: &[f64], b: &[f64], method: KsMethod) -> Result<KsResult> {
    let (n1, n2) = (a.len(), b.len());
    let d = ks_statistic(a, b);
    let g = gcd(n1 as u64, n2 as u64);
    let (n1g, n2g) = (n1 as u64 / g, n2 as u64 / g);
    let mut mode = match method {
        KsMethod::Auto if n1.max(n2) <= MAX_AUTO_N => KsMethod::Exact,
        KsMethod::Auto => KsMethod::Asymptotic,
        KsMethod::Exact if n1g as f64 >= i32::MAX as f64 / n2g as f64 => KsMethod::Asymptotic,
        m => m,
    };
    let mut statistic = d;
    let mut p_value = f64::NAN;
    if mode == KsMethod::Exact {
        let (ok, d_lattice, p) = exact_p_value(n1 as u64, n2 as u64, g, d);
        statistic = d_lattice;
        if ok {
            p_value = p;
        } else {
            mode = KsMethod::Asymptotic;
        }
    }
    if mode == KsMethod::Asymptotic {
        let (m, n) = (n1.max(n2) as f64, n1.min(n2) as f64);
        let en = (m * n / (m + n)).round_ties_even();
        p_value = if en >= 1.0 {
            kstwo_sf(en as usize, statistic)
        } else {
            f64::NAN
        };
    }
    Ok(KsResult {
        statistic,
        p_value: p_value.clamp(0.0, 1.0),
        method_used: mode,
        n_reference: n1,
        n_current: n2,
    })
}

/// The largest |F1 − F2| over the pooled values, with scipy's floating-point steps
/// (`i/n1 - j/n2` and the clipped negative side).
fn ks_statistic(a: &[f64], b: &[f64]) -> f64 {
    let (n1, n2) = (a.len() as f64, b.len() as f64);
    let (mut i, mut j) = (0, 0);
    let (mut max_diff, mut min_diff) = (f64::NEG_INFINITY, f64::INFINITY);
    while i < a.len() || j < b.len() {
        let v = match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) => x.min(y),
            (Some(&x), None) => x,
            (None, Some(&y)) => y,
            (None, None) => break,
        };
        while i < a.len() && a[i] <= v {
            i += 1;
        }
        while j < b.len() && b[j] <= v {
            j += 1;
        }
        let diff = i as f64 / n1 - j as f64 / n2;
        max_diff = max_diff.max(diff);
        min_diff = min_diff.min(diff);
    }
    let min_s = (-min_diff).clamp(0.0, 1.0);
    if min_s > max_diff { min_s } else { max_diff }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// scipy's `_attempt_exact_2kssamp` (two-sided): (success, statistic on the lattice, p).
fn exact_p_value(n1: u64, n2: u64, g: u64, d: f64) -> (bool, f64, f64) {
    let lcm = (n1 / g) as f64 * n2 as f64;
    let h = (d * lcm).round_ties_even();
    let d = h / lcm;
    if h == 0.0 {
        return (true, d, 1.0);
    }
    let h = h as u64;
    let prob = if n1 == n2 {
        prob_outside_square(n1, h)
    } else {
        outer_prob_inside(n1, n2, g, h)
    };
    if !(0.0..=1.0).contains(&prob) {
        return (false, d, prob);
    }
    (true, d, prob)
}

/// `P(D_{n,n} >= h/n)` by the alternating sum of binomial ratios, evaluated Horner-like
/// (`2·A0·(1 − A1·(1 − A2·(…)))`) to avoid cancellation.
fn prob_outside_square(n: u64, h: u64) -> f64 {
    let (n, h) = (n as i64, h as i64);
    let mut p = 0.0;
    let mut k = n / h;
    loop {
        let mut p1 = 1.0;
        // The numerator reaches 0 (and then goes negative) within a block: the product is 0.
        for j in 0..h {
            p1 = (n - k * h - j) as f64 * p1 / (n + k * h + j + 1) as f64;
        }
        p = p1 * (1.0 - p);
        if k == 0 {
            break;
        }
        k -= 1;
    }
    2.0 * p
}

/// `1 − P(paths stay strictly inside |x/m − y/n| < h/lcm)`, by Hodges' inside method with
/// Viehmann's recursion for the complement, over a sliding window of one column.
fn outer_prob_inside(m: u64, n: u64, g: u64, h: u64) -> f64 {
    let (m, n) = if m < n { (n, m) } else { (m, n) };
    let (mg, ng) = (m / g, n / g);
    let (m, n, mg, ng, h) = (m as i64, n as i64, mg as i64, ng as i64, h as i64);
    let mut minj: i64 = 0;
    let mut maxj: i64 = ((h as f64 / mg as f64).ceil() as i64).min(n + 1);
    let mut curlen = maxj - minj;
    let len_a = (2 * maxj + 2).min(n + 1) as usize;
    let mut a = vec![1.0_f64; len_a];
    for v in a.iter_mut().take(maxj as usize) {
        *v = 0.0;
    }
    for i in 1..=m {
        let (lastminj, lastlen) = (minj, curlen);
        minj = ((((ng * i - h) as f64 / mg as f64).floor() as i64) + 1).max(0);
        minj = minj.min(n);
        maxj = (((ng * i + h) as f64 / mg as f64).ceil() as i64).min(n + 1);
        if maxj <= minj {
            return 1.0;
        }
        let mut val = if minj == 0 { 0.0 } else { 1.0 };
        let fi = i as f64;
        for jj in 0..(maxj - minj) {
            let j = (jj + minj) as f64;
            let prev = a
                .get((jj + minj - lastminj) as usize)
                .copied()
                .unwrap_or(1.0);
            val = (prev * fi + val * j) / (fi + j);
            if let Some(slot) = a.get_mut(jj as usize) {
                *slot = val;
            }
        }
        curlen = maxj - minj;
        if lastlen > curlen {
            let start = (maxj - minj) as usize;
            let end = (start + (lastlen - curlen) as usize).min(len_a);
            for v in a.iter_mut().take(end).skip(start) {
                *v = 1.0;
            }
        }
    }
    a.get((maxj - minj - 1) as usize)
        .copied()
        .unwrap_or(f64::NAN)
}
