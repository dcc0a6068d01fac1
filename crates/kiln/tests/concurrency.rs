//! Concurrency (issue #15): one fitted model of each family, shared by reference across 16
//! threads, predicts bit-identically to the same model used from one thread.

#![expect(clippy::unwrap_used, reason = "tests unwrap to fail loudly")]

use kiln::cluster::KMeans;
use kiln::datasets::Dataset;
use kiln::linear::{Lasso, LinearRegression, LogisticRegression, Ridge};
use kiln::model::{Estimator, Model, TrainOptions};
use kiln::prelude::*;
use kiln::prep::scale::StandardScaler;
use kiln::tree::{
    DecisionTreeRegressor, HistGradientBoostingClassifier, HistGradientBoostingRegressor,
    RandomForestClassifier,
};
use ndarray::{Array1, Array2};

const THREADS: usize = 16;

fn frame(d: Dataset) -> Frame {
    CsvOptions::default().read_str(d.csv()).unwrap().0
}

fn data() -> (Array2<f64>, Array1<f64>, Array1<usize>) {
    let x = Array2::from_shape_fn((300, 4), |(i, j)| {
        (((i * 31 + j * 17) % 97) as f64 / 9.7 - 5.0) * (j + 1) as f64
    });
    let y = x
        .rows()
        .into_iter()
        .map(|r| r[0] - 2.0 * r[1] + 0.5 * r[2] * r[3])
        .collect::<Array1<f64>>();
    let c = y.mapv(|v| usize::from(v > 0.0) + usize::from(v > 10.0));
    (x, y, c)
}

/// Runs `f` on 16 threads at once and checks every result against one computed first.
fn assert_same_on_threads<T: PartialEq + std::fmt::Debug + Send>(
    what: &str,
    f: impl Fn() -> T + Sync,
) {
    let expected = f();
    let results: Vec<T> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS).map(|_| s.spawn(&f)).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (t, r) in results.iter().enumerate() {
        assert_eq!(r, &expected, "{what}: thread {t} differs");
    }
}

fn bits(a: Array1<f64>) -> Vec<u64> {
    a.iter().map(|v| v.to_bits()).collect()
}

fn bits2(a: Array2<f64>) -> Vec<u64> {
    a.iter().map(|v| v.to_bits()).collect()
}

#[test]
fn fitted_models_shared_across_16_threads_predict_identically() {
    let (x, y, c) = data();
    let xv = x.view();

    let m = LinearRegression::default().fit(xv, y.view()).unwrap();
    assert_same_on_threads("LinearRegression", || bits(m.predict(xv).unwrap()));
    let m = Ridge::default().fit(xv, y.view()).unwrap();
    assert_same_on_threads("Ridge", || bits(m.predict(xv).unwrap()));
    let m = Lasso::default().fit(xv, y.view()).unwrap();
    assert_same_on_threads("Lasso", || bits(m.predict(xv).unwrap()));
    let m = LogisticRegression::default().fit(xv, c.view()).unwrap();
    assert_same_on_threads("LogisticRegression", || bits2(m.predict_proba(xv).unwrap()));

    let m = DecisionTreeRegressor::default().fit(xv, y.view()).unwrap();
    assert_same_on_threads("DecisionTreeRegressor", || bits(m.predict(xv).unwrap()));
    let m = RandomForestClassifier::default()
        .with_n_estimators(20)
        .fit(xv, c.view())
        .unwrap();
    assert_same_on_threads("RandomForestClassifier", || {
        bits2(m.predict_proba(xv).unwrap())
    });
    let m = HistGradientBoostingRegressor::default()
        .with_max_iter(20)
        .fit(xv, y.view())
        .unwrap();
    assert_same_on_threads("HistGradientBoostingRegressor", || {
        bits(m.predict(xv).unwrap())
    });
    let m = HistGradientBoostingClassifier::default()
        .with_max_iter(20)
        .fit(xv, c.view())
        .unwrap();
    assert_same_on_threads("HistGradientBoostingClassifier", || {
        bits2(m.predict_proba(xv).unwrap())
    });

    let m = KMeans::default().with_n_clusters(3).fit(xv).unwrap();
    assert_same_on_threads("KMeans", || m.predict(xv).unwrap());
    let m = StandardScaler::default().fit(xv).unwrap();
    assert_same_on_threads("StandardScaler", || bits2(m.transform(xv).unwrap()));
}

#[test]
fn a_kiln_model_shared_across_16_threads_predicts_identically() {
    let data = frame(Dataset::Penguins);
    let est = Estimator::from_name(Task::Classification, "gbdt").unwrap();
    let m = Model::train(
        &Problem::classification("species"),
        est,
        &data,
        None,
        &TrainOptions::default(),
    )
    .unwrap();
    assert_same_on_threads("kiln::Model", || m.predict(&data).unwrap());
}
