//! Pipeline: automatic preparation and fitted models equal to scikit-learn's pipelines
//! (fixtures from tests/reference/pipeline_reference.py), schema checks, persistence, and
//! use inside kiln-select's cross-validation.

#![expect(clippy::unwrap_used, reason = "tests unwrap to fail loudly")]

use kiln::datasets::Dataset;
use kiln::linear::{LinearRegression, LogisticRegression, Ridge};
use kiln::pipeline::{FittedPipeline, Pipeline, Prep, SelectStep, row_ids};
use kiln::prelude::*;
use kiln::prep::encode::{ColumnTransformer, NumericStep, OneHotEncoder, Step};
use kiln::prep::impute::SimpleImputer;
use kiln::prep::select::{ClassifScore, RegressionScore, SelectKBest, VarianceThreshold};
use kiln::prep::split::KFold;
use kiln::prep::{CsvOptions, Frame};
use kiln::select::cv::{CvOptions, cross_validate};
use kiln::select::scorer;
use kiln::tree::{DecisionTreeClassifier, HistGradientBoostingClassifier};
use ndarray::Array1;
use serde_json::Value;

fn fixture() -> Value {
    let text = include_str!("fixtures/pipeline.json");
    serde_json::from_str(text).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn frame(d: Dataset) -> Frame {
    CsvOptions::default().read_str(d.csv()).unwrap().0
}

/// 0/1 target with `positive` as 1.
fn binary(frame: &Frame, column: &str, positive: &str) -> Array1<usize> {
    let col = frame.column(column).unwrap();
    (0..frame.n_rows())
        .map(|i| usize::from(col.format(i) == positive))
        .collect()
}

fn numeric(frame: &Frame, column: &str) -> Array1<f64> {
    frame
        .column(column)
        .unwrap()
        .as_numeric()
        .unwrap()
        .iter()
        .copied()
        .collect()
}

fn rows(frame: &Frame, range: std::ops::Range<usize>) -> Frame {
    frame.take_rows(&range.collect::<Vec<_>>()).unwrap()
}

#[test]
fn pipeline_logistic_on_german_credit_equals_sklearn_pipeline() {
    let f = fixture();
    let data = frame(Dataset::GermanCredit);
    let y = binary(&data, "credit", "good");
    let pipeline = Pipeline::new(
        LogisticRegression::default()
            .with_max_iter(10000)
            .with_tol(1e-10),
    )
    .with_exclude(["credit", "sex", "age_group"]);
    let fitted = pipeline
        .fit(&rows(&data, 0..800), y.slice(ndarray::s![..800]))
        .unwrap();
    // Same features, same order; kiln names a one-hot column `col=level`, sklearn `col_level`.
    let names: Vec<String> = f["german_logistic"]["feature_names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect();
    assert_eq!(fitted.feature_names_out().len(), names.len());
    for (ours, theirs) in fitted.feature_names_out().iter().zip(&names) {
        let ours_sk = ours.replacen('=', "_", 1);
        assert_eq!(&ours_sk, theirs);
    }
    let proba = fitted.predict_proba(&rows(&data, 800..1000)).unwrap();
    let want = floats(&f["german_logistic"]["proba_test"]);
    for (p, w) in proba.column(1).iter().zip(&want) {
        assert!((p - w).abs() < 1e-6, "{p} vs {w}");
    }
}

#[test]
fn pipeline_imputes_missing_values_as_sklearn_on_credit_scoring() {
    let f = fixture();
    let data = frame(Dataset::CreditScoring);
    let y = binary(&data, "status", "bad");
    let pipeline = Pipeline::new(
        LogisticRegression::default()
            .with_max_iter(10000)
            .with_tol(1e-10),
    )
    .with_exclude(["status"]);
    let fitted = pipeline
        .fit(&rows(&data, 0..3500), y.slice(ndarray::s![..3500]))
        .unwrap();
    let n_out = f["credit_scoring_logistic"]["n_features_out"]
        .as_u64()
        .unwrap() as usize;
    assert_eq!(fitted.feature_names_out().len(), n_out);
    let test = rows(&data, 3500..data.n_rows());
    let proba = fitted.predict_proba(&test).unwrap();
    let want = floats(&f["credit_scoring_logistic"]["proba_test"]);
    assert_eq!(proba.nrows(), want.len());
    let worst = proba
        .column(1)
        .iter()
        .zip(&want)
        .map(|(p, w)| (p - w).abs())
        .fold(0.0, f64::max);
    assert!(worst < 1e-5, "largest difference {worst}");
}

#[test]
fn pipeline_in_cross_validate_matches_sklearn_fold_scores() {
    let f = fixture();
    let data = frame(Dataset::GermanCredit);
    let y = binary(&data, "credit", "good");
    let tree = DecisionTreeClassifier::default().with_max_depth(Some(3));
    let pipeline = Pipeline::new(tree).with_exclude(["credit", "sex", "age_group"]);
    let cv = KFold::default().with_n_splits(5);
    let res = cross_validate(
        &pipeline.on(&data),
        row_ids(data.n_rows()).view(),
        y.view(),
        &cv,
        &[scorer::accuracy()],
        &CvOptions::default(),
    )
    .unwrap();
    let want = floats(&f["german_tree_cv_accuracy"]);
    let got = res.test_scores("accuracy").unwrap();
    for (g, w) in got.iter().zip(&want) {
        assert!((g - w).abs() < 1e-12, "{got:?} vs {want:?}");
    }

    let diabetes = frame(Dataset::Diabetes);
    let yd = numeric(&diabetes, "target");
    let ridge = Pipeline::new(Ridge::default()).with_exclude(["target"]);
    let res = cross_validate(
        &ridge.on(&diabetes),
        row_ids(diabetes.n_rows()).view(),
        yd.view(),
        &cv,
        &[scorer::r2()],
        &CvOptions::default(),
    )
    .unwrap();
    let want = floats(&f["diabetes_ridge_cv_r2"]);
    for (g, w) in res.test_scores("r2").unwrap().iter().zip(&want) {
        assert!((g - w).abs() < 1e-9, "{g} vs {w}");
    }
}

#[test]
fn predict_rejects_a_missing_column_and_text_in_a_numeric_column() {
    let data = frame(Dataset::GermanCredit);
    let y = binary(&data, "credit", "good");
    let fitted = Pipeline::new(DecisionTreeClassifier::default().with_max_depth(Some(2)))
        .with_exclude(["credit"])
        .fit(&data, y.view())
        .unwrap();
    let err = fitted
        .predict(&data.drop_columns(&["age", "housing"]).unwrap())
        .unwrap_err()
        .to_string();
    assert!(err.contains("missing columns `age`, `housing`"), "{err}");

    let csv = "age,duration\n30,12\nthirty,24\n";
    let (bad, _) = CsvOptions::default().read_str(csv).unwrap();
    let fitted_small = Pipeline::new(DecisionTreeClassifier::default())
        .with_features(["age", "duration"])
        .fit(&data, y.view())
        .unwrap();
    let err = fitted_small.predict(&bad).unwrap_err().to_string();
    assert!(
        err.contains("column `age`") && err.contains("`thirty` is not a number"),
        "{err}"
    );
    // Read with the schema's types, the same file fails at the line and field.
    let err = fitted_small
        .schema()
        .csv_options()
        .read_str(csv)
        .unwrap_err()
        .to_string();
    assert!(err.contains("line 3"), "{err}");
}

#[test]
fn predict_ignores_extra_columns_and_column_order() {
    let data = frame(Dataset::Penguins);
    let y: Array1<usize> = data
        .column("species")
        .unwrap()
        .as_categorical()
        .unwrap()
        .codes()
        .iter()
        .map(|&c| c as usize)
        .collect();
    let fitted = Pipeline::new(LogisticRegression::default())
        .with_exclude(["species"])
        .fit(&data, y.view())
        .unwrap();
    let mut names: Vec<String> = data.names().to_vec();
    names.reverse();
    let reordered = data.select(&names).unwrap();
    let a = fitted.predict_proba(&data).unwrap();
    let b = fitted.predict_proba(&reordered).unwrap();
    assert_eq!(a, b);
    // Categories unseen at fit are all zeros in the one-hot columns, not an error.
    let csv = "island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year\n\
               Atlantis,40.0,18.0,190,3700,female,2009\n";
    let (new, _) = fitted.schema().csv_options().read_str(csv).unwrap();
    assert_eq!(fitted.predict(&new).unwrap().len(), 1);
}

#[test]
fn gradient_boosting_gets_native_categorical_columns() {
    let data = frame(Dataset::GermanCredit);
    let y = binary(&data, "credit", "good");
    let gbdt = HistGradientBoostingClassifier::default();
    let fitted = Pipeline::new(gbdt)
        .with_exclude(["credit", "sex", "age_group"])
        .fit(&data, y.view())
        .unwrap();
    // One code column per categorical input, after the numeric ones.
    let names = fitted.feature_names_out();
    assert_eq!(names.len(), 20);
    let n_num = names.iter().filter(|n| n.starts_with("num__")).count();
    assert_eq!(n_num, 7);
    let acc = fitted
        .predict(&data)
        .unwrap()
        .iter()
        .zip(&y)
        .filter(|(p, t)| p == t)
        .count() as f64
        / 1000.0;
    assert!(acc > 0.8, "training accuracy {acc}");
}

#[test]
fn custom_column_transformer_and_selection_steps() {
    let data = frame(Dataset::Diabetes);
    let y = numeric(&data, "target");
    let ct = ColumnTransformer::default().with_numeric(
        "num",
        &["age", "bmi", "bp", "s1", "s5"],
        vec![NumericStep::Impute(SimpleImputer::default())],
    );
    let fitted = Pipeline::new(LinearRegression::default())
        .with_prep(Prep::Columns(ct))
        .with_select(SelectStep::KBestRegression(
            SelectKBest::new(RegressionScore::FRegression).with_k(2),
        ))
        .fit(&data, y.view())
        .unwrap();
    // bmi and s5 are the two features most correlated with the target.
    assert_eq!(fitted.feature_names_out(), ["num__bmi", "num__s5"]);
    assert_eq!(fitted.schema().len(), 5);

    // A classification selector on a regression target is refused by name.
    let err = Pipeline::new(LinearRegression::default())
        .with_exclude(["target"])
        .with_select(SelectStep::KBestClassif(SelectKBest::new(
            ClassifScore::FClassif,
        )))
        .fit(&data, y.view())
        .unwrap_err()
        .to_string();
    assert!(err.contains("KBestClassif"), "{err}");

    let fitted = Pipeline::new(LinearRegression::default())
        .with_exclude(["target"])
        .with_select(SelectStep::Variance(VarianceThreshold::default()))
        .fit(&data, y.view())
        .unwrap();
    assert_eq!(fitted.feature_names_out().len(), 10);
}

#[test]
fn bad_pipelines_and_targets_give_clear_errors() {
    let data = frame(Dataset::Diabetes);
    let y = numeric(&data, "target");
    let err = Pipeline::new(Ridge::default())
        .with_exclude(["target"])
        .fit(&data, y.slice(ndarray::s![..10]))
        .unwrap_err();
    assert!(matches!(err, Error::ShapeMismatch { .. }), "{err}");

    let err = Pipeline::new(Ridge::default())
        .with_features(["bmi", "no_such_column"])
        .fit(&data, y.view())
        .unwrap_err()
        .to_string();
    assert!(err.contains("no_such_column"), "{err}");

    let err = Pipeline::new(Ridge::default())
        .with_features(["bmi", "bmi"])
        .fit(&data, y.view())
        .unwrap_err()
        .to_string();
    assert!(err.contains("distinct"), "{err}");

    let names: Vec<String> = data.names().to_vec();
    let err = Pipeline::new(Ridge::default())
        .with_exclude(names)
        .fit(&data, y.view())
        .unwrap_err()
        .to_string();
    assert!(err.contains("no column is left"), "{err}");

    let ct = ColumnTransformer::default().with_step(
        "cat",
        &["bmi"],
        Step::OneHot(OneHotEncoder::default()),
    );
    let err = Pipeline::new(Ridge::default())
        .with_prep(Prep::Columns(ct))
        .fit(&data, y.view())
        .unwrap_err()
        .to_string();
    assert!(err.contains("bmi"), "{err}");
}

#[test]
fn saved_pipeline_loads_and_predicts_the_same() {
    let data = frame(Dataset::CreditScoring);
    let y = binary(&data, "status", "bad");
    let fitted = Pipeline::new(LogisticRegression::default())
        .with_exclude(["status"])
        .fit(&data, y.view())
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.kiln");
    fitted.save(&path).unwrap();
    let back: FittedPipeline<kiln::linear::FittedLogisticRegression> =
        FittedPipeline::load(&path).unwrap();
    assert_eq!(back.schema(), fitted.schema());
    assert_eq!(
        back.predict_proba(&data).unwrap(),
        fitted.predict_proba(&data).unwrap()
    );
    // The header names the raw input columns.
    let bytes = std::fs::read(&path).unwrap();
    let header = kiln::persist::read_header(&bytes).unwrap();
    assert_eq!(header.kind, "kiln::Pipeline");
    // A pipeline of another model type does not load as this one.
    let err = FittedPipeline::<kiln::tree::FittedDecisionTreeClassifier>::load(&path).unwrap_err();
    assert!(matches!(err, Error::ModelFormat { .. }), "{err}");
}

#[test]
fn fitted_pipeline_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<FittedPipeline<kiln::linear::FittedLogisticRegression>>();
    check::<Pipeline<LogisticRegression>>();
}

#[test]
fn pipeline_in_grid_search_matches_sklearn_grid_search_cv() {
    use kiln::select::search::{Grid, GridSearch};
    let f = fixture();
    let data = frame(Dataset::GermanCredit);
    let y = binary(&data, "credit", "good");
    let base = Pipeline::new(DecisionTreeClassifier::default()).with_exclude([
        "credit",
        "sex",
        "age_group",
    ]);
    let grid = Grid::new(base.on(&data)).axis(
        "max_depth",
        vec![2usize, 3, 4],
        |mut p: kiln::pipeline::OnFrame<'_, DecisionTreeClassifier>, d| {
            p.pipeline.estimator.max_depth = Some(d);
            p
        },
    );
    let res = GridSearch::new(grid)
        .fit(
            row_ids(data.n_rows()).view(),
            y.view(),
            &KFold::default().with_n_splits(5),
            &[scorer::accuracy()],
        )
        .unwrap();
    let want = floats(&f["german_tree_grid_mean_accuracy"]);
    // Depths 2 and 3 pick the same splits as scikit-learn; at depth 4 two candidate splits
    // tie in gain somewhere and the two libraries break the tie differently (scikit-learn by
    // its seeded feature permutation), which moves one test row in 1,000: scikit-learn itself
    // scores 0.711 with random_state=1 or 2 and 0.712 with 0, 3, 4, 5.
    let got = res.mean_test_scores("accuracy").unwrap();
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        let tol = if i < 2 { 1e-12 } else { 1.5e-3 };
        assert!((g - w).abs() < tol, "depth {}: {g} vs {w}", i + 2);
    }
    let best_depth = f["german_tree_grid_best_depth"].as_u64().unwrap() as usize;
    assert_eq!(
        res.best_params().pipeline.estimator.max_depth,
        Some(best_depth)
    );
    // The refitted best model predicts raw rows.
    let best = res.best_model().unwrap();
    assert_eq!(best.pipeline().predict(&data).unwrap().len(), 1000);
}
