//! The boosting loop shared by the classifier and the regressor: bin, start from the loss's
//! baseline, then at each iteration compute gradients and grow one tree per output on them.

use std::ops::ControlFlow;

use kiln_core::random::{derive_seed, rng_from_seed, task_rng};
use kiln_core::{Error, Result};
use ndarray::{Array2, ArrayView2, Axis};
use rand::seq::SliceRandom;
use rand::seq::index::sample;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::bin::{BinMapper, Binned};
use super::grow::{GrowInput, GrowSettings, LeafRows, Workspace, grow};
use super::hist::GradHess;
use super::loss::{Loss, quantile};
use super::split::{FeatureInfo, SplitLimits};
use super::tree::BoostTree;
use super::{Progress, Scoring};

/// Rows drawn to find the bin thresholds (scikit-learn's `subsample=2e5` of `_BinMapper`).
const BINNING_SUBSAMPLE: usize = 200_000;

/// Resolved early stopping.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EarlyStop {
    pub(crate) n_iter_no_change: usize,
    pub(crate) tol: f64,
    pub(crate) scoring: Scoring,
    /// The fraction of training rows held out, or `None` to score on the training rows (or on
    /// a given evaluation set).
    pub(crate) validation_fraction: Option<f64>,
}

/// The resolved settings of one fit.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) max_iter: usize,
    pub(crate) learning_rate: f64,
    pub(crate) max_leaf_nodes: Option<usize>,
    pub(crate) max_depth: Option<usize>,
    pub(crate) min_samples_leaf: usize,
    pub(crate) min_sum_hessian: f64,
    pub(crate) l2_regularization: f64,
    pub(crate) max_features: f64,
    pub(crate) max_bins: usize,
    pub(crate) categorical: Vec<bool>,
    pub(crate) monotonic: Vec<i8>,
    pub(crate) subsample: f64,
    pub(crate) early_stop: Option<EarlyStop>,
    pub(crate) seed: u64,
}

/// Training or evaluation rows.
#[derive(Clone, Copy)]
pub(crate) struct Data<'a> {
    pub(crate) x: ArrayView2<'a, f64>,
    pub(crate) y: &'a [f64],
    pub(crate) w: Option<&'a [f64]>,
}

/// A fitted ensemble.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Boosted {
    pub(crate) mapper: BinMapper,
    pub(crate) loss: Loss,
    /// The starting raw score of each output.
    pub(crate) baseline: Vec<f64>,
    /// Iteration-major: tree `k` of iteration `i` is `trees[i * n_outputs + k]`.
    pub(crate) trees: Vec<BoostTree>,
    pub(crate) n_outputs: usize,
    /// Scores (higher is better) on the training rows, from the baseline on; empty unless
    /// early stopping or a callback asked for them.
    pub(crate) train_scores: Vec<f64>,
    /// Scores on the validation rows, from the baseline on; empty without validation rows.
    pub(crate) validation_scores: Vec<f64>,
    pub(crate) n_iter: usize,
}

impl Boosted {
    /// Checks a decoded model (see [`kiln_core::persist::Persist::check_loaded`]): one
    /// baseline per output, whole iterations of trees, a bin mapper for `n_features` features
    /// and trees that stay inside it.
    pub(crate) fn check_structure(
        &self,
        n_features: usize,
        n_outputs: usize,
    ) -> kiln_core::Result<()> {
        let bad = crate::tree::nodes::bad_payload;
        if self.n_outputs != n_outputs || self.baseline.len() != n_outputs {
            return Err(bad(format!(
                "{} outputs and {} baselines; expected {n_outputs}",
                self.n_outputs,
                self.baseline.len()
            )));
        }
        if n_outputs == 0 || !self.trees.len().is_multiple_of(n_outputs) {
            return Err(bad(format!(
                "{} trees are not whole iterations of {n_outputs} outputs",
                self.trees.len()
            )));
        }
        let m = &self.mapper;
        let lens = [
            m.thresholds.len(),
            m.categories.len(),
            m.is_categorical.len(),
            m.n_bins.len(),
        ];
        if lens.iter().any(|&l| l != n_features) {
            return Err(bad(format!(
                "the bin mapper describes {lens:?} features; the model has {n_features}"
            )));
        }
        for (t, tree) in self.trees.iter().enumerate() {
            tree.check_structure(n_features)
                .map_err(|e| bad(format!("tree {t}: {e}")))?;
        }
        Ok(())
    }
}

/// What the caller of a fit can observe and steer.
pub(crate) type Callback<'a> = Option<&'a mut dyn FnMut(&Progress) -> ControlFlow<()>>;

/// Runs the boosting loop.
///
/// Without a callback (which need not be `Send`), through [`kiln_core::pool::fit_on_pool`]:
/// small data is boosted on a thread of rayon's pool, where each of a fit's thousands of
/// parallel regions starts on the calling worker (~5 % of clf_100k's fit).
pub(crate) fn boost(
    s: &Settings,
    loss: Loss,
    train: Data<'_>,
    eval: Option<Data<'_>>,
    callback: Callback<'_>,
) -> Result<Boosted> {
    match callback {
        None => {
            kiln_core::pool::fit_on_pool(train.x.len(), || boost_here(s, loss, train, eval, None))
        }
        callback => boost_here(s, loss, train, eval, callback),
    }
}

/// [`boost`] on the calling thread.
fn boost_here(
    s: &Settings,
    loss: Loss,
    train: Data<'_>,
    eval: Option<Data<'_>>,
    callback: Callback<'_>,
) -> Result<Boosted> {
    // Hold out validation rows when asked to.
    match (s.early_stop.and_then(|e| e.validation_fraction), eval) {
        (Some(fraction), None) => {
            let classify = matches!(loss, Loss::Binary | Loss::Softmax { .. });
            let held_out = hold_out(train, fraction, classify, s.seed)?;
            boost_on(
                s,
                loss,
                held_out.train(),
                Some(held_out.validation()),
                callback,
            )
        }
        (_, eval) => boost_on(s, loss, train, eval, callback),
    }
}

/// The boosting loop on the final training and validation rows.
fn boost_on(
    s: &Settings,
    loss: Loss,
    train: Data<'_>,
    eval: Option<Data<'_>>,
    mut callback: Callback<'_>,
) -> Result<Boosted> {
    let n = train.y.len();
    let mapper = BinMapper::fit(
        train.x,
        train.w,
        s.max_bins,
        &s.categorical,
        BINNING_SUBSAMPLE,
        derive_seed(s.seed, 0),
    )?;
    let binned = mapper.transform(train.x);
    let has_missing: Vec<bool> = (0..binned.n_features)
        .map(|f| binned.has_missing(f))
        .collect();
    let val_binned = eval.map(|e| mapper.transform(e.x));

    let k = loss.n_outputs();
    let baseline = loss.baseline(train.y, train.w);
    let mut raw = vec![0.0; n * k];
    for (c, b) in baseline.iter().enumerate() {
        raw[c * n..(c + 1) * n].fill(*b);
    }
    let n_val = eval.map_or(0, |e| e.y.len());
    let mut raw_val = vec![0.0; n_val * k];
    for (c, b) in baseline.iter().enumerate() {
        raw_val[c * n_val..(c + 1) * n_val].fill(*b);
    }

    let info = FeatureInfo {
        mapper: &mapper,
        has_missing: &has_missing,
        monotonic: &s.monotonic,
    };
    let p = binned.n_features;
    let grow_settings = GrowSettings {
        max_leaf_nodes: s.max_leaf_nodes,
        max_depth: s.max_depth,
        limits: SplitLimits {
            min_samples_leaf: s.min_samples_leaf as u32,
            min_hessian: s.min_sum_hessian,
            l2: s.l2_regularization,
        },
        shrinkage: s.learning_rate,
        features_per_split: ((s.max_features * p as f64) as usize).clamp(1, p.max(1)),
    };

    let scoring = s.early_stop.map(|e| e.scoring);
    let want_train_score = callback.is_some() || (s.early_stop.is_some() && eval.is_none());
    let mut train_scores = Vec::new();
    let mut validation_scores = Vec::new();
    let score_of = |data: Data<'_>, raw: &[f64]| -> f64 {
        score(scoring.unwrap_or(Scoring::Loss), loss, data, raw)
    };
    if want_train_score {
        train_scores.push(score_of(train, &raw));
    }
    if let Some(e) = eval {
        validation_scores.push(score_of(e, &raw_val));
    }

    let mut gh: Vec<Vec<GradHess>> = vec![vec![GradHess::default(); n]; k];
    // With unit hessians (and no weights) a bin's hessian sum is its row count.
    let counts = !(loss.unit_hessian() && train.w.is_none());
    // One workspace, row buffer and gradient buffer per output, so that the trees of one
    // iteration (one per class) grow in parallel.
    let mut lanes: Vec<Lane> = (0..k).map(|_| Lane::default()).collect();
    let mut trees = Vec::with_capacity(s.max_iter * k);
    let all_rows = s.subsample >= 1.0;
    let n_sampled = if all_rows {
        n
    } else {
        ((s.subsample * n as f64).round() as usize).clamp(1, n)
    };
    let mut sampled_mask = vec![false; if all_rows { 0 } else { n }];
    let mut n_iter = 0;
    let input = GrowInput {
        binned: &binned,
        info: &info,
        counts,
    };
    for it in 0..s.max_iter {
        loss.gradients(train.y, train.w, &raw, &mut gh);
        let base_rows: Vec<u32> = if all_rows {
            (0..n as u32).collect()
        } else {
            let mut rng = task_rng(derive_seed(s.seed, 1), it as u64);
            let mut r: Vec<u32> = sample(&mut rng, n, n_sampled)
                .into_iter()
                .map(|i| i as u32)
                .collect();
            r.sort_unstable();
            sampled_mask.fill(false);
            for &i in &r {
                sampled_mask[i as usize] = true;
            }
            r
        };
        let mask = (!all_rows).then_some(&sampled_mask[..]);
        let grow_one = |(c, ((lane, raw_c), raw_val_c)): LaneJob<'_>| {
            let mut rng = task_rng(derive_seed(s.seed, 2), (it * k + c) as u64);
            copy_rows(&base_rows, &gh[c], &mut lane.rows, &mut lane.gh);
            let (mut tree, leaves) = grow(
                &input,
                &grow_settings,
                &mut lane.rows,
                &mut lane.gh,
                &mut rng,
                &mut lane.ws,
            );
            let rows = &lane.rows;
            if let Some(alpha) = loss.updates_leaves() {
                for leaf in &leaves {
                    let mut resid: Vec<(f64, f64)> = rows[leaf.start..leaf.end]
                        .iter()
                        .map(|&r| {
                            let r = r as usize;
                            (train.y[r] - raw_c[r], train.w.map_or(1.0, |w| w[r]))
                        })
                        .collect();
                    tree.nodes[leaf.node].value =
                        s.learning_rate * quantile(&mut resid, alpha, train.w.is_some());
                }
            }
            add_leaf_values(&tree, &leaves, rows, raw_c);
            if let Some(mask) = mask {
                add_binned(&tree, &binned, raw_c, Some(mask));
            }
            if let Some(vb) = &val_binned {
                add_binned(&tree, vb, raw_val_c, None);
            }
            tree
        };
        let jobs = lanes
            .iter_mut()
            .zip(raw.chunks_mut(n.max(1)))
            .zip(
                raw_val
                    .chunks_mut(n_val.max(1))
                    .chain(std::iter::repeat_with(|| &mut [][..])),
            )
            .enumerate();
        let grown: Vec<BoostTree> = if k > 1 {
            jobs.collect::<Vec<_>>()
                .into_par_iter()
                .map(grow_one)
                .collect()
        } else {
            jobs.map(grow_one).collect()
        };
        trees.extend(grown);
        n_iter = it + 1;

        if want_train_score {
            train_scores.push(score_of(train, &raw));
        }
        if let Some(e) = eval {
            validation_scores.push(score_of(e, &raw_val));
        }
        if let Some(cb) = callback.as_mut() {
            let progress = Progress {
                iteration: n_iter,
                train_score: train_scores.last().copied(),
                validation_score: validation_scores.last().copied(),
            };
            if cb(&progress).is_break() {
                break;
            }
        }
        if let Some(es) = s.early_stop {
            let scores = if eval.is_some() {
                &validation_scores
            } else {
                &train_scores
            };
            if should_stop(scores, es.n_iter_no_change, es.tol) {
                break;
            }
        }
    }
    Ok(Boosted {
        mapper,
        loss,
        baseline,
        trees,
        n_outputs: k,
        train_scores,
        validation_scores,
        n_iter,
    })
}

/// scikit-learn's rule: stop when none of the last `patience` scores beats the score
/// `patience + 1` iterations back by more than `tol`.
fn should_stop(scores: &[f64], patience: usize, tol: f64) -> bool {
    if scores.len() < patience + 1 {
        return false;
    }
    let reference = scores[scores.len() - patience - 1] + tol;
    !scores[scores.len() - patience..]
        .iter()
        .any(|&s| s > reference)
}

/// The score (higher is better) of raw scores on `data`.
pub(crate) fn score(scoring: Scoring, loss: Loss, data: Data<'_>, raw: &[f64]) -> f64 {
    let n = data.y.len();
    let wsum = |f: &dyn Fn(usize) -> f64| -> f64 {
        let (mut a, mut b) = (0.0, 0.0);
        for i in 0..n {
            let wi = data.w.map_or(1.0, |w| w[i]);
            a += f(i) * wi;
            b += wi;
        }
        a / b
    };
    match scoring {
        Scoring::Loss => -loss.mean_loss(data.y, data.w, raw),
        Scoring::Accuracy => {
            let k = loss.n_outputs();
            wsum(&|i| {
                let pred = if k == 1 {
                    if raw[i] > 0.0 { 1.0 } else { 0.0 }
                } else {
                    let mut best = 0;
                    for c in 1..k {
                        if raw[c * n + i] > raw[best * n + i] {
                            best = c;
                        }
                    }
                    best as f64
                };
                if pred == data.y[i] { 1.0 } else { 0.0 }
            })
        }
        Scoring::R2 => {
            let pred = |i: usize| {
                if matches!(loss, Loss::Poisson) {
                    raw[i].exp()
                } else {
                    raw[i]
                }
            };
            let mean = wsum(&|i| data.y[i]);
            let ss_res = wsum(&|i| (data.y[i] - pred(i)).powi(2));
            let ss_tot = wsum(&|i| (data.y[i] - mean).powi(2));
            if ss_tot > 0.0 {
                1.0 - ss_res / ss_tot
            } else {
                0.0
            }
        }
    }
}

/// One output's tree to grow: its index, lane, raw scores and validation raw scores.
type LaneJob<'a> = (usize, ((&'a mut Lane, &'a mut [f64]), &'a mut [f64]));

/// What growing the trees of one output needs from one iteration to the next.
#[derive(Default)]
struct Lane {
    ws: Workspace,
    rows: Vec<u32>,
    gh: Vec<GradHess>,
}

/// Adds a tree's value to the raw scores of binned rows (those not in `skip` when given).
fn add_binned(tree: &BoostTree, binned: &Binned, raw: &mut [f64], skip: Option<&[bool]>) {
    raw.par_chunks_mut(4096).enumerate().for_each(|(c, out)| {
        for (j, o) in out.iter_mut().enumerate() {
            let r = c * 4096 + j;
            if skip.is_some_and(|m| m[r]) {
                continue;
            }
            let leaf = tree.leaf_of_binned(|f| binned.get(r, f));
            *o += tree.nodes[leaf].value;
        }
    });
}

/// Training rows with validation rows held out.
struct HeldOut {
    x_train: Array2<f64>,
    y_train: Vec<f64>,
    w_train: Option<Vec<f64>>,
    x_val: Array2<f64>,
    y_val: Vec<f64>,
    w_val: Option<Vec<f64>>,
}

impl HeldOut {
    fn train(&self) -> Data<'_> {
        Data {
            x: self.x_train.view(),
            y: &self.y_train,
            w: self.w_train.as_deref(),
        }
    }

    fn validation(&self) -> Data<'_> {
        Data {
            x: self.x_val.view(),
            y: &self.y_val,
            w: self.w_val.as_deref(),
        }
    }
}

/// Holds out `fraction` of the rows (stratified by class when `classify`), seeded.
fn hold_out(data: Data<'_>, fraction: f64, classify: bool, seed: u64) -> Result<HeldOut> {
    let n = data.y.len();
    let mut rng = rng_from_seed(derive_seed(seed, 3));
    let mut val: Vec<usize> = Vec::new();
    if classify {
        let k = data.y.iter().fold(0.0f64, |m, &v| m.max(v)) as usize + 1;
        let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); k];
        for (i, &v) in data.y.iter().enumerate() {
            by_class[v as usize].push(i);
        }
        for mut idx in by_class {
            idx.shuffle(&mut rng);
            let take = (fraction * idx.len() as f64).round() as usize;
            val.extend_from_slice(&idx[..take.min(idx.len())]);
        }
    } else {
        let mut idx: Vec<usize> = (0..n).collect();
        idx.shuffle(&mut rng);
        let take = (fraction * n as f64).round() as usize;
        val.extend_from_slice(&idx[..take]);
    }
    val.sort_unstable();
    let mut is_val = vec![false; n];
    for &i in &val {
        is_val[i] = true;
    }
    let train: Vec<usize> = (0..n).filter(|&i| !is_val[i]).collect();
    if val.is_empty() || train.is_empty() {
        return Err(Error::TooFewSamples {
            estimator: "HistGradientBoosting".into(),
            needed: format!(
                "enough rows to hold out validation_fraction={fraction} for early stopping"
            ),
            got: format!(
                "{} validation rows and {} training rows",
                val.len(),
                train.len()
            ),
            n_samples: n,
        });
    }
    let pick = |rows: &[usize]| -> (Array2<f64>, Vec<f64>, Option<Vec<f64>>) {
        (
            data.x.select(Axis(0), rows),
            rows.iter().map(|&i| data.y[i]).collect(),
            data.w.map(|w| rows.iter().map(|&i| w[i]).collect()),
        )
    };
    let (x_train, y_train, w_train) = pick(&train);
    let (x_val, y_val, w_val) = pick(&val);
    Ok(HeldOut {
        x_train,
        y_train,
        w_train,
        x_val,
        y_val,
        w_val,
    })
}

/// Rows per parallel task in the per-tree passes over every row ([`copy_rows`],
/// [`add_leaf_values`]); smaller data runs them on the calling thread.
const ROWS_PER_TASK: usize = 1 << 16;

/// Fills `rows` with `base_rows` and `ordered` with their gradients `gh[r]`, in parallel for
/// large data (a serial pass over a million rows per tree showed in profiles).
fn copy_rows(base_rows: &[u32], gh: &[GradHess], rows: &mut Vec<u32>, ordered: &mut Vec<GradHess>) {
    let n = base_rows.len();
    rows.resize(n, 0);
    ordered.resize(n, GradHess::default());
    let fill = |((rows, ordered), base): ((&mut [u32], &mut [GradHess]), &[u32])| {
        rows.copy_from_slice(base);
        for (o, &r) in ordered.iter_mut().zip(base) {
            *o = gh[r as usize];
        }
    };
    if n >= 2 * ROWS_PER_TASK {
        rows.par_chunks_mut(ROWS_PER_TASK)
            .zip(ordered.par_chunks_mut(ROWS_PER_TASK))
            .zip(base_rows.par_chunks(ROWS_PER_TASK))
            .for_each(fill);
    } else {
        fill(((rows, ordered), base_rows));
    }
}

/// Adds each leaf's value to the raw predictions of its rows (`rows[leaf.start..leaf.end]`).
/// Large data is split into ranges of `raw`, each task adding the values of the rows in its
/// range: every row is in one leaf, so each prediction gets one addition whatever the split.
fn add_leaf_values(tree: &BoostTree, leaves: &[LeafRows], rows: &[u32], raw: &mut [f64]) {
    let add = |lo: usize, part: &mut [f64]| {
        let hi = lo + part.len();
        for leaf in leaves {
            let v = tree.nodes[leaf.node].value;
            for &r in rows.get(leaf.start..leaf.end).unwrap_or(&[]) {
                let r = r as usize;
                if (lo..hi).contains(&r) {
                    part[r - lo] += v;
                }
            }
        }
    };
    let n = raw.len();
    if n >= 2 * ROWS_PER_TASK {
        // One range per thread: each task reads every row index once.
        let per = n.div_ceil(rayon::current_num_threads().max(1));
        raw.par_chunks_mut(per)
            .enumerate()
            .for_each(|(c, part)| add(c * per, part));
    } else {
        add(0, raw);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopping_rule() {
        // Improvement within the last 2 → continue; none → stop.
        assert!(!should_stop(&[-3.0, -2.0, -1.0], 2, 0.0));
        assert!(should_stop(&[-1.0, -1.0, -1.0], 2, 0.0));
        assert!(!should_stop(&[-1.0, -1.0], 2, 0.0));
        assert!(should_stop(&[-1.0, -0.99, -0.98], 2, 0.05));
    }
}
