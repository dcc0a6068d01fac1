//! The data profile: each column's type, missing values and distribution at a glance.

use kiln::Result;
use kiln::monitor::profile::{ColumnSummary, ProfileOptions, ReferenceProfile};
use kiln::prep::Frame;

use crate::html::{Section, escape, sparkline, table};
use crate::style;

/// At most this many categories are drawn in a sparkline (the most frequent).
const MAX_LEVELS: usize = 20;

/// Bars of an equal-width sparkline histogram.
const BINS: usize = 16;

/// Counts of the finite `values` in [`BINS`] equal-width bins over `[min, max]`.
fn equal_width(values: &[f64], min: f64, max: f64) -> Vec<f64> {
    let mut counts = vec![0.0; BINS];
    let width = max - min;
    if width.is_nan() || width <= 0.0 {
        return counts;
    }
    for v in values.iter().filter(|v| v.is_finite()) {
        let i = (((v - min) / width) * BINS as f64) as usize;
        counts[i.min(BINS - 1)] += 1.0;
    }
    counts
}

/// The data profile of `frame`: one row per column with its type, missing share, a summary
/// and a sparkline of its distribution (histogram bins or category counts).
///
/// # Errors
/// The profile's errors ([`ReferenceProfile::build`]).
pub fn section(frame: &Frame, name: &str) -> Result<Section> {
    let description = frame.describe();
    let profile = ReferenceProfile::build(frame, &ProfileOptions::default())?;
    let mut rows = Vec::with_capacity(description.columns.len());
    let mut incomplete = 0;
    for (d, p) in description.columns.iter().zip(profile.columns()) {
        let n = description.rows.max(1) as f64;
        if d.missing > 0 {
            incomplete += 1;
        }
        let (summary, counts) = match &p.summary {
            ColumnSummary::Numeric(num) => {
                let s = d.numeric.map_or_else(String::new, |m| {
                    format!(
                        "mean {} · std {} · min {} · max {}",
                        style::tick(m.mean),
                        style::tick(m.std),
                        style::tick(m.min),
                        style::tick(m.max)
                    )
                });
                // Few distinct values: one bar each. Otherwise equal-width bins: the
                // profile's own bins are quantiles, which would draw every column flat.
                let counts = if num.values.is_empty() {
                    let values = frame
                        .column(&d.name)
                        .ok()
                        .and_then(|c| c.as_numeric())
                        .unwrap_or_default();
                    equal_width(values, num.min, num.max)
                } else {
                    num.value_counts.clone()
                };
                (s, counts)
            }
            ColumnSummary::Categorical(c) => {
                let top: Vec<String> = d
                    .top
                    .iter()
                    .take(3)
                    .map(|(l, k)| format!("{l} ({k})"))
                    .collect();
                let mut counts = c.counts.clone();
                counts.sort_by(|a, b| b.total_cmp(a));
                counts.truncate(MAX_LEVELS);
                (format!("top: {}", top.join(", ")), counts)
            }
        };
        let miss_share = d.missing as f64 / n;
        let missing = if d.missing == 0 {
            "0".to_string()
        } else {
            format!("{} ({:.1}%)", d.missing, 100.0 * miss_share)
        };
        rows.push(vec![
            format!("<b>{}</b>", escape(&d.name)),
            escape(d.column_type.name()),
            format!("<span class=\"num\">{missing}</span>"),
            format!("{}", d.unique),
            sparkline(&counts, 140, &format!("distribution of {}", d.name)),
            escape(&summary),
        ]);
    }
    let mut body = format!(
        "<p>{} has <b>{}</b> rows and <b>{}</b> columns; {} column(s) have missing values.</p>",
        escape(name),
        description.rows,
        description.columns.len(),
        incomplete
    );
    body.push_str(&table(
        &[
            "column",
            "type",
            "missing",
            "distinct",
            "distribution",
            "summary",
        ],
        &rows,
    ));
    body.push_str(
        "<p class=\"note\">Each sparkline is the column's distribution: histogram bins from \
         smallest to largest for numbers, categories from most to least frequent for text. \
         Look for columns that are nearly constant, heavily skewed or often missing.</p>",
    );
    Ok(Section {
        id: "data".into(),
        title: "Data profile".into(),
        finding: None,
        body,
    })
}
