//! Bootstrap intervals: against `scipy.stats.bootstrap` on the very same resampled rows
//! (fixture from `tests/reference/bootstrap_reference.py`), the real resampling path against
//! the interval formulas, coverage on a known distribution, determinism across thread counts,
//! failed resamples, stratification and bad parameters.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests: a malformed fixture or a wrong result should fail loudly"
)]

use kiln_core::random::rng_from_seed;
use kiln_core::{Error, Params};
use kiln_metrics::bootstrap::{Bootstrap, Interval, IntervalMethod, interval_from_resamples};
use kiln_metrics::regression::{
    mean_absolute_error, mean_squared_error, median_absolute_error, r2,
};
use ndarray::{Array1, ArrayView1, array};
use rand::Rng;
use serde_json::Value;

const REL: f64 = 1e-12;

fn fixture() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/bootstrap.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn vec1(v: &Value) -> Array1<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn gather(a: &Array1<f64>, rows: &[usize]) -> Array1<f64> {
    rows.iter().map(|&i| a[i]).collect()
}

fn assert_close(what: &str, got: f64, want: f64) -> f64 {
    assert!(
        (got - want).abs() <= REL * want.abs(),
        "{what}: kiln {got:e}, scipy {want:e}"
    );
    (got - want).abs() / want.abs()
}

type RegMetric =
    fn(ArrayView1<f64>, ArrayView1<f64>, Option<ArrayView1<f64>>) -> kiln_core::Result<f64>;

#[test]
fn intervals_match_scipy_on_the_same_resamples() {
    let doc = fixture();
    let (yt, yp, w) = (
        vec1(&doc["y_true"]),
        vec1(&doc["y_pred"]),
        vec1(&doc["weights"]),
    );
    let n = yt.len();
    let indices: Vec<Vec<usize>> = doc["indices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|i| i.as_u64().unwrap() as usize)
                .collect()
        })
        .collect();
    assert_eq!(indices.len(), doc["n_resamples"].as_u64().unwrap() as usize);
    let cases = doc["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 32);
    let mut worst = 0.0_f64;
    for case in cases {
        let name = case["metric"].as_str().unwrap();
        let (base, weighted) = match name.strip_suffix("_weighted") {
            Some(b) => (b, true),
            None => (name, false),
        };
        let f: Option<RegMetric> = match base {
            "mean" => None,
            "mean_absolute_error" => Some(mean_absolute_error),
            "mean_squared_error" => Some(mean_squared_error),
            "r2" => Some(r2),
            "median_absolute_error" => Some(median_absolute_error),
            other => unreachable!("{other}"),
        };
        let metric = |rows: &[usize]| -> f64 {
            let t = gather(&yt, rows);
            match f {
                None => t.sum() / t.len() as f64,
                Some(f) => {
                    let ww = weighted.then(|| gather(&w, rows));
                    f(
                        t.view(),
                        gather(&yp, rows).view(),
                        ww.as_ref().map(|a| a.view()),
                    )
                    .unwrap()
                }
            }
        };
        let all: Vec<usize> = (0..n).collect();
        let estimate = metric(&all);
        let values: Vec<f64> = indices.iter().map(|r| metric(r)).collect();
        let jackknife: Vec<f64> = (0..n)
            .map(|j| metric(&all.iter().copied().filter(|&r| r != j).collect::<Vec<_>>()))
            .collect();
        let method = match case["method"].as_str().unwrap() {
            "percentile" => IntervalMethod::Percentile,
            "BCa" => IntervalMethod::Bca,
            other => unreachable!("{other}"),
        };
        let confidence = case["confidence"].as_f64().unwrap();
        let what = format!("{name} {method:?} {confidence}");
        assert_close(
            &format!("{what} estimate"),
            estimate,
            case["estimate"].as_f64().unwrap(),
        );
        let (lo, hi) =
            interval_from_resamples(estimate, &values, Some(&jackknife), confidence, method)
                .unwrap();
        // The library's std_error is checked against `sample_std` below; here the
        // definition (ddof = 1) against SciPy's.
        let se = case["standard_error"].as_f64().unwrap();
        worst = worst.max(assert_close(
            &format!("{what} std"),
            sample_std(&values),
            se,
        ));
        worst = worst.max(assert_close(
            &format!("{what} lower"),
            lo,
            case["lower"].as_f64().unwrap(),
        ));
        worst = worst.max(assert_close(
            &format!("{what} upper"),
            hi,
            case["upper"].as_f64().unwrap(),
        ));
    }
    eprintln!("worst relative difference to scipy: {worst:e}");
}

/// The values of the sample standard deviation (ddof = 1), written out for the test.
fn sample_std(v: &[f64]) -> f64 {
    let m = v.iter().sum::<f64>() / v.len() as f64;
    (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt()
}

#[test]
fn interval_is_the_formula_applied_to_its_own_resamples() {
    let y: Array1<f64> = (0..40)
        .map(|i| ((i * 7) % 13) as f64 + 0.25 * i as f64)
        .collect();
    let mean = |rows: &[usize]| Ok(rows.iter().map(|&i| y[i]).sum::<f64>() / rows.len() as f64);
    for method in [IntervalMethod::Percentile, IntervalMethod::Bca] {
        let boot = Bootstrap::default()
            .with_n_resamples(60)
            .with_seed(99)
            .with_confidence(0.9)
            .with_method(method);
        let ci = boot.interval(y.len(), mean).unwrap();
        let values: Vec<f64> = (0..60)
            .map(|i| mean(&boot.resample_indices(y.len(), i).unwrap()).unwrap())
            .collect();
        let jack: Vec<f64> = (0..40).map(|j| (y.sum() - y[j]) / 39.0).collect();
        let (lo, hi) =
            interval_from_resamples(ci.estimate, &values, Some(&jack), 0.9, method).unwrap();
        // The jackknife above sums in another order: agreement to rounding, not bits.
        assert!(
            (ci.lower - lo).abs() < 1e-12 && (ci.upper - hi).abs() < 1e-12,
            "{method:?}"
        );
        assert!((ci.std_error - sample_std(&values)).abs() < 1e-12);
        assert_eq!(ci.estimate, y.sum() / 40.0);
        assert_eq!((ci.n_resamples, ci.n_failed, ci.confidence), (60, 0, 0.9));
        assert!(ci.lower < ci.estimate && ci.estimate < ci.upper);
    }
    // Resamples are n rows drawn from 0..n, and differ between seeds.
    let a = Bootstrap::default().resample_indices(40, 3).unwrap();
    let b = Bootstrap::default()
        .with_seed(1)
        .resample_indices(40, 3)
        .unwrap();
    assert_eq!(a.len(), 40);
    assert!(a.iter().all(|&i| i < 40));
    assert_ne!(a, b);
}

fn normal(rng: &mut impl Rng) -> f64 {
    // Box–Muller.
    let (u1, u2): (f64, f64) = (1.0 - rng.random::<f64>(), rng.random());
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

#[test]
fn intervals_cover_the_true_mean_at_about_the_nominal_rate() {
    let mut rng = rng_from_seed(2024);
    let (trials, n, mu) = (200, 40, 3.0);
    let mut covered = [0usize; 2];
    for t in 0..trials {
        let x: Vec<f64> = (0..n).map(|_| mu + 2.0 * normal(&mut rng)).collect();
        let mean = |rows: &[usize]| Ok(rows.iter().map(|&i| x[i]).sum::<f64>() / rows.len() as f64);
        for (k, method) in [IntervalMethod::Percentile, IntervalMethod::Bca]
            .into_iter()
            .enumerate()
        {
            let ci = Bootstrap::default()
                .with_n_resamples(200)
                .with_confidence(0.9)
                .with_seed(t)
                .with_method(method)
                .interval(n, mean)
                .unwrap();
            covered[k] += usize::from(ci.lower <= mu && mu <= ci.upper);
        }
    }
    // Nominal 0.9; the bootstrap of a mean of 40 normals covers about 0.88, and 200 trials
    // have a binomial standard deviation of 0.021.
    for (k, c) in covered.iter().enumerate() {
        let rate = *c as f64 / trials as f64;
        assert!((0.82..=0.96).contains(&rate), "method {k}: coverage {rate}");
    }
}

fn run_on_threads(
    threads: usize,
    boot: &Bootstrap,
    yt: &Array1<f64>,
    yp: &Array1<f64>,
) -> Interval {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(|| {
            boot.interval_paired(yt.view(), yp.view(), None, median_absolute_error)
                .unwrap()
        })
}

#[test]
fn same_seed_same_interval_on_any_thread_count() {
    let doc = fixture();
    let (yt, yp) = (vec1(&doc["y_true"]), vec1(&doc["y_pred"]));
    let strata: Vec<usize> = (0..yt.len()).map(|i| i % 3).collect();
    for boot in [
        Bootstrap::default().with_n_resamples(203),
        Bootstrap::default()
            .with_n_resamples(97)
            .with_method(IntervalMethod::Bca)
            .with_seed(5),
        Bootstrap::default()
            .with_n_resamples(50)
            .with_stratify(strata),
    ] {
        let one = run_on_threads(1, &boot, &yt, &yp);
        for threads in [2, 3] {
            let many = run_on_threads(threads, &boot, &yt, &yp);
            assert_eq!(one.lower.to_bits(), many.lower.to_bits(), "{boot:?}");
            assert_eq!(one.upper.to_bits(), many.upper.to_bits(), "{boot:?}");
            assert_eq!(
                one.std_error.to_bits(),
                many.std_error.to_bits(),
                "{boot:?}"
            );
            assert_eq!(one, many);
        }
    }
}

#[test]
fn failed_resamples_are_skipped_counted_and_bounded() {
    let n = 30;
    // Fails whenever row 0 is missing, which happens with probability (29/30)^30 ≈ 0.36.
    let metric = |rows: &[usize]| {
        if rows.contains(&0) {
            Ok(rows.iter().sum::<usize>() as f64 / rows.len() as f64)
        } else {
            Err(Error::SingleClass {
                estimator: "test".into(),
                class: "0".into(),
            })
        }
    };
    let boot = Bootstrap::default().with_n_resamples(300);
    let expected_failed = (0..300)
        .filter(|&i| !boot.resample_indices(n, i).unwrap().contains(&0))
        .count();
    assert!((60..=160).contains(&expected_failed), "{expected_failed}");
    let err = boot.interval(n, metric).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::InvalidValue { .. }), "{msg}");
    assert!(
        msg.contains(&format!("{expected_failed} of 300")) && msg.contains("2 classes"),
        "{msg}"
    );
    let ci = boot
        .clone()
        .with_max_failed_fraction(0.5)
        .interval(n, metric)
        .unwrap();
    assert_eq!(ci.n_failed, expected_failed);
    assert_eq!(ci.n_resamples, 300);
    // NaN counts as a failure too (R² of a single distinct value is NaN).
    let nan_at_odd = |rows: &[usize]| Ok(if rows[0] % 2 == 1 { f64::NAN } else { 1.0 });
    let ci = boot
        .clone()
        .with_max_failed_fraction(0.9)
        .interval(n, nan_at_odd)
        .unwrap();
    let odd = (0..300)
        .filter(|&i| boot.resample_indices(n, i).unwrap()[0] % 2 == 1)
        .count();
    assert_eq!(ci.n_failed, odd);
}

#[test]
fn stratified_resamples_keep_the_class_counts() {
    let y = array![0usize, 0, 0, 0, 0, 0, 0, 0, 1, 1];
    let pred = array![0usize, 0, 0, 1, 0, 0, 0, 0, 1, 0];
    let boot = Bootstrap::default()
        .with_n_resamples(100)
        .with_stratify(y.to_vec());
    for i in 0..100 {
        let rows = boot.resample_indices(10, i).unwrap();
        assert_eq!(rows.iter().filter(|&&r| y[r] == 1).count(), 2);
        assert_eq!(rows.len(), 10);
    }
    // Recall of class 1 needs a positive in every resample: stratified, none fails.
    let recall = |t: ArrayView1<usize>, p: ArrayView1<usize>, _w: Option<ArrayView1<f64>>| {
        let pos = t.iter().filter(|&&c| c == 1).count();
        if pos == 0 {
            return Err(Error::SingleClass {
                estimator: "recall".into(),
                class: "0".into(),
            });
        }
        let hit = t.iter().zip(p).filter(|&(&a, &b)| a == 1 && b == 1).count();
        Ok(hit as f64 / pos as f64)
    };
    let ci = boot
        .interval_paired(y.view(), pred.view(), None, recall)
        .unwrap();
    assert_eq!((ci.estimate, ci.n_failed), (0.5, 0));
    assert!(ci.lower >= 0.0 && ci.upper <= 1.0);
    // Without strata, (8/10)^10 ≈ 11% of resamples have no positive and fail.
    let plain = Bootstrap::default()
        .with_n_resamples(100)
        .with_max_failed_fraction(0.5);
    let ci = plain
        .interval_paired(y.view(), pred.view(), None, recall)
        .unwrap();
    assert!(ci.n_failed > 0, "{ci:?}");
}

#[test]
fn shape_helpers_pass_the_resampled_rows_and_weights() {
    let yt = array![1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let yp = array![1.5, 2.0, 2.0, 4.5, 5.0, 7.0];
    let w = array![1.0, 2.0, 1.0, 0.5, 1.0, 3.0];
    let boot = Bootstrap::default().with_n_resamples(20);
    let ci = boot
        .interval_paired(yt.view(), yp.view(), Some(w.view()), mean_absolute_error)
        .unwrap();
    assert_eq!(
        ci.estimate,
        mean_absolute_error(yt.view(), yp.view(), Some(w.view())).unwrap()
    );
    let rows = boot.resample_indices(6, 0).unwrap();
    let expected = mean_absolute_error(
        gather(&yt, &rows).view(),
        gather(&yp, &rows).view(),
        Some(gather(&w, &rows).view()),
    )
    .unwrap();
    let first = boot
        .clone()
        .with_n_resamples(1)
        .interval_paired(yt.view(), yp.view(), Some(w.view()), mean_absolute_error)
        .unwrap();
    // One resample: both bounds are its value.
    assert_eq!((first.lower, first.upper), (expected, expected));
    assert!(first.std_error.is_nan());
    // Scores and probabilities.
    let labels = array![0usize, 1, 0, 1, 1, 0];
    let proba = ndarray::Array2::from_shape_fn((6, 2), |(i, j)| {
        if j == 1 {
            yp[i] / 8.0
        } else {
            1.0 - yp[i] / 8.0
        }
    });
    let mean_score = |t: ArrayView1<usize>, s: ArrayView1<f64>, _w: Option<ArrayView1<f64>>| {
        Ok(s.sum() / t.len() as f64)
    };
    let ci = boot
        .interval_paired(labels.view(), yp.view(), None, mean_score)
        .unwrap();
    assert_eq!(ci.estimate, yp.sum() / 6.0);
    let first_col = |_t: ArrayView1<usize>,
                     p: ndarray::ArrayView2<f64>,
                     _w: Option<ArrayView1<f64>>| { Ok(p.column(1).sum()) };
    let ci = boot
        .interval_proba(labels.view(), proba.view(), None, first_col)
        .unwrap();
    assert_eq!(ci.estimate, yp.sum() / 8.0);
    // Mismatched inputs are typed errors.
    let short = array![1.0, 2.0];
    assert!(matches!(
        boot.interval_paired(yt.view(), short.view(), None, mean_absolute_error),
        Err(Error::ShapeMismatch { .. })
    ));
    assert!(matches!(
        boot.interval_paired(
            yt.view(),
            yp.view(),
            Some(short.view()),
            mean_absolute_error
        ),
        Err(Error::ShapeMismatch { .. })
    ));
    assert!(matches!(
        boot.interval_proba(
            labels.view(),
            proba.slice(ndarray::s![..3, ..]),
            None,
            first_col
        ),
        Err(Error::ShapeMismatch { .. })
    ));
}

#[test]
fn bad_parameters_and_degenerate_cases_are_typed_errors() {
    let d = Bootstrap::default();
    assert_eq!(
        (d.n_resamples, d.confidence, d.seed, d.method),
        (1000, 0.95, 0, IntervalMethod::Percentile)
    );
    assert!(d.validate().is_ok());
    let cases = [
        (d.clone().with_n_resamples(0), "n_resamples"),
        (d.clone().with_confidence(0.0), "confidence"),
        (d.clone().with_confidence(1.0), "confidence"),
        (d.clone().with_confidence(f64::NAN), "confidence"),
        (
            d.clone().with_max_failed_fraction(1.0),
            "max_failed_fraction",
        ),
    ];
    let ok = |_: &[usize]| Ok(1.0);
    for (boot, name) in cases {
        assert_eq!(boot.validate().unwrap_err().parameter_name(), Some(name));
        assert_eq!(
            boot.interval(5, ok).unwrap_err().parameter_name(),
            Some(name)
        );
    }
    assert!(matches!(d.interval(0, ok), Err(Error::EmptyInput { .. })));
    assert!(matches!(
        d.clone().with_stratify(vec![0, 1]).interval(3, ok),
        Err(Error::ShapeMismatch {
            expected: 3,
            got: 2,
            ..
        })
    ));
    assert!(matches!(
        d.interval(3, |_: &[usize]| Ok(f64::NAN)),
        Err(Error::InvalidValue { .. })
    ));
    // The metric's own error on all rows comes back unchanged.
    assert!(matches!(
        d.interval(3, |_: &[usize]| Err(Error::EmptyInput {
            what: "x".into(),
            reason: "y".into()
        })),
        Err(Error::EmptyInput { .. })
    ));
    let bca = d
        .clone()
        .with_method(IntervalMethod::Bca)
        .with_n_resamples(20);
    // A constant metric: percentile gives [c, c]; BCa is undefined (SciPy: NaN).
    let ci = d.clone().with_n_resamples(20).interval(5, ok).unwrap();
    assert_eq!((ci.lower, ci.upper, ci.std_error), (1.0, 1.0, 0.0));
    assert!(matches!(
        bca.interval(5, ok),
        Err(Error::InvalidValue { .. })
    ));
    assert!(matches!(
        bca.interval(1, ok),
        Err(Error::InvalidValue { .. })
    ));
    // A jackknife failure names the row left out.
    let needs_row_2 = |rows: &[usize]| {
        if rows.contains(&2) {
            Ok(rows.len() as f64)
        } else {
            Err(Error::SingleClass {
                estimator: "t".into(),
                class: "1".into(),
            })
        }
    };
    let err = bca
        .clone()
        .with_max_failed_fraction(0.9)
        .interval(4, needs_row_2)
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidValue { row: Some(2), .. }),
        "{err}"
    );
    // The formulas alone.
    assert!(matches!(
        interval_from_resamples(1.0, &[], None, 0.9, IntervalMethod::Percentile),
        Err(Error::EmptyInput { .. })
    ));
    assert!(matches!(
        interval_from_resamples(1.0, &[1.0, 2.0], None, 0.9, IntervalMethod::Bca),
        Err(Error::EmptyInput { .. })
    ));
    assert!(matches!(
        interval_from_resamples(1.0, &[1.0, f64::NAN], None, 0.9, IntervalMethod::Percentile),
        Err(Error::NonFinite { row: 1, .. })
    ));
}

/// The crate's own classification metrics plug in directly (function items and closures).
#[test]
fn crate_metrics_plug_into_the_shape_helpers() {
    use kiln_metrics::classification::{Average, accuracy, f1, log_loss};
    use kiln_metrics::ranking::roc_auc;
    let y: Array1<usize> = (0..60).map(|i| usize::from(i % 4 == 0)).collect();
    let score: Array1<f64> = (0..60)
        .map(|i| ((i * 37) % 60) as f64 / 60.0 + 0.3 * y[i] as f64)
        .collect();
    let pred = score.mapv(|s| usize::from(s > 0.6));
    let boot = Bootstrap::default()
        .with_n_resamples(100)
        .with_stratify(y.to_vec());
    let acc = boot
        .interval_paired(y.view(), pred.view(), None, accuracy)
        .unwrap();
    assert_eq!(acc.estimate, accuracy(y.view(), pred.view(), None).unwrap());
    let f = boot
        .interval_paired(y.view(), pred.view(), None, |t, p, w| {
            f1(t, p, Average::Macro, w)
        })
        .unwrap();
    assert!(f.lower <= f.estimate && f.estimate <= f.upper);
    let auc = boot
        .interval_paired(y.view(), score.view(), None, roc_auc)
        .unwrap();
    assert_eq!(
        (auc.estimate, auc.n_failed),
        (roc_auc(y.view(), score.view(), None).unwrap(), 0)
    );
    let clipped = score.mapv(|s| s.min(1.0));
    let proba =
        ndarray::Array2::from_shape_fn(
            (60, 2),
            |(i, j)| if j == 1 { clipped[i] } else { 1.0 - clipped[i] },
        );
    let ll = boot
        .interval_proba(y.view(), proba.view(), None, log_loss)
        .unwrap();
    assert!(ll.lower <= ll.estimate && ll.estimate <= ll.upper && ll.std_error > 0.0);
}
