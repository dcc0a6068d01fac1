//! [`DriftReport`]: has a batch moved away from the reference, column by column?
//!
//! A report compares a batch (a [`Frame`]) with a [`ReferenceProfile`] — never with the
//! reference data itself — so one profile serves any number of batches:
//! `report = DriftReport::new(&profile, &batch, &options)`. Model predictions and the target
//! are monitored the same way: put them in the frames as columns (e.g. `prediction`,
//! `target`) when building the profile and the batches.
//!
//! # Which test runs on a column
//! Unless [`DriftOptions::with_method`] forces one, the test follows Evidently 0.7's default
//! rule. With `n` the reference's non-missing count and `k` the number of distinct values in
//! reference and batch together:
//!
//! | reference size | numeric with `k > 5` | otherwise (categorical, bool, few values) |
//! |---|---|---|
//! | `n ≤ 1000` | [`Method::Ks`] (p < 0.05) | [`Method::ChiSquare`] if `k > 2` else [`Method::ZTest`] (p < 0.05) |
//! | `n > 1000` | [`Method::Wasserstein`] normed (≥ 0.1) | [`Method::JensenShannon`] (≥ 0.1, log base `e`) |
//!
//! (`1000` is [`DriftOptions::small_sample`], `5` is [`DriftOptions::discrete_values`].)
//! Tests on counts (chi-square, z-test, PSI, Jensen–Shannon, Hellinger, KL) use categories
//! for categorical columns, distinct values for numeric columns with few of them (at most
//! `max(discrete_values, ProfileOptions::max_discrete)` in reference and batch together), and
//! otherwise the bins stored in the profile ([`crate::profile::ProfileOptions::binning`],
//! by default 10 reference quantiles; the batch is counted in them with
//! [`crate::distance::histogram`], values outside the reference range going to the outer
//! bins); the result records which ([`ColumnDrift::bins`]) and the log base
//! ([`ColumnDrift::log_base`]). Numeric tests (KS, Wasserstein, energy, Anderson–Darling) use
//! the profile's sorted sample (see [`crate::profile`] for its exactness).
//!
//! # Verdicts
//! A p-value test flags drift when its p-value — after the [`Correction`] over all p-value
//! tests of the report — is below its threshold; a distance when it is at or above its
//! threshold. A column counts as drifted when its values drifted, its share of missing values
//! changed (pooled two-proportion z-test, p < [`DriftOptions::missing_threshold`], not
//! corrected), it is missing from the batch, or it changed between numeric and categorical.
//! The dataset drifts when the share of drifted reference columns is at least
//! [`DriftOptions::drift_share`] (default 0.5).
//!
//! # Schema drift
//! Never an error: missing, extra and retyped columns, new categories and columns with no
//! value on one side are listed in [`DriftReport::schema`], and every reference column has a
//! [`ColumnDrift`] (with a `note` when it could not be tested). A batch with no rows is an
//! [`Error::EmptyInput`]; an infinite value is an [`Error::NonFinite`] (NaN is missing).
//!
//! # Output
//! [`DriftReport`] prints as a text table (`Display`) and as JSON ([`DriftReport::to_json`]):
//! an object with `n_reference_rows`, `n_current_rows`, `correction`, `drift_share`,
//! `n_drifted`, `share_drifted`, `dataset_drift`, `schema` (a list of tagged changes, e.g.
//! `{"MissingColumn": {"column": "x", "reference": "Float"}}`) and `columns`, a list of
//! objects with the fields of [`ColumnDrift`] (`method` as its printed name, `bins` tagged
//! `Edges` / `Values` / `Categories`). Non-finite numbers (an untested column's NaN
//! statistic, chi-square's infinity) are written as `null`.
//!
//! # Example
//! ```
//! use kiln_monitor::drift::{DriftOptions, DriftReport, Method};
//! use kiln_monitor::profile::{ProfileOptions, ReferenceProfile};
//! use kiln_prep::{Column, Frame};
//!
//! let x: Vec<f64> = (0..200).map(|i| (i % 50) as f64).collect();
//! let reference = Frame::new(vec![("x".into(), Column::Float(x.clone()))])?;
//! let profile = ReferenceProfile::build(&reference, &ProfileOptions::default())?;
//!
//! let shifted: Vec<f64> = x.iter().map(|v| v + 30.0).collect();
//! let batch = Frame::new(vec![("x".into(), Column::Float(shifted))])?;
//! let report = DriftReport::new(&profile, &batch, &DriftOptions::default())?;
//! let col = &report.columns()[0];
//! assert_eq!(col.method, Some(Method::Ks));
//! assert!(col.drifted && report.dataset_drift());
//! println!("{report}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod backend;
mod column;
mod options;
mod output;

use kiln_core::{Error, Result};
use kiln_prep::{ColumnType, Frame};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::profile::ReferenceProfile;

pub use options::{Correction, DriftOptions, Method};

/// The categories, values or bins a test on counts used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Bins {
    /// Bin edges (the profile's reference quantiles).
    Edges(Vec<f64>),
    /// Distinct numeric values, each its own category.
    Values(Vec<f64>),
    /// Category names.
    Categories(Vec<String>),
}

/// The missing-rate test of one column: pooled two-proportion z-test on the share missing.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct MissingRate {
    /// Share of missing values in the reference.
    pub reference_share: f64,
    /// Share of missing values in the batch.
    pub current_share: f64,
    /// The z statistic (0 when the test is undefined: no missing value, or only missing
    /// values, on both sides).
    pub statistic: f64,
    /// The two-sided p-value (1 when undefined).
    pub p_value: f64,
    /// Whether `p_value` < [`DriftOptions::missing_threshold`].
    pub drifted: bool,
}

/// The drift result of one reference column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnDrift {
    /// The column's name.
    pub column: String,
    /// Its type in the reference.
    pub reference_type: ColumnType,
    /// Its type in the batch (`None` when the batch lacks the column).
    pub current_type: Option<ColumnType>,
    /// The test run (`None` when none could be: see `note`).
    #[serde(serialize_with = "output::method_name")]
    pub method: Option<Method>,
    /// The test statistic or distance (NaN when untested).
    pub statistic: f64,
    /// The p-value, for p-value tests.
    pub p_value: Option<f64>,
    /// The p-value after the report's [`Correction`] (equal to `p_value` without one).
    pub adjusted_p_value: Option<f64>,
    /// The threshold the statistic or p-value was compared with.
    pub threshold: f64,
    /// Whether the values drifted (or the column cannot be compared at all: missing from
    /// the batch, or numeric on one side and categorical on the other).
    pub drifted: bool,
    /// The bins or categories of a test on counts.
    pub bins: Option<Bins>,
    /// The logarithm base of an entropy-based distance.
    pub log_base: Option<f64>,
    /// Non-missing reference values.
    pub n_reference: usize,
    /// Non-missing batch values.
    pub n_current: usize,
    /// The missing-rate test.
    pub missing: MissingRate,
    /// Categories of the batch never seen in the reference.
    pub new_categories: Vec<String>,
    /// Why the column was not tested, or what is special about it.
    pub note: Option<String>,
}

impl ColumnDrift {
    /// Whether the column counts as drifted in the dataset verdict: its values or its
    /// missing rate drifted.
    pub fn counts_as_drifted(&self) -> bool {
        self.drifted || self.missing.drifted
    }
}

/// A difference between the reference's columns and the batch's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SchemaChange {
    /// A reference column absent from the batch.
    MissingColumn {
        /// The column.
        column: String,
        /// Its reference type.
        reference: ColumnType,
    },
    /// A batch column absent from the reference (not tested).
    ExtraColumn {
        /// The column.
        column: String,
        /// Its batch type.
        current: ColumnType,
    },
    /// A column whose type changed (numeric types among themselves are still tested).
    Retyped {
        /// The column.
        column: String,
        /// Its reference type.
        reference: ColumnType,
        /// Its batch type.
        current: ColumnType,
    },
    /// Batch categories never seen in the reference, with their counts.
    NewCategories {
        /// The column.
        column: String,
        /// `(category, rows)`.
        categories: Vec<(String, usize)>,
    },
    /// A column with no non-missing value in the reference and/or the batch.
    AllMissing {
        /// The column.
        column: String,
        /// All missing in the reference.
        in_reference: bool,
        /// All missing in the batch.
        in_current: bool,
    },
}

/// Drift of a batch against a [`ReferenceProfile`]: one result per reference column,
/// schema changes, and a dataset verdict.
///
/// # Parameters
/// See [`DriftOptions`].
///
/// # Errors
/// [`DriftReport::new`] rejects invalid options, a batch with no rows
/// ([`Error::EmptyInput`]), infinite values ([`Error::NonFinite`]), and a method forced on a
/// column it cannot test (a numeric test on a categorical column).
///
/// # Notes
/// Columns are tested in parallel (rayon); the report does not depend on the thread count.
/// The rules, verdicts and JSON layout are in the [module docs](self).
///
/// # References
/// Evidently AI, `evidently` 0.7 (default drift tests and thresholds); Benjamini & Hochberg
/// (1995), "Controlling the false discovery rate", JRSS B 57(1).
///
/// # Example
/// See the [module docs](self).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftReport {
    n_reference_rows: usize,
    n_current_rows: usize,
    correction: Correction,
    drift_share: f64,
    n_drifted: usize,
    share_drifted: f64,
    dataset_drift: bool,
    schema: Vec<SchemaChange>,
    columns: Vec<ColumnDrift>,
}

impl DriftReport {
    /// Tests every column of `profile` against the same-named column of `batch`.
    ///
    /// # Errors
    /// See the type's `# Errors`.
    pub fn new(profile: &ReferenceProfile, batch: &Frame, options: &DriftOptions) -> Result<Self> {
        options.validate()?;
        let n_current_rows = batch.n_rows();
        if n_current_rows == 0 {
            return Err(Error::EmptyInput {
                what: "the batch".into(),
                reason: "0 rows (at least 1 is needed to test drift)".into(),
            });
        }
        for (column, _) in &options.methods {
            if profile.column(column).is_none() {
                return Err(Error::invalid_param(
                    "DriftReport",
                    "methods",
                    format!("names column `{column}`, which is not in the reference profile"),
                ));
            }
        }
        let tested = profile
            .columns()
            .par_iter()
            .map(|cp| match batch.index_of(&cp.name) {
                Ok(j) => column::test_column(cp, &batch.columns()[j], j, options),
                Err(_) => Ok(missing_column(cp)),
            })
            .collect::<Result<Vec<_>>>()?;
        let mut schema = Vec::new();
        let mut columns = Vec::with_capacity(tested.len());
        for (col, changes) in tested {
            schema.extend(changes);
            columns.push(col);
        }
        for (name, col) in batch.names().iter().zip(batch.columns()) {
            if profile.column(name).is_none() {
                schema.push(SchemaChange::ExtraColumn {
                    column: name.clone(),
                    current: col.column_type(),
                });
            }
        }
        correct(&mut columns, options.correction);
        let n_drifted = columns.iter().filter(|c| c.counts_as_drifted()).count();
        let share_drifted = n_drifted as f64 / columns.len().max(1) as f64;
        Ok(Self {
            n_reference_rows: profile.n_rows(),
            n_current_rows,
            correction: options.correction,
            drift_share: options.drift_share,
            n_drifted,
            share_drifted,
            dataset_drift: share_drifted >= options.drift_share,
            schema,
            columns,
        })
    }

    /// One result per reference column, in the profile's order.
    pub fn columns(&self) -> &[ColumnDrift] {
        &self.columns
    }

    /// The result for column `name`, if it is a reference column.
    pub fn column(&self, name: &str) -> Option<&ColumnDrift> {
        self.columns.iter().find(|c| c.column == name)
    }

    /// Schema changes between the reference and the batch.
    pub fn schema(&self) -> &[SchemaChange] {
        &self.schema
    }

    /// Reference columns counted as drifted ([`ColumnDrift::counts_as_drifted`]).
    pub fn n_drifted(&self) -> usize {
        self.n_drifted
    }

    /// `n_drifted` over the number of reference columns.
    pub fn share_drifted(&self) -> f64 {
        self.share_drifted
    }

    /// Whether `share_drifted` ≥ [`DriftOptions::drift_share`].
    pub fn dataset_drift(&self) -> bool {
        self.dataset_drift
    }

    /// The correction applied to the p-values.
    pub fn correction(&self) -> Correction {
        self.correction
    }

    /// Rows of the reference the profile was built from.
    pub fn n_reference_rows(&self) -> usize {
        self.n_reference_rows
    }

    /// Rows of the batch.
    pub fn n_current_rows(&self) -> usize {
        self.n_current_rows
    }

    /// The report as pretty-printed JSON (layout in the [module docs](self)).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] if serialization fails (it does not for reports built by
    /// [`DriftReport::new`]).
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(|e| Error::InvalidValue {
            what: "DriftReport".into(),
            row: None,
            reason: format!("cannot be written as JSON: {e}"),
        })
    }
}

fn missing_column(cp: &crate::profile::ColumnProfile) -> (ColumnDrift, Vec<SchemaChange>) {
    let col = ColumnDrift {
        column: cp.name.clone(),
        reference_type: cp.column_type,
        current_type: None,
        method: None,
        statistic: f64::NAN,
        p_value: None,
        adjusted_p_value: None,
        threshold: f64::NAN,
        drifted: true,
        bins: None,
        log_base: None,
        n_reference: cp.n_valid(),
        n_current: 0,
        missing: MissingRate::default(),
        new_categories: Vec::new(),
        note: Some("not tested: missing from the batch".into()),
    };
    let change = SchemaChange::MissingColumn {
        column: cp.name.clone(),
        reference: cp.column_type,
    };
    (col, vec![change])
}

/// Adjusts the p-values of the p-value tests and re-decides their drift flags.
fn correct(columns: &mut [ColumnDrift], correction: Correction) {
    let idx: Vec<usize> = (0..columns.len())
        .filter(|&i| columns[i].p_value.is_some())
        .collect();
    let p: Vec<f64> = idx.iter().filter_map(|&i| columns[i].p_value).collect();
    let adjusted = adjust_p_values(&p, correction);
    for (&i, q) in idx.iter().zip(adjusted) {
        let c = &mut columns[i];
        c.adjusted_p_value = Some(q);
        c.drifted = q < c.threshold;
    }
}

/// Adjusted p-values under `correction`, in the order of `p`.
///
/// Bonferroni: `min(1, p m)`. Benjamini–Hochberg: with `p_(k)` the k-th smallest,
/// `q_(i) = min(1, min_{k ≥ i} p_(k) m / k)` (as `scipy.stats.false_discovery_control`).
pub fn adjust_p_values(p: &[f64], correction: Correction) -> Vec<f64> {
    let m = p.len() as f64;
    match correction {
        Correction::None => p.to_vec(),
        Correction::Bonferroni => p.iter().map(|&x| (x * m).min(1.0)).collect(),
        Correction::BenjaminiHochberg => {
            let mut order: Vec<usize> = (0..p.len()).collect();
            order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
            let mut out = vec![0.0; p.len()];
            let mut running = 1.0_f64;
            for (rank, &i) in order.iter().enumerate().rev() {
                running = running.min(p[i] * m / (rank + 1) as f64);
                out[i] = running;
            }
            out
        }
    }
}
