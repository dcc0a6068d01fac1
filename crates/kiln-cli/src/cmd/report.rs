//! `kiln report`: one self-contained HTML page on a saved model and labelled data.

use std::path::{Path, PathBuf};

use kiln::model::Model;
use kiln::prep::Frame;
use kiln::problem::Task;
use kiln_report::{ModelReportOptions, Report, cross_validated, model_report};
use serde_json::{Map, json};

use crate::cmd::evaluate::load_model;
use crate::common::{
    CliError, CliResult, CsvArgs, Output, path_string, read_for_model, split_list,
};

/// Cross-validation folds of `--compare`.
const FOLDS: usize = 5;

/// Options of `kiln report`.
///
/// Writes one HTML file (inline SVG charts and CSS, no script, no network request) with the
/// sections that apply: the problem and its verdict, the data profile, the model comparison
/// (with `--compare`), the evaluation on DATA (ROC, precision-recall and calibration curves
/// and the confusion matrix for classification; predicted against actual and residuals for
/// regression), feature importances, fairness by group (binary problems with sensitive
/// columns), drift of DATA against the model's reference profile (or `--reference`), and
/// a metric over `--chunks` chunks of DATA with alert bounds.
///
/// With `--json`: `command`, `model_file`, `data`, `out`, `sections`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The saved model.
    #[arg(value_name = "MODEL.kiln")]
    pub model: PathBuf,
    /// Labelled data (with the target column).
    #[arg(value_name = "DATA.csv")]
    pub data: PathBuf,
    /// Measure drift against this data instead of the model's stored training profile.
    #[arg(long, value_name = "REF.csv")]
    pub reference: Option<PathBuf>,
    /// Compare these models by 5-fold cross-validation on DATA (e.g. logistic,forest,gbdt).
    #[arg(long, value_name = "A,B,C")]
    pub compare: Vec<String>,
    /// Chart ROC AUC (binary), accuracy (multiclass) or RMSE (regression) on this many
    /// consecutive chunks of DATA, with alert bounds.
    #[arg(long, value_name = "N")]
    pub chunks: Option<usize>,
    /// The HTML file to write.
    #[arg(long, value_name = "REPORT.html")]
    pub out: PathBuf,
    #[command(flatten)]
    pub csv: CsvArgs,
    #[command(flatten)]
    pub output: Output,
}

/// Runs `kiln report`.
pub fn run(args: &Args) -> CliResult {
    let out = &args.output;
    let model = load_model(&args.model)?;
    let data = read_for_model(&args.data, &model, &args.csv, out)?;
    let reference = match &args.reference {
        Some(p) => Some(read_for_model(p, &model, &args.csv, out)?),
        None => None,
    };
    let names = split_list(&args.compare);
    let comparison = if names.is_empty() {
        None
    } else {
        let _spin = out.spinner("cross-validating");
        Some(
            cross_validated(&model, &data, &names, FOLDS, 0)
                .map_err(|e| CliError::at(&args.data, e))?,
        )
    };
    let options = ModelReportOptions {
        data_name: file_name(&args.data),
        reference: reference.as_ref(),
        reference_name: args
            .reference
            .as_deref()
            .map_or_else(|| "the training data".into(), file_name),
        chunks: args.chunks,
        comparison,
    };
    let report = {
        let _spin = out.spinner("drawing the report");
        model_report(&model, &data, &options)
            .map_err(|e| CliError::at(&args.data, e))?
            .with_meta(format!("model file {}", args.model.display()))
    };
    write(&report, &args.out)?;
    let mut doc = Map::new();
    doc.insert("command".into(), json!("report"));
    doc.insert("model_file".into(), json!(path_string(&args.model)));
    doc.insert("data".into(), json!(path_string(&args.data)));
    doc.insert("out".into(), json!(path_string(&args.out)));
    doc.insert("sections".into(), json!(report.section_titles()));
    out.emit(&doc, || {
        println!(
            "wrote {} ({})",
            args.out.display(),
            report.section_titles().join(", ")
        );
    })?;
    Ok(0)
}

/// Writes `report` to `path`, with an error naming the file.
pub fn write(report: &Report, path: &Path) -> Result<(), CliError> {
    report.write(path).map_err(|e| match e {
        kiln::Error::Io { source, .. } => {
            CliError::new(format!("cannot write {}: {source}", path.display()))
        }
        other => CliError::new(format!("{}: {other}", path.display())),
    })
}

fn file_name(p: &Path) -> String {
    p.file_name().map_or_else(
        || p.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// `kiln evaluate --html`: the evaluation (with curves for a binary problem) and the
/// fairness audit of `model` on `data`.
pub fn evaluate_html(
    model: &Model,
    data: &Frame,
    data_path: &Path,
    evaluation: &kiln::model::Evaluation,
    fairness: Option<&kiln::fairness::report::FairnessReport>,
    assessment: &kiln::problem::Assessment,
    path: &Path,
) -> Result<(), CliError> {
    let at = |e: kiln::Error| CliError::at(data_path, e);
    let name = file_name(data_path);
    let mut report = Report::new(format!(
        "Evaluation of the {} model for `{}`",
        model.estimator().name(),
        model.problem().target.as_deref().unwrap_or("")
    ))
    .with_problem(model.problem())
    .with_assessment(assessment);
    match model.problem().task {
        Task::Classification => {
            let predictions = model.predict(data).map_err(at)?;
            let y = model.target_indices(data).map_err(at)?;
            let binary = match (model.positive_index(), predictions.proba()) {
                (Some(p), Some(proba)) if model.classes().len() == 2 => Some((
                    y.mapv(|c| usize::from(c == p)),
                    proba.column(p).to_owned(),
                    model.classes()[p].clone(),
                )),
                _ => None,
            };
            let scores = binary.as_ref().map(|(y, s, n)| kiln_report::BinaryScores {
                y_true: y.view(),
                score: s.view(),
                positive: n,
            });
            report = report
                .add_classification(evaluation, scores.as_ref(), &name)
                .map_err(at)?;
        }
        Task::Regression => {
            let target = model.problem().target.clone().unwrap_or_default();
            let col = data.column(&target).map_err(at)?;
            let y_true =
                ndarray::Array1::from(col.as_numeric().map(<[f64]>::to_vec).unwrap_or_default());
            let predictions = model.predict(data).map_err(at)?;
            if let Some(y_pred) = predictions.values() {
                report = report
                    .add_regression(Some(evaluation), y_true.view(), y_pred.view(), &name)
                    .map_err(at)?;
            }
        }
        Task::Clustering => {}
    }
    if let Some(f) = fairness {
        report = report.add_fairness(f).map_err(at)?;
    }
    write(&report, path)
}

/// `kiln audit --html`: the fairness section of `fairness`.
pub fn audit_html(
    fairness: &kiln::fairness::report::FairnessReport,
    data_path: &Path,
    path: &Path,
) -> Result<(), CliError> {
    let report = Report::new(format!("Fairness audit of {}", file_name(data_path)))
        .add_fairness(fairness)
        .map_err(|e| CliError::at(data_path, e))?;
    write(&report, path)
}

/// `kiln drift --html`: the drift section of `drift`, with the distributions of `current`
/// against the profile of `reference` (rebuilt as `kiln drift` built it).
pub fn drift_html(
    drift: &kiln::monitor::drift::DriftReport,
    reference: &Frame,
    current: &Frame,
    paths: (&Path, &Path),
    path: &Path,
) -> Result<(), CliError> {
    use kiln::monitor::profile::{ProfileOptions, ReferenceProfile};
    let profile = ReferenceProfile::build(reference, &ProfileOptions::default())
        .map_err(|e| CliError::at(paths.0, e))?;
    let (r, c) = (file_name(paths.0), file_name(paths.1));
    let report = Report::new(format!("Drift of {c} against {r}"))
        .add_drift(drift, &profile, current, (&r, &c))
        .map_err(|e| CliError::at(paths.1, e))?;
    write(&report, path)
}
