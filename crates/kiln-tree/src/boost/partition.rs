//! Splitting a node's rows between its children, stably, and gathering the binned words and
//! gradients of the child whose histogram will be built from its rows.

use rayon::prelude::*;

use super::bin::{Binned, GROUP};
use super::hist::GradHess;

/// Rows per parallel task; smaller nodes are split on the calling thread.
const CHUNK: usize = 1 << 14;

/// One child's rows copied densely: for group `g`, the words of its rows are
/// `words[g * len..(g + 1) * len]` (in row order), and `gh[i]` is row `i`'s gradient.
#[derive(Debug, Default)]
pub(crate) struct Gathered {
    pub(crate) words: Vec<u64>,
    pub(crate) gh: Vec<GradHess>,
}

/// Reusable buffers of [`partition`].
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    rows: Vec<u32>,
    flags: Vec<bool>,
}

/// Moves the rows of `seg` whose bin of `feature` satisfies `left` to its front, keeping the
/// order on both sides, and returns how many went left.
///
/// Large nodes are split in two parallel passes over fixed chunks (flags and counts, then
/// placement at offsets from the counts), which gives the same result as the sequential pass.
pub(crate) fn partition(
    seg: &mut [u32],
    binned: &Binned,
    feature: usize,
    left: &(impl Fn(u8) -> bool + Sync),
    scratch: &mut Scratch,
) -> usize {
    let col = binned.column(feature);
    let goes_left = |r: u32| left(col[r as usize]);
    if seg.len() < 2 * CHUNK {
        let tmp = &mut scratch.rows;
        tmp.clear();
        let mut w = 0usize;
        for i in 0..seg.len() {
            let r = seg[i];
            if goes_left(r) {
                seg[w] = r;
                w += 1;
            } else {
                tmp.push(r);
            }
        }
        seg[w..].copy_from_slice(tmp);
        return w;
    }
    let flags = &mut scratch.flags;
    flags.clear();
    flags.resize(seg.len(), false);
    let counts: Vec<usize> = seg
        .par_chunks(CHUNK)
        .zip(flags.par_chunks_mut(CHUNK))
        .map(|(rows, fl)| {
            let mut c = 0;
            for (&r, f) in rows.iter().zip(fl.iter_mut()) {
                *f = goes_left(r);
                c += usize::from(*f);
            }
            c
        })
        .collect();
    let n_left: usize = counts.iter().sum();
    let tmp = &mut scratch.rows;
    tmp.clear();
    tmp.resize(seg.len(), 0);
    // Each chunk's destinations: its share of the left part and of the right part.
    let (mut lefts, mut rights) = tmp.split_at_mut(n_left);
    let mut dests = Vec::with_capacity(counts.len());
    for (c, &nl) in counts.iter().enumerate() {
        let len = (seg.len() - c * CHUNK).min(CHUNK);
        let (l, lr) = lefts.split_at_mut(nl);
        let (r, rr) = rights.split_at_mut(len - nl);
        dests.push((l, r));
        lefts = lr;
        rights = rr;
    }
    seg.par_chunks(CHUNK)
        .zip(flags.par_chunks(CHUNK))
        .zip(dests.into_par_iter())
        .for_each(|((rows, fl), (l, r))| {
            let (mut i, mut j) = (0, 0);
            for (&row, &f) in rows.iter().zip(fl) {
                if f {
                    l[i] = row;
                    i += 1;
                } else {
                    r[j] = row;
                    j += 1;
                }
            }
        });
    seg.copy_from_slice(tmp);
    n_left
}

/// Copies the words of every group and the gradients of `rows` into `out`.
pub(crate) fn gather(rows: &[u32], binned: &Binned, gh: &[GradHess], out: &mut Gathered) {
    let groups = binned.n_groups();
    let stride = binned.stride();
    let m = rows.len();
    out.words.clear();
    out.words.resize(groups * m, 0);
    out.gh.clear();
    out.gh.extend(rows.iter().map(|&r| gh[r as usize]));
    // One pass over the rows (each record is read once, whole), writing one stream per group.
    let mut streams: Vec<&mut [u64]> = out.words.chunks_mut(m.max(1)).collect();
    for (i, &r) in rows.iter().enumerate() {
        let rec = &binned.bins[r as usize * stride..(r as usize + 1) * stride];
        for (stream, w) in streams.iter_mut().zip(rec.chunks_exact(GROUP)) {
            stream[i] = u64::from_le_bytes(w.try_into().unwrap_or([0; GROUP]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boost::bin::BinMapper;

    #[test]
    fn stable_in_both_paths_and_gathers() {
        // One feature whose bin is the row's value mod 3; bin 0 goes left.
        let n = 3 * CHUNK + 17;
        let x = ndarray::Array2::from_shape_fn((n, 1), |(i, _)| (i % 3) as f64);
        let m = BinMapper::fit(x.view(), None, 255, &[false], 1000, 0).unwrap();
        let binned = m.transform(x.view());
        let gh: Vec<GradHess> = (0..n)
            .map(|i| GradHess {
                g: i as f32,
                h: 1.0,
            })
            .collect();
        for size in [100, n] {
            let mut seg: Vec<u32> = (0..size as u32).collect();
            let mut scratch = Scratch::default();
            let w = partition(&mut seg, &binned, 0, &|b| b == 0, &mut scratch);
            let want_left: Vec<u32> = (0..size as u32).filter(|r| r % 3 == 0).collect();
            let want_right: Vec<u32> = (0..size as u32).filter(|r| r % 3 != 0).collect();
            assert_eq!(&seg[..w], &want_left[..]);
            assert_eq!(&seg[w..], &want_right[..]);
            let mut out = Gathered::default();
            gather(&seg[w..], &binned, &gh, &mut out);
            let got: Vec<u32> = out.gh.iter().map(|v| v.g as u32).collect();
            assert_eq!(got, want_right);
            let bins: Vec<u64> = want_right.iter().map(|r| u64::from(r % 3)).collect();
            assert_eq!(out.words, bins);
        }
    }
}
