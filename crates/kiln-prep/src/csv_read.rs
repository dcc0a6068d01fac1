//! Reading CSV into a [`Frame`]: schema inference, per-column overrides, parallel parsing.
//!
//! # How a file is read
//!
//! 1. The header row gives the column names (duplicates are an error).
//! 2. Types are inferred from the first [`CsvOptions::infer_rows`] records unless overridden:
//!    a column is `bool` if every present value is `true`/`false` (any case), `int` if every
//!    value is a whole number of at most 2^53 in magnitude, `float` if every value is a
//!    number, else `categorical`. A column with no value present is `float`.
//! 3. The records are cut into chunks at record boundaries (quotes respected) and parsed on
//!    all cores. A path is read in blocks, so memory holds the frame being built plus one
//!    block, never the whole text. Each block is one parallel region: its chunks are parsed
//!    while the previous block's results are appended to the columns and the next block is
//!    read and cut.
//! 4. If a later value does not fit an inferred type (text in a column that looked numeric),
//!    the column becomes categorical and the data is parsed again with the corrected types;
//!    [`ReadReport::retyped`] says which column, where and why. Nothing is silently dropped.
//!    For a column whose type was *given*, a value that does not parse is an error with its
//!    line and column, or, with [`CsvOptions::lenient`], a missing value counted in
//!    [`ReadReport::unparsed`].
//!
//! Missing values are empty fields; [`CsvOptions::na_values`] adds markers such as `NA`,
//! opt-in because real categories can be called `None` or `NA`.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use kiln_core::{Error, Result};
use rayon::prelude::*;

use crate::frame::{Categorical, Column, ColumnType, Frame, MISSING_CODE};

/// How to read a CSV file. `CsvOptions::default()` reads the common case: comma-separated,
/// a header row, `"` quotes, empty fields missing, types inferred.
#[derive(Debug, Clone)]
pub struct CsvOptions {
    /// Field separator. By default, `b','`.
    pub delimiter: u8,
    /// Quote character. By default, `b'"'`.
    pub quote: u8,
    /// Whether the first row holds column names. By default, `true`; without one, columns
    /// are named `column_0`, `column_1`, ...
    pub has_header: bool,
    /// Extra texts that mean "missing" besides the empty field (e.g. `NA`, `?`). By default,
    /// none.
    pub na_values: Vec<String>,
    /// Types given for some columns, by name; the others are inferred. By default, none.
    pub types: Vec<(String, ColumnType)>,
    /// Records used to infer types. By default, 10,000. A later value that does not fit is
    /// handled by a second pass, so this only affects speed, never the result.
    pub infer_rows: usize,
    /// Whether a value that does not parse in a column of a *given* type becomes missing
    /// (counted in the report) instead of an error. By default, `false`.
    pub lenient: bool,
    /// Bytes per parallel parsing chunk. By default, 128 KiB: sixteen chunks to a block, so
    /// that the threads share a block's work evenly (`clf_1m.csv` on two cores, 2026-11-27,
    /// medians of 15 reads alternated: 512 KiB 1.19 s, 128 KiB 1.15 s; 64 KiB no better).
    pub chunk_bytes: usize,
    /// Bytes read at a time from a file. By default, 2 MiB: the block being parsed and the
    /// one being read stay in the processor's cache, so the parse reads what the read just
    /// wrote without a trip to memory (`clf_1m.csv`, 542 MB: median 0.62 s with 16 MiB blocks
    /// of 4 MiB chunks, 0.57–0.58 s with 2 MiB blocks of 256–512 KiB chunks; 1 MiB blocks were
    /// slower again).
    pub block_bytes: usize,
}

impl Default for CsvOptions {
    fn default() -> Self {
        Self {
            delimiter: b',',
            quote: b'"',
            has_header: true,
            na_values: Vec::new(),
            types: Vec::new(),
            infer_rows: 10_000,
            lenient: false,
            chunk_bytes: 128 << 10,
            block_bytes: 2 << 20,
        }
    }
}

/// What happened while reading, beyond the frame itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadReport {
    /// Data rows read.
    pub rows: usize,
    /// Columns whose inferred type had to change after the sample: (column, 1-based line of
    /// the first value that did not fit, that value, the type it replaced).
    pub retyped: Vec<(String, u64, String, ColumnType)>,
    /// Columns of a given type where lenient parsing turned values into missing ones:
    /// (column, how many).
    pub unparsed: Vec<(String, usize)>,
    /// How many times the data was parsed (2 when a type changed).
    pub passes: usize,
}

impl CsvOptions {
    /// Sets [`CsvOptions::delimiter`].
    pub fn with_delimiter(mut self, delimiter: u8) -> Self {
        self.delimiter = delimiter;
        self
    }

    /// Sets [`CsvOptions::has_header`].
    pub fn with_header(mut self, has_header: bool) -> Self {
        self.has_header = has_header;
        self
    }

    /// Adds markers to [`CsvOptions::na_values`].
    pub fn with_na_values<S: Into<String>>(mut self, values: impl IntoIterator<Item = S>) -> Self {
        self.na_values.extend(values.into_iter().map(Into::into));
        self
    }

    /// Gives the type of column `name` (see [`CsvOptions::types`]).
    pub fn with_type(mut self, name: &str, ty: ColumnType) -> Self {
        self.types.push((name.to_owned(), ty));
        self
    }

    /// Sets [`CsvOptions::lenient`].
    pub fn with_lenient(mut self, lenient: bool) -> Self {
        self.lenient = lenient;
        self
    }

    /// Sets [`CsvOptions::infer_rows`].
    pub fn with_infer_rows(mut self, rows: usize) -> Self {
        self.infer_rows = rows;
        self
    }

    /// Checks that the delimiter and the quote can be told apart from each other and from
    /// the line ends.
    fn check_options(&self) -> Result<()> {
        let show = |b: u8| format!("{:?}", char::from(b));
        for (name, b) in [("delimiter", self.delimiter), ("quote", self.quote)] {
            if b == b'\n' || b == b'\r' {
                return Err(Error::invalid_param(
                    "CsvOptions",
                    name,
                    format!("must not be a line end; got {}", show(b)),
                ));
            }
        }
        if self.quote == self.delimiter {
            return Err(Error::invalid_param(
                "CsvOptions",
                "quote",
                format!(
                    "must differ from the delimiter; both are {}",
                    show(self.quote)
                ),
            ));
        }
        Ok(())
    }

    /// Reads CSV text.
    ///
    /// # Errors
    /// [`Error::Parse`] with line and field for malformed input (ragged rows, invalid UTF-8,
    /// an unparseable value in a column of a given type, duplicate column names, an empty
    /// input or a header with no rows); [`Error::InvalidValue`] for a type given for a
    /// column that does not exist.
    pub fn read_str(&self, text: &str) -> Result<(Frame, ReadReport)> {
        self.read_bytes(text.as_bytes(), "<string>")
    }

    /// Reads everything from `reader` (into memory first), then parses it.
    ///
    /// # Errors
    /// [`Error::Io`] if reading fails; otherwise as [`CsvOptions::read_str`].
    pub fn read_reader(&self, mut reader: impl Read) -> Result<(Frame, ReadReport)> {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes)?;
        self.read_bytes(&bytes, "<reader>")
    }

    /// Reads the file at `path` in blocks, parsing each on all cores.
    ///
    /// # Errors
    /// [`Error::Io`] with the path if it cannot be read; otherwise as
    /// [`CsvOptions::read_str`], with the file name in parse errors.
    pub fn read_path(&self, path: impl AsRef<Path>) -> Result<(Frame, ReadReport)> {
        self.check_options()?;
        let path = path.as_ref();
        if path.is_dir() {
            return Err(Error::io_at(
                path,
                std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "is a directory, not a CSV file",
                ),
            ));
        }
        let name = path.display().to_string();
        let source = Source::File(path);
        if source.cr_only()? {
            // Classic Mac OS line ends: read whole, as `\n` lines (see `Source::cr_only`).
            let mut bytes = Vec::new();
            source
                .open()?
                .read_to_end(&mut bytes)
                .map_err(|e| Error::io_at(path, e))?;
            return self.read_bytes(&cr_to_lf(bytes), &name);
        }
        let (names, sample) = self.header_and_sample(&source, &name)?;
        self.read_with(&source, &name, names, &sample)
    }

    /// Reads bytes held in memory.
    fn read_bytes(&self, bytes: &[u8], name: &str) -> Result<(Frame, ReadReport)> {
        self.check_options()?;
        let source = Source::Memory(bytes);
        if source.cr_only()? {
            return self.read_bytes(&cr_to_lf(bytes.to_vec()), name);
        }
        let (names, sample) = self.header_and_sample(&source, name)?;
        self.read_with(&source, name, names, &sample)
    }

    fn read_with(
        &self,
        source: &Source<'_>,
        name: &str,
        names: Vec<String>,
        sample: &Sample,
    ) -> Result<(Frame, ReadReport)> {
        let mut given = vec![None; names.len()];
        for (col, ty) in &self.types {
            let j = names
                .iter()
                .position(|n| n == col)
                .ok_or_else(|| Error::InvalidValue {
                    what: "CSV column types".into(),
                    row: None,
                    reason: format!(
                        "a type was given for `{col}`, which is not a column; the columns are: {}",
                        names.join(", ")
                    ),
                })?;
            given[j] = Some(*ty);
        }
        // Columns are inferred in parallel: 10,000 sample rows of a wide file are half a
        // million fields to classify.
        let mut types: Vec<ColumnType> = (0..names.len())
            .into_par_iter()
            .map(|j| given[j].unwrap_or_else(|| self.infer(sample.iter().map(|r| &r[j]))))
            .collect();
        let mut report = ReadReport::default();
        loop {
            report.passes += 1;
            let parsed = self.parse_source(source, name, &names, &types, &given)?;
            let mut changed = false;
            for (j, conflict) in parsed.conflicts.iter().enumerate() {
                if let Some((line, value)) = conflict {
                    report
                        .retyped
                        .push((names[j].clone(), *line, value.clone(), types[j]));
                    types[j] = ColumnType::Categorical;
                    changed = true;
                }
            }
            if changed && report.passes < 3 {
                continue;
            }
            report.rows = parsed.rows;
            report.unparsed = names
                .iter()
                .zip(&parsed.unparsed)
                .filter(|(_, n)| **n > 0)
                .map(|(c, n)| (c.clone(), *n))
                .collect();
            let columns = names.into_iter().zip(parsed.columns).collect();
            return Ok((Frame::new(columns)?, report));
        }
    }

    /// Reads the header and the first `infer_rows` records (as raw fields).
    fn header_and_sample(&self, source: &Source<'_>, name: &str) -> Result<(Vec<String>, Sample)> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .delimiter(self.delimiter)
            .quote(self.quote)
            .flexible(true)
            .from_reader(source.open()?);
        let mut record = csv::ByteRecord::new();
        let mut rows = Vec::new();
        let mut names = Vec::new();
        let want = self.infer_rows.max(1) + usize::from(self.has_header);
        while rows.len() + names.len().min(1) < want {
            match rdr.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => return Err(csv_error(name, 0, &e)),
            }
            if self.has_header && names.is_empty() {
                names = header_names(&record, name)?;
                continue;
            }
            // One allocation per record (its fields stored end to end), not one per field.
            rows.push(record.clone());
        }
        if !self.has_header {
            let width = rows.first().map_or(0, csv::ByteRecord::len);
            names = (0..width).map(|j| format!("column_{j}")).collect();
        }
        if names.is_empty() {
            return Err(parse_err(
                name,
                1,
                None,
                "the input is empty: no header and no rows",
            ));
        }
        if rows.is_empty() {
            return Err(parse_err(
                name,
                2,
                None,
                "the input has a header but no data rows",
            ));
        }
        // A short record in the sample is reported with its line by the full parse.
        let width = names.len();
        let sample = rows.into_iter().filter(|r| r.len() == width).collect();
        Ok((names, sample))
    }

    fn is_na(&self, field: &[u8]) -> bool {
        field.is_empty() || self.na_values.iter().any(|m| m.as_bytes() == field)
    }

    fn infer<'a>(&self, fields: impl Iterator<Item = &'a [u8]>) -> ColumnType {
        let (mut any, mut all_bool, mut all_int, mut all_num) = (false, true, true, true);
        for f in fields {
            if self.is_na(f) {
                continue;
            }
            any = true;
            match classify(f) {
                Kind::Bool => {
                    all_int = false;
                    all_num = false;
                }
                Kind::Int => all_bool = false,
                Kind::Float => {
                    all_bool = false;
                    all_int = false;
                }
                Kind::Text => return ColumnType::Categorical,
            }
        }
        match (any, all_bool, all_int, all_num) {
            (false, ..) => ColumnType::Float,
            (true, true, ..) => ColumnType::Bool,
            (true, false, true, _) => ColumnType::Int,
            (true, false, false, true) => ColumnType::Float,
            _ => ColumnType::Categorical,
        }
    }

    /// Parses all data records of `source` with the given types.
    fn parse_source(
        &self,
        source: &Source<'_>,
        name: &str,
        names: &[String],
        types: &[ColumnType],
        given: &[Option<ColumnType>],
    ) -> Result<Parsed> {
        let width = names.len();
        let mut acc = Accumulator::new(types);
        let mut reader = source.open()?;
        let read_err = |e: std::io::Error| match source {
            Source::File(p) => Error::io_at(*p, e),
            Source::Memory(_) => Error::from(e),
        };
        // Appends up to one block from the reader; `take` appends without zero-filling the
        // buffer first. `Ok(true)` at the end of the input.
        let block_bytes = self.block_bytes.max(1);
        let fill = |reader: &mut (dyn Read + Send), buf: &mut Vec<u8>| {
            reader
                .take(block_bytes as u64)
                .read_to_end(buf)
                .map(|n| n == 0)
        };
        // Two buffers, reused for every block (fresh pages cost a kernel zero-fill each time):
        // the next block is read into one while the other is parsed.
        let mut block: Vec<u8> = Vec::with_capacity(block_bytes + (1 << 16));
        let mut next: Vec<u8> = Vec::with_capacity(block_bytes + (1 << 16));
        let eof = fill(&mut *reader, &mut block).map_err(read_err)?;
        let mut cursor = Cursor {
            line: 1,
            header_pending: self.has_header,
        };
        let mut plan = self.plan_block(&block, eof, &mut cursor, name)?;
        let total = source.len();
        let mut consumed: u64 = 0;
        // The previous block's parsed chunks and its length, merged while this one is parsed.
        let mut pending: Option<(Vec<Chunk>, usize)> = None;
        loop {
            // One parallel region per block: the chunks are parsed while the other side
            // merges the previous block's results into the columns, reads the next block
            // (a copy out of the page cache) and cuts it into chunks. With the merge, the
            // cut and the line counts in regions of their own, the threads waited at each
            // region's end for the slowest piece of work.
            let (cut, eof) = (plan.cut, plan.eof);
            let chunks = &plan.chunks;
            let current = &block;
            let (results, planned) = rayon::join(
                || {
                    chunks
                        .par_iter()
                        .map(|(range, lines)| {
                            self.parse_chunk(
                                &current[range.clone()],
                                *lines,
                                name,
                                width,
                                types,
                                given,
                            )
                        })
                        .collect::<Result<Vec<Chunk>>>()
                },
                || -> Result<Option<BlockPlan>> {
                    if let Some((parsed, len)) = pending.take() {
                        acc.push_all(parsed);
                        consumed += len as u64;
                        if let Some(total) = total {
                            acc.reserve_for(consumed, total);
                        }
                    }
                    if eof {
                        return Ok(None);
                    }
                    next.clear();
                    next.extend_from_slice(&current[cut..]);
                    let next_eof = fill(&mut *reader, &mut next).map_err(read_err)?;
                    self.plan_block(&next, next_eof, &mut cursor, name)
                        .map(Some)
                },
            );
            pending = Some((results?, cut));
            match planned? {
                Some(p) => {
                    plan = p;
                    std::mem::swap(&mut block, &mut next);
                }
                None => break,
            }
        }
        if let Some((parsed, _)) = pending {
            acc.push_all(parsed);
        }
        acc.finish()
    }

    /// Where `block` is cut (after its last complete record, or at its end with `eof`), the
    /// header skipped when it is still to come, and the rest cut into chunks at record
    /// boundaries, each with its first line and line count; `cursor` moves past the block.
    fn plan_block(
        &self,
        block: &[u8],
        eof: bool,
        cursor: &mut Cursor,
        name: &str,
    ) -> Result<BlockPlan> {
        let cut = if eof {
            block.len()
        } else {
            last_record_end(block, self.quote, self.delimiter)
        };
        if eof && let Some(open) = unclosed_quote(block, self.quote, self.delimiter) {
            // The csv crate would read the rest of the file as one field, silently.
            let at = cursor.line + count_newlines(&block[..open]);
            return Err(parse_err(
                name,
                at,
                None,
                "a quoted field opened on this line is never closed (a missing `\"`?)",
            ));
        }
        let mut from = 0;
        let mut data: &[u8] = &block[..cut];
        if cursor.header_pending {
            match first_record_end(data, self.quote, self.delimiter) {
                Some(end) => {
                    cursor.line += count_newlines(&data[..end]);
                    from = end;
                    cursor.header_pending = false;
                }
                // A header without a final newline: the whole input.
                None if eof => {
                    cursor.line += count_newlines(data);
                    from = data.len();
                    cursor.header_pending = false;
                }
                // The header is longer than this block: nothing to parse until the next
                // block completes it.
                None => from = data.len(),
            }
            data = &data[from..];
        }
        let mut chunks = Vec::new();
        let mut start = from;
        for c in split_chunks(data, self.chunk_bytes, self.quote, self.delimiter) {
            // (first line, line count) of each chunk: the count also sizes its columns.
            let n = count_newlines(c);
            chunks.push((start..start + c.len(), (cursor.line, n)));
            cursor.line += n;
            start += c.len();
        }
        Ok(BlockPlan { cut, eof, chunks })
    }

    fn parse_chunk(
        &self,
        data: &[u8],
        (first_line, n_lines): (u64, u64),
        name: &str,
        width: usize,
        types: &[ColumnType],
        given: &[Option<ColumnType>],
    ) -> Result<Chunk> {
        let rows_hint = n_lines as usize + 1;
        let mut sink = Sink {
            opts: self,
            fast_numbers: !self
                .na_values
                .iter()
                .any(|m| parse_number(m.as_bytes()).is_some()),
            name,
            given,
            cols: types
                .iter()
                .zip(given)
                .map(|(&t, g)| ChunkColumn::new(t, g.is_some(), rows_hint))
                .collect(),
            conflicts: vec![None; width],
            unparsed: vec![0; width],
            rows: 0,
        };
        if memchr::memchr(self.quote, data).is_some() {
            let mut rdr = csv::ReaderBuilder::new()
                .has_headers(false)
                .delimiter(self.delimiter)
                .quote(self.quote)
                .flexible(true)
                .from_reader(data);
            let mut record = csv::ByteRecord::new();
            loop {
                match rdr.read_byte_record(&mut record) {
                    Ok(false) => break,
                    Ok(true) => {}
                    Err(e) => return Err(csv_error(name, first_line - 1, &e)),
                }
                let line = first_line - 1 + record.position().map_or(1, |p| p.line());
                sink.record(line, record.len(), record.iter())?;
            }
        } else {
            // No quotes in this chunk: every newline ends a record and every delimiter ends a
            // field, so split directly (the csv crate's state machine is not needed).
            let d = self.delimiter;
            let mut start = 0;
            let newlines = memchr::memchr_iter(b'\n', data).chain(std::iter::once(data.len()));
            for (line, end) in (first_line..).zip(newlines) {
                let raw = &data[start..end];
                start = end + 1;
                let rec = raw.strip_suffix(b"\r").unwrap_or(raw);
                if !rec.is_empty() {
                    // Blank lines are skipped, as the csv crate does.
                    sink.record_unquoted(line, rec, d)?;
                }
            }
        }
        Ok(Chunk {
            cols: sink.cols,
            conflicts: sink.conflicts,
            unparsed: sink.unparsed,
            rows: sink.rows,
        })
    }
}

/// Where reading stands between blocks: the line the next record starts on, and whether
/// the header is still to be skipped.
struct Cursor {
    line: u64,
    header_pending: bool,
}

/// A block cut for parsing ([`CsvOptions::plan_block`]).
struct BlockPlan {
    /// The end of the block's last complete record: the rest starts the next block.
    cut: usize,
    /// Whether the block is the last.
    eof: bool,
    /// Each chunk's byte range in the block with its first line and line count.
    chunks: Vec<(std::ops::Range<usize>, (u64, u64))>,
}

/// The state of one chunk's parse: typed columns and what went wrong where.
struct Sink<'a> {
    opts: &'a CsvOptions,
    /// Whether numeric fields may be parsed in place (no missing-value marker is a number).
    fast_numbers: bool,
    name: &'a str,
    given: &'a [Option<ColumnType>],
    cols: Vec<ChunkColumn>,
    conflicts: Vec<Option<(u64, String)>>,
    unparsed: Vec<usize>,
    rows: usize,
}

impl Sink<'_> {
    fn record<'f>(
        &mut self,
        line: u64,
        n_fields: usize,
        fields: impl Iterator<Item = &'f [u8]>,
    ) -> Result<()> {
        let width = self.cols.len();
        if n_fields != width {
            return Err(parse_err(
                self.name,
                line,
                None,
                &format!("expected {width} fields, found {n_fields}"),
            ));
        }
        for (j, field) in fields.enumerate() {
            self.field(line, j, field)?;
        }
        self.rows += 1;
        Ok(())
    }

    /// A record of a chunk without quotes: numbers are parsed straight from the record, each
    /// scan ending at its field's delimiter, so a numeric field is read once.
    fn record_unquoted(&mut self, line: u64, rec: &[u8], d: u8) -> Result<()> {
        let width = self.cols.len();
        let mut pos = 0;
        for j in 0..width {
            if j > 0 {
                // `pos` is at the delimiter that ended the previous field.
                if pos >= rec.len() {
                    return Err(self.field_count_error(line, rec, d));
                }
                pos += 1;
            }
            let rest = &rec[pos..];
            let fast = if self.fast_numbers {
                self.cols[j].push_leading_number(rest, d)
            } else {
                None
            };
            pos += match fast {
                Some(len) => len,
                None => {
                    let len = memchr::memchr(d, rest).unwrap_or(rest.len());
                    self.field(line, j, &rest[..len])?;
                    len
                }
            };
        }
        if pos != rec.len() {
            return Err(self.field_count_error(line, rec, d));
        }
        self.rows += 1;
        Ok(())
    }

    fn field_count_error(&self, line: u64, rec: &[u8], d: u8) -> Error {
        let found = memchr::memchr_iter(d, rec).count() + 1;
        parse_err(
            self.name,
            line,
            None,
            &format!("expected {} fields, found {found}", self.cols.len()),
        )
    }

    /// Adds field `j` of the record on `line`.
    fn field(&mut self, line: u64, j: usize, field: &[u8]) -> Result<()> {
        let missing = self.opts.is_na(field);
        let ok = self.cols[j].push(field, missing).map_err(|()| {
            parse_err(self.name, line, Some(j + 1), "the value is not valid UTF-8")
        })?;
        if !ok {
            let text = String::from_utf8_lossy(field).into_owned();
            match self.given[j] {
                Some(_) if self.opts.lenient => self.unparsed[j] += 1,
                Some(ty) => {
                    return Err(parse_err(
                        self.name,
                        line,
                        Some(j + 1),
                        &format!("`{text}` is not a valid {ty} value"),
                    ));
                }
                None => {
                    if self.conflicts[j].is_none() {
                        self.conflicts[j] = Some((line, text));
                    }
                }
            }
        }
        Ok(())
    }
}

/// The first records, as raw fields, for type inference.
type Sample = Vec<csv::ByteRecord>;

enum Source<'a> {
    Memory(&'a [u8]),
    File(&'a Path),
}

impl Source<'_> {
    /// The total size in bytes, when known.
    fn len(&self) -> Option<u64> {
        match self {
            Source::Memory(b) => Some(b.len() as u64),
            Source::File(p) => std::fs::metadata(p).ok().map(|m| m.len()),
        }
    }

    fn open(&self) -> Result<Box<dyn Read + Send + '_>> {
        match self {
            Source::Memory(b) => Ok(Box::new(*b)),
            Source::File(p) => Ok(Box::new(File::open(p).map_err(|e| Error::io_at(*p, e))?)),
        }
    }

    /// Whether the lines end with a lone `\r` (classic Mac OS): the first 64 kB hold a `\r`
    /// and no `\n`. The block parser cuts lines at `\n`, so such input is read as `\n` lines
    /// (as pandas and the `csv` crate read it) instead of as one long line.
    fn cr_only(&self) -> Result<bool> {
        let mut head = Vec::with_capacity(1 << 16);
        self.open()?
            .take(1 << 16)
            .read_to_end(&mut head)
            .map_err(|e| match self {
                Source::File(p) => Error::io_at(*p, e),
                Source::Memory(_) => Error::from(e),
            })?;
        Ok(memchr::memchr(b'\r', &head).is_some() && memchr::memchr(b'\n', &head).is_none())
    }
}

/// `bytes` with every `\r` made a `\n` (one line end for one, so line numbers hold).
fn cr_to_lf(mut bytes: Vec<u8>) -> Vec<u8> {
    for b in &mut bytes {
        if *b == b'\r' {
            *b = b'\n';
        }
    }
    bytes
}

fn header_names(record: &csv::ByteRecord, name: &str) -> Result<Vec<String>> {
    let mut names: Vec<String> = Vec::with_capacity(record.len());
    for (j, f) in record.iter().enumerate() {
        let s = std::str::from_utf8(f)
            .map_err(|_| parse_err(name, 1, Some(j + 1), "the column name is not valid UTF-8"))?;
        if let Some(first) = names.iter().position(|n| n == s) {
            return Err(parse_err(
                name,
                1,
                Some(j + 1),
                &format!("duplicate column name `{s}` (also field {})", first + 1),
            ));
        }
        names.push(s.to_owned());
    }
    Ok(names)
}

fn parse_err(name: &str, line: u64, column: Option<usize>, reason: &str) -> Error {
    Error::Parse {
        source_name: Some(name.to_owned()),
        line,
        column,
        reason: reason.to_owned(),
    }
}

fn csv_error(name: &str, line_offset: u64, e: &csv::Error) -> Error {
    let line = e.position().map_or(0, |p| p.line()) + line_offset;
    parse_err(name, line, None, &e.to_string())
}

fn count_newlines(data: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', data).count() as u64
}

/// Calls `visit(end)` for the end (one past the newline) of every record of `data`, in order,
/// until `visit` returns `false`. Quotes follow the csv crate's reading: a quote opens a
/// quoted field only at the start of a field (elsewhere it is a literal character, as in
/// `5"6`), `""` inside a quoted field is an escaped quote, and a newline inside a quoted field
/// belongs to the field. A file without quotes is cut at every newline (found with `memchr`).
fn for_each_record_end(
    data: &[u8],
    quote: u8,
    delimiter: u8,
    mut visit: impl FnMut(usize) -> bool,
) {
    if memchr::memchr(quote, data).is_none() {
        for i in memchr::memchr_iter(b'\n', data) {
            if !visit(i + 1) {
                return;
            }
        }
        return;
    }
    let mut quoted = false;
    let mut field_start = true;
    let mut i = 0;
    while i < data.len() {
        let b = data[i];
        if quoted {
            if b == quote {
                if data.get(i + 1) == Some(&quote) {
                    i += 1;
                } else {
                    quoted = false;
                }
            }
        } else if b == quote && field_start {
            quoted = true;
            field_start = false;
        } else {
            field_start = b == delimiter || b == b'\n' || b == b'\r';
            if b == b'\n' && !visit(i + 1) {
                return;
            }
        }
        i += 1;
    }
}

/// The end (exclusive) of the last complete record in `data` (0 when there is none).
fn last_record_end(data: &[u8], quote: u8, delimiter: u8) -> usize {
    if memchr::memchr(quote, data).is_none() {
        return memchr::memrchr(b'\n', data).map_or(0, |i| i + 1);
    }
    let mut last = 0;
    for_each_record_end(data, quote, delimiter, |end| {
        last = end;
        true
    });
    last
}

/// The position of a quote left open at the end of `data`, if any, read as
/// [`for_each_record_end`] reads quotes.
fn unclosed_quote(data: &[u8], quote: u8, delimiter: u8) -> Option<usize> {
    memchr::memchr(quote, data)?;
    let mut open = None;
    let mut field_start = true;
    let mut i = 0;
    while i < data.len() {
        let b = data[i];
        if open.is_some() {
            if b == quote {
                if data.get(i + 1) == Some(&quote) {
                    i += 1;
                } else {
                    open = None;
                }
            }
        } else if b == quote && field_start {
            open = Some(i);
            field_start = false;
        } else {
            field_start = b == delimiter || b == b'\n' || b == b'\r';
        }
        i += 1;
    }
    open
}

/// The end (exclusive) of the first record of `data`, if it holds a whole one.
fn first_record_end(data: &[u8], quote: u8, delimiter: u8) -> Option<usize> {
    let mut first = None;
    for_each_record_end(data, quote, delimiter, |end| {
        first = Some(end);
        false
    });
    first
}

/// Cuts `data` into pieces of about `size` bytes, each ending at a record boundary (the last
/// piece takes whatever follows the last boundary).
fn split_chunks(data: &[u8], size: usize, quote: u8, delimiter: u8) -> Vec<&[u8]> {
    let size = size.max(1);
    let mut chunks = Vec::new();
    let mut start = 0;
    if memchr::memchr(quote, data).is_none() {
        // No quotes: every newline ends a record; jump ahead by `size` each time.
        while start < data.len() {
            let target = (start + size).min(data.len());
            let end = memchr::memchr(b'\n', &data[target..]).map_or(data.len(), |i| target + i + 1);
            chunks.push(&data[start..end]);
            start = end;
        }
        return chunks;
    }
    for_each_record_end(data, quote, delimiter, |end| {
        if end - start >= size {
            chunks.push(&data[start..end]);
            start = end;
        }
        true
    });
    if start < data.len() {
        chunks.push(&data[start..]);
    }
    chunks
}

#[derive(Clone, Copy)]
enum Kind {
    Bool,
    Int,
    Float,
    Text,
}

const MAX_EXACT_INT: f64 = 9_007_199_254_740_992.0; // 2^53

fn classify(field: &[u8]) -> Kind {
    if parse_bool(field).is_some() {
        return Kind::Bool;
    }
    match parse_number(field) {
        Some((_, true)) => Kind::Int,
        Some((_, false)) => Kind::Float,
        None => Kind::Text,
    }
}

fn parse_bool(field: &[u8]) -> Option<bool> {
    if field.eq_ignore_ascii_case(b"true") {
        Some(true)
    } else if field.eq_ignore_ascii_case(b"false") {
        Some(false)
    } else {
        None
    }
}

/// Parses a finite number written in decimal (optionally with an exponent); the flag says
/// whether it was written as a whole number (no `.` and no exponent).
fn parse_number(field: &[u8]) -> Option<(f64, bool)> {
    let t = field.trim_ascii();
    let first = *t.first()?;
    if !(first.is_ascii_digit() || first == b'-' || first == b'+' || first == b'.') {
        return None;
    }
    let whole = !t.iter().any(|&b| b == b'.' || b == b'e' || b == b'E');
    if whole {
        // Whole numbers must be exact: beyond 2^53 they are identifiers, not quantities.
        let i = parse_int(t)?;
        // `-0` reads as -0.0, as `-0.0` does (and as pandas reads both).
        let v = if i == 0 && first == b'-' {
            -0.0
        } else {
            i as f64
        };
        return (i.unsigned_abs() <= MAX_EXACT_INT as u64).then_some((v, true));
    }
    // Correctly rounded (Eisel-Lemire with a slow-path fallback), straight from the bytes.
    let v: f64 = fast_float2::parse(t).ok()?;
    v.is_finite().then_some((v, false))
}

/// A decimal integer with an optional sign; `None` for anything else or on overflow.
fn parse_int(t: &[u8]) -> Option<i64> {
    let (neg, digits) = match t.first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty() {
        return None;
    }
    let mut v: i64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
    }
    Some(if neg { -v } else { v })
}

/// One column of one chunk while parsing.
enum ChunkColumn {
    Num {
        ty: ColumnType,
        values: Vec<f64>,
        saw_float: bool,
        strict: bool,
    },
    Cat {
        codes: Vec<u32>,
        levels: Vec<String>,
        index: HashMap<Vec<u8>, u32>,
    },
}

impl ChunkColumn {
    fn new(ty: ColumnType, strict: bool, rows_hint: usize) -> Self {
        match ty {
            ColumnType::Categorical => ChunkColumn::Cat {
                codes: Vec::with_capacity(rows_hint),
                levels: Vec::new(),
                index: HashMap::new(),
            },
            ty => ChunkColumn::Num {
                ty,
                values: Vec::with_capacity(rows_hint),
                saw_float: false,
                strict,
            },
        }
    }

    /// Parses a number at the start of `rest` and adds it, when the column is numeric and the
    /// number fills the field (it ends at the delimiter `d` or at the end of the record), and
    /// it is one [`parse_number`] would read the same way. Returns the field's length, or
    /// `None` to leave the field to [`ChunkColumn::push`] (missing values, text, whitespace,
    /// whole numbers beyond 2^53, `-0`).
    #[inline]
    fn push_leading_number(&mut self, rest: &[u8], d: u8) -> Option<usize> {
        let ends_field = |n: usize| n > 0 && (n == rest.len() || rest[n] == d);
        match self {
            ChunkColumn::Num {
                ty: ColumnType::Float,
                values,
                ..
            } => {
                let (v, n) = fast_float2::parse_partial::<f64, _>(rest).ok()?;
                // Beyond 2^53 a whole number is an identifier (see `parse_number`); NaN and
                // infinities are not numbers here; `-0` parses to +0 there.
                let plain = v.abs() <= MAX_EXACT_INT && !(v == 0.0 && v.is_sign_negative());
                (ends_field(n) && plain).then(|| values.push(v))?;
                Some(n)
            }
            ChunkColumn::Num {
                ty: ColumnType::Int,
                values,
                ..
            } => {
                let digits_from = usize::from(rest.first() == Some(&b'-'));
                let mut v: i64 = 0;
                let mut n = digits_from;
                // 15 digits stay below 2^53, so the value is exact and no overflow check is
                // needed; longer numbers take the general path.
                while n < rest.len() && n < digits_from + 15 && rest[n].is_ascii_digit() {
                    v = v * 10 + i64::from(rest[n] - b'0');
                    n += 1;
                }
                if n == digits_from || !ends_field(n) || (digits_from == 1 && v == 0) {
                    return None;
                }
                values.push(if digits_from == 1 { -v } else { v } as f64);
                Some(n)
            }
            _ => None,
        }
    }

    /// Adds a field. `Ok(false)` when it does not fit the column's type (a NaN is stored in
    /// its place); `Err(())` for invalid UTF-8 in a categorical column.
    fn push(&mut self, field: &[u8], missing: bool) -> std::result::Result<bool, ()> {
        match self {
            ChunkColumn::Num {
                ty,
                values,
                saw_float,
                strict,
            } => {
                if missing {
                    values.push(f64::NAN);
                    return Ok(true);
                }
                let parsed = match ty {
                    ColumnType::Bool => parse_bool(field).map(|b| if b { 1.0 } else { 0.0 }),
                    ColumnType::Int => match parse_number(field) {
                        Some((v, true)) => Some(v),
                        Some((v, false)) if !*strict => {
                            // A decimal in an inferred int column widens it to float.
                            *saw_float = true;
                            Some(v)
                        }
                        _ => None,
                    },
                    _ => parse_number(field).map(|(v, _)| v),
                };
                values.push(parsed.unwrap_or(f64::NAN));
                Ok(parsed.is_some())
            }
            ChunkColumn::Cat {
                codes,
                levels,
                index,
            } => {
                if missing {
                    codes.push(MISSING_CODE);
                    return Ok(true);
                }
                let code = match index.get(field) {
                    Some(&c) => c,
                    None => {
                        let s = std::str::from_utf8(field).map_err(|_| ())?;
                        let c = levels.len() as u32;
                        levels.push(s.to_owned());
                        index.insert(field.to_vec(), c);
                        c
                    }
                };
                codes.push(code);
                Ok(true)
            }
        }
    }
}

struct Chunk {
    cols: Vec<ChunkColumn>,
    conflicts: Vec<Option<(u64, String)>>,
    unparsed: Vec<usize>,
    rows: usize,
}

/// Appends chunk results, in order, straight into the final columns, so a chunk's memory
/// is released as soon as it is merged.
struct Accumulator {
    columns: Vec<AccColumn>,
    conflicts: Vec<Option<(u64, String)>>,
    unparsed: Vec<usize>,
    rows: usize,
}

enum AccColumn {
    Num {
        ty: ColumnType,
        values: Vec<f64>,
        saw_float: bool,
    },
    /// Levels in first-seen order; sorted once at the end.
    Cat {
        codes: Vec<u32>,
        levels: Vec<String>,
        index: HashMap<String, u32>,
    },
}

struct Parsed {
    columns: Vec<Column>,
    conflicts: Vec<Option<(u64, String)>>,
    unparsed: Vec<usize>,
    rows: usize,
}

impl Accumulator {
    fn new(types: &[ColumnType]) -> Self {
        let columns = types
            .iter()
            .map(|&ty| match ty {
                ColumnType::Categorical => AccColumn::Cat {
                    codes: Vec::new(),
                    levels: Vec::new(),
                    index: HashMap::new(),
                },
                ty => AccColumn::Num {
                    ty,
                    values: Vec::new(),
                    saw_float: false,
                },
            })
            .collect();
        Self {
            columns,
            conflicts: vec![None; types.len()],
            unparsed: vec![0; types.len()],
            rows: 0,
        }
    }

    fn push_all(&mut self, chunks: Vec<Chunk>) {
        // Column by column, in parallel: appending is where a growing column's fresh pages
        // are first touched, and that cost (0.16 s of reading `clf_1m.csv` on one thread)
        // spreads over the cores. Each column takes the chunks in order.
        let mut by_column: Vec<Vec<ChunkColumn>> = self
            .columns
            .iter()
            .map(|_| Vec::with_capacity(chunks.len()))
            .collect();
        for chunk in chunks {
            for (j, c) in chunk.conflicts.into_iter().enumerate() {
                if self.conflicts[j].is_none() {
                    self.conflicts[j] = c;
                }
            }
            for (j, n) in chunk.unparsed.into_iter().enumerate() {
                self.unparsed[j] += n;
            }
            self.rows += chunk.rows;
            for (cols, col) in by_column.iter_mut().zip(chunk.cols) {
                cols.push(col);
            }
        }
        self.columns
            .par_iter_mut()
            .zip(by_column)
            .for_each(|(acc, cols)| {
                for col in cols {
                    Self::merge(acc, col);
                }
            });
    }

    /// Appends one chunk's column to the final column.
    fn merge(acc: &mut AccColumn, col: ChunkColumn) {
        match (acc, col) {
            (
                AccColumn::Num {
                    values, saw_float, ..
                },
                ChunkColumn::Num {
                    values: v,
                    saw_float: f,
                    ..
                },
            ) => {
                values.extend_from_slice(&v);
                *saw_float |= f;
            }
            (
                AccColumn::Cat {
                    codes,
                    levels,
                    index,
                },
                ChunkColumn::Cat {
                    codes: c,
                    levels: local,
                    ..
                },
            ) => {
                let remap: Vec<u32> = local
                    .into_iter()
                    .map(|l| match index.get(&l) {
                        Some(&g) => g,
                        None => {
                            let g = levels.len() as u32;
                            levels.push(l.clone());
                            index.insert(l, g);
                            g
                        }
                    })
                    .collect();
                codes.extend(c.iter().map(|&x| {
                    if x == MISSING_CODE {
                        x
                    } else {
                        remap[x as usize]
                    }
                }));
            }
            // Both sides are built from the same types, so kinds always match.
            _ => {}
        }
    }

    /// Reserves room for the rows still to come, estimated from the bytes read so far, so
    /// the columns are not reallocated (and briefly held twice) as they grow.
    ///
    /// A column is grown only when its room falls below the estimate plus 2%, and then to the
    /// estimate plus 10%: with the 2% alone, the estimate crept past the room four times while
    /// reading `clf_1m.csv`, and once the allocator serves such columns from its heap rather
    /// than fresh mappings (after an earlier frame was freed), each growth copies the column
    /// (0.26 s of a 0.97 s read). The spare room is given back by [`Accumulator::finish`].
    fn reserve_for(&mut self, consumed: u64, total: u64) {
        if consumed == 0 || self.rows == 0 {
            return;
        }
        let estimate = self.rows as f64 * total as f64 / consumed as f64;
        let (low, high) = ((estimate * 1.02) as usize, (estimate * 1.10) as usize);
        for c in &mut self.columns {
            let v: &mut dyn Reserve = match c {
                AccColumn::Num { values, .. } => values,
                AccColumn::Cat { codes, .. } => codes,
            };
            v.reserve_to(low, high);
        }
    }

    fn finish(self) -> Result<Parsed> {
        let columns = self
            .columns
            .into_iter()
            .map(|mut c| {
                // Shrinking gives the spare room back in place (no copy).
                match &mut c {
                    AccColumn::Num { values, .. } => values.shrink_to_fit(),
                    AccColumn::Cat { codes, .. } => codes.shrink_to_fit(),
                }
                Ok(match c {
                    AccColumn::Num {
                        ty: ColumnType::Int,
                        values,
                        saw_float: true,
                    } => Column::Float(values),
                    AccColumn::Num {
                        ty: ColumnType::Int,
                        values,
                        ..
                    } => Column::Int(values),
                    AccColumn::Num {
                        ty: ColumnType::Bool,
                        values,
                        ..
                    } => Column::Bool(values),
                    AccColumn::Num { values, .. } => Column::Float(values),
                    AccColumn::Cat { codes, levels, .. } => {
                        Column::Categorical(Categorical::from_codes(codes, levels)?)
                    }
                })
            })
            .collect::<Result<Vec<Column>>>()?;
        Ok(Parsed {
            columns,
            conflicts: self.conflicts,
            unparsed: self.unparsed,
            rows: self.rows,
        })
    }
}

trait Reserve {
    /// Grows the room to `high` elements when it is below `low`.
    fn reserve_to(&mut self, low: usize, high: usize);
}

impl<T> Reserve for Vec<T> {
    fn reserve_to(&mut self, low: usize, high: usize) {
        if self.capacity() < low {
            self.reserve_exact(high.saturating_sub(self.len()));
        }
    }
}
