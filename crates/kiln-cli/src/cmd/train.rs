//! `kiln train`: automatic preparation, training, held-out evaluation, save.

use std::path::PathBuf;

use kiln::model::{Estimator, Model, TrainOptions};
use serde_json::{Value, json};

use crate::common::{CliError, CliResult, CsvArgs, Output, path_string, read_csv};
use crate::problem_args::ProblemArgs;
use crate::report::{evaluation_fields, model_fields};

/// Options of `kiln train`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The training data (CSV with a header row).
    #[arg(value_name = "DATA.csv")]
    pub data: PathBuf,
    #[command(flatten)]
    pub problem: ProblemArgs,
    /// The model: logistic, tree, forest, extra-trees, gbdt (classification); linear, ridge,
    /// lasso, elastic-net, tree, forest, extra-trees, gbdt (regression); kmeans,
    /// minibatch-kmeans (clustering).
    /// Default: gbdt, or kmeans without a target.
    #[arg(long, value_name = "NAME")]
    pub model: Option<String>,
    /// A model parameter, scikit-learn's name (repeatable): --set max_depth=6 --set n_estimators=300.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// Labelled data to evaluate on instead of a held-out part of DATA.
    #[arg(long, value_name = "DATA.csv", conflicts_with = "test_size")]
    pub test: Option<PathBuf>,
    /// The fraction of DATA held out for evaluation (stratified for classification); 0 skips it.
    #[arg(long, value_name = "F", default_value_t = 0.2)]
    pub test_size: f64,
    /// The seed of the split (and of the model, unless --set random_state=N).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub seed: u64,
    /// Where to save the model.
    #[arg(long, value_name = "MODEL.kiln")]
    pub out: PathBuf,
    #[command(flatten)]
    pub csv: CsvArgs,
    #[command(flatten)]
    pub output: Output,
}

/// The estimator named by `--model` (or the default) with `--set` applied; the seed given
/// to the model unless `random_state`/`seed` is set explicitly.
pub fn estimator(
    task: kiln::problem::Task,
    name: Option<&str>,
    sets: &[String],
    seed: u64,
) -> Result<Estimator, CliError> {
    let mut e = match name {
        Some(n) => Estimator::from_name(task, n)
            .map_err(|err| CliError::usage(format!("--model: {err}")))?,
        None => Estimator::default_for(task),
    };
    let explicit_seed = sets.iter().any(|s| {
        let k = s.split('=').next().unwrap_or("").trim();
        k == "random_state" || k == "seed"
    });
    if !explicit_seed && e.param_names().contains(&"random_state") {
        e.set("random_state", &seed.to_string())?;
    }
    for s in sets {
        e.set_pair(s)
            .map_err(|err| CliError::usage(format!("--set {s}: {err}")))?;
    }
    e.validate()
        .map_err(|err| CliError::usage(format!("--set: {err}")))?;
    Ok(e)
}

/// Runs `kiln train`.
pub fn run(args: &Args) -> CliResult {
    let out = &args.output;
    let csv = args.csv.options(kiln::prep::CsvOptions::default())?;
    let data = read_csv(&args.data, &csv, out)?;
    let problem = args.problem.build(
        &data,
        &args.data,
        args.model.as_deref(),
        out.quiet || out.json,
    )?;
    let estimator = estimator(problem.task, args.model.as_deref(), &args.set, args.seed)?;
    let test = match &args.test {
        Some(p) => Some(read_csv(p, &csv, out)?),
        None => None,
    };
    if !(0.0..1.0).contains(&args.test_size) {
        return Err(CliError::usage(format!(
            "--test-size must be in [0, 1), got {}",
            args.test_size
        )));
    }
    let options = TrainOptions {
        test_size: args.test_size,
        seed: args.seed,
        ..TrainOptions::default()
    };
    let model = {
        // Boosting reports each iteration: a bar; other models: a spinner.
        let message = format!("training {}", estimator.name());
        let progress = if estimator.name() == "gbdt" {
            out.bar(0, &message)
        } else {
            out.spinner(&message)
        };
        Model::train_with_progress(
            &problem,
            estimator,
            &data,
            test.as_ref(),
            &options,
            &mut |done, total| progress.set(done, total),
        )
        .map_err(|e| CliError::at(&args.data, e))?
    };
    model
        .save(&args.out)
        .map_err(|e| CliError::new(format!("cannot save the model: {e}")))?;

    let mut doc = model_fields(&model);
    doc.insert("command".into(), json!("train"));
    doc.insert("data".into(), json!(path_string(&args.data)));
    doc.insert("out".into(), json!(path_string(&args.out)));
    if let Some(e) = model.evaluation() {
        doc.insert("evaluation".into(), Value::Object(evaluation_fields(e)));
        for (k, v) in evaluation_fields(e) {
            doc.entry(k).or_insert(v);
        }
    }
    if let Some(f) = model.fairness() {
        doc.insert(
            "fairness".into(),
            Value::Object(crate::cmd::audit::report_fields(f)),
        );
    }
    out.emit(&doc, || {
        println!(
            "trained {} ({}) on {} rows, {} input columns",
            model.estimator().name(),
            model.problem().task.name(),
            model.n_train_rows(),
            model.schema().len()
        );
        match model.evaluation() {
            Some(e) => {
                println!(
                    "fit {:.3} s, predict {:.3} s",
                    e.fit_seconds.unwrap_or(0.0),
                    e.predict_seconds
                );
                let mut shown = e.clone();
                shown.assessment = None;
                print!("held-out evaluation: {shown}");
                if let Some(f) = model.fairness() {
                    println!();
                    println!(
                        "fairness audit of the held-out rows by {}",
                        model.problem().sensitive.join(", ")
                    );
                    crate::cmd::audit::print_report(f);
                }
                if let Some(a) = &e.assessment {
                    println!("{a}");
                }
            }
            None => println!("no held-out rows (--test-size 0): not evaluated"),
        }
        println!("saved to {}", args.out.display());
    })?;
    Ok(0)
}
