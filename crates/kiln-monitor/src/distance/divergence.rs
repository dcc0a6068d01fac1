//! PSI, Jensen–Shannon, Hellinger and Kullback–Leibler between two count vectors.

use kiln_core::Result;
use serde::{Deserialize, Serialize};

use super::check_counts_pair;

/// How empty bins are filled before a logarithm meets them (PSI and KL divergence).
///
/// Proportions are `p_i = c_i / Σ c`; a fill replaces each proportion that is exactly 0.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ZeroFill {
    /// Replace empty proportions by this constant (e.g. `1e-4`, Evidently's usual value).
    /// With 0 no smoothing happens, and an empty bin facing a non-empty one gives `+inf`.
    Constant(f64),
    /// Evidently 0.7.23's rule (`get_binned_data(..., feel_zeroes=True)`), per distribution:
    /// fill with `1e-4`, unless its smallest non-zero proportion is `≤ 1e-4`, then with that
    /// proportion `/ 10⁶`.
    Evidently,
}

impl ZeroFill {
    fn value(self, proportions: &[f64]) -> f64 {
        match self {
            ZeroFill::Constant(eps) => eps,
            ZeroFill::Evidently => {
                let min_nonzero = proportions
                    .iter()
                    .copied()
                    .filter(|&p| p != 0.0)
                    .fold(f64::INFINITY, f64::min);
                if min_nonzero <= 1e-4 {
                    min_nonzero / 1e6
                } else {
                    1e-4
                }
            }
        }
    }

    fn check(self) -> Result<()> {
        match self {
            ZeroFill::Constant(eps) => kiln_core::check::check_param(
                "ZeroFill",
                "epsilon",
                eps,
                eps.is_finite() && eps >= 0.0,
                "a float in the range [0, inf)",
            ),
            ZeroFill::Evidently => Ok(()),
        }
    }
}

/// `c / Σ c`, with zeros replaced per `fill` (`None`: left at 0).
fn proportions(counts: &[f64], fill: Option<ZeroFill>) -> Vec<f64> {
    let total: f64 = counts.iter().sum();
    let mut p: Vec<f64> = counts.iter().map(|&c| c / total).collect();
    if let Some(fill) = fill {
        let eps = fill.value(&p);
        p.iter_mut().filter(|v| **v == 0.0).for_each(|v| *v = eps);
    }
    p
}

/// Population stability index between the bin counts of a reference and a current sample:
/// `PSI = Σᵢ (p_cur,i − p_ref,i) · ln(p_cur,i / p_ref,i)`, proportions `p = c / Σ c`, with every
/// empty proportion replaced by `epsilon` first (not renormalized, as Evidently).
///
/// `epsilon = 1e-4` is Evidently's fill whenever no non-empty bin holds less than 0.01% of a
/// sample; [`psi_with`] and [`ZeroFill::Evidently`] give its exact rule. Common reading: below
/// 0.1 no significant change, 0.1–0.25 moderate, above 0.25 large (Evidently's threshold: 0.1).
///
/// # Example
/// ```
/// use kiln_monitor::distance::psi;
///
/// // Shares (0.5, 0.5, 0) against (0.25, 0.25, 0.5); the empty reference bin counts as 1e-4.
/// let value = psi(&[50.0, 50.0, 0.0], &[25.0, 25.0, 50.0], 1e-4)?;
/// let by_hand = 2.0 * (0.25 - 0.5) * (0.25_f64 / 0.5).ln() + (0.5 - 1e-4) * (0.5_f64 / 1e-4).ln();
/// assert!((value - by_hand).abs() < 1e-12);
/// # Ok::<(), kiln_core::Error>(())
/// ```
///
/// # Errors
/// As [`psi_with`].
///
/// # References
/// Siddiqi, N. (2006). *Credit Risk Scorecards*, Wiley, ch. 8 (population stability).
pub fn psi(ref_counts: &[f64], cur_counts: &[f64], epsilon: f64) -> Result<f64> {
    psi_with(ref_counts, cur_counts, ZeroFill::Constant(epsilon))
}

/// [`psi`] with the fill of empty bins chosen by `fill`.
///
/// # Errors
/// [`Error::EmptyInput`](kiln_core::Error::EmptyInput) for empty vectors, [`Error::ShapeMismatch`](kiln_core::Error::ShapeMismatch) for vectors of different
/// lengths, [`Error::NonFinite`](kiln_core::Error::NonFinite) / [`Error::InvalidValue`](kiln_core::Error::InvalidValue) for NaN, infinite or negative counts
/// or a zero total, [`Error::InvalidParameter`](kiln_core::Error::InvalidParameter) for a negative or non-finite epsilon.
pub fn psi_with(ref_counts: &[f64], cur_counts: &[f64], fill: ZeroFill) -> Result<f64> {
    check_counts_pair(ref_counts, cur_counts)?;
    fill.check()?;
    let p = proportions(ref_counts, Some(fill));
    let q = proportions(cur_counts, Some(fill));
    Ok(p.iter()
        .zip(&q)
        // Evidently's order of operations, `(r − c) ln(r / c)`: the same value to rounding.
        .map(|(&r, &c)| (r - c) * (r / c).ln())
        .sum())
}

/// Jensen–Shannon **distance** (the square root of the divergence) between two count vectors,
/// equal to `scipy.spatial.distance.jensenshannon(ref_counts, cur_counts, base)`:
/// with `p, q` normalized to sum 1 and `m = (p + q) / 2`,
/// `JS = √((KL(p‖m) + KL(q‖m)) / (2 ln base))`, terms with a zero proportion counting 0.
///
/// Bounded by 1 in base 2 (and by `√ln 2 ≈ 0.833` in base e). Evidently uses base e (its
/// `base=None`), NannyML base 2; pass [`std::f64::consts::E`] for natural logarithms.
///
/// # Errors
/// As [`psi_with`]; [`Error::InvalidParameter`](kiln_core::Error::InvalidParameter) unless `base` is finite, positive and not 1.
///
/// # References
/// Lin, J. (1991). Divergence measures based on the Shannon entropy. *IEEE Transactions on
/// Information Theory* 37(1), 145–151. Endres, D. M. & Schindelin, J. E. (2003). A new metric
/// for probability distributions. *IEEE Trans. Inf. Theory* 49(7), 1858–1860.
pub fn jensen_shannon(ref_counts: &[f64], cur_counts: &[f64], base: f64) -> Result<f64> {
    check_counts_pair(ref_counts, cur_counts)?;
    kiln_core::check::check_param(
        "jensen_shannon",
        "base",
        base,
        base.is_finite() && base > 0.0 && base != 1.0,
        "a finite float > 0 other than 1",
    )?;
    let p = proportions(ref_counts, None);
    let q = proportions(cur_counts, None);
    // scipy's `rel_entr(x, y) = x ln(x / y)` (0 for x = 0), summed per side.
    let rel = |x: f64, m: f64| if x > 0.0 { x * (x / m).ln() } else { 0.0 };
    let (mut left, mut right) = (0.0, 0.0);
    for (&a, &b) in p.iter().zip(&q) {
        let m = (a + b) / 2.0;
        left += rel(a, m);
        right += rel(b, m);
    }
    let js = (left + right) / base.ln();
    Ok((js / 2.0).max(0.0).sqrt())
}

/// Hellinger distance between two count vectors, in `[0, 1]`:
/// `H = ‖√p − √q‖₂ / √2` with `p, q` normalized to sum 1 (equal to `√(1 − Σ √(pᵢ qᵢ))`; this
/// form keeps precision for close distributions). NannyML's formula.
///
/// # Errors
/// As [`psi_with`].
///
/// # References
/// Hellinger, E. (1909). Neue Begründung der Theorie quadratischer Formen von unendlichvielen
/// Veränderlichen. *J. reine angew. Math.* 136, 210–271.
pub fn hellinger(p: &[f64], q: &[f64]) -> Result<f64> {
    check_counts_pair(p, q)?;
    let p = proportions(p, None);
    let q = proportions(q, None);
    let ss: f64 = p
        .iter()
        .zip(&q)
        .map(|(&a, &b)| {
            let d = a.sqrt() - b.sqrt();
            d * d
        })
        .sum();
    Ok((ss / 2.0).sqrt())
}

/// Kullback–Leibler divergence `KL(p ‖ q) = Σ pᵢ ln(pᵢ / qᵢ)` in nats, from count vectors.
///
/// Both vectors are normalized to sum 1, empty proportions are replaced by `epsilon`, and the
/// results are normalized again (as `scipy.stats.entropy(p_smoothed, q_smoothed)`, which is
/// what Evidently's `kl_div` computes). `epsilon = 0` gives the unsmoothed divergence, `+inf`
/// when some `qᵢ = 0 < pᵢ`. Not symmetric: `p` is the distribution the data follow (the
/// current batch, for drift), `q` the model of it (the reference). Evidently's `kl_div` passes
/// the reference as `p`.
///
/// # Errors
/// As [`psi_with`].
///
/// # References
/// Kullback, S. & Leibler, R. A. (1951). On information and sufficiency. *Annals of
/// Mathematical Statistics* 22(1), 79–86.
pub fn kl_divergence(p: &[f64], q: &[f64], epsilon: f64) -> Result<f64> {
    kl_divergence_with(p, q, ZeroFill::Constant(epsilon))
}

/// [`kl_divergence`] with the fill of empty bins chosen by `fill`. Evidently's `kl_div`
/// statistic is `kl_divergence_with(reference, current, ZeroFill::Evidently)` on its bins.
///
/// # Errors
/// As [`psi_with`].
pub fn kl_divergence_with(p: &[f64], q: &[f64], fill: ZeroFill) -> Result<f64> {
    check_counts_pair(p, q)?;
    fill.check()?;
    let p = proportions(&proportions(p, Some(fill)), None);
    let q = proportions(&proportions(q, Some(fill)), None);
    let mut kl = 0.0;
    for (&a, &b) in p.iter().zip(&q) {
        if a > 0.0 {
            if b > 0.0 {
                kl += a * (a / b).ln();
            } else {
                return Ok(f64::INFINITY);
            }
        }
    }
    Ok(kl)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_core::Error;

    #[test]
    fn evidently_fill_uses_smallest_share_when_tiny() {
        assert_eq!(ZeroFill::Evidently.value(&[0.5, 0.5, 0.0]), 1e-4);
        let tiny = 5e-5;
        assert_eq!(
            ZeroFill::Evidently.value(&[1.0 - tiny, tiny, 0.0]),
            tiny / 1e6
        );
    }

    #[test]
    fn negative_epsilon_is_rejected() {
        let e = psi(&[1.0, 2.0], &[2.0, 1.0], -1.0).unwrap_err();
        assert!(matches!(e, Error::InvalidParameter { .. }), "{e}");
    }
}
