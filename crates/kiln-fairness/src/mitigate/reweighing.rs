//! Reweighing (pre-processing): per-row weights that make the label statistically
//! independent of the group in the weighted training data (Kamiran & Calders 2012).
//!
//! Each (group, label) cell gets the weight it would have if group and label were
//! independent, divided by the weight it has:
//!
//! `W(g, y) = P(g) · P(y) / P(g, y) = (W_y · W_g) / (W · W_gy)`
//!
//! where `W` is the total (sample) weight, `W_g` that of group `g`, `W_y` that of label `y` and
//! `W_gy` that of the cell. A row's new weight is its incoming weight (1 without weights) times
//! its cell's factor; pass it to any kiln estimator's `fit_weighted`.
//!
//! Two forms:
//! - [`reweighing`]: the general form, one cell per group of a [`Groups`] (intersectional
//!   groups included) and label.
//! - [`reweighing_privileged`]: AIF360 0.6.1's `Reweighing`: two groups, *privileged* and
//!   *unprivileged*, each a set of groups of a [`Groups`]; rows in neither keep their weight
//!   (AIF360 multiplies only the four cells' rows), but count in `W`, `W_y`.
//!
//! ```
//! use kiln_fairness::groups::{Groups, SensitiveColumn};
//! use kiln_fairness::mitigate::reweighing::reweighing;
//! use ndarray::array;
//!
//! let groups = Groups::new(&[SensitiveColumn::from_strings("g", ["a", "a", "a", "b", "b", "b"])?], &[])?;
//! let y = array![1, 1, 0, 1, 0, 0];
//! let rw = reweighing(y.view(), &groups, None)?;
//! // Cell (a, 1): P(a) P(1) / P(a, 1) = 0.5 * 0.5 / (2/6) = 0.75.
//! assert!((rw.weights()[0] - 0.75).abs() < 1e-15);
//! // Cell (a, 0): 0.25 / (1/6) = 1.5.
//! assert!((rw.weights()[2] - 1.5).abs() < 1e-15);
//! // In the weighted data both groups have the overall share of label 1 (1/2).
//! let w = rw.weights();
//! let share_a = (w[0] + w[1]) / (w[0] + w[1] + w[2]);
//! assert!((share_a - 0.5).abs() < 1e-15);
//! # Ok::<(), kiln_core::Error>(())
//! ```
//!
//! # References
//! F. Kamiran and T. Calders, "Data preprocessing techniques for classification without
//! discrimination", Knowledge and Information Systems 33(1), 2012.

use kiln_core::check::check_sample_weight;
use kiln_core::{Error, Result};
use ndarray::{Array1, ArrayView1};
use serde::{Deserialize, Serialize};

use crate::confusion::check_binary_labels;
use crate::groups::Groups;
use crate::value::{Undefined, Value};

/// One (group, label) cell of a reweighing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReweighingCell {
    /// The group's name (a [`Groups::name`], or `"privileged"` / `"unprivileged"`).
    pub group: String,
    /// The label, 0 or 1.
    pub label: usize,
    /// The cell's total incoming weight `W_gy` (its row count without weights).
    pub weight: f64,
    /// The factor `(W_y · W_g) / (W · W_gy)`; undefined for a cell with zero weight, which
    /// no row receives.
    pub factor: Value,
}

/// The result of a reweighing: the cell factors and the per-row weights.
///
/// # Notes
/// - A cell with zero weight (a group in which every row has the same label) has an
///   undefined factor and no rows; the group's other cell gets `W_y / W`, the label's overall
///   share, so the group's rows keep their label but weigh as if the group had the overall
///   label mix (AIF360 computes an infinite or NaN factor there and likewise applies it to no
///   row).
/// - A label absent from the data leaves its cells undefined and every factor of the other
///   label equal to 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reweighing {
    cells: Vec<ReweighingCell>,
    weights: Array1<f64>,
}

impl Reweighing {
    /// The cells, group by group, label 0 then 1.
    pub fn cells(&self) -> &[ReweighingCell] {
        &self.cells
    }

    /// The new weight of every row (incoming weight times its cell's factor).
    pub fn weights(&self) -> &Array1<f64> {
        &self.weights
    }

    /// The per-row weights, owned.
    pub fn into_weights(self) -> Array1<f64> {
        self.weights
    }
}

/// Reweighing over every group of `groups` (Kamiran & Calders' general form).
///
/// # Errors
/// [`Error::ShapeMismatch`] when `y` or `sample_weight` has another length than the groups'
/// rows; [`Error::InvalidValue`] for a label other than 0 or 1; the errors of
/// [`kiln_core::check::check_sample_weight`].
pub fn reweighing(
    y: ArrayView1<'_, usize>,
    groups: &Groups,
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<Reweighing> {
    let cell_of: Vec<Option<usize>> = (0..groups.n_groups()).map(Some).collect();
    let names: Vec<String> = (0..groups.n_groups()).map(|g| groups.name(g)).collect();
    compute(y, groups, sample_weight, &cell_of, names)
}

/// AIF360's `Reweighing`: a privileged and an unprivileged group, each the union of the
/// listed groups of `groups` (indices below [`Groups::n_groups`]).
///
/// Rows of groups in neither list keep their incoming weight, but count in the totals, as in
/// AIF360.
///
/// # Errors
/// As [`reweighing`], and [`Error::InvalidValue`] for a group index out of range, in both
/// lists, or an empty list.
pub fn reweighing_privileged(
    y: ArrayView1<'_, usize>,
    groups: &Groups,
    privileged: &[usize],
    unprivileged: &[usize],
    sample_weight: Option<ArrayView1<'_, f64>>,
) -> Result<Reweighing> {
    let mut cell_of = vec![None; groups.n_groups()];
    for (list, cell, what) in [
        (privileged, 0, "privileged"),
        (unprivileged, 1, "unprivileged"),
    ] {
        if list.is_empty() {
            return Err(Error::InvalidValue {
                what: format!("{what} groups"),
                row: None,
                reason: "no group given".into(),
            });
        }
        for &g in list {
            let slot = cell_of.get_mut(g).ok_or_else(|| Error::InvalidValue {
                what: format!("{what} groups"),
                row: None,
                reason: format!(
                    "group index {g} out of range ({} groups)",
                    groups.n_groups()
                ),
            })?;
            if slot.is_some() {
                return Err(Error::InvalidValue {
                    what: format!("{what} groups"),
                    row: None,
                    reason: format!(
                        "group {g} (`{}`) is listed twice or in both lists",
                        groups.name(g)
                    ),
                });
            }
            *slot = Some(cell);
        }
    }
    let names = vec!["privileged".to_owned(), "unprivileged".to_owned()];
    compute(y, groups, sample_weight, &cell_of, names)
}

/// The shared computation: `cell_of[g]` is the reweighing group of group `g` (or none).
fn compute(
    y: ArrayView1<'_, usize>,
    groups: &Groups,
    sample_weight: Option<ArrayView1<'_, f64>>,
    cell_of: &[Option<usize>],
    names: Vec<String>,
) -> Result<Reweighing> {
    let n = groups.n_rows();
    check_binary_labels(y, n, "y")?;
    check_sample_weight(sample_weight, n)?;
    let k = names.len();
    let group_of = groups.group_of();
    let w_at = |i: usize| sample_weight.map_or(1.0, |w| w[i]);
    // Weight of each (reweighing group, label) cell, and of each label over all rows.
    let mut cell_w = vec![[0.0f64; 2]; k];
    let mut label_w = [0.0f64; 2];
    let mut total = 0.0;
    for i in 0..n {
        let wi = w_at(i);
        total += wi;
        label_w[y[i]] += wi;
        if let Some(c) = cell_of[group_of[i] as usize] {
            cell_w[c][y[i]] += wi;
        }
    }
    let mut factors = vec![[f64::NAN; 2]; k];
    let mut cells = Vec::with_capacity(2 * k);
    for (c, name) in names.into_iter().enumerate() {
        let group_w = cell_w[c][0] + cell_w[c][1];
        for label in 0..2 {
            let w_gy = cell_w[c][label];
            // AIF360's operation order: (n_y * n_g) / (n * n_gy).
            let factor = if w_gy > 0.0 {
                let f = label_w[label] * group_w / (total * w_gy);
                factors[c][label] = f;
                Value::Defined(f)
            } else {
                Value::Undefined(Undefined {
                    numerator: label_w[label] * group_w,
                    denominator: 0.0,
                    reason: format!("no row of `{name}` has label {label}"),
                })
            };
            cells.push(ReweighingCell {
                group: name.clone(),
                label,
                weight: w_gy,
                factor,
            });
        }
    }
    // A cell without weight has no factor (NaN); its rows all weigh 0 and keep that weight
    // (0 × NaN gave NaN weights: found by probing).
    let weights = Array1::from_shape_fn(n, |i| match cell_of[group_of[i] as usize] {
        Some(c) if !factors[c][y[i]].is_nan() => w_at(i) * factors[c][y[i]],
        _ => w_at(i),
    });
    Ok(Reweighing { cells, weights })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::groups::SensitiveColumn;
    use ndarray::array;

    #[test]
    fn weighted_cells_are_independent_after_reweighing() {
        let g = SensitiveColumn::from_strings("g", ["a", "a", "a", "b", "b", "c"]).unwrap();
        let groups = Groups::new(&[g], &[]).unwrap();
        let y = array![1, 1, 0, 1, 0, 0];
        let w = array![1.0, 2.0, 0.5, 1.0, 3.0, 1.0];
        let rw = reweighing(y.view(), &groups, Some(w.view())).unwrap();
        // After reweighing, P_w(y=1 | g) = P(y=1) for every group with both labels.
        let total: f64 = w.sum();
        let p1 = (1.0 + 2.0 + 1.0) / total;
        for (gi, rows) in [(0usize, 0..3usize), (1, 3..5)] {
            let (mut pos, mut all) = (0.0, 0.0);
            for i in rows {
                all += rw.weights()[i];
                pos += rw.weights()[i] * y[i] as f64;
            }
            assert!((pos / all - p1).abs() < 1e-12, "group {gi}");
        }
        // Group c has label 0 only: cell (c, 1) is undefined, (c, 0) gets W_0 / W.
        assert!(!rw.cells()[5].factor.is_defined());
        assert!((rw.weights()[5] - 4.5 / total).abs() < 1e-15);
    }
}
