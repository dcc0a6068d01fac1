//! Lloyd's algorithm (Lloyd 1982): assign every row to its nearest centre, move every centre
//! to the weighted mean of its rows, repeat.
//!
//! The assignment compares `||c||² − 2·x·c` (the row's own norm is the same for every centre),
//! as scikit-learn does. The kernel takes [`LANES`] rows at a time, transposed so that one
//! vector holds a feature of all of them, against groups of [`GROUP`] centres: each centre
//! value is broadcast once and serves all the rows, the `GROUP` vectors of partial dot
//! products stay in registers, and the nearest centre so far is kept per row by vector
//! compares and selects (no horizontal reductions, no branches). The loops are written for
//! the compiler to vectorize and run under [`pulp::Arch::dispatch`], which compiles them for
//! the widest instruction set the processor has (AVX-512, AVX2, or the baseline) and picks
//! one at run time; no fused multiply-adds are used, so each dot product is summed in the
//! same order with the same roundings on every processor, and the labels do not depend on
//! the instruction set. The assignment and the centre sums share one pass over the data, and
//! the sums are kept from one iteration to the next: only the rows whose label changed move
//! between them ([`super::common::Running`]). On AVX-512, assignments against few centres
//! go to the row-at-a-time kernel of `super::rowwise` instead (see [`NARROW`]), and on AVX2
//! (where the compiler leaves the loops below scalar) every assignment against at most 32
//! centres goes to that of `super::rowwise3`; the labels are the same.

use rayon::prelude::*;

use super::common::{
    CHUNK, Data, Delta, NO_LABEL, RunResult, Running, center_shift, finish_centers, inertia,
};

/// Centres per group in the assignment kernel.
const GROUP: usize = 4;
/// Rows per block in the assignment kernel: one AVX-512 vector of doubles (two AVX2 ones).
const LANES: usize = 8;

/// Rows of at most this many features are transposed feature by feature (eight reads into
/// one vector); wider rows row by row. Measured here (100 iterations, 2 threads): 1M × 10
/// rows 0.82 s feature by feature against 0.93 s row by row, 100k × 50 rows 0.65 s against
/// 0.49 s. On AVX-512, wider rows against at most 32 centres, and any rows against at most
/// 8, go to the row-at-a-time kernel of `rowwise` instead (no transposition of the rows):
/// 100k × 50 rows, 16 centres, prediction 4.0–5.0 ms here against 2.9–3.2 ms there; one pass
/// over 1M × 10 rows, 8 centres, one thread, 7.4–7.6 ms against 6.6–6.8 ms; with 16 centres
/// and 10 features this kernel stays (11.6 against 12.6 ms).
const NARROW: usize = 16;

/// Centres laid out for the assignment kernel: in groups of [`GROUP`], each group stored
/// feature-major (`d × GROUP`), padded with centres of infinite norm that are never chosen.
pub(crate) struct Prepared {
    ct: Vec<f64>,
    cnorm: Vec<f64>,
    d: usize,
    /// The same centres for the row-at-a-time AVX-512 kernel, when there are few enough
    /// and the processor has AVX-512.
    #[cfg(target_arch = "x86_64")]
    rows: Option<super::rowwise::RowCenters>,
    /// The same centres for the row-at-a-time AVX2 kernel (at most 32 centres), used when
    /// the instruction set chosen is AVX2.
    #[cfg(target_arch = "x86_64")]
    rows3: Option<super::rowwise3::RowCenters>,
}

/// What the assignment does with each row's nearest centre: a trait rather than a closure,
/// so the call is inlined into the code compiled for the chosen instruction set.
pub(crate) trait Visit {
    /// Rows `start..start + labels.len()` have the nearest centres `labels` (a block of at
    /// most eight rows); `simd` is the instruction set the kernel runs on.
    fn visit<S: pulp::Simd>(&mut self, simd: S, start: usize, labels: &[usize]);
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
        Self {
            #[cfg(target_arch = "x86_64")]
            rows: if d > NARROW || k <= LANES {
                super::rowwise::RowCenters::new(centers, &cnorm, k, d)
            } else {
                None
            },
            #[cfg(target_arch = "x86_64")]
            rows3: super::rowwise3::RowCenters::new(centers, &cnorm, k, d),
            ct,
            cnorm,
            d,
        }
    }

    /// The nearest centre (the first on ties) of each of the [`LANES`] rows whose features
    /// are `xt` (`d` vectors, feature `f` of every row in `xt[f]`), by `||c||² − 2·x·c`.
    /// Each dot product is summed feature by feature from zero, in order.
    #[inline(always)]
    fn nearest_lanes(&self, xt: &[[f64; LANES]]) -> [usize; LANES] {
        let d = self.d;
        let mut best_v = [f64::INFINITY; LANES];
        let mut best = [0usize; LANES];
        let groups = self
            .ct
            .chunks_exact(d * GROUP)
            .zip(self.cnorm.chunks_exact(GROUP));
        for (g, (cg, norms)) in groups.enumerate() {
            let mut acc = [[0.0; LANES]; GROUP];
            for (xf, c) in xt.iter().zip(cg.chunks_exact(GROUP)) {
                for (acc_q, &cq) in acc.iter_mut().zip(c) {
                    for (a, &xv) in acc_q.iter_mut().zip(xf) {
                        *a += xv * cq;
                    }
                }
            }
            for (q, (acc_q, &norm)) in acc.iter().zip(norms).enumerate() {
                let j = g * GROUP + q;
                for ((bv, b), &a) in best_v.iter_mut().zip(&mut best).zip(acc_q) {
                    let v = norm - 2.0 * a;
                    // Strictly nearer: the first centre wins ties, and NaN never wins.
                    let nearer = v < *bv;
                    *bv = if nearer { v } else { *bv };
                    *b = if nearer { j } else { *b };
                }
            }
        }
        best
    }

    /// Calls `visit.visit` for every block of rows in `rows` of the row-major `x`, in order,
    /// compiled for the widest instruction set `arch` offers; returns `visit` and,
    /// when `check`, whether every value read was finite (the labels of a row with NaN or an
    /// infinity mean nothing: [`assign_finite`] uses the flag to validate and assign in one
    /// pass; validated training data skips the check).
    #[inline]
    pub fn for_each_nearest<V: Visit>(
        &self,
        arch: pulp::Arch,
        x: &[f64],
        rows: std::ops::Range<usize>,
        visit: V,
        check: bool,
    ) -> (V, bool) {
        #[cfg(target_arch = "x86_64")]
        match (arch, &self.rows, &self.rows3) {
            (pulp::Arch::V4(_), Some(r), _) => return r.for_each_nearest(x, rows, visit, check),
            (pulp::Arch::V3(_), _, Some(r)) => return r.for_each_nearest(x, rows, visit, check),
            _ => {}
        }
        arch.dispatch(Assign {
            p: self,
            check,
            x,
            rows,
            visit,
        })
    }
}

/// One chunk's assignment as a [`pulp::WithSimd`] operation: its body is inlined into the
/// instruction-set-specific copies `pulp` compiles (a closure would be called, not inlined,
/// and run as baseline code).
struct Assign<'a, V> {
    p: &'a Prepared,
    check: bool,
    x: &'a [f64],
    rows: std::ops::Range<usize>,
    visit: V,
}

impl<V: Visit> pulp::WithSimd for Assign<'_, V> {
    type Output = (V, bool);

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, simd: S) -> (V, bool) {
        let Self {
            p,
            check,
            x,
            rows,
            mut visit,
        } = self;
        let d = p.d;
        // The block's rows transposed; rows past the end of a short last block stay zero
        // and their labels are not reported.
        let mut xt = vec![[0.0; LANES]; d];
        let mut finite = true;
        let mut i = rows.start;
        while i < rows.end {
            let n = (rows.end - i).min(LANES);
            let block = &x[i * d..(i + n) * d];
            if n == LANES && d <= NARROW {
                // Feature by feature: one vector written from the eight rows.
                let r: [&[f64]; LANES] = std::array::from_fn(|r| &block[r * d..(r + 1) * d]);
                for (f, xf) in xt.iter_mut().enumerate() {
                    *xf = [
                        r[0][f], r[1][f], r[2][f], r[3][f], r[4][f], r[5][f], r[6][f], r[7][f],
                    ];
                }
            } else {
                // Row by row (a short last block leaves the missing rows at zero).
                if n < LANES {
                    xt.iter_mut().for_each(|xf| xf.fill(0.0));
                }
                for (r, row) in block.chunks_exact(d).enumerate() {
                    for (xf, &v) in xt.iter_mut().zip(row) {
                        xf[r] = v;
                    }
                }
            }
            // A branch-free check of the block's values (missing rows are zeros).
            if check {
                finite &= xt.iter().flatten().fold(true, |ok, v| ok & v.is_finite());
            }
            let best = p.nearest_lanes(&xt);
            visit.visit(simd, i, &best[..n]);
            i += n;
        }
        (visit, finite)
    }
}

/// Writes each row's label into a chunk of the labels.
struct Labels<'a> {
    lab: &'a mut [usize],
    start: usize,
}

impl Visit for Labels<'_> {
    #[inline(always)]
    fn visit<S: pulp::Simd>(&mut self, _: S, start: usize, labels: &[usize]) {
        let at = start - self.start;
        self.lab[at..at + labels.len()].copy_from_slice(labels);
    }
}

/// Writes each row's label into a chunk of the labels, notes whether any changed, and moves
/// the rows whose label changed between the centres' sums.
struct LabelsAndSums<'a> {
    lab: &'a mut [usize],
    start: usize,
    data: Data<'a>,
    delta: Delta,
    /// Rows whose label changed.
    moved: usize,
}

impl Visit for LabelsAndSums<'_> {
    #[inline(always)]
    fn visit<S: pulp::Simd>(&mut self, simd: S, start: usize, labels: &[usize]) {
        let (n, d) = (labels.len(), self.data.d);
        let at = start - self.start;
        let rows = self.data.x[start * d..(start + n) * d].chunks_exact(d);
        let block = self.lab[at..at + n]
            .iter_mut()
            .zip(labels)
            .zip(rows)
            .zip(&self.data.w[start..start + n]);
        for (((l, &label), row), &w) in block {
            if *l != label {
                self.moved += 1;
                self.delta.moved(simd, *l, label, row, w);
                *l = label;
            }
        }
    }
}

/// Writes the nearest centre of every row of the row-major `x` (`labels.len()` rows of `d`
/// values) into `labels`.
pub(crate) fn assign(x: &[f64], d: usize, centers: &[f64], k: usize, labels: &mut [usize]) {
    assign_finite(x, d, centers, k, labels);
}

/// [`assign`], returning whether every value of `x` was finite (when not, the labels mean
/// nothing): prediction validates its input and assigns it in one pass over the data.
pub(crate) fn assign_finite(
    x: &[f64],
    d: usize,
    centers: &[f64],
    k: usize,
    labels: &mut [usize],
) -> bool {
    let p = Prepared::new(centers, k, d);
    let arch = pulp::Arch::new();
    // Called by `predict` from the program's thread: see `map_chunks_mut` for why the caller
    // takes chunks too.
    kiln_core::pool::map_chunks_mut(labels, CHUNK, |c, lab| {
        let start = c * CHUNK;
        let rows = start..start + lab.len();
        p.for_each_nearest(arch, x, rows, Labels { lab, start }, true)
            .1
    })
    .into_iter()
    .all(|finite| finite)
}

/// One Lloyd iteration: assigns every row to its nearest centre, moves the rows whose label
/// changed between the running sums, then returns the new centres, how far each moved, and
/// how many labels changed.
pub(crate) fn iterate(
    data: Data<'_>,
    centers: &[f64],
    k: usize,
    labels: &mut [usize],
    running: &mut Running,
) -> (Vec<f64>, Vec<f64>, usize) {
    let d = data.d;
    let p = Prepared::new(centers, k, d);
    let arch = pulp::Arch::new();
    let parts: Vec<(Delta, usize)> = labels
        .par_chunks_mut(CHUNK)
        .enumerate()
        .map(|(c, lab)| {
            let rows = data.chunk_rows(c);
            let visit = LabelsAndSums {
                lab,
                start: rows.start,
                data,
                delta: Delta::zeros(k, d),
                moved: 0,
            };
            let (done, _) = p.for_each_nearest(arch, data.x, rows, visit, false);
            (done.delta, done.moved)
        })
        .collect();
    let changed = parts.iter().map(|(_, c)| c).sum();
    let sums = running.apply(parts.into_iter().map(|(s, _)| s).collect(), d);
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
    elkan_after: bool,
) -> RunResult {
    // Labels start out of range, so the first iteration always counts as a change; comparing
    // each label as it is overwritten replaces scikit-learn's copy and compare of
    // `labels_old` (relocation does not touch labels).
    run_from(
        data,
        centers_init,
        vec![NO_LABEL; data.n],
        Running::new(k, data.d),
        0,
        k,
        max_iter,
        tol,
        elkan_after,
    )
}

/// With `elkan_after`, Lloyd's iterations hand over to Elkan's once one of them, from this
/// one on (0-based), ...
const ELKAN_FROM: usize = 2;
/// ... changes the labels of fewer than this share of the rows: from then on few rows move,
/// and Elkan's bounds spare most of the work of an iteration (on AVX-512 or AVX2 with at most 16
/// centres, where its bound test and the distances of the rows that fail it run in vectors).
const ELKAN_SHARE: f64 = 0.01;

/// Whether Lloyd's iteration `i` (0-based, not the last allowed), which changed `moved` of
/// `n` labels, hands over to Elkan's (see [`ELKAN_FROM`]).
fn hands_to_elkan(i: usize, max_iter: usize, moved: usize, n: usize) -> bool {
    i >= ELKAN_FROM && i + 1 < max_iter && (moved as f64) < ELKAN_SHARE * n as f64
}

/// [`run`] continued after `done` iterations (of this algorithm or Elkan's, which give the
/// same centres and labels): `centers` are the centres those iterations produced and `labels`
/// the last assignment, against which the next one looks for changes; `running` holds the
/// centre sums of those labels.
#[allow(clippy::too_many_arguments)]
pub(crate) fn run_from(
    data: Data<'_>,
    mut centers: Vec<f64>,
    mut labels: Vec<usize>,
    mut running: Running,
    done: usize,
    k: usize,
    max_iter: usize,
    tol: f64,
    elkan_after: bool,
) -> RunResult {
    let mut strict = false;
    let mut converged = false;
    let mut n_iter = done;
    for i in done..max_iter {
        n_iter = i + 1;
        let (new, shift, moved) = iterate(data, &centers, k, &mut labels, &mut running);
        centers = new;
        if moved == 0 {
            strict = true;
            converged = true;
            break;
        }
        let shift_tot: f64 = shift.iter().map(|s| s * s).sum();
        if shift_tot <= tol {
            converged = true;
            break;
        }
        if elkan_after && hands_to_elkan(i, max_iter, moved, data.n) {
            return super::elkan::run_after_lloyd(
                data, centers, &labels, running, n_iter, k, max_iter, tol,
            );
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

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_core::random::rng_from_seed;
    use rand::Rng;

    /// The nearest centre by the kernel's formula, written plainly: `||c||² − 2·x·c` with
    /// each sum taken feature by feature from zero, the first centre on ties.
    fn plain_nearest(x: &[f64], centers: &[f64], d: usize) -> usize {
        let mut best = (f64::INFINITY, 0);
        for (j, c) in centers.chunks_exact(d).enumerate() {
            let norm: f64 = c.iter().map(|v| v * v).sum();
            let mut dot = 0.0;
            for (a, b) in x.iter().zip(c) {
                dot += a * b;
            }
            let v = norm - 2.0 * dot;
            if v < best.0 {
                best = (v, j);
            }
        }
        best.1
    }

    /// The labels `p` gives the `n` rows of `x` on `arch`, and whether every value was finite.
    fn labels_of(p: &Prepared, arch: pulp::Arch, x: &[f64], n: usize) -> (Vec<usize>, bool) {
        let mut got = vec![usize::MAX; n];
        let (_, finite) = p.for_each_nearest(
            arch,
            x,
            0..n,
            Labels {
                lab: &mut got,
                start: 0,
            },
            true,
        );
        (got, finite)
    }

    /// Every instruction set this processor offers, and the baseline.
    fn arches() -> Vec<pulp::Arch> {
        #[allow(unused_mut)]
        let mut out = vec![pulp::Arch::Scalar];
        #[cfg(target_arch = "x86_64")]
        {
            out.extend(pulp::x86::V3::try_new().map(pulp::Arch::V3));
            out.extend(pulp::x86::V4::try_new().map(pulp::Arch::V4));
        }
        out
    }

    #[test]
    fn labels_equal_the_plain_formula_on_every_instruction_set() {
        let mut rng = rng_from_seed(3);
        // Narrow and wide rows, k below, at and above a group, a row count that leaves a
        // short last block; the last centre repeats the first, which must never win.
        // Rows of more than 16 features against at most 32 centres take the row-at-a-time
        // kernel on AVX-512 (one to four groups of eight centres, a short last block of rows);
        // any rows against at most 32 centres take the AVX2 one when the arch is AVX2.
        for (n, d, k) in [
            (1003, 3, 1),
            (1003, 10, 8),
            (517, 10, 13),
            (301, 20, 5),
            (203, 24, 16),
            (97, 40, 20),
            (211, 17, 32),
            (150, 33, 33),
            // Every group count of the AVX2 row-at-a-time kernel (groups of four centres).
            (405, 7, 3),
            (333, 9, 11),
            (130, 5, 24),
            (121, 12, 26),
        ] {
            let x: Vec<f64> = (0..n * d).map(|_| rng.random_range(-3.0..3.0)).collect();
            let mut centers: Vec<f64> = (0..k * d).map(|_| rng.random_range(-3.0..3.0)).collect();
            if k > 1 {
                let first = centers[..d].to_vec();
                centers[(k - 1) * d..].copy_from_slice(&first);
            }
            let want: Vec<usize> = x
                .chunks_exact(d)
                .map(|row| plain_nearest(row, &centers, d))
                .collect();
            assert!(want.iter().all(|&l| k == 1 || l != k - 1));
            let p = Prepared::new(&centers, k, d);
            for arch in arches() {
                let got = labels_of(&p, arch, &x, n).0;
                assert_eq!(got, want, "n {n}, d {d}, k {k}, {arch:?}");
            }
        }
    }

    #[test]
    fn screened_search_keeps_the_plain_formulas_labels_on_near_ties_and_any_scale() {
        // 9-16 centres and more than 16 features take the AVX-512 screened search: a first
        // pass in single precision rules centres out only beyond its error bound. Rows
        // placed a hair from the midpoint of two centres (their values differ in the last
        // bits), exact duplicates of a centre pair, and the same data scaled to where single
        // precision underflows or overflows must all keep the exact kernel's labels.
        let mut rng = rng_from_seed(8);
        for (d, k) in [(17, 9), (24, 12), (50, 16), (70, 13)] {
            let base: Vec<f64> = (0..k * d).map(|_| rng.random_range(-3.0..3.0)).collect();
            let n = 400;
            let mut x0 = Vec::with_capacity(n * d);
            for i in 0..n {
                let (a, b) = (i % k, (i * 7 + 3) % k);
                let t = 0.5 + rng.random_range(-1e-12..1e-12) * f64::from(i as u32 % 3);
                for f in 0..d {
                    x0.push(base[a * d + f] * t + base[b * d + f] * (1.0 - t));
                }
            }
            for scale in [1.0, 1e-30, 1e-200, 1e30, 1e200] {
                let mut centers: Vec<f64> = base.iter().map(|v| v * scale).collect();
                // The last centre repeats the second: ties go to the first.
                let second = centers[d..2 * d].to_vec();
                centers[(k - 1) * d..].copy_from_slice(&second);
                let x: Vec<f64> = x0.iter().map(|v| v * scale).collect();
                let want: Vec<usize> = x
                    .chunks_exact(d)
                    .map(|row| plain_nearest(row, &centers, d))
                    .collect();
                let p = Prepared::new(&centers, k, d);
                for arch in arches() {
                    let got = labels_of(&p, arch, &x, n).0;
                    assert_eq!(got, want, "d {d}, k {k}, scale {scale:e}, {arch:?}");
                }
            }
        }
    }

    #[test]
    fn non_finite_rows_get_the_plain_formulas_label_and_clear_the_finite_flag() {
        let mut rng = rng_from_seed(4);
        for (n, d, k) in [(205, 6, 5), (205, 21, 12), (205, 30, 40)] {
            let mut x: Vec<f64> = (0..n * d).map(|_| rng.random_range(-2.0..2.0)).collect();
            let centers: Vec<f64> = (0..k * d).map(|_| rng.random_range(-2.0..2.0)).collect();
            let p = Prepared::new(&centers, k, d);
            let run = |x: &[f64], arch: pulp::Arch| labels_of(&p, arch, x, n);
            let want = |x: &[f64]| -> Vec<usize> {
                x.chunks_exact(d)
                    .map(|row| plain_nearest(row, &centers, d))
                    .collect()
            };
            // A row whose products overflow to infinities is still finite data.
            x[40 * d..41 * d].fill(1e308);
            for arch in arches() {
                assert_eq!(run(&x, arch), (want(&x), true), "d {d}, k {k}, {arch:?}");
            }
            // NaN and both infinities, each alone, at the start of a block, inside one, and
            // at the end of the short last block (the kernels read a block's values a vector
            // at a time and the rest one by one).
            for (at, v) in [
                (17, f64::NAN),
                (3 * d + 1, f64::INFINITY),
                (n * d - 1, f64::NEG_INFINITY),
                (8 * d - 1, f64::NAN),
            ] {
                let old = std::mem::replace(&mut x[at], v);
                for arch in arches() {
                    assert_eq!(
                        run(&x, arch),
                        (want(&x), false),
                        "d {d}, k {k}, at {at}, {arch:?}"
                    );
                }
                x[at] = old;
            }
        }
    }

    #[test]
    fn the_hand_over_to_elkan_comes_once_labels_settle() {
        // Overlapping clusters from the first rows: many labels change in the first
        // iterations (no hand-over), then under 1 % for many more (hand-over); a run that has
        // converged by then never hands over.
        let (n, d, k) = (9000, 10, 8);
        let mut rng = rng_from_seed(17);
        let centres: Vec<f64> = (0..k * d).map(|_| rng.random_range(-10.0..10.0)).collect();
        let x: Vec<f64> = (0..n)
            .flat_map(|_| {
                let c = rng.random_range(0..k);
                (0..d)
                    .map(|f| centres[c * d + f] + rng.random_range(-9.0..9.0))
                    .collect::<Vec<_>>()
            })
            .collect();
        let w = vec![1.0; n];
        let data = Data { x: &x, w: &w, n, d };
        let mut labels = vec![NO_LABEL; n];
        let mut running = Running::new(k, d);
        let mut centers = x[..k * d].to_vec();
        let mut moves = vec![];
        for _ in 0..40 {
            let (new, _, moved) = iterate(data, &centers, k, &mut labels, &mut running);
            centers = new;
            moves.push(moved);
        }
        assert!(moves[0] == n && moves[1] > n / 100, "{moves:?}");
        let first = (0..40).find(|&i| hands_to_elkan(i, 300, moves[i], n));
        assert!(
            matches!(first, Some(i) if (ELKAN_FROM..30).contains(&i)),
            "{moves:?}"
        );
        assert!(
            moves[first.unwrap_or(0)..30].iter().any(|&m| m > 0),
            "{moves:?}"
        );
        assert!(!hands_to_elkan(5, 6, 0, n), "not at the last iteration");
        assert!(!hands_to_elkan(1, 300, 0, n), "not before the third");
    }
}
