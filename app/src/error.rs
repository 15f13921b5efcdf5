//! The console's one error type.
//!
//! Every layer (inventory, generators, HTTP handlers, server functions, pages) reports
//! failures as an [`AppError`]. Each variant knows its HTTP status, so the JSON API and
//! downloads answer with the right code, and the pages render the same error as a
//! readable panel. Messages are written for the person reading them; internal details
//! (SQL errors, SDK debug output) are logged on the server and replaced with a short
//! reference before they reach a response.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", content = "message", rename_all = "snake_case")]
pub enum AppError {
    /// The request names something that does not exist (a cluster id, a page).
    #[error("{0}")]
    NotFound(String),
    /// The request is malformed or asks for something the target cannot do
    /// (an auth mode the cluster has not enabled, an option that does not parse).
    #[error("{0}")]
    BadRequest(String),
    /// The request carries no valid sign-in or token (with `--auth` other than `none`).
    #[error("{0}")]
    Unauthorized(String),
    /// The caller is known but its role does not allow this (a viewer pressing
    /// "Refresh now"), or the request came from another site.
    #[error("{0}")]
    Forbidden(String),
    /// A dependency (AWS, the database) failed; the message is safe to show.
    #[error("{0}")]
    Unavailable(String),
    /// A bug or an unexpected failure. The message shown is generic; details are logged.
    #[error("{0}")]
    Internal(String),
}

impl AppError {
    pub fn not_found(msg: impl Into<String>) -> Self {
        AppError::NotFound(msg.into())
    }

    pub fn bad_request(msg: impl Into<String>) -> Self {
        AppError::BadRequest(msg.into())
    }

    /// Logs `detail` on the server and returns an error that shows none of it.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        #[cfg(feature = "ssr")]
        tracing::error!(error = %detail, "internal error");
        #[cfg(not(feature = "ssr"))]
        let _ = detail.to_string();
        AppError::Internal("Something went wrong on the server. The details are in its log.".into())
    }

    pub fn status_code(&self) -> u16 {
        match self {
            AppError::NotFound(_) => 404,
            AppError::BadRequest(_) => 400,
            AppError::Unauthorized(_) => 401,
            AppError::Forbidden(_) => 403,
            AppError::Unavailable(_) => 503,
            AppError::Internal(_) => 500,
        }
    }

    /// A short title for the error page.
    pub fn title(&self) -> &'static str {
        match self {
            AppError::NotFound(_) => "Not found",
            AppError::BadRequest(_) => "Bad request",
            AppError::Unauthorized(_) => "Sign-in required",
            AppError::Forbidden(_) => "Not allowed",
            AppError::Unavailable(_) => "Temporarily unavailable",
            AppError::Internal(_) => "Server error",
        }
    }
}

impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        use leptos::server_fn::error::ServerFnErrorErr as E;
        match value {
            // The browser could not reach the server, or a request was cut off.
            E::Request(m) | E::Response(m) => {
                AppError::Unavailable(format!("The console server could not be reached: {m}"))
            }
            E::Args(m) | E::MissingArg(m) | E::Deserialization(m) => {
                AppError::BadRequest(format!("The request could not be read: {m}"))
            }
            other => AppError::internal(other),
        }
    }
}

#[cfg(feature = "ssr")]
mod http_impl {
    use super::AppError;
    use axum::http::StatusCode;
    use axum::response::{IntoResponse, Response};

    /// JSON API and download handlers answer errors as
    /// `{"error": {"status": 404, "kind": "not_found", "message": "…"}}`.
    impl IntoResponse for AppError {
        fn into_response(self) -> Response {
            let status = StatusCode::from_u16(self.status_code())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let kind = match &self {
                AppError::NotFound(_) => "not_found",
                AppError::BadRequest(_) => "bad_request",
                AppError::Unauthorized(_) => "unauthorized",
                AppError::Forbidden(_) => "forbidden",
                AppError::Unavailable(_) => "unavailable",
                AppError::Internal(_) => "internal",
            };
            let body = serde_json::json!({
                "error": { "status": status.as_u16(), "kind": kind, "message": self.to_string() }
            });
            (status, axum::Json(body)).into_response()
        }
    }

    /// A query string that does not parse is a 400 that says why.
    impl From<axum::extract::rejection::QueryRejection> for AppError {
        fn from(e: axum::extract::rejection::QueryRejection) -> Self {
            AppError::bad_request(format!("The query string is not valid: {}", e.body_text()))
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;
