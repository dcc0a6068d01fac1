//! From the by-group table to group min/max, differences and ratios, within each control
//! level, as fairlearn 0.15's `MetricFrame` defines them (undefined values skipped, as pandas
//! skips NaN).

use std::ops::Range;

use crate::value::Value;

/// The aggregates of one metric in one control level.
pub(crate) struct Aggregates {
    pub min: Value,
    pub max: Value,
    pub diff_between: Value,
    pub diff_overall: Value,
    pub ratio_between: Value,
    pub ratio_overall: Value,
}

fn none_defined() -> Value {
    Value::undefined("no group has a defined value")
}

/// Aggregates the values `by_group[g]` of the groups `range` against `overall`.
pub(crate) fn aggregate(values: &[Value], range: Range<usize>, overall: &Value) -> Aggregates {
    let single = range.len() == 1;
    let defined: Vec<f64> = values[range].iter().filter_map(Value::get).collect();
    if defined.is_empty() {
        return Aggregates {
            min: none_defined(),
            max: none_defined(),
            diff_between: none_defined(),
            diff_overall: none_defined(),
            ratio_between: none_defined(),
            ratio_overall: none_defined(),
        };
    }
    let min = defined.iter().copied().fold(f64::INFINITY, f64::min);
    let max = defined.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    // fairlearn: max |v - group_min|, which is exactly max - min (rounding is monotone).
    let diff_between = Value::Defined(max - min);
    let ratio_between = if single {
        Value::Defined(1.0)
    } else {
        ratio_value(min / max, min, max)
    };
    let (diff_overall, ratio_overall) = match overall.get() {
        None => (
            Value::undefined("the overall value is undefined"),
            Value::undefined("the overall value is undefined"),
        ),
        Some(_) if single => (Value::Defined(0.0), Value::Defined(1.0)),
        Some(o) => {
            let diff = defined
                .iter()
                .map(|&v| (v - o).abs())
                .fold(f64::NEG_INFINITY, f64::max);
            // fairlearn's `ratio_sub_one`: a ratio above 1 is inverted; 0/0 (NaN) is skipped.
            let ratio = defined
                .iter()
                .map(|&v| v / o)
                .filter(|r| !r.is_nan())
                .map(|r| if r > 1.0 { 1.0 / r } else { r })
                .fold(f64::NAN, f64::min);
            let ratio = if ratio.is_nan() {
                Value::undefined(format!(
                    "every group's ratio to the overall value {o} is 0/0"
                ))
            } else {
                Value::Defined(ratio)
            };
            (Value::Defined(diff), ratio)
        }
    };
    Aggregates {
        min: Value::Defined(min),
        max: Value::Defined(max),
        diff_between,
        diff_overall,
        ratio_between,
        ratio_overall,
    }
}

fn ratio_value(r: f64, min: f64, max: f64) -> Value {
    if r.is_finite() {
        Value::Defined(r)
    } else {
        Value::undefined(format!("group min / group max = {min} / {max}"))
    }
}
