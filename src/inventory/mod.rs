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

pub mod aws;
pub mod file;
pub mod sources;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::model::{
    Cluster, ClusterReachability, Inventory, RefreshStatus, SourceError, SourceStatus, SweepStatus,
};
use aws_credential_types::provider::SharedCredentialsProvider;
use sqlx::SqlitePool;
use tokio::sync::{watch, Notify};

use self::aws::{AwsFetcher, Limits};
use self::sources::Source;

/// The region label of slots that come from inventory files.
const FILE_REGION: &str = "inventory file";

enum Fetcher {
    Aws(Box<AwsFetcher>),
    File(std::path::PathBuf),
    Sample,
}

#[derive(Clone, Default)]
struct Slot {
    account: Option<String>,
    clusters: Vec<Cluster>,
    last_ok: Option<String>,
    last_attempt: Option<String>,
    error: Option<SourceError>,
}

/// What one unit of a refresh produced.
struct Outcome {
    source: String,
    region: String,
    result: Result<(Option<String>, Vec<Cluster>), SourceError>,
    persist: bool,
}

pub struct InventoryService {
    fetchers: Vec<Fetcher>,
    slots: Mutex<BTreeMap<(String, String), Slot>>,
    progress: Mutex<RefreshStatus>,
    reachability: Mutex<BTreeMap<String, ClusterReachability>>,
    sweep: Mutex<SweepStatus>,
    running: AtomicBool,
    sample: bool,
    tx: watch::Sender<Arc<Inventory>>,
    trigger: Notify,
    pool: SqlitePool,
}

/// Settings of the inventory service.
#[derive(Clone)]
pub struct Settings {
    pub limits: Limits,
    pub refresh_interval: Duration,
    /// Replaces every AWS source's credential chain (embedding, tests).
    pub credentials: Option<SharedCredentialsProvider>,
}

impl InventoryService {
    /// Builds the service, loads the cached slots, and starts the refresh loop.
    pub async fn start(
        sources: Vec<Source>,
        settings: Settings,
        pool: SqlitePool,
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
            slots: Mutex::new(BTreeMap::new()),
            progress: Mutex::new(RefreshStatus::default()),
            reachability: Mutex::new(BTreeMap::new()),
            sweep: Mutex::new(SweepStatus::default()),
            running: AtomicBool::new(false),
            sample,
            tx,
            trigger: Notify::new(),
            pool,
        });
        svc.load_cache().await;
        svc.publish();
        let looping = svc.clone();
        tokio::spawn(async move { looping.run(settings.refresh_interval).await });
        svc
    }

    /// A receiver that sees every new inventory (tests wait on it).
    pub fn subscribe(&self) -> watch::Receiver<Arc<Inventory>> {
        self.tx.subscribe()
    }

    async fn run(self: Arc<Self>, interval: Duration) {
        loop {
            self.refresh().await;
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                _ = self.trigger.notified() => {}
            }
        }
    }

    /// Restores the last good AWS listings from the database.
    async fn load_cache(&self) {
        let names: Vec<&str> = self
            .fetchers
            .iter()
            .filter_map(|f| match f {
                Fetcher::Aws(a) => Some(a.source.name.as_str()),
                _ => None,
            })
            .collect();
        let rows: Vec<(String, String, Option<String>, String, String)> = match sqlx::query_as(
            "SELECT source, region, account, fetched_at, clusters FROM source_cache",
        )
        .fetch_all(&self.pool)
        .await
        {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(error = %e, "could not read the inventory cache");
                return;
            }
        };
        let mut slots = self.slots.lock().expect("slots lock");
        for (source, region, account, fetched_at, json) in rows {
            if !names.contains(&source.as_str()) {
                continue;
            }
            match serde_json::from_str::<Vec<Cluster>>(&json) {
                Ok(clusters) => {
                    slots.insert(
                        (source, region),
                        Slot {
                            account,
                            clusters,
                            last_ok: Some(fetched_at),
                            ..Slot::default()
                        },
                    );
                }
                // A cache written by another version: ignore it, the refresh replaces it.
                Err(e) => {
                    tracing::warn!(%source, %region, error = %e, "ignoring an unreadable cache entry")
                }
            }
        }
    }

    /// Runs one refresh of every source now (waits for it to finish). A refresh already
    /// running makes this a no-op.
    pub async fn refresh(&self) {
        if self.running.swap(true, Ordering::SeqCst) {
            return;
        }
        let started = crate::now_rfc3339();
        {
            let mut p = self.progress.lock().expect("progress lock");
            p.running = true;
            p.started_at = Some(started.clone());
            p.done = 0;
            p.total = self.fetchers.len();
        }
        self.publish();

        let units = self.fetchers.iter().map(|f| self.refresh_fetcher(f));
        futures::future::join_all(units).await;

        {
            let mut p = self.progress.lock().expect("progress lock");
            p.running = false;
            p.finished_at = Some(crate::now_rfc3339());
            p.generation += 1;
        }
        self.running.store(false, Ordering::SeqCst);
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
                // This source counts as one unit; its regions add the rest.
                self.progress.lock().expect("progress lock").total +=
                    regions.len().saturating_sub(1);
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

    /// Applies one unit's outcome to its slot, stores it, and publishes.
    async fn record(&self, outcome: Outcome) {
        let Outcome {
            source,
            region,
            result,
            persist,
        } = outcome;
        let at = crate::now_rfc3339();
        let to_store = {
            let mut slots = self.slots.lock().expect("slots lock");
            let slot = slots.entry((source.clone(), region.clone())).or_default();
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
        if let Some((account, Ok(json))) = to_store {
            let res = sqlx::query(
                "INSERT INTO source_cache (source, region, account, fetched_at, clusters) VALUES (?, ?, ?, ?, ?) \
                 ON CONFLICT (source, region) DO UPDATE SET account = excluded.account, \
                 fetched_at = excluded.fetched_at, clusters = excluded.clusters",
            )
            .bind(&source)
            .bind(&region)
            .bind(account)
            .bind(&at)
            .bind(json)
            .execute(&self.pool)
            .await;
            if let Err(e) = res {
                tracing::warn!(error = %e, "could not cache the inventory");
            }
        }
        self.progress.lock().expect("progress lock").done += 1;
        self.publish();
    }

    fn publish(&self) {
        let slots = self.slots.lock().expect("slots lock");
        let mut seen = std::collections::HashSet::new();
        let mut clusters: Vec<Cluster> = Vec::new();
        for slot in slots.values() {
            for c in &slot.clusters {
                // Two sources that reach the same account list the same cluster once.
                if seen.insert(c.id.clone()) {
                    clusters.push(c.clone());
                }
            }
        }
        clusters
            .sort_by(|a, b| (&a.source, &a.region, &a.name).cmp(&(&b.source, &b.region, &b.name)));
        let sources = slots
            .iter()
            .map(|((source, region), slot)| SourceStatus {
                source: source.clone(),
                region: region.clone(),
                account: slot.account.clone(),
                clusters: slot.clusters.len(),
                last_ok: slot.last_ok.clone(),
                last_attempt: slot.last_attempt.clone(),
                error: slot.error.clone(),
            })
            .collect();
        let refresh = self.progress.lock().expect("progress lock").clone();
        let reachability = {
            let mut r = self.reachability.lock().expect("reachability lock");
            // Forget probes of clusters that are gone.
            r.retain(|id, _| seen.contains(id));
            r.clone()
        };
        let sweep = self.sweep.lock().expect("sweep lock").clone();
        self.tx.send_replace(Arc::new(Inventory {
            clusters,
            sources,
            refresh,
            sample: self.sample,
            reachability,
            sweep,
        }));
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
            let mut s = self.sweep.lock().expect("sweep lock");
            s.running = true;
            s.started_at = Some(crate::now_rfc3339());
            s.done = 0;
            s.total = total;
        }
        self.publish();
    }

    pub(crate) fn sweep_progress(&self, done: usize) {
        let changed = {
            let mut s = self.sweep.lock().expect("sweep lock");
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
            let mut r = self.reachability.lock().expect("reachability lock");
            for c in results {
                r.insert(c.cluster_id.clone(), c);
            }
        }
        {
            let mut s = self.sweep.lock().expect("sweep lock");
            s.running = false;
            s.done = s.total;
            s.finished_at = Some(crate::now_rfc3339());
            s.generation += 1;
        }
        self.publish();
    }

    /// Marks a requested sweep as running at once, so the page shows it.
    pub fn sweep_requested(&self) -> SweepStatus {
        {
            let mut s = self.sweep.lock().expect("sweep lock");
            if !s.running {
                s.running = true;
                s.done = 0;
            }
        }
        self.publish();
        self.sweep.lock().expect("sweep lock").clone()
    }
}

fn file_error(e: &str) -> SourceError {
    SourceError {
        kind: "file".into(),
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
        if !self.running.load(Ordering::SeqCst) {
            // Show "running" at once; the loop picks the request up immediately.
            let mut p = self.progress.lock().expect("progress lock");
            p.running = true;
            p.done = 0;
        }
        self.trigger.notify_one();
        self.publish();
        self.progress.lock().expect("progress lock").clone()
    }
}
