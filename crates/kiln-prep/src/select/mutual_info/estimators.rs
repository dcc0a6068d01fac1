//! The three estimators of the mutual information between one feature and the target, in
//! nats: KSG for two continuous variables, Ross's for a continuous and a discrete one, and
//! the plug-in estimate of a contingency table for two discrete ones.

use rayon::prelude::*;

use super::digamma::digamma;
use super::knn::{JointTree, QueryScratch, below, count_within, kth_in_sorted};

/// Points per parallel chunk of the KSG queries. Fixed, so that the partial sums (and with
/// them the result) do not depend on the number of threads.
const CHUNK: usize = 4096;

/// KSG estimate (Kraskov, Stögbauer & Grassberger 2004, algorithm 1) of I(X; Y) for
/// continuous `x` and `y`, with `y_sorted` the values of `y` in ascending order.
///
/// `I = ψ(k) + ψ(n) − ⟨ψ(n_x + 1)⟩ − ⟨ψ(n_y + 1)⟩`, where `ε_i` is the max-norm distance from
/// point `i` to its k-th neighbour in the joint space and `n_x`, `n_y` count the other points
/// strictly closer than `ε_i` in each marginal. Negative estimates are returned as 0.
/// Needs `1 ≤ k < n`.
pub(super) fn ksg(x: &[f64], y: &[f64], y_sorted: &[f64], k: usize) -> f64 {
    let n = x.len();
    let mut x_sorted = x.to_vec();
    x_sorted.sort_unstable_by(f64::total_cmp);
    let tree = JointTree::new(x, y);
    let chunk_sum = |start: usize| -> (f64, f64) {
        let mut scratch = QueryScratch::new(k);
        let (mut sx, mut sy) = (0.0, 0.0);
        for p in start..(start + CHUNK).min(n) {
            let r = below(tree.kth_distance(p, &mut scratch));
            // The counts include the point itself: that is the "+ 1" of ψ(n_x + 1).
            sx += digamma(count_within(&x_sorted, tree.x(p), r) as f64);
            sy += digamma(count_within(y_sorted, tree.y(p), r) as f64);
        }
        (sx, sy)
    };
    let starts: Vec<usize> = (0..n).step_by(CHUNK).collect();
    let parts: Vec<(f64, f64)> = if starts.len() > 1 {
        starts.par_iter().map(|&s| chunk_sum(s)).collect()
    } else {
        starts.iter().map(|&s| chunk_sum(s)).collect()
    };
    let (sx, sy) = parts
        .iter()
        .fold((0.0, 0.0), |(a, b), &(x, y)| (a + x, b + y));
    let nf = n as f64;
    let mi = digamma(nf) + digamma(k as f64) - sx / nf - sy / nf;
    mi.max(0.0)
}

/// Ross's estimate (Ross 2014, "Mutual Information between Discrete and Continuous Data
/// Sets") of I(C; D) for continuous `c` and discrete `labels` (codes `0..n_labels`).
///
/// For each point, `k_i = min(k, N_i − 1)` with `N_i` the size of its label's group, `d_i`
/// the distance to its `k_i`-th neighbour within the group and `m_i` the number of points of
/// any label strictly closer than `d_i` (itself included);
/// `I = ψ(n) + ⟨ψ(k_i)⟩ − ⟨ψ(N_i)⟩ − ⟨ψ(m_i)⟩`. Points whose label occurs once are left out
/// (they have no neighbour), as in scikit-learn; with none left the estimate is 0. Negative
/// estimates are returned as 0.
pub(super) fn ross(c: &[f64], labels: &[u32], n_labels: usize, k: usize) -> f64 {
    let mut sizes = vec![0usize; n_labels];
    for &l in labels {
        sizes[l as usize] += 1;
    }
    // Group the kept values by label (a counting sort), each group then sorted by value.
    let mut offsets = vec![0usize; n_labels + 1];
    for (l, &s) in sizes.iter().enumerate() {
        offsets[l + 1] = offsets[l] + if s > 1 { s } else { 0 };
    }
    let n_kept = offsets[n_labels];
    if n_kept == 0 {
        return 0.0;
    }
    let mut grouped = vec![0.0; n_kept];
    let mut fill = offsets.clone();
    for (&v, &l) in c.iter().zip(labels) {
        let l = l as usize;
        if sizes[l] > 1 {
            grouped[fill[l]] = v;
            fill[l] += 1;
        }
    }
    for l in 0..n_labels {
        grouped[offsets[l]..offsets[l + 1]].sort_unstable_by(f64::total_cmp);
    }
    let mut all_sorted = grouped.clone();
    all_sorted.sort_unstable_by(f64::total_cmp);

    let (mut s_k, mut s_size, mut s_m) = (0.0, 0.0, 0.0);
    for l in 0..n_labels {
        let group = &grouped[offsets[l]..offsets[l + 1]];
        if group.is_empty() {
            continue;
        }
        let size = group.len();
        let k_l = k.min(size - 1);
        let psi_k = digamma(k_l as f64);
        let psi_size = digamma(size as f64);
        for (p, &v) in group.iter().enumerate() {
            let r = below(kth_in_sorted(group, p, k_l));
            s_m += digamma(count_within(&all_sorted, v, r) as f64);
        }
        s_k += psi_k * size as f64;
        s_size += psi_size * size as f64;
    }
    let nf = n_kept as f64;
    let mi = digamma(nf) + s_k / nf - s_size / nf - s_m / nf;
    mi.max(0.0)
}

/// The mutual information of two discrete variables given as codes (`a` in `0..n_a`, `b` in
/// `0..n_b`): the plug-in estimate `Σ p_ij · ln(p_ij / (p_i · p_j))` over the non-empty cells
/// of their contingency table (scikit-learn's `mutual_info_score`, natural log). A variable
/// with a single value gives 0.
pub(super) fn contingency(a: &[u32], n_a: usize, b: &[u32], n_b: usize) -> f64 {
    if n_a <= 1 || n_b <= 1 {
        return 0.0;
    }
    let n = a.len();
    let mut row = vec![0u64; n_a];
    let mut col = vec![0u64; n_b];
    // Cells as `a · n_b + b`, sorted: the non-empty cells in row-major order without a dense
    // n_a × n_b table, which could be large for a feature with many distinct values.
    let mut cells: Vec<u64> = a
        .iter()
        .zip(b)
        .map(|(&i, &j)| {
            row[i as usize] += 1;
            col[j as usize] += 1;
            u64::from(i) * n_b as u64 + u64::from(j)
        })
        .collect();
    cells.sort_unstable();
    let total = n as f64;
    let log_total = total.ln();
    let mut mi = 0.0;
    let mut start = 0;
    while start < cells.len() {
        let cell = cells[start];
        let end = start + cells[start..].partition_point(|&c| c == cell);
        let count = (end - start) as f64;
        let (i, j) = ((cell / n_b as u64) as usize, (cell % n_b as u64) as usize);
        let p = count / total;
        // ln(n·n_ij / (n_i·n_j)) in the order scikit-learn evaluates it.
        let outer = (row[i] * col[j]) as f64;
        let term = p * (count.ln() - log_total) + p * (-outer.ln() + log_total + log_total);
        // scikit-learn zeroes cells below machine epsilon before summing.
        if term.abs() >= f64::EPSILON {
            mi += term;
        }
        start = end;
    }
    mi.max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contingency_matches_hand_computed_values() {
        // scikit-learn's doc example: mutual_info_score([0,1,1,0,1,0], [0,1,0,0,1,1]).
        let a = [0, 1, 1, 0, 1, 0];
        let b = [0, 1, 0, 0, 1, 1];
        // Cells (0,0)=2, (0,1)=1, (1,0)=1, (1,1)=2, margins 3 and 3, n = 6:
        // 2·(2/6)·ln(2·6/9) + 2·(1/6)·ln(1·6/9)
        let want = 4.0 / 6.0 * (12.0_f64 / 9.0).ln() + 2.0 / 6.0 * (6.0_f64 / 9.0).ln();
        assert!((contingency(&a, 2, &b, 2) - want).abs() < 1e-15);
        // Identical variables: I = H = ln 2 for two equal halves.
        assert!((contingency(&a, 2, &a, 2) - 2.0_f64.ln()).abs() < 1e-15);
        assert_eq!(contingency(&a, 2, &[0; 6], 1), 0.0);
    }

    #[test]
    fn ross_ignores_singleton_labels_and_handles_tiny_groups() {
        let c = [0.0, 0.1, 5.0, 5.2, 9.0];
        let labels = [0, 0, 1, 1, 2];
        // Groups of two: k_i = 1; each point's neighbour is its partner, so m_i = 1 and
        // I = ψ(4) + ψ(1) − ψ(2) − ψ(1) = 1/2 + 1/3 (hand value from the recurrence).
        let mi = ross(&c, &labels, 3, 3);
        assert!((mi - (0.5 + 1.0 / 3.0)).abs() < 1e-14, "{mi}");
        assert_eq!(ross(&c, &[0, 1, 2, 3, 4], 5, 3), 0.0);
    }
}
