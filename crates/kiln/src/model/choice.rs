//! [`Estimator`]: a classifier, regressor or clusterer chosen at run time.

use kiln_core::{Error, Params, Result};
use serde::{Deserialize, Serialize};

use crate::estimator::{Classifier, Clusterer, Regressor};
use crate::problem::Task;

/// A classifier, regressor or clusterer chosen at run time (by the `kiln` tool's `--model`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Estimator {
    /// A classifier.
    Classifier(Classifier),
    /// A regressor.
    Regressor(Regressor),
    /// A clusterer.
    Clusterer(Clusterer),
}

impl Estimator {
    /// The model called `name` for `task`, with default parameters: for classification one
    /// of [`Classifier::NAMES`], for regression [`Regressor::NAMES`], for clustering
    /// [`Clusterer::NAMES`].
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (parameter `model`) listing the names valid for `task`,
    /// saying so when `name` is a model of another task.
    pub fn from_name(task: Task, name: &str) -> Result<Self> {
        Ok(match task {
            Task::Classification => Estimator::Classifier(Classifier::from_name(name)?),
            Task::Regression => Estimator::Regressor(Regressor::from_name(name)?),
            Task::Clustering => Estimator::Clusterer(Clusterer::from_name(name)?),
        })
    }

    /// The default model of `task`: histogram gradient boosting (`gbdt`), the strongest
    /// default on tabular data, for classification and regression; `kmeans` for clustering.
    pub fn default_for(task: Task) -> Self {
        match task {
            Task::Classification => Estimator::Classifier(Classifier::Boosting(
                kiln_tree::HistGradientBoostingClassifier::default(),
            )),
            Task::Regression => Estimator::Regressor(Regressor::Boosting(
                kiln_tree::HistGradientBoostingRegressor::default(),
            )),
            Task::Clustering => {
                Estimator::Clusterer(Clusterer::KMeans(kiln_cluster::KMeans::default()))
            }
        }
    }

    /// The task this estimator solves.
    pub fn task(&self) -> Task {
        match self {
            Estimator::Classifier(_) => Task::Classification,
            Estimator::Regressor(_) => Task::Regression,
            Estimator::Clusterer(_) => Task::Clustering,
        }
    }

    /// The model's canonical name, e.g. `forest`.
    pub fn name(&self) -> &'static str {
        match self {
            Estimator::Classifier(c) => c.name(),
            Estimator::Regressor(r) => r.name(),
            Estimator::Clusterer(c) => c.name(),
        }
    }

    /// Sets a parameter from text (`--set NAME=VALUE`).
    ///
    /// # Errors
    /// As [`Classifier::set`].
    pub fn set(&mut self, name: &str, value: &str) -> Result<()> {
        match self {
            Estimator::Classifier(c) => c.set(name, value),
            Estimator::Regressor(r) => r.set(name, value),
            Estimator::Clusterer(c) => c.set(name, value),
        }
    }

    /// Sets a parameter from `NAME=VALUE`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] without `=`; as [`Estimator::set`].
    pub fn set_pair(&mut self, pair: &str) -> Result<()> {
        let Some((name, value)) = pair.split_once('=') else {
            return Err(Error::invalid_param(
                "kiln",
                "set",
                format!("expects NAME=VALUE, got `{pair}`"),
            ));
        };
        self.set(name.trim(), value.trim())
    }

    /// The parameters [`Estimator::set`] accepts.
    pub fn param_names(&self) -> Vec<&'static str> {
        match self {
            Estimator::Classifier(c) => c.param_names(),
            Estimator::Regressor(r) => r.param_names(),
            Estimator::Clusterer(c) => c.param_names(),
        }
    }

    /// Checks the parameters.
    ///
    /// # Errors
    /// The wrapped estimator's [`Params::validate`] errors.
    pub fn validate(&self) -> Result<()> {
        match self {
            Estimator::Classifier(c) => c.validate(),
            Estimator::Regressor(r) => r.validate(),
            Estimator::Clusterer(c) => c.validate(),
        }
    }
}
