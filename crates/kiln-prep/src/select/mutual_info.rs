//! Mutual information between each feature and the target: [`mutual_info_classif`],
//! [`mutual_info_regression`] and their settings [`MutualInfo`], following scikit-learn.

mod digamma;
mod estimators;
mod knn;
mod prepare;

use kiln_core::check::{self, NanPolicy};
use kiln_core::random::DEFAULT_SEED;
use kiln_core::{Error, Params, Result};
use ndarray::{Array1, ArrayView1, ArrayView2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use self::prepare::{add_noise, feature_rng, label_codes, std_pairwise, target_rng};
use super::univariate::ScoreFunc;

/// Which features are discrete (their values are labels, compared for equality only).
///
/// The default, [`DiscreteFeatures::Auto`], is scikit-learn's `'auto'`, which means "none"
/// for the dense matrices kiln works on.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum DiscreteFeatures {
    /// scikit-learn's `'auto'`: no feature is discrete for dense input (the default).
    #[default]
    Auto,
    /// Every feature is discrete (`discrete_features=True`).
    All,
    /// No feature is discrete (`discrete_features=False`).
    None,
    /// One flag per feature, `true` for a discrete one (a boolean mask).
    Mask(Vec<bool>),
    /// The indices of the discrete features.
    Indices(Vec<usize>),
}

/// The settings of the mutual-information scores (scikit-learn's keyword arguments of
/// `mutual_info_classif` and `mutual_info_regression`).
///
/// Mutual information `I(X; Y)` measures, in nats, how much knowing a feature tells about the
/// target: 0 exactly when they are independent, and unlike the F-tests it sees any kind of
/// dependence, not only a linear one or a shift of the class means.
///
/// # Parameters
/// - `discrete_features` (default [`DiscreteFeatures::Auto`], meaning none): which features
///   are discrete.
/// - `n_neighbors` (default `3`): `k` of the k-nearest-neighbour estimators; larger values
///   lower the variance of the estimate and raise its bias. At least 1 and below the number
///   of samples.
/// - `add_noise` (default `true`): add noise of relative size 1e-10 to the continuous
///   columns (and a regression target) to break ties, as scikit-learn does. Switch it off to
///   get scikit-learn's estimator on the data exactly as given.
/// - `seed` (default [`DEFAULT_SEED`]): the seed of that noise (scikit-learn's
///   `random_state`).
///
/// # Errors
/// [`MutualInfo::classif`] and [`MutualInfo::regression`] return
/// [`Error::InvalidParameter`] for `n_neighbors = 0` or a `discrete_features` index out of
/// range; [`Error::EmptyInput`], [`Error::NonFinite`] (NaN or infinite values in `X` or a
/// regression `y`) and [`Error::ShapeMismatch`] (a `y` or a mask of the wrong length) for bad
/// data; [`Error::TooFewSamples`] when a k-nearest-neighbour estimate is needed and
/// `n_samples ≤ n_neighbors`.
///
/// # Notes
/// Each feature is scored on its own, exactly as scikit-learn's `_estimate_mi`:
///
/// - continuous columns are divided by their standard deviation (`scale(with_mean=False)`,
///   constant columns left as they are), the target too in regression; then, with
///   `add_noise`, each gets `1e-10 · max(1, mean|x|) · N(0, 1)` noise;
/// - a continuous feature and a continuous target: the KSG estimator (Kraskov, Stögbauer &
///   Grassberger 2004, algorithm 1) with the max-norm;
/// - a continuous feature and a discrete target, or a discrete feature and a continuous
///   target: Ross's estimator (Ross 2014); samples whose label occurs once are left out;
/// - two discrete variables: the mutual information of their contingency table
///   (scikit-learn's `mutual_info_score`);
/// - negative estimates are returned as 0.
///
/// The neighbour searches take `O(n log n)` per feature (a 2-D k-d tree for the joint space,
/// binary searches on sorted copies for the marginals), and the features are scored in
/// parallel. Results do not depend on the number of threads: the noise of column `j` comes
/// from its own stream, and every sum runs in a fixed order.
///
/// The noise is drawn from kiln's ChaCha8 generator, not NumPy's, so the values equal
/// scikit-learn's only up to the noise. On data with exact ties (values on a grid, repeated
/// measurements) that noise decides which tied neighbours count, and the estimates of
/// scikit-learn itself move by up to about one nat from one `random_state` to the next on the
/// bundled iris set; on tie-free data they agree to rounding. With `add_noise` off, kiln
/// matches scikit-learn's estimators on the scaled data to about 1e-12.
///
/// # References
/// - A. Kraskov, H. Stögbauer, P. Grassberger, "Estimating mutual information",
///   Phys. Rev. E 69, 066138 (2004).
/// - B. C. Ross, "Mutual Information between Discrete and Continuous Data Sets",
///   PLoS ONE 9(2): e87357 (2014).
/// - T. M. Cover, J. A. Thomas, *Elements of Information Theory*, 2nd ed., §2.3.
///
/// # Example
/// ```
/// use kiln_prep::select::{DiscreteFeatures, MutualInfo};
/// use ndarray::array;
///
/// // Feature 0 follows the class, feature 1 is the same pattern in every class.
/// let x = array![
///     [0.1, 1.0], [0.2, 2.0], [0.3, 3.0], [0.15, 4.0], [0.25, 5.0],
///     [2.1, 1.0], [2.2, 2.0], [2.3, 3.0], [2.15, 4.0], [2.25, 5.0],
/// ];
/// let y = array![0usize, 0, 0, 0, 0, 1, 1, 1, 1, 1];
/// let mi = MutualInfo::default().with_n_neighbors(2).classif(x.view(), y.view())?;
/// assert!(mi[0] > 0.5 && mi[1] == 0.0);
///
/// // Feature 1 read as discrete labels: five values, each once per class.
/// let mi = MutualInfo::default()
///     .with_discrete_features(DiscreteFeatures::Indices(vec![1]))
///     .classif(x.view(), y.view())?;
/// assert_eq!(mi[1], 0.0);
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MutualInfo {
    /// Which features are discrete. By default, [`DiscreteFeatures::Auto`] (none).
    pub discrete_features: DiscreteFeatures,
    /// Neighbours of the k-nearest-neighbour estimators. By default, `3`.
    pub n_neighbors: usize,
    /// Whether to add tie-breaking noise to continuous columns. By default, `true`.
    pub add_noise: bool,
    /// Seed of the noise. By default, [`DEFAULT_SEED`].
    pub seed: u64,
}

impl Default for MutualInfo {
    fn default() -> Self {
        Self {
            discrete_features: DiscreteFeatures::Auto,
            n_neighbors: 3,
            add_noise: true,
            seed: DEFAULT_SEED,
        }
    }
}

impl MutualInfo {
    /// Sets `discrete_features` (by default, [`DiscreteFeatures::Auto`]: none).
    #[must_use]
    pub fn with_discrete_features(mut self, discrete_features: DiscreteFeatures) -> Self {
        self.discrete_features = discrete_features;
        self
    }

    /// Sets `n_neighbors` (by default, `3`).
    #[must_use]
    pub fn with_n_neighbors(mut self, n_neighbors: usize) -> Self {
        self.n_neighbors = n_neighbors;
        self
    }

    /// Sets `add_noise` (by default, `true`).
    #[must_use]
    pub fn with_add_noise(mut self, add_noise: bool) -> Self {
        self.add_noise = add_noise;
        self
    }

    /// Sets `seed` (by default, [`DEFAULT_SEED`]).
    #[must_use]
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The mutual information between each feature of `x` and the class indices `y`, in
    /// nats (scikit-learn's `mutual_info_classif`).
    ///
    /// A target holding a single class gives 0 for every feature.
    ///
    /// # Errors
    /// See [`MutualInfo`].
    pub fn classif(&self, x: ArrayView2<'_, f64>, y: ArrayView1<'_, usize>) -> Result<Array1<f64>> {
        const NAME: &str = "mutual_info_classif";
        self.validate_as(NAME)?;
        check::check_fit_xy(x, y.len(), NanPolicy::Reject)?;
        let counts = check::check_class_indices(NAME, y, false)?;
        if counts.classes.len() == 1 {
            // A constant shares no information with anything: exactly 0, not the estimator's
            // rounding noise around it.
            return Ok(Array1::zeros(x.ncols()));
        }
        let codes: Vec<u32> = y
            .iter()
            .map(|c| counts.classes.partition_point(|k| k < c) as u32)
            .collect();
        let target = Target::Discrete {
            codes,
            n_labels: counts.classes.len(),
        };
        self.estimate(NAME, x, &target)
    }

    /// The mutual information between each feature of `x` and the real target `y`, in nats
    /// (scikit-learn's `mutual_info_regression`).
    ///
    /// # Errors
    /// See [`MutualInfo`].
    pub fn regression(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
    ) -> Result<Array1<f64>> {
        const NAME: &str = "mutual_info_regression";
        self.validate_as(NAME)?;
        check::check_fit_xy(x, y.len(), NanPolicy::Reject)?;
        check::check_finite_1d(y, "y")?;
        let mut values = y.to_vec();
        // scikit-learn scales the 1-D target with NumPy's pairwise sums and replaces only
        // an exactly zero standard deviation (a scalar goes through another branch of
        // `_handle_zeros_in_scale` than a column vector).
        let std = std_pairwise(&values);
        let scale = if std == 0.0 { 1.0 } else { std };
        values.iter_mut().for_each(|v| *v /= scale);
        if self.add_noise {
            add_noise(&mut values, &mut target_rng(self.seed));
        }
        let mut sorted = values.clone();
        sorted.sort_unstable_by(f64::total_cmp);
        self.estimate(NAME, x, &Target::Continuous { values, sorted })
    }

    fn validate_as(&self, name: &str) -> Result<()> {
        check::check_param(
            name,
            "n_neighbors",
            self.n_neighbors,
            self.n_neighbors >= 1,
            "an int in the range [1, inf)",
        )
    }

    /// Which of `d` features are discrete.
    fn discrete_mask(&self, name: &str, d: usize) -> Result<Vec<bool>> {
        match &self.discrete_features {
            DiscreteFeatures::Auto | DiscreteFeatures::None => Ok(vec![false; d]),
            DiscreteFeatures::All => Ok(vec![true; d]),
            DiscreteFeatures::Mask(mask) => {
                check::check_same_len(
                    "length of the discrete_features mask against columns of X",
                    d,
                    mask.len(),
                )?;
                Ok(mask.clone())
            }
            DiscreteFeatures::Indices(indices) => {
                let mut mask = vec![false; d];
                for &j in indices {
                    if j >= d {
                        return Err(Error::invalid_param(
                            name,
                            "discrete_features",
                            format!("must hold feature indices below n_features={d}; got {j}"),
                        ));
                    }
                    mask[j] = true;
                }
                Ok(mask)
            }
        }
    }

    fn estimate(&self, name: &str, x: ArrayView2<'_, f64>, target: &Target) -> Result<Array1<f64>> {
        let (n, d) = x.dim();
        let discrete = self.discrete_mask(name, d)?;
        let needs_neighbors =
            discrete.iter().any(|&v| !v) || matches!(target, Target::Continuous { .. });
        if needs_neighbors && n <= self.n_neighbors {
            return Err(Error::TooFewSamples {
                estimator: name.to_owned(),
                needed: format!("n_samples > n_neighbors={}", self.n_neighbors),
                got: format!("n_samples={n}"),
                n_samples: n,
            });
        }
        let k = self.n_neighbors;
        let score = |j: usize| -> f64 {
            let mut column = x.column(j).to_vec();
            if discrete[j] {
                let (codes, n_codes) = label_codes(&column);
                return match target {
                    Target::Discrete { codes: y, n_labels } => {
                        estimators::contingency(&codes, n_codes, y, *n_labels)
                    }
                    Target::Continuous { values, .. } => {
                        estimators::ross(values, &codes, n_codes, k)
                    }
                };
            }
            // scikit-learn scales the columns as a Fortran-ordered copy, whose per-column sums
            // NumPy computes pairwise; the same sums keep the scaled values, and so every tie
            // and near-tie between distances, identical to scikit-learn's.
            let std = std_pairwise(&column);
            let scale = if std < 10.0 * f64::EPSILON { 1.0 } else { std };
            column.iter_mut().for_each(|v| *v /= scale);
            if self.add_noise {
                add_noise(&mut column, &mut feature_rng(self.seed, j));
            }
            match target {
                Target::Discrete { codes, n_labels } => {
                    estimators::ross(&column, codes, *n_labels, k)
                }
                Target::Continuous { values, sorted } => {
                    estimators::ksg(&column, values, sorted, k)
                }
            }
        };
        let scores: Vec<f64> = if d > 1 {
            (0..d).into_par_iter().map(score).collect()
        } else {
            (0..d).map(score).collect()
        };
        Ok(Array1::from(scores))
    }
}

impl Params for MutualInfo {
    const NAME: &'static str = "MutualInfo";

    fn validate(&self) -> Result<()> {
        self.validate_as(Self::NAME)
    }
}

/// The target as the estimators need it.
enum Target {
    /// Class codes `0..n_labels`.
    Discrete { codes: Vec<u32>, n_labels: usize },
    /// Scaled (and perhaps noisy) values, and the same values sorted.
    Continuous { values: Vec<f64>, sorted: Vec<f64> },
}

/// The mutual information between each feature of `x` and the class indices `y`, with the
/// default [`MutualInfo`] settings (scikit-learn's `mutual_info_classif`).
///
/// # Errors
/// See [`MutualInfo`].
///
/// # Example
/// ```
/// use kiln_prep::select::mutual_info_classif;
/// use ndarray::array;
///
/// let x = array![[0.1, 7.0], [0.3, 1.0], [0.2, 4.0], [0.4, 3.0], [0.25, 5.0],
///                [2.1, 6.0], [2.3, 2.0], [2.2, 5.5], [2.4, 3.5], [2.25, 0.5]];
/// let y = array![0usize, 0, 0, 0, 0, 1, 1, 1, 1, 1];
/// let mi = mutual_info_classif(x.view(), y.view())?;
/// assert!(mi[0] > mi[1]);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn mutual_info_classif(
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, usize>,
) -> Result<Array1<f64>> {
    MutualInfo::default().classif(x, y)
}

/// The mutual information between each feature of `x` and the real target `y`, with the
/// default [`MutualInfo`] settings (scikit-learn's `mutual_info_regression`).
///
/// # Errors
/// See [`MutualInfo`].
///
/// # Example
/// ```
/// use kiln_prep::select::mutual_info_regression;
/// use ndarray::Array2;
///
/// // y = x0², which a correlation misses (it is about 0 on a symmetric range).
/// let x = Array2::from_shape_fn((60, 2), |(i, j)| {
///     if j == 0 { i as f64 / 10.0 - 3.0 } else { ((i * 7919) % 61) as f64 }
/// });
/// let y = x.column(0).mapv(|v| v * v);
/// let mi = mutual_info_regression(x.view(), y.view())?;
/// assert!(mi[0] > 1.0 && mi[1] < 0.3);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn mutual_info_regression(
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, f64>,
) -> Result<Array1<f64>> {
    MutualInfo::default().regression(x, y)
}

/// No p-values: mutual information has no reference distribution here (scikit-learn's
/// selectors leave `pvalues_` as `None`).
fn no_pvalues(d: usize) -> Array1<f64> {
    Array1::from_elem(d, f64::NAN)
}

/// Mutual information against class indices, with chosen [`MutualInfo`] settings, as the
/// score of [`super::SelectKBest`] or [`super::SelectPercentile`].
///
/// The p-values of the fitted selector are NaN (scikit-learn's are `None`).
/// [`super::ClassifScore::MutualInfo`] is this score with the default settings.
///
/// # Example
/// ```
/// use kiln_core::Fit;
/// use kiln_prep::select::{MutualInfo, MutualInfoClassif, SelectKBest};
/// use ndarray::array;
///
/// let x = array![[0.1, 7.0], [0.3, 1.0], [0.2, 4.0], [0.4, 3.0], [0.25, 5.0],
///                [2.1, 6.0], [2.3, 2.0], [2.2, 5.5], [2.4, 3.5], [2.25, 0.5]];
/// let y = array![0usize, 0, 0, 0, 0, 1, 1, 1, 1, 1];
/// let score = MutualInfoClassif(MutualInfo::default().with_n_neighbors(2).with_seed(7));
/// let best = SelectKBest::new(score).with_k(1).fit(x.view(), y.view())?;
/// assert_eq!(best.selected(), &[0]);
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MutualInfoClassif(pub MutualInfo);

/// Mutual information against a real target, with chosen [`MutualInfo`] settings, as the
/// score of [`super::SelectKBest`] or [`super::SelectPercentile`].
///
/// The p-values of the fitted selector are NaN (scikit-learn's are `None`).
/// [`super::RegressionScore::MutualInfo`] is this score with the default settings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MutualInfoRegression(pub MutualInfo);

impl ScoreFunc for MutualInfoClassif {
    type Target = usize;
    const KBEST_KIND: &'static str = "kiln_prep::SelectKBest<MutualInfoClassif>";
    const PERCENTILE_KIND: &'static str = "kiln_prep::SelectPercentile<MutualInfoClassif>";

    fn score(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, usize>,
    ) -> Result<(Array1<f64>, Array1<f64>)> {
        let mi = self.0.classif(x, y)?;
        let p = no_pvalues(mi.len());
        Ok((mi, p))
    }

    fn validate(&self) -> Result<()> {
        self.0.validate_as("mutual_info_classif")
    }
}

impl ScoreFunc for MutualInfoRegression {
    type Target = f64;
    const KBEST_KIND: &'static str = "kiln_prep::SelectKBest<MutualInfoRegression>";
    const PERCENTILE_KIND: &'static str = "kiln_prep::SelectPercentile<MutualInfoRegression>";

    fn score(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
    ) -> Result<(Array1<f64>, Array1<f64>)> {
        let mi = self.0.regression(x, y)?;
        let p = no_pvalues(mi.len());
        Ok((mi, p))
    }

    fn validate(&self) -> Result<()> {
        self.0.validate_as("mutual_info_regression")
    }
}

/// The defaults' scores with NaN p-values, for the `MutualInfo` variants of
/// [`super::ClassifScore`] and [`super::RegressionScore`].
pub(super) fn default_classif(
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, usize>,
) -> Result<(Array1<f64>, Array1<f64>)> {
    MutualInfoClassif::default().score(x, y)
}

/// See [`default_classif`].
pub(super) fn default_regression(
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, f64>,
) -> Result<(Array1<f64>, Array1<f64>)> {
    MutualInfoRegression::default().score(x, y)
}
