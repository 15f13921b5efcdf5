//! History: what the console recorded about each cluster over time, and what changed.
//!
//! The server records a [`ClusterState`] for every cluster after each inventory refresh
//! and each exporter sweep, but only when it differs from the cluster's previous state;
//! [`diff`] says how it differs, in the words the timeline and the diff view show.
//!
//! Everything here is pure and shared with the browser:
//! - [`state`]: what a recorded state holds (and leaves out);
//! - [`kind`]: the kinds of change the timeline filters on;
//! - [`diff`](mod@diff): the difference between two states, field by field;
//! - [`summary`](mod@summary): changes described in one line;
//! - [`timeline`]: timeline rows, filters, pages, versions and triggers.
//!
//! The charts' geometry is in [`crate::chart`].

pub mod diff;
pub mod kind;
pub mod state;
pub mod summary;
pub mod timeline;

#[cfg(test)]
pub(crate) mod fixtures;

pub use diff::{diff, DiffEntry};
pub use kind::ChangeKind;
pub use state::{ClusterState, RecordedBroker, RecordedController, RecordedProbe, RecordedTopic};
pub use summary::{kinds_of, summary};
pub use timeline::*;
