//! [`DecisionTreeRegressor`]: a CART regression tree.

use kiln_core::check::{self, NanPolicy};
use kiln_core::persist::{FeatureSchema, Persist};
use kiln_core::{Fit, Fitted, Params, Predict, Result};
use ndarray::{Array1, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::CcpPath;
use super::criterion::{Impurity, TargetData};
use super::export::{self, ExportOptions, Leaf};
use super::fit::{fit_tree, pruning_path};
use super::nodes::{DecisionPath, Tree};
use super::params::{Growth, MaxFeatures, RegressionCriterion, SplitSearch, Splitter};

/// A decision tree regressor grown by exact greedy splitting (CART, Breiman et al. 1984), as
/// scikit-learn's `DecisionTreeRegressor`. Leaves predict the weighted mean of their rows.
///
/// # Parameters
/// - `criterion` (default [`RegressionCriterion::SquaredError`]): the weighted variance.
/// - `max_depth` (default `None`): the deepest level grown; `None` grows until leaves are pure
///   or too small.
/// - `min_samples_split` (default `2`): a node with fewer rows is a leaf.
/// - `min_samples_leaf` (default `1`): every leaf keeps at least this many rows.
/// - `max_features` (default [`MaxFeatures::All`]): features searched per split, drawn anew at
///   every split from the `seed`.
/// - `max_leaf_nodes` (default `None`): when set, the tree grows best first until it has this
///   many leaves.
/// - `min_impurity_decrease` (default `0.0`): the least weighted impurity decrease of a split.
/// - `ccp_alpha` (default `0.0`): minimal cost-complexity pruning strength.
/// - `seed` (default `0`): drives feature sampling when `max_features` is not `All`, and the
///   thresholds of `Splitter::Random`.
/// - `split_search` (default [`SplitSearch::Auto`]): exact thresholds between sorted values,
///   or histograms of binned features (`Auto` is exact for regression; see [`SplitSearch`]).
/// - `splitter` (default [`Splitter::Best`]): the best threshold of each searched feature, or
///   ([`Splitter::Random`]) one threshold drawn at random per feature, as one tree of an
///   [`ExtraTreesClassifier`](crate::ExtraTreesClassifier) (`split_search` then does not apply).
///
/// # Fitted attributes
/// [`FittedDecisionTreeRegressor::tree`], [`FittedDecisionTreeRegressor::feature_importances`],
/// [`FittedDecisionTreeRegressor::depth`] and [`FittedDecisionTreeRegressor::n_leaves`].
///
/// # Errors
/// `fit` returns [`kiln_core::Error::InvalidParameter`] for a parameter out of range (including
/// `max_features` above the number of features), [`kiln_core::Error::EmptyInput`],
/// [`kiln_core::Error::NonFinite`] for infinite values in `X` or any non-finite target, and the
/// sample-weight errors of `kiln_core::check`. Prediction rejects a different feature count and
/// infinite values.
///
/// # Notes
/// Missing values, thresholds, ties, zero weights and the split search behave as described
/// for [`DecisionTreeClassifier`](super::DecisionTreeClassifier). Node impurities are computed
/// with a two-pass variance (scikit-learn uses `E[y²] − E[y]²`), so a node whose targets are
/// all equal has impurity exactly 0 and is not split further.
///
/// # References
/// Breiman, Friedman, Olshen & Stone (1984). *Classification and Regression Trees*.
///
/// # Example
/// ```
/// use kiln_core::Predict;
/// use kiln_core::Fit;
/// use kiln_tree::DecisionTreeRegressor;
/// use ndarray::array;
///
/// let x = array![[1.0], [2.0], [3.0], [4.0]];
/// let y = array![1.0, 1.0, 5.0, 7.0];
/// let tree = DecisionTreeRegressor::default().with_max_depth(Some(1)).fit(x.view(), y.view())?;
/// assert_eq!(tree.predict(array![[0.0], [10.0]].view())?.to_vec(), vec![1.0, 6.0]);
/// assert_eq!(tree.feature_importances().to_vec(), vec![1.0]);
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionTreeRegressor {
    /// The split-quality measure. By default, squared error.
    pub criterion: RegressionCriterion,
    /// The deepest level grown. By default, `None` (no limit).
    pub max_depth: Option<usize>,
    /// The fewest rows a node needs to be split. By default, `2`.
    pub min_samples_split: usize,
    /// The fewest rows in a leaf. By default, `1`.
    pub min_samples_leaf: usize,
    /// Features searched per split. By default, all.
    pub max_features: MaxFeatures,
    /// Grow best first up to this many leaves. By default, `None` (depth first, no limit).
    pub max_leaf_nodes: Option<usize>,
    /// The least weighted impurity decrease a split must bring. By default, `0.0`.
    pub min_impurity_decrease: f64,
    /// Cost-complexity pruning strength. By default, `0.0` (no pruning).
    pub ccp_alpha: f64,
    /// Seed of the feature sampling (and of the binning subsample). By default, `0`.
    pub seed: u64,
    /// How splits are searched: exact thresholds, or histograms of binned features. By
    /// default, [`SplitSearch::Auto`], which is exact for regression (see [`SplitSearch`]).
    #[serde(default)]
    pub split_search: SplitSearch,
    /// How thresholds are chosen: the best of each sampled feature, or one drawn at random
    /// (extremely randomized trees). By default, [`Splitter::Best`].
    #[serde(default)]
    pub splitter: Splitter,
}

impl Default for DecisionTreeRegressor {
    fn default() -> Self {
        Self {
            criterion: RegressionCriterion::SquaredError,
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: MaxFeatures::All,
            max_leaf_nodes: None,
            min_impurity_decrease: 0.0,
            ccp_alpha: 0.0,
            seed: kiln_core::random::DEFAULT_SEED,
            split_search: SplitSearch::Auto,
            splitter: Splitter::Best,
        }
    }
}

impl DecisionTreeRegressor {
    /// Sets `criterion` (by default, squared error).
    #[must_use]
    pub fn with_criterion(mut self, criterion: RegressionCriterion) -> Self {
        self.criterion = criterion;
        self
    }

    crate::tree::params::growth_setters!();

    /// Sets `ccp_alpha` (by default, `0.0`).
    #[must_use]
    pub fn with_ccp_alpha(mut self, ccp_alpha: f64) -> Self {
        self.ccp_alpha = ccp_alpha;
        self
    }

    /// Sets `split_search` (by default, [`SplitSearch::Auto`]).
    #[must_use]
    pub fn with_split_search(mut self, split_search: SplitSearch) -> Self {
        self.split_search = split_search;
        self
    }

    /// Sets `splitter` (by default, [`Splitter::Best`]).
    #[must_use]
    pub fn with_splitter(mut self, splitter: Splitter) -> Self {
        self.splitter = splitter;
        self
    }

    fn growth(&self) -> Growth {
        Growth {
            max_depth: self.max_depth,
            min_samples_split: self.min_samples_split,
            min_samples_leaf: self.min_samples_leaf,
            max_features: self.max_features,
            max_leaf_nodes: self.max_leaf_nodes,
            min_impurity_decrease: self.min_impurity_decrease,
            ccp_alpha: self.ccp_alpha,
            seed: self.seed,
            split_search: self.split_search,
            splitter: self.splitter,
        }
    }

    fn prepare(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<(Vec<f64>, Vec<f64>)> {
        self.validate()?;
        check::check_fit_xy(x, y.len(), NanPolicy::AllowMissing)?;
        check::check_finite_1d(y, "y")?;
        // The squared-error criterion sums y²: past ~1e151 it overflows (found by probing:
        // y of 1e306 gave -inf predictions).
        check::check_squares_fit(y, "y")?;
        check::check_sample_weight(sample_weight, y.len())?;
        let weights = match sample_weight {
            Some(w) => w.to_vec(),
            None => vec![1.0; y.len()],
        };
        Ok((y.to_vec(), weights))
    }

    /// The minimal cost-complexity pruning path of the tree these params grow on `x`, `y`
    /// (with `ccp_alpha` ignored), as scikit-learn's `cost_complexity_pruning_path`.
    ///
    /// # Errors
    /// As [`Fit::fit_weighted`].
    pub fn cost_complexity_pruning_path(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<CcpPath> {
        let (y, weights) = self.prepare(x, y, sample_weight)?;
        let target = TargetData::Values { y: &y };
        let steps = pruning_path(
            Self::NAME,
            &self.growth(),
            x,
            &weights,
            target,
            Impurity::SquaredError,
        )?;
        Ok(CcpPath {
            ccp_alphas: Array1::from(steps.alphas),
            impurities: Array1::from(steps.impurities),
        })
    }
}

impl Params for DecisionTreeRegressor {
    const NAME: &'static str = "DecisionTreeRegressor";

    fn validate(&self) -> Result<()> {
        self.growth().validate(Self::NAME)
    }
}

impl Fit for DecisionTreeRegressor {
    type Target = f64;
    type Fitted = FittedDecisionTreeRegressor;

    fn fit_weighted(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedDecisionTreeRegressor> {
        let (y, weights) = self.prepare(x, y, sample_weight)?;
        let target = TargetData::Values { y: &y };
        let tree = fit_tree(
            Self::NAME,
            &self.growth(),
            x,
            &weights,
            target,
            Impurity::SquaredError,
        )?;
        let feature_importances = tree.feature_importances(x.ncols());
        Ok(FittedDecisionTreeRegressor {
            params: self.clone(),
            n_features: x.ncols(),
            tree,
            feature_importances,
        })
    }
}

/// A fitted [`DecisionTreeRegressor`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedDecisionTreeRegressor {
    params: DecisionTreeRegressor,
    n_features: usize,
    tree: Tree,
    feature_importances: Array1<f64>,
}

impl FittedDecisionTreeRegressor {
    /// The params it was fitted with.
    pub fn params(&self) -> &DecisionTreeRegressor {
        &self.params
    }

    /// The tree structure (scikit-learn's `tree_`); node values are weighted means.
    pub fn tree(&self) -> &Tree {
        &self.tree
    }

    /// Impurity-based importances (mean decrease in impurity), summing to 1 unless the tree is
    /// a single leaf (then all 0), as scikit-learn's `feature_importances_`.
    pub fn feature_importances(&self) -> &Array1<f64> {
        &self.feature_importances
    }

    /// The depth of the tree (0 for a single leaf).
    pub fn depth(&self) -> usize {
        self.tree.depth()
    }

    /// The number of leaves.
    pub fn n_leaves(&self) -> usize {
        self.tree.n_leaves()
    }

    /// The index (into [`FittedDecisionTreeRegressor::tree`]) of the leaf each row reaches.
    ///
    /// # Errors
    /// As [`Predict::predict`].
    pub fn apply(&self, x: ArrayView2<'_, f64>) -> Result<Array1<usize>> {
        self.check_x(x)?;
        Ok(self.tree.apply(x))
    }

    /// The nodes each row passes through, root to leaf.
    ///
    /// # Errors
    /// As [`Predict::predict`].
    pub fn decision_path(&self, x: ArrayView2<'_, f64>) -> Result<DecisionPath> {
        self.check_x(x)?;
        Ok(DecisionPath::of(&self.tree, x))
    }

    /// The decision rules as indented text (scikit-learn's `export_text` layout).
    pub fn export_text(&self, options: &ExportOptions) -> String {
        export::text(&self.tree, options, &Leaf::Value)
    }

    /// The tree in Graphviz DOT (scikit-learn's `export_graphviz` layout, without colours).
    pub fn export_graphviz(&self, options: &ExportOptions) -> String {
        export::dot(&self.tree, options, &Leaf::Value, "squared_error")
    }

    fn check_x(&self, x: ArrayView2<'_, f64>) -> Result<()> {
        check::check_predict_x(
            DecisionTreeRegressor::NAME,
            self.n_features,
            x,
            NanPolicy::AllowMissing,
        )
    }
}

impl Fitted for FittedDecisionTreeRegressor {
    fn n_features_in(&self) -> usize {
        self.n_features
    }
}

impl Predict for FittedDecisionTreeRegressor {
    type Output = f64;

    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        self.check_x(x)?;
        Ok(self.tree.apply(x).mapv(|leaf| self.tree.values[leaf]))
    }
}

impl Persist for FittedDecisionTreeRegressor {
    const KIND: &'static str = "kiln_tree::DecisionTreeRegressor";
    type Params = DecisionTreeRegressor;

    fn params(&self) -> &DecisionTreeRegressor {
        &self.params
    }

    fn feature_schema(&self) -> FeatureSchema {
        FeatureSchema::new(self.n_features)
    }

    fn check_loaded(&self) -> Result<()> {
        self.tree.check_structure(self.n_features, 1)
    }
}

#[cfg(test)]
mod tests {
    use super::super::nodes::LEAF;
    use super::*;
    use kiln_core::{Error, persist};
    use ndarray::array;

    fn fitted() -> FittedDecisionTreeRegressor {
        let x = array![[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 0.0]];
        let y = array![0.0, 0.0, 1.0, 1.0];
        DecisionTreeRegressor::default()
            .fit(x.view(), y.view())
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// A payload that decodes but was not written by kiln (edited, then given a new checksum)
    /// must fail at load, not panic or loop at predict (found by adversarial probing).
    #[test]
    fn an_inconsistent_tree_fails_to_load() {
        let good = fitted();
        assert!(good.tree.nodes.len() >= 3);
        let edits: [fn(&mut FittedDecisionTreeRegressor); 5] = [
            |m| m.tree.nodes[0].left = 999,
            |m| m.tree.nodes[0].left = 0,
            |m| m.tree.nodes[0].feature = 7,
            |m| m.tree.values.clear(),
            |m| m.tree.nodes[0].right = LEAF,
        ];
        for (k, edit) in edits.iter().enumerate() {
            let mut bad = good.clone();
            edit(&mut bad);
            let bytes = persist::to_bytes(&bad).unwrap_or_else(|e| panic!("{e}"));
            let err = persist::from_bytes::<FittedDecisionTreeRegressor>(&bytes)
                .map(|_| ())
                .unwrap_err();
            assert!(matches!(err, Error::ModelFormat { .. }), "edit {k}: {err}");
        }
        let bytes = persist::to_bytes(&good).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            persist::from_bytes::<FittedDecisionTreeRegressor>(&bytes).ok(),
            Some(good)
        );
    }
}
