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
    /// Each row's side (1 left, 0 right), for the parallel path.
    sides: Vec<u8>,
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

    /// A buffer of `len` sides, stale like [`Scratch::room`]'s.
    fn sides(&mut self, len: usize) -> &mut [u8] {
        if self.sides.len() < len {
            self.sides.resize(len, 0);
        }
        &mut self.sides[..len]
    }
}

/// Splits the rows of `seg[0]` (with their gradients in `gh[0]`) stably between the rows
/// whose bin `b` of `feature` has `left[b]` (first) and the others, and returns how many went
/// left and whether the result is in `seg[1]` and `gh[1]` (else in place).
///
/// Small nodes are split in place. Large ones are split in parallel in two passes over fixed
/// chunks: the first counts each chunk's left rows, which fixes where its left and right rows
/// go in `seg[1]`; the second writes every row once, straight to its place. Each row is read
/// twice and written once, where partitioning each chunk in place and then moving its parts
/// wrote it three times.
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
    // The first pass notes each row's side: the second then reads it in order instead of
    // looking the row's bin up again (a cache miss per row on a large node).
    let sides = scratch.sides(seg.len());
    let counts: Vec<usize> = seg
        .par_chunks(CHUNK)
        .zip(sides.par_chunks_mut(CHUNK))
        .map(|(rows, sides)| {
            let mut n = 0;
            for (s, &r) in sides.iter_mut().zip(rows) {
                let l = col.get(r as usize).is_some_and(|&b| left[usize::from(b)]);
                *s = u8::from(l);
                n += usize::from(l);
            }
            n
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
        dests.push(([a, b], [ag, bg]));
        (lr, rr, lg, rg) = (lr2, rr2, lg2, rg2);
    }
    seg.par_chunks(CHUNK)
        .zip(seg_gh.par_chunks(CHUNK))
        .zip(sides.par_chunks(CHUNK))
        .zip(dests.into_par_iter())
        .for_each(|(((rows, ghs), sides), (to, to_gh))| scatter(rows, ghs, sides, to, to_gh));
    (n_left, true)
}

/// Writes `rows` (with their gradients `ghs`) stably to `to[0]` (the rows whose `sides` is 1)
/// and `to[1]` (the others), whose lengths are the two counts. While both sides have room, every
/// row is written to both and only its own side advances (no branch on the data); once one
/// side is full, the rest belong to the other and are copied.
fn scatter(
    rows: &[u32],
    ghs: &[GradHess],
    sides: &[u8],
    to: [&mut [u32]; 2],
    to_gh: [&mut [GradHess]; 2],
) {
    let [l, r] = to;
    let [lg, rg] = to_gh;
    let (mut wl, mut wr) = (0usize, 0usize);
    let mut i = 0;
    let n = rows.len().min(ghs.len()).min(sides.len());
    while wl < l.len() && wr < r.len() && i < n {
        let (row, v) = (rows[i], ghs[i]);
        let go = sides[i] != 0;
        l[wl] = row;
        lg[wl] = v;
        r[wr] = row;
        rg[wr] = v;
        wl += usize::from(go);
        wr += usize::from(!go);
        i += 1;
    }
    let rest = rows.len() - i;
    debug_assert!(wl == l.len() || wr == r.len());
    if wl == l.len() && wr + rest == r.len() {
        r[wr..].copy_from_slice(&rows[i..]);
        rg[wr..].copy_from_slice(&ghs[i..]);
    } else if wr == r.len() && wl + rest == l.len() {
        l[wl..].copy_from_slice(&rows[i..]);
        lg[wl..].copy_from_slice(&ghs[i..]);
    }
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
        // One feature whose bin is the row's value mod 3.
        let n = 3 * CHUNK + 17;
        let x = ndarray::Array2::from_shape_fn((n, 1), |(i, _)| (i % 3) as f64);
        let m = BinMapper::fit(x.view(), None, 255, &[false], 1000, 0).unwrap();
        let binned = m.transform(x.view());
        // Bin 0 left (a third of the rows), nothing left, everything left, and bins 1-2
        // left, whose rows do not start the data.
        let tables: [fn(usize) -> bool; 4] = [|b| b == 0, |_| false, |_| true, |b| b > 0];
        for (size, pick) in [100, n].into_iter().flat_map(|s| tables.map(|t| (s, t))) {
            let mut seg: Vec<u32> = (0..size as u32).collect();
            let mut gh: Vec<GradHess> = (0..size)
                .map(|i| GradHess {
                    g: i as f32,
                    h: 1.0,
                })
                .collect();
            let mut scratch = Scratch::default();
            let table: [bool; 256] = std::array::from_fn(pick);
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
            let want_left: Vec<u32> = (0..size as u32).filter(|r| pick(*r as usize % 3)).collect();
            let want_right: Vec<u32> = (0..size as u32)
                .filter(|r| !pick(*r as usize % 3))
                .collect();
            assert_eq!(&seg[..w], &want_left[..]);
            assert_eq!(&seg[w..], &want_right[..]);
            assert!(seg.iter().zip(&gh).all(|(&r, v)| v.g as u32 == r));
        }
    }
}
