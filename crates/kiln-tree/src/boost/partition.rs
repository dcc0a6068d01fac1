//! Splitting a node's rows (and their gradients, which travel with them so that every node's
//! gradients are contiguous) between its children, stably.

use rayon::prelude::*;

use super::bin::Binned;
use super::hist::GradHess;

/// Rows per parallel task; smaller nodes are split on the calling thread.
const CHUNK: usize = 1 << 14;

/// Reusable buffers of [`partition`].
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    rows: Vec<u32>,
    gh: Vec<GradHess>,
}

impl Scratch {
    /// Buffers of `len` rows and gradients. Their contents are stale (every slot read is
    /// written first), so they only grow and are never cleared: zero-filling them for each
    /// node showed in profiles.
    fn room(&mut self, len: usize) -> (&mut [u32], &mut [GradHess]) {
        if self.rows.len() < len {
            self.rows.resize(len, 0);
            self.gh.resize(len, GradHess::default());
        }
        (&mut self.rows[..len], &mut self.gh[..len])
    }
}

/// Splits the rows of `seg[0]` (with their gradients in `gh[0]`) stably between the rows
/// whose bin `b` of `feature` has `left[b]` (first) and the others, and returns how many went
/// left and whether the result is in `seg[1]` and `gh[1]` (else in place).
///
/// Small nodes are split in place. Large ones are split in parallel: each fixed chunk is
/// partitioned in place, then the chunks' left and right parts are moved to their places in
/// `seg[1]`, in chunk order: the result of one sequential pass, without copying it back.
pub(crate) fn partition(
    seg: [&mut [u32]; 2],
    gh: [&mut [GradHess]; 2],
    binned: &Binned,
    feature: usize,
    left: &[bool; 256],
    scratch: &mut Scratch,
) -> (usize, bool) {
    let col = binned.column(feature);
    let [seg, out] = seg;
    let [seg_gh, out_gh] = gh;
    if seg.len() < 2 * CHUNK || out.len() != seg.len() || out_gh.len() != seg.len() {
        return (partition_chunk(seg, seg_gh, col, left, scratch), false);
    }
    let counts: Vec<usize> = seg
        .par_chunks_mut(CHUNK)
        .zip(seg_gh.par_chunks_mut(CHUNK))
        .map_init(Scratch::default, |scr, (rows, ghs)| {
            partition_chunk(rows, ghs, col, left, scr)
        })
        .collect();
    let n_left: usize = counts.iter().sum();
    // Each chunk's destinations: its share of the left part and of the right part.
    let (mut lr, mut rr) = out.split_at_mut(n_left);
    let (mut lg, mut rg) = out_gh.split_at_mut(n_left);
    let mut dests = Vec::with_capacity(counts.len());
    for (c, &nl) in counts.iter().enumerate() {
        let len = (seg.len() - c * CHUNK).min(CHUNK);
        let (a, lr2) = lr.split_at_mut(nl);
        let (b, rr2) = rr.split_at_mut(len - nl);
        let (ag, lg2) = lg.split_at_mut(nl);
        let (bg, rg2) = rg.split_at_mut(len - nl);
        dests.push((nl, a, b, ag, bg));
        (lr, rr, lg, rg) = (lr2, rr2, lg2, rg2);
    }
    seg.par_chunks(CHUNK)
        .zip(seg_gh.par_chunks(CHUNK))
        .zip(dests.into_par_iter())
        .for_each(|((rows, ghs), (nl, l, r, lgh, rgh))| {
            l.copy_from_slice(&rows[..nl]);
            r.copy_from_slice(&rows[nl..]);
            lgh.copy_from_slice(&ghs[..nl]);
            rgh.copy_from_slice(&ghs[nl..]);
        });
    (n_left, true)
}

/// The sequential stable partition, without branches on the data: every row is written to
/// both sides and only the side it belongs to advances.
fn partition_chunk(
    seg: &mut [u32],
    seg_gh: &mut [GradHess],
    col: &[u8],
    left: &[bool; 256],
    scratch: &mut Scratch,
) -> usize {
    let (tr, tg) = scratch.room(seg.len() + 1);
    let (mut w, mut j) = (0usize, 0usize);
    for i in 0..seg.len() {
        let (r, v) = (seg[i], seg_gh[i]);
        let l = left[usize::from(col[r as usize])];
        // w <= i: the slot was read already.
        seg[w] = r;
        seg_gh[w] = v;
        tr[j] = r;
        tg[j] = v;
        w += usize::from(l);
        j += usize::from(!l);
    }
    seg[w..].copy_from_slice(&tr[..j]);
    seg_gh[w..].copy_from_slice(&tg[..j]);
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boost::bin::BinMapper;

    #[test]
    fn stable_in_both_paths_and_gradients_follow() {
        // One feature whose bin is the row's value mod 3; bin 0 goes left.
        let n = 3 * CHUNK + 17;
        let x = ndarray::Array2::from_shape_fn((n, 1), |(i, _)| (i % 3) as f64);
        let m = BinMapper::fit(x.view(), None, 255, &[false], 1000, 0).unwrap();
        let binned = m.transform(x.view());
        for size in [100, n] {
            let mut seg: Vec<u32> = (0..size as u32).collect();
            let mut gh: Vec<GradHess> = (0..size)
                .map(|i| GradHess {
                    g: i as f32,
                    h: 1.0,
                })
                .collect();
            let mut scratch = Scratch::default();
            let table: [bool; 256] = std::array::from_fn(|b| b == 0);
            let (mut out, mut out_gh) = (vec![0; size], vec![GradHess::default(); size]);
            let (w, moved) = partition(
                [&mut seg, &mut out],
                [&mut gh, &mut out_gh],
                &binned,
                0,
                &table,
                &mut scratch,
            );
            assert_eq!(moved, size >= 2 * CHUNK);
            let (seg, gh) = if moved { (out, out_gh) } else { (seg, gh) };
            let want_left: Vec<u32> = (0..size as u32).filter(|r| r % 3 == 0).collect();
            let want_right: Vec<u32> = (0..size as u32).filter(|r| r % 3 != 0).collect();
            assert_eq!(&seg[..w], &want_left[..]);
            assert_eq!(&seg[w..], &want_right[..]);
            assert!(seg.iter().zip(&gh).all(|(&r, v)| v.g as u32 == r));
        }
    }
}
