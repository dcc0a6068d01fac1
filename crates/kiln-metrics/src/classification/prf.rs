//! Precision, recall and F-beta: per class, and averaged (binary, micro, macro, weighted).
//!
//! Everything comes from one tally pass: per class the (weighted) true positives `tp`, the
//! predicted count `pred` and the support `true`. Then precision = tp / pred,
//! recall = tp / true and F-beta = (1 + b²) tp / (b² true + pred), the form scikit-learn uses
//! (equal to the harmonic form, but defined whenever `true + pred > 0`).

use kiln_core::{Error, Result};
use ndarray::{Array1, ArrayView1};

use super::agreement::check_labels;
use super::counts::Tally;
use super::options::{Average, PrfOptions, ZeroDivision};
use crate::input::check_binary_targets;

/// Per-class precision, recall, F-beta and support (scikit-learn's
/// `precision_recall_fscore_support(..., average=None)`).
#[derive(Clone, Debug, PartialEq)]
pub struct PerClassPrf {
    /// The classes, in the order of the arrays below.
    pub labels: Vec<usize>,
    /// Precision of each class.
    pub precision: Array1<f64>,
    /// Recall of each class.
    pub recall: Array1<f64>,
    /// F-beta score of each class.
    pub fscore: Array1<f64>,
    /// (Weighted) number of samples of each class in `y_true`.
    pub support: Array1<f64>,
}

/// Averaged precision, recall and F-beta (scikit-learn's `precision_recall_fscore_support` with
/// an `average`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Prf {
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
    /// F-beta score.
    pub fscore: f64,
}

/// Checks that every predicted class is 0 or 1 (binary averaging).
fn check_binary_pred(y_pred: ArrayView1<'_, usize>, metric: &str) -> Result<()> {
    if let Some(row) = y_pred.iter().position(|&c| c > 1) {
        return Err(Error::InvalidValue {
            what: format!("y_pred of {metric}"),
            row: Some(row),
            reason: format!(
                "average=Binary needs classes 0 and 1 only (1 = positive class); got {}; \
                 use Micro, Macro or Weighted for more classes",
                y_pred[row]
            ),
        });
    }
    Ok(())
}

/// The tallies of the classes the metric covers.
fn tallies(
    metric: &str,
    y_true: ArrayView1<'_, usize>,
    y_pred: ArrayView1<'_, usize>,
    average: Option<Average>,
    options: &PrfOptions,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<Tally> {
    check_labels(metric, y_true, y_pred, sample_weight)?;
    options.validate()?;
    let all = Tally::new(y_true, y_pred, sample_weight.as_ref()).rounded_like_prf();
    if average == Some(Average::Binary) {
        check_binary_targets(y_true, metric)?;
        check_binary_pred(y_pred, metric)?;
        // scikit-learn ignores `labels` with average="binary": only pos_label counts.
        return Ok(all.select(&[1]));
    }
    Ok(match &options.labels {
        Some(l) => all.select(l),
        None => all,
    })
}

fn divide(num: f64, den: f64, zero_division: ZeroDivision) -> f64 {
    if den == 0.0 {
        zero_division.value()
    } else {
        num / den
    }
}

/// Precision, recall and F of each entry of the tallies.
pub(crate) fn scores(t: &Tally, beta: f64, zd: ZeroDivision) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let k = t.labels.len();
    let mut p = Vec::with_capacity(k);
    let mut r = Vec::with_capacity(k);
    let mut f = Vec::with_capacity(k);
    let beta2 = beta * beta;
    for i in 0..k {
        let (tp, pred, tru) = (t.tp[i], t.pred_sum[i], t.true_sum[i]);
        let pi = divide(tp, pred, zd);
        let ri = divide(tp, tru, zd);
        let fi = if beta.is_infinite() {
            ri
        } else {
            divide((1.0 + beta2) * tp, beta2 * tru + pred, zd)
        };
        p.push(pi);
        r.push(ri);
        f.push(fi);
    }
    (p, r, f)
}

/// Mean of the non-NaN values, weighted when `weights` is given (scikit-learn's `_nanaverage`):
/// NaN when every value is NaN, the plain mean when the remaining weights sum to 0.
fn nan_average(a: &[f64], weights: Option<&[f64]>) -> f64 {
    let mut sum = 0.0;
    let mut wsum = 0.0;
    let mut plain = 0.0;
    let mut count = 0usize;
    for (i, &v) in a.iter().enumerate() {
        if v.is_nan() {
            continue;
        }
        let w = weights.map_or(1.0, |w| w[i]);
        sum += v * w;
        wsum += w;
        plain += v;
        count += 1;
    }
    if count == 0 {
        f64::NAN
    } else if wsum == 0.0 {
        plain / count as f64
    } else {
        sum / wsum
    }
}

/// Per-class precision, recall, F-beta and support (scikit-learn's
/// `precision_recall_fscore_support(..., average=None)`).
///
/// # Parameters
/// `options`: `beta`, `labels` (which classes, in which order) and `zero_division` (what a
/// ratio with a zero denominator becomes: precision with no predicted sample of the class,
/// recall with no true sample, F with neither); see [`PrfOptions`].
///
/// # Errors
/// [`Error::EmptyInput`], [`Error::ShapeMismatch`], a bad `sample_weight`, or
/// [`Error::InvalidParameter`] for a negative or NaN `beta` or empty `labels`.
///
/// # Example
/// ```
/// use kiln_metrics::classification::{precision_recall_fscore_support, PrfOptions};
/// use ndarray::array;
/// let y_true = array![0, 1, 2, 0, 1, 2];
/// let y_pred = array![0, 2, 1, 0, 0, 1];
/// let pc = precision_recall_fscore_support(y_true.view(), y_pred.view(),
///     &PrfOptions::default().with_labels(vec![2, 1, 0]), None)?;
/// assert_eq!(pc.labels, vec![2, 1, 0]);
/// assert_eq!(pc.recall.to_vec(), vec![0.0, 0.0, 1.0]);
/// assert_eq!(pc.support.to_vec(), vec![2.0, 2.0, 2.0]);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn precision_recall_fscore_support(
    y_true: ArrayView1<'_, usize>,
    y_pred: ArrayView1<'_, usize>,
    options: &PrfOptions,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<PerClassPrf> {
    let t = tallies(
        "precision_recall_fscore_support",
        y_true,
        y_pred,
        None,
        options,
        sample_weight,
    )?;
    let (p, r, f) = scores(&t, options.beta, options.zero_division);
    Ok(PerClassPrf {
        precision: Array1::from(p),
        recall: Array1::from(r),
        fscore: Array1::from(f),
        support: Array1::from(t.true_sum),
        labels: t.labels,
    })
}

/// Averaged precision, recall and F-beta (scikit-learn's `precision_recall_fscore_support`
/// with `average`).
///
/// # Parameters
/// - `average`: [`Average`]. `Binary` reports class 1 and needs `y_true` and `y_pred` in
///   {0, 1} (the `labels` option is then ignored, as in scikit-learn); `Micro` divides summed
///   counts; `Macro` and `Weighted` (by support) average the per-class scores.
/// - `options`: see [`PrfOptions`]. With [`ZeroDivision::Nan`] classes whose score is NaN are
///   left out of macro and weighted averages (NaN if all are).
///
/// # Errors
/// As [`precision_recall_fscore_support`], and [`Error::InvalidValue`] for a class other than
/// 0 or 1 with `Average::Binary`.
///
/// # Example
/// ```
/// use kiln_metrics::classification::{precision_recall_fscore, Average, PrfOptions};
/// use ndarray::array;
/// let y_true = array![0, 1, 2, 0, 1, 2];
/// let y_pred = array![0, 2, 1, 0, 0, 1];
/// let m = precision_recall_fscore(y_true.view(), y_pred.view(), Average::Macro,
///     &PrfOptions::default(), None)?;
/// assert!((m.precision - 2.0 / 9.0).abs() < 1e-15);
/// assert!((m.recall - 1.0 / 3.0).abs() < 1e-15);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn precision_recall_fscore(
    y_true: ArrayView1<'_, usize>,
    y_pred: ArrayView1<'_, usize>,
    average: Average,
    options: &PrfOptions,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<Prf> {
    let t = tallies(
        "precision_recall_fscore",
        y_true,
        y_pred,
        Some(average),
        options,
        sample_weight,
    )?;
    Ok(average_tally(&t, average, options))
}

/// Averages the scores of tallies already restricted to the classes of interest.
pub(crate) fn average_tally(t: &Tally, average: Average, options: &PrfOptions) -> Prf {
    let zd = options.zero_division;
    match average {
        Average::Micro => {
            let micro = Tally {
                labels: vec![0],
                tp: vec![t.tp.iter().sum()],
                true_sum: vec![t.true_sum.iter().sum()],
                pred_sum: vec![t.pred_sum.iter().sum()],
            };
            let (p, r, f) = scores(&micro, options.beta, zd);
            Prf {
                precision: p[0],
                recall: r[0],
                fscore: f[0],
            }
        }
        Average::Binary | Average::Macro | Average::Weighted => {
            let (p, r, f) = scores(t, options.beta, zd);
            let w = (average == Average::Weighted).then_some(t.true_sum.as_slice());
            Prf {
                precision: nan_average(&p, w),
                recall: nan_average(&r, w),
                fscore: nan_average(&f, w),
            }
        }
    }
}

/// Precision `tp / (tp + fp)` averaged as asked (scikit-learn's `precision_score` with its
/// default `zero_division="warn"`: 0 for a class never predicted).
///
/// # Errors
/// As [`precision_recall_fscore`].
///
/// # Example
/// ```
/// use kiln_metrics::classification::{precision, Average};
/// use ndarray::array;
/// let p = precision(array![0, 1, 1, 0].view(), array![1, 1, 1, 0].view(), Average::Binary, None)?;
/// assert!((p - 2.0 / 3.0).abs() < 1e-15);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn precision(
    y_true: ArrayView1<'_, usize>,
    y_pred: ArrayView1<'_, usize>,
    average: Average,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    averaged(
        "precision",
        y_true,
        y_pred,
        average,
        &PrfOptions::default(),
        sample_weight,
    )
    .map(|p| p.precision)
}

/// Recall `tp / (tp + fn)` averaged as asked (scikit-learn's `recall_score` with its default
/// `zero_division="warn"`: 0 for a class absent from `y_true`).
///
/// # Errors
/// As [`precision_recall_fscore`].
///
/// # Example
/// ```
/// use kiln_metrics::classification::{recall, Average};
/// use ndarray::array;
/// let r = recall(array![0, 1, 1, 0].view(), array![1, 1, 0, 0].view(), Average::Binary, None)?;
/// assert_eq!(r, 0.5);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn recall(
    y_true: ArrayView1<'_, usize>,
    y_pred: ArrayView1<'_, usize>,
    average: Average,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    averaged(
        "recall",
        y_true,
        y_pred,
        average,
        &PrfOptions::default(),
        sample_weight,
    )
    .map(|p| p.recall)
}

/// F1 score `2 tp / (2 tp + fp + fn)` averaged as asked (scikit-learn's `f1_score`, default
/// `zero_division="warn"`: 0 for a class neither true nor predicted).
///
/// # Errors
/// As [`precision_recall_fscore`].
///
/// # Example
/// ```
/// use kiln_metrics::classification::{f1, Average};
/// use ndarray::array;
/// let f = f1(array![0, 1, 1, 0].view(), array![1, 1, 0, 0].view(), Average::Binary, None)?;
/// assert_eq!(f, 0.5);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn f1(
    y_true: ArrayView1<'_, usize>,
    y_pred: ArrayView1<'_, usize>,
    average: Average,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    averaged(
        "f1",
        y_true,
        y_pred,
        average,
        &PrfOptions::default(),
        sample_weight,
    )
    .map(|p| p.fscore)
}

/// F-beta score `(1 + b²) tp / ((1 + b²) tp + b² fn + fp)` averaged as asked (scikit-learn's
/// `fbeta_score`); `beta > 1` favours recall.
///
/// `beta = 0` gives precision, as in scikit-learn.
///
/// # Errors
/// As [`precision_recall_fscore`]; [`Error::InvalidParameter`] for a negative or NaN `beta`.
///
/// # Example
/// ```
/// use kiln_metrics::classification::{fbeta, Average};
/// use ndarray::array;
/// let f = fbeta(array![0, 1, 1, 0].view(), array![1, 1, 0, 0].view(), 2.0, Average::Binary, None)?;
/// assert_eq!(f, 0.5);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn fbeta(
    y_true: ArrayView1<'_, usize>,
    y_pred: ArrayView1<'_, usize>,
    beta: f64,
    average: Average,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    let opts = PrfOptions::default().with_beta(beta);
    averaged("fbeta", y_true, y_pred, average, &opts, sample_weight).map(|p| p.fscore)
}

/// Precision, recall and F-score of `metric`, averaged as asked.
fn averaged(
    metric: &str,
    y_true: ArrayView1<'_, usize>,
    y_pred: ArrayView1<'_, usize>,
    average: Average,
    opts: &PrfOptions,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<Prf> {
    let t = tallies(metric, y_true, y_pred, Some(average), opts, sample_weight)?;
    Ok(average_tally(&t, average, opts))
}
