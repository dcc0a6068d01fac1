//! The problem statement from options (`--target`, `--metric`, `--goal`, `--sensitive`, ...)
//! or from a small TOML file (`--problem problem.toml`), options winning.
//!
//! ```toml
//! task = "classification"
//! target = "credit"
//! positive_class = "good"
//! metric = "roc_auc"
//! goal = 0.75
//! sensitive = ["sex", "age_group"]
//! exclude = ["id"]
//!
//! [fairness]
//! min_ratio = 0.8
//! max_difference = 0.1
//! ```

use std::path::{Path, PathBuf};

use clap::Args as ClapArgs;
use kiln::estimator::{Classifier, Clusterer, Regressor};
use kiln::prep::{ColumnType, Frame};
use kiln::problem::{Problem, Task};

use crate::common::{CliError, require_columns, split_list};

/// The options that state the problem.
#[derive(Debug, Clone, ClapArgs)]
pub struct ProblemArgs {
    /// The column to predict (none: clustering).
    #[arg(long, value_name = "COL")]
    pub target: Option<String>,
    /// classification, regression or clustering (default: inferred from the target and the model).
    #[arg(long, value_name = "TASK")]
    pub task: Option<String>,
    /// The positive class of a binary target (needed unless it is 1, true or yes).
    #[arg(long, value_name = "LABEL")]
    pub positive: Option<String>,
    /// The favourable outcome for the fairness audit (default: the positive class).
    #[arg(long, value_name = "LABEL")]
    pub favorable: Option<String>,
    /// The success metric (roc_auc, accuracy, f1, ..., r2, rmse, mae, ..., silhouette).
    #[arg(long, value_name = "NAME")]
    pub metric: Option<String>,
    /// The value of the success metric that counts as success.
    #[arg(long, value_name = "VALUE", allow_negative_numbers = true)]
    pub goal: Option<f64>,
    /// Sensitive columns (comma-separated or repeated); not used as features.
    #[arg(long, value_name = "COL[,COL]")]
    pub sensitive: Vec<String>,
    /// Columns never used as features (identifiers, leakage); comma-separated or repeated.
    #[arg(long = "drop", value_name = "COL[,COL]")]
    pub drop: Vec<String>,
    /// A TOML file stating the problem (options given on the command line win).
    #[arg(long, value_name = "FILE")]
    pub problem: Option<PathBuf>,
}

fn read_toml(path: &Path) -> Result<Problem, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::new(format!("cannot read {}: {e}", path.display())))?;
    toml::from_str::<Problem>(&text).map_err(|e| {
        let msg = e.message().to_string();
        let line = e.span().map(|s| {
            text.as_bytes()[..s.start.min(text.len())]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1
        });
        CliError::usage(match line {
            Some(l) => format!("{}: line {l}: {msg}", path.display()),
            None => format!("{}: {msg}", path.display()),
        })
    })
}

/// The task a model name belongs to, when it belongs to one only.
fn task_of_model(name: &str) -> Option<Task> {
    let c = Classifier::from_name(name).is_ok();
    let r = Regressor::from_name(name).is_ok();
    let k = Clusterer::from_name(name).is_ok();
    match (c, r, k) {
        (true, false, false) => Some(Task::Classification),
        (false, true, false) => Some(Task::Regression),
        (false, false, true) => Some(Task::Clustering),
        _ => None,
    }
}

/// Classification for text or true/false targets and for whole numbers with at most 20
/// distinct values; regression otherwise.
fn task_of_target(frame: &Frame, target: &str) -> Result<(Task, String), CliError> {
    let col = frame.column(target)?;
    Ok(match col.column_type() {
        ColumnType::Categorical => (Task::Classification, format!("`{target}` holds text")),
        ColumnType::Bool => (Task::Classification, format!("`{target}` is true/false")),
        _ => {
            let v = col.as_numeric().unwrap_or(&[]);
            let mut distinct: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
            distinct.sort_by(f64::total_cmp);
            distinct.dedup();
            let whole = distinct.iter().all(|x| x.fract() == 0.0);
            if whole && distinct.len() <= 20 {
                (
                    Task::Classification,
                    format!("`{target}` has {} distinct whole numbers", distinct.len()),
                )
            } else {
                (Task::Regression, format!("`{target}` holds numbers"))
            }
        }
    })
}

impl ProblemArgs {
    /// The problem for `frame` (read from `path`), with `model` the `--model` name if any.
    /// Prints how the task was inferred on stderr unless `quiet`.
    pub fn build(
        &self,
        frame: &Frame,
        path: &Path,
        model: Option<&str>,
        quiet: bool,
    ) -> Result<Problem, CliError> {
        let base = match &self.problem {
            Some(p) => Some(read_toml(p)?),
            None => None,
        };
        let target = self
            .target
            .clone()
            .or_else(|| base.as_ref().and_then(|b| b.target.clone()));
        let task = match (&self.task, &base) {
            (Some(t), _) => Task::from_name(t).map_err(|_| {
                CliError::usage(format!(
                    "--task must be classification, regression or clustering, got `{t}`"
                ))
            })?,
            (None, Some(b)) => b.task,
            (None, None) => match (&target, model.and_then(task_of_model)) {
                (None, _) => Task::Clustering,
                (Some(_), Some(t)) => t,
                (Some(t), None) => {
                    require_columns(frame, path, "--target", std::slice::from_ref(t))?;
                    let (task, why) = task_of_target(frame, t)?;
                    if !quiet {
                        eprintln!("task: {} ({why}; use --task to choose)", task.name());
                    }
                    task
                }
            },
        };
        let mut p = match base {
            Some(b) => Problem {
                task,
                target: target.clone(),
                ..b
            },
            None => match (&target, task) {
                (Some(t), Task::Classification) => Problem::classification(t),
                (Some(t), Task::Regression) => Problem::regression(t),
                (None, Task::Clustering) => Problem::clustering(),
                (None, _) => {
                    return Err(CliError::usage(format!(
                        "a {} problem needs --target COL",
                        task.name()
                    )));
                }
                (Some(t), Task::Clustering) => {
                    return Err(CliError::usage(format!(
                        "clustering has no target, but --target `{t}` was given"
                    )));
                }
            },
        };
        if let Some(v) = &self.positive {
            p.positive_class = Some(v.clone());
        }
        if let Some(v) = &self.favorable {
            p.favorable_class = Some(v.clone());
        }
        if let Some(v) = &self.metric {
            p.metric = Some(v.clone());
        }
        if let Some(v) = self.goal {
            p.goal = Some(v);
        }
        let sensitive = split_list(&self.sensitive);
        if !sensitive.is_empty() {
            p.sensitive = sensitive;
        }
        let drop = split_list(&self.drop);
        if !drop.is_empty() {
            p.exclude.extend(drop);
        }
        p.validate()?;
        if let Some(t) = &p.target {
            require_columns(frame, path, "--target", std::slice::from_ref(t))?;
        }
        require_columns(frame, path, "--sensitive", &p.sensitive)?;
        require_columns(frame, path, "--drop", &p.exclude)?;
        Ok(p)
    }
}
