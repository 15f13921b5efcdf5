//! The live state, in one struct behind one lock.
//!
//! Everything a refresh, a sweep or a replica changes lives in [`State`]; [`State::snapshot`] turns it
//! into the immutable [`Inventory`] that readers share.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use app::model::cloudwatch::{CloudWatchReading, CloudWatchSource};
use app::model::topics::ClusterTopics;
use app::model::{
    Cluster, ClusterReachability, Inventory, RefreshStatus, SourceError, SourceStatus, SweepStatus,
};
use app::params::ClusterId;

/// What one source in one region (or one inventory file) last listed.
#[derive(Clone, Default)]
pub struct Slot {
    /// The AWS account the listing came from, once known.
    pub account: Option<String>,
    /// The clusters of the last listing that succeeded.
    pub clusters: Vec<Cluster>,
    /// RFC 3339 time of the last listing that succeeded.
    pub last_ok: Option<String>,
    /// RFC 3339 time of the last attempt.
    pub last_attempt: Option<String>,
    /// Why the last attempt failed; the clusters are from `last_ok`.
    pub error: Option<SourceError>,
}

/// The inventory's mutable state.
#[derive(Default)]
pub struct State {
    /// Every source and region's last listing, by (source, region).
    pub slots: BTreeMap<(String, String), Slot>,
    /// The refresh under way or the last one, for the "Refresh now" progress.
    pub refresh: RefreshStatus,
    /// A refresh is running: a second one is not started.
    pub refreshing: bool,
    /// The last exporter probe of each cluster, by cluster id.
    pub reachability: BTreeMap<ClusterId, ClusterReachability>,
    /// The sweep under way or the last one, for the "Probe now" progress.
    pub sweep: SweepStatus,
    /// What the last CloudWatch sweeps read, by cluster id.
    pub cloudwatch: BTreeMap<ClusterId, Arc<CloudWatchReading>>,
    /// The CloudWatch sweep under way or the last one.
    pub cloudwatch_sweep: SweepStatus,
    /// How each source and region's CloudWatch sweep went, by (source, region).
    pub cloudwatch_sources: BTreeMap<(String, String), CloudWatchSource>,
    /// What the last topic refreshes read, by cluster id.
    pub topics: BTreeMap<ClusterId, Arc<ClusterTopics>>,
    /// Finished topic refreshes.
    pub topics_generation: u64,
}

impl State {
    /// The inventory as readers see it now. Probes of clusters that are gone are
    /// forgotten.
    pub fn snapshot(&mut self, sample: bool, sample_exporters: bool) -> Inventory {
        let mut seen = HashSet::new();
        let mut clusters: Vec<Cluster> = Vec::new();
        for slot in self.slots.values() {
            for c in &slot.clusters {
                // Two sources that reach the same account list the same cluster once.
                if seen.insert(c.id.clone()) {
                    clusters.push(c.clone());
                }
            }
        }
        clusters
            .sort_by(|a, b| (&a.source, &a.region, &a.name).cmp(&(&b.source, &b.region, &b.name)));
        // A replication flow listed in its target's region shows on its source too.
        app::model::links::mirror_replications(&mut clusters);
        let sources = self
            .slots
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
        self.reachability.retain(|id, _| seen.contains(id));
        self.cloudwatch.retain(|id, _| seen.contains(id));
        self.topics.retain(|id, _| seen.contains(id));
        Inventory {
            clusters,
            sources,
            refresh: self.refresh.clone(),
            sample,
            sample_exporters,
            reachability: self.reachability.clone(),
            sweep: self.sweep.clone(),
            cloudwatch: self.cloudwatch.clone(),
            cloudwatch_sweep: self.cloudwatch_sweep.clone(),
            cloudwatch_sources: self.cloudwatch_sources.values().cloned().collect(),
            topics: self.topics.clone(),
            topics_generation: self.topics_generation,
            derived: Default::default(),
        }
    }
}

/// The state behind its lock. A panic while the lock was held cannot leave the state
/// half-written in a way readers would trip over (every change is a plain assignment),
/// so a poisoned lock is taken as it is.
#[derive(Default)]
pub struct Shared(Mutex<State>);

impl Shared {
    pub fn new() -> Shared {
        Shared::default()
    }

    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// What the readers' channel carries.
pub type Published = Arc<Inventory>;
