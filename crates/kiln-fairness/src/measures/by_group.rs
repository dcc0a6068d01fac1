//! Per-group values of one metric, and their spread as a difference or a ratio (fairlearn's
//! `MetricFrame.difference` / `.ratio`), within each control level.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::groups::Groups;
use crate::value::{Undefined, Value};

/// How a difference or ratio compares the groups (fairlearn's `method`); the same type serves
/// [`MetricFrame`](crate::frame::MetricFrame) (as `frame::Method`) and the measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// The largest group value against the smallest: `max − min` and `min / max` (the
    /// default, as in fairlearn).
    #[default]
    BetweenGroups,
    /// Each group against the value over all rows (of its control level): the largest
    /// `|g − overall|`, and the smallest of `g / overall` taken below 1 (`x > 1 → 1/x`).
    ToOverall,
}

/// One group's value of a metric, with the counts it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupValue {
    /// The group's name ([`Groups::name`]), or `"overall"` / the control levels for an
    /// overall entry.
    pub group: String,
    /// The metric's value in the group.
    pub value: Value,
    /// Number of rows.
    pub count: usize,
    /// Total sample weight (the count without weights).
    pub weight: f64,
    /// The rate's (weighted) numerator, for metrics that are rates.
    pub numerator: Option<f64>,
    /// The rate's (weighted) denominator, for metrics that are rates.
    pub denominator: Option<f64>,
}

/// A metric's value in every group and over all rows (per control level).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ByGroup {
    /// The metric's name, e.g. `"selection_rate"`.
    pub metric: String,
    /// One entry per group, in the order of [`Groups`].
    pub groups: Vec<GroupValue>,
    /// The metric over all rows of each control level (one entry, named `"overall"`,
    /// without control columns).
    pub overall: Vec<GroupValue>,
    /// The groups of each control level, as index ranges into `groups`.
    pub control_ranges: Vec<Range<usize>>,
}

/// Whether a disparity is a difference or a ratio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisparityKind {
    /// `max − min` (or the largest distance to overall); 0 is parity.
    Difference,
    /// `min / max` (or the smallest ratio to overall); 1 is parity.
    Ratio,
}

/// A disparity measure's value, with the per-group values it was computed from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Disparity {
    /// The measure's name, e.g. `"demographic_parity_difference"`.
    pub measure: String,
    /// Difference or ratio.
    pub kind: DisparityKind,
    /// How the groups were compared.
    pub method: Method,
    /// The value: the worst over control levels (the largest difference, the smallest ratio);
    /// with no control columns, the one value.
    pub value: Value,
    /// The value within each control level (one entry without control columns).
    pub by_control: Vec<Value>,
    /// The disparity of each underlying metric (one entry; two, TPR then FPR, for equalized
    /// odds), before they were combined.
    pub components: Vec<Value>,
    /// The per-group values of each underlying metric.
    pub by_group: Vec<ByGroup>,
    /// Groups left out because their value is undefined (e.g. a TPR with no positives).
    pub excluded_groups: Vec<String>,
    /// What a reader should know: one group only, excluded groups, undefined control levels.
    pub warnings: Vec<String>,
}

impl ByGroup {
    /// Per-group values from a closure returning each group's `(value, numerator,
    /// denominator)`, and the overall entries from `overall(range)`.
    pub(crate) fn build(
        metric: &str,
        groups: &Groups,
        weights: &[f64],
        mut per_group: impl FnMut(usize) -> (Value, Option<f64>, Option<f64>),
        mut overall: impl FnMut(Range<usize>) -> (Value, Option<f64>, Option<f64>),
    ) -> Self {
        let counts = groups.counts();
        let entries = (0..groups.n_groups())
            .map(|g| {
                let (value, numerator, denominator) = per_group(g);
                GroupValue {
                    group: groups.name(g),
                    value,
                    count: counts[g],
                    weight: weights[g],
                    numerator,
                    denominator,
                }
            })
            .collect();
        let ranges = groups.control_ranges().to_vec();
        let overall = ranges
            .iter()
            .map(|r| {
                let (value, numerator, denominator) = overall(r.clone());
                let name = if groups.control_names().is_empty() {
                    "overall".to_owned()
                } else {
                    groups.control_levels(r.start).join(", ")
                };
                GroupValue {
                    group: name,
                    value,
                    count: counts[r.clone()].iter().sum(),
                    weight: weights[r.clone()].iter().sum(),
                    numerator,
                    denominator,
                }
            })
            .collect();
        Self {
            metric: metric.to_owned(),
            groups: entries,
            overall,
            control_ranges: ranges,
        }
    }

    /// The difference of the groups' values (fairlearn's `MetricFrame.difference`).
    pub fn difference(&self, method: Method) -> Disparity {
        self.disparity(
            &format!("{}_difference", self.metric),
            DisparityKind::Difference,
            method,
        )
    }

    /// The ratio of the groups' values (fairlearn's `MetricFrame.ratio`).
    pub fn ratio(&self, method: Method) -> Disparity {
        self.disparity(
            &format!("{}_ratio", self.metric),
            DisparityKind::Ratio,
            method,
        )
    }

    /// The smallest and largest defined group values (fairlearn's `group_min` / `group_max`
    /// over all groups), `None` when no group value is defined.
    pub fn min_max(&self) -> Option<(f64, f64)> {
        let mut values = self.groups.iter().filter_map(|g| g.value.get());
        let first = values.next()?;
        Some(values.fold((first, first), |(lo, hi), v| (lo.min(v), hi.max(v))))
    }

    pub(crate) fn disparity(
        &self,
        measure: &str,
        kind: DisparityKind,
        method: Method,
    ) -> Disparity {
        let mut warnings = Vec::new();
        let by_control: Vec<Value> = self
            .control_ranges
            .iter()
            .zip(&self.overall)
            .map(|(r, o)| self.within(r.clone(), o, kind, method, &mut warnings))
            .collect();
        let value = worst(&by_control, kind, &self.overall, &mut warnings);
        Disparity {
            measure: measure.to_owned(),
            kind,
            method,
            value: value.clone(),
            by_control,
            components: vec![value],
            by_group: vec![self.clone()],
            excluded_groups: self.excluded(),
            warnings,
        }
    }

    fn excluded(&self) -> Vec<String> {
        self.groups
            .iter()
            .filter(|g| !g.value.is_defined())
            .map(|g| g.group.clone())
            .collect()
    }

    /// The disparity among the groups of one control level.
    fn within(
        &self,
        range: Range<usize>,
        overall: &GroupValue,
        kind: DisparityKind,
        method: Method,
        warnings: &mut Vec<String>,
    ) -> Value {
        let groups = &self.groups[range];
        let defined: Vec<f64> = groups.iter().filter_map(|g| g.value.get()).collect();
        let scope = if self.overall.len() > 1 {
            format!(" within control level `{}`", overall.group)
        } else {
            String::new()
        };
        if groups.len() == 1 {
            warnings.push(format!(
                "only one group (`{}`){scope}: there is nothing to compare it with, so the {} \
                 is {} by definition",
                groups[0].group,
                kind_word(kind),
                if kind == DisparityKind::Difference {
                    "0"
                } else {
                    "1"
                }
            ));
            return match (&groups[0].value, kind) {
                (Value::Undefined(u), _) => Value::Undefined(u.clone()),
                (Value::Defined(_), DisparityKind::Difference) => Value::Defined(0.0),
                (Value::Defined(_), DisparityKind::Ratio) => Value::Defined(1.0),
            };
        }
        for g in groups.iter().filter(|g| !g.value.is_defined()) {
            warnings.push(format!(
                "{} of group `{}` is {}; the group takes no part in the {}",
                self.metric,
                g.group,
                g.value,
                kind_word(kind)
            ));
        }
        if defined.len() < 2 {
            return Value::undefined(format!(
                "{} of {} groups{scope} have a defined {}; at least 2 are needed",
                defined.len(),
                groups.len(),
                self.metric
            ));
        }
        let (lo, hi) = defined
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        match (method, kind) {
            (Method::BetweenGroups, DisparityKind::Difference) => Value::Defined(hi - lo),
            (Method::BetweenGroups, DisparityKind::Ratio) => {
                if hi == 0.0 {
                    Value::Undefined(Undefined {
                        numerator: lo,
                        denominator: hi,
                        reason: format!("the largest group {} is 0", self.metric),
                    })
                } else {
                    Value::Defined(lo / hi)
                }
            }
            (Method::ToOverall, _) => {
                let Some(o) = overall.value.get() else {
                    return Value::undefined(format!(
                        "the overall {}{scope} is undefined",
                        self.metric
                    ));
                };
                to_overall(&defined, o, kind, &self.metric)
            }
        }
    }
}

fn to_overall(defined: &[f64], o: f64, kind: DisparityKind, metric: &str) -> Value {
    match kind {
        DisparityKind::Difference => Value::Defined(
            defined
                .iter()
                .fold(0.0_f64, |acc, &v| acc.max((v - o).abs())),
        ),
        DisparityKind::Ratio => {
            // As fairlearn: g / o, taken below 1; 0/0 takes no part (pandas skips NaN).
            let ratios = defined.iter().filter_map(|&v| {
                let r = v / o;
                if r.is_nan() {
                    None
                } else if r > 1.0 {
                    Some(1.0 / r)
                } else {
                    Some(r)
                }
            });
            match ratios.reduce(f64::min) {
                Some(r) => Value::Defined(r),
                None => Value::Undefined(Undefined {
                    numerator: 0.0,
                    denominator: o,
                    reason: format!("every group {metric} and the overall {metric} are 0"),
                }),
            }
        }
    }
}

fn kind_word(kind: DisparityKind) -> &'static str {
    match kind {
        DisparityKind::Difference => "difference",
        DisparityKind::Ratio => "ratio",
    }
}

/// The worst defined value over control levels: the largest difference, the smallest ratio.
pub(crate) fn worst(
    by_control: &[Value],
    kind: DisparityKind,
    overall: &[GroupValue],
    warnings: &mut Vec<String>,
) -> Value {
    if by_control.len() == 1 {
        return by_control[0].clone();
    }
    for (v, o) in by_control.iter().zip(overall) {
        if !v.is_defined() {
            warnings.push(format!(
                "the {} within control level `{}` is {v}; it takes no part in the worst case",
                kind_word(kind),
                o.group
            ));
        }
    }
    let defined = by_control.iter().filter_map(Value::get);
    let best = match kind {
        DisparityKind::Difference => defined.reduce(f64::max),
        DisparityKind::Ratio => defined.reduce(f64::min),
    };
    match best {
        Some(v) => Value::Defined(v),
        None => Value::undefined(format!(
            "the {} is undefined in every control level",
            kind_word(kind)
        )),
    }
}
