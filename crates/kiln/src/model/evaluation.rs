//! [`Evaluation`]: a model's metrics on labelled data, under scikit-learn's names.

use std::collections::BTreeMap;
use std::fmt;

use kiln_core::Result;
use kiln_metrics::classification::{
    Average, Normalize, accuracy, balanced_accuracy, brier_score, brier_score_multiclass,
    confusion_matrix, f1, log_loss, matthews_corrcoef, precision, recall,
};
use kiln_metrics::ranking::{MultiClass, average_precision, roc_auc, roc_auc_multiclass};
use kiln_metrics::regression::{mean_absolute_error, r2, root_mean_squared_error};
use ndarray::{Array1, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::problem::{Assessment, Task};

/// A model's metrics on labelled data: what `kiln train` and `kiln evaluate` print.
///
/// Metric names are scikit-learn's: classification `accuracy`, `balanced_accuracy`,
/// `precision`, `recall`, `f1` (of the positive class for a binary problem, macro averages
/// otherwise), `matthews_corrcoef`, `roc_auc` (one-vs-rest macro for several classes),
/// `average_precision` (binary), `log_loss`, `brier`; regression `r2`, `rmse`, `mae`;
/// clustering `inertia` (sum of squared distances to the nearest centre) and `silhouette`.
/// A metric that cannot be computed on this data (ROC AUC on a test set with one class) is
/// left out with the reason in `notes`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// The task.
    pub task: Task,
    /// Rows evaluated.
    pub n_rows: usize,
    /// Seconds spent fitting (when this evaluation follows a fit).
    pub fit_seconds: Option<f64>,
    /// Seconds spent predicting these rows.
    pub predict_seconds: f64,
    /// Metric name → value.
    pub metrics: BTreeMap<String, f64>,
    /// How precision, recall and F1 average over classes: `binary` or `macro`.
    pub average: Option<String>,
    /// The positive class of a binary problem.
    pub positive_class: Option<String>,
    /// The class names, in the order of the confusion matrix's rows and columns.
    pub labels: Vec<String>,
    /// Counts: rows are true classes, columns predicted classes.
    pub confusion_matrix: Option<Vec<Vec<f64>>>,
    /// Metrics left out, and why.
    pub notes: Vec<String>,
    /// The problem's verdict on these numbers, when it was judged.
    pub assessment: Option<Assessment>,
}

impl Evaluation {
    fn new(task: Task, n_rows: usize, predict_seconds: f64) -> Self {
        Self {
            task,
            n_rows,
            fit_seconds: None,
            predict_seconds,
            metrics: BTreeMap::new(),
            average: None,
            positive_class: None,
            labels: Vec::new(),
            confusion_matrix: None,
            notes: Vec::new(),
            assessment: None,
        }
    }

    fn put(&mut self, name: &str, value: Result<f64>) {
        match value {
            Ok(v) => {
                self.metrics.insert(name.to_string(), v);
            }
            Err(e) => self.notes.push(format!("{name} not computed: {e}")),
        }
    }

    /// The classification metrics of `y_pred` (and `proba`, one column per class) against
    /// `y_true`, all class indices into `classes`; `positive` is the positive class's index
    /// for a binary problem.
    ///
    /// # Errors
    /// The errors of the accuracy and the confusion matrix (mismatched lengths, empty
    /// input); other metrics that fail are noted instead.
    pub fn classification(
        y_true: ArrayView1<'_, usize>,
        y_pred: ArrayView1<'_, usize>,
        proba: Option<ArrayView2<'_, f64>>,
        classes: &[String],
        positive: Option<usize>,
        predict_seconds: f64,
    ) -> Result<Self> {
        let mut e = Self::new(Task::Classification, y_true.len(), predict_seconds);
        e.labels = classes.to_vec();
        let all: Vec<usize> = (0..classes.len()).collect();
        let cm = confusion_matrix(y_true, y_pred, Some(&all), Normalize::None, None)?;
        e.confusion_matrix = Some(cm.matrix.rows().into_iter().map(|r| r.to_vec()).collect());
        e.metrics
            .insert("accuracy".into(), accuracy(y_true, y_pred, None)?);
        e.put("balanced_accuracy", balanced_accuracy(y_true, y_pred, None));
        e.put("matthews_corrcoef", matthews_corrcoef(y_true, y_pred, None));
        match (classes.len(), positive) {
            (2, Some(p)) => {
                e.average = Some("binary".into());
                e.positive_class = classes.get(p).cloned();
                let t: Array1<usize> = y_true.mapv(|c| usize::from(c == p));
                let q: Array1<usize> = y_pred.mapv(|c| usize::from(c == p));
                e.put(
                    "precision",
                    precision(t.view(), q.view(), Average::Binary, None),
                );
                e.put("recall", recall(t.view(), q.view(), Average::Binary, None));
                e.put("f1", f1(t.view(), q.view(), Average::Binary, None));
                if let Some(proba) = proba {
                    let score = proba.column(p);
                    e.put("roc_auc", roc_auc(t.view(), score, None));
                    e.put(
                        "average_precision",
                        average_precision(t.view(), score, None),
                    );
                    e.put("brier", brier_score(t.view(), score, None));
                }
            }
            _ => {
                e.average = Some("macro".into());
                if let Some(label) = positive.and_then(|p| classes.get(p)) {
                    // As scikit-learn's `pos_label`, which is ignored unless the average is
                    // binary; said, not silent.
                    e.notes.push(format!(
                        "positive class `{label}` is not used by the metrics of a {}-class \
                         target: precision, recall, F1 and ROC AUC are macro averages over \
                         the classes",
                        classes.len()
                    ));
                }
                e.put("precision", precision(y_true, y_pred, Average::Macro, None));
                e.put("recall", recall(y_true, y_pred, Average::Macro, None));
                e.put("f1", f1(y_true, y_pred, Average::Macro, None));
                if let Some(proba) = proba {
                    e.put(
                        "roc_auc",
                        roc_auc_multiclass(y_true, proba, MultiClass::Ovr, Average::Macro, None),
                    );
                    e.put("brier", brier_score_multiclass(y_true, proba, None));
                }
            }
        }
        if let Some(proba) = proba {
            e.put("log_loss", log_loss(y_true, proba, None));
        }
        Ok(e)
    }

    /// The regression metrics of `y_pred` against `y_true`.
    ///
    /// # Errors
    /// The errors of R² (mismatched lengths, empty or non-finite input).
    pub fn regression(
        y_true: ArrayView1<'_, f64>,
        y_pred: ArrayView1<'_, f64>,
        predict_seconds: f64,
    ) -> Result<Self> {
        let mut e = Self::new(Task::Regression, y_true.len(), predict_seconds);
        e.metrics.insert("r2".into(), r2(y_true, y_pred, None)?);
        e.put("rmse", root_mean_squared_error(y_true, y_pred, None));
        e.put("mae", mean_absolute_error(y_true, y_pred, None));
        Ok(e)
    }

    /// The clustering metrics of a partition of `x` into `labels`, with `distances` the
    /// distances of each row to each centre.
    ///
    /// The silhouette is computed on at most 10,000 rows (a seeded sample beyond), as its
    /// cost grows with the square of the rows.
    ///
    /// # Errors
    /// [`kiln_core::Error::ShapeMismatch`] when the inputs disagree in rows.
    pub fn clustering(
        x: ArrayView2<'_, f64>,
        labels: ArrayView1<'_, usize>,
        distances: ArrayView2<'_, f64>,
        predict_seconds: f64,
    ) -> Result<Self> {
        kiln_core::check::check_same_len(
            "rows of the distances against rows of X",
            x.nrows(),
            distances.nrows(),
        )?;
        let mut e = Self::new(Task::Clustering, x.nrows(), predict_seconds);
        let inertia: f64 = distances
            .rows()
            .into_iter()
            .map(|r| r.iter().fold(f64::INFINITY, |m, &d| m.min(d)).powi(2))
            .sum();
        e.metrics.insert("inertia".into(), inertia);
        let sil = if x.nrows() > 10_000 {
            kiln_metrics::cluster::silhouette_score_sampled(x, labels, 10_000, 0)
        } else {
            kiln_metrics::cluster::silhouette_score(x, labels)
        };
        e.put("silhouette", sil);
        Ok(e)
    }
}

impl fmt::Display for Evaluation {
    /// The metrics one per line, the confusion matrix, then notes and the verdict.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let avg = match (&self.average, &self.positive_class) {
            (Some(a), Some(p)) if a == "binary" => format!(" (positive class `{p}`)"),
            (Some(a), _) => format!(" ({a} average over classes)"),
            _ => String::new(),
        };
        writeln!(f, "{} rows{avg}", self.n_rows)?;
        for (name, v) in &self.metrics {
            writeln!(f, "  {name:<20} {v:>10.4}")?;
        }
        if let Some(cm) = &self.confusion_matrix {
            let w = self
                .labels
                .iter()
                .map(String::len)
                .max()
                .unwrap_or(4)
                .clamp(4, 24);
            writeln!(f, "confusion matrix (rows: true, columns: predicted)")?;
            write!(f, "  {:<w$}", "")?;
            for l in &self.labels {
                write!(f, " {:>w$}", clip(l, w))?;
            }
            writeln!(f)?;
            for (l, row) in self.labels.iter().zip(cm) {
                write!(f, "  {:<w$}", clip(l, w))?;
                for v in row {
                    write!(f, " {v:>w$}")?;
                }
                writeln!(f)?;
            }
        }
        for n in &self.notes {
            writeln!(f, "note: {n}")?;
        }
        if let Some(a) = &self.assessment {
            write!(f, "{a}")?;
        }
        Ok(())
    }
}

fn clip(s: &str, w: usize) -> String {
    if s.chars().count() <= w {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(w.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}
