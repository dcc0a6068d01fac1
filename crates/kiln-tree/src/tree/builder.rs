//! Growing a tree: depth first (pre-order node numbering, as scikit-learn's
//! `DepthFirstTreeBuilder`) or, when `max_leaf_nodes` is set, best first (the frontier node
//! whose split decreases impurity most is expanded next, as `BestFirstTreeBuilder`).
//!
//! The builder works on row indices into `X` with weights indexed by row, so a forest can
//! pass a bootstrap sample as multiplicities (weights) and share one `X`.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use kiln_core::random::rng_from_seed;
use ndarray::ArrayView2;

use super::criterion::{Impurity, Stats, TargetData};
use super::nodes::{Node, Tree};
use super::presort::SortedColumns;
use super::splitter::{Candidate, Layout, SplitFinder};

/// scikit-learn's `EPSILON` (machine epsilon): impurities at or below it are pure, and an
/// improvement within it of `min_impurity_decrease` still splits.
const EPSILON: f64 = f64::EPSILON;

/// The stopping rules and sampling of one tree.
#[derive(Debug, Clone)]
pub(crate) struct GrowConfig {
    /// `usize::MAX` for no limit.
    pub(crate) max_depth: usize,
    pub(crate) min_samples_split: usize,
    pub(crate) min_samples_leaf: usize,
    /// Features searched per split (resolved to a count in `1..=n_features`).
    pub(crate) max_features: usize,
    pub(crate) max_leaf_nodes: Option<usize>,
    pub(crate) min_impurity_decrease: f64,
    pub(crate) seed: u64,
}

/// The data one tree is grown on.
pub(crate) struct GrowData<'a> {
    pub(crate) x: ArrayView2<'a, f64>,
    /// The rows to grow on (each with a positive weight).
    pub(crate) rows: &'a [u32],
    /// Weights indexed by row of `x`.
    pub(crate) weights: &'a [f64],
    pub(crate) target: TargetData<'a>,
    pub(crate) kind: Impurity,
}

/// Grows a tree on `data` (sorting each feature's rows first).
pub(crate) fn grow<'a>(data: &'a GrowData<'a>, cfg: &GrowConfig) -> Tree {
    let sorted = SortedColumns::new(data.x, data.rows);
    grow_sorted(data, sorted, cfg)
}

/// Grows a tree from already sorted columns covering exactly `data.rows`.
pub(crate) fn grow_sorted<'a>(
    data: &'a GrowData<'a>,
    sorted: SortedColumns,
    cfg: &GrowConfig,
) -> Tree {
    grow_in(data, Layout::Sorted(sorted), cfg)
}

/// Grows a tree on `data` in the given layout (which covers exactly `data.rows`).
pub(crate) fn grow_in<'a>(data: &'a GrowData<'a>, layout: Layout<'a>, cfg: &GrowConfig) -> Tree {
    let mut b = Builder::new(data, layout, cfg);
    match cfg.max_leaf_nodes {
        Some(max_leaves) => b.best_first(max_leaves),
        None => b.depth_first(),
    }
    b.tree
}

struct Builder<'a, 'c> {
    data: &'a GrowData<'a>,
    cfg: &'c GrowConfig,
    sorted: Layout<'a>,
    splitter: SplitFinder<'a>,
    rng: kiln_core::random::KilnRng,
    tree: Tree,
    /// Side of each row of `x` in the split being applied.
    goes_left: Vec<bool>,
    w_root: f64,
    value: Vec<f64>,
}

/// A node waiting to be added (depth first).
struct Pending {
    start: usize,
    end: usize,
    depth: usize,
    parent: Option<(usize, bool)>,
    stats: Stats,
}

/// A split decided for a node: where, and its children's statistics.
struct Decided {
    cand: Candidate,
    left: Stats,
    right: Stats,
    improvement: f64,
}

impl<'a, 'c> Builder<'a, 'c> {
    fn new(data: &'a GrowData<'a>, sorted: Layout<'a>, cfg: &'c GrowConfig) -> Self {
        let splitter = SplitFinder::new(
            data.target,
            data.weights,
            data.kind,
            cfg.min_samples_leaf,
            cfg.max_features,
            data.x.ncols(),
        );
        Self {
            data,
            cfg,
            sorted,
            splitter,
            rng: rng_from_seed(cfg.seed),
            tree: Tree::new(data.target.n_outputs()),
            goes_left: vec![false; data.x.nrows()],
            w_root: 0.0,
            value: Vec::new(),
        }
    }

    fn root_stats(&mut self) -> Stats {
        let s = Stats::of(
            self.data.rows,
            self.data.weights,
            self.data.target,
            self.data.kind,
        );
        self.w_root = s.w;
        s
    }

    /// scikit-learn's tests before searching a node for a split.
    fn can_split(&self, stats: &Stats, depth: usize) -> bool {
        !(depth >= self.cfg.max_depth
            || stats.n < self.cfg.min_samples_split
            || stats.n < 2 * self.cfg.min_samples_leaf
            || stats.impurity <= EPSILON)
    }

    fn add_leaf(&mut self, stats: &Stats, parent: Option<(usize, bool)>) -> usize {
        stats.value(&mut self.value);
        let id = self
            .tree
            .push_leaf(Node::leaf(stats.impurity, stats.n, stats.w), &self.value);
        if let Some((p, is_left)) = parent {
            let node = &mut self.tree.nodes[p];
            if is_left {
                node.left = id as u32;
            } else {
                node.right = id as u32;
            }
        }
        id
    }

    /// Searches the node `start..end` and, if a split passes `min_impurity_decrease`, marks
    /// its rows in `goes_left` and returns it.
    fn decide(&mut self, start: usize, end: usize, stats: &Stats) -> Option<Decided> {
        let cand = self
            .splitter
            .best_split(&self.sorted, start, end, stats, &mut self.rng)?;
        let (left, right) = self.sorted.split(
            &cand,
            start,
            end,
            &mut self.goes_left,
            self.data.weights,
            self.data.target,
            self.data.kind,
        );
        let w = stats.w;
        let improvement = (w / self.w_root)
            * (stats.impurity - left.w / w * left.impurity - right.w / w * right.impurity);
        if improvement + EPSILON < self.cfg.min_impurity_decrease {
            return None;
        }
        Some(Decided {
            cand,
            left,
            right,
            improvement,
        })
    }

    fn make_internal(&mut self, id: usize, cand: &Candidate) {
        let node = &mut self.tree.nodes[id];
        node.feature = cand.feature as u32;
        node.threshold = cand.threshold;
        node.missing_left = cand.missing_left;
    }

    fn depth_first(&mut self) {
        let root = self.root_stats();
        let mut stack = vec![Pending {
            start: 0,
            end: self.sorted.n_rows(),
            depth: 0,
            parent: None,
            stats: root,
        }];
        while let Some(p) = stack.pop() {
            let id = self.add_leaf(&p.stats, p.parent);
            if !self.can_split(&p.stats, p.depth) {
                continue;
            }
            let Some(d) = self.decide(p.start, p.end, &p.stats) else {
                continue;
            };
            self.make_internal(id, &d.cand);
            let mid = p.start + d.cand.n_left;
            let depth = p.depth + 1;
            // Children that will be leaves anyway do not need sorted ranges.
            if self.can_split(&d.left, depth) || self.can_split(&d.right, depth) {
                self.sorted
                    .partition(p.start, p.end, &self.goes_left, d.cand.n_left);
            }
            // Right pushed first so the left subtree is numbered first (pre-order).
            stack.push(Pending {
                start: mid,
                end: p.end,
                depth,
                parent: Some((id, false)),
                stats: d.right,
            });
            stack.push(Pending {
                start: p.start,
                end: mid,
                depth,
                parent: Some((id, true)),
                stats: d.left,
            });
        }
    }

    /// Adds a node for best-first growth; returns its frontier entry if it can be expanded.
    fn add_frontier_node(
        &mut self,
        start: usize,
        end: usize,
        depth: usize,
        parent: Option<(usize, bool)>,
        stats: Stats,
    ) -> Option<Frontier> {
        let id = self.add_leaf(&stats, parent);
        if !self.can_split(&stats, depth) {
            return None;
        }
        let d = self.decide(start, end, &stats)?;
        self.sorted
            .partition(start, end, &self.goes_left, d.cand.n_left);
        Some(Frontier {
            id,
            start,
            end,
            depth,
            decided: d,
        })
    }

    fn best_first(&mut self, max_leaves: usize) {
        let root = self.root_stats();
        let mut heap = BinaryHeap::new();
        if let Some(f) = self.add_frontier_node(0, self.sorted.n_rows(), 0, None, root) {
            heap.push(f);
        }
        let mut splits_left = max_leaves.saturating_sub(1);
        while splits_left > 0 {
            let Some(f) = heap.pop() else { break };
            splits_left -= 1;
            self.make_internal(f.id, &f.decided.cand);
            let mid = f.start + f.decided.cand.n_left;
            let Decided { left, right, .. } = f.decided;
            let l = self.add_frontier_node(f.start, mid, f.depth + 1, Some((f.id, true)), left);
            let r = self.add_frontier_node(mid, f.end, f.depth + 1, Some((f.id, false)), right);
            heap.extend(l);
            heap.extend(r);
        }
    }
}

/// A best-first frontier node whose split is already decided.
struct Frontier {
    id: usize,
    start: usize,
    end: usize,
    depth: usize,
    decided: Decided,
}

impl PartialEq for Frontier {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Frontier {}

impl PartialOrd for Frontier {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Frontier {
    /// Larger improvement first; among equal improvements, the node created first.
    fn cmp(&self, other: &Self) -> Ordering {
        self.decided
            .improvement
            .total_cmp(&other.decided.improvement)
            .then(other.id.cmp(&self.id))
    }
}
