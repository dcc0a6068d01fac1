//! Leaf-wise growth of one boosted tree on binned rows (LightGBM's best-first order, Ke et al.
//! 2017; scikit-learn's `TreeGrower`): the leaf whose best split gains most is split next,
//! until `max_leaf_nodes` leaves exist or no leaf can be split.
//!
//! Every node owns a contiguous range of a row buffer; a split partitions its range stably, so
//! rows stay in increasing order and reads of the binned matrix and the gradients walk forward.
//! Only the smaller child's histogram is built from rows; the larger child's is the parent's
//! minus it, computed in the parent's buffer.

use kiln_core::random::KilnRng;
use rand::seq::index::sample;
use rayon::prelude::*;

use super::bin::Binned;
use super::hist::{self, BINS, FeatureHist, GH, GradHess, Hist, Rows};
use super::partition::{Scratch, partition};
use super::split::{
    Bounds, Candidates, Counting, FeatureInfo, NodeScan, PARALLEL_FEATURES, Split, SplitLimits,
    Sums, best_split, best_splits_in_group, node_value, resolve, scan_feature,
};
use super::tree::{BoostNode, BoostTree, NOT_CATEGORICAL};

/// The settings of tree growth.
#[derive(Debug, Clone, Copy)]
pub(crate) struct GrowSettings {
    pub(crate) max_leaf_nodes: Option<usize>,
    pub(crate) max_depth: Option<usize>,
    pub(crate) limits: SplitLimits,
    /// The learning rate, applied to leaf values.
    pub(crate) shrinkage: f64,
    /// Features searched per split, as a count (all when equal to the feature count).
    pub(crate) features_per_split: usize,
}

/// A leaf of a grown tree and its rows, `rows[start..end]` of the grower's row buffer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LeafRows {
    pub(crate) node: usize,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// Reusable buffers of the grower (histograms, scratch rows, ordered gradients).
#[derive(Debug, Default)]
pub(crate) struct Workspace {
    free_hists: Vec<Hist>,
    /// A node's gathered words (see [`hist::node_words`]).
    words: Vec<u64>,
    /// The root's counts when every row is in it (the same for every tree).
    root_counts: Option<Vec<u32>>,
    /// The second row buffer (and gradients): a large node's partition writes its children
    /// here, at the node's positions, instead of copying them back (see [`partition`]).
    alt_rows: Vec<u32>,
    alt_gh: Vec<GradHess>,
    scratch: Scratch,
}

impl Workspace {
    fn take_hist(&mut self, input: &GrowInput<'_>) -> Hist {
        match self.free_hists.pop() {
            Some(h) => h,
            None => Hist::new(input.binned, input.counts),
        }
    }

    fn give_hist(&mut self, h: Hist) {
        self.free_hists.push(h);
    }
}

/// A node's rows: `start..end` of the row buffer that holds them.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
    /// Whether that buffer is the workspace's second one (see [`partition`]).
    flipped: bool,
}

/// A leaf that may still be split.
struct Candidate {
    node: usize,
    span: Span,
    sums: Sums,
    bounds: Bounds,
    hist: Hist,
    split: Split,
}

/// What the grower needs besides the settings.
pub(crate) struct GrowInput<'a> {
    pub(crate) binned: &'a Binned,
    pub(crate) info: &'a FeatureInfo<'a>,
    /// Whether histograms count rows (false when every hessian is 1: the sum counts them).
    pub(crate) counts: bool,
}

/// Grows one tree on `rows` (increasing row indices, partitioned in place, with their
/// gradients in `gh`, which are moved along) and returns it with its leaves' row ranges.
pub(crate) fn grow(
    input: &GrowInput<'_>,
    settings: &GrowSettings,
    rows: &mut [u32],
    gh: &mut [GradHess],
    rng: &mut KilnRng,
    ws: &mut Workspace,
) -> (BoostTree, Vec<LeafRows>) {
    let mut g = Grower {
        input,
        settings,
        tree: BoostTree {
            nodes: Vec::new(),
            cat_bitsets: Vec::new(),
        },
        leaves: Vec::new(),
        candidates: Vec::new(),
        all_features: (0..input.binned.n_features).collect(),
        moved: Vec::new(),
        counting: if input.counts {
            // The largest hessian bounds the rows of a hessian sum.
            let h_max = gh.iter().fold(0.0f32, |m, v| m.max(v.h));
            Counting::Bounded {
                h_max: f64::from(h_max),
            }
        } else {
            Counting::Exact
        },
        rng,
    };
    let sums = root_sums(gh);
    let root = Span {
        start: 0,
        end: rows.len(),
        flipped: false,
    };
    g.tree.nodes.push(BoostNode::leaf(0.0, sums.n, sums.h, 0));
    let limits = settings.limits;
    if sums.n < 2 * limits.min_samples_leaf || sums.h < limits.min_hessian {
        g.finalize(0, root, sums, Bounds::NONE);
    } else {
        let mut h = ws.take_hist(input);
        h.set_counts(input.counts);
        // With every row in the root, its counts are the same for every tree: counted once.
        let every_row = rows.len() == input.binned.n_rows;
        let known = ws.root_counts.as_deref().filter(|_| every_row);
        hist::build(
            &mut h,
            input.binned,
            Rows { rows, gh },
            &mut ws.words,
            known,
        );
        if every_row && h.has_counts() && ws.root_counts.is_none() {
            ws.root_counts = Some(h.n.clone());
        }
        let sampled = g.draw_features();
        let features = sampled.as_deref().unwrap_or(&g.all_features);
        let split = best_split(&h, sums, Bounds::NONE, features, input.info, limits);
        if ws.alt_rows.len() < rows.len() {
            ws.alt_rows.resize(rows.len(), 0);
            ws.alt_gh.resize(rows.len(), GradHess::default());
        }
        g.queue(0, root, sums, Bounds::NONE, h, split, ws);
    }
    let mut n_leaves = 1usize;
    while let Some(best) = g.pop_best() {
        n_leaves += 1;
        g.split(best, rows, gh, &mut n_leaves, ws);
    }
    // Leaves whose rows are in the second buffer move back, so the caller sees every leaf's
    // rows (and gradients) in `rows` and `gh`.
    for &(a, b) in &g.moved {
        rows[a..b].copy_from_slice(&ws.alt_rows[a..b]);
        gh[a..b].copy_from_slice(&ws.alt_gh[a..b]);
    }
    (g.tree, g.leaves)
}

fn root_sums(gh: &[GradHess]) -> Sums {
    let mut s = Sums::default();
    for v in gh {
        s.g += f64::from(v.g);
        s.h += f64::from(v.h);
    }
    s.n = gh.len() as u32;
    s
}

struct Grower<'a, 'b> {
    input: &'a GrowInput<'a>,
    settings: &'a GrowSettings,
    tree: BoostTree,
    leaves: Vec<LeafRows>,
    candidates: Vec<Candidate>,
    /// Every feature index, for splits that search them all.
    all_features: Vec<usize>,
    /// The row ranges of leaves whose rows are in the workspace's second buffer.
    moved: Vec<(usize, usize)>,
    /// What the children's histograms know of their counts.
    counting: Counting,
    rng: &'b mut KilnRng,
}

impl Grower<'_, '_> {
    /// Makes node `node` a leaf with its final value.
    fn finalize(&mut self, node: usize, span: Span, sums: Sums, bounds: Bounds) {
        let Span {
            start,
            end,
            flipped,
        } = span;
        if flipped {
            self.moved.push((start, end));
        }
        let s = self.settings;
        let v = node_value(sums.g, sums.h, bounds, s.limits.l2);
        let n = &mut self.tree.nodes[node];
        n.value = s.shrinkage * v;
        self.leaves.push(LeafRows { node, start, end });
    }

    /// The features the next split search reads, increasing: `None` for all of them, else a
    /// sample of `features_per_split` drawn from the grower's generator.
    fn draw_features(&mut self) -> Option<Vec<usize>> {
        let p = self.input.binned.n_features;
        if self.settings.features_per_split >= p {
            return None;
        }
        let mut f = sample(&mut *self.rng, p, self.settings.features_per_split).into_vec();
        f.sort_unstable();
        Some(f)
    }

    /// Queues node `node` with its best split, or makes it a leaf when it has none.
    #[allow(clippy::too_many_arguments)]
    fn queue(
        &mut self,
        node: usize,
        span: Span,
        sums: Sums,
        bounds: Bounds,
        hist: Hist,
        split: Option<Split>,
        ws: &mut Workspace,
    ) {
        match split {
            Some(split) => self.candidates.push(Candidate {
                node,
                span,
                sums,
                bounds,
                hist,
                split,
            }),
            None => {
                ws.give_hist(hist);
                self.finalize(node, span, sums, bounds);
            }
        }
    }

    /// Removes and returns the candidate with the largest gain (the earliest on ties).
    fn pop_best(&mut self) -> Option<Candidate> {
        let mut best: Option<usize> = None;
        for (i, c) in self.candidates.iter().enumerate() {
            if best.is_none_or(|b| c.split.gain > self.candidates[b].split.gain) {
                best = Some(i);
            }
        }
        best.map(|i| self.candidates.remove(i))
    }

    fn split(
        &mut self,
        c: Candidate,
        rows: &mut [u32],
        gh: &mut [GradHess],
        n_leaves: &mut usize,
        ws: &mut Workspace,
    ) {
        let s = *self.settings;
        let split = &c.split;
        let depth = self.tree.nodes[c.node].depth + 1;
        let info = self.input.info;
        let feature = split.feature;
        // Without missing values at fit, the side missing values take at predict time is
        // set after the partition (from its counts); no row takes it here.
        let has_missing = info.has_missing[feature];
        let missing_left = has_missing && split.missing_left;
        let cat = match split.cats {
            Some(set) => {
                // Missing values follow `missing_left`, whatever the set says about their bin.
                self.tree.cat_bitsets.push(set);
                (self.tree.cat_bitsets.len() - 1) as u32
            }
            None => NOT_CATEGORICAL,
        };
        let threshold = if cat != NOT_CATEGORICAL {
            0.0
        } else {
            let t = &info.mapper.thresholds[feature];
            // The last non-missing bin is the "split on NaN": every value goes left.
            t.get(usize::from(split.bin))
                .copied()
                .unwrap_or(f64::INFINITY)
        };
        let left_id = self.tree.nodes.len();
        let right_id = left_id + 1;
        {
            let node = &mut self.tree.nodes[c.node];
            node.left = left_id as u32;
            node.right = right_id as u32;
            node.feature = feature as u32;
            node.threshold = threshold;
            node.bin_threshold = split.bin;
            node.missing_left = missing_left;
            node.cat = cat;
            node.gain = split.gain;
            node.value = s.shrinkage * node_value(c.sums.g, c.sums.h, c.bounds, s.limits.l2);
        }
        self.tree.nodes.push(BoostNode::leaf(
            s.shrinkage * split.value_left,
            split.left.n,
            split.left.h,
            depth,
        ));
        self.tree.nodes.push(BoostNode::leaf(
            s.shrinkage * split.value_right,
            split.right.n,
            split.right.h,
            depth,
        ));

        // Partition the node's rows stably.
        let (mid, flipped) = {
            let node = &self.tree.nodes[c.node];
            let tree = &self.tree;
            // Where each bin goes (numeric, categorical and missing alike).
            let goes_left: [bool; 256] =
                std::array::from_fn(|b| tree.goes_left_binned(node, b as u8));
            let (alt_rows, alt_gh) = (&mut ws.alt_rows[..], &mut ws.alt_gh[..]);
            let Span { start, end, .. } = c.span;
            let (from, from_gh, to, to_gh) = if c.span.flipped {
                (alt_rows, alt_gh, &mut *rows, &mut *gh)
            } else {
                (&mut *rows, &mut *gh, alt_rows, alt_gh)
            };
            let (n_left, moved) = partition(
                [&mut from[start..end], &mut to[start..end]],
                [&mut from_gh[start..end], &mut to_gh[start..end]],
                self.input.binned,
                feature,
                &goes_left,
                &mut ws.scratch,
            );
            (start + n_left, c.span.flipped != moved)
        };
        let (ls, le, rs, re) = (c.span.start, mid, mid, c.span.end);
        let left_span = Span {
            start: ls,
            end: le,
            flipped,
        };
        let right_span = Span {
            start: rs,
            end: re,
            flipped,
        };
        // The partition counts the children's rows (the search may not have: see
        // `Counting::Bounded`).
        let (mut left_sums, mut right_sums) = (split.left, split.right);
        left_sums.n = (le - ls) as u32;
        right_sums.n = (re - rs) as u32;
        self.tree.nodes[left_id].count = left_sums.n;
        self.tree.nodes[right_id].count = right_sums.n;
        if !has_missing {
            // No missing value was seen at fit: missing values at predict time follow the
            // majority (scikit-learn's rule).
            self.tree.nodes[c.node].missing_left = left_sums.n > right_sums.n;
        }
        let at_max_leaves = s.max_leaf_nodes.is_some_and(|m| *n_leaves >= m);
        let at_max_depth = s.max_depth.is_some_and(|m| depth as usize >= m);
        let min2 = 2 * s.limits.min_samples_leaf;
        let stop = at_max_leaves || at_max_depth;
        let split_left = !stop && left_sums.n >= min2;
        let split_right = !stop && right_sums.n >= min2;
        // The smaller child (scikit-learn's rule: left when strictly smaller) gets its
        // histogram from its rows; the larger one by subtraction.
        let left_is_small = left_sums.n < right_sums.n;

        // Children's bounds under monotonic constraints.
        let (lb, rb) = match info.monotonic.get(feature).copied().unwrap_or(0) {
            0 => (c.bounds, c.bounds),
            m => {
                let midv = (split.value_left + split.value_right) / 2.0;
                let low = Bounds {
                    lower: c.bounds.lower,
                    upper: midv,
                };
                let high = Bounds {
                    lower: midv,
                    upper: c.bounds.upper,
                };
                if m > 0 { (low, high) } else { (high, low) }
            }
        };

        if stop {
            ws.give_hist(c.hist);
            self.finalize(left_id, left_span, left_sums, lb);
            self.finalize(right_id, right_span, right_sums, rb);
            if at_max_leaves {
                for o in std::mem::take(&mut self.candidates) {
                    ws.give_hist(o.hist);
                    self.finalize(o.node, o.span, o.sums, o.bounds);
                }
            }
            return;
        }
        if !split_left {
            self.finalize(left_id, left_span, left_sums, lb);
        }
        if !split_right {
            self.finalize(right_id, right_span, right_sums, rb);
        }
        if !split_left && !split_right {
            ws.give_hist(c.hist);
            return;
        }
        // The features each child searches, drawn in the order the children are searched.
        let left_features = if split_left {
            self.draw_features()
        } else {
            None
        };
        let right_features = if split_right {
            self.draw_features()
        } else {
            None
        };
        let mut small = ws.take_hist(self.input);
        let mut large = c.hist;
        // Children's histograms keep no counts when the hessians bound them (see `Counting`).
        if matches!(self.counting, Counting::Bounded { .. }) {
            small.set_counts(false);
            large.set_counts(false);
        }
        let (a, b) = if left_is_small { (ls, le) } else { (rs, re) };
        let counting = self.counting;
        let node = |total, bounds| NodeScan::new(total, bounds, info, s.limits, counting);
        let searches = [
            split_left.then(|| (node(left_sums, lb), left_features.as_deref())),
            split_right.then(|| (node(right_sums, rb), right_features.as_deref())),
        ];
        let (child_rows, child_gh) = if flipped {
            (&ws.alt_rows[..], &ws.alt_gh[..])
        } else {
            (&*rows, &*gh)
        };
        let [left_bests, right_bests] = children(
            self.input.binned,
            &mut small,
            &mut large,
            Rows {
                rows: &child_rows[a..b],
                gh: &child_gh[a..b],
            },
            left_is_small,
            &searches,
            &mut ws.words,
        );
        let (left_hist, right_hist) = if left_is_small {
            (small, large)
        } else {
            (large, small)
        };
        // Each child's winner, with features searched again on exact counts where needed.
        let binned = self.input.binned;
        let resolve_child = |bests, search: &Option<ChildSearch<'_>>, hist: &Hist, r: &[u32]| {
            let (node, _) = search.as_ref()?;
            let exact = node.exact();
            // Allocated only when a feature is searched again.
            let mut cands: Option<Box<Candidates>> = None;
            resolve(bests, |f| {
                let cands = cands.get_or_insert_with(Candidates::boxed);
                let col = binned.column(f);
                let mut n = [0u32; BINS];
                for &row in r {
                    n[usize::from(col[row as usize])] += 1;
                }
                let fh = FeatureHist::with_counts(hist.feature_sums(f), &n);
                scan_feature(&exact, fh, f, cands)
            })
        };
        let left_split = resolve_child(left_bests, &searches[0], &left_hist, &child_rows[ls..le]);
        let right_split =
            resolve_child(right_bests, &searches[1], &right_hist, &child_rows[rs..re]);
        if split_left {
            self.queue(left_id, left_span, left_sums, lb, left_hist, left_split, ws);
        } else {
            ws.give_hist(left_hist);
        }
        if split_right {
            self.queue(
                right_id,
                right_span,
                right_sums,
                rb,
                right_hist,
                right_split,
                ws,
            );
        } else {
            ws.give_hist(right_hist);
        }
    }
}

/// The children's histograms and best splits per feature in one pass over the feature groups:
/// group by group (in parallel when the work is large), the smaller child's bins are summed
/// from `small_rows`, the larger child's are the parent's (in `large`) minus them, and each
/// child in `searches` (left, right; `None` to skip) is searched on the features of the group
/// while its bins are in cache. Each child's bests come in feature order (for [`resolve`]),
/// so the result does not depend on the thread count.
fn children(
    binned: &Binned,
    small: &mut Hist,
    large: &mut Hist,
    small_rows: Rows<'_>,
    left_is_small: bool,
    searches: &[Option<ChildSearch<'_>>; 2],
    buf: &mut Vec<u64>,
) -> [Vec<Option<Split>>; 2] {
    let words = hist::node_words(binned, small_rows.rows, buf);
    let groups: Vec<_> = small
        .groups_mut()
        .into_iter()
        .zip(large.groups_mut())
        .collect();
    let run = |cands: &mut Candidates, (g, ((sg, sn), (lg, ln))): (usize, GroupBins<'_>)| {
        hist::build_one_group(sg, sn, binned, g, &words, small_rows.gh);
        hist::subtract_group(lg, ln, sg, sn);
        let (small, large) = ((&*sg, &*sn), (&*lg, &*ln));
        let (left, right) = if left_is_small {
            (small, large)
        } else {
            (large, small)
        };
        let search = |which: usize, (gh, n): (&[GH], &[u32]), cands: &mut Candidates| {
            searches[which]
                .as_ref()
                .map(|(node, fs)| best_splits_in_group(node, *fs, g, gh, n, cands))
                .unwrap_or_default()
        };
        [search(0, left, cands), search(1, right, cands)]
    };
    let p = binned.n_features;
    let parallel = hist::is_parallel(small_rows.rows.len(), p) || p >= PARALLEL_FEATURES;
    let per_group: Vec<[Vec<Option<Split>>; 2]> = if parallel {
        groups
            .into_par_iter()
            .enumerate()
            .map_init(Candidates::boxed, |c, job| run(c, job))
            .collect()
    } else {
        let mut cands = Candidates::boxed();
        groups
            .into_iter()
            .enumerate()
            .map(|job| run(&mut cands, job))
            .collect()
    };
    let mut best: [Vec<Option<Split>>; 2] = [Vec::new(), Vec::new()];
    for [l, r] in per_group {
        best[0].extend(l);
        best[1].extend(r);
    }
    best
}

/// A child's split search: its node and the features to search (`None` for all).
type ChildSearch<'a> = (NodeScan<'a>, Option<&'a [usize]>);

/// One feature group's bins of the smaller and the larger child: `((sums, counts), (sums,
/// counts))`.
type GroupBins<'a> = ((&'a mut [GH], &'a mut [u32]), (&'a mut [GH], &'a mut [u32]));
