//! The `kiln` command line's argument parsing on arbitrary arguments: any input parses or
//! gives clap's usage error, never a panic. The bytes are split into arguments at NUL bytes.
#![no_main]

use kiln_cli::{Cli, Parser};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let args = std::iter::once("kiln").chain(text.split('\0'));
    if let Ok(cli) = Cli::try_parse_from(args) {
        // Formatting the parsed command touches every field.
        let _ = format!("{cli:?}");
    }
});
