//! The result of [`super::slice_metric`] and its text table.

use std::fmt;

use super::SliceOptions;
use crate::scorer::Direction;

/// The metric's value on one slice, or why it has none.
#[derive(Debug, Clone, PartialEq)]
pub enum SliceValue {
    /// The metric's value on the slice.
    Defined(f64),
    /// The metric is undefined on the slice; the reason is the metric's error message (e.g.
    /// a single class for ROC AUC) or "no rows in this slice".
    Undefined(String),
}

/// One slice of a [`SliceReport`].
#[derive(Debug, Clone, PartialEq)]
pub struct SliceResult {
    name: String,
    count: usize,
    weight: f64,
    value: SliceValue,
}

impl SliceResult {
    pub(super) fn new(name: String, count: usize, weight: f64, value: SliceValue) -> Self {
        Self {
            name,
            count,
            weight,
            value,
        }
    }

    /// The slice's name (a group label, or a bin such as `"[25, 33)"`, or `"missing"`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The number of rows in the slice.
    pub fn count(&self) -> usize {
        self.count
    }

    /// The total sample weight of the slice (its row count without weights).
    pub fn weight(&self) -> f64 {
        self.weight
    }

    /// The metric's value, or why it is undefined.
    pub fn outcome(&self) -> &SliceValue {
        &self.value
    }

    /// The metric's value when defined.
    pub fn value(&self) -> Option<f64> {
        match self.value {
            SliceValue::Defined(v) => Some(v),
            SliceValue::Undefined(_) => None,
        }
    }

    /// Why the metric is undefined on this slice, when it is.
    pub fn undefined_reason(&self) -> Option<&str> {
        match &self.value {
            SliceValue::Defined(_) => None,
            SliceValue::Undefined(r) => Some(r),
        }
    }
}

/// A metric per slice, the overall value and the worst slice.
#[derive(Debug, Clone, PartialEq)]
pub struct SliceReport {
    column: String,
    options: SliceOptions,
    overall: f64,
    count: usize,
    weight: f64,
    weighted: bool,
    slices: Vec<SliceResult>,
    worst: Option<usize>,
}

impl SliceReport {
    pub(super) fn new(
        column: String,
        options: SliceOptions,
        overall: f64,
        count: usize,
        weight: f64,
        weighted: bool,
        slices: Vec<SliceResult>,
    ) -> Self {
        let mut worst: Option<usize> = None;
        for (k, s) in slices.iter().enumerate() {
            let Some(v) = s.value() else { continue };
            if s.count < options.min_count {
                continue;
            }
            let better_than_worst = |w: f64| match options.direction {
                Direction::Maximize => v < w,
                Direction::Minimize => v > w,
            };
            match worst.and_then(|w| slices[w].value()) {
                Some(w) if !better_than_worst(w) => {}
                _ => worst = Some(k),
            }
        }
        Self {
            column,
            options,
            overall,
            count,
            weight,
            weighted,
            slices,
            worst,
        }
    }

    /// The name of the column the slices come from.
    pub fn column(&self) -> &str {
        &self.column
    }

    /// The metric's name.
    pub fn metric(&self) -> &str {
        &self.options.metric
    }

    /// Which way the metric is better.
    pub fn direction(&self) -> Direction {
        self.options.direction
    }

    /// The fewest rows a slice needs to be named the worst.
    pub fn min_count(&self) -> usize {
        self.options.min_count
    }

    /// The metric on all rows.
    pub fn overall(&self) -> f64 {
        self.overall
    }

    /// The number of rows.
    pub fn count(&self) -> usize {
        self.count
    }

    /// Every slice, in the order of the slicing (sorted labels, increasing bins, then
    /// `"missing"`).
    pub fn slices(&self) -> &[SliceResult] {
        &self.slices
    }

    /// The slice called `name`, if any.
    pub fn slice(&self, name: &str) -> Option<&SliceResult> {
        self.slices.iter().find(|s| s.name == name)
    }

    /// The worst slice with at least `min_count` rows and a defined value, if any.
    pub fn worst(&self) -> Option<&SliceResult> {
        self.worst.map(|k| &self.slices[k])
    }

    /// The index of the worst slice in [`SliceReport::slices`], if any.
    pub fn worst_index(&self) -> Option<usize> {
        self.worst
    }

    /// `value − overall` of slice `k`, in the metric's units (`None` when undefined or out of
    /// range). Negative means worse than overall for a Maximize metric, better for Minimize.
    pub fn gap(&self, k: usize) -> Option<f64> {
        self.slices.get(k)?.value().map(|v| v - self.overall)
    }

    /// The worst slice's gap `value − overall`, if there is a worst slice.
    pub fn worst_gap(&self) -> Option<f64> {
        self.gap(self.worst?)
    }
}

impl fmt::Display for SliceReport {
    /// A header with the overall value and the worst slice, then one line per slice; slices
    /// under `min_count` are marked `*`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} by {} (overall {:.4} on {} rows",
            self.metric(),
            self.column,
            self.overall,
            self.count
        )?;
        if self.weighted {
            write!(f, ", weight {}", self.weight)?;
        }
        write!(f, "); ")?;
        match (self.worst(), self.worst_gap()) {
            (Some(w), Some(g)) => writeln!(
                f,
                "worst slice: {} at {:.4} (gap {:+.4})",
                w.name,
                w.value().unwrap_or(f64::NAN),
                g
            )?,
            _ => writeln!(
                f,
                "no slice with at least {} rows and a defined value",
                self.min_count()
            )?,
        }
        // The weight column only when there are weights (otherwise it repeats the count).
        let weight_col = |f: &mut fmt::Formatter<'_>, v: &dyn fmt::Display| {
            if self.weighted {
                write!(f, "  {v:>12}")
            } else {
                Ok(())
            }
        };
        let width = self
            .slices
            .iter()
            .map(|s| s.name.chars().count())
            .max()
            .unwrap_or(0)
            .max("slice".len());
        write!(f, "  {:<width$}  {:>8}", "slice", "count")?;
        weight_col(f, &"weight")?;
        writeln!(f, "  {:>10}  {:>10}", "value", "gap")?;
        for (k, s) in self.slices.iter().enumerate() {
            let mark = if Some(k) == self.worst {
                '>'
            } else if s.count < self.min_count() {
                '*'
            } else {
                ' '
            };
            write!(f, "{mark} {:<width$}  {:>8}", s.name, s.count)?;
            weight_col(f, &format!("{:.4}", s.weight))?;
            match &s.value {
                SliceValue::Defined(v) => {
                    writeln!(f, "  {:>10.4}  {:>+10.4}", v, v - self.overall)?
                }
                SliceValue::Undefined(r) => {
                    writeln!(f, "  {:>10}  {:>10}  ({r})", "undefined", "")?
                }
            }
        }
        write!(
            f,
            "> worst; * fewer than {} rows (not a candidate for worst)",
            self.min_count()
        )
    }
}
