//! Numerical robustness (issue #15): extreme magnitudes (1e±150), constant and perfectly
//! collinear features, one observation per class and a 1-in-10,000 minority class, for the
//! main estimators, the scalers and the metrics. Every run must end in finite results or a
//! typed error: never a silent NaN, never a panic. Each (estimator, case) pair is run under
//! `catch_unwind` so one failure does not hide the others; the test lists them all.

use std::panic::{AssertUnwindSafe, catch_unwind};

use kiln::cluster::KMeans;
use kiln::linear::{ElasticNet, Lasso, LinearRegression, LogisticRegression, Ridge};
use kiln::metrics::classification::{Average, accuracy, f1, log_loss, matthews_corrcoef};
use kiln::metrics::ranking::roc_auc;
use kiln::metrics::regression::{mean_squared_error, r2};
use kiln::prelude::*;
use kiln::prep::scale::{MaxAbsScaler, MinMaxScaler, RobustScaler, StandardScaler};
use kiln::tree::{
    DecisionTreeClassifier, DecisionTreeRegressor, EarlyStopping, HistGradientBoostingClassifier,
    HistGradientBoostingRegressor, RandomForestClassifier, RandomForestRegressor,
};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

/// A data set for one robustness case.
struct Case {
    name: &'static str,
    x: Array2<f64>,
    y: Array1<f64>,
    labels: Array1<usize>,
}

fn base(n: usize, p: usize) -> Array2<f64> {
    Array2::from_shape_fn((n, p), |(i, j)| {
        (((i * 37 + j * 11 + 5) % 53) as f64 / 5.3 - 5.0) * (1.0 + j as f64)
    })
}

fn target(x: &Array2<f64>) -> Array1<f64> {
    x.rows()
        .into_iter()
        .map(|r| {
            r.iter()
                .enumerate()
                .map(|(j, v)| v * (j as f64 - 1.0))
                .sum()
        })
        .collect()
}

fn classes(y: &Array1<f64>) -> Array1<usize> {
    y.mapv(|v| usize::from(v > 0.0))
}

fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    let x = base(60, 3);
    let y = target(&x);
    let labels = classes(&y);
    for (name, s) in [("x near 1e150", 1e150), ("x near 1e-150", 1e-150)] {
        out.push(Case {
            name,
            x: x.mapv(|v| v * s),
            y: y.clone(),
            labels: labels.clone(),
        });
    }
    out.push(Case {
        name: "y near 1e150",
        x: x.clone(),
        y: y.mapv(|v| v * 1e150),
        labels: labels.clone(),
    });
    out.push(Case {
        name: "y near 1e-150",
        x: x.clone(),
        y: y.mapv(|v| v * 1e-150),
        labels: labels.clone(),
    });

    let mut constant = x.clone();
    constant.column_mut(1).fill(3.0);
    out.push(Case {
        name: "one constant feature",
        x: constant,
        y: y.clone(),
        labels: labels.clone(),
    });
    out.push(Case {
        name: "all features constant",
        x: Array2::from_elem((60, 3), -2.5),
        y: y.clone(),
        labels: labels.clone(),
    });

    let mut collinear = x.clone();
    let c0 = collinear.column(0).to_owned();
    collinear.column_mut(1).assign(&c0.mapv(|v| 2.0 * v));
    collinear.column_mut(2).assign(&c0.mapv(|v| -v + 1.0));
    out.push(Case {
        name: "perfectly collinear features",
        x: collinear,
        y: y.clone(),
        labels: labels.clone(),
    });

    out.push(Case {
        name: "one observation per class",
        x: base(3, 2),
        y: Array1::from(vec![1.0, 2.0, 3.0]),
        labels: Array1::from(vec![0, 1, 2]),
    });

    let n = 10_000;
    let big = base(n, 3);
    let mut rare = Array1::zeros(n);
    rare[4321] = 1;
    out.push(Case {
        name: "1 positive in 10,000",
        y: rare.mapv(|c: usize| c as f64),
        x: big,
        labels: rare,
    });
    out
}

/// Outcome of one (estimator, case) run.
fn run(
    failures: &mut Vec<String>,
    tried: &mut usize,
    what: &str,
    case: &str,
    f: impl FnOnce() -> Result<Vec<f64>>,
) {
    *tried += 1;
    match catch_unwind(AssertUnwindSafe(f)) {
        Err(p) => {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failures.push(format!("{what} on {case}: PANIC {msg}"));
        }
        Ok(Ok(v)) => {
            if let Some(i) = v.iter().position(|x| !x.is_finite()) {
                failures.push(format!(
                    "{what} on {case}: non-finite output {} at {i}",
                    v[i]
                ));
            }
        }
        // A typed error is an allowed answer; its message must say something.
        Ok(Err(e)) => {
            if e.to_string().is_empty() {
                failures.push(format!("{what} on {case}: error with an empty message"));
            }
        }
    }
}

fn regress<F: Fit<Target = f64>>(
    p: &F,
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, f64>,
) -> Result<Vec<f64>>
where
    F::Fitted: Predict<Output = f64>,
{
    Ok(p.fit(x, y)?.predict(x)?.to_vec())
}

fn classify<F: Fit<Target = usize>>(
    p: &F,
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, usize>,
) -> Result<Vec<f64>>
where
    F::Fitted: PredictProba,
{
    Ok(p.fit(x, y)?.predict_proba(x)?.iter().copied().collect())
}

fn scale<F: FitUnsupervised>(p: &F, x: ArrayView2<'_, f64>) -> Result<Vec<f64>>
where
    F::Fitted: InverseTransform,
{
    let m = p.fit(x)?;
    let t = m.transform(x)?;
    let back = m.inverse_transform(t.view())?;
    let mut out: Vec<f64> = t.iter().copied().collect();
    out.extend(back.iter().copied());
    Ok(out)
}

#[test]
fn extreme_inputs_give_finite_results_or_typed_errors() {
    let mut failures = Vec::new();
    let mut tried = 0;
    for c in cases() {
        let (x, y, l) = (c.x.view(), c.y.view(), c.labels.view());
        let small = c.x.nrows() <= 60;
        let f = &mut failures;
        let t = &mut tried;
        run(f, t, "LinearRegression", c.name, || {
            regress(&LinearRegression::default(), x, y)
        });
        run(f, t, "Ridge", c.name, || regress(&Ridge::default(), x, y));
        run(f, t, "Lasso", c.name, || regress(&Lasso::default(), x, y));
        run(f, t, "ElasticNet", c.name, || {
            regress(&ElasticNet::default(), x, y)
        });
        run(f, t, "LogisticRegression", c.name, || {
            classify(&LogisticRegression::default(), x, l)
        });
        run(f, t, "DecisionTreeRegressor", c.name, || {
            regress(&DecisionTreeRegressor::default(), x, y)
        });
        run(f, t, "DecisionTreeClassifier", c.name, || {
            classify(&DecisionTreeClassifier::default(), x, l)
        });
        let n_trees = if small { 10 } else { 3 };
        run(f, t, "RandomForestRegressor", c.name, || {
            regress(
                &RandomForestRegressor::default().with_n_estimators(n_trees),
                x,
                y,
            )
        });
        run(f, t, "RandomForestClassifier", c.name, || {
            classify(
                &RandomForestClassifier::default().with_n_estimators(n_trees),
                x,
                l,
            )
        });
        run(f, t, "HistGradientBoostingRegressor", c.name, || {
            regress(
                &HistGradientBoostingRegressor::default()
                    .with_max_iter(10)
                    .with_early_stopping(EarlyStopping::Off),
                x,
                y,
            )
        });
        run(f, t, "HistGradientBoostingClassifier", c.name, || {
            classify(
                &HistGradientBoostingClassifier::default()
                    .with_max_iter(10)
                    .with_early_stopping(EarlyStopping::Off),
                x,
                l,
            )
        });
        run(f, t, "KMeans", c.name, || {
            let m = KMeans::default().with_n_clusters(2).with_n_init(1).fit(x)?;
            let mut v = vec![m.inertia()];
            v.extend(m.cluster_centers().iter().copied());
            Ok(v)
        });
        run(f, t, "StandardScaler", c.name, || {
            scale(&StandardScaler::default(), x)
        });
        run(f, t, "MinMaxScaler", c.name, || {
            scale(&MinMaxScaler::default(), x)
        });
        run(f, t, "RobustScaler", c.name, || {
            scale(&RobustScaler::default(), x)
        });
        run(f, t, "MaxAbsScaler", c.name, || scale(&MaxAbsScaler, x));

        // Metrics on the case's targets against a shifted copy as predictions.
        let pred = c.y.mapv(|v| v * 0.5 + c.y[0]);
        let pl = c.labels.mapv(|v| 1 - v.min(1));
        run(f, t, "r2", c.name, || Ok(vec![r2(y, pred.view(), None)?]));
        run(f, t, "mean_squared_error", c.name, || {
            Ok(vec![mean_squared_error(y, pred.view(), None)?])
        });
        run(f, t, "accuracy", c.name, || {
            Ok(vec![accuracy(l, pl.view(), None)?])
        });
        run(f, t, "f1 macro", c.name, || {
            Ok(vec![f1(l, pl.view(), Average::Macro, None)?])
        });
        run(f, t, "matthews_corrcoef", c.name, || {
            Ok(vec![matthews_corrcoef(l, pl.view(), None)?])
        });
        run(f, t, "roc_auc", c.name, || {
            Ok(vec![roc_auc(
                l.mapv(|v| v.min(1)).view(),
                x.column(0),
                None,
            )?])
        });
        run(f, t, "log_loss", c.name, || {
            let k = c.labels.iter().max().unwrap() + 1;
            let mut p = Array2::from_elem((l.len(), k.max(2)), 0.0);
            p.column_mut(0).fill(1.0);
            Ok(vec![log_loss(l, p.view(), None)?])
        });
    }
    assert!(
        failures.is_empty(),
        "{} of {tried} runs failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
