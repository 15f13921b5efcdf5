//! A cluster with its last exporter probe, live or as the history recorded it.

use serde::{Deserialize, Serialize};

use super::{Cluster, ClusterHealth, ClusterReachability, SweepStatus};

/// A cluster with its last exporter probe: what the cluster page and
/// `GET /api/clusters/{id}` show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterDetail {
    #[serde(flatten)]
    pub cluster: Cluster,
    pub reachability: Option<ClusterReachability>,
    /// Health judged from the probe's figures and CloudWatch's (as recorded, for a past
    /// state).
    #[serde(default)]
    pub health: Option<ClusterHealth>,
    /// What the last CloudWatch sweep read: metrics, consumer lag and alarm coverage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloudwatch: Option<super::cloudwatch::CloudWatchReading>,
    /// The state of the exporter sweeps (for the "Probe now" progress).
    pub sweep: SweepStatus,
    /// The cluster is made-up sample data (`--sample`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sample: bool,
    /// Set when this is a past state from the history, not the live inventory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded: Option<RecordedAt>,
}

/// Where a past state shown on the cluster page comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedAt {
    /// The snapshot asked for.
    pub snapshot: i64,
    /// When that state was first recorded.
    pub since: String,
    /// The state is still the cluster's latest.
    pub latest: bool,
}

impl RecordedAt {
    /// The "generated at" text of a file made from this past state, so the file says so.
    pub fn generated_from(&self, now: &str) -> String {
        format!(
            "{now} from the state recorded at {} (snapshot {})",
            self.since, self.snapshot
        )
    }
}
