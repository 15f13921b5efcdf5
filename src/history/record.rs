//! Recording: compare what the inventory says with each cluster's latest recorded state,
//! and write a snapshot when anything changed.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use app::history::{diff, kinds_of, summary, ClusterState, DiffEntry, RecordedTopic, Trigger};
use app::model::{coverage, CoverageStatus, Inventory};
use sha2::{Digest, Sha256};
use tokio_util::sync::CancellationToken;

use super::core::{Head, History};
use crate::clock::now_unix;
use crate::live::Live;
use crate::role::Role;
use crate::store::snapshots::{self, NewChange, Totals};
use crate::store::StoreError;
use crate::telemetry::HistoryWrite;

/// What one call to [`History::record`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
    /// The new snapshot, or `None` when nothing changed (only the check time moved).
    pub snapshot: Option<i64>,
    pub changes: usize,
}

impl Recorded {
    const NOTHING: Recorded = Recorded {
        snapshot: None,
        changes: 0,
    };
}

/// A change about to be written.
struct Pending {
    cluster_id: String,
    name: String,
    source: String,
    region: String,
    state: Option<ClusterState>,
    entries: Vec<DiffEntry>,
}

/// Records after every refresh and sweep the inventory publishes.
pub(super) async fn run(
    history: Arc<History>,
    live: Arc<Live>,
    roles: tokio::sync::watch::Receiver<Role>,
    shutdown: CancellationToken,
) {
    let mut rx = live.subscribe();
    // The leadership the kept heads were read or written under.
    let mut term = None;
    // Generation 0 is "nothing finished yet". Starting from it (not from the current
    // value) records a refresh that finished before this task first ran.
    let (mut refreshes, mut sweeps, mut cloudwatch, mut topics) = (0, 0, 0, 0);
    loop {
        let inv = rx.borrow_and_update().clone();
        let trigger = if inv.refresh.generation != refreshes {
            Some(Trigger::Refresh)
        } else if inv.sweep.generation != sweeps {
            Some(Trigger::Probe)
        } else if inv.cloudwatch_sweep.generation != cloudwatch {
            Some(Trigger::CloudWatch)
        } else if inv.topics_generation != topics {
            // A topic listing is a refresh of the topics (the store knows three triggers).
            Some(Trigger::Refresh)
        } else {
            None
        };
        refreshes = inv.refresh.generation;
        sweeps = inv.sweep.generation;
        cloudwatch = inv.cloudwatch_sweep.generation;
        topics = inv.topics_generation;
        let role = *roles.borrow();
        if term != Some(role) {
            // Taken over (or lost): what another replica recorded must be read again.
            history.forget_heads().await;
            term = Some(role);
        }
        if let (Some(trigger), true) = (trigger, role.leads()) {
            let wrote = match history.record(&inv, trigger, now_unix()).await {
                Ok(Recorded {
                    snapshot: Some(_), ..
                }) => HistoryWrite::Snapshot,
                Ok(_) => HistoryWrite::Unchanged,
                Err(e) => {
                    tracing::warn!(error = %e, "could not record a history snapshot; the next check tries again");
                    HistoryWrite::Failed
                }
            };
            live.telemetry().history_write(wrote);
        }
        tokio::select! {
            changed = rx.changed() => if changed.is_err() { return },
            _ = shutdown.cancelled() => return,
        }
    }
}

/// The inventory's coverage totals, for the coverage chart.
fn totals(inv: &Inventory) -> Totals {
    let cov = coverage(inv, None, None);
    let monitored: Vec<_> = cov
        .clusters
        .iter()
        .filter(|c| {
            matches!(
                c.status,
                CoverageStatus::Covered | CoverageStatus::Partial | CoverageStatus::Unreachable
            )
        })
        .collect();
    Totals {
        clusters: cov.totals.clusters as i64,
        brokers: cov.totals.brokers as i64,
        monitored_clusters: monitored.len() as i64,
        covered_clusters: monitored
            .iter()
            .filter(|c| c.status == CoverageStatus::Covered)
            .count() as i64,
        monitored_brokers: monitored.iter().map(|c| c.brokers).sum::<usize>() as i64,
        covered_brokers: cov.totals.brokers_covered as i64,
    }
}

/// The clusters that changed since their recorded state, and those that are gone while
/// their source still lists fine.
fn pending(inv: &Inventory, heads: &HashMap<String, Head>) -> Vec<Pending> {
    let mut pending = Vec::new();
    let mut present = HashSet::with_capacity(inv.clusters.len());
    for c in &inv.clusters {
        present.insert(c.id.as_str());
        let old = heads.get(c.id.as_str()).and_then(|h| h.state.as_ref());
        // A cluster whose details could not all be fetched this time keeps its recorded
        // state: a failed call is not a change.
        if c.partial_error.is_some() && old.is_some() {
            continue;
        }
        // Not probed (yet) since the console started is no news about the exporters:
        // the recorded probe stands until a sweep says otherwise. (A restart would
        // otherwise record "not probed" and then the probe again, for every cluster.)
        let kept = match (inv.reachability.get(&c.id), old) {
            (None, Some(o)) => o.reachability(""),
            _ => None,
        };
        let mut new = ClusterState::judged(
            c,
            inv.reachability.get(&c.id).or(kept.as_ref()),
            inv.metrics(c),
        );
        if kept.is_some() {
            // The recorded probe keeps no figures: its recorded health stands with it.
            new.health = old.and_then(|o| o.health.clone());
        }
        // Topics not (yet) listed since the console started are no news either: the
        // recorded ones stand until a listing says otherwise.
        let recorded = old.and_then(|o| o.topics.as_deref());
        new.topics = inv
            .topics
            .get(&c.id)
            .and_then(|t| RecordedTopic::of_with(t, recorded))
            .or_else(|| old.and_then(|o| o.topics.clone()));
        if old == Some(&new) {
            continue;
        }
        pending.push(Pending {
            entries: diff(old, Some(&new)),
            cluster_id: c.id.to_string(),
            name: c.name.clone(),
            source: c.source.clone(),
            region: c.region.clone(),
            state: Some(new),
        });
    }
    // A cluster that is gone while its source still lists fine was removed. One whose
    // source failed is only out of sight, and one whose source is no longer configured
    // is no longer watched: neither is a change of the cluster.
    let mut listing: HashMap<&str, bool> = HashMap::new();
    for s in &inv.sources {
        *listing.entry(s.source.as_str()).or_insert(true) &= s.error.is_none();
    }
    let mut gone: Vec<(&String, &Head)> = heads
        .iter()
        .filter(|(id, h)| {
            h.state.is_some()
                && !present.contains(id.as_str())
                && listing.get(h.source.as_str()) == Some(&true)
        })
        .collect();
    gone.sort_by(|a, b| a.0.cmp(b.0));
    for (id, h) in gone {
        pending.push(Pending {
            cluster_id: id.clone(),
            name: h.name.clone(),
            source: h.source.clone(),
            region: h.region.clone(),
            state: None,
            entries: diff(h.state.as_ref(), None),
        });
    }
    pending
}

/// A pending change as the store writes it: the state as JSON with its hash.
fn new_change(p: &Pending) -> Result<NewChange, StoreError> {
    let state = match &p.state {
        None => None,
        Some(s) => {
            let body = serde_json::to_string(s)?;
            let hash = format!("{:x}", Sha256::digest(body.as_bytes()));
            Some((body, hash))
        }
    };
    let (brokers, jmx_up, node_up) = p
        .state
        .as_ref()
        .map(ClusterState::counts)
        .unwrap_or((0, None, None));
    Ok(NewChange {
        cluster_id: p.cluster_id.clone(),
        cluster_name: p.name.clone(),
        source: p.source.clone(),
        region: p.region.clone(),
        state,
        kinds: kinds_of(&p.entries),
        summary: summary(&p.entries),
        brokers,
        jmx_up,
        node_up,
    })
}

impl History {
    /// The heads as the store last recorded them.
    async fn load_heads(&self) -> Result<HashMap<String, Head>, StoreError> {
        let rows = snapshots::heads(&self.pool).await?;
        let mut heads = HashMap::with_capacity(rows.len());
        for r in rows {
            let state = match r.body.map(|b| serde_json::from_str::<ClusterState>(&b)) {
                Some(Ok(s)) => Some(s),
                // A state this version cannot read: the next check records a fresh one.
                Some(Err(e)) => {
                    tracing::warn!(cluster = %r.cluster_id, error = %e, "unreadable recorded state");
                    None
                }
                None => None,
            };
            heads.insert(
                r.cluster_id,
                Head {
                    state,
                    name: r.cluster_name,
                    source: r.source,
                    region: r.region,
                },
            );
        }
        Ok(heads)
    }

    /// Records what `inv` says, at `at` (Unix seconds): a new snapshot if any cluster
    /// changed, else only the check time.
    pub async fn record(
        &self,
        inv: &Inventory,
        trigger: Trigger,
        at: i64,
    ) -> Result<Recorded, StoreError> {
        let result = self.record_inner(inv, trigger, at).await;
        self.recorded.send_modify(|n| *n += 1);
        result
    }

    async fn record_inner(
        &self,
        inv: &Inventory,
        trigger: Trigger,
        at: i64,
    ) -> Result<Recorded, StoreError> {
        // A console with no source watched nothing: that confirms no state.
        if inv.sources.is_empty() && inv.clusters.is_empty() {
            return Ok(Recorded::NOTHING);
        }
        let mut guard = self.heads.lock().await;
        let heads = match guard.as_mut() {
            Some(heads) => heads,
            None => guard.insert(self.load_heads().await?),
        };
        let pending = pending(inv, heads);
        if pending.is_empty() {
            snapshots::confirm_latest(&self.pool, at).await?;
            return Ok(Recorded::NOTHING);
        }
        let changes = pending
            .iter()
            .map(new_change)
            .collect::<Result<Vec<_>, _>>()?;
        tracing::info!(
            trigger = trigger.as_str(),
            changes = pending.len(),
            "recording a history snapshot"
        );
        let started = std::time::Instant::now();
        let snapshot = snapshots::write(&self.pool, trigger, at, totals(inv), &changes).await?;
        tracing::info!(
            snapshot,
            changes = pending.len(),
            ms = started.elapsed().as_millis() as u64,
            "recorded a history snapshot"
        );
        let count = pending.len();
        for p in pending {
            heads.insert(
                p.cluster_id,
                Head {
                    state: p.state,
                    name: p.name,
                    source: p.source,
                    region: p.region,
                },
            );
        }
        Ok(Recorded {
            snapshot: Some(snapshot),
            changes: count,
        })
    }
}
