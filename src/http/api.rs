//! The JSON API, for scripts and other tools. Documented in the README.
//!
//! - `GET /api/clusters`: every cluster's summary, and the state of every source.
//! - `GET /api/clusters/{id}`: one cluster's full record (`id` from the list; the ARN,
//!   percent-encoded, works too) with `reachability`, its last exporter probe.
//! - `GET /api/coverage?source=&region=`: monitoring coverage, problems first.
//! - `GET /api/changes?cluster=&source=&kind=&before=&limit=`: the global timeline of
//!   changes, newest first; `next_before` continues it.
//! - `GET /api/clusters/{id}/history?before=&limit=`: one cluster's timeline, chart data
//!   and recorded versions (also for clusters no longer in the inventory).
//! - `GET /api/clusters/{id}/diff?from=&to=`: what changed between two snapshots.
//! - `GET /api/clusters/{id}?at=SNAPSHOT`: the cluster as recorded at a snapshot.
//!
//! Errors are JSON too: `{"error": {"status": 404, "kind": "not_found", "message": "…"}}`.

use app::api::{change_filter, parse_limit, parse_number};
use app::error::AppError;
use app::history::{ChangesPage, ClusterDiff, ClusterHistory};
use app::model::{ClusterDetail, Coverage, InventoryOverview};
use axum::extract::rejection::QueryRejection;
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
        .route("/api/changes", get(changes))
        .route("/api/clusters/{id}/history", get(history))
        .route("/api/clusters/{id}/diff", get(diff))
        .route("/api/{*rest}", get(unknown).post(unknown))
}

async fn list(State(state): State<AppState>) -> Json<InventoryOverview> {
    Json(InventoryOverview::from(&*state.inventory.inventory()))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct AtQuery {
    at: Option<String>,
}

async fn one(
    State(state): State<AppState>,
    Path(id): Path<String>,
    q: Result<Query<AtQuery>, QueryRejection>,
) -> Result<Json<ClusterDetail>, AppError> {
    let Query(q) = q.map_err(bad_query)?;
    match parse_number("at", q.at)? {
        Some(at) => state.history.detail_at(&id, at).await.map(Json),
        None => app::api::cluster_detail(&state.inventory.inventory(), &id).map(Json),
    }
}

fn bad_query(e: QueryRejection) -> AppError {
    AppError::bad_request(format!("The query string is not valid: {}", e.body_text()))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangesQuery {
    cluster: Option<String>,
    source: Option<String>,
    kind: Option<String>,
    before: Option<String>,
    limit: Option<String>,
}

async fn changes(
    State(state): State<AppState>,
    q: Result<Query<ChangesQuery>, QueryRejection>,
) -> Result<Json<ChangesPage>, AppError> {
    let Query(q) = q.map_err(bad_query)?;
    let filter = change_filter(q.cluster, q.source, q.kind, q.before, q.limit)?;
    state.history.changes(&filter).await.map(Json)
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct HistoryQuery {
    before: Option<String>,
    limit: Option<String>,
}

async fn history(
    State(state): State<AppState>,
    Path(id): Path<String>,
    q: Result<Query<HistoryQuery>, QueryRejection>,
) -> Result<Json<ClusterHistory>, AppError> {
    let Query(q) = q.map_err(bad_query)?;
    let before = parse_number("before", q.before)?;
    let limit = parse_limit(q.limit)?;
    let current = state.inventory.inventory().cluster(&id).is_some();
    state
        .history
        .cluster_history(&id, before, limit, current)
        .await
        .map(Json)
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DiffQuery {
    from: Option<String>,
    to: Option<String>,
}

async fn diff(
    State(state): State<AppState>,
    Path(id): Path<String>,
    q: Result<Query<DiffQuery>, QueryRejection>,
) -> Result<Json<ClusterDiff>, AppError> {
    let Query(q) = q.map_err(bad_query)?;
    let from = parse_number("from", q.from)?;
    let to = parse_number("to", q.to)?;
    state.history.diff(&id, from, to).await.map(Json)
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CoverageQuery {
    source: Option<String>,
    region: Option<String>,
}

async fn coverage(
    State(state): State<AppState>,
    q: Result<Query<CoverageQuery>, QueryRejection>,
) -> Result<Json<Coverage>, AppError> {
    let Query(q) = q.map_err(bad_query)?;
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
