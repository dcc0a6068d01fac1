//! AIF360's signed measures for a named privileged group, and the four-fifths rule.

use kiln_core::{Error, Result};
use ndarray::ArrayView1;
use serde::{Deserialize, Serialize};

use crate::confusion::{Confusion, GroupConfusion};
use crate::groups::Groups;
use crate::value::{Undefined, Value, ZeroDivision};

/// A set of rows named by levels of the sensitive (or control) columns, as AIF360 names its
/// `privileged_groups`: a list of clauses joined by OR, each a list of `column = level`
/// conditions joined by AND.
///
/// ```
/// use kiln_fairness::measures::GroupSelector;
///
/// // (sex = male AND age_group = >=25) OR (sex = female AND age_group = >=25)
/// let s = GroupSelector::all_of(&[("sex", "male"), ("age_group", ">=25")])
///     .or(GroupSelector::all_of(&[("sex", "female"), ("age_group", ">=25")]));
/// assert_eq!(s.to_string(), "(sex = male AND age_group = >=25) OR (sex = female AND age_group = >=25)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupSelector {
    /// Clauses joined by OR; each holds `(column, level)` conditions joined by AND.
    pub clauses: Vec<Vec<(String, String)>>,
}

impl GroupSelector {
    /// The rows where `column` has `level`.
    pub fn level(column: impl Into<String>, level: impl Into<String>) -> Self {
        Self {
            clauses: vec![vec![(column.into(), level.into())]],
        }
    }

    /// The rows that meet every `(column, level)` condition.
    pub fn all_of(conditions: &[(&str, &str)]) -> Self {
        Self {
            clauses: vec![
                conditions
                    .iter()
                    .map(|(c, l)| ((*c).to_owned(), (*l).to_owned()))
                    .collect(),
            ],
        }
    }

    /// The rows of `self` or of `other`.
    pub fn or(mut self, other: GroupSelector) -> Self {
        self.clauses.extend(other.clauses);
        self
    }

    /// The groups (indices into `groups`) whose rows this selector takes. `role` names the
    /// selector in errors (e.g. `"privileged"`).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the selector when it has no condition, names a
    /// column that is neither a sensitive nor a control column, or matches no row.
    pub fn resolve(&self, groups: &Groups, role: &str) -> Result<Vec<usize>> {
        let err = |reason: String| Error::invalid_param("PrivilegedMeasures", role, reason);
        if self.clauses.is_empty() || self.clauses.iter().any(Vec::is_empty) {
            return Err(err(format!(
                "has an empty clause (`{self}`); name at least one column = level"
            )));
        }
        let n_sensitive = groups.sensitive_names().len();
        // Column index into sensitive levels (then control levels after them).
        let mut resolved: Vec<Vec<(usize, &str)>> = Vec::with_capacity(self.clauses.len());
        for clause in &self.clauses {
            let mut conds = Vec::with_capacity(clause.len());
            for (col, level) in clause {
                let idx = groups
                    .sensitive_names()
                    .iter()
                    .position(|n| n == col)
                    .or_else(|| {
                        groups
                            .control_names()
                            .iter()
                            .position(|n| n == col)
                            .map(|i| n_sensitive + i)
                    })
                    .ok_or_else(|| {
                        err(format!(
                            "(`{self}`) names column `{col}`, which is not a sensitive or \
                             control column (sensitive: {}; control: {})",
                            groups.sensitive_names().join(", "),
                            if groups.control_names().is_empty() {
                                "none".to_owned()
                            } else {
                                groups.control_names().join(", ")
                            }
                        ))
                    })?;
                conds.push((idx, level.as_str()));
            }
            resolved.push(conds);
        }
        let level_of = |g: usize, idx: usize| -> String {
            if idx < n_sensitive {
                groups.sensitive_levels(g)[idx].to_owned()
            } else {
                groups.control_levels(g)[idx - n_sensitive].to_owned()
            }
        };
        let selected: Vec<usize> = (0..groups.n_groups())
            .filter(|&g| {
                resolved
                    .iter()
                    .any(|conds| conds.iter().all(|&(idx, level)| level_of(g, idx) == level))
            })
            .collect();
        if selected.is_empty() {
            let mut known: Vec<String> = Vec::new();
            for (col, _) in self.clauses.iter().flatten() {
                let Some(idx) = resolved
                    .iter()
                    .flatten()
                    .find(|(i, _)| {
                        let name = if *i < n_sensitive {
                            &groups.sensitive_names()[*i]
                        } else {
                            &groups.control_names()[*i - n_sensitive]
                        };
                        name == col
                    })
                    .map(|(i, _)| *i)
                else {
                    continue;
                };
                let mut levels: Vec<String> =
                    (0..groups.n_groups()).map(|g| level_of(g, idx)).collect();
                levels.sort();
                levels.dedup();
                let line = format!("{col}: {}", levels.join(", "));
                if !known.contains(&line) {
                    known.push(line);
                }
            }
            return Err(err(format!(
                "`{self}` matches no row (levels present: {})",
                known.join("; ")
            )));
        }
        Ok(selected)
    }
}

impl std::fmt::Display for GroupSelector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let clause = |c: &Vec<(String, String)>| {
            c.iter()
                .map(|(col, level)| format!("{col} = {level}"))
                .collect::<Vec<_>>()
                .join(" AND ")
        };
        if self.clauses.len() == 1 {
            return f.write_str(&clause(&self.clauses[0]));
        }
        let parts: Vec<String> = self
            .clauses
            .iter()
            .map(|c| {
                if c.len() > 1 {
                    format!("({})", clause(c))
                } else {
                    clause(c)
                }
            })
            .collect();
        f.write_str(&parts.join(" OR "))
    }
}

/// The rows of a privileged or unprivileged selection, and their rates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelectedGroup {
    /// The selector, in words (for the unprivileged complement: `"not (...)"`).
    pub description: String,
    /// The groups it takes, by name.
    pub groups: Vec<String>,
    /// Number of rows.
    pub count: usize,
    /// Total sample weight (AIF360's `num_instances` with `instance_weights`).
    pub weight: f64,
    /// Confusion counts over its rows.
    pub confusion: Confusion,
    /// Selection rate `P(ŷ = 1)`.
    pub selection_rate: Value,
    /// True-positive rate.
    pub tpr: Value,
    /// False-positive rate.
    pub fpr: Value,
}

/// The four-fifths (80 %) rule of the US Uniform Guidelines on Employee Selection Procedures:
/// adverse impact when the unprivileged selection rate is below 4/5 of the privileged one.
///
/// One-sided (the rule as written): passes when `disparate_impact >= 0.8`. Two-sided (also
/// flags the privileged group being selected at below 4/5 of the unprivileged rate): passes
/// when `0.8 <= disparate_impact <= 1.25`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FourFifths {
    /// `selection_rate(unprivileged) / selection_rate(privileged)`.
    pub disparate_impact: Value,
    /// Whether `disparate_impact < 0.8` (undefined disparate impact: `None`).
    pub adverse_to_unprivileged: Option<bool>,
    /// Whether `disparate_impact > 1.25`, i.e. the inverse ratio is below 0.8.
    pub adverse_to_privileged: Option<bool>,
}

impl FourFifths {
    /// The lower bound of the rule, 4/5.
    pub const LOWER: f64 = 0.8;
    /// The upper bound of the two-sided rule, 5/4.
    pub const UPPER: f64 = 1.25;

    fn new(disparate_impact: Value) -> Self {
        let di = disparate_impact.get();
        Self {
            adverse_to_unprivileged: di.map(|d| d < Self::LOWER),
            adverse_to_privileged: di.map(|d| d > Self::UPPER),
            disparate_impact,
        }
    }

    /// Whether the rule holds, one- or two-sided; `None` when the disparate impact is
    /// undefined.
    pub fn passes(&self, two_sided: bool) -> Option<bool> {
        let low = self.adverse_to_unprivileged?;
        let high = self.adverse_to_privileged?;
        let fails = low || (two_sided && high);
        Some(!fails)
    }
}

/// AIF360's signed group measures (`ClassificationMetric`) for a named privileged group.
///
/// Every difference is unprivileged minus privileged, so a negative value means the
/// unprivileged group receives the favourable outcome (label 1) less often.
///
/// # Parameters
/// - `privileged`: the privileged rows, a [`GroupSelector`].
/// - `unprivileged`: the unprivileged rows; `None` (default) takes every other row.
/// - `zero_division`: what a rate with a zero denominator becomes; default
///   [`ZeroDivision::Undefined`] (AIF360 gives NaN for the TPR of a group with no positives).
///
/// # Fitted attributes
/// (Fields.) `privileged`, `unprivileged` with their counts and rates;
/// `statistical_parity_difference = SR_u − SR_p`; `disparate_impact = SR_u / SR_p`;
/// `average_odds_difference = ½[(FPR_u − FPR_p) + (TPR_u − TPR_p)]`;
/// `equal_opportunity_difference = TPR_u − TPR_p`; `four_fifths`.
///
/// # Errors
/// [`Error::InvalidParameter`] when a selector names an unknown column or matches no row,
/// when the unprivileged rows overlap the privileged ones, or when no row is left
/// unprivileged; the input errors of [`GroupConfusion::new`].
///
/// # Notes
/// `disparate_impact` is undefined (not infinite, as in AIF360) when the privileged selection
/// rate is 0. Sample weights play the part of AIF360's `instance_weights`.
///
/// # References
/// Bellamy, R. K. E. et al. (2018). AI Fairness 360. arXiv:1810.01943. Feldman, M. et al.
/// (2015). Certifying and removing disparate impact. *KDD*.
///
/// # Example
/// ```
/// use kiln_fairness::groups::{Groups, SensitiveColumn};
/// use kiln_fairness::measures::{GroupSelector, PrivilegedMeasures};
/// use kiln_fairness::value::ZeroDivision;
/// use ndarray::array;
///
/// let sex = SensitiveColumn::from_strings("sex", ["f", "f", "f", "f", "m", "m", "m", "m"])?;
/// let groups = Groups::new(&[sex], &[])?;
/// let y_true = array![1, 0, 1, 0, 1, 0, 1, 0];
/// let y_pred = array![1, 0, 0, 0, 1, 1, 1, 0];
/// let m = PrivilegedMeasures::new(
///     y_true.view(), y_pred.view(), &groups,
///     &GroupSelector::level("sex", "m"), None, ZeroDivision::Undefined, None)?;
/// assert_eq!(m.statistical_parity_difference.get(), Some(0.25 - 0.75));
/// assert_eq!(m.disparate_impact.get(), Some(1.0 / 3.0));
/// assert_eq!(m.four_fifths.passes(false), Some(false));
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrivilegedMeasures {
    /// The privileged rows.
    pub privileged: SelectedGroup,
    /// The unprivileged rows.
    pub unprivileged: SelectedGroup,
    /// `SR_u − SR_p`.
    pub statistical_parity_difference: Value,
    /// `SR_u / SR_p`.
    pub disparate_impact: Value,
    /// `½[(FPR_u − FPR_p) + (TPR_u − TPR_p)]`.
    pub average_odds_difference: Value,
    /// `TPR_u − TPR_p`.
    pub equal_opportunity_difference: Value,
    /// The four-fifths rule on `disparate_impact`.
    pub four_fifths: FourFifths,
}

impl PrivilegedMeasures {
    /// Computes the measures; see the type's docs.
    ///
    /// # Errors
    /// See the type's docs.
    pub fn new(
        y_true: ArrayView1<'_, usize>,
        y_pred: ArrayView1<'_, usize>,
        groups: &Groups,
        privileged: &GroupSelector,
        unprivileged: Option<&GroupSelector>,
        zero_division: ZeroDivision,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<Self> {
        let confusion = GroupConfusion::new(y_true, y_pred, groups, sample_weight)?;
        Self::from_confusion(&confusion, groups, privileged, unprivileged, zero_division)
    }

    /// From confusion counts already made (see the type's docs).
    ///
    /// # Errors
    /// The selector errors of the type's docs.
    pub fn from_confusion(
        confusion: &GroupConfusion,
        groups: &Groups,
        privileged: &GroupSelector,
        unprivileged: Option<&GroupSelector>,
        zero_division: ZeroDivision,
    ) -> Result<Self> {
        let priv_groups = privileged.resolve(groups, "privileged")?;
        let unpriv_groups = match unprivileged {
            Some(u) => {
                let ug = u.resolve(groups, "unprivileged")?;
                if let Some(&g) = ug.iter().find(|g| priv_groups.contains(g)) {
                    return Err(Error::invalid_param(
                        "PrivilegedMeasures",
                        "unprivileged",
                        format!(
                            "(`{u}`) overlaps the privileged rows (`{privileged}`) in group `{}`",
                            groups.name(g)
                        ),
                    ));
                }
                ug
            }
            None => (0..groups.n_groups())
                .filter(|g| !priv_groups.contains(g))
                .collect(),
        };
        if unpriv_groups.is_empty() {
            return Err(Error::invalid_param(
                "PrivilegedMeasures",
                "privileged",
                format!("(`{privileged}`) takes every row; no row is left unprivileged"),
            ));
        }
        let select = |gs: &[usize], description: String| {
            let mut c = Confusion::default();
            for &g in gs {
                c.merge(&confusion.groups()[g]);
            }
            SelectedGroup {
                description,
                groups: gs.iter().map(|&g| groups.name(g)).collect(),
                count: gs.iter().map(|&g| groups.counts()[g]).sum(),
                weight: c.total(),
                selection_rate: c.selection_rate(zero_division),
                tpr: c.tpr(zero_division),
                fpr: c.fpr(zero_division),
                confusion: c,
            }
        };
        let p = select(&priv_groups, privileged.to_string());
        let u = select(
            &unpriv_groups,
            match unprivileged {
                Some(s) => s.to_string(),
                None => format!("not ({privileged})"),
            },
        );
        let spd = diff(&u.selection_rate, &p.selection_rate, "selection rate");
        let di = match (&u.selection_rate, &p.selection_rate) {
            (Value::Defined(su), Value::Defined(sp)) if *sp != 0.0 => Value::Defined(su / sp),
            (Value::Defined(su), Value::Defined(sp)) => Value::Undefined(Undefined {
                numerator: *su,
                denominator: *sp,
                reason: "the privileged selection rate is 0".into(),
            }),
            _ => Value::undefined("a selection rate is undefined"),
        };
        let eod = diff(&u.tpr, &p.tpr, "TPR");
        let fpr_d = diff(&u.fpr, &p.fpr, "FPR");
        let aod = match (&fpr_d, &eod) {
            (Value::Defined(f), Value::Defined(t)) => Value::Defined(0.5 * (f + t)),
            (Value::Undefined(_), _) => fpr_d.clone(),
            _ => eod.clone(),
        };
        Ok(Self {
            privileged: p,
            unprivileged: u,
            statistical_parity_difference: spd,
            four_fifths: FourFifths::new(di.clone()),
            disparate_impact: di,
            average_odds_difference: aod,
            equal_opportunity_difference: eod,
        })
    }
}

fn diff(u: &Value, p: &Value, what: &str) -> Value {
    match (u, p) {
        (Value::Defined(u), Value::Defined(p)) => Value::Defined(u - p),
        (Value::Undefined(_), _) => Value::undefined(format!("the unprivileged {what} is {u}")),
        _ => Value::undefined(format!("the privileged {what} is {p}")),
    }
}
