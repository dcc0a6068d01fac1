//! Impurity criteria: node statistics, impurities, and the running sums the split search
//! scans over sorted rows.
//!
//! Gini and entropy follow Breiman et al. (1984) and Quinlan (1986); squared error is the
//! weighted variance. During a scan only a *proxy* of the improvement is compared (a quantity
//! that orders the splits of one node as the impurity decrease does, without its constant
//! terms), as scikit-learn does:
//!
//! - Gini: `Σ_k l_k² / w_l + Σ_k r_k² / w_r` (from `w·gini = w − Σ_k c_k² / w`);
//! - entropy: `Σ_k l_k ln l_k − w_l ln w_l + (the same on the right)`
//!   (from `w·H = w ln w − Σ_k c_k ln c_k`, in nats; the base does not change the order);
//! - squared error: `s_l² / w_l + s_r² / w_r`, with `s` the weighted sums of the target.
//!
//! Each proxy is updated in O(1) when one row moves from the right child to the left.

/// The impurity measure a tree is grown with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Impurity {
    Gini,
    Entropy,
    SquaredError,
}

/// The training target as the builder sees it: indexed by row of `X`.
#[derive(Debug, Clone, Copy)]
pub(crate) enum TargetData<'a> {
    /// Dense class codes `0..n_classes`.
    Classes { codes: &'a [u32], n_classes: usize },
    /// Real values.
    Values { y: &'a [f64] },
}

impl TargetData<'_> {
    /// The length of a node value: one entry per class, or 1.
    pub(crate) fn n_outputs(&self) -> usize {
        match self {
            TargetData::Classes { n_classes, .. } => *n_classes,
            TargetData::Values { .. } => 1,
        }
    }
}

/// The statistics of the rows in one node.
#[derive(Debug, Clone)]
pub(crate) struct Stats {
    pub(crate) n: usize,
    pub(crate) w: f64,
    /// Weighted class totals (classification); empty for regression.
    pub(crate) counts: Vec<f64>,
    /// Weighted sum of the target (regression).
    pub(crate) sum: f64,
    pub(crate) impurity: f64,
}

impl Stats {
    /// Statistics of the rows `rows`, with weights indexed by row of `X`.
    pub(crate) fn of(
        rows: &[u32],
        weights: &[f64],
        target: TargetData<'_>,
        kind: Impurity,
    ) -> Self {
        let mut s = Self::empty(target);
        match target {
            TargetData::Classes { codes, .. } => {
                for &r in rows {
                    let (r, w) = (r as usize, weights[r as usize]);
                    s.counts[codes[r] as usize] += w;
                    s.w += w;
                }
            }
            TargetData::Values { y } => {
                for &r in rows {
                    let (r, w) = (r as usize, weights[r as usize]);
                    s.sum += w * y[r];
                    s.w += w;
                }
            }
        }
        s.n = rows.len();
        s.finish(rows, weights, target, kind);
        s
    }

    /// Statistics of the two sides of a partition of `rows`; `left[r]` says the side of row `r`.
    pub(crate) fn of_split(
        rows: &[u32],
        left: &[bool],
        weights: &[f64],
        target: TargetData<'_>,
        kind: Impurity,
    ) -> (Self, Self) {
        let (mut l, mut r) = (Self::empty(target), Self::empty(target));
        for &row in rows {
            let i = row as usize;
            let s = if left[i] { &mut l } else { &mut r };
            let w = weights[i];
            match target {
                TargetData::Classes { codes, .. } => s.counts[codes[i] as usize] += w,
                TargetData::Values { y } => s.sum += w * y[i],
            }
            s.w += w;
            s.n += 1;
        }
        if let TargetData::Values { .. } = target {
            // The variance needs the mean first: a second pass per side.
            l.impurity = variance_of(rows, left, true, l.sum / l.w, weights, target) / l.w;
            r.impurity = variance_of(rows, left, false, r.sum / r.w, weights, target) / r.w;
        } else {
            l.impurity = class_impurity(&l.counts, l.w, kind);
            r.impurity = class_impurity(&r.counts, r.w, kind);
        }
        (l, r)
    }

    /// [`Stats::of_split`] for rows given position by position: `left[k]` is the side of the
    /// `k`-th row, `w[k]` its weight and `t[k]` its class (as `f64`) or target value.
    pub(crate) fn of_split_positional(
        left: &[bool],
        w: &[f64],
        t: &[f64],
        target: TargetData<'_>,
        kind: Impurity,
    ) -> (Self, Self) {
        let (mut l, mut r) = (Self::empty(target), Self::empty(target));
        let classes = matches!(target, TargetData::Classes { .. });
        for ((&go_left, &wk), &tk) in left.iter().zip(w).zip(t) {
            let s = if go_left { &mut l } else { &mut r };
            if classes {
                s.counts[tk as usize] += wk;
            } else {
                s.sum += wk * tk;
            }
            s.w += wk;
            s.n += 1;
        }
        if classes {
            l.impurity = class_impurity(&l.counts, l.w, kind);
            r.impurity = class_impurity(&r.counts, r.w, kind);
        } else {
            let (ml, mr) = (l.sum / l.w, r.sum / r.w);
            let (mut ssl, mut ssr) = (0.0, 0.0);
            for ((&go_left, &wk), &tk) in left.iter().zip(w).zip(t) {
                if go_left {
                    ssl += wk * (tk - ml) * (tk - ml);
                } else {
                    ssr += wk * (tk - mr) * (tk - mr);
                }
            }
            l.impurity = ssl / l.w;
            r.impurity = ssr / r.w;
        }
        (l, r)
    }

    fn empty(target: TargetData<'_>) -> Self {
        let k = match target {
            TargetData::Classes { n_classes, .. } => n_classes,
            TargetData::Values { .. } => 0,
        };
        Self {
            n: 0,
            w: 0.0,
            counts: vec![0.0; k],
            sum: 0.0,
            impurity: 0.0,
        }
    }

    fn finish(&mut self, rows: &[u32], weights: &[f64], target: TargetData<'_>, kind: Impurity) {
        self.impurity = match target {
            TargetData::Classes { .. } => class_impurity(&self.counts, self.w, kind),
            TargetData::Values { y } => {
                let mean = self.sum / self.w;
                let ss: f64 = rows
                    .iter()
                    .map(|&r| {
                        let d = y[r as usize] - mean;
                        weights[r as usize] * d * d
                    })
                    .sum();
                ss / self.w
            }
        };
    }

    /// The node value: class fractions, or the weighted mean.
    pub(crate) fn value(&self, out: &mut Vec<f64>) {
        out.clear();
        if self.counts.is_empty() {
            out.push(self.sum / self.w);
        } else {
            out.extend(self.counts.iter().map(|c| c / self.w));
        }
    }
}

fn variance_of(
    rows: &[u32],
    left: &[bool],
    side: bool,
    mean: f64,
    weights: &[f64],
    target: TargetData<'_>,
) -> f64 {
    let TargetData::Values { y } = target else {
        return 0.0;
    };
    rows.iter()
        .filter(|&&r| left[r as usize] == side)
        .map(|&r| {
            let d = y[r as usize] - mean;
            weights[r as usize] * d * d
        })
        .sum()
}

/// Gini or entropy (in bits, as scikit-learn) of weighted class totals.
pub(crate) fn class_impurity(counts: &[f64], w: f64, kind: Impurity) -> f64 {
    if w <= 0.0 {
        return 0.0;
    }
    match kind {
        Impurity::Entropy => -counts
            .iter()
            .filter(|&&c| c > 0.0)
            .map(|&c| {
                let p = c / w;
                p * p.log2()
            })
            .sum::<f64>(),
        _ => 1.0 - counts.iter().map(|&c| (c / w) * (c / w)).sum::<f64>(),
    }
}

#[inline]
fn xlnx(x: f64) -> f64 {
    if x > 0.0 { x * x.ln() } else { 0.0 }
}

/// The running sums of a scan over one node's rows in sorted order: rows move one at a time
/// from the right child to the left.
pub(crate) trait Scan {
    /// Puts every row of the node (with totals `node`) on the right.
    fn reset(&mut self, node: &Stats);
    /// Moves row `r` (a row index of `X`) from the right to the left.
    fn move_left(&mut self, r: usize);
    /// Moves one histogram bin's rows from the right to the left: `bin` holds their weight
    /// per class (classification) or `[weight, weighted sum of y]` (regression).
    fn move_bin_left(&mut self, bin: &[f64]);
    /// The proxy of the impurity decrease of the current partition (higher is better).
    fn proxy(&self) -> f64;
}

/// Gini scan.
pub(crate) struct GiniScan<'a> {
    codes: &'a [u32],
    weights: &'a [f64],
    left: Vec<f64>,
    right: Vec<f64>,
    sq_left: f64,
    sq_right: f64,
    w_left: f64,
    w_right: f64,
}

impl<'a> GiniScan<'a> {
    pub(crate) fn new(codes: &'a [u32], weights: &'a [f64], n_classes: usize) -> Self {
        Self {
            codes,
            weights,
            left: vec![0.0; n_classes],
            right: vec![0.0; n_classes],
            sq_left: 0.0,
            sq_right: 0.0,
            w_left: 0.0,
            w_right: 0.0,
        }
    }
}

impl Scan for GiniScan<'_> {
    fn reset(&mut self, node: &Stats) {
        self.left.iter_mut().for_each(|c| *c = 0.0);
        self.right.copy_from_slice(&node.counts);
        self.sq_left = 0.0;
        self.sq_right = node.counts.iter().map(|c| c * c).sum();
        self.w_left = 0.0;
        self.w_right = node.w;
    }

    #[inline]
    fn move_left(&mut self, r: usize) {
        let (c, w) = (self.codes[r] as usize, self.weights[r]);
        let (l, rt) = (self.left[c], self.right[c]);
        // (l + w)² − l² and (r − w)² − r², so the squares never need a pass over the classes.
        self.sq_left += w * (2.0 * l + w);
        self.sq_right += w * (w - 2.0 * rt);
        self.left[c] = l + w;
        self.right[c] = rt - w;
        self.w_left += w;
        self.w_right -= w;
    }

    #[inline]
    fn move_bin_left(&mut self, bin: &[f64]) {
        // Branch-free: a class absent from the bin adds zeros.
        for ((&w, l), rt) in bin.iter().zip(&mut self.left).zip(&mut self.right) {
            self.sq_left += w * (2.0 * *l + w);
            self.sq_right += w * (w - 2.0 * *rt);
            *l += w;
            *rt -= w;
            self.w_left += w;
            self.w_right -= w;
        }
    }

    #[inline]
    fn proxy(&self) -> f64 {
        self.sq_left / self.w_left + self.sq_right / self.w_right
    }
}

/// Entropy scan.
pub(crate) struct EntropyScan<'a> {
    codes: &'a [u32],
    weights: &'a [f64],
    left: Vec<f64>,
    right: Vec<f64>,
    clc_left: f64,
    clc_right: f64,
    w_left: f64,
    w_right: f64,
}

impl<'a> EntropyScan<'a> {
    pub(crate) fn new(codes: &'a [u32], weights: &'a [f64], n_classes: usize) -> Self {
        Self {
            codes,
            weights,
            left: vec![0.0; n_classes],
            right: vec![0.0; n_classes],
            clc_left: 0.0,
            clc_right: 0.0,
            w_left: 0.0,
            w_right: 0.0,
        }
    }
}

impl Scan for EntropyScan<'_> {
    fn reset(&mut self, node: &Stats) {
        self.left.iter_mut().for_each(|c| *c = 0.0);
        self.right.copy_from_slice(&node.counts);
        self.clc_left = 0.0;
        self.clc_right = node.counts.iter().map(|&c| xlnx(c)).sum();
        self.w_left = 0.0;
        self.w_right = node.w;
    }

    #[inline]
    fn move_left(&mut self, r: usize) {
        let (c, w) = (self.codes[r] as usize, self.weights[r]);
        let (l, rt) = (self.left[c], self.right[c]);
        self.clc_left += xlnx(l + w) - xlnx(l);
        self.clc_right += xlnx(rt - w) - xlnx(rt);
        self.left[c] = l + w;
        self.right[c] = rt - w;
        self.w_left += w;
        self.w_right -= w;
    }

    #[inline]
    fn move_bin_left(&mut self, bin: &[f64]) {
        for (c, &w) in bin.iter().enumerate() {
            if w != 0.0 {
                let (l, rt) = (self.left[c], self.right[c]);
                self.clc_left += xlnx(l + w) - xlnx(l);
                self.clc_right += xlnx(rt - w) - xlnx(rt);
                self.left[c] = l + w;
                self.right[c] = rt - w;
                self.w_left += w;
                self.w_right -= w;
            }
        }
    }

    #[inline]
    fn proxy(&self) -> f64 {
        self.clc_left - xlnx(self.w_left) + self.clc_right - xlnx(self.w_right)
    }
}

/// Squared-error scan.
pub(crate) struct MseScan<'a> {
    y: &'a [f64],
    weights: &'a [f64],
    sum_left: f64,
    sum_total: f64,
    w_left: f64,
    w_total: f64,
}

impl<'a> MseScan<'a> {
    pub(crate) fn new(y: &'a [f64], weights: &'a [f64]) -> Self {
        Self {
            y,
            weights,
            sum_left: 0.0,
            sum_total: 0.0,
            w_left: 0.0,
            w_total: 0.0,
        }
    }
}

impl Scan for MseScan<'_> {
    fn reset(&mut self, node: &Stats) {
        self.sum_left = 0.0;
        self.sum_total = node.sum;
        self.w_left = 0.0;
        self.w_total = node.w;
    }

    #[inline]
    fn move_left(&mut self, r: usize) {
        let w = self.weights[r];
        self.sum_left += w * self.y[r];
        self.w_left += w;
    }

    #[inline]
    fn move_bin_left(&mut self, bin: &[f64]) {
        self.w_left += bin[0];
        self.sum_left += bin[1];
    }

    #[inline]
    fn proxy(&self) -> f64 {
        let sum_right = self.sum_total - self.sum_left;
        let w_right = self.w_total - self.w_left;
        self.sum_left * self.sum_left / self.w_left + sum_right * sum_right / w_right
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gini_and_entropy_of_known_counts() {
        assert!((class_impurity(&[1.0, 1.0], 2.0, Impurity::Gini) - 0.5).abs() < 1e-15);
        assert!((class_impurity(&[1.0, 1.0], 2.0, Impurity::Entropy) - 1.0).abs() < 1e-15);
        assert_eq!(class_impurity(&[3.0, 0.0], 3.0, Impurity::Entropy), 0.0);
    }

    #[test]
    fn gini_scan_proxy_matches_direct_formula() {
        let codes = [0u32, 1, 1, 0, 2];
        let w = [1.0, 2.0, 0.5, 1.0, 3.0];
        let rows: Vec<u32> = (0..5).collect();
        let t = TargetData::Classes {
            codes: &codes,
            n_classes: 3,
        };
        let node = Stats::of(&rows, &w, t, Impurity::Gini);
        let mut s = GiniScan::new(&codes, &w, 3);
        s.reset(&node);
        s.move_left(0);
        s.move_left(1);
        // Left: class 0 → 1, class 1 → 2; right: class 1 → 0.5, class 0 → 1, class 2 → 3.
        let direct = (1.0 + 4.0) / 3.0 + (0.25 + 1.0 + 9.0) / 4.5;
        assert!((s.proxy() - direct).abs() < 1e-12);
    }
}
