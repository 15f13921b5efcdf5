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

mod core;

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

pub use self::core::History;
pub use app::history::Trigger;
pub use prune::Pruned;
pub use record::Recorded;

use crate::background::Background;
use crate::live::Live;
use crate::role::Roles;

impl History {
    /// Records after every refresh and sweep the live view publishes, and prunes every
    /// `prune_every` (and once now), until `background` shuts down.
    ///
    /// Only a leading console records and prunes (`roles`, see [`crate::role`]); a new
    /// leader reloads the latest states from the store before its first record.
    pub fn start(
        self: &Arc<Self>,
        live: Arc<Live>,
        prune_every: Duration,
        roles: Roles,
        background: impl Into<Background>,
    ) {
        let background = background.into();
        let shutdown: CancellationToken = background.shutdown.clone();
        background.spawn(record::run(
            self.clone(),
            live,
            roles.clone(),
            shutdown.clone(),
        ));
        background.spawn(prune::run(self.clone(), prune_every, roles, shutdown));
    }
}
