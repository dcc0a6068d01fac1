//! One module per section of the page; each turns kiln's results into a [`Section`].

pub mod compare;
pub mod drift;
pub mod evaluation;
pub mod fairness;
pub mod importance;
pub mod performance;
pub mod profile;

pub use crate::html::Section;
