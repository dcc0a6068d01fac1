//! Initial centres: greedy k-means++ (Arthur & Vassilvitskii 2007) and random rows.

use kiln_core::random::KilnRng;
use rand::Rng;
use rayon::prelude::*;

use super::common::{CHUNK, Data, sq_dist};

/// The first index whose cumulative sum reaches `target` (NumPy's `searchsorted`, side
/// `left`), clipped to the last index so rounding cannot run past the end.
fn search_cumsum(cumsum: &[f64], target: f64) -> usize {
    cumsum
        .partition_point(|&c| c < target)
        .min(cumsum.len().saturating_sub(1))
}

/// Running sums of `values` in row order.
fn cumsum(values: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut acc = 0.0;
    values
        .map(|v| {
            acc += v;
            acc
        })
        .collect()
}

/// Writes the squared distance of every row to `centre` into `out` and returns `Σ w·out`,
/// summed per chunk and merged in chunk order.
fn dist_to(data: Data<'_>, centre: &[f64], out: &mut [f64]) -> f64 {
    let parts: Vec<f64> = out
        .par_chunks_mut(CHUNK)
        .enumerate()
        .map(|(c, o)| {
            let mut pot = 0.0;
            for (v, i) in o.iter_mut().zip(data.chunk_rows(c)) {
                *v = sq_dist(data.row(i), centre);
                pot += data.w[i] * *v;
            }
            pot
        })
        .collect();
    parts.iter().sum()
}

/// Greedy k-means++ as scikit-learn's `_kmeans_plusplus`: the first centre is a row drawn with
/// probability ∝ its weight; each later centre is the best (lowest resulting potential
/// `Σ w·D²`) of `2 + ⌊ln k⌋` candidate rows drawn with probability ∝ `w·D²`, where `D` is the
/// distance to the nearest centre chosen so far. Returns `k × d` row-major centres.
pub(crate) fn kmeans_plus_plus(data: Data<'_>, k: usize, rng: &mut KilnRng) -> Vec<f64> {
    let (n, d) = (data.n, data.d);
    let n_trials = 2 + (k as f64).ln().floor() as usize;
    let mut centers = Vec::with_capacity(k * d);

    let w_cum = cumsum(data.w.iter().copied());
    let total_w = w_cum.last().copied().unwrap_or(0.0);
    let first = search_cumsum(&w_cum, rng.random::<f64>() * total_w);
    centers.extend_from_slice(data.row(first));

    let mut closest = vec![0.0; n];
    let mut pot = dist_to(data, data.row(first), &mut closest);
    let mut cand_dist = vec![0.0; n * n_trials];

    for _ in 1..k {
        let cum = cumsum(data.w.iter().zip(&closest).map(|(w, c)| w * c));
        let candidates: Vec<usize> = (0..n_trials)
            .map(|_| search_cumsum(&cum, rng.random::<f64>() * pot))
            .collect();
        let cand_pots = candidate_dists(data, &candidates, &closest, &mut cand_dist);
        // Strictly lower, so the first candidate wins ties (NumPy's argmin).
        let mut t = 0;
        for (j, &p) in cand_pots.iter().enumerate() {
            if p < cand_pots[t] {
                t = j;
            }
        }
        pot = cand_pots[t];
        for (c, row) in closest.iter_mut().zip(cand_dist.chunks_exact(n_trials)) {
            *c = row[t];
        }
        centers.extend_from_slice(data.row(candidates[t]));
    }
    centers
}

/// For every candidate row `t`: writes `min(closest, squared distance to the candidate)` for
/// every row `i` into `out[i·n_t + t]` and returns the candidate's potential `Σ w·that`
/// (summed per chunk, merged in chunk order). One pass over the data serves all candidates.
fn candidate_dists(
    data: Data<'_>,
    candidates: &[usize],
    closest: &[f64],
    out: &mut [f64],
) -> Vec<f64> {
    let n_t = candidates.len();
    let cands: Vec<&[f64]> = candidates.iter().map(|&c| data.row(c)).collect();
    let parts: Vec<Vec<f64>> = out
        .par_chunks_mut(CHUNK * n_t)
        .enumerate()
        .map(|(c, o)| {
            let mut pots = vec![0.0; n_t];
            for (oi, i) in o.chunks_exact_mut(n_t).zip(data.chunk_rows(c)) {
                let x = data.row(i);
                let (w, cap) = (data.w[i], closest[i]);
                for ((v, cand), p) in oi.iter_mut().zip(&cands).zip(pots.iter_mut()) {
                    *v = sq_dist(x, cand).min(cap);
                    *p += w * *v;
                }
            }
            pots
        })
        .collect();
    let mut pots = vec![0.0; n_t];
    for p in parts {
        pots.iter_mut().zip(&p).for_each(|(a, b)| *a += b);
    }
    pots
}

/// `k` distinct rows drawn uniformly without replacement, in draw order.
pub(crate) fn random_rows(data: Data<'_>, k: usize, rng: &mut KilnRng) -> Vec<f64> {
    let mut centers = Vec::with_capacity(k * data.d);
    for i in rand::seq::index::sample(rng, data.n, k) {
        centers.extend_from_slice(data.row(i));
    }
    centers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_cumsum_is_searchsorted_left_clipped() {
        let cum = [1.0, 1.0, 3.0, 6.0];
        assert_eq!(search_cumsum(&cum, 0.0), 0);
        assert_eq!(search_cumsum(&cum, 1.0), 0);
        assert_eq!(search_cumsum(&cum, 1.5), 2);
        assert_eq!(search_cumsum(&cum, 6.0), 3);
        // Past the end by rounding: the last row.
        assert_eq!(search_cumsum(&cum, 6.5), 3);
    }
}
