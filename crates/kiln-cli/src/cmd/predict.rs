//! `kiln predict`: the input rows plus prediction and probability columns.

use std::path::PathBuf;

use serde_json::json;

use crate::cmd::evaluate::load_model;
use crate::common::{CliError, CliResult, CsvArgs, Output, path_string, read_for_model};

/// Options of `kiln predict`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The saved model.
    #[arg(value_name = "MODEL.kiln")]
    pub model: PathBuf,
    /// The rows to predict (the model's input columns; others are copied through).
    #[arg(value_name = "DATA.csv")]
    pub data: PathBuf,
    /// Where to write the rows with `prediction` and `proba_<class>` (or `distance_<k>`) columns.
    #[arg(long, value_name = "PREDICTIONS.csv")]
    pub out: PathBuf,
    #[command(flatten)]
    pub csv: CsvArgs,
    #[command(flatten)]
    pub output: Output,
}

/// Runs `kiln predict`.
pub fn run(args: &Args) -> CliResult {
    let out = &args.output;
    let model = load_model(&args.model)?;
    let data = read_for_model(&args.data, &model, &args.csv, out)?;
    let start = std::time::Instant::now();
    let predictions = model
        .predict(&data)
        .map_err(|e| CliError::at(&args.data, e))?;
    let predict_seconds = start.elapsed().as_secs_f64();
    let mut frame = data;
    for (name, col) in predictions.to_columns() {
        if frame.index_of(&name).is_ok() {
            return Err(CliError::new(format!(
                "{} already has a column `{name}`; rename it or drop it before predicting",
                args.data.display()
            )));
        }
        frame = frame.with_column(&name, col)?;
    }
    frame
        .write_csv_path(&args.out)
        .map_err(|e| CliError::new(format!("cannot write {}: {e}", args.out.display())))?;

    // A short summary: predicted class counts, or the range of values.
    let n = predictions.len();
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    if predictions.values().is_none() {
        for i in 0..n {
            *counts.entry(predictions.label(i)).or_default() += 1;
        }
    }
    let doc = json!({
        "command": "predict",
        "model_file": path_string(&args.model),
        "data": path_string(&args.data),
        "out": path_string(&args.out),
        "model": model.estimator().name(),
        "task": model.problem().task.name(),
        "n_rows": n,
        "predict_seconds": predict_seconds,
        "prediction_counts": counts,
        "columns_added": predictions.to_columns().into_iter().map(|(n, _)| n).collect::<Vec<_>>(),
    });
    out.emit(&doc, || {
        println!(
            "predicted {n} rows with {} in {predict_seconds:.3} s",
            model.estimator().name()
        );
        for (label, c) in &counts {
            println!(
                "  {label:<20} {c:>8} ({:.1}%)",
                100.0 * *c as f64 / n.max(1) as f64
            );
        }
        if let Some(v) = predictions.values() {
            let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            println!("  predictions from {lo:.4} to {hi:.4}");
        }
        println!("wrote {}", args.out.display());
    })?;
    Ok(0)
}
