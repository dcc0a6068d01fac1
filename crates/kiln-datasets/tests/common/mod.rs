//! Small statistics helpers shared by the generator tests.

#![allow(dead_code, reason = "each test file uses a different subset")]

pub fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// Population standard deviation.
pub fn std(v: &[f64]) -> f64 {
    let m = mean(v);
    (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / v.len() as f64).sqrt()
}

/// Pearson correlation.
pub fn corr(a: &[f64], b: &[f64]) -> f64 {
    let (ma, mb) = (mean(a), mean(b));
    let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
    cov / (va * vb).sqrt()
}

/// How many times each class index occurs.
pub fn class_counts(y: &ndarray::Array1<usize>, n_classes: usize) -> Vec<usize> {
    let mut c = vec![0; n_classes];
    for &k in y {
        c[k] += 1;
    }
    c
}
