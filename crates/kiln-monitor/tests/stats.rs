//! kiln_monitor::stats against scipy 1.17.1 (fixture from tests/reference/stats_reference.py).

use kiln_core::Error;
use kiln_monitor::stats::{
    KsMethod, anderson_ksamp, energy_distance, energy_distance_weighted, ks_2samp, ks_2samp_sorted,
    proportions_ztest, wasserstein_distance, wasserstein_distance_weighted, wasserstein_normalized,
};
use serde_json::Value;

#[expect(
    clippy::unwrap_used,
    reason = "test helper: a malformed fixture or a wrong result fails the test"
)]
fn fixture() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/stats_reference.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// splitmix64, as the reference script: u = (z >> 11) · 2^-53.
struct SplitMix(u64);

impl SplitMix {
    fn next_f64(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 * 2f64.powi(-53)
    }
}

/// A sample stored in the fixture or regenerated from its spec (see the reference script).
#[expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helper: a malformed fixture or a wrong result fails the test"
)]
fn sample(desc: &Value) -> Vec<f64> {
    if let Some(values) = desc.get("values") {
        return values
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
    }
    let mut g = SplitMix(desc["seed"].as_u64().unwrap());
    let n = desc["n"].as_u64().unwrap() as usize;
    let scale = desc["scale"].as_f64().unwrap();
    let shift = desc["shift"].as_f64().unwrap();
    let dist = desc["dist"].as_str().unwrap();
    (0..n)
        .map(|_| match dist {
            "uniform" => g.next_f64() * scale + shift,
            "irwin" => {
                let s = g.next_f64() + g.next_f64();
                let s = s + g.next_f64();
                let s = s + g.next_f64();
                (s - 2.0) * scale + shift
            }
            "discrete" => (g.next_f64() * desc["k"].as_f64().unwrap()).floor() * scale + shift,
            other => panic!("unknown generator {other}"),
        })
        .collect()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

fn assert_rel(got: f64, want: f64, rtol: f64, what: &str) {
    let ok = if want.is_nan() {
        got.is_nan()
    } else if want == 0.0 {
        got.abs() <= 1e-300
    } else {
        (got - want).abs() <= rtol * want.abs()
    };
    assert!(ok, "{what}: got {got:e}, scipy {want:e}");
}

fn method_name(m: KsMethod) -> &'static str {
    match m {
        KsMethod::Auto => "auto",
        KsMethod::Exact => "exact",
        KsMethod::Asymptotic => "asymp",
    }
}

#[test]
fn ks_2samp_matches_scipy_to_1e10_for_every_method() {
    let fx = fixture();
    let mut worst = 0.0_f64;
    let mut worst_rel = 0.0_f64;
    for case in fx["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let a = sample(&case["a"]);
        let b = sample(&case["b"]);
        let mut a_sorted = a.clone();
        a_sorted.sort_by(f64::total_cmp);
        let mut b_sorted = b.clone();
        b_sorted.sort_by(f64::total_cmp);
        for method in [KsMethod::Auto, KsMethod::Exact, KsMethod::Asymptotic] {
            let key = format!("ks_{}", method_name(method));
            let (d, p) = (f(&case[&key][0]), f(&case[&key][1]));
            let r = ks_2samp(&a, &b, method).unwrap();
            let what = format!("{name} {key}");
            assert!(
                (r.statistic - d).abs() <= 1e-10,
                "{what} statistic: {} vs {d}",
                r.statistic
            );
            if p.is_nan() {
                assert!(
                    r.p_value.is_nan(),
                    "{what}: scipy p is NaN, got {}",
                    r.p_value
                );
            } else {
                let err = (r.p_value - p).abs();
                assert!(err <= 1e-10, "{what} p-value: {:e} vs {p:e}", r.p_value);
                worst = worst.max(err);
                if p > 1e-300 {
                    worst_rel = worst_rel.max(err / p);
                }
            }
            let used = case[format!("{key}_used")].as_str().unwrap();
            assert_eq!(method_name(r.method_used), used, "{what} method used");
            assert_eq!((r.n_reference, r.n_current), (a.len(), b.len()));
            let s = ks_2samp_sorted(&a_sorted, &b_sorted, method).unwrap();
            // Debug output compares NaN p-values too (f64 Debug round-trips).
            assert_eq!(
                format!("{s:?}"),
                format!("{r:?}"),
                "{what}: sorted entry point differs"
            );
        }
    }
    eprintln!("ks_2samp: worst absolute p error {worst:e}, worst relative {worst_rel:e}");
}

#[test]
fn cdf_distances_match_scipy_to_1e10_relative() {
    let fx = fixture();
    for case in fx["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let a = sample(&case["a"]);
        let b = sample(&case["b"]);
        assert_rel(
            wasserstein_distance(&a, &b).unwrap(),
            f(&case["wasserstein"]),
            1e-10,
            &format!("{name} wasserstein"),
        );
        assert_rel(
            wasserstein_normalized(&a, &b).unwrap(),
            f(&case["wasserstein_normalized"]),
            1e-10,
            &format!("{name} wasserstein_normalized"),
        );
        assert_rel(
            energy_distance(&a, &b).unwrap(),
            f(&case["energy"]),
            1e-10,
            &format!("{name} energy"),
        );
    }
}

#[test]
fn weighted_cdf_distances_match_scipy_to_1e10_relative() {
    let fx = fixture();
    for case in fx["weighted"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let a = sample(&case["a"]);
        let b = sample(&case["b"]);
        let wa = (!case["wa"].is_null()).then(|| sample(&case["wa"]));
        let wb = (!case["wb"].is_null()).then(|| sample(&case["wb"]));
        let got = wasserstein_distance_weighted(&a, &b, wa.as_deref(), wb.as_deref()).unwrap();
        assert_rel(
            got,
            f(&case["wasserstein"]),
            1e-10,
            &format!("{name} wasserstein"),
        );
        let got = energy_distance_weighted(&a, &b, wa.as_deref(), wb.as_deref()).unwrap();
        assert_rel(got, f(&case["energy"]), 1e-10, &format!("{name} energy"));
    }
}

#[test]
fn bad_weights_are_rejected() {
    let u = [1.0, 2.0];
    let v = [1.5];
    assert!(matches!(
        wasserstein_distance_weighted(&u, &v, Some(&[1.0]), None),
        Err(Error::ShapeMismatch {
            expected: 2,
            got: 1,
            ..
        })
    ));
    assert!(matches!(
        energy_distance_weighted(&u, &v, None, Some(&[f64::NAN])),
        Err(Error::NonFinite { row: 0, .. })
    ));
    assert!(matches!(
        wasserstein_distance_weighted(&u, &v, Some(&[1.0, -1.0]), None),
        Err(Error::InvalidValue { row: Some(1), .. })
    ));
    assert!(matches!(
        wasserstein_distance_weighted(&u, &v, Some(&[0.0, 0.0]), None),
        Err(Error::InvalidValue { row: None, .. })
    ));
}

#[expect(
    clippy::unwrap_used,
    reason = "test helper: a malformed fixture or a wrong result fails the test"
)]
fn check_anderson(samples: &[Vec<f64>], want: &Value, name: &str) {
    let views: Vec<&[f64]> = samples.iter().map(Vec::as_slice).collect();
    let r = anderson_ksamp(&views).unwrap();
    assert_rel(
        r.statistic,
        f(&want[0]),
        1e-10,
        &format!("{name} statistic"),
    );
    for (got, w) in r.critical_values.iter().zip(want[1].as_array().unwrap()) {
        assert_rel(*got, f(w), 1e-12, &format!("{name} critical value"));
    }
    assert_rel(
        r.significance_level,
        f(&want[2]),
        1e-10,
        &format!("{name} p-value"),
    );
}

#[test]
fn anderson_ksamp_matches_scipy_to_1e10_relative() {
    let fx = fixture();
    let mut n = 0;
    for case in fx["cases"].as_array().unwrap() {
        if let Some(want) = case.get("anderson") {
            let name = case["name"].as_str().unwrap();
            check_anderson(&[sample(&case["a"]), sample(&case["b"])], want, name);
            n += 1;
        }
    }
    for case in fx["anderson_k"].as_array().unwrap() {
        let samples: Vec<Vec<f64>> = case["samples"]
            .as_array()
            .unwrap()
            .iter()
            .map(sample)
            .collect();
        check_anderson(&samples, &case["anderson"], case["name"].as_str().unwrap());
        n += 1;
    }
    assert!(n > 60);
}

#[test]
fn proportions_ztest_matches_the_pooled_formula() {
    let fx = fixture();
    for case in fx["ztest"].as_array().unwrap() {
        let args: Vec<f64> = case["args"].as_array().unwrap().iter().map(f).collect();
        let r = proportions_ztest(args[0], args[1], args[2], args[3]).unwrap();
        let what = format!("ztest {args:?}");
        assert!(
            (r.statistic - f(&case["z"][0])).abs() <= 1e-10 * f(&case["z"][0]).abs().max(1.0),
            "{what}"
        );
        assert_rel(r.p_value, f(&case["z"][1]), 1e-10, &what);
    }
}

#[test]
fn proportions_ztest_hand_computed() {
    // 30/100 vs 45/100: pooled 0.375, se = sqrt(0.375 · 0.625 · (1/100 + 1/100)).
    let r = proportions_ztest(30.0, 100.0, 45.0, 100.0).unwrap();
    let z = (0.30 - 0.45) / (0.375_f64 * 0.625 * 0.02).sqrt();
    assert!((r.statistic - z).abs() < 1e-14);
    assert!((z + 2.190_890_230_020_664_6).abs() < 1e-12);
    // Both samples all successes: no variance, no evidence of a difference.
    let r = proportions_ztest(10.0, 10.0, 5.0, 5.0).unwrap();
    assert_eq!((r.statistic, r.p_value), (0.0, 1.0));
}

#[test]
fn ks_hand_computed_exact_p_value() {
    // n1 = n2 = 3, completely separated: P(D = 1) = 2 / C(6, 3) = 0.1.
    let r = ks_2samp(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0], KsMethod::Exact).unwrap();
    assert_eq!(r.statistic, 1.0);
    assert!((r.p_value - 0.1).abs() < 1e-15);
}

#[test]
fn samples_with_nan_or_infinity_are_rejected_with_position() {
    let err = ks_2samp(&[1.0, f64::NAN], &[1.0], KsMethod::Auto).unwrap_err();
    assert!(
        matches!(&err, Error::NonFinite { what, row: 1, col: None, .. } if what == "reference"),
        "{err}"
    );
    let err = ks_2samp(&[1.0], &[0.0, 1.0, f64::INFINITY], KsMethod::Auto).unwrap_err();
    assert!(
        matches!(&err, Error::NonFinite { what, row: 2, .. } if what == "current"),
        "{err}"
    );
    assert!(matches!(
        wasserstein_distance(&[f64::NEG_INFINITY], &[1.0]),
        Err(Error::NonFinite { row: 0, .. })
    ));
    assert!(matches!(
        energy_distance(&[1.0], &[f64::NAN]),
        Err(Error::NonFinite { .. })
    ));
    let a = [1.0, 2.0];
    let b = [3.0, f64::NAN];
    let err = anderson_ksamp(&[&a, &b]).unwrap_err();
    assert!(
        matches!(&err, Error::NonFinite { what, row: 1, .. } if what == "samples[1]"),
        "{err}"
    );
    assert!(matches!(
        proportions_ztest(f64::NAN, 10.0, 1.0, 10.0),
        Err(Error::NonFinite { .. })
    ));
}

#[test]
fn empty_samples_are_rejected() {
    assert!(matches!(
        ks_2samp(&[], &[1.0], KsMethod::Auto),
        Err(Error::EmptyInput { .. })
    ));
    assert!(matches!(
        ks_2samp_sorted(&[1.0], &[], KsMethod::Auto),
        Err(Error::EmptyInput { .. })
    ));
    assert!(matches!(
        wasserstein_distance(&[], &[1.0]),
        Err(Error::EmptyInput { .. })
    ));
    assert!(matches!(
        wasserstein_normalized(&[], &[1.0]),
        Err(Error::EmptyInput { .. })
    ));
    assert!(matches!(
        energy_distance(&[1.0], &[]),
        Err(Error::EmptyInput { .. })
    ));
    let a = [1.0, 2.0];
    assert!(matches!(
        anderson_ksamp(&[&a, &[]]),
        Err(Error::EmptyInput { .. })
    ));
}

#[test]
fn anderson_ksamp_needs_two_samples_and_two_distinct_values() {
    let a = [1.0, 2.0, 3.0];
    assert!(matches!(
        anderson_ksamp(&[&a]),
        Err(Error::TooFewSamples { .. })
    ));
    assert!(matches!(
        anderson_ksamp(&[]),
        Err(Error::TooFewSamples { .. })
    ));
    let c = [2.0, 2.0];
    assert!(matches!(
        anderson_ksamp(&[&c, &c]),
        Err(Error::InvalidValue { .. })
    ));
    // Two values in all: scipy fails (an empty harmonic sum).
    assert!(matches!(
        anderson_ksamp(&[&[1.0], &[2.0]]),
        Err(Error::TooFewSamples { .. })
    ));
}

#[test]
fn unsorted_input_to_the_sorted_entry_point_is_rejected() {
    let err = ks_2samp_sorted(&[1.0, 3.0, 2.0], &[1.0], KsMethod::Auto).unwrap_err();
    assert!(
        matches!(err, Error::InvalidValue { row: Some(2), .. }),
        "{err}"
    );
}

#[test]
fn proportions_ztest_rejects_impossible_counts() {
    assert!(matches!(
        proportions_ztest(11.0, 10.0, 1.0, 10.0),
        Err(Error::InvalidValue { .. })
    ));
    assert!(matches!(
        proportions_ztest(-1.0, 10.0, 1.0, 10.0),
        Err(Error::InvalidValue { .. })
    ));
    assert!(matches!(
        proportions_ztest(0.0, 0.0, 1.0, 10.0),
        Err(Error::InvalidValue { .. })
    ));
}
