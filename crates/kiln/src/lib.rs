//! # kiln: machine-learning workflows for Rust programs
//!
//! The facade over kiln's crates: import `kiln` for the whole workflow, or a single crate
//! (`kiln-core`, `kiln-datasets`, ...) to compile only what you use. Each stage of the
//! workflow lives in its own crate and is re-exported here under a short name:
//!
//! | here | crate | what |
//! |---|---|---|
//! | [`prelude`] | | the traits and types almost every program needs |
//! | [`check`], [`persist`], [`random`] | `kiln-core` | input checks, model files, seeds |
//! | [`datasets`] | `kiln-datasets` | bundled real data sets and seeded generators |
//! | [`prep`] | `kiln-prep` | Frame and CSV, cleaning, imputation, scaling, feature selection, splits |
//! | [`linear`] | `kiln-linear` | least squares, ridge, lasso, elastic-net, logistic regression, SGD |
//! | [`tree`] | `kiln-tree` | decision trees, random forests, histogram gradient boosting |
//! | [`cluster`] | `kiln-cluster` | k-means (Lloyd and Elkan), mini-batch k-means |
//! | [`metrics`] | `kiln-metrics` | classification, ranking, regression and clustering metrics, bootstrap intervals |
//! | [`select`] | `kiln-select` | cross-validation, parameter search, curves, permutation importance, model comparison |
//! | [`fairness`] | `kiln-fairness` | group metrics, disparity measures, fairness report, mitigation |
//! | [`monitor`] | `kiln-monitor` | reference profiles, drift tests and reports, performance over time, retraining policy |
//!
//! # Example
//!
//! ```
//! use kiln::datasets::Dataset;
//! use kiln::prelude::*;
//!
//! // State the problem from the data set's metadata: binary, target `credit`, `good` is the
//! // favourable (positive) outcome, `sex` and `age_group` are sensitive.
//! let info = Dataset::GermanCredit.info();
//! let target = Dataset::GermanCredit.column_strings(info.target)?;
//! let positive = info.positive_class.unwrap_or("good").to_string();
//! let labels = ClassLabels::binary(target.iter().cloned(), &positive)?;
//! let y = labels.encode_positive(target.iter())?;
//! println!("{} applicants, {:.1}% {positive}", y.len(), 100.0 * y.mean().unwrap_or(0.0));
//! # Ok::<(), kiln::Error>(())
//! ```

pub mod estimator;
pub mod model;
pub mod pipeline;
pub mod problem;

pub use kiln_cluster as cluster;
pub use kiln_core::{
    ClassLabels, Error, FeatureSchema, Fit, FitTransform, FitUnsupervised, Fitted, FormatCheck,
    InverseTransform, Params, Persist, Predict, PredictProba, Result, Transform, check, persist,
    random,
};
pub use kiln_datasets as datasets;
pub use kiln_fairness as fairness;
pub use kiln_linear as linear;
pub use kiln_metrics as metrics;
pub use kiln_monitor as monitor;
pub use kiln_prep as prep;
pub use kiln_select as select;
pub use kiln_tree as tree;

/// The traits and types almost every kiln program uses: `use kiln::prelude::*;`.
pub mod prelude {
    pub use kiln_core::{
        ClassLabels, Error, Fit, FitTransform, FitUnsupervised, Fitted, InverseTransform, Params,
        Persist, Predict, PredictProba, Result, Transform,
    };
}
