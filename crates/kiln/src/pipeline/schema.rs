//! [`InputSchema`]: the raw columns a fitted pipeline reads, and the check new data must pass.

use kiln_core::{Error, Result};
use kiln_prep::{Column, ColumnType, CsvOptions, Frame};
use serde::{Deserialize, Serialize};

/// One input column: its name and the type it had at fit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputColumn {
    /// The column's name.
    pub name: String,
    /// Its type at fit (`float`, `int` and `bool` all read as numbers).
    pub column_type: ColumnType,
}

/// The raw columns a fitted [`Pipeline`](super::Pipeline) reads, with their types: recorded at
/// fit, saved with the model, and checked on every frame given to `predict`.
///
/// A frame passes when it has every column (extra columns are ignored, order does not
/// matter) and each column can be read as its recorded kind: numeric (`float`, `int`,
/// `bool` are interchangeable) or categorical. A numeric column where categories were
/// recorded is turned into text (a code column read as numbers from a batch that happens to
/// hold only digits); text where numbers were recorded is an error naming the column and a
/// value, never a guess.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputSchema {
    columns: Vec<InputColumn>,
}

impl InputSchema {
    /// The schema of `names` in `frame`.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] naming a column `frame` does not have.
    pub fn from_frame<S: AsRef<str>>(frame: &Frame, names: &[S]) -> Result<Self> {
        let mut columns = Vec::with_capacity(names.len());
        for name in names {
            let col = frame.column(name.as_ref())?;
            columns.push(InputColumn {
                name: name.as_ref().to_string(),
                column_type: col.column_type(),
            });
        }
        Ok(Self { columns })
    }

    /// The columns, in the order the pipeline was fitted on.
    pub fn columns(&self) -> &[InputColumn] {
        &self.columns
    }

    /// The column names, in order.
    pub fn names(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.name.clone()).collect()
    }

    /// The number of input columns.
    pub fn len(&self) -> usize {
        self.columns.len()
    }

    /// Whether there are no input columns.
    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }

    /// CSV options that read each schema column with its recorded type, so a file is parsed
    /// the way the training data was (a stray text value in a numeric column is reported
    /// with its line and field instead of turning the column into text).
    pub fn csv_options(&self) -> CsvOptions {
        self.columns.iter().fold(CsvOptions::default(), |o, c| {
            o.with_type(&c.name, c.column_type)
        })
    }

    /// [`InputSchema::csv_options`] for a file whose header holds `columns`: types are set
    /// only for schema columns present, so a file missing one reads and then fails in
    /// [`InputSchema::conform`] with the list of missing columns.
    pub fn csv_options_for<S: AsRef<str>>(&self, columns: &[S]) -> CsvOptions {
        self.columns
            .iter()
            .filter(|c| columns.iter().any(|h| h.as_ref() == c.name))
            .fold(CsvOptions::default(), |o, c| {
                o.with_type(&c.name, c.column_type)
            })
    }

    /// Whether `frame` can be read as it is: every schema column present with its recorded
    /// kind (numeric or categorical), so [`InputSchema::conform`] would change nothing the
    /// column transformer reads (it reads columns by name and ignores the others).
    pub fn fits(&self, frame: &Frame) -> bool {
        self.columns.iter().all(|c| {
            frame
                .column(&c.name)
                .is_ok_and(|col| col.column_type().is_numeric() == c.column_type.is_numeric())
        })
    }

    /// The schema's columns of `frame`, in schema order, each converted to its recorded kind.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] naming the first column that is missing (and listing the
    /// expected columns) or that holds text where numbers were recorded (with a value and its
    /// row); [`Error::EmptyInput`] for a frame without rows.
    pub fn conform(&self, frame: &Frame) -> Result<Frame> {
        let missing: Vec<&str> = self
            .columns
            .iter()
            .filter(|c| frame.index_of(&c.name).is_err())
            .map(|c| c.name.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(Error::InvalidValue {
                what: "the data given to the pipeline".into(),
                row: None,
                reason: format!(
                    "missing column{} {} (the model reads: {})",
                    if missing.len() == 1 { "" } else { "s" },
                    quote_list(&missing),
                    quote_list(
                        &self
                            .columns
                            .iter()
                            .map(|c| c.name.as_str())
                            .collect::<Vec<_>>()
                    ),
                ),
            });
        }
        let mut out = Vec::with_capacity(self.columns.len());
        for c in &self.columns {
            let col = frame.column(&c.name)?;
            let want_numeric = c.column_type.is_numeric();
            let have_numeric = col.column_type().is_numeric();
            let col = match (want_numeric, have_numeric) {
                (true, true) | (false, false) => col.clone(),
                (false, true) => numeric_as_text(col),
                (true, false) => text_as_numeric(&c.name, col, c.column_type)?,
            };
            out.push((c.name.clone(), col));
        }
        Frame::new(out)
    }
}

fn quote_list(names: &[&str]) -> String {
    const SHOW: usize = 12;
    let mut s: Vec<String> = names.iter().take(SHOW).map(|n| format!("`{n}`")).collect();
    if names.len() > SHOW {
        s.push(format!("and {} more", names.len() - SHOW));
    }
    s.join(", ")
}

fn numeric_as_text(col: &Column) -> Column {
    let values: Vec<Option<String>> = (0..col.len())
        .map(|i| (!col.is_missing(i)).then(|| col.format(i)))
        .collect();
    Column::Categorical(kiln_prep::Categorical::from_values(&values))
}

/// Text where numbers were recorded: each level must parse as a number (a frame built by
/// hand may hold numbers as text); otherwise the first offending value is named.
fn text_as_numeric(name: &str, col: &Column, ty: ColumnType) -> Result<Column> {
    let Some(cat) = col.as_categorical() else {
        return Ok(col.clone());
    };
    let mut parsed = Vec::with_capacity(cat.levels().len());
    for level in cat.levels() {
        match parse_number(level, ty) {
            Some(v) => parsed.push(v),
            None => {
                let row = cat
                    .codes()
                    .iter()
                    .position(|&c| cat.levels().get(c as usize) == Some(level));
                return Err(Error::InvalidValue {
                    what: format!("column `{name}`"),
                    row,
                    reason: format!(
                        "`{level}` is not a number, but the model was trained with `{name}` as {}",
                        ty.name()
                    ),
                });
            }
        }
    }
    let values = cat
        .codes()
        .iter()
        .map(|&c| parsed.get(c as usize).copied().unwrap_or(f64::NAN))
        .collect();
    Ok(match ty {
        ColumnType::Int => Column::Int(values),
        ColumnType::Bool => Column::Bool(values),
        _ => Column::Float(values),
    })
}

fn parse_number(s: &str, ty: ColumnType) -> Option<f64> {
    let t = s.trim();
    if ty == ColumnType::Bool {
        return match t.to_ascii_lowercase().as_str() {
            "true" => Some(1.0),
            "false" => Some(0.0),
            _ => t.parse::<f64>().ok().filter(|v| *v == 0.0 || *v == 1.0),
        };
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}
