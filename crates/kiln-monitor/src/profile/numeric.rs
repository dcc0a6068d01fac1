//! The summary of one numeric reference column.

use kiln_core::sort::{ascending_key, from_ascending_key, radix_sort};
use kiln_core::{Error, Result};
use serde::{Deserialize, Serialize};

use super::ProfileOptions;

/// What a [`super::ReferenceProfile`] keeps about a numeric (`float`, `int` or `bool`) column.
///
/// Every statistic is over the non-missing values; with none, the moments are NaN and the
/// sample is empty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumericProfile {
    /// Mean.
    pub mean: f64,
    /// Population standard deviation (`ddof = 0`).
    pub std: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Number of distinct values.
    pub n_unique: usize,
    /// The distinct values, ascending, when there are at most
    /// [`ProfileOptions::max_discrete`] of them (empty otherwise).
    pub values: Vec<f64>,
    /// The count of each of `values`.
    pub value_counts: Vec<f64>,
    /// Bin edges from the reference under [`ProfileOptions::binning`]
    /// ([`crate::distance::bin_edges`]); empty when the column is empty or constant.
    pub edges: Vec<f64>,
    /// The reference's count in each bin ([`crate::distance::histogram`]).
    pub bin_counts: Vec<f64>,
    /// Sorted values: all of them when `exact`, else a quantile sketch (module docs).
    pub sample: Vec<f64>,
    /// Whether `sample` holds every non-missing value.
    pub exact: bool,
}

impl NumericProfile {
    /// Builds the summary of `values` (NaN = missing), column `col` named in errors as `what`.
    pub(crate) fn build(
        values: &[f64],
        col: usize,
        what: &str,
        options: &ProfileOptions,
    ) -> Result<Self> {
        let sorted = sorted_valid(values, col, what)?;
        let n = sorted.len();
        let (mean, std) = moments(&sorted);
        let (min, max) = match (sorted.first(), sorted.last()) {
            (Some(&a), Some(&b)) => (a, b),
            _ => (f64::NAN, f64::NAN),
        };
        let (n_unique, distinct) = distinct_counts(&sorted, options.max_discrete);
        let (values, value_counts) = distinct.unwrap_or_default();
        let (edges, bin_counts) = super::binning::reference_bins(&sorted, &options.binning)?;
        let exact = n <= options.max_exact;
        let sample = if exact {
            sorted
        } else {
            let m = options.max_exact;
            // Rank floor((i + 1/2) n / m) in u128 so that n * (2i + 1) cannot overflow.
            (0..m)
                .map(|i| {
                    let r = ((2 * i as u128 + 1) * n as u128 / (2 * m as u128)) as usize;
                    sorted[r.min(n - 1)]
                })
                .collect()
        };
        Ok(Self {
            mean,
            std,
            min,
            max,
            n_unique,
            values,
            value_counts,
            edges,
            bin_counts,
            sample,
            exact,
        })
    }
}

/// The non-missing values of `values`, sorted ascending, with `-0.0` folded into `0.0`.
///
/// # Errors
/// [`Error::NonFinite`] at the first infinite value.
pub(crate) fn sorted_valid(values: &[f64], col: usize, what: &str) -> Result<Vec<f64>> {
    let mut keys = Vec::with_capacity(values.len());
    for (row, &x) in values.iter().enumerate() {
        if x.is_nan() {
            continue;
        }
        if x.is_infinite() {
            return Err(Error::NonFinite {
                what: what.to_owned(),
                row,
                col: Some(col),
                value: x,
            });
        }
        keys.push(ascending_key(x));
    }
    // Sorting is the bulk of building a profile (1M values per column) and of each report;
    // the radix sort is several times faster than a comparison sort there.
    radix_sort(&mut keys);
    Ok(keys.into_iter().map(from_ascending_key).collect())
}

/// Mean and population standard deviation by the corrected two-pass algorithm.
fn moments(x: &[f64]) -> (f64, f64) {
    if x.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let (mut ss, mut s) = (0.0, 0.0);
    for &v in x {
        let d = v - mean;
        ss += d * d;
        s += d;
    }
    (mean, ((ss - s * s / n) / n).max(0.0).sqrt())
}

/// Distinct values of a sorted column and the count of each.
type ValueCounts = (Vec<f64>, Vec<f64>);

/// The number of distinct values of sorted `x`, and the values with their counts when there
/// are at most `max` of them.
pub(crate) fn distinct_counts(x: &[f64], max: usize) -> (usize, Option<ValueCounts>) {
    let mut values = Vec::new();
    let mut counts: Vec<f64> = Vec::new();
    let mut n_unique = 0;
    let mut prev = f64::NAN;
    for &v in x {
        if v != prev {
            n_unique += 1;
            prev = v;
            if n_unique <= max {
                values.push(v);
                counts.push(0.0);
            }
        }
        if n_unique <= max
            && let Some(c) = counts.last_mut()
        {
            *c += 1.0;
        }
    }
    let distinct = (n_unique <= max).then_some((values, counts));
    (n_unique, distinct)
}
