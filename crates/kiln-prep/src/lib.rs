//! # kiln-prep: from a raw table to model-ready arrays
//!
//! Data preparation, the stage practitioners spend most of their time on: read a CSV into a
//! typed [`Frame`], look at it ([`Frame::describe`]), clean it (duplicates, missing values),
//! turn it into numbers (imputers, scalers), select features, and split it for honest
//! evaluation. Every fitted step follows kiln's estimator contract (fit on training data only,
//! apply unchanged to new data, save and load through `kiln_core::persist`) and passes the
//! `kiln-check` transformer suite.
//!
//! | module / type | what |
//! |---|---|
//! | [`Frame`], [`CsvOptions`] | typed columns with missing values; CSV reading with type inference, overrides and parallel parsing; writing back |
//! | [`Frame::drop_duplicates`], [`Frame::missing_report`] | duplicate rows, missing values per column, dropping rows or columns |
//! | [`rules`] | declarative data-quality rules (range, non-negative, not null, allowed categories) with flag / set-missing / drop-row actions; IQR and z-score outlier flags |
//! | [`encode`] | one-hot and ordinal encoders, out-of-fold target encoding, a column transformer mapping column sets to steps with output feature names, target label encoding |
//! | [`impute`] | `SimpleImputer` (numeric: mean, median, most frequent, constant; missing indicators), `FrameImputer` (numeric and categorical columns of a Frame) |
//! | [`scale`] | standard, min-max, robust and max-abs scalers |
//! | [`select`] | variance threshold; univariate scores (ANOVA F, F-regression, chi², mutual information) with k-best and percentile selection; correlation filter |
//! | [`split`] | train/test split, k-fold, stratified, grouped, time-series and shuffle splits, as indices |
//!
//! # Example
//!
//! ```
//! use kiln_prep::split::KFold;
//! use kiln_prep::{CsvOptions, Keep};
//!
//! let csv = "species,bill_mm,island\nAdelie,39.1,Torgersen\nGentoo,,Biscoe\n\
//!            Adelie,39.1,Torgersen\nChinstrap,46.5,Dream\n";
//! let (frame, report) = CsvOptions::default().read_str(csv)?;
//! assert_eq!(frame.shape(), (4, 3));
//! assert_eq!(report.passes, 1);
//! assert_eq!(frame.column("bill_mm")?.n_missing(), 1);
//!
//! let (frame, dups) = frame.drop_duplicates::<&str>(None, Keep::First)?;
//! assert_eq!(dups.removed, 1);
//!
//! let x = frame.to_array(&["bill_mm"])?; // NaN marks the missing value
//! assert!(x[[1, 0]].is_nan());
//! let folds = KFold::default().with_n_splits(3).split(frame.n_rows())?;
//! assert_eq!(folds.len(), 3);
//! # Ok::<(), kiln_core::Error>(())
//! ```
//!
//! # Design
//!
//! - **Missing means an empty field**, unless more markers are named: a category can
//!   legitimately be called `None` or `NA`. Numeric columns hold NaN for missing, the
//!   convention of scikit-learn and of kiln's estimators.
//! - **Nothing is silently dropped or guessed.** A value that does not fit its column's
//!   inferred type re-types the column in a second pass and is reported; in a column whose
//!   type was given it is an error with line and field (or, when lenient, a counted missing
//!   value).
//! - **Categorical levels are sorted**, so encodings do not depend on row order or on how
//!   many threads read the file.
//! - **Large files stream**: a path is read in blocks parsed on all cores into the final
//!   columns, so memory holds the frame plus one block.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod clean;
mod csv_read;
mod describe;
pub mod encode;
mod frame;
pub mod impute;
pub mod rules;
pub mod scale;
pub mod select;
pub mod split;

pub use clean::{DuplicateReport, Keep, MissingReport};
pub use csv_read::{CsvOptions, ReadReport};
pub use describe::{ColumnSummary, Description, NumericSummary};
pub use frame::{Categorical, Column, ColumnType, Frame, MISSING_CODE};
