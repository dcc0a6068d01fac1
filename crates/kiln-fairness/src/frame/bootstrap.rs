//! Seeded bootstrap intervals of every statistic of a [`MetricFrame`]: rows resampled with
//! replacement, cell counts accumulated from the packed codes of the drawn rows.

use kiln_core::Result;
use kiln_core::check::check_param;
use kiln_core::random::task_rng;
use kiln_metrics::bootstrap::{IntervalMethod, interval_from_resamples};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::engine::{Cells, Sample, bucket_rows, statistics};
use super::resample::Layout;
use super::{Method, MetricFrame, Table};
use crate::value::Value;

/// Resamples per parallel task (fixed, so results do not depend on the thread count).
const RESAMPLE_CHUNK: usize = 4;

/// A bootstrap interval of one statistic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bounds {
    /// The `(1 − confidence)/2` quantile of the statistic over the resamples where it is
    /// defined (undefined when it is defined in none).
    pub lower: Value,
    /// The `(1 + confidence)/2` quantile.
    pub upper: Value,
    /// In how many resamples the statistic was undefined (left out of the quantiles).
    pub n_undefined: usize,
}

impl std::fmt::Display for Bounds {
    /// `[lower, upper]` to four decimals, `undefined` for a bound defined in no resample.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let side = |v: &Value| {
            v.get()
                .map_or_else(|| "undefined".to_owned(), |x| format!("{x:.4}"))
        };
        write!(f, "[{}, {}]", side(&self.lower), side(&self.upper))
    }
}

/// Bootstrap intervals of every statistic of a [`MetricFrame`], in tables shaped as the
/// frame's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameIntervals {
    /// The number of resamples.
    pub n_resamples: usize,
    /// The two-sided confidence level.
    pub confidence: f64,
    /// The seed: resample `i` uses `task_rng(seed, i)`.
    pub seed: u64,
    /// Intervals of [`MetricFrame::overall`].
    pub overall: Table<Bounds>,
    /// Intervals of [`MetricFrame::by_group`].
    pub by_group: Table<Bounds>,
    /// Intervals of [`MetricFrame::group_min`].
    pub group_min: Table<Bounds>,
    /// Intervals of [`MetricFrame::group_max`].
    pub group_max: Table<Bounds>,
    /// Intervals of [`MetricFrame::difference`]`(BetweenGroups)`.
    pub difference_between_groups: Table<Bounds>,
    /// Intervals of [`MetricFrame::difference`]`(ToOverall)`.
    pub difference_to_overall: Table<Bounds>,
    /// Intervals of [`MetricFrame::ratio`]`(BetweenGroups)`.
    pub ratio_between_groups: Table<Bounds>,
    /// Intervals of [`MetricFrame::ratio`]`(ToOverall)`.
    pub ratio_to_overall: Table<Bounds>,
}

impl FrameIntervals {
    /// The intervals of the differences by `method`.
    pub fn difference(&self, method: Method) -> &Table<Bounds> {
        match method {
            Method::BetweenGroups => &self.difference_between_groups,
            Method::ToOverall => &self.difference_to_overall,
        }
    }

    /// The intervals of the ratios by `method`.
    pub fn ratio(&self, method: Method) -> &Table<Bounds> {
        match method {
            Method::BetweenGroups => &self.ratio_between_groups,
            Method::ToOverall => &self.ratio_to_overall,
        }
    }
}

fn to_nan(v: &Value) -> f64 {
    v.or_nan()
}

impl MetricFrame {
    /// The rows of bootstrap resample `index` for `seed`, as [`MetricFrame::bootstrap`]
    /// draws them (`n_rows` indices with replacement).
    pub fn resample_rows(&self, seed: u64, index: usize) -> Vec<usize> {
        let n_cells = 4 * self.data.n_groups;
        let layout = Layout::new(&self.data);
        let mut cells = Cells {
            rows: vec![0; n_cells],
            weight: self.data.weight.as_ref().map(|_| vec![0.0; n_cells]),
        };
        let mut drawn = Vec::with_capacity(self.data.codes.len());
        let mut rng = task_rng(seed, index as u64);
        layout.resample(
            &mut rng,
            &mut layout.scratch(),
            &mut cells,
            Some(&mut drawn),
        );
        drawn.into_iter().map(|i| i as usize).collect()
    }

    /// Bootstrap intervals of every statistic: `n_resamples` resamples of the rows with
    /// replacement, resample `i` drawn from `task_rng(seed, i)`, and the `(1 − confidence)/2`
    /// and `(1 + confidence)/2` quantiles (linear interpolation) of each statistic over the
    /// resamples where it is defined. See the [module docs](super) for the conventions.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`](kiln_core::Error::InvalidParameter) for `n_resamples = 0` or `confidence` outside (0, 1); a
    /// custom metric's error on a resample (the first, by resample index).
    pub fn bootstrap(
        &self,
        n_resamples: usize,
        confidence: f64,
        seed: u64,
    ) -> Result<FrameIntervals> {
        check_param(
            "MetricFrame::bootstrap",
            "n_resamples",
            n_resamples,
            n_resamples >= 1,
            "an int in the range [1, inf)",
        )?;
        check_param(
            "MetricFrame::bootstrap",
            "confidence",
            confidence,
            confidence > 0.0 && confidence < 1.0,
            "a float in the range (0, 1)",
        )?;
        let data = &self.data;
        let n_stats: usize = self.stats.parts().iter().map(|p| p.len()).sum();
        let needs_rows = self.metrics.iter().any(|m| m.needs_rows());
        let zd = self.options.zero_division;
        let names = |g: usize| self.group_names.get(g).cloned().unwrap_or_default();
        let n_cells = 4 * data.n_groups;
        let layout = Layout::new(data);
        let mut matrix = vec![f64::NAN; n_resamples * n_stats];
        let results: Vec<Result<()>> = matrix
            .par_chunks_mut(RESAMPLE_CHUNK * n_stats)
            .enumerate()
            .map(|(chunk, slots)| {
                let mut cells = Cells {
                    rows: vec![0; n_cells],
                    weight: data.weight.as_ref().map(|_| vec![0.0; n_cells]),
                };
                let mut drawn: Vec<u32> = Vec::new();
                let mut scratch = layout.scratch();
                for (k, slot) in slots.chunks_mut(n_stats).enumerate() {
                    let index = chunk * RESAMPLE_CHUNK + k;
                    cells.rows.fill(0);
                    if let Some(w) = cells.weight.as_mut() {
                        w.fill(0.0);
                    }
                    drawn.clear();
                    let mut rng = task_rng(seed, index as u64);
                    layout.resample(
                        &mut rng,
                        &mut scratch,
                        &mut cells,
                        needs_rows.then_some(&mut drawn),
                    );
                    let stats = if needs_rows {
                        let (order, starts) =
                            bucket_rows(drawn.iter().copied(), &data.codes, data.n_groups);
                        let sample = Sample {
                            order: &order,
                            starts: &starts,
                            all: Some(&drawn),
                        };
                        statistics(
                            data,
                            &self.metrics,
                            zd,
                            &cells,
                            Some(&sample),
                            false,
                            &names,
                        )?
                    } else {
                        statistics(data, &self.metrics, zd, &cells, None, false, &names)?
                    };
                    let values = stats.parts().into_iter().flatten().map(to_nan);
                    for (s, v) in slot.iter_mut().zip(values) {
                        *s = v;
                    }
                }
                Ok(())
            })
            .collect();
        for r in results {
            r?;
        }

        let mut column = Vec::with_capacity(n_resamples);
        let mut bounds = Vec::with_capacity(n_stats);
        for s in 0..n_stats {
            column.clear();
            column.extend(
                (0..n_resamples)
                    .map(|r| matrix[r * n_stats + s])
                    .filter(|v| !v.is_nan()),
            );
            let n_undefined = n_resamples - column.len();
            bounds.push(if column.is_empty() {
                let why = Value::undefined("undefined in every resample");
                Bounds {
                    lower: why.clone(),
                    upper: why,
                    n_undefined,
                }
            } else {
                let (lo, hi) = interval_from_resamples(
                    column[0],
                    &column,
                    None,
                    confidence,
                    IntervalMethod::Percentile,
                )?;
                Bounds {
                    lower: Value::Defined(lo),
                    upper: Value::Defined(hi),
                    n_undefined,
                }
            });
        }
        Ok(self.interval_tables(bounds, n_resamples, confidence, seed))
    }

    fn interval_tables(
        &self,
        bounds: Vec<Bounds>,
        n_resamples: usize,
        confidence: f64,
        seed: u64,
    ) -> FrameIntervals {
        let columns = self.metric_names();
        let sizes: Vec<usize> = self.stats.parts().iter().map(|p| p.len()).collect();
        let mut rest = bounds.into_iter();
        let mut take = |k: usize, index: &[String]| {
            Table::new(
                index.to_vec(),
                columns.clone(),
                rest.by_ref().take(sizes[k]).collect(),
            )
        };
        let levels = self.level_names.clone();
        FrameIntervals {
            n_resamples,
            confidence,
            seed,
            overall: take(0, &levels),
            by_group: take(1, &self.group_names),
            group_min: take(2, &levels),
            group_max: take(3, &levels),
            difference_between_groups: take(4, &levels),
            difference_to_overall: take(5, &levels),
            ratio_between_groups: take(6, &levels),
            ratio_to_overall: take(7, &levels),
        }
    }
}
