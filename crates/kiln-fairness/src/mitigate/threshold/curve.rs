//! The trade-off curves of fairlearn's `ThresholdOptimizer`: every threshold of a group's
//! scores as a point (constraint metric, objective), the upper convex hull of those points,
//! and its linear interpolation on a grid of the constraint metric.
//!
//! Floating-point operations follow fairlearn 0.15's order (`_tradeoff_curve_utilities.py`)
//! so the chosen grid point and the interpolation weights agree to the last bits.

use serde::{Deserialize, Serialize};

use crate::mitigate::Disparity;

use super::Objective;

/// A threshold rule: predict 1 when the score is above (`>`) or below (`<`) the threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ThresholdOperation {
    /// `true` for `score > threshold` (fairlearn's `">"`), `false` for `score < threshold`.
    pub greater: bool,
    /// The threshold; may be `±∞` (always 0 or always 1).
    pub threshold: f64,
}

impl ThresholdOperation {
    /// Whether the rule predicts 1 for `score`.
    #[inline]
    pub fn apply(&self, score: f64) -> bool {
        if self.greater {
            score > self.threshold
        } else {
            score < self.threshold
        }
    }

    /// fairlearn's operator string, `">"` or `"<"`.
    pub fn operator(&self) -> &'static str {
        if self.greater { ">" } else { "<" }
    }
}

/// Integer confusion counts of one threshold (exact in `f64` up to 2^53 rows).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Counts {
    pub tp: f64,
    pub fp: f64,
    pub tn: f64,
    pub fn_: f64,
}

impl Counts {
    fn n(&self) -> f64 {
        self.tp + self.tn + self.fp + self.fn_
    }
}

/// The x metric of a constraint (fairlearn's `METRIC_DICT`); equalized odds uses the FPR.
pub(crate) fn x_metric(constraint: Disparity, c: &Counts) -> f64 {
    match constraint {
        Disparity::DemographicParity => (c.tp + c.fp) / c.n(),
        Disparity::FalsePositiveRateParity | Disparity::EqualizedOdds => c.fp / (c.tn + c.fp),
        Disparity::FalseNegativeRateParity => c.fn_ / (c.tp + c.fn_),
        Disparity::TruePositiveRateParity => c.tp / (c.tp + c.fn_),
        Disparity::TrueNegativeRateParity => c.tn / (c.tn + c.fp),
    }
}

/// The objective (the y metric of a simple constraint).
pub(crate) fn objective_value(objective: Objective, c: &Counts) -> f64 {
    match objective {
        Objective::AccuracyScore => (c.tp + c.tn) / c.n(),
        Objective::BalancedAccuracyScore => {
            0.5 * c.tp / (c.tp + c.fn_) + 0.5 * c.tn / (c.tn + c.fp)
        }
    }
}

/// One point of a curve.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Point {
    pub x: f64,
    pub y: f64,
    pub op: ThresholdOperation,
}

/// The group's trade-off points over every distinct threshold of its scores, sorted by
/// `(x, y)` (stable), as fairlearn's `_calculate_tradeoff_points`.
///
/// `rows` are (score, label) pairs; the group must have both labels.
pub(crate) fn tradeoff_points(
    rows: &mut [(f64, usize)],
    flip: bool,
    x_fn: &dyn Fn(&Counts) -> f64,
    y_fn: &dyn Fn(&Counts) -> f64,
) -> Vec<Point> {
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    let n = rows.len();
    let n_pos = rows.iter().filter(|r| r.1 == 1).count() as f64;
    let n_neg = n as f64 - n_pos;
    let mut points = Vec::with_capacity(if flip { 2 * (n + 1) } else { n + 1 });
    let mut count = [0.0f64; 2];
    let mut i = 0;
    let mut first = true;
    while i < n {
        let threshold = if first {
            first = false;
            f64::INFINITY
        } else {
            let t = rows[i].0;
            while i < n && rows[i].0 == t {
                count[rows[i].1] += 1.0;
                i += 1;
            }
            let next = if i < n { rows[i].0 } else { f64::NEG_INFINITY };
            (t + next) / 2.0
        };
        let actual = Counts {
            fp: count[0],
            tp: count[1],
            tn: n_neg - count[0],
            fn_: n_pos - count[1],
        };
        points.push(Point {
            x: x_fn(&actual),
            y: y_fn(&actual),
            op: ThresholdOperation {
                greater: true,
                threshold,
            },
        });
        if flip {
            let flipped = Counts {
                fp: n_neg - count[0],
                tp: n_pos - count[1],
                tn: count[0],
                fn_: count[1],
            };
            points.push(Point {
                x: x_fn(&flipped),
                y: y_fn(&flipped),
                op: ThresholdOperation {
                    greater: false,
                    threshold,
                },
            });
        }
    }
    points.sort_by(|a, b| a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y)));
    points
}

/// The upper convex hull of points sorted by `(x, y)` (Andrew's monotone chain, with
/// fairlearn's `<=` test, so of collinear or repeated points the last one stays).
pub(crate) fn upper_hull(points: &[Point]) -> Vec<Point> {
    let mut hull: Vec<Point> = Vec::with_capacity(points.len());
    for &r2 in points {
        while hull.len() >= 2 {
            let r1 = hull[hull.len() - 1];
            let r0 = hull[hull.len() - 2];
            if (r1.y - r0.y) * (r2.x - r0.x) <= (r2.y - r0.y) * (r1.x - r0.x) {
                hull.pop();
            } else {
                break;
            }
        }
        hull.push(r2);
    }
    hull
}

/// numpy's `linspace(0, 1, grid_size + 1)`: `i · (1 / grid_size)`, the last exactly 1.
pub(crate) fn grid(grid_size: usize) -> Vec<f64> {
    let step = 1.0 / grid_size as f64;
    let mut g: Vec<f64> = (0..=grid_size).map(|i| i as f64 * step).collect();
    if let Some(last) = g.last_mut() {
        *last = 1.0;
    }
    g
}

/// A curve interpolated at one grid point: mix `p0` of `op0` with `p1` of `op1`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Interpolated {
    pub x: f64,
    pub y: f64,
    pub p0: f64,
    pub op0: ThresholdOperation,
    pub p1: f64,
    pub op1: ThresholdOperation,
}

/// The hull interpolated at every grid point (fairlearn's `_interpolate_curve` with
/// `_get_interpolation_indices`). The hull spans x in `[0, 1]` and has at least two points.
pub(crate) fn interpolate(hull: &[Point], grid: &[f64]) -> Vec<Interpolated> {
    let last = hull.len().saturating_sub(2);
    grid.iter()
        .enumerate()
        .map(|(i, &g)| {
            // searchsorted(side="right") − 1, then one step left when the grid point sits on
            // a hull point (except the first grid point).
            let mut idx = hull.partition_point(|p| p.x <= g) as isize - 1;
            if i > 0 && idx >= 0 && g == hull[idx as usize].x {
                idx -= 1;
            }
            let idx = (idx.max(0) as usize).min(last);
            let (a, b) = (hull[idx], hull[idx + 1]);
            let p0 = (b.x - g) / (b.x - a.x);
            let p1 = 1.0 - p0;
            Interpolated {
                x: g,
                y: p0 * a.y + p1 * b.y,
                p0,
                op0: a.op,
                p1,
                op1: b.op,
            }
        })
        .collect()
}

/// The index of the first maximum (pandas' `idxmax`); NaN never wins.
pub(crate) fn first_argmax(values: &[f64]) -> usize {
    let mut best = 0;
    let mut best_v = f64::NEG_INFINITY;
    for (i, &v) in values.iter().enumerate() {
        if v > best_v {
            best_v = v;
            best = i;
        }
    }
    best
}

/// numpy's `around(v, 15)`: scale, round half to even, unscale.
pub(crate) fn around15(v: f64) -> f64 {
    (v * 1e15).round_ties_even() / 1e15
}
