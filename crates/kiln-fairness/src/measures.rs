//! Named fairness measures: how differently a classifier treats groups, as one number with
//! the per-group values and counts it came from.
//!
//! | measure | what | reference |
//! |---|---|---|
//! | [`demographic_parity_difference`], [`demographic_parity_ratio`] | selection rates | fairlearn 0.15 |
//! | [`equalized_odds_difference`], [`equalized_odds_ratio`] | TPR and FPR, worst case or mean ([`Aggregate`]) | fairlearn 0.15 |
//! | [`equal_opportunity_difference`], [`equal_opportunity_ratio`] | TPR | fairlearn 0.15 |
//! | [`rate_parity`] with a [`Rate`] | TPR, FPR, TNR, FNR, PPV, NPV, error-rate parity | fairlearn `MetricFrame` |
//! | [`PrivilegedMeasures`] | signed SPD, disparate impact, average odds, equal opportunity; four-fifths rule | AIF360 0.6.1 |
//! | [`generalized_entropy_index`], [`theil_index`] | inequality of the benefit `ŷ − y + 1` | AIF360 0.6.1 |
//! | [`auc_by_group`], [`mean_score_by_group`], [`calibration_by_group`] | scores | scikit-learn 1.9 per group |
//!
//! # Undefined is a value
//!
//! A rate with a zero denominator (the TPR of a group with no positive label) is a
//! [`Value::Undefined`](crate::value::Value) carrying its counts, never a silent 0, unless
//! [`ZeroDivision::Zero`](crate::value::ZeroDivision) is chosen (fairlearn's convention, to
//! reproduce its numbers exactly). A group whose value is undefined takes no part in a
//! difference or ratio and is listed in [`Disparity::excluded_groups`] with a warning; with
//! fewer than two defined groups the disparity itself is undefined.
//!
//! # Conventions
//!
//! Labels are 0/1 with 1 the favourable outcome. Differences and ratios between groups follow
//! fairlearn (`max − min`, `min / max`; or, with [`Method::ToOverall`], each group against the
//! overall value). With only one group the difference is 0 and the ratio 1 by definition, with
//! a warning. With control columns, the disparity is computed within each control level
//! ([`Disparity::by_control`], as fairlearn's `MetricFrame` with `control_features`) and the
//! value is the worst of them. AIF360's measures are signed: unprivileged minus (or over)
//! privileged.
//!
//! # Example
//!
//! ```
//! use kiln_fairness::groups::{Groups, SensitiveColumn};
//! use kiln_fairness::measures::{demographic_parity_difference, equal_opportunity_ratio, DisparityOptions};
//! use kiln_fairness::value::ZeroDivision;
//! use ndarray::array;
//!
//! let sex = SensitiveColumn::from_strings("sex", ["f", "f", "f", "m", "m", "m"])?;
//! let groups = Groups::new(&[sex], &[])?;
//! let y_true = array![1, 0, 0, 1, 1, 0];
//! let y_pred = array![1, 0, 0, 1, 1, 1];
//! let opts = DisparityOptions::default();
//! let dp = demographic_parity_difference(y_true.view(), y_pred.view(), &groups, &opts, None)?;
//! assert!((dp.value.get().unwrap() - (1.0 - 1.0 / 3.0)).abs() < 1e-15);
//! assert_eq!(dp.by_group[0].groups[0].count, 3);
//! let eo = equal_opportunity_ratio(y_true.view(), y_pred.view(), &groups, &opts, None)?;
//! assert_eq!(eo.value.get(), Some(1.0));
//!
//! // A group with no positive label has no TPR: undefined, unless fairlearn's 0/0 -> 0.
//! let y_true = array![0, 0, 0, 1, 1, 0];
//! let eo = equal_opportunity_ratio(y_true.view(), y_pred.view(), &groups, &opts, None)?;
//! assert!(!eo.value.is_defined());
//! let fl = opts.with_zero_division(ZeroDivision::Zero);
//! let eo = equal_opportunity_ratio(y_true.view(), y_pred.view(), &groups, &fl, None)?;
//! assert_eq!(eo.value.get(), Some(0.0));
//! # Ok::<(), kiln_core::Error>(())
//! ```

mod by_group;
mod entropy;
mod privileged;
mod rates;
mod scores;

pub use by_group::{ByGroup, Disparity, DisparityKind, GroupValue, Method};
pub use entropy::{generalized_entropy_index, theil_index};
pub use privileged::{FourFifths, GroupSelector, PrivilegedMeasures, SelectedGroup};
pub use rates::{
    Aggregate, ConfusionParity, DisparityOptions, Rate, RateParity, demographic_parity_difference,
    demographic_parity_ratio, equal_opportunity_difference, equal_opportunity_ratio,
    equalized_odds_difference, equalized_odds_ratio, rate_parity,
};
pub use scores::{
    CalibrationByGroup, GroupCalibration, auc_by_group, calibration_by_group, mean_score_by_group,
};
