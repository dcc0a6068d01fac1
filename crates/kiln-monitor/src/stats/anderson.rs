//! The k-sample Anderson–Darling test, as scipy 1.17's `stats.anderson_ksamp` (midrank form).

use kiln_core::{Error, Result};
use serde::{Deserialize, Serialize};

use super::{Neumaier, check_sample, sorted_copy};

/// The significance levels of [`AndersonResult::critical_values`], in the same order
/// (Scholz & Stephens' Table 2, as scipy).
pub const ANDERSON_SIGNIFICANCE_LEVELS: [f64; 7] = [0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001];

/// The result of [`anderson_ksamp`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AndersonResult {
    /// The normalized k-sample statistic `(A²akN − (k − 1)) / σ`.
    pub statistic: f64,
    /// The critical values at [`ANDERSON_SIGNIFICANCE_LEVELS`] for this number of samples.
    pub critical_values: [f64; 7],
    /// The approximate p-value, capped to [0.001, 0.25] as scipy does.
    pub significance_level: f64,
}

/// The k-sample Anderson–Darling test (midrank version, for continuous and discrete data),
/// equal to scipy 1.17's `scipy.stats.anderson_ksamp(samples)` with its defaults.
///
/// # Parameters
/// - `samples`: at least two non-empty samples of finite values.
///
/// # Errors
/// [`Error::TooFewSamples`] for fewer than two samples or fewer than 3 values in all,
/// [`Error::EmptyInput`] for an empty sample, [`Error::NonFinite`] (naming `samples[i]` and
/// the position) for NaN or infinity, [`Error::InvalidValue`] when all values are equal
/// (scipy raises for each of these).
///
/// # Notes
/// - The statistic is Scholz & Stephens' A²akN (their equation 7, midranks for ties),
///   normalized by its mean `k − 1` and variance under the null.
/// - The p-value interpolates the log of the significance levels with a quadratic in the
///   critical values (a least-squares fit over the 7 table points, as `np.polyfit`), and is
///   returned as 0.25 below the smallest critical value and 0.001 above the largest: the
///   true value is then larger (resp. smaller). scipy warns in those cases.
/// - Cost: one sort of each sample and of the pooled values, then merge passes:
///   O(N log N) for N values in all.
///
/// # References
/// F. W. Scholz, M. A. Stephens, "K-Sample Anderson-Darling Tests", JASA 82(399), 1987.
///
/// # Example
/// ```
/// use kiln_monitor::stats::anderson_ksamp;
///
/// let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
/// let b = [4.5, 5.5, 6.5, 7.5, 8.5, 9.5];
/// let r = anderson_ksamp(&[&a, &b])?;
/// assert!(r.statistic > r.critical_values[2]); // different at the 5% level
/// assert!(r.significance_level < 0.05);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn anderson_ksamp(samples: &[&[f64]]) -> Result<AndersonResult> {
    let k = samples.len();
    if k < 2 {
        return Err(Error::TooFewSamples {
            estimator: "anderson_ksamp".into(),
            needed: "at least 2 samples".into(),
            got: format!("{k} sample(s)"),
            n_samples: samples.first().map_or(0, |s| s.len()),
        });
    }
    for (i, s) in samples.iter().enumerate() {
        check_sample(s, &format!("samples[{i}]"))?;
    }
    let sorted: Vec<Vec<f64>> = samples.iter().map(|s| sorted_copy(s)).collect();
    let mut pooled: Vec<f64> = Vec::with_capacity(sorted.iter().map(Vec::len).sum());
    for s in &sorted {
        pooled.extend_from_slice(s);
    }
    pooled.sort_unstable_by(f64::total_cmp);
    let n_total = pooled.len();
    // Distinct values z_j with lj = multiplicity and Bj = (#values < z_j) + lj/2.
    let mut z = Vec::new();
    let mut lj = Vec::new();
    let mut start = 0;
    while start < n_total {
        let v = pooled[start];
        let mut end = start + 1;
        while end < n_total && pooled[end] <= v {
            end += 1;
        }
        z.push((v, start));
        lj.push((end - start) as f64);
        start = end;
    }
    if z.len() < 2 {
        return Err(Error::InvalidValue {
            what: "samples".into(),
            row: None,
            reason: "anderson_ksamp needs more than one distinct observation".into(),
        });
    }
    if n_total < 3 {
        return Err(Error::TooFewSamples {
            estimator: "anderson_ksamp".into(),
            needed: "at least 3 values in all".into(),
            got: format!("{n_total} values"),
            n_samples: n_total,
        });
    }
    let nf = n_total as f64;
    let all_distinct = z.len() == n_total;
    let mut a2akn = 0.0;
    for s in &sorted {
        let ni = s.len() as f64;
        let mut acc = Neumaier::default();
        let mut pos = 0; // number of values of s strictly below the current z_j
        for (&(zj, left), &l) in z.iter().zip(&lj) {
            while pos < s.len() && s[pos] < zj {
                pos += 1;
            }
            let mut right = pos;
            while right < s.len() && s[right] <= zj {
                right += 1;
            }
            let fij = (right - pos) as f64;
            let mij = right as f64 - fij / 2.0;
            let l = if all_distinct { 1.0 } else { l };
            let bj = left as f64 + l / 2.0;
            let num = nf * mij - bj * ni;
            acc.add(l / nf * (num * num) / (bj * (nf - bj) - nf * l / 4.0));
            pos = right;
        }
        a2akn += acc.sum() / ni;
    }
    a2akn *= (nf - 1.0) / nf;

    let kf = k as f64;
    let big_h: f64 = samples.iter().map(|s| 1.0 / s.len() as f64).sum();
    // hs_cs[i] = 1/(N-1) + ... + 1/(N-1-i), for i = 0 ..= N-3 (scipy's cumsum).
    let mut cs = 0.0;
    let mut g = Neumaier::default();
    for (idx, denom) in (2..n_total).rev().enumerate() {
        cs += 1.0 / denom as f64;
        g.add(cs / (idx + 2) as f64);
    }
    let h = cs + 1.0;
    let g = g.sum();
    let a = (4.0 * g - 6.0) * (kf - 1.0) + (10.0 - 6.0 * g) * big_h;
    let b = (2.0 * g - 4.0) * kf * kf + 8.0 * h * kf + (2.0 * g - 14.0 * h - 4.0) * big_h - 8.0 * h
        + 4.0 * g
        - 6.0;
    let c = (6.0 * h + 2.0 * g - 2.0) * kf * kf
        + (4.0 * h - 4.0 * g + 6.0) * kf
        + (2.0 * h - 6.0) * big_h
        + 4.0 * h;
    let d = (2.0 * h + 6.0) * kf * kf - 4.0 * h * kf;
    let sigmasq =
        (a * nf.powi(3) + b * nf.powi(2) + c * nf + d) / ((nf - 1.0) * (nf - 2.0) * (nf - 3.0));
    let m = kf - 1.0;
    let statistic = (a2akn - m) / sigmasq.sqrt();

    const B0: [f64; 7] = [0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085];
    const B1: [f64; 7] = [-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615];
    const B2: [f64; 7] = [-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154];
    let mut critical = [0.0; 7];
    for (i, cv) in critical.iter_mut().enumerate() {
        *cv = B0[i] + B1[i] / m.sqrt() + B2[i] / m;
    }
    let cmin = critical.iter().copied().fold(f64::INFINITY, f64::min);
    let cmax = critical.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let significance_level = if statistic < cmin {
        0.25
    } else if statistic > cmax {
        0.001
    } else {
        let log_sig = ANDERSON_SIGNIFICANCE_LEVELS.map(f64::ln);
        let [p2, p1, p0] = quadratic_fit(&critical, &log_sig);
        ((p2 * statistic + p1) * statistic + p0).exp()
    };
    Ok(AndersonResult {
        statistic,
        critical_values: critical,
        significance_level,
    })
}

/// Least-squares quadratic `y ≈ p2·x² + p1·x + p0` (as `np.polyfit(x, y, 2)`), by Householder
/// QR of the column-scaled Vandermonde matrix.
fn quadratic_fit(x: &[f64; 7], y: &[f64; 7]) -> [f64; 3] {
    let mut a = [[0.0_f64; 3]; 7];
    for (row, &xi) in a.iter_mut().zip(x) {
        *row = [xi * xi, xi, 1.0];
    }
    let mut scale = [0.0_f64; 3];
    for (c, sc) in scale.iter_mut().enumerate() {
        *sc = a.iter().map(|r| r[c] * r[c]).sum::<f64>().sqrt();
        for r in a.iter_mut() {
            r[c] /= *sc;
        }
    }
    let mut b = *y;
    for c in 0..3 {
        let norm = (c..7).map(|r| a[r][c] * a[r][c]).sum::<f64>().sqrt();
        let alpha = if a[c][c] > 0.0 { -norm } else { norm };
        let mut v = [0.0_f64; 7];
        for r in c..7 {
            v[r] = a[r][c];
        }
        v[c] -= alpha;
        let vnorm2: f64 = (c..7).map(|r| v[r] * v[r]).sum();
        if vnorm2 == 0.0 {
            continue;
        }
        for cc in c..3 {
            let dot: f64 = (c..7).map(|r| v[r] * a[r][cc]).sum();
            for (row, vr) in a.iter_mut().zip(&v).skip(c) {
                row[cc] -= 2.0 * dot / vnorm2 * vr;
            }
        }
        let dot: f64 = (c..7).map(|r| v[r] * b[r]).sum();
        for r in c..7 {
            b[r] -= 2.0 * dot / vnorm2 * v[r];
        }
    }
    let mut p = [0.0_f64; 3];
    for c in (0..3).rev() {
        let mut s = b[c];
        for cc in c + 1..3 {
            s -= a[c][cc] * p[cc];
        }
        p[c] = s / a[c][c];
    }
    [p[0] / scale[0], p[1] / scale[1], p[2] / scale[2]]
}
