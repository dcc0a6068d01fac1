//! The benchmark workloads: how each is generated, the files every library reads, and the
//! manifest that describes them.
//!
//! Each workload is written once as raw little-endian `f64` (row-major, `features + 1` values
//! a row, the label or target last) and as CSV with the same values, with its shape and the
//! SHA-256 of the raw file in `manifest.json`. kiln, the Python peers and the Rust peers all
//! read these files, so every library sees the same numbers.

use std::fs::{self, File};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use kiln::Error;
use kiln::datasets::synthetic::{MakeBlobs, MakeClassification, MakeRegression};
use kiln::random::rng_from_seed;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, s};
use rand::Rng;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::BenchResult;

/// What a workload asks of a library.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Task {
    /// Two classes, labels 0.0 and 1.0.
    Binary,
    /// More than two classes, labels 0.0, 1.0, ...
    Multiclass,
    /// A real-valued target.
    Regression,
    /// Points to cluster; the last column is the true cluster.
    Clustering,
    /// One score column and a 0/1 label, for timing ROC AUC.
    Scores,
    /// Three sensitive columns, a 0/1 prediction and a 0/1 label, for timing group metrics.
    Fairness,
}

/// How a workload's rows are generated.
#[derive(Debug, Clone, Copy)]
enum Recipe {
    Classification {
        features: usize,
        informative: usize,
        classes: usize,
    },
    Regression {
        features: usize,
        informative: usize,
        noise: f64,
    },
    Blobs {
        features: usize,
        centers: usize,
    },
    Scores,
    Fairness,
}

/// One workload: a training set and, for supervised tasks, a held-out test set generated
/// together (so they share one distribution) and split by rows.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// The workload's name; the test set is `NAME_test`.
    pub name: &'static str,
    /// Training rows.
    pub rows: usize,
    /// Held-out rows (0 for none).
    pub test_rows: usize,
    /// The generator seed.
    pub seed: u64,
    recipe: Recipe,
}

/// Every workload the harness knows, small to large.
pub const SPECS: &[Spec] = &[
    Spec {
        name: "tiny_clf",
        rows: 1_000,
        test_rows: 200,
        seed: 1,
        recipe: Recipe::Classification {
            features: 10,
            informative: 5,
            classes: 2,
        },
    },
    Spec {
        name: "clf_100k",
        rows: 100_000,
        test_rows: 20_000,
        seed: 2,
        recipe: Recipe::Classification {
            features: 50,
            informative: 20,
            classes: 2,
        },
    },
    Spec {
        name: "clf_1m",
        rows: 1_000_000,
        test_rows: 100_000,
        seed: 3,
        recipe: Recipe::Classification {
            features: 28,
            informative: 20,
            classes: 2,
        },
    },
    Spec {
        name: "reg_100k",
        rows: 100_000,
        test_rows: 20_000,
        seed: 4,
        recipe: Recipe::Regression {
            features: 50,
            informative: 10,
            noise: 10.0,
        },
    },
    Spec {
        name: "multiclass_50k",
        rows: 50_000,
        test_rows: 10_000,
        seed: 5,
        recipe: Recipe::Classification {
            features: 20,
            informative: 10,
            classes: 5,
        },
    },
    Spec {
        name: "blobs_1m",
        rows: 1_000_000,
        test_rows: 0,
        seed: 6,
        recipe: Recipe::Blobs {
            features: 10,
            centers: 8,
        },
    },
    Spec {
        name: "blobs_100k_50",
        rows: 100_000,
        test_rows: 0,
        seed: 7,
        recipe: Recipe::Blobs {
            features: 50,
            centers: 16,
        },
    },
    Spec {
        name: "blobs_20k",
        rows: 20_000,
        test_rows: 0,
        seed: 9,
        recipe: Recipe::Blobs {
            features: 10,
            centers: 8,
        },
    },
    Spec {
        name: "scores_1m",
        rows: 1_000_000,
        test_rows: 0,
        seed: 8,
        recipe: Recipe::Scores,
    },
    Spec {
        name: "fairness_1m",
        rows: 1_000_000,
        test_rows: 0,
        seed: 0,
        recipe: Recipe::Fairness,
    },
];

impl Spec {
    /// The spec named `name`.
    pub fn by_name(name: &str) -> Option<&'static Spec> {
        SPECS.iter().find(|s| s.name == name)
    }

    /// The task of this workload.
    pub fn task(&self) -> Task {
        match self.recipe {
            Recipe::Classification { classes: 2, .. } => Task::Binary,
            Recipe::Classification { .. } => Task::Multiclass,
            Recipe::Regression { .. } => Task::Regression,
            Recipe::Blobs { .. } => Task::Clustering,
            Recipe::Scores => Task::Scores,
            Recipe::Fairness => Task::Fairness,
        }
    }

    /// A one-line description for the report.
    pub fn describe(&self) -> String {
        match self.recipe {
            Recipe::Classification {
                features,
                informative,
                classes,
            } => format!(
                "make_classification: {classes} classes, {features} features \
                 ({informative} informative, 2 redundant), 2 clusters per class, flip_y 0.01"
            ),
            Recipe::Regression {
                features,
                informative,
                noise,
            } => format!(
                "make_regression: {features} features ({informative} informative), noise {noise}"
            ),
            Recipe::Blobs { features, centers } => {
                format!("make_blobs: {features} features, {centers} centres in [-10, 10], std 1")
            }
            Recipe::Scores => "labels ~ Bernoulli(0.3); scores = sigmoid(1.5 (2y - 1) + N(0, 1)) \
                               rounded to 0.01, so many ties"
                .into(),
            Recipe::Fairness => "x = SplitMix64(row); sensitive a = x % 2, b = (x >> 8) % 5, \
                                 c = (x >> 16) % 8 (80 groups); label 1 when (x >> 24) % 100 < \
                                 20 + 5a + 4b + 3c; prediction = label flipped when \
                                 (x >> 40) % 100 < 15; columns a, b, c, prediction, label"
                .into(),
        }
    }

    /// Generates the whole table, training rows first then test rows: `rows + test_rows`
    /// rows of `features + 1` columns, the label or target last.
    pub fn generate(&self) -> BenchResult<Array2<f64>> {
        let n = self.rows + self.test_rows;
        let (x, y) = match self.recipe {
            Recipe::Classification {
                features,
                informative,
                classes,
            } => {
                let (x, y) = MakeClassification::default()
                    .with_n_samples(n)
                    .with_n_features(features)
                    .with_n_informative(informative)
                    .with_n_classes(classes)
                    .with_seed(self.seed)
                    .generate()?;
                (x, y.mapv(|c| c as f64))
            }
            Recipe::Regression {
                features,
                informative,
                noise,
            } => {
                let d = MakeRegression::default()
                    .with_n_samples(n)
                    .with_n_features(features)
                    .with_n_informative(informative)
                    .with_noise(noise)
                    .with_seed(self.seed)
                    .generate()?;
                (d.x, d.y)
            }
            Recipe::Blobs { features, centers } => {
                let d = MakeBlobs::default()
                    .with_n_samples(n)
                    .with_n_features(features)
                    .with_centers(centers)
                    .with_seed(self.seed)
                    .generate()?;
                (d.x, d.y.mapv(|c| c as f64))
            }
            Recipe::Scores => scores(n, self.seed),
            Recipe::Fairness => fairness(n),
        };
        let y = y.insert_axis(Axis(1));
        ndarray::concatenate(Axis(1), &[x.view(), y.view()]).map_err(|e| e.to_string().into())
    }
}

fn scores(n: usize, seed: u64) -> (Array2<f64>, Array1<f64>) {
    let mut rng = rng_from_seed(seed);
    let mut score = Array2::zeros((n, 1));
    let mut label = Array1::zeros(n);
    for i in 0..n {
        let y = if rng.random::<f64>() < 0.3 { 1.0 } else { 0.0 };
        let noise: f64 = rng.sample(StandardNormal);
        let s = 1.0 / (1.0 + (-(1.5 * (2.0 * y - 1.0) + noise)).exp());
        score[[i, 0]] = (s * 100.0).round() / 100.0;
        label[i] = y;
    }
    (score, label)
}

/// The group-metrics workload of kiln-fairness' speed test (`tests/frame.rs`) and its
/// fairlearn peer: columns a, b, c (sensitive) and the prediction; the label apart.
fn fairness(n: usize) -> (Array2<f64>, Array1<f64>) {
    let mut x = Array2::zeros((n, 4));
    let mut label = Array1::zeros(n);
    for i in 0..n {
        let r = splitmix64(i as u64);
        let (a, b, c) = (r % 2, (r >> 8) % 5, (r >> 16) % 8);
        let y = u64::from((r >> 24) % 100 < 20 + 5 * a + 4 * b + 3 * c);
        let pred = if (r >> 40) % 100 < 15 { 1 - y } else { y };
        for (j, v) in [a, b, c, pred].into_iter().enumerate() {
            x[[i, j]] = v as f64;
        }
        label[i] = y as f64;
    }
    (x, label)
}

/// SplitMix64's output function (Steele, Lea & Flood 2014) applied to `x + golden gamma`.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// One file set in the manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Workload name (`clf_100k`, `clf_100k_test`, ...).
    pub name: String,
    /// The task.
    pub task: Task,
    /// Distinct labels for classification and clustering (0 otherwise).
    pub n_classes: usize,
    /// Rows in the file.
    pub rows: usize,
    /// Feature columns (the file has one more: the label).
    pub features: usize,
    /// The raw little-endian f64 file, relative to the manifest.
    pub file: String,
    /// The same values as CSV, when written.
    pub csv: Option<String>,
    /// SHA-256 of the raw file, lowercase hex.
    pub sha256: String,
    /// The entry holding the held-out rows, if any.
    pub test: Option<String>,
    /// How the rows were generated.
    pub description: String,
}

/// The list of workload files in a data directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Manifest format version (1).
    pub format: u32,
    /// Every file set.
    pub workloads: Vec<Entry>,
}

impl Manifest {
    /// Reads `DIR/manifest.json`, or an empty manifest if there is none.
    pub fn read(dir: &Path) -> BenchResult<Manifest> {
        let path = dir.join("manifest.json");
        if !path.exists() {
            return Ok(Manifest {
                format: 1,
                workloads: Vec::new(),
            });
        }
        let text = fs::read_to_string(&path).map_err(|e| Error::io_at(&path, e))?;
        Ok(serde_json::from_str(&text)?)
    }

    /// Writes `DIR/manifest.json` (atomically).
    pub fn write(&self, dir: &Path) -> BenchResult<()> {
        let text = serde_json::to_string_pretty(self)?;
        kiln::persist::write_atomic(&dir.join("manifest.json"), text.as_bytes())?;
        Ok(())
    }

    /// The entry named `name`.
    pub fn entry(&self, name: &str) -> Option<&Entry> {
        self.workloads.iter().find(|e| e.name == name)
    }

    /// Loads the workload called `name` from `dir` (without verifying its checksum), or says
    /// that the manifest in `dir` has no such workload.
    pub fn load_named(&self, dir: &Path, name: &str) -> BenchResult<Table> {
        let entry = self
            .entry(name)
            .ok_or_else(|| format!("{name} is not in {}", dir.display()))?;
        load(dir, entry, false)
    }

    /// Adds or replaces `entry`, keeping the order of first appearance.
    pub fn upsert(&mut self, entry: Entry) {
        match self.workloads.iter_mut().find(|e| e.name == entry.name) {
            Some(e) => *e = entry,
            None => self.workloads.push(entry),
        }
    }
}

/// Generates `spec` into `dir` (raw f64, and CSV when `csv`), returning its manifest entries:
/// the training set, then the test set if it has one.
pub fn write_spec(spec: &Spec, dir: &Path, csv: bool) -> BenchResult<Vec<Entry>> {
    fs::create_dir_all(dir).map_err(|e| Error::io_at(dir, e))?;
    let table = spec.generate()?;
    let task = spec.task();
    let n_classes = match task {
        Task::Regression => 0,
        _ => {
            let mut labels: Vec<u64> = table
                .column(table.ncols() - 1)
                .iter()
                .map(|v| v.to_bits())
                .collect();
            labels.sort_unstable();
            labels.dedup();
            labels.len()
        }
    };
    let test_name = format!("{}_test", spec.name);
    let parts = [
        (
            spec.name.to_string(),
            table.slice(s![..spec.rows, ..]),
            spec.test_rows > 0,
        ),
        (test_name.clone(), table.slice(s![spec.rows.., ..]), false),
    ];
    let mut entries = Vec::new();
    for (name, rows, has_test) in parts {
        if rows.nrows() == 0 {
            continue;
        }
        let file = format!("{name}.f64");
        let sha256 = write_f64(&dir.join(&file), rows)?;
        let csv_file = if csv {
            let f = format!("{name}.csv");
            write_csv(&dir.join(&f), rows)?;
            Some(f)
        } else {
            None
        };
        entries.push(Entry {
            name,
            task,
            n_classes,
            rows: rows.nrows(),
            features: rows.ncols() - 1,
            file,
            csv: csv_file,
            sha256,
            test: has_test.then(|| test_name.clone()),
            description: spec.describe(),
        });
    }
    Ok(entries)
}

fn write_f64(path: &Path, rows: ArrayView2<'_, f64>) -> BenchResult<String> {
    let tmp = path.with_extension("f64.tmp");
    let file = File::create(&tmp).map_err(|e| Error::io_at(&tmp, e))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let mut hash = Sha256::new();
    let mut buf = Vec::with_capacity(rows.ncols() * 8);
    for row in rows.outer_iter() {
        buf.clear();
        for v in row {
            buf.extend_from_slice(&v.to_le_bytes());
        }
        hash.update(&buf);
        out.write_all(&buf).map_err(|e| Error::io_at(&tmp, e))?;
    }
    out.flush().map_err(|e| Error::io_at(&tmp, e))?;
    drop(out);
    fs::rename(&tmp, path).map_err(|e| Error::io_at(path, e))?;
    Ok(hex(&hash.finalize()))
}

fn write_csv(path: &Path, rows: ArrayView2<'_, f64>) -> BenchResult<()> {
    let tmp = path.with_extension("csv.tmp");
    let file = File::create(&tmp).map_err(|e| Error::io_at(&tmp, e))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let d = rows.ncols() - 1;
    let header: Vec<String> = (0..d)
        .map(|j| format!("f{j}"))
        .chain(["label".into()])
        .collect();
    writeln!(out, "{}", header.join(",")).map_err(|e| Error::io_at(&tmp, e))?;
    let mut line = String::new();
    for row in rows.outer_iter() {
        line.clear();
        for (j, v) in row.iter().enumerate() {
            if j > 0 {
                line.push(',');
            }
            // Rust prints f64 in the shortest form that reads back to the same value.
            line.push_str(&v.to_string());
        }
        line.push('\n');
        out.write_all(line.as_bytes())
            .map_err(|e| Error::io_at(&tmp, e))?;
    }
    out.flush().map_err(|e| Error::io_at(&tmp, e))?;
    drop(out);
    fs::rename(&tmp, path).map_err(|e| Error::io_at(path, e))?;
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A loaded workload file: features and the label or target column.
#[derive(Debug, Clone)]
pub struct Table {
    /// Features, `rows × features`.
    pub x: Array2<f64>,
    /// The last column of the file.
    pub y: Array1<f64>,
}

impl Table {
    /// The label column as class indices (for classification and clustering files).
    pub fn classes(&self) -> Array1<usize> {
        self.y.mapv(|v| v as usize)
    }

    /// `x` tiled (repeated from the top) to exactly `rows` rows.
    pub fn tiled(&self, rows: usize) -> Array2<f64> {
        let idx: Vec<usize> = (0..rows).map(|i| i % self.x.nrows().max(1)).collect();
        self.x.select(Axis(0), &idx)
    }
}

/// Reads the raw file of `entry` from `dir`, checking its size and (when `verify`) its SHA-256.
///
/// The file is streamed row by row into the feature matrix and the label vector, so the
/// process holds the data once (as the Python peers do), not the file's bytes beside it.
pub fn load(dir: &Path, entry: &Entry, verify: bool) -> BenchResult<Table> {
    let path: PathBuf = dir.join(&entry.file);
    let file = File::open(&path).map_err(|e| Error::io_at(&path, e))?;
    let width = entry.features + 1;
    let expected = entry.rows * width * 8;
    let len = file.metadata().map_err(|e| Error::io_at(&path, e))?.len();
    if len != expected as u64 {
        return Err(format!(
            "{}: {len} bytes, the manifest implies {expected} ({} x {width} f64)",
            path.display(),
            entry.rows
        )
        .into());
    }
    let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
    let mut hash = Sha256::new();
    let mut x = Array2::<f64>::zeros((entry.rows, entry.features));
    let mut y = Array1::<f64>::zeros(entry.rows);
    let mut row = vec![0u8; width * 8];
    for i in 0..entry.rows {
        reader
            .read_exact(&mut row)
            .map_err(|e| Error::io_at(&path, e))?;
        if verify {
            hash.update(&row);
        }
        for (j, c) in row.chunks_exact(8).enumerate() {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            let v = f64::from_le_bytes(b);
            if j < entry.features {
                x[[i, j]] = v;
            } else {
                y[i] = v;
            }
        }
    }
    if verify {
        let got = hex(&hash.finalize());
        if got != entry.sha256 {
            return Err(format!(
                "{}: SHA-256 {got} differs from the manifest's {}",
                path.display(),
                entry.sha256
            )
            .into());
        }
    }
    Ok(Table { x, y })
}

/// The distinct values of a label column, sorted (for checks and reports).
pub fn distinct(y: ArrayView1<'_, f64>) -> Vec<f64> {
    let mut v: Vec<f64> = y.to_vec();
    v.sort_by(f64::total_cmp);
    v.dedup();
    v
}
