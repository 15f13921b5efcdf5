//! When sweeps run: every `--probe-interval`, after every inventory refresh, and on
//! request, with requests made while a sweep runs merged into one next sweep; only on a
//! leading console. Results go to the live view.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use app::model::{Cluster, SweepStatus};
use app::params::ClusterId;
use tokio_util::sync::CancellationToken;

use super::probe::{Prober, ProberSettings};
use crate::background::Background;
use crate::live::Live;
use crate::role::Roles;

/// Probes on a schedule, after each inventory refresh, and on request, and hands the
/// results to the live view.
pub struct ProbeService {
    prober: Prober,
    live: Arc<Live>,
    /// Sweeps asked for and not started yet. Requests made while a sweep runs merge
    /// into one next sweep, so a burst of "Probe now" costs one sweep, not one each.
    pending: std::sync::Mutex<Pending>,
    wake: tokio::sync::Notify,
}

/// What the next requested sweep covers.
#[derive(Debug, Default)]
struct Pending {
    all: bool,
    clusters: std::collections::BTreeSet<ClusterId>,
}

impl Pending {
    fn is_empty(&self) -> bool {
        !self.all && self.clusters.is_empty()
    }
}

impl ProbeService {
    /// Starts the sweep loop; with `enabled` false, sweeps run only when asked for. Only
    /// a leading console sweeps on schedule (`roles`, see [`crate::role`]). The loop
    /// stops when `background` shuts down.
    pub fn start(
        settings: ProberSettings,
        interval: Duration,
        enabled: bool,
        live: Arc<Live>,
        roles: Roles,
        background: &Background,
    ) -> Result<Arc<ProbeService>, String> {
        let svc = Arc::new(ProbeService {
            prober: Prober::new(settings)?,
            live: live.clone(),
            pending: Default::default(),
            wake: tokio::sync::Notify::new(),
        });
        let looping = svc.clone();
        let shutdown: CancellationToken = background.shutdown.clone();
        background.spawn(async move {
            let mut refreshes = live.subscribe();
            let mut seen = 0;
            let mut tick = tokio::time::interval(interval);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                let only: Option<Vec<ClusterId>> = tokio::select! {
                    _ = tick.tick(), if enabled => None,
                    changed = refreshes.changed(), if enabled => {
                        if changed.is_err() { return; }
                        let generation = refreshes.borrow_and_update().refresh.generation;
                        if generation == seen { continue; }
                        seen = generation;
                        None
                    }
                    _ = looping.wake.notified() => {
                        let p = std::mem::take(&mut *looping.lock_pending());
                        if p.is_empty() { continue; }
                        (!p.all).then(|| p.clusters.into_iter().collect())
                    }
                    _ = shutdown.cancelled() => return,
                };
                // A follower serves the leader's probes; its own would be thrown away.
                if !roles.borrow().leads() {
                    continue;
                }
                tokio::select! {
                    _ = looping.sweep(only.as_deref()) => {}
                    _ = shutdown.cancelled() => return,
                }
            }
        });
        Ok(svc)
    }

    fn lock_pending(&self) -> std::sync::MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Asks for a sweep of one cluster (or all); it runs in the background, merged
    /// with any other request made before it starts. The sweep shows as running at
    /// once; returns its status.
    pub fn request(&self, cluster_id: Option<ClusterId>) -> SweepStatus {
        let status = self.live.sweep_requested();
        {
            let mut p = self.lock_pending();
            match cluster_id {
                None => p.all = true,
                Some(id) => {
                    p.clusters.insert(id);
                }
            }
        }
        self.wake.notify_one();
        status
    }

    /// Probes every cluster (or the listed ones) now and records the results.
    pub async fn sweep(&self, only: Option<&[ClusterId]>) {
        let clusters: Vec<Cluster> = self
            .live
            .probe_candidates()
            .into_iter()
            .filter(|c| only.is_none_or(|ids| ids.contains(&c.id)))
            .collect();
        let progress = AtomicUsize::new(0);
        self.live.sweep_started(clusters.len());
        let timer = std::time::Instant::now();
        let results = {
            let sweep = self.prober.sweep(&clusters, &progress);
            tokio::pin!(sweep);
            let mut ticker = tokio::time::interval(Duration::from_millis(250));
            loop {
                tokio::select! {
                    r = &mut sweep => break r,
                    _ = ticker.tick() => self.live.sweep_progress(progress.load(Ordering::SeqCst)),
                }
            }
        };
        self.live.telemetry().probe_sweep_took(timer.elapsed());
        self.live.sweep_finished(results);
    }
}
