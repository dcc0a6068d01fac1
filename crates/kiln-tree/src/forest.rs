//! Random forests ([`RandomForestClassifier`], [`RandomForestRegressor`]) and forests of
//! extremely randomized trees ([`ExtraTreesClassifier`], [`ExtraTreesRegressor`], whose splits
//! draw one random threshold per feature and whose trees see every row by default).
//!
//! All bag the decision-tree builder of [`crate::tree`]: each tree is grown on a bootstrap
//! sample passed as multiplicity weights (a row drawn `k` times weighs `k` times its sample
//! weight, so `X` is shared and never copied), with `max_features` features drawn anew at
//! every split. Tree `i` takes every random choice from
//! [`task_rng`]`(seed, i)`, trees are grown in parallel and
//! collected in order, and predictions sum the trees in order row by row, so a forest and its
//! predictions are identical for a seed whatever the number of threads. The first prediction
//! builds a flattened copy of the trees (32 bytes per node) that the fitted model keeps for the
//! predictions after it; the copy is not saved and does not take part in equality.

mod classifier;
mod extra;
mod regressor;

use kiln_core::check::check_param;
use kiln_core::random::task_rng;
use kiln_core::{Error, Result};
use ndarray::{Array1, ArrayView2, Axis};
use rand::Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

use crate::boost::bin::{BinMapper, Binned};
use crate::tree::Tree;
use crate::tree::builder::{GrowConfig, GrowData, grow_in};
use crate::tree::criterion::{Impurity, TargetData};
use crate::tree::hist::{HistRows, bin_features};
use crate::tree::params::Growth;
use crate::tree::params::Splitter;
use crate::tree::presort::SortedColumns;
use crate::tree::random::{RandomData, RandomRows};
use crate::tree::splitter::Layout;
pub use crate::tree::{HISTOGRAM_ROWS, SplitSearch};

pub use classifier::{
    FittedForestClassifier, FittedRandomForestClassifier, ForestClassWeight, RandomForestClassifier,
};
pub use extra::{
    ExtraTreesClassifier, ExtraTreesRegressor, FittedExtraTreesClassifier,
    FittedExtraTreesRegressor,
};
pub use regressor::{FittedForestRegressor, FittedRandomForestRegressor, RandomForestRegressor};

/// The parameter type of a forest ([`RandomForestClassifier`], [`ExtraTreesClassifier`], ...):
/// what its fitted model ([`FittedForestClassifier`], [`FittedForestRegressor`]) keeps and
/// saves, with the kind recorded in a saved model.
pub trait ForestParams:
    kiln_core::Params + Clone + PartialEq + std::fmt::Debug + Serialize + serde::de::DeserializeOwned
{
    /// The model kind of a saved forest ([`kiln_core::persist::Persist::KIND`]).
    const KIND: &'static str;
}

/// The `with_*` setters every forest shares (fields of the same names on each; each type's
/// `# Parameters` gives its defaults).
macro_rules! forest_setters {
    () => {
        /// Sets `n_estimators`, the number of trees (by default, `100`).
        #[must_use]
        pub fn with_n_estimators(mut self, n: usize) -> Self {
            self.n_estimators = n;
            self
        }

        /// Sets `bootstrap`: grow each tree on a bootstrap sample instead of all rows (the
        /// default is the type's: `true` for random forests, `false` for extra trees).
        #[must_use]
        pub fn with_bootstrap(mut self, bootstrap: bool) -> Self {
            self.bootstrap = bootstrap;
            self
        }

        /// Sets `max_samples`, the draws per bootstrap sample (by default, as many as rows).
        #[must_use]
        pub fn with_max_samples(mut self, max_samples: $crate::forest::MaxSamples) -> Self {
            self.max_samples = max_samples;
            self
        }

        /// Sets `oob_score`: compute the out-of-bag score at fit (by default, `false`).
        #[must_use]
        pub fn with_oob_score(mut self, oob_score: bool) -> Self {
            self.oob_score = oob_score;
            self
        }
    };
}
pub(crate) use forest_setters;

/// How many rows each tree's bootstrap sample draws (scikit-learn's `max_samples`).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub enum MaxSamples {
    /// As many draws as there are rows (scikit-learn's `None`, the default).
    #[default]
    All,
    /// This many draws, in `1..=n_samples`.
    Count(usize),
    /// `max(1, round(fraction · n_samples))` draws, with the fraction in `(0, 1]`.
    Fraction(f64),
}

/// The parameters both forests share, checked and resolved in one place.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    pub(crate) n_estimators: usize,
    /// The parameters of each tree (checked and resolved as the single trees' are; a forest's
    /// trees are not pruned, so `ccp_alpha` is 0).
    pub(crate) growth: Growth,
    pub(crate) bootstrap: bool,
    pub(crate) max_samples: MaxSamples,
    pub(crate) oob_score: bool,
}

impl Settings {
    pub(crate) fn validate(&self, est: &str) -> Result<()> {
        check_param(
            est,
            "n_estimators",
            self.n_estimators,
            // The forest's tree list is allocated up front: usize::MAX aborted it (found by
            // probing). 2^24 trees is far past any useful forest.
            (1..=1 << 24).contains(&self.n_estimators),
            "an int in the range [1, 16777216]",
        )?;
        self.growth.validate(est)?;
        match self.max_samples {
            MaxSamples::All => {}
            MaxSamples::Count(c) => check_param(
                est,
                "max_samples",
                c,
                c >= 1,
                "an int in the range [1, n_samples], a float in (0.0, 1.0] or None",
            )?,
            MaxSamples::Fraction(f) => check_param(
                est,
                "max_samples",
                f,
                f > 0.0 && f <= 1.0,
                "an int in the range [1, n_samples], a float in (0.0, 1.0] or None",
            )?,
        }
        if !self.bootstrap && self.max_samples != MaxSamples::All {
            return Err(Error::invalid_param(
                est,
                "max_samples",
                "must be None when bootstrap is false (there is no sample to size)",
            ));
        }
        if !self.bootstrap && self.oob_score {
            return Err(Error::invalid_param(
                est,
                "oob_score",
                "is only available when bootstrap is true (no row is out of bag otherwise)",
            ));
        }
        Ok(())
    }

    /// The number of bootstrap draws per tree for `n_samples` rows.
    fn n_draws(&self, est: &str, n_samples: usize) -> Result<usize> {
        Ok(match self.max_samples {
            MaxSamples::All => n_samples,
            MaxSamples::Count(c) => {
                check_param(
                    est,
                    "max_samples",
                    c,
                    c <= n_samples,
                    &format!("an int in the range [1, n_samples={n_samples}]"),
                )?;
                c
            }
            MaxSamples::Fraction(f) => ((f * n_samples as f64).round() as usize).max(1),
        })
    }

    fn config(&self, est: &str, n_features: usize) -> Result<GrowConfig> {
        self.growth.config(est, n_features)
    }
}

/// The [`Settings`] of a forest from the fields every forest has (`$p.n_estimators`, the
/// growth fields, `bootstrap`, `max_samples`, `oob_score`, `seed`), with the trees' split
/// search and splitter.
macro_rules! forest_settings {
    ($p:expr, $split_search:expr, $splitter:expr) => {
        $crate::forest::Settings {
            n_estimators: $p.n_estimators,
            growth: $crate::tree::params::Growth {
                max_depth: $p.max_depth,
                min_samples_split: $p.min_samples_split,
                min_samples_leaf: $p.min_samples_leaf,
                max_features: $p.max_features,
                max_leaf_nodes: $p.max_leaf_nodes,
                min_impurity_decrease: $p.min_impurity_decrease,
                ccp_alpha: 0.0,
                seed: $p.seed,
                split_search: $split_search,
                splitter: $splitter,
            },
            bootstrap: $p.bootstrap,
            max_samples: $p.max_samples,
            oob_score: $p.oob_score,
        }
    };
}
pub(crate) use forest_settings;

/// One grown tree and the rows it did not see (empty unless the OOB score was asked for).
pub(crate) struct GrownTree {
    pub(crate) tree: Tree,
    pub(crate) oob_rows: Vec<u32>,
}

/// Rescales the weights of one tree's sample given the bootstrap multiplicities (used for
/// `balanced_subsample`).
pub(crate) type Reweigh<'r> = &'r (dyn Fn(&[u32], &mut [f64]) + Sync);

/// Grows `settings.n_estimators` trees in parallel, in tree order.
///
/// `weights` holds one weight per row (sample weight times class weight).
pub(crate) fn grow_forest(
    est: &str,
    settings: &Settings,
    x: ArrayView2<'_, f64>,
    weights: &[f64],
    target: TargetData<'_>,
    kind: Impurity,
    reweigh: Option<Reweigh<'_>>,
) -> Result<Vec<GrownTree>> {
    let n = x.nrows();
    if n >= u32::MAX as usize {
        return Err(Error::Unsupported {
            estimator: est.to_owned(),
            what: format!("{n} rows (at most {} are supported)", u32::MAX - 1),
        });
    }
    let n_draws = settings.n_draws(est, n)?;
    let base_cfg = settings.config(est, x.ncols())?;
    if !weights.iter().any(|&w| w > 0.0) {
        return Err(Error::InvalidValue {
            what: "sample_weight".into(),
            row: None,
            reason: "every row has weight 0 once class weights are applied".into(),
        });
    }
    // Exact: every feature is sorted once for the whole forest; each tree keeps the rows it
    // drew, in that order (O(n·p) per tree instead of a sort). Histogram: every feature is
    // binned once.
    let classification = matches!(target, TargetData::Classes { .. });
    let prepared = if settings.growth.splitter == Splitter::Random {
        crate::tree::random::check_f32_range(x)?;
        Prepared::Random(RandomData::new(x))
    } else if settings
        .growth
        .split_search
        .histogram_for(n, classification)
    {
        let (mapper, binned) = bin_features(x, weights, settings.growth.seed)?;
        Prepared::Binned(mapper, binned)
    } else {
        let all_rows: Vec<u32> = (0..n as u32).collect();
        Prepared::Sorted(SortedColumns::new(x, &all_rows))
    };
    let trees = (0..settings.n_estimators)
        .into_par_iter()
        .map(|i| {
            let mut rng = task_rng(settings.growth.seed, i as u64);
            let mut counts = vec![0u32; n];
            if settings.bootstrap {
                for _ in 0..n_draws {
                    counts[rng.random_range(0..n)] += 1;
                }
            } else {
                counts.fill(1);
            }
            let mut w: Vec<f64> = weights
                .iter()
                .zip(&counts)
                .map(|(&w, &c)| w * f64::from(c))
                .collect();
            if let Some(f) = reweigh {
                f(&counts, &mut w);
            }
            let rows: Vec<u32> = (0..n as u32).filter(|&r| w[r as usize] > 0.0).collect();
            let mut cfg = base_cfg.clone();
            cfg.seed = rng.random::<u64>();
            // A bootstrap sample whose drawn rows all weigh 0 gives a tree of one empty leaf;
            // the builder needs at least one row, so such a tree predicts from all rows.
            let tree = if rows.is_empty() {
                let all: Vec<u32> = (0..n as u32)
                    .filter(|&r| weights[r as usize] > 0.0)
                    .collect();
                grow_on(x, &prepared, &all, weights, target, kind, &cfg)
            } else {
                grow_on(x, &prepared, &rows, &w, target, kind, &cfg)
            };
            let oob_rows = if settings.oob_score {
                (0..n as u32).filter(|&r| counts[r as usize] == 0).collect()
            } else {
                Vec::new()
            };
            GrownTree { tree, oob_rows }
        })
        .collect();
    Ok(trees)
}

/// What the trees of a forest share: the sorted features, the binned ones, or (for random
/// splits) the features in `f32`.
enum Prepared {
    Sorted(SortedColumns),
    Binned(BinMapper, Binned),
    Random(RandomData),
}

/// Grows one tree on `rows` (ascending) with `weights` indexed by row.
fn grow_on(
    x: ArrayView2<'_, f64>,
    prepared: &Prepared,
    rows: &[u32],
    weights: &[f64],
    target: TargetData<'_>,
    kind: Impurity,
    cfg: &GrowConfig,
) -> Tree {
    let data = GrowData {
        x,
        rows,
        weights,
        target,
        kind,
    };
    let layout = match prepared {
        Prepared::Sorted(sorted) => {
            let mut keep = vec![false; x.nrows()];
            for &r in rows {
                keep[r as usize] = true;
            }
            Layout::Sorted(sorted.filtered(&keep))
        }
        Prepared::Binned(mapper, binned) => Layout::Hist(HistRows::new(
            binned,
            &mapper.thresholds,
            &mapper.n_bins,
            rows,
            weights,
            target,
        )),
        Prepared::Random(values) => Layout::Random(RandomRows::new(values, rows, weights, target)),
    };
    grow_in(&data, layout, cfg)
}

/// The mean of the trees' normalized importances, renormalized to sum to 1 (all 0 when every
/// tree is a single leaf), as scikit-learn's `feature_importances_`.
pub(crate) fn mean_importances(trees: &[Tree], n_features: usize) -> Array1<f64> {
    let mut sum = Array1::<f64>::zeros(n_features);
    for t in trees.iter().filter(|t| t.node_count() > 1) {
        sum += &t.feature_importances(n_features);
    }
    let total = sum.sum();
    if total > 0.0 {
        sum /= total;
    }
    sum
}

/// Rows per parallel chunk of forest prediction. Every row of a chunk walks one tree before the
/// chunk moves to the next, so the more rows a chunk has, the fewer times each tree's nodes are
/// brought in from memory (1,024-row chunks made multiclass_50k's 100-tree predict take 1.21 s,
/// 16,384-row ones 0.77 s). The chunk's copy of `x` is kept near 4 MiB (between 1,024 and
/// 16,384 rows), and the chunks are evened out over the threads. Each row's sum runs over the
/// trees in order whatever the chunking, so the chunk size never changes a prediction.
fn predict_chunk(n_rows: usize, n_features: usize) -> usize {
    let by_bytes = (4 << 20) / (8 * n_features.max(1));
    let cap = by_bytes.clamp(1024, 16_384);
    let threads = rayon::current_num_threads().max(1);
    let n_chunks = n_rows.div_ceil(cap).div_ceil(threads) * threads;
    n_rows.div_ceil(n_chunks.max(1)).max(1)
}

/// A fitted forest's trees flattened for prediction: built (in parallel) by the first
/// prediction and kept with the model, since flattening a 100-tree forest took about 30 ms,
/// a tenth of predicting 100k rows. It is not saved (a loaded model builds it again) and it
/// holds nothing a model's identity depends on, so any two caches compare equal.
#[derive(Default, Clone)]
pub(crate) struct FlatCache(OnceLock<Vec<FlatTree>>);

impl FlatCache {
    /// The flattened trees for rows of `p` features, built on the first call.
    ///
    /// They are built outside the cell's initializer: a rayon thread waiting on the parallel
    /// build may run another queued task, and one that predicted with the same model would
    /// then re-enter the initializer and deadlock (rayon-rs/rayon#1251). Two first calls may
    /// both build; the first to finish is kept (the two are equal).
    fn get(&self, trees: &[Tree], p: usize) -> &[FlatTree] {
        if let Some(flat) = self.0.get() {
            return flat;
        }
        let built: Vec<FlatTree> = trees.par_iter().map(|t| FlatTree::new(t, p)).collect();
        self.0.get_or_init(|| built)
    }
}

impl PartialEq for FlatCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for FlatCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() {
            "FlatCache(built)"
        } else {
            "FlatCache(empty)"
        })
    }
}

/// Sums over trees (in tree order) each tree's leaf value for each row of `x`, divided by
/// the number of trees: `out` is n_rows × n_outputs, row-major. `cache` belongs to the model
/// that owns `trees`, whose feature count `x` has.
pub(crate) fn mean_leaf_values(
    trees: &[Tree],
    cache: &FlatCache,
    x: ArrayView2<'_, f64>,
    n_outputs: usize,
) -> Vec<f64> {
    let p = x.ncols();
    let flat = cache.get(trees, p);
    let mut out = vec![0.0; x.nrows() * n_outputs];
    let rows_per_chunk = predict_chunk(x.nrows(), p);
    let chunk_out = rows_per_chunk * n_outputs;
    let work = |(xc, oc): (ArrayView2<'_, f64>, &mut [f64])| {
        // The block's rows, contiguous, so that a lane's feature is one indexed load.
        let stride = p + 1;
        let n_groups = xc.nrows().div_ceil(LANES);
        let mut buf = Vec::with_capacity(n_groups * stride * LANES);
        for g in 0..n_groups {
            let last = ((g + 1) * LANES).min(xc.nrows()) - 1;
            for f in 0..stride {
                for l in 0..LANES {
                    let r = (g * LANES + l).min(last);
                    buf.push(if f < p { xc[[r, f]] } else { f64::NEG_INFINITY });
                }
            }
        }
        // A block without missing values walks without the NaN test (measured 15-30% faster
        // on the benchmark forests); a value that is not NaN goes the same way either way.
        let has_nan = buf.iter().any(|v| v.is_nan());
        for (t, f) in trees.iter().zip(flat) {
            if has_nan {
                f.add_leaf_values::<true>(t, &buf, stride, oc, n_outputs);
            } else {
                f.add_leaf_values::<false>(t, &buf, stride, oc, n_outputs);
            }
        }
    };
    let pairs = x
        .axis_chunks_iter(Axis(0), rows_per_chunk)
        .into_par_iter()
        .zip(out.par_chunks_mut(chunk_out));
    if x.nrows() * trees.len() >= 50_000 {
        pairs.for_each(work);
    } else {
        x.axis_chunks_iter(Axis(0), rows_per_chunk)
            .zip(out.chunks_mut(chunk_out))
            .for_each(work);
    }
    let k = trees.len() as f64;
    for v in &mut out {
        *v /= k;
    }
    out
}

/// Rows walked through a tree in lockstep.
const LANES: usize = 8;

/// A tree flattened for prediction. Each row buffer carries one extra column, always `-inf`,
/// and a leaf tests that column against its own value: `-inf <= v` always holds, so a step
/// `i = if x <= thr { left } else { right }` needs no branch and a row that reached its leaf
/// stays there (the leaf's `left` is itself). `LANES` rows walk together and stop when none
/// moved. A leaf's first two values live in its own step (`thr`, `aux`), which the walk has
/// just read, so trees with one or two outputs (regression, binary classification) add their
/// leaf values without another cache miss; wider leaves read `Tree::values`.
#[derive(Clone)]
struct FlatTree {
    steps: Vec<FlatStep>,
}

#[derive(Clone, Copy)]
struct FlatStep {
    thr: f64,
    aux: f64,
    feature: u32,
    left: u32,
    right: u32,
    missing_left: bool,
}

impl FlatTree {
    /// `p` is the number of features: a leaf's step reads column `p`, the `-inf` one.
    fn new(t: &Tree, p: usize) -> Self {
        let width = t.n_outputs();
        let steps = t
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| {
                if n.is_leaf() {
                    let v = &t.values[i * width..(i + 1) * width];
                    FlatStep {
                        thr: v.first().copied().unwrap_or(0.0),
                        aux: v.get(1).copied().unwrap_or(0.0),
                        feature: p as u32,
                        left: i as u32,
                        right: i as u32,
                        missing_left: true,
                    }
                } else {
                    FlatStep {
                        thr: n.threshold,
                        aux: 0.0,
                        feature: n.feature,
                        left: n.left,
                        right: n.right,
                        missing_left: n.missing_left,
                    }
                }
            })
            .collect();
        Self { steps }
    }

    /// Adds each row's leaf values (of `t`) to its `n_outputs` slots of `out`; `buf` holds the
    /// rows, `stride` values each (the features, then the `-inf` column). With `NAN = false`
    /// the rows must hold no NaN: the step then skips the missing-value test.
    fn add_leaf_values<const NAN: bool>(
        &self,
        t: &Tree,
        buf: &[f64],
        stride: usize,
        out: &mut [f64],
        n_outputs: usize,
    ) {
        let rows = out.len() / n_outputs.max(1);
        let mut j0 = 0;
        for group in buf.chunks_exact(stride * LANES) {
            let lanes = LANES.min(rows - j0);
            let mut idx = [0u32; LANES];
            loop {
                let mut moved = false;
                for l in 0..LANES {
                    let i = idx[l];
                    let s = self.steps[i as usize];
                    let x = group[s.feature as usize * LANES + l];
                    let go_left = if NAN && x.is_nan() {
                        s.missing_left
                    } else {
                        x <= s.thr
                    };
                    // Which way a row goes is not predictable: keep it a conditional move.
                    let next = std::hint::select_unpredictable(go_left, s.left, s.right);
                    moved |= next != i;
                    idx[l] = next;
                }
                if !moved {
                    break;
                }
            }
            let group = &mut out[j0 * n_outputs..(j0 + lanes) * n_outputs];
            match n_outputs {
                1 => {
                    for (o, &i) in group.iter_mut().zip(&idx) {
                        *o += self.steps[i as usize].thr;
                    }
                }
                2 => {
                    for (o, &i) in group.chunks_exact_mut(2).zip(&idx) {
                        let s = &self.steps[i as usize];
                        o[0] += s.thr;
                        o[1] += s.aux;
                    }
                }
                _ => {
                    for (o, &i) in group.chunks_exact_mut(n_outputs).zip(&idx) {
                        let v = &t.values[i as usize * n_outputs..(i as usize + 1) * n_outputs];
                        for (a, &b) in o.iter_mut().zip(v) {
                            *a += b;
                        }
                    }
                }
            }
            j0 += lanes;
        }
    }
}

/// For each row, the sum of the leaf values of the trees for which it was out of bag, and
/// how many such trees there were.
pub(crate) fn oob_sums(
    grown: &[GrownTree],
    x: ArrayView2<'_, f64>,
    n_outputs: usize,
) -> (Vec<f64>, Vec<u32>) {
    // Leaves per tree in parallel, then a serial sum in tree order (thread-independent).
    let leaves: Vec<Vec<usize>> = grown
        .par_iter()
        .map(|g| {
            g.oob_rows
                .iter()
                .map(|&r| {
                    let row = x.row(r as usize);
                    g.tree.leaf_index(|j| row[j])
                })
                .collect()
        })
        .collect();
    let n = x.nrows();
    let mut sums = vec![0.0; n * n_outputs];
    let mut counts = vec![0u32; n];
    for (g, leaves) in grown.iter().zip(&leaves) {
        for (&r, &leaf) in g.oob_rows.iter().zip(leaves) {
            let r = r as usize;
            counts[r] += 1;
            let vals = &g.tree.values[leaf * n_outputs..][..n_outputs];
            for (s, &v) in sums[r * n_outputs..][..n_outputs].iter_mut().zip(vals) {
                *s += v;
            }
        }
    }
    (sums, counts)
}
