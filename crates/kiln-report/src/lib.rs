//! # kiln-report: one self-contained HTML page per model
//!
//! A [`Report`] collects sections as they apply and renders them to a single HTML file:
//! charts are inline SVG drawn with [plotters](https://docs.rs/plotters)' SVG backend,
//! styles are inline CSS, and the page has no script, loads no font and makes no network
//! request, so it opens the same from a laptop, a CI artefact or a mail attachment.
//!
//! | section | shows | added by |
//! |---|---|---|
//! | data profile | types, missing values, a sparkline per column | [`Report::add_data_profile`] |
//! | model comparison | cross-validation mean ± std per model | [`Report::add_model_comparison`] |
//! | held-out evaluation | metrics; ROC, precision-recall, calibration curves, confusion matrix (classification); predicted vs actual and residuals (regression) | [`Report::add_classification`], [`Report::add_regression`] |
//! | feature importances | the top 20 as bars | [`Report::add_feature_importances`] |
//! | fairness by group | selection rate, TPR, FPR per group with the bars they are judged against; every verdict | [`Report::add_fairness`] |
//! | drift per column | reference and current distributions overlaid, statistic and verdict | [`Report::add_drift`] |
//! | performance over chunks | a metric per chunk with alert bounds | [`Report::add_performance`] |
//!
//! [`model_report`] adds every section that applies to a saved [`kiln::model::Model`]; the
//! `kiln report` command and the `--html` option of `kiln evaluate`, `audit` and `drift` use
//! this crate.
//!
//! Every chart has a caption saying what to look at; the page reads on a laptop screen and
//! prints black on white without breaking a chart across pages.
//!
//! # Example
//!
//! ```
//! use kiln::datasets::Dataset;
//! use kiln::model::{Estimator, Model, TrainOptions};
//! use kiln::prep::CsvOptions;
//! use kiln::problem::{Problem, Task};
//! use kiln_report::{ModelReportOptions, model_report};
//!
//! let (data, _) = CsvOptions::default().read_str(Dataset::GermanCredit.csv())?;
//! let problem = Problem::classification("credit")
//!     .with_positive_class("good")
//!     .with_sensitive(["sex"]);
//! let estimator = Estimator::from_name(Task::Classification, "logistic")?;
//! let model = Model::train(&problem, estimator, &data, None, &TrainOptions::default())?;
//! let page = model_report(&model, &data, &ModelReportOptions::default())?.render();
//! assert!(page.contains("ROC curve"));
//! assert!(!page.contains("https://"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod chart;
pub mod html;
mod model;
mod report;
pub mod section;
pub mod style;

pub use model::{ModelReportOptions, cross_validated, model_report};
pub use report::{BinaryScores, CvScores, Report};
