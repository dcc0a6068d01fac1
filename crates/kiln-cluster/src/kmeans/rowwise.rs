//! The assignment kernel for wide rows and few centres on AVX-512: one row at a time against
//! every centre at once.
//!
//! With at most 32 centres, the centres' values of one feature fill at most four vectors of
//! eight doubles (feature-major, padded with centres of infinite norm). Each feature of a row
//! is broadcast and multiplied into those vectors, so rows need no transposition (the general
//! kernel in `lloyd` copies wide rows into vectors value by value); eight rows (four with 9–16
//! centres) go together so that enough independent additions are in flight. The nearest
//! centre is then one vector minimum per group, one horizontal minimum and a bit scan of the
//! lanes equal to it.
//!
//! Every dot product is summed feature by feature from zero with separate multiplies and adds,
//! as in the general kernel and its plain formula, and the nearest centre is the first of the
//! smallest `||c||² − 2·x·c` that is not NaN (centre 0 when none is below infinity): the
//! labels are those of the general kernel, bit for bit. `lloyd::Prepared` sends rows of more
//! than 16 features here when the processor has AVX-512 (`pulp::x86::V4`).

use std::ops::Range;

use pulp::x86::V4;
use pulp::{Simd, f64x8};

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
        })
    }

    /// Calls `visit.visit(simd, i, label)` for every row `i` in `rows` of the row-major `x`, in
    /// order; returns `visit` and, when `check`, whether every value of those rows was finite.
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
        // 0.95–1.05 s with four rows, 0.78–0.82 s with eight).
        match self.p.ng {
            1 => self.run::<1, 8>(),
            2 => self.run::<2, 4>(),
            3 => self.run::<3, 2>(),
            _ => self.run::<4, 2>(),
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
        let zero = simd.splat_f64x8(0.0);
        // Stays zero while every value read is finite (`v − v` is NaN for an infinity or NaN).
        let mut bad = zero;
        let mut i = rows.start;
        while i < rows.end {
            let n = if i + R <= rows.end { R } else { 1 };
            let Some(block) = x.get(i * d..(i + n) * d) else {
                break;
            };
            if n == R {
                let labels = nearest::<G, R>(p, block);
                for (r, &label) in labels.iter().enumerate() {
                    visit.visit(simd, i + r, label);
                }
            } else {
                visit.visit(simd, i, nearest::<G, 1>(p, block)[0]);
            }
            if check {
                for part in block.chunks(WIDTH) {
                    let v = simd.partial_load_f64s(part);
                    bad = simd.add_f64s(bad, simd.sub_f64s(v, v));
                }
            }
            i += n;
        }
        let finite = simd.cmp_eq_f64x8(bad, zero).0 == u8::MAX;
        (visit, finite)
    }
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
