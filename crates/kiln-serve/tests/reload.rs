//! `/reload` under load, refused reloads, `/model`, and graceful shutdown.
#![allow(clippy::unwrap_used, reason = "helpers of tests fail loudly")]

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use common::{agent, fixture, get, post, row_json, rows_json, start, url};
use serde_json::Value;

fn model_doc(a: &ureq::Agent, h: &kiln_serve::Handle) -> Value {
    let (status, body) = get(a, &url(h, "/model"));
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

fn reload_to(a: &ureq::Agent, h: &kiln_serve::Handle, path: &std::path::Path) -> (u16, String) {
    let body = serde_json::json!({ "path": path }).to_string();
    post(a, &url(h, "/reload"), "application/json", &body)
}

#[test]
fn reload_under_load_loses_no_request() {
    let f = fixture();
    let server = start(&f.logistic);
    let a = agent();
    let doc = model_doc(&a, &server);
    assert_eq!(doc["kind"], "logistic");
    assert_eq!(doc["classes"], serde_json::json!(["bad", "good"]));
    assert_eq!(
        doc["schema"].as_array().unwrap().len(),
        f.model.schema().len()
    );
    assert!(doc["metrics"]["roc_auc"].as_f64().unwrap() > 0.7);
    assert_eq!(doc["problem"]["target"], "credit");

    let done = AtomicBool::new(false);
    let bodies: Vec<String> = (0..50).map(|i| row_json(&f.data, i).to_string()).collect();
    thread::scope(|s| {
        let load = s.spawn(|| {
            let a = agent();
            let u = url(&server, "/predict");
            let mut failures = Vec::new();
            for i in 0..2000 {
                let (status, body) = post(&a, &u, "application/json", &bodies[i % bodies.len()]);
                if status != 200 {
                    failures.push((i, status, body));
                }
            }
            done.store(true, Ordering::SeqCst);
            failures
        });
        let a = agent();
        let mut reloads = 0;
        while !done.load(Ordering::SeqCst) || reloads < 6 {
            let path = if reloads % 2 == 0 {
                &f.forest
            } else {
                &f.logistic
            };
            let (status, body) = reload_to(&a, &server, path);
            assert_eq!(status, 200, "{body}");
            reloads += 1;
            if reloads >= 6 && done.load(Ordering::SeqCst) {
                break;
            }
            thread::sleep(Duration::from_millis(20));
        }
        let failures = load.join().unwrap();
        assert!(failures.is_empty(), "{failures:?}");
    });
    // The last reload decides which file serves.
    let (status, _) = reload_to(&a, &server, &f.forest);
    assert_eq!(status, 200);
    let doc = model_doc(&a, &server);
    assert_eq!(doc["path"], f.forest.display().to_string());
    assert_eq!(doc["kind"], "forest");
    assert!(doc["loaded_at_seconds"].as_f64().unwrap() > 0.0);
    let (_, text) = get(&a, &url(&server, "/metrics"));
    assert!(common::metric(&text, "kiln_reloads_total").unwrap() >= 7.0);
    // The drift window restarted with the new model.
    assert_eq!(common::metric(&text, "kiln_drift_window_rows"), Some(0.0));
}

#[test]
fn a_model_with_another_schema_or_no_file_is_refused_and_the_old_keeps_serving() {
    let f = fixture();
    let server = start(&f.logistic);
    let a = agent();
    let (status, body) = reload_to(&a, &server, &f.other_schema);
    assert_eq!(status, 409, "{body}");
    assert!(
        body.contains("telephone") || body.contains("input column"),
        "{body}"
    );
    let (status, body) = reload_to(&a, &server, std::path::Path::new("/no/such/model.kiln"));
    assert_eq!(status, 422, "{body}");
    let (status, body) = post(
        &a,
        &url(&server, "/reload"),
        "application/json",
        "{\"path\": ",
    );
    assert_eq!(status, 400, "{body}");
    let doc = model_doc(&a, &server);
    assert_eq!(doc["path"], f.logistic.display().to_string());
    let (status, _) = post(
        &a,
        &url(&server, "/predict"),
        "application/json",
        &row_json(&f.data, 0).to_string(),
    );
    assert_eq!(status, 200);
    // An empty body reloads the original file.
    let (status, body) = post(&a, &url(&server, "/reload"), "application/json", "");
    assert_eq!(status, 200, "{body}");
}

#[test]
fn shutdown_lets_the_request_in_flight_finish() {
    let f = fixture();
    let config = kiln_serve::Config::new(&f.forest)
        .with_addr("127.0.0.1:0".parse().unwrap())
        .with_max_rows(20_000);
    let server = kiln_serve::spawn(config).unwrap();
    let addr = server.addr();
    let mut rows = Vec::new();
    for _ in 0..20 {
        rows.extend(
            rows_json(&f.data, 0..1000)
                .as_array()
                .unwrap()
                .iter()
                .cloned(),
        );
    }
    let body = Value::Array(rows).to_string();
    let u = url(&server, "/predict");
    let start = std::time::Instant::now();
    let request = thread::spawn(move || {
        let r = post(&agent(), &u, "application/json", &body);
        (r, start.elapsed())
    });
    thread::sleep(Duration::from_millis(60));
    let shutdown_at = start.elapsed();
    server.shutdown().unwrap();
    let ((status, body), finished_at) = request.join().unwrap();
    eprintln!("shutdown at {shutdown_at:?}, request finished at {finished_at:?}");
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["n_rows"], 20_000);
    // Closed afterwards.
    assert!(std::net::TcpStream::connect(addr).is_err());
}
