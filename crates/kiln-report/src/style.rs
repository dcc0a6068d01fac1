//! Colours and number formats shared by the charts and the page.

use std::ops::Range;

use plotters::style::{RGBColor, ShapeStyle};

/// The main series colour (blue).
pub const PRIMARY: RGBColor = RGBColor(37, 99, 235);
/// A second series colour (amber).
pub const SECONDARY: RGBColor = RGBColor(217, 119, 6);
/// Reference data in drift charts (slate).
pub const REFERENCE: RGBColor = RGBColor(100, 116, 139);
/// Current data in drift charts (blue).
pub const CURRENT: RGBColor = PRIMARY;
/// Failing values, alert marks and threshold lines (red).
pub const FAIL: RGBColor = RGBColor(220, 38, 38);
/// Passing values (green).
pub const PASS: RGBColor = RGBColor(22, 163, 74);
/// Values without a verdict (grey).
pub const MUTED: RGBColor = RGBColor(107, 114, 128);
/// Text and whiskers (near black).
pub const INK: RGBColor = RGBColor(17, 24, 39);

/// Light grid lines.
pub const GRID: ShapeStyle = ShapeStyle {
    color: plotters::style::RGBAColor(229, 231, 235, 1.0),
    filled: false,
    stroke_width: 1,
};
/// Major grid lines.
pub const GRID_BOLD: ShapeStyle = ShapeStyle {
    color: plotters::style::RGBAColor(209, 213, 219, 1.0),
    filled: false,
    stroke_width: 1,
};

/// A colour from white (0) to deep blue (1) for heat maps.
pub fn heat(t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
    RGBColor(mix(239, 30), mix(246, 64), mix(255, 175))
}

/// A tick label: few digits, no trailing zeros.
pub fn tick(v: f64) -> String {
    if !v.is_finite() {
        return String::new();
    }
    let a = v.abs();
    let s = if a == 0.0 {
        "0".to_string()
    } else if !(1e-3..1e5).contains(&a) {
        format!("{v:.1e}")
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    };
    trim_zeros(s)
}

fn trim_zeros(s: String) -> String {
    if s.contains('.') && !s.contains('e') {
        let t = s.trim_end_matches('0').trim_end_matches('.');
        if t == "-0" { "0".into() } else { t.into() }
    } else {
        s
    }
}

/// A count (whole numbers without decimals, weighted counts with one).
pub fn count(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// A metric value for tables and captions.
pub fn num(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.3}")
    } else {
        "–".into()
    }
}

/// The range of finite `values` with 5% padding (0..1 when there are none).
pub fn padded(values: impl Iterator<Item = f64>) -> Range<f64> {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
            (l.min(v), h.max(v))
        });
    if !lo.is_finite() {
        return 0.0..1.0;
    }
    let pad = if hi > lo { (hi - lo) * 0.05 } else { 0.5 };
    (lo - pad)..(hi + pad)
}

/// `s` cut to `max` characters, the last one an ellipsis when cut.
pub fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}
