//! The history's own state: the store it writes to, how long it keeps superseded
//! states, and what it keeps in memory (every cluster's latest state, the coverage
//! chart's sums). The other files of [`crate::history`] add its methods.

use std::collections::{BTreeMap, HashMap};

use app::chart::Bucket;
use std::sync::Arc;
use std::time::Duration;

use crate::store::Db;
use app::history::ClusterState;
use tokio::sync::{watch, Mutex};

/// The coverage chart's summed-up intervals (see [`super::charts`]).
pub(super) struct CoverageCache {
    pub interval: i64,
    /// The newest snapshot taken in.
    pub upto: i64,
    /// Interval number (`taken_at / interval`) → brokers covered %, clusters covered %.
    pub buckets: BTreeMap<i64, (Bucket, Bucket)>,
}

/// The latest recorded state of one cluster.
pub(super) struct Head {
    /// `None`: the cluster was removed.
    pub state: Option<ClusterState>,
    pub name: String,
    pub source: String,
    pub region: String,
}

/// The history of one console: its store, its retention, and what it keeps in memory.
pub struct History {
    pub(super) pool: Db,
    /// How long superseded states are kept.
    pub(super) retention: Duration,
    /// The latest state of every cluster, loaded from the store on the first record;
    /// the lock also makes recording one snapshot at a time.
    pub(super) heads: Mutex<Option<HashMap<String, Head>>>,
    /// The coverage chart's summed-up intervals (see [`charts`]).
    pub(super) coverage: Mutex<Option<CoverageCache>>,
    /// Counts finished `record` calls (tests wait on it).
    pub(super) recorded: watch::Sender<u64>,
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
