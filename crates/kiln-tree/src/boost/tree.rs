//! The trees a boosted model is made of, and the walks that route a row to its leaf.
//!
//! A tree is grown on binned data but stores both thresholds: the bin threshold routes binned
//! rows (training and validation rows, already binned), the real-valued threshold routes new
//! rows without binning them. Categorical features are the exception: a row's category is first
//! mapped to its bin (see [`super::bin::BinMapper::category_bin`]) and the node tests membership
//! of that bin in its bitset.

use serde::{Deserialize, Serialize};

/// Marks "no child": the node is a leaf.
pub(crate) const LEAF: u32 = u32::MAX;

/// Marks a numeric split in [`BoostNode::cat`].
pub(crate) const NOT_CATEGORICAL: u32 = u32::MAX;

/// The bin that holds missing values (NaN, and unknown categories at predict time).
pub(crate) const MISSING_BIN: u8 = 255;

/// A set of category bins (256 bits).
pub(crate) type CatBitset = [u64; 4];

/// Whether `bin` is in `set`.
#[inline]
pub(crate) fn bitset_contains(set: &CatBitset, bin: u8) -> bool {
    (set[usize::from(bin >> 6)] >> (bin & 63)) & 1 == 1
}

/// Adds `bin` to `set`.
#[inline]
pub(crate) fn bitset_insert(set: &mut CatBitset, bin: u8) {
    set[usize::from(bin >> 6)] |= 1 << (bin & 63);
}

/// One node of a boosted tree. Leaves have `left == right == LEAF`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct BoostNode {
    pub(crate) left: u32,
    pub(crate) right: u32,
    pub(crate) feature: u32,
    /// Numeric split: rows with `x <= threshold` go left (NaN follows `missing_left`).
    pub(crate) threshold: f64,
    /// Numeric split on binned rows: `bin <= bin_threshold` goes left (the missing bin
    /// follows `missing_left`).
    pub(crate) bin_threshold: u8,
    /// Where missing values go.
    pub(crate) missing_left: bool,
    /// Index of the bitset of category bins that go left, or [`NOT_CATEGORICAL`].
    pub(crate) cat: u32,
    /// The node's value: for a leaf the raw-score contribution (learning rate applied); for an
    /// internal node the value it would have had as a leaf.
    pub(crate) value: f64,
    /// The gain of the node's split (0 for a leaf).
    pub(crate) gain: f64,
    /// Training rows that reached the node (the cover used by TreeSHAP).
    pub(crate) count: u32,
    /// Sum of the hessians of those rows.
    pub(crate) sum_hessian: f64,
    /// Depth of the node (the root is 0).
    pub(crate) depth: u32,
}

impl BoostNode {
    /// A leaf with its value and statistics.
    pub(crate) fn leaf(value: f64, count: u32, sum_hessian: f64, depth: u32) -> Self {
        Self {
            left: LEAF,
            right: LEAF,
            feature: 0,
            threshold: 0.0,
            bin_threshold: 0,
            missing_left: false,
            cat: NOT_CATEGORICAL,
            value,
            gain: 0.0,
            count,
            sum_hessian,
            depth,
        }
    }

    /// Whether the node is a leaf.
    #[inline]
    pub(crate) fn is_leaf(&self) -> bool {
        self.left == LEAF
    }
}

/// One regression tree of a boosted ensemble: its nodes (the root first) and the category
/// bitsets its categorical splits use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoostTree {
    pub(crate) nodes: Vec<BoostNode>,
    pub(crate) cat_bitsets: Vec<CatBitset>,
}

impl BoostTree {
    /// Checks a decoded tree: at least one node, every split node with two children numbered
    /// after it, a feature below `n_features` and a category set that exists.
    pub(crate) fn check_structure(&self, n_features: usize) -> Result<(), String> {
        let n = self.nodes.len();
        if n == 0 {
            return Err("a boosted tree has no nodes".into());
        }
        for (i, node) in self.nodes.iter().enumerate() {
            crate::tree::nodes::check_children(i, node.left, node.right, n, LEAF)?;
            if node.is_leaf() {
                continue;
            }
            if node.feature as usize >= n_features {
                return Err(format!(
                    "node {i} splits on feature {} of {n_features}",
                    node.feature
                ));
            }
            if node.cat != NOT_CATEGORICAL && node.cat as usize >= self.cat_bitsets.len() {
                return Err(format!(
                    "node {i} uses category set {} of {}",
                    node.cat,
                    self.cat_bitsets.len()
                ));
            }
        }
        Ok(())
    }

    /// The number of nodes.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// The number of leaves.
    pub fn n_leaves(&self) -> usize {
        self.nodes.iter().filter(|n| n.is_leaf()).count()
    }

    /// The depth of the deepest leaf (a single leaf has depth 0).
    pub fn depth(&self) -> usize {
        self.nodes
            .iter()
            .map(|n| n.depth as usize)
            .max()
            .unwrap_or(0)
    }

    /// Whether a row whose value of the node's feature is `x` goes left. `x` is the raw value
    /// for a numeric split and the category's bin (as `f64`, NaN when missing or unknown) for
    /// a categorical split.
    #[inline]
    pub(crate) fn goes_left(&self, node: &BoostNode, x: f64) -> bool {
        if x.is_nan() {
            return node.missing_left;
        }
        if node.cat == NOT_CATEGORICAL {
            x <= node.threshold
        } else {
            // A mapped category is an integer bin in 0..255.
            let bin = x as u8;
            self.cat_bitsets
                .get(node.cat as usize)
                .is_some_and(|set| bitset_contains(set, bin))
        }
    }

    /// Whether a binned row whose bin of the node's feature is `bin` goes left.
    #[inline]
    pub(crate) fn goes_left_binned(&self, node: &BoostNode, bin: u8) -> bool {
        if bin == MISSING_BIN {
            return node.missing_left;
        }
        if node.cat == NOT_CATEGORICAL {
            bin <= node.bin_threshold
        } else {
            self.cat_bitsets
                .get(node.cat as usize)
                .is_some_and(|set| bitset_contains(set, bin))
        }
    }

    /// The leaf a row reaches; `row` holds raw numeric values and mapped categorical bins.
    #[inline]
    pub(crate) fn leaf_of(&self, row: &[f64]) -> usize {
        let mut i = 0usize;
        loop {
            let node = &self.nodes[i];
            if node.is_leaf() {
                return i;
            }
            let x = row[node.feature as usize];
            i = if self.goes_left(node, x) {
                node.left as usize
            } else {
                node.right as usize
            };
        }
    }

    /// The leaf a binned row reaches; `bins(feature)` returns the row's bin of a feature.
    #[inline]
    pub(crate) fn leaf_of_binned(&self, bins: impl Fn(usize) -> u8) -> usize {
        let mut i = 0usize;
        loop {
            let node = &self.nodes[i];
            if node.is_leaf() {
                return i;
            }
            i = if self.goes_left_binned(node, bins(node.feature as usize)) {
                node.left as usize
            } else {
                node.right as usize
            };
        }
    }
}
