//! Pearson's χ² tests on count vectors: two-sample contingency and goodness of fit.

use kiln_core::special::chi2_sf;
use kiln_core::{Error, Result};
use serde::{Deserialize, Serialize};

use super::check_counts_pair;

/// The outcome of a χ² test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Chi2Result {
    /// Pearson's statistic `Σ (observed − expected)² / expected` (after Yates' correction when
    /// it applies).
    pub statistic: f64,
    /// `P(χ²_dof ≥ statistic)`; 1 when `dof = 0`.
    pub p_value: f64,
    /// Degrees of freedom.
    pub dof: usize,
}

/// Two-sample χ² test of homogeneity: are the reference and current counts over the same
/// categories (or bins) drawn from one distribution? Equal to
/// `scipy.stats.chi2_contingency([ref_counts, cur_counts])` (default `correction=True`).
///
/// The 2 × k table has rows reference and current; the expected count of a cell is
/// `row total × column total / grand total`, `dof = k − 1`. When `dof = 1` (a 2 × 2 table)
/// Yates' continuity correction moves each observed count toward its expectation by
/// `min(0.5, |observed − expected|)`, as SciPy does. With `dof = 0` the statistic is 0 and the
/// p-value 1.
///
/// # Notes
/// A category empty in **both** samples has a zero expected count; SciPy rejects such a table,
/// here the category is dropped first (it carries no evidence), and `dof` counts only the
/// categories seen in some sample. Counts need not be integers (weighted counts are accepted).
///
/// # Example
/// ```
/// use kiln_monitor::distance::chi2_contingency;
///
/// // A 2 × 2 table: Yates' correction applies (scipy gives 3.2323232323232323).
/// let test = chi2_contingency(&[3.0, 7.0], &[8.0, 2.0])?;
/// assert_eq!(test.dof, 1);
/// assert!((test.statistic - 3.232_323_232_323_232_3).abs() < 1e-12);
/// # Ok::<(), kiln_core::Error>(())
/// ```
///
/// # Errors
/// [`Error::EmptyInput`](kiln_core::Error::EmptyInput) for empty vectors, [`Error::ShapeMismatch`](kiln_core::Error::ShapeMismatch) for different lengths,
/// [`Error::NonFinite`](kiln_core::Error::NonFinite) / [`Error::InvalidValue`](kiln_core::Error::InvalidValue) for NaN, infinite or negative counts or a
/// sample whose counts sum to 0.
///
/// # References
/// Pearson, K. (1900). *Philosophical Magazine* 50(302), 157–175. Yates, F. (1934).
/// Contingency tables involving small numbers and the χ² test. *Suppl. J. R. Stat. Soc.* 1(2),
/// 217–235.
pub fn chi2_contingency(ref_counts: &[f64], cur_counts: &[f64]) -> Result<Chi2Result> {
    check_counts_pair(ref_counts, cur_counts)?;
    let (columns, col_totals): (Vec<usize>, Vec<f64>) = ref_counts
        .iter()
        .zip(cur_counts)
        .enumerate()
        .filter(|(_, (r, c))| **r + **c > 0.0)
        .map(|(j, (r, c))| (j, r + c))
        .unzip();
    let k = columns.len();
    if k <= 1 {
        return Ok(Chi2Result {
            statistic: 0.0,
            p_value: 1.0,
            dof: 0,
        });
    }
    let dof = k - 1;
    let rows = [ref_counts, cur_counts];
    let row_totals = [
        ref_counts.iter().sum::<f64>(),
        cur_counts.iter().sum::<f64>(),
    ];
    let total = row_totals[0] + row_totals[1];
    let mut statistic = 0.0;
    for (row, &row_total) in rows.iter().zip(&row_totals) {
        for (&j, &col_total) in columns.iter().zip(&col_totals) {
            let expected = row_total * col_total / total;
            let mut observed = row[j];
            if dof == 1 {
                let diff = expected - observed;
                observed += diff.abs().min(0.5) * diff.signum();
            }
            let d = observed - expected;
            statistic += d * d / expected;
        }
    }
    if statistic.is_nan() || !total.is_finite() {
        // Counts near f64's range overflow the totals (found by probing: 1e308 counts gave
        // a NaN statistic and p-value).
        return Err(Error::InvalidValue {
            what: "counts".into(),
            row: None,
            reason: format!(
                "the totals overflow f64 (total {total}); the counts are too large, rescale them"
            ),
        });
    }
    Ok(Chi2Result {
        statistic,
        p_value: chi2_sf(dof as f64, statistic),
        dof,
    })
}

/// χ² goodness-of-fit test of `observed` counts against the distribution
/// `expected_proportions` (e.g. the reference's category shares), equal to
/// `scipy.stats.chisquare(observed, f_exp)` with `f_exp = proportions / Σ proportions · Σ observed`
/// and `dof = k − 1`.
///
/// `expected_proportions` may be given as counts: they are normalized. This is the form of
/// Evidently's `chisquare` stattest (expected = reference counts scaled to the current size).
///
/// # Notes
/// A category with expected share 0 and observed count 0 is dropped (SciPy gives NaN); one with
/// expected share 0 and a positive count makes the statistic `+inf` and the p-value 0 (as SciPy).
///
/// # Errors
/// As [`chi2_contingency`].
///
/// # References
/// Pearson, K. (1900), as above.
pub fn chi2_goodness_of_fit(observed: &[f64], expected_proportions: &[f64]) -> Result<Chi2Result> {
    check_counts_pair(observed, expected_proportions)?;
    let n: f64 = observed.iter().sum();
    let total_p: f64 = expected_proportions.iter().sum();
    let mut statistic = 0.0;
    let mut k = 0usize;
    for (&o, &p) in observed.iter().zip(expected_proportions) {
        if o == 0.0 && p == 0.0 {
            continue;
        }
        k += 1;
        let e = p / total_p * n;
        let d = o - e;
        statistic += d * d / e;
    }
    let dof = k.saturating_sub(1);
    let p_value = if dof == 0 {
        // SciPy's χ² with 0 degrees of freedom is degenerate; a single category cannot differ.
        if statistic.is_finite() { 1.0 } else { 0.0 }
    } else {
        chi2_sf(dof as f64, statistic)
    };
    Ok(Chi2Result {
        statistic,
        p_value,
        dof,
    })
}
