//! Drawing bootstrap resamples and counting their cells without touching the rows.
//!
//! The rows are laid out once sorted by cell (`group * 4 + 2 * y_true + y_pred`), so the
//! positions of a cell are one contiguous range. Each draw adds 1 to its position's
//! multiplicity (a byte per row, 1 MB for a million rows: the random writes stay in cache and
//! do not wait on any read), then one sequential pass sums each cell's range: the rows drawn
//! and, when weighted, multiplicity × weight. Measured on 1M rows and 80 groups, this is about
//! twice as fast as reading each drawn row's cell code and incrementing its counter. The
//! drawn rows themselves (`perm[p]`) are produced only when a metric needs them.

use kiln_core::random::KilnRng;
use rand::RngCore;

use super::engine::{Cells, Data};

/// Uniform draws per block.
const DRAW_BLOCK: usize = 512;

/// The rows sorted by cell, with what a resample needs to count cells.
pub(crate) struct Layout {
    n: u32,
    /// Lemire's rejection threshold `2^32 mod n`.
    threshold: u32,
    /// Row of each position (rows sorted by cell, stable).
    perm: Vec<u32>,
    /// Start position of each cell, and `n` at the end.
    starts: Vec<u32>,
    /// Weight of each position.
    weight: Option<Vec<f64>>,
}

/// Per-task scratch space of the resampling.
pub(crate) struct Scratch {
    bytes: Vec<u8>,
    block: Vec<u32>,
    mult: Vec<u8>,
    /// Draws of a position already drawn 255 times (kept exact, never expected).
    extra: Vec<u32>,
}

impl Layout {
    /// Sorts the rows of `data` by cell (a counting sort).
    pub fn new(data: &Data) -> Self {
        let n = data.codes.len();
        let n_cells = 4 * data.n_groups;
        let mut starts = vec![0u32; n_cells + 1];
        for i in 0..n {
            starts[data.codes.get(i) + 1] += 1;
        }
        for c in 0..n_cells {
            starts[c + 1] += starts[c];
        }
        let mut next: Vec<u32> = starts[..n_cells].to_vec();
        let mut perm = vec![0u32; n];
        for i in 0..n {
            let c = data.codes.get(i);
            perm[next[c] as usize] = i as u32;
            next[c] += 1;
        }
        let weight = data
            .weight
            .as_ref()
            .map(|w| perm.iter().map(|&r| w[r as usize]).collect());
        let n32 = n as u32;
        Self {
            n: n32,
            threshold: n32.wrapping_neg() % n32,
            perm,
            starts,
            weight,
        }
    }

    /// Scratch space for one task.
    pub fn scratch(&self) -> Scratch {
        Scratch {
            bytes: vec![0; 4 * DRAW_BLOCK],
            block: vec![0; DRAW_BLOCK],
            mult: vec![0; self.n as usize],
            extra: Vec::new(),
        }
    }

    /// The cell of position `p`: the last cell starting at or before it (an empty cell
    /// starts where the next one does, so it is never the last).
    fn cell_of(&self, p: u32) -> usize {
        self.starts.partition_point(|&s| s <= p).saturating_sub(1)
    }

    /// Fills `out` with positions uniform in `0..n`: Lemire's multiply-and-reject on 32-bit
    /// draws taken from the generator's byte stream, exactly uniform (D. Lemire, "Fast random
    /// integer generation in an interval", ACM TOMACS 29(1), 2019).
    #[inline]
    fn draw(&self, rng: &mut KilnRng, bytes: &mut [u8], out: &mut [u32]) {
        let bytes = &mut bytes[..4 * out.len()];
        rng.fill_bytes(bytes);
        let n = u64::from(self.n);
        for (o, c) in out.iter_mut().zip(bytes.chunks_exact(4)) {
            let mut m = u64::from(u32::from_le_bytes([c[0], c[1], c[2], c[3]])) * n;
            while (m as u32) < self.threshold {
                m = u64::from(rng.next_u32()) * n;
            }
            *o = (m >> 32) as u32;
        }
    }

    /// Draws one resample from `rng`: adds its cell counts (and weights) to `cells` (zeroed
    /// by the caller) and, when `drawn` is given, appends its rows in draw order.
    pub fn resample(
        &self,
        rng: &mut KilnRng,
        scratch: &mut Scratch,
        cells: &mut Cells,
        mut drawn: Option<&mut Vec<u32>>,
    ) {
        let n = self.n as usize;
        scratch.mult.fill(0);
        scratch.extra.clear();
        let mut done = 0;
        while done < n {
            let len = DRAW_BLOCK.min(n - done);
            let block = &mut scratch.block[..len];
            self.draw(rng, &mut scratch.bytes, block);
            for &p in block.iter() {
                let m = &mut scratch.mult[p as usize];
                if *m == u8::MAX {
                    scratch.extra.push(p);
                } else {
                    *m += 1;
                }
            }
            if let Some(d) = drawn.as_deref_mut() {
                d.extend(block.iter().map(|&p| self.perm[p as usize]));
            }
            done += len;
        }
        if let (Some(w), Some(acc)) = (&self.weight, cells.weight.as_deref_mut()) {
            for (c, (r, a)) in cells.rows.iter_mut().zip(acc.iter_mut()).enumerate() {
                let range = self.starts[c] as usize..self.starts[c + 1] as usize;
                let (mut rows, mut sum) = (0u64, 0.0f64);
                for (&m, &wi) in scratch.mult[range.clone()].iter().zip(&w[range]) {
                    rows += u64::from(m);
                    sum += f64::from(m) * wi;
                }
                *r += rows;
                *a += sum;
            }
            for &p in &scratch.extra {
                let c = self.cell_of(p);
                cells.rows[c] += 1;
                acc[c] += w[p as usize];
            }
        } else {
            for (c, r) in cells.rows.iter_mut().enumerate() {
                let range = self.starts[c] as usize..self.starts[c + 1] as usize;
                *r += scratch.mult[range]
                    .iter()
                    .map(|&m| u64::from(m))
                    .sum::<u64>();
            }
            for &p in &scratch.extra {
                cells.rows[self.cell_of(p)] += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::engine::Codes;
    use kiln_core::random::task_rng;
    use ndarray::Array1;

    fn data(weighted: bool) -> Data {
        // 3 groups; cells 1, 4..7 and 9 are empty.
        let codes: Vec<u16> = (0..1000u16)
            .map(|i| [0, 2, 3, 8, 10, 11][usize::from(i % 6)])
            .collect();
        Data {
            codes: Codes::U16(codes),
            n_groups: 3,
            control_ranges: std::iter::once(0..3).collect(),
            has_controls: false,
            y_true: None,
            y_pred: None,
            y_score: None,
            weight: weighted.then(|| Array1::from_shape_fn(1000, |i| 0.5 + (i % 7) as f64)),
        }
    }

    #[test]
    fn positions_map_to_their_rows_cells_and_resamples_count_the_drawn_rows() {
        for weighted in [false, true] {
            let d = data(weighted);
            let layout = Layout::new(&d);
            for p in 0..1000u32 {
                assert_eq!(
                    layout.cell_of(p),
                    d.codes.get(layout.perm[p as usize] as usize)
                );
            }
            let mut cells = Cells {
                rows: vec![0; 12],
                weight: weighted.then(|| vec![0.0; 12]),
            };
            let mut drawn = Vec::new();
            layout.resample(
                &mut task_rng(5, 0),
                &mut layout.scratch(),
                &mut cells,
                Some(&mut drawn),
            );
            let mut rows = vec![0u64; 12];
            let mut weight = vec![0.0f64; 12];
            for &r in &drawn {
                let c = d.codes.get(r as usize);
                rows[c] += 1;
                weight[c] += d.weight.as_ref().map_or(0.0, |w| w[r as usize]);
            }
            assert_eq!(cells.rows, rows);
            assert_eq!(drawn.len(), 1000);
            if let Some(w) = &cells.weight {
                for (a, b) in w.iter().zip(&weight) {
                    assert!((a - b).abs() < 1e-9);
                }
            }
        }
    }
}
