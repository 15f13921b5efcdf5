//! The inventory: every cluster of every source, kept fresh.
//!
//! The inventory is a set of *slots*, one per source and region (or per inventory file).
//! A refresh runs every slot concurrently and replaces a slot's clusters only when its
//! listing succeeds; a failed slot keeps its last good clusters and carries the error,
//! which the cluster list shows as a banner. Successful AWS slots are written to SQLite,
//! so a restarted console shows the last known clusters before its first refresh ends.
//!
//! Readers never wait: every slot that finishes is published at once through the live
//! view ([`crate::live`]), which is also how the refresh button's progress reaches the
//! page. The slots live there too, beside the probes the sweeps write.
//!
//! Refreshes happen at start, every `--refresh-interval`, and on request; never two at once.
//! Most are incremental: AWS sources list their clusters and ask the details only of the
//! clusters that changed ([`aws`]). One every `--full-refresh-interval`, the first, and
//! every one asked for ("Refresh now") ask every cluster's details.
//!
//! With replicas on PostgreSQL only the leader refreshes ([`crate::role`]); a follower
//! serves the leader's inventory ([`crate::live::Live::adopt`]) and, when it takes over,
//! rebuilds its state from the leader's last view ([`InventoryService::take_over`]).

pub mod aws;
pub mod bootstrap;
pub mod details;
pub mod errors;
pub mod file;
pub mod ids;
pub mod links;
pub mod mapping;
pub mod sources;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::store::Db;
use app::model::{Cluster, Inventory, RefreshStatus, SourceError, SourceErrorKind};
use aws_credential_types::provider::SharedCredentialsProvider;
use tokio::sync::{watch, Notify};

use self::aws::{AwsFetcher, Depth, Limits};
use self::sources::Source;
use crate::background::Background;
use crate::clock::now_rfc3339;
use crate::live::{Live, Published, Slot};
use crate::role::{until_leading, Roles};
use crate::store::source_cache::{self, CachedListing};

/// The region label of slots that come from inventory files.
const FILE_REGION: &str = "inventory file";

enum Fetcher {
    Aws(Box<AwsFetcher>),
    File(std::path::PathBuf),
    Sample,
}

/// What one unit of a refresh produced.
struct Outcome {
    source: String,
    region: String,
    result: Result<(Option<String>, Vec<Cluster>), SourceError>,
    persist: bool,
}

/// The inventory service: its sources, and the live view it writes its listings to.
pub struct InventoryService {
    /// One per configured source (an AWS source lists several regions).
    fetchers: Vec<Fetcher>,
    /// What every reader sees: the listings written here, the probes the sweeps write.
    live: Arc<Live>,
    /// Wakes the refresh loop for a refresh on request.
    wake: Notify,
    /// Where successful AWS listings are cached.
    pool: Db,
    /// How often a refresh is a full one.
    full_refresh_interval: Duration,
    /// When the last full refresh started (none yet: the next is full).
    last_full: Mutex<Option<Instant>>,
    /// The next refresh is a full one ("Refresh now").
    full_wanted: AtomicBool,
}

/// Settings of the inventory service.
#[derive(Clone)]
pub struct Settings {
    pub limits: Limits,
    pub refresh_interval: Duration,
    /// How often a refresh asks every cluster's details again.
    pub full_refresh_interval: Duration,
    /// Replaces every AWS source's credential chain (embedding, tests).
    pub credentials: Option<SharedCredentialsProvider>,
    /// The sample brokers' stand-in exporters run, so sample clusters are probed.
    pub sample_exporters: bool,
}

impl InventoryService {
    /// Builds the service and its live view, loads the cached slots, and starts the
    /// refresh loop. The loop stops when `background` shuts down.
    pub async fn start(
        sources: Vec<Source>,
        settings: Settings,
        pool: Db,
        roles: Roles,
        background: impl Into<Background>,
    ) -> Arc<InventoryService> {
        let background = background.into();
        let sample = sources.iter().any(|s| matches!(s, Source::Sample));
        let live = Live::new(sample, settings.sample_exporters);
        let mut fetchers = Vec::new();
        for s in sources {
            fetchers.push(match s {
                Source::Aws(a) => Fetcher::Aws(Box::new(
                    AwsFetcher::load(
                        a,
                        settings.limits,
                        settings.credentials.clone(),
                        live.telemetry().clone(),
                    )
                    .await,
                )),
                Source::File(p) => Fetcher::File(p),
                Source::Sample => Fetcher::Sample,
            });
        }
        let svc = Arc::new(InventoryService {
            fetchers,
            live,
            wake: Notify::new(),
            pool,
            full_refresh_interval: settings.full_refresh_interval,
            last_full: Mutex::new(None),
            full_wanted: AtomicBool::new(false),
        });
        svc.load_cache().await;
        svc.load_revisions().await;
        svc.live.publish();
        let looping = svc.clone();
        let shutdown = background.shutdown.clone();
        background.spawn(async move {
            looping
                .run(settings.refresh_interval, roles, shutdown)
                .await
        });
        svc
    }

    /// How to reach each AWS source, for the CloudWatch reader.
    pub fn aws_access(&self) -> Vec<aws::SourceAccess> {
        self.fetchers
            .iter()
            .filter_map(|f| match f {
                Fetcher::Aws(a) => Some(a.access()),
                _ => None,
            })
            .collect()
    }

    /// An MSK client of the AWS source `source` for `region`, and the source's limit
    /// of calls in flight per region; `None` for files, the sample and unknown sources.
    pub fn msk_client(&self, source: &str, region: &str) -> Option<(aws_sdk_kafka::Client, usize)> {
        self.fetchers.iter().find_map(|f| match f {
            Fetcher::Aws(a) if a.source.name == source => Some((a.client(region), a.concurrency())),
            _ => None,
        })
    }

    /// The live view this service writes its listings to (the sweeps write theirs).
    pub fn live(&self) -> &Arc<Live> {
        &self.live
    }

    /// A receiver that sees every new inventory (tests wait on it).
    pub fn subscribe(&self) -> watch::Receiver<Published> {
        self.live.subscribe()
    }

    /// Refreshes now and every `interval` (or when woken) while this console leads.
    async fn run(
        self: Arc<Self>,
        interval: Duration,
        mut roles: Roles,
        shutdown: tokio_util::sync::CancellationToken,
    ) {
        loop {
            tokio::select! {
                leading = until_leading(&mut roles) => if !leading { return },
                _ = shutdown.cancelled() => return,
            }
            loop {
                tokio::select! {
                    _ = self.refresh() => {}
                    _ = shutdown.cancelled() => return,
                }
                let lost = tokio::select! {
                    _ = tokio::time::sleep(interval) => false,
                    _ = self.wake.notified() => false,
                    lost = roles.wait_for(|r| !r.leads()) => { let _ = lost; true }
                    _ = shutdown.cancelled() => return,
                };
                if lost {
                    tracing::info!("no longer leading: the refreshes stop here");
                    break;
                }
            }
        }
    }

    /// A new leader's state: the previous leader's last view (every slot, its error and
    /// times, the probes, the progress counters), else the cached listings. The election
    /// calls it before this console says it leads.
    pub async fn take_over(&self) {
        let view = match &self.pool {
            Db::Postgres(pg) => match crate::store::replica::read_view(&pg.pool, 0).await {
                Ok(v) => v.and_then(|row| serde_json::from_str::<Inventory>(&row.body).ok()),
                Err(e) => {
                    tracing::warn!(error = %e, "could not read the last leader's view");
                    None
                }
            },
            Db::Sqlite(_) => None,
        };
        let Some(view) = view else {
            self.load_cache().await;
            self.live.publish();
            return;
        };
        {
            let mut state = self.live.lock();
            state.slots.clear();
            for s in &view.sources {
                state.slots.insert(
                    (s.source.clone(), s.region.clone()),
                    Slot {
                        account: s.account.clone(),
                        clusters: view
                            .clusters
                            .iter()
                            .filter(|c| c.source == s.source && c.region == s.region)
                            .cloned()
                            .collect(),
                        last_ok: s.last_ok.clone(),
                        last_attempt: s.last_attempt.clone(),
                        error: s.error.clone(),
                    },
                );
            }
            state.reachability = view.reachability;
            state.refresh = view.refresh;
            state.refresh.running = false;
            state.refreshing = false;
            state.sweep = view.sweep;
            state.sweep.running = false;
            state.cloudwatch = view.cloudwatch;
            state.cloudwatch_sweep = view.cloudwatch_sweep;
            state.cloudwatch_sweep.running = false;
            state.cloudwatch_sources = view
                .cloudwatch_sources
                .into_iter()
                .map(|s| ((s.source.clone(), s.region.clone()), s))
                .collect();
        }
        // The view is written at most every 200 ms, the cache at every listing: a listing
        // newer than the view wins.
        self.load_cache().await;
        tracing::info!("took over the last leader's inventory");
        self.live.publish();
    }

    /// Restores the last good AWS listings from the database, except where a slot already
    /// holds a newer listing.
    async fn load_cache(&self) {
        let names: Vec<&str> = self
            .fetchers
            .iter()
            .filter_map(|f| match f {
                Fetcher::Aws(a) => Some(a.source.name.as_str()),
                _ => None,
            })
            .collect();
        let rows = match source_cache::load(&self.pool).await {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(error = %e, "could not read the inventory cache");
                return;
            }
        };
        let mut state = self.live.lock();
        for r in rows {
            if !names.contains(&r.source.as_str()) {
                continue;
            }
            let key = (r.source, r.region);
            // A slot already known from a newer listing (a leader's view) stays.
            if state
                .slots
                .get(&key)
                .and_then(|s| s.last_ok.as_deref())
                .is_some_and(|ok| ok >= r.fetched_at.as_str())
            {
                continue;
            }
            match serde_json::from_str::<Vec<Cluster>>(&r.clusters) {
                Ok(clusters) => {
                    let slot = state.slots.entry(key).or_default();
                    slot.account = r.account;
                    slot.clusters = clusters;
                    slot.last_ok = Some(r.fetched_at);
                }
                // A cache written by another version: ignore it, the refresh replaces it.
                Err(e) => {
                    tracing::warn!(source = %key.0, region = %key.1, error = %e, "ignoring an unreadable cache entry")
                }
            }
        }
    }

    /// Fills every AWS source's configuration revision cache from the database.
    async fn load_revisions(&self) {
        let rows = match crate::store::revisions::load(&self.pool).await {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(error = %e, "could not read the kept configuration revisions");
                return;
            }
        };
        for f in &self.fetchers {
            if let Fetcher::Aws(a) = f {
                for r in &rows {
                    a.revisions().put(
                        (r.configuration_arn.clone(), r.revision),
                        r.server_properties.clone(),
                    );
                }
            }
        }
    }

    /// Whether the refresh starting now asks every cluster's details: the first, one
    /// asked for, and one every `--full-refresh-interval`.
    fn depth_now(&self) -> Depth {
        let mut last = self
            .last_full
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let asked = self.full_wanted.swap(false, Ordering::SeqCst);
        let due = last.is_none_or(|t| t.elapsed() >= self.full_refresh_interval);
        if asked || due {
            *last = Some(Instant::now());
            Depth::Full
        } else {
            Depth::Changed
        }
    }

    /// Runs one refresh of every source now (waits for it to finish): a full one when
    /// due or asked for, else one that asks details only of changed clusters. A refresh
    /// already running makes this a no-op.
    pub async fn refresh(&self) {
        let started = now_rfc3339();
        if !self.live.refresh_started(self.fetchers.len()) {
            return;
        }
        let depth = self.depth_now();
        let timer = std::time::Instant::now();
        let units = self.fetchers.iter().map(|f| self.refresh_fetcher(f, depth));
        futures::future::join_all(units).await;
        self.live.telemetry().refresh_took(timer.elapsed());
        self.live.refresh_finished();
        tracing::info!(started = %started, ?depth, "inventory refreshed");
    }

    /// Runs a full refresh now (tests, the one-shot commands).
    pub async fn refresh_full(&self) {
        self.full_wanted.store(true, Ordering::SeqCst);
        self.refresh().await;
    }

    async fn refresh_fetcher(&self, fetcher: &Fetcher, depth: Depth) {
        match fetcher {
            Fetcher::Sample => {
                let result = file::parse(file::SAMPLE, app::model::SAMPLE_SOURCE)
                    .map_err(|e| file_error(&e));
                let source = result
                    .as_ref()
                    .map(|(s, _)| s.clone())
                    .unwrap_or_else(|_| app::model::SAMPLE_SOURCE.into());
                self.record(Outcome {
                    source,
                    region: FILE_REGION.into(),
                    result: result.map(|(_, c)| (None, c)),
                    persist: false,
                })
                .await;
            }
            Fetcher::File(path) => {
                let path = path.clone();
                let fallback = path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let result = tokio::task::spawn_blocking(move || file::read(&path))
                    .await
                    .unwrap_or_else(|e| Err(e.to_string()));
                let source = result.as_ref().map(|(s, _)| s.clone()).unwrap_or(fallback);
                self.record(Outcome {
                    source,
                    region: FILE_REGION.into(),
                    result: result.map(|(_, c)| (None, c)).map_err(|e| file_error(&e)),
                    persist: false,
                })
                .await;
            }
            Fetcher::Aws(aws) => {
                let name = aws.source.name.clone();
                let regions = match aws.regions() {
                    Ok(r) => r,
                    Err(e) => {
                        self.record(Outcome {
                            source: name,
                            region: "no region".into(),
                            result: Err(e),
                            persist: false,
                        })
                        .await;
                        return;
                    }
                };
                self.forget_other_regions(&name, &regions).await;
                // This source counts as one unit; its regions add the rest.
                self.live.lock().refresh.total += regions.len().saturating_sub(1);
                if let Err(e) = aws.check_credentials().await {
                    for region in regions {
                        self.record(Outcome {
                            source: name.clone(),
                            region,
                            result: Err(e.clone()),
                            persist: false,
                        })
                        .await;
                    }
                    return;
                }
                let per_region = regions.iter().map(|region| async {
                    let result = aws
                        .list_region(region, depth)
                        .await
                        .map(|l| (l.account, l.clusters, l.new_revisions));
                    let result = match result {
                        Ok((account, clusters, revisions)) => {
                            self.keep_revisions(revisions).await;
                            Ok((account, clusters))
                        }
                        Err(e) => Err(e),
                    };
                    self.record(Outcome {
                        source: name.clone(),
                        region: region.clone(),
                        result,
                        persist: true,
                    })
                    .await;
                });
                futures::future::join_all(per_region).await;
            }
        }
    }

    /// Keeps configuration revisions read from MSK in the database.
    async fn keep_revisions(&self, revisions: Vec<((String, i64), String)>) {
        for ((configuration_arn, revision), server_properties) in revisions {
            let r = crate::store::revisions::Revision {
                configuration_arn,
                revision,
                server_properties,
            };
            if let Err(e) = crate::store::revisions::save(&self.pool, &r).await {
                tracing::warn!(error = %e, "could not keep a configuration revision");
            }
        }
    }

    /// Drops what a source listed in regions it no longer covers (a region removed from
    /// the configuration, a profile whose default region changed), from the page and
    /// from the cache, so they are not shown for ever.
    async fn forget_other_regions(&self, source: &str, regions: &[String]) {
        let stale: Vec<String> = {
            let mut state = self.live.lock();
            let keys: Vec<(String, String)> = state
                .slots
                .keys()
                .filter(|(s, r)| s == source && !regions.contains(r))
                .cloned()
                .collect();
            for k in &keys {
                state.slots.remove(k);
            }
            keys.into_iter().map(|(_, r)| r).collect()
        };
        for region in stale {
            tracing::info!(%source, %region, "no longer listing a region that is not configured");
            if let Err(e) = source_cache::forget(&self.pool, source, &region).await {
                tracing::warn!(error = %e, "could not drop a cached listing");
            }
        }
    }

    /// Applies one unit's outcome to its slot, stores it, and publishes (soon: see
    /// [`Live::publish_soon`]). A listing that equals the slot's clusters only moves the
    /// cached listing's time.
    async fn record(&self, outcome: Outcome) {
        let Outcome {
            source,
            region,
            result,
            persist,
        } = outcome;
        let at = now_rfc3339();
        let to_store = {
            let mut state = self.live.lock();
            let slot = state
                .slots
                .entry((source.clone(), region.clone()))
                .or_default();
            slot.last_attempt = Some(at.clone());
            match result {
                Ok((account, clusters)) => {
                    let account = account.or(slot.account.take());
                    let same = slot.clusters == clusters && slot.account == account;
                    slot.account = account;
                    slot.clusters = clusters;
                    slot.last_ok = Some(at.clone());
                    slot.error = None;
                    persist.then(|| {
                        (
                            slot.account.clone(),
                            (!same).then(|| serde_json::to_string(&slot.clusters)),
                        )
                    })
                }
                Err(e) => {
                    tracing::warn!(%source, %region, kind = %e.kind, message = %e.message, "source refresh failed");
                    self.live.telemetry().source_error(&source);
                    slot.error = Some(e);
                    None
                }
            }
        };
        match to_store {
            Some((account, Some(Ok(clusters)))) => {
                let listing = CachedListing {
                    source,
                    region,
                    account,
                    fetched_at: at,
                    clusters,
                };
                if let Err(e) = source_cache::save(&self.pool, &listing).await {
                    tracing::warn!(error = %e, "could not cache the inventory");
                }
            }
            Some((_, None)) => {
                if let Err(e) = source_cache::touch(&self.pool, &source, &region, &at).await {
                    tracing::warn!(error = %e, "could not cache the inventory");
                }
            }
            Some((_, Some(Err(e)))) => {
                tracing::warn!(error = %e, "could not serialise the inventory for its cache")
            }
            None => {}
        }
        self.live.lock().refresh.done += 1;
        self.live.publish_soon();
    }

    /// Which published inventory this is (see [`Live::version`]).
    pub fn version(&self) -> u64 {
        self.live.version()
    }
}

fn file_error(e: &str) -> SourceError {
    SourceError {
        kind: SourceErrorKind::File,
        message: format!("The inventory file could not be used: {e}"),
        hint: "Fix the file; the console reads it again on the next refresh. docs/configuration.md describes the format."
            .into(),
    }
}

impl InventoryService {
    /// The current inventory (cheap: a shared snapshot).
    pub fn inventory(&self) -> Arc<Inventory> {
        self.live.inventory()
    }

    /// Starts a refresh now, unless one is running; returns its status ("running" at
    /// once: the loop picks the request up immediately).
    pub fn request_refresh(&self) -> RefreshStatus {
        // A refresh someone asked for looks at everything again.
        self.full_wanted.store(true, Ordering::SeqCst);
        let status = self.live.refresh_requested();
        self.wake.notify_one();
        status
    }
}
