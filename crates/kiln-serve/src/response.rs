//! The `/predict` response body, serialized straight from the model's arrays.

use kiln::model::Predictions;
use kiln::problem::Task;
use ndarray::Array2;
use serde::ser::{Serialize, SerializeSeq, SerializeStruct, Serializer};

/// `{"model", "n_rows", "predictions", "classes", "probabilities"}` (classification),
/// `{"model", "n_rows", "predictions"}` (regression) or with `"distances"` (clustering).
pub(crate) struct PredictResponse<'a> {
    pub(crate) model: &'a str,
    pub(crate) predictions: &'a Predictions,
}

struct Labels<'a>(&'a Predictions);

impl Serialize for Labels<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = self.0;
        let mut seq = s.serialize_seq(Some(p.len()))?;
        match (p.task(), p.indices(), p.values()) {
            (Task::Classification, Some(ix), _) => {
                let names = p.class_names();
                for &i in ix {
                    seq.serialize_element(names.get(i).map_or("", String::as_str))?;
                }
            }
            (_, Some(ix), _) => {
                for &i in ix {
                    seq.serialize_element(&i)?;
                }
            }
            (_, None, Some(v)) => {
                for &x in v {
                    seq.serialize_element(&x)?;
                }
            }
            _ => {}
        }
        seq.end()
    }
}

struct Rows<'a>(&'a Array2<f64>);

struct Row<'a>(ndarray::ArrayView1<'a, f64>);

impl Serialize for Row<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for x in &self.0 {
            seq.serialize_element(x)?;
        }
        seq.end()
    }
}

impl Serialize for Rows<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.nrows()))?;
        for r in self.0.rows() {
            seq.serialize_element(&Row(r))?;
        }
        seq.end()
    }
}

impl Serialize for PredictResponse<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = self.predictions;
        let mut st = s.serialize_struct("PredictResponse", 5)?;
        st.serialize_field("model", self.model)?;
        st.serialize_field("n_rows", &p.len())?;
        st.serialize_field("predictions", &Labels(p))?;
        if let Some(proba) = p.proba() {
            st.serialize_field("classes", p.class_names())?;
            st.serialize_field("probabilities", &Rows(proba))?;
        }
        if let Some(d) = p.distances() {
            st.serialize_field("distances", &Rows(d))?;
        }
        st.end()
    }
}
