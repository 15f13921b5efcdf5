//! The inventory model shared by the server and the browser.
//!
//! The AWS layer fills these types from `aws-sdk-kafka` answers, an inventory file fills
//! them for self-managed clusters and the sample data, and the pages, the JSON API and the
//! generators read them. They carry no SDK types, so the browser build (wasm) uses them as
//! they are, and the JSON API is simply their serde form.
//!
//! One concept per file:
//! - [`listener`]: auth modes and network paths, with their documented ports;
//! - [`cluster`]: one cluster's record and its list row;
//! - [`inventory`]: every cluster, every source's refresh status;
//! - [`list`]: the cluster list's filter, sort and pages;
//! - [`reachability`]: what the exporter probes found;
//! - [`connectivity`]: whether a client can connect to each listener from here;
//! - [`detail`]: a cluster with its probe, live or as recorded at a snapshot;
//! - [`coverage`]: the monitoring-coverage overview;
//! - [`health`]: the health rules, judging the probes' figures;
//! - [`cloudwatch`]: what CloudWatch says: `AWS/Kafka` metrics, consumer lag, alarms;
//! - [`judgement`]: health from every source, the fresher per figure;
//! - [`access`]: who is asking (identity, role) and the audit log;
//! - [`endpoint`]: host names and host:port lists, checked where they enter;
//! - [`settings`]: settings, configuration, secrets and operations beyond client information;
//! - [`links`]: multi-VPC connections, MSK Replicator flows and MSK Connect connectors.

pub mod access;
pub mod cloudwatch;
pub mod cluster;
pub mod connectivity;
pub mod coverage;
pub mod detail;
pub mod endpoint;
pub mod health;
pub mod inventory;
pub mod judgement;
pub mod links;
pub mod list;
pub mod listener;
pub mod reachability;
pub mod settings;
pub mod topics;

/// A cluster for other crates' unit tests too (the server's CloudWatch readers).
#[doc(hidden)]
pub mod fixtures;

pub use access::*;
pub use cluster::*;
pub use connectivity::*;
pub use coverage::*;
pub use detail::*;
pub use health::*;
pub use inventory::*;
pub use judgement::judge;
pub use links::{Connector, Direction, Links, Replication, VpcConnection};
pub use list::{InventoryOverview, ListQuery, ListRows, SortKey, PAGE_SIZE};
pub use listener::*;
pub use reachability::*;
pub use settings::*;
