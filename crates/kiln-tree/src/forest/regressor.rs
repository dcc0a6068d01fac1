//! [`RandomForestRegressor`]: bagged regression trees with per-split feature sampling.

use kiln_core::check::{self, NanPolicy};
use kiln_core::persist::{FeatureSchema, Persist};
use kiln_core::{Fit, Fitted, Params, Predict, Result};
use ndarray::{Array1, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::{
    FlatCache, ForestParams, MaxSamples, Settings, SplitSearch, grow_forest, mean_importances,
    mean_leaf_values, oob_sums,
};
use crate::tree::criterion::{Impurity, TargetData};
use crate::tree::{MaxFeatures, RegressionCriterion, Tree};

/// A random forest regressor (Breiman 2001), as scikit-learn's `RandomForestRegressor`:
/// `n_estimators` CART regression trees, each grown on a bootstrap sample; the prediction is
/// the mean of the trees' predictions.
///
/// # Parameters
/// - `n_estimators` (default `100`): the number of trees.
/// - `criterion` (default [`RegressionCriterion::SquaredError`]): the weighted variance.
/// - `max_depth` (default `None`): the deepest level grown.
/// - `min_samples_split` (default `2`): a node with fewer rows is a leaf (rows, not draws).
/// - `min_samples_leaf` (default `1`): every leaf keeps at least this many rows.
/// - `max_features` (default [`MaxFeatures::All`], scikit-learn's `1.0`): features searched
///   per split; with all features the trees differ only by their bootstrap samples (bagging).
/// - `max_leaf_nodes` (default `None`): when set, each tree grows best first to this many leaves.
/// - `min_impurity_decrease` (default `0.0`): the least weighted impurity decrease of a split.
/// - `bootstrap` (default `true`): grow each tree on a bootstrap sample; otherwise on all rows.
/// - `max_samples` (default [`MaxSamples::All`]): draws per bootstrap sample.
/// - `oob_score` (default `false`): compute the out-of-bag R² at fit.
/// - `seed` (default `0`): drives the bootstrap samples and the feature sampling.
/// - `split_search` (default [`SplitSearch::Auto`]): exact thresholds, or histograms of
///   binned features (`Auto` is exact for regression; see [`SplitSearch`]).
///
/// # Fitted attributes
/// [`FittedRandomForestRegressor::trees`], [`FittedRandomForestRegressor::feature_importances`]
/// and [`FittedRandomForestRegressor::oob_score`].
///
/// # Errors
/// As [`RandomForestClassifier`](super::RandomForestClassifier), plus
/// [`kiln_core::Error::NonFinite`] for a non-finite target.
///
/// # Notes
/// Bootstrap multiplicities, seeding, thread independence, missing values and zero-weight
/// samples behave as described for [`RandomForestClassifier`](super::RandomForestClassifier).
/// The OOB score is the R² of the mean OOB predictions over the rows that were out of bag
/// for at least one tree (`None` when there are none).
///
/// # References
/// Breiman (2001). Random forests. *Machine Learning* 45, 5–32.
///
/// # Example
/// ```
/// use kiln_core::{Fit, Predict};
/// use kiln_tree::RandomForestRegressor;
/// use ndarray::array;
///
/// let x = array![[1.0], [2.0], [3.0], [4.0], [5.0], [6.0]];
/// let y = array![1.0, 1.0, 1.0, 5.0, 5.0, 5.0];
/// let forest = RandomForestRegressor::default()
///     .with_n_estimators(10)
///     .with_bootstrap(false)
///     .fit(x.view(), y.view())?;
/// // Without bootstrap and with every feature, all trees are the same exact tree.
/// assert_eq!(forest.predict(array![[0.0], [9.0]].view())?.to_vec(), vec![1.0, 5.0]);
/// assert_eq!(forest.feature_importances().to_vec(), vec![1.0]);
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RandomForestRegressor {
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
    /// Features searched per split. By default, all.
    pub max_features: MaxFeatures,
    /// Grow best first up to this many leaves. By default, `None`.
    pub max_leaf_nodes: Option<usize>,
    /// The least weighted impurity decrease a split must bring. By default, `0.0`.
    pub min_impurity_decrease: f64,
    /// Grow each tree on a bootstrap sample. By default, `true`.
    pub bootstrap: bool,
    /// Draws per bootstrap sample. By default, as many as rows.
    pub max_samples: MaxSamples,
    /// Compute the out-of-bag R². By default, `false`.
    pub oob_score: bool,
    /// Seed of the bootstrap samples and feature sampling. By default, `0`.
    pub seed: u64,
    /// How splits are searched: exact thresholds, or histograms of binned features. By
    /// default, [`SplitSearch::Auto`], which is exact for regression (see [`SplitSearch`]).
    #[serde(default)]
    pub split_search: SplitSearch,
}

impl Default for RandomForestRegressor {
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
            bootstrap: true,
            max_samples: MaxSamples::All,
            oob_score: false,
            seed: kiln_core::random::DEFAULT_SEED,
            split_search: SplitSearch::Auto,
        }
    }
}

impl RandomForestRegressor {
    super::forest_setters!();

    /// Sets `criterion` (by default, squared error).
    #[must_use]
    pub fn with_criterion(mut self, criterion: RegressionCriterion) -> Self {
        self.criterion = criterion;
        self
    }

    crate::tree::params::growth_setters!();

    /// Sets `split_search` (by default, [`SplitSearch::Auto`]).
    #[must_use]
    pub fn with_split_search(mut self, split_search: SplitSearch) -> Self {
        self.split_search = split_search;
        self
    }

    fn settings(&self) -> Settings {
        super::forest_settings!(self, self.split_search, crate::tree::Splitter::Best)
    }
}

impl Params for RandomForestRegressor {
    const NAME: &'static str = "RandomForestRegressor";

    fn validate(&self) -> Result<()> {
        self.settings().validate(Self::NAME)
    }
}

impl Fit for RandomForestRegressor {
    type Target = f64;
    type Fitted = FittedRandomForestRegressor;

    fn fit_weighted(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedRandomForestRegressor> {
        fit_regressor(self, &self.settings(), x, y, sample_weight)
    }
}

impl ForestParams for RandomForestRegressor {
    const KIND: &'static str = "kiln_tree::RandomForestRegressor";
}

/// Fits a regression forest with parameters `params` (kept in the model) and their resolved
/// form `settings`.
pub(crate) fn fit_regressor<P: ForestParams>(
    params: &P,
    settings: &Settings,
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, f64>,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<FittedForestRegressor<P>> {
    params.validate()?;
    check::check_fit_xy(x, y.len(), NanPolicy::AllowMissing)?;
    check::check_finite_1d(y, "y")?;
    check::check_squares_fit(y, "y")?;
    check::check_sample_weight(sample_weight, y.len())?;
    let y: Vec<f64> = y.to_vec();
    let weights: Vec<f64> = match sample_weight {
        Some(w) => w.to_vec(),
        None => vec![1.0; y.len()],
    };
    let grown = grow_forest(
        P::NAME,
        settings,
        x,
        &weights,
        TargetData::Values { y: &y },
        Impurity::SquaredError,
        None,
    )?;
    let oob_score = if settings.oob_score {
        let (sums, n_oob) = oob_sums(&grown, x, 1);
        let pairs: Vec<(f64, f64)> = sums
            .iter()
            .zip(&n_oob)
            .zip(&y)
            .filter(|&((_, &m), _)| m > 0)
            .map(|((&s, &m), &t)| (t, s / f64::from(m)))
            .collect();
        r2(&pairs)
    } else {
        None
    };
    let trees: Vec<Tree> = grown.into_iter().map(|g| g.tree).collect();
    let feature_importances = mean_importances(&trees, x.ncols());
    Ok(FittedForestRegressor {
        params: params.clone(),
        n_features: x.ncols(),
        trees,
        feature_importances,
        oob_score,
        flat: FlatCache::default(),
    })
}

/// R² of (truth, prediction) pairs, as scikit-learn's `r2_score` (1 for a perfect fit of a
/// constant target, 0 for an imperfect one); `None` without pairs.
fn r2(pairs: &[(f64, f64)]) -> Option<f64> {
    if pairs.is_empty() {
        return None;
    }
    let mean = pairs.iter().map(|p| p.0).sum::<f64>() / pairs.len() as f64;
    let ss_tot: f64 = pairs.iter().map(|p| (p.0 - mean).powi(2)).sum();
    let ss_res: f64 = pairs.iter().map(|p| (p.0 - p.1).powi(2)).sum();
    Some(if ss_tot > 0.0 {
        1.0 - ss_res / ss_tot
    } else if ss_res == 0.0 {
        1.0
    } else {
        0.0
    })
}

/// A fitted [`RandomForestRegressor`].
pub type FittedRandomForestRegressor = FittedForestRegressor<RandomForestRegressor>;

/// A fitted regression forest: [`FittedRandomForestRegressor`] or
/// [`FittedExtraTreesRegressor`](super::FittedExtraTreesRegressor), by its parameter type `P`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedForestRegressor<P> {
    params: P,
    n_features: usize,
    trees: Vec<Tree>,
    feature_importances: Array1<f64>,
    oob_score: Option<f64>,
    /// The trees flattened for prediction (built by the first prediction; not saved).
    #[serde(skip)]
    flat: FlatCache,
}

impl<P: ForestParams> FittedForestRegressor<P> {
    /// The params it was fitted with.
    pub fn params(&self) -> &P {
        &self.params
    }

    /// The trees (scikit-learn's `estimators_[i].tree_`), in order.
    pub fn trees(&self) -> &[Tree] {
        &self.trees
    }

    /// The mean of the trees' impurity-based importances, renormalized to sum to 1 (all 0 when
    /// every tree is a single leaf), as scikit-learn's `feature_importances_`.
    pub fn feature_importances(&self) -> &Array1<f64> {
        &self.feature_importances
    }

    /// The out-of-bag R² (scikit-learn's `oob_score_`); `None` unless `oob_score` was set, or
    /// when no row was ever out of bag.
    pub fn oob_score(&self) -> Option<f64> {
        self.oob_score
    }
}

impl<P: ForestParams> Fitted for FittedForestRegressor<P> {
    fn n_features_in(&self) -> usize {
        self.n_features
    }
}

impl<P: ForestParams> Predict for FittedForestRegressor<P> {
    type Output = f64;

    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        check::check_predict_x(P::NAME, self.n_features, x, NanPolicy::AllowMissing)?;
        Ok(Array1::from(mean_leaf_values(
            &self.trees,
            &self.flat,
            x,
            1,
        )))
    }
}

impl<P: ForestParams> Persist for FittedForestRegressor<P> {
    const KIND: &'static str = P::KIND;
    type Params = P;

    fn params(&self) -> &P {
        &self.params
    }

    fn feature_schema(&self) -> FeatureSchema {
        FeatureSchema::new(self.n_features)
    }

    fn check_loaded(&self) -> Result<()> {
        self.trees
            .iter()
            .try_for_each(|t| t.check_structure(self.n_features, 1))
    }
}
