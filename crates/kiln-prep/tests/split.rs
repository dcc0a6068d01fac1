//! The splitters of `kiln_prep::split`, checked against scikit-learn 1.9.1 fixtures (generated
//! by `tests/reference/split_reference.py` into `tests/fixtures/split_*.json`) where
//! scikit-learn is deterministic, and by their properties (partition, disjointness,
//! stratification, determinism) where it shuffles.

#[cfg(test)]
#[path = "split/support.rs"]
mod support;

#[cfg(test)]
#[path = "split/reference.rs"]
mod reference;

#[cfg(test)]
#[path = "split/properties.rs"]
mod properties;

#[cfg(test)]
#[path = "split/bad_input.rs"]
mod bad_input;
