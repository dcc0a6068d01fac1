//! [`Classifier`]: a classifier chosen at run time by name, and its fitted form.

use kiln_core::persist::{FeatureSchema, Persist};
use kiln_core::{Fit, Fitted, Params, Predict, PredictProba, Result};
use kiln_linear::logistic::ClassWeight as LogisticClassWeight;
use kiln_linear::{FittedLogisticRegression, LogisticRegression};
use kiln_tree::{
    DecisionTreeClassifier, ExtraTreesClassifier, FittedDecisionTreeClassifier,
    FittedExtraTreesClassifier, FittedHistGradientBoostingClassifier, FittedRandomForestClassifier,
    HistGradientBoostingClassifier, Importance, RandomForestClassifier,
};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::set::{self, Arg, Task};
use crate::pipeline::{PipelineEstimator, PrepNeeds};

/// A classifier chosen at run time: one of kiln's classifiers, by name, with parameters set
/// from text.
///
/// It implements the kiln-core traits by delegating to the wrapped estimator, so generic code
/// (a [`Pipeline`](crate::pipeline::Pipeline), kiln-select's cross-validation) takes it like
/// any classifier; fitting gives a [`FittedClassifier`].
///
/// # Parameters
/// The wrapped estimator's, each with its documented defaults ([`Classifier::from_name`]
/// builds a variant with `Default` params). [`Classifier::set`] sets one from text, by its
/// scikit-learn name; [`Classifier::param_names`] lists them.
///
/// | name | variant | aliases |
/// |---|---|---|
/// | `logistic` | [`Classifier::Logistic`] | `logistic-regression`, `LogisticRegression` |
/// | `tree` | [`Classifier::Tree`] | `decision-tree`, `DecisionTreeClassifier` |
/// | `forest` | [`Classifier::Forest`] | `random-forest`, `RandomForestClassifier` |
/// | `extra-trees` | [`Classifier::ExtraTrees`] | `ExtraTreesClassifier` |
/// | `gbdt` | [`Classifier::Boosting`] | `boosting`, `hgb`, `gradient-boosting`, `hist-gradient-boosting`, `HistGradientBoostingClassifier`, `GradientBoostingClassifier` |
///
/// # Fitted attributes
/// See [`FittedClassifier`].
///
/// # Errors
/// [`Classifier::from_name`] and [`Classifier::set`] return
/// [`Error::InvalidParameter`](kiln_core::Error::InvalidParameter) for an unknown name or a
/// value of the wrong kind; `fit` returns what the wrapped estimator returns. Every wrapped
/// estimator accepts sample weights.
///
/// # Notes
/// `set` checks only the kind of a value (a whole number, a keyword); call
/// [`Params::validate`] once after the last `set` for the ranges.
///
/// # Example
/// ```
/// use kiln::estimator::Classifier;
/// use kiln::prelude::*;
/// use ndarray::array;
///
/// let mut model = Classifier::from_name("forest")?;
/// model.set("n_estimators", "20")?;
/// model.set("max_depth", "3")?;
/// model.validate()?;
/// let x = array![[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 0.0], [4.0, 1.0], [5.0, 0.0]];
/// let y = array![0, 0, 0, 1, 1, 1];
/// let fitted = model.fit(x.view(), y.view())?;
/// assert_eq!(fitted.name(), "forest");
/// assert_eq!(fitted.predict(x.view())?.len(), 6);
/// let importances = fitted.feature_importances().unwrap_or_default();
/// assert!((importances.sum() - 1.0).abs() < 1e-12);
/// # Ok::<(), kiln::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Classifier {
    /// Logistic regression (`logistic`).
    Logistic(LogisticRegression),
    /// A decision tree (`tree`).
    Tree(DecisionTreeClassifier),
    /// A random forest (`forest`).
    Forest(RandomForestClassifier),
    /// Extremely randomized trees (`extra-trees`).
    ExtraTrees(ExtraTreesClassifier),
    /// Histogram gradient boosting (`gbdt`).
    Boosting(HistGradientBoostingClassifier),
}

impl Classifier {
    /// The canonical names [`Classifier::from_name`] accepts (aliases aside).
    pub const NAMES: &'static [&'static str] =
        &["logistic", "tree", "forest", "extra-trees", "gbdt"];

    /// The classifier called `name` (one of [`Classifier::NAMES`] or an alias), with its
    /// default parameters.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`](kiln_core::Error::InvalidParameter) for estimator `kiln`,
    /// parameter `model`, listing the valid names: for an unknown name, a regression or
    /// clustering model's name (`linear`).
    pub fn from_name(name: &str) -> Result<Self> {
        Ok(
            match set::model_name(Task::Classification, name, Self::NAMES)? {
                "logistic" => Classifier::Logistic(LogisticRegression::default()),
                "tree" => Classifier::Tree(DecisionTreeClassifier::default()),
                "forest" => Classifier::Forest(RandomForestClassifier::default()),
                "extra-trees" => Classifier::ExtraTrees(ExtraTreesClassifier::default()),
                _ => Classifier::Boosting(HistGradientBoostingClassifier::default()),
            },
        )
    }

    /// The canonical name of this classifier, e.g. `"forest"`.
    pub fn name(&self) -> &'static str {
        match self {
            Classifier::Logistic(_) => "logistic",
            Classifier::Tree(_) => "tree",
            Classifier::Forest(_) => "forest",
            Classifier::ExtraTrees(_) => "extra-trees",
            Classifier::Boosting(_) => "gbdt",
        }
    }

    /// The wrapped estimator's name, e.g. `"RandomForestClassifier"`.
    pub fn estimator_name(&self) -> &'static str {
        match self {
            Classifier::Logistic(_) => LogisticRegression::NAME,
            Classifier::Tree(_) => DecisionTreeClassifier::NAME,
            Classifier::Forest(_) => RandomForestClassifier::NAME,
            Classifier::ExtraTrees(_) => ExtraTreesClassifier::NAME,
            Classifier::Boosting(_) => HistGradientBoostingClassifier::NAME,
        }
    }

    /// The parameters [`Classifier::set`] accepts for this variant, by scikit-learn name.
    ///
    /// `random_state` is also accepted as `seed`, and `C` as `c`.
    pub fn param_names(&self) -> Vec<&'static str> {
        self.known().to_vec()
    }

    fn known(&self) -> &'static [&'static str] {
        match self {
            Classifier::Logistic(_) => LOGISTIC,
            Classifier::Tree(_) => set::TREE_CLASSIFIER,
            Classifier::Forest(_) | Classifier::ExtraTrees(_) => set::FOREST_CLASSIFIER,
            Classifier::Boosting(_) => set::GBDT_CLASSIFIER,
        }
    }

    /// Sets the parameter `name` from the text `value`, e.g. `set("max_depth", "6")`.
    ///
    /// Values are whole numbers, numbers, `true`/`false` (also `yes`/`no`, `1`/`0`), `none`
    /// where a parameter is optional, or a keyword (`class_weight=balanced`). The range is
    /// not checked here: call [`Params::validate`] after the last `set`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`](kiln_core::Error::InvalidParameter) naming the wrapped
    /// estimator, for an unknown name (listing the known ones and the closest) or a value of
    /// the wrong kind.
    pub fn set(&mut self, name: &str, value: &str) -> Result<()> {
        let (estimator, model, known) = (self.estimator_name(), self.name(), self.known());
        set::apply(estimator, model, known, name, value, |a| match self {
            Classifier::Logistic(p) => set_logistic(p, a),
            Classifier::Tree(p) => set::tree_classifier(p, a),
            Classifier::Forest(p) => set::forest_classifier(p, a),
            Classifier::ExtraTrees(p) => set::extra_trees_classifier(p, a),
            Classifier::Boosting(p) => set::gbdt_classifier(p, a),
        })
    }
}

from_params!(Classifier:
    Logistic(LogisticRegression),
    Tree(DecisionTreeClassifier),
    Forest(RandomForestClassifier),
    ExtraTrees(ExtraTreesClassifier),
    Boosting(HistGradientBoostingClassifier),
);

impl Params for Classifier {
    const NAME: &'static str = "Classifier";

    fn validate(&self) -> Result<()> {
        match self {
            Classifier::Logistic(p) => p.validate(),
            Classifier::Tree(p) => p.validate(),
            Classifier::Forest(p) => p.validate(),
            Classifier::ExtraTrees(p) => p.validate(),
            Classifier::Boosting(p) => p.validate(),
        }
    }
}

impl Classifier {
    /// [`Fit::fit_weighted`], calling `progress(done, total)` as the fit advances: after
    /// each boosting iteration (`total` is `max_iter`; early stopping may end sooner), and
    /// once at the end for the other models. The fitted model is the same as without it.
    ///
    /// # Errors
    /// As [`Fit::fit_weighted`].
    pub fn fit_with_progress(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, usize>,
        sample_weight: Option<ArrayView1<'_, f64>>,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<FittedClassifier> {
        let Classifier::Boosting(p) = self else {
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
        Ok(FittedClassifier {
            params: self.clone(),
            model: ClassifierModel::Boosting(p.fit_with(x, y, options)?),
        })
    }
}

impl Fit for Classifier {
    type Target = usize;
    type Fitted = FittedClassifier;

    fn fit_weighted(
        &self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, usize>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedClassifier> {
        let model = match self {
            Classifier::Logistic(p) => {
                ClassifierModel::Logistic(p.fit_weighted(x, y, sample_weight)?)
            }
            Classifier::Tree(p) => ClassifierModel::Tree(p.fit_weighted(x, y, sample_weight)?),
            Classifier::Forest(p) => {
                ClassifierModel::Forest(p.fit_weighted(x, y, sample_weight)?)
            }
            Classifier::ExtraTrees(p) => {
                ClassifierModel::ExtraTrees(p.fit_weighted(x, y, sample_weight)?)
            }
            Classifier::Boosting(p) => {
                ClassifierModel::Boosting(p.fit_weighted(x, y, sample_weight)?)
            }
        };
        Ok(FittedClassifier {
            params: self.clone(),
            model,
        })
    }
}

impl PipelineEstimator for Classifier {
    fn prep_needs(&self) -> PrepNeeds {
        match self {
            Classifier::Logistic(p) => p.prep_needs(),
            Classifier::Tree(p) => p.prep_needs(),
            Classifier::Forest(p) => p.prep_needs(),
            Classifier::ExtraTrees(p) => p.prep_needs(),
            Classifier::Boosting(p) => p.prep_needs(),
        }
    }

    fn set_categorical_features(&mut self, columns: &[usize]) {
        match self {
            Classifier::Logistic(p) => p.set_categorical_features(columns),
            Classifier::Tree(p) => p.set_categorical_features(columns),
            Classifier::Forest(p) => p.set_categorical_features(columns),
            Classifier::ExtraTrees(p) => p.set_categorical_features(columns),
            Classifier::Boosting(p) => p.set_categorical_features(columns),
        }
    }
}

/// The fitted model inside a [`FittedClassifier`], one variant per [`Classifier`] variant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ClassifierModel {
    /// A fitted logistic regression.
    Logistic(FittedLogisticRegression),
    /// A fitted decision tree.
    Tree(FittedDecisionTreeClassifier),
    /// A fitted random forest.
    Forest(FittedRandomForestClassifier),
    /// Fitted extremely randomized trees.
    ExtraTrees(FittedExtraTreesClassifier),
    /// A fitted gradient-boosting model.
    Boosting(FittedHistGradientBoostingClassifier),
}

/// A fitted [`Classifier`]: the parameters it was fitted with and the wrapped fitted model.
///
/// It predicts, gives probabilities and saves through [`kiln_core::persist`] (kind
/// `kiln::FittedClassifier`, with the [`Classifier`] in the header).
///
/// # Fitted attributes
/// [`FittedClassifier::model`] (the wrapped fitted model, to reach what only it has, such as
/// coefficients), [`FittedClassifier::feature_importances`],
/// [`PredictProba::classes`] and [`Fitted::n_features_in`].
///
/// # Notes
/// A struct rather than an enum so that [`Persist::params`] can hand out the [`Classifier`]
/// it was fitted with; match on [`FittedClassifier::model`] for the variants.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedClassifier {
    params: Classifier,
    model: ClassifierModel,
}

impl FittedClassifier {
    /// The parameters the model was fitted with.
    pub fn params(&self) -> &Classifier {
        &self.params
    }

    /// The wrapped fitted model.
    pub fn model(&self) -> &ClassifierModel {
        &self.model
    }

    /// The wrapped fitted model, by value.
    pub fn into_model(self) -> ClassifierModel {
        self.model
    }

    /// The canonical name of the model, e.g. `"forest"`.
    pub fn name(&self) -> &'static str {
        self.params.name()
    }

    /// The wrapped estimator's name, e.g. `"RandomForestClassifier"`.
    pub fn kind_name(&self) -> &'static str {
        self.params.estimator_name()
    }

    /// Feature importances summing to 1, when the model has them: mean decrease in impurity
    /// for trees and forests, total split gain for gradient boosting; `None` for logistic
    /// regression. A model that never split has all-zero importances.
    pub fn feature_importances(&self) -> Option<Array1<f64>> {
        match &self.model {
            ClassifierModel::Logistic(_) => None,
            ClassifierModel::Tree(m) => Some(m.feature_importances().clone()),
            ClassifierModel::Forest(m) => Some(m.feature_importances().clone()),
            ClassifierModel::ExtraTrees(m) => Some(m.feature_importances().clone()),
            ClassifierModel::Boosting(m) => Some(m.feature_importances(Importance::Gain)),
        }
    }
}

impl Fitted for FittedClassifier {
    fn n_features_in(&self) -> usize {
        match &self.model {
            ClassifierModel::Logistic(m) => m.n_features_in(),
            ClassifierModel::Tree(m) => m.n_features_in(),
            ClassifierModel::Forest(m) => m.n_features_in(),
            ClassifierModel::ExtraTrees(m) => m.n_features_in(),
            ClassifierModel::Boosting(m) => m.n_features_in(),
        }
    }
}

impl Predict for FittedClassifier {
    type Output = usize;

    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<usize>> {
        match &self.model {
            ClassifierModel::Logistic(m) => m.predict(x),
            ClassifierModel::Tree(m) => m.predict(x),
            ClassifierModel::Forest(m) => m.predict(x),
            ClassifierModel::ExtraTrees(m) => m.predict(x),
            ClassifierModel::Boosting(m) => m.predict(x),
        }
    }
}

impl PredictProba for FittedClassifier {
    fn classes(&self) -> &[usize] {
        match &self.model {
            ClassifierModel::Logistic(m) => m.classes(),
            ClassifierModel::Tree(m) => m.classes(),
            ClassifierModel::Forest(m) => m.classes(),
            ClassifierModel::ExtraTrees(m) => m.classes(),
            ClassifierModel::Boosting(m) => m.classes(),
        }
    }

    fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        match &self.model {
            ClassifierModel::Logistic(m) => m.predict_proba(x),
            ClassifierModel::Tree(m) => m.predict_proba(x),
            ClassifierModel::Forest(m) => m.predict_proba(x),
            ClassifierModel::ExtraTrees(m) => m.predict_proba(x),
            ClassifierModel::Boosting(m) => m.predict_proba(x),
        }
    }
}

impl Persist for FittedClassifier {
    const KIND: &'static str = "kiln::FittedClassifier";
    type Params = Classifier;

    fn params(&self) -> &Classifier {
        &self.params
    }

    fn feature_schema(&self) -> FeatureSchema {
        match &self.model {
            ClassifierModel::Logistic(m) => m.feature_schema(),
            ClassifierModel::Tree(m) => m.feature_schema(),
            ClassifierModel::Forest(m) => m.feature_schema(),
            ClassifierModel::ExtraTrees(m) => m.feature_schema(),
            ClassifierModel::Boosting(m) => m.feature_schema(),
        }
    }

    fn check_loaded(&self) -> Result<()> {
        match &self.model {
            ClassifierModel::Logistic(m) => m.check_loaded(),
            ClassifierModel::Tree(m) => m.check_loaded(),
            ClassifierModel::Forest(m) => m.check_loaded(),
            ClassifierModel::ExtraTrees(m) => m.check_loaded(),
            ClassifierModel::Boosting(m) => m.check_loaded(),
        }
    }
}

// ---- Parameters from text ----------------------------------------------------------------

/// [`LogisticRegression`]'s settable names.
#[rustfmt::skip]
const LOGISTIC: &[&str] = &[
    "C", "penalty", "l1_ratio", "fit_intercept", "tol", "max_iter", "class_weight",
];

fn set_logistic(p: &mut LogisticRegression, a: &Arg<'_>) -> Result<()> {
    match a.name {
        "C" => p.c = a.f64()?,
        // scikit-learn's `penalty` is `l1_ratio` (and `C = inf` for none) in kiln.
        "penalty" => match a.choice(&[
            ("l2", "l2"),
            ("l1", "l1"),
            ("elasticnet", "elasticnet"),
            ("none", "none"),
        ])? {
            "l2" => p.l1_ratio = 0.0,
            "l1" => p.l1_ratio = 1.0,
            "none" => p.c = f64::INFINITY,
            // A mix needs a ratio strictly inside (0, 1); keep one that was set before.
            _ if p.l1_ratio > 0.0 && p.l1_ratio < 1.0 => {}
            _ => p.l1_ratio = 0.5,
        },
        "l1_ratio" => p.l1_ratio = a.f64()?,
        "fit_intercept" => p.fit_intercept = a.bool()?,
        "tol" => p.tol = a.f64()?,
        "max_iter" => p.max_iter = a.usize()?,
        "class_weight" => {
            p.class_weight = a.choice(&[
                ("balanced", LogisticClassWeight::Balanced),
                ("none", LogisticClassWeight::Uniform),
            ])?;
        }
        _ => return Err(a.unhandled()),
    }
    Ok(())
}
