//! The HTTP endpoints: `/predict`, `/health`, `/model`, `/metrics`, `/reload`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kiln::model::{Model, Predictions};
use kiln::prep::Frame;
use serde_json::json;

use crate::csv_rows::frame_from_csv;
use crate::error::ApiError;
use crate::metrics::endpoint_index;
use crate::response::PredictResponse;
use crate::rows::frame_from_json;
use crate::server::{AppState, Served, load_model};

type Shared = Arc<AppState>;

thread_local! {
    /// A one-thread rayon pool made of the current (async worker) thread itself.
    static LOCAL_POOL: Option<rayon::ThreadPool> = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .use_current_thread()
        .build()
        .ok();
}

/// Runs `f` with rayon confined to the current thread.
///
/// The model's prediction code uses rayon; called from a thread outside rayon's pool, even a
/// one-row prediction is handed to a pool thread and waited for: two context switches per
/// request, measured as the largest single cost of a single-row request (perf: ~10% of the
/// time in `finish_task_switch`). Inside a one-thread pool of the current thread, the same
/// parallel iterators run inline. Results do not depend on the thread count.
fn on_this_thread<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    LOCAL_POOL.with(|pool| match pool {
        Some(p) => p.install(f),
        None => f(),
    })
}

pub(crate) fn router(state: Shared) -> Router {
    Router::new()
        .route("/predict", post(predict))
        .route("/health", get(health))
        .route("/model", get(model_info))
        .route("/metrics", get(metrics))
        .route("/reload", post(reload))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), track))
        .with_state(state)
}

/// Times every request, applies the timeout and counts it by endpoint and status.
async fn track(State(s): State<Shared>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let endpoint = endpoint_index(req.uri().path());
    let limit = s.config.timeout;
    let response = match tokio::time::timeout(limit, next.run(req)).await {
        Ok(r) => r,
        Err(_) => ApiError::new(
            503,
            format!(
                "the request took longer than the {} ms limit (--timeout-ms)",
                limit.as_millis()
            ),
        )
        .into_response(),
    };
    s.metrics.record_request(
        endpoint,
        response.status().as_u16(),
        start.elapsed().as_secs_f64(),
    );
    response
}

async fn not_found() -> ApiError {
    ApiError::new(
        404,
        "no such endpoint; see POST /predict, GET /health, GET /model, GET /metrics, POST /reload",
    )
}

/// The body, within the size limit.
async fn read_body(s: &AppState, headers: &HeaderMap, body: Body) -> Result<Bytes, ApiError> {
    let limit = s.config.max_body_bytes;
    let too_large = || {
        ApiError::too_large(format!(
            "the body is larger than {limit} bytes (--max-body)"
        ))
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    axum::body::to_bytes(body, limit).await.map_err(|e| {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
        while let Some(err) = source {
            if err.to_string().contains("length limit") {
                return too_large();
            }
            source = err.source();
        }
        ApiError::bad_request(format!("cannot read the body: {e}"))
    })
}

fn is_csv(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/csv"))
}

fn json_response(body: Vec<u8>) -> Response {
    let mut r = Response::new(Body::from(body));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// Cleared when the request's future is dropped (the timeout answered 503 first), so a
/// prediction finishing late on the blocking pool leaves the drift window and counters alone.
struct Live(Arc<AtomicBool>);

impl Drop for Live {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

/// Parses, predicts, records drift and prediction metrics (while `live`), and writes the
/// response body.
fn predict_body(
    s: &AppState,
    served: &Served,
    body: &[u8],
    csv: bool,
    live: &AtomicBool,
) -> Result<Vec<u8>, ApiError> {
    let max_rows = s.config.max_rows;
    let frame: Frame = if csv {
        frame_from_csv(body, served.model.schema(), max_rows)?
    } else {
        frame_from_json(body, &served.rows, max_rows)?
    };
    let predictions = served
        .model
        .predict(&frame)
        .map_err(|e| ApiError::unprocessable(e.to_string()))?;
    let out = serde_json::to_vec(&PredictResponse {
        model: &served.name,
        predictions: &predictions,
    })
    .map_err(|e| ApiError::internal(format!("cannot write the response: {e}")))?;
    // Only requests that are answered reach the drift window and the counters.
    if !live.load(Ordering::SeqCst) {
        return Err(ApiError::new(503, "the request timed out"));
    }
    {
        let mut window = served.drift.lock().unwrap_or_else(|e| e.into_inner());
        let bins = window.bins(&frame);
        window.push(&bins);
    }
    record_predictions(s, served, &predictions);
    Ok(out)
}

fn record_predictions(s: &AppState, served: &Served, p: &Predictions) {
    if let Some(v) = p.values() {
        s.metrics.record_values(v.as_slice().unwrap_or(&v.to_vec()));
    } else if let Some(ix) = p.indices() {
        let names: Vec<String> = if p.class_names().is_empty() {
            let k = ix.iter().copied().max().map_or(0, |m| m + 1);
            (0..k).map(|c| c.to_string()).collect()
        } else {
            served.model.classes().to_vec()
        };
        let mut counts = vec![0u64; names.len()];
        for &i in ix {
            if let Some(c) = counts.get_mut(i) {
                *c += 1;
            }
        }
        s.metrics.record_classes(&names, &counts);
    }
}

async fn predict(
    State(s): State<Shared>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let bytes = read_body(&s, &headers, body).await?;
    let csv = is_csv(&headers);
    // The model is fixed for the whole request: a reload meanwhile swaps in a new one for
    // later requests while this one finishes on the old.
    let served = s.served.load_full();
    let out = if bytes.len() <= s.config.inline_max_bytes {
        // Synchronous here: the timeout cannot interrupt it, so it is always answered.
        let live = AtomicBool::new(true);
        on_this_thread(|| predict_body(&s, &served, &bytes, csv, &live))?
    } else {
        let state = s.clone();
        let flag = Arc::new(AtomicBool::new(true));
        let _live = Live(flag.clone());
        tokio::task::spawn_blocking(move || predict_body(&state, &served, &bytes, csv, &flag))
            .await
            .map_err(|e| ApiError::internal(format!("the prediction task failed: {e}")))??
    };
    Ok(json_response(out))
}

async fn health() -> Response {
    json_response(br#"{"status":"ok"}"#.to_vec())
}

async fn model_info(State(s): State<Shared>) -> Response {
    let served = s.served.load_full();
    let m = &served.model;
    let schema: Vec<_> = m
        .schema()
        .columns()
        .iter()
        .map(|c| json!({"name": c.name, "type": c.column_type.name()}))
        .collect();
    let doc = json!({
        "name": served.name,
        "kind": m.estimator().name(),
        "task": m.problem().task.name(),
        "kiln_version": kiln::persist::KILN_VERSION,
        "path": served.path.display().to_string(),
        "loaded_at_seconds": served.loaded_at,
        "uptime_seconds": s.started.elapsed().as_secs_f64(),
        "schema": schema,
        "classes": m.classes(),
        "problem": m.problem(),
        "estimator": m.estimator(),
        "n_train_rows": m.n_train_rows(),
        "metrics": m.evaluation().map(|e| &e.metrics),
        "evaluation_rows": m.evaluation().map(|e| e.n_rows),
    });
    axum::Json(doc).into_response()
}

async fn metrics(State(s): State<Shared>) -> Response {
    let served = s.served.load_full();
    let snapshot = served
        .drift
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .snapshot();
    let regression = served.model.problem().task == kiln::problem::Task::Regression;
    let text = s.metrics.render(regression, &snapshot);
    let mut r = Response::new(Body::from(text));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    r
}

/// Why `new` cannot replace `old`, if it cannot.
fn incompatibility(old: &Model, new: &Model) -> Option<String> {
    let (ot, nt) = (old.problem().task, new.problem().task);
    if ot != nt {
        return Some(format!(
            "the new model is for {}, the serving one for {}",
            nt.name(),
            ot.name()
        ));
    }
    let (a, b) = (old.schema().columns(), new.schema().columns());
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        if x != y {
            return Some(format!(
                "input column {i} differs: the serving model reads `{}` ({}), the new one `{}` ({})",
                x.name, x.column_type, y.name, y.column_type
            ));
        }
    }
    if a.len() != b.len() {
        return Some(format!(
            "the serving model reads {} input columns, the new one {}",
            a.len(),
            b.len()
        ));
    }
    None
}

async fn reload(
    State(s): State<Shared>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let bytes = read_body(&s, &headers, body).await?;
    let path = if bytes.iter().all(u8::is_ascii_whitespace) {
        s.config.model_path.clone()
    } else {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct ReloadRequest {
            path: Option<std::path::PathBuf>,
        }
        let r: ReloadRequest = serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::bad_request(format!("malformed JSON: {e}")))?;
        r.path.unwrap_or_else(|| s.config.model_path.clone())
    };
    let _one_at_a_time = s.reload_lock.lock().await;
    let load_path = path.clone();
    let model = tokio::task::spawn_blocking(move || load_model(&load_path))
        .await
        .map_err(|e| ApiError::internal(format!("the load task failed: {e}")))?
        .map_err(|e| ApiError::unprocessable(e.to_string()).with_field("path"))?;
    let old = s.served.load_full();
    if let Some(why) = incompatibility(&old.model, &model) {
        return Err(ApiError::new(
            409,
            format!(
                "{} cannot replace the serving model: {why}; the old model keeps serving",
                path.display()
            ),
        ));
    }
    let loaded_at = s.started.elapsed().as_secs_f64();
    let served = Served::new(model, path, loaded_at, s.config.drift_window);
    let doc = json!({
        "status": "reloaded",
        "name": served.name,
        "path": served.path.display().to_string(),
        "loaded_at_seconds": loaded_at,
    });
    s.served.store(Arc::new(served));
    s.metrics.record_reload();
    Ok(axum::Json(doc).into_response())
}
