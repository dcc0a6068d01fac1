//! Searches over every candidate threshold, from one sort of the scores.

use kiln_core::{Error, Result};
use ndarray::ArrayView1;

use super::counts::{ConfusionCounts, ThresholdMetric};
use crate::ranking::check_binary_scores;
use crate::ranking::counts::{ThresholdCounts, threshold_counts};

/// A chosen decision threshold: "positive when `score >= threshold`".
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThresholdChoice {
    /// The threshold: a score of the data (of a sample with non-zero weight), or `+inf`
    /// (everything negative).
    pub threshold: f64,
    /// What was optimized at that threshold: the metric, the recall reached (precision
    /// target), the precision reached (recall target) or the total cost.
    pub value: f64,
    /// The confusion counts at that threshold.
    pub counts: ConfusionCounts,
}

/// Every candidate rule, highest threshold first: `+inf`, then each distinct score.
pub(crate) struct Candidates {
    counts: ThresholdCounts,
}

impl Candidates {
    /// Checks the inputs and sorts once; both classes must carry weight.
    pub(crate) fn new(
        metric: &str,
        y_true: ArrayView1<'_, usize>,
        y_score: ArrayView1<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<Self> {
        check_binary_scores(metric, y_true, y_score, sample_weight)?;
        let counts = threshold_counts(y_true, y_score, sample_weight.as_ref());
        let (p, n) = (counts.total_pos(), counts.total_neg());
        if p <= 0.0 || n <= 0.0 {
            return Err(Error::SingleClass {
                estimator: metric.to_owned(),
                class: usize::from(p > 0.0).to_string(),
            });
        }
        Ok(Candidates { counts })
    }

    /// `(threshold, counts)` for each candidate, highest threshold first.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (f64, ConfusionCounts)> + '_ {
        let c = &self.counts;
        let (p, n) = (c.total_pos(), c.total_neg());
        let at = move |tp: f64, fp: f64| ConfusionCounts {
            tn: n - fp,
            fp,
            fn_: p - tp,
            tp,
        };
        std::iter::once((f64::INFINITY, at(0.0, 0.0))).chain(
            c.thresholds
                .iter()
                .zip(c.tps.iter().zip(&c.fps))
                .map(move |(&t, (&tp, &fp))| (t, at(tp, fp))),
        )
    }

    /// The candidate with the largest `score` (ties: the highest threshold).
    pub(crate) fn argmax(&self, score: impl Fn(&ConfusionCounts) -> f64) -> ThresholdChoice {
        let mut best: Option<ThresholdChoice> = None;
        for (threshold, counts) in self.iter() {
            let value = score(&counts);
            if best.is_none_or(|b| value > b.value) {
                best = Some(ThresholdChoice {
                    threshold,
                    value,
                    counts,
                });
            }
        }
        // The +inf candidate always exists.
        best.unwrap_or(ThresholdChoice {
            threshold: f64::INFINITY,
            value: f64::NAN,
            counts: ConfusionCounts::default(),
        })
    }
}

/// The threshold that maximizes a metric of the decision rule, over every distinct score (and
/// `+inf`, predicting everything negative).
///
/// # Parameters
/// - `y_true`: classes in {0, 1}, 1 = positive.
/// - `y_score`: scores of the positive class.
/// - `metric`: what to maximize, e.g. [`ThresholdMetric::F1`] or [`ThresholdMetric::YoudenJ`].
/// - `sample_weight`: optional non-negative weights.
///
/// # Errors
/// [`Error::EmptyInput`], [`Error::ShapeMismatch`], [`Error::NonFinite`],
/// [`Error::InvalidValue`] (targets, weights), [`Error::SingleClass`] when one class is missing
/// (or weighs nothing), [`Error::InvalidParameter`] for a bad β.
///
/// # Notes
/// One sort (linear-time radix) and one pass: O(n). Ties in the metric go to the highest
/// threshold. The choice is made on the data given: choose on validation data, not on the data
/// the reported metric will be measured on.
///
/// # Example
/// ```
/// use kiln_metrics::threshold::{ThresholdMetric, best_threshold};
/// use ndarray::array;
///
/// let y = array![0, 0, 1, 1, 0, 1];
/// let s = array![0.1, 0.4, 0.35, 0.8, 0.5, 0.9];
/// let best = best_threshold(y.view(), s.view(), ThresholdMetric::F1, None)?;
/// assert_eq!(best.threshold, 0.8); // tp 2, fp 0, fn 1: F1 = 4/5
/// assert_eq!(best.value, 0.8);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn best_threshold(
    y_true: ArrayView1<'_, usize>,
    y_score: ArrayView1<'_, f64>,
    metric: ThresholdMetric,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<ThresholdChoice> {
    let name = "best_threshold";
    metric.validate(name)?;
    let c = Candidates::new(name, y_true, y_score, sample_weight)?;
    Ok(c.argmax(|k| k.metric(metric)))
}

/// The threshold with the highest recall among those whose precision is at least
/// `min_precision` (ties: higher precision, then the higher threshold).
///
/// `Ok(None)` when no threshold reaches the target. The rule "everything negative" (precision
/// 0 by convention) never qualifies.
///
/// # Parameters
/// - `min_precision`: the target, in (0, 1].
/// - the others as [`best_threshold`].
///
/// # Errors
/// As [`best_threshold`]; [`Error::InvalidParameter`] for a target outside (0, 1].
///
/// # Example
/// ```
/// use kiln_metrics::threshold::threshold_for_precision;
/// use ndarray::array;
///
/// let y = array![0, 0, 1, 1, 0, 1];
/// let s = array![0.1, 0.4, 0.35, 0.8, 0.5, 0.9];
/// let t = threshold_for_precision(y.view(), s.view(), 0.9, None)?.unwrap();
/// assert_eq!((t.threshold, t.value), (0.8, 2.0 / 3.0));
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn threshold_for_precision(
    y_true: ArrayView1<'_, usize>,
    y_score: ArrayView1<'_, f64>,
    min_precision: f64,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<Option<ThresholdChoice>> {
    let name = "threshold_for_precision";
    check_target(name, "min_precision", min_precision)?;
    let c = Candidates::new(name, y_true, y_score, sample_weight)?;
    Ok(best_under(&c, |k| {
        let p = k.precision();
        (p >= min_precision && p > 0.0).then_some((k.recall(), p))
    }))
}

/// The threshold with the highest precision among those whose recall is at least `min_recall`
/// (ties: higher recall, then the higher threshold).
///
/// `Ok(None)` cannot happen for a target in (0, 1] (the lowest threshold has recall 1) but is
/// kept for symmetry with [`threshold_for_precision`].
///
/// # Parameters
/// - `min_recall`: the target, in (0, 1].
/// - the others as [`best_threshold`].
///
/// # Errors
/// As [`threshold_for_precision`].
///
/// # Example
/// ```
/// use kiln_metrics::threshold::threshold_for_recall;
/// use ndarray::array;
///
/// let y = array![0, 0, 1, 1, 0, 1];
/// let s = array![0.1, 0.4, 0.35, 0.8, 0.5, 0.9];
/// let t = threshold_for_recall(y.view(), s.view(), 1.0, None)?.unwrap();
/// assert_eq!((t.threshold, t.value), (0.35, 0.6));
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn threshold_for_recall(
    y_true: ArrayView1<'_, usize>,
    y_score: ArrayView1<'_, f64>,
    min_recall: f64,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<Option<ThresholdChoice>> {
    let name = "threshold_for_recall";
    check_target(name, "min_recall", min_recall)?;
    let c = Candidates::new(name, y_true, y_score, sample_weight)?;
    Ok(best_under(&c, |k| {
        let r = k.recall();
        (r >= min_recall).then_some((k.precision(), r))
    }))
}

/// Among the candidates for which `key` is `Some((primary, secondary))`, the lexicographic
/// maximum; the first (highest threshold) wins full ties.
fn best_under(
    c: &Candidates,
    key: impl Fn(&ConfusionCounts) -> Option<(f64, f64)>,
) -> Option<ThresholdChoice> {
    let mut best: Option<(f64, f64, ThresholdChoice)> = None;
    for (threshold, counts) in c.iter() {
        let Some((a, b)) = key(&counts) else { continue };
        if best.is_none_or(|(ba, bb, _)| a > ba || (a == ba && b > bb)) {
            let choice = ThresholdChoice {
                threshold,
                value: a,
                counts,
            };
            best = Some((a, b, choice));
        }
    }
    best.map(|(_, _, choice)| choice)
}

fn check_target(metric: &str, name: &str, target: f64) -> Result<()> {
    if target > 0.0 && target <= 1.0 {
        Ok(())
    } else {
        Err(Error::invalid_param(
            metric,
            name,
            format!("must be a float in the range (0, 1]; got {target}"),
        ))
    }
}
