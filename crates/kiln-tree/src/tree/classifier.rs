//! [`DecisionTreeClassifier`]: a CART classification tree.

use kiln_core::check::{self, NanPolicy};
use kiln_core::persist::{FeatureSchema, Persist};
use kiln_core::{Fit, Fitted, Params, Predict, PredictProba, Result};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::CcpPath;
use super::criterion::{Impurity, TargetData};
use super::export::{self, ExportOptions, Leaf};
use super::fit::{fit_tree, pruning_path};
use super::nodes::{DecisionPath, Tree};
use super::params::{
    ClassWeight, ClassificationCriterion, Growth, MaxFeatures, SplitSearch, Splitter,
    check_class_weight,
};

/// A decision tree classifier grown by exact greedy splitting (CART, Breiman et al. 1984), as
/// scikit-learn's `DecisionTreeClassifier`.
///
/// # Parameters
/// - `criterion` (default [`ClassificationCriterion::Gini`]): Gini or entropy.
/// - `max_depth` (default `None`): the deepest level grown; `None` grows until leaves are pure
///   or too small.
/// - `min_samples_split` (default `2`): a node with fewer rows is a leaf.
/// - `min_samples_leaf` (default `1`): every leaf keeps at least this many rows.
/// - `max_features` (default [`MaxFeatures::All`]): features searched per split, drawn anew at
///   every split from the `seed`.
/// - `max_leaf_nodes` (default `None`): when set, the tree grows best first (the split that
///   decreases impurity most is made next) until it has this many leaves.
/// - `min_impurity_decrease` (default `0.0`): a split must decrease the weighted impurity
///   `w_t / w · (impurity − w_l / w_t · impurity_l − w_r / w_t · impurity_r)` by at least this.
/// - `ccp_alpha` (default `0.0`): minimal cost-complexity pruning; every subtree whose
///   effective alpha is at most this is pruned after growth.
/// - `class_weight` (default [`ClassWeight::None`]): multiplied into the sample weights.
/// - `seed` (default `0`): drives feature sampling when `max_features` is not `All`, and the
///   thresholds of `Splitter::Random`.
/// - `split_search` (default [`SplitSearch::Auto`]): exact thresholds between sorted values,
///   or histograms of binned features (the default from [`crate::tree::HISTOGRAM_ROWS`] rows).
/// - `splitter` (default [`Splitter::Best`]): the best threshold of each searched feature, or
///   ([`Splitter::Random`]) one threshold drawn at random per feature, as one tree of an
///   [`ExtraTreesClassifier`](crate::ExtraTreesClassifier) (`split_search` then does not apply).
///
/// # Fitted attributes
/// [`FittedDecisionTreeClassifier::classes`], [`FittedDecisionTreeClassifier::tree`] (nodes,
/// thresholds, values, impurities), [`FittedDecisionTreeClassifier::feature_importances`],
/// [`FittedDecisionTreeClassifier::depth`] and [`FittedDecisionTreeClassifier::n_leaves`].
///
/// # Errors
/// `fit` returns [`kiln_core::Error::InvalidParameter`] for a parameter out of range (including
/// `max_features` above the number of features), [`kiln_core::Error::EmptyInput`],
/// [`kiln_core::Error::NonFinite`] for infinite values in `X`, and the sample-weight errors of
/// `kiln_core::check`. Prediction rejects a different feature count and infinite values.
///
/// # Notes
/// - **Missing values** (NaN in `X`) are handled natively: during the search each threshold is
///   tried with the missing rows on either side, and the split remembers the better side;
///   a split on a feature without missing values at fit sends NaN at predict to the child that
///   had more training rows (scikit-learn ≥ 1.3's best splitter). A column that is entirely
///   NaN is never split on.
/// - **Thresholds** are midpoints between consecutive distinct values (values closer than
///   1e-7 count as equal); a row goes left when `x <= threshold`.
/// - **Ties.** Equally good splits are resolved deterministically: the lowest feature index,
///   then the lowest threshold. scikit-learn visits features in a random order even with
///   all features, so the two trees coincide exactly only when there are no ties.
/// - **Weights.** Rows of weight 0 are removed before growing (scikit-learn keeps them in
///   its sample counts); `min_samples_split` and `min_samples_leaf` count rows, not weight.
///   Classes whose rows all have weight 0 remain in [`PredictProba::classes`] with
///   probability 0.
/// - **One class.** A target with a single class (or a single class with positive weight)
///   gives a one-leaf tree that predicts it, as scikit-learn does.
/// - Classes may be any class indices (gaps allowed); `predict_proba` columns follow the
///   sorted classes.
/// - The split search is exact on features sorted once and partitioned stably down the tree;
///   large nodes search features in parallel with a fixed reduction, so results do not
///   depend on the number of threads.
///
/// # References
/// - Breiman, Friedman, Olshen & Stone (1984). *Classification and Regression Trees*.
/// - Mehta, Agrawal & Rissanen (1996). SLIQ: A fast scalable classifier for data mining.
///
/// # Example
/// ```
/// use kiln_core::{Fit, Predict, PredictProba};
/// use kiln_tree::DecisionTreeClassifier;
/// use ndarray::array;
///
/// let x = array![[0.0, 1.0], [1.0, 1.0], [2.0, 0.0], [3.0, 0.0]];
/// let y = array![0usize, 0, 1, 1];
/// let tree = DecisionTreeClassifier::default().with_max_depth(Some(2)).fit(x.view(), y.view())?;
/// assert_eq!(tree.predict(x.view())?.to_vec(), vec![0, 0, 1, 1]);
/// // Both features separate the classes equally well: the lowest index wins the tie.
/// assert_eq!(tree.tree().split(0), Some((0, 1.5, false)));
/// assert_eq!(tree.predict_proba(array![[f64::NAN, 0.0]].view())?.row(0).to_vec(), vec![0.0, 1.0]);
/// println!("{}", tree.export_text(&Default::default()));
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionTreeClassifier {
    /// The split-quality measure. By default, Gini.
    pub criterion: ClassificationCriterion,
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
    /// Per-class weights. By default, none.
    pub class_weight: ClassWeight,
    /// Seed of the feature sampling (and of the binning subsample). By default, `0`.
    pub seed: u64,
    /// How splits are searched: exact thresholds, or histograms of binned features. By
    /// default, [`SplitSearch::Auto`]: histograms from [`crate::tree::HISTOGRAM_ROWS`] rows.
    #[serde(default)]
    pub split_search: SplitSearch,
    /// How thresholds are chosen: the best of each sampled feature, or one drawn at random
    /// (extremely randomized trees). By default, [`Splitter::Best`].
    #[serde(default)]
    pub splitter: Splitter,
}

impl Default for DecisionTreeClassifier {
    fn default() -> Self {
        Self {
            criterion: ClassificationCriterion::Gini,
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: MaxFeatures::All,
            max_leaf_nodes: None,
            min_impurity_decrease: 0.0,
            ccp_alpha: 0.0,
            class_weight: ClassWeight::None,
            seed: kiln_core::random::DEFAULT_SEED,
            split_search: SplitSearch::Auto,
            splitter: Splitter::Best,
        }
    }
}

impl DecisionTreeClassifier {
    /// Sets `criterion` (by default, Gini).
    #[must_use]
    pub fn with_criterion(mut self, criterion: ClassificationCriterion) -> Self {
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

    /// Sets `class_weight` (by default, none).
    #[must_use]
    pub fn with_class_weight(mut self, class_weight: ClassWeight) -> Self {
        self.class_weight = class_weight;
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

    fn impurity(&self) -> Impurity {
        match self.criterion {
            ClassificationCriterion::Gini => Impurity::Gini,
            ClassificationCriterion::Entropy => Impurity::Entropy,
        }
    }

    /// Checks the inputs and returns (classes, dense codes, final weights).
    fn prepare(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, usize>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<(Vec<usize>, Vec<u32>, Vec<f64>)> {
        self.validate()?;
        check::check_fit_xy(x, y.len(), NanPolicy::AllowMissing)?;
        check::check_sample_weight(sample_weight, y.len())?;
        let counts = check::check_class_indices(Self::NAME, y, false)?;
        let classes = counts.classes;
        let codes: Vec<u32> = y
            .iter()
            .map(|c| classes.binary_search(c).unwrap_or(0) as u32)
            .collect();
        let cw = self.class_weight.per_class(&classes, &counts.counts);
        let weights: Vec<f64> = codes
            .iter()
            .enumerate()
            .map(|(i, &k)| sample_weight.map_or(1.0, |w| w[i]) * cw[k as usize])
            .collect();
        Ok((classes, codes, weights))
    }

    /// The minimal cost-complexity pruning path of the tree these params grow on `x`, `y`
    /// (with `ccp_alpha` ignored), as scikit-learn's `cost_complexity_pruning_path`: the
    /// effective alphas at which subtrees are pruned, starting at 0, and the total weighted
    /// leaf impurity of the tree pruned at each.
    ///
    /// # Errors
    /// As [`Fit::fit_weighted`].
    pub fn cost_complexity_pruning_path(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, usize>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<CcpPath> {
        let (classes, codes, weights) = self.prepare(x, y, sample_weight)?;
        let target = TargetData::Classes {
            codes: &codes,
            n_classes: classes.len(),
        };
        let steps = pruning_path(
            Self::NAME,
            &self.growth(),
            x,
            &weights,
            target,
            self.impurity(),
        )?;
        Ok(CcpPath {
            ccp_alphas: Array1::from(steps.alphas),
            impurities: Array1::from(steps.impurities),
        })
    }
}

impl Params for DecisionTreeClassifier {
    const NAME: &'static str = "DecisionTreeClassifier";

    fn validate(&self) -> Result<()> {
        self.growth().validate(Self::NAME)?;
        check_class_weight(Self::NAME, &self.class_weight)
    }
}

impl Fit for DecisionTreeClassifier {
    type Target = usize;
    type Fitted = FittedDecisionTreeClassifier;

    fn fit_weighted(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, usize>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedDecisionTreeClassifier> {
        let (classes, codes, weights) = self.prepare(x, y, sample_weight)?;
        let target = TargetData::Classes {
            codes: &codes,
            n_classes: classes.len(),
        };
        let tree = fit_tree(
            Self::NAME,
            &self.growth(),
            x,
            &weights,
            target,
            self.impurity(),
        )?;
        let feature_importances = tree.feature_importances(x.ncols());
        Ok(FittedDecisionTreeClassifier {
            params: self.clone(),
            n_features: x.ncols(),
            classes,
            tree,
            feature_importances,
        })
    }
}

/// A fitted [`DecisionTreeClassifier`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedDecisionTreeClassifier {
    params: DecisionTreeClassifier,
    n_features: usize,
    classes: Vec<usize>,
    tree: Tree,
    feature_importances: Array1<f64>,
}

impl FittedDecisionTreeClassifier {
    /// The params it was fitted with.
    pub fn params(&self) -> &DecisionTreeClassifier {
        &self.params
    }

    /// The tree structure (scikit-learn's `tree_`); node values are class fractions in the
    /// order of [`PredictProba::classes`].
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

    /// The index (into [`FittedDecisionTreeClassifier::tree`]) of the leaf each row reaches.
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
        export::text(&self.tree, options, &Leaf::Classes(&self.classes))
    }

    /// The tree in Graphviz DOT (scikit-learn's `export_graphviz` layout, without colours).
    pub fn export_graphviz(&self, options: &ExportOptions) -> String {
        let criterion = match self.params.criterion {
            ClassificationCriterion::Gini => "gini",
            ClassificationCriterion::Entropy => "entropy",
        };
        export::dot(
            &self.tree,
            options,
            &Leaf::Classes(&self.classes),
            criterion,
        )
    }

    fn check_x(&self, x: ArrayView2<'_, f64>) -> Result<()> {
        check::check_predict_x(
            DecisionTreeClassifier::NAME,
            self.n_features,
            x,
            NanPolicy::AllowMissing,
        )
    }
}

impl Fitted for FittedDecisionTreeClassifier {
    fn n_features_in(&self) -> usize {
        self.n_features
    }
}

impl Predict for FittedDecisionTreeClassifier {
    type Output = usize;

    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<usize>> {
        self.check_x(x)?;
        let k = self.classes.len();
        Ok(self.tree.apply(x).mapv(|leaf| {
            let v = &self.tree.values[leaf * k..leaf * k + k];
            let mut best = 0;
            for (j, &p) in v.iter().enumerate() {
                if p > v[best] {
                    best = j;
                }
            }
            self.classes[best]
        }))
    }
}

impl PredictProba for FittedDecisionTreeClassifier {
    fn classes(&self) -> &[usize] {
        &self.classes
    }

    fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        self.check_x(x)?;
        let k = self.classes.len();
        let leaves = self.tree.apply(x);
        let mut out = Array2::zeros((x.nrows(), k));
        for (mut row, &leaf) in out.outer_iter_mut().zip(leaves.iter()) {
            for (o, &v) in row
                .iter_mut()
                .zip(&self.tree.values[leaf * k..leaf * k + k])
            {
                *o = v;
            }
        }
        Ok(out)
    }
}

impl Persist for FittedDecisionTreeClassifier {
    const KIND: &'static str = "kiln_tree::DecisionTreeClassifier";
    type Params = DecisionTreeClassifier;

    fn params(&self) -> &DecisionTreeClassifier {
        &self.params
    }

    fn feature_schema(&self) -> FeatureSchema {
        FeatureSchema::new(self.n_features)
    }

    fn check_loaded(&self) -> Result<()> {
        self.tree
            .check_structure(self.n_features, self.classes.len())
    }
}
