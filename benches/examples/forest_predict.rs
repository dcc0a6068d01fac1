//! Times a 100-tree random forest's prediction of 100k rows (the workload's test rows, tiled),
//! ten times, and prints the best and the median: the interleaved measurement behind the
//! prediction paragraph of `docs/trees.md`. The fitted forest is cached at `MODEL_PATH` (fitted
//! and saved on the first run), so runs can alternate with
//! `benches/peers/forest_predict.py`, which does the same for scikit-learn.
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
use kiln::tree::{FittedRandomForestClassifier, RandomForestClassifier};
use kiln_benches::workload::Manifest;

fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(name), Some(model_path)) = (args.get(1), args.get(2)) else {
        return Err("usage: forest_predict WORKLOAD MODEL_PATH".into());
    };
    let dir = Path::new("benches/data");
    let manifest = Manifest::read(dir)?;
    let test = manifest.load_named(dir, &format!("{name}_test"))?;
    let forest: FittedRandomForestClassifier = if Path::new(model_path).exists() {
        kiln::persist::load(model_path)?
    } else {
        let train = manifest.load_named(dir, name)?;
        let forest = RandomForestClassifier::default()
            .with_n_estimators(100)
            .fit(train.x.view(), train.classes().view())?;
        kiln::persist::save(&forest, model_path)?;
        forest
    };
    let batch = test.tiled(100_000);
    let mut times = Vec::new();
    for _ in 0..10 {
        let start = Instant::now();
        std::hint::black_box(forest.predict(batch.view())?);
        times.push(start.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    println!(
        "kiln {name}: predict 100k rows, best {:.3} s, median {:.3} s",
        times[0], times[5]
    );
    Ok(())
}
