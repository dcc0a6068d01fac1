//! # kiln-benches: how fast kiln is, measured beside its peers
//!
//! Two kinds of benchmark live here:
//!
//! - **criterion benches** (`cargo bench -p kiln-benches`) for quick comparisons between
//!   kiln's own versions;
//! - **the side-by-side harness**: the `kiln-bench` binary generates the shared workloads
//!   ([`workload`]) and times kiln on them under one [`protocol`]; `benches/peers/` times
//!   scikit-learn, LightGBM and XGBoost and `benches/peers-rust/` linfa, smartcore and
//!   ferrolearn on the same files; `benches/run.sh` runs everything and rewrites
//!   `docs/benchmarks.md`.
//!
//! # Example
//!
//! ```
//! use kiln_benches::workload::{Spec, write_spec, load};
//!
//! let dir = tempfile::tempdir()?;
//! let spec = Spec::by_name("tiny_clf").ok_or("unknown workload")?;
//! let entries = write_spec(spec, dir.path(), false)?;
//! let train = load(dir.path(), &entries[0], true)?;
//! assert_eq!(train.x.dim(), (1_000, 10));
//! # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
//! ```

pub mod algorithms;
pub mod ops;
pub mod protocol;
pub mod quality;
pub mod workload;

/// Errors in the harness: anything printable.
pub type BenchResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;
