//! The histogram split search of forests on large data: features binned once for the whole
//! forest (at most 255 bins from quantiles, plus a missing bin, by the binning of gradient
//! boosting), and each node's split searched on per-bin sums instead of sorted values.
//!
//! A node is a range of one array of row indices, kept in increasing row order (the
//! partition is stable), so building a histogram reads each sampled feature's bin column
//! forwards. Splitting a node partitions that one array: O(rows), where the sorted layout
//! partitions every feature's sorted rows, O(rows · features), however few features a split
//! samples. Thresholds are the bin edges, so a row goes left at predict exactly when its bin
//! went left at fit.
//!
//! The scan mirrors the exact one ([`super::splitter`]): non-empty bins move left in order;
//! with missing values, a pass with the missing rows on the right (including "every
//! non-missing row left", threshold `+inf`) and one with them on the left; `min_samples_leaf`
//! counts rows; ties keep the first candidate.

use crate::boost::bin::{BinMapper, Binned};
use crate::boost::tree::MISSING_BIN;

use super::criterion::{Impurity, Scan, Stats, TargetData};
use super::rows::RowSet;
use super::splitter::{Candidate, FeatureOutcome};

/// Bins per feature (the most a `u8` bin index allows besides the missing bin).
const MAX_BINS: usize = 255;

/// Rows the bin edges are computed from (a seeded subsample above it; scikit-learn's
/// `HistGradientBoosting*` default).
const BIN_SUBSAMPLE: usize = 200_000;

/// Bins every feature of `x` for the histogram search: edges from the rows of positive
/// weight (a `seed`ed subsample of them on large data), then every row binned.
///
/// # Errors
/// None in practice for numeric features (the binning of categorical features, which can
/// fail, is not used here); the signature is the binning's.
pub(crate) fn bin_features(
    x: ndarray::ArrayView2<'_, f64>,
    weights: &[f64],
    seed: u64,
) -> kiln_core::Result<(BinMapper, Binned)> {
    let mapper = BinMapper::fit(x, Some(weights), MAX_BINS, &[], BIN_SUBSAMPLE, seed)?;
    let binned = mapper.transform(x);
    Ok((mapper, binned))
}

/// Nodes with fewer rows scan only the bins they use instead of every bin.
const SPARSE_ROWS: usize = 256;

/// The binned training data and the tree's rows, in node order, with each row's weight and
/// target beside it (moved with the rows), so that building a histogram reads them in order
/// and only the bin column at the rows' positions.
pub(crate) struct HistRows<'a> {
    pub(crate) binned: &'a Binned,
    /// Each feature's bin upper edges: bin `b` holds the values `<= edges[f][b]`.
    pub(crate) edges: &'a [Vec<f64>],
    /// Each feature's number of non-missing bins.
    pub(crate) n_bins: &'a [u16],
    set: RowSet,
}

impl<'a> HistRows<'a> {
    /// The layout of a tree grown on `rows` (ascending, each with a positive weight).
    pub(crate) fn new(
        binned: &'a Binned,
        edges: &'a [Vec<f64>],
        n_bins: &'a [u16],
        rows: &[u32],
        weights: &[f64],
        target: TargetData<'_>,
    ) -> Self {
        Self {
            binned,
            edges,
            n_bins,
            set: RowSet::new(rows, weights, target),
        }
    }

    pub(crate) fn n_rows(&self) -> usize {
        self.set.len()
    }

    /// Applies `cand` to the node `start..end`: records each row's side (for
    /// [`HistRows::partition`], which must follow) and returns the children's statistics.
    pub(crate) fn split(
        &mut self,
        cand: &Candidate,
        start: usize,
        end: usize,
        target: TargetData<'_>,
        kind: Impurity,
    ) -> (Stats, Stats) {
        let col = self.binned.column(cand.feature);
        self.set.split(start, end, target, kind, |r| {
            let b = col[r as usize];
            if b == MISSING_BIN {
                cand.missing_left
            } else {
                usize::from(b) <= cand.q
            }
        })
    }

    /// Moves the left rows of `start..end` (the node [`HistRows::split`] last applied to)
    /// before the right ones, each side in its order.
    pub(crate) fn partition(&mut self, start: usize, end: usize) {
        self.set.partition(start, end);
    }

    /// The best split of the node `start..end` on feature `f`, searched with `scan` on the
    /// histogram built in `hist`.
    #[expect(
        clippy::too_many_arguments,
        reason = "internal: one feature's whole search"
    )]
    pub(crate) fn scan_feature<S: Scan>(
        &self,
        scan: &mut S,
        hist: &mut Hist,
        f: usize,
        start: usize,
        end: usize,
        node: &Stats,
        min_leaf: usize,
    ) -> FeatureOutcome {
        let n_bins = usize::from(self.n_bins[f]);
        hist.build(
            self.binned.column(f),
            &self.set.rows[start..end],
            &self.set.w[start..end],
            &self.set.t[start..end],
            n_bins,
        );
        let out = hist.scan(scan, &self.edges[f], n_bins, node, min_leaf);
        hist.clear(n_bins);
        match out {
            FeatureOutcome::Split(mut c) => {
                c.feature = f;
                FeatureOutcome::Split(c)
            }
            other => other,
        }
    }
}

/// One feature's histogram over a node: per bin, the row count and the weight per class
/// (classification) or `[weight, weighted sum of y]` (regression). Bin 255 is the missing bin.
/// Reused from node to node; [`Hist::clear`] zeroes what a node touched.
pub(crate) struct Hist {
    /// Values per bin.
    m: usize,
    classes: bool,
    sums: Vec<f64>,
    counts: Vec<u32>,
    /// Whether the node is small, so only its bins in use are scanned and cleared.
    sparse: bool,
    /// The non-missing bins in use, in increasing order (filled by [`Hist::build`]).
    list: Vec<usize>,
}

impl Hist {
    pub(crate) fn new(target: TargetData<'_>) -> Self {
        let (m, classes) = match target {
            TargetData::Classes { n_classes, .. } => (n_classes, true),
            TargetData::Values { .. } => (2, false),
        };
        Self {
            m,
            classes,
            sums: vec![0.0; 256 * m],
            counts: vec![0; 256],
            sparse: false,
            list: Vec::with_capacity(256),
        }
    }

    /// Sums the rows `rows` (with weights `w` and targets `t`, position by position) of the
    /// feature whose bins are `col` (which has `n_bins` non-missing bins).
    fn build(&mut self, col: &[u8], rows: &[u32], w: &[f64], t: &[f64], n_bins: usize) {
        let m = self.m;
        self.sparse = rows.len() < SPARSE_ROWS;
        if self.classes {
            for ((&r, &w), &t) in rows.iter().zip(w).zip(t) {
                let b = usize::from(col[r as usize]);
                self.counts[b] += 1;
                self.sums[b * m + t as usize] += w;
            }
        } else {
            for ((&r, &w), &t) in rows.iter().zip(w).zip(t) {
                let b = usize::from(col[r as usize]);
                self.counts[b] += 1;
                self.sums[2 * b] += w;
                self.sums[2 * b + 1] += w * t;
            }
        }
        self.list.clear();
        if self.sparse {
            // A bit per bin in use, read back in increasing order.
            let mut used = [0u64; 4];
            for &r in rows {
                let b = col[r as usize];
                used[usize::from(b >> 6)] |= 1 << (b & 63);
            }
            for (k, &word) in used.iter().enumerate() {
                let mut word = word;
                while word != 0 {
                    let b = 64 * k + word.trailing_zeros() as usize;
                    if b != usize::from(MISSING_BIN) {
                        self.list.push(b);
                    }
                    word &= word - 1;
                }
            }
        } else {
            let counts = &self.counts;
            self.list.extend((0..n_bins).filter(|&b| counts[b] > 0));
        }
    }

    fn clear(&mut self, n_bins: usize) {
        let m = self.m;
        if self.sparse {
            for &b in &self.list {
                self.counts[b] = 0;
                self.sums[b * m..(b + 1) * m].fill(0.0);
            }
        } else {
            self.counts[..n_bins].fill(0);
            self.sums[..n_bins * m].fill(0.0);
        }
        let mb = usize::from(MISSING_BIN);
        self.counts[mb] = 0;
        self.sums[mb * m..(mb + 1) * m].fill(0.0);
    }

    fn bin(&self, b: usize) -> &[f64] {
        &self.sums[b * self.m..(b + 1) * self.m]
    }

    /// The scan over the built histogram; `edges` and `n_bins` are the feature's.
    fn scan<S: Scan>(
        &self,
        s: &mut S,
        edges: &[f64],
        n_bins: usize,
        node: &Stats,
        min_leaf: usize,
    ) -> FeatureOutcome {
        let used = &self.list;
        let mb = usize::from(MISSING_BIN);
        let n_miss = self.counts[mb] as usize;
        let n = node.n;
        if used.is_empty() || (used.len() == 1 && n_miss == 0) {
            return FeatureOutcome::Constant;
        }
        let mut best: Option<Candidate> = None;
        let mut consider = |proxy: f64, last_left: Option<usize>, n_left: usize, ml: bool| {
            if best.is_none_or(|b| proxy > b.proxy) {
                let (threshold, q) = match last_left {
                    // Bins up to `b` go left: the threshold is its upper edge.
                    Some(b) => (edges.get(b).copied().unwrap_or(f64::INFINITY), b),
                    None => (f64::INFINITY, n_bins),
                };
                let missing_left = if n_miss == 0 { n_left > n - n_left } else { ml };
                best = Some(Candidate {
                    feature: 0,
                    threshold,
                    missing_left,
                    proxy,
                    n_left,
                    q,
                });
            }
        };

        // Pass 1: missing rows on the right; with missing rows, the last step sends every
        // non-missing row left (threshold +inf).
        s.reset(node);
        let mut n_left = 0usize;
        let steps = if n_miss > 0 {
            used.len()
        } else {
            used.len() - 1
        };
        for (k, &b) in used[..steps].iter().enumerate() {
            s.move_bin_left(self.bin(b));
            n_left += self.counts[b] as usize;
            if n_left < min_leaf {
                continue;
            }
            if n - n_left < min_leaf {
                break;
            }
            let last_left = (k + 1 < used.len()).then_some(b);
            consider(s.proxy(), last_left, n_left, false);
        }

        // Pass 2: missing rows on the left.
        if n_miss > 0 {
            s.reset(node);
            s.move_bin_left(self.bin(mb));
            let mut n_left = n_miss;
            for &b in &used[..used.len() - 1] {
                s.move_bin_left(self.bin(b));
                n_left += self.counts[b] as usize;
                if n_left < min_leaf {
                    continue;
                }
                if n - n_left < min_leaf {
                    break;
                }
                consider(s.proxy(), Some(b), n_left, true);
            }
        }
        match best {
            Some(c) => FeatureOutcome::Split(c),
            None => FeatureOutcome::NoValid,
        }
    }
}
