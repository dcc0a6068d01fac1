//! The frame-mode checks, one function each; [`FrameChecker::check`] runs them.

use kiln_core::Error;
use kiln_core::persist::{self, Persist};
use ndarray::{Array2, Axis};

use crate::engine::{compare, expect_err};
use crate::frame::{FrameAdapter, FrameChecker, Unseen};

pub(crate) use crate::engine::Verdict;

/// How many single rows [`batch_rows`] transforms one by one, spread over the frame.
const SINGLE_ROWS: usize = 32;

/// Whether `e`'s message names `column` the way kiln's errors do, in backticks.
fn names_column(e: &Error, column: &str) -> bool {
    e.to_string().contains(&format!("`{column}`"))
}

pub(crate) fn invalid_params<A, M>(c: &FrameChecker<'_, A, M>) -> Verdict
where
    A: FrameAdapter<M> + Sync,
    M: Persist + Send + Sync,
{
    c.fit_on(&c.frame)
        .map_err(|e| format!("the fit under test fails: {e}"))?;
    if c.invalid.is_empty() {
        return Err(
            "no invalid params declared; declare some with `invalid_param`, \
                    or skip this check with the reason there are none"
                .into(),
        );
    }
    for (name, fit) in &c.invalid {
        expect_err(&format!("fit with bad `{name}`"), fit(&c.frame), |e| {
            e.parameter_name() == Some(name.as_str())
        })?;
    }
    Ok(())
}

pub(crate) fn empty_data<A, M>(c: &FrameChecker<'_, A, M>) -> Verdict
where
    A: FrameAdapter<M> + Sync,
    M: Persist + Send + Sync,
{
    let empty =
        FrameChecker::<A, M>::altered("a frame of 0 rows", c.adapter.take_rows(&c.frame, &[]))?;
    expect_err("fit on 0 rows", (c.fit)(&empty), |e| {
        matches!(e, Error::EmptyInput { .. })
    })?;
    let m = c.fit_on(&c.frame)?;
    let width = c.adapter.feature_names_out(&m).len();
    match c.adapter.transform(&m, &empty) {
        Ok(out) if out.dim() == (0, width) => Ok(()),
        Ok(out) => Err(format!(
            "transform of 0 rows gave shape {:?}, expected (0, {width})",
            out.dim()
        )),
        Err(Error::EmptyInput { .. }) => Ok(()),
        Err(e) => Err(format!("transform of 0 rows: wrong error: {e}")),
    }
}

pub(crate) fn one_sample<A, M>(c: &FrameChecker<'_, A, M>) -> Verdict
where
    A: FrameAdapter<M> + Sync,
    M: Persist + Send + Sync,
{
    let one =
        FrameChecker::<A, M>::altered("a frame of 1 row", c.adapter.take_rows(&c.frame, &[0]))?;
    // A typed error is an acceptable answer to a one-row fit; a panic is caught by the runner.
    if let Ok(m) = (c.fit)(&one) {
        c.transform(&m, &one)?;
    }
    Ok(())
}

fn fit_transform<A, M>(
    c: &FrameChecker<'_, A, M>,
) -> std::result::Result<(Array2<f64>, Vec<String>), String>
where
    A: FrameAdapter<M> + Sync,
    M: Persist + Send + Sync,
{
    let m = c.fit_on(&c.frame)?;
    Ok((c.transform(&m, &c.frame)?, c.adapter.feature_names_out(&m)))
}

fn same_names(what: &str, a: &[String], b: &[String]) -> Verdict {
    if a == b {
        Ok(())
    } else {
        Err(format!("{what}: feature_names_out {a:?} != {b:?}"))
    }
}

pub(crate) fn determinism<A, M>(c: &FrameChecker<'_, A, M>) -> Verdict
where
    A: FrameAdapter<M> + Sync,
    M: Persist + Send + Sync,
{
    let (a, names_a) = fit_transform(c)?;
    let (b, names_b) = fit_transform(c)?;
    compare("two fits on the same frame", &a, &b, None)?;
    same_names("two fits on the same frame", &names_a, &names_b)
}

pub(crate) fn refit<A, M>(c: &FrameChecker<'_, A, M>) -> Verdict
where
    A: FrameAdapter<M> + Sync,
    M: Persist + Send + Sync,
{
    let (first, _) = fit_transform(c)?;
    let n = c.adapter.n_rows(&c.frame);
    let rows: Vec<usize> = (0..n).rev().step_by(2).collect();
    let other =
        FrameChecker::<A, M>::altered("a subset of rows", c.adapter.take_rows(&c.frame, &rows))?;
    // Whether this fit succeeds does not matter; only that it leaves nothing behind.
    let _ = (c.fit)(&other);
    let (again, _) = fit_transform(c)?;
    compare(
        "fit on the frame, on other rows, then on the frame again",
        &first,
        &again,
        None,
    )
}

pub(crate) fn threads<A, M>(c: &FrameChecker<'_, A, M>) -> Verdict
where
    A: FrameAdapter<M> + Sync,
    M: Persist + Send + Sync,
{
    let on = |n: usize| -> std::result::Result<Array2<f64>, String> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map_err(|e| e.to_string())?;
        pool.install(|| fit_transform(c).map(|(out, _)| out))
    };
    compare("1 thread against 2 threads", &on(1)?, &on(2)?, None)
}

pub(crate) fn batch_rows<A, M>(c: &FrameChecker<'_, A, M>) -> Verdict
where
    A: FrameAdapter<M> + Sync,
    M: Persist + Send + Sync,
{
    let m = c.fit_on(&c.frame)?;
    let full = c.transform(&m, &c.frame)?;
    let n = c.adapter.n_rows(&c.frame);
    // Every other row, in reverse: a subset in another order.
    let rows: Vec<usize> = (0..n).step_by(2).rev().collect();
    let subset =
        FrameChecker::<A, M>::altered("a subset of rows", c.adapter.take_rows(&c.frame, &rows))?;
    compare(
        "a subset of rows against the same rows of the whole frame",
        &c.transform(&m, &subset)?,
        &full.select(Axis(0), &rows),
        Some(c.tol),
    )?;
    let k = n.min(SINGLE_ROWS);
    for i in 0..k {
        let r = i * n / k;
        let one =
            FrameChecker::<A, M>::altered("a frame of 1 row", c.adapter.take_rows(&c.frame, &[r]))?;
        compare(
            &format!("row {r} alone against the whole frame"),
            &c.transform(&m, &one)?,
            &full.select(Axis(0), &[r]),
            Some(c.tol),
        )?;
    }
    Ok(())
}

pub(crate) fn save_load<A, M>(c: &FrameChecker<'_, A, M>) -> Verdict
where
    A: FrameAdapter<M> + Sync,
    M: Persist + Send + Sync,
{
    let m = c.fit_on(&c.frame)?;
    let before = c.transform(&m, &c.frame)?;
    let bytes = persist::to_bytes(&m).map_err(|e| format!("to_bytes: {e}"))?;
    let back: M = persist::from_bytes(&bytes).map_err(|e| format!("from_bytes: {e}"))?;
    if c.adapter.input_columns(&back) != c.adapter.input_columns(&m) {
        return Err("input columns changed through save and load".into());
    }
    compare(
        "after to_bytes/from_bytes",
        &before,
        &c.transform(&back, &c.frame)?,
        None,
    )?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = dir.path().join("model.kiln");
    persist::save(&m, &path).map_err(|e| format!("save: {e}"))?;
    let back: M = persist::load(&path).map_err(|e| format!("load: {e}"))?;
    compare(
        "after save/load",
        &before,
        &c.transform(&back, &c.frame)?,
        None,
    )
}

pub(crate) fn feature_names<A, M>(c: &FrameChecker<'_, A, M>) -> Verdict
where
    A: FrameAdapter<M> + Sync,
    M: Persist + Send + Sync,
{
    let (out, names) = fit_transform(c)?;
    if names.len() != out.ncols() {
        return Err(format!(
            "{} names in feature_names_out for {} output columns",
            names.len(),
            out.ncols()
        ));
    }
    let m = c.fit_on(&c.frame)?;
    let bytes = persist::to_bytes(&m).map_err(|e| format!("to_bytes: {e}"))?;
    let back: M = persist::from_bytes(&bytes).map_err(|e| format!("from_bytes: {e}"))?;
    same_names(
        "after save and load",
        &c.adapter.feature_names_out(&back),
        &names,
    )
}

/// Runs `alter` on every input column and requires the transform of the result to fail
/// naming that column.
fn each_column_fails<A, M>(
    c: &FrameChecker<'_, A, M>,
    what: &str,
    alter: impl Fn(&A::Frame, &str) -> kiln_core::Result<A::Frame>,
) -> Verdict
where
    A: FrameAdapter<M> + Sync,
    M: Persist + Send + Sync,
{
    let m = c.fit_on(&c.frame)?;
    let columns = c.adapter.input_columns(&m);
    if columns.is_empty() {
        return Err("input_columns() is empty after a fit".into());
    }
    for col in &columns {
        let bad = FrameChecker::<A, M>::altered(
            &format!("a frame with column `{col}` {what}"),
            alter(&c.frame, col),
        )?;
        expect_err(
            &format!("transform with column `{col}` {what} (the error must name it)"),
            c.adapter.transform(&m, &bad),
            |e| names_column(e, col),
        )?;
    }
    Ok(())
}

pub(crate) fn missing_column<A, M>(c: &FrameChecker<'_, A, M>) -> Verdict
where
    A: FrameAdapter<M> + Sync,
    M: Persist + Send + Sync,
{
    each_column_fails(c, "dropped", |f, col| c.adapter.drop_column(f, col))
}

pub(crate) fn wrong_type<A, M>(c: &FrameChecker<'_, A, M>) -> Verdict
where
    A: FrameAdapter<M> + Sync,
    M: Persist + Send + Sync,
{
    each_column_fails(c, "of another type", |f, col| {
        c.adapter.retype_column(f, col)
    })
}

pub(crate) fn unseen_category<A, M>(c: &FrameChecker<'_, A, M>) -> Verdict
where
    A: FrameAdapter<M> + Sync,
    M: Persist + Send + Sync,
{
    let m = c.fit_on(&c.frame)?;
    let full = c.transform(&m, &c.frame)?;
    let names = c.adapter.feature_names_out(&m);
    let row = c.adapter.n_rows(&c.frame) / 2;
    let mut tried = 0;
    for col in c.adapter.input_columns(&m) {
        let altered = c
            .adapter
            .with_unseen_category(&c.frame, &col, row)
            .map_err(|e| format!("the adapter could not put an unseen category in `{col}`: {e}"))?;
        let Some(bad) = altered else { continue };
        tried += 1;
        let what = format!("an unseen category in column `{col}` at row {row}");
        match c.unseen {
            Unseen::Error => {
                expect_err(
                    &format!("{what} (the error must name the column)"),
                    c.adapter.transform(&m, &bad),
                    |e| names_column(e, &col),
                )?;
            }
            Unseen::Accept => {
                let out = c.transform(&m, &bad)?;
                if out.dim() != full.dim() {
                    return Err(format!(
                        "{what}: shape {:?} against {:?}",
                        out.dim(),
                        full.dim()
                    ));
                }
                for ((r, j), &v) in out.indexed_iter() {
                    let may_change = r == row && names.get(j).is_some_and(|n| n.contains(&col));
                    let same = v.to_bits() == full[[r, j]].to_bits()
                        || (v.is_nan() && full[[r, j]].is_nan());
                    if !may_change && !same {
                        return Err(format!(
                            "{what}: output ({r}, {j}) changed from {} to {v}",
                            full[[r, j]]
                        ));
                    }
                }
            }
        }
    }
    if tried == 0 {
        return Err("no input column is categorical; skip this check with that reason".into());
    }
    Ok(())
}
