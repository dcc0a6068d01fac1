//! [`Regressor`]: a regressor chosen at run time by name, and its fitted form.

use kiln_core::persist::{FeatureSchema, Persist};
use kiln_core::{Fit, Fitted, Params, Predict, Result};
use kiln_linear::{
    ElasticNet, FittedElasticNet, FittedLasso, FittedLinearRegression, FittedRidge, Lasso,
    LinearRegression, Ridge,
};
use kiln_tree::{
    DecisionTreeRegressor, ExtraTreesRegressor, FittedDecisionTreeRegressor,
    FittedExtraTreesRegressor, FittedHistGradientBoostingRegressor, FittedRandomForestRegressor,
    HistGradientBoostingRegressor, Importance, RandomForestRegressor,
};
use ndarray::{Array1, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::set::{self, Task};
use crate::pipeline::{PipelineEstimator, PrepNeeds};

/// A regressor chosen at run time: one of kiln's regressors, by name, with parameters set from
/// text.
///
/// It implements the kiln-core traits by delegating to the wrapped estimator, so generic code
/// (a [`Pipeline`](crate::pipeline::Pipeline), kiln-select's cross-validation) takes it like
/// any regressor; fitting gives a [`FittedRegressor`].
///
/// # Parameters
/// The wrapped estimator's, each with its documented defaults ([`Regressor::from_name`]
/// builds a variant with `Default` params). [`Regressor::set`] sets one from text, by its
/// scikit-learn name; [`Regressor::param_names`] lists them.
///
/// | name | variant | aliases |
/// |---|---|---|
/// | `linear` | [`Regressor::Linear`] | `linear-regression`, `LinearRegression` |
/// | `ridge` | [`Regressor::Ridge`] | |
/// | `lasso` | [`Regressor::Lasso`] | |
/// | `elastic-net` | [`Regressor::ElasticNet`] | `elasticnet` |
/// | `tree` | [`Regressor::Tree`] | `decision-tree`, `DecisionTreeRegressor` |
/// | `forest` | [`Regressor::Forest`] | `random-forest`, `RandomForestRegressor` |
/// | `extra-trees` | [`Regressor::ExtraTrees`] | `ExtraTreesRegressor` |
/// | `gbdt` | [`Regressor::Boosting`] | `boosting`, `hgb`, `gradient-boosting`, `hist-gradient-boosting`, `HistGradientBoostingRegressor`, `GradientBoostingRegressor` |
///
/// # Fitted attributes
/// See [`FittedRegressor`].
///
/// # Errors
/// [`Regressor::from_name`] and [`Regressor::set`] return
/// [`Error::InvalidParameter`](kiln_core::Error::InvalidParameter) for an unknown name or a
/// value of the wrong kind; `fit` returns what the wrapped estimator returns. Every wrapped
/// estimator accepts sample weights.
///
/// # Notes
/// - Ridge is solved in closed form, so it has no `max_iter` or `tol`.
/// - `set` checks only the kind of a value; call [`Params::validate`] after the last `set`.
///
/// # Example
/// ```
/// use kiln::estimator::Regressor;
/// use kiln::prelude::*;
/// use ndarray::array;
///
/// let mut model = Regressor::from_name("ridge")?;
/// model.set("alpha", "0.5")?;
/// model.validate()?;
/// let x = array![[0.0], [1.0], [2.0], [3.0]];
/// let y = array![1.0, 3.0, 5.0, 7.0];
/// let fitted = model.fit(x.view(), y.view())?;
/// assert_eq!(fitted.kind_name(), "Ridge");
/// assert!(fitted.feature_importances().is_none());
/// assert_eq!(fitted.predict(x.view())?.len(), 4);
/// # Ok::<(), kiln::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Regressor {
    /// Ordinary least squares (`linear`).
    Linear(LinearRegression),
    /// Ridge regression (`ridge`).
    Ridge(Ridge),
    /// The lasso (`lasso`).
    Lasso(Lasso),
    /// Elastic-net regression (`elastic-net`).
    ElasticNet(ElasticNet),
    /// A decision tree (`tree`).
    Tree(DecisionTreeRegressor),
    /// A random forest (`forest`).
    Forest(RandomForestRegressor),
    /// Extremely randomized trees (`extra-trees`).
    ExtraTrees(ExtraTreesRegressor),
    /// Histogram gradient boosting (`gbdt`).
    Boosting(HistGradientBoostingRegressor),
}

/// Applies `$body` to the wrapped value of every variant of `$e` (an enum whose variants all
/// wrap a type with the method used), as `$m`.
macro_rules! each {
    ($ty:ident, $e:expr, $m:ident => $body:expr) => {
        match $e {
            $ty::Linear($m) => $body,
            $ty::Ridge($m) => $body,
            $ty::Lasso($m) => $body,
            $ty::ElasticNet($m) => $body,
            $ty::Tree($m) => $body,
            $ty::Forest($m) => $body,
            $ty::ExtraTrees($m) => $body,
            $ty::Boosting($m) => $body,
        }
    };
}

impl Regressor {
    /// The canonical names [`Regressor::from_name`] accepts (aliases aside).
    pub const NAMES: &'static [&'static str] = &[
        "linear",
        "ridge",
        "lasso",
        "elastic-net",
        "tree",
        "forest",
        "extra-trees",
        "gbdt",
    ];

    /// The regressor called `name` (one of [`Regressor::NAMES`] or an alias), with its
    /// default parameters.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`](kiln_core::Error::InvalidParameter) for estimator `kiln`,
    /// parameter `model`, listing the valid names: for an unknown name, a classification or
    /// clustering model's name (`logistic`).
    pub fn from_name(name: &str) -> Result<Self> {
        Ok(
            match set::model_name(Task::Regression, name, Self::NAMES)? {
                "linear" => Regressor::Linear(LinearRegression::default()),
                "ridge" => Regressor::Ridge(Ridge::default()),
                "lasso" => Regressor::Lasso(Lasso::default()),
                "elastic-net" => Regressor::ElasticNet(ElasticNet::default()),
                "tree" => Regressor::Tree(DecisionTreeRegressor::default()),
                "forest" => Regressor::Forest(RandomForestRegressor::default()),
                "extra-trees" => Regressor::ExtraTrees(ExtraTreesRegressor::default()),
                _ => Regressor::Boosting(HistGradientBoostingRegressor::default()),
            },
        )
    }

    /// The canonical name of this regressor, e.g. `"ridge"`.
    pub fn name(&self) -> &'static str {
        match self {
            Regressor::Linear(_) => "linear",
            Regressor::Ridge(_) => "ridge",
            Regressor::Lasso(_) => "lasso",
            Regressor::ElasticNet(_) => "elastic-net",
            Regressor::Tree(_) => "tree",
            Regressor::Forest(_) => "forest",
            Regressor::ExtraTrees(_) => "extra-trees",
            Regressor::Boosting(_) => "gbdt",
        }
    }

    /// The wrapped estimator's name, e.g. `"Ridge"`.
    pub fn estimator_name(&self) -> &'static str {
        match self {
            Regressor::Linear(_) => LinearRegression::NAME,
            Regressor::Ridge(_) => Ridge::NAME,
            Regressor::Lasso(_) => Lasso::NAME,
            Regressor::ElasticNet(_) => ElasticNet::NAME,
            Regressor::Tree(_) => DecisionTreeRegressor::NAME,
            Regressor::Forest(_) => RandomForestRegressor::NAME,
            Regressor::ExtraTrees(_) => ExtraTreesRegressor::NAME,
            Regressor::Boosting(_) => HistGradientBoostingRegressor::NAME,
        }
    }

    /// The parameters [`Regressor::set`] accepts for this variant, by scikit-learn name.
    ///
    /// `random_state` is also accepted as `seed`.
    pub fn param_names(&self) -> Vec<&'static str> {
        self.known().to_vec()
    }

    fn known(&self) -> &'static [&'static str] {
        match self {
            Regressor::Linear(_) => set::LINEAR,
            Regressor::Ridge(_) => set::RIDGE,
            Regressor::Lasso(_) => set::LASSO,
            Regressor::ElasticNet(_) => set::ELASTIC_NET,
            Regressor::Tree(_) => set::TREE_REGRESSOR,
            Regressor::Forest(_) | Regressor::ExtraTrees(_) => set::FOREST_REGRESSOR,
            Regressor::Boosting(_) => set::GBDT_REGRESSOR,
        }
    }

    /// Sets the parameter `name` from the text `value`, e.g. `set("alpha", "0.1")`.
    ///
    /// Values are whole numbers, numbers, `true`/`false` (also `yes`/`no`, `1`/`0`), `none`
    /// where a parameter is optional, or a keyword (`loss=absolute_error`). For gradient
    /// boosting, `quantile=Q` selects the quantile loss at level `Q`. The range is not checked
    /// here: call [`Params::validate`] after the last `set`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`](kiln_core::Error::InvalidParameter) naming the wrapped
    /// estimator, for an unknown name (listing the known ones and the closest) or a value of
    /// the wrong kind.
    pub fn set(&mut self, name: &str, value: &str) -> Result<()> {
        let (estimator, model, known) = (self.estimator_name(), self.name(), self.known());
        set::apply(estimator, model, known, name, value, |a| match self {
            Regressor::Linear(p) => set::linear(p, a),
            Regressor::Ridge(p) => set::ridge(p, a),
            Regressor::Lasso(p) => set::lasso(p, a),
            Regressor::ElasticNet(p) => set::elastic_net(p, a),
            Regressor::Tree(p) => set::tree_regressor(p, a),
            Regressor::Forest(p) => set::forest_regressor(p, a),
            Regressor::ExtraTrees(p) => set::extra_trees_regressor(p, a),
            Regressor::Boosting(p) => set::gbdt_regressor(p, a),
        })
    }
}

from_params!(Regressor:
    Linear(LinearRegression),
    Ridge(Ridge),
    Lasso(Lasso),
    ElasticNet(ElasticNet),
    Tree(DecisionTreeRegressor),
    Forest(RandomForestRegressor),
    ExtraTrees(ExtraTreesRegressor),
    Boosting(HistGradientBoostingRegressor),
);

impl Params for Regressor {
    const NAME: &'static str = "Regressor";

    fn validate(&self) -> Result<()> {
        each!(Regressor, self, p => p.validate())
    }
}

impl Regressor {
    /// [`Fit::fit_weighted`], calling `progress(done, total)` as the fit advances: after
    /// each boosting iteration (`total` is `max_iter`; early stopping may end sooner), and
    /// once at the end for the other models. The fitted model is the same as without it.
    ///
    /// # Errors
    /// As [`Fit::fit_weighted`].
    pub fn fit_with_progress(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<FittedRegressor> {
        let Regressor::Boosting(p) = self else {
            let fitted = self.fit_weighted(x, y, sample_weight)?;
            progress(1, 1);
            return Ok(fitted);
        };
        let total = p.params.max_iter;
        let mut callback = |at: &kiln_tree::Progress| {
            progress(at.iteration, total);
            std::ops::ControlFlow::Continue(())
        };
        let mut options = kiln_tree::FitOptions::new();
        options.sample_weight = sample_weight;
        options.callback = Some(&mut callback);
        Ok(FittedRegressor {
            params: self.clone(),
            model: RegressorModel::Boosting(p.fit_with(x, y, options)?),
        })
    }
}

impl Fit for Regressor {
    type Target = f64;
    type Fitted = FittedRegressor;

    fn fit_weighted(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedRegressor> {
        let model = match self {
            Regressor::Linear(p) => RegressorModel::Linear(p.fit_weighted(x, y, sample_weight)?),
            Regressor::Ridge(p) => RegressorModel::Ridge(p.fit_weighted(x, y, sample_weight)?),
            Regressor::Lasso(p) => RegressorModel::Lasso(p.fit_weighted(x, y, sample_weight)?),
            Regressor::ElasticNet(p) => {
                RegressorModel::ElasticNet(p.fit_weighted(x, y, sample_weight)?)
            }
            Regressor::Tree(p) => RegressorModel::Tree(p.fit_weighted(x, y, sample_weight)?),
            Regressor::Forest(p) => RegressorModel::Forest(p.fit_weighted(x, y, sample_weight)?),
            Regressor::ExtraTrees(p) => {
                RegressorModel::ExtraTrees(p.fit_weighted(x, y, sample_weight)?)
            }
            Regressor::Boosting(p) => {
                RegressorModel::Boosting(p.fit_weighted(x, y, sample_weight)?)
            }
        };
        Ok(FittedRegressor {
            params: self.clone(),
            model,
        })
    }
}

impl PipelineEstimator for Regressor {
    fn prep_needs(&self) -> PrepNeeds {
        each!(Regressor, self, p => p.prep_needs())
    }

    fn set_categorical_features(&mut self, columns: &[usize]) {
        each!(Regressor, self, p => p.set_categorical_features(columns));
    }
}

/// The fitted model inside a [`FittedRegressor`], one variant per [`Regressor`] variant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum RegressorModel {
    /// Fitted least squares.
    Linear(FittedLinearRegression),
    /// A fitted ridge regression.
    Ridge(FittedRidge),
    /// A fitted lasso.
    Lasso(FittedLasso),
    /// A fitted elastic net.
    ElasticNet(FittedElasticNet),
    /// A fitted decision tree.
    Tree(FittedDecisionTreeRegressor),
    /// A fitted random forest.
    Forest(FittedRandomForestRegressor),
    /// Fitted extremely randomized trees.
    ExtraTrees(FittedExtraTreesRegressor),
    /// A fitted gradient-boosting model.
    Boosting(FittedHistGradientBoostingRegressor),
}

/// A fitted [`Regressor`]: the parameters it was fitted with and the wrapped fitted model.
///
/// It predicts and saves through [`kiln_core::persist`] (kind `kiln::FittedRegressor`, with
/// the [`Regressor`] in the header).
///
/// # Fitted attributes
/// [`FittedRegressor::model`] (the wrapped fitted model, to reach what only it has, such as
/// coefficients), [`FittedRegressor::feature_importances`] and [`Fitted::n_features_in`].
///
/// # Notes
/// A struct rather than an enum so that [`Persist::params`] can hand out the [`Regressor`]
/// it was fitted with; match on [`FittedRegressor::model`] for the variants.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedRegressor {
    params: Regressor,
    model: RegressorModel,
}

impl FittedRegressor {
    /// The parameters the model was fitted with.
    pub fn params(&self) -> &Regressor {
        &self.params
    }

    /// The wrapped fitted model.
    pub fn model(&self) -> &RegressorModel {
        &self.model
    }

    /// The wrapped fitted model, by value.
    pub fn into_model(self) -> RegressorModel {
        self.model
    }

    /// The canonical name of the model, e.g. `"ridge"`.
    pub fn name(&self) -> &'static str {
        self.params.name()
    }

    /// The wrapped estimator's name, e.g. `"Ridge"`.
    pub fn kind_name(&self) -> &'static str {
        self.params.estimator_name()
    }

    /// Feature importances summing to 1, when the model has them: mean decrease in impurity
    /// for trees and forests, total split gain for gradient boosting; `None` for the linear
    /// models. A model that never split has all-zero importances.
    pub fn feature_importances(&self) -> Option<Array1<f64>> {
        match &self.model {
            RegressorModel::Linear(_)
            | RegressorModel::Ridge(_)
            | RegressorModel::Lasso(_)
            | RegressorModel::ElasticNet(_) => None,
            RegressorModel::Tree(m) => Some(m.feature_importances().clone()),
            RegressorModel::Forest(m) => Some(m.feature_importances().clone()),
            RegressorModel::ExtraTrees(m) => Some(m.feature_importances().clone()),
            RegressorModel::Boosting(m) => Some(m.feature_importances(Importance::Gain)),
        }
    }
}

impl Fitted for FittedRegressor {
    fn n_features_in(&self) -> usize {
        each!(RegressorModel, &self.model, m => m.n_features_in())
    }
}

impl Predict for FittedRegressor {
    type Output = f64;

    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        each!(RegressorModel, &self.model, m => m.predict(x))
    }
}

impl Persist for FittedRegressor {
    const KIND: &'static str = "kiln::FittedRegressor";
    type Params = Regressor;

    fn params(&self) -> &Regressor {
        &self.params
    }

    fn feature_schema(&self) -> FeatureSchema {
        each!(RegressorModel, &self.model, m => m.feature_schema())
    }

    fn check_loaded(&self) -> Result<()> {
        each!(RegressorModel, &self.model, m => m.check_loaded())
    }
}
