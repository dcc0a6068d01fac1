//! `kiln drift`: the drift report of a current data set against a reference.

use std::path::{Path, PathBuf};

use kiln::model::Model;
use kiln::monitor::drift::{DriftOptions, DriftReport, Method};
use kiln::monitor::profile::{ProfileOptions, ReferenceProfile};
use kiln::prep::{CsvOptions, Frame};
use serde_json::{Map, Value, json};

use crate::cmd::evaluate::load_model;
use crate::common::{
    CliError, CliResult, CsvArgs, Output, path_string, read_csv, require_columns, split_list,
};

/// The exit status of `--fail-on-drift` when a column drifted.
const DRIFT_STATUS: u8 = 3;

/// Options of `kiln drift`.
///
/// Profiles REFERENCE (kiln-monitor's `ReferenceProfile`) and tests every column of CURRENT
/// against it with Evidently 0.7's default test per column (KS or chi-square / z-test on
/// references of at most 1000 rows, Wasserstein or Jensen–Shannon on larger ones), plus a test
/// of the share of missing values. Schema changes (missing, extra or retyped columns, new
/// categories) are listed, never an error. The dataset drifts when at least half of the
/// columns drifted.
///
/// With `--model`, both files are read with the model's column types, only the model's input
/// columns are checked, and the model's predictions on both files are compared too (a
/// `prediction` row in the report).
///
/// Exit status: 0, or 3 with `--fail-on-drift` when the data set drifted (at least
/// `--drift-share` of the checked columns drifted, in their values or their share of
/// missing values) or, with `--model`, when the predictions drifted. One column drifting out
/// of many is reported but does not fail the run: with 20 columns tested at the 5% level,
/// one false alarm is expected on identical data. `--drift-share 0.01` fails on any column.
///
/// With `--json`: `reference`, `current`, `n_reference_rows`, `n_current_rows`,
/// `dataset_drift`, `share_drifted`, `n_drifted`, `drift_share`, `drifted_columns`,
/// `columns` (one object per column: `column`, `test`, `statistic`, `p_value`,
/// `adjusted_p_value`, `threshold`, `drifted`, the missing-value test under `missing`, `note`,
/// and the other fields of kiln-monitor's `ColumnDrift`), `schema_changes` (tagged, e.g.
/// `{"MissingColumn": {"column": "x", "reference": "Float"}}`) and `exit_status`. An untested
/// column's statistic is `null`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The reference data (e.g. the training data).
    #[arg(value_name = "REFERENCE.csv")]
    pub reference: PathBuf,
    /// The data to check against the reference.
    #[arg(value_name = "CURRENT.csv")]
    pub current: PathBuf,
    /// A saved model: check its input columns and the drift of its predictions.
    #[arg(long, value_name = "MODEL.kiln")]
    pub model: Option<PathBuf>,
    /// Exit with status 3 when the data set (or, with --model, the prediction) drifted.
    #[arg(long)]
    pub fail_on_drift: bool,
    /// The share of drifted columns at which the data set counts as drifted (Evidently's
    /// default, 0.5).
    #[arg(long, value_name = "F", default_value_t = 0.5)]
    pub drift_share: f64,
    /// Check only these columns (comma-separated or repeated); default: every column of
    /// REFERENCE, or the model's input columns with `--model`.
    #[arg(long, value_name = "COL[,COL]")]
    pub columns: Vec<String>,
    /// Also write the charts of this report to FILE as one self-contained HTML page.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    #[command(flatten)]
    pub csv: CsvArgs,
    #[command(flatten)]
    pub output: Output,
}

/// Runs `kiln drift`.
pub fn run(args: &Args) -> CliResult {
    let out = &args.output;
    let model = match &args.model {
        Some(p) => Some(load_model(p)?),
        None => None,
    };
    let base = model
        .as_ref()
        .map_or_else(CsvOptions::default, |m| m.schema().csv_options());
    let csv = args.csv.options(base)?;
    let reference = read_csv(&args.reference, &csv, out)?;
    let current = read_csv(&args.current, &csv, out)?;

    let asked = split_list(&args.columns);
    require_columns(&reference, &args.reference, "--columns", &asked)?;
    let columns = match (&model, asked.is_empty()) {
        (_, false) => asked,
        (Some(m), true) => m.schema().names(),
        (None, true) => reference.names().to_vec(),
    };
    let (reference, current) = match &model {
        Some(m) => {
            let inputs = m.schema().names();
            for (frame, path) in [(&reference, &args.reference), (&current, &args.current)] {
                require_columns(frame, path, "the model's input columns", &inputs).map_err(
                    |mut e| {
                        e.code = 1;
                        e
                    },
                )?;
            }
            let _spin = out.spinner("predicting");
            (
                with_prediction(m, &reference, &args.reference, &columns)?,
                with_prediction(m, &current, &args.current, &columns)?,
            )
        }
        None => (
            select(&reference, &args.reference, &columns)?,
            select(&current, &args.current, &columns)?,
        ),
    };

    if !(args.drift_share > 0.0 && args.drift_share <= 1.0) {
        return Err(CliError::usage(format!(
            "--drift-share must be in (0, 1], got {}",
            args.drift_share
        )));
    }
    let options = DriftOptions {
        drift_share: args.drift_share,
        ..DriftOptions::default()
    };
    let report = {
        let _spin = out.spinner("profiling and testing");
        let profile = ReferenceProfile::build(&reference, &ProfileOptions::default())
            .map_err(|e| CliError::at(&args.reference, e))?;
        DriftReport::new(&profile, &current, &options)
            .map_err(|e| CliError::at(&args.current, e))?
    };
    let drifted: Vec<&str> = report
        .columns()
        .iter()
        .filter(|c| c.counts_as_drifted())
        .map(|c| c.column.as_str())
        .collect();
    let prediction_drift = model.is_some() && drifted.contains(&"prediction");
    let status = if args.fail_on_drift && (report.dataset_drift() || prediction_drift) {
        DRIFT_STATUS
    } else {
        0
    };
    if let Some(h) = &args.html {
        let paths = (args.reference.as_path(), args.current.as_path());
        crate::cmd::report::drift_html(&report, &reference, &current, paths, h)?;
    }

    let mut doc = Map::new();
    doc.insert("command".into(), json!("drift"));
    doc.insert("reference".into(), json!(path_string(&args.reference)));
    doc.insert("current".into(), json!(path_string(&args.current)));
    if let Some(p) = &args.model {
        doc.insert("model_file".into(), json!(path_string(p)));
    }
    doc.insert("n_reference_rows".into(), json!(report.n_reference_rows()));
    doc.insert("n_current_rows".into(), json!(report.n_current_rows()));
    doc.insert("dataset_drift".into(), json!(report.dataset_drift()));
    doc.insert("share_drifted".into(), json!(report.share_drifted()));
    doc.insert("n_drifted".into(), json!(report.n_drifted()));
    doc.insert("drift_share".into(), json!(args.drift_share));
    doc.insert("drifted_columns".into(), json!(drifted));
    let cols: Vec<Value> = report.columns().iter().map(column_json).collect();
    doc.insert("columns".into(), Value::Array(cols));
    doc.insert(
        "schema_changes".into(),
        serde_json::to_value(report.schema()).unwrap_or(Value::Null),
    );
    doc.insert("exit_status".into(), json!(status));
    out.emit(&doc, || {
        println!(
            "drift of {} against {}{}",
            args.current.display(),
            args.reference.display(),
            args.model.as_ref().map_or(String::new(), |p| format!(
                " (inputs and predictions of {})",
                p.display()
            ))
        );
        print!("{report}");
        if drifted.is_empty() {
            println!("verdict: no drift");
        } else {
            println!(
                "verdict: DRIFT in {} of {} columns ({}); dataset drift: {}",
                drifted.len(),
                report.columns().len(),
                drifted.join(", "),
                if report.dataset_drift() { "yes" } else { "no" }
            );
        }
    })?;
    Ok(status)
}

/// One column's result as JSON: the fields of `ColumnDrift`, plus `test` (the method's name).
fn column_json(c: &kiln::monitor::drift::ColumnDrift) -> Value {
    let mut v = serde_json::to_value(c).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.insert("test".into(), json!(c.method.map(Method::name)));
        // serde_json writes non-finite floats as null; keep that explicit for the statistic.
        if !c.statistic.is_finite() {
            m.insert("statistic".into(), Value::Null);
        }
    }
    v
}

/// The columns `names` of `frame` that it has (a missing one is reported as a schema change).
fn select(frame: &Frame, path: &Path, names: &[String]) -> Result<Frame, CliError> {
    let present: Vec<&String> = names.iter().filter(|n| frame.index_of(n).is_ok()).collect();
    if present.is_empty() {
        return Err(CliError::new(format!(
            "{} has none of the columns to check ({})",
            path.display(),
            names.join(", ")
        )));
    }
    frame.select(&present).map_err(|e| CliError::at(path, e))
}

/// The columns `names` of `frame` with the model's `prediction` column added.
fn with_prediction(
    model: &Model,
    frame: &Frame,
    path: &Path,
    names: &[String],
) -> Result<Frame, CliError> {
    if names.iter().any(|n| n == "prediction") {
        return Err(CliError::usage(
            "--columns names `prediction`, which --model adds from its predictions; leave it out",
        ));
    }
    let predictions = model.predict(frame).map_err(|e| CliError::at(path, e))?;
    let column = predictions
        .to_columns()
        .into_iter()
        .find(|(n, _)| n == "prediction")
        .map(|(_, c)| c)
        .ok_or_else(|| CliError::new("the model gives no `prediction` column"))?;
    select(frame, path, names)?
        .with_column("prediction", column)
        .map_err(|e| CliError::at(path, e))
}
