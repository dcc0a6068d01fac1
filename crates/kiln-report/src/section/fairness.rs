//! Fairness by group: each headline rate per group (with its bootstrap interval when the
//! report has them) against the bars its measures are judged by, and every measure's
//! verdict with its interval.

use kiln::Result;
use kiln::fairness::report::{FairnessReport, Threshold, Verdict};

use crate::chart::{Bar, BarChart};
use crate::html::{Section, Tone, badge, escape, figure, table};
use crate::style;

/// The rates drawn, with the measures judged on them and a plain description.
const HEADLINE: [(&str, &str, &str, &str, &str); 3] = [
    (
        "selection_rate",
        "Selection rate",
        "demographic_parity_difference",
        "demographic_parity_ratio",
        "the share of each group given the favourable outcome",
    ),
    (
        "tpr",
        "True positive rate",
        "equal_opportunity_difference",
        "equal_opportunity_ratio",
        "the share of each group's truly favourable rows the model recognises",
    ),
    (
        "fpr",
        "False positive rate",
        "fpr_difference",
        "fpr_ratio",
        "the share of each group's unfavourable rows wrongly given the favourable outcome",
    ),
];

fn tone(v: Verdict) -> Tone {
    match v {
        Verdict::Pass => Tone::Good,
        Verdict::Fail => Tone::Bad,
        Verdict::Undefined | Verdict::NotJudged => Tone::Neutral,
    }
}

fn bound(t: Option<Threshold>) -> Option<f64> {
    match t? {
        Threshold::AtMost(b) | Threshold::AbsAtMost(b) | Threshold::AtLeast(b) => Some(b),
        Threshold::Between(lo, _) => Some(lo),
    }
}

/// The fairness section of `report`.
///
/// # Errors
/// A chart that cannot be drawn.
pub fn section(report: &FairnessReport) -> Result<Section> {
    let mut body = format!(
        "<p>Audited on <b>{}</b> rows by {}: {} measure(s) pass, <b>{}</b> fail, {} undefined, \
         {} not judged.</p>",
        report.n_rows,
        escape(&report.sensitive_columns.join(", ")),
        report.summary.pass,
        report.summary.fail,
        report.summary.undefined,
        report.summary.not_judged
    );
    body.push_str("<div class=\"grid\">");
    for (metric, title, diff_name, ratio_name, meaning) in HEADLINE {
        let Some(by) = report.by_group.iter().find(|b| b.metric == metric) else {
            continue;
        };
        let values: Vec<Option<f64>> = by.groups.iter().map(|g| g.value.get()).collect();
        let top = values
            .iter()
            .flatten()
            .fold(f64::NEG_INFINITY, |m, v| m.max(*v));
        let diff = report.measure(diff_name);
        let ratio = report.measure(ratio_name);
        let max_diff = diff.and_then(|m| bound(m.threshold));
        let min_ratio = ratio.and_then(|m| bound(m.threshold));
        // A group is flagged when it alone would break a bar: below four-fifths of the top
        // group (ratio) or more than the allowed gap under it (difference).
        let floor = [min_ratio.map(|r| r * top), max_diff.map(|d| top - d)];
        let intervals = report.intervals.as_ref();
        let bars: Vec<Bar> = by
            .groups
            .iter()
            .zip(&values)
            .enumerate()
            .map(|(i, (g, v))| {
                let small = report
                    .groups
                    .iter()
                    .any(|x| x.name == g.group && x.too_small);
                let label = format!(
                    "{} (n={}{})",
                    g.group,
                    g.count,
                    if small { ", too small" } else { "" }
                );
                let color = match v {
                    None => style::MUTED,
                    Some(x) if floor.iter().flatten().any(|f| x < f) => style::FAIL,
                    Some(_) => style::PASS,
                };
                let interval = intervals
                    .and_then(|x| x.rate(metric, i))
                    .and_then(|b| Some((b.lower.get()?, b.upper.get()?)));
                Bar {
                    label,
                    value: v.unwrap_or(0.0),
                    interval: v.and(interval),
                    color,
                }
            })
            .collect();
        let mut thresholds = Vec::new();
        let mut lines = Vec::new();
        if top.is_finite() {
            if let Some(r) = min_ratio {
                thresholds.push((r * top, String::new()));
                lines.push(format!("{r} × the highest group ({ratio_name})"));
            }
            if let Some(d) = max_diff {
                thresholds.push((top - d, String::new()));
                lines.push(format!("the highest group − {d} ({diff_name})"));
            }
        }
        let chart = BarChart {
            what: title.to_lowercase(),
            x_label: metric.replace('_', " "),
            bars,
            thresholds,
            x_range: Some(0.0..1.0),
        }
        .render(560)?;
        if lines.is_empty() {
            lines.push("none (no bar set)".into());
        }
        let verdicts: Vec<String> = [diff, ratio]
            .iter()
            .flatten()
            .map(|m| {
                format!(
                    "{} = {}: {}",
                    m.name,
                    m.value.get().map_or_else(|| "undefined".into(), style::num),
                    m.verdict
                )
            })
            .collect();
        let whiskers = intervals.map_or_else(String::new, |x| {
            format!(
                " Black whiskers: the {}% bootstrap interval of each group's rate ({} resamples): \
                 where a red bar's whisker reaches past its line, the gap may be noise.",
                x.bootstrap.percent(),
                x.bootstrap.n_resamples
            )
        });
        body.push_str(&figure(
            &format!("{title} by group"),
            &chart,
            &format!(
                "Each bar is {meaning}. Dashed red lines: {}. A red bar falls below a line: its gap \
                 to the highest group breaks that fairness bar; green bars clear every line.{whiskers} {}.",
                lines.join("; "),
                verdicts.join("; ")
            ),
        ));
    }
    body.push_str("</div>");
    let intervals = report.intervals.as_ref();
    let rows: Vec<Vec<String>> = report
        .measures
        .iter()
        .filter(|m| m.verdict != Verdict::NotJudged || m.family != "parity")
        .map(|m| {
            let mut row = vec![
                escape(&m.name),
                m.value.get().map_or_else(|| "undefined".into(), style::num),
            ];
            if intervals.is_some() {
                row.push(
                    intervals
                        .and_then(|x| x.measure(&m.name))
                        .and_then(|b| Some((b.lower.get()?, b.upper.get()?)))
                        .map_or_else(
                            || "–".into(),
                            |(l, h)| format!("{} – {}", style::num(l), style::num(h)),
                        ),
                );
            }
            row.push(
                m.threshold
                    .map_or_else(|| "–".into(), |t| escape(&t.to_string())),
            );
            row.push(badge(&m.verdict.to_string(), tone(m.verdict)));
            row
        })
        .collect();
    body.push_str("<h3>Every measure</h3>");
    let ci_head = intervals.map(|x| format!("{}% interval", x.bootstrap.percent()));
    let mut head = vec!["measure", "value"];
    if let Some(h) = &ci_head {
        head.push(h);
    }
    head.extend(["bar", "verdict"]);
    body.push_str(&table(&head, &rows));
    for w in &report.warnings {
        body.push_str(&format!("<p class=\"note\">{}</p>", escape(w)));
    }
    let failing: Vec<&str> = report.failures().map(|m| m.name.as_str()).collect();
    let finding = if failing.is_empty() {
        (
            Tone::Good,
            format!("fairness: all {} judged measures pass", report.summary.pass),
        )
    } else {
        (
            Tone::Bad,
            format!(
                "fairness: {} measure(s) fail ({})",
                failing.len(),
                if failing.len() > 4 {
                    format!(
                        "{}, and {} more",
                        failing[..4].join(", "),
                        failing.len() - 4
                    )
                } else {
                    failing.join(", ")
                }
            ),
        )
    };
    Ok(Section {
        id: "fairness".into(),
        title: "Fairness by group".into(),
        finding: Some(finding),
        body,
    })
}
