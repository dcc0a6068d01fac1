//! The drift reference profile loader (`ReferenceProfile` through `kiln_core::persist`).
#![no_main]

mod seal;

use kiln_monitor::profile::ReferenceProfile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let bytes = seal::file_bytes(data);
    if let Ok(p) = kiln_core::persist::from_bytes::<ReferenceProfile>(&bytes) {
        for c in p.columns() {
            let _ = c.n_valid();
        }
        let _ = p.n_rows();
    }
});
