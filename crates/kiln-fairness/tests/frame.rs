//! Group metrics against fairlearn 0.15's `MetricFrame` (fixture from
//! `tests/reference/frame_reference.py` on german_credit predictions), the bootstrap against
//! direct recomputation on the drawn rows, bad input, and an ignored speed test.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers: a malformed fixture or a mismatch should fail the test loudly"
)]

use std::collections::HashMap;
use std::time::Instant;

use kiln_core::Error;
use kiln_fairness::frame::{
    Bounds, FrameIntervals, FrameOptions, FrameWarning, Method, Metric, MetricFrame, Table,
};
use kiln_fairness::groups::{Groups, SensitiveColumn};
use kiln_fairness::value::{Value, ZeroDivision};
use ndarray::{Array1, ArrayView1, array};
use serde_json::Value as Json;

const TOL: f64 = 1e-12;

fn fixture() -> Json {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/frame_german_credit.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

struct Inputs {
    y_true: Array1<usize>,
    y_pred: Array1<usize>,
    proba: Array1<f64>,
    weights: Array1<f64>,
    columns: HashMap<String, Vec<String>>,
}

fn inputs(doc: &Json) -> Inputs {
    let i = &doc["inputs"];
    let us = |v: &Json| -> Array1<usize> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap() as usize)
            .collect()
    };
    let fs = |v: &Json| -> Array1<f64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect()
    };
    let columns = i["columns"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            let vals = v
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_owned());
            (k.clone(), vals.collect())
        })
        .collect();
    Inputs {
        y_true: us(&i["y_true"]),
        y_pred: us(&i["y_pred"]),
        proba: fs(&i["proba"]),
        weights: fs(&i["weights"]),
        columns,
    }
}

fn groups_of(inp: &Inputs, sensitive: &[&str], control: &[&str]) -> Groups {
    let col = |n: &&str| SensitiveColumn::from_strings(*n, &inp.columns[*n]).unwrap();
    let s: Vec<_> = sensitive.iter().map(col).collect();
    let c: Vec<_> = control.iter().map(col).collect();
    Groups::new(&s, &c).unwrap()
}

/// F1 with 0 for 0/0, by hand (scikit-learn's `f1_score(zero_division=0)`).
fn f1(
    yt: ArrayView1<'_, usize>,
    yp: ArrayView1<'_, usize>,
    sw: Option<ArrayView1<'_, f64>>,
) -> kiln_core::Result<f64> {
    let (mut tp, mut fp, mut fn_) = (0.0, 0.0, 0.0);
    for i in 0..yt.len() {
        let w = sw.map_or(1.0, |w| w[i]);
        match (yt[i], yp[i]) {
            (1, 1) => tp += w,
            (0, 1) => fp += w,
            (1, 0) => fn_ += w,
            _ => {}
        }
    }
    let den = 2.0 * tp + fp + fn_;
    Ok(if den == 0.0 { 0.0 } else { 2.0 * tp / den })
}

/// Brier score, the weighted mean of `(p - y)^2`.
fn brier(
    yt: ArrayView1<'_, usize>,
    p: ArrayView1<'_, f64>,
    sw: Option<ArrayView1<'_, f64>>,
) -> kiln_core::Result<f64> {
    let (mut num, mut den) = (0.0, 0.0);
    for i in 0..yt.len() {
        let w = sw.map_or(1.0, |w| w[i]);
        num += w * (p[i] - yt[i] as f64).powi(2);
        den += w;
    }
    Ok(num / den)
}

fn all_metrics() -> Vec<Metric> {
    vec![
        Metric::selection_rate(),
        Metric::tpr(),
        Metric::fpr(),
        Metric::tnr(),
        Metric::fnr(),
        Metric::precision(),
        Metric::npv(),
        Metric::accuracy(),
        Metric::error_rate(),
        Metric::count(),
        Metric::custom("f1", f1),
        Metric::mean_score(),
        Metric::roc_auc(),
        Metric::custom_score("brier", brier),
    ]
}

#[track_caller]
fn check_value(what: &str, got: &Value, want: &Json) {
    match (got, want.as_f64()) {
        (Value::Defined(g), Some(w)) => {
            assert!((g - w).abs() <= TOL, "{what}: kiln {g}, fairlearn {w}")
        }
        (Value::Undefined(_), None) => {}
        (g, _) => panic!("{what}: kiln {g}, fairlearn {want}"),
    }
}

#[test]
fn metric_frame_matches_fairlearn_on_german_credit() {
    let doc = fixture();
    let inp = inputs(&doc);
    let metrics = all_metrics();
    let cases = doc["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 20);
    let mut compared = 0;
    for case in cases {
        let strs = |k: &str| -> Vec<String> {
            case[k]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_owned())
                .collect()
        };
        let (sens, ctrl) = (strs("sensitive"), strs("control"));
        let sens: Vec<&str> = sens.iter().map(String::as_str).collect();
        let ctrl: Vec<&str> = ctrl.iter().map(String::as_str).collect();
        let weighted = case["weighted"].as_bool().unwrap();
        let mode = case["mode"].as_str().unwrap();
        let name = format!("{sens:?} | {ctrl:?} weighted={weighted} mode={mode}");
        let groups = groups_of(&inp, &sens, &ctrl);
        let zd = if mode == "zero" {
            ZeroDivision::Zero
        } else {
            ZeroDivision::Undefined
        };
        let options = FrameOptions::default().with_zero_division(zd);
        let frame = MetricFrame::new(
            &metrics,
            inp.y_true.view(),
            inp.y_pred.view(),
            Some(inp.proba.view()),
            &groups,
            weighted.then(|| inp.weights.view()),
            &options,
        )
        .unwrap();

        // fairlearn's index is every combination; kiln's groups are the non-empty ones.
        let index: Vec<Vec<String>> = case["index"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r.as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s.as_str().unwrap().to_owned())
                    .collect()
            })
            .collect();
        let ours: HashMap<Vec<String>, usize> = (0..groups.n_groups())
            .map(|g| {
                let mut key: Vec<String> = groups
                    .control_levels(g)
                    .iter()
                    .map(|s| s.to_string())
                    .collect();
                key.extend(groups.sensitive_levels(g).iter().map(|s| s.to_string()));
                (key, g)
            })
            .collect();
        let counts = &case["metrics"]["count"]["by_group"];
        let mut matched = 0;
        for (row, key) in index.iter().enumerate() {
            match ours.get(key) {
                Some(&g) => {
                    assert_eq!(
                        counts[row].as_f64().unwrap() as usize,
                        frame.counts()[g],
                        "{name}"
                    );
                    matched += 1;
                }
                None => assert!(counts[row].is_null(), "{name}: {key:?} missing"),
            }
        }
        assert_eq!(matched, groups.n_groups(), "{name}");

        let tables: [(&str, Table<Value>); 7] = [
            ("overall", frame.overall()),
            ("group_min", frame.group_min()),
            ("group_max", frame.group_max()),
            (
                "difference_between_groups",
                frame.difference(Method::BetweenGroups),
            ),
            ("difference_to_overall", frame.difference(Method::ToOverall)),
            ("ratio_between_groups", frame.ratio(Method::BetweenGroups)),
            ("ratio_to_overall", frame.ratio(Method::ToOverall)),
        ];
        let by_group = frame.by_group();
        for (m, metric) in metrics.iter().enumerate() {
            let want = &case["metrics"][metric.name()];
            for (row, key) in index.iter().enumerate() {
                if let Some(&g) = ours.get(key) {
                    let what = format!("{name}: by_group {} {key:?}", metric.name());
                    check_value(&what, by_group.get(g, m).unwrap(), &want["by_group"][row]);
                    compared += 1;
                }
            }
            for (label, table) in &tables {
                let levels = want[*label].as_array().unwrap();
                assert_eq!(levels.len(), table.n_rows(), "{name} {label}");
                for (l, w) in levels.iter().enumerate() {
                    let what = format!("{name}: {label} {} level {l}", metric.name());
                    check_value(&what, table.get(l, m).unwrap(), w);
                    compared += 1;
                }
            }
        }
        // Group weights are reported (the counts without weights).
        let total: f64 = frame.weights().iter().sum();
        let expect = if weighted {
            inp.weights.sum()
        } else {
            inp.y_true.len() as f64
        };
        assert!((total - expect).abs() < 1e-9, "{name}");
    }
    assert!(compared > 4000, "{compared} values compared");
}

#[test]
fn group_without_positives_is_undefined_with_counts_and_left_out_of_aggregates() {
    let doc = fixture();
    let inp = inputs(&doc);
    let groups = groups_of(&inp, &["sex_np"], &[]);
    let metrics = [Metric::tpr(), Metric::precision(), Metric::selection_rate()];
    let frame = MetricFrame::new(
        &metrics,
        inp.y_true.view(),
        inp.y_pred.view(),
        None,
        &groups,
        None,
        &FrameOptions::default(),
    )
    .unwrap();
    let tpr = frame
        .by_group()
        .value("nopos", "true_positive_rate")
        .unwrap()
        .clone();
    match tpr {
        Value::Undefined(u) => assert_eq!((u.numerator, u.denominator), (0.0, 0.0)),
        v => panic!("{v}"),
    }
    assert_eq!(frame.counts()[groups.n_groups() - 1], 8);
    let warned = frame.warnings().iter().any(|w| {
        matches!(w, FrameWarning::UndefinedValues { metric, groups }
            if metric == "true_positive_rate" && groups == &["nopos".to_string()])
    });
    assert!(warned, "{:?}", frame.warnings());
    // The aggregates are over female and male only: min is theirs, not nopos's 0.
    let bg = frame.by_group();
    let (f, m) = (
        bg.get(0, 0).unwrap().get().unwrap(),
        bg.get(1, 0).unwrap().get().unwrap(),
    );
    assert_eq!(frame.group_min().get(0, 0).unwrap().get(), Some(f.min(m)));
    assert_eq!(
        frame
            .difference(Method::BetweenGroups)
            .get(0, 0)
            .unwrap()
            .get(),
        Some((f - m).abs())
    );
    // Under fairlearn's preset the same group has TPR 0, and it decides the ratio.
    let zero = MetricFrame::new(
        &metrics,
        inp.y_true.view(),
        inp.y_pred.view(),
        None,
        &groups,
        None,
        &FrameOptions::fairlearn(),
    )
    .unwrap();
    assert_eq!(
        zero.ratio(Method::BetweenGroups).get(0, 0).unwrap().get(),
        Some(0.0)
    );
    // Selection rate is defined for nopos (0 of 8 selected) in both.
    assert_eq!(
        frame
            .by_group()
            .value("nopos", "selection_rate")
            .unwrap()
            .get(),
        Some(0.0)
    );
}

#[test]
fn one_group_only_gives_difference_zero_ratio_one_and_a_warning() {
    let g = Groups::new(
        &[SensitiveColumn::from_strings("s", ["a"; 5]).unwrap()],
        &[],
    )
    .unwrap();
    let y_true = array![1, 0, 1, 1, 0];
    let y_pred = array![0, 0, 0, 0, 0];
    // Selection rate is 0 in the only group: fairlearn's min/max would be 0/0.
    let frame = MetricFrame::new(
        &[Metric::selection_rate(), Metric::accuracy()],
        y_true.view(),
        y_pred.view(),
        None,
        &g,
        None,
        &FrameOptions::fairlearn(),
    )
    .unwrap();
    for m in 0..2 {
        for method in [Method::BetweenGroups, Method::ToOverall] {
            assert_eq!(
                frame.difference(method).get(0, m).unwrap(),
                &Value::Defined(0.0)
            );
            assert_eq!(frame.ratio(method).get(0, m).unwrap(), &Value::Defined(1.0));
        }
    }
    assert!(frame.single_group());
    assert!(frame.warnings().contains(&FrameWarning::SingleGroup {
        control_level: None
    }));
    assert_eq!(frame.overall().get(0, 1).unwrap().get(), Some(0.4));
}

#[test]
fn control_levels_get_their_own_overall_and_aggregates_by_hand() {
    // Control c: level x has groups a (rows 0,1) and b (rows 2,3); level y has a only.
    let s = SensitiveColumn::from_strings("s", ["a", "a", "b", "b", "a", "a"]).unwrap();
    let c = SensitiveColumn::from_strings("c", ["x", "x", "x", "x", "y", "y"]).unwrap();
    let g = Groups::new(&[s], &[c]).unwrap();
    let y_true = array![1, 1, 1, 0, 1, 0];
    let y_pred = array![1, 0, 1, 1, 1, 1];
    let frame = MetricFrame::new(
        &[Metric::selection_rate()],
        y_true.view(),
        y_pred.view(),
        None,
        &g,
        None,
        &FrameOptions::default(),
    )
    .unwrap();
    assert_eq!(frame.level_names(), &["x", "y"]);
    // x: a selects 1/2, b 2/2, overall 3/4; y: a selects 2/2.
    assert_eq!(frame.overall().get(0, 0).unwrap().get(), Some(0.75));
    assert_eq!(frame.overall().get(1, 0).unwrap().get(), Some(1.0));
    assert_eq!(
        frame
            .difference(Method::BetweenGroups)
            .get(0, 0)
            .unwrap()
            .get(),
        Some(0.5)
    );
    assert_eq!(
        frame.difference(Method::ToOverall).get(0, 0).unwrap().get(),
        Some(0.25)
    );
    assert_eq!(
        frame.ratio(Method::BetweenGroups).get(0, 0).unwrap().get(),
        Some(0.5)
    );
    assert_eq!(
        frame.ratio(Method::ToOverall).get(0, 0).unwrap().get(),
        Some(0.5 / 0.75)
    );
    assert_eq!(
        frame.ratio(Method::BetweenGroups).get(1, 0).unwrap().get(),
        Some(1.0)
    );
    assert!(frame.warnings().contains(&FrameWarning::SingleGroup {
        control_level: Some("y".into())
    }));
    // (y, b) is an empty intersection, not a group.
    assert_eq!(frame.group_names().len(), 3);
    assert!(
        frame
            .warnings()
            .contains(&FrameWarning::EmptyIntersections { count: 1 })
    );
}

#[test]
fn roc_auc_of_a_single_class_group_is_undefined_not_an_error() {
    let s = SensitiveColumn::from_strings("s", ["a", "a", "a", "b", "b", "b"]).unwrap();
    let g = Groups::new(&[s], &[]).unwrap();
    let y_true = array![0, 0, 0, 1, 0, 1];
    let y_pred = array![0, 1, 0, 1, 0, 1];
    let score = array![0.1, 0.7, 0.2, 0.9, 0.3, 0.4];
    let frame = MetricFrame::new(
        &[Metric::roc_auc(), Metric::mean_score()],
        y_true.view(),
        y_pred.view(),
        Some(score.view()),
        &g,
        None,
        &FrameOptions::default(),
    )
    .unwrap();
    assert!(!frame.by_group().get(0, 0).unwrap().is_defined());
    assert_eq!(frame.by_group().get(1, 0).unwrap().get(), Some(1.0));
    assert!((frame.by_group().get(0, 1).unwrap().get().unwrap() - 1.0 / 3.0).abs() < 1e-15);
    // min/max over the one defined group.
    assert_eq!(frame.group_min().get(0, 0).unwrap().get(), Some(1.0));
}

/// The statistics of one frame, in the bootstrap's order, with the by-group rows of
/// `names` (undefined for a group the frame does not have).
fn flat(frame: &MetricFrame, names: &[String], levels: &[String]) -> Vec<Value> {
    assert_eq!(frame.level_names(), levels);
    let mut out: Vec<Value> = frame.overall().values().to_vec();
    let by_group = frame.by_group();
    for name in names {
        for col in by_group.columns() {
            out.push(
                by_group
                    .value(name, col)
                    .cloned()
                    .unwrap_or_else(|| Value::undefined("not drawn")),
            );
        }
    }
    for t in [
        frame.group_min(),
        frame.group_max(),
        frame.difference(Method::BetweenGroups),
        frame.difference(Method::ToOverall),
        frame.ratio(Method::BetweenGroups),
        frame.ratio(Method::ToOverall),
    ] {
        out.extend(t.values().iter().cloned());
    }
    out
}

fn flat_bounds(ci: &FrameIntervals) -> Vec<Bounds> {
    let mut out = Vec::new();
    for t in [
        &ci.overall,
        &ci.by_group,
        &ci.group_min,
        &ci.group_max,
        &ci.difference_between_groups,
        &ci.difference_to_overall,
        &ci.ratio_between_groups,
        &ci.ratio_to_overall,
    ] {
        out.extend(t.values().iter().cloned());
    }
    out
}

/// numpy.quantile's default (linear) of sorted values.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (pos - lo as f64) * (sorted[hi] - sorted[lo])
}

#[test]
fn bootstrap_equals_quantiles_of_frames_recomputed_on_the_drawn_rows() {
    let doc = fixture();
    let inp = inputs(&doc);
    let groups = groups_of(&inp, &["sex", "age_group"], &["housing"]);
    let metrics = all_metrics();
    let options = FrameOptions::fairlearn();
    for weighted in [false, true] {
        let w = weighted.then(|| inp.weights.view());
        let frame = MetricFrame::new(
            &metrics,
            inp.y_true.view(),
            inp.y_pred.view(),
            Some(inp.proba.view()),
            &groups,
            w,
            &options,
        )
        .unwrap();
        let (n_resamples, seed) = (5, 11);
        let ci = frame.bootstrap(n_resamples, 0.5, seed).unwrap();
        let bounds = flat_bounds(&ci);
        // Each resample recomputed from scratch on its rows, by the plain (non-packed) path.
        let mut per: Vec<Vec<Value>> = Vec::new();
        for i in 0..n_resamples {
            let rows = frame.resample_rows(seed, i);
            assert_eq!(rows.len(), inp.y_true.len());
            let pick_u = |a: &Array1<usize>| rows.iter().map(|&r| a[r]).collect::<Array1<usize>>();
            let pick_f = |a: &Array1<f64>| rows.iter().map(|&r| a[r]).collect::<Array1<f64>>();
            let cols: Vec<SensitiveColumn> = ["sex", "age_group"]
                .iter()
                .map(|n| {
                    let v: Vec<&str> = rows.iter().map(|&r| inp.columns[*n][r].as_str()).collect();
                    SensitiveColumn::from_strings(*n, v).unwrap()
                })
                .collect();
            let h: Vec<&str> = rows
                .iter()
                .map(|&r| inp.columns["housing"][r].as_str())
                .collect();
            let g = Groups::new(
                &cols,
                &[SensitiveColumn::from_strings("housing", h).unwrap()],
            )
            .unwrap();
            let wr = pick_f(&inp.weights);
            let f = MetricFrame::new(
                &metrics,
                pick_u(&inp.y_true).view(),
                pick_u(&inp.y_pred).view(),
                Some(pick_f(&inp.proba).view()),
                &g,
                weighted.then(|| wr.view()),
                &options,
            )
            .unwrap();
            per.push(flat(&f, frame.group_names(), frame.level_names()));
        }
        assert_eq!(per[0].len(), bounds.len());
        let mut checked = 0;
        for (s, b) in bounds.iter().enumerate() {
            let mut vals: Vec<f64> = per.iter().filter_map(|p| p[s].get()).collect();
            vals.sort_by(f64::total_cmp);
            assert_eq!(b.n_undefined, n_resamples - vals.len());
            if vals.is_empty() {
                assert!(!b.lower.is_defined());
                continue;
            }
            let (lo, hi) = (quantile(&vals, 0.25), quantile(&vals, 0.75));
            let (gl, gh) = (b.lower.get().unwrap(), b.upper.get().unwrap());
            assert!(
                (gl - lo).abs() <= 1e-12 && (gh - hi).abs() <= 1e-12,
                "stat {s}: {gl} {gh} vs {lo} {hi}"
            );
            checked += 1;
        }
        assert!(checked > 400, "{checked}");
    }
}

#[test]
fn bootstrap_is_identical_on_any_thread_count() {
    let doc = fixture();
    let inp = inputs(&doc);
    let groups = groups_of(&inp, &["sex_np", "age_group"], &[]);
    let frame = MetricFrame::new(
        &all_metrics(),
        inp.y_true.view(),
        inp.y_pred.view(),
        Some(inp.proba.view()),
        &groups,
        Some(inp.weights.view()),
        &FrameOptions::default(),
    )
    .unwrap();
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| frame.bootstrap(50, 0.9, 3).unwrap())
    };
    let one = run(1);
    assert_eq!(one, run(2));
    assert_eq!(one, run(3));
    assert_ne!(one, frame.bootstrap(50, 0.9, 4).unwrap());
    // TPR of the group without positives is undefined in every resample that draws it.
    let b = one
        .by_group
        .value("nopos, >=25", "true_positive_rate")
        .unwrap();
    assert_eq!(b.n_undefined, 50);
    assert!(!b.lower.is_defined());
}

#[test]
fn bootstrap_agrees_with_fairlearns_intervals_statistically() {
    // Different random streams: the 1000-resample quantiles agree to Monte-Carlo error only.
    let doc = fixture();
    let inp = inputs(&doc);
    let boot = &doc["bootstrap"];
    let groups = groups_of(&inp, &["sex", "age_group"], &[]);
    let frame = MetricFrame::new(
        &[Metric::accuracy(), Metric::selection_rate()],
        inp.y_true.view(),
        inp.y_pred.view(),
        None,
        &groups,
        None,
        &FrameOptions::fairlearn(),
    )
    .unwrap();
    let ci = frame.bootstrap(1000, 0.95, 0).unwrap();
    let close = |what: &str, b: &Bounds, lo: &Json, hi: &Json, tol: f64| {
        let (gl, gh) = (b.lower.get().unwrap(), b.upper.get().unwrap());
        let (wl, wh) = (lo.as_f64().unwrap(), hi.as_f64().unwrap());
        assert!(
            (gl - wl).abs() < tol && (gh - wh).abs() < tol,
            "{what}: kiln [{gl}, {gh}], fairlearn [{wl}, {wh}]"
        );
    };
    for (m, name) in ["accuracy", "selection_rate"].iter().enumerate() {
        let o = &boot["overall"][name];
        close("overall", ci.overall.get(0, m).unwrap(), &o[0], &o[1], 0.02);
        let d = &boot["difference_between_groups"][name];
        close(
            "difference",
            ci.difference(Method::BetweenGroups).get(0, m).unwrap(),
            &d[0],
            &d[1],
            0.04,
        );
        let r = &boot["ratio_between_groups"][name];
        close(
            "ratio",
            ci.ratio(Method::BetweenGroups).get(0, m).unwrap(),
            &r[0],
            &r[1],
            0.05,
        );
        for g in 0..4 {
            let b = &boot["by_group"][name];
            close(
                "by_group",
                ci.by_group.get(g, m).unwrap(),
                &b[0][g],
                &b[1][g],
                0.05,
            );
        }
    }
}

fn small() -> (Groups, Array1<usize>, Array1<usize>) {
    let s = SensitiveColumn::from_strings("s", ["a", "b", "a", "b"]).unwrap();
    (
        Groups::new(&[s], &[]).unwrap(),
        array![1, 0, 1, 0],
        array![1, 1, 0, 0],
    )
}

#[test]
fn bad_input_is_a_typed_error() {
    let (g, yt, yp) = (small().0, small().1, small().2);
    let m = [Metric::accuracy()];
    let o = FrameOptions::default();
    let short = array![1, 0, 1];
    let e = MetricFrame::new(&m, short.view(), yp.view(), None, &g, None, &o).unwrap_err();
    assert!(
        matches!(
            e,
            Error::ShapeMismatch {
                expected: 4,
                got: 3,
                ..
            }
        ),
        "{e}"
    );
    let e = MetricFrame::new(&m, yt.view(), short.view(), None, &g, None, &o).unwrap_err();
    assert!(e.to_string().contains("y_pred"), "{e}");
    let two = array![1, 0, 2, 0];
    let e = MetricFrame::new(&m, two.view(), yp.view(), None, &g, None, &o).unwrap_err();
    assert!(matches!(e, Error::InvalidValue { row: Some(2), .. }), "{e}");
    let w = array![1.0, 1.0];
    let e = MetricFrame::new(&m, yt.view(), yp.view(), None, &g, Some(w.view()), &o).unwrap_err();
    assert!(matches!(e, Error::ShapeMismatch { .. }), "{e}");
    let nan = array![0.1, f64::NAN, 0.3, 0.4];
    let ms = [Metric::roc_auc()];
    let e =
        MetricFrame::new(&ms, yt.view(), yp.view(), Some(nan.view()), &g, None, &o).unwrap_err();
    assert!(matches!(e, Error::NonFinite { row: 1, .. }), "{e}");
    let e = MetricFrame::new(&ms, yt.view(), yp.view(), None, &g, None, &o).unwrap_err();
    assert!(e.to_string().contains("y_score"), "{e}");
    let short_s = array![0.1, 0.2];
    let e = MetricFrame::new(
        &ms,
        yt.view(),
        yp.view(),
        Some(short_s.view()),
        &g,
        None,
        &o,
    )
    .unwrap_err();
    assert!(matches!(e, Error::ShapeMismatch { .. }), "{e}");
    let e = MetricFrame::new(&[], yt.view(), yp.view(), None, &g, None, &o).unwrap_err();
    assert!(matches!(e, Error::EmptyInput { .. }), "{e}");
    let dup = [Metric::accuracy(), Metric::tpr().with_name("accuracy")];
    let e = MetricFrame::new(&dup, yt.view(), yp.view(), None, &g, None, &o).unwrap_err();
    assert!(e.to_string().contains("distinct names"), "{e}");
    // No sensitive columns: no groups to form.
    assert!(matches!(
        Groups::new(&[], &[]).unwrap_err(),
        Error::EmptyInput { .. }
    ));
    // A custom metric's error names the metric and the group.
    let failing = [Metric::custom("fails", |_, _, _| {
        Err(Error::EmptyInput {
            what: "x".into(),
            reason: "test".into(),
        })
    })];
    let e = MetricFrame::new(&failing, yt.view(), yp.view(), None, &g, None, &o).unwrap_err();
    assert!(
        e.to_string().contains("fails") && e.to_string().contains("group `a`"),
        "{e}"
    );
    let frame = MetricFrame::new(&m, yt.view(), yp.view(), None, &g, None, &o).unwrap();
    assert!(matches!(
        frame.bootstrap(0, 0.95, 0).unwrap_err(),
        Error::InvalidParameter { .. }
    ));
    assert!(matches!(
        frame.bootstrap(10, 1.0, 0).unwrap_err(),
        Error::InvalidParameter { .. }
    ));
}

// ---------------------------------------------------------------------------------------
// Speed: 1M rows, 3 sensitive columns (2, 5, 8 levels), 5 metrics. The generator is
// written identically in tests/reference/frame_speed_peer.py (SplitMix64 of the row index).

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Columns a (2 levels), b (5), c (8), y_true, y_pred of `n` rows.
#[expect(clippy::type_complexity, reason = "five columns of one generator")]
fn speed_data(
    n: usize,
) -> (
    Vec<usize>,
    Vec<usize>,
    Vec<usize>,
    Array1<usize>,
    Array1<usize>,
) {
    let (mut a, mut b, mut c) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut yt, mut yp) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for i in 0..n as u64 {
        let x = splitmix64(i);
        let (ai, bi, ci) = (
            (x % 2) as usize,
            ((x >> 8) % 5) as usize,
            ((x >> 16) % 8) as usize,
        );
        // Base rate depends on the groups, so groups differ.
        let p_pos = 20 + 5 * ai as u64 + 4 * bi as u64 + 3 * ci as u64; // percent
        let t = usize::from((x >> 24) % 100 < p_pos);
        let flip = (x >> 40) % 100 < 15;
        a.push(ai);
        b.push(bi);
        c.push(ci);
        yt.push(t);
        yp.push(if flip { 1 - t } else { t });
    }
    (a, b, c, Array1::from(yt), Array1::from(yp))
}

#[test]
#[ignore = "speed: run in release with --ignored --nocapture"]
fn speed_one_million_rows_eighty_groups() {
    let n = 1_000_000;
    let (a, b, c, yt, yp) = speed_data(n);
    let metrics = [
        Metric::accuracy(),
        Metric::selection_rate(),
        Metric::tpr(),
        Metric::fpr(),
        Metric::precision(),
    ];
    let mut best = f64::INFINITY;
    let mut best_frame = f64::INFINITY;
    let mut frame = None;
    for _ in 0..5 {
        let t = Instant::now();
        let cols = [
            SensitiveColumn::from_codes("a", ArrayView1::from(&a), None).unwrap(),
            SensitiveColumn::from_codes("b", ArrayView1::from(&b), None).unwrap(),
            SensitiveColumn::from_codes("c", ArrayView1::from(&c), None).unwrap(),
        ];
        let groups = Groups::new(&cols, &[]).unwrap();
        let t_frame = Instant::now();
        let f = MetricFrame::new(
            &metrics,
            yt.view(),
            yp.view(),
            None,
            &groups,
            None,
            &FrameOptions::fairlearn(),
        )
        .unwrap();
        let d = f.difference(Method::BetweenGroups);
        let r = f.ratio(Method::BetweenGroups);
        let d2 = f.difference(Method::ToOverall);
        let r2 = f.ratio(Method::ToOverall);
        std::hint::black_box((&d, &r, &d2, &r2));
        best = best.min(t.elapsed().as_secs_f64());
        best_frame = best_frame.min(t_frame.elapsed().as_secs_f64());
        assert_eq!(f.group_names().len(), 80);
        frame = Some(f);
    }
    let frame = frame.unwrap();
    println!(
        "frame (grouping + 5 metrics + differences and ratios), 1M rows, 80 groups: {:.4} s (best of 5), of which MetricFrame::new and the aggregates {best_frame:.4} s",
        best
    );
    println!(
        "difference(between) = {:?}",
        frame.difference(Method::BetweenGroups).values()
    );
    let t = Instant::now();
    let ci = frame.bootstrap(1000, 0.95, 0).unwrap();
    let boot = t.elapsed().as_secs_f64();
    println!(
        "bootstrap, 1000 resamples: {boot:.3} s on {} threads",
        rayon::current_num_threads()
    );
    println!(
        "accuracy difference interval: {:?}",
        ci.difference(Method::BetweenGroups).get(0, 0).unwrap()
    );
    // Weighted, for information.
    let w = Array1::from_shape_fn(n, |i| {
        0.5 + (splitmix64(i as u64 + 7) % 1000) as f64 / 1000.0
    });
    let cols = [
        SensitiveColumn::from_codes("a", ArrayView1::from(&a), None).unwrap(),
        SensitiveColumn::from_codes("b", ArrayView1::from(&b), None).unwrap(),
        SensitiveColumn::from_codes("c", ArrayView1::from(&c), None).unwrap(),
    ];
    let groups = Groups::new(&cols, &[]).unwrap();
    let fw = MetricFrame::new(
        &metrics,
        yt.view(),
        yp.view(),
        None,
        &groups,
        Some(w.view()),
        &FrameOptions::fairlearn(),
    )
    .unwrap();
    let t = Instant::now();
    fw.bootstrap(1000, 0.95, 0).unwrap();
    println!(
        "weighted bootstrap, 1000 resamples: {:.3} s",
        t.elapsed().as_secs_f64()
    );
    assert!(best < 0.38, "{best} s");
    assert!(boot < 10.0, "{boot} s");
}

#[test]
fn frames_and_intervals_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<MetricFrame>();
    check::<FrameIntervals>();
    check::<Metric>();
}

#[test]
fn custom_metrics_on_large_inputs_run_per_group_in_parallel_and_agree_with_counts() {
    // Above the parallel threshold; a closure computing the selection rate by hand must agree
    // with the count-based one in every group and control level.
    let n = 70_000;
    let (a, b, c, yt, yp) = speed_data(n);
    let cols = [
        SensitiveColumn::from_codes("a", ArrayView1::from(&a), None).unwrap(),
        SensitiveColumn::from_codes("b", ArrayView1::from(&b), None).unwrap(),
    ];
    let control = [SensitiveColumn::from_codes("c", ArrayView1::from(&c), None).unwrap()];
    let groups = Groups::new(&cols, &control).unwrap();
    let w = Array1::from_shape_fn(n, |i| 0.5 + (i % 3) as f64);
    let by_hand = Metric::custom("by_hand", |_yt, yp, sw| {
        let sw = sw.unwrap();
        let num: f64 = yp.iter().zip(sw).map(|(&p, &w)| p as f64 * w).sum();
        Ok(num / sw.sum())
    });
    let frame = MetricFrame::new(
        &[Metric::selection_rate(), by_hand],
        yt.view(),
        yp.view(),
        None,
        &groups,
        Some(w.view()),
        &FrameOptions::default(),
    )
    .unwrap();
    assert_eq!(frame.group_names().len(), 80);
    for t in [
        frame.by_group(),
        frame.overall(),
        frame.ratio(Method::ToOverall),
    ] {
        for r in 0..t.n_rows() {
            let (x, y) = (
                t.get(r, 0).unwrap().get().unwrap(),
                t.get(r, 1).unwrap().get().unwrap(),
            );
            assert!((x - y).abs() < 1e-12, "row {r}: {x} vs {y}");
        }
    }
}

#[test]
fn a_group_of_zero_total_weight_has_no_share_under_either_convention() {
    // Group b has rows but weight 0. fairlearn gives NaN for its selection rate (and
    // scikit-learn's weighted accuracy raises); a zero-division rule must not make it 0,
    // which would decide the difference (1.0) and the ratio (0.0).
    let groups = Groups::new(
        &[
            SensitiveColumn::from_strings("g", ["a", "a", "a", "a", "b", "b", "b", "b", "c", "c"])
                .unwrap(),
        ],
        &[],
    )
    .unwrap();
    let y_true = array![1, 0, 1, 0, 1, 0, 1, 0, 1, 0];
    let y_pred = array![1, 1, 0, 0, 1, 1, 0, 0, 1, 0];
    let w = array![1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0];
    for options in [FrameOptions::default(), FrameOptions::fairlearn()] {
        let frame = MetricFrame::new(
            &[Metric::selection_rate(), Metric::accuracy()],
            y_true.view(),
            y_pred.view(),
            None,
            &groups,
            Some(w.view()),
            &options,
        )
        .unwrap();
        let by_group = frame.by_group();
        for metric in ["selection_rate", "accuracy"] {
            let v = by_group.value("b", metric).unwrap();
            assert!(
                matches!(v, Value::Undefined { .. }),
                "{options:?} {metric}: {v:?}"
            );
        }
        // a and c both select half: difference 0, ratio 1 over the defined groups.
        let diff = frame.difference(Method::BetweenGroups);
        assert_eq!(diff.get(0, 0).unwrap().get(), Some(0.0), "{options:?}");
        let ratio = frame.ratio(Method::BetweenGroups);
        assert_eq!(ratio.get(0, 0).unwrap().get(), Some(1.0), "{options:?}");
    }
}
