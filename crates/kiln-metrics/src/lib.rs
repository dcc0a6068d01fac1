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
//! # Conventions
//!
//! - Classes are indices (`usize`), as kiln's classifiers predict them. In binary metrics
//!   class 1 is the positive class (what `kiln_core::ClassLabels::binary` makes of the
//!   positive label) and `y_true` must hold only 0 and 1.
//! - Arguments come in scikit-learn's order, `(y_true, y_pred_or_score, ..., sample_weight)`,
//!   with `sample_weight: Option<ArrayView1<f64>>` last.
//! - A ratio with a zero denominator (precision with no predicted positives, ...) follows
//!   scikit-learn's documented `zero_division` behaviour; each function says which.

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
