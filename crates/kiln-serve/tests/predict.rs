//! `/predict` against the library's `Model::predict`, bad requests, `/metrics` and drift.
#![allow(clippy::unwrap_used, reason = "helpers of tests fail loudly")]

mod common;

use common::{agent, fixture, get, metric, post, row_json, rows_json, start, url};
use kiln::prep::{Column, Frame};
use serde_json::Value;
use std::io::{Read, Write};

/// The server's predictions and probabilities, bit for bit, against the library's.
fn assert_same(body: &str, frame: &Frame) {
    let f = fixture();
    let expected = f.model.predict(frame).unwrap();
    let v: Value = serde_json::from_str(body).unwrap();
    assert_eq!(v["model"], "credit");
    assert_eq!(v["n_rows"].as_u64().unwrap() as usize, frame.n_rows());
    let labels: Vec<&str> = v["predictions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    let want: Vec<String> = (0..frame.n_rows()).map(|i| expected.label(i)).collect();
    assert_eq!(labels, want);
    assert_eq!(v["classes"], serde_json::json!(["bad", "good"]));
    let proba = expected.proba().unwrap();
    let got = v["probabilities"].as_array().unwrap();
    assert_eq!(got.len(), frame.n_rows());
    for (i, row) in got.iter().enumerate() {
        for (j, p) in row.as_array().unwrap().iter().enumerate() {
            assert_eq!(
                p.as_f64().unwrap().to_bits(),
                proba[[i, j]].to_bits(),
                "row {i} class {j}"
            );
        }
    }
}

#[test]
fn predictions_equal_the_library_for_single_rows_batches_and_csv() {
    let f = fixture();
    let server = start(&f.logistic);
    let a = agent();
    let u = url(&server, "/predict");
    for i in [0, 1, 17, 999] {
        let (status, body) = post(
            &a,
            &u,
            "application/json",
            &row_json(&f.data, i).to_string(),
        );
        assert_eq!(status, 200, "{body}");
        assert_same(&body, &f.data.take_rows(&[i]).unwrap());
    }
    let batch = rows_json(&f.data, 0..300);
    let (status, body) = post(&a, &u, "application/json", &batch.to_string());
    assert_eq!(status, 200, "{body}");
    let first: Vec<usize> = (0..300).collect();
    assert_same(&body, &f.data.take_rows(&first).unwrap());
    let wrapped = serde_json::json!({ "rows": batch }).to_string();
    let (status, body) = post(&a, &u, "application/json", &wrapped);
    assert_eq!(status, 200, "{body}");
    assert_same(&body, &f.data.take_rows(&first).unwrap());

    let mut csv = Vec::new();
    f.data
        .take_rows(&first)
        .unwrap()
        .write_csv(&mut csv)
        .unwrap();
    let (status, body) = post(&a, &u, "text/csv", std::str::from_utf8(&csv).unwrap());
    assert_eq!(status, 200, "{body}");
    assert_same(&body, &f.data.take_rows(&first).unwrap());
}

#[test]
fn bad_requests_get_their_codes_and_leave_drift_alone() {
    let f = fixture();
    let server = start(&f.logistic);
    let a = agent();
    let u = url(&server, "/predict");
    let (status, _) = post(
        &a,
        &u,
        "application/json",
        &rows_json(&f.data, 0..10).to_string(),
    );
    assert_eq!(status, 200);
    let (_, before) = get(&a, &url(&server, "/metrics"));
    assert_eq!(metric(&before, "kiln_drift_window_rows"), Some(10.0));

    // Malformed JSON: 400, serde_json's line and column in the message.
    let (status, body) = post(&a, &u, "application/json", "[{\"age\": 3,\n  ");
    assert_eq!(status, 400, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert!(v["error"].as_str().unwrap().contains("line 2"), "{body}");

    // A missing column in the fourth row: 422 naming field and row.
    let mut rows = rows_json(&f.data, 0..5);
    rows[3].as_object_mut().unwrap().remove("age");
    let (status, body) = post(&a, &u, "application/json", &rows.to_string());
    assert_eq!(status, 422, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (v["field"].as_str(), v["row"].as_u64()),
        (Some("age"), Some(3))
    );

    // Text in a numeric column.
    let mut rows = rows_json(&f.data, 0..2);
    rows[1]["duration"] = Value::from("long");
    let (status, body) = post(&a, &u, "application/json", &rows.to_string());
    assert_eq!(status, 422, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (v["field"].as_str(), v["row"].as_u64()),
        (Some("duration"), Some(1))
    );

    // The same in CSV.
    let mut csv = Vec::new();
    f.data
        .take_rows(&[0, 1])
        .unwrap()
        .write_csv(&mut csv)
        .unwrap();
    let csv = String::from_utf8(csv).unwrap();
    let no_age = csv.replacen("age,", "years,", 1);
    let (status, body) = post(&a, &u, "text/csv", &no_age);
    assert_eq!(status, 422, "{body}\n{no_age}");
    assert!(body.contains("\"field\":\"age\""), "{body}");

    // Too many rows, too large a body.
    let many = rows_json(&f.data, 0..1000);
    let small = kiln_serve::Config::new(&f.logistic)
        .with_addr("127.0.0.1:0".parse().unwrap())
        .with_max_rows(100)
        .with_max_body_bytes(200_000);
    let limited = kiln_serve::spawn(small).unwrap();
    let (status, body) = post(
        &a,
        &url(&limited, "/predict"),
        "application/json",
        &rows_json(&f.data, 0..101).to_string(),
    );
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("--max-rows"), "{body}");
    // A body over --max-body is refused from its Content-Length, before it is read (a raw
    // request: a client still sending would meet a closed connection).
    let head = format!(
        "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        many.to_string().len()
    );
    let mut stream = std::net::TcpStream::connect(limited.addr()).unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("--max-body"), "{answer}");

    // Wrong method, unknown path.
    assert_eq!(get(&a, &u).0, 405);
    assert_eq!(get(&a, &url(&server, "/nope")).0, 404);
    assert_eq!(
        post(&a, &url(&server, "/health"), "application/json", "{}").0,
        405
    );

    // An empty batch and a body of the wrong shape.
    assert_eq!(post(&a, &u, "application/json", "[]").0, 422);
    assert_eq!(post(&a, &u, "application/json", "[1, 2]").0, 422);
    assert_eq!(post(&a, &u, "application/json", "{\"rows\": 3}").0, 422);

    let (_, after) = get(&a, &url(&server, "/metrics"));
    let drift = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| l.starts_with("kiln_drift") || l.starts_with("kiln_rows_predicted"))
            .map(String::from)
            .collect()
    };
    assert_eq!(drift(&before), drift(&after));
    assert!(
        metric(
            &after,
            "kiln_requests_total{endpoint=\"predict\",status=\"422\"}"
        )
        .unwrap()
            >= 5.0
    );
    assert_eq!(
        metric(
            &after,
            "kiln_requests_total{endpoint=\"other\",status=\"404\"}"
        ),
        Some(1.0)
    );
}

/// Every line is `# HELP`, `# TYPE` or `name{labels} value` with a number.
fn assert_prometheus(text: &str) {
    for line in text.lines() {
        if line.starts_with("# HELP ") || line.starts_with("# TYPE ") {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').unwrap();
        assert!(value.parse::<f64>().is_ok() || value == "NaN", "{line}");
        let name_end = series.find('{').unwrap_or(series.len());
        let name = &series[..name_end];
        assert!(
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
            "{line}"
        );
        if name_end < series.len() {
            let labels = &series[name_end..];
            assert!(labels.ends_with('}'), "{line}");
            for pair in labels[1..labels.len() - 1].split("\",") {
                let (k, v) = pair.split_once("=\"").unwrap();
                assert!(
                    k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                    "{line}"
                );
                assert!(!v.is_empty() || pair.ends_with('"'), "{line}");
            }
        }
    }
}

#[test]
fn metrics_parse_and_count_up() {
    let f = fixture();
    let server = start(&f.logistic);
    let a = agent();
    let (status, first) = get(&a, &url(&server, "/metrics"));
    assert_eq!(status, 200);
    assert_prometheus(&first);
    for i in 0..5 {
        let (status, _) = post(
            &a,
            &url(&server, "/predict"),
            "application/json",
            &row_json(&f.data, i).to_string(),
        );
        assert_eq!(status, 200);
    }
    let (_, text) = get(&a, &url(&server, "/metrics"));
    assert_prometheus(&text);
    let ok = "kiln_requests_total{endpoint=\"predict\",status=\"200\"}";
    assert_eq!(metric(&text, ok), Some(5.0));
    assert_eq!(metric(&text, "kiln_rows_predicted_total"), Some(5.0));
    assert_eq!(
        metric(
            &text,
            "kiln_request_duration_seconds_count{endpoint=\"predict\"}"
        ),
        Some(5.0)
    );
    let classes = metric(&text, "kiln_predictions_total{class=\"good\"}").unwrap_or(0.0)
        + metric(&text, "kiln_predictions_total{class=\"bad\"}").unwrap_or(0.0);
    assert_eq!(classes, 5.0);
    assert_eq!(
        metric(
            &text,
            "kiln_requests_total{endpoint=\"metrics\",status=\"200\"}"
        ),
        Some(1.0)
    );
    let (status, health) = get(&a, &url(&server, "/health"));
    assert_eq!((status, health.as_str()), (200, "{\"status\":\"ok\"}"));
}

#[test]
fn drift_is_near_zero_on_training_rows_and_flags_a_shifted_age() {
    let f = fixture();
    let n = f.data.n_rows();
    // A window of n rows: the shifted batch evicts every earlier row.
    let config = kiln_serve::Config::new(&f.logistic)
        .with_addr("127.0.0.1:0".parse().unwrap())
        .with_drift_window(n);
    let server = kiln_serve::spawn(config).unwrap();
    let a = agent();
    let (status, _) = post(
        &a,
        &url(&server, "/predict"),
        "application/json",
        &rows_json(&f.data, 0..n).to_string(),
    );
    assert_eq!(status, 200);
    let (_, text) = get(&a, &url(&server, "/metrics"));
    assert_eq!(metric(&text, "kiln_drift_window_rows"), Some(n as f64));
    // The reference is the 800 training rows; all 1,000 rows come from the same population.
    let age = metric(&text, "kiln_drift_psi{column=\"age\"}").unwrap();
    assert!(age < 0.05, "{age}");
    assert_eq!(
        metric(&text, "kiln_drift_drifted{column=\"age\"}"),
        Some(0.0)
    );
    assert_eq!(metric(&text, "kiln_drift_dataset"), Some(0.0));

    // The same rows 30 years older fill the window: age drifts, the others do not.
    let age_col = f.data.column("age").unwrap().as_numeric().unwrap().to_vec();
    let older = f
        .data
        .clone()
        .with_column(
            "age",
            Column::Int(age_col.iter().map(|v| v + 30.0).collect()),
        )
        .unwrap();
    let (status, _) = post(
        &a,
        &url(&server, "/predict"),
        "application/json",
        &rows_json(&older, 0..n).to_string(),
    );
    assert_eq!(status, 200);
    let (_, text) = get(&a, &url(&server, "/metrics"));
    let age = metric(&text, "kiln_drift_psi{column=\"age\"}").unwrap();
    assert!(age > 1.0, "{age}");
    assert_eq!(
        metric(&text, "kiln_drift_drifted{column=\"age\"}"),
        Some(1.0)
    );
    assert_eq!(
        metric(&text, "kiln_drift_drifted{column=\"duration\"}"),
        Some(0.0)
    );
    let share = metric(&text, "kiln_drift_share").unwrap();
    assert!(share > 0.0 && share < 0.5, "{share}\n{text}");
    assert_eq!(metric(&text, "kiln_drift_dataset"), Some(0.0));
}

#[test]
fn a_timed_out_request_gets_503_and_leaves_drift_alone() {
    let f = fixture();
    let config = kiln_serve::Config::new(&f.logistic)
        .with_addr("127.0.0.1:0".parse().unwrap())
        .with_timeout(std::time::Duration::from_millis(1));
    let server = kiln_serve::spawn(config).unwrap();
    let a = agent();
    let mut rows = Vec::new();
    for _ in 0..10 {
        rows.extend(
            rows_json(&f.data, 0..1000)
                .as_array()
                .unwrap()
                .iter()
                .cloned(),
        );
    }
    // The timeout covers reading the body too: the server may answer 503 while the client
    // is still sending, which the client then sees as a closed connection. Either way the
    // server counts a 503, checked below.
    let sent = a
        .post(url(&server, "/predict"))
        .header("Content-Type", "application/json")
        .send(Value::Array(rows).to_string());
    if let Ok(mut r) = sent {
        let body = r.body_mut().read_to_string().unwrap();
        assert_eq!(r.status().as_u16(), 503, "{body}");
    }
    // Let the abandoned prediction finish on the blocking pool.
    std::thread::sleep(std::time::Duration::from_millis(500));
    let (_, text) = get(&a, &url(&server, "/metrics"));
    assert_eq!(metric(&text, "kiln_drift_window_rows"), Some(0.0));
    assert_eq!(metric(&text, "kiln_rows_predicted_total"), Some(0.0));
    assert_eq!(
        metric(
            &text,
            "kiln_requests_total{endpoint=\"predict\",status=\"503\"}"
        ),
        Some(1.0)
    );
}
