//! Slices from a numeric column: quantile bins or explicit cut points, NaN as "missing".

use kiln_core::{Error, Result};
use ndarray::ArrayView1;

use super::{MISSING, Slices};

const NAME: &str = "Slices";

/// NumPy's default quantile (`method="linear"`, Hyndman & Fan type 7) of sorted, non-empty
/// `sorted` at `q`: the value at position `h = (n − 1) q`, linearly interpolated between its
/// neighbours, with NumPy's two-sided form of the interpolation (from the nearer end), so the
/// result matches `numpy.quantile` to the last bit.
pub(super) fn quantile_linear(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    let h = (n - 1) as f64 * q;
    let lo = (h.floor() as usize).min(n - 1);
    let hi = (lo + 1).min(n - 1);
    let t = h - lo as f64;
    let (a, b) = (sorted[lo], sorted[hi]);
    let diff = b - a;
    if t >= 0.5 {
        b - diff * (1.0 - t)
    } else {
        a + diff * t
    }
}

/// Bin index of `v` among increasing `cuts`: the number of cuts `<= v` (NumPy's
/// `searchsorted(cuts, v, side="right")`), so bins are closed on the left.
fn bin_of(cuts: &[f64], v: f64) -> usize {
    cuts.partition_point(|&c| c <= v)
}

/// Assigns each value to its bin, NaN to an extra "missing" slice after the bins (only when
/// a NaN is present).
fn assign(
    column: &str,
    values: ArrayView1<'_, f64>,
    cuts: &[f64],
    mut names: Vec<String>,
    edges: Vec<f64>,
) -> Slices {
    let n_bins = names.len();
    let has_missing = values.iter().any(|v| v.is_nan());
    let assignment = values
        .iter()
        .map(|&v| if v.is_nan() { n_bins } else { bin_of(cuts, v) })
        .collect();
    if has_missing {
        names.push(MISSING.to_owned());
    }
    Slices {
        column: column.to_owned(),
        names,
        assignment,
        edges: Some(edges),
    }
}

fn fmt_edge(v: f64) -> String {
    format!("{v}")
}

impl Slices {
    /// Slices from `n_bins` quantile bins of a numeric column.
    ///
    /// The edges are NumPy's default quantiles (`numpy.quantile(v, numpy.linspace(0, 1,
    /// n_bins + 1))`, method `"linear"`: Hyndman & Fan's type 7) of the non-missing values;
    /// repeated edges (from tied values) are merged, so there may be fewer bins. A value `v`
    /// falls in bin `[e_k, e_{k+1})` (closed on the left, as scikit-learn's
    /// `KBinsDiscretizer`), the last bin also holding the maximum. Slices are named
    /// `"[20, 27)"`, …, `"[52, 75]"`. NaN values form a last slice named `"missing"`; they
    /// are not an error.
    ///
    /// # Errors
    /// [`Error::EmptyInput`] for an empty column; [`Error::InvalidParameter`] for
    /// `n_bins = 0` or above 2^24; [`Error::NonFinite`] for an infinite value;
    /// [`Error::InvalidValue`] when every value is NaN.
    pub fn quantile_bins(
        column: &str,
        values: ArrayView1<'_, f64>,
        n_bins: usize,
    ) -> Result<Slices> {
        if values.is_empty() {
            return Err(Error::EmptyInput {
                what: format!("slicing column `{column}`"),
                reason: "0 values".into(),
            });
        }
        kiln_core::check::check_param(
            NAME,
            "n_bins",
            n_bins,
            (1..=1 << 24).contains(&n_bins),
            "an int in the range [1, 16777216]",
        )?;
        // Infinite values would make NaN quantile edges and slice names like "[NaN, 1.5)"
        // (found by probing); `from_cuts` rejects infinite cuts the same way.
        if let Some(row) = values.iter().position(|v| v.is_infinite()) {
            return Err(Error::NonFinite {
                what: format!("slicing column `{column}`"),
                row,
                col: None,
                value: values[row],
            });
        }
        let mut sorted: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
        if sorted.is_empty() {
            return Err(Error::InvalidValue {
                what: format!("slicing column `{column}`"),
                row: None,
                reason: "every value is NaN; quantile bins need at least one number".into(),
            });
        }
        sorted.sort_by(f64::total_cmp);
        // NumPy's linspace: k * step, the last point exactly 1.
        let step = 1.0 / n_bins as f64;
        let mut edges: Vec<f64> = (0..=n_bins)
            .map(|k| {
                let q = if k == n_bins { 1.0 } else { k as f64 * step };
                quantile_linear(&sorted, q)
            })
            .collect();
        edges.dedup();
        let cuts: Vec<f64> = if edges.len() > 2 {
            edges[1..edges.len() - 1].to_vec()
        } else {
            Vec::new()
        };
        let n = cuts.len() + 1;
        let names = (0..n)
            .map(|k| {
                let lo = fmt_edge(edges[k]);
                let hi = fmt_edge(*edges.get(k + 1).unwrap_or(&edges[k]));
                if k + 1 == n {
                    format!("[{lo}, {hi}]")
                } else {
                    format!("[{lo}, {hi})")
                }
            })
            .collect();
        Ok(assign(column, values, &cuts, names, edges))
    }

    /// Slices of a numeric column cut at the strictly increasing, finite points `cuts`:
    /// `"< c1"`, `"[c1, c2)"`, …, `">= cm"` (closed on the left, so every number has a
    /// slice). NaN values form a last slice named `"missing"`. Bins that no value falls in
    /// are kept, with a count of 0.
    ///
    /// # Errors
    /// [`Error::EmptyInput`] for an empty column; [`Error::InvalidParameter`] when `cuts` is
    /// empty, not finite or not strictly increasing.
    pub fn from_cuts(column: &str, values: ArrayView1<'_, f64>, cuts: &[f64]) -> Result<Slices> {
        if values.is_empty() {
            return Err(Error::EmptyInput {
                what: format!("slicing column `{column}`"),
                reason: "0 values".into(),
            });
        }
        if cuts.is_empty() {
            return Err(Error::invalid_param(
                NAME,
                "cuts",
                "must hold at least one cut point; got none",
            ));
        }
        if let Some(c) = cuts.iter().find(|c| !c.is_finite()) {
            return Err(Error::invalid_param(
                NAME,
                "cuts",
                format!("must be finite; got {c}"),
            ));
        }
        if let Some(w) = cuts.windows(2).find(|w| w[0] >= w[1]) {
            return Err(Error::invalid_param(
                NAME,
                "cuts",
                format!("must be strictly increasing; got {} then {}", w[0], w[1]),
            ));
        }
        let m = cuts.len();
        let names = (0..=m)
            .map(|k| match k {
                0 => format!("< {}", fmt_edge(cuts[0])),
                k if k == m => format!(">= {}", fmt_edge(cuts[m - 1])),
                k => format!("[{}, {})", fmt_edge(cuts[k - 1]), fmt_edge(cuts[k])),
            })
            .collect();
        Ok(assign(column, values, cuts, names, cuts.to_vec()))
    }
}
