//! msk-console: a web console for Amazon MSK.
//!
//! The layers, each in its own module, and the only direction they call in:
//!
//! ```text
//! http (axum routes, Leptos pages via app::service) ─┬─> inventory (AWS SDK, files) ──> store (SQLite)
//!                                                     ├─> prober (exporters) ──> inventory
//!                                                     └─> history (snapshots of the inventory) ──> store
//! ```
//!
//! [`main`](../msk_console/index.html) parses the [`Config`] and calls [`run`]; tests call
//! [`App::build`] and serve it on port 0 with a fresh database.

pub mod config;
pub mod history;
pub mod http;
pub mod inventory;
pub mod prober;
pub mod store;
pub mod truststore;

use std::path::PathBuf;
use std::sync::Arc;

use app::history::{ChangeFilter, ChangesPage, ClusterDiff, ClusterHistory};
use app::model::ClusterDetail;
use app::service::{Console, Fut};
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sqlx::SqlitePool;

pub use config::Config;
pub use inventory::InventoryService;

/// Why the console could not start. Each prints as one line.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("database {url}: {reason}")]
    Database { url: String, reason: String },
    #[error("sources file {}: {reason}", path.display())]
    Sources { path: PathBuf, reason: String },
    #[error("configuration: {0}")]
    Config(String),
    #[error("cannot listen on {addr}: {reason}")]
    Listen { addr: String, reason: String },
    #[error("server: {0}")]
    Serve(String),
}

/// The state every route and server function shares.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub config: Arc<Config>,
    pub pool: SqlitePool,
    pub inventory: Arc<InventoryService>,
    pub truststore: Arc<truststore::Truststore>,
    pub probes: Arc<prober::ProbeService>,
    pub history: Arc<history::History>,
    /// What pages and server functions may ask of the server (see `app::service`).
    pub console: Console,
}

/// What pages and server functions may ask of the server (see `app::service`).
struct PageService {
    inventory: Arc<InventoryService>,
    probes: Arc<prober::ProbeService>,
    history: Arc<history::History>,
    public_url: Option<String>,
    listen: std::net::SocketAddr,
}

impl app::service::ConsoleService for PageService {
    fn inventory(&self) -> Arc<app::model::Inventory> {
        self.inventory.inventory()
    }

    fn request_refresh(&self) -> app::model::RefreshStatus {
        self.inventory.request_refresh()
    }

    fn request_probe(&self, cluster_id: Option<String>) -> app::model::SweepStatus {
        let status = self.inventory.sweep_requested();
        self.probes.request(cluster_id);
        status
    }

    fn now(&self) -> String {
        now_rfc3339()
    }

    fn console_url(&self, host: Option<&str>) -> String {
        http::console_url(self.public_url.as_deref(), self.listen, host)
    }

    fn changes(&self, filter: ChangeFilter) -> Fut<'_, ChangesPage> {
        Box::pin(async move { self.history.changes(&filter).await })
    }

    fn cluster_history(&self, id: String, before: Option<i64>) -> Fut<'_, ClusterHistory> {
        Box::pin(async move {
            let current = self.inventory.inventory().cluster(&id).is_some();
            self.history.cluster_history(&id, before, 0, current).await
        })
    }

    fn cluster_diff(&self, id: String, from: Option<i64>, to: Option<i64>) -> Fut<'_, ClusterDiff> {
        Box::pin(async move { self.history.diff(&id, from, to).await })
    }

    fn cluster_at(&self, id: String, snapshot: i64) -> Fut<'_, ClusterDetail> {
        Box::pin(async move { self.history.detail_at(&id, snapshot).await })
    }
}

/// A built console: its state and router, not yet serving.
pub struct App {
    pub state: AppState,
    pub router: axum::Router,
}

impl App {
    /// Opens the store and starts the inventory with the sources the config names.
    pub async fn build(config: Config) -> Result<App, StartError> {
        let sources = inventory::sources::from_config(&config)?;
        Self::build_with(config, sources, None).await
    }

    /// Like [`App::build`] with explicit sources and, optionally, fixed AWS credentials
    /// (tests point them at a fake MSK endpoint).
    pub async fn build_with(
        config: Config,
        sources: Vec<inventory::sources::Source>,
        credentials: Option<aws_credential_types::provider::SharedCredentialsProvider>,
    ) -> Result<App, StartError> {
        let pool = store::connect(&config.database_url).await?;
        let settings = inventory::Settings {
            limits: inventory::aws::Limits {
                concurrency: usize::from(config.aws_concurrency),
                timeout: config.aws_timeout,
                max_attempts: config.aws_max_attempts,
            },
            refresh_interval: config.refresh_interval,
            credentials,
        };
        let inventory = InventoryService::start(sources, settings, pool.clone()).await;
        let probes = prober::ProbeService::start(
            prober::ProberSettings {
                timeout: config.probe_timeout,
                concurrency: usize::from(config.probe_concurrency),
                body_limit: config.probe_body_limit,
            },
            config.probe_interval,
            !config.no_probe,
            inventory.clone(),
        );
        let history = history::History::new(pool.clone(), config.history_retention);
        history.start(inventory.clone(), config.history_prune_interval);
        let leptos_options = LeptosOptions::builder()
            .output_name(app::OUTPUT_NAME)
            .site_root(config.site_root.to_string_lossy().into_owned())
            .site_pkg_dir("pkg")
            .site_addr(config.listen)
            .build();
        let console = Console(Arc::new(PageService {
            inventory: inventory.clone(),
            probes: probes.clone(),
            history: history.clone(),
            public_url: config.public_url.clone(),
            listen: config.listen,
        }));
        let state = AppState {
            leptos_options,
            truststore: Arc::new(truststore::Truststore::new(config.ca_bundle.clone())),
            config: Arc::new(config),
            pool,
            inventory,
            probes,
            history,
            console,
        };
        let router = http::router(state.clone());
        Ok(App { state, router })
    }

    /// Serves on `listener` until `shutdown` completes, then drains open requests.
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<(), StartError> {
        axum::serve(listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(|e| StartError::Serve(e.to_string()))
    }
}

/// The current time as RFC 3339 in UTC, to the second (`2026-11-25T14:31:00Z`).
pub fn now_rfc3339() -> String {
    rfc3339(now_unix())
}

/// The current time in Unix seconds (how the history stores times).
pub fn now_unix() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Unix seconds as RFC 3339 in UTC (`2026-11-25T14:31:00Z`).
pub fn rfc3339(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|d| {
            d.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| t.to_string())
}

/// Runs the console until SIGINT or SIGTERM.
pub async fn run(config: Config) -> Result<(), StartError> {
    let addr = config.listen;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| StartError::Listen {
            addr: addr.to_string(),
            reason: e.to_string(),
        })?;
    if !config.site_root.join("pkg").exists() {
        tracing::warn!(
            site_root = %config.site_root.display(),
            "the site has not been built: pages render but do not hydrate; run scripts/build.sh"
        );
    }
    let app = App::build(config).await?;
    tracing::info!("msk-console listening on http://{addr}");
    app.serve(listener, shutdown_signal()).await
}

/// Completes on Ctrl-C or SIGTERM (what `docker stop` and systemd send).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
