//! [`Report`]: the page builder.

use std::path::Path;

use kiln::Result;
use kiln::fairness::report::FairnessReport;
use kiln::model::Evaluation;
use kiln::monitor::drift::DriftReport;
use kiln::monitor::performance::PerformanceReport;
use kiln::monitor::profile::ReferenceProfile;
use kiln::prep::Frame;
use kiln::problem::{Assessment, Problem};
use ndarray::ArrayView1;

use crate::html::{self, Section, Tone};
use crate::section::{compare, drift, evaluation, fairness, importance, performance, profile};

pub use crate::section::compare::CvScores;
pub use crate::section::evaluation::BinaryScores;

/// A self-contained HTML report: sections are added as they apply, then
/// [`render`](Report::render)ed to one string or [`write`](Report::write)n to a file.
///
/// The page has the title, the problem in plain words, the verdict (the problem's
/// assessment and each section's finding), a table of contents, and one section per call,
/// in the order of the calls. Charts are inline SVG, styles inline CSS; the page has no
/// script and makes no network request. All user text (column names, categories, titles)
/// is escaped.
///
/// # Parameters
/// - `title`: the page's title (no default).
///
/// # Errors
/// Each `add_*` method returns the errors of the computation behind its charts (e.g. a ROC
/// curve of a single class) and names the chart that could not be drawn.
///
/// # Example
///
/// ```
/// use kiln::prep::CsvOptions;
/// use kiln_report::{CvScores, Report};
///
/// let (frame, _) = CsvOptions::default().read_str("x,colour\n1,red\n2,blue\n3,red\n")?;
/// let report = Report::new("A tiny report")
///     .add_data_profile(&frame, "tiny.csv")?
///     .add_model_comparison(
///         "accuracy",
///         &[CvScores { name: "logistic".into(), scores: vec![0.8, 0.9, 0.85] }],
///         false,
///     )?;
/// let page = report.render();
/// assert!(page.starts_with("<!DOCTYPE html>"));
/// assert!(page.contains("Model comparison"));
/// # Ok::<(), kiln::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Report {
    title: String,
    meta: Vec<String>,
    problem: Option<String>,
    verdict: Option<(Tone, String)>,
    sections: Vec<Section>,
}

impl Report {
    /// An empty report titled `title`.
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            meta: Vec::new(),
            problem: None,
            verdict: None,
            sections: Vec::new(),
        }
    }

    /// Adds a line under the title (e.g. the model file and the data). By default, none.
    pub fn with_meta(mut self, line: impl Into<String>) -> Self {
        self.meta.push(line.into());
        self
    }

    /// States the problem in plain words (its `Display`). By default, no statement.
    pub fn with_problem(mut self, problem: &Problem) -> Self {
        self.problem = Some(problem.to_string());
        self
    }

    /// Puts the problem's verdict on top: met, missed, or nothing to judge. By default, the
    /// verdict box lists only the sections' findings.
    pub fn with_assessment(mut self, assessment: &Assessment) -> Self {
        let text = assessment.to_string();
        let headline = text.lines().last().unwrap_or("").trim();
        let headline = headline
            .strip_prefix("verdict: ")
            .unwrap_or(headline)
            .to_string();
        let tone = match assessment.met {
            Some(true) => Tone::Good,
            Some(false) => Tone::Bad,
            None => Tone::Neutral,
        };
        self.verdict = Some((tone, headline));
        self
    }

    /// Adds the data profile of `frame` (named `name` in the text): types, missing values
    /// and a sparkline of each column's distribution.
    ///
    /// # Errors
    /// The profile's errors.
    pub fn add_data_profile(mut self, frame: &Frame, name: &str) -> Result<Self> {
        self.sections.push(profile::section(frame, name)?);
        Ok(self)
    }

    /// Adds the comparison of models by cross-validation on `metric` (mean ± standard
    /// deviation bars); the best model is the highest mean, or the lowest when
    /// `lower_is_better`.
    ///
    /// # Errors
    /// [`kiln::Error::EmptyInput`] without models or with a model without scores.
    pub fn add_model_comparison(
        mut self,
        metric: &str,
        models: &[CvScores],
        lower_is_better: bool,
    ) -> Result<Self> {
        self.sections
            .push(compare::section(metric, models, lower_is_better)?);
        Ok(self)
    }

    /// Adds a classifier's held-out evaluation: metrics, the confusion matrix heat map and,
    /// with `scores`, the ROC, precision-recall and calibration curves.
    ///
    /// # Errors
    /// The curves' errors (a single class, scores outside [0, 1]).
    pub fn add_classification(
        mut self,
        evaluation: &Evaluation,
        scores: Option<&BinaryScores<'_>>,
        data: &str,
    ) -> Result<Self> {
        self.sections
            .push(evaluation::classification(evaluation, scores, data)?);
        Ok(self)
    }

    /// Adds a regressor's held-out evaluation: metrics (when given), predicted against
    /// actual, and residuals.
    ///
    /// # Errors
    /// [`kiln::Error::ShapeMismatch`] when `y_true` and `y_pred` differ in length.
    pub fn add_regression(
        mut self,
        evaluation: Option<&Evaluation>,
        y_true: ArrayView1<'_, f64>,
        y_pred: ArrayView1<'_, f64>,
        data: &str,
    ) -> Result<Self> {
        self.sections
            .push(evaluation::regression(evaluation, y_true, y_pred, data)?);
        Ok(self)
    }

    /// Adds the top 20 feature importances (`source` says how they were measured, e.g.
    /// "mean decrease in impurity").
    ///
    /// # Errors
    /// Mismatched lengths, no features, or a non-finite importance.
    pub fn add_feature_importances(
        mut self,
        names: &[String],
        importances: &[f64],
        source: &str,
    ) -> Result<Self> {
        self.sections
            .push(importance::section(names, importances, source)?);
        Ok(self)
    }

    /// Adds the fairness audit: selection rate, true and false positive rates by group with
    /// the bars they are judged against, and every measure's verdict.
    ///
    /// # Errors
    /// A chart that cannot be drawn.
    pub fn add_fairness(mut self, report: &FairnessReport) -> Result<Self> {
        self.sections.push(fairness::section(report)?);
        Ok(self)
    }

    /// Adds the drift of `current` against `profile`: the test table and, per column, the
    /// reference and current distributions overlaid. `names` are the two data sets' names.
    ///
    /// # Errors
    /// A chart that cannot be drawn.
    pub fn add_drift(
        mut self,
        report: &DriftReport,
        profile: &ReferenceProfile,
        current: &Frame,
        names: (&str, &str),
    ) -> Result<Self> {
        self.sections
            .push(drift::section(report, profile, current, names)?);
        Ok(self)
    }

    /// Adds a metric over chunks with its alert bounds.
    ///
    /// # Errors
    /// A chart that cannot be drawn.
    pub fn add_performance(mut self, report: &PerformanceReport) -> Result<Self> {
        self.sections.push(performance::section(report)?);
        Ok(self)
    }

    /// The section titles, in page order.
    pub fn section_titles(&self) -> Vec<&str> {
        self.sections.iter().map(|s| s.title.as_str()).collect()
    }

    /// The page as one HTML document.
    pub fn render(&self) -> String {
        html::page(
            &self.title,
            &self.meta,
            self.problem.as_deref(),
            self.verdict.clone(),
            &self.sections,
        )
    }

    /// Writes the page to `path` atomically (a temporary file renamed into place).
    ///
    /// # Errors
    /// [`kiln::Error::Io`] naming the path.
    pub fn write(&self, path: impl AsRef<Path>) -> Result<()> {
        kiln::persist::write_atomic(path.as_ref(), self.render().as_bytes())
    }
}
