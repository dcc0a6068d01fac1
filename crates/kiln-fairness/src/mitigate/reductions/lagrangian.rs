//! The Lagrangian of the reductions approach: the best response of the classifier player
//! (a cost-sensitive fit of the base estimator), the value and duality gap of a mixture, and
//! the linear program over the classifiers found so far (fairlearn's `_Lagrangian`).

use kiln_core::{Error, Fit, Predict, Result};
use ndarray::{Array1, ArrayView1, ArrayView2};

use super::BaseClassifier;
use super::moments::{ErrorRateObjective, LoadedMoment};
use super::simplex::{self, LinearProgram};

/// fairlearn's `_PRECISION`: improvements smaller than this are ignored.
pub(crate) const PRECISION: f64 = 1e-8;

/// The duality-gap evaluation of a mixture `Q` against multipliers `λ̂`.
#[derive(Debug, Clone)]
pub(crate) struct GapResult {
    pub l: f64,
    pub l_low: f64,
    pub l_high: f64,
}

impl GapResult {
    pub fn gap(&self) -> f64 {
        (self.l - self.l_low).max(self.l_high - self.l)
    }
}

/// The cached result of the last linear program: mixture, multipliers, gap.
type LpResult = (Vec<f64>, Vec<f64>, GapResult);

pub(crate) struct Lagrangian<'a, P: Fit<Target = usize>> {
    x: ArrayView2<'a, f64>,
    estimator: &'a P,
    pub constraints: LoadedMoment,
    pub objective: ErrorRateObjective,
    pub b: f64,
    pub hs: Vec<BaseClassifier<P::Fitted>>,
    /// Training predictions of each classifier in `hs`, as 0.0/1.0.
    pub train_predictions: Vec<Vec<f64>>,
    pub errors: Vec<f64>,
    pub gammas: Vec<Vec<f64>>,
    pub lambdas: Vec<Vec<f64>>,
    pub n_oracle_calls: usize,
    pub n_oracle_calls_dummy_returned: usize,
    last_linprog_n_hs: usize,
    last_linprog_result: Option<LpResult>,
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

impl<'a, P> Lagrangian<'a, P>
where
    P: Fit<Target = usize>,
    P::Fitted: Predict<Output = usize>,
{
    pub fn new(
        x: ArrayView2<'a, f64>,
        estimator: &'a P,
        constraints: LoadedMoment,
        objective: ErrorRateObjective,
        b: f64,
    ) -> Self {
        Self {
            x,
            estimator,
            constraints,
            objective,
            b,
            hs: Vec::new(),
            train_predictions: Vec::new(),
            errors: Vec::new(),
            gammas: Vec::new(),
            lambdas: Vec::new(),
            n_oracle_calls: 0,
            n_oracle_calls_dummy_returned: 0,
            last_linprog_n_hs: 0,
            last_linprog_result: None,
        }
    }

    /// Fits the base estimator to the cost-sensitive problem of `λ`: labels `1[w > 0]`,
    /// weights `|w|` rescaled to sum to `n`, with `w` the objective's plus the constraints'
    /// signed weights (Agarwal et al. 2018, §3.2). A problem with one label gets a constant
    /// classifier, as fairlearn's `DummyClassifier`.
    fn call_oracle(&mut self, lambda: &[f64]) -> Result<(BaseClassifier<P::Fitted>, Vec<f64>)> {
        let n = self.constraints.total_samples();
        let mut signed = self.objective.signed_weights();
        for (s, c) in signed
            .iter_mut()
            .zip(self.constraints.signed_weights_unchecked(lambda))
        {
            *s += c;
        }
        let red_y: Array1<usize> = signed.iter().map(|&w| usize::from(w > 0.0)).collect();
        let total: f64 = signed.iter().map(|w| w.abs()).sum();
        if !(total > 0.0 && total.is_finite()) {
            return Err(Error::InvalidValue {
                what: "ExponentiatedGradient reweighted sample weights".into(),
                row: None,
                reason: format!(
                    "the absolute signed weights sum to {total}; the cost-sensitive problem \
                     has no positive weight"
                ),
            });
        }
        let red_w: Array1<f64> = signed.iter().map(|w| n as f64 * w.abs() / total).collect();
        let first = red_y[0];
        let (h, predictions) = if red_y.iter().all(|&v| v == first) {
            self.n_oracle_calls_dummy_returned += 1;
            (BaseClassifier::Constant(first), vec![first as f64; n])
        } else {
            let fitted = self
                .estimator
                .fit_weighted(self.x, red_y.view(), Some(red_w.view()))
                .map_err(|e| match e {
                    Error::Unsupported { estimator, what } => Error::Unsupported {
                        estimator: format!("{estimator} (as the ExponentiatedGradient estimator)"),
                        what,
                    },
                    other => other,
                })?;
            let predictions = to_f64(fitted.predict(self.x)?.view())?;
            (BaseClassifier::Fitted(fitted), predictions)
        };
        self.n_oracle_calls += 1;
        Ok((h, predictions))
    }

    /// The best response to `λ`: a new classifier when it beats every stored one by more than
    /// [`PRECISION`] on `error + gamma·λ`, else the best stored one. Returns its index.
    pub fn best_h(&mut self, lambda: &[f64]) -> Result<usize> {
        let (h, predictions) = self.call_oracle(lambda)?;
        let h_error = self.objective.gamma(&predictions);
        let h_gamma = self.constraints.gamma_unchecked(&predictions);
        let h_value = h_error + dot(&h_gamma, lambda);
        let mut best_idx = usize::MAX;
        let mut best_value = f64::INFINITY;
        for (j, (e, g)) in self.errors.iter().zip(&self.gammas).enumerate() {
            let v = e + dot(g, lambda);
            // idxmin: the first minimum.
            if v < best_value || best_idx == usize::MAX {
                best_value = v;
                best_idx = j;
            }
        }
        if h_value < best_value - PRECISION {
            best_idx = self.hs.len();
            self.hs.push(h);
            self.train_predictions.push(predictions);
            self.errors.push(h_error);
            self.gammas.push(h_gamma);
            self.lambdas.push(lambda.to_vec());
        }
        Ok(best_idx)
    }

    /// `(L, L_high, gamma, error)` of the mixture `q` (weights over `hs`; missing trailing
    /// entries are zero) at multipliers `λ` (projected first).
    pub fn eval(&self, q: &[f64], lambda: &[f64]) -> (f64, f64, Vec<f64>, f64) {
        let k = self.constraints.n_constraints();
        let mut error = 0.0;
        let mut gamma = vec![0.0; k];
        for (j, &w) in q.iter().enumerate() {
            if w != 0.0 {
                error += self.errors[j] * w;
                for (g, v) in gamma.iter_mut().zip(&self.gammas[j]) {
                    *g += v * w;
                }
            }
        }
        let lambda = self.constraints.project_lambda_unchecked(lambda);
        let bound = self.constraints.bound();
        let l = error
            + lambda
                .iter()
                .zip(&gamma)
                .map(|(l, g)| l * (g - bound))
                .sum::<f64>();
        let max_constraint = gamma
            .iter()
            .map(|g| g - bound)
            .fold(f64::NEG_INFINITY, f64::max);
        let mut l_high = error;
        if max_constraint > 0.0 {
            l_high += self.b * max_constraint;
        }
        (l, l_high, gamma, error)
    }

    /// The duality gap of `q` against `λ̂`: the lower value comes from best responses to
    /// `m·λ̂` for m in 1, 2, 5, 10, stopping once the gap exceeds `nu`.
    pub fn eval_gap(&mut self, q: &[f64], lambda_hat: &[f64], nu: f64) -> Result<GapResult> {
        let (l, l_high, _, _) = self.eval(q, lambda_hat);
        let mut result = GapResult {
            l,
            l_low: l,
            l_high,
        };
        for mul in [1.0, 2.0, 5.0, 10.0] {
            let scaled: Vec<f64> = lambda_hat.iter().map(|v| mul * v).collect();
            let h_idx = self.best_h(&scaled)?;
            let mut unit = vec![0.0; h_idx + 1];
            unit[h_idx] = 1.0;
            let (l_low_mul, _, _, _) = self.eval(&unit, lambda_hat);
            if l_low_mul < result.l_low {
                result.l_low = l_low_mul;
            }
            if result.gap() > nu + PRECISION {
                break;
            }
        }
        Ok(result)
    }

    /// The saddle point over the convex hull of the classifiers found so far: the primal
    /// `min_Q Σ Q_h err_h + B z  s.t.  Σ_h Q_h (γ_h − bound) ≤ z, Σ Q_h = 1` and its dual for
    /// the multipliers. `None` when the solver fails (the caller then keeps the averaged
    /// iterate, as if the program had a larger gap).
    pub fn solve_linprog(&mut self, nu: f64) -> Result<Option<LpResult>> {
        let n_hs = self.hs.len();
        let k = self.constraints.n_constraints();
        if self.last_linprog_n_hs == n_hs {
            return Ok(self.last_linprog_result.clone());
        }
        let bound = self.constraints.bound();
        let mut c = self.errors.clone();
        c.push(self.b);
        let a_ub: Vec<Vec<f64>> = (0..k)
            .map(|i| {
                let mut row: Vec<f64> = self.gammas.iter().map(|g| g[i] - bound).collect();
                row.push(-1.0);
                row
            })
            .collect();
        let b_ub = vec![0.0; k];
        let mut a_eq = vec![1.0; n_hs];
        a_eq.push(0.0);
        let free = vec![false; n_hs + 1];
        let primal = simplex::solve(&LinearProgram {
            c: &c,
            a_ub: &a_ub,
            b_ub: &b_ub,
            a_eq: &[a_eq],
            b_eq: &[1.0],
            free: &free,
        });
        // Dual: max μ  s.t.  μ − Σ_k (γ_hk − bound) λ_k ≤ err_h,  Σ λ ≤ B,  λ ≥ 0, μ free.
        let mut dual_c = vec![0.0; k];
        dual_c.push(-1.0);
        let mut dual_a: Vec<Vec<f64>> = (0..n_hs)
            .map(|j| {
                let mut row: Vec<f64> = self.gammas[j].iter().map(|g| -(g - bound)).collect();
                row.push(1.0);
                row
            })
            .collect();
        let mut last = vec![1.0; k];
        last.push(0.0);
        dual_a.push(last);
        let mut dual_free = vec![false; k];
        dual_free.push(true);
        let dual = simplex::solve(&LinearProgram {
            c: &dual_c,
            a_ub: &dual_a,
            b_ub: &c,
            a_eq: &[],
            b_eq: &[],
            free: &dual_free,
        });
        let result = match (primal, dual) {
            (Ok(mut x), Ok(mut y)) => {
                x.truncate(n_hs);
                // Round-off can leave tiny negative weights; a mixture has none.
                x.iter_mut().for_each(|v| *v = v.max(0.0));
                y.truncate(k);
                let gap = self.eval_gap(&x, &y, nu)?;
                Some((x, y, gap))
            }
            _ => None,
        };
        self.last_linprog_n_hs = n_hs;
        self.last_linprog_result = result.clone();
        Ok(result)
    }
}

/// Converts 0/1 class predictions to floats, rejecting any other class.
pub(crate) fn to_f64(predictions: ArrayView1<'_, usize>) -> Result<Vec<f64>> {
    predictions
        .iter()
        .enumerate()
        .map(|(row, &p)| match p {
            0 => Ok(0.0),
            1 => Ok(1.0),
            other => Err(Error::InvalidValue {
                what: "predictions of the ExponentiatedGradient estimator".into(),
                row: Some(row),
                reason: format!("a binary classifier must predict 0 or 1; got {other}"),
            }),
        })
        .collect()
}
