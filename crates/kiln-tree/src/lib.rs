//! Tree models for kiln: decision trees, random forests, extremely randomized trees and
//! histogram gradient boosting.
//!
//! | model | fits | how |
//! |---|---|---|
//! | [`DecisionTreeClassifier`] | CART with Gini or entropy, class and sample weights | exact splits on features sorted once and partitioned stably down the tree; from 20,000 rows, splits on 255-bin histograms ([`SplitSearch`]) |
//! | [`DecisionTreeRegressor`] | CART with squared error | exact splits, as above (histograms on request) |
//! | [`RandomForestClassifier`], [`RandomForestRegressor`] | bagged trees, features drawn per split, out-of-bag score | trees grown in parallel, one seeded stream per tree, so a seed gives the same forest on any thread count; the trees' [`SplitSearch`], features binned once per forest |
//! | [`ExtraTreesClassifier`], [`ExtraTreesRegressor`] | extremely randomized trees: one random threshold per drawn feature, all rows by default | one row array per tree over an `f32` copy of `X` (no sorting, no binning); trees in parallel, thread-independent as above; [`Splitter::Random`] gives a single such tree |
//! | [`HistGradientBoostingClassifier`], [`HistGradientBoostingRegressor`] | gradient boosting: log-loss, softmax, squared, absolute, quantile, Poisson; early stopping, monotonic constraints, native categories, TreeSHAP | features binned once (255 bins), leaf-wise trees on gradient histograms with the subtraction trick; same trees as scikit-learn's `HistGradientBoosting*` |
//!
//! The trees and forests handle missing values (NaN) natively, grow depth first or best first
//! (`max_leaf_nodes`), prune by minimal cost-complexity (`ccp_alpha`, with the whole path),
//! report impurity-based feature importances, leaf indices and decision paths, render as
//! text or Graphviz DOT, and save and load through [`kiln_core::persist`]. Trees without
//! tied splits are identical to scikit-learn's, node for node (see `tests/reference.rs`), below
//! 20,000 rows or with [`SplitSearch::Exact`].
//!
//! # Example
//!
//! ```
//! use kiln_core::{Fit, Predict, PredictProba};
//! use kiln_datasets::Dataset;
//! use kiln_tree::{DecisionTreeClassifier, ExportOptions};
//!
//! let cancer = Dataset::BreastCancer.load_numeric()?;
//! let y = cancer.target.class_indices().ok_or("a classification set")?;
//! let tree = DecisionTreeClassifier::default()
//!     .with_max_depth(Some(3))
//!     .fit(cancer.x.view(), y.view())?;
//! assert!(tree.depth() <= 3);
//! assert!((tree.feature_importances().sum() - 1.0).abs() < 1e-12);
//! let p = tree.predict_proba(cancer.x.view())?;
//! assert_eq!(p.ncols(), 2);
//! let rules = tree.export_text(&ExportOptions::default().with_feature_names(cancer.feature_names.clone()));
//! assert!(rules.starts_with("|--- "));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// This crate needs no unsafe: forbid it (stronger than the workspace's deny, which a module
// could override). Crates that use ndarray's `s!` keep deny: that macro expands to
// `#[allow(unsafe_code)]`, which forbid rejects.
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod boost;
pub mod forest;
pub mod tree;
pub use boost::{
    BoostParams, BoostTree, EarlyStopping, EvalSet, FitOptions,
    FittedHistGradientBoostingClassifier, FittedHistGradientBoostingRegressor,
    HistGradientBoostingClassifier, HistGradientBoostingRegressor, Importance, Progress,
    RegressionLoss, Scoring,
};
pub use forest::{
    ExtraTreesClassifier, ExtraTreesRegressor, FittedExtraTreesClassifier,
    FittedExtraTreesRegressor, FittedForestClassifier, FittedForestRegressor,
    FittedRandomForestClassifier, FittedRandomForestRegressor, ForestClassWeight, ForestParams,
    MaxSamples, RandomForestClassifier, RandomForestRegressor, SplitSearch,
};
pub use tree::{
    CcpPath, ClassWeight, ClassificationCriterion, DecisionPath, DecisionTreeClassifier,
    DecisionTreeRegressor, ExportOptions, FittedDecisionTreeClassifier,
    FittedDecisionTreeRegressor, MaxFeatures, RegressionCriterion, Splitter, Tree,
};
