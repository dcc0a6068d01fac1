//! Confidence-based performance estimation (CBPE) of a binary classifier without labels.

use std::fmt;

use kiln_core::check::{check_param, check_same_len};
use kiln_core::{Error, Result};
use ndarray::{Array1, ArrayView1, Axis};
use serde::{Deserialize, Serialize};

use super::alerts::{ChunkValue, PerformanceReport, Thresholds};
use super::chunks::{Chunk, check_chunks};

/// A metric that [`Cbpe`] estimates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CbpeMetric {
    /// `(TP + TN) / n`.
    Accuracy,
    /// `TP / (TP + FP)`.
    Precision,
    /// `TP / (TP + FN)`.
    Recall,
    /// `2 TP / (2 TP + FP + FN)`.
    F1,
    /// `TN / (TN + FP)`.
    Specificity,
    /// Area under the expected ROC curve (see [`Cbpe`]).
    RocAuc,
}

impl CbpeMetric {
    /// The metric's name as printed, e.g. `"roc_auc"`.
    pub fn name(self) -> &'static str {
        match self {
            CbpeMetric::Accuracy => "accuracy",
            CbpeMetric::Precision => "precision",
            CbpeMetric::Recall => "recall",
            CbpeMetric::F1 => "f1",
            CbpeMetric::Specificity => "specificity",
            CbpeMetric::RocAuc => "roc_auc",
        }
    }
}

/// The CBPE estimate on one set of predictions: the expected confusion matrix and the metrics
/// computed from it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CbpeEstimate {
    /// The number of predictions.
    pub n: usize,
    /// Expected true positives `Σ pᵢ·[ŷᵢ = 1]`.
    pub true_positives: f64,
    /// Expected false positives `Σ (1 − pᵢ)·[ŷᵢ = 1]`.
    pub false_positives: f64,
    /// Expected false negatives `Σ pᵢ·[ŷᵢ = 0]`.
    pub false_negatives: f64,
    /// Expected true negatives `Σ (1 − pᵢ)·[ŷᵢ = 0]`.
    pub true_negatives: f64,
    /// Estimated accuracy.
    pub accuracy: f64,
    /// Estimated precision (0 when nothing is predicted positive, as scikit-learn's default).
    pub precision: f64,
    /// Estimated recall (0 when every probability is 0).
    pub recall: f64,
    /// Estimated F1 (0 when its denominator is 0).
    pub f1: f64,
    /// Estimated specificity (0 when every probability is 1).
    pub specificity: f64,
    /// Estimated ROC AUC; NaN when every probability is 0 or every one is 1 (no expected
    /// positive or no expected negative).
    pub roc_auc: f64,
}

impl CbpeEstimate {
    /// The value of one metric.
    pub fn get(&self, metric: CbpeMetric) -> f64 {
        match metric {
            CbpeMetric::Accuracy => self.accuracy,
            CbpeMetric::Precision => self.precision,
            CbpeMetric::Recall => self.recall,
            CbpeMetric::F1 => self.f1,
            CbpeMetric::Specificity => self.specificity,
            CbpeMetric::RocAuc => self.roc_auc,
        }
    }
}

impl fmt::Display for CbpeEstimate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "n={} expected TP {:.2} FP {:.2} FN {:.2} TN {:.2}; accuracy {:.4}, precision {:.4}, \
             recall {:.4}, f1 {:.4}, specificity {:.4}, roc_auc {:.4}",
            self.n,
            self.true_positives,
            self.false_positives,
            self.false_negatives,
            self.true_negatives,
            self.accuracy,
            self.precision,
            self.recall,
            self.f1,
            self.specificity,
            self.roc_auc
        )
    }
}

/// Confidence-based performance estimation (NannyML's CBPE) for a binary classifier whose
/// labels have not arrived: the performance expected if the predicted probabilities are
/// calibrated.
///
/// Treating each label as an independent draw `yᵢ ~ Bernoulli(pᵢ)` from the calibrated
/// probability `pᵢ` of the positive class, the expected confusion matrix is
/// `TP = Σ pᵢ·[ŷᵢ=1]`, `FP = Σ (1−pᵢ)·[ŷᵢ=1]`, `FN = Σ pᵢ·[ŷᵢ=0]`, `TN = Σ (1−pᵢ)·[ŷᵢ=0]`, and
/// each metric is computed from those expected counts.
///
/// ROC AUC is the area under the *expected* ROC curve: sort by probability, descending; at
/// each distinct probability `t`, the curve's point is `(FP(t)/N, TP(t)/P)` with
/// `TP(t) = Σ_{pᵢ ≥ t} pᵢ`, `FP(t) = Σ_{pᵢ ≥ t} (1 − pᵢ)`, `P = Σ pᵢ`, `N = Σ (1 − pᵢ)`; the
/// curve starts at (0, 0) and the area is taken by the trapezoidal rule. In closed form this is
/// `Σ_{i,j} pᵢ (1 − pⱼ) ([pᵢ > pⱼ] + ½[pᵢ = pⱼ]) / (P·N)`, the Mann–Whitney statistic with
/// each row counted as positive with weight `pᵢ` and negative with weight `1 − pᵢ`.
///
/// # Parameters
/// - `threshold` (default `0.5`): the decision threshold of [`Cbpe::estimate`], which predicts
///   1 when `p ≥ threshold`; in `[0, 1]`. [`Cbpe::estimate_with_predictions`] takes the
///   model's own predictions instead (kiln's and scikit-learn's classifiers predict 0 at
///   exactly `p = 0.5`).
///
/// # Errors
/// [`Error::EmptyInput`] for no probabilities, [`Error::InvalidValue`] for a probability
/// outside `[0, 1]` or NaN (with its row), [`Error::ShapeMismatch`] for predictions of another
/// length, [`Error::InvalidParameter`] for a threshold outside `[0, 1]`.
///
/// # Notes
/// - Accuracy and precision are unbiased: their denominators (`n`, and the number predicted
///   positive) do not depend on the labels, so the estimate is the exact expectation of the
///   realized metric. Recall, F1, specificity and ROC AUC divide random quantities; the ratio
///   of expectations differs from the expectation of the ratio by O(1/n).
/// - The estimate is only as good as the calibration: calibrate the probabilities on reference
///   data first (e.g. isotonic or Platt), as NannyML does.
///
/// # References
/// - NannyML, "Confidence-based Performance Estimation (CBPE)", nannyml.readthedocs.io.
///
/// # Example
/// ```
/// use kiln_monitor::performance::Cbpe;
/// use ndarray::array;
///
/// let p = array![0.9, 0.8, 0.3, 0.1];
/// let e = Cbpe::default().estimate(p.view())?;
/// assert!((e.true_positives - 1.7).abs() < 1e-12);
/// assert!((e.accuracy - 0.825).abs() < 1e-12);
/// assert!((e.precision - 0.85).abs() < 1e-12);
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Cbpe {
    /// Decision threshold: predict 1 when `p ≥ threshold`. By default, `0.5`.
    pub threshold: f64,
}

impl Default for Cbpe {
    fn default() -> Self {
        Self { threshold: 0.5 }
    }
}

impl Cbpe {
    /// Sets `threshold` (by default, `0.5`).
    #[must_use]
    pub fn with_threshold(mut self, threshold: f64) -> Self {
        self.threshold = threshold;
        self
    }

    /// Checks `threshold`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a threshold outside `[0, 1]` or NaN.
    pub fn validate(&self) -> Result<()> {
        check_param(
            "Cbpe",
            "threshold",
            self.threshold,
            (0.0..=1.0).contains(&self.threshold),
            "a float in the range [0, 1]",
        )
    }

    /// Estimates the metrics of predictions `p ≥ threshold` from the probabilities `proba` of
    /// the positive class.
    ///
    /// # Errors
    /// See [`Cbpe`].
    pub fn estimate(&self, proba: ArrayView1<'_, f64>) -> Result<CbpeEstimate> {
        self.validate()?;
        check_proba(proba)?;
        let t = self.threshold;
        Ok(estimate_checked(proba, |i| proba[i] >= t))
    }

    /// Estimates the metrics of the model's predictions `y_pred` (0 or 1) from the
    /// probabilities `proba` of the positive class.
    ///
    /// # Errors
    /// See [`Cbpe`]; [`Error::InvalidValue`] for a prediction other than 0 or 1.
    pub fn estimate_with_predictions(
        &self,
        proba: ArrayView1<'_, f64>,
        y_pred: ArrayView1<'_, usize>,
    ) -> Result<CbpeEstimate> {
        check_proba(proba)?;
        check_same_len("length of y_pred against proba", proba.len(), y_pred.len())?;
        if let Some(row) = y_pred.iter().position(|&v| v > 1) {
            return Err(Error::InvalidValue {
                what: "y_pred".into(),
                row: Some(row),
                reason: format!("binary predictions must be 0 or 1; got {}", y_pred[row]),
            });
        }
        Ok(estimate_checked(proba, |i| y_pred[i] == 1))
    }

    /// [`Cbpe::estimate`] on each chunk of the stream `proba`.
    ///
    /// # Errors
    /// As [`Cbpe::estimate`]; [`Error::EmptyInput`] for no chunks or an empty chunk.
    pub fn estimate_chunks(
        &self,
        chunks: &[Chunk],
        proba: ArrayView1<'_, f64>,
    ) -> Result<Vec<CbpeEstimate>> {
        self.validate()?;
        check_chunks(chunks, proba.len())?;
        check_proba(proba)?;
        let t = self.threshold;
        Ok(chunks
            .iter()
            .map(|c| {
                let p: Array1<f64> = proba.select(Axis(0), &c.rows);
                estimate_checked(p.view(), |i| p[i] >= t)
            })
            .collect())
    }

    /// A [`PerformanceReport`] of one estimated metric over the analysed chunks, with alert
    /// bounds from the estimates on the reference chunks (or fixed).
    ///
    /// # Errors
    /// As [`Cbpe::estimate_chunks`] and [`PerformanceReport::new`] (a NaN ROC AUC on a
    /// reference chunk is an error there).
    pub fn report(
        &self,
        metric: CbpeMetric,
        thresholds: Thresholds,
        reference: &[CbpeEstimate],
        chunks: &[Chunk],
        estimates: &[CbpeEstimate],
    ) -> Result<PerformanceReport> {
        let value = |e: &CbpeEstimate| {
            let v = e.get(metric);
            if v.is_nan() {
                ChunkValue {
                    value: None,
                    error: Some("no expected positive or no expected negative".into()),
                }
            } else {
                ChunkValue::ok(v)
            }
        };
        let r: Vec<ChunkValue> = reference.iter().map(value).collect();
        let a: Vec<ChunkValue> = estimates.iter().map(value).collect();
        let mut report = PerformanceReport::new(metric.name(), thresholds, &r, chunks, &a)?;
        report.estimated = true;
        Ok(report)
    }
}

fn check_proba(proba: ArrayView1<'_, f64>) -> Result<()> {
    if proba.is_empty() {
        return Err(Error::EmptyInput {
            what: "proba".into(),
            reason: "0 probabilities".into(),
        });
    }
    if let Some(row) = proba.iter().position(|p| !(0.0..=1.0).contains(p)) {
        return Err(Error::InvalidValue {
            what: "proba".into(),
            row: Some(row),
            reason: format!("probabilities must be in [0, 1]; got {}", proba[row]),
        });
    }
    Ok(())
}

fn ratio(num: f64, den: f64) -> f64 {
    if den > 0.0 { num / den } else { 0.0 }
}

fn estimate_checked(proba: ArrayView1<'_, f64>, positive: impl Fn(usize) -> bool) -> CbpeEstimate {
    let (mut tp, mut fp, mut fn_, mut tn) = (0.0, 0.0, 0.0, 0.0);
    for (i, &p) in proba.iter().enumerate() {
        if positive(i) {
            tp += p;
            fp += 1.0 - p;
        } else {
            fn_ += p;
            tn += 1.0 - p;
        }
    }
    let n = proba.len();
    CbpeEstimate {
        n,
        true_positives: tp,
        false_positives: fp,
        false_negatives: fn_,
        true_negatives: tn,
        accuracy: (tp + tn) / n as f64,
        precision: ratio(tp, tp + fp),
        recall: ratio(tp, tp + fn_),
        f1: ratio(2.0 * tp, 2.0 * tp + fp + fn_),
        specificity: ratio(tn, tn + fp),
        roc_auc: expected_auc(proba),
    }
}

/// Area under the expected ROC curve (see [`Cbpe`]), one sort and one pass.
fn expected_auc(proba: ArrayView1<'_, f64>) -> f64 {
    let mut p: Vec<f64> = proba.to_vec();
    p.sort_unstable_by(|a, b| b.total_cmp(a));
    let pos: f64 = p.iter().sum();
    let neg: f64 = p.iter().map(|v| 1.0 - v).sum();
    if pos <= 0.0 || neg <= 0.0 {
        return f64::NAN;
    }
    let (mut tp, mut fp, mut area) = (0.0, 0.0, 0.0);
    let mut i = 0;
    while i < p.len() {
        let (mut dtp, mut dfp) = (0.0, 0.0);
        let t = p[i];
        while i < p.len() && p[i] == t {
            dtp += p[i];
            dfp += 1.0 - p[i];
            i += 1;
        }
        area += dfp * (2.0 * tp + dtp);
        tp += dtp;
        fp += dfp;
    }
    debug_assert!(fp > 0.0);
    area / 2.0 / (pos * neg)
}
