//! Elkan's algorithm (Elkan 2003): Lloyd's iterations with the triangle inequality pruning
//! most distance computations.
//!
//! Every row keeps an upper bound on the distance to its centre and a lower bound on the
//! distance to every centre; a centre is skipped when a bound, or half the distance between
//! two centres, proves it cannot be nearer. The bounds and iteration structure follow
//! scikit-learn's `_k_means_elkan.pyx`, so the labels, centres and iteration count equal those
//! of [`super::lloyd`] on data without distance ties: the running centre sums
//! ([`super::common::Running`]) take the same changes in the same chunk order. A row whose
//! bounds prove its label unchanged is not read at all, and its bounds are not written: they
//! are stored relative to each centre's total drift ([`Bounds`]), so Elkan's per-iteration
//! loosening costs nothing; the lower bounds are single precision, rounded down.
//!
//! On AVX-512 with at most 16 centres (module `avx512`; on AVX2, module `avx2`, the same with
//! vectors of eight and a margin in place of directed rounding), the bound test runs on
//! sixteen rows at once in single precision, rounded towards keeping rows (their lower bounds on one centre
//! stored together), and a row that fails it is not visited centre by centre as
//! scikit-learn does: its distances to every centre come from
//! one vector pass (each equal bit for bit to [`sq_dist`]'s), and the row takes the nearest
//! (the first on ties) with every bound exact, without the branches the processor would
//! mispredict. The rows that fail in a chunk are gathered and read together first, so their
//! reads from memory overlap. [`run_after_lloyd`] takes over Lloyd's iterations mid-run
//! (under `Auto`, once few labels change).

use rayon::prelude::*;

use super::common::{
    CHUNK, Data, Delta, NO_LABEL, RunResult, Running, center_shift, finish_centers, inertia,
    sq_dist,
};

/// Half the distance between every pair of centres (`k × k`; infinite from a centre to
/// itself, so that a minimum over a row of bounds skips the row's own centre), and for each
/// centre half the distance to its nearest other centre (infinite when `k = 1`).
fn half_distances(centers: &[f64], k: usize, d: usize) -> (Vec<f64>, Vec<f64>) {
    let mut half = vec![f64::INFINITY; k * k];
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

/// An iteration's centres with what the pruning derives from them.
struct Centres {
    /// `k × d`, row-major.
    centers: Vec<f64>,
    /// Half the distance between every pair of centres (`k × k`).
    half: Vec<f64>,
    /// Half the distance from each centre to its nearest other centre.
    next: Vec<f64>,
    /// The shifts that moved the previous centres here (none for the initial centres).
    moved: Option<Vec<f64>>,
    /// For each centre, the total of its shifts since the initial centres (see [`Bounds`]).
    drift: Vec<f64>,
}

impl Centres {
    /// `centers` (`k × d`), reached by `moved` from `previous` (if any).
    fn new(centers: Vec<f64>, previous: Option<(&Centres, Vec<f64>)>, k: usize, d: usize) -> Self {
        let (half, next) = half_distances(&centers, k, d);
        let (moved, drift) = match previous {
            Some((p, shift)) => {
                let drift = p.drift.iter().zip(&shift).map(|(a, s)| a + s).collect();
                (Some(shift), drift)
            }
            None => (None, vec![0.0; k]),
        };
        Self {
            centers,
            half,
            next,
            moved,
            drift,
        }
    }
}

/// The per-row state: label, upper bound, `k` lower bounds.
///
/// The bounds are stored relative to the centres' drift totals `D` ([`Centres::drift`]): the
/// upper bound on the distance to centre `a` as `u − D[a]`, the lower bound on the distance to
/// centre `j` as `l + D[j]`, each taken when the distance was computed. A centre's shift
/// loosens every bound on it by the shift (Elkan's update), which the growing total does
/// without rewriting the bounds: `u = stored + D[a]`, `l = stored − D[j]` at any later
/// iteration. A bound is written only when its distance is computed again, so an iteration
/// mostly reads the `n × k` lower bounds. A lower bound may go below zero, where Elkan's
/// update clamps it to zero; either proves nothing about a centre.
struct Bounds {
    labels: Vec<usize>,
    upper: Vec<f64>,
    lower: Vec<f32>,
}

/// The lower bounds are stored in blocks of this many rows: bound `j` of a block's rows
/// together, so a vector kernel reads one bound of eight rows at once.
const LANES: usize = 16;

/// `v` in single precision, rounded down: a lower bound stays one. Lower bounds are stored
/// this way to halve the memory an iteration reads (a looser bound only costs a distance).
#[inline(always)]
fn down(v: f64) -> f32 {
    let f = v as f32;
    if f64::from(f) <= v {
        f
    } else if f > 0.0 {
        // The next single below a positive one (f32::MAX below infinity).
        f32::from_bits(f.to_bits() - 1)
    } else {
        f.next_down()
    }
}

/// Where the lower bound of row `r` (counted from a chunk's start, a multiple of [`LANES`])
/// on centre `j` is in the chunk's lower bounds.
#[inline(always)]
fn at(r: usize, j: usize, k: usize) -> usize {
    ((r / LANES) * k + j) * LANES + r % LANES
}

/// The vector kernel's layout of `cs`, when `vector` allows it and one applies: AVX-512's
/// when the processor has it, else AVX2's.
#[cfg(target_arch = "x86_64")]
fn vector_layout(cs: &Centres, k: usize, vector: bool) -> Option<VectorLayout> {
    if !vector {
        return None;
    }
    #[cfg(test)]
    if tests::AVX2_ONLY.with(std::cell::Cell::get) {
        return avx2::Layout::new(cs, k).map(VectorLayout::Avx2);
    }
    avx512::Layout::new(cs, k)
        .map(VectorLayout::Avx512)
        .or_else(|| avx2::Layout::new(cs, k).map(VectorLayout::Avx2))
}

/// One of the two vector kernels' layouts of an iteration's centres.
#[cfg(target_arch = "x86_64")]
enum VectorLayout {
    Avx512(avx512::Layout),
    Avx2(avx2::Layout),
}

#[cfg(target_arch = "x86_64")]
impl VectorLayout {
    /// One chunk of [`init_bounds`].
    fn init_chunk(&self, chunk: ChunkInit<'_>) {
        match self {
            Self::Avx512(p) => p.init_chunk(chunk),
            Self::Avx2(p) => p.init_chunk(chunk),
        }
    }

    /// One chunk of an iteration from its first row `start`.
    #[allow(clippy::too_many_arguments)]
    fn chunk(
        &self,
        data: Data<'_>,
        cs: &Centres,
        k: usize,
        start: usize,
        lab: &mut [usize],
        up: &mut [f64],
        low: &mut [f32],
        out: Tally,
    ) -> (Delta, usize, bool) {
        match self {
            Self::Avx512(p) => p.chunk(data, cs, k, start, lab, up, low, out),
            Self::Avx2(p) => p.chunk(data, cs, start, lab, up, low, out),
        }
    }
}

/// First assignment with bounds (scikit-learn's `init_bounds_dense`): visits the centres in
/// order and computes a distance only when half the centre distance does not rule it out.
fn init_bounds(data: Data<'_>, cs: &Centres, k: usize, vector: bool) -> Bounds {
    let arch = pulp::Arch::new();
    #[cfg(target_arch = "x86_64")]
    let block = vector_layout(cs, k, vector);
    #[cfg(not(target_arch = "x86_64"))]
    let _ = vector;
    let mut b = Bounds {
        labels: vec![0; data.n],
        upper: vec![0.0; data.n],
        lower: vec![0.0; data.n.div_ceil(LANES) * LANES * k],
    };
    b.labels
        .par_chunks_mut(CHUNK)
        .zip(b.upper.par_chunks_mut(CHUNK))
        .zip(b.lower.par_chunks_mut(CHUNK * k))
        .enumerate()
        .for_each(|(c, ((lab, up), low))| {
            let chunk = ChunkInit {
                data,
                cs,
                k,
                c,
                lab,
                up,
                low,
            };
            #[cfg(target_arch = "x86_64")]
            if let Some(p) = &block {
                p.init_chunk(chunk);
                return;
            }
            arch.dispatch(chunk);
        });
    b
}

/// The first assignment of row `r` (from its chunk's start) given its distance to each
/// centre, `dist(j)`, called only for the centres scikit-learn's `init_bounds_dense` computes
/// (whose lower bounds it sets; the others stay zero): its label and upper bound.
#[inline(always)]
fn init_row(
    half: &[f64],
    k: usize,
    r: usize,
    low: &mut [f32],
    mut dist: impl FnMut(usize) -> f64,
) -> (usize, f64) {
    let mut best = 0;
    let mut min_dist = dist(0);
    low[at(r, 0, k)] = down(min_dist);
    for j in 1..k {
        if min_dist > half[best * k + j] {
            let dj = dist(j);
            low[at(r, j, k)] = down(dj);
            if dj < min_dist {
                min_dist = dj;
                best = j;
            }
        }
    }
    (best, min_dist)
}

/// One chunk of [`init_bounds`], compiled per instruction set as [`ChunkIteration`] is.
struct ChunkInit<'a> {
    data: Data<'a>,
    cs: &'a Centres,
    k: usize,
    c: usize,
    lab: &'a mut [usize],
    up: &'a mut [f64],
    low: &'a mut [f32],
}

impl pulp::WithSimd for ChunkInit<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        let Self {
            data,
            cs,
            k,
            c,
            lab,
            up,
            low,
        } = self;
        let (d, centers) = (data.d, &cs.centers);
        for (r, i) in data.chunk_rows(c).enumerate() {
            let x = data.row(i);
            let dist = |j: usize| sq_dist(x, &centers[j * d..(j + 1) * d]).sqrt();
            (lab[r], up[r]) = init_row(&cs.half, k, r, low, dist);
        }
    }
}

/// One chunk of an Elkan iteration, as a [`pulp::WithSimd`] operation so its loops (the
/// bound checks, the centre sums) are compiled for the widest instruction set the processor
/// has. Returns the chunk's changes to the running sums and how many distances it computed.
struct ChunkIteration<'a> {
    data: Data<'a>,
    cs: &'a Centres,
    k: usize,
    c: usize,
    lab: &'a mut [usize],
    up: &'a mut [f64],
    low: &'a mut [f32],
    update: bool,
    /// The first iteration: every row is added to the (empty) running sums.
    fresh: bool,
    /// The vector bound test, sixteen rows at a time, when the processor has AVX-512 or AVX2.
    #[cfg(target_arch = "x86_64")]
    block: Option<&'a VectorLayout>,
}

impl pulp::WithSimd for ChunkIteration<'_> {
    type Output = (Delta, usize, bool);

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, simd: S) -> (Delta, usize, bool) {
        let Self {
            data,
            cs,
            k,
            c,
            lab,
            up,
            low,
            update,
            fresh,
            #[cfg(target_arch = "x86_64")]
            block,
        } = self;
        let mut out = Tally::new(k, data.d, update, fresh);
        let rows = data.chunk_rows(c);
        #[cfg(target_arch = "x86_64")]
        if let Some(p) = block {
            return p.chunk(data, cs, k, rows.start, lab, up, low, out);
        }
        for r in 0..rows.len() {
            visit_row(
                simd, data, cs, k, r, rows.start, lab, up, low, &mut out, true,
            );
        }
        (out.delta, out.computed, out.changed)
    }
}

/// Reads one value per cache line of each of the rows of a chunk (from `start`) that failed a
/// vector bound test, before any is settled: few and far apart, each read would wait for
/// memory in turn; read together, the waits overlap.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn touch_rows(data: Data<'_>, start: usize, failing: &[usize]) {
    let mut touched = 0.0;
    for &q in failing {
        let x = data.row(start + q);
        touched += x.iter().step_by(8).sum::<f64>() + x.last().copied().unwrap_or(0.0);
    }
    std::hint::black_box(touched);
}

/// The end of a vector kernel's chunk (from `start`) whose first `tested` rows went through
/// the bound test: in the first iteration those rows are added to the (empty) sums in row
/// order; the rows of a short last block are visited row by row. Returns what the chunk
/// gathered.
#[cfg(target_arch = "x86_64")]
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn finish_vector_chunk<S: pulp::Simd>(
    simd: S,
    data: Data<'_>,
    cs: &Centres,
    k: usize,
    start: usize,
    tested: usize,
    lab: &mut [usize],
    up: &mut [f64],
    low: &mut [f32],
    mut out: Tally,
) -> (Delta, usize, bool) {
    if out.fresh && out.update {
        for (q, &l) in lab.iter().enumerate().take(tested) {
            let i = start + q;
            out.delta.moved(simd, NO_LABEL, l, data.row(i), data.w[i]);
        }
    }
    for r in tested..lab.len() {
        visit_row(simd, data, cs, k, r, start, lab, up, low, &mut out, true);
    }
    (out.delta, out.computed, out.changed)
}

/// What a chunk of an iteration gathers: changes to the running sums (when it updates them),
/// the number of distances computed, whether a label changed.
struct Tally {
    delta: Delta,
    computed: usize,
    changed: bool,
    update: bool,
    fresh: bool,
}

impl Tally {
    /// A row settled from all `k` distances by a vector kernel: counts them and, outside the
    /// first iteration, moves the row (`x`, weight `w`) between the sums if its label changed.
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    fn settled<S: pulp::Simd>(
        &mut self,
        simd: S,
        k: usize,
        old: usize,
        label: usize,
        x: &[f64],
        w: f64,
    ) {
        self.computed += k;
        if !self.fresh && label != old {
            self.changed = true;
            if self.update {
                self.delta.moved(simd, old, label, x, w);
            }
        }
    }

    fn new(k: usize, d: usize, update: bool, fresh: bool) -> Self {
        Self {
            delta: Delta::zeros(if update { k } else { 0 }, d),
            computed: 0,
            changed: fresh,
            update,
            fresh,
        }
    }
}

/// One row of a chunk (`r` from the chunk's first row `start`): with `test`, first the
/// vector bound test; then, unless it proves the label unchanged, the centre-by-centre visit
/// of scikit-learn's `elkan_iter_chunked_dense`. The bounds are read as Elkan's update would
/// have left them (see [`Bounds`]).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn visit_row<S: pulp::Simd>(
    simd: S,
    data: Data<'_>,
    cs: &Centres,
    k: usize,
    r: usize,
    start: usize,
    lab: &mut [usize],
    up: &mut [f64],
    low: &mut [f32],
    out: &mut Tally,
    test: bool,
) {
    let (d, centers, half, drift) = (data.d, &cs.centers, &cs.half, &cs.drift);
    let i = start + r;
    let old = lab[r];
    let mut label = old;
    let mut upper = up[r] + drift[old];
    // No centre passes both bounds: the label cannot change, and nothing of the row is
    // read or written.
    // (The scalar test on the nearest other centre is a cheap case of the vector one.)
    let half_row = &half[old * k..(old + 1) * k];
    if !test || (cs.next[old] < upper && upper > nearest_bound(low, r, k, drift, half_row)) {
        let x = data.row(i);
        let mut tight = false;
        for j in 0..k {
            let lj = f64::from(low[at(r, j, k)]) - drift[j];
            if j != label && upper > lj && upper > half[label * k + j] {
                if !tight {
                    out.computed += 1;
                    upper = sq_dist(x, &centers[label * d..(label + 1) * d]).sqrt();
                    low[at(r, label, k)] = down(upper + drift[label]);
                    tight = true;
                }
                if upper > lj || upper > half[label * k + j] {
                    out.computed += 1;
                    let dist = sq_dist(x, &centers[j * d..(j + 1) * d]).sqrt();
                    low[at(r, j, k)] = down(dist + drift[j]);
                    if dist < upper {
                        label = j;
                        upper = dist;
                    }
                }
            }
        }
        lab[r] = label;
        up[r] = upper - drift[label];
    }
    if out.update && (out.fresh || label != old) {
        out.changed = true;
        let from = if out.fresh { NO_LABEL } else { old };
        out.delta.moved(simd, from, label, data.row(i), data.w[i]);
    }
}

/// `min over j ≠ label of max(lower bound j, half_row[j])` for row `r` (the row's own centre
/// drops out, its half-distance being infinite): a row whose upper bound is at most this
/// cannot move to any centre (the centre-by-centre visit would skip every `j`).
#[inline(always)]
fn nearest_bound(low: &[f32], r: usize, k: usize, drift: &[f64], half_row: &[f64]) -> f64 {
    let mut bound = f64::INFINITY;
    for (j, (&s, &h)) in drift.iter().zip(half_row).enumerate() {
        bound = bound.min((f64::from(low[at(r, j, k)]) - s).max(h));
    }
    bound
}

/// One Elkan iteration (scikit-learn's `elkan_iter_chunked_dense`): updates labels and
/// bounds against `cs` (the bounds loosened by the centres' drift, see [`Bounds`]); with
/// `update` also returns the next centres and how many distances it computed, having moved
/// the rows whose label changed between the `running` sums (`fresh`: added every row to
/// them).
fn iterate(
    data: Data<'_>,
    cs: &Centres,
    k: usize,
    b: &mut Bounds,
    update: Option<(&mut Running, bool)>,
    vector: bool,
) -> Option<(Centres, usize, bool)> {
    let d = data.d;
    let arch = pulp::Arch::new();
    let fresh = matches!(update, Some((_, true)));
    #[cfg(target_arch = "x86_64")]
    let block = vector_layout(cs, k, vector);
    #[cfg(not(target_arch = "x86_64"))]
    let _ = vector;
    let parts: Vec<(Delta, usize, bool)> = b
        .labels
        .par_chunks_mut(CHUNK)
        .zip(b.upper.par_chunks_mut(CHUNK))
        .zip(b.lower.par_chunks_mut(CHUNK * k))
        .enumerate()
        .map(|(c, ((lab, up), low))| {
            arch.dispatch(ChunkIteration {
                data,
                cs,
                k,
                c,
                lab,
                up,
                low,
                update: update.is_some(),
                fresh,
                #[cfg(target_arch = "x86_64")]
                block: block.as_ref(),
            })
        })
        .collect();
    let (running, _) = update?;
    let computed = parts.iter().map(|p| p.1).sum();
    let changed = parts.iter().any(|p| p.2);
    let sums = running.apply(parts.into_iter().map(|p| p.0).collect(), d);
    let new = finish_centers(data, &cs.centers, &b.labels, sums);
    let shift = center_shift(&cs.centers, &new, d);
    Some((
        Centres::new(new, Some((cs, shift)), k, d),
        computed,
        changed,
    ))
}

/// [`KMeansAlgorithm::Auto`](crate::KMeansAlgorithm::Auto) hands over to Lloyd's iterations
/// from this iteration on (0-based) ...
const HANDOVER_FROM: usize = 3;
/// ... once two iterations in a row have computed more than this share of the `n × k`
/// distances: the bounds no longer prune enough to pay for their upkeep. Measured here on
/// 100k × 50, k = 16, 100 iterations from the first rows: well-separated clusters compute
/// 19, 7, 3 % of the distances in iterations 1–3 and under 1 % from the fifth on, and Elkan
/// takes half Lloyd's time; uniform noise computes 29 % falling to 7 %, and Elkan takes 1.2
/// times as long (scikit-learn's centre-by-centre visit, session 12).
const HANDOVER_SHARE: f64 = 0.1;
/// The same threshold for the vector kernels (AVX-512, AVX2), which compute all `k` distances of a row that
/// fails its test, so that its share is the share of rows visited, each costing about what
/// Lloyd's kernel spends on a row. Measured (session 17, 100 iterations from the first rows,
/// no hand-over): blobs_100k_50 visits 82, 47, 18 % of the rows in iterations 1–3, then
/// 4 % falling to 1 %, and Elkan takes 0.06 s against Lloyd's 0.28 s; uniform noise in
/// 100k × 24 visits 35 % falling slowly to 17 %, and Elkan takes 1.2–1.5 times Lloyd's
/// time; in 3000 × 24, 92 % falling to 35 %.
const HANDOVER_ROWS: f64 = 0.25;

/// The hand-over threshold for the kernel that runs (`vector`: a vector kernel may).
fn handover_threshold(k: usize, vector: bool) -> f64 {
    if vector && vector_kernel(k) {
        HANDOVER_ROWS
    } else {
        HANDOVER_SHARE
    }
}

/// Runs Elkan's algorithm from `centers_init` with the stopping rules, iteration count and
/// final assignment of [`super::lloyd::run`] (scikit-learn's `_kmeans_single_elkan`). With
/// `handover`, the run continues with Lloyd's iterations (same centres and labels) when the
/// bounds stop paying for themselves (see [`HANDOVER_SHARE`]).
pub(crate) fn run(
    data: Data<'_>,
    centers_init: Vec<f64>,
    k: usize,
    max_iter: usize,
    tol: f64,
    handover: bool,
) -> RunResult {
    run_with(data, centers_init, k, max_iter, tol, handover, true)
}

/// [`run`], with or without the vector bound test (`vector`; tests compare the two).
fn run_with(
    data: Data<'_>,
    centers_init: Vec<f64>,
    k: usize,
    max_iter: usize,
    tol: f64,
    handover: bool,
    vector: bool,
) -> RunResult {
    let d = data.d;
    let cs = Centres::new(centers_init, None, k, d);
    let b = init_bounds(data, &cs, k, vector);
    let limits = Limits {
        k,
        max_iter,
        tol,
        handover,
        vector,
    };
    run_loop(data, cs, b, Running::new(k, d), 0, true, limits)
}

/// Whether Elkan's vector kernel runs for `k` centres here (AVX-512 or AVX2, at most 16
/// centres): [`KMeansAlgorithm::Auto`](crate::KMeansAlgorithm::Auto) hands Lloyd's
/// iterations over to Elkan's only then.
pub(crate) fn vector_kernel(k: usize) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        k <= 16 && (pulp::x86::V4::try_new().is_some() || pulp::x86::V3::try_new().is_some())
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = k;
        false
    }
}

/// Whether [`KMeansAlgorithm::Auto`](crate::KMeansAlgorithm::Auto) starts rows of more than
/// 16 features with Lloyd's iterations too (handing over to Elkan's once labels settle), as
/// it does narrower rows: on AVX2 without AVX-512 with at most 16 centres, where Lloyd's
/// row-at-a-time kernel costs less than Elkan's first assignments (all `k` distances of
/// every row, then of most rows again while the bounds are loose). Measured on an AMD EPYC
/// 7003 (2 threads, blobs_100k_50, 16 centres): k-means++ fit 0.075–0.082 s against
/// 0.078–0.100 s starting with Elkan's, 100 fixed-init iterations 0.092–0.119 s against
/// 0.121–0.135 s. With AVX-512, Elkan's vector kernel starts (measured there in session 17).
pub(crate) fn lloyd_first_when_wide(k: usize) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        k <= 16 && pulp::x86::V4::try_new().is_none() && pulp::x86::V3::try_new().is_some()
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = k;
        false
    }
}

/// The run's fixed settings.
#[derive(Clone, Copy)]
struct Limits {
    k: usize,
    max_iter: usize,
    tol: f64,
    handover: bool,
    vector: bool,
}

/// [`run`] continued after `done` iterations of Lloyd's that ended at `centers`, with labels
/// `labels_prev` and their running sums: the bounds are set from `centers` (that assignment is
/// iteration `done + 1`), the rows whose label it changed move between the sums, and Elkan's
/// iterations go on from there (handing back to Lloyd's, for good, if the bounds stop
/// pruning). The iterations are Lloyd's, so the fit is too.
#[allow(clippy::too_many_arguments)]
pub(crate) fn run_after_lloyd(
    data: Data<'_>,
    centers: Vec<f64>,
    labels_prev: &[usize],
    mut running: Running,
    done: usize,
    k: usize,
    max_iter: usize,
    tol: f64,
) -> RunResult {
    let d = data.d;
    let limits = Limits {
        k,
        max_iter,
        tol,
        handover: true,
        vector: true,
    };
    let cs = Centres::new(centers, None, k, d);
    let b = init_bounds(data, &cs, k, true);
    let arch = pulp::Arch::new();
    let parts: Vec<(Delta, bool)> = labels_prev
        .par_chunks(CHUNK)
        .zip(b.labels.par_chunks(CHUNK))
        .enumerate()
        .map(|(c, (prev, now))| {
            arch.dispatch(Moves {
                data,
                k,
                start: c * CHUNK,
                prev,
                now,
            })
        })
        .collect();
    let changed = parts.iter().any(|p| p.1);
    let sums = running.apply(parts.into_iter().map(|p| p.0).collect(), d);
    let new = finish_centers(data, &cs.centers, &b.labels, sums);
    let shift = center_shift(&cs.centers, &new, d);
    let n_iter = done + 1;
    let shift_tot: f64 = shift.iter().map(|s| s * s).sum();
    let cs = Centres::new(new, Some((&cs, shift)), k, d);
    if !changed || shift_tot <= tol || n_iter >= max_iter {
        let converged = !changed || shift_tot <= tol;
        return finish(data, cs, b, n_iter, !changed, converged, limits);
    }
    run_loop(data, cs, b, running, n_iter, false, limits)
}

/// The rows of one chunk whose label differs between `prev` and `now`, moved between the
/// centre sums in row order.
struct Moves<'a> {
    data: Data<'a>,
    k: usize,
    start: usize,
    prev: &'a [usize],
    now: &'a [usize],
}

impl pulp::WithSimd for Moves<'_> {
    type Output = (Delta, bool);

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, simd: S) -> (Delta, bool) {
        let Self {
            data,
            k,
            start,
            prev,
            now,
        } = self;
        let mut delta = Delta::zeros(k, data.d);
        let mut changed = false;
        for (q, (&a, &b)) in prev.iter().zip(now).enumerate() {
            if a != b {
                changed = true;
                let i = start + q;
                delta.moved(simd, a, b, data.row(i), data.w[i]);
            }
        }
        (delta, changed)
    }
}

/// Elkan's iterations from iteration `start` (0-based) on, from centres `cs` and bounds `b`
/// set against them; `fresh`: the first adds every row to the (empty) running sums.
fn run_loop(
    data: Data<'_>,
    mut cs: Centres,
    mut b: Bounds,
    mut running: Running,
    start: usize,
    fresh: bool,
    limits: Limits,
) -> RunResult {
    let Limits {
        k,
        max_iter,
        tol,
        handover,
        vector,
    } = limits;
    // The share of the distances the previous iteration computed (see `HANDOVER_SHARE`).
    let mut last_share = 0.0;
    let threshold = handover_threshold(k, vector);
    let mut strict = false;
    let mut converged = false;
    let mut n_iter = start;
    for i in start..max_iter {
        n_iter = i + 1;
        let first = fresh && i == start;
        let Some((new, computed, changed)) =
            iterate(data, &cs, k, &mut b, Some((&mut running, first)), vector)
        else {
            break;
        };
        cs = new;
        if !changed {
            strict = true;
            converged = true;
            break;
        }
        let shift_tot: f64 = cs.moved.iter().flatten().map(|s| s * s).sum();
        if shift_tot <= tol {
            converged = true;
            break;
        }
        let share = computed as f64 / (data.n * k) as f64;
        if handover && i >= HANDOVER_FROM && share > threshold && last_share > threshold {
            return super::lloyd::run_from(
                data, cs.centers, b.labels, running, n_iter, k, max_iter, tol, false,
            );
        }
        last_share = share;
    }
    finish(data, cs, b, n_iter, strict, converged, limits)
}

/// The end of a run at centres `cs` after `n_iter` iterations: without strict convergence a
/// last assignment makes the labels follow the centres; then the inertia.
fn finish(
    data: Data<'_>,
    cs: Centres,
    mut b: Bounds,
    n_iter: usize,
    strict: bool,
    converged: bool,
    limits: Limits,
) -> RunResult {
    if !strict {
        iterate(data, &cs, limits.k, &mut b, None, limits.vector);
    }
    let inertia = inertia(data, &cs.centers, &b.labels);
    RunResult {
        centers: cs.centers,
        labels: b.labels,
        inertia,
        n_iter,
        converged,
    }
}

/// Elkan's iteration on AVX-512 with at most 16 centres. The bound test takes sixteen rows at
/// a time in single precision: per centre `j`, one vector of the rows' lower bounds on it
/// (stored together, see [`at`]) and one of the half-distances from each row's centre to `j`,
/// picked from a table by the labels (`H[a][j] = H[j][a]`, so column `j` of the
/// half-distances is row `j`). A row whose upper bound is above the minimum over `j` takes all
/// its distances in one vector pass and settles branch-free (`Layout::settle`); rows of a
/// short last block go to [`visit_row`], as in the row-by-row code.
#[cfg(target_arch = "x86_64")]
mod avx2;

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use pulp::x86::V4;
    use pulp::{Simd, f32x16, f64x8, u64x8};

    use std::arch::x86_64::{_MM_FROUND_NO_EXC, _MM_FROUND_TO_NEG_INF, _MM_FROUND_TO_POS_INF};

    use super::{CHUNK, Centres, ChunkInit, LANES, Tally, at};
    use crate::kmeans::common::Data;

    /// The centres' half-distances and drift totals as vector tables, with the proof that
    /// the processor has AVX-512.
    pub(super) struct Layout {
        simd: V4,
        /// Row `j` of the half-distances, centres 0–15 (infinite past `k`), in single
        /// precision rounded down.
        half: Vec<f32x16>,
        /// The drift totals in single precision rounded up, one per centre.
        drift_up: Vec<f32>,
        /// The drift totals of centres 0–7 and 8–15 (zero past `k`).
        drift: [f64x8; 2],
        /// Feature `f` of centres 0–7 and 8–15 (zero past `k`).
        ct: Vec<[f64x8; 2]>,
        /// The lanes of centres 0–7 and 8–15 that exist (below `k`).
        valid: [u8; 2],
    }

    /// The distances from `x` to centres 0–15 (lanes past `k` mean nothing; with `two`
    /// false, past 8 are not computed), each summed in the order and grouping of
    /// [`sq_dist`](crate::kmeans::common::sq_dist), so they equal its results bit for bit.
    #[inline(always)]
    fn all_dists(simd: V4, ct: &[[f64x8; 2]], x: &[f64], two: bool) -> [f64x8; 2] {
        let zero = simd.splat_f64x8(0.0);
        let groups = if two { 2 } else { 1 };
        let mut acc = [zero; 2];
        let whole = x.len() / 4 * 4;
        for (h, a) in acc.iter_mut().enumerate().take(groups) {
            let sq = |f: usize| {
                let t = simd.sub_f64s(simd.splat_f64x8(x[f]), ct[f][h]);
                simd.mul_f64s(t, t)
            };
            for f in (0..whole).step_by(4) {
                let s = simd.add_f64s(simd.add_f64s(sq(f), sq(f + 1)), sq(f + 2));
                *a = simd.add_f64s(*a, simd.add_f64s(s, sq(f + 3)));
            }
            for f in whole..x.len() {
                *a = simd.add_f64s(*a, sq(f));
            }
        }
        [simd.sqrt_f64s(acc[0]), simd.sqrt_f64s(acc[1])]
    }

    impl Layout {
        /// Row `r` (from its chunk's start) with all its distances `dist` known: its label
        /// becomes the nearest centre (the first on ties), its upper bound that distance, and
        /// every lower bound the distance itself (rounded down to single precision); returns
        /// the label. Branch-free, unlike the centre-by-centre visit, whose comparisons the
        /// processor mispredicts about half the time while labels are still moving.
        #[inline(always)]
        #[allow(clippy::too_many_arguments)]
        fn settle(
            &self,
            dist: [f64x8; 2],
            k: usize,
            r: usize,
            drift: &[f64],
            lab: &mut [usize],
            up: &mut [f64],
            low: &mut [f32],
        ) -> usize {
            let simd = self.simd;
            let f = simd.avx512f;
            let inf = simd.splat_f64x8(f64::INFINITY);
            let v0 = simd.select_f64x8(pulp::b8(self.valid[0]), dist[0], inf);
            let v1 = simd.select_f64x8(pulp::b8(self.valid[1]), dist[1], inf);
            let min = simd.reduce_min_f64s(simd.min_f64s(v0, v1));
            let m = simd.splat_f64x8(min);
            let hits = u32::from(simd.cmp_eq_f64x8(v0, m).0)
                | (u32::from(simd.cmp_eq_f64x8(v1, m).0) << 8);
            let label = (hits.trailing_zeros() as usize).min(k.saturating_sub(1));
            lab[r] = label;
            up[r] = min - drift[label];
            // `dist + drift` to single precision, rounded towards minus infinity.
            let mut bounds = [0.0_f32; 16];
            for h in 0..2 {
                let b = simd.add_f64s(dist[h], self.drift[h]);
                let b: [f32; 8] = pulp::cast(
                    f._mm512_cvt_roundpd_ps::<{ _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC }>(
                        pulp::cast(b),
                    ),
                );
                bounds[8 * h..8 * h + 8].copy_from_slice(&b);
            }
            for (j, &b) in bounds.iter().enumerate().take(k) {
                low[at(r, j, k)] = b;
            }
            label
        }
    }

    /// One chunk of [`super::init_bounds`], settled row by row from all its distances.
    struct Init<'a, 'b> {
        p: &'a Layout,
        chunk: ChunkInit<'b>,
    }

    impl pulp::NullaryFnOnce for Init<'_, '_> {
        type Output = ();

        #[inline(always)]
        fn call(self) {
            let Self { p, chunk } = self;
            let ChunkInit {
                data,
                cs,
                k,
                c,
                lab,
                up,
                low,
            } = chunk;
            let start = c * CHUNK;
            for r in 0..lab.len() {
                let dist = all_dists(p.simd, &p.ct, data.row(start + r), k > 8);
                p.settle(dist, k, r, &cs.drift, lab, up, low);
            }
        }
    }

    /// Eight values of `s` from `o` as a vector.
    #[inline(always)]
    fn load8(s: &[f64], o: usize) -> f64x8 {
        match V4::as_simd_f64s(&s[o..o + 8]).0 {
            [v] => *v,
            _ => f64x8(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
        }
    }

    /// Sixteen values of `v` from `o` (`pad` past its end) as two vectors.
    fn table(v: &[f64], o: usize, pad: f64) -> [f64x8; 2] {
        let g = |j: usize| v.get(o + j).copied().unwrap_or(pad);
        [
            f64x8(g(0), g(1), g(2), g(3), g(4), g(5), g(6), g(7)),
            f64x8(g(8), g(9), g(10), g(11), g(12), g(13), g(14), g(15)),
        ]
    }

    impl Layout {
        /// `None` when the processor lacks AVX-512 or there are more than 16 centres.
        pub fn new(cs: &Centres, k: usize) -> Option<Self> {
            let simd = V4::try_new()?;
            if k > 16 {
                return None;
            }
            let half = (0..k)
                .map(|j| {
                    let row = &cs.half[j * k..(j + 1) * k];
                    let h = |a: usize| row.get(a).map_or(f32::INFINITY, |&v| super::down(v));
                    f32x16(
                        h(0),
                        h(1),
                        h(2),
                        h(3),
                        h(4),
                        h(5),
                        h(6),
                        h(7),
                        h(8),
                        h(9),
                        h(10),
                        h(11),
                        h(12),
                        h(13),
                        h(14),
                        h(15),
                    )
                })
                .collect();
            let drift_up = cs.drift.iter().map(|&v| -super::down(-v)).collect();
            let d = cs.centers.len() / k.max(1);
            let ct = (0..d)
                .map(|f| {
                    let col: Vec<f64> = (0..k).map(|j| cs.centers[j * d + f]).collect();
                    table(&col, 0, 0.0)
                })
                .collect();
            Some(Self {
                simd,
                half,
                drift_up,
                drift: table(&cs.drift, 0, 0.0),
                ct,
                valid: [
                    ((1_u32 << k.min(8)) - 1) as u8,
                    ((1_u32 << k.saturating_sub(8)) - 1) as u8,
                ],
            })
        }

        /// One chunk of [`super::init_bounds`].
        #[inline]
        pub fn init_chunk(&self, chunk: ChunkInit<'_>) {
            self.simd.vectorize(Init { p: self, chunk });
        }

        /// One chunk of an iteration (not the first: every row is visited there) from its
        /// first row `start`.
        #[allow(clippy::too_many_arguments)]
        #[inline]
        pub fn chunk(
            &self,
            data: Data<'_>,
            cs: &Centres,
            k: usize,
            start: usize,
            lab: &mut [usize],
            up: &mut [f64],
            low: &mut [f32],
            out: Tally,
        ) -> (crate::kmeans::common::Delta, usize, bool) {
            self.simd.vectorize(Chunk {
                p: self,
                data,
                cs,
                k,
                start,
                lab,
                up,
                low,
                out,
            })
        }
    }

    struct Chunk<'a, 'b> {
        p: &'a Layout,
        data: Data<'a>,
        cs: &'a Centres,
        k: usize,
        start: usize,
        lab: &'b mut [usize],
        up: &'b mut [f64],
        low: &'b mut [f32],
        out: Tally,
    }

    impl pulp::NullaryFnOnce for Chunk<'_, '_> {
        type Output = (crate::kmeans::common::Delta, usize, bool);

        #[inline(always)]
        fn call(self) -> Self::Output {
            let Self {
                p,
                data,
                cs,
                k,
                start,
                lab,
                up,
                low,
                mut out,
            } = self;
            let simd = p.simd;
            let f = simd.avx512f;
            let n = lab.len();
            // A table of up to 16 doubles, picked by eight labels.
            let pick = |idx: u64x8, t: &[f64x8; 2]| -> f64x8 {
                pulp::cast(f._mm512_permutex2var_pd(
                    pulp::cast(t[0]),
                    pulp::cast(idx),
                    pulp::cast(t[1]),
                ))
            };
            let labels8 = |l: &[usize]| {
                u64x8(
                    l[0] as u64,
                    l[1] as u64,
                    l[2] as u64,
                    l[3] as u64,
                    l[4] as u64,
                    l[5] as u64,
                    l[6] as u64,
                    l[7] as u64,
                )
            };
            // Eight rows' upper bounds `stored + drift[label]`, rounded up to single precision.
            let upper8 = |idx: u64x8, o: usize| {
                let u = simd.add_f64s(load8(up, o), pick(idx, &p.drift));
                f._mm512_cvt_roundpd_ps::<{ _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC }>(
                    pulp::cast(u),
                )
            };
            // The rows that fail the test, visited after the whole chunk is tested: few and
            // far apart, each read of one would wait for memory in turn; read together (a
            // first pass that only loads them), the waits overlap. A row's test and visit
            // touch only its own bounds, so the order of work changes nothing else.
            let mut failing = Vec::new();
            let mut r = 0;
            while r + LANES <= n {
                // Sixteen rows at once, in single precision, every rounding towards keeping
                // the row in the test (the upper bounds up, the drifts up, the lower bounds
                // and the differences down, the half-distances down): a row kept here is kept
                // by the test in doubles.
                let (lo, hi) = (labels8(&lab[r..r + 8]), labels8(&lab[r + 8..r + 16]));
                let idx: pulp::u32x16 = pulp::cast(f._mm512_inserti64x4::<1>(
                    f._mm512_castsi256_si512(f._mm512_cvtepi64_epi32(pulp::cast(lo))),
                    f._mm512_cvtepi64_epi32(pulp::cast(hi)),
                ));
                let upper: f32x16 = pulp::cast(f._mm512_insertf64x4::<1>(
                    f._mm512_castpd256_pd512(pulp::cast(upper8(lo, r))),
                    pulp::cast(upper8(hi, r + 8)),
                ));
                let base = (r / LANES) * k * LANES;
                let mut m = simd.splat_f32x16(f32::INFINITY);
                for (j, (h, &s)) in p.half.iter().zip(&p.drift_up).enumerate() {
                    let l: f32x16 = match V4::as_simd_f32s(&low[base + j * LANES..][..16]).0 {
                        [v] => *v,
                        _ => simd.splat_f32x16(f32::NEG_INFINITY),
                    };
                    let lj: f32x16 = pulp::cast(
                        f._mm512_sub_round_ps::<{ _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC }>(
                            pulp::cast(l),
                            pulp::cast(simd.splat_f32x16(s)),
                        ),
                    );
                    let hj: f32x16 =
                        pulp::cast(f._mm512_permutexvar_ps(pulp::cast(idx), pulp::cast(*h)));
                    m = simd.min_f32s(m, simd.max_f32s(lj, hj));
                }
                let mut fail = u32::from(f._mm512_cmplt_ps_mask(pulp::cast(m), pulp::cast(upper)));
                while fail != 0 {
                    failing.push(r + fail.trailing_zeros() as usize);
                    fail &= fail - 1;
                }
                r += LANES;
            }
            super::touch_rows(data, start, &failing);
            for &q in &failing {
                let x = data.row(start + q);
                let old = lab[q];
                let label = p.settle(
                    all_dists(simd, &p.ct, x, k > 8),
                    k,
                    q,
                    &cs.drift,
                    lab,
                    up,
                    low,
                );
                out.settled(simd, k, old, label, x, data.w[start + q]);
            }
            super::finish_vector_chunk(simd, data, cs, k, start, r, lab, up, low, out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_core::random::rng_from_seed;
    use rand::Rng;

    /// `n` rows of `d` features around `c` centres drawn in [-10, 10), each row a centre
    /// (drawn) plus uniform noise in [-spread, spread), in random cluster order.
    fn clustered(rng: &mut impl Rng, n: usize, d: usize, c: usize, spread: f64) -> Vec<f64> {
        let centres: Vec<f64> = (0..c * d).map(|_| rng.random_range(-10.0..10.0)).collect();
        (0..n)
            .flat_map(|_| {
                let j = rng.random_range(0..c);
                (0..d)
                    .map(|f| centres[j * d + f] + rng.random_range(-spread..spread))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// The same fit bit for bit (`converged` too when `with_converged`).
    fn assert_same_run(a: &RunResult, b: &RunResult, with_converged: bool, what: &str) {
        assert_eq!(a.labels, b.labels, "{what}");
        assert_eq!(a.centers, b.centers, "{what}");
        assert_eq!(a.inertia, b.inertia, "{what}");
        assert_eq!(a.n_iter, b.n_iter, "{what}");
        if with_converged {
            assert_eq!(a.converged, b.converged, "{what}");
        }
    }

    /// The shares of the distances Elkan computes in its iterations 3 and 4 (0-based: the
    /// first two the hand-over rule looks at), from the first `k` rows as centres.
    fn shares_at_hand_over(x: &[f64], n: usize, d: usize, k: usize) -> (f64, f64) {
        let w = vec![1.0; n];
        let data = Data { x, w: &w, n, d };
        let mut cs = Centres::new(x[..k * d].to_vec(), None, k, d);
        let mut b = init_bounds(data, &cs, k, true);
        let mut running = Running::new(k, d);
        let mut shares = vec![];
        for i in 0..=HANDOVER_FROM + 1 {
            let Some((new, computed, _)) =
                iterate(data, &cs, k, &mut b, Some((&mut running, i == 0)), true)
            else {
                break;
            };
            shares.push(computed as f64 / (n * k) as f64);
            cs = new;
        }
        (shares[HANDOVER_FROM], shares[HANDOVER_FROM + 1])
    }

    #[test]
    fn the_hand_over_rule_separates_clustered_data_from_noise() {
        let (n, d, k) = (3000, 24, 8);
        let mut rng = rng_from_seed(11);
        let noise: Vec<f64> = (0..n * d).map(|_| rng.random_range(-1.0..1.0)).collect();
        let t = handover_threshold(k, true);
        let (a, b) = shares_at_hand_over(&noise, n, d, k);
        assert!(a > t && b > t, "noise: {a} {b}");
        // k well-separated clusters, rows in random cluster order.
        let clustered = clustered(&mut rng, n, d, k, 1.0);
        let (a, b) = shares_at_hand_over(&clustered, n, d, k);
        assert!(a < t || b < t, "clustered: {a} {b}");
    }

    thread_local! {
        /// Set by a test to make the vector kernel AVX2's even where AVX-512 is there (the
        /// layout is chosen on the thread that runs the fit).
        pub(super) static AVX2_ONLY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }

    /// The vector kernel (AVX-512's, or AVX2's with `avx2_only`) and the row-by-row code give
    /// the same fit.
    fn vector_and_row_by_row_agree(avx2_only: bool) {
        AVX2_ONLY.with(|c| c.set(avx2_only));
        // Two chunks, each ending in a short block; up to and past 16 centres (the vector
        // test's table), past eight (AVX2's second table) and one centre; weights with zeros.
        let n = CHUNK + 1003;
        let mut rng = rng_from_seed(3);
        for d in [2, 7, 12, 30] {
            let x = clustered(&mut rng, n, d, 6, 4.0);
            let w: Vec<f64> = (0..n).map(|i| (i % 3) as f64 * 0.5).collect();
            let data = Data { x: &x, w: &w, n, d };
            for k in [1, 3, 5, 8, 9, 13, 16, 17] {
                let init = x[..k * d].to_vec();
                let a = run_with(data, init.clone(), k, 60, 0.0, false, true);
                let b = run_with(data, init, k, 60, 0.0, false, false);
                assert_same_run(&a, &b, false, &format!("d={d} k={k} avx2 {avx2_only}"));
            }
        }
        AVX2_ONLY.with(|c| c.set(false));
    }

    #[test]
    fn the_avx512_bound_test_and_the_row_by_row_code_give_the_same_fit() {
        vector_and_row_by_row_agree(false);
    }

    #[test]
    fn the_avx2_bound_test_and_the_row_by_row_code_give_the_same_fit() {
        vector_and_row_by_row_agree(true);
    }

    #[test]
    fn avx2_lower_bounds_are_rounded_down() {
        let Some(simd) = pulp::x86::V3::try_new() else {
            return;
        };
        let mut rng = rng_from_seed(11);
        let mut values: Vec<f64> = (0..40_000)
            .map(|_| rng.random_range(0.0..1e6) * rng.random_range(0.0..1.0_f64).powi(12))
            .collect();
        // Exact singles, their neighbours, subnormals, zero, beyond the single range.
        values.extend([
            0.0,
            0.5,
            0.1,
            1e-40,
            1e-45,
            3e-39,
            1e39,
            1e300,
            f64::from(f32::MAX),
        ]);
        values.extend([1.0_f64.next_up(), 1.0_f64.next_down(), 2.0_f64.next_up()]);
        for v in values.chunks_exact(4) {
            let got = avx2::down4(simd, pulp::f64x4(v[0], v[1], v[2], v[3]));
            for (&g, &v) in got.iter().zip(v) {
                assert!(f64::from(g) <= v, "{v} -> {g}");
                // At most a few units in the last place below (or one subnormal step);
                // beyond the single range, the largest single.
                if v > f64::from(f32::MAX) {
                    assert_eq!(g, f32::MAX);
                } else {
                    assert!(
                        v - f64::from(g) <= v * 4.0 * f64::from(f32::EPSILON) + 2e-45,
                        "{v} -> {g}"
                    );
                }
            }
        }
    }

    #[test]
    fn lower_bounds_are_rounded_down() {
        let mut rng = rng_from_seed(9);
        for _ in 0..10_000 {
            let v: f64 = rng.random_range(0.0..1e6) * rng.random_range(0.0..1.0_f64).powi(8);
            assert!(f64::from(down(v)) <= v, "{v}");
            assert!(
                v - f64::from(down(v)) <= v * 2.0 * f64::from(f32::EPSILON),
                "{v}"
            );
        }
        assert_eq!(down(f64::INFINITY), f32::INFINITY);
        assert_eq!(down(1e300), f32::MAX);
        // 0.1 rounds up to the nearest single (0.100000001…), so it steps down once; 0.5 is
        // exact.
        assert!(f64::from(0.1_f32) > 0.1);
        assert_eq!(down(0.1), 0.1_f32.next_down());
        assert_eq!(down(0.5), 0.5);
        assert_eq!(down(0.0), 0.0);
        assert!(f64::from(down(-0.3)) <= -0.3 && f64::from(down(-0.1)) <= -0.1);
    }

    #[test]
    fn elkan_continues_lloyds_iterations_to_lloyds_fit() {
        // Lloyd's iterations for `m` rounds, then Elkan's from Lloyd's centres, labels and
        // sums: the same fit as Lloyd's all the way, whether the hand-over comes before
        // convergence, at it, or at the last allowed iteration.
        let (n, d) = (CHUNK + 777, 6);
        let mut rng = rng_from_seed(21);
        let x = clustered(&mut rng, n, d, 5, 5.0);
        let w: Vec<f64> = (0..n).map(|i| 0.25 + (i % 4) as f64).collect();
        let data = Data { x: &x, w: &w, n, d };
        for k in [2, 5, 9, 16] {
            let init = x[..k * d].to_vec();
            let lloyd = super::super::lloyd::run(data, init.clone(), k, 40, 0.0, false);
            assert!(lloyd.n_iter > 6, "k={k}: the run should be long enough");
            for (m, max_iter) in [(1, 40), (2, 40), (5, 40), (lloyd.n_iter - 1, 40), (3, 4)] {
                let reference =
                    super::super::lloyd::run(data, init.clone(), k, max_iter, 0.0, false);
                let mut labels = vec![NO_LABEL; n];
                let mut running = Running::new(k, d);
                let mut centers = init.clone();
                for _ in 0..m {
                    let (new, _, _) =
                        super::super::lloyd::iterate(data, &centers, k, &mut labels, &mut running);
                    centers = new;
                }
                let elkan = run_after_lloyd(data, centers, &labels, running, m, k, max_iter, 0.0);
                let what = format!("k={k} m={m} max_iter={max_iter}");
                assert_same_run(&elkan, &reference, true, &what);
            }
        }
    }
}
