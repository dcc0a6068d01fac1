//! `make_regression`: a random linear model with Gaussian features.

use kiln_core::check::check_param;
use kiln_core::random::rng_from_seed;
use kiln_core::{Params, Result};
use ndarray::{Array1, Array2, Axis};
use rand::Rng;

use super::{normal_matrix, permutation, shuffle_rows, standard_normal};

/// Generates a random linear regression problem, like scikit-learn's `make_regression`.
///
/// # Generating model
///
/// 1. `x` is `n_samples × n_features` of independent N(0, 1) draws.
/// 2. The true coefficients `coef` are zero except for the first
///    `min(n_informative, n_features)`, which are drawn uniformly from `(0, 100]`.
/// 3. `y = x · coef + bias + noise * e`, with `e` independent N(0, 1) (no draw when
///    `noise = 0`, so then `y = x · coef + bias` exactly).
/// 4. With `shuffle`, the rows of `x` and `y` are permuted, then the columns of `x` together
///    with the entries of `coef`, so the informative features end up at random positions.
///
/// Returns [`RegressionData`] with `x`, `y` and `coef`.
///
/// # Notes
/// A single target only (scikit-learn's `n_targets = 1`). scikit-learn's `effective_rank`
/// (features with a low-rank, fat-tailed singular spectrum) is not implemented: features are
/// always independent standard normals. As in scikit-learn, `n_informative` larger than
/// `n_features` is clamped to `n_features`. scikit-learn draws the coefficients from
/// `[0, 100)`; here `0` is excluded so that exactly `min(n_informative, n_features)`
/// coefficients are non-zero.
///
/// # References
/// scikit-learn, `sklearn.datasets.make_regression`.
///
/// # Example
/// ```
/// use kiln_datasets::synthetic::MakeRegression;
///
/// let data = MakeRegression::default()
///     .with_n_samples(50)
///     .with_n_features(5)
///     .with_n_informative(2)
///     .with_bias(3.0)
///     .generate()?;
/// assert_eq!(data.x.dim(), (50, 5));
/// assert_eq!(data.coef.iter().filter(|&&c| c != 0.0).count(), 2);
/// let fitted = data.x.dot(&data.coef) + 3.0;
/// assert!((&fitted - &data.y).iter().all(|r| r.abs() < 1e-9));
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct MakeRegression {
    /// Number of samples (rows). Default 100; at least 1.
    pub n_samples: usize,
    /// Number of features. Default 100; at least 1.
    pub n_features: usize,
    /// Number of features with a non-zero coefficient. Default 10; clamped to `n_features`.
    pub n_informative: usize,
    /// Intercept added to every target. Default 0.0; finite.
    pub bias: f64,
    /// Standard deviation of the Gaussian noise added to the target. Default 0.0; finite and
    /// `>= 0`.
    pub noise: f64,
    /// Whether to permute the rows and the columns. Default `true`.
    pub shuffle: bool,
    /// Random seed. Default [`kiln_core::random::DEFAULT_SEED`].
    pub seed: u64,
}

impl Default for MakeRegression {
    fn default() -> Self {
        Self {
            n_samples: 100,
            n_features: 100,
            n_informative: 10,
            bias: 0.0,
            noise: 0.0,
            shuffle: true,
            seed: kiln_core::random::DEFAULT_SEED,
        }
    }
}

/// The output of [`MakeRegression::generate`].
#[derive(Debug, Clone, PartialEq)]
pub struct RegressionData {
    /// The features, `n_samples × n_features`.
    pub x: Array2<f64>,
    /// The target, `x · coef + bias` plus noise.
    pub y: Array1<f64>,
    /// The true coefficient of each column of `x`; zero for uninformative columns.
    pub coef: Array1<f64>,
}

impl MakeRegression {
    /// Sets [`Self::n_samples`].
    pub fn with_n_samples(mut self, n_samples: usize) -> Self {
        self.n_samples = n_samples;
        self
    }
    /// Sets [`Self::n_features`].
    pub fn with_n_features(mut self, n_features: usize) -> Self {
        self.n_features = n_features;
        self
    }
    /// Sets [`Self::n_informative`].
    pub fn with_n_informative(mut self, n_informative: usize) -> Self {
        self.n_informative = n_informative;
        self
    }
    /// Sets [`Self::bias`].
    pub fn with_bias(mut self, bias: f64) -> Self {
        self.bias = bias;
        self
    }
    /// Sets [`Self::noise`].
    pub fn with_noise(mut self, noise: f64) -> Self {
        self.noise = noise;
        self
    }
    /// Sets [`Self::shuffle`].
    pub fn with_shuffle(mut self, shuffle: bool) -> Self {
        self.shuffle = shuffle;
        self
    }
    /// Sets [`Self::seed`].
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Draws the data set.
    ///
    /// # Errors
    /// [`kiln_core::Error::InvalidParameter`] naming the first parameter out of range.
    pub fn generate(&self) -> Result<RegressionData> {
        self.validate()?;
        let mut rng = rng_from_seed(self.seed);
        let (n, p) = (self.n_samples, self.n_features);
        let mut x = normal_matrix(&mut rng, n, p);
        let n_inf = self.n_informative.min(p);
        let mut coef = Array1::<f64>::zeros(p);
        for c in coef.iter_mut().take(n_inf) {
            // 1 - U[0, 1) lies in (0, 1]: an informative coefficient is never exactly zero.
            *c = 100.0 * (1.0 - rng.random::<f64>());
        }
        let mut y = x.dot(&coef) + self.bias;
        if self.noise > 0.0 {
            for v in y.iter_mut() {
                *v += self.noise * standard_normal(&mut rng);
            }
        }
        if self.shuffle {
            let (rows, targets) = shuffle_rows(&mut rng, &x, &y);
            let columns = permutation(&mut rng, p);
            x = rows.select(Axis(1), &columns);
            coef = coef.select(Axis(0), &columns);
            y = targets;
        }
        Ok(RegressionData { x, y, coef })
    }
}

impl Params for MakeRegression {
    const NAME: &'static str = "MakeRegression";

    fn validate(&self) -> Result<()> {
        let name = Self::NAME;
        check_param(
            name,
            "n_samples",
            self.n_samples,
            self.n_samples >= 1,
            "at least 1",
        )?;
        check_param(
            name,
            "n_features",
            self.n_features,
            self.n_features >= 1,
            "at least 1",
        )?;
        check_param(name, "bias", self.bias, self.bias.is_finite(), "finite")?;
        check_param(
            name,
            "noise",
            self.noise,
            self.noise.is_finite() && self.noise >= 0.0,
            "a finite float >= 0",
        )
    }
}
