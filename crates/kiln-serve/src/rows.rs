//! JSON request bodies → a [`Frame`] typed by the model's input schema, in one pass.
//!
//! The body is read by a serde visitor that writes each value straight into its column (no
//! intermediate `serde_json::Value`, no CSV round trip): numbers, numeric text and booleans
//! into numeric columns, text (or the text of a number) into categorical ones, `null` as a
//! missing value. A value the model cannot read, a missing column or too many rows stops the
//! parse at once with an [`ApiError`] naming the field and the row.

use std::collections::HashMap;
use std::fmt;

use kiln::pipeline::InputSchema;
use kiln::prep::{Categorical, Column, ColumnType, Frame};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::error::ApiError;

/// The input columns of a served model, indexed by name for the parser.
#[derive(Debug, Clone)]
pub(crate) struct RowSchema {
    names: Vec<String>,
    types: Vec<ColumnType>,
    index: HashMap<String, usize>,
    has_rows_column: bool,
}

impl RowSchema {
    pub(crate) fn new(schema: &InputSchema) -> Self {
        let names = schema.names();
        let types = schema.columns().iter().map(|c| c.column_type).collect();
        let index = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i))
            .collect();
        let has_rows_column = names.iter().any(|n| n == "rows");
        Self {
            names,
            types,
            index,
            has_rows_column,
        }
    }
}

/// Reads a JSON body — one object, an array of objects, or `{"rows": [...]}` — into a frame
/// holding the schema's columns in schema order.
///
/// # Errors
/// 400 for malformed JSON (serde_json's message names line and column); 413 past `max_rows`
/// rows; 422 for a body of another shape, a missing column, a value of the wrong type, a
/// repeated key or no rows at all.
pub(crate) fn frame_from_json(
    body: &[u8],
    schema: &RowSchema,
    max_rows: usize,
) -> Result<Frame, ApiError> {
    let mut parser = Parser::new(schema, max_rows);
    let mut de = serde_json::Deserializer::from_slice(body);
    let read = Top(&mut parser)
        .deserialize(&mut de)
        .and_then(|()| de.end());
    if let Err(e) = read {
        return Err(parser
            .problem
            .take()
            .unwrap_or_else(|| ApiError::bad_request(format!("malformed JSON: {e}"))));
    }
    parser.finish()
}

enum Builder {
    Numeric(ColumnType, Vec<f64>),
    Categorical(CategoryBuilder),
}

/// Dictionary encoding as rows arrive: a linear scan while there are few levels (the usual
/// case, and no hashing cost for a single row), a hash map past [`CategoryBuilder::SCAN`].
#[derive(Default)]
struct CategoryBuilder {
    codes: Vec<u32>,
    levels: Vec<String>,
    index: Option<HashMap<String, u32>>,
}

impl CategoryBuilder {
    const SCAN: usize = 32;

    fn push(&mut self, s: &str) {
        let found = match &self.index {
            Some(ix) => ix.get(s).copied(),
            None => self.levels.iter().position(|l| l == s).map(|p| p as u32),
        };
        let code = found.unwrap_or_else(|| {
            let c = self.levels.len() as u32;
            self.levels.push(s.to_owned());
            if let Some(ix) = &mut self.index {
                ix.insert(s.to_owned(), c);
            } else if self.levels.len() > Self::SCAN {
                self.index = Some(
                    self.levels
                        .iter()
                        .enumerate()
                        .map(|(i, l)| (l.clone(), i as u32))
                        .collect(),
                );
            }
            c
        });
        self.codes.push(code);
    }
}

struct Parser<'s> {
    schema: &'s RowSchema,
    columns: Vec<Builder>,
    seen: Vec<bool>,
    n_rows: usize,
    max_rows: usize,
    problem: Option<ApiError>,
}

#[derive(Clone, Copy)]
enum Key {
    Column(usize),
    Rows,
    Other,
}

impl<'s> Parser<'s> {
    fn new(schema: &'s RowSchema, max_rows: usize) -> Self {
        let columns = schema
            .types
            .iter()
            .map(|&t| match t {
                ColumnType::Categorical => Builder::Categorical(CategoryBuilder::default()),
                t => Builder::Numeric(t, Vec::new()),
            })
            .collect();
        Self {
            schema,
            columns,
            seen: vec![false; schema.names.len()],
            n_rows: 0,
            max_rows,
            problem: None,
        }
    }

    /// Records the problem for the caller and stops serde with a short error.
    fn fail<E: de::Error>(&mut self, problem: ApiError) -> E {
        let e = E::custom(&problem.error);
        self.problem = Some(problem);
        e
    }

    fn field_error(&self, j: usize, message: String) -> ApiError {
        let name = self.schema.names.get(j).cloned().unwrap_or_default();
        ApiError::unprocessable(message)
            .with_field(name)
            .with_row(Some(self.n_rows.saturating_sub(1)))
    }

    fn read_row<'de, A: MapAccess<'de>>(
        &mut self,
        mut map: A,
        first: Option<Key>,
    ) -> Result<(), A::Error> {
        if self.n_rows >= self.max_rows {
            let e = ApiError::too_large(format!(
                "more than {} rows in one request (the limit set by --max-rows)",
                self.max_rows
            ));
            return Err(self.fail(e));
        }
        self.n_rows += 1;
        self.seen.iter_mut().for_each(|s| *s = false);
        let mut pending = first;
        let mut hint = 0;
        loop {
            let key = match pending.take() {
                Some(k) => k,
                None => match map.next_key_seed(KeySeed(self.schema, hint))? {
                    Some(k) => k,
                    None => break,
                },
            };
            match key {
                Key::Column(j) => {
                    hint = j + 1;
                    if self.seen.get(j).copied().unwrap_or(false) {
                        let e = self.field_error(j, "the field appears twice in the row".into());
                        return Err(self.fail(e));
                    }
                    map.next_value_seed(ValueSeed { p: self, j })?;
                    if let Some(s) = self.seen.get_mut(j) {
                        *s = true;
                    }
                }
                Key::Rows | Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if let Some(j) = self.seen.iter().position(|s| !s) {
            let name = self.schema.names.get(j).cloned().unwrap_or_default();
            let e = self.field_error(
                j,
                format!("missing field `{name}` (send null for a missing value)"),
            );
            return Err(self.fail(e));
        }
        Ok(())
    }

    fn push_number<E: de::Error>(&mut self, j: usize, v: f64) -> Result<(), E> {
        match self.columns.get_mut(j) {
            Some(Builder::Numeric(_, values)) => values.push(v),
            Some(Builder::Categorical(c)) => c.push(&v.to_string()),
            None => {}
        }
        Ok(())
    }

    fn push_bool<E: de::Error>(&mut self, j: usize, v: bool) -> Result<(), E> {
        match self.columns.get_mut(j) {
            Some(Builder::Numeric(_, values)) => values.push(if v { 1.0 } else { 0.0 }),
            Some(Builder::Categorical(c)) => c.push(if v { "true" } else { "false" }),
            None => {}
        }
        Ok(())
    }

    fn push_missing<E: de::Error>(&mut self, j: usize) -> Result<(), E> {
        match self.columns.get_mut(j) {
            Some(Builder::Numeric(_, values)) => values.push(f64::NAN),
            Some(Builder::Categorical(c)) => c.codes.push(kiln::prep::MISSING_CODE),
            None => {}
        }
        Ok(())
    }

    fn push_str<E: de::Error>(&mut self, j: usize, s: &str) -> Result<(), E> {
        let parsed = match self.columns.get_mut(j) {
            Some(Builder::Categorical(c)) => {
                c.push(s);
                return Ok(());
            }
            Some(Builder::Numeric(ty, values)) => {
                let t = s.trim();
                let v = if t.is_empty() {
                    Some(f64::NAN)
                } else if *ty == ColumnType::Bool && t.eq_ignore_ascii_case("true") {
                    Some(1.0)
                } else if *ty == ColumnType::Bool && t.eq_ignore_ascii_case("false") {
                    Some(0.0)
                } else {
                    t.parse::<f64>().ok().filter(|v| v.is_finite())
                };
                match v {
                    Some(v) => {
                        values.push(v);
                        Ok(())
                    }
                    None => Err(*ty),
                }
            }
            None => Ok(()),
        };
        match parsed {
            Ok(()) => Ok(()),
            Err(ty) => {
                let name = self.schema.names.get(j).cloned().unwrap_or_default();
                let e = self.field_error(
                    j,
                    format!(
                        "`{s}` is not a number, but the model reads `{name}` as {}",
                        ty.name()
                    ),
                );
                Err(self.fail(e))
            }
        }
    }

    fn finish(self) -> Result<Frame, ApiError> {
        if self.n_rows == 0 {
            return Err(ApiError::unprocessable("the request holds no rows"));
        }
        let columns = self
            .schema
            .names
            .iter()
            .cloned()
            .zip(self.columns)
            .map(|(name, b)| {
                let col = match b {
                    Builder::Numeric(ColumnType::Int, v) => Column::Int(v),
                    Builder::Numeric(ColumnType::Bool, v) => Column::Bool(v),
                    Builder::Numeric(_, v) => Column::Float(v),
                    Builder::Categorical(c) => Column::Categorical(
                        Categorical::from_codes(c.codes, c.levels)
                            .map_err(|e| ApiError::internal(e.to_string()))?,
                    ),
                };
                Ok((name, col))
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        Frame::new(columns).map_err(|e| ApiError::internal(e.to_string()))
    }
}

/// Resolves a key to a column; `hint` is the column expected next (clients usually send the
/// columns in the same order every row), checked with one string comparison before hashing.
struct KeySeed<'s>(&'s RowSchema, usize);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Key;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Key;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a column name")
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Key, E> {
        if self.0.names.get(self.1).is_some_and(|n| n == s) {
            return Ok(Key::Column(self.1));
        }
        Ok(match self.0.index.get(s) {
            Some(&j) => Key::Column(j),
            None if s == "rows" && !self.0.has_rows_column => Key::Rows,
            None => Key::Other,
        })
    }
}

struct ValueSeed<'p, 's> {
    p: &'p mut Parser<'s>,
    j: usize,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number, a string, a boolean or null")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.p.push_bool(self.j, v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.p.push_number(self.j, v as f64)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.p.push_number(self.j, v as f64)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.p.push_number(self.j, v)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.p.push_str(self.j, v)
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.p.push_missing(self.j)
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.p.push_missing(self.j)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        let e = self.p.field_error(
            self.j,
            "an array is not a value; send a number, a string, a boolean or null".into(),
        );
        Err(self.p.fail(e))
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        let e = self.p.field_error(
            self.j,
            "an object is not a value; send a number, a string, a boolean or null".into(),
        );
        Err(self.p.fail(e))
    }
}

/// One row: must be an object.
struct RowSeed<'p, 's>(&'p mut Parser<'s>);

impl<'de> DeserializeSeed<'de> for RowSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl RowSeed<'_, '_> {
    fn not_an_object<E: de::Error>(self) -> E {
        let row = self.0.n_rows;
        let e = ApiError::unprocessable(format!("row {row} is not an object keyed by column name"))
            .with_row(Some(row));
        self.0.fail(e)
    }
}

impl<'de> Visitor<'de> for RowSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object keyed by column name")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        self.0.read_row(map, None)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(self.not_an_object())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(self.not_an_object())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(self.not_an_object())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(self.not_an_object())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(self.not_an_object())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(self.not_an_object())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Err(self.not_an_object())
    }
}

/// An array of rows.
struct RowsSeed<'p, 's>(&'p mut Parser<'s>);

impl<'de> DeserializeSeed<'de> for RowsSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RowsSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of rows")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(RowSeed(&mut *self.0))?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(self.not_an_array())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(self.not_an_array())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(self.not_an_array())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(self.not_an_array())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(self.not_an_array())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(self.not_an_array())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Err(self.not_an_array())
    }
}

impl RowsSeed<'_, '_> {
    fn not_an_array<E: de::Error>(self) -> E {
        let e = ApiError::unprocessable("`rows` must be an array of objects");
        self.0.fail(e)
    }
}

/// The whole body: an object (one row, or `{"rows": [...]}`) or an array of rows.
struct Top<'p, 's>(&'p mut Parser<'s>);

impl<'de> DeserializeSeed<'de> for Top<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl Top<'_, '_> {
    fn wrong_shape<E: de::Error>(self) -> E {
        let e = ApiError::unprocessable(
            "the body must be an object (one row), an array of objects, or {\"rows\": [...]}",
        );
        self.0.fail(e)
    }
}

impl<'de> Visitor<'de> for Top<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object or an array of objects")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        RowsSeed(self.0).visit_seq(seq)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        match map.next_key_seed(KeySeed(self.0.schema, 0))? {
            Some(Key::Rows) => {
                map.next_value_seed(RowsSeed(&mut *self.0))?;
                while map.next_key::<IgnoredAny>()?.is_some() {
                    map.next_value::<IgnoredAny>()?;
                }
                Ok(())
            }
            first => {
                // An empty object is a row without any column: reported as missing fields.
                let first = first.map(|k| match k {
                    Key::Rows => Key::Other,
                    k => k,
                });
                match first {
                    None => self.0.read_row(map, None),
                    Some(k) => self.0.read_row(map, Some(k)),
                }
            }
        }
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(self.wrong_shape())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(self.wrong_shape())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(self.wrong_shape())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(self.wrong_shape())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(self.wrong_shape())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Err(self.wrong_shape())
    }
}

#[cfg(test)]
mod tests;
