//! Values that may be undefined: a rate whose denominator is zero is reported as undefined,
//! with its counts, rather than as 0 or NaN.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A measured value, or the reason it is undefined.
///
/// ```
/// use kiln_fairness::value::{Value, ZeroDivision, rate};
///
/// // A group with no positive labels has no true-positive rate...
/// let tpr = rate(0.0, 0.0, ZeroDivision::Undefined);
/// assert!(!tpr.is_defined());
/// assert_eq!(tpr.to_string(), "undefined (0/0)");
/// // ...unless fairlearn's convention (0/0 -> 0) is asked for.
/// assert_eq!(rate(0.0, 0.0, ZeroDivision::Zero), Value::Defined(0.0));
/// assert_eq!(rate(3.0, 4.0, ZeroDivision::Undefined).get(), Some(0.75));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Value {
    /// A finite value.
    Defined(f64),
    /// No value: a zero denominator, an empty group, or a metric that is undefined there.
    Undefined(Undefined),
}

/// Why a [`Value`] is undefined.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Undefined {
    /// The numerator of the rate, when the value is a rate (else 0).
    pub numerator: f64,
    /// The denominator of the rate, when the value is a rate (else 0).
    pub denominator: f64,
    /// What was undefined, in words (empty for a plain 0/0 rate).
    pub reason: String,
}

impl Value {
    /// An undefined value with a reason and no counts.
    pub fn undefined(reason: impl Into<String>) -> Self {
        Value::Undefined(Undefined {
            numerator: 0.0,
            denominator: 0.0,
            reason: reason.into(),
        })
    }

    /// The value, if defined.
    pub fn get(&self) -> Option<f64> {
        match self {
            Value::Defined(v) => Some(*v),
            Value::Undefined(_) => None,
        }
    }

    /// The value, or NaN when undefined (for arithmetic and plotting).
    pub fn or_nan(&self) -> f64 {
        self.get().unwrap_or(f64::NAN)
    }

    /// Whether the value is defined.
    pub fn is_defined(&self) -> bool {
        matches!(self, Value::Defined(_))
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Defined(v) => match f.precision() {
                Some(p) => write!(f, "{v:.p$}"),
                None => write!(f, "{v}"),
            },
            Value::Undefined(u) if u.reason.is_empty() => {
                write!(f, "undefined ({}/{})", u.numerator, u.denominator)
            }
            Value::Undefined(u) => write!(f, "undefined ({})", u.reason),
        }
    }
}

/// What a rate with a zero denominator becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ZeroDivision {
    /// [`Value::Undefined`] with the counts (the default: a group with no positives has no
    /// true-positive rate, and saying 0 would misstate it).
    #[default]
    Undefined,
    /// 0, as fairlearn (through scikit-learn's `zero_division="warn"`) reports it; use it to
    /// reproduce fairlearn's numbers exactly.
    Zero,
    /// 1.
    One,
}

/// `numerator / denominator`, with a zero denominator handled by `zero_division`.
pub fn rate(numerator: f64, denominator: f64, zero_division: ZeroDivision) -> Value {
    if denominator != 0.0 {
        return Value::Defined(numerator / denominator);
    }
    match zero_division {
        ZeroDivision::Undefined => Value::Undefined(Undefined {
            numerator,
            denominator,
            reason: String::new(),
        }),
        ZeroDivision::Zero => Value::Defined(0.0),
        ZeroDivision::One => Value::Defined(1.0),
    }
}
