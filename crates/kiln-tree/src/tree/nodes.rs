//! Node storage of a fitted tree, shared by every tree model of the crate, and the traversal
//! that routes a row to its leaf.

use ndarray::{Array1, ArrayView1, ArrayView2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Marks "no child" in [`Node::left`] / [`Node::right`]: the node is a leaf.
pub(crate) const LEAF: u32 = u32::MAX;

/// scikit-learn's `TREE_UNDEFINED`: the feature and threshold stored in a leaf (a number, not
/// NaN, so that equal trees compare equal).
pub(crate) const UNDEFINED_THRESHOLD: f64 = -2.0;

/// One node. Leaves have `left == right == LEAF`; their `feature` and `threshold` are unused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Node {
    pub(crate) left: u32,
    pub(crate) right: u32,
    pub(crate) feature: u32,
    /// Rows with `x[feature] <= threshold` go left.
    pub(crate) threshold: f64,
    /// Where a missing (NaN) value goes.
    pub(crate) missing_left: bool,
    pub(crate) impurity: f64,
    pub(crate) n_samples: usize,
    pub(crate) weighted_n_samples: f64,
}

impl Node {
    pub(crate) fn leaf(impurity: f64, n_samples: usize, weighted_n_samples: f64) -> Self {
        Self {
            left: LEAF,
            right: LEAF,
            feature: 0,
            threshold: UNDEFINED_THRESHOLD,
            missing_left: false,
            impurity,
            n_samples,
            weighted_n_samples,
        }
    }

    #[inline]
    pub(crate) fn is_leaf(&self) -> bool {
        self.left == LEAF
    }
}

/// The structure of a fitted decision tree: nodes in depth-first pre-order (as scikit-learn
/// numbers them for trees grown depth first; best-first trees number nodes in creation order),
/// and each node's value.
///
/// A node's value has `n_outputs` entries: the weighted class fractions for a classifier
/// (scikit-learn's `tree_.value` since 1.4), the weighted mean of the target for a regressor.
/// Every node has a value, so a pruned subtree falls back on its root's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tree {
    pub(crate) nodes: Vec<Node>,
    pub(crate) values: Vec<f64>,
    pub(crate) n_outputs: usize,
}

impl Tree {
    /// Checks a decoded tree (see [`kiln_core::persist::Persist::check_loaded`]): at least
    /// one node, `n_outputs` values per node, every split node with two children numbered
    /// after it (nodes are stored parents first, so every walk ends) and a feature below
    /// `n_features`.
    pub(crate) fn check_structure(
        &self,
        n_features: usize,
        n_outputs: usize,
    ) -> kiln_core::Result<()> {
        let bad = bad_payload;
        let n = self.nodes.len();
        if n == 0 {
            return Err(bad("a tree has no nodes".into()));
        }
        if self.n_outputs != n_outputs || self.values.len() != n * n_outputs {
            return Err(bad(format!(
                "a tree of {n} nodes holds {} values of {} outputs; expected {} values of \
                 {n_outputs}",
                self.values.len(),
                self.n_outputs,
                n * n_outputs
            )));
        }
        for (i, node) in self.nodes.iter().enumerate() {
            check_children(i, node.left, node.right, n, LEAF).map_err(bad)?;
            if !node.is_leaf() && node.feature as usize >= n_features {
                return Err(bad(format!(
                    "node {i} splits on feature {} of {n_features}",
                    node.feature
                )));
            }
        }
        Ok(())
    }

    pub(crate) fn new(n_outputs: usize) -> Self {
        Self {
            nodes: Vec::new(),
            values: Vec::new(),
            n_outputs,
        }
    }

    /// Appends a leaf with its value and returns its index.
    pub(crate) fn push_leaf(&mut self, node: Node, value: &[f64]) -> usize {
        self.nodes.push(node);
        self.values.extend_from_slice(value);
        self.nodes.len() - 1
    }

    /// The number of nodes (scikit-learn's `tree_.node_count`).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// The number of leaves.
    pub fn n_leaves(&self) -> usize {
        self.nodes.iter().filter(|n| n.is_leaf()).count()
    }

    /// The depth: the number of edges on the longest root-to-leaf path (0 for a single leaf).
    pub fn depth(&self) -> usize {
        let mut depth = vec![0usize; self.nodes.len()];
        let mut max = 0;
        // Children always have larger indices than their parent, so one forward pass works.
        for (i, n) in self.nodes.iter().enumerate() {
            if !n.is_leaf() {
                let d = depth[i] + 1;
                depth[n.left as usize] = d;
                depth[n.right as usize] = d;
                max = max.max(d);
            }
        }
        max
    }

    /// The number of entries of each node's value (classes, or 1 for a regressor).
    pub fn n_outputs(&self) -> usize {
        self.n_outputs
    }

    /// Whether `node` is a leaf. Out-of-range nodes are reported as leaves.
    pub fn is_leaf(&self, node: usize) -> bool {
        self.nodes.get(node).is_none_or(Node::is_leaf)
    }

    /// The left and right children of `node`, or `None` for a leaf (or an out-of-range index).
    pub fn children(&self, node: usize) -> Option<(usize, usize)> {
        let n = self.nodes.get(node)?;
        (!n.is_leaf()).then_some((n.left as usize, n.right as usize))
    }

    /// The split of an internal node: `(feature, threshold, missing_go_to_left)`; rows with
    /// `x[feature] <= threshold` go left and NaN goes left when the flag is set. `None` for a
    /// leaf.
    pub fn split(&self, node: usize) -> Option<(usize, f64, bool)> {
        let n = self.nodes.get(node)?;
        (!n.is_leaf()).then_some((n.feature as usize, n.threshold, n.missing_left))
    }

    /// The impurity of `node` under the criterion it was grown with.
    pub fn impurity(&self, node: usize) -> Option<f64> {
        self.nodes.get(node).map(|n| n.impurity)
    }

    /// The number of training rows (with positive weight) that reached `node`.
    pub fn n_node_samples(&self, node: usize) -> Option<usize> {
        self.nodes.get(node).map(|n| n.n_samples)
    }

    /// The total sample weight of the training rows that reached `node`.
    pub fn weighted_n_node_samples(&self, node: usize) -> Option<f64> {
        self.nodes.get(node).map(|n| n.weighted_n_samples)
    }

    /// The value of `node` (see the type docs).
    pub fn value(&self, node: usize) -> Option<&[f64]> {
        let k = self.n_outputs;
        self.values.get(node * k..node * k + k)
    }

    /// The leaf reached by one row. `get(j)` returns feature `j` of the row.
    #[inline]
    pub(crate) fn leaf_index(&self, get: impl Fn(usize) -> f64) -> usize {
        let mut i = 0usize;
        loop {
            let n = &self.nodes[i];
            if n.is_leaf() {
                return i;
            }
            let v = get(n.feature as usize);
            let left = if v.is_nan() {
                n.missing_left
            } else {
                v <= n.threshold
            };
            i = if left { n.left } else { n.right } as usize;
        }
    }

    /// The leaf of every row of `x` (which the caller has checked has enough columns).
    pub(crate) fn apply(&self, x: ArrayView2<'_, f64>) -> Array1<usize> {
        let leaf_of_row = |row: ArrayView1<'_, f64>| match row.as_slice() {
            Some(s) => self.leaf_index(|j| s[j]),
            None => self.leaf_index(|j| row[j]),
        };
        // Rows are independent, so splitting them over threads cannot change any result.
        if x.nrows() >= PAR_PREDICT_ROWS {
            let out: Vec<usize> = x
                .axis_iter(ndarray::Axis(0))
                .into_par_iter()
                .with_min_len(1024)
                .map(leaf_of_row)
                .collect();
            Array1::from(out)
        } else {
            x.outer_iter().map(leaf_of_row).collect()
        }
    }

    /// The nodes visited by one row, root first.
    pub(crate) fn path(&self, get: impl Fn(usize) -> f64, out: &mut Vec<usize>) {
        let mut i = 0usize;
        loop {
            out.push(i);
            let n = &self.nodes[i];
            if n.is_leaf() {
                return;
            }
            let v = get(n.feature as usize);
            let left = if v.is_nan() {
                n.missing_left
            } else {
                v <= n.threshold
            };
            i = if left { n.left } else { n.right } as usize;
        }
    }

    /// Mean decrease in impurity per feature, normalized to sum to 1 (all zeros for a tree
    /// that is a single leaf), as scikit-learn's `feature_importances_` (Breiman et al. 1984,
    /// ch. 5.3.4).
    pub(crate) fn feature_importances(&self, n_features: usize) -> Array1<f64> {
        let mut imp = Array1::<f64>::zeros(n_features);
        for n in &self.nodes {
            if n.is_leaf() {
                continue;
            }
            let (l, r) = (&self.nodes[n.left as usize], &self.nodes[n.right as usize]);
            imp[n.feature as usize] += n.weighted_n_samples * n.impurity
                - l.weighted_n_samples * l.impurity
                - r.weighted_n_samples * r.impurity;
        }
        let total = imp.sum();
        if total > 0.0 {
            imp /= total;
        }
        imp
    }
}

/// Rows at which prediction goes parallel.
const PAR_PREDICT_ROWS: usize = 16_384;

/// The nodes each row passes through, root to leaf, in compressed sparse row form (the
/// layout of scikit-learn's `decision_path` indicator matrix).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionPath {
    /// Row `i`'s nodes are `indices[indptr[i]..indptr[i + 1]]`.
    pub indptr: Vec<usize>,
    /// Node indices, root first for each row.
    pub indices: Vec<usize>,
}

impl DecisionPath {
    /// The nodes visited by row `i`, root first (empty for an out-of-range row).
    pub fn nodes(&self, i: usize) -> &[usize] {
        match (self.indptr.get(i), self.indptr.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.indices[a..b],
            _ => &[],
        }
    }

    /// The number of rows.
    pub fn n_rows(&self) -> usize {
        self.indptr.len().saturating_sub(1)
    }

    pub(crate) fn of(tree: &Tree, x: ArrayView2<'_, f64>) -> Self {
        let mut indptr = Vec::with_capacity(x.nrows() + 1);
        let mut indices = Vec::new();
        indptr.push(0);
        for row in x.outer_iter() {
            tree.path(|j| row[j], &mut indices);
            indptr.push(indices.len());
        }
        Self { indptr, indices }
    }
}

/// Checks the children of node `i` of `n`: both `leaf` (a leaf), or both numbered after `i`
/// and below `n`.
pub(crate) fn check_children(
    i: usize,
    left: u32,
    right: u32,
    n: usize,
    leaf: u32,
) -> Result<(), String> {
    match (left == leaf, right == leaf) {
        (true, true) => Ok(()),
        (false, false) => {
            let ok = |c: u32| (c as usize) > i && (c as usize) < n;
            if ok(left) && ok(right) {
                Ok(())
            } else {
                Err(format!(
                    "node {i} has children {left} and {right}; they must come after it and be \
                     below {n}"
                ))
            }
        }
        _ => Err(format!("node {i} has one child")),
    }
}

/// The error of a decoded model whose structure does not hold together.
pub(crate) fn bad_payload(reason: String) -> kiln_core::Error {
    kiln_core::Error::model_format(kiln_core::FormatCheck::Payload, reason)
}
