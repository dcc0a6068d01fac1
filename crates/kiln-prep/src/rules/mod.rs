//! Declarative data-quality rules on a [`Frame`], and outlier flags.
//!
//! A [`Rules`] set lists, for named columns, a [`Check`] each value must pass and an
//! [`Action`] for the values that fail: report them, replace them with missing, or drop
//! their rows. [`Rules::apply`] returns the cleaned frame and a [`RulesReport`] saying, per
//! rule, how many values violated it, the first few offending rows and values, and what was
//! done. [`iqr_outliers`] and [`zscore_outliers`] flag unusual values of one column.
//!
//! # Example
//!
//! ```
//! use kiln_prep::CsvOptions;
//! use kiln_prep::rules::{Action, CellValue, Check, Rules, iqr_outliers};
//!
//! let csv = "age,income,home\n34,1200,rent\n-1,900,owner\n51,,rent\n40,250000,castle\n\
//!            29,1100,rent\n45,1000,owner\n";
//! let (frame, _) = CsvOptions::default().read_str(csv)?;
//! let (clean, report) = Rules::new()
//!     .rule("age", Check::NonNegative, Action::DropRow)
//!     .rule("income", Check::Range { min: Some(0.0), max: Some(1e5) }, Action::SetMissing)
//!     .rule("home", Check::AllowedCategories(vec!["owner".into(), "rent".into()]), Action::Flag)
//!     .apply(&frame)?;
//! assert_eq!(report.rows_dropped, 1); // age -1
//! assert_eq!(clean.n_rows(), 5);
//! // The missing income is not a violation; 250000 is, and is now missing too.
//! assert_eq!(report.outcomes[1].n_violations, 1);
//! assert_eq!(clean.column("income")?.n_missing(), 2);
//! let castle = &report.outcomes[2].examples[0];
//! assert_eq!((castle.row, &castle.value), (3, &CellValue::Category("castle".into())));
//!
//! let outliers = iqr_outliers(&frame, "income", 1.5)?;
//! assert_eq!(outliers.rows, vec![3]);
//! # Ok::<(), kiln_core::Error>(())
//! ```
//!
//! # Semantics
//!
//! - **Every rule sees the input frame**, not the output of the rules before it, so the
//!   report does not depend on the order of the rules. The actions are applied together
//!   afterwards: values are set missing, then rows are dropped.
//! - **Missing values pass** every check except [`Check::NotNull`], so a range rule does not
//!   count the gaps that a not-null rule (or an imputer) is there to handle.
//! - **Rules are checked before anything is applied**: an unknown column, a numeric check on
//!   a categorical column, [`Check::AllowedCategories`] on a numeric column or a range with
//!   NaN bounds or `min > max` is an error naming the rule (by position) and the column.
//! - Rows are numbered as in the input frame throughout the report.

mod outliers;

pub use outliers::{OutlierMethod, OutlierReport, iqr_outliers, zscore_outliers};

use std::fmt;

use kiln_core::{Error, Result};

use crate::frame::{Categorical, Column, Frame, MISSING_CODE};

/// What a value must satisfy.
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    /// `min <= x <= max` (both inclusive; `None` leaves that side open). Numeric columns only.
    Range {
        /// The smallest allowed value; `None` for no lower bound.
        min: Option<f64>,
        /// The largest allowed value; `None` for no upper bound.
        max: Option<f64>,
    },
    /// `x >= 0` (`-0.0` passes). Numeric columns only.
    NonNegative,
    /// The value is present. Any column type.
    NotNull,
    /// The value is one of these categories (compared exactly, case-sensitive).
    /// Categorical columns only.
    AllowedCategories(Vec<String>),
}

impl Check {
    fn name(&self) -> &'static str {
        match self {
            Check::Range { .. } => "Range",
            Check::NonNegative => "NonNegative",
            Check::NotNull => "NotNull",
            Check::AllowedCategories(_) => "AllowedCategories",
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Check::Range { min, max } => {
                let lo = min.map_or("-inf".to_owned(), |m| m.to_string());
                let hi = max.map_or("inf".to_owned(), |m| m.to_string());
                write!(f, "Range [{lo}, {hi}]")
            }
            Check::AllowedCategories(c) => write!(f, "AllowedCategories {{{}}}", c.join(", ")),
            other => f.write_str(other.name()),
        }
    }
}

/// What to do with the values that fail a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Report them only; the frame is unchanged.
    Flag,
    /// Replace them with missing (NaN, or [`MISSING_CODE`] in a categorical column; the
    /// column keeps its levels).
    SetMissing,
    /// Drop their rows.
    DropRow,
}

/// One rule: a column, the check its values must pass, and what to do when they fail.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// The column checked.
    pub column: String,
    /// The check.
    pub check: Check,
    /// The action on failing values.
    pub action: Action,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} on column `{}`", self.check, self.column)
    }
}

/// A value as it appears in a report.
#[derive(Debug, Clone, PartialEq)]
pub enum CellValue {
    /// A value of a numeric column.
    Number(f64),
    /// A value of a categorical column.
    Category(String),
    /// A missing value.
    Missing,
}

/// One offending value.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// Its row in the input frame.
    pub row: usize,
    /// The value.
    pub value: CellValue,
}

/// What one rule found and did.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleOutcome {
    /// The rule.
    pub rule: Rule,
    /// How many values failed the check.
    pub n_violations: usize,
    /// The first offending values in row order, at most [`Rules::max_examples`] of them.
    pub examples: Vec<Violation>,
    /// Rows this rule dropped (its violations under [`Action::DropRow`], else 0). A row
    /// dropped by several rules counts for each; [`RulesReport::rows_dropped`] counts it once.
    pub rows_dropped: usize,
    /// Values this rule set missing in the rows that remain (under [`Action::SetMissing`],
    /// else 0). Values in rows another rule dropped are not counted.
    pub values_set_missing: usize,
}

/// What [`Rules::apply`] found and did.
#[derive(Debug, Clone, PartialEq)]
pub struct RulesReport {
    /// Rows in the input frame.
    pub rows_before: usize,
    /// Rows in the output frame.
    pub rows_after: usize,
    /// Rows dropped, each counted once however many rules dropped it.
    pub rows_dropped: usize,
    /// The input positions of the dropped rows, ascending.
    pub dropped_rows: Vec<usize>,
    /// Distinct values set missing in the rows that remain (a value failing two
    /// [`Action::SetMissing`] rules counts once).
    pub values_set_missing: usize,
    /// One outcome per rule, in the order the rules were given.
    pub outcomes: Vec<RuleOutcome>,
}

impl RulesReport {
    /// Total values that failed any rule (a value failing two rules counts twice).
    pub fn n_violations(&self) -> usize {
        self.outcomes.iter().map(|o| o.n_violations).sum()
    }
}

/// A set of data-quality rules, applied together by [`Rules::apply`].
///
/// # Parameters
/// - the rules, added with [`Rules::rule`] (by default, none);
/// - `max_examples` (default `5`): how many offending rows and values each outcome lists.
///
/// See the [module docs](self) for the semantics and an example.
#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    rules: Vec<Rule>,
    max_examples: usize,
}

impl Default for Rules {
    fn default() -> Self {
        Self {
            rules: Vec::new(),
            max_examples: 5,
        }
    }
}

impl Rules {
    /// An empty rule set that lists up to 5 examples per rule.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a rule: the values of `column` must pass `check`; `action` says what to do with
    /// those that fail.
    #[must_use]
    pub fn rule(mut self, column: impl Into<String>, check: Check, action: Action) -> Self {
        self.rules.push(Rule {
            column: column.into(),
            check,
            action,
        });
        self
    }

    /// Sets how many offending rows and values each outcome lists (by default, 5).
    #[must_use]
    pub fn with_max_examples(mut self, max_examples: usize) -> Self {
        self.max_examples = max_examples;
        self
    }

    /// The rules, in the order they were added.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// How many examples each outcome lists.
    pub fn max_examples(&self) -> usize {
        self.max_examples
    }

    /// Checks every rule against `frame` without applying anything.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] naming the rule and column for an unknown column, a numeric
    /// check on a categorical column or [`Check::AllowedCategories`] on a numeric one;
    /// [`Error::InvalidParameter`] for a range bound that is NaN or a `min` above `max`.
    pub fn validate(&self, frame: &Frame) -> Result<()> {
        for (i, rule) in self.rules.iter().enumerate() {
            resolve(i, rule, frame)?;
        }
        Ok(())
    }

    /// Evaluates every rule on `frame`, then applies the actions: values set missing, then
    /// rows dropped. Returns the new frame and what was found and done.
    ///
    /// # Errors
    /// As [`Rules::validate`], before anything is evaluated.
    pub fn apply(&self, frame: &Frame) -> Result<(Frame, RulesReport)> {
        let columns = self
            .rules
            .iter()
            .enumerate()
            .map(|(i, rule)| resolve(i, rule, frame))
            .collect::<Result<Vec<_>>>()?;
        let n = frame.n_rows();
        let masks: Vec<Vec<bool>> = self
            .rules
            .iter()
            .zip(&columns)
            .map(|(rule, col)| violations(&rule.check, col))
            .collect();

        let mut drop = vec![false; n];
        for (rule, mask) in self.rules.iter().zip(&masks) {
            if rule.action == Action::DropRow {
                for (d, &m) in drop.iter_mut().zip(mask) {
                    *d |= m;
                }
            }
        }

        // Set values missing column by column, so two rules on one column combine.
        let mut out = frame.clone();
        let mut values_set_missing = 0;
        for (c, name) in frame.names().iter().enumerate() {
            let mut cells = vec![false; n];
            for (rule, mask) in self.rules.iter().zip(&masks) {
                if rule.action == Action::SetMissing && &rule.column == name {
                    for (cell, &m) in cells.iter_mut().zip(mask) {
                        *cell |= m;
                    }
                }
            }
            if !cells.iter().any(|&b| b) {
                continue;
            }
            values_set_missing += (0..n).filter(|&r| cells[r] && !drop[r]).count();
            let column = set_missing(&frame.columns()[c], &cells)?;
            out = out.with_column(name, column)?;
        }

        let dropped_rows: Vec<usize> = (0..n).filter(|&r| drop[r]).collect();
        if !dropped_rows.is_empty() {
            let kept: Vec<usize> = (0..n).filter(|&r| !drop[r]).collect();
            out = out.take_rows(&kept)?;
        }

        let outcomes = self
            .rules
            .iter()
            .zip(&columns)
            .zip(&masks)
            .map(|((rule, col), mask)| {
                let rows: Vec<usize> = (0..n).filter(|&r| mask[r]).collect();
                let examples = rows
                    .iter()
                    .take(self.max_examples)
                    .map(|&row| Violation {
                        row,
                        value: cell(col, row),
                    })
                    .collect();
                let (rows_dropped, set) = match rule.action {
                    Action::Flag => (0, 0),
                    Action::DropRow => (rows.len(), 0),
                    Action::SetMissing => (0, rows.iter().filter(|&&r| !drop[r]).count()),
                };
                RuleOutcome {
                    rule: rule.clone(),
                    n_violations: rows.len(),
                    examples,
                    rows_dropped,
                    values_set_missing: set,
                }
            })
            .collect();

        let report = RulesReport {
            rows_before: n,
            rows_after: out.n_rows(),
            rows_dropped: dropped_rows.len(),
            dropped_rows,
            values_set_missing,
            outcomes,
        };
        Ok((out, report))
    }
}

/// The column rule `i` checks, after checking the rule against the frame.
fn resolve<'f>(i: usize, rule: &Rule, frame: &'f Frame) -> Result<&'f Column> {
    let what = || format!("rule {i} ({rule})");
    if let Check::Range { min, max } = rule.check {
        let owner = format!("rule {i} ({rule})");
        for (name, bound) in [("min", min), ("max", max)] {
            if bound.is_some_and(f64::is_nan) {
                return Err(Error::invalid_param(
                    owner,
                    name,
                    "must not be NaN; got NaN",
                ));
            }
        }
        if let (Some(lo), Some(hi)) = (min, max)
            && lo > hi
        {
            return Err(Error::invalid_param(
                owner,
                "min",
                format!("must be <= max; got min={lo}, max={hi}"),
            ));
        }
    }
    let col = frame
        .column(&rule.column)
        .map_err(|_| Error::InvalidValue {
            what: what(),
            row: None,
            reason: format!(
                "no column `{}`; the columns are: {}",
                rule.column,
                frame.names().join(", ")
            ),
        })?;
    let numeric = col.column_type().is_numeric();
    let wrong = match rule.check {
        Check::Range { .. } | Check::NonNegative => !numeric,
        Check::AllowedCategories(_) => numeric,
        Check::NotNull => false,
    };
    if wrong {
        let needs = if numeric { "categorical" } else { "numeric" };
        return Err(Error::InvalidValue {
            what: what(),
            row: None,
            reason: format!(
                "{} needs a {needs} column, but `{}` is {}",
                rule.check.name(),
                rule.column,
                col.column_type()
            ),
        });
    }
    Ok(col)
}

/// Which rows of `col` fail `check`; the column's type was checked by `resolve`.
fn violations(check: &Check, col: &Column) -> Vec<bool> {
    match (col, check) {
        (Column::Categorical(cat), _) => {
            let allowed: Vec<bool> = match check {
                Check::AllowedCategories(ok) => {
                    cat.levels().iter().map(|l| ok.contains(l)).collect()
                }
                _ => vec![true; cat.levels().len()],
            };
            cat.codes()
                .iter()
                .map(|&c| match check {
                    Check::NotNull => c == MISSING_CODE,
                    _ => c != MISSING_CODE && !allowed.get(c as usize).copied().unwrap_or(true),
                })
                .collect()
        }
        (Column::Float(v) | Column::Int(v) | Column::Bool(v), _) => v
            .iter()
            .map(|&x| match check {
                Check::NotNull => x.is_nan(),
                Check::NonNegative => x < 0.0,
                // NaN compares false both ways, so missing values pass.
                Check::Range { min, max } => {
                    min.is_some_and(|m| x < m) || max.is_some_and(|m| x > m)
                }
                Check::AllowedCategories(_) => false,
            })
            .collect(),
    }
}

fn set_missing(col: &Column, cells: &[bool]) -> Result<Column> {
    let blank = |v: &[f64]| -> Vec<f64> {
        v.iter()
            .zip(cells)
            .map(|(&x, &c)| if c { f64::NAN } else { x })
            .collect()
    };
    Ok(match col {
        Column::Float(v) => Column::Float(blank(v)),
        Column::Int(v) => Column::Int(blank(v)),
        Column::Bool(v) => Column::Bool(blank(v)),
        Column::Categorical(cat) => {
            let codes = cat
                .codes()
                .iter()
                .zip(cells)
                .map(|(&x, &c)| if c { MISSING_CODE } else { x })
                .collect();
            Column::Categorical(Categorical::from_codes(codes, cat.levels().to_vec())?)
        }
    })
}

fn cell(col: &Column, row: usize) -> CellValue {
    if col.is_missing(row) {
        return CellValue::Missing;
    }
    match col {
        Column::Float(v) | Column::Int(v) | Column::Bool(v) => CellValue::Number(v[row]),
        Column::Categorical(cat) => {
            CellValue::Category(cat.get(row).unwrap_or_default().to_owned())
        }
    }
}
