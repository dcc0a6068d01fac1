//! Running one fold: gathering its rows, fitting, scoring and timing.
//!
//! Shared by cross-validation, parameter search and the curves, which all reduce to "fit on
//! these rows, score on those".

use std::ops::Range;
use std::time::{Duration, Instant};

use kiln_core::check::{self, check_same_len};
use kiln_core::{Error, Fit, Result};
use kiln_prep::split::{Fold, FoldPlan};
use ndarray::{ArrayView1, ArrayView2, Axis, CowArray, Ix1};
use rayon::prelude::*;

use crate::scorer::{Scorer, Target};

/// The data every fold reads from, checked once by [`Data::new`].
#[derive(Clone, Copy)]
pub(crate) struct Data<'a, T> {
    pub x: ArrayView2<'a, f64>,
    pub y: ArrayView1<'a, T>,
    pub sample_weight: Option<ArrayView1<'a, f64>>,
    pub groups: Option<ArrayView1<'a, usize>>,
}

impl<'a, T: Target> Data<'a, T> {
    /// Checks the shapes shared by every routine: `X` has rows and columns, and `y`, the
    /// weights and the groups each have one entry per row. Values are left to the estimator.
    pub fn new(
        x: ArrayView2<'a, f64>,
        y: ArrayView1<'a, T>,
        sample_weight: Option<ArrayView1<'a, f64>>,
        groups: Option<ArrayView1<'a, usize>>,
    ) -> Result<Self> {
        check::check_non_empty(x, "X")?;
        check_same_len("length of y against rows of X", x.nrows(), y.len())?;
        check::check_sample_weight(sample_weight, x.nrows())?;
        if let Some(g) = groups {
            check_same_len("length of groups against rows of X", x.nrows(), g.len())?;
        }
        Ok(Self {
            x,
            y,
            sample_weight,
            groups,
        })
    }

    /// The number of samples.
    pub fn n_samples(&self) -> usize {
        self.x.nrows()
    }

    /// The class indices of `y` for stratified splitters (`None` for regression targets).
    pub fn class_indices(&self) -> Option<ArrayView1<'a, usize>> {
        T::class_indices(self.y)
    }
}

/// What one fit-and-score produced.
pub(crate) struct FoldOutcome<M> {
    /// One test score per scorer.
    pub test: Vec<f64>,
    /// One train score per scorer, when asked for.
    pub train: Option<Vec<f64>>,
    pub fit_time: Duration,
    pub score_time: Duration,
    pub n_train: usize,
    pub n_test: usize,
    pub model: Option<M>,
}

/// Whether `idx` is a run of consecutive indices, so the rows can be borrowed, not copied.
fn consecutive(idx: &[usize]) -> Option<std::ops::Range<usize>> {
    let first = *idx.first()?;
    let contiguous = idx.iter().enumerate().all(|(k, &i)| i == first + k);
    contiguous.then(|| first..first + idx.len())
}

/// Calls `f(start, end)` for each maximal run of consecutive indices `start..end` in `idx`.
fn for_each_run(idx: &[usize], mut f: impl FnMut(usize, usize)) {
    let mut k = 0;
    while k < idx.len() {
        let start = idx[k];
        let mut end = start + 1;
        k += 1;
        while k < idx.len() && idx[k] == end {
            end += 1;
            k += 1;
        }
        f(start, end);
    }
}

/// Reusable buffers for the gathered rows of a fold, one set per worker, so that fold after
/// fold reuses memory already faulted in instead of allocating (and zero-filling) a fresh
/// copy of the training set.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    train: Vec<f64>,
    test: Vec<f64>,
    /// The indices of the fold being run, when a [`FoldPlan`] writes them out.
    fold: Fold,
}

/// The targets (and weights) of every fold's test rows, gathered before the folds run and
/// shared by every fit on that fold (each candidate of a search, each point of a curve).
///
/// For a k-fold plan this is one pass over `y` ([`FoldPlan::test_values`]): the test rows of a
/// shuffled fold are spread over the whole of `y`, so gathering them fold by fold, after each
/// fit has pushed `y` out of the cache, read all of `y` from memory once per fold (measured:
/// about half of the 0.3 ms that five folds of 100,000 samples spent on it).
pub(crate) struct TestTargets<T> {
    /// Every fold's test targets, fold after fold; fold `k`'s are `y[ranges[k]]`.
    y: Vec<T>,
    /// The weights, laid out as `y`.
    w: Option<Vec<f64>>,
    ranges: Vec<Range<usize>>,
}

impl<T: Target> TestTargets<T> {
    /// The test targets of every fold of `plan` (checked by [`check_plan`] first).
    pub fn of_plan(data: &Data<'_, T>, plan: &FoldPlan) -> Result<Self> {
        let (y, ranges) = plan.test_values(data.y).ok_or_else(plan_mismatch)?;
        let w = match data.sample_weight {
            Some(w) => Some(plan.test_values(w).ok_or_else(plan_mismatch)?.0),
            None => None,
        };
        Ok(Self { y, w, ranges })
    }

    /// The test targets of every fold in `folds` (checked by [`check_fold`] first).
    pub fn of_folds(data: &Data<'_, T>, folds: &[Fold]) -> Self {
        let mut ranges = Vec::with_capacity(folds.len());
        let mut start = 0;
        for f in folds {
            ranges.push(start..start + f.test.len());
            start += f.test.len();
        }
        Self {
            y: gather_tests(data.y, folds),
            w: data.sample_weight.map(|w| gather_tests(w, folds)),
            ranges,
        }
    }

    /// Fold `k`'s test rows: `idx` with the targets and weights gathered for them.
    pub fn rows<'a>(&'a self, k: usize, idx: &'a [usize]) -> Result<TestRows<'a, T>> {
        let range = self.ranges.get(k).ok_or_else(|| missing_fold(k))?.clone();
        let y = self.y.get(range.clone()).ok_or_else(|| missing_fold(k))?;
        let w = match &self.w {
            Some(w) => Some(w.get(range).ok_or_else(|| missing_fold(k))?),
            None => None,
        };
        if y.len() != idx.len() {
            return Err(plan_mismatch());
        }
        Ok(TestRows { idx, y, w })
    }
}

/// The entries `v[i]` for the test indices `i` of every fold, fold after fold.
fn gather_tests<V: Clone>(v: ArrayView1<'_, V>, folds: &[Fold]) -> Vec<V> {
    folds
        .iter()
        .flat_map(|f| f.test.iter().map(|&i| v[i].clone()))
        .collect()
}

/// The error for test targets that do not match the folds (a guard: the folds are checked
/// against `X` before the targets are gathered).
fn plan_mismatch() -> Error {
    Error::InvalidValue {
        what: "splitter's folds".into(),
        row: None,
        reason: "the folds do not match the rows of y".into(),
    }
}

/// A fold's test rows: their indices, and the targets and weights at them.
#[derive(Clone, Copy)]
pub(crate) struct TestRows<'a, T> {
    pub idx: &'a [usize],
    pub y: &'a [T],
    pub w: Option<&'a [f64]>,
}

/// Runs `f` on every job with a [`Scratch`] per worker, in parallel or not; results keep the
/// order of `jobs`.
pub(crate) fn map_jobs<J, R, F>(jobs: &[J], parallel: bool, f: F) -> Vec<R>
where
    J: Sync,
    R: Send,
    F: Fn(&mut Scratch, &J) -> R + Sync + Send,
{
    if parallel {
        jobs.par_iter().map_init(Scratch::default, &f).collect()
    } else {
        let mut scratch = Scratch::default();
        jobs.iter().map(|j| f(&mut scratch, j)).collect()
    }
}

/// Runs `f` on fold `k` of `plan`, written into the scratch's fold buffer (the buffer is
/// lent to `f` beside the rest of the scratch). `None` when `k` is out of range.
pub(crate) fn with_fold<R>(
    scratch: &mut Scratch,
    plan: &FoldPlan,
    k: usize,
    f: impl FnOnce(&mut Scratch, &Fold) -> R,
) -> Option<R> {
    let mut buf = std::mem::take(&mut scratch.fold);
    let out = plan.fold(k, &mut buf).map(|fold| f(scratch, fold));
    scratch.fold = buf;
    out
}

/// The error for a fold number the plan does not have (the routines only ask for
/// `0..n_folds`, so this is a guard, not an expected outcome).
pub(crate) fn missing_fold(k: usize) -> Error {
    Error::InvalidValue {
        what: "fold number".into(),
        row: Some(k),
        reason: format!("the splitter's plan has no fold {k}"),
    }
}

/// Copies the rows `idx` of `x` into `buf` (cleared first), one block copy per run of
/// consecutive indices when `x` is in standard layout: the training set of an unshuffled
/// `KFold` fold is two runs, so it costs two `memcpy`s.
fn gather_rows(x: ArrayView2<'_, f64>, idx: &[usize], buf: &mut Vec<f64>) {
    buf.clear();
    let width = x.ncols();
    buf.reserve(idx.len() * width);
    match x.as_slice() {
        Some(src) => for_each_run(idx, |a, b| {
            buf.extend_from_slice(&src[a * width..b * width])
        }),
        None => idx
            .iter()
            .for_each(|&i| buf.extend(x.row(i).iter().copied())),
    }
}

/// The rows `idx` of `x`: a view of `x` when they are consecutive (the unshuffled folds of
/// `KFold` and `TimeSeriesSplit`), else a view of `buf` holding a gathered copy.
///
/// Indices must be below `x.nrows()` (checked by [`check_fold`]).
pub(crate) fn rows_in<'s>(
    x: ArrayView2<'s, f64>,
    idx: &[usize],
    buf: &'s mut Vec<f64>,
) -> ArrayView2<'s, f64> {
    if let Some(r) = consecutive(idx) {
        return x.slice_move(ndarray::s![r, ..]);
    }
    gather_rows(x, idx, buf);
    let shape = (idx.len(), x.ncols());
    // The buffer holds exactly rows × cols values in row-major order, so this cannot fail;
    // the fallback keeps the function total.
    match ArrayView2::from_shape(shape, &buf[..]) {
        Ok(v) => v,
        Err(_) => x.slice_move(ndarray::s![0..0, ..]),
    }
}

/// The elements `idx` of `v`, borrowed when consecutive.
pub(crate) fn take<'a, T: Clone>(v: ArrayView1<'a, T>, idx: &[usize]) -> CowArray<'a, T, Ix1> {
    if let Some(r) = consecutive(idx) {
        return CowArray::from(v.slice_move(ndarray::s![r]));
    }
    // One element per index: for a single column, copying runs (as `gather_rows` does for
    // whole rows) costs more per run than it saves.
    let gathered = match v.as_slice() {
        Some(src) => idx.iter().map(|&i| src[i].clone()).collect(),
        None => v.select(Axis(0), idx),
    };
    CowArray::from(gathered)
}

/// Checks that every index of a fold is below `n_samples` and that train and test are
/// non-empty, so a faulty custom splitter is an error rather than a panic.
pub(crate) fn check_fold(
    n_samples: usize,
    fold: usize,
    train: &[usize],
    test: &[usize],
) -> Result<()> {
    for (what, idx) in [("train", train), ("test", test)] {
        if idx.is_empty() {
            return Err(Error::EmptyInput {
                what: format!("{what} set of fold {fold}"),
                reason: "the splitter returned no indices".into(),
            });
        }
        // The largest index first (a loop the compiler vectorizes), the offending one only
        // when there is one.
        let largest = idx.iter().fold(0, |m, &i| m.max(i));
        if largest < n_samples {
            continue;
        }
        if let Some(&bad) = idx.iter().find(|&&i| i >= n_samples) {
            return Err(Error::InvalidValue {
                what: format!("{what} indices of fold {fold}"),
                row: Some(bad),
                reason: format!("index {bad} is out of range for {n_samples} samples"),
            });
        }
    }
    Ok(())
}

/// Checks every fold of `plan` as [`check_fold`] does. A k-fold splitter's partition holds
/// indices below its own sample count by construction, so only that count and the fold sizes
/// are checked; listed folds are checked index by index.
pub(crate) fn check_plan(n_samples: usize, plan: &FoldPlan) -> Result<()> {
    // Found by probing: a custom splitter with no folds gave Ok with a NaN mean.
    check_some_folds(plan.n_folds())?;
    match plan.n_samples() {
        Some(n) if n != n_samples => Err(Error::ShapeMismatch {
            what: "samples of the splitter's folds against rows of X".into(),
            expected: n_samples,
            got: n,
        }),
        Some(_) => {
            for k in 0..plan.n_folds() {
                let (train, test) = plan.fold_sizes(k).unwrap_or_default();
                for (what, len) in [("train", train), ("test", test)] {
                    if len == 0 {
                        return Err(Error::EmptyInput {
                            what: format!("{what} set of fold {k}"),
                            reason: "the splitter returned no indices".into(),
                        });
                    }
                }
            }
            Ok(())
        }
        None => {
            let mut none = Fold::default();
            for k in 0..plan.n_folds() {
                if let Some(fold) = plan.fold(k, &mut none) {
                    check_fold(n_samples, k, &fold.train, &fold.test)?;
                }
            }
            Ok(())
        }
    }
}

/// The rows `idx` of `x`, `y` and the weights.
struct Rows<'a, T> {
    x: ArrayView2<'a, f64>,
    y: CowArray<'a, T, Ix1>,
    w: Option<CowArray<'a, f64, Ix1>>,
}

impl<'a, T: Target> Rows<'a, T> {
    fn gather<'d: 'a>(data: &Data<'d, T>, idx: &[usize], buf: &'a mut Vec<f64>) -> Self {
        Self {
            x: rows_in(data.x.reborrow(), idx, buf),
            y: take(data.y.reborrow(), idx),
            w: data.sample_weight.map(|w| take(w.reborrow(), idx)),
        }
    }

    /// The test rows `test`, whose targets and weights are already gathered.
    fn of_test<'d: 'a>(data: &Data<'d, T>, test: TestRows<'a, T>, buf: &'a mut Vec<f64>) -> Self {
        Self {
            x: rows_in(data.x.reborrow(), test.idx, buf),
            y: CowArray::from(ArrayView1::from(test.y)),
            w: test.w.map(|w| CowArray::from(ArrayView1::from(w))),
        }
    }

    fn weights(&self) -> Option<ArrayView1<'_, f64>> {
        self.w.as_ref().map(|w| w.view())
    }
}

/// The indices of a fold's rows with `y` and the weights at those rows, for scorers that read
/// the rows of `X` in place ([`Scorer::reads_rows_in_place`]).
struct InPlace<'a, T> {
    idx: &'a [usize],
    y: CowArray<'a, T, Ix1>,
    w: Option<CowArray<'a, f64, Ix1>>,
}

impl<'a, T: Target> InPlace<'a, T> {
    fn take<'d: 'a>(data: &Data<'d, T>, idx: &'a [usize]) -> Self {
        Self {
            idx,
            y: take(data.y.reborrow(), idx),
            w: data.sample_weight.map(|w| take(w.reborrow(), idx)),
        }
    }

    /// The test rows `test`, whose targets and weights are already gathered.
    fn of_test(test: TestRows<'a, T>) -> Self {
        Self {
            idx: test.idx,
            y: CowArray::from(ArrayView1::from(test.y)),
            w: test.w.map(|w| CowArray::from(ArrayView1::from(w))),
        }
    }

    /// Scores `model` on these rows of `x` with every scorer, in order.
    fn score_all<M>(
        &self,
        scorers: &[Scorer<M, T>],
        model: &M,
        x: ArrayView2<'_, f64>,
    ) -> Result<Vec<f64>> {
        let w = self.w.as_ref().map(|w| w.view());
        scorers
            .iter()
            .map(|s| s.score_rows(model, x, self.idx, self.y.view(), w))
            .collect()
    }
}

/// Scores `model` on `rows` with every scorer, in order.
fn score_all<M, T: Target>(
    scorers: &[Scorer<M, T>],
    model: &M,
    rows: &Rows<'_, T>,
) -> Result<Vec<f64>> {
    scorers
        .iter()
        .map(|s| s.score(model, rows.x.view(), rows.y.view(), rows.weights()))
        .collect()
}

/// Fits `params` on the rows `train` and scores on `test` (and on `train` when
/// `train_score`); keeps the model when `keep_model`.
///
/// As scikit-learn's `fit_time` and `score_time`, the times cover the fit and the scoring
/// alone, not the gathering of the rows (which is the routine's overhead). An estimator that
/// reads rows in place ([`Fit::FITS_ROWS_IN_PLACE`]) gets the fold's indices through
/// [`Fit::fit_rows`] and no copy is made (the training rows are gathered only when they are
/// scored too).
#[expect(clippy::too_many_arguments, reason = "internal: one fold's whole job")]
pub(crate) fn run_fold<P>(
    scratch: &mut Scratch,
    params: &P,
    data: &Data<'_, P::Target>,
    train: &[usize],
    test: TestRows<'_, P::Target>,
    scorers: &[Scorer<P::Fitted, P::Target>],
    train_score: bool,
    keep_model: bool,
) -> Result<FoldOutcome<P::Fitted>>
where
    P: Fit,
    P::Target: Target,
{
    let Scratch {
        train: train_buf,
        test: test_buf,
        ..
    } = scratch;
    let score_in_place = scorers.iter().all(Scorer::reads_rows_in_place);
    let (model, fit_time, train_rows) = if P::FITS_ROWS_IN_PLACE {
        let start = Instant::now();
        let model = params.fit_rows(data.x, data.y, data.sample_weight, train)?;
        let fit_time = start.elapsed();
        let rows = (train_score && !score_in_place).then(|| Rows::gather(data, train, train_buf));
        (model, fit_time, rows)
    } else {
        let rows = Rows::gather(data, train, train_buf);
        let start = Instant::now();
        let model = params.fit_weighted(rows.x.view(), rows.y.view(), rows.weights())?;
        (model, start.elapsed(), Some(rows))
    };
    let (test_scores, train_scores, score_time) = if score_in_place {
        let test_rows = InPlace::of_test(test);
        let train_rows = train_score.then(|| InPlace::take(data, train));
        let start = Instant::now();
        let test_scores = test_rows.score_all(scorers, &model, data.x)?;
        let train_scores = match &train_rows {
            Some(rows) => Some(rows.score_all(scorers, &model, data.x)?),
            None => None,
        };
        (test_scores, train_scores, start.elapsed())
    } else {
        let test_rows = Rows::of_test(data, test, test_buf);
        let start = Instant::now();
        let test_scores = score_all(scorers, &model, &test_rows)?;
        let train_scores = match &train_rows {
            Some(rows) if train_score => Some(score_all(scorers, &model, rows)?),
            _ => None,
        };
        (test_scores, train_scores, start.elapsed())
    };
    check_scores(scorers, &test_scores, "test")?;
    if let Some(train) = &train_scores {
        check_scores(scorers, train, "training")?;
    }
    Ok(FoldOutcome {
        test: test_scores,
        train: train_scores,
        fit_time,
        score_time,
        n_train: train.len(),
        n_test: test.idx.len(),
        model: keep_model.then_some(model),
    })
}

/// A NaN score is an error naming the scorer: a mean over folds would only carry it on
/// silently (found by probing: a NaN scorer gave `Ok` with NaN means, and rank 1 in a search;
/// R² on a one-row training set does the same). scikit-learn records NaN with a warning.
fn check_scores<M, T>(scorers: &[Scorer<M, T>], scores: &[f64], set: &str) -> Result<()> {
    match scorers.iter().zip(scores).find(|(_, s)| s.is_nan()) {
        Some((scorer, _)) => Err(Error::InvalidValue {
            what: format!("scorer `{}`", scorer.name()),
            row: None,
            reason: format!(
                "it returned NaN on a {set} set (an undefined score, e.g. R² of fewer than two \
                 rows or a metric of one class)"
            ),
        }),
        None => Ok(()),
    }
}

/// Checks that a splitter gave at least one fold.
pub(crate) fn check_some_folds(n_folds: usize) -> Result<()> {
    if n_folds == 0 {
        return Err(Error::EmptyInput {
            what: "folds".into(),
            reason: "the splitter returned no folds".into(),
        });
    }
    Ok(())
}

/// Checks that scorers are given and that their names are distinct (they label results).
pub(crate) fn check_scorers<M, T>(scorers: &[Scorer<M, T>]) -> Result<()> {
    if scorers.is_empty() {
        return Err(Error::EmptyInput {
            what: "scorers".into(),
            reason: "no scorer given; at least one is needed".into(),
        });
    }
    for (i, s) in scorers.iter().enumerate() {
        if scorers[..i].iter().any(|t| t.name() == s.name()) {
            return Err(Error::InvalidValue {
                what: "scorers".into(),
                row: Some(i),
                reason: format!(
                    "two scorers are named `{}`; names must be distinct",
                    s.name()
                ),
            });
        }
    }
    Ok(())
}

/// The arithmetic mean, as NumPy's `mean` for short inputs (NaN when empty).
pub(crate) fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// The population standard deviation (`ddof = 0`), NumPy's default `std`, which
/// scikit-learn's `std_test_score` uses.
pub(crate) fn std(v: &[f64]) -> f64 {
    let m = mean(v);
    (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / v.len() as f64).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn consecutive_rows_are_borrowed_and_others_gathered() {
        let mut buf = Vec::new();
        let x = array![[0.0], [1.0], [2.0], [3.0]];
        let r = rows_in(x.view(), &[1, 2], &mut buf);
        assert_eq!(r.column(0).to_vec(), vec![1.0, 2.0]);
        assert!(buf.is_empty(), "consecutive rows are not copied");
        let r = rows_in(x.view(), &[0, 2, 3], &mut buf);
        assert_eq!(r.column(0).to_vec(), vec![0.0, 2.0, 3.0]);
        // Unordered, repeated and non-standard-layout sources gather the same rows.
        let x = ndarray::Array2::from_shape_fn((6, 3), |(i, j)| (10 * i + j) as f64);
        let idx = [4, 0, 1, 1, 5, 2];
        let want = x.select(Axis(0), &idx);
        assert_eq!(rows_in(x.view(), &idx, &mut buf), want);
        let xt = x.t().to_owned();
        assert_eq!(rows_in(xt.t(), &idx, &mut buf), want);
        let col = x.column(1);
        assert_eq!(
            take(col, &idx).to_vec(),
            vec![41.0, 1.0, 11.0, 11.0, 51.0, 21.0]
        );
        assert!(take(col, &[2, 3]).is_view());
    }

    #[test]
    fn std_is_population_std() {
        assert!((std(&[1.0, 2.0, 3.0, 4.0]) - 1.25f64.sqrt()).abs() < 1e-15);
    }
}
