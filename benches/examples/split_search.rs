//! Fits a 100-tree random forest with the exact or the histogram split search on a benchmark
//! workload and prints the fit time, the held-out accuracy and the best of three predictions
//! of 100k rows: the measurement behind the split-search table of `docs/trees.md`.
//!
//! ```text
//! cargo run --release -p kiln-benches --example split_search -- multiclass_50k histogram 100
//! cargo run --release -p kiln-benches --example split_search -- multiclass_50k exact 100
//! ```
//!
//! The workload files come from `kiln-bench gen` (see `benches/README.md`).

use std::path::Path;
use std::time::Instant;

use kiln::prelude::*;
use kiln::tree::{RandomForestClassifier, SplitSearch};
use kiln_benches::workload::Manifest;

fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: split_search WORKLOAD exact|histogram N_TREES";
    let (Some(name), Some(mode), Some(n_trees)) = (args.get(1), args.get(2), args.get(3)) else {
        return Err(usage.into());
    };
    let n_trees: usize = n_trees.parse()?;
    let split = match mode.as_str() {
        "exact" => SplitSearch::Exact,
        "histogram" => SplitSearch::Histogram,
        _ => return Err(usage.into()),
    };
    let dir = Path::new("benches/data");
    let manifest = Manifest::read(dir)?;
    let train = manifest.load_named(dir, name)?;
    let test = manifest.load_named(dir, &format!("{name}_test"))?;

    let start = Instant::now();
    let forest = RandomForestClassifier::default()
        .with_n_estimators(n_trees)
        .with_split_search(split)
        .fit(train.x.view(), train.classes().view())?;
    let fit = start.elapsed().as_secs_f64();
    let pred = forest.predict(test.x.view())?;
    let right = pred
        .iter()
        .zip(test.classes().iter())
        .filter(|(a, b)| a == b)
        .count();
    let accuracy = right as f64 / pred.len() as f64;
    let batch = test.tiled(100_000);
    let mut best = f64::INFINITY;
    for _ in 0..3 {
        let start = Instant::now();
        forest.predict(batch.view())?;
        best = best.min(start.elapsed().as_secs_f64());
    }
    println!(
        "{name} {mode} {n_trees} trees: fit {fit:.3} s, accuracy {accuracy:.4}, \
         predict 100k rows {best:.3} s"
    );
    Ok(())
}
