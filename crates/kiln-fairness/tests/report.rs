//! The fairness report: values equal the measures' references, verdicts flip at the
//! thresholds, JSON keeps its documented schema, text carries the warnings.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a malformed fixture should fail the test loudly"
)]

use kiln_fairness::groups::{Groups, SensitiveColumn};
use kiln_fairness::measures::GroupSelector;
use kiln_fairness::report::{FairnessReport, ReportParams, Threshold, Thresholds, Verdict};
use kiln_fairness::value::{Value, ZeroDivision};
use ndarray::{Array1, array};
use serde_json::Value as Json;

struct Data {
    json: Json,
    y_true: Array1<usize>,
    y_pred: Array1<usize>,
    proba: Array1<f64>,
    weight: Array1<f64>,
    groups: Groups,
}

fn data() -> Data {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/measures_german_credit.json"
    ))
    .unwrap();
    let json: Json = serde_json::from_str(&text).unwrap();
    let arr = |k: &str| json[k].as_array().unwrap().clone();
    let col = |k: &str| {
        let v: Vec<String> = arr(k)
            .iter()
            .map(|s| s.as_str().unwrap().to_owned())
            .collect();
        SensitiveColumn::from_strings(k, v).unwrap()
    };
    let groups = Groups::new(&[col("sex"), col("age_group")], &[]).unwrap();
    Data {
        y_true: arr("y_true")
            .iter()
            .map(|v| v.as_u64().unwrap() as usize)
            .collect(),
        y_pred: arr("y_pred")
            .iter()
            .map(|v| v.as_u64().unwrap() as usize)
            .collect(),
        proba: arr("proba").iter().map(|v| v.as_f64().unwrap()).collect(),
        weight: arr("sample_weight")
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect(),
        groups,
        json,
    }
}

fn case<'a>(d: &'a Data, name: &str, weighted: bool) -> &'a Json {
    d.json["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name && c["weighted"] == weighted)
        .unwrap()
}

fn report(d: &Data, params: &ReportParams, weighted: bool) -> FairnessReport {
    FairnessReport::new(
        d.y_true.view(),
        d.y_pred.view(),
        Some(d.proba.view()),
        &d.groups,
        params,
        weighted.then(|| d.weight.view()),
    )
    .unwrap()
}

fn value(r: &FairnessReport, name: &str) -> f64 {
    r.measure(name).unwrap().value.get().unwrap()
}

fn privileged() -> GroupSelector {
    GroupSelector::all_of(&[("sex", "male"), ("age_group", ">=25")])
}

#[test]
fn report_values_equal_fairlearn_and_aif360_references() {
    let d = data();
    for weighted in [false, true] {
        let c = case(&d, "sex_age", weighted);
        let params = ReportParams::default()
            .with_zero_division(ZeroDivision::Zero)
            .with_privileged(privileged());
        let r = report(&d, &params, weighted);
        let fl = &c["fairlearn"]["between_groups"];
        for (name, key) in [
            (
                "demographic_parity_difference",
                "demographic_parity_difference",
            ),
            ("demographic_parity_ratio", "demographic_parity_ratio"),
            (
                "equalized_odds_difference",
                "equalized_odds_difference_worst_case",
            ),
            ("equalized_odds_ratio", "equalized_odds_ratio_worst_case"),
            (
                "equal_opportunity_difference",
                "equal_opportunity_difference",
            ),
            ("equal_opportunity_ratio", "equal_opportunity_ratio"),
        ] {
            assert!(
                (value(&r, name) - fl[key].as_f64().unwrap()).abs() < 1e-12,
                "{name}"
            );
        }
        let a = &c["aif360"];
        for name in [
            "statistical_parity_difference",
            "disparate_impact",
            "average_odds_difference",
        ] {
            assert!(
                (value(&r, name) - a[name].as_f64().unwrap()).abs() < 1e-12,
                "{name}"
            );
        }
        let theil = a["theil_index"].as_f64().unwrap();
        assert!((value(&r, "theil_index") - theil).abs() < 1e-12);
        let auc_gap = {
            let v: Vec<f64> = c["scores"]["auc"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect();
            v.iter().cloned().fold(f64::MIN, f64::max) - v.iter().cloned().fold(f64::MAX, f64::min)
        };
        assert!((value(&r, "auc_difference") - auc_gap).abs() < 1e-12);
    }
}

#[test]
fn verdicts_flip_at_the_thresholds() {
    let d = data();
    let base = report(&d, &ReportParams::default(), false);
    let dpd = value(&base, "demographic_parity_difference");
    let dpr = value(&base, "demographic_parity_ratio");
    let eps = 1e-9;
    let with = |t: Thresholds| report(&d, &ReportParams::default().with_thresholds(t), false);
    let r = with(
        Thresholds::default()
            .with_max_difference(dpd + eps)
            .with_min_ratio(dpr - eps),
    );
    assert_eq!(
        r.measure("demographic_parity_difference").unwrap().verdict,
        Verdict::Pass
    );
    assert_eq!(
        r.measure("demographic_parity_ratio").unwrap().verdict,
        Verdict::Pass
    );
    let r = with(
        Thresholds::default()
            .with_max_difference(dpd - eps)
            .with_min_ratio(dpr + eps),
    );
    assert_eq!(
        r.measure("demographic_parity_difference").unwrap().verdict,
        Verdict::Fail
    );
    assert_eq!(
        r.measure("demographic_parity_ratio").unwrap().verdict,
        Verdict::Fail
    );
    assert!(r.failures().any(|m| m.name == "demographic_parity_ratio"));

    let auc = value(&base, "auc_difference");
    let r = with(Thresholds::default().with_max_score_difference(auc + eps));
    assert_eq!(r.measure("auc_difference").unwrap().verdict, Verdict::Pass);
    let r = with(Thresholds::default().with_max_score_difference(auc - eps));
    assert_eq!(r.measure("auc_difference").unwrap().verdict, Verdict::Fail);

    // Entropy indices are reported, not judged, unless a bar is set.
    assert_eq!(
        base.measure("theil_index").unwrap().verdict,
        Verdict::NotJudged
    );
    let theil = value(&base, "theil_index");
    let r = with(Thresholds::default().with_max_entropy_index(Some(theil - eps)));
    assert_eq!(r.measure("theil_index").unwrap().verdict, Verdict::Fail);

    // AIF360: signed differences judged by absolute value; disparate impact one- or two-sided.
    let params = ReportParams::default().with_privileged(privileged());
    let r = report(&d, &params, false);
    let spd = value(&r, "statistical_parity_difference");
    assert!(spd < 0.0);
    let t = Thresholds::default().with_max_difference(-spd + eps);
    let r = report(&d, &params.clone().with_thresholds(t), false);
    assert_eq!(
        r.measure("statistical_parity_difference").unwrap().verdict,
        Verdict::Pass
    );
    let t = Thresholds::default().with_max_difference(-spd - eps);
    let r = report(&d, &params.clone().with_thresholds(t), false);
    assert_eq!(
        r.measure("statistical_parity_difference").unwrap().verdict,
        Verdict::Fail
    );
}

#[test]
fn disparate_impact_above_five_fourths_fails_only_two_sided() {
    // Unprivileged (f) selected at 3/4, privileged (m) at 1/2: disparate impact 1.5.
    let sex =
        SensitiveColumn::from_strings("sex", ["f", "f", "f", "f", "m", "m", "m", "m"]).unwrap();
    let groups = Groups::new(&[sex], &[]).unwrap();
    let y_true = array![1, 0, 1, 0, 1, 0, 1, 0];
    let y_pred = array![1, 1, 1, 0, 1, 0, 1, 0];
    let one = ReportParams::default().with_privileged(GroupSelector::level("sex", "m"));
    let r = FairnessReport::new(y_true.view(), y_pred.view(), None, &groups, &one, None).unwrap();
    let di = r.measure("disparate_impact").unwrap();
    assert_eq!(di.value, Value::Defined(1.5));
    assert_eq!(di.verdict, Verdict::Pass);
    let two = one.with_thresholds(Thresholds::default().with_two_sided_disparate_impact(true));
    let r = FairnessReport::new(y_true.view(), y_pred.view(), None, &groups, &two, None).unwrap();
    let di = r.measure("disparate_impact").unwrap();
    assert_eq!(di.threshold, Some(Threshold::Between(0.8, 1.25)));
    assert_eq!(di.verdict, Verdict::Fail);
}

#[test]
fn json_round_trips_with_the_documented_keys() {
    let d = data();
    let params = ReportParams::default().with_privileged(privileged());
    let r = report(&d, &params, true);
    let text = r.to_json().unwrap();
    let j: Json = serde_json::from_str(&text).unwrap();
    for key in [
        "schema",
        "n_rows",
        "weighted",
        "sensitive_columns",
        "control_columns",
        "params",
        "groups",
        "empty_intersections",
        "measures",
        "by_group",
        "privileged",
        "calibration",
        "summary",
        "warnings",
    ] {
        assert!(j.get(key).is_some(), "missing key {key}");
    }
    assert_eq!(j["schema"], "kiln_fairness.report/1");
    assert_eq!(j["n_rows"], 300);
    assert_eq!(j["weighted"], true);
    assert_eq!(
        j["sensitive_columns"],
        serde_json::json!(["sex", "age_group"])
    );
    let g0 = &j["groups"][0];
    for key in [
        "name",
        "sensitive_levels",
        "control_levels",
        "count",
        "weight",
        "too_small",
    ] {
        assert!(g0.get(key).is_some(), "group key {key}");
    }
    let dp = j["measures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "demographic_parity_ratio")
        .unwrap();
    for key in [
        "name",
        "family",
        "value",
        "threshold",
        "verdict",
        "metric",
        "excluded_groups",
        "notes",
    ] {
        assert!(dp.get(key).is_some(), "measure key {key}");
    }
    assert_eq!(dp["threshold"], serde_json::json!({"at_least": 0.8}));
    assert_eq!(dp["verdict"], "fail");
    assert_eq!(dp["metric"], "selection_rate");
    let v = dp["value"]["defined"].as_f64().unwrap();
    assert!((v - value(&r, "demographic_parity_ratio")).abs() == 0.0);
    let sel = j["by_group"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["metric"] == "selection_rate")
        .unwrap();
    for key in [
        "group",
        "value",
        "count",
        "weight",
        "numerator",
        "denominator",
    ] {
        assert!(sel["groups"][0].get(key).is_some(), "by_group key {key}");
    }
    let s = &j["summary"];
    let total: u64 = ["pass", "fail", "undefined", "not_judged"]
        .iter()
        .map(|k| s[k].as_u64().unwrap())
        .sum();
    assert_eq!(total as usize, r.measures.len());
    // The whole report comes back unchanged.
    let back: FairnessReport = serde_json::from_value(j).unwrap();
    assert_eq!(back, r);
}

#[test]
fn text_has_the_table_verdicts_and_the_small_group_warning() {
    let d = data();
    let r = report(&d, &ReportParams::default(), false);
    let small: Vec<&str> = r
        .groups
        .iter()
        .filter(|g| g.too_small)
        .map(|g| g.name.as_str())
        .collect();
    assert!(
        !small.is_empty(),
        "the intersectional groups include one below 30 rows"
    );
    let text = r.to_string();
    assert!(text.contains("Measures"));
    for m in &r.measures {
        assert!(text.contains(&m.name), "{}", m.name);
    }
    assert!(text.contains("FAIL") && text.contains("pass"));
    for g in small {
        assert!(text.contains(&format!("group `{g}` has")), "{text}");
    }
    assert!(text.contains("too small to judge"));
    // A larger minimum flags every group; zero flags none.
    let r0 = report(&d, &ReportParams::default().with_min_group_size(0), false);
    assert!(!r0.to_string().contains("too small to judge"));
}

#[test]
fn one_group_only_and_empty_intersections_are_warned() {
    let s = SensitiveColumn::from_strings("s", ["a", "a", "b", "b"]).unwrap();
    let t = SensitiveColumn::from_strings("t", ["u", "u", "u", "v"]).unwrap();
    let groups = Groups::new(&[s, t], &[]).unwrap();
    let (yt, yp) = (array![1, 0, 1, 0], array![1, 0, 0, 0]);
    let r = FairnessReport::new(
        yt.view(),
        yp.view(),
        None,
        &groups,
        &ReportParams::default(),
        None,
    )
    .unwrap();
    assert_eq!(
        r.empty_intersections,
        vec![vec!["a".to_owned(), "v".to_owned()]]
    );
    assert!(r.to_string().contains("a, v"));

    let one = Groups::new(
        &[SensitiveColumn::from_strings("s", ["a"; 4]).unwrap()],
        &[],
    )
    .unwrap();
    let r = FairnessReport::new(
        yt.view(),
        yp.view(),
        None,
        &one,
        &ReportParams::default(),
        None,
    )
    .unwrap();
    assert_eq!(
        r.measure("demographic_parity_difference").unwrap().value,
        Value::Defined(0.0)
    );
    assert_eq!(
        r.measure("demographic_parity_ratio").unwrap().value,
        Value::Defined(1.0)
    );
    assert!(r.warnings.iter().any(|w| w.contains("only one group")));
    assert!(r.to_string().contains("only one group"));
}

#[test]
fn a_positive_label_that_never_occurs_gives_undefined_verdicts() {
    let g = Groups::new(
        &[SensitiveColumn::from_strings("s", ["a", "a", "b", "b"]).unwrap()],
        &[],
    )
    .unwrap();
    let (yt, yp) = (array![0, 0, 0, 0], array![1, 0, 0, 1]);
    let r = FairnessReport::new(
        yt.view(),
        yp.view(),
        Some(array![0.9, 0.1, 0.2, 0.8].view()),
        &g,
        &ReportParams::default(),
        None,
    )
    .unwrap();
    for name in [
        "equal_opportunity_difference",
        "equal_opportunity_ratio",
        "equalized_odds_difference",
        "fnr_difference",
        "auc_difference",
    ] {
        let m = r.measure(name).unwrap();
        assert_eq!(m.verdict, Verdict::Undefined, "{name}");
        assert!(!m.value.is_defined());
    }
    assert!(r.summary.undefined >= 5);
    // Undefined values keep their counts and reason through JSON.
    let back: FairnessReport = serde_json::from_str(&r.to_json().unwrap()).unwrap();
    assert_eq!(back, r);
    let j: Json = serde_json::from_str(&r.to_json().unwrap()).unwrap();
    let eo = j["measures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "equal_opportunity_ratio")
        .unwrap();
    assert_eq!(eo["verdict"], "undefined");
    assert!(
        eo["value"]["undefined"]["reason"]
            .as_str()
            .unwrap()
            .contains("0 of 2 groups")
    );
    assert!(r.to_string().contains("undefined"));
}

#[test]
fn bad_input_and_bad_params_are_typed_errors() {
    let d = data();
    let bad = ReportParams::default().with_thresholds(Thresholds::default().with_min_ratio(1.5));
    let err = FairnessReport::new(
        d.y_true.view(),
        d.y_pred.view(),
        None,
        &d.groups,
        &bad,
        None,
    )
    .unwrap_err();
    assert_eq!(err.parameter_name(), Some("min_ratio"), "{err}");
    let p = ReportParams::default().with_privileged(GroupSelector::level("sex", "nobody"));
    let err = FairnessReport::new(d.y_true.view(), d.y_pred.view(), None, &d.groups, &p, None)
        .unwrap_err();
    assert!(
        err.to_string().contains("sex = nobody") && err.to_string().contains("matches no row"),
        "{err}"
    );
    let short = d.y_pred.slice(ndarray::s![..10]).to_owned();
    let err = FairnessReport::new(
        d.y_true.view(),
        short.view(),
        None,
        &d.groups,
        &ReportParams::default(),
        None,
    )
    .unwrap_err();
    assert!(
        matches!(err, kiln_core::Error::ShapeMismatch { .. }),
        "{err}"
    );
}

#[test]
fn scores_outside_zero_one_skip_calibration_with_a_warning() {
    let d = data();
    let logits = d.proba.mapv(|p| (p / (1.0 - p)).ln());
    let r = FairnessReport::new(
        d.y_true.view(),
        d.y_pred.view(),
        Some(logits.view()),
        &d.groups,
        &ReportParams::default(),
        None,
    )
    .unwrap();
    assert!(r.calibration.is_none());
    assert!(r.measure("ece_difference").is_none());
    assert!(r.measure("auc_difference").is_some());
    assert!(r.warnings.iter().any(|w| w.contains("calibration")));
}

/// The sensitive columns of `d`, row-selected by `rows` (with repeats).
fn groups_of_rows(d: &Data, rows: &[usize]) -> Groups {
    let col = |k: &str| {
        let all = d.json[k].as_array().unwrap();
        let v: Vec<String> = rows
            .iter()
            .map(|&i| all[i].as_str().unwrap().to_owned())
            .collect();
        SensitiveColumn::from_strings(k, v).unwrap()
    };
    Groups::new(&[col("sex"), col("age_group")], &[]).unwrap()
}

#[test]
fn one_resample_interval_equals_the_report_recomputed_on_the_resampled_rows() {
    use kiln_fairness::frame::{FrameOptions, Metric, MetricFrame};
    use kiln_fairness::report::ReportBootstrap;
    let d = data();
    for weighted in [false, true] {
        let w = weighted.then(|| d.weight.view());
        let seed = 11;
        let bootstrap = ReportBootstrap {
            n_resamples: 1,
            confidence: 0.9,
            seed,
        };
        let r = FairnessReport::new(
            d.y_true.view(),
            d.y_pred.view(),
            None,
            &d.groups,
            &ReportParams::default().with_bootstrap(bootstrap),
            w,
        )
        .unwrap();
        let ci = r.intervals.as_ref().unwrap();
        // The rows resample 0 draws (the frame's documented stream), then the plain report
        // (ConfusionParity, a separate code path) on exactly those rows.
        let frame = MetricFrame::new(
            &[Metric::selection_rate()],
            d.y_true.view(),
            d.y_pred.view(),
            None,
            &d.groups,
            w,
            &FrameOptions::default(),
        )
        .unwrap();
        let rows = frame.resample_rows(seed, 0);
        let pick = |a: &Array1<usize>| rows.iter().map(|&i| a[i]).collect::<Array1<usize>>();
        let wr: Array1<f64> = rows.iter().map(|&i| d.weight[i]).collect();
        let g = groups_of_rows(&d, &rows);
        let again = FairnessReport::new(
            pick(&d.y_true).view(),
            pick(&d.y_pred).view(),
            None,
            &g,
            &ReportParams::default(),
            weighted.then(|| wr.view()),
        )
        .unwrap();
        let mut checked = 0;
        for m in &again.measures {
            let Some(b) = ci.measure(&m.name) else {
                continue;
            };
            let (lo, hi, v) = (b.lower.get(), b.upper.get(), m.value.get());
            assert_eq!(lo, hi, "{}: one resample gives one value", m.name);
            match (lo, v) {
                (Some(a), Some(e)) => assert!((a - e).abs() < 1e-12, "{}: {a} vs {e}", m.name),
                (None, None) => {}
                other => panic!("{}: {other:?}", m.name),
            }
            checked += 1;
        }
        assert_eq!(checked, 16, "8 rates x (difference, ratio)");
        for by in &again.by_group {
            for gv in &by.groups {
                let gi = r.groups.iter().position(|x| x.name == gv.group).unwrap();
                let Some(b) = ci.rate(&by.metric, gi) else {
                    continue;
                };
                match (b.lower.get(), gv.value.get()) {
                    (Some(a), Some(e)) => {
                        assert!((a - e).abs() < 1e-12, "{} {}", by.metric, gv.group);
                    }
                    (None, None) => {}
                    other => panic!("{} {}: {other:?}", by.metric, gv.group),
                }
            }
        }
    }
}

#[test]
fn report_intervals_cover_the_estimates_are_seeded_and_survive_json() {
    use kiln_fairness::report::ReportBootstrap;
    let d = data();
    let params = |seed| {
        ReportParams::default().with_bootstrap(ReportBootstrap {
            n_resamples: 400,
            confidence: 0.95,
            seed,
        })
    };
    let r = report(&d, &params(3), false);
    let ci = r.intervals.as_ref().unwrap();
    assert_eq!(ci.rates.len(), 8);
    for m in [
        "demographic_parity_difference",
        "equal_opportunity_ratio",
        "fpr_difference",
    ] {
        let b = ci.measure(m).unwrap();
        let (lo, hi) = (b.lower.get().unwrap(), b.upper.get().unwrap());
        let v = value(&r, m);
        assert!(
            lo < hi && lo <= v + 0.05 && v - 0.05 <= hi,
            "{m}: {v} in [{lo}, {hi}]"
        );
    }
    // Every group's selection rate lies inside its interval, which narrows with group size.
    let sel = r
        .by_group
        .iter()
        .find(|b| b.metric == "selection_rate")
        .unwrap();
    for (g, gv) in sel.groups.iter().enumerate() {
        let b = ci.rate("selection_rate", g).unwrap();
        let v = gv.value.get().unwrap();
        assert!(b.lower.get().unwrap() <= v && v <= b.upper.get().unwrap());
    }
    // Worse-of-two measures get none.
    assert!(ci.measure("equalized_odds_difference").is_none());
    assert_eq!(report(&d, &params(3), false).intervals, r.intervals);
    assert_ne!(report(&d, &params(4), false).intervals, r.intervals);
    let back: FairnessReport = serde_json::from_str(&r.to_json().unwrap()).unwrap();
    assert_eq!(back, r);
    assert!(r.to_string().contains("95% interval"), "{r}");
    // A report written before intervals existed still loads.
    let mut old: Json = serde_json::from_str(&r.to_json().unwrap()).unwrap();
    old.as_object_mut().unwrap().remove("intervals");
    old["params"].as_object_mut().unwrap().remove("bootstrap");
    let back: FairnessReport = serde_json::from_value(old).unwrap();
    assert!(back.intervals.is_none());
}

#[test]
fn bad_bootstrap_parameters_are_typed_errors() {
    use kiln_fairness::report::ReportBootstrap;
    let d = data();
    for (n, conf, what) in [
        (0, 0.95, "n_resamples"),
        (10, 1.0, "confidence"),
        (10, f64::NAN, "confidence"),
    ] {
        let p = ReportParams::default().with_bootstrap(ReportBootstrap {
            n_resamples: n,
            confidence: conf,
            seed: 0,
        });
        let e = FairnessReport::new(d.y_true.view(), d.y_pred.view(), None, &d.groups, &p, None)
            .unwrap_err();
        assert!(e.to_string().contains(what), "{e}");
    }
}
