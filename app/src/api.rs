//! Server functions: the calls the pages make to the server.
//!
//! They live under `/sfn/…` so that `/api/…` stays free for the documented JSON API.

use leptos::prelude::*;

use crate::error::AppError;
use crate::history::{ChangeFilter, ChangeKind, ChangesPage, ClusterDiff, ClusterHistory};
use crate::model::{
    Cluster, ClusterDetail, Coverage, InventoryOverview, RefreshStatus, SweepStatus,
};

/// The cluster list with the state of every source.
#[server(prefix = "/sfn", endpoint = "overview")]
pub async fn get_overview() -> Result<InventoryOverview, AppError> {
    let console = crate::service::console()?;
    Ok(InventoryOverview::from(&*console.0.inventory()))
}

/// One cluster's full record and its last exporter probe, by id (or ARN); with `at`,
/// the cluster as the history recorded it at that snapshot.
#[server(prefix = "/sfn", endpoint = "cluster")]
pub async fn get_cluster(id: String, at: Option<String>) -> Result<ClusterDetail, AppError> {
    let console = crate::service::console()?;
    match parse_number("at", at)? {
        Some(snapshot) => console.0.cluster_at(id, snapshot).await,
        None => cluster_detail(&console.0.inventory(), &id),
    }
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
    let console = crate::service::console()?;
    let filter = change_filter(cluster, source, kind, before, None)?;
    console.0.changes(filter).await
}

/// One cluster's history: timeline, chart and versions.
#[server(prefix = "/sfn", endpoint = "cluster_history")]
pub async fn get_cluster_history(
    id: String,
    before: Option<String>,
) -> Result<ClusterHistory, AppError> {
    let console = crate::service::console()?;
    let before = parse_number("before", before)?;
    console.0.cluster_history(id, before).await
}

/// The difference between two snapshots of a cluster.
#[server(prefix = "/sfn", endpoint = "cluster_diff")]
pub async fn get_cluster_diff(
    id: String,
    from: Option<String>,
    to: Option<String>,
) -> Result<ClusterDiff, AppError> {
    let console = crate::service::console()?;
    let from = parse_number("from", from)?;
    let to = parse_number("to", to)?;
    console.0.cluster_diff(id, from, to).await
}

/// The monitoring-coverage overview, filtered by source and region.
#[server(prefix = "/sfn", endpoint = "coverage")]
pub async fn get_coverage(
    source: Option<String>,
    region: Option<String>,
) -> Result<Coverage, AppError> {
    let console = crate::service::console()?;
    Ok(crate::model::coverage(
        &console.0.inventory(),
        source.as_deref(),
        region.as_deref(),
    ))
}

/// Probes the exporters of one cluster (or every cluster) now.
#[server(prefix = "/sfn", endpoint = "probe")]
pub async fn probe_exporters(cluster: Option<String>) -> Result<SweepStatus, AppError> {
    let console = crate::service::console()?;
    if let Some(id) = cluster.as_deref().filter(|s| !s.is_empty()) {
        find_cluster(&console.0.inventory(), id)?;
    }
    Ok(console.0.request_probe(cluster.filter(|s| !s.is_empty())))
}

/// A cluster with its reachability.
pub fn cluster_detail(inv: &crate::model::Inventory, id: &str) -> Result<ClusterDetail, AppError> {
    let c = find_cluster(inv, id)?;
    Ok(ClusterDetail {
        cluster: c.clone(),
        reachability: inv.reachability.get(&c.id).cloned(),
        sweep: inv.sweep.clone(),
        recorded: None,
    })
}

/// Starts an inventory refresh now.
#[server(prefix = "/sfn", endpoint = "refresh")]
pub async fn refresh_inventory() -> Result<RefreshStatus, AppError> {
    let console = crate::service::console()?;
    Ok(console.0.request_refresh())
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
    let console = crate::service::console()?;
    let (cluster, generated_at) = file_source(&*console.0, &id, at).await?;
    let kind = crate::generate::FileKind::parse(&kind)?;
    let headers: axum::http::HeaderMap = leptos_axum::extract().await.unwrap_or_default();
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok());
    crate::generate::render_cluster_file(
        &cluster,
        kind,
        mode.as_deref(),
        &options,
        &console.0.console_url(host),
        &generated_at,
    )
}

/// The cluster a per-cluster file is made from, and the "generated at" its header
/// shows: the live cluster now, or with `at` the state recorded at that snapshot (and the
/// header says so). The downloads and the Downloads panel's preview both use it.
#[cfg(feature = "ssr")]
pub async fn file_source(
    console: &dyn crate::service::ConsoleService,
    id: &str,
    at: Option<i64>,
) -> Result<(Cluster, String), AppError> {
    let now = console.now();
    match at {
        Some(snapshot) => {
            let d = console.cluster_at(id.to_string(), snapshot).await?;
            let generated = match &d.recorded {
                Some(r) => crate::history::generated_from(&now, r),
                None => now,
            };
            Ok((d.cluster, generated))
        }
        None => Ok((find_cluster(&console.inventory(), id)?.clone(), now)),
    }
}

/// A snapshot id (`at`, `from`, `to`), change id (`before`) or page size (`limit`) from
/// a query string: empty is none, anything but a positive number is a 400 that names the
/// parameter and what it holds.
pub fn parse_number(name: &str, v: Option<String>) -> Result<Option<i64>, AppError> {
    let what = match name {
        "before" => "a change id",
        "limit" => "a page size",
        _ => "a snapshot id",
    };
    match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .map(Some)
            .ok_or_else(|| {
                AppError::bad_request(format!(
                    "`{name}` must be a positive number ({what}), not `{}`",
                    s.chars().take(40).collect::<String>()
                ))
            }),
    }
}

/// A page size from a query string: at most [`crate::history::MAX_PAGE`]; 0 means the
/// default.
pub fn parse_limit(v: Option<String>) -> Result<u32, AppError> {
    Ok(parse_number("limit", v)?
        .map(|n| n.min(i64::from(crate::history::MAX_PAGE)) as u32)
        .unwrap_or(0))
}

/// A timeline filter from query-string values; empty values mean "any".
pub fn change_filter(
    cluster: Option<String>,
    source: Option<String>,
    kind: Option<String>,
    before: Option<String>,
    limit: Option<String>,
) -> Result<ChangeFilter, AppError> {
    let some = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let kind = some(kind)
        .map(|k| k.parse::<ChangeKind>().map_err(AppError::bad_request))
        .transpose()?;
    let limit = parse_limit(limit)?;
    Ok(ChangeFilter {
        cluster: some(cluster),
        source: some(source),
        kind,
        before: parse_number("before", before)?,
        limit,
    })
}

/// Refuses a string that cannot be a cluster id, before any lookup, so a malformed id in
/// a URL gets its own message.
pub fn check_cluster_id(id: &str) -> Result<(), AppError> {
    if crate::model::is_valid_cluster_id(id) {
        return Ok(());
    }
    Err(AppError::not_found(format!(
        "`{}` is not a cluster id. Cluster ids look like `orders-3f9a2c1b7e` and are listed on the Clusters page.",
        id.chars().take(80).collect::<String>()
    )))
}

/// Looks a cluster up, telling a malformed id apart from an unknown one.
pub fn find_cluster<'a>(
    inv: &'a crate::model::Inventory,
    id: &str,
) -> Result<&'a Cluster, AppError> {
    if !id.starts_with("arn:") {
        check_cluster_id(id)?;
    }
    inv.cluster(id).ok_or_else(|| {
        AppError::not_found(format!(
            "No cluster with id `{id}` is in the inventory. It may have been deleted, or its source failed to refresh."
        ))
    })
}
