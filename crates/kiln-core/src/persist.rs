//! Saving and loading fitted models through a self-describing, checksummed envelope.
//!
//! # File layout (format version 1)
//!
//! | bytes | content |
//! |---|---|
//! | 9 | magic `\x89KILN\r\n\x1a\n` (the PNG trick: a text-mode transfer or a truncated copy breaks it) |
//! | 4 | envelope format version, little-endian `u32` |
//! | 8 | header length `h`, little-endian `u64` |
//! | 8 | payload length `p`, little-endian `u64` |
//! | h | header, CBOR: kiln version, model kind, payload version, feature schema, params |
//! | p | payload, CBOR: the fitted model |
//! | 32 | SHA-256 of every byte before it |
//!
//! CBOR (RFC 8949) is a data format: nothing in a file is ever executed, and NaN and infinities
//! round-trip exactly (JSON cannot hold them).
//!
//! # Loading checks, in order
//!
//! magic → format version → lengths → checksum → header → model kind → payload version →
//! expected feature schema → params → payload → payload's schema against the header's.
//! The first that fails gives [`Error::ModelFormat`] with its [`FormatCheck`], so a file that
//! is not a kiln model says so instead of reporting a checksum error.
//!
//! # Example
//! ```
//! use kiln_core::persist::{self, FeatureSchema, Persist};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Serialize, Deserialize)]
//! struct Means { params: (), means: Vec<f64> }
//!
//! impl Persist for Means {
//!     const KIND: &'static str = "example::Means";
//!     type Params = ();
//!     fn params(&self) -> &() { &self.params }
//!     fn feature_schema(&self) -> FeatureSchema { FeatureSchema::new(self.means.len()) }
//! }
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("means.kiln");
//! persist::save(&Means { params: (), means: vec![1.5, f64::NAN] }, &path)?;
//! let back: Means = persist::load(&path)?;
//! assert_eq!(back.means[0], 1.5);
//! assert!(back.means[1].is_nan());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{Error, FormatCheck, Result};

/// The first bytes of every kiln model file.
pub const MAGIC: &[u8; 9] = b"\x89KILN\r\n\x1a\n";

/// The envelope format version this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// The kiln version written into every file (informational: loading does not reject other
/// kiln versions; the format and payload versions decide compatibility).
pub const KILN_VERSION: &str = env!("CARGO_PKG_VERSION");

const LEN_FIELDS: usize = 4 + 8 + 8;
const PREFIX: usize = MAGIC.len() + LEN_FIELDS;
const CHECKSUM_LEN: usize = 32;

/// The features a model expects: how many, and their names when known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureSchema {
    n_features: usize,
    names: Option<Vec<String>>,
}

impl FeatureSchema {
    /// A schema of `n_features` unnamed features.
    pub fn new(n_features: usize) -> Self {
        Self {
            n_features,
            names: None,
        }
    }

    /// A schema of named features, in column order.
    pub fn with_names(names: Vec<String>) -> Self {
        Self {
            n_features: names.len(),
            names: Some(names),
        }
    }

    /// The number of features.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// The feature names, when known.
    pub fn names(&self) -> Option<&[String]> {
        self.names.as_deref()
    }

    /// Checks that data described by `other` can be given to a model with this schema: the
    /// same count and, where both have names, the same names in the same order.
    ///
    /// # Errors
    /// [`Error::ModelFormat`] with [`FormatCheck::Schema`] naming the first difference.
    pub fn check_matches(&self, other: &FeatureSchema) -> Result<()> {
        if self.n_features != other.n_features {
            return Err(Error::model_format(
                FormatCheck::Schema,
                format!(
                    "expected {} features, the model has {}",
                    other.n_features, self.n_features
                ),
            ));
        }
        if let (Some(a), Some(b)) = (&self.names, &other.names)
            && let Some(i) = a.iter().zip(b).position(|(x, y)| x != y)
        {
            return Err(Error::model_format(
                FormatCheck::Schema,
                format!(
                    "feature {i} is named `{}` in the model but `{}` was expected",
                    a[i], b[i]
                ),
            ));
        }
        Ok(())
    }
}

/// A type that can be saved in a kiln model file.
///
/// Implemented by every fitted model, fitted transformer, pipeline and monitor profile.
pub trait Persist: Serialize + DeserializeOwned {
    /// A stable name for this kind of model, checked on load, e.g. `"kiln_cluster::KMeans"`.
    const KIND: &'static str;

    /// The version of this kind's payload layout. Bump it when the serialized fields change in
    /// a way old files cannot be read as; loading a file with another version fails with
    /// [`FormatCheck::PayloadVersion`] instead of decoding garbage.
    const PAYLOAD_VERSION: u32 = 1;

    /// The hyperparameters recorded in the header (use `()` when there are none).
    type Params: Serialize + DeserializeOwned;

    /// The hyperparameters the model was fitted with.
    fn params(&self) -> &Self::Params;

    /// The features the model expects at predict.
    fn feature_schema(&self) -> FeatureSchema;

    /// Checks the decoded model's own structure before it is handed out: indices in range
    /// (a tree's children and features), array shapes that agree with each other and with the
    /// feature count. Run by every load after the checksum, kind, version and schema checks,
    /// so that a payload that decodes but was not written by kiln (edited, then given a new
    /// checksum) fails at load rather than panicking or looping at predict.
    ///
    /// # Errors
    /// [`Error::ModelFormat`] with [`FormatCheck::Payload`], saying what is inconsistent.
    fn check_loaded(&self) -> Result<()> {
        Ok(())
    }
}

/// The decoded header of a model file: what it holds, readable without knowing its type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// The kiln version that wrote the file.
    pub kiln_version: String,
    /// The model kind ([`Persist::KIND`]).
    pub kind: String,
    /// The payload layout version ([`Persist::PAYLOAD_VERSION`]).
    pub payload_version: u32,
    /// The features the model expects.
    pub schema: FeatureSchema,
    /// The hyperparameters, CBOR-encoded; decode with [`Header::params`].
    #[serde(with = "serde_bytes_compat")]
    params_cbor: Vec<u8>,
}

impl Header {
    /// Decodes the recorded hyperparameters as `P`.
    ///
    /// # Errors
    /// [`Error::ModelFormat`] with [`FormatCheck::Payload`] when they do not decode as `P`.
    pub fn params<P: DeserializeOwned>(&self) -> Result<P> {
        ciborium::de::from_reader(self.params_cbor.as_slice()).map_err(|e| {
            Error::model_format(
                FormatCheck::Payload,
                format!("the params of `{}` could not be decoded: {e}", self.kind),
            )
        })
    }
}

/// Serializes `model` into the bytes of a model file.
///
/// # Errors
/// [`Error::ModelFormat`] with [`FormatCheck::Payload`] if the model cannot be serialized.
pub fn to_bytes<M: Persist>(model: &M) -> Result<Vec<u8>> {
    let params_cbor = encode(model.params(), "params")?;
    let header = Header {
        kiln_version: KILN_VERSION.to_owned(),
        kind: M::KIND.to_owned(),
        payload_version: M::PAYLOAD_VERSION,
        schema: model.feature_schema(),
        params_cbor,
    };
    let header_bytes = encode(&header, "header")?;
    let payload = encode(model, "payload")?;

    let mut out = Vec::with_capacity(PREFIX + header_bytes.len() + payload.len() + CHECKSUM_LEN);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(header_bytes.len() as u64).to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&header_bytes);
    out.extend_from_slice(&payload);
    let digest = Sha256::digest(&out);
    out.extend_from_slice(&digest);
    Ok(out)
}

/// Reads and checks the envelope of `bytes` (magic, version, lengths, checksum) and decodes
/// its header, without decoding the payload. Use it to inspect a file of unknown kind.
///
/// # Errors
/// [`Error::ModelFormat`] naming the first check that failed.
pub fn read_header(bytes: &[u8]) -> Result<Header> {
    split(bytes).map(|(header, _)| header)
}

/// Decodes a model of type `M` from the bytes of a model file.
///
/// # Errors
/// [`Error::ModelFormat`] naming the first check that failed (see the module docs for the order).
pub fn from_bytes<M: Persist>(bytes: &[u8]) -> Result<M> {
    decode_checked(bytes, None)
}

/// As [`from_bytes`], and also checks the model's feature schema against `expected`.
///
/// # Errors
/// As [`from_bytes`], plus [`FormatCheck::Schema`] when the schemas differ.
pub fn from_bytes_with_schema<M: Persist>(bytes: &[u8], expected: &FeatureSchema) -> Result<M> {
    decode_checked(bytes, Some(expected))
}

/// Saves `model` to `path` atomically: the bytes go to a temporary file in the same directory,
/// which is flushed to disk and then renamed over `path`. A crash or error part-way leaves
/// any previous file at `path` untouched.
///
/// # Errors
/// [`Error::Io`] with the path on any file-system error; [`Error::ModelFormat`] if the model
/// cannot be serialized (nothing is written then).
pub fn save<M: Persist>(model: &M, path: impl AsRef<Path>) -> Result<()> {
    let bytes = to_bytes(model)?;
    write_atomic(path.as_ref(), &bytes)
}

/// Loads a model of type `M` from `path`.
///
/// # Errors
/// [`Error::Io`] if the file cannot be read, [`Error::ModelFormat`] naming the first check
/// that failed.
pub fn load<M: Persist>(path: impl AsRef<Path>) -> Result<M> {
    let path = path.as_ref();
    let bytes = fs::read(path).map_err(|e| Error::io_at(path, e))?;
    from_bytes(&bytes)
}

/// As [`load`], and also checks the model's feature schema against `expected`.
///
/// # Errors
/// As [`load`], plus [`FormatCheck::Schema`] when the schemas differ.
pub fn load_with_schema<M: Persist>(path: impl AsRef<Path>, expected: &FeatureSchema) -> Result<M> {
    let path = path.as_ref();
    let bytes = fs::read(path).map_err(|e| Error::io_at(path, e))?;
    from_bytes_with_schema(&bytes, expected)
}

/// Writes `bytes` to `path` atomically (temporary file in the same directory, fsync, rename).
///
/// # Errors
/// [`Error::Io`] with the path that failed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let file_name = path.file_name().ok_or_else(|| {
        Error::io_at(
            path,
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "the path has no file name",
            ),
        )
    })?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // The temporary name adds up to 33 bytes to the target's; shorten the target's part so
    // that any name the file system accepts for the target also fits for the temporary file
    // (most limit a name to 255 bytes).
    let stem = file_name.to_string_lossy();
    let mut keep = stem.len().min(200);
    while !stem.is_char_boundary(keep) {
        keep -= 1;
    }
    let tmp = dir.join(format!(
        ".{}.tmp-{}-{}",
        &stem[..keep],
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let written = (|| -> std::io::Result<()> {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        Ok(())
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(Error::io_at(&tmp, e));
    }
    if let Err(e) = fs::rename(&tmp, path) {
        let _ = fs::remove_file(&tmp);
        return Err(Error::io_at(path, e));
    }
    // Make the rename itself durable where the platform allows syncing a directory.
    if let Ok(d) = File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

fn encode<T: Serialize + ?Sized>(value: &T, what: &str) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    ciborium::ser::into_writer(value, &mut buf).map_err(|e| {
        Error::model_format(
            FormatCheck::Payload,
            format!("the {what} could not be serialized: {e}"),
        )
    })?;
    Ok(buf)
}

fn read_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let b: [u8; 4] = bytes.get(at..at + 4)?.try_into().ok()?;
    Some(u32::from_le_bytes(b))
}

fn read_u64(bytes: &[u8], at: usize) -> Option<u64> {
    let b: [u8; 8] = bytes.get(at..at + 8)?.try_into().ok()?;
    Some(u64::from_le_bytes(b))
}

fn truncated(reason: String) -> Error {
    Error::model_format(FormatCheck::Truncated, reason)
}

/// Checks the envelope and returns the decoded header and the payload bytes.
fn split(bytes: &[u8]) -> Result<(Header, &[u8])> {
    let n_magic = bytes.len().min(MAGIC.len());
    if bytes[..n_magic] != MAGIC[..n_magic] {
        return Err(Error::model_format(
            FormatCheck::Magic,
            "the data does not start with the kiln magic bytes; it is not a kiln model file",
        ));
    }
    if bytes.len() < PREFIX {
        return Err(truncated(format!(
            "{} bytes is shorter than the {PREFIX}-byte envelope prefix",
            bytes.len()
        )));
    }
    let version = read_u32(bytes, MAGIC.len()).unwrap_or(0);
    if version != FORMAT_VERSION {
        return Err(Error::model_format(
            FormatCheck::Version,
            format!("format version {version}; this build reads version {FORMAT_VERSION}"),
        ));
    }
    let header_len = read_u64(bytes, MAGIC.len() + 4).unwrap_or(u64::MAX);
    let payload_len = read_u64(bytes, MAGIC.len() + 12).unwrap_or(u64::MAX);
    let expected_total = (PREFIX as u64)
        .checked_add(header_len)
        .and_then(|t| t.checked_add(payload_len))
        .and_then(|t| t.checked_add(CHECKSUM_LEN as u64));
    match expected_total {
        Some(total) if total == bytes.len() as u64 => {}
        Some(total) => {
            return Err(truncated(format!(
                "the header gives a length of {total} bytes but there are {}",
                bytes.len()
            )));
        }
        None => {
            return Err(truncated(
                "the length fields overflow; the file is corrupted".into(),
            ));
        }
    }
    // The lengths fit in the slice, so they fit in usize.
    let header_end = PREFIX + header_len as usize;
    let payload_end = header_end + payload_len as usize;
    let (body, stored) = bytes.split_at(payload_end);
    let actual = Sha256::digest(body);
    if actual.as_slice() != stored {
        return Err(Error::model_format(
            FormatCheck::Checksum,
            "the SHA-256 checksum does not match the contents; the file is corrupted",
        ));
    }
    let header: Header = ciborium::de::from_reader(&bytes[PREFIX..header_end]).map_err(|e| {
        Error::model_format(
            FormatCheck::Header,
            format!("the header could not be decoded: {e}"),
        )
    })?;
    Ok((header, &bytes[header_end..payload_end]))
}

fn decode_checked<M: Persist>(bytes: &[u8], expected: Option<&FeatureSchema>) -> Result<M> {
    let (header, payload) = split(bytes)?;
    if header.kind != M::KIND {
        return Err(Error::model_format(
            FormatCheck::Kind,
            format!(
                "expected a `{}` model, the file holds a `{}`",
                M::KIND,
                header.kind
            ),
        ));
    }
    if header.payload_version != M::PAYLOAD_VERSION {
        return Err(Error::model_format(
            FormatCheck::PayloadVersion,
            format!(
                "`{}` payload version {} (written by kiln {}); this build reads version {}",
                header.kind,
                header.payload_version,
                header.kiln_version,
                M::PAYLOAD_VERSION
            ),
        ));
    }
    if let Some(expected) = expected {
        header.schema.check_matches(expected)?;
    }
    header.params::<M::Params>()?;
    let model: M = ciborium::de::from_reader(payload).map_err(|e| {
        Error::model_format(
            FormatCheck::Payload,
            format!("the `{}` payload could not be decoded: {e}", header.kind),
        )
    })?;
    model.feature_schema().check_matches(&header.schema)?;
    model.check_loaded()?;
    Ok(model)
}

/// Stores `Vec<u8>` as a CBOR byte string rather than an array of integers.
mod serde_bytes_compat {
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(v)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a byte string")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
                Ok(v.to_vec())
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
                Ok(v)
            }
        }
        d.deserialize_byte_buf(V)
    }
}
