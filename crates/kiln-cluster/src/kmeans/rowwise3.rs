//! The assignment kernel for few centres on AVX2 (`pulp::x86::V3`), the counterpart of
//! `super::rowwise` for processors without AVX-512: one row at a time against every centre
//! at once.
//!
//! With at most 32 centres, the centres' values of one feature fill at most eight vectors of
//! four doubles (feature-major, padded with centres of infinite norm). Each feature of a row
//! is broadcast and multiplied into those vectors, so rows need no transposition, and several
//! rows go together so that enough independent additions are in flight (AVX2 has sixteen
//! vector registers: at most eight accumulators). Each row's nearest centre is one running
//! vector minimum over the groups, one horizontal minimum and a bit scan of the lanes equal
//! to it.
//!
//! Every dot product is summed feature by feature from zero with separate multiplies and adds,
//! as in the general kernel of `super::lloyd` and its plain formula, and the nearest centre is
//! the first of the smallest `||c||² − 2·x·c` that is not NaN (centre 0 when none is below
//! infinity): the labels are those of the general kernel, bit for bit. The general kernel,
//! written for the compiler to vectorize, is compiled to scalar code for AVX2 (measured on an
//! AMD EPYC 7003 with AVX2 only: 100 Lloyd iterations on 1M × 10 rows, 8 centres, 2.25 s), so
//! `lloyd::Prepared` sends every assignment against at most 32 centres here when the
//! processor has AVX2 but not AVX-512.

use std::ops::Range;

use pulp::x86::V3;
use pulp::{Simd, f64x4};

use super::lloyd::Visit;

/// Centres per group: one AVX2 vector of doubles.
const WIDTH: usize = 4;
/// The most groups of centres the kernel handles (k ≤ 32).
const MAX_GROUPS: usize = 8;

/// Centres laid out for [`RowCenters::for_each_nearest`], with the proof that the processor
/// has AVX2.
pub(crate) struct RowCenters {
    simd: V3,
    /// `d × ng` vectors: feature `f` of centres `4g .. 4g + 4` at `f · ng + g`; padding
    /// centres are zero.
    ct: Vec<f64x4>,
    /// `ng` vectors of squared norms; padding centres have infinite norm and are never chosen.
    cn: Vec<f64x4>,
    ng: usize,
    d: usize,
}

impl RowCenters {
    /// Lays out `k × d` row-major `centers` with their squared norms `norms` (the same values
    /// the general kernel compares); `None` when the processor lacks AVX2 or `k` needs more
    /// than [`MAX_GROUPS`] groups.
    pub fn new(centers: &[f64], norms: &[f64], k: usize, d: usize) -> Option<Self> {
        let simd = V3::try_new()?;
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
        let vectors = |v: Vec<f64>| -> Vec<f64x4> {
            v.chunks_exact(WIDTH)
                .map(|c| f64x4(c[0], c[1], c[2], c[3]))
                .collect()
        };
        Some(Self {
            simd,
            ct: vectors(ct),
            cn: vectors(cn),
            ng,
            d,
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

/// One chunk's assignment as a [`pulp::NullaryFnOnce`]: `V3::vectorize` compiles its body
/// (inlined, no closures) with AVX2 enabled.
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
        // `G` vectors hold a row's values for every centre; `R` rows go together, `R · G` at
        // most eight accumulators so that the centre vectors and a broadcast value fit
        // beside them in the sixteen registers.
        match self.p.ng {
            1 => self.run::<1, 8>(),
            2 => self.run::<2, 4>(),
            3 => self.run::<3, 2>(),
            4 => self.run::<4, 2>(),
            5 => self.run::<5, 1>(),
            6 => self.run::<6, 1>(),
            7 => self.run::<7, 1>(),
            _ => self.run::<8, 1>(),
        }
    }
}

impl<V: Visit> RowAssign<'_, V> {
    /// The kernel for `G` groups of centres, `R` rows at a time (one at a time for the last
    /// few).
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
        // Stays zero while every value read is finite (`v − v` is NaN for an infinity or NaN).
        let mut bad = simd.splat_f64s(0.0);
        let mut rest_finite = true;
        let mut i = rows.start;
        while i < rows.end {
            let n = if i + R <= rows.end { R } else { 1 };
            // Callers pass rows inside `x`; past its end there is nothing to label.
            let Some(block) = x.get(i * d..(i + n) * d) else {
                break;
            };
            if n == R {
                visit.visit(simd, i, &nearest::<G, R>(p, block));
            } else {
                visit.visit(simd, i, &nearest::<G, 1>(p, block));
            }
            if check {
                let (whole, rest) = V3::as_simd_f64s(block);
                for &v in whole {
                    bad = simd.add_f64s(bad, simd.sub_f64s(v, v));
                }
                rest_finite &= rest.iter().fold(true, |ok, v| ok & v.is_finite());
            }
            i += n;
        }
        let zero = simd.splat_f64s(0.0);
        let all_zero = simd
            .avx
            ._mm256_movemask_pd(pulp::cast(simd.cmp_eq_f64x4(bad, zero)))
            == 0b1111;
        (visit, rest_finite && all_zero)
    }
}

/// The nearest centre of each of the `R` rows of `block` (row-major, `R × d`) among `G`
/// groups of centres. No closures here: a closure would be compiled apart from the AVX2
/// copy this function is inlined into.
#[inline(always)]
fn nearest<const G: usize, const R: usize>(p: &RowCenters, block: &[f64]) -> [usize; R] {
    let simd = p.simd;
    let inf = simd.splat_f64s(f64::INFINITY);
    let mut acc = dots::<G, R>(p, block);
    let mut labels = [0usize; R];
    for (label, acc_r) in labels.iter_mut().zip(&mut acc) {
        // `||c||² − 2·x·c` per centre, in place, and per lane the smallest that is not NaN.
        let mut low = inf;
        for (a, &norm) in acc_r.iter_mut().zip(&p.cn) {
            *a = simd.sub_f64s(norm, simd.add_f64s(*a, *a));
            low = simd.select_f64x4(simd.cmp_lt_f64x4(*a, low), *a, low);
        }
        let min = simd.reduce_min_f64s(low);
        // The first centre whose value is the minimum; centre 0 when none is below infinity.
        let m = simd.splat_f64s(min);
        let mut hits = 0u32;
        for (g, &a) in acc_r.iter().enumerate() {
            let eq = simd
                .avx
                ._mm256_movemask_pd(pulp::cast(simd.cmp_eq_f64x4(a, m)));
            hits |= (eq as u32) << (g * WIDTH);
        }
        *label = if min < f64::INFINITY {
            hits.trailing_zeros() as usize
        } else {
            0
        };
    }
    labels
}

/// The dot products of the `R` rows of `block` with every centre: `G` vectors per row, each
/// summed feature by feature from zero with separate multiplies and adds.
#[inline(always)]
fn dots<const G: usize, const R: usize>(p: &RowCenters, block: &[f64]) -> [[f64x4; G]; R] {
    let simd = p.simd;
    let d = p.d;
    let zero = simd.splat_f64s(0.0);
    let mut acc = [[zero; G]; R];
    // Each row as a slice of exactly `d` values, so the reads below need no bounds checks.
    let rows: [&[f64]; R] = std::array::from_fn(|r| block.get(r * d..(r + 1) * d).unwrap_or(&[]));
    if rows.iter().any(|row| row.len() != d) {
        return acc;
    }
    for (f, c) in p.ct.chunks_exact(G).enumerate().take(d) {
        for (acc_r, row) in acc.iter_mut().zip(&rows) {
            let xb = simd.splat_f64s(row[f]);
            for (a, &cv) in acc_r.iter_mut().zip(c) {
                *a = simd.add_f64s(*a, simd.mul_f64s(xb, cv));
            }
        }
    }
    acc
}
