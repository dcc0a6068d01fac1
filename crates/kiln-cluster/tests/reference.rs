//! `KMeans` against scikit-learn 1.9.1 (issue #8). Fixtures come from
//! `tests/reference/kmeans_reference.py`:
//!
//! - `kmeans_fixed.json`: runs from given centres (`n_init = 1`), so kiln must retrace
//!   scikit-learn's run: the same number of iterations, inertia and centres to 1e-9 relative,
//!   every label equal, distances (`transform`) to 1e-9, for Lloyd and Elkan; on iris, a
//!   k = 8 draw, a weighted and unweighted blobs set (also stopped after 1, 2 and 5
//!   iterations), five shifted copies of the blobs (10,000 rows: several reduction chunks),
//!   an empty cluster that must be relocated, and breast_cancer in raw units. The 10,000-row
//!   runs must also be bitwise identical on one and two threads.
//! - `kmeans_restarts.json`: iris with k-means++ and `n_init = 10` over ten seeds; kiln's RNG
//!   differs from NumPy's, so kiln must only be no worse than scikit-learn's best.
//!
//! Ties: the script replays every run with an independent NumPy loop and records the
//! smallest relative gap between a point's two nearest squared distances (`min_rel_gap`) and
//! whether breaking ties the other way changes the run (`tie_robust`). Only tie-robust cases
//! are in the fixture's strict set; the test asserts that, so a regenerated fixture with a
//! tie-sensitive case fails here instead of flaking later.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test: a malformed fixture or a mismatch should fail loudly"
)]

use kiln_cluster::{FittedKMeans, KMeans, KMeansAlgorithm, KMeansInit};
use kiln_core::{FitUnsupervised, Predict, Transform};
use kiln_datasets::Dataset;
use ndarray::{Array1, Array2, Axis};
use serde_json::Value;

/// Relative tolerance against scikit-learn for a run from given centres (issue #8).
const REL: f64 = 1e-9;
/// Absolute floor for values near zero (centre coordinates of centred blobs, distances of a
/// point to its own centre).
const ABS: f64 = 1e-12;

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/kmeans_{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn vec1(v: &Value) -> Array1<f64> {
    v.as_array().unwrap().iter().map(num).collect()
}

fn mat(v: &Value) -> Array2<f64> {
    let rows: Vec<Array1<f64>> = v.as_array().unwrap().iter().map(vec1).collect();
    let d = rows.first().map_or(0, Array1::len);
    Array2::from_shape_fn((rows.len(), d), |(i, j)| rows[i][j])
}

fn usizes(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| usize::try_from(x.as_u64().unwrap()).unwrap())
        .collect()
}

fn close(got: f64, want: f64, rel: f64, abs: f64) -> bool {
    got == want || (got - want).abs() <= rel * got.abs().max(want.abs()) + abs
}

fn assert_all_close<'a>(
    what: &str,
    got: impl IntoIterator<Item = &'a f64>,
    want: impl IntoIterator<Item = &'a f64>,
) {
    let got: Vec<f64> = got.into_iter().copied().collect();
    let want: Vec<f64> = want.into_iter().copied().collect();
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    for (i, (&g, &w)) in got.iter().zip(&want).enumerate() {
        assert!(
            close(g, w, REL, ABS),
            "{what}: element {i}: kiln {g:e}, scikit-learn {w:e} (diff {:e})",
            (g - w).abs()
        );
    }
}

/// The data a case was fitted on: a bundled data set (numeric columns, raw units) or the
/// fixture's blobs.
fn data(doc: &Value, name: &str) -> Array2<f64> {
    match name {
        "blobs" => mat(&doc["blobs"]["x"]),
        // As the script's `blobs_x5`: copy t of the blobs shifted by 0.25 (t - 2) in every
        // column (an exact sum in both languages), 10,000 rows, more than one of kiln's
        // 4,096-row reduction chunks.
        "blobs_x5" => {
            let b = mat(&doc["blobs"]["x"]);
            let n = b.nrows();
            Array2::from_shape_fn((5 * n, b.ncols()), |(i, j)| {
                b[[i % n, j]] + 0.25 * ((i / n) as f64 - 2.0)
            })
        }
        other => Dataset::from_name(other).unwrap().load_numeric().unwrap().x,
    }
}

fn algorithm(name: &str) -> KMeansAlgorithm {
    match name {
        "lloyd" => KMeansAlgorithm::Lloyd,
        "elkan" => KMeansAlgorithm::Elkan,
        other => panic!("unknown algorithm {other}"),
    }
}

/// The case's sample weights, if it is weighted: its own list, else the blobs' weights
/// (repeated five times for `blobs_x5`).
fn weights(doc: &Value, case: &Value) -> Option<Array1<f64>> {
    if !case["weighted"].as_bool().unwrap() {
        return None;
    }
    Some(if case["weights"].is_null() {
        let w = vec1(&doc["blobs"]["weights"]);
        let copies = if case["data"] == "blobs_x5" { 5 } else { 1 };
        Array1::from_shape_fn(copies * w.len(), |i| w[i % w.len()])
    } else {
        vec1(&case["weights"])
    })
}

/// Fits one fixture case from its given centres, as the script did.
fn fit_case(doc: &Value, case: &Value, x: &Array2<f64>) -> FittedKMeans {
    let init = mat(&case["init"]);
    let w = weights(doc, case);
    KMeans::default()
        .with_n_clusters(init.nrows())
        .with_init(KMeansInit::Given(init))
        .with_n_init(1)
        .with_max_iter(usize::try_from(case["max_iter"].as_u64().unwrap()).unwrap())
        .with_tol(num(&case["tol"]))
        .with_algorithm(algorithm(case["algorithm"].as_str().unwrap()))
        .with_seed(0)
        .fit_weighted(x.view(), w.as_ref().map(|w| w.view()))
        .unwrap_or_else(|e| panic!("{}: fit failed: {e}", case["name"]))
}

/// Checks one fitted model against its scikit-learn case; returns the labels.
fn check_case(doc: &Value, case: &Value, x: &Array2<f64>, m: &FittedKMeans) -> Vec<usize> {
    let name = case["name"].as_str().unwrap();
    assert_eq!(
        m.n_iter(),
        usize::try_from(case["n_iter"].as_u64().unwrap()).unwrap(),
        "{name}: n_iter"
    );
    // scikit-learn has no `converged_`; the script's replay records whether a stopping rule
    // ended the run (false only for the runs cut off by max_iter = 1, 2, 5).
    assert_eq!(
        m.converged(),
        case["converged"].as_bool().unwrap(),
        "{name}: converged"
    );
    let want_inertia = num(&case["inertia"]);
    assert!(
        close(m.inertia(), want_inertia, REL, 0.0),
        "{name}: inertia kiln {:e}, scikit-learn {want_inertia:e}",
        m.inertia()
    );
    let want_centers = mat(&case["centers"]);
    assert_eq!(
        m.cluster_centers().dim(),
        want_centers.dim(),
        "{name}: centres shape"
    );
    assert_all_close(
        &format!("{name}: centres"),
        m.cluster_centers().iter(),
        want_centers.iter(),
    );

    let labels: Vec<usize> = m.labels().to_vec();
    let want_labels = usizes(&case["labels"]);
    let wrong: Vec<usize> = (0..want_labels.len())
        .filter(|&i| labels.get(i) != Some(&want_labels[i]))
        .collect();
    assert!(
        labels.len() == want_labels.len() && wrong.is_empty(),
        "{name}: {} of {} labels differ from scikit-learn's (rows {:?}...)",
        wrong.len(),
        want_labels.len(),
        &wrong[..wrong.len().min(10)]
    );

    let rows = usizes(&case["transform_rows"]);
    let xr = x.select(Axis(0), &rows);
    let t = m.transform(xr.view()).unwrap();
    let want_t = mat(&case["transform"]);
    assert_eq!(t.dim(), want_t.dim(), "{name}: transform shape");
    assert_all_close(&format!("{name}: transform"), t.iter(), want_t.iter());
    let p = m.predict(xr.view()).unwrap();
    assert_eq!(
        p.to_vec(),
        usizes(&case["predict_rows"]),
        "{name}: predict of rows {rows:?}"
    );

    // `score` is minus the (weighted) inertia of the data under the fitted centres.
    let w = weights(doc, case);
    let score = m.score(x.view(), w.as_ref().map(|w| w.view())).unwrap();
    let want_score = num(&case["score"]);
    assert!(
        close(score, want_score, REL, 0.0),
        "{name}: score kiln {score:e}, scikit-learn {want_score:e}"
    );
    let score_rows = m.score(xr.view(), None).unwrap();
    let want_score_rows = num(&case["score_rows"]);
    assert!(
        close(score_rows, want_score_rows, REL, ABS),
        "{name}: score of rows {rows:?}: kiln {score_rows:e}, scikit-learn {want_score_rows:e}"
    );
    labels
}

#[test]
fn fixed_init_runs_match_scikit_learn() {
    let doc = fixture("fixed");
    let cases = doc["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 28, "fixture has {} cases", cases.len());
    let iris = data(&doc, "iris");
    let cancer = data(&doc, "breast_cancer");
    let blobs = data(&doc, "blobs");
    let blobs_x5 = data(&doc, "blobs_x5");
    let mut labels = std::collections::BTreeMap::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        // A case where a distance tie could send a point either way (and so change the run)
        // has no single right answer; the generator keeps such cases out, this guards it.
        assert!(
            case["tie_robust"].as_bool().unwrap(),
            "{name}: fixture case depends on how a distance tie is broken"
        );
        let x = match case["data"].as_str().unwrap() {
            "iris" => &iris,
            "breast_cancer" => &cancer,
            "blobs" => &blobs,
            "blobs_x5" => &blobs_x5,
            other => panic!("unknown data {other}"),
        };
        // The given centres are rows of the data: this pins the data kiln loads to the data
        // scikit-learn saw (same rows, same column order).
        if let Some(rows) = case["init_rows"].as_array() {
            let rows: Vec<usize> = rows
                .iter()
                .map(|r| usize::try_from(r.as_u64().unwrap()).unwrap())
                .collect();
            assert_eq!(
                x.select(Axis(0), &rows),
                mat(&case["init"]),
                "{name}: init rows"
            );
        }
        let m = fit_case(&doc, case, x);
        labels.insert(name.to_owned(), check_case(&doc, case, x, &m));
    }
    // Lloyd and Elkan: identical labels on every pair of runs.
    let mut pairs = 0;
    for (name, lloyd) in &labels {
        if let Some(elkan) = labels.get(&name.replace("_lloyd", "_elkan"))
            && name.contains("_lloyd")
        {
            assert_eq!(lloyd, elkan, "{name}: Lloyd and Elkan labels differ");
            pairs += 1;
        }
    }
    assert_eq!(pairs, 14, "Lloyd/Elkan pairs");
}

#[test]
fn empty_cluster_is_relocated_as_scikit_learn_does() {
    // Covered case by case above; this says directly that the far centre did not survive:
    // every cluster holds points after the fit.
    let doc = fixture("fixed");
    let iris = data(&doc, "iris");
    let cases = doc["cases"].as_array().unwrap();
    let empty: Vec<&Value> = cases
        .iter()
        .filter(|c| {
            c["name"]
                .as_str()
                .unwrap()
                .starts_with("iris_empty_cluster")
        })
        .collect();
    assert_eq!(empty.len(), 4);
    for case in empty {
        assert_eq!(case["relocations"].as_u64(), Some(1));
        let m = fit_case(&doc, case, &iris);
        let mut counts = [0usize; 3];
        for &l in m.labels() {
            counts[l] += 1;
        }
        assert!(
            counts.iter().all(|&c| c > 0),
            "{}: cluster sizes {counts:?}",
            case["name"]
        );
        assert!(m.cluster_centers().iter().all(|&v| v < 10.0));
    }
}

#[test]
fn iris_restarts_no_worse_than_scikit_learn() {
    let doc = fixture("restarts");
    let best = num(&doc["best_inertia"]);
    // The figure: scikit-learn reaches 78.851 on iris with n_init = 10.
    assert!((best - 78.851).abs() < 1e-3, "fixture best {best}");
    let x = Dataset::from_name("iris")
        .unwrap()
        .load_numeric()
        .unwrap()
        .x;
    for seed in 0..5 {
        for algo in [KMeansAlgorithm::Lloyd, KMeansAlgorithm::Elkan] {
            let m = KMeans::default()
                .with_n_clusters(3)
                .with_init(KMeansInit::KMeansPlusPlus)
                .with_n_init(10)
                .with_algorithm(algo)
                .with_seed(seed)
                .fit(x.view())
                .unwrap();
            assert!(
                m.inertia() <= best * (1.0 + 1e-9),
                "seed {seed}, {algo:?}: inertia {} worse than scikit-learn's best {best}",
                m.inertia()
            );
        }
    }
}

#[test]
fn same_result_on_one_and_two_threads() {
    // Issue #8: results identical whatever the thread count. The 10,000-row case spans three
    // reduction chunks, so two threads really split the work.
    let doc = fixture("fixed");
    let x = data(&doc, "blobs_x5");
    let cases: Vec<&Value> = doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["data"] == "blobs_x5")
        .collect();
    assert_eq!(cases.len(), 2, "Lloyd and Elkan on blobs_x5");
    for case in cases {
        let run = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| fit_case(&doc, case, &x))
        };
        let (one, two) = (run(1), run(2));
        let name = &case["name"];
        assert_eq!(one.labels(), two.labels(), "{name}: labels");
        assert_eq!(one.n_iter(), two.n_iter(), "{name}: n_iter");
        // Bitwise: a fixed merge order leaves no rounding difference to tolerate.
        assert_eq!(
            one.inertia().to_bits(),
            two.inertia().to_bits(),
            "{name}: inertia"
        );
        assert_eq!(
            one.cluster_centers(),
            two.cluster_centers(),
            "{name}: centres"
        );
    }
}
