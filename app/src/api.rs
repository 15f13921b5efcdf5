//! Server functions: the calls the pages make to the server.
//!
//! They live under `/sfn/…` so that `/api/…` stays free for the documented JSON API.
//! Each one parses its arguments (strings as they come from a URL) into the types of
//! [`crate::params`] and asks the [`crate::service::Console`], the same service the JSON
//! API and the downloads use.

use leptos::prelude::*;

use crate::error::AppError;
use crate::history::{ChangesPage, ClusterDiff, ClusterHistory};
use crate::model::{ClusterDetail, Coverage, InventoryOverview, RefreshStatus, SweepStatus};

/// One page of the cluster list with the state of every source: the URL's `q`, `sort`,
/// `dir` and `page`, as strings (checked by [`crate::model::ListQuery::parse`]).
#[server(prefix = "/sfn", endpoint = "overview")]
pub async fn get_overview(
    q: Option<String>,
    sort: Option<String>,
    dir: Option<String>,
    page: Option<String>,
) -> Result<InventoryOverview, AppError> {
    let query = crate::model::ListQuery::parse(
        q.as_deref(),
        sort.as_deref(),
        dir.as_deref(),
        page.as_deref(),
    );
    Ok(crate::service::console()?.overview(&query))
}

/// One cluster's full record and its last exporter probe, by id (or ARN); with `at`,
/// the cluster as the history recorded it at that snapshot.
#[server(prefix = "/sfn", endpoint = "cluster")]
pub async fn get_cluster(id: String, at: Option<String>) -> Result<ClusterDetail, AppError> {
    use crate::params::{ClusterKey, SnapshotId};
    let key = ClusterKey::parse(&id)?;
    let at = SnapshotId::parse("at", at.as_deref())?;
    crate::service::console()?.cluster(&key, at).await
}

/// The global timeline of changes. Parameters are strings as they come from the query
/// string, and are checked here so a bad one is a clear 400.
#[server(prefix = "/sfn", endpoint = "changes")]
pub async fn get_changes(
    cluster: Option<String>,
    source: Option<String>,
    kind: Option<String>,
    before: Option<String>,
) -> Result<ChangesPage, AppError> {
    let filter = crate::history::ChangeFilter::parse(
        cluster.as_deref(),
        source.as_deref(),
        kind.as_deref(),
        before.as_deref(),
        None,
    )?;
    crate::service::console()?.changes(filter).await
}

/// One cluster's history: timeline, chart and versions. `limit` follows the same rules
/// as the JSON API's.
#[server(prefix = "/sfn", endpoint = "cluster_history")]
pub async fn get_cluster_history(
    id: String,
    before: Option<String>,
    limit: Option<String>,
) -> Result<ClusterHistory, AppError> {
    use crate::params::{ChangeId, ClusterId, PageSize};
    let id = ClusterId::parse(&id)?;
    let before = ChangeId::parse("before", before.as_deref())?;
    let limit = PageSize::parse(limit.as_deref())?;
    crate::service::console()?
        .cluster_history(id, before, limit)
        .await
}

/// The difference between two snapshots of a cluster.
#[server(prefix = "/sfn", endpoint = "cluster_diff")]
pub async fn get_cluster_diff(
    id: String,
    from: Option<String>,
    to: Option<String>,
) -> Result<ClusterDiff, AppError> {
    use crate::params::{ClusterId, SnapshotId};
    let id = ClusterId::parse(&id)?;
    let from = SnapshotId::parse("from", from.as_deref())?;
    let to = SnapshotId::parse("to", to.as_deref())?;
    crate::service::console()?.cluster_diff(id, from, to).await
}

/// The monitoring-coverage overview, filtered by source and region.
#[server(prefix = "/sfn", endpoint = "coverage")]
pub async fn get_coverage(
    source: Option<String>,
    region: Option<String>,
) -> Result<Coverage, AppError> {
    Ok(crate::service::console()?.coverage(source.as_deref(), region.as_deref()))
}

/// Probes the exporters of one cluster (or every cluster) now.
#[server(prefix = "/sfn", endpoint = "probe")]
pub async fn probe_exporters(cluster: Option<String>) -> Result<SweepStatus, AppError> {
    use crate::params::ClusterKey;
    let key = cluster
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(ClusterKey::parse)
        .transpose()?;
    crate::service::console()?
        .request_probe(&crate::service::caller()?, key.as_ref())
        .await
}

/// Starts an inventory refresh now.
#[server(prefix = "/sfn", endpoint = "refresh")]
pub async fn refresh_inventory() -> Result<RefreshStatus, AppError> {
    crate::service::console()?
        .request_refresh(&crate::service::caller()?)
        .await
}

/// The newest audit events: sign-ins, refreshes and probes, with who did them.
#[server(prefix = "/sfn", endpoint = "activity")]
pub async fn get_activity() -> Result<Vec<crate::model::AuditEvent>, AppError> {
    crate::service::console()?
        .activity(crate::params::PageSize::parse(Some("20"))?)
        .await
}

/// A file as the download would deliver it, for the Downloads panel's live preview.
#[server(prefix = "/sfn", endpoint = "preview", input = leptos::server_fn::codec::Json)]
pub async fn preview_file(
    id: String,
    kind: String,
    mode: Option<String>,
    options: crate::generate::client::ClientOptions,
    at: Option<i64>,
) -> Result<crate::generate::Rendered, AppError> {
    use crate::params::{ClusterKey, SnapshotId};
    let key = ClusterKey::parse(&id)?;
    let kind = crate::generate::FileKind::parse(&kind)?;
    let mode = crate::model::Listener::parse_opt(mode.as_deref())?;
    let at = SnapshotId::parse("at", at.map(|n| n.to_string()).as_deref())?;
    let headers: axum::http::HeaderMap = leptos_axum::extract().await.unwrap_or_default();
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok());
    crate::service::console()?
        .cluster_file(&key, kind, mode, &options, at, host)
        .await
}

/// One page of a cluster's topics (`q` filters by name, `page` from 1), as strings from
/// the URL.
#[server(prefix = "/sfn", endpoint = "topics")]
pub async fn get_topics(
    id: String,
    q: Option<String>,
    page: Option<String>,
) -> Result<crate::model::topics::TopicsPage, AppError> {
    let key = crate::params::ClusterKey::parse(&id)?;
    // A page number that does not parse is the first page (the pager writes only good ones).
    let page = page
        .as_deref()
        .and_then(|p| p.trim().parse::<usize>().ok())
        .unwrap_or(1);
    crate::service::console()?.topics(&key, q.as_deref().unwrap_or(""), page)
}

/// One topic of a cluster in full.
#[server(prefix = "/sfn", endpoint = "topic")]
pub async fn get_topic(
    id: String,
    name: String,
) -> Result<crate::model::topics::TopicDetail, AppError> {
    let key = crate::params::ClusterKey::parse(&id)?;
    let name = crate::model::topics::TopicName::parse(&name)?;
    crate::service::console()?.topic(&key, &name).await
}
