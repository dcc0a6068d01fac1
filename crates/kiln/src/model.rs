//! [`Model`]: a trained pipeline with its problem, held-out evaluation and reference
//! profile — the one file the `kiln` tool writes, evaluates, audits, serves and monitors.
//!
//! [`Model::train`] runs the workflow for a [`Problem`]: it reads the target from the frame
//! (class labels of any kind, with the positive class the problem names), holds out a
//! seeded, stratified test set, fits a [`Pipeline`] with automatic preparation and the
//! chosen [`Estimator`], evaluates it on the held-out rows, judges the result against the
//! problem's goal, and profiles the training inputs for later drift checks.
//!
//! # Example
//!
//! ```
//! use kiln::datasets::Dataset;
//! use kiln::model::{Estimator, Model, TrainOptions};
//! use kiln::prep::CsvOptions;
//! use kiln::problem::{Problem, Task};
//!
//! let (data, _) = CsvOptions::default().read_str(Dataset::GermanCredit.csv())?;
//! let problem = Problem::classification("credit")
//!     .with_positive_class("good")
//!     .with_goal("roc_auc", 0.7)
//!     .with_sensitive(["sex", "age_group"]);
//! let estimator = Estimator::from_name(Task::Classification, "logistic")?;
//! let model = Model::train(&problem, estimator, &data, None, &TrainOptions::default())?;
//! let eval = model.evaluation().ok_or("held-out rows")?;
//! assert_eq!(eval.n_rows, 200); // 20% held out
//! assert!(eval.metrics["roc_auc"] > 0.7);
//!
//! let predictions = model.predict(&data)?;
//! assert_eq!(predictions.label(0), "good");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod audit;
mod choice;
mod evaluation;
mod predictions;

pub use audit::{audit, groups};
pub use choice::Estimator;
pub use evaluation::Evaluation;
pub use predictions::Predictions;

use std::time::Instant;

use kiln_core::persist::{FeatureSchema, Persist};
use kiln_core::{Error, Result};
use kiln_fairness::report::FairnessReport;
use kiln_monitor::profile::{ProfileOptions, ReferenceProfile};
use kiln_prep::Frame;
use kiln_prep::split::TrainTestSplit;
use ndarray::{Array1, ArrayView1};
use serde::{Deserialize, Serialize};

use crate::estimator::{FittedClassifier, FittedClusterer, FittedRegressor};
use crate::pipeline::{AutoPrep, FittedPipeline, Pipeline, Prep};
use crate::problem::{Problem, Task};

/// How [`Model::train`] splits and prepares.
///
/// # Parameters
/// - `test_size` (default `0.2`): the fraction of rows held out for evaluation when no test
///   frame is given (stratified by class for classification); `0` trains on every row and
///   skips the evaluation.
/// - `seed` (default `0`): the split's seed (the estimator has its own).
/// - `prep` (default [`AutoPrep::default`]): the automatic preparation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainOptions {
    /// Held-out fraction. By default, `0.2`.
    pub test_size: f64,
    /// Split seed. By default, `0`.
    pub seed: u64,
    /// The automatic preparation. By default, [`AutoPrep::default`].
    pub prep: AutoPrep,
}

impl Default for TrainOptions {
    fn default() -> Self {
        Self {
            test_size: 0.2,
            seed: 0,
            prep: AutoPrep::default(),
        }
    }
}

/// The fitted pipeline of a [`Model`], by task.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Trained {
    /// A classification pipeline.
    Classifier(FittedPipeline<FittedClassifier>),
    /// A regression pipeline.
    Regressor(FittedPipeline<FittedRegressor>),
    /// A clustering pipeline.
    Clusterer(FittedPipeline<FittedClusterer>),
}

impl Trained {
    fn schema(&self) -> &crate::pipeline::InputSchema {
        match self {
            Trained::Classifier(p) => p.schema(),
            Trained::Regressor(p) => p.schema(),
            Trained::Clusterer(p) => p.schema(),
        }
    }
}

/// A trained model: problem, estimator params, fitted pipeline, class names, held-out
/// evaluation and the profile of its training inputs. See the [module docs](self).
///
/// # Errors
/// Every method taking a frame checks it against the input schema (see
/// [`FittedPipeline`]); evaluating needs the target column.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Model {
    problem: Problem,
    estimator: Estimator,
    trained: Trained,
    classes: Vec<String>,
    positive: Option<usize>,
    n_train_rows: usize,
    evaluation: Option<Evaluation>,
    fairness: Option<FairnessReport>,
    reference: ReferenceProfile,
}

/// Class labels of a binary target whose positive class may go unnamed: the larger of
/// `0`/`1`, `false`/`true`, `no`/`yes` (as scikit-learn's `pos_label=1`).
fn implied_positive(classes: &[String]) -> Option<usize> {
    let lower: Vec<String> = classes.iter().map(|c| c.to_ascii_lowercase()).collect();
    let pairs = [("0", "1"), ("false", "true"), ("no", "yes"), ("0.0", "1.0")];
    pairs
        .iter()
        .find(|(n, p)| {
            lower.len() == 2 && lower.contains(&n.to_string()) && lower.contains(&p.to_string())
        })
        .and_then(|(_, p)| lower.iter().position(|c| c == p))
}

/// The target's labels as text, with an error naming the first missing row.
fn target_labels(frame: &Frame, target: &str) -> Result<Vec<String>> {
    let col = frame.column(target)?;
    (0..col.len())
        .map(|i| {
            if col.is_missing(i) {
                Err(Error::InvalidValue {
                    what: format!("target column `{target}`"),
                    row: Some(i),
                    reason: "is missing; drop rows without a target first".into(),
                })
            } else {
                Ok(col.format(i))
            }
        })
        .collect()
}

/// The target's values as numbers.
fn target_values(frame: &Frame, target: &str) -> Result<Array1<f64>> {
    let col = frame.column(target)?;
    let Some(v) = col.as_numeric() else {
        return Err(Error::InvalidValue {
            what: format!("target column `{target}`"),
            row: None,
            reason: "holds text, but regression needs numbers (is this a classification problem?)"
                .into(),
        });
    };
    if let Some(i) = v.iter().position(|x| !x.is_finite()) {
        return Err(Error::InvalidValue {
            what: format!("target column `{target}`"),
            row: Some(i),
            reason: "is missing; drop rows without a target first".into(),
        });
    }
    Ok(Array1::from(v.to_vec()))
}

fn encode(labels: &[String], classes: &[String], target: &str) -> Result<Array1<usize>> {
    labels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            classes.binary_search(l).map_err(|_| Error::UnknownLabel {
                what: format!("target column `{target}`"),
                label: l.clone(),
                row: Some(i),
                known: classes.join(", "),
            })
        })
        .collect()
}

/// A classification target read from a frame, as [`Model::train`] reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassTarget {
    /// Each row's label, as text.
    pub labels: Vec<String>,
    /// Each row's class index into `classes`.
    pub y: Array1<usize>,
    /// The distinct labels, sorted.
    pub classes: Vec<String>,
    /// The positive class's index: the problem's, or `1`/`true`/`yes` of a binary target.
    pub positive: Option<usize>,
}

/// The target of the classification `problem` in `frame`: labels, class indices, classes and
/// the positive class, with the rules of [`Model::train`] (a binary target needs its positive
/// class named unless it is `1`, `true` or `yes`; a missing target value is an error).
///
/// # Errors
/// [`Error::InvalidParameter`] for an unknown or unnamed positive class;
/// [`Error::InvalidValue`] for a missing target column value; a missing target column.
pub fn classification_target(problem: &Problem, frame: &Frame) -> Result<ClassTarget> {
    let target = problem.target.clone().unwrap_or_default();
    let labels = target_labels(frame, &target)?;
    let mut classes = labels.clone();
    classes.sort();
    classes.dedup();
    let positive = match &problem.positive_class {
        Some(p) => Some(classes.binary_search(p).map_err(|_| {
            Error::invalid_param(
                "Problem",
                "positive_class",
                format!(
                    "`{p}` is not a label of `{target}`; its labels are {}",
                    classes.join(", ")
                ),
            )
        })?),
        None if classes.len() == 2 => Some(implied_positive(&classes).ok_or_else(|| {
            Error::invalid_param(
                "Problem",
                "positive_class",
                format!(
                    "must be named for the binary target `{target}` (its labels are {}); \
                     it is never guessed from the data",
                    classes.join(", ")
                ),
            )
        })?),
        None => None,
    };
    let y = encode(&labels, &classes, &target)?;
    Ok(ClassTarget {
        labels,
        y,
        classes,
        positive,
    })
}

/// `e` with a [`Error::SingleClass`]'s class index (what the estimator saw) replaced by the
/// target's label, so the message names the user's class (`yes`), not `0`.
fn with_label(e: Error, classes: &[String]) -> Error {
    match e {
        Error::SingleClass { estimator, class } => {
            let label = class
                .parse::<usize>()
                .ok()
                .and_then(|i| classes.get(i))
                .map_or(class, |l| format!("`{l}`"));
            Error::SingleClass {
                estimator,
                class: label,
            }
        }
        other => other,
    }
}

impl Model {
    /// Trains `estimator` for `problem` on `data`, evaluating on `test` (or a held-out part
    /// of `data`, see [`TrainOptions`]).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for an invalid problem, an estimator of another task, an
    /// unknown positive class, or a binary target whose positive class is not named (unless
    /// it is `1`, `true` or `yes`); [`Error::InvalidValue`] for a missing target value or a
    /// text target in regression; [`Error::UnknownLabel`] for a test label not seen in
    /// training; the pipeline's and the estimator's errors.
    pub fn train(
        problem: &Problem,
        estimator: Estimator,
        data: &Frame,
        test: Option<&Frame>,
        options: &TrainOptions,
    ) -> Result<Model> {
        Self::train_with_progress(problem, estimator, data, test, options, &mut |_, _| {})
    }

    /// [`Model::train`], calling `progress(done, total)` as the estimator fits (see
    /// [`Classifier::fit_with_progress`](crate::estimator::Classifier::fit_with_progress)).
    ///
    /// # Errors
    /// As [`Model::train`].
    pub fn train_with_progress(
        problem: &Problem,
        estimator: Estimator,
        data: &Frame,
        test: Option<&Frame>,
        options: &TrainOptions,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<Model> {
        problem.validate()?;
        if estimator.task() != problem.task {
            return Err(Error::invalid_param(
                "kiln",
                "model",
                format!(
                    "`{}` is a {} model, but the problem is {}",
                    estimator.name(),
                    estimator.task().name(),
                    problem.task.name()
                ),
            ));
        }
        estimator.validate()?;
        if !(0.0..1.0).contains(&options.test_size) {
            return Err(Error::invalid_param(
                "kiln",
                "test_size",
                format!("must be in [0, 1), got {}", options.test_size),
            ));
        }
        let target = problem.target.clone().unwrap_or_default();
        let features = problem.feature_columns(data.names());
        for c in problem.sensitive.iter().chain(&problem.exclude) {
            data.index_of(c)?;
        }
        fn pipeline_of<E>(e: E, features: &[String], prep: AutoPrep) -> Pipeline<E> {
            Pipeline::new(e)
                .with_features(features)
                .with_prep(Prep::Auto(prep))
        }

        // Classes come from the training data; the test set must not bring new ones.
        let (classes, positive, labels) = if problem.task == Task::Classification {
            let t = classification_target(problem, data)?;
            (t.classes, t.positive, Some(t.labels))
        } else {
            (Vec::new(), None, None)
        };

        let (train, held_out) = match test {
            Some(t) => (data.clone(), Some(t.clone())),
            None if options.test_size > 0.0 => {
                let split = TrainTestSplit::default()
                    .with_test_size(options.test_size)
                    .with_seed(options.seed);
                let (tr, te) = match &labels {
                    Some(l) => split.split_stratified(ndarray::ArrayView1::from(l.as_slice()))?,
                    None => split.split(data.n_rows())?,
                };
                (data.take_rows(&tr)?, Some(data.take_rows(&te)?))
            }
            None => (data.clone(), None),
        };

        let start = Instant::now();
        let trained = match &estimator {
            Estimator::Classifier(c) => {
                let y = encode(&target_labels(&train, &target)?, &classes, &target)?;
                Trained::Classifier(
                    pipeline_of(c.clone(), &features, options.prep)
                        .fit_weighted_with(&train, y.view(), None, |e, x, y, w| {
                            e.fit_with_progress(x, y, w, &mut *progress)
                        })
                        .map_err(|e| with_label(e, &classes))?,
                )
            }
            Estimator::Regressor(r) => {
                let y = target_values(&train, &target)?;
                Trained::Regressor(
                    pipeline_of(r.clone(), &features, options.prep).fit_weighted_with(
                        &train,
                        y.view(),
                        None,
                        |e, x, y, w| e.fit_with_progress(x, y, w, &mut *progress),
                    )?,
                )
            }
            Estimator::Clusterer(c) => Trained::Clusterer(
                pipeline_of(c.clone(), &features, options.prep).fit_unsupervised(&train)?,
            ),
        };
        let fit_seconds = start.elapsed().as_secs_f64();
        let inputs = trained.schema().conform(&train)?;
        let reference = ReferenceProfile::build(&inputs, &ProfileOptions::default())?;
        let mut model = Model {
            problem: problem.clone(),
            estimator,
            trained,
            classes,
            positive,
            n_train_rows: train.n_rows(),
            evaluation: None,
            fairness: None,
            reference,
        };
        if let Some(t) = held_out {
            let mut e = model.evaluate(&t)?;
            e.fit_seconds = Some(fit_seconds);
            // A binary problem with sensitive columns is audited on the same held-out rows,
            // and its verdict covers both the goal and the fairness bar.
            if !problem.sensitive.is_empty() && model.classes.len() == 2 {
                let report = model.audit(&t, &[])?;
                e.assessment = Some(problem.assess(&e.metrics, Some(&report))?);
                model.fairness = Some(report);
            }
            model.evaluation = Some(e);
        }
        Ok(model)
    }

    /// The problem the model was trained for.
    pub fn problem(&self) -> &Problem {
        &self.problem
    }

    /// The estimator and its parameters.
    pub fn estimator(&self) -> &Estimator {
        &self.estimator
    }

    /// The fitted pipeline.
    pub fn trained(&self) -> &Trained {
        &self.trained
    }

    /// The input columns and their types.
    pub fn schema(&self) -> &crate::pipeline::InputSchema {
        self.trained.schema()
    }

    /// The class names (classification), sorted; class index `i` is `classes()[i]`.
    pub fn classes(&self) -> &[String] {
        &self.classes
    }

    /// The positive class's index (binary classification).
    pub fn positive_index(&self) -> Option<usize> {
        self.positive
    }

    /// Rows the model was fitted on.
    pub fn n_train_rows(&self) -> usize {
        self.n_train_rows
    }

    /// The held-out evaluation made at training, if any.
    pub fn evaluation(&self) -> Option<&Evaluation> {
        self.evaluation.as_ref()
    }

    /// The fairness audit made on the held-out rows at training (binary classification with
    /// sensitive columns), if any.
    pub fn fairness(&self) -> Option<&FairnessReport> {
        self.fairness.as_ref()
    }

    /// The profile of the training inputs, the reference for drift checks.
    pub fn reference(&self) -> &ReferenceProfile {
        &self.reference
    }

    /// Predictions for the rows of `frame`.
    ///
    /// # Errors
    /// See the type's `# Errors`.
    pub fn predict(&self, frame: &Frame) -> Result<Predictions> {
        Ok(match &self.trained {
            Trained::Classifier(p) => {
                let proba = p.predict_proba(frame)?;
                let classes = p.classes().to_vec();
                // Predict from the probabilities so the two always agree.
                let indices = proba
                    .rows()
                    .into_iter()
                    .map(|r| {
                        let mut best = 0;
                        for (j, &v) in r.iter().enumerate() {
                            if v > r[best] {
                                best = j;
                            }
                        }
                        classes.get(best).copied().unwrap_or(best)
                    })
                    .collect();
                Predictions::classification(indices, proba, self.classes.clone())
            }
            Trained::Regressor(p) => Predictions::regression(p.predict(frame)?),
            Trained::Clusterer(p) => {
                Predictions::clusters(p.predict(frame)?, p.transform_model(frame)?)
            }
        })
    }

    /// The model's metrics on `frame`, which must hold the target column (for clustering,
    /// no target is needed), judged against the problem's goal.
    ///
    /// # Errors
    /// See the type's `# Errors`; a missing target column or value; a label not seen in
    /// training.
    pub fn evaluate(&self, frame: &Frame) -> Result<Evaluation> {
        let target = self.problem.target.clone().unwrap_or_default();
        let start = Instant::now();
        let predictions = self.predict(frame)?;
        let seconds = start.elapsed().as_secs_f64();
        let mut e = match &self.trained {
            Trained::Classifier(_) => {
                let y = encode(&target_labels(frame, &target)?, &self.classes, &target)?;
                Evaluation::classification(
                    y.view(),
                    predictions.indices().ok_or_else(no_output)?.view(),
                    predictions.proba().map(|p| p.view()),
                    &self.classes,
                    self.positive,
                    seconds,
                )?
            }
            Trained::Regressor(_) => {
                let y = target_values(frame, &target)?;
                Evaluation::regression(
                    y.view(),
                    predictions.values().ok_or_else(no_output)?.view(),
                    seconds,
                )?
            }
            Trained::Clusterer(p) => {
                let x = p.transform(frame)?;
                Evaluation::clustering(
                    x.view(),
                    predictions.indices().ok_or_else(no_output)?.view(),
                    predictions.distances().ok_or_else(no_output)?.view(),
                    seconds,
                )?
            }
        };
        e.assessment = Some(self.problem.assess(&e.metrics, None)?);
        Ok(e)
    }

    /// The fairness audit of the model's predictions on `frame` (which must hold the target
    /// and the sensitive columns), with the favourable outcome and thresholds of the problem;
    /// `sensitive` overrides the problem's sensitive columns when not empty.
    ///
    /// # Errors
    /// [`Error::Unsupported`] for a model that is not a binary classifier, or without a
    /// favourable outcome; see [`audit`].
    pub fn audit(&self, frame: &Frame, sensitive: &[String]) -> Result<FairnessReport> {
        let unsupported = |what: &str| Error::Unsupported {
            estimator: format!("the fairness audit of a {} model", self.estimator.name()),
            what: what.to_string(),
        };
        if self.classes.len() != 2 {
            return Err(unsupported("anything but binary classification"));
        }
        let favorable = self
            .problem
            .favorable()
            .and_then(|f| self.classes.iter().position(|c| c == f))
            .or(self.positive)
            .ok_or_else(|| unsupported("a problem without a favourable outcome"))?;
        let target = self.problem.target.clone().unwrap_or_default();
        let y = encode(&target_labels(frame, &target)?, &self.classes, &target)?;
        let predictions = self.predict(frame)?;
        let y_pred = predictions.indices().ok_or_else(no_output)?;
        let fav = |v: ArrayView1<'_, usize>| v.mapv(|c| usize::from(c == favorable));
        let scores = predictions.proba().map(|p| p.column(favorable).to_owned());
        let sensitive = if sensitive.is_empty() {
            &self.problem.sensitive
        } else {
            sensitive
        };
        audit(
            frame,
            sensitive,
            fav(y.view()).view(),
            fav(y_pred.view()).view(),
            scores.as_ref().map(|s| s.view()),
            &self.problem.fairness,
        )
    }

    /// The class index (into [`Model::classes`]) of each row's target in `frame`
    /// (classification), e.g. to score the model's probabilities with other metrics.
    ///
    /// # Errors
    /// [`Error::Unsupported`] for another task; a missing target column or value; a label
    /// not seen in training.
    pub fn target_indices(&self, frame: &Frame) -> Result<Array1<usize>> {
        if self.problem.task != Task::Classification {
            return Err(Error::Unsupported {
                estimator: "Model::target_indices".into(),
                what: format!("a {} problem", self.problem.task.name()),
            });
        }
        let target = self.problem.target.clone().unwrap_or_default();
        encode(&target_labels(frame, &target)?, &self.classes, &target)
    }

    /// The drift of `frame`'s input columns against the training inputs' profile
    /// ([`Model::reference`]); `frame` is first conformed to the input schema.
    ///
    /// # Errors
    /// The schema's errors (a missing column, text where numbers were trained on); the
    /// drift report's errors.
    pub fn drift(
        &self,
        frame: &Frame,
        options: &kiln_monitor::drift::DriftOptions,
    ) -> Result<kiln_monitor::drift::DriftReport> {
        let inputs = self.schema().conform(frame)?;
        kiln_monitor::drift::DriftReport::new(&self.reference, &inputs, options)
    }

    /// Saves the model atomically to `path`.
    ///
    /// # Errors
    /// [`Error::Io`] naming the path.
    pub fn save(&self, path: impl AsRef<std::path::Path>) -> Result<()> {
        kiln_core::persist::save(self, path)
    }

    /// Loads a model saved by [`Model::save`].
    ///
    /// # Errors
    /// [`Error::Io`]; [`Error::ModelFormat`] naming the failed check (not a kiln file,
    /// another kind of model, a corrupt or truncated file).
    pub fn load(path: impl AsRef<std::path::Path>) -> Result<Model> {
        kiln_core::persist::load(path)
    }
}

fn no_output() -> Error {
    Error::Unsupported {
        estimator: "Model".into(),
        what: "this kind of prediction for its task".into(),
    }
}

impl Persist for Model {
    const KIND: &'static str = "kiln::Model";
    type Params = Estimator;

    fn params(&self) -> &Estimator {
        &self.estimator
    }

    fn feature_schema(&self) -> FeatureSchema {
        FeatureSchema::with_names(self.schema().names())
    }

    fn check_loaded(&self) -> Result<()> {
        match &self.trained {
            Trained::Classifier(p) => p.check_loaded(),
            Trained::Regressor(p) => p.check_loaded(),
            Trained::Clusterer(p) => p.check_loaded(),
        }
    }
}
