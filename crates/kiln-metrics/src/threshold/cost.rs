//! Cost-weighted decisions: the threshold of least total cost, and the Bayes-optimal
//! probability threshold.

use kiln_core::{Error, Result};
use ndarray::ArrayView1;

use super::counts::ConfusionCounts;
use super::search::{Candidates, ThresholdChoice};

/// The costs of wrong decisions and the gains of right ones, per (weighted) sample.
///
/// # Parameters
/// - `cost_fp`: cost of a false positive (default 1).
/// - `cost_fn`: cost of a false negative (default 1).
/// - `gain_tp`: gain of a true positive (default 0).
/// - `gain_tn`: gain of a true negative (default 0).
///
/// All are finite and non-negative, and `cost_fp + gain_tn + cost_fn + gain_tp > 0`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Costs {
    /// Cost of a false positive.
    pub cost_fp: f64,
    /// Cost of a false negative.
    pub cost_fn: f64,
    /// Gain of a true positive.
    pub gain_tp: f64,
    /// Gain of a true negative.
    pub gain_tn: f64,
}

impl Default for Costs {
    fn default() -> Self {
        Costs {
            cost_fp: 1.0,
            cost_fn: 1.0,
            gain_tp: 0.0,
            gain_tn: 0.0,
        }
    }
}

impl Costs {
    /// Sets the cost of a false positive (default 1).
    pub fn with_cost_fp(mut self, cost_fp: f64) -> Self {
        self.cost_fp = cost_fp;
        self
    }

    /// Sets the cost of a false negative (default 1).
    pub fn with_cost_fn(mut self, cost_fn: f64) -> Self {
        self.cost_fn = cost_fn;
        self
    }

    /// Sets the gain of a true positive (default 0).
    pub fn with_gain_tp(mut self, gain_tp: f64) -> Self {
        self.gain_tp = gain_tp;
        self
    }

    /// Sets the gain of a true negative (default 0).
    pub fn with_gain_tn(mut self, gain_tn: f64) -> Self {
        self.gain_tn = gain_tn;
        self
    }

    /// Checks that every field is finite and non-negative and that some decision matters.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the field.
    pub fn validate(&self) -> Result<()> {
        let fields = [
            ("cost_fp", self.cost_fp),
            ("cost_fn", self.cost_fn),
            ("gain_tp", self.gain_tp),
            ("gain_tn", self.gain_tn),
        ];
        for (name, v) in fields {
            if !(v.is_finite() && v >= 0.0) {
                return Err(Error::invalid_param(
                    "Costs",
                    name,
                    format!("must be a float in the range [0, inf); got {v}"),
                ));
            }
        }
        if self.cost_fp + self.gain_tn + self.cost_fn + self.gain_tp <= 0.0 {
            return Err(Error::invalid_param(
                "Costs",
                "cost_fp",
                "and the other costs and gains are all 0; no decision would matter",
            ));
        }
        Ok(())
    }

    /// Total cost of a decision rule:
    /// `cost_fp·fp + cost_fn·fn − gain_tp·tp − gain_tn·tn`.
    pub fn total(&self, c: &ConfusionCounts) -> f64 {
        self.cost_fp * c.fp + self.cost_fn * c.fn_ - self.gain_tp * c.tp - self.gain_tn * c.tn
    }
}

/// The threshold of least total cost ([`Costs::total`]) on the data, over every distinct score
/// and `+inf` (everything negative); ties go to the highest threshold.
///
/// # Parameters
/// - `costs`: the costs and gains.
/// - the others as [`best_threshold`](super::best_threshold).
///
/// # Errors
/// As [`best_threshold`](super::best_threshold), and [`Costs::validate`]'s.
///
/// # Notes
/// This works for any score, calibrated or not, by counting on the data given (choose it on
/// validation data). For calibrated probabilities [`bayes_threshold`] gives the optimal
/// threshold without data. One sort and one pass: O(n).
///
/// # Example
/// ```
/// use kiln_metrics::threshold::{Costs, min_cost_threshold};
/// use ndarray::array;
///
/// let y = array![0, 0, 1, 1, 0, 1];
/// let s = array![0.1, 0.4, 0.35, 0.8, 0.5, 0.9];
/// // A missed positive costs 5 false alarms: flag down to 0.35 (2 false positives, cost 2).
/// let best = min_cost_threshold(y.view(), s.view(), &Costs::default().with_cost_fn(5.0), None)?;
/// assert_eq!((best.threshold, best.value), (0.35, 2.0));
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn min_cost_threshold(
    y_true: ArrayView1<'_, usize>,
    y_score: ArrayView1<'_, f64>,
    costs: &Costs,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<ThresholdChoice> {
    costs.validate()?;
    let c = Candidates::new("min_cost_threshold", y_true, y_score, sample_weight)?;
    Ok(c.argmax(|k| -costs.total(k))).map(|choice| ThresholdChoice {
        value: -choice.value,
        ..choice
    })
}

/// The Bayes-optimal threshold on a calibrated probability `p` of the positive class:
/// predicting positive when `p >= t` minimizes the expected cost, with
/// `t = (cost_fp + gain_tn) / (cost_fp + gain_tn + cost_fn + gain_tp)`,
/// i.e. `cost_fp / (cost_fp + cost_fn)` without gains.
///
/// Predicting positive costs `(1 − p)·cost_fp − p·gain_tp` in expectation, negative
/// `p·cost_fn − (1 − p)·gain_tn`; the first is smaller exactly when `p` exceeds `t`.
///
/// # Errors
/// [`Costs::validate`]'s.
///
/// # References
/// Elkan, C. (2001). The foundations of cost-sensitive learning. *IJCAI*.
///
/// # Example
/// ```
/// use kiln_metrics::threshold::{Costs, bayes_threshold};
///
/// let t = bayes_threshold(&Costs::default().with_cost_fp(1.0).with_cost_fn(4.0))?;
/// assert_eq!(t, 0.2);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn bayes_threshold(costs: &Costs) -> Result<f64> {
    costs.validate()?;
    let against = costs.cost_fp + costs.gain_tn;
    Ok(against / (against + costs.cost_fn + costs.gain_tp))
}
