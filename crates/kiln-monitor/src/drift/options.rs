//! The tests a drift report can run and the options choosing them.

use kiln_core::Result;
use kiln_core::check::check_param;
use serde::{Deserialize, Serialize};

/// A drift test or distance for one column.
///
/// P-value tests flag drift when the (corrected) p-value is **below** the threshold; distances
/// flag drift when the distance is **at or above** it (as Evidently).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Method {
    /// Two-sample Kolmogorov–Smirnov ([`crate::stats::ks_2samp_sorted`], method `Auto`);
    /// numeric only. P-value test, default threshold 0.05.
    Ks,
    /// Wasserstein-1 distance divided by the reference's standard deviation
    /// ([`crate::stats::wasserstein_normalized`], Evidently's "normed" form); numeric only.
    /// Default threshold 0.1.
    Wasserstein,
    /// Energy distance ([`crate::stats::energy_distance`]); numeric only. Default threshold 0.1.
    EnergyDistance,
    /// Anderson–Darling k-sample test ([`crate::stats::anderson_ksamp`]; its significance
    /// level, capped by scipy's rule to [0.001, 0.25], is the p-value); numeric only.
    /// P-value test, default threshold 0.1 (as Evidently).
    AndersonDarling,
    /// Population stability index ([`crate::distance::psi`]). Default threshold 0.1.
    Psi,
    /// Jensen–Shannon distance ([`crate::distance::jensen_shannon`], log base
    /// [`DriftOptions::log_base`]). Default threshold 0.1.
    JensenShannon,
    /// Hellinger distance ([`crate::distance::hellinger`]). Default threshold 0.1.
    Hellinger,
    /// Kullback–Leibler divergence of the reference from the current distribution
    /// ([`crate::distance::kl_divergence`], smoothed). Default threshold 0.1.
    KlDivergence,
    /// Chi-square goodness of fit of the current counts to the reference proportions
    /// ([`crate::distance::chi2_goodness_of_fit`], Evidently's form). P-value test, default
    /// threshold 0.05.
    ChiSquare,
    /// Pooled two-proportion z-test on the share of the first category (first level, smallest
    /// value or first bin; [`crate::stats::proportions_ztest`]). P-value test, default
    /// threshold 0.05.
    ZTest,
}

impl Method {
    /// Every method, in declaration order.
    pub const ALL: [Method; 10] = [
        Method::Ks,
        Method::Wasserstein,
        Method::EnergyDistance,
        Method::AndersonDarling,
        Method::Psi,
        Method::JensenShannon,
        Method::Hellinger,
        Method::KlDivergence,
        Method::ChiSquare,
        Method::ZTest,
    ];

    /// The method's name as printed: `ks`, `wasserstein`, `energy`, `anderson`, `psi`,
    /// `jensen_shannon`, `hellinger`, `kl_div`, `chi_square`, `z_test`.
    pub fn name(self) -> &'static str {
        match self {
            Method::Ks => "ks",
            Method::Wasserstein => "wasserstein",
            Method::EnergyDistance => "energy",
            Method::AndersonDarling => "anderson",
            Method::Psi => "psi",
            Method::JensenShannon => "jensen_shannon",
            Method::Hellinger => "hellinger",
            Method::KlDivergence => "kl_div",
            Method::ChiSquare => "chi_square",
            Method::ZTest => "z_test",
        }
    }

    /// Whether the method gives a p-value (drift when below the threshold) rather than a
    /// distance (drift when at or above it).
    pub fn is_p_value(self) -> bool {
        matches!(
            self,
            Method::Ks | Method::AndersonDarling | Method::ChiSquare | Method::ZTest
        )
    }

    /// Whether the method needs numeric values (and so cannot run on a categorical column).
    pub fn needs_numeric(self) -> bool {
        matches!(
            self,
            Method::Ks | Method::Wasserstein | Method::EnergyDistance | Method::AndersonDarling
        )
    }

    /// The default threshold: 0.05 for KS, chi-square and the z-test, 0.1 for everything
    /// else (Evidently 0.7's defaults).
    pub fn default_threshold(self) -> f64 {
        match self {
            Method::Ks | Method::ChiSquare | Method::ZTest => 0.05,
            _ => 0.1,
        }
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Multiple-testing correction applied to the p-values of a report's p-value tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Correction {
    /// No correction (Evidently's behaviour). The default.
    #[default]
    None,
    /// Bonferroni: `min(1, p · m)` for `m` p-values.
    Bonferroni,
    /// Benjamini–Hochberg step-up adjusted p-values (as
    /// `scipy.stats.false_discovery_control(p, method="bh")`): `min(1, min_{k ≥ i} p_(k) m / k)`.
    BenjaminiHochberg,
}

/// How a [`super::DriftReport`] chooses and runs its tests.
///
/// # Parameters
/// - `methods` (default none): per-column method overrides, `(column, method)`.
/// - `thresholds` (default none): per-method threshold overrides; otherwise
///   [`Method::default_threshold`].
/// - `correction` (default [`Correction::None`]): multiple-testing correction of p-values.
/// - `drift_share` (default `0.5`, as Evidently): the dataset drifts when the share of drifted
///   columns is at least this.
/// - `small_sample` (default `1000`): references with at most this many non-missing values
///   get p-value tests, larger ones distances (the rules in the [module docs](super)).
/// - `discrete_values` (default `5`): a column with at most this many distinct values (in
///   reference and current together) is tested as categories.
/// - `log_base` (default `e`): the logarithm base of the Jensen–Shannon distance.
/// - `epsilon` (default `1e-4`): the smoothing of empty bins in PSI and KL divergence.
/// - `missing_threshold` (default `0.05`): the p-value below which a change in the share of
///   missing values is reported as missing-rate drift.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftOptions {
    /// Per-column method overrides. By default, none.
    pub methods: Vec<(String, Method)>,
    /// Per-method thresholds. By default, none (each method's default).
    pub thresholds: Vec<(Method, f64)>,
    /// Multiple-testing correction. By default, [`Correction::None`].
    pub correction: Correction,
    /// Share of drifted columns at which the dataset drifts. By default, `0.5`.
    pub drift_share: f64,
    /// Largest reference size tested with p-values. By default, `1000`.
    pub small_sample: usize,
    /// Most distinct values for a column to be tested as categories. By default, `5`.
    pub discrete_values: usize,
    /// Log base of the Jensen–Shannon distance. By default, `e`.
    pub log_base: f64,
    /// Smoothing of empty bins in PSI and KL divergence. By default, `1e-4`.
    pub epsilon: f64,
    /// P-value threshold of the missing-rate test. By default, `0.05`.
    pub missing_threshold: f64,
}

impl Default for DriftOptions {
    fn default() -> Self {
        Self {
            methods: Vec::new(),
            thresholds: Vec::new(),
            correction: Correction::None,
            drift_share: 0.5,
            small_sample: 1000,
            discrete_values: 5,
            log_base: std::f64::consts::E,
            epsilon: 1e-4,
            missing_threshold: 0.05,
        }
    }
}

impl DriftOptions {
    /// Tests `column` with `method` instead of the automatic choice (by default, automatic).
    pub fn with_method(mut self, column: &str, method: Method) -> Self {
        self.methods.retain(|(c, _)| c != column);
        self.methods.push((column.to_owned(), method));
        self
    }

    /// Sets the threshold of `method` (by default, [`Method::default_threshold`]).
    pub fn with_threshold(mut self, method: Method, threshold: f64) -> Self {
        self.thresholds.retain(|(m, _)| *m != method);
        self.thresholds.push((method, threshold));
        self
    }

    /// Sets [`DriftOptions::correction`] (by default, [`Correction::None`]).
    pub fn with_correction(mut self, correction: Correction) -> Self {
        self.correction = correction;
        self
    }

    /// Sets [`DriftOptions::drift_share`] (by default, `0.5`).
    pub fn with_drift_share(mut self, drift_share: f64) -> Self {
        self.drift_share = drift_share;
        self
    }

    /// Sets [`DriftOptions::small_sample`] (by default, `1000`).
    pub fn with_small_sample(mut self, small_sample: usize) -> Self {
        self.small_sample = small_sample;
        self
    }

    /// Sets [`DriftOptions::discrete_values`] (by default, `5`).
    pub fn with_discrete_values(mut self, discrete_values: usize) -> Self {
        self.discrete_values = discrete_values;
        self
    }

    /// Sets [`DriftOptions::log_base`] (by default, `e`).
    pub fn with_log_base(mut self, log_base: f64) -> Self {
        self.log_base = log_base;
        self
    }

    /// Sets [`DriftOptions::epsilon`] (by default, `1e-4`).
    pub fn with_epsilon(mut self, epsilon: f64) -> Self {
        self.epsilon = epsilon;
        self
    }

    /// Sets [`DriftOptions::missing_threshold`] (by default, `0.05`).
    pub fn with_missing_threshold(mut self, missing_threshold: f64) -> Self {
        self.missing_threshold = missing_threshold;
        self
    }

    /// The method forced for `column`, if any.
    pub fn method_for(&self, column: &str) -> Option<Method> {
        self.methods
            .iter()
            .find(|(c, _)| c == column)
            .map(|&(_, m)| m)
    }

    /// The threshold used for `method`.
    pub fn threshold(&self, method: Method) -> f64 {
        self.thresholds
            .iter()
            .find(|(m, _)| *m == method)
            .map_or(method.default_threshold(), |&(_, t)| t)
    }

    /// Checks the options.
    ///
    /// # Errors
    /// [`kiln_core::Error::InvalidParameter`] when a p-value threshold is outside (0, 1), a
    /// distance threshold is not positive and finite, `drift_share` is outside [0, 1],
    /// `log_base` is not positive or is 1, `epsilon` is not positive, or
    /// `missing_threshold` is outside (0, 1).
    pub fn validate(&self) -> Result<()> {
        const EST: &str = "DriftReport";
        for &(m, t) in &self.thresholds {
            if m.is_p_value() {
                check_param(
                    EST,
                    "thresholds",
                    t,
                    t > 0.0 && t < 1.0,
                    "in the range (0, 1) for a p-value test",
                )?;
            } else {
                check_param(
                    EST,
                    "thresholds",
                    t,
                    t > 0.0 && t.is_finite(),
                    "a float in the range (0, inf) for a distance",
                )?;
            }
        }
        check_param(
            EST,
            "drift_share",
            self.drift_share,
            (0.0..=1.0).contains(&self.drift_share),
            "a float in the range [0, 1]",
        )?;
        check_param(
            EST,
            "log_base",
            self.log_base,
            self.log_base > 0.0 && self.log_base.is_finite() && self.log_base != 1.0,
            "a float in the range (0, inf) other than 1",
        )?;
        check_param(
            EST,
            "epsilon",
            self.epsilon,
            self.epsilon > 0.0 && self.epsilon.is_finite(),
            "a float in the range (0, inf)",
        )?;
        check_param(
            EST,
            "missing_threshold",
            self.missing_threshold,
            self.missing_threshold > 0.0 && self.missing_threshold < 1.0,
            "a float in the range (0, 1)",
        )
    }
}
