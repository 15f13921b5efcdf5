//! What MSK says about a cluster beyond its client information: monitoring level, log
//! delivery, storage, networking, why it is in its state, its configuration, its SCRAM
//! secrets and its recent operations.
//!
//! The settings, configuration and secrets are part of the cluster's recorded state (a
//! change shows in the history); recent operations and notes about calls the console
//! may not make are not (they change without the cluster changing).

use serde::{Deserialize, Serialize};

/// Settings from ListClustersV2 / DescribeClusterV2.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct ClusterSettings {
    /// CloudWatch metrics level: `DEFAULT`, `PER_BROKER`, `PER_TOPIC_PER_BROKER`,
    /// `PER_TOPIC_PER_PARTITION`.
    pub enhanced_monitoring: Option<String>,
    /// Where broker logs go: `CloudWatch Logs (group …)`, `Firehose (stream …)`,
    /// `S3 (bucket/prefix)`.
    pub log_delivery: Vec<String>,
    /// `LOCAL` or `TIERED`.
    pub storage_mode: Option<String>,
    /// EBS volume per broker.
    pub volume_size_gib: Option<u32>,
    /// Provisioned storage throughput, when enabled.
    pub provisioned_throughput_mibps: Option<u32>,
    /// `IPV4` or `DUAL`.
    pub network_type: Option<String>,
    /// Auth modes open to multi-VPC private connectivity (`IAM`, `SCRAM`, `TLS`).
    pub vpc_connectivity: Vec<String>,
    /// Why the cluster is in its state (`FAILED`, `MAINTENANCE`): `code: message`.
    pub state_info: Option<String>,
    /// The cluster's MSK configuration and revision.
    pub configuration_arn: Option<String>,
    pub configuration_revision: Option<i64>,
    /// That revision's `server.properties` (DescribeConfigurationRevision).
    pub server_properties: Option<String>,
    /// ACM Private CA ARNs that issue client certificates for mutual TLS.
    pub certificate_authorities: Vec<String>,
}

impl ClusterSettings {
    pub fn is_empty(&self) -> bool {
        self == &ClusterSettings::default()
    }
}

/// One of the cluster's recent operations (ListClusterOperationsV2).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Operation {
    /// `UPDATE_BROKER_COUNT`, `UPDATE_CLUSTER_CONFIGURATION`, …
    pub operation_type: String,
    /// `PENDING`, `UPDATE_IN_PROGRESS`, `UPDATE_COMPLETE`, `UPDATE_FAILED`, …
    pub state: String,
    /// RFC 3339.
    pub started: Option<String>,
    pub ended: Option<String>,
}

/// Is an Express broker type (`express.m7g.large`)?
pub fn is_express(instance_type: Option<&str>) -> bool {
    instance_type.is_some_and(|t| t.starts_with("express."))
}
