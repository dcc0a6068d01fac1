//! Per-group confusion counts of binary predictions, in one pass over the rows.
//!
//! Most fairness measures are ratios of these four (weighted) counts per group, so every
//! count-based measure, the group-metric table and its bootstrap share this one pass.
//!
//! ```
//! use kiln_fairness::confusion::GroupConfusion;
//! use kiln_fairness::groups::{Groups, SensitiveColumn};
//! use ndarray::array;
//!
//! let groups = Groups::new(&[SensitiveColumn::from_strings("g", ["a", "a", "b", "b"])?], &[])?;
//! let c = GroupConfusion::new(array![1, 0, 1, 1].view(), array![1, 1, 0, 1].view(), &groups, None)?;
//! assert_eq!(c.groups()[0].fp, 1.0);   // group a: one negative predicted positive
//! assert_eq!(c.groups()[1].fn_, 1.0);  // group b: one positive predicted negative
//! assert_eq!(c.overall().tp, 2.0);
//! # Ok::<(), kiln_core::Error>(())
//! ```

use kiln_core::check::{check_same_len, check_sample_weight};
use kiln_core::{Error, Result};
use ndarray::ArrayView1;
use serde::{Deserialize, Serialize};

use crate::groups::Groups;
use crate::value::{Value, ZeroDivision, rate};

/// Weighted confusion counts of binary predictions (class 1 is the positive, favourable
/// outcome).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Confusion {
    /// Positives predicted positive.
    pub tp: f64,
    /// Negatives predicted positive.
    pub fp: f64,
    /// Negatives predicted negative.
    pub tn: f64,
    /// Positives predicted negative.
    pub fn_: f64,
}

impl Confusion {
    /// Adds one sample of weight `w`.
    #[inline]
    pub fn add(&mut self, y_true: usize, y_pred: usize, w: f64) {
        match (y_true, y_pred) {
            (1, 1) => self.tp += w,
            (0, 1) => self.fp += w,
            (1, _) => self.fn_ += w,
            _ => self.tn += w,
        }
    }

    /// Adds another set of counts.
    pub fn merge(&mut self, other: &Confusion) {
        self.tp += other.tp;
        self.fp += other.fp;
        self.tn += other.tn;
        self.fn_ += other.fn_;
    }

    /// Total weight.
    pub fn total(&self) -> f64 {
        self.tp + self.fp + self.tn + self.fn_
    }

    /// Weight of the actual positives.
    pub fn positives(&self) -> f64 {
        self.tp + self.fn_
    }

    /// Weight of the actual negatives.
    pub fn negatives(&self) -> f64 {
        self.fp + self.tn
    }

    /// Weight of the predicted positives.
    pub fn predicted_positives(&self) -> f64 {
        self.tp + self.fp
    }

    /// Weight of the predicted negatives.
    pub fn predicted_negatives(&self) -> f64 {
        self.tn + self.fn_
    }

    /// Share predicted positive (fairlearn's `selection_rate`).
    ///
    /// Over a group of zero total weight it is undefined under either [`ZeroDivision`]
    /// convention: there is nothing to take a share of (fairlearn gives NaN, scikit-learn's
    /// weighted accuracy raises), where a zero-division rule would make it 0.
    pub fn selection_rate(&self, _zero_division: ZeroDivision) -> Value {
        rate(
            self.predicted_positives(),
            self.total(),
            ZeroDivision::Undefined,
        )
    }

    /// True-positive rate (recall, sensitivity).
    pub fn tpr(&self, zd: ZeroDivision) -> Value {
        rate(self.tp, self.positives(), zd)
    }

    /// False-positive rate.
    pub fn fpr(&self, zd: ZeroDivision) -> Value {
        rate(self.fp, self.negatives(), zd)
    }

    /// True-negative rate (specificity).
    pub fn tnr(&self, zd: ZeroDivision) -> Value {
        rate(self.tn, self.negatives(), zd)
    }

    /// False-negative rate.
    pub fn fnr(&self, zd: ZeroDivision) -> Value {
        rate(self.fn_, self.positives(), zd)
    }

    /// Positive predictive value (precision).
    pub fn ppv(&self, zd: ZeroDivision) -> Value {
        rate(self.tp, self.predicted_positives(), zd)
    }

    /// Negative predictive value.
    pub fn npv(&self, zd: ZeroDivision) -> Value {
        rate(self.tn, self.predicted_negatives(), zd)
    }

    /// Accuracy.
    ///
    /// Over a group of zero total weight it is undefined under either [`ZeroDivision`]
    /// convention: there is nothing to take a share of (fairlearn gives NaN, scikit-learn's
    /// weighted accuracy raises), where a zero-division rule would make it 0.
    pub fn accuracy(&self, _zero_division: ZeroDivision) -> Value {
        rate(self.tp + self.tn, self.total(), ZeroDivision::Undefined)
    }

    /// Error rate (1 − accuracy).
    ///
    /// Over a group of zero total weight it is undefined under either [`ZeroDivision`]
    /// convention: there is nothing to take a share of (fairlearn gives NaN, scikit-learn's
    /// weighted accuracy raises), where a zero-division rule would make it 0.
    pub fn error_rate(&self, _zero_division: ZeroDivision) -> Value {
        rate(self.fp + self.fn_, self.total(), ZeroDivision::Undefined)
    }
}

/// Confusion counts of every group, and overall.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupConfusion {
    groups: Vec<Confusion>,
    overall: Confusion,
}

impl GroupConfusion {
    /// Counts `y_true` against `y_pred` (both 0 or 1) in every group of `groups`.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] for lengths that differ from the groups' rows;
    /// [`Error::InvalidValue`] for a label other than 0 or 1; the errors of
    /// [`kiln_core::check::check_sample_weight`].
    pub fn new(
        y_true: ArrayView1<'_, usize>,
        y_pred: ArrayView1<'_, usize>,
        groups: &Groups,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<Self> {
        let n = groups.n_rows();
        check_binary_labels(y_true, n, "y_true")?;
        check_binary_labels(y_pred, n, "y_pred")?;
        check_sample_weight(sample_weight, n)?;
        let mut per = vec![Confusion::default(); groups.n_groups()];
        let g = groups.group_of();
        match sample_weight {
            Some(w) => {
                for i in 0..n {
                    per[g[i] as usize].add(y_true[i], y_pred[i], w[i]);
                }
            }
            None => {
                // Integer counts, so unweighted sums are exact whatever the order.
                let mut cells = vec![[0u64; 4]; per.len()];
                for i in 0..n {
                    cells[g[i] as usize][2 * y_true[i] + y_pred[i]] += 1;
                }
                for (c, cell) in per.iter_mut().zip(&cells) {
                    c.tn = cell[0] as f64;
                    c.fp = cell[1] as f64;
                    c.fn_ = cell[2] as f64;
                    c.tp = cell[3] as f64;
                }
            }
        }
        let mut overall = Confusion::default();
        for c in &per {
            overall.merge(c);
        }
        Ok(Self {
            groups: per,
            overall,
        })
    }

    /// The counts of each group, in the order of [`Groups`].
    pub fn groups(&self) -> &[Confusion] {
        &self.groups
    }

    /// The counts over all rows.
    pub fn overall(&self) -> &Confusion {
        &self.overall
    }
}

/// Checks binary labels: length `n`, every value 0 or 1.
///
/// # Errors
/// [`Error::ShapeMismatch`] or [`Error::InvalidValue`] at the first other value.
pub fn check_binary_labels(y: ArrayView1<'_, usize>, n: usize, what: &str) -> Result<()> {
    check_same_len(
        &format!("length of {what} against the sensitive columns"),
        n,
        y.len(),
    )?;
    if let Some(row) = y.iter().position(|&v| v > 1) {
        return Err(Error::InvalidValue {
            what: what.to_owned(),
            row: Some(row),
            reason: format!(
                "binary labels must be 0 or 1 (1 = the positive, favourable outcome); got {}",
                y[row]
            ),
        });
    }
    Ok(())
}
