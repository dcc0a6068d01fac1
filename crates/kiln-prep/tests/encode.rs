//! The encoders of `kiln_prep::encode`, checked against scikit-learn 1.9.1 fixtures (generated
//! by `tests/reference/encode_reference.py` into `tests/fixtures/encode_*.json`) on the
//! bundled german_credit, penguins and credit_scoring data, by the out-of-fold property of
//! the target encoder's cross-fitting, and on bad input.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a malformed fixture or a wrong result should fail loudly"
)]

#[path = "encode/support.rs"]
mod support;

#[path = "encode/reference.rs"]
mod reference;

#[path = "encode/behaviour.rs"]
mod behaviour;

#[path = "encode/bad_input.rs"]
mod bad_input;

#[path = "encode/check_suite.rs"]
mod check_suite;
