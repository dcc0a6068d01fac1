//! Gradient histograms: per feature and bin, the sums of gradients and hessians and the count
//! of the rows of a node.
//!
//! A node's histogram is built from its rows, feature block by feature block in parallel: each
//! block is summed by one task over the rows in order, so the sums do not depend on the number
//! of threads. A child's histogram is either built from its rows (the smaller child) or is its
//! parent's minus its sibling's (the larger child: the subtraction trick of LightGBM, Ke et al.
//! 2017), which halves the work of every level at least.

use rayon::prelude::*;

use super::bin::{Binned, GROUP};

/// The bins per feature in a histogram: 255 value bins and the missing bin (255).
pub(crate) const BINS: usize = 256;

/// The gradient and hessian sums of one bin (16 bytes, so one row's update of a bin is one
/// vector addition).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[repr(C, align(16))]
pub(crate) struct GH {
    pub(crate) g: f64,
    pub(crate) h: f64,
}

/// A node's histogram: sums per feature and bin, features in groups of [`GROUP`] (the last
/// padded), and row counts per bin unless every hessian is 1, in which case the hessian sum
/// is the count.
#[derive(Debug, Clone)]
pub(crate) struct Hist {
    pub(crate) gh: Vec<GH>,
    pub(crate) n: Vec<u32>,
}

/// One feature's bins of a [`Hist`].
#[derive(Clone, Copy)]
pub(crate) struct FeatureHist<'a> {
    gh: &'a [GH],
    n: Option<&'a [u32]>,
}

impl<'a> FeatureHist<'a> {
    /// Feature `k` of one group's bins (`n_block` empty when the histogram keeps no counts).
    #[inline]
    pub(crate) fn in_group(gh_block: &'a [GH], n_block: &'a [u32], k: usize) -> Self {
        FeatureHist {
            gh: &gh_block[k * BINS..(k + 1) * BINS],
            n: (!n_block.is_empty()).then(|| &n_block[k * BINS..(k + 1) * BINS]),
        }
    }

    /// Bins `gh` of one feature with their exact counts `n`.
    pub(crate) fn with_counts(gh: &'a [GH], n: &'a [u32]) -> Self {
        FeatureHist { gh, n: Some(n) }
    }

    /// Gradient sum, hessian sum and row count of bin `b`.
    #[inline]
    pub(crate) fn get(&self, b: usize) -> (f64, f64, u32) {
        let e = self.gh[b];
        let n = match self.n {
            Some(n) => n[b],
            // Unit hessians: their sum is an exact integer count.
            None => e.h as u32,
        };
        (e.g, e.h, n)
    }
}

impl Hist {
    /// An empty histogram for `binned`'s features, with per-bin counts when `counts`.
    pub(crate) fn new(binned: &Binned, counts: bool) -> Self {
        let len = binned.n_groups() * GROUP * BINS;
        Self {
            gh: vec![GH::default(); len],
            n: if counts { vec![0; len] } else { Vec::new() },
        }
    }

    /// Whether it keeps counts.
    pub(crate) fn has_counts(&self) -> bool {
        !self.n.is_empty()
    }

    /// Keeps counts (zeroed) or none, keeping the buffer for later.
    pub(crate) fn set_counts(&mut self, on: bool) {
        if on {
            self.n.resize(self.gh.len(), 0);
        } else {
            self.n.clear();
        }
    }

    /// The sums of feature `f`'s bins.
    pub(crate) fn feature_sums(&self, f: usize) -> &[GH] {
        &self.gh[f * BINS..(f + 1) * BINS]
    }

    /// The bins of feature `f`.
    #[inline]
    pub(crate) fn feature(&self, f: usize) -> FeatureHist<'_> {
        FeatureHist {
            gh: &self.gh[f * BINS..(f + 1) * BINS],
            n: (!self.n.is_empty()).then(|| &self.n[f * BINS..(f + 1) * BINS]),
        }
    }

    /// `self -= child`, bin by bin: the histogram of the child's sibling.
    #[cfg(test)]
    pub(crate) fn subtract(&mut self, child: &Hist) {
        subtract_group(&mut self.gh, &mut self.n, &child.gh, &child.n);
    }

    /// Each group's bins: `(sums, counts)`, the counts empty when the histogram keeps none.
    pub(crate) fn groups_mut(&mut self) -> Vec<(&mut [GH], &mut [u32])> {
        let counts: Box<dyn Iterator<Item = &mut [u32]>> = if self.n.is_empty() {
            Box::new(std::iter::repeat_with(|| &mut [][..]))
        } else {
            Box::new(self.n.chunks_mut(BLOCK))
        };
        self.gh.chunks_mut(BLOCK).zip(counts).collect()
    }
}

/// `a -= b` over the same bins (sums, and counts when kept): a sibling's bins from its
/// parent's and the other child's.
pub(crate) fn subtract_group(a_gh: &mut [GH], a_n: &mut [u32], b_gh: &[GH], b_n: &[u32]) {
    for (a, b) in a_gh.iter_mut().zip(b_gh) {
        a.g -= b.g;
        a.h -= b.h;
    }
    for (a, b) in a_n.iter_mut().zip(b_n) {
        *a -= b;
    }
}

/// The gradient and hessian of a row (single precision, as LightGBM and scikit-learn keep them;
/// histograms sum them in double precision).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[repr(C)]
pub(crate) struct GradHess {
    pub(crate) g: f32,
    pub(crate) h: f32,
}

/// Work below which a histogram is built on the calling thread (rows × features).
const PARALLEL_WORK: usize = 1 << 16;

/// The rows a histogram sums: increasing row indices and their gradients in the same order.
#[derive(Clone, Copy)]
pub(crate) struct Rows<'a> {
    pub(crate) rows: &'a [u32],
    pub(crate) gh: &'a [GradHess],
}

/// Builds into `hist` (overwritten) the histogram of `src` (`buf` holds gathered words).
///
/// Each feature group is summed by one task in row order, so the sums do not depend on the
/// number of threads.
///
/// `known_counts`, when given, are the histogram's counts (the root's when every row is in it:
/// the same for every tree), copied instead of counted.
pub(crate) fn build(
    hist: &mut Hist,
    binned: &Binned,
    src: Rows<'_>,
    buf: &mut Vec<u64>,
    known_counts: Option<&[u32]>,
) {
    let p = binned.n_features;
    let known_counts = known_counts.filter(|c| c.len() == hist.n.len() && hist.has_counts());
    if let Some(c) = known_counts {
        hist.n.copy_from_slice(c);
    }
    let counts = hist.has_counts() && known_counts.is_none();
    let chunk = GROUP * BINS;
    let words = node_words(binned, src.rows, buf);
    let words = &words;
    let task = |g: usize, gh_block: &mut [GH], n_block: &mut [u32]| {
        build_one_group(gh_block, n_block, binned, g, words, src.gh);
    };
    let parallel = is_parallel(src.rows.len(), p);
    match (counts, parallel) {
        (true, true) => hist
            .gh
            .par_chunks_mut(chunk)
            .zip(hist.n.par_chunks_mut(chunk))
            .enumerate()
            .for_each(|(g, (a, b))| task(g, a, b)),
        (true, false) => hist
            .gh
            .chunks_mut(chunk)
            .zip(hist.n.chunks_mut(chunk))
            .enumerate()
            .for_each(|(g, (a, b))| task(g, a, b)),
        (false, true) => hist
            .gh
            .par_chunks_mut(chunk)
            .enumerate()
            .for_each(|(g, a)| task(g, a, &mut [])),
        (false, false) => hist
            .gh
            .chunks_mut(chunk)
            .enumerate()
            .for_each(|(g, a)| task(g, a, &mut [])),
    }
}

/// Rows per parallel task of a gather.
const GATHER_CHUNK: usize = 1 << 13;

/// A node's words, ready to be summed group by group in row order.
pub(crate) enum NodeWords<'a> {
    /// Consecutive rows from this one: the group-major words themselves.
    Run(usize),
    /// The rows' words gathered in node order, row-major (`n_groups` words per row).
    Gathered(&'a [u64]),
    /// Rows whose words each group's task gathers from the group-major words (data small
    /// enough for them to stay in cache: see [`super::bin::GATHER_BYTES`]).
    Sparse(&'a [u32]),
}

/// Rows of a [`NodeWords::Sparse`] node gathered per batch: independent loads the processor
/// overlaps, before the batch's additions.
const BATCH: usize = 64;

/// The words of one group for a sparse node's rows, gathered [`BATCH`] rows at a time.
#[derive(Clone)]
struct Batched<'a> {
    words: &'a [u64],
    rows: &'a [u32],
    batch: [u64; BATCH],
    at: usize,
    len: usize,
}

impl Iterator for Batched<'_> {
    type Item = u64;

    #[inline]
    fn next(&mut self) -> Option<u64> {
        if self.at == self.len {
            let take = self.rows.len().min(BATCH);
            if take == 0 {
                return None;
            }
            let (now, rest) = self.rows.split_at(take);
            for (w, &r) in self.batch.iter_mut().zip(now) {
                *w = self.words.get(r as usize).copied().unwrap_or(0);
            }
            self.rows = rest;
            self.at = 0;
            self.len = take;
        }
        let w = self.batch[self.at % BATCH];
        self.at += 1;
        Some(w)
    }
}

/// The words of `rows` (increasing), gathered into `buf` unless the rows are consecutive.
///
/// A row's words of every group share one cache line of the row-major copy and are copied in
/// one move: one cache miss and one store per sparse row. (One store per row matters: the
/// processor keeps few stores in flight, and a store per group per row capped the misses it
/// could overlap.)
pub(crate) fn node_words<'a>(
    binned: &Binned,
    rows: &'a [u32],
    buf: &'a mut Vec<u64>,
) -> NodeWords<'a> {
    let m = rows.len();
    let (Some(&first), Some(&last)) = (rows.first(), rows.last()) else {
        return NodeWords::Run(0);
    };
    if (last - first) as usize == m - 1 {
        return NodeWords::Run(first as usize);
    }
    if binned.row_words.is_empty() {
        // Small data: no row-major copy (see `Binned`).
        return NodeWords::Sparse(rows);
    }
    let ng = binned.n_groups();
    if buf.len() < m * ng {
        buf.resize(m * ng, 0);
    }
    let out = &mut buf[..m * ng];
    let from = &binned.row_words;
    let gather = |(rows, out): (&[u32], &mut [u64])| match ng {
        1 => gather_rows::<1>(from, rows, out),
        2 => gather_rows::<2>(from, rows, out),
        3 => gather_rows::<3>(from, rows, out),
        4 => gather_rows::<4>(from, rows, out),
        5 => gather_rows::<5>(from, rows, out),
        6 => gather_rows::<6>(from, rows, out),
        7 => gather_rows::<7>(from, rows, out),
        8 => gather_rows::<8>(from, rows, out),
        _ => {
            for (o, &r) in out.chunks_exact_mut(ng).zip(rows) {
                let r = r as usize;
                o.copy_from_slice(&from[r * ng..(r + 1) * ng]);
            }
        }
    };
    if is_parallel(m, binned.n_features) {
        rows.par_chunks(GATHER_CHUNK)
            .zip(out.par_chunks_mut(GATHER_CHUNK * ng))
            .for_each(gather);
    } else {
        rows.chunks(GATHER_CHUNK)
            .zip(out.chunks_mut(GATHER_CHUNK * ng))
            .for_each(gather);
    }
    NodeWords::Gathered(out)
}

/// Copies the `N` words of each of `rows` from `from` (row-major) to `out`, as one move.
#[inline]
fn gather_rows<const N: usize>(from: &[u64], rows: &[u32], out: &mut [u64]) {
    for (o, &r) in out.chunks_exact_mut(N).zip(rows) {
        let r = r as usize;
        if let (Ok(o), Some(Ok(w))) = (
            <&mut [u64; N]>::try_from(o),
            from.get(r * N..(r + 1) * N).map(<[u64; N]>::try_from),
        ) {
            *o = w;
        }
    }
}

/// Whether a histogram of `rows` rows and `p` features is built on several threads.
pub(crate) fn is_parallel(rows: usize, p: usize) -> bool {
    rows * p >= PARALLEL_WORK
}

/// Builds group `g` of the histogram of a node (its `words`, its rows' gradients `gh`) into
/// `gh_block` and `n_block` (overwritten; `n_block` empty when no counts are kept), summing
/// the rows in order.
pub(crate) fn build_one_group(
    gh_block: &mut [GH],
    n_block: &mut [u32],
    binned: &Binned,
    g: usize,
    words: &NodeWords<'_>,
    gh: &[GradHess],
) {
    let p = binned.n_features;
    let counts = !n_block.is_empty();
    gh_block.fill(GH::default());
    n_block.fill(0);
    let width = (p - g * GROUP).min(GROUP);
    macro_rules! sum {
        ($words:expr) => {
            match (width == GROUP, counts) {
                (true, true) => build_group::<GROUP, true>(gh_block, n_block, $words, gh, width),
                (true, false) => build_group::<GROUP, false>(gh_block, n_block, $words, gh, width),
                (false, true) => build_group::<0, true>(gh_block, n_block, $words, gh, width),
                (false, false) => build_group::<0, false>(gh_block, n_block, $words, gh, width),
            }
        };
    }
    match *words {
        NodeWords::Run(first) => {
            let run = binned.group(g).get(first..first + gh.len()).unwrap_or(&[]);
            sum!(run.iter().copied())
        }
        NodeWords::Gathered(buf) => {
            let ng = binned.n_groups();
            sum!(buf.get(g..).unwrap_or(&[]).iter().step_by(ng).copied())
        }
        NodeWords::Sparse(rows) => sum!(Batched {
            words: binned.group(g),
            rows,
            batch: [0; BATCH],
            at: 0,
            len: 0,
        }),
    }
}

/// Bins of one group in a histogram.
const BLOCK: usize = GROUP * BINS;

/// Adds one row (its group word `w` and gradient `v`) to the first `width` features of a group.
#[inline(always)]
fn accumulate<const COUNT: bool>(
    gh_block: &mut [GH; BLOCK],
    n_block: &mut [u32; BLOCK],
    w: u64,
    v: &GradHess,
    width: usize,
) {
    let (g, h) = (f64::from(v.g), f64::from(v.h));
    // Independent updates of `width` features: no chain of dependent additions. The index is
    // below BLOCK by construction, so no bounds check is left in the loop.
    for k in 0..width.min(GROUP) {
        let i = k * BINS + ((w >> (8 * k)) & 0xff) as usize;
        let e = &mut gh_block[i];
        e.g += g;
        e.h += h;
        if COUNT {
            n_block[i] += 1;
        }
    }
}

/// Sums one group of a node (its `words`, `gh` its rows' gradients) into `gh_block` (and
/// `n_block` when `COUNT`). `W` is 8 for a full group (unrolled), 0 for the last partial group.
#[inline]
fn build_group<const W: usize, const COUNT: bool>(
    gh_block: &mut [GH],
    n_block: &mut [u32],
    words: impl Iterator<Item = u64>,
    gh: &[GradHess],
    width: usize,
) {
    let width = if W == GROUP { GROUP } else { width };
    let Ok(gh_block) = <&mut [GH; BLOCK]>::try_from(gh_block) else {
        return;
    };
    // Without counts (an empty `n_block`), a local block takes the updates `COUNT` skips.
    let mut local = [0u32; BLOCK];
    let n_block: &mut [u32; BLOCK] = <&mut [u32; BLOCK]>::try_from(n_block).unwrap_or(&mut local);
    for (w, v) in words.zip(gh) {
        accumulate::<COUNT>(gh_block, n_block, w, v, width);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_sums_and_subtraction() {
        // 3 rows × 2 features (one group, padded to 8 features).
        let x = ndarray::array![[0.0, 1.0], [2.0, 1.0], [0.0, f64::NAN]];
        let m =
            super::super::bin::BinMapper::fit(x.view(), None, 255, &[true, false], 100, 0).unwrap();
        let binned = m.transform(x.view());
        let gh = vec![
            GradHess { g: 1.0, h: 0.5 },
            GradHess { g: -2.0, h: 1.0 },
            GradHess { g: 4.0, h: 2.0 },
        ];
        let mut all = Hist::new(&binned, true);
        build(
            &mut all,
            &binned,
            Rows {
                rows: &[0, 1, 2],
                gh: &gh,
            },
            &mut Vec::new(),
            None,
        );
        assert_eq!(all.feature(0).get(0), (5.0, 2.5, 2));
        assert_eq!(all.feature(0).get(1), (-2.0, 1.0, 1));
        assert_eq!(all.feature(1).get(0), (-1.0, 1.5, 2));
        assert_eq!(all.feature(1).get(255), (4.0, 2.0, 1));
        let mut child = Hist::new(&binned, true);
        build(
            &mut child,
            &binned,
            Rows {
                rows: &[1],
                gh: &gh[1..2],
            },
            &mut Vec::new(),
            None,
        );
        all.subtract(&child);
        assert_eq!(all.feature(0).get(0), (5.0, 2.5, 2));
        assert_eq!(all.feature(0).get(1).2, 0);
        assert_eq!(all.feature(1).get(0), (1.0, 0.5, 1));
        // Without counts, a unit hessian counts rows.
        let ones = vec![GradHess { g: 1.0, h: 1.0 }; 3];
        let mut unit = Hist::new(&binned, false);
        build(
            &mut unit,
            &binned,
            Rows {
                rows: &[0, 1, 2],
                gh: &ones,
            },
            &mut Vec::new(),
            None,
        );
        assert_eq!(unit.feature(0).get(0), (2.0, 2.0, 2));
    }

    #[test]
    fn gathered_and_consecutive_rows_sum_what_a_direct_count_sums() {
        // Widths around the group size and beyond 8 groups (the generic gather), sparse rows
        // (gathered) and consecutive rows (read in place), large enough to build in parallel.
        for p in [3usize, 8, 13, 70] {
            let n = 6000;
            let x = ndarray::Array2::from_shape_fn((n, p), |(i, j)| {
                if (i + j) % 17 == 0 {
                    f64::NAN
                } else {
                    ((i * 31 + j * 7) % 97) as f64
                }
            });
            let cat = vec![false; p];
            let binned = super::super::bin::BinMapper::fit(x.view(), None, 255, &cat, 100_000, 0)
                .unwrap()
                .transform(x.view());
            let gh: Vec<GradHess> = (0..n)
                .map(|i| GradHess {
                    g: (i % 13) as f32 - 6.0,
                    h: 0.25 + (i % 5) as f32,
                })
                .collect();
            let sparse: Vec<u32> = (0..n as u32).filter(|r| r % 3 != 1).collect();
            let run: Vec<u32> = (1000..5000).collect();
            for rows in [sparse, run] {
                let ghs: Vec<GradHess> = rows.iter().map(|&r| gh[r as usize]).collect();
                let mut hist = Hist::new(&binned, true);
                let src = Rows {
                    rows: &rows,
                    gh: &ghs,
                };
                build(&mut hist, &binned, src, &mut Vec::new(), None);
                // Both ways of reading a sparse node's words (gathered by rows first, or by
                // each group) give the same bins.
                // This data is small (no row-major copy); a copy with one forces the gather.
                assert!(binned.row_words.is_empty());
                let ng = binned.n_groups();
                let mut with_rows = binned.clone();
                with_rows.row_words = (0..n * ng).map(|i| binned.group(i % ng)[i / ng]).collect();
                for layout in [&binned, &with_rows] {
                    let mut buf = Vec::new();
                    let words = node_words(layout, &rows, &mut buf);
                    let gathered = matches!(words, NodeWords::Gathered(_));
                    let consecutive = rows[rows.len() - 1] - rows[0] + 1 == rows.len() as u32;
                    assert_eq!(gathered, !layout.row_words.is_empty() && !consecutive);
                    let mut again = Hist::new(&binned, true);
                    for (g, (gh_block, n_block)) in again.groups_mut().into_iter().enumerate() {
                        build_one_group(gh_block, n_block, layout, g, &words, &ghs);
                    }
                    assert_eq!(again.gh, hist.gh);
                    assert_eq!(again.n, hist.n);
                }
                // Given its counts, a build sums the same bins and keeps those counts.
                let mut known = Hist::new(&binned, true);
                build(&mut known, &binned, src, &mut Vec::new(), Some(&hist.n));
                assert_eq!(known.gh, hist.gh);
                assert_eq!(known.n, hist.n);
                let mut want = vec![(0.0f64, 0.0f64, 0u32); p * BINS];
                for (&r, v) in rows.iter().zip(&ghs) {
                    for f in 0..p {
                        let e = &mut want[f * BINS + usize::from(binned.get(r as usize, f))];
                        e.0 += f64::from(v.g);
                        e.1 += f64::from(v.h);
                        e.2 += 1;
                    }
                }
                for f in 0..p {
                    for b in 0..BINS {
                        assert_eq!(
                            hist.feature(f).get(b),
                            want[f * BINS + b],
                            "p {p} f {f} b {b}"
                        );
                    }
                }
            }
        }
    }
}
