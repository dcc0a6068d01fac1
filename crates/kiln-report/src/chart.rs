//! Charts drawn with plotters' SVG backend into a `String`, ready to inline in HTML.
//!
//! Every chart returns a [`Chart`]: the SVG markup and the pixel rectangle of its plotting
//! area with the data ranges it maps, so tests can turn pixels back into data coordinates.

use std::ops::Range;

use kiln::{Error, Result};
use plotters::coord::Shift;
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

use crate::style;

mod bins;

pub use bins::{Overlay, heatmap};

/// A rendered chart: SVG markup and where its data lives in pixels.
#[derive(Debug, Clone)]
pub struct Chart {
    /// The `<svg>` element (no XML namespace URL, so the page holds no `http` text).
    pub svg: String,
    /// The plotting area in pixels: `(x range, y range)`, y growing downwards.
    pub pixels: (Range<i32>, Range<i32>),
    /// The data ranges of the axes (for a bar chart, y is the bar index range).
    pub data: (Range<f64>, Range<f64>),
}

impl Chart {
    /// Data coordinates of pixel `(px, py)` of this chart.
    pub fn to_data(&self, px: f64, py: f64) -> (f64, f64) {
        let (xp, yp) = &self.pixels;
        let (xd, yd) = &self.data;
        let fx = (px - f64::from(xp.start)) / f64::from((xp.end - xp.start).max(1));
        let fy = (f64::from(yp.end) - py) / f64::from((yp.end - yp.start).max(1));
        (
            xd.start + fx * (xd.end - xd.start),
            yd.start + fy * (yd.end - yd.start),
        )
    }
}

type Drawn = std::result::Result<(Range<i32>, Range<i32>), Box<dyn std::error::Error>>;

/// Draws into an SVG string of `size` pixels with `draw`, which returns the plot area.
fn render(
    what: &str,
    size: (u32, u32),
    data: (Range<f64>, Range<f64>),
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, Shift>) -> Drawn,
) -> Result<Chart> {
    let mut svg = String::new();
    let pixels = {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        let drawn = root
            .fill(&WHITE)
            .map_err(|e| -> Box<dyn std::error::Error> { Box::new(e) })
            .and_then(|()| draw(&root))
            .and_then(|p| root.present().map(|()| p).map_err(Into::into));
        drawn.map_err(|e| Error::InvalidValue {
            what: format!("the {what} chart"),
            row: None,
            reason: format!("could not be drawn: {e}"),
        })?
    };
    // Inline SVG in HTML needs no namespace; dropping it keeps every URL out of the page.
    let svg = svg.replacen(
        " xmlns=\"http://www.w3.org/2000/svg\"",
        " role=\"img\" class=\"chart\"",
        1,
    );
    Ok(Chart { svg, pixels, data })
}

/// A dashed reference line from `(x0, y0)` to `(x1, y1)` with its legend entry.
pub type Reference = ((f64, f64), (f64, f64), String);

/// One line of a [`LineChart`].
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend entry.
    pub name: String,
    /// Points in data coordinates, drawn in order.
    pub points: Vec<(f64, f64)>,
    /// Line colour.
    pub color: RGBColor,
    /// Draw a dot at every point.
    pub markers: bool,
}

/// A chart of lines on numeric axes.
#[derive(Debug, Clone)]
pub struct LineChart {
    /// Names the chart in errors.
    pub what: String,
    /// Axis titles.
    pub x_label: String,
    /// Axis titles.
    pub y_label: String,
    /// Axis ranges.
    pub x_range: Range<f64>,
    /// Axis ranges.
    pub y_range: Range<f64>,
    /// The lines.
    pub series: Vec<Series>,
    /// A dashed reference line from `(x0, y0)` to `(x1, y1)` with its legend entry.
    pub reference: Option<Reference>,
    /// Horizontal dashed threshold lines at `y`, with legend entries.
    pub thresholds: Vec<(f64, String)>,
    /// Points to ring in red (alerts), in data coordinates.
    pub alerts: Vec<(f64, f64)>,
    /// Label the x axis with these names at 0, 1, 2, ... instead of numbers.
    pub x_names: Option<Vec<String>>,
    /// Draw a legend in the lower right corner (captions can name the lines instead).
    pub legend: bool,
}

impl LineChart {
    /// An empty chart with axis titles and ranges.
    pub fn new(
        what: &str,
        x_label: &str,
        y_label: &str,
        x_range: Range<f64>,
        y_range: Range<f64>,
    ) -> Self {
        Self {
            what: what.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            x_range,
            y_range,
            series: Vec::new(),
            reference: None,
            thresholds: Vec::new(),
            alerts: Vec::new(),
            x_names: None,
            legend: true,
        }
    }

    /// Renders at `size` pixels.
    pub fn render(&self, size: (u32, u32)) -> Result<Chart> {
        let data = (self.x_range.clone(), self.y_range.clone());
        render(&self.what, size, data, |root| {
            let mut chart = ChartBuilder::on(root)
                .margin(14)
                .x_label_area_size(44)
                .y_label_area_size(56)
                .build_cartesian_2d(self.x_range.clone(), self.y_range.clone())?;
            let names = self.x_names.clone();
            let fmt_x = move |v: &f64| match &names {
                Some(n) => {
                    let i = v.round();
                    if (v - i).abs() < 1e-9 && i >= 0.0 {
                        n.get(i as usize).cloned().unwrap_or_default()
                    } else {
                        String::new()
                    }
                }
                None => style::tick(*v),
            };
            let n_x = self.x_names.as_ref().map_or(8, |n| n.len().clamp(2, 12));
            chart
                .configure_mesh()
                .light_line_style(style::GRID)
                .max_light_lines(1)
                .bold_line_style(style::GRID_BOLD)
                .x_desc(self.x_label.as_str())
                .y_desc(self.y_label.as_str())
                .x_labels(n_x)
                .y_labels(6)
                .x_label_formatter(&fmt_x)
                .y_label_formatter(&|v| style::tick(*v))
                .label_style(("sans-serif", 15))
                .axis_desc_style(("sans-serif", 16))
                .draw()?;
            if let Some((a, b, name)) = &self.reference {
                chart
                    .draw_series(DashedLineSeries::new(
                        [*a, *b],
                        6,
                        5,
                        style::MUTED.stroke_width(1),
                    ))?
                    .label(name.as_str())
                    .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], style::MUTED));
            }
            for (y, name) in &self.thresholds {
                let line = [(self.x_range.start, *y), (self.x_range.end, *y)];
                chart
                    .draw_series(DashedLineSeries::new(
                        line,
                        6,
                        4,
                        style::FAIL.stroke_width(1),
                    ))?
                    .label(name.as_str())
                    .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], style::FAIL));
            }
            for s in &self.series {
                let color = s.color;
                chart
                    .draw_series(LineSeries::new(
                        s.points.iter().copied(),
                        color.stroke_width(2),
                    ))?
                    .label(s.name.as_str())
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
                    });
                if s.markers {
                    chart
                        .draw_series(s.points.iter().map(|&p| Circle::new(p, 3, color.filled())))?;
                }
            }
            if !self.alerts.is_empty() {
                chart.draw_series(
                    self.alerts
                        .iter()
                        .map(|&p| Circle::new(p, 7, style::FAIL.stroke_width(2))),
                )?;
            }
            if self.legend {
                chart
                    .configure_series_labels()
                    .position(SeriesLabelPosition::LowerRight)
                    .label_font(("sans-serif", 15))
                    .background_style(WHITE.mix(0.85))
                    .border_style(style::GRID_BOLD)
                    .draw()?;
            }
            Ok(chart.plotting_area().get_pixel_range())
        })
    }
}

/// Axis labels longer than this are cut with an ellipsis.
const MAX_LABEL: usize = 42;

/// One bar of a [`BarChart`].
#[derive(Debug, Clone)]
pub struct Bar {
    /// The label on the axis.
    pub label: String,
    /// The bar's length.
    pub value: f64,
    /// An interval drawn as a whisker, e.g. a bootstrap interval or mean ± std.
    pub interval: Option<(f64, f64)>,
    /// Fill colour.
    pub color: RGBColor,
}

/// Horizontal bars, one per label, top to bottom, starting at zero.
#[derive(Debug, Clone)]
pub struct BarChart {
    /// Names the chart in errors.
    pub what: String,
    /// The value axis title.
    pub x_label: String,
    /// The bars, drawn top to bottom.
    pub bars: Vec<Bar>,
    /// Vertical dashed lines (e.g. a parity band), with legend entries.
    pub thresholds: Vec<(f64, String)>,
    /// The value range; by default from `min(0, smallest)` to the largest value or whisker.
    pub x_range: Option<Range<f64>>,
}

impl BarChart {
    /// Renders at `width` pixels; the height follows the number of bars.
    pub fn render(&self, width: u32) -> Result<Chart> {
        let n = self.bars.len().max(1);
        let longest = self
            .bars
            .iter()
            .map(|b| b.label.chars().count().min(MAX_LABEL))
            .max()
            .unwrap_or(4);
        let label_width = (longest as u32 * 7 + 20).clamp(60, 320);
        let height = 70 + 26 * n as u32 + if self.thresholds.is_empty() { 0 } else { 24 };
        let x_range = self.x_range.clone().unwrap_or_else(|| {
            let hi = self
                .bars
                .iter()
                .map(|b| b.interval.map_or(b.value, |(_, h)| h.max(b.value)))
                .chain(self.thresholds.iter().map(|t| t.0))
                .fold(0.0_f64, f64::max);
            let lo = self
                .bars
                .iter()
                .map(|b| b.interval.map_or(b.value, |(l, _)| l.min(b.value)))
                .fold(0.0_f64, f64::min);
            let hi = if hi > lo { hi * 1.05 } else { lo + 1.0 };
            lo..hi
        });
        let data = (x_range.clone(), 0.0..n as f64);
        render(&self.what, (width, height), data, |root| {
            let mut chart = ChartBuilder::on(root)
                .margin(12)
                .x_label_area_size(40)
                .y_label_area_size(label_width)
                .build_cartesian_2d(x_range.clone(), (0..n - 1).into_segmented())?;
            let labels: Vec<String> = self
                .bars
                .iter()
                .map(|b| style::clip(&b.label, MAX_LABEL))
                .collect();
            // Bar `i` is drawn at segment `n - 1 - i` so the first bar is on top.
            let fmt_y = |v: &SegmentValue<usize>| match v {
                SegmentValue::CenterOf(k) if *k < n => {
                    labels.get(n - 1 - k).cloned().unwrap_or_default()
                }
                _ => String::new(),
            };
            chart
                .configure_mesh()
                .disable_y_mesh()
                .light_line_style(style::GRID)
                .max_light_lines(1)
                .bold_line_style(style::GRID_BOLD)
                .x_desc(self.x_label.as_str())
                .x_labels(6)
                .y_labels(n)
                .x_label_formatter(&|v| style::tick(*v))
                .y_label_formatter(&fmt_y)
                .label_style(("sans-serif", 15))
                .axis_desc_style(("sans-serif", 16))
                .draw()?;
            let lo = x_range.start.max(0.0).min(x_range.end);
            chart.draw_series(self.bars.iter().enumerate().map(|(i, b)| {
                let k = n - 1 - i;
                let mut r = Rectangle::new(
                    [
                        (lo, SegmentValue::Exact(k)),
                        (b.value, SegmentValue::Exact(k + 1)),
                    ],
                    b.color.filled(),
                );
                r.set_margin(4, 4, 0, 0);
                r
            }))?;
            for (i, b) in self.bars.iter().enumerate() {
                if let Some((l, h)) = b.interval {
                    let k = n - 1 - i;
                    let mid = SegmentValue::CenterOf(k);
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(l, mid.clone()), (h, mid)],
                        style::INK.stroke_width(2),
                    )))?;
                }
            }
            // Threshold lines are named in the caption: a legend would hide bars.
            for (x, _) in &self.thresholds {
                let line = [(*x, SegmentValue::Exact(0)), (*x, SegmentValue::Exact(n))];
                chart.draw_series(DashedLineSeries::new(
                    line,
                    6,
                    4,
                    style::FAIL.stroke_width(2),
                ))?;
            }
            Ok(chart.plotting_area().get_pixel_range())
        })
    }
}

/// Points on numeric axes, with an optional dashed reference line.
#[derive(Debug, Clone)]
pub struct Scatter {
    /// Names the chart in errors.
    pub what: String,
    /// Axis titles.
    pub x_label: String,
    /// Axis titles.
    pub y_label: String,
    /// The points.
    pub points: Vec<(f64, f64)>,
    /// A dashed line from `(x0, y0)` to `(x1, y1)` with its legend entry.
    pub reference: Option<Reference>,
}

impl Scatter {
    /// Renders at `size`; the ranges cover every point and the reference line.
    pub fn render(&self, size: (u32, u32)) -> Result<Chart> {
        let xs = self.points.iter().map(|p| p.0);
        let ys = self.points.iter().map(|p| p.1);
        let mut x_range = style::padded(xs);
        let mut y_range = style::padded(ys);
        if let Some((a, b, _)) = &self.reference {
            x_range = x_range.start.min(a.0).min(b.0)..x_range.end.max(a.0).max(b.0);
            y_range = y_range.start.min(a.1).min(b.1)..y_range.end.max(a.1).max(b.1);
        }
        let mut chart = LineChart::new(
            &self.what,
            &self.x_label,
            &self.y_label,
            x_range.clone(),
            y_range.clone(),
        );
        chart.reference = self.reference.clone();
        let data = (x_range, y_range);
        let points = self.points.clone();
        render(&self.what, size, data, |root| {
            let mut c = ChartBuilder::on(root)
                .margin(14)
                .x_label_area_size(44)
                .y_label_area_size(60)
                .build_cartesian_2d(chart.x_range.clone(), chart.y_range.clone())?;
            c.configure_mesh()
                .light_line_style(style::GRID)
                .max_light_lines(1)
                .bold_line_style(style::GRID_BOLD)
                .x_desc(chart.x_label.as_str())
                .y_desc(chart.y_label.as_str())
                .x_labels(7)
                .y_labels(6)
                .x_label_formatter(&|v| style::tick(*v))
                .y_label_formatter(&|v| style::tick(*v))
                .label_style(("sans-serif", 15))
                .axis_desc_style(("sans-serif", 16))
                .draw()?;
            c.draw_series(
                points
                    .iter()
                    .map(|&p| Circle::new(p, 3, style::PRIMARY.mix(0.55).filled())),
            )?;
            if let Some((a, b, name)) = &chart.reference {
                c.draw_series(DashedLineSeries::new(
                    [*a, *b],
                    6,
                    5,
                    style::INK.stroke_width(1),
                ))?
                .label(name.as_str())
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], style::INK));
                c.configure_series_labels()
                    .position(SeriesLabelPosition::UpperLeft)
                    .label_font(("sans-serif", 15))
                    .background_style(WHITE.mix(0.85))
                    .border_style(style::GRID_BOLD)
                    .draw()?;
            }
            Ok(c.plotting_area().get_pixel_range())
        })
    }
}
