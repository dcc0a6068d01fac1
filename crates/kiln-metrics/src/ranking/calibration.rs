//! Calibration (reliability) curves and the expected calibration error.

use kiln_core::{Error, Result};
use ndarray::{Array1, ArrayView1};

use crate::input::{check_binary_targets, check_pair, check_proba_1d, check_weights, weight_at};

/// How [`calibration_curve`] places its bin edges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CalibrationStrategy {
    /// `n_bins` bins of equal width on [0, 1] (scikit-learn's default).
    #[default]
    Uniform,
    /// Edges at the quantiles of `y_prob` (NumPy's linear percentile), so bins hold about equal
    /// numbers of samples; tied quantiles give empty bins, which are dropped.
    Quantile,
}

/// A calibration curve: per non-empty bin, the observed fraction of positives against the
/// mean predicted probability.
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationCurve {
    /// Fraction of positives in each non-empty bin (scikit-learn's `prob_true`).
    pub prob_true: Array1<f64>,
    /// Mean predicted probability in each non-empty bin (scikit-learn's `prob_pred`).
    pub prob_pred: Array1<f64>,
    /// Number of samples in each non-empty bin.
    pub counts: Array1<usize>,
}

/// The calibration curve of binary probabilities (scikit-learn's
/// `sklearn.calibration.calibration_curve`).
///
/// # Parameters
/// - `y_true`: classes in {0, 1}, 1 = positive.
/// - `y_prob`: predicted probabilities of the positive class, in [0, 1].
/// - `n_bins`: number of bins (scikit-learn's default is 5); at least 1.
/// - `strategy`: [`CalibrationStrategy::Uniform`] (default) or
///   [`CalibrationStrategy::Quantile`].
///
/// A probability equal to an inner bin edge falls in the lower bin (NumPy's
/// `searchsorted(..., side="left")`); bins with no sample are left out of the result.
/// scikit-learn takes no sample weights here, so neither does kiln.
///
/// # Errors
/// [`Error::EmptyInput`], [`Error::ShapeMismatch`], [`Error::NonFinite`],
/// [`Error::InvalidValue`] for a target outside {0, 1} or a probability outside [0, 1],
/// [`Error::InvalidParameter`] for `n_bins == 0`.
///
/// # Example
/// ```
/// use kiln_metrics::ranking::{CalibrationStrategy, calibration_curve};
/// use ndarray::array;
///
/// let y = array![0, 0, 1, 1, 1];
/// let p = array![0.1, 0.3, 0.35, 0.8, 0.9];
/// let c = calibration_curve(y.view(), p.view(), 2, CalibrationStrategy::Uniform)?;
/// assert_eq!(c.counts.to_vec(), vec![3, 2]);
/// assert_eq!(c.prob_true.to_vec(), vec![1.0 / 3.0, 1.0]);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn calibration_curve(
    y_true: ArrayView1<'_, usize>,
    y_prob: ArrayView1<'_, f64>,
    n_bins: usize,
    strategy: CalibrationStrategy,
) -> Result<CalibrationCurve> {
    let metric = "calibration_curve";
    check_inputs(metric, y_true, y_prob, n_bins, None)?;
    let inner = match strategy {
        CalibrationStrategy::Uniform => uniform_inner_edges(n_bins),
        CalibrationStrategy::Quantile => quantile_inner_edges(y_prob, n_bins),
    };
    let bins = bin_sums(y_true, y_prob, None, &inner, n_bins);
    let mut prob_true = Vec::new();
    let mut prob_pred = Vec::new();
    let mut counts = Vec::new();
    for b in bins.iter().filter(|b| b.count > 0) {
        let total = b.count as f64;
        prob_true.push(b.positives / total);
        prob_pred.push(b.prob / total);
        counts.push(b.count);
    }
    Ok(CalibrationCurve {
        prob_true: Array1::from(prob_true),
        prob_pred: Array1::from(prob_pred),
        counts: Array1::from(counts),
    })
}

/// Expected calibration error of binary probabilities over `n_bins` uniform bins.
///
/// `ECE = Σ_b (W_b / W) · |acc_b − conf_b|`, where bin `b` holds the samples whose probability
/// lies in its interval (the bins of [`calibration_curve`] with
/// [`CalibrationStrategy::Uniform`]), `W_b` is its total weight (its count without weights),
/// `acc_b` the weighted fraction of positives in it and `conf_b` its weighted mean predicted
/// probability. 0 is perfectly calibrated; empty bins contribute nothing.
///
/// # Parameters
/// - `y_true`, `y_prob`: as [`calibration_curve`].
/// - `n_bins`: number of uniform bins (10 or 15 are usual); at least 1.
/// - `sample_weight`: optional non-negative weights.
///
/// # Errors
/// As [`calibration_curve`], plus bad weights.
///
/// # Notes
/// scikit-learn has no ECE; this is the binary ("positive-class confidence") form. It depends on
/// `n_bins`, so report it with the bin count.
///
/// # References
/// Naeini, M. P., Cooper, G. F. & Hauskrecht, M. (2015). Obtaining well calibrated
/// probabilities using Bayesian binning. *AAAI*. Guo, C. et al. (2017). On calibration of
/// modern neural networks. *ICML*.
///
/// # Example
/// ```
/// use kiln_metrics::ranking::expected_calibration_error;
/// use ndarray::array;
///
/// // Bin [0, 0.5]: conf 0.2, acc 0; bin (0.5, 1]: conf 0.8, acc 1. ECE = 0.5·0.2 + 0.5·0.2.
/// let ece = expected_calibration_error(
///     array![0, 0, 1, 1].view(), array![0.1, 0.3, 0.7, 0.9].view(), 2, None)?;
/// assert!((ece - 0.2).abs() < 1e-15);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn expected_calibration_error(
    y_true: ArrayView1<'_, usize>,
    y_prob: ArrayView1<'_, f64>,
    n_bins: usize,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    let metric = "expected_calibration_error";
    check_inputs(metric, y_true, y_prob, n_bins, sample_weight)?;
    let bins = bin_sums(
        y_true,
        y_prob,
        sample_weight.as_ref(),
        &uniform_inner_edges(n_bins),
        n_bins,
    );
    let total: f64 = bins.iter().map(|b| b.weight).sum();
    let mut ece = 0.0;
    for b in bins.iter().filter(|b| b.weight > 0.0) {
        ece += b.weight / total * (b.positives / b.weight - b.prob / b.weight).abs();
    }
    Ok(ece)
}

fn check_inputs(
    metric: &str,
    y_true: ArrayView1<'_, usize>,
    y_prob: ArrayView1<'_, f64>,
    n_bins: usize,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<()> {
    // Each bin is a few words of memory; past 2^24 bins the request is a mistake, and
    // usize::MAX would abort the allocation (found by probing).
    const MAX_BINS: usize = 1 << 24;
    if n_bins == 0 || n_bins > MAX_BINS {
        return Err(Error::invalid_param(
            metric,
            "n_bins",
            format!("must be an int in the range [1, {MAX_BINS}]; got {n_bins}"),
        ));
    }
    let n = check_pair(metric, y_true, y_prob, "y_prob")?;
    check_binary_targets(y_true, metric)?;
    check_proba_1d(y_prob, metric)?;
    check_weights(sample_weight, n)
}

/// Inner edges of `np.linspace(0, 1, n_bins + 1)`, computed as NumPy does (`i * step`).
fn uniform_inner_edges(n_bins: usize) -> Vec<f64> {
    let step = 1.0 / n_bins as f64;
    (1..n_bins).map(|i| i as f64 * step).collect()
}

/// Inner edges of `np.percentile(y_prob, np.linspace(0, 1, n_bins + 1) * 100)` (linear
/// method), reproducing NumPy's arithmetic so that probabilities on an edge fall in the same
/// bin as in scikit-learn.
fn quantile_inner_edges(y_prob: ArrayView1<'_, f64>, n_bins: usize) -> Vec<f64> {
    let mut sorted = y_prob.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    let n = sorted.len();
    let step = 1.0 / n_bins as f64;
    (1..n_bins)
        .map(|i| {
            let q = (i as f64 * step) * 100.0 / 100.0;
            let virtual_index = (n - 1) as f64 * q;
            let below = virtual_index.floor();
            let lo = (below as usize).min(n - 1);
            let hi = (lo + 1).min(n - 1);
            let t = virtual_index - below;
            let (a, b) = (sorted[lo], sorted[hi]);
            // NumPy's `_lerp`: from the nearer end, for monotonicity.
            let d = b - a;
            if t >= 0.5 {
                b - d * (1.0 - t)
            } else {
                a + d * t
            }
        })
        .collect()
}

#[derive(Clone, Copy, Default)]
struct Bin {
    count: usize,
    weight: f64,
    positives: f64,
    prob: f64,
}

/// Per-bin sums in input order (as `np.bincount`), bin = number of inner edges below `p`.
fn bin_sums(
    y_true: ArrayView1<'_, usize>,
    y_prob: ArrayView1<'_, f64>,
    sample_weight: Option<&ArrayView1<'_, f64>>,
    inner: &[f64],
    n_bins: usize,
) -> Vec<Bin> {
    let mut bins = vec![Bin::default(); n_bins];
    for (i, (&y, &p)) in y_true.iter().zip(y_prob.iter()).enumerate() {
        let w = weight_at(sample_weight, i);
        let b = &mut bins[inner.partition_point(|&e| e < p)];
        b.count += 1;
        b.weight += w;
        b.positives += if y == 1 { w } else { 0.0 };
        b.prob += w * p;
    }
    bins
}
