//! Multiclass ROC AUC: one-vs-rest and one-vs-one (Hand & Till).

use kiln_core::{Error, Result};
use ndarray::{Array1, ArrayView1, ArrayView2};

use super::roc::roc_auc;
use crate::classification::Average;
use crate::input::{check_proba, check_weights};

/// How [`roc_auc_multiclass`] reduces a multiclass problem to binary ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MultiClass {
    /// One-vs-rest: the AUC of each class against all others (scikit-learn's `"ovr"`).
    #[default]
    Ovr,
    /// One-vs-one: the mean over class pairs of the two AUCs of each pair, computed on the
    /// samples of that pair only (Hand & Till 2001; scikit-learn's `"ovo"`). Insensitive to
    /// class imbalance.
    Ovo,
}

/// Multiclass area under the ROC curve from class probabilities (scikit-learn's
/// `roc_auc_score(..., multi_class=...)`).
///
/// # Parameters
/// - `y_true`: class indices; every class `0..proba.ncols()` must occur (scikit-learn requires
///   the number of classes in `y_true` to equal the number of columns).
/// - `proba`: probabilities, column `j` = class `j`; rows must sum to 1.
/// - `multi_class`: [`MultiClass::Ovr`] or [`MultiClass::Ovo`].
/// - `average`: [`Average::Macro`] (unweighted mean over classes or pairs),
///   [`Average::Weighted`] (weighted by class prevalence, or for one-vs-one by the share of
///   samples in each pair) or, for one-vs-rest only, [`Average::Micro`] (one binary AUC over
///   the flattened one-hot targets and probabilities).
/// - `sample_weight`: optional weights, one-vs-rest only. scikit-learn rejects sample weights
///   for one-vs-one (`ValueError`), and so does kiln.
///
/// # Errors
/// [`Error::EmptyInput`], [`Error::ShapeMismatch`], [`Error::NonFinite`],
/// [`Error::InvalidValue`] for a probability outside [0, 1], a row not summing to 1, a class
/// index `>= proba.ncols()` or a class with no sample, [`Error::SingleClass`] for one column
/// (or, one-vs-rest with `Average::Macro`, a class whose samples all weigh zero; scikit-learn
/// gives NaN there),
/// [`Error::InvalidParameter`] for `Average::Binary`, `Average::Micro` with one-vs-one, or
/// weights with one-vs-one.
///
/// # References
/// Hand, D. J. & Till, R. J. (2001). A simple generalisation of the area under the ROC curve
/// for multiple class classification problems. *Machine Learning* 45(2).
/// Provost, F. & Domingos, P. (2000). Well-trained PETs: improving probability estimation
/// trees (one-vs-rest, prevalence-weighted).
///
/// # Example
/// ```
/// use kiln_metrics::classification::Average;
/// use kiln_metrics::ranking::{MultiClass, roc_auc_multiclass};
/// use ndarray::array;
///
/// let y = array![0, 1, 2, 2];
/// let p = array![[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.1, 0.2, 0.7], [0.3, 0.4, 0.3]];
/// let auc = roc_auc_multiclass(y.view(), p.view(), MultiClass::Ovo, Average::Macro, None)?;
/// assert!(auc > 0.8);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn roc_auc_multiclass(
    y_true: ArrayView1<'_, usize>,
    proba: ArrayView2<'_, f64>,
    multi_class: MultiClass,
    average: Average,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    let metric = "roc_auc_multiclass";
    let n = y_true.len();
    if n == 0 {
        return Err(Error::EmptyInput {
            what: format!("y_true of {metric}"),
            reason: "0 samples; a metric needs at least 1".into(),
        });
    }
    check_proba(proba, n, metric)?;
    check_weights(sample_weight, n)?;
    let k = proba.ncols();
    match (multi_class, average) {
        (_, Average::Binary) => {
            return Err(Error::invalid_param(
                metric,
                "average",
                "must be Macro or Weighted (or Micro with Ovr) for multiclass ROC AUC; got Binary",
            ));
        }
        (MultiClass::Ovo, Average::Micro) => {
            return Err(Error::invalid_param(
                metric,
                "average",
                "must be Macro or Weighted with multi_class=Ovo; got Micro",
            ));
        }
        _ => {}
    }
    if multi_class == MultiClass::Ovo && sample_weight.is_some() {
        return Err(Error::invalid_param(
            metric,
            "sample_weight",
            "is not supported for multiclass one-vs-one ROC AUC (as in scikit-learn); pass None",
        ));
    }
    let mut support = vec![0usize; k];
    for (row, &c) in y_true.iter().enumerate() {
        if c >= k {
            return Err(Error::InvalidValue {
                what: format!("y_true of {metric}"),
                row: Some(row),
                reason: format!("class {c} has no column in the {k} columns of the probabilities"),
            });
        }
        support[c] += 1;
    }
    if k == 1 {
        return Err(super::roc::single_class(metric, 0));
    }
    if let Some(c) = support.iter().position(|&s| s == 0) {
        return Err(Error::InvalidValue {
            what: format!("y_true of {metric}"),
            row: None,
            reason: format!(
                "class {c} has no sample; the number of classes in y_true must equal the {k} \
                 columns of the probabilities"
            ),
        });
    }
    match multi_class {
        MultiClass::Ovr => ovr(y_true, proba, average, sample_weight),
        MultiClass::Ovo => ovo(y_true, proba, average, &support),
    }
}

fn ovr(
    y_true: ArrayView1<'_, usize>,
    proba: ArrayView2<'_, f64>,
    average: Average,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    let (n, k) = proba.dim();
    if average == Average::Micro {
        let y: Array1<usize> = (0..n * k)
            .map(|t| usize::from(y_true[t / k] == t % k))
            .collect();
        let s: Array1<f64> = proba.iter().copied().collect();
        let w: Option<Array1<f64>> = sample_weight.map(|w| (0..n * k).map(|t| w[t / k]).collect());
        return roc_auc(y.view(), s.view(), w.as_ref().map(|w| w.view()));
    }
    let mut scores = Vec::with_capacity(k);
    let mut weights = Vec::with_capacity(k);
    for c in 0..k {
        let y: Array1<usize> = y_true.iter().map(|&t| usize::from(t == c)).collect();
        let class_weight: f64 = match sample_weight {
            Some(w) => y_true
                .iter()
                .zip(w.iter())
                .map(|(&t, &wi)| if t == c { wi } else { 0.0 })
                .sum(),
            None => y.iter().filter(|&&v| v == 1).count() as f64,
        };
        // scikit-learn forces the score of a zero-weight class to 0 in the weighted average.
        if average == Average::Weighted && class_weight == 0.0 {
            scores.push(0.0);
        } else {
            scores.push(roc_auc(y.view(), proba.column(c), sample_weight)?);
        }
        weights.push(class_weight);
    }
    Ok(mean(
        &scores,
        (average == Average::Weighted).then_some(&weights[..]),
    ))
}

fn ovo(
    y_true: ArrayView1<'_, usize>,
    proba: ArrayView2<'_, f64>,
    average: Average,
    support: &[usize],
) -> Result<f64> {
    let k = proba.ncols();
    let n = y_true.len() as f64;
    let mut scores = Vec::with_capacity(k * (k - 1) / 2);
    let mut prevalence = Vec::with_capacity(k * (k - 1) / 2);
    for a in 0..k {
        for b in a + 1..k {
            let rows: Vec<usize> = (0..y_true.len())
                .filter(|&i| y_true[i] == a || y_true[i] == b)
                .collect();
            let is_a: Array1<usize> = rows.iter().map(|&i| usize::from(y_true[i] == a)).collect();
            let is_b: Array1<usize> = is_a.mapv(|v| 1 - v);
            let score_a: Array1<f64> = rows.iter().map(|&i| proba[[i, a]]).collect();
            let score_b: Array1<f64> = rows.iter().map(|&i| proba[[i, b]]).collect();
            let auc_a = roc_auc(is_a.view(), score_a.view(), None)?;
            let auc_b = roc_auc(is_b.view(), score_b.view(), None)?;
            scores.push((auc_a + auc_b) / 2.0);
            prevalence.push((support[a] + support[b]) as f64 / n);
        }
    }
    Ok(mean(
        &scores,
        (average == Average::Weighted).then_some(&prevalence[..]),
    ))
}

/// `np.average(scores, weights=weights)`.
fn mean(scores: &[f64], weights: Option<&[f64]>) -> f64 {
    match weights {
        None => scores.iter().sum::<f64>() / scores.len() as f64,
        Some(w) => {
            let num: f64 = scores.iter().zip(w).map(|(s, w)| s * w).sum();
            num / w.iter().sum::<f64>()
        }
    }
}
