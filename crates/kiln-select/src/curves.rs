//! Learning curves and validation curves, with a plain-words reading.
//!
//! A [`learning_curve`] cross-validates a model trained on growing parts of each training set
//! (scikit-learn's `learning_curve` with `shuffle=False`); a [`validation_curve`] does so for
//! each value of one parameter (scikit-learn's `validation_curve`). Both report the mean and
//! standard deviation of the train and test scores at each point, and a [`Diagnosis`]:
//! underfitting, overfitting, more data helping, or a good fit, by the rule documented on
//! [`Diagnosis`] with the thresholds of [`DiagnosisThresholds`].
//!
//! ```
//! use kiln_linear::Ridge;
//! use kiln_prep::split::KFold;
//! use kiln_select::curves::{learning_curve, CurveOptions, TrainSizes};
//! use kiln_select::scorer::{Direction, Scorer};
//! use ndarray::{Array1, Array2};
//!
//! let x = Array2::from_shape_fn((100, 2), |(i, j)| ((i * 7 + j * 5) % 17) as f64);
//! let y: Array1<f64> = x.rows().into_iter().map(|r| r[0] + 0.5 * r[1]).collect();
//! let neg_mae = Scorer::from_predictions("neg_mae", Direction::Maximize, |y, p, _w| {
//!     Ok(-y.iter().zip(p).map(|(a, b): (&f64, &f64)| (a - b).abs()).sum::<f64>() / y.len() as f64)
//! });
//! let curve = learning_curve(&Ridge::default(), x.view(), y.view(), &KFold::default(), &neg_mae,
//!     &TrainSizes::Fractions(vec![0.5, 1.0]), &CurveOptions::default())?;
//! assert_eq!(curve.train_sizes, vec![40, 80]);
//! println!("{curve}"); // a table, then e.g. "Train and test scores are close and good ..."
//! # Ok::<(), kiln_core::Error>(())
//! ```

mod diagnosis;

use std::fmt;

use kiln_core::{Error, Fit, Result};
use kiln_prep::split::{Fold, Splitter};
use ndarray::{ArrayView1, ArrayView2};

use crate::cv::CvOptions;
use crate::cv::run::{self, Data, check_fold, check_scorers, run_fold};
use crate::scorer::{Direction, Scorer, Target};
pub use diagnosis::{Diagnosis, DiagnosisThresholds};

/// The training sizes of a learning curve, relative to the largest training set.
///
/// As scikit-learn, the reference size `n_max` is the size of the **first** fold's training
/// set; fractions become `floor(fraction · n_max)` clipped to `[1, n_max]`, and the sizes are
/// sorted with duplicates removed. Each fold trains on the first `n` of its training indices
/// (fewer if its training set is shorter).
#[derive(Debug, Clone, PartialEq)]
pub enum TrainSizes {
    /// Fractions of `n_max`, each in `(0, 1]`.
    Fractions(Vec<f64>),
    /// Absolute numbers of samples, each in `1..=n_max`.
    Counts(Vec<usize>),
}

impl Default for TrainSizes {
    /// scikit-learn's default: `np.linspace(0.1, 1.0, 5)`.
    fn default() -> Self {
        TrainSizes::Fractions(vec![0.1, 0.325, 0.55, 0.775, 1.0])
    }
}

impl TrainSizes {
    /// The absolute sizes for a largest training set of `n_max` samples, sorted and distinct.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when empty or out of range.
    pub fn resolve(&self, n_max: usize) -> Result<Vec<usize>> {
        let bad = |reason: String| Error::invalid_param("learning_curve", "train_sizes", reason);
        let mut sizes: Vec<usize> = match self {
            TrainSizes::Fractions(f) if f.is_empty() => return Err(bad("is empty".into())),
            TrainSizes::Counts(c) if c.is_empty() => return Err(bad("is empty".into())),
            TrainSizes::Fractions(f) => {
                if let Some(v) = f.iter().find(|v| !(**v > 0.0 && **v <= 1.0)) {
                    return Err(bad(format!(
                        "must hold fractions in the range (0, 1]; got {v}"
                    )));
                }
                // Truncation toward zero, as NumPy's astype(int).
                f.iter()
                    .map(|v| ((v * n_max as f64) as usize).clamp(1, n_max.max(1)))
                    .collect()
            }
            TrainSizes::Counts(c) => {
                if let Some(v) = c.iter().find(|v| **v == 0 || **v > n_max) {
                    return Err(bad(format!(
                        "must hold counts in the range [1, {n_max}] (the first training \
                         fold's size); got {v}"
                    )));
                }
                c.clone()
            }
        };
        sizes.sort_unstable();
        sizes.dedup();
        Ok(sizes)
    }
}

/// Options of the curves.
///
/// # Parameters
/// - `cv` (default [`CvOptions::default`]): groups, sample weights (passed to the fits and
///   the scorer) and parallelism; `return_train_score` and `return_models` are ignored (train
///   scores are always computed).
/// - `thresholds` (default [`DiagnosisThresholds::default`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct CurveOptions<'a> {
    /// Cross-validation options. By default, [`CvOptions::default`].
    pub cv: CvOptions<'a>,
    /// The thresholds of the diagnosis. By default, [`DiagnosisThresholds::default`].
    pub thresholds: DiagnosisThresholds,
}

impl<'a> CurveOptions<'a> {
    /// Sets the cross-validation options (by default, [`CvOptions::default`]).
    pub fn with_cv_options(mut self, cv: CvOptions<'a>) -> Self {
        self.cv = cv;
        self
    }

    /// Sets the diagnosis thresholds (by default, [`DiagnosisThresholds::default`]).
    pub fn with_thresholds(mut self, thresholds: DiagnosisThresholds) -> Self {
        self.thresholds = thresholds;
        self
    }
}

/// The scores of one point of a curve: one training size, or one parameter value.
#[derive(Debug, Clone, PartialEq)]
pub struct CurvePoint {
    /// The training size or the parameter value, as printed.
    pub label: String,
    /// The train score of each fold.
    pub train_scores: Vec<f64>,
    /// The test score of each fold.
    pub test_scores: Vec<f64>,
    /// Mean of the train scores.
    pub train_mean: f64,
    /// Population standard deviation of the train scores.
    pub train_std: f64,
    /// Mean of the test scores.
    pub test_mean: f64,
    /// Population standard deviation of the test scores.
    pub test_std: f64,
}

impl CurvePoint {
    fn new(label: String, train_scores: Vec<f64>, test_scores: Vec<f64>) -> Self {
        Self {
            label,
            train_mean: run::mean(&train_scores),
            train_std: run::std(&train_scores),
            test_mean: run::mean(&test_scores),
            test_std: run::std(&test_scores),
            train_scores,
            test_scores,
        }
    }
}

fn write_points(f: &mut fmt::Formatter<'_>, head: &str, points: &[CurvePoint]) -> fmt::Result {
    writeln!(
        f,
        "{head:>14} {:>22} {:>22}",
        "train mean ± std", "test mean ± std"
    )?;
    for p in points {
        writeln!(
            f,
            "{:>14} {:>22} {:>22}",
            p.label,
            format!("{:.4} ± {:.4}", p.train_mean, p.train_std),
            format!("{:.4} ± {:.4}", p.test_mean, p.test_std)
        )?;
    }
    Ok(())
}

/// A learning curve: scores against the number of training samples.
#[derive(Debug, Clone, PartialEq)]
pub struct LearningCurve {
    /// The scorer's name.
    pub scorer: String,
    /// The scorer's direction.
    pub direction: Direction,
    /// The absolute training sizes, ascending.
    pub train_sizes: Vec<usize>,
    /// One point per training size.
    pub points: Vec<CurvePoint>,
    /// The reading at the largest size.
    pub diagnosis: Diagnosis,
}

impl fmt::Display for LearningCurve {
    /// The table of sizes and scores, then the diagnosis sentence.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "learning curve ({})", self.scorer)?;
        write_points(f, "train size", &self.points)?;
        write!(f, "{}", self.diagnosis)
    }
}

/// A validation curve: scores against the values of one parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationCurve {
    /// The scorer's name.
    pub scorer: String,
    /// The scorer's direction.
    pub direction: Direction,
    /// The parameter's name.
    pub param: String,
    /// One point per value, in the order given.
    pub points: Vec<CurvePoint>,
    /// The reading at each point (rules 1–3 and 5 of [`Diagnosis`]).
    pub diagnoses: Vec<Diagnosis>,
    /// The point with the best mean test score (the first of equals).
    pub best_index: usize,
}

impl fmt::Display for ValidationCurve {
    /// The table of values and scores, then the best value and its reading.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "validation curve of {} ({})", self.param, self.scorer)?;
        write_points(f, &self.param, &self.points)?;
        let best = &self.points[self.best_index];
        write!(
            f,
            "Best test score {} at {}={}. {}",
            diagnosis::num(best.test_mean),
            self.param,
            best.label,
            self.diagnoses[self.best_index]
        )
    }
}

/// Runs `(point, fold)` jobs, each fitting `params_of(point)` on `train_of(point, fold)`,
/// and returns per point the train and test scores of each fold.
fn run_grid<'p, P>(
    params_of: &(dyn Fn(usize) -> &'p P + Sync),
    n_points: usize,
    train_len: &(dyn Fn(usize, &Fold) -> usize + Sync),
    data: &Data<'_, P::Target>,
    folds: &[Fold],
    scorer: &Scorer<P::Fitted, P::Target>,
    parallel: bool,
) -> Result<Vec<(Vec<f64>, Vec<f64>)>>
where
    P: Fit + Sync + 'p,
    P::Target: Target,
    P::Fitted: Send,
{
    let targets = run::TestTargets::of_folds(data, folds);
    let k = folds.len();
    let jobs: Vec<(usize, usize)> = (0..n_points)
        .flat_map(|p| (0..k).map(move |f| (p, f)))
        .collect();
    let scorers = std::slice::from_ref(scorer);
    let job = |scratch: &mut run::Scratch, &(p, f): &(usize, usize)| -> Result<(f64, f64)> {
        let fold = &folds[f];
        let n = train_len(p, fold).min(fold.train.len());
        let o = run_fold(
            scratch,
            params_of(p),
            data,
            &fold.train[..n],
            targets.rows(f, &fold.test)?,
            scorers,
            true,
            false,
        )?;
        let train = o.train.as_ref().map_or(f64::NAN, |t| t[0]);
        Ok((train, o.test[0]))
    };
    let out: Vec<Result<(f64, f64)>> = run::map_jobs(&jobs, parallel, job);
    let out = out.into_iter().collect::<Result<Vec<_>>>()?;
    Ok(out
        .chunks(k.max(1))
        .map(|c| c.iter().copied().unzip())
        .collect())
}

/// Checks params, scorer and data, and computes the folds.
fn prepare<'d, P>(
    params: &P,
    x: ArrayView2<'d, f64>,
    y: ArrayView1<'d, P::Target>,
    cv: &dyn Splitter,
    scorer: &Scorer<P::Fitted, P::Target>,
    sample_weight: Option<ArrayView1<'d, f64>>,
    groups: Option<ArrayView1<'d, usize>>,
) -> Result<(Data<'d, P::Target>, Vec<Fold>)>
where
    P: Fit,
    P::Target: Target,
{
    params.validate()?;
    check_scorers(std::slice::from_ref(scorer))?;
    let data = Data::new(x, y, sample_weight, groups)?;
    let folds = cv.folds(data.n_samples(), data.class_indices(), data.groups)?;
    crate::cv::run::check_some_folds(folds.len())?;
    for (i, fold) in folds.iter().enumerate() {
        check_fold(data.n_samples(), i, &fold.train, &fold.test)?;
    }
    Ok((data, folds))
}

/// Cross-validates `params` trained on the first `n` samples of each training fold, for
/// each size `n` of `train_sizes` (scikit-learn's `learning_curve(shuffle=False)`), and
/// reads the result (see [`Diagnosis`]).
///
/// Train scores are computed on the `n` samples the model was trained on.
///
/// # Errors
/// Invalid params; bad `train_sizes` ([`TrainSizes::resolve`]); otherwise as
/// [`crate::cv::cross_validate`] (e.g. a fit on too few samples, such as a classifier whose
/// first `n` samples hold one class).
pub fn learning_curve<P>(
    params: &P,
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, P::Target>,
    cv: &dyn Splitter,
    scorer: &Scorer<P::Fitted, P::Target>,
    train_sizes: &TrainSizes,
    options: &CurveOptions<'_>,
) -> Result<LearningCurve>
where
    P: Fit + Sync,
    P::Target: Target,
    P::Fitted: Send + Sync,
{
    let (data, folds) = prepare(
        params,
        x,
        y,
        cv,
        scorer,
        options.cv.sample_weight,
        options.cv.groups,
    )?;
    let n_max = folds.first().map_or(0, |f| f.train.len());
    let sizes = train_sizes.resolve(n_max)?;
    let scores = run_grid(
        &|_| params,
        sizes.len(),
        &|p, _| sizes[p],
        &data,
        &folds,
        scorer,
        options.cv.parallel,
    )?;
    let points: Vec<CurvePoint> = sizes
        .iter()
        .zip(scores)
        .map(|(n, (tr, te))| CurvePoint::new(n.to_string(), tr, te))
        .collect();
    let last = points.len().saturating_sub(1);
    let prev = (last > 0).then(|| points[last - 1].test_mean);
    let diagnosis = Diagnosis::read(
        scorer.direction(),
        points[last].train_mean,
        points[last].test_mean,
        prev,
        &options.thresholds,
    );
    Ok(LearningCurve {
        scorer: scorer.name().to_owned(),
        direction: scorer.direction(),
        train_sizes: sizes,
        points,
        diagnosis,
    })
}

/// Cross-validates `params` with each value of one parameter (scikit-learn's
/// `validation_curve`): `set(params, value)` applies value `values[i]`, labelled with
/// `{:?}`. Each point is read with rules 1–3 and 5 of [`Diagnosis`].
///
/// Every value is validated before any fit.
///
/// # Errors
/// [`Error::EmptyInput`] for no values; an invalid value, reported as its validation error
/// naming the value; otherwise as [`crate::cv::cross_validate`].
///
/// # Example
/// ```
/// use kiln_linear::Ridge;
/// use kiln_prep::split::KFold;
/// use kiln_select::curves::{validation_curve, CurveOptions};
/// use kiln_select::scorer::{Direction, Scorer};
/// use ndarray::{Array1, Array2};
///
/// let x = Array2::from_shape_fn((50, 2), |(i, j)| ((i * 3 + j * 11) % 7) as f64);
/// let y: Array1<f64> = x.rows().into_iter().map(|r| r[0] - r[1]).collect();
/// let neg_mse = Scorer::from_predictions("neg_mse", Direction::Maximize, |y, p, _w| {
///     Ok(-y.iter().zip(p).map(|(a, b): (&f64, &f64)| (a - b).powi(2)).sum::<f64>() / y.len() as f64)
/// });
/// let curve = validation_curve(&Ridge::default(), "alpha", vec![0.01, 1e4],
///     |p: Ridge, v| p.with_alpha(v), x.view(), y.view(), &KFold::default(), &neg_mse,
///     &CurveOptions::default())?;
/// assert_eq!(curve.best_index, 0); // heavy shrinkage loses the fit
/// assert_eq!(curve.points[1].label, "10000.0");
/// # Ok::<(), kiln_core::Error>(())
/// ```
#[expect(
    clippy::too_many_arguments,
    reason = "mirrors scikit-learn's validation_curve"
)]
pub fn validation_curve<P, V, F>(
    params: &P,
    param_name: &str,
    values: Vec<V>,
    set: F,
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, P::Target>,
    cv: &dyn Splitter,
    scorer: &Scorer<P::Fitted, P::Target>,
    options: &CurveOptions<'_>,
) -> Result<ValidationCurve>
where
    P: Fit + Clone + Sync,
    P::Target: Target,
    P::Fitted: Send + Sync,
    V: fmt::Debug,
    F: Fn(P, V) -> P,
{
    if values.is_empty() {
        return Err(Error::EmptyInput {
            what: format!("values of `{param_name}` for validation_curve"),
            reason: "no values given".into(),
        });
    }
    let mut labels = Vec::with_capacity(values.len());
    let mut candidates = Vec::with_capacity(values.len());
    for v in values {
        let label = format!("{v:?}");
        let p = set(params.clone(), v);
        p.validate().map_err(|e| Error::InvalidValue {
            what: format!("validation_curve value {param_name}={label}"),
            row: Some(candidates.len()),
            reason: e.to_string(),
        })?;
        labels.push(label);
        candidates.push(p);
    }
    let (data, folds) = prepare(
        &candidates[0],
        x,
        y,
        cv,
        scorer,
        options.cv.sample_weight,
        options.cv.groups,
    )?;
    let scores = run_grid(
        &|p| &candidates[p],
        candidates.len(),
        &|_, fold| fold.train.len(),
        &data,
        &folds,
        scorer,
        options.cv.parallel,
    )?;
    let points: Vec<CurvePoint> = labels
        .into_iter()
        .zip(scores)
        .map(|(label, (tr, te))| CurvePoint::new(label, tr, te))
        .collect();
    let direction = scorer.direction();
    let diagnoses = points
        .iter()
        .map(|p| {
            Diagnosis::read(
                direction,
                p.train_mean,
                p.test_mean,
                None,
                &options.thresholds,
            )
        })
        .collect();
    let mut best_index = 0;
    for (i, p) in points.iter().enumerate() {
        if scorer.is_better(p.test_mean, points[best_index].test_mean) {
            best_index = i;
        }
    }
    Ok(ValidationCurve {
        scorer: scorer.name().to_owned(),
        direction,
        param: param_name.to_owned(),
        points,
        diagnoses,
        best_index,
    })
}
