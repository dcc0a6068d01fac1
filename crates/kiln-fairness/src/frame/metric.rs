//! The metrics a [`MetricFrame`](super::MetricFrame) computes: count-based rates of the
//! confusion counts, score-based metrics, and closures of your own.

use std::fmt;
use std::sync::Arc;

use kiln_core::Result;
use ndarray::ArrayView1;

use crate::confusion::Confusion;
use crate::value::{Value, ZeroDivision, rate};

/// A metric of binary labels: `(y_true, y_pred, sample_weight) -> value`.
///
/// Return NaN for "undefined here" (reported as [`Value::Undefined`]); an `Err` stops the
/// frame and is returned with the metric's and group's names added.
pub type LabelMetricFn = dyn Fn(ArrayView1<'_, usize>, ArrayView1<'_, usize>, Option<ArrayView1<'_, f64>>) -> Result<f64>
    + Send
    + Sync;

/// A metric of scores: `(y_true, y_score, sample_weight) -> value`, with the conventions of
/// [`LabelMetricFn`].
pub type ScoreMetricFn = dyn Fn(ArrayView1<'_, usize>, ArrayView1<'_, f64>, Option<ArrayView1<'_, f64>>) -> Result<f64>
    + Send
    + Sync;

/// A metric computed from a group's (weighted) confusion counts alone.
///
/// fairlearn's names are given for each; every rate's zero denominator is handled by
/// [`FrameOptions::zero_division`](super::FrameOptions::zero_division).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CountMetric {
    /// Share predicted positive, `(tp + fp) / n` (`selection_rate`).
    SelectionRate,
    /// True-positive rate, `tp / (tp + fn)` (`true_positive_rate`, `recall_score`).
    Tpr,
    /// False-positive rate, `fp / (fp + tn)` (`false_positive_rate`).
    Fpr,
    /// True-negative rate, `tn / (fp + tn)` (`true_negative_rate`).
    Tnr,
    /// False-negative rate, `fn / (tp + fn)` (`false_negative_rate`).
    Fnr,
    /// Positive predictive value (precision), `tp / (tp + fp)` (`precision_score`).
    Precision,
    /// Negative predictive value, `tn / (tn + fn)`.
    Npv,
    /// Accuracy, `(tp + tn) / n` (`accuracy_score`).
    Accuracy,
    /// Error rate, `(fp + fn) / n`.
    ErrorRate,
    /// The number of rows, unweighted even with sample weights (fairlearn's `count`).
    Count,
}

impl CountMetric {
    /// The metric's default name (fairlearn's function name where it has one).
    pub fn name(self) -> &'static str {
        match self {
            CountMetric::SelectionRate => "selection_rate",
            CountMetric::Tpr => "true_positive_rate",
            CountMetric::Fpr => "false_positive_rate",
            CountMetric::Tnr => "true_negative_rate",
            CountMetric::Fnr => "false_negative_rate",
            CountMetric::Precision => "precision",
            CountMetric::Npv => "negative_predictive_value",
            CountMetric::Accuracy => "accuracy",
            CountMetric::ErrorRate => "error_rate",
            CountMetric::Count => "count",
        }
    }

    /// The metric of weighted counts `c` over `rows` rows.
    pub fn eval(self, c: &Confusion, rows: f64, zd: ZeroDivision) -> Value {
        match self {
            CountMetric::SelectionRate => c.selection_rate(zd),
            CountMetric::Tpr => c.tpr(zd),
            CountMetric::Fpr => c.fpr(zd),
            CountMetric::Tnr => c.tnr(zd),
            CountMetric::Fnr => c.fnr(zd),
            CountMetric::Precision => c.ppv(zd),
            CountMetric::Npv => c.npv(zd),
            CountMetric::Accuracy => c.accuracy(zd),
            CountMetric::ErrorRate => c.error_rate(zd),
            CountMetric::Count => Value::Defined(rows),
        }
    }
}

/// What a [`Metric`] computes.
#[derive(Clone)]
pub enum MetricKind {
    /// A rate of the confusion counts (one pass over the rows serves all of them).
    Count(CountMetric),
    /// The (weighted) mean score, fairlearn's `mean_prediction` applied to the scores;
    /// needs `y_score`.
    MeanScore,
    /// The area under the ROC curve ([`kiln_metrics::ranking::roc_auc`]); needs `y_score`.
    /// Undefined (not an error) in a group with a single class.
    RocAuc,
    /// A closure of the labels.
    Custom(Arc<LabelMetricFn>),
    /// A closure of the scores; needs `y_score`.
    CustomScore(Arc<ScoreMetricFn>),
}

impl fmt::Debug for MetricKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MetricKind::Count(c) => write!(f, "Count({c:?})"),
            MetricKind::MeanScore => f.write_str("MeanScore"),
            MetricKind::RocAuc => f.write_str("RocAuc"),
            MetricKind::Custom(_) => f.write_str("Custom(..)"),
            MetricKind::CustomScore(_) => f.write_str("CustomScore(..)"),
        }
    }
}

/// A named metric of a [`MetricFrame`](super::MetricFrame).
///
/// ```
/// use kiln_fairness::frame::Metric;
///
/// let metrics = [
///     Metric::accuracy(),
///     Metric::tpr().with_name("recall"),
///     Metric::custom("share_positive", |y_true, _y_pred, _sw| {
///         Ok(y_true.iter().filter(|&&y| y == 1).count() as f64 / y_true.len() as f64)
///     }),
/// ];
/// assert_eq!(metrics[1].name(), "recall");
/// ```
#[derive(Debug, Clone)]
pub struct Metric {
    name: String,
    kind: MetricKind,
}

impl Metric {
    /// A count-based metric under its default name.
    pub fn count_based(metric: CountMetric) -> Self {
        Self {
            name: metric.name().to_owned(),
            kind: MetricKind::Count(metric),
        }
    }

    /// Selection rate (`selection_rate`).
    pub fn selection_rate() -> Self {
        Self::count_based(CountMetric::SelectionRate)
    }

    /// True-positive rate (`true_positive_rate`).
    pub fn tpr() -> Self {
        Self::count_based(CountMetric::Tpr)
    }

    /// False-positive rate (`false_positive_rate`).
    pub fn fpr() -> Self {
        Self::count_based(CountMetric::Fpr)
    }

    /// True-negative rate (`true_negative_rate`).
    pub fn tnr() -> Self {
        Self::count_based(CountMetric::Tnr)
    }

    /// False-negative rate (`false_negative_rate`).
    pub fn fnr() -> Self {
        Self::count_based(CountMetric::Fnr)
    }

    /// Precision, the positive predictive value (`precision`).
    pub fn precision() -> Self {
        Self::count_based(CountMetric::Precision)
    }

    /// Negative predictive value (`negative_predictive_value`).
    pub fn npv() -> Self {
        Self::count_based(CountMetric::Npv)
    }

    /// Accuracy (`accuracy`).
    pub fn accuracy() -> Self {
        Self::count_based(CountMetric::Accuracy)
    }

    /// Error rate (`error_rate`).
    pub fn error_rate() -> Self {
        Self::count_based(CountMetric::ErrorRate)
    }

    /// Number of rows (`count`).
    pub fn count() -> Self {
        Self::count_based(CountMetric::Count)
    }

    /// Mean score (`mean_score`).
    pub fn mean_score() -> Self {
        Self {
            name: "mean_score".into(),
            kind: MetricKind::MeanScore,
        }
    }

    /// ROC AUC (`roc_auc`).
    pub fn roc_auc() -> Self {
        Self {
            name: "roc_auc".into(),
            kind: MetricKind::RocAuc,
        }
    }

    /// A metric of the labels computed by `f` on each group's rows (see [`LabelMetricFn`]).
    pub fn custom<F>(name: impl Into<String>, f: F) -> Self
    where
        F: Fn(
                ArrayView1<'_, usize>,
                ArrayView1<'_, usize>,
                Option<ArrayView1<'_, f64>>,
            ) -> Result<f64>
            + Send
            + Sync
            + 'static,
    {
        Self {
            name: name.into(),
            kind: MetricKind::Custom(Arc::new(f)),
        }
    }

    /// A metric of the scores computed by `f` on each group's rows (see [`ScoreMetricFn`]).
    pub fn custom_score<F>(name: impl Into<String>, f: F) -> Self
    where
        F: Fn(
                ArrayView1<'_, usize>,
                ArrayView1<'_, f64>,
                Option<ArrayView1<'_, f64>>,
            ) -> Result<f64>
            + Send
            + Sync
            + 'static,
    {
        Self {
            name: name.into(),
            kind: MetricKind::CustomScore(Arc::new(f)),
        }
    }

    /// Renames the metric (the column name in every table).
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The metric's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What the metric computes.
    pub fn kind(&self) -> &MetricKind {
        &self.kind
    }

    /// Whether the metric reads `y_score`.
    pub fn needs_scores(&self) -> bool {
        matches!(
            self.kind,
            MetricKind::MeanScore | MetricKind::RocAuc | MetricKind::CustomScore(_)
        )
    }

    /// Whether the metric needs each group's rows (not just its confusion counts).
    pub(crate) fn needs_rows(&self) -> bool {
        !matches!(self.kind, MetricKind::Count(_))
    }
}

/// A group's rows, gathered (or the original arrays for all rows).
pub(crate) struct Rows<'a> {
    pub y_true: ArrayView1<'a, usize>,
    pub y_pred: ArrayView1<'a, usize>,
    pub y_score: Option<ArrayView1<'a, f64>>,
    pub weight: Option<ArrayView1<'a, f64>>,
}

/// Evaluates a row-based metric on `rows` (`what` names the group for errors).
pub(crate) fn eval_rows(
    metric: &Metric,
    rows: &Rows<'_>,
    zd: ZeroDivision,
    what: &str,
) -> Result<Value> {
    let wrap = |e: kiln_core::Error| kiln_core::Error::InvalidValue {
        what: format!("metric `{}` on {what}", metric.name),
        row: None,
        reason: e.to_string(),
    };
    // `Value::Defined` holds finite values only: NaN and infinities from a custom metric are
    // undefined (an infinity made inf − inf = NaN differences: found by probing).
    let finite = |v: f64| {
        if v.is_finite() {
            Value::Defined(v)
        } else {
            Value::undefined(format!("`{}` returned {v}", metric.name))
        }
    };
    let n = rows.y_true.len();
    if n == 0 {
        return Ok(Value::undefined("no rows"));
    }
    match &metric.kind {
        MetricKind::Count(_) => Ok(Value::undefined("count-based metrics use the counts")),
        MetricKind::Custom(f) => f(rows.y_true, rows.y_pred, rows.weight)
            .map(finite)
            .map_err(wrap),
        MetricKind::CustomScore(f) => match rows.y_score {
            Some(s) => f(rows.y_true, s, rows.weight).map(finite).map_err(wrap),
            None => Ok(Value::undefined("no scores")),
        },
        MetricKind::MeanScore => {
            let Some(s) = rows.y_score else {
                return Ok(Value::undefined("no scores"));
            };
            Ok(match rows.weight {
                Some(w) => {
                    let (mut num, mut den) = (0.0, 0.0);
                    for (&si, &wi) in s.iter().zip(w) {
                        num += si * wi;
                        den += wi;
                    }
                    rate(num, den, zd)
                }
                None => Value::Defined(s.sum() / n as f64),
            })
        }
        MetricKind::RocAuc => {
            let Some(s) = rows.y_score else {
                return Ok(Value::undefined("no scores"));
            };
            let positives = rows.y_true.iter().filter(|&&y| y == 1).count();
            if positives == 0 || positives == n {
                return Ok(Value::undefined(format!(
                    "ROC AUC needs both classes; every row has class {}",
                    usize::from(positives == n)
                )));
            }
            Ok(
                match kiln_metrics::ranking::roc_auc(rows.y_true, s, rows.weight) {
                    Ok(v) => finite(v),
                    // A class present only with zero weight: undefined, as the one-class case.
                    Err(e) => Value::undefined(e.to_string()),
                },
            )
        }
    }
}
