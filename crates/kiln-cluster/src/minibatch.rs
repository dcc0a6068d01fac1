//! [`MiniBatchKMeans`]: k-means on random mini-batches (Sculley 2010), as scikit-learn's
//! `MiniBatchKMeans`, with `partial_fit` for data that arrive in batches.

mod fitted;
mod step;

pub use fitted::FittedMiniBatchKMeans;

use kiln_core::check;
use kiln_core::random::{KilnRng, rng_from_seed};
use kiln_core::{Error, FitUnsupervised, Params, Result};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::kmeans::common::{Data, sq_dist};
use crate::kmeans::{FitRows, KMeansInit, fit_rows, init, lloyd};
use step::{Convergence, State};

/// Mini-batch k-means (Sculley 2010): k-means whose centres learn from small random batches
/// of rows instead of the whole data at every iteration, as scikit-learn's `MiniBatchKMeans`.
/// Much faster than [`crate::KMeans`] on large data, at a slightly higher inertia; with
/// [`MiniBatchKMeans::partial_fit`] it also learns from a stream of batches that never sits
/// in memory at once.
///
/// # Parameters
/// - `n_clusters` (default 8): the number of clusters, at least 1 and at most `n_samples`
///   (of the first batch, for `partial_fit`).
/// - `init` (default [`KMeansInit::KMeansPlusPlus`]): how the initial centres are chosen,
///   from `init_size` rows drawn at random.
/// - `batch_size` (default 1024): rows per mini-batch, at least 1 (capped at `n_samples`).
/// - `max_iter` (default 100): the maximum number of passes over the data (epochs); `fit`
///   makes at most `⌊max_iter · n_samples / batch_size⌋` steps. At least 1.
/// - `max_no_improvement` (default `Some(10)`): stop after this many consecutive steps without
///   a new minimum of the smoothed batch inertia; `None` disables the rule.
/// - `tol` (default 0.0): stop when a step's squared centre moves sum to at most
///   `tol × mean per-feature variance of X` (as [`crate::KMeans`]); 0 disables the rule.
/// - `init_size` (default `None`, meaning `3 · batch_size`, or `3 · n_clusters` when that is
///   smaller than `n_clusters`): the number of rows drawn (with replacement) to choose initial
///   centres from; a value below `n_clusters` becomes `3 · n_clusters`; capped at
///   `n_samples`. At least 1.
/// - `n_init` (default 1): initialisations tried, each on its own random rows; the one with the
///   lowest inertia on a further `init_size` random rows is kept. scikit-learn's default
///   `"auto"` means 1 for k-means++ and given centres and 3 for random rows: set 3 yourself
///   with [`KMeansInit::Random`]. At least 1; given centres make a single initialisation.
/// - `reassignment_ratio` (default 0.01): centres whose accumulated weight falls below this
///   fraction of the largest are moved to random rows of the batch (every `10 · n_clusters`
///   rows, and whenever a centre has received no weight yet). `>= 0`; 0 disables it.
/// - `seed` (default 0): the seed of all random draws.
///
/// # Fitted attributes
/// [`FittedMiniBatchKMeans::cluster_centers`], [`FittedMiniBatchKMeans::labels`] and
/// [`FittedMiniBatchKMeans::inertia`] (of the whole training data under the final centres,
/// after `fit`), [`FittedMiniBatchKMeans::n_iter`], [`FittedMiniBatchKMeans::n_steps`] and
/// [`FittedMiniBatchKMeans::counts`].
///
/// # Errors
/// `fit` and `partial_fit` reject invalid parameters ([`Error::InvalidParameter`]), empty
/// input, NaN or infinite values ([`Error::NonFinite`] with row and column), invalid sample
/// weights, more clusters than rows ([`Error::TooFewSamples`]; for `partial_fit`, in the first
/// batch) and given centres of the wrong shape ([`Error::ShapeMismatch`]). Later batches of a
/// stream with another number of columns give [`Error::FeatureCountMismatch`].
///
/// # Notes
/// - One step (scikit-learn's `_mini_batch_step`): assign the batch's rows to their nearest
///   centres; move each centre to the weighted mean of its previous position, counted with its
///   accumulated weight, and its new rows, i.e. a per-row learning rate of `w / count`
///   (Sculley 2010, Algorithm 1, with weights); then, when due, move low-count centres to
///   random batch rows.
/// - `fit` draws every batch with replacement, with probability proportional to the sample
///   weight (the steps then use unit weights), as scikit-learn does. It stops early on the
///   exponentially weighted average of the mean batch inertia (smoothing factor
///   `min(1, 2 · batch_size / (n_samples + 1))`, the first step ignored) or on `tol`; then a
///   last full assignment gives the labels and inertia of the training data.
/// - When the training data (or the first batch for `partial_fit`) lies further from the
///   origin than its rows spread around their mean (`2·||mean||² > E||x||²`), every row is
///   shifted by those column means before any distance is computed, and the centres shifted
///   back for [`FittedMiniBatchKMeans::cluster_centers`]: the `||c||² − 2·x·c` comparison used
///   for assignments then stays accurate on data far from the origin. Otherwise the offset is
///   zero and row-major data is read in place (no copy), as [`crate::KMeans`] does.
/// - `partial_fit` ignores `max_iter`, `max_no_improvement` and `tol` (there is no stopping
///   in a stream), as scikit-learn does; `batch_size` only sets the default `init_size`.
/// - [`KMeansInit::Random`] draws its rows uniformly (scikit-learn draws them with
///   probability proportional to the sample weight); k-means++ uses the weights.
/// - Results are identical on any number of threads (assignments run over fixed chunks of
///   rows). The random draws come from kiln's generator, so a fit differs from scikit-learn's
///   for the same seed; the inertia is comparable, not equal.
///
/// # References
/// - Sculley, D. (2010). Web-scale k-means clustering. *WWW 2010*, 1177–1178.
/// - Arthur, D. & Vassilvitskii, S. (2007). k-means++: the advantages of careful seeding.
///   *SODA 2007*.
///
/// # Example
/// ```
/// use kiln_cluster::MiniBatchKMeans;
/// use kiln_core::{FitUnsupervised, Predict};
/// use ndarray::{Array2, s};
///
/// // Two groups of 500 rows around (0, 0) and (10, 10).
/// let x = Array2::from_shape_fn((1000, 2), |(i, j)| {
///     (i / 500) as f64 * 10.0 + ((i * 7 + j * 3) % 11) as f64 * 0.1
/// });
/// let params = MiniBatchKMeans::default().with_n_clusters(2).with_batch_size(100);
/// let model = params.fit(x.view())?;
/// assert_ne!(model.labels()[0], model.labels()[999]);
///
/// // The same data as a stream of ten batches.
/// let mut stream = params.partial_fit(x.slice(s![0..100, ..]), None)?;
/// for b in 1..10 {
///     stream.partial_fit(x.slice(s![b * 100..(b + 1) * 100, ..]), None)?;
/// }
/// assert_eq!(stream.n_steps(), 10);
/// let labels = stream.predict(x.view())?;
/// assert_ne!(labels[0], labels[999]);
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MiniBatchKMeans {
    /// The number of clusters. By default, 8.
    pub n_clusters: usize,
    /// How the initial centres are chosen. By default, [`KMeansInit::KMeansPlusPlus`].
    pub init: KMeansInit,
    /// Rows per mini-batch. By default, 1024.
    pub batch_size: usize,
    /// The maximum number of passes over the data. By default, 100.
    pub max_iter: usize,
    /// Steps without improvement of the smoothed inertia before stopping. By default,
    /// `Some(10)`.
    pub max_no_improvement: Option<usize>,
    /// The tolerance on centre moves, relative to the mean feature variance. By default, 0.
    pub tol: f64,
    /// Rows drawn to choose the initial centres from. By default, `None` (`3 · batch_size`).
    pub init_size: Option<usize>,
    /// The number of initialisations tried. By default, 1.
    pub n_init: usize,
    /// The fraction of the largest count below which a centre is reassigned. By default, 0.01.
    pub reassignment_ratio: f64,
    /// The random seed. By default, 0.
    pub seed: u64,
}

impl Default for MiniBatchKMeans {
    fn default() -> Self {
        Self {
            n_clusters: 8,
            init: KMeansInit::KMeansPlusPlus,
            batch_size: 1024,
            max_iter: 100,
            max_no_improvement: Some(10),
            tol: 0.0,
            init_size: None,
            n_init: 1,
            reassignment_ratio: 0.01,
            seed: kiln_core::random::DEFAULT_SEED,
        }
    }
}

impl MiniBatchKMeans {
    /// Sets `n_clusters` (by default, 8).
    #[must_use]
    pub fn with_n_clusters(mut self, n_clusters: usize) -> Self {
        self.n_clusters = n_clusters;
        self
    }

    /// Sets `init` (by default, [`KMeansInit::KMeansPlusPlus`]).
    #[must_use]
    pub fn with_init(mut self, init: KMeansInit) -> Self {
        self.init = init;
        self
    }

    /// Sets `batch_size` (by default, 1024).
    #[must_use]
    pub fn with_batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }

    /// Sets `max_iter`, the maximum number of epochs (by default, 100).
    #[must_use]
    pub fn with_max_iter(mut self, max_iter: usize) -> Self {
        self.max_iter = max_iter;
        self
    }

    /// Sets `max_no_improvement` (by default, `Some(10)`; `None` disables the rule).
    #[must_use]
    pub fn with_max_no_improvement(mut self, max_no_improvement: Option<usize>) -> Self {
        self.max_no_improvement = max_no_improvement;
        self
    }

    /// Sets `tol` (by default, 0, which disables the rule).
    #[must_use]
    pub fn with_tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }

    /// Sets `init_size` (by default, `None`: `3 · batch_size`).
    #[must_use]
    pub fn with_init_size(mut self, init_size: Option<usize>) -> Self {
        self.init_size = init_size;
        self
    }

    /// Sets `n_init` (by default, 1).
    #[must_use]
    pub fn with_n_init(mut self, n_init: usize) -> Self {
        self.n_init = n_init;
        self
    }

    /// Sets `reassignment_ratio` (by default, 0.01).
    #[must_use]
    pub fn with_reassignment_ratio(mut self, reassignment_ratio: f64) -> Self {
        self.reassignment_ratio = reassignment_ratio;
        self
    }

    /// Sets `seed` (by default, 0).
    #[must_use]
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Starts a model from the first batch of a stream (scikit-learn's first `partial_fit`):
    /// chooses the initial centres from the batch, makes one mini-batch step on it, and sets
    /// the labels and inertia to those of the batch. Feed the following batches to
    /// [`FittedMiniBatchKMeans::partial_fit`]; the per-centre counts carry over from batch to
    /// batch. (A model from [`FitUnsupervised::fit`] can be continued the same way.)
    ///
    /// # Errors
    /// As [`FitUnsupervised::fit_weighted`], on the batch.
    pub fn partial_fit(
        &self,
        x: ArrayView2<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedMiniBatchKMeans> {
        let w = self.check_fit_input(x, sample_weight)?;
        let (n, d) = x.dim();
        let FitRows {
            rows: xs, offset, ..
        } = fit_rows(x, 0.0);
        let data = Data {
            x: &xs,
            w: &w,
            n,
            d,
        };
        let mut rng = rng_from_seed(self.seed);
        let centers = self.init_centers(data, &offset, self.init_size(n), &mut rng);
        let mut model = self.empty_model(d, offset, centers);
        model.learn_batch(data, &mut rng);
        Ok(model)
    }

    /// `validate`, then the checks of the data, the weights and given centres; returns the
    /// weights (ones when none are given).
    fn check_fit_input(
        &self,
        x: ArrayView2<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<Vec<f64>> {
        self.validate()?;
        crate::kmeans::common::check_fit_input(
            Self::NAME,
            x,
            sample_weight,
            self.n_clusters,
            &self.init,
        )?;
        Ok(match sample_weight {
            Some(w) => w.to_vec(),
            None => vec![1.0; x.nrows()],
        })
    }

    /// The batch size actually used on `n` rows.
    fn effective_batch_size(&self, n: usize) -> usize {
        self.batch_size.min(n)
    }

    /// The number of rows initial centres are chosen from, on `n` rows (scikit-learn's
    /// `_init_size`).
    fn init_size(&self, n: usize) -> usize {
        let k = self.n_clusters;
        let size = match self.init_size {
            None => {
                let s = 3 * self.effective_batch_size(n);
                if s < k { 3 * k } else { s }
            }
            Some(s) if s < k => 3 * k,
            Some(s) => s,
        };
        size.min(n)
    }

    /// Initial centres (shifted) from `init_size` rows of `data` drawn with replacement.
    fn init_centers(
        &self,
        data: Data<'_>,
        offset: &[f64],
        init_size: usize,
        rng: &mut KilnRng,
    ) -> Vec<f64> {
        let k = self.n_clusters;
        if let KMeansInit::Given(c) = &self.init {
            return c
                .rows()
                .into_iter()
                .flat_map(|r| r.iter().zip(offset).map(|(v, o)| v - o).collect::<Vec<_>>())
                .collect();
        }
        let (sub_x, sub_w);
        let sub = if init_size < data.n {
            let idx: Vec<usize> = (0..init_size)
                .map(|_| rng.random_range(0..data.n))
                .collect();
            (sub_x, sub_w) = gather(data, &idx);
            Data {
                x: &sub_x,
                w: &sub_w,
                n: init_size,
                d: data.d,
            }
        } else {
            data
        };
        match self.init {
            KMeansInit::Random => init::random_rows(sub, k, rng),
            _ => init::kmeans_plus_plus(sub, k, rng),
        }
    }

    /// A model at the given (shifted) centres with zero counts and no steps.
    fn empty_model(&self, d: usize, offset: Vec<f64>, centers: Vec<f64>) -> FittedMiniBatchKMeans {
        FittedMiniBatchKMeans {
            params: self.clone(),
            n_features: d,
            offset,
            state: State::new(centers, self.n_clusters),
            cluster_centers: Array2::zeros((self.n_clusters, d)),
            labels: Array1::zeros(0),
            inertia: 0.0,
            n_iter: 0,
            n_steps: 0,
        }
    }
}

/// The rows `idx` of `data` and their weights.
/// The row whose stretch `(cum[j - 1], cum[j]]` of the cumulative weights holds `target`
/// (side "right", so a row of zero weight is never drawn); the last row for a target at or
/// past the total. With `unit_weights` (`cum[i] = i + 1`) that is `target`'s integer part.
fn draw_row(cum: &[f64], target: f64, unit_weights: bool) -> usize {
    let last = cum.len().saturating_sub(1);
    if unit_weights {
        // `as` truncates toward zero and saturates, as the search would count.
        (target as usize).min(last)
    } else {
        cum.partition_point(|&c| c <= target).min(last)
    }
}

fn gather(data: Data<'_>, idx: &[usize]) -> (Vec<f64>, Vec<f64>) {
    let mut x = Vec::with_capacity(idx.len() * data.d);
    for &i in idx {
        x.extend_from_slice(data.row(i));
    }
    (x, idx.iter().map(|&i| data.w[i]).collect())
}

/// The weighted inertia of `data` against its nearest centres.
fn nearest_inertia(data: Data<'_>, centers: &[f64], k: usize) -> f64 {
    let d = data.d;
    let mut labels = vec![0; data.n];
    lloyd::assign(data.x, d, centers, k, &mut labels);
    labels
        .iter()
        .enumerate()
        .map(|(i, &l)| data.w[i] * sq_dist(data.row(i), &centers[l * d..(l + 1) * d]))
        .sum()
}

impl Params for MiniBatchKMeans {
    const NAME: &'static str = "MiniBatchKMeans";

    fn validate(&self) -> Result<()> {
        let name = Self::NAME;
        let positive = "an int in the range [1, inf)";
        check::check_param(
            name,
            "n_clusters",
            self.n_clusters,
            self.n_clusters >= 1,
            positive,
        )?;
        check::check_param(
            name,
            "batch_size",
            self.batch_size,
            self.batch_size >= 1,
            positive,
        )?;
        check::check_param(
            name,
            "max_iter",
            self.max_iter,
            self.max_iter >= 1,
            positive,
        )?;
        check::check_param(
            name,
            "tol",
            self.tol,
            self.tol.is_finite() && self.tol >= 0.0,
            "a float in the range [0, inf)",
        )?;
        if let Some(s) = self.init_size {
            check::check_param(name, "init_size", s, s >= 1, "an int in the range [1, inf)")?;
        }
        check::check_param(name, "n_init", self.n_init, self.n_init >= 1, positive)?;
        check::check_param(
            name,
            "reassignment_ratio",
            self.reassignment_ratio,
            self.reassignment_ratio.is_finite() && self.reassignment_ratio >= 0.0,
            "a float in the range [0, inf)",
        )
    }
}

impl FitUnsupervised for MiniBatchKMeans {
    type Fitted = FittedMiniBatchKMeans;

    fn fit_weighted(
        &self,
        x: ArrayView2<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedMiniBatchKMeans> {
        let w = self.check_fit_input(x, sample_weight)?;
        let (n, d) = x.dim();
        let k = self.n_clusters;
        let FitRows {
            rows: xs,
            offset,
            tol,
        } = fit_rows(x, self.tol);
        let data = Data {
            x: &xs,
            w: &w,
            n,
            d,
        };
        let batch_size = self.effective_batch_size(n);
        let init_size = self.init_size(n);
        let mut rng = rng_from_seed(self.seed);

        // Initialisations are compared on their own random rows, as in scikit-learn.
        let valid_idx: Vec<usize> = (0..init_size).map(|_| rng.random_range(0..n)).collect();
        let (vx, vw) = gather(data, &valid_idx);
        let valid = Data {
            x: &vx,
            w: &vw,
            n: init_size,
            d,
        };
        let n_init = match self.init {
            KMeansInit::Given(_) => 1,
            _ => self.n_init,
        };
        let mut best: Option<(f64, Vec<f64>)> = None;
        for _ in 0..n_init {
            let centers = self.init_centers(data, &offset, init_size, &mut rng);
            let inertia = nearest_inertia(valid, &centers, k);
            if best.as_ref().is_none_or(|(b, _)| inertia < *b) {
                best = Some((inertia, centers));
            }
        }
        let Some((_, centers)) = best else {
            // Unreachable: validate() guarantees n_init >= 1.
            return Err(Error::invalid_param(
                Self::NAME,
                "n_init",
                "must be at least 1; got 0",
            ));
        };
        let mut model = self.empty_model(d, offset, centers);

        // Batches are drawn with probability proportional to the weight, so the steps use
        // unit weights (the weights must not count twice).
        let mut cum = Vec::with_capacity(n);
        let mut acc = 0.0;
        for &v in &w {
            acc += v;
            cum.push(acc);
        }
        let total = acc;
        // Without weights (all 1), `cum[i] = i + 1` exactly, so the row a draw lands on is the
        // draw's integer part: the same row as the search, without its ~20 scattered reads of
        // `cum` per row (they were most of a step's time on a million rows).
        let unit_weights = w.iter().all(|&v| v == 1.0);
        let n_steps = self.max_iter.saturating_mul(n) / batch_size;
        let mut bx = vec![0.0; batch_size * d];
        let unit = vec![1.0; batch_size];
        let mut labels = Vec::with_capacity(batch_size);
        let mut conv = Convergence::default();
        let mut steps_done = 0;
        for i in 0..n_steps {
            for row in bx.chunks_exact_mut(d) {
                let target = rng.random::<f64>() * total;
                let j = draw_row(&cum, target, unit_weights);
                row.copy_from_slice(data.row(j));
            }
            let batch = Data {
                x: &bx,
                w: &unit,
                n: batch_size,
                d,
            };
            let reassign = model.state.reassign_due(batch_size);
            let (inertia, moved) = model.state.step(
                batch,
                reassign,
                self.reassignment_ratio,
                &mut rng,
                &mut labels,
            );
            steps_done = i + 1;
            if conv.stop(
                i,
                batch_size,
                n,
                moved,
                inertia,
                tol,
                self.max_no_improvement,
            ) {
                break;
            }
        }
        model.n_steps = steps_done;
        model.n_iter = (steps_done * batch_size).div_ceil(n);
        model.relabel(data);
        Ok(model)
    }
}

#[cfg(test)]
mod tests {
    use super::draw_row;

    #[test]
    fn unit_weight_draws_land_on_the_row_the_search_finds() {
        for n in [1usize, 2, 7, 1000, 1 << 20] {
            let cum: Vec<f64> = (1..=n).map(|i| i as f64).collect();
            let total = n as f64;
            let mut targets: Vec<f64> = (0..=n.min(5000)).map(|i| i as f64).collect();
            targets.extend([
                total - 1e-9,
                total,
                total * (1.0 - f64::EPSILON),
                0.5,
                1e-300,
            ]);
            // Evenly spread fractions and their products with the total, as a draw makes them.
            targets.extend((0..5000).map(|i| (i as f64 * 0.618_033_988_749_895).fract() * total));
            for t in targets {
                assert_eq!(
                    draw_row(&cum, t, true),
                    draw_row(&cum, t, false),
                    "n {n}, target {t}"
                );
            }
        }
    }

    #[test]
    fn weighted_draws_skip_rows_of_zero_weight() {
        let cum = [0.0, 2.0, 2.0, 3.0];
        assert_eq!(draw_row(&cum, 0.0, false), 1);
        assert_eq!(draw_row(&cum, 1.999, false), 1);
        assert_eq!(draw_row(&cum, 2.0, false), 3);
        assert_eq!(draw_row(&cum, 3.0, false), 3);
    }
}
