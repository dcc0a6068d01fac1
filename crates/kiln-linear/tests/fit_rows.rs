//! `fit_rows` of the least-squares models (`Ridge`, `LinearRegression`): reading the rows of a
//! fold in place must give the model a fit on a copy of those rows gives, bit for bit, and the
//! same errors. Cross-validation relies on it (it skips the copy for these models).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a failure should stop the test loudly"
)]

use kiln_core::{Error, Fit, Predict};
use kiln_datasets::synthetic::MakeRegression;
use kiln_linear::{LinearRegression, Ridge};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, array, concatenate};

/// `fit_rows` against `fit_weighted` on the copied rows: equal predictions, bit for bit.
fn assert_same_fit<P>(
    params: &P,
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, f64>,
    w: Option<ArrayView1<'_, f64>>,
    rows: &[usize],
    what: &str,
) where
    P: Fit<Target = f64>,
    P::Fitted: Predict<Output = f64>,
{
    let xs = x.select(Axis(0), rows);
    let ys = y.select(Axis(0), rows);
    let ws = w.map(|w| w.select(Axis(0), rows));
    let copied = params
        .fit_weighted(xs.view(), ys.view(), ws.as_ref().map(|w| w.view()))
        .unwrap();
    let in_place = params.fit_rows(x, y, w, rows).unwrap();
    let a = copied.predict(x).unwrap();
    let b = in_place.predict(x).unwrap();
    let same = a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits());
    assert!(same, "{what}: predictions differ");
    // Cross-validation takes this path only for models that say they read rows in place.
    assert!(P::FITS_ROWS_IN_PLACE, "{what}");
}

fn data(n: usize, p: usize) -> (Array2<f64>, Array1<f64>, Array1<f64>) {
    let d = MakeRegression::default()
        .with_n_samples(n)
        .with_n_features(p)
        .with_noise(0.5)
        .with_seed(3)
        .generate()
        .unwrap();
    let w = Array1::from_shape_fn(n, |i| 0.25 + (i % 7) as f64 * 0.5);
    (d.x, d.y, w)
}

/// Index sets a splitter can produce: a shuffled k-fold's training rows (ascending with gaps,
/// over several leaves of the Gram pass), a run, and an unordered list with repeats (a
/// bootstrap).
fn index_sets(n: usize) -> Vec<(&'static str, Vec<usize>)> {
    vec![
        ("gaps", (0..n).filter(|i| (i * 7 + 3) % 5 != 0).collect()),
        ("run", (n / 4..n - n / 8).collect()),
        ("bootstrap", (0..n).map(|i| (i * 7919 + 13) % n).collect()),
    ]
}

#[test]
fn ridge_and_ols_fit_rows_equal_a_fit_on_the_copied_rows() {
    // 9,000 rows × 12 columns spans several leaves of the Gram pass.
    let (x, y, w) = data(9_000, 12);
    for (name, rows) in index_sets(x.nrows()) {
        for weighted in [false, true] {
            let w = weighted.then(|| w.view());
            for fit_intercept in [true, false] {
                let what = format!("{name}, weighted {weighted}, intercept {fit_intercept}");
                let ridge = Ridge::default()
                    .with_alpha(0.7)
                    .with_fit_intercept(fit_intercept);
                assert_same_fit(
                    &ridge,
                    x.view(),
                    y.view(),
                    w,
                    &rows,
                    &format!("Ridge {what}"),
                );
                let ols = LinearRegression::default().with_fit_intercept(fit_intercept);
                assert_same_fit(&ols, x.view(), y.view(), w, &rows, &format!("OLS {what}"));
            }
        }
    }
}

#[test]
fn the_rank_deficient_paths_read_the_rows_in_place_too() {
    // A repeated column: Ridge with alpha 0 falls back to its SVD, LinearRegression to QR + SVD;
    // both read the samples again, through the same row map.
    let (x, y, w) = data(600, 4);
    let x = concatenate![Axis(1), x, x.slice(ndarray::s![.., 1..2])];
    for (name, rows) in index_sets(x.nrows()) {
        let ridge = Ridge::default().with_alpha(0.0);
        assert_same_fit(&ridge, x.view(), y.view(), Some(w.view()), &rows, name);
        let ols = LinearRegression::default();
        assert_same_fit(&ols, x.view(), y.view(), None, &rows, name);
        let m = ols.fit_rows(x.view(), y.view(), None, &rows).unwrap();
        assert_eq!(m.rank(), 4, "{name}");
    }
}

#[test]
fn fit_rows_errors_name_the_position_in_rows() {
    let mut x = array![[1.0, 2.0], [3.0, 4.5], [5.0, 7.0], [2.0, 1.0], [0.5, 3.0]];
    let y = array![1.0, 2.0, 3.0, 4.0, 5.0];
    x[[1, 1]] = f64::NAN;
    let ridge = Ridge::default();
    let ols = LinearRegression::default();
    // Row 1 is not used: no error.
    ridge
        .fit_rows(x.view(), y.view(), None, &[0, 2, 3])
        .unwrap();
    ols.fit_rows(x.view(), y.view(), None, &[0, 2, 3]).unwrap();
    // Row 1 at position 2 of `rows`: the error names position 2, as a fit on the copy would.
    for err in [
        ridge
            .fit_rows(x.view(), y.view(), None, &[0, 2, 1, 3])
            .unwrap_err(),
        ols.fit_rows(x.view(), y.view(), None, &[0, 2, 1, 3])
            .unwrap_err(),
    ] {
        assert!(
            matches!(
                err,
                Error::NonFinite {
                    row: 2,
                    col: Some(1),
                    ..
                }
            ),
            "{err}"
        );
    }
    // An index out of range, an empty selection, a short y, bad weights of the chosen rows.
    let err = ridge
        .fit_rows(x.view(), y.view(), None, &[0, 5])
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidValue { row: Some(1), .. }),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("index 5 is out of range for 5 rows"),
        "{err}"
    );
    let err = ridge.fit_rows(x.view(), y.view(), None, &[]).unwrap_err();
    assert!(matches!(err, Error::EmptyInput { .. }), "{err}");
    let err = ols
        .fit_rows(x.view(), y.slice(ndarray::s![..4]), None, &[0])
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::ShapeMismatch {
                expected: 5,
                got: 4,
                ..
            }
        ),
        "{err}"
    );
    let w = array![1.0, 1.0, 0.0, 0.0, 1.0];
    let err = ridge
        .fit_rows(x.view(), y.view(), Some(w.view()), &[2, 3])
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidValue { row: None, .. }),
        "{err}"
    );
    // A non-finite X is reported before a problem of the weights, as in `fit_weighted`.
    let err = ridge
        .fit_rows(x.view(), y.view(), Some(w.view()), &[1, 2, 3])
        .unwrap_err();
    assert!(matches!(err, Error::NonFinite { row: 0, .. }), "{err}");
    let err = ridge
        .fit_weighted(
            x.view(),
            y.view(),
            Some(array![-1.0, 1.0, 1.0, 1.0, 1.0].view()),
        )
        .unwrap_err();
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
}

#[test]
fn a_non_finite_value_is_found_whatever_its_weight() {
    // The check of X runs only when the moments come out non-finite; a NaN or an infinity at
    // zero weight, with or without an intercept, must still make them so.
    let base = array![[1.0, 2.0], [3.0, 4.5], [5.0, 7.0], [2.0, 1.0]];
    let y = array![1.0, 2.0, 3.0, 4.0];
    let w = array![1.0, 0.0, 1.0, 1.0];
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let mut x = base.clone();
        x[[1, 0]] = bad;
        for fit_intercept in [true, false] {
            for w in [None, Some(w.view())] {
                let err = Ridge::default()
                    .with_fit_intercept(fit_intercept)
                    .fit_weighted(x.view(), y.view(), w)
                    .unwrap_err();
                assert!(
                    matches!(
                        err,
                        Error::NonFinite {
                            row: 1,
                            col: Some(0),
                            ..
                        }
                    ),
                    "{err}"
                );
                let err = LinearRegression::default()
                    .with_fit_intercept(fit_intercept)
                    .fit_weighted(x.view(), y.view(), w)
                    .unwrap_err();
                assert!(
                    matches!(
                        err,
                        Error::NonFinite {
                            row: 1,
                            col: Some(0),
                            ..
                        }
                    ),
                    "{err}"
                );
            }
        }
    }
    // Large finite values whose squares overflow are not an input error.
    let x = array![[1e200, 1.0], [-1e200, 2.0], [3e200, 0.5]];
    let y = array![1.0, 2.0, 3.0];
    let r = Ridge::default().fit(x.view(), y.view());
    assert!(!matches!(r, Err(Error::NonFinite { .. })), "{r:?}");
}

#[test]
fn predict_rows_equals_predict_on_the_copied_rows() {
    let (x, y, _) = data(9_000, 12);
    let ridge = Ridge::default().fit(x.view(), y.view()).unwrap();
    let ols = LinearRegression::default().fit(x.view(), y.view()).unwrap();
    for (name, rows) in index_sets(x.nrows()) {
        let copy = x.select(Axis(0), &rows);
        for (a, b) in [
            (
                ridge.predict(copy.view()).unwrap(),
                ridge.predict_rows(x.view(), &rows).unwrap(),
            ),
            (
                ols.predict(copy.view()).unwrap(),
                ols.predict_rows(x.view(), &rows).unwrap(),
            ),
        ] {
            assert!(
                a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()),
                "{name}"
            );
        }
    }
    let mut bad = x.slice(ndarray::s![..5, ..]).to_owned();
    bad[[3, 4]] = f64::INFINITY;
    assert!(ridge.predict_rows(bad.view(), &[0, 4, 1]).is_ok());
    let err = ridge.predict_rows(bad.view(), &[0, 3]).unwrap_err();
    assert!(
        matches!(
            err,
            Error::NonFinite {
                row: 1,
                col: Some(4),
                ..
            }
        ),
        "{err}"
    );
    let err = ols.predict_rows(bad.view(), &[0, 7]).unwrap_err();
    assert!(
        matches!(err, Error::InvalidValue { row: Some(1), .. }),
        "{err}"
    );
    let err = ols.predict_rows(bad.view(), &[]).unwrap_err();
    assert!(matches!(err, Error::EmptyInput { .. }), "{err}");
    let err = ols
        .predict_rows(bad.slice(ndarray::s![.., ..3]), &[0])
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::FeatureCountMismatch {
                expected: 12,
                got: 3,
                ..
            }
        ),
        "{err}"
    );
}
