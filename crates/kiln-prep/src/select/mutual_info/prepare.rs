//! How `_estimate_mi` prepares the columns before estimating: discrete values as label codes,
//! continuous ones divided by their standard deviation (with NumPy's summation, so that the
//! scaled values are bit-identical to scikit-learn's) and given tie-breaking noise.

use kiln_core::random::{KilnRng, derive_seed, task_rng};
use rand::Rng;

/// Codes `0..n_codes` for the distinct values of a discrete column, in ascending order of
/// value (`-0.0` and `0.0` are one value, as in NumPy's `unique`).
pub(super) fn label_codes(column: &[f64]) -> (Vec<u32>, usize) {
    let mut order: Vec<u32> = (0..column.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| column[a as usize].total_cmp(&column[b as usize]));
    let mut codes = vec![0u32; column.len()];
    let mut code = 0u32;
    for w in 0..order.len() {
        let i = order[w] as usize;
        if w > 0 && column[i] != column[order[w - 1] as usize] {
            code += 1;
        }
        codes[i] = code;
    }
    let n_codes = if column.is_empty() {
        0
    } else {
        code as usize + 1
    };
    (codes, n_codes)
}

/// Population standard deviation with NumPy's pairwise sums (its reduction of a 1-D array).
pub(super) fn std_pairwise(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let mean = pairwise_sum(values, |v| v) / n;
    let ss = pairwise_sum(values, |v| (v - mean) * (v - mean));
    (ss / n).sqrt()
}

/// NumPy's pairwise summation (`pairwise_sum` in its `loops_utils`): blocks of at most 128
/// values summed with eight interleaved accumulators, halves (at multiples of 8) summed
/// recursively. Its error grows as `O(log n)` instead of `O(n)`.
fn pairwise_sum(values: &[f64], f: impl Fn(f64) -> f64 + Copy) -> f64 {
    let n = values.len();
    if n < 8 {
        // NumPy starts this loop from -0.0, which only matters for an all -0.0 input.
        return values.iter().fold(-0.0, |s, &v| s + f(v));
    }
    if n <= 128 {
        let mut r = [0.0; 8];
        for (acc, &v) in r.iter_mut().zip(values) {
            *acc = f(v);
        }
        let whole = n - n % 8;
        for block in values[8..whole].chunks_exact(8) {
            for (acc, &v) in r.iter_mut().zip(block) {
                *acc += f(v);
            }
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for &v in &values[whole..] {
            res += f(v);
        }
        return res;
    }
    let mut half = n / 2;
    half -= half % 8;
    pairwise_sum(&values[..half], f) + pairwise_sum(&values[half..], f)
}

/// Adds `1e-10 · max(1, mean|v|) · N(0, 1)` to every value (scikit-learn's tie-breaking
/// noise, Kraskov et al. 2004, section II).
pub(super) fn add_noise(values: &mut [f64], rng: &mut KilnRng) {
    let mean_abs = values.iter().map(|v| v.abs()).sum::<f64>() / values.len() as f64;
    let amplitude = 1e-10 * mean_abs.max(1.0);
    let mut spare: Option<f64> = None;
    for v in values.iter_mut() {
        let z = match spare.take() {
            Some(z) => z,
            None => {
                let (a, b) = standard_normal_pair(rng);
                spare = Some(b);
                a
            }
        };
        *v += amplitude * z;
    }
}

/// Two independent standard normal values (the Box–Muller transform, Box & Muller 1958).
fn standard_normal_pair(rng: &mut KilnRng) -> (f64, f64) {
    // 1 − U lies in (0, 1], so the logarithm is finite.
    let u: f64 = 1.0 - rng.random::<f64>();
    let t: f64 = rng.random::<f64>();
    let radius = (-2.0 * u.ln()).sqrt();
    let (s, c) = (std::f64::consts::TAU * t).sin_cos();
    (radius * c, radius * s)
}

/// The noise stream of feature `j`: its own stream, whatever thread scores it.
pub(super) fn feature_rng(seed: u64, j: usize) -> KilnRng {
    task_rng(derive_seed(seed, 0), j as u64)
}

/// The noise stream of a regression target.
pub(super) fn target_rng(seed: u64) -> KilnRng {
    task_rng(derive_seed(seed, 1), 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairwise_sum_follows_numpy_blocks() {
        // Exact in binary, so any order gives the same sum: this checks coverage (every value
        // summed once) at the block boundaries.
        for n in [0, 1, 7, 8, 9, 16, 127, 128, 129, 300, 1000] {
            let v: Vec<f64> = (0..n).map(|i| f64::from(i) * 0.5).collect();
            let want = v.iter().sum::<f64>();
            assert_eq!(pairwise_sum(&v, |x| x), want, "n={n}");
        }
    }

    #[test]
    fn label_codes_are_sorted_and_merge_signed_zeros() {
        let (codes, n) = label_codes(&[2.5, -1.0, 0.0, 2.5, -0.0]);
        assert_eq!(n, 3);
        assert_eq!(codes, vec![2, 0, 1, 2, 1]);
    }

    #[test]
    fn noise_is_small_and_seeded() {
        let mut a = vec![1.0, 2.0, 3.0, -4.0];
        let mut b = a.clone();
        add_noise(&mut a, &mut feature_rng(5, 2));
        add_noise(&mut b, &mut feature_rng(5, 2));
        assert_eq!(a, b);
        let mut c = vec![1.0, 2.0, 3.0, -4.0];
        add_noise(&mut c, &mut feature_rng(5, 3));
        assert_ne!(a, c);
        for (v, orig) in a.iter().zip([1.0, 2.0, 3.0, -4.0]) {
            assert!(*v != orig && (v - orig).abs() < 2.5 * 1e-9);
        }
    }
}
