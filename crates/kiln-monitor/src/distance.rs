//! Distances and tests between binned or categorical distributions: binning rules, population
//! stability index, Jensen–Shannon, Hellinger, Kullback–Leibler and Pearson's χ².
//!
//! Every distance takes two **count** vectors over the same bins (a reference and a current
//! sample); counts are normalized inside, so proportions work too. Numeric columns are binned
//! first: [`bin_edges`] cuts the reference by a [`Binning`] rule (stored in a profile), and
//! [`histogram`] counts any later batch on those edges, folding values outside the reference
//! range into the outer bins. Categorical columns are aligned by name with
//! [`align_categories`] / [`category_counts`], which keep and report new categories.
//!
//! ```
//! use kiln_monitor::distance::{
//!     Binning, bin_edges, chi2_contingency, histogram, jensen_shannon, psi,
//! };
//!
//! let reference: Vec<f64> = (0..1000).map(|i| f64::from(i) / 10.0).collect();
//! let current: Vec<f64> = reference.iter().map(|v| v + 20.0).collect();
//! let edges = bin_edges(&reference, &Binning::Quantile { n_bins: 10 })?;
//! let ref_counts = histogram(&reference, &edges)?;
//! let cur_counts = histogram(&current, &edges)?;
//! assert_eq!(ref_counts, vec![100.0; 10]);
//! // The shifted batch piles 30% of its mass into the last bin (values beyond the reference).
//! assert_eq!(cur_counts[9], 300.0);
//!
//! let index = psi(&ref_counts, &cur_counts, 1e-4)?;
//! assert!(index > 0.25, "a large shift: PSI = {index}");
//! let js = jensen_shannon(&ref_counts, &cur_counts, 2.0)?; // in bits, at most 1
//! assert!(js > 0.1 && js < 1.0);
//! let test = chi2_contingency(&ref_counts, &cur_counts)?;
//! assert_eq!(test.dof, 9);
//! assert!(test.p_value < 1e-10);
//! # Ok::<(), kiln_core::Error>(())
//! ```
//!
//! # Conventions
//! - PSI: `Σ (p_cur − p_ref) ln(p_cur / p_ref)` in nats, empty proportions replaced by a stated
//!   epsilon ([`psi`], [`ZeroFill`]).
//! - Jensen–Shannon is the **distance** (square root of the divergence) of SciPy, log base a
//!   parameter; Hellinger is in `[0, 1]`; KL is in nats.
//! - χ² tests equal SciPy's `chi2_contingency` (with Yates' correction on 2 × 2 tables) and
//!   `chisquare`; p-values from [`kiln_core::special::chi2_sf`].
//!
//! # Reproducing Evidently and NannyML
//! [`Binning::evidently`] and [`Binning::nannyml`] name their binning rules;
//! [`evidently_binned`] and [`nannyml_binned`] run their complete procedures (Evidently pools
//! reference and current to place its edges, which a stored profile cannot do), and their docs
//! say which distance call then gives each library's number.
//!
//! # Errors
//! Empty vectors, vectors of different lengths, NaN or infinite values, negative counts and
//! all-zero distributions are typed [`kiln_core::Error`]s naming the input and position.

mod binning;
mod categorical;
mod chi2;
mod divergence;
mod preset;

pub use binning::{Binning, bin_edges, histogram, histogram_with_overflow};
pub use categorical::{CategoryCounts, align_categories, category_counts, count_levels};
pub use chi2::{Chi2Result, chi2_contingency, chi2_goodness_of_fit};
pub use divergence::{
    ZeroFill, hellinger, jensen_shannon, kl_divergence, kl_divergence_with, psi, psi_with,
};
pub use preset::{BinnedCounts, Bins, evidently_binned, nannyml_binned};

use kiln_core::{Error, Result};

/// Checks a sample of real values: non-empty and finite.
fn check_values(values: &[f64], what: &str) -> Result<()> {
    if values.is_empty() {
        return Err(Error::EmptyInput {
            what: what.to_owned(),
            reason: "0 values; at least 1 is needed".into(),
        });
    }
    match values.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(row) => Err(Error::NonFinite {
            what: what.to_owned(),
            row,
            col: None,
            value: values[row],
        }),
    }
}

/// Checks a count vector: finite and non-negative (it may be empty or sum to 0).
fn check_counts(counts: &[f64], what: &str) -> Result<()> {
    if let Some(row) = counts.iter().position(|v| !v.is_finite()) {
        return Err(Error::NonFinite {
            what: what.to_owned(),
            row,
            col: None,
            value: counts[row],
        });
    }
    if let Some(row) = counts.iter().position(|&v| v < 0.0) {
        return Err(Error::InvalidValue {
            what: what.to_owned(),
            row: Some(row),
            reason: format!("counts must be >= 0; got {}", counts[row]),
        });
    }
    Ok(())
}

/// Checks two count vectors over the same bins: non-empty, same length, finite, non-negative,
/// each with a positive total.
fn check_counts_pair(reference: &[f64], current: &[f64]) -> Result<()> {
    for (counts, what) in [(reference, "reference counts"), (current, "current counts")] {
        if counts.is_empty() {
            return Err(Error::EmptyInput {
                what: what.to_owned(),
                reason: "0 bins; at least 1 is needed".into(),
            });
        }
    }
    kiln_core::check::check_same_len(
        "number of current bins against reference bins",
        reference.len(),
        current.len(),
    )?;
    for (counts, what) in [(reference, "reference counts"), (current, "current counts")] {
        check_counts(counts, what)?;
        if counts.iter().sum::<f64>() <= 0.0 {
            return Err(Error::InvalidValue {
                what: what.to_owned(),
                row: None,
                reason: "all counts are 0; a distribution needs a positive total".into(),
            });
        }
    }
    Ok(())
}
