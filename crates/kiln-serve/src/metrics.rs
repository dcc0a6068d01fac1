//! Request, prediction and drift metrics, written in the Prometheus text exposition format
//! (version 0.0.4) by hand: counters and histograms are atomics, so recording a request
//! takes no lock except for the small `(endpoint, status)` table.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::drift::DriftSnapshot;

/// Upper bounds (seconds) of the request duration histogram.
pub const DURATION_BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Upper bounds of the predicted-value histogram of a regression model: symmetric decades,
/// since the target's scale is not known to the service.
pub const VALUE_BUCKETS: [f64; 19] = [
    -1e6, -1e5, -1e4, -1e3, -100.0, -10.0, -1.0, -0.1, -0.01, 0.0, 0.01, 0.1, 1.0, 10.0, 100.0,
    1e3, 1e4, 1e5, 1e6,
];

/// The endpoints, as the `endpoint` label.
pub const ENDPOINTS: [&str; 6] = ["predict", "health", "model", "metrics", "reload", "other"];

/// A histogram with fixed upper bounds.
#[derive(Debug)]
pub(crate) struct Histogram {
    bounds: &'static [f64],
    /// Per bucket (not cumulative), plus one past the last bound.
    counts: Vec<AtomicU64>,
    sum_bits: AtomicU64,
}

impl Histogram {
    fn new(bounds: &'static [f64]) -> Self {
        Self {
            bounds,
            counts: (0..=bounds.len()).map(|_| AtomicU64::new(0)).collect(),
            sum_bits: AtomicU64::new(0f64.to_bits()),
        }
    }

    pub(crate) fn observe(&self, v: f64) {
        let i = self.bounds.partition_point(|&b| b < v);
        if let Some(c) = self.counts.get(i) {
            c.fetch_add(1, Ordering::Relaxed);
        }
        let _ = self
            .sum_bits
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |bits| {
                Some((f64::from_bits(bits) + v).to_bits())
            });
    }

    fn render(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        let mut cumulative = 0u64;
        for (i, c) in self.counts.iter().enumerate() {
            cumulative += c.load(Ordering::Relaxed);
            let le = self
                .bounds
                .get(i)
                .map_or_else(|| "+Inf".to_string(), |b| format!("{b}"));
            let _ = writeln!(
                out,
                "{name}_bucket{{{labels}{sep}le=\"{le}\"}} {cumulative}"
            );
        }
        let sum = f64::from_bits(self.sum_bits.load(Ordering::Relaxed));
        let braces = if labels.is_empty() {
            String::new()
        } else {
            format!("{{{labels}}}")
        };
        let _ = writeln!(out, "{name}_sum{braces} {sum}");
        let _ = writeln!(out, "{name}_count{braces} {cumulative}");
    }
}

/// Everything `/metrics` reports besides drift.
#[derive(Debug)]
pub(crate) struct Metrics {
    requests: Mutex<BTreeMap<(usize, u16), u64>>,
    durations: Vec<Histogram>,
    rows_predicted: AtomicU64,
    classes: Mutex<BTreeMap<String, u64>>,
    values: Histogram,
    reloads: AtomicU64,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            requests: Mutex::new(BTreeMap::new()),
            durations: ENDPOINTS
                .iter()
                .map(|_| Histogram::new(&DURATION_BUCKETS))
                .collect(),
            rows_predicted: AtomicU64::new(0),
            classes: Mutex::new(BTreeMap::new()),
            values: Histogram::new(&VALUE_BUCKETS),
            reloads: AtomicU64::new(0),
        }
    }
}

/// The index of an endpoint label in [`ENDPOINTS`] (`other` for an unknown path).
pub(crate) fn endpoint_index(path: &str) -> usize {
    let name = path.trim_start_matches('/');
    ENDPOINTS
        .iter()
        .position(|e| *e == name)
        .unwrap_or(ENDPOINTS.len() - 1)
}

/// Escapes a label value (backslash, double quote, newline).
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Metrics {
    pub(crate) fn record_request(&self, endpoint: usize, status: u16, seconds: f64) {
        if let Some(h) = self.durations.get(endpoint) {
            h.observe(seconds);
        }
        let mut r = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        *r.entry((endpoint, status)).or_default() += 1;
    }

    /// Records a batch of classification (or clustering) predictions: `counts[k]` rows of
    /// class `names[k]`.
    pub(crate) fn record_classes(&self, names: &[String], counts: &[u64]) {
        let total: u64 = counts.iter().sum();
        self.rows_predicted.fetch_add(total, Ordering::Relaxed);
        let mut c = self.classes.lock().unwrap_or_else(|e| e.into_inner());
        for (name, &n) in names.iter().zip(counts) {
            if n > 0 {
                match c.get_mut(name) {
                    Some(v) => *v += n,
                    None => {
                        c.insert(name.clone(), n);
                    }
                }
            }
        }
    }

    /// Records a batch of regression predictions.
    pub(crate) fn record_values(&self, values: &[f64]) {
        self.rows_predicted
            .fetch_add(values.len() as u64, Ordering::Relaxed);
        for &v in values {
            self.values.observe(v);
        }
    }

    pub(crate) fn record_reload(&self) {
        self.reloads.fetch_add(1, Ordering::Relaxed);
    }

    /// The exposition text, with the drift of the current window.
    pub(crate) fn render(&self, regression: bool, drift: &DriftSnapshot) -> String {
        let mut out = String::with_capacity(8192);
        let _ = writeln!(
            out,
            "# HELP kiln_requests_total HTTP requests served, by endpoint and status code."
        );
        let _ = writeln!(out, "# TYPE kiln_requests_total counter");
        {
            let r = self.requests.lock().unwrap_or_else(|e| e.into_inner());
            for (&(e, status), n) in r.iter() {
                let endpoint = ENDPOINTS.get(e).copied().unwrap_or("other");
                let _ = writeln!(
                    out,
                    "kiln_requests_total{{endpoint=\"{endpoint}\",status=\"{status}\"}} {n}"
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP kiln_request_duration_seconds Time from request to response, by endpoint."
        );
        let _ = writeln!(out, "# TYPE kiln_request_duration_seconds histogram");
        for (e, h) in ENDPOINTS.iter().zip(&self.durations) {
            h.render(
                &mut out,
                "kiln_request_duration_seconds",
                &format!("endpoint=\"{e}\""),
            );
        }
        let _ = writeln!(
            out,
            "# HELP kiln_rows_predicted_total Rows predicted by accepted requests."
        );
        let _ = writeln!(out, "# TYPE kiln_rows_predicted_total counter");
        let _ = writeln!(
            out,
            "kiln_rows_predicted_total {}",
            self.rows_predicted.load(Ordering::Relaxed)
        );
        if regression {
            let _ = writeln!(
                out,
                "# HELP kiln_prediction_value Predicted values (regression)."
            );
            let _ = writeln!(out, "# TYPE kiln_prediction_value histogram");
            self.values.render(&mut out, "kiln_prediction_value", "");
        } else {
            let _ = writeln!(
                out,
                "# HELP kiln_predictions_total Predicted rows by class (or cluster)."
            );
            let _ = writeln!(out, "# TYPE kiln_predictions_total counter");
            let c = self.classes.lock().unwrap_or_else(|e| e.into_inner());
            for (name, n) in c.iter() {
                let _ = writeln!(
                    out,
                    "kiln_predictions_total{{class=\"{}\"}} {n}",
                    escape(name)
                );
            }
        }
        let _ = writeln!(out, "# HELP kiln_reloads_total Successful model reloads.");
        let _ = writeln!(out, "# TYPE kiln_reloads_total counter");
        let _ = writeln!(
            out,
            "kiln_reloads_total {}",
            self.reloads.load(Ordering::Relaxed)
        );
        render_drift(&mut out, drift);
        out
    }
}

fn render_drift(out: &mut String, drift: &DriftSnapshot) {
    let _ = writeln!(
        out,
        "# HELP kiln_drift_window_rows Served rows in the drift window (reset on reload)."
    );
    let _ = writeln!(out, "# TYPE kiln_drift_window_rows gauge");
    let _ = writeln!(out, "kiln_drift_window_rows {}", drift.window_rows);
    let _ = writeln!(
        out,
        "# HELP kiln_drift_psi Population stability index of the window against the training inputs, per column."
    );
    let _ = writeln!(out, "# TYPE kiln_drift_psi gauge");
    for c in &drift.columns {
        let _ = writeln!(
            out,
            "kiln_drift_psi{{column=\"{}\"}} {}",
            escape(&c.name),
            c.psi
        );
    }
    let _ = writeln!(
        out,
        "# HELP kiln_drift_jensen_shannon Jensen-Shannon distance (base 2) of the window against the training inputs, per column."
    );
    let _ = writeln!(out, "# TYPE kiln_drift_jensen_shannon gauge");
    for c in &drift.columns {
        let _ = writeln!(
            out,
            "kiln_drift_jensen_shannon{{column=\"{}\"}} {}",
            escape(&c.name),
            c.jensen_shannon
        );
    }
    let _ = writeln!(
        out,
        "# HELP kiln_drift_drifted 1 when the column's PSI is above 0.2."
    );
    let _ = writeln!(out, "# TYPE kiln_drift_drifted gauge");
    for c in &drift.columns {
        let _ = writeln!(
            out,
            "kiln_drift_drifted{{column=\"{}\"}} {}",
            escape(&c.name),
            u8::from(c.drifted)
        );
    }
    let _ = writeln!(
        out,
        "# HELP kiln_drift_share Share of the measured columns that drifted."
    );
    let _ = writeln!(out, "# TYPE kiln_drift_share gauge");
    let _ = writeln!(out, "kiln_drift_share {}", drift.share);
    let _ = writeln!(
        out,
        "# HELP kiln_drift_dataset 1 when at least half of the columns drifted."
    );
    let _ = writeln!(out, "# TYPE kiln_drift_dataset gauge");
    let _ = writeln!(out, "kiln_drift_dataset {}", u8::from(drift.dataset_drift));
}
