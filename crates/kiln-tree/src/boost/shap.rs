//! Path-dependent TreeSHAP: exact Shapley values of one boosted tree's prediction for one row,
//! in time polynomial in the tree's size.
//!
//! The value of a feature subset `S` is the tree's path-dependent conditional expectation: walk
//! from the root; at a split on a feature in `S` follow the row; at any other split take the
//! average of both children weighted by their covers (training rows that reached them). The
//! Shapley values of that game sum, with the expected value `v(∅)`, to the leaf the row reaches.
//!
//! Enumerating subsets is exponential. Algorithm 2 of Lundberg, Erion & Lee instead walks every
//! root-to-leaf path once, keeping for the path's distinct features, per subset size, the
//! permutation-weighted share of subsets ("pweight"). Entering a split EXTENDs that table with
//! the split's feature: its "zero fraction" (the cover share of the branch, the weight when the
//! feature is not in `S`) and its "one fraction" (1 when the row takes the branch, 0 when not).
//! At a leaf, UNWINDing a feature out of the table gives the total weight of the subsets that
//! exclude it, and its contribution is that weight times `(one − zero) · leaf value`. A feature
//! met again lower on the path is first UNWOUND, then EXTENDed once with both splits'
//! fractions multiplied, so each feature appears once.
//!
//! The tables of all depths live in one buffer, level `d` at offset `d(d+1)/2`, so the walk of a
//! row allocates nothing once the [`ShapScratch`] is sized for the tree's depth.
//!
//! # References
//!
//! S. M. Lundberg, G. G. Erion and S.-I. Lee (2018). "Consistent individualized feature
//! attribution for tree ensembles". arXiv:1802.03888. Algorithm 2.

use super::tree::BoostTree;

/// One slot of the path table. `feature`, `zero` and `one` describe one distinct feature on the
/// current root-to-node path; `weight` belongs to the slot's position `i`: the permutation
/// weight of the subsets of `i` of the path's features.
#[derive(Debug, Clone, Copy, Default)]
struct PathElem {
    feature: u32,
    zero: f64,
    one: f64,
    weight: f64,
}

/// Reusable buffers for [`tree_shap`], so the per-row walk does not allocate.
#[derive(Debug, Clone, Default)]
pub(crate) struct ShapScratch {
    path: Vec<PathElem>,
}

impl ShapScratch {
    /// Buffers for trees up to `max_depth` deep (a single leaf has depth 0). A deeper tree
    /// still works: the buffers grow on first use and are kept.
    pub(crate) fn new(max_depth: usize) -> Self {
        Self {
            path: vec![PathElem::default(); level_start(max_depth + 1)],
        }
    }
}

/// Where the path table of recursion level `depth` starts; level `d` holds at most `d + 1`
/// elements (the root's placeholder and one per split above).
#[inline]
fn level_start(depth: usize) -> usize {
    depth * (depth + 1) / 2
}

/// Adds one tree's SHAP values for one row to `phi`.
///
/// `phi` has length `n_features + 1`: `phi[j]` receives feature `j`'s contribution and the last
/// entry, the bias, receives the tree's expected value (the cover-weighted mean of its leaf
/// values). `row` holds raw numeric values and, for categorical features, the mapped category
/// bin as `f64` (NaN when missing), exactly what [`BoostTree::goes_left`] takes; it must cover
/// every feature the tree splits on, and `phi` must be one longer than the largest such index.
///
/// Local accuracy holds: what this adds to `phi`, bias included, sums to the value of the leaf
/// the row reaches.
///
/// # Notes
///
/// Covers are `count` (training rows reaching a node), as in LightGBM. A branch's share is its
/// count over the sum of both children's counts (which is the parent's count in a grown tree),
/// so the shares sum to one exactly. A branch that no row reached (share 0) is skipped when the
/// row does not take it: it contributes nothing, and skipping avoids a 0/0 in UNWIND.
pub(crate) fn tree_shap(tree: &BoostTree, row: &[f64], phi: &mut [f64], scratch: &mut ShapScratch) {
    if tree.nodes.is_empty() || phi.is_empty() {
        return;
    }
    let mut walk = Walk {
        tree,
        row,
        phi,
        path: &mut scratch.path,
        expected: 0.0,
    };
    // The root's placeholder: fractions 1, a feature no split has.
    let root = PathElem {
        feature: u32::MAX,
        zero: 1.0,
        one: 1.0,
        weight: 0.0,
    };
    walk.recurse(0, 0, 0, root, 1.0);
    let expected = walk.expected;
    if let Some(bias) = phi.last_mut() {
        *bias += expected;
    }
}

/// The state of one row's walk over one tree.
struct Walk<'a> {
    tree: &'a BoostTree,
    row: &'a [f64],
    phi: &'a mut [f64],
    path: &'a mut Vec<PathElem>,
    /// The bias accumulated so far: Σ leaf value × cover share of reaching it.
    expected: f64,
}

impl Walk<'_> {
    /// RECURSE of Algorithm 2: enters `node` at recursion level `depth` through the split
    /// described by `incoming` (its feature and fractions; the weight is ignored). The parent's
    /// table is the first `parent_len` elements of level `depth - 1`. `reach` is the product
    /// of cover shares from the root.
    fn recurse(
        &mut self,
        node: usize,
        depth: usize,
        parent_len: usize,
        incoming: PathElem,
        reach: f64,
    ) {
        let start = level_start(depth);
        let needed = level_start(depth + 1);
        if self.path.len() < needed {
            self.path.resize(needed, PathElem::default());
        }
        let parent_start = level_start(depth.saturating_sub(1));
        self.path
            .copy_within(parent_start..parent_start + parent_len, start);
        let mut len = parent_len + 1;
        extend(&mut self.path[start..start + len], incoming);

        let tree = self.tree;
        let n = &tree.nodes[node];
        if n.is_leaf() {
            let path = &self.path[start..start + len];
            // Element 0 is the root's placeholder, not a feature.
            for (i, e) in path.iter().enumerate().skip(1) {
                let w = unwound_sum(path, i);
                self.phi[e.feature as usize] += w * (e.one - e.zero) * n.value;
            }
            self.expected += reach * n.value;
            return;
        }

        let (left, right) = (n.left as usize, n.right as usize);
        let (c_left, c_right) = (
            f64::from(tree.nodes[left].count),
            f64::from(tree.nodes[right].count),
        );
        let total = c_left + c_right;
        let (s_left, s_right) = if total > 0.0 {
            (c_left / total, c_right / total)
        } else {
            (0.5, 0.5)
        };
        let (hot, s_hot, cold, s_cold) = if tree.goes_left(n, self.row[n.feature as usize]) {
            (left, s_left, right, s_right)
        } else {
            (right, s_right, left, s_left)
        };

        // A feature already on the path: take it out and carry its fractions into this split.
        let (mut in_zero, mut in_one) = (1.0, 1.0);
        if let Some(k) = (1..len).find(|&i| self.path[start + i].feature == n.feature) {
            let e = self.path[start + k];
            (in_zero, in_one) = (e.zero, e.one);
            unwind(&mut self.path[start..start + len], k);
            len -= 1;
        }

        for (child, share, one) in [(hot, s_hot, in_one), (cold, s_cold, 0.0)] {
            let zero = in_zero * share;
            // Zero fractions of both kinds make every weight below zero (and UNWIND divide
            // by zero): the branch adds nothing.
            if zero == 0.0 && one == 0.0 {
                continue;
            }
            let incoming = PathElem {
                feature: n.feature,
                zero,
                one,
                weight: 0.0,
            };
            self.recurse(child, depth + 1, len, incoming, reach * share);
        }
    }
}

/// EXTEND of Algorithm 2: appends `incoming` (a feature with its fractions `zero` and `one`)
/// as the last of `path`, whose other elements are the current table, and updates the
/// per-size weights: each subset of the old features either leaves the new one out (weight ×
/// zero) or takes it in (weight × one, one size up), rescaled by the Shapley factor of the new
/// path length.
#[inline]
fn extend(path: &mut [PathElem], incoming: PathElem) {
    let l = path.len() - 1;
    let (zero, one) = (incoming.zero, incoming.one);
    path[l] = PathElem {
        weight: if l == 0 { 1.0 } else { 0.0 },
        ..incoming
    };
    let denom = (l + 1) as f64;
    for i in (0..l).rev() {
        path[i + 1].weight += one * path[i].weight * (i + 1) as f64 / denom;
        path[i].weight = zero * path[i].weight * (l - i) as f64 / denom;
    }
}

/// UNWIND of Algorithm 2, in place: removes element `k` from `path`, undoing its EXTEND (which
/// commutes with the others, so it can be undone as if it were the last). The last slot is
/// left stale; the caller shortens the path by one.
#[inline]
fn unwind(path: &mut [PathElem], k: usize) {
    let l = path.len();
    let lf = l as f64;
    let (zero, one) = (path[k].zero, path[k].one);
    if one != 0.0 {
        // Solve the EXTEND recurrence from the top size down.
        let mut next = path[l - 1].weight;
        for j in (0..l - 1).rev() {
            let old = path[j].weight;
            path[j].weight = next * lf / ((j + 1) as f64 * one);
            next = old - path[j].weight * zero * (l - 1 - j) as f64 / lf;
        }
    } else {
        for (j, e) in path.iter_mut().enumerate().take(l - 1) {
            e.weight = e.weight * lf / (zero * (l - 1 - j) as f64);
        }
    }
    for j in k..l - 1 {
        path[j].feature = path[j + 1].feature;
        path[j].zero = path[j + 1].zero;
        path[j].one = path[j + 1].one;
    }
}

/// The sum of the weights [`unwind`] would leave after removing element `k`, without writing
/// them: the total permutation weight of the subsets that exclude that feature.
#[inline]
fn unwound_sum(path: &[PathElem], k: usize) -> f64 {
    let l = path.len();
    let lf = l as f64;
    let (zero, one) = (path[k].zero, path[k].one);
    let mut total = 0.0;
    if one != 0.0 {
        let mut next = path[l - 1].weight;
        for j in (0..l - 1).rev() {
            let w = next * lf / ((j + 1) as f64 * one);
            total += w;
            next = path[j].weight - w * zero * (l - 1 - j) as f64 / lf;
        }
    } else {
        for (j, e) in path.iter().enumerate().take(l - 1) {
            total += e.weight * lf / (zero * (l - 1 - j) as f64);
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boost::tree::{BoostNode, CatBitset, NOT_CATEGORICAL, bitset_insert};
    use kiln_core::random::{KilnRng, rng_from_seed};
    use rand::Rng;

    /// A tree written as nested values; covers of internal nodes are the sums of their leaves'.
    enum Spec {
        Leaf(f64, u32),
        /// feature, threshold, missing_left, left, right
        Num(u32, f64, bool, Box<Spec>, Box<Spec>),
        /// feature, bins that go left, missing_left, left, right
        Cat(u32, Vec<u8>, bool, Box<Spec>, Box<Spec>),
    }

    fn leaf(value: f64, count: u32) -> Spec {
        Spec::Leaf(value, count)
    }

    fn num(feature: u32, threshold: f64, left: Spec, right: Spec) -> Spec {
        Spec::Num(feature, threshold, false, Box::new(left), Box::new(right))
    }

    fn build(spec: &Spec) -> BoostTree {
        let mut tree = BoostTree {
            nodes: Vec::new(),
            cat_bitsets: Vec::new(),
        };
        push(&mut tree, spec, 0);
        tree
    }

    /// Appends the subtree and returns its root's index.
    fn push(tree: &mut BoostTree, spec: &Spec, depth: u32) -> usize {
        let (feature, threshold, missing_left, bins, left, right) = match spec {
            Spec::Leaf(value, count) => {
                tree.nodes
                    .push(BoostNode::leaf(*value, *count, f64::from(*count), depth));
                return tree.nodes.len() - 1;
            }
            Spec::Num(f, t, m, l, r) => (*f, *t, *m, None, l, r),
            Spec::Cat(f, b, m, l, r) => (*f, 0.0, *m, Some(b), l, r),
        };
        let cat = bins.map_or(NOT_CATEGORICAL, |bins| {
            let mut set: CatBitset = [0; 4];
            for &b in bins {
                bitset_insert(&mut set, b);
            }
            tree.cat_bitsets.push(set);
            (tree.cat_bitsets.len() - 1) as u32
        });
        let at = tree.nodes.len();
        tree.nodes.push(BoostNode::leaf(0.0, 0, 0.0, depth));
        let l = push(tree, left, depth + 1);
        let r = push(tree, right, depth + 1);
        let count = tree.nodes[l].count + tree.nodes[r].count;
        let value = (f64::from(tree.nodes[l].count) * tree.nodes[l].value
            + f64::from(tree.nodes[r].count) * tree.nodes[r].value)
            / f64::from(count.max(1));
        tree.nodes[at] = BoostNode {
            left: l as u32,
            right: r as u32,
            feature,
            threshold,
            bin_threshold: 0,
            missing_left,
            cat,
            value,
            gain: 1.0,
            count,
            sum_hessian: f64::from(count),
            depth,
        };
        at
    }

    /// The path-dependent conditional expectation v(S), written straight from its definition:
    /// features in `mask` follow the row, the others average both children by cover.
    fn cond_exp(tree: &BoostTree, node: usize, row: &[f64], mask: usize) -> f64 {
        let n = &tree.nodes[node];
        if n.is_leaf() {
            return n.value;
        }
        let (l, r) = (n.left as usize, n.right as usize);
        if mask & (1 << n.feature) != 0 {
            let next = if tree.goes_left(n, row[n.feature as usize]) {
                l
            } else {
                r
            };
            cond_exp(tree, next, row, mask)
        } else {
            (f64::from(tree.nodes[l].count) * cond_exp(tree, l, row, mask)
                + f64::from(tree.nodes[r].count) * cond_exp(tree, r, row, mask))
                / f64::from(n.count)
        }
    }

    /// Exact Shapley values by enumerating every subset; the last entry is v(∅).
    fn brute_force(tree: &BoostTree, row: &[f64], n_features: usize) -> Vec<f64> {
        let values: Vec<f64> = (0..1usize << n_features)
            .map(|mask| cond_exp(tree, 0, row, mask))
            .collect();
        let factorial = |k: usize| (1..=k).map(|i| i as f64).product::<f64>();
        let mut phi = vec![0.0; n_features + 1];
        for (i, p) in phi.iter_mut().enumerate().take(n_features) {
            for mask in (0..1usize << n_features).filter(|m| m & (1 << i) == 0) {
                let s = mask.count_ones() as usize;
                let weight = factorial(s) * factorial(n_features - s - 1) / factorial(n_features);
                *p += weight * (values[mask | (1 << i)] - values[mask]);
            }
        }
        phi[n_features] = values[0];
        phi
    }

    fn shap(tree: &BoostTree, row: &[f64], n_features: usize) -> Vec<f64> {
        let mut phi = vec![0.0; n_features + 1];
        let mut scratch = ShapScratch::new(tree.depth());
        tree_shap(tree, row, &mut phi, &mut scratch);
        phi
    }

    fn assert_close(got: &[f64], want: &[f64], tol: f64, what: &str) {
        assert_eq!(got.len(), want.len(), "{what}");
        for (j, (g, w)) in got.iter().zip(want).enumerate() {
            assert!(
                (g - w).abs() <= tol,
                "{what}: phi[{j}] = {g}, expected {w} (all: {got:?} vs {want:?})"
            );
        }
    }

    fn assert_matches_brute_force(tree: &BoostTree, rows: &[Vec<f64>], what: &str) {
        for row in rows {
            let n = row.len();
            let got = shap(tree, row, n);
            let want = brute_force(tree, row, n);
            assert_close(&got, &want, 1e-12, &format!("{what}, row {row:?}"));
        }
    }

    #[test]
    fn stump_matches_hand_computed_values() {
        // E = (3·1 + 1·5) / 4 = 2; the feature moves the prediction from 2 to the leaf.
        let tree = build(&num(0, 0.5, leaf(1.0, 3), leaf(5.0, 1)));
        assert_close(
            &shap(&tree, &[0.0, 9.0], 2),
            &[-1.0, 0.0, 2.0],
            1e-15,
            "left",
        );
        assert_close(
            &shap(&tree, &[1.0, 9.0], 2),
            &[3.0, 0.0, 2.0],
            1e-15,
            "right",
        );
    }

    #[test]
    fn two_features_split_an_interaction_evenly() {
        // f(x) = 1 when x0 > 0.5 and x1 > 0.5, covers equal everywhere. For x = (1, 1):
        // v(∅) = 1/4, v({0}) = v({1}) = 1/2, v({0, 1}) = 1, so each feature gets 3/8.
        let tree = build(&num(
            0,
            0.5,
            num(1, 0.5, leaf(0.0, 1), leaf(0.0, 1)),
            num(1, 0.5, leaf(0.0, 1), leaf(1.0, 1)),
        ));
        let want = [0.375, 0.375, 0.25];
        assert_close(&shap(&tree, &[1.0, 1.0], 2), &want, 1e-15, "x = (1, 1)");
    }

    #[test]
    fn depth_two_tree_matches_brute_force() {
        let tree = build(&num(
            0,
            0.5,
            num(1, 0.3, leaf(1.0, 10), leaf(-2.0, 5)),
            num(2, 0.7, leaf(4.0, 2), leaf(0.5, 7)),
        ));
        let rows = [
            vec![0.2, 0.1, 0.9],
            vec![0.2, 0.9, 0.1],
            vec![0.8, 0.1, 0.1],
            vec![0.8, 0.9, 0.9],
        ];
        assert_matches_brute_force(&tree, &rows, "depth 2");
    }

    #[test]
    fn repeated_features_on_a_path_match_brute_force() {
        // Feature 0 splits at depths 0, 2 and 3 on one path (hot then cold then hot for some
        // rows), feature 1 at depths 1 and 3.
        let tree = build(&num(
            0,
            0.5,
            num(
                1,
                0.4,
                num(
                    0,
                    0.2,
                    num(1, 0.1, leaf(3.0, 4), leaf(-1.0, 6)),
                    num(0, 0.35, leaf(2.0, 3), leaf(7.0, 2)),
                ),
                leaf(0.25, 9),
            ),
            num(
                2,
                0.6,
                num(0, 0.8, leaf(-3.0, 5), leaf(1.5, 8)),
                leaf(6.0, 1),
            ),
        ));
        let mut rows = Vec::new();
        for x0 in [0.1, 0.3, 0.4, 0.7, 0.9] {
            for x1 in [0.05, 0.2, 0.6] {
                for x2 in [0.5, 0.9] {
                    rows.push(vec![x0, x1, x2, 0.0]);
                }
            }
        }
        assert_matches_brute_force(&tree, &rows, "repeated features");
    }

    #[test]
    fn categorical_split_and_missing_values_match_brute_force() {
        // Feature 1 is categorical (bins 0, 2 and 5 go left); missing values go left at the
        // root and right at the categorical node and at feature 2's split.
        let cat = Spec::Cat(
            1,
            vec![0, 2, 5],
            false,
            Box::new(num(2, 1.5, leaf(1.0, 3), leaf(2.5, 4))),
            Box::new(leaf(-4.0, 6)),
        );
        let tree = build(&Spec::Num(
            0,
            0.0,
            true,
            Box::new(cat),
            Box::new(num(1, 3.0, leaf(0.5, 2), leaf(9.0, 5))),
        ));
        let nan = f64::NAN;
        let mut rows = Vec::new();
        for x0 in [-1.0, 1.0, nan] {
            for x1 in [0.0, 1.0, 2.0, 5.0, 7.0, nan] {
                for x2 in [1.0, 2.0, nan] {
                    rows.push(vec![x0, x1, x2]);
                }
            }
        }
        assert_matches_brute_force(&tree, &rows, "categorical and missing");
        // The NaN row follows missing_left into the categorical subtree.
        let phi = shap(&tree, &[nan, 2.0, 1.0], 3);
        assert!((phi.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn branches_no_training_row_reached_match_brute_force() {
        // Leaves with cover 0, on paths the row takes and on paths it does not, one below a
        // repeated feature.
        let tree = build(&num(
            0,
            0.5,
            num(
                1,
                0.5,
                num(0, 0.2, leaf(3.0, 0), leaf(1.0, 4)),
                leaf(2.0, 3),
            ),
            num(1, 0.5, leaf(-1.0, 0), leaf(5.0, 2)),
        ));
        let mut rows = Vec::new();
        for x0 in [0.1, 0.3, 0.9] {
            for x1 in [0.1, 0.9] {
                rows.push(vec![x0, x1]);
            }
        }
        assert_matches_brute_force(&tree, &rows, "zero covers");
    }

    #[test]
    fn single_leaf_puts_everything_in_the_bias() {
        let tree = build(&leaf(2.5, 10));
        let rows = [vec![0.0, 1.0], vec![f64::NAN, -3.0]];
        assert_matches_brute_force(&tree, &rows, "single leaf");
        assert_eq!(shap(&tree, &rows[0], 2), vec![0.0, 0.0, 2.5]);
    }

    /// A random tree on `n_features` features, the last two categorical (bins 0..8).
    fn random_spec(rng: &mut KilnRng, n_features: u32, depth: u32, max_depth: u32) -> Spec {
        if depth == max_depth || (depth > 0 && rng.random_bool(0.2)) {
            return leaf(rng.random_range(-1.0..1.0), rng.random_range(1..50));
        }
        let feature = rng.random_range(0..n_features);
        let missing_left = rng.random_bool(0.5);
        let left = Box::new(random_spec(rng, n_features, depth + 1, max_depth));
        let right = Box::new(random_spec(rng, n_features, depth + 1, max_depth));
        if feature + 2 >= n_features {
            let bins = (0..8).filter(|_| rng.random_bool(0.5)).collect();
            Spec::Cat(feature, bins, missing_left, left, right)
        } else {
            let threshold = rng.random_range(0.0..1.0);
            Spec::Num(feature, threshold, missing_left, left, right)
        }
    }

    fn random_row(rng: &mut KilnRng, n_features: u32) -> Vec<f64> {
        (0..n_features)
            .map(|j| {
                if rng.random_bool(0.1) {
                    f64::NAN
                } else if j + 2 >= n_features {
                    f64::from(rng.random_range(0..8u8))
                } else {
                    rng.random_range(0.0..1.0)
                }
            })
            .collect()
    }

    #[test]
    fn random_small_trees_match_brute_force() {
        let mut rng = rng_from_seed(11);
        for t in 0..40 {
            let tree = build(&random_spec(&mut rng, 5, 0, 5));
            let rows: Vec<Vec<f64>> = (0..8).map(|_| random_row(&mut rng, 5)).collect();
            assert_matches_brute_force(&tree, &rows, &format!("random tree {t}"));
        }
    }

    #[test]
    fn contributions_sum_to_the_leaf_reached() {
        let mut rng = rng_from_seed(12);
        let n_features = 12;
        let tree = build(&random_spec(&mut rng, n_features, 0, 10));
        assert!(tree.depth() >= 6, "a deep tree: depth {}", tree.depth());
        let mut scratch = ShapScratch::new(tree.depth());
        let mut phi = vec![0.0; n_features as usize + 1];
        for _ in 0..200 {
            let row = random_row(&mut rng, n_features);
            phi.fill(0.0);
            tree_shap(&tree, &row, &mut phi, &mut scratch);
            let leaf_value = tree.nodes[tree.leaf_of(&row)].value;
            let total: f64 = phi.iter().sum();
            assert!(
                (total - leaf_value).abs() < 1e-12,
                "sum {total} vs leaf {leaf_value} for {row:?}"
            );
        }
    }

    #[test]
    fn bias_is_the_cover_weighted_mean_of_the_leaves() {
        let mut rng = rng_from_seed(13);
        for _ in 0..10 {
            let tree = build(&random_spec(&mut rng, 6, 0, 7));
            let leaves = tree.nodes.iter().filter(|n| n.is_leaf());
            let (weighted, cover) = leaves.fold((0.0, 0.0), |(s, c), n| {
                (s + f64::from(n.count) * n.value, c + f64::from(n.count))
            });
            let row = random_row(&mut rng, 6);
            let phi = shap(&tree, &row, 6);
            assert!((phi[6] - weighted / cover).abs() < 1e-12);
        }
    }

    #[test]
    fn calls_accumulate_and_an_undersized_scratch_grows() {
        let mut rng = rng_from_seed(14);
        let a = build(&random_spec(&mut rng, 5, 0, 6));
        let b = build(&random_spec(&mut rng, 5, 0, 6));
        let row = random_row(&mut rng, 5);
        let (phi_a, phi_b) = (shap(&a, &row, 5), shap(&b, &row, 5));
        let mut scratch = ShapScratch::new(0);
        let mut phi = vec![0.0; 6];
        tree_shap(&a, &row, &mut phi, &mut scratch);
        tree_shap(&b, &row, &mut phi, &mut scratch);
        let want: Vec<f64> = phi_a.iter().zip(&phi_b).map(|(x, y)| x + y).collect();
        assert_close(&phi, &want, 1e-12, "two trees");
    }
}
