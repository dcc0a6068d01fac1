//! Data-preparation operations timed beside their peers (pandas, polars, scikit-learn):
//! reading a CSV file, standard scaling, and dropping duplicate rows.
//!
//! An operation has no predict step: its "fit" time is the operation itself, under the same
//! warm-up and median-of-repeats protocol as the models. The duplicate workload is built the
//! same way on every side: the first 80% of the rows followed by the first 20% again, so a
//! fifth of the rows are duplicates.

use std::path::Path;
use std::time::Instant;

use kiln::fairness::frame::{FrameOptions, Method, Metric, MetricFrame};
use kiln::fairness::groups::{Groups, SensitiveColumn};
use kiln::monitor::drift::{DriftOptions, DriftReport};
use kiln::monitor::profile::{ProfileOptions, ReferenceProfile};
use kiln::prelude::*;
use kiln::prep::scale::StandardScaler;
use kiln::prep::{Column, CsvOptions, Frame, Keep};
use ndarray::{Axis, s};
use serde_json::{Map, Value, json};

use crate::BenchResult;
use crate::protocol::Measured;
use crate::workload::{self, Entry};

/// A data-preparation operation registered with the harness.
pub struct Op {
    /// Snake-case name, e.g. `read_csv`.
    pub name: &'static str,
    /// The family it is compared in.
    pub family: &'static str,
    /// The workloads it runs on.
    pub workloads: &'static [&'static str],
    /// A note for the report.
    pub notes: &'static str,
    prepare: fn(&Path, &Entry) -> BenchResult<Input>,
    run: fn(&Input) -> BenchResult<Map<String, Value>>,
}

/// What an operation works on, prepared before the clock starts.
pub enum Input {
    /// A file to read.
    Path(std::path::PathBuf),
    /// A numeric matrix.
    Matrix(ndarray::Array2<f64>),
    /// A table.
    Frame(Frame),
    /// A workload table: features and labels.
    Table(workload::Table),
    /// A reference frame and a current batch.
    Drift(Frame, Frame),
    /// A saved-and-loaded reference profile and a current batch.
    Profiled(Box<ReferenceProfile>, Frame),
}

/// Every registered operation.
pub fn all() -> Vec<Op> {
    vec![
        Op {
            name: "read_csv",
            family: "CSV read",
            workloads: &["tiny_clf", "clf_100k", "clf_1m"],
            notes: "types inferred; all columns parsed; parallel over blocks of records",
            prepare: |dir, e| {
                let csv = e
                    .csv
                    .as_ref()
                    .ok_or("the workload was generated without CSV")?;
                Ok(Input::Path(dir.join(csv)))
            },
            run: |input| {
                let Input::Path(p) = input else {
                    return Err("read_csv needs a path".into());
                };
                let (frame, _) = CsvOptions::default().read_path(p)?;
                let first = frame.columns()[0]
                    .as_numeric()
                    .map_or(0.0, |v| v.iter().sum());
                Ok(quality(frame.n_rows(), frame.n_cols(), first))
            },
        },
        Op {
            name: "memory_floor",
            family: "memory-bandwidth floor",
            workloads: &["blobs_1m", "blobs_100k_50"],
            notes: "100 parallel passes that only read the feature matrix and sum it (rows in \
                    chunks over the threads, eight independent sums per chunk so the adds keep \
                    up with memory): the least time 100 k-means iterations can take, since each \
                    must read every row once",
            prepare: |dir, e| Ok(Input::Matrix(workload::load(dir, e, false)?.x)),
            run: |input| {
                use rayon::prelude::*;
                let Input::Matrix(x) = input else {
                    return Err("memory_floor needs a matrix".into());
                };
                let data = x.as_slice().ok_or("a contiguous matrix")?;
                let mut total = 0.0;
                for _ in 0..100 {
                    let partial: Vec<f64> = data
                        .par_chunks(1 << 16)
                        .map(|c| {
                            // One running sum would make this a chain of dependent adds
                            // (about 6 GB/s per core), slower than memory; eight are not.
                            let mut acc = [0.0_f64; 8];
                            let blocks = c.chunks_exact(8);
                            let tail: f64 = blocks.remainder().iter().sum();
                            for b in blocks {
                                for (a, v) in acc.iter_mut().zip(b) {
                                    *a += v;
                                }
                            }
                            acc.iter().sum::<f64>() + tail
                        })
                        .collect();
                    total += partial.iter().sum::<f64>();
                }
                Ok(quality(x.nrows(), x.ncols(), total))
            },
        },
        Op {
            name: "roc_auc",
            family: "ROC AUC",
            workloads: &["scores_1m"],
            notes: "kiln_metrics::ranking::roc_auc(label, score) on all rows: one radix sort of \
                    the scores, then one pass over the distinct thresholds",
            prepare: |dir, e| Ok(Input::Table(workload::load(dir, e, false)?)),
            run: |input| {
                let Input::Table(t) = input else {
                    return Err("roc_auc needs a table".into());
                };
                let y = t.classes();
                let auc = kiln::metrics::ranking::roc_auc(y.view(), t.x.column(0), None)?;
                let mut q = Map::new();
                q.insert("roc_auc".into(), json!(auc));
                Ok(q)
            },
        },
        Op {
            name: "silhouette",
            family: "silhouette",
            workloads: &["blobs_20k"],
            notes: "kiln_metrics::cluster::silhouette_score(X, labels) with the generating blob \
                    of each row as its label; all pairwise Euclidean distances",
            prepare: |dir, e| Ok(Input::Table(workload::load(dir, e, false)?)),
            run: |input| {
                let Input::Table(t) = input else {
                    return Err("silhouette needs a table".into());
                };
                let labels = t.classes();
                let s = kiln::metrics::cluster::silhouette_score(t.x.view(), labels.view())?;
                let mut q = Map::new();
                q.insert("silhouette".into(), json!(s));
                Ok(q)
            },
        },
        Op {
            name: "cross_validate",
            family: "cross-validation overhead",
            workloads: &["reg_100k"],
            notes: "kiln_select cross_validate of Ridge on shuffled KFold(5), sequential folds, \
                    R² scorer; quality: mean test R² and the share of wall time outside the \
                    fits and the scoring (issue #9's target: under 5%)",
            prepare: |dir, e| Ok(Input::Table(workload::load(dir, e, false)?)),
            run: |input| {
                let Input::Table(t) = input else {
                    return Err("cross_validate needs a table".into());
                };
                let cv = kiln::prep::split::KFold::default().with_shuffle(true);
                let opts = kiln::select::cv::CvOptions::default().with_parallel(false);
                let start = Instant::now();
                let res = kiln::select::cv::cross_validate(
                    &kiln::linear::Ridge::default(),
                    t.x.view(),
                    t.y.view(),
                    &cv,
                    &[kiln::select::scorer::r2()],
                    &opts,
                )?;
                let wall = start.elapsed().as_secs_f64();
                let inside: f64 = res
                    .fit_times()
                    .iter()
                    .chain(res.score_times().iter())
                    .map(|d| d.as_secs_f64())
                    .sum();
                let mut q = Map::new();
                q.insert("r2".into(), json!(res.mean("r2")));
                q.insert(
                    "cv_overhead_pct".into(),
                    json!(100.0 * (wall - inside) / wall),
                );
                Ok(q)
            },
        },
        Op {
            name: "group_metrics",
            family: "group metrics (fairness)",
            workloads: &["fairness_1m"],
            notes: "kiln_fairness MetricFrame: 5 metrics (accuracy, selection rate, TPR, FPR, \
                    precision) over 3 sensitive columns (80 groups), plus difference and ratio \
                    both ways; grouping included",
            prepare: |dir, e| Ok(Input::Table(workload::load(dir, e, false)?)),
            run: |input| {
                let Input::Table(t) = input else {
                    return Err("group_metrics needs a table".into());
                };
                let (frame, _) = group_frame(t)?;
                group_quality(&frame)
            },
        },
        Op {
            name: "group_metrics_bootstrap",
            family: "group metrics, 1,000 bootstrap resamples",
            workloads: &["fairness_1m"],
            notes: "the group_metrics frame, then MetricFrame::bootstrap(1000, 0.95, seed 0): \
                    intervals for every statistic; fairlearn's own bootstrap takes about 25 s \
                    per resample here, so it is not run",
            prepare: |dir, e| Ok(Input::Table(workload::load(dir, e, false)?)),
            run: |input| {
                let Input::Table(t) = input else {
                    return Err("group_metrics_bootstrap needs a table".into());
                };
                let (frame, _) = group_frame(t)?;
                let intervals = frame.bootstrap(1000, 0.95, 0)?;
                let mut q = group_quality(&frame)?;
                q.insert("resamples".into(), json!(intervals.n_resamples));
                Ok(q)
            },
        },
        Op {
            name: "drift_report",
            family: "data drift (profile + report)",
            workloads: &["clf_1m"],
            notes: "ReferenceProfile::build on the 1M training rows (all feature columns) then \
                    DriftReport::new against the 100k test rows; automatic tests (normed \
                    Wasserstein on these sizes, threshold 0.1), dataset verdict at share 0.5",
            prepare: |dir, e| {
                let (reference, current) = reference_and_batch(dir, e)?;
                Ok(Input::Drift(reference, current))
            },
            run: |input| {
                let Input::Drift(reference, current) = input else {
                    return Err("drift_report needs two frames".into());
                };
                let profile = ReferenceProfile::build(reference, &ProfileOptions::default())?;
                let report = DriftReport::new(&profile, current, &DriftOptions::default())?;
                Ok(drift_quality(&report))
            },
        },
        Op {
            name: "drift_batch",
            family: "data drift (batch against a saved profile)",
            workloads: &["clf_1m"],
            notes: "the 100k test rows against a profile of the training rows built, saved and \
                    loaded back before the clock starts: what each new batch costs in production",
            prepare: |dir, e| {
                let (reference, current) = reference_and_batch(dir, e)?;
                let profile = ReferenceProfile::build(&reference, &ProfileOptions::default())?;
                let bytes = kiln::persist::to_bytes(&profile)?;
                let loaded: ReferenceProfile = kiln::persist::from_bytes(&bytes)?;
                Ok(Input::Profiled(Box::new(loaded), current))
            },
            run: |input| {
                let Input::Profiled(profile, current) = input else {
                    return Err("drift_batch needs a profile and a frame".into());
                };
                let report = DriftReport::new(profile, current, &DriftOptions::default())?;
                Ok(drift_quality(&report))
            },
        },
        Op {
            name: "standard_scaler",
            family: "standard scaling",
            workloads: &["tiny_clf", "clf_1m"],
            notes: "fit then transform of the feature matrix (label excluded)",
            prepare: |dir, e| Ok(Input::Matrix(workload::load(dir, e, false)?.x)),
            run: |input| {
                let Input::Matrix(x) = input else {
                    return Err("standard_scaler needs a matrix".into());
                };
                let (_, z) = StandardScaler::default().fit_transform(x.view())?;
                let first = z.column(0).iter().map(|v| v.abs()).sum::<f64>();
                Ok(quality(z.nrows(), z.ncols(), first))
            },
        },
        Op {
            name: "drop_duplicates",
            family: "deduplication",
            workloads: &["tiny_clf", "clf_1m"],
            notes: "all columns compared; the first 80% of rows then the first 20% again",
            prepare: |dir, e| {
                let t = workload::load(dir, e, false)?;
                let n = t.x.nrows();
                let (keep, again) = (n * 4 / 5, n / 5);
                let x = ndarray::concatenate(
                    Axis(0),
                    &[t.x.slice(s![..keep, ..]), t.x.slice(s![..again, ..])],
                )?;
                let columns = x
                    .axis_iter(Axis(1))
                    .enumerate()
                    .map(|(j, c)| (format!("f{j}"), Column::Float(c.to_vec())))
                    .collect();
                Ok(Input::Frame(Frame::new(columns)?))
            },
            run: |input| {
                let Input::Frame(f) = input else {
                    return Err("drop_duplicates needs a frame".into());
                };
                let (out, report) = f.drop_duplicates::<&str>(None, Keep::First)?;
                let mut q = quality(out.n_rows(), out.n_cols(), 0.0);
                q.insert("removed".into(), json!(report.removed));
                Ok(q)
            },
        },
    ]
}

/// The workload's training rows as the reference and its test rows as the batch, as frames
/// of float columns `f0`, `f1`, ... (the label left out).
fn reference_and_batch(dir: &Path, entry: &Entry) -> BenchResult<(Frame, Frame)> {
    let manifest = workload::Manifest::read(dir)?;
    let test_name = entry
        .test
        .as_deref()
        .ok_or("the workload has no test rows")?;
    let test = manifest
        .entry(test_name)
        .ok_or_else(|| format!("no workload `{test_name}`"))?;
    let to_frame = |t: workload::Table| -> BenchResult<Frame> {
        let columns =
            t.x.axis_iter(Axis(1))
                .enumerate()
                .map(|(j, c)| (format!("f{j}"), Column::Float(c.to_vec())))
                .collect();
        Ok(Frame::new(columns)?)
    };
    Ok((
        to_frame(workload::load(dir, entry, false)?)?,
        to_frame(workload::load(dir, test, false)?)?,
    ))
}

/// How many columns drifted, their share, and the first column's statistic (a spot check).
fn drift_quality(report: &DriftReport) -> Map<String, Value> {
    let mut q = Map::new();
    q.insert("drifted_columns".into(), json!(report.n_drifted()));
    q.insert("drift_share".into(), json!(report.share_drifted()));
    q.insert(
        "f0_statistic".into(),
        json!(report.column("f0").map(|c| c.statistic)),
    );
    q
}

/// The fairness workload's MetricFrame: sensitive columns a, b, c; prediction in column 3.
fn group_frame(t: &workload::Table) -> BenchResult<(MetricFrame, Groups)> {
    let codes = |j: usize| t.x.column(j).mapv(|v| v as usize);
    let cols = ["a", "b", "c"]
        .iter()
        .enumerate()
        .map(|(j, name)| SensitiveColumn::from_codes(*name, codes(j).view(), None))
        .collect::<kiln::Result<Vec<_>>>()?;
    let groups = Groups::new(&cols, &[])?;
    let metrics = [
        Metric::accuracy(),
        Metric::selection_rate(),
        Metric::tpr(),
        Metric::fpr(),
        Metric::precision(),
    ];
    let y = t.classes();
    let pred = codes(3);
    let frame = MetricFrame::new(
        &metrics,
        y.view(),
        pred.view(),
        None,
        &groups,
        None,
        &FrameOptions::fairlearn(),
    )?;
    Ok((frame, groups))
}

/// The between-group differences and ratios, the values the fairlearn peer also reports.
fn group_quality(frame: &MetricFrame) -> BenchResult<Map<String, Value>> {
    let mut q = Map::new();
    for method in [Method::BetweenGroups, Method::ToOverall] {
        let d = frame.difference(method);
        let r = frame.ratio(method);
        let tag = match method {
            Method::BetweenGroups => "between_groups",
            Method::ToOverall => "to_overall",
        };
        q.insert(
            format!("accuracy_difference_{tag}"),
            json!(d.value("overall", "accuracy").and_then(|v| v.get())),
        );
        q.insert(
            format!("selection_rate_ratio_{tag}"),
            json!(r.value("overall", "selection_rate").and_then(|v| v.get())),
        );
    }
    Ok(q)
}

fn quality(rows: usize, cols: usize, first_column: f64) -> Map<String, Value> {
    let mut q = Map::new();
    q.insert("rows".into(), json!(rows));
    q.insert("columns".into(), json!(cols));
    q.insert("first_column_sum".into(), json!(first_column));
    q
}

/// Prepares the input of `op` on `entry`, then times the operation: one warm-up and
/// `repeats` timed runs.
pub fn measure(op: &Op, dir: &Path, entry: &Entry, repeats: usize) -> BenchResult<Measured> {
    let input = (op.prepare)(dir, entry)?;
    let t = Instant::now();
    let mut q = (op.run)(&input)?;
    let warmup = t.elapsed().as_secs_f64();
    let mut fits = Vec::new();
    for _ in 0..repeats.max(1) {
        let t = Instant::now();
        q = (op.run)(&input)?;
        fits.push(t.elapsed().as_secs_f64());
    }
    Ok(Measured {
        fits,
        warmup,
        predicts: Vec::new(),
        quality: q,
        info: Map::new(),
    })
}
