//! Estimators chosen at run time by name: [`Classifier`], [`Regressor`] and [`Clusterer`].
//!
//! The `kiln` command line (`kiln train DATA.csv --model forest --set max_depth=6`) and a
//! saved model artifact need an estimator picked by a name and configured from text. Each of
//! the three enums wraps kiln's estimators of one task and implements kiln-core's traits by
//! delegating to the one it holds, so generic code (a [`Pipeline`](crate::pipeline::Pipeline),
//! kiln-select's cross-validation and searches) takes it like any other estimator:
//!
//! | enum | names ([`Classifier::NAMES`], ...) | fitted | predicts |
//! |---|---|---|---|
//! | [`Classifier`] | `logistic`, `tree`, `forest`, `extra-trees`, `gbdt` | [`FittedClassifier`] | class indices and probabilities |
//! | [`Regressor`] | `linear`, `ridge`, `lasso`, `elastic-net`, `tree`, `forest`, `extra-trees`, `gbdt` | [`FittedRegressor`] | values |
//! | [`Clusterer`] | `kmeans`, `minibatch-kmeans` | [`FittedClusterer`] | clusters; distances by `transform` |
//!
//! - `from_name` builds a model with its default parameters; a name of another task
//!   (`logistic` for a regressor) or an unknown one is an error that lists the valid names.
//! - `set(name, value)` sets one parameter from text, by its scikit-learn name (`C`,
//!   `max_depth`, `n_estimators`, `class_weight`, `random_state` or `seed`, ...); a misspelt
//!   name is answered with the closest known one. `param_names` lists what can be set.
//!   `set` checks the kind of the value only; call [`Params::validate`](crate::Params::validate)
//!   once afterwards for the ranges, as `fit` does.
//! - The fitted types save and load through [`crate::persist`] (kinds `kiln::FittedClassifier`,
//!   `kiln::FittedRegressor`, `kiln::FittedClusterer`); the header records the parameters,
//!   readable without loading the model.
//!
//! # Example
//!
//! ```
//! use kiln::datasets::Dataset;
//! use kiln::estimator::{Classifier, FittedClassifier};
//! use kiln::persist;
//! use kiln::prelude::*;
//!
//! let data = Dataset::BreastCancer.load_numeric()?;
//! let y = data.target.class_indices().cloned().unwrap_or_default();
//!
//! // As `kiln train --model gbdt --set max_iter=50 --set learning_rate=0.2` would.
//! let mut model = Classifier::from_name("gbdt")?;
//! for (name, value) in [("max_iter", "50"), ("learning_rate", "0.2")] {
//!     model.set(name, value)?;
//! }
//! model.validate()?;
//! let fitted = model.fit(data.x.view(), y.view())?;
//!
//! let bytes = persist::to_bytes(&fitted)?;
//! let header = persist::read_header(&bytes)?;
//! assert_eq!(header.params::<Classifier>()?, model);
//! let loaded: FittedClassifier = persist::from_bytes(&bytes)?;
//! assert_eq!(loaded.predict(data.x.view())?, fitted.predict(data.x.view())?);
//!
//! // A misspelt parameter names the closest one.
//! let err = model.set("learning_rat", "0.1").unwrap_err();
//! assert!(err.to_string().contains("did you mean `learning_rate`?"));
//! # Ok::<(), kiln::Error>(())
//! ```

/// Implements `From<$t> for $enum` as `$enum::$variant(p)`, for each wrapped estimator.
macro_rules! from_params {
    ($enum:ident: $($variant:ident($t:ty)),+ $(,)?) => {
        $(impl From<$t> for $enum {
            fn from(p: $t) -> Self {
                $enum::$variant(p)
            }
        })+
    };
}

mod classifier;
mod clusterer;
mod regressor;
mod set;

pub use classifier::{Classifier, ClassifierModel, FittedClassifier};
pub use clusterer::{Clusterer, ClustererModel, FittedClusterer};
pub use regressor::{FittedRegressor, Regressor, RegressorModel};
