//! The measurement protocol shared with the peers' runners: one warm-up fit, the median of at
//! least three timed fits, the median of three predicts on a 100,000-row batch, quality on the
//! held-out rows, and the process's peak resident memory.

use std::time::Instant;

use ndarray::{Array1, Array2, ArrayView2};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::BenchResult;
use crate::quality;
use crate::workload::{Entry, Table, Task};

/// Rows in the batch whose prediction is timed.
pub const PREDICT_ROWS: usize = 100_000;
/// Timed predicts per run.
pub const PREDICT_REPEATS: usize = 3;

/// What a fitted model gives back for quality measures.
#[derive(Debug, Clone)]
pub enum Prediction {
    /// Class indices, with class probabilities (columns = classes `0..n_classes`) if available.
    Classes {
        /// Predicted class of each row.
        labels: Array1<usize>,
        /// Probabilities, when the model has them.
        proba: Option<Array2<f64>>,
    },
    /// Real-valued predictions.
    Values(Array1<f64>),
    /// Cluster indices, and the centres they refer to.
    Clusters {
        /// Cluster of each row.
        labels: Array1<usize>,
        /// The centres, `k × features`.
        centres: Array2<f64>,
    },
}

/// A fitted model as the harness sees it.
pub trait BenchModel {
    /// Predicts every row of `x`.
    ///
    /// # Errors
    /// Whatever the model reports.
    fn predict(&self, x: ArrayView2<'_, f64>) -> BenchResult<Prediction>;

    /// What the timed predict runs: what the peers' `predict()` computes (class labels, values
    /// or cluster indices, without probabilities). By default, [`BenchModel::predict`].
    ///
    /// # Errors
    /// Whatever the model reports.
    fn predict_timed(&self, x: ArrayView2<'_, f64>) -> BenchResult<()> {
        self.predict(x).map(|_| ())
    }

    /// Facts worth recording (iterations, tree sizes), as JSON.
    fn info(&self) -> Map<String, Value> {
        Map::new()
    }
}

/// A kiln algorithm registered with the harness.
pub struct Algorithm {
    /// Snake-case name, e.g. `kmeans`.
    pub name: &'static str,
    /// The family it is compared in, spelled as the peers' runners spell it.
    pub family: &'static str,
    /// The tasks it runs on.
    pub tasks: &'static [Task],
    /// Its parameters, for the record.
    pub params: fn(&Entry) -> Value,
    /// Fits on the training table.
    pub fit: fn(&Entry, &Table) -> BenchResult<Box<dyn BenchModel>>,
    /// A note for the report.
    pub notes: &'static str,
}

/// One line of a results file; the keys match the peers' runners.
#[derive(Debug, Clone, Serialize)]
pub struct Record {
    /// `kiln`.
    pub library: String,
    /// The kiln version.
    pub library_version: String,
    /// Algorithm name.
    pub algorithm: String,
    /// Comparison family.
    pub family: String,
    /// Parameters used.
    pub params: Value,
    /// Free-text note.
    pub notes: String,
    /// Workload name.
    pub workload: String,
    /// Task name.
    pub task: Task,
    /// Training rows.
    pub n_train: usize,
    /// Test rows (0 if none).
    pub n_test: usize,
    /// Features.
    pub n_features: usize,
    /// Timed fits.
    pub repeats: usize,
    /// Threads used.
    pub threads: usize,
    /// `ok` or `error`.
    pub status: String,
    /// The error, when not ok.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Median fit seconds.
    pub fit_seconds: Option<f64>,
    /// Every timed fit.
    pub fit_runs: Vec<f64>,
    /// The warm-up fit.
    pub warmup_seconds: Option<f64>,
    /// Median predict seconds on the batch.
    pub predict_seconds: Option<f64>,
    /// Every timed predict.
    pub predict_runs: Vec<f64>,
    /// Rows in the predict batch.
    pub predict_rows: usize,
    /// Quality measures.
    pub quality: Map<String, Value>,
    /// `test` or `train`.
    pub quality_on: String,
    /// Model facts.
    pub model_info: Map<String, Value>,
    /// Peak resident memory of the process, MiB.
    pub peak_rss_mib: Option<f64>,
    /// The process's `GLIBC_TUNABLES` (`benches/run.sh` sets `glibc.malloc.hugetlb=1`: large
    /// allocations ask for transparent huge pages, as NumPy's arrays do), if set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub glibc_tunables: Option<String>,
    /// Whether malloc asked for transparent huge pages for a large allocation in the process
    /// that wrote the record ([`malloc_thp`]); `None` where that cannot be read. With glibc
    /// 2.36 here and `glibc.malloc.hugetlb=1` it did in about a third of the processes only
    /// (see `docs/benchmarks.md`), and data-bound rows run up to twice as fast when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub malloc_thp: Option<bool>,
    /// When the run ended (seconds since the Unix epoch, UTC).
    pub timestamp: String,
}

/// What one run measured.
#[derive(Debug, Clone)]
pub struct Measured {
    /// Seconds of each timed fit.
    pub fits: Vec<f64>,
    /// Seconds of the warm-up fit.
    pub warmup: f64,
    /// Seconds of each timed predict of the batch.
    pub predicts: Vec<f64>,
    /// Quality measures on the held-out rows.
    pub quality: Map<String, Value>,
    /// Model facts.
    pub info: Map<String, Value>,
}

/// Runs `algo` on `train` (and `test`) under the protocol.
pub fn measure(
    algo: &Algorithm,
    entry: &Entry,
    train: &Table,
    test: Option<&Table>,
    repeats: usize,
) -> BenchResult<Measured> {
    let t = Instant::now();
    let mut model = (algo.fit)(entry, train)?;
    let warmup = t.elapsed().as_secs_f64();
    let mut fits = Vec::with_capacity(repeats);
    for _ in 0..repeats.max(1) {
        let t = Instant::now();
        model = (algo.fit)(entry, train)?;
        fits.push(t.elapsed().as_secs_f64());
    }
    let eval = test.unwrap_or(train);
    let batch = eval.tiled(PREDICT_ROWS);
    let mut predicts = Vec::with_capacity(PREDICT_REPEATS);
    for _ in 0..PREDICT_REPEATS {
        let t = Instant::now();
        model.predict_timed(batch.view())?;
        predicts.push(t.elapsed().as_secs_f64());
    }
    let pred = model.predict(eval.x.view())?;
    let quality = quality::measure(entry.task, eval, &pred)?;
    Ok(Measured {
        fits,
        warmup,
        predicts,
        quality,
        info: model.info(),
    })
}

/// The median of `v` (the mean of the middle two for an even count); `None` when empty.
pub fn median(v: &[f64]) -> Option<f64> {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(s[n / 2]),
        _ => Some((s[n / 2 - 1] + s[n / 2]) / 2.0),
    }
}

/// The peak resident memory of this process in MiB (`VmHWM` in `/proc/self/status`), where
/// the platform reports it.
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Whether a fresh 8 MiB allocation landed in memory advised for transparent huge pages
/// (the `hg` flag of its mapping in `/proc/self/smaps`): what `GLIBC_TUNABLES=
/// glibc.malloc.hugetlb=1` is meant to do for every large allocation. `None` where
/// `/proc/self/smaps` cannot be read or the mapping is not found.
pub fn malloc_thp() -> Option<bool> {
    let probe = std::hint::black_box(vec![1_u8; 8 << 20]);
    let at = probe.as_ptr() as usize;
    let smaps = std::fs::read_to_string("/proc/self/smaps").ok()?;
    let mut inside = false;
    for line in smaps.lines() {
        let range = line.split_whitespace().next().unwrap_or("");
        if let Some((lo, hi)) = range.split_once('-')
            && let (Ok(lo), Ok(hi)) = (usize::from_str_radix(lo, 16), usize::from_str_radix(hi, 16))
        {
            inside = lo <= at && at < hi;
            continue;
        }
        if inside && let Some(flags) = line.strip_prefix("VmFlags:") {
            return Some(flags.split_whitespace().any(|f| f == "hg"));
        }
    }
    None
}

/// The 1-minute load average from `/proc/loadavg`, if readable.
pub fn loadavg_1min() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// `line` (one JSON record) with `loadavg_1min` set to the load averages seen just before
/// (`before`) and after the run, as the Python peers' records carry them; unchanged if it is
/// not a JSON object or no load average is available.
pub fn with_load(line: &str, before: Option<f64>) -> String {
    let after = loadavg_1min();
    let Ok(Value::Object(mut rec)) = serde_json::from_str::<Value>(line) else {
        return line.to_owned();
    };
    let seen: Vec<f64> = [before, after].into_iter().flatten().collect();
    if seen.is_empty() {
        return line.to_owned();
    }
    rec.insert("loadavg_1min".into(), seen.into());
    serde_json::to_string(&rec).unwrap_or_else(|_| line.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_averages_are_added_to_a_record() {
        let line = with_load(r#"{"library":"kiln"}"#, Some(1.5));
        let v: Value = serde_json::from_str(&line).unwrap_or_default();
        assert_eq!(v["library"], "kiln");
        assert_eq!(v["loadavg_1min"][0], 1.5);
        if cfg!(target_os = "linux") {
            assert_eq!(v["loadavg_1min"].as_array().map(Vec::len), Some(2));
        }
        // Not a record: unchanged.
        assert_eq!(with_load("not json", Some(1.0)), "not json");
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn the_huge_page_probe_finds_its_mapping_on_linux() {
        // Whether the flag is set depends on glibc and the environment; that the probe's
        // mapping is found and its flags read must not.
        if cfg!(target_os = "linux") {
            assert!(malloc_thp().is_some());
        }
    }

    #[test]
    fn peak_rss_is_reported_on_linux() {
        if cfg!(target_os = "linux") {
            let mib = peak_rss_mib().unwrap();
            assert!(mib > 0.5 && mib < 1e6, "{mib}");
        }
    }
}
