//! Evaluation metrics for kiln: how good a model is on data it never saw, and how sure we are.
//!
//! Every metric equals scikit-learn 1.9's (to 1e-12 on the real data sets in
//! `shared/datasets`, checked by the reference tests), takes optional sample weights where
//! scikit-learn does, and returns a typed [`kiln_core::Error`] for empty or mismatched inputs,
//! NaN scores, probabilities outside [0, 1] or a single class where two are needed.
//!
//! | module | what |
//! |---|---|
//! | [`classification`] | accuracy, precision/recall/F, confusion matrix, MCC, kappa, log-loss, Brier, report |
//! | [`ranking`] | ROC and precision-recall curves, AUC, average precision, calibration |
//! | [`threshold`] | metrics at a threshold, the best threshold, cost-weighted decisions |
//! | [`regression`] | MSE, RMSE, MAE, R², MAPE, deviances, pinball loss |
//! | [`cluster`] | silhouette, Davies–Bouldin, Calinski–Harabasz, ARI, mutual information, V-measure |
//! | [`bootstrap`] | seeded bootstrap confidence intervals for any metric |
//!
//! # Example
//!
//! Evaluate predicted probabilities of a binary classifier: accuracy at the 0.5 threshold,
//! ROC AUC, log-loss, and a seeded 95% bootstrap interval for the AUC.
//!
//! ```
//! use kiln_metrics::bootstrap::Bootstrap;
//! use kiln_metrics::classification::{accuracy, log_loss};
//! use kiln_metrics::ranking::roc_auc;
//! use ndarray::{Array1, Array2, array};
//!
//! let y = array![0usize, 0, 1, 1, 0, 1, 1, 0, 1, 0];
//! let p1 = array![0.1, 0.4, 0.35, 0.8, 0.2, 0.9, 0.6, 0.55, 0.7, 0.3];
//! let pred: Array1<usize> = p1.mapv(|p| usize::from(p >= 0.5));
//! assert_eq!(accuracy(y.view(), pred.view(), None)?, 0.8);
//!
//! let auc = roc_auc(y.view(), p1.view(), None)?;
//! assert!((auc - 0.92).abs() < 1e-12);
//! let proba = Array2::from_shape_fn((10, 2), |(i, j)| if j == 1 { p1[i] } else { 1.0 - p1[i] });
//! assert!(log_loss(y.view(), proba.view(), None)? < 0.5);
//!
//! let ci = Bootstrap::default().with_seed(7).interval(y.len(), |rows| {
//!     let ys: Array1<usize> = rows.iter().map(|&i| y[i]).collect();
//!     let ss: Array1<f64> = rows.iter().map(|&i| p1[i]).collect();
//!     roc_auc(ys.view(), ss.view(), None)
//! })?;
//! assert!(ci.lower <= auc && auc <= ci.upper);
//! # Ok::<(), kiln_core::Error>(())
//! ```
//!
//! # Conventions
//!
//! - Classes are indices (`usize`), as kiln's classifiers predict them. In binary metrics
//!   class 1 is the positive class (what `kiln_core::ClassLabels::binary` makes of the
//!   positive label) and `y_true` must hold only 0 and 1.
//! - Arguments come in scikit-learn's order, `(y_true, y_pred_or_score, ..., sample_weight)`,
//!   with `sample_weight: Option<ArrayView1<f64>>` last.
//! - A ratio with a zero denominator (precision with no predicted positives, ...) follows
//!   scikit-learn's documented `zero_division` behaviour; each function says which.

// This crate needs no unsafe: forbid it (stronger than the workspace's deny, which a module
// could override). Crates that use ndarray's `s!` keep deny: that macro expands to
// `#[allow(unsafe_code)]`, which forbid rejects.
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod bootstrap;
pub mod classification;
pub mod cluster;
mod input;
pub mod ranking;
pub mod regression;
pub mod threshold;
