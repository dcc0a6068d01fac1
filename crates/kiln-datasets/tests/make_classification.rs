//! `MakeClassification` against the generating model it documents.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers: a failed unwrap or panic is a failed test"
)]

mod common;

use std::collections::HashSet;

use common::{class_counts, mean, std};
use kiln_datasets::synthetic::MakeClassification;
use ndarray::{Array1, Array2, s};

/// Unshuffled, noiseless columns in the documented order: 3 informative, 2 redundant,
/// 1 repeated, 4 noise.
fn layout() -> MakeClassification {
    MakeClassification::default()
        .with_n_samples(2000)
        .with_n_features(10)
        .with_n_informative(3)
        .with_n_redundant(2)
        .with_n_repeated(1)
        .with_flip_y(0.0)
        .with_shuffle(false)
        .with_seed(3)
}

/// Accuracy on the second half of a nearest-centroid rule fitted on the first half, using
/// only `columns`.
fn nearest_centroid_accuracy(x: &Array2<f64>, y: &Array1<usize>, columns: &[usize]) -> f64 {
    let n = x.nrows();
    let half = n / 2;
    // Rows are grouped by cluster when unshuffled: split by alternating rows instead.
    let (train, test): (Vec<usize>, Vec<usize>) = (0..n).partition(|i| i % 2 == 0);
    assert_eq!(train.len(), half);
    let n_classes = y.iter().max().unwrap() + 1;
    let mut centroids = vec![vec![0.0; columns.len()]; n_classes];
    let mut counts = vec![0.0; n_classes];
    for &i in &train {
        counts[y[i]] += 1.0;
        for (c, &j) in columns.iter().enumerate() {
            centroids[y[i]][c] += x[[i, j]];
        }
    }
    for (centroid, count) in centroids.iter_mut().zip(&counts) {
        centroid.iter_mut().for_each(|v| *v /= count);
    }
    let correct = test
        .iter()
        .filter(|&&i| {
            let dist = |k: usize| -> f64 {
                columns
                    .iter()
                    .enumerate()
                    .map(|(c, &j)| (x[[i, j]] - centroids[k][c]).powi(2))
                    .sum()
            };
            let best = (0..n_classes)
                .min_by(|&a, &b| dist(a).total_cmp(&dist(b)))
                .unwrap();
            best == y[i]
        })
        .count();
    correct as f64 / test.len() as f64
}

/// Largest residual of the least-squares fit of column `target` on `basis` columns (normal
/// equations solved by Gaussian elimination with partial pivoting).
fn max_ls_residual(x: &Array2<f64>, basis: &[usize], target: usize) -> f64 {
    let k = basis.len();
    let mut a = vec![vec![0.0; k + 1]; k];
    for (r, &i) in basis.iter().enumerate() {
        for (c, &j) in basis.iter().enumerate() {
            a[r][c] = x.column(i).dot(&x.column(j));
        }
        a[r][k] = x.column(i).dot(&x.column(target));
    }
    for p in 0..k {
        let pivot = (p..k)
            .max_by(|&r1, &r2| a[r1][p].abs().total_cmp(&a[r2][p].abs()))
            .unwrap();
        a.swap(p, pivot);
        let pivot_row = a[p].clone();
        for row in a.iter_mut().skip(p + 1) {
            let f = row[p] / pivot_row[p];
            for (v, pv) in row.iter_mut().zip(&pivot_row).skip(p) {
                *v -= f * pv;
            }
        }
    }
    let mut beta = vec![0.0; k];
    for p in (0..k).rev() {
        let tail: f64 = (p + 1..k).map(|c| a[p][c] * beta[c]).sum();
        beta[p] = (a[p][k] - tail) / a[p][p];
    }
    (0..x.nrows())
        .map(|i| {
            let fit: f64 = basis.iter().zip(&beta).map(|(&j, b)| x[[i, j]] * b).sum();
            (x[[i, target]] - fit).abs()
        })
        .fold(0.0, f64::max)
}

#[test]
fn same_seed_same_data_and_different_seed_different_data() {
    let p = MakeClassification::default().with_seed(9);
    assert_eq!(p.generate().unwrap(), p.generate().unwrap());
    let (x1, _) = p.generate().unwrap();
    let (x2, _) = p.clone().with_seed(10).generate().unwrap();
    assert_ne!(x1, x2);
}

#[test]
fn default_shape_and_labels() {
    let (x, y) = MakeClassification::default().generate().unwrap();
    assert_eq!(x.dim(), (100, 20));
    assert_eq!(y.len(), 100);
    // Balanced classes: 50 each before flip_y = 0.01 touches about one label.
    let c = class_counts(&y, 2);
    assert!(c[0].abs_diff(50) <= 3, "{c:?}");
    assert!(x.iter().all(|v| v.is_finite()));
}

#[test]
fn class_proportions_follow_weights_exactly_without_label_noise() {
    let (_, y) = MakeClassification::default()
        .with_n_samples(1000)
        .with_n_informative(3)
        .with_n_classes(3)
        .with_weights(vec![0.7, 0.2, 0.1])
        .with_flip_y(0.0)
        .generate()
        .unwrap();
    // floor(1000 * w / 2) per cluster, two clusters per class, no samples left over.
    assert_eq!(class_counts(&y, 3), vec![700, 200, 100]);
    let (_, y) = MakeClassification::default()
        .with_n_samples(1000)
        .with_weights(vec![0.25])
        .with_flip_y(0.0)
        .generate()
        .unwrap();
    assert_eq!(class_counts(&y, 2), vec![250, 750]);
}

#[test]
fn flipped_labels_mix_weights_with_the_uniform_distribution() {
    let n = 20_000;
    let (w, f) = ([0.7, 0.2, 0.1], 0.3);
    let (_, y) = MakeClassification::default()
        .with_n_samples(n)
        .with_n_informative(3)
        .with_n_classes(3)
        .with_weights(w.to_vec())
        .with_flip_y(f)
        .generate()
        .unwrap();
    let counts = class_counts(&y, 3);
    for (k, &wk) in w.iter().enumerate() {
        // A label is kept with probability 1 - f and redrawn uniformly with probability f.
        let expected = (1.0 - f) * wk + f / 3.0;
        let got = counts[k] as f64 / n as f64;
        assert!(
            (got - expected).abs() < 0.015,
            "class {k}: {got} vs {expected}"
        );
    }
}

#[test]
fn informative_features_separate_classes_and_noise_features_do_not() {
    let (x, y) = layout()
        .with_n_clusters_per_class(1)
        .with_class_sep(2.0)
        .generate()
        .unwrap();
    let informative = nearest_centroid_accuracy(&x, &y, &[0, 1, 2]);
    let noise = nearest_centroid_accuracy(&x, &y, &[6, 7, 8, 9]);
    assert!(informative > 0.8, "informative accuracy {informative}");
    assert!((noise - 0.5).abs() < 0.05, "noise accuracy {noise}");
    for j in 6..10 {
        let col = x.column(j).to_vec();
        assert!(mean(&col).abs() < 0.1, "noise column {j} mean");
        assert!((std(&col) - 1.0).abs() < 0.06, "noise column {j} std");
    }
}

#[test]
fn redundant_and_repeated_columns_are_built_from_informative_ones() {
    let (x, _) = layout().generate().unwrap();
    for j in [3, 4] {
        let r = max_ls_residual(&x, &[0, 1, 2], j);
        assert!(r < 1e-8, "redundant column {j} residual {r}");
    }
    // The same fit on a noise column leaves order-one residuals: the check can fail.
    assert!(max_ls_residual(&x, &[0, 1, 2], 7) > 1.0);
    let repeated = x.column(5);
    assert!(
        (0..5).any(|j| x.column(j) == repeated),
        "column 5 copies one of columns 0..5"
    );
}

#[test]
fn clusters_sit_on_hypercube_vertices_at_class_sep() {
    let sep = 5.0;
    let (x, y) = layout()
        .with_n_samples(4000)
        .with_n_clusters_per_class(1)
        .with_class_sep(sep)
        .generate()
        .unwrap();
    let mut vertices = Vec::new();
    for k in 0..2 {
        let rows: Vec<usize> = (0..x.nrows()).filter(|&i| y[i] == k).collect();
        let vertex: Vec<f64> = (0..3)
            .map(|j| mean(&rows.iter().map(|&i| x[[i, j]]).collect::<Vec<_>>()))
            .collect();
        for v in &vertex {
            // The cluster noise N(0, I)·A has mean zero; its standard error here is < 0.05.
            assert!((v.abs() - sep).abs() < 0.2, "class {k} mean {vertex:?}");
        }
        vertices.push(vertex.iter().map(|v| v.signum()).collect::<Vec<_>>());
    }
    assert_ne!(vertices[0], vertices[1], "two classes on one vertex");

    let (x, y) = layout()
        .with_n_samples(4000)
        .with_n_clusters_per_class(1)
        .with_class_sep(sep)
        .with_hypercube(false)
        .generate()
        .unwrap();
    let rows: Vec<usize> = (0..x.nrows()).filter(|&i| y[i] == 0).collect();
    let m: Vec<f64> = (0..3)
        .map(|j| mean(&rows.iter().map(|&i| x[[i, j]]).collect::<Vec<_>>()))
        .collect();
    // Off the vertices: scaled by random factors in [0, 1), so strictly inside the cube.
    assert!(m.iter().all(|v| v.abs() < sep - 0.2), "{m:?}");
}

#[test]
fn shift_then_scale_applies_to_every_feature() {
    let base = layout();
    let (x0, y0) = base.generate().unwrap();
    let (x1, y1) = base.with_shift(3.0).with_scale(2.0).generate().unwrap();
    assert_eq!(y0, y1);
    let expected = (&x0 + 3.0) * 2.0;
    assert!((&x1 - &expected).iter().all(|d| d.abs() < 1e-12));
}

#[test]
fn shuffling_permutes_rows_and_columns_of_the_same_draws() {
    let base = MakeClassification::default()
        .with_seed(21)
        .with_n_samples(300);
    let (x0, y0) = base.clone().with_shuffle(false).generate().unwrap();
    let (x1, y1) = base.with_shuffle(true).generate().unwrap();
    assert_ne!(x0, x1);
    assert_eq!(class_counts(&y0, 2), class_counts(&y1, 2));
    // Without shuffling the rows are grouped by cluster (classes 0, 1, 0, 1).
    assert_eq!(y0.slice(s![..25]).iter().filter(|&&c| c == 0).count(), 25);
    let row_key = |x: &Array2<f64>, i: usize, y: usize| {
        let mut bits: Vec<u64> = x.row(i).iter().map(|v| v.to_bits()).collect();
        bits.sort_unstable();
        (bits, y)
    };
    let originals: HashSet<_> = (0..300).map(|i| row_key(&x0, i, y0[i])).collect();
    assert!((0..300).all(|i| originals.contains(&row_key(&x1, i, y1[i]))));
}

#[test]
fn invalid_parameters_are_named() {
    let name_of = |p: MakeClassification| {
        p.generate()
            .unwrap_err()
            .parameter_name()
            .unwrap()
            .to_owned()
    };
    let d = MakeClassification::default;
    assert_eq!(name_of(d().with_n_samples(0)), "n_samples");
    assert_eq!(name_of(d().with_n_informative(0)), "n_informative");
    assert_eq!(
        name_of(d().with_n_features(4).with_n_repeated(1)),
        "n_features"
    );
    // 3 classes × 2 clusters = 6 > 2^2 vertices.
    assert_eq!(name_of(d().with_n_classes(3)), "n_informative");
    assert_eq!(name_of(d().with_weights(vec![0.2, 0.3, 0.5])), "weights");
    assert_eq!(name_of(d().with_weights(vec![1.2])), "weights");
    assert_eq!(name_of(d().with_weights(vec![0.0, 0.0])), "weights");
    assert_eq!(name_of(d().with_flip_y(1.5)), "flip_y");
    assert_eq!(name_of(d().with_class_sep(-1.0)), "class_sep");
    assert_eq!(name_of(d().with_scale(f64::NAN)), "scale");
    assert_eq!(
        name_of(d().with_n_clusters_per_class(0)),
        "n_clusters_per_class"
    );
    let msg = d().with_n_classes(3).generate().unwrap_err().to_string();
    assert!(
        msg.contains("MakeClassification") && msg.contains("3 * 2"),
        "{msg}"
    );
    // The boundary is allowed: 4 clusters on the 4 vertices of a square.
    assert!(
        d().with_n_classes(2)
            .with_n_clusters_per_class(2)
            .generate()
            .is_ok()
    );
}
