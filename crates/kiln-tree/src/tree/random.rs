//! Random splits, for extremely randomized trees (Geurts, Ernst & Wehenkel 2006): each
//! searched feature gets one threshold drawn uniformly between the node's smallest and
//! largest value of it, and the split is the best of those few candidates.
//!
//! No feature needs sorting or binning: a node is a range of one row array ([`RowSet`]), and
//! a candidate costs one pass over the node's values of the feature (gathered from a
//! column-major copy of `X`) for its minimum and maximum, and one for the weights that the
//! threshold sends left. Splitting a node partitions that one array, so a level of the tree
//! costs O(rows · features searched), where the sorted layout partitions every feature.
//!
//! As scikit-learn's `RandomSplitter` (≥ 1.4): the threshold is `min + u · (max − min)` with
//! `u` uniform in `[0, 1)`, replaced by `min` if it rounds up to `max`; a feature whose
//! non-missing values span at most [`FEATURE_THRESHOLD`] and that has no missing value is
//! constant (and does not count towards `max_features`); a node's missing values all go to
//! one side drawn at random; a candidate that leaves fewer than `min_samples_leaf` rows on a
//! side is dropped (and counts). Without missing values in the node, a missing value at
//! predict goes to the child with more training rows, as in the other searches.

use super::criterion::{Impurity, Scan, Stats, TargetData};
use super::rows::RowSet;
use super::splitter::{Candidate, FEATURE_THRESHOLD, FeatureOutcome};

/// The random draws of one candidate: `u` for the threshold and the side of missing values.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Draw {
    pub(crate) u: f64,
    pub(crate) missing_left: bool,
}

/// `x` column-major (feature `f`'s values of every row at `f · n_rows..`) and a tree's rows.
pub(crate) struct RandomRows<'a> {
    cols: &'a [f64],
    n_total: usize,
    set: RowSet,
}

/// `x` copied column-major, for [`RandomRows`] (one copy serves every tree of a forest).
pub(crate) fn column_major(x: ndarray::ArrayView2<'_, f64>) -> Vec<f64> {
    use rayon::prelude::*;
    let n = x.nrows();
    let mut cols = vec![0.0; n * x.ncols()];
    if n > 0 {
        cols.par_chunks_mut(n).enumerate().for_each(|(j, c)| {
            for (o, &v) in c.iter_mut().zip(x.column(j)) {
                *o = v;
            }
        });
    }
    cols
}

impl<'a> RandomRows<'a> {
    /// The layout of a tree grown on `rows` (ascending, each with a positive weight) of the
    /// column-major `cols` (from [`column_major`], `n_total` rows).
    pub(crate) fn new(
        cols: &'a [f64],
        n_total: usize,
        rows: &[u32],
        weights: &[f64],
        target: TargetData<'_>,
    ) -> Self {
        Self {
            cols,
            n_total,
            set: RowSet::new(rows, weights, target),
        }
    }

    pub(crate) fn n_rows(&self) -> usize {
        self.set.len()
    }

    fn column(&self, f: usize) -> &[f64] {
        &self.cols[f * self.n_total..(f + 1) * self.n_total]
    }

    /// Applies `cand` to the node `start..end` (see [`RowSet::split`]).
    pub(crate) fn split(
        &mut self,
        cand: &Candidate,
        start: usize,
        end: usize,
        target: TargetData<'_>,
        kind: Impurity,
    ) -> (Stats, Stats) {
        let col = &self.cols[cand.feature * self.n_total..(cand.feature + 1) * self.n_total];
        let (thr, ml) = (cand.threshold, cand.missing_left);
        self.set.split(start, end, target, kind, |r| {
            let v = col[r as usize];
            v <= thr || (ml && v.is_nan())
        })
    }

    /// Moves the node's left rows first (see [`RowSet::partition`]).
    pub(crate) fn partition(&mut self, start: usize, end: usize) {
        self.set.partition(start, end);
    }

    /// The random candidate of feature `f` for the node `start..end` (statistics `node`),
    /// scored with `scan`; `vals` and `left` are scratch buffers.
    #[expect(
        clippy::too_many_arguments,
        reason = "internal: one feature's whole search"
    )]
    pub(crate) fn scan_feature<S: Scan>(
        &self,
        scan: &mut S,
        f: usize,
        start: usize,
        end: usize,
        node: &Stats,
        min_leaf: usize,
        draw: Draw,
        vals: &mut Vec<f64>,
        left: &mut Vec<f64>,
    ) -> FeatureOutcome {
        let col = self.column(f);
        vals.clear();
        vals.extend(self.set.rows[start..end].iter().map(|&r| col[r as usize]));
        // `min` and `max` skip NaN.
        let (mut lo, mut hi, mut n_miss) = (f64::INFINITY, f64::NEG_INFINITY, 0usize);
        for &v in vals.iter() {
            lo = lo.min(v);
            hi = hi.max(v);
            n_miss += usize::from(v.is_nan());
        }
        let n = end - start;
        if n_miss == n || (n_miss == 0 && hi <= lo + FEATURE_THRESHOLD) {
            return FeatureOutcome::Constant;
        }
        let threshold = random_threshold(lo, hi, draw.u);
        let ml = n_miss > 0 && draw.missing_left;
        // The weights sent left, as one histogram bin: per class, or [weight, Σ w·y].
        let classes = node.counts.len();
        left.clear();
        left.resize(if classes > 0 { classes } else { 2 }, 0.0);
        let (w, t) = (&self.set.w[start..end], &self.set.t[start..end]);
        let mut n_left = 0usize;
        for ((&v, &wk), &tk) in vals.iter().zip(w).zip(t) {
            let goes = v <= threshold || (ml && v.is_nan());
            n_left += usize::from(goes);
            let m = if goes { wk } else { 0.0 };
            if classes > 0 {
                left[tk as usize] += m;
            } else {
                left[0] += m;
                left[1] += m * tk;
            }
        }
        if n_left < min_leaf || n - n_left < min_leaf {
            return FeatureOutcome::NoValid;
        }
        scan.reset(node);
        scan.move_bin_left(left);
        let missing_left = if n_miss == 0 { n_left > n - n_left } else { ml };
        FeatureOutcome::Split(Candidate {
            feature: f,
            threshold,
            missing_left,
            proxy: scan.proxy(),
            n_left,
            q: 0,
        })
    }
}

/// `lo + u · (hi − lo)` for `u` in `[0, 1)`, kept in `[lo, hi)`: `lo` when it would reach
/// `hi` (scikit-learn's rule) or when `hi − lo` overflows and the weighted mean is used.
fn random_threshold(lo: f64, hi: f64, u: f64) -> f64 {
    let span = hi - lo;
    let t = if span.is_finite() {
        lo + u * span
    } else {
        lo * (1.0 - u) + hi * u
    };
    if t >= lo && t < hi { t } else { lo }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_stay_in_the_range() {
        assert_eq!(random_threshold(1.0, 3.0, 0.25), 1.5);
        assert_eq!(random_threshold(1.0, 3.0, 0.0), 1.0);
        // Rounding up to hi falls back to lo.
        assert_eq!(
            random_threshold(1.0, 1.0 + f64::EPSILON, 0.999_999_999),
            1.0
        );
        let t = random_threshold(-f64::MAX, f64::MAX, 0.5);
        assert!(t.is_finite() && t < f64::MAX);
    }
}
