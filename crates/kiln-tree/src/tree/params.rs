//! Hyperparameter types shared by the tree estimators, and their checks.

use std::collections::BTreeMap;

use kiln_core::check::check_param;
use kiln_core::{Error, Result};
use serde::{Deserialize, Serialize};

use super::builder::GrowConfig;

/// The split-quality measure of a [`DecisionTreeClassifier`](super::DecisionTreeClassifier).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ClassificationCriterion {
    /// Gini impurity `1 − Σ p_k²` (scikit-learn's `"gini"`, the default).
    #[default]
    Gini,
    /// Shannon entropy `−Σ p_k log₂ p_k` (scikit-learn's `"entropy"` and `"log_loss"`).
    Entropy,
}

/// The split-quality measure of a [`DecisionTreeRegressor`](super::DecisionTreeRegressor).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum RegressionCriterion {
    /// The weighted variance of the target, i.e. mean squared error against the node mean
    /// (scikit-learn's `"squared_error"`, the default).
    #[default]
    SquaredError,
}

/// How many features each split searches (scikit-learn's `max_features`).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub enum MaxFeatures {
    /// Every feature (scikit-learn's `None`, the default for single trees).
    #[default]
    All,
    /// `max(1, floor(sqrt(n_features)))`.
    Sqrt,
    /// `max(1, floor(log2(n_features)))`.
    Log2,
    /// This many features, in `1..=n_features`.
    Count(usize),
    /// `max(1, floor(fraction · n_features))`, with the fraction in `(0, 1]`.
    Fraction(f64),
}

impl MaxFeatures {
    /// The number of features searched per split for `n_features` features.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a count above `n_features` (the other ranges are
    /// checked by `validate`).
    pub fn resolve(self, estimator: &str, n_features: usize) -> Result<usize> {
        let p = n_features as f64;
        let k = match self {
            MaxFeatures::All => n_features,
            MaxFeatures::Sqrt => p.sqrt().floor() as usize,
            MaxFeatures::Log2 => p.log2().floor() as usize,
            MaxFeatures::Fraction(f) => (f * p).floor() as usize,
            MaxFeatures::Count(c) => {
                check_param(
                    estimator,
                    "max_features",
                    c,
                    (1..=n_features).contains(&c),
                    &format!("an int in the range [1, n_features={n_features}]"),
                )?;
                c
            }
        };
        Ok(k.clamp(1, n_features.max(1)))
    }

    fn validate(self, estimator: &str) -> Result<()> {
        match self {
            MaxFeatures::Count(c) => check_param(
                estimator,
                "max_features",
                c,
                c >= 1,
                "an int in the range [1, n_features]",
            ),
            MaxFeatures::Fraction(f) => check_param(
                estimator,
                "max_features",
                f,
                f > 0.0 && f <= 1.0,
                "a float in the range (0.0, 1.0]",
            ),
            _ => Ok(()),
        }
    }
}

/// Weights per class, multiplied into the sample weights (scikit-learn's `class_weight`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub enum ClassWeight {
    /// Every class weighs 1 (the default).
    #[default]
    None,
    /// `n_samples / (n_classes · count_k)`, from the unweighted class counts of `y`.
    Balanced,
    /// The weight of each listed class index; classes not listed weigh 1.
    Given(BTreeMap<usize, f64>),
}

impl ClassWeight {
    fn validate(&self, estimator: &str) -> Result<()> {
        if let ClassWeight::Given(map) = self {
            for (&class, &w) in map {
                if !(w.is_finite() && w >= 0.0) {
                    return Err(Error::invalid_param(
                        estimator,
                        "class_weight",
                        format!("must hold finite non-negative weights; got {w} for class {class}"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The weight of each class in `classes` (sorted class indices with their counts).
    pub(crate) fn per_class(&self, classes: &[usize], counts: &[usize]) -> Vec<f64> {
        match self {
            ClassWeight::None => vec![1.0; classes.len()],
            ClassWeight::Balanced => {
                let n: usize = counts.iter().sum();
                let k = classes.len() as f64;
                counts.iter().map(|&c| n as f64 / (k * c as f64)).collect()
            }
            ClassWeight::Given(map) => classes
                .iter()
                .map(|c| map.get(c).copied().unwrap_or(1.0))
                .collect(),
        }
    }
}

/// From this many training rows, [`SplitSearch::Auto`] searches splits on histograms.
pub const HISTOGRAM_ROWS: usize = 20_000;

/// How a tree finds its splits (for a single tree and for every tree of a forest).
///
/// [`SplitSearch::Exact`] tries a threshold between every two consecutive distinct values of
/// a node, as scikit-learn's trees and forests do. [`SplitSearch::Histogram`] bins every
/// feature once (at most 255 bins, edges at quantiles as in histogram gradient boosting,
/// missing values in a bin of their own; once for a whole forest) and tries a threshold
/// between every two consecutive non-empty bins of a node: a split costs one pass over the
/// node's rows per searched feature and one partition of its rows, instead of a partition of
/// every feature's sorted rows. With at most 255 distinct values a feature's bins are its
/// values, and the two searches split the training rows the same way (the thresholds differ:
/// bin edges against midpoints of the node's values). The accuracy difference on the
/// benchmark data sets is in `docs/trees.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum SplitSearch {
    /// For classification, histograms from [`HISTOGRAM_ROWS`] training rows and exact below;
    /// for regression, exact (the default). A regression tree searches every feature at every
    /// split by default and grows until its leaves are nearly single rows, and there the exact
    /// search measured faster and closer to scikit-learn (`docs/trees.md`).
    #[default]
    Auto,
    /// Exact thresholds between sorted values.
    Exact,
    /// Histograms of at most 255 bins per feature.
    Histogram,
}

impl SplitSearch {
    /// Whether a fit on `n_rows` rows (of a classification target, or not) searches on
    /// histograms.
    pub(crate) fn histogram_for(self, n_rows: usize, classification: bool) -> bool {
        match self {
            SplitSearch::Auto => classification && n_rows >= HISTOGRAM_ROWS,
            SplitSearch::Exact => false,
            SplitSearch::Histogram => true,
        }
    }
}

/// How a tree chooses the threshold of a split (scikit-learn's `splitter`).
///
/// [`Splitter::Best`] searches every threshold of every sampled feature ([`SplitSearch`] says
/// how). [`Splitter::Random`] draws one threshold per sampled feature, uniformly between the
/// node's smallest and largest value of it, and keeps the best of those: the splits of
/// extremely randomized trees (Geurts, Ernst & Wehenkel 2006), which need neither sorted
/// nor binned features, so [`SplitSearch`] does not apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Splitter {
    /// The best threshold of each sampled feature (the default).
    #[default]
    Best,
    /// One random threshold per sampled feature.
    Random,
}

/// The growth parameters both trees share, checked and resolved in one place.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Growth {
    pub(crate) max_depth: Option<usize>,
    pub(crate) min_samples_split: usize,
    pub(crate) min_samples_leaf: usize,
    pub(crate) max_features: MaxFeatures,
    pub(crate) max_leaf_nodes: Option<usize>,
    pub(crate) min_impurity_decrease: f64,
    pub(crate) ccp_alpha: f64,
    pub(crate) seed: u64,
    pub(crate) split_search: SplitSearch,
    pub(crate) splitter: Splitter,
}

impl Growth {
    pub(crate) fn validate(&self, estimator: &str) -> Result<()> {
        if let Some(d) = self.max_depth {
            check_param(
                estimator,
                "max_depth",
                d,
                d >= 1,
                "an int in the range [1, inf) or None",
            )?;
        }
        check_param(
            estimator,
            "min_samples_split",
            self.min_samples_split,
            self.min_samples_split >= 2,
            "an int in the range [2, inf)",
        )?;
        check_param(
            estimator,
            "min_samples_leaf",
            self.min_samples_leaf,
            self.min_samples_leaf >= 1,
            "an int in the range [1, inf)",
        )?;
        self.max_features.validate(estimator)?;
        if let Some(m) = self.max_leaf_nodes {
            check_param(
                estimator,
                "max_leaf_nodes",
                m,
                m >= 2,
                "an int in the range [2, inf) or None",
            )?;
        }
        let mid = self.min_impurity_decrease;
        check_param(
            estimator,
            "min_impurity_decrease",
            mid,
            mid.is_finite() && mid >= 0.0,
            "a float in the range [0.0, inf)",
        )?;
        let a = self.ccp_alpha;
        check_param(
            estimator,
            "ccp_alpha",
            a,
            a.is_finite() && a >= 0.0,
            "a float in the range [0.0, inf)",
        )
    }

    pub(crate) fn config(&self, estimator: &str, n_features: usize) -> Result<GrowConfig> {
        Ok(GrowConfig {
            max_depth: self.max_depth.unwrap_or(usize::MAX),
            min_samples_split: self.min_samples_split,
            min_samples_leaf: self.min_samples_leaf,
            max_features: self.max_features.resolve(estimator, n_features)?,
            max_leaf_nodes: self.max_leaf_nodes,
            min_impurity_decrease: self.min_impurity_decrease,
            seed: self.seed,
        })
    }
}

pub(crate) fn check_class_weight(estimator: &str, cw: &ClassWeight) -> Result<()> {
    cw.validate(estimator)
}

/// The `with_*` setters of the growth parameters that the decision trees and the random
/// forests share (fields of the same names on each estimator; each type's `# Parameters`
/// gives its defaults).
macro_rules! growth_setters {
    () => {
        /// Sets `max_depth`, the deepest level grown (by default, `None`: no limit).
        #[must_use]
        pub fn with_max_depth(mut self, max_depth: Option<usize>) -> Self {
            self.max_depth = max_depth;
            self
        }

        /// Sets `min_samples_split`, the fewest rows a node needs to be split (by default, `2`).
        #[must_use]
        pub fn with_min_samples_split(mut self, n: usize) -> Self {
            self.min_samples_split = n;
            self
        }

        /// Sets `min_samples_leaf`, the fewest rows in a leaf (by default, `1`).
        #[must_use]
        pub fn with_min_samples_leaf(mut self, n: usize) -> Self {
            self.min_samples_leaf = n;
            self
        }

        /// Sets `max_features`, the features searched per split (the default is the type's:
        /// all for trees and regression forests, `sqrt` for classification forests).
        #[must_use]
        pub fn with_max_features(mut self, max_features: $crate::tree::MaxFeatures) -> Self {
            self.max_features = max_features;
            self
        }

        /// Sets `max_leaf_nodes`: grow best first up to this many leaves (by default, `None`).
        #[must_use]
        pub fn with_max_leaf_nodes(mut self, max_leaf_nodes: Option<usize>) -> Self {
            self.max_leaf_nodes = max_leaf_nodes;
            self
        }

        /// Sets `min_impurity_decrease`, the least weighted impurity decrease of a split (by
        /// default, `0.0`).
        #[must_use]
        pub fn with_min_impurity_decrease(mut self, v: f64) -> Self {
            self.min_impurity_decrease = v;
            self
        }

        /// Sets `seed`, which drives every random choice (by default, `0`).
        #[must_use]
        pub fn with_seed(mut self, seed: u64) -> Self {
            self.seed = seed;
            self
        }
    };
}
pub(crate) use growth_setters;
