//! [`model_report`]: every section that applies to a saved [`Model`] on labelled data.

use kiln::metrics::classification::accuracy;
use kiln::metrics::ranking::roc_auc;
use kiln::metrics::regression::root_mean_squared_error;
use kiln::model::{Estimator, Model, TrainOptions, Trained};
use kiln::monitor::drift::{DriftOptions, DriftReport};
use kiln::monitor::performance::{
    ChunkValue, Incomplete, PerformanceReport, Thresholds, chunk_by_size, metric_per_chunk,
};
use kiln::monitor::profile::{ProfileOptions, ReferenceProfile};
use kiln::prep::Frame;
use kiln::prep::split::{KFold, Splitter, StratifiedKFold};
use kiln::problem::Task;
use kiln::{Error, Result};
use ndarray::Array1;

use crate::report::{BinaryScores, CvScores, Report};

/// What [`model_report`] adds beyond the model and the data.
///
/// # Parameters
/// - `data_name` (default `"the data"`): how the page names the data.
/// - `reference` (default `None`): drift is measured against this frame (e.g. the training
///   data) instead of the model's stored reference profile.
/// - `reference_name` (default `"the training data"`): how the page names the reference.
/// - `chunks` (default `None`): cut the data in this many chunks, in row order, and chart
///   the problem's metric per chunk with alert bounds.
/// - `comparison` (default `None`): cross-validation scores of other models, with the
///   metric's name, for the model comparison section.
#[derive(Debug, Clone)]
pub struct ModelReportOptions<'a> {
    /// How the page names the data. By default, `"the data"`.
    pub data_name: String,
    /// The drift reference frame. By default, `None` (the model's profile).
    pub reference: Option<&'a Frame>,
    /// How the page names the reference. By default, `"the training data"`.
    pub reference_name: String,
    /// Number of chunks for the performance chart. By default, `None` (no chart).
    pub chunks: Option<usize>,
    /// Metric name and cross-validation scores per model. By default, `None`.
    pub comparison: Option<(String, Vec<CvScores>)>,
}

impl Default for ModelReportOptions<'_> {
    fn default() -> Self {
        Self {
            data_name: "the data".into(),
            reference: None,
            reference_name: "the training data".into(),
            chunks: None,
            comparison: None,
        }
    }
}

/// The report of `model` on the labelled `data`: problem and verdict, data profile, model
/// comparison (when given), held-out evaluation, feature importances (when the model has
/// them), fairness (binary problems with sensitive columns), drift against the model's
/// reference (or `options.reference`), and performance over chunks (with `options.chunks`).
///
/// # Errors
/// The model's errors on `data` (a missing input or target column, an unseen label); the
/// sections' errors; [`Error::InvalidParameter`] for fewer than 2 chunks or more chunks than
/// rows.
pub fn model_report(
    model: &Model,
    data: &Frame,
    options: &ModelReportOptions<'_>,
) -> Result<Report> {
    let problem = model.problem();
    let evaluation = model.evaluate(data)?;
    let fairness = if problem.task == Task::Classification
        && model.classes().len() == 2
        && !problem.sensitive.is_empty()
    {
        Some(model.audit(data, &[])?)
    } else {
        None
    };
    let assessment = problem.assess(&evaluation.metrics, fairness.as_ref())?;
    let target = problem.target.clone().unwrap_or_default();
    let mut report = Report::new(format!(
        "{} model for `{}`",
        model.estimator().name(),
        target
    ))
    .with_meta(format!(
        "{} rows of {}; trained on {} rows",
        data.n_rows(),
        options.data_name,
        model.n_train_rows()
    ))
    .with_problem(problem)
    .with_assessment(&assessment)
    .add_data_profile(data, &options.data_name)?;
    if let Some((metric, scores)) = &options.comparison {
        let lower = matches!(metric.as_str(), "rmse" | "mae" | "log_loss" | "brier");
        report = report.add_model_comparison(metric, scores, lower)?;
    }
    let predictions = model.predict(data)?;
    match problem.task {
        Task::Classification => {
            let y = model.target_indices(data)?;
            let binary = match (model.positive_index(), predictions.proba()) {
                (Some(p), Some(proba)) if model.classes().len() == 2 => {
                    let y_bin: Array1<usize> = y.mapv(|c| usize::from(c == p));
                    Some((
                        y_bin,
                        proba.column(p).to_owned(),
                        model.classes()[p].clone(),
                    ))
                }
                _ => None,
            };
            let scores = binary.as_ref().map(|(y, s, name)| BinaryScores {
                y_true: y.view(),
                score: s.view(),
                positive: name,
            });
            report = report.add_classification(&evaluation, scores.as_ref(), &options.data_name)?;
            if let Some(n) = options.chunks {
                let perf = match &binary {
                    Some((y_bin, s, _)) => chunked(n, "roc_auc", problem, y_bin, s, roc_auc)?,
                    None => {
                        let pred = predictions.indices().ok_or_else(|| no_output("classes"))?;
                        chunked(n, "accuracy", problem, &y, pred, accuracy)?
                    }
                };
                report = report.add_performance(&perf)?;
            }
        }
        Task::Regression => {
            let col = data.column(&target)?;
            let y_true = Array1::from(col.as_numeric().map(<[f64]>::to_vec).unwrap_or_default());
            let y_pred = predictions.values().ok_or_else(|| no_output("values"))?;
            report = report.add_regression(
                Some(&evaluation),
                y_true.view(),
                y_pred.view(),
                &options.data_name,
            )?;
            if let Some(n) = options.chunks {
                let perf = chunked(n, "rmse", problem, &y_true, y_pred, root_mean_squared_error)?;
                report = report.add_performance(&perf)?;
            }
        }
        Task::Clustering => {}
    }
    let importances = match model.trained() {
        Trained::Classifier(p) => p
            .model()
            .feature_importances()
            .map(|v| (p.feature_names_out().to_vec(), v.to_vec())),
        Trained::Regressor(p) => p
            .model()
            .feature_importances()
            .map(|v| (p.feature_names_out().to_vec(), v.to_vec())),
        Trained::Clusterer(_) => None,
    };
    if let Some((names, values)) = importances {
        report = report.add_feature_importances(
            &names,
            &values,
            "the model's own importances, after preparation",
        )?;
    }
    if let Some(f) = &fairness {
        report = report.add_fairness(f)?;
    }
    let current = model.schema().conform(data)?;
    let built;
    let (profile, name) = match options.reference {
        Some(r) => {
            built =
                ReferenceProfile::build(&model.schema().conform(r)?, &ProfileOptions::default())?;
            (&built, options.reference_name.as_str())
        }
        None => (model.reference(), "the training data (the model's profile)"),
    };
    let drift = DriftReport::new(profile, &current, &DriftOptions::default())?;
    report = report.add_drift(&drift, profile, &current, (name, &options.data_name))?;
    Ok(report)
}

fn no_output(what: &str) -> Error {
    Error::Unsupported {
        estimator: "kiln_report::model_report".into(),
        what: format!("a model that gives no predicted {what}"),
    }
}

/// `metric` on `n` chunks of rows, in order. With a goal on the same metric the goal is the
/// alert bound; otherwise the first half of the chunks is the reference and the bounds are
/// its mean ± 3 standard deviations (NannyML's default).
fn chunked<T: Clone, P: Clone>(
    n: usize,
    metric: &str,
    problem: &kiln::problem::Problem,
    y_true: &Array1<T>,
    y_pred: &Array1<P>,
    f: impl Fn(
        ndarray::ArrayView1<'_, T>,
        ndarray::ArrayView1<'_, P>,
        Option<ndarray::ArrayView1<'_, f64>>,
    ) -> Result<f64>,
) -> Result<PerformanceReport> {
    let rows = y_true.len();
    if n < 2 || n > rows {
        return Err(Error::invalid_param(
            "kiln_report",
            "chunks",
            format!("must be in [2, {rows}] (the number of rows), got {n}"),
        ));
    }
    // Equal chunks, the remainder joining the last one, so there are exactly `n`.
    let chunks = chunk_by_size(rows, rows / n, Incomplete::Append)?;
    let values: Vec<ChunkValue> = metric_per_chunk(&chunks, y_true.view(), y_pred.view(), None, f)?;
    let lower_is_better = metric == "rmse";
    let goal = problem.goal.filter(|_| problem.metric() == metric);
    let (thresholds, reference) = match goal {
        Some(g) if lower_is_better => (
            Thresholds::Fixed {
                lower: None,
                upper: Some(g),
            },
            &[][..],
        ),
        Some(g) => (
            Thresholds::Fixed {
                lower: Some(g),
                upper: None,
            },
            &[][..],
        ),
        None => (Thresholds::default(), &values[..chunks.len().div_ceil(2)]),
    };
    PerformanceReport::new(metric, thresholds, reference, &chunks, &values)
}

/// The problem's metric for each of the models `names` (e.g. `["logistic", "forest"]`,
/// as [`Estimator::from_name`] knows them), by `n_folds`-fold cross-validation on `data`:
/// the same shuffled folds (stratified by class for classification, seeded by `seed`) for
/// every model, each fold scored by [`Model::train`]'s held-out evaluation with `model`'s
/// problem. Returns the metric's name and the scores, ready for
/// [`Report::add_model_comparison`].
///
/// # Errors
/// [`Error::InvalidParameter`] for an unknown model name or a model of another task; the
/// folds' errors (fewer rows of a class than folds); training errors;
/// [`Error::Unsupported`] when a fold's evaluation lacks the metric.
pub fn cross_validated(
    model: &Model,
    data: &Frame,
    names: &[String],
    n_folds: usize,
    seed: u64,
) -> Result<(String, Vec<CvScores>)> {
    let problem = model.problem();
    let metric = problem.metric().to_string();
    let folds = match problem.task {
        Task::Classification => {
            let y = model.target_indices(data)?;
            StratifiedKFold::default()
                .with_n_splits(n_folds)
                .with_shuffle(true)
                .with_seed(seed)
                .folds(data.n_rows(), Some(y.view()), None)?
        }
        _ => KFold::default()
            .with_n_splits(n_folds)
            .with_shuffle(true)
            .with_seed(seed)
            .folds(data.n_rows(), None, None)?,
    };
    let mut results = Vec::with_capacity(names.len());
    for name in names {
        let estimator = Estimator::from_name(problem.task, name)?;
        let mut scores = Vec::with_capacity(folds.len());
        for fold in &folds {
            let train = data.take_rows(&fold.train)?;
            let test = data.take_rows(&fold.test)?;
            let options = TrainOptions {
                seed,
                ..TrainOptions::default()
            };
            let m = Model::train(problem, estimator.clone(), &train, Some(&test), &options)?;
            let score = m
                .evaluation()
                .and_then(|e| e.metrics.get(&metric).copied())
                .ok_or_else(|| Error::Unsupported {
                    estimator: name.clone(),
                    what: format!("cross-validation on {metric}: a fold's evaluation lacks it"),
                })?;
            scores.push(score);
        }
        results.push(CvScores {
            name: name.clone(),
            scores,
        });
    }
    Ok((metric, results))
}
