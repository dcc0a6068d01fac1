//! [`Problem`]: the business problem a model is for, and how success is measured.
//!
//! Every piece of work starts here: what is predicted (the task and the target, with its
//! positive class), which number says the model is good enough (the success metric and its
//! goal), which groups must be treated alike (sensitive columns and fairness thresholds), and
//! which columns must never be features (identifiers, leakage). The pipeline, the `kiln`
//! command-line tool and the reports read it to pick defaults and to say plainly whether a
//! model met the goal; it is saved with the model.
//!
//! # Example
//!
//! ```
//! use std::collections::BTreeMap;
//! use kiln::problem::{Problem, Task};
//!
//! let problem = Problem::classification("credit")
//!     .with_positive_class("good")
//!     .with_goal("roc_auc", 0.75)
//!     .with_sensitive(["sex", "age_group"])
//!     .with_exclude(["id"]);
//! problem.validate()?;
//! assert_eq!(problem.task, Task::Classification);
//!
//! let scores = BTreeMap::from([("roc_auc".to_string(), 0.78), ("accuracy".to_string(), 0.74)]);
//! let assessment = problem.assess(&scores, None)?;
//! assert_eq!(assessment.met, Some(true));
//! println!("{assessment}"); // goal met: roc_auc = 0.7800 (goal >= 0.75)
//! # Ok::<(), kiln::Error>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;

use kiln_core::{Error, Result};
use kiln_fairness::report::{FairnessReport, Thresholds, Verdict};
use serde::{Deserialize, Serialize};

/// What is predicted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    /// Predict a category (binary or multiclass).
    Classification,
    /// Predict a number.
    Regression,
    /// Group rows without a target.
    Clustering,
}

impl Task {
    /// The task's name: `classification`, `regression`, `clustering`.
    pub fn name(self) -> &'static str {
        match self {
            Task::Classification => "classification",
            Task::Regression => "regression",
            Task::Clustering => "clustering",
        }
    }

    /// The task named `name` (as [`Task::name`] prints it).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for another name.
    pub fn from_name(name: &str) -> Result<Task> {
        match name.trim().to_ascii_lowercase().as_str() {
            "classification" | "classifier" => Ok(Task::Classification),
            "regression" | "regressor" => Ok(Task::Regression),
            "clustering" | "cluster" => Ok(Task::Clustering),
            other => Err(Error::invalid_param(
                "Problem",
                "task",
                format!(
                    "unknown task `{other}`; expected classification, regression or clustering"
                ),
            )),
        }
    }
}

/// Whether a larger or a smaller value of a metric is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    /// Larger is better (accuracy, AUC, R²).
    Higher,
    /// Smaller is better (errors, losses).
    Lower,
}

/// The success metrics a [`Problem`] can name, by task, with scikit-learn's names (the
/// lower-is-better errors without scikit-learn's `neg_` prefix).
pub const METRICS: &[(&str, Task, Better)] = &[
    ("accuracy", Task::Classification, Better::Higher),
    ("balanced_accuracy", Task::Classification, Better::Higher),
    ("precision", Task::Classification, Better::Higher),
    ("recall", Task::Classification, Better::Higher),
    ("f1", Task::Classification, Better::Higher),
    ("matthews_corrcoef", Task::Classification, Better::Higher),
    ("roc_auc", Task::Classification, Better::Higher),
    ("average_precision", Task::Classification, Better::Higher),
    ("log_loss", Task::Classification, Better::Lower),
    ("brier", Task::Classification, Better::Lower),
    ("r2", Task::Regression, Better::Higher),
    ("rmse", Task::Regression, Better::Lower),
    ("mae", Task::Regression, Better::Lower),
    ("mape", Task::Regression, Better::Lower),
    ("inertia", Task::Clustering, Better::Lower),
    ("silhouette", Task::Clustering, Better::Higher),
];

/// Whether larger values of `metric` are better, or `None` for a metric not in [`METRICS`].
pub fn better(metric: &str) -> Option<Better> {
    METRICS
        .iter()
        .find(|(name, _, _)| *name == metric)
        .map(|&(_, _, b)| b)
}

/// The fairness measures whose verdicts decide a [`Problem`]'s fairness goal unless others
/// are named: the four-fifths rule on selection rates, and equalized odds.
pub const DEFAULT_FAIRNESS_MEASURES: &[&str] =
    &["demographic_parity_ratio", "equalized_odds_difference"];

/// The business problem: task, target, success metric and goal, sensitive columns with the
/// fairness bar, and columns that are never features.
///
/// # Parameters
/// - `task`: classification, regression or clustering (no default: use a constructor).
/// - `target` (default `None`): the column predicted; required unless clustering.
/// - `positive_class` (default `None`): the favourable outcome of a binary target, named
///   explicitly (never inferred from the data's order). Required for the metrics of a binary
///   problem that need one (precision, recall, F1, ROC AUC, average precision) and for the
///   fairness audit.
/// - `favorable_class` (default `None`: the positive class): the outcome the fairness audit
///   counts as favourable. It differs from the positive class when the model detects a bad
///   outcome (`default`, `fraud`) while the audit asks who gets the good one (`repaid`).
/// - `metric` (default by task: `roc_auc` for classification, `r2` for regression,
///   `silhouette` for clustering): the success metric, one of [`METRICS`].
/// - `goal` (default `None`): the value of `metric` that counts as success (at least it when
///   higher is better, at most it otherwise). Without a goal, results are reported but not judged.
/// - `sensitive` (default none): the columns whose groups must be treated alike.
/// - `fairness` (default [`Thresholds::default`]: differences ≤ 0.1, ratios ≥ 0.8).
/// - `fairness_measures` (default [`DEFAULT_FAIRNESS_MEASURES`]): the measures of the
///   fairness report (fairlearn names) that must pass.
/// - `exclude` (default none): columns that must never be features (identifiers, leakage).
/// - `sensitive_as_features` (default `false`): whether sensitive columns may be features.
///   By default they are not, as lending and hiring rules often require; note that leaving
///   them out does not by itself make a model fair (other columns can stand in for them),
///   which is why the audit is still run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Problem {
    /// Classification, regression or clustering.
    pub task: Task,
    /// The target column. By default, `None`.
    #[serde(default)]
    pub target: Option<String>,
    /// The favourable outcome of a binary target. By default, `None`.
    #[serde(default)]
    pub positive_class: Option<String>,
    /// The favourable outcome for the audit. By default, `None` (the positive class).
    #[serde(default)]
    pub favorable_class: Option<String>,
    /// The success metric. By default, set by task.
    #[serde(default)]
    pub metric: Option<String>,
    /// The value of `metric` that counts as success. By default, `None`.
    #[serde(default)]
    pub goal: Option<f64>,
    /// Sensitive columns. By default, none.
    #[serde(default)]
    pub sensitive: Vec<String>,
    /// The fairness bar. By default, [`Thresholds::default`].
    #[serde(default)]
    pub fairness: Thresholds,
    /// The measures that must pass. By default, [`DEFAULT_FAIRNESS_MEASURES`].
    #[serde(default = "default_measures")]
    pub fairness_measures: Vec<String>,
    /// Columns that are never features. By default, none.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Whether sensitive columns may be features. By default, `false`.
    #[serde(default)]
    pub sensitive_as_features: bool,
}

fn default_measures() -> Vec<String> {
    DEFAULT_FAIRNESS_MEASURES
        .iter()
        .map(|s| (*s).to_string())
        .collect()
}

impl Problem {
    fn new(task: Task, target: Option<String>) -> Self {
        Self {
            task,
            target,
            positive_class: None,
            favorable_class: None,
            metric: None,
            goal: None,
            sensitive: Vec::new(),
            fairness: Thresholds::default(),
            fairness_measures: default_measures(),
            exclude: Vec::new(),
            sensitive_as_features: false,
        }
    }

    /// A classification problem predicting `target`.
    pub fn classification(target: &str) -> Self {
        Self::new(Task::Classification, Some(target.to_string()))
    }

    /// A regression problem predicting `target`.
    pub fn regression(target: &str) -> Self {
        Self::new(Task::Regression, Some(target.to_string()))
    }

    /// A clustering problem (no target).
    pub fn clustering() -> Self {
        Self::new(Task::Clustering, None)
    }

    /// Sets `positive_class` (by default, `None`).
    #[must_use]
    pub fn with_positive_class(mut self, label: &str) -> Self {
        self.positive_class = Some(label.to_string());
        self
    }

    /// Sets `favorable_class` (by default, `None`: the positive class).
    #[must_use]
    pub fn with_favorable_class(mut self, label: &str) -> Self {
        self.favorable_class = Some(label.to_string());
        self
    }

    /// The favourable outcome of the audit: `favorable_class`, else the positive class.
    pub fn favorable(&self) -> Option<&str> {
        self.favorable_class
            .as_deref()
            .or(self.positive_class.as_deref())
    }

    /// Sets the success `metric` (by default, set by task) without a goal.
    #[must_use]
    pub fn with_metric(mut self, metric: &str) -> Self {
        self.metric = Some(metric.to_string());
        self
    }

    /// Sets the success `metric` and the `goal` it must reach.
    #[must_use]
    pub fn with_goal(mut self, metric: &str, goal: f64) -> Self {
        self.metric = Some(metric.to_string());
        self.goal = Some(goal);
        self
    }

    /// Sets the `sensitive` columns (by default, none).
    #[must_use]
    pub fn with_sensitive<S: AsRef<str>>(mut self, columns: impl IntoIterator<Item = S>) -> Self {
        self.sensitive = columns
            .into_iter()
            .map(|c| c.as_ref().to_string())
            .collect();
        self
    }

    /// Sets the fairness thresholds (by default, [`Thresholds::default`]).
    #[must_use]
    pub fn with_fairness(mut self, thresholds: Thresholds) -> Self {
        self.fairness = thresholds;
        self
    }

    /// Sets the fairness measures that must pass (by default, [`DEFAULT_FAIRNESS_MEASURES`]).
    #[must_use]
    pub fn with_fairness_measures<S: AsRef<str>>(
        mut self,
        measures: impl IntoIterator<Item = S>,
    ) -> Self {
        self.fairness_measures = measures
            .into_iter()
            .map(|c| c.as_ref().to_string())
            .collect();
        self
    }

    /// Sets the columns that are never features (by default, none).
    #[must_use]
    pub fn with_exclude<S: AsRef<str>>(mut self, columns: impl IntoIterator<Item = S>) -> Self {
        self.exclude = columns
            .into_iter()
            .map(|c| c.as_ref().to_string())
            .collect();
        self
    }

    /// Sets `sensitive_as_features` (by default, `false`).
    #[must_use]
    pub fn with_sensitive_as_features(mut self, yes: bool) -> Self {
        self.sensitive_as_features = yes;
        self
    }

    /// The success metric: the one set, or the task's default.
    pub fn metric(&self) -> &str {
        match (&self.metric, self.task) {
            (Some(m), _) => m,
            (None, Task::Classification) => "roc_auc",
            (None, Task::Regression) => "r2",
            (None, Task::Clustering) => "silhouette",
        }
    }

    /// Checks the problem is consistent: a target unless clustering (and none when
    /// clustering), a known metric of the task, a finite goal, known fairness measures' names
    /// are not checked here (the report decides), no column both target and excluded or
    /// sensitive.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the first inconsistency.
    pub fn validate(&self) -> Result<()> {
        let bad = |name: &str, reason: String| Err(Error::invalid_param("Problem", name, reason));
        match (self.task, &self.target) {
            (Task::Clustering, Some(t)) => {
                return bad(
                    "target",
                    format!("a clustering problem has no target, got `{t}`"),
                );
            }
            (Task::Classification | Task::Regression, None) => {
                return bad(
                    "target",
                    format!("a {} problem needs a target column", self.task.name()),
                );
            }
            (_, Some(t)) if t.is_empty() => return bad("target", "is empty".into()),
            _ => {}
        }
        if (self.positive_class.is_some() || self.favorable_class.is_some())
            && self.task != Task::Classification
        {
            return bad(
                "positive_class",
                format!(
                    "only a classification problem has a positive class, this is {}",
                    self.task.name()
                ),
            );
        }
        let metric = self.metric();
        match METRICS.iter().find(|(n, _, _)| *n == metric) {
            None => {
                let known: Vec<&str> = METRICS
                    .iter()
                    .filter(|(_, t, _)| *t == self.task)
                    .map(|(n, _, _)| *n)
                    .collect();
                return bad(
                    "metric",
                    format!(
                        "unknown metric `{metric}`; for {} use one of: {}",
                        self.task.name(),
                        known.join(", ")
                    ),
                );
            }
            Some((_, task, _)) if *task != self.task => {
                return bad(
                    "metric",
                    format!(
                        "`{metric}` is a {} metric, this is a {} problem",
                        task.name(),
                        self.task.name()
                    ),
                );
            }
            _ => {}
        }
        if let Some(g) = self.goal
            && !g.is_finite()
        {
            return bad("goal", format!("must be a finite number, got {g}"));
        }
        if let Some(t) = &self.target {
            if self.exclude.contains(t) {
                return bad("exclude", format!("the target `{t}` is also excluded"));
            }
            if self.sensitive.contains(t) {
                return bad("sensitive", format!("the target `{t}` is also sensitive"));
            }
        }
        let f = &self.fairness;
        if !(f.max_difference >= 0.0 && f.max_difference.is_finite()) {
            return bad(
                "fairness.max_difference",
                format!("must be >= 0, got {}", f.max_difference),
            );
        }
        if !(f.min_ratio > 0.0 && f.min_ratio <= 1.0) {
            return bad(
                "fairness.min_ratio",
                format!("must be in (0, 1], got {}", f.min_ratio),
            );
        }
        Ok(())
    }

    /// The columns of `all` that may be features: all but the target, the excluded columns
    /// and (unless `sensitive_as_features`) the sensitive ones, in `all`'s order.
    pub fn feature_columns(&self, all: &[String]) -> Vec<String> {
        all.iter()
            .filter(|c| {
                self.target.as_ref() != Some(*c)
                    && !self.exclude.contains(c)
                    && (self.sensitive_as_features || !self.sensitive.contains(c))
            })
            .cloned()
            .collect()
    }

    /// Judges results against the goal: `scores` maps metric names (as in [`METRICS`]) to
    /// values; `fairness`, when given, is the audit of the model's predictions.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when the problem does not validate.
    pub fn assess(
        &self,
        scores: &BTreeMap<String, f64>,
        fairness: Option<&FairnessReport>,
    ) -> Result<Assessment> {
        self.validate()?;
        let metric = self.metric().to_string();
        let value = scores.get(&metric).copied();
        let higher = better(&metric) != Some(Better::Lower);
        let goal = self.goal.map(|goal| {
            let met = value.map(|v| if higher { v >= goal } else { v <= goal });
            GoalCheck {
                metric: metric.clone(),
                value,
                goal,
                higher_is_better: higher,
                met,
            }
        });
        let mut checks = Vec::new();
        if let Some(report) = fairness {
            for name in &self.fairness_measures {
                let (value, verdict) = match report.measure(name) {
                    Some(m) => (m.value.get(), m.verdict),
                    None => (None, Verdict::Undefined),
                };
                checks.push(FairnessCheck {
                    measure: name.clone(),
                    value,
                    threshold: report
                        .measure(name)
                        .and_then(|m| m.threshold)
                        .map(|t| t.to_string()),
                    verdict,
                });
            }
        }
        let goal_met = goal.as_ref().map(|g| g.met == Some(true));
        let fair_met = fairness.map(|_| checks.iter().all(|c| c.verdict == Verdict::Pass));
        let met = match (goal_met, fair_met) {
            (None, None) => None,
            (Some(a), None) | (None, Some(a)) => Some(a),
            (Some(a), Some(b)) => Some(a && b),
        };
        Ok(Assessment {
            goal,
            fairness: checks,
            met,
        })
    }
}

impl fmt::Display for Problem {
    /// The problem in plain words, one statement per line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.target, self.task) {
            (Some(t), Task::Classification) => {
                write!(f, "classification: predict `{t}`")?;
                if let Some(p) = &self.positive_class {
                    write!(f, ", positive class `{p}`")?;
                }
                if let Some(fav) = &self.favorable_class {
                    write!(f, ", favourable outcome `{fav}`")?;
                }
                writeln!(f)?;
            }
            (Some(t), task) => writeln!(f, "{}: predict `{t}`", task.name())?,
            (None, task) => writeln!(f, "{}: group the rows (no target)", task.name())?,
        }
        let metric = self.metric();
        let cmp = if better(metric) == Some(Better::Lower) {
            "<="
        } else {
            ">="
        };
        match self.goal {
            Some(g) => writeln!(f, "success: {metric} {cmp} {g} on held-out data")?,
            None => writeln!(f, "success metric: {metric} (no goal set)")?,
        }
        if !self.sensitive.is_empty() {
            writeln!(
                f,
                "fairness: groups of {} must pass {} (differences <= {}, ratios >= {}){}",
                self.sensitive.join(", "),
                self.fairness_measures.join(", "),
                self.fairness.max_difference,
                self.fairness.min_ratio,
                if self.sensitive_as_features {
                    ""
                } else {
                    "; not used as features"
                }
            )?;
        }
        if !self.exclude.is_empty() {
            writeln!(f, "never features: {}", self.exclude.join(", "))?;
        }
        Ok(())
    }
}

/// The success metric against its goal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoalCheck {
    /// The metric's name.
    pub metric: String,
    /// Its value (`None` when it was not computed, e.g. ROC AUC without probabilities).
    pub value: Option<f64>,
    /// The goal.
    pub goal: f64,
    /// Whether higher values are better.
    pub higher_is_better: bool,
    /// Whether the goal is met (`None` without a value).
    pub met: Option<bool>,
}

/// One fairness measure the problem requires, and its verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FairnessCheck {
    /// The measure's fairlearn name.
    pub measure: String,
    /// Its value (`None` when undefined or not in the report).
    pub value: Option<f64>,
    /// The bar, as the report states it (e.g. `>= 0.8`).
    pub threshold: Option<String>,
    /// The verdict.
    pub verdict: Verdict,
}

/// Whether a model met its [`Problem`]'s goal, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    /// The success metric against its goal (`None` without a goal).
    pub goal: Option<GoalCheck>,
    /// The required fairness measures (empty without an audit).
    pub fairness: Vec<FairnessCheck>,
    /// Met (`Some(true)`), missed (`Some(false)`), or nothing to judge (`None`).
    pub met: Option<bool>,
}

impl fmt::Display for Assessment {
    /// One line per check, then the verdict in plain words.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(g) = &self.goal {
            let cmp = if g.higher_is_better { ">=" } else { "<=" };
            let status = match g.met {
                Some(true) => "goal met",
                Some(false) => "goal MISSED",
                None => "goal not measured",
            };
            match g.value {
                Some(v) => writeln!(f, "{status}: {} = {v:.4} (goal {cmp} {})", g.metric, g.goal)?,
                None => writeln!(
                    f,
                    "{status}: {} was not computed (goal {cmp} {})",
                    g.metric, g.goal
                )?,
            }
        }
        for c in &self.fairness {
            let v = c
                .value
                .map_or_else(|| "undefined".to_string(), |v| format!("{v:.4}"));
            let t = c.threshold.as_deref().unwrap_or("not judged");
            writeln!(f, "fairness {}: {} = {v} (bar {t})", c.verdict, c.measure)?;
        }
        match self.met {
            Some(true) => write!(f, "verdict: the model meets the problem's goals"),
            Some(false) => write!(f, "verdict: the model does NOT meet the problem's goals"),
            None => write!(f, "verdict: no goal was set, nothing to judge"),
        }
    }
}
