//! Seeded bootstrap confidence intervals for any metric.
//!
//! A metric computed on one test set is one draw: [`Bootstrap::interval`] resamples the rows
//! with replacement `n_resamples` times, recomputes the metric on each resample and reads a
//! confidence interval off the spread (percentile or BCa, with the formulas of
//! `scipy.stats.bootstrap`). The metric is any closure of the resampled row indices, so every
//! metric of this crate (and any of your own) works; [`Bootstrap::interval_paired`]
//! and [`Bootstrap::interval_proba`] gather the resampled arrays for the usual
//! `(y_true, y, sample_weight)` signatures.
//!
//! ```
//! use kiln_metrics::bootstrap::{Bootstrap, IntervalMethod};
//! use kiln_metrics::regression::mean_absolute_error;
//! use ndarray::Array1;
//!
//! let y_true = Array1::from_shape_fn(200, |i| (i as f64 * 0.37).sin() * 10.0);
//! let y_pred = y_true.mapv(|v| v + 1.5);
//! let boot = Bootstrap::default().with_n_resamples(200).with_seed(7);
//! let ci = boot.interval_paired(y_true.view(), y_pred.view(), None, mean_absolute_error)?;
//! assert!((ci.estimate - 1.5).abs() < 1e-12);
//! assert!(ci.lower <= ci.estimate && ci.estimate <= ci.upper);
//! // The same seed gives the same interval, on any number of threads.
//! let again = boot.interval_paired(y_true.view(), y_pred.view(), None, mean_absolute_error)?;
//! assert_eq!(ci, again);
//!
//! // Any metric of the row indices, here the mean with a BCa interval.
//! let bca = Bootstrap::default().with_method(IntervalMethod::Bca).with_n_resamples(500);
//! let mean = bca.interval(y_true.len(), |rows| {
//!     Ok(rows.iter().map(|&i| y_true[i]).sum::<f64>() / rows.len() as f64)
//! })?;
//! assert!(mean.lower < mean.estimate && mean.estimate < mean.upper);
//! # Ok::<(), kiln_core::Error>(())
//! ```
//!
//! # Determinism
//! Resample `i` draws its rows from [`kiln_core::random::task_rng`]`(seed, i)`, resamples are
//! computed in parallel (rayon) in fixed chunks and collected in order, and everything after
//! is sequential: the interval is bit-for-bit the same for a seed whatever the thread count.
//! [`Bootstrap::resample_indices`] gives the rows of any resample.
//!
//! # Failed resamples
//! A resample can make the metric fail (a single class for ROC AUC, all-zero weights) or
//! return NaN (R² of one distinct row). Such resamples are skipped and counted in
//! [`Interval::n_failed`]; the interval uses the others. If more than
//! [`Bootstrap::max_failed_fraction`] (default 0.1) of the resamples fail, `interval` returns
//! an error quoting the first failure instead: the interval would describe a biased
//! subset of resamples. Stratifying ([`Bootstrap::with_stratify`]) by the class keeps every
//! class in every resample.
//!
//! # References
//! - B. Efron and R. J. Tibshirani (1993), *An Introduction to the Bootstrap*, Chapman & Hall.
//! - T. J. DiCiccio and B. Efron (1996), "Bootstrap confidence intervals", *Statistical
//!   Science* 11(3).

mod ci;
mod shapes;

pub use ci::{IntervalMethod, interval_from_resamples};

use std::collections::BTreeMap;

use kiln_core::check::check_param;
use kiln_core::random::{KilnRng, task_rng};
use kiln_core::{Error, Params, Result};
use rand::Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Resamples per parallel task: each task reuses one index buffer for its resamples.
const RESAMPLE_CHUNK: usize = 8;

/// Leave-one-out evaluations per parallel task of the BCa jackknife.
const JACKKNIFE_CHUNK: usize = 16;

/// Bootstrap confidence intervals of a metric.
///
/// # Parameters
/// - `n_resamples` (default 1000): bootstrap resamples, ≥ 1.
/// - `confidence` (default 0.95): two-sided confidence level, in (0, 1).
/// - `seed` (default 0): resample `i` uses `task_rng(seed, i)`.
/// - `method` (default [`IntervalMethod::Percentile`]): how the interval is read off.
/// - `stratify` (default `None`): a label per row; each resample then draws, within each
///   label, as many rows as the label has (the class balance is kept).
/// - `max_failed_fraction` (default 0.1): the largest fraction of resamples whose metric may
///   fail (see the [module docs](self)), in [0, 1).
///
/// # Errors
/// [`Bootstrap::validate`] rejects parameters out of range.
///
/// # Example
/// See the [module docs](self).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bootstrap {
    /// Number of bootstrap resamples. By default, 1000.
    pub n_resamples: usize,
    /// Two-sided confidence level. By default, 0.95.
    pub confidence: f64,
    /// Seed of the resampling. By default, 0.
    pub seed: u64,
    /// Interval method. By default, [`IntervalMethod::Percentile`].
    pub method: IntervalMethod,
    /// Optional stratum label of each row. By default, `None` (plain resampling).
    pub stratify: Option<Vec<usize>>,
    /// The largest fraction of failed resamples accepted. By default, 0.1.
    pub max_failed_fraction: f64,
}

impl Default for Bootstrap {
    fn default() -> Self {
        Self {
            n_resamples: 1000,
            confidence: 0.95,
            seed: kiln_core::random::DEFAULT_SEED,
            method: IntervalMethod::Percentile,
            stratify: None,
            max_failed_fraction: 0.1,
        }
    }
}

impl Bootstrap {
    /// Sets the number of resamples. By default, 1000.
    #[must_use]
    pub fn with_n_resamples(mut self, n_resamples: usize) -> Self {
        self.n_resamples = n_resamples;
        self
    }

    /// Sets the confidence level. By default, 0.95.
    #[must_use]
    pub fn with_confidence(mut self, confidence: f64) -> Self {
        self.confidence = confidence;
        self
    }

    /// Sets the seed. By default, 0.
    #[must_use]
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets the interval method. By default, [`IntervalMethod::Percentile`].
    #[must_use]
    pub fn with_method(mut self, method: IntervalMethod) -> Self {
        self.method = method;
        self
    }

    /// Resamples within strata: `labels[i]` is the stratum of row `i` (e.g. its class). By
    /// default, no stratification.
    #[must_use]
    pub fn with_stratify(mut self, labels: Vec<usize>) -> Self {
        self.stratify = Some(labels);
        self
    }

    /// Sets the largest accepted fraction of failed resamples. By default, 0.1.
    #[must_use]
    pub fn with_max_failed_fraction(mut self, fraction: f64) -> Self {
        self.max_failed_fraction = fraction;
        self
    }
}

impl Params for Bootstrap {
    const NAME: &'static str = "Bootstrap";

    /// Checks `n_resamples ≥ 1`, `confidence` in (0, 1) and `max_failed_fraction` in [0, 1).
    fn validate(&self) -> Result<()> {
        check_param(
            Self::NAME,
            "n_resamples",
            self.n_resamples,
            self.n_resamples >= 1,
            "an int in the range [1, inf)",
        )?;
        ci::check_confidence(self.confidence)?;
        check_param(
            Self::NAME,
            "max_failed_fraction",
            self.max_failed_fraction,
            (0.0..1.0).contains(&self.max_failed_fraction),
            "a float in the range [0, 1)",
        )
    }
}

/// A bootstrap confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// The metric on all rows.
    pub estimate: f64,
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
    /// The confidence level of `[lower, upper]`.
    pub confidence: f64,
    /// The standard deviation (`ddof = 1`) of the metric over the successful resamples, as
    /// SciPy's `standard_error`; NaN when fewer than two resamples succeeded.
    pub std_error: f64,
    /// The number of resamples drawn.
    pub n_resamples: usize,
    /// How many of them failed (metric error or NaN) and were skipped.
    pub n_failed: usize,
}

/// How resample rows are drawn: from all rows, or within strata.
enum Sampler {
    Plain(usize),
    Strata(Vec<Vec<usize>>),
}

impl Sampler {
    /// Fills `out` with the rows of one resample drawn from `rng`.
    fn fill(&self, rng: &mut KilnRng, out: &mut Vec<usize>) {
        out.clear();
        match self {
            Sampler::Plain(n) => out.extend((0..*n).map(|_| rng.random_range(0..*n))),
            Sampler::Strata(groups) => {
                for rows in groups {
                    out.extend((0..rows.len()).map(|_| rows[rng.random_range(0..rows.len())]));
                }
            }
        }
    }
}

impl Bootstrap {
    /// Validates the parameters against `n_samples` and builds the row sampler.
    fn sampler(&self, n_samples: usize) -> Result<Sampler> {
        self.validate()?;
        if n_samples == 0 {
            return Err(Error::EmptyInput {
                what: "rows to bootstrap".into(),
                reason: "n_samples=0; at least 1 row is needed".into(),
            });
        }
        // The resample buffers hold `n_samples` rows and the results `n_resamples` values:
        // sizes no allocation can serve are an error here, not an abort later.
        let mut probe: Vec<usize> = Vec::new();
        if probe.try_reserve_exact(n_samples).is_err() {
            return Err(Error::InvalidValue {
                what: "n_samples".into(),
                row: None,
                reason: format!("{n_samples} rows do not fit in memory"),
            });
        }
        drop(probe);
        let mut probe: Vec<Option<Result<f64>>> = Vec::new();
        if probe.try_reserve_exact(self.n_resamples).is_err() {
            return Err(Error::invalid_param(
                Self::NAME,
                "n_resamples",
                format!(
                    "is too large: {} results do not fit in memory",
                    self.n_resamples
                ),
            ));
        }
        drop(probe);
        let Some(labels) = &self.stratify else {
            return Ok(Sampler::Plain(n_samples));
        };
        kiln_core::check::check_same_len(
            "length of stratify against n_samples in Bootstrap",
            n_samples,
            labels.len(),
        )?;
        let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (row, &label) in labels.iter().enumerate() {
            groups.entry(label).or_default().push(row);
        }
        Ok(Sampler::Strata(groups.into_values().collect()))
    }

    /// The rows of resample `index` (0-based) of `n_samples` rows, as [`Bootstrap::interval`]
    /// draws them: `n_samples` rows with replacement (within each stratum, strata in
    /// ascending label order, when stratified).
    ///
    /// # Errors
    /// As [`Bootstrap::interval`] for invalid parameters or `n_samples`.
    pub fn resample_indices(&self, n_samples: usize, index: usize) -> Result<Vec<usize>> {
        let sampler = self.sampler(n_samples)?;
        let mut rows = Vec::with_capacity(n_samples);
        sampler.fill(&mut task_rng(self.seed, index as u64), &mut rows);
        Ok(rows)
    }

    /// The confidence interval of `metric` over `n_samples` rows.
    ///
    /// `metric` receives row indices: `0..n_samples` for the estimate, the rows of a resample
    /// (with repeats) for each bootstrap value and, for [`IntervalMethod::Bca`], all rows but
    /// one for each jackknife value. It is called from several threads at once.
    ///
    /// # Errors
    /// - [`Error::InvalidParameter`] from [`Bootstrap::validate`].
    /// - [`Error::EmptyInput`] for `n_samples = 0`; [`Error::ShapeMismatch`] when `stratify`
    ///   does not have `n_samples` labels.
    /// - The metric's own error on all rows; [`Error::InvalidValue`] if it returns NaN there.
    /// - [`Error::InvalidValue`] when more than `max_failed_fraction` of the resamples fail
    ///   (quoting the first failure), when BCa's metric fails without some row (the row is
    ///   given), or when BCa is undefined (see [`interval_from_resamples`]).
    pub fn interval<F>(&self, n_samples: usize, metric: F) -> Result<Interval>
    where
        F: Fn(&[usize]) -> Result<f64> + Sync,
    {
        let sampler = self.sampler(n_samples)?;
        let all: Vec<usize> = (0..n_samples).collect();
        let estimate = metric(&all)?;
        if !estimate.is_finite() {
            return Err(Error::InvalidValue {
                what: "the metric on all rows".into(),
                row: None,
                reason: format!(
                    "it returned {estimate}; a confidence interval needs a finite value"
                ),
            });
        }

        let mut results: Vec<Option<Result<f64>>> = Vec::new();
        results.resize_with(self.n_resamples, || None);
        results
            .par_chunks_mut(RESAMPLE_CHUNK)
            .enumerate()
            .for_each(|(chunk, slots)| {
                let mut rows = Vec::with_capacity(n_samples);
                for (k, slot) in slots.iter_mut().enumerate() {
                    let index = chunk * RESAMPLE_CHUNK + k;
                    sampler.fill(&mut task_rng(self.seed, index as u64), &mut rows);
                    *slot = Some(metric(&rows));
                }
            });

        let mut values = Vec::with_capacity(self.n_resamples);
        let mut first_failure: Option<(usize, String)> = None;
        for (index, result) in results.into_iter().enumerate() {
            match result {
                Some(Ok(v)) if v.is_finite() => values.push(v),
                other => {
                    if first_failure.is_none() {
                        let why = match other {
                            Some(Err(e)) => e.to_string(),
                            _ => "the metric returned NaN or an infinite value".into(),
                        };
                        first_failure = Some((index, why));
                    }
                }
            }
        }
        let n_failed = self.n_resamples - values.len();
        if let Some((index, why)) = first_failure
            && (n_failed as f64 > self.max_failed_fraction * self.n_resamples as f64
                || values.is_empty())
        {
            return Err(Error::InvalidValue {
                what: "bootstrap resamples of the metric".into(),
                row: None,
                reason: format!(
                    "{n_failed} of {} resamples failed, more than max_failed_fraction={}; \
                     the first (resample {index}): {why}",
                    self.n_resamples, self.max_failed_fraction
                ),
            });
        }

        let jackknife = match self.method {
            IntervalMethod::Percentile => None,
            IntervalMethod::Bca => Some(jackknife_values(n_samples, &metric)?),
        };
        let (lower, upper) = interval_from_resamples(
            estimate,
            &values,
            jackknife.as_deref(),
            self.confidence,
            self.method,
        )?;
        Ok(Interval {
            estimate,
            lower,
            upper,
            confidence: self.confidence,
            std_error: ci::std_ddof1(&values),
            n_resamples: self.n_resamples,
            n_failed,
        })
    }
}

/// The metric without each row in turn (the jackknife of BCa's acceleration), in parallel
/// chunks collected in row order.
fn jackknife_values<F>(n_samples: usize, metric: &F) -> Result<Vec<f64>>
where
    F: Fn(&[usize]) -> Result<f64> + Sync,
{
    if n_samples < 2 {
        return Err(Error::InvalidValue {
            what: "BCa interval".into(),
            row: None,
            reason: "the jackknife needs at least 2 rows; use IntervalMethod::Percentile".into(),
        });
    }
    let mut out: Vec<Result<f64>> = Vec::new();
    out.resize_with(n_samples, || Ok(0.0));
    out.par_chunks_mut(JACKKNIFE_CHUNK)
        .enumerate()
        .for_each(|(chunk, slots)| {
            let first = chunk * JACKKNIFE_CHUNK;
            // Rows 0..n without `first`; moving on to leave out `left + 1` only puts `left`
            // back in its place.
            let mut rows: Vec<usize> = (0..n_samples).filter(|&r| r != first).collect();
            for (k, slot) in slots.iter_mut().enumerate() {
                let left = first + k;
                if k > 0 {
                    rows[left - 1] = left - 1;
                }
                *slot = metric(&rows).and_then(|v| {
                    if v.is_nan() {
                        Err(Error::InvalidValue {
                            what: "the metric".into(),
                            row: None,
                            reason: "it returned NaN".into(),
                        })
                    } else {
                        Ok(v)
                    }
                });
            }
        });
    out.into_iter()
        .enumerate()
        .map(|(row, r)| {
            r.map_err(|e| Error::InvalidValue {
                what: "the jackknife of the BCa interval".into(),
                row: Some(row),
                reason: format!(
                    "the metric failed without this row ({e}); use IntervalMethod::Percentile"
                ),
            })
        })
        .collect()
}
