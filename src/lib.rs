//! msk-console: a web console for Amazon MSK.
//!
//! The layers, each in its own module; every arrow is "uses", and no module uses one
//! above it (`scripts/check-imports.py` checks that there is no circle and no upward
//! import, file by file and layer by layer):
//!
//! ```text
//! lib (App: serve) ──┬─> http (pages, JSON API, downloads; AppState) ──> auth ──> store
//!                    ├─> oneshot (one-shot commands)
//!                    └─> core (the console without HTTP: its parts and the one service)
//! core ──> service (ServerConsole: what app::service::Console asks)
//! service ─┬─> replica (election, the leader's view) ──┬─> inventory ──┐
//!          │                                            └─> prober ────┤
//!          ├─> history (snapshots of the live view) ───────────────────┤
//!          └─> truststore                                              v
//!                   live (the published inventory, probes, progress) ──> clock
//! inventory ──> store::source_cache, role      prober ──> connect ──> net_guard
//! live ──> telemetry (the console's counters; /metrics asks the service for them)
//! low: role, background, clock, config, logging, error, net_guard
//! ```
//!
//! Every door (pages through server functions, the JSON API, the downloads, `/metrics`,
//! the one-shot commands) asks the one [`app::service::Console`]; [`service::ServerConsole`] is its
//! server side. The store owns every SQL statement; [`clock`] every time helper.
//!
//! [`main`](../msk_console/index.html) parses the [`Config`] and calls [`run`]; tests call
//! [`App::build`] and serve it on port 0 with a fresh database.

pub mod auth;
pub mod background;
pub mod clock;
pub mod cloudwatch;
pub mod config;
pub mod connect;
pub mod core;
pub mod demo;
pub mod error;
pub mod history;
pub mod http;
pub mod inventory;
pub mod live;
pub mod logging;
pub mod net_guard;
pub mod oneshot;
pub mod prober;
pub mod replica;
pub mod role;
pub mod service;
pub mod store;
pub mod telemetry;
pub mod topics;
pub mod truststore;

use std::sync::Arc;

use crate::store::Db;
use leptos::config::LeptosOptions;
use tokio_util::sync::CancellationToken;

pub use config::Config;
pub use http::state::AppState;
pub use inventory::InventoryService;

use error::StartError;

/// A built console: its router and its parts, not yet serving.
pub struct App {
    pub state: AppState,
    pub router: axum::Router,
    /// The parts behind the service, for tests and benchmarks that drive them directly.
    pub inventory: Arc<InventoryService>,
    pub history: Arc<history::History>,
    pub pool: Db,
    /// This console's place among the replicas (always the only one on SQLite).
    pub replica: Arc<replica::Replica>,
    /// Cancelled when the server shuts down; every background loop stops on it.
    pub shutdown: CancellationToken,
    /// The background loops: told to stop with `shutdown`, and waited for.
    pub background: background::Background,
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
        // Every setting is checked before anything starts.
        let auth_settings = auth::AuthSettings::from_config(&config)?;
        inventory::sources::check_unique_names(&sources)?;
        let core = core::Core::start(&config, sources, credentials, auth_settings.mode).await?;
        let leptos_options = LeptosOptions::builder()
            .output_name(app::OUTPUT_NAME)
            .site_root(
                config
                    .site_root
                    .as_deref()
                    .unwrap_or(std::path::Path::new("target/site"))
                    .to_string_lossy()
                    .into_owned(),
            )
            .site_pkg_dir("pkg")
            .site_addr(config.listen)
            .build();
        let auth = Arc::new(auth::Auth::new(
            auth_settings,
            core.pool.clone(),
            core.console.clone(),
        ));
        let state = AppState::new(leptos_options, core.console.clone(), config);
        let pages = http::page_cache::PageCache::new(core.inventory.live().clone());
        let router = http::router(state.clone(), auth, pages);
        Ok(App {
            state,
            router,
            inventory: core.inventory,
            history: core.history,
            pool: core.pool,
            replica: core.replica,
            shutdown: core.background.shutdown.clone(),
            background: core.background,
        })
    }

    /// Serves on `listener` until `shutdown` completes, then stops the background loops
    /// and drains open requests.
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<(), StartError> {
        let token = self.shutdown.clone();
        let signal = async move {
            shutdown.await;
            token.cancel();
        };
        let config = &self.state.config;
        let limits = http::serve::Limits {
            header_timeout: config.header_timeout,
            write_timeout: config.write_timeout,
            idle_timeout: config.idle_timeout,
            max_connections: config.max_connections as usize,
        };
        let replica = self.replica.clone();
        let served = http::serve::serve(
            listener,
            self.router,
            limits,
            signal,
            config.request_timeout,
        )
        .await
        .map_err(|e| StartError::Serve(e.to_string()));
        // A leader hands over before the process ends: its last view written, its lock
        // given back (bounded, so a stuck database cannot hold the exit).
        let _ = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            replica
                .roles()
                .wait_for(|r| !matches!(r, replica::Role::Leader { .. })),
        )
        .await;
        served
    }
}

/// Runs a one-shot subcommand; returns what to print, or a one-line reason.
pub async fn run_command(config: &Config, command: &config::Command) -> Result<String, String> {
    if !matches!(
        command,
        config::Command::Token(_) | config::Command::Sessions(_)
    ) {
        return oneshot::run(config, command).await;
    }
    let pool = store::connect(&config.database_url)
        .await
        .map_err(|e| e.to_string())?;
    let out = match command {
        config::Command::Token(cmd) => auth::tokens::run(&pool, cmd).await,
        config::Command::Sessions(cmd) => auth::session::run(&pool, cmd).await,
        _ => Err("not a database command".into()),
    };
    pool.close().await;
    out
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
    match &config.site_root {
        Some(root) if !root.join("pkg").exists() => tracing::warn!(
            site_root = %root.display(),
            "no built site there: pages render but do not hydrate; run scripts/build.sh"
        ),
        None if !http::site::has_embedded_site() => tracing::warn!(
            "this binary carries no built site: pages render but do not hydrate; build it with scripts/build.sh"
        ),
        _ => {}
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
