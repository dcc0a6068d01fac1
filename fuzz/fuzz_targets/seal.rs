//! Builds a well-formed kiln envelope around fuzzer-chosen header and payload bytes, so that
//! the fuzzer reaches the CBOR decoders behind the checksum instead of stopping at it.

use sha2::{Digest, Sha256};

/// `data[0]` selects the mode: even → the bytes as they are (every envelope check), odd →
/// `data[1..3]` is a little-endian header length and the rest splits into header and payload,
/// sealed with correct lengths and a correct SHA-256.
pub fn file_bytes(data: &[u8]) -> Vec<u8> {
    let Some((&mode, rest)) = data.split_first() else {
        return Vec::new();
    };
    if mode & 1 == 0 || rest.len() < 2 {
        return rest.to_vec();
    }
    let header_len = usize::from(u16::from_le_bytes([rest[0], rest[1]])).min(rest.len() - 2);
    let (header, payload) = rest[2..].split_at(header_len);
    let mut out = Vec::with_capacity(data.len() + 64);
    out.extend_from_slice(kiln_core::persist::MAGIC);
    out.extend_from_slice(&kiln_core::persist::FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(header.len() as u64).to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(header);
    out.extend_from_slice(payload);
    let digest = Sha256::digest(&out);
    out.extend_from_slice(&digest);
    out
}
