//! The inventory: every cluster of every source, kept fresh.
//!
//! The inventory is a set of *slots*, one per source and region (or per inventory file).
//! A refresh runs every slot concurrently and replaces a slot's clusters only when its
//! listing succeeds; a failed slot keeps its last good clusters and carries the error,
//! which the cluster list shows as a banner. Successful AWS slots are written to SQLite,
//! so a restarted console shows the last known clusters before its first refresh ends.
//!
//! Readers never wait: the current [`Inventory`] is an `Arc` published through a
//! `tokio::sync::watch` channel after every slot finishes, which is also how the refresh
//! button's progress reaches the page.
//!
//! Refreshes happen at start, every `--refresh-interval`, and on request; never two at once.
//! All mutable state is one [`state::State`] behind one lock.
//!
//! With replicas on PostgreSQL only the leader refreshes ([`crate::replica`]); a follower
//! serves the leader's inventory ([`InventoryService::adopt`]) and, when it takes over,
//! rebuilds its state from the leader's last view ([`InventoryService::take_over`]).

pub mod aws;
pub mod bootstrap;
pub mod details;
pub mod errors;
pub mod file;
pub mod sources;
mod state;

use std::sync::Arc;
use std::time::Duration;

use crate::store::Db;
use app::model::{
    Cluster, ClusterReachability, Inventory, RefreshStatus, SourceError, SourceErrorKind,
    SweepStatus,
};
use aws_credential_types::provider::SharedCredentialsProvider;
use tokio::sync::{watch, Notify};
use tokio_util::sync::CancellationToken;

use self::aws::{AwsFetcher, Limits};
use self::sources::Source;
use self::state::{Published, Shared, Slot};
use crate::clock::now_rfc3339;
use crate::replica::Role;
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

/// The inventory service: its sources, its state, and the channel readers watch.
pub struct InventoryService {
    /// One per configured source (an AWS source lists several regions).
    fetchers: Vec<Fetcher>,
    /// Everything a refresh or a sweep changes.
    state: Shared,
    /// The inventory holds the built-in sample data.
    sample: bool,
    /// The sample brokers' stand-in exporters run ([`crate::demo`]).
    sample_exporters: bool,
    /// Publishes every new inventory; readers and the recorder watch it.
    tx: watch::Sender<Published>,
    /// Wakes the refresh loop for a refresh on request.
    wake: Notify,
    /// Counts publishes ([`InventoryService::version`]).
    version: std::sync::atomic::AtomicU64,
    /// Where successful AWS listings are cached.
    pool: Db,
}

/// Settings of the inventory service.
#[derive(Clone)]
pub struct Settings {
    pub limits: Limits,
    pub refresh_interval: Duration,
    /// Replaces every AWS source's credential chain (embedding, tests).
    pub credentials: Option<SharedCredentialsProvider>,
    /// The sample brokers' stand-in exporters run, so sample clusters are probed.
    pub sample_exporters: bool,
}

impl InventoryService {
    /// Builds the service, loads the cached slots, and starts the refresh loop.
    /// The loop stops when `shutdown` is cancelled.
    pub async fn start(
        sources: Vec<Source>,
        settings: Settings,
        pool: Db,
        roles: watch::Receiver<Role>,
        shutdown: CancellationToken,
    ) -> Arc<InventoryService> {
        let mut fetchers = Vec::new();
        let mut sample = false;
        for s in sources {
            fetchers.push(match s {
                Source::Aws(a) => Fetcher::Aws(Box::new(
                    AwsFetcher::load(a, settings.limits, settings.credentials.clone()).await,
                )),
                Source::File(p) => Fetcher::File(p),
                Source::Sample => {
                    sample = true;
                    Fetcher::Sample
                }
            });
        }
        let (tx, _) = watch::channel(Arc::new(Inventory {
            sample,
            ..Inventory::default()
        }));
        let svc = Arc::new(InventoryService {
            fetchers,
            state: Shared::new(),
            sample,
            sample_exporters: sample && settings.sample_exporters,
            tx,
            wake: Notify::new(),
            version: Default::default(),
            pool,
        });
        svc.load_cache().await;
        svc.publish();
        let looping = svc.clone();
        tokio::spawn(async move {
            looping
                .run(settings.refresh_interval, roles, shutdown)
                .await
        });
        svc
    }

    /// A receiver that sees every new inventory (tests wait on it).
    pub fn subscribe(&self) -> watch::Receiver<Arc<Inventory>> {
        self.tx.subscribe()
    }

    /// Refreshes now and every `interval` (or when woken) while this console leads.
    async fn run(
        self: Arc<Self>,
        interval: Duration,
        mut roles: watch::Receiver<Role>,
        shutdown: CancellationToken,
    ) {
        loop {
            tokio::select! {
                leading = crate::replica::until_leading(&mut roles) => if !leading { return },
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

    /// Serves `inventory` as it is (a follower serving the leader's view). The state
    /// behind it is left alone: [`InventoryService::take_over`] rebuilds it.
    pub fn adopt(&self, inventory: Inventory) {
        self.tx.send_replace(Arc::new(inventory));
        self.version
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
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
            self.publish();
            return;
        };
        {
            let mut state = self.state.lock();
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
        }
        // The view is written at most every 200 ms, the cache at every listing: a listing
        // newer than the view wins.
        self.load_cache().await;
        tracing::info!("took over the last leader's inventory");
        self.publish();
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
        let mut state = self.state.lock();
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

    /// Runs one refresh of every source now (waits for it to finish). A refresh already
    /// running makes this a no-op.
    pub async fn refresh(&self) {
        let started = now_rfc3339();
        {
            let mut state = self.state.lock();
            if state.refreshing {
                return;
            }
            state.refreshing = true;
            let p = &mut state.refresh;
            p.running = true;
            p.started_at = Some(started.clone());
            p.done = 0;
            p.total = self.fetchers.len();
        }
        self.publish();

        let units = self.fetchers.iter().map(|f| self.refresh_fetcher(f));
        futures::future::join_all(units).await;

        {
            let mut state = self.state.lock();
            state.refreshing = false;
            let p = &mut state.refresh;
            p.running = false;
            p.finished_at = Some(now_rfc3339());
            p.generation += 1;
        }
        self.publish();
        tracing::info!(started = %started, "inventory refreshed");
    }

    async fn refresh_fetcher(&self, fetcher: &Fetcher) {
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
                self.state.lock().refresh.total += regions.len().saturating_sub(1);
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
                        .list_region(region)
                        .await
                        .map(|l| (l.account, l.clusters));
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

    /// Drops what a source listed in regions it no longer covers (a region removed from
    /// the configuration, a profile whose default region changed), from the page and
    /// from the cache, so they are not shown for ever.
    async fn forget_other_regions(&self, source: &str, regions: &[String]) {
        let stale: Vec<String> = {
            let mut state = self.state.lock();
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

    /// Applies one unit's outcome to its slot, stores it, and publishes.
    async fn record(&self, outcome: Outcome) {
        let Outcome {
            source,
            region,
            result,
            persist,
        } = outcome;
        let at = now_rfc3339();
        let to_store = {
            let mut state = self.state.lock();
            let slot = state
                .slots
                .entry((source.clone(), region.clone()))
                .or_default();
            slot.last_attempt = Some(at.clone());
            match result {
                Ok((account, clusters)) => {
                    slot.account = account.or(slot.account.take());
                    slot.clusters = clusters;
                    slot.last_ok = Some(at.clone());
                    slot.error = None;
                    persist.then(|| (slot.account.clone(), serde_json::to_string(&slot.clusters)))
                }
                Err(e) => {
                    tracing::warn!(%source, %region, kind = %e.kind, message = %e.message, "source refresh failed");
                    slot.error = Some(e);
                    None
                }
            }
        };
        if let Some((account, Ok(clusters))) = to_store {
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
        self.state.lock().refresh.done += 1;
        self.publish();
    }

    /// Which published inventory this is: it grows with every publish (refreshes,
    /// sweeps and their progress), so rendered pages can be kept until it moves.
    pub fn version(&self) -> u64 {
        self.version.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Publishes the inventory as it is now.
    fn publish(&self) {
        let inventory = self
            .state
            .lock()
            .snapshot(self.sample, self.sample_exporters);
        self.tx.send_replace(Arc::new(inventory));
        // After the new inventory is in place: a page rendered under the old version
        // may show the new inventory, never the other way round.
        self.version
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
    }
}

impl InventoryService {
    /// The clusters whose exporters may be probed: every listed cluster except the
    /// built-in sample data, whose made-up host names must not be looked up.
    pub fn probe_candidates(&self) -> Vec<Cluster> {
        let inv = self.inventory();
        inv.clusters
            .iter()
            .filter(|c| inv.probes(c))
            .cloned()
            .collect()
    }

    pub(crate) fn sweep_started(&self, total: usize) {
        {
            let mut state = self.state.lock();
            let s = &mut state.sweep;
            s.running = true;
            s.started_at = Some(now_rfc3339());
            s.done = 0;
            s.total = total;
        }
        self.publish();
    }

    pub(crate) fn sweep_progress(&self, done: usize) {
        let changed = {
            let mut state = self.state.lock();
            let s = &mut state.sweep;
            let changed = s.done != done;
            s.done = done;
            changed
        };
        if changed {
            self.publish();
        }
    }

    pub(crate) fn sweep_finished(&self, results: Vec<ClusterReachability>) {
        {
            let mut state = self.state.lock();
            for c in results {
                state.reachability.insert(c.cluster_id.clone(), c);
            }
            let s = &mut state.sweep;
            s.running = false;
            s.done = s.total;
            s.finished_at = Some(now_rfc3339());
            s.generation += 1;
        }
        self.publish();
    }

    /// Marks a requested sweep as running at once, so the page shows it.
    pub fn sweep_requested(&self) -> SweepStatus {
        let status = {
            let mut state = self.state.lock();
            let s = &mut state.sweep;
            if !s.running {
                s.running = true;
                s.done = 0;
            }
            s.clone()
        };
        self.publish();
        status
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
        self.tx.borrow().clone()
    }

    /// Starts a refresh now, unless one is running; returns its status.
    pub fn request_refresh(&self) -> RefreshStatus {
        let status = {
            let mut state = self.state.lock();
            if !state.refreshing {
                // Show "running" at once; the loop picks the request up immediately.
                state.refresh.running = true;
                state.refresh.done = 0;
            }
            state.refresh.clone()
        };
        self.wake.notify_one();
        self.publish();
        status
    }
}
