//! `kiln-bench`: generates the shared benchmark workloads and times kiln on them.
//!
//! ```text
//! kiln-bench gen   [--data DIR] [--workloads a,b] [--no-csv] [--if-missing]
//! kiln-bench run   [--data DIR] [--out FILE] [--workloads a,b] [--algorithms a,b] [--repeats N] [--threads N]
//! kiln-bench smoke                      generate and run the tiny workload in a temporary folder
//! kiln-bench list                       the workloads and algorithms
//! ```
//!
//! `run` starts one child process (`kiln-bench run-one ...`) per algorithm and workload so the
//! peak memory it records belongs to that run alone. When `GLIBC_TUNABLES` asks for
//! transparent huge pages (`glibc.malloc.hugetlb=1`, as `benches/run.sh` sets it), a child
//! whose malloc did not apply it (glibc 2.36 here applies it in about a third of processes,
//! see `docs/benchmarks.md`) exits at once and is started again, up to
//! [`THP_ATTEMPTS`] times; the last attempt runs whatever it gets, and every record says which
//! (`malloc_thp`).

use std::collections::BTreeMap;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{SystemTime, UNIX_EPOCH};

use kiln_benches::BenchResult;
use kiln_benches::algorithms;
use kiln_benches::ops::{self, Op};
use kiln_benches::protocol::{self, Algorithm, Measured, PREDICT_ROWS, Record};
use kiln_benches::workload::{self, Manifest, SPECS};

const DEFAULT_DATA: &str = "benches/data";
/// How many times a child is started before one without huge pages is accepted.
const THP_ATTEMPTS: usize = 12;
/// A child's exit code for "started without the huge pages asked for; start me again".
const NO_THP: u8 = 75;
/// Set on the last attempt: run even without huge pages.
const ACCEPT_NO_THP: &str = "KILN_BENCH_ACCEPT_NO_THP";
const DEFAULT_OUT: &str = "benches/results/kiln.jsonl";

struct Args {
    command: String,
    opts: BTreeMap<String, String>,
    flags: Vec<String>,
}

fn parse_args() -> BenchResult<Args> {
    let mut it = std::env::args().skip(1);
    let command = it.next().unwrap_or_else(|| "help".into());
    let mut opts = BTreeMap::new();
    let mut flags = Vec::new();
    let rest: Vec<String> = it.collect();
    let mut i = 0;
    while i < rest.len() {
        let key = rest[i]
            .strip_prefix("--")
            .ok_or_else(|| format!("unexpected argument `{}`", rest[i]))?;
        if matches!(key, "no-csv" | "no-verify" | "if-missing") {
            flags.push(key.to_owned());
            i += 1;
        } else {
            let value = rest
                .get(i + 1)
                .ok_or_else(|| format!("--{key} needs a value"))?;
            opts.insert(key.to_owned(), value.clone());
            i += 2;
        }
    }
    Ok(Args {
        command,
        opts,
        flags,
    })
}

impl Args {
    fn get(&self, key: &str, default: &str) -> String {
        self.opts
            .get(key)
            .cloned()
            .unwrap_or_else(|| default.to_owned())
    }
    fn list(&self, key: &str) -> Option<Vec<String>> {
        self.opts
            .get(key)
            .map(|v| v.split(',').map(|s| s.trim().to_owned()).collect())
    }
    fn number(&self, key: &str, default: usize) -> BenchResult<usize> {
        match self.opts.get(key) {
            None => Ok(default),
            Some(v) => Ok(v
                .parse()
                .map_err(|_| format!("--{key} must be a whole number, got `{v}`"))?),
        }
    }
}

fn main() -> ExitCode {
    match parse_args().and_then(dispatch) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kiln-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(args: Args) -> BenchResult<()> {
    match args.command.as_str() {
        "gen" => generate(
            Path::new(&args.get("data", DEFAULT_DATA)),
            args.list("workloads"),
            !args.flags.iter().any(|f| f == "no-csv"),
            args.flags.iter().any(|f| f == "if-missing"),
        ),
        "run" => {
            let out = PathBuf::from(args.get("out", DEFAULT_OUT));
            let records = run(&args, Path::new(&args.get("data", DEFAULT_DATA)), &out)?;
            println!("{} runs written to {}", records, out.display());
            Ok(())
        }
        "run-one" => {
            if wants_thp()
                && std::env::var_os(ACCEPT_NO_THP).is_none()
                && protocol::malloc_thp() == Some(false)
            {
                std::process::exit(i32::from(NO_THP));
            }
            run_one(&args)
        }
        "smoke" => smoke(),
        "list" => {
            for s in SPECS {
                println!(
                    "{:<16} {:>9} + {:>7} rows  {}",
                    s.name,
                    s.rows,
                    s.test_rows,
                    s.describe()
                );
            }
            for a in algorithms::all() {
                println!(
                    "algorithm {:<12} family `{}` tasks {:?}",
                    a.name, a.family, a.tasks
                );
            }
            Ok(())
        }
        _ => {
            println!(
                "usage: kiln-bench gen|run|smoke|list [options]; see benches/README.md and \
                 docs/benchmarks.md"
            );
            Ok(())
        }
    }
}

fn generate(dir: &Path, only: Option<Vec<String>>, csv: bool, if_missing: bool) -> BenchResult<()> {
    let mut manifest = Manifest::read(dir)?;
    for spec in SPECS {
        if let Some(only) = &only
            && !only.iter().any(|n| n == spec.name)
        {
            continue;
        }
        let present = manifest
            .entry(spec.name)
            .is_some_and(|e| dir.join(&e.file).exists());
        if if_missing && present {
            println!("{:<20} already there", spec.name);
            continue;
        }
        let t = std::time::Instant::now();
        for entry in workload::write_spec(spec, dir, csv)? {
            println!(
                "wrote {:<20} {:>9} x {:<3} sha256 {}…",
                entry.name,
                entry.rows,
                entry.features + 1,
                &entry.sha256[..12]
            );
            manifest.upsert(entry);
        }
        manifest.write(dir)?;
        println!("  ({:.1} s)", t.elapsed().as_secs_f64());
    }
    Ok(())
}

fn run(args: &Args, data: &Path, out: &Path) -> BenchResult<usize> {
    let manifest = Manifest::read(data)?;
    if manifest.workloads.is_empty() {
        return Err(format!(
            "no workloads in {}; run `kiln-bench gen` first",
            data.display()
        )
        .into());
    }
    let only = args.list("workloads");
    let only_algos = args.list("algorithms");
    let repeats = args.number("repeats", 3)?;
    let threads = args.number("threads", 2)?;
    let exe = std::env::current_exe()?;
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut file = OpenOptions::new().create(true).append(true).open(out)?;
    let mut written = 0;
    let test_names: Vec<&str> = manifest
        .workloads
        .iter()
        .filter_map(|e| e.test.as_deref())
        .collect();
    for entry in &manifest.workloads {
        if test_names.contains(&entry.name.as_str())
            || only.as_ref().is_some_and(|o| !o.contains(&entry.name))
        {
            continue;
        }
        for algo in algorithms::all() {
            if !algo.tasks.contains(&entry.task)
                || only_algos
                    .as_ref()
                    .is_some_and(|o| !o.iter().any(|a| a == algo.name))
            {
                continue;
            }
            eprintln!("kiln-bench: {} on {} ...", algo.name, entry.name);
            let load_before = protocol::loadavg_1min();
            let what = ("--algorithm", algo.name);
            let child = run_child(&exe, data, &entry.name, what, repeats, threads)?;
            let line = if child.status.success() {
                String::from_utf8_lossy(&child.stdout).trim().to_owned()
            } else {
                let err = String::from_utf8_lossy(&child.stderr).trim().to_owned();
                let rec = record(
                    &Subject::of_algorithm(&algo, entry),
                    entry,
                    0,
                    repeats,
                    threads,
                    Err(err),
                );
                serde_json::to_string(&rec)?
            };
            writeln!(file, "{}", protocol::with_load(&line, load_before))?;
            written += 1;
        }
        for op in ops::all() {
            if !op.workloads.contains(&entry.name.as_str())
                || only_algos
                    .as_ref()
                    .is_some_and(|o| !o.iter().any(|a| a == op.name))
            {
                continue;
            }
            eprintln!("kiln-bench: {} on {} ...", op.name, entry.name);
            let load_before = protocol::loadavg_1min();
            let child = run_child(&exe, data, &entry.name, ("--op", op.name), repeats, threads)?;
            let line = if child.status.success() {
                String::from_utf8_lossy(&child.stdout).trim().to_owned()
            } else {
                let err = String::from_utf8_lossy(&child.stderr).trim().to_owned();
                let rec = record(&Subject::of_op(&op), entry, 0, repeats, threads, Err(err));
                serde_json::to_string(&rec)?
            };
            writeln!(file, "{}", protocol::with_load(&line, load_before))?;
            written += 1;
        }
    }
    Ok(written)
}

/// Whether this process's `GLIBC_TUNABLES` asks malloc for transparent huge pages.
fn wants_thp() -> bool {
    std::env::var("GLIBC_TUNABLES")
        .is_ok_and(|t| t.split(':').any(|kv| kv.trim() == "glibc.malloc.hugetlb=1"))
}

/// Runs `exe run-one` on `workload` for `what` (`--algorithm` or `--op` and its name),
/// starting it again while it reports that malloc did not apply the huge pages asked for (see
/// the module page); the last attempt accepts that.
fn run_child(
    exe: &Path,
    data: &Path,
    workload: &str,
    what: (&str, &str),
    repeats: usize,
    threads: usize,
) -> std::io::Result<std::process::Output> {
    let setup = |c: &mut Command| {
        c.args(["run-one", "--data"])
            .arg(data)
            .args(["--workload", workload, what.0, what.1])
            .args(["--repeats", &repeats.to_string()])
            .args(["--threads", &threads.to_string()])
            .env("RAYON_NUM_THREADS", threads.to_string());
    };
    for attempt in 1..THP_ATTEMPTS {
        let mut c = Command::new(exe);
        setup(&mut c);
        let out = c.output()?;
        if out.status.code() != Some(i32::from(NO_THP)) {
            return Ok(out);
        }
        eprintln!("kiln-bench: child without transparent huge pages (attempt {attempt}); again");
    }
    let mut c = Command::new(exe);
    setup(&mut c);
    c.env(ACCEPT_NO_THP, "1").output()
}

fn run_one(args: &Args) -> BenchResult<()> {
    let data = PathBuf::from(args.get("data", DEFAULT_DATA));
    let manifest = Manifest::read(&data)?;
    let name = args.get("workload", "");
    let entry = manifest
        .entry(&name)
        .ok_or_else(|| format!("no workload `{name}` in {}", data.display()))?;
    if let Some(op_name) = args.opts.get("op") {
        let op = ops::all()
            .into_iter()
            .find(|o| o.name == op_name)
            .ok_or_else(|| format!("no kiln operation `{op_name}`"))?;
        let repeats = args.number("repeats", 3)?;
        let threads = args.number("threads", 2)?;
        let result = ops::measure(&op, &data, entry, repeats).map_err(|e| e.to_string());
        let mut rec = record(&Subject::of_op(&op), entry, 0, repeats, threads, result);
        rec.quality_on = "train".into();
        println!("{}", serde_json::to_string(&rec)?);
        return Ok(());
    }
    let algo_name = args.get("algorithm", "");
    let algo = algorithms::all()
        .into_iter()
        .find(|a| a.name == algo_name)
        .ok_or_else(|| format!("no kiln algorithm `{algo_name}`"))?;
    let repeats = args.number("repeats", 3)?;
    let threads = args.number("threads", 2)?;
    let verify = !args.flags.iter().any(|f| f == "no-verify");
    let train = workload::load(&data, entry, verify)?;
    let test_entry = entry.test.as_deref().and_then(|t| manifest.entry(t));
    let test = match test_entry {
        Some(t) => Some(workload::load(&data, t, verify)?),
        None => None,
    };
    let n_test = test_entry.map_or(0, |t| t.rows);
    let result = protocol::measure(&algo, entry, &train, test.as_ref(), repeats);
    let mut rec = record(
        &Subject::of_algorithm(&algo, entry),
        entry,
        n_test,
        repeats,
        threads,
        result.map_err(|e| e.to_string()),
    );
    rec.quality_on = if test.is_some() { "test" } else { "train" }.into();
    println!("{}", serde_json::to_string(&rec)?);
    Ok(())
}

/// What a record says about the thing measured.
struct Subject {
    name: String,
    family: String,
    notes: String,
    params: serde_json::Value,
    predict_rows: usize,
}

impl Subject {
    fn of_algorithm(a: &Algorithm, entry: &workload::Entry) -> Self {
        Self {
            name: a.name.into(),
            family: a.family.into(),
            notes: a.notes.into(),
            params: (a.params)(entry),
            predict_rows: PREDICT_ROWS,
        }
    }

    fn of_op(op: &Op) -> Self {
        Self {
            name: op.name.into(),
            family: op.family.into(),
            notes: op.notes.into(),
            params: serde_json::json!({}),
            predict_rows: 0,
        }
    }
}

fn record(
    subject: &Subject,
    entry: &workload::Entry,
    n_test: usize,
    repeats: usize,
    threads: usize,
    result: Result<Measured, String>,
) -> Record {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut rec = Record {
        library: "kiln".into(),
        library_version: kiln::persist::KILN_VERSION.into(),
        algorithm: subject.name.clone(),
        family: subject.family.clone(),
        params: subject.params.clone(),
        notes: subject.notes.clone(),
        workload: entry.name.clone(),
        task: entry.task,
        n_train: entry.rows,
        n_test,
        n_features: entry.features,
        repeats,
        threads,
        status: "ok".into(),
        error: None,
        fit_seconds: None,
        fit_runs: Vec::new(),
        warmup_seconds: None,
        predict_seconds: None,
        predict_runs: Vec::new(),
        predict_rows: subject.predict_rows,
        quality: serde_json::Map::new(),
        quality_on: "test".into(),
        model_info: serde_json::Map::new(),
        peak_rss_mib: protocol::peak_rss_mib(),
        glibc_tunables: std::env::var("GLIBC_TUNABLES").ok(),
        malloc_thp: protocol::malloc_thp(),
        timestamp: now.to_string(),
    };
    match result {
        Ok(m) => {
            rec.fit_seconds = protocol::median(&m.fits);
            rec.fit_runs = m.fits;
            rec.warmup_seconds = Some(m.warmup);
            rec.predict_seconds = protocol::median(&m.predicts);
            rec.predict_runs = m.predicts;
            rec.quality = m.quality;
            rec.model_info = m.info;
        }
        Err(e) => {
            rec.status = "error".into();
            rec.error = Some(e);
        }
    }
    rec
}

/// Generates the tiny workload in a temporary folder and runs every algorithm on it: what CI
/// runs to show the harness works end to end.
fn smoke() -> BenchResult<()> {
    let dir = std::env::temp_dir().join(format!("kiln-bench-smoke-{}", std::process::id()));
    let result = (|| -> BenchResult<()> {
        generate(&dir, Some(vec!["tiny_clf".into()]), true, false)?;
        let out = dir.join("kiln.jsonl");
        let args = Args {
            command: "run".into(),
            opts: BTreeMap::from([("repeats".to_owned(), "1".to_owned())]),
            flags: Vec::new(),
        };
        let n = run(&args, &dir, &out)?;
        let text = std::fs::read_to_string(&out)?;
        let mut failures = 0;
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line)?;
            let ok = v["status"] == "ok";
            failures += usize::from(!ok);
            println!(
                "{:<8} {:<10} {:<10} fit {:>9} s  quality {}",
                if ok { "ok" } else { "FAILED" },
                v["algorithm"].as_str().unwrap_or("?"),
                v["workload"].as_str().unwrap_or("?"),
                v["fit_seconds"],
                v.get("quality").map_or(String::new(), |q| q.to_string()),
            );
            if !ok {
                println!("  error: {}", v["error"]);
            }
        }
        if n == 0 || failures > 0 {
            return Err(format!("smoke run: {n} runs, {failures} failed").into());
        }
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}
