//! The checks themselves, written once against [`Subject`]: a way to fit and to predict that
//! covers classifiers, regressors, clusterers and transformers alike.

use std::fmt::Debug;
use std::panic::{AssertUnwindSafe, catch_unwind};

use kiln_core::check::NanPolicy;
use kiln_core::persist::{self, Persist};
use kiln_core::{Error, Fitted, Params};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, concatenate, s};

use crate::report::{Check, CheckResult, Outcome};

/// A check's own result: `Err` carries what went wrong.
pub(crate) type Verdict = std::result::Result<(), String>;

/// A prediction element: class indices compare exactly, floats bit for bit or within a tolerance.
pub(crate) trait Value: Copy + Debug + PartialEq + Send + Sync + 'static {
    fn identical(a: Self, b: Self) -> bool;
    fn close(a: Self, b: Self, tol: f64) -> bool;
}

impl Value for usize {
    fn identical(a: Self, b: Self) -> bool {
        a == b
    }
    fn close(a: Self, b: Self, _tol: f64) -> bool {
        a == b
    }
}

impl Value for f64 {
    fn identical(a: Self, b: Self) -> bool {
        a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
    }
    fn close(a: Self, b: Self, tol: f64) -> bool {
        Self::identical(a, b) || (a - b).abs() <= tol * a.abs().max(b.abs()).max(1.0)
    }
}

/// How the suite fits and predicts with one kind of estimator.
pub(crate) trait Subject<P> {
    /// Target element: `usize`, `f64`, or `()` for unsupervised estimators.
    type Y: Clone + Send + Sync;
    /// The fitted model.
    type Model: Fitted + Persist + Send + Sync;
    /// Prediction element.
    type Out: Value;

    fn fit(
        p: &P,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, Self::Y>,
        w: Option<ArrayView1<'_, f64>>,
    ) -> kiln_core::Result<Self::Model>;

    /// Predictions as a matrix: one row per row of `x` (one column for label or value outputs).
    fn predict(m: &Self::Model, x: ArrayView2<'_, f64>) -> kiln_core::Result<Array2<Self::Out>>;
}

/// What every check needs besides the subject.
pub(crate) struct Setup<'a, P, Y> {
    pub params: &'a P,
    pub invalid: &'a [(P, String)],
    pub skips: &'a [(Check, String)],
    pub x: &'a Array2<f64>,
    pub y: &'a Array1<Y>,
    pub tol: f64,
    pub nan: NanPolicy,
}

/// Runs `f` as `check`, honouring skips and turning panics into failures.
pub(crate) fn run<P, Y>(
    setup: &Setup<'_, P, Y>,
    check: Check,
    f: impl FnOnce() -> Verdict,
) -> CheckResult {
    run_with(setup.skips, check, f)
}

/// Runs `f` as `check` unless `skips` names it, turning panics into failures.
pub(crate) fn run_with(
    skips: &[(Check, String)],
    check: Check,
    f: impl FnOnce() -> Verdict,
) -> CheckResult {
    let outcome = match skips.iter().find(|(c, _)| *c == check) {
        Some((_, reason)) if reason.trim().is_empty() => {
            Outcome::Failed("skipped without a reason; every skip must say why".into())
        }
        Some((_, reason)) => Outcome::Skipped(reason.clone()),
        None => match catch_unwind(AssertUnwindSafe(f)) {
            Ok(Ok(())) => Outcome::Passed,
            Ok(Err(msg)) => Outcome::Failed(msg),
            Err(payload) => Outcome::Failed(format!("panicked: {}", panic_text(&payload))),
        },
    };
    CheckResult { check, outcome }
}

fn panic_text(payload: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(non-string panic payload)".into()
    }
}

/// Fits and predicts, turning errors into messages and checking the prediction's row count.
pub(crate) fn fit_predict<P, S: Subject<P>>(
    p: &P,
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, S::Y>,
    w: Option<ArrayView1<'_, f64>>,
    on: ArrayView2<'_, f64>,
) -> std::result::Result<Array2<S::Out>, String> {
    let m = S::fit(p, x, y, w).map_err(|e| format!("fit failed: {e}"))?;
    predict::<P, S>(&m, on)
}

pub(crate) fn predict<P, S: Subject<P>>(
    m: &S::Model,
    on: ArrayView2<'_, f64>,
) -> std::result::Result<Array2<S::Out>, String> {
    let out = S::predict(m, on).map_err(|e| format!("predict failed: {e}"))?;
    if out.nrows() != on.nrows() {
        return Err(format!(
            "predict returned {} rows for {} input rows",
            out.nrows(),
            on.nrows()
        ));
    }
    Ok(out)
}

/// Compares two predictions; `tol = None` means bit-identical.
pub(crate) fn compare<T: Value>(
    what: &str,
    a: &Array2<T>,
    b: &Array2<T>,
    tol: Option<f64>,
) -> Verdict {
    if a.dim() != b.dim() {
        return Err(format!(
            "{what}: shapes {:?} and {:?} differ",
            a.dim(),
            b.dim()
        ));
    }
    for ((idx, &u), &v) in a.indexed_iter().zip(b.iter()) {
        let same = match tol {
            None => T::identical(u, v),
            Some(t) => T::close(u, v, t),
        };
        if !same {
            return Err(format!("{what}: at {idx:?}, {u:?} != {v:?}"));
        }
    }
    Ok(())
}

pub(crate) fn expect_err<T>(
    what: &str,
    r: kiln_core::Result<T>,
    ok: impl Fn(&Error) -> bool,
) -> Verdict {
    match r {
        Ok(_) => Err(format!("{what}: expected an error, got Ok")),
        Err(e) if ok(&e) => Ok(()),
        Err(e) => Err(format!("{what}: wrong error: {e} ({e:?})")),
    }
}

/// The checks common to every kind of estimator.
pub(crate) fn common<P, S>(setup: &Setup<'_, P, S::Y>, out: &mut Vec<CheckResult>)
where
    P: Params + Sync,
    S: Subject<P>,
{
    out.push(run(setup, Check::InvalidParams, || {
        invalid_params::<P, S>(setup)
    }));
    out.push(run(setup, Check::NonFiniteAtFit, || {
        non_finite_at_fit::<P, S>(setup)
    }));
    out.push(run(setup, Check::NonFiniteAtPredict, || {
        non_finite_at_predict::<P, S>(setup)
    }));
    out.push(run(setup, Check::EmptyData, || empty_data::<P, S>(setup)));
    out.push(run(setup, Check::FeatureCount, || {
        feature_count::<P, S>(setup)
    }));
    out.push(run(setup, Check::OneSample, || one_sample::<P, S>(setup)));
    out.push(run(setup, Check::OneFeature, || one_feature::<P, S>(setup)));
    out.push(run(setup, Check::Determinism, || {
        determinism::<P, S>(setup)
    }));
    out.push(run(setup, Check::RefitIdempotent, || refit::<P, S>(setup)));
    out.push(run(setup, Check::BatchEqualsRows, || {
        batch_rows::<P, S>(setup)
    }));
    out.push(run(setup, Check::SaveLoad, || save_load::<P, S>(setup)));
    out.push(run(setup, Check::ThreadInvariance, || {
        threads::<P, S>(setup)
    }));
    out.push(run(setup, Check::SampleWeightValidation, || {
        weight_validation::<P, S>(setup)
    }));
    out.push(run(setup, Check::SampleWeightEquivalence, || {
        weight_equivalence::<P, S>(setup)
    }));
}

fn invalid_params<P: Params, S: Subject<P>>(s: &Setup<'_, P, S::Y>) -> Verdict {
    s.params
        .validate()
        .map_err(|e| format!("the params under test do not validate: {e}"))?;
    if s.invalid.is_empty() {
        return Err(
            "no invalid params declared; declare some with `invalid_param`, \
                    or skip this check with the reason there are none"
                .into(),
        );
    }
    for (p, name) in s.invalid {
        let named = |e: &Error| e.parameter_name() == Some(name.as_str());
        expect_err(
            &format!("validate() with bad `{name}`"),
            p.validate(),
            named,
        )?;
        let fitted = S::fit(p, s.x.view(), s.y.view(), None);
        expect_err(&format!("fit with bad `{name}`"), fitted, named)?;
    }
    Ok(())
}

fn with_value(x: &Array2<f64>, row: usize, col: usize, v: f64) -> Array2<f64> {
    let mut bad = x.clone();
    bad[[row, col]] = v;
    bad
}

fn is_non_finite_at(e: &Error, row: usize, col: usize) -> bool {
    matches!(e, Error::NonFinite { row: r, col: Some(c), .. } if *r == row && *c == col)
}

fn non_finite_at_fit<P, S: Subject<P>>(s: &Setup<'_, P, S::Y>) -> Verdict {
    let (row, col) = (s.x.nrows() / 2, s.x.ncols() - 1);
    for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let bad = with_value(s.x, row, col, v);
        let fitted = S::fit(s.params, bad.view(), s.y.view(), None);
        if v.is_nan() && s.nan == NanPolicy::AllowMissing {
            let m = fitted.map_err(|e| format!("NaN (missing) at fit was refused: {e}"))?;
            predict::<P, S>(&m, bad.view())?;
            continue;
        }
        expect_err(&format!("{v} at ({row}, {col}) in X at fit"), fitted, |e| {
            is_non_finite_at(e, row, col)
        })?;
    }
    Ok(())
}

fn non_finite_at_predict<P, S: Subject<P>>(s: &Setup<'_, P, S::Y>) -> Verdict {
    let m = S::fit(s.params, s.x.view(), s.y.view(), None).map_err(|e| e.to_string())?;
    let (row, col) = (1, 0);
    for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let bad = with_value(s.x, row, col, v);
        let r = S::predict(&m, bad.view());
        if v.is_nan() && s.nan == NanPolicy::AllowMissing {
            r.map_err(|e| format!("NaN (missing) at predict was refused: {e}"))?;
            continue;
        }
        expect_err(&format!("{v} at ({row}, {col}) in X at predict"), r, |e| {
            is_non_finite_at(e, row, col)
        })?;
    }
    Ok(())
}

fn empty_data<P, S: Subject<P>>(s: &Setup<'_, P, S::Y>) -> Verdict {
    let is_empty = |e: &Error| matches!(e, Error::EmptyInput { .. });
    let no_rows = s.x.slice(s![0..0, ..]);
    let r = S::fit(s.params, no_rows, s.y.slice(s![0..0]), None);
    expect_err("fit on 0 rows", r, is_empty)?;
    let no_cols = s.x.slice(s![.., 0..0]);
    let r = S::fit(s.params, no_cols, s.y.view(), None);
    expect_err("fit on 0 columns", r, is_empty)?;
    let m = S::fit(s.params, s.x.view(), s.y.view(), None).map_err(|e| e.to_string())?;
    expect_err("predict on 0 rows", S::predict(&m, no_rows), is_empty)
}

fn feature_count<P, S: Subject<P>>(s: &Setup<'_, P, S::Y>) -> Verdict {
    let d = s.x.ncols();
    let m = S::fit(s.params, s.x.view(), s.y.view(), None).map_err(|e| e.to_string())?;
    if m.n_features_in() != d {
        return Err(format!(
            "n_features_in() is {} after fitting on {d} columns",
            m.n_features_in()
        ));
    }
    let wider =
        concatenate(Axis(1), &[s.x.view(), s.x.slice(s![.., 0..1])]).map_err(|e| e.to_string())?;
    let mut cases = vec![wider];
    if d > 1 {
        cases.push(s.x.slice(s![.., 0..d - 1]).to_owned());
    }
    for bad in cases {
        let got = bad.ncols();
        let r = S::predict(&m, bad.view());
        expect_err(&format!("predict with {got} columns"), r, |e| {
            matches!(e, Error::FeatureCountMismatch { expected, got: g, .. }
                if *expected == d && *g == got)
        })?;
    }
    Ok(())
}

fn one_sample<P, S: Subject<P>>(s: &Setup<'_, P, S::Y>) -> Verdict {
    let x1 = s.x.slice(s![0..1, ..]);
    if let Ok(m) = S::fit(s.params, x1, s.y.slice(s![0..1]), None) {
        predict::<P, S>(&m, s.x.view())?;
    }
    Ok(())
}

fn one_feature<P, S: Subject<P>>(s: &Setup<'_, P, S::Y>) -> Verdict {
    let x1 = s.x.slice(s![.., 0..1]);
    if let Ok(m) = S::fit(s.params, x1, s.y.view(), None) {
        predict::<P, S>(&m, x1)?;
    }
    Ok(())
}

fn determinism<P, S: Subject<P>>(s: &Setup<'_, P, S::Y>) -> Verdict {
    let a = fit_predict::<P, S>(s.params, s.x.view(), s.y.view(), None, s.x.view())?;
    let b = fit_predict::<P, S>(s.params, s.x.view(), s.y.view(), None, s.x.view())?;
    compare("two fits with the same params", &a, &b, None)
}

fn refit<P, S: Subject<P>>(s: &Setup<'_, P, S::Y>) -> Verdict {
    let first = fit_predict::<P, S>(s.params, s.x.view(), s.y.view(), None, s.x.view())?;
    // Other data in between: the rows reversed and shifted.
    let other_x = s.x.slice(s![..;-1, ..]).mapv(|v| v * 1.5 + 0.25);
    let other_y = s.y.slice(s![..;-1]);
    S::fit(s.params, other_x.view(), other_y, None).map_err(|e| e.to_string())?;
    let again = fit_predict::<P, S>(s.params, s.x.view(), s.y.view(), None, s.x.view())?;
    compare(
        "fit on X, on other data, then on X again",
        &first,
        &again,
        None,
    )
}

fn batch_rows<P, S: Subject<P>>(s: &Setup<'_, P, S::Y>) -> Verdict {
    let m = S::fit(s.params, s.x.view(), s.y.view(), None).map_err(|e| e.to_string())?;
    let batch = predict::<P, S>(&m, s.x.view())?;
    let rows: Vec<Array2<S::Out>> = (0..s.x.nrows())
        .map(|i| predict::<P, S>(&m, s.x.slice(s![i..i + 1, ..])))
        .collect::<Result<_, _>>()?;
    let views: Vec<_> = rows.iter().map(|r| r.view()).collect();
    let stacked = concatenate(Axis(0), &views).map_err(|e| e.to_string())?;
    compare("batch against row-by-row", &batch, &stacked, Some(s.tol))
}

fn save_load<P, S: Subject<P>>(s: &Setup<'_, P, S::Y>) -> Verdict {
    let m = S::fit(s.params, s.x.view(), s.y.view(), None).map_err(|e| e.to_string())?;
    let before = predict::<P, S>(&m, s.x.view())?;
    let bytes = persist::to_bytes(&m).map_err(|e| format!("to_bytes: {e}"))?;
    let back: S::Model = persist::from_bytes(&bytes).map_err(|e| format!("from_bytes: {e}"))?;
    if back.n_features_in() != m.n_features_in() {
        return Err("n_features_in() changed through save and load".into());
    }
    compare(
        "after to_bytes/from_bytes",
        &before,
        &predict::<P, S>(&back, s.x.view())?,
        None,
    )?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = dir.path().join("model.kiln");
    persist::save(&m, &path).map_err(|e| format!("save: {e}"))?;
    let back: S::Model = persist::load(&path).map_err(|e| format!("load: {e}"))?;
    compare(
        "after save/load",
        &before,
        &predict::<P, S>(&back, s.x.view())?,
        None,
    )
}

fn threads<P: Sync, S: Subject<P>>(s: &Setup<'_, P, S::Y>) -> Verdict {
    let on = |n: usize| -> std::result::Result<Array2<S::Out>, String> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map_err(|e| e.to_string())?;
        pool.install(|| fit_predict::<P, S>(s.params, s.x.view(), s.y.view(), None, s.x.view()))
    };
    compare("1 thread against 2 threads", &on(1)?, &on(2)?, None)
}

fn weight_validation<P, S: Subject<P>>(s: &Setup<'_, P, S::Y>) -> Verdict {
    let n = s.x.nrows();
    let fit_w = |w: &Array1<f64>| S::fit(s.params, s.x.view(), s.y.view(), Some(w.view()));
    let ones = Array1::ones(n);
    if let Err(Error::Unsupported { .. }) = fit_w(&ones) {
        return Ok(());
    }
    let mut negative = ones.clone();
    negative[2] = -1.0;
    expect_err("a negative weight", fit_w(&negative), |e| {
        matches!(e, Error::InvalidValue { row: Some(2), .. })
    })?;
    let mut nan = ones.clone();
    nan[3] = f64::NAN;
    expect_err("a NaN weight", fit_w(&nan), |e| {
        matches!(e, Error::NonFinite { row: 3, .. })
    })?;
    expect_err("all-zero weights", fit_w(&Array1::zeros(n)), |e| {
        matches!(e, Error::InvalidValue { .. })
    })?;
    expect_err(
        "weights of the wrong length",
        fit_w(&Array1::ones(n - 1)),
        |e| matches!(e, Error::ShapeMismatch { .. }),
    )
}

fn weight_equivalence<P, S: Subject<P>>(s: &Setup<'_, P, S::Y>) -> Verdict {
    let n = s.x.nrows();
    let ones = Array1::ones(n);
    let weighted = |w: &Array1<f64>| {
        fit_predict::<P, S>(s.params, s.x.view(), s.y.view(), Some(w.view()), s.x.view())
    };
    let unweighted = fit_predict::<P, S>(s.params, s.x.view(), s.y.view(), None, s.x.view())?;
    let with_ones = match S::fit(s.params, s.x.view(), s.y.view(), Some(ones.view())) {
        Err(Error::Unsupported { .. }) => return Ok(()),
        Err(e) => return Err(format!("fit with unit weights failed: {e}")),
        Ok(m) => predict::<P, S>(&m, s.x.view())?,
    };
    compare(
        "unit weights against none",
        &unweighted,
        &with_ones,
        Some(s.tol),
    )?;

    // Weight 2 on row 0 against row 0 written twice (the copy right after it).
    let mut w2 = ones.clone();
    w2[0] = 2.0;
    let dup_idx: Vec<usize> = std::iter::once(0).chain(0..n).collect();
    let x_dup = s.x.select(Axis(0), &dup_idx);
    let y_dup = s.y.select(Axis(0), &dup_idx);
    let dup = fit_predict::<P, S>(s.params, x_dup.view(), y_dup.view(), None, s.x.view())?;
    compare(
        "weight 2 against a duplicated row",
        &weighted(&w2)?,
        &dup,
        Some(s.tol),
    )?;

    // Weight 0 on the last row against the row removed.
    let mut w0 = ones;
    w0[n - 1] = 0.0;
    let drop = fit_predict::<P, S>(
        s.params,
        s.x.slice(s![..n - 1, ..]),
        s.y.slice(s![..n - 1]),
        None,
        s.x.view(),
    )?;
    compare(
        "weight 0 against the row removed",
        &weighted(&w0)?,
        &drop,
        Some(s.tol),
    )
}
