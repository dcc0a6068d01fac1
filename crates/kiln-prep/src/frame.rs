//! [`Frame`]: a table of named, typed columns with missing values.

use std::collections::HashMap;
use std::fmt;

use kiln_core::{Error, Result};
use ndarray::Array2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// The code of a missing value in a [`Categorical`] column.
pub const MISSING_CODE: u32 = u32::MAX;

/// The type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ColumnType {
    /// Real numbers.
    Float,
    /// Whole numbers (held as `f64`, exact up to 2^53).
    Int,
    /// `true` / `false` (held as 1.0 / 0.0).
    Bool,
    /// Text categories.
    Categorical,
}

impl ColumnType {
    /// The type's name as printed: `float`, `int`, `bool`, `categorical`.
    pub fn name(self) -> &'static str {
        match self {
            ColumnType::Float => "float",
            ColumnType::Int => "int",
            ColumnType::Bool => "bool",
            ColumnType::Categorical => "categorical",
        }
    }

    /// Whether values are held as numbers.
    pub fn is_numeric(self) -> bool {
        !matches!(self, ColumnType::Categorical)
    }
}

impl fmt::Display for ColumnType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Dictionary-encoded text: one code per row indexing `levels`, or [`MISSING_CODE`].
///
/// Levels are sorted, so two frames read from the same data encode the same way whatever the
/// row order or the number of threads used to read them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Categorical {
    codes: Vec<u32>,
    levels: Vec<String>,
}

impl Categorical {
    /// Encodes `values` (`None` = missing), with sorted levels.
    pub fn from_values<S: AsRef<str>>(values: &[Option<S>]) -> Self {
        let mut levels: Vec<String> = values
            .iter()
            .flatten()
            .map(|s| s.as_ref().to_owned())
            .collect();
        levels.sort();
        levels.dedup();
        let index: HashMap<&str, u32> = levels
            .iter()
            .enumerate()
            .map(|(i, l)| (l.as_str(), i as u32))
            .collect();
        let codes = values
            .iter()
            .map(|v| match v {
                Some(s) => index.get(s.as_ref()).copied().unwrap_or(MISSING_CODE),
                None => MISSING_CODE,
            })
            .collect();
        Self { codes, levels }
    }

    /// Builds from codes and their levels, sorting the levels and remapping the codes.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] when a code is neither [`MISSING_CODE`] nor `< levels.len()`,
    /// or a level repeats.
    pub fn from_codes(codes: Vec<u32>, levels: Vec<String>) -> Result<Self> {
        if let Some(row) = codes
            .iter()
            .position(|&c| c != MISSING_CODE && c as usize >= levels.len())
        {
            return Err(Error::InvalidValue {
                what: "category codes".into(),
                row: Some(row),
                reason: format!("code {} with {} levels", codes[row], levels.len()),
            });
        }
        let mut order: Vec<usize> = (0..levels.len()).collect();
        order.sort_by(|&a, &b| levels[a].cmp(&levels[b]));
        if let Some(w) = order.windows(2).find(|w| levels[w[0]] == levels[w[1]]) {
            return Err(Error::InvalidValue {
                what: "category levels".into(),
                row: None,
                reason: format!("level `{}` appears twice", levels[w[0]]),
            });
        }
        let mut remap = vec![0u32; levels.len()];
        for (new, &old) in order.iter().enumerate() {
            remap[old] = new as u32;
        }
        let codes = codes
            .into_iter()
            .map(|c| {
                if c == MISSING_CODE {
                    c
                } else {
                    remap[c as usize]
                }
            })
            .collect();
        let mut levels = levels;
        levels.sort();
        Ok(Self { codes, levels })
    }

    /// The code of each row ([`MISSING_CODE`] for missing).
    pub fn codes(&self) -> &[u32] {
        &self.codes
    }

    /// The sorted distinct values.
    pub fn levels(&self) -> &[String] {
        &self.levels
    }

    /// The value of row `i`, `None` when missing or out of range.
    pub fn get(&self, i: usize) -> Option<&str> {
        let c = *self.codes.get(i)?;
        self.levels.get(c as usize).map(String::as_str)
    }

    fn take(&self, rows: &[usize]) -> Self {
        Self {
            codes: gather(&self.codes, rows),
            levels: self.levels.clone(),
        }
    }
}

/// One column's values.
///
/// Two columns are equal when they have the same type and values, missing values (NaN)
/// comparing equal to each other.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Column {
    /// Real numbers; NaN is missing.
    Float(Vec<f64>),
    /// Whole numbers held as `f64`; NaN is missing.
    Int(Vec<f64>),
    /// Booleans held as 1.0 / 0.0; NaN is missing.
    Bool(Vec<f64>),
    /// Text categories.
    Categorical(Categorical),
}

impl PartialEq for Column {
    fn eq(&self, other: &Self) -> bool {
        let same = |a: &[f64], b: &[f64]| {
            a.len() == b.len()
                && a.iter()
                    .zip(b)
                    .all(|(x, y)| x == y || (x.is_nan() && y.is_nan()))
        };
        match (self, other) {
            (Column::Float(a), Column::Float(b))
            | (Column::Int(a), Column::Int(b))
            | (Column::Bool(a), Column::Bool(b)) => same(a, b),
            (Column::Categorical(a), Column::Categorical(b)) => a == b,
            _ => false,
        }
    }
}

impl Column {
    /// The column's type.
    pub fn column_type(&self) -> ColumnType {
        match self {
            Column::Float(_) => ColumnType::Float,
            Column::Int(_) => ColumnType::Int,
            Column::Bool(_) => ColumnType::Bool,
            Column::Categorical(_) => ColumnType::Categorical,
        }
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        match self {
            Column::Float(v) | Column::Int(v) | Column::Bool(v) => v.len(),
            Column::Categorical(c) => c.codes.len(),
        }
    }

    /// Whether the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The values of a numeric column (NaN = missing); `None` for a categorical one.
    pub fn as_numeric(&self) -> Option<&[f64]> {
        match self {
            Column::Float(v) | Column::Int(v) | Column::Bool(v) => Some(v),
            Column::Categorical(_) => None,
        }
    }

    /// The categories of a categorical column; `None` for a numeric one.
    pub fn as_categorical(&self) -> Option<&Categorical> {
        match self {
            Column::Categorical(c) => Some(c),
            _ => None,
        }
    }

    /// Whether row `i` is missing.
    pub fn is_missing(&self, i: usize) -> bool {
        match self {
            Column::Float(v) | Column::Int(v) | Column::Bool(v) => {
                v.get(i).is_none_or(|x| x.is_nan())
            }
            Column::Categorical(c) => c.codes.get(i).is_none_or(|&x| x == MISSING_CODE),
        }
    }

    /// The number of missing values.
    pub fn n_missing(&self) -> usize {
        match self {
            Column::Float(v) | Column::Int(v) | Column::Bool(v) => {
                v.iter().filter(|x| x.is_nan()).count()
            }
            Column::Categorical(c) => c.codes.iter().filter(|&&x| x == MISSING_CODE).count(),
        }
    }

    /// Row `i` as text, as it would be written to CSV (`""` when missing).
    pub fn format(&self, i: usize) -> String {
        match self {
            // `{:?}` keeps a decimal point on whole values (`181.0`), so the column reads back
            // as float, and is the shortest text that reads back to the same value.
            Column::Float(v) => v
                .get(i)
                .filter(|x| !x.is_nan())
                .map_or(String::new(), |x| format!("{x:?}")),
            Column::Int(v) => v
                .get(i)
                .filter(|x| !x.is_nan())
                .map_or(String::new(), |x| format!("{x:.0}")),
            Column::Bool(v) => v
                .get(i)
                .filter(|x| !x.is_nan())
                .map_or(String::new(), |&x| (x != 0.0).to_string()),
            Column::Categorical(c) => c.get(i).unwrap_or_default().to_owned(),
        }
    }

    /// The rows at `rows`, in that order.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] when a row is out of range.
    pub fn take(&self, rows: &[usize]) -> Result<Column> {
        check_rows(rows, self.len())?;
        Ok(self.take_checked(rows))
    }

    /// [`Self::take`] for rows already checked to be in range.
    fn take_checked(&self, rows: &[usize]) -> Column {
        match self {
            Column::Float(v) => Column::Float(gather(v, rows)),
            Column::Int(v) => Column::Int(gather(v, rows)),
            Column::Bool(v) => Column::Bool(gather(v, rows)),
            Column::Categorical(c) => Column::Categorical(c.take(rows)),
        }
    }
}

/// A table of named, typed columns of equal length.
///
/// Numeric columns hold `f64` with NaN for missing (the convention of scikit-learn and of
/// kiln's estimators); categorical columns hold sorted levels and a code per row.
///
/// # Example
/// ```
/// use kiln_prep::{Column, Frame};
/// let frame = Frame::new(vec![
///     ("age".into(), Column::Int(vec![31.0, 45.0, f64::NAN])),
///     ("city".into(), Column::Categorical(kiln_prep::Categorical::from_values(
///         &[Some("Oslo"), None, Some("Bergen")]))),
/// ])?;
/// assert_eq!(frame.shape(), (3, 2));
/// assert_eq!(frame.column("city")?.n_missing(), 1);
/// let x = frame.to_array(&["age"])?;
/// assert_eq!(x[[1, 0]], 45.0);
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Frame {
    names: Vec<String>,
    columns: Vec<Column>,
    n_rows: usize,
}

impl Frame {
    /// Builds a frame from named columns.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when columns differ in length; [`Error::InvalidValue`] when a
    /// name repeats.
    pub fn new(columns: Vec<(String, Column)>) -> Result<Self> {
        let n_rows = columns.first().map_or(0, |(_, c)| c.len());
        let mut names = Vec::with_capacity(columns.len());
        let mut cols = Vec::with_capacity(columns.len());
        for (name, col) in columns {
            if col.len() != n_rows {
                return Err(Error::ShapeMismatch {
                    what: format!("rows of column `{name}` against the first column"),
                    expected: n_rows,
                    got: col.len(),
                });
            }
            if names.contains(&name) {
                return Err(Error::InvalidValue {
                    what: "column names".into(),
                    row: None,
                    reason: format!("`{name}` appears twice"),
                });
            }
            names.push(name);
            cols.push(col);
        }
        Ok(Self {
            names,
            columns: cols,
            n_rows,
        })
    }

    /// (rows, columns).
    pub fn shape(&self) -> (usize, usize) {
        (self.n_rows, self.columns.len())
    }

    /// The number of rows.
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// The number of columns.
    pub fn n_cols(&self) -> usize {
        self.columns.len()
    }

    /// The column names, in order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The columns, in order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The position of column `name`.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] naming the unknown column and the known ones.
    pub fn index_of(&self, name: &str) -> Result<usize> {
        self.names
            .iter()
            .position(|n| n == name)
            .ok_or_else(|| Error::InvalidValue {
                what: "column name".into(),
                row: None,
                reason: format!(
                    "no column `{name}`; the columns are: {}",
                    self.names.join(", ")
                ),
            })
    }

    /// The column named `name`.
    ///
    /// # Errors
    /// As [`Frame::index_of`].
    pub fn column(&self, name: &str) -> Result<&Column> {
        Ok(&self.columns[self.index_of(name)?])
    }

    /// A frame of the named columns, in the order given.
    ///
    /// # Errors
    /// As [`Frame::index_of`], and when a name is given twice.
    pub fn select<S: AsRef<str>>(&self, names: &[S]) -> Result<Frame> {
        let cols = names
            .iter()
            .map(|n| Ok((n.as_ref().to_owned(), self.column(n.as_ref())?.clone())))
            .collect::<Result<Vec<_>>>()?;
        let mut f = Frame::new(cols)?;
        f.n_rows = self.n_rows;
        Ok(f)
    }

    /// This frame without the named columns.
    ///
    /// # Errors
    /// As [`Frame::index_of`].
    pub fn drop_columns<S: AsRef<str>>(&self, names: &[S]) -> Result<Frame> {
        for n in names {
            self.index_of(n.as_ref())?;
        }
        let keep: Vec<&String> = self
            .names
            .iter()
            .filter(|n| !names.iter().any(|d| d.as_ref() == n.as_str()))
            .collect();
        self.select(&keep)
    }

    /// The rows at `rows`, in that order (rows may repeat).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for a row index out of range.
    pub fn take_rows(&self, rows: &[usize]) -> Result<Frame> {
        check_rows(rows, self.n_rows)?;
        Ok(Frame {
            names: self.names.clone(),
            // Columns are gathered independently; in parallel when there is enough to do.
            columns: if rows.len() * self.columns.len() >= 1 << 18 {
                self.columns
                    .par_iter()
                    .map(|c| c.take_checked(rows))
                    .collect()
            } else {
                self.columns.iter().map(|c| c.take_checked(rows)).collect()
            },
            n_rows: rows.len(),
        })
    }

    /// Adds (or replaces) a column.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when its length differs from the frame's rows.
    pub fn with_column(mut self, name: &str, column: Column) -> Result<Frame> {
        if column.len() != self.n_rows && !self.columns.is_empty() {
            return Err(Error::ShapeMismatch {
                what: format!("rows of new column `{name}` against the frame"),
                expected: self.n_rows,
                got: column.len(),
            });
        }
        if self.columns.is_empty() {
            self.n_rows = column.len();
        }
        match self.names.iter().position(|n| n == name) {
            Some(i) => self.columns[i] = column,
            None => {
                self.names.push(name.to_owned());
                self.columns.push(column);
            }
        }
        Ok(self)
    }

    /// The named numeric columns as an `n_rows × names.len()` matrix, NaN for missing.
    ///
    /// # Errors
    /// As [`Frame::index_of`]; [`Error::InvalidValue`] for a categorical column (encode it
    /// first, e.g. with a one-hot encoder).
    pub fn to_array<S: AsRef<str>>(&self, names: &[S]) -> Result<Array2<f64>> {
        let cols: Vec<&[f64]> = names
            .iter()
            .map(|n| {
                let c = self.column(n.as_ref())?;
                c.as_numeric().ok_or_else(|| Error::InvalidValue {
                    what: format!("column `{}`", n.as_ref()),
                    row: None,
                    reason: "it is categorical; encode it before using it as a number".into(),
                })
            })
            .collect::<Result<_>>()?;
        let mut out = Array2::zeros((self.n_rows, cols.len()));
        for (i, mut row) in out.outer_iter_mut().enumerate() {
            for (j, c) in cols.iter().enumerate() {
                row[j] = c[i];
            }
        }
        Ok(out)
    }

    /// The names of the numeric columns.
    pub fn numeric_names(&self) -> Vec<String> {
        self.names
            .iter()
            .zip(&self.columns)
            .filter(|(_, c)| c.column_type().is_numeric())
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// The names of the categorical columns.
    pub fn categorical_names(&self) -> Vec<String> {
        self.names
            .iter()
            .zip(&self.columns)
            .filter(|(_, c)| !c.column_type().is_numeric())
            .map(|(n, _)| n.clone())
            .collect()
    }
}

/// Checks that every row index is below `n_rows`.
fn check_rows(rows: &[usize], n_rows: usize) -> Result<()> {
    match rows.iter().position(|&r| r >= n_rows) {
        Some(at) => Err(Error::InvalidValue {
            what: "row indices".into(),
            row: Some(at),
            reason: format!("row {} is out of range for {n_rows} rows", rows[at]),
        }),
        None => Ok(()),
    }
}

/// `v[r]` for every `r` in `rows` (all in range), copying runs of consecutive rows as blocks:
/// the rows kept by [`Frame::drop_duplicates`] or a filter are mostly long runs.
fn gather<T: Copy>(v: &[T], rows: &[usize]) -> Vec<T> {
    let mut out = Vec::with_capacity(rows.len());
    let mut k = 0;
    while k < rows.len() {
        let start = rows[k];
        let mut end = start + 1;
        k += 1;
        while k < rows.len() && rows[k] == end {
            end += 1;
            k += 1;
        }
        if let Some(run) = v.get(start..end) {
            out.extend_from_slice(run);
        }
    }
    out
}
