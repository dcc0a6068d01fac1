//! `GridSearch` and `RandomSearch` against scikit-learn 1.9.1's `GridSearchCV` (fixture from
//! `tests/reference/cv_reference.py`), determinism, and bad input.

mod cv_common;

use cv_common::{REL, assert_close, diabetes, f64s, fixture, mse, r2, usizes};
use kiln_core::Error;
use kiln_linear::Ridge;
use kiln_linear::ridge::Alpha;
use kiln_prep::split::KFold;
use kiln_select::cv::CvOptions;
use kiln_select::search::{
    Choice, Grid, GridSearch, IntUniform, LogUniform, OnInvalid, RandomSearch, RandomSpace, Uniform,
};

fn ridge_grid(alphas: Vec<f64>) -> Grid<Ridge> {
    // Axes in alphabetical order, so the candidate order is scikit-learn's ParameterGrid's.
    Grid::new(Ridge::default())
        .axis("alpha", alphas, |p: Ridge, v| p.with_alpha(v))
        .axis("fit_intercept", vec![true, false], |p: Ridge, v| {
            p.with_fit_intercept(v)
        })
}

fn alpha_of(p: &Ridge) -> f64 {
    match p.alpha {
        Alpha::Scalar(a) => a,
        Alpha::PerTarget(_) => f64::NAN,
    }
}

#[test]
fn grid_search_matches_grid_search_cv() {
    let doc = &fixture()["ridge_grid"];
    let (x, y) = diabetes();
    let res = GridSearch::new(ridge_grid(f64s(&doc["alphas"])))
        .with_refit_scorer("r2")
        .fit(x.view(), y.view(), &KFold::default(), &[r2(), mse()])
        .unwrap();
    let cands = res.candidates();
    for (c, want) in cands.iter().zip(doc["params"].as_array().unwrap()) {
        assert_eq!(alpha_of(&c.params), want["alpha"].as_f64().unwrap());
        assert_eq!(
            c.params.fit_intercept,
            want["fit_intercept"].as_bool().unwrap()
        );
    }
    assert_eq!(cands[1].description, "alpha=0.01, fit_intercept=false");
    for name in ["r2", "mse"] {
        assert_close(
            &format!("mean_test_{name}"),
            &res.mean_test_scores(name).unwrap(),
            &f64s(&doc[format!("mean_test_{name}")]),
            REL,
        );
        assert_close(
            &format!("std_test_{name}"),
            &res.std_test_scores(name).unwrap(),
            &f64s(&doc[format!("std_test_{name}")]),
            REL,
        );
        assert_eq!(
            res.ranks(name).unwrap(),
            usizes(&doc[format!("rank_test_{name}")]),
            "rank_test_{name}"
        );
    }
    assert_eq!(
        res.best_index(),
        doc["best_index"].as_u64().unwrap() as usize
    );
    assert_eq!(
        alpha_of(res.best_params()),
        doc["best_alpha"].as_f64().unwrap()
    );
    assert_eq!(
        res.best_params().fit_intercept,
        doc["best_fit_intercept"].as_bool().unwrap()
    );
    assert_close(
        "best_score",
        &[res.best_score()],
        &[doc["best_score"].as_f64().unwrap()],
        REL,
    );
    let best = res.best_model().unwrap();
    assert_close(
        "best coef",
        best.coef().as_slice().unwrap(),
        &f64s(&doc["best_coef"]),
        1e-9,
    );
    assert_close(
        "best intercept",
        &[best.intercept()],
        &[doc["best_intercept"].as_f64().unwrap()],
        1e-9,
    );
    let text = res.to_string();
    assert!(
        text.contains("best: alpha=") && text.contains("ranked by r2"),
        "{text}"
    );
}

#[test]
fn refit_scorer_chooses_the_best() {
    let doc = &fixture()["ridge_grid"];
    let (x, y) = diabetes();
    let res = GridSearch::new(ridge_grid(f64s(&doc["alphas"])))
        .with_refit_scorer("mse")
        .with_refit(false)
        .fit(x.view(), y.view(), &KFold::default(), &[r2(), mse()])
        .unwrap();
    let want = usizes(&doc["rank_test_mse"])
        .iter()
        .position(|&r| r == 1)
        .unwrap();
    assert_eq!(res.best_index(), want);
    assert!(res.best_model().is_none());
    let mses = res.mean_test_scores("mse").unwrap();
    assert!(mses.iter().all(|&m| m >= res.best_score()));
}

#[expect(clippy::unwrap_used, reason = "test helper: an error fails the test")]
fn random_search(n_threads: usize, parallel: bool, seed: u64) -> Vec<(String, f64)> {
    let (x, y) = diabetes();
    let space = RandomSpace::new(Ridge::default())
        .axis(
            "alpha",
            LogUniform {
                low: 1e-3,
                high: 1e3,
            },
            |p: Ridge, v| p.with_alpha(v),
        )
        .axis("fit_intercept", Choice(vec![true, false]), |p: Ridge, v| {
            p.with_fit_intercept(v)
        });
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(n_threads)
        .build()
        .unwrap();
    let res = pool
        .install(|| {
            RandomSearch::new(space)
                .with_n_iter(8)
                .with_seed(seed)
                .with_cv_options(CvOptions::default().with_parallel(parallel))
                .fit(x.view(), y.view(), &KFold::default(), &[r2()])
        })
        .unwrap();
    res.candidates()
        .iter()
        .map(|c| (c.description.clone(), c.mean_test[0]))
        .collect()
}

#[test]
fn random_search_is_deterministic_across_threads() {
    let a = random_search(1, true, 11);
    assert_eq!(a, random_search(2, true, 11));
    assert_eq!(a, random_search(2, false, 11));
    assert_ne!(a, random_search(1, true, 12));
    assert_eq!(a.len(), 8);
}

#[test]
fn random_draws_stay_in_their_ranges_and_prefixes_agree() {
    #[derive(Clone, Debug, PartialEq)]
    struct P {
        a: f64,
        b: f64,
        k: usize,
    }
    let space = RandomSpace::new(P {
        a: 0.0,
        b: 0.0,
        k: 0,
    })
    .axis(
        "a",
        Uniform {
            low: -2.0,
            high: 3.0,
        },
        |p: P, v| P { a: v, ..p },
    )
    .axis(
        "b",
        LogUniform {
            low: 1e-2,
            high: 1e2,
        },
        |p: P, v| P { b: v, ..p },
    )
    .axis("k", IntUniform { low: 2, high: 4 }, |p: P, v| P {
        k: v,
        ..p
    });
    let c = space.sample(500, 0).unwrap();
    assert!(c.iter().all(|c| (-2.0..3.0).contains(&c.params.a)));
    assert!(c.iter().all(|c| (1e-2..1e2).contains(&c.params.b)));
    let ks: std::collections::BTreeSet<usize> = c.iter().map(|c| c.params.k).collect();
    assert_eq!(
        ks.into_iter().collect::<Vec<_>>(),
        vec![2, 3, 4],
        "both ends included"
    );
    // Log-uniform: about half the draws below the geometric mid-point 1.
    let below = c.iter().filter(|c| c.params.b < 1.0).count();
    assert!((200..300).contains(&below), "{below}");
    assert_eq!(space.sample(10, 0).unwrap()[..], c[..10]);
}

#[test]
fn bad_searches_are_typed_errors() {
    let (x, y) = diabetes();
    let cv = KFold::default();
    // An empty grid.
    let err = GridSearch::new(ridge_grid(vec![]))
        .fit(x.view(), y.view(), &cv, &[r2()])
        .unwrap_err();
    assert!(matches!(err, Error::EmptyInput { .. }), "{err}");
    // An invalid candidate is named, before anything is fitted.
    let err = GridSearch::new(ridge_grid(vec![1.0, -1.0]))
        .fit(x.view(), y.view(), &cv, &[r2()])
        .unwrap_err();
    assert_eq!(err.parameter_name(), Some("alpha"));
    assert!(
        err.to_string()
            .contains("candidate 2: alpha=-1.0, fit_intercept=true"),
        "{err}"
    );
    // ... or skipped with its reason.
    let res = GridSearch::new(ridge_grid(vec![1.0, -1.0]))
        .with_on_invalid(OnInvalid::Skip)
        .fit(x.view(), y.view(), &cv, &[r2()])
        .unwrap();
    assert_eq!(res.candidates().len(), 2);
    assert_eq!(res.skipped().len(), 2);
    assert_eq!(res.skipped()[0].index, 2);
    assert!(res.skipped()[0].reason.contains("alpha"));
    // All invalid.
    let err = GridSearch::new(ridge_grid(vec![-1.0]))
        .with_on_invalid(OnInvalid::Skip)
        .fit(x.view(), y.view(), &cv, &[r2()])
        .unwrap_err();
    assert!(matches!(err, Error::EmptyInput { .. }), "{err}");
    // Unknown refit scorer.
    let err = GridSearch::new(ridge_grid(vec![1.0]))
        .with_refit_scorer("accuracy")
        .fit(x.view(), y.view(), &cv, &[r2(), mse()])
        .unwrap_err();
    assert_eq!(err.parameter_name(), Some("refit_scorer"), "{err}");
    // Mismatched y.
    let err = GridSearch::new(ridge_grid(vec![1.0]))
        .fit(x.view(), y.slice(ndarray::s![..10]), &cv, &[r2()])
        .unwrap_err();
    assert!(matches!(err, Error::ShapeMismatch { .. }), "{err}");
    // Random search: no iterations, a reversed range.
    let space = || RandomSpace::new(Ridge::default());
    let err = RandomSearch::new(space())
        .with_n_iter(0)
        .fit(x.view(), y.view(), &cv, &[r2()])
        .unwrap_err();
    assert_eq!(err.parameter_name(), Some("n_iter"));
    let err = RandomSearch::new(space().axis(
        "alpha",
        LogUniform {
            low: 0.0,
            high: 1.0,
        },
        |p: Ridge, v| p.with_alpha(v),
    ))
    .fit(x.view(), y.view(), &cv, &[r2()])
    .unwrap_err();
    assert_eq!(err.parameter_name(), Some("alpha"), "{err}");
    assert!(err.to_string().contains("LogUniform"), "{err}");
}
