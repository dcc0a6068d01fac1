//! Charts of counts on categories: distributions overlaid, and the confusion-matrix heat map.

use kiln::Result;
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

use super::{Chart, render};
use crate::style;

/// Two distributions side by side per bin or category, as shares of their totals.
#[derive(Debug, Clone)]
pub struct Overlay {
    /// Names the chart in errors.
    pub what: String,
    /// One label per bin or category.
    pub labels: Vec<String>,
    /// The first distribution's counts (reference).
    pub first: Vec<f64>,
    /// The second distribution's counts (current).
    pub second: Vec<f64>,
}

impl Overlay {
    /// Renders at `size`; each distribution is normalised to shares.
    pub fn render(&self, size: (u32, u32)) -> Result<Chart> {
        let shares = |c: &[f64]| {
            let t: f64 = c.iter().sum();
            c.iter()
                .map(|v| if t > 0.0 { v / t } else { 0.0 })
                .collect::<Vec<_>>()
        };
        let (a, b) = (shares(&self.first), shares(&self.second));
        let n = self.labels.len().max(1);
        let top = a.iter().chain(&b).fold(0.0_f64, |m, v| m.max(*v));
        let y_top = if top > 0.0 { top * 1.15 } else { 1.0 };
        let data = (0.0..n as f64, 0.0..y_top);
        // A quarter of a bin's width in pixels (the plot is the width less the axis area).
        let inset = (size.0.saturating_sub(76) / (4 * n as u32)).max(1);
        // Labels are cut to what fits under a bin (about 8 pixels a character).
        let room = ((size.0.saturating_sub(76) / n as u32 / 8) as usize).max(4);
        render(&self.what, size, data, |root| {
            let mut chart = ChartBuilder::on(root)
                .margin(12)
                .x_label_area_size(40)
                .y_label_area_size(52)
                .build_cartesian_2d((0..n - 1).into_segmented(), 0.0..y_top)?;
            let labels: Vec<String> = self.labels.iter().map(|l| style::clip(l, room)).collect();
            let fmt_x = |v: &SegmentValue<usize>| match v {
                SegmentValue::CenterOf(k) => labels.get(*k).cloned().unwrap_or_default(),
                _ => String::new(),
            };
            let mut mesh = chart.configure_mesh();
            mesh.disable_x_mesh()
                .light_line_style(style::GRID)
                .max_light_lines(1)
                .bold_line_style(style::GRID_BOLD)
                .y_desc("share of rows")
                .x_labels(n)
                .y_labels(5)
                .x_label_formatter(&fmt_x)
                .y_label_formatter(&|v| style::tick(*v))
                .label_style(("sans-serif", 14))
                .axis_desc_style(("sans-serif", 15));
            mesh.draw()?;
            for (shares, color, side) in [(&a, style::REFERENCE, 0), (&b, style::CURRENT, 1)] {
                chart.draw_series(shares.iter().enumerate().map(|(k, v)| {
                    let mut r = Rectangle::new(
                        [
                            (SegmentValue::Exact(k), 0.0),
                            (SegmentValue::Exact(k + 1), *v),
                        ],
                        color.mix(if side == 0 { 0.45 } else { 0.85 }).filled(),
                    );
                    // Overlaid: the reference fills its bin, current is a narrower bar
                    // in front, so both stay visible where they agree.
                    let m = if side == 0 { 2 } else { inset };
                    r.set_margin(0, 0, m, m);
                    r
                }))?;
            }
            // No legend: it would hide bars; the caption names the two colours.
            Ok(chart.plotting_area().get_pixel_range())
        })
    }
}

/// A confusion matrix as a heat map: rows true classes, columns predicted, darker = more.
pub fn heatmap(labels: &[String], matrix: &[Vec<f64>], size: u32) -> Result<Chart> {
    let n = labels.len().max(1);
    let top = matrix
        .iter()
        .flatten()
        .fold(0.0_f64, |m, v| m.max(*v))
        .max(1.0);
    let data = (0.0..n as f64, 0.0..n as f64);
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(4);
    let label_width = (longest as u32 * 7 + 20).clamp(50, 200);
    render(
        "confusion matrix",
        (size + label_width, size),
        data,
        |root| {
            let mut chart = ChartBuilder::on(root)
                .margin(12)
                .x_label_area_size(44)
                .y_label_area_size(label_width)
                .build_cartesian_2d((0..n - 1).into_segmented(), (0..n - 1).into_segmented())?;
            let name = |v: &SegmentValue<usize>, flip: bool| match v {
                SegmentValue::CenterOf(k) if *k < n => labels
                    .get(if flip { n - 1 - k } else { *k })
                    .cloned()
                    .unwrap_or_default(),
                _ => String::new(),
            };
            chart
                .configure_mesh()
                .disable_mesh()
                .x_desc("predicted class")
                .y_desc("true class")
                .x_labels(n)
                .y_labels(n)
                .x_label_formatter(&|v| name(v, false))
                .y_label_formatter(&|v| name(v, true))
                .label_style(("sans-serif", 15))
                .axis_desc_style(("sans-serif", 16))
                .draw()?;
            for (i, row) in matrix.iter().enumerate().take(n) {
                for (j, &v) in row.iter().enumerate().take(n) {
                    let k = n - 1 - i;
                    let shade = v / top;
                    let fill = style::heat(shade);
                    chart.draw_series(std::iter::once(Rectangle::new(
                        [
                            (SegmentValue::Exact(j), SegmentValue::Exact(k)),
                            (SegmentValue::Exact(j + 1), SegmentValue::Exact(k + 1)),
                        ],
                        fill.filled(),
                    )))?;
                    let ink = if shade > 0.55 { WHITE } else { style::INK };
                    chart.draw_series(std::iter::once(Text::new(
                        style::count(v),
                        (SegmentValue::CenterOf(j), SegmentValue::CenterOf(k)),
                        ("sans-serif", 22).into_font().color(&ink).pos(
                            plotters::style::text_anchor::Pos::new(
                                plotters::style::text_anchor::HPos::Center,
                                plotters::style::text_anchor::VPos::Center,
                            ),
                        ),
                    )))?;
                }
            }
            Ok(chart.plotting_area().get_pixel_range())
        },
    )
}
