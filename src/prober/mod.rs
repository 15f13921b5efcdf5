//! Exporter reachability: asks every broker's JMX exporter (:11001) and node exporter
//! (:11002) for `/metrics`, the way Prometheus would, and says in plain words what it got.
//!
//! Only hosts and ports from the inventory are ever probed: targets come from the brokers
//! of listed clusters and the two open-monitoring ports, never from a request, so the
//! console cannot be used to reach arbitrary addresses.
//!
//! Each probe has a connect and a total time limit (`--probe-timeout`), reads at most
//! `--probe-body-limit` bytes, and at most `--probe-concurrency` probes run at once. A
//! sweep of many targets therefore takes about one timeout, not one per dead target.
//!
//! Endpoints are host names or IP addresses (checked where they enter the inventory and
//! again here); every probe URL is built as `http://HOST:11001/metrics` or `:11002`,
//! and link-local addresses (the instance metadata service at 169.254.169.254, fe80::/10)
//! are never contacted, whether named directly or resolved from a name
//! ([`crate::net_guard`]).
//! Answers are read as they stream in ([`scan`]), so memory does not grow with their
//! size.

//!
//! One concept per file: [`probe`] (one target's answer, and a sweep of clusters'
//! targets), [`sweeps`] (when sweeps run: on schedule, after refreshes, on request,
//! merged), [`scan`] (the answer read as it streams), `figures` (the health figures).

mod figures;
pub mod probe;
pub mod scan;
pub mod sweeps;

pub use probe::{Exporter, Prober, ProberSettings, Target};
pub use sweeps::ProbeService;
