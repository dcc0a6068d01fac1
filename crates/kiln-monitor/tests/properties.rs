//! Property tests (issue #15): every drift statistic is zero when the current sample is the
//! reference sample, and non-negative otherwise.

#![allow(
    clippy::unwrap_used,
    reason = "tests and their data generators unwrap to fail loudly"
)]

use kiln_monitor::distance::{hellinger, jensen_shannon, psi};
use kiln_monitor::stats::{KsMethod, energy_distance, ks_2samp, wasserstein_distance};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    // No failure files: a failing case is printed and pinned as a named regression test.
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(64)
    }
}

/// Samples with repeated values likely and magnitudes from tiny to large.
fn sample() -> impl Strategy<Value = Vec<f64>> {
    proptest::collection::vec(
        prop_oneof![
            -1e3..1e3f64,
            (0i8..5).prop_map(f64::from),
            -1e-9..1e-9f64,
            -1e12..1e12f64
        ],
        1..120,
    )
}

fn counts() -> impl Strategy<Value = Vec<f64>> {
    proptest::collection::vec(prop_oneof![Just(0.0), 0.0..1e4f64], 1..20)
        .prop_filter("a positive total", |c| c.iter().sum::<f64>() > 0.0)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn sample_statistics_vanish_on_identical_samples(x in sample()) {
        let ks = ks_2samp(&x, &x, KsMethod::Auto).unwrap();
        prop_assert_eq!(ks.statistic, 0.0);
        prop_assert!((ks.p_value - 1.0).abs() < 1e-12, "ks p-value {}", ks.p_value);
        prop_assert_eq!(wasserstein_distance(&x, &x).unwrap(), 0.0);
        prop_assert_eq!(energy_distance(&x, &x).unwrap(), 0.0);
    }

    #[test]
    fn sample_statistics_are_nonnegative(x in sample(), y in sample()) {
        let ks = ks_2samp(&x, &y, KsMethod::Auto).unwrap();
        prop_assert!((0.0..=1.0).contains(&ks.statistic));
        prop_assert!((0.0..=1.0).contains(&ks.p_value), "p {}", ks.p_value);
        prop_assert!(wasserstein_distance(&x, &y).unwrap() >= 0.0);
        prop_assert!(energy_distance(&x, &y).unwrap() >= 0.0);
    }

    #[test]
    fn binned_divergences_vanish_on_identical_counts(c in counts(), scale in 0.1..10.0f64) {
        // Scaling the counts keeps the proportions: still no drift.
        let scaled: Vec<f64> = c.iter().map(|v| v * scale).collect();
        let p = psi(&c, &scaled, 1e-4).unwrap();
        prop_assert!(p.abs() < 1e-12, "psi {}", p);
        let js = jensen_shannon(&c, &scaled, 2.0).unwrap();
        prop_assert!(js.abs() < 1e-7, "js {}", js);
        let h = hellinger(&c, &scaled).unwrap();
        prop_assert!(h.abs() < 1e-7, "hellinger {}", h);
    }

    #[test]
    fn binned_divergences_are_nonnegative(pair in (1usize..20).prop_flat_map(|k| (
        proptest::collection::vec(0.0..1e3f64, k), proptest::collection::vec(0.0..1e3f64, k)))
    ) {
        let (a, b) = pair;
        prop_assume!(a.iter().sum::<f64>() > 0.0 && b.iter().sum::<f64>() > 0.0);
        prop_assert!(psi(&a, &b, 1e-4).unwrap() >= -1e-12);
        let js = jensen_shannon(&a, &b, 2.0).unwrap();
        prop_assert!((0.0..=1.0 + 1e-12).contains(&js), "js {}", js);
    }
}
