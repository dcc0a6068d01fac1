//! Clustering for kiln: [`KMeans`], k-means by Lloyd's or Elkan's algorithm with greedy
//! k-means++ seeding and restarts, as scikit-learn's `KMeans`.
//!
//! [`KMeans`] holds the parameters; fitting returns a [`FittedKMeans`] with the centres, the
//! training labels, the inertia and the iteration count of the best run. The fitted model
//! predicts the nearest centre ([`kiln_core::Predict`]), transforms rows into distances to the
//! centres ([`kiln_core::Transform`]) and saves and loads ([`kiln_core::persist`]).
//!
//! [`MiniBatchKMeans`] learns the centres from random mini-batches (Sculley 2010), much faster
//! on large data, and with [`MiniBatchKMeans::partial_fit`] from a stream of batches.
//! [`scan_k`] helps choose `k`: the inertia and the silhouette ([`silhouette_score`]) of a
//! k-means fit for each `k` of a range.
//!
//! # Example
//!
//! Cluster the iris flowers into three groups and compare with the species:
//!
//! ```
//! use kiln_cluster::{KMeans, KMeansAlgorithm};
//! use kiln_core::{FitUnsupervised, Predict};
//! use kiln_datasets::Dataset;
//!
//! let iris = Dataset::Iris.load_numeric()?;
//! let model = KMeans::default()
//!     .with_n_clusters(3)
//!     .with_n_init(10)
//!     .with_seed(42)
//!     .fit(iris.x.view())?;
//! // scikit-learn reaches an inertia of 78.851 on iris with k = 3.
//! assert!(model.inertia() < 78.86);
//! assert_eq!(model.cluster_centers().dim(), (3, 4));
//! assert_eq!(model.predict(iris.x.view())?, model.labels());
//!
//! // Elkan's algorithm gives the same clustering from the same initial centres.
//! let elkan = KMeans::default()
//!     .with_n_clusters(3)
//!     .with_n_init(10)
//!     .with_seed(42)
//!     .with_algorithm(KMeansAlgorithm::Elkan)
//!     .fit(iris.x.view())?;
//! assert_eq!(elkan.labels(), model.labels());
//! # Ok::<(), kiln_core::Error>(())
//! ```
//!
//! # Design
//!
//! - Rows are processed in fixed chunks of 4096 in parallel (rayon); per-chunk centre sums are
//!   merged in chunk order, so a fit gives bit-identical results on any number of threads.
//! - Lloyd's assignment compares `||c||² − 2·x·c` in a kernel that holds eight rows in the
//!   lanes of a vector against groups of four centres, compiled for AVX-512 or AVX2 when the
//!   processor has them (chosen at run time; the same results on every instruction set), and
//!   accumulates the new centre sums in the same pass over the data. With at most 32 centres
//!   (AVX2) or 8 (AVX-512; up to 32 for rows of more than 16 features) a row-at-a-time kernel
//!   that broadcasts each feature of a row against vectors of centres replaces it, with the
//!   same labels.
//! - k-means++ computes the distances to all candidates of a step in one pass over the data.
//! - Elkan's algorithm shares the centre update (and so the exact floating-point sums) with
//!   Lloyd's, so both give the same labels, centres, inertia and iteration count on data
//!   without distance ties.
//! - The default, [`KMeansAlgorithm::Auto`], runs Elkan's iterations on rows of more than 16
//!   features and Lloyd's on narrower ones; Elkan hands over to Lloyd (same state, same
//!   result) when its bounds stop pruning.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod kmeans;
pub mod minibatch;
pub mod select;

pub use kmeans::{FittedKMeans, KMeans, KMeansAlgorithm, KMeansInit};
pub use minibatch::{FittedMiniBatchKMeans, MiniBatchKMeans};
pub use select::{KScore, scan_k, silhouette_score};
