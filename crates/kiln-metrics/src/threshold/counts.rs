//! The weighted confusion counts of one decision rule and the metrics read from them.

use kiln_core::{Error, Result};
use ndarray::ArrayView1;

use crate::input::{
    check_binary_targets, check_finite_values, check_pair, check_weights, weight_at,
};

/// Weighted confusion counts of the rule "positive when `score >= threshold`" (plain counts
/// without weights).
///
/// Every ratio method follows scikit-learn's default `zero_division` behaviour ("warn", which
/// returns 0): a ratio whose denominator is 0 is 0.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ConfusionCounts {
    /// True negatives: negatives scored below the threshold.
    pub tn: f64,
    /// False positives: negatives scored at or above the threshold.
    pub fp: f64,
    /// False negatives: positives scored below the threshold.
    pub fn_: f64,
    /// True positives: positives scored at or above the threshold.
    pub tp: f64,
}

fn ratio(num: f64, den: f64) -> f64 {
    if den == 0.0 { 0.0 } else { num / den }
}

impl ConfusionCounts {
    /// `tp / (tp + fp)`; 0 when nothing is predicted positive.
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }

    /// Recall (sensitivity, true positive rate) `tp / (tp + fn)`; 0 without positives.
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }

    /// F1 `2·tp / (2·tp + fp + fn)` (scikit-learn's form, 0 when all three are 0).
    pub fn f1(&self) -> f64 {
        ratio(2.0 * self.tp, 2.0 * self.tp + self.fp + self.fn_)
    }

    /// F-beta `(1 + β²)·tp / ((1 + β²)·tp + β²·fn + fp)`; recall weighs β times as much as
    /// precision.
    pub fn fbeta(&self, beta: f64) -> f64 {
        let b2 = beta * beta;
        ratio(
            (1.0 + b2) * self.tp,
            (1.0 + b2) * self.tp + b2 * self.fn_ + self.fp,
        )
    }

    /// False positive rate `fp / (fp + tn)`; 0 without negatives.
    pub fn fpr(&self) -> f64 {
        ratio(self.fp, self.fp + self.tn)
    }

    /// Specificity (true negative rate) `tn / (tn + fp)`; 0 without negatives.
    pub fn specificity(&self) -> f64 {
        ratio(self.tn, self.tn + self.fp)
    }

    /// `(tp + tn) / total`.
    pub fn accuracy(&self) -> f64 {
        ratio(self.tp + self.tn, self.tp + self.tn + self.fp + self.fn_)
    }

    /// `(recall + specificity) / 2`.
    pub fn balanced_accuracy(&self) -> f64 {
        (self.recall() + self.specificity()) / 2.0
    }

    /// Youden's J statistic `recall + specificity − 1` (the height of the ROC point above the
    /// chance diagonal).
    pub fn youden_j(&self) -> f64 {
        self.recall() + self.specificity() - 1.0
    }

    /// The value of `metric` on these counts.
    pub fn metric(&self, metric: ThresholdMetric) -> f64 {
        match metric {
            ThresholdMetric::F1 => self.f1(),
            ThresholdMetric::FBeta(beta) => self.fbeta(beta),
            ThresholdMetric::YoudenJ => self.youden_j(),
            ThresholdMetric::BalancedAccuracy => self.balanced_accuracy(),
            ThresholdMetric::Accuracy => self.accuracy(),
        }
    }
}

/// A metric of a decision rule that [`best_threshold`](super::best_threshold) can maximize.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ThresholdMetric {
    /// [`ConfusionCounts::f1`].
    F1,
    /// [`ConfusionCounts::fbeta`] with this β (> 0, finite).
    FBeta(f64),
    /// [`ConfusionCounts::youden_j`]: the ROC point farthest above the diagonal.
    YoudenJ,
    /// [`ConfusionCounts::balanced_accuracy`] (a monotone transform of Youden's J: same best
    /// threshold).
    BalancedAccuracy,
    /// [`ConfusionCounts::accuracy`].
    Accuracy,
}

impl ThresholdMetric {
    pub(crate) fn validate(self, metric: &str) -> Result<()> {
        if let ThresholdMetric::FBeta(beta) = self
            && !(beta.is_finite() && beta > 0.0)
        {
            return Err(Error::invalid_param(
                metric,
                "beta",
                format!("must be a float in the range (0, inf); got {beta}"),
            ));
        }
        Ok(())
    }
}

/// Confusion counts of "positive when `score >= threshold`" (scikit-learn's convention, as in
/// `roc_curve`).
///
/// # Parameters
/// - `y_true`: classes in {0, 1}, 1 = positive.
/// - `y_score`: scores of the positive class.
/// - `threshold`: any non-NaN value; `+inf` predicts everything negative, `-inf` positive.
/// - `sample_weight`: optional non-negative weights (the counts are then weighted).
///
/// # Errors
/// [`Error::EmptyInput`], [`Error::ShapeMismatch`], [`Error::NonFinite`] for NaN/inf scores,
/// [`Error::InvalidValue`] for targets outside {0, 1}, bad weights or a NaN threshold.
///
/// # Example
/// ```
/// use kiln_metrics::threshold::confusion_at_threshold;
/// use ndarray::array;
///
/// let c = confusion_at_threshold(
///     array![0, 0, 1, 1].view(), array![0.1, 0.4, 0.35, 0.8].view(), 0.4, None)?;
/// assert_eq!((c.tn, c.fp, c.fn_, c.tp), (1.0, 1.0, 1.0, 1.0));
/// assert_eq!(c.precision(), 0.5);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn confusion_at_threshold(
    y_true: ArrayView1<'_, usize>,
    y_score: ArrayView1<'_, f64>,
    threshold: f64,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<ConfusionCounts> {
    let metric = "confusion_at_threshold";
    let n = check_pair(metric, y_true, y_score, "y_score")?;
    check_binary_targets(y_true, metric)?;
    check_finite_values(y_score, &format!("y_score of {metric}"))?;
    check_weights(sample_weight, n)?;
    if threshold.is_nan() {
        return Err(Error::InvalidValue {
            what: format!("threshold of {metric}"),
            row: None,
            reason: "NaN is not a threshold".into(),
        });
    }
    let mut c = ConfusionCounts::default();
    for (i, (&y, &s)) in y_true.iter().zip(y_score.iter()).enumerate() {
        let w = weight_at(sample_weight.as_ref(), i);
        match (y == 1, s >= threshold) {
            (true, true) => c.tp += w,
            (true, false) => c.fn_ += w,
            (false, true) => c.fp += w,
            (false, false) => c.tn += w,
        }
    }
    Ok(c)
}
