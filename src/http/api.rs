//! The JSON API, for scripts and other tools. Documented in the README.
//!
//! - `GET /api/clusters`: every cluster's summary, and the state of every source.
//! - `GET /api/clusters/{id}`: one cluster's full record (`id` from the list; the ARN,
//!   percent-encoded, works too).
//!
//! Errors are JSON too: `{"error": {"status": 404, "kind": "not_found", "message": "…"}}`.

use app::error::AppError;
use app::model::{Cluster, InventoryOverview};
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/clusters", get(list))
        .route("/api/clusters/{id}", get(one))
        .route("/api/{*rest}", get(unknown).post(unknown))
}

async fn list(State(state): State<AppState>) -> Json<InventoryOverview> {
    Json(InventoryOverview::from(&*state.inventory.inventory()))
}

async fn one(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Cluster>, AppError> {
    let inv = state.inventory.inventory();
    app::api::find_cluster(&inv, &id).cloned().map(Json)
}

async fn unknown() -> AppError {
    AppError::not_found("No such API endpoint. The README lists the JSON API.")
}
