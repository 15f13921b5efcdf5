//! What the history keeps of a cluster: its record and what its exporters answered,
//! without what changes on every check (probe times, latencies, sample counts), so a
//! quiet cluster records nothing new however often it is checked.

use serde::{Deserialize, Serialize};

use crate::model::{
    BrokerReachability, Cluster, ClusterReachability, ControllerReachability, ExporterProbe,
    HealthState, ProbeState, JMX_EXPORTER_PORT, NODE_EXPORTER_PORT,
};

/// What one exporter of one broker answered, without the volatile parts of a probe.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RecordedProbe {
    pub state: ProbeState,
    pub reason: Option<String>,
}

impl RecordedProbe {
    /// `up`, or `down (connection refused)`.
    pub fn describe(&self) -> String {
        match (&self.reason, self.state) {
            (Some(r), ProbeState::Down | ProbeState::Unexpected) => {
                format!("{} ({r})", self.state.label())
            }
            _ => self.state.label().to_string(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RecordedBroker {
    pub broker_id: u32,
    pub host: String,
    pub jmx: RecordedProbe,
    pub node: RecordedProbe,
}

/// What the JMX exporter of one KRaft controller answered.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RecordedController {
    pub host: String,
    pub jmx: RecordedProbe,
}

/// A cluster's health as the history keeps it: states only, so the history grows with
/// changes of state (healthy → warning), not with every new figure.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RecordedHealth {
    pub state: HealthState,
    /// Each broker's state, by broker id.
    pub brokers: Vec<(u32, HealthState)>,
}

/// One cluster as the history keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ClusterState {
    /// The cluster's record, without `partial_error` (a failed call is not a change).
    pub cluster: Cluster,
    /// What the last probe found, if the cluster has been probed.
    pub exporters: Option<Vec<RecordedBroker>>,
    /// What the last probe found on the KRaft controllers (empty: none, or not probed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub controller_exporters: Vec<RecordedController>,
    /// Health judged from the last probe (none: not probed, or nothing to judge).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<RecordedHealth>,
    /// The topics MSK's topic API last listed (none: never read), without the count of
    /// out-of-sync replicas, which moves with load: only whether a topic has any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topics: Option<Vec<RecordedTopic>>,
}

/// One topic as the history keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RecordedTopic {
    pub name: String,
    pub partitions: u32,
    pub replication_factor: u32,
    /// Some replica of the topic is out of sync.
    pub out_of_sync: bool,
    /// Its configuration, once read (`DescribeTopic`, in rotation): key → value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configs: Option<std::collections::BTreeMap<String, String>>,
}

impl RecordedTopic {
    /// The topics of a listing, as the history keeps them, with the configurations read
    /// so far; a topic whose configuration this console has not read yet keeps the one
    /// `recorded` holds (not read yet is no news).
    pub fn of_with(
        topics: &crate::model::topics::ClusterTopics,
        recorded: Option<&[RecordedTopic]>,
    ) -> Option<Vec<RecordedTopic>> {
        let mut out = Self::of(topics)?;
        if let Some(old) = recorded {
            for t in out.iter_mut().filter(|t| t.configs.is_none()) {
                t.configs = old
                    .iter()
                    .find(|o| o.name == t.name)
                    .and_then(|o| o.configs.clone());
            }
        }
        Some(out)
    }

    /// The topics of a listing, as the history keeps them.
    pub fn of(topics: &crate::model::topics::ClusterTopics) -> Option<Vec<RecordedTopic>> {
        topics.read.then(|| {
            topics
                .topics
                .iter()
                .map(|t| RecordedTopic {
                    name: t.name.clone(),
                    partitions: t.partitions,
                    replication_factor: t.replication_factor,
                    out_of_sync: t.out_of_sync_replicas > 0,
                    configs: topics.configs.get(&t.name).cloned(),
                })
                .collect()
        })
    }
}

impl ClusterState {
    pub fn of(cluster: &Cluster, probe: Option<&ClusterReachability>) -> ClusterState {
        Self::judged(cluster, probe, None)
    }

    /// The state to record, with health judged from the probe and CloudWatch's figures.
    pub fn judged(
        cluster: &Cluster,
        probe: Option<&ClusterReachability>,
        cloudwatch: Option<&crate::model::cloudwatch::ClusterMetrics>,
    ) -> ClusterState {
        // A reason matters only where the diff and the pages show it: why an enabled
        // exporter is down, or what answers while off. Why a disabled one is silent is
        // no news, and must not make a new state.
        let keep = |p: &ExporterProbe| RecordedProbe {
            state: p.state,
            reason: matches!(p.state, ProbeState::Down | ProbeState::Unexpected)
                .then(|| p.reason.clone())
                .flatten(),
        };
        ClusterState {
            // A failed call, recent operations and notes about calls the console may not
            // make come and go without the cluster changing.
            cluster: Cluster {
                partial_error: None,
                operations: Vec::new(),
                notes: Vec::new(),
                ..cluster.clone()
            },
            exporters: probe.map(|r| {
                r.brokers
                    .iter()
                    .map(|b| RecordedBroker {
                        broker_id: b.broker_id,
                        host: b.host.clone(),
                        jmx: keep(&b.jmx),
                        node: keep(&b.node),
                    })
                    .collect()
            }),
            controller_exporters: probe
                .map(|r| {
                    r.controllers
                        .iter()
                        .map(|c| RecordedController {
                            host: c.host.clone(),
                            jmx: keep(&c.jmx),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            health: crate::model::judge(cluster, probe, cloudwatch).map(|h| RecordedHealth {
                state: h.state,
                brokers: h
                    .brokers
                    .iter()
                    .filter_map(|b| b.broker_id.map(|id| (id, b.state)))
                    .collect(),
            }),
            topics: None,
        }
    }

    /// Brokers, and brokers whose JMX and node exporter answered (`None` if not probed).
    pub fn counts(&self) -> (u32, Option<u32>, Option<u32>) {
        let brokers = self
            .cluster
            .broker_count
            .unwrap_or(self.cluster.brokers.len() as u32);
        let up = |f: fn(&RecordedBroker) -> &RecordedProbe| {
            self.exporters
                .as_ref()
                .map(|e| e.iter().filter(|b| f(b).state == ProbeState::Up).count() as u32)
        };
        (brokers, up(|b| &b.jmx), up(|b| &b.node))
    }

    /// The recorded probe as the broker table shows a live one.
    pub fn reachability(&self, checked_at: &str) -> Option<ClusterReachability> {
        let probe = |host: &str, port: u16, p: &RecordedProbe| ExporterProbe {
            target: format!("{host}:{port}"),
            state: p.state,
            reason: p.reason.clone(),
            latency_ms: None,
            samples: None,
            detail: None,
            figures: Default::default(),
        };
        self.exporters.as_ref().map(|e| ClusterReachability {
            cluster_id: self.cluster.id.clone(),
            checked_at: checked_at.to_string(),
            brokers: e
                .iter()
                .map(|b| BrokerReachability {
                    broker_id: b.broker_id,
                    host: b.host.clone(),
                    jmx: probe(&b.host, JMX_EXPORTER_PORT, &b.jmx),
                    node: probe(&b.host, NODE_EXPORTER_PORT, &b.node),
                })
                .collect(),
            controllers: self
                .controller_exporters
                .iter()
                .map(|c| ControllerReachability {
                    host: c.host.clone(),
                    jmx: probe(&c.host, JMX_EXPORTER_PORT, &c.jmx),
                })
                .collect(),
            listeners: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::diff;
    use crate::history::fixtures::state;

    #[test]
    fn an_unchanged_state_has_no_diff_and_volatile_probe_fields_do_not_count() {
        let s = state();
        assert!(diff(Some(&s), Some(&s.clone())).is_empty());
        let probe = |latency| ExporterProbe {
            target: "h:11001".into(),
            state: ProbeState::Up,
            reason: None,
            latency_ms: Some(latency),
            samples: Some(latency * 10),
            detail: Some(format!("uptime {latency}")),
            figures: Default::default(),
        };
        let reach = |at: &str, latency| ClusterReachability {
            controllers: vec![],
            cluster_id: s.cluster.id.clone(),
            checked_at: at.into(),
            brokers: vec![BrokerReachability {
                broker_id: 1,
                host: "h".into(),
                jmx: probe(latency),
                node: probe(latency),
            }],
            listeners: Vec::new(),
        };
        let a = ClusterState::of(&s.cluster, Some(&reach("2026-01-01T00:00:00Z", 3)));
        let b = ClusterState::of(
            &Cluster {
                partial_error: Some("GetBootstrapBrokers timed out".into()),
                ..s.cluster.clone()
            },
            Some(&reach("2026-01-01T00:05:00Z", 9)),
        );
        assert_eq!(a, b);
    }
}
