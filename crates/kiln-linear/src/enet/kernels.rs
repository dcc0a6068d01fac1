//! The two vector kernels of coordinate descent.
//!
//! Both are written so the compiler vectorizes them: `dot` keeps eight independent partial
//! sums (one accumulator would serialize on the add latency and forbid reordering), and the
//! order of every addition is fixed by the code, so results never depend on threads.

/// `a · b` over the common length.
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    let len = a.len().min(b.len());
    let (a, b) = (&a[..len], &b[..len]);
    let mut acc = [0.0_f64; 8];
    let ca = a.chunks_exact(8);
    let cb = b.chunks_exact(8);
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    let mut tail = 0.0;
    for (x, y) in ra.iter().zip(rb) {
        tail += x * y;
    }
    ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])) + tail
}

/// `y += a · x` over the common length.
pub(crate) fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_matches_a_plain_sum_on_every_tail_length() {
        for n in 0..20 {
            let a: Vec<f64> = (0..n).map(|i| i as f64 + 0.5).collect();
            let b: Vec<f64> = (0..n).map(|i| 2.0 - i as f64).collect();
            let plain: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            assert!(
                (dot(&a, &b) - plain).abs() <= 1e-12 * plain.abs().max(1.0),
                "n={n}"
            );
        }
    }

    #[test]
    fn axpy_adds_a_scaled_vector() {
        let mut y = vec![1.0, 2.0, 3.0];
        axpy(-2.0, &[1.0, 0.5, 0.0], &mut y);
        assert_eq!(y, vec![-1.0, 1.0, 3.0]);
    }
}
