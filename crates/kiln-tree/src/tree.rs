//! Decision trees: [`DecisionTreeClassifier`] and [`DecisionTreeRegressor`].
//!
//! The pieces are separate so that forests and boosting can reuse them:
//! node storage and traversal (`nodes`), impurity criteria and scan sums (`criterion`),
//! per-feature sorted row lists partitioned down the tree (`presort`), the exact split
//! search (`splitter`), depth-first and best-first growth from row indices, per-row weights
//! and a per-split feature sampler (`builder`), cost-complexity pruning (`prune`) and the
//! text / DOT renderings (`export`).

use ndarray::Array1;

pub(crate) mod builder;
mod classifier;
pub(crate) mod criterion;
mod export;
mod fit;
pub(crate) mod hist;
pub(crate) mod nodes;
pub(crate) mod params;
pub(crate) mod presort;
pub(crate) mod prune;
pub(crate) mod random;
mod regressor;
pub(crate) mod rows;
pub(crate) mod splitter;

pub use classifier::{DecisionTreeClassifier, FittedDecisionTreeClassifier};
pub use export::ExportOptions;
pub use nodes::{DecisionPath, Tree};
pub use params::{
    ClassWeight, ClassificationCriterion, HISTOGRAM_ROWS, MaxFeatures, RegressionCriterion,
    SplitSearch, Splitter,
};
pub use regressor::{DecisionTreeRegressor, FittedDecisionTreeRegressor};

/// The minimal cost-complexity pruning path (scikit-learn's `cost_complexity_pruning_path`).
#[derive(Debug, Clone, PartialEq)]
pub struct CcpPath {
    /// The effective alphas at which the weakest links are pruned, increasing, starting at 0.
    pub ccp_alphas: Array1<f64>,
    /// The total weighted leaf impurity (`Σ_leaves w_t / w · impurity_t`) of the tree pruned
    /// at each alpha.
    pub impurities: Array1<f64>,
}
