//! Classification metrics: accuracy, balanced accuracy, precision / recall / F-beta,
//! confusion matrix, Matthews correlation, Cohen's kappa, log-loss, Brier score, top-k
//! accuracy and the classification report.
//!
//! Each function equals its scikit-learn 1.9.1 counterpart (`accuracy` is `accuracy_score`,
//! ...; checked to 1e-12 on predictions of real models on the bundled data sets), takes
//! scikit-learn's arguments in scikit-learn's order and optional `sample_weight` last.
//!
//! - Classes are `usize` indices. As in scikit-learn, label metrics work on the classes that
//!   occur in `y_true` or `y_pred` (or those passed as `labels`), so an index that never occurs
//!   does not enter a macro average.
//! - Label metrics make one pass over the samples to per-class (weighted) counts or a confusion
//!   matrix and derive everything from it: O(n + classes) work, O(n + classes²) for the matrix
//!   itself and kappa.
//! - Zero denominators (precision of a class never predicted, ...) follow scikit-learn's
//!   `zero_division` ([`ZeroDivision`], default 0.0 like scikit-learn's `"warn"`).
//! - Probability matrices have one column per class (column j = class j); rows must be
//!   probabilities summing to 1.
//!
//! # Example
//! ```
//! use kiln_metrics::classification::{accuracy, confusion_matrix, f1, log_loss, Average, Normalize};
//! use ndarray::array;
//!
//! let y_true = array![0, 1, 2, 2, 1, 0];
//! let y_pred = array![0, 2, 2, 2, 1, 0];
//! assert!((accuracy(y_true.view(), y_pred.view(), None)? - 5.0 / 6.0).abs() < 1e-15);
//! let macro_f1 = f1(y_true.view(), y_pred.view(), Average::Macro, None)?;
//! assert!((macro_f1 - (1.0 + 2.0 / 3.0 + 0.8) / 3.0).abs() < 1e-15);
//!
//! let cm = confusion_matrix(y_true.view(), y_pred.view(), None, Normalize::True, None)?;
//! assert_eq!(cm.matrix.row(1).to_vec(), vec![0.0, 0.5, 0.5]);
//!
//! let proba = array![[0.8, 0.1, 0.1], [0.2, 0.5, 0.3], [0.1, 0.1, 0.8]];
//! let loss = log_loss(array![0, 1, 2].view(), proba.view(), None)?;
//! assert!((loss - (-(0.8f64.ln() + 0.5f64.ln() + 0.8f64.ln()) / 3.0)).abs() < 1e-15);
//! # Ok::<(), kiln_core::Error>(())
//! ```

mod agreement;
mod counts;
mod options;
mod prf;
mod proba;
mod report;

pub use agreement::{
    ConfusionMatrix, accuracy, accuracy_count, adjusted_balanced_accuracy, balanced_accuracy,
    cohen_kappa, confusion_matrix, matthews_corrcoef,
};
pub use options::{Average, KappaWeights, Normalize, PrfOptions, ZeroDivision};
pub use prf::{
    PerClassPrf, Prf, f1, fbeta, precision, precision_recall_fscore,
    precision_recall_fscore_support, recall,
};
pub use proba::{brier_score, brier_score_multiclass, log_loss, top_k_accuracy};
pub use report::{ClassificationReport, ReportOptions, ReportRow, classification_report};
