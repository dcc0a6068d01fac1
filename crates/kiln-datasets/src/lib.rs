//! # kiln-datasets: real data sets to learn on and synthetic data to test with
//!
//! Two kinds of data for examples, tests and benchmarks:
//!
//! - **Six small real data sets** ([`Dataset`]), embedded in the crate so they need no
//!   download: iris, breast cancer and penguins (classification), diabetes (regression),
//!   German credit (binary, with sensitive attributes) and credit scoring (binary, with missing
//!   values). [`Dataset::info`] gives each set's task, target, positive class, column roles,
//!   missing-value counts, source and licence as static [`DatasetInfo`];
//!   [`Dataset::load_numeric`] parses the numeric features into an `Array2<f64>` (missing
//!   cells as NaN) and the target into class indices or values; [`Dataset::csv`] hands the raw
//!   text to a general reader.
//! - **Seeded generators** in [`synthetic`]: [`MakeClassification`](synthetic::MakeClassification),
//!   [`MakeRegression`](synthetic::MakeRegression) and [`MakeBlobs`](synthetic::MakeBlobs)
//!   after scikit-learn's `make_*` functions, and [`MakeCredit`](synthetic::MakeCredit), loan
//!   applications with a sensitive group and a tunable injected bias for fairness work.
//!
//! # Example
//!
//! ```
//! use kiln_datasets::synthetic::{MakeBlobs, MakeClassification};
//! use kiln_datasets::{Dataset, Task};
//!
//! // A real data set: numeric features and class indices, positive class explicit.
//! let cancer = Dataset::BreastCancer.load_numeric()?;
//! assert_eq!(cancer.x.dim(), (569, 30));
//! let labels = cancer.target.labels().ok_or(kiln_core::Error::EmptyInput {
//!     what: "labels".into(),
//!     reason: "regression target".into(),
//! })?;
//! assert_eq!(labels.positive().map(String::as_str), Some("1")); // 1 = benign
//!
//! // Metadata without parsing: what to predict and what to keep out of the features.
//! let german = Dataset::GermanCredit.info();
//! assert_eq!((german.task, german.target), (Task::Binary, "credit"));
//! assert_eq!(german.sensitive, ["sex", "age_group"]);
//!
//! // Synthetic data: the same seed gives the same data.
//! let (x, y) = MakeClassification::default().with_seed(42).generate()?;
//! assert_eq!((x.nrows(), y.len()), (100, 100));
//! let blobs = MakeBlobs::default().with_centers(4).with_seed(42).generate()?;
//! assert_eq!(blobs.centers.nrows(), 4);
//! # Ok::<(), kiln_core::Error>(())
//! ```
//!
//! # Design
//!
//! - **The files stay as they are.** Each CSV is the file in `data/`, byte for byte (a test
//!   checks its SHA-256 against `data/datasets.json`), with its source and licence in
//!   `data/README.md`. A missing value is an empty field and nothing else.
//! - **Only numbers here.** [`Dataset::load_numeric`] returns the numeric features; the
//!   categorical features and the sensitive columns are read as strings with
//!   [`Dataset::column_strings`]. Mixed-type tables, encoding and imputation belong to
//!   kiln-prep's `Frame`, which reads [`Dataset::csv`].
//! - **Explicit positive class.** Binary targets come with the positive class from the
//!   metadata recorded in [`kiln_core::ClassLabels`], never inferred from the data.
//! - **Generators are params structs.** Public fields with scikit-learn's defaults, `with_*`
//!   setters, a `seed` and [`kiln_core::Params::validate`], like every kiln estimator; the same
//!   seed gives bit-identical output on every platform.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod dataset;
mod info;
pub mod synthetic;

pub use dataset::{Dataset, NumericData, Target};
pub use info::{DatasetInfo, Task};
