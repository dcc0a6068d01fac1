//! Group metrics: any metric overall, by group, and aggregated into group min/max,
//! differences and ratios (fairlearn's `MetricFrame`, in Rust), with seeded bootstrap
//! intervals for all of them.
//!
//! [`MetricFrame::new`] computes each [`Metric`] on all rows (one value per control level
//! when there are control columns) and on each group's rows, and the aggregates of
//! fairlearn 0.15 within each control level:
//!
//! | kiln | fairlearn 0.15 | definition (per control level, over groups with a defined value) |
//! |---|---|---|
//! | [`MetricFrame::overall`] | `overall` | the metric on all rows of the level |
//! | [`MetricFrame::by_group`] | `by_group` | the metric on each group's rows |
//! | [`MetricFrame::group_min`], [`MetricFrame::group_max`] | `group_min()`, `group_max()` | min / max of the group values |
//! | [`MetricFrame::difference`]`(BetweenGroups)` | `difference(method="between_groups")` | `max − min` |
//! | [`MetricFrame::difference`]`(ToOverall)` | `difference(method="to_overall")` | `max_g |v_g − overall|` |
//! | [`MetricFrame::ratio`]`(BetweenGroups)` | `ratio(method="between_groups")` | `min / max` |
//! | [`MetricFrame::ratio`]`(ToOverall)` | `ratio(method="to_overall")` | `min_g r_g`, `r_g = v_g / overall`, inverted when above 1 |
//!
//! # Undefined values
//!
//! A rate with a zero denominator (the true-positive rate of a group without positives) is
//! [`Value::Undefined`] with its counts under the default [`ZeroDivision::Undefined`]. An
//! undefined group value takes no part in the aggregates of its metric: min, max, differences
//! and ratios are over the groups with a defined value, and the groups left out are listed in
//! [`MetricFrame::warnings`] ([`FrameWarning::UndefinedValues`]). This is what fairlearn does
//! with a NaN group value (pandas' `min`/`max` skip NaN), so results agree whenever fairlearn
//! produces NaN; but fairlearn's own rates never produce NaN: scikit-learn maps 0/0 to 0 (with
//! a warning), which makes a group without positives look like it has a true-positive rate of
//! 0, the worst possible, and usually decides the difference and the ratio. Use
//! [`FrameOptions::fairlearn`] ([`ZeroDivision::Zero`]) to reproduce fairlearn's numbers
//! exactly. Further conventions:
//! - `ratio(BetweenGroups)` with `min / max = 0 / 0` is undefined (fairlearn: NaN); a
//!   to-overall ratio `0 / 0` of one group is skipped, as fairlearn's NaN is.
//! - An aggregate over no defined value, or to an undefined overall value, is undefined.
//! - A control level (or the whole frame) with one group only has difference 0 and ratio 1
//!   by definition, with [`FrameWarning::SingleGroup`] (fairlearn gives NaN for a ratio
//!   `0 / 0` there).
//! - Empty intersections are not groups: they have no row in `by_group` and take no part in
//!   any aggregate; [`FrameWarning::EmptyIntersections`] counts them.
//! - [`CountMetric::Count`] counts rows, unweighted even with weights (fairlearn's `count`);
//!   the frame also reports every group's row count and total weight
//!   ([`MetricFrame::counts`], [`MetricFrame::weights`]).
//!
//! # Bootstrap
//!
//! [`MetricFrame::bootstrap`] resamples the rows (all of them, with replacement, as
//! fairlearn's `n_boot` does), recomputes every statistic on each resample and reports the
//! `(1 − confidence)/2` and `(1 + confidence)/2` quantiles of each, with linear interpolation
//! between order statistics (`numpy.quantile`'s default, as fairlearn's `ci_quantiles`). A
//! statistic undefined in a resample (a group drawn with no row, a rate 0/0) is left out of
//! that statistic's quantiles and counted in [`Bounds::n_undefined`] (fairlearn uses
//! `nanquantile` for its by-group tables, but plain `quantile`, which gives NaN, for its
//! single-row results). Resample `i` draws its rows from
//! [`kiln_core::random::task_rng`]`(seed, i)`; resamples run in parallel in fixed chunks, so
//! intervals are identical on any number of threads.
//!
//! # Speed
//!
//! One pass packs each row into a cell code `group * 4 + 2 * y_true + y_pred` (a `u16` when
//! there are at most 16,384 groups) while counting the cells: every count-based metric of
//! every group comes from these counts. For the bootstrap the rows are sorted by cell once,
//! so each cell is a contiguous range of positions; a resample draws `n` positions (Lemire's
//! exactly uniform multiply-and-reject on the ChaCha8 stream), adds 1 to a byte of
//! multiplicity per drawn position (1 MB for a million rows, so the random writes stay in
//! cache), then sums each cell's range (multiplicity × weight when weighted). Row-based
//! metrics (scores, custom closures) bucket the row indices by group once (a counting sort)
//! and call the metric per group, in parallel over groups from 65,536 rows. On 1M rows, 80
//! groups and 5 count-based metrics, the frame with its differences and ratios takes a few
//! milliseconds and 1,000 resamples a few seconds on 2 threads (see `tests/frame.rs`'s
//! ignored speed test).
//!
//! # Example
//!
//! ```
//! use kiln_fairness::frame::{FrameOptions, Method, Metric, MetricFrame};
//! use kiln_fairness::groups::{Groups, SensitiveColumn};
//! use ndarray::array;
//!
//! let sex = SensitiveColumn::from_strings("sex", ["f", "f", "f", "m", "m", "m"])?;
//! let groups = Groups::new(&[sex], &[])?;
//! let y_true = array![1, 0, 1, 1, 0, 0];
//! let y_pred = array![1, 0, 0, 1, 1, 1];
//! let metrics = [Metric::selection_rate(), Metric::tpr()];
//! let frame = MetricFrame::new(
//!     &metrics, y_true.view(), y_pred.view(), None, &groups, None, &FrameOptions::default(),
//! )?;
//! // by_group: f selects 1 of 3, m selects 3 of 3.
//! assert_eq!(frame.by_group().get(0, 0).and_then(|v| v.get()), Some(1.0 / 3.0));
//! assert_eq!(frame.by_group().value("m", "selection_rate").and_then(|v| v.get()), Some(1.0));
//! assert_eq!(frame.difference(Method::BetweenGroups).get(0, 0).and_then(|v| v.get()), Some(1.0 - 1.0 / 3.0));
//! assert_eq!(frame.ratio(Method::BetweenGroups).get(0, 0).and_then(|v| v.get()), Some(1.0 / 3.0));
//! assert_eq!(frame.counts(), &[3, 3]);
//!
//! // Seeded bootstrap intervals of every statistic.
//! let ci = frame.bootstrap(200, 0.95, 7)?;
//! let b = ci.difference(Method::BetweenGroups).get(0, 0).ok_or("a cell")?;
//! assert!(b.lower.get().unwrap() <= b.upper.get().unwrap());
//! assert_eq!(ci, frame.bootstrap(200, 0.95, 7)?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # References
//! - fairlearn 0.15, `fairlearn.metrics.MetricFrame` (Weerts et al., "Fairlearn: Assessing and
//!   Improving Fairness of AI Systems", JMLR 24(257), 2023).
//! - B. Efron and R. J. Tibshirani (1993), *An Introduction to the Bootstrap*, §13.3
//!   (percentile interval).

mod aggregate;
mod bootstrap;
mod engine;
mod metric;
mod resample;
mod table;

pub use crate::measures::Method;
pub use bootstrap::{Bounds, FrameIntervals};
pub use metric::{CountMetric, LabelMetricFn, Metric, MetricKind, ScoreMetricFn};
pub use table::Table;

use kiln_core::check::{check_finite_1d, check_same_len, check_sample_weight};
use kiln_core::{Error, Result};
use ndarray::ArrayView1;
use serde::{Deserialize, Serialize};

use crate::confusion::{Confusion, check_binary_labels};
use crate::groups::Groups;
use crate::value::{Value, ZeroDivision};
use engine::{Data, Sample, Stats, bucket_rows, pack, statistics};

/// Rows from which row-based metrics run in parallel over groups (below it, rayon's
/// overhead outweighs the work).
const PARALLEL_MIN_ROWS: usize = 1 << 16;

/// Options of a [`MetricFrame`].
///
/// # Parameters
/// - `zero_division` (default [`ZeroDivision::Undefined`]): what a rate with a zero
///   denominator becomes; [`ZeroDivision::Zero`] reproduces fairlearn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FrameOptions {
    /// What a rate with a zero denominator becomes. By default, [`ZeroDivision::Undefined`].
    pub zero_division: ZeroDivision,
}

impl FrameOptions {
    /// fairlearn 0.15's conventions: a 0/0 rate is 0 (scikit-learn's `zero_division`).
    pub fn fairlearn() -> Self {
        Self {
            zero_division: ZeroDivision::Zero,
        }
    }

    /// Sets `zero_division`. By default, [`ZeroDivision::Undefined`].
    #[must_use]
    pub fn with_zero_division(mut self, zero_division: ZeroDivision) -> Self {
        self.zero_division = zero_division;
        self
    }
}

/// Something a reader of the frame should know.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FrameWarning {
    /// A control level (`None`: the whole frame, without control columns) has one group
    /// only: its differences are 0 and its ratios 1 by definition, not by measurement.
    SingleGroup {
        /// The control level's name, `None` without control columns.
        control_level: Option<String>,
    },
    /// Groups whose value of `metric` is undefined; they take no part in its aggregates.
    UndefinedValues {
        /// The metric's name.
        metric: String,
        /// The groups' names.
        groups: Vec<String>,
    },
    /// Level combinations no row has; they are not groups.
    EmptyIntersections {
        /// How many there are (see [`Groups::empty_intersections`]).
        count: usize,
    },
}

/// Metrics overall and by group, and their aggregates (fairlearn's `MetricFrame`).
///
/// See the [module docs](self) for the definitions, the handling of undefined values and an
/// example.
///
/// # Fitted attributes
/// - [`MetricFrame::overall`], [`MetricFrame::by_group`]: the metric values.
/// - [`MetricFrame::group_min`], [`MetricFrame::group_max`], [`MetricFrame::difference`],
///   [`MetricFrame::ratio`]: the aggregates, one row per control level.
/// - [`MetricFrame::counts`], [`MetricFrame::weights`], [`MetricFrame::confusions`]: each
///   group's rows, total weight and confusion counts.
/// - [`MetricFrame::warnings`].
#[derive(Debug, Clone)]
pub struct MetricFrame {
    metrics: Vec<Metric>,
    options: FrameOptions,
    group_names: Vec<String>,
    level_names: Vec<String>,
    counts: Vec<usize>,
    weights: Vec<f64>,
    confusions: Vec<Confusion>,
    stats: Stats,
    warnings: Vec<FrameWarning>,
    data: Data,
}

impl MetricFrame {
    /// Computes `metrics` on all rows and on each group of `groups`.
    ///
    /// `y_true` and `y_pred` are binary labels (1 = positive); `y_score` (needed by
    /// score-based metrics) a finite score per row; `sample_weight` non-negative weights.
    ///
    /// # Errors
    /// - [`Error::EmptyInput`] for no metrics.
    /// - [`Error::InvalidParameter`] for two metrics with the same name, or a score-based
    ///   metric without `y_score`.
    /// - [`Error::ShapeMismatch`] for `y_true`, `y_pred`, `y_score` or `sample_weight` of
    ///   another length than the groups' rows.
    /// - [`Error::InvalidValue`] for a label other than 0 or 1 (with its row), a negative
    ///   weight, or a custom metric's error (naming the metric and the group).
    /// - [`Error::NonFinite`] for a NaN or infinite score or weight.
    pub fn new(
        metrics: &[Metric],
        y_true: ArrayView1<'_, usize>,
        y_pred: ArrayView1<'_, usize>,
        y_score: Option<ArrayView1<'_, f64>>,
        groups: &Groups,
        sample_weight: Option<ArrayView1<'_, f64>>,
        options: &FrameOptions,
    ) -> Result<Self> {
        check_metrics(metrics, y_score.is_some())?;
        let n = groups.n_rows();
        check_binary_labels(y_true, n, "y_true")?;
        check_binary_labels(y_pred, n, "y_pred")?;
        if let Some(s) = y_score {
            check_same_len(
                "length of y_score against the sensitive columns",
                n,
                s.len(),
            )?;
            check_finite_1d(s, "y_score")?;
        }
        check_sample_weight(sample_weight, n)?;
        if u32::try_from(n).is_err() {
            return Err(Error::InvalidValue {
                what: "rows of MetricFrame".into(),
                row: None,
                reason: format!("n_rows={n}; at most {} rows are supported", u32::MAX),
            });
        }

        let n_groups = groups.n_groups();
        let (codes, cells) = pack(y_true, y_pred, groups.group_of(), sample_weight);
        let needs_rows = metrics.iter().any(Metric::needs_rows);
        let data = Data {
            codes,
            n_groups,
            control_ranges: groups.control_ranges().to_vec(),
            has_controls: !groups.control_names().is_empty(),
            y_true: needs_rows.then(|| y_true.to_owned()),
            y_pred: needs_rows.then(|| y_pred.to_owned()),
            y_score: y_score
                .filter(|_| metrics.iter().any(Metric::needs_scores))
                .map(|s| s.to_owned()),
            weight: sample_weight.map(|w| w.to_owned()),
        };
        let group_names: Vec<String> = (0..n_groups).map(|g| groups.name(g)).collect();
        let level_names: Vec<String> = if data.has_controls {
            data.control_ranges
                .iter()
                .map(|r| groups.control_levels(r.start).join(", "))
                .collect()
        } else {
            vec!["overall".to_owned()]
        };
        let parallel = n >= PARALLEL_MIN_ROWS;
        let names_for_errors = |g: usize| group_names.get(g).cloned().unwrap_or_default();
        let stats = if needs_rows {
            let (order, starts) = bucket_rows(0..n as u32, &data.codes, n_groups);
            let sample = Sample {
                order: &order,
                starts: &starts,
                all: None,
            };
            statistics(
                &data,
                metrics,
                options.zero_division,
                &cells,
                Some(&sample),
                parallel,
                &names_for_errors,
            )?
        } else {
            statistics(
                &data,
                metrics,
                options.zero_division,
                &cells,
                None,
                parallel,
                &names_for_errors,
            )?
        };
        let (confusions, _) = engine::group_confusions(&cells, n_groups);
        let weights = match &cells.weight {
            Some(_) => confusions.iter().map(Confusion::total).collect(),
            None => groups.counts().iter().map(|&c| c as f64).collect(),
        };
        let warnings = collect_warnings(metrics, &stats, &group_names, &level_names, &data, groups);
        Ok(Self {
            metrics: metrics.to_vec(),
            options: *options,
            group_names,
            level_names,
            counts: groups.counts().to_vec(),
            weights,
            confusions,
            stats,
            warnings,
            data,
        })
    }

    /// The metrics' names, the columns of every table.
    pub fn metric_names(&self) -> Vec<String> {
        self.metrics.iter().map(|m| m.name().to_owned()).collect()
    }

    /// The metrics.
    pub fn metrics(&self) -> &[Metric] {
        &self.metrics
    }

    /// The options the frame was computed with.
    pub fn options(&self) -> &FrameOptions {
        &self.options
    }

    /// The groups' names (rows of [`MetricFrame::by_group`]), as [`Groups::name`].
    pub fn group_names(&self) -> &[String] {
        &self.group_names
    }

    /// The control levels' names (rows of the overall and aggregate tables): the control
    /// levels joined by `", "`, or the single row `"overall"` without control columns.
    pub fn level_names(&self) -> &[String] {
        &self.level_names
    }

    /// The number of rows of each group.
    pub fn counts(&self) -> &[usize] {
        &self.counts
    }

    /// The total sample weight of each group (the counts without weights).
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// The (weighted) confusion counts of each group.
    pub fn confusions(&self) -> &[Confusion] {
        &self.confusions
    }

    /// What a reader should know: single groups, undefined values left out of aggregates,
    /// empty intersections.
    pub fn warnings(&self) -> &[FrameWarning] {
        &self.warnings
    }

    /// Whether some control level (or the frame) has a single group (see
    /// [`FrameWarning::SingleGroup`]).
    pub fn single_group(&self) -> bool {
        self.warnings
            .iter()
            .any(|w| matches!(w, FrameWarning::SingleGroup { .. }))
    }

    fn level_table(&self, values: &[Value]) -> Table<Value> {
        Table::new(
            self.level_names.clone(),
            self.metric_names(),
            values.to_vec(),
        )
    }

    /// The metrics on all rows: one row, or one per control level.
    pub fn overall(&self) -> Table<Value> {
        self.level_table(&self.stats.overall)
    }

    /// The metrics on each group's rows: one row per group, in [`Groups`] order.
    pub fn by_group(&self) -> Table<Value> {
        Table::new(
            self.group_names.clone(),
            self.metric_names(),
            self.stats.by_group.clone(),
        )
    }

    /// The smallest defined group value, per control level.
    pub fn group_min(&self) -> Table<Value> {
        self.level_table(&self.stats.min)
    }

    /// The largest defined group value, per control level.
    pub fn group_max(&self) -> Table<Value> {
        self.level_table(&self.stats.max)
    }

    /// The largest difference between groups, or between a group and the overall value,
    /// per control level.
    pub fn difference(&self, method: Method) -> Table<Value> {
        self.level_table(match method {
            Method::BetweenGroups => &self.stats.diff_between,
            Method::ToOverall => &self.stats.diff_overall,
        })
    }

    /// The smallest ratio (at most 1) between groups, or between a group and the overall
    /// value, per control level.
    pub fn ratio(&self, method: Method) -> Table<Value> {
        self.level_table(match method {
            Method::BetweenGroups => &self.stats.ratio_between,
            Method::ToOverall => &self.stats.ratio_overall,
        })
    }
}

/// Checks the metric list against the inputs.
fn check_metrics(metrics: &[Metric], has_scores: bool) -> Result<()> {
    if metrics.is_empty() {
        return Err(Error::EmptyInput {
            what: "metrics of MetricFrame".into(),
            reason: "none given; at least one is needed".into(),
        });
    }
    for (i, m) in metrics.iter().enumerate() {
        if metrics[..i].iter().any(|o| o.name() == m.name()) {
            return Err(Error::InvalidParameter {
                estimator: "MetricFrame".into(),
                name: "metrics".into(),
                reason: format!(
                    "must have distinct names; `{}` appears twice (rename one with with_name)",
                    m.name()
                ),
            });
        }
        if m.needs_scores() && !has_scores {
            return Err(Error::InvalidParameter {
                estimator: "MetricFrame".into(),
                name: "y_score".into(),
                reason: format!(
                    "is needed by the score-based metric `{}`; got None",
                    m.name()
                ),
            });
        }
    }
    Ok(())
}

fn collect_warnings(
    metrics: &[Metric],
    stats: &Stats,
    group_names: &[String],
    level_names: &[String],
    data: &Data,
    groups: &Groups,
) -> Vec<FrameWarning> {
    let mut out = Vec::new();
    for (l, range) in data.control_ranges.iter().enumerate() {
        if range.len() == 1 {
            out.push(FrameWarning::SingleGroup {
                control_level: data.has_controls.then(|| level_names[l].clone()),
            });
        }
    }
    let n_metrics = metrics.len();
    for (m, metric) in metrics.iter().enumerate() {
        let undefined: Vec<String> = (0..group_names.len())
            .filter(|&g| !stats.by_group[g * n_metrics + m].is_defined())
            .map(|g| group_names[g].clone())
            .collect();
        if !undefined.is_empty() {
            out.push(FrameWarning::UndefinedValues {
                metric: metric.name().to_owned(),
                groups: undefined,
            });
        }
    }
    if !groups.empty_intersections().is_empty() {
        out.push(FrameWarning::EmptyIntersections {
            count: groups.empty_intersections().len(),
        });
    }
    out
}
