//! The complete binning procedures of Evidently 0.7.23 and NannyML for PSI / Jensen–Shannon on
//! a numeric column, for reproducing their numbers.

use kiln_core::Result;
use serde::{Deserialize, Serialize};

use super::binning::{Binning, bin_edges, histogram, histogram_with_overflow};
use super::check_values;

/// What the bins of a [`BinnedCounts`] are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Bins {
    /// Histogram bins with these edges (`k + 1` edges for `k` bins, NumPy's rule: half-open,
    /// the last closed).
    Edges(Vec<f64>),
    /// One bin per distinct value, these values in increasing order.
    Values(Vec<f64>),
}

/// Reference and current counts on shared bins, as a library computes them before a distance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BinnedCounts {
    /// Reference count per bin.
    pub reference: Vec<f64>,
    /// Current count per bin.
    pub current: Vec<f64>,
    /// The bins (without the overflow bin).
    pub bins: Bins,
    /// Whether the last entry of both count vectors is an extra bin for current values outside
    /// the reference bins (reference count 0), NannyML's rule.
    pub overflow_bin: bool,
}

/// Evidently 0.7.23's `get_binned_data` (used by its `psi`, `jensenshannon` and `kl_div`
/// stattests) on a numeric column without missing values.
///
/// If the reference has more than 20 distinct values, the bins are
/// `np.histogram_bin_edges(concat(reference, current), bins="sturges")`: Sturges' rule over the
/// **pooled** samples, so every value falls inside. Otherwise each distinct value of either
/// sample is a bin. Evidently's numbers are then:
///
/// - PSI: [`psi_with`](super::psi_with)`(&b.reference, &b.current, ZeroFill::Evidently)`;
/// - Jensen–Shannon: [`jensen_shannon`](super::jensen_shannon)`(&b.reference, &b.current,
///   std::f64::consts::E)` (no smoothing, natural log);
/// - KL: [`kl_divergence_with`](super::kl_divergence_with)`(&b.reference, &b.current,
///   ZeroFill::Evidently)`.
///
/// # Notes
/// NumPy raises a bin width below 1 to 1 for an **integer-typed** array; kiln sees `f64` only,
/// so for an integer column whose range is smaller than its Sturges bin count (over half a
/// million rows with a range under 20) Evidently has fewer bins than this function.
///
/// # Errors
/// [`kiln_core::Error::EmptyInput`] for an empty sample, [`kiln_core::Error::NonFinite`] for
/// NaN or infinite values (drop missing values first, as Evidently does).
pub fn evidently_binned(reference: &[f64], current: &[f64]) -> Result<BinnedCounts> {
    check_values(reference, "reference")?;
    check_values(current, "current")?;
    if distinct(reference).len() > 20 {
        let pooled: Vec<f64> = reference.iter().chain(current).copied().collect();
        let edges = bin_edges(&pooled, &Binning::Sturges)?;
        Ok(BinnedCounts {
            reference: histogram(reference, &edges)?,
            current: histogram(current, &edges)?,
            bins: Bins::Edges(edges),
            overflow_bin: false,
        })
    } else {
        let pooled: Vec<f64> = reference.iter().chain(current).copied().collect();
        let values = distinct(&pooled);
        Ok(BinnedCounts {
            reference: count_values(reference, &values),
            current: count_values(current, &values),
            bins: Bins::Values(values),
            overflow_bin: false,
        })
    }
}

/// NannyML 0.13.1's binning for its Jensen–Shannon and Hellinger distances on a continuous
/// (numeric-typed) column without missing values (`nannyml/drift/univariate/methods.py`,
/// `ContinuousJensenShannonDistance`, `ContinuousHellingerDistance`).
///
/// The bins are `np.histogram_bin_edges(reference, bins="doane")` (reference only, so a
/// profile can store them); current values outside the reference range are counted in one
/// extra last bin with reference count 0, present only when non-empty. NannyML's numbers are
/// then [`jensen_shannon`](super::jensen_shannon)`(&b.reference, &b.current, 2.0)` and
/// [`hellinger`](super::hellinger)`(&b.reference, &b.current)`. For a categorical column NannyML
/// uses the reference categories plus one bin for all unseen ones; both distances give the same
/// value on [`align_categories`](super::align_categories)' counts, which keep each new category
/// apart (their terms are linear in the current share when the reference share is 0).
///
/// # Errors
/// As [`evidently_binned`].
pub fn nannyml_binned(reference: &[f64], current: &[f64]) -> Result<BinnedCounts> {
    check_values(reference, "reference")?;
    check_values(current, "current")?;
    let edges = bin_edges(reference, &Binning::Doane)?;
    let mut ref_counts = histogram(reference, &edges)?;
    let (mut cur_counts, outside) = histogram_with_overflow(current, &edges)?;
    let overflow_bin = outside > 0.0;
    if overflow_bin {
        ref_counts.push(0.0);
        cur_counts.push(outside);
    }
    Ok(BinnedCounts {
        reference: ref_counts,
        current: cur_counts,
        bins: Bins::Edges(edges),
        overflow_bin,
    })
}

/// Sorted distinct values (−0 and +0 are one value, as in NumPy and pandas).
fn distinct(values: &[f64]) -> Vec<f64> {
    let mut v = values.to_vec();
    v.sort_unstable_by(f64::total_cmp);
    v.dedup_by(|a, b| a == b);
    v
}

/// Count of each of the sorted `values` in `sample` (values not listed are not counted).
fn count_values(sample: &[f64], values: &[f64]) -> Vec<f64> {
    let mut counts = vec![0.0; values.len()];
    for &x in sample {
        let i = values.partition_point(|&v| v < x);
        if let Some(&v) = values.get(i)
            && v == x
        {
            counts[i] += 1.0;
        }
    }
    counts
}
