//! The fitted mixture of an exponentiated-gradient reduction: its classifiers and weights,
//! expected and randomized predictions, the trade-off it made, and the fitting trace.

use kiln_core::check::{self, NanPolicy};
use kiln_core::persist::{FeatureSchema, Persist};
use kiln_core::random::rng_from_seed;
use kiln_core::{Fitted, Predict, Result};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use rand::Rng;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::BaseClassifier;
use super::constraint::Constraint;
use super::lagrangian;
use super::moments::ConstraintId;
use crate::groups::Groups;
use crate::mitigate::{Disparity, TradeOff};

/// The settings a mixture was fitted with (the parameters of
/// [`ExponentiatedGradient`](super::ExponentiatedGradient) without the estimator), stored with
/// the fitted model and in its saved file's header.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReductionSettings {
    /// The constraint.
    pub constraint: Constraint,
    /// Allowed constraint violation.
    pub eps: f64,
    /// The most rounds.
    pub max_iter: usize,
    /// The duality-gap threshold given (`None`: automatic; the value used is in the trace).
    pub nu: Option<f64>,
    /// Initial learning rate.
    pub eta0: f64,
    /// Whether the linear program ran each round.
    pub run_linprog_step: bool,
    /// Seed of randomized predictions.
    pub seed: u64,
}

/// What happened while fitting: fairlearn's fitted attributes besides the mixture.
///
/// Vectors over constraints follow [`FittedExponentiatedGradient::index`]; vectors over
/// classifiers follow [`FittedExponentiatedGradient::predictors`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReductionTrace {
    /// The round whose mixture was kept (the last with the smallest gap), `best_iter_`.
    pub best_iter: usize,
    /// Its duality gap, `best_gap_`.
    pub best_gap: f64,
    /// The last round played, `last_iter_`.
    pub last_iter: usize,
    /// The duality-gap threshold used (given or automatic).
    pub nu: f64,
    /// Fits of the base estimator (constants included), `n_oracle_calls_`.
    pub n_oracle_calls: usize,
    /// Oracle calls answered by a constant, `n_oracle_calls_dummy_returned_`.
    pub n_oracle_calls_dummy_returned: usize,
    /// Per round, the gap of the mixture kept that round (averaged or linear-program).
    pub gaps: Vec<f64>,
    /// Per round, the gap of the averaged (exponentiated-gradient) mixture.
    pub gaps_eg: Vec<f64>,
    /// Per round, whether the linear program's mixture was kept.
    pub used_linprog: Vec<bool>,
    /// Per round, the multipliers `λ` played, `lambda_vecs_EG_`.
    pub lambda_vecs_eg: Vec<Vec<f64>>,
    /// Per round with a linear program, the round and its dual multipliers, `lambda_vecs_LP_`.
    pub lambda_vecs_lp: Vec<(usize, Vec<f64>)>,
    /// Per classifier, the multipliers it was the best response to, `lambda_vecs_`.
    pub lambda_vecs: Vec<Vec<f64>>,
    /// Per classifier, its training error.
    pub errors: Vec<f64>,
    /// Per classifier, its constraint violations `gamma` on the training data.
    pub gammas: Vec<Vec<f64>>,
}

/// A fitted exponentiated-gradient mixture.
///
/// # Fitted attributes
/// * [`predictors`](Self::predictors) and [`weights`](Self::weights): the classifiers and their
///   probabilities in the mixture (fairlearn's `predictors_` and `weights_`).
/// * [`trace`](Self::trace): best gap and round, oracle calls, multiplier history.
/// * [`index`](Self::index): the constraints, in the order of every per-constraint vector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedExponentiatedGradient<F> {
    pub(super) settings: ReductionSettings,
    pub(super) n_features: usize,
    pub(super) index: Vec<ConstraintId>,
    pub(super) predictors: Vec<BaseClassifier<F>>,
    pub(super) weights: Vec<f64>,
    pub(super) trace: ReductionTrace,
}

impl<F> FittedExponentiatedGradient<F> {
    /// Every classifier found (also those with weight 0).
    pub fn predictors(&self) -> &[BaseClassifier<F>] {
        &self.predictors
    }

    /// The probability of each classifier of [`predictors`](Self::predictors); they sum to 1.
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// The duality gap of the mixture kept (fairlearn's `best_gap_`).
    pub fn best_gap(&self) -> f64 {
        self.trace.best_gap
    }

    /// The fitting history.
    pub fn trace(&self) -> &ReductionTrace {
        &self.trace
    }

    /// The constraints `(sign, event, group)`.
    pub fn index(&self) -> &[ConstraintId] {
        &self.index
    }

    /// The settings of the fit.
    pub fn settings(&self) -> &ReductionSettings {
        &self.settings
    }
}

impl<F: Predict<Output = usize>> FittedExponentiatedGradient<F> {
    /// The probability that the mixture predicts 1 for each row of `x`: `Σ_h w_h h(x)`.
    ///
    /// # Errors
    /// As [`Predict::predict`].
    pub fn positive_probability(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        check::check_predict_x(
            "ExponentiatedGradient",
            self.n_features,
            x,
            NanPolicy::Reject,
        )?;
        let mut p = Array1::<f64>::zeros(x.nrows());
        for (h, &w) in self.predictors.iter().zip(&self.weights) {
            if w == 0.0 {
                continue;
            }
            let pred = lagrangian::to_f64(h.predict(x)?.view())?;
            for (acc, v) in p.iter_mut().zip(pred) {
                *acc += w * v;
            }
        }
        Ok(p)
    }

    /// The probabilities of predicting 0 and 1 for each row (fairlearn's `_pmf_predict`),
    /// `n_samples × 2`: the deterministic expected value of the randomized classifier.
    ///
    /// # Errors
    /// As [`Predict::predict`].
    pub fn pmf_predict(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let p = self.positive_probability(x)?;
        let mut out = Array2::<f64>::zeros((p.len(), 2));
        for (i, &v) in p.iter().enumerate() {
            out[[i, 0]] = 1.0 - v;
            out[[i, 1]] = v;
        }
        Ok(out)
    }

    /// Randomized predictions with this `seed`: row `i` is 1 when `P(1 | x_i) ≥ u_i` for
    /// uniform draws `u_i` (fairlearn's `predict(X, random_state)`).
    ///
    /// # Errors
    /// As [`Predict::predict`].
    pub fn predict_with_seed(&self, x: ArrayView2<'_, f64>, seed: u64) -> Result<Array1<usize>> {
        let p = self.positive_probability(x)?;
        let mut rng = rng_from_seed(seed);
        Ok(p.iter()
            .map(|&v| usize::from(v >= rng.random::<f64>()))
            .collect())
    }

    /// The accuracy–fairness trade-off on evaluation data: accuracy and `disparity` of the
    /// unmitigated predictions `before` against those of this mixture's seeded
    /// [`Predict::predict`].
    ///
    /// # Errors
    /// As [`Predict::predict`] and [`TradeOff::new`].
    pub fn trade_off(
        &self,
        x: ArrayView2<'_, f64>,
        y_true: ArrayView1<'_, usize>,
        before: ArrayView1<'_, usize>,
        groups: &Groups,
        disparity: Disparity,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<TradeOff> {
        let after = self.predict(x)?;
        TradeOff::new(
            y_true,
            before,
            after.view(),
            groups,
            disparity,
            sample_weight,
        )
    }
}

impl<F> Fitted for FittedExponentiatedGradient<F> {
    fn n_features_in(&self) -> usize {
        self.n_features
    }
}

impl<F: Predict<Output = usize>> Predict for FittedExponentiatedGradient<F> {
    type Output = usize;

    /// Randomized predictions seeded by the `seed` parameter (see
    /// [`FittedExponentiatedGradient::predict_with_seed`]).
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<usize>> {
        self.predict_with_seed(x, self.settings.seed)
    }
}

impl<F: Serialize + DeserializeOwned> Persist for FittedExponentiatedGradient<F> {
    const KIND: &'static str = "kiln_fairness::ExponentiatedGradient";
    type Params = ReductionSettings;

    fn params(&self) -> &ReductionSettings {
        &self.settings
    }

    fn feature_schema(&self) -> FeatureSchema {
        FeatureSchema::new(self.n_features)
    }
}
