//! The live view: the inventory every page, API call and download reads now, and the
//! one place that publishes it.
//!
//! Four writers change it, each its own part:
//! - the refresh ([`crate::inventory`]): every source's listing and the refresh progress;
//! - the sweeps ([`crate::prober`]): every cluster's last probe and the sweep progress;
//! - the CloudWatch sweeps ([`crate::cloudwatch`]): every cluster's metrics and alarm
//!   coverage, and how each source and region's calls went;
//! - a follower's sync ([`crate::replica`]): the leader's whole view, as it is.
//!
//! Readers never wait: the current [`Inventory`] is an `Arc` published through a
//! `tokio::sync::watch` channel after every change (progress included), and a version
//! counter says when it moved (the page cache keys on it). All mutable state is one
//! [`State`] behind one lock.

mod cloudwatch;
mod state;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use app::model::{Cluster, ClusterReachability, Inventory, RefreshStatus, SweepStatus};
use tokio::sync::watch;

use crate::clock::now_rfc3339;
use crate::telemetry::Telemetry;

pub use cloudwatch::{RegionOutcome, Update};
pub use state::{Published, Shared, Slot, State};

/// The live view and its channel.
pub struct Live {
    state: Shared,
    /// The inventory holds the built-in sample data.
    sample: bool,
    /// The sample brokers' stand-in exporters run ([`crate::demo`]).
    sample_exporters: bool,
    tx: watch::Sender<Published>,
    /// Counts publishes ([`Live::version`]).
    version: AtomicU64,
    /// The console's counters: every writer here counts its work into them.
    telemetry: Telemetry,
    /// When the last publish happened, for [`Live::publish_soon`].
    last_publish: std::sync::Mutex<std::time::Instant>,
    /// A publish is scheduled ([`Live::publish_soon`]).
    pending: std::sync::atomic::AtomicBool,
}

/// The least time between two progress publishes ([`Live::publish_soon`]).
const PUBLISH_GAP: std::time::Duration = std::time::Duration::from_millis(100);

impl Live {
    pub fn new(sample: bool, sample_exporters: bool) -> Arc<Live> {
        let (tx, _) = watch::channel(Arc::new(Inventory {
            sample,
            ..Inventory::default()
        }));
        Arc::new(Live {
            state: Shared::new(),
            sample,
            sample_exporters: sample && sample_exporters,
            tx,
            version: AtomicU64::new(0),
            telemetry: Telemetry::new(),
            last_publish: std::sync::Mutex::new(std::time::Instant::now()),
            pending: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// Runs `job` at once, every `interval`, after each inventory refresh that finishes
    /// and when `wake` (if any) is notified (requests made while `job` runs merge into
    /// one next run), while this console leads (a follower serves the leader's results). Returns
    /// when `shutdown` is cancelled. The CloudWatch sweeps and the topic listings run so.
    pub async fn run_after_refreshes<F, Fut>(
        &self,
        interval: std::time::Duration,
        wake: Option<&tokio::sync::Notify>,
        roles: crate::role::Roles,
        shutdown: tokio_util::sync::CancellationToken,
        mut job: F,
    ) where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = ()>,
    {
        let mut refreshes = self.subscribe();
        let mut seen = 0;
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                changed = refreshes.changed() => {
                    if changed.is_err() { return; }
                    let generation = refreshes.borrow_and_update().refresh.generation;
                    if generation == seen { continue; }
                    seen = generation;
                }
                _ = async {
                    match wake {
                        Some(w) => w.notified().await,
                        None => std::future::pending().await,
                    }
                } => {}
                _ = shutdown.cancelled() => return,
            }
            if !roles.borrow().leads() {
                continue;
            }
            tokio::select! {
                _ = job() => {}
                _ = shutdown.cancelled() => return,
            }
        }
    }

    /// The console's counters and timers, for `/metrics` ([`crate::telemetry`]).
    pub fn telemetry(&self) -> &Telemetry {
        &self.telemetry
    }

    /// The current inventory (cheap: a shared snapshot).
    pub fn inventory(&self) -> Arc<Inventory> {
        self.tx.borrow().clone()
    }

    /// A receiver that sees every new inventory.
    pub fn subscribe(&self) -> watch::Receiver<Published> {
        self.tx.subscribe()
    }

    /// Which published inventory this is: it grows with every publish (refreshes,
    /// sweeps and their progress), so rendered pages can be kept until it moves.
    pub fn version(&self) -> u64 {
        self.version.load(Ordering::Acquire)
    }

    /// The state, for a writer to change (and then [`Live::publish`]).
    pub fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock()
    }

    /// Publishes the state now, or, if the last publish was less than 100 ms ago, once
    /// those 100 ms are over. A refresh of many regions finishes a region every few
    /// milliseconds, and every publish copies the whole inventory: this keeps the progress
    /// live without copying 2,000 clusters twenty times a second. Nothing waits longer
    /// than the gap.
    pub fn publish_soon(self: &Arc<Self>) {
        let wait = {
            let last = self
                .last_publish
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            PUBLISH_GAP.saturating_sub(last.elapsed())
        };
        if wait.is_zero() {
            self.publish();
            return;
        }
        if self.pending.swap(true, Ordering::AcqRel) {
            return;
        }
        let live = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(wait).await;
            // A publish since then has already shown this state.
            if live.pending.swap(false, Ordering::AcqRel) {
                live.publish();
            }
        });
    }

    /// Publishes the state as it is now.
    pub fn publish(&self) {
        self.pending.store(false, Ordering::Release);
        *self
            .last_publish
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = std::time::Instant::now();
        let inventory = self
            .state
            .lock()
            .snapshot(self.sample, self.sample_exporters);
        self.tx.send_replace(Arc::new(inventory));
        // After the new inventory is in place: a page rendered under the old version
        // may show the new inventory, never the other way round.
        self.version.fetch_add(1, Ordering::AcqRel);
    }

    /// Serves `inventory` as it is (a follower serving the leader's view). The state
    /// behind it is left alone: a follower that takes over rebuilds it
    /// ([`crate::inventory::InventoryService::take_over`]).
    pub fn adopt(&self, inventory: Inventory) {
        self.tx.send_replace(Arc::new(inventory));
        self.version.fetch_add(1, Ordering::AcqRel);
    }

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

    /// Starts a refresh's progress, unless one is running; `false` if one is.
    pub fn refresh_started(&self, units: usize) -> bool {
        {
            let mut state = self.state.lock();
            if state.refreshing {
                return false;
            }
            state.refreshing = true;
            let p = &mut state.refresh;
            p.running = true;
            p.started_at = Some(now_rfc3339());
            p.done = 0;
            p.total = units;
        }
        self.publish();
        true
    }

    /// Ends a refresh's progress.
    pub fn refresh_finished(&self) {
        {
            let mut state = self.state.lock();
            state.refreshing = false;
            let p = &mut state.refresh;
            p.running = false;
            p.finished_at = Some(now_rfc3339());
            p.generation += 1;
        }
        self.publish();
    }

    /// Shows a requested refresh as running at once (the loop picks it up at once);
    /// returns its status.
    pub fn refresh_requested(&self) -> RefreshStatus {
        let status = {
            let mut state = self.state.lock();
            if !state.refreshing {
                state.refresh.running = true;
                state.refresh.done = 0;
            }
            state.refresh.clone()
        };
        self.publish();
        status
    }

    pub fn sweep_started(&self, total: usize) {
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

    pub fn sweep_progress(&self, done: usize) {
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

    pub fn sweep_finished(&self, results: Vec<ClusterReachability>) {
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

    /// A CloudWatch sweep of `regions` source-region pairs starts.
    pub fn cloudwatch_started(&self, regions: usize) {
        {
            let mut state = self.state.lock();
            let s = &mut state.cloudwatch_sweep;
            s.running = true;
            s.started_at = Some(now_rfc3339());
            s.done = 0;
            s.total = regions;
        }
        self.publish();
    }

    /// One region's CloudWatch readings and how its calls went.
    pub fn cloudwatch_region(&self, outcome: RegionOutcome) {
        {
            let mut state = self.state.lock();
            let RegionOutcome {
                clusters,
                metrics,
                alarms,
                mut status,
            } = outcome;
            match metrics {
                Update::Set(mut m) => {
                    let now = crate::clock::now_unix();
                    for id in &clusters {
                        let reading =
                            Arc::make_mut(state.cloudwatch.entry(id.clone()).or_default());
                        let mut metrics = m.remove(id);
                        // Each group's lag sparkline: the last hour of reads.
                        if let Some(new) = &mut metrics {
                            new.carry_lag_history(reading.metrics.as_ref(), now);
                        }
                        reading.metrics = metrics;
                    }
                }
                Update::Clear => {
                    for id in &clusters {
                        if let Some(r) = state.cloudwatch.get_mut(id) {
                            Arc::make_mut(r).metrics = None;
                        }
                    }
                }
                Update::Keep => {}
            }
            match alarms {
                Update::Set(mut a) => {
                    for id in &clusters {
                        Arc::make_mut(state.cloudwatch.entry(id.clone()).or_default()).alarms =
                            a.remove(id);
                    }
                }
                Update::Clear => {
                    for id in &clusters {
                        if let Some(r) = state.cloudwatch.get_mut(id) {
                            Arc::make_mut(r).alarms = None;
                        }
                    }
                }
                Update::Keep => {}
            }
            let key = (status.source.clone(), status.region.clone());
            if status.last_ok.is_none() {
                status.last_ok = state
                    .cloudwatch_sources
                    .get(&key)
                    .and_then(|s| s.last_ok.clone());
            }
            state.cloudwatch_sources.insert(key, status);
            state.cloudwatch_sweep.done += 1;
        }
        self.publish();
    }

    /// The CloudWatch sweep has ended; `swept` are the source-region pairs it read
    /// (the others' banners are dropped: they list no clusters any more).
    pub fn cloudwatch_finished(&self, swept: &[(String, String)]) {
        {
            let mut state = self.state.lock();
            state.cloudwatch_sources.retain(|k, _| swept.contains(k));
            let s = &mut state.cloudwatch_sweep;
            s.running = false;
            s.done = s.total;
            s.finished_at = Some(now_rfc3339());
            s.generation += 1;
        }
        self.publish();
    }
}
