//! `GET /metrics`: the console's own metrics and the fleet's, for Prometheus to scrape
//! (see [`crate::telemetry`] for the series). Behind the login like the JSON API:
//! Prometheus sends a bearer token (`authorization: credentials_file:`).

use app::error::AppError;
use app::service::Console;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use super::query::Q;
use super::state::AppState;
use crate::telemetry::CONTENT_TYPE;

pub fn router() -> Router<AppState> {
    Router::new().route("/metrics", get(metrics))
}

/// `/metrics` takes no parameters; a query string is refused rather than ignored.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct NoQuery {}

async fn metrics(State(console): State<Console>, Q(_): Q<NoQuery>) -> Result<Response, AppError> {
    let body = console.metrics()?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response())
}
