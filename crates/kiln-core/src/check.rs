//! Input checks shared by every estimator.
//!
//! Each check returns the first problem found as a typed [`Error`] that names the input and the
//! position, so estimators never panic on user data and never compute on bad values. A typical
//! `fit` runs [`Params::validate`](crate::Params::validate), then [`check_fit_xy`] (or
//! [`check_x`] for unsupervised fits) and [`check_sample_weight`]; a typical `predict` runs
//! [`check_predict_x`].

use std::collections::BTreeMap;

use ndarray::{ArrayView1, ArrayView2};
use rayon::prelude::*;

use crate::{Error, Result};

/// Whether a check lets NaN through (as "missing") or treats it as an error.
///
/// Infinite values are always an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NanPolicy {
    /// NaN is an error (the default: most algorithms cannot handle missing values).
    #[default]
    Reject,
    /// NaN means "missing" and is allowed (trees and gradient boosting handle it natively).
    AllowMissing,
}

/// Checks that `x` has at least one row and one column.
///
/// # Errors
/// [`Error::EmptyInput`] naming `what` and the empty axis.
pub fn check_non_empty(x: ArrayView2<'_, f64>, what: &str) -> Result<()> {
    let (rows, cols) = x.dim();
    if rows == 0 {
        return Err(Error::EmptyInput {
            what: what.to_owned(),
            reason: format!("0 rows (shape {rows}x{cols}); at least 1 sample is needed"),
        });
    }
    if cols == 0 {
        return Err(Error::EmptyInput {
            what: what.to_owned(),
            reason: format!("0 columns (shape {rows}x{cols}); at least 1 feature is needed"),
        });
    }
    Ok(())
}

/// Inputs with at least this many elements are checked in parallel.
const PAR_CHECK_ELEMENTS: usize = 1 << 20;

/// Checks that every value of `x` is finite (or NaN, under [`NanPolicy::AllowMissing`]).
///
/// Reports the first offending value in row-major order.
///
/// # Errors
/// [`Error::NonFinite`] with the row, column and value.
pub fn check_finite(x: ArrayView2<'_, f64>, what: &str, nan: NanPolicy) -> Result<()> {
    // Fast path for contiguous data: a branch-free pass over fixed blocks, which the compiler
    // vectorizes; the positional scan below only runs when something is wrong.
    if let Some(values) = x.as_slice() {
        let block_ok = |block: &[f64]| match nan {
            NanPolicy::Reject => block.iter().fold(true, |ok, v| ok & v.is_finite()),
            NanPolicy::AllowMissing => block.iter().fold(true, |ok, v| ok & !v.is_infinite()),
        };
        // Large inputs are scanned on all threads (a yes/no answer: the thread count cannot
        // change it).
        let ok = if values.len() >= PAR_CHECK_ELEMENTS {
            values.par_chunks(4096).all(block_ok)
        } else {
            values.chunks(4096).all(block_ok)
        };
        if ok {
            return Ok(());
        }
    }
    for (row, line) in x.outer_iter().enumerate() {
        for (col, &v) in line.iter().enumerate() {
            let allowed = v.is_finite() || (nan == NanPolicy::AllowMissing && v.is_nan());
            if !allowed {
                return Err(Error::NonFinite {
                    what: what.to_owned(),
                    row,
                    col: Some(col),
                    value: v,
                });
            }
        }
    }
    Ok(())
}

/// Checks that every element of the one-dimensional `v` is finite.
///
/// # Errors
/// [`Error::NonFinite`] with the element's index as the row.
pub fn check_finite_1d(v: ArrayView1<'_, f64>, what: &str) -> Result<()> {
    match v.iter().position(|x| !x.is_finite()) {
        None => Ok(()),
        Some(row) => Err(Error::NonFinite {
            what: what.to_owned(),
            row,
            col: None,
            value: v[row],
        }),
    }
}

/// Checks that sums of squares of `values` (finite, or NaN for missing) cannot overflow:
/// `max|v|² × count` must be finite, so a variance, a Gram matrix or a squared distance
/// summed over them stays a number. Past that (about 1.3e151 for a million values)
/// estimators that square their inputs return inf or NaN (found by probing: targets of 1e307
/// gave NaN coefficients, features of 1e160 gave k-means an infinite inertia); the fix is to
/// rescale, which this error says.
///
/// # Errors
/// [`Error::InvalidValue`] naming `what` and the row of the largest value.
pub fn check_squares_fit<'a>(values: impl IntoIterator<Item = &'a f64>, what: &str) -> Result<()> {
    let (mut count, mut largest, mut row) = (0usize, 0.0f64, 0usize);
    for (i, &v) in values.into_iter().enumerate() {
        count += 1;
        if v.abs() > largest {
            (largest, row) = (v.abs(), i);
        }
    }
    if (largest * largest * count as f64).is_finite() {
        return Ok(());
    }
    Err(Error::InvalidValue {
        what: what.to_owned(),
        row: Some(row),
        reason: format!(
            "values up to {largest:e} are too large: sums of their squares over {count} values \
             overflow f64 (the limit is about {:e}); rescale them, e.g. divide by a constant",
            (f64::MAX / count.max(1) as f64).sqrt()
        ),
    })
}

/// [`check_squares_fit`] for a matrix: the error names the row (and column) of the largest
/// value.
///
/// # Errors
/// As [`check_squares_fit`].
pub fn check_squares_fit_2d(x: ArrayView2<'_, f64>, what: &str) -> Result<()> {
    // The common case in one vectorized pass (on all threads for large inputs; the maximum
    // does not depend on the order); the positional pass below only runs on failure.
    let max_abs = |v: &[f64]| v.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    let largest = match x.as_slice() {
        Some(v) if v.len() >= PAR_CHECK_ELEMENTS => {
            v.par_chunks(4096).map(max_abs).reduce(|| 0.0, f64::max)
        }
        Some(v) => max_abs(v),
        None => x.iter().fold(0.0f64, |m, v| m.max(v.abs())),
    };
    if (largest * largest * x.len() as f64).is_finite() {
        return Ok(());
    }
    check_squares_fit(x.iter(), what).map_err(|e| match e {
        Error::InvalidValue {
            what,
            row: Some(i),
            reason,
        } => {
            let d = x.ncols().max(1);
            Error::InvalidValue {
                what: format!("{what} (column {})", i % d),
                row: Some(i / d),
                reason,
            }
        }
        other => other,
    })
}

/// Checks that `x` is non-empty and finite: [`check_non_empty`] then [`check_finite`].
///
/// # Errors
/// As those two.
pub fn check_x(x: ArrayView2<'_, f64>, nan: NanPolicy) -> Result<()> {
    check_non_empty(x, "X")?;
    check_finite(x, "X", nan)
}

/// Checks that `got` equals `expected`, for two inputs that must have the same length.
///
/// # Errors
/// [`Error::ShapeMismatch`] with `what` describing the two sizes compared.
pub fn check_same_len(what: &str, expected: usize, got: usize) -> Result<()> {
    if expected == got {
        Ok(())
    } else {
        Err(Error::ShapeMismatch {
            what: what.to_owned(),
            expected,
            got,
        })
    }
}

/// The checks of a supervised fit on `x` and a target of length `y_len`: `x` non-empty and
/// finite (per `nan`), and `y_len` equal to the number of rows.
///
/// The target's own values are checked by [`check_finite_1d`] (regression) or
/// [`check_class_indices`] (classification).
///
/// # Errors
/// As [`check_x`] and [`check_same_len`].
pub fn check_fit_xy(x: ArrayView2<'_, f64>, y_len: usize, nan: NanPolicy) -> Result<()> {
    check_x(x, nan)?;
    check_same_len("length of y against rows of X", x.nrows(), y_len)
}

/// The checks of [`crate::Fit::fit_rows`] before any value is read: `y` (of length `y_len`)
/// and the weights have one entry per row of an `n_rows`-row `x`, and every index in `rows`
/// is a row of `x`. An empty `rows` is left to the fit (it sees zero samples).
///
/// # Errors
/// [`Error::ShapeMismatch`] for a length, [`Error::InvalidValue`] naming the first index out
/// of range (its position in `rows`).
pub fn check_rows(
    n_rows: usize,
    y_len: usize,
    sample_weight: Option<ArrayView1<'_, f64>>,
    rows: &[usize],
) -> Result<()> {
    check_same_len("length of y against rows of X", n_rows, y_len)?;
    if let Some(w) = sample_weight {
        check_same_len("length of sample_weight against rows of X", n_rows, w.len())?;
    }
    check_row_indices(n_rows, rows)
}

/// Checks that every index in `rows` is a row of an `n_rows`-row `X` (for
/// [`crate::Fit::fit_rows`] and [`crate::Predict::predict_rows`]).
///
/// # Errors
/// [`Error::InvalidValue`] naming the first index out of range (its position in `rows`).
pub fn check_row_indices(n_rows: usize, rows: &[usize]) -> Result<()> {
    match rows.iter().position(|&i| i >= n_rows) {
        None => Ok(()),
        Some(k) => Err(Error::InvalidValue {
            what: "rows".into(),
            row: Some(k),
            reason: format!("index {} is out of range for {n_rows} rows of X", rows[k]),
        }),
    }
}

/// Checks that `x` has the number of features a model was fitted on.
///
/// # Errors
/// [`Error::FeatureCountMismatch`] naming `estimator`.
pub fn check_n_features(estimator: &str, expected: usize, x: ArrayView2<'_, f64>) -> Result<()> {
    if x.ncols() == expected {
        Ok(())
    } else {
        Err(Error::FeatureCountMismatch {
            estimator: estimator.to_owned(),
            expected,
            got: x.ncols(),
        })
    }
}

/// The checks of `predict`/`transform`: the feature count first (the most common mistake),
/// then at least one row, then finite values (per `nan`).
///
/// # Errors
/// [`Error::FeatureCountMismatch`], [`Error::EmptyInput`] or [`Error::NonFinite`].
pub fn check_predict_x(
    estimator: &str,
    n_features: usize,
    x: ArrayView2<'_, f64>,
    nan: NanPolicy,
) -> Result<()> {
    check_n_features(estimator, n_features, x)?;
    check_non_empty(x, "X")?;
    check_finite(x, "X", nan)
}

/// Checks optional sample weights against `n_samples`: right length, finite, non-negative and
/// with a positive sum that f64 can hold.
///
/// # Errors
/// [`Error::ShapeMismatch`], [`Error::NonFinite`] or [`Error::InvalidValue`].
pub fn check_sample_weight(weights: Option<ArrayView1<'_, f64>>, n_samples: usize) -> Result<()> {
    let Some(w) = weights else { return Ok(()) };
    check_same_len(
        "length of sample_weight against rows of X",
        n_samples,
        w.len(),
    )?;
    check_finite_1d(w, "sample_weight")?;
    if let Some(row) = w.iter().position(|&v| v < 0.0) {
        return Err(Error::InvalidValue {
            what: "sample_weight".into(),
            row: Some(row),
            reason: format!("weights must be >= 0; got {}", w[row]),
        });
    }
    let total = w.sum();
    if total <= 0.0 {
        return Err(Error::InvalidValue {
            what: "sample_weight".into(),
            row: None,
            reason: "all weights are zero; at least one must be positive".into(),
        });
    }
    if !total.is_finite() {
        // Every weighted mean and sum would overflow into inf or NaN (found by probing:
        // weights of 1e308 gave NaN trees and k-means centres).
        return Err(Error::InvalidValue {
            what: "sample_weight".into(),
            row: None,
            reason: format!(
                "the weights sum to more than f64 can hold (the largest is {:e}); rescale them, \
                 e.g. divide by their maximum",
                w.iter().copied().fold(0.0, f64::max)
            ),
        });
    }
    Ok(())
}

/// Counts of each class index in a classification target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassCounts {
    /// The distinct class indices present, sorted.
    pub classes: Vec<usize>,
    /// How many samples have each class, in the order of `classes`.
    pub counts: Vec<usize>,
}

/// Checks a classification target of class indices and returns the classes present.
///
/// With `require_two`, a target holding one class is [`Error::SingleClass`]; estimators that
/// can return a constant prediction pass `false`.
///
/// # Errors
/// [`Error::EmptyInput`] for an empty target, [`Error::SingleClass`] as above.
pub fn check_class_indices(
    estimator: &str,
    y: ArrayView1<'_, usize>,
    require_two: bool,
) -> Result<ClassCounts> {
    if y.is_empty() {
        return Err(Error::EmptyInput {
            what: "y".into(),
            reason: "0 labels".into(),
        });
    }
    let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
    for &c in y {
        *counts.entry(c).or_insert(0) += 1;
    }
    if require_two && counts.len() < 2 {
        return Err(Error::SingleClass {
            estimator: estimator.to_owned(),
            class: y[0].to_string(),
        });
    }
    let (classes, counts) = counts.into_iter().unzip();
    Ok(ClassCounts { classes, counts })
}

/// Checks a parameter that must satisfy `ok`, with the range spelled out for the message.
///
/// ```
/// use kiln_core::check::check_param;
/// let tol = -1.0_f64;
/// let err = check_param("KMeans", "tol", tol, tol >= 0.0, "a float in the range [0, inf)")
///     .unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "the `tol` parameter of KMeans must be a float in the range [0, inf); got -1"
/// );
/// ```
///
/// # Errors
/// [`Error::InvalidParameter`] when `ok` is false.
pub fn check_param<T: std::fmt::Display>(
    estimator: &str,
    name: &str,
    value: T,
    ok: bool,
    range: &str,
) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_param(
            estimator,
            name,
            format!("must be {range}; got {value}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn finite_check_reports_first_position() {
        let x = array![[1.0, 2.0], [3.0, f64::INFINITY], [f64::NAN, 0.0]];
        let err = check_finite(x.view(), "X", NanPolicy::Reject).unwrap_err();
        assert!(
            matches!(err, Error::NonFinite { row: 1, col: Some(1), value, .. } if value == f64::INFINITY)
        );
        let x = array![[1.0, f64::NAN], [f64::NEG_INFINITY, 0.0]];
        assert!(check_finite(x.view(), "X", NanPolicy::AllowMissing).is_err());
        let x = array![[1.0, f64::NAN], [2.0, 0.0]];
        assert!(check_finite(x.view(), "X", NanPolicy::AllowMissing).is_ok());
        assert!(check_finite(x.view(), "X", NanPolicy::Reject).is_err());
    }

    #[test]
    fn empty_inputs_are_named() {
        let x = ndarray::Array2::<f64>::zeros((0, 3));
        let err = check_x(x.view(), NanPolicy::Reject).unwrap_err();
        assert!(err.to_string().contains("0 rows"), "{err}");
        let x = ndarray::Array2::<f64>::zeros((4, 0));
        let err = check_x(x.view(), NanPolicy::Reject).unwrap_err();
        assert!(err.to_string().contains("0 columns"), "{err}");
    }

    #[test]
    fn sample_weight_rules() {
        assert!(check_sample_weight(None, 3).is_ok());
        let w = array![1.0, 0.0, 2.0];
        assert!(check_sample_weight(Some(w.view()), 3).is_ok());
        assert!(matches!(
            check_sample_weight(Some(w.view()), 4),
            Err(Error::ShapeMismatch {
                expected: 4,
                got: 3,
                ..
            })
        ));
        let w = array![1.0, -0.5, 2.0];
        assert!(matches!(
            check_sample_weight(Some(w.view()), 3),
            Err(Error::InvalidValue { row: Some(1), .. })
        ));
        let w = array![0.0, 0.0];
        assert!(check_sample_weight(Some(w.view()), 2).is_err());
        let w = array![1.0, f64::NAN];
        assert!(matches!(
            check_sample_weight(Some(w.view()), 2),
            Err(Error::NonFinite { row: 1, .. })
        ));
    }

    #[test]
    fn class_indices() {
        let y = array![2usize, 0, 2, 2];
        let c = check_class_indices("T", y.view(), true).unwrap();
        assert_eq!(c.classes, vec![0, 2]);
        assert_eq!(c.counts, vec![1, 3]);
        let y = array![1usize, 1];
        assert!(matches!(
            check_class_indices("T", y.view(), true),
            Err(Error::SingleClass { .. })
        ));
        assert!(check_class_indices("T", y.view(), false).is_ok());
    }

    #[test]
    fn predict_checks_feature_count_first() {
        let x = array![[f64::NAN, 1.0, 2.0]];
        assert!(matches!(
            check_predict_x("M", 2, x.view(), NanPolicy::Reject),
            Err(Error::FeatureCountMismatch {
                expected: 2,
                got: 3,
                ..
            })
        ));
    }
}
