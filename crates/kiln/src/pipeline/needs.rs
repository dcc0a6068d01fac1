//! What an estimator needs from the automatic preprocessing of a [`Pipeline`](super::Pipeline).

use kiln_cluster::{KMeans, MiniBatchKMeans};
use kiln_linear::{
    ElasticNet, Lasso, LinearRegression, LogisticRegression, Ridge, SGDClassifier, SGDRegressor,
};
use kiln_tree::{
    DecisionTreeClassifier, DecisionTreeRegressor, ExtraTreesClassifier, ExtraTreesRegressor,
    HistGradientBoostingClassifier, HistGradientBoostingRegressor, RandomForestClassifier,
    RandomForestRegressor,
};
use serde::{Deserialize, Serialize};

/// How categorical columns reach the estimator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum CategoricalPrep {
    /// One column per category (the default; any estimator can read it).
    #[default]
    OneHot,
    /// One column of category codes per categorical column (missing and unseen categories
    /// become NaN), which the estimator splits on natively; it is told which output columns
    /// hold codes through [`PrepNeeds`]'s owner, [`PipelineEstimator::set_categorical_features`].
    Native,
}

/// What an estimator needs from the automatic preprocessing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrepNeeds {
    /// Standardize numeric features (models fitted by gradients, penalties or distances).
    pub scale: bool,
    /// How categorical columns are encoded.
    pub categorical: CategoricalPrep,
    /// The estimator handles NaN itself (trees learn where missing values go), so numeric
    /// columns are not imputed.
    pub native_missing: bool,
}

/// An estimator a [`Pipeline`](super::Pipeline) can end with: it says what the automatic
/// preprocessing must give it.
///
/// Implemented for every kiln estimator and for the run-time choices
/// [`Classifier`](crate::estimator::Classifier), [`Regressor`](crate::estimator::Regressor)
/// and [`Clusterer`](crate::estimator::Clusterer).
pub trait PipelineEstimator: Clone {
    /// What the automatic preprocessing must do for this estimator.
    fn prep_needs(&self) -> PrepNeeds;

    /// Tells the estimator which of its input columns hold category codes. Called by the
    /// pipeline only when [`PrepNeeds::categorical`] is [`CategoricalPrep::Native`]; other
    /// estimators ignore it.
    fn set_categorical_features(&mut self, columns: &[usize]) {
        let _ = columns;
    }
}

macro_rules! needs {
    ($scale:expr; $($t:ty),+ $(,)?) => {
        $(impl PipelineEstimator for $t {
            fn prep_needs(&self) -> PrepNeeds {
                // Scaled models are the ones that cannot take NaN; trees split it off.
                PrepNeeds {
                    scale: $scale,
                    categorical: CategoricalPrep::OneHot,
                    native_missing: !$scale,
                }
            }
        })+
    };
}

needs!(true; LogisticRegression, LinearRegression, Ridge, Lasso, ElasticNet, SGDClassifier,
    SGDRegressor, KMeans, MiniBatchKMeans);
needs!(false; DecisionTreeClassifier, DecisionTreeRegressor, RandomForestClassifier,
    RandomForestRegressor, ExtraTreesClassifier, ExtraTreesRegressor);

impl PipelineEstimator for HistGradientBoostingClassifier {
    fn prep_needs(&self) -> PrepNeeds {
        PrepNeeds {
            scale: false,
            categorical: CategoricalPrep::Native,
            native_missing: true,
        }
    }

    fn set_categorical_features(&mut self, columns: &[usize]) {
        self.params.categorical_features = columns.to_vec();
    }
}

impl PipelineEstimator for HistGradientBoostingRegressor {
    fn prep_needs(&self) -> PrepNeeds {
        PrepNeeds {
            scale: false,
            categorical: CategoricalPrep::Native,
            native_missing: true,
        }
    }

    fn set_categorical_features(&mut self, columns: &[usize]) {
        self.params.categorical_features = columns.to_vec();
    }
}
