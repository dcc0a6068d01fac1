//! Distances between the empirical distribution functions of two samples: Wasserstein-1
//! and energy distance, as scipy 1.17's `stats.wasserstein_distance` / `energy_distance`.

use kiln_core::{Error, Result};

use super::{Neumaier, check_sample, sorted_copy};

/// A sample sorted by value, with its cumulative weights when weighted.
struct Ecdf {
    values: Vec<f64>,
    /// `cum[i]` = total weight of the `i` smallest values (`cum[0] = 0`); `None` when
    /// unweighted, where the CDF is `i / n` exactly as scipy computes it.
    cum: Option<Vec<f64>>,
}

impl Ecdf {
    fn new(x: &[f64], what: &str, weights: Option<&[f64]>, weights_what: &str) -> Result<Self> {
        check_sample(x, what)?;
        let Some(w) = weights else {
            return Ok(Self {
                values: sorted_copy(x),
                cum: None,
            });
        };
        check_weights(w, x.len(), what, weights_what)?;
        let mut order: Vec<usize> = (0..x.len()).collect();
        order.sort_unstable_by(|&a, &b| x[a].total_cmp(&x[b]));
        let values = order.iter().map(|&i| x[i]).collect();
        let mut cum = Vec::with_capacity(x.len() + 1);
        let mut acc = 0.0;
        cum.push(acc);
        // A plain running sum, as np.cumsum.
        for &i in &order {
            acc += w[i];
            cum.push(acc);
        }
        Ok(Self {
            values,
            cum: Some(cum),
        })
    }

    /// The CDF after the `count` smallest values.
    fn cdf(&self, count: usize) -> f64 {
        match &self.cum {
            None => count as f64 / self.values.len() as f64,
            Some(cum) => cum[count] / cum[self.values.len()],
        }
    }
}

/// Checks weights as scipy does: one per value, finite, non-negative, with a positive sum.
fn check_weights(w: &[f64], n: usize, what: &str, weights_what: &str) -> Result<()> {
    if w.len() != n {
        return Err(Error::ShapeMismatch {
            what: format!("length of {weights_what} against {what}"),
            expected: n,
            got: w.len(),
        });
    }
    if let Some(row) = w.iter().position(|v| !v.is_finite()) {
        return Err(Error::NonFinite {
            what: weights_what.to_owned(),
            row,
            col: None,
            value: w[row],
        });
    }
    if let Some(row) = w.iter().position(|&v| v < 0.0) {
        return Err(Error::InvalidValue {
            what: weights_what.to_owned(),
            row: Some(row),
            reason: format!("weights must be >= 0; got {}", w[row]),
        });
    }
    let total: f64 = w.iter().sum();
    if !(total > 0.0 && total.is_finite()) {
        return Err(Error::InvalidValue {
            what: weights_what.to_owned(),
            row: None,
            reason: format!("the weights must have a positive, finite sum; got {total}"),
        });
    }
    Ok(())
}

/// `∫ |F_u − F_v|^p` over the pooled sorted values (scipy's `_cdf_distance` before the root),
/// by one merge pass.
fn cdf_integral(u: &Ecdf, v: &Ecdf, p: u8) -> f64 {
    let (uv, vv) = (&u.values, &v.values);
    let (mut i, mut j) = (0, 0);
    let mut acc = Neumaier::default();
    let mut prev: Option<f64> = None;
    while i < uv.len() || j < vv.len() {
        let x = match (uv.get(i), vv.get(j)) {
            (Some(&a), Some(&b)) => a.min(b),
            (Some(&a), None) => a,
            (None, Some(&b)) => b,
            (None, None) => break,
        };
        if let Some(prev_x) = prev {
            // The CDFs at prev_x (counts of values <= prev_x) apply on [prev_x, x).
            let diff = u.cdf(i) - v.cdf(j);
            let delta = x - prev_x;
            acc.add(if p == 1 { diff.abs() } else { diff * diff } * delta);
        }
        while i < uv.len() && uv[i] <= x {
            i += 1;
        }
        while j < vv.len() && vv[j] <= x {
            j += 1;
        }
        prev = Some(x);
    }
    acc.sum()
}

/// The first Wasserstein distance between two samples (equal weights), as scipy 1.17's
/// `scipy.stats.wasserstein_distance(u, v)`: `∫ |F_u(x) − F_v(x)| dx`.
///
/// # Errors
/// [`kiln_core::Error::EmptyInput`] for an empty sample, [`kiln_core::Error::NonFinite`]
/// (with the position) for NaN or infinity.
///
/// # Notes
/// Sorts copies of both samples, then one merge pass: O((n + m) log(n + m)). The sum is
/// compensated (Neumaier), so it is at least as accurate as scipy's.
///
/// # Example
/// ```
/// use kiln_monitor::stats::wasserstein_distance;
///
/// // Shifting a sample by 2 moves every unit of mass by 2.
/// let d = wasserstein_distance(&[0.0, 1.0, 3.0], &[2.0, 3.0, 5.0])?;
/// assert!((d - 2.0).abs() < 1e-15);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn wasserstein_distance(u: &[f64], v: &[f64]) -> Result<f64> {
    wasserstein_distance_weighted(u, v, None, None)
}

/// The energy distance between two samples (equal weights), as scipy 1.17's
/// `scipy.stats.energy_distance(u, v)`: `sqrt(2 ∫ (F_u(x) − F_v(x))² dx)`.
///
/// # Errors
/// As [`wasserstein_distance`].
///
/// # Notes
/// This is the square root of Székely's energy distance
/// `2E|X−Y| − E|X−X'| − E|Y−Y'|`, as scipy defines it. O((n + m) log(n + m)).
///
/// # References
/// G. J. Székely, "E-statistics: the energy of statistical samples", 2002; M. G. Bellemare
/// et al., "The Cramer Distance as a Solution to Biased Wasserstein Gradients", 2017.
///
/// # Example
/// ```
/// use kiln_monitor::stats::energy_distance;
///
/// let d = energy_distance(&[0.0], &[2.0])?;
/// assert!((d - 2.0).abs() < 1e-15); // sqrt(2 · 2)
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn energy_distance(u: &[f64], v: &[f64]) -> Result<f64> {
    energy_distance_weighted(u, v, None, None)
}

/// The Wasserstein-1 distance divided by the reference sample's spread, as Evidently 0.7's
/// `wasserstein` drift test ("Wasserstein distance (normed)").
///
/// `wasserstein_distance(reference, current) / max(std(reference), 0.001)`, where `std` is
/// the population standard deviation (ddof = 0, `np.std`), and the floor 0.001 keeps a
/// constant reference column from dividing by zero — both as Evidently does.
///
/// # Errors
/// As [`wasserstein_distance`].
///
/// # Example
/// ```
/// use kiln_monitor::stats::wasserstein_normalized;
///
/// // Reference std is 1 (values -1 and 1), shift of 0.5.
/// let d = wasserstein_normalized(&[-1.0, 1.0], &[-0.5, 1.5])?;
/// assert!((d - 0.5).abs() < 1e-15);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn wasserstein_normalized(reference: &[f64], current: &[f64]) -> Result<f64> {
    let w = wasserstein_distance(reference, current)?;
    let n = reference.len() as f64;
    // Compensated sums: np.std's pairwise sums are accurate to about 1e-16 relative.
    let mut sum = Neumaier::default();
    reference.iter().for_each(|&x| sum.add(x));
    let mean = sum.sum() / n;
    let mut ss = Neumaier::default();
    reference
        .iter()
        .for_each(|&x| ss.add((x - mean) * (x - mean)));
    finite(
        w / (ss.sum() / n).sqrt().max(0.001),
        "wasserstein_normalized",
    )
}

/// `value`, or an error when it is not finite: finite samples whose spread overflows f64
/// (values near ±1e308) give NaN or infinite distances, as in SciPy (found by probing).
fn finite(value: f64, what: &str) -> Result<f64> {
    if value.is_finite() {
        return Ok(value);
    }
    Err(kiln_core::Error::InvalidValue {
        what: what.into(),
        row: None,
        reason: format!(
            "the distance is {value}: the samples' values are too large for f64 (their \
             differences overflow); rescale them"
        ),
    })
}

/// [`wasserstein_distance`] with optional weights per value, as scipy's
/// `wasserstein_distance(u, v, u_weights, v_weights)`: each sample's CDF is its cumulative
/// weight over its total weight. `None` gives every value the same weight.
///
/// # Errors
/// As [`wasserstein_distance`]; for weights, [`Error::ShapeMismatch`] (not one per value),
/// [`Error::NonFinite`], and [`Error::InvalidValue`] (a negative weight, or a sum that is not
/// positive and finite), as scipy rejects them.
///
/// # Example
/// ```
/// use kiln_monitor::stats::{wasserstein_distance, wasserstein_distance_weighted};
///
/// // A weight of 2 counts a value twice.
/// let w = wasserstein_distance_weighted(&[0.0, 1.0], &[0.5], Some(&[2.0, 1.0]), None)?;
/// assert_eq!(w, wasserstein_distance(&[0.0, 0.0, 1.0], &[0.5])?);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn wasserstein_distance_weighted(
    u: &[f64],
    v: &[f64],
    u_weights: Option<&[f64]>,
    v_weights: Option<&[f64]>,
) -> Result<f64> {
    let u = Ecdf::new(u, "u", u_weights, "u_weights")?;
    let v = Ecdf::new(v, "v", v_weights, "v_weights")?;
    finite(cdf_integral(&u, &v, 1), "wasserstein_distance")
}

/// [`energy_distance`] with optional weights per value, as scipy's
/// `energy_distance(u, v, u_weights, v_weights)`.
///
/// # Errors
/// As [`wasserstein_distance_weighted`].
///
/// # Example
/// ```
/// use kiln_monitor::stats::{energy_distance, energy_distance_weighted};
///
/// let e = energy_distance_weighted(&[0.0, 1.0], &[0.5], Some(&[1.0, 3.0]), None)?;
/// assert!((e - energy_distance(&[0.0, 1.0, 1.0, 1.0], &[0.5])?).abs() < 1e-15);
/// # Ok::<(), kiln_core::Error>(())
/// ```
pub fn energy_distance_weighted(
    u: &[f64],
    v: &[f64],
    u_weights: Option<&[f64]>,
    v_weights: Option<&[f64]>,
) -> Result<f64> {
    let u = Ecdf::new(u, "u", u_weights, "u_weights")?;
    let v = Ecdf::new(v, "v", v_weights, "v_weights")?;
    finite(
        std::f64::consts::SQRT_2 * cdf_integral(&u, &v, 2).sqrt(),
        "energy_distance",
    )
}
