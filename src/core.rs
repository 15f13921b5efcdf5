//! The console without HTTP: its store, its live inventory, the prober, the history and
//! the one service every door asks ([`app::service::Console`]).
//!
//! [`crate::App`] serves a [`Core`] behind the login gate and the routers; a one-shot
//! command ([`crate::oneshot`]) builds a quiet one ([`Core::quiet`]): an in-memory
//! store, no probing, no recording, no replicas, nothing but the sources listed once.

use std::sync::Arc;

use app::service::Console;
use aws_credential_types::provider::SharedCredentialsProvider;

use crate::background::Background;
use crate::cloudwatch::{self, CloudWatchService};
use crate::config::{AuthMode, Config};
use crate::demo;
use crate::error::StartError;
use crate::history::History;
use crate::inventory::sources::{self, Source};
use crate::inventory::{self, InventoryService};
use crate::prober::{ProbeService, ProberSettings};
use crate::replica::Replica;
use crate::service::ServerConsole;
use crate::store::{self, Db};
use crate::topics::TopicService;
use crate::truststore::{self, Truststore};

/// A console's parts behind its one service.
pub struct Core {
    pub console: Console,
    pub inventory: Arc<InventoryService>,
    pub history: Arc<History>,
    pub pool: Db,
    /// This console's place among the replicas (always the only one on SQLite).
    pub replica: Arc<Replica>,
    /// Every background loop, and how to stop them.
    pub background: Background,
}

/// How much of the console runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Runs {
    /// Everything: probes on schedule, the history, the election on PostgreSQL.
    All,
    /// Only the inventory's first refresh (a one-shot command).
    Quiet,
}

impl Core {
    /// The whole console on `config.database_url`, its loops started.
    pub async fn start(
        config: &Config,
        sources: Vec<Source>,
        credentials: Option<SharedCredentialsProvider>,
        login: AuthMode,
    ) -> Result<Core, StartError> {
        let pool = store::connect(&config.database_url).await?;
        Self::build(config, sources, credentials, pool, login, Runs::All).await
    }

    /// A console for one command: the sources listed once into a private in-memory
    /// store (`--database-url` is not touched), nothing probed or recorded.
    pub async fn quiet(config: &Config, sources: Vec<Source>) -> Result<Core, StartError> {
        let pool = store::connect("sqlite::memory:").await?;
        Self::build(config, sources, None, pool, AuthMode::None, Runs::Quiet).await
    }

    async fn build(
        config: &Config,
        sources: Vec<Source>,
        credentials: Option<SharedCredentialsProvider>,
        pool: Db,
        login: AuthMode,
        runs: Runs,
    ) -> Result<Core, StartError> {
        let replica = Replica::new(
            pool.clone(),
            config
                .replica_name
                .clone()
                .unwrap_or_else(Replica::default_name),
        );
        let background = Background::new();
        let probing = runs == Runs::All && !config.no_probe;
        let demo = if probing {
            start_demo(&sources, &background).await
        } else {
            None
        };
        let settings = inventory::Settings {
            limits: inventory::aws::Limits {
                concurrency: usize::from(config.aws_concurrency),
                timeout: config.aws_timeout,
                max_attempts: config.aws_max_attempts,
            },
            refresh_interval: config.refresh_interval,
            full_refresh_interval: config.full_refresh_interval,
            credentials,
            sample_exporters: demo.is_some(),
        };
        let inventory = InventoryService::start(
            sources,
            settings,
            pool.clone(),
            replica.roles(),
            background.clone(),
        )
        .await;
        let probes = ProbeService::start(
            ProberSettings {
                timeout: config.probe_timeout,
                concurrency: usize::from(config.probe_concurrency),
                body_limit: config.probe_body_limit,
                connectivity: !config.no_connectivity,
                ca_bundle: truststore::bundle_path(config.ca_bundle.as_deref()),
                extra_roots: demo.as_ref().map(|d| d.roots.clone()).unwrap_or_default(),
                overrides: demo.map(|d| d.overrides).unwrap_or_default(),
            },
            config.probe_interval,
            probing,
            inventory.live().clone(),
            replica.roles(),
            &background,
        )
        .map_err(StartError::Config)?;
        let cloudwatch = (runs == Runs::All && !config.no_cloudwatch).then(|| {
            CloudWatchService::start(
                inventory.aws_access(),
                cloudwatch::Settings {
                    interval: config.cloudwatch_interval,
                    concurrency: usize::from(config.cloudwatch_concurrency),
                },
                inventory.live().clone(),
                replica.roles(),
                &background,
            )
        });
        let topics = (runs == Runs::All && !config.no_topics).then(|| {
            TopicService::start(
                inventory.clone(),
                config.topics_interval,
                usize::from(config.topic_configs_per_refresh),
                replica.roles(),
                &background,
            )
        });
        let history = History::new(pool.clone(), config.history_retention);
        if runs == Runs::All {
            history.start(
                inventory.live().clone(),
                config.history_prune_interval,
                replica.roles(),
                background.clone(),
            );
            replica.start(
                inventory.clone(),
                probes.clone(),
                cloudwatch.clone(),
                &background,
            );
        }
        let console = Console::new(ServerConsole {
            inventory: inventory.clone(),
            probes,
            cloudwatch,
            topics,
            fleet_metrics: Default::default(),
            replica: replica.clone(),
            history: history.clone(),
            truststore: Arc::new(Truststore::new(config.ca_bundle.clone())),
            pool: pool.clone(),
            public_url: config.public_url.clone(),
            listen: config.listen,
            tag_labels: app::generate::prometheus::TagLabels::new(config.target_tag_labels.clone()),
            login_required: login != AuthMode::None,
        });
        Ok(Core {
            console,
            inventory,
            history,
            pool,
            replica,
            background,
        })
    }
}

/// With the sample inventory, starts the sample brokers' stand-in exporters; a failure
/// (an address already in use) leaves the sample unprobed.
async fn start_demo(sources: &[Source], background: &Background) -> Option<demo::Demo> {
    if !sources.iter().any(|s| matches!(s, Source::Sample)) {
        return None;
    }
    let (_, clusters) =
        inventory::file::parse(inventory::file::SAMPLE, app::model::SAMPLE_SOURCE).ok()?;
    match demo::start(&clusters, &background.shutdown).await {
        Ok(d) => {
            tracing::info!(
                brokers = d.overrides.len(),
                "sample mode: stand-in exporters serve the sample brokers on 127.0.1.x"
            );
            Some(d)
        }
        Err(e) => {
            tracing::warn!("sample mode: the stand-in exporters could not start ({e}); sample clusters stay unprobed");
            None
        }
    }
}

/// The sources a configuration names, checked (names unique).
pub fn sources_of(config: &Config) -> Result<Vec<Source>, StartError> {
    let sources = sources::from_config(config)?;
    sources::check_unique_names(&sources)?;
    Ok(sources)
}
