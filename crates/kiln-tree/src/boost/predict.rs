//! Prediction from a fitted ensemble: raw scores, leaf indices, feature importances and
//! per-feature contributions (TreeSHAP).

use ndarray::{Array1, Array2, Array3, ArrayView2};
use rayon::prelude::*;

use super::Importance;
use super::fit::Boosted;
use super::shap::{ShapScratch, tree_shap};

/// Rows per parallel task: the mapped rows of a block stay in cache while every tree is walked.
const BLOCK: usize = 128;

/// Rows walked through a tree in lockstep.
const LANES: usize = 16;

/// Batches from this many rows walk flattened trees; smaller ones walk the trees as stored.
const FLATTEN_FROM: usize = 64;

/// A node of the flattened walk: children are adjacent (`right = left + 1`) and a leaf points
/// to itself with an infinite threshold, so one step is `i = left + (x > thr)` without a
/// branch, and a row that reached its leaf stays there.
#[derive(Debug, Clone, Copy)]
struct Step {
    thr: f64,
    feature: u32,
    left: u32,
    /// Missing values go right.
    missing_right: bool,
}

/// The trees flattened for prediction; trees with a categorical split keep the generic walk.
struct Flat {
    steps: Vec<Step>,
    /// Each step's node value (a leaf's contribution).
    values: Vec<f64>,
    /// Per tree: its root in `steps` and the depth of its deepest leaf, or `None` for a tree
    /// walked generically.
    roots: Vec<Option<(u32, u32)>>,
}

impl Flat {
    fn new(b: &Boosted) -> Self {
        let total = b.trees.iter().map(|t| t.nodes.len()).sum();
        let mut steps = Vec::with_capacity(total);
        let mut values = Vec::with_capacity(total);
        let mut roots = Vec::with_capacity(b.trees.len());
        for tree in &b.trees {
            if tree
                .nodes
                .iter()
                .any(|n| !n.is_leaf() && n.cat != super::tree::NOT_CATEGORICAL)
            {
                roots.push(None);
                continue;
            }
            let base = steps.len() as u32;
            for (i, n) in tree.nodes.iter().enumerate() {
                values.push(n.value);
                steps.push(if n.is_leaf() {
                    Step {
                        thr: f64::INFINITY,
                        feature: 0,
                        left: base + i as u32,
                        missing_right: false,
                    }
                } else {
                    Step {
                        thr: n.threshold,
                        feature: n.feature,
                        left: base + n.left,
                        missing_right: !n.missing_left,
                    }
                });
            }
            roots.push(Some((base, tree.depth() as u32)));
        }
        Self {
            steps,
            values,
            roots,
        }
    }

    /// Adds tree `t`'s leaf values to `out[j]` for the rows of `buf` (`p` values each). With
    /// `NAN = false` the rows must hold no NaN: the step then skips the missing-value test.
    #[inline]
    fn add_tree<const NAN: bool>(
        &self,
        t: usize,
        buf: &[f64],
        p: usize,
        out: &mut [f64],
        stride: usize,
        at: usize,
    ) {
        let Some((root, depth)) = self.roots[t] else {
            return;
        };
        let steps = &self.steps;
        let rows = buf.len() / p.max(1);
        let mut j0 = 0;
        while j0 < rows {
            let lanes = LANES.min(rows - j0);
            let mut idx = [root; LANES];
            for _ in 0..depth {
                for (l, i) in idx.iter_mut().enumerate().take(lanes) {
                    let s = steps[*i as usize];
                    let x = buf[(j0 + l) * p + s.feature as usize];
                    let right = if NAN && x.is_nan() {
                        s.missing_right
                    } else {
                        x > s.thr
                    };
                    *i = s.left + u32::from(right);
                }
            }
            for (l, &i) in idx.iter().enumerate().take(lanes) {
                out[(j0 + l) * stride + at] += self.values[i as usize];
            }
            j0 += lanes;
        }
    }
}

impl Boosted {
    /// The raw scores (`rows × n_outputs`) of rows whose feature count the caller has checked.
    ///
    /// Each row starts at the baseline and adds its leaf of every tree in order, as the fit
    /// did, so the result does not depend on the number of threads.
    pub(crate) fn raw_predict(&self, x: ArrayView2<'_, f64>) -> Array2<f64> {
        let (n, p) = x.dim();
        let k = self.n_outputs;
        // Flattening costs a copy of every node: worth it for batches, not for the few rows
        // of a single request (a prediction service), which walk the trees as they are. Both
        // walks reach the same leaves and add them in the same order.
        let flat = (n >= FLATTEN_FROM).then(|| Flat::new(self));
        let mut out = vec![0.0; n * k];
        out.par_chunks_mut(BLOCK * k)
            .enumerate()
            .for_each(|(c, o)| {
                let start = c * BLOCK;
                let rows = o.len() / k;
                let mut buf = vec![0.0; rows * p];
                for j in 0..rows {
                    self.mapper.map_row(
                        x.row(start + j).iter().copied(),
                        &mut buf[j * p..(j + 1) * p],
                    );
                }
                for j in 0..rows {
                    o[j * k..(j + 1) * k].copy_from_slice(&self.baseline);
                }
                // A block without missing values walks without the NaN test (a value that is
                // not NaN goes the same way either way).
                let has_nan = buf.iter().any(|v| v.is_nan());
                for (t, tree) in self.trees.iter().enumerate() {
                    let c = t % k;
                    if let Some(flat) = flat.as_ref().filter(|f| f.roots[t].is_some()) {
                        if has_nan {
                            flat.add_tree::<true>(t, &buf, p, o, k, c);
                        } else {
                            flat.add_tree::<false>(t, &buf, p, o, k, c);
                        }
                    } else {
                        for j in 0..rows {
                            let leaf = tree.leaf_of(&buf[j * p..(j + 1) * p]);
                            o[j * k + c] += tree.nodes[leaf].value;
                        }
                    }
                }
            });
        Array2::from_shape_vec((n, k), out).unwrap_or_else(|_| Array2::zeros((n, k)))
    }

    /// The leaf index each row reaches in each tree (`rows × trees`).
    pub(crate) fn apply(&self, x: ArrayView2<'_, f64>) -> Array2<usize> {
        let (n, p) = x.dim();
        let t = self.trees.len();
        let mut out = vec![0usize; n * t];
        out.par_chunks_mut(t.max(1)).enumerate().for_each(|(i, o)| {
            let mut buf = vec![0.0; p];
            self.mapper.map_row(x.row(i).iter().copied(), &mut buf);
            for (slot, tree) in o.iter_mut().zip(&self.trees) {
                *slot = tree.leaf_of(&buf);
            }
        });
        Array2::from_shape_vec((n, t), out).unwrap_or_else(|_| Array2::zeros((n, t)))
    }

    /// Feature importances of the given kind.
    pub(crate) fn importances(&self, kind: Importance) -> Array1<f64> {
        let mut imp = Array1::<f64>::zeros(self.mapper.n_features());
        for tree in &self.trees {
            for node in tree.nodes.iter().filter(|n| !n.is_leaf()) {
                imp[node.feature as usize] += match kind {
                    Importance::Gain => node.gain,
                    Importance::Split => 1.0,
                };
            }
        }
        if kind == Importance::Gain {
            let total = imp.sum();
            if total > 0.0 {
                imp /= total;
            }
        }
        imp
    }

    /// SHAP values (`rows × n_outputs × (features + 1)`): the last entry of each output is the
    /// expected value (baseline plus each tree's mean leaf value), and each row's entries sum
    /// to its raw score.
    pub(crate) fn contributions(&self, x: ArrayView2<'_, f64>) -> Array3<f64> {
        let (n, p) = x.dim();
        let k = self.n_outputs;
        let width = k * (p + 1);
        let max_depth = self.trees.iter().map(|t| t.depth()).max().unwrap_or(0);
        let mut out = vec![0.0; n * width];
        // One row buffer and one TreeSHAP scratch per worker, reused from row to row.
        out.par_chunks_mut(width.max(1)).enumerate().for_each_init(
            || (vec![0.0; p], ShapScratch::new(max_depth)),
            |(buf, scratch), (i, o)| {
                self.mapper.map_row(x.row(i).iter().copied(), buf);
                for c in 0..k {
                    o[c * (p + 1) + p] = self.baseline[c];
                }
                for (t, tree) in self.trees.iter().enumerate() {
                    let c = t % k;
                    tree_shap(tree, buf, &mut o[c * (p + 1)..(c + 1) * (p + 1)], scratch);
                }
            },
        );
        Array3::from_shape_vec((n, k, p + 1), out).unwrap_or_else(|_| Array3::zeros((n, k, p + 1)))
    }
}
