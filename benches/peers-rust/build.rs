// Records the resolved versions of the peer crates (from Cargo.lock) so every result row can say
// exactly which version ran.
use std::fs;

fn main() {
    println!("cargo:rerun-if-changed=Cargo.lock");
    let lock = fs::read_to_string("Cargo.lock").unwrap_or_default();
    let mut name = String::new();
    let wanted = [
        ("linfa", "PEER_VERSION_LINFA"),
        ("smartcore", "PEER_VERSION_SMARTCORE"),
        ("ferrolearn-core", "PEER_VERSION_FERROLEARN"),
    ];
    let mut found = Vec::new();
    for line in lock.lines() {
        if let Some(v) = line.strip_prefix("name = ") {
            name = v.trim_matches('"').to_string();
        } else if let Some(v) = line.strip_prefix("version = ") {
            for (crate_name, var) in wanted {
                if name == crate_name && !found.contains(&var) {
                    println!("cargo:rustc-env={var}={}", v.trim_matches('"'));
                    found.push(var);
                }
            }
        }
    }
    for (_, var) in wanted {
        if !found.contains(&var) {
            println!("cargo:rustc-env={var}=unknown");
        }
    }
}
