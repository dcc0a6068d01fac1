//! Values near the ends of f64's range (1e±200 to 1e308): scale-free statistics come out as
//! they do at unit scale, statistics that exist are computed without overflow, and the rest
//! are errors, never infinities or NaN passed on silently. (scikit-learn returns 0, NaN or
//! `inf` in most of these cases; the unit-scale references are its values.)

use approx::assert_relative_eq;
use kiln_core::{Error, FitUnsupervised, Transform};
use kiln_prep::impute::{SimpleImputer, Strategy};
use kiln_prep::rules::zscore_outliers;
use kiln_prep::scale::{MinMaxScaler, RobustScaler};
use kiln_prep::select::{CorrelationFilter, f_classif, f_regression};
use kiln_prep::{Column, Frame};
use ndarray::{Array2, array};

#[test]
fn f_tests_are_scale_free_down_to_1e_minus_200_and_up_to_1e200() {
    let y = array![1.0, 2.0, 3.0, 5.0];
    let classes = array![0usize, 0, 1, 1];
    for scale in [1.0, 1e-200, 1e200, 1e-300, 1e300] {
        let x = array![[1.0], [2.0], [3.0], [4.0]].mapv(|v: f64| v * scale);
        // scikit-learn at unit scale: F = 56.333..., p = 0.01729237.
        let (f, p) = f_regression(x.view(), y.view()).unwrap();
        assert_relative_eq!(f[0], 56.333_333_333_333_33, max_relative = 1e-12);
        assert_relative_eq!(p[0], 0.017_292_37, max_relative = 1e-6);
        // ... and with y scaled the same way.
        let (f, _) = f_regression(x.view(), y.mapv(|v| v * scale).view()).unwrap();
        assert_relative_eq!(f[0], 56.333_333_333_333_33, max_relative = 1e-12);

        let x = array![[1.0], [2.0], [3.0], [5.0]].mapv(|v: f64| v * scale);
        // scikit-learn at unit scale: F = 5, p = 0.15484575.
        let (f, p) = f_classif(x.view(), classes.view()).unwrap();
        assert_relative_eq!(f[0], 5.0, max_relative = 1e-12);
        assert_relative_eq!(p[0], 0.154_845_75, max_relative = 1e-6);
    }
}

#[test]
fn correlation_filter_sees_collinear_columns_at_any_scale() {
    for scale in [1.0, 1e-200, 1e200] {
        let x = Array2::from_shape_fn((6, 2), |(i, j)| {
            let v = [1.0, 4.0, 2.0, 8.0, 5.0, 7.0][i] * scale;
            if j == 0 { v } else { 2.0 * v }
        });
        let fitted = CorrelationFilter::default().fit(x.view()).unwrap();
        assert_relative_eq!(fitted.correlations()[[0, 1]], 1.0, max_relative = 1e-12);
        assert_eq!(fitted.selected(), [0], "scale {scale}");
    }
}

#[test]
fn zscore_flags_the_same_rows_at_any_scale() {
    // scipy.stats.zscore([1, 2, 3, 4, 100]): -0.538 ... 1.99934; threshold 1.9 flags row 4.
    for scale in [1.0, 1e-200, 1e-300, 1e200, 1e306] {
        let mut v: Vec<f64> = [1.0, 2.0, 3.0, 4.0, 100.0].map(|x| x * scale).to_vec();
        v.push(f64::NAN);
        let frame = Frame::new(vec![("x".into(), Column::Float(v))]).unwrap();
        let report = zscore_outliers(&frame, "x", 1.9).unwrap();
        assert_eq!(report.rows, [4], "scale {scale}");
        assert_eq!(report.n_missing, 1);
        let report = zscore_outliers(&frame, "x", 2.0).unwrap();
        assert!(report.rows.is_empty(), "scale {scale}: {:?}", report.rows);
    }
}

#[test]
fn imputed_means_and_medians_of_huge_values_are_finite() {
    let x = array![[1e308], [1.5e308], [f64::NAN]];
    for strategy in [Strategy::Mean, Strategy::Median] {
        let fitted = SimpleImputer::default()
            .with_strategy(strategy)
            .fit(x.view())
            .unwrap();
        let out = fitted.transform(x.view()).unwrap();
        assert_relative_eq!(out[[2, 0]], 1.25e308, max_relative = 1e-15);
    }
    // Ordinary values keep the plain sum (the same bits as before).
    let x = array![[0.1], [0.2], [f64::NAN]];
    let out = SimpleImputer::default()
        .fit(x.view())
        .unwrap()
        .transform(x.view())
        .unwrap();
    assert_eq!(out[[2, 0]], (0.1 + 0.2) / 2.0);
}

#[test]
fn scalers_compute_what_exists_and_refuse_what_overflows() {
    // The median of an even count near f64's range: halved before adding.
    let x = array![[1e308], [1.5e308], [1.7e308], [1.6e308]];
    let fitted = RobustScaler::default().fit(x.view()).unwrap();
    assert_relative_eq!(fitted.center().unwrap()[0], 1.55e308, max_relative = 1e-15);
    let z = fitted.transform(x.view()).unwrap();
    assert!(z.iter().all(|v| v.is_finite()), "{z}");

    // A range (or an inter-quantile range) past f64::MAX is an error naming the column.
    let wide = array![[1.0, -1e308], [2.0, 0.0], [3.0, 1e308]];
    for err in [
        MinMaxScaler::default().fit(wide.view()).unwrap_err(),
        RobustScaler::default()
            .with_quantile_range((0.0, 100.0))
            .fit(wide.view())
            .unwrap_err(),
    ] {
        assert!(
            matches!(&err, Error::InvalidValue { what, reason, .. }
                if what == "column 1 of X" && reason.contains("too large")),
            "{err}"
        );
    }
}
