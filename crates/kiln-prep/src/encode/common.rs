//! What the encoders share: the learned categories of a column, column lookups with type
//! checks, and the unknown-category error.

use kiln_core::{Error, Result};
use serde::{Deserialize, Serialize};

use crate::{Categorical, Frame, MISSING_CODE};

/// The categories an encoder learned for one column: the distinct values seen at fit, sorted,
/// and whether a missing value was seen (the missing category, which sorts last).
///
/// A category's *index* is its position in [`Categories::levels`], or `levels.len()` for the
/// missing category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Categories {
    /// The distinct non-missing values seen at fit, sorted (scikit-learn's `categories_[i]`
    /// without its trailing `nan`).
    pub levels: Vec<String>,
    /// Whether the column had a missing value at fit (scikit-learn's trailing `nan`).
    pub missing: bool,
}

impl Categories {
    /// The number of categories, the missing one included.
    pub fn len(&self) -> usize {
        self.levels.len() + usize::from(self.missing)
    }

    /// Whether there is no category at all (never the case after a fit on a non-empty frame).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The category with index `i` as printed: its value, or `missing` (with underscores
    /// appended while a real category has that name, so output names stay distinct).
    pub fn label(&self, i: usize) -> std::borrow::Cow<'_, str> {
        match self.levels.get(i) {
            Some(level) => std::borrow::Cow::Borrowed(level.as_str()),
            None => std::borrow::Cow::Owned(self.synthetic("missing")),
        }
    }

    /// `base`, with underscores appended until no real category has that name: the label of
    /// a category kiln makes up (missing values, grouped infrequent ones).
    pub fn synthetic(&self, base: &str) -> String {
        let mut label = base.to_owned();
        while self.levels.contains(&label) {
            label.push('_');
        }
        label
    }

    /// Learns the categories of `col` and counts how many rows hold each (by index).
    pub(crate) fn learn(col: &Categorical) -> (Self, Vec<usize>) {
        let mut level_counts = vec![0usize; col.levels().len()];
        let mut n_missing = 0usize;
        for &c in col.codes() {
            match level_counts.get_mut(c as usize) {
                Some(n) if c != MISSING_CODE => *n += 1,
                _ => n_missing += 1,
            }
        }
        // A frame's levels are sorted but may include values absent from these rows (after
        // `take_rows`), which are not categories of the training data.
        let mut levels = Vec::new();
        let mut counts = Vec::new();
        for (level, &n) in col.levels().iter().zip(&level_counts) {
            if n > 0 {
                levels.push(level.clone());
                counts.push(n);
            }
        }
        if n_missing > 0 {
            counts.push(n_missing);
        }
        (
            Self {
                levels,
                missing: n_missing > 0,
            },
            counts,
        )
    }

    /// The category index of each row of `col`, `None` for a value not seen at fit.
    pub(crate) fn indices(&self, col: &Categorical) -> Vec<Option<usize>> {
        let by_level: Vec<Option<usize>> = col
            .levels()
            .iter()
            .map(|l| self.levels.binary_search(l).ok())
            .collect();
        let missing = self.missing.then_some(self.levels.len());
        col.codes()
            .iter()
            .map(|&c| {
                if c == MISSING_CODE {
                    missing
                } else {
                    by_level.get(c as usize).copied().flatten()
                }
            })
            .collect()
    }

    /// The categories as a short printable list, for messages.
    pub(crate) fn describe(&self) -> String {
        const MAX: usize = 20;
        let mut shown: Vec<String> = (0..self.len().min(MAX))
            .map(|i| format!("`{}`", self.label(i)))
            .collect();
        if self.len() > MAX {
            shown.push(format!("... ({} in all)", self.len()));
        }
        shown.join(", ")
    }
}

/// The categorical column `name` of `frame`.
///
/// # Errors
/// [`Error::InvalidValue`] when it is absent or numeric.
pub(crate) fn categorical<'a>(
    frame: &'a Frame,
    name: &str,
    estimator: &str,
) -> Result<&'a Categorical> {
    let col = frame.column(name)?;
    col.as_categorical().ok_or_else(|| Error::InvalidValue {
        what: format!("column `{name}`"),
        row: None,
        reason: format!(
            "{estimator} encodes categorical columns, but this column is {}",
            col.column_type()
        ),
    })
}

/// The numeric column `name` of `frame`.
///
/// # Errors
/// [`Error::InvalidValue`] when it is absent or categorical.
pub(crate) fn numeric<'a>(frame: &'a Frame, name: &str, estimator: &str) -> Result<&'a [f64]> {
    let col = frame.column(name)?;
    col.as_numeric().ok_or_else(|| Error::InvalidValue {
        what: format!("column `{name}`"),
        row: None,
        reason: format!(
            "{estimator} takes numeric columns, but this column is categorical; \
             give it to an encoder"
        ),
    })
}

/// Checks the column list of a fit: non-empty, no name twice, a non-empty frame.
pub(crate) fn check_fit_columns<S: AsRef<str>>(
    frame: &Frame,
    columns: &[S],
    estimator: &str,
) -> Result<Vec<String>> {
    if columns.is_empty() {
        return Err(Error::EmptyInput {
            what: format!("the columns given to {estimator}"),
            reason: "0 columns (at least 1 is needed)".into(),
        });
    }
    if frame.n_rows() == 0 {
        return Err(Error::EmptyInput {
            what: format!("the frame given to {estimator}"),
            reason: "0 rows (at least 1 is needed)".into(),
        });
    }
    let names: Vec<String> = columns.iter().map(|c| c.as_ref().to_owned()).collect();
    for (i, n) in names.iter().enumerate() {
        if names[..i].contains(n) {
            return Err(Error::InvalidValue {
                what: format!("the columns given to {estimator}"),
                row: None,
                reason: format!("`{n}` appears twice"),
            });
        }
    }
    Ok(names)
}

/// The error for a category not seen at fit.
pub(crate) fn unknown_category(
    estimator: &str,
    column: &str,
    col: &Categorical,
    row: usize,
    categories: &Categories,
) -> Error {
    Error::UnknownLabel {
        what: format!("column `{column}` given to {estimator}"),
        label: col.get(row).unwrap_or("missing (empty)").to_owned(),
        row: Some(row),
        known: categories.describe(),
    }
}
