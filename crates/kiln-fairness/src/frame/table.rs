//! A small labelled table: rows (groups or control levels) by columns (metrics).

use serde::{Deserialize, Serialize};

/// Values in rows (groups, or control levels) by columns (metrics), row-major.
///
/// ```
/// use kiln_fairness::frame::Table;
/// use kiln_fairness::value::Value;
///
/// let t = Table::new(
///     vec!["f".into(), "m".into()],
///     vec!["accuracy".into()],
///     vec![Value::Defined(0.8), Value::Defined(0.9)],
/// );
/// assert_eq!(t.value("m", "accuracy"), Some(&Value::Defined(0.9)));
/// assert_eq!(t.column("accuracy").map(|c| c.len()), Some(2));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table<T> {
    index: Vec<String>,
    columns: Vec<String>,
    values: Vec<T>,
}

impl<T> Table<T> {
    /// A table of `values` (row-major, `index.len() * columns.len()` of them; a cell beyond
    /// the values given reads as `None`).
    pub fn new(index: Vec<String>, columns: Vec<String>, values: Vec<T>) -> Self {
        Self {
            index,
            columns,
            values,
        }
    }

    /// The row labels.
    pub fn index(&self) -> &[String] {
        &self.index
    }

    /// The column labels (metric names).
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The number of rows.
    pub fn n_rows(&self) -> usize {
        self.index.len()
    }

    /// The value at row `row`, column `col`; `None` out of range.
    pub fn get(&self, row: usize, col: usize) -> Option<&T> {
        if row >= self.index.len() || col >= self.columns.len() {
            return None;
        }
        self.values.get(row * self.columns.len() + col)
    }

    /// The value in the row labelled `row` and the column labelled `col`, if both exist.
    pub fn value(&self, row: &str, col: &str) -> Option<&T> {
        let r = self.index.iter().position(|i| i == row)?;
        let c = self.columns.iter().position(|i| i == col)?;
        self.values.get(r * self.columns.len() + c)
    }

    /// The values of the column labelled `col`, in row order.
    pub fn column(&self, col: &str) -> Option<Vec<&T>> {
        let c = self.columns.iter().position(|i| i == col)?;
        Some(
            (0..self.index.len())
                .filter_map(|r| self.values.get(r * self.columns.len() + c))
                .collect(),
        )
    }

    /// All values, row-major.
    pub fn values(&self) -> &[T] {
        &self.values
    }
}
