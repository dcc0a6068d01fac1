//! The correlation filter against `np.corrcoef` and the drop rule applied to it (fixtures
//! from `tests/reference/rules_reference.py`), the kiln-check suite, and bad input.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests: a malformed fixture or a wrong result should fail loudly"
)]

use kiln_check::Checker;
use kiln_core::persist::{from_bytes, to_bytes};
use kiln_core::{Error, FitUnsupervised, Fitted, Params, Transform};
use kiln_datasets::Dataset;
use kiln_prep::CsvOptions;
use kiln_prep::select::{CorrelationFilter, FittedCorrelationFilter};
use ndarray::{Array2, array};
use serde_json::Value;

const TOL: f64 = 1e-10;

fn fixture() -> Value {
    let path = format!(
        "{}/tests/fixtures/rules_correlation.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn features(case: &Value) -> Array2<f64> {
    let set = Dataset::from_name(case["data"].as_str().unwrap()).unwrap();
    let (frame, _) = CsvOptions::default().read_str(set.csv()).unwrap();
    let names: Vec<&str> = case["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    frame.to_array(&names).unwrap()
}

#[test]
fn correlations_and_drops_match_numpy_corrcoef() {
    let doc = fixture();
    let cases = doc["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 2);
    for case in cases {
        let data = case["data"].as_str().unwrap();
        let x = features(case);
        let want_r = case["correlations"].as_array().unwrap();
        for filter in case["filters"].as_array().unwrap() {
            let t = filter["threshold"].as_f64().unwrap();
            let fitted = CorrelationFilter::default()
                .with_threshold(t)
                .fit(x.view())
                .unwrap();
            let r = fitted.correlations();
            assert_eq!(r.dim(), (x.ncols(), x.ncols()));
            for (i, row) in want_r.iter().enumerate() {
                for (j, w) in row.as_array().unwrap().iter().enumerate() {
                    let w = w.as_f64().unwrap();
                    assert!(
                        (r[[i, j]] - w).abs() <= TOL,
                        "{data}: r[{i}, {j}] = {}, numpy {w}",
                        r[[i, j]]
                    );
                }
            }
            let want = filter["dropped"].as_array().unwrap();
            let got = fitted.dropped();
            assert_eq!(got.len(), want.len(), "{data} at {t}: {got:?}");
            for (g, w) in got.iter().zip(want) {
                let w = w.as_array().unwrap();
                assert_eq!(g.feature, w[0].as_u64().unwrap() as usize, "{data} at {t}");
                assert_eq!(g.kept, w[1].as_u64().unwrap() as usize, "{data} at {t}");
                assert!((g.abs_correlation - w[2].as_f64().unwrap()).abs() <= TOL);
                assert!(g.abs_correlation > t && fitted.support()[g.kept]);
            }
            let n_kept = x.ncols() - want.len();
            assert_eq!(fitted.selected().len(), n_kept);
            assert_eq!(fitted.transform(x.view()).unwrap().ncols(), n_kept);
        }
    }
}

#[test]
fn breast_cancer_keeps_radius_and_drops_perimeter_and_area() {
    let doc = fixture();
    let x = features(&doc["cases"][0]);
    let f = CorrelationFilter::default().fit(x.view()).unwrap();
    // mean_radius (0) is kept; mean_perimeter (2) and mean_area (3) point at it.
    assert!(f.support()[0] && !f.support()[2] && !f.support()[3]);
    assert_eq!(f.dropped()[0].kept, 0);
    assert_eq!(f.dropped()[1].kept, 0);
    let out = f.transform(x.view()).unwrap();
    for (k, &j) in f.selected().iter().enumerate() {
        assert_eq!(out.column(k), x.column(j));
    }
}

#[test]
fn passes_the_kiln_check_transformer_suite() {
    Checker::new(CorrelationFilter::default())
        .invalid_param(
            CorrelationFilter::default().with_threshold(1.5),
            "threshold",
        )
        .invalid_param(
            CorrelationFilter::default().with_threshold(-0.1),
            "threshold",
        )
        .invalid_param(
            CorrelationFilter::default().with_threshold(f64::NAN),
            "threshold",
        )
        .check_transformer()
        .assert_passed();
    // And on data where a feature is dropped (column 1 follows column 0 closely).
    let x = Array2::from_shape_fn((40, 3), |(i, j)| {
        let t = i as f64;
        match j {
            0 => (0.7 * t).sin() * 3.0 + t * 0.1,
            1 => (0.7 * t).sin() * 6.0 + t * 0.2 + (1.3 * t).cos() * 0.05,
            _ => (2.9 * t).cos() + 0.5,
        }
    });
    let fitted = CorrelationFilter::default().fit(x.view()).unwrap();
    assert_eq!(fitted.support(), &[true, false, true]);
    Checker::new(CorrelationFilter::default())
        .unsupervised_data(x)
        .invalid_param(
            CorrelationFilter::default().with_threshold(2.0),
            "threshold",
        )
        .check_transformer()
        .assert_passed();
}

#[test]
fn threshold_out_of_range_is_rejected_at_validate_and_fit() {
    let x = array![[1.0, 2.0], [2.0, 1.0], [3.0, 5.0]];
    for t in [-0.01, 1.01, f64::NAN, f64::INFINITY] {
        let p = CorrelationFilter::default().with_threshold(t);
        assert_eq!(
            p.validate().unwrap_err().parameter_name(),
            Some("threshold")
        );
        let err = p.fit(x.view()).unwrap_err();
        assert!(
            err.to_string().contains(
                "`threshold` parameter of CorrelationFilter must be a float in the range [0, 1]"
            ),
            "{err}"
        );
    }
    for t in [0.0, 1.0] {
        assert!(
            CorrelationFilter::default()
                .with_threshold(t)
                .fit(x.view())
                .is_ok()
        );
    }
}

#[test]
fn nan_in_x_is_rejected_with_its_position() {
    let x = array![[1.0, 2.0], [2.0, f64::NAN], [3.0, 5.0]];
    let err = CorrelationFilter::default().fit(x.view()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::NonFinite {
                row: 1,
                col: Some(1),
                ..
            }
        ),
        "{err}"
    );
    let ok = array![[1.0, 2.0], [2.0, 1.0], [3.0, 5.0]];
    let f = CorrelationFilter::default().fit(ok.view()).unwrap();
    assert!(matches!(
        f.transform(x.view()),
        Err(Error::NonFinite {
            row: 1,
            col: Some(1),
            ..
        })
    ));
    assert!(matches!(
        f.transform(array![[1.0, 2.0, 3.0]].view()),
        Err(Error::FeatureCountMismatch {
            expected: 2,
            got: 3,
            ..
        })
    ));
}

#[test]
fn constant_columns_never_cause_or_suffer_a_drop() {
    // Columns 1 and 3 are constant; 2 is an exact multiple of 0.
    let x = array![
        [1.0, 0.1, 2.0, 7.0],
        [2.0, 0.1, 4.0, 7.0],
        [4.0, 0.1, 8.0, 7.0],
        [3.0, 0.1, 6.0, 7.0]
    ];
    let f = CorrelationFilter::default()
        .with_threshold(0.0)
        .fit(x.view())
        .unwrap();
    assert_eq!(f.support(), &[true, true, false, true]);
    let r = f.correlations();
    assert!(r[[1, 1]].is_nan() && r[[0, 1]].is_nan() && r[[3, 2]].is_nan());
    assert_eq!(r[[0, 0]], 1.0);
    // One sample: every column is constant, nothing is dropped.
    let one = array![[1.0, 2.0, 3.0]];
    let f = CorrelationFilter::default().fit(one.view()).unwrap();
    assert!(f.dropped().is_empty() && f.support().iter().all(|&s| s));
}

#[test]
fn keeps_the_first_of_a_chain_and_records_its_partner() {
    // r01 = 0.886, r12 = 0.861, r02 = 0.574 (np.corrcoef). At 0.8, (0, 1) drops 1; then
    // (1, 2) is skipped because 1 is gone, so 2 stays although r12 > 0.8.
    let x = array![
        [1.0, 1.0, 2.0],
        [2.0, 3.0, 3.0],
        [3.0, 2.0, 1.0],
        [4.0, 5.0, 6.0],
        [5.0, 4.0, 3.0],
        [6.0, 6.0, 5.0]
    ];
    let f = CorrelationFilter::default()
        .with_threshold(0.8)
        .fit(x.view())
        .unwrap();
    assert!((f.correlations()[[1, 2]] - 0.861_253_88).abs() < 1e-8);
    assert_eq!(f.support(), &[true, false, true]);
    assert_eq!((f.dropped()[0].feature, f.dropped()[0].kept), (1, 0));
    assert_eq!(f.n_features_in(), 3);
    let bytes = to_bytes(&f).unwrap();
    let back: FittedCorrelationFilter = from_bytes(&bytes).unwrap();
    assert_eq!(back.support(), f.support());
    assert_eq!(back.dropped(), f.dropped());
}
