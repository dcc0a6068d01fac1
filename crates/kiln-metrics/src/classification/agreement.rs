//! Accuracy, balanced accuracy, the confusion matrix, Matthews correlation and Cohen's kappa.

use kiln_core::{Error, Result};
use ndarray::{Array2, ArrayView1, Axis};

use super::counts::{Tally, confusion_counts, present_labels};
use super::options::{KappaWeights, Normalize};
use crate::input::{check_pair, check_weights, weight_at};

/// Checks a pair of label vectors and the weights; returns the number of samples.
pub(crate) fn check_labels(
    metric: &str,
    y_true: ArrayView1<'_, usize>,
    y_pred: ArrayView1<'_, usize>,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<usize> {
    let n = check_pair(metric, y_true, y_pred, "y_pred")?;
    check_weights(sample_weight, n)?;
    Ok(n)
}

/// Fraction (or weighted fraction) of samples whose prediction equals the truth
/// (scikit-learn's `accuracy_score`).
///
/// # Errors
/// [`Error::EmptyInput`], [`Error::ShapeMismatch`] for different lengths, or a bad
/// `sample_weight` (negative, non-finite, all zero).
///
/// # Example
/// ```
/// use kiln_metrics::classification::accuracy;
/// use ndarray::array;
/// let acc = accuracy(array![0, 1, 2, 2].view(), array![0, 1, 1, 2].view(), None)?;
/// assert_eq!(acc, 0.75);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn accuracy(
    y_true: ArrayView1<'_, usize>,
    y_pred: ArrayView1<'_, usize>,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    let n = check_labels("accuracy", y_true, y_pred, sample_weight)?;
    let correct = correct_weight(y_true, y_pred, sample_weight.as_ref());
    let total = sample_weight.map_or(n as f64, |w| w.sum());
    Ok(correct / total)
}

/// The (weighted) number of correctly classified samples (scikit-learn's
/// `accuracy_score(..., normalize=False)`).
///
/// # Errors
/// As [`accuracy`].
///
/// # Example
/// ```
/// use kiln_metrics::classification::accuracy_count;
/// use ndarray::array;
/// let w = array![1.0, 2.0, 0.5, 1.0];
/// let c = accuracy_count(array![0, 1, 2, 2].view(), array![0, 1, 1, 2].view(), Some(w.view()))?;
/// assert_eq!(c, 4.0);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn accuracy_count(
    y_true: ArrayView1<'_, usize>,
    y_pred: ArrayView1<'_, usize>,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    check_labels("accuracy_count", y_true, y_pred, sample_weight)?;
    Ok(correct_weight(y_true, y_pred, sample_weight.as_ref()))
}

fn correct_weight(
    y_true: ArrayView1<'_, usize>,
    y_pred: ArrayView1<'_, usize>,
    sample_weight: Option<&ArrayView1<'_, f64>>,
) -> f64 {
    let mut s = 0.0;
    for (i, (t, p)) in y_true.iter().zip(y_pred.iter()).enumerate() {
        if t == p {
            s += weight_at(sample_weight, i);
        }
    }
    s
}

/// Mean of the per-class recalls (scikit-learn's `balanced_accuracy_score`).
///
/// Classes that occur only in `y_pred` (or whose samples all have weight 0) have no recall and
/// are left out, as scikit-learn does (it warns "y_pred contains classes not in y_true").
///
/// # Errors
/// As [`accuracy`].
///
/// # References
/// Brodersen, Ong, Stephan, Buhmann (2010), "The balanced accuracy and its posterior
/// distribution", ICPR.
///
/// # Example
/// ```
/// use kiln_metrics::classification::balanced_accuracy;
/// use ndarray::array;
/// let b = balanced_accuracy(array![0, 0, 0, 1].view(), array![0, 0, 1, 1].view(), None)?;
/// assert!((b - (2.0 / 3.0 + 1.0) / 2.0).abs() < 1e-15);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn balanced_accuracy(
    y_true: ArrayView1<'_, usize>,
    y_pred: ArrayView1<'_, usize>,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    check_labels("balanced_accuracy", y_true, y_pred, sample_weight)?;
    Ok(balanced(y_true, y_pred, sample_weight, false))
}

/// Balanced accuracy rescaled so that chance scores 0 and perfect scores 1
/// (scikit-learn's `balanced_accuracy_score(..., adjusted=True)`): `(b - 1/C) / (1 - 1/C)`
/// with `C` the number of classes that have a recall.
///
/// # Notes
/// With a single class in `y_true` the rescaling divides by zero; like scikit-learn the result
/// is then NaN (perfect) or -inf.
///
/// # Errors
/// As [`accuracy`].
///
/// # Example
/// ```
/// use kiln_metrics::classification::adjusted_balanced_accuracy;
/// use ndarray::array;
/// let b = adjusted_balanced_accuracy(array![0, 1, 0, 1].view(), array![0, 0, 0, 0].view(), None)?;
/// assert_eq!(b, 0.0);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn adjusted_balanced_accuracy(
    y_true: ArrayView1<'_, usize>,
    y_pred: ArrayView1<'_, usize>,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    check_labels("adjusted_balanced_accuracy", y_true, y_pred, sample_weight)?;
    Ok(balanced(y_true, y_pred, sample_weight, true))
}

fn balanced(
    y_true: ArrayView1<'_, usize>,
    y_pred: ArrayView1<'_, usize>,
    sample_weight: Option<ArrayView1<'_, f64>>,
    adjusted: bool,
) -> f64 {
    let t = Tally::new(y_true, y_pred, sample_weight.as_ref());
    let mut sum = 0.0;
    let mut count = 0usize;
    for (tp, support) in t.tp.iter().zip(&t.true_sum) {
        if *support != 0.0 {
            sum += tp / support;
            count += 1;
        }
    }
    let mut score = sum / count as f64;
    if adjusted {
        let chance = 1.0 / count as f64;
        score -= chance;
        score /= 1.0 - chance;
    }
    score
}

/// A confusion matrix with the labels of its rows and columns.
///
/// `matrix[[i, j]]` is the (weighted) number of samples of true class `labels[i]` predicted as
/// `labels[j]`, or that count normalized as requested.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfusionMatrix {
    /// The class of each row (true) and column (predicted).
    pub labels: Vec<usize>,
    /// The counts, rows = true class, columns = predicted class.
    pub matrix: Array2<f64>,
}

/// The confusion matrix of `y_pred` against `y_true` (scikit-learn's `confusion_matrix`).
///
/// # Parameters
/// - `labels`: the classes of the rows and columns, in order; `None` means every class present
///   in `y_true` or `y_pred`, sorted. Samples whose true or predicted class is not listed are
///   left out.
/// - `normalize`: [`Normalize::None`] for counts, else rows, columns or the whole matrix divided
///   by their sums; a zero sum gives zeros (scikit-learn's `nan_to_num`).
///
/// # Errors
/// As [`accuracy`]; [`Error::InvalidParameter`] for an empty `labels` list and
/// [`Error::InvalidValue`] when none of `labels` occurs in `y_true`.
///
/// # Example
/// ```
/// use kiln_metrics::classification::{confusion_matrix, Normalize};
/// use ndarray::array;
/// let cm = confusion_matrix(array![0, 1, 2, 2].view(), array![0, 2, 2, 2].view(), None,
///     Normalize::None, None)?;
/// assert_eq!(cm.labels, vec![0, 1, 2]);
/// assert_eq!(cm.matrix, array![[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 2.0]]);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn confusion_matrix(
    y_true: ArrayView1<'_, usize>,
    y_pred: ArrayView1<'_, usize>,
    labels: Option<&[usize]>,
    normalize: Normalize,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<ConfusionMatrix> {
    check_labels("confusion_matrix", y_true, y_pred, sample_weight)?;
    let labels = resolve_labels("confusion_matrix", y_true, y_pred, labels)?;
    let mut cm = confusion_counts(y_true, y_pred, &labels, sample_weight.as_ref());
    match normalize {
        Normalize::None => {}
        Normalize::True => {
            for mut row in cm.outer_iter_mut() {
                let s: f64 = row.iter().sum();
                row.mapv_inplace(|v| zero_if_nan(v / s));
            }
        }
        Normalize::Pred => {
            for mut col in cm.axis_iter_mut(Axis(1)) {
                let s: f64 = col.iter().sum();
                col.mapv_inplace(|v| zero_if_nan(v / s));
            }
        }
        Normalize::All => {
            let s: f64 = cm.iter().sum();
            cm.mapv_inplace(|v| zero_if_nan(v / s));
        }
    }
    Ok(ConfusionMatrix { labels, matrix: cm })
}

fn zero_if_nan(v: f64) -> f64 {
    if v.is_nan() { 0.0 } else { v }
}

/// The labels of a confusion matrix: the given ones (checked) or those present, sorted.
fn resolve_labels(
    metric: &str,
    y_true: ArrayView1<'_, usize>,
    y_pred: ArrayView1<'_, usize>,
    labels: Option<&[usize]>,
) -> Result<Vec<usize>> {
    match labels {
        None => Ok(present_labels(y_true, y_pred)),
        Some([]) => Err(Error::invalid_param(
            metric,
            "labels",
            "must contain at least one label; got []",
        )),
        Some(l) => {
            let listed = super::counts::LabelMap::new(l);
            if y_true.iter().all(|&t| listed.get(t).is_none()) {
                return Err(Error::InvalidValue {
                    what: format!("labels of {metric}"),
                    row: None,
                    reason: format!("none of the labels {l:?} occurs in y_true"),
                });
            }
            Ok(l.to_vec())
        }
    }
}

/// Matthews correlation coefficient, multiclass (Gorodkin's R_K) and weighted
/// (scikit-learn's `matthews_corrcoef`).
///
/// # Notes
/// When all true or all predicted labels are the same class the coefficient is undefined;
/// like scikit-learn it is then 0.0.
///
/// # Errors
/// As [`accuracy`].
///
/// # References
/// Matthews (1975), Biochim. Biophys. Acta 405(2); Gorodkin (2004), "Comparing two K-category
/// assignments by a K-category correlation coefficient", Comput. Biol. Chem. 28(5).
///
/// # Example
/// ```
/// use kiln_metrics::classification::matthews_corrcoef;
/// use ndarray::array;
/// let m = matthews_corrcoef(array![1, 1, 1, 0].view(), array![1, 0, 1, 1].view(), None)?;
/// assert!((m + 1.0 / 3.0).abs() < 1e-15);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn matthews_corrcoef(
    y_true: ArrayView1<'_, usize>,
    y_pred: ArrayView1<'_, usize>,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    check_labels("matthews_corrcoef", y_true, y_pred, sample_weight)?;
    // The marginals are sums of the confusion matrix's cells, as scikit-learn takes them, not
    // per-sample running sums: with weights, a single true (or predicted) class then has
    // `t_sum · t_sum == n²` exactly and the coefficient is 0, where sums in another order
    // could leave a rounding residue of either sign (a NaN or a value far outside [-1, 1]).
    let labels = present_labels(y_true, y_pred);
    let cm = confusion_counts(y_true, y_pred, &labels, sample_weight.as_ref());
    // Plain left-to-right sums, so that `n_samples` repeats `t_sum[i]`'s additions exactly
    // when every other row is zero (and `p_sum[j]`'s when every other column is).
    let t_sum: Vec<f64> = cm
        .rows()
        .into_iter()
        .map(|r| r.iter().fold(0.0, |a, &v| a + v))
        .collect();
    let p_sum: Vec<f64> = cm
        .columns()
        .into_iter()
        .map(|c| c.iter().fold(0.0, |a, &v| a + v))
        .collect();
    let n_correct = cm.diag().iter().fold(0.0, |a, &v| a + v);
    let n_samples = p_sum.iter().fold(0.0, |a, &v| a + v);
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let cov_ytyp = n_correct * n_samples - dot(&t_sum, &p_sum);
    let cov_ypyp = n_samples * n_samples - dot(&p_sum, &p_sum);
    let cov_ytyt = n_samples * n_samples - dot(&t_sum, &t_sum);
    let denom = cov_ypyp * cov_ytyt;
    if denom == 0.0 {
        Ok(0.0)
    } else {
        Ok(cov_ytyp / denom.sqrt())
    }
}

/// Cohen's kappa: agreement between two labelings beyond chance (scikit-learn's
/// `cohen_kappa_score`), `1 - sum(W * C) / sum(W * E)` with `C` the confusion matrix, `E` the
/// product of its marginals over the total and `W` the disagreement weights.
///
/// # Parameters
/// - `labels`: the classes to use (as in [`confusion_matrix`]); `None` = every class present.
///   Linear and quadratic weights use the positions in this list.
/// - `weights`: [`KappaWeights`].
///
/// # Notes
/// When kappa is undefined (no sample left, or the labelings share only one label so the
/// expected disagreement is 0) the result is NaN, scikit-learn's default
/// `replace_undefined_by=np.nan`.
///
/// # Errors
/// As [`confusion_matrix`].
///
/// # References
/// Cohen (1960), "A coefficient of agreement for nominal scales", Educ. Psychol. Meas. 20(1);
/// Cohen (1968), "Weighted kappa", Psychol. Bull. 70(4).
///
/// # Example
/// ```
/// use kiln_metrics::classification::{cohen_kappa, KappaWeights};
/// use ndarray::array;
/// let y1 = array![0, 2, 0, 1, 2];
/// let y2 = array![0, 2, 0, 1, 0];
/// let k = cohen_kappa(y1.view(), y2.view(), None, KappaWeights::Unweighted, None)?;
/// assert!((k - 0.6875).abs() < 1e-15);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn cohen_kappa(
    y1: ArrayView1<'_, usize>,
    y2: ArrayView1<'_, usize>,
    labels: Option<&[usize]>,
    weights: KappaWeights,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    check_labels("cohen_kappa", y1, y2, sample_weight)?;
    let labels = resolve_labels("cohen_kappa", y1, y2, labels)?;
    let cm = confusion_counts(y1, y2, &labels, sample_weight.as_ref());
    let k = labels.len();
    let sum0 = cm.sum_axis(Axis(0));
    let sum1 = cm.sum_axis(Axis(1));
    let total: f64 = sum0.sum();
    if total == 0.0 {
        return Ok(f64::NAN);
    }
    let w = |i: usize, j: usize| -> f64 {
        let d = i.abs_diff(j) as f64;
        match weights {
            KappaWeights::Unweighted => f64::from(u8::from(i != j)),
            KappaWeights::Linear => d,
            KappaWeights::Quadratic => d * d,
        }
    };
    let mut observed = 0.0;
    let mut expected = 0.0;
    for i in 0..k {
        for j in 0..k {
            let wij = w(i, j);
            observed += wij * cm[[i, j]];
            expected += wij * (sum0[i] * sum1[j] / total);
        }
    }
    if expected == 0.0 {
        return Ok(f64::NAN);
    }
    Ok(1.0 - observed / expected)
}
