//! The fairness audit of predictions from any source, by the sensitive columns of a frame.

use kiln_core::{Error, Result};
use kiln_fairness::groups::{Groups, MissingPolicy, SensitiveColumn};
use kiln_fairness::report::{FairnessReport, ReportBootstrap, ReportParams, Thresholds};
use kiln_prep::Frame;
use ndarray::ArrayView1;

/// The groups formed by the `sensitive` columns of `frame` (their intersections when there
/// are several), for kiln-fairness' group metrics and mitigations. A missing value is a group
/// of its own, named `missing`.
///
/// # Errors
/// A column `frame` does not have; [`Groups::new`]'s errors.
pub fn groups<S: AsRef<str>>(frame: &Frame, sensitive: &[S]) -> Result<Groups> {
    let missing = MissingPolicy::Group("missing".into());
    let mut cols = Vec::with_capacity(sensitive.len());
    for name in sensitive {
        let col = frame.column(name.as_ref())?;
        let values = (0..col.len()).map(|i| (!col.is_missing(i)).then(|| col.format(i)));
        cols.push(SensitiveColumn::from_values(
            name.as_ref(),
            values,
            &missing,
        )?);
    }
    Groups::new(&cols, &[])
}

/// The fairness report of `y_pred` against `y_true` (both 0/1, 1 = the favourable outcome),
/// with optional `scores` of the favourable outcome, for the groups formed by the
/// `sensitive` columns of `frame` (one row per label). A missing sensitive value is a group
/// of its own, named `missing`. The report carries 95% bootstrap intervals
/// ([`ReportBootstrap::default`]: 1,000 resamples, seed 0) of every group's rates and of the
/// measures built on one rate, so a gap can be read against its noise.
///
/// # Errors
/// [`Error::InvalidParameter`] without sensitive columns; a column `frame` does not have;
/// the report's errors (lengths, labels other than 0/1, thresholds).
pub fn audit(
    frame: &Frame,
    sensitive: &[String],
    y_true: ArrayView1<'_, usize>,
    y_pred: ArrayView1<'_, usize>,
    scores: Option<ArrayView1<'_, f64>>,
    thresholds: &Thresholds,
) -> Result<FairnessReport> {
    if sensitive.is_empty() {
        return Err(Error::invalid_param(
            "audit",
            "sensitive",
            "names no column; name at least one (e.g. `sex`)",
        ));
    }
    let groups = groups(frame, sensitive)?;
    let params = ReportParams::default()
        .with_thresholds(thresholds.clone())
        .with_bootstrap(ReportBootstrap::default());
    FairnessReport::new(y_true, y_pred, scores, &groups, &params, None)
}
