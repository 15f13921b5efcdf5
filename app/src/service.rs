//! What the pages may ask of the server (server-side only).
//!
//! The server crate implements [`ConsoleService`] over its inventory, prober and store,
//! and provides it to every page render and server function as a [`Console`] context.
//! Keeping this a trait keeps the layers apart: the app crate never links the AWS SDK.

use std::sync::Arc;

use leptos::prelude::use_context;

use crate::error::AppError;
use crate::model::{Inventory, RefreshStatus, SweepStatus};

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
}

/// The context value carrying the service.
#[derive(Clone)]
pub struct Console(pub Arc<dyn ConsoleService>);

/// The service from context, or an internal error if the server forgot to provide it.
pub fn console() -> Result<Console, AppError> {
    use_context::<Console>()
        .ok_or_else(|| AppError::internal("ConsoleService is not in the Leptos context"))
}
