//! [`Config`]: what `kiln serve` serves and its limits.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::ServeError;

/// How the service runs.
///
/// # Parameters
/// - `model_path`: the model file written by `kiln train` (`Model::save`); also the default
///   file of `POST /reload`.
/// - `addr` (default `127.0.0.1:8080`): where to listen; port 0 picks a free port
///   ([`crate::Handle::addr`] tells which).
/// - `max_rows` (default `10_000`): the most rows in one `/predict` request (413 beyond).
/// - `max_body_bytes` (default 16 MiB): the largest request body (413 beyond).
/// - `timeout` (default 10 s): the longest a request may take (503 beyond).
/// - `drift_window` (default `10_000`): served rows kept for the live drift statistics
///   (0 turns drift monitoring off).
/// - `workers` (default `None`: one per core): the async worker threads.
/// - `handle_signals` (default `false`): shut down gracefully on SIGINT/SIGTERM (the
///   command-line tool turns it on).
/// - `inline_max_bytes` (default 8 KiB): `/predict` bodies up to this size are parsed and
///   predicted on the async worker that received them, larger ones on tokio's blocking pool
///   (0: every body goes to the pool). A single row is ~600 bytes; docs/serve.md has the
///   measurement behind the default.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The model file. No default.
    pub model_path: PathBuf,
    /// The listening address. By default, `127.0.0.1:8080`.
    pub addr: SocketAddr,
    /// Rows per request. By default, `10_000`.
    pub max_rows: usize,
    /// Bytes per request body. By default, 16 MiB.
    pub max_body_bytes: usize,
    /// Time per request. By default, 10 seconds.
    pub timeout: Duration,
    /// Rows in the drift window. By default, `10_000`.
    pub drift_window: usize,
    /// Async worker threads. By default, `None` (one per core).
    pub workers: Option<usize>,
    /// Whether SIGINT/SIGTERM stop the service. By default, `false`.
    pub handle_signals: bool,
    /// Largest body predicted on the async worker. By default, 8 KiB.
    pub inline_max_bytes: usize,
}

impl Config {
    /// The defaults, serving the model at `model_path`.
    pub fn new(model_path: impl Into<PathBuf>) -> Self {
        Self {
            model_path: model_path.into(),
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            max_rows: 10_000,
            max_body_bytes: 16 * 1024 * 1024,
            timeout: Duration::from_secs(10),
            drift_window: 10_000,
            workers: None,
            handle_signals: false,
            inline_max_bytes: 8 * 1024,
        }
    }

    /// Sets [`Config::addr`] (by default, `127.0.0.1:8080`).
    #[must_use]
    pub fn with_addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Sets [`Config::max_rows`] (by default, `10_000`).
    #[must_use]
    pub fn with_max_rows(mut self, max_rows: usize) -> Self {
        self.max_rows = max_rows;
        self
    }

    /// Sets [`Config::max_body_bytes`] (by default, 16 MiB).
    #[must_use]
    pub fn with_max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// Sets [`Config::timeout`] (by default, 10 seconds).
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets [`Config::drift_window`] (by default, `10_000`).
    #[must_use]
    pub fn with_drift_window(mut self, rows: usize) -> Self {
        self.drift_window = rows;
        self
    }

    /// Sets [`Config::workers`] (by default, `None`: one per core).
    #[must_use]
    pub fn with_workers(mut self, workers: Option<usize>) -> Self {
        self.workers = workers;
        self
    }

    /// Sets [`Config::handle_signals`] (by default, `false`).
    #[must_use]
    pub fn with_handle_signals(mut self, on: bool) -> Self {
        self.handle_signals = on;
        self
    }

    /// Sets [`Config::inline_max_bytes`] (by default, 8 KiB).
    #[must_use]
    pub fn with_inline_max_bytes(mut self, bytes: usize) -> Self {
        self.inline_max_bytes = bytes;
        self
    }

    /// Checks the limits.
    ///
    /// # Errors
    /// [`ServeError::Config`] when `max_rows`, `max_body_bytes`, `timeout` or `workers` is 0.
    pub fn validate(&self) -> Result<(), ServeError> {
        let bad = |name: &str, got: String| {
            Err(ServeError::Config(format!(
                "the `{name}` setting must be at least 1; got {got}"
            )))
        };
        if self.max_rows == 0 {
            return bad("max_rows", "0".into());
        }
        if self.max_body_bytes == 0 {
            return bad("max_body_bytes", "0".into());
        }
        if self.timeout.is_zero() {
            return bad("timeout", "0 ms".into());
        }
        if self.workers == Some(0) {
            return bad("workers", "0".into());
        }
        Ok(())
    }
}
