//! Elkan's algorithm (Elkan 2003): Lloyd's iterations with the triangle inequality pruning
//! most distance computations.
//!
//! Every row keeps an upper bound on the distance to its centre and a lower bound on the
//! distance to every centre; a centre is skipped when a bound, or half the distance between
//! two centres, proves it cannot be nearer. The bounds and iteration structure follow
//! scikit-learn's `_k_means_elkan.pyx`, so the labels, centres and iteration count equal those
//! of [`super::lloyd`] on data without distance ties: the centre sums use the same chunks in
//! the same order.

use rayon::prelude::*;

use super::common::{CHUNK, Data, RunResult, Sums, center_shift, finish_centers, inertia, sq_dist};

/// Half the distance between every pair of centres (`k × k`), and for each centre half the
/// distance to its nearest other centre (infinite when `k = 1`).
fn half_distances(centers: &[f64], k: usize, d: usize) -> (Vec<f64>, Vec<f64>) {
    let mut half = vec![0.0; k * k];
    for a in 0..k {
        for b in (a + 1)..k {
            let h =
                sq_dist(&centers[a * d..(a + 1) * d], &centers[b * d..(b + 1) * d]).sqrt() / 2.0;
            half[a * k + b] = h;
            half[b * k + a] = h;
        }
    }
    let next = (0..k)
        .map(|a| {
            (0..k)
                .filter(|&b| b != a)
                .map(|b| half[a * k + b])
                .fold(f64::INFINITY, f64::min)
        })
        .collect();
    (half, next)
}

/// The per-row state: label, upper bound, `k` lower bounds.
struct Bounds {
    labels: Vec<usize>,
    upper: Vec<f64>,
    lower: Vec<f64>,
}

/// First assignment with bounds (scikit-learn's `init_bounds_dense`): visits the centres in
/// order and computes a distance only when half the centre distance does not rule it out.
fn init_bounds(data: Data<'_>, centers: &[f64], half: &[f64], k: usize) -> Bounds {
    let d = data.d;
    let mut b = Bounds {
        labels: vec![0; data.n],
        upper: vec![0.0; data.n],
        lower: vec![0.0; data.n * k],
    };
    b.labels
        .par_chunks_mut(CHUNK)
        .zip(b.upper.par_chunks_mut(CHUNK))
        .zip(b.lower.par_chunks_mut(CHUNK * k))
        .enumerate()
        .for_each(|(c, ((lab, up), low))| {
            for (r, i) in data.chunk_rows(c).enumerate() {
                let x = data.row(i);
                let low = &mut low[r * k..(r + 1) * k];
                let mut best = 0;
                let mut min_dist = sq_dist(x, &centers[..d]).sqrt();
                low[0] = min_dist;
                for j in 1..k {
                    if min_dist > half[best * k + j] {
                        let dist = sq_dist(x, &centers[j * d..(j + 1) * d]).sqrt();
                        low[j] = dist;
                        if dist < min_dist {
                            min_dist = dist;
                            best = j;
                        }
                    }
                }
                lab[r] = best;
                up[r] = min_dist;
            }
        });
    b
}

/// One Elkan iteration (scikit-learn's `elkan_iter_chunked_dense`): updates labels and bounds
/// against `centers`; with `update` also returns the new centres and their shifts, after
/// moving the bounds by the shifts.
fn iterate(
    data: Data<'_>,
    centers: &[f64],
    half: &[f64],
    next: &[f64],
    k: usize,
    b: &mut Bounds,
    update: bool,
) -> Option<(Vec<f64>, Vec<f64>)> {
    let d = data.d;
    let parts: Vec<Sums> = b
        .labels
        .par_chunks_mut(CHUNK)
        .zip(b.upper.par_chunks_mut(CHUNK))
        .zip(b.lower.par_chunks_mut(CHUNK * k))
        .enumerate()
        .map(|(c, ((lab, up), low))| {
            let mut sums = Sums::zeros(if update { k } else { 0 }, d);
            for (r, i) in data.chunk_rows(c).enumerate() {
                let x = data.row(i);
                let low = &mut low[r * k..(r + 1) * k];
                let mut upper = up[r];
                let mut label = lab[r];
                let mut tight = false;
                // The nearest other centre is far enough away: the label cannot change.
                if next[label] < upper {
                    for j in 0..k {
                        if j != label && upper > low[j] && upper > half[label * k + j] {
                            if !tight {
                                upper = sq_dist(x, &centers[label * d..(label + 1) * d]).sqrt();
                                low[label] = upper;
                                tight = true;
                            }
                            if upper > low[j] || upper > half[label * k + j] {
                                let dist = sq_dist(x, &centers[j * d..(j + 1) * d]).sqrt();
                                low[j] = dist;
                                if dist < upper {
                                    label = j;
                                    upper = dist;
                                }
                            }
                        }
                    }
                    lab[r] = label;
                    up[r] = upper;
                }
                if update {
                    sums.add(label, x, data.w[i]);
                }
            }
            sums
        })
        .collect();
    if !update {
        return None;
    }
    let sums = Sums::merge(parts, k, d);
    let new = finish_centers(data, centers, &b.labels, sums);
    let shift = center_shift(centers, &new, d);
    b.labels
        .par_chunks(CHUNK)
        .zip(b.upper.par_chunks_mut(CHUNK))
        .zip(b.lower.par_chunks_mut(CHUNK * k))
        .for_each(|((lab, up), low)| {
            for (r, &l) in lab.iter().enumerate() {
                up[r] += shift[l];
                for (lb, s) in low[r * k..(r + 1) * k].iter_mut().zip(&shift) {
                    *lb = (*lb - s).max(0.0);
                }
            }
        });
    Some((new, shift))
}

/// Runs Elkan's algorithm from `centers_init` with the stopping rules, iteration count and
/// final assignment of [`super::lloyd::run`] (scikit-learn's `_kmeans_single_elkan`).
pub(crate) fn run(
    data: Data<'_>,
    centers_init: Vec<f64>,
    k: usize,
    max_iter: usize,
    tol: f64,
) -> RunResult {
    let d = data.d;
    let mut centers = centers_init;
    let (mut half, mut next) = half_distances(&centers, k, d);
    let mut b = init_bounds(data, &centers, &half, k);
    let mut labels_old = vec![usize::MAX; data.n];
    let mut strict = false;
    let mut converged = false;
    let mut n_iter = 0;
    for i in 0..max_iter {
        n_iter = i + 1;
        let Some((new, shift)) = iterate(data, &centers, &half, &next, k, &mut b, true) else {
            break;
        };
        (half, next) = half_distances(&new, k, d);
        centers = new;
        if b.labels == labels_old {
            strict = true;
            converged = true;
            break;
        }
        let shift_tot: f64 = shift.iter().map(|s| s * s).sum();
        if shift_tot <= tol {
            converged = true;
            break;
        }
        labels_old.copy_from_slice(&b.labels);
    }
    if !strict {
        iterate(data, &centers, &half, &next, k, &mut b, false);
    }
    let inertia = inertia(data, &centers, &b.labels);
    RunResult {
        centers,
        labels: b.labels,
        inertia,
        n_iter,
        converged,
    }
}
