//! Feature selection against scikit-learn 1.9.1 / SciPy 1.17.1 (fixtures from
//! `tests/reference/numeric_reference.py`), the kiln-check suite, and bad input.

mod numeric_common;

use kiln_check::Checker;
use kiln_core::{Error, Fit, FitUnsupervised, Fitted, InverseTransform, Transform};
use kiln_prep::select::{
    ClassifScore, K, RegressionScore, SelectKBest, SelectPercentile, VarianceThreshold, chi2,
    f_classif, f_regression,
};
use ndarray::{Array1, Array2, array};
use numeric_common::{
    ABS, REL, assert_close, assert_mat_close, bools, class_target, data_x, fixture, mat, rows,
    usizes, value_target, vec1,
};
use serde_json::Value;

/// P-values that underflow towards the subnormal range are compared absolutely.
const P_FLOOR: f64 = 1e-290;

fn edge_classes(doc: &Value) -> Array1<usize> {
    Array1::from(usizes(&doc["edge_y"]))
}

#[test]
fn scores_match_scikit_learn_and_scipy() {
    let doc = fixture("select");
    let cases = doc["scores"].as_array().unwrap();
    assert_eq!(cases.len(), 9);
    for case in cases {
        let data = case["data"].as_str().unwrap();
        let func = case["func"].as_str().unwrap();
        let what = format!("{func} on {data}");
        let x = data_x(&doc, data, "edge_x");
        let (score, p) = match func {
            "f_classif" | "chi2" => {
                let y = if data == "edge" {
                    edge_classes(&doc)
                } else {
                    class_target(data)
                };
                if func == "chi2" {
                    chi2(x.view(), y.view()).unwrap()
                } else {
                    f_classif(x.view(), y.view()).unwrap()
                }
            }
            "f_regression" => {
                let y = if data == "edge" {
                    vec1(&doc["edge_y_reg"])
                } else {
                    value_target(data)
                };
                f_regression(x.view(), y.view()).unwrap()
            }
            other => panic!("unknown score {other}"),
        };
        assert_close(
            &format!("{what}: score"),
            score.iter(),
            vec1(&case["score"]).iter(),
            REL,
            0.0,
        );
        assert_close(
            &format!("{what}: p-value"),
            p.iter(),
            vec1(&case["pvalue"]).iter(),
            REL,
            P_FLOOR,
        );
    }
}

#[test]
fn selectors_match_scikit_learn() {
    let doc = fixture("select");
    let cases = doc["selectors"].as_array().unwrap();
    assert_eq!(cases.len(), 14);
    for case in cases {
        let data = case["data"].as_str().unwrap();
        let func = case["func"].as_str().unwrap();
        let kind = case["estimator"].as_str().unwrap();
        let params = &case["params"];
        let what = format!("{kind}({func}, {params}) on {data}");
        let x = data_x(&doc, data, "edge_x");
        let xr = rows(&x, &usizes(&case["rows"]));
        let (support, out): (Vec<bool>, Array2<f64>) = if func == "f_regression" {
            let y = value_target(data);
            let score = RegressionScore::FRegression;
            if kind == "SelectKBest" {
                let k = params["k"].as_u64().unwrap() as usize;
                let m = SelectKBest::new(score)
                    .with_k(k)
                    .fit(x.view(), y.view())
                    .unwrap();
                (m.support().to_vec(), m.transform(xr.view()).unwrap())
            } else {
                let pc = params["percentile"].as_f64().unwrap();
                let m = SelectPercentile::new(score)
                    .with_percentile(pc)
                    .fit(x.view(), y.view())
                    .unwrap();
                (m.support().to_vec(), m.transform(xr.view()).unwrap())
            }
        } else {
            let y = if data == "edge" {
                edge_classes(&doc)
            } else {
                class_target(data)
            };
            let score = if func == "chi2" {
                ClassifScore::Chi2
            } else {
                ClassifScore::FClassif
            };
            if kind == "SelectKBest" {
                let k = params["k"].as_u64().unwrap() as usize;
                let m = SelectKBest::new(score)
                    .with_k(k)
                    .fit(x.view(), y.view())
                    .unwrap();
                (m.support().to_vec(), m.transform(xr.view()).unwrap())
            } else {
                let pc = params["percentile"].as_f64().unwrap();
                let m = SelectPercentile::new(score)
                    .with_percentile(pc)
                    .fit(x.view(), y.view())
                    .unwrap();
                (m.support().to_vec(), m.transform(xr.view()).unwrap())
            }
        };
        assert_eq!(support, bools(&case["support"]), "{what}: support");
        let want = mat(&case["transform"]);
        if want.ncols() == 0 {
            assert_eq!(out.ncols(), 0, "{what}");
        } else {
            assert_mat_close(&format!("{what}: transform"), &out, &want, 0.0, 0.0);
        }
    }
}

#[test]
fn variance_threshold_matches_scikit_learn() {
    let doc = fixture("select");
    for case in doc["variance"].as_array().unwrap() {
        let data = case["data"].as_str().unwrap();
        let threshold = case["threshold"].as_f64().unwrap();
        let what = format!("VarianceThreshold({threshold}) on {data}");
        let x = data_x(&doc, data, "edge_variance_x");
        let m = VarianceThreshold::default()
            .with_threshold(threshold)
            .fit(x.view())
            .unwrap();
        assert_close(
            &format!("{what}: variances"),
            m.variances().iter(),
            vec1(&case["variances"]).iter(),
            REL,
            0.0,
        );
        assert_eq!(m.support(), bools(&case["support"]), "{what}");
        let out = m
            .transform(rows(&x, &usizes(&case["rows"])).view())
            .unwrap();
        assert_mat_close(
            &format!("{what}: transform"),
            &out,
            &mat(&case["transform"]),
            REL,
            ABS,
        );
    }
}

/// Non-negative data for chi2: 60 rows, 4 features, three interleaved classes.
fn counts_data() -> Array2<f64> {
    Array2::from_shape_fn((60, 4), |(i, j)| {
        ((i * 37 + j * 11) % 13) as f64 + if j == 0 { (i % 3) as f64 * 4.0 } else { 0.0 }
    })
}

#[test]
fn selectors_pass_the_estimator_suite() {
    Checker::new(VarianceThreshold::default())
        .allows_missing()
        .invalid_param(
            VarianceThreshold::default().with_threshold(-1.0),
            "threshold",
        )
        .invalid_param(
            VarianceThreshold::default().with_threshold(f64::NAN),
            "threshold",
        )
        .check_transformer()
        .assert_passed();
    let kbest = SelectKBest::new(ClassifScore::FClassif).with_k(2);
    Checker::new(kbest)
        .skip(
            kiln_check::Check::InvalidParams,
            "SelectKBest has no invalid value: every k is accepted, k > n_features keeps all",
        )
        .check_supervised_transformer()
        .assert_passed();
    let counts = counts_data();
    let classes = Array1::from_shape_fn(counts.nrows(), |i| i % 3);
    Checker::new(SelectKBest::new(ClassifScore::Chi2).with_k(1))
        .classification_data(counts, classes)
        .skip(
            kiln_check::Check::InvalidParams,
            "SelectKBest has no invalid value: every k is accepted, k > n_features keeps all",
        )
        .check_supervised_transformer()
        .assert_passed();
    Checker::new(SelectKBest::new(RegressionScore::FRegression).with_k(K::Count(2)))
        .skip(
            kiln_check::Check::InvalidParams,
            "SelectKBest has no invalid value: every k is accepted, k > n_features keeps all",
        )
        .check_supervised_transformer()
        .assert_passed();
    let pct = SelectPercentile::new(ClassifScore::FClassif).with_percentile(50.0);
    Checker::new(pct)
        .invalid_param(pct.with_percentile(101.0), "percentile")
        .invalid_param(pct.with_percentile(f64::NAN), "percentile")
        .check_supervised_transformer()
        .assert_passed();
    let pct = SelectPercentile::new(RegressionScore::FRegression).with_percentile(70.0);
    Checker::new(pct)
        .invalid_param(pct.with_percentile(-5.0), "percentile")
        .check_supervised_transformer()
        .assert_passed();
}

#[test]
fn chi2_rejects_negative_features_naming_the_row() {
    let x = array![[1.0, 2.0], [3.0, -0.5], [1.0, 1.0]];
    let y = array![0usize, 1, 1];
    let err = chi2(x.view(), y.view()).unwrap_err();
    assert!(
        matches!(err, Error::InvalidValue { row: Some(1), .. }),
        "{err}"
    );
    assert!(err.to_string().contains("column 1"), "{err}");
    let err = SelectKBest::new(ClassifScore::Chi2)
        .fit(x.view(), y.view())
        .unwrap_err();
    assert!(matches!(err, Error::InvalidValue { .. }));
}

#[test]
fn k_larger_than_n_features_keeps_every_feature_and_k_zero_keeps_none() {
    // scikit-learn warns for k > n_features and keeps all; kiln keeps all without failing.
    let x = array![[1.0, 2.0], [2.0, 1.0], [3.0, 5.0], [4.0, 3.0]];
    let y = array![0usize, 0, 1, 1];
    let m = SelectKBest::new(ClassifScore::FClassif)
        .with_k(10)
        .fit(x.view(), y.view())
        .unwrap();
    assert_eq!(m.support(), &[true, true]);
    let m = SelectKBest::new(ClassifScore::FClassif)
        .with_k(0)
        .fit(x.view(), y.view())
        .unwrap();
    assert_eq!(m.transform(x.view()).unwrap().dim(), (4, 0));
    let m = SelectKBest::new(ClassifScore::FClassif)
        .with_k(K::All)
        .fit(x.view(), y.view())
        .unwrap();
    assert_eq!(m.selected(), &[0, 1]);
}

#[test]
fn selectors_reject_bad_input() {
    let x = array![[1.0, 2.0], [2.0, 1.0], [3.0, 5.0], [4.0, 3.0]];
    let y = array![0usize, 0, 1, 1];
    let sel = SelectKBest::new(ClassifScore::FClassif).with_k(1);
    let nan = array![[1.0, 2.0], [f64::NAN, 1.0], [3.0, 5.0], [4.0, 3.0]];
    assert!(matches!(
        sel.fit(nan.view(), y.view()),
        Err(Error::NonFinite {
            row: 1,
            col: Some(0),
            ..
        })
    ));
    assert!(matches!(
        sel.fit(Array2::zeros((0, 2)).view(), Array1::zeros(0).view()),
        Err(Error::EmptyInput { .. })
    ));
    assert!(matches!(
        sel.fit(x.view(), array![0usize, 1].view()),
        Err(Error::ShapeMismatch { .. })
    ));
    assert!(matches!(
        sel.fit(x.view(), array![1usize, 1, 1, 1].view()),
        Err(Error::SingleClass { .. })
    ));
    let w = Array1::ones(4);
    assert!(matches!(
        sel.fit_weighted(x.view(), y.view(), Some(w.view())),
        Err(Error::Unsupported { .. })
    ));
    let m = sel.fit(x.view(), y.view()).unwrap();
    assert_eq!(m.n_features_in(), 2);
    assert!(matches!(
        m.transform(array![[1.0, 2.0, 3.0]].view()),
        Err(Error::FeatureCountMismatch {
            expected: 2,
            got: 3,
            ..
        })
    ));
    assert!(matches!(
        m.transform(array![[1.0, f64::INFINITY]].view()),
        Err(Error::NonFinite {
            row: 0,
            col: Some(1),
            ..
        })
    ));
    // The inverse puts the kept column back and zeros elsewhere, as scikit-learn.
    let back = m.inverse_transform(array![[7.0]].view()).unwrap();
    assert_eq!(back, array![[7.0, 0.0]]);
    let err = SelectPercentile::new(ClassifScore::FClassif)
        .with_percentile(150.0)
        .fit(x.view(), y.view())
        .unwrap_err();
    assert_eq!(err.parameter_name(), Some("percentile"));
    let err = VarianceThreshold::default()
        .with_threshold(-0.1)
        .fit(x.view())
        .unwrap_err();
    assert_eq!(err.parameter_name(), Some("threshold"));
    assert!(matches!(
        f_regression(x.view(), array![1.0, f64::NAN, 2.0, 3.0].view()),
        Err(Error::NonFinite {
            row: 1,
            col: None,
            ..
        })
    ));
}

#[test]
fn f_regression_of_a_collinear_or_constant_feature() {
    let x = array![[1.0, 4.0], [2.0, 4.0], [3.0, 4.0], [5.0, 4.0]];
    let y = array![3.0, 5.0, 7.0, 11.0]; // 2 x + 1
    let (f, p) = f_regression(x.view(), y.view()).unwrap();
    assert_eq!((f[0], p[0]), (f64::MAX, 0.0));
    assert_eq!((f[1], p[1]), (0.0, 1.0));
    // One or two samples leave no degrees of freedom: F = 0 and p NaN, whatever the data.
    for n in [1, 2] {
        let (f, p) =
            f_regression(x.slice(ndarray::s![..n, ..]), y.slice(ndarray::s![..n])).unwrap();
        assert!(
            f.iter().all(|&v| v == 0.0) && p.iter().all(|v| v.is_nan()),
            "n {n}: {f} {p}"
        );
    }
}

#[test]
fn variance_threshold_fails_when_no_feature_passes() {
    let x = array![[1.0, 2.0], [1.0, 2.0]];
    let err = VarianceThreshold::default().fit(x.view()).unwrap_err();
    assert!(err.to_string().contains("variance threshold"), "{err}");
    let err = VarianceThreshold::default()
        .fit(array![[1.0, 2.0]].view())
        .unwrap_err();
    assert!(err.to_string().contains("only one sample"), "{err}");
}
