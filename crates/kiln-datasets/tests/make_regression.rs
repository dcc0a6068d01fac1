//! `MakeRegression` against the generating model it documents.

mod common;

use common::{mean, std};
use kiln_datasets::synthetic::MakeRegression;

#[test]
fn without_noise_y_is_exactly_the_linear_model() {
    let data = MakeRegression::default()
        .with_n_samples(200)
        .with_n_features(30)
        .with_n_informative(7)
        .with_bias(-12.5)
        .with_seed(4)
        .generate()
        .unwrap();
    assert_eq!(data.x.dim(), (200, 30));
    assert_eq!(data.coef.len(), 30);
    let fitted = data.x.dot(&data.coef) + -12.5;
    for (f, y) in fitted.iter().zip(&data.y) {
        assert!((f - y).abs() <= 1e-9 * f.abs().max(1.0), "{f} vs {y}");
    }
}

#[test]
fn exactly_n_informative_coefficients_are_nonzero_and_in_range() {
    for (p, k) in [(100, 10), (5, 5), (20, 1), (8, 0)] {
        let data = MakeRegression::default()
            .with_n_features(p)
            .with_n_informative(k)
            .generate()
            .unwrap();
        let nonzero: Vec<f64> = data.coef.iter().copied().filter(|&c| c != 0.0).collect();
        assert_eq!(nonzero.len(), k, "p={p} k={k}");
        assert!(
            nonzero.iter().all(|&c| c > 0.0 && c <= 100.0),
            "{nonzero:?}"
        );
    }
    // Informative features beyond n_features are clamped, as in scikit-learn.
    let data = MakeRegression::default()
        .with_n_features(4)
        .generate()
        .unwrap();
    assert!(data.coef.iter().all(|&c| c != 0.0));
}

#[test]
fn unshuffled_informative_features_come_first() {
    let data = MakeRegression::default()
        .with_n_features(12)
        .with_n_informative(4)
        .with_shuffle(false)
        .generate()
        .unwrap();
    assert!(data.coef.iter().take(4).all(|&c| c != 0.0));
    assert!(data.coef.iter().skip(4).all(|&c| c == 0.0));
    let shuffled = MakeRegression::default()
        .with_n_features(12)
        .with_n_informative(4)
        .generate()
        .unwrap();
    let mut a = data.coef.to_vec();
    let mut b = shuffled.coef.to_vec();
    a.sort_by(f64::total_cmp);
    b.sort_by(f64::total_cmp);
    assert_eq!(a, b, "shuffling only permutes the coefficients");
}

#[test]
fn features_are_standard_normal_and_noise_has_the_requested_std() {
    let data = MakeRegression::default()
        .with_n_samples(5000)
        .with_n_features(3)
        .with_n_informative(3)
        .with_bias(1.0)
        .with_noise(2.0)
        .generate()
        .unwrap();
    for j in 0..3 {
        let col = data.x.column(j).to_vec();
        // Standard errors: 1/sqrt(5000) = 0.014 for the mean, about 0.01 for the std.
        assert!(mean(&col).abs() < 0.06, "column {j}");
        assert!((std(&col) - 1.0).abs() < 0.05, "column {j}");
    }
    let residual: Vec<f64> = (&data.y - &(data.x.dot(&data.coef) + 1.0)).to_vec();
    assert!(mean(&residual).abs() < 0.12, "{}", mean(&residual));
    assert!((std(&residual) - 2.0).abs() < 0.1, "{}", std(&residual));
}

#[test]
fn same_seed_same_data_and_different_seed_different_data() {
    let p = MakeRegression::default().with_noise(1.0).with_seed(77);
    assert_eq!(p.generate().unwrap(), p.generate().unwrap());
    let other = p.clone().with_seed(78).generate().unwrap();
    assert_ne!(p.generate().unwrap().y, other.y);
}

#[test]
fn invalid_parameters_are_named() {
    let name_of = |p: MakeRegression| {
        p.generate()
            .unwrap_err()
            .parameter_name()
            .unwrap()
            .to_owned()
    };
    let d = MakeRegression::default;
    assert_eq!(name_of(d().with_n_samples(0)), "n_samples");
    assert_eq!(name_of(d().with_n_features(0)), "n_features");
    assert_eq!(name_of(d().with_noise(-0.1)), "noise");
    assert_eq!(name_of(d().with_noise(f64::INFINITY)), "noise");
    assert_eq!(name_of(d().with_bias(f64::NAN)), "bias");
}
