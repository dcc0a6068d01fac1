//! The assignment kernel for few centres on AVX-512: one row at a time against every centre
//! at once.
//!
//! With at most 32 centres, the centres' values of one feature fill at most four vectors of
//! eight doubles (feature-major, padded with centres of infinite norm). Each feature of a row
//! is broadcast and multiplied into those vectors, so rows need no transposition (the general
//! kernel in `lloyd` copies the rows into vectors value by value); eight rows (four with 9–16
//! centres, two with more) go together so that enough independent additions are in flight. With
//! at most eight centres the eight rows' values are transposed in registers to one vector per
//! centre and searched lane-wise, as the general kernel does; with more, each row's nearest
//! centre is one vector minimum per group, one horizontal minimum and a bit scan of the lanes
//! equal to it.
//!
//! Every dot product is summed feature by feature from zero with separate multiplies and adds,
//! as in the general kernel and its plain formula, and the nearest centre is the first of the
//! smallest `||c||² − 2·x·c` that is not NaN (centre 0 when none is below infinity): the
//! labels are those of the general kernel, bit for bit. `lloyd::Prepared` sends here, when
//! the processor has AVX-512 (`pulp::x86::V4`), every assignment against at most 8 centres
//! and those of rows of more than 16 features against at most 32. With 9–16 centres a first
//! search in single precision, with a proven error bound, rules out the centres that cannot
//! be nearest, and only the rest get the exact value ([`nearest_screened`]).

use std::ops::Range;

use pulp::x86::V4;
use pulp::{Simd, f32x16, f64x8};

use super::lloyd::Visit;

/// Centres per group: one AVX-512 vector of doubles.
const WIDTH: usize = 8;
/// The most groups of centres the kernel handles (k ≤ 32); more centres go to the general
/// kernel, which amortizes its transposition over them.
const MAX_GROUPS: usize = 4;

/// Centres laid out for [`RowCenters::for_each_nearest`], with the proof that the processor
/// has AVX-512.
pub(crate) struct RowCenters {
    simd: V4,
    /// `d × ng` vectors: feature `f` of centres `8g .. 8g + 8` at `f · ng + g`; padding
    /// centres are zero.
    ct: Vec<f64x8>,
    /// `ng` vectors of squared norms; padding centres have infinite norm and are never chosen.
    cn: Vec<f64x8>,
    ng: usize,
    d: usize,
    /// With 9–16 centres, the screen of [`nearest_screened`].
    screen: Option<Screen>,
}

/// The centres in single precision for a first, approximate search ([`nearest_screened`]),
/// and in double precision for the exact one among the centres it cannot rule out.
struct Screen {
    /// `d` vectors: feature `f` of centres 0–15 (zero past `k`).
    ct: Vec<f32x16>,
    /// Squared norms (infinite past `k`).
    norm: f32x16,
    /// Norms, rounded up a little (zero past `k`).
    len: f32x16,
    /// The lanes of the centres that exist.
    valid: u16,
    /// `k × d` row-major centres and their squared norms, as the exact kernel has them.
    centers: Vec<f64>,
    norms: Vec<f64>,
    k: usize,
}

impl Screen {
    fn new(centers: &[f64], norms: &[f64], k: usize, d: usize) -> Self {
        let lane = |f: &dyn Fn(usize) -> f32| {
            f32x16(
                f(0),
                f(1),
                f(2),
                f(3),
                f(4),
                f(5),
                f(6),
                f(7),
                f(8),
                f(9),
                f(10),
                f(11),
                f(12),
                f(13),
                f(14),
                f(15),
            )
        };
        let ct = (0..d)
            .map(|f| {
                lane(&|j| {
                    if j < k {
                        centers[j * d + f] as f32
                    } else {
                        0.0
                    }
                })
            })
            .collect();
        let norm = lane(&|j| {
            if j < k {
                norms[j] as f32
            } else {
                f32::INFINITY
            }
        });
        let len = lane(&|j| {
            if j < k {
                (norms[j].sqrt() * (1.0 + 1e-6)) as f32
            } else {
                0.0
            }
        });
        Self {
            ct,
            norm,
            len,
            valid: ((1_u32 << k) - 1) as u16,
            centers: centers.to_vec(),
            norms: norms.to_vec(),
            k,
        }
    }
}

impl RowCenters {
    /// Lays out `k × d` row-major `centers` with their squared norms `norms` (the same values
    /// the general kernel compares); `None` when the processor lacks AVX-512 or `k` needs
    /// more than [`MAX_GROUPS`] groups.
    pub fn new(centers: &[f64], norms: &[f64], k: usize, d: usize) -> Option<Self> {
        let simd = V4::try_new()?;
        let ng = k.div_ceil(WIDTH);
        if ng == 0 || ng > MAX_GROUPS || d == 0 {
            return None;
        }
        let mut ct = vec![0.0; d * ng * WIDTH];
        let mut cn = vec![f64::INFINITY; ng * WIDTH];
        for (j, (c, &norm)) in centers.chunks_exact(d).zip(norms).enumerate() {
            for (f, &v) in c.iter().enumerate() {
                ct[(f * ng + j / WIDTH) * WIDTH + j % WIDTH] = v;
            }
            cn[j] = norm;
        }
        let vectors = |v: Vec<f64>| -> Vec<f64x8> {
            v.chunks_exact(WIDTH)
                .map(|c| f64x8(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]))
                .collect()
        };
        Some(Self {
            simd,
            ct: vectors(ct),
            cn: vectors(cn),
            ng,
            d,
            screen: (ng == 2).then(|| Screen::new(centers, norms, k, d)),
        })
    }

    /// Calls `visit.visit` for every block of rows in `rows` of the row-major `x`, in order;
    /// returns `visit` and, when `check`, whether every value of those rows was finite.
    #[inline]
    pub fn for_each_nearest<V: Visit>(
        &self,
        x: &[f64],
        rows: Range<usize>,
        visit: V,
        check: bool,
    ) -> (V, bool) {
        self.simd.vectorize(RowAssign {
            p: self,
            x,
            rows,
            visit,
            check,
        })
    }
}

/// One chunk's assignment as a [`pulp::NullaryFnOnce`]: `V4::vectorize` compiles its body
/// (inlined, no closures) with AVX-512 enabled.
struct RowAssign<'a, V> {
    p: &'a RowCenters,
    x: &'a [f64],
    rows: Range<usize>,
    visit: V,
    check: bool,
}

impl<V: Visit> pulp::NullaryFnOnce for RowAssign<'_, V> {
    type Output = (V, bool);

    #[inline(always)]
    fn call(self) -> (V, bool) {
        // `G` vectors hold a row's values for every centre; `R` rows go together, so that
        // eight chains of additions are in flight (measured: 1M × 10 rows, 8 centres, fit
        // 0.95–1.05 s with four rows, 0.78–0.82 s with eight). With one group, eight rows'
        // values are transposed to one vector per centre and compared lane-wise
        // ([`nearest8`]); with more, the per-row search of [`nearest`] was faster (one pass
        // over 1M × 50 rows, 16 centres, one thread: 51 against 64 ms).
        match self.p.ng {
            1 => self.run::<1, 8>(),
            2 => self.run::<2, 4>(),
            3 => self.run::<3, 2>(),
            _ => self.run::<4, 2>(),
        }
    }
}

/// Whether every value of the blocks of rows passed to [`Finite::add`] was finite, checked
/// without branches.
struct Finite {
    simd: V4,
    /// Stays zero while every value read is finite (`v − v` is NaN for an infinity or NaN).
    bad: f64x8,
    rest: bool,
}

impl Finite {
    #[inline(always)]
    fn new(simd: V4) -> Self {
        Self {
            simd,
            bad: simd.splat_f64x8(0.0),
            rest: true,
        }
    }

    #[inline(always)]
    fn add(&mut self, block: &[f64]) {
        let simd = self.simd;
        let (whole, rest) = V4::as_simd_f64s(block);
        for &v in whole {
            self.bad = simd.add_f64s(self.bad, simd.sub_f64s(v, v));
        }
        self.rest &= rest.iter().fold(true, |ok, v| ok & v.is_finite());
    }

    #[inline(always)]
    fn all(&self) -> bool {
        self.rest
            && self
                .simd
                .cmp_eq_f64x8(self.bad, self.simd.splat_f64x8(0.0))
                .0
                == u8::MAX
    }
}

impl<V: Visit> RowAssign<'_, V> {
    /// The kernel for `G` groups of centres, `R` rows at a time (one at a time for the last
    /// few); with two groups and a screen, [`nearest_screened`].
    #[inline(always)]
    fn run<const G: usize, const R: usize>(self) -> (V, bool) {
        let Self {
            p,
            x,
            rows,
            mut visit,
            check,
        } = self;
        let simd = p.simd;
        let d = p.d;
        let mut finite = Finite::new(simd);
        let screened = G == 2 && p.screen.is_some();
        let mut i = rows.start;
        while i < rows.end {
            let n = if i + R <= rows.end { R } else { 1 };
            // Callers pass rows inside `x`; past its end there is nothing to label.
            let Some(block) = x.get(i * d..(i + n) * d) else {
                break;
            };
            if screened && n == R {
                visit.visit(simd, i, &nearest_screened::<R>(p, block));
            } else if screened {
                visit.visit(simd, i, &nearest_screened::<1>(p, block));
            } else if n == R && G == 1 && R == WIDTH {
                visit.visit(simd, i, &nearest8::<G>(p, block));
            } else if n == R {
                visit.visit(simd, i, &nearest::<G, R>(p, block));
            } else {
                visit.visit(simd, i, &nearest::<G, 1>(p, block));
            }
            if check {
                finite.add(block);
            }
            i += n;
        }
        (visit, finite.all())
    }
}

/// The nearest centre among 9–16 of each of the `R` rows of `block` (row-major, `R × d`),
/// the same as [`nearest`]'s bit for bit, found in two steps. First every `||c||² − 2·x·c` in single precision (sixteen centres to a vector,
/// fused multiply-adds), with a bound on how far each can be from the exact value:
/// `2^-21 · (||c||² + (d + 5)·||x||·||c||)` plus a little for subnormals, four times the
/// rounding error the single-precision sums can make (Higham, *Accuracy and Stability of
/// Numerical Algorithms*, §3.1: a dot product of `d` terms errs by at most `d·u·Σ|x·c|`, and
/// `Σ|x·c| ≤ ||x||·||c||`), the conversion of `x` and `c` to single precision included. A
/// centre whose value lies above the smallest upper end of these ranges cannot be the
/// nearest; when one centre is left it is the answer, otherwise the exact values of those left
/// are computed as [`nearest`] computes them (feature by feature from zero, separate
/// multiplies and adds) and the first smallest wins. Rows with values beyond single precision
/// (or NaN, infinities) take the exact search over all centres.
#[inline(always)]
fn nearest_screened<const R: usize>(p: &RowCenters, block: &[f64]) -> [usize; R] {
    let simd = p.simd;
    let mut labels = [0usize; R];
    let Some(sc) = &p.screen else {
        return labels;
    };
    let d = p.d;
    // The single-precision dot products of the `R` rows (one chain of fused multiply-adds
    // per row, so `R` chains in flight), sixteen features converted at a time.
    let mut acc = [simd.splat_f32x16(0.0); R];
    let mut buf = [[0.0_f32; 16]; R];
    let mut f0 = 0;
    while f0 < d {
        let len = (d - f0).min(16);
        for (r, b) in buf.iter_mut().enumerate() {
            for (b, &v) in b.iter_mut().zip(&block[r * d + f0..r * d + f0 + len]) {
                *b = v as f32;
            }
        }
        for (i, &c) in sc.ct[f0..f0 + len].iter().enumerate() {
            for (a, b) in acc.iter_mut().zip(&buf) {
                *a = simd.mul_add_f32x16(simd.splat_f32x16(b[i]), c, *a);
            }
        }
        f0 += 16;
    }
    for ((label, &acc), x) in labels.iter_mut().zip(&acc).zip(block.chunks_exact(d)) {
        *label = settle_screened(p, sc, acc, x);
    }
    labels
}

/// The rest of [`nearest_screened`] for one row `x` whose single-precision dot products with
/// the centres are `acc`.
#[inline(always)]
fn settle_screened(p: &RowCenters, sc: &Screen, acc: f32x16, x: &[f64]) -> usize {
    let simd = p.simd;
    let d = p.d;
    // ||x||, from a sum in double precision (exact enough), rounded up a little.
    let (xv, xr) = V4::as_simd_f64s(x);
    let mut sq = simd.splat_f64x8(0.0);
    for &v in xv {
        sq = simd.add_f64s(sq, simd.mul_f64s(v, v));
    }
    let sq = simd.reduce_sum_f64s(sq) + xr.iter().map(|v| v * v).sum::<f64>();
    let xlen = (sq.sqrt() * (1.0 + 1e-6)) as f32;
    let value = simd.sub_f32s(sc.norm, simd.add_f32s(acc, acc));
    let scale = simd.splat_f32x16((d as f32 + 5.0) * xlen);
    let err = simd.add_f32s(
        simd.mul_f32s(
            simd.splat_f32x16(1.0 / 2_097_152.0),
            simd.mul_add_f32x16(scale, sc.len, sc.norm),
        ),
        simd.splat_f32x16((d as f32 + 5.0) * f32::MIN_POSITIVE),
    );
    let lo = simd.sub_f32s(value, err);
    let hi = simd.add_f32s(value, err);
    let big = simd.splat_f32x16(f32::MAX);
    // Every existing lane finite (NaN fails both comparisons).
    let finite =
        simd.cmp_le_f32x16(simd.abs_f32s(lo), big).0 & simd.cmp_le_f32x16(simd.abs_f32s(hi), big).0;
    let candidates = if finite & sc.valid == sc.valid {
        let inf = simd.splat_f32x16(f32::INFINITY);
        let top = simd.reduce_min_f32s(simd.select_f32x16(pulp::b16(sc.valid), hi, inf));
        simd.cmp_le_f32x16(lo, simd.splat_f32x16(top)).0 & sc.valid
    } else {
        sc.valid
    };
    if candidates.count_ones() == 1 {
        return candidates.trailing_zeros() as usize;
    }
    let mut best = (f64::INFINITY, 0);
    let mut left = candidates;
    while left != 0 {
        let j = left.trailing_zeros() as usize;
        left &= left - 1;
        if j >= sc.k {
            break;
        }
        let c = &sc.centers[j * d..(j + 1) * d];
        let mut dot = 0.0;
        for (a, b) in x.iter().zip(c) {
            dot += a * b;
        }
        let v = sc.norms[j] - (dot + dot);
        if v < best.0 {
            best = (v, j);
        }
    }
    best.1
}

/// The nearest centre of each of the `R` rows of `block` (row-major, `R × d`) among `G`
/// groups of centres. No closures here: a closure would be compiled apart from the AVX-512
/// copy this function is inlined into.
#[inline(always)]
fn nearest<const G: usize, const R: usize>(p: &RowCenters, block: &[f64]) -> [usize; R] {
    let simd = p.simd;
    let d = p.d;
    let zero = simd.splat_f64x8(0.0);
    let inf = simd.splat_f64x8(f64::INFINITY);
    let mut acc = [[zero; G]; R];
    for (f, c) in p.ct.chunks_exact(G).enumerate() {
        for (r, acc_r) in acc.iter_mut().enumerate() {
            let xb = simd.splat_f64x8(block[r * d + f]);
            for (a, &cv) in acc_r.iter_mut().zip(c) {
                *a = simd.add_f64s(*a, simd.mul_f64s(xb, cv));
            }
        }
    }
    let mut labels = [0usize; R];
    for (label, acc_r) in labels.iter_mut().zip(&mut acc) {
        // `||c||² − 2·x·c` per centre, in place, and per lane the smallest that is not NaN.
        let mut low = inf;
        for (a, &norm) in acc_r.iter_mut().zip(&p.cn) {
            *a = simd.sub_f64s(norm, simd.add_f64s(*a, *a));
            low = simd.select_f64x8(simd.cmp_lt_f64x8(*a, low), *a, low);
        }
        let min = simd.reduce_min_f64s(low);
        // The first centre whose value is the minimum; centre 0 when none is below infinity.
        let m = simd.splat_f64x8(min);
        let mut hits = 0u32;
        for (g, &a) in acc_r.iter().enumerate() {
            hits |= u32::from(simd.cmp_eq_f64x8(a, m).0) << (g * WIDTH);
        }
        *label = if min < f64::INFINITY {
            hits.trailing_zeros() as usize
        } else {
            0
        };
    }
    labels
}

/// The 8 × 8 transpose of `r` (rows of eight doubles) in three stages of shuffles.
#[inline(always)]
fn transpose8(simd: V4, r: [f64x8; 8]) -> [f64x8; 8] {
    use std::arch::x86_64::__m512d;
    let f = simd.avx512f;
    let m: [__m512d; 8] = pulp::cast!(r);
    // Pairs of rows: lane L of `t0` holds columns 2L of rows 0 and 1, of `t1` columns 2L + 1.
    let t0 = f._mm512_unpacklo_pd(m[0], m[1]);
    let t1 = f._mm512_unpackhi_pd(m[0], m[1]);
    let t2 = f._mm512_unpacklo_pd(m[2], m[3]);
    let t3 = f._mm512_unpackhi_pd(m[2], m[3]);
    let t4 = f._mm512_unpacklo_pd(m[4], m[5]);
    let t5 = f._mm512_unpackhi_pd(m[4], m[5]);
    let t6 = f._mm512_unpacklo_pd(m[6], m[7]);
    let t7 = f._mm512_unpackhi_pd(m[6], m[7]);
    // Quads of rows: 0x88 takes 128-bit lanes 0 and 2 of each input, 0xDD lanes 1 and 3.
    let u0 = f._mm512_shuffle_f64x2::<0x88>(t0, t2);
    let u1 = f._mm512_shuffle_f64x2::<0xDD>(t0, t2);
    let u2 = f._mm512_shuffle_f64x2::<0x88>(t1, t3);
    let u3 = f._mm512_shuffle_f64x2::<0xDD>(t1, t3);
    let u4 = f._mm512_shuffle_f64x2::<0x88>(t4, t6);
    let u5 = f._mm512_shuffle_f64x2::<0xDD>(t4, t6);
    let u6 = f._mm512_shuffle_f64x2::<0x88>(t5, t7);
    let u7 = f._mm512_shuffle_f64x2::<0xDD>(t5, t7);
    let c = [
        f._mm512_shuffle_f64x2::<0x88>(u0, u4),
        f._mm512_shuffle_f64x2::<0x88>(u2, u6),
        f._mm512_shuffle_f64x2::<0x88>(u1, u5),
        f._mm512_shuffle_f64x2::<0x88>(u3, u7),
        f._mm512_shuffle_f64x2::<0xDD>(u0, u4),
        f._mm512_shuffle_f64x2::<0xDD>(u2, u6),
        f._mm512_shuffle_f64x2::<0xDD>(u1, u5),
        f._mm512_shuffle_f64x2::<0xDD>(u3, u7),
    ];
    pulp::cast!(c)
}

/// [`nearest`] for eight rows (the labels are the same): their values per centre transposed to one vector per centre,
/// then a running strict minimum over the centres in order, lane by lane.
#[inline(always)]
fn nearest8<const G: usize>(p: &RowCenters, block: &[f64]) -> [usize; 8] {
    let simd = p.simd;
    let d = p.d;
    let zero = simd.splat_f64x8(0.0);
    let mut acc = [[zero; G]; 8];
    for (f, c) in p.ct.chunks_exact(G).enumerate() {
        for (r, acc_r) in acc.iter_mut().enumerate() {
            let xb = simd.splat_f64x8(block[r * d + f]);
            for (a, &cv) in acc_r.iter_mut().zip(c) {
                *a = simd.add_f64s(*a, simd.mul_f64s(xb, cv));
            }
        }
    }
    let mut best_v = simd.splat_f64x8(f64::INFINITY);
    let mut best = simd.splat_u64s(0);
    for (g, &norm) in p.cn.iter().enumerate() {
        let mut v = [zero; 8];
        for (v, acc_r) in v.iter_mut().zip(&acc) {
            *v = simd.sub_f64s(norm, simd.add_f64s(acc_r[g], acc_r[g]));
        }
        for (q, &col) in transpose8(simd, v).iter().enumerate() {
            let lt = simd.cmp_lt_f64x8(col, best_v);
            best_v = simd.select_f64x8(lt, col, best_v);
            best = simd.select_u64s(lt, simd.splat_u64s((g * WIDTH + q) as u64), best);
        }
    }
    let best: [u64; 8] = pulp::cast(best);
    let mut labels = [0usize; 8];
    for (l, &b) in labels.iter_mut().zip(&best) {
        *l = b as usize;
    }
    labels
}
