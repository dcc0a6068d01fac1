//! `MakeCredit` against the generating model it documents.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a failed unwrap is a failed test"
)]

mod common;

use common::{corr, mean};
use kiln_datasets::synthetic::{CreditData, MakeCredit};

const N: usize = 50_000;

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// The documented true log-odds, written out again from the doc comment.
fn documented_logit(data: &CreditData, i: usize) -> f64 {
    let col = |name: &str| {
        let j = data.feature_names.iter().position(|n| n == name).unwrap();
        data.x[[i, j]]
    };
    1.0 + 1.5 * (col("income") / 40.0).ln() - 4.0 * (col("debt_ratio") - 0.3)
        + 0.1 * (col("years_employed") - 5.0)
        + 0.02 * (col("age") - 45.0)
        - 0.7 * col("n_late_payments")
}

fn generate(bias: f64, proxy: f64) -> CreditData {
    MakeCredit::default()
        .with_n_samples(N)
        .with_bias(bias)
        .with_proxy_strength(proxy)
        .with_seed(2024)
        .generate()
        .unwrap()
}

/// Reference-minus-protected approval rate within deciles of the true log-odds, weighted by
/// decile size: the approval gap conditional on the features.
fn conditional_gap(data: &CreditData, logits: &[f64]) -> f64 {
    let mut order: Vec<usize> = (0..logits.len()).collect();
    order.sort_by(|&a, &b| logits[a].total_cmp(&logits[b]));
    let mut gap = 0.0;
    for decile in order.chunks(order.len() / 10) {
        let rate = |g: usize| {
            let ys: Vec<f64> = decile
                .iter()
                .filter(|&&i| data.group[i] == g)
                .map(|&i| data.y[i] as f64)
                .collect();
            mean(&ys)
        };
        gap += (rate(0) - rate(1)) * decile.len() as f64 / logits.len() as f64;
    }
    gap
}

#[test]
fn shapes_names_and_feature_ranges() {
    let data = MakeCredit::default().generate().unwrap();
    assert_eq!(data.x.dim(), (1000, 6));
    assert_eq!(data.feature_names, MakeCredit::FEATURE_NAMES);
    assert_eq!(
        (data.group.len(), data.y.len(), data.y_fair.len()),
        (1000, 1000, 1000)
    );
    for row in data.x.rows() {
        let [income, debt, employed, age, late, _zip] =
            [row[0], row[1], row[2], row[3], row[4], row[5]];
        assert!(income > 0.0);
        assert!(debt > 0.0 && debt < 1.0);
        assert!(age.fract() == 0.0 && (21.0..=69.0).contains(&age), "{age}");
        assert!(employed >= 0.0 && employed <= age - 18.0);
        assert!(late.fract() == 0.0 && late >= 0.0);
    }
    assert!(data.y.iter().chain(&data.group).all(|&v| v <= 1));
}

#[test]
fn group_share_follows_protected_fraction_and_features_ignore_group() {
    let data = generate(0.0, 0.0);
    let share = mean(&data.group.mapv(|g| g as f64).to_vec());
    assert!((share - 0.3).abs() < 0.01, "{share}");
    for j in 0..5 {
        let by_group = |g: usize| {
            let v: Vec<f64> = (0..N)
                .filter(|&i| data.group[i] == g)
                .map(|i| data.x[[i, j]])
                .collect();
            mean(&v)
        };
        let (m0, m1) = (by_group(0), by_group(1));
        assert!(
            (m0 - m1).abs() < 0.05 * m0.abs().max(1.0),
            "feature {j}: {m0} vs {m1}"
        );
    }
}

#[test]
fn labels_follow_the_documented_logistic_model() {
    for bias in [0.0, 1.0] {
        let data = generate(bias, 0.0);
        for g in [0, 1] {
            let members: Vec<usize> = (0..N).filter(|&i| data.group[i] == g).collect();
            let expected: f64 = members
                .iter()
                .map(|&i| sigmoid(documented_logit(&data, i) - bias * g as f64))
                .sum::<f64>()
                / members.len() as f64;
            let observed =
                members.iter().map(|&i| data.y[i] as f64).sum::<f64>() / members.len() as f64;
            // The standard error of a rate over >= 15000 applicants is below 0.004.
            assert!(
                (observed - expected).abs() < 0.015,
                "bias {bias} group {g}: {observed} vs {expected}"
            );
            let fair: f64 =
                members.iter().map(|&i| data.y_fair[i] as f64).sum::<f64>() / members.len() as f64;
            let fair_expected = members
                .iter()
                .map(|&i| sigmoid(documented_logit(&data, i)))
                .sum::<f64>()
                / members.len() as f64;
            assert!((fair - fair_expected).abs() < 0.015, "y_fair, group {g}");
        }
    }
}

#[test]
fn without_bias_the_observed_labels_are_the_fair_ones() {
    let data = generate(0.0, 1.0);
    assert_eq!(data.y, data.y_fair);
    let biased = generate(1.0, 1.0);
    assert_ne!(biased.y, biased.y_fair);
    for i in 0..N {
        if biased.group[i] == 0 {
            assert_eq!(
                biased.y[i], biased.y_fair[i],
                "reference group changed at {i}"
            );
        } else {
            assert!(
                biased.y[i] <= biased.y_fair[i],
                "bias approved someone at {i}"
            );
        }
    }
}

#[test]
fn conditional_approval_gap_is_zero_without_bias_and_grows_with_it() {
    let mut gaps = Vec::new();
    for bias in [0.0, 0.5, 1.0, 2.0, 4.0] {
        let data = generate(bias, 0.0);
        let logits: Vec<f64> = (0..N).map(|i| documented_logit(&data, i)).collect();
        gaps.push(conditional_gap(&data, &logits));
    }
    // Standard error of the stratified gap is about 0.005 at this size.
    assert!(gaps[0].abs() < 0.02, "gap without bias {}", gaps[0]);
    assert!(gaps.windows(2).all(|w| w[1] > w[0]), "{gaps:?}");
    assert!(
        gaps[2] > 0.1,
        "a bias of 1 should open a clear gap: {gaps:?}"
    );
}

#[test]
fn proxy_correlates_with_group_as_documented() {
    let p: f64 = 0.3;
    let sigma_g = (p * (1.0 - p)).sqrt();
    let mut last = -1.0;
    for s in [0.0, 0.5, 2.0] {
        let data = generate(0.0, s);
        let zip = data.x.column(5).to_vec();
        let group = data.group.mapv(|g| g as f64).to_vec();
        let r = corr(&zip, &group);
        let expected = s * sigma_g / (s * s * sigma_g * sigma_g + 1.0).sqrt();
        assert!(
            (r - expected).abs() < 0.02,
            "s={s}: r={r}, expected {expected}"
        );
        assert!(r > last);
        last = r;
    }
}

#[test]
fn the_proxy_carries_the_bias_when_the_group_column_is_dropped() {
    // Among the non-sensitive features, only zip_risk can explain what the true score does
    // not: the part of y left after subtracting the fair approval probability.
    let leftover_corr = |data: &CreditData| {
        let zip = data.x.column(5).to_vec();
        let leftover: Vec<f64> = (0..N)
            .map(|i| data.y[i] as f64 - sigmoid(documented_logit(data, i)))
            .collect();
        corr(&zip, &leftover)
    };
    let unbiased = leftover_corr(&generate(0.0, 2.0));
    let biased = leftover_corr(&generate(2.0, 2.0));
    let no_proxy = leftover_corr(&generate(2.0, 0.0));
    assert!(unbiased.abs() < 0.02, "{unbiased}");
    assert!(no_proxy.abs() < 0.02, "{no_proxy}");
    assert!(biased < -0.1, "{biased}");
}

#[test]
fn same_seed_same_data_and_different_seed_different_data() {
    let p = MakeCredit::default().with_bias(0.7).with_seed(8);
    assert_eq!(p.generate().unwrap(), p.generate().unwrap());
    assert_ne!(
        p.generate().unwrap().x,
        p.clone().with_seed(9).generate().unwrap().x
    );
    // The applicants do not depend on the bias, only their labels do.
    assert_eq!(
        p.generate().unwrap().x,
        p.clone().with_bias(3.0).generate().unwrap().x
    );
}

#[test]
fn invalid_parameters_are_named() {
    let name_of = |p: MakeCredit| {
        p.generate()
            .unwrap_err()
            .parameter_name()
            .unwrap()
            .to_owned()
    };
    let d = MakeCredit::default;
    assert_eq!(name_of(d().with_n_samples(0)), "n_samples");
    assert_eq!(
        name_of(d().with_protected_fraction(1.5)),
        "protected_fraction"
    );
    assert_eq!(
        name_of(d().with_protected_fraction(f64::NAN)),
        "protected_fraction"
    );
    assert_eq!(name_of(d().with_bias(-0.5)), "bias");
    assert_eq!(
        name_of(d().with_proxy_strength(f64::INFINITY)),
        "proxy_strength"
    );
}
