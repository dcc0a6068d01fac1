//! Hamerly's algorithm (Hamerly 2010, "Making k-means even faster"), in the variant that
//! keeps no upper bound: Lloyd's iterations with one lower bound per row on the distance to
//! every centre but its own.
//!
//! Each iteration computes every row's distance to its own centre and compares it with the
//! larger of the row's lower bound and half the distance from its centre to the nearest other
//! one: below it, no other centre can be nearer and the row keeps its label; otherwise all `k`
//! distances are computed. Hamerly's upper bound would save the own distance for rows whose
//! centre barely moved, but the lower bound shrinks by the largest centre shift every
//! iteration, so on clusters that overlap most rows need the own distance anyway; without the
//! upper bound a row costs one read of it, its label and its lower bound, and one distance
//! (Lloyd's iteration computes `k`).
//!
//! The lower bounds are stored relative to the running total `M` of the largest centre shift
//! per iteration (`stored = bound + M` when set, `bound = stored − M` when read), so they are
//! written only when a row's distances are all computed.
//!
//! Labels are those of Lloyd's iterations on data without distance ties (a row keeps its label
//! only when the triangle inequality proves no other centre nearer, and a row whose distances
//! are all computed takes the nearest, the first on ties, as Elkan's iteration does), the
//! centre sums are the running sums Lloyd's and Elkan's iterations keep
//! ([`super::common::Running`]), and the stopping rules and last assignment are Lloyd's, so the
//! iterations, centres and inertia are Lloyd's.

use rayon::prelude::*;

use super::common::{
    CHUNK, Data, Delta, NO_LABEL, RunResult, Running, center_shift, finish_centers, inertia,
    sq_dist,
};

/// For each centre, half the distance to its nearest other centre (infinite when `k = 1`).
fn half_nearest(centers: &[f64], k: usize, d: usize) -> Vec<f64> {
    (0..k)
        .map(|a| {
            (0..k)
                .filter(|&b| b != a)
                .map(|b| sq_dist(&centers[a * d..(a + 1) * d], &centers[b * d..(b + 1) * d]))
                .fold(f64::INFINITY, f64::min)
                .sqrt()
                / 2.0
        })
        .collect()
}

/// `||a − b||²`, a vector of features at a time. Only compared against bounds, never used
/// to choose a label, so its summation order is free.
#[inline(always)]
fn sq_dist_simd<S: pulp::Simd>(simd: S, a: &[f64], b: &[f64]) -> f64 {
    let (av, ar) = S::as_simd_f64s(a);
    let (bv, br) = S::as_simd_f64s(b);
    let mut acc = simd.splat_f64s(0.0);
    for (&p, &q) in av.iter().zip(bv) {
        let t = simd.sub_f64s(p, q);
        acc = simd.add_f64s(acc, simd.mul_f64s(t, t));
    }
    let mut s = simd.reduce_sum_f64s(acc);
    for (p, q) in ar.iter().zip(br) {
        let t = p - q;
        s += t * t;
    }
    s
}

/// The nearest centre to `x` (the first on ties) and the distance to the nearest of the
/// others (infinite when `k = 1`), by squared distances summed feature by feature from zero
/// (the AVX-512 kernel sums them in the same order, so both choose the same labels).
#[inline(always)]
fn nearest_two(x: &[f64], centers: &[f64], d: usize) -> (usize, f64) {
    let (mut best, mut first, mut second) = (0, f64::INFINITY, f64::INFINITY);
    for (j, c) in centers.chunks_exact(d).enumerate() {
        let mut dist = 0.0;
        for (a, b) in x.iter().zip(c) {
            let t = a - b;
            dist += t * t;
        }
        if dist < first {
            second = first;
            first = dist;
            best = j;
        } else if dist < second {
            second = dist;
        }
    }
    (best, second.sqrt())
}

/// What one chunk of an iteration reads, shared by the row-by-row and the AVX-512 code.
#[derive(Clone, Copy)]
struct Step<'a> {
    data: Data<'a>,
    centers: &'a [f64],
    half: &'a [f64],
    /// The running total of the largest centre shift (see the module page).
    total_shift: f64,
    k: usize,
    /// The first iteration: every row's distances are computed, and every row is added to
    /// the (empty) running sums.
    fresh: bool,
}

/// A chunk's results: its changes to the running sums, how many rows needed all `k`
/// distances, and whether a label changed.
struct Outcome {
    delta: Delta,
    full: usize,
    changed: bool,
}

impl Step<'_> {
    fn outcome(&self) -> Outcome {
        Outcome {
            delta: Delta::zeros(self.k, self.data.d),
            full: 0,
            changed: self.fresh,
        }
    }

    /// Row `i` has all its distances computed: `best` is its nearest centre, `second` the
    /// distance to the nearest other.
    #[inline(always)]
    fn settle<S: pulp::Simd>(
        &self,
        simd: S,
        out: &mut Outcome,
        i: usize,
        (l, lo): (&mut usize, &mut f64),
        (best, second): (usize, f64),
    ) {
        out.full += 1;
        *lo = second + self.total_shift;
        let old = *l;
        if self.fresh || best != old {
            out.changed = true;
            *l = best;
            let from = if self.fresh { NO_LABEL } else { old };
            out.delta
                .moved(simd, from, best, self.data.row(i), self.data.w[i]);
        }
    }

    /// One row, on its own.
    #[inline(always)]
    fn row<S: pulp::Simd>(
        &self,
        simd: S,
        out: &mut Outcome,
        i: usize,
        l: &mut usize,
        lo: &mut f64,
    ) {
        let (d, x) = (self.data.d, self.data.row(i));
        if !self.fresh {
            let a = *l;
            let bound = (*lo - self.total_shift).max(self.half[a]);
            if sq_dist_simd(simd, x, &self.centers[a * d..(a + 1) * d]) < bound * bound {
                return;
            }
        }
        let found = nearest_two(x, &self.centers[..self.k * d], d);
        self.settle(simd, out, i, (l, lo), found);
    }
}

/// One chunk of an iteration, row by row, compiled per instruction set.
struct ChunkIteration<'a> {
    step: Step<'a>,
    c: usize,
    lab: &'a mut [usize],
    low: &'a mut [f64],
}

impl pulp::WithSimd for ChunkIteration<'_> {
    type Output = Outcome;

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, simd: S) -> Outcome {
        let Self { step, c, lab, low } = self;
        let mut out = step.outcome();
        let rows = step.data.chunk_rows(c);
        for (i, (l, lo)) in rows.zip(lab.iter_mut().zip(low.iter_mut())) {
            step.row(simd, &mut out, i, l, lo);
        }
        out
    }
}

/// The per-row state carried from one iteration to the next.
struct State {
    labels: Vec<usize>,
    /// Lower bounds, stored relative to `total_shift` (see the module page).
    lower: Vec<f64>,
    /// The running total of the largest centre shift per iteration.
    total_shift: f64,
    running: Running,
}

/// What one iteration produced.
struct Iteration {
    centers: Vec<f64>,
    shift: Vec<f64>,
    changed: bool,
    /// Rows whose distances to every centre were computed (read by the tests, which check
    /// that the bound spares most rows).
    #[cfg_attr(not(test), expect(dead_code, reason = "read only by the tests"))]
    full: usize,
}

impl State {
    fn new(n: usize, k: usize, d: usize) -> Self {
        Self {
            labels: vec![NO_LABEL; n],
            lower: vec![0.0; n],
            total_shift: 0.0,
            running: Running::new(k, d),
        }
    }

    /// One iteration from `centers` (`fresh`: the first); `vector` allows the AVX-512
    /// kernel (tests turn it off to compare the two).
    fn iterate(
        &mut self,
        data: Data<'_>,
        centers: &[f64],
        k: usize,
        fresh: bool,
        vector: bool,
    ) -> Iteration {
        let d = data.d;
        let half = half_nearest(centers, k, d);
        let step = Step {
            data,
            centers,
            half: &half,
            total_shift: self.total_shift,
            k,
            fresh,
        };
        #[cfg(target_arch = "x86_64")]
        let fast = if vector {
            avx512::Layout::new(centers, &half, k, d)
        } else {
            None
        };
        #[cfg(not(target_arch = "x86_64"))]
        let _ = vector;
        let arch = pulp::Arch::new();
        let parts: Vec<Outcome> = self
            .labels
            .par_chunks_mut(CHUNK)
            .zip(self.lower.par_chunks_mut(CHUNK))
            .enumerate()
            .map(|(c, (lab, low))| {
                #[cfg(target_arch = "x86_64")]
                if let Some(p) = &fast {
                    return p.chunk(step, c, lab, low);
                }
                arch.dispatch(ChunkIteration { step, c, lab, low })
            })
            .collect();
        let changed = parts.iter().any(|p| p.changed);
        let full = parts.iter().map(|p| p.full).sum();
        let sums = self
            .running
            .apply(parts.into_iter().map(|p| p.delta).collect(), d);
        let new = finish_centers(data, centers, &self.labels, sums);
        let shift = center_shift(centers, &new, d);
        self.total_shift += shift.iter().copied().fold(0.0, f64::max);
        Iteration {
            centers: new,
            shift,
            changed,
            full,
        }
    }
}

/// Runs Hamerly's algorithm from `centers_init` with the stopping rules, iteration count and
/// final assignment of [`super::lloyd::run`].
pub(crate) fn run(
    data: Data<'_>,
    centers_init: Vec<f64>,
    k: usize,
    max_iter: usize,
    tol: f64,
) -> RunResult {
    run_with(data, centers_init, k, max_iter, tol, true)
}

/// [`run`], with or without the AVX-512 kernel.
fn run_with(
    data: Data<'_>,
    centers_init: Vec<f64>,
    k: usize,
    max_iter: usize,
    tol: f64,
    vector: bool,
) -> RunResult {
    let d = data.d;
    let mut centers = centers_init;
    let mut state = State::new(data.n, k, d);
    let mut strict = false;
    let mut converged = false;
    let mut n_iter = 0;
    for i in 0..max_iter {
        n_iter = i + 1;
        let it = state.iterate(data, &centers, k, i == 0, vector);
        centers = it.centers;
        if !it.changed {
            strict = true;
            converged = true;
            break;
        }
        let shift_tot: f64 = it.shift.iter().map(|s| s * s).sum();
        if shift_tot <= tol {
            converged = true;
            break;
        }
    }
    let mut labels = state.labels;
    if !strict {
        super::lloyd::assign(data.x, d, &centers, k, &mut labels);
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

/// The chunk kernel on AVX-512, for rows of at least eight features: eight rows at a time.
///
/// Each row's own squared distance is summed a vector of features at a time (the last vector
/// overlaps the one before it, its repeated lanes masked to zero), the eight rows' partial
/// sums are transposed and added into one vector, and all eight are compared with their
/// bounds at once. When a row fails, and there are at most eight centres, the whole block's
/// distances to every centre are computed with one vector per row (the centres in the lanes,
/// summed feature by feature from zero as [`nearest_two`] does, so the labels are the same)
/// and searched lane-wise after a transposition; with more centres the failing rows go
/// through [`nearest_two`].
#[cfg(target_arch = "x86_64")]
mod avx512 {
    use pulp::x86::V4;
    use pulp::{Simd, f64x8, u64x8};

    use super::super::rowwise::transpose8;
    use super::{Outcome, Step, nearest_two};

    /// Centres and half-distances laid out for the kernel, with the proof that the processor
    /// has AVX-512.
    pub(super) struct Layout {
        simd: V4,
        /// With at most eight centres: `d` vectors, feature `f` of every centre in `ct[f]`
        /// (padding centres infinitely far).
        ct: Option<Vec<f64x8>>,
        /// With at most eight centres: half the distance from each centre to its nearest other.
        half: Option<f64x8>,
        /// The lanes of a row's last vector (which ends at its last feature) not already
        /// counted by the whole vectors before it.
        last: u8,
    }

    /// The first eight values of `s` (at least eight long) as a vector.
    #[inline(always)]
    fn load8(s: &[f64]) -> f64x8 {
        match V4::as_simd_f64s(&s[..8]).0 {
            [v] => *v,
            _ => f64x8(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
        }
    }

    impl Layout {
        /// `None` when the processor lacks AVX-512 or rows have fewer than eight features.
        pub fn new(centers: &[f64], half: &[f64], k: usize, d: usize) -> Option<Self> {
            let simd = V4::try_new()?;
            if d < 8 {
                return None;
            }
            let (ct, half) = if k <= 8 {
                let ct = (0..d)
                    .map(|f| {
                        let c = |j: usize| {
                            if j < k {
                                centers[j * d + f]
                            } else {
                                f64::INFINITY
                            }
                        };
                        f64x8(c(0), c(1), c(2), c(3), c(4), c(5), c(6), c(7))
                    })
                    .collect();
                let h = |j: usize| half.get(j).copied().unwrap_or(f64::INFINITY);
                (
                    Some(ct),
                    Some(f64x8(h(0), h(1), h(2), h(3), h(4), h(5), h(6), h(7))),
                )
            } else {
                (None, None)
            };
            let rest = d % 8;
            let last = if rest == 0 {
                u8::MAX
            } else {
                !(u8::MAX >> rest)
            };
            Some(Self {
                simd,
                ct,
                half,
                last,
            })
        }

        /// One chunk of an iteration (see [`super::ChunkIteration`]).
        #[inline]
        pub fn chunk(
            &self,
            step: Step<'_>,
            c: usize,
            lab: &mut [usize],
            low: &mut [f64],
        ) -> Outcome {
            self.simd.vectorize(Chunk {
                p: self,
                step,
                c,
                lab,
                low,
            })
        }
    }

    struct Chunk<'a, 'b> {
        p: &'a Layout,
        step: Step<'a>,
        c: usize,
        lab: &'b mut [usize],
        low: &'b mut [f64],
    }

    impl pulp::NullaryFnOnce for Chunk<'_, '_> {
        type Output = Outcome;

        #[inline(always)]
        fn call(self) -> Outcome {
            match self.step.data.d.div_ceil(8) {
                1 => self.run::<1>(),
                2 => self.run::<2>(),
                3 => self.run::<3>(),
                4 => self.run::<4>(),
                _ => self.run::<0>(),
            }
        }
    }

    impl Chunk<'_, '_> {
        /// The kernel for rows of `W` vectors of features (`8·W − 7 ..= 8·W` features), any
        /// width with `W = 0`.
        #[inline(always)]
        fn run<const W: usize>(self) -> Outcome {
            let Self {
                p,
                step,
                c,
                lab,
                low,
            } = self;
            let simd = p.simd;
            let d = step.data.d;
            let mut out = step.outcome();
            let rows = step.data.chunk_rows(c);
            let mut r = 0;
            while r + 8 <= rows.len() {
                let i0 = rows.start + r;
                let block = &step.data.x[i0 * d..(i0 + 8) * d];
                let labs = &mut lab[r..r + 8];
                let lows = &mut low[r..r + 8];
                let fail = if step.fresh {
                    u8::MAX
                } else {
                    !keeps::<W>(p, &step, block, labs, lows)
                };
                if fail != 0 {
                    let found = match &p.ct {
                        Some(ct) => nearest_two8(simd, ct, block, d),
                        None => {
                            let mut found = [(0, 0.0); 8];
                            for (q, f) in found.iter_mut().enumerate() {
                                if fail & (1 << q) != 0 {
                                    let x = &block[q * d..(q + 1) * d];
                                    *f = nearest_two(x, &step.centers[..step.k * d], d);
                                }
                            }
                            found
                        }
                    };
                    for (q, ((l, lo), &f)) in
                        labs.iter_mut().zip(lows.iter_mut()).zip(&found).enumerate()
                    {
                        if fail & (1 << q) != 0 {
                            step.settle(simd, &mut out, i0 + q, (l, lo), f);
                        }
                    }
                }
                r += 8;
            }
            for (q, (l, lo)) in lab[r..].iter_mut().zip(low[r..].iter_mut()).enumerate() {
                step.row(simd, &mut out, rows.start + r + q, l, lo);
            }
            out
        }
    }

    /// Bit `q` set when row `q` of `block` (eight rows) keeps its label: its own distance is
    /// below its bound.
    #[inline(always)]
    fn keeps<const W: usize>(
        p: &Layout,
        step: &Step<'_>,
        block: &[f64],
        labs: &[usize],
        lows: &[f64],
    ) -> u8 {
        let simd = p.simd;
        let d = step.data.d;
        let zero = simd.splat_f64x8(0.0);
        let mut acc = [zero; 8];
        for (q, a) in acc.iter_mut().enumerate() {
            let x = &block[q * d..(q + 1) * d];
            let l = labs[q];
            let c = &step.centers[l * d..(l + 1) * d];
            *a = own_partial::<W>(p, x, c);
        }
        let t = transpose8(simd, acc);
        let mut own = t[0];
        for &v in &t[1..] {
            own = simd.add_f64s(own, v);
        }
        let lower = simd.sub_f64s(load8(lows), simd.splat_f64x8(step.total_shift));
        let half = match p.half {
            Some(h) => {
                let idx = u64x8(
                    labs[0] as u64,
                    labs[1] as u64,
                    labs[2] as u64,
                    labs[3] as u64,
                    labs[4] as u64,
                    labs[5] as u64,
                    labs[6] as u64,
                    labs[7] as u64,
                );
                pulp::cast(
                    simd.avx512f
                        ._mm512_permutexvar_pd(pulp::cast(idx), pulp::cast(h)),
                )
            }
            None => {
                let h = |q: usize| step.half[labs[q]];
                f64x8(h(0), h(1), h(2), h(3), h(4), h(5), h(6), h(7))
            }
        };
        let bound = simd.max_f64s(lower, half);
        simd.cmp_lt_f64x8(own, simd.mul_f64s(bound, bound)).0
    }

    /// Lane-wise partial sums of `||x − c||²` (`x` and `c` are `d ≥ 8` long): the whole
    /// vectors, then the last vector (ending at the last feature) with the lanes counted
    /// before masked to zero. `W` is the number of vectors (`⌈d / 8⌉`), 0 for any.
    #[inline(always)]
    fn own_partial<const W: usize>(p: &Layout, x: &[f64], c: &[f64]) -> f64x8 {
        let simd = p.simd;
        let d = x.len();
        let whole = if W == 0 { (d - 1) / 8 } else { W - 1 };
        let mut s = simd.splat_f64x8(0.0);
        for v in 0..whole {
            let t = simd.sub_f64s(load8(&x[8 * v..]), load8(&c[8 * v..]));
            s = simd.add_f64s(s, simd.mul_f64s(t, t));
        }
        let t: f64x8 = pulp::cast(simd.avx512f._mm512_maskz_sub_pd(
            p.last,
            pulp::cast(load8(&x[d - 8..])),
            pulp::cast(load8(&c[d - 8..])),
        ));
        simd.add_f64s(s, simd.mul_f64s(t, t))
    }

    /// [`nearest_two`] for each of the eight rows of `block`, against at most eight centres
    /// laid out feature by feature in `ct`.
    #[inline(always)]
    fn nearest_two8(simd: V4, ct: &[f64x8], block: &[f64], d: usize) -> [(usize, f64); 8] {
        let zero = simd.splat_f64x8(0.0);
        let mut acc = [zero; 8];
        for (q, a) in acc.iter_mut().enumerate() {
            let x = &block[q * d..(q + 1) * d];
            let mut s = zero;
            for (&v, &c) in x.iter().zip(ct) {
                let t = simd.sub_f64s(simd.splat_f64x8(v), c);
                s = simd.add_f64s(s, simd.mul_f64s(t, t));
            }
            *a = s;
        }
        let inf = simd.splat_f64x8(f64::INFINITY);
        let (mut best, mut second) = (inf, inf);
        let mut label = simd.splat_u64x8(0);
        for (j, &v) in transpose8(simd, acc).iter().enumerate() {
            let lt = simd.cmp_lt_f64x8(v, best);
            second = simd.select_f64x8(lt, best, simd.min_f64s(second, v));
            best = simd.select_f64x8(lt, v, best);
            label = simd.select_u64x8(lt, simd.splat_u64x8(j as u64), label);
        }
        let second: [f64; 8] = pulp::cast(simd.sqrt_f64s(second));
        let label: [u64; 8] = pulp::cast(label);
        let mut found = [(0, 0.0); 8];
        for (f, (&l, &s)) in found.iter_mut().zip(label.iter().zip(&second)) {
            *f = (l as usize, s);
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_core::random::rng_from_seed;
    use rand::Rng;

    /// `n` rows of `d` features around `c` random centres, in random order.
    fn clustered(n: usize, d: usize, c: usize, spread: f64, seed: u64) -> Vec<f64> {
        let mut rng = rng_from_seed(seed);
        let centres: Vec<f64> = (0..c * d).map(|_| rng.random_range(-10.0..10.0)).collect();
        (0..n)
            .flat_map(|_| {
                let j = rng.random_range(0..c);
                (0..d)
                    .map(|f| centres[j * d + f] + rng.random_range(-spread..spread))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    #[test]
    fn the_avx512_kernel_and_the_row_by_row_code_give_the_same_fit() {
        // Two chunks with a short block at the end of each; widths with and without a
        // partial last vector, the const-width kernels and the any-width one; up to and past
        // eight centres (the block search and the row-by-row search).
        let n = CHUNK + 1003;
        for (seed, d) in [8, 9, 10, 16, 17, 24, 31, 33, 40, 3]
            .into_iter()
            .enumerate()
        {
            let x = clustered(n, d, 6, 6.0, seed as u64);
            let w: Vec<f64> = (0..n).map(|i| (i % 3) as f64 * 0.5).collect();
            let data = Data { x: &x, w: &w, n, d };
            for k in [1, 3, 8, 9, 13] {
                let init = x[..k * d].to_vec();
                let a = run_with(data, init.clone(), k, 50, 0.0, true);
                let b = run_with(data, init, k, 50, 0.0, false);
                let what = format!("d={d} k={k}");
                assert_eq!(a.labels, b.labels, "{what}");
                assert_eq!(a.centers, b.centers, "{what}");
                assert_eq!(a.inertia, b.inertia, "{what}");
                assert_eq!(a.n_iter, b.n_iter, "{what}");
            }
        }
    }

    #[test]
    fn the_bound_spares_most_rows_once_labels_settle() {
        // The premise of the algorithm, and a check that the bound test is not failing every
        // row (the fit would still be right, only slow): on clustered data, after a few
        // iterations under 5 % of the rows need all their distances; on the first, all do.
        // Every iteration's labels are each row's nearest centre, found by brute force.
        let (n, d, k) = (20_000, 10, 8);
        let x = clustered(n, d, k, 2.0, 5);
        let w = vec![1.0; n];
        let data = Data { x: &x, w: &w, n, d };
        for vector in [true, false] {
            let mut state = State::new(n, k, d);
            let mut centers = x[..k * d].to_vec();
            let mut shares = vec![];
            for i in 0..10 {
                let it = state.iterate(data, &centers, k, i == 0, vector);
                shares.push(it.full as f64 / n as f64);
                for (r, &l) in state.labels.iter().enumerate() {
                    let row = &x[r * d..(r + 1) * d];
                    assert_eq!(l, nearest_two(row, &centers, d).0, "iteration {i} row {r}");
                }
                centers = it.centers;
            }
            assert_eq!(shares[0], 1.0);
            assert!(shares[6..].iter().all(|&s| s < 0.05), "{shares:?}");
        }
    }
}
