//! Lloyd's algorithm (Lloyd 1982): assign every row to its nearest centre, move every centre
//! to the weighted mean of its rows, repeat.
//!
//! The assignment compares `||c||² − 2·x·c` (the row's own norm is the same for every centre),
//! as scikit-learn does. The kernel takes blocks of four rows against groups of four centres
//! stored feature-major, so each loaded centre value serves four rows and the sixteen partial
//! dot products stay in registers; the assignment and the centre sums share one pass over the
//! data.

use rayon::prelude::*;

use super::common::{CHUNK, Data, RunResult, Sums, center_shift, finish_centers, inertia};

/// Centres per group in the assignment kernel: one group's partial dot products for a block
/// of rows stay in registers.
const GROUP: usize = 4;
// `nearest_block` spells out the four centres of a group.
const _: () = assert!(GROUP == 4);
/// Rows per block in the assignment kernel: every centre value loaded serves this many rows.
const BLOCK: usize = 4;

/// Centres laid out for the assignment kernel: in groups of [`GROUP`], each group stored
/// feature-major (`d × GROUP`, so one load gives a feature of four centres), padded with
/// centres of infinite norm that are never chosen.
pub(crate) struct Prepared {
    ct: Vec<f64>,
    cnorm: Vec<f64>,
    d: usize,
}

impl Prepared {
    /// Prepares `k × d` row-major `centers`.
    pub fn new(centers: &[f64], k: usize, d: usize) -> Self {
        let n_groups = k.div_ceil(GROUP);
        let mut ct = vec![0.0; n_groups * GROUP * d];
        let mut cnorm = vec![f64::INFINITY; n_groups * GROUP];
        for (j, c) in centers.chunks_exact(d).enumerate() {
            let (g, q) = (j / GROUP, j % GROUP);
            for (f, &v) in c.iter().enumerate() {
                ct[(g * d + f) * GROUP + q] = v;
            }
            cnorm[j] = c.iter().map(|v| v * v).sum();
        }
        Self { ct, cnorm, d }
    }

    /// The nearest centre (the first on ties) of each of the `R` consecutive rows in `xb`
    /// (row-major, `R × d`), by `||c||² − 2·x·c`. Every centre value loaded serves `R` rows
    /// and the `R × GROUP` partial dot products stay in registers.
    #[inline]
    fn nearest_block<const R: usize>(&self, xb: &[f64]) -> [usize; R] {
        let d = self.d;
        let mut best_v = [f64::INFINITY; R];
        let mut best = [0; R];
        let n_groups = self.cnorm.len() / GROUP;
        for g in 0..n_groups {
            let cg = &self.ct[g * d * GROUP..(g + 1) * d * GROUP];
            let norms = &self.cnorm[g * GROUP..(g + 1) * GROUP];
            let mut acc = [[0.0; GROUP]; R];
            for f in 0..d {
                let c0 = cg[f * GROUP];
                let c1 = cg[f * GROUP + 1];
                let c2 = cg[f * GROUP + 2];
                let c3 = cg[f * GROUP + 3];
                for r in 0..R {
                    let xv = xb[r * d + f];
                    acc[r][0] += xv * c0;
                    acc[r][1] += xv * c1;
                    acc[r][2] += xv * c2;
                    acc[r][3] += xv * c3;
                }
            }
            for r in 0..R {
                for q in 0..GROUP {
                    let v = norms[q] - 2.0 * acc[r][q];
                    if v < best_v[r] {
                        best_v[r] = v;
                        best[r] = g * GROUP + q;
                    }
                }
            }
        }
        best
    }

    /// Calls `visit(i, label)` for every row `i` in `rows` of the row-major `x`, in order;
    /// nothing is allocated.
    #[inline]
    pub fn for_each_nearest(
        &self,
        x: &[f64],
        rows: std::ops::Range<usize>,
        mut visit: impl FnMut(usize, usize),
    ) {
        let d = self.d;
        let mut i = rows.start;
        while i + BLOCK <= rows.end {
            let best = self.nearest_block::<BLOCK>(&x[i * d..(i + BLOCK) * d]);
            for (r, &b) in best.iter().enumerate() {
                visit(i + r, b);
            }
            i += BLOCK;
        }
        for i in i..rows.end {
            let [best] = self.nearest_block::<1>(&x[i * d..(i + 1) * d]);
            visit(i, best);
        }
    }
}

/// Writes the nearest centre of every row of the row-major `x` (`labels.len()` rows of `d`
/// values) into `labels`.
pub(crate) fn assign(x: &[f64], d: usize, centers: &[f64], k: usize, labels: &mut [usize]) {
    let p = Prepared::new(centers, k, d);
    labels
        .par_chunks_mut(CHUNK)
        .enumerate()
        .for_each(|(c, lab)| {
            let start = c * CHUNK;
            p.for_each_nearest(x, start..start + lab.len(), |i, b| {
                lab[i - start] = b;
            });
        });
}

/// One Lloyd iteration: assigns every row to its nearest centre, then returns the new centres,
/// how far each moved, and whether any label changed.
fn iterate(
    data: Data<'_>,
    centers: &[f64],
    k: usize,
    labels: &mut [usize],
) -> (Vec<f64>, Vec<f64>, bool) {
    let d = data.d;
    let p = Prepared::new(centers, k, d);
    let parts: Vec<(Sums, bool)> = labels
        .par_chunks_mut(CHUNK)
        .enumerate()
        .map(|(c, lab)| {
            let mut sums = Sums::zeros(k, d);
            let mut changed = false;
            let rows = data.chunk_rows(c);
            let start = rows.start;
            p.for_each_nearest(data.x, rows, |i, b| {
                let l = &mut lab[i - start];
                changed |= *l != b;
                *l = b;
                sums.add(b, data.row(i), data.w[i]);
            });
            (sums, changed)
        })
        .collect();
    let changed = parts.iter().any(|(_, c)| *c);
    let sums = Sums::merge(parts.into_iter().map(|(s, _)| s).collect(), k, d);
    let new = finish_centers(data, centers, labels, sums);
    let shift = center_shift(centers, &new, d);
    (new, shift, changed)
}

/// Runs Lloyd's algorithm from `centers_init` (`k × d`) as scikit-learn's
/// `_kmeans_single_lloyd`: stop when no label changes (strict convergence) or when the sum of
/// squared centre shifts is at most `tol` (absolute); otherwise after `max_iter` iterations.
/// Without strict convergence a last assignment makes the labels match the returned centres.
pub(crate) fn run(
    data: Data<'_>,
    centers_init: Vec<f64>,
    k: usize,
    max_iter: usize,
    tol: f64,
) -> RunResult {
    let mut centers = centers_init;
    // Labels start out of range, so the first iteration always counts as a change; comparing
    // each label as it is overwritten replaces scikit-learn's copy and compare of
    // `labels_old` (relocation does not touch labels).
    let mut labels = vec![usize::MAX; data.n];
    let mut strict = false;
    let mut converged = false;
    let mut n_iter = 0;
    for i in 0..max_iter {
        n_iter = i + 1;
        let (new, shift, changed) = iterate(data, &centers, k, &mut labels);
        centers = new;
        if !changed {
            strict = true;
            converged = true;
            break;
        }
        let shift_tot: f64 = shift.iter().map(|s| s * s).sum();
        if shift_tot <= tol {
            converged = true;
            break;
        }
    }
    if !strict {
        assign(data.x, data.d, &centers, k, &mut labels);
    }
    let inertia = inertia(data, &centers, &labels);
    RunResult {
        centers,
        labels,
        inertia,
        n_iter,
        converged,
    }
}
