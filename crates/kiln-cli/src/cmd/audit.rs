//! `kiln audit`: the fairness report on predictions from any source.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use kiln::fairness::report::{FairnessReport, ReportParams, Thresholds, Verdict};
use kiln::prep::Frame;
use ndarray::Array1;
use serde_json::{Map, Value, json};

use crate::common::{
    CliError, CliResult, CsvArgs, Output, path_string, read_csv, require_columns, split_list,
};

/// Options of `kiln audit`.
///
/// Reads a CSV of true labels, predicted labels (and optionally scores) with the sensitive
/// columns — for example the output of `kiln predict`, whose columns are `prediction` and
/// `proba_<class>` — and prints the fairness report: the groups with their sizes, every
/// measure under its fairlearn name with its threshold and verdict, warnings (groups too
/// small to judge, ...), and a one-line verdict.
///
/// Labels are compared as text after one normalisation: a number is written in its shortest
/// form, so `1`, `1.0` and `1.00` are the same label (a float column holding whole values and
/// an int column agree); other text is compared exactly (case matters). The favourable
/// outcome is `--positive`; without it, labels that are all among `0`/`1`, `false`/`true` or
/// `no`/`yes` take the second, and any other labels make `--positive` required. Every label
/// other than the favourable one is unfavourable, so a prediction never seen in the target
/// (or a multi-class target) is fine; a `--positive` label that appears in neither column is
/// an error.
///
/// The exit status is 0 whenever the report is computed, even when measures fail: it is a
/// report, not a gate (read the verdicts from `--json`).
///
/// With `--json`: `{"command": "audit", "data", "target", "prediction", "score", "sensitive",
/// "positive", "n_rows", "verdict" ("pass" / "fail"), "groups": [{group, count, too_small}],
/// "measures": {fairlearn_name: {value, interval, verdict, threshold, metric}}, "by_group":
/// {metric: {overall, groups: {group: {value, interval, count}}}}, "warnings", "report": the
/// full `kiln_fairness.report/1` document}`. `interval` is the 95% bootstrap interval
/// `[lower, upper]` (1,000 resamples, seed 0), or `null` for measures without one. Undefined
/// values are `null`; `threshold` is written as in the report schema (`{"at_most": 0.1}`,
/// `{"at_least": 0.8}`, ...).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The predictions (CSV with the target, prediction and sensitive columns).
    #[arg(value_name = "PREDICTIONS.csv")]
    pub data: PathBuf,
    /// The column of true labels.
    #[arg(long, value_name = "COL")]
    pub target: String,
    /// The column of predicted labels.
    #[arg(long, value_name = "COL")]
    pub prediction: String,
    /// A column of scores of the favourable outcome (e.g. `proba_good`), for the score
    /// measures (AUC, mean score, calibration by group).
    #[arg(long, value_name = "COL")]
    pub score: Option<String>,
    /// The sensitive columns (comma-separated or repeated); groups are their combinations.
    #[arg(long, value_name = "COL[,COL]", required = true)]
    pub sensitive: Vec<String>,
    /// The favourable label (needed unless the labels are 0/1, false/true or no/yes).
    #[arg(long, value_name = "LABEL")]
    pub positive: Option<String>,
    /// The largest difference between groups that passes.
    #[arg(long, value_name = "X", default_value_t = 0.1)]
    pub max_difference: f64,
    /// The smallest ratio between groups that passes.
    #[arg(long, value_name = "X", default_value_t = 0.8)]
    pub min_ratio: f64,
    /// Also write the charts of this report to FILE as one self-contained HTML page.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    #[command(flatten)]
    pub csv: CsvArgs,
    #[command(flatten)]
    pub output: Output,
}

/// Runs `kiln audit`.
pub fn run(args: &Args) -> CliResult {
    let out = &args.output;
    let thresholds = Thresholds::default()
        .with_max_difference(args.max_difference)
        .with_min_ratio(args.min_ratio);
    ReportParams::default()
        .with_thresholds(thresholds.clone())
        .validate()
        .map_err(|e| CliError::usage(format!("--max-difference / --min-ratio: {e}")))?;
    let csv = args.csv.options(kiln::prep::CsvOptions::default())?;
    let frame = read_csv(&args.data, &csv, out)?;
    let path = args.data.as_path();
    require_columns(&frame, path, "--target", std::slice::from_ref(&args.target))?;
    require_columns(
        &frame,
        path,
        "--prediction",
        std::slice::from_ref(&args.prediction),
    )?;
    if let Some(s) = &args.score {
        require_columns(&frame, path, "--score", std::slice::from_ref(s))?;
    }
    let sensitive = split_list(&args.sensitive);
    if sensitive.is_empty() {
        return Err(CliError::usage("--sensitive names no column"));
    }
    require_columns(&frame, path, "--sensitive", &sensitive)?;

    let y_true = labels(&frame, path, &args.target)?;
    let y_pred = labels(&frame, path, &args.prediction)?;
    let positive = favourable(args, &y_true, &y_pred)?;
    let encode = |v: &[String]| {
        v.iter()
            .map(|l| usize::from(*l == positive))
            .collect::<Array1<usize>>()
    };
    let (t, p) = (encode(&y_true), encode(&y_pred));
    let scores = match &args.score {
        Some(s) => Some(scores(&frame, path, s)?),
        None => None,
    };
    let report = {
        let _spin = out.spinner("computing the fairness report");
        kiln::model::audit(
            &frame,
            &sensitive,
            t.view(),
            p.view(),
            scores.as_ref().map(|s| s.view()),
            &thresholds,
        )
        .map_err(|e| CliError::at(path, e))?
    };
    if let Some(h) = &args.html {
        crate::cmd::report::audit_html(&report, path, h)?;
    }

    let mut doc = Map::new();
    doc.insert("command".into(), json!("audit"));
    doc.insert("data".into(), json!(path_string(path)));
    doc.insert("target".into(), json!(args.target));
    doc.insert("prediction".into(), json!(args.prediction));
    doc.insert("score".into(), json!(args.score));
    doc.insert("sensitive".into(), json!(sensitive));
    doc.insert("positive".into(), json!(positive));
    for (k, v) in report_fields(&report) {
        doc.insert(k, v);
    }
    out.emit(&doc, || {
        println!(
            "fairness audit of `{}` against `{}` in {}, favourable label `{positive}`, by {}",
            args.prediction,
            args.target,
            path.display(),
            sensitive.join(", ")
        );
        print_report(&report);
    })?;
    Ok(0)
}

/// The JSON fields of a fairness report besides the command's own: `n_rows`, `verdict`,
/// `groups`, `measures` and `by_group` keyed by name, `warnings`, and `report` (the whole
/// report, schema `kiln_fairness.report/1`).
pub fn report_fields(report: &FairnessReport) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("n_rows".into(), json!(report.n_rows));
    m.insert(
        "verdict".into(),
        json!(if report.summary.fail > 0 {
            "fail"
        } else {
            "pass"
        }),
    );
    m.insert(
        "summary".into(),
        serde_json::to_value(report.summary).unwrap_or(Value::Null),
    );
    let groups: Vec<Value> = report
        .groups
        .iter()
        .map(|g| json!({ "group": g.name, "count": g.count, "too_small": g.too_small }))
        .collect();
    m.insert("groups".into(), Value::Array(groups));
    let mut measures = Map::new();
    let interval = |b: Option<&kiln::fairness::frame::Bounds>| {
        b.map(|b| json!([b.lower.get(), b.upper.get()]))
    };
    let intervals = report.intervals.as_ref();
    for r in &report.measures {
        measures.insert(
            r.name.clone(),
            json!({
                "value": r.value.get(),
                "interval": interval(intervals.and_then(|i| i.measure(&r.name))),
                "verdict": r.verdict,
                "threshold": r.threshold,
                "metric": r.metric,
            }),
        );
    }
    m.insert("measures".into(), Value::Object(measures));
    let mut by_group = Map::new();
    for b in &report.by_group {
        let groups: Map<String, Value> = b
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| {
                (
                    g.group.clone(),
                    json!({
                        "value": g.value.get(),
                        "interval": interval(intervals.and_then(|x| x.rate(&b.metric, i))),
                        "count": g.count,
                    }),
                )
            })
            .collect();
        let overall = b.overall.first().and_then(|o| o.value.get());
        by_group.insert(
            b.metric.clone(),
            json!({ "overall": overall, "groups": groups }),
        );
    }
    m.insert("by_group".into(), Value::Object(by_group));
    m.insert("warnings".into(), json!(report.warnings));
    m.insert(
        "report".into(),
        serde_json::to_value(report).unwrap_or(Value::Null),
    );
    m
}

/// Prints a fairness report as text: the groups with their sizes and main rates, each
/// measure with its value, bootstrap interval (when the report has them), threshold and
/// verdict (failures marked with `!!`), the warnings, and a one-line `fairness verdict:`.
pub fn print_report(report: &FairnessReport) {
    let rate = |metric: &str, g: usize| {
        report
            .by_group
            .iter()
            .find(|b| b.metric == metric)
            .and_then(|b| b.groups.get(g))
            .and_then(|v| v.value.get())
            .map_or_else(|| "-".to_owned(), |v| format!("{v:.4}"))
    };
    let gw = report
        .groups
        .iter()
        .map(|g| g.name.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    println!("groups ({}):", report.groups.len());
    println!(
        "  {:<gw$}  {:>8}  {:>14}  {:>8}  {:>8}",
        "group", "rows", "selection_rate", "tpr", "fpr"
    );
    for (i, g) in report.groups.iter().enumerate() {
        println!(
            "  {:<gw$}  {:>8}  {:>14}  {:>8}  {:>8}{}",
            g.name,
            g.count,
            rate("selection_rate", i),
            rate("tpr", i),
            rate("fpr", i),
            if g.too_small {
                "  (too small to judge)"
            } else {
                ""
            }
        );
    }
    let mw = report
        .measures
        .iter()
        .map(|m| m.name.chars().count())
        .max()
        .unwrap_or(7)
        .max(7);
    let intervals = report.intervals.as_ref();
    let ci_head = intervals.map_or_else(String::new, |i| {
        format!("{}% interval", i.bootstrap.percent())
    });
    println!("measures:");
    println!(
        "     {:<mw$}  {:>10}  {ci_head:<18}  {:<16}  verdict",
        "measure", "value", "threshold"
    );
    for m in &report.measures {
        let value = m
            .value
            .get()
            .map_or_else(|| "undefined".to_owned(), |v| format!("{v:.4}"));
        let bar = m
            .threshold
            .map_or_else(|| "-".to_owned(), |b| b.to_string());
        let mark = if m.verdict == Verdict::Fail {
            "!!"
        } else {
            "  "
        };
        let ci = intervals
            .and_then(|i| i.measure(&m.name))
            .map_or_else(|| "-".to_owned(), ToString::to_string);
        let ci = if intervals.is_some() {
            ci
        } else {
            String::new()
        };
        println!(
            "  {mark} {:<mw$}  {value:>10}  {ci:<18}  {bar:<16}  {}",
            m.name, m.verdict
        );
    }
    if !report.warnings.is_empty() {
        println!("warnings:");
        for w in &report.warnings {
            println!("  - {w}");
        }
    }
    let s = &report.summary;
    let failed: Vec<&str> = report.failures().map(|m| m.name.as_str()).collect();
    if failed.is_empty() {
        println!(
            "fairness verdict: pass ({} pass, {} undefined, {} not judged)",
            s.pass, s.undefined, s.not_judged
        );
    } else {
        println!(
            "fairness verdict: FAIL, {} of {} judged measures fail: {}",
            s.fail,
            s.pass + s.fail,
            failed.join(", ")
        );
    }
}

/// The label of every row of `name` as normalised text; a missing label is an error naming
/// its line.
fn labels(frame: &Frame, path: &Path, name: &str) -> Result<Vec<String>, CliError> {
    let col = frame.column(name).map_err(|e| CliError::at(path, e))?;
    (0..col.len())
        .map(|i| {
            if col.is_missing(i) {
                // Line 1 is the header.
                Err(CliError::new(format!(
                    "{}: line {}: column `{name}` has no value; drop or fill rows without a label",
                    path.display(),
                    i + 2
                )))
            } else {
                Ok(normalise(&col.format(i)))
            }
        })
        .collect()
}

/// A label as compared: numbers in their shortest form (`1.0` → `1`), other text as is.
fn normalise(label: &str) -> String {
    match label.trim().parse::<f64>() {
        Ok(x)
            if x.is_finite()
                && label
                    .trim()
                    .chars()
                    .all(|c| c.is_ascii_digit() || "+-.eE".contains(c)) =>
        {
            let x = if x == 0.0 { 0.0 } else { x };
            format!("{x}")
        }
        _ => label.to_owned(),
    }
}

/// The favourable label: `--positive` (normalised), or the larger of a 0/1, false/true or
/// no/yes pair.
fn favourable(args: &Args, y_true: &[String], y_pred: &[String]) -> Result<String, CliError> {
    let seen: BTreeSet<&str> = y_true.iter().chain(y_pred).map(String::as_str).collect();
    let shown = |set: &BTreeSet<&str>| {
        let v: Vec<&str> = set.iter().take(10).copied().collect();
        format!(
            "{}{}",
            v.join(", "),
            if set.len() > 10 { ", ..." } else { "" }
        )
    };
    if let Some(p) = &args.positive {
        let p = normalise(p);
        if !seen.contains(p.as_str()) {
            let target: BTreeSet<&str> = y_true.iter().map(String::as_str).collect();
            return Err(CliError::usage(format!(
                "--positive `{p}` is neither a label of `{}` nor of `{}`",
                args.target, args.prediction
            ))
            .with_hint(format!(
                "the labels of `{}` are: {}",
                args.target,
                shown(&target)
            )));
        }
        return Ok(p);
    }
    for (no, yes) in [("0", "1"), ("false", "true"), ("no", "yes")] {
        if seen.iter().all(|l| *l == no || *l == yes) {
            return Ok(yes.to_owned());
        }
    }
    Err(CliError::usage(format!(
        "--positive is needed: the labels of `{}` and `{}` are not 0/1, false/true or no/yes",
        args.target, args.prediction
    ))
    .with_hint(format!("name the favourable one of: {}", shown(&seen))))
}

/// The scores in column `name`: numbers, none missing.
fn scores(frame: &Frame, path: &Path, name: &str) -> Result<Array1<f64>, CliError> {
    let col = frame.column(name).map_err(|e| CliError::at(path, e))?;
    let values = col.as_numeric().ok_or_else(|| {
        CliError::usage(format!(
            "--score names `{name}`, which holds text in {}, not numbers",
            path.display()
        ))
    })?;
    if let Some(i) = values.iter().position(|v| v.is_nan()) {
        return Err(CliError::new(format!(
            "{}: line {}: column `{name}` (--score) has no value",
            path.display(),
            i + 2
        )));
    }
    Ok(Array1::from(values.to_vec()))
}
