//! Criterion benches of the foundation: input checks, model persistence and the synthetic
//! generators. For quick comparisons between kiln's own versions:
//! `cargo bench -p kiln-benches --bench core`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use kiln::check::{self, NanPolicy};
use kiln::datasets::synthetic::{MakeBlobs, MakeClassification};
use kiln::persist::{self, FeatureSchema, Persist};
use ndarray::Array2;
use serde::{Deserialize, Serialize};

/// A model-sized payload: one million coefficients.
#[derive(Serialize, Deserialize)]
struct Weights {
    coef: Array2<f64>,
}

impl Persist for Weights {
    const KIND: &'static str = "kiln_benches::Weights";
    type Params = ();
    fn params(&self) -> &() {
        &()
    }
    fn feature_schema(&self) -> FeatureSchema {
        FeatureSchema::new(self.coef.ncols())
    }
}

fn checks(c: &mut Criterion) {
    let x = Array2::from_shape_fn((100_000, 50), |(i, j)| (i * 50 + j) as f64 * 1e-3);
    c.bench_function("check_x 100k x 50", |b| {
        b.iter(|| check::check_x(black_box(x.view()), NanPolicy::Reject))
    });
}

fn persistence(c: &mut Criterion) {
    let model = Weights {
        coef: Array2::from_shape_fn((1000, 1000), |(i, j)| (i as f64).sin() * j as f64),
    };
    let bytes = persist::to_bytes(&model).unwrap_or_default();
    c.bench_function("persist to_bytes 1M f64", |b| {
        b.iter(|| persist::to_bytes(black_box(&model)))
    });
    c.bench_function("persist from_bytes 1M f64", |b| {
        b.iter(|| persist::from_bytes::<Weights>(black_box(&bytes)))
    });
}

fn generators(c: &mut Criterion) {
    let mut g = c.benchmark_group("generators");
    g.sample_size(10);
    let clf = MakeClassification::default()
        .with_n_samples(100_000)
        .with_n_features(50)
        .with_n_informative(20)
        .with_seed(0);
    g.bench_function("make_classification 100k x 50", |b| {
        b.iter(|| clf.generate())
    });
    let blobs = MakeBlobs::default()
        .with_n_samples(100_000)
        .with_n_features(10)
        .with_centers(8)
        .with_seed(0);
    g.bench_function("make_blobs 100k x 10", |b| b.iter(|| blobs.generate()));
    g.finish();
}

criterion_group!(benches, checks, persistence, generators);
criterion_main!(benches);
