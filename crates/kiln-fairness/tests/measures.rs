//! Named measures against fairlearn 0.15 / AIF360 0.6.1 / scikit-learn 1.9.1 on german_credit
//! predictions (fixture: tests/reference/measures_reference.py), plus bad input.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a malformed fixture should fail the test loudly"
)]

use kiln_fairness::groups::{Groups, SensitiveColumn};
use kiln_fairness::measures::{
    Aggregate, ConfusionParity, DisparityKind, DisparityOptions, GroupSelector, Method,
    PrivilegedMeasures, Rate, auc_by_group, calibration_by_group, demographic_parity_difference,
    demographic_parity_ratio, equal_opportunity_difference, equal_opportunity_ratio,
    equalized_odds_difference, equalized_odds_ratio, generalized_entropy_index,
    mean_score_by_group, rate_parity, theil_index,
};
use kiln_fairness::value::{Value, ZeroDivision};
use ndarray::{Array1, array};
use serde_json::Value as Json;

const TOL: f64 = 1e-12;

struct Data {
    json: Json,
    y_true: Array1<usize>,
    y_pred: Array1<usize>,
    proba: Array1<f64>,
    weight: Array1<f64>,
}

fn data() -> Data {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/measures_german_credit.json"
    ))
    .unwrap();
    let json: Json = serde_json::from_str(&text).unwrap();
    let usizes = |k: &str| -> Array1<usize> {
        json[k]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as usize)
            .collect()
    };
    let floats = |k: &str| -> Array1<f64> {
        json[k]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect()
    };
    Data {
        y_true: usizes("y_true"),
        y_pred: usizes("y_pred"),
        proba: floats("proba"),
        weight: floats("sample_weight"),
        json,
    }
}

fn column(d: &Data, name: &str) -> SensitiveColumn {
    let v: Vec<&str> = d.json[name]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    SensitiveColumn::from_strings(name, v).unwrap()
}

fn groups_of(d: &Data, case: &Json) -> Groups {
    let cols: Vec<SensitiveColumn> = case["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| column(d, c.as_str().unwrap()))
        .collect();
    Groups::new(&cols, &[]).unwrap()
}

fn selector(j: &Json) -> GroupSelector {
    GroupSelector {
        clauses: j
            .as_array()
            .unwrap()
            .iter()
            .map(|clause| {
                clause
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| {
                        (
                            p[0].as_str().unwrap().to_owned(),
                            p[1].as_str().unwrap().to_owned(),
                        )
                    })
                    .collect()
            })
            .collect(),
    }
}

/// `null` in the fixture (NaN / inf in the reference) must be undefined here.
fn assert_value(got: &Value, want: &Json, what: &str) {
    match want.as_f64() {
        Some(w) => {
            let g = got
                .get()
                .unwrap_or_else(|| panic!("{what}: got {got}, want {w}"));
            assert!((g - w).abs() <= TOL, "{what}: got {g}, want {w}");
        }
        None => assert!(!got.is_defined(), "{what}: got {got}, want undefined"),
    }
}

fn method_of(name: &str) -> Method {
    match name {
        "between_groups" => Method::BetweenGroups,
        _ => Method::ToOverall,
    }
}

fn cases(d: &Data) -> Vec<(Json, Groups, Option<Array1<f64>>)> {
    d.json["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let g = groups_of(d, c);
            let w = c["weighted"].as_bool().unwrap().then(|| d.weight.clone());
            (c.clone(), g, w)
        })
        .collect()
}

#[test]
fn fairlearn_named_measures_match_with_zero_division_zero() {
    let d = data();
    let mut checked = 0;
    for (case, groups, w) in cases(&d) {
        let tag = format!("{} weighted={}", case["name"], case["weighted"]);
        let sw = w.as_ref().map(|w| w.view());
        for method_name in ["between_groups", "to_overall"] {
            let want = &case["fairlearn"][method_name];
            let o = DisparityOptions::default()
                .with_method(method_of(method_name))
                .with_zero_division(ZeroDivision::Zero);
            let (yt, yp) = (d.y_true.view(), d.y_pred.view());
            let check = |name: &str, got: Value| {
                assert_value(&got, &want[name], &format!("{tag} {method_name} {name}"));
            };
            check(
                "demographic_parity_difference",
                demographic_parity_difference(yt, yp, &groups, &o, sw)
                    .unwrap()
                    .value,
            );
            check(
                "demographic_parity_ratio",
                demographic_parity_ratio(yt, yp, &groups, &o, sw)
                    .unwrap()
                    .value,
            );
            check(
                "equal_opportunity_difference",
                equal_opportunity_difference(yt, yp, &groups, &o, sw)
                    .unwrap()
                    .value,
            );
            check(
                "equal_opportunity_ratio",
                equal_opportunity_ratio(yt, yp, &groups, &o, sw)
                    .unwrap()
                    .value,
            );
            for (agg, suffix) in [
                (Aggregate::WorstCase, "worst_case"),
                (Aggregate::Mean, "mean"),
            ] {
                let oa = o.with_agg(agg);
                check(
                    &format!("equalized_odds_difference_{suffix}"),
                    equalized_odds_difference(yt, yp, &groups, &oa, sw)
                        .unwrap()
                        .value,
                );
                check(
                    &format!("equalized_odds_ratio_{suffix}"),
                    equalized_odds_ratio(yt, yp, &groups, &oa, sw)
                        .unwrap()
                        .value,
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 12);
}

#[test]
fn rate_parity_by_group_overall_difference_and_ratio_match_metric_frame() {
    let d = data();
    let rates = [
        (Rate::SelectionRate, "selection_rate"),
        (Rate::Tpr, "tpr"),
        (Rate::Fpr, "fpr"),
        (Rate::Tnr, "tnr"),
        (Rate::Fnr, "fnr"),
        (Rate::Ppv, "ppv"),
        (Rate::Npv, "npv"),
        (Rate::ErrorRate, "error_rate"),
    ];
    for (case, groups, w) in cases(&d) {
        let fl = &case["fairlearn"];
        let names: Vec<String> = (0..groups.n_groups()).map(|g| groups.name(g)).collect();
        let want_names: Vec<&str> = fl["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        assert_eq!(
            names, want_names,
            "group order matches fairlearn's by_group"
        );
        let p = ConfusionParity::new(
            d.y_true.view(),
            d.y_pred.view(),
            &groups,
            w.as_ref().map(|w| w.view()),
            ZeroDivision::Zero,
        )
        .unwrap();
        for (rate, key) in rates {
            let tag = format!("{} weighted={} {key}", case["name"], case["weighted"]);
            let by = p.by_group(rate);
            for (g, want) in by
                .groups
                .iter()
                .zip(fl["by_group"][key].as_array().unwrap())
            {
                assert_value(&g.value, want, &format!("{tag} group {}", g.group));
            }
            assert_value(
                &by.overall[0].value,
                &fl["overall"][key],
                &format!("{tag} overall"),
            );
            for m in ["between_groups", "to_overall"] {
                assert_value(
                    &by.difference(method_of(m)).value,
                    &fl["rate_difference"][m][key],
                    &format!("{tag} {m} difference"),
                );
                assert_value(
                    &by.ratio(method_of(m)).value,
                    &fl["rate_ratio"][m][key],
                    &format!("{tag} {m} ratio"),
                );
            }
        }
    }
}

#[test]
fn aif360_privileged_measures_match_weighted_and_unweighted() {
    let d = data();
    for (case, groups, w) in cases(&d) {
        let tag = format!("{} weighted={}", case["name"], case["weighted"]);
        let a = &case["aif360"];
        let privileged = selector(&case["privileged"]);
        let unprivileged =
            (!case["unprivileged"].is_null()).then(|| selector(&case["unprivileged"]));
        let m = PrivilegedMeasures::new(
            d.y_true.view(),
            d.y_pred.view(),
            &groups,
            &privileged,
            unprivileged.as_ref(),
            ZeroDivision::Undefined,
            w.as_ref().map(|w| w.view()),
        )
        .unwrap();
        let pairs = [
            (
                "statistical_parity_difference",
                &m.statistical_parity_difference,
            ),
            ("disparate_impact", &m.disparate_impact),
            ("average_odds_difference", &m.average_odds_difference),
            (
                "equal_opportunity_difference",
                &m.equal_opportunity_difference,
            ),
            ("selection_rate_privileged", &m.privileged.selection_rate),
            (
                "selection_rate_unprivileged",
                &m.unprivileged.selection_rate,
            ),
            ("tpr_privileged", &m.privileged.tpr),
            ("tpr_unprivileged", &m.unprivileged.tpr),
            ("fpr_privileged", &m.privileged.fpr),
            ("fpr_unprivileged", &m.unprivileged.fpr),
        ];
        for (k, v) in pairs {
            assert_value(v, &a[k], &format!("{tag} {k}"));
        }
        let wp = a["weight_privileged"].as_f64().unwrap();
        let wu = a["weight_unprivileged"].as_f64().unwrap();
        assert!((m.privileged.weight - wp).abs() < TOL * wp);
        assert!((m.unprivileged.weight - wu).abs() < TOL * wu);
        let di = m.disparate_impact.get().unwrap();
        assert_eq!(m.four_fifths.passes(false), Some(di >= 0.8), "{tag}");
    }
}

#[test]
fn generalized_entropy_and_theil_match_aif360() {
    let d = data();
    for (case, _, w) in cases(&d) {
        let tag = format!("{} weighted={}", case["name"], case["weighted"]);
        let sw = w.as_ref().map(|w| w.view());
        let gei = &case["aif360"]["generalized_entropy_index"];
        for (alpha, want) in gei.as_object().unwrap() {
            let a: f64 = alpha.parse().unwrap();
            let got = generalized_entropy_index(d.y_true.view(), d.y_pred.view(), a, sw).unwrap();
            assert_value(&got, want, &format!("{tag} GE({a})"));
        }
        let t = theil_index(d.y_true.view(), d.y_pred.view(), sw).unwrap();
        assert_value(&t, &case["aif360"]["theil_index"], &format!("{tag} theil"));
    }
}

#[test]
fn generalized_entropy_alpha_zero_without_false_negatives_follows_the_formula() {
    // Benefits 1, 2, 1, 2: μ = 1.5; GE(0) = −mean(ln(b/μ)) = −(ln(2/3) + ln(4/3)) / 2.
    let y_true = array![1, 0, 0, 0];
    let y_pred = array![1, 1, 0, 1];
    let got = generalized_entropy_index(y_true.view(), y_pred.view(), 0.0, None).unwrap();
    let want = -((2.0_f64 / 3.0).ln() + (4.0_f64 / 3.0).ln()) / 2.0;
    assert!((got.get().unwrap() - want).abs() < 1e-15);
    // All false negatives: mean benefit 0.
    let got = generalized_entropy_index(array![1, 1].view(), array![0, 0].view(), 2.0, None);
    assert!(!got.unwrap().is_defined());
    assert!(generalized_entropy_index(y_true.view(), y_pred.view(), f64::NAN, None).is_err());
}

#[test]
fn score_measures_match_scikit_learn_per_group() {
    let d = data();
    for (case, groups, w) in cases(&d) {
        let tag = format!("{} weighted={}", case["name"], case["weighted"]);
        let sw = w.as_ref().map(|w| w.view());
        let s = &case["scores"];
        let auc = auc_by_group(d.y_true.view(), d.proba.view(), &groups, sw).unwrap();
        let mean = mean_score_by_group(d.proba.view(), &groups, sw).unwrap();
        let n_bins = case["n_bins"].as_u64().unwrap() as usize;
        let cal =
            calibration_by_group(d.y_true.view(), d.proba.view(), &groups, n_bins, sw).unwrap();
        for g in 0..groups.n_groups() {
            assert_eq!(groups.name(g), s["groups"][g].as_str().unwrap());
            assert_value(
                &auc.groups[g].value,
                &s["auc"][g],
                &format!("{tag} auc {g}"),
            );
            assert_value(
                &mean.groups[g].value,
                &s["mean_score"][g],
                &format!("{tag} mean {g}"),
            );
            assert_value(
                &cal.ece.groups[g].value,
                &s["ece"][g],
                &format!("{tag} ece {g}"),
            );
            for (key, got) in [
                ("prob_true", &cal.curves[g].prob_true),
                ("prob_pred", &cal.curves[g].prob_pred),
            ] {
                let want = s["calibration"][g][key].as_array().unwrap();
                assert_eq!(got.len(), want.len(), "{tag} {key} {g}");
                for (a, b) in got.iter().zip(want) {
                    assert!((a - b.as_f64().unwrap()).abs() < TOL, "{tag} {key} {g}");
                }
            }
        }
        assert_value(
            &auc.overall[0].value,
            &s["overall_auc"],
            &format!("{tag} overall auc"),
        );
        assert_value(
            &mean.overall[0].value,
            &s["overall_mean_score"],
            &format!("{tag} overall mean"),
        );
        assert_value(
            &cal.ece.overall[0].value,
            &s["overall_ece"],
            &format!("{tag} overall ece"),
        );
    }
}

#[test]
fn control_column_disparities_match_metric_frame_within_each_level() {
    let d = data();
    let groups = Groups::new(&[column(&d, "sex")], &[column(&d, "housing")]).unwrap();
    for (key, weighted) in [("unweighted", false), ("weighted", true)] {
        let want = &d.json["control_housing"][key];
        let sw = weighted.then(|| d.weight.view());
        let p = ConfusionParity::new(
            d.y_true.view(),
            d.y_pred.view(),
            &groups,
            sw,
            ZeroDivision::Zero,
        )
        .unwrap();
        for m in ["between_groups", "to_overall"] {
            for (rate, name) in [(Rate::SelectionRate, "selection_rate"), (Rate::Tpr, "tpr")] {
                for (kind, kname) in [
                    (DisparityKind::Difference, "difference"),
                    (DisparityKind::Ratio, "ratio"),
                ] {
                    let dis = p.named(name, rate, kind, method_of(m));
                    let levels = want[m][kname][name].as_array().unwrap();
                    assert_eq!(dis.by_control.len(), levels.len());
                    for (got, w) in dis.by_control.iter().zip(levels) {
                        assert_value(got, w, &format!("{key} {m} {kname} {name}"));
                    }
                    let vals = levels.iter().map(|v| v.as_f64().unwrap());
                    let worst = match kind {
                        DisparityKind::Difference => vals.fold(f64::MIN, f64::max),
                        DisparityKind::Ratio => vals.fold(f64::MAX, f64::min),
                    };
                    assert!((dis.value.get().unwrap() - worst).abs() < TOL);
                }
            }
        }
    }
}

#[test]
fn no_positive_group_has_undefined_tpr_and_is_excluded_from_the_disparity() {
    let d = data();
    let groups = Groups::new(&[column(&d, "sex_np")], &[]).unwrap();
    let o = DisparityOptions::default();
    let eo =
        equal_opportunity_difference(d.y_true.view(), d.y_pred.view(), &groups, &o, None).unwrap();
    let tprs = &eo.by_group[0].groups;
    assert_eq!(tprs[2].group, "nopos");
    match &tprs[2].value {
        Value::Undefined(u) => assert_eq!((u.numerator, u.denominator), (0.0, 0.0)),
        Value::Defined(v) => panic!("TPR of a group with no positives is {v}"),
    }
    assert_eq!(tprs[2].count, 8);
    assert_eq!(eo.excluded_groups, vec!["nopos".to_owned()]);
    assert!(eo.warnings.iter().any(|w| w.contains("nopos")));
    let want = (tprs[0].value.get().unwrap() - tprs[1].value.get().unwrap()).abs();
    assert!((eo.value.get().unwrap() - want).abs() < 1e-15);
    // fairlearn's 0/0 -> 0 makes the same group the minimum instead.
    let fl = o.with_zero_division(ZeroDivision::Zero);
    let eo0 =
        equal_opportunity_ratio(d.y_true.view(), d.y_pred.view(), &groups, &fl, None).unwrap();
    assert_eq!(eo0.value.get(), Some(0.0));
}

#[test]
fn one_group_only_gives_difference_zero_ratio_one_and_a_warning() {
    let groups = Groups::new(
        &[SensitiveColumn::from_strings("s", ["a"; 4]).unwrap()],
        &[],
    )
    .unwrap();
    let (yt, yp) = (array![1, 0, 1, 0], array![1, 1, 0, 0]);
    for method in [Method::BetweenGroups, Method::ToOverall] {
        let o = DisparityOptions::default().with_method(method);
        let dd = demographic_parity_difference(yt.view(), yp.view(), &groups, &o, None).unwrap();
        assert_eq!(dd.value, Value::Defined(0.0));
        assert!(dd.warnings.iter().any(|w| w.contains("only one group")));
        let dr = equalized_odds_ratio(yt.view(), yp.view(), &groups, &o, None).unwrap();
        assert_eq!(dr.value, Value::Defined(1.0));
        assert!(!dr.warnings.is_empty());
    }
}

#[test]
fn a_positive_label_that_never_occurs_leaves_tpr_undefined() {
    let groups = Groups::new(
        &[SensitiveColumn::from_strings("s", ["a", "a", "b", "b"]).unwrap()],
        &[],
    )
    .unwrap();
    let (yt, yp) = (array![0, 0, 0, 0], array![1, 0, 0, 1]);
    let r = rate_parity(
        Rate::Tpr,
        yt.view(),
        yp.view(),
        &groups,
        &DisparityOptions::default(),
        None,
    )
    .unwrap();
    assert!(
        r.difference.by_group[0]
            .groups
            .iter()
            .all(|g| !g.value.is_defined())
    );
    assert!(!r.difference.value.is_defined());
    assert!(!r.ratio.value.is_defined());
    assert!(r.difference.value.to_string().contains("0 of 2 groups"));
    let eo = equalized_odds_difference(
        yt.view(),
        yp.view(),
        &groups,
        &DisparityOptions::default(),
        None,
    )
    .unwrap();
    assert!(!eo.value.is_defined());
    // The FPR is defined and still reported.
    assert_eq!(eo.components[1], Value::Defined(0.0));
}

#[test]
fn bad_input_is_a_typed_error() {
    let groups = Groups::new(
        &[SensitiveColumn::from_strings("sex", ["f", "f", "m", "m"]).unwrap()],
        &[],
    )
    .unwrap();
    let o = DisparityOptions::default();
    let err = demographic_parity_difference(
        array![1, 0, 1].view(),
        array![1, 0, 1, 1].view(),
        &groups,
        &o,
        None,
    )
    .unwrap_err();
    assert!(
        matches!(err, kiln_core::Error::ShapeMismatch { .. }),
        "{err}"
    );
    let err = demographic_parity_difference(
        array![1, 0, 2, 0].view(),
        array![1, 0, 1, 1].view(),
        &groups,
        &o,
        None,
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("y_true") && err.to_string().contains("row 2"),
        "{err}"
    );
    let (yt, yp) = (array![1, 0, 1, 0], array![1, 0, 1, 1]);
    let err = PrivilegedMeasures::new(
        yt.view(),
        yp.view(),
        &groups,
        &GroupSelector::level("sex", "male"),
        None,
        ZeroDivision::Undefined,
        None,
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("privileged") && msg.contains("sex = male") && msg.contains("matches no row"),
        "{msg}"
    );
    assert!(msg.contains("f, m"), "{msg}");
    let err = PrivilegedMeasures::new(
        yt.view(),
        yp.view(),
        &groups,
        &GroupSelector::level("gender", "m"),
        None,
        ZeroDivision::Undefined,
        None,
    )
    .unwrap_err();
    assert!(err.to_string().contains("`gender`"), "{err}");
    let err = PrivilegedMeasures::new(
        yt.view(),
        yp.view(),
        &groups,
        &GroupSelector::level("sex", "m"),
        Some(&GroupSelector::level("sex", "m")),
        ZeroDivision::Undefined,
        None,
    )
    .unwrap_err();
    assert!(err.to_string().contains("overlaps"), "{err}");
    let err = auc_by_group(
        yt.view(),
        array![0.1, f64::NAN, 0.3, 0.4].view(),
        &groups,
        None,
    )
    .unwrap_err();
    assert!(
        matches!(err, kiln_core::Error::NonFinite { row: 1, .. }),
        "{err}"
    );
    let err = calibration_by_group(
        yt.view(),
        array![0.1, 1.5, 0.3, 0.4].view(),
        &groups,
        5,
        None,
    )
    .unwrap_err();
    assert!(err.to_string().contains("[0, 1]"), "{err}");
}

#[test]
fn privileged_selection_rate_zero_makes_disparate_impact_undefined() {
    let groups = Groups::new(
        &[SensitiveColumn::from_strings("sex", ["f", "f", "m", "m"]).unwrap()],
        &[],
    )
    .unwrap();
    let m = PrivilegedMeasures::new(
        array![1, 0, 1, 0].view(),
        array![1, 0, 0, 0].view(),
        &groups,
        &GroupSelector::level("sex", "m"),
        None,
        ZeroDivision::Undefined,
        None,
    )
    .unwrap();
    assert!(!m.disparate_impact.is_defined());
    assert_eq!(m.four_fifths.passes(true), None);
    assert_eq!(m.statistical_parity_difference, Value::Defined(0.5));
    assert_eq!(m.unprivileged.description, "not (sex = m)");
}
