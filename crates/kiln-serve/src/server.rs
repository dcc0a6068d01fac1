//! Starting and stopping the service: [`spawn`] and its [`Handle`].

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Instant;

use arc_swap::ArcSwap;
use kiln::model::Model;
use tokio::sync::oneshot;

use crate::config::Config;
use crate::drift::DriftWindow;
use crate::metrics::Metrics;
use crate::rows::RowSchema;
use crate::{ServeError, routes};

/// A loaded model with what serving it needs: swapped as one piece on reload, so a request
/// sees one model, its schema index and its drift window from start to end.
pub(crate) struct Served {
    pub(crate) model: Model,
    pub(crate) path: PathBuf,
    pub(crate) name: String,
    /// Seconds from the service's start to this model's load.
    pub(crate) loaded_at: f64,
    pub(crate) rows: RowSchema,
    pub(crate) drift: Mutex<DriftWindow>,
}

impl Served {
    pub(crate) fn new(model: Model, path: PathBuf, loaded_at: f64, window: usize) -> Self {
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| model.estimator().name().to_string());
        let rows = RowSchema::new(model.schema());
        let drift = Mutex::new(DriftWindow::new(model.reference(), window));
        Self {
            model,
            path,
            name,
            loaded_at,
            rows,
            drift,
        }
    }
}

/// Shared by every request.
pub(crate) struct AppState {
    pub(crate) served: ArcSwap<Served>,
    pub(crate) config: Config,
    pub(crate) metrics: Metrics,
    pub(crate) started: Instant,
    /// One reload at a time (a reload's checks compare against the model it replaces).
    pub(crate) reload_lock: tokio::sync::Mutex<()>,
}

pub(crate) fn load_model(path: &Path) -> Result<Model, ServeError> {
    Model::load(path).map_err(|e| ServeError::Load {
        path: path.to_path_buf(),
        source: e,
    })
}

/// A running service. Dropping it shuts the service down (gracefully) and waits for it.
#[derive(Debug)]
pub struct Handle {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<std::io::Result<()>>>,
}

impl Handle {
    /// The address the service listens on (the actual port when the configured one was 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting connections, lets requests in flight finish, and waits for the end.
    ///
    /// # Errors
    /// [`ServeError::Io`] if the server failed while running.
    pub fn shutdown(mut self) -> Result<(), ServeError> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.join()
    }

    /// Waits until the service stops: on SIGINT/SIGTERM when [`Config::handle_signals`] is
    /// on (otherwise only when the server fails).
    ///
    /// # Errors
    /// [`ServeError::Io`] if the server failed while running.
    pub fn wait(mut self) -> Result<(), ServeError> {
        self.join()
    }

    fn join(&mut self) -> Result<(), ServeError> {
        match self.thread.take().map(JoinHandle::join) {
            None => Ok(()),
            Some(Ok(r)) => r.map_err(|source| ServeError::Io {
                what: format!("serving on {}", self.addr),
                source,
            }),
            Some(Err(_)) => Err(ServeError::Io {
                what: format!("serving on {}", self.addr),
                source: std::io::Error::other("the server thread panicked"),
            }),
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = self.join();
    }
}

/// Loads the model, binds the address and serves on a runtime of its own (in a background
/// thread), returning once the service accepts connections.
///
/// # Errors
/// [`ServeError::Config`] for invalid settings, [`ServeError::Load`] for a model that cannot
/// be loaded, [`ServeError::Io`] if the address cannot be bound or the runtime not started.
pub fn spawn(config: Config) -> Result<Handle, ServeError> {
    config.validate()?;
    let model = load_model(&config.model_path)?;
    let io = |what: String| move |source| ServeError::Io { what, source };
    let listener =
        std::net::TcpListener::bind(config.addr).map_err(io(format!("binding {}", config.addr)))?;
    listener
        .set_nonblocking(true)
        .map_err(io("configuring the socket".into()))?;
    let addr = listener
        .local_addr()
        .map_err(io("reading the bound address".into()))?;
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder.enable_all().thread_name("kiln-serve");
    if let Some(w) = config.workers {
        builder.worker_threads(w);
    }
    let runtime = builder
        .build()
        .map_err(io("starting the async runtime".into()))?;
    let started = Instant::now();
    let served = Served::new(model, config.model_path.clone(), 0.0, config.drift_window);
    let signals = config.handle_signals;
    let state = Arc::new(AppState {
        served: ArcSwap::from_pointee(served),
        config,
        metrics: Metrics::default(),
        started,
        reload_lock: tokio::sync::Mutex::new(()),
    });
    let app = routes::router(state);
    let (tx, rx) = oneshot::channel();
    let thread = std::thread::Builder::new()
        .name("kiln-serve-main".into())
        .spawn(move || {
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener)?;
                axum::serve(listener, app)
                    .with_graceful_shutdown(stop_signal(rx, signals))
                    .await
            })
        })
        .map_err(io("starting the server thread".into()))?;
    Ok(Handle {
        addr,
        shutdown: Some(tx),
        thread: Some(thread),
    })
}

/// Resolves on the handle's shutdown, or on SIGINT/SIGTERM when `signals` is on.
async fn stop_signal(rx: oneshot::Receiver<()>, signals: bool) {
    if !signals {
        let _ = rx.await;
        return;
    }
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = rx => {}
        () = interrupt => {}
        () = terminate => {}
    }
}
