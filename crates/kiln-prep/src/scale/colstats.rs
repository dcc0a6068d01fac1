//! Column-wise passes over row-major matrices, shared by the scalers, the imputer and the
//! feature selectors.
//!
//! Every statistic of a column is accumulated in row order, one column independent of the
//! others, so splitting the columns into blocks (and the blocks over threads) never changes a
//! result: the outputs are identical on any number of threads.

use kiln_core::{Error, Result};
use ndarray::{Array2, ArrayView1, ArrayView2, s};
use rayon::prelude::*;

/// Columns per block when a pass runs over column blocks in parallel.
const COL_BLOCK: usize = 64;

/// Below this many elements a pass stays on the calling thread: spawning costs more than it
/// saves on small matrices.
const PAR_MIN_ELEMENTS: usize = 1 << 18;

/// Elements per parallel chunk of an element-wise map (rounded to whole rows).
/// The elements in one block of rows of a statistics pass (about 512 KiB, so a block read
/// twice stays in cache).
const STAT_CHUNK_ELEMENTS: usize = 1 << 16;

const MAP_CHUNK_ELEMENTS: usize = 1 << 15;

/// Calls `f(i, row)` for every row of `x` as a contiguous slice.
///
/// Rows that are not contiguous (a column slice of a row-major matrix, a transposed view) are
/// copied into one buffer reused for every row, so nothing is allocated per row.
pub(crate) fn for_each_row(x: ArrayView2<'_, f64>, mut f: impl FnMut(usize, &[f64])) {
    let mut buf: Vec<f64> = Vec::new();
    for (i, row) in x.outer_iter().enumerate() {
        match row.as_slice() {
            Some(values) => f(i, values),
            None => {
                buf.clear();
                buf.extend(row.iter().copied());
                f(i, &buf);
            }
        }
    }
}

/// Runs `f` on blocks of at most [`COL_BLOCK`] columns and concatenates the per-column
/// results in column order. Blocks run in parallel only on large inputs; `f` must compute each
/// column independently of the others in its block (which makes results thread-independent).
pub(crate) fn by_column_blocks<T, F>(x: ArrayView2<'_, f64>, f: F) -> Vec<T>
where
    T: Send,
    F: Fn(ArrayView2<'_, f64>) -> Vec<T> + Sync,
{
    let d = x.ncols();
    if d <= COL_BLOCK || x.len() < PAR_MIN_ELEMENTS {
        return f(x);
    }
    let starts: Vec<usize> = (0..d).step_by(COL_BLOCK).collect();
    let parts: Vec<Vec<T>> = starts
        .par_iter()
        .map(|&start| f(x.slice(s![.., start..(start + COL_BLOCK).min(d)])))
        .collect();
    parts.into_iter().flatten().collect()
}

/// Builds an `n_rows × out_cols` matrix row by row: `f(row_of_x, row_of_output)`.
///
/// Large inputs are split into fixed chunks of rows handled in parallel; since every output
/// row depends only on its input row, the result does not depend on the thread count.
pub(crate) fn map_rows<F>(x: ArrayView2<'_, f64>, out_cols: usize, f: F) -> Result<Array2<f64>>
where
    F: Fn(&[f64], &mut [f64]) + Sync,
{
    let n = x.nrows();
    let mut out = vec![0.0; n * out_cols];
    if out_cols > 0 {
        let rows_per_chunk = (MAP_CHUNK_ELEMENTS / out_cols.max(x.ncols()).max(1)).max(1);
        let work = |(c, chunk): (usize, &mut [f64])| {
            let first = c * rows_per_chunk;
            let rows = chunk.len() / out_cols;
            let block = x.slice(s![first..first + rows, ..]);
            let mut outs = chunk.chunks_exact_mut(out_cols);
            for_each_row(block, |_, row| {
                if let Some(o) = outs.next() {
                    f(row, o);
                }
            });
        };
        let size = rows_per_chunk * out_cols;
        if x.len() >= PAR_MIN_ELEMENTS {
            out.par_chunks_mut(size).enumerate().for_each(work);
        } else {
            out.chunks_mut(size).enumerate().for_each(work);
        }
    }
    Array2::from_shape_vec((n, out_cols), out).map_err(|e| Error::ShapeMismatch {
        what: format!("output of a column-wise map ({e})"),
        expected: n * out_cols,
        got: 0,
    })
}

/// Weighted count, mean and variance of each column, ignoring NaN.
///
/// The corrected two-pass algorithm (Chan, Golub & LeVeque, "Algorithms for computing the
/// sample variance", 1983) that scikit-learn's `_incremental_mean_and_var` uses on a first
/// fit: `mean = Σw·x / Σw`, then `var = (Σw·(x−mean)² − (Σw·(x−mean))² / Σw) / Σw`, where the
/// correction term removes most of the rounding error of the first pass. A column without a
/// single non-missing value gets count 0 and NaN mean and variance.
pub(crate) struct MeanVar {
    /// Sum of the weights of the non-missing values (their number when unweighted).
    pub count: Vec<f64>,
    /// The (weighted) mean.
    pub mean: Vec<f64>,
    /// The (weighted, population) variance.
    pub var: Vec<f64>,
}

pub(crate) fn mean_var(x: ArrayView2<'_, f64>, w: Option<ArrayView1<'_, f64>>) -> MeanVar {
    let d = x.ncols();
    let partials = by_row_chunks(x, |start, block| {
        mean_var_block(
            block,
            w.map(|w| w.slice_move(s![start..start + block.nrows()])),
        )
    });
    // Chan, Golub and LeVeque's pairwise update merges the chunks' (count, mean, M2) in
    // chunk order; the chunks do not depend on the thread count, so neither does the result.
    let mut out = MeanVar {
        count: vec![0.0; d],
        mean: vec![f64::NAN; d],
        var: vec![0.0; d],
    };
    let mut m2 = vec![0.0; d];
    for part in partials {
        for (j, (nb, mb, vb)) in part.into_iter().enumerate() {
            let na = out.count[j];
            if nb == 0.0 {
                continue;
            }
            if na == 0.0 {
                out.count[j] = nb;
                out.mean[j] = mb;
                m2[j] = vb * nb;
                continue;
            }
            let total = na + nb;
            let delta = mb - out.mean[j];
            out.mean[j] += delta * (nb / total);
            m2[j] += vb * nb + delta * delta * (na * nb / total);
            out.count[j] = total;
        }
    }
    for ((v, &c), &m) in out.var.iter_mut().zip(&out.count).zip(&m2) {
        *v = if c > 0.0 { m / c } else { f64::NAN };
    }
    out
}

/// Applies `f` to consecutive blocks of rows (`f(first_row, block)`), in parallel when `x`
/// is large, and returns the results in block order. Block boundaries depend only on the
/// shape of `x`, never on the thread count.
pub(crate) fn by_row_chunks<T, F>(x: ArrayView2<'_, f64>, f: F) -> Vec<T>
where
    T: Send,
    F: Fn(usize, ArrayView2<'_, f64>) -> T + Sync,
{
    let n = x.nrows();
    let rows = (STAT_CHUNK_ELEMENTS / x.ncols().max(1)).max(1);
    let starts: Vec<usize> = (0..n).step_by(rows).collect();
    let run = |&start: &usize| f(start, x.slice(s![start..(start + rows).min(n), ..]));
    if x.len() >= PAR_MIN_ELEMENTS {
        starts.par_iter().map(run).collect()
    } else {
        starts.iter().map(run).collect()
    }
}

fn mean_var_block(x: ArrayView2<'_, f64>, w: Option<ArrayView1<'_, f64>>) -> Vec<(f64, f64, f64)> {
    let d = x.ncols();
    let (cnt, sum) = count_sum_block(x, w);
    let mean: Vec<f64> = sum.iter().zip(&cnt).map(|(s, c)| s / c).collect();
    let mut corr = vec![0.0; d];
    let mut ssq = vec![0.0; d];
    match (x.as_slice(), weights_slice(w)) {
        (Some(values), Ok(w)) if d > 0 => pulp::Arch::new().dispatch(Deviations {
            x: values,
            w,
            mean: &mean,
            corr: &mut corr,
            ssq: &mut ssq,
        }),
        _ => for_each_row(x, |i, row| {
            let wi = w.map_or(1.0, |w| w[i]);
            deviations_row(row, wi, &mean, &mut corr, &mut ssq);
        }),
    }
    (0..d)
        .map(|j| {
            let var = (ssq[j] - corr[j] * corr[j] / cnt[j]) / cnt[j];
            (cnt[j], mean[j], var)
        })
        .collect()
}

/// The weights as a contiguous slice: `Ok(None)` when unweighted, `Err(())` when the view
/// is strided (the callers then take the row-by-row path).
fn weights_slice<'a>(w: Option<ArrayView1<'a, f64>>) -> std::result::Result<Option<&'a [f64]>, ()> {
    match w {
        None => Ok(None),
        Some(w) => w.to_slice().map(Some).ok_or(()),
    }
}

/// Adds one row's weighted deviations from `mean` and their squares (missing values add 0).
#[inline(always)]
fn deviations_row(row: &[f64], wi: f64, mean: &[f64], corr: &mut [f64], ssq: &mut [f64]) {
    for (((c, q), &m), &v) in corr.iter_mut().zip(ssq.iter_mut()).zip(mean).zip(row) {
        let t = if v.is_nan() { 0.0 } else { v - m };
        *c += wi * t;
        *q += wi * t * t;
    }
}

/// Adds one row's weighted values and weights (missing values add 0).
#[inline(always)]
fn count_sum_row(row: &[f64], wi: f64, sum: &mut [f64], cnt: &mut [f64]) {
    for ((s, c), &v) in sum.iter_mut().zip(cnt.iter_mut()).zip(row) {
        let present = !v.is_nan();
        *s += if present { wi * v } else { 0.0 };
        *c += if present { wi } else { 0.0 };
    }
}

/// The deviation pass of [`mean_var_block`] over a row-major block, compiled for the widest
/// instruction set at hand ([`pulp::Arch::dispatch`]): the loop over a row's columns becomes
/// vector code, where the baseline build kept it scalar with a branch per value. Each
/// column's sums still run over the rows in order, so the results are the same on every
/// instruction set.
struct Deviations<'a> {
    x: &'a [f64],
    w: Option<&'a [f64]>,
    mean: &'a [f64],
    corr: &'a mut [f64],
    ssq: &'a mut [f64],
}

impl pulp::WithSimd for Deviations<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        let d = self.mean.len();
        for (i, row) in self.x.chunks_exact(d).enumerate() {
            let wi = self.w.map_or(1.0, |w| w.get(i).copied().unwrap_or(0.0));
            deviations_row(row, wi, self.mean, self.corr, self.ssq);
        }
    }
}

/// The count-and-sum pass of [`count_sum_block`], as [`Deviations`].
struct CountSum<'a> {
    x: &'a [f64],
    w: Option<&'a [f64]>,
    sum: &'a mut [f64],
    cnt: &'a mut [f64],
}

impl pulp::WithSimd for CountSum<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        let d = self.sum.len();
        for (i, row) in self.x.chunks_exact(d).enumerate() {
            let wi = self.w.map_or(1.0, |w| w.get(i).copied().unwrap_or(0.0));
            count_sum_row(row, wi, self.sum, self.cnt);
        }
    }
}

/// Weighted count and weighted sum of the non-missing values of each column.
pub(crate) fn count_sum(x: ArrayView2<'_, f64>) -> Vec<(f64, f64)> {
    by_column_blocks(x, |block| {
        let (cnt, sum) = count_sum_block(block, None);
        cnt.into_iter().zip(sum).collect()
    })
}

fn count_sum_block(x: ArrayView2<'_, f64>, w: Option<ArrayView1<'_, f64>>) -> (Vec<f64>, Vec<f64>) {
    let d = x.ncols();
    let mut sum = vec![0.0; d];
    let mut cnt = vec![0.0; d];
    match (x.as_slice(), weights_slice(w)) {
        (Some(values), Ok(w)) if d > 0 => pulp::Arch::new().dispatch(CountSum {
            x: values,
            w,
            sum: &mut sum,
            cnt: &mut cnt,
        }),
        _ => for_each_row(x, |i, row| {
            count_sum_row(row, w.map_or(1.0, |w| w[i]), &mut sum, &mut cnt);
        }),
    }
    (cnt, sum)
}

/// Minimum and maximum of each column, ignoring NaN; NaN for a column with no value.
pub(crate) fn min_max(x: ArrayView2<'_, f64>) -> Vec<(f64, f64)> {
    by_column_blocks(x, |block| {
        let d = block.ncols();
        let mut lo = vec![f64::INFINITY; d];
        let mut hi = vec![f64::NEG_INFINITY; d];
        for_each_row(block, |_, row| {
            for ((l, h), &v) in lo.iter_mut().zip(hi.iter_mut()).zip(row) {
                // `f64::min`/`max` ignore a NaN operand, which is what we want here.
                *l = l.min(v);
                *h = h.max(v);
            }
        });
        // Infinite values are rejected before any pass, so ±inf means "no value seen".
        lo.into_iter()
            .zip(hi)
            .map(|(l, h)| if l > h { (f64::NAN, f64::NAN) } else { (l, h) })
            .collect()
    })
}

/// The non-missing values of each column, sorted ascending (the input of medians,
/// percentiles and modes).
pub(crate) fn sorted_columns<T, F>(x: ArrayView2<'_, f64>, per_column: F) -> Vec<T>
where
    T: Send,
    F: Fn(&[f64]) -> T + Sync,
{
    by_column_blocks(x, |block| {
        let d = block.ncols();
        let mut cols: Vec<Vec<f64>> = (0..d).map(|_| Vec::with_capacity(block.nrows())).collect();
        for_each_row(block, |_, row| {
            for (col, &v) in cols.iter_mut().zip(row) {
                if !v.is_nan() {
                    col.push(v);
                }
            }
        });
        cols.into_iter()
            .map(|mut col| {
                col.sort_unstable_by(f64::total_cmp);
                per_column(&col)
            })
            .collect()
    })
}

/// NumPy's `percentile(values, q)` with the default "linear" method, on sorted values
/// without NaN; NaN for an empty slice.
///
/// The virtual index is `q/100 · (n−1)`; between its two neighbours NumPy interpolates with
/// `_lerp`, which computes `b − (b−a)(1−t)` instead of `a + (b−a)t` when `t ≥ 0.5`. Both are
/// reproduced so that values compare equal to NumPy's (which matters for ties in
/// `SelectPercentile`).
pub(crate) fn percentile_sorted(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let virtual_index = (q / 100.0) * (n - 1) as f64;
    if virtual_index >= (n - 1) as f64 {
        return sorted[n - 1];
    }
    if virtual_index <= 0.0 {
        return sorted[0];
    }
    let below = virtual_index.floor();
    let t = virtual_index - below;
    // `below` is in [0, n-1) here, so the cast and the `+ 1` stay in bounds.
    let i = below as usize;
    let (a, b) = (sorted[i], sorted[i + 1]);
    let diff = b - a;
    if !diff.is_finite() {
        // Neighbours near opposite ends of f64's range: the same point without the overflow.
        return a * (1.0 - t) + b * t;
    }
    if t >= 0.5 {
        b - diff * (1.0 - t)
    } else {
        a + diff * t
    }
}

/// NumPy's `median` of sorted values without NaN (the mean of the two middle values for an
/// even count); NaN for an empty slice.
pub(crate) fn median_sorted(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        sorted[n / 2]
    } else {
        midpoint(sorted[n / 2 - 1], sorted[n / 2])
    }
}

/// `(a + b) / 2`, halving first where the sum would overflow (two values near f64's range).
pub(crate) fn midpoint(a: f64, b: f64) -> f64 {
    let sum = a + b;
    if sum.is_finite() {
        sum / 2.0
    } else {
        a / 2.0 + b / 2.0
    }
}

/// A power of two `s` that brings `max_abs` into [1, 2) (1 for 0 or a non-finite value;
/// clamped to [2^-1000, 2^1000]). Multiplying by it is exact, so statistics computed on
/// `x · s` are those of `x` scaled exactly (the same bits after dividing back), while sums of
/// squares of values near 1e±300 neither overflow nor underflow.
pub(crate) fn pow2_scale(max_abs: f64) -> f64 {
    if max_abs == 0.0 || !max_abs.is_finite() {
        return 1.0;
    }
    // The unbiased exponent of a normal value; a subnormal's (at most -1023) is clamped.
    let exponent = ((max_abs.to_bits() >> 52) & 0x7ff) as i64 - 1023;
    let e = exponent.clamp(-1000, 1000);
    f64::from_bits(((1023 - e) as u64) << 52)
}

/// The mean of the non-NaN values of `v` computed on `v · s` for a power of two `s`
/// ([`pow2_scale`]), so that it is finite whenever the values are; NaN without values.
pub(crate) fn scaled_mean(v: ArrayView1<'_, f64>) -> f64 {
    let scale = pow2_scale_of(v.iter().copied());
    let (mut sum, mut count) = (0.0, 0.0);
    for &x in v.iter().filter(|x| !x.is_nan()) {
        sum += x * scale;
        count += 1.0;
    }
    sum / count / scale
}

/// The error for column `j` whose `statistic` overflows f64 although every value is finite.
pub(crate) fn too_large(j: usize, statistic: &str) -> Error {
    Error::InvalidValue {
        what: format!("column {j} of X"),
        row: None,
        reason: format!(
            "its values are too large: their {statistic} overflows f64; rescale it (e.g. \
             divide by a constant)"
        ),
    }
}

/// [`pow2_scale`] of the largest absolute value among `values` (NaN ignored).
pub(crate) fn pow2_scale_of(values: impl IntoIterator<Item = f64>) -> f64 {
    pow2_scale(values.into_iter().fold(0.0_f64, |m, v| m.max(v.abs())))
}

/// [`pow2_scale`] of each column's largest absolute value (NaN ignored).
pub(crate) fn pow2_scales(x: ArrayView2<'_, f64>) -> Vec<f64> {
    let mut m = vec![0.0_f64; x.ncols()];
    for_each_row(x, |_, row| {
        for (m, &v) in m.iter_mut().zip(row) {
            *m = m.max(v.abs());
        }
    });
    m.into_iter().map(pow2_scale).collect()
}

/// The most frequent of sorted values, the smallest among ties (SciPy's `mode`); NaN for an
/// empty slice.
pub(crate) fn mode_sorted(sorted: &[f64]) -> f64 {
    let mut best = f64::NAN;
    let mut best_count = 0usize;
    let mut i = 0;
    while i < sorted.len() {
        let v = sorted[i];
        let mut j = i + 1;
        while j < sorted.len() && sorted[j] == v {
            j += 1;
        }
        // Strictly greater: an equal count later in the order is a larger value.
        if j - i > best_count {
            best_count = j - i;
            best = v;
        }
        i = j;
    }
    best
}

/// scikit-learn's `_handle_zeros_in_scale`: a scale below `10·ε` (or flagged constant) is
/// replaced by 1 so that constant features are left unscaled instead of divided by zero.
/// NaN (a column with no values) stays NaN.
pub(crate) fn handle_zero_scale(scale: f64) -> f64 {
    if scale < 10.0 * f64::EPSILON {
        1.0
    } else {
        scale
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, array};

    #[test]
    fn percentile_matches_numpy_linear() {
        let v = [1.0, 2.0, 4.0, 8.0];
        // np.percentile([1, 2, 4, 8], [0, 25, 50, 75, 100]) = [1, 1.75, 3, 5, 8]
        let got: Vec<f64> = [0.0, 25.0, 50.0, 75.0, 100.0]
            .iter()
            .map(|&q| percentile_sorted(&v, q))
            .collect();
        assert_eq!(got, vec![1.0, 1.75, 3.0, 5.0, 8.0]);
        assert!(percentile_sorted(&[], 50.0).is_nan());
        assert_eq!(percentile_sorted(&[3.0], 10.0), 3.0);
    }

    #[test]
    fn mode_takes_the_smallest_of_ties() {
        assert_eq!(mode_sorted(&[1.0, 2.0, 2.0, 3.0, 3.0]), 2.0);
        assert_eq!(mode_sorted(&[5.0]), 5.0);
        assert!(mode_sorted(&[]).is_nan());
    }

    #[test]
    fn row_blocks_agree_with_one_pass_and_ignore_the_thread_count() {
        // Enough rows for several row blocks and the parallel path.
        let x = Array2::from_shape_fn((9000, 100), |(i, j)| {
            1e3 + ((i * 31 + j * 7) % 97) as f64 * 0.1
        });
        let whole = mean_var_block(x.view(), None);
        let pool = |t| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .build()
                .unwrap()
        };
        let one = pool(1).install(|| mean_var(x.view(), None));
        let two = pool(2).install(|| mean_var(x.view(), None));
        for (j, (c, m, v)) in whole.into_iter().enumerate() {
            assert_eq!(c, one.count[j]);
            assert!(
                (m - one.mean[j]).abs() <= 1e-12 * m.abs(),
                "{m} {}",
                one.mean[j]
            );
            assert!((v - one.var[j]).abs() <= 1e-9 * v, "{v} {}", one.var[j]);
            assert_eq!(
                (one.mean[j].to_bits(), one.var[j].to_bits()),
                (two.mean[j].to_bits(), two.var[j].to_bits())
            );
        }
    }

    #[test]
    fn vector_passes_equal_the_row_by_row_sums_on_every_instruction_set() {
        let mut arches = vec![pulp::Arch::Scalar];
        #[cfg(target_arch = "x86_64")]
        {
            arches.extend(pulp::x86::V3::try_new().map(pulp::Arch::V3));
            arches.extend(pulp::x86::V4::try_new().map(pulp::Arch::V4));
        }
        // 13 columns (not a multiple of any vector width), NaNs, weights with a zero.
        let (n, d) = (257, 13);
        let x = Array2::from_shape_fn((n, d), |(i, j)| {
            if (i + 2 * j) % 11 == 0 {
                f64::NAN
            } else {
                ((i * 37 + j * 11) % 101) as f64 * 0.37 - 15.0
            }
        });
        let w: Vec<f64> = (0..n).map(|i| (i % 5) as f64 * 0.5).collect();
        let values = x.as_slice().unwrap();
        let mean: Vec<f64> = (0..d).map(|j| j as f64 - 3.0).collect();
        for weights in [None, Some(&w[..])] {
            let (mut sum, mut cnt, mut corr, mut ssq) =
                (vec![0.0; d], vec![0.0; d], vec![0.0; d], vec![0.0; d]);
            for (i, row) in values.chunks_exact(d).enumerate() {
                let wi = weights.map_or(1.0, |w| w[i]);
                count_sum_row(row, wi, &mut sum, &mut cnt);
                deviations_row(row, wi, &mean, &mut corr, &mut ssq);
            }
            for &arch in &arches {
                let (mut s2, mut c2, mut r2, mut q2) =
                    (vec![0.0; d], vec![0.0; d], vec![0.0; d], vec![0.0; d]);
                arch.dispatch(CountSum {
                    x: values,
                    w: weights,
                    sum: &mut s2,
                    cnt: &mut c2,
                });
                arch.dispatch(Deviations {
                    x: values,
                    w: weights,
                    mean: &mean,
                    corr: &mut r2,
                    ssq: &mut q2,
                });
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&s2), bits(&sum), "{arch:?}");
                assert_eq!(bits(&c2), bits(&cnt), "{arch:?}");
                assert_eq!(bits(&r2), bits(&corr), "{arch:?}");
                assert_eq!(bits(&q2), bits(&ssq), "{arch:?}");
            }
        }
        // A strided view takes the row-by-row path and gives the same statistics.
        let t = x.t().to_owned();
        let strided = mean_var_block(t.t(), None);
        let dense = mean_var_block(x.view(), None);
        for (a, b) in strided.iter().zip(&dense) {
            assert_eq!(a.0.to_bits(), b.0.to_bits());
            assert_eq!(a.1.to_bits(), b.1.to_bits());
            assert_eq!(a.2.to_bits(), b.2.to_bits());
        }
    }

    #[test]
    fn map_rows_handles_strided_rows() {
        let x = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
        let t = x.t();
        let out = map_rows(t, 2, |r, o| o.copy_from_slice(r)).unwrap();
        assert_eq!(out, t.to_owned());
    }
}
