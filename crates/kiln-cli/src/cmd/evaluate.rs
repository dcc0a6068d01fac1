//! `kiln evaluate`: a saved model's metrics on labelled data, and its fairness audit.

use std::path::PathBuf;

use kiln::model::Model;
use serde_json::{Value, json};

use crate::common::{
    CliError, CliResult, CsvArgs, Output, path_string, read_for_model, require_columns, split_list,
};
use crate::report::{evaluation_fields, model_fields};

/// Options of `kiln evaluate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The saved model.
    #[arg(value_name = "MODEL.kiln")]
    pub model: PathBuf,
    /// Labelled data (with the target column).
    #[arg(value_name = "DATA.csv")]
    pub data: PathBuf,
    /// Sensitive columns for the fairness audit (default: the problem's).
    #[arg(long, value_name = "COL[,COL]")]
    pub sensitive: Vec<String>,
    /// Also write the charts of this report to FILE as one self-contained HTML page.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    #[command(flatten)]
    pub csv: CsvArgs,
    #[command(flatten)]
    pub output: Output,
}

/// Loads a model file, with an error naming it.
pub fn load_model(path: &std::path::Path) -> Result<Model, CliError> {
    Model::load(path).map_err(|e| match e {
        kiln::Error::Io { source, .. } => {
            CliError::new(format!("cannot read {}: {source}", path.display()))
        }
        other => CliError::new(format!("{}: {other}", path.display()))
            .with_hint("was it written by `kiln train`?"),
    })
}

/// Runs `kiln evaluate`.
pub fn run(args: &Args) -> CliResult {
    let out = &args.output;
    let model = load_model(&args.model)?;
    // Read with the model's column types so the file is parsed as the training data was.
    let data = read_for_model(&args.data, &model, &args.csv, out)?;
    if let Some(t) = &model.problem().target {
        require_columns(
            &data,
            &args.data,
            "the model's target",
            std::slice::from_ref(t),
        )?;
    }
    let evaluation = model
        .evaluate(&data)
        .map_err(|e| CliError::at(&args.data, e))?;

    let sensitive = split_list(&args.sensitive);
    require_columns(&data, &args.data, "--sensitive", &sensitive)?;
    let audit_columns = if sensitive.is_empty() {
        model.problem().sensitive.clone()
    } else {
        sensitive
    };
    let fairness = if audit_columns.is_empty() {
        None
    } else {
        require_columns(
            &data,
            &args.data,
            "the problem's sensitive columns",
            &audit_columns,
        )?;
        Some(
            model
                .audit(&data, &audit_columns)
                .map_err(|e| CliError::at(&args.data, e))?,
        )
    };
    let assessment = model
        .problem()
        .assess(&evaluation.metrics, fairness.as_ref())?;
    if let Some(p) = &args.html {
        crate::cmd::report::evaluate_html(
            &model,
            &data,
            &args.data,
            &evaluation,
            fairness.as_ref(),
            &assessment,
            p,
        )?;
    }

    let mut doc = model_fields(&model);
    doc.insert("command".into(), json!("evaluate"));
    doc.insert("model_file".into(), json!(path_string(&args.model)));
    doc.insert("data".into(), json!(path_string(&args.data)));
    for (k, v) in evaluation_fields(&evaluation) {
        doc.insert(k, v);
    }
    doc.insert(
        "assessment".into(),
        serde_json::to_value(&assessment).unwrap_or(Value::Null),
    );
    if let Some(f) = &fairness {
        doc.insert(
            "fairness".into(),
            serde_json::to_value(f).unwrap_or(Value::Null),
        );
    }
    out.emit(&doc, || {
        println!(
            "{} ({}) on {}: {} rows, predict {:.3} s",
            model.estimator().name(),
            model.problem().task.name(),
            args.data.display(),
            evaluation.n_rows,
            evaluation.predict_seconds
        );
        let mut e = evaluation.clone();
        e.assessment = None;
        print!("{e}");
        if let Some(f) = &fairness {
            println!();
            println!("fairness audit by {}", audit_columns.join(", "));
            crate::cmd::audit::print_report(f);
        }
        println!("{assessment}");
    })?;
    Ok(0)
}
