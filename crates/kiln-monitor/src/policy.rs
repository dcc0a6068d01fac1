//! When to retrain: a [`Policy`] of rules over monitoring observations that returns a
//! [`Decision`] with every rule's status and numbers.
//!
//! The rules (each can be turned off with `None`):
//!
//! | rule | fires when | default |
//! |---|---|---|
//! | [`Rule::DriftShare`] | share of drifted columns ≥ `max_drift_share` | 0.5 |
//! | [`Rule::PerformanceDrop`] | reference − latest metric ≥ the allowed drop (relative or absolute) | 10 % relative |
//! | [`Rule::AlertStreak`] | the last `k` chunks all alerted | 3 |
//! | [`Rule::DataVolume`] | rows since training ≥ `retrain_after_rows` | off |
//! | [`Rule::ModelAge`] | days since training ≥ `max_days_since_training` | off |
//!
//! The decision is to retrain when any rule fires. A rule whose observation is missing (`None`)
//! is reported as [`RuleStatus::NoData`], never as passing silently.
//!
//! # Filling the observations
//!
//! [`Observations`] is a plain struct so the policy does not depend on any report type:
//! - `drift_share`: the share of tested columns found drifting in the drift report: the
//!   `share_drifted` value of a `drift::DriftReport` (drifted columns / tested columns, after any
//!   multiple-testing correction), or 1.0 / 0.0 from a
//!   [`DomainClassifier`](crate::performance::DomainClassifier) verdict. Both the report's
//!   dataset verdict and this rule fire at `share >= limit`, so with the same limit (0.5, as
//!   Evidently) they agree;
//! - `latest_metric` and `reference_metric`: the last chunk's value of a
//!   [`PerformanceReport`](crate::performance::PerformanceReport)
//!   ([`latest`](crate::performance::PerformanceReport::latest)) and its reference mean
//!   (`bounds.reference_mean`), realized or CBPE-estimated;
//! - `alert_history`: the report's [`alerts`](crate::performance::PerformanceReport::alerts),
//!   oldest first;
//! - `rows_since_training` and `days_since_training`: kept by the caller.
//!
//! # Example: a monitoring loop that retrains
//!
//! ```
//! use kiln_monitor::policy::{Observations, Policy, Rule};
//!
//! let policy = Policy::default();
//! let mut alerts = Vec::new();
//! let mut rows_since_training = 0u64;
//! let mut retrained_at = None;
//! // Accuracy of each weekly batch; the model degrades from week 4 on.
//! let weekly_accuracy = [0.91, 0.90, 0.92, 0.91, 0.84, 0.80, 0.78];
//! for (week, &acc) in weekly_accuracy.iter().enumerate() {
//!     rows_since_training += 1_000;
//!     alerts.push(acc < 0.88);
//!     let obs = Observations {
//!         drift_share: Some(0.1),
//!         latest_metric: Some(acc),
//!         reference_metric: Some(0.91),
//!         alert_history: alerts.clone(),
//!         rows_since_training: Some(rows_since_training),
//!         days_since_training: Some(7.0 * (week + 1) as f64),
//!     };
//!     let decision = policy.decide(&obs)?;
//!     if decision.retrain {
//!         // fit a new model here, then reset the counters
//!         retrained_at = Some(week);
//!         assert!(decision.fired().contains(&Rule::PerformanceDrop), "{decision}");
//!         println!("{decision}");
//!         break;
//!     }
//! }
//! // 0.80 is 12 % below 0.91: the 10 % relative drop rule fires in week 5.
//! assert_eq!(retrained_at, Some(5));
//! # Ok::<(), kiln_core::Error>(())
//! ```

use std::fmt;

use kiln_core::check::check_param;
use kiln_core::{Error, Result};
use serde::{Deserialize, Serialize};

/// The allowed performance drop before the [`Rule::PerformanceDrop`] rule fires.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum MaxDrop {
    /// A fraction of the reference: fires when `(reference − latest) / |reference| ≥ value`.
    Relative(f64),
    /// An absolute amount: fires when `reference − latest ≥ value`.
    Absolute(f64),
}

/// One rule of a [`Policy`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Rule {
    /// Share of drifted columns.
    DriftShare,
    /// Performance drop against the reference.
    PerformanceDrop,
    /// Consecutive alerting chunks at the end of the alert history.
    AlertStreak,
    /// New rows since the last training.
    DataVolume,
    /// Days since the last training.
    ModelAge,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Rule::DriftShare => "drift share",
            Rule::PerformanceDrop => "performance drop",
            Rule::AlertStreak => "alert streak",
            Rule::DataVolume => "data volume",
            Rule::ModelAge => "model age",
        })
    }
}

/// The status of one rule in a [`Decision`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuleStatus {
    /// The observation reached the limit.
    Fired,
    /// The observation is within the limit.
    Passed,
    /// The rule is on but its observation is missing.
    NoData,
    /// The rule is turned off in the policy.
    Disabled,
}

/// One rule's outcome: its status, the observed number and the limit it was compared with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// The rule.
    pub rule: Rule,
    /// Fired, passed, no data or disabled.
    pub status: RuleStatus,
    /// The number compared (e.g. the drop, the streak length), when there is one.
    pub observed: Option<f64>,
    /// The limit it was compared with, when the rule is on.
    pub limit: Option<f64>,
    /// One line saying what was compared.
    pub message: String,
}

/// What a [`Policy`] decided, with the status of every rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// Whether to retrain: some rule fired.
    pub retrain: bool,
    /// One entry per rule, in the order of [`Rule`]'s variants.
    pub reasons: Vec<Reason>,
}

impl Decision {
    /// The rules that fired.
    pub fn fired(&self) -> Vec<Rule> {
        self.reasons
            .iter()
            .filter(|r| r.status == RuleStatus::Fired)
            .map(|r| r.rule)
            .collect()
    }

    /// The decision as pretty-printed JSON.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] if serialization fails (it does not for this type).
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(|e| Error::InvalidValue {
            what: "Decision".into(),
            row: None,
            reason: format!("JSON serialization failed: {e}"),
        })
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fired = self.fired();
        if self.retrain {
            let names: Vec<String> = fired.iter().map(ToString::to_string).collect();
            writeln!(f, "RETRAIN ({})", names.join(", "))?;
        } else {
            writeln!(f, "keep the model (no rule fired)")?;
        }
        for (i, r) in self.reasons.iter().enumerate() {
            let status = match r.status {
                RuleStatus::Fired => "FIRED",
                RuleStatus::Passed => "ok",
                RuleStatus::NoData => "no data",
                RuleStatus::Disabled => "off",
            };
            write!(f, "  [{status:>7}] {}: {}", r.rule, r.message)?;
            if i + 1 < self.reasons.len() {
                writeln!(f)?;
            }
        }
        Ok(())
    }
}

/// What was observed since the model was trained; every field is optional (`None` = not
/// observed) except the alert history, which may be empty. See the [module docs](self) for how
/// to fill it from the reports.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Observations {
    /// Share of drifted columns, in `[0, 1]`.
    pub drift_share: Option<f64>,
    /// The latest value of the monitored metric (higher is better unless the policy says
    /// otherwise).
    pub latest_metric: Option<f64>,
    /// The metric's reference value (e.g. the mean over the reference chunks).
    pub reference_metric: Option<f64>,
    /// Alert flag of each chunk so far, oldest first.
    pub alert_history: Vec<bool>,
    /// Rows scored since the last training.
    pub rows_since_training: Option<u64>,
    /// Days since the last training, ≥ 0.
    pub days_since_training: Option<f64>,
}

/// Retraining rules; retrain when any enabled rule fires.
///
/// # Parameters
/// - `max_drift_share` (default `Some(0.5)`): fire when the drift share is at least this, in
///   `(0, 1]`.
/// - `max_drop` (default `Some(MaxDrop::Relative(0.1))`): fire when the metric fell by at least
///   this much from the reference; the amount must be finite and > 0.
/// - `higher_is_better` (default `true`): the direction of the metric; for an error metric
///   (log loss, RMSE) set `false`, and a *rise* counts as the drop.
/// - `alert_streak` (default `Some(3)`): fire when the last `k` chunks all alerted, `k ≥ 1`.
/// - `retrain_after_rows` (default `None`): fire when at least this many new rows have been
///   scored since training (enough new data to learn from), ≥ 1.
/// - `max_days_since_training` (default `None`): fire when the model is at least this old, > 0.
///
/// # Errors
/// [`Policy::decide`] returns [`Error::InvalidParameter`] for a parameter out of range, and
/// [`Error::InvalidValue`] for an observation out of range (a drift share outside `[0, 1]`,
/// a non-finite metric, negative days) or a relative drop against a zero reference.
///
/// # Example
/// ```
/// use kiln_monitor::policy::{Observations, Policy, RuleStatus};
///
/// let obs = Observations {
///     drift_share: Some(0.6),
///     alert_history: vec![true, false, true],
///     ..Observations::default()
/// };
/// let d = Policy::default().decide(&obs)?;
/// assert!(d.retrain);
/// assert_eq!(d.reasons[0].status, RuleStatus::Fired); // drift share 0.6 >= 0.5
/// assert_eq!(d.reasons[1].status, RuleStatus::NoData); // no metric given
/// assert_eq!(d.reasons[2].status, RuleStatus::Passed); // streak of 1 < 3
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Policy {
    /// Fire at this share of drifted columns. By default, `Some(0.5)`.
    pub max_drift_share: Option<f64>,
    /// Fire at this performance drop. By default, `Some(MaxDrop::Relative(0.1))`.
    pub max_drop: Option<MaxDrop>,
    /// Whether higher metric values are better. By default, `true`.
    pub higher_is_better: bool,
    /// Fire after this many consecutive alerting chunks. By default, `Some(3)`.
    pub alert_streak: Option<usize>,
    /// Fire after this many new rows. By default, `None` (off).
    pub retrain_after_rows: Option<u64>,
    /// Fire at this model age in days. By default, `None` (off).
    pub max_days_since_training: Option<f64>,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            max_drift_share: Some(0.5),
            max_drop: Some(MaxDrop::Relative(0.1)),
            higher_is_better: true,
            alert_streak: Some(3),
            retrain_after_rows: None,
            max_days_since_training: None,
        }
    }
}

impl Policy {
    /// Sets `max_drift_share` (by default, `Some(0.5)`).
    #[must_use]
    pub fn with_max_drift_share(mut self, v: Option<f64>) -> Self {
        self.max_drift_share = v;
        self
    }
    /// Sets `max_drop` (by default, `Some(MaxDrop::Relative(0.1))`).
    #[must_use]
    pub fn with_max_drop(mut self, v: Option<MaxDrop>) -> Self {
        self.max_drop = v;
        self
    }
    /// Sets `higher_is_better` (by default, `true`).
    #[must_use]
    pub fn with_higher_is_better(mut self, v: bool) -> Self {
        self.higher_is_better = v;
        self
    }
    /// Sets `alert_streak` (by default, `Some(3)`).
    #[must_use]
    pub fn with_alert_streak(mut self, v: Option<usize>) -> Self {
        self.alert_streak = v;
        self
    }
    /// Sets `retrain_after_rows` (by default, `None`).
    #[must_use]
    pub fn with_retrain_after_rows(mut self, v: Option<u64>) -> Self {
        self.retrain_after_rows = v;
        self
    }
    /// Sets `max_days_since_training` (by default, `None`).
    #[must_use]
    pub fn with_max_days_since_training(mut self, v: Option<f64>) -> Self {
        self.max_days_since_training = v;
        self
    }

    /// Checks every parameter against its range.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the first parameter out of range.
    pub fn validate(&self) -> Result<()> {
        if let Some(v) = self.max_drift_share {
            check_param(
                "Policy",
                "max_drift_share",
                v,
                v > 0.0 && v <= 1.0,
                "a float in (0, 1]",
            )?;
        }
        if let Some(d) = self.max_drop {
            let v = match d {
                MaxDrop::Relative(v) | MaxDrop::Absolute(v) => v,
            };
            check_param(
                "Policy",
                "max_drop",
                v,
                v.is_finite() && v > 0.0,
                "a finite float in (0, inf)",
            )?;
        }
        if let Some(k) = self.alert_streak {
            check_param(
                "Policy",
                "alert_streak",
                k,
                k >= 1,
                "an integer in [1, inf)",
            )?;
        }
        if let Some(r) = self.retrain_after_rows {
            check_param(
                "Policy",
                "retrain_after_rows",
                r,
                r >= 1,
                "an integer in [1, inf)",
            )?;
        }
        if let Some(d) = self.max_days_since_training {
            check_param(
                "Policy",
                "max_days_since_training",
                d,
                d.is_finite() && d > 0.0,
                "a finite float in (0, inf)",
            )?;
        }
        Ok(())
    }

    /// Applies every rule to `obs`.
    ///
    /// # Errors
    /// See [`Policy`].
    pub fn decide(&self, obs: &Observations) -> Result<Decision> {
        self.validate()?;
        check_observations(obs)?;
        let reasons = vec![
            self.drift_rule(obs),
            self.drop_rule(obs)?,
            self.streak_rule(obs),
            self.volume_rule(obs),
            self.age_rule(obs),
        ];
        Ok(Decision {
            retrain: reasons.iter().any(|r| r.status == RuleStatus::Fired),
            reasons,
        })
    }

    fn drift_rule(&self, obs: &Observations) -> Reason {
        threshold_reason(
            Rule::DriftShare,
            obs.drift_share,
            self.max_drift_share,
            |s, l| {
                format!(
                    "{:.1}% of columns drifted (limit {:.1}%)",
                    100.0 * s,
                    100.0 * l
                )
            },
        )
    }

    fn drop_rule(&self, obs: &Observations) -> Result<Reason> {
        let Some(max_drop) = self.max_drop else {
            return Ok(disabled(Rule::PerformanceDrop));
        };
        let (Some(latest), Some(reference)) = (obs.latest_metric, obs.reference_metric) else {
            return Ok(no_data(
                Rule::PerformanceDrop,
                "latest_metric and reference_metric",
            ));
        };
        // A drop is a fall for a score, a rise for a loss.
        let fall = if self.higher_is_better {
            reference - latest
        } else {
            latest - reference
        };
        let (observed, limit, unit) = match max_drop {
            MaxDrop::Absolute(l) => (fall, l, ""),
            MaxDrop::Relative(l) => {
                if reference == 0.0 {
                    return Err(Error::InvalidValue {
                        what: "reference_metric".into(),
                        row: None,
                        reason: "a relative performance drop needs a non-zero reference; use MaxDrop::Absolute".into(),
                    });
                }
                (fall / reference.abs(), l, " (relative)")
            }
        };
        let status = if observed >= limit {
            RuleStatus::Fired
        } else {
            RuleStatus::Passed
        };
        Ok(Reason {
            rule: Rule::PerformanceDrop,
            status,
            observed: Some(observed),
            limit: Some(limit),
            message: if observed < 0.0 {
                format!(
                    "metric {latest:.4} vs reference {reference:.4}: improved by {:.4}{unit} (limit on drops {limit:.4})",
                    -observed
                )
            } else {
                format!(
                    "metric {latest:.4} vs reference {reference:.4}: drop {observed:.4}{unit} (limit {limit:.4})"
                )
            },
        })
    }

    fn streak_rule(&self, obs: &Observations) -> Reason {
        let Some(k) = self.alert_streak else {
            return disabled(Rule::AlertStreak);
        };
        if obs.alert_history.is_empty() {
            return no_data(Rule::AlertStreak, "alert_history");
        }
        let streak = obs.alert_history.iter().rev().take_while(|&&a| a).count();
        Reason {
            rule: Rule::AlertStreak,
            status: if streak >= k {
                RuleStatus::Fired
            } else {
                RuleStatus::Passed
            },
            observed: Some(streak as f64),
            limit: Some(k as f64),
            message: format!(
                "last {streak} of {} chunks alerted in a row (limit {k})",
                obs.alert_history.len()
            ),
        }
    }

    fn volume_rule(&self, obs: &Observations) -> Reason {
        #[expect(
            clippy::cast_precision_loss,
            reason = "row counts are reported, not computed on"
        )]
        let to_f = |v: u64| v as f64;
        threshold_reason(
            Rule::DataVolume,
            obs.rows_since_training.map(to_f),
            self.retrain_after_rows.map(to_f),
            |v, l| format!("{v} rows since training (retrain after {l})"),
        )
    }

    fn age_rule(&self, obs: &Observations) -> Reason {
        threshold_reason(
            Rule::ModelAge,
            obs.days_since_training,
            self.max_days_since_training,
            |v, l| format!("model is {v:.1} days old (limit {l:.1})"),
        )
    }
}

fn disabled(rule: Rule) -> Reason {
    Reason {
        rule,
        status: RuleStatus::Disabled,
        observed: None,
        limit: None,
        message: "turned off".into(),
    }
}

fn no_data(rule: Rule, field: &str) -> Reason {
    Reason {
        rule,
        status: RuleStatus::NoData,
        observed: None,
        limit: None,
        message: format!("not evaluated: {field} not observed"),
    }
}

/// A rule that fires when `observed >= limit`.
fn threshold_reason(
    rule: Rule,
    observed: Option<f64>,
    limit: Option<f64>,
    message: impl Fn(f64, f64) -> String,
) -> Reason {
    let Some(limit) = limit else {
        return disabled(rule);
    };
    let Some(v) = observed else {
        return no_data(rule, &rule.to_string());
    };
    Reason {
        rule,
        status: if v >= limit {
            RuleStatus::Fired
        } else {
            RuleStatus::Passed
        },
        observed: Some(v),
        limit: Some(limit),
        message: message(v, limit),
    }
}

fn check_observations(obs: &Observations) -> Result<()> {
    let bad = |what: &str, reason: String| {
        Err(Error::InvalidValue {
            what: what.into(),
            row: None,
            reason,
        })
    };
    if let Some(s) = obs.drift_share
        && !(0.0..=1.0).contains(&s)
    {
        return bad("drift_share", format!("must be in [0, 1]; got {s}"));
    }
    for (what, v) in [
        ("latest_metric", obs.latest_metric),
        ("reference_metric", obs.reference_metric),
    ] {
        if let Some(v) = v
            && !v.is_finite()
        {
            return bad(what, format!("must be finite; got {v}"));
        }
    }
    if let Some(d) = obs.days_since_training
        && !(d.is_finite() && d >= 0.0)
    {
        return bad(
            "days_since_training",
            format!("must be finite and >= 0; got {d}"),
        );
    }
    Ok(())
}
