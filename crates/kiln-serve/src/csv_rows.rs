//! CSV request bodies (`Content-Type: text/csv`, comma-separated, with a header) → a [`Frame`]
//! read with the model's column types.

use kiln::Error;
use kiln::pipeline::InputSchema;
use kiln::prep::Frame;

use crate::error::ApiError;

/// The header's column names (first line, comma-separated, quotes stripped).
fn header(text: &str) -> Vec<String> {
    let line = text.lines().next().unwrap_or("");
    line.split(',')
        .map(|h| h.trim().trim_matches('"').to_string())
        .collect()
}

/// Reads a CSV body whose header names the schema's columns (extra columns are ignored).
///
/// # Errors
/// 400 for a body that is not UTF-8 or not CSV (the reader names line and field); 422 for a
/// missing column or a value of the wrong type (naming field and 0-based data row); 413 past
/// `max_rows` rows.
pub(crate) fn frame_from_csv(
    body: &[u8],
    schema: &InputSchema,
    max_rows: usize,
) -> Result<Frame, ApiError> {
    let text = std::str::from_utf8(body)
        .map_err(|e| ApiError::bad_request(format!("the CSV body is not UTF-8: {e}")))?;
    let names = header(text);
    if let Some(c) = schema.columns().iter().find(|c| !names.contains(&c.name)) {
        return Err(ApiError::unprocessable(format!(
            "missing column `{}` in the CSV header",
            c.name
        ))
        .with_field(&c.name));
    }
    let (frame, _) = schema
        .csv_options_for(&names)
        .read_str(text)
        .map_err(|e| match e {
            Error::Parse {
                line,
                column: Some(col),
                ref reason,
                ..
            } => {
                let field = names.get(col.saturating_sub(1)).cloned();
                let in_schema = field
                    .as_ref()
                    .is_some_and(|f| schema.columns().iter().any(|c| &c.name == f));
                let message = format!("CSV line {line}: {reason}");
                match field {
                    // A typed column that does not parse: the row is the 0-based data row.
                    Some(f) if in_schema && line >= 2 => ApiError::unprocessable(message)
                        .with_field(f)
                        .with_row(Some((line - 2) as usize)),
                    _ => ApiError::bad_request(message),
                }
            }
            other => ApiError::bad_request(format!("cannot read the CSV body: {other}")),
        })?;
    if frame.n_rows() > max_rows {
        return Err(ApiError::too_large(format!(
            "{} rows in one request; the limit (--max-rows) is {max_rows}",
            frame.n_rows()
        )));
    }
    if frame.n_rows() == 0 {
        return Err(ApiError::unprocessable("the request holds no rows"));
    }
    Ok(frame)
}
