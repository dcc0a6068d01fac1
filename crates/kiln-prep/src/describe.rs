//! Column summaries ([`Frame::describe`]) and writing a frame back to CSV.

use std::fmt;
use std::io::Write;
use std::path::Path;

use kiln_core::{Error, Result};

use crate::frame::{Column, ColumnType, Frame, MISSING_CODE};

/// A summary of one column, as [`Frame::describe`] reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnSummary {
    /// Column name.
    pub name: String,
    /// Column type.
    pub column_type: ColumnType,
    /// Values present.
    pub count: usize,
    /// Values missing.
    pub missing: usize,
    /// Distinct values present.
    pub unique: usize,
    /// For numeric columns: minimum, maximum, mean and sample standard deviation
    /// (`ddof = 1`, as pandas reports it; NaN with fewer than two values).
    pub numeric: Option<NumericSummary>,
    /// For categorical columns: the most frequent values with their counts, most frequent
    /// first (ties in level order), at most five.
    pub top: Vec<(String, usize)>,
}

/// Moments of a numeric column, over the values present.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NumericSummary {
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (`ddof = 1`).
    pub std: f64,
}

/// The summary of every column of a frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Description {
    /// Rows in the frame.
    pub rows: usize,
    /// One summary per column, in column order.
    pub columns: Vec<ColumnSummary>,
}

impl Frame {
    /// Summarises every column: type, count, missing, unique, and min/max/mean/std (numeric)
    /// or the top categories (categorical).
    pub fn describe(&self) -> Description {
        let columns = self
            .names()
            .iter()
            .zip(self.columns())
            .map(|(name, col)| summarise(name, col))
            .collect();
        Description {
            rows: self.n_rows(),
            columns,
        }
    }

    /// Writes the frame as CSV (header row, `,` separator, missing as an empty field).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] naming the column and row of an infinite value, before
    /// anything is written: the reader takes only finite numbers, so `inf` would come back
    /// as text; [`Error::Io`] if writing fails.
    pub fn write_csv(&self, out: impl Write) -> Result<()> {
        for (name, col) in self.names().iter().zip(self.columns()) {
            if let Column::Float(v) = col
                && let Some(row) = v.iter().position(|x| x.is_infinite())
            {
                return Err(Error::InvalidValue {
                    what: format!("column `{name}`"),
                    row: Some(row),
                    reason: format!(
                        "{} cannot be written to CSV and read back as a number (the reader \
                         takes finite numbers only); replace or drop it first",
                        v[row]
                    ),
                });
            }
        }
        let mut w = csv::Writer::from_writer(out);
        let io = |e: csv::Error| Error::Io {
            path: None,
            source: std::io::Error::other(e.to_string()),
        };
        w.write_record(self.names()).map_err(io)?;
        let mut row: Vec<String> = Vec::with_capacity(self.n_cols());
        for i in 0..self.n_rows() {
            row.clear();
            row.extend(self.columns().iter().map(|c| c.format(i)));
            w.write_record(&row).map_err(io)?;
        }
        w.flush()?;
        Ok(())
    }

    /// Writes the frame as CSV to `path`, atomically (temporary file, then rename).
    ///
    /// # Errors
    /// [`Error::Io`] with the path if writing fails.
    pub fn write_csv_path(&self, path: impl AsRef<Path>) -> Result<()> {
        let mut buf = Vec::new();
        self.write_csv(&mut buf)?;
        kiln_core::persist::write_atomic(path.as_ref(), &buf)
    }
}

fn summarise(name: &str, col: &Column) -> ColumnSummary {
    let missing = col.n_missing();
    let count = col.len() - missing;
    match col {
        Column::Categorical(c) => {
            let mut counts = vec![0usize; c.levels().len()];
            for &code in c.codes() {
                if code != MISSING_CODE {
                    counts[code as usize] += 1;
                }
            }
            let unique = counts.iter().filter(|&&n| n > 0).count();
            let mut order: Vec<usize> = (0..counts.len()).filter(|&i| counts[i] > 0).collect();
            order.sort_by(|&a, &b| counts[b].cmp(&counts[a]).then(a.cmp(&b)));
            let top = order
                .into_iter()
                .take(5)
                .map(|i| (c.levels()[i].clone(), counts[i]))
                .collect();
            ColumnSummary {
                name: name.to_owned(),
                column_type: col.column_type(),
                count,
                missing,
                unique,
                numeric: None,
                top,
            }
        }
        _ => {
            let values: Vec<f64> = col
                .as_numeric()
                .unwrap_or_default()
                .iter()
                .copied()
                .filter(|v| !v.is_nan())
                .collect();
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            sorted.dedup();
            let numeric = (!values.is_empty()).then(|| {
                let n = values.len() as f64;
                let mean = values.iter().sum::<f64>() / n;
                let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
                NumericSummary {
                    min: sorted[0],
                    max: sorted[sorted.len() - 1],
                    mean,
                    std: if values.len() > 1 {
                        (ss / (n - 1.0)).sqrt()
                    } else {
                        f64::NAN
                    },
                }
            });
            ColumnSummary {
                name: name.to_owned(),
                column_type: col.column_type(),
                count,
                missing,
                unique: sorted.len(),
                numeric,
                top: Vec::new(),
            }
        }
    }
}

impl fmt::Display for Description {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} rows, {} columns", self.rows, self.columns.len())?;
        writeln!(
            f,
            "{:<24} {:<12} {:>8} {:>8} {:>8}  summary",
            "column", "type", "count", "missing", "unique"
        )?;
        for c in &self.columns {
            let detail = match (&c.numeric, c.top.first()) {
                (Some(s), _) => format!(
                    "min {:.4} max {:.4} mean {:.4} std {:.4}",
                    s.min, s.max, s.mean, s.std
                ),
                (None, Some(_)) => c
                    .top
                    .iter()
                    .take(3)
                    .map(|(v, n)| format!("{v} ({n})"))
                    .collect::<Vec<_>>()
                    .join(", "),
                (None, None) => String::new(),
            };
            writeln!(
                f,
                "{:<24} {:<12} {:>8} {:>8} {:>8}  {detail}",
                c.name,
                c.column_type.name(),
                c.count,
                c.missing,
                c.unique
            )?;
        }
        Ok(())
    }
}
