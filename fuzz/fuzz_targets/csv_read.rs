//! The CSV reader and its schema inference on arbitrary bytes: any input gives a frame or a
//! typed error, never a panic. The first byte picks reader options so that the delimiter,
//! header, leniency and inference-window code paths are all reached.
#![no_main]

use kiln_prep::CsvOptions;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, body)) = data.split_first() else {
        return;
    };
    let delimiter = [b',', b';', b'\t', b'|'][usize::from(flags & 3)];
    let options = CsvOptions::default()
        .with_delimiter(delimiter)
        .with_header(flags & 4 == 0)
        .with_lenient(flags & 8 != 0)
        .with_infer_rows(usize::from(flags >> 4) + 1);
    if let Ok((frame, _report)) = options.read_reader(body) {
        // Touch every column so lazily built parts are exercised too.
        let _ = frame.n_rows();
    }
    if let Ok(text) = std::str::from_utf8(body) {
        let _ = CsvOptions::default().read_str(text);
    }
});
