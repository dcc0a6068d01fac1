//! Behaviour of `KMeans`: the kiln-check suite, Lloyd against Elkan, thread invariance,
//! persistence, bad input, and hand-computed cases.

use approx::assert_relative_eq;
use kiln_check::Checker;
use kiln_cluster::{FittedKMeans, KMeans, KMeansAlgorithm, KMeansInit};
use kiln_core::persist::{from_bytes, to_bytes};
use kiln_core::{Error, FitUnsupervised, Fitted, Predict, Transform};
use kiln_datasets::Dataset;
use kiln_datasets::synthetic::MakeBlobs;
use ndarray::{Array1, Array2, array, s};

#[expect(clippy::unwrap_used, reason = "test helper: bad data fails the test")]
fn blobs(n: usize, d: usize, centers: usize, std: f64, seed: u64) -> Array2<f64> {
    MakeBlobs::default()
        .with_n_samples(n)
        .with_n_features(d)
        .with_centers(centers)
        .with_cluster_std(std)
        .with_seed(seed)
        .generate()
        .unwrap()
        .x
}

#[expect(
    clippy::unwrap_used,
    reason = "test helper: a missing data set fails the test"
)]
fn iris() -> Array2<f64> {
    Dataset::Iris.load_numeric().unwrap().x
}

/// Asserts that two fits are the same clustering bit for bit (labels, centres, inertia,
/// iteration count).
fn assert_same_fit(a: &FittedKMeans, b: &FittedKMeans, what: &str) {
    assert_eq!(a.labels(), b.labels(), "{what}: labels");
    assert_eq!(a.cluster_centers(), b.cluster_centers(), "{what}: centres");
    assert_eq!(a.inertia(), b.inertia(), "{what}: inertia");
    assert_eq!(a.n_iter(), b.n_iter(), "{what}: n_iter");
    assert_eq!(a.converged(), b.converged(), "{what}: converged");
}

#[test]
fn kmeans_passes_the_kiln_check_suite() {
    let base = KMeans::default().with_n_clusters(3);
    Checker::new(base.clone())
        .invalid_param(base.clone().with_n_clusters(0), "n_clusters")
        .invalid_param(base.clone().with_n_init(0), "n_init")
        .invalid_param(base.clone().with_max_iter(0), "max_iter")
        .invalid_param(base.clone().with_tol(-1.0), "tol")
        .invalid_param(base.clone().with_tol(f64::NAN), "tol")
        .check_clusterer()
        .assert_passed();
    let elkan = base.with_algorithm(KMeansAlgorithm::Elkan);
    Checker::new(elkan.clone())
        .invalid_param(elkan.with_n_clusters(0), "n_clusters")
        .check_clusterer()
        .assert_passed();
}

#[test]
fn kmeans_lloyd_and_elkan_give_identical_fits() {
    let mut cases: Vec<(String, Array2<f64>, usize)> = vec![("iris".into(), iris(), 3)];
    // 20 and 18 features are wide enough (> 16) for Lloyd's row-at-a-time AVX-512 kernel
    // with two and three groups of eight centres; up to 16 centres take Elkan's AVX-512
    // bound test and vector distances, more its centre-by-centre visit.
    for (seed, (n, d, c, std)) in [
        (300, 2, 3, 1.0),
        (1000, 5, 6, 2.5),
        (500, 10, 8, 4.0),
        (9000, 3, 5, 3.0),
        (600, 20, 12, 3.0),
        (400, 18, 20, 3.0),
        (5000, 8, 5, 3.0),
        (700, 13, 4, 2.0),
    ]
    .into_iter()
    .enumerate()
    {
        cases.push((
            format!("blobs {n}x{d} c={c}"),
            blobs(n, d, c, std, seed as u64),
            c,
        ));
    }
    for (name, x, c) in &cases {
        for k in [1, 2, *c, c + 3] {
            for init in [KMeansInit::KMeansPlusPlus, KMeansInit::Random] {
                for (tol, max_iter) in [(1e-4, 300), (0.0, 300), (0.0, 3)] {
                    let p = KMeans::default()
                        .with_n_clusters(k)
                        .with_init(init.clone())
                        .with_tol(tol)
                        .with_max_iter(max_iter)
                        .with_n_init(2)
                        .with_seed(7);
                    let p = p.with_algorithm(KMeansAlgorithm::Lloyd);
                    let lloyd = p.clone().fit(x.view()).unwrap();
                    let elkan = p
                        .clone()
                        .with_algorithm(KMeansAlgorithm::Elkan)
                        .fit(x.view())
                        .unwrap();
                    let what = format!("{name} k={k} {init:?} tol={tol} max_iter={max_iter}");
                    assert_same_fit(&lloyd, &elkan, &what);
                    let w = Array1::from_shape_fn(x.nrows(), |i| (i % 5) as f64 * 0.75);
                    let lloyd = p.fit_weighted(x.view(), Some(w.view())).unwrap();
                    let elkan = p
                        .clone()
                        .with_algorithm(KMeansAlgorithm::Elkan)
                        .fit_weighted(x.view(), Some(w.view()))
                        .unwrap();
                    assert_same_fit(&lloyd, &elkan, &format!("{what} weighted"));
                }
            }
        }
    }
}

#[test]
fn kmeans_auto_gives_the_lloyd_fit_whichever_way_it_hands_over() {
    use rand::Rng;
    // Wide rows run Elkan: well-separated clusters keep it to the end, while uniform noise
    // makes its bounds stop pruning and hands over to Lloyd after a few iterations; narrow
    // rows start with Lloyd (the premises of both hand-overs are checked in the crate's unit
    // tests).
    let mut rng = kiln_core::random::rng_from_seed(11);
    let noise = Array2::from_shape_fn((3000, 24), |_| rng.random_range(-1.0..1.0));
    // Narrow rows start with Lloyd and, on AVX-512 with at most 16 centres, hand over to
    // Elkan once few labels change (overlapping blobs over three reduction chunks keep
    // changing a few labels for many iterations).
    let cases = [
        ("clustered 24 features", blobs(3000, 24, 6, 1.0, 5), 6),
        ("uniform 24 features", noise, 8),
        ("clustered 8 features", blobs(2000, 8, 4, 2.0, 6), 4),
        ("overlapping 10 features", blobs(9000, 10, 8, 6.0, 7), 8),
        (
            "overlapping 4 features, 14 centres",
            blobs(9000, 4, 14, 4.0, 8),
            14,
        ),
    ];
    for (name, x, k) in &cases {
        for (tol, max_iter) in [(0.0, 300), (0.0, 40), (1e-4, 300)] {
            let p = KMeans::default()
                .with_n_clusters(*k)
                .with_tol(tol)
                .with_max_iter(max_iter)
                .with_n_init(2)
                .with_seed(3);
            assert_eq!(p.algorithm, KMeansAlgorithm::Auto);
            let lloyd = p.clone().with_algorithm(KMeansAlgorithm::Lloyd);
            let what = format!("{name} tol={tol} max_iter={max_iter}");
            assert_same_fit(
                &p.fit(x.view()).unwrap(),
                &lloyd.fit(x.view()).unwrap(),
                &what,
            );
            let w = Array1::from_shape_fn(x.nrows(), |i| (i % 4) as f64 * 0.5 + 0.25);
            assert_same_fit(
                &p.fit_weighted(x.view(), Some(w.view())).unwrap(),
                &lloyd.fit_weighted(x.view(), Some(w.view())).unwrap(),
                &format!("{what} weighted"),
            );
        }
    }
}

#[test]
fn kmeans_fits_data_far_from_the_origin_as_the_same_data_near_it() {
    // Blobs around the origin are fitted in place; moved far away they are centred first
    // (for the precision of `||c||² − 2·x·c`: uncentred, the labels here differ). Both fits
    // must find the same clustering, with the centres moved by the same vector.
    let x = blobs(3000, 5, 4, 1.0, 11);
    let shift = array![1e8, -3e8, 2e8, 5e7, -7e7];
    let far = &x + &shift;
    let init = x.slice(s![..4, ..]).to_owned();
    for algorithm in [KMeansAlgorithm::Lloyd, KMeansAlgorithm::Elkan] {
        let fit = |data: &Array2<f64>, init: Array2<f64>| {
            KMeans::default()
                .with_n_clusters(4)
                .with_init(KMeansInit::Given(init))
                .with_algorithm(algorithm)
                .fit(data.view())
        };
        let (Ok(near), Ok(moved)) = (fit(&x, init.clone()), fit(&far, &init + &shift)) else {
            panic!("{algorithm:?}: both fits succeed");
        };
        assert_eq!(near.labels(), moved.labels(), "{algorithm:?}: labels");
        assert_eq!(near.n_iter(), moved.n_iter(), "{algorithm:?}: n_iter");
        assert_relative_eq!(near.inertia(), moved.inertia(), max_relative = 1e-9);
        let back = &moved.cluster_centers() - &shift;
        for (a, b) in near.cluster_centers().iter().zip(back.iter()) {
            // The shifted centres carry the rounding of coordinates near 3e8 (ulp 6e-8).
            assert!((a - b).abs() <= 1e-6, "{algorithm:?}: centre {a} vs {b}");
        }
        // Predict, transform and score subtract the fit's offset too: on the training rows
        // they give the fit's labels (uncentred dot-form distances would not), and the moved
        // model's distances are the near one's.
        assert_eq!(
            moved.predict(far.view()).unwrap(),
            moved.labels(),
            "{algorithm:?}"
        );
        let (dn, dm) = (
            near.transform(x.view()).unwrap(),
            moved.transform(far.view()).unwrap(),
        );
        for (a, b) in dn.iter().zip(dm.iter()) {
            assert!((a - b).abs() <= 1e-5, "{algorithm:?}: distance {a} vs {b}");
        }
        assert_relative_eq!(
            near.score(x.view(), None).unwrap(),
            moved.score(far.view(), None).unwrap(),
            max_relative = 1e-9
        );
        // The offset is saved with the model.
        let loaded: FittedKMeans = from_bytes(&to_bytes(&moved).unwrap()).unwrap();
        assert_eq!(
            loaded.predict(far.view()).unwrap(),
            moved.labels(),
            "{algorithm:?}"
        );
    }
}

#[test]
fn kmeans_is_identical_on_one_and_two_threads() {
    // More than two chunks of 4096 rows, so the chunk merge order matters.
    let x = blobs(10_000, 4, 6, 3.0, 11);
    let w = Array1::from_shape_fn(x.nrows(), |i| 0.5 + (i % 7) as f64);
    for algorithm in [KMeansAlgorithm::Lloyd, KMeansAlgorithm::Elkan] {
        let p = KMeans::default()
            .with_n_clusters(6)
            .with_n_init(2)
            .with_algorithm(algorithm);
        let fit_on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                let m = p.fit_weighted(x.view(), Some(w.view())).unwrap();
                let t = m.transform(x.view()).unwrap();
                let s = m.score(x.view(), Some(w.view())).unwrap();
                (m, t, s)
            })
        };
        let (m1, t1, s1) = fit_on(1);
        let (m2, t2, s2) = fit_on(2);
        assert_eq!(m1, m2, "{algorithm:?}");
        assert_eq!(t1, t2);
        assert_eq!(s1.to_bits(), s2.to_bits());
    }
}

#[test]
fn kmeans_save_load_round_trip() {
    let x = iris();
    let m = KMeans::default().with_n_clusters(3).fit(x.view()).unwrap();
    let back: FittedKMeans = from_bytes(&to_bytes(&m).unwrap()).unwrap();
    assert_eq!(back, m);
    assert_eq!(
        back.predict(x.view()).unwrap(),
        m.predict(x.view()).unwrap()
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kmeans.kiln");
    kiln_core::persist::save(&m, &path).unwrap();
    let loaded: FittedKMeans = kiln_core::persist::load(&path).unwrap();
    assert_eq!(loaded, m);
}

#[test]
fn kmeans_two_obvious_clusters_by_hand() {
    // Centres 2 and 11.5; inertia (1 + 0 + 1) + (2.25 + 0.25 + 0.25 + 2.25) = 7.
    let x = array![[1.0], [2.0], [3.0], [10.0], [11.0], [12.0], [13.0]];
    for algorithm in [KMeansAlgorithm::Lloyd, KMeansAlgorithm::Elkan] {
        let m = KMeans::default()
            .with_n_clusters(2)
            .with_init(KMeansInit::Given(array![[0.0], [14.0]]))
            .with_algorithm(algorithm)
            .fit(x.view())
            .unwrap();
        assert_relative_eq!(m.cluster_centers()[[0, 0]], 2.0, epsilon = 1e-12);
        assert_relative_eq!(m.cluster_centers()[[1, 0]], 11.5, epsilon = 1e-12);
        assert_relative_eq!(m.inertia(), 7.0, epsilon = 1e-12);
        assert_eq!(m.labels(), array![0, 0, 0, 1, 1, 1, 1]);
        // Iteration 1 moves the centres; iteration 2 changes no label (strict convergence).
        assert_eq!(m.n_iter(), 2);
        assert!(m.converged());
        assert_relative_eq!(m.score(x.view(), None).unwrap(), -7.0, epsilon = 1e-12);
        let t = m.transform(array![[5.0]].view()).unwrap();
        assert_relative_eq!(t[[0, 0]], 3.0, epsilon = 1e-12);
        assert_relative_eq!(t[[0, 1]], 6.5, epsilon = 1e-12);
    }
}

#[test]
fn kmeans_relocates_an_empty_cluster_to_the_farthest_point() {
    // The centre at 1000 gets no point. The point farthest from its centre (1) is 4, at
    // distance 3, so the empty cluster moves there; then {0,1,2} {10,11,12} {4}. Iteration 2
    // relabels 4 but moves no centre (shift 0 <= tol), so the run stops after 2 iterations.
    let x = array![[0.0], [1.0], [2.0], [4.0], [10.0], [11.0], [12.0]];
    let init = array![[1.0], [11.0], [1000.0]];
    for algorithm in [KMeansAlgorithm::Lloyd, KMeansAlgorithm::Elkan] {
        let m = KMeans::default()
            .with_n_clusters(3)
            .with_init(KMeansInit::Given(init.clone()))
            .with_algorithm(algorithm)
            .fit(x.view())
            .unwrap();
        let c = m.cluster_centers();
        assert_relative_eq!(c[[0, 0]], 1.0, epsilon = 1e-12);
        assert_relative_eq!(c[[1, 0]], 11.0, epsilon = 1e-12);
        assert_relative_eq!(c[[2, 0]], 4.0, epsilon = 1e-12);
        assert_eq!(m.labels(), array![0, 0, 0, 2, 1, 1, 1]);
        assert_relative_eq!(m.inertia(), 4.0, epsilon = 1e-12);
        assert_eq!(m.n_iter(), 2, "{algorithm:?}");
        assert!(m.converged());
    }
}

#[test]
fn kmeans_relocation_ties_go_to_the_lowest_row() {
    // Every point is at distance 1 from its centre: the empty cluster takes row 0.
    let x = array![[0.0], [2.0], [10.0], [12.0]];
    let init = array![[1.0], [11.0], [500.0]];
    let m = KMeans::default()
        .with_n_clusters(3)
        .with_init(KMeansInit::Given(init))
        .with_max_iter(1)
        .fit(x.view())
        .unwrap();
    let c = m.cluster_centers();
    assert_relative_eq!(c[[0, 0]], 2.0, epsilon = 1e-12);
    assert_relative_eq!(c[[1, 0]], 11.0, epsilon = 1e-12);
    assert_relative_eq!(c[[2, 0]], 0.0, epsilon = 1e-12);
    assert_eq!(m.labels(), array![2, 0, 1, 1]);
}

#[test]
fn kmeans_inertia_never_increases_over_iterations() {
    let x = blobs(400, 3, 5, 3.0, 3);
    let init = x.slice(s![0..5, ..]).to_owned();
    let mut last = f64::INFINITY;
    let mut changed = 0;
    for max_iter in 1..=12 {
        let m = KMeans::default()
            .with_n_clusters(5)
            .with_init(KMeansInit::Given(init.clone()))
            .with_tol(0.0)
            .with_max_iter(max_iter)
            .fit(x.view())
            .unwrap();
        assert!(m.inertia() <= last * (1.0 + 1e-12), "max_iter={max_iter}");
        if m.inertia() < last {
            changed += 1;
        }
        last = m.inertia();
    }
    assert!(changed >= 3, "the runs should differ: {changed}");
}

#[test]
fn kmeans_sample_weights_equal_duplicated_rows() {
    let x = blobs(120, 2, 3, 2.0, 5);
    let counts: Vec<usize> = (0..x.nrows()).map(|i| i % 4).collect();
    let w = Array1::from_iter(counts.iter().map(|&c| c as f64));
    let rows: Vec<usize> = (0..x.nrows())
        .flat_map(|i| std::iter::repeat_n(i, counts[i]))
        .collect();
    let xd = x.select(ndarray::Axis(0), &rows);
    // Row 1 has weight 1, rows 5 and 9 too: three distinct starting centres.
    let init = x.select(ndarray::Axis(0), &[1, 5, 9]);
    for algorithm in [KMeansAlgorithm::Lloyd, KMeansAlgorithm::Elkan] {
        // tol = 0: the relative tolerance depends on the unweighted variance of X.
        let p = KMeans::default()
            .with_n_clusters(3)
            .with_init(KMeansInit::Given(init.clone()))
            .with_tol(0.0)
            .with_algorithm(algorithm);
        let mw = p.fit_weighted(x.view(), Some(w.view())).unwrap();
        let md = p.fit(xd.view()).unwrap();
        for (a, b) in mw.cluster_centers().iter().zip(md.cluster_centers()) {
            assert_relative_eq!(a, b, max_relative = 1e-10);
        }
        assert_relative_eq!(mw.inertia(), md.inertia(), max_relative = 1e-10);
        let expanded: Vec<usize> = rows.iter().map(|&i| mw.labels()[i]).collect();
        assert_eq!(expanded, md.labels().to_vec());
    }
}

#[test]
fn kmeans_given_init_makes_a_single_run() {
    let x = iris();
    let init = x.slice(s![0..3, ..]).to_owned();
    let p = KMeans::default()
        .with_n_clusters(3)
        .with_init(KMeansInit::Given(init));
    let one = p.clone().fit(x.view()).unwrap();
    let many = p.with_n_init(5).fit(x.view()).unwrap();
    assert_same_fit(&one, &many, "n_init 5 with given centres");
}

#[test]
fn kmeans_restarts_keep_the_best_run() {
    let x = iris();
    let p = KMeans::default().with_n_clusters(3).with_seed(3);
    let ten = p.clone().with_n_init(10).fit(x.view()).unwrap();
    // Run 0 of ten restarts is the single run with the same seed.
    let one = p.fit(x.view()).unwrap();
    assert!(ten.inertia() <= one.inertia());
    // scikit-learn's best inertia on iris with k = 3 and n_init = 10 is 78.851.
    assert!(ten.inertia() <= 78.8515, "{}", ten.inertia());
    assert_eq!(ten.predict(x.view()).unwrap(), ten.labels());
}

#[test]
fn kmeans_fit_predict_transform_and_score_agree() {
    // Three chunks of rows, so that predict and transform called from the test's thread split
    // the rows between it and rayon's workers (`kiln_core::pool::map_chunks_mut`).
    let x = blobs(10_000, 4, 4, 2.0, 9);
    let p = KMeans::default().with_n_clusters(4);
    let (m, labels) = p.fit_predict(x.view(), None).unwrap();
    assert_eq!(labels, m.labels());
    assert_eq!(m.predict(x.view()).unwrap(), labels);
    let t = m.transform(x.view()).unwrap();
    assert_eq!(t.dim(), (10_000, 4));
    let mut inertia = 0.0;
    for (row, &l) in t.rows().into_iter().zip(&labels) {
        let min = row.iter().copied().fold(f64::INFINITY, f64::min);
        assert_eq!(row[l], min);
        inertia += min * min;
    }
    assert_relative_eq!(inertia, m.inertia(), max_relative = 1e-10);
    assert_relative_eq!(
        m.score(x.view(), None).unwrap(),
        -m.inertia(),
        max_relative = 1e-12
    );
    // Column-major input predicts the same, and fits the same model.
    let xf = x.t().as_standard_layout().t().to_owned();
    assert_eq!(m.predict(xf.view()).unwrap(), labels);
    let mf = p.fit(xf.view()).unwrap();
    assert_eq!(mf.labels(), m.labels());
    assert_eq!(mf.cluster_centers(), m.cluster_centers());
    assert_eq!(mf.inertia(), m.inertia());
    assert_eq!(m.n_features_in(), 4);
}

#[test]
fn kmeans_reports_not_converged_when_max_iter_is_reached() {
    let x = blobs(600, 2, 6, 3.0, 1);
    let m = KMeans::default()
        .with_n_clusters(6)
        .with_init(KMeansInit::Random)
        .with_tol(0.0)
        .with_max_iter(1)
        .fit(x.view())
        .unwrap();
    assert_eq!(m.n_iter(), 1);
    assert!(!m.converged());
    // The labels are the assignment to the final centres.
    assert_eq!(m.predict(x.view()).unwrap(), m.labels());
}

#[test]
fn kmeans_with_fewer_distinct_points_than_clusters_does_not_fail() {
    let x = array![[1.0, 1.0], [1.0, 1.0], [5.0, 5.0], [5.0, 5.0], [1.0, 1.0]];
    for algorithm in [KMeansAlgorithm::Lloyd, KMeansAlgorithm::Elkan] {
        for init in [KMeansInit::KMeansPlusPlus, KMeansInit::Random] {
            let m = KMeans::default()
                .with_n_clusters(4)
                .with_init(init)
                .with_algorithm(algorithm)
                .fit(x.view())
                .unwrap();
            assert!(m.cluster_centers().iter().all(|v| v.is_finite()));
            assert!(m.inertia().abs() < 1e-9, "{}", m.inertia());
        }
    }
}

#[test]
fn kmeans_rejects_bad_parameters_by_name() {
    let x = iris();
    let cases = [
        (KMeans::default().with_n_clusters(0), "n_clusters"),
        (KMeans::default().with_n_init(0), "n_init"),
        (KMeans::default().with_max_iter(0), "max_iter"),
        (KMeans::default().with_tol(-1.0), "tol"),
        (KMeans::default().with_tol(f64::INFINITY), "tol"),
    ];
    for (p, name) in cases {
        let err = p.fit(x.view()).unwrap_err();
        assert_eq!(err.parameter_name(), Some(name), "{err}");
    }
}

#[test]
fn kmeans_rejects_more_clusters_than_samples() {
    let x = array![[1.0], [2.0], [3.0]];
    let err = KMeans::default()
        .with_n_clusters(4)
        .fit(x.view())
        .unwrap_err();
    assert!(
        matches!(err, Error::TooFewSamples { n_samples: 3, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("n_clusters=4"), "{err}");
}

#[test]
fn kmeans_rejects_given_centres_of_the_wrong_shape() {
    let x = iris();
    for (init, expected, got) in [(Array2::zeros((2, 4)), 3, 2), (Array2::zeros((3, 2)), 4, 2)] {
        let err = KMeans::default()
            .with_n_clusters(3)
            .with_init(KMeansInit::Given(init))
            .fit(x.view())
            .unwrap_err();
        assert!(
            matches!(err, Error::ShapeMismatch { expected: e, got: g, .. } if e == expected && g == got),
            "{err}"
        );
    }
    let mut bad = Array2::zeros((3, 4));
    bad[[1, 2]] = f64::NAN;
    let err = KMeans::default()
        .with_n_clusters(3)
        .with_init(KMeansInit::Given(bad))
        .fit(x.view())
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::NonFinite {
                row: 1,
                col: Some(2),
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn kmeans_rejects_non_finite_data_and_bad_weights() {
    let mut x = iris();
    x[[7, 2]] = f64::INFINITY;
    let err = KMeans::default().fit(x.view()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::NonFinite {
                row: 7,
                col: Some(2),
                ..
            }
        ),
        "{err}"
    );

    let x = iris();
    let mut w = Array1::ones(x.nrows());
    w[4] = -1.0;
    let err = KMeans::default()
        .fit_weighted(x.view(), Some(w.view()))
        .unwrap_err();
    assert!(matches!(err, Error::InvalidValue { .. }), "{err}");
    w[4] = f64::NAN;
    let err = KMeans::default()
        .fit_weighted(x.view(), Some(w.view()))
        .unwrap_err();
    assert!(matches!(err, Error::NonFinite { row: 4, .. }), "{err}");
    let short = Array1::ones(3);
    let err = KMeans::default()
        .fit_weighted(x.view(), Some(short.view()))
        .unwrap_err();
    assert!(matches!(err, Error::ShapeMismatch { .. }), "{err}");
}

#[test]
fn kmeans_predict_rejects_a_wrong_feature_count() {
    let x = iris();
    let m = KMeans::default().with_n_clusters(3).fit(x.view()).unwrap();
    let narrow = x.slice(s![.., 0..3]).to_owned();
    for err in [
        m.predict(narrow.view()).unwrap_err(),
        m.transform(narrow.view()).unwrap_err(),
        m.score(narrow.view(), None).unwrap_err(),
    ] {
        assert!(
            matches!(
                err,
                Error::FeatureCountMismatch {
                    expected: 4,
                    got: 3,
                    ..
                }
            ),
            "{err}"
        );
    }
    let mut nan = x.clone();
    nan[[0, 1]] = f64::NAN;
    assert!(matches!(
        m.predict(nan.view()).unwrap_err(),
        Error::NonFinite {
            row: 0,
            col: Some(1),
            ..
        }
    ));
}

#[test]
fn predict_names_a_non_finite_value_anywhere_in_large_or_strided_input() {
    use ndarray::ShapeBuilder;
    // Prediction checks finiteness during the assignment itself: a value past the first
    // chunk, in the short last block, or in a non-contiguous view is still reported with its
    // row and column.
    let n = 2 * 4096 + 5;
    let x = Array2::from_shape_fn((n, 3), |(i, j)| ((i * 7 + j * 3) % 11) as f64);
    let m = KMeans::default()
        .with_n_clusters(4)
        .with_seed(0)
        .with_n_init(1)
        .fit(x.slice(s![..200, ..]))
        .unwrap();
    assert_eq!(m.predict(x.view()).unwrap().len(), n);
    for (row, col, v) in [
        (5000, 2, f64::INFINITY),
        (n - 1, 0, f64::NAN),
        (n - 3, 1, f64::NEG_INFINITY),
    ] {
        let mut bad = x.clone();
        bad[[row, col]] = v;
        let err = m.predict(bad.view()).unwrap_err();
        assert!(
            matches!(err, Error::NonFinite { row: r, col: Some(c), .. } if r == row && c == col),
            "{err}"
        );
        // The same values in column-major order (not a contiguous row-major slice).
        let mut fortran = Array2::zeros((n, 3).f());
        fortran.assign(&bad);
        assert!(fortran.as_slice().is_none());
        let err = m.predict(fortran.view()).unwrap_err();
        assert!(
            matches!(err, Error::NonFinite { row: r, col: Some(c), .. } if r == row && c == col),
            "{err}"
        );
    }
}

#[test]
fn more_clusters_than_distinct_points_converge_with_every_point_on_a_centre() {
    // Five rows, two distinct points, five clusters. scikit-learn (given these centres)
    // stops after one iteration with the centres unchanged; relocating rows that already sit
    // on their centre would shuffle identical rows between clusters until max_iter and
    // leave a centre at the mean of everything.
    let x = array![[1.0, 1.0], [1.0, 1.0], [1.0, 1.0], [2.0, 2.0], [2.0, 2.0]];
    let init = array![[1.0, 1.0], [2.0, 2.0], [1.0, 1.0], [1.0, 1.0], [1.0, 1.0]];
    for algorithm in [KMeansAlgorithm::Lloyd, KMeansAlgorithm::Elkan] {
        let m = KMeans::default()
            .with_n_clusters(5)
            .with_init(KMeansInit::Given(init.clone()))
            .with_algorithm(algorithm)
            .fit(x.view())
            .unwrap();
        assert!(m.converged(), "{algorithm:?}");
        assert_eq!(m.n_iter(), 1, "{algorithm:?}");
        assert_eq!(m.cluster_centers(), init, "{algorithm:?}");
        assert_eq!(m.inertia(), 0.0);
        assert_eq!(m.labels().to_vec(), [0, 0, 0, 1, 1]);
    }
    for seed in 0..3 {
        let m = KMeans::default()
            .with_n_clusters(5)
            .with_seed(seed)
            .fit(x.view())
            .unwrap();
        assert!(m.converged() && m.inertia() == 0.0, "seed {seed}");
        // Every centre is one of the two points.
        for c in m.cluster_centers().rows() {
            assert!(
                c == array![1.0, 1.0] || c == array![2.0, 2.0],
                "seed {seed}: {c}"
            );
        }
    }
}
