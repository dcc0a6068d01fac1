//! The exact best-split search of one node over pre-sorted features.
//!
//! For each candidate feature the node's rows are scanned in sorted order; a threshold is
//! tried between each pair of consecutive values that differ by more than
//! [`FEATURE_THRESHOLD`], at their midpoint (scikit-learn's rule). When the node has missing
//! values in the feature, the scan runs twice, with the missing rows on the right and then on
//! the left, and also tries "non-missing left, missing right" (threshold `+inf`), as
//! scikit-learn ≥ 1.3 does for its best splitter.
//!
//! **Ties.** Candidates are compared by the proxy of their impurity decrease; a later
//! candidate replaces the best only when strictly better. Within a feature the first
//! candidate in scan order wins (the lowest threshold, missing-right before missing-left);
//! across features the lowest feature index wins. scikit-learn visits features in a random
//! order, so the two agree exactly only when no two candidates tie.

use kiln_core::random::KilnRng;
use rand::Rng;
use rayon::prelude::*;

use super::criterion::{EntropyScan, GiniScan, Impurity, MseScan, Scan, Stats, TargetData};
use super::hist::{Hist, HistRows};
use super::presort::SortedColumns;
use super::random::{Draw, RandomRows};

/// Where a tree's nodes keep their rows: every feature's rows in sorted order (exact
/// thresholds), one row array over binned features (histograms), or one row array over the
/// raw values (random thresholds).
pub(crate) enum Layout<'a> {
    Sorted(SortedColumns),
    Hist(HistRows<'a>),
    Random(RandomRows<'a>),
}

impl Layout<'_> {
    pub(crate) fn n_rows(&self) -> usize {
        match self {
            Layout::Sorted(s) => s.n_rows(),
            Layout::Hist(h) => h.n_rows(),
            Layout::Random(r) => r.n_rows(),
        }
    }

    /// Applies `cand` to the node `start..end`: the children's statistics. The sorted
    /// layout marks each row's side in `goes_left` (indexed by row); either way
    /// [`Layout::partition`] may follow.
    #[expect(
        clippy::too_many_arguments,
        reason = "internal: one split's whole input"
    )]
    pub(crate) fn split(
        &mut self,
        cand: &Candidate,
        start: usize,
        end: usize,
        goes_left: &mut [bool],
        weights: &[f64],
        target: TargetData<'_>,
        kind: Impurity,
    ) -> (Stats, Stats) {
        match self {
            Layout::Sorted(sorted) => {
                let (vals, rows) = sorted.segment(cand.feature, start, end);
                let n_nm = vals.partition_point(|v| !v.is_nan());
                for (k, &r) in rows.iter().enumerate() {
                    goes_left[r as usize] = if k < n_nm {
                        k < cand.q
                    } else {
                        cand.missing_left
                    };
                }
                Stats::of_split(rows, goes_left, weights, target, kind)
            }
            Layout::Hist(h) => h.split(cand, start, end, target, kind),
            Layout::Random(r) => r.split(cand, start, end, target, kind),
        }
    }

    /// Puts the node's left rows (marked in `left`, `n_left` of them) first.
    pub(crate) fn partition(&mut self, start: usize, end: usize, left: &[bool], n_left: usize) {
        match self {
            Layout::Sorted(s) => s.partition(start, end, left, n_left),
            Layout::Hist(h) => h.partition(start, end),
            Layout::Random(r) => r.partition(start, end),
        }
    }
}

/// Values closer than this are treated as equal (scikit-learn's `FEATURE_THRESHOLD`).
pub(crate) const FEATURE_THRESHOLD: f64 = 1e-7;

/// Nodes with at least this many rows × candidate features search features in parallel.
const PAR_SEARCH_WORK: usize = 1 << 16;

/// The best split found on one feature.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Candidate {
    pub(crate) feature: usize,
    pub(crate) threshold: f64,
    pub(crate) missing_left: bool,
    pub(crate) proxy: f64,
    /// The number of rows sent left.
    pub(crate) n_left: usize,
    /// The number of non-missing rows sent left (they are the first in sorted order); in the
    /// histogram layout, the last bin sent left.
    pub(crate) q: usize,
}

/// What scanning one feature gave.
#[derive(Debug, Clone, Copy)]
pub(crate) enum FeatureOutcome {
    /// All values are missing, or the non-missing ones are equal and none is missing.
    Constant,
    /// No split satisfies `min_samples_leaf`.
    NoValid,
    Split(Candidate),
}

/// Everything the search needs besides the node.
pub(crate) struct SplitFinder<'a> {
    pub(crate) target: TargetData<'a>,
    pub(crate) weights: &'a [f64],
    pub(crate) kind: Impurity,
    pub(crate) min_samples_leaf: usize,
    pub(crate) max_features: usize,
    pub(crate) n_features: usize,
    /// Feature order scratch for sampling.
    order: Vec<usize>,
    outcomes: Vec<FeatureOutcome>,
    /// The random draws of the features being searched (random layout only), in order.
    draws: Vec<Draw>,
    /// The buffers of the sequential search, reused from node to node.
    scratch: Scratch,
}

/// Buffers one thread's search reuses: a histogram, or a node's values of one feature and
/// the weights its random threshold sends left.
#[derive(Default)]
struct Scratch {
    hist: Option<Hist>,
    vals: Vec<f32>,
    vals_rows: Vec<f32>,
    left: Vec<f64>,
}

impl<'a> SplitFinder<'a> {
    pub(crate) fn new(
        target: TargetData<'a>,
        weights: &'a [f64],
        kind: Impurity,
        min_samples_leaf: usize,
        max_features: usize,
        n_features: usize,
    ) -> Self {
        Self {
            target,
            weights,
            kind,
            min_samples_leaf,
            max_features: max_features.clamp(1, n_features.max(1)),
            n_features,
            order: (0..n_features).collect(),
            outcomes: Vec::new(),
            draws: Vec::new(),
            scratch: Scratch::default(),
        }
    }

    /// The best split of the node `start..end` with statistics `node`, or `None` when no
    /// feature gives a valid split. With `max_features < n_features`, features are drawn
    /// without replacement from `rng` until `max_features` non-constant ones have been
    /// searched (so constant features do not count, as in scikit-learn).
    pub(crate) fn best_split(
        &mut self,
        sorted: &Layout<'_>,
        start: usize,
        end: usize,
        node: &Stats,
        rng: &mut KilnRng,
    ) -> Option<Candidate> {
        let p = self.n_features;
        let mut best: Option<Candidate> = None;
        let random = matches!(sorted, Layout::Random(_));
        if self.max_features >= p {
            let all: Vec<usize> = (0..p).collect();
            if random {
                self.draw(all.len(), rng);
            }
            self.search(sorted, start, end, node, &all);
            for o in self.outcomes.iter() {
                if let FeatureOutcome::Split(c) = o {
                    best = better(best, *c);
                }
            }
            return best;
        }
        // Partial Fisher–Yates over `order`: positions < drawn hold the features drawn so far.
        for (i, f) in self.order.iter_mut().enumerate() {
            *f = i;
        }
        let mut drawn = 0usize;
        let mut non_constant = 0usize;
        while drawn < p && non_constant < self.max_features {
            let want = (self.max_features - non_constant).min(p - drawn);
            for k in drawn..drawn + want {
                let j = rng.random_range(k..p);
                self.order.swap(k, j);
            }
            let batch: Vec<usize> = self.order[drawn..drawn + want].to_vec();
            drawn += want;
            if random {
                self.draw(want, rng);
            }
            self.search(sorted, start, end, node, &batch);
            for o in self.outcomes.iter() {
                match o {
                    FeatureOutcome::Constant => {}
                    FeatureOutcome::NoValid => non_constant += 1,
                    FeatureOutcome::Split(c) => {
                        non_constant += 1;
                        best = better(best, *c);
                    }
                }
            }
        }
        best
    }

    /// Draws the random thresholds and missing-value sides of `n` features, in order (before
    /// any parallel search, so the draws do not depend on the number of threads).
    fn draw(&mut self, n: usize, rng: &mut KilnRng) {
        self.draws.clear();
        self.draws.extend((0..n).map(|_| Draw {
            u: rng.random::<f64>(),
            missing_left: rng.random::<bool>(),
        }));
    }

    /// Scans `features` (in parallel for large nodes) into `self.outcomes`, in order.
    fn search(
        &mut self,
        sorted: &Layout<'_>,
        start: usize,
        end: usize,
        node: &Stats,
        features: &[usize],
    ) {
        let work = (end - start) * features.len();
        let mut scratch = std::mem::take(&mut self.scratch);
        let this = &*self;
        let draw = |i: usize| this.draws.get(i).copied().unwrap_or_default();
        let outcomes: Vec<FeatureOutcome> = if let Layout::Random(r) = sorted
            && r.sparse(start, end)
        {
            // Every drawn feature's values in one pass over the row-major copy.
            let mut scan = this.make_scan();
            let mut vals = std::mem::take(&mut scratch.vals_rows);
            r.gather_rows(features, start, end, &mut vals);
            let n = end - start;
            let out = features
                .iter()
                .enumerate()
                .map(|(i, &f)| {
                    let v = &vals[i * n..(i + 1) * n];
                    this.scan_random(&mut scan, r, f, start, end, node, draw(i), v, &mut scratch)
                })
                .collect();
            scratch.vals_rows = vals;
            out
        } else if work >= PAR_SEARCH_WORK && features.len() > 1 {
            features
                .par_iter()
                .enumerate()
                .map_init(
                    || (this.make_scan(), Scratch::default()),
                    |(scan, scratch), (i, &f)| {
                        this.scan_feature(scan, scratch, sorted, f, draw(i), start, end, node)
                    },
                )
                .collect()
        } else {
            let mut scan = this.make_scan();
            features
                .iter()
                .enumerate()
                .map(|(i, &f)| {
                    this.scan_feature(
                        &mut scan,
                        &mut scratch,
                        sorted,
                        f,
                        draw(i),
                        start,
                        end,
                        node,
                    )
                })
                .collect()
        };
        self.scratch = scratch;
        self.outcomes = outcomes;
    }

    fn make_scan(&self) -> AnyScan<'a> {
        match (self.target, self.kind) {
            (TargetData::Classes { codes, n_classes }, Impurity::Entropy) => {
                AnyScan::Entropy(EntropyScan::new(codes, self.weights, n_classes))
            }
            (TargetData::Classes { codes, n_classes }, _) => {
                AnyScan::Gini(GiniScan::new(codes, self.weights, n_classes))
            }
            (TargetData::Values { y }, _) => AnyScan::Mse(MseScan::new(y, self.weights)),
        }
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "internal: one feature's whole search"
    )]
    fn scan_feature(
        &self,
        scan: &mut AnyScan<'_>,
        scratch: &mut Scratch,
        layout: &Layout<'_>,
        f: usize,
        draw: Draw,
        start: usize,
        end: usize,
        node: &Stats,
    ) -> FeatureOutcome {
        let sorted = match layout {
            Layout::Sorted(s) => s,
            Layout::Random(r) => {
                let mut vals = std::mem::take(&mut scratch.vals);
                r.gather_column(f, start, end, &mut vals);
                let out = self.scan_random(scan, r, f, start, end, node, draw, &vals, scratch);
                scratch.vals = vals;
                return out;
            }
            Layout::Hist(h) => {
                let hist = scratch.hist.get_or_insert_with(|| Hist::new(self.target));
                let leaf = self.min_samples_leaf;
                return match scan {
                    AnyScan::Gini(s) => h.scan_feature(s, hist, f, start, end, node, leaf),
                    AnyScan::Entropy(s) => h.scan_feature(s, hist, f, start, end, node, leaf),
                    AnyScan::Mse(s) => h.scan_feature(s, hist, f, start, end, node, leaf),
                };
            }
        };
        let (vals, rows) = sorted.segment(f, start, end);
        let out = match scan {
            AnyScan::Gini(s) => scan_sorted(s, vals, rows, node, self.min_samples_leaf),
            AnyScan::Entropy(s) => scan_sorted(s, vals, rows, node, self.min_samples_leaf),
            AnyScan::Mse(s) => scan_sorted(s, vals, rows, node, self.min_samples_leaf),
        };
        match out {
            FeatureOutcome::Split(mut c) => {
                c.feature = f;
                FeatureOutcome::Split(c)
            }
            other => other,
        }
    }
}

impl SplitFinder<'_> {
    /// The random candidate of feature `f` (values `vals`) for the node `start..end`.
    #[expect(
        clippy::too_many_arguments,
        reason = "internal: one feature's whole search"
    )]
    fn scan_random(
        &self,
        scan: &mut AnyScan<'_>,
        r: &RandomRows<'_>,
        f: usize,
        start: usize,
        end: usize,
        node: &Stats,
        draw: Draw,
        vals: &[f32],
        scratch: &mut Scratch,
    ) -> FeatureOutcome {
        let (leaf, l) = (self.min_samples_leaf, &mut scratch.left);
        match scan {
            AnyScan::Gini(s) => r.scan_values(s, f, start, end, node, leaf, draw, vals, l),
            AnyScan::Entropy(s) => r.scan_values(s, f, start, end, node, leaf, draw, vals, l),
            AnyScan::Mse(s) => r.scan_values(s, f, start, end, node, leaf, draw, vals, l),
        }
    }
}

/// One scan type per criterion, chosen once per search so the hot loop is monomorphic.
enum AnyScan<'a> {
    Gini(GiniScan<'a>),
    Entropy(EntropyScan<'a>),
    Mse(MseScan<'a>),
}

/// Keeps the better of two candidates: higher proxy, then lower feature index.
fn better(best: Option<Candidate>, c: Candidate) -> Option<Candidate> {
    match best {
        Some(b) if b.proxy > c.proxy || (b.proxy == c.proxy && b.feature <= c.feature) => Some(b),
        _ => Some(c),
    }
}

/// The midpoint threshold between two consecutive distinct values, kept strictly below `hi`
/// (the halves are summed first so that huge values do not overflow).
#[inline]
fn midpoint(lo: f64, hi: f64) -> f64 {
    let t = lo / 2.0 + hi / 2.0;
    if t >= hi { lo } else { t }
}

/// Scans one feature's sorted values `vals` (NaN last) with rows `rows`.
fn scan_sorted<S: Scan>(
    s: &mut S,
    vals: &[f64],
    rows: &[u32],
    node: &Stats,
    min_leaf: usize,
) -> FeatureOutcome {
    let n = vals.len();
    let n_nm = vals.partition_point(|v| !v.is_nan());
    let n_miss = n - n_nm;
    if n_nm == 0 || (n_miss == 0 && vals[n_nm - 1] <= vals[0] + FEATURE_THRESHOLD) {
        return FeatureOutcome::Constant;
    }
    let mut best: Option<Candidate> = None;
    let consider = |best: &mut Option<Candidate>, proxy: f64, q: usize, n_left: usize, ml: bool| {
        if best.is_none_or(|b| proxy > b.proxy) {
            let threshold = if q == n_nm {
                f64::INFINITY
            } else {
                midpoint(vals[q - 1], vals[q])
            };
            let missing_left = if n_miss == 0 { n_left > n - n_left } else { ml };
            *best = Some(Candidate {
                feature: 0,
                threshold,
                missing_left,
                proxy,
                n_left,
                q,
            });
        }
    };

    // Pass 1: missing values on the right.
    s.reset(node);
    // The first q with n_left = q >= min_leaf and n_right = n − q >= min_leaf.
    let q_max = if n_miss > 0 { n_nm } else { n_nm - 1 };
    let last = q_max.min(n.saturating_sub(min_leaf));
    for (i, &r) in rows[..last].iter().enumerate() {
        s.move_left(r as usize);
        let q = i + 1;
        if q < min_leaf {
            continue;
        }
        if q < n_nm && vals[q] <= vals[q - 1] + FEATURE_THRESHOLD {
            continue;
        }
        consider(&mut best, s.proxy(), q, q, false);
    }

    // Pass 2: missing values on the left (non-missing-left-only is the +inf case above).
    if n_miss > 0 {
        s.reset(node);
        for &r in &rows[n_nm..] {
            s.move_left(r as usize);
        }
        for (i, &r) in rows[..n_nm - 1].iter().enumerate() {
            s.move_left(r as usize);
            let q = i + 1;
            let n_left = n_miss + q;
            if n_left < min_leaf {
                continue;
            }
            if n - n_left < min_leaf {
                break;
            }
            if vals[q] <= vals[q - 1] + FEATURE_THRESHOLD {
                continue;
            }
            consider(&mut best, s.proxy(), q, n_left, true);
        }
    }
    match best {
        Some(c) => FeatureOutcome::Split(c),
        None => FeatureOutcome::NoValid,
    }
}
