//! Score-based measures by group: AUC, mean score, and calibration (curve and ECE).

use kiln_core::check::{check_finite_1d, check_same_len, check_sample_weight};
use kiln_core::{Error, Result};
use kiln_metrics::ranking::{
    CalibrationStrategy, calibration_curve, expected_calibration_error, roc_auc,
};
use ndarray::{Array1, ArrayView1};
use serde::{Deserialize, Serialize};

use super::by_group::ByGroup;
use crate::confusion::check_binary_labels;
use crate::groups::Groups;
use crate::value::{Value, ZeroDivision, rate};

/// The rows of each group, and the inputs gathered per subset.
struct Subsets<'a> {
    rows: Vec<Vec<usize>>,
    y_true: ArrayView1<'a, usize>,
    scores: ArrayView1<'a, f64>,
    sample_weight: Option<ArrayView1<'a, f64>>,
}

impl<'a> Subsets<'a> {
    fn new(
        y_true: ArrayView1<'a, usize>,
        scores: ArrayView1<'a, f64>,
        groups: &Groups,
        sample_weight: Option<ArrayView1<'a, f64>>,
    ) -> Result<Self> {
        let n = groups.n_rows();
        check_binary_labels(y_true, n, "y_true")?;
        check_same_len(
            "length of scores against the sensitive columns",
            n,
            scores.len(),
        )?;
        check_finite_1d(scores, "scores")?;
        check_sample_weight(sample_weight, n)?;
        let mut rows: Vec<Vec<usize>> = groups
            .counts()
            .iter()
            .map(|&c| Vec::with_capacity(c))
            .collect();
        for (i, &g) in groups.group_of().iter().enumerate() {
            rows[g as usize].push(i);
        }
        Ok(Self {
            rows,
            y_true,
            scores,
            sample_weight,
        })
    }

    /// The rows of the groups in `gs`, in row order.
    fn rows_of(&self, gs: std::ops::Range<usize>) -> Vec<usize> {
        if gs.start == 0 && gs.end == self.rows.len() {
            return (0..self.y_true.len()).collect();
        }
        let mut r: Vec<usize> = gs.flat_map(|g| self.rows[g].iter().copied()).collect();
        r.sort_unstable();
        r
    }

    fn gather(&self, rows: &[usize]) -> (Array1<usize>, Array1<f64>, Option<Array1<f64>>) {
        let y = rows.iter().map(|&i| self.y_true[i]).collect();
        let s = rows.iter().map(|&i| self.scores[i]).collect();
        let w = self
            .sample_weight
            .map(|w| rows.iter().map(|&i| w[i]).collect());
        (y, s, w)
    }

    fn weight(&self, rows: &[usize]) -> f64 {
        match self.sample_weight {
            Some(w) => rows.iter().map(|&i| w[i]).sum(),
            None => rows.len() as f64,
        }
    }

    fn weights(&self) -> Vec<f64> {
        self.rows.iter().map(|r| self.weight(r)).collect()
    }
}

fn auc_of(s: &Subsets<'_>, rows: &[usize]) -> Result<Value> {
    let (y, sc, w) = s.gather(rows);
    let positives: f64 = match &w {
        Some(w) => y
            .iter()
            .zip(w)
            .filter(|(c, _)| **c == 1)
            .map(|(_, w)| w)
            .sum(),
        None => y.iter().filter(|&&c| c == 1).count() as f64,
    };
    let total = s.weight(rows);
    if positives == 0.0 || positives == total {
        let class = usize::from(positives > 0.0);
        return Ok(Value::undefined(format!(
            "AUC needs both classes; every (weighted) label is {class}"
        )));
    }
    Ok(Value::Defined(roc_auc(
        y.view(),
        sc.view(),
        w.as_ref().map(|w| w.view()),
    )?))
}

/// The ROC AUC of the scores in each group (scikit-learn's `roc_auc_score` per group), and
/// over all rows of each control level.
///
/// A group whose labels are all one class (by weight) has no AUC: its value is undefined,
/// with the reason.
///
/// # Errors
/// [`Error::ShapeMismatch`] for lengths that differ; [`Error::InvalidValue`] for labels other
/// than 0 or 1 or bad weights; [`Error::NonFinite`] for a NaN or infinite score.
///
/// # Example
/// ```
/// use kiln_fairness::groups::{Groups, SensitiveColumn};
/// use kiln_fairness::measures::auc_by_group;
/// use ndarray::array;
///
/// let g = Groups::new(&[SensitiveColumn::from_strings("g", ["a", "a", "a", "b", "b"])?], &[])?;
/// let auc = auc_by_group(array![0, 1, 1, 0, 0].view(), array![0.2, 0.7, 0.1, 0.3, 0.4].view(), &g, None)?;
/// assert_eq!(auc.groups[0].value.get(), Some(0.5));
/// assert!(!auc.groups[1].value.is_defined()); // group b has no positive
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn auc_by_group(
    y_true: ArrayView1<'_, usize>,
    scores: ArrayView1<'_, f64>,
    groups: &Groups,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<ByGroup> {
    let s = Subsets::new(y_true, scores, groups, sample_weight)?;
    let mut per = Vec::with_capacity(groups.n_groups());
    for rows in &s.rows {
        per.push(auc_of(&s, rows)?);
    }
    let mut over = Vec::with_capacity(groups.control_ranges().len());
    for r in groups.control_ranges() {
        over.push(auc_of(&s, &s.rows_of(r.clone()))?);
    }
    let mut over = over.into_iter();
    Ok(ByGroup::build(
        "auc",
        groups,
        &s.weights(),
        |g| (per[g].clone(), None, None),
        |_| {
            (
                over.next().unwrap_or_else(|| Value::undefined("no rows")),
                None,
                None,
            )
        },
    ))
}

/// The (weighted) mean score in each group, and over all rows of each control level.
///
/// # Errors
/// [`Error::ShapeMismatch`] for lengths that differ; [`Error::NonFinite`] for a NaN or
/// infinite score; bad weights.
///
/// # Example
/// ```
/// use kiln_fairness::groups::{Groups, SensitiveColumn};
/// use kiln_fairness::measures::mean_score_by_group;
/// use kiln_fairness::measures::Method;
/// use ndarray::array;
///
/// let g = Groups::new(&[SensitiveColumn::from_strings("g", ["a", "a", "b", "b"])?], &[])?;
/// let m = mean_score_by_group(array![0.2, 0.4, 0.6, 0.8].view(), &g, None)?;
/// assert!((m.groups[0].value.get().unwrap() - 0.3).abs() < 1e-15);
/// assert!((m.difference(Method::BetweenGroups).value.get().unwrap() - 0.4).abs() < 1e-15);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn mean_score_by_group(
    scores: ArrayView1<'_, f64>,
    groups: &Groups,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<ByGroup> {
    let n = groups.n_rows();
    check_same_len(
        "length of scores against the sensitive columns",
        n,
        scores.len(),
    )?;
    check_finite_1d(scores, "scores")?;
    check_sample_weight(sample_weight, n)?;
    let k = groups.n_groups();
    let (mut num, mut den) = (vec![0.0; k], vec![0.0; k]);
    for (i, &g) in groups.group_of().iter().enumerate() {
        let w = sample_weight.map_or(1.0, |w| w[i]);
        num[g as usize] += w * scores[i];
        den[g as usize] += w;
    }
    let zd = ZeroDivision::Undefined;
    Ok(ByGroup::build(
        "mean_score",
        groups,
        &den,
        |g| (rate(num[g], den[g], zd), Some(num[g]), Some(den[g])),
        |r| {
            let a: f64 = num[r.clone()].iter().sum();
            let b: f64 = den[r].iter().sum();
            (rate(a, b, zd), Some(a), Some(b))
        },
    ))
}

/// One group's calibration curve (unweighted, as scikit-learn's `calibration_curve`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupCalibration {
    /// The group's name.
    pub group: String,
    /// Number of rows.
    pub count: usize,
    /// Fraction of positives in each non-empty bin.
    pub prob_true: Vec<f64>,
    /// Mean predicted probability in each non-empty bin.
    pub prob_pred: Vec<f64>,
    /// Number of rows in each non-empty bin.
    pub bin_counts: Vec<usize>,
}

/// Calibration within groups: each group's calibration curve and expected calibration error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationByGroup {
    /// Number of uniform bins on [0, 1].
    pub n_bins: usize,
    /// Each group's curve, in the order of [`Groups`].
    pub curves: Vec<GroupCalibration>,
    /// Each group's expected calibration error (weighted when weights are given), and over
    /// all rows of each control level; its difference is the calibration gap between groups.
    pub ece: ByGroup,
}

/// Calibration within groups: per group, the calibration curve over `n_bins` uniform bins
/// (`kiln_metrics::ranking::calibration_curve`) and the expected calibration error
/// (`kiln_metrics::ranking::expected_calibration_error`).
///
/// A model is calibrated within groups when, in every group, the rows given probability `p`
/// are positive a fraction `p` of the time (Kleinberg et al. 2017; Chouldechova 2017).
///
/// # Errors
/// [`Error::InvalidParameter`] for `n_bins == 0`; [`Error::InvalidValue`] for a probability
/// outside [0, 1] or a label other than 0 or 1; the input errors of [`auc_by_group`].
///
/// # Notes
/// The curves take no sample weights (scikit-learn's `calibration_curve` has none); the ECE
/// does. A group whose weights sum to 0 has an undefined ECE.
///
/// # References
/// Kleinberg, J., Mullainathan, S. & Raghavan, M. (2017). Inherent trade-offs in the fair
/// determination of risk scores. *ITCS*.
///
/// # Example
/// ```
/// use kiln_fairness::groups::{Groups, SensitiveColumn};
/// use kiln_fairness::measures::calibration_by_group;
/// use ndarray::array;
///
/// let g = Groups::new(&[SensitiveColumn::from_strings("g", ["a", "a", "b", "b"])?], &[])?;
/// let c = calibration_by_group(array![0, 1, 0, 1].view(), array![0.1, 0.9, 0.4, 0.6].view(), &g, 2, None)?;
/// assert_eq!(c.curves[0].prob_true, vec![0.0, 1.0]);
/// assert!((c.ece.groups[1].value.get().unwrap() - 0.4).abs() < 1e-15);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn calibration_by_group(
    y_true: ArrayView1<'_, usize>,
    y_prob: ArrayView1<'_, f64>,
    groups: &Groups,
    n_bins: usize,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<CalibrationByGroup> {
    if n_bins == 0 {
        return Err(Error::invalid_param(
            "calibration_by_group",
            "n_bins",
            "must be an int in the range [1, inf); got 0",
        ));
    }
    let s = Subsets::new(y_true, y_prob, groups, sample_weight)?;
    if let Some(row) = y_prob.iter().position(|p| !(0.0..=1.0).contains(p)) {
        return Err(Error::InvalidValue {
            what: "y_prob of calibration_by_group".into(),
            row: Some(row),
            reason: format!("probabilities must lie in [0, 1]; got {}", y_prob[row]),
        });
    }
    let ece_of = |rows: &[usize]| -> Result<Value> {
        if s.weight(rows) == 0.0 {
            return Ok(Value::undefined("the group's weights sum to 0"));
        }
        let (y, p, w) = s.gather(rows);
        Ok(Value::Defined(expected_calibration_error(
            y.view(),
            p.view(),
            n_bins,
            w.as_ref().map(|w| w.view()),
        )?))
    };
    let mut curves = Vec::with_capacity(groups.n_groups());
    let mut per = Vec::with_capacity(groups.n_groups());
    for (g, rows) in s.rows.iter().enumerate() {
        let (y, p, _) = s.gather(rows);
        let c = calibration_curve(y.view(), p.view(), n_bins, CalibrationStrategy::Uniform)?;
        curves.push(GroupCalibration {
            group: groups.name(g),
            count: rows.len(),
            prob_true: c.prob_true.to_vec(),
            prob_pred: c.prob_pred.to_vec(),
            bin_counts: c.counts.to_vec(),
        });
        per.push(ece_of(rows)?);
    }
    let mut over = Vec::with_capacity(groups.control_ranges().len());
    for r in groups.control_ranges() {
        over.push(ece_of(&s.rows_of(r.clone()))?);
    }
    let mut over = over.into_iter();
    let ece = ByGroup::build(
        "ece",
        groups,
        &s.weights(),
        |g| (per[g].clone(), None, None),
        |_| {
            (
                over.next().unwrap_or_else(|| Value::undefined("no rows")),
                None,
                None,
            )
        },
    );
    Ok(CalibrationByGroup {
        n_bins,
        curves,
        ece,
    })
}
