//! Metrics of predicted probabilities and scores: log-loss, Brier score, top-k accuracy.

use kiln_core::check::check_same_len;
use kiln_core::{Error, Result};
use ndarray::{ArrayView1, ArrayView2};

use crate::input::{
    check_binary_targets, check_pair, check_proba, check_proba_1d, check_weights, weight_at,
};

fn check_n(metric: &str, y_true: ArrayView1<'_, usize>) -> Result<usize> {
    if y_true.is_empty() {
        return Err(Error::EmptyInput {
            what: format!("y_true of {metric}"),
            reason: "0 samples; a metric needs at least 1".into(),
        });
    }
    Ok(y_true.len())
}

/// Checks that there are at least two columns and every true class has its column.
fn check_classes_fit(metric: &str, y_true: ArrayView1<'_, usize>, ncols: usize) -> Result<()> {
    if ncols < 2 {
        return Err(Error::InvalidValue {
            what: format!("probabilities of {metric}"),
            row: None,
            reason: format!("{ncols} column(s); one column per class and at least 2 are needed"),
        });
    }
    if let Some(row) = y_true.iter().position(|&c| c >= ncols) {
        return Err(Error::InvalidValue {
            what: format!("y_true of {metric}"),
            row: Some(row),
            reason: format!(
                "class {} has no column: the matrix has {ncols} columns (classes 0..{ncols})",
                y_true[row]
            ),
        });
    }
    Ok(())
}

/// `sum(w * v) / sum(w)` over the per-sample values (numpy's `average`).
fn weighted_mean(
    n: usize,
    sample_weight: Option<ArrayView1<'_, f64>>,
    value: impl Fn(usize) -> f64,
) -> f64 {
    let sw = sample_weight.as_ref();
    let mut s = 0.0;
    for i in 0..n {
        s += value(i) * weight_at(sw, i);
    }
    s / sample_weight.map_or(n as f64, |w| w.sum())
}

/// Mean negative log-likelihood of the true classes (scikit-learn's `log_loss`), natural log.
///
/// `proba` has one row per sample and one column per class (column j = class j), as a
/// classifier's `predict_proba` returns it. Probabilities are clipped to `[eps, 1 - eps]`
/// (`eps = f64::EPSILON`, as scikit-learn does for float64), so a zero probability on the
/// true class costs about 36.04, not infinity.
///
/// # Notes
/// scikit-learn 1.9 only *warns* when a row does not sum to 1 (and no longer renormalizes);
/// kiln rejects such rows (sum off by more than 1.5e-8), since they are not probabilities.
/// On valid input both compute the same value.
///
/// # Errors
/// [`Error::EmptyInput`]; [`Error::ShapeMismatch`] when rows or weights differ from `y_true`;
/// [`Error::NonFinite`] for NaN/inf; [`Error::InvalidValue`] for a value outside [0, 1], a row
/// not summing to 1, fewer than 2 columns, or a true class without a column.
///
/// # References
/// Bishop (2006), *Pattern Recognition and Machine Learning*, p. 209.
///
/// # Example
/// ```
/// use kiln_metrics::classification::log_loss;
/// use ndarray::array;
/// // scikit-learn's example: classes "ham" = 0, "spam" = 1
/// let p = array![[0.1, 0.9], [0.9, 0.1], [0.8, 0.2], [0.35, 0.65]];
/// let l = log_loss(array![1, 0, 0, 1].view(), p.view(), None)?;
/// assert!((l - 0.216_161_874_680_579_1).abs() < 1e-15);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn log_loss(
    y_true: ArrayView1<'_, usize>,
    proba: ArrayView2<'_, f64>,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    let metric = "log_loss";
    let n = check_n(metric, y_true)?;
    check_proba(proba, n, metric)?;
    check_weights(sample_weight, n)?;
    check_classes_fit(metric, y_true, proba.ncols())?;
    let eps = f64::EPSILON;
    Ok(weighted_mean(n, sample_weight, |i| {
        -proba[[i, y_true[i]]].clamp(eps, 1.0 - eps).ln()
    }))
}

/// Brier score of binary probabilities: mean squared difference between the probability of
/// the positive class (class 1) and the outcome (scikit-learn's `brier_score_loss` with 1-d
/// probabilities; 0 is perfect, 1 the worst).
///
/// # Errors
/// [`Error::EmptyInput`], [`Error::ShapeMismatch`], [`Error::NonFinite`], [`Error::InvalidValue`]
/// for a class other than 0/1 or a probability outside [0, 1], or a bad `sample_weight`.
///
/// # References
/// Brier (1950), "Verification of forecasts expressed in terms of probability", Monthly Weather
/// Review 78(1).
///
/// # Example
/// ```
/// use kiln_metrics::classification::brier_score;
/// use ndarray::array;
/// let b = brier_score(array![0, 1, 1, 0].view(), array![0.1, 0.9, 0.8, 0.3].view(), None)?;
/// assert!((b - 0.0375).abs() < 1e-15);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn brier_score(
    y_true: ArrayView1<'_, usize>,
    proba_pos: ArrayView1<'_, f64>,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    let metric = "brier_score";
    let n = check_pair(metric, y_true, proba_pos, "proba_pos")?;
    check_weights(sample_weight, n)?;
    check_binary_targets(y_true, metric)?;
    check_proba_1d(proba_pos, metric)?;
    // The two-column form scikit-learn evaluates, so rounding matches it.
    let mean = weighted_mean(n, sample_weight, |i| {
        let y = y_true[i] as f64;
        let p = proba_pos[i];
        let d0 = (1.0 - y) - (1.0 - p);
        let d1 = y - p;
        d0 * d0 + d1 * d1
    });
    Ok(mean * 0.5)
}

/// Multiclass Brier score: mean over samples of `sum_c (1[y = c] - p_c)^2` (scikit-learn's
/// `brier_score_loss` with a probability matrix and `scale_by_half="auto"`: halved when the
/// matrix has 2 columns, so it equals [`brier_score`], left in [0, 2] for 3 or more).
///
/// # Errors
/// As [`log_loss`].
///
/// # Example
/// ```
/// use kiln_metrics::classification::brier_score_multiclass;
/// use ndarray::array;
/// let p = array![[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.2, 0.2, 0.6]];
/// let b = brier_score_multiclass(array![0, 1, 2].view(), p.view(), None)?;
/// assert!((b - 0.44 / 3.0).abs() < 1e-15);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn brier_score_multiclass(
    y_true: ArrayView1<'_, usize>,
    proba: ArrayView2<'_, f64>,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    let metric = "brier_score_multiclass";
    let n = check_n(metric, y_true)?;
    check_proba(proba, n, metric)?;
    check_weights(sample_weight, n)?;
    let k = proba.ncols();
    check_classes_fit(metric, y_true, k)?;
    let mean = weighted_mean(n, sample_weight, |i| {
        let row = proba.row(i);
        let mut s = 0.0;
        for (c, &p) in row.iter().enumerate() {
            let d = f64::from(u8::from(c == y_true[i])) - p;
            s += d * d;
        }
        s
    });
    Ok(if k < 3 { mean * 0.5 } else { mean })
}

/// Fraction (or weighted fraction) of samples whose true class is among the `k` highest
/// scores (scikit-learn's `top_k_accuracy_score`).
///
/// `y_score` has one column per class (column j = class j); scores need not be probabilities.
///
/// # Notes
/// - Ties: like scikit-learn (a stable ascending sort, reversed), among equal scores the class
///   with the larger index ranks higher. So class `c` is a hit when
///   `#{j : s_j > s_c} + #{j > c : s_j = s_c} < k`; no sort is needed.
/// - Two columns: scikit-learn only takes a 1-d score in the binary case; kiln uses column 1
///   as that score. With `k = 1` the prediction is `s_1 > 0.5` when the column lies in [0, 1]
///   and `s_1 > 0` otherwise; with `k >= 2` every sample is a hit.
/// - `k >= n_classes` gives 1 (scikit-learn warns that this is meaningless).
///
/// # Errors
/// [`Error::InvalidParameter`] for `k = 0`; [`Error::EmptyInput`]; [`Error::ShapeMismatch`];
/// [`Error::NonFinite`] for NaN/inf scores; [`Error::InvalidValue`] for fewer than 2 columns or
/// a true class without a column; a bad `sample_weight`.
///
/// # Example
/// ```
/// use kiln_metrics::classification::top_k_accuracy;
/// use ndarray::array;
/// let s = array![[0.5, 0.2, 0.2], [0.3, 0.4, 0.2], [0.2, 0.4, 0.3], [0.7, 0.2, 0.1]];
/// let a = top_k_accuracy(array![0, 1, 2, 2].view(), s.view(), 2, None)?;
/// assert_eq!(a, 0.75);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn top_k_accuracy(
    y_true: ArrayView1<'_, usize>,
    y_score: ArrayView2<'_, f64>,
    k: usize,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    let metric = "top_k_accuracy";
    kiln_core::check::check_param(metric, "k", k, k >= 1, "an int in the range [1, inf)")?;
    let n = check_n(metric, y_true)?;
    check_same_len(
        &format!("rows of y_score against y_true in {metric}"),
        n,
        y_score.nrows(),
    )?;
    check_weights(sample_weight, n)?;
    for (row, r) in y_score.outer_iter().enumerate() {
        if let Some(col) = r.iter().position(|v| !v.is_finite()) {
            return Err(Error::NonFinite {
                what: format!("y_score of {metric}"),
                row,
                col: Some(col),
                value: r[col],
            });
        }
    }
    let ncols = y_score.ncols();
    check_classes_fit(metric, y_true, ncols)?;
    if ncols == 2 {
        if k >= 2 {
            return Ok(1.0);
        }
        let pos = y_score.column(1);
        let in_unit = pos.iter().all(|v| (0.0..=1.0).contains(v));
        let threshold = if in_unit { 0.5 } else { 0.0 };
        return Ok(weighted_mean(n, sample_weight, |i| {
            let pred = usize::from(pos[i] > threshold);
            f64::from(u8::from(pred == y_true[i]))
        }));
    }
    Ok(weighted_mean(n, sample_weight, |i| {
        let row = y_score.row(i);
        let c = y_true[i];
        let sc = row[c];
        let mut above = 0usize;
        for (j, &s) in row.iter().enumerate() {
            if s > sc || (s == sc && j > c) {
                above += 1;
            }
        }
        f64::from(u8::from(above < k))
    }))
}
