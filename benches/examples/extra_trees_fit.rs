//! Fits a 100-tree extra-trees classifier on a workload's training rows once and prints the
//! time, the trees' mean node count and depth, and the held-out accuracy: a quick probe for
//! profiling the random-split path (`perf record` around it).
//!
//! ```text
//! cargo run --release -p kiln-benches --example extra_trees_fit -- clf_100k [n_estimators]
//! ```
//!
//! The workload files come from `kiln-bench gen` (see `docs/benchmarks.md`).

use std::path::Path;
use std::time::Instant;

use kiln::prelude::*;
use kiln::tree::ExtraTreesClassifier;
use kiln_benches::workload::Manifest;

fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let args: Vec<String> = std::env::args().collect();
    let Some(name) = args.get(1) else {
        return Err("usage: extra_trees_fit WORKLOAD [N_ESTIMATORS]".into());
    };
    let n_estimators: usize = args.get(2).map_or(Ok(100), |s| s.parse())?;
    let dir = Path::new("benches/data");
    let manifest = Manifest::read(dir)?;
    let train = manifest.load_named(dir, name)?;
    let test = manifest.load_named(dir, &format!("{name}_test"))?;
    let t0 = Instant::now();
    let forest = ExtraTreesClassifier::default()
        .with_n_estimators(n_estimators)
        .fit(train.x.view(), train.classes().view())?;
    let fit = t0.elapsed().as_secs_f64();
    let trees = forest.trees();
    let nodes = trees.iter().map(|t| t.node_count()).sum::<usize>() as f64 / trees.len() as f64;
    let depth = trees.iter().map(|t| t.depth()).sum::<usize>() as f64 / trees.len() as f64;
    let pred = forest.predict(test.x.view())?;
    let y = test.classes();
    let acc = pred.iter().zip(y.iter()).filter(|(a, b)| a == b).count() as f64 / y.len() as f64;
    println!("fit {fit:.3} s, mean nodes {nodes:.0}, mean depth {depth:.1}, accuracy {acc:.4}");
    Ok(())
}
