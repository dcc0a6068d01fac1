//! Runnable workflows that use kiln end to end; see the `examples/` folder of this package and
//! run one with `cargo run --release --example NAME`.
