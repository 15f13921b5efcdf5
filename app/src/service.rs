//! What the pages may ask of the server (server-side only).
//!
//! The server crate implements [`ConsoleService`] over its inventory, prober and store,
//! and provides it to every page render and server function as a [`Console`] context.
//! Keeping this a trait keeps the layers apart: the app crate never links the AWS SDK.

use std::sync::Arc;

use leptos::prelude::use_context;

use crate::error::AppError;
use crate::history::{ChangeFilter, ChangesPage, ClusterDiff, ClusterHistory};
use crate::model::{ClusterDetail, Inventory, RefreshStatus, SweepStatus};

/// What the history calls return: they read SQLite, so they are asynchronous.
pub type Fut<'a, T> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, AppError>> + Send + 'a>>;

pub trait ConsoleService: Send + Sync + 'static {
    /// The current inventory (cheap: a shared snapshot).
    fn inventory(&self) -> Arc<Inventory>;

    /// Starts a refresh of every source now, unless one is running; returns its status.
    fn request_refresh(&self) -> RefreshStatus;

    /// Starts probing the exporters of one cluster (or all) now; returns the sweep status.
    fn request_probe(&self, cluster_id: Option<String>) -> SweepStatus;

    /// The current time for "generated at" lines (RFC 3339, UTC).
    fn now(&self) -> String;

    /// How Prometheus reaches the console, given the request's `Host` header.
    fn console_url(&self, host: Option<&str>) -> String;

    /// One page of the global timeline of changes.
    fn changes(&self, filter: ChangeFilter) -> Fut<'_, ChangesPage>;

    /// One cluster's timeline, chart and recorded versions (also of removed clusters).
    fn cluster_history(&self, id: String, before: Option<i64>) -> Fut<'_, ClusterHistory>;

    /// What changed in a cluster between two snapshots (defaults: the latest change).
    fn cluster_diff(&self, id: String, from: Option<i64>, to: Option<i64>) -> Fut<'_, ClusterDiff>;

    /// The cluster as recorded at a past snapshot.
    fn cluster_at(&self, id: String, snapshot: i64) -> Fut<'_, ClusterDetail>;
}

/// The context value carrying the service.
#[derive(Clone)]
pub struct Console(pub Arc<dyn ConsoleService>);

/// The service from context, or an internal error if the server forgot to provide it.
pub fn console() -> Result<Console, AppError> {
    use_context::<Console>()
        .ok_or_else(|| AppError::internal("ConsoleService is not in the Leptos context"))
}
