//! Server functions: the calls the pages make to the server.
//!
//! They live under `/sfn/…` so that `/api/…` stays free for the documented JSON API.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{
    Cluster, ClusterDetail, Coverage, InventoryOverview, RefreshStatus, SweepStatus,
};

/// The cluster list with the state of every source.
#[server(prefix = "/sfn", endpoint = "overview")]
pub async fn get_overview() -> Result<InventoryOverview, AppError> {
    let console = crate::service::console()?;
    Ok(InventoryOverview::from(&*console.0.inventory()))
}

/// One cluster's full record and its last exporter probe, by id (or ARN).
#[server(prefix = "/sfn", endpoint = "cluster")]
pub async fn get_cluster(id: String) -> Result<ClusterDetail, AppError> {
    let console = crate::service::console()?;
    cluster_detail(&console.0.inventory(), &id)
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
) -> Result<crate::generate::Rendered, AppError> {
    let console = crate::service::console()?;
    let inv = console.0.inventory();
    let cluster = find_cluster(&inv, &id)?;
    let kind = crate::generate::FileKind::parse(&kind)?;
    let headers: axum::http::HeaderMap = leptos_axum::extract().await.unwrap_or_default();
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok());
    crate::generate::render_cluster_file(
        cluster,
        kind,
        mode.as_deref(),
        &options,
        &console.0.console_url(host),
        &console.0.now(),
    )
}

/// Looks a cluster up, telling a malformed id apart from an unknown one.
pub fn find_cluster<'a>(
    inv: &'a crate::model::Inventory,
    id: &str,
) -> Result<&'a Cluster, AppError> {
    if !id.starts_with("arn:") && !crate::model::is_valid_cluster_id(id) {
        return Err(AppError::not_found(format!(
            "`{}` is not a cluster id. Cluster ids look like `orders-3f9a2c1b7e` and are listed on the Clusters page.",
            id.chars().take(80).collect::<String>()
        )));
    }
    inv.cluster(id).ok_or_else(|| {
        AppError::not_found(format!(
            "No cluster with id `{id}` is in the inventory. It may have been deleted, or its source failed to refresh."
        ))
    })
}
