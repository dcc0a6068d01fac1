//! Minimal cost-complexity pruning (Breiman et al. 1984, ch. 3.3), as scikit-learn's
//! `_cost_complexity_prune`.
//!
//! With `R(t) = w_t · impurity_t / w_root` the weighted risk of node `t` as a leaf and
//! `R(T_t)` the summed risk of the leaves below it, the *effective alpha* of an internal node
//! is `(R(t) − R(T_t)) / (|leaves(T_t)| − 1)`. The weakest link (smallest effective alpha; the
//! lowest node index on ties) is pruned repeatedly; `ccp_alpha` prunes every link whose
//! effective alpha is at most `ccp_alpha`.

use super::nodes::{LEAF, Tree, UNDEFINED_THRESHOLD};

/// The sequence of weakest-link prunings: the effective alpha of each step (starting with 0
/// for the unpruned tree) and the total leaf impurity after it.
pub(crate) struct PruneSteps {
    pub(crate) alphas: Vec<f64>,
    pub(crate) impurities: Vec<f64>,
    /// Which kept nodes are leaves of the pruned tree.
    pub(crate) leaf: Vec<bool>,
}

/// Prunes `tree` while the weakest link's effective alpha is at most `ccp_alpha`
/// (`f64::INFINITY` prunes down to the root and records the whole path).
pub(crate) fn prune_steps(tree: &Tree, ccp_alpha: f64) -> PruneSteps {
    let nodes = &tree.nodes;
    let n = nodes.len();
    let w_root = nodes.first().map_or(1.0, |r| r.weighted_n_samples);
    let r_node: Vec<f64> = nodes
        .iter()
        .map(|t| t.weighted_n_samples * t.impurity / w_root)
        .collect();
    let mut parent = vec![usize::MAX; n];
    for (i, t) in nodes.iter().enumerate() {
        if t.left != LEAF {
            parent[t.left as usize] = i;
            parent[t.right as usize] = i;
        }
    }
    let mut is_leaf: Vec<bool> = nodes.iter().map(|t| t.left == LEAF).collect();
    let mut r_branch = vec![0.0; n];
    let mut n_leaves = vec![0usize; n];
    for leaf in (0..n).filter(|&i| is_leaf[i]) {
        r_branch[leaf] = r_node[leaf];
        let mut i = leaf;
        while i != 0 && parent[i] != usize::MAX {
            i = parent[i];
            r_branch[i] += r_node[leaf];
            n_leaves[i] += 1;
        }
    }
    let mut candidate: Vec<bool> = is_leaf.iter().map(|l| !l).collect();
    let mut in_tree = vec![true; n];
    let mut alphas = vec![0.0];
    let mut impurities = vec![r_branch.first().copied().unwrap_or(0.0)];
    let mut stack = Vec::new();
    while candidate.first().copied().unwrap_or(false) {
        let mut best = f64::MAX;
        let mut weakest = 0;
        for i in (0..n).filter(|&i| candidate[i]) {
            let a = (r_node[i] - r_branch[i]) / (n_leaves[i] as f64 - 1.0);
            if a < best {
                best = a;
                weakest = i;
            }
        }
        if ccp_alpha < best {
            break;
        }
        stack.push(weakest);
        while let Some(i) = stack.pop() {
            if !in_tree[i] {
                continue;
            }
            candidate[i] = false;
            is_leaf[i] = false;
            in_tree[i] = false;
            if nodes[i].left != LEAF {
                stack.push(nodes[i].left as usize);
                stack.push(nodes[i].right as usize);
            }
        }
        is_leaf[weakest] = true;
        in_tree[weakest] = true;
        let pruned_leaves = n_leaves[weakest] - 1;
        n_leaves[weakest] = 0;
        let diff = r_node[weakest] - r_branch[weakest];
        r_branch[weakest] = r_node[weakest];
        let mut i = parent[weakest];
        while i != usize::MAX {
            n_leaves[i] -= pruned_leaves;
            r_branch[i] += diff;
            i = parent[i];
        }
        alphas.push(best);
        impurities.push(r_branch[0]);
    }
    PruneSteps {
        alphas,
        impurities,
        leaf: is_leaf,
    }
}

/// The tree pruned with `ccp_alpha`, renumbered in pre-order.
pub(crate) fn prune(tree: &Tree, ccp_alpha: f64) -> Tree {
    if tree.nodes.is_empty() {
        return tree.clone();
    }
    let steps = prune_steps(tree, ccp_alpha);
    let k = tree.n_outputs;
    let mut out = Tree::new(k);
    // (original node, parent in `out`, is_left)
    let mut stack = vec![(0usize, usize::MAX, false)];
    while let Some((i, parent, is_left)) = stack.pop() {
        let mut node = tree.nodes[i].clone();
        let leaf = steps.leaf[i] || node.left == LEAF;
        let (l, r) = (node.left as usize, node.right as usize);
        if leaf {
            node.left = LEAF;
            node.right = LEAF;
            node.threshold = UNDEFINED_THRESHOLD;
            node.missing_left = false;
            node.feature = 0;
        }
        let id = out.push_leaf(node, &tree.values[i * k..i * k + k]);
        // Restore the child links after the children are numbered.
        out.nodes[id].left = LEAF;
        out.nodes[id].right = LEAF;
        if parent != usize::MAX {
            let p = &mut out.nodes[parent];
            if is_left {
                p.left = id as u32;
            } else {
                p.right = id as u32;
            }
        }
        if !leaf {
            stack.push((r, id, false));
            stack.push((l, id, true));
        }
    }
    out
}
