//! Mutual-information scores against scikit-learn 1.9.1 (fixture from
//! `tests/reference/mutual_info_reference.py`), against closed forms, through the selectors
//! with the kiln-check suite, and on bad input.
//!
//! scikit-learn's estimates depend on its NumPy noise stream, which kiln cannot reproduce, so
//! the fixture holds scikit-learn's own estimators run on the scaled data *without* noise;
//! kiln with `add_noise` off must match those to rounding. With the noise on, kiln is compared
//! on tie-free data, where the noise changes nothing but rounding.

mod numeric_common;

use kiln_check::Checker;
use kiln_core::random::rng_from_seed;
use kiln_core::{Error, Fit, Params, Transform};
use kiln_prep::select::{
    ClassifScore, DiscreteFeatures, MutualInfo, MutualInfoClassif, MutualInfoRegression,
    RegressionScore, SelectKBest, SelectPercentile, mutual_info_classif, mutual_info_regression,
};
use ndarray::{Array1, Array2, array};
use numeric_common::{assert_close, class_target, data_x, mat, usizes, value_target, vec1};
use rand::Rng;
use serde_json::Value;

/// Relative tolerance against the noise-free reference (digamma sums in another order).
const REL: f64 = 1e-10;
/// Absolute floor: an estimate is a difference of terms of size ln(n), and clips at 0.
const ABS: f64 = 1e-12;

#[expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helper: a malformed fixture should fail the test loudly"
)]
fn fixture() -> Value {
    let path = format!(
        "{}/tests/fixtures/mutual_info.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

#[expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helper: a malformed fixture should fail the test loudly"
)]
fn discrete_features(v: &Value) -> DiscreteFeatures {
    match v {
        Value::String(s) if s == "auto" => DiscreteFeatures::Auto,
        Value::Bool(true) => DiscreteFeatures::All,
        Value::Bool(false) => DiscreteFeatures::None,
        Value::Array(items) if items.first().is_some_and(Value::is_boolean) => {
            DiscreteFeatures::Mask(items.iter().map(|b| b.as_bool().unwrap()).collect())
        }
        Value::Array(_) => DiscreteFeatures::Indices(usizes(v)),
        other => panic!("unknown discrete_features {other}"),
    }
}

#[expect(
    clippy::unwrap_used,
    reason = "test helper: a malformed fixture should fail the test loudly"
)]
fn settings(case: &Value) -> MutualInfo {
    MutualInfo::default()
        .with_discrete_features(discrete_features(&case["discrete_features"]))
        .with_n_neighbors(case["n_neighbors"].as_u64().unwrap() as usize)
}

#[test]
fn noise_free_scores_match_scikit_learn_on_real_data() {
    let doc = fixture();
    let cases = doc["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 9);
    for case in cases {
        let data = case["data"].as_str().unwrap();
        let what = format!(
            "{data}, discrete_features={}, n_neighbors={}",
            case["discrete_features"], case["n_neighbors"]
        );
        let x = data_x(&doc, data, "unused");
        let mi = settings(case).with_add_noise(false);
        let got = if case["task"] == "classif" {
            mi.classif(x.view(), class_target(data).view()).unwrap()
        } else {
            mi.regression(x.view(), value_target(data).view()).unwrap()
        };
        assert_close(&what, got.iter(), vec1(&case["mi"]).iter(), REL, ABS);
    }
}

#[test]
fn ties_duplicates_and_tiny_classes_match_the_exact_reference() {
    // Exact ties and a duplicated row, a constant column, a column read as discrete, a class of
    // one sample (left out by Ross's estimator) and classes smaller than n_neighbors.
    let doc = fixture();
    let x = mat(&doc["edge_x"]);
    let y = Array1::from(usizes(&doc["edge_y"]));
    let y_reg = vec1(&doc["edge_y_reg"]);
    let cases = doc["edge_cases"].as_array().unwrap();
    assert_eq!(cases.len(), 8);
    for case in cases {
        let what = format!(
            "edge {}, discrete_features={}, n_neighbors={}",
            case["task"], case["discrete_features"], case["n_neighbors"]
        );
        let mi = settings(case).with_add_noise(false);
        let got = if case["task"] == "classif" {
            mi.classif(x.view(), y.view()).unwrap()
        } else {
            mi.regression(x.view(), y_reg.view()).unwrap()
        };
        assert_close(&what, got.iter(), vec1(&case["mi"]).iter(), REL, ABS);
    }
}

/// The fixture's tie-free data set, rebuilt from the same 64-bit LCG with the same IEEE
/// operations (see `synthetic()` in the reference script).
fn synthetic() -> (Array2<f64>, Array1<usize>, Array1<f64>) {
    let n = 400;
    let mut state: u64 = 20_240_917;
    let mut u = Array2::zeros((n, 5));
    for v in u.iter_mut() {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        *v = (state >> 11) as f64 * 2f64.powi(-53);
    }
    let x = Array2::from_shape_fn((n, 4), |(i, j)| match j {
        0 => u[[i, 0]],
        1 => u[[i, 0]] + 0.5 * u[[i, 1]],
        2 => u[[i, 2]],
        _ => (3.0 * u[[i, 3]]).floor(),
    });
    let y = Array1::from_shape_fn(n, |i| {
        usize::from(u[[i, 0]] > 0.5) + usize::from(x[[i, 1]] > 0.8)
    });
    let y_reg = Array1::from_shape_fn(n, |i| u[[i, 0]] + 0.25 * u[[i, 4]]);
    (x, y, y_reg)
}

#[test]
fn with_noise_scores_stay_within_1e_6_on_tie_free_data() {
    let doc = fixture();
    let syn = &doc["synthetic"];
    let (x, y, y_reg) = synthetic();
    assert_eq!(x.nrows(), syn["n_samples"].as_u64().unwrap() as usize);
    assert_eq!(x.row(0).to_vec(), vec1(&syn["first_row"]).to_vec());
    assert_eq!(y.sum(), syn["y_sum"].as_u64().unwrap() as usize);
    assert_eq!(y_reg.sum(), syn["y_reg_sum"].as_f64().unwrap());
    for case in syn["cases"].as_array().unwrap() {
        let want = vec1(&case["mi"]);
        let stable: Vec<bool> = case["noise_stable"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b.as_bool().unwrap())
            .collect();
        for seed in [0, 1, 99] {
            let mi = settings(case).with_seed(seed);
            let got = if case["task"] == "classif" {
                mi.classif(x.view(), y.view()).unwrap()
            } else {
                mi.regression(x.view(), y_reg.view()).unwrap()
            };
            for j in (0..want.len()).filter(|&j| stable[j]) {
                assert!(
                    (got[j] - want[j]).abs() < 1e-6,
                    "{} {} seed {seed}, feature {j}: {} against {}",
                    case["task"],
                    case["discrete_features"],
                    got[j],
                    want[j]
                );
            }
        }
    }
}

/// Pairs from a bivariate normal with correlation `rho` (Box–Muller on kiln's generator).
fn gaussian_pairs(n: usize, rho: f64, seed: u64) -> (Array2<f64>, Array1<f64>) {
    let mut rng = rng_from_seed(seed);
    let mut x = Array2::zeros((n, 1));
    let mut y = Array1::zeros(n);
    for i in 0..n {
        let u: f64 = 1.0 - rng.random::<f64>();
        let t: f64 = rng.random();
        let r = (-2.0 * u.ln()).sqrt();
        let (a, b) = (
            r * (std::f64::consts::TAU * t).cos(),
            r * (std::f64::consts::TAU * t).sin(),
        );
        x[[i, 0]] = a;
        y[i] = rho * a + (1.0 - rho * rho).sqrt() * b;
    }
    (x, y)
}

#[test]
fn ksg_recovers_the_mutual_information_of_a_bivariate_normal() {
    // I = −½ ln(1 − ρ²) for a bivariate normal (Cover & Thomas, example 8.5.1); KSG's bias is
    // small at k = 3 and its standard error at n = 20 000 is about 0.005.
    for (rho, seed) in [(0.8, 1), (0.3, 2), (0.0, 3)] {
        let (x, y) = gaussian_pairs(20_000, rho, seed);
        let got = mutual_info_regression(x.view(), y.view()).unwrap()[0];
        let want = -0.5 * (1.0 - rho * rho).ln();
        assert!((got - want).abs() < 0.02, "rho={rho}: {got} against {want}");
    }
}

#[test]
fn ross_recovers_the_mutual_information_of_separated_classes() {
    // Two classes with disjoint uniform supports: I(C; D) = H(D) = ln 2 for balanced classes.
    let n = 4000;
    let x = Array2::from_shape_fn((n, 1), |(i, _)| {
        let u = ((i * 7919) % n) as f64 / n as f64;
        if i % 2 == 0 { u } else { 5.0 + u }
    });
    let y = Array1::from_shape_fn(n, |i| i % 2);
    let got = mutual_info_classif(x.view(), y.view()).unwrap()[0];
    assert!((got - 2f64.ln()).abs() < 1e-3, "{got}");
}

#[test]
fn scores_do_not_depend_on_the_thread_count_and_follow_the_seed() {
    let x = data_x(&Value::Null, "iris", "unused");
    let y = class_target("iris");
    let run = |threads: usize, seed: u64| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                MutualInfo::default()
                    .with_seed(seed)
                    .classif(x.view(), y.view())
                    .unwrap()
            })
    };
    let one = run(1, 4);
    assert_eq!(one, run(2, 4));
    assert_eq!(one, run(3, 4));
    // Iris is full of ties, which the noise breaks: another seed breaks them differently.
    assert_ne!(one, run(1, 5));
    // Large enough for the parallel query chunks of the KSG estimator.
    let (xl, yl) = gaussian_pairs(10_000, 0.5, 9);
    let reg = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| mutual_info_regression(xl.view(), yl.view()).unwrap())
    };
    assert_eq!(reg(1), reg(2));
}

#[test]
fn selectors_keep_the_features_with_the_most_mutual_information() {
    let doc = fixture();
    let x = data_x(&doc, "breast_cancer", "unused");
    let y = class_target("breast_cancer");
    // The noise-free top 5 of scikit-learn's estimates.
    let case = doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["data"] == "breast_cancer" && c["discrete_features"] == "auto")
        .unwrap();
    let reference = vec1(&case["mi"]);
    let mut order: Vec<usize> = (0..reference.len()).collect();
    order.sort_by(|&a, &b| reference[b].total_cmp(&reference[a]));
    let mut top5 = order[..5].to_vec();
    top5.sort_unstable();
    let score = MutualInfoClassif(MutualInfo::default().with_add_noise(false));
    let m = SelectKBest::new(score)
        .with_k(5)
        .fit(x.view(), y.view())
        .unwrap();
    assert_eq!(m.selected(), top5.as_slice());
    assert!(m.pvalues().iter().all(|p| p.is_nan()));
    assert_eq!(m.transform(x.view()).unwrap().ncols(), 5);

    // The unit variant is the default settings.
    let m = SelectKBest::new(ClassifScore::MutualInfo)
        .with_k(3)
        .fit(x.view(), y.view())
        .unwrap();
    let scores = mutual_info_classif(x.view(), y.view()).unwrap();
    assert_eq!(m.scores(), &scores);

    let xd = data_x(&doc, "diabetes", "unused");
    let yd = value_target("diabetes");
    let m = SelectPercentile::new(RegressionScore::MutualInfo)
        .with_percentile(30.0)
        .fit(xd.view(), yd.view())
        .unwrap();
    assert_eq!(m.selected().len(), 3);
    assert_eq!(
        m.scores(),
        &mutual_info_regression(xd.view(), yd.view()).unwrap()
    );
    let sex_discrete = MutualInfoRegression(
        MutualInfo::default().with_discrete_features(DiscreteFeatures::Indices(vec![1])),
    );
    let m = SelectKBest::new(sex_discrete.clone())
        .with_k(2)
        .fit(xd.view(), yd.view())
        .unwrap();
    let want = sex_discrete.0.regression(xd.view(), yd.view()).unwrap();
    assert_eq!(m.scores(), &want);
}

#[test]
fn mutual_info_selectors_pass_the_estimator_suite() {
    let bad = MutualInfo::default().with_n_neighbors(0);
    Checker::new(SelectKBest::new(MutualInfoClassif::default()).with_k(2))
        .invalid_param(
            SelectKBest::new(MutualInfoClassif(bad.clone())).with_k(2),
            "n_neighbors",
        )
        .check_supervised_transformer()
        .assert_passed();
    Checker::new(SelectKBest::new(MutualInfoRegression::default()).with_k(2))
        .invalid_param(
            SelectKBest::new(MutualInfoRegression(bad)).with_k(2),
            "n_neighbors",
        )
        .check_supervised_transformer()
        .assert_passed();
    let pct = SelectPercentile::new(ClassifScore::MutualInfo).with_percentile(50.0);
    Checker::new(pct)
        .invalid_param(pct.with_percentile(101.0), "percentile")
        .check_supervised_transformer()
        .assert_passed();
}

#[test]
fn mutual_info_rejects_bad_input_with_typed_errors() {
    let x = array![[1.0, 2.0], [2.0, 1.0], [3.0, 5.0], [4.0, 3.0], [5.0, 0.5]];
    let y = array![0usize, 0, 1, 1, 1];
    let y_reg = array![0.5, 1.0, 3.0, 2.0, 4.5];
    let mi = MutualInfo::default();

    let nan = array![
        [1.0, 2.0],
        [2.0, f64::NAN],
        [3.0, 5.0],
        [4.0, 3.0],
        [5.0, 0.5]
    ];
    assert!(matches!(
        mi.classif(nan.view(), y.view()),
        Err(Error::NonFinite {
            row: 1,
            col: Some(1),
            ..
        })
    ));
    assert!(matches!(
        mi.regression(x.view(), array![0.5, 1.0, f64::INFINITY, 2.0, 4.5].view()),
        Err(Error::NonFinite {
            row: 2,
            col: None,
            ..
        })
    ));
    assert!(matches!(
        mi.classif(x.view(), array![0usize, 1].view()),
        Err(Error::ShapeMismatch {
            expected: 5,
            got: 2,
            ..
        })
    ));
    assert!(matches!(
        mi.regression(Array2::zeros((0, 2)).view(), Array1::zeros(0).view()),
        Err(Error::EmptyInput { .. })
    ));

    let zero = mi.clone().with_n_neighbors(0);
    assert!(zero.validate().is_err());
    let err = zero.classif(x.view(), y.view()).unwrap_err();
    assert_eq!(err.parameter_name(), Some("n_neighbors"));
    assert!(err.to_string().contains("mutual_info_classif"), "{err}");
    let err = SelectKBest::new(MutualInfoRegression(zero))
        .fit(x.view(), y_reg.view())
        .unwrap_err();
    assert_eq!(err.parameter_name(), Some("n_neighbors"));

    let five = mi.clone().with_n_neighbors(5);
    let err = five.regression(x.view(), y_reg.view()).unwrap_err();
    assert!(
        matches!(err, Error::TooFewSamples { n_samples: 5, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("n_neighbors=5"), "{err}");
    // Two discrete variables need no neighbours.
    let all = five.with_discrete_features(DiscreteFeatures::All);
    assert!(all.classif(x.view(), y.view()).is_ok());

    let mask = mi
        .clone()
        .with_discrete_features(DiscreteFeatures::Mask(vec![true]));
    assert!(matches!(
        mask.classif(x.view(), y.view()),
        Err(Error::ShapeMismatch {
            expected: 2,
            got: 1,
            ..
        })
    ));
    let index = mi.with_discrete_features(DiscreteFeatures::Indices(vec![0, 2]));
    let err = index.regression(x.view(), y_reg.view()).unwrap_err();
    assert_eq!(err.parameter_name(), Some("discrete_features"));
}

#[test]
fn a_single_class_or_a_constant_feature_carries_no_information() {
    let x = array![
        [1.0, 4.0],
        [2.0, 4.0],
        [3.0, 4.0],
        [4.0, 4.0],
        [5.0, 4.0],
        [6.0, 4.0]
    ];
    // One class: exactly 0 for every feature, as in scikit-learn (no error). Ross's estimate
    // would be ψ(n) + ψ(k) − ψ(n) − ⟨ψ(m_i)⟩ with every m_i = k, which is 0 only up to the
    // rounding of the digammas, and a rounding residue must not rank features.
    let mi = mutual_info_classif(x.view(), Array1::from_elem(6, 2usize).view()).unwrap();
    assert_eq!(mi.to_vec(), vec![0.0, 0.0]);
    // A constant feature read as discrete has one label: the same, up to rounding.
    let y = array![0.1, 0.5, 0.2, 0.9, 0.4, 0.3];
    let mi = MutualInfo::default()
        .with_discrete_features(DiscreteFeatures::Mask(vec![false, true]))
        .regression(x.view(), y.view())
        .unwrap();
    assert!((0.0..1e-12).contains(&mi[1]), "{mi}");
}
