//! Performance over chunks: a metric per chunk against its alert bounds.

use kiln::Result;
use kiln::monitor::performance::PerformanceReport;

use crate::chart::{LineChart, Series};
use crate::html::{Section, Tone, escape, figure};
use crate::style;

/// The performance section of `report`.
///
/// # Errors
/// A chart that cannot be drawn.
pub fn section(report: &PerformanceReport) -> Result<Section> {
    let points: Vec<(f64, f64)> = report
        .chunks
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.value.map(|v| (i as f64, v)))
        .collect();
    let alerts: Vec<(f64, f64)> = report
        .chunks
        .iter()
        .enumerate()
        .filter(|(_, c)| c.alert)
        .filter_map(|(i, c)| c.value.map(|v| (i as f64, v)))
        .collect();
    let mut thresholds = Vec::new();
    if let Some(l) = report.bounds.lower {
        thresholds.push((l, format!("lower alert bound ({})", style::num(l))));
    }
    if let Some(u) = report.bounds.upper {
        thresholds.push((u, format!("upper alert bound ({})", style::num(u))));
    }
    let y = style::padded(
        points
            .iter()
            .map(|p| p.1)
            .chain(thresholds.iter().map(|t| t.0)),
    );
    let n = report.chunks.len().max(2);
    let mut chart = LineChart::new(
        "performance over chunks",
        "chunk",
        &report.metric,
        -0.3..(n as f64 - 0.7),
        y,
    );
    chart.series.push(Series {
        name: report.metric.clone(),
        points,
        color: style::PRIMARY,
        markers: true,
    });
    chart.thresholds = thresholds;
    chart.alerts = alerts;
    chart.legend = false;
    chart.x_names = Some(report.chunks.iter().map(|c| c.key.clone()).collect());
    let svg = chart.render((1000, 380))?;
    let n_alerts = report.chunks.iter().filter(|c| c.alert).count();
    let failed: Vec<String> = report
        .chunks
        .iter()
        .filter_map(|c| c.error.as_ref().map(|e| format!("{}: {e}", c.key)))
        .collect();
    let mut body = figure(
        &format!(
            "{}{} per chunk",
            report.metric,
            if report.estimated { " (estimated)" } else { "" }
        ),
        &svg,
        &format!(
            "Each dot is {} on one chunk of rows, in order. Dashed red lines are the alert \
             bounds ({}); a red ring marks a chunk outside them. A steady slide toward a bound \
             warns before an alert does.",
            report.metric,
            bounds_text(report)
        ),
    );
    for f in &failed {
        body.push_str(&format!(
            "<p class=\"note\">not computed on {}</p>",
            escape(f)
        ));
    }
    let finding = if n_alerts == 0 {
        (
            Tone::Good,
            format!("performance: no alert in {} chunks", report.chunks.len()),
        )
    } else {
        (
            Tone::Bad,
            format!(
                "performance: {n_alerts} of {} chunks outside the alert bounds",
                report.chunks.len()
            ),
        )
    };
    Ok(Section {
        id: "performance".into(),
        title: "Performance over chunks".into(),
        finding: Some(finding),
        body,
    })
}

/// The alert bounds in words.
fn bounds_text(report: &PerformanceReport) -> String {
    let b = &report.bounds;
    let how = match (b.reference_mean, b.reference_std) {
        (Some(m), Some(s)) => format!(
            "mean {} ± 3 × std {} of the first {} chunks",
            style::num(m),
            style::num(s),
            report.n_reference_chunks
        ),
        _ => "fixed".into(),
    };
    match (b.lower, b.upper) {
        (Some(l), Some(u)) => format!("{} to {}, {how}", style::num(l), style::num(u)),
        (Some(l), None) => format!("alert below {}, {how}", style::num(l)),
        (None, Some(u)) => format!("alert above {}, {how}", style::num(u)),
        (None, None) => "none".into(),
    }
}
