//! The snapshot history: what every cluster looked like after each refresh and each
//! exporter sweep, kept in the store.
//!
//! Storage grows with changes, not with time. For every cluster the recorder keeps its
//! latest [`ClusterState`] in memory (the *heads*) and compares the new state with it;
//! a check that changes nothing only moves the latest snapshot's check time. When
//! something changed, one transaction writes the snapshot, its new states and one change
//! row per changed cluster (see [`crate::store::snapshots`]).
//!
//! One concern per file:
//! - [`record`]: comparing an inventory with the heads and writing what changed;
//! - [`prune`]: retention, on a schedule;
//! - [`query`]: timelines, diffs, past states and the export, for the service;
//! - [`charts`]: the coverage chart (summed up once, then topped up) and a cluster's chart.

pub mod charts;
pub mod prune;
pub mod query;
pub mod record;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use crate::store::Db;
use app::history::ClusterState;
use tokio::sync::{watch, Mutex};
use tokio_util::sync::CancellationToken;

pub use app::history::Trigger;
pub use prune::Pruned;
pub use record::Recorded;

use crate::inventory::InventoryService;

/// The latest recorded state of one cluster.
struct Head {
    /// `None`: the cluster was removed.
    state: Option<ClusterState>,
    name: String,
    source: String,
    region: String,
}

/// The history of one console: its store, its retention, and what it keeps in memory.
pub struct History {
    pool: Db,
    /// How long superseded states are kept.
    retention: Duration,
    /// The latest state of every cluster, loaded from the store on the first record;
    /// the lock also makes recording one snapshot at a time.
    heads: Mutex<Option<HashMap<String, Head>>>,
    /// The coverage chart's summed-up intervals (see [`charts`]).
    coverage: Mutex<Option<charts::CoverageCache>>,
    /// Counts finished `record` calls (tests wait on it).
    recorded: watch::Sender<u64>,
}

impl History {
    pub fn new(pool: Db, retention: Duration) -> Arc<History> {
        Arc::new(History {
            pool,
            retention,
            heads: Mutex::new(None),
            coverage: Mutex::new(None),
            recorded: watch::channel(0).0,
        })
    }

    /// Records after every refresh and sweep the inventory publishes, and prunes every
    /// `prune_every` (and once now), until `shutdown` is cancelled.
    ///
    /// Only a leading console records and prunes (`roles`, see [`crate::replica`]); a new
    /// leader reloads the latest states from the store before its first record.
    pub fn start(
        self: &Arc<Self>,
        inventory: Arc<InventoryService>,
        prune_every: Duration,
        roles: watch::Receiver<crate::replica::Role>,
        shutdown: CancellationToken,
    ) {
        tokio::spawn(record::run(
            self.clone(),
            inventory,
            roles.clone(),
            shutdown.clone(),
        ));
        tokio::spawn(prune::run(self.clone(), prune_every, roles, shutdown));
    }

    /// Forgets the latest states kept in memory: the next record reads them from the
    /// store (another replica may have written since).
    pub async fn forget_heads(&self) {
        *self.heads.lock().await = None;
    }

    /// A receiver of the number of finished `record` calls.
    pub fn subscribe_recorded(&self) -> watch::Receiver<u64> {
        self.recorded.subscribe()
    }

    pub fn retention(&self) -> Duration {
        self.retention
    }
}
