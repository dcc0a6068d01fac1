//! Two-sample tests and distances on real values: Kolmogorov–Smirnov, Anderson–Darling
//! (k samples), Wasserstein-1 (raw and normalized), energy distance, and the two-proportion
//! z-test.
//!
//! Each function equals its scipy 1.17.1 counterpart (statsmodels' formula for the z-test,
//! Evidently 0.7's for the normalized Wasserstein distance) to 1e-10, checked against
//! fixtures made by `tests/reference/stats_reference.py`. Samples are `&[f64]` of finite
//! values in any order; NaN or infinity is an error that names the sample and the position
//! (drop missing values before testing). Every function sorts at most once and then merges,
//! O((n + m) log(n + m)), except the exact Kolmogorov–Smirnov p-value (see [`KsMethod`]).
//!
//! ```
//! use kiln_monitor::stats::{ks_2samp, wasserstein_distance, KsMethod};
//!
//! let reference: Vec<f64> = (0..100).map(f64::from).collect();
//! let current: Vec<f64> = (50..150).map(f64::from).collect();
//! let ks = ks_2samp(&reference, &current, KsMethod::Auto)?;
//! assert_eq!(ks.statistic, 0.5); // half the reference lies below every current value
//! assert!(ks.p_value < 1e-9); // drifted
//! assert_eq!(wasserstein_distance(&reference, &current)?, 50.0); // every value moved by 50
//! # Ok::<(), kiln_core::Error>(())
//! ```

mod anderson;
mod cdf_distance;
mod kolmogorov;
mod ks;
mod ztest;

pub use anderson::{ANDERSON_SIGNIFICANCE_LEVELS, AndersonResult, anderson_ksamp};
pub use cdf_distance::{
    energy_distance, energy_distance_weighted, wasserstein_distance, wasserstein_distance_weighted,
    wasserstein_normalized,
};
pub use ks::{KsMethod, KsResult, ks_2samp, ks_2samp_sorted};
pub use ztest::{ZTestResult, proportions_ztest};

use kiln_core::{Error, Result};

/// Checks that a sample is non-empty and finite.
fn check_sample(x: &[f64], what: &str) -> Result<()> {
    if x.is_empty() {
        return Err(Error::EmptyInput {
            what: what.to_owned(),
            reason: "0 values; at least 1 is needed".into(),
        });
    }
    // Branch-free scan first (vectorizes); the position is only searched when it fails.
    if x.iter().fold(true, |ok, v| ok & v.is_finite()) {
        return Ok(());
    }
    match x.iter().position(|v| !v.is_finite()) {
        Some(row) => Err(Error::NonFinite {
            what: what.to_owned(),
            row,
            col: None,
            value: x[row],
        }),
        None => Ok(()),
    }
}

/// Checks that a sample is sorted ascending.
fn check_sorted(x: &[f64], what: &str) -> Result<()> {
    match x.windows(2).position(|w| w[0] > w[1]) {
        None => Ok(()),
        Some(i) => Err(Error::InvalidValue {
            what: what.to_owned(),
            row: Some(i + 1),
            reason: format!(
                "the sample must be sorted ascending; {} follows {}",
                x[i + 1],
                x[i]
            ),
        }),
    }
}

fn sorted_copy(x: &[f64]) -> Vec<f64> {
    let mut v = x.to_vec();
    v.sort_unstable_by(f64::total_cmp);
    v
}

/// Neumaier's compensated sum: error independent of the number of terms.
#[derive(Default)]
struct Neumaier {
    sum: f64,
    comp: f64,
}

impl Neumaier {
    fn add(&mut self, x: f64) {
        let t = self.sum + x;
        self.comp += if self.sum.abs() >= x.abs() {
            (self.sum - t) + x
        } else {
            (x - t) + self.sum
        };
        self.sum = t;
    }

    fn sum(&self) -> f64 {
        self.sum + self.comp
    }
}
