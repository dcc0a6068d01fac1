//! Rates of the confusion counts by group, their parity, and fairlearn's named measures.

use kiln_core::Result;
use ndarray::ArrayView1;
use serde::{Deserialize, Serialize};

use super::by_group::{ByGroup, Disparity, DisparityKind, Method, worst};
use crate::confusion::{Confusion, GroupConfusion};
use crate::groups::Groups;
use crate::value::{Value, ZeroDivision, rate};

/// A rate of the confusion counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rate {
    /// Share predicted positive, `(TP + FP) / n` (demographic parity).
    SelectionRate,
    /// True-positive rate `TP / (TP + FN)` (equal opportunity).
    Tpr,
    /// False-positive rate `FP / (FP + TN)`.
    Fpr,
    /// True-negative rate `TN / (FP + TN)`.
    Tnr,
    /// False-negative rate `FN / (TP + FN)`.
    Fnr,
    /// Positive predictive value `TP / (TP + FP)` (predictive parity).
    Ppv,
    /// Negative predictive value `TN / (TN + FN)`.
    Npv,
    /// Error rate `(FP + FN) / n` (error-rate parity).
    ErrorRate,
    /// Accuracy `(TP + TN) / n`.
    Accuracy,
}

impl Rate {
    /// Every rate, in the order of this enum.
    pub const ALL: [Rate; 9] = [
        Rate::SelectionRate,
        Rate::Tpr,
        Rate::Fpr,
        Rate::Tnr,
        Rate::Fnr,
        Rate::Ppv,
        Rate::Npv,
        Rate::ErrorRate,
        Rate::Accuracy,
    ];

    /// The rate's name, e.g. `"selection_rate"`, `"tpr"`.
    pub fn name(self) -> &'static str {
        match self {
            Rate::SelectionRate => "selection_rate",
            Rate::Tpr => "tpr",
            Rate::Fpr => "fpr",
            Rate::Tnr => "tnr",
            Rate::Fnr => "fnr",
            Rate::Ppv => "ppv",
            Rate::Npv => "npv",
            Rate::ErrorRate => "error_rate",
            Rate::Accuracy => "accuracy",
        }
    }

    /// The rate's weighted numerator and denominator in `c`.
    pub fn parts(self, c: &Confusion) -> (f64, f64) {
        match self {
            Rate::SelectionRate => (c.predicted_positives(), c.total()),
            Rate::Tpr => (c.tp, c.positives()),
            Rate::Fpr => (c.fp, c.negatives()),
            Rate::Tnr => (c.tn, c.negatives()),
            Rate::Fnr => (c.fn_, c.positives()),
            Rate::Ppv => (c.tp, c.predicted_positives()),
            Rate::Npv => (c.tn, c.predicted_negatives()),
            Rate::ErrorRate => (c.fp + c.fn_, c.total()),
            Rate::Accuracy => (c.tp + c.tn, c.total()),
        }
    }

    /// The rate in `c`, a zero denominator handled by `zd`.
    pub fn value(self, c: &Confusion, zd: ZeroDivision) -> Value {
        let (num, den) = self.parts(c);
        rate(num, den, zd)
    }
}

/// How equalized odds combines the TPR and FPR disparities (fairlearn's `agg`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregate {
    /// The larger difference (the smaller ratio) of the two (the default, fairlearn's
    /// `"worst_case"`).
    #[default]
    WorstCase,
    /// Their mean (fairlearn's `"mean"`).
    Mean,
}

/// Options of the named disparity measures.
///
/// # Parameters
/// - `method`: [`Method::BetweenGroups`] (default) or [`Method::ToOverall`].
/// - `agg`: how equalized odds combines TPR and FPR; [`Aggregate::WorstCase`] (default).
/// - `zero_division`: what a rate with a zero denominator becomes;
///   [`ZeroDivision::Undefined`] (default). Use [`ZeroDivision::Zero`] to reproduce
///   fairlearn's numbers (it reports 0 for, e.g., the TPR of a group with no positives).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DisparityOptions {
    /// How groups are compared. Default [`Method::BetweenGroups`].
    pub method: Method,
    /// How equalized odds combines its two rates. Default [`Aggregate::WorstCase`].
    pub agg: Aggregate,
    /// Zero-denominator policy. Default [`ZeroDivision::Undefined`].
    pub zero_division: ZeroDivision,
}

impl DisparityOptions {
    /// Sets `method` (default [`Method::BetweenGroups`]).
    pub fn with_method(mut self, method: Method) -> Self {
        self.method = method;
        self
    }

    /// Sets `agg` (default [`Aggregate::WorstCase`]).
    pub fn with_agg(mut self, agg: Aggregate) -> Self {
        self.agg = agg;
        self
    }

    /// Sets `zero_division` (default [`ZeroDivision::Undefined`]).
    pub fn with_zero_division(mut self, zero_division: ZeroDivision) -> Self {
        self.zero_division = zero_division;
        self
    }
}

/// Confusion counts by group, ready to give any rate's per-group values and disparities.
///
/// Built once, it serves every count-based measure (the report uses one for all of them).
#[derive(Debug, Clone, PartialEq)]
pub struct ConfusionParity<'g> {
    confusion: GroupConfusion,
    groups: &'g Groups,
    weights: Vec<f64>,
    zero_division: ZeroDivision,
}

impl<'g> ConfusionParity<'g> {
    /// Counts `y_true` against `y_pred` (0/1, 1 = favourable) in each group.
    ///
    /// # Errors
    /// As [`GroupConfusion::new`]: lengths that differ, labels other than 0 or 1, bad weights.
    pub fn new(
        y_true: ArrayView1<'_, usize>,
        y_pred: ArrayView1<'_, usize>,
        groups: &'g Groups,
        sample_weight: Option<ArrayView1<'_, f64>>,
        zero_division: ZeroDivision,
    ) -> Result<Self> {
        let confusion = GroupConfusion::new(y_true, y_pred, groups, sample_weight)?;
        Ok(Self::from_confusion(confusion, groups, zero_division))
    }

    /// From counts already made.
    pub fn from_confusion(
        confusion: GroupConfusion,
        groups: &'g Groups,
        zero_division: ZeroDivision,
    ) -> Self {
        let weights = confusion.groups().iter().map(Confusion::total).collect();
        Self {
            confusion,
            groups,
            weights,
            zero_division,
        }
    }

    /// The counts.
    pub fn confusion(&self) -> &GroupConfusion {
        &self.confusion
    }

    /// The groups.
    pub fn groups(&self) -> &'g Groups {
        self.groups
    }

    /// The zero-division policy in use.
    pub fn zero_division(&self) -> ZeroDivision {
        self.zero_division
    }

    /// `rate` in every group, and over all rows of each control level.
    pub fn by_group(&self, r: Rate) -> ByGroup {
        let zd = self.zero_division;
        let per = self.confusion.groups();
        let single_range = self.groups.control_ranges().len() == 1;
        let overall_all = *self.confusion.overall();
        ByGroup::build(
            r.name(),
            self.groups,
            &self.weights,
            |g| {
                let (num, den) = r.parts(&per[g]);
                (rate(num, den, zd), Some(num), Some(den))
            },
            |range| {
                let c = if single_range {
                    overall_all
                } else {
                    let mut c = Confusion::default();
                    for g in &per[range] {
                        c.merge(g);
                    }
                    c
                };
                let (num, den) = r.parts(&c);
                (rate(num, den, zd), Some(num), Some(den))
            },
        )
    }

    /// The difference of `r` between groups (or to overall).
    pub fn difference(&self, r: Rate, method: Method) -> Disparity {
        self.by_group(r).difference(method)
    }

    /// The ratio of `r` between groups (or to overall).
    pub fn ratio(&self, r: Rate, method: Method) -> Disparity {
        self.by_group(r).ratio(method)
    }

    /// Named difference or ratio of one rate.
    pub fn named(&self, measure: &str, r: Rate, kind: DisparityKind, method: Method) -> Disparity {
        self.by_group(r).disparity(measure, kind, method)
    }

    /// Equalized odds: the TPR and FPR disparities combined by `agg`, within each control
    /// level, then the worst over control levels.
    pub fn equalized_odds(&self, kind: DisparityKind, method: Method, agg: Aggregate) -> Disparity {
        let tpr_by = self.by_group(Rate::Tpr);
        let fpr_by = self.by_group(Rate::Fpr);
        let tpr = tpr_by.disparity("tpr", kind, method);
        let fpr = fpr_by.disparity("fpr", kind, method);
        let by_control: Vec<Value> = tpr
            .by_control
            .iter()
            .zip(&fpr.by_control)
            .map(|(t, f)| combine(t, f, kind, agg))
            .collect();
        let mut warnings = tpr.warnings.clone();
        warnings.extend(fpr.warnings.iter().cloned());
        let value = worst(&by_control, kind, &tpr_by.overall, &mut warnings);
        let mut excluded = tpr.excluded_groups.clone();
        for g in &fpr.excluded_groups {
            if !excluded.contains(g) {
                excluded.push(g.clone());
            }
        }
        let name = match kind {
            DisparityKind::Difference => "equalized_odds_difference",
            DisparityKind::Ratio => "equalized_odds_ratio",
        };
        Disparity {
            measure: name.to_owned(),
            kind,
            method,
            value,
            by_control,
            components: vec![tpr.value, fpr.value],
            by_group: vec![tpr_by, fpr_by],
            excluded_groups: excluded,
            warnings,
        }
    }
}

/// Combines the TPR and FPR disparities of one control level.
fn combine(t: &Value, f: &Value, kind: DisparityKind, agg: Aggregate) -> Value {
    match (t, f) {
        (Value::Defined(t), Value::Defined(f)) => Value::Defined(match (agg, kind) {
            (Aggregate::Mean, _) => (t + f) / 2.0,
            (Aggregate::WorstCase, DisparityKind::Difference) => t.max(*f),
            (Aggregate::WorstCase, DisparityKind::Ratio) => t.min(*f),
        }),
        (Value::Undefined(_), _) => Value::undefined(format!("the TPR disparity is {t}")),
        (_, Value::Undefined(_)) => Value::undefined(format!("the FPR disparity is {f}")),
    }
}

fn parity<'g>(
    y_true: ArrayView1<'_, usize>,
    y_pred: ArrayView1<'_, usize>,
    groups: &'g Groups,
    options: &DisparityOptions,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<ConfusionParity<'g>> {
    ConfusionParity::new(y_true, y_pred, groups, sample_weight, options.zero_division)
}

macro_rules! named_rate_measure {
    ($(#[$doc:meta])* $fn:ident, $rate:expr, $kind:expr) => {
        $(#[$doc])*
        ///
        /// # Errors
        /// Lengths that differ from the groups' rows, labels other than 0 or 1, bad weights
        /// (as [`GroupConfusion::new`]).
        pub fn $fn(
            y_true: ArrayView1<'_, usize>,
            y_pred: ArrayView1<'_, usize>,
            groups: &Groups,
            options: &DisparityOptions,
            sample_weight: Option<ArrayView1<'_, f64>>,
        ) -> Result<Disparity> {
            let p = parity(y_true, y_pred, groups, options, sample_weight)?;
            Ok(p.named(stringify!($fn), $rate, $kind, options.method))
        }
    };
}

named_rate_measure!(
    /// fairlearn's `demographic_parity_difference`: the spread of the selection rates,
    /// `max − min` over groups (or the largest distance to the overall rate).
    demographic_parity_difference,
    Rate::SelectionRate,
    DisparityKind::Difference
);
named_rate_measure!(
    /// fairlearn's `demographic_parity_ratio`: `min / max` of the selection rates (or the
    /// smallest ratio to the overall rate, taken below 1).
    demographic_parity_ratio,
    Rate::SelectionRate,
    DisparityKind::Ratio
);
named_rate_measure!(
    /// fairlearn's `equal_opportunity_difference`: the spread of the true-positive rates.
    equal_opportunity_difference,
    Rate::Tpr,
    DisparityKind::Difference
);
named_rate_measure!(
    /// fairlearn's `equal_opportunity_ratio`: the ratio of the true-positive rates.
    equal_opportunity_ratio,
    Rate::Tpr,
    DisparityKind::Ratio
);

/// fairlearn's `equalized_odds_difference`: the TPR and FPR differences, combined by
/// `options.agg` (the larger of the two, or their mean).
///
/// # Errors
/// As [`demographic_parity_difference`].
pub fn equalized_odds_difference(
    y_true: ArrayView1<'_, usize>,
    y_pred: ArrayView1<'_, usize>,
    groups: &Groups,
    options: &DisparityOptions,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<Disparity> {
    let p = parity(y_true, y_pred, groups, options, sample_weight)?;
    Ok(p.equalized_odds(DisparityKind::Difference, options.method, options.agg))
}

/// fairlearn's `equalized_odds_ratio`: the TPR and FPR ratios, combined by `options.agg`
/// (the smaller of the two, or their mean).
///
/// # Errors
/// As [`demographic_parity_difference`].
pub fn equalized_odds_ratio(
    y_true: ArrayView1<'_, usize>,
    y_pred: ArrayView1<'_, usize>,
    groups: &Groups,
    options: &DisparityOptions,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<Disparity> {
    let p = parity(y_true, y_pred, groups, options, sample_weight)?;
    Ok(p.equalized_odds(DisparityKind::Ratio, options.method, options.agg))
}

/// The parity of one rate: its per-group values, difference and ratio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateParity {
    /// The rate.
    pub rate: Rate,
    /// Its difference between groups (or to overall).
    pub difference: Disparity,
    /// Its ratio between groups (or to overall).
    pub ratio: Disparity,
}

/// The parity of `rate` (TPR, FPR, TNR, FNR parity; predictive parity with PPV / NPV;
/// error-rate parity): per-group values, difference and ratio.
///
/// # Errors
/// As [`demographic_parity_difference`].
pub fn rate_parity(
    rate: Rate,
    y_true: ArrayView1<'_, usize>,
    y_pred: ArrayView1<'_, usize>,
    groups: &Groups,
    options: &DisparityOptions,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<RateParity> {
    let p = parity(y_true, y_pred, groups, options, sample_weight)?;
    let by = p.by_group(rate);
    Ok(RateParity {
        rate,
        difference: by.difference(options.method),
        ratio: by.ratio(options.method),
    })
}
