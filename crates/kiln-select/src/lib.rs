//! Model selection for kiln: cross-validation, parameter search, learning and validation
//! curves, permutation importance, paired model comparison and per-slice consistency.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod scorer;
pub mod compare;
pub mod curves;
pub mod cv;
pub mod importance;
pub mod search;
pub mod slices;
