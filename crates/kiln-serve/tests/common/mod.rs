//! Shared by the integration tests: models trained once per test binary, a server on a
//! loopback port, a real HTTP client, and JSON rows built from a frame.
#![allow(dead_code, reason = "each test binary uses some of the helpers")]
#![allow(clippy::unwrap_used, reason = "helpers of tests fail loudly")]

use std::path::PathBuf;
use std::sync::OnceLock;

use kiln::datasets::Dataset;
use kiln::model::{Estimator, Model, TrainOptions};
use kiln::prep::{Column, CsvOptions, Frame};
use kiln::problem::{Problem, Task};
use serde_json::{Map, Value};

pub struct Fixture {
    _dir: tempfile::TempDir,
    pub data: Frame,
    pub model: Model,
    /// A logistic regression on german_credit.
    pub logistic: PathBuf,
    /// A random forest with the same input schema.
    pub forest: PathBuf,
    /// A logistic regression without the `telephone` column: another schema.
    pub other_schema: PathBuf,
}

pub fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let (data, _) = CsvOptions::default()
            .read_str(Dataset::GermanCredit.csv())
            .unwrap();
        let problem = Problem::classification("credit").with_positive_class("good");
        let opts = TrainOptions::default();
        let train = |p: &Problem, name: &str| {
            let e = Estimator::from_name(Task::Classification, name).unwrap();
            Model::train(p, e, &data, None, &opts).unwrap()
        };
        let dir = tempfile::tempdir().unwrap();
        let model = train(&problem, "logistic");
        let logistic = dir.path().join("credit.kiln");
        model.save(&logistic).unwrap();
        let forest = dir.path().join("credit_forest.kiln");
        train(&problem, "forest").save(&forest).unwrap();
        let other_schema = dir.path().join("credit_no_phone.kiln");
        train(&problem.clone().with_exclude(["telephone"]), "logistic")
            .save(&other_schema)
            .unwrap();
        Fixture {
            _dir: dir,
            data,
            model,
            logistic,
            forest,
            other_schema,
        }
    })
}

pub fn start(path: &std::path::Path) -> kiln_serve::Handle {
    let config = kiln_serve::Config::new(path)
        .with_addr("127.0.0.1:0".parse().unwrap())
        .with_workers(Some(2));
    kiln_serve::spawn(config).unwrap()
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

pub fn url(h: &kiln_serve::Handle, path: &str) -> String {
    format!("http://{}{path}", h.addr())
}

/// POSTs `body` with `content_type`; returns status and body text.
pub fn post(a: &ureq::Agent, url: &str, content_type: &str, body: &str) -> (u16, String) {
    let mut r = a
        .post(url)
        .header("Content-Type", content_type)
        .send(body)
        .unwrap();
    let status = r.status().as_u16();
    (status, r.body_mut().read_to_string().unwrap())
}

pub fn get(a: &ureq::Agent, url: &str) -> (u16, String) {
    let mut r = a.get(url).call().unwrap();
    let status = r.status().as_u16();
    (status, r.body_mut().read_to_string().unwrap())
}

/// Row `i` of `frame` as a JSON object (NaN and missing categories as null).
pub fn row_json(frame: &Frame, i: usize) -> Value {
    let mut m = Map::new();
    for (name, col) in frame.names().iter().zip(frame.columns()) {
        let v = match col {
            Column::Categorical(c) => c.get(i).map_or(Value::Null, Value::from),
            Column::Float(v) | Column::Int(v) | Column::Bool(v) => {
                serde_json::Number::from_f64(v[i]).map_or(Value::Null, Value::Number)
            }
        };
        m.insert(name.clone(), v);
    }
    Value::Object(m)
}

pub fn rows_json(frame: &Frame, rows: std::ops::Range<usize>) -> Value {
    Value::Array(rows.map(|i| row_json(frame, i)).collect())
}

/// `name{labels} value` → value, for the first line starting with `series`.
pub fn metric(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(series) && l[series.len()..].starts_with(' '))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}
