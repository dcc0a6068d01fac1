//! Monitoring for kiln: has the data a deployed model sees moved away from what it was trained
//! on, how is it performing, and is it time to retrain?
//!
//! | module | what | peer |
//! |---|---|---|
//! | [`profile`] | a compact, persistable reference profile of the training data | Evidently's reference dataset |
//! | [`drift`] | a test per column chosen by documented rules, corrections, dataset verdict, schema drift; text and JSON | Evidently `DataDriftPreset` |
//! | [`stats`] | Kolmogorov–Smirnov, Anderson–Darling, Wasserstein, energy distance, proportions z-test | SciPy |
//! | [`distance`] | binning presets, PSI, Jensen–Shannon, Hellinger, KL, χ² | SciPy, Evidently, NannyML |
//! | [`performance`] | chunks, metrics per chunk with alerts, CBPE without labels, the domain classifier | NannyML |
//! | [`policy`] | rules that decide when to retrain, with their reasons | |
//!
//! # Example
//!
//! Profile the training data once, then check a batch whose `income` has shifted:
//!
//! ```
//! use kiln_monitor::drift::{DriftOptions, DriftReport};
//! use kiln_monitor::profile::{ProfileOptions, ReferenceProfile};
//! use kiln_prep::{Column, Frame};
//!
//! let income: Vec<f64> = (0..2000).map(|i| 30_000.0 + 17.0 * ((i * 7919) % 2000) as f64).collect();
//! let age: Vec<f64> = (0..2000).map(|i| 20.0 + ((i * 31) % 50) as f64).collect();
//! let training = Frame::new(vec![
//!     ("income".into(), Column::Float(income.clone())),
//!     ("age".into(), Column::Float(age.clone())),
//! ])?;
//! let profile = ReferenceProfile::build(&training, &ProfileOptions::default())?;
//!
//! let batch = Frame::new(vec![
//!     ("income".into(), Column::Float(income.iter().map(|v| v * 0.8).collect())),
//!     ("age".into(), Column::Float(age)),
//! ])?;
//! let report = DriftReport::new(&profile, &batch, &DriftOptions::default())?;
//! assert!(report.column("income").ok_or("tested")?.counts_as_drifted());
//! assert!(!report.column("age").ok_or("tested")?.counts_as_drifted());
//! assert_eq!(report.share_drifted(), 0.5);
//! println!("{report}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod distance;
pub mod drift;
pub mod performance;
pub mod policy;
pub mod profile;
pub mod stats;
