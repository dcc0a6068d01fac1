//! Property tests (issue #15): save → load predicts bit-identically for the linear models.

#![allow(
    clippy::unwrap_used,
    reason = "tests and their data generators unwrap to fail loudly"
)]

use kiln_core::persist::{self, Persist};
use kiln_core::{Fit, Predict, PredictProba};
use kiln_linear::{
    FittedLasso, FittedLinearRegression, FittedLogisticRegression, FittedRidge, Lasso,
    LinearRegression, LogisticRegression, Ridge,
};
use ndarray::{Array1, Array2};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    // No failure files: a failing case is printed and pinned as a named regression test.
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(24)
    }
}

fn problem() -> impl Strategy<Value = (Array2<f64>, Array1<f64>)> {
    (6usize..50, 1usize..5).prop_flat_map(|(n, p)| {
        (
            proptest::collection::vec(-10.0..10.0f64, n * p),
            proptest::collection::vec(-100.0..100.0f64, n),
        )
            .prop_map(move |(x, y)| (Array2::from_shape_vec((n, p), x).unwrap(), Array1::from(y)))
    })
}

fn round_trip<M: Persist>(m: &M) -> M {
    persist::from_bytes(&persist::to_bytes(m).unwrap()).unwrap()
}

fn bits(a: &Array1<f64>) -> Vec<u64> {
    a.iter().map(|v| v.to_bits()).collect()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn linear_models_predict_the_same_after_save_and_load((x, y) in problem(), alpha in 1e-3..10.0f64) {
        let m = LinearRegression::default().fit(x.view(), y.view()).unwrap();
        let b: FittedLinearRegression = round_trip(&m);
        prop_assert_eq!(bits(&m.predict(x.view()).unwrap()), bits(&b.predict(x.view()).unwrap()));

        let m = Ridge::default().with_alpha(alpha).fit(x.view(), y.view()).unwrap();
        let b: FittedRidge = round_trip(&m);
        prop_assert_eq!(bits(&m.predict(x.view()).unwrap()), bits(&b.predict(x.view()).unwrap()));

        let m = Lasso::default().with_alpha(alpha).fit(x.view(), y.view()).unwrap();
        let b: FittedLasso = round_trip(&m);
        prop_assert_eq!(bits(&m.predict(x.view()).unwrap()), bits(&b.predict(x.view()).unwrap()));

        let labels = y.mapv(|v| usize::from(v > 0.0));
        prop_assume!(labels.iter().any(|&c| c == 0) && labels.iter().any(|&c| c == 1));
        let m = LogisticRegression::default().fit(x.view(), labels.view()).unwrap();
        let b: FittedLogisticRegression = round_trip(&m);
        prop_assert_eq!(m.predict(x.view()).unwrap(), b.predict(x.view()).unwrap());
        let (p, q) = (m.predict_proba(x.view()).unwrap(), b.predict_proba(x.view()).unwrap());
        prop_assert!(p.iter().zip(&q).all(|(a, b)| a.to_bits() == b.to_bits()));
    }
}
