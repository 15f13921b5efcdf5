//! The console's own metrics, for its `/metrics` endpoint (Prometheus text format
//! 0.0.4, written by the `prometheus-client` crate, which escapes every label value).
//!
//! Two kinds, in one exposition:
//! - **the console's work**, counted as it happens into one [`Telemetry`] shared by every
//!   loop (the live view hands it out): refresh and sweep durations, AWS calls by
//!   operation and outcome, source errors, history writes, page-cache lookups and the
//!   build;
//! - **the fleet** ([`fleet`]), worked out from the current inventory at each scrape:
//!   every cluster's identity, open-monitoring settings, exporter probes, health and
//!   CloudWatch alarm coverage, and every source's state.
//!
//! Cardinality is bounded by what the console watches: labels name clusters, brokers,
//! sources, regions and AWS operations, never request paths, query strings or users.
//! The README's "/metrics" section lists every series.

pub mod aws;
pub mod counters;
pub mod fleet;

pub use counters::{CallOutcome, HistoryWrite, Labels, Telemetry, CONTENT_TYPE};
