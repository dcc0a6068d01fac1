//! `SimpleImputer` against scikit-learn 1.9.1 (fixtures from
//! `tests/reference/numeric_reference.py` on penguins, credit_scoring and a hand-made edge
//! case), the kiln-check suite, and bad input.

mod numeric_common;

use kiln_check::Checker;
use kiln_core::{Error, FitUnsupervised, Fitted, Transform};
use kiln_prep::impute::{SimpleImputer, Strategy};
use ndarray::{Array2, array};
use numeric_common::{
    ABS, REL, assert_close, assert_mat_close, data_x, fixture, mat, rows, usizes, vec1,
};

#[test]
fn imputer_matches_scikit_learn() {
    let doc = fixture("impute");
    let cases = doc["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 36);
    for case in cases {
        let data = case["data"].as_str().unwrap();
        let strategy = match case["strategy"].as_str().unwrap() {
            "mean" => Strategy::Mean,
            "median" => Strategy::Median,
            "most_frequent" => Strategy::MostFrequent,
            "constant" => Strategy::Constant(case["fill_value"].as_f64().unwrap()),
            other => panic!("unknown strategy {other}"),
        };
        let params = SimpleImputer::default()
            .with_strategy(strategy)
            .with_add_indicator(case["add_indicator"].as_bool().unwrap())
            .with_keep_empty_features(case["keep_empty_features"].as_bool().unwrap());
        let what = format!("{params:?} on {data}");
        let x = data_x(&doc, data, "edge_x");
        let m = params.fit(x.view()).unwrap();
        // Statistics are exact order statistics or means: compare to rounding.
        assert_close(
            &format!("{what}: statistics"),
            m.statistics().iter(),
            vec1(&case["statistics"]).iter(),
            REL,
            0.0,
        );
        assert_eq!(
            m.indicator_features(),
            usizes(&case["indicator_features"]),
            "{what}"
        );
        let names_in: Vec<String> = case["feature_names_in"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();
        let names_out: Vec<String> = case["feature_names_out"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();
        assert_eq!(m.feature_names_out(&names_in).unwrap(), names_out, "{what}");
        assert_eq!(m.n_features_out(), names_out.len());
        let idx = usizes(&case["rows"]);
        let out = m.transform(rows(&x, &idx).view()).unwrap();
        assert_mat_close(
            &format!("{what}: transform"),
            &out,
            &mat(&case["transform"]),
            REL,
            ABS,
        );
    }
}

#[test]
fn imputer_passes_the_estimator_suite() {
    for strategy in [
        Strategy::Mean,
        Strategy::Median,
        Strategy::MostFrequent,
        Strategy::Constant(-1.0),
    ] {
        for add_indicator in [false, true] {
            let params = SimpleImputer::default()
                .with_strategy(strategy)
                .with_add_indicator(add_indicator);
            Checker::new(params)
                .allows_missing()
                .invalid_param(
                    params.with_strategy(Strategy::Constant(f64::NAN)),
                    "strategy",
                )
                .invalid_param(
                    params.with_strategy(Strategy::Constant(f64::INFINITY)),
                    "strategy",
                )
                .check_transformer()
                .assert_passed();
        }
    }
}

#[test]
fn most_frequent_breaks_ties_towards_the_smallest_value() {
    let x = array![[3.0], [1.0], [3.0], [1.0], [f64::NAN], [2.0]];
    let m = SimpleImputer::default()
        .with_strategy(Strategy::MostFrequent)
        .fit(x.view())
        .unwrap();
    assert_eq!(m.statistics()[0], 1.0);
}

#[test]
fn empty_features_are_dropped_unless_kept() {
    let x = array![[1.0, f64::NAN, 5.0], [f64::NAN, f64::NAN, 7.0]];
    let m = SimpleImputer::default().fit(x.view()).unwrap();
    assert_eq!(m.kept_features(), &[0, 2]);
    assert!(m.statistics()[1].is_nan());
    assert_eq!(
        m.transform(x.view()).unwrap(),
        array![[1.0, 5.0], [1.0, 7.0]]
    );
    let m = SimpleImputer::default()
        .with_keep_empty_features(true)
        .with_strategy(Strategy::Constant(9.0))
        .fit(x.view())
        .unwrap();
    assert_eq!(
        m.transform(x.view()).unwrap(),
        array![[1.0, 9.0, 5.0], [9.0, 9.0, 7.0]]
    );
}

#[test]
fn indicator_covers_only_features_missing_at_fit() {
    let x = array![[1.0, 2.0], [f64::NAN, 4.0]];
    let m = SimpleImputer::default()
        .with_add_indicator(true)
        .fit(x.view())
        .unwrap();
    assert_eq!(m.indicator_features(), &[0]);
    // A value missing later in feature 1 is imputed but gets no indicator column.
    let later = array![[f64::NAN, f64::NAN]];
    assert_eq!(m.transform(later.view()).unwrap(), array![[1.0, 3.0, 1.0]]);
}

#[test]
fn imputer_rejects_bad_input() {
    let imp = SimpleImputer::default();
    let inf = array![[1.0, 2.0], [f64::INFINITY, 1.0]];
    assert!(matches!(
        imp.fit(inf.view()),
        Err(Error::NonFinite {
            row: 1,
            col: Some(0),
            ..
        })
    ));
    assert!(matches!(
        imp.fit(Array2::zeros((0, 2)).view()),
        Err(Error::EmptyInput { .. })
    ));
    let m = imp.fit(array![[1.0, 2.0]].view()).unwrap();
    assert_eq!(m.n_features_in(), 2);
    assert!(matches!(
        m.transform(array![[1.0]].view()),
        Err(Error::FeatureCountMismatch {
            expected: 2,
            got: 1,
            ..
        })
    ));
    assert!(matches!(
        m.transform(inf.view()),
        Err(Error::NonFinite {
            row: 1,
            col: Some(0),
            ..
        })
    ));
    assert!(matches!(
        m.feature_names_out(&["a".to_owned()]),
        Err(Error::ShapeMismatch {
            expected: 2,
            got: 1,
            ..
        })
    ));
    let w = array![1.0];
    assert!(matches!(
        imp.fit_weighted(array![[1.0]].view(), Some(w.view())),
        Err(Error::Unsupported { .. })
    ));
    let err = imp
        .with_strategy(Strategy::Constant(f64::NAN))
        .fit(array![[1.0]].view())
        .unwrap_err();
    assert_eq!(err.parameter_name(), Some("strategy"));
}
