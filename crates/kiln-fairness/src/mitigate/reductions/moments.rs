//! The constraint moments of the reductions approach: utility parity (demographic parity,
//! equalized odds, true/false positive rate parity, error rate parity) and the error-rate
//! objective, computed as fairlearn 0.15's `UtilityParity` and `ErrorRate` compute them.
//!
//! A loaded moment holds, for every row, its *event* (e.g. `label=1`, optionally prefixed by a
//! control level as `control=own,label=1`) and its *group* (the sensitive level; several
//! sensitive columns are joined with `,` as fairlearn joins them). The constraints are indexed
//! by `(sign, event, group)` for every (event, group) pair that occurs, all `+` first, then
//! all `-`, each half sorted by (event, group) as strings: fairlearn's index order.
//!
//! With `ρ` the ratio (1 for difference bounds), `P(e)` and `P(e, g)` the shares of all rows:
//!
//! * `gamma(+, e, g) = -(1/n) Σ_i U_i,(+,e,g) u_i`, with `U_i,(+,e,g) = 1[e_i=e]/P(e) −
//!   ρ 1[e_i=e, g_i=g]/P(e,g)` and `u_i` the utility of the prediction (the prediction itself,
//!   or `|h − y|` for error rate parity); for `ρ = 1` this is `E[u | e, g] − E[u | e]`;
//! * `gamma(−, e, g)` likewise with `U_i,(−,e,g) = −ρ 1[e_i=e]/P(e) + 1[e_i=e, g_i=g]/P(e,g)`;
//! * `signed_weights(λ)_i = (u_i(1) − u_i(0)) Σ_k U_ik λ_k` (Agarwal et al. 2018, §3.2).
//!
//! # Notes
//! One deliberate difference: with control columns, fairlearn 0.15 gives the rows *outside*
//! a true/false positive rate parity event (the label-0 rows of equal opportunity) an event
//! of their own, `control=c,nan`, and so also constrains their selection rates (its
//! `_combine_event_and_control` tests the control value, not the event, for a missing
//! value). Here those rows stay outside every event, as without control columns; every
//! constraint both have is equal to 1e-12.

use std::collections::BTreeMap;

use kiln_core::check::check_same_len;
use kiln_core::{Error, Result};
use ndarray::ArrayView1;
use serde::{Deserialize, Serialize};

use super::constraint::{Constraint, ConstraintKind};
use crate::confusion::check_binary_labels;
use crate::groups::SensitiveColumn;

/// The sign of a Lagrange multiplier: `+` bounds a group's rate from above, `−` from below.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Sign {
    /// `+`: the group's rate minus the overall rate is at most the bound.
    Plus,
    /// `−`: the overall rate minus the group's rate is at most the bound.
    Minus,
}

impl Sign {
    /// `"+"` or `"-"`, as fairlearn writes them.
    pub fn as_str(self) -> &'static str {
        match self {
            Sign::Plus => "+",
            Sign::Minus => "-",
        }
    }
}

/// One constraint: fairlearn's `(sign, event, group_id)` index entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ConstraintId {
    /// The sign of the multiplier.
    pub sign: Sign,
    /// The event, e.g. `all`, `label=1` or `control=own,label=1`.
    pub event: String,
    /// The sensitive group, e.g. `female` or `female,<25`.
    pub group: String,
}

/// A constraint moment loaded with data: computes constraint violations (`gamma`), signed
/// weights and the projection of multipliers, as fairlearn's `UtilityParity`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadedMoment {
    constraint: Constraint,
    ratio: f64,
    n: usize,
    events: Vec<String>,
    prob_event: Vec<f64>,
    /// (event, group name) of each pair, sorted.
    pairs: Vec<(u32, String)>,
    prob_pair: Vec<f64>,
    /// The pair of each row, or `u32::MAX` for rows outside every event.
    row_pair: Vec<u32>,
    utility0: Vec<f64>,
    utility_diff: Vec<f64>,
    index: Vec<ConstraintId>,
}

const NO_PAIR: u32 = u32::MAX;

/// Joins the levels of several columns as fairlearn's `_merge_columns` does: `,` between
/// levels, with `\` and `,` inside a level escaped by `\`.
fn merged_group_names(sensitive: &[SensitiveColumn], n: usize) -> Vec<String> {
    if let [only] = sensitive {
        return only
            .codes()
            .iter()
            .map(|&c| only.levels()[c as usize].clone())
            .collect();
    }
    (0..n)
        .map(|i| {
            let parts: Vec<String> = sensitive
                .iter()
                .map(|col| {
                    col.levels()[col.codes()[i] as usize]
                        .replace('\\', "\\\\")
                        .replace(',', "\\,")
                })
                .collect();
            parts.join(",")
        })
        .collect()
}

fn check_columns(columns: &[SensitiveColumn], n: usize, what: &str) -> Result<()> {
    for col in columns {
        check_same_len(
            &format!("length of {what} column `{}` against y", col.name()),
            n,
            col.len(),
        )?;
    }
    Ok(())
}

impl LoadedMoment {
    pub(crate) fn new(
        constraint: Constraint,
        y: ArrayView1<'_, usize>,
        sensitive: &[SensitiveColumn],
        control: &[SensitiveColumn],
    ) -> Result<Self> {
        let n = y.len();
        if n == 0 {
            return Err(Error::EmptyInput {
                what: "y".into(),
                reason: "0 labels".into(),
            });
        }
        if sensitive.is_empty() {
            return Err(Error::EmptyInput {
                what: "sensitive".into(),
                reason: "no sensitive column given; at least 1 is needed".into(),
            });
        }
        check_binary_labels(y, n, "y")?;
        check_columns(sensitive, n, "sensitive")?;
        check_columns(control, n, "control")?;
        let groups = merged_group_names(sensitive, n);
        let controls = (!control.is_empty()).then(|| merged_group_names(control, n));

        let kind = constraint.kind;
        let base_event = |label: usize| -> Option<String> {
            match kind {
                ConstraintKind::DemographicParity | ConstraintKind::ErrorRateParity => {
                    Some("all".to_owned())
                }
                ConstraintKind::EqualizedOdds => Some(format!("label={label}")),
                ConstraintKind::TruePositiveRateParity => {
                    (label == 1).then(|| "label=1".to_owned())
                }
                ConstraintKind::FalsePositiveRateParity => {
                    (label == 0).then(|| "label=0".to_owned())
                }
            }
        };
        let row_event: Vec<Option<String>> = (0..n)
            .map(|i| {
                base_event(y[i]).map(|e| match &controls {
                    Some(c) => format!("control={},{e}", c[i]),
                    None => e,
                })
            })
            .collect();

        let mut event_counts: BTreeMap<&str, usize> = BTreeMap::new();
        let mut pair_counts: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        for (e, g) in row_event.iter().zip(&groups) {
            if let Some(e) = e {
                *event_counts.entry(e).or_insert(0) += 1;
                *pair_counts.entry((e, g)).or_insert(0) += 1;
            }
        }
        let events: Vec<String> = event_counts.keys().map(|e| (*e).to_owned()).collect();
        let prob_event: Vec<f64> = event_counts
            .values()
            .map(|&c| c as f64 / n as f64)
            .collect();
        let event_pos = |e: &str| events.binary_search_by(|x| x.as_str().cmp(e)).unwrap_or(0);
        let pairs: Vec<(u32, String)> = pair_counts
            .keys()
            .map(|(e, g)| (event_pos(e) as u32, (*g).to_owned()))
            .collect();
        let prob_pair: Vec<f64> = pair_counts.values().map(|&c| c as f64 / n as f64).collect();
        let pair_keys: Vec<(&str, &str)> = pair_counts.keys().copied().collect();
        let row_pair: Vec<u32> = row_event
            .iter()
            .zip(&groups)
            .map(|(e, g)| match e {
                Some(e) => pair_keys
                    .binary_search(&(e.as_str(), g.as_str()))
                    .map_or(NO_PAIR, |p| p as u32),
                None => NO_PAIR,
            })
            .collect();

        let (utility0, utility_diff): (Vec<f64>, Vec<f64>) = match kind {
            // utilities = [y, 1 − y]: the utility of h is |h − y|.
            ConstraintKind::ErrorRateParity => {
                y.iter().map(|&v| (v as f64, 1.0 - 2.0 * v as f64)).unzip()
            }
            _ => (vec![0.0; n], vec![1.0; n]),
        };

        let mut index = Vec::with_capacity(2 * pairs.len());
        for sign in [Sign::Plus, Sign::Minus] {
            for (e, g) in &pairs {
                index.push(ConstraintId {
                    sign,
                    event: events[*e as usize].clone(),
                    group: g.clone(),
                });
            }
        }
        let ratio = constraint.ratio_bound.unwrap_or(1.0);
        Ok(Self {
            constraint,
            ratio,
            n,
            events,
            prob_event,
            pairs,
            prob_pair,
            row_pair,
            utility0,
            utility_diff,
            index,
        })
    }

    /// The constraint this moment was loaded for.
    pub fn constraint(&self) -> Constraint {
        self.constraint
    }

    /// The number of rows loaded (fairlearn's `total_samples`).
    pub fn total_samples(&self) -> usize {
        self.n
    }

    /// The constraints, in the order of every vector this moment takes or returns.
    pub fn index(&self) -> &[ConstraintId] {
        &self.index
    }

    /// The number of constraints (twice the number of (event, group) pairs).
    pub fn n_constraints(&self) -> usize {
        self.index.len()
    }

    /// The events, sorted, with the share of all rows in each (fairlearn's `prob_event`).
    pub fn prob_event(&self) -> Vec<(&str, f64)> {
        self.events
            .iter()
            .map(String::as_str)
            .zip(self.prob_event.iter().copied())
            .collect()
    }

    /// The (event, group) pairs that occur, sorted, with the share of all rows in each
    /// (fairlearn's `prob_group_event`).
    pub fn prob_group_event(&self) -> Vec<(&str, &str, f64)> {
        self.pairs
            .iter()
            .zip(&self.prob_pair)
            .map(|((e, g), &p)| (self.events[*e as usize].as_str(), g.as_str(), p))
            .collect()
    }

    /// The bound of each constraint (all equal to `difference_bound`).
    pub fn bound(&self) -> f64 {
        self.constraint.difference_bound
    }

    /// The utility sums of predictions per event and per pair.
    fn utility_sums(&self, predictions: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let mut by_event = vec![0.0; self.events.len()];
        let mut by_pair = vec![0.0; self.pairs.len()];
        for (i, &p) in predictions.iter().enumerate() {
            let pair = self.row_pair[i];
            if pair != NO_PAIR {
                let u = self.utility_diff[i] * p + self.utility0[i];
                by_pair[pair as usize] += u;
                by_event[self.pairs[pair as usize].0 as usize] += u;
            }
        }
        (by_event, by_pair)
    }

    /// The constraint violations `gamma` of predictions (0/1 values, or the expected values of
    /// a randomized classifier), one per constraint of [`LoadedMoment::index`].
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when `predictions` does not have one value per loaded row.
    pub fn gamma(&self, predictions: &[f64]) -> Result<Vec<f64>> {
        check_same_len(
            "length of predictions against the loaded rows",
            self.n,
            predictions.len(),
        )?;
        Ok(self.gamma_unchecked(predictions))
    }

    pub(crate) fn gamma_unchecked(&self, predictions: &[f64]) -> Vec<f64> {
        let (by_event, by_pair) = self.utility_sums(predictions);
        let n = self.n as f64;
        let k = self.pairs.len();
        let mut out = vec![0.0; 2 * k];
        for (p, (e, _)) in self.pairs.iter().enumerate() {
            let event_term = by_event[*e as usize] / self.prob_event[*e as usize];
            let pair_term = by_pair[p] / self.prob_pair[p];
            out[p] = -(event_term - self.ratio * pair_term) / n;
            out[k + p] = -(pair_term - self.ratio * event_term) / n;
        }
        out
    }

    /// The signed weights `(u(1) − u(0)) · Uλ` of every row for multipliers `lambda`.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when `lambda` does not have one value per constraint.
    pub fn signed_weights(&self, lambda: &[f64]) -> Result<Vec<f64>> {
        check_same_len(
            "length of lambda against the constraints",
            self.index.len(),
            lambda.len(),
        )?;
        Ok(self.signed_weights_unchecked(lambda))
    }

    pub(crate) fn signed_weights_unchecked(&self, lambda: &[f64]) -> Vec<f64> {
        let k = self.pairs.len();
        // Per event: Σ_g λ+ and Σ_g λ−, which every row of the event shares.
        let mut plus = vec![0.0; self.events.len()];
        let mut minus = vec![0.0; self.events.len()];
        for (p, (e, _)) in self.pairs.iter().enumerate() {
            plus[*e as usize] += lambda[p];
            minus[*e as usize] += lambda[k + p];
        }
        let per_pair: Vec<f64> = self
            .pairs
            .iter()
            .enumerate()
            .map(|(p, (e, _))| {
                let e = *e as usize;
                (plus[e] - self.ratio * minus[e]) / self.prob_event[e]
                    + (lambda[k + p] - self.ratio * lambda[p]) / self.prob_pair[p]
            })
            .collect();
        self.row_pair
            .iter()
            .zip(&self.utility_diff)
            .map(|(&pair, &d)| {
                if pair == NO_PAIR {
                    0.0
                } else {
                    d * per_pair[pair as usize]
                }
            })
            .collect()
    }

    /// Projects multipliers onto ones with the same or a higher Lagrangian for every
    /// classifier (fairlearn's `project_lambda`): for difference constraints, the signed
    /// multipliers of each event are shifted by the `P(g | e)`-weighted median, then split
    /// into positive and negative parts; ratio constraints are returned unchanged.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when `lambda` does not have one value per constraint.
    pub fn project_lambda(&self, lambda: &[f64]) -> Result<Vec<f64>> {
        check_same_len(
            "length of lambda against the constraints",
            self.index.len(),
            lambda.len(),
        )?;
        Ok(self.project_lambda_unchecked(lambda))
    }

    pub(crate) fn project_lambda_unchecked(&self, lambda: &[f64]) -> Vec<f64> {
        if self.ratio != 1.0 {
            return lambda.to_vec();
        }
        let k = self.pairs.len();
        let mut signed: Vec<f64> = (0..k).map(|p| lambda[p] - lambda[k + p]).collect();
        // Pairs are sorted by event, so each event's pairs form one contiguous run.
        let mut start = 0;
        while start < k {
            let e = self.pairs[start].0;
            let end = start
                + self.pairs[start..]
                    .iter()
                    .take_while(|(x, _)| *x == e)
                    .count();
            let prob: Vec<f64> = (start..end)
                .map(|p| self.prob_pair[p] / self.prob_event[e as usize])
                .collect();
            let normalized: Vec<f64> = (start..end).map(|p| signed[p] / prob[p - start]).collect();
            let mut order: Vec<usize> = (0..normalized.len()).collect();
            // A stable sort where -0 equals 0, as numpy's argsort(kind="stable").
            order.sort_by(|&a, &b| {
                normalized[a]
                    .partial_cmp(&normalized[b])
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
            let half = prob.iter().sum::<f64>() / 2.0;
            // numpy's searchsorted(side="left"): the first cumulative sum >= half.
            let mut cumulative = 0.0;
            let mut position = order.len() - 1;
            for (pos, &o) in order.iter().enumerate() {
                cumulative += prob[o];
                if cumulative >= half {
                    position = pos;
                    break;
                }
            }
            let shift = normalized[order[position]];
            for p in start..end {
                signed[p] -= prob[p - start] * shift;
            }
            start = end;
        }
        let mut out = vec![0.0; 2 * k];
        for p in 0..k {
            out[p] = signed[p].max(0.0);
            out[k + p] = (-signed[p]).max(0.0);
        }
        out
    }

    /// The largest difference, over the events, between the highest and the lowest group
    /// rate of the predictions' utility (selection rate, TPR, FPR or error rate), e.g. the
    /// demographic parity difference; with control columns, the largest within any control
    /// level.
    pub fn max_group_difference(&self, predictions: &[f64]) -> f64 {
        let (_, by_pair) = self.utility_sums(predictions);
        let n = self.n as f64;
        let mut lo = vec![f64::INFINITY; self.events.len()];
        let mut hi = vec![f64::NEG_INFINITY; self.events.len()];
        for (p, (e, _)) in self.pairs.iter().enumerate() {
            let rate = by_pair[p] / (self.prob_pair[p] * n);
            lo[*e as usize] = lo[*e as usize].min(rate);
            hi[*e as usize] = hi[*e as usize].max(rate);
        }
        lo.iter().zip(&hi).map(|(l, h)| h - l).fold(0.0, f64::max)
    }
}

/// The error-rate objective (fairlearn's `ErrorRate` with unit costs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorRateObjective {
    y: Vec<f64>,
}

impl ErrorRateObjective {
    /// Loads the labels (0/1).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for labels other than 0/1.
    pub fn load(y: ArrayView1<'_, usize>) -> Result<Self> {
        check_binary_labels(y, y.len(), "y")?;
        Ok(Self {
            y: y.iter().map(|&v| v as f64).collect(),
        })
    }

    /// The error rate `mean |y − h|` of predictions (0/1 or expected values).
    pub fn gamma(&self, predictions: &[f64]) -> f64 {
        let total: f64 = self
            .y
            .iter()
            .zip(predictions)
            .map(|(y, p)| (y - p).abs())
            .sum();
        total / self.y.len() as f64
    }

    /// The signed weights `2y − 1` (fairlearn: `−c_fp + (c_fp + c_fn) y`).
    pub fn signed_weights(&self) -> Vec<f64> {
        self.y.iter().map(|&y| -1.0 + 2.0 * y).collect()
    }
}
