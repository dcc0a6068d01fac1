//! Feature selection: [`VarianceThreshold`], the univariate scores [`f_classif`],
//! [`f_regression`], [`chi2`], [`mutual_info_classif`] and [`mutual_info_regression`], the
//! selectors [`SelectKBest`] and [`SelectPercentile`]
//! that keep the best-scoring features, following scikit-learn, and a [`CorrelationFilter`]
//! that drops one feature of each highly correlated pair.
//!
//! # Example
//!
//! ```
//! use kiln_core::{Fit, Transform};
//! use kiln_prep::select::{ClassifScore, SelectKBest, f_classif};
//! use ndarray::array;
//!
//! let x = array![[1.0, 5.0, 0.3], [2.0, 5.5, 0.1], [8.0, 5.2, 0.2], [9.0, 5.1, 0.4]];
//! let y = array![0usize, 0, 1, 1];
//! let (f, p) = f_classif(x.view(), y.view())?;
//! assert!(f[0] > f[1] && p[0] < 0.011);
//!
//! let best = SelectKBest::new(ClassifScore::FClassif).with_k(2).fit(x.view(), y.view())?;
//! assert_eq!(best.selected(), &[0, 2]);
//! assert_eq!(best.transform(x.view())?.ncols(), 2);
//! # Ok::<(), kiln_core::Error>(())
//! ```
//!
//! # Scores and targets
//!
//! | score | target | needs |
//! |---|---|---|
//! | [`f_classif`] (ANOVA F) | class indices | |
//! | [`chi2`] | class indices | non-negative features |
//! | [`f_regression`] (F of the correlation) | real values | |
//! | [`mutual_info_classif`] (mutual information, nats) | class indices | no p-values |
//! | [`mutual_info_regression`] (mutual information, nats) | real values | no p-values |
//!
//! The selectors are generic over a [`ScoreFunc`]: [`ClassifScore`] fits on `usize` class
//! indices and [`RegressionScore`] on `f64` values, so choosing the score chooses the
//! target type of `fit`. P-values come from the F and χ² survival functions, computed here
//! from the regularized incomplete beta and gamma functions (continued fractions after
//! Numerical Recipes §6.2 and §6.4, DLMF 8.9.2 and 8.17.22).
//!
//! Mutual information sees any dependence, not only linear ones or shifted class means, at
//! the cost of a k-nearest-neighbour estimate per feature (`O(n log n)`, features in
//! parallel). [`ClassifScore::MutualInfo`] and [`RegressionScore::MutualInfo`] use the
//! default settings; [`MutualInfoClassif`] and [`MutualInfoRegression`] carry chosen
//! [`MutualInfo`] settings (discrete features, neighbours, noise, seed).

mod correlation;
mod kbest;
mod mutual_info;
mod univariate;
mod variance;

pub use correlation::{
    CorrelationFilter, CorrelationMethod, DroppedFeature, FittedCorrelationFilter,
};
pub use kbest::{FittedSelectKBest, FittedSelectPercentile, K, SelectKBest, SelectPercentile};
pub use mutual_info::{
    DiscreteFeatures, MutualInfo, MutualInfoClassif, MutualInfoRegression, mutual_info_classif,
    mutual_info_regression,
};
pub use univariate::{ClassifScore, RegressionScore, ScoreFunc, chi2, f_classif, f_regression};
pub use variance::{FittedVarianceThreshold, VarianceThreshold};

use kiln_core::check::{self, NanPolicy};
use kiln_core::{Error, Result};
use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::scale::colstats;

/// What every fitted selector holds: per-feature scores (and p-values) and which features
/// are kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Selection {
    scores: Array1<f64>,
    pvalues: Array1<f64>,
    support: Vec<bool>,
    selected: Vec<usize>,
}

impl Selection {
    fn new(scores: Array1<f64>, pvalues: Array1<f64>, support: Vec<bool>) -> Self {
        let selected = (0..support.len()).filter(|&j| support[j]).collect();
        Self {
            scores,
            pvalues,
            support,
            selected,
        }
    }

    fn transform(&self, name: &str, x: ArrayView2<'_, f64>, nan: NanPolicy) -> Result<Array2<f64>> {
        check::check_predict_x(name, self.support.len(), x, nan)?;
        colstats::map_rows(x, self.selected.len(), |row, out| {
            for (o, &j) in out.iter_mut().zip(&self.selected) {
                *o = row[j];
            }
        })
    }

    fn inverse_transform(
        &self,
        name: &str,
        x: ArrayView2<'_, f64>,
        nan: NanPolicy,
    ) -> Result<Array2<f64>> {
        if x.ncols() != self.selected.len() {
            return Err(Error::FeatureCountMismatch {
                estimator: format!("{name} (inverse_transform takes the selected features)"),
                expected: self.selected.len(),
                got: x.ncols(),
            });
        }
        check::check_x(x, nan)?;
        colstats::map_rows(x, self.support.len(), |row, out| {
            for (&v, &j) in row.iter().zip(&self.selected) {
                out[j] = v;
            }
        })
    }
}

/// Feature indices sorted by score ascending, NaN lowest, ties in index order: NumPy's
/// stable `argsort` of the scores with NaN replaced by the lowest float, as scikit-learn
/// ranks them.
fn ranked_ascending(scores: &Array1<f64>) -> Vec<usize> {
    let clean = |s: f64| if s.is_nan() { f64::MIN } else { s };
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| {
        clean(scores[a])
            .partial_cmp(&clean(scores[b]))
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.cmp(&b))
    });
    order
}
