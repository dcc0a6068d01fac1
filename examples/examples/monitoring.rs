//! Monitor and retrain: a credit model meets weekly batches whose applicants slowly change
//! (incomes fall, late payments rise). Each batch is checked against a saved reference profile
//! for data drift, scored once its labels arrive, and a retraining policy decides, with its
//! reasons, when to fit a new model and a new profile.
//!
//! Run with `cargo run --release --example monitoring`.

use kiln::datasets::synthetic::{CreditData, MakeCredit};
use kiln::linear::LogisticRegression;
use kiln::metrics::classification::accuracy;
use kiln::monitor::drift::{DriftOptions, DriftReport};
use kiln::monitor::policy::{Observations, Policy};
use kiln::monitor::profile::{ProfileOptions, ReferenceProfile};
use kiln::persist;
use kiln::prelude::*;
use kiln::prep::{Column, Frame};
use ndarray::Axis;

/// Week `week`'s applicants: from week 3 on, incomes drift down and late payments up.
fn batch(week: u64) -> Result<CreditData> {
    let mut d = MakeCredit::default()
        .with_n_samples(5_000)
        .with_seed(100 + week)
        .generate()?;
    let shift = week.saturating_sub(2) as f64;
    d.x.column_mut(0)
        .mapv_inplace(|income| income * (1.0 - 0.06 * shift));
    d.x.column_mut(4).mapv_inplace(|late| late + 0.3 * shift);
    Ok(d)
}

/// The features as a frame with their names, for profiles and drift reports.
fn frame(d: &CreditData) -> Result<Frame> {
    Frame::new(
        d.x.axis_iter(Axis(1))
            .zip(&d.feature_names)
            .map(|(c, name)| (name.clone(), Column::Float(c.to_vec())))
            .collect(),
    )
}

fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("kiln-monitor-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let profile_path = dir.join("reference.kiln");

    // Train on week 0 and save its reference profile next to the model.
    let train = batch(0)?;
    let mut model = LogisticRegression::default().fit(train.x.view(), train.y.view())?;
    persist::save(
        &ReferenceProfile::build(&frame(&train)?, &ProfileOptions::default())?,
        &profile_path,
    )?;
    let mut reference_accuracy =
        accuracy(train.y.view(), model.predict(train.x.view())?.view(), None)?;
    println!("week 0: trained, accuracy {reference_accuracy:.3}, profile saved");

    let policy = Policy::default();
    let mut alerts = Vec::new();
    let (mut rows_since_training, mut trained_week) = (0u64, 0u64);
    for week in 1..=10 {
        let data = batch(week)?;
        // Each batch is compared with the saved profile, never with the training data.
        let profile: ReferenceProfile = persist::load(&profile_path)?;
        let drift = DriftReport::new(&profile, &frame(&data)?, &DriftOptions::default())?;
        let acc = accuracy(data.y.view(), model.predict(data.x.view())?.view(), None)?;
        rows_since_training += data.y.len() as u64;
        alerts.push(acc < reference_accuracy - 0.03);
        let drifted: Vec<&str> = drift
            .columns()
            .iter()
            .filter(|c| c.counts_as_drifted())
            .map(|c| c.column.as_str())
            .collect();
        println!(
            "week {week}: accuracy {acc:.3}, drifted columns {drifted:?} (share {:.2})",
            drift.share_drifted()
        );
        let decision = policy.decide(&Observations {
            drift_share: Some(drift.share_drifted()),
            latest_metric: Some(acc),
            reference_metric: Some(reference_accuracy),
            alert_history: alerts.clone(),
            rows_since_training: Some(rows_since_training),
            days_since_training: Some(7.0 * (week - trained_week) as f64),
        })?;
        if decision.retrain {
            println!("  retrain:\n{decision}");
            // Refit on the newest batch, with a new profile; reset the counters.
            model = LogisticRegression::default().fit(data.x.view(), data.y.view())?;
            reference_accuracy =
                accuracy(data.y.view(), model.predict(data.x.view())?.view(), None)?;
            persist::save(
                &ReferenceProfile::build(&frame(&data)?, &ProfileOptions::default())?,
                &profile_path,
            )?;
            alerts.clear();
            rows_since_training = 0;
            trained_week = week;
        }
    }
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
