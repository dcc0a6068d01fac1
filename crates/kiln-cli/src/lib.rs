//! # kiln-cli: the whole machine-learning workflow on a CSV file, from the command line
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
//!
//! The library holds the argument types ([`Cli`]) so that tests and fuzzers can parse command
//! lines without running a process; the `kiln` binary is `fn main() { kiln_cli::main() }`.

mod cmd;
mod common;
mod problem_args;
mod report;

use std::process::ExitCode;

pub use clap::Parser;
use clap::Subcommand;

/// Machine learning on CSV files: describe, train, compare, evaluate, predict, audit fairness
/// and check drift.
#[derive(Debug, Parser)]
#[command(name = "kiln", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The `kiln` commands.
#[derive(Debug, Subcommand)]
pub enum Command {
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

/// Parses the process's arguments and runs the command: the `kiln` binary's `main`.
pub fn main() -> ExitCode {
    match Cli::try_parse() {
        Ok(cli) => run(cli),
        Err(e) => {
            // Help and version are not errors; usage errors exit with 2.
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            ExitCode::from(code)
        }
    }
}

/// Runs a parsed command line, printing its output and errors; returns the exit status.
pub fn run(cli: Cli) -> ExitCode {
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
