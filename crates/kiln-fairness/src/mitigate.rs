//! Mitigation: what can be done about a gap between groups, and what it costs.
//!
//! - [`reweighing`] (pre-processing): per-row weights that make the label independent of the
//!   group in the weighted training data (Kamiran & Calders 2012, as AIF360 computes it); pass
//!   them to any kiln estimator's `fit_weighted`.
//! - [`correlation`] (pre-processing): removes the linear correlation of the features with
//!   the sensitive columns (fairlearn's `CorrelationRemover`).
//! - [`threshold`] (post-processing): per-group thresholds on a model's scores under a
//!   fairness constraint (Hardt, Price & Srebro 2016; fairlearn's `ThresholdOptimizer`).
//! - [`reductions`] (in-processing): exponentiated-gradient reductions.
//!
//! Every mitigator trades some accuracy for a smaller gap. [`TradeOff`] measures both, before
//! and after, on evaluation data the caller gives (held-out data, not the data the mitigator
//! was fitted on, or the gap will look smaller than it is).
//!
//! ```
//! use kiln_fairness::groups::{Groups, SensitiveColumn};
//! use kiln_fairness::mitigate::{Disparity, TradeOff};
//! use ndarray::array;
//!
//! let groups = Groups::new(&[SensitiveColumn::from_strings("g", ["a", "a", "b", "b"])?], &[])?;
//! let y = array![1, 0, 1, 0];
//! let before = array![1, 1, 0, 0]; // group a always selected, group b never
//! let after = array![1, 0, 1, 0];
//! let t = TradeOff::new(y.view(), before.view(), after.view(), &groups,
//!                       Disparity::DemographicParity, None)?;
//! assert_eq!(t.gap_before.get(), Some(1.0));
//! assert_eq!(t.gap_after.get(), Some(0.0));
//! assert_eq!((t.metric_before, t.metric_after), (0.5, 1.0));
//! # Ok::<(), kiln_core::Error>(())
//! ```

pub mod correlation;
pub mod reductions;
pub mod reweighing;
pub mod threshold;

use std::fmt;

use kiln_core::Result;
use ndarray::ArrayView1;
use serde::{Deserialize, Serialize};

use crate::confusion::{Confusion, GroupConfusion};
use crate::groups::Groups;
use crate::value::{Value, ZeroDivision};

/// A gap between groups that a mitigator targets, measured as the largest minus the smallest
/// group value of a rate (fairlearn's `between_groups` difference).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disparity {
    /// Selection rate (fairlearn's `demographic_parity`, also `selection_rate_parity`).
    DemographicParity,
    /// True-positive rate (equal opportunity; fairlearn's `true_positive_rate_parity`).
    TruePositiveRateParity,
    /// False-positive rate (`false_positive_rate_parity`).
    FalsePositiveRateParity,
    /// True-negative rate (`true_negative_rate_parity`).
    TrueNegativeRateParity,
    /// False-negative rate (`false_negative_rate_parity`).
    FalseNegativeRateParity,
    /// The larger of the true- and false-positive-rate gaps (`equalized_odds`).
    EqualizedOdds,
}

impl Disparity {
    /// fairlearn's name of the constraint, e.g. `"demographic_parity"`.
    pub fn name(self) -> &'static str {
        match self {
            Disparity::DemographicParity => "demographic_parity",
            Disparity::TruePositiveRateParity => "true_positive_rate_parity",
            Disparity::FalsePositiveRateParity => "false_positive_rate_parity",
            Disparity::TrueNegativeRateParity => "true_negative_rate_parity",
            Disparity::FalseNegativeRateParity => "false_negative_rate_parity",
            Disparity::EqualizedOdds => "equalized_odds",
        }
    }

    /// The gap over the groups' confusion counts: the largest minus the smallest group value.
    ///
    /// # Notes
    /// A group whose rate is undefined (e.g. no positives for the true-positive rate) takes no
    /// part; with no group defined the gap is undefined. One group gives a gap of 0.
    pub fn gap(self, confusion: &GroupConfusion) -> Value {
        let spread = |rate: fn(&Confusion, ZeroDivision) -> Value| -> Value {
            let mut lo = f64::INFINITY;
            let mut hi = f64::NEG_INFINITY;
            for c in confusion.groups() {
                if let Some(v) = rate(c, ZeroDivision::Undefined).get() {
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
            }
            if lo <= hi {
                Value::Defined(hi - lo)
            } else {
                Value::undefined("no group has a defined rate")
            }
        };
        match self {
            Disparity::DemographicParity => spread(Confusion::selection_rate),
            Disparity::TruePositiveRateParity => spread(Confusion::tpr),
            Disparity::FalsePositiveRateParity => spread(Confusion::fpr),
            Disparity::TrueNegativeRateParity => spread(Confusion::tnr),
            Disparity::FalseNegativeRateParity => spread(Confusion::fnr),
            Disparity::EqualizedOdds => {
                match (spread(Confusion::tpr).get(), spread(Confusion::fpr).get()) {
                    (Some(a), Some(b)) => Value::Defined(a.max(b)),
                    (Some(a), None) | (None, Some(a)) => Value::Defined(a),
                    (None, None) => Value::undefined("no group has a defined TPR or FPR"),
                }
            }
        }
    }
}

impl fmt::Display for Disparity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The accuracy–fairness trade-off a mitigator made, measured on evaluation data: accuracy
/// and the targeted gap, before (unmitigated predictions) and after (mitigated predictions).
///
/// # Notes
/// Computed from [`GroupConfusion`] of both prediction vectors, weighted when sample weights
/// are given. The gap is [`Disparity::gap`]. Measure on held-out data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TradeOff {
    /// The gap measured.
    pub disparity: Disparity,
    /// Accuracy of the unmitigated predictions.
    pub metric_before: f64,
    /// Accuracy of the mitigated predictions.
    pub metric_after: f64,
    /// The gap of the unmitigated predictions.
    pub gap_before: Value,
    /// The gap of the mitigated predictions.
    pub gap_after: Value,
}

impl TradeOff {
    /// Measures accuracy and `disparity` of `before` and `after` against `y_true`.
    ///
    /// # Errors
    /// As [`GroupConfusion::new`]: lengths that differ from the groups' rows, labels other
    /// than 0 or 1, invalid sample weights.
    pub fn new(
        y_true: ArrayView1<'_, usize>,
        before: ArrayView1<'_, usize>,
        after: ArrayView1<'_, usize>,
        groups: &Groups,
        disparity: Disparity,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<Self> {
        let b = GroupConfusion::new(y_true, before, groups, sample_weight)?;
        let a = GroupConfusion::new(y_true, after, groups, sample_weight)?;
        let acc = |c: &GroupConfusion| c.overall().accuracy(ZeroDivision::Zero).or_nan();
        Ok(Self {
            disparity,
            metric_before: acc(&b),
            metric_after: acc(&a),
            gap_before: disparity.gap(&b),
            gap_after: disparity.gap(&a),
        })
    }

    /// Accuracy lost (positive) or gained (negative): `metric_before − metric_after`.
    pub fn accuracy_loss(&self) -> f64 {
        self.metric_before - self.metric_after
    }
}

impl fmt::Display for TradeOff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} gap {:.4} -> {:.4}, accuracy {:.4} -> {:.4}",
            self.disparity, self.gap_before, self.gap_after, self.metric_before, self.metric_after
        )
    }
}
