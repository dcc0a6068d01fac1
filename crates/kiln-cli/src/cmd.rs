//! One module per command.

pub mod audit;
pub mod compare;
pub mod describe;
pub mod drift;
pub mod evaluate;
pub mod predict;
pub mod report;
pub mod serve;
pub mod train;
