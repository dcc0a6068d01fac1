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
//! **Values in `f32`.** The values are kept as `f32`, each rounded *up* to the nearest `f32`
//! (`r(x)`, the smallest `f32` ≥ `x`), and every threshold is itself an `f32` value. For such
//! a threshold `t`, `r(x) <= t` exactly when `x <= t`, so the rows a split sends left at fit
//! are exactly those the tree sends left at predict, which compares the `f64` values. Half the
//! bytes matter because the search reads a node's values through its row indices: for
//! clf_100k (100,000 × 50) the `f32` copy (20 MB) stays in this machine's 32 MB L3 cache and
//! the `f64` one (40 MB) does not. scikit-learn's trees work in `float32` too. Values closer
//! than an `f32` step count as equal; values beyond the `f32` range are an error at fit
//! ([`check_f32_range`]).
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

/// A tree's rows over `x` in `f32` (each value rounded up).
pub(crate) struct RandomRows<'a> {
    data: &'a RandomData,
    set: RowSet,
}

/// `x` rounded up to `f32`, twice: column-major (feature `f`'s values of every row at
/// `f · n..`) and row-major. One copy serves every tree of a forest.
///
/// A node reads its rows' values of the features it draws. While its rows are dense among
/// all rows (at least one in [`DENSE`]), consecutive rows share cache lines within a column,
/// so each drawn feature is read from the column-major copy. Below that, every row of a
/// column costs a cache line of its own, and reading the drawn features of one row from the
/// row-major copy costs fewer (a row of 50 features spans 4 lines, where 7 drawn features
/// in 7 columns are 7): the split search reads there, every drawn feature in one pass.
pub(crate) struct RandomData {
    cols: Vec<f32>,
    rows: Vec<f32>,
    n: usize,
    p: usize,
}

/// Nodes holding fewer than one row in this many read the row-major copy.
const DENSE: usize = 16;

impl RandomData {
    pub(crate) fn new(x: ndarray::ArrayView2<'_, f64>) -> Self {
        use rayon::prelude::*;
        let (n, p) = x.dim();
        let mut cols = vec![0.0; n * p];
        let mut rows = vec![0.0; n * p];
        if n > 0 && p > 0 {
            cols.par_chunks_mut(n).enumerate().for_each(|(j, c)| {
                for (o, &v) in c.iter_mut().zip(x.column(j)) {
                    *o = round_up(v);
                }
            });
            rows.par_chunks_mut(p).enumerate().for_each(|(i, r)| {
                for (o, &v) in r.iter_mut().zip(x.row(i)) {
                    *o = round_up(v);
                }
            });
        }
        Self { cols, rows, n, p }
    }
}

/// Checks that every value of `x` lies within `f32`'s range, where the random splitter's
/// thresholds live: beyond it every value would round to the same end and no split could
/// separate them (scikit-learn refuses such input too).
pub(crate) fn check_f32_range(x: ndarray::ArrayView2<'_, f64>) -> kiln_core::Result<()> {
    let limit = f64::from(f32::MAX);
    for (i, row) in x.rows().into_iter().enumerate() {
        if let Some(j) = row.iter().position(|v| v.abs() > limit) {
            return Err(kiln_core::Error::InvalidValue {
                what: format!("X (column {j})"),
                row: Some(i),
                reason: format!(
                    "{:e} is beyond ±3.4e38, the range of the random splitter's f32 \
                     thresholds; rescale the column or use the exact splitter",
                    row[j]
                ),
            });
        }
    }
    Ok(())
}

/// The smallest `f32` at or above `x` (NaN stays NaN; above `f32::MAX`, infinity).
fn round_up(x: f64) -> f32 {
    let y = x as f32;
    if f64::from(y) < x { y.next_up() } else { y }
}

impl<'a> RandomRows<'a> {
    /// The layout of a tree grown on `rows` (ascending, each with a positive weight) of
    /// `data`.
    pub(crate) fn new(
        data: &'a RandomData,
        rows: &[u32],
        weights: &[f64],
        target: TargetData<'_>,
    ) -> Self {
        Self {
            data,
            set: RowSet::new(rows, weights, target),
        }
    }

    /// Whether the node `start..end` reads the row-major copy (see [`RandomData`]).
    pub(crate) fn sparse(&self, start: usize, end: usize) -> bool {
        (end - start) * DENSE < self.data.n
    }

    /// Reads the values of `features` for the node `start..end` from the row-major copy into
    /// `vals`: feature `features[j]`'s values of the node's rows at `j · (end − start)..`.
    pub(crate) fn gather_rows(
        &self,
        features: &[usize],
        start: usize,
        end: usize,
        vals: &mut Vec<f32>,
    ) {
        let (n, p) = (end - start, self.data.p);
        vals.clear();
        vals.resize(n * features.len(), 0.0);
        for (i, &r) in self.set.rows[start..end].iter().enumerate() {
            let row = &self.data.rows[r as usize * p..(r as usize + 1) * p];
            for (j, &f) in features.iter().enumerate() {
                vals[j * n + i] = row[f];
            }
        }
    }

    pub(crate) fn n_rows(&self) -> usize {
        self.set.len()
    }

    fn column(&self, f: usize) -> &[f32] {
        &self.data.cols[f * self.data.n..(f + 1) * self.data.n]
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
        // The threshold is an f32 value (see the module documentation).
        let (thr, ml) = (cand.threshold as f32, cand.missing_left);
        let goes = |v: f32| v <= thr || (ml && v.is_nan());
        let (n, p, f) = (self.data.n, self.data.p, cand.feature);
        if self.sparse(start, end) {
            // The search has just read these rows' lines of the row-major copy.
            let rows = &self.data.rows;
            self.set
                .split(start, end, target, kind, |r| goes(rows[r as usize * p + f]))
        } else {
            let col = &self.data.cols[f * n..(f + 1) * n];
            self.set
                .split(start, end, target, kind, |r| goes(col[r as usize]))
        }
    }

    /// Moves the node's left rows first (see [`RowSet::partition`]).
    pub(crate) fn partition(&mut self, start: usize, end: usize) {
        self.set.partition(start, end);
    }

    /// Reads feature `f`'s values of the node `start..end` from the column-major copy.
    pub(crate) fn gather_column(&self, f: usize, start: usize, end: usize, vals: &mut Vec<f32>) {
        let col = self.column(f);
        vals.clear();
        vals.extend(self.set.rows[start..end].iter().map(|&r| col[r as usize]));
    }

    /// The random candidate of feature `f` for the node `start..end` (statistics `node`),
    /// whose values of `f` are `vals` (position by position), scored with `scan`; `left` is
    /// a scratch buffer.
    #[expect(
        clippy::too_many_arguments,
        reason = "internal: one feature's whole search"
    )]
    pub(crate) fn scan_values<S: Scan>(
        &self,
        scan: &mut S,
        f: usize,
        start: usize,
        end: usize,
        node: &Stats,
        min_leaf: usize,
        draw: Draw,
        vals: &[f32],
        left: &mut Vec<f64>,
    ) -> FeatureOutcome {
        let (lo, hi, n_miss) = min_max(vals);
        let n = end - start;
        let (lo, hi) = (f64::from(lo), f64::from(hi));
        if n_miss == n || (n_miss == 0 && hi <= lo + FEATURE_THRESHOLD) {
            return FeatureOutcome::Constant;
        }
        let thr = f32_threshold(lo, hi, draw.u);
        let ml = n_miss > 0 && draw.missing_left;
        // The weights sent left, as one histogram bin: per class, or [weight, Σ w·y]. One and
        // two outputs sum in registers (a sum through memory waits for the previous one).
        let classes = node.counts.len();
        left.clear();
        left.resize(if classes > 0 { classes } else { 2 }, 0.0);
        let (w, t) = (&self.set.w[start..end], &self.set.t[start..end]);
        let goes = |v: f32| v <= thr || (ml && v.is_nan());
        let n_left = if classes == 0 || classes == 2 {
            // Regression: [Σ w, Σ w·y]; two classes: [Σ w, Σ w of class 1].
            let (n_left, sw, swt) = left_sums(vals, w, t, goes);
            if classes == 2 {
                left.copy_from_slice(&[sw - swt, swt]);
            } else {
                left.copy_from_slice(&[sw, swt]);
            }
            n_left
        } else {
            class_sums(vals, w, t, goes, classes, left)
        };
        if n_left < min_leaf || n - n_left < min_leaf {
            return FeatureOutcome::NoValid;
        }
        scan.reset(node);
        scan.move_bin_left(left);
        let missing_left = if n_miss == 0 { n_left > n - n_left } else { ml };
        FeatureOutcome::Split(Candidate {
            feature: f,
            threshold: f64::from(thr),
            missing_left,
            proxy: scan.proxy(),
            n_left,
            q: 0,
        })
    }
}

/// Lanes of the sums below: independent running sums, so that each addition does not wait for
/// the one before (the loops are otherwise bound by the latency of one chain of additions).
const LANES: usize = 8;

/// The smallest and largest non-missing value of `vals` (±infinity when there is none) and
/// the number of missing ones.
fn min_max(vals: &[f32]) -> (f32, f32, usize) {
    let (mut lo, mut hi, mut miss) = (
        [f32::INFINITY; LANES],
        [f32::NEG_INFINITY; LANES],
        [0u32; LANES],
    );
    let chunks = vals.chunks_exact(LANES);
    let rest = chunks.remainder();
    for c in chunks {
        for l in 0..LANES {
            // A comparison with NaN is false, so NaN never replaces a bound.
            lo[l] = if c[l] < lo[l] { c[l] } else { lo[l] };
            hi[l] = if c[l] > hi[l] { c[l] } else { hi[l] };
            miss[l] += u32::from(c[l].is_nan());
        }
    }
    for (l, &v) in rest.iter().enumerate() {
        lo[l] = if v < lo[l] { v } else { lo[l] };
        hi[l] = if v > hi[l] { v } else { hi[l] };
        miss[l] += u32::from(v.is_nan());
    }
    let lo = lo.iter().copied().fold(f32::INFINITY, f32::min);
    let hi = hi.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    (lo, hi, miss.iter().map(|&m| m as usize).sum())
}

/// For the rows with `goes(v)` (values `vals`, weights `w`, targets `t`, position by
/// position): their number, `Σ w` and `Σ w·t`.
fn left_sums(vals: &[f32], w: &[f64], t: &[f64], goes: impl Fn(f32) -> bool) -> (usize, f64, f64) {
    let (mut n, mut sw, mut swt) = ([0usize; LANES], [0.0f64; LANES], [0.0f64; LANES]);
    let mut add = |l: usize, v: f32, wk: f64, tk: f64| {
        let m = if goes(v) { wk } else { 0.0 };
        n[l] += usize::from(goes(v));
        sw[l] += m;
        swt[l] += m * tk;
    };
    let (vc, wc, tc) = (
        vals.chunks_exact(LANES),
        w.chunks_exact(LANES),
        t.chunks_exact(LANES),
    );
    let rest = (vc.remainder(), wc.remainder(), tc.remainder());
    for ((v, wk), tk) in vc.zip(wc).zip(tc) {
        for l in 0..LANES {
            add(l, v[l], wk[l], tk[l]);
        }
    }
    for (l, ((&v, &wk), &tk)) in rest.0.iter().zip(rest.1).zip(rest.2).enumerate() {
        add(l, v, wk, tk);
    }
    (n.iter().sum(), sw.iter().sum(), swt.iter().sum())
}

/// Copies of the per-class sums in [`class_sums`]: consecutive rows add to different copies,
/// so an addition rarely waits for the previous one to the same memory.
const COPIES: usize = 4;

/// For the rows with `goes(v)`: their number, and their weight per class in `left[..k]`
/// (which must hold `k` zeros; it is grown to `COPIES · k` as scratch).
fn class_sums(
    vals: &[f32],
    w: &[f64],
    t: &[f64],
    goes: impl Fn(f32) -> bool,
    k: usize,
    left: &mut Vec<f64>,
) -> usize {
    left.clear();
    left.resize(COPIES * k, 0.0);
    let mut n = [0usize; COPIES];
    let (vc, wc, tc) = (
        vals.chunks_exact(COPIES),
        w.chunks_exact(COPIES),
        t.chunks_exact(COPIES),
    );
    let rest = (vc.remainder(), wc.remainder(), tc.remainder());
    for ((v, wk), tk) in vc.zip(wc).zip(tc) {
        for c in 0..COPIES {
            let g = goes(v[c]);
            n[c] += usize::from(g);
            left[c * k + tk[c] as usize] += if g { wk[c] } else { 0.0 };
        }
    }
    for ((&v, &wk), &tk) in rest.0.iter().zip(rest.1).zip(rest.2) {
        let g = goes(v);
        n[0] += usize::from(g);
        left[tk as usize] += if g { wk } else { 0.0 };
    }
    for c in 1..COPIES {
        for j in 0..k {
            left[j] += left[c * k + j];
        }
    }
    left.truncate(k);
    n.iter().sum()
}

/// [`random_threshold`] rounded to an `f32` value, kept in `[lo, hi)` (`lo` and `hi` are `f32`
/// values).
fn f32_threshold(lo: f64, hi: f64, u: f64) -> f32 {
    let t = random_threshold(lo, hi, u) as f32;
    let t64 = f64::from(t);
    if t64 >= lo && t64 < hi { t } else { lo as f32 }
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
        // f32 thresholds stay f32 values within [lo, hi).
        assert_eq!(f32_threshold(1.0, 3.0, 0.25), 1.5);
        let (lo, hi) = (1.0, f64::from(1.0f32.next_up()));
        assert_eq!(f32_threshold(lo, hi, 0.9), 1.0);
    }

    #[test]
    fn lane_sums_equal_plain_sums() {
        let vals: Vec<f32> = (0..29)
            .map(|i| {
                if i % 7 == 3 {
                    f32::NAN
                } else {
                    (i * 5 % 11) as f32
                }
            })
            .collect();
        let (lo, hi, miss) = min_max(&vals);
        assert_eq!((lo, hi, miss), (0.0, 10.0, 4));
        assert_eq!(min_max(&[f32::NAN]).2, 1);
        let w: Vec<f64> = (0..29).map(|i| 1.0 + f64::from(i % 3)).collect();
        let t: Vec<f64> = (0..29).map(|i| f64::from(i % 2)).collect();
        let goes = |v: f32| v <= 4.0;
        let (n, sw, swt) = left_sums(&vals, &w, &t, goes);
        let mut want = (0, 0.0, 0.0);
        for i in 0..29 {
            if goes(vals[i]) {
                want = (want.0 + 1, want.1 + w[i], want.2 + w[i] * t[i]);
            }
        }
        assert_eq!((n, sw, swt), want);
        let codes: Vec<f64> = (0..29).map(|i| f64::from(i % 3)).collect();
        let mut left = Vec::new();
        let n = class_sums(&vals, &w, &codes, goes, 3, &mut left);
        let (mut want, mut want_n) = (vec![0.0; 3], 0);
        for i in 0..29 {
            if goes(vals[i]) {
                want[codes[i] as usize] += w[i];
                want_n += 1;
            }
        }
        assert_eq!((n, left), (want_n, want));
    }

    #[test]
    fn rounding_up_keeps_the_order_against_f32_thresholds() {
        // For every f32 threshold t: round_up(x) <= t exactly when x <= t.
        let xs = [
            0.1,
            -0.1,
            1.0 + 1e-12,
            1.0 - 1e-12,
            3.4e38,
            1e39,
            -1e39,
            0.0,
            -0.0,
        ];
        let ts = [
            0.1f32,
            -0.1,
            1.0,
            1.0f32.next_up(),
            1.0f32.next_down(),
            f32::MAX,
            -f32::MAX,
        ];
        for &x in &xs {
            for &t in &ts {
                assert_eq!(round_up(x) <= t, x <= f64::from(t), "x {x}, t {t}");
            }
        }
        assert!(round_up(f64::NAN).is_nan());
    }
}
