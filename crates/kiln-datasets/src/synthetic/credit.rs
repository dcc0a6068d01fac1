//! `MakeCredit`: loan applications with a sensitive group, a proxy and injected bias.

use kiln_core::check::check_param;
use kiln_core::random::{KilnRng, rng_from_seed};
use kiln_core::{Params, Result};
use ndarray::{Array1, Array2};
use rand::Rng;

use super::standard_normal;

/// Generates loan applications for fairness examples: legitimate credit features, a binary
/// sensitive group, a proxy feature correlated with the group, and approval labels with a
/// tunable bias against the protected group.
///
/// # Generating model
///
/// Each applicant is drawn independently. With `N` a standard normal and `U` a uniform draw on
/// `[0, 1)`, each drawn afresh:
///
/// | quantity | definition |
/// |---|---|
/// | `group` | 1 (protected) if `U < protected_fraction`, else 0 (reference) |
/// | `income` | `40 * exp(0.5 * N)`, in thousands a year (median 40) |
/// | `debt_ratio` | `1 / (1 + exp(1 - 0.8 * N))`, in (0, 1) (median about 0.27) |
/// | `age` | `21 + floor(49 * U)`, whole years from 21 to 69 |
/// | `years_employed` | `min(age - 18, -6 * ln(1 - U))` (exponential, mean 6, capped) |
/// | `n_late_payments` | Poisson with mean `0.3 + 1.5 * debt_ratio` |
/// | `zip_risk` | `proxy_strength * group + N` |
///
/// The legitimate features do not depend on `group`. The true creditworthiness is the log-odds
///
/// ```text
/// z = 1.0 + 1.5 * ln(income / 40) - 4.0 * (debt_ratio - 0.3) + 0.1 * (years_employed - 5)
///         + 0.02 * (age - 45) - 0.7 * n_late_payments
/// ```
///
/// which does not involve `group` or `zip_risk` (about 60% of applicants have `y_fair = 1`).
/// One more uniform draw `u` per applicant then
/// gives both labels (1 = approved, the favourable class):
///
/// - `y_fair = 1` if `u < sigmoid(z)`: the decision an unbiased process would make;
/// - `y = 1` if `u < sigmoid(z - bias * group)`: the observed, biased decision.
///
/// So with `bias = 0`, `y == y_fair` and approval depends on the features alone; with
/// `bias > 0` the protected group's odds of approval are multiplied by `exp(-bias)`, some of
/// its `y_fair = 1` applicants become `y = 0`, and nobody else changes. The draws do not depend
/// on `bias` or `proxy_strength`, so two calls with the same seed give the same applicants
/// and, as `bias` grows, labels that can only go from 1 to 0.
///
/// `zip_risk` carries no information about creditworthiness; when `proxy_strength > 0` it is
/// correlated with `group` (correlation `s·σ_g / sqrt(s²σ_g² + 1)` with `σ_g² = p(1 - p)`), so
/// a model trained on biased labels without the `group` column can still learn the bias
/// through it.
///
/// Returns [`CreditData`]; `x` holds the six features (not `group`) in the order of
/// [`MakeCredit::FEATURE_NAMES`].
///
/// # Example
/// ```
/// use kiln_datasets::synthetic::MakeCredit;
///
/// let data = MakeCredit::default().with_bias(1.5).with_seed(11).generate()?;
/// assert_eq!(data.x.dim(), (1000, 6));
/// let rate = |g: usize| {
///     let members: Vec<usize> = (0..1000).filter(|&i| data.group[i] == g).collect();
///     members.iter().map(|&i| data.y[i] as f64).sum::<f64>() / members.len() as f64
/// };
/// assert!(rate(1) < rate(0));
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct MakeCredit {
    /// Number of applicants. Default 1000; at least 1.
    pub n_samples: usize,
    /// Probability that an applicant is in the protected group (1). Default 0.3; in `[0, 1]`.
    pub protected_fraction: f64,
    /// How much the protected group's log-odds of approval are lowered. Default 0.0 (no bias);
    /// finite and `>= 0`.
    pub bias: f64,
    /// How strongly `zip_risk` follows the group: the shift of its mean for group 1, in units
    /// of its noise standard deviation. Default 0.0 (pure noise); finite and `>= 0`.
    pub proxy_strength: f64,
    /// Random seed. Default [`kiln_core::random::DEFAULT_SEED`].
    pub seed: u64,
}

impl Default for MakeCredit {
    fn default() -> Self {
        Self {
            n_samples: 1000,
            protected_fraction: 0.3,
            bias: 0.0,
            proxy_strength: 0.0,
            seed: kiln_core::random::DEFAULT_SEED,
        }
    }
}

/// The output of [`MakeCredit::generate`].
#[derive(Debug, Clone, PartialEq)]
pub struct CreditData {
    /// The features, `n_samples × 6`, in the order of `feature_names`.
    pub x: Array2<f64>,
    /// [`MakeCredit::FEATURE_NAMES`], owned.
    pub feature_names: Vec<String>,
    /// The sensitive attribute: 0 = reference group, 1 = protected group. Not a column of `x`.
    pub group: Array1<usize>,
    /// The observed label, 1 = approved (favourable), produced with the bias.
    pub y: Array1<usize>,
    /// The label without the bias, from the same draws: equal to `y` when `bias = 0`.
    pub y_fair: Array1<usize>,
}

impl MakeCredit {
    /// The columns of [`CreditData::x`].
    pub const FEATURE_NAMES: [&'static str; 6] = [
        "income",
        "debt_ratio",
        "years_employed",
        "age",
        "n_late_payments",
        "zip_risk",
    ];

    /// Sets [`Self::n_samples`].
    pub fn with_n_samples(mut self, n_samples: usize) -> Self {
        self.n_samples = n_samples;
        self
    }
    /// Sets [`Self::protected_fraction`].
    pub fn with_protected_fraction(mut self, protected_fraction: f64) -> Self {
        self.protected_fraction = protected_fraction;
        self
    }
    /// Sets [`Self::bias`].
    pub fn with_bias(mut self, bias: f64) -> Self {
        self.bias = bias;
        self
    }
    /// Sets [`Self::proxy_strength`].
    pub fn with_proxy_strength(mut self, proxy_strength: f64) -> Self {
        self.proxy_strength = proxy_strength;
        self
    }
    /// Sets [`Self::seed`].
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Draws the applicants.
    ///
    /// # Errors
    /// [`kiln_core::Error::InvalidParameter`] naming the first parameter out of range.
    pub fn generate(&self) -> Result<CreditData> {
        self.validate()?;
        let mut rng = rng_from_seed(self.seed);
        let n = self.n_samples;
        let mut x = Array2::<f64>::zeros((n, Self::FEATURE_NAMES.len()));
        let mut group = Array1::<usize>::zeros(n);
        let mut y = Array1::<usize>::zeros(n);
        let mut y_fair = Array1::<usize>::zeros(n);

        for i in 0..n {
            let g = usize::from(rng.random::<f64>() < self.protected_fraction);
            let income = 40.0 * (0.5 * standard_normal(&mut rng)).exp();
            let debt_ratio = sigmoid(-1.0 + 0.8 * standard_normal(&mut rng));
            let age = 21.0 + (49.0 * rng.random::<f64>()).floor();
            let years_employed = (age - 18.0).min(-6.0 * (1.0 - rng.random::<f64>()).ln());
            let n_late = poisson(&mut rng, 0.3 + 1.5 * debt_ratio);
            let zip_risk = self.proxy_strength * g as f64 + standard_normal(&mut rng);
            let u = rng.random::<f64>();

            let z = 1.0 + 1.5 * (income / 40.0).ln() - 4.0 * (debt_ratio - 0.3)
                + 0.1 * (years_employed - 5.0)
                + 0.02 * (age - 45.0)
                - 0.7 * n_late;
            let row = [income, debt_ratio, years_employed, age, n_late, zip_risk];
            for (cell, value) in x.row_mut(i).iter_mut().zip(row) {
                *cell = value;
            }
            group[i] = g;
            y_fair[i] = usize::from(u < sigmoid(z));
            y[i] = usize::from(u < sigmoid(z - self.bias * g as f64));
        }

        Ok(CreditData {
            x,
            feature_names: Self::FEATURE_NAMES.map(str::to_owned).to_vec(),
            group,
            y,
            y_fair,
        })
    }
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// A Poisson draw by Knuth's multiplication method (fine for the small means used here).
fn poisson(rng: &mut KilnRng, mean: f64) -> f64 {
    let limit = (-mean).exp();
    let mut count = 0.0;
    let mut product = rng.random::<f64>();
    while product > limit {
        count += 1.0;
        product *= rng.random::<f64>();
    }
    count
}

impl Params for MakeCredit {
    const NAME: &'static str = "MakeCredit";

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
            "protected_fraction",
            self.protected_fraction,
            (0.0..=1.0).contains(&self.protected_fraction),
            "a float in the range [0, 1]",
        )?;
        check_param(
            name,
            "bias",
            self.bias,
            self.bias.is_finite() && self.bias >= 0.0,
            "a finite float >= 0",
        )?;
        check_param(
            name,
            "proxy_strength",
            self.proxy_strength,
            self.proxy_strength.is_finite() && self.proxy_strength >= 0.0,
            "a finite float >= 0",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_draws_have_the_requested_mean_and_variance() {
        let mut rng = rng_from_seed(5);
        let n = 40_000;
        let draws: Vec<f64> = (0..n).map(|_| poisson(&mut rng, 1.2)).collect();
        let mean = draws.iter().sum::<f64>() / n as f64;
        let var = draws.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / n as f64;
        // Standard error of the mean is sqrt(1.2 / 40000) ~ 0.0055.
        assert!((mean - 1.2).abs() < 0.03, "mean {mean}");
        assert!((var - 1.2).abs() < 0.06, "variance {var}");
    }
}
