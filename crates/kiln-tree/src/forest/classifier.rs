//! [`RandomForestClassifier`]: bagged classification trees with per-split feature sampling.

use std::collections::BTreeMap;

use kiln_core::check::{self, NanPolicy};
use kiln_core::persist::{FeatureSchema, Persist};
use kiln_core::{Error, Fit, Fitted, Params, Predict, PredictProba, Result};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::{
    FlatCache, ForestParams, MaxSamples, Settings, SplitSearch, grow_forest, mean_importances,
    mean_leaf_values, oob_sums,
};
use crate::tree::criterion::{Impurity, TargetData};
use crate::tree::{ClassificationCriterion, MaxFeatures, Tree};

/// Weights per class of a [`RandomForestClassifier`] (scikit-learn's `class_weight`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub enum ForestClassWeight {
    /// Every class weighs 1 (the default).
    #[default]
    None,
    /// `n_samples / (n_classes · count_k)`, from the unweighted class counts of `y`.
    Balanced,
    /// As `Balanced`, but computed for each tree from the class counts of its bootstrap
    /// sample (draws counted with multiplicity); the same as `Balanced` without bootstrap.
    BalancedSubsample,
    /// The weight of each listed class index; classes not listed weigh 1.
    Given(BTreeMap<usize, f64>),
}

/// A random forest classifier (Breiman 2001), as scikit-learn's `RandomForestClassifier`:
/// `n_estimators` CART trees, each grown on a bootstrap sample with `max_features` features
/// drawn at every split; probabilities are the mean of the trees' leaf class fractions.
///
/// # Parameters
/// - `n_estimators` (default `100`): the number of trees.
/// - `criterion` (default [`ClassificationCriterion::Gini`]): Gini or entropy.
/// - `max_depth` (default `None`): the deepest level grown.
/// - `min_samples_split` (default `2`): a node with fewer rows is a leaf (rows, not draws).
/// - `min_samples_leaf` (default `1`): every leaf keeps at least this many rows.
/// - `max_features` (default [`MaxFeatures::Sqrt`]): features searched per split.
/// - `max_leaf_nodes` (default `None`): when set, each tree grows best first to this many leaves.
/// - `min_impurity_decrease` (default `0.0`): the least weighted impurity decrease of a split.
/// - `bootstrap` (default `true`): grow each tree on a bootstrap sample; otherwise on all rows.
/// - `max_samples` (default [`MaxSamples::All`]): draws per bootstrap sample.
/// - `oob_score` (default `false`): compute the out-of-bag accuracy at fit.
/// - `class_weight` (default [`ForestClassWeight::None`]): multiplied into the sample weights.
/// - `seed` (default `0`): drives the bootstrap samples and the feature sampling.
/// - `split_search` (default [`SplitSearch::Auto`]): exact thresholds, or histograms of
///   binned features (the default from [`crate::forest::HISTOGRAM_ROWS`] rows; see
///   [`SplitSearch`]).
///
/// # Fitted attributes
/// [`FittedRandomForestClassifier::classes`] (through [`PredictProba`]),
/// [`FittedRandomForestClassifier::trees`], [`FittedRandomForestClassifier::feature_importances`]
/// and [`FittedRandomForestClassifier::oob_score`].
///
/// # Errors
/// `fit` returns [`kiln_core::Error::InvalidParameter`] for a parameter out of range
/// (`n_estimators` 0, `max_samples` outside `[1, n_samples]` or `(0, 1]`, `max_samples` or
/// `oob_score` without bootstrap, `max_features` above the number of features, and the tree
/// parameters' ranges), [`kiln_core::Error::EmptyInput`], [`kiln_core::Error::NonFinite`] for
/// infinite values in `X`, and the sample-weight errors of `kiln_core::check`. Prediction
/// rejects a different feature count and infinite values.
///
/// # Notes
/// - A bootstrap sample is drawn as multiplicities: a row drawn `k` times gets weight
///   `k ×` its sample weight, as scikit-learn does; `min_samples_*` count distinct rows.
/// - Tree `i` draws its sample and its feature-sampling seed from
///   `task_rng(seed, i)`; trees are grown in parallel and kept in order, so the forest is
///   identical for a seed on any number of threads. It is not the same forest as
///   scikit-learn's for the same number (different generators).
/// - Missing values (NaN) are handled by each tree as in
///   [`DecisionTreeClassifier`](crate::DecisionTreeClassifier).
/// - The OOB score is the accuracy, over the rows that were out of bag for at least one
///   tree, of the arg-max of the mean OOB probabilities (scikit-learn counts rows never out
///   of bag as predicting the first class, with a warning). It is `None` when no row was
///   ever out of bag.
/// - If every drawn row of a bootstrap sample has weight 0, that tree is grown on all rows
///   of positive weight.
///
/// # References
/// - Breiman (2001). Random forests. *Machine Learning* 45, 5–32.
/// - Breiman (1996). Out-of-bag estimation. Technical report, UC Berkeley.
///
/// # Example
/// ```
/// use kiln_core::{Fit, Predict, PredictProba};
/// use kiln_datasets::Dataset;
/// use kiln_tree::RandomForestClassifier;
///
/// let cancer = Dataset::BreastCancer.load_numeric()?;
/// let y = cancer.target.class_indices().ok_or("a classification set")?;
/// let forest = RandomForestClassifier::default()
///     .with_n_estimators(20)
///     .with_oob_score(true)
///     .with_seed(7)
///     .fit(cancer.x.view(), y.view())?;
/// assert_eq!(forest.trees().len(), 20);
/// assert!((forest.feature_importances().sum() - 1.0).abs() < 1e-12);
/// assert!(forest.oob_score().ok_or("oob score")? > 0.9);
/// let p = forest.predict_proba(cancer.x.view())?;
/// assert_eq!(p.ncols(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RandomForestClassifier {
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
    /// Features searched per split. By default, `sqrt(n_features)`.
    pub max_features: MaxFeatures,
    /// Grow best first up to this many leaves. By default, `None`.
    pub max_leaf_nodes: Option<usize>,
    /// The least weighted impurity decrease a split must bring. By default, `0.0`.
    pub min_impurity_decrease: f64,
    /// Grow each tree on a bootstrap sample. By default, `true`.
    pub bootstrap: bool,
    /// Draws per bootstrap sample. By default, as many as rows.
    pub max_samples: MaxSamples,
    /// Compute the out-of-bag accuracy. By default, `false`.
    pub oob_score: bool,
    /// Per-class weights. By default, none.
    pub class_weight: ForestClassWeight,
    /// Seed of the bootstrap samples and feature sampling. By default, `0`.
    pub seed: u64,
    /// How splits are searched: exact thresholds, or histograms of binned features. By
    /// default, [`SplitSearch::Auto`]: histograms from [`crate::forest::HISTOGRAM_ROWS`] rows.
    #[serde(default)]
    pub split_search: SplitSearch,
}

impl Default for RandomForestClassifier {
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
            bootstrap: true,
            max_samples: MaxSamples::All,
            oob_score: false,
            class_weight: ForestClassWeight::None,
            seed: kiln_core::random::DEFAULT_SEED,
            split_search: SplitSearch::Auto,
        }
    }
}

impl RandomForestClassifier {
    super::forest_setters!();

    /// Sets `criterion` (by default, Gini).
    #[must_use]
    pub fn with_criterion(mut self, criterion: ClassificationCriterion) -> Self {
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

    /// Sets `class_weight` (by default, none).
    #[must_use]
    pub fn with_class_weight(mut self, class_weight: ForestClassWeight) -> Self {
        self.class_weight = class_weight;
        self
    }

    fn settings(&self) -> Settings {
        super::forest_settings!(self, self.split_search, crate::tree::Splitter::Best)
    }
}

impl Params for RandomForestClassifier {
    const NAME: &'static str = "RandomForestClassifier";

    fn validate(&self) -> Result<()> {
        validate_classifier(Self::NAME, &self.settings(), &self.class_weight)
    }
}

impl Fit for RandomForestClassifier {
    type Target = usize;
    type Fitted = FittedRandomForestClassifier;

    fn fit_weighted(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, usize>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedRandomForestClassifier> {
        let shared = Shared {
            settings: self.settings(),
            criterion: self.criterion,
            class_weight: &self.class_weight,
        };
        fit_classifier(self, &shared, x, y, sample_weight)
    }
}

impl ForestParams for RandomForestClassifier {
    const KIND: &'static str = "kiln_tree::RandomForestClassifier";
}

/// What the classification forests' fits share.
pub(crate) struct Shared<'a> {
    pub(crate) settings: Settings,
    pub(crate) criterion: ClassificationCriterion,
    pub(crate) class_weight: &'a ForestClassWeight,
}

/// Checks the settings and the class weights of a classification forest.
pub(crate) fn validate_classifier(
    name: &str,
    settings: &Settings,
    class_weight: &ForestClassWeight,
) -> Result<()> {
    settings.validate(name)?;
    if let ForestClassWeight::Given(map) = class_weight {
        for (&class, &w) in map {
            if !(w.is_finite() && w >= 0.0) {
                return Err(Error::invalid_param(
                    name,
                    "class_weight",
                    format!("must hold finite non-negative weights; got {w} for class {class}"),
                ));
            }
        }
    }
    Ok(())
}

/// The weight of each class in `classes` (with their counts in `y`); `balanced_subsample`
/// with bootstrap is applied per tree instead, so it gives 1 here.
fn class_weights(
    cw: &ForestClassWeight,
    bootstrap: bool,
    classes: &[usize],
    counts: &[usize],
) -> Vec<f64> {
    match cw {
        ForestClassWeight::None => vec![1.0; classes.len()],
        ForestClassWeight::BalancedSubsample if bootstrap => vec![1.0; classes.len()],
        ForestClassWeight::Balanced | ForestClassWeight::BalancedSubsample => {
            let n: usize = counts.iter().sum();
            let k = classes.len() as f64;
            counts.iter().map(|&c| n as f64 / (k * c as f64)).collect()
        }
        ForestClassWeight::Given(map) => classes
            .iter()
            .map(|c| map.get(c).copied().unwrap_or(1.0))
            .collect(),
    }
}

/// Fits a classification forest with parameters `params` (kept in the model) and their
/// resolved form `shared`.
pub(crate) fn fit_classifier<P: ForestParams>(
    params: &P,
    shared: &Shared<'_>,
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, usize>,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<FittedForestClassifier<P>> {
    params.validate()?;
    let settings = &shared.settings;
    check::check_fit_xy(x, y.len(), NanPolicy::AllowMissing)?;
    check::check_sample_weight(sample_weight, y.len())?;
    let counts = check::check_class_indices(P::NAME, y, false)?;
    let classes = counts.classes;
    let k = classes.len();
    let codes: Vec<u32> = y
        .iter()
        .map(|c| classes.binary_search(c).unwrap_or(0) as u32)
        .collect();
    let cw = class_weights(
        shared.class_weight,
        settings.bootstrap,
        &classes,
        &counts.counts,
    );
    let weights: Vec<f64> = codes
        .iter()
        .enumerate()
        .map(|(i, &c)| sample_weight.map_or(1.0, |w| w[i]) * cw[c as usize])
        .collect();
    // balanced_subsample: class weights from the class counts of each bootstrap sample.
    let subsample = |draws: &[u32], w: &mut [f64]| {
        let mut per_class = vec![0u64; k];
        for (&c, &d) in codes.iter().zip(draws) {
            per_class[c as usize] += u64::from(d);
        }
        let n_sub: u64 = per_class.iter().sum();
        let present = per_class.iter().filter(|&&c| c > 0).count() as f64;
        for (wi, &c) in w.iter_mut().zip(&codes) {
            let m = per_class[c as usize];
            if m > 0 {
                *wi *= n_sub as f64 / (present * m as f64);
            }
        }
    };
    let reweigh = (settings.bootstrap
        && *shared.class_weight == ForestClassWeight::BalancedSubsample)
        .then_some(&subsample as &(dyn Fn(&[u32], &mut [f64]) + Sync));
    let target = TargetData::Classes {
        codes: &codes,
        n_classes: k,
    };
    let kind = match shared.criterion {
        ClassificationCriterion::Gini => Impurity::Gini,
        ClassificationCriterion::Entropy => Impurity::Entropy,
    };
    let grown = grow_forest(P::NAME, settings, x, &weights, target, kind, reweigh)?;
    let oob_score = if settings.oob_score {
        let (sums, n_oob) = oob_sums(&grown, x, k);
        let (mut hits, mut total) = (0usize, 0usize);
        for ((row, &m), &c) in sums.chunks_exact(k).zip(&n_oob).zip(&codes) {
            if m > 0 {
                total += 1;
                hits += usize::from(arg_max(row) == c as usize);
            }
        }
        (total > 0).then(|| hits as f64 / total as f64)
    } else {
        None
    };
    let trees: Vec<Tree> = grown.into_iter().map(|g| g.tree).collect();
    let feature_importances = mean_importances(&trees, x.ncols());
    Ok(FittedForestClassifier {
        params: params.clone(),
        n_features: x.ncols(),
        classes,
        trees,
        feature_importances,
        oob_score,
        flat: FlatCache::default(),
    })
}

/// The first index of the largest value (ties go to the lowest index).
fn arg_max(v: &[f64]) -> usize {
    let mut best = 0;
    for (j, &p) in v.iter().enumerate() {
        if p > v[best] {
            best = j;
        }
    }
    best
}

/// A fitted [`RandomForestClassifier`].
pub type FittedRandomForestClassifier = FittedForestClassifier<RandomForestClassifier>;

/// A fitted classification forest: [`FittedRandomForestClassifier`] or
/// [`FittedExtraTreesClassifier`](super::FittedExtraTreesClassifier), by its parameter type `P`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedForestClassifier<P> {
    params: P,
    n_features: usize,
    classes: Vec<usize>,
    trees: Vec<Tree>,
    feature_importances: Array1<f64>,
    oob_score: Option<f64>,
    /// The trees flattened for prediction (built by the first prediction; not saved).
    #[serde(skip)]
    flat: FlatCache,
}

impl<P: ForestParams> FittedForestClassifier<P> {
    /// The params it was fitted with.
    pub fn params(&self) -> &P {
        &self.params
    }

    /// The trees (scikit-learn's `estimators_[i].tree_`), in order; node values are class
    /// fractions in the order of [`PredictProba::classes`].
    pub fn trees(&self) -> &[Tree] {
        &self.trees
    }

    /// The mean of the trees' impurity-based importances, renormalized to sum to 1 (all 0 when
    /// every tree is a single leaf), as scikit-learn's `feature_importances_`.
    pub fn feature_importances(&self) -> &Array1<f64> {
        &self.feature_importances
    }

    /// The out-of-bag accuracy (scikit-learn's `oob_score_`); `None` unless `oob_score` was
    /// set, or when no row was ever out of bag.
    pub fn oob_score(&self) -> Option<f64> {
        self.oob_score
    }

    fn check_x(&self, x: ArrayView2<'_, f64>) -> Result<()> {
        check::check_predict_x(P::NAME, self.n_features, x, NanPolicy::AllowMissing)
    }

    fn mean_proba(&self, x: ArrayView2<'_, f64>) -> Vec<f64> {
        mean_leaf_values(&self.trees, &self.flat, x, self.classes.len())
    }
}

impl<P: ForestParams> Fitted for FittedForestClassifier<P> {
    fn n_features_in(&self) -> usize {
        self.n_features
    }
}

impl<P: ForestParams> Predict for FittedForestClassifier<P> {
    type Output = usize;

    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<usize>> {
        self.check_x(x)?;
        let p = self.mean_proba(x);
        Ok(p.chunks_exact(self.classes.len())
            .map(|row| self.classes[arg_max(row)])
            .collect())
    }
}

impl<P: ForestParams> PredictProba for FittedForestClassifier<P> {
    fn classes(&self) -> &[usize] {
        &self.classes
    }

    fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        self.check_x(x)?;
        let p = self.mean_proba(x);
        Array2::from_shape_vec((x.nrows(), self.classes.len()), p).map_err(|e| {
            Error::ShapeMismatch {
                what: format!("probabilities of {} ({e})", P::NAME),
                expected: x.nrows() * self.classes.len(),
                got: 0,
            }
        })
    }
}

impl<P: ForestParams> Persist for FittedForestClassifier<P> {
    const KIND: &'static str = P::KIND;
    type Params = P;

    fn params(&self) -> &P {
        &self.params
    }

    fn feature_schema(&self) -> FeatureSchema {
        FeatureSchema::new(self.n_features)
    }

    fn check_loaded(&self) -> Result<()> {
        let k = self.classes.len();
        self.trees
            .iter()
            .try_for_each(|t| t.check_structure(self.n_features, k))
    }
}
