//! Property tests (issue #15): disparity ratios lie in [0, 1] and differences are >= 0.

#![allow(
    clippy::unwrap_used,
    reason = "tests and their data generators unwrap to fail loudly"
)]

use kiln_fairness::groups::{Groups, SensitiveColumn};
use kiln_fairness::measures::{
    Aggregate, DisparityOptions, Method, Rate, demographic_parity_difference,
    demographic_parity_ratio, equalized_odds_difference, equalized_odds_ratio, rate_parity,
};
use ndarray::Array1;
use proptest::prelude::*;

fn config() -> ProptestConfig {
    // No failure files: a failing case is printed and pinned as a named regression test.
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::with_cases(64)
    }
}

/// Rows of (y_true, y_pred, group in 0..4) and optional positive weights.
type Rows = (Vec<(usize, usize, u8)>, Option<Vec<f64>>);

fn rows() -> impl Strategy<Value = Rows> {
    (2usize..80).prop_flat_map(|n| {
        (
            proptest::collection::vec((0usize..2, 0usize..2, 0u8..4), n),
            proptest::option::of(proptest::collection::vec(0.1..5.0f64, n)),
        )
    })
}

fn check_bounds(name: &str, kind_ratio: bool, v: Option<f64>) {
    // An undefined disparity (e.g. a group with no positives) is allowed; a defined one is bounded.
    if let Some(v) = v {
        assert!(v.is_finite(), "{name}: {v}");
        if kind_ratio {
            assert!((0.0..=1.0).contains(&v), "{name}: ratio {v} outside [0, 1]");
        } else {
            assert!(v >= 0.0, "{name}: difference {v} < 0");
        }
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn disparity_ratios_in_unit_interval_and_differences_nonnegative(
        (rows, w) in rows(), to_overall: bool, mean_agg: bool,
    ) {
        let yt: Array1<usize> = rows.iter().map(|r| r.0).collect();
        let yp: Array1<usize> = rows.iter().map(|r| r.1).collect();
        let col = SensitiveColumn::from_strings("g", rows.iter().map(|r| format!("g{}", r.2))).unwrap();
        let groups = Groups::new(&[col], &[]).unwrap();
        let w = w.map(Array1::from);
        let wv = w.as_ref().map(|w| w.view());
        let method = if to_overall { Method::ToOverall } else { Method::BetweenGroups };
        let agg = if mean_agg { Aggregate::Mean } else { Aggregate::WorstCase };
        let opt = DisparityOptions::default().with_method(method).with_agg(agg);

        let d = demographic_parity_difference(yt.view(), yp.view(), &groups, &opt, wv).unwrap();
        check_bounds("demographic_parity_difference", false, d.value.get());
        let r = demographic_parity_ratio(yt.view(), yp.view(), &groups, &opt, wv).unwrap();
        check_bounds("demographic_parity_ratio", true, r.value.get());
        let d = equalized_odds_difference(yt.view(), yp.view(), &groups, &opt, wv).unwrap();
        check_bounds("equalized_odds_difference", false, d.value.get());
        let r = equalized_odds_ratio(yt.view(), yp.view(), &groups, &opt, wv).unwrap();
        check_bounds("equalized_odds_ratio", true, r.value.get());
        for rate in Rate::ALL {
            let p = rate_parity(rate, yt.view(), yp.view(), &groups, &opt, wv).unwrap();
            check_bounds(rate.name(), false, p.difference.value.get());
            check_bounds(rate.name(), true, p.ratio.value.get());
        }
    }

    #[test]
    fn a_single_group_has_no_disparity((rows, w) in rows()) {
        let yt: Array1<usize> = rows.iter().map(|r| r.0).collect();
        let yp: Array1<usize> = rows.iter().map(|r| r.1).collect();
        let col = SensitiveColumn::from_strings("g", rows.iter().map(|_| "all")).unwrap();
        let groups = Groups::new(&[col], &[]).unwrap();
        let w = w.map(Array1::from);
        let wv = w.as_ref().map(|w| w.view());
        let opt = DisparityOptions::default();
        let d = demographic_parity_difference(yt.view(), yp.view(), &groups, &opt, wv).unwrap();
        prop_assert_eq!(d.value.get(), Some(0.0));
    }
}
