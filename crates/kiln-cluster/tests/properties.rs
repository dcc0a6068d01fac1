//! Property tests (issue #15): Lloyd iterations never increase the inertia; save → load
//! predicts identically.

#![allow(
    clippy::unwrap_used,
    reason = "tests and their data generators unwrap to fail loudly"
)]

use kiln_cluster::{FittedKMeans, KMeans, KMeansAlgorithm, KMeansInit};
use kiln_core::persist;
use kiln_core::{FitUnsupervised, Predict};
use ndarray::{Array2, s};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    // No failure files: a failing case is printed and pinned as a named regression test.
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(32)
    }
}

/// 6..80 rows of 1..4 features and a number of clusters below the row count.
fn data() -> impl Strategy<Value = (Array2<f64>, usize)> {
    (6usize..80, 1usize..4, 2usize..5).prop_flat_map(|(n, p, k)| {
        (
            proptest::collection::vec(
                prop_oneof![-10.0..10.0f64, (0i8..3).prop_map(f64::from)],
                n * p,
            ),
            Just(k),
        )
            .prop_map(move |(v, k)| (Array2::from_shape_vec((n, p), v).unwrap(), k))
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn kmeans_inertia_never_increases_with_more_iterations((x, k) in data(), elkan: bool) {
        // The same starting centres for every run: the first k rows.
        let init = x.slice(s![..k, ..]).to_owned();
        let algorithm = if elkan { KMeansAlgorithm::Elkan } else { KMeansAlgorithm::Lloyd };
        let mut last = f64::INFINITY;
        for max_iter in 1..=8 {
            let m = KMeans::default()
                .with_n_clusters(k)
                .with_init(KMeansInit::Given(init.clone()))
                .with_algorithm(algorithm)
                .with_tol(0.0)
                .with_max_iter(max_iter)
                .fit(x.view())
                .unwrap();
            let inertia = m.inertia();
            prop_assert!(inertia.is_finite() && inertia >= 0.0);
            // Each Lloyd step (assign, then move to the mean) cannot raise the inertia;
            // allow the rounding of a sum over the rows.
            prop_assert!(inertia <= last + 1e-9 * last.abs().max(1.0),
                "max_iter {}: inertia {} > {} of the previous run", max_iter, inertia, last);
            last = inertia;
        }
    }

    #[test]
    fn kmeans_predicts_the_same_after_save_and_load((x, k) in data(), seed: u64) {
        let m = KMeans::default().with_n_clusters(k).with_n_init(2).with_seed(seed).fit(x.view()).unwrap();
        let back: FittedKMeans = persist::from_bytes(&persist::to_bytes(&m).unwrap()).unwrap();
        prop_assert_eq!(m.predict(x.view()).unwrap(), back.predict(x.view()).unwrap());
        prop_assert_eq!(m.inertia().to_bits(), back.inertia().to_bits());
    }
}
