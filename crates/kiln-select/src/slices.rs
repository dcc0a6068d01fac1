//! Consistency across scenarios: a metric on each slice of the data (a group column, or bins
//! of a numeric column), with the worst slice and its gap to the overall value.
//!
//! A model that is good on average can be poor for one region, branch, age band or product.
//! [`slice_metric`] applies any metric of `(y_true, y_pred_or_score, sample_weight)` to the
//! rows of each slice of a [`Slices`] and reports every slice: its size, its value, or why
//! the metric is undefined there (e.g. a single class for ROC AUC) — a slice is never dropped
//! silently.
//!
//! ```
//! use kiln_select::scorer::Direction;
//! use kiln_select::slices::{SliceOptions, Slices, slice_metric};
//! use ndarray::array;
//!
//! let y_true = array![1usize, 0, 1, 1, 0, 1, 0, 0];
//! let y_pred = array![1usize, 0, 1, 0, 1, 1, 0, 0];
//! let region = ["north", "north", "north", "south", "south", "south", "north", "north"];
//! let accuracy = |y: ndarray::ArrayView1<'_, usize>, p: ndarray::ArrayView1<'_, usize>,
//!                 _w: Option<ndarray::ArrayView1<'_, f64>>| {
//!     Ok(y.iter().zip(p).filter(|(a, b)| a == b).count() as f64 / y.len() as f64)
//! };
//! let slices = Slices::from_labels("region", &region)?;
//! let options = SliceOptions::default().with_metric("accuracy", Direction::Maximize).with_min_count(1);
//! let report = slice_metric(y_true.view(), y_pred.view(), None, &slices, accuracy, &options)?;
//! assert_eq!(report.overall(), 0.75);
//! let worst = report.worst().unwrap();
//! assert_eq!(worst.name(), "south");
//! assert_eq!(worst.value(), Some(1.0 / 3.0));
//! println!("{report}");
//! # Ok::<(), kiln_core::Error>(())
//! ```

mod bins;
mod report;

pub use report::{SliceReport, SliceResult, SliceValue};

use std::collections::BTreeMap;

use kiln_core::check;
use kiln_core::{Error, Result};
use ndarray::{Array1, ArrayView1};

use crate::scorer::Direction;

/// The name of the slice of rows whose numeric slicing value is NaN.
pub const MISSING: &str = "missing";

/// A partition of the rows into named slices.
///
/// Build it from group indices ([`Slices::from_groups`], [`Slices::from_groups_named`]),
/// string labels ([`Slices::from_labels`]) or a numeric column ([`Slices::quantile_bins`],
/// [`Slices::from_cuts`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Slices {
    column: String,
    names: Vec<String>,
    assignment: Vec<usize>,
    edges: Option<Vec<f64>>,
}

fn empty_column(column: &str) -> Error {
    Error::EmptyInput {
        what: format!("slicing column `{column}`"),
        reason: "0 values".into(),
    }
}

impl Slices {
    /// Slices from group indices, one slice per distinct value, in increasing order, named by
    /// the value (`"0"`, `"3"`, …).
    ///
    /// # Errors
    /// [`Error::EmptyInput`] for an empty column.
    pub fn from_groups(column: &str, groups: ArrayView1<'_, usize>) -> Result<Slices> {
        if groups.is_empty() {
            return Err(empty_column(column));
        }
        let mut index: BTreeMap<usize, usize> = groups.iter().map(|&g| (g, 0)).collect();
        for (k, slot) in index.values_mut().enumerate() {
            *slot = k;
        }
        Ok(Slices {
            column: column.to_owned(),
            names: index.keys().map(ToString::to_string).collect(),
            assignment: groups.iter().map(|g| index[g]).collect(),
            edges: None,
        })
    }

    /// Slices from group indices `0..names.len()`, slice `g` named `names[g]`. Every name is
    /// a slice, also one that no row has (count 0).
    ///
    /// # Errors
    /// [`Error::EmptyInput`] for an empty column; [`Error::InvalidValue`] for a group index
    /// without a name.
    pub fn from_groups_named<S: AsRef<str>>(
        column: &str,
        groups: ArrayView1<'_, usize>,
        names: &[S],
    ) -> Result<Slices> {
        if groups.is_empty() {
            return Err(empty_column(column));
        }
        if let Some(row) = groups.iter().position(|&g| g >= names.len()) {
            return Err(Error::InvalidValue {
                what: format!("slicing column `{column}`"),
                row: Some(row),
                reason: format!(
                    "group {} has no name; {} names were given",
                    groups[row],
                    names.len()
                ),
            });
        }
        Ok(Slices {
            column: column.to_owned(),
            names: names.iter().map(|s| s.as_ref().to_owned()).collect(),
            assignment: groups.to_vec(),
            edges: None,
        })
    }

    /// Slices from string labels, one slice per distinct label, in sorted (byte) order. An
    /// empty string is a label like any other (shown as `""`).
    ///
    /// # Errors
    /// [`Error::EmptyInput`] for an empty column.
    pub fn from_labels<S: AsRef<str>>(column: &str, labels: &[S]) -> Result<Slices> {
        if labels.is_empty() {
            return Err(empty_column(column));
        }
        let mut index: BTreeMap<&str, usize> = labels.iter().map(|s| (s.as_ref(), 0)).collect();
        for (k, slot) in index.values_mut().enumerate() {
            *slot = k;
        }
        Ok(Slices {
            column: column.to_owned(),
            names: index.keys().map(|s| (*s).to_owned()).collect(),
            assignment: labels.iter().map(|s| index[s.as_ref()]).collect(),
            edges: None,
        })
    }

    /// The name of the column the slices come from.
    pub fn column(&self) -> &str {
        &self.column
    }

    /// The slices' names, in report order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The number of slices.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there are no slices (never true for a built `Slices`).
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The slice of each row, an index into [`Slices::names`].
    pub fn assignment(&self) -> &[usize] {
        &self.assignment
    }

    /// The bin edges of a numeric column: for [`Slices::quantile_bins`] all edges from the
    /// minimum to the maximum (after merging repeats), for [`Slices::from_cuts`] the cut
    /// points; `None` for groups and labels.
    pub fn edges(&self) -> Option<&[f64]> {
        self.edges.as_deref()
    }
}

/// The options of [`slice_metric`].
///
/// # Parameters
/// - `metric` (default `"metric"`): the metric's name in the report.
/// - `direction` (default [`Direction::Maximize`]): which way the metric is better; picks
///   the worst slice.
/// - `min_count` (default 30): slices with fewer rows are reported with their value but are
///   never named the worst slice, since a value on a handful of rows is mostly noise.
#[derive(Debug, Clone, PartialEq)]
pub struct SliceOptions {
    /// The metric's name. By default, `"metric"`.
    pub metric: String,
    /// Which way the metric is better. By default, [`Direction::Maximize`].
    pub direction: Direction,
    /// Fewest rows for a slice to be a candidate for worst. By default, 30.
    pub min_count: usize,
}

impl Default for SliceOptions {
    fn default() -> Self {
        Self {
            metric: "metric".into(),
            direction: Direction::Maximize,
            min_count: 30,
        }
    }
}

impl SliceOptions {
    /// Sets the metric's name and direction (by default, `"metric"`, maximized).
    #[must_use]
    pub fn with_metric(mut self, metric: impl Into<String>, direction: Direction) -> Self {
        self.metric = metric.into();
        self.direction = direction;
        self
    }

    /// Sets `min_count` (by default, 30).
    #[must_use]
    pub fn with_min_count(mut self, min_count: usize) -> Self {
        self.min_count = min_count;
        self
    }
}

/// Evaluates `metric` on every slice and on all rows.
///
/// `metric` receives the slice's `y_true`, `y_pred` (predictions, scores or probabilities:
/// any element type) and weights, gathered into contiguous arrays in row order.
///
/// # Errors
/// [`Error::EmptyInput`] for no rows; [`Error::ShapeMismatch`] when `y_pred`, the weights or
/// the slices do not have one entry per row; invalid sample weights; and the metric's own
/// error on all rows (an error on one slice is not an error: the slice is reported as
/// [`SliceValue::Undefined`] with the message).
///
/// # Notes
/// - A metric that returns NaN on a slice makes it undefined too (reason "the metric is NaN").
/// - The worst slice is the lowest (Maximize) or highest (Minimize) defined value among
///   slices with at least `min_count` rows; ties go to the first slice. Its gap is
///   `value − overall`, in the metric's units.
pub fn slice_metric<T, P, F>(
    y_true: ArrayView1<'_, T>,
    y_pred: ArrayView1<'_, P>,
    sample_weight: Option<ArrayView1<'_, f64>>,
    slices: &Slices,
    metric: F,
    options: &SliceOptions,
) -> Result<SliceReport>
where
    T: Clone,
    P: Clone,
    F: Fn(ArrayView1<'_, T>, ArrayView1<'_, P>, Option<ArrayView1<'_, f64>>) -> Result<f64>,
{
    let n = y_true.len();
    if n == 0 {
        return Err(Error::EmptyInput {
            what: "y_true".into(),
            reason: "0 rows".into(),
        });
    }
    check::check_same_len("length of y_pred against y_true", n, y_pred.len())?;
    check::check_same_len(
        "number of sliced rows against y_true",
        n,
        slices.assignment.len(),
    )?;
    check::check_sample_weight(sample_weight, n)?;
    let overall = metric(y_true, y_pred, sample_weight)?;
    let total_weight = sample_weight.map_or(n as f64, |w| w.sum());

    let mut members: Vec<Vec<usize>> = vec![Vec::new(); slices.len()];
    for (i, &s) in slices.assignment.iter().enumerate() {
        members[s].push(i);
    }
    let results = members
        .iter()
        .zip(&slices.names)
        .map(|(rows, name)| {
            let weight =
                sample_weight.map_or(rows.len() as f64, |w| rows.iter().map(|&i| w[i]).sum());
            let value = if rows.is_empty() {
                SliceValue::Undefined("no rows in this slice".into())
            } else {
                let yt: Array1<T> = rows.iter().map(|&i| y_true[i].clone()).collect();
                let yp: Array1<P> = rows.iter().map(|&i| y_pred[i].clone()).collect();
                let w: Option<Array1<f64>> =
                    sample_weight.map(|w| rows.iter().map(|&i| w[i]).collect());
                match metric(yt.view(), yp.view(), w.as_ref().map(|w| w.view())) {
                    Ok(v) if v.is_nan() => SliceValue::Undefined("the metric is NaN".into()),
                    Ok(v) => SliceValue::Defined(v),
                    Err(e) => SliceValue::Undefined(e.to_string()),
                }
            };
            SliceResult::new(name.clone(), rows.len(), weight, value)
        })
        .collect();
    Ok(SliceReport::new(
        slices.column.clone(),
        options.clone(),
        overall,
        n,
        total_weight,
        sample_weight.is_some(),
        results,
    ))
}
