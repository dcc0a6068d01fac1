//! One pass over the samples to per-class tallies or a confusion matrix, which every
//! label-based metric is then computed from.
//!
//! Classes are `usize` indices, but like scikit-learn the metrics only know the labels that
//! occur (in `y_true` or `y_pred`) or that the caller lists, so labels are first mapped to
//! positions 0..L. The map is a lookup table when the largest label is small (the usual case),
//! and a sorted list searched by bisection otherwise, so a stray huge label costs no memory.

use ndarray::{Array2, ArrayView1};

use crate::input::weight_at;

/// Largest label for which a dense lookup table is used, relative to the number of labels.
fn dense_ok(max_label: usize, n: usize) -> bool {
    max_label <= 4 * n + 4096
}

/// Maps a label to its position in a list of labels.
pub(crate) struct LabelMap {
    /// `table[label]` = position, or `usize::MAX` when absent (dense form).
    table: Vec<usize>,
    /// (label, position) sorted by label (sparse form, used when `table` is empty).
    sorted: Vec<(usize, usize)>,
}

impl LabelMap {
    /// The map of `labels` to their positions. A label listed twice maps to its last position,
    /// as scikit-learn's dictionary does.
    pub(crate) fn new(labels: &[usize]) -> Self {
        let max = labels.iter().copied().max().unwrap_or(0);
        if dense_ok(max, labels.len()) {
            let mut table = vec![usize::MAX; max + 1];
            for (pos, &l) in labels.iter().enumerate() {
                table[l] = pos;
            }
            LabelMap {
                table,
                sorted: Vec::new(),
            }
        } else {
            let mut sorted: Vec<(usize, usize)> =
                labels.iter().enumerate().map(|(p, &l)| (l, p)).collect();
            // Stable sort keeps the last duplicate last; dedup then keeps the first of a run,
            // so reverse each run's order by sorting on (label, reversed position).
            sorted.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
            sorted.dedup_by_key(|e| e.0);
            LabelMap {
                table: Vec::new(),
                sorted,
            }
        }
    }

    /// The position of `label`, or `None` when it is not in the list.
    #[inline]
    pub(crate) fn get(&self, label: usize) -> Option<usize> {
        if self.table.is_empty() {
            self.sorted
                .binary_search_by_key(&label, |e| e.0)
                .ok()
                .map(|i| self.sorted[i].1)
        } else {
            match self.table.get(label) {
                Some(&p) if p != usize::MAX => Some(p),
                _ => None,
            }
        }
    }
}

/// The labels present in `a` or `b`, sorted (scikit-learn's `unique_labels`).
pub(crate) fn present_labels(a: ArrayView1<'_, usize>, b: ArrayView1<'_, usize>) -> Vec<usize> {
    let max = a.iter().chain(b.iter()).copied().max().unwrap_or(0);
    if dense_ok(max, a.len() + b.len()) {
        let mut seen = vec![false; max + 1];
        for &l in a.iter().chain(b.iter()) {
            seen[l] = true;
        }
        seen.iter()
            .enumerate()
            .filter_map(|(l, &s)| s.then_some(l))
            .collect()
    } else {
        let mut all: Vec<usize> = a.iter().chain(b.iter()).copied().collect();
        all.sort_unstable();
        all.dedup();
        all
    }
}

/// Per-class (weighted) counts: true positives, support (count in `y_true`) and predicted count.
#[derive(Clone, Debug)]
pub(crate) struct Tally {
    /// The labels, in the order of the vectors below.
    pub(crate) labels: Vec<usize>,
    /// Weighted count of samples with `y_true == y_pred == label`.
    pub(crate) tp: Vec<f64>,
    /// Weighted count of samples with `y_true == label`.
    pub(crate) true_sum: Vec<f64>,
    /// Weighted count of samples with `y_pred == label`.
    pub(crate) pred_sum: Vec<f64>,
}

impl Tally {
    /// Tallies every label present in `y_true` or `y_pred` in one pass. Weighted sums add the
    /// samples in order, as scikit-learn's `bincount` does.
    pub(crate) fn new(
        y_true: ArrayView1<'_, usize>,
        y_pred: ArrayView1<'_, usize>,
        sample_weight: Option<&ArrayView1<'_, f64>>,
    ) -> Self {
        let labels = present_labels(y_true, y_pred);
        let map = LabelMap::new(&labels);
        let k = labels.len();
        let mut tp = vec![0.0; k];
        let mut true_sum = vec![0.0; k];
        let mut pred_sum = vec![0.0; k];
        for (i, (&t, &p)) in y_true.iter().zip(y_pred.iter()).enumerate() {
            let w = weight_at(sample_weight, i);
            if let (Some(a), Some(b)) = (map.get(t), map.get(p)) {
                true_sum[a] += w;
                pred_sum[b] += w;
                if a == b {
                    tp[a] += w;
                }
            }
        }
        Tally {
            labels,
            tp,
            true_sum,
            pred_sum,
        }
    }

    /// Rewrites the support and predicted count as `tp + (sum - tp)`, the way scikit-learn's
    /// precision/recall rebuild them from its per-class 2x2 matrices, so weighted sums round
    /// exactly as there.
    pub(crate) fn rounded_like_prf(mut self) -> Self {
        for i in 0..self.tp.len() {
            let tp = self.tp[i];
            self.true_sum[i] = tp + (self.true_sum[i] - tp);
            self.pred_sum[i] = tp + (self.pred_sum[i] - tp);
        }
        self
    }

    /// The tallies of `labels` in that order; a label never seen has zero counts.
    pub(crate) fn select(&self, labels: &[usize]) -> Tally {
        let map = LabelMap::new(&self.labels);
        let pick = |v: &[f64]| -> Vec<f64> {
            labels
                .iter()
                .map(|&l| map.get(l).map_or(0.0, |i| v[i]))
                .collect()
        };
        Tally {
            labels: labels.to_vec(),
            tp: pick(&self.tp),
            true_sum: pick(&self.true_sum),
            pred_sum: pick(&self.pred_sum),
        }
    }
}

/// The (weighted) confusion matrix over `labels`: row = true label position, column = predicted.
/// Samples whose true or predicted label is not listed are left out, as in scikit-learn.
pub(crate) fn confusion_counts(
    y_true: ArrayView1<'_, usize>,
    y_pred: ArrayView1<'_, usize>,
    labels: &[usize],
    sample_weight: Option<&ArrayView1<'_, f64>>,
) -> Array2<f64> {
    let map = LabelMap::new(labels);
    let k = labels.len();
    let mut cm = Array2::<f64>::zeros((k, k));
    for (i, (&t, &p)) in y_true.iter().zip(y_pred.iter()).enumerate() {
        if let (Some(a), Some(b)) = (map.get(t), map.get(p)) {
            cm[[a, b]] += weight_at(sample_weight, i);
        }
    }
    cm
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn sparse_and_dense_maps_agree() {
        let labels = [5, 1_000_000_000, 3, 5];
        let m = LabelMap::new(&labels);
        assert_eq!(m.get(5), Some(3));
        assert_eq!(m.get(3), Some(2));
        assert_eq!(m.get(1_000_000_000), Some(1));
        assert_eq!(m.get(4), None);
        let d = LabelMap::new(&[5, 7, 3, 5]);
        assert_eq!(d.get(5), Some(3));
        assert_eq!(d.get(3), Some(2));
        assert_eq!(d.get(8), None);
        let a = array![usize::MAX, 2, 2];
        let b = array![0, 2, 9];
        assert_eq!(
            present_labels(a.view(), b.view()),
            vec![0, 2, 9, usize::MAX]
        );
    }
}
