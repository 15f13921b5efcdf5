//! The JSON API, for scripts and other tools. Documented in the README.
//!
//! - `GET /api/clusters[?brief=true]`: every cluster's row (with ARN, account, tags and
//!   bootstrap strings unless `brief`), and the state of every source.
//! - `GET /api/clusters/{id}`: one cluster's full record (`id` from the list; the ARN,
//!   percent-encoded, works too) with `reachability`, its last exporter probe.
//! - `GET /api/coverage?source=&region=`: monitoring coverage, problems first.
//! - `GET /api/changes?cluster=&source=&kind=&before=&limit=&overview=`: the global
//!   timeline of changes, newest first; `next_before` continues it. The stats, chart and
//!   filter choices come with the first page (or with `overview=true`).
//! - `GET /api/clusters/{id}/history?before=&limit=`: one cluster's timeline, chart data
//!   and recorded versions (also for clusters no longer in the inventory).
//! - `GET /api/clusters/{id}/diff?from=&to=`: what changed between two snapshots.
//! - `GET /api/clusters/{id}?at=SNAPSHOT`: the cluster as recorded at a snapshot.
//! - `GET /api/clusters/{id}/topics?q=&page=`: the cluster's topics as MSK's topic API
//!   last listed them (50 a page, names holding `q`, out-of-sync ones first), or why
//!   they are not read.
//! - `GET /api/clusters/{id}/topics/{name}`: one topic's status, configuration and
//!   partitions from MSK, and its consumer groups' lag from CloudWatch.
//! - `GET /api/clusters/{id}/consumers`: every consumer group CloudWatch knows on the
//!   cluster, most behind first.
//! - `GET /api/activity?limit=`: the audit log (sign-ins, refreshes, probes), newest first.
//! - `POST /api/refresh`, `POST /api/probe[?cluster=ID]`: start a refresh or a probe now
//!   (operators only; with a login in force, send an operator's bearer token).
//!
//! Errors are JSON too: `{"error": {"status": 404, "kind": "not_found", "message": "…"}}`.

use app::error::AppError;
use app::history::{ChangeFilter, ChangesPage, ClusterDiff, ClusterHistory};
use app::model::cloudwatch::ConsumerLag;
use app::model::topics::{TopicDetail, TopicName, TopicsPage};
use app::model::{
    AuditEvent, ClusterDetail, ClusterListing, Coverage, Identity, RefreshStatus, Selection,
    SweepStatus,
};
use app::params::{ChangeId, ClusterId, ClusterKey, PageSize, SnapshotId};
use app::service::Console;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};

use super::query::Q;
use super::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/clusters", get(list))
        .route("/api/clusters/{id}", get(one))
        .route("/api/coverage", get(coverage))
        .route("/api/changes", get(changes))
        .route("/api/clusters/{id}/history", get(history))
        .route("/api/clusters/{id}/diff", get(diff))
        .route("/api/clusters/{id}/topics", get(topics))
        .route("/api/clusters/{id}/topics/{name}", get(topic))
        .route("/api/clusters/{id}/consumers", get(consumers))
        .route("/api/activity", get(activity))
        .route("/api/refresh", post(refresh))
        .route("/api/probe", post(probe))
        .route("/api/{*rest}", get(unknown).post(unknown))
}

/// The list's parameters: the same selection as every many-cluster download and the
/// one-shot `clusters` command (`cluster`, `q`, `source`, `region`), and `brief`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    brief: Option<String>,
    cluster: Option<String>,
    q: Option<String>,
    source: Option<String>,
    region: Option<String>,
}

/// The clusters the selection covers (all by default), with what a script needs to
/// connect; `?brief=true` leaves out the ARN, account, tags and bootstrap strings.
async fn list(
    State(console): State<Console>,
    Q(q): Q<ListQuery>,
) -> Result<Json<ClusterListing>, AppError> {
    let brief = match q.brief.as_deref().map(str::trim) {
        None | Some("" | "false" | "0" | "no") => false,
        Some("true" | "1" | "yes") => true,
        Some(other) => {
            return Err(AppError::bad_request(format!(
                "`brief` must be true or false, not `{}`",
                other.chars().take(40).collect::<String>()
            )))
        }
    };
    let selection = Selection::parse(
        q.cluster.as_deref(),
        q.q.as_deref(),
        q.source.as_deref(),
        q.region.as_deref(),
    )?;
    Ok(Json(console.listing(&selection, brief)?))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct AtQuery {
    at: Option<String>,
}

async fn one(
    State(console): State<Console>,
    Path(id): Path<String>,
    Q(q): Q<AtQuery>,
) -> Result<Json<ClusterDetail>, AppError> {
    let key = ClusterKey::parse(&id)?;
    let at = SnapshotId::parse("at", q.at.as_deref())?;
    console.cluster(&key, at).await.map(Json)
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangesQuery {
    cluster: Option<String>,
    source: Option<String>,
    kind: Option<String>,
    before: Option<String>,
    limit: Option<String>,
    /// `true`/`false`: include the stats, the chart and the filters' choices. Default:
    /// on the first page only (a script paging through the timeline needs them once).
    overview: Option<String>,
}

/// The parts of a [`ChangesPage`] that describe the whole history rather than the page.
const OVERVIEW: [&str; 4] = ["stats", "chart", "sources", "clusters"];

async fn changes(
    State(console): State<Console>,
    Q(q): Q<ChangesQuery>,
) -> Result<Json<serde_json::Value>, AppError> {
    let overview = match q.overview.as_deref().map(str::trim) {
        None | Some("") => q.before.as_deref().is_none_or(|b| b.trim().is_empty()),
        Some("true") => true,
        Some("false") => false,
        Some(other) => {
            return Err(AppError::bad_request(format!(
                "overview must be true or false, not `{other}`"
            )))
        }
    };
    let page = changes_page(&console, &q).await?;
    let mut value = serde_json::to_value(page)
        .map_err(|e| AppError::internal(format!("serializing the timeline: {e}")))?;
    if !overview {
        if let Some(o) = value.as_object_mut() {
            for k in OVERVIEW {
                o.remove(k);
            }
        }
    }
    Ok(Json(value))
}

async fn changes_page(console: &Console, q: &ChangesQuery) -> Result<ChangesPage, AppError> {
    let filter = ChangeFilter::parse(
        q.cluster.as_deref(),
        q.source.as_deref(),
        q.kind.as_deref(),
        q.before.as_deref(),
        q.limit.as_deref(),
    )?;
    console.changes(filter).await
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct HistoryQuery {
    before: Option<String>,
    limit: Option<String>,
}

async fn history(
    State(console): State<Console>,
    Path(id): Path<String>,
    Q(q): Q<HistoryQuery>,
) -> Result<Json<ClusterHistory>, AppError> {
    let id = ClusterId::parse(&id)?;
    let before = ChangeId::parse("before", q.before.as_deref())?;
    let limit = PageSize::parse(q.limit.as_deref())?;
    console.cluster_history(id, before, limit).await.map(Json)
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DiffQuery {
    from: Option<String>,
    to: Option<String>,
}

async fn diff(
    State(console): State<Console>,
    Path(id): Path<String>,
    Q(q): Q<DiffQuery>,
) -> Result<Json<ClusterDiff>, AppError> {
    let id = ClusterId::parse(&id)?;
    let from = SnapshotId::parse("from", q.from.as_deref())?;
    let to = SnapshotId::parse("to", q.to.as_deref())?;
    console.cluster_diff(id, from, to).await.map(Json)
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CoverageQuery {
    source: Option<String>,
    region: Option<String>,
}

async fn coverage(State(console): State<Console>, Q(q): Q<CoverageQuery>) -> Json<Coverage> {
    Json(console.coverage(q.source.as_deref(), q.region.as_deref()))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct LimitQuery {
    limit: Option<String>,
}

async fn activity(
    State(console): State<Console>,
    Q(q): Q<LimitQuery>,
) -> Result<Json<Vec<AuditEvent>>, AppError> {
    let limit = PageSize::parse(q.limit.as_deref())?;
    console.activity(limit).await.map(Json)
}

async fn refresh(
    State(console): State<Console>,
    Extension(who): Extension<Identity>,
) -> Result<Json<RefreshStatus>, AppError> {
    console.request_refresh(&who).await.map(Json)
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ProbeQuery {
    cluster: Option<String>,
}

async fn probe(
    State(console): State<Console>,
    Extension(who): Extension<Identity>,
    Q(q): Q<ProbeQuery>,
) -> Result<Json<SweepStatus>, AppError> {
    let key = match q.cluster.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(k) => Some(ClusterKey::parse(k)?),
    };
    console.request_probe(&who, key.as_ref()).await.map(Json)
}

async fn unknown() -> AppError {
    AppError::not_found("No such API endpoint. The README lists the JSON API.")
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TopicsQuery {
    q: Option<String>,
    page: Option<String>,
}

/// A page number from a request: 1 when absent, a 400 when not a positive number.
fn page_number(page: Option<&str>) -> Result<usize, AppError> {
    match page.map(str::trim) {
        None | Some("") => Ok(1),
        Some(p) => p.parse::<usize>().ok().filter(|n| *n >= 1).ok_or_else(|| {
            AppError::bad_request(format!(
                "`page` must be a number from 1, not `{}`",
                p.chars().take(20).collect::<String>()
            ))
        }),
    }
}

async fn topics(
    State(console): State<Console>,
    Path(id): Path<String>,
    Q(q): Q<TopicsQuery>,
) -> Result<Json<TopicsPage>, AppError> {
    let key = ClusterKey::parse(&id)?;
    let page = page_number(q.page.as_deref())?;
    console
        .topics(&key, q.q.as_deref().unwrap_or(""), page)
        .map(Json)
}

async fn topic(
    State(console): State<Console>,
    Path((id, name)): Path<(String, String)>,
    Q(_): Q<NoQuery>,
) -> Result<Json<TopicDetail>, AppError> {
    let key = ClusterKey::parse(&id)?;
    let name = TopicName::parse(&name)?;
    console.topic(&key, &name).await.map(Json)
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct NoQuery {}

async fn consumers(
    State(console): State<Console>,
    Path(id): Path<String>,
    Q(_): Q<NoQuery>,
) -> Result<Json<Vec<ConsumerLag>>, AppError> {
    let key = ClusterKey::parse(&id)?;
    console.consumers(&key).map(Json)
}
