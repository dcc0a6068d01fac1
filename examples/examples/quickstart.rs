//! Quickstart: state a problem, look at its data, take a first look at fairness, and save what
//! was learned in a checked model file.
//!
//! Run with `cargo run --release --example quickstart`. Later issues grow this into the full
//! workflow (prepare, train, evaluate, audit, deploy).

use std::collections::BTreeMap;

use kiln::datasets::synthetic::MakeCredit;
use kiln::datasets::{Dataset, Task};
use kiln::persist::{self, FeatureSchema, Persist};
use kiln::prelude::*;
use serde::{Deserialize, Serialize};

/// What we learned about the favourable-outcome rate per group: a tiny "model" to save.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct BaseRates {
    sensitive: String,
    positive: String,
    /// group → (count, favourable rate)
    rates: BTreeMap<String, (usize, f64)>,
}

impl Persist for BaseRates {
    const KIND: &'static str = "kiln_examples::BaseRates";
    type Params = ();
    fn params(&self) -> &() {
        &()
    }
    fn feature_schema(&self) -> FeatureSchema {
        FeatureSchema::with_names(vec![self.sensitive.clone()])
    }
}

/// Favourable-outcome rate per value of `groups`, with `y` holding 1.0 for favourable.
fn base_rates(groups: &[String], y: &[f64]) -> BTreeMap<String, (usize, f64)> {
    let mut acc: BTreeMap<String, (usize, f64)> = BTreeMap::new();
    for (g, &v) in groups.iter().zip(y) {
        let e = acc.entry(g.clone()).or_insert((0, 0.0));
        e.0 += 1;
        e.1 += v;
    }
    for e in acc.values_mut() {
        e.1 /= e.0 as f64;
    }
    acc
}

fn main() -> Result<()> {
    // 1. State the problem from the data set's metadata.
    let data = Dataset::GermanCredit;
    let info = data.info();
    let positive = info.positive_class.unwrap_or("good").to_string();
    println!("Problem: {} ({:?})", info.name, info.task);
    println!(
        "  predict `{}`; favourable (positive) class `{positive}`; sensitive: {:?}",
        info.target, info.sensitive
    );
    println!(
        "  {} rows, {} numeric and {} categorical features",
        info.rows,
        info.features_numeric.len(),
        info.features_categorical.len()
    );
    assert_eq!(info.task, Task::Binary);

    // 2. Look at the target with the positive class made explicit.
    let target = data.column_strings(info.target)?;
    let labels = ClassLabels::binary(target.iter().cloned(), &positive)?;
    let y = labels.encode_positive(target.iter())?;
    let y = y.to_vec();
    let overall = y.iter().sum::<f64>() / y.len() as f64;
    println!(
        "\nClasses {:?}; {:.1}% favourable overall",
        labels.classes(),
        100.0 * overall
    );

    // 3. A first fairness look, before any model: favourable rate per group, and the ratio of
    //    the lowest to the highest (the "four-fifths rule" flags a ratio below 0.8).
    let mut saved = Vec::new();
    for sensitive in info.sensitive {
        let groups = data.column_strings(sensitive)?;
        let rates = base_rates(&groups, &y);
        println!("\nFavourable rate by `{sensitive}`:");
        for (g, (n, r)) in &rates {
            println!("  {g:<8} n={n:<4} {:.1}%", 100.0 * r);
        }
        let lo = rates.values().map(|r| r.1).fold(f64::INFINITY, f64::min);
        let hi = rates.values().map(|r| r.1).fold(0.0, f64::max);
        let ratio = lo / hi;
        let verdict = if ratio < 0.8 {
            "below 0.8: look closer"
        } else {
            "at least 0.8"
        };
        println!("  ratio lowest/highest = {ratio:.3} ({verdict})");
        saved.push(BaseRates {
            sensitive: sensitive.to_string(),
            positive: positive.clone(),
            rates,
        });
    }

    // 4. Synthetic data with a known, injected bias: the gap grows with it.
    println!("\nSynthetic credit data, approval rate (reference vs protected group):");
    for bias in [0.0, 0.5, 1.0, 2.0] {
        let d = MakeCredit::default()
            .with_n_samples(20_000)
            .with_bias(bias)
            .with_seed(7)
            .generate()?;
        let rate = |g: usize| {
            let (mut n, mut k) = (0usize, 0usize);
            for (i, &grp) in d.group.iter().enumerate() {
                if grp == g {
                    n += 1;
                    k += d.y[i];
                }
            }
            k as f64 / n.max(1) as f64
        };
        let (r0, r1) = (rate(0), rate(1));
        println!(
            "  bias {bias:.1}: {:.1}% vs {:.1}% (ratio {:.3})",
            100.0 * r0,
            100.0 * r1,
            r1 / r0
        );
    }

    // 5. Save what we learned and load it back: atomic write, checksummed, versioned.
    let dir = std::env::temp_dir().join(format!("kiln-quickstart-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| Error::io_at(&dir, e))?;
    let path = dir.join("german_credit_base_rates.kiln");
    persist::save(&saved[0], &path)?;
    let back: BaseRates = persist::load(&path)?;
    assert_eq!(back, saved[0]);
    let header = persist::read_header(&std::fs::read(&path).map_err(|e| Error::io_at(&path, e))?)?;
    println!(
        "\nSaved and reloaded {} ({} bytes, kind `{}`, kiln {})",
        path.display(),
        std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0),
        header.kind,
        header.kiln_version
    );
    // A damaged file is refused with the check that failed, never loaded.
    let mut bytes = std::fs::read(&path).map_err(|e| Error::io_at(&path, e))?;
    let last = bytes.len() - 40;
    bytes[last] ^= 0xff;
    match persist::from_bytes::<BaseRates>(&bytes) {
        Err(e) => println!("A corrupted copy is refused: {e}"),
        Ok(_) => println!("unexpected: a corrupted copy loaded"),
    }
    std::fs::remove_dir_all(&dir).map_err(|e| Error::io_at(&dir, e))?;
    Ok(())
}
