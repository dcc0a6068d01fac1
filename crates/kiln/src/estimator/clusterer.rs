//! [`Clusterer`]: a clusterer chosen at run time by name, and its fitted form.

use kiln_cluster::{
    FittedKMeans, FittedMiniBatchKMeans, KMeans, KMeansAlgorithm, KMeansInit, MiniBatchKMeans,
};
use kiln_core::persist::{FeatureSchema, Persist};
use kiln_core::{FitUnsupervised, Fitted, Params, Predict, Result, Transform};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use super::set::{self, Arg, Task};
use crate::pipeline::{PipelineEstimator, PrepNeeds};

/// A clusterer chosen at run time: k-means or mini-batch k-means, by name, with parameters set
/// from text.
///
/// It implements the kiln-core traits by delegating to the wrapped estimator; fitting gives a
/// [`FittedClusterer`], which predicts each row's cluster and transforms rows to their
/// distances from the centres.
///
/// # Parameters
/// The wrapped estimator's, each with its documented defaults ([`Clusterer::from_name`]
/// builds a variant with `Default` params, so 8 clusters: set `n_clusters`).
/// [`Clusterer::set`] sets one from text, by its scikit-learn name;
/// [`Clusterer::param_names`] lists them.
///
/// | name | variant | aliases |
/// |---|---|---|
/// | `kmeans` | [`Clusterer::KMeans`] | `k-means` |
/// | `minibatch-kmeans` | [`Clusterer::MiniBatchKMeans`] | `mini-batch-kmeans`, `MiniBatchKMeans` |
///
/// # Fitted attributes
/// See [`FittedClusterer`].
///
/// # Errors
/// [`Clusterer::from_name`] and [`Clusterer::set`] return
/// [`Error::InvalidParameter`](kiln_core::Error::InvalidParameter) for an unknown name or a
/// value of the wrong kind; `fit` returns what the wrapped estimator returns. Both accept
/// sample weights.
///
/// # Example
/// ```
/// use kiln::estimator::Clusterer;
/// use kiln::prelude::*;
/// use ndarray::array;
///
/// let mut model = Clusterer::from_name("kmeans")?;
/// model.set("n_clusters", "2")?;
/// model.set("seed", "7")?;
/// model.validate()?;
/// let x = array![[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0]];
/// let fitted = model.fit(x.view())?;
/// let labels = fitted.predict(x.view())?;
/// assert_eq!(labels[0], labels[1]);
/// assert_ne!(labels[0], labels[2]);
/// assert_eq!(fitted.transform(x.view())?.dim(), (4, 2)); // distances to both centres
/// # Ok::<(), kiln::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Clusterer {
    /// K-means (`kmeans`).
    KMeans(KMeans),
    /// Mini-batch k-means (`minibatch-kmeans`).
    MiniBatchKMeans(MiniBatchKMeans),
}

impl Clusterer {
    /// The canonical names [`Clusterer::from_name`] accepts (aliases aside).
    pub const NAMES: &'static [&'static str] = &["kmeans", "minibatch-kmeans"];

    /// The clusterer called `name` (one of [`Clusterer::NAMES`] or an alias), with its
    /// default parameters.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`](kiln_core::Error::InvalidParameter) for estimator `kiln`,
    /// parameter `model`, listing the valid names: for an unknown name or the name of a
    /// classification or regression model.
    pub fn from_name(name: &str) -> Result<Self> {
        Ok(
            match set::model_name(Task::Clustering, name, Self::NAMES)? {
                "kmeans" => Clusterer::KMeans(KMeans::default()),
                _ => Clusterer::MiniBatchKMeans(MiniBatchKMeans::default()),
            },
        )
    }

    /// The canonical name of this clusterer, e.g. `"kmeans"`.
    pub fn name(&self) -> &'static str {
        match self {
            Clusterer::KMeans(_) => "kmeans",
            Clusterer::MiniBatchKMeans(_) => "minibatch-kmeans",
        }
    }

    /// The wrapped estimator's name, e.g. `"KMeans"`.
    pub fn estimator_name(&self) -> &'static str {
        match self {
            Clusterer::KMeans(_) => KMeans::NAME,
            Clusterer::MiniBatchKMeans(_) => MiniBatchKMeans::NAME,
        }
    }

    /// The parameters [`Clusterer::set`] accepts for this variant, by scikit-learn name.
    ///
    /// `random_state` is also accepted as `seed`.
    pub fn param_names(&self) -> Vec<&'static str> {
        self.known().to_vec()
    }

    fn known(&self) -> &'static [&'static str] {
        match self {
            Clusterer::KMeans(_) => KMEANS,
            Clusterer::MiniBatchKMeans(_) => MINIBATCH_KMEANS,
        }
    }

    /// Sets the parameter `name` from the text `value`, e.g. `set("n_clusters", "3")`.
    ///
    /// Values are whole numbers, numbers, `none` where a parameter is optional, or a keyword
    /// (`init=random`, `algorithm=elkan`). The range is not checked here: call
    /// [`Params::validate`] after the last `set`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`](kiln_core::Error::InvalidParameter) naming the wrapped
    /// estimator, for an unknown name (listing the known ones and the closest) or a value of
    /// the wrong kind.
    pub fn set(&mut self, name: &str, value: &str) -> Result<()> {
        let (estimator, model, known) = (self.estimator_name(), self.name(), self.known());
        set::apply(estimator, model, known, name, value, |a| match self {
            Clusterer::KMeans(p) => set_kmeans(p, a),
            Clusterer::MiniBatchKMeans(p) => set_minibatch_kmeans(p, a),
        })
    }
}

from_params!(Clusterer: KMeans(KMeans), MiniBatchKMeans(MiniBatchKMeans));

impl Params for Clusterer {
    const NAME: &'static str = "Clusterer";

    fn validate(&self) -> Result<()> {
        match self {
            Clusterer::KMeans(p) => p.validate(),
            Clusterer::MiniBatchKMeans(p) => p.validate(),
        }
    }
}

impl FitUnsupervised for Clusterer {
    type Fitted = FittedClusterer;

    fn fit_weighted(
        &self,
        x: ArrayView2<'_, f64>,
        sample_weight: Option<ArrayView1<'_, f64>>,
    ) -> Result<FittedClusterer> {
        let model = match self {
            Clusterer::KMeans(p) => ClustererModel::KMeans(p.fit_weighted(x, sample_weight)?),
            Clusterer::MiniBatchKMeans(p) => {
                ClustererModel::MiniBatchKMeans(p.fit_weighted(x, sample_weight)?)
            }
        };
        Ok(FittedClusterer {
            params: self.clone(),
            model,
        })
    }
}

impl PipelineEstimator for Clusterer {
    fn prep_needs(&self) -> PrepNeeds {
        match self {
            Clusterer::KMeans(p) => p.prep_needs(),
            Clusterer::MiniBatchKMeans(p) => p.prep_needs(),
        }
    }

    fn set_categorical_features(&mut self, columns: &[usize]) {
        match self {
            Clusterer::KMeans(p) => p.set_categorical_features(columns),
            Clusterer::MiniBatchKMeans(p) => p.set_categorical_features(columns),
        }
    }
}

/// The fitted model inside a [`FittedClusterer`], one variant per [`Clusterer`] variant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ClustererModel {
    /// Fitted k-means.
    KMeans(FittedKMeans),
    /// Fitted mini-batch k-means.
    MiniBatchKMeans(FittedMiniBatchKMeans),
}

/// A fitted [`Clusterer`]: the parameters it was fitted with and the wrapped fitted model.
///
/// [`Predict`] gives each row's nearest centre; [`Transform`] the distances to every centre.
/// It saves through [`kiln_core::persist`] (kind `kiln::FittedClusterer`, with the
/// [`Clusterer`] in the header).
///
/// # Fitted attributes
/// [`FittedClusterer::cluster_centers`], [`FittedClusterer::labels`],
/// [`FittedClusterer::inertia`], [`FittedClusterer::model`] and [`Fitted::n_features_in`].
///
/// # Notes
/// A struct rather than an enum so that [`Persist::params`] can hand out the [`Clusterer`]
/// it was fitted with; match on [`FittedClusterer::model`] for the variants.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedClusterer {
    params: Clusterer,
    model: ClustererModel,
}

impl FittedClusterer {
    /// The parameters the model was fitted with.
    pub fn params(&self) -> &Clusterer {
        &self.params
    }

    /// The wrapped fitted model.
    pub fn model(&self) -> &ClustererModel {
        &self.model
    }

    /// The wrapped fitted model, by value.
    pub fn into_model(self) -> ClustererModel {
        self.model
    }

    /// The canonical name of the model, e.g. `"kmeans"`.
    pub fn name(&self) -> &'static str {
        self.params.name()
    }

    /// The wrapped estimator's name, e.g. `"KMeans"`.
    pub fn kind_name(&self) -> &'static str {
        self.params.estimator_name()
    }

    /// The centres, `n_clusters × n_features`.
    pub fn cluster_centers(&self) -> ArrayView2<'_, f64> {
        match &self.model {
            ClustererModel::KMeans(m) => m.cluster_centers(),
            ClustererModel::MiniBatchKMeans(m) => m.cluster_centers(),
        }
    }

    /// The cluster of each training row.
    pub fn labels(&self) -> ArrayView1<'_, usize> {
        match &self.model {
            ClustererModel::KMeans(m) => m.labels(),
            ClustererModel::MiniBatchKMeans(m) => m.labels(),
        }
    }

    /// The weighted sum of squared distances of the training rows to their centres.
    pub fn inertia(&self) -> f64 {
        match &self.model {
            ClustererModel::KMeans(m) => m.inertia(),
            ClustererModel::MiniBatchKMeans(m) => m.inertia(),
        }
    }
}

impl Fitted for FittedClusterer {
    fn n_features_in(&self) -> usize {
        match &self.model {
            ClustererModel::KMeans(m) => m.n_features_in(),
            ClustererModel::MiniBatchKMeans(m) => m.n_features_in(),
        }
    }
}

impl Predict for FittedClusterer {
    type Output = usize;

    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Array1<usize>> {
        match &self.model {
            ClustererModel::KMeans(m) => m.predict(x),
            ClustererModel::MiniBatchKMeans(m) => m.predict(x),
        }
    }
}

impl Transform for FittedClusterer {
    fn transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        match &self.model {
            ClustererModel::KMeans(m) => m.transform(x),
            ClustererModel::MiniBatchKMeans(m) => m.transform(x),
        }
    }
}

impl Persist for FittedClusterer {
    const KIND: &'static str = "kiln::FittedClusterer";
    type Params = Clusterer;

    fn params(&self) -> &Clusterer {
        &self.params
    }

    fn feature_schema(&self) -> FeatureSchema {
        match &self.model {
            ClustererModel::KMeans(m) => m.feature_schema(),
            ClustererModel::MiniBatchKMeans(m) => m.feature_schema(),
        }
    }

    fn check_loaded(&self) -> Result<()> {
        match &self.model {
            ClustererModel::KMeans(m) => m.check_loaded(),
            ClustererModel::MiniBatchKMeans(m) => m.check_loaded(),
        }
    }
}

// ---- Parameters from text ----------------------------------------------------------------

/// [`KMeans`]'s settable names.
#[rustfmt::skip]
const KMEANS: &[&str] = &[
    "n_clusters", "init", "n_init", "max_iter", "tol", "algorithm", "random_state",
];

/// [`MiniBatchKMeans`]'s settable names.
#[rustfmt::skip]
const MINIBATCH_KMEANS: &[&str] = &[
    "n_clusters", "init", "batch_size", "max_iter", "max_no_improvement", "tol", "init_size",
    "n_init", "reassignment_ratio", "random_state",
];

fn kmeans_init(a: &Arg<'_>) -> Result<KMeansInit> {
    a.choice(&[
        ("k-means++", KMeansInit::KMeansPlusPlus),
        ("random", KMeansInit::Random),
    ])
}

fn set_kmeans(p: &mut KMeans, a: &Arg<'_>) -> Result<()> {
    match a.name {
        "n_clusters" => p.n_clusters = a.usize()?,
        "init" => p.init = kmeans_init(a)?,
        "n_init" => p.n_init = a.usize()?,
        "max_iter" => p.max_iter = a.usize()?,
        "tol" => p.tol = a.f64()?,
        "algorithm" => {
            p.algorithm = a.choice(&[
                ("auto", KMeansAlgorithm::Auto),
                ("lloyd", KMeansAlgorithm::Lloyd),
                ("elkan", KMeansAlgorithm::Elkan),
            ])?;
        }
        "random_state" => p.seed = a.seed()?,
        _ => return Err(a.unhandled()),
    }
    Ok(())
}

fn set_minibatch_kmeans(p: &mut MiniBatchKMeans, a: &Arg<'_>) -> Result<()> {
    match a.name {
        "n_clusters" => p.n_clusters = a.usize()?,
        "init" => p.init = kmeans_init(a)?,
        "batch_size" => p.batch_size = a.usize()?,
        "max_iter" => p.max_iter = a.usize()?,
        "max_no_improvement" => p.max_no_improvement = a.opt_usize()?,
        "tol" => p.tol = a.f64()?,
        "init_size" => p.init_size = a.opt_usize()?,
        "n_init" => p.n_init = a.usize()?,
        "reassignment_ratio" => p.reassignment_ratio = a.f64()?,
        "random_state" => p.seed = a.seed()?,
        _ => return Err(a.unhandled()),
    }
    Ok(())
}
