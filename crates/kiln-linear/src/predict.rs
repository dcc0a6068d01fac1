//! The linear predictor every model shares, `x · coefᵀ + intercept`, and its dot product.
//!
//! Rows are computed in parallel over fixed chunks when the work is large; each row's value is
//! computed the same way whatever the chunking, thread count or memory layout, so a batch
//! prediction equals row-by-row ones bit for bit.

use kiln_core::Result;
use kiln_core::check::{self, NanPolicy};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, s};
use rayon::prelude::*;

/// Rows per parallel chunk.
const CHUNK_ROWS: usize = 4096;
/// Multiply-adds from which the rows are split over threads.
const PAR_WORK: usize = 1 << 18;

/// Checks a decoded linear model (see `Persist::check_loaded`): `outputs` rows of `cols`
/// coefficients for `n_features` features, one intercept per output, all finite.
pub(crate) fn check_loaded_shapes(
    cols: usize,
    outputs: usize,
    intercepts: usize,
    n_features: usize,
) -> kiln_core::Result<()> {
    if cols == n_features && outputs >= 1 && intercepts == outputs {
        return Ok(());
    }
    Err(kiln_core::Error::model_format(
        kiln_core::FormatCheck::Payload,
        format!(
            "{outputs} x {cols} coefficients and {intercepts} intercepts do not fit \
             {n_features} features"
        ),
    ))
}

/// Checks that `rows` coefficient rows serve `n_classes` classes: one row for two classes,
/// one per class for more.
pub(crate) fn check_loaded_classes(n_classes: usize, rows: usize) -> kiln_core::Result<()> {
    if (rows == 1 && n_classes == 2) || (rows == n_classes && n_classes > 2) {
        return Ok(());
    }
    Err(kiln_core::Error::model_format(
        kiln_core::FormatCheck::Payload,
        format!("{rows} coefficient rows for {n_classes} classes"),
    ))
}

/// `a · b` over the common length, with eight independent partial sums (one accumulator would
/// serialize on the add latency and forbid vectorizing); the order of every addition is fixed.
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    let len = a.len().min(b.len());
    let (a, b) = (&a[..len], &b[..len]);
    let mut acc = [0.0_f64; 8];
    let ca = a.chunks_exact(8);
    let cb = b.chunks_exact(8);
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    let mut tail = 0.0;
    for (x, y) in ra.iter().zip(rb) {
        tail += x * y;
    }
    ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])) + tail
}

/// [`linear`] with `predict`'s input checks (those of `check::check_predict_x`), in a single
/// pass over `x`: the feature count and emptiness are checked first; a NaN or infinite input
/// always makes its row's output non-finite, so `x` is scanned for the offending value only when
/// some output is not finite, and the error is the same.
///
/// # Errors
/// As `check::check_predict_x` for `estimator`.
pub(crate) fn checked_linear(
    estimator: &str,
    x: ArrayView2<'_, f64>,
    coef: &[f64],
    intercept: f64,
) -> Result<Array1<f64>> {
    check::check_n_features(estimator, coef.len(), x)?;
    check::check_non_empty(x, "X")?;
    let out = linear(x, coef, intercept);
    if out.iter().any(|v| !v.is_finite()) {
        check::check_finite(x, "X", NanPolicy::Reject)?;
    }
    Ok(out)
}

/// [`checked_linear`] on the rows `idx` of `x`, read in place (`predict_rows`): the same
/// values and errors as on `x.select(Axis(0), idx)`.
///
/// # Errors
/// [`kiln_core::Error::InvalidValue`] for an index out of range, then as [`checked_linear`].
pub(crate) fn checked_linear_rows(
    estimator: &str,
    x: ArrayView2<'_, f64>,
    idx: &[usize],
    coef: &[f64],
    intercept: f64,
) -> Result<Array1<f64>> {
    check::check_row_indices(x.nrows(), idx)?;
    check::check_n_features(estimator, coef.len(), x)?;
    if idx.is_empty() {
        check::check_non_empty(x.slice(s![0..0, ..]), "X")?;
    }
    check::check_non_empty(x, "X")?;
    let out = Array1::from_vec(rows(x, Some(idx), 1, |row, o| {
        o[0] = intercept + dot(row, coef);
    }));
    if out.iter().any(|v| !v.is_finite()) {
        check::check_finite(x.select(Axis(0), idx).view(), "X", NanPolicy::Reject)?;
    }
    Ok(out)
}

/// [`linear_multi`] with `predict`'s input checks, as [`checked_linear`].
///
/// # Errors
/// As `check::check_predict_x` for `estimator`.
pub(crate) fn checked_linear_multi(
    estimator: &str,
    x: ArrayView2<'_, f64>,
    coef: ArrayView2<'_, f64>,
    intercept: ArrayView1<'_, f64>,
) -> Result<Array2<f64>> {
    check::check_n_features(estimator, coef.ncols(), x)?;
    check::check_non_empty(x, "X")?;
    let out = linear_multi(x, coef, intercept);
    if out.iter().any(|v| !v.is_finite()) {
        check::check_finite(x, "X", NanPolicy::Reject)?;
    }
    Ok(out)
}

/// `x · coef + intercept` for every row of `x`.
pub(crate) fn linear(x: ArrayView2<'_, f64>, coef: &[f64], intercept: f64) -> Array1<f64> {
    let out = rows(x, None, 1, |row, o| o[0] = intercept + dot(row, coef));
    Array1::from_vec(out)
}

/// `x · coefᵀ + intercept` for `k` outputs (`coef` is k × p): an n × k matrix, each row of `x`
/// read once for all outputs.
pub(crate) fn linear_multi(
    x: ArrayView2<'_, f64>,
    coef: ArrayView2<'_, f64>,
    intercept: ArrayView1<'_, f64>,
) -> Array2<f64> {
    let k = coef.nrows();
    let coef = coef.as_standard_layout();
    let coef_rows: Vec<&[f64]> = coef
        .as_slice()
        .map(|c| c.chunks_exact(coef.ncols().max(1)).collect())
        .unwrap_or_default();
    let out = rows(x, None, k, |row, o| {
        for ((o, c), b) in o.iter_mut().zip(&coef_rows).zip(intercept) {
            *o = b + dot(row, c);
        }
    });
    // `rows` returns exactly n × k values.
    Array2::from_shape_vec((x.nrows(), k), out).unwrap_or_else(|_| Array2::zeros((x.nrows(), k)))
}

/// Applies `f(row, out_row)` to every row of `x` (or to the rows `idx`, in that order),
/// writing `k` outputs per row, in parallel over fixed chunks of rows when the work is large.
///
/// Indices in `idx` must be rows of `x`.
fn rows(
    x: ArrayView2<'_, f64>,
    idx: Option<&[usize]>,
    k: usize,
    f: impl Fn(&[f64], &mut [f64]) + Sync,
) -> Vec<f64> {
    let n = idx.map_or(x.nrows(), <[usize]>::len);
    let mut out = vec![0.0; n * k];
    if k == 0 {
        return out;
    }
    let run = |(c, chunk): (usize, &mut [f64])| {
        let start = c * CHUNK_ROWS;
        let mut scratch = Vec::new();
        match idx {
            None => {
                let block = x.slice(s![start..start + chunk.len() / k, ..]);
                for (o, row) in chunk.chunks_exact_mut(k).zip(block.rows()) {
                    f(row_slice(row, &mut scratch), o);
                }
            }
            Some(idx) => {
                for (o, &i) in chunk.chunks_exact_mut(k).zip(&idx[start..]) {
                    f(row_slice(x.row(i), &mut scratch), o);
                }
            }
        }
    };
    if n * x.ncols() * k >= PAR_WORK && n > CHUNK_ROWS {
        out.par_chunks_mut(CHUNK_ROWS * k).enumerate().for_each(run);
    } else {
        out.chunks_mut(CHUNK_ROWS * k).enumerate().for_each(run);
    }
    out
}

/// The row as a slice: itself when contiguous, else copied into `scratch`.
fn row_slice<'a>(row: ArrayView1<'a, f64>, scratch: &'a mut Vec<f64>) -> &'a [f64] {
    match row.to_slice() {
        Some(s) => s,
        None => {
            scratch.clear();
            scratch.extend(row.iter().copied());
            scratch
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn dot_matches_a_plain_sum_on_every_tail_length() {
        for n in 0..20 {
            let a: Vec<f64> = (0..n).map(|i| i as f64 * 0.5 - 3.0).collect();
            let b: Vec<f64> = (0..n).map(|i| 1.0 / (i as f64 + 1.0)).collect();
            let plain: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            assert!(
                (dot(&a, &b) - plain).abs() <= 1e-12 * plain.abs().max(1.0),
                "n = {n}"
            );
        }
    }

    #[test]
    fn checked_predictions_report_the_first_non_finite_input_and_allow_overflow() {
        let x = array![[1.0, 2.0], [f64::INFINITY, 0.0], [3.0, f64::NAN]];
        // A zero coefficient still turns the infinite input into a NaN output.
        let err = checked_linear("T", x.view(), &[0.0, 1.0], 0.0).unwrap_err();
        assert!(
            matches!(
                err,
                kiln_core::Error::NonFinite {
                    row: 1,
                    col: Some(0),
                    ..
                }
            ),
            "{err}"
        );
        let err =
            checked_linear_multi("T", x.view(), array![[0.0, 1.0]].view(), array![0.0].view())
                .unwrap_err();
        assert!(
            matches!(err, kiln_core::Error::NonFinite { row: 1, .. }),
            "{err}"
        );
        // Finite inputs whose product overflows are not an input error.
        let big = array![[1e300, 1e300]];
        let out = checked_linear("T", big.view(), &[1e10, 1e10], 0.0).unwrap();
        assert!(out[0].is_infinite());
        let err = checked_linear("T", big.view(), &[1.0], 0.0).unwrap_err();
        assert!(
            matches!(err, kiln_core::Error::FeatureCountMismatch { .. }),
            "{err}"
        );
    }

    #[test]
    fn linear_multi_is_one_linear_per_output_on_any_layout() {
        let x = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
        let coef = array![[0.5, -1.0, 2.0], [1.0, 0.0, -0.25]];
        let b = array![0.25, -1.0];
        let want = array![[4.75, -0.75], [9.25, 1.5]];
        assert_eq!(linear_multi(x.view(), coef.view(), b.view()), want);
        let xt = x.t().to_owned();
        assert_eq!(
            linear_multi(xt.t(), coef.t().to_owned().t(), b.view()),
            want
        );
        assert_eq!(
            linear(x.view(), &[0.5, -1.0, 2.0], 0.25).to_vec(),
            vec![4.75, 9.25]
        );
    }
}
