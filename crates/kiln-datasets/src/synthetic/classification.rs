//! `make_classification`: Gaussian clusters on the vertices of a hypercube.

use std::collections::BTreeSet;

use kiln_core::check::check_param;
use kiln_core::random::{KilnRng, rng_from_seed};
use kiln_core::{Params, Result};
use ndarray::{Array1, Array2, Axis, s};
use rand::Rng;

use super::{normal_matrix, permutation, shuffle_rows, uniform_pm1_matrix};

/// Generates a random classification problem, like scikit-learn's `make_classification`.
///
/// # Generating model
///
/// Following the algorithm described in scikit-learn's documentation (which cites Guyon 2003):
///
/// 1. `n_classes * n_clusters_per_class` clusters are centred on distinct vertices, drawn at
///    random, of a hypercube in the `n_informative`-dimensional subspace: each centroid
///    coordinate is `-class_sep` or `+class_sep` (side `2 * class_sep`). With
///    `hypercube = false` the centroids are then scaled by a random factor in `[0, 1)` per
///    cluster and another per dimension, so they are no longer on the vertices.
/// 2. Cluster `k` belongs to class `k % n_classes`. Its samples are N(0, I) draws multiplied by
///    a random matrix `A_k` with entries in U(-1, 1) (a random covariance `A_kᵀA_k`) and moved
///    to the centroid. The sample count of a cluster is
///    `floor(n_samples * weights[class] / n_clusters_per_class)`, and the samples left over are
///    handed to clusters `0, 1, 2, ...` one each in turn.
/// 3. `n_redundant` features are `X_inf · B` with `B` an `n_informative × n_redundant` matrix
///    with entries in U(-1, 1).
/// 4. `n_repeated` features are copies of informative or redundant features, drawn uniformly
///    with replacement.
/// 5. The remaining `n_features - n_informative - n_redundant - n_repeated` features are N(0, 1)
///    noise.
/// 6. Each label is, with probability `flip_y`, replaced by a class drawn uniformly (which may
///    be the same class), so a fraction of about `flip_y * (1 - 1/n_classes)` of labels are
///    wrong.
/// 7. Every feature becomes `(value + shift) * scale`.
/// 8. With `shuffle`, the rows are permuted and then the columns. Without it, the columns are
///    in the order informative, redundant, repeated, noise, and the rows are grouped by cluster.
///
/// Returns `(x, y)`: `x` is `n_samples × n_features`, `y` holds class indices `0..n_classes`.
///
/// # Parameters
/// See the fields; the defaults are scikit-learn's.
///
/// # Notes
/// scikit-learn also accepts `shift` and `scale` per feature or `None` (random); here each is
/// one number applied to every feature. `weights` may have `n_classes` entries (normalised to
/// sum to 1) or `n_classes - 1` (the last class gets `1 - sum`), as in scikit-learn.
///
/// # References
/// I. Guyon, "Design of experiments for the NIPS 2003 variable selection benchmark", 2003.
/// scikit-learn, `sklearn.datasets.make_classification`, user guide section "Generated
/// datasets".
///
/// # Example
/// ```
/// use kiln_datasets::synthetic::MakeClassification;
///
/// let (x, y) = MakeClassification::default()
///     .with_n_samples(200)
///     .with_n_informative(3) // 3 classes x 2 clusters need 2^3 >= 6 vertices
///     .with_n_classes(3)
///     .with_weights(vec![0.5, 0.3, 0.2])
///     .with_seed(7)
///     .generate()?;
/// assert_eq!(x.dim(), (200, 20));
/// assert!(y.iter().all(|&c| c < 3));
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct MakeClassification {
    /// Number of samples (rows). Default 100; at least 1.
    pub n_samples: usize,
    /// Total number of features. Default 20; at least
    /// `n_informative + n_redundant + n_repeated`.
    pub n_features: usize,
    /// Number of informative features. Default 2; at least 1, and
    /// `2^n_informative >= n_classes * n_clusters_per_class`.
    pub n_informative: usize,
    /// Number of redundant features (random linear combinations of the informative ones).
    /// Default 2.
    pub n_redundant: usize,
    /// Number of repeated features (copies of informative or redundant ones). Default 0.
    pub n_repeated: usize,
    /// Number of classes. Default 2; at least 1.
    pub n_classes: usize,
    /// Number of Gaussian clusters per class. Default 2; at least 1.
    pub n_clusters_per_class: usize,
    /// Proportion of samples in each class, or `None` (the default) for balanced classes.
    /// `n_classes` entries (normalised to sum to 1) or `n_classes - 1` entries summing to at
    /// most 1 (the last class gets the rest); each in `[0, 1]`.
    pub weights: Option<Vec<f64>>,
    /// Probability that a label is replaced by a uniformly random class. Default 0.01; in
    /// `[0, 1]`.
    pub flip_y: f64,
    /// Half the side of the hypercube: larger values make the task easier. Default 1.0; finite
    /// and `>= 0`.
    pub class_sep: f64,
    /// Whether the clusters sit on the hypercube's vertices (default `true`) or at random
    /// points inside it.
    pub hypercube: bool,
    /// Added to every feature. Default 0.0.
    pub shift: f64,
    /// Every feature is multiplied by it, after the shift. Default 1.0.
    pub scale: f64,
    /// Whether to permute the rows and the columns. Default `true`.
    pub shuffle: bool,
    /// Random seed. Default [`kiln_core::random::DEFAULT_SEED`].
    pub seed: u64,
}

impl Default for MakeClassification {
    fn default() -> Self {
        Self {
            n_samples: 100,
            n_features: 20,
            n_informative: 2,
            n_redundant: 2,
            n_repeated: 0,
            n_classes: 2,
            n_clusters_per_class: 2,
            weights: None,
            flip_y: 0.01,
            class_sep: 1.0,
            hypercube: true,
            shift: 0.0,
            scale: 1.0,
            shuffle: true,
            seed: kiln_core::random::DEFAULT_SEED,
        }
    }
}

impl MakeClassification {
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
    /// Sets [`Self::n_informative`].
    pub fn with_n_informative(mut self, n_informative: usize) -> Self {
        self.n_informative = n_informative;
        self
    }
    /// Sets [`Self::n_redundant`].
    pub fn with_n_redundant(mut self, n_redundant: usize) -> Self {
        self.n_redundant = n_redundant;
        self
    }
    /// Sets [`Self::n_repeated`].
    pub fn with_n_repeated(mut self, n_repeated: usize) -> Self {
        self.n_repeated = n_repeated;
        self
    }
    /// Sets [`Self::n_classes`].
    pub fn with_n_classes(mut self, n_classes: usize) -> Self {
        self.n_classes = n_classes;
        self
    }
    /// Sets [`Self::n_clusters_per_class`].
    pub fn with_n_clusters_per_class(mut self, n_clusters_per_class: usize) -> Self {
        self.n_clusters_per_class = n_clusters_per_class;
        self
    }
    /// Sets [`Self::weights`] to `Some(weights)`.
    pub fn with_weights(mut self, weights: Vec<f64>) -> Self {
        self.weights = Some(weights);
        self
    }
    /// Sets [`Self::flip_y`].
    pub fn with_flip_y(mut self, flip_y: f64) -> Self {
        self.flip_y = flip_y;
        self
    }
    /// Sets [`Self::class_sep`].
    pub fn with_class_sep(mut self, class_sep: f64) -> Self {
        self.class_sep = class_sep;
        self
    }
    /// Sets [`Self::hypercube`].
    pub fn with_hypercube(mut self, hypercube: bool) -> Self {
        self.hypercube = hypercube;
        self
    }
    /// Sets [`Self::shift`].
    pub fn with_shift(mut self, shift: f64) -> Self {
        self.shift = shift;
        self
    }
    /// Sets [`Self::scale`].
    pub fn with_scale(mut self, scale: f64) -> Self {
        self.scale = scale;
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

    /// Draws the data set.
    ///
    /// # Errors
    /// [`kiln_core::Error::InvalidParameter`] naming the first parameter out of range.
    pub fn generate(&self) -> Result<(Array2<f64>, Array1<usize>)> {
        self.validate()?;
        let mut rng = rng_from_seed(self.seed);
        let n = self.n_samples;
        let n_inf = self.n_informative;
        let n_classes = self.n_classes;
        let n_clusters = n_classes * self.n_clusters_per_class;

        let per_cluster = self.samples_per_cluster();
        let centroids = self.centroids(&mut rng, n_clusters);

        let mut x = Array2::<f64>::zeros((n, self.n_features));
        let mut y = Array1::<usize>::zeros(n);
        x.slice_mut(s![.., ..n_inf])
            .assign(&normal_matrix(&mut rng, n, n_inf));

        let mut start = 0;
        for (k, &count) in per_cluster.iter().enumerate() {
            let stop = start + count;
            y.slice_mut(s![start..stop]).fill(k % n_classes);
            let a = uniform_pm1_matrix(&mut rng, n_inf, n_inf);
            let moved = x.slice(s![start..stop, ..n_inf]).dot(&a) + centroids.row(k);
            x.slice_mut(s![start..stop, ..n_inf]).assign(&moved);
            start = stop;
        }

        let n_red = self.n_redundant;
        if n_red > 0 {
            let b = uniform_pm1_matrix(&mut rng, n_inf, n_red);
            let redundant = x.slice(s![.., ..n_inf]).dot(&b);
            x.slice_mut(s![.., n_inf..n_inf + n_red]).assign(&redundant);
        }

        let n_source = n_inf + n_red;
        for j in 0..self.n_repeated {
            let from = rng.random_range(0..n_source);
            let column = x.column(from).to_owned();
            x.column_mut(n_source + j).assign(&column);
        }

        let first_noise = n_source + self.n_repeated;
        let n_noise = self.n_features - first_noise;
        x.slice_mut(s![.., first_noise..])
            .assign(&normal_matrix(&mut rng, n, n_noise));

        let flip: Vec<bool> = (0..n).map(|_| rng.random::<f64>() < self.flip_y).collect();
        for (label, flipped) in y.iter_mut().zip(flip) {
            if flipped {
                *label = rng.random_range(0..n_classes);
            }
        }

        x.mapv_inplace(|v| (v + self.shift) * self.scale);

        if self.shuffle {
            let (rows, labels) = shuffle_rows(&mut rng, &x, &y);
            let columns = permutation(&mut rng, self.n_features);
            x = rows.select(Axis(1), &columns);
            y = labels;
        }
        Ok((x, y))
    }

    /// The class proportions, `n_classes` entries summing to 1.
    fn class_weights(&self) -> Vec<f64> {
        let k = self.n_classes;
        match &self.weights {
            None => vec![1.0 / k as f64; k],
            Some(w) if w.len() + 1 == k => {
                let mut full = w.clone();
                full.push((1.0 - w.iter().sum::<f64>()).max(0.0));
                full
            }
            Some(w) => {
                let total: f64 = w.iter().sum();
                w.iter().map(|v| v / total).collect()
            }
        }
    }

    fn samples_per_cluster(&self) -> Vec<usize> {
        let weights = self.class_weights();
        let n_clusters = self.n_classes * self.n_clusters_per_class;
        let n = self.n_samples;
        let mut counts: Vec<usize> = (0..n_clusters)
            .map(|k| {
                let share =
                    n as f64 * weights[k % self.n_classes] / self.n_clusters_per_class as f64;
                // The tolerance keeps a share such as 10 * (1 - 0.8) = 1.9999999999999996 at 2.
                ((share + 1e-9).floor() as usize).min(n)
            })
            .collect();
        // Floors of shares summing to n exceed n only through the rounding tolerance above;
        // take any excess back from the largest clusters.
        let mut assigned: usize = counts.iter().sum();
        while assigned > n {
            if let Some(largest) = counts.iter_mut().max() {
                *largest -= 1;
            }
            assigned -= 1;
        }
        for i in 0..n - assigned {
            counts[i % n_clusters] += 1;
        }
        counts
    }

    /// The cluster centroids, `n_clusters × n_informative`.
    fn centroids(&self, rng: &mut KilnRng, n_clusters: usize) -> Array2<f64> {
        let n_inf = self.n_informative;
        let sep = self.class_sep;
        let vertices = hypercube_vertices(rng, n_clusters, n_inf);
        let mut c =
            Array2::from_shape_fn(
                (n_clusters, n_inf),
                |(k, j)| {
                    if vertices[k][j] { sep } else { -sep }
                },
            );
        if !self.hypercube {
            let per_cluster: Vec<f64> = (0..n_clusters).map(|_| rng.random::<f64>()).collect();
            let per_dim: Vec<f64> = (0..n_inf).map(|_| rng.random::<f64>()).collect();
            for ((k, j), v) in c.indexed_iter_mut() {
                *v *= per_cluster[k] * per_dim[j];
            }
        }
        c
    }
}

/// `count` distinct vertices of the `dim`-dimensional unit hypercube, drawn uniformly without
/// replacement; a vertex is its coordinates as bits. Requires `count <= 2^dim`.
fn hypercube_vertices(rng: &mut KilnRng, count: usize, dim: usize) -> Vec<Vec<bool>> {
    if dim < 63 {
        let total = 1usize << dim;
        rand::seq::index::sample(rng, total, count)
            .into_iter()
            .map(|v| (0..dim).map(|bit| (v >> bit) & 1 == 1).collect())
            .collect()
    } else {
        // 2^63 or more vertices: collisions are so rare that rejection is the cheap way.
        let mut seen = BTreeSet::new();
        let mut out = Vec::with_capacity(count);
        while out.len() < count {
            let v: Vec<bool> = (0..dim).map(|_| rng.random::<bool>()).collect();
            if seen.insert(v.clone()) {
                out.push(v);
            }
        }
        out
    }
}

impl Params for MakeClassification {
    const NAME: &'static str = "MakeClassification";

    fn validate(&self) -> Result<()> {
        let name = Self::NAME;
        check_param(
            name,
            "n_samples",
            self.n_samples,
            self.n_samples >= 1,
            "at least 1",
        )?;
        check_param(
            name,
            "n_informative",
            self.n_informative,
            self.n_informative >= 1,
            "at least 1",
        )?;
        check_param(
            name,
            "n_classes",
            self.n_classes,
            self.n_classes >= 1,
            "at least 1",
        )?;
        check_param(
            name,
            "n_clusters_per_class",
            self.n_clusters_per_class,
            self.n_clusters_per_class >= 1,
            "at least 1",
        )?;
        let used = self
            .n_informative
            .checked_add(self.n_redundant)
            .and_then(|v| v.checked_add(self.n_repeated));
        check_param(
            name,
            "n_features",
            self.n_features,
            used.is_some_and(|u| u <= self.n_features),
            &format!(
                "at least n_informative + n_redundant + n_repeated = {} + {} + {}",
                self.n_informative, self.n_redundant, self.n_repeated
            ),
        )?;
        let n_clusters = self.n_classes.checked_mul(self.n_clusters_per_class);
        let vertices_ok = match n_clusters {
            Some(c) => self.n_informative >= 63 || c <= 1usize << self.n_informative,
            None => false,
        };
        check_param(
            name,
            "n_informative",
            self.n_informative,
            vertices_ok,
            &format!(
                "large enough that 2^n_informative >= n_classes * n_clusters_per_class = {} * {}",
                self.n_classes, self.n_clusters_per_class
            ),
        )?;
        if let Some(w) = &self.weights {
            check_weights(w, self.n_classes)?;
        }
        check_param(
            name,
            "flip_y",
            self.flip_y,
            (0.0..=1.0).contains(&self.flip_y),
            "a float in the range [0, 1]",
        )?;
        check_param(
            name,
            "class_sep",
            self.class_sep,
            self.class_sep.is_finite() && self.class_sep >= 0.0,
            "a finite float >= 0",
        )?;
        check_param(name, "shift", self.shift, self.shift.is_finite(), "finite")?;
        check_param(name, "scale", self.scale, self.scale.is_finite(), "finite")
    }
}

fn check_weights(w: &[f64], n_classes: usize) -> Result<()> {
    let name = MakeClassification::NAME;
    let shown = format!("{w:?}");
    check_param(
        name,
        "weights",
        &shown,
        w.len() == n_classes || w.len() + 1 == n_classes,
        &format!(
            "a list of n_classes = {n_classes} or n_classes - 1 = {} proportions",
            n_classes.saturating_sub(1)
        ),
    )?;
    check_param(
        name,
        "weights",
        &shown,
        w.iter().all(|v| (0.0..=1.0).contains(v)),
        "a list of proportions in the range [0, 1]",
    )?;
    let total: f64 = w.iter().sum();
    if w.len() == n_classes {
        check_param(
            name,
            "weights",
            &shown,
            total > 0.0,
            "a list of proportions with a positive sum",
        )
    } else {
        check_param(
            name,
            "weights",
            &shown,
            total <= 1.0 + 1e-12,
            "a list of n_classes - 1 proportions summing to at most 1",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vertices_are_distinct_in_low_and_high_dimension() {
        let mut rng = rng_from_seed(1);
        let v = hypercube_vertices(&mut rng, 8, 3);
        let distinct: BTreeSet<_> = v.iter().cloned().collect();
        assert_eq!(distinct.len(), 8, "all 8 vertices of the cube, each once");
        let v = hypercube_vertices(&mut rng, 50, 70);
        let distinct: BTreeSet<_> = v.iter().cloned().collect();
        assert_eq!(distinct.len(), 50);
        assert!(v.iter().all(|p| p.len() == 70));
    }

    #[test]
    fn leftover_samples_go_to_the_first_clusters() {
        let p = MakeClassification::default()
            .with_n_samples(10)
            .with_n_classes(3)
            .with_n_clusters_per_class(1);
        // floor(10/3) = 3 each, one left over for cluster 0.
        assert_eq!(p.samples_per_cluster(), vec![4, 3, 3]);
        // Two weights for three classes: the last class gets 1 - 0.8 = 0.2, which in floating
        // point is 0.19999999999999996; its 2 samples must not be rounded down to 1.
        let p = p.with_weights(vec![0.5, 0.3]);
        assert_eq!(p.samples_per_cluster(), vec![5, 3, 2]);
        assert!(p.clone().with_weights(vec![0.5]).validate().is_err());
    }
}
