//! One array of a tree's row indices, in node order, with each row's weight and target beside
//! it: the node layout of the histogram search ([`super::hist`]) and of the random splits
//! ([`super::random`]). A node is a range of the array; splitting it partitions that one
//! range stably, so each node's rows stay in increasing row order.

use super::criterion::{Impurity, Stats, TargetData};

/// A tree's rows in node order, with their weights and targets moved along with them.
pub(crate) struct RowSet {
    pub(crate) rows: Vec<u32>,
    /// `weights[rows[k]]`.
    pub(crate) w: Vec<f64>,
    /// The class (classification) or target value (regression) of `rows[k]`, as `f64`.
    pub(crate) t: Vec<f64>,
    scratch: Vec<(u32, f64, f64)>,
    /// The side of each row of the node last split, position by position.
    side: Vec<bool>,
}

impl RowSet {
    /// The rows `rows` (ascending, each with a positive weight) of a tree.
    pub(crate) fn new(rows: &[u32], weights: &[f64], target: TargetData<'_>) -> Self {
        let w = rows.iter().map(|&r| weights[r as usize]).collect();
        let t = match target {
            TargetData::Classes { codes, .. } => {
                rows.iter().map(|&r| f64::from(codes[r as usize])).collect()
            }
            TargetData::Values { y } => rows.iter().map(|&r| y[r as usize]).collect(),
        };
        Self {
            rows: rows.to_vec(),
            w,
            t,
            scratch: Vec::with_capacity(rows.len()),
            side: Vec::with_capacity(rows.len()),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    /// Records the side of each row of the node `start..end` (`goes_left` of its row index)
    /// for [`RowSet::partition`], which must follow, and returns the children's statistics.
    pub(crate) fn split(
        &mut self,
        start: usize,
        end: usize,
        target: TargetData<'_>,
        kind: Impurity,
        goes_left: impl Fn(u32) -> bool,
    ) -> (Stats, Stats) {
        self.side.clear();
        self.side
            .extend(self.rows[start..end].iter().map(|&r| goes_left(r)));
        Stats::of_split_positional(
            &self.side,
            &self.w[start..end],
            &self.t[start..end],
            target,
            kind,
        )
    }

    /// Moves the left rows of `start..end` (the node [`RowSet::split`] last applied to)
    /// before the right ones, each side in its order.
    pub(crate) fn partition(&mut self, start: usize, end: usize) {
        self.scratch.clear();
        let mut to = start;
        for (k, &go_left) in (start..end).zip(&self.side) {
            let (r, w, t) = (self.rows[k], self.w[k], self.t[k]);
            if go_left {
                self.rows[to] = r;
                self.w[to] = w;
                self.t[to] = t;
                to += 1;
            } else {
                self.scratch.push((r, w, t));
            }
        }
        for (k, &(r, w, t)) in (to..end).zip(&self.scratch) {
            self.rows[k] = r;
            self.w[k] = w;
            self.t[k] = t;
        }
    }
}
