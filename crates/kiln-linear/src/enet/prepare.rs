//! The data as coordinate descent sees it: centred, weighted and in one of two formulations.
//!
//! Both formulations describe the same least-squares part `½‖√w ⊙ (y − ȳ − (X − x̄)β)‖²`
//! with the weights rescaled to sum to `n_samples`, as scikit-learn does:
//!
//! - **Gram**: `Q = X_cᵀ W X_c` (p × p), `q = X_cᵀ W y_c` and `‖y_c‖²_W`, built in one pass over
//!   the rows, after which every coordinate update costs O(p) whatever `n_samples` is.
//! - **Columns**: a column-major copy of `√w ⊙ X_c` and of `√w ⊙ y_c`; each coordinate update
//!   costs O(n) and nothing of size p² is ever formed.

use ndarray::{ArrayView1, ArrayView2};
use rayon::prelude::*;

use super::kernels::dot;

/// Rows per task of the Gram pass. Fixed, so the partial sums and the order they are added in
/// do not depend on the number of threads.
const GRAM_CHUNK: usize = 8192;
/// Rows copied (centred and weighted) into the buffer that one product works on; with ~50
/// features the buffer stays within a core's L2 cache.
const GRAM_BLOCK: usize = 512;
/// Below this many matrix elements the Gram pass runs on the calling thread.
const PARALLEL_MIN: usize = 1 << 16;

/// Which formulation coordinate descent runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Formulation {
    /// Precomputed `XᵀX` (scikit-learn's `precompute=True`).
    Gram,
    /// Residuals over a column-major copy of `X` (scikit-learn's `precompute=False`).
    Columns,
}

/// The centred, weighted problem.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub n_samples: usize,
    /// The (weighted) feature means subtracted, or zeros without an intercept.
    pub x_offset: Vec<f64>,
    /// The (weighted) target mean subtracted, or zero without an intercept.
    pub y_offset: f64,
    /// `‖√w ⊙ y_c‖²`.
    pub y_norm2: f64,
    /// `X_cᵀ W y_c`, one entry per feature.
    pub xty: Vec<f64>,
    /// `‖√w ⊙ X_c[:, j]‖²`, one entry per feature (the diagonal of the Gram matrix).
    pub norm2: Vec<f64>,
    pub data: Data,
}

/// The formulation-specific part of [`Prepared`].
#[derive(Debug, Clone)]
pub(crate) enum Data {
    /// The full symmetric Gram matrix, row-major p × p.
    Gram { gram: Vec<f64> },
    /// Column-major n × p copy of `√w ⊙ X_c`, and `√w ⊙ y_c`.
    Columns { x: Vec<f64>, y: Vec<f64> },
}

/// Weights rescaled to sum to `n_samples` (scikit-learn's `sw * n / sum(sw)`), so the penalty
/// scaling by `n_samples` means the same with and without weights.
pub(crate) fn normalized_weights(w: Option<ArrayView1<'_, f64>>, n: usize) -> Option<Vec<f64>> {
    w.map(|w| {
        let total: f64 = w.iter().sum();
        let scale = n as f64 / total;
        w.iter().map(|&v| v * scale).collect()
    })
}

/// Centres and weights `x` and `y` and builds the chosen formulation.
///
/// The inputs are already checked (finite, matching lengths, valid weights).
pub(crate) fn prepare(
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, f64>,
    weights: Option<&[f64]>,
    fit_intercept: bool,
    formulation: Formulation,
) -> Prepared {
    match formulation {
        Formulation::Gram => prepare_gram(x, y, weights, fit_intercept),
        Formulation::Columns => prepare_columns(x, y, weights, fit_intercept),
    }
}

/// One pass over the rows accumulating `BᵀB` for `B = [√w(x − s), √w(y − t), √w]`, where the
/// shift `(s, t)` is the first row: the last two columns of the product give the weighted sums
/// that turn the shifted moments into centred ones, and shifting by a data point first keeps
/// the correction `W·d·dᵀ` small (the shifted-data algorithm for variances; Chan, Golub &
/// LeVeque 1983), so no precision is lost to `XᵀX − n·x̄x̄ᵀ` cancellation.
fn prepare_gram(
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, f64>,
    weights: Option<&[f64]>,
    fit_intercept: bool,
) -> Prepared {
    let (n, p) = x.dim();
    let m = p + 2;
    let (shift_x, shift_y): (Vec<f64>, f64) = if fit_intercept {
        (x.row(0).to_vec(), y[0])
    } else {
        (vec![0.0; p], 0.0)
    };
    let n_chunks = n.div_ceil(GRAM_CHUNK);
    let chunk = |c: usize| -> Vec<f64> {
        let start = c * GRAM_CHUNK;
        let end = (start + GRAM_CHUNK).min(n);
        gram_chunk(x, y, weights, &shift_x, shift_y, start, end)
    };
    let partials: Vec<Vec<f64>> = if n * p >= PARALLEL_MIN && n_chunks > 1 {
        (0..n_chunks).into_par_iter().map(chunk).collect()
    } else {
        (0..n_chunks).map(chunk).collect()
    };
    // Added in chunk order, so the result does not depend on which thread made which part.
    let mut acc = vec![0.0; m * m];
    for part in &partials {
        for (a, b) in acc.iter_mut().zip(part) {
            *a += b;
        }
    }
    // `acc` holds the lower triangle of BᵀB, column-major (entry (i, j), i ≥ j, at i + j·m).
    let at = |i: usize, j: usize| acc[i + j * m];
    let total_w = at(p + 1, p + 1);
    let (d, e) = if fit_intercept && total_w > 0.0 {
        let d: Vec<f64> = (0..p).map(|j| at(p + 1, j) / total_w).collect();
        (d, at(p + 1, p) / total_w)
    } else {
        (vec![0.0; p], 0.0)
    };
    let mut gram = vec![0.0; p * p];
    for j in 0..p {
        for i in j..p {
            let v = at(i, j) - total_w * d[i] * d[j];
            gram[i * p + j] = v;
            gram[j * p + i] = v;
        }
    }
    let xty: Vec<f64> = (0..p).map(|j| at(p, j) - total_w * e * d[j]).collect();
    let y_norm2 = (at(p, p) - total_w * e * e).max(0.0);
    let norm2: Vec<f64> = (0..p).map(|j| gram[j * p + j]).collect();
    let (x_offset, y_offset) = if fit_intercept {
        (
            shift_x.iter().zip(&d).map(|(s, d)| s + d).collect(),
            shift_y + e,
        )
    } else {
        (vec![0.0; p], 0.0)
    };
    Prepared {
        n_samples: n,
        x_offset,
        y_offset,
        y_norm2,
        xty,
        norm2,
        data: Data::Gram { gram },
    }
}

/// The lower triangle of `BᵀB` over rows `start..end` (see [`prepare_gram`]), column-major
/// (p + 2) × (p + 2).
fn gram_chunk(
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, f64>,
    weights: Option<&[f64]>,
    shift_x: &[f64],
    shift_y: f64,
    start: usize,
    end: usize,
) -> Vec<f64> {
    use faer::linalg::matmul::triangular::{BlockStructure, matmul};
    use faer::{Accum, MatMut, MatRef, Par};

    let p = x.ncols();
    let m = p + 2;
    let mut acc = vec![0.0; m * m];
    let mut buf = vec![0.0; GRAM_BLOCK.min(end - start) * m];
    let mut lo = start;
    while lo < end {
        let hi = (lo + GRAM_BLOCK).min(end);
        let rows = hi - lo;
        for (r, out) in buf.chunks_exact_mut(m).take(rows).enumerate() {
            let i = lo + r;
            let sw = weights.map_or(1.0, |w| w[i].sqrt());
            let (feat, rest) = out.split_at_mut(p);
            for ((o, &v), s) in feat.iter_mut().zip(x.row(i)).zip(shift_x) {
                *o = sw * (v - s);
            }
            rest[0] = sw * (y[i] - shift_y);
            rest[1] = sw;
        }
        let b = MatRef::from_row_major_slice(&buf[..rows * m], rows, m);
        let dst = MatMut::from_column_major_slice_mut(&mut acc, m, m);
        matmul(
            dst,
            BlockStructure::TriangularLower,
            Accum::Add,
            b.transpose(),
            BlockStructure::Rectangular,
            b,
            BlockStructure::Rectangular,
            1.0,
            Par::Seq,
        );
        lo = hi;
    }
    acc
}

/// Weighted column means (shifted by the first row for accuracy), then a column-major copy of
/// `√w ⊙ (X − x̄)`.
fn prepare_columns(
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, f64>,
    weights: Option<&[f64]>,
    fit_intercept: bool,
) -> Prepared {
    let (n, p) = x.dim();
    let (x_offset, y_offset) = if fit_intercept {
        weighted_means(x, y, weights)
    } else {
        (vec![0.0; p], 0.0)
    };
    let sqrt_w: Option<Vec<f64>> = weights.map(|w| w.iter().map(|v| v.sqrt()).collect());
    let mut xc = vec![0.0; n * p];
    // Row blocks keep the strided writes of the transposition within a few cache lines per
    // column.
    const BLOCK: usize = 64;
    let mut lo = 0;
    while lo < n {
        let hi = (lo + BLOCK).min(n);
        for i in lo..hi {
            let sw = sqrt_w.as_ref().map_or(1.0, |s| s[i]);
            for (j, (&v, m)) in x.row(i).iter().zip(&x_offset).enumerate() {
                xc[j * n + i] = sw * (v - m);
            }
        }
        lo = hi;
    }
    let yc: Vec<f64> = (0..n)
        .map(|i| sqrt_w.as_ref().map_or(1.0, |s| s[i]) * (y[i] - y_offset))
        .collect();
    let norm2: Vec<f64> = xc.chunks_exact(n).map(|c| dot(c, c)).collect();
    let xty: Vec<f64> = xc.chunks_exact(n).map(|c| dot(c, &yc)).collect();
    let y_norm2 = dot(&yc, &yc);
    Prepared {
        n_samples: n,
        x_offset,
        y_offset,
        y_norm2,
        xty,
        norm2,
        data: Data::Columns { x: xc, y: yc },
    }
}

/// Weighted means of the columns of `x` and of `y`, accumulated as offsets from the first row.
fn weighted_means(
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, f64>,
    weights: Option<&[f64]>,
) -> (Vec<f64>, f64) {
    let p = x.ncols();
    let shift_x = x.row(0).to_vec();
    let shift_y = y[0];
    let mut sum_x = vec![0.0; p];
    let mut sum_y = 0.0;
    let mut total = 0.0;
    for (i, row) in x.outer_iter().enumerate() {
        let w = weights.map_or(1.0, |w| w[i]);
        for ((s, &v), c) in sum_x.iter_mut().zip(row).zip(&shift_x) {
            *s += w * (v - c);
        }
        sum_y += w * (y[i] - shift_y);
        total += w;
    }
    let mx = shift_x
        .iter()
        .zip(&sum_x)
        .map(|(c, s)| c + s / total)
        .collect();
    (mx, shift_y + sum_y / total)
}
