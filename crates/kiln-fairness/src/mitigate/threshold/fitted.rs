//! The fitted side of [`ThresholdOptimizer`]: one rule per group, probabilities and
//! predictions.

use kiln_core::persist::{FeatureSchema, Persist};
use kiln_core::random::rng_from_seed;
use kiln_core::{Error, Result};
use ndarray::{Array1, ArrayView1};
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::groups::Groups;
use crate::mitigate::TradeOff;

use super::curve::Interpolated;
use super::{Mode, ThresholdOperation, ThresholdOptimizer, check_inputs};

/// The fitted rule of one group: predict 1 with probability
/// `p0 · [operation0(s)] + p1 · [operation1(s)]`, and for equalized odds
/// `p_ignore · prediction_constant + (1 − p_ignore) ·` that.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GroupRule {
    /// Weight of the first threshold.
    pub p0: f64,
    /// The first threshold (the hull point left of the chosen rate).
    pub operation0: ThresholdOperation,
    /// Weight of the second threshold (`1 − p0`).
    pub p1: f64,
    /// The second threshold.
    pub operation1: ThresholdOperation,
    /// Equalized odds only: the probability of predicting the constant instead.
    pub p_ignore: Option<f64>,
    /// Equalized odds only: the constant's probability of 1 (the chosen FPR).
    pub prediction_constant: Option<f64>,
    /// The single threshold of [`Mode::Deterministic`].
    pub deterministic: ThresholdOperation,
}

impl GroupRule {
    pub(super) fn from_interpolated(r: &Interpolated, ignore: Option<(f64, f64)>) -> Self {
        Self {
            p0: r.p0,
            operation0: r.op0,
            p1: r.p1,
            operation1: r.op1,
            p_ignore: ignore.map(|i| i.0),
            prediction_constant: ignore.map(|i| i.1),
            // Set once the best grid point is known.
            deterministic: r.op0,
        }
    }

    /// The probability of predicting 1 for `score` (fairlearn's operation order).
    #[inline]
    pub fn probability(&self, score: f64) -> f64 {
        let b0 = f64::from(u8::from(self.operation0.apply(score)));
        let b1 = f64::from(u8::from(self.operation1.apply(score)));
        let v = self.p0 * b0 + self.p1 * b1;
        match (self.p_ignore, self.prediction_constant) {
            (Some(pi), Some(c)) => pi * c + (1.0 - pi) * v,
            _ => v,
        }
    }

    /// The deterministic prediction of [`Mode::Deterministic`].
    #[inline]
    pub fn predict_deterministic(&self, score: f64) -> bool {
        self.deterministic.apply(score)
    }
}

/// A fitted [`ThresholdOptimizer`]: one [`GroupRule`] per group seen at fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedThresholdOptimizer {
    pub(super) params: ThresholdOptimizer,
    pub(super) group_names: Vec<String>,
    pub(super) rules: Vec<GroupRule>,
    pub(super) x_best: f64,
}

impl FittedThresholdOptimizer {
    /// The params it was fitted with.
    pub fn params(&self) -> &ThresholdOptimizer {
        &self.params
    }

    /// The names of the groups seen at fit ([`Groups::name`]), in the order of
    /// [`FittedThresholdOptimizer::rules`].
    pub fn group_names(&self) -> &[String] {
        &self.group_names
    }

    /// The rule of every group.
    pub fn rules(&self) -> &[GroupRule] {
        &self.rules
    }

    /// The chosen value of the shared rate (for equalized odds, the FPR) — fairlearn's `_x_best`.
    pub fn x_best(&self) -> f64 {
        self.x_best
    }

    /// The fitted rule index of every row of `groups`, matched by group name.
    fn rule_of_rows(&self, scores: ArrayView1<'_, f64>, groups: &Groups) -> Result<Vec<usize>> {
        check_inputs(scores, groups)?;
        let mut map = Vec::with_capacity(groups.n_groups());
        for g in 0..groups.n_groups() {
            let name = groups.name(g);
            match self.group_names.iter().position(|k| *k == name) {
                Some(k) => map.push(k),
                None => {
                    return Err(Error::UnknownLabel {
                        what: "sensitive groups".into(),
                        row: groups.group_of().iter().position(|&r| r as usize == g),
                        label: name,
                        known: self.group_names.join("; "),
                    });
                }
            }
        }
        Ok(groups.group_of().iter().map(|&g| map[g as usize]).collect())
    }

    /// The probability of predicting 1 for every row (fairlearn's `_pmf_predict[:, 1]`).
    ///
    /// # Errors
    /// [`Error::UnknownLabel`] for a group not seen at fit (the first row of it);
    /// [`Error::NonFinite`] for a score that is not finite; [`Error::ShapeMismatch`] when
    /// `scores` and `groups` differ in length.
    pub fn pmf_predict(&self, scores: ArrayView1<'_, f64>, groups: &Groups) -> Result<Array1<f64>> {
        let rule_of = self.rule_of_rows(scores, groups)?;
        Ok(scores
            .iter()
            .zip(&rule_of)
            .map(|(&s, &k)| self.rules[k].probability(s))
            .collect())
    }

    /// Predictions in the fitted [`Mode`], randomized draws from the params' seed.
    ///
    /// # Errors
    /// As [`FittedThresholdOptimizer::pmf_predict`].
    pub fn predict(&self, scores: ArrayView1<'_, f64>, groups: &Groups) -> Result<Array1<usize>> {
        self.predict_with_seed(scores, groups, self.params.seed)
    }

    /// Predictions in the fitted [`Mode`], randomized draws from `seed`: row `i` is 1 when its
    /// probability is at least the `i`-th uniform draw in `[0, 1)` (fairlearn's rule).
    ///
    /// # Errors
    /// As [`FittedThresholdOptimizer::pmf_predict`].
    pub fn predict_with_seed(
        &self,
        scores: ArrayView1<'_, f64>,
        groups: &Groups,
        seed: u64,
    ) -> Result<Array1<usize>> {
        match self.params.mode {
            Mode::Randomized => {
                let p = self.pmf_predict(scores, groups)?;
                let mut rng = rng_from_seed(seed);
                Ok(p.iter()
                    .map(|&pi| usize::from(pi >= rng.random::<f64>()))
                    .collect())
            }
            Mode::Deterministic => {
                let rule_of = self.rule_of_rows(scores, groups)?;
                Ok(scores
                    .iter()
                    .zip(&rule_of)
                    .map(|(&s, &k)| usize::from(self.rules[k].predict_deterministic(s)))
                    .collect())
            }
        }
    }

    /// The trade-off on evaluation data: accuracy and the constraint's gap of `y_pred_before`
    /// (the unmitigated predictions) against those of [`FittedThresholdOptimizer::predict`].
    ///
    /// # Errors
    /// As [`FittedThresholdOptimizer::predict`] and [`TradeOff::new`].
    pub fn trade_off(
        &self,
        scores: ArrayView1<'_, f64>,
        y_true: ArrayView1<'_, usize>,
        groups: &Groups,
        y_pred_before: ArrayView1<'_, usize>,
    ) -> Result<TradeOff> {
        let after = self.predict(scores, groups)?;
        TradeOff::new(
            y_true,
            y_pred_before,
            after.view(),
            groups,
            self.params.constraints,
            None,
        )
    }
}

impl Persist for FittedThresholdOptimizer {
    const KIND: &'static str = "kiln_fairness::ThresholdOptimizer";
    type Params = ThresholdOptimizer;

    fn params(&self) -> &ThresholdOptimizer {
        &self.params
    }

    /// One input: the score.
    fn feature_schema(&self) -> FeatureSchema {
        FeatureSchema::new(1)
    }
}
