//! Data loading, timing, quality metrics and small helpers shared by every peer.

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::time::Instant;

/// Rows in the predict batch (test rows tiled up to this many).
pub const PREDICT_ROWS: usize = 100_000;
/// How many predict calls are timed.
pub const PREDICT_REPEATS: usize = 3;

/// One workload file: row-major features and the last column.
pub struct Table {
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    pub rows: usize,
    pub features: usize,
}

/// A manifest entry (only the fields this tool reads).
#[derive(Clone, Debug)]
pub struct Entry {
    pub name: String,
    pub task: String,
    pub n_classes: usize,
    pub rows: usize,
    pub features: usize,
    pub file: String,
    pub sha256: Option<String>,
    pub test: Option<String>,
}

pub fn read_manifest(dir: &Path) -> Result<Vec<Entry>, String> {
    let path = dir.join("manifest.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let v: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    if v["format"].as_u64() != Some(1) {
        return Err(format!("{}: unsupported format {}", path.display(), v["format"]));
    }
    let list = v["workloads"].as_array().ok_or("manifest has no workloads list")?;
    let mut out = Vec::new();
    for w in list {
        let s = |k: &str| w[k].as_str().map(str::to_string);
        let u = |k: &str| w[k].as_u64().map(|x| x as usize);
        out.push(Entry {
            name: s("name").ok_or("workload without name")?,
            task: s("task").ok_or("workload without task")?,
            n_classes: u("n_classes").unwrap_or(0),
            rows: u("rows").ok_or("workload without rows")?,
            features: u("features").ok_or("workload without features")?,
            file: s("file").ok_or("workload without file")?,
            sha256: s("sha256"),
            test: s("test"),
        });
    }
    Ok(out)
}

pub fn sha256_file(path: &Path) -> Result<String, String> {
    let mut f = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 22];
    loop {
        let n = f.read(&mut buf).map_err(|e| format!("{}: {e}", path.display()))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Reads a `.f64` file straight into separate feature and label buffers (no full-file copy).
pub fn load_table(dir: &Path, e: &Entry) -> Result<Table, String> {
    let path = dir.join(&e.file);
    let width = e.features + 1;
    let expected = (e.rows * width * 8) as u64;
    let size = std::fs::metadata(&path).map_err(|err| format!("{}: {err}", path.display()))?.len();
    if size != expected {
        return Err(format!(
            "{}: {size} bytes, expected {} x {width} x 8 = {expected}",
            path.display(),
            e.rows
        ));
    }
    let mut r = BufReader::with_capacity(1 << 20, File::open(&path).map_err(|err| err.to_string())?);
    let mut x = Vec::with_capacity(e.rows * e.features);
    let mut y = Vec::with_capacity(e.rows);
    let mut row = vec![0u8; width * 8];
    for _ in 0..e.rows {
        r.read_exact(&mut row).map_err(|err| format!("{}: {err}", path.display()))?;
        for (j, c) in row.chunks_exact(8).enumerate() {
            let v = f64::from_le_bytes(c.try_into().unwrap());
            if j < e.features {
                x.push(v);
            } else {
                y.push(v);
            }
        }
    }
    Ok(Table { x, y, rows: e.rows, features: e.features })
}

/// Tiles the rows of `x` (row-major, `features` wide) until there are `n` rows.
pub fn tile_rows(x: &[f64], features: usize, n: usize) -> Vec<f64> {
    let need = n * features;
    let mut out = Vec::with_capacity(need);
    while out.len() < need {
        let take = (need - out.len()).min(x.len());
        out.extend_from_slice(&x[..take]);
    }
    out
}

pub fn labels_usize(y: &[f64]) -> Vec<usize> {
    y.iter().map(|&v| v.round().max(0.0) as usize).collect()
}

pub fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = s.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        s[n / 2]
    } else {
        0.5 * (s[n / 2 - 1] + s[n / 2])
    }
}

/// The timings of one run.
pub struct Timing {
    pub warmup: f64,
    pub fit_runs: Vec<f64>,
    pub note: Option<String>,
}

/// One warm-up fit, then `repeats` timed fits; returns the last model. If the warm-up alone takes
/// longer than `budget` seconds, only one timed fit follows (and the note says so).
pub fn time_fits<M>(
    repeats: usize,
    budget: f64,
    mut fit: impl FnMut() -> Result<M, String>,
) -> Result<(M, Timing), String> {
    let t = Instant::now();
    let mut model = fit()?;
    let warmup = t.elapsed().as_secs_f64();
    let mut n = repeats.max(1);
    let mut note = None;
    if warmup > budget && n > 1 {
        note = Some(format!(
            "warm-up fit took {warmup:.1} s (> budget {budget} s): 1 timed fit instead of {n}"
        ));
        n = 1;
    }
    let mut runs = Vec::with_capacity(n);
    for _ in 0..n {
        drop(model);
        let t = Instant::now();
        model = fit()?;
        runs.push(t.elapsed().as_secs_f64());
    }
    Ok((model, Timing { warmup, fit_runs: runs, note }))
}

/// Times `PREDICT_REPEATS` calls of `predict`.
pub fn time_predicts<P>(mut predict: impl FnMut() -> Result<P, String>) -> Result<Vec<f64>, String> {
    let mut runs = Vec::new();
    for _ in 0..PREDICT_REPEATS {
        let t = Instant::now();
        let p = predict()?;
        runs.push(t.elapsed().as_secs_f64());
        drop(p);
    }
    Ok(runs)
}

// ------------------------------------------------------------------------------------ metrics

pub fn accuracy(truth: &[usize], pred: &[usize]) -> f64 {
    let hits = truth.iter().zip(pred).filter(|(a, b)| a == b).count();
    hits as f64 / truth.len().max(1) as f64
}

/// Mean negative log-likelihood; `proba` is row-major `n x k`, column c = class c. Probabilities
/// are clipped to [1e-15, 1 - 1e-15] as scikit-learn does.
pub fn log_loss(truth: &[usize], proba: &[f64], k: usize) -> f64 {
    let eps = 1e-15;
    let mut s = 0.0;
    for (i, &t) in truth.iter().enumerate() {
        let row = &proba[i * k..(i + 1) * k];
        let total: f64 = row.iter().sum();
        let p = if t < k { row[t] / total } else { 0.0 };
        s -= p.clamp(eps, 1.0 - eps).ln();
    }
    s / truth.len().max(1) as f64
}

/// ROC AUC by the rank-sum (Mann-Whitney) formula; tied scores share their average rank.
pub fn roc_auc(truth: &[usize], score: &[f64]) -> Option<f64> {
    let n = truth.len();
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&a, &b| score[a].partial_cmp(&score[b]).unwrap_or(std::cmp::Ordering::Equal));
    let mut rank_sum_pos = 0.0;
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && score[idx[j + 1]] == score[idx[i]] {
            j += 1;
        }
        let avg_rank = (i + j) as f64 / 2.0 + 1.0; // ranks are 1-based
        for &r in &idx[i..=j] {
            if truth[r] == 1 {
                rank_sum_pos += avg_rank;
            }
        }
        i = j + 1;
    }
    let pos = truth.iter().filter(|&&t| t == 1).count() as f64;
    let neg = n as f64 - pos;
    if pos == 0.0 || neg == 0.0 {
        return None;
    }
    Some((rank_sum_pos - pos * (pos + 1.0) / 2.0) / (pos * neg))
}

pub fn r2_rmse(truth: &[f64], pred: &[f64]) -> (f64, f64) {
    let n = truth.len() as f64;
    let mean = truth.iter().sum::<f64>() / n;
    let ss_res: f64 = truth.iter().zip(pred).map(|(t, p)| (t - p) * (t - p)).sum();
    let ss_tot: f64 = truth.iter().map(|t| (t - mean) * (t - mean)).sum();
    (1.0 - ss_res / ss_tot, (ss_res / n).sqrt())
}

/// Sum of squared distances of each row to the centre it is assigned to; `vals` yields the
/// matrix values in row-major order.
pub fn inertia(
    vals: impl Iterator<Item = f64>,
    features: usize,
    assign: &[usize],
    centres: &[f64],
) -> f64 {
    let mut total = 0.0;
    for (pos, v) in vals.enumerate() {
        let (i, j) = (pos / features, pos % features);
        let d = v - centres[assign[i] * features + j];
        total += d * d;
    }
    total
}

/// Centres as the mean of the rows assigned to each cluster (for libraries that hide theirs).
pub fn mean_centres(
    vals: impl Iterator<Item = f64>,
    features: usize,
    assign: &[usize],
    k: usize,
) -> Vec<f64> {
    let mut sums = vec![0.0; k * features];
    let mut counts = vec![0usize; k];
    for (pos, v) in vals.enumerate() {
        let (i, j) = (pos / features, pos % features);
        if j == 0 {
            counts[assign[i]] += 1;
        }
        sums[assign[i] * features + j] += v;
    }
    for c in 0..k {
        if counts[c] > 0 {
            for s in &mut sums[c * features..(c + 1) * features] {
                *s /= counts[c] as f64;
            }
        }
    }
    sums
}

/// Adjusted Rand index from the contingency table of two labelings.
pub fn adjusted_rand(a: &[usize], b: &[usize]) -> f64 {
    use std::collections::HashMap;
    let comb2 = |n: f64| n * (n - 1.0) / 2.0;
    let mut table: HashMap<(usize, usize), f64> = HashMap::new();
    let mut ra: HashMap<usize, f64> = HashMap::new();
    let mut rb: HashMap<usize, f64> = HashMap::new();
    for (&x, &y) in a.iter().zip(b) {
        *table.entry((x, y)).or_default() += 1.0;
        *ra.entry(x).or_default() += 1.0;
        *rb.entry(y).or_default() += 1.0;
    }
    let n = a.len() as f64;
    let index: f64 = table.values().map(|&v| comb2(v)).sum();
    let sum_a: f64 = ra.values().map(|&v| comb2(v)).sum();
    let sum_b: f64 = rb.values().map(|&v| comb2(v)).sum();
    let expected = sum_a * sum_b / comb2(n);
    let max = 0.5 * (sum_a + sum_b);
    if (max - expected).abs() < f64::EPSILON * max.max(1.0) {
        return 1.0; // both labelings trivial (one cluster each, or all singletons)
    }
    (index - expected) / (max - expected)
}

/// Fills the classifier quality keys.
pub fn classifier_quality(
    truth: &[usize],
    pred: &[usize],
    proba: Option<&[f64]>,
    k: usize,
) -> Map<String, Value> {
    let mut q = Map::new();
    q.insert("accuracy".into(), json!(accuracy(truth, pred)));
    if let Some(p) = proba {
        q.insert("log_loss".into(), json!(log_loss(truth, p, k)));
        if k == 2 {
            let score: Vec<f64> = p.chunks_exact(2).map(|r| r[1] / (r[0] + r[1])).collect();
            if let Some(auc) = roc_auc(truth, &score) {
                q.insert("roc_auc".into(), json!(auc));
            }
        }
    }
    q
}

pub fn regression_quality(truth: &[f64], pred: &[f64]) -> Map<String, Value> {
    let (r2, rmse) = r2_rmse(truth, pred);
    let mut q = Map::new();
    q.insert("r2".into(), json!(r2));
    q.insert("rmse".into(), json!(rmse));
    q
}

pub fn clustering_quality(
    vals: impl Iterator<Item = f64>,
    features: usize,
    truth: &[usize],
    assign: &[usize],
    centres: &[f64],
) -> Map<String, Value> {
    let mut q = Map::new();
    q.insert("inertia".into(), json!(inertia(vals, features, assign, centres)));
    q.insert("adjusted_rand".into(), json!(adjusted_rand(truth, assign)));
    q
}

// ------------------------------------------------------------------------------------ system

/// Peak resident set size of this process (VmHWM), in MiB.
pub fn peak_rss_mib() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Current UTC time as RFC 3339 (seconds precision), without a date crate.
pub fn rfc3339_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_with_ties() {
        // scikit-learn: roc_auc_score([0,0,1,1],[0.1,0.4,0.35,0.8]) == 0.75
        assert!((roc_auc(&[0, 0, 1, 1], &[0.1, 0.4, 0.35, 0.8]).unwrap() - 0.75).abs() < 1e-12);
        // all tied -> 0.5
        assert!((roc_auc(&[0, 1, 0, 1], &[1.0; 4]).unwrap() - 0.5).abs() < 1e-12);
    }

    #[test]
    fn ari_known_values() {
        // scikit-learn: adjusted_rand_score([0,0,1,1],[1,1,0,0]) == 1.0
        assert!((adjusted_rand(&[0, 0, 1, 1], &[1, 1, 0, 0]) - 1.0).abs() < 1e-12);
        // scikit-learn: adjusted_rand_score([0,0,1,2],[0,0,1,1]) == 0.5714285714285715
        assert!((adjusted_rand(&[0, 0, 1, 2], &[0, 0, 1, 1]) - 0.5714285714285715).abs() < 1e-12);
        // scikit-learn: adjusted_rand_score([0,0,1,1],[0,1,0,1]) == -0.5
        assert!((adjusted_rand(&[0, 0, 1, 1], &[0, 1, 0, 1]) + 0.5).abs() < 1e-12);
    }

    #[test]
    fn timestamp_shape() {
        let t = rfc3339_now();
        assert_eq!(t.len(), 20);
        assert!(t.ends_with('Z'));
    }
}
