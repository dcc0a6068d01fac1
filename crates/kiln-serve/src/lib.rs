//! # kiln-serve: an HTTP prediction service that monitors itself
//!
//! `kiln serve MODEL.kiln` in a library: [`spawn`] loads a model written by `kiln train`
//! ([`kiln::model::Model::save`]), listens on [`Config::addr`] and answers
//!
//! | endpoint | what |
//! |---|---|
//! | `POST /predict` | JSON rows (one object, an array, or `{"rows": [...]}`) or CSV in; predictions (and class probabilities) out |
//! | `GET /health` | `{"status":"ok"}` |
//! | `GET /model` | kind, name, kiln version, input schema, classes, problem, held-out metrics, file, load time |
//! | `GET /metrics` | Prometheus text: requests, latency histograms, predictions, live input drift |
//! | `POST /reload` | load a retrained model (same input schema and task) and swap it in atomically |
//!
//! The async stack (tokio, axum) lives in this crate only, so users of the library crates
//! do not compile it. `docs/serve.md` documents the JSON shapes, the metric names and the
//! drift rule.
//!
//! # Example
//!
//! ```
//! use kiln::datasets::Dataset;
//! use kiln::model::{Estimator, Model, TrainOptions};
//! use kiln::prep::CsvOptions;
//! use kiln::problem::{Problem, Task};
//!
//! let (data, _) = CsvOptions::default().read_str(Dataset::GermanCredit.csv())?;
//! let problem = Problem::classification("credit").with_positive_class("good");
//! let estimator = Estimator::from_name(Task::Classification, "logistic")?;
//! let model = Model::train(&problem, estimator, &data, None, &TrainOptions::default())?;
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("credit.kiln");
//! model.save(&path)?;
//!
//! // Port 0: the system picks a free port; the handle says which.
//! let config = kiln_serve::Config::new(&path).with_addr("127.0.0.1:0".parse()?);
//! let server = kiln_serve::spawn(config)?;
//! println!("listening on {}", server.addr());
//! server.shutdown()?; // in-flight requests finish first
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Design
//! - Request bodies become a [`kiln::prep::Frame`] in one pass, typed by the model's input
//!   schema (a serde visitor, no intermediate JSON tree); errors name the field and the row.
//! - The model, its schema index and its drift window are one value behind an
//!   [`arc_swap::ArcSwap`]: a request holds the model it started with, a reload swaps in a
//!   new one for later requests, and the drift window starts afresh with it.
//! - Small bodies are predicted on the async worker; large ones on tokio's blocking pool.
//! - Nothing a client sends panics the service: every failure is a 4xx with a JSON body.

mod config;
mod csv_rows;
pub mod drift;
mod error;
pub mod metrics;
mod response;
mod routes;
mod rows;
mod server;

pub use config::Config;
pub use error::ApiError;
pub use server::{Handle, spawn};

use std::fmt;
use std::path::PathBuf;

/// Why the service could not start or stopped with an error.
#[derive(Debug)]
#[non_exhaustive]
pub enum ServeError {
    /// An invalid setting.
    Config(String),
    /// The model file could not be loaded.
    Load {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: kiln::Error,
    },
    /// A socket or runtime failure.
    Io {
        /// What was being done.
        what: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

impl fmt::Display for ServeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServeError::Config(m) => f.write_str(m),
            ServeError::Load { path, source } => {
                write!(f, "cannot load the model {}: {source}", path.display())
            }
            ServeError::Io { what, source } => write!(f, "{what}: {source}"),
        }
    }
}

impl std::error::Error for ServeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ServeError::Config(_) => None,
            ServeError::Load { source, .. } => Some(source),
            ServeError::Io { source, .. } => Some(source),
        }
    }
}
