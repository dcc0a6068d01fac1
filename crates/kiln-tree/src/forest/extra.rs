//! [`ExtraTreesClassifier`] and [`ExtraTreesRegressor`]: forests of extremely randomized
//! trees (Geurts, Ernst & Wehenkel 2006).

use kiln_core::{Fit, Params, Result};
use ndarray::{ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::classifier::{Shared, fit_classifier, validate_classifier};
use super::regressor::fit_regressor;
use super::{
    FittedForestClassifier, FittedForestRegressor, ForestClassWeight, ForestParams, MaxSamples,
    Settings,
};
use crate::tree::params::Splitter;
use crate::tree::{ClassificationCriterion, MaxFeatures, RegressionCriterion, SplitSearch};

/// A forest of extremely randomized trees for classification (Geurts, Ernst & Wehenkel 2006),
/// as scikit-learn's `ExtraTreesClassifier`: `n_estimators` trees, by default each grown on
/// every row, where every split draws `max_features` features and, for each, **one threshold
/// uniformly at random** between the node's smallest and largest value of it, and keeps the
/// best of those candidates. Probabilities are the mean of the trees' leaf class fractions.
///
/// Compared with a [`RandomForestClassifier`](super::RandomForestClassifier), the random
/// thresholds make the trees more different from each other (lower variance of the average)
/// at the price of each tree fitting less well, and they are much cheaper to find: a split
/// costs one pass over the node's rows per drawn feature, with no sorting and no histogram.
///
/// # Parameters
/// - `n_estimators` (default `100`): the number of trees.
/// - `criterion` (default [`ClassificationCriterion::Gini`]): Gini or entropy.
/// - `max_depth` (default `None`): the deepest level grown.
/// - `min_samples_split` (default `2`): a node with fewer rows is a leaf.
/// - `min_samples_leaf` (default `1`): every leaf keeps at least this many rows.
/// - `max_features` (default [`MaxFeatures::Sqrt`]): features drawn per split.
/// - `max_leaf_nodes` (default `None`): when set, each tree grows best first to this many leaves.
/// - `min_impurity_decrease` (default `0.0`): the least weighted impurity decrease of a split.
/// - `bootstrap` (default `false`): grow each tree on a bootstrap sample instead of all rows.
/// - `max_samples` (default [`MaxSamples::All`]): draws per bootstrap sample (bootstrap only).
/// - `oob_score` (default `false`): compute the out-of-bag accuracy at fit (bootstrap only).
/// - `class_weight` (default [`ForestClassWeight::None`]): multiplied into the sample weights.
/// - `seed` (default `0`): drives the samples, the features drawn and the thresholds.
///
/// # Fitted attributes
/// As [`RandomForestClassifier`](super::RandomForestClassifier):
/// [`FittedForestClassifier::trees`], [`FittedForestClassifier::feature_importances`] and
/// [`FittedForestClassifier::oob_score`].
///
/// # Errors
/// As [`RandomForestClassifier`](super::RandomForestClassifier) (including `oob_score` or
/// `max_samples` without bootstrap).
///
/// # Notes
/// - A threshold is `min + u · (max − min)` over the node's non-missing values, `u` uniform
///   in `[0, 1)`; a row goes left when `x <= threshold`. A feature whose values in the node
///   span at most 1e-7 (and that has no missing value there) is skipped and does not count
///   towards `max_features`, as in scikit-learn.
/// - **Missing values** (NaN): all of a node's missing values go to one side, drawn at random
///   (scikit-learn ≥ 1.4's random splitter); a split on a feature with no missing value in
///   the node sends NaN at predict to the child with more training rows.
/// - Tree `i` takes every random choice from `task_rng(seed, i)`, and each split's thresholds
///   are drawn before its features are scanned (in parallel for large nodes), so the forest is
///   identical for a seed on any number of threads. It is not scikit-learn's forest for the
///   same number (different generators); accuracy is compared over seeds in the tests.
///
/// # References
/// Geurts, Ernst & Wehenkel (2006). Extremely randomized trees. *Machine Learning* 63, 3–42.
///
/// # Example
/// ```
/// use kiln_core::{Fit, Predict, PredictProba};
/// use kiln_datasets::Dataset;
/// use kiln_tree::ExtraTreesClassifier;
///
/// let cancer = Dataset::BreastCancer.load_numeric()?;
/// let y = cancer.target.class_indices().ok_or("a classification set")?;
/// let forest = ExtraTreesClassifier::default()
///     .with_n_estimators(20)
///     .with_seed(7)
///     .fit(cancer.x.view(), y.view())?;
/// assert_eq!(forest.trees().len(), 20);
/// assert!((forest.feature_importances().sum() - 1.0).abs() < 1e-12);
/// let p = forest.predict_proba(cancer.x.view())?;
/// assert_eq!(p.ncols(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtraTreesClassifier {
    /// The number of trees. By default, `100`.
    pub n_estimators: usize,
    /// The split-quality measure. By default, Gini.
    pub criterion: ClassificationCriterion,
    /// The deepest level grown. By default, `None` (no limit).
    pub max_depth: Option<usize>,
    /// The fewest rows a node needs to be split. By default, `2`.
    pub min_samples_split: usize,
    /// The fewest rows in a leaf. By default, `1`.
    pub min_samples_leaf: usize,
    /// Features drawn per split. By default, `sqrt(n_features)`.
    pub max_features: MaxFeatures,
    /// Grow best first up to this many leaves. By default, `None`.
    pub max_leaf_nodes: Option<usize>,
    /// The least weighted impurity decrease a split must bring. By default, `0.0`.
    pub min_impurity_decrease: f64,
    /// Grow each tree on a bootstrap sample. By default, `false`.
    pub bootstrap: bool,
    /// Draws per bootstrap sample. By default, as many as rows.
    pub max_samples: MaxSamples,
    /// Compute the out-of-bag accuracy. By default, `false`.
    pub oob_score: bool,
    /// Per-class weights. By default, none.
    pub class_weight: ForestClassWeight,
    /// Seed of every random choice. By default, `0`.
    pub seed: u64,
}

impl Default for ExtraTreesClassifier {
    fn default() -> Self {
        Self {
            n_estimators: 100,
            criterion: ClassificationCriterion::Gini,
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: MaxFeatures::Sqrt,
            max_leaf_nodes: None,
            min_impurity_decrease: 0.0,
            bootstrap: false,
            max_samples: MaxSamples::All,
            oob_score: false,
            class_weight: ForestClassWeight::None,
            seed: kiln_core::random::DEFAULT_SEED,
        }
    }
}

impl ExtraTreesClassifier {
    super::forest_setters!();

    crate::tree::params::growth_setters!();

    /// Sets `criterion` (by default, Gini).
    #[must_use]
    pub fn with_criterion(mut self, criterion: ClassificationCriterion) -> Self {
        self.criterion = criterion;
        self
    }

    /// Sets `class_weight` (by default, none).
    #[must_use]
    pub fn with_class_weight(mut self, class_weight: ForestClassWeight) -> Self {
        self.class_weight = class_weight;
        self
    }

    fn settings(&self) -> Settings {
        // Random splits need neither sorted nor binned features: no split search to choose.
        super::forest_settings!(self, SplitSearch::Exact, Splitter::Random)
    }
}

impl Params for ExtraTreesClassifier {
    const NAME: &'static str = "ExtraTreesClassifier";

    fn validate(&self) -> Result<()> {
        validate_classifier(Self::NAME, &self.settings(), &self.class_weight)
    }
}

impl ForestParams for ExtraTreesClassifier {
    const KIND: &'static str = "kiln_tree::ExtraTreesClassifier";
}

/// A fitted [`ExtraTreesClassifier`].
pub type FittedExtraTreesClassifier = FittedForestClassifier<ExtraTreesClassifier>;

impl Fit for ExtraTreesClassifier {
    type Target = usize;
    type Fitted = FittedExtraTreesClassifier;

    fn fit_weighted(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, usize>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedExtraTreesClassifier> {
        let shared = Shared {
            settings: self.settings(),
            criterion: self.criterion,
            class_weight: &self.class_weight,
        };
        fit_classifier(self, &shared, x, y, sample_weight)
    }
}

/// A forest of extremely randomized trees for regression (Geurts, Ernst & Wehenkel 2006), as
/// scikit-learn's `ExtraTreesRegressor`: as [`ExtraTreesClassifier`], with squared-error
/// trees whose mean is the prediction.
///
/// # Parameters
/// - `n_estimators` (default `100`): the number of trees.
/// - `criterion` (default [`RegressionCriterion::SquaredError`]): the weighted variance.
/// - `max_depth` (default `None`): the deepest level grown.
/// - `min_samples_split` (default `2`): a node with fewer rows is a leaf.
/// - `min_samples_leaf` (default `1`): every leaf keeps at least this many rows.
/// - `max_features` (default [`MaxFeatures::All`], scikit-learn's `1.0`): features drawn per
///   split; unlike a random forest's, the trees differ even with every feature, through
///   their thresholds.
/// - `max_leaf_nodes` (default `None`): when set, each tree grows best first to this many leaves.
/// - `min_impurity_decrease` (default `0.0`): the least weighted impurity decrease of a split.
/// - `bootstrap` (default `false`): grow each tree on a bootstrap sample instead of all rows.
/// - `max_samples` (default [`MaxSamples::All`]): draws per bootstrap sample (bootstrap only).
/// - `oob_score` (default `false`): compute the out-of-bag R² at fit (bootstrap only).
/// - `seed` (default `0`): drives the samples, the features drawn and the thresholds.
///
/// # Fitted attributes
/// [`FittedForestRegressor::trees`], [`FittedForestRegressor::feature_importances`] and
/// [`FittedForestRegressor::oob_score`].
///
/// # Errors
/// As [`RandomForestRegressor`](super::RandomForestRegressor).
///
/// # Notes
/// Thresholds, missing values and seeding as in [`ExtraTreesClassifier`].
///
/// # References
/// Geurts, Ernst & Wehenkel (2006). Extremely randomized trees. *Machine Learning* 63, 3–42.
///
/// # Example
/// ```
/// use kiln_core::{Fit, Predict};
/// use kiln_tree::ExtraTreesRegressor;
/// use ndarray::array;
///
/// let x = array![[1.0], [2.0], [3.0], [4.0], [5.0], [6.0]];
/// let y = array![1.0, 1.0, 1.0, 5.0, 5.0, 5.0];
/// let forest = ExtraTreesRegressor::default()
///     .with_n_estimators(10)
///     .fit(x.view(), y.view())?;
/// // Every tree separates the two groups somewhere in (3, 4].
/// let p = forest.predict(array![[0.0], [9.0]].view())?;
/// assert_eq!(p.to_vec(), vec![1.0, 5.0]);
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtraTreesRegressor {
    /// The number of trees. By default, `100`.
    pub n_estimators: usize,
    /// The split-quality measure. By default, squared error.
    pub criterion: RegressionCriterion,
    /// The deepest level grown. By default, `None` (no limit).
    pub max_depth: Option<usize>,
    /// The fewest rows a node needs to be split. By default, `2`.
    pub min_samples_split: usize,
    /// The fewest rows in a leaf. By default, `1`.
    pub min_samples_leaf: usize,
    /// Features drawn per split. By default, all.
    pub max_features: MaxFeatures,
    /// Grow best first up to this many leaves. By default, `None`.
    pub max_leaf_nodes: Option<usize>,
    /// The least weighted impurity decrease a split must bring. By default, `0.0`.
    pub min_impurity_decrease: f64,
    /// Grow each tree on a bootstrap sample. By default, `false`.
    pub bootstrap: bool,
    /// Draws per bootstrap sample. By default, as many as rows.
    pub max_samples: MaxSamples,
    /// Compute the out-of-bag R². By default, `false`.
    pub oob_score: bool,
    /// Seed of every random choice. By default, `0`.
    pub seed: u64,
}

impl Default for ExtraTreesRegressor {
    fn default() -> Self {
        Self {
            n_estimators: 100,
            criterion: RegressionCriterion::SquaredError,
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: MaxFeatures::All,
            max_leaf_nodes: None,
            min_impurity_decrease: 0.0,
            bootstrap: false,
            max_samples: MaxSamples::All,
            oob_score: false,
            seed: kiln_core::random::DEFAULT_SEED,
        }
    }
}

impl ExtraTreesRegressor {
    super::forest_setters!();

    crate::tree::params::growth_setters!();

    /// Sets `criterion` (by default, squared error).
    #[must_use]
    pub fn with_criterion(mut self, criterion: RegressionCriterion) -> Self {
        self.criterion = criterion;
        self
    }

    fn settings(&self) -> Settings {
        // Random splits need neither sorted nor binned features: no split search to choose.
        super::forest_settings!(self, SplitSearch::Exact, Splitter::Random)
    }
}

impl Params for ExtraTreesRegressor {
    const NAME: &'static str = "ExtraTreesRegressor";

    fn validate(&self) -> Result<()> {
        self.settings().validate(Self::NAME)
    }
}

impl ForestParams for ExtraTreesRegressor {
    const KIND: &'static str = "kiln_tree::ExtraTreesRegressor";
}

/// A fitted [`ExtraTreesRegressor`].
pub type FittedExtraTreesRegressor = FittedForestRegressor<ExtraTreesRegressor>;

impl Fit for ExtraTreesRegressor {
    type Target = f64;
    type Fitted = FittedExtraTreesRegressor;

    fn fit_weighted(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedExtraTreesRegressor> {
        fit_regressor(self, &self.settings(), x, y, sample_weight)
    }
}
