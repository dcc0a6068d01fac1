//! Frame mode: the checks that apply to a transformer fitted on a table of named, typed
//! columns (kiln-prep's encoders and column transformer) rather than on an `f64` matrix.
//!
//! kiln-check depends only on kiln-core (kiln-prep's own tests depend on kiln-check), so it
//! cannot name kiln-prep's `Frame` or `FrameTransform`. A crate with a table type tells the
//! suite how to use it through a [`FrameAdapter`]; [`FrameChecker`] then fits through a
//! closure, which also lets each encoder be fitted the way it is (columns, a target).

use kiln_core::persist::Persist;
use kiln_core::{Error, Result};
use ndarray::Array2;

use crate::engine::run_with;
use crate::frame_checks as checks;
use crate::report::{Check, Report};

/// How the suite reads one table type, and transforms it with a fitted model of type `M`.
///
/// Implement it once per table type on a unit struct of your tests (kiln-prep's tests do so
/// for `Frame` and every `FrameTransform`). The table operations build the altered frames the
/// checks need; they may fail with any error, which fails the check that asked.
pub trait FrameAdapter<M> {
    /// The table type, e.g. `kiln_prep::Frame`.
    type Frame: Clone + Send + Sync;

    /// The number of rows.
    fn n_rows(&self, frame: &Self::Frame) -> usize;

    /// The rows at `rows`, in that order (the empty list gives a frame with no rows).
    ///
    /// # Errors
    /// When a row is out of range.
    fn take_rows(&self, frame: &Self::Frame, rows: &[usize]) -> Result<Self::Frame>;

    /// The frame without column `name`.
    ///
    /// # Errors
    /// When there is no such column.
    fn drop_column(&self, frame: &Self::Frame, name: &str) -> Result<Self::Frame>;

    /// The frame with column `name` replaced, under the same name, by a column of another
    /// type and the same length: a numeric column for a categorical one, a categorical column
    /// for a numeric one.
    ///
    /// # Errors
    /// When there is no such column.
    fn retype_column(&self, frame: &Self::Frame, name: &str) -> Result<Self::Frame>;

    /// The frame with the value of column `name` at `row` replaced by a category that occurs
    /// nowhere in the frame; `Ok(None)` when the column is not categorical.
    ///
    /// # Errors
    /// When there is no such column or row.
    fn with_unseen_category(
        &self,
        frame: &Self::Frame,
        name: &str,
        row: usize,
    ) -> Result<Option<Self::Frame>>;

    /// The columns `model` reads, in the order it was fitted on.
    fn input_columns(&self, model: &M) -> Vec<String>;

    /// Transforms every row of `frame` into one row of numbers.
    ///
    /// # Errors
    /// The model's own errors.
    fn transform(&self, model: &M, frame: &Self::Frame) -> Result<Array2<f64>>;

    /// The names of the output columns, in order.
    fn feature_names_out(&self, model: &M) -> Vec<String>;
}

/// What a frame transformer must do with a category not seen at fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Unseen {
    /// Fail with an error whose message names the column (as `` `name` ``). The default, as
    /// scikit-learn's encoders with `handle_unknown="error"`.
    #[default]
    Error,
    /// Encode it without error (e.g. all zeros, a reserved code, the target mean): the
    /// transform succeeds, every other row is unchanged, and in that row only output columns
    /// whose names contain the input column's name may change.
    Accept,
}

/// One frame-mode check.
type CheckFn<C> = fn(&C) -> checks::Verdict;

/// A fit: from a frame to a fitted model.
type FitFn<'a, F, M> = Box<dyn Fn(&F) -> Result<M> + Sync + 'a>;

/// Configures and runs the frame-mode checks on one transformer.
///
/// The transformer is given as a fit closure (`|frame| Encoder::default().fit(frame,
/// &columns)`) and a training frame; the fitted model must be [`Persist`] and `Send + Sync`.
/// The checks are [`Check::InvalidParams`] (on declared failing fits), [`Check::EmptyData`],
/// [`Check::OneSample`], [`Check::Determinism`], [`Check::RefitIdempotent`],
/// [`Check::ThreadInvariance`], [`Check::BatchEqualsRows`] (subsets and single rows),
/// [`Check::SaveLoad`], [`Check::FeatureNamesOut`], [`Check::MissingColumn`],
/// [`Check::WrongColumnType`] and [`Check::UnseenCategory`]; see each for what passes.
///
/// See the crate docs for an example.
pub struct FrameChecker<'a, A: FrameAdapter<M>, M> {
    pub(crate) adapter: A,
    pub(crate) frame: A::Frame,
    pub(crate) fit: FitFn<'a, A::Frame, M>,
    pub(crate) invalid: Vec<(String, FitFn<'a, A::Frame, M>)>,
    pub(crate) skips: Vec<(Check, String)>,
    pub(crate) unseen: Unseen,
    pub(crate) tol: f64,
}

impl<'a, A, M> FrameChecker<'a, A, M>
where
    A: FrameAdapter<M> + Sync,
    M: Persist + Send + Sync,
{
    /// Checks the transformer that `fit` fits, on `frame` (a real data set with categorical
    /// and, where the transformer takes them, numeric columns; at least 2 rows).
    pub fn new(
        adapter: A,
        frame: A::Frame,
        fit: impl Fn(&A::Frame) -> Result<M> + Sync + 'a,
    ) -> Self {
        Self {
            adapter,
            frame,
            fit: Box::new(fit),
            invalid: Vec::new(),
            skips: Vec::new(),
            unseen: Unseen::Error,
            tol: 1e-9,
        }
    }

    /// Declares a fit with an invalid parameter: it must fail with `InvalidParameter` naming
    /// `name`. Declare one per constrained parameter.
    pub fn invalid_param(
        mut self,
        name: &str,
        fit: impl Fn(&A::Frame) -> Result<M> + Sync + 'a,
    ) -> Self {
        self.invalid.push((name.to_owned(), Box::new(fit)));
        self
    }

    /// What an unseen category must give. By default, [`Unseen::Error`].
    pub fn unseen(mut self, unseen: Unseen) -> Self {
        self.unseen = unseen;
        self
    }

    /// Skips `check`, for the reason given (required: an empty reason fails the check).
    pub fn skip(mut self, check: Check, reason: &str) -> Self {
        self.skips.push((check, reason.to_owned()));
        self
    }

    /// Relative tolerance of [`Check::BatchEqualsRows`]. By default, `1e-9`.
    pub fn tolerance(mut self, tol: f64) -> Self {
        self.tol = tol;
        self
    }

    /// Runs the frame-mode checks.
    pub fn check(&self) -> Report {
        let skips = self.skips.as_slice();
        let cases: [(Check, CheckFn<Self>); 12] = [
            (Check::InvalidParams, checks::invalid_params),
            (Check::EmptyData, checks::empty_data),
            (Check::OneSample, checks::one_sample),
            (Check::Determinism, checks::determinism),
            (Check::RefitIdempotent, checks::refit),
            (Check::ThreadInvariance, checks::threads),
            (Check::BatchEqualsRows, checks::batch_rows),
            (Check::SaveLoad, checks::save_load),
            (Check::FeatureNamesOut, checks::feature_names),
            (Check::MissingColumn, checks::missing_column),
            (Check::WrongColumnType, checks::wrong_type),
            (Check::UnseenCategory, checks::unseen_category),
        ];
        let results = cases
            .into_iter()
            .map(|(check, f)| run_with(skips, check, || f(self)))
            .collect();
        Report {
            estimator: M::KIND.to_owned(),
            results,
        }
    }

    /// Fits on `frame`, the error as a message.
    pub(crate) fn fit_on(&self, frame: &A::Frame) -> std::result::Result<M, String> {
        (self.fit)(frame).map_err(|e| format!("fit failed: {e}"))
    }

    /// Transforms `frame`, checking that there is one output row per input row.
    pub(crate) fn transform(
        &self,
        m: &M,
        frame: &A::Frame,
    ) -> std::result::Result<Array2<f64>, String> {
        let out = self
            .adapter
            .transform(m, frame)
            .map_err(|e| format!("transform failed: {e}"))?;
        let n = self.adapter.n_rows(frame);
        if out.nrows() != n {
            return Err(format!(
                "transform returned {} rows for {n} input rows",
                out.nrows()
            ));
        }
        Ok(out)
    }

    /// An altered frame from the adapter, its error as a message.
    pub(crate) fn altered(
        what: &str,
        r: Result<A::Frame>,
    ) -> std::result::Result<A::Frame, String> {
        r.map_err(|e: Error| format!("the adapter could not build {what}: {e}"))
    }
}
