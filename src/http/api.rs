//! The JSON API, for scripts and other tools. Documented in the README.
//!
//! - `GET /api/clusters`: every cluster's summary, and the state of every source.
//! - `GET /api/clusters/{id}`: one cluster's full record (`id` from the list; the ARN,
//!   percent-encoded, works too) with `reachability`, its last exporter probe.
//! - `GET /api/coverage?source=&region=`: monitoring coverage, problems first.
//!
//! Errors are JSON too: `{"error": {"status": 404, "kind": "not_found", "message": "…"}}`.

use app::error::AppError;
use app::model::{ClusterDetail, Coverage, InventoryOverview};
use axum::extract::Query;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/clusters", get(list))
        .route("/api/clusters/{id}", get(one))
        .route("/api/coverage", get(coverage))
        .route("/api/{*rest}", get(unknown).post(unknown))
}

async fn list(State(state): State<AppState>) -> Json<InventoryOverview> {
    Json(InventoryOverview::from(&*state.inventory.inventory()))
}

async fn one(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ClusterDetail>, AppError> {
    app::api::cluster_detail(&state.inventory.inventory(), &id).map(Json)
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CoverageQuery {
    source: Option<String>,
    region: Option<String>,
}

async fn coverage(
    State(state): State<AppState>,
    q: Result<Query<CoverageQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Coverage>, AppError> {
    let Query(q) = q.map_err(|e| {
        AppError::bad_request(format!("The query string is not valid: {}", e.body_text()))
    })?;
    let inv = state.inventory.inventory();
    Ok(Json(app::model::coverage(
        &inv,
        q.source.as_deref(),
        q.region.as_deref(),
    )))
}

async fn unknown() -> AppError {
    AppError::not_found("No such API endpoint. The README lists the JSON API.")
}
