//! What every command shares: errors with exit codes, reading CSV files, `--json` output,
//! progress bars.

use std::fmt;
use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

use clap::Args as ClapArgs;
use indicatif::{ProgressBar, ProgressStyle};
use kiln::prep::{CsvOptions, Frame};
use serde::Serialize;

/// An error to print in one or two lines, with the process's exit status.
#[derive(Debug)]
pub struct CliError {
    /// What went wrong, naming the file, line, column or option.
    pub message: String,
    /// A second line suggesting what to do, when there is one.
    pub hint: Option<String>,
    /// The exit status: 1 for errors, 2 for usage errors.
    pub code: u8,
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl CliError {
    /// A runtime error (exit status 1).
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: None,
            code: 1,
        }
    }

    /// A usage error: a bad or inconsistent option (exit status 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: None,
            code: 2,
        }
    }

    /// Adds a hint line.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// A kiln error about `path` (a file the user named).
    pub fn at(path: &Path, e: kiln::Error) -> Self {
        let hint = match e.parameter_name() {
            Some("positive_class") => Some("name it with --positive LABEL"),
            Some("favorable_class") => Some("name it with --favorable LABEL"),
            Some("metric") => Some("choose it with --metric NAME"),
            _ => None,
        };
        let mut err = Self::from(e);
        let shown = path.display().to_string();
        // Parse errors already name their file.
        if !err.message.contains(&shown) {
            err.message = format!("{shown}: {}", err.message);
        }
        err.hint = hint.map(String::from);
        err
    }
}

impl From<kiln::Error> for CliError {
    fn from(e: kiln::Error) -> Self {
        // A bad parameter of the tool itself (`--set`, `--model`, the problem) is a usage error.
        let code = match &e {
            kiln::Error::InvalidParameter { estimator, .. }
                if estimator == "kiln" || estimator == "Problem" =>
            {
                2
            }
            _ => 1,
        };
        Self {
            message: e.to_string(),
            hint: None,
            code,
        }
    }
}

/// The result of a command: the exit status on success.
pub type CliResult = Result<u8, CliError>;

/// Options every command takes.
#[derive(Debug, Clone, ClapArgs)]
pub struct Output {
    /// Print one JSON document to stdout instead of text.
    #[arg(long)]
    pub json: bool,
    /// No progress bars.
    #[arg(long, short)]
    pub quiet: bool,
}

impl Output {
    /// Prints `value` as pretty JSON (with `--json`) or calls `text` to print the text form.
    pub fn emit<T: Serialize>(&self, value: &T, text: impl FnOnce()) -> Result<(), CliError> {
        if self.json {
            let s = serde_json::to_string_pretty(value)
                .map_err(|e| CliError::new(format!("could not write JSON: {e}")))?;
            println!("{s}");
        } else {
            text();
        }
        Ok(())
    }

    /// A spinner with `message` on stderr, shown only on a terminal and without `--quiet`.
    pub fn spinner(&self, message: &str) -> Progress {
        if self.quiet || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = ProgressBar::new_spinner();
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            bar.set_style(style);
        }
        bar.set_message(message.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress(Some(bar))
    }

    /// A bar of `len` steps with `message`, shown only on a terminal and without `--quiet`.
    pub fn bar(&self, len: u64, message: &str) -> Progress {
        if self.quiet || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = ProgressBar::new(len);
        if let Ok(style) =
            ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({elapsed}, {eta} left)")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(message.to_string());
        Progress(Some(bar))
    }
}

/// A progress indicator that may be hidden; cleared when dropped.
pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// Shows `done` of `total` steps.
    pub fn set(&self, done: usize, total: usize) {
        if let Some(b) = &self.0 {
            b.set_length(total as u64);
            b.set_position(done as u64);
        }
    }

    /// Advances by one step.
    pub fn inc(&self) {
        if let Some(b) = &self.0 {
            b.inc(1);
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

/// Options for reading CSV files.
#[derive(Debug, Clone, ClapArgs)]
pub struct CsvArgs {
    /// Extra text that means a missing value, besides an empty field (e.g. `--na NA --na ?`).
    #[arg(long = "na", value_name = "TEXT")]
    pub na: Vec<String>,
    /// The field separator.
    #[arg(long, default_value = ",", value_name = "CHAR")]
    pub delimiter: char,
}

impl CsvArgs {
    /// The CSV options these arguments ask for, on top of `base`.
    pub fn options(&self, base: CsvOptions) -> Result<CsvOptions, CliError> {
        let d = u8::try_from(u32::from(self.delimiter))
            .ok()
            .filter(u8::is_ascii)
            .ok_or_else(|| {
                CliError::usage(format!(
                    "--delimiter must be one ASCII character, got `{}`",
                    self.delimiter
                ))
            })?;
        let mut o = base.with_delimiter(d);
        if !self.na.is_empty() {
            o = o.with_na_values(self.na.iter().cloned());
        }
        Ok(o)
    }
}

/// Reads the CSV file at `path` with `options`, with a spinner for large files.
pub fn read_csv(path: &Path, options: &CsvOptions, out: &Output) -> Result<Frame, CliError> {
    let big = std::fs::metadata(path)
        .map(|m| m.len() > 20 << 20)
        .unwrap_or(false);
    let _spin = big.then(|| out.spinner(&format!("reading {}", path.display())));
    let (frame, _report) = options.read_path(path).map_err(|e| match e {
        kiln::Error::Io { source, .. } => {
            CliError::new(format!("cannot read {}: {source}", path.display()))
        }
        other => CliError::at(path, other),
    })?;
    if frame.n_rows() == 0 {
        return Err(CliError::new(format!(
            "{}: no data rows (only a header?)",
            path.display()
        )));
    }
    Ok(frame)
}

/// The column names in the header line of the CSV file at `path` (empty when unreadable:
/// reading the file proper reports the error).
pub fn header_names(path: &Path, delimiter: char) -> Vec<String> {
    use std::io::BufRead;
    let Ok(file) = std::fs::File::open(path) else {
        return Vec::new();
    };
    let mut line = String::new();
    if std::io::BufReader::new(file).read_line(&mut line).is_err() {
        return Vec::new();
    }
    line.trim_end_matches(['\r', '\n'])
        .trim_start_matches('\u{feff}')
        .split(delimiter)
        .map(|s| s.trim().trim_matches('"').to_string())
        .collect()
}

/// Reads a CSV file of rows for a saved model: the model's input columns with the types
/// they had at training (so a stray text value is reported at its line), others inferred.
pub fn read_for_model(
    path: &Path,
    model: &kiln::model::Model,
    csv: &CsvArgs,
    out: &Output,
) -> Result<Frame, CliError> {
    let header = header_names(path, csv.delimiter);
    let options = csv.options(model.schema().csv_options_for(&header))?;
    read_csv(path, &options, out)
}

/// Splits comma-separated values of a repeated option (`--sensitive a,b --sensitive c`).
pub fn split_list(values: &[String]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Checks that `frame` (read from `path`) has every column in `names`, naming the option.
pub fn require_columns(
    frame: &Frame,
    path: &Path,
    option: &str,
    names: &[String],
) -> Result<(), CliError> {
    for n in names {
        if frame.index_of(n).is_err() {
            let shown: Vec<&str> = frame.names().iter().take(15).map(String::as_str).collect();
            return Err(CliError::usage(format!(
                "{option} names `{n}`, which is not a column of {}",
                path.display()
            ))
            .with_hint(format!(
                "its columns are: {}{}",
                shown.join(", "),
                if frame.n_cols() > 15 { ", ..." } else { "" }
            )));
        }
    }
    Ok(())
}

/// A path for display in JSON.
pub fn path_string(p: &Path) -> String {
    p.display().to_string()
}
