//! Monitoring for kiln: reference profiles, drift tests, performance over time and when to
//! retrain.

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
