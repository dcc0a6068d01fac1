//! Customer segments: group a shop's customers by buying behaviour with k-means. Shows why the
//! features are standardized first, how to choose k (inertia elbow and silhouette with
//! `scan_k`), a k-means fit with restarts, each segment's size and centre in original units
//! with a plain description, three internal quality scores, and assigning new customers.
//!
//! Data: kiln bundles no customer table, so the example draws 1,200 customers from the seeded
//! `kiln::datasets::synthetic::MakeBlobs` generator (four hidden segments in standardized
//! units) and maps each column to a unit of its own: recency (days since the last order),
//! frequency (orders per year), monetary (spend over the last year, EUR) and tenure (months
//! as a customer).
//!
//! Run with `cargo run --release --example customer_segments`.

use kiln::cluster::{KMeans, scan_k};
use kiln::datasets::synthetic::MakeBlobs;
use kiln::metrics::cluster::{
    adjusted_rand_score, calinski_harabasz_score, davies_bouldin_score, silhouette_score,
};
use kiln::prelude::*;
use kiln::prep::scale::StandardScaler;
use ndarray::{Array2, array};

const SEED: u64 = 11;
const GOAL_SILHOUETTE: f64 = 0.40;
const FEATURES: [&str; 4] = ["recency", "frequency", "monetary", "tenure"];
const UNITS: [&str; 4] = ["days", "orders/yr", "EUR/yr", "months"];
/// Per feature: (typical value, spread, smallest possible value) that map standardized
/// draws to real units.
const SCALE: [(f64, f64, f64); 4] = [
    (60.0, 40.0, 1.0),
    (12.0, 8.0, 1.0),
    (600.0, 400.0, 20.0),
    (30.0, 18.0, 1.0),
];
/// What a high / low value of each feature means, for the segment descriptions.
const WORDS: [(&str, &str); 4] = [
    ("lapsed", "bought recently"),
    ("frequent", "rare"),
    ("big spenders", "small spenders"),
    ("long-standing", "new"),
];

/// The customer table: 1,200 rows in original units, and the hidden segment of each.
fn customers() -> Result<(Array2<f64>, ndarray::Array1<usize>)> {
    let hidden = array![
        [-1.2, 1.5, 1.0, 1.0],    // recent, frequent, long-standing
        [-1.0, -0.7, -0.3, -1.4], // newcomers
        [1.6, -0.9, -0.5, 0.4],   // drifting away
        [0.3, -0.3, 1.8, -0.2],   // occasional big spenders
    ];
    let blobs = MakeBlobs::default()
        .with_n_samples(1_200)
        .with_centers(hidden)
        .with_cluster_std(0.45)
        .with_seed(SEED)
        .generate()?;
    let mut x = blobs.x;
    for (mut col, &(mid, spread, floor)) in x.columns_mut().into_iter().zip(&SCALE) {
        col.mapv_inplace(|z| (mid + spread * z).max(floor).round());
    }
    Ok((x, blobs.y))
}

fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    println!("Problem: split customers into segments for targeted campaigns (clustering,");
    println!("no target). Success: mean silhouette above {GOAL_SILHOUETTE:.2} on the chosen k.\n");
    let (x, hidden) = customers()?;
    println!("{} customers, features:", x.nrows());
    for (j, name) in FEATURES.iter().enumerate() {
        let col = x.column(j);
        println!(
            "  {name:<10} {:<10} mean {:>6.1}  std {:>5.1}",
            UNITS[j],
            col.mean().unwrap_or(0.0),
            col.std(0.0)
        );
    }

    // 1. k-means measures plain Euclidean distance, so the column with the largest numbers
    //    (yearly spend, in EUR) would all but decide the clusters alone. Standardizing gives each feature
    //    the same say. The hidden segments tell us how much that matters here.
    let (scaler, z) = StandardScaler::default().fit_transform(x.view())?;
    let kmeans = KMeans::default().with_n_init(10).with_seed(SEED);
    let raw = kmeans.clone().with_n_clusters(4).fit(x.view())?;
    let scaled = kmeans.clone().with_n_clusters(4).fit(z.view())?;
    println!("\n== Why scale first ==");
    println!("k = 4 vs the hidden segments (known only because the data are synthetic):");
    let ari_raw = adjusted_rand_score(hidden.view(), raw.labels())?;
    let ari_scaled = adjusted_rand_score(hidden.view(), scaled.labels())?;
    println!("adjusted Rand index: raw units {ari_raw:.3}, standardized {ari_scaled:.3}");
    if ari_scaled > ari_raw {
        println!("In raw units the spend column drowns the others; scaled, the segments reappear.");
    }

    // 2. Choose k: inertia always falls as k grows (look for the elbow); the silhouette peaks
    //    where clusters are both tight and well apart.
    let scores = scan_k(z.view(), &[2, 3, 4, 5, 6, 7, 8], &kmeans, None, SEED)?;
    println!("\n== Choosing k ==");
    println!(
        "{:>3} {:>10} {:>9} {:>11}",
        "k", "inertia", "drop", "silhouette"
    );
    let mut prev: Option<f64> = None;
    for s in &scores {
        let drop = prev.map_or(String::new(), |p| {
            format!("{:.0}%", 100.0 * (p - s.inertia) / p)
        });
        let sil = s.silhouette.map_or("-".into(), |v| format!("{v:.3}"));
        println!("{:>3} {:>10.1} {:>9} {:>11}", s.k, s.inertia, drop, sil);
        prev = Some(s.inertia);
    }
    let best = scores
        .iter()
        .filter_map(|s| s.silhouette.map(|v| (s.k, v)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .ok_or("no k with a defined silhouette")?;
    let drop_at = |k: usize| {
        let i = scores.iter().position(|s| s.k == k)?;
        let (a, b) = (scores.get(i.checked_sub(1)?)?, scores.get(i)?);
        Some(100.0 * (a.inertia - b.inertia) / a.inertia)
    };
    println!(
        "Highest silhouette at k = {}; reaching it cuts inertia {:.0}%, one more k {:.0}%.",
        best.0,
        drop_at(best.0).unwrap_or(f64::NAN),
        drop_at(best.0 + 1).unwrap_or(f64::NAN)
    );

    // 3. Fit the chosen k with 10 restarts from k-means++ seeds; the best run is kept.
    let model = kmeans.with_n_clusters(best.0).fit(z.view())?;
    let centres = scaler.inverse_transform(model.cluster_centers())?;
    let labels = model.labels();
    println!("\n== {} segments (centres in original units) ==", best.0);
    print!("{:<4} {:>6}", "seg", "size");
    for name in FEATURES {
        print!(" {name:>10}");
    }
    println!();
    for (c, centre) in centres.rows().into_iter().enumerate() {
        let size = labels.iter().filter(|&&l| l == c).count();
        print!("{c:<4} {size:>6}");
        for v in centre {
            print!(" {v:>10.1}");
        }
        println!();
    }
    // The centres in standardized units are z-scores: above +0.5 or below -0.5 is notable.
    for (c, zc) in model.cluster_centers().rows().into_iter().enumerate() {
        let traits: Vec<&str> = zc
            .iter()
            .zip(&WORDS)
            .filter(|(v, _)| v.abs() > 0.5)
            .map(|(&v, &(high, low))| if v > 0.0 { high } else { low })
            .collect();
        let line = if traits.is_empty() {
            "average on every feature".into()
        } else {
            traits.join(", ")
        };
        println!("  segment {c}: {line}");
    }

    // 4. Internal quality scores on the standardized features.
    let sil = silhouette_score(z.view(), labels)?;
    println!("\n== Cluster quality (standardized features) ==");
    println!("silhouette        {sil:>8.3}  (-1..1, higher is better)");
    println!(
        "Davies-Bouldin    {:>8.3}  (0.., lower is better)",
        davies_bouldin_score(z.view(), labels)?
    );
    println!(
        "Calinski-Harabasz {:>8.1}  (higher is better)",
        calinski_harabasz_score(z.view(), labels)?
    );

    // 5. New customers: scale with the *fitted* scaler, then take the nearest centre.
    let new = array![
        [5.0, 30.0, 1500.0, 48.0],
        [20.0, 3.0, 250.0, 2.0],
        [150.0, 4.0, 300.0, 36.0]
    ];
    let assigned = model.predict(scaler.transform(new.view())?.view())?;
    println!("\n== New customers ==");
    for (row, seg) in new.rows().into_iter().zip(&assigned) {
        println!(
            "  recency {:>3} d, {:>2} orders/yr, {:>4} EUR/yr, {:>2} months -> segment {seg}",
            row[0], row[1], row[2], row[3]
        );
    }

    let met = sil > GOAL_SILHOUETTE;
    println!(
        "\nGoal {}: mean silhouette {sil:.3} with k = {} (goal > {GOAL_SILHOUETTE:.2}).",
        if met { "MET" } else { "NOT met" },
        best.0
    );
    Ok(())
}
