//! Reference bins of a numeric column, through [`crate::distance`].

use kiln_core::Result;

use crate::distance::{self, Binning};

/// Edges of sorted `x` under `binning` and `x`'s count per bin; both empty when `x` is empty
/// or the edges collapse (a constant column under quantile binning), which only happens for
/// columns that the drift tests count by distinct value instead.
pub(crate) fn reference_bins(x: &[f64], binning: &Binning) -> Result<(Vec<f64>, Vec<f64>)> {
    if x.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let edges = distance::bin_edges(x, binning)?;
    if edges.len() < 2 || edges.windows(2).any(|w| w[0] >= w[1]) {
        return Ok((Vec::new(), Vec::new()));
    }
    let counts = distance::histogram(x, &edges)?;
    Ok((edges, counts))
}
