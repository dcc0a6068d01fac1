//! The fit steps both tree estimators share: dropping zero-weight rows, growing, pruning.

use kiln_core::{Error, Result};
use ndarray::ArrayView2;

use super::builder::{GrowData, grow, grow_in};
use super::criterion::{Impurity, TargetData};
use super::hist::{HistRows, bin_features};
use super::nodes::Tree;
use super::params::{Growth, Splitter};
use super::prune::{PruneSteps, prune, prune_steps};
use super::random::{RandomData, RandomRows};
use super::splitter::Layout;

/// Grows (and, with `ccp_alpha > 0`, prunes) a tree on the rows of `x` with positive weight.
///
/// `weights` holds one final weight per row (sample weight times class weight). Rows of
/// weight 0 are left out entirely, so a zero weight is exactly a removed row.
pub(crate) fn fit_tree(
    estimator: &str,
    growth: &Growth,
    x: ArrayView2<'_, f64>,
    weights: &[f64],
    target: TargetData<'_>,
    kind: Impurity,
) -> Result<Tree> {
    let tree = grow_unpruned(estimator, growth, x, weights, target, kind)?;
    Ok(if growth.ccp_alpha > 0.0 {
        prune(&tree, growth.ccp_alpha)
    } else {
        tree
    })
}

/// The pruning path of the unpruned tree (scikit-learn's `cost_complexity_pruning_path`).
pub(crate) fn pruning_path(
    estimator: &str,
    growth: &Growth,
    x: ArrayView2<'_, f64>,
    weights: &[f64],
    target: TargetData<'_>,
    kind: Impurity,
) -> Result<PruneSteps> {
    let tree = grow_unpruned(estimator, growth, x, weights, target, kind)?;
    Ok(prune_steps(&tree, f64::INFINITY))
}

fn grow_unpruned(
    estimator: &str,
    growth: &Growth,
    x: ArrayView2<'_, f64>,
    weights: &[f64],
    target: TargetData<'_>,
    kind: Impurity,
) -> Result<Tree> {
    if x.nrows() >= u32::MAX as usize {
        return Err(Error::Unsupported {
            estimator: estimator.to_owned(),
            what: format!(
                "{} rows (at most {} are supported)",
                x.nrows(),
                u32::MAX - 1
            ),
        });
    }
    let rows: Vec<u32> = (0..x.nrows() as u32)
        .filter(|&r| weights[r as usize] > 0.0)
        .collect();
    if rows.is_empty() {
        return Err(Error::InvalidValue {
            what: "sample_weight".into(),
            row: None,
            reason: "every row has weight 0 once class weights are applied".into(),
        });
    }
    let cfg = growth.config(estimator, x.ncols())?;
    let data = GrowData {
        x,
        rows: &rows,
        weights,
        target,
        kind,
    };
    if growth.splitter == Splitter::Random {
        super::random::check_f32_range(x)?;
        let values = RandomData::new(x);
        let layout = Layout::Random(RandomRows::new(&values, &rows, weights, target));
        return Ok(grow_in(&data, layout, &cfg));
    }
    let classification = matches!(target, TargetData::Classes { .. });
    if growth.split_search.histogram_for(x.nrows(), classification) {
        let (mapper, binned) = bin_features(x, weights, growth.seed)?;
        let layout = Layout::Hist(HistRows::new(
            &binned,
            &mapper.thresholds,
            &mapper.n_bins,
            &rows,
            weights,
            target,
        ));
        return Ok(grow_in(&data, layout, &cfg));
    }
    Ok(grow(&data, &cfg))
}
