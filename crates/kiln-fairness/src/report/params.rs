//! The report's parameters: thresholds, minimum group size, and how measures are computed.

use kiln_core::Result;
use kiln_core::check::check_param;
use serde::{Deserialize, Serialize};

use super::intervals::ReportBootstrap;
use crate::measures::{GroupSelector, Method};
use crate::value::{Value, ZeroDivision};

/// The bar each measure must clear to pass.
///
/// # Parameters
/// - `max_difference`: largest allowed difference of rates between groups (demographic
///   parity, equalized odds, equal opportunity, TPR/FPR/TNR/FNR/PPV/NPV/error-rate parity) and
///   largest allowed absolute value of AIF360's signed differences. Default `0.1`.
/// - `min_ratio`: smallest allowed ratio between groups, and of AIF360's disparate impact.
///   Default `0.8`, the four-fifths rule.
/// - `two_sided_disparate_impact`: also fail a disparate impact above `1 / min_ratio`
///   (1.25 by default), i.e. the privileged group selected at below four fifths of the
///   unprivileged rate. Default `false` (the rule as written is one-sided).
/// - `max_score_difference`: largest allowed difference between groups of AUC, mean score and
///   expected calibration error. Default `0.1`.
/// - `max_entropy_index`: largest allowed generalized entropy and Theil index; default `None`
///   (reported, not judged: there is no agreed bar).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// Largest allowed rate difference. Default `0.1`.
    pub max_difference: f64,
    /// Smallest allowed ratio. Default `0.8`.
    pub min_ratio: f64,
    /// Judge disparate impact on both sides. Default `false`.
    pub two_sided_disparate_impact: bool,
    /// Largest allowed score-measure difference. Default `0.1`.
    pub max_score_difference: f64,
    /// Largest allowed entropy index. Default `None` (not judged).
    pub max_entropy_index: Option<f64>,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            max_difference: 0.1,
            min_ratio: 0.8,
            two_sided_disparate_impact: false,
            max_score_difference: 0.1,
            max_entropy_index: None,
        }
    }
}

impl Thresholds {
    /// Sets `max_difference` (default `0.1`).
    pub fn with_max_difference(mut self, v: f64) -> Self {
        self.max_difference = v;
        self
    }

    /// Sets `min_ratio` (default `0.8`).
    pub fn with_min_ratio(mut self, v: f64) -> Self {
        self.min_ratio = v;
        self
    }

    /// Sets `two_sided_disparate_impact` (default `false`).
    pub fn with_two_sided_disparate_impact(mut self, v: bool) -> Self {
        self.two_sided_disparate_impact = v;
        self
    }

    /// Sets `max_score_difference` (default `0.1`).
    pub fn with_max_score_difference(mut self, v: f64) -> Self {
        self.max_score_difference = v;
        self
    }

    /// Sets `max_entropy_index` (default `None`).
    pub fn with_max_entropy_index(mut self, v: Option<f64>) -> Self {
        self.max_entropy_index = v;
        self
    }
}

/// The parameters of a [`FairnessReport`](super::FairnessReport).
///
/// # Parameters
/// - `thresholds`: see [`Thresholds`]; default `Thresholds::default()`.
/// - `min_group_size`: groups with fewer rows are flagged "too small to judge"; default `30`
///   (a rate from fewer rows has a standard error above ~0.09, comparable to the difference
///   threshold itself).
/// - `zero_division`: what a rate with a zero denominator becomes; default
///   [`ZeroDivision::Undefined`].
/// - `method`: how groups are compared; default [`Method::BetweenGroups`].
/// - `privileged`, `unprivileged`: AIF360's groups; default `None` (AIF360's measures are
///   left out). `unprivileged = None` takes every row not privileged.
/// - `n_bins`: uniform bins of the calibration curves and ECE; default `10`.
/// - `alpha`: of the generalized entropy index; default `2.0` (AIF360's default).
/// - `bootstrap`: seeded bootstrap intervals of every group's rates and of the measures
///   built on one rate ([`ReportIntervals`](super::ReportIntervals)); default `None`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportParams {
    /// Thresholds. Default [`Thresholds::default`].
    pub thresholds: Thresholds,
    /// Minimum group size to judge. Default `30`.
    pub min_group_size: usize,
    /// Zero-denominator policy. Default [`ZeroDivision::Undefined`].
    pub zero_division: ZeroDivision,
    /// Group comparison. Default [`Method::BetweenGroups`].
    pub method: Method,
    /// AIF360's privileged group. Default `None`.
    pub privileged: Option<GroupSelector>,
    /// AIF360's unprivileged group. Default `None` (the complement of `privileged`).
    pub unprivileged: Option<GroupSelector>,
    /// Calibration bins. Default `10`.
    pub n_bins: usize,
    /// Generalized entropy index `alpha`. Default `2.0`.
    pub alpha: f64,
    /// Bootstrap intervals. Default `None` (no intervals).
    #[serde(default)]
    pub bootstrap: Option<ReportBootstrap>,
}

impl Default for ReportParams {
    fn default() -> Self {
        Self {
            thresholds: Thresholds::default(),
            min_group_size: 30,
            zero_division: ZeroDivision::Undefined,
            method: Method::BetweenGroups,
            privileged: None,
            unprivileged: None,
            n_bins: 10,
            alpha: 2.0,
            bootstrap: None,
        }
    }
}

impl ReportParams {
    /// Sets `thresholds` (default [`Thresholds::default`]).
    pub fn with_thresholds(mut self, t: Thresholds) -> Self {
        self.thresholds = t;
        self
    }

    /// Sets `min_group_size` (default `30`).
    pub fn with_min_group_size(mut self, n: usize) -> Self {
        self.min_group_size = n;
        self
    }

    /// Sets `zero_division` (default [`ZeroDivision::Undefined`]).
    pub fn with_zero_division(mut self, zd: ZeroDivision) -> Self {
        self.zero_division = zd;
        self
    }

    /// Sets `method` (default [`Method::BetweenGroups`]).
    pub fn with_method(mut self, m: Method) -> Self {
        self.method = m;
        self
    }

    /// Sets `privileged` (default `None`).
    pub fn with_privileged(mut self, s: GroupSelector) -> Self {
        self.privileged = Some(s);
        self
    }

    /// Sets `bootstrap` (default `None`): the report gets seeded bootstrap intervals.
    pub fn with_bootstrap(mut self, b: ReportBootstrap) -> Self {
        self.bootstrap = Some(b);
        self
    }

    /// Sets `unprivileged` (default `None`: every row not privileged).
    pub fn with_unprivileged(mut self, s: GroupSelector) -> Self {
        self.unprivileged = Some(s);
        self
    }

    /// Sets `n_bins` (default `10`).
    pub fn with_n_bins(mut self, n: usize) -> Self {
        self.n_bins = n;
        self
    }

    /// Sets `alpha` (default `2.0`).
    pub fn with_alpha(mut self, a: f64) -> Self {
        self.alpha = a;
        self
    }

    /// Checks every parameter.
    ///
    /// # Errors
    /// [`kiln_core::Error::InvalidParameter`] naming the parameter.
    pub fn validate(&self) -> Result<()> {
        let t = &self.thresholds;
        let est = "FairnessReport";
        check_param(
            est,
            "max_difference",
            t.max_difference,
            t.max_difference.is_finite() && t.max_difference >= 0.0,
            "a float in the range [0, inf)",
        )?;
        check_param(
            est,
            "min_ratio",
            t.min_ratio,
            t.min_ratio > 0.0 && t.min_ratio <= 1.0,
            "a float in the range (0, 1]",
        )?;
        check_param(
            est,
            "max_score_difference",
            t.max_score_difference,
            t.max_score_difference.is_finite() && t.max_score_difference >= 0.0,
            "a float in the range [0, inf)",
        )?;
        if let Some(m) = t.max_entropy_index {
            check_param(
                est,
                "max_entropy_index",
                m,
                m.is_finite() && m >= 0.0,
                "None or a float in the range [0, inf)",
            )?;
        }
        check_param(
            est,
            "n_bins",
            self.n_bins,
            self.n_bins >= 1,
            "an int in the range [1, inf)",
        )?;
        check_param(
            est,
            "alpha",
            self.alpha,
            self.alpha.is_finite(),
            "a finite float",
        )?;
        match &self.bootstrap {
            Some(b) => b.validate(),
            None => Ok(()),
        }
    }
}

/// The bar a measure is judged against.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Threshold {
    /// Passes when `value <= bound`.
    AtMost(f64),
    /// Passes when `value >= bound`.
    AtLeast(f64),
    /// Passes when `|value| <= bound` (signed differences).
    AbsAtMost(f64),
    /// Passes when `low <= value <= high` (two-sided disparate impact).
    Between(f64, f64),
}

impl Threshold {
    /// The verdict of `value` against this bar.
    pub fn judge(&self, value: &Value) -> Verdict {
        let Some(v) = value.get() else {
            return Verdict::Undefined;
        };
        let ok = match *self {
            Threshold::AtMost(b) => v <= b,
            Threshold::AtLeast(b) => v >= b,
            Threshold::AbsAtMost(b) => v.abs() <= b,
            Threshold::Between(lo, hi) => lo <= v && v <= hi,
        };
        if ok { Verdict::Pass } else { Verdict::Fail }
    }
}

impl std::fmt::Display for Threshold {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Threshold::AtMost(b) => write!(f, "<= {b}"),
            Threshold::AtLeast(b) => write!(f, ">= {b}"),
            Threshold::AbsAtMost(b) => write!(f, "|x| <= {b}"),
            Threshold::Between(lo, hi) => write!(f, "in [{lo}, {hi}]"),
        }
    }
}

/// A measure's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The value clears its threshold.
    Pass,
    /// The value misses its threshold.
    Fail,
    /// The value is undefined (e.g. a TPR ratio where no group has a positive label).
    Undefined,
    /// No threshold is set for this measure (reported only).
    NotJudged,
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "FAIL",
            Verdict::Undefined => "undefined",
            Verdict::NotJudged => "not judged",
        })
    }
}
