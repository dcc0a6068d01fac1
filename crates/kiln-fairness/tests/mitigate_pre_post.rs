//! Pre- and post-processing mitigation against AIF360 0.6.1 and fairlearn 0.15.0
//! (fixtures from tests/reference/mitigate_reference.py), bad input, and the measured
//! trade-off on held-out german_credit rows with a kiln LogisticRegression.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers outside #[test] functions"
)]

use kiln_core::persist;
use kiln_core::{Error, Fit, FitUnsupervised, Params, Predict, Transform};
use kiln_datasets::Dataset;
use kiln_fairness::groups::{Groups, SensitiveColumn};
use kiln_fairness::mitigate::correlation::{CorrelationRemover, FittedCorrelationRemover};
use kiln_fairness::mitigate::reweighing::{reweighing, reweighing_privileged};
use kiln_fairness::mitigate::threshold::{
    FittedThresholdOptimizer, Mode, Objective, ThresholdOptimizer, scores_from_proba,
};
use kiln_fairness::mitigate::{Disparity, TradeOff};
use kiln_linear::LogisticRegression;
use kiln_prep::scale::StandardScaler;
use ndarray::{Array1, Array2, Axis, array};
use serde_json::Value as Json;

fn fixture(name: &str) -> Json {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn num(v: &Json) -> f64 {
    match v {
        Json::String(s) if s == "inf" => f64::INFINITY,
        Json::String(s) if s == "-inf" => f64::NEG_INFINITY,
        _ => v.as_f64().unwrap(),
    }
}

fn floats(v: &Json) -> Array1<f64> {
    v.as_array().unwrap().iter().map(num).collect()
}

fn labels(v: &Json) -> Array1<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

fn strings(v: &Json) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_owned())
        .collect()
}

fn matrix(v: &Json) -> Array2<f64> {
    let rows: Vec<Array1<f64>> = v.as_array().unwrap().iter().map(floats).collect();
    let views: Vec<_> = rows.iter().map(|r| r.view()).collect();
    ndarray::stack(Axis(0), &views).unwrap()
}

fn groups_of(cols: &[(&str, &[String])]) -> Groups {
    let cols: Vec<SensitiveColumn> = cols
        .iter()
        .map(|(name, v)| SensitiveColumn::from_strings(*name, v.iter()).unwrap())
        .collect();
    Groups::new(&cols, &[]).unwrap()
}

fn assert_close(got: f64, want: f64, tol: f64, what: &str) {
    let ok = got == want || (got - want).abs() <= tol * want.abs().max(1.0);
    assert!(
        ok,
        "{what}: got {got}, want {want} (diff {})",
        (got - want).abs()
    );
}

// ------------------------------------------------------------------------------ reweighing

#[test]
fn reweighing_matches_aif360_privileged_form() {
    let f = fixture("mitigate_reweighing.json");
    let y = labels(&f["y"]);
    let sex = strings(&f["sex"]);
    let age = strings(&f["age_group"]);
    let w_in = floats(&f["sample_weight"]);
    // Groups are sorted: sex = [female, male], age_group = [<25, >=25].
    let by_sex = groups_of(&[("sex", &sex)]);
    let by_age = groups_of(&[("age_group", &age)]);
    for (case, groups, privileged, unprivileged, w) in [
        ("aif360_sex", &by_sex, 1usize, 0usize, None),
        ("aif360_sex_weighted", &by_sex, 1, 0, Some(w_in.view())),
        ("aif360_age", &by_age, 1, 0, None),
    ] {
        let want = &f[case];
        let rw =
            reweighing_privileged(y.view(), groups, &[privileged], &[unprivileged], w).unwrap();
        let expected = floats(&want["weights"]);
        for (i, (&g, &e)) in rw.weights().iter().zip(&expected).enumerate() {
            assert_close(g, e, 1e-12, &format!("{case} row {i}"));
        }
        // Cells: privileged (label 0, 1), unprivileged (label 0, 1).
        let factor = |k: usize| rw.cells()[k].factor.get().unwrap();
        assert_close(factor(0), num(&want["w_p_unfav"]), 1e-12, case);
        assert_close(factor(1), num(&want["w_p_fav"]), 1e-12, case);
        assert_close(factor(2), num(&want["w_up_unfav"]), 1e-12, case);
        assert_close(factor(3), num(&want["w_up_fav"]), 1e-12, case);
    }
}

#[test]
fn reweighing_general_form_matches_kamiran_calders_on_intersectional_groups() {
    let f = fixture("mitigate_reweighing.json");
    let y = labels(&f["y"]);
    let sex = strings(&f["sex"]);
    let age = strings(&f["age_group"]);
    let w_in = floats(&f["sample_weight"]);
    let groups = groups_of(&[("sex", &sex), ("age_group", &age)]);
    assert_eq!(groups.n_groups(), 4);
    for (case, w) in [
        ("general_intersectional", None),
        ("general_intersectional_weighted", Some(w_in.view())),
    ] {
        let rw = reweighing(y.view(), &groups, w).unwrap();
        let expected = floats(&f[case]["weights"]);
        for (i, (&g, &e)) in rw.weights().iter().zip(&expected).enumerate() {
            assert_close(g, e, 1e-12, &format!("{case} row {i}"));
        }
        for cell in rw.cells() {
            let key = format!("{}|{}", cell.group, cell.label);
            let want = num(&f[case]["cells"][&key]);
            assert_close(cell.factor.get().unwrap(), want, 1e-12, &key);
        }
    }
}

#[test]
fn reweighing_documents_empty_cells_and_rejects_bad_input() {
    let groups = groups_of(&[("g", &["a", "a", "b", "b", "b"].map(String::from))]);
    // Group a holds label 1 only: its label-0 cell is undefined and gets no row.
    let y = array![1, 1, 0, 1, 0];
    let rw = reweighing(y.view(), &groups, None).unwrap();
    assert!(!rw.cells()[0].factor.is_defined());
    assert_eq!(rw.cells()[0].weight, 0.0);
    // Cell (a, 1) gets W_1 / W = 3/5.
    assert!((rw.weights()[0] - 0.6).abs() < 1e-15);
    assert!(rw.weights().iter().all(|w| w.is_finite()));

    let short = array![1, 0];
    assert!(matches!(
        reweighing(short.view(), &groups, None),
        Err(Error::ShapeMismatch {
            expected: 5,
            got: 2,
            ..
        })
    ));
    let bad = array![1, 2, 0, 1, 0];
    assert!(matches!(
        reweighing(bad.view(), &groups, None),
        Err(Error::InvalidValue { row: Some(1), .. })
    ));
    let w = array![1.0, 1.0];
    assert!(matches!(
        reweighing(y.view(), &groups, Some(w.view())),
        Err(Error::ShapeMismatch { .. })
    ));
    assert!(reweighing_privileged(y.view(), &groups, &[0], &[0], None).is_err());
    assert!(reweighing_privileged(y.view(), &groups, &[0], &[7], None).is_err());
    assert!(reweighing_privileged(y.view(), &groups, &[], &[1], None).is_err());
}

// ------------------------------------------------------------------------ correlation remover

#[test]
fn correlation_remover_matches_fairlearn() {
    let f = fixture("mitigate_correlation.json");
    let x = matrix(&f["x"]);
    let train: Vec<usize> = labels(&f["train"]).to_vec();
    let test: Vec<usize> = labels(&f["test"]).to_vec();
    let ids: Vec<usize> = labels(&f["sensitive_feature_ids"]).to_vec();
    let x_train = x.select(Axis(0), &train);
    let x_test = x.select(Axis(0), &test);
    for case in f["cases"].as_object().unwrap().values() {
        let alpha = num(&case["alpha"]);
        let fitted = CorrelationRemover::default()
            .with_sensitive_feature_ids(ids.clone())
            .with_alpha(alpha)
            .fit(x_train.view())
            .unwrap();
        for (g, w) in fitted
            .sensitive_mean()
            .iter()
            .zip(&floats(&case["sensitive_mean"]))
        {
            assert_close(*g, *w, 1e-12, "sensitive_mean");
        }
        let beta = matrix(&case["beta"]);
        assert_eq!(fitted.beta().dim(), beta.dim());
        for (g, w) in fitted.beta().iter().zip(&beta) {
            assert_close(*g, *w, 1e-12, &format!("beta (alpha {alpha})"));
        }
        let out = fitted.transform(x_test.view()).unwrap();
        let want = matrix(&case["transform_test"]);
        assert_eq!(out.dim(), want.dim());
        assert_eq!(out.ncols(), x.ncols() - ids.len());
        for (g, w) in out.iter().zip(&want) {
            assert_close(*g, *w, 1e-12, &format!("transform (alpha {alpha})"));
        }
    }
}

#[test]
fn correlation_remover_rejects_bad_input_and_round_trips() {
    let x = array![
        [1.0, 0.0, 3.0],
        [2.0, 1.0, 1.0],
        [4.0, 1.0, 0.0],
        [3.0, 0.0, 2.0]
    ];
    for alpha in [-0.1, 1.5, f64::NAN] {
        let err = CorrelationRemover::default()
            .with_alpha(alpha)
            .validate()
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidParameter { ref name, .. } if name == "alpha"),
            "{err}"
        );
    }
    let p = CorrelationRemover::default().with_sensitive_feature_ids(vec![1, 1]);
    assert!(p.fit(x.view()).is_err());
    let p = CorrelationRemover::default().with_sensitive_feature_ids(vec![3]);
    assert!(matches!(
        p.fit(x.view()),
        Err(Error::InvalidParameter { .. })
    ));
    let p = CorrelationRemover::default().with_sensitive_feature_ids(vec![1]);
    let w = array![1.0, 1.0, 1.0, 1.0];
    assert!(matches!(
        p.fit_weighted(x.view(), Some(w.view())),
        Err(Error::Unsupported { .. })
    ));
    let mut nan = x.clone();
    nan[[2, 0]] = f64::NAN;
    assert!(matches!(
        p.fit(nan.view()),
        Err(Error::NonFinite { row: 2, .. })
    ));

    let fitted = p.fit(x.view()).unwrap();
    let out = fitted.transform(x.view()).unwrap();
    // alpha = 1: each remaining column is uncorrelated with the sensitive column.
    let s = x.column(1).to_owned() - x.column(1).mean().unwrap();
    for col in out.columns() {
        let c = col.to_owned() - col.mean().unwrap();
        assert!(c.dot(&s).abs() < 1e-12);
    }
    assert!(matches!(
        fitted.transform(x.slice(ndarray::s![.., ..2]).view()),
        Err(Error::FeatureCountMismatch {
            expected: 3,
            got: 2,
            ..
        })
    ));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cr.kiln");
    persist::save(&fitted, &path).unwrap();
    let back: FittedCorrelationRemover = persist::load(&path).unwrap();
    assert_eq!(back.transform(x.view()).unwrap(), out);
}

// ----------------------------------------------------------------------- threshold optimizer

fn constraint_of(name: &str) -> Disparity {
    match name {
        "demographic_parity" => Disparity::DemographicParity,
        "true_positive_rate_parity" => Disparity::TruePositiveRateParity,
        "false_positive_rate_parity" => Disparity::FalsePositiveRateParity,
        "equalized_odds" => Disparity::EqualizedOdds,
        other => panic!("unknown constraint {other}"),
    }
}

struct ThresholdData {
    f: Json,
    y_train: Array1<usize>,
    s_train: Array1<f64>,
    s_test: Array1<f64>,
}

fn threshold_data() -> ThresholdData {
    let f = fixture("mitigate_threshold.json");
    ThresholdData {
        y_train: labels(&f["y_train"]),
        s_train: floats(&f["scores_train"]),
        s_test: floats(&f["scores_test"]),
        f,
    }
}

fn threshold_groups(f: &Json, sensitive: &str, part: &str) -> Groups {
    let sex = strings(&f[format!("sex_{part}")]);
    let age = strings(&f[format!("age_group_{part}")]);
    match sensitive {
        "sex" => groups_of(&[("sex", &sex)]),
        "age_group" => groups_of(&[("age_group", &age)]),
        _ => groups_of(&[("sex", &sex), ("age_group", &age)]),
    }
}

#[test]
fn threshold_optimizer_matches_fairlearn_rules_and_pmf() {
    let d = threshold_data();
    for case in d.f["cases"].as_array().unwrap() {
        let sensitive = case["sensitive"].as_str().unwrap();
        let label = format!(
            "{} / {} / {sensitive}",
            case["constraints"].as_str().unwrap(),
            case["objective"].as_str().unwrap()
        );
        let objective = match case["objective"].as_str().unwrap() {
            "accuracy_score" => Objective::AccuracyScore,
            _ => Objective::BalancedAccuracyScore,
        };
        let g_train = threshold_groups(&d.f, sensitive, "train");
        let g_test = threshold_groups(&d.f, sensitive, "test");
        let fitted = ThresholdOptimizer::default()
            .with_constraints(constraint_of(case["constraints"].as_str().unwrap()))
            .with_objective(objective)
            .with_flip(case["flip"].as_bool().unwrap())
            .fit(d.s_train.view(), d.y_train.view(), &g_train)
            .unwrap();
        assert_close(fitted.x_best(), num(&case["x_best"]), 1e-12, &label);
        let interp = case["interpolation"].as_object().unwrap();
        assert_eq!(interp.len(), fitted.rules().len(), "{label}");
        for (name, rule) in fitted.group_names().iter().zip(fitted.rules()) {
            // fairlearn joins intersectional levels with "," where kiln uses ", ".
            let want = &interp[&name.replace(", ", ",")];
            let what = format!("{label} group {name}");
            assert_close(rule.p0, num(&want["p0"]), 1e-12, &what);
            assert_close(rule.p1, num(&want["p1"]), 1e-12, &what);
            assert_eq!(
                rule.operation0.operator(),
                want["operator0"].as_str().unwrap(),
                "{what}"
            );
            assert_eq!(
                rule.operation1.operator(),
                want["operator1"].as_str().unwrap(),
                "{what}"
            );
            assert_close(
                rule.operation0.threshold,
                num(&want["threshold0"]),
                1e-15,
                &what,
            );
            assert_close(
                rule.operation1.threshold,
                num(&want["threshold1"]),
                1e-15,
                &what,
            );
            match want.get("p_ignore") {
                Some(pi) => {
                    assert_close(rule.p_ignore.unwrap(), num(pi), 1e-12, &what);
                    let c = num(&want["prediction_constant"]);
                    assert_close(rule.prediction_constant.unwrap(), c, 1e-12, &what);
                }
                None => assert!(rule.p_ignore.is_none(), "{what}"),
            }
        }
        let pmf = fitted.pmf_predict(d.s_test.view(), &g_test).unwrap();
        for (i, (&g, w)) in pmf.iter().zip(floats(&case["pmf_test"])).enumerate() {
            assert_close(g, w, 1e-12, &format!("{label} pmf row {i}"));
        }
    }
}

#[test]
fn threshold_optimizer_predictions_are_seeded_and_round_trip() {
    let d = threshold_data();
    let g_train = threshold_groups(&d.f, "age_group", "train");
    let g_test = threshold_groups(&d.f, "age_group", "test");
    let fitted = ThresholdOptimizer::default()
        .with_seed(7)
        .fit(d.s_train.view(), d.y_train.view(), &g_train)
        .unwrap();
    let a = fitted.predict(d.s_test.view(), &g_test).unwrap();
    let b = fitted.predict(d.s_test.view(), &g_test).unwrap();
    assert_eq!(a, b);
    let c = fitted
        .predict_with_seed(d.s_test.view(), &g_test, 8)
        .unwrap();
    // The rows whose probability is strictly between 0 and 1 are drawn; a new seed redraws them.
    let pmf = fitted.pmf_predict(d.s_test.view(), &g_test).unwrap();
    for i in 0..pmf.len() {
        if pmf[i] == 1.0 || pmf[i] == 0.0 {
            assert_eq!(a[i], pmf[i] as usize);
            assert_eq!(c[i], pmf[i] as usize);
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("to.kiln");
    persist::save(&fitted, &path).unwrap();
    let back: FittedThresholdOptimizer = persist::load(&path).unwrap();
    assert_eq!(back.predict(d.s_test.view(), &g_test).unwrap(), a);
    assert_eq!(back.pmf_predict(d.s_test.view(), &g_test).unwrap(), pmf);
}

#[test]
fn threshold_optimizer_rejects_bad_input() {
    let d = threshold_data();
    let g_train = threshold_groups(&d.f, "sex", "train");
    let to = ThresholdOptimizer::default();
    let mut s = d.s_train.clone();
    s[5] = f64::NAN;
    assert!(matches!(
        to.fit(s.view(), d.y_train.view(), &g_train),
        Err(Error::NonFinite { row: 5, .. })
    ));
    let short = d.s_train.slice(ndarray::s![..10]).to_owned();
    assert!(matches!(
        to.fit(short.view(), d.y_train.view(), &g_train),
        Err(Error::ShapeMismatch { .. })
    ));
    assert!(matches!(
        to.with_grid_size(0)
            .fit(d.s_train.view(), d.y_train.view(), &g_train),
        Err(Error::InvalidParameter { .. })
    ));
    // A group with one label only cannot be thresholded (fairlearn: degenerate labels).
    let groups = groups_of(&[("g", &["a", "a", "b", "b"].map(String::from))]);
    let err = to
        .fit(
            array![0.1, 0.9, 0.3, 0.4].view(),
            array![0, 1, 1, 1].view(),
            &groups,
        )
        .unwrap_err();
    assert!(err.to_string().contains("`b`"), "{err}");
    // A group not seen at fit is a typed error at predict.
    let fitted = to
        .fit(d.s_train.view(), d.y_train.view(), &g_train)
        .unwrap();
    let unknown = groups_of(&[("sex", &["female", "other"].map(String::from))]);
    let err = fitted
        .pmf_predict(array![0.2, 0.7].view(), &unknown)
        .unwrap_err();
    assert!(
        matches!(err, Error::UnknownLabel { ref label, row: Some(1), .. } if label == "other"),
        "{err}"
    );
    let mut s = d.s_test.clone();
    s[0] = f64::INFINITY;
    let g_test = threshold_groups(&d.f, "sex", "test");
    assert!(matches!(
        fitted.predict(s.view(), &g_test),
        Err(Error::NonFinite { row: 0, .. })
    ));
}

// ------------------------------------------------- trade-offs on held-out data (kiln model)

/// The german_credit split of the fixtures, with kiln-datasets' features: the 7 numeric ones
/// and one-hot indicators of the 13 categorical ones (not `sex`, `age_group`), standardized
/// on the training rows; `age_group` is the sensitive column.
struct HeldOut {
    raw_train: Array2<f64>,
    raw_test: Array2<f64>,
    x_train: Array2<f64>,
    x_test: Array2<f64>,
    y_train: Array1<usize>,
    y_test: Array1<usize>,
    g_train: Groups,
    g_test: Groups,
}

fn held_out() -> HeldOut {
    let set = Dataset::GermanCredit;
    let data = set.load_numeric().unwrap();
    let y = data.target.class_indices().unwrap().clone();
    let mut columns: Vec<Array1<f64>> =
        data.x.columns().into_iter().map(|c| c.to_owned()).collect();
    for name in set.info().features_categorical {
        let values = set.column_strings(name).unwrap();
        let mut levels = values.clone();
        levels.sort();
        levels.dedup();
        for level in &levels {
            columns.push(
                values
                    .iter()
                    .map(|v| f64::from(u8::from(v == level)))
                    .collect(),
            );
        }
    }
    let views: Vec<_> = columns.iter().map(|c| c.view()).collect();
    let raw = ndarray::stack(Axis(1), &views).unwrap();
    let f = fixture("mitigate_correlation.json");
    let train: Vec<usize> = labels(&f["train"]).to_vec();
    let test: Vec<usize> = labels(&f["test"]).to_vec();
    let (raw_train, raw_test) = (raw.select(Axis(0), &train), raw.select(Axis(0), &test));
    let scaler = StandardScaler::default().fit(raw_train.view()).unwrap();
    let age = set.column_strings("age_group").unwrap();
    let pick = |rows: &[usize]| -> Vec<String> { rows.iter().map(|&i| age[i].clone()).collect() };
    HeldOut {
        x_train: scaler.transform(raw_train.view()).unwrap(),
        x_test: scaler.transform(raw_test.view()).unwrap(),
        raw_train,
        raw_test,
        y_train: y.select(Axis(0), &train),
        y_test: y.select(Axis(0), &test),
        g_train: groups_of(&[("age_group", &pick(&train))]),
        g_test: groups_of(&[("age_group", &pick(&test))]),
    }
}

fn print_trade_off(name: &str, t: &TradeOff) {
    println!("{name}: {t} (accuracy loss {:.4})", t.accuracy_loss());
}

#[test]
fn threshold_optimizer_shrinks_the_gap_on_held_out_data() {
    let h = held_out();
    let model = LogisticRegression::default()
        .fit(h.x_train.view(), h.y_train.view())
        .unwrap();
    let s_train = scores_from_proba(&model, h.x_train.view()).unwrap();
    let s_test = scores_from_proba(&model, h.x_test.view()).unwrap();
    let before: Array1<usize> = s_test.iter().map(|&p| usize::from(p > 0.5)).collect();
    for (constraint, mode) in [
        (Disparity::DemographicParity, Mode::Randomized),
        (Disparity::DemographicParity, Mode::Deterministic),
        (Disparity::EqualizedOdds, Mode::Randomized),
        (Disparity::TruePositiveRateParity, Mode::Deterministic),
    ] {
        let fitted = ThresholdOptimizer::default()
            .with_constraints(constraint)
            .with_mode(mode)
            .fit(s_train.view(), h.y_train.view(), &h.g_train)
            .unwrap();
        let t = fitted
            .trade_off(s_test.view(), h.y_test.view(), &h.g_test, before.view())
            .unwrap();
        print_trade_off(&format!("ThresholdOptimizer {constraint} {mode:?}"), &t);
        let (b, a) = (t.gap_before.get().unwrap(), t.gap_after.get().unwrap());
        assert!(a < b, "{constraint} {mode:?}: gap {b} -> {a}");
    }
}

#[test]
fn reweighing_shrinks_the_gap_on_held_out_data() {
    let h = held_out();
    let lr = LogisticRegression::default();
    let plain = lr.fit(h.x_train.view(), h.y_train.view()).unwrap();
    let rw = reweighing(h.y_train.view(), &h.g_train, None).unwrap();
    let weighted = lr
        .fit_weighted(
            h.x_train.view(),
            h.y_train.view(),
            Some(rw.weights().view()),
        )
        .unwrap();
    let before = plain.predict(h.x_test.view()).unwrap();
    let after = weighted.predict(h.x_test.view()).unwrap();
    let t = TradeOff::new(
        h.y_test.view(),
        before.view(),
        after.view(),
        &h.g_test,
        Disparity::DemographicParity,
        None,
    )
    .unwrap();
    print_trade_off("Reweighing", &t);
    assert!(
        t.gap_after.get().unwrap() < t.gap_before.get().unwrap(),
        "{t}"
    );
}

#[test]
fn correlation_remover_shrinks_the_gap_on_held_out_data() {
    let h = held_out();
    // All features plus the `<25` indicator as the (last) sensitive column.
    let indicator = |g: &Groups| -> Array2<f64> {
        g.group_of()
            .iter()
            .map(|&k| f64::from(u8::from(k == 0)))
            .collect::<Array1<f64>>()
            .insert_axis(Axis(1))
    };
    let raw_train =
        ndarray::concatenate(Axis(1), &[h.raw_train.view(), indicator(&h.g_train).view()]).unwrap();
    let raw_test =
        ndarray::concatenate(Axis(1), &[h.raw_test.view(), indicator(&h.g_test).view()]).unwrap();
    let remover = CorrelationRemover::default()
        .with_sensitive_feature_ids(vec![raw_train.ncols() - 1])
        .fit(raw_train.view())
        .unwrap();
    let filtered_train = remover.transform(raw_train.view()).unwrap();
    let sc = StandardScaler::default()
        .fit(filtered_train.view())
        .unwrap();
    let z_train = sc.transform(filtered_train.view()).unwrap();
    let z_test = sc
        .transform(remover.transform(raw_test.view()).unwrap().view())
        .unwrap();
    let lr = LogisticRegression::default();
    let before = lr
        .fit(h.x_train.view(), h.y_train.view())
        .unwrap()
        .predict(h.x_test.view())
        .unwrap();
    let after = lr
        .fit(z_train.view(), h.y_train.view())
        .unwrap()
        .predict(z_test.view())
        .unwrap();
    let t = TradeOff::new(
        h.y_test.view(),
        before.view(),
        after.view(),
        &h.g_test,
        Disparity::DemographicParity,
        None,
    )
    .unwrap();
    print_trade_off("CorrelationRemover", &t);
    assert!(
        t.gap_after.get().unwrap() < t.gap_before.get().unwrap(),
        "{t}"
    );
}

#[test]
fn trade_off_gaps_are_hand_computed_and_fitted_types_are_send_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<FittedThresholdOptimizer>();
    send_sync::<FittedCorrelationRemover>();
    send_sync::<TradeOff>();

    let groups = groups_of(&[("g", &["a", "a", "a", "b", "b", "b"].map(String::from))]);
    let y = array![1, 1, 0, 1, 0, 0];
    let before = array![1, 0, 1, 1, 1, 1];
    let after = array![1, 1, 0, 1, 0, 0];
    // Before: a has TPR 1/2, FPR 1; b has TPR 1, FPR 1. EO gap = max(1/2, 0).
    let t = TradeOff::new(
        y.view(),
        before.view(),
        after.view(),
        &groups,
        Disparity::EqualizedOdds,
        None,
    )
    .unwrap();
    assert_eq!(t.gap_before.get(), Some(0.5));
    assert_eq!(t.gap_after.get(), Some(0.0));
    assert!((t.metric_before - 2.0 / 6.0).abs() < 1e-15);
    assert_eq!(t.metric_after, 1.0);
    // Weighted: row 1 (a positive missed) weighs 3, so a's TPR is 1/4 and accuracy 6/11.
    let w = array![1.0, 3.0, 1.0, 1.0, 2.0, 3.0];
    let t = TradeOff::new(
        y.view(),
        before.view(),
        after.view(),
        &groups,
        Disparity::TruePositiveRateParity,
        Some(w.view()),
    )
    .unwrap();
    assert_eq!(t.gap_before.get(), Some(0.75));
    assert!(
        (t.metric_before - 2.0 / 11.0).abs() < 1e-15,
        "{}",
        t.metric_before
    );
    assert!((t.accuracy_loss() - (2.0 / 11.0 - 1.0)).abs() < 1e-15);
}
