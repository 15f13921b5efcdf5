//! Who else connects to a cluster: multi-VPC private connections, MSK Replicator flows
//! and MSK Connect connectors.
//!
//! The AWS layer reads them with optional calls (each may be denied: a note then says
//! which action is missing). They are part of the cluster's recorded state, so the history
//! shows a connection, a replication flow or a connector that comes, goes or changes
//! state.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Everything that links a cluster to other VPCs, clusters and connectors.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct Links {
    /// Multi-VPC private connections to the cluster, by ARN.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub vpc_connections: Vec<VpcConnection>,
    /// Replication flows this cluster is the source or the target of.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub replications: Vec<Replication>,
    /// MSK Connect connectors whose bootstrap servers are this cluster's brokers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub connectors: Vec<Connector>,
}

impl Links {
    pub fn is_empty(&self) -> bool {
        self == &Links::default()
    }

    /// One entry per link, `subject → description`, for the history's diff.
    pub fn described(&self) -> BTreeMap<String, String> {
        let mut m = BTreeMap::new();
        for v in &self.vpc_connections {
            m.insert(format!("VPC connection {}", v.arn), v.describe());
        }
        for r in &self.replications {
            m.insert(
                format!("Replicator {} ({})", r.name, r.direction.label()),
                r.describe(),
            );
        }
        for c in &self.connectors {
            m.insert(format!("Connector {}", c.name), c.describe());
        }
        m
    }

    /// The flows in brief, for the cluster list: `→ orders-dr`, `← orders`, naming the
    /// peer by the cluster name in its ARN.
    pub fn replication_brief(&self) -> Vec<String> {
        self.replications
            .iter()
            .map(|r| {
                let peer = r
                    .peer_arn
                    .as_deref()
                    .and_then(cluster_name_of)
                    .or(r.peer_alias.as_deref())
                    .or(r.peer_arn.as_deref())
                    .unwrap_or("?");
                match r.direction {
                    Direction::To => format!("→ {peer}"),
                    Direction::From => format!("← {peer}"),
                }
            })
            .collect()
    }

    /// Connectors in a state that needs someone: `FAILED`.
    pub fn failed_connectors(&self) -> impl Iterator<Item = &Connector> {
        self.connectors.iter().filter(|c| c.state == "FAILED")
    }

    /// Sorts every list, so the record does not change with AWS's order.
    pub fn sort(&mut self) {
        self.vpc_connections.sort_by(|a, b| a.arn.cmp(&b.arn));
        self.vpc_connections.dedup_by(|a, b| a.arn == b.arn);
        self.replications
            .sort_by(|a, b| (&a.arn, a.direction).cmp(&(&b.arn, b.direction)));
        self.replications
            .dedup_by(|a, b| a.arn == b.arn && a.direction == b.direction);
        self.connectors.sort_by(|a, b| a.arn.cmp(&b.arn));
        self.connectors.dedup_by(|a, b| a.arn == b.arn);
    }
}

/// A multi-VPC private connection (ListClientVpcConnections on the cluster owner's side;
/// ListVpcConnections on the client account's side adds the client VPC).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct VpcConnection {
    pub arn: String,
    /// The client's AWS account.
    pub account: Option<String>,
    /// The client VPC (known when the client account is a source of this console).
    pub vpc_id: Option<String>,
    /// `SASL_IAM`, `SASL_SCRAM` or `TLS`.
    pub authentication: Option<String>,
    /// `AVAILABLE`, `CREATING`, `INACTIVE`, `REJECTED`, …
    pub state: String,
    /// RFC 3339.
    pub created: Option<String>,
}

impl VpcConnection {
    pub fn describe(&self) -> String {
        let mut s = self.state.clone();
        if let Some(a) = &self.authentication {
            s.push_str(&format!(", {a}"));
        }
        if let Some(a) = &self.account {
            s.push_str(&format!(", account {a}"));
        }
        if let Some(v) = &self.vpc_id {
            s.push_str(&format!(", {v}"));
        }
        if let Some(c) = &self.created {
            s.push_str(&format!(", created {c}"));
        }
        s
    }
}

/// Which end of a replication flow this cluster is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// This cluster is the source: it replicates to the peer.
    To,
    /// This cluster is the target: it replicates from the peer.
    From,
}

impl Direction {
    pub fn label(self) -> &'static str {
        match self {
            Direction::To => "replicates to",
            Direction::From => "replicates from",
        }
    }
}

/// One MSK Replicator flow seen from one of its clusters (ListReplicators,
/// DescribeReplicator).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Replication {
    pub arn: String,
    pub name: String,
    pub direction: Direction,
    /// The cluster at the other end: its ARN, when it is an MSK cluster.
    pub peer_arn: Option<String>,
    /// The peer's alias in the replicator.
    pub peer_alias: Option<String>,
    /// `RUNNING`, `CREATING`, `UPDATING`, `DELETING`, `FAILED`.
    pub state: String,
    /// Why it is in its state (`FAILED`): `code: message`.
    pub state_info: Option<String>,
    /// Topic patterns replicated and excluded.
    pub topics: Vec<String>,
    pub topics_excluded: Vec<String>,
    /// Consumer group patterns replicated and excluded.
    pub groups: Vec<String>,
    pub groups_excluded: Vec<String>,
}

impl Replication {
    /// Where CloudWatch keeps the flow's lag: `AWS/Kafka` in the target cluster's region,
    /// dimension `ReplicatorName`.
    /// <https://docs.aws.amazon.com/msk/latest/developerguide/msk-replicator-metrics-ref.html>
    pub const LAG_METRICS: [&'static str; 2] = ["ReplicationLatency", "MessageLag"];

    pub fn describe(&self) -> String {
        let peer = match (&self.peer_arn, &self.peer_alias) {
            (Some(arn), Some(alias)) => format!("{arn} ({alias})"),
            (Some(one), None) | (None, Some(one)) => one.clone(),
            (None, None) => "an unknown cluster".into(),
        };
        let mut s = self.state.clone();
        if let Some(i) = &self.state_info {
            s.push_str(&format!(" ({i})"));
        }
        s.push_str(&format!(", {} {peer}", self.direction.label()));
        let list = |v: &[String]| v.join(" ");
        if !self.topics.is_empty() {
            s.push_str(&format!("; topics {}", list(&self.topics)));
        }
        if !self.topics_excluded.is_empty() {
            s.push_str(&format!(" except {}", list(&self.topics_excluded)));
        }
        if !self.groups.is_empty() {
            s.push_str(&format!("; groups {}", list(&self.groups)));
        }
        if !self.groups_excluded.is_empty() {
            s.push_str(&format!(" except {}", list(&self.groups_excluded)));
        }
        s
    }

    /// The same flow seen from the other end.
    pub fn mirrored(&self, this_arn: &str) -> Replication {
        Replication {
            direction: match self.direction {
                Direction::To => Direction::From,
                Direction::From => Direction::To,
            },
            peer_arn: Some(this_arn.to_string()),
            peer_alias: None,
            ..self.clone()
        }
    }
}

/// An MSK Connect connector whose Kafka cluster is this one (ListConnectors,
/// DescribeConnector), matched by its bootstrap servers.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Connector {
    pub arn: String,
    pub name: String,
    /// `RUNNING`, `CREATING`, `UPDATING`, `DELETING`, `FAILED`.
    pub state: String,
    /// Why it failed, when DescribeConnector says.
    pub state_info: Option<String>,
    /// `2 workers × 1 MCU`, `autoscaling 1-4 workers × 2 MCU`.
    pub capacity: Option<String>,
    /// Custom plugin ARNs with their revisions.
    pub plugins: Vec<String>,
    /// `IAM` or `NONE`.
    pub authentication: Option<String>,
    pub kafka_connect_version: Option<String>,
}

impl Connector {
    pub fn describe(&self) -> String {
        let mut s = self.state.clone();
        if let Some(i) = &self.state_info {
            s.push_str(&format!(" ({i})"));
        }
        if let Some(v) = &self.kafka_connect_version {
            s.push_str(&format!(", Kafka Connect {v}"));
        }
        if let Some(a) = &self.authentication {
            s.push_str(&format!(", auth {a}"));
        }
        if let Some(c) = &self.capacity {
            s.push_str(&format!(", {c}"));
        }
        if !self.plugins.is_empty() {
            s.push_str(&format!(", plugins {}", self.plugins.join(" ")));
        }
        s
    }
}

/// The cluster name in an MSK cluster ARN: `arn:aws:kafka:r:a:cluster/NAME/uuid`.
pub fn cluster_name_of(arn: &str) -> Option<&str> {
    let rest = arn.split_once(":cluster/")?.1;
    rest.split('/').next().filter(|n| !n.is_empty())
}

/// Gives every flow's other end its mirror: a flow listed in one region (the target's)
/// shows on a source cluster listed in another, and the other way round.
pub fn mirror_replications(clusters: &mut [super::Cluster]) {
    let flows: Vec<(String, Replication)> = clusters
        .iter()
        .flat_map(|c| {
            c.links
                .replications
                .iter()
                .map(move |r| (c.arn.clone(), r.clone()))
        })
        .collect();
    if flows.is_empty() {
        return;
    }
    for c in clusters.iter_mut() {
        let mut added = false;
        for (owner, flow) in &flows {
            if flow.peer_arn.as_deref() != Some(c.arn.as_str()) || *owner == c.arn {
                continue;
            }
            let mirror = flow.mirrored(owner);
            if !c
                .links
                .replications
                .iter()
                .any(|r| r.arn == mirror.arn && r.direction == mirror.direction)
            {
                c.links.replications.push(mirror);
                added = true;
            }
        }
        if added {
            c.links.sort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow() -> Replication {
        Replication {
            arn: "arn:aws:kafka:eu-west-1:1:replicator/r/1".into(),
            name: "r".into(),
            direction: Direction::To,
            peer_arn: Some("arn:target".into()),
            peer_alias: Some("dr".into()),
            state: "RUNNING".into(),
            state_info: None,
            topics: vec!["orders.*".into()],
            topics_excluded: vec![".*internal".into()],
            groups: vec![".*".into()],
            groups_excluded: vec![],
        }
    }

    #[test]
    fn a_flow_reads_from_both_ends() {
        let f = flow();
        assert_eq!(
            f.describe(),
            "RUNNING, replicates to arn:target (dr); topics orders.* except .*internal; groups .*"
        );
        let m = f.mirrored("arn:source");
        assert_eq!(m.direction, Direction::From);
        assert_eq!(m.peer_arn.as_deref(), Some("arn:source"));
        assert!(m
            .describe()
            .starts_with("RUNNING, replicates from arn:source"));
        let l = Links {
            replications: vec![
                Replication {
                    peer_arn: Some("arn:aws:kafka:eu-west-1:1:cluster/orders-dr/abc-1".into()),
                    ..flow()
                },
                m,
            ],
            ..Links::default()
        };
        assert_eq!(l.replication_brief(), ["→ orders-dr", "← arn:source"]);
    }

    #[test]
    fn links_sort_and_describe_by_subject() {
        let mut l = Links {
            replications: vec![flow(), flow()],
            connectors: vec![Connector {
                arn: "arn:c".into(),
                name: "sink".into(),
                state: "FAILED".into(),
                state_info: None,
                capacity: Some("2 workers × 1 MCU".into()),
                plugins: vec![],
                authentication: None,
                kafka_connect_version: None,
            }],
            ..Links::default()
        };
        l.sort();
        assert_eq!(l.replications.len(), 1, "one flow once");
        let d = l.described();
        assert_eq!(d["Connector sink"], "FAILED, 2 workers × 1 MCU");
        assert!(d.contains_key("Replicator r (replicates to)"));
        assert_eq!(l.failed_connectors().count(), 1);
    }
}
