//! Bad input to the boosted models gives typed errors that name the problem.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "helpers outside #[test] functions fail loudly on a broken model or fixture"
)]

use kiln_core::{Error, Fit, Predict};
use kiln_tree::{FitOptions, RegressionLoss};
use ndarray::{Array1, Array2, s};
mod boost_common;
use boost_common::*;

// ------------------------------------------------------------------ typed errors

/// Asserts `r` is an error matching `pred` whose message contains every word of `words`.
fn expect_err<T: std::fmt::Debug>(
    r: kiln_core::Result<T>,
    pred: impl Fn(&Error) -> bool,
    words: &[&str],
) {
    let e = r.expect_err("an error");
    assert!(pred(&e), "unexpected variant: {e:?}");
    let msg = e.to_string();
    for w in words {
        assert!(msg.contains(w), "message `{msg}` does not name `{w}`");
    }
}

#[test]
fn bad_input_gives_typed_errors() {
    let (x, y) = regression(60, 1);
    let (_, yc) = binary(60, 1);

    let mut xi = x.clone();
    xi[[4, 2]] = f64::INFINITY;
    expect_err(
        reg().fit(xi.view(), y.view()),
        |e| {
            matches!(
                e,
                Error::NonFinite {
                    row: 4,
                    col: Some(2),
                    ..
                }
            )
        },
        &["row 4", "column 2"],
    );
    expect_err(
        clf().fit(xi.view(), yc.view()),
        |e| {
            matches!(
                e,
                Error::NonFinite {
                    row: 4,
                    col: Some(2),
                    ..
                }
            )
        },
        &["inf"],
    );
    let mut yn = y.clone();
    yn[7] = f64::NAN;
    expect_err(
        reg().fit(x.view(), yn.view()),
        |e| matches!(e, Error::NonFinite { row: 7, .. }),
        &["row 7"],
    );

    let poisson = reg().with_loss(RegressionLoss::Poisson);
    let mut yneg = y.mapv(f64::abs);
    yneg[3] = -1.0;
    expect_err(
        poisson.fit(x.view(), yneg.view()),
        |e| matches!(e, Error::InvalidValue { row: Some(3), .. }),
        &["Poisson", "y >= 0"],
    );
    let zeros = Array1::zeros(60);
    expect_err(
        poisson.fit(x.view(), zeros.view()),
        |e| matches!(e, Error::InvalidValue { .. }),
        &["Poisson", "positive"],
    );

    let one_class = Array1::from_elem(60, 2usize);
    expect_err(
        clf().fit(x.view(), one_class.view()),
        |e| matches!(e, Error::SingleClass { .. }),
        &["2 classes"],
    );

    let cat = clf().with_categorical_features(vec![1]);
    for (bad, word) in [(1.5, "1.5"), (-1.0, "-1")] {
        let mut xc = x.mapv(|v| (v + 2.0).floor());
        xc[[5, 1]] = bad;
        expect_err(
            cat.fit(xc.view(), yc.view()),
            |e| matches!(e, Error::InvalidValue { row: Some(5), .. }),
            &["categorical feature 1", "integer", word],
        );
    }
    let many = Array2::from_shape_fn((60, 4), |(i, j)| if j == 1 { i as f64 } else { 0.0 });
    expect_err(
        cat.clone().with_max_bins(50).fit(many.view(), yc.view()),
        |e| matches!(e, Error::InvalidValue { .. }),
        &["categorical feature 1", "60 categories", "max_bins"],
    );
    expect_err(
        clf()
            .with_categorical_features(vec![4])
            .fit(x.view(), yc.view()),
        |e| e.parameter_name() == Some("categorical_features"),
        &["categorical_features", "4"],
    );

    expect_err(
        reg().with_monotonic_cst(vec![1, 0]).fit(x.view(), y.view()),
        |e| e.parameter_name() == Some("monotonic_cst"),
        &["monotonic_cst", "4", "2"],
    );
    expect_err(
        reg()
            .with_categorical_features(vec![1])
            .with_monotonic_cst(vec![0, 1, 0, 0])
            .fit(x.mapv(|v| (v + 2.0).floor()).view(), y.view()),
        |e| e.parameter_name() == Some("monotonic_cst"),
        &["categorical"],
    );
    let (_, y3) = multiclass(60, 1);
    expect_err(
        clf()
            .with_monotonic_cst(vec![1, 0, 0, 0])
            .fit(x.view(), y3.view()),
        |e| e.parameter_name() == Some("monotonic_cst"),
        &["two classes"],
    );

    let m = clf().fit(x.view(), yc.view()).unwrap();
    let narrow = x.slice(s![.., ..3]).to_owned();
    let mismatch = |e: &Error| {
        matches!(
            e,
            Error::FeatureCountMismatch {
                expected: 4,
                got: 3,
                ..
            }
        )
    };
    expect_err(m.predict(narrow.view()), mismatch, &["4", "3"]);
    expect_err(m.decision_function(narrow.view()), mismatch, &["4"]);
    expect_err(m.feature_contributions(narrow.view()), mismatch, &["4"]);
    expect_err(m.apply(narrow.view()), mismatch, &["4"]);
    let r = reg().fit(x.view(), y.view()).unwrap();
    expect_err(r.raw_predict(narrow.view()), mismatch, &["4"]);

    let mut unknown = yc.slice(s![..10]).to_owned();
    unknown[6] = 5;
    let xv = x.slice(s![..10, ..]).to_owned();
    expect_err(
        clf().fit_with(
            x.view(),
            yc.view(),
            FitOptions::new().eval_set(xv.view(), unknown.view()),
        ),
        |e| matches!(e, Error::UnknownLabel { row: Some(6), .. }),
        &["`5`", "evaluation set"],
    );

    let empty = Array2::<f64>::zeros((0, 4));
    expect_err(
        reg().fit(empty.view(), Array1::zeros(0).view()),
        |e| matches!(e, Error::EmptyInput { .. }),
        &["empty"],
    );
}
