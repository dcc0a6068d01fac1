//! `make_blobs`: isotropic Gaussian clusters.

use kiln_core::check::check_param;
use kiln_core::random::rng_from_seed;
use kiln_core::{Params, Result};
use ndarray::{Array1, Array2, s};
use rand::Rng;

use super::{shuffle_rows, standard_normal};

/// Where the blobs are centred.
#[derive(Debug, Clone, PartialEq)]
pub enum Centers {
    /// This many centres, drawn uniformly from [`MakeBlobs::center_box`] in every dimension.
    Count(usize),
    /// These centres, one per row; the number of columns sets the number of features.
    Given(Array2<f64>),
}

impl Default for Centers {
    /// Three random centres, scikit-learn's default.
    fn default() -> Self {
        Centers::Count(3)
    }
}

impl From<usize> for Centers {
    fn from(count: usize) -> Self {
        Centers::Count(count)
    }
}

impl From<Array2<f64>> for Centers {
    fn from(centers: Array2<f64>) -> Self {
        Centers::Given(centers)
    }
}

/// The standard deviation of the blobs.
#[derive(Debug, Clone, PartialEq)]
pub enum ClusterStd {
    /// One standard deviation for every blob.
    Same(f64),
    /// One standard deviation per centre, in the order of the centres.
    PerCenter(Vec<f64>),
}

impl Default for ClusterStd {
    /// A standard deviation of 1 for every blob, scikit-learn's default.
    fn default() -> Self {
        ClusterStd::Same(1.0)
    }
}

impl From<f64> for ClusterStd {
    fn from(std: f64) -> Self {
        ClusterStd::Same(std)
    }
}

impl From<Vec<f64>> for ClusterStd {
    fn from(stds: Vec<f64>) -> Self {
        ClusterStd::PerCenter(stds)
    }
}

/// Generates isotropic Gaussian blobs for clustering, like scikit-learn's `make_blobs`.
///
/// # Generating model
///
/// 1. With [`Centers::Count`]`(k)`, `k` centres are drawn with each coordinate uniform in
///    `center_box`; with [`Centers::Given`] the centres are used as given (and
///    [`Self::n_features`] is ignored, as in scikit-learn).
/// 2. Centre `i` gets `n_samples / k` samples, plus one for each `i < n_samples % k`.
/// 3. Each sample of centre `i` is `center_i + std_i * e` with `e` a vector of independent
///    N(0, 1) draws; its label is `i`.
/// 4. With `shuffle`, the rows are permuted (without it they are grouped by centre).
///
/// Returns [`BlobsData`] with `x`, the labels `y` and the `centers`.
///
/// # Notes
/// scikit-learn also accepts a sample count per centre; here `n_samples` is always split as
/// evenly as possible.
///
/// # References
/// scikit-learn, `sklearn.datasets.make_blobs`.
///
/// # Example
/// ```
/// use kiln_datasets::synthetic::MakeBlobs;
/// use ndarray::array;
///
/// let data = MakeBlobs::default()
///     .with_n_samples(60)
///     .with_centers(array![[0.0, 0.0], [10.0, 10.0]])
///     .with_cluster_std(0.5)
///     .with_seed(3)
///     .generate()?;
/// assert_eq!(data.x.dim(), (60, 2));
/// assert_eq!(data.y.iter().filter(|&&c| c == 1).count(), 30);
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct MakeBlobs {
    /// Total number of samples, split evenly between the centres. Default 100; at least 1.
    pub n_samples: usize,
    /// Number of features when the centres are drawn. Default 2; at least 1.
    pub n_features: usize,
    /// The centres: a count (default 3) or given coordinates.
    pub centers: Centers,
    /// The standard deviation of the blobs: one for all (default 1.0) or one per centre;
    /// finite and `>= 0`.
    pub cluster_std: ClusterStd,
    /// The box `(low, high)` that random centres are drawn from in every dimension. Default
    /// `(-10.0, 10.0)`; finite with `low < high`.
    pub center_box: (f64, f64),
    /// Whether to permute the rows. Default `true`.
    pub shuffle: bool,
    /// Random seed. Default [`kiln_core::random::DEFAULT_SEED`].
    pub seed: u64,
}

impl Default for MakeBlobs {
    fn default() -> Self {
        Self {
            n_samples: 100,
            n_features: 2,
            centers: Centers::default(),
            cluster_std: ClusterStd::default(),
            center_box: (-10.0, 10.0),
            shuffle: true,
            seed: kiln_core::random::DEFAULT_SEED,
        }
    }
}

/// The output of [`MakeBlobs::generate`].
#[derive(Debug, Clone, PartialEq)]
pub struct BlobsData {
    /// The samples, `n_samples × n_features`.
    pub x: Array2<f64>,
    /// The index of the centre each sample was drawn around.
    pub y: Array1<usize>,
    /// The centres, one per row.
    pub centers: Array2<f64>,
}

impl MakeBlobs {
    /// Sets [`Self::n_samples`].
    pub fn with_n_samples(mut self, n_samples: usize) -> Self {
        self.n_samples = n_samples;
        self
    }
    /// Sets [`Self::n_features`].
    pub fn with_n_features(mut self, n_features: usize) -> Self {
        self.n_features = n_features;
        self
    }
    /// Sets [`Self::centers`] from a count (`usize`) or given centres (`Array2<f64>`).
    pub fn with_centers(mut self, centers: impl Into<Centers>) -> Self {
        self.centers = centers.into();
        self
    }
    /// Sets [`Self::cluster_std`] from one value (`f64`) or one per centre (`Vec<f64>`).
    pub fn with_cluster_std(mut self, cluster_std: impl Into<ClusterStd>) -> Self {
        self.cluster_std = cluster_std.into();
        self
    }
    /// Sets [`Self::center_box`].
    pub fn with_center_box(mut self, low: f64, high: f64) -> Self {
        self.center_box = (low, high);
        self
    }
    /// Sets [`Self::shuffle`].
    pub fn with_shuffle(mut self, shuffle: bool) -> Self {
        self.shuffle = shuffle;
        self
    }
    /// Sets [`Self::seed`].
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The number of centres.
    pub fn n_centers(&self) -> usize {
        match &self.centers {
            Centers::Count(k) => *k,
            Centers::Given(c) => c.nrows(),
        }
    }

    /// Draws the data set.
    ///
    /// # Errors
    /// [`kiln_core::Error::InvalidParameter`] naming the first parameter out of range.
    pub fn generate(&self) -> Result<BlobsData> {
        self.validate()?;
        let mut rng = rng_from_seed(self.seed);
        let centers = match &self.centers {
            Centers::Given(c) => c.clone(),
            Centers::Count(k) => {
                let (low, high) = self.center_box;
                Array2::from_shape_simple_fn((*k, self.n_features), || {
                    low + (high - low) * rng.random::<f64>()
                })
            }
        };
        let (k, p) = centers.dim();
        let n = self.n_samples;
        let mut x = Array2::<f64>::zeros((n, p));
        let mut y = Array1::<usize>::zeros(n);
        let mut start = 0;
        for (i, center) in centers.outer_iter().enumerate() {
            let count = n / k + usize::from(i < n % k);
            let std = match &self.cluster_std {
                ClusterStd::Same(s) => *s,
                ClusterStd::PerCenter(v) => v[i],
            };
            for mut row in x.slice_mut(s![start..start + count, ..]).outer_iter_mut() {
                for (v, &c) in row.iter_mut().zip(center.iter()) {
                    *v = c + std * standard_normal(&mut rng);
                }
            }
            y.slice_mut(s![start..start + count]).fill(i);
            start += count;
        }
        if self.shuffle {
            (x, y) = shuffle_rows(&mut rng, &x, &y);
        }
        Ok(BlobsData { x, y, centers })
    }
}

impl Params for MakeBlobs {
    const NAME: &'static str = "MakeBlobs";

    fn validate(&self) -> Result<()> {
        let name = Self::NAME;
        check_param(
            name,
            "n_samples",
            self.n_samples,
            self.n_samples >= 1,
            "at least 1",
        )?;
        match &self.centers {
            Centers::Count(k) => {
                check_param(name, "centers", k, *k >= 1, "a count of at least 1")?;
                check_param(
                    name,
                    "n_features",
                    self.n_features,
                    self.n_features >= 1,
                    "at least 1",
                )?;
                let (low, high) = self.center_box;
                check_param(
                    name,
                    "center_box",
                    format!("({low}, {high})"),
                    low.is_finite() && high.is_finite() && low < high,
                    "a pair (low, high) of finite floats with low < high",
                )?;
            }
            Centers::Given(c) => {
                let shape = format!("{} x {} centres", c.nrows(), c.ncols());
                check_param(
                    name,
                    "centers",
                    &shape,
                    c.nrows() >= 1 && c.ncols() >= 1,
                    "at least one centre with at least one coordinate",
                )?;
                check_param(
                    name,
                    "centers",
                    "a non-finite coordinate",
                    c.iter().all(|v| v.is_finite()),
                    "finite",
                )?;
            }
        }
        match &self.cluster_std {
            ClusterStd::Same(s) => check_param(
                name,
                "cluster_std",
                s,
                s.is_finite() && *s >= 0.0,
                "a finite float >= 0",
            ),
            ClusterStd::PerCenter(v) => {
                let shown = format!("{v:?}");
                check_param(
                    name,
                    "cluster_std",
                    &shown,
                    v.len() == self.n_centers(),
                    &format!("one value per centre ({} centres)", self.n_centers()),
                )?;
                check_param(
                    name,
                    "cluster_std",
                    &shown,
                    v.iter().all(|s| s.is_finite() && *s >= 0.0),
                    "a list of finite floats >= 0",
                )
            }
        }
    }
}
