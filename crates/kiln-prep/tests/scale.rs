//! The scalers against scikit-learn 1.9.1 (fixtures from `tests/reference/numeric_reference.py`
//! on the bundled data sets and hand-made edge cases), the kiln-check suite, and bad input.

mod numeric_common;

use kiln_check::{Check, Checker};
use kiln_core::{Error, FitUnsupervised, InverseTransform, Transform};
use kiln_prep::scale::{MaxAbsScaler, MinMaxScaler, RobustScaler, StandardScaler};
use ndarray::{Array1, Array2, array};
use numeric_common::{
    ABS, REL, assert_close, assert_mat_close, data_x, fixture, mat, num, rows, usizes, vec1,
};
use serde_json::Value;

/// Compares one fitted attribute (`None` when scikit-learn has `None`).
#[expect(clippy::panic, reason = "test helper: a mismatch fails the test")]
fn check_attr(what: &str, got: Option<&Array1<f64>>, want: &Value) {
    match (got, want) {
        (None, Value::Null) => {}
        (Some(g), w) if !w.is_null() => assert_close(what, g.iter(), vec1(w).iter(), REL, 0.0),
        (g, w) => panic!("{what}: kiln has {g:?}, scikit-learn has {w}"),
    }
}

fn weights(n: usize) -> Array1<f64> {
    Array1::from_shape_fn(n, |i| 1.0 + (i % 5) as f64 * 0.5)
}

fn pair(v: &Value) -> (f64, f64) {
    (num(&v[0]), num(&v[1]))
}

#[test]
fn scalers_match_scikit_learn_on_real_and_edge_data() {
    let doc = fixture("scale");
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 50, "{} cases", cases.len());
    for case in cases {
        let data = case["data"].as_str().unwrap();
        let kind = case["estimator"].as_str().unwrap();
        let p = &case["params"];
        let weighted = case["weighted"].as_bool().unwrap();
        let what = format!("{kind} {p} weighted={weighted} on {data}");
        let x = data_x(&doc, data, "edge_x");
        let idx = usizes(&case["rows"]);
        let xr = rows(&x, &idx);
        let attrs = &case["attrs"];
        let w = weights(x.nrows());
        let w = weighted.then(|| w.view());
        let (out, other, back): (Array2<f64>, Array2<f64>, Array2<f64>) = match kind {
            "StandardScaler" => {
                let mut s = StandardScaler::default();
                if let Some(b) = p["with_mean"].as_bool() {
                    s = s.with_mean(b);
                }
                if let Some(b) = p["with_std"].as_bool() {
                    s = s.with_std(b);
                }
                let m = s.fit_weighted(x.view(), w).unwrap();
                check_attr(&format!("{what}: mean"), m.mean(), &attrs["mean"]);
                check_attr(&format!("{what}: var"), m.var(), &attrs["var"]);
                check_attr(&format!("{what}: scale"), m.scale(), &attrs["scale"]);
                check_attr(
                    &format!("{what}: n_samples_seen"),
                    Some(m.n_samples_seen()),
                    &attrs["n_samples_seen"],
                );
                let t = m.transform(xr.view()).unwrap();
                let back = m.inverse_transform(t.view()).unwrap();
                (t, Array2::zeros((0, 0)), back)
            }
            "MinMaxScaler" => {
                let mut s = MinMaxScaler::default();
                if !p["feature_range"].is_null() {
                    s = s.with_feature_range(pair(&p["feature_range"]));
                }
                if let Some(b) = p["clip"].as_bool() {
                    s = s.with_clip(b);
                }
                let m = s.fit(x.view()).unwrap();
                check_attr(
                    &format!("{what}: data_min"),
                    Some(m.data_min()),
                    &attrs["data_min"],
                );
                check_attr(
                    &format!("{what}: data_max"),
                    Some(m.data_max()),
                    &attrs["data_max"],
                );
                check_attr(
                    &format!("{what}: data_range"),
                    Some(m.data_range()),
                    &attrs["data_range"],
                );
                check_attr(&format!("{what}: scale"), Some(m.scale()), &attrs["scale"]);
                check_attr(&format!("{what}: min"), Some(m.min()), &attrs["min"]);
                let t = m.transform(xr.view()).unwrap();
                let other = m.transform(xr.mapv(|v| 1.5 * v - 1.0).view()).unwrap();
                let back = m.inverse_transform(t.view()).unwrap();
                (t, other, back)
            }
            "RobustScaler" => {
                let mut s = RobustScaler::default();
                if !p["quantile_range"].is_null() {
                    s = s.with_quantile_range(pair(&p["quantile_range"]));
                }
                if let Some(b) = p["unit_variance"].as_bool() {
                    s = s.with_unit_variance(b);
                }
                if let Some(b) = p["with_centering"].as_bool() {
                    s = s.with_centering(b);
                }
                let m = s.fit(x.view()).unwrap();
                check_attr(&format!("{what}: center"), m.center(), &attrs["center"]);
                check_attr(&format!("{what}: scale"), m.scale(), &attrs["scale"]);
                let t = m.transform(xr.view()).unwrap();
                let back = m.inverse_transform(t.view()).unwrap();
                (t, Array2::zeros((0, 0)), back)
            }
            "MaxAbsScaler" => {
                let m = MaxAbsScaler.fit(x.view()).unwrap();
                check_attr(
                    &format!("{what}: max_abs"),
                    Some(m.max_abs()),
                    &attrs["max_abs"],
                );
                check_attr(&format!("{what}: scale"), Some(m.scale()), &attrs["scale"]);
                let t = m.transform(xr.view()).unwrap();
                let back = m.inverse_transform(t.view()).unwrap();
                (t, Array2::zeros((0, 0)), back)
            }
            other => panic!("unknown estimator {other}"),
        };
        assert_mat_close(
            &format!("{what}: transform"),
            &out,
            &mat(&case["transform"]),
            REL,
            ABS,
        );
        if !case["transform_other"].is_null() {
            let want = mat(&case["transform_other"]);
            assert_mat_close(
                &format!("{what}: transform of new data"),
                &other,
                &want,
                REL,
                ABS,
            );
        }
        // The inverse maps back to the input wherever the forward map is invertible (it is
        // not where the feature range clips).
        if p["clip"].as_bool() != Some(true) {
            assert_mat_close(&format!("{what}: inverse round trip"), &back, &xr, REL, ABS);
        }
    }
}

#[test]
fn scalers_pass_the_estimator_suite() {
    Checker::new(StandardScaler::default())
        .allows_missing()
        .skip(
            Check::InvalidParams,
            "both parameters are booleans: no value is invalid",
        )
        .check_transformer()
        .assert_passed();
    Checker::new(StandardScaler::default().with_mean(false))
        .allows_missing()
        .skip(
            Check::InvalidParams,
            "both parameters are booleans: no value is invalid",
        )
        .check_transformer()
        .assert_passed();
    Checker::new(MinMaxScaler::default())
        .allows_missing()
        .invalid_param(
            MinMaxScaler::default().with_feature_range((1.0, 0.0)),
            "feature_range",
        )
        .invalid_param(
            MinMaxScaler::default().with_feature_range((0.0, f64::NAN)),
            "feature_range",
        )
        .check_transformer()
        .assert_passed();
    Checker::new(MinMaxScaler::default().with_clip(true))
        .allows_missing()
        .invalid_param(
            MinMaxScaler::default().with_feature_range((2.0, 2.0)),
            "feature_range",
        )
        .check_transformer()
        .assert_passed();
    Checker::new(RobustScaler::default())
        .allows_missing()
        .invalid_param(
            RobustScaler::default().with_quantile_range((80.0, 20.0)),
            "quantile_range",
        )
        .invalid_param(
            RobustScaler::default().with_quantile_range((-1.0, 20.0)),
            "quantile_range",
        )
        .invalid_param(
            RobustScaler::default()
                .with_unit_variance(true)
                .with_quantile_range((0.0, 75.0)),
            "quantile_range",
        )
        .check_transformer()
        .assert_passed();
    Checker::new(RobustScaler::default().with_unit_variance(true))
        .allows_missing()
        .invalid_param(
            RobustScaler::default().with_quantile_range((25.0, 101.0)),
            "quantile_range",
        )
        .check_transformer()
        .assert_passed();
    Checker::new(MaxAbsScaler)
        .allows_missing()
        .skip(Check::InvalidParams, "MaxAbsScaler has no parameters")
        .check_transformer()
        .assert_passed();
}

#[test]
fn scalers_reject_infinities_with_their_position() {
    let x = array![[1.0, 2.0], [3.0, f64::NEG_INFINITY], [5.0, 6.0]];
    let at = |e: Error| {
        matches!(
            e,
            Error::NonFinite {
                row: 1,
                col: Some(1),
                ..
            }
        )
    };
    assert!(at(StandardScaler::default().fit(x.view()).unwrap_err()));
    assert!(at(MinMaxScaler::default().fit(x.view()).unwrap_err()));
    assert!(at(RobustScaler::default().fit(x.view()).unwrap_err()));
    assert!(at(MaxAbsScaler.fit(x.view()).unwrap_err()));
    let good = array![[1.0, 2.0], [3.0, 4.0]];
    let m = StandardScaler::default().fit(good.view()).unwrap();
    assert!(at(m.transform(x.view()).unwrap_err()));
    assert!(at(m.inverse_transform(x.view()).unwrap_err()));
}

#[test]
fn standard_scaler_finds_infinities_its_statistics_would_hide() {
    use kiln_core::FitTransform;
    // The fit checks finiteness only when a column's statistics are not finite: +inf and
    // -inf in one column (mean NaN), an infinity beside NaN (missing, allowed), an infinity
    // of zero weight, and the fit_transform path must all still be rejected with the place.
    let at = |e: Error, row: usize, col: usize| matches!(e, Error::NonFinite { row: r, col: Some(c), .. } if r == row && c == col);
    let both = array![[1.0, f64::INFINITY], [2.0, 0.0], [3.0, f64::NEG_INFINITY]];
    assert!(at(
        StandardScaler::default().fit(both.view()).unwrap_err(),
        0,
        1
    ));
    assert!(at(
        StandardScaler::default()
            .fit_transform(both.view())
            .unwrap_err(),
        0,
        1
    ));
    let with_nan = array![[f64::NAN, 1.0], [f64::INFINITY, 2.0], [1.0, 3.0]];
    assert!(at(
        StandardScaler::default().fit(with_nan.view()).unwrap_err(),
        1,
        0
    ));
    let w = array![1.0, 0.0, 1.0];
    let x = array![[1.0], [f64::INFINITY], [2.0]];
    assert!(at(
        StandardScaler::default()
            .fit_weighted(x.view(), Some(w.view()))
            .unwrap_err(),
        1,
        0
    ));
    // Finite values whose square overflows: the variance would be infinite and the output
    // silently 0 or NaN (as scikit-learn's); since 2026-11-27 a typed error naming the column.
    let huge = array![[1.0, 1e200], [2.0, -1e200], [4.0, 3e200]];
    let e = StandardScaler::default()
        .fit_transform(huge.view())
        .map(|_| ())
        .unwrap_err();
    assert!(matches!(e, Error::InvalidValue { .. }), "{e}");
    assert!(e.to_string().contains("column 1"), "{e}");
}

#[test]
fn scalers_reject_empty_input_and_wrong_widths() {
    let empty = Array2::<f64>::zeros((0, 3));
    assert!(matches!(
        StandardScaler::default().fit(empty.view()),
        Err(Error::EmptyInput { .. })
    ));
    assert!(matches!(
        MaxAbsScaler.fit(Array2::zeros((4, 0)).view()),
        Err(Error::EmptyInput { .. })
    ));
    let x = array![[1.0, 2.0], [3.0, 4.0]];
    let m = RobustScaler::default().fit(x.view()).unwrap();
    let wide = array![[1.0, 2.0, 3.0]];
    for r in [m.transform(wide.view()), m.inverse_transform(wide.view())] {
        assert!(matches!(
            r,
            Err(Error::FeatureCountMismatch {
                expected: 2,
                got: 3,
                ..
            })
        ));
    }
}

#[test]
fn only_standard_scaler_takes_sample_weights() {
    let x = array![[1.0], [2.0], [4.0]];
    let w = array![1.0, 1.0, 2.0];
    let m = StandardScaler::default()
        .fit_weighted(x.view(), Some(w.view()))
        .unwrap();
    assert_eq!(m.mean().unwrap()[0], 11.0 / 4.0);
    for r in [
        MinMaxScaler::default()
            .fit_weighted(x.view(), Some(w.view()))
            .err(),
        RobustScaler::default()
            .fit_weighted(x.view(), Some(w.view()))
            .err(),
        MaxAbsScaler.fit_weighted(x.view(), Some(w.view())).err(),
    ] {
        assert!(matches!(r, Some(Error::Unsupported { .. })), "{r:?}");
    }
}

#[test]
fn invalid_params_name_the_parameter() {
    let err = MinMaxScaler::default()
        .with_feature_range((1.0, 0.0))
        .fit(array![[1.0]].view())
        .unwrap_err();
    assert_eq!(err.parameter_name(), Some("feature_range"));
    assert!(err.to_string().contains("MinMaxScaler"), "{err}");
    let err = RobustScaler::default()
        .with_quantile_range((90.0, 10.0))
        .fit(array![[1.0]].view())
        .unwrap_err();
    assert_eq!(err.parameter_name(), Some("quantile_range"));
}

#[test]
fn variance_is_accurate_far_from_zero() {
    // A naive sum-of-squares formula loses every digit here; the two-pass algorithm is exact.
    let x = array![[1e9 + 1.0], [1e9 + 2.0], [1e9 + 3.0], [1e9 + 4.0]];
    let m = StandardScaler::default().fit(x.view()).unwrap();
    assert_eq!(m.var().unwrap()[0], 1.25);
    assert_eq!(m.mean().unwrap()[0], 1e9 + 2.5);
}

#[test]
fn missing_values_are_ignored_at_fit_and_kept_at_transform() {
    let x = array![[1.0, f64::NAN], [f64::NAN, f64::NAN], [3.0, f64::NAN]];
    let m = StandardScaler::default().fit(x.view()).unwrap();
    assert_eq!(m.mean().unwrap()[0], 2.0);
    assert_eq!(m.n_samples_seen().to_vec(), vec![2.0, 0.0]);
    assert!(
        m.mean().unwrap()[1].is_nan(),
        "an all-missing feature has no mean"
    );
    let t = m.transform(x.view()).unwrap();
    assert_eq!(t[[0, 0]], -1.0);
    assert!(t[[1, 0]].is_nan() && t[[0, 1]].is_nan());
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    // Wide and large enough to take the parallel column-block and row-chunk paths.
    let x = Array2::from_shape_fn((3000, 150), |(i, j)| {
        let v = ((i * 7919 + j * 104_729) % 1000) as f64 / 7.0 + j as f64;
        if (i + j) % 97 == 0 { f64::NAN } else { v }
    });
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let s = StandardScaler::default().fit(x.view()).unwrap();
            let r = RobustScaler::default().fit(x.view()).unwrap();
            let t = s.transform(x.view()).unwrap();
            (s.var().unwrap().clone(), r.scale().unwrap().clone(), t)
        })
    };
    let (a, b) = (run(1), run(2));
    let same = |p: &[f64], q: &[f64]| p.iter().zip(q).all(|(u, v)| u.to_bits() == v.to_bits());
    assert!(same(a.0.as_slice().unwrap(), b.0.as_slice().unwrap()));
    assert!(same(a.1.as_slice().unwrap(), b.1.as_slice().unwrap()));
    assert!(same(a.2.as_slice().unwrap(), b.2.as_slice().unwrap()));
}

#[test]
fn standard_scaler_values_whose_statistics_overflow_are_an_error() {
    // Found by probing: values near 1e308 gave an infinite mean and NaN output.
    let x = ndarray::array![[1e308, 1.0], [-1e308, 2.0], [1e308, 3.0]];
    let e = kiln_prep::scale::StandardScaler::default()
        .fit(x.view())
        .map(|_| ())
        .unwrap_err();
    assert!(matches!(e, kiln_core::Error::InvalidValue { .. }), "{e}");
    assert!(e.to_string().contains("column 0"), "{e}");
}
