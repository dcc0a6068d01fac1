//! The two vector kernels of coordinate descent.
//!
//! Both are written so the compiler vectorizes them: `dot` keeps eight independent partial
//! sums (one accumulator would serialize on the add latency and forbid reordering), and the
//! order of every addition is fixed by the code, so results never depend on threads.

pub(crate) use crate::predict::dot;

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
    fn axpy_adds_a_scaled_vector() {
        let mut y = vec![1.0, 2.0, 3.0];
        axpy(-2.0, &[1.0, 0.5, 0.0], &mut y);
        assert_eq!(y, vec![-1.0, 1.0, 3.0]);
    }
}
