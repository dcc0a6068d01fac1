//! Model loading: every envelope field and the payloads of several model kinds, including a
//! whole `kiln::model::Model`. Any input loads or gives a typed error, never a panic; a model
//! that loads must also predict without panicking.
#![no_main]

mod seal;

use kiln_core::persist::{self, Persist};
use libfuzzer_sys::fuzz_target;

fn load<M: Persist>(bytes: &[u8]) -> Option<M> {
    let _ = persist::read_header(bytes);
    persist::from_bytes::<M>(bytes).ok()
}

fuzz_target!(|data: &[u8]| {
    let bytes = seal::file_bytes(data);
    let x = ndarray::Array2::<f64>::zeros((2, 3));
    use kiln_core::Predict;
    if let Some(m) = load::<kiln_linear::FittedRidge>(&bytes) {
        let _ = m.predict(x.view());
    }
    if let Some(m) = load::<kiln_linear::FittedLogisticRegression>(&bytes) {
        let _ = m.predict(x.view());
    }
    if let Some(m) = load::<kiln_tree::FittedDecisionTreeClassifier>(&bytes) {
        let _ = m.predict(x.view());
    }
    if let Some(m) = load::<kiln_tree::FittedHistGradientBoostingRegressor>(&bytes) {
        let _ = m.predict(x.view());
    }
    if let Some(m) = load::<kiln_cluster::FittedKMeans>(&bytes) {
        let _ = m.predict(x.view());
    }
    let _ = load::<kiln::model::Model>(&bytes);
});
