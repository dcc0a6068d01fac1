//! [`KMeans`]: k-means clustering by Lloyd's or Elkan's algorithm, as scikit-learn's `KMeans`.

pub(crate) mod common;
mod elkan;
mod fitted;
pub(crate) mod init;
pub(crate) mod lloyd;
#[cfg(target_arch = "x86_64")]
mod rowwise;
#[cfg(target_arch = "x86_64")]
mod rowwise3;

pub use fitted::FittedKMeans;

use std::borrow::Cow;

use kiln_core::check;
use kiln_core::random::task_rng;
use kiln_core::{Error, FitUnsupervised, Params, Result};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use common::{CHUNK, Data, RunResult};

/// How [`KMeans`] chooses its initial centres.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub enum KMeansInit {
    /// Greedy k-means++ (the default): the first centre is a row drawn with probability
    /// proportional to its weight; each further centre is the best of `2 + ⌊ln k⌋` rows drawn
    /// with probability proportional to `weight × squared distance to the nearest centre so far`
    /// (Arthur & Vassilvitskii 2007), the best being the one that most lowers the inertia.
    #[default]
    KMeansPlusPlus,
    /// `n_clusters` distinct rows drawn uniformly.
    Random,
    /// These centres, one per row (`n_clusters × n_features`). With given centres every
    /// restart would be identical, so `n_init` is treated as 1.
    Given(Array2<f64>),
}

/// [`KMeansAlgorithm::Auto`] starts with Lloyd's iterations on rows of at most this many
/// features.
const AUTO_LLOYD_MAX_FEATURES: usize = 16;

/// Which k-means iteration [`KMeans`] runs; all give the same labels, centres, inertia and
/// iteration count on data without distance ties.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum KMeansAlgorithm {
    /// The default. Rows of more than 16 features (except on AVX2 without AVX-512 with at most
    /// 16 centres, which start as narrower rows do): Elkan's algorithm, handing over to
    /// Lloyd's iterations (from the centres and labels reached) when the bounds stop pruning
    /// (more than 10 % of the distances computed in two iterations in a row, from the fourth
    /// on). Narrower rows: Lloyd's iterations, handing over to Elkan's once an iteration (from
    /// the third on) changes fewer than 1 % of the labels, when the processor has AVX-512 or
    /// AVX2 and there are at most 16 centres (where Elkan's bound test runs on sixteen rows at
    /// once);
    /// Lloyd's throughout otherwise. Same result as either.
    #[default]
    Auto,
    /// Lloyd's algorithm: every iteration computes every row-to-centre distance.
    Lloyd,
    /// Elkan's algorithm: bounds from the triangle inequality skip most distance computations,
    /// at the cost of `n_samples × n_clusters` lower bounds in memory. Faster on
    /// well-separated clusters in many features.
    Elkan,
}

/// K-means clustering: `n_clusters` centres minimising the inertia `Σ w·||x − c(x)||²`, where
/// `c(x)` is the centre nearest to `x`, as scikit-learn's `KMeans`.
///
/// # Parameters
/// - `n_clusters` (default 8): the number of clusters, at least 1 and at most `n_samples`.
/// - `init` (default [`KMeansInit::KMeansPlusPlus`]): how the initial centres are chosen.
/// - `n_init` (default 1): the number of runs from different initial centres; the fitted model
///   is the run with the lowest inertia. At least 1.
/// - `max_iter` (default 300): the maximum number of iterations of one run, at least 1.
/// - `tol` (default 1e-4): relative tolerance, `>= 0`. A run stops when the sum of squared
///   centre shifts of an iteration is at most `tol × mean of the per-feature variances of X`.
/// - `algorithm` (default [`KMeansAlgorithm::Auto`]): Elkan's iteration for rows of more than 16
///   features (handing over to Lloyd's when its bounds stop pruning), Lloyd's otherwise
///   (handing over to Elkan's once few labels change, with AVX-512 or AVX2 and at most 16
///   centres; on AVX2 without AVX-512 wide rows start this way too); or either one by name.
/// - `seed` (default 0): run `i` draws its initial centres from
///   [`kiln_core::random::task_rng`]`(seed, i)`.
///
/// # Fitted attributes
/// [`FittedKMeans::cluster_centers`], [`FittedKMeans::labels`], [`FittedKMeans::inertia`],
/// [`FittedKMeans::n_iter`] and [`FittedKMeans::converged`], all from the same (best) run.
///
/// # Errors
/// `fit` rejects invalid parameters ([`Error::InvalidParameter`]), empty input, NaN or
/// infinite values in `X` or in given centres ([`Error::NonFinite`] with row and column),
/// invalid sample weights, more clusters than samples ([`Error::TooFewSamples`]) and given
/// centres of the wrong shape ([`Error::ShapeMismatch`]).
///
/// # Notes
/// - As in scikit-learn the data are centred (their unweighted column means subtracted) before
///   initialisation and iteration, and the means added back to the centres afterwards; this
///   keeps the `||c||² − 2·x·c` comparison used for assignments accurate.
/// - A run stops after the first iteration whose assignment leaves every label unchanged
///   (strict convergence), or whose squared centre shifts sum to at most the absolute
///   tolerance; [`FittedKMeans::converged`] reports whether either happened within `max_iter`
///   iterations. Unless strictly converged, a last assignment makes the labels those of the
///   final centres. [`FittedKMeans::n_iter`] counts iterations as scikit-learn's `n_iter_`.
/// - A cluster left empty (zero weight) by an iteration is moved to the point farthest from
///   its centre (ties by lowest row index), as scikit-learn's `_relocate_empty_clusters`,
///   except that a point sitting on its centre, of weight 0, or holding the last weight of
///   its cluster is not moved (that gains nothing, and with duplicate points it made the fit
///   shuffle identical rows until `max_iter`); an empty cluster that gets no point keeps its
///   centre.
/// - With fewer distinct points than clusters the fit succeeds (scikit-learn warns): some
///   centres coincide or some clusters stay empty, and [`FittedKMeans::labels`] has fewer
///   distinct values than `n_clusters`.
/// - Among restarts, a later run replaces the best so far only when its inertia is strictly
///   lower and its partition differs (scikit-learn's rule: a relabelling of the same clustering
///   with an inertia lower by rounding is not a better run). Every fitted field comes from the
///   chosen run.
/// - With [`KMeansInit::Given`] every restart would start from the same centres, so `n_init`
///   is treated as 1 (scikit-learn warns and does the same).
/// - Memory: the fit reads `X` in place when it is row-major and its mean lies within its
///   spread (`2·||mean||² ≤ E||x||²`); otherwise it holds one centred copy (centring keeps the
///   `||c||² − 2·x·c` comparison accurate on data far from the origin). Elkan adds
///   `n_samples × n_clusters` lower bounds.
/// - Results are identical on any number of threads: rows are processed in fixed chunks of
///   4096 whose partial sums are merged in order. The initial centres come from kiln's random
///   generator, so they differ from scikit-learn's for the same seed.
/// - [`FittedKMeans`] predicts the nearest centre by the same `||c||² − 2·x·c` comparison as
///   at fit; `transform` and the inertia use directly summed squared differences.
///
/// # References
/// - Lloyd, S. (1982). Least squares quantization in PCM. *IEEE Trans. Inf. Theory* 28(2).
/// - Arthur, D. & Vassilvitskii, S. (2007). k-means++: the advantages of careful seeding.
///   *SODA 2007*.
/// - Elkan, C. (2003). Using the triangle inequality to accelerate k-means. *ICML 2003*.
///
/// # Example
/// ```
/// use kiln_cluster::KMeans;
/// use kiln_core::{FitUnsupervised, Predict};
/// use ndarray::array;
///
/// let x = array![[1.0], [1.5], [2.0], [10.0], [10.5], [11.0]];
/// let model = KMeans::default().with_n_clusters(2).fit(x.view())?;
/// let labels = model.predict(array![[0.0], [12.0]].view())?;
/// assert_ne!(labels[0], labels[1]);
/// assert!((model.inertia() - 1.0).abs() < 1e-12);
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KMeans {
    /// The number of clusters. By default, 8.
    pub n_clusters: usize,
    /// How the initial centres are chosen. By default, [`KMeansInit::KMeansPlusPlus`].
    pub init: KMeansInit,
    /// The number of runs from different initial centres. By default, 1.
    pub n_init: usize,
    /// The maximum number of iterations of one run. By default, 300.
    pub max_iter: usize,
    /// The tolerance on centre shifts, relative to the mean feature variance. By default, 1e-4.
    pub tol: f64,
    /// Lloyd's or Elkan's iteration, or a choice between them. By default,
    /// [`KMeansAlgorithm::Auto`].
    pub algorithm: KMeansAlgorithm,
    /// The random seed. By default, 0.
    pub seed: u64,
}

impl Default for KMeans {
    fn default() -> Self {
        Self {
            n_clusters: 8,
            init: KMeansInit::KMeansPlusPlus,
            n_init: 1,
            max_iter: 300,
            tol: 1e-4,
            algorithm: KMeansAlgorithm::Auto,
            seed: kiln_core::random::DEFAULT_SEED,
        }
    }
}

impl KMeans {
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

    /// Sets `n_init` (by default, 1).
    #[must_use]
    pub fn with_n_init(mut self, n_init: usize) -> Self {
        self.n_init = n_init;
        self
    }

    /// Sets `max_iter` (by default, 300).
    #[must_use]
    pub fn with_max_iter(mut self, max_iter: usize) -> Self {
        self.max_iter = max_iter;
        self
    }

    /// Sets `tol` (by default, 1e-4).
    #[must_use]
    pub fn with_tol(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }

    /// Sets `algorithm` (by default, [`KMeansAlgorithm::Auto`]).
    #[must_use]
    pub fn with_algorithm(mut self, algorithm: KMeansAlgorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// Sets `seed` (by default, 0).
    #[must_use]
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Fits and returns the model with the label of every row of `x` (equal to
    /// [`FittedKMeans::labels`]).
    ///
    /// # Errors
    /// As [`FitUnsupervised::fit_weighted`].
    pub fn fit_predict(
        &self,
        x: ArrayView2<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<(FittedKMeans, Array1<usize>)> {
        let fitted = self.fit_weighted(x, sample_weight)?;
        let labels = fitted.labels.clone();
        Ok((fitted, labels))
    }

    /// The number of runs actually made: 1 with given centres.
    fn effective_n_init(&self) -> usize {
        match self.init {
            KMeansInit::Given(_) => 1,
            _ => self.n_init,
        }
    }
}

impl Params for KMeans {
    const NAME: &'static str = "KMeans";

    fn validate(&self) -> Result<()> {
        let name = Self::NAME;
        check::check_param(
            name,
            "n_clusters",
            self.n_clusters,
            self.n_clusters >= 1,
            "an int in the range [1, inf)",
        )?;
        check::check_param(
            name,
            "n_init",
            self.n_init,
            self.n_init >= 1,
            "an int in the range [1, inf)",
        )?;
        check::check_param(
            name,
            "max_iter",
            self.max_iter,
            self.max_iter >= 1,
            "an int in the range [1, inf)",
        )?;
        check::check_param(
            name,
            "tol",
            self.tol,
            self.tol.is_finite() && self.tol >= 0.0,
            "a float in the range [0, inf)",
        )
    }
}

/// The unweighted column means of the row-major `x` (`n × d`) and the mean squared row norm
/// `Σ ||x_i||² / n`, in one pass, summed per chunk in order.
fn means_and_square_norm(x: &[f64], n: usize, d: usize) -> (Vec<f64>, f64) {
    let parts: Vec<(Vec<f64>, f64)> = x
        .par_chunks(CHUNK * d)
        .map(|rows| {
            let mut s = vec![0.0; d];
            let mut sq = 0.0;
            for row in rows.chunks_exact(d) {
                s.iter_mut().zip(row).for_each(|(a, b)| *a += b);
                sq += row.iter().map(|v| v * v).sum::<f64>();
            }
            (s, sq)
        })
        .collect();
    let mut mean = vec![0.0; d];
    let mut sq = 0.0;
    for (p, q) in parts {
        mean.iter_mut().zip(&p).for_each(|(a, b)| *a += b);
        sq += q;
    }
    mean.iter_mut().for_each(|m| *m /= n as f64);
    (mean, sq / n as f64)
}

/// Whether fitting should work on a centred copy of data with these column means and mean
/// squared row norm: when `||mean||² > E||x||² / 2`, i.e. when the mean lies further from the
/// origin than the rows spread around it (`E||x − mean||² = E||x||² − ||mean||²`).
///
/// Centring is for precision: the assignment compares `||c||² − 2·x·c`, whose rounding error
/// grows with `||x||`. When the mean is within the spread, centring would shrink the norms by
/// at most a factor of √2 and not buy that; skipping it saves writing a copy of the data (one
/// read, one write of fresh pages: 10–30 % of a fit on 100k × 50 rows).
fn worth_centring(mean: &[f64], mean_square_norm: f64) -> bool {
    2.0 * mean.iter().map(|m| m * m).sum::<f64>() > mean_square_norm
}

/// The training rows as a fit reads them ([`fit_rows`]).
pub(crate) struct FitRows<'a> {
    /// Row-major rows minus `offset`: the caller's own when they are row-major and need no
    /// centring, otherwise a copy.
    pub rows: Cow<'a, [f64]>,
    /// What was subtracted from every row: the column means when centred, otherwise zeros.
    pub offset: Vec<f64>,
    /// The absolute tolerance for `tol` ([`absolute_tol`]).
    pub tol: f64,
}

/// The rows of `x` for fitting: row-major, centred by the column means when that helps the
/// precision ([`worth_centring`]), and the absolute tolerance for `tol`; two reads of the
/// data, plus the centring pass into a copy when it is done.
pub(crate) fn fit_rows(x: ArrayView2<'_, f64>, tol: f64) -> FitRows<'_> {
    let (n, d) = x.dim();
    let src: Cow<'_, [f64]> = match x.to_slice() {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(x.iter().copied().collect()),
    };
    let (mean, mean_square_norm) = means_and_square_norm(&src, n, d);
    let tol = absolute_tol(&src, n, d, &mean, tol);
    if !worth_centring(&mean, mean_square_norm) {
        return FitRows {
            rows: src,
            offset: vec![0.0; d],
            tol,
        };
    }
    // Written in one parallel pass, so the copy's pages are first touched on every core.
    let mut centred = vec![0.0; n * d];
    centred
        .par_chunks_mut(CHUNK * d)
        .zip(src.par_chunks(CHUNK * d))
        .for_each(|(out, rows)| {
            for (o, r) in out.chunks_exact_mut(d).zip(rows.chunks_exact(d)) {
                for ((o, v), m) in o.iter_mut().zip(r).zip(&mean) {
                    *o = v - m;
                }
            }
        });
    FitRows {
        rows: Cow::Owned(centred),
        offset: mean,
        tol,
    }
}

/// The absolute tolerance: `tol` × the mean of the per-feature (population, unweighted)
/// variances of the data (scikit-learn's `_tolerance`), with the column means already known:
/// the variances are the mean squares around them (no cancellation).
fn absolute_tol(x: &[f64], n: usize, d: usize, mean: &[f64], tol: f64) -> f64 {
    if tol == 0.0 {
        return 0.0;
    }
    let parts: Vec<Vec<f64>> = x
        .par_chunks(CHUNK * d)
        .map(|rows| {
            let mut s = vec![0.0; d];
            for row in rows.chunks_exact(d) {
                for ((a, v), m) in s.iter_mut().zip(row).zip(mean) {
                    *a += (v - m) * (v - m);
                }
            }
            s
        })
        .collect();
    let mut var = vec![0.0; d];
    for p in parts {
        var.iter_mut().zip(&p).for_each(|(a, b)| *a += b);
    }
    var.iter().map(|v| v / n as f64).sum::<f64>() / d as f64 * tol
}

/// Whether two labelings are the same partition up to a renaming of the clusters
/// (scikit-learn's `_is_same_clustering`).
fn same_clustering(a: &[usize], b: &[usize], k: usize) -> bool {
    let mut map = vec![usize::MAX; k];
    for (&la, &lb) in a.iter().zip(b) {
        if map[la] == usize::MAX {
            map[la] = lb;
        } else if map[la] != lb {
            return false;
        }
    }
    true
}

impl FitUnsupervised for KMeans {
    type Fitted = FittedKMeans;

    fn fit_weighted(
        &self,
        x: ArrayView2<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedKMeans> {
        // Small data on a thread of rayon's pool: each k-means++ step's and iteration's
        // parallel region then starts on the calling worker.
        kiln_core::pool::fit_on_pool(x.len(), || self.fit_here(x, sample_weight))
    }
}

impl KMeans {
    /// [`FitUnsupervised::fit_weighted`] on the calling thread.
    fn fit_here(
        &self,
        x: ArrayView2<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedKMeans> {
        self.validate()?;
        let (n, d) = x.dim();
        let k = self.n_clusters;
        crate::kmeans::common::check_fit_input(Self::NAME, x, sample_weight, k, &self.init)?;

        let FitRows { rows, offset, tol } = fit_rows(x, self.tol);
        let w: Vec<f64> = match sample_weight {
            Some(w) => w.to_vec(),
            None => vec![1.0; n],
        };
        let data = Data {
            x: &rows,
            w: &w,
            n,
            d,
        };

        let mut best: Option<RunResult> = None;
        for run in 0..self.effective_n_init() {
            let mut rng = task_rng(self.seed, run as u64);
            let centers_init = match &self.init {
                KMeansInit::KMeansPlusPlus => init::kmeans_plus_plus(data, k, &mut rng),
                KMeansInit::Random => init::random_rows(data, k, &mut rng),
                KMeansInit::Given(c) => c
                    .rows()
                    .into_iter()
                    .flat_map(|r| {
                        r.iter()
                            .zip(&offset)
                            .map(|(v, m)| v - m)
                            .collect::<Vec<_>>()
                    })
                    .collect(),
            };
            let narrow = d <= AUTO_LLOYD_MAX_FEATURES || elkan::lloyd_first_when_wide(k);
            let result = match self.algorithm {
                KMeansAlgorithm::Lloyd => {
                    lloyd::run(data, centers_init, k, self.max_iter, tol, false)
                }
                KMeansAlgorithm::Auto if narrow => {
                    let elkan_after = elkan::vector_kernel(k);
                    lloyd::run(data, centers_init, k, self.max_iter, tol, elkan_after)
                }
                // Elkan, handing over to Lloyd only under `Auto`.
                a => elkan::run(
                    data,
                    centers_init,
                    k,
                    self.max_iter,
                    tol,
                    a == KMeansAlgorithm::Auto,
                ),
            };
            let better = match &best {
                None => true,
                Some(b) => {
                    result.inertia < b.inertia && !same_clustering(&result.labels, &b.labels, k)
                }
            };
            if better {
                best = Some(result);
            }
        }
        let Some(best) = best else {
            // Unreachable: validate() guarantees n_init >= 1.
            return Err(Error::invalid_param(
                Self::NAME,
                "n_init",
                "must be at least 1; got 0",
            ));
        };
        let mut centers = best.centers;
        for c in centers.chunks_exact_mut(d) {
            c.iter_mut().zip(&offset).for_each(|(v, m)| *v += m);
        }
        let cluster_centers = Array2::from_shape_fn((k, d), |(j, f)| centers[j * d + f]);
        Ok(FittedKMeans {
            params: self.clone(),
            n_features: d,
            cluster_centers,
            labels: Array1::from(best.labels),
            inertia: best.inertia,
            n_iter: best.n_iter,
            converged: best.converged,
            offset: if offset.iter().any(|&o| o != 0.0) {
                offset
            } else {
                Vec::new()
            },
        })
    }
}

/// The rows of `x`, row-major, each minus `offset`.
pub(crate) fn shift_rows(x: ArrayView2<'_, f64>, offset: &[f64]) -> Vec<f64> {
    let mut out = Vec::with_capacity(x.len());
    for row in x.rows() {
        out.extend(row.iter().zip(offset).map(|(v, o)| v - o));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_clustering_accepts_renamings_only() {
        assert!(same_clustering(&[0, 0, 1, 2], &[2, 2, 0, 1], 3));
        assert!(!same_clustering(&[0, 0, 1, 2], &[2, 1, 0, 1], 3));
    }

    #[test]
    fn data_is_centred_when_its_mean_is_further_out_than_its_spread() {
        // ||mean||² = 25: centred when E||x||² < 50, i.e. when the spread around the mean
        // (E||x||² − 25) is below ||mean||².
        assert!(worth_centring(&[3.0, 4.0], 40.0));
        assert!(!worth_centring(&[3.0, 4.0], 60.0));
        assert!(!worth_centring(&[0.0, 0.0], 0.0));
        let x = [1.0, 2.0, 3.0, 6.0];
        let (mean, sq) = means_and_square_norm(&x, 2, 2);
        assert_eq!(mean, vec![2.0, 4.0]);
        assert_eq!(sq, (1.0 + 4.0 + 9.0 + 36.0) / 2.0);
    }

    #[test]
    fn absolute_tol_is_tol_times_mean_population_variance() {
        // Columns [1, 3] and [0, 4] (centred: [-1, 1], [-2, 2]); variances 1 and 4.
        let x = [1.0, 0.0, 3.0, 4.0];
        let (mean, _) = means_and_square_norm(&x, 2, 2);
        assert_eq!(absolute_tol(&x, 2, 2, &mean, 0.1), 0.25);
        assert_eq!(absolute_tol(&x, 2, 2, &mean, 0.0), 0.0);
    }
}
