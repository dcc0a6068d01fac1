//! The computing core shared by the frame and its bootstrap: rows packed into cell codes,
//! per-group confusion counts, rows bucketed by group for row-based metrics, and every
//! statistic of one (re)sample.

use std::borrow::Cow;
use std::ops::Range;

use kiln_core::Result;
use ndarray::{Array1, ArrayView1};
use rayon::prelude::*;

use super::aggregate::aggregate;
use super::metric::{Metric, MetricKind, Rows, eval_rows};
use crate::confusion::Confusion;
use crate::value::{Value, ZeroDivision};

/// Each row's cell `group * 4 + 2 * y_true + y_pred`, as compact as the group count allows
/// so that the random reads of the bootstrap stay in cache.
#[derive(Debug, Clone)]
pub(crate) enum Codes {
    U16(Vec<u16>),
    U32(Vec<u32>),
}

impl Codes {
    pub fn len(&self) -> usize {
        match self {
            Codes::U16(c) => c.len(),
            Codes::U32(c) => c.len(),
        }
    }

    #[inline]
    pub fn get(&self, i: usize) -> usize {
        match self {
            Codes::U16(c) => usize::from(c[i]),
            Codes::U32(c) => c[i] as usize,
        }
    }
}

/// The rows a frame was computed on, kept for the bootstrap.
#[derive(Debug, Clone)]
pub(crate) struct Data {
    pub codes: Codes,
    pub n_groups: usize,
    pub control_ranges: Vec<Range<usize>>,
    pub has_controls: bool,
    /// Labels, kept only when a metric needs rows.
    pub y_true: Option<Array1<usize>>,
    pub y_pred: Option<Array1<usize>>,
    pub y_score: Option<Array1<f64>>,
    pub weight: Option<Array1<f64>>,
}

/// Cell counts of a (re)sample: rows per cell and, when weighted, weight per cell.
pub(crate) struct Cells {
    pub rows: Vec<u64>,
    pub weight: Option<Vec<f64>>,
}

/// Every statistic of one (re)sample, each `[level or group][metric]` row-major.
#[derive(Debug, Clone)]
pub(crate) struct Stats {
    pub overall: Vec<Value>,
    pub by_group: Vec<Value>,
    pub min: Vec<Value>,
    pub max: Vec<Value>,
    pub diff_between: Vec<Value>,
    pub diff_overall: Vec<Value>,
    pub ratio_between: Vec<Value>,
    pub ratio_overall: Vec<Value>,
}

impl Stats {
    /// All statistics in one fixed order (the order of the bootstrap's columns).
    pub fn parts(&self) -> [&[Value]; 8] {
        [
            &self.overall,
            &self.by_group,
            &self.min,
            &self.max,
            &self.diff_between,
            &self.diff_overall,
            &self.ratio_between,
            &self.ratio_overall,
        ]
    }
}

/// Confusion counts and row counts of each group from cell counts.
pub(crate) fn group_confusions(cells: &Cells, n_groups: usize) -> (Vec<Confusion>, Vec<u64>) {
    let mut conf = Vec::with_capacity(n_groups);
    let mut rows = Vec::with_capacity(n_groups);
    for g in 0..n_groups {
        let r = &cells.rows[4 * g..4 * g + 4];
        let c = match &cells.weight {
            Some(w) => &w[4 * g..4 * g + 4],
            None => &[r[0] as f64, r[1] as f64, r[2] as f64, r[3] as f64][..],
        };
        conf.push(Confusion {
            tn: c[0],
            fp: c[1],
            fn_: c[2],
            tp: c[3],
        });
        rows.push(r.iter().sum());
    }
    (conf, rows)
}

/// Row ids bucketed by group (stable counting sort) and the bucket starts (`n_groups + 1`).
pub(crate) fn bucket_rows(
    rows: impl Iterator<Item = u32> + Clone,
    codes: &Codes,
    n_groups: usize,
) -> (Vec<u32>, Vec<usize>) {
    let mut starts = vec![0usize; n_groups + 1];
    let mut n = 0;
    for r in rows.clone() {
        starts[(codes.get(r as usize) >> 2) + 1] += 1;
        n += 1;
    }
    for g in 0..n_groups {
        starts[g + 1] += starts[g];
    }
    let mut next = starts.clone();
    let mut order = vec![0u32; n];
    for r in rows {
        let g = codes.get(r as usize) >> 2;
        order[next[g]] = r;
        next[g] += 1;
    }
    (order, starts)
}

/// Owned copies of the rows `ids` of the data.
struct Gathered {
    y_true: Array1<usize>,
    y_pred: Array1<usize>,
    y_score: Option<Array1<f64>>,
    weight: Option<Array1<f64>>,
}

impl Gathered {
    fn new(data: &Data, ids: &[u32]) -> Self {
        let pick_u = |a: &Option<Array1<usize>>| match a {
            Some(a) => ids.iter().map(|&i| a[i as usize]).collect(),
            None => Array1::zeros(0),
        };
        let pick_f = |a: &Option<Array1<f64>>| {
            a.as_ref()
                .map(|a| ids.iter().map(|&i| a[i as usize]).collect())
        };
        Self {
            y_true: pick_u(&data.y_true),
            y_pred: pick_u(&data.y_pred),
            y_score: pick_f(&data.y_score),
            weight: pick_f(&data.weight),
        }
    }

    fn rows(&self) -> Rows<'_> {
        Rows {
            y_true: self.y_true.view(),
            y_pred: self.y_pred.view(),
            y_score: self.y_score.as_ref().map(|a| a.view()),
            weight: self.weight.as_ref().map(|a| a.view()),
        }
    }
}

fn eval_all(
    metrics: &[Metric],
    rows: &Rows<'_>,
    zd: ZeroDivision,
    what: &str,
) -> Result<Vec<Option<Value>>> {
    metrics
        .iter()
        .map(|m| {
            if m.needs_rows() {
                eval_rows(m, rows, zd, what).map(Some)
            } else {
                Ok(None)
            }
        })
        .collect()
}

/// How rows of a (re)sample are found for the row-based metrics.
pub(crate) struct Sample<'a> {
    /// Row ids bucketed by group, and bucket starts.
    pub order: &'a [u32],
    pub starts: &'a [usize],
    /// All rows of the sample in sample order, or `None` for the original rows in order.
    pub all: Option<&'a [u32]>,
}

/// Every statistic of a (re)sample: `cells` for the count-based metrics, `sample` (needed
/// only when a metric needs rows) for the others. `group_names` names groups in errors.
pub(crate) fn statistics(
    data: &Data,
    metrics: &[Metric],
    zd: ZeroDivision,
    cells: &Cells,
    sample: Option<&Sample<'_>>,
    parallel: bool,
    group_name: &(dyn Fn(usize) -> String + Sync),
) -> Result<Stats> {
    let (n_groups, n_metrics) = (data.n_groups, metrics.len());
    let (conf, rows) = group_confusions(cells, n_groups);
    let row_metrics = metrics.iter().any(Metric::needs_rows);

    // Row-based metrics of each group (in parallel over groups when asked).
    let mut group_rows: Vec<Vec<Option<Value>>> = vec![vec![None; n_metrics]; n_groups];
    let mut level_rows: Vec<Vec<Option<Value>>> =
        vec![vec![None; n_metrics]; data.control_ranges.len()];
    if let (true, Some(s)) = (row_metrics, sample) {
        let one_group = |g: usize| -> Result<Vec<Option<Value>>> {
            let ids = &s.order[s.starts[g]..s.starts[g + 1]];
            if ids.is_empty() {
                return Ok(vec![None; n_metrics]);
            }
            let gathered = Gathered::new(data, ids);
            eval_all(
                metrics,
                &gathered.rows(),
                zd,
                &format!("group `{}`", group_name(g)),
            )
        };
        group_rows = if parallel {
            (0..n_groups)
                .into_par_iter()
                .map(one_group)
                .collect::<Result<_>>()?
        } else {
            (0..n_groups).map(one_group).collect::<Result<_>>()?
        };
        for (l, range) in data.control_ranges.iter().enumerate() {
            level_rows[l] = match (data.has_controls, s.all) {
                (false, None) => {
                    let rows = Rows {
                        y_true: view_or_empty(&data.y_true),
                        y_pred: view_or_empty(&data.y_pred),
                        y_score: data.y_score.as_ref().map(|a| a.view()),
                        weight: data.weight.as_ref().map(|a| a.view()),
                    };
                    eval_all(metrics, &rows, zd, "all rows")?
                }
                (false, Some(all)) => {
                    eval_all(metrics, &Gathered::new(data, all).rows(), zd, "all rows")?
                }
                (true, _) => {
                    let ids = &s.order[s.starts[range.start]..s.starts[range.end]];
                    let what = format!("control level `{}`", group_name(range.start));
                    eval_all(metrics, &Gathered::new(data, ids).rows(), zd, &what)?
                }
            };
        }
    }

    let mut by_group = Vec::with_capacity(n_groups * n_metrics);
    for g in 0..n_groups {
        for (m, metric) in metrics.iter().enumerate() {
            by_group.push(if rows[g] == 0 {
                Value::undefined("no rows in this sample")
            } else {
                match metric.kind() {
                    MetricKind::Count(c) => c.eval(&conf[g], rows[g] as f64, zd),
                    _ => group_rows[g][m]
                        .take()
                        .unwrap_or_else(|| Value::undefined("no rows")),
                }
            });
        }
    }
    let n_levels = data.control_ranges.len();
    let mut stats = Stats {
        overall: Vec::with_capacity(n_levels * n_metrics),
        by_group,
        min: Vec::with_capacity(n_levels * n_metrics),
        max: Vec::with_capacity(n_levels * n_metrics),
        diff_between: Vec::with_capacity(n_levels * n_metrics),
        diff_overall: Vec::with_capacity(n_levels * n_metrics),
        ratio_between: Vec::with_capacity(n_levels * n_metrics),
        ratio_overall: Vec::with_capacity(n_levels * n_metrics),
    };
    let mut column: Vec<Value> = Vec::with_capacity(n_groups);
    for (l, range) in data.control_ranges.iter().enumerate() {
        let mut total = Confusion::default();
        let mut total_rows = 0u64;
        for g in range.clone() {
            total.merge(&conf[g]);
            total_rows += rows[g];
        }
        for (m, metric) in metrics.iter().enumerate() {
            let overall = if total_rows == 0 {
                Value::undefined("no rows in this sample")
            } else {
                match metric.kind() {
                    MetricKind::Count(c) => c.eval(&total, total_rows as f64, zd),
                    _ => level_rows[l][m]
                        .take()
                        .unwrap_or_else(|| Value::undefined("no rows")),
                }
            };
            column.clear();
            column.extend(
                range
                    .clone()
                    .map(|g| stats.by_group[g * n_metrics + m].clone()),
            );
            let a = aggregate(&column, 0..column.len(), &overall);
            stats.overall.push(overall);
            stats.min.push(a.min);
            stats.max.push(a.max);
            stats.diff_between.push(a.diff_between);
            stats.diff_overall.push(a.diff_overall);
            stats.ratio_between.push(a.ratio_between);
            stats.ratio_overall.push(a.ratio_overall);
        }
    }
    Ok(stats)
}

fn view_or_empty(a: &Option<Array1<usize>>) -> ArrayView1<'_, usize> {
    match a {
        Some(a) => a.view(),
        None => ArrayView1::from(&[][..]),
    }
}

/// One pass: each row's cell code, and the cell counts (and weights).
pub(crate) fn pack(
    y_true: ArrayView1<'_, usize>,
    y_pred: ArrayView1<'_, usize>,
    group_of: &[u32],
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> (Codes, Cells) {
    let n_cells = 4 * (group_of.iter().map(|&g| g as usize + 1).max().unwrap_or(0));
    let yt = contiguous(y_true);
    let yp = contiguous(y_pred);
    let w = sample_weight.map(|w| match w.to_slice() {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(w.to_vec()),
    });
    let mut rows = vec![0u64; n_cells];
    let mut weight = w.as_ref().map(|_| vec![0.0f64; n_cells]);
    let code_of = |i: usize| (group_of[i] as usize) * 4 + 2 * yt[i] + yp[i];
    let codes = if n_cells <= 1 << 16 {
        let c: Vec<u16> = (0..group_of.len()).map(|i| code_of(i) as u16).collect();
        count_cells(
            c.iter().map(|&c| usize::from(c)),
            &mut rows,
            weight.as_deref_mut(),
            w.as_deref(),
        );
        Codes::U16(c)
    } else {
        let c: Vec<u32> = (0..group_of.len()).map(|i| code_of(i) as u32).collect();
        count_cells(
            c.iter().map(|&c| c as usize),
            &mut rows,
            weight.as_deref_mut(),
            w.as_deref(),
        );
        Codes::U32(c)
    };
    (codes, Cells { rows, weight })
}

fn count_cells(
    codes: impl Iterator<Item = usize>,
    rows: &mut [u64],
    weight: Option<&mut [f64]>,
    w: Option<&[f64]>,
) {
    match (weight, w) {
        (Some(acc), Some(w)) => {
            for (c, &wi) in codes.zip(w) {
                rows[c] += 1;
                acc[c] += wi;
            }
        }
        _ => {
            for c in codes {
                rows[c] += 1;
            }
        }
    }
}

fn contiguous(v: ArrayView1<'_, usize>) -> Cow<'_, [usize]> {
    match v.to_slice() {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(v.to_vec()),
    }
}
