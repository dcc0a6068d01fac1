//! Fairness for kiln: does a model treat groups of people differently, by how much, and what
//! can be done about it. Exact against fairlearn 0.15 and AIF360 0.6 on the same predictions.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod confusion;
pub mod frame;
pub mod groups;
pub mod measures;
pub mod mitigate;
pub mod report;
pub mod value;
