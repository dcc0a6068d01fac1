//! [`ReferenceProfile`]: everything the drift tests need from the reference data, built once.
//!
//! A profile summarizes each column of a reference (training) [`Frame`]: its type, row and
//! missing counts, and
//! - for numeric columns (`float`, `int`, `bool`): mean, standard deviation, minimum, maximum,
//!   the number of distinct values (with their counts when there are few), quantile bin edges
//!   with the reference's counts in those bins, and a sorted sample of the values (exact up to
//!   [`ProfileOptions::max_exact`] values, a quantile sketch beyond);
//! - for categorical columns: the frequency of every category.
//!
//! Its size is bounded whatever the reference's length: at most `max_exact` values (800 KB at
//! the default 100,000) per numeric column plus a few counts, and one count per category.
//! It saves and loads through
//! [`kiln_core::persist`] (atomic, checksummed), and each new batch is compared against it
//! with [`crate::drift::DriftReport::new`] without the reference data.
//!
//! # Exact sample and sketch
//! A column with at most `max_exact` non-missing values keeps all of them, sorted: tests on it
//! (Kolmogorov–Smirnov, Wasserstein, ...) give exactly what they give on the full reference.
//! A column with `n > max_exact` values keeps `m = max_exact` order statistics instead, the
//! values of rank `floor((i + 1/2) n / m)` for `i = 0..m` (a deterministic quantile sketch, no
//! seed involved). The sketch's empirical distribution function is within `1/m` of the full
//! one everywhere, so a KS statistic computed on it is within `1/m` of the exact statistic
//! (`1e-5` for the default), and Wasserstein distances are within `(max − min)/m`. P-values
//! computed on a sketch treat the reference as having `m` observations, which is
//! conservative (a larger p-value than with all `n`). [`NumericProfile::exact`] says which
//! case applies.
//!
//! # Example
//! ```
//! use kiln_monitor::profile::{ProfileOptions, ReferenceProfile};
//! use kiln_prep::{Categorical, Column, Frame};
//!
//! let frame = Frame::new(vec![
//!     ("x".into(), Column::Float(vec![1.0, 2.0, f64::NAN, 4.0])),
//!     ("c".into(), Column::Categorical(Categorical::from_values(&[Some("a"), Some("b"), Some("a"), None]))),
//! ])?;
//! let profile = ReferenceProfile::build(&frame, &ProfileOptions::default())?;
//! let x = profile.column("x").unwrap();
//! assert_eq!((x.n_rows, x.n_missing), (4, 1));
//! assert_eq!(x.numeric().unwrap().sample, vec![1.0, 2.0, 4.0]);
//! let c = profile.column("c").unwrap().categorical().unwrap();
//! assert_eq!(c.count("a"), 2.0);
//!
//! // Save and load: the loaded profile is the same.
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("reference.kiln");
//! kiln_core::persist::save(&profile, &path)?;
//! let back: ReferenceProfile = kiln_core::persist::load(&path)?;
//! assert_eq!(back, profile);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod binning;
pub(crate) mod numeric;

use crate::distance::Binning;
use kiln_core::check::check_param;
use kiln_core::persist::{FeatureSchema, Persist};
use kiln_core::{Error, Result};
use kiln_prep::{Categorical, Column, ColumnType, Frame, MISSING_CODE};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub use numeric::NumericProfile;

/// How a [`ReferenceProfile`] is built.
///
/// # Parameters
/// - `max_exact` (default `100_000`): the most non-missing values per numeric column kept
///   exactly; beyond it, that many quantiles are kept (see the module docs).
/// - `binning` (default `Binning::Quantile { n_bins: 10 }`): how numeric columns are cut into
///   bins for binned distances (PSI, Jensen–Shannon, ...); edges come from the reference alone
///   ([`crate::distance::bin_edges`]), e.g. [`Binning::evidently`] or [`Binning::nannyml`].
/// - `max_discrete` (default `20`, at least 5): numeric columns with at most this many distinct
///   values also keep each value's count, so they can be tested as categories (see
///   [`crate::drift`]'s rules).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileOptions {
    /// Non-missing values kept exactly per numeric column. By default, `100_000`.
    pub max_exact: usize,
    /// Binning of numeric columns. By default, `Binning::Quantile { n_bins: 10 }`.
    pub binning: Binning,
    /// Distinct values up to which a numeric column keeps value counts. By default, `20`.
    pub max_discrete: usize,
}

impl Default for ProfileOptions {
    fn default() -> Self {
        Self {
            max_exact: 100_000,
            binning: Binning::Quantile { n_bins: 10 },
            max_discrete: 20,
        }
    }
}

impl ProfileOptions {
    /// Sets [`ProfileOptions::max_exact`] (by default, `100_000`).
    pub fn with_max_exact(mut self, max_exact: usize) -> Self {
        self.max_exact = max_exact;
        self
    }

    /// Sets [`ProfileOptions::binning`] (by default, `Binning::Quantile { n_bins: 10 }`).
    pub fn with_binning(mut self, binning: Binning) -> Self {
        self.binning = binning;
        self
    }

    /// Sets [`ProfileOptions::max_discrete`] (by default, `20`).
    pub fn with_max_discrete(mut self, max_discrete: usize) -> Self {
        self.max_discrete = max_discrete;
        self
    }

    /// Checks the options.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when `max_exact` is 0, `max_discrete` is below 5 (the drift
    /// rules need the counts of columns with up to 5 values), or the binning is invalid.
    pub fn validate(&self) -> Result<()> {
        check_param(
            "ReferenceProfile",
            "max_exact",
            self.max_exact,
            self.max_exact >= 1,
            "an int in the range [1, inf)",
        )?;
        check_param(
            "ReferenceProfile",
            "max_discrete",
            self.max_discrete,
            self.max_discrete >= 5,
            "an int in the range [5, inf)",
        )?;
        // An invalid binning (0 bins, bad edges) is reported by bin_edges itself.
        crate::distance::bin_edges(&[0.0, 1.0], &self.binning).map(|_| ())
    }
}

/// Category frequencies of a categorical reference column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoricalProfile {
    /// The categories seen in the reference (count > 0), sorted.
    pub levels: Vec<String>,
    /// How many reference rows hold each of `levels`.
    pub counts: Vec<f64>,
}

impl CategoricalProfile {
    fn build(c: &Categorical) -> Self {
        let mut all = vec![0.0_f64; c.levels().len()];
        for &code in c.codes() {
            if code != MISSING_CODE
                && let Some(slot) = all.get_mut(code as usize)
            {
                *slot += 1.0;
            }
        }
        let (levels, counts) = c
            .levels()
            .iter()
            .zip(all)
            .filter(|(_, n)| *n > 0.0)
            .map(|(l, n)| (l.clone(), n))
            .unzip();
        Self { levels, counts }
    }

    /// The reference count of category `level` (0 when it was never seen).
    pub fn count(&self, level: &str) -> f64 {
        self.levels
            .binary_search_by(|l| l.as_str().cmp(level))
            .ok()
            .and_then(|i| self.counts.get(i).copied())
            .unwrap_or(0.0)
    }
}

/// What a profile keeps about one column, by kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ColumnSummary {
    /// A `float`, `int` or `bool` column.
    Numeric(NumericProfile),
    /// A categorical column.
    Categorical(CategoricalProfile),
}

/// The profile of one reference column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnProfile {
    /// The column's name.
    pub name: String,
    /// The column's type in the reference.
    pub column_type: ColumnType,
    /// Rows in the reference.
    pub n_rows: usize,
    /// Missing values (NaN, or a missing category) in the reference.
    pub n_missing: usize,
    /// What is kept about the values.
    pub summary: ColumnSummary,
}

impl ColumnProfile {
    /// The numeric summary, for a `float`, `int` or `bool` column.
    pub fn numeric(&self) -> Option<&NumericProfile> {
        match &self.summary {
            ColumnSummary::Numeric(n) => Some(n),
            ColumnSummary::Categorical(_) => None,
        }
    }

    /// The category frequencies, for a categorical column.
    pub fn categorical(&self) -> Option<&CategoricalProfile> {
        match &self.summary {
            ColumnSummary::Categorical(c) => Some(c),
            ColumnSummary::Numeric(_) => None,
        }
    }

    /// Non-missing values in the reference.
    pub fn n_valid(&self) -> usize {
        self.n_rows - self.n_missing
    }
}

/// A compact summary of reference data against which batches are tested for drift.
///
/// # Parameters
/// See [`ProfileOptions`].
///
/// # Fitted attributes
/// [`ReferenceProfile::columns`] (one [`ColumnProfile`] per column, in the frame's order) and
/// [`ReferenceProfile::n_rows`].
///
/// # Errors
/// [`ReferenceProfile::build`] rejects invalid options, a frame with no rows or no columns
/// ([`Error::EmptyInput`]) and infinite values ([`Error::NonFinite`] with row and column; NaN
/// is a missing value and is counted, not rejected).
///
/// # Notes
/// Columns are profiled in parallel (rayon); the result does not depend on the thread count.
/// The standard deviation is the population one (`ddof = 0`, as Evidently's normed
/// Wasserstein distance divides by `np.std`).
///
/// # Example
/// See the [module docs](self).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferenceProfile {
    options: ProfileOptions,
    n_rows: usize,
    columns: Vec<ColumnProfile>,
}

impl ReferenceProfile {
    /// Profiles every column of `frame`.
    ///
    /// # Errors
    /// See the type's `# Errors`.
    pub fn build(frame: &Frame, options: &ProfileOptions) -> Result<Self> {
        options.validate()?;
        let (n_rows, n_cols) = frame.shape();
        if n_rows == 0 || n_cols == 0 {
            return Err(Error::EmptyInput {
                what: "the reference frame".into(),
                reason: format!(
                    "{n_rows} rows and {n_cols} columns (at least 1 of each is needed)"
                ),
            });
        }
        let columns = frame
            .names()
            .par_iter()
            .zip(frame.columns().par_iter())
            .enumerate()
            .map(|(j, (name, column))| profile_column(j, name, column, options))
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            options: options.clone(),
            n_rows,
            columns,
        })
    }

    /// The options the profile was built with.
    pub fn options(&self) -> &ProfileOptions {
        &self.options
    }

    /// Rows in the reference frame.
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// The column profiles, in the reference frame's order.
    pub fn columns(&self) -> &[ColumnProfile] {
        &self.columns
    }

    /// The profile of the column named `name`, if there is one.
    pub fn column(&self, name: &str) -> Option<&ColumnProfile> {
        self.columns.iter().find(|c| c.name == name)
    }
}

fn profile_column(
    j: usize,
    name: &str,
    column: &Column,
    options: &ProfileOptions,
) -> Result<ColumnProfile> {
    let summary = match column {
        Column::Float(v) | Column::Int(v) | Column::Bool(v) => {
            let what = format!("reference column `{name}`");
            ColumnSummary::Numeric(NumericProfile::build(v, j, &what, options)?)
        }
        Column::Categorical(c) => ColumnSummary::Categorical(CategoricalProfile::build(c)),
    };
    Ok(ColumnProfile {
        name: name.to_owned(),
        column_type: column.column_type(),
        n_rows: column.len(),
        n_missing: column.n_missing(),
        summary,
    })
}

impl Persist for ReferenceProfile {
    const KIND: &'static str = "kiln_monitor::ReferenceProfile";
    type Params = ProfileOptions;

    fn params(&self) -> &ProfileOptions {
        &self.options
    }

    fn feature_schema(&self) -> FeatureSchema {
        FeatureSchema::with_names(self.columns.iter().map(|c| c.name.clone()).collect())
    }
}
