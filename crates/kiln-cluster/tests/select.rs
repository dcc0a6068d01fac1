//! The k-selection helpers (`silhouette_score`, `scan_k`): a hand-computed case, scikit-learn's
//! silhouette on iris (fixture from `tests/reference/minibatch_reference.py`), sampling, and
//! bad input.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test: a malformed fixture or a mismatch should fail loudly"
)]

use kiln_cluster::{KMeans, KMeansInit, scan_k, silhouette_score};
use kiln_core::{Error, FitUnsupervised};
use kiln_datasets::Dataset;
use kiln_datasets::synthetic::MakeBlobs;
use ndarray::{Array1, Array2, array, s};
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn usizes(v: &Value) -> Vec<usize> {
    serde_json::from_value(v.clone()).unwrap()
}

fn blobs(n: usize, d: usize, centers: usize, std: f64, seed: u64) -> (Array2<f64>, Vec<usize>) {
    let b = MakeBlobs::default()
        .with_n_samples(n)
        .with_n_features(d)
        .with_centers(centers)
        .with_cluster_std(std)
        .with_seed(seed)
        .generate()
        .unwrap();
    (b.x, b.y.to_vec())
}

#[test]
fn silhouette_matches_a_hand_computed_case() {
    // Clusters {0, 2} and {10, 11, 15} on a line.
    let x = array![[0.0], [2.0], [10.0], [11.0], [15.0]];
    let labels = array![0, 0, 1, 1, 1];
    let s = |a: f64, b: f64| (b - a) / a.max(b);
    let want = [
        s(2.0, (10.0 + 11.0 + 15.0) / 3.0),
        s(2.0, (8.0 + 9.0 + 13.0) / 3.0),
        s((1.0 + 5.0) / 2.0, (10.0 + 8.0) / 2.0),
        s((1.0 + 4.0) / 2.0, (11.0 + 9.0) / 2.0),
        s((5.0 + 4.0) / 2.0, (15.0 + 13.0) / 2.0),
    ]
    .iter()
    .sum::<f64>()
        / 5.0;
    let got = silhouette_score(x.view(), labels.view(), None, 0).unwrap();
    assert!((got - want).abs() < 1e-15, "{got} against {want}");
    // Label values need not be contiguous.
    let relabelled = array![7, 7, 2, 2, 2];
    assert_eq!(
        silhouette_score(x.view(), relabelled.view(), None, 0).unwrap(),
        got
    );
    // A sample as large as the data is the data.
    assert_eq!(
        silhouette_score(x.view(), labels.view(), Some(9), 3).unwrap(),
        got
    );
}

#[test]
fn silhouette_of_iris_kmeans_labels_matches_scikit_learn() {
    let doc = fixture("minibatch_silhouette");
    let x = Dataset::Iris.load_numeric().unwrap().x;
    let fitted = KMeans::default()
        .with_n_clusters(3)
        .with_init(KMeansInit::Given(x.slice(s![0..3, ..]).to_owned()))
        .fit(x.view())
        .unwrap();
    assert_eq!(fitted.labels().to_vec(), usizes(&doc["labels"]));
    let got = silhouette_score(x.view(), fitted.labels(), None, 0).unwrap();
    let exact = doc["silhouette_exact"].as_f64().unwrap();
    let sk = doc["silhouette_sklearn"].as_f64().unwrap();
    assert!((got - exact).abs() <= 1e-12, "{got} against {exact}");
    assert!(
        (got - sk).abs() <= 1e-12,
        "{got} against scikit-learn's {sk}"
    );
    let scores = scan_k(x.view(), &[3], fitted.params(), None, 0).unwrap();
    assert_eq!(scores[0].silhouette, Some(got));
    assert_eq!(scores[0].inertia, fitted.inertia());
}

#[test]
fn silhouette_on_a_sample_is_seeded_and_close_to_the_full_value() {
    let (x, y) = blobs(2000, 2, 4, 1.5, 8);
    let labels = Array1::from(y);
    let full = silhouette_score(x.view(), labels.view(), None, 0).unwrap();
    let a = silhouette_score(x.view(), labels.view(), Some(500), 1).unwrap();
    let b = silhouette_score(x.view(), labels.view(), Some(500), 1).unwrap();
    let c = silhouette_score(x.view(), labels.view(), Some(500), 2).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert!((a - full).abs() < 0.05, "{a} against {full}");
    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| silhouette_score(x.view(), labels.view(), None, 0).unwrap());
    assert_eq!(one_thread, full);
}

#[test]
fn scan_k_finds_the_number_of_blobs() {
    let centres = array![[0.0, 0.0], [10.0, 0.0], [0.0, 10.0], [10.0, 10.0]];
    let x = MakeBlobs::default()
        .with_n_samples(600)
        .with_centers(centres)
        .with_seed(12)
        .generate()
        .unwrap()
        .x;
    let ks = [1, 2, 3, 4, 5, 6];
    let params = KMeans::default().with_n_init(3);
    let scores = scan_k(x.view(), &ks, &params, Some(300), 0).unwrap();
    assert_eq!(scores.iter().map(|s| s.k).collect::<Vec<_>>(), ks);
    assert_eq!(scores[0].silhouette, None);
    assert!(scores[1..].iter().all(|s| s.silhouette.is_some()));
    for w in scores.windows(2) {
        assert!(w[1].inertia <= w[0].inertia, "{scores:?}");
    }
    let best = scores
        .iter()
        .max_by(|a, b| a.silhouette.partial_cmp(&b.silhouette).unwrap())
        .unwrap();
    assert_eq!(best.k, 4, "{scores:?}");
    // The silhouette is that of the fit's labels on the same sampled rows.
    let fit4 = params.clone().with_n_clusters(4).fit(x.view()).unwrap();
    assert_eq!(
        scores[3].silhouette,
        Some(silhouette_score(x.view(), fit4.labels(), Some(300), 0).unwrap())
    );
}

#[test]
fn k_selection_rejects_bad_input() {
    let x = array![[0.0], [1.0], [5.0]];
    let p = KMeans::default();
    assert_eq!(
        scan_k(x.view(), &[], &p, None, 0)
            .unwrap_err()
            .parameter_name(),
        Some("ks")
    );
    assert_eq!(
        scan_k(x.view(), &[0], &p, None, 0)
            .unwrap_err()
            .parameter_name(),
        Some("n_clusters")
    );
    assert!(matches!(
        scan_k(x.view(), &[4], &p, None, 0),
        Err(Error::TooFewSamples { .. })
    ));
    assert_eq!(
        silhouette_score(x.view(), array![0, 1, 1].view(), Some(0), 0)
            .unwrap_err()
            .parameter_name(),
        Some("sample_size")
    );
    assert!(matches!(
        silhouette_score(x.view(), array![0, 1].view(), None, 0),
        Err(Error::ShapeMismatch { .. })
    ));
    assert!(matches!(
        silhouette_score(x.view(), array![2, 2, 2].view(), None, 0),
        Err(Error::InvalidValue { .. })
    ));
    assert!(matches!(
        silhouette_score(x.view(), array![0, 1, 2].view(), None, 0),
        Err(Error::InvalidValue { .. })
    ));
    let nan = array![[0.0], [f64::NAN], [5.0]];
    assert!(matches!(
        silhouette_score(nan.view(), array![0, 1, 1].view(), None, 0),
        Err(Error::NonFinite { row: 1, .. })
    ));
}
