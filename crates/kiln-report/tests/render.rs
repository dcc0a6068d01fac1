//! The rendered SVG and HTML: axes and series present, values where they should be,
//! user text escaped, no network references.

use kiln::prep::{Categorical, Column, CsvOptions, Frame};
use kiln_report::chart::{Bar, BarChart, Chart, LineChart, Series};
use kiln_report::html::escape;
use kiln_report::{BinaryScores, CvScores, Report};
use ndarray::array;

#[expect(
    clippy::unwrap_used,
    reason = "test helper: malformed SVG fails the test"
)]
/// The `points` attribute of every `<polyline>` with stroke `colour`, as pixel pairs.
fn polylines(svg: &str, colour: &str) -> Vec<Vec<(f64, f64)>> {
    svg.split("<polyline")
        .skip(1)
        .filter(|p| p.split('>').next().is_some_and(|tag| tag.contains(colour)))
        .map(|p| {
            let start = p.find("points=\"").unwrap() + 8;
            let end = start + p[start..].find('"').unwrap();
            p[start..end]
                .split_whitespace()
                .map(|xy| {
                    let (x, y) = xy.split_once(',').unwrap();
                    (x.parse().unwrap(), y.parse().unwrap())
                })
                .collect()
        })
        .collect()
}

#[expect(
    clippy::unwrap_used,
    reason = "test helper: malformed SVG fails the test"
)]
/// `(x, y, width, height)` of every `<rect>` filled with `colour`.
fn rects(svg: &str, colour: &str) -> Vec<(f64, f64, f64, f64)> {
    svg.split("<rect")
        .skip(1)
        .map(|r| r.split('>').next().unwrap_or(""))
        .filter(|tag| tag.contains(&format!("fill=\"{colour}\"")))
        .map(|tag| {
            let attr = |name: &str| -> f64 {
                let key = format!(" {name}=\"");
                let s = tag.find(&key).unwrap() + key.len();
                let e = s + tag[s..].find('"').unwrap();
                tag[s..e].parse().unwrap()
            };
            (attr("x"), attr("y"), attr("width"), attr("height"))
        })
        .collect()
}

/// The trimmed contents of every `<text>` element.
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let body = &t[t.find('>')? + 1..];
            Some(body[..body.find("</text>")?].trim().to_string())
        })
        .collect()
}

fn has_text(svg: &str, text: &str) -> bool {
    texts(svg).iter().any(|t| t == text)
}

fn close(a: (f64, f64), b: (f64, f64), tol: f64) -> bool {
    (a.0 - b.0).abs() <= tol && (a.1 - b.1).abs() <= tol
}

const BLUE: &str = "#2563EB";

#[test]
fn roc_polyline_runs_from_origin_to_one_one_in_data_coordinates() {
    // Hand-made scores: two positives ranked above one of two negatives.
    let y = array![1usize, 0, 1, 0];
    let s = array![0.9, 0.8, 0.7, 0.1];
    let figures = kiln_report::section::evaluation::binary_curves(&BinaryScores {
        y_true: y.view(),
        score: s.view(),
        positive: "yes",
    })
    .unwrap();
    assert_eq!(figures.len(), 3);
    // Re-draw the ROC chart alone to read its pixel mapping.
    let mut c = LineChart::new("roc", "fpr", "tpr", 0.0..1.0, 0.0..1.0);
    c.series.push(Series {
        name: "model".into(),
        // roc_curve on these scores: (0,0) (0,.5) (.5,.5) (.5,1) (1,1).
        points: vec![(0.0, 0.0), (0.0, 0.5), (0.5, 0.5), (0.5, 1.0), (1.0, 1.0)],
        color: kiln_report::style::PRIMARY,
        markers: false,
    });
    let chart = c.render((560, 440)).unwrap();
    // The model's line; the legend's 2-point sample has the same colour.
    let lines: Vec<_> = polylines(&chart.svg, BLUE)
        .into_iter()
        .filter(|l| l.len() > 2)
        .collect();
    assert_eq!(lines.len(), 1, "one model line");
    let line = &lines[0];
    assert_eq!(line.len(), 5);
    let tol = 0.01;
    let first = chart.to_data(line[0].0, line[0].1);
    let last = chart.to_data(line[line.len() - 1].0, line[line.len() - 1].1);
    assert!(close(first, (0.0, 0.0), tol), "starts at {first:?}");
    assert!(close(last, (1.0, 1.0), tol), "ends at {last:?}");
    // The elbow at (0.5, 0.5) is where the data puts it.
    let mid = chart.to_data(line[2].0, line[2].1);
    assert!(close(mid, (0.5, 0.5), tol), "elbow at {mid:?}");
    // The page's ROC figure (same size, same ranges) drew roc_curve's points: the same line.
    let page_lines: Vec<_> = polylines(&figures[0], BLUE)
        .into_iter()
        .filter(|l| l.len() > 2)
        .collect();
    assert_eq!(page_lines, vec![line.clone()]);
}

#[test]
fn line_chart_has_axes_labels_and_a_dashed_reference() {
    let mut c = LineChart::new(
        "t",
        "false positive rate",
        "true positive rate",
        0.0..1.0,
        0.0..1.0,
    );
    c.reference = Some(((0.0, 0.0), (1.0, 1.0), "coin flip".into()));
    c.series.push(Series {
        name: "model".into(),
        points: vec![(0.0, 0.0), (1.0, 1.0)],
        color: kiln_report::style::PRIMARY,
        markers: false,
    });
    let chart = c.render((400, 300)).unwrap();
    assert!(has_text(&chart.svg, "false positive rate"));
    assert!(has_text(&chart.svg, "true positive rate"));
    assert!(has_text(&chart.svg, "coin flip"));
    // Tick labels at both ends of each axis.
    assert!(has_text(&chart.svg, "0") && has_text(&chart.svg, "1"));
    // The dashed diagonal is drawn as many short segments.
    assert!(chart.svg.matches("<polyline").count() > 5);
}

#[test]
fn bar_lengths_are_proportional_to_values() {
    let bars = [("a", 0.2), ("b", 0.8), ("c", 0.4)]
        .iter()
        .map(|(l, v)| Bar {
            label: (*l).into(),
            value: *v,
            interval: None,
            color: kiln_report::style::PRIMARY,
        })
        .collect();
    let chart = BarChart {
        what: "t".into(),
        x_label: "importance".into(),
        bars,
        thresholds: Vec::new(),
        x_range: Some(0.0..1.0),
    }
    .render(600)
    .unwrap();
    let r = rects(&chart.svg, BLUE);
    assert_eq!(r.len(), 3);
    // Bars are drawn bottom-up (the first bar on top); order them by y.
    let mut by_y = r.clone();
    by_y.sort_by(|a, b| a.1.total_cmp(&b.1));
    let plot_w = f64::from(chart.pixels.0.end - chart.pixels.0.start);
    for ((_, _, w, _), v) in by_y.iter().zip([0.2, 0.8, 0.4]) {
        assert!(
            (w / plot_w - v).abs() < 0.01,
            "width {w} of {plot_w} for {v}"
        );
    }
    for l in ["a", "b", "c"] {
        assert!(has_text(&chart.svg, l), "label {l}");
    }
}

#[test]
fn script_in_column_name_is_escaped_everywhere() {
    let evil = "<script>alert(1)</script>";
    let frame = Frame::new(vec![
        (evil.to_string(), Column::Float(vec![1.0, 2.0, 3.0, 4.0])),
        (
            "colour".to_string(),
            Column::Categorical(Categorical::from_values(&[
                Some(evil),
                Some("red"),
                None,
                Some("red"),
            ])),
        ),
    ])
    .unwrap();
    let page = Report::new(evil)
        .add_data_profile(&frame, evil)
        .unwrap()
        .add_feature_importances(&[evil.to_string(), "b".into()], &[0.5, 0.25], evil)
        .unwrap()
        .add_model_comparison(
            "accuracy",
            &[CvScores {
                name: evil.into(),
                scores: vec![0.5, 0.6],
            }],
            false,
        )
        .unwrap()
        .render();
    assert!(!page.contains("<script"), "unescaped script tag");
    assert!(page.contains("&lt;script&gt;"));
    assert_eq!(
        escape("a<b & 'c' \"d\""),
        "a&lt;b &amp; &#39;c&#39; &quot;d&quot;"
    );
}

#[test]
fn page_has_no_network_references_and_a_table_of_contents() {
    let (frame, _) = CsvOptions::default()
        .read_str("x,y\n1,a\n2,b\n3,a\n4,b\n")
        .unwrap();
    let page = Report::new("t")
        .add_data_profile(&frame, "d.csv")
        .unwrap()
        .add_feature_importances(&["x".into()], &[1.0], "test")
        .unwrap()
        .render();
    assert!(!page.contains("http://") && !page.contains("https://"));
    assert!(!page.contains("<script") && !page.contains("@import") && !page.contains("url("));
    assert!(page.contains("<nav class=\"toc\">"));
    assert!(page.contains("href=\"#data\"") && page.contains("id=\"data\""));
    assert!(page.contains("href=\"#importance\"") && page.contains("id=\"importance\""));
    assert!(page.contains("@media print"));
    // Every chart has a caption.
    assert_eq!(
        page.matches("<figure").count(),
        page.matches("<figcaption>").count()
    );
}

#[test]
fn confusion_heat_map_darkens_with_counts_and_prints_them() {
    let labels = vec!["bad".to_string(), "good".to_string()];
    let chart =
        kiln_report::chart::heatmap(&labels, &[vec![30.0, 10.0], vec![5.0, 155.0]], 320).unwrap();
    for n in ["30", "10", "5", "155"] {
        assert!(has_text(&chart.svg, n), "count {n}");
    }
    // The largest count gets the darkest fill, zero would be near white.
    assert!(
        chart
            .svg
            .contains(&format!("fill=\"#{:02X}{:02X}{:02X}\"", 30, 64, 175))
    );
    assert!(has_text(&chart.svg, "predicted class"));
    assert!(has_text(&chart.svg, "true class"));
    // Exactly the four cells (plus the white background).
    assert_eq!(chart.svg.matches("<rect").count(), 5);
}

#[test]
fn empty_bar_chart_draws_no_bars() {
    let chart: Chart = BarChart {
        what: "empty".into(),
        x_label: "x".into(),
        bars: Vec::new(),
        thresholds: Vec::new(),
        x_range: None,
    }
    .render(300)
    .unwrap();
    assert!(rects(&chart.svg, BLUE).is_empty());
}

#[test]
fn importances_reject_mismatched_lengths_and_nan() {
    let r = Report::new("t").add_feature_importances(&["a".into()], &[1.0, 2.0], "x");
    assert!(matches!(r, Err(kiln::Error::ShapeMismatch { .. })));
    let r = Report::new("t").add_feature_importances(&["a".into()], &[f64::NAN], "x");
    assert!(matches!(r, Err(kiln::Error::NonFinite { .. })));
}

#[test]
fn drift_overlay_draws_each_distribution_as_shares() {
    use kiln_report::chart::Overlay;
    // Reference 1:3, current 3:1 -> shares 0.25/0.75 and 0.75/0.25.
    let chart = Overlay {
        what: "t".into(),
        labels: vec!["a".into(), "b".into()],
        first: vec![10.0, 30.0],
        second: vec![300.0, 100.0],
    }
    .render((500, 300))
    .unwrap();
    let plot_h = f64::from(chart.pixels.1.end - chart.pixels.1.start);
    let top = chart.data.1.end;
    // Every rect after the white background, in drawing order.
    let all: Vec<(f64, f64, f64, f64)> = chart
        .svg
        .split("<rect")
        .skip(2)
        .filter_map(|r| {
            let tag = r.split('>').next()?;
            let get = |k: &str| -> Option<f64> {
                let key = format!(" {k}=\"");
                let s = tag.find(&key)? + key.len();
                tag[s..s + tag[s..].find('"')?].parse().ok()
            };
            Some((get("x")?, get("y")?, get("width")?, get("height")?))
        })
        .collect();
    assert_eq!(all.len(), 4, "two bins, two distributions");
    let shares: Vec<f64> = all.iter().map(|r| r.3 / plot_h * top).collect();
    // Drawn reference first (bins a, b), then current (bins a, b).
    let want = [0.25, 0.75, 0.75, 0.25];
    for (got, want) in shares.iter().zip(want) {
        assert!((got - want).abs() < 0.01, "share {got}, want {want}");
    }
    // Current bars are narrower than the reference's, so both stay visible.
    assert!(all[2].2 < all[0].2);
}

#[test]
fn performance_chart_rings_alert_chunks_below_the_bound() {
    use kiln::monitor::performance::{
        ChunkValue, Incomplete, PerformanceReport, Thresholds, chunk_by_size,
    };
    let chunks = chunk_by_size(40, 10, Incomplete::Keep).unwrap();
    let values: Vec<ChunkValue> = [0.9, 0.85, 0.6, 0.8]
        .iter()
        .map(|v| ChunkValue::ok(*v))
        .collect();
    let report = PerformanceReport::new(
        "accuracy",
        Thresholds::Fixed {
            lower: Some(0.7),
            upper: None,
        },
        &[],
        &chunks,
        &values,
    )
    .unwrap();
    let page = Report::new("t").add_performance(&report).unwrap().render();
    // One red ring (r = 7) for the one chunk below 0.7, and the verdict says so.
    assert_eq!(page.matches("r=\"7\"").count(), 1);
    assert!(page.contains("performance: 1 of 4 chunks outside the alert bounds"));
}

const INK: &str = "#111827";

#[test]
fn whiskers_span_their_intervals_in_data_coordinates() {
    let bars = [(0.5, (0.2, 0.6)), (0.3, (0.25, 0.35))]
        .iter()
        .enumerate()
        .map(|(i, (v, iv))| Bar {
            label: format!("g{i}"),
            value: *v,
            interval: Some(*iv),
            color: kiln_report::style::PRIMARY,
        })
        .collect();
    let chart = BarChart {
        what: "t".into(),
        x_label: "rate".into(),
        bars,
        thresholds: Vec::new(),
        x_range: Some(0.0..1.0),
    }
    .render(600)
    .unwrap();
    let x0 = f64::from(chart.pixels.0.start);
    let w = f64::from(chart.pixels.0.end - chart.pixels.0.start);
    let mut whiskers = polylines(&chart.svg, INK);
    assert_eq!(whiskers.len(), 2, "one whisker per bar");
    // The first bar is on top (smallest y).
    whiskers.sort_by(|a, b| a[0].1.total_cmp(&b[0].1));
    for (line, (lo, hi)) in whiskers.iter().zip([(0.2, 0.6), (0.25, 0.35)]) {
        let xs: Vec<f64> = line.iter().map(|p| (p.0 - x0) / w).collect();
        assert!(
            (xs[0] - lo).abs() < 0.01 && (xs[1] - hi).abs() < 0.01,
            "{xs:?}"
        );
    }
}

#[test]
fn fairness_section_draws_each_groups_interval_and_lists_measure_intervals() {
    use kiln::fairness::groups::{Groups, SensitiveColumn};
    use kiln::fairness::report::{FairnessReport, ReportBootstrap, ReportParams};
    // Group a: 200 rows selected at 0.6; group b: 100 rows selected at 0.3.
    let n = 300;
    let group: Vec<&str> = (0..n).map(|i| if i < 200 { "a" } else { "b" }).collect();
    let y_pred: ndarray::Array1<usize> = (0..n)
        .map(|i| usize::from(if i < 200 { i % 5 < 3 } else { i % 10 < 3 }))
        .collect();
    let y_true: ndarray::Array1<usize> = (0..n).map(|i| usize::from(i % 2 == 0)).collect();
    let groups = Groups::new(&[SensitiveColumn::from_strings("g", group).unwrap()], &[]).unwrap();
    let params = ReportParams::default().with_bootstrap(ReportBootstrap {
        n_resamples: 300,
        confidence: 0.9,
        seed: 5,
    });
    let report =
        FairnessReport::new(y_true.view(), y_pred.view(), None, &groups, &params, None).unwrap();
    let page = Report::new("t").add_fairness(&report).unwrap().render();
    let ci = report.intervals.as_ref().unwrap();
    // The selection-rate chart is the first figure: one whisker per group.
    let first = page.split("<figure").nth(1).unwrap();
    assert_eq!(polylines(first, INK).len(), 2);
    assert!(
        first.contains("90% bootstrap interval"),
        "caption names the intervals"
    );
    // The smaller group's interval is the wider one, and both cover their rate.
    let (a, b) = (
        ci.rate("selection_rate", 0).unwrap(),
        ci.rate("selection_rate", 1).unwrap(),
    );
    let width = |x: &kiln::fairness::frame::Bounds| x.upper.get().unwrap() - x.lower.get().unwrap();
    assert!(width(b) > width(a));
    assert!(a.lower.get().unwrap() < 0.6 && 0.6 < a.upper.get().unwrap());
    // The measure table has the interval column with the demographic parity interval.
    let dp = ci.measure("demographic_parity_difference").unwrap();
    assert!(page.contains("<th>90% interval</th>"));
    let cell = format!(
        "{} – {}",
        kiln_report::style::num(dp.lower.get().unwrap()),
        kiln_report::style::num(dp.upper.get().unwrap())
    );
    assert!(page.contains(&cell), "{cell}");
}
