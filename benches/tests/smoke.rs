//! CI's check of the harness: `kiln-bench smoke` generates the tiny workload, runs every
//! registered kiln algorithm on it in child processes, and checks each record.

use std::process::Command;

#[test]
fn kiln_bench_smoke_runs_the_tiny_workload() {
    let out = Command::new(env!("CARGO_BIN_EXE_kiln-bench"))
        .arg("smoke")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(stdout.contains("wrote tiny_clf "), "{stdout}");
    for name in ["prior", "read_csv", "standard_scaler", "drop_duplicates"] {
        assert!(
            stdout.contains(&format!("ok       {name}")),
            "{name}: {stdout}"
        );
    }
}

#[test]
fn kiln_bench_rejects_unknown_options() {
    let out = Command::new(env!("CARGO_BIN_EXE_kiln-bench"))
        .args(["run", "--data"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--data needs a value"));
}
