//! The digamma function ψ(x) = Γ′(x)/Γ(x), for the k-nearest-neighbour estimators.
//!
//! For `x ≥ 10` the asymptotic (Stirling) series
//! `ψ(x) = ln x − 1/(2x) − Σ_{k≥1} B_{2k} / (2k·x^{2k})` (DLMF 5.11.2) is summed to the
//! `x^{-14}` term: the first omitted term, `3617/(8160·x^16)`, is below `5·10^-17` there.
//! Smaller arguments are first shifted up with the recurrence `ψ(x) = ψ(x+1) − 1/x`
//! (DLMF 5.5.2); negative ones use the reflection `ψ(1−x) − ψ(x) = π·cot(πx)` (DLMF 5.5.4).

/// Coefficients `B_{2k} / (2k)` of the asymptotic series, for `k = 1..=7`.
const ASYMPTOTIC: [f64; 7] = [
    1.0 / 12.0,
    -1.0 / 120.0,
    1.0 / 252.0,
    -1.0 / 240.0,
    1.0 / 132.0,
    -691.0 / 32760.0,
    1.0 / 12.0,
];

/// Where the asymptotic series is accurate to double precision.
const SERIES_FROM: f64 = 10.0;

/// ψ(x), as SciPy's `digamma`: −∞ at 0, NaN at the negative integers and for NaN.
pub(crate) fn digamma(x: f64) -> f64 {
    if x.is_nan() || x == f64::NEG_INFINITY {
        return f64::NAN;
    }
    if x <= 0.0 {
        if x == 0.0 {
            return f64::NEG_INFINITY;
        }
        if x == x.floor() {
            return f64::NAN;
        }
        // The reflection keeps the shifted argument positive; tan(πx) is taken on the
        // fractional part so that large |x| does not lose the phase.
        let frac = x - x.floor();
        return digamma(1.0 - x) - std::f64::consts::PI / (std::f64::consts::PI * frac).tan();
    }
    let mut shift = 0.0;
    let mut z = x;
    while z < SERIES_FROM {
        shift += 1.0 / z;
        z += 1.0;
    }
    if z == f64::INFINITY {
        return f64::INFINITY;
    }
    let inv2 = 1.0 / (z * z);
    // Horner in 1/z² from the smallest term up.
    let tail = ASYMPTOTIC.iter().rev().fold(0.0, |acc, &c| acc * inv2 + c) * inv2;
    z.ln() - 0.5 / z - tail - shift
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SciPy 1.17.1 values stored in the fixture by `tests/reference/mutual_info_reference.py`.
    #[test]
    fn digamma_matches_scipy() {
        let text = include_str!("../../../tests/fixtures/mutual_info.json");
        let doc: serde_json::Value = serde_json::from_str(text).unwrap();
        let pairs = doc["digamma"].as_array().unwrap();
        assert!(pairs.len() > 60);
        for pair in pairs {
            let x = pair[0].as_f64().unwrap();
            let want = pair[1].as_f64().unwrap();
            let got = digamma(x);
            // Relative where ψ is large, absolute near its root at 1.4616.
            let tol = 4.0 * f64::EPSILON * want.abs().max(1.0);
            assert!(
                (got - want).abs() <= tol,
                "digamma({x}) = {got:e}, SciPy {want:e} (diff {:e})",
                (got - want).abs()
            );
        }
    }

    #[test]
    fn digamma_special_points() {
        assert_eq!(digamma(0.0), f64::NEG_INFINITY);
        assert!(digamma(-3.0).is_nan());
        assert!(digamma(f64::NAN).is_nan());
        assert_eq!(digamma(f64::INFINITY), f64::INFINITY);
        // ψ(1) = −γ (Euler–Mascheroni), hand value.
        assert!((digamma(1.0) + 0.577_215_664_901_532_9).abs() < 4.0 * f64::EPSILON);
        // ψ(n+1) = ψ(n) + 1/n
        for n in 1..200 {
            let n = f64::from(n);
            assert!((digamma(n + 1.0) - digamma(n) - 1.0 / n).abs() < 4e-15 * n.ln().max(1.0));
        }
    }
}
