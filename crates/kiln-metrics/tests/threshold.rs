//! Threshold tools against brute force over every threshold with scikit-learn 1.9.1's
//! confusion matrix and metric functions (fixture `ranking_threshold.json` from
//! `tests/reference/ranking_reference.py`; inputs from `ranking.json`), hand cases, bad input.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a malformed fixture or a mismatch should fail loudly"
)]

use kiln_core::Error;
use kiln_metrics::threshold::{
    ConfusionCounts, Costs, ThresholdChoice, ThresholdMetric, bayes_threshold, best_threshold,
    confusion_at_threshold, min_cost_threshold, threshold_for_precision, threshold_for_recall,
};
use ndarray::{Array1, array};
use serde_json::Value;

const TOL: f64 = 1e-12;

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn num(v: &Value) -> f64 {
    match v {
        Value::Null => f64::NAN,
        Value::String(s) if s == "inf" => f64::INFINITY,
        other => other.as_f64().unwrap(),
    }
}

fn vec1(v: &Value) -> Array1<f64> {
    v.as_array().unwrap().iter().map(num).collect()
}

fn close(what: &str, got: f64, want: f64) {
    let ok = got == want || (got - want).abs() <= TOL * want.abs().max(1.0);
    assert!(ok, "{what}: kiln {got:e}, reference {want:e}");
}

fn metric_value(c: &ConfusionCounts, name: &str) -> f64 {
    match name {
        "precision" => c.precision(),
        "recall" => c.recall(),
        "f1" => c.f1(),
        "fpr" => c.fpr(),
        "specificity" => c.specificity(),
        "accuracy" => c.accuracy(),
        "balanced_accuracy" => c.balanced_accuracy(),
        "youden_j" => c.youden_j(),
        "f2" => c.fbeta(2.0),
        other => panic!("unknown metric {other}"),
    }
}

fn check_choice(what: &str, got: Option<ThresholdChoice>, want: &Value, value_key: &str) {
    match got {
        None => assert!(
            want["threshold"].is_null(),
            "{what}: kiln found none, reference {want}"
        ),
        Some(c) => {
            assert!(
                !want["threshold"].is_null(),
                "{what}: kiln found {c:?}, reference none"
            );
            assert_eq!(c.threshold, num(&want["threshold"]), "{what}: threshold");
            close(
                &format!("{what}: {value_key}"),
                c.value,
                num(&want[value_key]),
            );
        }
    }
}

#[test]
fn threshold_tools_match_brute_force_with_scikit_learn() {
    let data = fixture("ranking");
    let doc = fixture("ranking_threshold");
    let cases = doc["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 14);
    for case in cases {
        let name = case["data"].as_str().unwrap();
        let weighted = case["weighted"].as_bool().unwrap();
        let d = &data["data"][name];
        let y: Array1<usize> = d["y"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as usize)
            .collect();
        let s = vec1(&d["score"]);
        let w = vec1(&d["weight"]);
        let w = weighted.then(|| w.view());
        let what = format!("{name} weighted={weighted}");

        for at in case["at"].as_array().unwrap() {
            let t = num(&at["threshold"]);
            let c = confusion_at_threshold(y.view(), s.view(), t, w).unwrap();
            let want = vec1(&at["counts"]);
            for (g, (k, wv)) in [c.tn, c.fp, c.fn_, c.tp]
                .iter()
                .zip(want.iter().enumerate())
            {
                close(&format!("{what}: counts[{k}] at {t}"), *g, *wv);
            }
            let names = at["names"].as_array().unwrap();
            for (n, wv) in names.iter().zip(vec1(&at["metrics"]).iter()) {
                let n = n.as_str().unwrap();
                close(&format!("{what}: {n} at {t}"), metric_value(&c, n), *wv);
            }
        }

        for (key, metric) in [
            ("f1", ThresholdMetric::F1),
            ("f2", ThresholdMetric::FBeta(2.0)),
            ("youden_j", ThresholdMetric::YoudenJ),
            ("balanced_accuracy", ThresholdMetric::BalancedAccuracy),
            ("accuracy", ThresholdMetric::Accuracy),
        ] {
            let got = best_threshold(y.view(), s.view(), metric, w).unwrap();
            check_choice(
                &format!("{what}: best {key}"),
                Some(got),
                &case["best"][key],
                "value",
            );
            close(
                &format!("{what}: best {key} value from its counts"),
                got.counts.metric(metric),
                got.value,
            );
        }

        for t in case["precision_target"].as_array().unwrap() {
            let target = num(&t["target"]);
            let got = threshold_for_precision(y.view(), s.view(), target, w).unwrap();
            let what = format!("{what}: precision >= {target}");
            check_choice(&what, got, t, "recall");
            if let Some(c) = got {
                close(
                    &format!("{what}: precision"),
                    c.counts.precision(),
                    num(&t["precision"]),
                );
                assert!(c.counts.precision() >= target);
            }
        }
        for t in case["recall_target"].as_array().unwrap() {
            let target = num(&t["target"]);
            let got = threshold_for_recall(y.view(), s.view(), target, w).unwrap();
            let what = format!("{what}: recall >= {target}");
            check_choice(&what, got, t, "precision");
            if let Some(c) = got {
                close(
                    &format!("{what}: recall"),
                    c.counts.recall(),
                    num(&t["recall"]),
                );
            }
        }
        for t in case["cost"].as_array().unwrap() {
            let k = vec1(&t["costs"]);
            let costs = Costs::default()
                .with_cost_fp(k[0])
                .with_cost_fn(k[1])
                .with_gain_tp(k[2])
                .with_gain_tn(k[3]);
            let got = min_cost_threshold(y.view(), s.view(), &costs, w).unwrap();
            check_choice(&format!("{what}: costs {k}"), Some(got), t, "total_cost");
        }
    }
}

/// On probabilities that are calibrated by construction (each score's positive share equals
/// the score), the data's cost-minimizing threshold is the Bayes threshold.
#[test]
fn bayes_threshold_is_the_cost_minimum_on_calibrated_scores() {
    // Ten score levels 0.05, 0.15, ..., 0.95; at level p, 100 samples of which 100·p positive.
    let (mut y, mut s) = (Vec::new(), Vec::new());
    for level in 0..10 {
        let p = 0.05 + 0.1 * level as f64;
        let positives = (100.0 * p).round() as usize;
        for k in 0..100 {
            y.push(usize::from(k < positives));
            s.push(p);
        }
    }
    let (y, s) = (Array1::from(y), Array1::from(s));
    // Cost ratios whose Bayes threshold is not itself a level (at a level equal to t both
    // decisions cost the same and the tie goes to the higher threshold).
    for (c_fp, c_fn) in [(1.0, 1.0), (1.0, 4.0), (2.0, 1.0), (1.0, 9.0)] {
        let costs = Costs::default().with_cost_fp(c_fp).with_cost_fn(c_fn);
        let t = bayes_threshold(&costs).unwrap();
        assert_eq!(t, c_fp / (c_fp + c_fn));
        let best = min_cost_threshold(y.view(), s.view(), &costs, None).unwrap();
        // The lowest level at or above t (the rule "p >= t" on these levels).
        let want = s
            .iter()
            .copied()
            .filter(|&p| p >= t)
            .fold(f64::INFINITY, f64::min);
        assert_eq!(best.threshold, want, "costs {c_fp}/{c_fn}, bayes t = {t}");
    }
    let with_gains = Costs::default()
        .with_cost_fp(2.0)
        .with_cost_fn(1.0)
        .with_gain_tp(1.0)
        .with_gain_tn(1.0);
    assert_eq!(bayes_threshold(&with_gains).unwrap(), 3.0 / 5.0);
}

#[test]
fn searches_on_ties_pick_the_highest_threshold_among_equals() {
    // Hand table over thresholds (inf, 0.9, 0.8, 0.5, 0.2), 3 positives and 2 negatives:
    // tp 0 1 2 3 3, fp 0 0 0 1 2.
    let y = array![1, 1, 1, 0, 0];
    let s = array![0.9, 0.8, 0.5, 0.5, 0.2];
    let best = best_threshold(y.view(), s.view(), ThresholdMetric::F1, None).unwrap();
    // F1: 0, 0.5, 0.8, 6/7, 0.75 -> 0.5
    assert_eq!((best.threshold, best.value), (0.5, 6.0 / 7.0));
    let p = threshold_for_precision(y.view(), s.view(), 1.0, None)
        .unwrap()
        .unwrap();
    assert_eq!((p.threshold, p.value), (0.8, 2.0 / 3.0));
    let r = threshold_for_recall(y.view(), s.view(), 1.0, None)
        .unwrap()
        .unwrap();
    assert_eq!((r.threshold, r.value), (0.5, 0.75));
    // Unit costs (fp + fn): 3 2 1 1 2; 0.8 and 0.5 tie and the higher threshold wins.
    let c = min_cost_threshold(y.view(), s.view(), &Costs::default(), None).unwrap();
    assert_eq!((c.threshold, c.value), (0.8, 1.0));
    // All-tied scores: only "everything negative" and "everything positive".
    let flat = array![0.4, 0.4, 0.4, 0.4, 0.4];
    let c = min_cost_threshold(y.view(), flat.view(), &Costs::default(), None).unwrap();
    assert_eq!((c.threshold, c.value), (0.4, 2.0));
    let c = min_cost_threshold(
        y.view(),
        flat.view(),
        &Costs::default().with_cost_fp(5.0),
        None,
    )
    .unwrap();
    assert_eq!((c.threshold, c.value), (f64::INFINITY, 3.0));
}

#[test]
fn bad_input_is_a_typed_error() {
    let y = array![0, 1, 1, 0];
    let s = array![0.1, 0.9, 0.8, 0.3];
    let e =
        best_threshold(array![].view(), array![].view(), ThresholdMetric::F1, None).unwrap_err();
    assert!(matches!(e, Error::EmptyInput { .. }), "{e}");
    let e = best_threshold(y.view(), array![0.1].view(), ThresholdMetric::F1, None).unwrap_err();
    assert!(matches!(e, Error::ShapeMismatch { .. }), "{e}");
    let e = confusion_at_threshold(y.view(), array![0.1, f64::NAN, 0.2, 0.3].view(), 0.5, None)
        .unwrap_err();
    assert!(matches!(e, Error::NonFinite { row: 1, .. }), "{e}");
    let e = confusion_at_threshold(y.view(), s.view(), f64::NAN, None).unwrap_err();
    assert!(matches!(e, Error::InvalidValue { .. }), "{e}");
    let e = threshold_for_recall(array![0, 1, 3, 0].view(), s.view(), 0.5, None).unwrap_err();
    assert!(matches!(e, Error::InvalidValue { row: Some(2), .. }), "{e}");
    let e = best_threshold(
        array![0, 0, 0, 0].view(),
        s.view(),
        ThresholdMetric::YoudenJ,
        None,
    )
    .unwrap_err();
    assert!(matches!(e, Error::SingleClass { .. }), "{e}");
    let e = best_threshold(y.view(), s.view(), ThresholdMetric::FBeta(0.0), None).unwrap_err();
    assert_eq!(e.parameter_name(), Some("beta"), "{e}");
    for bad in [0.0, 1.5, f64::NAN] {
        let e = threshold_for_precision(y.view(), s.view(), bad, None).unwrap_err();
        assert_eq!(e.parameter_name(), Some("min_precision"), "{e}");
    }
    let e = min_cost_threshold(
        y.view(),
        s.view(),
        &Costs::default().with_cost_fn(-1.0),
        None,
    )
    .unwrap_err();
    assert_eq!(e.parameter_name(), Some("cost_fn"), "{e}");
    let zero = Costs::default().with_cost_fp(0.0).with_cost_fn(0.0);
    assert!(bayes_threshold(&zero).is_err());
    let e = bayes_threshold(&Costs::default().with_gain_tp(f64::INFINITY)).unwrap_err();
    assert_eq!(e.parameter_name(), Some("gain_tp"), "{e}");
}
