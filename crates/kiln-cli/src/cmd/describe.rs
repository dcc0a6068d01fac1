//! `kiln describe`: column types, missing values, duplicate rows, statistics and the
//! target's balance.

use std::path::PathBuf;

use kiln::prep::{Column, ColumnSummary, ColumnType, Keep};
use serde_json::{Map, Value, json};

use crate::common::{CliError, CliResult, CsvArgs, Output, path_string, read_csv, require_columns};

/// A numeric target with at most this many distinct values is shown as classes; with more,
/// as a summary (a regression target).
const MAX_TARGET_CLASSES: usize = 20;

/// Options of `kiln describe`.
///
/// Prints, per column, its type, count, missing values, distinct values and either
/// min / max / mean / std (numeric, std with ddof = 1 as pandas) or the five most frequent
/// categories; then the rows, columns, missing cells, duplicate rows (rows repeating an
/// earlier row, as pandas' `duplicated().sum()`) and, with `--target`, the target's balance.
///
/// With `--json`: `n_rows`, `n_columns`, `missing_cells`, `rows_with_missing`,
/// `duplicate_rows`, `columns` (one object per column: `name`, `type`, `count`, `missing`,
/// `unique`, then `min`, `max`, `mean`, `std` or `top` as `[{value, count}]`) and `target`
/// (absent without `--target`; `{column, kind: "classes", missing, classes: [{label, count,
/// share}]}` or `{column, kind: "numeric", missing, unique, min, max, mean, std}`).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The data (CSV with a header row).
    #[arg(value_name = "DATA.csv")]
    pub data: PathBuf,
    /// The target column, to show its balance (class counts and shares, or a summary for a
    /// numeric target with more than 20 distinct values).
    #[arg(long, value_name = "COL")]
    pub target: Option<String>,
    #[command(flatten)]
    pub csv: CsvArgs,
    #[command(flatten)]
    pub output: Output,
}

/// Runs `kiln describe`.
pub fn run(args: &Args) -> CliResult {
    let out = &args.output;
    let csv = args.csv.options(kiln::prep::CsvOptions::default())?;
    let frame = read_csv(&args.data, &csv, out)?;
    if let Some(t) = &args.target {
        require_columns(&frame, &args.data, "--target", std::slice::from_ref(t))?;
    }
    let (description, duplicate_rows, missing) = {
        let _spin = out.spinner("describing");
        let description = frame.describe();
        let duplicate_rows = frame
            .duplicated::<&str>(None, Keep::First)
            .map_err(|e| CliError::at(&args.data, e))?
            .iter()
            .filter(|&&d| d)
            .count();
        (description, duplicate_rows, frame.missing_report())
    };
    let missing_cells: usize = missing.columns.iter().map(|(_, m, _)| m).sum();
    let target = match &args.target {
        Some(t) => {
            let col = frame.column(t).map_err(|e| CliError::at(&args.data, e))?;
            let summary = description.columns.iter().find(|c| &c.name == t);
            Some(target_balance(t, col, summary))
        }
        None => None,
    };

    let mut doc = Map::new();
    doc.insert("command".into(), json!("describe"));
    doc.insert("data".into(), json!(path_string(&args.data)));
    doc.insert("n_rows".into(), json!(frame.n_rows()));
    doc.insert("n_columns".into(), json!(frame.n_cols()));
    doc.insert("missing_cells".into(), json!(missing_cells));
    doc.insert("rows_with_missing".into(), json!(missing.rows_with_missing));
    doc.insert("duplicate_rows".into(), json!(duplicate_rows));
    doc.insert(
        "columns".into(),
        Value::Array(description.columns.iter().map(column_json).collect()),
    );
    if let Some(t) = &target {
        doc.insert("target".into(), t.to_json());
    }
    out.emit(&doc, || {
        println!(
            "{}: {} rows, {} columns, {} missing cells ({} rows with any), {} duplicate rows",
            args.data.display(),
            frame.n_rows(),
            frame.n_cols(),
            missing_cells,
            missing.rows_with_missing,
            duplicate_rows
        );
        println!();
        print_columns(&description.columns);
        if let Some(t) = &target {
            println!();
            t.print();
        }
    })?;
    Ok(0)
}

/// One column's summary as JSON.
fn column_json(c: &ColumnSummary) -> Value {
    let mut m = Map::new();
    m.insert("name".into(), json!(c.name));
    m.insert("type".into(), json!(c.column_type.name()));
    m.insert("count".into(), json!(c.count));
    m.insert("missing".into(), json!(c.missing));
    m.insert("unique".into(), json!(c.unique));
    if let Some(n) = &c.numeric {
        // Non-finite values (std of a single value) become `null`.
        m.insert("min".into(), json!(n.min));
        m.insert("max".into(), json!(n.max));
        m.insert("mean".into(), json!(n.mean));
        m.insert("std".into(), json!(n.std));
    } else if c.column_type.is_numeric() {
        for k in ["min", "max", "mean", "std"] {
            m.insert(k.into(), Value::Null);
        }
    } else {
        let top: Vec<Value> = c
            .top
            .iter()
            .map(|(v, n)| json!({ "value": v, "count": n }))
            .collect();
        m.insert("top".into(), Value::Array(top));
    }
    Value::Object(m)
}

/// A value of a column of type `t` for the text table: whole for int and bool columns.
fn value(x: f64, t: ColumnType) -> String {
    if x.is_finite() && t != ColumnType::Float {
        format!("{x:.0}")
    } else {
        num(x)
    }
}

/// A number for the text table: four decimals, `-` when undefined.
fn num(x: f64) -> String {
    if !x.is_finite() {
        "-".into()
    } else if x == 0.0 || (x.abs() >= 1e-3 && x.abs() < 1e7) {
        format!("{x:.4}")
    } else {
        format!("{x:.4e}")
    }
}

fn print_columns(columns: &[ColumnSummary]) {
    let nw = columns
        .iter()
        .map(|c| c.name.chars().count())
        .max()
        .unwrap_or(6)
        .max(6);
    println!(
        "{:<nw$}  {:<11}  {:>8}  {:>8}  {:>7}  {:>12}  {:>12}  {:>12}  {:>12}",
        "column", "type", "count", "missing", "unique", "min", "max", "mean", "std"
    );
    for c in columns {
        let head = format!(
            "{:<nw$}  {:<11}  {:>8}  {:>8}  {:>7}",
            c.name,
            c.column_type.name(),
            c.count,
            c.missing,
            c.unique
        );
        match &c.numeric {
            Some(n) => println!(
                "{head}  {:>12}  {:>12}  {:>12}  {:>12}",
                value(n.min, c.column_type),
                value(n.max, c.column_type),
                num(n.mean),
                num(n.std)
            ),
            None if c.column_type.is_numeric() => println!("{head}  (no value)"),
            None => {
                let top: Vec<String> = c
                    .top
                    .iter()
                    .map(|(v, n)| format!("{} ({n})", printable(v)))
                    .collect();
                println!("{head}  top: {}", top.join(", "));
            }
        }
    }
}

/// `text` with control characters (a newline inside a quoted field) escaped, so each
/// column stays on one line.
fn printable(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}

/// The balance of the target column.
enum TargetBalance {
    /// Class labels with their counts, most frequent first.
    Classes {
        column: String,
        missing: usize,
        classes: Vec<(String, usize)>,
    },
    /// A numeric target with many distinct values.
    Numeric {
        column: String,
        missing: usize,
        unique: usize,
        stats: Option<kiln::prep::NumericSummary>,
    },
}

fn target_balance(name: &str, col: &Column, summary: Option<&ColumnSummary>) -> TargetBalance {
    let missing = col.n_missing();
    let unique = summary.map_or(0, |s| s.unique);
    if col.column_type().is_numeric() && unique > MAX_TARGET_CLASSES {
        return TargetBalance::Numeric {
            column: name.to_owned(),
            missing,
            unique,
            stats: summary.and_then(|s| s.numeric),
        };
    }
    // Count by the values as written (so an int target shows `0`, `1`).
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for i in (0..col.len()).filter(|&i| !col.is_missing(i)) {
        *counts.entry(col.format(i)).or_default() += 1;
    }
    let mut classes: Vec<(String, usize)> = counts.into_iter().collect();
    classes.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    TargetBalance::Classes {
        column: name.to_owned(),
        missing,
        classes,
    }
}

impl TargetBalance {
    fn to_json(&self) -> Value {
        match self {
            TargetBalance::Classes {
                column,
                missing,
                classes,
            } => {
                let total: usize = classes.iter().map(|c| c.1).sum();
                let list: Vec<Value> = classes
                    .iter()
                    .map(|(l, n)| {
                        json!({ "label": l, "count": n, "share": *n as f64 / total.max(1) as f64 })
                    })
                    .collect();
                json!({ "column": column, "kind": "classes", "missing": missing, "classes": list })
            }
            TargetBalance::Numeric {
                column,
                missing,
                unique,
                stats,
            } => json!({
                "column": column,
                "kind": "numeric",
                "missing": missing,
                "unique": unique,
                "min": stats.map(|s| s.min),
                "max": stats.map(|s| s.max),
                "mean": stats.map(|s| s.mean),
                "std": stats.map(|s| s.std),
            }),
        }
    }

    fn print(&self) {
        match self {
            TargetBalance::Classes {
                column,
                missing,
                classes,
            } => {
                let total: usize = classes.iter().map(|c| c.1).sum();
                println!(
                    "target `{column}`: {} classes, {missing} missing",
                    classes.len()
                );
                let w = classes
                    .iter()
                    .map(|c| printable(&c.0).chars().count())
                    .max()
                    .unwrap_or(5)
                    .max(5);
                for (label, n) in classes {
                    println!(
                        "  {:<w$}  {n:>8}  {:>6.1}%",
                        printable(label),
                        100.0 * *n as f64 / total.max(1) as f64
                    );
                }
            }
            TargetBalance::Numeric {
                column,
                missing,
                unique,
                stats,
            } => {
                print!("target `{column}`: numeric, {unique} distinct values, {missing} missing");
                match stats {
                    Some(s) => println!(
                        ", min {}, max {}, mean {}, std {}",
                        num(s.min),
                        num(s.max),
                        num(s.mean),
                        num(s.std)
                    ),
                    None => println!(),
                }
            }
        }
    }
}
