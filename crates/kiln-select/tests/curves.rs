//! `learning_curve` and `validation_curve` against scikit-learn 1.9.1 (fixture from
//! `tests/reference/cv_reference.py`), the diagnosis on real fits, and bad input.

mod cv_common;

use cv_common::{
    REL, accuracy, assert_close, breast_cancer, diabetes, f64s, fixture, r2, rows, usizes,
};
use kiln_core::Error;
use kiln_linear::Ridge;
use kiln_prep::split::{KFold, StratifiedKFold};
use kiln_select::curves::{
    CurveOptions, Diagnosis, DiagnosisThresholds, TrainSizes, learning_curve, validation_curve,
};
use kiln_select::cv::CvOptions;
use kiln_tree::DecisionTreeClassifier;
use serde_json::Value;

/// Compares the per-point, per-fold scores; scikit-learn's arrays are (n_points, n_folds).
fn check_points(what: &str, points: &[kiln_select::curves::CurvePoint], want: &Value) {
    let train = rows(&want["train_scores"]);
    let test = rows(&want["test_scores"]);
    assert_eq!(points.len(), train.len(), "{what}: number of points");
    for (i, p) in points.iter().enumerate() {
        assert_close(
            &format!("{what} train[{i}]"),
            &p.train_scores,
            &train[i],
            REL,
        );
        assert_close(&format!("{what} test[{i}]"), &p.test_scores, &test[i], REL);
        let mean = test[i].iter().sum::<f64>() / test[i].len() as f64;
        assert!((p.test_mean - mean).abs() < 1e-10, "{what} mean[{i}]");
    }
}

#[test]
fn learning_curve_matches_scikit_learn() {
    let doc = fixture();
    let (x, y) = diabetes();
    for (key, sizes) in [
        ("ridge_learning", TrainSizes::default()),
        (
            "ridge_learning_counts",
            TrainSizes::Counts(vec![200, 30, 353, 100, 30]),
        ),
    ] {
        let want = &doc[key];
        let curve = learning_curve(
            &Ridge::default(),
            x.view(),
            y.view(),
            &KFold::default(),
            &r2(),
            &sizes,
            &CurveOptions::default(),
        )
        .unwrap();
        assert_eq!(curve.train_sizes, usizes(&want["train_sizes"]), "{key}");
        check_points(key, &curve.points, want);
    }
}

#[test]
fn validation_curve_matches_scikit_learn() {
    let doc = &fixture()["ridge_validation"];
    let (x, y) = diabetes();
    let curve = validation_curve(
        &Ridge::default(),
        "alpha",
        f64s(&doc["alphas"]),
        |p: Ridge, v| p.with_alpha(v),
        x.view(),
        y.view(),
        &KFold::default(),
        &r2(),
        &CurveOptions::default(),
    )
    .unwrap();
    check_points("validation", &curve.points, doc);
    let test = rows(&doc["test_scores"]);
    let means: Vec<f64> = test.iter().map(|r| r.iter().sum::<f64>() / 5.0).collect();
    let best = (0..means.len())
        .max_by(|&a, &b| means[a].total_cmp(&means[b]))
        .unwrap();
    assert_eq!(curve.best_index, best);
    assert_eq!(curve.diagnoses.len(), 7);
    let text = curve.to_string();
    assert!(
        text.contains("Best test score") && text.contains("alpha="),
        "{text}"
    );
}

#[test]
fn ridge_on_diabetes_reads_as_underfitting() {
    // R² ≈ 0.5 on train and test: poor (below 0.7) and close.
    let (x, y) = diabetes();
    let curve = learning_curve(
        &Ridge::default(),
        x.view(),
        y.view(),
        &KFold::default(),
        &r2(),
        &TrainSizes::default(),
        &CurveOptions::default(),
    )
    .unwrap();
    assert!(
        matches!(curve.diagnosis, Diagnosis::Underfitting { .. }),
        "{}",
        curve.diagnosis
    );
    assert!(curve.to_string().contains("underfits"));
    // With a lower bar for "poor" the same scores read otherwise.
    let lenient = CurveOptions::default()
        .with_thresholds(DiagnosisThresholds::default().with_poor_score(Some(0.3)));
    let curve = learning_curve(
        &Ridge::default(),
        x.view(),
        y.view(),
        &KFold::default(),
        &r2(),
        &TrainSizes::default(),
        &lenient,
    )
    .unwrap();
    assert!(
        !matches!(curve.diagnosis, Diagnosis::Underfitting { .. }),
        "{}",
        curve.diagnosis
    );
}

#[test]
fn a_full_depth_tree_reads_as_overfitting() {
    // An unpruned tree is perfect on its training rows and ~0.92 on held-out tumours.
    let (x, y) = breast_cancer();
    let curve = learning_curve(
        &DecisionTreeClassifier::default(),
        x.view(),
        y.view(),
        &StratifiedKFold::default(),
        &accuracy(),
        &TrainSizes::Fractions(vec![0.5, 1.0]),
        &CurveOptions::default().with_thresholds(DiagnosisThresholds::default().with_gap(0.03)),
    )
    .unwrap();
    let last = curve.points.last().unwrap();
    assert_eq!(last.train_mean, 1.0);
    assert!(
        matches!(curve.diagnosis, Diagnosis::Overfitting { .. }),
        "{}",
        curve.diagnosis
    );
    assert!(curve.to_string().contains("overfits"));
}

#[test]
fn curves_do_not_depend_on_parallelism() {
    let (x, y) = breast_cancer();
    let tree = DecisionTreeClassifier::default()
        .with_max_features(kiln_tree::MaxFeatures::Sqrt)
        .with_seed(9);
    let run = |threads: usize, parallel: bool| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            validation_curve(
                &tree,
                "max_depth",
                vec![Some(1), Some(3), None],
                |p: DecisionTreeClassifier, v| p.with_max_depth(v),
                x.view(),
                y.view(),
                &StratifiedKFold::default(),
                &accuracy(),
                &CurveOptions::default()
                    .with_cv_options(CvOptions::default().with_parallel(parallel)),
            )
            .unwrap()
        })
    };
    let a = run(1, true);
    assert_eq!(a, run(2, true));
    assert_eq!(a, run(2, false));
    assert_eq!(a.points[2].label, "None");
}

#[test]
fn bad_curve_input_is_a_typed_error() {
    let (x, y) = diabetes();
    let cv = KFold::default();
    let opts = CurveOptions::default();
    let lc = |sizes: TrainSizes| {
        learning_curve(
            &Ridge::default(),
            x.view(),
            y.view(),
            &cv,
            &r2(),
            &sizes,
            &opts,
        )
        .unwrap_err()
    };
    for bad in [
        TrainSizes::Fractions(vec![0.0, 0.5]),
        TrainSizes::Fractions(vec![1.5]),
        TrainSizes::Fractions(vec![]),
        TrainSizes::Counts(vec![0]),
        TrainSizes::Counts(vec![354]), // the first training fold has 353 samples
    ] {
        let err = lc(bad.clone());
        assert_eq!(err.parameter_name(), Some("train_sizes"), "{bad:?}: {err}");
    }
    let vc = |values: Vec<f64>| {
        validation_curve(
            &Ridge::default(),
            "alpha",
            values,
            |p: Ridge, v| p.with_alpha(v),
            x.view(),
            y.view(),
            &cv,
            &r2(),
            &opts,
        )
    };
    assert!(matches!(vc(vec![]).unwrap_err(), Error::EmptyInput { .. }));
    let err = vc(vec![1.0, -2.0]).unwrap_err();
    assert!(err.to_string().contains("alpha=-2.0"), "{err}");
    let err = learning_curve(
        &Ridge::default(),
        x.view(),
        y.slice(ndarray::s![..5]),
        &cv,
        &r2(),
        &TrainSizes::default(),
        &opts,
    )
    .unwrap_err();
    assert!(matches!(err, Error::ShapeMismatch { .. }), "{err}");
}
