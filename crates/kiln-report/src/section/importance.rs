//! Feature importances: the top features as a bar chart.

use kiln::check::{check_finite_1d, check_same_len};
use kiln::{Error, Result};

use crate::chart::{Bar, BarChart};
use crate::html::{Section, figure};
use crate::style;

/// At most this many features are drawn.
pub const TOP: usize = 20;

/// The `TOP` largest of `importances` (one per name in `names`), largest first.
///
/// # Errors
/// [`Error::ShapeMismatch`] when the lengths differ; [`Error::EmptyInput`] without features;
/// [`Error::NonFinite`] for a NaN or infinite importance.
pub fn section(names: &[String], importances: &[f64], source: &str) -> Result<Section> {
    check_same_len(
        "feature importances against feature names",
        names.len(),
        importances.len(),
    )?;
    if names.is_empty() {
        return Err(Error::EmptyInput {
            what: "feature importances".into(),
            reason: "0 features".into(),
        });
    }
    check_finite_1d(
        ndarray::ArrayView1::from(importances),
        "feature importances",
    )?;
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by(|&a, &b| importances[b].abs().total_cmp(&importances[a].abs()));
    order.truncate(TOP);
    let bars = order
        .iter()
        .map(|&i| Bar {
            label: names[i].clone(),
            value: importances[i],
            interval: None,
            color: style::PRIMARY,
        })
        .collect();
    let chart = BarChart {
        what: "feature importance".into(),
        x_label: "importance".into(),
        bars,
        thresholds: Vec::new(),
        x_range: None,
    }
    .render(900)?;
    let shown = order.len();
    let body = figure(
        &format!("Top {shown} of {} features", names.len()),
        &chart,
        &format!(
            "Longer bars are features the model leans on more ({source}). A single feature \
             far ahead of the rest can mean a leak from the target; features you expected \
             near the top but cannot find deserve a look."
        ),
    );
    Ok(Section {
        id: "importance".into(),
        title: "Feature importances".into(),
        finding: None,
        body,
    })
}
