//! Elkan's iteration on AVX2 with at most 16 centres: the counterpart of the AVX-512 kernel
//! (module `avx512` beside it) for processors without AVX-512, with the same results.
//!
//! The bound test takes sixteen rows at a time (one block of lower bounds, see [`at`]) as two
//! vectors of eight singles: per centre `j`, the rows' lower bounds on it and the
//! half-distances from each row's centre to `j`, picked from a table by the labels with
//! `vpermps` (two tables and a blend past eight centres). AVX2 has no per-instruction
//! rounding mode, so instead of rounding each step towards keeping the row, the test keeps a
//! margin: a row is cleared only when the minimum over `j` of `max(l_j − D_j, H[a][j])`,
//! computed with rounding to nearest, is at least its upper bound times `1 + 2^-21` (plus the
//! least normal single). Each of the two roundings involved (the single-precision upper bound,
//! the subtraction) errs by at most `2^-24` of its result, so a row cleared here is cleared by
//! the exact test. A failing row takes all its distances in one vector pass (summed as
//! [`sq_dist`](crate::kmeans::common::sq_dist) sums them, so they are its results bit for bit)
//! and settles branch-free; its new lower bounds are rounded down by scaling the nearest
//! single by `1 − 2^-22` and stepping one subnormal below.

use pulp::x86::V3;
use pulp::{Simd, f32x8, f64x4, i32x8};

use std::arch::x86_64::{__m256, __m256d, __m256i};

use super::{CHUNK, Centres, ChunkInit, LANES, Tally, at};
use crate::kmeans::common::{Data, Delta};

/// The most centres the kernel takes: four groups of four doubles, two tables of eight singles.
const MAX_K: usize = 16;

/// The centres' half-distances, drift totals and values as vector tables, with the proof
/// that the processor has AVX2.
pub(crate) struct Layout {
    simd: V3,
    /// Row `j` of the half-distances, centres 0–7 and 8–15 (infinite past `k`), in single
    /// precision rounded down.
    half: Vec<[f32x8; 2]>,
    /// The drift totals in single precision rounded up, one per centre.
    drift_up: Vec<f32>,
    /// The drift totals of centres `4g .. 4g + 4` (zero past `k`).
    drift: [f64x4; 4],
    /// Feature `f` of centres `4g .. 4g + 4` (zero past `k`).
    ct: Vec<[f64x4; 4]>,
    /// Zero for the centres that exist, infinite past `k`: added to the distances so that
    /// padding is never nearest.
    pad: [f64x4; 4],
    k: usize,
}

/// The distances from `x` to the centres of the first `G` groups, each summed in the order
/// and grouping of [`sq_dist`](crate::kmeans::common::sq_dist), so they equal its results bit
/// for bit.
#[inline(always)]
fn all_dists<const G: usize>(simd: V3, ct: &[[f64x4; 4]], x: &[f64]) -> [f64x4; G] {
    let zero = simd.splat_f64s(0.0);
    let mut acc = [zero; G];
    let whole = x.len() / 4 * 4;
    for (h, a) in acc.iter_mut().enumerate() {
        let sq = |f: usize| {
            let t = simd.sub_f64s(simd.splat_f64s(x[f]), ct[f][h]);
            simd.mul_f64s(t, t)
        };
        for f in (0..whole).step_by(4) {
            let s = simd.add_f64s(simd.add_f64s(sq(f), sq(f + 1)), sq(f + 2));
            *a = simd.add_f64s(*a, simd.add_f64s(s, sq(f + 3)));
        }
        for f in whole..x.len() {
            *a = simd.add_f64s(*a, sq(f));
        }
    }
    acc.map(|a| simd.sqrt_f64s(a))
}

/// `v` (non-negative doubles) in single precision, rounded down: the nearest single scaled
/// by `1 − 2^-22` (at least one unit in the last place below it) and one subnormal less (for
/// values too small for the scaling to move), capped at the largest finite single.
#[inline(always)]
pub(super) fn down4(simd: V3, v: f64x4) -> [f32; 4] {
    let a = simd.avx;
    let f = a._mm256_cvtpd_ps(pulp::cast(v));
    let scaled = simd
        .sse
        ._mm_mul_ps(f, simd.sse._mm_set1_ps(1.0 - 1.0 / 4_194_304.0));
    let stepped = simd
        .sse
        ._mm_sub_ps(scaled, simd.sse._mm_set1_ps(f32::from_bits(1)));
    pulp::cast(simd.sse._mm_min_ps(stepped, simd.sse._mm_set1_ps(f32::MAX)))
}

impl Layout {
    /// `None` when the processor lacks AVX2 or there are more than 16 centres.
    pub fn new(cs: &Centres, k: usize) -> Option<Self> {
        let simd = V3::try_new()?;
        if k == 0 || k > MAX_K {
            return None;
        }
        let eight = |g: &dyn Fn(usize) -> f32, o: usize| {
            f32x8(
                g(o),
                g(o + 1),
                g(o + 2),
                g(o + 3),
                g(o + 4),
                g(o + 5),
                g(o + 6),
                g(o + 7),
            )
        };
        let half = (0..k)
            .map(|j| {
                let row = &cs.half[j * k..(j + 1) * k];
                let h = |a: usize| row.get(a).map_or(f32::INFINITY, |&v| super::down(v));
                [eight(&h, 0), eight(&h, 8)]
            })
            .collect();
        let drift_up = cs.drift.iter().map(|&v| -super::down(-v)).collect();
        let d = cs.centers.len() / k;
        let four = |v: &dyn Fn(usize) -> f64| -> [f64x4; 4] {
            std::array::from_fn(|g| f64x4(v(4 * g), v(4 * g + 1), v(4 * g + 2), v(4 * g + 3)))
        };
        let ct = (0..d)
            .map(|f| four(&|j| if j < k { cs.centers[j * d + f] } else { 0.0 }))
            .collect();
        Some(Self {
            simd,
            half,
            drift_up,
            drift: four(&|j| cs.drift.get(j).copied().unwrap_or(0.0)),
            ct,
            pad: four(&|j| if j < k { 0.0 } else { f64::INFINITY }),
            k,
        })
    }

    /// Row `r` (from its chunk's start) with its distances `dist` to the first `4G` centres
    /// known: its label becomes the nearest centre (the first on ties), its upper bound that
    /// distance, and every lower bound the distance itself (rounded down to single
    /// precision); returns the label.
    #[inline(always)]
    fn settle<const G: usize>(
        &self,
        dist: [f64x4; G],
        r: usize,
        drift: &[f64],
        lab: &mut [usize],
        up: &mut [f64],
        low: &mut [f32],
    ) -> usize {
        let simd = self.simd;
        let k = self.k;
        let v: [f64x4; G] = std::array::from_fn(|g| simd.add_f64s(dist[g], self.pad[g]));
        let mut low_v = v[0];
        for &vg in &v[1..] {
            low_v = simd.min_f64s(low_v, vg);
        }
        let min = simd.reduce_min_f64s(low_v);
        let m = simd.splat_f64s(min);
        let mut hits = 0u32;
        for (g, &vg) in v.iter().enumerate() {
            let eq = simd
                .avx
                ._mm256_movemask_pd(pulp::cast(simd.cmp_eq_f64x4(vg, m)));
            hits |= (eq as u32) << (4 * g);
        }
        let label = (hits.trailing_zeros() as usize).min(k - 1);
        lab[r] = label;
        up[r] = min - drift[label];
        for (g, (&dg, &sg)) in dist.iter().zip(&self.drift).enumerate() {
            let b = down4(simd, simd.add_f64s(dg, sg));
            for (q, &b) in b.iter().enumerate() {
                let j = 4 * g + q;
                if j < k {
                    low[at(r, j, k)] = b;
                }
            }
        }
        label
    }

    /// One chunk of [`super::init_bounds`].
    #[inline]
    pub fn init_chunk(&self, chunk: ChunkInit<'_>) {
        self.simd.vectorize(Init { p: self, chunk });
    }

    /// One chunk of an iteration (not the first: every row is visited there) from its
    /// first row `start`.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub fn chunk(
        &self,
        data: Data<'_>,
        cs: &Centres,
        start: usize,
        lab: &mut [usize],
        up: &mut [f64],
        low: &mut [f32],
        out: Tally,
    ) -> (Delta, usize, bool) {
        self.simd.vectorize(Chunk {
            p: self,
            data,
            cs,
            start,
            lab,
            up,
            low,
            out,
        })
    }
}

/// One chunk of [`super::init_bounds`], settled row by row from all its distances.
struct Init<'a, 'b> {
    p: &'a Layout,
    chunk: ChunkInit<'b>,
}

impl pulp::NullaryFnOnce for Init<'_, '_> {
    type Output = ();

    #[inline(always)]
    fn call(self) {
        match self.p.k.div_ceil(4) {
            1 => self.run::<1>(),
            2 => self.run::<2>(),
            3 => self.run::<3>(),
            _ => self.run::<4>(),
        }
    }
}

impl Init<'_, '_> {
    #[inline(always)]
    fn run<const G: usize>(self) {
        let Self { p, chunk } = self;
        let ChunkInit {
            data,
            cs,
            c,
            lab,
            up,
            low,
            ..
        } = chunk;
        let start = c * CHUNK;
        for r in 0..lab.len() {
            let dist = all_dists::<G>(p.simd, &p.ct, data.row(start + r));
            p.settle::<G>(dist, r, &cs.drift, lab, up, low);
        }
    }
}

struct Chunk<'a, 'b> {
    p: &'a Layout,
    data: Data<'a>,
    cs: &'a Centres,
    start: usize,
    lab: &'b mut [usize],
    up: &'b mut [f64],
    low: &'b mut [f32],
    out: Tally,
}

impl pulp::NullaryFnOnce for Chunk<'_, '_> {
    type Output = (Delta, usize, bool);

    #[inline(always)]
    fn call(self) -> Self::Output {
        match self.p.k.div_ceil(4) {
            1 => self.run::<1>(),
            2 => self.run::<2>(),
            3 => self.run::<3>(),
            _ => self.run::<4>(),
        }
    }
}

impl Chunk<'_, '_> {
    /// The chunk for `G` groups of four centres.
    #[inline(always)]
    fn run<const G: usize>(self) -> (Delta, usize, bool) {
        let Self {
            p,
            data,
            cs,
            start,
            lab,
            up,
            low,
            mut out,
        } = self;
        let simd = p.simd;
        let a = simd.avx;
        let a2 = simd.avx2;
        let k = p.k;
        let n = lab.len();
        let wide = k > 8;
        let seven = a._mm256_set1_epi32(7);
        // The margin of the test (see the module's page).
        let margin = simd.splat_f32x8(1.0 + 1.0 / 2_097_152.0);
        let least = simd.splat_f32x8(f32::MIN_POSITIVE);
        // The rows that fail the test, visited after the whole chunk is tested: few and far
        // apart, each read of one would wait for memory in turn; read together (a first pass
        // that only loads them), the waits overlap.
        let mut failing = Vec::new();
        let mut r = 0;
        while r + LANES <= n {
            let labels = &lab[r..r + LANES];
            let uppers = &up[r..r + LANES];
            // The rows' upper bounds `stored + drift[label]` and labels as vectors of eight.
            let mut u = [0.0_f64; LANES];
            let mut l = [0_i32; LANES];
            for q in 0..LANES {
                let label = labels[q];
                u[q] = uppers[q] + cs.drift.get(label).copied().unwrap_or(f64::INFINITY);
                l[q] = label as i32;
            }
            let upper = |h: usize| -> __m256 {
                let lo: __m256d =
                    pulp::cast(f64x4(u[8 * h], u[8 * h + 1], u[8 * h + 2], u[8 * h + 3]));
                let hi: __m256d = pulp::cast(f64x4(
                    u[8 * h + 4],
                    u[8 * h + 5],
                    u[8 * h + 6],
                    u[8 * h + 7],
                ));
                let both = a._mm256_insertf128_ps::<1>(
                    a._mm256_castps128_ps256(a._mm256_cvtpd_ps(lo)),
                    a._mm256_cvtpd_ps(hi),
                );
                pulp::cast(simd.add_f32s(simd.mul_f32s(pulp::cast(both), margin), least))
            };
            let idx: [__m256i; 2] = [
                pulp::cast(i32x8(l[0], l[1], l[2], l[3], l[4], l[5], l[6], l[7])),
                pulp::cast(i32x8(l[8], l[9], l[10], l[11], l[12], l[13], l[14], l[15])),
            ];
            let high: [__m256; 2] = [
                pulp::cast(a2._mm256_cmpgt_epi32(idx[0], seven)),
                pulp::cast(a2._mm256_cmpgt_epi32(idx[1], seven)),
            ];
            let base = (r / LANES) * k * LANES;
            let inf = simd.splat_f32x8(f32::INFINITY);
            // Without the block's bounds (never: they are sized for whole blocks) every row
            // fails the test and is settled from its distances.
            let bounds = low.get(base..base + k * LANES);
            let start_m = bounds.map_or(simd.splat_f32x8(f32::NEG_INFINITY), |_| inf);
            let mut m = [start_m, start_m];
            let bounds = bounds.unwrap_or(&[]);
            for ((lj, h), &s) in bounds.chunks_exact(LANES).zip(&p.half).zip(&p.drift_up) {
                let s = simd.splat_f32x8(s);
                for q in 0..2 {
                    let lv = pulp::cast::<[f32; 8], f32x8>(
                        lj[8 * q..8 * q + 8]
                            .try_into()
                            .unwrap_or([f32::NEG_INFINITY; 8]),
                    );
                    let lo: __m256 = pulp::cast(h[0]);
                    let mut hj = a2._mm256_permutevar8x32_ps(lo, idx[q]);
                    if wide {
                        let hi: __m256 = pulp::cast(h[1]);
                        hj = a._mm256_blendv_ps(
                            hj,
                            a2._mm256_permutevar8x32_ps(hi, idx[q]),
                            high[q],
                        );
                    }
                    let lower = simd.sub_f32s(lv, s);
                    m[q] = simd.min_f32s(m[q], simd.max_f32s(lower, pulp::cast(hj)));
                }
            }
            let mut fail = 0u32;
            for (q, &mq) in m.iter().enumerate() {
                let lt =
                    a._mm256_cmp_ps::<{ std::arch::x86_64::_CMP_LT_OQ }>(pulp::cast(mq), upper(q));
                fail |= (a._mm256_movemask_ps(lt) as u32) << (8 * q);
            }
            while fail != 0 {
                failing.push(r + fail.trailing_zeros() as usize);
                fail &= fail - 1;
            }
            r += LANES;
        }
        super::touch_rows(data, start, &failing);
        for &q in &failing {
            let x = data.row(start + q);
            let old = lab[q];
            let label = p.settle::<G>(all_dists::<G>(simd, &p.ct, x), q, &cs.drift, lab, up, low);
            out.settled(simd, k, old, label, x, data.w[start + q]);
        }
        super::finish_vector_chunk(simd, data, cs, k, start, r, lab, up, low, out)
    }
}
