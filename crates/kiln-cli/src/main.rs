//! The `kiln` binary; everything is in the `kiln_cli` library.

/// mimalloc instead of the system allocator: serving a single-row prediction allocates a few
/// dozen small buffers, and glibc's malloc/free took about a tenth of the server's time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    kiln_cli::main()
}
