//! peers-rust: times kiln's Rust peers (linfa, smartcore, ferrolearn) on the shared workloads.
//!
//! `peers-rust run ...` plans the (library, algorithm, workload) runs and starts one child process
//! (`peers-rust run-one ...`) per run, so each run's peak memory is its own. See README.md.

mod common;
mod peer_ferrolearn;
mod peer_linfa;
mod peer_smartcore;

use common::*;
use serde_json::{json, Map, Value};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const LIBRARIES: [&str; 3] = ["linfa", "smartcore", "ferrolearn"];
/// Random forests are skipped above this many training rows unless --slow (as on the Python side).
const SLOW_ROWS: usize = 200_000;
const THREADS: usize = 2;

pub fn library_version(lib: &str) -> &'static str {
    match lib {
        "linfa" => env!("PEER_VERSION_LINFA"),
        "smartcore" => env!("PEER_VERSION_SMARTCORE"),
        "ferrolearn" => env!("PEER_VERSION_FERROLEARN"),
        _ => "unknown",
    }
}

pub fn algorithms_for(task: &str) -> &'static [&'static str] {
    match task {
        "binary" | "multiclass" => &["logistic_regression", "decision_tree", "random_forest"],
        "regression" => &[
            "linear_regression",
            "ridge",
            "lasso",
            "decision_tree_regressor",
            "random_forest_regressor",
        ],
        "clustering" => &["kmeans", "kmeans_fixed_init"],
        _ => &[],
    }
}

pub fn family(alg: &str) -> &'static str {
    match alg {
        "logistic_regression" => "logistic regression",
        "decision_tree" | "decision_tree_regressor" => "decision tree",
        "random_forest" | "random_forest_regressor" => "random forest",
        "linear_regression" => "linear regression",
        "ridge" => "ridge regression",
        "lasso" => "lasso",
        "kmeans" => "k-means (k-means++ init)",
        "kmeans_fixed_init" => "k-means (fixed init)",
        _ => "unknown",
    }
}

/// What a run is told about its workload.
pub struct Shape {
    pub n_train: usize,
    pub n_features: usize,
    /// Classes (classifiers) or clusters (k-means); 0 for regression.
    pub k: usize,
}

/// The recorded parameters and notes of (library, algorithm), or why it is unsupported.
pub struct Spec {
    pub params: Value,
    pub notes: String,
    pub unsupported: Option<String>,
}

pub fn spec(lib: &str, alg: &str, s: &Shape) -> Spec {
    let r = match lib {
        "linfa" => peer_linfa::spec(alg, s),
        "smartcore" => peer_smartcore::spec(alg, s),
        "ferrolearn" => peer_ferrolearn::spec(alg, s),
        _ => None,
    };
    r.unwrap_or_else(|| Spec {
        params: json!({}),
        notes: String::new(),
        unsupported: Some(format!("{lib} has no {alg} equivalent")),
    })
}

/// Everything one run needs; built by the child after loading the data (not timed).
pub struct Job {
    pub algorithm: String,
    pub task: String,
    pub k: usize,
    pub train: Table,
    /// The held-out set, or None to evaluate on the training data.
    pub test: Option<Table>,
    /// `PREDICT_ROWS` rows tiled from the test (or training) rows, row-major.
    pub batch: Vec<f64>,
    pub repeats: usize,
    pub budget: f64,
}

/// What a peer hands back from one run.
pub struct Outcome {
    pub timing: Timing,
    pub predict_runs: Vec<f64>,
    pub quality: Map<String, Value>,
    pub extra_notes: Vec<String>,
}

// --------------------------------------------------------------------------------------- CLI

struct Args {
    data: PathBuf,
    out: PathBuf,
    workloads: Option<Vec<String>>,
    libraries: Vec<String>,
    algorithms: Option<Vec<String>>,
    repeats: usize,
    slow: bool,
    timeout: f64,
    budget: f64,
    no_verify: bool,
    list: bool,
    // run-one only
    library: String,
    algorithm: String,
    workload: String,
}

const USAGE: &str = "usage:
  peers-rust run [--data DIR] [--out FILE] [--workloads a,b] [--libraries linfa,smartcore,ferrolearn]
                 [--algorithms a,b] [--repeats N] [--slow] [--timeout SECONDS] [--budget SECONDS]
                 [--no-verify] [--list]
  peers-rust run-one --library L --algorithm A --workload W [--data DIR] [--repeats N] [--budget S]
defaults: --data benches/data, --out benches/results/rust-peers.jsonl, --repeats 3,
          --timeout 600 (per child process), --budget 60 (a warm-up fit slower than this is
          followed by 1 timed fit instead of --repeats)";

fn split_list(s: &str) -> Vec<String> {
    s.split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect()
}

fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut a = Args {
        data: PathBuf::from("benches/data"),
        out: PathBuf::from("benches/results/rust-peers.jsonl"),
        workloads: None,
        libraries: LIBRARIES.iter().map(|s| s.to_string()).collect(),
        algorithms: None,
        repeats: 3,
        slow: false,
        timeout: 600.0,
        budget: 60.0,
        no_verify: false,
        list: false,
        library: String::new(),
        algorithm: String::new(),
        workload: String::new(),
    };
    while let Some(flag) = it.next() {
        let mut val = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--data" => a.data = PathBuf::from(val()?),
            "--out" => a.out = PathBuf::from(val()?),
            "--workloads" => a.workloads = Some(split_list(&val()?)),
            "--libraries" => a.libraries = split_list(&val()?),
            "--algorithms" => a.algorithms = Some(split_list(&val()?)),
            "--repeats" => a.repeats = val()?.parse().map_err(|e| format!("--repeats: {e}"))?,
            "--timeout" => a.timeout = val()?.parse().map_err(|e| format!("--timeout: {e}"))?,
            "--budget" => a.budget = val()?.parse().map_err(|e| format!("--budget: {e}"))?,
            "--slow" => a.slow = true,
            "--no-verify" => a.no_verify = true,
            "--list" => a.list = true,
            "--library" => a.library = val()?,
            "--algorithm" => a.algorithm = val()?,
            "--workload" => a.workload = val()?,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    for l in &a.libraries {
        if !LIBRARIES.contains(&l.as_str()) {
            return Err(format!("unknown library {l}; known: {}", LIBRARIES.join(",")));
        }
    }
    if a.repeats == 0 {
        return Err("--repeats must be at least 1".into());
    }
    Ok(a)
}

fn main() {
    let mut argv = std::env::args().skip(1);
    let cmd = argv.next().unwrap_or_default();
    let args = match parse_args(argv) {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("error: {e}");
            }
            eprintln!("{USAGE}");
            std::process::exit(if e.is_empty() { 0 } else { 2 });
        }
    };
    let code = match cmd.as_str() {
        "run" => driver(&args),
        "run-one" => child(&args),
        _ => {
            eprintln!("{USAGE}");
            2
        }
    };
    std::process::exit(code);
}

// ------------------------------------------------------------------------------------ records

fn base_record(lib: &str, alg: &str, e: &Entry, test: Option<&Entry>, repeats: usize) -> Map<String, Value> {
    let mut r = Map::new();
    r.insert("library".into(), json!(lib));
    r.insert("library_version".into(), json!(library_version(lib)));
    r.insert("algorithm".into(), json!(alg));
    r.insert("family".into(), json!(family(alg)));
    r.insert("params".into(), json!({}));
    r.insert("notes".into(), json!(""));
    r.insert("workload".into(), json!(e.name));
    r.insert("task".into(), json!(e.task));
    r.insert("n_train".into(), json!(e.rows));
    r.insert("n_test".into(), json!(test.map(|t| t.rows).unwrap_or(0)));
    r.insert("n_features".into(), json!(e.features));
    r.insert("repeats".into(), json!(repeats));
    r.insert("threads".into(), json!(THREADS));
    r.insert(
        "glibc_tunables".into(),
        json!(std::env::var("GLIBC_TUNABLES").ok()),
    );
    r.insert("status".into(), json!("ok"));
    r.insert("error".into(), Value::Null);
    r.insert("fit_seconds".into(), Value::Null);
    r.insert("fit_runs".into(), json!([]));
    r.insert("warmup_seconds".into(), Value::Null);
    r.insert("predict_seconds".into(), Value::Null);
    r.insert("predict_runs".into(), json!([]));
    r.insert("predict_rows".into(), json!(0));
    r.insert("quality".into(), json!({}));
    r.insert("quality_on".into(), json!(if test.is_some() { "test" } else { "train" }));
    r.insert("peak_rss_mib".into(), Value::Null);
    r.insert("timestamp".into(), json!(rfc3339_now()));
    r
}

fn set_spec(r: &mut Map<String, Value>, sp: &Spec) {
    r.insert("params".into(), sp.params.clone());
    r.insert("notes".into(), json!(sp.notes));
}

fn k_for(e: &Entry, y: Option<&[f64]>) -> usize {
    match e.task.as_str() {
        "regression" => 0,
        "clustering" => match y {
            Some(y) => {
                let mut l = labels_usize(y);
                l.sort_unstable();
                l.dedup();
                l.len()
            }
            None => e.n_classes,
        },
        _ => e.n_classes.max(2),
    }
}

// -------------------------------------------------------------------------------------- child

fn child(a: &Args) -> i32 {
    let rec = match child_record(a) {
        Ok(r) => r,
        Err(e) => {
            let mut r = Map::new();
            r.insert("status".into(), json!("error"));
            r.insert("error".into(), json!(e));
            r
        }
    };
    println!("{}", Value::Object(rec));
    0
}

fn child_record(a: &Args) -> Result<Map<String, Value>, String> {
    let manifest = read_manifest(&a.data)?;
    let find = |n: &str| manifest.iter().find(|e| e.name == n).cloned();
    let e = find(&a.workload).ok_or(format!("workload {} not in manifest", a.workload))?;
    let te = match &e.test {
        Some(t) => Some(find(t).ok_or(format!("test workload {t} not in manifest"))?),
        None => None,
    };
    let train = load_table(&a.data, &e)?;
    let test = te.as_ref().map(|t| load_table(&a.data, t)).transpose()?;
    let k = k_for(&e, Some(&train.y));
    let shape = Shape { n_train: e.rows, n_features: e.features, k };
    let sp = spec(&a.library, &a.algorithm, &shape);
    let mut r = base_record(&a.library, &a.algorithm, &e, te.as_ref(), a.repeats);
    set_spec(&mut r, &sp);
    if let Some(why) = &sp.unsupported {
        r.insert("status".into(), json!("unsupported"));
        r.insert("error".into(), json!(why));
        return Ok(r);
    }
    let batch = {
        let src = test.as_ref().unwrap_or(&train);
        tile_rows(&src.x, src.features, PREDICT_ROWS)
    };
    let job = Job {
        algorithm: a.algorithm.clone(),
        task: e.task.clone(),
        k,
        train,
        test,
        batch,
        repeats: a.repeats,
        budget: a.budget,
    };
    let lib = a.library.clone();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || match lib.as_str() {
        "linfa" => peer_linfa::run(job),
        "smartcore" => peer_smartcore::run(job),
        "ferrolearn" => peer_ferrolearn::run(job),
        other => Err(format!("unknown library {other}")),
    }));
    let outcome = match result {
        Ok(o) => o,
        Err(p) => Err(format!(
            "panic: {}",
            p.downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown".into())
        )),
    };
    match outcome {
        Ok(o) => {
            let fit = median(&o.timing.fit_runs);
            r.insert("repeats".into(), json!(o.timing.fit_runs.len()));
            r.insert("fit_seconds".into(), json!(fit));
            r.insert("fit_runs".into(), json!(o.timing.fit_runs));
            r.insert("warmup_seconds".into(), json!(o.timing.warmup));
            if !o.predict_runs.is_empty() {
                r.insert("predict_seconds".into(), json!(median(&o.predict_runs)));
                r.insert("predict_rows".into(), json!(PREDICT_ROWS));
            }
            r.insert("predict_runs".into(), json!(o.predict_runs));
            r.insert("quality".into(), Value::Object(o.quality));
            let mut notes = vec![sp.notes.clone()];
            notes.extend(o.timing.note);
            notes.extend(o.extra_notes);
            notes.retain(|n| !n.is_empty());
            r.insert("notes".into(), json!(notes.join("; ")));
        }
        Err(err) => {
            r.insert("status".into(), json!("error"));
            r.insert("error".into(), json!(err));
        }
    }
    r.insert("peak_rss_mib".into(), json!(peak_rss_mib()));
    r.insert("timestamp".into(), json!(rfc3339_now()));
    Ok(r)
}

// ------------------------------------------------------------------------------------- driver

fn append(out: &Path, rec: &Map<String, Value>) -> std::io::Result<()> {
    if let Some(dir) = out.parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir)?;
        }
    }
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(out)?;
    writeln!(f, "{}", Value::Object(rec.clone()))
}

fn driver(a: &Args) -> i32 {
    let manifest = match read_manifest(&a.data) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {e}");
            return 1;
        }
    };
    let test_names: Vec<String> = manifest.iter().filter_map(|e| e.test.clone()).collect();
    if let Some(ws) = &a.workloads {
        for w in ws {
            if !manifest.iter().any(|e| &e.name == w) {
                eprintln!("error: workload {w} not in {}/manifest.json", a.data.display());
                return 1;
            }
        }
    }
    // Plan.
    let mut jobs = Vec::new();
    for e in &manifest {
        let chosen = match &a.workloads {
            Some(ws) => ws.contains(&e.name),
            None => !test_names.contains(&e.name),
        };
        if !chosen || e.task == "scores" {
            continue;
        }
        for lib in &a.libraries {
            for &alg in algorithms_for(&e.task) {
                if let Some(algs) = &a.algorithms {
                    if !algs.iter().any(|x| x == alg) {
                        continue;
                    }
                }
                jobs.push((e.clone(), lib.clone(), alg));
            }
        }
    }
    if a.list {
        for (e, lib, alg) in &jobs {
            println!("{:20} {:10} {}", e.name, lib, alg);
        }
        return 0;
    }
    let exe = std::env::current_exe().expect("current_exe");
    let mut verified: Vec<(String, bool)> = Vec::new();
    let n_jobs = jobs.len();
    for (i, (e, lib, alg)) in jobs.into_iter().enumerate() {
        let te = e.test.as_ref().and_then(|t| manifest.iter().find(|m| &m.name == t)).cloned();
        let mut r = base_record(&lib, alg, &e, te.as_ref(), a.repeats);
        let label = format!("[{}/{}] {} {} {}", i + 1, n_jobs, e.name, lib, alg);
        let shape = Shape { n_train: e.rows, n_features: e.features, k: k_for(&e, None) };
        let sp = spec(&lib, alg, &shape);
        set_spec(&mut r, &sp);
        let mut skip: Option<(&str, String)> = None;
        if let Some(why) = &sp.unsupported {
            skip = Some(("unsupported", why.clone()));
        } else if e.test.is_some() && te.is_none() {
            skip = Some(("error", format!("test workload {:?} is not in the manifest", e.test)));
        } else if alg.starts_with("random_forest") && e.rows > SLOW_ROWS && !a.slow {
            skip = Some(("skipped", format!("more than {SLOW_ROWS} training rows (use --slow)")));
        } else if !a.no_verify {
            for x in [Some(&e), te.as_ref()].into_iter().flatten() {
                let Some(want) = &x.sha256 else { continue };
                let ok = match verified.iter().find(|(n, _)| n == &x.name) {
                    Some((_, ok)) => *ok,
                    None => {
                        let ok = sha256_file(&a.data.join(&x.file))
                            .map(|h| h.eq_ignore_ascii_case(want))
                            .unwrap_or(false);
                        verified.push((x.name.clone(), ok));
                        ok
                    }
                };
                if !ok {
                    skip = Some(("error", format!("sha256 of {} does not match the manifest", x.file)));
                    break;
                }
            }
        }
        if let Some((status, why)) = skip {
            println!("{label}: {status}: {why}");
            r.insert("status".into(), json!(status));
            r.insert("error".into(), json!(why));
        } else {
            print!("{label} ...");
            let _ = std::io::stdout().flush();
            let t0 = Instant::now();
            match spawn_child(&exe, a, &lib, alg, &e.name) {
                Ok(child_rec) => {
                    for (k, v) in child_rec {
                        r.insert(k, v);
                    }
                }
                Err(err) => {
                    r.insert("status".into(), json!("error"));
                    r.insert("error".into(), json!(err));
                }
            }
            let wall = t0.elapsed().as_secs_f64();
            if r["status"] == "ok" {
                let q: Vec<String> = r["quality"]
                    .as_object()
                    .map(|q| q.iter().map(|(k, v)| format!("{k} {:.4}", v.as_f64().unwrap_or(f64::NAN))).collect())
                    .unwrap_or_default();
                println!(
                    " fit {:.3} s, predict {:.3} s, {}, {:.0} MiB (wall {:.0} s)",
                    r["fit_seconds"].as_f64().unwrap_or(f64::NAN),
                    r["predict_seconds"].as_f64().unwrap_or(f64::NAN),
                    q.join(", "),
                    r["peak_rss_mib"].as_f64().unwrap_or(f64::NAN),
                    wall
                );
            } else {
                println!(" {}: {}", r["status"].as_str().unwrap_or("?"), r["error"]);
            }
        }
        if let Err(err) = append(&a.out, &r) {
            eprintln!("error: cannot append to {}: {err}", a.out.display());
            return 1;
        }
    }
    println!("appended {n_jobs} records to {}", a.out.display());
    0
}

/// Runs one `run-one` child with RAYON_NUM_THREADS=2 and a wall-clock limit; returns its record.
fn spawn_child(exe: &Path, a: &Args, lib: &str, alg: &str, workload: &str) -> Result<Map<String, Value>, String> {
    let mut child = Command::new(exe)
        .arg("run-one")
        .args(["--data", &a.data.to_string_lossy()])
        .args(["--library", lib, "--algorithm", alg, "--workload", workload])
        .args(["--repeats", &a.repeats.to_string(), "--budget", &a.budget.to_string()])
        .env("RAYON_NUM_THREADS", THREADS.to_string())
        // ferrolearn links the system OpenBLAS (through ferray-linalg).
        .env("OPENBLAS_NUM_THREADS", THREADS.to_string())
        .env("OMP_NUM_THREADS", THREADS.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start child: {e}"))?;
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_t = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let t0 = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().map_err(|e| e.to_string())? {
            break Some(st);
        }
        if t0.elapsed().as_secs_f64() > a.timeout {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let stdout = out_t.join().unwrap_or_default();
    let stderr = err_t.join().unwrap_or_default();
    let Some(status) = status else {
        return Err(format!("timed out after {} s (child killed)", a.timeout));
    };
    let last = stdout.lines().rev().find(|l| l.trim_start().starts_with('{'));
    match last.and_then(|l| serde_json::from_str::<Value>(l).ok()) {
        Some(Value::Object(m)) => Ok(m),
        _ => {
            let tail: String = stderr.chars().rev().take(2000).collect::<Vec<_>>().into_iter().rev().collect();
            Err(format!("child exited with {status} and no result; stderr: {}", tail.trim()))
        }
    }
}
