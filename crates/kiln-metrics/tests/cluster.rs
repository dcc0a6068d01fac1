//! The clustering metrics against scikit-learn 1.9.1 (fixture from
//! `tests/reference/cluster_reference.py`: species and k-means labelings of iris, penguins and
//! breast_cancer, plus hand cases), hand-computed values, determinism, and bad input.

#![allow(
    clippy::unwrap_used,
    reason = "tests: a malformed fixture or a wrong result should fail loudly"
)]

use kiln_core::Error;
use kiln_datasets::Dataset;
use kiln_metrics::cluster::{
    AverageMethod, adjusted_mutual_info_score, adjusted_rand_score, calinski_harabasz_score,
    completeness_score, contingency_matrix, davies_bouldin_score,
    homogeneity_completeness_v_measure, homogeneity_score, mutual_info_score,
    normalized_mutual_info_score, pair_confusion_matrix, rand_score, silhouette_samples,
    silhouette_score, silhouette_score_sampled, v_measure_score,
};
use ndarray::{Array1, Array2, Axis, array};
use serde_json::Value;

/// Contingency-based scores: relative, or absolute near 0.
const REL: f64 = 1e-12;
/// The AMI on 1000 or more samples (see `external_indices_match_scikit_learn`).
const AMI_LARGE_N: f64 = 1e-11;
/// Distance-based indices (distances rounded in another order than scikit-learn's; the
/// largest error seen is 1.4e-13, on penguins, whose grams make |x|² large).
const REL_DIST: f64 = 1e-12;

fn fixture() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cluster.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

fn labels(v: &Value) -> Array1<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|l| usize::try_from(l.as_u64().unwrap()).unwrap())
        .collect()
}

fn mat(v: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_array().unwrap().iter().map(num).collect())
        .collect();
    let d = rows[0].len();
    Array2::from_shape_vec((rows.len(), d), rows.concat()).unwrap()
}

/// The relative error of `got` against `want` (absolute when `want` is within 1 of 0).
fn rel_err(got: f64, want: f64) -> f64 {
    (got - want).abs() / want.abs().max(1.0)
}

fn assert_close(what: &str, got: f64, want: f64, tol: f64) {
    assert!(
        rel_err(got, want) <= tol,
        "{what}: kiln {got:e}, scikit-learn {want:e} (error {:e})",
        rel_err(got, want)
    );
}

/// The data set `name` with the rows and columns the reference script used.
fn real_x(doc: &Value, name: &str) -> Array2<f64> {
    let ds = Dataset::from_name(name).unwrap().load_numeric().unwrap();
    let spec = &doc["data"][name];
    let cols: Vec<usize> = spec["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let c = c.as_str().unwrap();
            ds.feature_names.iter().position(|f| f == c).unwrap()
        })
        .collect();
    let rows: Vec<usize> = labels(&spec["rows"]).to_vec();
    ds.x.select(Axis(0), &rows).select(Axis(1), &cols)
}

/// The synthetic case of the reference script, rebuilt from the same integer arithmetic.
fn synthetic() -> (Array2<f64>, Array1<usize>) {
    let n = 700;
    let lab = Array1::from_shape_fn(n, |i| (i * 31) % 40 * 3);
    let x = Array2::from_shape_fn((n, 3), |(i, j)| {
        ((i * 7919 + j * 104_729) % 1009) as f64 / 100.0 + 4.0 * ((lab[i] / 3) % (j + 5)) as f64
    });
    (x, lab)
}

fn internal_case(doc: &Value, case: &Value) -> (Array2<f64>, Array1<usize>) {
    let lab = labels(&case["labels"]);
    let x = match case["data"].as_str() {
        Some(name) => real_x(doc, name),
        None if case["x"].is_null() => synthetic().0,
        None => mat(&case["x"]),
    };
    (x, lab)
}

#[test]
fn internal_indices_match_scikit_learn() {
    let doc = fixture();
    let cases = doc["internal"].as_array().unwrap();
    assert!(cases.len() >= 20, "{} cases", cases.len());
    let (mut worst_sil, mut worst_db, mut worst_ch) = (0.0f64, 0.0f64, 0.0f64);
    for case in cases {
        let what = format!("{} / {}", case["data"], case["name"]);
        let (x, lab) = internal_case(&doc, case);
        assert_eq!(x.nrows(), lab.len(), "{what}");
        // Where scikit-learn's |x|² + |y|² − 2x·y loses digits, the reference is the
        // silhouette of directly computed distances (stored beside scikit-learn's).
        let direct = !case["silhouette_direct"].is_null();
        let (key, key_samples) = if direct {
            ("silhouette_direct", "silhouette_samples_direct")
        } else {
            ("silhouette", "silhouette_samples")
        };
        let s = silhouette_score(x.view(), lab.view()).unwrap();
        let want = num(&case[key]);
        assert_close(&format!("{what}: silhouette_score"), s, want, REL_DIST);
        if !direct {
            worst_sil = worst_sil.max(rel_err(s, want));
        }
        if let Some(want) = case[key_samples].as_array() {
            let got = silhouette_samples(x.view(), lab.view()).unwrap();
            assert_eq!(got.len(), want.len(), "{what}");
            for (i, (g, w)) in got.iter().zip(want).enumerate() {
                assert_close(
                    &format!("{what}: silhouette of row {i}"),
                    *g,
                    num(w),
                    REL_DIST,
                );
                if !direct {
                    worst_sil = worst_sil.max(rel_err(*g, num(w)));
                }
            }
        }
        let db = davies_bouldin_score(x.view(), lab.view()).unwrap();
        if direct {
            let want = num(&case["davies_bouldin_direct"]);
            assert_close(&format!("{what}: davies_bouldin"), db, want, REL);
        } else {
            let want = num(&case["davies_bouldin"]);
            assert_close(&format!("{what}: davies_bouldin"), db, want, REL_DIST);
            worst_db = worst_db.max(rel_err(db, want));
        }
        let ch = calinski_harabasz_score(x.view(), lab.view()).unwrap();
        let want = num(&case["calinski_harabasz"]);
        assert_close(&format!("{what}: calinski_harabasz"), ch, want, REL_DIST);
        worst_ch = worst_ch.max(rel_err(ch, want));
    }
    eprintln!(
        "largest relative error: silhouette {worst_sil:e}, davies_bouldin {worst_db:e}, \
         calinski_harabasz {worst_ch:e}"
    );
}

const METHODS: [(&str, AverageMethod); 4] = [
    ("min", AverageMethod::Min),
    ("geometric", AverageMethod::Geometric),
    ("arithmetic", AverageMethod::Arithmetic),
    ("max", AverageMethod::Max),
];

#[test]
fn external_indices_match_scikit_learn() {
    let doc = fixture();
    let cases = doc["external"].as_array().unwrap();
    assert!(cases.len() >= 25, "{} cases", cases.len());
    let mut worst_ami = 0.0f64;
    for case in cases {
        let what = case["case"].as_str().unwrap();
        let (t, p) = (labels(&case["labels_true"]), labels(&case["labels_pred"]));
        let (t, p) = (t.view(), p.view());
        // The expected mutual information adds up exp(ln-factorial sums) that all contain
        // ln N!: one ulp of it (3.6e-12 at N = 3000) moves the AMI by ~1e-12 relative, in
        // scikit-learn's lgamma as in ours, so larger samples get a looser bound.
        let ami_tol = if t.len() >= 1000 { AMI_LARGE_N } else { REL };
        let check = |name: &str, got: f64, key: &Value| {
            assert_close(&format!("{what}: {name}"), got, num(key), REL);
        };
        check("ari", adjusted_rand_score(t, p).unwrap(), &case["ari"]);
        check("rand", rand_score(t, p).unwrap(), &case["rand"]);
        check("mi", mutual_info_score(t, p).unwrap(), &case["mi"]);
        for (m, method) in METHODS {
            let nmi = normalized_mutual_info_score(t, p, method).unwrap();
            check(&format!("nmi {m}"), nmi, &case["nmi"][m]);
            let ami = adjusted_mutual_info_score(t, p, method).unwrap();
            assert_close(
                &format!("{what}: ami {m}"),
                ami,
                num(&case["ami"][m]),
                ami_tol,
            );
            worst_ami = worst_ami.max(rel_err(ami, num(&case["ami"][m])));
        }
        check(
            "homogeneity",
            homogeneity_score(t, p).unwrap(),
            &case["homogeneity"],
        );
        check(
            "completeness",
            completeness_score(t, p).unwrap(),
            &case["completeness"],
        );
        check(
            "v_measure",
            v_measure_score(t, p, 1.0).unwrap(),
            &case["v_measure"],
        );
        check(
            "v_measure beta 0.5",
            v_measure_score(t, p, 0.5).unwrap(),
            &case["v_measure_beta_half"],
        );
        for beta in [0.0, 0.5, 2.0] {
            let (h, c, v) = homogeneity_completeness_v_measure(t, p, beta).unwrap();
            let want = &case["hcv_beta"][format!("{beta:?}")];
            if want.is_null() {
                // scikit-learn raises ZeroDivisionError (beta = 0 and completeness 0); kiln
                // documents a V-measure of 0 there.
                assert_eq!((beta, c, v), (0.0, 0.0, 0.0), "{what}");
                continue;
            }
            check(&format!("h beta {beta}"), h, &want[0]);
            check(&format!("c beta {beta}"), c, &want[1]);
            check(&format!("v beta {beta}"), v, &want[2]);
        }
        let pcm = pair_confusion_matrix(t, p).unwrap();
        let want = &case["pair_confusion"];
        for (i, j) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
            assert_eq!(
                pcm[i][j],
                u128::from(want[i][j].as_u64().unwrap()),
                "{what}: pair confusion [{i}][{j}]"
            );
        }
        if let Some(dense) = case["contingency"].as_array() {
            let c = contingency_matrix(t, p).unwrap().to_dense();
            let want: Vec<Vec<usize>> = dense
                .iter()
                .map(|r| {
                    r.as_array()
                        .unwrap()
                        .iter()
                        .map(|v| v.as_u64().unwrap() as usize)
                        .collect()
                })
                .collect();
            assert_eq!(c.nrows(), want.len(), "{what}");
            for (row, w) in c.outer_iter().zip(&want) {
                assert_eq!(row.to_vec(), *w, "{what}: contingency");
            }
        }
    }
    eprintln!("largest AMI error: {worst_ami:e}");
}

#[test]
fn contingency_is_sparse_and_sorted_for_huge_label_values() {
    let t = array![usize::MAX, 3, usize::MAX, 1 << 50, 3];
    let p = array![8, 8, 9, 8, 1 << 60];
    let c = contingency_matrix(t.view(), p.view()).unwrap();
    assert_eq!(c.classes(), &[3, 1 << 50, usize::MAX]);
    assert_eq!(c.clusters(), &[8, 9, 1 << 60]);
    assert_eq!(
        c.cells(),
        &[(0, 0, 1), (0, 2, 1), (1, 0, 1), (2, 0, 1), (2, 1, 1)]
    );
    assert_eq!(c.row_sums(), &[2, 1, 2]);
    assert_eq!(c.col_sums(), &[3, 1, 1]);
    assert_eq!(c.n_samples(), 5);
    // 100,000 distinct labels on each side: cells stay O(n), not 1e10.
    let n = 100_000;
    let t = Array1::from_shape_fn(n, |i| i * 1_000_003);
    let p = Array1::from_shape_fn(n, |i| (n - i) * 7);
    let c = contingency_matrix(t.view(), p.view()).unwrap();
    assert_eq!(c.cells().len(), n);
    assert_eq!(adjusted_rand_score(t.view(), p.view()).unwrap(), 1.0);
}

#[test]
fn identical_labelings_score_one_and_ari_is_symmetric() {
    let a = array![3, 3, 1, 1, 1, 0, 7, 7];
    let b = array![10, 10, 20, 20, 20, 30, 40, 40];
    assert_eq!(adjusted_rand_score(a.view(), b.view()).unwrap(), 1.0);
    assert_eq!(rand_score(a.view(), b.view()).unwrap(), 1.0);
    let v = v_measure_score(a.view(), b.view(), 1.0).unwrap();
    assert!((v - 1.0).abs() < 1e-15);
    let c = array![0, 1, 1, 0, 2, 2, 2, 0];
    let ab = adjusted_rand_score(a.view(), c.view()).unwrap();
    let ba = adjusted_rand_score(c.view(), a.view()).unwrap();
    assert!((ab - ba).abs() < 1e-15);
    // V-measure with beta = 1 is the arithmetic NMI.
    let nmi = normalized_mutual_info_score(a.view(), c.view(), AverageMethod::Arithmetic).unwrap();
    let v = v_measure_score(a.view(), c.view(), 1.0).unwrap();
    assert!((nmi - v).abs() < 1e-14);
}

#[test]
fn silhouette_hand_case_with_singleton_and_far_offset() {
    // Row 0: a = 1, b = 5; row 1: a = 1, b = 4; row 2 alone (0).
    let x = array![[0.0], [1.0], [5.0]];
    let s = silhouette_samples(x.view(), array![9, 9, 2].view()).unwrap();
    assert_eq!(s[2], 0.0);
    assert!((s[0] - 0.8).abs() < 1e-15 && (s[1] - 0.75).abs() < 1e-15);
    // Far from the origin, |x|² + |y|² − 2x·y loses most digits without centring.
    let far = x.mapv(|v| v + 1e8);
    let s = silhouette_samples(far.view(), array![9, 9, 2].view()).unwrap();
    assert!(
        (s[0] - 0.8).abs() < 1e-12 && (s[1] - 0.75).abs() < 1e-12,
        "{s}"
    );
}

#[test]
fn sampled_silhouette_is_seeded_and_covers_all_rows_when_large() {
    let doc = fixture();
    let case = doc["internal"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["data"] == "iris" && c["name"] == "kmeans3")
        .unwrap();
    let (x, lab) = internal_case(&doc, case);
    // sample_size >= n uses every row (in a random order), as scikit-learn.
    let all = silhouette_score_sampled(x.view(), lab.view(), 1000, 3).unwrap();
    assert_close(
        "sampled with all rows",
        all,
        num(&case["silhouette"]),
        REL_DIST,
    );
    let a = silhouette_score_sampled(x.view(), lab.view(), 60, 1).unwrap();
    let b = silhouette_score_sampled(x.view(), lab.view(), 60, 1).unwrap();
    let c = silhouette_score_sampled(x.view(), lab.view(), 60, 2).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert!((a - num(&case["silhouette"])).abs() < 0.1, "{a}");
    let err = silhouette_score_sampled(x.view(), lab.view(), 0, 1).unwrap_err();
    assert_eq!(err.parameter_name(), Some("sample_size"));
    // One sampled row cannot hold two labels.
    let err = silhouette_score_sampled(x.view(), lab.view(), 1, 1).unwrap_err();
    assert!(matches!(err, Error::InvalidValue { .. }), "{err}");
}

#[test]
fn silhouette_does_not_depend_on_the_thread_count() {
    let (x, lab) = synthetic();
    // Enough rows for many blocks and rounds.
    let x = ndarray::concatenate(Axis(0), &[x.view(), x.mapv(|v| v * 1.1 + 0.3).view()]).unwrap();
    let lab = ndarray::concatenate(Axis(0), &[lab.view(), lab.view()]).unwrap();
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| silhouette_samples(x.view(), lab.view()).unwrap())
    };
    let one = run(1);
    assert_eq!(one, run(3));
    assert_eq!(one, run(8));
}

type ExternalScore =
    fn(ndarray::ArrayView1<usize>, ndarray::ArrayView1<usize>) -> kiln_core::Result<f64>;

#[test]
fn bad_input_is_a_typed_error() {
    let x = array![[0.0, 1.0], [1.0, 1.0], [4.0, 0.0]];
    let lab = array![0, 0, 1];
    let empty = Array2::<f64>::zeros((0, 2));
    let none = Array1::<usize>::zeros(0);
    for f in [
        silhouette_score,
        davies_bouldin_score,
        calinski_harabasz_score,
    ] {
        assert!(matches!(
            f(empty.view(), none.view()),
            Err(Error::EmptyInput { .. })
        ));
        assert!(matches!(
            f(x.view(), array![0, 1].view()),
            Err(Error::ShapeMismatch {
                expected: 3,
                got: 2,
                ..
            })
        ));
        let mut bad = x.clone();
        bad[[2, 1]] = f64::NAN;
        assert!(matches!(
            f(bad.view(), lab.view()),
            Err(Error::NonFinite {
                row: 2,
                col: Some(1),
                ..
            })
        ));
        bad[[2, 1]] = f64::INFINITY;
        assert!(matches!(
            f(bad.view(), lab.view()),
            Err(Error::NonFinite { .. })
        ));
        // One label, and as many labels as samples.
        for wrong in [array![4, 4, 4], array![0, 1, 2]] {
            let err = f(x.view(), wrong.view()).unwrap_err();
            let msg = err.to_string();
            assert!(matches!(err, Error::InvalidValue { .. }), "{msg}");
            assert!(
                msg.contains("valid values are 2 to n_samples - 1 = 2"),
                "{msg}"
            );
        }
    }
    let err = silhouette_samples(x.view(), array![4, 4, 4].view()).unwrap_err();
    assert!(
        err.to_string().contains("number of distinct labels is 1"),
        "{err}"
    );

    let (a, b) = (array![0, 1, 1], array![0, 1]);
    let externals: [ExternalScore; 6] = [
        adjusted_rand_score,
        rand_score,
        mutual_info_score,
        homogeneity_score,
        completeness_score,
        |t, p| adjusted_mutual_info_score(t, p, AverageMethod::Max),
    ];
    for f in externals {
        assert!(matches!(
            f(none.view(), none.view()),
            Err(Error::EmptyInput { .. })
        ));
        assert!(matches!(
            f(a.view(), b.view()),
            Err(Error::ShapeMismatch { .. })
        ));
    }
    for beta in [-1.0, f64::NAN] {
        let err = v_measure_score(a.view(), a.view(), beta).unwrap_err();
        assert_eq!(err.parameter_name(), Some("beta"));
    }
}

/// Speed check for the lead's benchmark: 20,000 × 10, 8 blobs. Run once with
/// `cargo test --release -p kiln-metrics --test cluster -- --ignored --nocapture`.
#[test]
#[ignore = "timing run, release only"]
fn silhouette_speed_20k_by_10() {
    use rand::Rng;
    let mut rng = kiln_core::random::rng_from_seed(0);
    let (n, d, k) = (20_000, 10, 8);
    let centres = Array2::from_shape_fn((k, d), |_| rng.random_range(-10.0..10.0));
    let lab = Array1::from_shape_fn(n, |i| i % k);
    // Box–Muller normals around the centres (scikit-learn's make_blobs, cluster_std = 1).
    let x = Array2::from_shape_fn((n, d), |(i, j)| {
        let (u, v): (f64, f64) = (rng.random::<f64>().max(1e-300), rng.random());
        centres[[lab[i], j]] + (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    });
    let mut times = Vec::new();
    let mut score = 0.0;
    for _ in 0..3 {
        let t = std::time::Instant::now();
        score = silhouette_score(x.view(), lab.view()).unwrap();
        times.push(t.elapsed().as_secs_f64());
    }
    let best = times.iter().copied().fold(f64::INFINITY, f64::min);
    eprintln!(
        "silhouette 20000 x 10, 8 clusters: score {score:.6}, times {times:?}, min {best:.3} s"
    );
    assert!(score > 0.3 && score < 1.0);
}
