//! [`SelectKBest`] and [`SelectPercentile`]: keep the features a univariate score ranks
//! highest.

use kiln_core::check::{self, NanPolicy};
use kiln_core::persist::{FeatureSchema, Persist};
use kiln_core::{Error, Fit, Fitted, InverseTransform, Params, Result, Transform};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::univariate::ScoreFunc;
use super::{Selection, ranked_ascending};
use crate::scale::colstats;

/// How many features [`SelectKBest`] keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum K {
    /// The `k` best features (all of them when `k` exceeds the number of features, as
    /// scikit-learn does after a warning; none when `k = 0`).
    Count(usize),
    /// Every feature (scores are still computed).
    All,
}

impl Default for K {
    /// `K::Count(10)`, scikit-learn's default.
    fn default() -> Self {
        K::Count(10)
    }
}

impl From<usize> for K {
    fn from(k: usize) -> Self {
        K::Count(k)
    }
}

/// Keeps the `k` features with the highest scores (scikit-learn's `SelectKBest`).
///
/// Generic over the score: `SelectKBest<ClassifScore>` fits on class indices,
/// `SelectKBest<RegressionScore>` on real targets.
///
/// # Parameters
/// - `k` (default `K::Count(10)`): how many features to keep; see [`K`].
/// - `score` (default `S::default()`: [`super::ClassifScore::FClassif`] or
///   [`super::RegressionScore::FRegression`]).
///
/// # Fitted attributes
/// [`FittedSelectKBest::scores`], [`FittedSelectKBest::pvalues`],
/// [`FittedSelectKBest::support`] and [`FittedSelectKBest::selected`].
///
/// # Notes
/// As in scikit-learn: NaN scores rank lowest; among tied scores the features later in the
/// input win (a stable ascending sort, then the last `k`); `k` larger than the number of
/// features keeps them all (scikit-learn warns; kiln does not fail). Missing values are
/// rejected, and sample weights are not defined ([`Error::Unsupported`]).
///
/// # Example
/// ```
/// use kiln_core::{Fit, Transform};
/// use kiln_prep::select::{ClassifScore, SelectKBest};
/// use ndarray::array;
///
/// let x = array![[1.0, 5.0, 0.3], [2.0, 5.5, 0.1], [8.0, 5.2, 0.2], [9.0, 5.1, 0.4]];
/// let y = array![0usize, 0, 1, 1];
/// let selector = SelectKBest::new(ClassifScore::FClassif).with_k(1).fit(x.view(), y.view())?;
/// assert_eq!(selector.support(), &[true, false, false]);
/// assert_eq!(selector.transform(x.view())?.column(0), x.column(0));
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SelectKBest<S> {
    /// How many features to keep. By default, `K::Count(10)`.
    pub k: K,
    /// The score features are ranked by. By default, `S::default()`.
    pub score: S,
}

impl<S: Default> Default for SelectKBest<S> {
    fn default() -> Self {
        Self::new(S::default())
    }
}

impl<S> SelectKBest<S> {
    /// A selector ranking by `score` that keeps 10 features.
    pub fn new(score: S) -> Self {
        Self {
            k: K::default(),
            score,
        }
    }

    /// Sets `k` (by default, `K::Count(10)`); a `usize` means `K::Count`.
    #[must_use]
    pub fn with_k(mut self, k: impl Into<K>) -> Self {
        self.k = k.into();
        self
    }

    /// Sets `score`.
    #[must_use]
    pub fn with_score(mut self, score: S) -> Self {
        self.score = score;
        self
    }
}

impl<S: ScoreFunc> Params for SelectKBest<S> {
    const NAME: &'static str = "SelectKBest";

    /// Every `k` is valid (`k` above the feature count keeps all features); the score's own
    /// settings (e.g. mutual information's `n_neighbors`) are checked.
    fn validate(&self) -> Result<()> {
        self.score.validate()
    }
}

fn check_supervised_fit(
    name: &str,
    x: ArrayView2<'_, f64>,
    y_len: usize,
    w: Option<ArrayView1<'_, f64>>,
) -> Result<()> {
    if w.is_some() {
        return Err(Error::Unsupported {
            estimator: name.to_owned(),
            what: "sample weights (the univariate scores do not define them)".to_owned(),
        });
    }
    check::check_fit_xy(x, y_len, NanPolicy::Reject)
}

impl<S: ScoreFunc> Fit for SelectKBest<S> {
    type Target = S::Target;
    type Fitted = FittedSelectKBest<S>;

    fn fit_weighted(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, S::Target>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedSelectKBest<S>> {
        self.validate()?;
        check_supervised_fit(Self::NAME, x, y.len(), sample_weight)?;
        let (scores, pvalues) = self.score.score(x, y)?;
        let d = scores.len();
        let mut support = vec![false; d];
        match self.k {
            K::All => support.iter_mut().for_each(|s| *s = true),
            K::Count(k) => {
                let order = ranked_ascending(&scores);
                for &j in &order[d - k.min(d)..] {
                    support[j] = true;
                }
            }
        }
        Ok(FittedSelectKBest {
            params: self.clone(),
            selection: Selection::new(scores, pvalues, support),
        })
    }
}

/// Keeps the given percentage of features with the highest scores (scikit-learn's
/// `SelectPercentile`).
///
/// # Parameters
/// - `percentile` (default `10.0`): the percentage of features to keep, in `[0, 100]`.
/// - `score` (default `S::default()`).
///
/// # Fitted attributes
/// As [`SelectKBest`]: scores, p-values, support.
///
/// # Notes
/// The rule is scikit-learn's: keep features scoring strictly above the
/// `(100 − percentile)`-th percentile of the scores (NaN counted as the lowest float), then
/// the first features tied at that threshold until `⌊n·percentile/100⌋` are kept.
///
/// # Example
/// ```
/// use kiln_core::Fit;
/// use kiln_prep::select::{RegressionScore, SelectPercentile};
/// use ndarray::array;
///
/// let x = array![[1.0, 3.0], [2.0, -1.0], [3.0, 4.0], [4.0, 0.0]];
/// let y = array![2.1, 3.9, 6.2, 7.8];
/// let selector = SelectPercentile::new(RegressionScore::FRegression)
///     .with_percentile(50.0)
///     .fit(x.view(), y.view())?;
/// assert_eq!(selector.support(), &[true, false]);
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SelectPercentile<S> {
    /// The percentage of features to keep. By default, `10.0`.
    pub percentile: f64,
    /// The score features are ranked by. By default, `S::default()`.
    pub score: S,
}

impl<S: Default> Default for SelectPercentile<S> {
    fn default() -> Self {
        Self::new(S::default())
    }
}

impl<S> SelectPercentile<S> {
    /// A selector ranking by `score` that keeps 10 % of the features.
    pub fn new(score: S) -> Self {
        Self {
            percentile: 10.0,
            score,
        }
    }

    /// Sets `percentile` (by default, `10.0`).
    #[must_use]
    pub fn with_percentile(mut self, percentile: f64) -> Self {
        self.percentile = percentile;
        self
    }

    /// Sets `score`.
    #[must_use]
    pub fn with_score(mut self, score: S) -> Self {
        self.score = score;
        self
    }
}

impl<S: ScoreFunc> Params for SelectPercentile<S> {
    const NAME: &'static str = "SelectPercentile";

    fn validate(&self) -> Result<()> {
        check::check_param(
            Self::NAME,
            "percentile",
            self.percentile,
            (0.0..=100.0).contains(&self.percentile),
            "a float in the range [0, 100]",
        )?;
        self.score.validate()
    }
}

/// scikit-learn's `SelectPercentile._get_support_mask`.
fn percentile_support(scores: &Array1<f64>, percentile: f64) -> Vec<bool> {
    let d = scores.len();
    if percentile == 100.0 {
        return vec![true; d];
    }
    if percentile == 0.0 {
        return vec![false; d];
    }
    let clean: Vec<f64> = scores
        .iter()
        .map(|&s| if s.is_nan() { f64::MIN } else { s })
        .collect();
    let mut sorted = clean.clone();
    sorted.sort_unstable_by(f64::total_cmp);
    let threshold = colstats::percentile_sorted(&sorted, 100.0 - percentile);
    let mut support: Vec<bool> = clean.iter().map(|&s| s > threshold).collect();
    let ties: Vec<usize> = (0..d).filter(|&j| clean[j] == threshold).collect();
    if !ties.is_empty() {
        let max_feats = (d as f64 * percentile / 100.0) as i64;
        let above = support.iter().filter(|&&s| s).count() as i64;
        // Python's `ties[:stop]`, including a negative `stop`.
        let stop = max_feats - above;
        let len = ties.len() as i64;
        let end = if stop >= 0 {
            stop.min(len)
        } else {
            (len + stop).max(0)
        };
        for &j in &ties[..end as usize] {
            support[j] = true;
        }
    }
    support
}

impl<S: ScoreFunc> Fit for SelectPercentile<S> {
    type Target = S::Target;
    type Fitted = FittedSelectPercentile<S>;

    fn fit_weighted(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, S::Target>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedSelectPercentile<S>> {
        self.validate()?;
        check_supervised_fit(Self::NAME, x, y.len(), sample_weight)?;
        let (scores, pvalues) = self.score.score(x, y)?;
        let support = percentile_support(&scores, self.percentile);
        Ok(FittedSelectPercentile {
            params: self.clone(),
            selection: Selection::new(scores, pvalues, support),
        })
    }
}

macro_rules! fitted_selector {
    ($fitted:ident, $params:ident, $kind:ident) => {
        impl<S> $fitted<S> {
            /// The params it was fitted with.
            pub fn params(&self) -> &$params<S> {
                &self.params
            }

            /// The score of each feature (`scores_`).
            pub fn scores(&self) -> &Array1<f64> {
                &self.selection.scores
            }

            /// The p-value of each feature's score (`pvalues_`).
            pub fn pvalues(&self) -> &Array1<f64> {
                &self.selection.pvalues
            }

            /// Whether each input feature is kept (`get_support()`).
            pub fn support(&self) -> &[bool] {
                &self.selection.support
            }

            /// The indices of the kept features, ascending (`get_support(indices=True)`).
            pub fn selected(&self) -> &[usize] {
                &self.selection.selected
            }
        }

        impl<S> Fitted for $fitted<S> {
            fn n_features_in(&self) -> usize {
                self.selection.support.len()
            }
        }

        impl<S> Transform for $fitted<S> {
            /// Keeps the selected columns; with none selected the result has zero columns
            /// (scikit-learn warns and does the same).
            fn transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
                self.selection
                    .transform(stringify!($params), x, NanPolicy::Reject)
            }
        }

        impl<S> InverseTransform for $fitted<S> {
            /// Puts the selected columns back in place, with zeros in the others (as
            /// scikit-learn's `inverse_transform`).
            fn inverse_transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
                self.selection
                    .inverse_transform(stringify!($params), x, NanPolicy::Reject)
            }
        }

        impl<S: ScoreFunc> Persist for $fitted<S> {
            const KIND: &'static str = S::$kind;
            type Params = $params<S>;

            fn params(&self) -> &$params<S> {
                &self.params
            }

            fn feature_schema(&self) -> FeatureSchema {
                FeatureSchema::new(self.selection.support.len())
            }
        }
    };
}

/// A fitted [`SelectKBest`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedSelectKBest<S> {
    params: SelectKBest<S>,
    selection: Selection,
}

/// A fitted [`SelectPercentile`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedSelectPercentile<S> {
    params: SelectPercentile<S>,
    selection: Selection,
}

fitted_selector!(FittedSelectKBest, SelectKBest, KBEST_KIND);
fitted_selector!(FittedSelectPercentile, SelectPercentile, PERCENTILE_KIND);
