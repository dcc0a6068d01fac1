//! Drift per column: the reference and current distributions overlaid, with the test's
//! statistic and verdict.

use kiln::Result;
use kiln::monitor::drift::{ColumnDrift, DriftReport};
use kiln::monitor::profile::{ColumnProfile, ColumnSummary, ReferenceProfile};
use kiln::prep::{Column, Frame};

use crate::chart::Overlay;
use crate::html::{Section, Tone, badge, escape, figure, table};
use crate::style;

/// At most this many categories are drawn per column (the most frequent in the reference).
const MAX_LEVELS: usize = 16;

/// At most this many columns are drawn: every drifted one, then the closest to drifting.
const MAX_CHARTS: usize = 12;

/// Labels, reference counts and current counts of one column, on the reference's bins.
type Binned = (Vec<String>, Vec<f64>, Vec<f64>);

fn numeric_bins(p: &ColumnProfile, current: &[f64]) -> Option<Binned> {
    let ColumnSummary::Numeric(num) = &p.summary else {
        return None;
    };
    let valid = current.iter().copied().filter(|v| v.is_finite());
    if !num.values.is_empty() {
        let mut cur = vec![0.0; num.values.len()];
        for v in valid {
            // Values the reference never held go to the nearest reference value.
            let i = num.values.partition_point(|r| *r < v);
            let i = match (i.checked_sub(1), num.values.get(i)) {
                (Some(j), Some(r)) if (v - num.values[j]) < (r - v) => j,
                (Some(j), None) => j,
                _ => i,
            };
            if let Some(c) = cur.get_mut(i) {
                *c += 1.0;
            }
        }
        let labels = num.values.iter().map(|v| style::tick(*v)).collect();
        return Some((labels, num.value_counts.clone(), cur));
    }
    let edges = &num.edges;
    if edges.len() < 2 {
        return None;
    }
    let n = edges.len() - 1;
    let mut cur = vec![0.0; n];
    for v in valid {
        // Values outside the reference range count in the outermost bins.
        let i = edges
            .partition_point(|e| *e <= v)
            .saturating_sub(1)
            .min(n - 1);
        cur[i] += 1.0;
    }
    let labels = edges[..n].iter().map(|e| style::tick(*e)).collect();
    Some((labels, num.bin_counts.clone(), cur))
}

fn categorical_bins(p: &ColumnProfile, current: &Column) -> Option<Binned> {
    let ColumnSummary::Categorical(cat) = &p.summary else {
        return None;
    };
    let cur_col = current.as_categorical()?;
    let mut cur_counts = vec![0.0; cur_col.levels().len()];
    for &code in cur_col.codes() {
        if let Some(c) = cur_counts.get_mut(code as usize) {
            *c += 1.0;
        }
    }
    let mut labels: Vec<String> = cat.levels.clone();
    let mut reference = cat.counts.clone();
    for (l, c) in cur_col.levels().iter().zip(&cur_counts) {
        if *c > 0.0 && !labels.contains(l) {
            labels.push(l.clone());
            reference.push(0.0);
        }
    }
    let current: Vec<f64> = labels
        .iter()
        .map(|l| {
            cur_col
                .levels()
                .iter()
                .position(|x| x == l)
                .and_then(|i| cur_counts.get(i).copied())
                .unwrap_or(0.0)
        })
        .collect();
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.sort_by(|&a, &b| (reference[b] + current[b]).total_cmp(&(reference[a] + current[a])));
    order.truncate(MAX_LEVELS);
    Some((
        order.iter().map(|&i| labels[i].clone()).collect(),
        order.iter().map(|&i| reference[i]).collect(),
        order.iter().map(|&i| current[i]).collect(),
    ))
}

fn describe_test(c: &ColumnDrift) -> String {
    match c.method {
        Some(m) if m.is_p_value() => format!(
            "{}: p = {} (drift below {})",
            m.name(),
            c.p_value.map_or_else(|| "–".into(), style::num),
            c.threshold
        ),
        Some(m) => format!(
            "{}: {} (drift at or above {})",
            m.name(),
            style::num(c.statistic),
            c.threshold
        ),
        None => "not tested".into(),
    }
}

/// The drift section of `report`, with the distributions of `current` against `profile`.
///
/// # Errors
/// A chart that cannot be drawn.
pub fn section(
    report: &DriftReport,
    profile: &ReferenceProfile,
    current: &Frame,
    names: (&str, &str),
) -> Result<Section> {
    let mut cols: Vec<&ColumnDrift> = report.columns().iter().collect();
    // Drifted columns first, then by how strong the evidence is.
    cols.sort_by(|a, b| {
        b.counts_as_drifted()
            .cmp(&a.counts_as_drifted())
            .then_with(|| strength(a).total_cmp(&strength(b)))
    });
    let n_drifted = report
        .columns()
        .iter()
        .filter(|c| c.counts_as_drifted())
        .count();
    let mut body = format!(
        "<p>{} ({} rows) against {} ({} rows): <b>{} of {}</b> columns drifted; the data set \
         {} (it does when at least the drift share of columns drift).</p>",
        escape(names.1),
        report.n_current_rows(),
        escape(names.0),
        report.n_reference_rows(),
        n_drifted,
        report.columns().len(),
        if report.dataset_drift() {
            "<b>drifted</b>"
        } else {
            "did not drift"
        }
    );
    let rows: Vec<Vec<String>> = cols
        .iter()
        .map(|c| {
            let verdict = if c.counts_as_drifted() {
                badge("drift", Tone::Bad)
            } else {
                badge("stable", Tone::Good)
            };
            vec![
                escape(&c.column),
                escape(&describe_test(c)),
                format!(
                    "{:.1}% → {:.1}%",
                    100.0 * c.missing.reference_share,
                    100.0 * c.missing.current_share
                ),
                verdict,
                escape(c.note.as_deref().unwrap_or("")),
            ]
        })
        .collect();
    body.push_str(&table(
        &[
            "column",
            "test",
            "missing (reference → current)",
            "verdict",
            "note",
        ],
        &rows,
    ));
    for change in report.schema() {
        body.push_str(&format!(
            "<p class=\"note\">schema change: {}</p>",
            escape(&format!("{change:?}"))
        ));
    }
    let n_charts = n_drifted.max(MAX_CHARTS).min(cols.len());
    if n_charts < cols.len() {
        body.push_str(&format!(
            "<p class=\"note\">Charts of the {n_charts} columns closest to drifting (drifted \
             first); the table lists all {}.</p>",
            cols.len()
        ));
    }
    body.push_str("<div class=\"grid\">");
    for c in cols.into_iter().take(n_charts) {
        let (Some(p), Ok(col)) = (profile.column(&c.column), current.column(&c.column)) else {
            continue;
        };
        let binned = match col.as_numeric() {
            Some(v) => numeric_bins(p, v),
            None => categorical_bins(p, col),
        };
        let Some((labels, reference, cur)) = binned else {
            continue;
        };
        let chart = Overlay {
            what: format!("drift of {}", c.column),
            labels,
            first: reference,
            second: cur,
        }
        .render((560, 280))?;
        let verdict = if c.counts_as_drifted() {
            "DRIFT"
        } else {
            "stable"
        };
        body.push_str(&figure(
            &format!("{} — {verdict}", c.column),
            &chart,
            &format!(
                "Grey bars: the reference's share of rows in each bin; blue bars in front: \
                 the current data's. Where they differ, the data moved. {}.",
                describe_test(c)
            ),
        ));
    }
    body.push_str("</div>");
    let finding = if n_drifted == 0 {
        (
            Tone::Good,
            format!("drift: none of {} columns drifted", report.columns().len()),
        )
    } else {
        let names: Vec<&str> = report
            .columns()
            .iter()
            .filter(|c| c.counts_as_drifted())
            .map(|c| c.column.as_str())
            .collect();
        (
            if report.dataset_drift() {
                Tone::Bad
            } else {
                Tone::Neutral
            },
            format!(
                "drift in {} of {} columns ({})",
                n_drifted,
                report.columns().len(),
                names.join(", ")
            ),
        )
    };
    Ok(Section {
        id: "drift".into(),
        title: "Drift per column".into(),
        finding: Some(finding),
        body,
    })
}

/// Smaller is stronger evidence of drift: the p-value, or minus the distance.
fn strength(c: &ColumnDrift) -> f64 {
    match c.method {
        Some(m) if m.is_p_value() => c.p_value.unwrap_or(1.0),
        Some(_) => -c.statistic,
        None => f64::INFINITY,
    }
}
