//! Bootstrap intervals for the report: every group's rate and every measure that is a
//! single rate's difference or ratio, from one seeded [`MetricFrame::bootstrap`].

use kiln_core::Result;
use kiln_core::check::check_param;
use ndarray::ArrayView1;
use serde::{Deserialize, Serialize};

use crate::frame::{Bounds, FrameOptions, Metric, MetricFrame};
use crate::groups::Groups;
use crate::measures::{Method, Rate};
use crate::value::ZeroDivision;

/// How the report's bootstrap intervals are drawn.
///
/// # Parameters
/// - `n_resamples`: resamples of all rows with replacement (fairlearn's `n_boot`). At least 1;
///   1,000 gives percentile bounds stable to about 0.005 for rates of groups of a few
///   hundred rows.
/// - `confidence`: two-sided level in (0, 1), e.g. `0.95`.
/// - `seed`: resample `i` draws from `task_rng(seed, i)`, so intervals are identical on any
///   number of threads.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReportBootstrap {
    /// Number of resamples.
    pub n_resamples: usize,
    /// Two-sided confidence level.
    pub confidence: f64,
    /// Seed of the resamples.
    pub seed: u64,
}

impl Default for ReportBootstrap {
    /// 1,000 resamples, 95 % intervals, seed 0.
    fn default() -> Self {
        Self {
            n_resamples: 1000,
            confidence: 0.95,
            seed: 0,
        }
    }
}

impl ReportBootstrap {
    /// The confidence level in percent, without trailing zeros: `"95"` for 0.95, `"99.9"` for
    /// 0.999 (for headings such as "95% interval").
    pub fn percent(&self) -> String {
        format!("{}", (self.confidence * 100_000.0).round() / 1000.0)
    }

    /// Checks `n_resamples >= 1` and `confidence` in (0, 1).
    ///
    /// # Errors
    /// [`kiln_core::Error::InvalidParameter`] naming the parameter.
    pub fn validate(&self) -> Result<()> {
        check_param(
            "FairnessReport",
            "bootstrap.n_resamples",
            self.n_resamples,
            self.n_resamples >= 1,
            "an int in the range [1, inf)",
        )?;
        check_param(
            "FairnessReport",
            "bootstrap.confidence",
            self.confidence,
            self.confidence > 0.0 && self.confidence < 1.0,
            "a float in the range (0, 1)",
        )
    }
}

/// One rate's intervals, one per group in the order of [`FairnessReport::groups`](super::FairnessReport::groups).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateIntervals {
    /// The rate, as named in [`FairnessReport::by_group`](super::FairnessReport::by_group) (`"selection_rate"`, `"tpr"`, ...).
    pub metric: String,
    /// One interval per group.
    pub groups: Vec<Bounds>,
}

/// One measure's interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasureInterval {
    /// The measure's name, as in [`FairnessReport::measures`](super::FairnessReport::measures).
    pub name: String,
    /// Its interval.
    pub bounds: Bounds,
}

/// Bootstrap intervals of a [`FairnessReport`](super::FairnessReport).
///
/// Rates: selection rate, TPR, FPR, TNR, FNR, PPV, NPV and error rate of every group.
/// Measures: the difference and the ratio of each of these rates (demographic parity, equal
/// opportunity, `fpr_difference`, ...) when there are no control columns. Measures that take
/// the worse of two rates (equalized odds), AIF360's measures, the indices and the
/// score-based measures get no interval: the quantile of a maximum is not the maximum of the
/// quantiles, and resampling them would need their own pass.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportIntervals {
    /// The bootstrap used.
    pub bootstrap: ReportBootstrap,
    /// Per-group intervals of each rate.
    pub rates: Vec<RateIntervals>,
    /// Intervals of the measures that have one.
    pub measures: Vec<MeasureInterval>,
}

impl ReportIntervals {
    /// The interval of `metric` (a [`Rate`] name such as `"tpr"`) for group number `group`.
    pub fn rate(&self, metric: &str, group: usize) -> Option<&Bounds> {
        self.rates
            .iter()
            .find(|r| r.metric == metric)
            .and_then(|r| r.groups.get(group))
    }

    /// The interval of the measure named `name`.
    pub fn measure(&self, name: &str) -> Option<&Bounds> {
        self.measures
            .iter()
            .find(|m| m.name == name)
            .map(|m| &m.bounds)
    }
}

/// The rates given intervals, with the frame metric computing each and the names of the
/// difference and ratio measures built on it.
fn rates() -> [(Rate, Metric, String, String); 8] {
    let named = |r: Rate, m: Metric, diff: &str, ratio: &str| {
        (r, m.with_name(r.name()), diff.to_owned(), ratio.to_owned())
    };
    let own = |r: Rate, m: Metric| {
        let n = r.name();
        named(r, m, &format!("{n}_difference"), &format!("{n}_ratio"))
    };
    [
        named(
            Rate::SelectionRate,
            Metric::selection_rate(),
            "demographic_parity_difference",
            "demographic_parity_ratio",
        ),
        named(
            Rate::Tpr,
            Metric::tpr(),
            "equal_opportunity_difference",
            "equal_opportunity_ratio",
        ),
        own(Rate::Fpr, Metric::fpr()),
        own(Rate::Tnr, Metric::tnr()),
        own(Rate::Fnr, Metric::fnr()),
        own(Rate::Ppv, Metric::precision()),
        own(Rate::Npv, Metric::npv()),
        own(Rate::ErrorRate, Metric::error_rate()),
    ]
}

/// Computes the intervals (see [`ReportIntervals`]).
pub(super) fn compute(
    y_true: ArrayView1<'_, usize>,
    y_pred: ArrayView1<'_, usize>,
    groups: &Groups,
    sample_weight: Option<ArrayView1<'_, f64>>,
    zero_division: ZeroDivision,
    method: Method,
    bootstrap: &ReportBootstrap,
) -> Result<ReportIntervals> {
    let specs = rates();
    let metrics: Vec<Metric> = specs.iter().map(|s| s.1.clone()).collect();
    let options = FrameOptions::default().with_zero_division(zero_division);
    let frame = MetricFrame::new(
        &metrics,
        y_true,
        y_pred,
        None,
        groups,
        sample_weight,
        &options,
    )?;
    let ci = frame.bootstrap(bootstrap.n_resamples, bootstrap.confidence, bootstrap.seed)?;
    let mut rates = Vec::with_capacity(specs.len());
    let mut measures = Vec::new();
    let one_level = groups.control_names().is_empty();
    for (col, (rate, _, diff, ratio)) in specs.iter().enumerate() {
        let per_group: Vec<Bounds> = (0..groups.n_groups())
            .filter_map(|g| ci.by_group.get(g, col).cloned())
            .collect();
        rates.push(RateIntervals {
            metric: rate.name().to_owned(),
            groups: per_group,
        });
        if one_level {
            if let Some(b) = ci.difference(method).get(0, col) {
                measures.push(MeasureInterval {
                    name: diff.clone(),
                    bounds: b.clone(),
                });
            }
            if let Some(b) = ci.ratio(method).get(0, col) {
                measures.push(MeasureInterval {
                    name: ratio.clone(),
                    bounds: b.clone(),
                });
            }
        }
    }
    Ok(ReportIntervals {
        bootstrap: *bootstrap,
        rates,
        measures,
    })
}
