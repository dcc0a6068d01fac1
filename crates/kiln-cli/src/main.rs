//! # kiln: the whole machine-learning workflow on a CSV file, from the command line
//!
//! ```text
//! kiln describe data.csv --target credit
//! kiln train data.csv --target credit --positive good --model gbdt --out model.kiln
//! kiln compare data.csv --target credit --positive good --models logistic,forest,gbdt
//! kiln evaluate model.kiln test.csv --sensitive sex,age_group
//! kiln predict model.kiln new.csv --out predictions.csv
//! kiln audit predictions.csv --target credit --prediction prediction --sensitive sex --positive good
//! kiln drift reference.csv current.csv --model model.kiln --fail-on-drift
//! kiln report model.kiln test.csv --compare logistic,forest --out report.html
//! kiln serve model.kiln --addr 127.0.0.1:8080
//! ```
//!
//! Every command takes `--json` (one JSON document on stdout holding everything the text
//! shows) and `--quiet` (no progress bars). Exit status: 0 success, 1 an error (one or two
//! plain lines naming the file, line, column or option at fault), 2 a usage error, 3 drift
//! found with `drift --fail-on-drift`.

mod cmd;
mod common;
mod problem_args;
mod report;

use std::process::ExitCode;

/// mimalloc instead of the system allocator: serving a single-row prediction allocates a few
/// dozen small buffers, and glibc's malloc/free took about a tenth of the server's time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};

/// Machine learning on CSV files: describe, train, compare, evaluate, predict, audit fairness
/// and check drift.
#[derive(Debug, Parser)]
#[command(name = "kiln", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Column types, missing values, duplicates, statistics and target balance.
    Describe(cmd::describe::Args),
    /// Train a model with automatic preparation, evaluate it on held-out rows, save it.
    Train(cmd::train::Args),
    /// Compare models by cross-validation, with a paired test between the best two.
    Compare(cmd::compare::Args),
    /// A saved model's metrics on labelled data, and its fairness audit.
    Evaluate(cmd::evaluate::Args),
    /// Write the input rows with prediction and probability columns.
    Predict(cmd::predict::Args),
    /// The fairness report on predictions from any source.
    Audit(cmd::audit::Args),
    /// The drift report of a current data set against a reference.
    Drift(cmd::drift::Args),
    /// Serve predictions over HTTP, with metrics and live drift monitoring.
    Serve(cmd::serve::Args),
    /// One self-contained HTML page with charts on a saved model and labelled data.
    Report(cmd::report::Args),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version are not errors; usage errors exit with 2.
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Describe(a) => cmd::describe::run(&a),
        Command::Train(a) => cmd::train::run(&a),
        Command::Compare(a) => cmd::compare::run(&a),
        Command::Evaluate(a) => cmd::evaluate::run(&a),
        Command::Predict(a) => cmd::predict::run(&a),
        Command::Audit(a) => cmd::audit::run(&a),
        Command::Drift(a) => cmd::drift::run(&a),
        Command::Serve(a) => cmd::serve::run(&a),
        Command::Report(a) => cmd::report::run(&a),
    };
    match result {
        Ok(status) => ExitCode::from(status),
        Err(e) => {
            eprintln!("error: {e}");
            if let Some(hint) = &e.hint {
                eprintln!("hint: {hint}");
            }
            ExitCode::from(e.code)
        }
    }
}
