//! Per-slice metrics against scikit-learn 1.9.1 and NumPy (fixture from
//! `tests/reference/slices_reference.py`: out-of-fold predictions of a LogisticRegression on
//! german_credit and a Ridge on diabetes, sliced by categorical columns, group indices, age and
//! bmi quantile bins and age cut points), the worst-slice rule, and bad input.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers: a malformed fixture or a mismatch should fail the test loudly"
)]

use kiln_core::{Error, Result};
use kiln_datasets::Dataset;
use kiln_select::scorer::Direction;
use kiln_select::slices::{MISSING, SliceOptions, SliceReport, SliceValue, Slices, slice_metric};
use ndarray::{Array1, ArrayView1, array};
use serde_json::Value;

const REL: f64 = 1e-12;

fn fixture() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/slices.json");
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

fn weights(n: usize) -> Array1<f64> {
    Array1::from_shape_fn(n, |i| 1.0 + (i % 4) as f64 * 0.5)
}

fn w_at(w: Option<ArrayView1<'_, f64>>, i: usize) -> f64 {
    w.map_or(1.0, |w| w[i])
}

// The metrics, written from their definitions (kiln-metrics is written concurrently).

fn accuracy(
    y: ArrayView1<'_, usize>,
    p: ArrayView1<'_, usize>,
    w: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    let (mut hit, mut total) = (0.0, 0.0);
    for i in 0..y.len() {
        total += w_at(w, i);
        if y[i] == p[i] {
            hit += w_at(w, i);
        }
    }
    Ok(hit / total)
}

/// Weighted ROC AUC: trapezoids of the ROC curve over groups of tied scores.
fn roc_auc(
    y: ArrayView1<'_, usize>,
    s: ArrayView1<'_, f64>,
    w: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    if y.iter().all(|&c| c == y[0]) {
        return Err(Error::SingleClass {
            estimator: "roc_auc".into(),
            class: y[0].to_string(),
        });
    }
    let mut order: Vec<usize> = (0..y.len()).collect();
    order.sort_by(|&a, &b| s[b].total_cmp(&s[a]));
    let (mut tp, mut fp, mut area) = (0.0, 0.0, 0.0);
    let mut k = 0;
    while k < order.len() {
        let (tp0, fp0) = (tp, fp);
        let score = s[order[k]];
        while k < order.len() && s[order[k]] == score {
            let i = order[k];
            if y[i] == 1 {
                tp += w_at(w, i);
            } else {
                fp += w_at(w, i);
            }
            k += 1;
        }
        area += (fp - fp0) * (tp + tp0) / 2.0;
    }
    Ok(area / (tp * fp))
}

fn mse(
    y: ArrayView1<'_, f64>,
    p: ArrayView1<'_, f64>,
    w: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    let (mut num, mut den) = (0.0, 0.0);
    for i in 0..y.len() {
        num += w_at(w, i) * (y[i] - p[i]).powi(2);
        den += w_at(w, i);
    }
    Ok(num / den)
}

fn r2(
    y: ArrayView1<'_, f64>,
    p: ArrayView1<'_, f64>,
    w: Option<ArrayView1<'_, f64>>,
) -> Result<f64> {
    let sw: f64 = (0..y.len()).map(|i| w_at(w, i)).sum();
    let mean = (0..y.len()).map(|i| w_at(w, i) * y[i]).sum::<f64>() / sw;
    let num: f64 = (0..y.len())
        .map(|i| w_at(w, i) * (y[i] - p[i]).powi(2))
        .sum();
    let den: f64 = (0..y.len())
        .map(|i| w_at(w, i) * (y[i] - mean).powi(2))
        .sum();
    Ok(1.0 - num / den)
}

fn close(what: &str, got: f64, want: f64) {
    let tol = REL * want.abs().max(1e-300);
    assert!(
        (got - want).abs() <= tol,
        "{what}: kiln {got:e}, reference {want:e}"
    );
}

fn german_ages(nan_every: usize) -> (Array1<f64>, Array1<f64>) {
    let age: Array1<f64> = Dataset::GermanCredit
        .column_strings("age")
        .unwrap()
        .iter()
        .map(|s| s.parse::<f64>().unwrap())
        .collect();
    let mut with_nan = age.clone();
    for i in (0..age.len()).step_by(nan_every) {
        with_nan[i] = f64::NAN;
    }
    (age, with_nan)
}

fn build_slices(doc: &Value, case: &Value) -> Slices {
    let column = case["column"].as_str().unwrap();
    match (
        case["data"].as_str().unwrap(),
        case["kind"].as_str().unwrap(),
    ) {
        ("german_credit", "labels") => {
            let labels = Dataset::GermanCredit.column_strings(column).unwrap();
            Slices::from_labels(column, &labels).unwrap()
        }
        ("german_credit", kind) => {
            let nan_every = doc["german_credit"]["nan_every"].as_u64().unwrap() as usize;
            let (age, age_nan) = german_ages(nan_every);
            match kind {
                "quantile" => {
                    let n_bins = case["n_bins"].as_u64().unwrap() as usize;
                    Slices::quantile_bins(column, age_nan.view(), n_bins).unwrap()
                }
                "cuts" => {
                    let cuts = f64s(&case["cuts"]).to_vec();
                    Slices::from_cuts(column, age.view(), &cuts).unwrap()
                }
                other => panic!("unknown kind {other}"),
            }
        }
        ("diabetes", kind) => {
            let data = Dataset::Diabetes.load_numeric().unwrap();
            let col = data.feature_names.iter().position(|n| n == column).unwrap();
            let values = data.x.column(col).to_owned();
            match kind {
                "groups" => {
                    let groups: Array1<usize> = values.iter().map(|&v| v as usize - 1).collect();
                    Slices::from_groups(column, groups.view()).unwrap()
                }
                "quantile" => {
                    let n_bins = case["n_bins"].as_u64().unwrap() as usize;
                    Slices::quantile_bins(column, values.view(), n_bins).unwrap()
                }
                other => panic!("unknown kind {other}"),
            }
        }
        other => panic!("unknown case {other:?}"),
    }
}

fn evaluate(doc: &Value, case: &Value, slices: &Slices, options: &SliceOptions) -> SliceReport {
    let weighted = case["weighted"].as_bool().unwrap();
    match case["data"].as_str().unwrap() {
        "german_credit" => {
            let g = &doc["german_credit"];
            let y = usizes(&g["y_true"]);
            let w = weights(y.len());
            let w = weighted.then(|| w.view());
            match case["metric"].as_str().unwrap() {
                "accuracy" => slice_metric(
                    y.view(),
                    usizes(&g["y_pred"]).view(),
                    w,
                    slices,
                    accuracy,
                    options,
                ),
                _ => slice_metric(
                    y.view(),
                    f64s(&g["proba"]).view(),
                    w,
                    slices,
                    roc_auc,
                    options,
                ),
            }
        }
        _ => {
            let d = &doc["diabetes"];
            let y = f64s(&d["y_true"]);
            let w = weights(y.len());
            let w = weighted.then(|| w.view());
            let p = f64s(&d["y_pred"]);
            match case["metric"].as_str().unwrap() {
                "mse" => slice_metric(y.view(), p.view(), w, slices, mse, options),
                _ => slice_metric(y.view(), p.view(), w, slices, r2, options),
            }
        }
    }
    .unwrap()
}

#[test]
fn slice_values_match_scikit_learn_on_real_data() {
    let doc = fixture();
    let cases = doc["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 28);
    let mut undefined_seen = 0;
    for case in cases {
        let what = format!(
            "{} {} {} {} weighted={}",
            case["data"], case["column"], case["kind"], case["metric"], case["weighted"]
        );
        let slices = build_slices(&doc, case);
        if let Some(names) = case["names"].as_array() {
            let want: Vec<&str> = names.iter().map(|n| n.as_str().unwrap()).collect();
            assert_eq!(slices.names(), want.as_slice(), "{what}");
        }
        if case["kind"] == "quantile" {
            let want = f64s(&case["edges"]);
            let got = slices.edges().unwrap();
            assert_eq!(got.len(), want.len(), "{what}: edges {got:?} vs {want}");
            for (g, w) in got.iter().zip(&want) {
                close(&format!("{what}: edge"), *g, *w);
            }
        }
        let direction = match case["metric"].as_str().unwrap() {
            "mse" => Direction::Minimize,
            _ => Direction::Maximize,
        };
        let options =
            SliceOptions::default().with_metric(case["metric"].as_str().unwrap(), direction);
        let report = evaluate(&doc, case, &slices, &options);
        close(
            &format!("{what}: overall"),
            report.overall(),
            case["overall"].as_f64().unwrap(),
        );
        let want = case["slices"].as_array().unwrap();
        assert_eq!(
            report.slices().len(),
            want.len(),
            "{what}: {:?}",
            slices.names()
        );
        for (k, (got, want)) in report.slices().iter().zip(want).enumerate() {
            let at = format!("{what}: slice {k} `{}`", got.name());
            assert_eq!(
                got.count(),
                want["count"].as_u64().unwrap() as usize,
                "{at}"
            );
            close(
                &format!("{at} weight"),
                got.weight(),
                want["weight"].as_f64().unwrap(),
            );
            match (got.outcome(), want["value"].as_f64()) {
                (SliceValue::Defined(v), Some(w)) => {
                    close(&at, *v, w);
                    close(
                        &format!("{at} gap"),
                        report.gap(k).unwrap(),
                        w - report.overall(),
                    );
                }
                (SliceValue::Undefined(reason), None) => {
                    undefined_seen += 1;
                    assert!(!reason.is_empty(), "{at}");
                    assert!(report.gap(k).is_none(), "{at}");
                }
                (g, w) => panic!("{at}: kiln {g:?}, reference {w:?}"),
            }
        }
        // The worst slice, recomputed from the reference values.
        let mut expected_worst: Option<(usize, f64)> = None;
        for (k, s) in want.iter().enumerate() {
            let (Some(v), count) = (s["value"].as_f64(), s["count"].as_u64().unwrap() as usize)
            else {
                continue;
            };
            if count < options.min_count {
                continue;
            }
            let worse = |w: f64| match direction {
                Direction::Maximize => v < w,
                Direction::Minimize => v > w,
            };
            if expected_worst.is_none_or(|(_, w)| worse(w)) {
                expected_worst = Some((k, v));
            }
        }
        assert_eq!(
            report.worst_index(),
            expected_worst.map(|(k, _)| k),
            "{what}"
        );
        if case["kind"] == "quantile" && case["column"] == "age_nan" {
            assert_eq!(
                slices.names().last().map(String::as_str),
                Some(MISSING),
                "{what}"
            );
        }
    }
    // The empty `>= 80` bin (twice) and the single-class `[75, 80)` bin under AUC.
    assert_eq!(undefined_seen, 3);
}

#[test]
fn single_class_and_empty_slices_are_reported_not_dropped() {
    let doc = fixture();
    let g = &doc["german_credit"];
    let y = usizes(&g["y_true"]);
    let proba = f64s(&g["proba"]);
    let (age, _) = german_ages(41);
    let slices = Slices::from_cuts("age", age.view(), &[25.0, 35.0, 50.0, 75.0, 80.0]).unwrap();
    assert_eq!(
        slices.names(),
        [
            "< 25", "[25, 35)", "[35, 50)", "[50, 75)", "[75, 80)", ">= 80"
        ]
    );
    let options = SliceOptions::default().with_metric("roc_auc", Direction::Maximize);
    let report = slice_metric(y.view(), proba.view(), None, &slices, roc_auc, &options).unwrap();
    let top = report.slice("[75, 80)").unwrap();
    assert_eq!(top.count(), 2);
    assert!(
        top.undefined_reason()
            .unwrap()
            .contains("at least 2 classes"),
        "{top:?}"
    );
    let empty = report.slice(">= 80").unwrap();
    assert_eq!(
        (empty.count(), empty.undefined_reason()),
        (0, Some("no rows in this slice"))
    );
    let text = report.to_string();
    assert!(
        text.contains("undefined") && text.contains("worst slice:"),
        "{text}"
    );
    println!("{text}");
}

#[test]
fn tiny_slices_are_not_crowned_worst() {
    // Slice "b" (2 rows) has the lowest accuracy but is under min_count.
    let y = array![1usize, 1, 1, 1, 1, 0, 0, 1, 1, 1];
    let p = array![1usize, 1, 1, 0, 1, 1, 1, 1, 1, 1];
    let groups = ["a", "a", "a", "a", "a", "b", "b", "c", "c", "c"];
    let slices = Slices::from_labels("g", &groups).unwrap();
    let options = SliceOptions::default()
        .with_metric("accuracy", Direction::Maximize)
        .with_min_count(3);
    let report = slice_metric(y.view(), p.view(), None, &slices, accuracy, &options).unwrap();
    assert_eq!(report.slice("b").unwrap().value(), Some(0.0));
    assert_eq!(report.worst().unwrap().name(), "a");
    assert_eq!(report.worst_gap(), Some(0.8 - 0.7));
    // With min_count 1 the tiny slice is the worst.
    let report = slice_metric(
        y.view(),
        p.view(),
        None,
        &slices,
        accuracy,
        &options.clone().with_min_count(1),
    )
    .unwrap();
    assert_eq!(report.worst().unwrap().name(), "b");
    // For an error, the worst is the highest value.
    let yf = array![1.0, 2.0, 3.0, 4.0];
    let pf = array![1.0, 2.5, 3.0, 3.0];
    let s = Slices::from_groups("g", array![0usize, 1, 0, 1].view()).unwrap();
    let o = SliceOptions::default()
        .with_metric("mse", Direction::Minimize)
        .with_min_count(2);
    let r = slice_metric(yf.view(), pf.view(), None, &s, mse, &o).unwrap();
    assert_eq!(r.worst().unwrap().name(), "1");
    assert_eq!(r.worst().unwrap().value(), Some((0.25 + 1.0) / 2.0));
}

#[test]
fn named_groups_and_bins_name_their_slices() {
    let g = array![0usize, 2, 2, 0];
    let s = Slices::from_groups_named("region", g.view(), &["north", "east", "south"]).unwrap();
    assert_eq!(s.names(), ["north", "east", "south"]);
    assert_eq!(s.assignment(), [0, 2, 2, 0]);
    let y = array![1usize, 0, 1, 1];
    let r = slice_metric(
        y.view(),
        y.view(),
        None,
        &s,
        accuracy,
        &SliceOptions::default(),
    )
    .unwrap();
    assert_eq!(r.slice("east").unwrap().count(), 0);
    let v = array![1.0, 2.0, 3.0, 4.0, f64::NAN, 5.0];
    let s = Slices::quantile_bins("x", v.view(), 2).unwrap();
    assert_eq!(s.names(), ["[1, 3)", "[3, 5]", "missing"]);
    assert_eq!(s.assignment(), [0, 0, 1, 1, 2, 1]);
    assert_eq!(s.edges(), Some([1.0, 3.0, 5.0].as_slice()));
    // Tied values merge edges: one bin.
    let s = Slices::quantile_bins("x", array![2.0, 2.0, 2.0].view(), 4).unwrap();
    assert_eq!(s.names(), ["[2, 2]"]);
}

#[test]
fn bad_input_is_a_typed_error() {
    let y = array![1usize, 0, 1];
    let s = Slices::from_groups("g", array![0usize, 1, 0].view()).unwrap();
    let o = SliceOptions::default();
    let short = array![1usize, 0];
    assert!(matches!(
        slice_metric(y.view(), short.view(), None, &s, accuracy, &o),
        Err(Error::ShapeMismatch {
            expected: 3,
            got: 2,
            ..
        })
    ));
    let s4 = Slices::from_groups("g", array![0usize, 1, 0, 1].view()).unwrap();
    assert!(matches!(
        slice_metric(y.view(), y.view(), None, &s4, accuracy, &o),
        Err(Error::ShapeMismatch {
            expected: 3,
            got: 4,
            ..
        })
    ));
    let w = array![1.0, -1.0, 1.0];
    assert!(matches!(
        slice_metric(y.view(), y.view(), Some(w.view()), &s, accuracy, &o),
        Err(Error::InvalidValue { row: Some(1), .. })
    ));
    let empty = Array1::<usize>::zeros(0);
    assert!(matches!(
        slice_metric(empty.view(), empty.view(), None, &s, accuracy, &o),
        Err(Error::EmptyInput { .. })
    ));
    assert!(matches!(
        Slices::from_groups("g", empty.view()),
        Err(Error::EmptyInput { .. })
    ));
    assert!(matches!(
        Slices::from_labels::<&str>("g", &[]),
        Err(Error::EmptyInput { .. })
    ));
    assert!(matches!(
        Slices::from_groups_named("g", array![0usize, 3].view(), &["a", "b"]),
        Err(Error::InvalidValue { row: Some(1), .. })
    ));
    let v = array![1.0, 2.0];
    assert_eq!(
        Slices::quantile_bins("x", v.view(), 0)
            .unwrap_err()
            .parameter_name(),
        Some("n_bins")
    );
    assert!(matches!(
        Slices::quantile_bins("x", array![f64::NAN, f64::NAN].view(), 2),
        Err(Error::InvalidValue { .. })
    ));
    for cuts in [vec![], vec![2.0, 1.0], vec![1.0, 1.0], vec![f64::NAN]] {
        assert_eq!(
            Slices::from_cuts("x", v.view(), &cuts)
                .unwrap_err()
                .parameter_name(),
            Some("cuts"),
            "{cuts:?}"
        );
    }
    // NaN in a numeric slicing column is a slice, not an error.
    let s = Slices::from_cuts("x", array![f64::NAN, 0.5, 3.0].view(), &[1.0]).unwrap();
    assert_eq!(s.names(), ["< 1", ">= 1", "missing"]);
    // The metric's error on all rows is the report's error.
    let one_class = array![1usize, 1, 1];
    let scores = array![0.1, 0.2, 0.3];
    assert!(matches!(
        slice_metric(one_class.view(), scores.view(), None, &s, roc_auc, &o),
        Err(Error::SingleClass { .. })
    ));
}
