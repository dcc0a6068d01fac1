//! `kiln_monitor::distance` against NumPy / SciPy 1.17.1, Evidently 0.7.23 and NannyML 0.13.1
//! (fixtures from `tests/reference/distance_reference.py` on german_credit and diabetes columns
//! split in two, generated samples and hand-made counts), plus hand-checked rules and bad input.

use std::collections::BTreeMap;
use std::f64::consts::E;

use kiln_core::Error;
use kiln_datasets::Dataset;
use kiln_monitor::distance::{
    Binning, Bins, ZeroFill, align_categories, bin_edges, category_counts, chi2_contingency,
    chi2_goodness_of_fit, evidently_binned, hellinger, histogram, histogram_with_overflow,
    jensen_shannon, kl_divergence, kl_divergence_with, nannyml_binned, psi, psi_with,
};
use kiln_prep::Categorical;
use serde_json::Value;

/// Agreement required with SciPy / NumPy (relative, with an absolute floor for values near 0).
const TOL: f64 = 1e-12;
/// Agreement required with Evidently and NannyML.
const TOL_PEER: f64 = 1e-10;

#[expect(
    clippy::unwrap_used,
    reason = "test helper: a malformed fixture fails the test"
)]
fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/distance_{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

#[expect(
    clippy::unwrap_used,
    reason = "test helper: a malformed fixture fails the test"
)]
fn num(v: &Value) -> f64 {
    match v {
        Value::Null => f64::NAN,
        Value::String(s) if s == "inf" => f64::INFINITY,
        Value::String(s) if s == "-inf" => f64::NEG_INFINITY,
        v => v.as_f64().unwrap(),
    }
}

#[expect(
    clippy::unwrap_used,
    reason = "test helper: a malformed fixture fails the test"
)]
fn nums(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(num).collect()
}

#[track_caller]
fn assert_close(what: &str, got: f64, want: f64, tol: f64) {
    if got == want || (got.is_nan() && want.is_nan()) {
        return;
    }
    let err = (got - want).abs();
    assert!(
        err <= tol * want.abs().max(1e-3),
        "{what}: kiln {got:e}, reference {want:e}, difference {err:e}"
    );
}

/// One column of a data set split in two by another column, or a generated sample pair.
#[expect(
    clippy::unwrap_used,
    reason = "test helper: a malformed fixture fails the test"
)]
fn column_pair(source: &Value, samples: &Value) -> (Vec<f64>, Vec<f64>) {
    if let Some(name) = source["generated"].as_str() {
        return (nums(&samples[name][0]), nums(&samples[name][1]));
    }
    let (refs, curs) = split_strings(source);
    let parse = |v: Vec<String>| v.iter().map(|s| s.parse::<f64>().unwrap()).collect();
    (parse(refs), parse(curs))
}

#[expect(
    clippy::unwrap_used,
    reason = "test helper: a malformed fixture fails the test"
)]
fn split_strings(source: &Value) -> (Vec<String>, Vec<String>) {
    let data = Dataset::from_name(source["dataset"].as_str().unwrap()).unwrap();
    let col = data
        .column_strings(source["column"].as_str().unwrap())
        .unwrap();
    let by = data
        .column_strings(source["split_col"].as_str().unwrap())
        .unwrap();
    let pick = |value: &str| -> Vec<String> {
        col.iter()
            .zip(&by)
            .filter(|(c, b)| b.as_str() == value && !c.is_empty())
            .map(|(c, _)| c.clone())
            .collect()
    };
    (
        pick(source["ref_value"].as_str().unwrap()),
        pick(source["cur_value"].as_str().unwrap()),
    )
}

/// Category names and counts of a string sample, in first-seen order.
fn tally(values: &[String]) -> (Vec<String>, Vec<f64>) {
    let mut counts: BTreeMap<&str, f64> = BTreeMap::new();
    for v in values {
        *counts.entry(v.as_str()).or_insert(0.0) += 1.0;
    }
    counts.into_iter().map(|(k, c)| (k.to_owned(), c)).unzip()
}

#[expect(
    clippy::unwrap_used,
    reason = "test helper: a malformed fixture fails the test"
)]
fn binning_of(case: &Value) -> Binning {
    match case["rule"].as_str().unwrap() {
        "quantile" => Binning::Quantile {
            n_bins: case["n_bins"].as_u64().unwrap() as usize,
        },
        "uniform" => Binning::Uniform {
            n_bins: case["n_bins"].as_u64().unwrap() as usize,
        },
        "sturges" => Binning::Sturges,
        "doane" => Binning::Doane,
        other => unreachable!("rule {other}"),
    }
}

#[test]
fn bin_edges_and_histograms_match_numpy() {
    let doc = fixture("scipy");
    let cases = doc["binning"].as_array().unwrap();
    assert!(cases.len() >= 100, "{} cases", cases.len());
    for case in cases {
        let what = format!("{} {}{}", case["name"], case["rule"], case["n_bins"]);
        let (reference, current) = column_pair(&case["source"], &doc["samples"]);
        let edges = bin_edges(&reference, &binning_of(case)).unwrap();
        let want = nums(&case["edges"]);
        assert_eq!(
            edges.len(),
            want.len(),
            "{what}: edges {edges:?} vs {want:?}"
        );
        for (g, w) in edges.iter().zip(&want) {
            assert_close(&format!("{what}: edge"), *g, *w, TOL);
        }
        // Counts are exact: same edges (from NumPy) and the same comparison rule.
        assert_eq!(
            histogram(&reference, &want).unwrap(),
            nums(&case["ref_counts"]),
            "{what}"
        );
        assert_eq!(
            histogram(&current, &want).unwrap(),
            nums(&case["cur_counts"]),
            "{what}"
        );
        let (inside, outside) = histogram_with_overflow(&current, &want).unwrap();
        assert_eq!(inside, nums(&case["cur_inside"]), "{what}");
        assert_eq!(outside, num(&case["cur_outside"]), "{what}");
        // With kiln's own edges too (equal to NumPy's above).
        assert_eq!(
            histogram(&reference, &edges).unwrap(),
            nums(&case["ref_counts"]),
            "{what}"
        );
    }
}

fn counts_of(case: &Value, doc: &Value) -> (Vec<f64>, Vec<f64>) {
    match case["binning_case"].as_u64() {
        Some(i) => {
            let b = &doc["binning"][i as usize];
            (nums(&b["ref_counts"]), nums(&b["cur_counts"]))
        }
        None => (nums(&case["ref"]), nums(&case["cur"])),
    }
}

#[test]
fn distances_and_chi2_match_scipy() {
    let doc = fixture("scipy");
    let cases = doc["counts"].as_array().unwrap();
    assert!(cases.len() >= 100, "{} cases", cases.len());
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let (r, c) = counts_of(case, &doc);
        for (eps, want) in case["psi"].as_object().unwrap() {
            let eps: f64 = eps.parse().unwrap();
            let got = psi(&r, &c, eps).unwrap();
            assert_close(&format!("{name}: psi eps={eps}"), got, num(want), TOL);
        }
        for (base, want) in case["js"].as_object().unwrap() {
            let base: f64 = base.parse().unwrap();
            let got = jensen_shannon(&r, &c, base).unwrap();
            assert_close(&format!("{name}: js base={base}"), got, num(want), TOL);
        }
        let got = hellinger(&r, &c).unwrap();
        assert_close(
            &format!("{name}: hellinger"),
            got,
            num(&case["hellinger"]),
            TOL,
        );
        for (eps, want) in case["kl"].as_object().unwrap() {
            let eps: f64 = eps.parse().unwrap();
            let got = kl_divergence(&c, &r, eps).unwrap();
            assert_close(&format!("{name}: kl eps={eps}"), got, num(want), TOL);
        }
        let want = &case["chi2_contingency"];
        let got = chi2_contingency(&r, &c).unwrap();
        assert_eq!(got.dof as u64, want["dof"].as_u64().unwrap(), "{name}");
        assert_close(
            &format!("{name}: chi2 stat"),
            got.statistic,
            num(&want["statistic"]),
            TOL,
        );
        assert_close(
            &format!("{name}: chi2 p"),
            got.p_value,
            num(&want["p_value"]),
            TOL,
        );
        let want = &case["chi2_gof"];
        if !want.is_null() {
            let got = chi2_goodness_of_fit(&c, &r).unwrap();
            assert_eq!(got.dof as u64, want["dof"].as_u64().unwrap(), "{name}");
            assert_close(
                &format!("{name}: gof stat"),
                got.statistic,
                num(&want["statistic"]),
                TOL,
            );
            assert_close(
                &format!("{name}: gof p"),
                got.p_value,
                num(&want["p_value"]),
                TOL,
            );
        }
    }
}

#[test]
fn evidently_psi_js_and_kl_are_reproduced() {
    let doc = fixture("evidently");
    assert_eq!(doc["evidently"], "0.7.23");
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 30, "{} cases", cases.len());
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let (r, c) = if case["kind"] == "numerical" {
            let (reference, current) = column_pair(&case["source"], &doc["samples"]);
            let b = evidently_binned(&reference, &current).unwrap();
            assert_eq!(
                b.reference.len() as u64,
                case["n_bins"].as_u64().unwrap(),
                "{name}"
            );
            (b.reference, b.current)
        } else {
            let (refs, curs) = split_strings(&case["source"]);
            let (rn, rc) = tally(&refs);
            let (cn, cc) = tally(&curs);
            let a = align_categories(&rn, &rc, &cn, &cc).unwrap();
            (a.reference, a.current)
        };
        let got = psi_with(&r, &c, ZeroFill::Evidently).unwrap();
        assert_close(&format!("{name}: psi"), got, num(&case["psi"]), TOL_PEER);
        let got = jensen_shannon(&r, &c, E).unwrap();
        assert_close(
            &format!("{name}: js"),
            got,
            num(&case["jensenshannon"]),
            TOL_PEER,
        );
        let got = kl_divergence_with(&r, &c, ZeroFill::Evidently).unwrap();
        assert_close(
            &format!("{name}: kl_div"),
            got,
            num(&case["kl_div"]),
            TOL_PEER,
        );
    }
}

#[test]
fn nannyml_js_and_hellinger_are_reproduced() {
    let doc = fixture("nannyml");
    assert_eq!(doc["nannyml"], "0.13.1");
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 30, "{} cases", cases.len());
    let mut overflow_seen = false;
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let (r, c) = if case["kind"] == "continuous" {
            let (reference, current) = column_pair(&case["source"], &doc["samples"]);
            let b = nannyml_binned(&reference, &current).unwrap();
            let Bins::Edges(edges) = &b.bins else {
                unreachable!("NannyML bins by edges")
            };
            let want = nums(&case["edges"]);
            assert_eq!(edges.len(), want.len(), "{name}");
            for (g, w) in edges.iter().zip(&want) {
                assert_close(&format!("{name}: edge"), *g, *w, TOL);
            }
            overflow_seen |= b.overflow_bin;
            (b.reference, b.current)
        } else {
            let (refs, curs) = split_strings(&case["source"]);
            let (rn, rc) = tally(&refs);
            let (cn, cc) = tally(&curs);
            let a = align_categories(&rn, &rc, &cn, &cc).unwrap();
            (a.reference, a.current)
        };
        let got = jensen_shannon(&r, &c, 2.0).unwrap();
        assert_close(
            &format!("{name}: js"),
            got,
            num(&case["jensen_shannon"]),
            TOL_PEER,
        );
        let got = hellinger(&r, &c).unwrap();
        assert_close(
            &format!("{name}: hellinger"),
            got,
            num(&case["hellinger"]),
            TOL_PEER,
        );
    }
    assert!(
        overflow_seen,
        "no case exercises NannyML's out-of-range bin"
    );
}

#[test]
fn histogram_edge_rule_is_half_open_with_outer_values_folded_in() {
    let edges = [0.0, 1.0, 2.0, 3.0];
    // 1.0 opens bin 1; 3.0 (the last edge) closes the last bin; -5 and 7 fold into the ends.
    let values = [-5.0, 0.0, 0.5, 1.0, 2.999, 3.0, 7.0];
    assert_eq!(histogram(&values, &edges).unwrap(), vec![3.0, 1.0, 3.0]);
    let (inside, outside) = histogram_with_overflow(&values, &edges).unwrap();
    assert_eq!(inside, vec![2.0, 1.0, 2.0]);
    assert_eq!(outside, 2.0);
    assert_eq!(histogram(&[], &edges).unwrap(), vec![0.0; 3]);
}

#[test]
fn psi_by_hand_with_stated_epsilon() {
    // p_ref = (0.5, 0.5, 0), p_cur = (0.25, 0.25, 0.5); the empty bin becomes 1e-4.
    let got = psi(&[2.0, 2.0, 0.0], &[1.0, 1.0, 2.0], 1e-4).unwrap();
    let want = 2.0 * (0.25 - 0.5) * (0.25f64 / 0.5).ln() + (0.5 - 1e-4) * (0.5f64 / 1e-4).ln();
    assert_close("psi", got, want, 1e-15);
    assert_eq!(psi(&[3.0, 1.0], &[6.0, 2.0], 1e-4).unwrap(), 0.0);
    // Without smoothing an empty bin facing a non-empty one is infinite.
    assert_eq!(psi(&[1.0, 0.0], &[1.0, 1.0], 0.0).unwrap(), f64::INFINITY);
    // Evidently's fill follows the smallest non-zero share.
    let r = [100_000.0, 1.0, 0.0];
    let c = [100_000.0, 1.0, 1.0];
    let fill_r: f64 = (1.0 / 100_001.0) / 1e6;
    let (pr, pc): (f64, f64) = (1.0 / 100_001.0, 1.0 / 100_002.0);
    let want = (100_000.0 / 100_001.0 - 100_000.0 / 100_002.0)
        * ((100_000.0 / 100_001.0) / (100_000.0 / 100_002.0f64)).ln()
        + (pr - pc) * (pr / pc).ln()
        + (fill_r - pc) * (fill_r / pc).ln();
    assert_close(
        "psi evidently",
        psi_with(&r, &c, ZeroFill::Evidently).unwrap(),
        want,
        1e-12,
    );
}

#[test]
fn jensen_shannon_bounds_and_symmetry() {
    assert_close(
        "disjoint, base 2",
        jensen_shannon(&[1.0, 0.0], &[0.0, 3.0], 2.0).unwrap(),
        1.0,
        1e-15,
    );
    assert_eq!(jensen_shannon(&[2.0, 4.0], &[1.0, 2.0], 2.0).unwrap(), 0.0);
    let a = jensen_shannon(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0], E).unwrap();
    let b = jensen_shannon(&[3.0, 2.0, 1.0], &[1.0, 2.0, 3.0], E).unwrap();
    assert_eq!(a, b);
    assert!(jensen_shannon(&[1.0], &[1.0], 1.0).is_err());
    assert!(jensen_shannon(&[1.0], &[1.0], -2.0).is_err());
    assert_close(
        "hellinger disjoint",
        hellinger(&[1.0, 0.0], &[0.0, 1.0]).unwrap(),
        1.0,
        1e-15,
    );
}

#[test]
fn chi2_contingency_drops_categories_empty_in_both_samples() {
    let with_empty = chi2_contingency(&[4.0, 0.0, 6.0], &[3.0, 0.0, 5.0]).unwrap();
    let without = chi2_contingency(&[4.0, 6.0], &[3.0, 5.0]).unwrap();
    assert_eq!(with_empty, without);
    assert_eq!(without.dof, 1);
    let one = chi2_contingency(&[4.0, 0.0], &[3.0, 0.0]).unwrap();
    assert_eq!((one.statistic, one.p_value, one.dof), (0.0, 1.0, 0));
}

#[test]
fn chi2_goodness_of_fit_takes_counts_or_proportions() {
    let a = chi2_goodness_of_fit(&[10.0, 20.0, 30.0], &[1.0, 1.0, 2.0]).unwrap();
    let b = chi2_goodness_of_fit(&[10.0, 20.0, 30.0], &[0.25, 0.25, 0.5]).unwrap();
    assert_close("gof", a.statistic, b.statistic, 1e-15);
    // Expected 15, 15, 30: (25 + 25 + 0) / 15.
    assert_close("gof by hand", a.statistic, 50.0 / 15.0, 1e-15);
    let inf = chi2_goodness_of_fit(&[1.0, 2.0], &[1.0, 0.0]).unwrap();
    assert_eq!((inf.statistic, inf.p_value), (f64::INFINITY, 0.0));
}

#[test]
fn new_categories_are_kept_and_reported() {
    let a = align_categories(
        &["a", "b", "c"],
        &[5.0, 3.0, 2.0],
        &["c", "d", "a", "e"],
        &[1.0, 4.0, 6.0, 0.0],
    )
    .unwrap();
    assert_eq!(a.categories, ["a", "b", "c", "d"]);
    assert_eq!(a.reference, [5.0, 3.0, 2.0, 0.0]);
    assert_eq!(a.current, [6.0, 0.0, 1.0, 4.0]);
    assert_eq!(a.new_categories, ["d"]);
    assert_eq!(a.missing_categories, ["b"]);
    // The new category weighs in the distances.
    assert!(psi(&a.reference, &a.current, 1e-4).unwrap() > 1.0);

    let reference = Categorical::from_values(&[Some("x"), Some("y"), None, Some("x")]);
    let current = Categorical::from_values(&[Some("z"), Some("x"), None, None]);
    let a = category_counts(&reference, &current).unwrap();
    assert_eq!(a.categories, ["x", "y", "z"]);
    assert_eq!(a.reference, [2.0, 1.0, 0.0]);
    assert_eq!(a.current, [1.0, 0.0, 1.0]);
    assert_eq!(a.new_categories, ["z"]);
}

#[test]
fn presets_name_the_library_rules() {
    assert_eq!(Binning::evidently(), Binning::Sturges);
    assert_eq!(Binning::nannyml(), Binning::Doane);
    // Few distinct values: Evidently counts values, over both samples.
    let b = evidently_binned(&[1.0, 2.0, 2.0], &[2.0, 3.0]).unwrap();
    assert_eq!(b.bins, Bins::Values(vec![1.0, 2.0, 3.0]));
    assert_eq!(
        (b.reference, b.current),
        (vec![1.0, 2.0, 0.0], vec![0.0, 1.0, 1.0])
    );
}

#[test]
fn bad_input_is_a_typed_error() {
    let shape = |e: Error| {
        matches!(
            e,
            Error::ShapeMismatch {
                expected: 2,
                got: 3,
                ..
            }
        )
    };
    assert!(shape(psi(&[1.0, 2.0], &[1.0, 2.0, 3.0], 1e-4).unwrap_err()));
    assert!(shape(
        chi2_contingency(&[1.0, 2.0], &[1.0, 2.0, 3.0]).unwrap_err()
    ));
    assert!(matches!(
        jensen_shannon(&[], &[], 2.0).unwrap_err(),
        Error::EmptyInput { .. }
    ));
    assert!(matches!(
        hellinger(&[1.0, -1.0], &[1.0, 1.0]).unwrap_err(),
        Error::InvalidValue { row: Some(1), .. }
    ));
    assert!(matches!(
        kl_divergence(&[1.0, 1.0], &[f64::NAN, 1.0], 1e-4).unwrap_err(),
        Error::NonFinite { row: 0, .. }
    ));
    let zero = chi2_goodness_of_fit(&[0.0, 0.0], &[1.0, 1.0]).unwrap_err();
    assert!(zero.to_string().contains("all counts are 0"), "{zero}");
    assert!(matches!(
        bin_edges(&[], &Binning::Sturges).unwrap_err(),
        Error::EmptyInput { .. }
    ));
    assert!(matches!(
        bin_edges(&[1.0, f64::NAN], &Binning::Doane).unwrap_err(),
        Error::NonFinite { row: 1, .. }
    ));
    let e = bin_edges(&[1.0], &Binning::Quantile { n_bins: 0 }).unwrap_err();
    assert_eq!(e.parameter_name(), Some("n_bins"));
    for edges in [vec![1.0], vec![0.0, 0.0], vec![0.0, f64::INFINITY]] {
        let e = histogram(&[1.0], &edges).unwrap_err();
        assert_eq!(e.parameter_name(), Some("edges"), "{edges:?}");
    }
    assert!(histogram(&[f64::NAN], &[0.0, 1.0]).is_err());
    assert!(evidently_binned(&[1.0], &[]).is_err());
    assert!(nannyml_binned(&[f64::INFINITY], &[1.0]).is_err());
    assert!(matches!(
        align_categories(&["a", "a"], &[1.0, 1.0], &["b"], &[1.0]).unwrap_err(),
        Error::InvalidValue { row: Some(1), .. }
    ));
    assert!(align_categories(&["a"], &[1.0, 2.0], &["b"], &[1.0]).is_err());
}
