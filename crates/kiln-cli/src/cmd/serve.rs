//! `kiln serve`: the HTTP prediction service (see the kiln-serve crate and docs/serve.md).

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::json;

use crate::common::{CliError, CliResult, Output, path_string};

/// Options of `kiln serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The saved model (written by `kiln train`).
    #[arg(value_name = "MODEL.kiln")]
    pub model: PathBuf,
    /// Where to listen; port 0 picks a free port (printed at start).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// The most rows in one /predict request (413 beyond).
    #[arg(long, default_value_t = 10_000)]
    pub max_rows: usize,
    /// The largest request body in bytes (413 beyond).
    #[arg(long, default_value_t = 16 * 1024 * 1024, value_name = "BYTES")]
    pub max_body: usize,
    /// The longest a request may take, in milliseconds (503 beyond).
    #[arg(long, default_value_t = 10_000)]
    pub timeout_ms: u64,
    /// Served rows kept for the live drift statistics (0: off).
    #[arg(long, default_value_t = 10_000, value_name = "ROWS")]
    pub drift_window: usize,
    /// Async worker threads (default: one per core).
    #[arg(long)]
    pub workers: Option<usize>,
    /// Bodies up to this size are predicted on the async worker, larger ones on the
    /// blocking pool (0: all on the pool).
    #[arg(long, default_value_t = 8 * 1024, value_name = "BYTES")]
    pub inline_max_bytes: usize,
    #[command(flatten)]
    pub output: Output,
}

/// Runs `kiln serve` until SIGINT or SIGTERM; requests in flight finish first.
pub fn run(args: &Args) -> CliResult {
    let config = kiln_serve::Config::new(&args.model)
        .with_addr(args.addr)
        .with_max_rows(args.max_rows)
        .with_max_body_bytes(args.max_body)
        .with_timeout(Duration::from_millis(args.timeout_ms))
        .with_drift_window(args.drift_window)
        .with_workers(args.workers)
        .with_inline_max_bytes(args.inline_max_bytes)
        .with_handle_signals(true);
    config
        .validate()
        .map_err(|e| CliError::usage(e.to_string()))?;
    let server = kiln_serve::spawn(config).map_err(|e| CliError::new(e.to_string()))?;
    let addr = server.addr();
    let doc = json!({
        "command": "serve",
        "model_file": path_string(&args.model),
        "addr": addr.to_string(),
    });
    args.output.emit(&doc, || {
        println!("serving {} on http://{addr}", args.model.display());
    })?;
    // Tests and scripts read the address from the first line; make sure it leaves now.
    let _ = std::io::stdout().flush();
    server.wait().map_err(|e| CliError::new(e.to_string()))?;
    if !args.output.json && !args.output.quiet {
        eprintln!("stopped");
    }
    Ok(0)
}
