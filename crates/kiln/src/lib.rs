//! # kiln: machine-learning workflows for Rust programs
//!
//! The facade over kiln's crates: import `kiln` for the whole workflow, or a single crate
//! (`kiln-core`, `kiln-datasets`, ...) to compile only what you use. Each stage of the
//! workflow lives in its own crate and is re-exported here under a short name:
//!
//! | here | crate | what |
//! |---|---|---|
//! | [`prelude`] | | the traits and types almost every program needs |
//! | [`problem`] | | the business problem: task, target, success metric and goal, sensitive columns |
//! | [`pipeline`] | | preparation steps and an estimator fitted on a raw table, with its input schema |
//! | [`estimator`] | | estimators chosen at run time by name, parameters set from text |
//! | [`model`] | | a trained model with its problem, evaluation and reference profile: train, evaluate, predict, audit, save |
//! | [`check`], [`persist`], [`random`] | `kiln-core` | input checks, model files, seeds |
//! | [`datasets`] | `kiln-datasets` | bundled real data sets and seeded generators |
//! | [`prep`] | `kiln-prep` | Frame and CSV, cleaning, imputation, scaling, feature selection, splits |
//! | [`linear`] | `kiln-linear` | least squares, ridge, lasso, elastic-net, logistic regression, SGD |
//! | [`tree`] | `kiln-tree` | decision trees, random forests, extremely randomized trees, histogram gradient boosting |
//! | [`cluster`] | `kiln-cluster` | k-means (Lloyd and Elkan), mini-batch k-means |
//! | [`metrics`] | `kiln-metrics` | classification, ranking, regression and clustering metrics, bootstrap intervals |
//! | [`select`] | `kiln-select` | cross-validation, parameter search, curves, permutation importance, model comparison |
//! | [`fairness`] | `kiln-fairness` | group metrics, disparity measures, fairness report, mitigation |
//! | [`monitor`] | `kiln-monitor` | reference profiles, drift tests and reports, performance over time, retraining policy |
//!
//! # Example
//!
//! The workflow in a few lines: state the problem, train with automatic preparation and a
//! held-out evaluation, audit fairness, save, and predict on raw rows.
//!
//! ```
//! use kiln::datasets::Dataset;
//! use kiln::prelude::*;
//!
//! let (data, _) = CsvOptions::default().read_str(Dataset::GermanCredit.csv())?;
//! let problem = Problem::classification("credit")
//!     .with_positive_class("good")
//!     .with_goal("roc_auc", 0.75)
//!     .with_sensitive(["sex", "age_group"]);
//! let gbdt = Estimator::from_name(Task::Classification, "gbdt")?;
//! let model = Model::train(&problem, gbdt, &data, None, &TrainOptions::default())?;
//! println!("{}", model.evaluation().ok_or("held-out rows")?); // metrics and the verdict
//!
//! let audit = model.audit(&data, &[])?; // by sex and age_group
//! println!("{} fairness measures fail", audit.summary.fail);
//!
//! let dir = tempfile::tempdir()?;
//! model.save(dir.path().join("credit.kiln"))?;
//! let loaded = Model::load(dir.path().join("credit.kiln"))?;
//! assert_eq!(loaded.predict(&data)?.label(0), model.predict(&data)?.label(0));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// This crate needs no unsafe: forbid it (stronger than the workspace's deny, which a module
// could override). Crates that use ndarray's `s!` keep deny: that macro expands to
// `#[allow(unsafe_code)]`, which forbid rejects.
#![forbid(unsafe_code)]

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
///
/// Besides kiln-core's traits and errors: the problem statement, the pipeline, the run-time
/// estimators and the trained-model artifact of the common workflow, and the table and CSV
/// reader they start from.
pub mod prelude {
    pub use crate::estimator::{Classifier, Clusterer, Regressor};
    pub use crate::model::{Estimator, Evaluation, Model, Predictions, TrainOptions};
    pub use crate::pipeline::{FittedPipeline, Pipeline, Prep, row_ids};
    pub use crate::problem::{Problem, Task};
    pub use kiln_core::{
        ClassLabels, Error, Fit, FitTransform, FitUnsupervised, Fitted, InverseTransform, Params,
        Persist, Predict, PredictProba, Result, Transform,
    };
    pub use kiln_prep::{CsvOptions, Frame};
}
