//! Property tests (issue #15): metric bounds and symmetries on random inputs.

#![allow(
    clippy::unwrap_used,
    reason = "tests and their data generators unwrap to fail loudly"
)]

use kiln_metrics::classification::{Average, accuracy, f1, log_loss, matthews_corrcoef, precision};
use kiln_metrics::ranking::roc_auc;
use kiln_metrics::regression::{mean_squared_error, r2};
use ndarray::{Array1, Array2};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    // No failure files: a failing case is printed and pinned as a named regression test.
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(96)
    }
}

/// Paired labels in 0..k (k in 2..5) with optional positive weights.
type Labels = (Vec<usize>, Vec<usize>, Option<Vec<f64>>);

fn labels() -> impl Strategy<Value = Labels> {
    (2usize..5, 1usize..80).prop_flat_map(|(k, n)| {
        (
            proptest::collection::vec(0..k, n),
            proptest::collection::vec(0..k, n),
            proptest::option::of(proptest::collection::vec(0.01..10.0f64, n)),
        )
    })
}

/// Binary labels that hold both classes, and scores with ties likely.
fn binary_scores() -> impl Strategy<Value = (Vec<usize>, Vec<f64>)> {
    (2usize..80)
        .prop_flat_map(|n| {
            (
                proptest::collection::vec(0usize..2, n),
                proptest::collection::vec(
                    prop_oneof![0.0..1.0f64, (0u8..4).prop_map(f64::from)],
                    n,
                ),
            )
        })
        .prop_filter("both classes", |(y, _)| y.contains(&0) && y.contains(&1))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn accuracy_precision_f1_lie_in_unit_interval((t, p, w) in labels()) {
        let (t, p) = (Array1::from(t), Array1::from(p));
        let w = w.map(Array1::from);
        let wv = w.as_ref().map(|w| w.view());
        let acc = accuracy(t.view(), p.view(), wv).unwrap();
        prop_assert!((0.0..=1.0).contains(&acc), "accuracy {}", acc);
        for avg in [Average::Micro, Average::Macro, Average::Weighted] {
            let pr = precision(t.view(), p.view(), avg, wv).unwrap();
            let f = f1(t.view(), p.view(), avg, wv).unwrap();
            prop_assert!((0.0..=1.0).contains(&pr), "precision {:?} {}", avg, pr);
            prop_assert!((0.0..=1.0).contains(&f), "f1 {:?} {}", avg, f);
        }
    }

    #[test]
    fn matthews_corrcoef_lies_in_minus_one_one((t, p, w) in labels()) {
        let (t, p) = (Array1::from(t), Array1::from(p));
        let w = w.map(Array1::from);
        let m = matthews_corrcoef(t.view(), p.view(), w.as_ref().map(|w| w.view())).unwrap();
        prop_assert!(m.is_finite() && (-1.0 - 1e-12..=1.0 + 1e-12).contains(&m), "mcc {}", m);
    }

    #[test]
    fn perfect_predictions_score_one((t, _, w) in labels()) {
        let t = Array1::from(t);
        let w = w.map(Array1::from);
        let wv = w.as_ref().map(|w| w.view());
        // Weighted sums may differ by rounding: correct weight and total are summed apart.
        prop_assert!((accuracy(t.view(), t.view(), wv).unwrap() - 1.0).abs() < 1e-12);
        prop_assert!((f1(t.view(), t.view(), Average::Macro, wv).unwrap() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn roc_auc_of_reversed_scores_is_one_minus_auc((y, s) in binary_scores()) {
        let y = Array1::from(y);
        let s = Array1::from(s);
        let neg = s.mapv(|v| -v);
        let a = roc_auc(y.view(), s.view(), None).unwrap();
        let b = roc_auc(y.view(), neg.view(), None).unwrap();
        prop_assert!((0.0..=1.0).contains(&a));
        prop_assert!((a + b - 1.0).abs() < 1e-12, "auc {} + reversed {} != 1", a, b);
    }

    #[test]
    fn roc_auc_of_swapped_labels_is_one_minus_auc((y, s) in binary_scores()) {
        let y = Array1::from(y);
        let flipped = y.mapv(|c| 1 - c);
        let s = Array1::from(s);
        let a = roc_auc(y.view(), s.view(), None).unwrap();
        let b = roc_auc(flipped.view(), s.view(), None).unwrap();
        prop_assert!((a + b - 1.0).abs() < 1e-12, "auc {} + label-swapped {} != 1", a, b);
    }

    #[test]
    fn r2_is_at_most_one_and_mse_nonnegative(
        yp in proptest::collection::vec((-1e6..1e6f64, -1e6..1e6f64), 2..60)
    ) {
        let t: Array1<f64> = yp.iter().map(|v| v.0).collect();
        let p: Array1<f64> = yp.iter().map(|v| v.1).collect();
        let r = r2(t.view(), p.view(), None).unwrap();
        prop_assert!(r <= 1.0 && !r.is_nan(), "r2 {}", r);
        prop_assert!(mean_squared_error(t.view(), p.view(), None).unwrap() >= 0.0);
        prop_assert_eq!(r2(t.view(), t.view(), None).unwrap(), 1.0);
    }

    #[test]
    fn log_loss_is_nonnegative(
        (k, rows) in (2usize..5).prop_flat_map(|k| (Just(k), proptest::collection::vec(
            (0..k, proptest::collection::vec(0.0..1.0f64, k)), 1..40)))
    ) {
        let n = rows.len();
        let y: Array1<usize> = rows.iter().map(|r| r.0).collect();
        let mut proba = Array2::zeros((n, k));
        for (i, (_, r)) in rows.iter().enumerate() {
            // Rows that sum to one; an all-zero draw becomes uniform.
            let s: f64 = r.iter().sum();
            for j in 0..k {
                proba[[i, j]] = if s > 0.0 { r[j] / s } else { 1.0 / k as f64 };
            }
        }
        let l = log_loss(y.view(), proba.view(), None).unwrap();
        prop_assert!(l.is_finite() && l >= 0.0, "log_loss {}", l);
    }
}

/// The case proptest found: a single true class with unequal weights. Marginals summed per
/// sample in another order than the confusion matrix's cells left `n² − t_sum·t_sum` a tiny
/// negative number and the coefficient NaN; scikit-learn (and kiln now) give 0.
#[test]
fn matthews_corrcoef_of_a_single_weighted_true_class_is_zero() {
    let t = Array1::from(vec![1usize; 7]);
    let p = Array1::from(vec![0usize, 1, 0, 0, 0, 0, 0]);
    let w = Array1::from(vec![
        0.01,
        3.5850382827773997,
        8.471651514322682,
        0.01,
        0.01,
        9.127207707462306,
        0.01,
    ]);
    assert_eq!(
        matthews_corrcoef(t.view(), p.view(), Some(w.view())).unwrap(),
        0.0
    );
    // The same with the roles swapped: a single predicted class.
    assert_eq!(
        matthews_corrcoef(p.view(), t.view(), Some(w.view())).unwrap(),
        0.0
    );
}
