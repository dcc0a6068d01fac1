//! `kiln compare`: models cross-validated on the same folds, with a paired test between the
//! best two.

use std::path::PathBuf;

use kiln::estimator::{Classifier, FittedClassifier, FittedRegressor, Regressor};
use kiln::model::{ClassTarget, Estimator, Evaluation, classification_target};
use kiln::pipeline::{FittedOnFrame, Pipeline, row_ids};
use kiln::prelude::*;
use kiln::prep::Frame;
use kiln::prep::split::{KFold, Splitter, StratifiedKFold};
use kiln::problem::{Better, Problem, Task, better};
use kiln::select::compare::{CompareOptions, compare_scores};
use kiln::select::cv::{CvOptions, CvResult, cross_validate};
use kiln::select::scorer::{Direction, Scorer};
use ndarray::Array1;
use serde_json::json;

use crate::cmd::train::estimator;
use crate::common::{CliError, CliResult, CsvArgs, Output, path_string, read_csv, split_list};
use crate::problem_args::ProblemArgs;

/// Options of `kiln compare`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The data (CSV with a header row).
    #[arg(value_name = "DATA.csv")]
    pub data: PathBuf,
    #[command(flatten)]
    pub problem: ProblemArgs,
    /// The models to compare, comma-separated (see `kiln train --help` for the names).
    #[arg(long, value_name = "A,B,C", required = true)]
    pub models: Vec<String>,
    /// The number of cross-validation folds (stratified for classification).
    #[arg(long, value_name = "K", default_value_t = 5)]
    pub cv: usize,
    /// The seed of the folds and of the models.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub seed: u64,
    #[command(flatten)]
    pub csv: CsvArgs,
    #[command(flatten)]
    pub output: Output,
}

/// A scorer computing one metric of [`Evaluation`] (so the names and definitions are those
/// of `train` and `evaluate`).
fn classification_scorer<'f>(
    metric: &str,
    classes: Vec<String>,
    positive: Option<usize>,
) -> Scorer<FittedOnFrame<'f, FittedClassifier>, usize> {
    let name = metric.to_string();
    let direction = direction_of(metric);
    Scorer::new(
        metric,
        direction,
        move |m: &FittedOnFrame<'_, FittedClassifier>, x, y, _| {
            let proba = m.predict_proba(x)?;
            let fitted = m.classes();
            let pred: Array1<usize> = proba
                .rows()
                .into_iter()
                .map(|r| {
                    let best = (0..r.len()).fold(0, |b, j| if r[j] > r[b] { j } else { b });
                    fitted.get(best).copied().unwrap_or(best)
                })
                .collect();
            // Probabilities by class index, with zero columns for classes this fold lacks.
            let mut full = ndarray::Array2::zeros((proba.nrows(), classes.len()));
            for (j, &c) in fitted.iter().enumerate() {
                if c < classes.len() {
                    full.column_mut(c).assign(&proba.column(j));
                }
            }
            let e = Evaluation::classification(
                y,
                pred.view(),
                Some(full.view()),
                &classes,
                positive,
                0.0,
            )?;
            metric_value(&e, &name)
        },
    )
}

fn regression_scorer<'f>(metric: &str) -> Scorer<FittedOnFrame<'f, FittedRegressor>, f64> {
    let name = metric.to_string();
    Scorer::new(
        metric,
        direction_of(metric),
        move |m: &FittedOnFrame<'_, FittedRegressor>, x, y, _| {
            let pred = m.predict(x)?;
            let e = Evaluation::regression(y, pred.view(), 0.0)?;
            metric_value(&e, &name)
        },
    )
}

fn direction_of(metric: &str) -> Direction {
    if better(metric) == Some(Better::Lower) {
        Direction::Minimize
    } else {
        Direction::Maximize
    }
}

fn metric_value(e: &Evaluation, name: &str) -> kiln::Result<f64> {
    e.metrics
        .get(name)
        .copied()
        .ok_or_else(|| kiln::Error::InvalidValue {
            what: format!("the metric `{name}`"),
            row: None,
            reason: e
                .notes
                .iter()
                .find(|n| n.starts_with(name))
                .cloned()
                .unwrap_or_else(|| "is not computed for this problem".into()),
        })
}

/// One model's cross-validated scores.
struct Row {
    name: String,
    scores: Vec<f64>,
    secondary: Vec<f64>,
    fit_seconds: f64,
}

fn summarize<M>(name: &str, res: &CvResult<M>, metric: &str, secondary: &str) -> Row {
    Row {
        name: name.to_string(),
        scores: res.test_scores(metric).unwrap_or_default(),
        secondary: res.test_scores(secondary).unwrap_or_default(),
        fit_seconds: res.fit_times().iter().map(|d| d.as_secs_f64()).sum(),
    }
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

fn std(v: &[f64]) -> f64 {
    let m = mean(v);
    (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / v.len().max(1) as f64).sqrt()
}

/// Class indices of the target and the positive class, as `Model::train` reads them.
fn classes_of(
    frame: &Frame,
    problem: &Problem,
    path: &std::path::Path,
) -> Result<ClassTarget, CliError> {
    classification_target(problem, frame).map_err(|e| CliError::at(path, e))
}

/// Runs `kiln compare`.
pub fn run(args: &Args) -> CliResult {
    let out = &args.output;
    let names = split_list(&args.models);
    if names.len() < 2 {
        return Err(CliError::usage(
            "--models needs at least two models, e.g. --models logistic,forest",
        ));
    }
    if args.cv < 2 {
        return Err(CliError::usage(format!(
            "--cv must be at least 2, got {}",
            args.cv
        )));
    }
    let csv = args.csv.options(kiln::prep::CsvOptions::default())?;
    let data = read_csv(&args.data, &csv, out)?;
    let problem = args.problem.build(
        &data,
        &args.data,
        names.first().map(String::as_str),
        out.quiet || out.json,
    )?;
    let metric = problem.metric().to_string();
    let features = problem.feature_columns(data.names());
    let ids = row_ids(data.n_rows());
    let options = CvOptions::default();
    let bar = out.bar(names.len() as u64, "cross-validating");
    let mut rows = Vec::new();
    let at = |e: kiln::Error| CliError::at(&args.data, e);
    match problem.task {
        Task::Classification => {
            let ClassTarget {
                y,
                classes,
                positive,
                ..
            } = classes_of(&data, &problem, &args.data)?;
            let cv = StratifiedKFold::default()
                .with_n_splits(args.cv)
                .with_shuffle(true)
                .with_seed(args.seed);
            let secondary = if metric == "accuracy" {
                "balanced_accuracy"
            } else {
                "accuracy"
            };
            for name in &names {
                let Estimator::Classifier(c) =
                    estimator(Task::Classification, Some(name), &[], args.seed)?
                else {
                    return Err(CliError::usage(format!(
                        "--models: `{name}` is not a classifier"
                    )));
                };
                let p: Pipeline<Classifier> = Pipeline::new(c).with_features(features.clone());
                let scorers = [
                    classification_scorer(&metric, classes.clone(), positive),
                    classification_scorer(secondary, classes.clone(), positive),
                ];
                let res =
                    cross_validate(&p.on(&data), ids.view(), y.view(), &cv, &scorers, &options)
                        .map_err(at)?;
                rows.push(summarize(name, &res, &metric, secondary));
                bar.inc();
            }
            finish(
                args,
                out,
                &problem,
                &metric,
                secondary,
                rows,
                cv.n_splits(),
                data.n_rows(),
            )
        }
        Task::Regression => {
            let target = problem.target.clone().unwrap_or_default();
            let col = data.column(&target)?;
            let Some(values) = col.as_numeric() else {
                return Err(CliError::new(format!(
                    "target `{target}` holds text; use --task classification"
                )));
            };
            let y = Array1::from(values.to_vec());
            let cv = KFold::default()
                .with_n_splits(args.cv)
                .with_shuffle(true)
                .with_seed(args.seed);
            let secondary = if metric == "rmse" { "mae" } else { "rmse" };
            for name in &names {
                let Estimator::Regressor(r) =
                    estimator(Task::Regression, Some(name), &[], args.seed)?
                else {
                    return Err(CliError::usage(format!(
                        "--models: `{name}` is not a regressor"
                    )));
                };
                let p: Pipeline<Regressor> = Pipeline::new(r).with_features(features.clone());
                let scorers = [regression_scorer(&metric), regression_scorer(secondary)];
                let res =
                    cross_validate(&p.on(&data), ids.view(), y.view(), &cv, &scorers, &options)
                        .map_err(at)?;
                rows.push(summarize(name, &res, &metric, secondary));
                bar.inc();
            }
            finish(
                args,
                out,
                &problem,
                &metric,
                secondary,
                rows,
                cv.n_splits(),
                data.n_rows(),
            )
        }
        Task::Clustering => Err(CliError::usage(
            "compare needs a target: clustering models have no held-out score to compare",
        )),
    }
}

#[allow(clippy::too_many_arguments)]
fn finish(
    args: &Args,
    out: &Output,
    problem: &Problem,
    metric: &str,
    secondary: &str,
    mut rows: Vec<Row>,
    k: usize,
    n: usize,
) -> CliResult {
    let lower = better(metric) == Some(Better::Lower);
    rows.sort_by(|a, b| {
        let (x, y) = (mean(&a.scores), mean(&b.scores));
        if lower {
            x.total_cmp(&y)
        } else {
            y.total_cmp(&x)
        }
    });
    let comparison = match (rows.first(), rows.get(1)) {
        (Some(a), Some(b)) => {
            let n_test = n / k;
            let opts = CompareOptions::new(n - n_test, n_test)
                .with_metric(metric, direction_of(metric))
                .with_names(a.name.clone(), b.name.clone());
            Some(compare_scores(
                Array1::from(a.scores.clone()).view(),
                Array1::from(b.scores.clone()).view(),
                &opts,
            )?)
        }
        _ => None,
    };
    let best = rows.first().map(|r| r.name.clone()).unwrap_or_default();
    let goal_met = problem.goal.zip(rows.first()).map(|(g, r)| {
        if lower {
            mean(&r.scores) <= g
        } else {
            mean(&r.scores) >= g
        }
    });
    let doc = json!({
        "command": "compare",
        "data": path_string(&args.data),
        "task": problem.task.name(),
        "metric": metric,
        "secondary_metric": secondary,
        "n_splits": k,
        "n_rows": n,
        "models": rows.iter().map(|r| json!({
            "model": r.name,
            "mean": mean(&r.scores),
            "std": std(&r.scores),
            "scores": r.scores,
            secondary: { "mean": mean(&r.secondary), "std": std(&r.secondary), "scores": r.secondary },
            "fit_seconds": r.fit_seconds,
        })).collect::<Vec<_>>(),
        "best": best,
        "comparison": comparison.as_ref().map(|c| json!({
            "a": rows[0].name, "b": rows[1].name,
            "mean_difference": c.mean_difference(),
            "p_value": c.corrected().p_two_sided,
            "ci_low": c.corrected().ci_low,
            "ci_high": c.corrected().ci_high,
            "significant": c.is_significant(),
            "verdict": c.verdict(),
        })),
        "goal": problem.goal,
        "goal_met": goal_met,
    });
    out.emit(&doc, || {
        println!(
            "{k}-fold cross-validation on {n} rows, {}: {metric}",
            problem.task.name()
        );
        println!(
            "{:<12} {:>10} {:>8}  {:>10} {:>8}  {:>9}",
            "model", metric, "± std", secondary, "± std", "fit s"
        );
        for r in &rows {
            println!(
                "{:<12} {:>10.4} {:>8.4}  {:>10.4} {:>8.4}  {:>9.2}",
                r.name,
                mean(&r.scores),
                std(&r.scores),
                mean(&r.secondary),
                std(&r.secondary),
                r.fit_seconds
            );
        }
        if let Some(c) = &comparison {
            println!("{}", c.verdict());
        }
        if let (Some(g), Some(met)) = (problem.goal, goal_met) {
            println!(
                "goal {metric} {} {g}: {}",
                if lower { "<=" } else { ">=" },
                if met {
                    "met by the best model"
                } else {
                    "NOT met by any model"
                }
            );
        }
    })?;
    Ok(0)
}
