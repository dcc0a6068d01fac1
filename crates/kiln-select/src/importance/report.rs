//! The per-scorer results of permutation importance and their text table.

use std::fmt;

use ndarray::{Array1, Array2, Axis};

use super::PermutationImportance;
use crate::scorer::Direction;

/// The permutation importances of every feature (or group) under one scorer.
#[derive(Debug, Clone, PartialEq)]
pub struct ScorerImportance {
    name: String,
    direction: Direction,
    baseline: f64,
    importances: Array2<f64>,
    mean: Array1<f64>,
    std: Array1<f64>,
}

impl ScorerImportance {
    pub(super) fn new(
        name: String,
        direction: Direction,
        baseline: f64,
        importances: Array2<f64>,
    ) -> Self {
        let n_repeats = importances.ncols() as f64;
        let mean = importances.sum_axis(Axis(1)) / n_repeats;
        // Population std (ddof = 0), as scikit-learn's `importances_std`.
        let std = Array1::from_shape_fn(importances.nrows(), |j| {
            let m = mean[j];
            let ss: f64 = importances.row(j).iter().map(|v| (v - m) * (v - m)).sum();
            (ss / n_repeats).sqrt()
        });
        Self {
            name,
            direction,
            baseline,
            importances,
            mean,
            std,
        }
    }

    /// The scorer's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The scorer's direction (which fixes the sign convention of the importances).
    pub fn direction(&self) -> Direction {
        self.direction
    }

    /// The score of the model on the intact data (all rows).
    pub fn baseline(&self) -> f64 {
        self.baseline
    }

    /// Every importance, n_features (or groups) × n_repeats.
    pub fn importances(&self) -> &Array2<f64> {
        &self.importances
    }

    /// The mean importance of each feature over the repeats.
    pub fn mean(&self) -> &Array1<f64> {
        &self.mean
    }

    /// The population standard deviation (`ddof = 0`) of each feature's importance over the
    /// repeats.
    pub fn std(&self) -> &Array1<f64> {
        &self.std
    }

    /// Feature indices from the most to the least important (by mean; ties keep index
    /// order; NaN last).
    pub fn ranking(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.mean.len()).collect();
        order.sort_by(|&a, &b| {
            let (ma, mb) = (self.mean[a], self.mean[b]);
            match (ma.is_nan(), mb.is_nan()) {
                (true, true) => std::cmp::Ordering::Equal,
                (true, false) => std::cmp::Ordering::Greater,
                (false, true) => std::cmp::Ordering::Less,
                (false, false) => mb.total_cmp(&ma),
            }
        });
        order
    }
}

impl fmt::Display for PermutationImportance {
    /// One table per scorer, features from the most to the least important.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self
            .feature_names()
            .iter()
            .map(|n| n.chars().count())
            .max()
            .unwrap_or(0)
            .max("feature".len());
        for (k, s) in self.scorers().iter().enumerate() {
            if k > 0 {
                writeln!(f)?;
            }
            let sense = match s.direction() {
                Direction::Maximize => "score drop",
                Direction::Minimize => "error increase",
            };
            writeln!(
                f,
                "permutation importance: {} (baseline {:.4}; {} over {} repeats of {} rows)",
                s.name(),
                s.baseline(),
                sense,
                self.n_repeats(),
                self.n_rows_per_repeat()
            )?;
            writeln!(
                f,
                "{:>4}  {:<width$}  {:>12}  {:>12}",
                "rank", "feature", "mean", "std"
            )?;
            for (rank, &j) in s.ranking().iter().enumerate() {
                writeln!(
                    f,
                    "{:>4}  {:<width$}  {:>12.6}  {:>12.6}",
                    rank + 1,
                    self.feature_names()[j],
                    s.mean()[j],
                    s.std()[j]
                )?;
            }
        }
        Ok(())
    }
}
