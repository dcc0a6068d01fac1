//! kiln-monitor's `ReferenceProfile`: hand-computed summaries, the exact sample and the
//! quantile sketch beyond `max_exact` (KS on the sketch within 1/m of KS on all data),
//! persistence, and bad input.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a malformed fixture or a wrong result should fail loudly"
)]

use kiln_core::Error;
use kiln_monitor::distance::Binning;
use kiln_monitor::profile::{ProfileOptions, ReferenceProfile};
use kiln_monitor::stats::{KsMethod, ks_2samp, ks_2samp_sorted};
use kiln_prep::{Categorical, Column, ColumnType, Frame};

fn frame(columns: Vec<(&str, Column)>) -> Frame {
    Frame::new(
        columns
            .into_iter()
            .map(|(n, c)| (n.to_owned(), c))
            .collect(),
    )
    .unwrap()
}

#[test]
fn numeric_summary_by_hand() {
    let f = frame(vec![(
        "x",
        Column::Float(vec![
            2.0,
            f64::NAN,
            4.0,
            4.0,
            4.0,
            5.0,
            f64::NAN,
            5.0,
            7.0,
            9.0,
        ]),
    )]);
    let p = ReferenceProfile::build(&f, &ProfileOptions::default()).unwrap();
    let c = p.column("x").unwrap();
    assert_eq!(
        (c.column_type, c.n_rows, c.n_missing, c.n_valid()),
        (ColumnType::Float, 10, 2, 8)
    );
    let n = c.numeric().unwrap();
    // The textbook example: mean 5, population std 2.
    assert_eq!((n.mean, n.std, n.min, n.max), (5.0, 2.0, 2.0, 9.0));
    assert_eq!(n.n_unique, 5);
    assert_eq!(n.values, vec![2.0, 4.0, 5.0, 7.0, 9.0]);
    assert_eq!(n.value_counts, vec![1.0, 3.0, 2.0, 1.0, 1.0]);
    assert_eq!(n.sample, vec![2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
    assert!(n.exact);
    assert_eq!(p.n_rows(), 10);
}

#[test]
fn quantile_bins_by_hand() {
    // 1..=100 in 4 quantile bins: np.quantile edges 1, 25.75, 50.5, 75.25, 100; 25 per bin.
    let x: Vec<f64> = (1..=100).rev().map(f64::from).collect();
    let f = frame(vec![("x", Column::Int(x))]);
    let opts = ProfileOptions::default().with_binning(Binning::Quantile { n_bins: 4 });
    let p = ReferenceProfile::build(&f, &opts).unwrap();
    let n = p.column("x").unwrap().numeric().unwrap();
    assert_eq!(n.edges, vec![1.0, 25.75, 50.5, 75.25, 100.0]);
    assert_eq!(n.bin_counts, vec![25.0, 25.0, 25.0, 25.0]);
    // 100 distinct values > max_discrete (20): no value counts.
    assert!(n.values.is_empty() && n.n_unique == 100);
}

#[test]
fn sketch_beyond_max_exact_is_deterministic_order_statistics() {
    let x: Vec<f64> = (0..1000).map(|i| ((i * 7919) % 1000) as f64).collect();
    let f = frame(vec![("x", Column::Float(x))]);
    let p = ReferenceProfile::build(&f, &ProfileOptions::default().with_max_exact(10)).unwrap();
    let n = p.column("x").unwrap().numeric().unwrap();
    assert!(!n.exact);
    // Ranks floor((i + 1/2) 1000 / 10) = 50, 150, ..., 950 of 0..999.
    let want: Vec<f64> = (0..10).map(|i| (50 + 100 * i) as f64).collect();
    assert_eq!(n.sample, want);
    // Moments and bins still use every value.
    assert_eq!((n.mean, n.min, n.max), (499.5, 0.0, 999.0));
    assert_eq!(n.bin_counts.iter().sum::<f64>(), 1000.0);
}

#[test]
fn ks_on_the_sketch_is_within_one_over_m_of_ks_on_all_data() {
    // A skewed reference (squares) against a shifted batch.
    let reference: Vec<f64> = (0..20_000)
        .map(|i| ((i * 7919) % 20_000) as f64 / 20_000.0)
        .map(|u| u * u)
        .collect();
    let current: Vec<f64> = (0..3000)
        .map(|i| (i as f64 / 3000.0).powf(1.8) + 0.01)
        .collect();
    let f = frame(vec![("x", Column::Float(reference.clone()))]);
    let m = 500;
    let p = ReferenceProfile::build(&f, &ProfileOptions::default().with_max_exact(m)).unwrap();
    let n = p.column("x").unwrap().numeric().unwrap();
    assert_eq!(n.sample.len(), m);
    let mut cur = current.clone();
    cur.sort_by(f64::total_cmp);
    let full = ks_2samp(&reference, &current, KsMethod::Asymptotic).unwrap();
    let sketch = ks_2samp_sorted(&n.sample, &cur, KsMethod::Asymptotic).unwrap();
    assert!(
        full.statistic > 0.02,
        "the test needs a visible difference: {}",
        full.statistic
    );
    assert!(
        (full.statistic - sketch.statistic).abs() <= 1.0 / m as f64,
        "{} vs {}",
        full.statistic,
        sketch.statistic
    );
    // Under max_exact the sample is all data, so the KS is exactly the full-data KS.
    let p = ReferenceProfile::build(&f, &ProfileOptions::default()).unwrap();
    let n = p.column("x").unwrap().numeric().unwrap();
    assert!(n.exact);
    let exact = ks_2samp_sorted(&n.sample, &cur, KsMethod::Asymptotic).unwrap();
    assert_eq!(exact.statistic, full.statistic);
    assert_eq!(exact.p_value, full.p_value);
}

#[test]
fn categorical_frequencies_and_missing() {
    let c = Categorical::from_values(&[Some("b"), Some("a"), None, Some("b"), Some("c")]);
    let f = frame(vec![("c", Column::Categorical(c))]);
    let p = ReferenceProfile::build(&f, &ProfileOptions::default()).unwrap();
    let col = p.column("c").unwrap();
    assert_eq!((col.n_rows, col.n_missing), (5, 1));
    let cp = col.categorical().unwrap();
    assert_eq!(cp.levels, vec!["a", "b", "c"]);
    assert_eq!(cp.counts, vec![1.0, 2.0, 1.0]);
    assert_eq!((cp.count("b"), cp.count("zz")), (2.0, 0.0));
    assert!(col.numeric().is_none());
}

#[test]
fn all_missing_and_constant_columns_are_profiled() {
    let f = frame(vec![
        ("none", Column::Float(vec![f64::NAN; 4])),
        ("k", Column::Bool(vec![1.0; 4])),
    ]);
    let p = ReferenceProfile::build(&f, &ProfileOptions::default()).unwrap();
    let none = p.column("none").unwrap();
    assert_eq!(none.n_missing, 4);
    let n = none.numeric().unwrap();
    assert!(n.mean.is_nan() && n.sample.is_empty() && n.edges.is_empty());
    let k = p.column("k").unwrap().numeric().unwrap();
    assert_eq!((k.n_unique, k.std), (1, 0.0));
    assert_eq!(
        (k.values.clone(), k.value_counts.clone()),
        (vec![1.0], vec![4.0])
    );
}

#[test]
fn persistence_round_trip_and_kind_check() {
    let f = frame(vec![
        (
            "x",
            Column::Float((0..50).map(|i| (i as f64).sin()).collect()),
        ),
        (
            "c",
            Column::Categorical(Categorical::from_values(&vec![Some("u"); 50])),
        ),
    ]);
    let p = ReferenceProfile::build(&f, &ProfileOptions::default().with_max_exact(20)).unwrap();
    let bytes = kiln_core::persist::to_bytes(&p).unwrap();
    let header = kiln_core::persist::read_header(&bytes).unwrap();
    assert_eq!(header.kind, "kiln_monitor::ReferenceProfile");
    assert_eq!(header.schema.names().unwrap(), ["x", "c"]);
    let back: ReferenceProfile = kiln_core::persist::from_bytes(&bytes).unwrap();
    assert_eq!(back, p);
    assert_eq!(back.options().max_exact, 20);
}

#[test]
fn bad_input_gives_typed_errors() {
    let empty = frame(vec![("x", Column::Float(vec![]))]);
    let err = ReferenceProfile::build(&empty, &ProfileOptions::default()).unwrap_err();
    assert!(matches!(err, Error::EmptyInput { .. }), "{err}");
    let inf = frame(vec![
        ("a", Column::Float(vec![1.0, 2.0])),
        ("b", Column::Float(vec![1.0, f64::NEG_INFINITY])),
    ]);
    let err = ReferenceProfile::build(&inf, &ProfileOptions::default()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::NonFinite {
                row: 1,
                col: Some(1),
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("`b`"), "{err}");
    let ok = frame(vec![("a", Column::Float(vec![1.0, 2.0]))]);
    for (opts, name) in [
        (ProfileOptions::default().with_max_exact(0), "max_exact"),
        (
            ProfileOptions::default().with_max_discrete(3),
            "max_discrete",
        ),
        (
            ProfileOptions::default().with_binning(Binning::Quantile { n_bins: 0 }),
            "n_bins",
        ),
    ] {
        let err = ReferenceProfile::build(&ok, &opts).unwrap_err();
        assert!(matches!(err, Error::InvalidParameter { .. }), "{err}");
        assert!(err.to_string().contains(name), "{err}");
    }
}

#[test]
fn large_columns_are_sorted_like_a_comparison_sort() {
    // Above the radix-sort cut-off, with negatives, zeros of both signs and repeats.
    let x: Vec<f64> = (0..10_000)
        .map(|i| match i % 5 {
            0 => -((i * 7919 % 10_000) as f64) / 3.0,
            1 => -0.0,
            2 => 0.0,
            _ => ((i * 104_729 % 9973) as f64).sqrt() * 1e-3,
        })
        .collect();
    let f = frame(vec![("x", Column::Float(x.clone()))]);
    let p = ReferenceProfile::build(&f, &ProfileOptions::default()).unwrap();
    let mut want: Vec<f64> = x.iter().map(|v| v + 0.0).collect();
    want.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let got = &p.column("x").unwrap().numeric().unwrap().sample;
    assert_eq!(got.len(), want.len());
    assert!(
        got.iter()
            .zip(&want)
            .all(|(a, b)| a.to_bits() == b.to_bits())
    );
}
