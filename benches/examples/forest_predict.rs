//! Times a 100-tree random forest's prediction of 100k rows (the workload's test rows, tiled),
//! ten times, and prints the best and the median: the interleaved measurement behind the
//! prediction paragraph of `docs/trees.md`. The fitted forest is cached at `MODEL_PATH` (fitted
//! and saved on the first run), so runs can alternate with
//! `benches/peers/forest_predict.py`, which does the same for scikit-learn.
//!
//! With a third argument `extra-trees`, the forest is an extra-trees classifier (scikit-learn's
//! `ExtraTreesClassifier` on the Python side).
//!
//! ```text
//! cargo run --release -p kiln-benches --example forest_predict -- clf_100k /tmp/forest_clf_100k.kiln
//! benches/peers/.venv/bin/python benches/peers/forest_predict.py clf_100k /tmp/sk_forest_clf_100k.pkl
//! ```
//!
//! The workload files come from `kiln-bench gen` (see `benches/README.md`).

use std::path::Path;
use std::time::Instant;

use kiln::prelude::*;
use kiln::tree::{
    ExtraTreesClassifier, FittedExtraTreesClassifier, FittedRandomForestClassifier,
    RandomForestClassifier,
};
use kiln_benches::workload::{Manifest, Table};
use ndarray::Array2;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(name), Some(model_path)) = (args.get(1), args.get(2)) else {
        return Err("usage: forest_predict WORKLOAD MODEL_PATH [extra-trees]".into());
    };
    let extra = args.get(3).is_some_and(|a| a == "extra-trees");
    let dir = Path::new("benches/data");
    let manifest = Manifest::read(dir)?;
    let test = manifest.load_named(dir, &format!("{name}_test"))?;
    let train = || manifest.load_named(dir, name);
    let batch = test.tiled(100_000);
    let times = if extra {
        let forest: FittedExtraTreesClassifier = load_or_fit(model_path, train, |t| {
            ExtraTreesClassifier::default()
                .with_n_estimators(100)
                .fit(t.x.view(), t.classes().view())
        })?;
        time_predict(&forest, &batch)?
    } else {
        let forest: FittedRandomForestClassifier = load_or_fit(model_path, train, |t| {
            RandomForestClassifier::default()
                .with_n_estimators(100)
                .fit(t.x.view(), t.classes().view())
        })?;
        time_predict(&forest, &batch)?
    };
    println!(
        "kiln {name}: predict 100k rows, best {:.3} s, median {:.3} s",
        times[0], times[5]
    );
    Ok(())
}

/// The model saved at `path`, or one fitted on `train()` and saved there.
fn load_or_fit<M: kiln::persist::Persist>(
    path: &str,
    train: impl FnOnce() -> kiln_benches::BenchResult<Table>,
    fit: impl FnOnce(&Table) -> kiln::Result<M>,
) -> Result<M, BoxError> {
    if Path::new(path).exists() {
        return Ok(kiln::persist::load(path)?);
    }
    let model = fit(&train()?)?;
    kiln::persist::save(&model, path)?;
    Ok(model)
}

/// Ten timed predictions of `batch`, sorted.
fn time_predict<M: Predict>(model: &M, batch: &Array2<f64>) -> Result<Vec<f64>, BoxError> {
    let mut times = Vec::new();
    for _ in 0..10 {
        let start = Instant::now();
        std::hint::black_box(model.predict(batch.view())?);
        times.push(start.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    Ok(times)
}
