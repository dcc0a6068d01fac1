//! One mini-batch step (Sculley 2010) and the early-stopping rule, as scikit-learn's
//! `_mini_batch_step`, `_minibatch_update_dense`, `_random_reassign` and
//! `_mini_batch_convergence`.
//!
//! All coordinates here are shifted by the model's offset (see the notes of
//! [`crate::MiniBatchKMeans`]); the caller shifts rows before and centres after.

use kiln_core::random::KilnRng;
use serde::{Deserialize, Serialize};

use crate::kmeans::common::{Data, Sums, sq_dist};
use crate::kmeans::lloyd;

/// The learning state carried from batch to batch: the centres and the accumulated weight
/// of every centre (scikit-learn's `_counts`), whose inverse is the centre's learning rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct State {
    /// `k × d` centres, row-major, shifted.
    pub centers: Vec<f64>,
    /// `k` accumulated weights.
    pub counts: Vec<f64>,
    /// Rows seen since the last random reassignment.
    pub n_since_last_reassign: usize,
}

impl State {
    /// A fresh state at `centers` with zero counts.
    pub fn new(centers: Vec<f64>, k: usize) -> Self {
        Self {
            centers,
            counts: vec![0.0; k],
            n_since_last_reassign: 0,
        }
    }

    /// Whether this step may reassign low-count centres: when a centre has never received
    /// weight, or once `10 · k` rows have been seen since the last reassignment.
    pub fn reassign_due(&mut self, batch_rows: usize) -> bool {
        let k = self.counts.len();
        self.n_since_last_reassign += batch_rows;
        if self.counts.contains(&0.0) || self.n_since_last_reassign >= 10 * k {
            self.n_since_last_reassign = 0;
            true
        } else {
            false
        }
    }

    /// One step on `batch` (row-major, shifted): assigns every row to its nearest centre, moves
    /// each centre that received weight `W` in this batch to
    /// `(count · c + Σ w·x) / (count + W)` (a learning rate of `w / count` per row), and, when
    /// `reassign`, moves centres whose count is below `ratio × max count` to random rows of the
    /// batch. Returns the weighted batch inertia against the centres before the update and the
    /// sum of squared centre moves. `labels` is scratch space.
    pub fn step(
        &mut self,
        batch: Data<'_>,
        reassign: bool,
        ratio: f64,
        rng: &mut KilnRng,
        labels: &mut Vec<usize>,
    ) -> (f64, f64) {
        let (m, d) = (batch.n, batch.d);
        let k = self.counts.len();
        labels.clear();
        labels.resize(m, 0);
        lloyd::assign(batch.x, d, &self.centers, k, labels);

        let old = self.centers.clone();
        let mut sums = Sums::zeros(k, d);
        let mut inertia = 0.0;
        for (i, &l) in labels.iter().enumerate() {
            let (x, w) = (batch.row(i), batch.w[i]);
            inertia += w * sq_dist(x, &old[l * d..(l + 1) * d]);
            sums.add(pulp::Scalar, l, x, w);
        }
        for (j, (&wsum, s)) in sums
            .weights
            .iter()
            .zip(sums.centers.chunks_exact(d))
            .enumerate()
        {
            // A centre without weight in this batch stays where it is.
            if wsum > 0.0 {
                let count = self.counts[j];
                let new_count = count + wsum;
                let alpha = 1.0 / new_count;
                for (c, &v) in self.centers[j * d..(j + 1) * d].iter_mut().zip(s) {
                    *c = (*c * count + v) * alpha;
                }
                self.counts[j] = new_count;
            }
        }
        if reassign && ratio > 0.0 {
            self.reassign_low_counts(batch, ratio, rng);
        }
        let moved = old
            .chunks_exact(d)
            .zip(self.centers.chunks_exact(d))
            .map(|(a, b)| sq_dist(a, b))
            .sum();
        (inertia, moved)
    }

    /// Moves every centre whose count is below `ratio × max count` to a distinct random row of
    /// the batch (at most half the batch's rows; the lowest counts first), then raises the
    /// counts of the moved centres to the smallest count of the others, so they are not moved
    /// again at once (scikit-learn's rule).
    fn reassign_low_counts(&mut self, batch: Data<'_>, ratio: f64, rng: &mut KilnRng) {
        let m = batch.n;
        let d = batch.d;
        let max = self
            .counts
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        let mut to: Vec<bool> = self.counts.iter().map(|&c| c < ratio * max).collect();
        let n_to = to.iter().filter(|&&t| t).count();
        if n_to as f64 > 0.5 * m as f64 {
            let keep_from = (0.5 * m as f64) as usize;
            let mut order: Vec<usize> = (0..self.counts.len()).collect();
            order.sort_by(|&a, &b| self.counts[a].total_cmp(&self.counts[b]).then(a.cmp(&b)));
            for &j in order.iter().skip(keep_from) {
                to[j] = false;
            }
        }
        let targets: Vec<usize> = (0..to.len()).filter(|&j| to[j]).collect();
        if targets.is_empty() {
            return;
        }
        // At most half the batch, so `m` rows suffice for distinct picks.
        let picks = rand::seq::index::sample(rng, m, targets.len());
        for (&j, p) in targets.iter().zip(picks) {
            self.centers[j * d..(j + 1) * d].copy_from_slice(batch.row(p));
        }
        let floor = self
            .counts
            .iter()
            .zip(&to)
            .filter(|(_, t)| !**t)
            .map(|(&c, _)| c)
            .fold(f64::INFINITY, f64::min);
        if floor.is_finite() {
            for &j in &targets {
                self.counts[j] = floor;
            }
        }
    }
}

/// Early stopping of `fit` on the exponentially weighted average (EWA) of the mean batch
/// inertia, as scikit-learn's `_mini_batch_convergence`.
#[derive(Debug, Default)]
pub(crate) struct Convergence {
    ewa: Option<f64>,
    ewa_min: Option<f64>,
    no_improvement: usize,
}

impl Convergence {
    /// Whether to stop after step `step` (0-based). `batch_inertia` is the batch's inertia
    /// before its update; `moved` the sum of squared centre moves of the step; `tol` the
    /// absolute tolerance (0 disables it).
    #[expect(clippy::too_many_arguments, reason = "mirrors the scikit-learn rule")]
    pub fn stop(
        &mut self,
        step: usize,
        batch_size: usize,
        n_samples: usize,
        moved: f64,
        batch_inertia: f64,
        tol: f64,
        max_no_improvement: Option<usize>,
    ) -> bool {
        let batch_inertia = batch_inertia / batch_size as f64;
        // The first step's inertia is that of the initial centres: not a sign of progress.
        if step == 0 {
            return false;
        }
        let ewa = match self.ewa {
            None => batch_inertia,
            Some(e) => {
                let alpha = (batch_size as f64 * 2.0 / (n_samples as f64 + 1.0)).min(1.0);
                e * (1.0 - alpha) + batch_inertia * alpha
            }
        };
        self.ewa = Some(ewa);
        if tol > 0.0 && moved <= tol {
            return true;
        }
        match self.ewa_min {
            Some(min) if ewa >= min => self.no_improvement += 1,
            _ => {
                self.no_improvement = 0;
                self.ewa_min = Some(ewa);
            }
        }
        max_no_improvement.is_some_and(|limit| self.no_improvement >= limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_core::random::rng_from_seed;

    #[test]
    fn step_moves_centres_by_the_count_weighted_mean() {
        // One centre at 0 with count 2; a batch of rows 3 and 6 (weights 1 and 2) moves it to
        // (2·0 + 3 + 12) / 5 = 3.
        let mut s = State {
            centers: vec![0.0, 100.0],
            counts: vec![2.0, 1.0],
            n_since_last_reassign: 0,
        };
        let x = [3.0, 6.0];
        let w = [1.0, 2.0];
        let data = Data {
            x: &x,
            w: &w,
            n: 2,
            d: 1,
        };
        let mut labels = Vec::new();
        let (inertia, moved) = s.step(data, false, 0.01, &mut rng_from_seed(0), &mut labels);
        assert_eq!(labels, vec![0, 0]);
        assert_eq!(s.centers, vec![3.0, 100.0]);
        assert_eq!(s.counts, vec![5.0, 1.0]);
        assert_eq!(inertia, 9.0 + 2.0 * 36.0);
        assert_eq!(moved, 9.0);
    }

    #[test]
    fn centres_without_weight_are_reassigned_to_batch_rows() {
        let mut s = State::new(vec![0.0, 100.0], 2);
        assert!(s.reassign_due(4));
        let x = [1.0, 2.0, 3.0, 4.0];
        let w = [1.0; 4];
        let data = Data {
            x: &x,
            w: &w,
            n: 4,
            d: 1,
        };
        let mut labels = Vec::new();
        s.step(data, true, 0.01, &mut rng_from_seed(3), &mut labels);
        assert_eq!(s.centers[0], 2.5);
        assert!(x.contains(&s.centers[1]), "{:?}", s.centers);
        assert_eq!(s.counts, vec![4.0, 4.0]);
    }

    #[test]
    fn convergence_stops_after_max_no_improvement_steps() {
        let mut c = Convergence::default();
        let stops: Vec<bool> = [5.0, 4.0, 3.0, 3.5, 3.5, 3.5]
            .iter()
            .enumerate()
            .map(|(i, &v)| c.stop(i, 10, 10, 1.0, v * 10.0, 0.0, Some(2)))
            .collect();
        assert_eq!(stops, vec![false, false, false, false, true, true]);
    }
}
