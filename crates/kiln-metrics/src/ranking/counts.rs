//! Weighted true and false positive counts at every distinct score, from one sort.
//!
//! This is what scikit-learn's `confusion_matrix_at_thresholds` computes and what every curve,
//! area and threshold search here reads: the scores in descending order, and at the last sample
//! of each run of equal scores the cumulative (weighted) positives and negatives scored at or
//! above it. Zero-weight samples are dropped first, as scikit-learn does.

use ndarray::ArrayView1;

use super::sort::{Indexed, descending_key, sort_by_key};

/// Cumulative counts at each distinct score, highest score first.
#[derive(Debug, Clone)]
pub(crate) struct ThresholdCounts {
    /// Weighted positives with `score >= thresholds[i]` (non-decreasing).
    pub(crate) tps: Vec<f64>,
    /// Weighted negatives with `score >= thresholds[i]` (non-decreasing).
    pub(crate) fps: Vec<f64>,
    /// The distinct scores, decreasing.
    pub(crate) thresholds: Vec<f64>,
}

impl ThresholdCounts {
    /// Total weight of the positives.
    pub(crate) fn total_pos(&self) -> f64 {
        self.tps.last().copied().unwrap_or(0.0)
    }

    /// Total weight of the negatives.
    pub(crate) fn total_neg(&self) -> f64 {
        self.fps.last().copied().unwrap_or(0.0)
    }
}

/// Counts for checked inputs: `y_true` in {0, 1}, finite scores, valid weights, equal lengths.
pub(crate) fn threshold_counts(
    y_true: ArrayView1<'_, usize>,
    y_score: ArrayView1<'_, f64>,
    sample_weight: Option<&ArrayView1<'_, f64>>,
) -> ThresholdCounts {
    let mut order: Vec<Indexed> = Vec::with_capacity(y_true.len());
    for (i, &s) in y_score.iter().enumerate() {
        if sample_weight.is_none_or(|w| w[i] != 0.0) {
            order.push(Indexed {
                key: descending_key(s),
                index: i as u32,
            });
        }
    }
    sort_by_key(&mut order);

    let mut out = ThresholdCounts {
        tps: Vec::new(),
        fps: Vec::new(),
        thresholds: Vec::new(),
    };
    // Sequential sums in sorted order, as scikit-learn's cumulative sums, so that weighted
    // counts agree to the last bits; unweighted false positives are exact integers.
    let (mut tp, mut fp) = (0.0_f64, 0.0_f64);
    for (j, e) in order.iter().enumerate() {
        let i = e.index as usize;
        let w = sample_weight.map_or(1.0, |w| w[i]);
        if y_true[i] == 1 {
            tp += w;
        } else {
            fp += w;
        }
        let last_of_run = order.get(j + 1).is_none_or(|next| next.key != e.key);
        if last_of_run {
            out.tps.push(tp);
            out.fps.push(if sample_weight.is_some() {
                fp
            } else {
                (j + 1) as f64 - tp
            });
            out.thresholds.push(y_score[i]);
        }
    }
    out
}
