//! Per-sample sums of Euclidean distances to every cluster, the work behind the silhouette.
//!
//! The rows are sorted by cluster, so each cluster is a contiguous range, and cut into blocks
//! of [`BLOCK`] rows. A tile of block pair (I, J) holds the distances
//! `sqrt(max(|x|² + |y|² − 2 x·y, 0))`, whose cross products come from one matrix product
//! (ndarray's `general_mat_mul`), and is reduced at once into per-row sums over the cluster
//! ranges of the other block, so the `n × n` matrix never exists.
//!
//! Symmetry halves the work: tile (I, J) with I < J also gives block J its sums over block
//! I's clusters, by columns. To stay deterministic, each block's accumulator must receive its
//! contributions in a fixed order whatever the thread count. The tiles are therefore run in
//! the rounds of a round-robin tournament (circle method): in one round every block takes part
//! in at most one tile, so the tiles of a round run in parallel without sharing accumulators,
//! and rounds run in sequence.
//!
//! A cluster that lies inside one block is complete after a single tile, so its sum is folded
//! at once into the row's result (own-cluster sum, or nearest other cluster mean). Only
//! clusters cut by a block boundary (at most one per boundary) need running sums kept per row.
//! When those would take too much memory (many clusters on many rows), each row block instead
//! sweeps all column blocks in order on its own, computing every tile from one side only.

use ndarray::linalg::general_mat_mul;
use ndarray::{ArrayView2, ArrayViewMut2};
use rayon::prelude::*;
use std::cell::RefCell;

/// Rows per block. Fixed (never derived from the thread count), so results do not depend on
/// it; 128 × 128 tiles (128 KiB) stay in L2 while they are reduced.
pub(crate) const BLOCK: usize = 128;

/// The symmetric schedule is used while the running sums of clusters cut by block boundaries
/// take at most this many values (32 MiB).
const MAX_SPLIT_VALUES: usize = 1 << 22;

const NO_SLOT: usize = usize::MAX;

/// A squared distance below this share of `|x|² + |y|²` is recomputed from coordinate
/// differences: the expanded form's rounding error is a few ulps of `|x|² + |y|²`, so above
/// the threshold it keeps about 12 correct digits, and below it (near-duplicates, where it
/// could even turn an exact 0 into ~1e-8) it would not. Clustered data rarely has pairs this
/// close, so the recomputation costs little.
const REFINE: f64 = 1e-3;

/// The data sorted by cluster.
pub(crate) struct Sorted<'a> {
    /// `n × d` rows, row-major, sorted by cluster (and centred, for precision).
    pub(crate) xs: &'a [f64],
    /// Features per row.
    pub(crate) d: usize,
    /// Cluster `c` holds the sorted rows `starts[c]..starts[c + 1]`.
    pub(crate) starts: &'a [usize],
    /// The cluster of each sorted row.
    pub(crate) code: &'a [usize],
}

/// What the silhouette needs of one row: the sum of distances to its own cluster and the
/// smallest mean distance to another cluster.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RowResult {
    pub(crate) own_sum: f64,
    pub(crate) nearest_mean: f64,
}

/// The per-row state of one block while tiles arrive.
#[derive(Default)]
struct BlockAcc {
    own: Vec<f64>,
    nearest: Vec<f64>,
    /// Running sums of the split clusters, `rows × n_split`.
    split: Vec<f64>,
}

struct Plan<'a> {
    s: &'a Sorted<'a>,
    sq: Vec<f64>,
    count: Vec<f64>,
    slot: Vec<usize>,
    split_clusters: Vec<usize>,
    n_blocks: usize,
}

thread_local! {
    static TILE: RefCell<(Vec<f64>, Vec<f64>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

impl Plan<'_> {
    fn block_rows(&self, b: usize) -> (usize, usize) {
        let n = self.s.code.len();
        (b * BLOCK, ((b + 1) * BLOCK).min(n))
    }

    fn new_acc(&self, b: usize) -> BlockAcc {
        let (r0, r1) = self.block_rows(b);
        let rows = r1 - r0;
        BlockAcc {
            own: vec![0.0; rows],
            nearest: vec![f64::INFINITY; rows],
            split: vec![0.0; rows * self.split_clusters.len()],
        }
    }

    /// Hands the sum `s` of distances from sorted row `row` (local `local`) to cluster `c`.
    #[inline]
    fn deliver(&self, acc: &mut BlockAcc, local: usize, row: usize, c: usize, s: f64) {
        let slot = self.slot[c];
        if slot != NO_SLOT {
            acc.split[local * self.split_clusters.len() + slot] += s;
        } else if c == self.s.code[row] {
            acc.own[local] = s;
        } else {
            let mean = s / self.count[c];
            if mean < acc.nearest[local] {
                acc.nearest[local] = mean;
            }
        }
    }

    /// Computes tile (bi, bj): row sums into `acc_i` and, when `acc_j` is given (bi ≠ bj),
    /// column sums into `acc_j`.
    fn tile(&self, bi: usize, bj: usize, acc_i: &mut BlockAcc, acc_j: Option<&mut BlockAcc>) {
        TILE.with(|cell| {
            let mut bufs = cell.borrow_mut();
            let (tile, colsum) = &mut *bufs;
            self.tile_with(bi, bj, acc_i, acc_j, tile, colsum);
        });
    }

    fn tile_with(
        &self,
        bi: usize,
        bj: usize,
        acc_i: &mut BlockAcc,
        mut acc_j: Option<&mut BlockAcc>,
        tile: &mut Vec<f64>,
        colsum: &mut Vec<f64>,
    ) {
        let s = self.s;
        let d = s.d;
        let (i0, i1) = self.block_rows(bi);
        let (j0, j1) = self.block_rows(bj);
        let (ni, nj) = (i1 - i0, j1 - j0);
        tile.resize(ni * nj, 0.0);
        colsum.resize(nj, 0.0);
        let (Ok(a), Ok(b), Ok(mut g)) = (
            ArrayView2::from_shape((ni, d), &s.xs[i0 * d..i1 * d]),
            ArrayView2::from_shape((nj, d), &s.xs[j0 * d..j1 * d]),
            ArrayViewMut2::from_shape((ni, nj), &mut tile[..]),
        ) else {
            return; // unreachable: the shapes match the slices by construction
        };
        general_mat_mul(-2.0, &a, &b.t(), 0.0, &mut g);
        let sq_j = &self.sq[j0..j1];
        let first_cluster_j = s.code[j0];
        let last_cluster_j = s.code[j1 - 1];
        let mut col_cluster = s.code[i0];
        colsum.iter_mut().for_each(|v| *v = 0.0);
        for li in 0..ni {
            let row = &mut tile[li * nj..(li + 1) * nj];
            let sq_i = self.sq[i0 + li];
            let mut close = false;
            for (v, &sqj) in row.iter_mut().zip(sq_j) {
                let t = sq_i + sqj + *v;
                close |= t < REFINE * (sq_i + sqj);
                // Rounding can make a squared distance slightly negative.
                *v = if t > 0.0 { t } else { 0.0 }.sqrt();
            }
            if close {
                self.refine_close(i0 + li, j0, row);
            }
            if bi == bj {
                row[li] = 0.0;
            }
            for c in first_cluster_j..=last_cluster_j {
                let lo = s.starts[c].max(j0) - j0;
                let hi = s.starts[c + 1].min(j1) - j0;
                self.deliver(acc_i, li, i0 + li, c, sum(&row[lo..hi]));
            }
            if let Some(acc_j) = acc_j.as_deref_mut() {
                let c = s.code[i0 + li];
                if c != col_cluster {
                    self.flush_columns(acc_j, j0, col_cluster, colsum);
                    col_cluster = c;
                }
                for (cs, &v) in colsum.iter_mut().zip(row.iter()) {
                    *cs += v;
                }
            }
        }
        if let Some(acc_j) = acc_j {
            self.flush_columns(acc_j, j0, col_cluster, colsum);
        }
    }

    /// Recomputes from coordinate differences the distances of `row` (sorted row `i` against
    /// the rows from `j0`) that the expanded form gives with few correct digits.
    #[cold]
    fn refine_close(&self, i: usize, j0: usize, row: &mut [f64]) {
        let d = self.s.d;
        let xi = &self.s.xs[i * d..(i + 1) * d];
        let sq_i = self.sq[i];
        for (lj, v) in row.iter_mut().enumerate() {
            let j = j0 + lj;
            if *v * *v < REFINE * (sq_i + self.sq[j]) {
                let xj = &self.s.xs[j * d..(j + 1) * d];
                *v = xi
                    .iter()
                    .zip(xj)
                    .map(|(a, b)| (a - b) * (a - b))
                    .sum::<f64>()
                    .sqrt();
            }
        }
    }

    fn flush_columns(&self, acc_j: &mut BlockAcc, j0: usize, c: usize, colsum: &mut [f64]) {
        for (lj, v) in colsum.iter_mut().enumerate() {
            self.deliver(acc_j, lj, j0 + lj, c, *v);
            *v = 0.0;
        }
    }

    /// Folds the running sums of split clusters into the block's results.
    fn finish(&self, b: usize, acc: &BlockAcc, out: &mut [RowResult]) {
        let (r0, _) = self.block_rows(b);
        let ns = self.split_clusters.len();
        for (local, res) in out.iter_mut().enumerate() {
            let row = r0 + local;
            let mut own = acc.own[local];
            let mut nearest = acc.nearest[local];
            for (slot, &c) in self.split_clusters.iter().enumerate() {
                let v = acc.split[local * ns + slot];
                if c == self.s.code[row] {
                    own = v;
                } else {
                    let mean = v / self.count[c];
                    if mean < nearest {
                        nearest = mean;
                    }
                }
            }
            *res = RowResult {
                own_sum: own,
                nearest_mean: nearest,
            };
        }
    }
}

/// Sums in four interleaved lanes (a fixed order, so deterministic) to let the loop vectorize.
#[inline]
fn sum(v: &[f64]) -> f64 {
    let mut lanes = [0.0; 4];
    let mut chunks = v.chunks_exact(4);
    for c in &mut chunks {
        for (l, x) in lanes.iter_mut().zip(c) {
            *l += x;
        }
    }
    let mut total = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
    for x in chunks.remainder() {
        total += x;
    }
    total
}

/// The pairs of blocks of round `r` of a round-robin over `m` blocks (circle method; with an
/// odd `m`, the block paired with the phantom `m` sits the round out).
fn round_pairs(m: usize, r: usize) -> Vec<(usize, usize)> {
    let mm = if m.is_multiple_of(2) { m } else { m + 1 };
    let fixed = mm - 1;
    let mut pairs = Vec::with_capacity(mm / 2);
    let mut push = |a: usize, b: usize| {
        if a < m && b < m {
            pairs.push((a.min(b), a.max(b)));
        }
    };
    push(r, fixed);
    for k in 1..mm / 2 {
        push((r + k) % fixed, (r + fixed - k) % fixed);
    }
    pairs
}

/// For each cluster, its slot among the clusters cut by a block boundary (or [`NO_SLOT`]),
/// and those clusters in order.
fn split_slots(starts: &[usize]) -> (Vec<usize>, Vec<usize>) {
    let k = starts.len() - 1;
    let mut slot = vec![NO_SLOT; k];
    let mut split = Vec::new();
    for c in 0..k {
        if starts[c] / BLOCK != (starts[c + 1] - 1) / BLOCK {
            slot[c] = split.len();
            split.push(c);
        }
    }
    (slot, split)
}

/// For each sorted row, its own-cluster distance sum and nearest other-cluster mean distance.
pub(crate) fn row_results(s: &Sorted<'_>) -> Vec<RowResult> {
    let n = s.code.len();
    let d = s.d;
    let sq: Vec<f64> =
        s.xs.chunks_exact(d)
            .map(|r| r.iter().map(|v| v * v).sum())
            .collect();
    let count: Vec<f64> = s.starts.windows(2).map(|w| (w[1] - w[0]) as f64).collect();
    let (slot, split_clusters) = split_slots(s.starts);
    let plan = Plan {
        s,
        sq,
        count,
        slot,
        split_clusters,
        n_blocks: n.div_ceil(BLOCK),
    };
    let mut out = vec![
        RowResult {
            own_sum: 0.0,
            nearest_mean: f64::INFINITY,
        };
        n
    ];
    if n.saturating_mul(plan.split_clusters.len()) <= MAX_SPLIT_VALUES {
        symmetric(&plan, &mut out);
    } else {
        one_sided(&plan, &mut out);
    }
    out
}

fn symmetric(plan: &Plan<'_>, out: &mut [RowResult]) {
    let m = plan.n_blocks;
    let mut accs: Vec<BlockAcc> = (0..m).map(|b| plan.new_acc(b)).collect();
    accs.par_iter_mut()
        .enumerate()
        .for_each(|(b, acc)| plan.tile(b, b, acc, None));
    let rounds = if m.is_multiple_of(2) {
        m.saturating_sub(1)
    } else {
        m
    };
    for r in 0..rounds {
        let mut tasks: Vec<(usize, usize, BlockAcc, BlockAcc)> = round_pairs(m, r)
            .into_iter()
            .map(|(i, j)| {
                let ai = std::mem::take(&mut accs[i]);
                let aj = std::mem::take(&mut accs[j]);
                (i, j, ai, aj)
            })
            .collect();
        tasks
            .par_iter_mut()
            .for_each(|(i, j, ai, aj)| plan.tile(*i, *j, ai, Some(aj)));
        for (i, j, ai, aj) in tasks {
            accs[i] = ai;
            accs[j] = aj;
        }
    }
    out.par_chunks_mut(BLOCK)
        .zip(accs.par_iter())
        .enumerate()
        .for_each(|(b, (chunk, acc))| plan.finish(b, acc, chunk));
}

fn one_sided(plan: &Plan<'_>, out: &mut [RowResult]) {
    out.par_chunks_mut(BLOCK)
        .enumerate()
        .for_each(|(b, chunk)| {
            let mut acc = plan.new_acc(b);
            for bj in 0..plan.n_blocks {
                plan.tile(b, bj, &mut acc, None);
            }
            plan.finish(b, &acc, chunk);
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both schedules against sums of directly computed distances, on data with many
    /// clusters, most of them cut by block boundaries, and exact duplicates.
    #[test]
    fn both_schedules_match_direct_sums() {
        let (n, d, k) = (5 * BLOCK + 37, 3, 23);
        let mut code: Vec<usize> = (0..n).map(|i| (i * 7 + i / 5) % k).collect();
        code.sort_unstable();
        let mut starts = vec![0usize; k + 1];
        for &c in &code {
            starts[c + 1] += 1;
        }
        for c in 0..k {
            starts[c + 1] += starts[c];
        }
        let mut xs: Vec<f64> = (0..n * d)
            .map(|v| ((v * 7919) % 1013) as f64 / 97.0 - 5.0 + (code[v / d] % 4) as f64)
            .collect();
        xs.copy_within(0..d, d); // rows 0 and 1: duplicates
        let s = Sorted {
            xs: &xs,
            d,
            starts: &starts,
            code: &code,
        };
        let mut want = vec![vec![0.0; k]; n];
        for i in 0..n {
            for j in 0..n {
                let dist: f64 = (0..d)
                    .map(|f| (xs[i * d + f] - xs[j * d + f]).powi(2))
                    .sum::<f64>()
                    .sqrt();
                want[i][code[j]] += dist;
            }
        }
        let sym = row_results(&s);
        let plan = Plan {
            s: &s,
            sq: xs
                .chunks_exact(d)
                .map(|r| r.iter().map(|v| v * v).sum())
                .collect(),
            count: starts.windows(2).map(|w| (w[1] - w[0]) as f64).collect(),
            slot: split_slots(&starts).0,
            split_clusters: split_slots(&starts).1,
            n_blocks: n.div_ceil(BLOCK),
        };
        assert!(plan.split_clusters.len() >= 4);
        let mut one = vec![
            RowResult {
                own_sum: 0.0,
                nearest_mean: 0.0
            };
            n
        ];
        one_sided(&plan, &mut one);
        for (i, w) in want.iter().enumerate() {
            let own = w[code[i]];
            let nearest = (0..k)
                .filter(|&c| c != code[i])
                .map(|c| w[c] / plan.count[c])
                .fold(f64::INFINITY, f64::min);
            for got in [sym[i], one[i]] {
                assert!((got.own_sum - own).abs() <= 1e-12 * own.max(1.0), "row {i}");
                assert!(
                    (got.nearest_mean - nearest).abs() <= 1e-12 * nearest,
                    "row {i}"
                );
            }
        }
    }

    #[test]
    fn round_robin_meets_every_pair_once() {
        for m in 1..12usize {
            let rounds = if m.is_multiple_of(2) {
                m.saturating_sub(1)
            } else {
                m
            };
            let mut seen = std::collections::BTreeSet::new();
            for r in 0..rounds {
                let pairs = round_pairs(m, r);
                let mut used = std::collections::BTreeSet::new();
                for &(a, b) in &pairs {
                    assert!(a < b && b < m);
                    assert!(used.insert(a) && used.insert(b), "block twice in a round");
                    assert!(seen.insert((a, b)), "pair twice");
                }
            }
            assert_eq!(seen.len(), m * m.saturating_sub(1) / 2, "m = {m}");
        }
    }
}
