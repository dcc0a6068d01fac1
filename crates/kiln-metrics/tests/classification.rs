//! The classification metrics against scikit-learn 1.9.1 (fixtures written by
//! `tests/reference/classification_reference.py` from models fitted on the real data sets in
//! `shared/datasets` and from hand-made edge cases), and bad input.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a malformed fixture or a mismatch should fail loudly"
)]

use kiln_core::Error;
use kiln_metrics::classification::{
    Average, KappaWeights, Normalize, PrfOptions, ReportOptions, ZeroDivision, accuracy,
    accuracy_count, adjusted_balanced_accuracy, balanced_accuracy, brier_score,
    brier_score_multiclass, classification_report, cohen_kappa, confusion_matrix, f1, fbeta,
    log_loss, matthews_corrcoef, precision, precision_recall_fscore,
    precision_recall_fscore_support, recall, top_k_accuracy,
};
use ndarray::{Array1, Array2, ArrayView1, array};
use serde_json::Value;

/// Relative tolerance against scikit-learn (absolute below 1).
const TOL: f64 = 1e-12;

fn fixture(part: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/classification_{part}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["sklearn_version"], "1.9.1");
    doc
}

fn num(v: &Value) -> f64 {
    match v {
        Value::Null => f64::NAN,
        Value::String(s) if s == "inf" => f64::INFINITY,
        Value::String(s) if s == "-inf" => f64::NEG_INFINITY,
        other => other
            .as_f64()
            .unwrap_or_else(|| panic!("not a number: {other}")),
    }
}

fn floats(v: &Value) -> Array1<f64> {
    v.as_array().unwrap().iter().map(num).collect()
}

fn classes(v: &Value) -> Array1<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| usize::try_from(x.as_u64().unwrap()).unwrap())
        .collect()
}

fn matrix(v: &Value) -> Array2<f64> {
    let rows: Vec<Array1<f64>> = v.as_array().unwrap().iter().map(floats).collect();
    let d = rows.first().map_or(0, |r| r.len());
    Array2::from_shape_fn((rows.len(), d), |(i, j)| rows[i][j])
}

fn opt_weights(v: &Value) -> Option<Array1<f64>> {
    (!v.is_null()).then(|| floats(v))
}

/// Equal within [`TOL`] relative (absolute below 1); NaN equals NaN, infinities match exactly.
fn assert_close(what: &str, got: f64, want: f64) {
    let ok = if want.is_nan() || got.is_nan() {
        want.is_nan() && got.is_nan()
    } else if want.is_infinite() {
        got == want
    } else {
        (got - want).abs() <= TOL * want.abs().max(1.0)
    };
    assert!(ok, "{what}: kiln {got:e}, scikit-learn {want:e}");
}

fn assert_all_close<'a>(
    what: &str,
    got: impl IntoIterator<Item = &'a f64>,
    want: impl IntoIterator<Item = &'a f64>,
) {
    let got: Vec<f64> = got.into_iter().copied().collect();
    let want: Vec<f64> = want.into_iter().copied().collect();
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_close(&format!("{what}[{i}]"), *g, *w);
    }
}

fn average(v: &Value) -> Option<Average> {
    match v.as_str() {
        None => None,
        Some("binary") => Some(Average::Binary),
        Some("micro") => Some(Average::Micro),
        Some("macro") => Some(Average::Macro),
        Some("weighted") => Some(Average::Weighted),
        Some(other) => panic!("average {other}"),
    }
}

fn zero_division(v: &Value) -> ZeroDivision {
    match v.as_str().unwrap() {
        "zero" => ZeroDivision::Zero,
        "one" => ZeroDivision::One,
        "nan" => ZeroDivision::Nan,
        other => panic!("zero_division {other}"),
    }
}

fn label_list(v: &Value) -> Option<Vec<usize>> {
    (!v.is_null()).then(|| classes(v).to_vec())
}

/// Checks one label case; returns the number of values compared.
fn check_label_case(case: &Value) -> usize {
    let what = format!(
        "{} (weighted={})",
        case["name"].as_str().unwrap(),
        case["weighted"]
    );
    let yt = classes(&case["y_true"]);
    let yp = classes(&case["y_pred"]);
    let w = opt_weights(&case["weights"]);
    let sw = || w.as_ref().map(|a| a.view());
    let (t, p) = (yt.view(), yp.view());
    let r = &case["results"];
    let mut n = 0;
    let mut check = |name: &str, got: f64, want: &Value| {
        assert_close(&format!("{what}: {name}"), got, num(want));
        n += 1;
    };
    check("accuracy", accuracy(t, p, sw()).unwrap(), &r["accuracy"]);
    check(
        "accuracy_count",
        accuracy_count(t, p, sw()).unwrap(),
        &r["accuracy_count"],
    );
    check(
        "balanced_accuracy",
        balanced_accuracy(t, p, sw()).unwrap(),
        &r["balanced_accuracy"],
    );
    check(
        "adjusted_balanced_accuracy",
        adjusted_balanced_accuracy(t, p, sw()).unwrap(),
        &r["adjusted_balanced_accuracy"],
    );
    check("mcc", matthews_corrcoef(t, p, sw()).unwrap(), &r["mcc"]);
    for (key, kw) in [
        ("unweighted", KappaWeights::Unweighted),
        ("linear", KappaWeights::Linear),
        ("quadratic", KappaWeights::Quadratic),
    ] {
        check(
            &format!("kappa {key}"),
            cohen_kappa(t, p, None, kw, sw()).unwrap(),
            &r["kappa"][key],
        );
    }
    for k in r["kappa_labels"].as_array().unwrap() {
        let labels = label_list(&k["labels"]).unwrap();
        check(
            &format!("kappa quadratic labels={labels:?}"),
            cohen_kappa(t, p, Some(&labels), KappaWeights::Quadratic, sw()).unwrap(),
            &k["quadratic"],
        );
    }
    for (key, norm) in [
        ("none", Normalize::None),
        ("true", Normalize::True),
        ("pred", Normalize::Pred),
        ("all", Normalize::All),
    ] {
        let cm = confusion_matrix(t, p, None, norm, sw()).unwrap();
        assert_eq!(cm.labels, classes(&r["cm_labels"]).to_vec(), "{what}");
        let want = matrix(&r["cm"][key]);
        assert_eq!(cm.matrix.dim(), want.dim(), "{what}: cm {key} shape");
        assert_all_close(&format!("{what}: cm {key}"), &cm.matrix, &want);
        n += want.len();
    }
    for sub in r["cm_subsets"].as_array().unwrap() {
        let labels = label_list(&sub["labels"]).unwrap();
        let cm = confusion_matrix(t, p, Some(&labels), Normalize::None, sw()).unwrap();
        assert_all_close(
            &format!("{what}: cm labels={labels:?}"),
            &cm.matrix,
            &matrix(&sub["cm"]),
        );
        let cm = confusion_matrix(t, p, Some(&labels), Normalize::True, sw()).unwrap();
        assert_all_close(
            &format!("{what}: cm true labels={labels:?}"),
            &cm.matrix,
            &matrix(&sub["cm_true"]),
        );
        n += 2 * labels.len() * labels.len();
    }
    n + check_prf(&what, case)
}

/// Checks the precision/recall/F entries and the report of one label case.
fn check_prf(what: &str, case: &Value) -> usize {
    let yt = classes(&case["y_true"]);
    let yp = classes(&case["y_pred"]);
    let w = opt_weights(&case["weights"]);
    let sw = || w.as_ref().map(|a| a.view());
    let (t, p) = (yt.view(), yp.view());
    let r = &case["results"];
    let mut n = 0;
    for e in r["prf"].as_array().unwrap() {
        let e = e.as_array().unwrap();
        let mut opts = PrfOptions::default()
            .with_beta(num(&e[1]))
            .with_zero_division(zero_division(&e[2]));
        if let Some(labels) = label_list(&e[3]) {
            opts = opts.with_labels(labels);
        }
        let tag = format!(
            "{what}: prf average={} beta={} zd={} labels={}",
            e[0], e[1], e[2], e[3]
        );
        match average(&e[0]) {
            None => {
                let pc = precision_recall_fscore_support(t, p, &opts, sw()).unwrap();
                let want_labels = opts
                    .labels
                    .clone()
                    .unwrap_or_else(|| classes(&r["cm_labels"]).to_vec());
                assert_eq!(pc.labels, want_labels, "{tag}");
                assert_all_close(&format!("{tag} precision"), &pc.precision, &floats(&e[4]));
                assert_all_close(&format!("{tag} recall"), &pc.recall, &floats(&e[5]));
                assert_all_close(&format!("{tag} f"), &pc.fscore, &floats(&e[6]));
                assert_all_close(&format!("{tag} support"), &pc.support, &floats(&e[7]));
                n += 4 * pc.labels.len();
            }
            Some(avg) => {
                let got = precision_recall_fscore(t, p, avg, &opts, sw()).unwrap();
                assert_close(&format!("{tag} precision"), got.precision, num(&e[4]));
                assert_close(&format!("{tag} recall"), got.recall, num(&e[5]));
                assert_close(&format!("{tag} f"), got.fscore, num(&e[6]));
                n += 3;
            }
        }
    }
    for s in r["scores"].as_array().unwrap() {
        let avg = average(&s["average"]).unwrap();
        let tag = format!("{what}: {avg:?}");
        assert_close(
            &format!("{tag} precision"),
            precision(t, p, avg, sw()).unwrap(),
            num(&s["precision"]),
        );
        assert_close(
            &format!("{tag} recall"),
            recall(t, p, avg, sw()).unwrap(),
            num(&s["recall"]),
        );
        assert_close(
            &format!("{tag} f1"),
            f1(t, p, avg, sw()).unwrap(),
            num(&s["f1"]),
        );
        assert_close(
            &format!("{tag} f2"),
            fbeta(t, p, 2.0, avg, sw()).unwrap(),
            num(&s["f2"]),
        );
        n += 4;
    }
    for rep in r["reports"].as_array().unwrap() {
        let mut opts = ReportOptions::default()
            .with_digits(usize::try_from(rep["digits"].as_u64().unwrap()).unwrap())
            .with_zero_division(zero_division(&rep["zero_division"]));
        if let Some(labels) = label_list(&rep["labels"]) {
            opts = opts.with_labels(labels);
        }
        let got = classification_report(t, p, &opts, sw())
            .unwrap()
            .to_string();
        let want = rep["text"].as_str().unwrap();
        assert_eq!(got, want, "{what}: report {opts:?}\n{got}\n{want}");
        n += 1;
    }
    n
}

#[test]
fn label_metrics_match_scikit_learn_on_real_and_edge_cases() {
    let doc = fixture("labels");
    let cases = doc["label_cases"].as_array().unwrap();
    assert_eq!(cases.len(), 24);
    let names: Vec<&str> = cases.iter().map(|c| c["name"].as_str().unwrap()).collect();
    for data in ["breast_cancer", "german_credit", "penguins", "iris"] {
        assert!(names.contains(&data), "{data} missing");
    }
    let compared: usize = cases.iter().map(check_label_case).sum();
    assert!(compared > 5000, "only {compared} values compared");
}

#[test]
fn probability_metrics_match_scikit_learn() {
    let doc = fixture("proba");
    let cases = doc["proba_cases"].as_array().unwrap();
    assert!(cases.len() >= 10);
    for case in cases {
        let what = format!("{} (weighted={})", case["name"], case["weighted"]);
        let yt = classes(&case["y_true"]);
        let proba = matrix(&case["proba"]);
        let w = opt_weights(&case["weights"]);
        let sw = || w.as_ref().map(|a| a.view());
        let r = &case["results"];
        assert_close(
            &format!("{what}: log_loss"),
            log_loss(yt.view(), proba.view(), sw()).unwrap(),
            num(&r["log_loss"]),
        );
        assert_close(
            &format!("{what}: brier multiclass"),
            brier_score_multiclass(yt.view(), proba.view(), sw()).unwrap(),
            num(&r["brier_multiclass"]),
        );
        if proba.ncols() == 2 {
            assert_close(
                &format!("{what}: brier"),
                brier_score(yt.view(), proba.column(1), sw()).unwrap(),
                num(&r["brier"]),
            );
        }
        for (k, want) in r["top_k"].as_object().unwrap() {
            let k: usize = k.parse().unwrap();
            assert_close(
                &format!("{what}: top {k}"),
                top_k_accuracy(yt.view(), proba.view(), k, sw()).unwrap(),
                num(want),
            );
        }
    }
}

#[test]
fn top_k_accuracy_breaks_ties_like_scikit_learn() {
    let doc = fixture("proba");
    for case in doc["topk_cases"].as_array().unwrap() {
        let what = format!("{} (weighted={})", case["name"], case["weighted"]);
        let yt = classes(&case["y_true"]);
        let score = matrix(&case["score"]);
        let w = opt_weights(&case["weights"]);
        for (k, want) in case["results"].as_object().unwrap() {
            let k: usize = k.parse().unwrap();
            let got =
                top_k_accuracy(yt.view(), score.view(), k, w.as_ref().map(|a| a.view())).unwrap();
            assert_close(&format!("{what}: top {k}"), got, num(want));
        }
    }
    // Hand check: every score tied, so the class with the largest index ranks first.
    let s = Array2::<f64>::ones((3, 3));
    let y = array![0, 1, 2];
    assert_close(
        "all tied top-1",
        top_k_accuracy(y.view(), s.view(), 1, None).unwrap(),
        1.0 / 3.0,
    );
    assert_close(
        "all tied top-2",
        top_k_accuracy(y.view(), s.view(), 2, None).unwrap(),
        2.0 / 3.0,
    );
}

#[test]
fn zero_division_options_follow_scikit_learn_docs() {
    // Class 1 is never true nor predicted: precision, recall and F are 0/0.
    let t = array![0, 0, 0];
    let p = array![0, 0, 0];
    for (zd, want) in [
        (ZeroDivision::Zero, 0.0),
        (ZeroDivision::One, 1.0),
        (ZeroDivision::Nan, f64::NAN),
    ] {
        let opts = PrfOptions::default().with_zero_division(zd);
        let r = precision_recall_fscore(t.view(), p.view(), Average::Binary, &opts, None).unwrap();
        assert_close(&format!("{zd:?} precision"), r.precision, want);
        assert_close(&format!("{zd:?} recall"), r.recall, want);
        assert_close(&format!("{zd:?} f"), r.fscore, want);
    }
    // NaN classes are left out of the macro average: class 2 has no prediction.
    let t = array![0, 1, 2, 2];
    let p = array![0, 1, 1, 0];
    let opts = PrfOptions::default().with_zero_division(ZeroDivision::Nan);
    let r = precision_recall_fscore(t.view(), p.view(), Average::Macro, &opts, None).unwrap();
    assert_close("macro precision without NaN class", r.precision, 0.5);
    // the default is 0, like scikit-learn's "warn"
    assert_close(
        "default macro precision",
        precision(t.view(), p.view(), Average::Macro, None).unwrap(),
        1.0 / 3.0,
    );
}

#[test]
fn weighted_equals_repeated_samples() {
    // Integer weights must equal repeating each sample that many times.
    let t = array![0, 1, 2, 2, 1, 0, 2];
    let p = array![0, 2, 2, 1, 1, 0, 0];
    let w = array![1.0, 2.0, 3.0, 1.0, 0.0, 2.0, 1.0];
    let mut tr = Vec::new();
    let mut pr = Vec::new();
    for i in 0..t.len() {
        for _ in 0..(w[i] as usize) {
            tr.push(t[i]);
            pr.push(p[i]);
        }
    }
    let (tr, pr) = (Array1::from(tr), Array1::from(pr));
    let sw = Some(w.view());
    for avg in [Average::Micro, Average::Macro, Average::Weighted] {
        assert_close(
            &format!("{avg:?} f1"),
            f1(t.view(), p.view(), avg, sw).unwrap(),
            f1(tr.view(), pr.view(), avg, None).unwrap(),
        );
    }
    assert_close(
        "mcc",
        matthews_corrcoef(t.view(), p.view(), sw).unwrap(),
        matthews_corrcoef(tr.view(), pr.view(), None).unwrap(),
    );
    assert_close(
        "kappa",
        cohen_kappa(t.view(), p.view(), None, KappaWeights::Linear, sw).unwrap(),
        cohen_kappa(tr.view(), pr.view(), None, KappaWeights::Linear, None).unwrap(),
    );
}

fn is_empty(e: &Error) -> bool {
    matches!(e, Error::EmptyInput { .. })
}
fn is_shape(e: &Error) -> bool {
    matches!(e, Error::ShapeMismatch { .. })
}
fn is_value(e: &Error) -> bool {
    matches!(e, Error::InvalidValue { .. })
}
fn is_param(e: &Error) -> bool {
    matches!(e, Error::InvalidParameter { .. })
}
fn is_nonfinite(e: &Error) -> bool {
    matches!(e, Error::NonFinite { .. })
}

#[test]
fn bad_input_gives_typed_errors() {
    let empty: Array1<usize> = Array1::zeros(0);
    let e: ArrayView1<'_, usize> = empty.view();
    let t = array![0, 1, 1];
    let p2 = array![0, 1];
    assert!(is_empty(&accuracy(e, e, None).unwrap_err()));
    assert!(is_empty(&f1(e, e, Average::Macro, None).unwrap_err()));
    assert!(is_empty(
        &log_loss(e, Array2::<f64>::zeros((0, 2)).view(), None).unwrap_err()
    ));
    assert!(is_empty(
        &brier_score(e, Array1::<f64>::zeros(0).view(), None).unwrap_err()
    ));
    assert!(is_shape(&accuracy(t.view(), p2.view(), None).unwrap_err()));
    assert!(is_shape(
        &balanced_accuracy(t.view(), p2.view(), None).unwrap_err()
    ));
    assert!(is_shape(
        &confusion_matrix(t.view(), p2.view(), None, Normalize::None, None).unwrap_err()
    ));
    let w2 = array![1.0, 1.0];
    assert!(is_shape(
        &accuracy(t.view(), t.view(), Some(w2.view())).unwrap_err()
    ));
    let wneg = array![1.0, -1.0, 1.0];
    assert!(is_value(
        &matthews_corrcoef(t.view(), t.view(), Some(wneg.view())).unwrap_err()
    ));

    // probabilities
    let good = array![[0.2, 0.8], [0.6, 0.4], [0.5, 0.5]];
    assert!(log_loss(t.view(), good.view(), None).is_ok());
    let outside = array![[1.2, -0.2], [0.6, 0.4], [0.5, 0.5]];
    assert!(is_value(
        &log_loss(t.view(), outside.view(), None).unwrap_err()
    ));
    assert!(is_value(
        &brier_score(t.view(), array![0.2, 1.5, 0.3].view(), None).unwrap_err()
    ));
    let not_one = array![[0.2, 0.7], [0.6, 0.4], [0.5, 0.5]];
    let err = log_loss(t.view(), not_one.view(), None).unwrap_err();
    assert!(
        matches!(err, Error::InvalidValue { row: Some(0), .. }),
        "{err}"
    );
    assert!(is_value(
        &brier_score_multiclass(t.view(), not_one.view(), None).unwrap_err()
    ));
    let nan = array![[0.2, 0.8], [f64::NAN, 0.4], [0.5, 0.5]];
    assert!(is_nonfinite(
        &log_loss(t.view(), nan.view(), None).unwrap_err()
    ));
    assert!(is_nonfinite(
        &top_k_accuracy(t.view(), nan.view(), 1, None).unwrap_err()
    ));
    assert!(is_nonfinite(
        &brier_score(t.view(), array![0.2, f64::NAN, 0.3].view(), None).unwrap_err()
    ));
    let t3 = array![0, 2, 1];
    assert!(is_value(
        &log_loss(t3.view(), good.view(), None).unwrap_err()
    ));
    assert!(is_value(
        &top_k_accuracy(t3.view(), good.view(), 1, None).unwrap_err()
    ));
    assert!(is_value(
        &brier_score(t3.view(), array![0.2, 0.5, 0.3].view(), None).unwrap_err()
    ));
    assert!(is_shape(
        &log_loss(t.view(), good.slice(ndarray::s![..2, ..]), None).unwrap_err()
    ));

    // parameters
    // beta = 0 is precision (scikit-learn's convention), not an error.
    assert_eq!(
        fbeta(t.view(), array![0, 1, 0].view(), 0.0, Average::Macro, None).unwrap(),
        precision(t.view(), array![0, 1, 0].view(), Average::Macro, None).unwrap()
    );
    assert!(is_param(
        &fbeta(t.view(), t.view(), -1.0, Average::Macro, None).unwrap_err()
    ));
    assert!(is_param(
        &fbeta(t.view(), t.view(), f64::NAN, Average::Macro, None).unwrap_err()
    ));
    assert!(is_param(
        &top_k_accuracy(t.view(), good.view(), 0, None).unwrap_err()
    ));
    assert!(is_param(
        &confusion_matrix(t.view(), t.view(), Some(&[]), Normalize::None, None).unwrap_err()
    ));
    assert!(is_value(
        &confusion_matrix(t.view(), t.view(), Some(&[5, 7]), Normalize::None, None).unwrap_err()
    ));
    let names = ReportOptions::default().with_target_names(["only one"]);
    assert!(is_param(
        &classification_report(t.view(), t.view(), &names, None).unwrap_err()
    ));

    // binary averaging needs classes 0 and 1
    let multi = array![0, 2, 1];
    assert!(is_value(
        &precision(multi.view(), t.view(), Average::Binary, None).unwrap_err()
    ));
    assert!(is_value(
        &recall(t.view(), multi.view(), Average::Binary, None).unwrap_err()
    ));
    // messages say what and where
    let msg = f1(t.view(), multi.view(), Average::Binary, None)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("y_pred") && msg.contains("row 1"), "{msg}");
}

#[test]
fn huge_class_indices_cost_no_memory() {
    let big = usize::MAX - 1;
    let t = array![0, big, big, 0];
    let p = array![0, big, 0, 0];
    let cm = confusion_matrix(t.view(), p.view(), None, Normalize::None, None).unwrap();
    assert_eq!(cm.labels, vec![0, big]);
    assert_eq!(cm.matrix, array![[2.0, 0.0], [1.0, 1.0]]);
    assert_close(
        "macro recall",
        recall(t.view(), p.view(), Average::Macro, None).unwrap(),
        0.75,
    );
}
