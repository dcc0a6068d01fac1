//! Model selection for kiln: is this model good on data it never saw, would another setting
//! or another model do better, and how sure are we?
//!
//! | module | what | scikit-learn |
//! |---|---|---|
//! | [`scorer`] | a named metric of a fitted model, with its direction; built-ins over kiln-metrics | `make_scorer`, `get_scorer` |
//! | [`cv`] | [`cross_validate`](cv::cross_validate), `cross_val_score`, `cross_val_predict` | same names |
//! | [`search`] | grid and random search with refit and a ranked results table | `GridSearchCV`, `RandomizedSearchCV` |
//! | [`curves`] | learning and validation curves, read in plain words (under- or overfitting) | `learning_curve`, `validation_curve` |
//! | [`importance`] | permutation importance, seeded, any scorer | `permutation_importance` |
//! | [`compare`] | paired comparison of two models on the same folds (corrected resampled t-test) | (none) |
//! | [`slices`] | a metric per slice of a column, the worst slice and its gap to overall | (none) |
//!
//! Every routine takes any kiln estimator (a [`kiln_core::Fit`] params type) and any
//! splitter of `kiln_prep::split`, validates the params before fitting anything, runs folds
//! and candidates in parallel, and gives identical results on any number of threads.
//!
//! # Example
//!
//! Cross-validate a logistic regression on the breast-cancer data with two scorers, then ask
//! whether a shallow tree does as well on the same folds:
//!
//! ```
//! use kiln_core::Fit;
//! use kiln_datasets::Dataset;
//! use kiln_linear::LogisticRegression;
//! use kiln_prep::split::StratifiedKFold;
//! use kiln_select::compare::{CompareModelsOptions, compare_models};
//! use kiln_select::cv::{CvOptions, cross_validate};
//! use kiln_select::scorer;
//! use kiln_tree::DecisionTreeClassifier;
//!
//! let cancer = Dataset::BreastCancer.load_numeric()?;
//! let y = cancer.target.class_indices().ok_or("a classification set")?;
//! // Standardize so the logistic regression converges quickly.
//! let mean = cancer.x.mean_axis(ndarray::Axis(0)).ok_or("rows")?;
//! let std = cancer.x.std_axis(ndarray::Axis(0), 0.0);
//! let x = (&cancer.x - &mean) / &std;
//! let cv = StratifiedKFold::default().with_n_splits(5);
//!
//! let logistic = LogisticRegression::default();
//! let res = cross_validate(&logistic, x.view(), y.view(), &cv,
//!     &[scorer::accuracy(), scorer::roc_auc()], &CvOptions::default())?;
//! assert!(res.mean("accuracy").ok_or("scored")? > 0.95);
//! assert!(res.mean("roc_auc").ok_or("scored")? > 0.99);
//!
//! let tree = DecisionTreeClassifier::default().with_max_depth(Some(2));
//! let verdict = compare_models(
//!     (&logistic, &scorer::accuracy()),
//!     (&tree, &scorer::accuracy()),
//!     x.view(), y.view(), &cv, &CompareModelsOptions::default(),
//! )?;
//! assert!(verdict.mean_difference() > 0.0); // the logistic regression is more accurate
//! println!("{}", verdict.verdict());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod compare;
pub mod curves;
pub mod cv;
pub mod importance;
pub mod scorer;
pub mod search;
pub mod slices;
