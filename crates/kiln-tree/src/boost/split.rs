//! Split search on a node's histogram.
//!
//! The gain of a split is the decrease of the second-order approximation of the loss (Chen &
//! Guestrin 2016, eq. 7, without the factor ½, as LightGBM and scikit-learn write it):
//! `G_L·v_L + G_R·v_R − G·v` with signs flipped, where `v = −G / (H + λ)` is a node's value
//! clipped to its monotonic bounds; without bounds it is `G_L²/(H_L+λ) + G_R²/(H_R+λ) −
//! G²/(H+λ)`. Numeric features are scanned left to right with missing values sent right, then
//! (when the feature had missing values at fit) right to left with missing values sent left.
//! Categorical features order their categories by `G / (H + 10)` and scan prefixes of that
//! order from both ends to the middle (LightGBM's method, Ke et al. 2017; `cat_smooth` 10 as
//! scikit-learn fixes it); categories with a hessian below 10 (in rows) always go right.

use rayon::prelude::*;

use super::bin::{BinMapper, GROUP};
use super::hist::{FeatureHist, GH, Hist};
use super::tree::{CatBitset, MISSING_BIN, bitset_insert};

/// The limits every split must respect.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SplitLimits {
    pub(crate) min_samples_leaf: u32,
    pub(crate) min_hessian: f64,
    pub(crate) l2: f64,
}

/// The sums of a node.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Sums {
    pub(crate) g: f64,
    pub(crate) h: f64,
    pub(crate) n: u32,
}

/// Bounds on node values from monotonic constraints (infinite without constraints).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bounds {
    pub(crate) lower: f64,
    pub(crate) upper: f64,
}

impl Bounds {
    pub(crate) const NONE: Bounds = Bounds {
        lower: f64::NEG_INFINITY,
        upper: f64::INFINITY,
    };
}

/// The best split found for a node.
#[derive(Debug, Clone)]
pub(crate) struct Split {
    pub(crate) gain: f64,
    pub(crate) feature: usize,
    /// Numeric: bins `<= bin` go left.
    pub(crate) bin: u8,
    pub(crate) missing_left: bool,
    /// Categorical: the bins that go left (the missing bin included when missing goes left).
    pub(crate) cats: Option<CatBitset>,
    pub(crate) left: Sums,
    pub(crate) right: Sums,
    pub(crate) value_left: f64,
    pub(crate) value_right: f64,
    /// Whether the split is known to respect `min_samples_leaf`: searched with exact counts,
    /// or proven by the hessian bound of [`Counting::Bounded`]. Without exact counts, `left.n`
    /// and `right.n` are not known (the partition counts them).
    pub(crate) certain: bool,
}

/// What a node's histogram knows of its row counts.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Counting {
    /// Exact counts per bin (kept, or the hessian sums when every hessian is 1).
    Exact,
    /// No counts. No row's hessian exceeds `h_max`, so a side with hessian sum `H` holds at
    /// least `H / h_max` rows: a split that bound proves valid is certain; a feature whose
    /// best split it does not prove is searched again with counts taken from the node's rows
    /// (see [`resolve`]).
    Bounded {
        /// The largest hessian of a row.
        h_max: f64,
    },
}

/// A node's value: `−G / (H + λ)` clipped to `bounds`.
#[inline]
pub(crate) fn node_value(g: f64, h: f64, bounds: Bounds, l2: f64) -> f64 {
    // scikit-learn adds 1e-15 to the denominator; keeping it keeps ties broken alike.
    let v = -g / (h + l2 + 1e-15);
    v.clamp(bounds.lower, bounds.upper)
}

/// The per-feature facts the search needs.
pub(crate) struct FeatureInfo<'a> {
    pub(crate) mapper: &'a BinMapper,
    /// Whether the feature had missing values in the training rows.
    pub(crate) has_missing: &'a [bool],
    /// −1, 0 or +1 per feature.
    pub(crate) monotonic: &'a [i8],
}

/// The running state of a scan over one node.
struct Scan {
    limits: SplitLimits,
    /// Whether the bins' counts are exact (else `h_max` bounds them).
    exact: bool,
    h_max: f64,
    total: Sums,
    bounds: Bounds,
    loss_node: f64,
    best: Option<Split>,
    feature: usize,
    monotonic: i8,
}

impl Scan {
    /// Whether sides with hessian sums `lh` and `rh` are known to hold `min_samples_leaf` rows.
    #[inline]
    fn certain(&self, lh: f64, rh: f64) -> bool {
        let need = f64::from(self.limits.min_samples_leaf) * self.h_max * (1.0 + 1e-9);
        self.exact
            || self.limits.min_samples_leaf == 0
            || (self.h_max > 0.0 && lh >= need && rh >= need)
    }

    /// Considers sending `left` left (the rest right); returns false when no later candidate
    /// of a one-directional scan can satisfy the right child's limits.
    #[inline]
    fn consider(
        &mut self,
        left: Sums,
        place: impl FnOnce() -> (u8, bool, Option<CatBitset>),
    ) -> bool {
        let right = Sums {
            g: self.total.g - left.g,
            h: self.total.h - left.h,
            n: self.total.n - left.n,
        };
        let lim = self.limits;
        // Without exact counts only the hessian limits are applied here (see `certain`).
        if (self.exact && left.n < lim.min_samples_leaf) || left.h < lim.min_hessian {
            return true;
        }
        if (self.exact && right.n < lim.min_samples_leaf) || right.h < lim.min_hessian {
            return false;
        }
        let vl = node_value(left.g, left.h, self.bounds, lim.l2);
        let vr = node_value(right.g, right.h, self.bounds, lim.l2);
        if (self.monotonic > 0 && vl > vr) || (self.monotonic < 0 && vl < vr) {
            return true;
        }
        let gain = self.loss_node - left.g * vl - right.g * vr;
        let best_gain = self.best.as_ref().map_or(0.0, |b| b.gain);
        if gain > best_gain {
            let (bin, missing_left, cats) = place();
            self.best = Some(Split {
                gain,
                feature: self.feature,
                bin,
                missing_left,
                cats,
                left,
                right,
                value_left: vl,
                value_right: vr,
                certain: self.certain(left.h, right.h),
            });
        }
        true
    }
}

/// The best split of a node over `features`, or `None` when no split has a positive gain.
///
/// `hist` is the node's histogram (`n_features × BINS`), `total` its sums, `bounds` its value
/// bounds. Ties keep the first split found (features in the order given, left-to-right scans
/// before right-to-left ones).
pub(crate) fn best_split(
    hist: &Hist,
    total: Sums,
    bounds: Bounds,
    features: &[usize],
    info: &FeatureInfo<'_>,
    limits: SplitLimits,
) -> Option<Split> {
    let node = NodeScan::new(total, bounds, info, limits, Counting::Exact);
    let scan = |cands: &mut Candidates, &f: &usize| -> Option<Split> {
        scan_feature(&node, hist.feature(f), f, cands)
    };
    // Each feature's best is found on its own (in parallel when there are many), then the
    // first largest gain in feature order wins: the same choice as one sequential scan.
    let bests: Vec<Option<Split>> = if features.len() >= PARALLEL_FEATURES {
        features
            .par_iter()
            .map_init(Candidates::boxed, |c, f| scan(c, f))
            .collect()
    } else {
        let mut cands = Candidates::boxed();
        features.iter().map(|f| scan(&mut cands, f)).collect()
    };
    let mut best: Option<Split> = None;
    for b in bests {
        keep_first_best(&mut best, b);
    }
    best
}

/// The first largest gain of per-feature bests (in feature order), where a best that is not
/// [`Split::certain`] is replaced by `exact(feature)`, the feature's search with exact counts,
/// until the winner is certain. A search without exact counts skips no valid candidate, so
/// its gain bounds the exact one from above: the result is that of a search with exact counts
/// everywhere.
pub(crate) fn resolve(
    mut bests: Vec<Option<Split>>,
    mut exact: impl FnMut(usize) -> Option<Split>,
) -> Option<Split> {
    loop {
        let mut win: Option<(usize, f64)> = None;
        for (i, b) in bests.iter().enumerate() {
            if let Some(s) = b
                && win.is_none_or(|(_, g)| s.gain > g)
            {
                win = Some((i, s.gain));
            }
        }
        let (i, _) = win?;
        let s = bests[i].take()?;
        if s.certain {
            return Some(s);
        }
        bests[i] = exact(s.feature).map(|mut e| {
            e.certain = true;
            e
        });
    }
}

/// Replaces `best` by `candidate` when the candidate's gain is strictly larger (so among
/// equal gains the first offered stays).
pub(crate) fn keep_first_best(best: &mut Option<Split>, candidate: Option<Split>) {
    if let Some(c) = candidate
        && best.as_ref().is_none_or(|b| c.gain > b.gain)
    {
        *best = Some(c);
    }
}

/// What searching one node needs besides its histogram.
#[derive(Clone, Copy)]
pub(crate) struct NodeScan<'a> {
    total: Sums,
    bounds: Bounds,
    /// The node's value (`node_value` of its sums and bounds), computed once per node.
    value: f64,
    info: &'a FeatureInfo<'a>,
    limits: SplitLimits,
    counting: Counting,
    /// The instruction set the gain loop is compiled for.
    arch: pulp::Arch,
}

impl<'a> NodeScan<'a> {
    /// The search of a node with sums `total` and value bounds `bounds`.
    pub(crate) fn new(
        total: Sums,
        bounds: Bounds,
        info: &'a FeatureInfo<'a>,
        limits: SplitLimits,
        counting: Counting,
    ) -> Self {
        Self {
            total,
            bounds,
            value: node_value(total.g, total.h, bounds, limits.l2),
            info,
            limits,
            counting,
            arch: pulp::Arch::new(),
        }
    }

    /// The same node searched with exact counts.
    pub(crate) fn exact(&self) -> Self {
        Self {
            counting: Counting::Exact,
            ..*self
        }
    }
}

/// The best split of a node on feature `f`, whose bins are `fh`.
pub(crate) fn scan_feature(
    node: &NodeScan<'_>,
    fh: FeatureHist<'_>,
    f: usize,
    cands: &mut Candidates,
) -> Option<Split> {
    let info = node.info;
    let (exact, h_max) = match node.counting {
        Counting::Exact => (true, 0.0),
        Counting::Bounded { h_max } => (false, h_max),
    };
    let mut scan = Scan {
        limits: node.limits,
        exact,
        h_max,
        total: node.total,
        bounds: node.bounds,
        loss_node: node.total.g * node.value,
        best: None,
        feature: f,
        monotonic: info.monotonic.get(f).copied().unwrap_or(0),
    };
    let nb = usize::from(info.mapper.n_bins[f]);
    let has_missing = info.has_missing.get(f).copied().unwrap_or(false);
    if info.mapper.is_categorical[f] {
        scan_categorical(&mut scan, fh, nb, has_missing);
    } else {
        scan_numeric(&mut scan, cands, node.arch, fh, nb, has_missing);
    }
    scan.best
}

/// The best split of a node on each feature of group `g` (features `g·GROUP` up to the next
/// group) that `features` lists (increasing; `None` for all), from the group's bins (`n`
/// empty when the histogram keeps no counts), in feature order.
pub(crate) fn best_splits_in_group(
    node: &NodeScan<'_>,
    features: Option<&[usize]>,
    g: usize,
    gh: &[GH],
    n: &[u32],
    cands: &mut Candidates,
) -> Vec<Option<Split>> {
    let p = node.info.mapper.n_bins.len();
    let (lo, hi) = (g * GROUP, ((g + 1) * GROUP).min(p));
    let mut best = Vec::new();
    let mut offer = |f: usize| {
        let fh = FeatureHist::in_group(gh, n, f - lo);
        best.push(scan_feature(node, fh, f, cands));
    };
    match features {
        None => (lo..hi).for_each(&mut offer),
        Some(fs) => fs
            .iter()
            .copied()
            .filter(|f| (lo..hi).contains(f))
            .for_each(&mut offer),
    }
    best
}

/// Features from which a node's split search runs in parallel.
pub(crate) const PARALLEL_FEATURES: usize = 32;

/// Scans a numeric feature's bins in both directions, with `cands` as the buffer of
/// candidates (its contents are overwritten).
fn scan_numeric(
    scan: &mut Scan,
    cands: &mut Candidates,
    arch: pulp::Arch,
    fh: FeatureHist<'_>,
    nb: usize,
    has_missing: bool,
) {
    // Left to right, missing values right. With missing values the last candidate puts every
    // non-missing value left and only the missing ones right ("split on NaN").
    let end = nb - 1 + usize::from(has_missing);
    cands.len = 0;
    let mut left = Sums::default();
    for b in 0..end {
        let (g, h, n) = fh.get(b);
        // Without exact counts the bins' counts are unknown: none is skipped or added.
        let n = if scan.exact { n } else { 0 };
        if n == 0 && scan.exact {
            // An empty bin repeats the previous candidate, which wins ties anyway.
            continue;
        }
        left.g += g;
        left.h += h;
        left.n += n;
        let right = Sums {
            g: scan.total.g - left.g,
            h: scan.total.h - left.h,
            n: scan.total.n - left.n,
        };
        cands.push(left, right, b as u8);
    }
    cands.offer_best(scan, arch, false);
    if !has_missing || nb < 2 {
        return;
    }
    // Right to left, missing values left.
    cands.len = 0;
    let mut right = Sums::default();
    for b in (0..nb - 1).rev() {
        let (g, h, n) = fh.get(b + 1);
        let n = if scan.exact { n } else { 0 };
        if n == 0 && scan.exact {
            continue;
        }
        right.g += g;
        right.h += h;
        right.n += n;
        let left = Sums {
            g: scan.total.g - right.g,
            h: scan.total.h - right.h,
            n: scan.total.n - right.n,
        };
        cands.push(left, right, b as u8);
    }
    cands.offer_best(scan, arch, true);
}

/// The candidate thresholds of one scan direction, evaluated together: the gains are computed
/// for all of them in a loop without branches (which the compiler vectorizes, for the widest
/// instruction set the processor has), then the first largest valid gain is offered. Each
/// candidate's arithmetic is that of a one-by-one scan (divisions, comparisons, no fused
/// multiply-adds), so the choice is the same on every processor.
///
/// One buffer serves every scan of a thread: only the first `len` entries are read, so it is
/// never cleared (zeroing its 10 kB for each scan cost more than the search itself on
/// features with few bins).
pub(crate) struct Candidates {
    len: usize,
    lg: [f64; 256],
    lh: [f64; 256],
    ln: [u32; 256],
    rg: [f64; 256],
    rh: [f64; 256],
    rn: [u32; 256],
    bin: [u8; 256],
}

impl Candidates {
    /// An empty buffer.
    pub(crate) fn boxed() -> Box<Self> {
        Box::new(Self {
            len: 0,
            lg: [0.0; 256],
            lh: [0.0; 256],
            ln: [0; 256],
            rg: [0.0; 256],
            rh: [0.0; 256],
            rn: [0; 256],
            bin: [0; 256],
        })
    }

    #[inline]
    fn push(&mut self, left: Sums, right: Sums, bin: u8) {
        let i = self.len;
        if i < 256 {
            self.lg[i] = left.g;
            self.lh[i] = left.h;
            self.ln[i] = left.n;
            self.rg[i] = right.g;
            self.rh[i] = right.h;
            self.rn[i] = right.n;
            self.bin[i] = bin;
            self.len = i + 1;
        }
    }

    /// Offers the first candidate with the largest valid gain to `scan`.
    fn offer_best(&self, scan: &mut Scan, arch: pulp::Arch, missing_left: bool) {
        let n = self.len;
        let lim = scan.limits;
        let mut gains = [f64::NEG_INFINITY; 256];
        arch.dispatch(Gains {
            cands: self,
            scan,
            gains: &mut gains,
        });
        let mut best: Option<usize> = None;
        let mut best_gain = scan.best.as_ref().map_or(0.0, |b| b.gain);
        for (i, &g) in gains.iter().enumerate().take(n) {
            if g > best_gain {
                best_gain = g;
                best = Some(i);
            }
        }
        if let Some(i) = best {
            let left = Sums {
                g: self.lg[i],
                h: self.lh[i],
                n: self.ln[i],
            };
            let right = Sums {
                g: self.rg[i],
                h: self.rh[i],
                n: self.rn[i],
            };
            scan.best = Some(Split {
                gain: gains[i],
                feature: scan.feature,
                bin: self.bin[i],
                missing_left,
                cats: None,
                left,
                right,
                value_left: node_value(left.g, left.h, scan.bounds, lim.l2),
                value_right: node_value(right.g, right.h, scan.bounds, lim.l2),
                certain: scan.certain(left.h, right.h),
            });
        }
    }
}

/// The gain of every candidate of a [`Candidates`] (minus infinity where a limit fails), as a
/// [`pulp::WithSimd`] operation so the loop is compiled for the chosen instruction set.
struct Gains<'a> {
    cands: &'a Candidates,
    scan: &'a Scan,
    gains: &'a mut [f64; 256],
}

impl pulp::WithSimd for Gains<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        let Self { cands, scan, gains } = self;
        let n = cands.len;
        let lim = scan.limits;
        let (lo, hi) = (scan.bounds.lower, scan.bounds.upper);
        let mono = scan.monotonic;
        // Without exact counts, the count limit is left to `Scan::certain` and `resolve`.
        let min_n = if scan.exact { lim.min_samples_leaf } else { 0 };
        for (i, out) in gains.iter_mut().enumerate().take(n) {
            let vl = (-cands.lg[i] / (cands.lh[i] + lim.l2 + 1e-15)).clamp(lo, hi);
            let vr = (-cands.rg[i] / (cands.rh[i] + lim.l2 + 1e-15)).clamp(lo, hi);
            let valid = cands.ln[i] >= min_n
                && cands.lh[i] >= lim.min_hessian
                && cands.rn[i] >= min_n
                && cands.rh[i] >= lim.min_hessian
                && !((mono > 0 && vl > vr) || (mono < 0 && vl < vr));
            let gain = scan.loss_node - cands.lg[i] * vl - cands.rg[i] * vr;
            *out = if valid { gain } else { f64::NEG_INFINITY };
        }
    }
}

fn scan_categorical(scan: &mut Scan, fh: FeatureHist<'_>, nb: usize, has_missing: bool) {
    const CAT_SMOOTH: f64 = 10.0;
    // Rows per unit of hessian, so the support test counts rows for any loss.
    let support = if scan.total.h > 0.0 {
        f64::from(scan.total.n) / scan.total.h
    } else {
        return;
    };
    let mut cats: Vec<(f64, u8)> = Vec::with_capacity(nb + 1);
    let bins = (0..nb)
        .map(|b| b as u8)
        .chain(has_missing.then_some(MISSING_BIN));
    for b in bins {
        let (g, h, _) = fh.get(usize::from(b));
        if h * support >= CAT_SMOOTH {
            cats.push((g / (h + CAT_SMOOTH), b));
        }
    }
    if cats.len() <= 1 {
        return;
    }
    cats.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let used = cats.len();
    for forward in [true, false] {
        let middle = if forward {
            used.div_ceil(2)
        } else {
            used.div_ceil(2) - 1
        };
        let mut left = Sums::default();
        for i in 0..middle {
            let b = if forward {
                cats[i].1
            } else {
                cats[used - 1 - i].1
            };
            let (g, h, n) = fh.get(usize::from(b));
            let n = if scan.exact { n } else { 0 };
            left.g += g;
            left.h += h;
            left.n += n;
            let taken = i + 1;
            let chosen = |k: usize| {
                if forward {
                    cats[k].1
                } else {
                    cats[used - 1 - k].1
                }
            };
            scan.consider(left, || {
                let mut set: CatBitset = [0; 4];
                for k in 0..taken {
                    bitset_insert(&mut set, chosen(k));
                }
                let missing_left = has_missing && super::tree::bitset_contains(&set, MISSING_BIN);
                (0, missing_left, Some(set))
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapper(n_bins: Vec<u16>, categorical: Vec<bool>) -> BinMapper {
        BinMapper {
            thresholds: vec![Vec::new(); n_bins.len()],
            categories: vec![Vec::new(); n_bins.len()],
            is_categorical: categorical,
            n_bins,
        }
    }

    /// A one-feature histogram with (bin, g, h, n) entries.
    fn hist(entries: &[(usize, f64, f64, u32)]) -> Hist {
        let mut h = Hist {
            gh: vec![super::super::hist::GH::default(); 8 * 256],
            n: vec![0; 8 * 256],
        };
        for &(b, g, hh, n) in entries {
            h.gh[b] = super::super::hist::GH { g, h: hh };
            h.n[b] = n;
        }
        h
    }

    fn limits() -> SplitLimits {
        SplitLimits {
            min_samples_leaf: 1,
            min_hessian: 1e-3,
            l2: 0.0,
        }
    }

    #[test]
    fn numeric_split_gain_by_hand() {
        // Bins 0,1,2 with gradients -2, -1, +3 (hessian 1 each): the best split sends bins
        // 0 and 1 left: gain = 3²/2 + 3²/1 − 0²/3 = 13.5.
        let hist = hist(&[(0, -2.0, 1.0, 1), (1, -1.0, 1.0, 1), (2, 3.0, 1.0, 1)]);
        let m = mapper(vec![3], vec![false]);
        let info = FeatureInfo {
            mapper: &m,
            has_missing: &[false],
            monotonic: &[0],
        };
        let total = Sums {
            g: 0.0,
            h: 3.0,
            n: 3,
        };
        let s = best_split(&hist, total, Bounds::NONE, &[0], &info, limits()).unwrap();
        assert_eq!((s.bin, s.missing_left), (1, false));
        assert!((s.gain - 13.5).abs() < 1e-12);
        assert!((s.value_left - 1.5).abs() < 1e-12);
        assert!((s.value_right + 3.0).abs() < 1e-12);
        // A decreasing constraint forbids it (left value must not be below right... +1 means
        // left <= right): with +1 the split above (1.5 > −3) is rejected.
        let info = FeatureInfo {
            mapper: &m,
            has_missing: &[false],
            monotonic: &[1],
        };
        let s = best_split(&hist, total, Bounds::NONE, &[0], &info, limits());
        assert!(s.is_none_or(|s| s.value_left <= s.value_right));
    }

    #[test]
    fn missing_values_pick_a_side() {
        // Missing rows have a large negative gradient like bin 0: they should go left.
        let hist = hist(&[(0, -2.0, 1.0, 1), (1, 2.0, 1.0, 1), (255, -2.0, 1.0, 1)]);
        let m = mapper(vec![2], vec![false]);
        let info = FeatureInfo {
            mapper: &m,
            has_missing: &[true],
            monotonic: &[0],
        };
        let total = Sums {
            g: -2.0,
            h: 3.0,
            n: 3,
        };
        let s = best_split(&hist, total, Bounds::NONE, &[0], &info, limits()).unwrap();
        assert!(s.missing_left);
        assert_eq!(s.bin, 0);
        assert_eq!(s.left.n, 2);
    }

    #[test]
    fn categorical_groups_by_gradient() {
        // Categories 0 and 2 have negative gradients, 1 and 3 positive: {0, 2} | {1, 3}.
        let hist = hist(&[
            (0, -20.0, 10.0, 10),
            (1, 20.0, 10.0, 10),
            (2, -20.0, 10.0, 10),
            (3, 20.0, 10.0, 10),
        ]);
        let m = mapper(vec![4], vec![true]);
        let info = FeatureInfo {
            mapper: &m,
            has_missing: &[false],
            monotonic: &[0],
        };
        let total = Sums {
            g: 0.0,
            h: 40.0,
            n: 40,
        };
        let s = best_split(&hist, total, Bounds::NONE, &[0], &info, limits()).unwrap();
        let set = s.cats.unwrap();
        let left: Vec<u8> = (0..4)
            .filter(|&b| super::super::tree::bitset_contains(&set, b))
            .collect();
        assert!(left == vec![0, 2] || left == vec![1, 3]);
        assert!((s.gain - (40.0f64.powi(2) / 20.0 * 2.0)).abs() < 1e-9);
    }

    #[test]
    fn a_search_bounded_by_hessians_resolves_to_the_exact_search() {
        // Two features. On feature 0 the best split by gain isolates bin 0, which holds 2 rows
        // (below min_samples_leaf 5); the next best is valid. Feature 1 has a weaker split.
        // Hessians are at most 0.25 a row, so 4·H bounds each side's rows from below.
        let mut hist = Hist {
            gh: vec![super::super::hist::GH::default(); 8 * 256],
            n: vec![0; 8 * 256],
        };
        let f0 = [
            (0, -3.0, 0.5, 2),
            (1, -1.0, 2.5, 10),
            (2, 2.0, 2.5, 10),
            (3, 2.0, 2.5, 10),
        ];
        let f1 = [(0, -1.0, 4.0, 16), (1, 1.0, 4.0, 16)];
        for (f, entries) in [(0usize, &f0[..]), (1, &f1[..])] {
            for &(b, g, h, n) in entries {
                hist.gh[f * 256 + b] = super::super::hist::GH { g, h };
                hist.n[f * 256 + b] = n;
            }
        }
        let m = mapper(vec![4, 2], vec![false, false]);
        let info = FeatureInfo {
            mapper: &m,
            has_missing: &[false, false],
            monotonic: &[0, 0],
        };
        let total = Sums {
            g: 0.0,
            h: 8.0,
            n: 32,
        };
        let limits = SplitLimits {
            min_samples_leaf: 5,
            min_hessian: 1e-3,
            l2: 0.0,
        };
        let exact = best_split(&hist, total, Bounds::NONE, &[0, 1], &info, limits).unwrap();
        assert_eq!((exact.feature, exact.bin), (0, 1));
        // Bounded: without counts, feature 0's best is bin 0, which the bound cannot prove.
        let node = NodeScan::new(
            total,
            Bounds::NONE,
            &info,
            limits,
            Counting::Bounded { h_max: 0.25 },
        );
        let mut cands = Candidates::boxed();
        let no_counts: Vec<u32> = Vec::new();
        let bests: Vec<Option<Split>> = (0..2)
            .map(|f| {
                let fh = FeatureHist::in_group(&hist.gh[..8 * 256], &no_counts, f);
                scan_feature(&node, fh, f, &mut cands)
            })
            .collect();
        let first = bests[0].as_ref().unwrap();
        assert_eq!(first.bin, 0);
        assert!(!first.certain);
        let mut searched = Vec::new();
        let resolved = resolve(bests, |f| {
            searched.push(f);
            let fh = FeatureHist::with_counts(hist.feature_sums(f), &hist.n[f * 256..][..256]);
            scan_feature(&node.exact(), fh, f, &mut Candidates::boxed())
        })
        .unwrap();
        assert_eq!(searched, vec![0]);
        assert_eq!((resolved.feature, resolved.bin), (exact.feature, exact.bin));
        assert_eq!(resolved.gain, exact.gain);
        assert!(resolved.certain);
    }
}
