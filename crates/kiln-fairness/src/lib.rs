//! Fairness for kiln: does a model treat groups of people differently, by how much, how sure
//! are we, and what can be done about it. Every measure equals fairlearn 0.15's or AIF360
//! 0.6.1's on the same predictions (to 1e-12, checked on german_credit), and is clearer where
//! they silently mislead: a rate with a zero denominator is [`value::Value::Undefined`] with
//! its counts, not 0, unless the fairlearn-compatible [`value::ZeroDivision::Zero`] is asked
//! for.
//!
//! | module | what | peer |
//! |---|---|---|
//! | [`groups`] | sensitive and control columns → intersectional groups | fairlearn's `sensitive_features`, `control_features` |
//! | [`frame`] | any metric overall, by group, min/max, difference and ratio, with bootstrap intervals | fairlearn's `MetricFrame` |
//! | [`measures`] | demographic parity, equalized odds, equal opportunity, rate parities, AIF360's signed measures and four-fifths rule, entropy indices, calibration and AUC by group | fairlearn, AIF360 |
//! | [`report`] | every measure at once with thresholds, verdicts, small-group warnings; text and JSON | |
//! | [`mitigate`] | reweighing, correlation remover, threshold optimizer, exponentiated gradient, each with its accuracy–fairness trade-off | AIF360, fairlearn |
//!
//! Labels are binary class indices with 1 the positive, favourable outcome (an approved
//! loan); sample weights are accepted everywhere fairlearn or AIF360 take them.
//!
//! # Example
//!
//! ```
//! use kiln_fairness::groups::{Groups, SensitiveColumn};
//! use kiln_fairness::report::{FairnessReport, ReportParams};
//! use ndarray::array;
//!
//! // Loan decisions for two groups: group "b" is approved far less often.
//! let sex = SensitiveColumn::from_strings("sex", ["a", "a", "a", "a", "b", "b", "b", "b"])?;
//! let groups = Groups::new(&[sex], &[])?;
//! let y_true = array![1, 0, 1, 1, 1, 0, 1, 0];
//! let y_pred = array![1, 1, 1, 1, 0, 0, 1, 0];
//! let report = FairnessReport::new(
//!     y_true.view(), y_pred.view(), None, &groups, &ReportParams::default(), None,
//! )?;
//! let dp = report.measure("demographic_parity_difference").ok_or("measured")?;
//! assert_eq!(dp.value.get(), Some(1.0 - 0.25)); // selection rates 1.0 and 0.25
//! assert!(report.failures().any(|m| m.name == "demographic_parity_difference"));
//! println!("{report}"); // a table with a verdict per measure and the small-group warnings
//! let json = report.to_json()?;
//! assert!(json.contains("kiln_fairness.report/1"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// This crate needs no unsafe: forbid it (stronger than the workspace's deny, which a module
// could override). Crates that use ndarray's `s!` keep deny: that macro expands to
// `#[allow(unsafe_code)]`, which forbid rejects.
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod confusion;
pub mod frame;
pub mod groups;
pub mod measures;
pub mod mitigate;
pub mod report;
pub mod value;
