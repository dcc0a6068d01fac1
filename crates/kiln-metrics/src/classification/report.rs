//! The classification report: per-class precision, recall, F1 and support, plus accuracy,
//! macro and weighted averages, printable as scikit-learn's text table.

use std::fmt;

use kiln_core::check::check_param;
use kiln_core::{Error, Result};
use ndarray::ArrayView1;

use super::agreement::check_labels;
use super::counts::{LabelMap, Tally};
use super::options::{Average, PrfOptions, ZeroDivision};
use super::prf::{average_tally, scores};

/// Options of [`classification_report`] (scikit-learn's `labels`, `target_names`, `digits`,
/// `zero_division`).
///
/// # Parameters
/// - `labels` (default `None`): the classes to report, in order; `None` = every class present
///   in `y_true` or `y_pred`, sorted.
/// - `target_names` (default `None`): a display name per reported class; `None` prints the
///   class index.
/// - `digits` (default 2): decimals printed by `Display`.
/// - `zero_division` (default [`ZeroDivision::Zero`]).
#[derive(Clone, Debug, PartialEq)]
pub struct ReportOptions {
    /// Classes to report, in order (default `None`: all present, sorted).
    pub labels: Option<Vec<usize>>,
    /// Display names of the reported classes (default `None`: the class indices).
    pub target_names: Option<Vec<String>>,
    /// Decimals in the printed table (default 2).
    pub digits: usize,
    /// Value of a ratio with a zero denominator (default [`ZeroDivision::Zero`]).
    pub zero_division: ZeroDivision,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            labels: None,
            target_names: None,
            digits: 2,
            zero_division: ZeroDivision::Zero,
        }
    }
}

impl ReportOptions {
    /// Sets the classes to report (default `None`: every class present).
    #[must_use]
    pub fn with_labels(mut self, labels: Vec<usize>) -> Self {
        self.labels = Some(labels);
        self
    }

    /// Sets the class names (default `None`: class indices).
    #[must_use]
    pub fn with_target_names<S: Into<String>>(
        mut self,
        names: impl IntoIterator<Item = S>,
    ) -> Self {
        self.target_names = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// Sets the printed decimals (default 2).
    #[must_use]
    pub fn with_digits(mut self, digits: usize) -> Self {
        self.digits = digits;
        self
    }

    /// Sets the zero-division value (default [`ZeroDivision::Zero`]).
    #[must_use]
    pub fn with_zero_division(mut self, zero_division: ZeroDivision) -> Self {
        self.zero_division = zero_division;
        self
    }
}

/// One line of a [`ClassificationReport`].
#[derive(Clone, Debug, PartialEq)]
pub struct ReportRow {
    /// The class name (or "macro avg", ...).
    pub name: String,
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
    /// F1 score.
    pub f1: f64,
    /// (Weighted) number of true samples covered.
    pub support: f64,
}

/// Per-class and averaged precision, recall and F1 (scikit-learn's `classification_report`).
///
/// `Display` prints scikit-learn's text table (same widths, same rounding).
#[derive(Clone, Debug, PartialEq)]
pub struct ClassificationReport {
    /// One row per reported class.
    pub classes: Vec<ReportRow>,
    /// Accuracy (the micro-averaged F1), when every class present is reported; otherwise
    /// `None` and [`ClassificationReport::micro_avg`] is set.
    pub accuracy: Option<f64>,
    /// The micro average over the reported classes, when they are a subset of those present.
    pub micro_avg: Option<ReportRow>,
    /// Unweighted mean over the reported classes.
    pub macro_avg: ReportRow,
    /// Mean weighted by support.
    pub weighted_avg: ReportRow,
    /// Decimals printed by `Display`.
    pub digits: usize,
    /// Whether supports are weighted sums (printed as decimals, as scikit-learn does).
    pub weighted: bool,
}

/// Builds the classification report.
///
/// # Errors
/// [`Error::EmptyInput`], [`Error::ShapeMismatch`], a bad `sample_weight`, or
/// [`Error::InvalidParameter`] for empty `labels` or `target_names` of another length than the
/// reported classes (scikit-learn only warns when `labels` is given, then drops names).
///
/// # Example
/// ```
/// use kiln_metrics::classification::{classification_report, ReportOptions};
/// use ndarray::array;
/// let y_true = array![0, 1, 2, 2, 2];
/// let y_pred = array![0, 0, 2, 2, 1];
/// let names = ["class 0", "class 1", "class 2"];
/// let r = classification_report(y_true.view(), y_pred.view(),
///     &ReportOptions::default().with_target_names(names), None)?;
/// assert_eq!(r.accuracy, Some(0.6));
/// let expected = [
///     "              precision    recall  f1-score   support",
///     "",
///     "     class 0       0.50      1.00      0.67         1",
///     "     class 1       0.00      0.00      0.00         1",
///     "     class 2       1.00      0.67      0.80         3",
///     "",
///     "    accuracy                           0.60         5",
///     "   macro avg       0.50      0.56      0.49         5",
///     "weighted avg       0.70      0.60      0.61         5",
///     "",
/// ]
/// .join("\n");
/// assert_eq!(r.to_string(), expected);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn classification_report(
    y_true: ArrayView1<'_, usize>,
    y_pred: ArrayView1<'_, usize>,
    options: &ReportOptions,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<ClassificationReport> {
    let metric = "classification_report";
    check_labels(metric, y_true, y_pred, sample_weight)?;
    let all = Tally::new(y_true, y_pred, sample_weight.as_ref()).rounded_like_prf();
    let (t, micro_is_accuracy) = match &options.labels {
        None => (all.clone(), true),
        Some(l) => {
            check_param(metric, "labels", "[]", !l.is_empty(), "a non-empty list")?;
            let listed = LabelMap::new(l);
            let covers = all.labels.iter().all(|&c| listed.get(c).is_some());
            (all.select(l), covers)
        }
    };
    let names: Vec<String> = match &options.target_names {
        Some(names) if names.len() != t.labels.len() => {
            return Err(Error::invalid_param(
                metric,
                "target_names",
                format!(
                    "must have one name per reported class ({}); got {}",
                    t.labels.len(),
                    names.len()
                ),
            ));
        }
        Some(names) => names.clone(),
        None => t.labels.iter().map(ToString::to_string).collect(),
    };
    let opts = PrfOptions::default().with_zero_division(options.zero_division);
    let (p, r, f) = scores(&t, 1.0, options.zero_division);
    let classes = (0..t.labels.len())
        .map(|i| ReportRow {
            name: names[i].clone(),
            precision: p[i],
            recall: r[i],
            f1: f[i],
            support: t.true_sum[i],
        })
        .collect();
    let total: f64 = t.true_sum.iter().sum();
    let row = |name: &str, average: Average| {
        let a = average_tally(&t, average, &opts);
        ReportRow {
            name: name.into(),
            precision: a.precision,
            recall: a.recall,
            f1: a.fscore,
            support: total,
        }
    };
    let micro = row("micro avg", Average::Micro);
    Ok(ClassificationReport {
        classes,
        accuracy: micro_is_accuracy.then_some(micro.f1),
        micro_avg: (!micro_is_accuracy).then_some(micro),
        macro_avg: row("macro avg", Average::Macro),
        weighted_avg: row("weighted avg", Average::Weighted),
        digits: options.digits,
        weighted: sample_weight.is_some(),
    })
}

/// Python's `{:.{d}f}` (NaN printed as "nan").
fn fixed(v: f64, digits: usize) -> String {
    if v.is_nan() {
        "nan".into()
    } else {
        format!("{v:.digits$}")
    }
}

impl ClassificationReport {
    /// A support as scikit-learn prints it: an integer count, or a Python float repr when
    /// sample weights made it a weighted sum.
    fn support_str(&self, s: f64) -> String {
        if !self.weighted {
            format!("{s:.0}")
        } else if s.fract() == 0.0 && s.abs() < 1e16 {
            format!("{s:.1}")
        } else {
            format!("{s}")
        }
    }

    fn write_row(&self, f: &mut fmt::Formatter<'_>, row: &ReportRow, width: usize) -> fmt::Result {
        let d = self.digits;
        writeln!(
            f,
            "{:>width$}  {:>9} {:>9} {:>9} {:>9}",
            row.name,
            fixed(row.precision, d),
            fixed(row.recall, d),
            fixed(row.f1, d),
            self.support_str(row.support)
        )
    }
}

impl fmt::Display for ClassificationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name_width = self
            .classes
            .iter()
            .map(|r| r.name.chars().count())
            .max()
            .unwrap_or(0);
        let width = name_width.max("weighted avg".len()).max(self.digits);
        writeln!(
            f,
            "{:>width$}  {:>9} {:>9} {:>9} {:>9}\n",
            "", "precision", "recall", "f1-score", "support"
        )?;
        for row in &self.classes {
            self.write_row(f, row, width)?;
        }
        writeln!(f)?;
        if let Some(acc) = self.accuracy {
            writeln!(
                f,
                "{:>width$}  {:>9} {:>9} {:>9} {:>9}",
                "accuracy",
                "",
                "",
                fixed(acc, self.digits),
                self.support_str(self.macro_avg.support)
            )?;
        }
        if let Some(micro) = &self.micro_avg {
            self.write_row(f, micro, width)?;
        }
        self.write_row(f, &self.macro_avg, width)?;
        self.write_row(f, &self.weighted_avg, width)
    }
}
