//! JSON forms shared by `train` and `evaluate`.

use kiln::model::{Evaluation, Model};
use serde_json::{Map, Value, json};

/// The fields of an evaluation: `n_rows`, `fit_seconds`, `predict_seconds`, each metric at
/// the top level under its scikit-learn name, `average`, `positive_class`, the confusion
/// matrix with its labels, `notes` and the problem's `assessment`.
pub fn evaluation_fields(e: &Evaluation) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("n_rows".into(), json!(e.n_rows));
    if let Some(s) = e.fit_seconds {
        m.insert("fit_seconds".into(), json!(s));
    }
    m.insert("predict_seconds".into(), json!(e.predict_seconds));
    for (k, v) in &e.metrics {
        m.insert(k.clone(), json!(v));
    }
    if let Some(a) = &e.average {
        m.insert("average".into(), json!(a));
    }
    if let Some(p) = &e.positive_class {
        m.insert("positive_class".into(), json!(p));
    }
    if let Some(cm) = &e.confusion_matrix {
        m.insert(
            "confusion_matrix".into(),
            json!({ "labels": e.labels, "matrix": cm }),
        );
    }
    m.insert("notes".into(), json!(e.notes));
    if let Some(a) = &e.assessment {
        m.insert(
            "assessment".into(),
            serde_json::to_value(a).unwrap_or(Value::Null),
        );
    }
    m
}

/// What a saved model is: kind, task, problem, parameters, input columns.
pub fn model_fields(model: &Model) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("model".into(), json!(model.estimator().name()));
    m.insert("task".into(), json!(model.problem().task.name()));
    m.insert(
        "params".into(),
        serde_json::to_value(model.estimator()).unwrap_or(Value::Null),
    );
    m.insert(
        "problem".into(),
        serde_json::to_value(model.problem()).unwrap_or(Value::Null),
    );
    m.insert("input_columns".into(), json!(model.schema().names()));
    if !model.classes().is_empty() {
        m.insert("classes".into(), json!(model.classes()));
    }
    m.insert("n_train_rows".into(), json!(model.n_train_rows()));
    m
}
