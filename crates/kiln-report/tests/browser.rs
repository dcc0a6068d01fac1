//! The german_credit report opened in headless Chromium: no console errors, no network
//! request, and a screenshot that is not blank.
//!
//! Mandatory when `KILN_BROWSER_TEST=1` (CI sets it and installs Debian's `chromium`);
//! elsewhere the test is skipped with a note when no `chromium` is found. Set
//! `KILN_REPORT_SCREENSHOT=PATH` to keep the screenshot (docs/img/report-german-credit.png
//! was made that way).

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: any failure should stop it loudly"
)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use kiln::datasets::Dataset;
use kiln::model::{Estimator, Model, TrainOptions};
use kiln::prep::CsvOptions;
use kiln::problem::{Problem, Task};
use kiln_report::{ModelReportOptions, cross_validated, model_report};

fn german_credit_page(dir: &Path) -> PathBuf {
    let (data, _) = CsvOptions::default()
        .read_str(Dataset::GermanCredit.csv())
        .unwrap();
    let problem = Problem::classification("credit")
        .with_positive_class("good")
        .with_goal("roc_auc", 0.75)
        .with_sensitive(["sex", "age_group"]);
    let estimator = Estimator::from_name(Task::Classification, "forest").unwrap();
    // Train on the first 800 rows; the page reports on the 200 the model never saw.
    let train = data.take_rows(&(0..800).collect::<Vec<_>>()).unwrap();
    let test = data.take_rows(&(800..1000).collect::<Vec<_>>()).unwrap();
    let model = Model::train(&problem, estimator, &train, None, &TrainOptions::default()).unwrap();
    let names = ["logistic".to_string(), "forest".to_string()];
    let comparison = cross_validated(&model, &train, &names, 5, 0).unwrap();
    let options = ModelReportOptions {
        data_name: "german_credit.csv, rows 800–999".into(),
        chunks: Some(5),
        comparison: Some(comparison),
        ..ModelReportOptions::default()
    };
    let path = dir.join("report.html");
    model_report(&model, &test, &options)
        .unwrap()
        .write(&path)
        .unwrap();
    path
}

fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            let out = Command::new("sh")
                .args(["-c", &format!("command -v {name}")])
                .output()
                .ok()?;
            let p = String::from_utf8_lossy(&out.stdout).trim().to_string();
            (out.status.success() && !p.is_empty()).then(|| PathBuf::from(p))
        })
}

/// URLs the page asked for, from Chromium's net log. Chromium's own background requests
/// (time, update and account services) have no initiator ("not an origin"); the page's have
/// its `file://` origin (serialised "null"). `file:` and `data:` loads are not network.
fn page_requests(net_log: &str) -> Vec<String> {
    // Chromium may be stopped before it closes the JSON document.
    let doc: serde_json::Value = serde_json::from_str(net_log)
        .or_else(|_| {
            serde_json::from_str(&format!("{}]}}", net_log.trim_end().trim_end_matches(',')))
        })
        .expect("a readable net log");
    let mut urls: Vec<String> = doc["events"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|e| {
            let p = &e["params"];
            let url = p["url"].as_str()?;
            let initiator = p["initiator"].as_str()?;
            let local = ["file:", "data:", "about:", "chrome:"]
                .iter()
                .any(|s| url.starts_with(s));
            (initiator != "not an origin" && !local).then(|| url.to_string())
        })
        .collect();
    urls.dedup();
    urls
}

/// What Chromium reported on opening `page`: console lines, the page's requests, and the
/// screenshot's path.
struct Visit {
    console: Vec<String>,
    requests: Vec<String>,
    screenshot: PathBuf,
}

fn visit(browser: &Path, page: &Path, dir: &Path, size: (u32, u32)) -> Visit {
    let screenshot = dir.join("shot.png");
    let net_log = dir.join("net.json");
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--log-net-log={}", net_log.display()))
        .arg(format!("--screenshot={}", screenshot.display()))
        .arg(format!("--window-size={},{}", size.0, size.1))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Page console messages are logged as `INFO:CONSOLE:line] "message", source: ...`.
    let console = stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(String::from)
        .collect();
    let log = std::fs::read_to_string(&net_log).unwrap_or_default();
    assert!(!log.is_empty(), "chromium wrote no net log");
    Visit {
        console,
        requests: page_requests(&log),
        screenshot,
    }
}

#[test]
fn german_credit_report_renders_in_chromium_without_errors_or_requests() {
    let required = std::env::var("KILN_BROWSER_TEST").is_ok_and(|v| v == "1");
    let Some(browser) = chromium() else {
        assert!(!required, "KILN_BROWSER_TEST=1 but no chromium was found");
        eprintln!(
            "note: skipping the browser test: no chromium (set KILN_BROWSER_TEST=1 to require it)"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = german_credit_page(dir.path());
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(!html.contains("http://") && !html.contains("https://"));

    // The detectors work: a page with a console error and an image URL is caught.
    let control = dir.path().join("control.html");
    std::fs::write(
        &control,
        "<!DOCTYPE html><p>x</p><img src=\"http://127.0.0.1:9/x.png\">\
         <script>console.error('boom')</script>",
    )
    .unwrap();
    let c = visit(&browser, &control, dir.path(), (400, 300));
    assert_eq!(c.console.len(), 1, "control console: {:?}", c.console);
    assert!(
        c.requests.iter().any(|u| u.contains("127.0.0.1:9")),
        "control requests: {:?}",
        c.requests
    );

    let start = Instant::now();
    let v = visit(&browser, &page, dir.path(), (1280, 4000));
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "chromium took {:?}",
        start.elapsed()
    );
    assert!(v.console.is_empty(), "console messages: {:#?}", v.console);
    assert!(
        v.requests.is_empty(),
        "the page made requests: {:?}",
        v.requests
    );
    let shot = v.screenshot;

    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let px = info.color_type.samples();
    let mut colours = std::collections::HashSet::new();
    let mut dark = 0usize;
    for p in buf[..info.buffer_size()].chunks(px) {
        colours.insert((p[0], p[1], p[2]));
        if u32::from(p[0]) + u32::from(p[1]) + u32::from(p[2]) < 300 {
            dark += 1;
        }
    }
    let total = (info.width * info.height) as usize;
    assert_eq!((info.width, info.height), (1280, 4000));
    assert!(colours.len() > 200, "only {} colours", colours.len());
    // Text and chart lines: at least 1% of the pixels are dark.
    assert!(dark * 100 > total, "only {dark} dark pixels of {total}");
    if let Ok(keep) = std::env::var("KILN_REPORT_SCREENSHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }
    if let Ok(keep) = std::env::var("KILN_REPORT_HTML") {
        std::fs::copy(&page, keep).unwrap();
    }
}
