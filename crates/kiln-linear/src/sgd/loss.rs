//! The per-sample losses of SGD and their derivatives in the prediction `p`.
//!
//! Each is the function scikit-learn 1.9 uses (its `_sgd_fast` classes and the `Cy*Loss`
//! classes of `sklearn._loss`), written so that the floating-point operations happen in the
//! same order: with shuffling off, kiln and scikit-learn then take the same steps.

/// A loss `L(y, p)` of one sample with target `y` and prediction `p`.
pub(super) trait LossFn: Sync {
    /// The loss value (used only by the stopping rule).
    fn loss(&self, y: f64, p: f64) -> f64;
    /// `∂L/∂p`.
    fn dloss(&self, y: f64, p: f64) -> f64;
}

/// Hinge `max(0, threshold − y·p)` for `y ∈ {−1, 1}`; threshold 0 is the perceptron.
pub(super) struct Hinge(pub f64);

impl LossFn for Hinge {
    #[inline]
    fn loss(&self, y: f64, p: f64) -> f64 {
        let z = p * y;
        if z <= self.0 { self.0 - z } else { 0.0 }
    }
    #[inline]
    fn dloss(&self, y: f64, p: f64) -> f64 {
        if p * y <= self.0 { -y } else { 0.0 }
    }
}

/// Squared hinge `max(0, 1 − y·p)²`.
pub(super) struct SquaredHinge;

impl LossFn for SquaredHinge {
    #[inline]
    fn loss(&self, y: f64, p: f64) -> f64 {
        let z = 1.0 - p * y;
        if z > 0.0 { z * z } else { 0.0 }
    }
    #[inline]
    fn dloss(&self, y: f64, p: f64) -> f64 {
        let z = 1.0 - p * y;
        if z > 0.0 { -2.0 * y * z } else { 0.0 }
    }
}

/// Modified Huber (Zhang 2004): quadratically smoothed hinge, linear below `y·p = −1`.
pub(super) struct ModifiedHuber;

impl LossFn for ModifiedHuber {
    #[inline]
    fn loss(&self, y: f64, p: f64) -> f64 {
        let z = p * y;
        if z >= 1.0 {
            0.0
        } else if z >= -1.0 {
            (1.0 - z) * (1.0 - z)
        } else {
            -4.0 * z
        }
    }
    #[inline]
    fn dloss(&self, y: f64, p: f64) -> f64 {
        let z = p * y;
        if z >= 1.0 {
            0.0
        } else if z >= -1.0 {
            2.0 * (1.0 - z) * -y
        } else {
            -4.0 * y
        }
    }
}

/// `log(1 + eˣ)` without overflow or cancellation, piecewise as scikit-learn's `log1pexp`.
#[inline]
fn log1pexp(x: f64) -> f64 {
    if x <= -37.0 {
        x.exp()
    } else if x <= -2.0 {
        x.exp().ln_1p()
    } else if x <= 18.0 {
        (1.0 + x.exp()).ln()
    } else if x <= 33.3 {
        x + (-x).exp()
    } else {
        x
    }
}

/// Log-loss (binomial negative log-likelihood) for `y ∈ {0, 1}`.
pub(super) struct LogLoss;

impl LossFn for LogLoss {
    #[inline]
    fn loss(&self, y: f64, p: f64) -> f64 {
        log1pexp(p) - y * p
    }
    #[inline]
    fn dloss(&self, y: f64, p: f64) -> f64 {
        // sigmoid(p) − y, in the form that cannot overflow for p > −37 (below it the
        // sigmoid equals eᵖ to machine precision).
        if p > -37.0 {
            let e = (-p).exp();
            ((1.0 - y) - y * e) / (1.0 + e)
        } else {
            p.exp() - y
        }
    }
}

/// Half squared error `½(p − y)²`.
pub(super) struct Squared;

impl LossFn for Squared {
    #[inline]
    fn loss(&self, y: f64, p: f64) -> f64 {
        0.5 * (p - y) * (p - y)
    }
    #[inline]
    fn dloss(&self, y: f64, p: f64) -> f64 {
        p - y
    }
}

/// Huber with threshold `delta` (scikit-learn's `epsilon`): quadratic, then linear.
pub(super) struct Huber(pub f64);

impl LossFn for Huber {
    #[inline]
    fn loss(&self, y: f64, p: f64) -> f64 {
        let a = (y - p).abs();
        if a <= self.0 {
            0.5 * (a * a)
        } else {
            self.0 * (a - 0.5 * self.0)
        }
    }
    #[inline]
    fn dloss(&self, y: f64, p: f64) -> f64 {
        let r = p - y;
        if r.abs() <= self.0 {
            r
        } else if r >= 0.0 {
            self.0
        } else {
            -self.0
        }
    }
}

/// Epsilon-insensitive `max(0, |y − p| − epsilon)` (as in support vector regression).
pub(super) struct EpsilonInsensitive(pub f64);

impl LossFn for EpsilonInsensitive {
    #[inline]
    fn loss(&self, y: f64, p: f64) -> f64 {
        let r = (y - p).abs() - self.0;
        if r > 0.0 { r } else { 0.0 }
    }
    #[inline]
    fn dloss(&self, y: f64, p: f64) -> f64 {
        if y - p > self.0 {
            -1.0
        } else if p - y > self.0 {
            1.0
        } else {
            0.0
        }
    }
}

/// Squared epsilon-insensitive `max(0, |y − p| − epsilon)²`.
pub(super) struct SquaredEpsilonInsensitive(pub f64);

impl LossFn for SquaredEpsilonInsensitive {
    #[inline]
    fn loss(&self, y: f64, p: f64) -> f64 {
        let r = (y - p).abs() - self.0;
        if r > 0.0 { r * r } else { 0.0 }
    }
    #[inline]
    fn dloss(&self, y: f64, p: f64) -> f64 {
        let z = y - p;
        if z > self.0 {
            -2.0 * (z - self.0)
        } else if z < -self.0 {
            2.0 * (-z - self.0)
        } else {
            0.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Central differences of the loss agree with the derivative away from kinks.
    #[test]
    fn derivatives_match_finite_differences() {
        let h = 1e-6;
        let losses: Vec<(&str, Box<dyn LossFn>, f64)> = vec![
            ("hinge", Box::new(Hinge(1.0)), -1.0),
            ("squared_hinge", Box::new(SquaredHinge), 1.0),
            ("modified_huber", Box::new(ModifiedHuber), -1.0),
            ("log", Box::new(LogLoss), 1.0),
            ("squared", Box::new(Squared), 0.3),
            ("huber", Box::new(Huber(0.5)), 0.3),
            ("eps", Box::new(EpsilonInsensitive(0.1)), 0.3),
            ("sq_eps", Box::new(SquaredEpsilonInsensitive(0.1)), 0.3),
        ];
        for (name, l, y) in &losses {
            for p in [-3.3, -0.77, 0.41, 2.9] {
                let fd = (l.loss(*y, p + h) - l.loss(*y, p - h)) / (2.0 * h);
                let d = l.dloss(*y, p);
                assert!((fd - d).abs() < 1e-5, "{name} at y={y} p={p}: {fd} vs {d}");
            }
        }
    }

    #[test]
    fn log1pexp_is_stable_at_the_extremes() {
        assert_eq!(log1pexp(800.0), 800.0);
        assert!(log1pexp(-800.0) >= 0.0 && log1pexp(-800.0) < 1e-300);
        assert!((log1pexp(0.0) - 2f64.ln()).abs() < 1e-15);
        assert!((LogLoss.dloss(1.0, -1000.0) + 1.0).abs() < 1e-15);
        assert!(LogLoss.dloss(0.0, 1000.0).is_finite());
    }
}
