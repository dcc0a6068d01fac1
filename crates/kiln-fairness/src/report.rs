//! The fairness report: every measure at once, each with a threshold and a pass / fail /
//! undefined verdict, group sizes with a warning for groups too small to judge, the empty
//! intersections, as readable text ([`Display`](std::fmt::Display)) and as JSON
//! ([`FairnessReport::to_json`]).
//!
//! # Measures and their thresholds (defaults in [`Thresholds`])
//!
//! | measure | threshold |
//! |---|---|
//! | `demographic_parity_difference`, `equalized_odds_difference` (worst case), `equal_opportunity_difference` | `<= max_difference` (0.1) |
//! | `demographic_parity_ratio`, `equalized_odds_ratio` (worst case), `equal_opportunity_ratio` | `>= min_ratio` (0.8) |
//! | `{fpr,tnr,fnr,ppv,npv,error_rate}_difference` / `_ratio` | as above |
//! | with a privileged group: `statistical_parity_difference`, `average_odds_difference`, `privileged_equal_opportunity_difference` | `|x| <= max_difference` |
//! | with a privileged group: `disparate_impact` | `>= min_ratio` (in `[min_ratio, 1/min_ratio]` when two-sided) |
//! | `generalized_entropy_index` (`alpha`), `theil_index` | `<= max_entropy_index` (none: not judged) |
//! | with scores: `auc_difference`, `mean_score_difference`, `ece_difference` | `<= max_score_difference` (0.1) |
//!
//! An undefined value gets the verdict `undefined`, never pass or fail. Verdicts use every
//! group; groups with fewer than `min_group_size` rows (default 30) are listed in the
//! warnings as too small to judge. Calibration is left out, with a warning, when the scores
//! are not probabilities in [0, 1].
//!
//! # JSON schema (`kiln_fairness.report/1`)
//!
//! [`FairnessReport::to_json`] writes the report's fields (serde, snake_case):
//! - `schema`: `"kiln_fairness.report/1"`; `n_rows`; `weighted` (bool);
//!   `sensitive_columns`, `control_columns` (names); `params` ([`ReportParams`]);
//! - `groups`: `[{name, sensitive_levels, control_levels, count, weight, too_small}]`;
//! - `empty_intersections`: level combinations with no row (control levels first);
//! - `measures`: `[{name, family, value, threshold, verdict, metric, excluded_groups, notes}]`
//!   where `value` is `{"defined": x}` or `{"undefined": {numerator, denominator, reason}}`,
//!   `threshold` is `null` or one of `{"at_most": b}`, `{"at_least": b}`, `{"abs_at_most": b}`,
//!   `{"between": [lo, hi]}`, `verdict` is `"pass" | "fail" | "undefined" | "not_judged"` and
//!   `metric` names the `by_group` table the measure came from;
//! - `by_group`: `[{metric, groups: [{group, value, count, weight, numerator, denominator}],
//!   overall: [...], control_ranges}]` for every rate (and `auc`, `mean_score`, `ece`);
//! - `privileged`: `null` or [`PrivilegedMeasures`]; `calibration`: `null` or
//!   [`CalibrationByGroup`];
//! - `intervals`: `null`, or with [`ReportParams::bootstrap`] set
//!   `{bootstrap: {n_resamples, confidence, seed}, rates: [{metric, groups: [bounds]}],
//!   measures: [{name, bounds}]}` where `bounds` is `{lower, upper, n_undefined}` (lower and
//!   upper as `value`); see [`ReportIntervals`];
//! - `summary`: `{pass, fail, undefined, not_judged}`; `warnings`: strings.
//!
//! # Example
//!
//! ```
//! use kiln_fairness::groups::{Groups, SensitiveColumn};
//! use kiln_fairness::measures::GroupSelector;
//! use kiln_fairness::report::{FairnessReport, ReportParams, Verdict};
//! use ndarray::array;
//!
//! let sex = SensitiveColumn::from_strings("sex", ["f", "f", "f", "f", "m", "m", "m", "m"])?;
//! let groups = Groups::new(&[sex], &[])?;
//! let y_true = array![1, 0, 1, 0, 1, 0, 1, 0];
//! let y_pred = array![1, 0, 0, 0, 1, 1, 1, 0];
//! let params = ReportParams::default().with_privileged(GroupSelector::level("sex", "m"));
//! let report = FairnessReport::new(y_true.view(), y_pred.view(), None, &groups, &params, None)?;
//! assert_eq!(report.measure("demographic_parity_ratio").unwrap().verdict, Verdict::Fail);
//! assert!(report.to_string().contains("too small to judge")); // 4 rows per group < 30
//! let json: serde_json::Value = serde_json::from_str(&report.to_json()?).unwrap();
//! assert_eq!(json["schema"], "kiln_fairness.report/1");
//! # Ok::<(), kiln_core::Error>(())
//! ```

mod intervals;
mod params;
mod text;

pub use intervals::{MeasureInterval, RateIntervals, ReportBootstrap, ReportIntervals};
pub use params::{ReportParams, Threshold, Thresholds, Verdict};

use kiln_core::{Error, Result};
use ndarray::ArrayView1;
use serde::{Deserialize, Serialize};

use crate::groups::Groups;
use crate::measures::{
    Aggregate, ByGroup, CalibrationByGroup, ConfusionParity, Disparity, DisparityKind,
    PrivilegedMeasures, Rate, auc_by_group, calibration_by_group, generalized_entropy_index,
    mean_score_by_group,
};
use crate::value::Value;

/// The schema name written in [`FairnessReport::schema`].
pub const SCHEMA: &str = "kiln_fairness.report/1";

/// One group's size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupInfo {
    /// The group's name ([`Groups::name`]).
    pub name: String,
    /// Its sensitive levels.
    pub sensitive_levels: Vec<String>,
    /// Its control levels (empty without control columns).
    pub control_levels: Vec<String>,
    /// Number of rows.
    pub count: usize,
    /// Total sample weight.
    pub weight: f64,
    /// Whether `count < min_group_size`.
    pub too_small: bool,
}

/// One measure's value and verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasureResult {
    /// The measure's name, e.g. `"demographic_parity_difference"`.
    pub name: String,
    /// Where it comes from: `"fairlearn"`, `"parity"`, `"aif360"`, `"index"` or `"score"`.
    pub family: String,
    /// Its value.
    pub value: Value,
    /// The bar it is judged against (`None`: not judged).
    pub threshold: Option<Threshold>,
    /// The verdict.
    pub verdict: Verdict,
    /// The `by_group` table it was computed from (`None` for AIF360's and the indices).
    pub metric: Option<String>,
    /// Groups left out because their value is undefined.
    pub excluded_groups: Vec<String>,
    /// The measure's own warnings.
    pub notes: Vec<String>,
}

/// How many measures got each verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Summary {
    /// Measures that pass.
    pub pass: usize,
    /// Measures that fail.
    pub fail: usize,
    /// Measures whose value is undefined.
    pub undefined: usize,
    /// Measures without a threshold.
    pub not_judged: usize,
}

/// Every fairness measure at once, with verdicts; see the [module docs](self).
///
/// # Parameters
/// See [`ReportParams`].
///
/// # Errors
/// [`FairnessReport::new`] returns the errors of [`ReportParams::validate`], of the input
/// checks (lengths, 0/1 labels, weights, finite scores) and of the privileged selectors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FairnessReport {
    /// [`SCHEMA`].
    pub schema: String,
    /// Number of rows.
    pub n_rows: usize,
    /// Whether sample weights were given.
    pub weighted: bool,
    /// Names of the sensitive columns.
    pub sensitive_columns: Vec<String>,
    /// Names of the control columns.
    pub control_columns: Vec<String>,
    /// The parameters used.
    pub params: ReportParams,
    /// Every non-empty group with its size.
    pub groups: Vec<GroupInfo>,
    /// Level combinations that no row has (excluded from every measure).
    pub empty_intersections: Vec<Vec<String>>,
    /// Every measure, with its verdict.
    pub measures: Vec<MeasureResult>,
    /// Per-group values of every metric the measures came from.
    pub by_group: Vec<ByGroup>,
    /// AIF360's measures, when a privileged group was named.
    pub privileged: Option<PrivilegedMeasures>,
    /// Calibration within groups, when probabilities were given.
    pub calibration: Option<CalibrationByGroup>,
    /// Bootstrap intervals, when [`ReportParams::bootstrap`] asked for them.
    #[serde(default)]
    pub intervals: Option<ReportIntervals>,
    /// Verdict counts.
    pub summary: Summary,
    /// Small groups, empty intersections, one group only, skipped sections.
    pub warnings: Vec<String>,
}

impl FairnessReport {
    /// Computes the report.
    ///
    /// # Parameters
    /// - `y_true`, `y_pred`: 0/1 labels, 1 = favourable.
    /// - `scores`: optional scores of the favourable class (probabilities for calibration).
    /// - `groups`: the groups ([`Groups`]).
    /// - `params`: see [`ReportParams`].
    /// - `sample_weight`: optional weights.
    ///
    /// # Errors
    /// See the type's docs.
    pub fn new(
        y_true: ArrayView1<'_, usize>,
        y_pred: ArrayView1<'_, usize>,
        scores: Option<ArrayView1<'_, f64>>,
        groups: &Groups,
        params: &ReportParams,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<Self> {
        params.validate()?;
        let t = &params.thresholds;
        let parity =
            ConfusionParity::new(y_true, y_pred, groups, sample_weight, params.zero_division)?;
        let method = params.method;
        let mut b = Builder::default();

        let dp = parity.by_group(Rate::SelectionRate);
        let tpr = parity.by_group(Rate::Tpr);
        let diff_bar = Threshold::AtMost(t.max_difference);
        let ratio_bar = Threshold::AtLeast(t.min_ratio);
        b.disparity(
            "fairlearn",
            &dp.disparity(
                "demographic_parity_difference",
                DisparityKind::Difference,
                method,
            ),
            diff_bar,
        );
        b.disparity(
            "fairlearn",
            &dp.disparity("demographic_parity_ratio", DisparityKind::Ratio, method),
            ratio_bar,
        );
        b.disparity(
            "fairlearn",
            &parity.equalized_odds(DisparityKind::Difference, method, Aggregate::WorstCase),
            diff_bar,
        );
        b.disparity(
            "fairlearn",
            &parity.equalized_odds(DisparityKind::Ratio, method, Aggregate::WorstCase),
            ratio_bar,
        );
        b.disparity(
            "fairlearn",
            &tpr.disparity(
                "equal_opportunity_difference",
                DisparityKind::Difference,
                method,
            ),
            diff_bar,
        );
        b.disparity(
            "fairlearn",
            &tpr.disparity("equal_opportunity_ratio", DisparityKind::Ratio, method),
            ratio_bar,
        );
        b.by_group.push(dp);
        b.by_group.push(tpr);
        for rate in [
            Rate::Fpr,
            Rate::Tnr,
            Rate::Fnr,
            Rate::Ppv,
            Rate::Npv,
            Rate::ErrorRate,
        ] {
            let by = parity.by_group(rate);
            b.disparity("parity", &by.difference(method), diff_bar);
            b.disparity("parity", &by.ratio(method), ratio_bar);
            b.by_group.push(by);
        }

        let privileged = match &params.privileged {
            Some(p) => {
                let m = PrivilegedMeasures::from_confusion(
                    parity.confusion(),
                    groups,
                    p,
                    params.unprivileged.as_ref(),
                    params.zero_division,
                )?;
                let abs_bar = Threshold::AbsAtMost(t.max_difference);
                b.plain(
                    "aif360",
                    "statistical_parity_difference",
                    &m.statistical_parity_difference,
                    Some(abs_bar),
                );
                let di_bar = if t.two_sided_disparate_impact {
                    Threshold::Between(t.min_ratio, 1.0 / t.min_ratio)
                } else {
                    ratio_bar
                };
                b.plain(
                    "aif360",
                    "disparate_impact",
                    &m.disparate_impact,
                    Some(di_bar),
                );
                b.plain(
                    "aif360",
                    "average_odds_difference",
                    &m.average_odds_difference,
                    Some(abs_bar),
                );
                b.plain(
                    "aif360",
                    "privileged_equal_opportunity_difference",
                    &m.equal_opportunity_difference,
                    Some(abs_bar),
                );
                Some(m)
            }
            None => None,
        };

        let index_bar = t.max_entropy_index.map(Threshold::AtMost);
        let gei = generalized_entropy_index(y_true, y_pred, params.alpha, sample_weight)?;
        b.plain(
            "index",
            &format!("generalized_entropy_index(alpha={})", params.alpha),
            &gei,
            index_bar,
        );
        let theil = generalized_entropy_index(y_true, y_pred, 1.0, sample_weight)?;
        b.plain("index", "theil_index", &theil, index_bar);

        let mut calibration = None;
        if let Some(s) = scores {
            let score_bar = Threshold::AtMost(t.max_score_difference);
            let auc = auc_by_group(y_true, s, groups, sample_weight)?;
            b.disparity("score", &auc.difference(method), score_bar);
            b.by_group.push(auc);
            let mean = mean_score_by_group(s, groups, sample_weight)?;
            b.disparity("score", &mean.difference(method), score_bar);
            b.by_group.push(mean);
            if s.iter().all(|p| (0.0..=1.0).contains(p)) {
                let cal = calibration_by_group(y_true, s, groups, params.n_bins, sample_weight)?;
                b.disparity("score", &cal.ece.difference(method), score_bar);
                b.by_group.push(cal.ece.clone());
                calibration = Some(cal);
            } else {
                b.warnings.push(
                    "scores are not probabilities in [0, 1]: calibration within groups is left out"
                        .into(),
                );
            }
        }

        let weights = groups.weights(sample_weight)?;
        let group_info: Vec<GroupInfo> = (0..groups.n_groups())
            .map(|g| GroupInfo {
                name: groups.name(g),
                sensitive_levels: groups
                    .sensitive_levels(g)
                    .iter()
                    .map(|s| (*s).to_owned())
                    .collect(),
                control_levels: groups
                    .control_levels(g)
                    .iter()
                    .map(|s| (*s).to_owned())
                    .collect(),
                count: groups.counts()[g],
                weight: weights[g],
                too_small: groups.counts()[g] < params.min_group_size,
            })
            .collect();
        let mut warnings = Vec::new();
        if groups.n_groups() == 1 {
            warnings.push(format!(
                "only one group (`{}`): there is nothing to compare it with; every difference \
                 is 0 and every ratio 1 by definition",
                groups.name(0)
            ));
        }
        for g in group_info.iter().filter(|g| g.too_small) {
            warnings.push(format!(
                "group `{}` has {} rows (fewer than min_group_size = {}): too small to judge; \
                 its rates are noisy",
                g.name, g.count, params.min_group_size
            ));
        }
        let empty = groups.empty_intersections().to_vec();
        if !empty.is_empty() {
            let listed: Vec<String> = empty.iter().map(|e| e.join(", ")).collect();
            warnings.push(format!(
                "{} level combination(s) have no row and are excluded: {}",
                empty.len(),
                listed.join("; ")
            ));
        }
        warnings.extend(b.warnings);

        let intervals = match &params.bootstrap {
            Some(bs) => Some(intervals::compute(
                y_true,
                y_pred,
                groups,
                sample_weight,
                params.zero_division,
                method,
                bs,
            )?),
            None => None,
        };
        let mut summary = Summary::default();
        for m in &b.measures {
            match m.verdict {
                Verdict::Pass => summary.pass += 1,
                Verdict::Fail => summary.fail += 1,
                Verdict::Undefined => summary.undefined += 1,
                Verdict::NotJudged => summary.not_judged += 1,
            }
        }
        Ok(Self {
            schema: SCHEMA.to_owned(),
            n_rows: groups.n_rows(),
            weighted: sample_weight.is_some(),
            sensitive_columns: groups.sensitive_names().to_vec(),
            control_columns: groups.control_names().to_vec(),
            params: params.clone(),
            groups: group_info,
            empty_intersections: empty,
            measures: b.measures,
            by_group: b.by_group,
            privileged,
            calibration,
            intervals,
            summary,
            warnings,
        })
    }

    /// The measure named `name`, if the report has it.
    pub fn measure(&self, name: &str) -> Option<&MeasureResult> {
        self.measures.iter().find(|m| m.name == name)
    }

    /// The measures that fail their threshold.
    pub fn failures(&self) -> impl Iterator<Item = &MeasureResult> {
        self.measures.iter().filter(|m| m.verdict == Verdict::Fail)
    }

    /// The report as pretty-printed JSON (schema in the [module docs](self)).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] if serialization fails (it does not for reports built by
    /// [`FairnessReport::new`]).
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(|e| Error::InvalidValue {
            what: "fairness report".into(),
            row: None,
            reason: format!("could not be written as JSON: {e}"),
        })
    }
}

#[derive(Default)]
struct Builder {
    measures: Vec<MeasureResult>,
    by_group: Vec<ByGroup>,
    warnings: Vec<String>,
}

impl Builder {
    fn disparity(&mut self, family: &str, d: &Disparity, bar: Threshold) {
        let mut notes: Vec<String> = Vec::new();
        for w in &d.warnings {
            if !notes.contains(w) {
                notes.push(w.clone());
            }
        }
        self.measures.push(MeasureResult {
            name: d.measure.clone(),
            family: family.to_owned(),
            verdict: bar.judge(&d.value),
            value: d.value.clone(),
            threshold: Some(bar),
            metric: Some(
                d.by_group
                    .iter()
                    .map(|b| b.metric.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            excluded_groups: d.excluded_groups.clone(),
            notes,
        });
    }

    fn plain(&mut self, family: &str, name: &str, value: &Value, bar: Option<Threshold>) {
        self.measures.push(MeasureResult {
            name: name.to_owned(),
            family: family.to_owned(),
            verdict: match bar {
                Some(b) => b.judge(value),
                None if value.is_defined() => Verdict::NotJudged,
                None => Verdict::Undefined,
            },
            value: value.clone(),
            threshold: bar,
            metric: None,
            excluded_groups: Vec::new(),
            notes: Vec::new(),
        });
    }
}
