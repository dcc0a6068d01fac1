//! Outlier flags for one numeric column: Tukey's IQR fences and z-scores.

use kiln_core::check::check_param;
use kiln_core::{Error, Result};

use crate::frame::Frame;
use crate::scale::colstats;

/// How an [`OutlierReport`] was computed, with the statistics it used.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum OutlierMethod {
    /// Tukey's fences `[q1 − k·iqr, q3 + k·iqr]`, `iqr = q3 − q1`.
    Iqr {
        /// The fence multiplier.
        k: f64,
        /// The first quartile (25th percentile, linear interpolation).
        q1: f64,
        /// The third quartile (75th percentile, linear interpolation).
        q3: f64,
    },
    /// `|x − mean| / std > threshold`.
    ZScore {
        /// The z-score above which a value is flagged.
        threshold: f64,
        /// The mean of the non-missing values.
        mean: f64,
        /// Their population standard deviation (ddof = 0).
        std: f64,
    },
}

/// The values of one column flagged as outliers.
#[derive(Debug, Clone, PartialEq)]
pub struct OutlierReport {
    /// The column.
    pub column: String,
    /// The method and the statistics it used.
    pub method: OutlierMethod,
    /// Values below this are flagged (for z-scores, `mean − threshold·std`, for reading only:
    /// the flags come from the z-scores themselves).
    pub lower: f64,
    /// Values above this are flagged (for z-scores, `mean + threshold·std`).
    pub upper: f64,
    /// The flagged rows, ascending.
    pub rows: Vec<usize>,
    /// How many rows are flagged (`rows.len()`).
    pub n_outliers: usize,
    /// How many values are missing (never flagged).
    pub n_missing: usize,
}

/// The non-missing values of the numeric column `column`, with their rows.
fn present(frame: &Frame, column: &str, caller: &str) -> Result<(Vec<(usize, f64)>, usize)> {
    let col = frame.column(column)?;
    let values = col.as_numeric().ok_or_else(|| Error::InvalidValue {
        what: format!("column `{column}` given to {caller}"),
        row: None,
        reason: format!(
            "outliers need a numeric column; it is {}",
            col.column_type()
        ),
    })?;
    let kept: Vec<(usize, f64)> = values
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, x)| !x.is_nan())
        .collect();
    if kept.is_empty() {
        return Err(Error::EmptyInput {
            what: format!("column `{column}` given to {caller}"),
            reason: format!("all {} values are missing", values.len()),
        });
    }
    let n_missing = values.len() - kept.len();
    Ok((kept, n_missing))
}

/// NumPy's `percentile(..., method="linear")` of ascending `sorted` at `q` in [0, 1]:
/// virtual index `(n − 1)·q`, then its two-sided linear interpolation (`a + t·(b − a)`
/// below `t = 0.5`, `b − (1 − t)·(b − a)` from there), so results match bit for bit.
fn percentile_linear(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    let h = (n as f64 - 1.0) * q;
    let lo = h.floor();
    let t = h - lo;
    let i = lo as usize;
    let a = sorted[i];
    let b = sorted[(i + 1).min(n - 1)];
    let d = b - a;
    if t >= 0.5 {
        b - d * (1.0 - t)
    } else {
        a + d * t
    }
}

/// Flags the values of `column` outside Tukey's fences `[q1 − k·iqr, q3 + k·iqr]`.
///
/// # Parameters
/// - `k`: the fence multiplier, finite and `>= 0`; Tukey's (and the usual) choice is `1.5`,
///   `3.0` for "far out" values.
///
/// # Notes
/// - The quartiles are NumPy's default percentiles (`method="linear"`) of the non-missing
///   values; missing values are never flagged.
/// - A value is flagged when strictly outside the fences. A constant column (or one whose
///   middle half is constant, `iqr = 0`) has fences at that value and flags only the values
///   that differ from it; a fully constant column flags nothing.
///
/// # Errors
/// [`Error::InvalidParameter`] for `k` not finite or negative; [`Error::InvalidValue`] for
/// an unknown or categorical column; [`Error::EmptyInput`] when every value is missing.
pub fn iqr_outliers(frame: &Frame, column: &str, k: f64) -> Result<OutlierReport> {
    check_param(
        "iqr_outliers",
        "k",
        k,
        k.is_finite() && k >= 0.0,
        "a float in the range [0, inf)",
    )?;
    let (kept, n_missing) = present(frame, column, "iqr_outliers")?;
    let mut sorted: Vec<f64> = kept.iter().map(|&(_, x)| x).collect();
    sorted.sort_by(f64::total_cmp);
    let q1 = percentile_linear(&sorted, 0.25);
    let q3 = percentile_linear(&sorted, 0.75);
    let iqr = q3 - q1;
    let (lower, upper) = (q1 - k * iqr, q3 + k * iqr);
    let rows: Vec<usize> = kept
        .iter()
        .filter(|&&(_, x)| x < lower || x > upper)
        .map(|&(r, _)| r)
        .collect();
    Ok(OutlierReport {
        column: column.to_owned(),
        method: OutlierMethod::Iqr { k, q1, q3 },
        lower,
        upper,
        n_outliers: rows.len(),
        rows,
        n_missing,
    })
}

/// Flags the values of `column` whose z-score `|x − mean| / std` is above `threshold`.
///
/// # Parameters
/// - `threshold`: finite and `> 0`; the usual choice is `3.0`.
///
/// # Notes
/// - `mean` and `std` are those of the non-missing values, `std` the population standard
///   deviation (ddof = 0), as `scipy.stats.zscore(x, nan_policy="omit")`; missing values are
///   never flagged.
/// - A constant column has `std = 0` and undefined z-scores: it flags nothing (its reported
///   `std` is exactly 0 and the fences equal the value).
/// - The values are scaled by a power of two before squaring (exact), so columns of values
///   near 1e±300 are flagged as the same values at unit scale would be (scipy's `zscore`
///   gives NaN there).
///
/// # Errors
/// [`Error::InvalidParameter`] for `threshold` not finite or not positive;
/// [`Error::InvalidValue`] for an unknown or categorical column; [`Error::EmptyInput`] when
/// every value is missing.
pub fn zscore_outliers(frame: &Frame, column: &str, threshold: f64) -> Result<OutlierReport> {
    check_param(
        "zscore_outliers",
        "threshold",
        threshold,
        threshold.is_finite() && threshold > 0.0,
        "a float in the range (0, inf)",
    )?;
    let (kept, n_missing) = present(frame, column, "zscore_outliers")?;
    let n = kept.len() as f64;
    let first = kept[0].1;
    let constant = kept.iter().all(|&(_, x)| x == first);
    // z-scores are scale-free: the values are scaled by a power of two (exact), so squares
    // of values near 1e±300 neither overflow nor underflow, and the mean and std are scaled
    // back (exactly) for the report.
    let scale = colstats::pow2_scale_of(kept.iter().map(|&(_, x)| x));
    let (mean_s, std_s) = if constant {
        (first * scale, 0.0)
    } else {
        let mean = kept.iter().map(|&(_, x)| x * scale).sum::<f64>() / n;
        let ss = kept
            .iter()
            .map(|&(_, x)| (x * scale - mean).powi(2))
            .sum::<f64>();
        (mean, (ss / n).sqrt())
    };
    let (mean, std) = (mean_s / scale, std_s / scale);
    let rows: Vec<usize> = if constant {
        Vec::new()
    } else {
        kept.iter()
            .filter(|&&(_, x)| ((x * scale - mean_s) / std_s).abs() > threshold)
            .map(|&(r, _)| r)
            .collect()
    };
    Ok(OutlierReport {
        column: column.to_owned(),
        method: OutlierMethod::ZScore {
            threshold,
            mean,
            std,
        },
        lower: mean - threshold * std,
        upper: mean + threshold * std,
        n_outliers: rows.len(),
        rows,
        n_missing,
    })
}
