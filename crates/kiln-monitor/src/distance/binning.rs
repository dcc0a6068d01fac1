//! Bin edges from a reference sample and histograms of any sample on those edges.

use kiln_core::{Error, Result};
use serde::{Deserialize, Serialize};

use super::check_values;

/// How a numeric column is cut into bins before a binned distance (PSI, Jensen–Shannon, ...).
///
/// Edges are always computed from the reference alone ([`bin_edges`]), so a saved profile can
/// bin every later batch without the reference data. Each rule reproduces a NumPy one:
///
/// - [`Binning::Quantile`]: `np.quantile(reference, np.linspace(0, 1, n_bins + 1))` (linear
///   interpolation), then repeated edges dropped (`np.unique`), so ties give fewer bins.
/// - [`Binning::Uniform`]: `np.histogram_bin_edges(reference, bins=n_bins)`.
/// - [`Binning::Sturges`] / [`Binning::Doane`]: `np.histogram_bin_edges(reference,
///   bins="sturges" | "doane")`: equal-width bins between the minimum and the maximum whose
///   number comes from Sturges' rule (`⌈log₂ n + 1⌉`) or Doane's (Sturges plus a skewness term).
/// - [`Binning::Edges`]: the given edges, unchanged.
///
/// A constant reference `v` gets the single bin `[v − 0.5, v + 0.5]` under every rule (NumPy's
/// rule for the equal-width ones; for `Quantile`, where NumPy would give the lone edge `v`, so
/// that a histogram still has a bin). Every binned distance is then 0 whatever the current
/// values: report constant columns apart rather than through binned distances.
///
/// # Presets
/// [`Binning::evidently`] and [`Binning::nannyml`] give the rule those libraries use for PSI
/// and Jensen–Shannon on numeric columns; see their docs for what else the libraries do (the
/// complete procedures are [`evidently_binned`](super::evidently_binned) and
/// [`nannyml_binned`](super::nannyml_binned)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Binning {
    /// `n_bins` bins holding about equal shares of the reference (quantile edges).
    Quantile {
        /// Number of bins (at least 1).
        n_bins: usize,
    },
    /// `n_bins` equal-width bins between the reference minimum and maximum.
    Uniform {
        /// Number of bins (at least 1).
        n_bins: usize,
    },
    /// Equal-width bins, their number from Sturges' rule on the reference size.
    Sturges,
    /// Equal-width bins, their number from Doane's rule (size and skewness of the reference).
    Doane,
    /// Explicit edges: finite and strictly increasing, at least 2.
    Edges(Vec<f64>),
}

impl Default for Binning {
    /// Ten quantile bins.
    fn default() -> Self {
        Binning::Quantile { n_bins: 10 }
    }
}

impl Binning {
    /// The binning Evidently 0.7.23 uses for PSI, Jensen–Shannon and KL divergence on a
    /// numeric column: [`Binning::Sturges`].
    ///
    /// Evidently (`legacy/calculations/stattests/utils.py`, `get_binned_data`) computes the
    /// Sturges edges over the reference **and** current values pooled
    /// (`np.histogram_bin_edges(concat(ref, cur), bins="sturges")`, its `n_bins=30` argument
    /// is unused), and only when the reference has more than 20 distinct values; otherwise it
    /// counts distinct values. Edges from the reference alone (what a profile can store) are
    /// therefore close to, not equal to, Evidently's; [`evidently_binned`](super::evidently_binned)
    /// reproduces the pooled procedure exactly when both samples are at hand.
    pub fn evidently() -> Self {
        Binning::Sturges
    }

    /// The binning NannyML 0.13.1 uses for Jensen–Shannon and Hellinger distances on a
    /// continuous column: [`Binning::Doane`] over the reference.
    ///
    /// NannyML (`nannyml/drift/univariate/methods.py`, `ContinuousJensenShannonDistance._fit`)
    /// calls `np.histogram_bin_edges(reference, bins="doane")`, puts the current values outside
    /// the reference range into one extra bin whose reference share is 0 (where [`histogram`]
    /// folds them into the outer bins), and uses log base 2. NannyML has no PSI.
    /// [`nannyml_binned`](super::nannyml_binned) reproduces the complete procedure.
    pub fn nannyml() -> Self {
        Binning::Doane
    }
}

/// The bin edges of `reference` under `binning` (see [`Binning`] for each rule).
///
/// # Errors
/// [`Error::EmptyInput`] for an empty reference (except with explicit edges),
/// [`Error::NonFinite`] for NaN or infinite values, [`Error::InvalidParameter`] for
/// `n_bins = 0` or explicit edges that are fewer than 2, not finite or not strictly increasing.
///
/// # Example
/// ```
/// use kiln_monitor::distance::{Binning, bin_edges};
///
/// let reference = [1.0, 2.0, 3.0, 4.0, 5.0];
/// assert_eq!(bin_edges(&reference, &Binning::Quantile { n_bins: 4 })?, [1.0, 2.0, 3.0, 4.0, 5.0]);
/// assert_eq!(bin_edges(&reference, &Binning::Uniform { n_bins: 2 })?, [1.0, 3.0, 5.0]);
/// // Sturges: ⌈log₂ 5 + 1⌉ = 4 bins.
/// assert_eq!(bin_edges(&reference, &Binning::Sturges)?.len(), 5);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn bin_edges(reference: &[f64], binning: &Binning) -> Result<Vec<f64>> {
    if let Binning::Edges(edges) = binning {
        check_edges(edges)?;
        return Ok(edges.clone());
    }
    check_values(reference, "reference")?;
    match binning {
        Binning::Quantile { n_bins } => {
            check_n_bins(*n_bins)?;
            let mut sorted = reference.to_vec();
            sorted.sort_unstable_by(f64::total_cmp);
            let n = *n_bins;
            let mut edges: Vec<f64> = (0..=n)
                .map(|i| quantile_sorted(&sorted, linspace_at(0.0, 1.0, n, i)))
                .collect();
            edges.dedup();
            if let [v] = edges[..] {
                // A constant reference: one bin around it, as the equal-width rules give.
                edges = vec![v - 0.5, v + 0.5];
            }
            Ok(edges)
        }
        Binning::Uniform { n_bins } => {
            check_n_bins(*n_bins)?;
            let (lo, hi) = outer_edges(reference);
            check_computed(linspace(lo, hi, *n_bins))
        }
        Binning::Sturges | Binning::Doane => {
            let (lo, hi) = outer_edges(reference);
            let width = if matches!(binning, Binning::Sturges) {
                sturges_width(reference)
            } else {
                doane_width(reference)
            };
            // NumPy's rule: the count is ⌈range / width⌉ computed in floating point (so it can
            // differ from the formula's count by one where the formula is an integer).
            let count = if width > 0.0 {
                ((hi - lo) / width).ceil().max(1.0)
            } else {
                1.0
            };
            if count.is_nan() || count > MAX_BINS as f64 {
                return check_computed(vec![f64::NAN]);
            }
            check_computed(linspace(lo, hi, count as usize))
        }
        Binning::Edges(_) => Ok(Vec::new()),
    }
}

/// Counts of `values` in the bins of `edges` (`k + 1` edges give `k` counts).
///
/// Bin `i` holds `edges[i] ≤ v < edges[i + 1]`, and the last bin also holds its right edge
/// (NumPy's `np.histogram` rule, so counts equal NumPy's for values inside the edges). Values
/// below `edges[0]` are counted in the first bin and values above the last edge in the last
/// bin: a current batch that leaves the reference range moves mass into the outer bins instead
/// of vanishing (NumPy drops such values).
///
/// # Errors
/// [`Error::NonFinite`] for NaN or infinite values (drop missing values first),
/// [`Error::InvalidParameter`] for invalid edges as in [`bin_edges`]. An empty `values` gives
/// zero counts.
pub fn histogram(values: &[f64], edges: &[f64]) -> Result<Vec<f64>> {
    check_edges(edges)?;
    if let Some(row) = values.iter().position(|v| !v.is_finite()) {
        return Err(Error::NonFinite {
            what: "values".into(),
            row,
            col: None,
            value: values[row],
        });
    }
    let k = edges.len() - 1;
    let inner = &edges[1..k];
    let mut counts = vec![0.0; k];
    for &v in values {
        // Number of inner edges ≤ v is the bin index, with the outer bins open-ended.
        let i = inner.partition_point(|&e| e <= v);
        counts[i] += 1.0;
    }
    Ok(counts)
}

fn check_n_bins(n_bins: usize) -> Result<()> {
    kiln_core::check::check_param(
        "Binning",
        "n_bins",
        n_bins,
        (1..=MAX_BINS).contains(&n_bins),
        "an int in the range [1, 16777216]",
    )
}

/// The most bins a binning may have: the edges are allocated up front, and 2^40 bins aborted
/// the allocation (found by probing).
const MAX_BINS: usize = 1 << 24;

/// Checks computed edges: finite and non-decreasing. A reference whose range overflows f64
/// (values near ±1.7e308) gives NaN or infinite edges (found by probing).
fn check_computed(edges: Vec<f64>) -> Result<Vec<f64>> {
    if edges.iter().all(|e| e.is_finite()) && edges.windows(2).all(|w| w[0] <= w[1]) {
        return Ok(edges);
    }
    Err(Error::InvalidValue {
        what: "reference".into(),
        row: None,
        reason: "its range is too wide for f64 (max − min overflows), so no bin edges can be \
                 computed; rescale the values"
            .into(),
    })
}

fn check_edges(edges: &[f64]) -> Result<()> {
    let bad = |reason: String| Err(Error::invalid_param("Binning", "edges", reason));
    if edges.len() < 2 {
        return bad(format!("must hold at least 2 edges; got {}", edges.len()));
    }
    if let Some(i) = edges.iter().position(|e| !e.is_finite()) {
        return bad(format!("must be finite; got {} at position {i}", edges[i]));
    }
    if let Some(i) = edges.windows(2).position(|w| w[0] >= w[1]) {
        return bad(format!(
            "must be strictly increasing; got {} then {} at positions {i} and {}",
            edges[i],
            edges[i + 1],
            i + 1
        ));
    }
    Ok(())
}

/// Minimum and maximum, widened by 0.5 either side when equal (NumPy's `_get_outer_edges`).
fn outer_edges(values: &[f64]) -> (f64, f64) {
    let (mut lo, mut hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    if lo == hi {
        lo -= 0.5;
        hi += 0.5;
    }
    (lo, hi)
}

/// Point `i` of `np.linspace(start, stop, n + 1)`: `start + i · step`, the last point exact.
fn linspace_at(start: f64, stop: f64, n: usize, i: usize) -> f64 {
    if i == n {
        return stop;
    }
    let step = (stop - start) / n as f64;
    i as f64 * step + start
}

fn linspace(start: f64, stop: f64, n: usize) -> Vec<f64> {
    (0..=n).map(|i| linspace_at(start, stop, n, i)).collect()
}

/// NumPy's default (`linear`, type 7 of Hyndman & Fan) quantile of sorted values.
fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    let virtual_index = (n - 1) as f64 * q;
    if virtual_index >= (n - 1) as f64 {
        return sorted[n - 1];
    }
    let lower = virtual_index.floor();
    let t = virtual_index - lower;
    let lo = lower.max(0.0) as usize;
    let (a, b) = (sorted[lo], sorted[lo + 1]);
    // NumPy's `_lerp`: interpolate from the nearer end, exact at both ends.
    if t >= 0.5 {
        b - (b - a) * (1.0 - t)
    } else {
        a + (b - a) * t
    }
}

fn sturges_width(x: &[f64]) -> f64 {
    let (lo, hi) = min_max(x);
    (hi - lo) / ((x.len() as f64).log2() + 1.0)
}

/// Doane (1976): `1 + log₂ n + log₂(1 + |g₁| / σ_g₁)` bins, with `g₁` the sample skewness and
/// `σ_g₁ = √(6 (n − 2) / ((n + 1)(n + 3)))`; NumPy returns width 0 (one bin) for n ≤ 2 or a
/// constant sample.
fn doane_width(x: &[f64]) -> f64 {
    let n = x.len();
    if n <= 2 {
        return 0.0;
    }
    let nf = n as f64;
    let sg1 = (6.0 * (nf - 2.0) / ((nf + 1.0) * (nf + 3.0))).sqrt();
    let mean = pairwise_sum(x, |v| v) / nf;
    let sigma = (pairwise_sum(x, |v| (v - mean) * (v - mean)) / nf).sqrt();
    if sigma <= 0.0 {
        return 0.0;
    }
    let g1 = pairwise_sum(x, |v| ((v - mean) / sigma).powi(3)) / nf;
    let (lo, hi) = min_max(x);
    (hi - lo) / (1.0 + nf.log2() + (1.0 + g1.abs() / sg1).log2())
}

fn min_max(x: &[f64]) -> (f64, f64) {
    x.iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        })
}

/// Pairwise summation of `f(v)` (the accuracy of NumPy's `np.sum`/`np.mean`, not its exact
/// blocking; only the bin count depends on these sums, through a ceiling).
fn pairwise_sum(x: &[f64], f: impl Fn(f64) -> f64 + Copy) -> f64 {
    if x.len() <= 128 {
        x.iter().map(|&v| f(v)).sum()
    } else {
        let (a, b) = x.split_at(x.len() / 2);
        pairwise_sum(a, f) + pairwise_sum(b, f)
    }
}

/// Counts of `values` in the bins of `edges` with NumPy's `np.histogram` rule, plus the number
/// of values outside `[edges[0], edges[k]]` (which NumPy drops and NannyML collects in one extra
/// bin). [`histogram`] instead folds those values into the outer bins.
///
/// # Errors
/// As [`histogram`].
pub fn histogram_with_overflow(values: &[f64], edges: &[f64]) -> Result<(Vec<f64>, f64)> {
    let mut counts = histogram(values, edges)?;
    let (lo, hi) = (edges[0], edges[edges.len() - 1]);
    let below = values.iter().filter(|&&v| v < lo).count() as f64;
    let above = values.iter().filter(|&&v| v > hi).count() as f64;
    counts[0] -= below;
    let last = counts.len() - 1;
    counts[last] -= above;
    Ok((counts, below + above))
}
