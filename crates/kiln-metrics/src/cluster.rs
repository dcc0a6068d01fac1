//! Clustering metrics, as scikit-learn's `sklearn.metrics.cluster`.
//!
//! - **Internal** indices judge a clustering from the data alone: [`silhouette_samples`],
//!   [`silhouette_score`] (and [`silhouette_score_sampled`] for a seeded estimate),
//!   [`davies_bouldin_score`], [`calinski_harabasz_score`]. They take the data `x` and one
//!   label per row, and need between 2 and `n_samples − 1` distinct labels.
//! - **External** indices compare two labelings (true classes against found clusters, or two
//!   clusterings): [`adjusted_rand_score`], [`rand_score`], [`mutual_info_score`],
//!   [`normalized_mutual_info_score`], [`adjusted_mutual_info_score`], [`homogeneity_score`],
//!   [`completeness_score`], [`v_measure_score`], [`homogeneity_completeness_v_measure`], all
//!   built on the sparse [`contingency_matrix`] (and [`pair_confusion_matrix`]).
//!
//! Labels are `usize` values of any size: only equality matters, never the value, so
//! `[0, 0, 1]` and `[7, 7, 3]` are the same labeling. Distances are Euclidean.
//!
//! # Example
//! ```
//! use kiln_metrics::cluster::{AverageMethod, adjusted_mutual_info_score, adjusted_rand_score,
//!     silhouette_score};
//! use ndarray::array;
//!
//! let x = array![[0.0, 0.0], [0.0, 1.0], [9.0, 9.0], [9.0, 10.0], [20.0, 0.0], [20.0, 1.0]];
//! let found = array![4, 4, 8, 8, 1, 1];
//! // Well separated pairs: a silhouette near 1.
//! assert!(silhouette_score(x.view(), found.view())? > 0.9);
//!
//! let truth = array![0, 0, 1, 1, 2, 2];
//! assert_eq!(adjusted_rand_score(truth.view(), found.view())?, 1.0);
//! let ami = adjusted_mutual_info_score(truth.view(), found.view(), AverageMethod::Arithmetic)?;
//! assert!((ami - 1.0).abs() < 1e-12);
//! # Ok::<(), kiln_core::Error>(())
//! ```
//!
//! # Agreement with scikit-learn
//! The contingency-based scores match scikit-learn 1.9.1 to 1e-12 (they follow its formulas
//! term by term, in exact integer arithmetic where it uses integers). The silhouette and the
//! other distance-based indices match to 1e-12 relative (distances are rounded in a
//! different order). The AMI's expected mutual information sums exponentials of
//! log-factorials, so on large samples it matches to about 1e-12 times a small factor
//! (2e-12 at 3000 samples). Far from the origin, scikit-learn's expanded distances lose
//! digits that kiln keeps (see [`silhouette_samples`]). Where scikit-learn returns a value for empty input (the
//! V-measure family), kiln returns [`kiln_core::Error::EmptyInput`], as every metric here.

mod contingency;
mod distance_sums;
mod encode;
mod information;
mod internal;
mod rand_index;
mod silhouette;

pub use contingency::{Contingency, contingency_matrix, pair_confusion_matrix};
pub use information::{
    AverageMethod, adjusted_mutual_info_score, completeness_score,
    homogeneity_completeness_v_measure, homogeneity_score, mutual_info_score,
    normalized_mutual_info_score, v_measure_score,
};
pub use internal::{calinski_harabasz_score, davies_bouldin_score};
pub use rand_index::{adjusted_rand_score, rand_score};
pub use silhouette::{silhouette_samples, silhouette_score, silhouette_score_sampled};
