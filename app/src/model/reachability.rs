//! Exporter reachability: what the last probe of each broker's JMX and node exporter
//! found, and the progress of the probe sweep.

use serde::{Deserialize, Serialize};

use crate::params::ClusterId;

use super::{Figures, ListenerCheck};

/// What probing one exporter of one broker found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProbeState {
    /// Enabled, answered 200 with Prometheus text.
    Up,
    /// Enabled, but did not answer usefully (see the reason).
    Down,
    /// Not enabled, and indeed not answering.
    Off,
    /// Not enabled in MSK's settings, yet it answers with metrics.
    Unexpected,
}

impl ProbeState {
    pub fn label(self) -> &'static str {
        match self {
            ProbeState::Up => "up",
            ProbeState::Down => "down",
            ProbeState::Off => "off",
            ProbeState::Unexpected => "answers while off",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ExporterProbe {
    /// `host:port` that was asked for `/metrics`.
    pub target: String,
    pub state: ProbeState,
    /// Why it is down, in plain words (refused, timed out, DNS failure, HTTP 404, …).
    pub reason: Option<String>,
    pub latency_ms: Option<u32>,
    /// Samples in the exposition, when it parsed.
    pub samples: Option<u32>,
    /// A telling value: `kafka_server_*` presence, node uptime.
    pub detail: Option<String>,
    /// The health figures the answer carried (see [`super::health`]).
    #[serde(default, skip_serializing_if = "Figures::is_empty")]
    pub figures: Figures,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BrokerReachability {
    pub broker_id: u32,
    pub host: String,
    pub jmx: ExporterProbe,
    pub node: ExporterProbe,
}

/// What the JMX exporter of one KRaft controller answered.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ControllerReachability {
    pub host: String,
    pub jmx: ExporterProbe,
}

/// The last probe of one cluster's exporters.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ClusterReachability {
    pub cluster_id: ClusterId,
    /// RFC 3339 time the probe finished.
    pub checked_at: String,
    pub brokers: Vec<BrokerReachability>,
    /// KRaft controllers: their JMX exporter only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub controllers: Vec<ControllerReachability>,
    /// Whether a client connects to each listener from here (empty: not checked).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub listeners: Vec<ListenerCheck>,
}

impl ClusterReachability {
    /// (reachable, total) for the JMX and the node exporter.
    pub fn counts(&self) -> ((usize, usize), (usize, usize)) {
        let n = self.brokers.len();
        let up = |f: fn(&BrokerReachability) -> &ExporterProbe| {
            self.brokers
                .iter()
                .filter(|b| f(b).state == ProbeState::Up)
                .count()
        };
        ((up(|b| &b.jmx), n), (up(|b| &b.node), n))
    }

    /// (reachable, total) for the controllers' JMX exporters.
    pub fn controller_counts(&self) -> (usize, usize) {
        let up = self
            .controllers
            .iter()
            .filter(|c| c.jmx.state == ProbeState::Up)
            .count();
        (up, self.controllers.len())
    }
}

/// The progress of an exporter sweep (units: clusters).
pub type SweepStatus = Progress;

/// A refresh's or a sweep's progress, for the buttons that start them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub running: bool,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    /// Units done of the total, while running.
    pub done: usize,
    pub total: usize,
    /// Completed runs since start.
    pub generation: u64,
}
