//! Benchmarks of kiln: criterion benches under `benches/` for quick comparisons between
//! kiln's own versions.
