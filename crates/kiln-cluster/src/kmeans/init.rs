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
///
/// The candidates go four at a time into the lanes of one vector (their coordinates stored
/// feature-major), so each row's four distances take the operations of one, compiled for the
/// processor's instruction set by `pulp`; every lane performs [`sq_dist`]'s additions in its
/// order, so the distances are bit-identical to it.
fn candidate_dists(
    data: Data<'_>,
    candidates: &[usize],
    closest: &[f64],
    out: &mut [f64],
) -> Vec<f64> {
    let n_t = candidates.len();
    // Groups of four candidates, feature-major: `lanes[g·d + f][j]` is feature f of candidate
    // 4g + j (the last group padded with zeros, lanes that are not read).
    let groups = n_t.div_ceil(LANES);
    let mut lanes = vec![[0.0; LANES]; groups * data.d];
    for (t, &c) in candidates.iter().enumerate() {
        let (g, j) = (t / LANES, t % LANES);
        for (f, &v) in data.row(c).iter().enumerate() {
            lanes[g * data.d + f][j] = v;
        }
    }
    let arch = pulp::Arch::new();
    let parts: Vec<Vec<f64>> = out
        .par_chunks_mut(CHUNK * n_t)
        .enumerate()
        .map(|(c, o)| {
            let mut pots = vec![0.0; n_t];
            arch.dispatch(CandidateChunk {
                data,
                rows: data.chunk_rows(c),
                lanes: &lanes,
                closest,
                out: o,
                pots: &mut pots,
            });
            pots
        })
        .collect();
    let mut pots = vec![0.0; n_t];
    for p in parts {
        pots.iter_mut().zip(&p).for_each(|(a, b)| *a += b);
    }
    pots
}

/// Candidates per vector of [`candidate_dists`].
const LANES: usize = 4;

/// One chunk of rows of [`candidate_dists`], compiled per instruction set.
struct CandidateChunk<'a> {
    data: Data<'a>,
    rows: std::ops::Range<usize>,
    lanes: &'a [[f64; LANES]],
    closest: &'a [f64],
    out: &'a mut [f64],
    pots: &'a mut [f64],
}

impl pulp::WithSimd for CandidateChunk<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        let Self {
            data,
            rows,
            lanes,
            closest,
            out,
            pots,
        } = self;
        let (d, n_t) = (data.d, pots.len());
        let x = &data.x[rows.start * d..rows.end * d];
        // Two rows at a time: each candidate vector loaded serves both, and the two rows'
        // sums are independent chains of additions.
        let mut out2 = out.chunks_exact_mut(2 * n_t);
        let mut x2 = x.chunks_exact(2 * d);
        for (i, (o, xs)) in rows.clone().step_by(2).zip((&mut out2).zip(&mut x2)) {
            let (xa, xb) = xs.split_at(d);
            let (oa, ob) = o.split_at_mut(n_t);
            for (g, group) in lanes.chunks_exact(d).enumerate() {
                let [ra, rb] = group_distances([xa, xb], group);
                settle(ra, g, oa, pots, data.w[i], closest[i]);
                settle(rb, g, ob, pots, data.w[i + 1], closest[i + 1]);
            }
        }
        let xa = x2.remainder();
        if !xa.is_empty() {
            // An odd row count: the last row alone.
            let (o, i) = (out2.into_remainder(), rows.end - 1);
            for (g, group) in lanes.chunks_exact(d).enumerate() {
                let [ra] = group_distances([xa], group);
                settle(ra, g, o, pots, data.w[i], closest[i]);
            }
        }
    }
}

/// The squared distances of each of `R` rows to the (up to) four candidates of `group`
/// (feature-major lanes), with [`sq_dist`]'s additions in its order: four features squared
/// and added in turn, then added to the total.
#[inline(always)]
fn group_distances<const R: usize>(xs: [&[f64]; R], group: &[[f64; LANES]]) -> [[f64; LANES]; R] {
    let d = group.len();
    let full = d / 4 * 4;
    let mut res = [[0.0f64; LANES]; R];
    for (f, c) in group[..full].chunks_exact(4).enumerate() {
        for (r, x) in xs.iter().enumerate() {
            let x = &x[4 * f..4 * f + 4];
            let mut s = [0.0f64; LANES];
            for q in 0..4 {
                for j in 0..LANES {
                    let t = x[q] - c[q][j];
                    s[j] = if q == 0 { t * t } else { s[j] + t * t };
                }
            }
            for j in 0..LANES {
                res[r][j] += s[j];
            }
        }
    }
    for (r, x) in xs.iter().enumerate() {
        for (&xv, c) in x[full..].iter().zip(&group[full..]) {
            for j in 0..LANES {
                let t = xv - c[j];
                res[r][j] += t * t;
            }
        }
    }
    res
}

/// Stores one row's distances to the candidates of group `g`, capped at its distance to the
/// nearest centre so far, and adds them (weighted by `w`) to the candidates' potentials.
#[inline(always)]
fn settle(res: [f64; LANES], g: usize, out: &mut [f64], pots: &mut [f64], w: f64, cap: f64) {
    for (j, &r) in res.iter().enumerate() {
        let t = g * LANES + j;
        if t < out.len() {
            let v = r.min(cap);
            out[t] = v;
            pots[t] += w * v;
        }
    }
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

    #[test]
    fn candidate_distances_are_sq_dist_bit_for_bit() {
        // Widths around the four-feature grouping, candidate counts around the four lanes,
        // more rows than one chunk; against `sq_dist` row by row, and the potentials against
        // a chunked sum in the same order.
        for d in [1usize, 3, 4, 5, 10, 50] {
            let n = CHUNK + 37;
            let x: Vec<f64> = (0..n * d)
                .map(|i| ((i * 7919) % 1013) as f64 / 97.0 - 5.0)
                .collect();
            let w: Vec<f64> = (0..n).map(|i| 0.5 + (i % 3) as f64).collect();
            let data = Data { x: &x, w: &w, n, d };
            let closest: Vec<f64> = (0..n).map(|i| 20.0 + (i % 50) as f64).collect();
            for n_t in [1usize, 3, 4, 5, 9] {
                let cands: Vec<usize> = (0..n_t).map(|t| (t * 611) % n).collect();
                let mut out = vec![0.0; n * n_t];
                let pots = candidate_dists(data, &cands, &closest, &mut out);
                let mut want_pots = vec![0.0; n_t];
                for c in 0..n.div_ceil(CHUNK) {
                    let mut part = vec![0.0; n_t];
                    for i in data.chunk_rows(c) {
                        for (t, &ct) in cands.iter().enumerate() {
                            let v = sq_dist(data.row(i), data.row(ct)).min(closest[i]);
                            assert_eq!(out[i * n_t + t].to_bits(), v.to_bits(), "d {d} t {t}");
                            part[t] += w[i] * v;
                        }
                    }
                    want_pots.iter_mut().zip(&part).for_each(|(a, b)| *a += b);
                }
                assert_eq!(pots, want_pots, "d {d} n_t {n_t}");
            }
        }
    }
}
