//! kiln-monitor's `performance` module against scikit-learn 1.9.1 / NumPy (fixture from
//! `tests/reference/performance_reference.py`: per-chunk metrics of a LogisticRegression's
//! predictions on breast_cancer, reference mean ± 3 std bounds, time chunks, and a domain
//! classifier on german_credit), CBPE against its closed form and by simulation, and bad input.

#![allow(
    clippy::unwrap_used,
    reason = "tests: a malformed fixture or a wrong result should fail loudly"
)]

use kiln_core::{Error, FitUnsupervised, Transform};
use kiln_linear::LogisticRegression;
use kiln_metrics::classification::{Average, accuracy, f1, precision, recall};
use kiln_metrics::ranking::roc_auc;
use kiln_monitor::performance::{
    Cbpe, CbpeMetric, Chunk, ChunkValue, DomainClassifier, Incomplete, PerformanceReport,
    Thresholds, chunk_by_period, chunk_by_size, chunk_by_time, metric_per_chunk,
};
use kiln_prep::scale::StandardScaler;
use ndarray::{Array1, Array2, ArrayView1, Axis, array, concatenate, s};
use rand::Rng;
use serde_json::Value;

fn fixture() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/performance.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn f64s(v: &Value) -> Array1<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn usizes(v: &Value) -> Array1<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

fn close(what: &str, got: f64, want: f64, tol: f64) {
    assert!(
        (got - want).abs() <= tol,
        "{what}: kiln {got}, reference {want}"
    );
}

struct Stream {
    y_true: Array1<usize>,
    y_pred: Array1<usize>,
    y_score: Array1<f64>,
}

fn stream(doc: &Value) -> Stream {
    Stream {
        y_true: usizes(&doc["stream"]["y_true"]),
        y_pred: usizes(&doc["stream"]["y_pred"]),
        y_score: f64s(&doc["stream"]["y_score"]),
    }
}

/// kiln's five metrics on each chunk of the stream, in the fixture's order.
fn five_metrics(chunks: &[Chunk], st: &Stream) -> Vec<(&'static str, Vec<ChunkValue>)> {
    let (t, p, sc) = (st.y_true.view(), st.y_pred.view(), st.y_score.view());
    vec![
        (
            "accuracy",
            metric_per_chunk(chunks, t, p, None, accuracy).unwrap(),
        ),
        (
            "precision",
            metric_per_chunk(chunks, t, p, None, |a, b, w| {
                precision(a, b, Average::Binary, w)
            })
            .unwrap(),
        ),
        (
            "recall",
            metric_per_chunk(chunks, t, p, None, |a, b, w| {
                recall(a, b, Average::Binary, w)
            })
            .unwrap(),
        ),
        (
            "f1",
            metric_per_chunk(chunks, t, p, None, |a, b, w| f1(a, b, Average::Binary, w)).unwrap(),
        ),
        (
            "roc_auc",
            metric_per_chunk(chunks, t, sc, None, roc_auc).unwrap(),
        ),
    ]
}

#[test]
fn chunk_metrics_match_scikit_learn_for_every_incomplete_rule() {
    let doc = fixture();
    let st = stream(&doc);
    let size = doc["chunk_size"].as_u64().unwrap() as usize;
    for (mode, name) in [
        (Incomplete::Keep, "keep"),
        (Incomplete::Drop, "drop"),
        (Incomplete::Append, "append"),
    ] {
        let want = doc["size_chunks"][name].as_array().unwrap();
        let chunks = chunk_by_size(st.y_true.len(), size, mode).unwrap();
        assert_eq!(chunks.len(), want.len(), "{name}");
        for (c, w) in chunks.iter().zip(want) {
            let (a, b) = (
                w["start"].as_u64().unwrap() as usize,
                w["end"].as_u64().unwrap() as usize,
            );
            assert_eq!(
                c.rows,
                (a..b).collect::<Vec<_>>(),
                "{name} chunk {}",
                c.index
            );
        }
        for (metric, values) in five_metrics(&chunks, &st) {
            for (c, (v, w)) in chunks.iter().zip(values.iter().zip(want)) {
                match w[metric].as_f64() {
                    Some(x) => close(
                        &format!("{name} {metric} chunk {}", c.index),
                        v.value.unwrap(),
                        x,
                        1e-12,
                    ),
                    None => assert!(v.value.is_none() && v.error.is_some()),
                }
            }
        }
    }
}

#[test]
fn reference_bounds_match_numpy_mean_plus_minus_three_std() {
    let doc = fixture();
    let st = stream(&doc);
    let n_ref = doc["n_reference_chunks"].as_u64().unwrap() as usize;
    let chunks = chunk_by_size(st.y_true.len(), 50, Incomplete::Keep).unwrap();
    for (metric, values) in five_metrics(&chunks, &st) {
        let want = &doc["thresholds"][metric];
        for ddof in [0usize, 1] {
            let th = Thresholds::Reference { n_std: 3.0, ddof };
            let report = PerformanceReport::new(
                metric,
                th,
                &values[..n_ref],
                &chunks[n_ref..],
                &values[n_ref..],
            )
            .unwrap();
            let b = report.bounds;
            let what = format!("{metric} ddof={ddof}");
            close(
                &what,
                b.reference_mean.unwrap(),
                want["mean"].as_f64().unwrap(),
                1e-12,
            );
            close(
                &what,
                b.reference_std.unwrap(),
                want[format!("std{ddof}").as_str()].as_f64().unwrap(),
                1e-12,
            );
            let lower = want[format!("lower{ddof}").as_str()].as_f64().unwrap();
            let upper = want[format!("upper{ddof}").as_str()].as_f64().unwrap();
            close(&what, b.lower.unwrap(), lower, 1e-12);
            close(&what, b.upper.unwrap(), upper, 1e-12);
            // Alerts follow the reference bounds applied to the reference metric values.
            let want_alerts: Vec<bool> = doc["size_chunks"]["keep"].as_array().unwrap()[n_ref..]
                .iter()
                .map(|c| c[metric].as_f64().is_some_and(|v| v < lower || v > upper))
                .collect();
            assert_eq!(report.alerts(), want_alerts, "{what}");
        }
    }
}

#[test]
fn time_chunks_match_numpy_periods() {
    let doc = fixture();
    let st = stream(&doc);
    let t = f64s(&doc["time"]["timestamps"]);
    let period = doc["time"]["period"].as_f64().unwrap();
    let chunks = chunk_by_time(t.as_slice().unwrap(), period, 0.0).unwrap();
    let want = doc["time"]["chunks"].as_array().unwrap();
    assert_eq!(chunks.len(), want.len());
    let acc =
        metric_per_chunk(&chunks, st.y_true.view(), st.y_pred.view(), None, accuracy).unwrap();
    for ((c, w), a) in chunks.iter().zip(want).zip(&acc) {
        assert_eq!(c.period, Some(w["period"].as_i64().unwrap()));
        assert_eq!(c.rows, usizes(&w["rows"]).to_vec());
        close(
            "time chunk accuracy",
            a.value.unwrap(),
            w["accuracy"].as_f64().unwrap(),
            1e-12,
        );
    }
    // The same periods given as ids, and unsorted timestamps, give the same grouping.
    let ids: Vec<i64> = t.iter().map(|v| (v / period).floor() as i64).collect();
    assert_eq!(chunk_by_period(&ids).unwrap(), chunks);
    let shuffled = [5.0, 1.0, 4.0, 1.5];
    let c = chunk_by_time(&shuffled, 2.0, 1.0).unwrap();
    assert_eq!(
        c.iter().map(|c| c.rows.clone()).collect::<Vec<_>>(),
        vec![vec![1, 3], vec![2], vec![0]]
    );
}

fn german_halves() -> (Array2<f64>, Array2<f64>, Array2<f64>) {
    let data = kiln_datasets::Dataset::GermanCredit.load_numeric().unwrap();
    let x = data.x;
    let reference = x.slice(s![..500, ..]).to_owned();
    let current = x.slice(s![500.., ..]).to_owned();
    let mut shifted = current.clone();
    shifted.column_mut(0).mapv_inplace(|v| v + 6.0);
    shifted.column_mut(1).mapv_inplace(|v| v * 1.5);
    (reference, current, shifted)
}

/// Standardizes the stacked sets, as the reference script does, and splits them again.
fn standardized(reference: &Array2<f64>, current: &Array2<f64>) -> (Array2<f64>, Array2<f64>) {
    let stacked = concatenate(Axis(0), &[reference.view(), current.view()]).unwrap();
    let z = StandardScaler::default()
        .fit(stacked.view())
        .unwrap()
        .transform(stacked.view())
        .unwrap();
    let n = reference.nrows();
    (
        z.slice(s![..n, ..]).to_owned(),
        z.slice(s![n.., ..]).to_owned(),
    )
}

#[test]
fn domain_classifier_on_german_credit_halves_and_a_shifted_copy() {
    let doc = fixture();
    let (reference, current, shifted) = german_halves();
    let lr = LogisticRegression::default();
    let dc = DomainClassifier::default();

    let (r, c) = standardized(&reference, &current);
    let same = dc.detect(&lr, r.view(), c.view()).unwrap();
    let want_same = doc["domain"]["halves"]["auc"].as_f64().unwrap();
    // Folds differ from scikit-learn's (kiln's own seeded shuffle): within about three
    // standard deviations of the AUC of 500 + 500 indistinguishable rows (0.018).
    close("halves AUC", same.auc, want_same, 0.06);
    assert!(!same.drift, "{same}");
    assert_eq!(same.fold_aucs.len(), 5);

    let (r, c) = standardized(&reference, &shifted);
    let moved = dc.detect(&lr, r.view(), c.view()).unwrap();
    let want_moved = doc["domain"]["shifted"]["auc"].as_f64().unwrap();
    close("shifted AUC", moved.auc, want_moved, 0.06);
    assert!(moved.drift, "{moved}");

    // Same seed, same result; the report prints and serializes.
    assert_eq!(dc.detect(&lr, r.view(), c.view()).unwrap(), moved);
    assert!(moved.to_string().contains("DRIFT"));
    let json: Value = serde_json::from_str(&moved.to_json().unwrap()).unwrap();
    assert_eq!(json["drift"], Value::Bool(true));
    assert_eq!(json["n_reference"].as_u64(), Some(500));
}

#[test]
fn domain_classifier_rejects_bad_input() {
    let lr = LogisticRegression::default();
    let a = Array2::from_shape_fn((20, 3), |(i, j)| (i + j) as f64);
    let b = Array2::from_shape_fn((20, 2), |(i, j)| (i * j) as f64);
    let dc = DomainClassifier::default();
    assert!(matches!(
        dc.detect(&lr, a.view(), b.view()),
        Err(Error::FeatureCountMismatch { .. })
    ));
    let few = a.slice(s![..3, ..]).to_owned();
    assert!(matches!(
        dc.detect(&lr, a.view(), few.view()),
        Err(Error::TooFewSamples { .. })
    ));
    let empty = Array2::<f64>::zeros((0, 3));
    assert!(matches!(
        dc.detect(&lr, empty.view(), a.view()),
        Err(Error::EmptyInput { .. })
    ));
    let err = dc
        .with_n_splits(1)
        .detect(&lr, a.view(), a.view())
        .unwrap_err();
    assert_eq!(err.parameter_name(), Some("n_splits"));
    let err = dc
        .with_threshold(0.4)
        .detect(&lr, a.view(), a.view())
        .unwrap_err();
    assert_eq!(err.parameter_name(), Some("threshold"));
}

/// The closed form of the expected ROC AUC, pair by pair (independent of the sort-and-sweep
/// implementation).
fn pairwise_expected_auc(p: ArrayView1<'_, f64>) -> f64 {
    let (mut num, mut pos, mut neg) = (0.0, 0.0, 0.0);
    for &pi in p {
        pos += pi;
        neg += 1.0 - pi;
        for &pj in p {
            let order = if pi > pj {
                1.0
            } else if pi == pj {
                0.5
            } else {
                0.0
            };
            num += pi * (1.0 - pj) * order;
        }
    }
    num / (pos * neg)
}

#[test]
fn cbpe_equals_its_closed_form_on_hand_made_cases() {
    // p = [0.9, 0.8, 0.3, 0.1], threshold 0.5: TP = 1.7, FP = 0.3, FN = 0.4, TN = 1.6.
    let p = array![0.9, 0.8, 0.3, 0.1];
    let e = Cbpe::default().estimate(p.view()).unwrap();
    let tol = 1e-12;
    close("tp", e.true_positives, 1.7, tol);
    close("fp", e.false_positives, 0.3, tol);
    close("fn", e.false_negatives, 0.4, tol);
    close("tn", e.true_negatives, 1.6, tol);
    close("accuracy", e.accuracy, 3.3 / 4.0, tol);
    close("precision", e.precision, 1.7 / 2.0, tol);
    close("recall", e.recall, 1.7 / 2.1, tol);
    close("f1", e.f1, 3.4 / 4.1, tol);
    close("specificity", e.specificity, 1.6 / 1.9, tol);
    // Pairs i above j: 0.9·(0.2+0.7+0.9) + 0.8·(0.7+0.9) + 0.3·0.9, plus the diagonal halves
    // ½(0.9·0.1 + 0.8·0.2 + 0.3·0.7 + 0.1·0.9), over P·N = 2.1·1.9.
    let hand =
        (0.9 * 1.8 + 0.8 * 1.6 + 0.3 * 0.9 + 0.5 * (0.09 + 0.16 + 0.21 + 0.09)) / (2.1 * 1.9);
    close("roc_auc", e.roc_auc, hand, tol);

    // Ties, an exact-threshold probability, and certainties.
    for p in [
        array![0.5, 0.5, 0.2, 0.7, 0.7, 1.0, 0.0],
        array![0.3, 0.3, 0.3],
        array![0.05, 0.95, 0.6, 0.4, 0.5, 0.99, 0.01, 0.35],
    ] {
        let e = Cbpe::default().estimate(p.view()).unwrap();
        close(
            "tied auc",
            e.roc_auc,
            pairwise_expected_auc(p.view()),
            1e-12,
        );
        let pred: Vec<bool> = p.iter().map(|&v| v >= 0.5).collect();
        let tp: f64 = p
            .iter()
            .zip(&pred)
            .filter(|(_, y)| **y)
            .map(|(v, _)| v)
            .sum();
        close("tp", e.true_positives, tp, 1e-12);
    }
    // All at 0.3: nothing predicted positive, precision 0, F1 0, AUC ½.
    let e = Cbpe::default()
        .estimate(array![0.3, 0.3, 0.3].view())
        .unwrap();
    assert_eq!((e.precision, e.f1), (0.0, 0.0));
    close("flat auc", e.roc_auc, 0.5, 1e-12);
    // No expected negative: AUC undefined.
    assert!(
        Cbpe::default()
            .estimate(array![1.0, 1.0].view())
            .unwrap()
            .roc_auc
            .is_nan()
    );

    // The model's own predictions instead of the threshold: p = 0.5 predicted 0.
    let p = array![0.5, 0.9];
    let e = Cbpe::default()
        .estimate_with_predictions(p.view(), array![0usize, 1].view())
        .unwrap();
    close("tp", e.true_positives, 0.9, tol);
    close("fn", e.false_negatives, 0.5, tol);
    let e = Cbpe::default()
        .with_threshold(0.95)
        .estimate(p.view())
        .unwrap();
    close("tp at 0.95", e.true_positives, 0.0, tol);
}

#[test]
fn cbpe_matches_the_mean_realized_metric_by_simulation() {
    // Labels drawn from the probabilities: the estimate is the expectation of the realized
    // metric. Accuracy and precision are exact expectations; recall, F1, specificity and ROC AUC
    // are ratios of expectations, off by O(1/n) (allowed: 1/n on top of Monte-Carlo error).
    let n = 300;
    let mut rng = kiln_core::random::rng_from_seed(11);
    let p: Array1<f64> = (0..n)
        .map(|_| {
            let u: f64 = rng.random();
            u * u
        })
        .collect();
    let est = Cbpe::default().estimate(p.view()).unwrap();
    let y_pred: Array1<usize> = p.mapv(|v| usize::from(v >= 0.5));
    let sims = 3000;
    let metrics = [
        CbpeMetric::Accuracy,
        CbpeMetric::Precision,
        CbpeMetric::Recall,
        CbpeMetric::F1,
        CbpeMetric::Specificity,
        CbpeMetric::RocAuc,
    ];
    let mut sum = [0.0; 6];
    let mut sum2 = [0.0; 6];
    let mut y = Array1::<usize>::zeros(n);
    for _ in 0..sims {
        for (yi, &pi) in y.iter_mut().zip(&p) {
            *yi = usize::from(rng.random::<f64>() < pi);
        }
        let tn = y
            .iter()
            .zip(&y_pred)
            .filter(|&(&t, &q)| t == 0 && q == 0)
            .count() as f64;
        let negatives = y.iter().filter(|&&t| t == 0).count() as f64;
        let vals = [
            accuracy(y.view(), y_pred.view(), None).unwrap(),
            precision(y.view(), y_pred.view(), Average::Binary, None).unwrap(),
            recall(y.view(), y_pred.view(), Average::Binary, None).unwrap(),
            f1(y.view(), y_pred.view(), Average::Binary, None).unwrap(),
            tn / negatives,
            roc_auc(y.view(), p.view(), None).unwrap(),
        ];
        for k in 0..6 {
            sum[k] += vals[k];
            sum2[k] += vals[k] * vals[k];
        }
    }
    for (k, m) in metrics.iter().enumerate() {
        let mean = sum[k] / sims as f64;
        let se = ((sum2[k] / sims as f64 - mean * mean) / sims as f64).sqrt();
        let exact = matches!(m, CbpeMetric::Accuracy | CbpeMetric::Precision);
        let tol = 4.0 * se + if exact { 0.0 } else { 1.0 / n as f64 };
        let got = est.get(*m);
        assert!(
            (got - mean).abs() <= tol,
            "{}: estimate {got}, mean realized {mean} ± {se}",
            m.name()
        );
    }
}

#[test]
fn cbpe_report_alerts_on_estimated_drops() {
    // Confident predictions first, hesitant ones at the end: estimated accuracy falls.
    let proba: Array1<f64> = (0..500)
        .map(|i| {
            let sure = if i % 2 == 0 {
                0.95 - (i % 7) as f64 * 0.01
            } else {
                0.05 + (i % 5) as f64 * 0.01
            };
            if i < 400 {
                sure
            } else {
                0.45 + (i % 3) as f64 * 0.05
            }
        })
        .collect();
    let chunks = chunk_by_size(500, 100, Incomplete::Keep).unwrap();
    let cbpe = Cbpe::default();
    let est = cbpe.estimate_chunks(&chunks, proba.view()).unwrap();
    for (c, e) in chunks.iter().zip(&est) {
        let own = cbpe
            .estimate(proba.slice(s![c.rows[0]..c.rows[0] + c.len()]))
            .unwrap();
        assert_eq!(*e, own);
    }
    let report = cbpe
        .report(
            CbpeMetric::Accuracy,
            Thresholds::default(),
            &est[..3],
            &chunks[3..],
            &est[3..],
        )
        .unwrap();
    assert_eq!(report.alerts(), vec![false, true]);
    let text = report.to_string();
    assert!(
        text.contains("estimated accuracy") && text.contains("ALERT"),
        "{text}"
    );
    let json: Value = serde_json::from_str(&report.to_json().unwrap()).unwrap();
    assert_eq!(json["estimated"], Value::Bool(true));
    assert_eq!(json["chunks"][1]["alert"], Value::Bool(true));
}

#[test]
fn failed_chunk_metrics_are_reported_not_skipped() {
    let y = array![0usize, 0, 0, 1, 0, 1];
    let s = array![0.1, 0.2, 0.3, 0.9, 0.2, 0.8];
    let chunks = chunk_by_size(6, 3, Incomplete::Keep).unwrap();
    let v = metric_per_chunk(&chunks, y.view(), s.view(), None, roc_auc).unwrap();
    assert!(v[0].value.is_none() && v[0].error.as_deref().unwrap().contains("class"));
    assert_eq!(v[1].value, Some(1.0));
    let report = PerformanceReport::new(
        "roc_auc",
        Thresholds::Fixed {
            lower: Some(0.7),
            upper: None,
        },
        &[],
        &chunks,
        &v,
    )
    .unwrap();
    assert_eq!(report.alerts(), vec![false, false]);
    assert!(report.to_string().contains("n/a"));
    let json: Value = serde_json::from_str(&report.to_json().unwrap()).unwrap();
    assert!(json["chunks"][0]["value"].is_null());
    // Reference bounds need every reference value.
    let err =
        PerformanceReport::new("roc_auc", Thresholds::default(), &v, &chunks, &v).unwrap_err();
    assert!(
        matches!(err, Error::InvalidValue { row: Some(0), .. }),
        "{err}"
    );
    // Weighted metrics take each chunk's slice of the weights.
    let w = array![1.0, 1.0, 1.0, 3.0, 1.0, 1.0];
    let p = array![0usize, 0, 0, 0, 0, 1];
    let acc = metric_per_chunk(&chunks, y.view(), p.view(), Some(w.view()), accuracy).unwrap();
    assert_eq!(acc[1].value, Some(2.0 / 5.0));
}

#[test]
fn bad_input_is_a_typed_error() {
    // chunk size 0, empty stream, Drop leaving nothing
    let err = chunk_by_size(10, 0, Incomplete::Keep).unwrap_err();
    assert_eq!(err.parameter_name(), Some("chunk_size"));
    assert!(matches!(
        chunk_by_size(0, 5, Incomplete::Keep),
        Err(Error::EmptyInput { .. })
    ));
    assert!(matches!(
        chunk_by_size(3, 5, Incomplete::Drop),
        Err(Error::TooFewSamples { .. })
    ));
    assert_eq!(
        chunk_by_size(3, 5, Incomplete::Append).unwrap()[0].rows,
        vec![0, 1, 2]
    );
    // a time column with NaN, a bad period
    let err = chunk_by_time(&[1.0, f64::NAN], 1.0, 0.0).unwrap_err();
    assert!(matches!(err, Error::NonFinite { row: 1, .. }), "{err}");
    assert_eq!(
        chunk_by_time(&[1.0], 0.0, 0.0)
            .unwrap_err()
            .parameter_name(),
        Some("period")
    );
    assert!(matches!(
        chunk_by_time(&[1e300], 1.0, 0.0),
        Err(Error::InvalidValue { .. })
    ));
    assert!(matches!(
        chunk_by_time(&[], 1.0, 0.0),
        Err(Error::EmptyInput { .. })
    ));
    assert!(matches!(
        chunk_by_period(&[]),
        Err(Error::EmptyInput { .. })
    ));
    // labels of the wrong length, an empty chunk, a row out of range
    let y = array![0usize, 1, 1];
    let chunks = chunk_by_size(3, 2, Incomplete::Keep).unwrap();
    let short = array![0usize, 1];
    assert!(matches!(
        metric_per_chunk(&chunks, y.view(), short.view(), None, accuracy),
        Err(Error::ShapeMismatch {
            expected: 3,
            got: 2,
            ..
        })
    ));
    let w = array![1.0, 1.0];
    assert!(matches!(
        metric_per_chunk(&chunks, y.view(), y.view(), Some(w.view()), accuracy),
        Err(Error::ShapeMismatch { .. })
    ));
    let empty = vec![Chunk {
        index: 0,
        period: None,
        rows: vec![],
    }];
    assert!(matches!(
        metric_per_chunk(&empty, y.view(), y.view(), None, accuracy),
        Err(Error::EmptyInput { .. })
    ));
    let beyond = vec![Chunk {
        index: 0,
        period: None,
        rows: vec![1, 7],
    }];
    assert!(matches!(
        metric_per_chunk(&beyond, y.view(), y.view(), None, accuracy),
        Err(Error::InvalidValue { row: Some(7), .. })
    ));
    assert!(matches!(
        metric_per_chunk(&[], y.view(), y.view(), None, accuracy),
        Err(Error::EmptyInput { .. })
    ));
    // probabilities outside [0, 1] or NaN, empty, mismatched predictions
    for bad in [array![0.2, 1.2], array![0.2, -0.1], array![0.2, f64::NAN]] {
        let err = Cbpe::default().estimate(bad.view()).unwrap_err();
        assert!(
            matches!(err, Error::InvalidValue { row: Some(1), .. }),
            "{err}"
        );
    }
    assert!(matches!(
        Cbpe::default().estimate(Array1::<f64>::zeros(0).view()),
        Err(Error::EmptyInput { .. })
    ));
    let p = array![0.2, 0.7];
    assert!(matches!(
        Cbpe::default().estimate_with_predictions(p.view(), array![1usize].view()),
        Err(Error::ShapeMismatch { .. })
    ));
    assert!(matches!(
        Cbpe::default().estimate_with_predictions(p.view(), array![1usize, 2].view()),
        Err(Error::InvalidValue { row: Some(1), .. })
    ));
    assert_eq!(
        Cbpe::default()
            .with_threshold(1.5)
            .estimate(p.view())
            .unwrap_err()
            .parameter_name(),
        Some("threshold")
    );
    // a single reference chunk: no spread to measure
    let err = Thresholds::default().bounds(&[0.9]).unwrap_err();
    assert!(
        matches!(err, Error::TooFewSamples { n_samples: 1, .. }),
        "{err}"
    );
    assert!(matches!(
        Thresholds::default().bounds(&[0.9, f64::NAN]),
        Err(Error::NonFinite { row: 1, .. })
    ));
    let err = Thresholds::Fixed {
        lower: Some(0.9),
        upper: Some(0.1),
    }
    .bounds(&[])
    .unwrap_err();
    assert_eq!(err.parameter_name(), Some("lower"));
    let err = Thresholds::Reference {
        n_std: -1.0,
        ddof: 0,
    }
    .bounds(&[0.1, 0.2])
    .unwrap_err();
    assert_eq!(err.parameter_name(), Some("n_std"));
    let err = Thresholds::Reference {
        n_std: 3.0,
        ddof: 2,
    }
    .bounds(&[0.1, 0.2])
    .unwrap_err();
    assert_eq!(err.parameter_name(), Some("ddof"));
    // values and chunks of different lengths
    let v = vec![ChunkValue::ok(1.0)];
    assert!(matches!(
        PerformanceReport::new(
            "m",
            Thresholds::Fixed {
                lower: None,
                upper: None
            },
            &[],
            &chunks,
            &v
        ),
        Err(Error::ShapeMismatch { .. })
    ));
}
