//! [`ApiError`]: a refused request, as a status code and a JSON body naming the field at fault.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// A request the service refuses: its status and the JSON body
/// `{"error": "...", "field": "age", "row": 3}` (`field` and `row` when known; `row` is
/// 0-based, the position of the row in the request).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiError {
    /// The HTTP status (not in the body).
    #[serde(skip)]
    pub status: u16,
    /// What was wrong, in one sentence.
    pub error: String,
    /// The column at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The 0-based row at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
}

impl ApiError {
    /// An error with `status` and a message.
    pub fn new(status: u16, error: impl Into<String>) -> Self {
        Self {
            status,
            error: error.into(),
            field: None,
            row: None,
        }
    }

    /// 400: a body that cannot be read (malformed JSON or CSV).
    pub fn bad_request(error: impl Into<String>) -> Self {
        Self::new(400, error)
    }

    /// 422: a well-formed body the model cannot use (missing column, wrong type).
    pub fn unprocessable(error: impl Into<String>) -> Self {
        Self::new(422, error)
    }

    /// 413: a body or a batch over the configured limits.
    pub fn too_large(error: impl Into<String>) -> Self {
        Self::new(413, error)
    }

    /// 500: a failure of the service itself, never the client's fault.
    pub fn internal(error: impl Into<String>) -> Self {
        Self::new(500, error)
    }

    /// Names the column at fault.
    #[must_use]
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// Names the 0-based row at fault.
    #[must_use]
    pub fn with_row(mut self, row: Option<usize>) -> Self {
        self.row = row;
        self
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.error)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, axum::Json(self)).into_response()
    }
}
