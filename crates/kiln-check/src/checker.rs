//! The public entry point: [`Checker`] collects what the suite needs to know about an
//! estimator, then one `check_*` method per kind of estimator runs the matching checks.

use std::marker::PhantomData;

use kiln_core::check::NanPolicy;
use kiln_core::{
    Error, Fit, FitTransform, FitUnsupervised, Params, Persist, Predict, PredictProba, Transform,
};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};

use crate::data;
use crate::engine::{self, Setup, Subject, Verdict, compare, fit_predict, predict, run};
use crate::report::{Check, CheckResult, Report};
use crate::target::SupervisedTarget;
use crate::target::sealed::Sealed;

/// Configures and runs the estimator checks for one params value.
///
/// See the crate docs for an example.
#[derive(Debug, Clone)]
pub struct Checker<P> {
    params: P,
    invalid: Vec<(P, String)>,
    skips: Vec<(Check, String)>,
    x: Option<Array2<f64>>,
    y_class: Option<Array1<usize>>,
    y_value: Option<Array1<f64>>,
    tol: f64,
    nan: NanPolicy,
}

impl<P> Checker<P> {
    /// The data given with [`Checker::classification_data`], if any.
    pub(crate) fn given_classification(&self) -> Option<(Array2<f64>, Array1<usize>)> {
        match (&self.x, &self.y_class) {
            (Some(x), Some(y)) => Some((x.clone(), y.clone())),
            _ => None,
        }
    }

    /// The data given with [`Checker::regression_data`], if any.
    pub(crate) fn given_regression(&self) -> Option<(Array2<f64>, Array1<f64>)> {
        match (&self.x, &self.y_value) {
            (Some(x), Some(y)) => Some((x.clone(), y.clone())),
            _ => None,
        }
    }
}

impl<P: Params + Clone + Sync> Checker<P> {
    /// Checks the estimator configured by `params` (usually its defaults, with a fixed seed).
    pub fn new(params: P) -> Self {
        Self {
            params,
            invalid: Vec::new(),
            skips: Vec::new(),
            x: None,
            y_class: None,
            y_value: None,
            tol: 1e-9,
            nan: NanPolicy::Reject,
        }
    }

    /// Declares a params value that must be rejected, naming the parameter the error must name.
    /// Declare one per constrained parameter.
    pub fn invalid_param(mut self, params: P, name: &str) -> Self {
        self.invalid.push((params, name.to_owned()));
        self
    }

    /// Skips `check` for this estimator. The reason is required and shown in the report; an
    /// empty reason makes the check fail.
    pub fn skip(mut self, check: Check, reason: &str) -> Self {
        self.skips.push((check, reason.to_owned()));
        self
    }

    /// Relative tolerance for checks that compare results computed in a different order
    /// (batch against row-by-row, sample-weight equivalences). By default, `1e-9`.
    pub fn tolerance(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }

    /// Declares that the estimator treats NaN in `X` as a missing value: NaN must then be
    /// accepted at fit and predict, while infinities must still be rejected. By default,
    /// NaN must be rejected.
    pub fn allows_missing(mut self) -> Self {
        self.nan = NanPolicy::AllowMissing;
        self
    }

    /// Uses `x` and class indices `y` instead of the built-in three-class data.
    pub fn classification_data(mut self, x: Array2<f64>, y: Array1<usize>) -> Self {
        self.x = Some(x);
        self.y_class = Some(y);
        self
    }

    /// Uses `x` and targets `y` instead of the built-in linear regression data.
    pub fn regression_data(mut self, x: Array2<f64>, y: Array1<f64>) -> Self {
        self.x = Some(x);
        self.y_value = Some(y);
        self
    }

    /// Uses `x` instead of the built-in data for clusterers and transformers.
    pub fn unsupervised_data(mut self, x: Array2<f64>) -> Self {
        self.x = Some(x);
        self
    }

    fn setup<'a, Y>(&'a self, x: &'a Array2<f64>, y: &'a Array1<Y>) -> Setup<'a, P, Y> {
        Setup {
            params: &self.params,
            invalid: &self.invalid,
            skips: &self.skips,
            x,
            y,
            tol: self.tol,
            nan: self.nan,
        }
    }

    fn report(results: Vec<CheckResult>) -> Report {
        Report {
            estimator: P::NAME.to_owned(),
            results,
        }
    }

    fn unsupervised(&self) -> (Array2<f64>, Array1<()>) {
        let x = self.x.clone().unwrap_or_else(data::unsupervised);
        let y = Array1::from_elem(x.nrows(), ());
        (x, y)
    }
}

struct Classifier<M>(PhantomData<M>);
struct Regressor;
struct Clusterer;
struct Transformer;
struct SupervisedTransformer;

impl<P> Subject<P> for Classifier<()>
where
    P: Fit<Target = usize>,
    P::Fitted: Predict<Output = usize> + Persist + Send + Sync,
{
    type Y = usize;
    type Model = P::Fitted;
    type Out = usize;
    fn fit(
        p: &P,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, usize>,
        w: Option<ArrayView1<'_, f64>>,
    ) -> kiln_core::Result<P::Fitted> {
        p.fit_weighted(x, y, w)
    }
    fn predict(m: &P::Fitted, x: ArrayView2<'_, f64>) -> kiln_core::Result<Array2<usize>> {
        Ok(m.predict(x)?.insert_axis(Axis(1)))
    }
}

/// Probabilities are the prediction, so every common check also covers `predict_proba`.
impl<P> Subject<P> for Classifier<f64>
where
    P: Fit<Target = usize>,
    P::Fitted: PredictProba + Persist + Send + Sync,
{
    type Y = usize;
    type Model = P::Fitted;
    type Out = f64;
    fn fit(
        p: &P,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, usize>,
        w: Option<ArrayView1<'_, f64>>,
    ) -> kiln_core::Result<P::Fitted> {
        p.fit_weighted(x, y, w)
    }
    fn predict(m: &P::Fitted, x: ArrayView2<'_, f64>) -> kiln_core::Result<Array2<f64>> {
        m.predict_proba(x)
    }
}

impl<P> Subject<P> for Regressor
where
    P: Fit<Target = f64>,
    P::Fitted: Predict<Output = f64> + Persist + Send + Sync,
{
    type Y = f64;
    type Model = P::Fitted;
    type Out = f64;
    fn fit(
        p: &P,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
        w: Option<ArrayView1<'_, f64>>,
    ) -> kiln_core::Result<P::Fitted> {
        p.fit_weighted(x, y, w)
    }
    fn predict(m: &P::Fitted, x: ArrayView2<'_, f64>) -> kiln_core::Result<Array2<f64>> {
        Ok(m.predict(x)?.insert_axis(Axis(1)))
    }
}

/// A transformer fitted on `X` and a target, e.g. a univariate feature selector.
impl<P> Subject<P> for SupervisedTransformer
where
    P: Fit,
    P::Target: SupervisedTarget,
    P::Fitted: Transform + Persist + Send + Sync,
{
    type Y = P::Target;
    type Model = P::Fitted;
    type Out = f64;
    fn fit(
        p: &P,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, P::Target>,
        w: Option<ArrayView1<'_, f64>>,
    ) -> kiln_core::Result<P::Fitted> {
        p.fit_weighted(x, y, w)
    }
    fn predict(m: &P::Fitted, x: ArrayView2<'_, f64>) -> kiln_core::Result<Array2<f64>> {
        m.transform(x)
    }
}

impl<P> Subject<P> for Clusterer
where
    P: FitUnsupervised,
    P::Fitted: Predict<Output = usize> + Persist + Send + Sync,
{
    type Y = ();
    type Model = P::Fitted;
    type Out = usize;
    fn fit(
        p: &P,
        x: ArrayView2<'_, f64>,
        _y: ArrayView1<'_, ()>,
        w: Option<ArrayView1<'_, f64>>,
    ) -> kiln_core::Result<P::Fitted> {
        p.fit_weighted(x, w)
    }
    fn predict(m: &P::Fitted, x: ArrayView2<'_, f64>) -> kiln_core::Result<Array2<usize>> {
        Ok(m.predict(x)?.insert_axis(Axis(1)))
    }
}

impl<P> Subject<P> for Transformer
where
    P: FitUnsupervised,
    P::Fitted: Transform + Persist + Send + Sync,
{
    type Y = ();
    type Model = P::Fitted;
    type Out = f64;
    fn fit(
        p: &P,
        x: ArrayView2<'_, f64>,
        _y: ArrayView1<'_, ()>,
        w: Option<ArrayView1<'_, f64>>,
    ) -> kiln_core::Result<P::Fitted> {
        p.fit_weighted(x, w)
    }
    fn predict(m: &P::Fitted, x: ArrayView2<'_, f64>) -> kiln_core::Result<Array2<f64>> {
        m.transform(x)
    }
}

impl<P> Checker<P>
where
    P: Fit<Target = usize> + Params + Clone + Sync,
    P::Fitted: Predict<Output = usize> + Persist + Send + Sync,
{
    /// Runs the classifier checks on `predict`.
    pub fn check_classifier(&self) -> Report {
        let (x, y) = usize::data(self);
        let setup = self.setup(&x, &y);
        let mut out = Vec::new();
        engine::common::<P, Classifier<()>>(&setup, &mut out);
        out.push(run(&setup, Check::TargetLength, || {
            target_length::<P, Classifier<()>>(&setup)
        }));
        out.push(run(&setup, Check::RowSubsets, || row_subsets(&setup)));
        out.push(run(&setup, Check::SingleClass, || single_class(&setup)));
        out.push(run(&setup, Check::SparseClassLabels, || {
            sparse_labels(&setup)
        }));
        Self::report(out)
    }
}

impl<P> Checker<P>
where
    P: Fit<Target = usize> + Params + Clone + Sync,
    P::Fitted: PredictProba + Persist + Send + Sync,
{
    /// Runs the classifier checks, then repeats the common checks on `predict_proba` and
    /// checks that probabilities are valid and agree with `predict`.
    pub fn check_probabilistic_classifier(&self) -> Report {
        let mut report = self.check_classifier();
        let (x, y) = usize::data(self);
        let setup = self.setup(&x, &y);
        let mut proba = Vec::new();
        engine::common::<P, Classifier<f64>>(&setup, &mut proba);
        // A check fails if it failed on predict or on predict_proba.
        for r in proba {
            if let Some(existing) = report.results.iter_mut().find(|e| e.check == r.check)
                && matches!(existing.outcome, crate::Outcome::Passed)
                && let crate::Outcome::Failed(m) = r.outcome
            {
                existing.outcome = crate::Outcome::Failed(format!("predict_proba: {m}"));
            }
        }
        report
            .results
            .push(run(&setup, Check::ProbaValid, || proba_valid(&setup)));
        report
    }
}

impl<P> Checker<P>
where
    P: Fit<Target = f64> + Params + Clone + Sync,
    P::Fitted: Predict<Output = f64> + Persist + Send + Sync,
{
    /// Runs the regressor checks.
    pub fn check_regressor(&self) -> Report {
        let (x, y) = f64::data(self);
        let setup = self.setup(&x, &y);
        let mut out = Vec::new();
        engine::common::<P, Regressor>(&setup, &mut out);
        out.push(run(&setup, Check::TargetLength, || {
            target_length::<P, Regressor>(&setup)
        }));
        out.push(run(&setup, Check::NonFiniteTarget, || {
            non_finite_target::<P, Regressor>(&setup)
        }));
        out.push(run(&setup, Check::RowSubsets, || row_subsets(&setup)));
        Self::report(out)
    }
}

impl<P> Checker<P>
where
    P: FitUnsupervised + Params + Clone + Sync,
    P::Fitted: Predict<Output = usize> + Persist + Send + Sync,
{
    /// Runs the clusterer checks (on `predict`, the cluster of each row).
    pub fn check_clusterer(&self) -> Report {
        let (x, y) = self.unsupervised();
        let setup = self.setup(&x, &y);
        let mut out = Vec::new();
        engine::common::<P, Clusterer>(&setup, &mut out);
        Self::report(out)
    }
}

impl<P> Checker<P>
where
    P: FitTransform + Params + Clone + Sync,
    P::Fitted: Transform + Persist + Send + Sync,
{
    /// Runs the transformer checks (on `transform`), and `fit_transform` against `fit` then
    /// `transform`.
    pub fn check_transformer(&self) -> Report {
        let (x, y) = self.unsupervised();
        let setup = self.setup(&x, &y);
        let mut out = Vec::new();
        engine::common::<P, Transformer>(&setup, &mut out);
        out.push(run(&setup, Check::FitTransform, || fit_transform(&setup)));
        Self::report(out)
    }
}

impl<P> Checker<P>
where
    P: Fit + Params + Clone + Sync,
    P::Target: SupervisedTarget,
    P::Fitted: Transform + Persist + Send + Sync,
{
    /// Runs the transformer checks on a transformer fitted on `X` and a target (a feature
    /// selector scoring features against the target, a supervised projection).
    ///
    /// The data is the one given with [`Checker::classification_data`] for a `usize` target
    /// or [`Checker::regression_data`] for an `f64` target, else the built-in data of that
    /// kind. The checks are those common to every estimator (on `transform`), the target
    /// length, and for an `f64` target non-finite target values.
    pub fn check_supervised_transformer(&self) -> Report {
        let (x, y) = P::Target::data(self);
        let setup = self.setup(&x, &y);
        let mut out = Vec::new();
        engine::common::<P, SupervisedTransformer>(&setup, &mut out);
        out.push(run(&setup, Check::TargetLength, || {
            target_length::<P, SupervisedTransformer>(&setup)
        }));
        if P::Target::from_f64(f64::NAN).is_some() {
            out.push(run(&setup, Check::NonFiniteTarget, || {
                non_finite_target::<P, SupervisedTransformer>(&setup)
            }));
        }
        Self::report(out)
    }
}

fn target_length<P, S: Subject<P>>(s: &Setup<'_, P, S::Y>) -> Verdict {
    let n = s.x.nrows();
    let short = s.y.slice(ndarray::s![..n - 1]);
    match S::fit(s.params, s.x.view(), short, None) {
        Err(Error::ShapeMismatch { expected, got, .. }) if expected == n && got == n - 1 => Ok(()),
        Err(e) => Err(format!("y one shorter than X: wrong error: {e}")),
        Ok(_) => Err("y one shorter than X: fit succeeded".into()),
    }
}

/// [`Check::RowSubsets`]: every row but every third, last first, the first kept row repeated,
/// with uneven weights.
fn row_subsets<P, T>(s: &Setup<'_, P, T>) -> Verdict
where
    P: Fit<Target = T>,
    T: Clone,
    P::Fitted: Predict,
    <P::Fitted as Predict>::Output: PartialEq + std::fmt::Debug,
{
    let n = s.x.nrows();
    let mut rows: Vec<usize> = (0..n).rev().filter(|i| i % 3 != 1).collect();
    if let Some(&first) = rows.first() {
        rows.push(first);
    }
    let w = Array1::from_shape_fn(n, |i| 1.0 + (i % 4) as f64 * 0.5);
    let xs = s.x.select(Axis(0), &rows);
    let ys = s.y.select(Axis(0), &rows);
    let ws = w.select(Axis(0), &rows);
    fn shown<T>(r: kiln_core::Result<T>) -> std::result::Result<T, String> {
        r.map_err(|e| e.to_string())
    }
    // Weighted when the estimator takes weights.
    let (w, copied) = match s.params.fit_weighted(xs.view(), ys.view(), Some(ws.view())) {
        Err(Error::Unsupported { .. }) => (
            None,
            shown(s.params.fit_weighted(xs.view(), ys.view(), None)),
        ),
        r => (Some(w.view()), shown(r)),
    };
    let in_place = shown(s.params.fit_rows(s.x.view(), s.y.view(), w, &rows));
    let (copied, in_place) = match (copied, in_place) {
        (Err(a), Err(b)) if a == b => return Ok(()),
        (Ok(a), Ok(b)) => (a, b),
        (a, b) => {
            return Err(format!(
                "fit_rows gave {} where fit_weighted on the copied rows gave {}",
                describe(&b),
                describe(&a)
            ));
        }
    };
    let (pa, pb) = (
        shown(copied.predict(s.x.view()))?,
        shown(in_place.predict(s.x.view()))?,
    );
    if pa != pb {
        return Err(
            "the model from fit_rows predicts differently from a fit on the copied rows".into(),
        );
    }
    let (pa, pb) = (
        shown(copied.predict(xs.view()))?,
        shown(copied.predict_rows(s.x.view(), &rows))?,
    );
    if pa != pb {
        return Err("predict_rows differs from predict on the copied rows".into());
    }
    match s.params.fit_rows(s.x.view(), s.y.view(), None, &[0, n]) {
        Err(Error::InvalidValue { row: Some(1), .. }) => {}
        other => {
            return Err(format!(
                "fit_rows with index {n} of {n} rows: {}",
                describe(&shown(other.map(|_| ())))
            ));
        }
    }
    match copied.predict_rows(s.x.view(), &[n]) {
        Err(Error::InvalidValue { row: Some(0), .. }) => Ok(()),
        other => Err(format!(
            "predict_rows with index {n} of {n} rows: {}",
            describe(&shown(other.map(|_| ())))
        )),
    }
}

/// "an error: ..." or "a model", for messages.
fn describe<M>(r: &std::result::Result<M, String>) -> String {
    match r {
        Ok(_) => "a model".into(),
        Err(e) => format!("the error `{e}`"),
    }
}

fn single_class<P>(s: &Setup<'_, P, usize>) -> Verdict
where
    P: Fit<Target = usize>,
    P::Fitted: Predict<Output = usize>,
{
    let class = s.y.iter().copied().max().unwrap_or(0);
    let y = Array1::from_elem(s.y.len(), class);
    match s.params.fit(s.x.view(), y.view()) {
        Err(Error::SingleClass { .. }) => Ok(()),
        Err(e) => Err(format!("a single class gave another error: {e}")),
        Ok(m) => {
            let pred = m.predict(s.x.view()).map_err(|e| e.to_string())?;
            match pred.iter().find(|&&p| p != class) {
                None => Ok(()),
                Some(p) => Err(format!("fitted on class {class} only, predicted {p}")),
            }
        }
    }
}

fn sparse_labels<P>(s: &Setup<'_, P, usize>) -> Verdict
where
    P: Fit<Target = usize>,
    P::Fitted: Predict<Output = usize>,
{
    let y = s.y.mapv(|c| 2 * c);
    let m = s
        .params
        .fit(s.x.view(), y.view())
        .map_err(|e| e.to_string())?;
    let pred = m.predict(s.x.view()).map_err(|e| e.to_string())?;
    match pred
        .iter()
        .find(|&&p| p % 2 == 1 || !y.iter().any(|&c| c == p))
    {
        None => Ok(()),
        Some(p) => Err(format!(
            "trained on classes {{0, 2, 4, ...}}, predicted {p}"
        )),
    }
}

fn proba_valid<P>(s: &Setup<'_, P, usize>) -> Verdict
where
    P: Fit<Target = usize>,
    P::Fitted: PredictProba,
{
    let m = s
        .params
        .fit(s.x.view(), s.y.view())
        .map_err(|e| e.to_string())?;
    let mut seen: Vec<usize> = s.y.to_vec();
    seen.sort_unstable();
    seen.dedup();
    if m.classes() != seen.as_slice() {
        return Err(format!("classes() is {:?}, y holds {seen:?}", m.classes()));
    }
    let proba = m.predict_proba(s.x.view()).map_err(|e| e.to_string())?;
    if proba.ncols() != seen.len() {
        return Err(format!(
            "{} probability columns for {} classes",
            proba.ncols(),
            seen.len()
        ));
    }
    let pred = m.predict(s.x.view()).map_err(|e| e.to_string())?;
    for (i, row) in proba.outer_iter().enumerate() {
        if let Some(p) = row.iter().find(|p| !(0.0..=1.0).contains(*p)) {
            return Err(format!("row {i}: probability {p} outside [0, 1]"));
        }
        let sum = row.sum();
        if (sum - 1.0).abs() > 1e-9 {
            return Err(format!("row {i}: probabilities sum to {sum}"));
        }
        let mut best = 0;
        for (j, &p) in row.iter().enumerate() {
            if p > row[best] {
                best = j;
            }
        }
        if m.classes()[best] != pred[i] {
            return Err(format!(
                "row {i}: arg-max of predict_proba is class {}, predict says {}",
                m.classes()[best],
                pred[i]
            ));
        }
    }
    Ok(())
}

fn non_finite_target<P, S: Subject<P>>(s: &Setup<'_, P, S::Y>) -> Verdict
where
    S::Y: SupervisedTarget,
{
    let row = s.y.len() / 3;
    for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let Some(bad) = S::Y::from_f64(v) else {
            return Err("this kind of target cannot hold non-finite values".into());
        };
        let mut y = s.y.clone();
        y[row] = bad;
        match S::fit(s.params, s.x.view(), y.view(), None) {
            Err(Error::NonFinite {
                row: r, col: None, ..
            }) if r == row => {}
            Err(e) => return Err(format!("{v} in y at row {row}: wrong error: {e}")),
            Ok(_) => return Err(format!("{v} in y at row {row}: fit succeeded")),
        }
    }
    Ok(())
}

fn fit_transform<P>(s: &Setup<'_, P, ()>) -> Verdict
where
    P: FitTransform,
    P::Fitted: Transform + Persist + Send + Sync,
{
    let (fitted, out) = s
        .params
        .fit_transform(s.x.view())
        .map_err(|e| e.to_string())?;
    let separate =
        fit_predict::<P, Transformer>(s.params, s.x.view(), s.y.view(), None, s.x.view())?;
    compare(
        "fit_transform against fit then transform",
        &out,
        &separate,
        Some(s.tol),
    )?;
    // The fitted half of fit_transform must be the same transformer as a plain fit.
    let shifted = s.x.mapv(|v| v * 0.5 - 1.0);
    let a = predict::<P, Transformer>(&fitted, shifted.view())?;
    let b = fit_predict::<P, Transformer>(s.params, s.x.view(), s.y.view(), None, shifted.view())?;
    compare(
        "the transformer returned by fit_transform",
        &a,
        &b,
        Some(s.tol),
    )
}
