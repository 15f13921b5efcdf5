//! Monitoring coverage: which clusters have their exporters enabled and answering on
//! every broker, problems first.

use serde::{Deserialize, Serialize};

use crate::params::ClusterId;

use super::cloudwatch::AlarmCoverage;
use super::{
    ClusterHealth, ClusterKind, ClusterReachability, HealthState, Inventory, ProbeState,
    SweepStatus,
};

/// Where a cluster stands on monitoring coverage, worst first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CoverageStatus {
    /// An enabled exporter answers on no broker.
    Unreachable,
    /// An enabled exporter answers on some brokers only.
    Partial,
    /// Not probed yet.
    Pending,
    /// Open monitoring is off (or not available, as on serverless clusters).
    Off,
    /// Sample data: never probed.
    Sample,
    /// Every enabled exporter answers on every broker.
    Covered,
}

impl CoverageStatus {
    pub fn label(self) -> &'static str {
        match self {
            CoverageStatus::Unreachable => "enabled but unreachable",
            CoverageStatus::Partial => "partially reachable",
            CoverageStatus::Pending => "not probed yet",
            CoverageStatus::Off => "monitoring off",
            CoverageStatus::Sample => "sample data, not probed",
            CoverageStatus::Covered => "covered",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterCoverage {
    pub id: ClusterId,
    pub name: String,
    pub source: String,
    pub region: String,
    pub kind: ClusterKind,
    pub jmx_enabled: bool,
    pub node_enabled: bool,
    pub brokers: usize,
    pub jmx_up: usize,
    pub node_up: usize,
    /// KRaft controllers, and those whose JMX exporter answers.
    pub controllers: usize,
    pub controllers_up: usize,
    pub status: CoverageStatus,
    pub checked_at: Option<String>,
    /// Health from the last probe's and the last CloudWatch reading's figures, the
    /// fresher per figure (`None`: nothing to judge yet).
    #[serde(default)]
    pub health: Option<ClusterHealth>,
    /// Whether CloudWatch had datapoints for the cluster at the last reading.
    #[serde(default)]
    pub cloudwatch_metrics: bool,
    /// Which key metrics have CloudWatch alarms (`None`: not read).
    #[serde(default)]
    pub alarms: Option<AlarmCoverage>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageTotals {
    pub clusters: usize,
    /// Both exporters enabled and answering on every broker.
    pub clusters_fully_covered: usize,
    pub brokers: usize,
    /// Brokers on which every enabled exporter answers (of clusters with monitoring on).
    pub brokers_covered: usize,
    /// KRaft controllers, and those whose JMX exporter answers (where it is enabled).
    pub controllers: usize,
    pub controllers_covered: usize,
    /// Clusters by health (of those with health to judge).
    #[serde(default)]
    pub healthy: usize,
    #[serde(default)]
    pub warning: usize,
    #[serde(default)]
    pub critical: usize,
    #[serde(default)]
    pub health_unknown: usize,
    /// Clusters whose key metrics all have CloudWatch alarms.
    #[serde(default)]
    pub alarms_complete: usize,
    /// Clusters with a key metric (or a broker of one) no alarm watches.
    #[serde(default)]
    pub alarms_missing: usize,
    /// Clusters whose alarms were not read.
    #[serde(default)]
    pub alarms_unknown: usize,
    /// Clusters with a key alarm in the ALARM state.
    #[serde(default)]
    pub alarms_firing: usize,
}

/// The coverage overview: problems first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    pub totals: CoverageTotals,
    pub clusters: Vec<ClusterCoverage>,
    /// Every source and region, for the filter.
    pub sources: Vec<String>,
    pub regions: Vec<String>,
    pub sweep: SweepStatus,
    /// The inventory holds the built-in sample data.
    #[serde(default)]
    pub sample: bool,
}

/// Computes the coverage overview of the clusters matching `source` and `region`.
pub fn coverage(inv: &Inventory, source: Option<&str>, region: Option<&str>) -> Coverage {
    let mut sources: Vec<String> = inv.clusters.iter().map(|c| c.source.clone()).collect();
    sources.sort();
    sources.dedup();
    let mut regions: Vec<String> = inv.clusters.iter().map(|c| c.region.clone()).collect();
    regions.sort();
    regions.dedup();
    let wanted = |v: &str, f: Option<&str>| f.is_none_or(|f| f.is_empty() || f == v);
    let mut clusters: Vec<ClusterCoverage> = inv
        .clusters
        .iter()
        .filter(|c| wanted(&c.source, source) && wanted(&c.region, region))
        .map(|c| {
            let r = inv.reachability.get(&c.id);
            let ((jmx_up, n), (node_up, _)) = r
                .map(ClusterReachability::counts)
                .unwrap_or(((0, 0), (0, 0)));
            let brokers = if r.is_some() { n } else { c.brokers.len() };
            let (controllers_up, controllers) = r
                .map(ClusterReachability::controller_counts)
                .unwrap_or((0, c.controllers.len()));
            // The JMX exporter runs on brokers and KRaft controllers alike.
            let (jmx_targets, jmx_answering) = (brokers + controllers, jmx_up + controllers_up);
            let (jmx, node) = (c.monitoring.jmx_exporter, c.monitoring.node_exporter);
            let status = if c.kind == ClusterKind::Serverless || !(jmx || node) {
                CoverageStatus::Off
            } else if !inv.probes(c) {
                CoverageStatus::Sample
            } else if r.is_none() {
                CoverageStatus::Pending
            } else if (jmx && jmx_answering == 0) || (node && node_up == 0) {
                CoverageStatus::Unreachable
            } else if (jmx && jmx_answering < jmx_targets) || (node && node_up < brokers) {
                CoverageStatus::Partial
            } else {
                CoverageStatus::Covered
            };
            ClusterCoverage {
                id: c.id.clone(),
                name: c.name.clone(),
                source: c.source.clone(),
                region: c.region.clone(),
                kind: c.kind,
                jmx_enabled: jmx,
                node_enabled: node,
                brokers,
                jmx_up,
                node_up,
                controllers,
                controllers_up,
                status,
                checked_at: r.map(|r| r.checked_at.clone()),
                health: inv.health(c),
                cloudwatch_metrics: inv.metrics(c).is_some_and(|m| m.has_data()),
                alarms: inv.cloudwatch.get(&c.id).and_then(|r| r.alarms.clone()),
            }
        })
        .collect();
    clusters.sort_by(|a, b| (a.status, &a.name, &a.region).cmp(&(b.status, &b.name, &b.region)));
    let mut totals = CoverageTotals {
        clusters: clusters.len(),
        ..CoverageTotals::default()
    };
    for c in &clusters {
        match c.health.as_ref().map(|h| h.state) {
            Some(HealthState::Healthy) => totals.healthy += 1,
            Some(HealthState::Warning) => totals.warning += 1,
            Some(HealthState::Critical) => totals.critical += 1,
            Some(HealthState::Unknown) => totals.health_unknown += 1,
            None => {}
        }
        match &c.alarms {
            None => totals.alarms_unknown += 1,
            Some(a) if a.complete() => totals.alarms_complete += 1,
            Some(_) => totals.alarms_missing += 1,
        }
        if c.alarms.as_ref().is_some_and(|a| !a.firing().is_empty()) {
            totals.alarms_firing += 1;
        }
        totals.brokers += c.brokers;
        totals.controllers += c.controllers;
        if c.jmx_enabled {
            totals.controllers_covered += c.controllers_up;
        }
        if c.status == CoverageStatus::Covered && c.jmx_enabled && c.node_enabled {
            totals.clusters_fully_covered += 1;
        }
        if c.jmx_enabled || c.node_enabled {
            if let Some(r) = inv.reachability.get(&c.id) {
                totals.brokers_covered += r
                    .brokers
                    .iter()
                    .filter(|b| {
                        (!c.jmx_enabled || b.jmx.state == ProbeState::Up)
                            && (!c.node_enabled || b.node.state == ProbeState::Up)
                    })
                    .count();
            }
        }
    }
    Coverage {
        totals,
        clusters,
        sources,
        regions,
        sweep: inv.sweep.clone(),
        sample: inv.sample,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{fixtures, Broker, Cluster, ExporterProbe, SAMPLE_SOURCE};

    fn cluster(name: &str, source: &str) -> Cluster {
        Cluster {
            brokers: vec![Broker {
                id: 1,
                endpoints: vec!["h".into()],
                client_vpc_ip: None,
                node_arn: None,
            }],
            ..fixtures::cluster(name, source, "eu-west-1")
        }
    }
    #[test]
    fn a_kraft_controllers_silent_jmx_exporter_makes_coverage_partial() {
        let probe = |state| ExporterProbe {
            target: String::new(),
            state,
            reason: None,
            latency_ms: None,
            samples: None,
            detail: None,
            figures: Default::default(),
        };
        let c = Cluster {
            controllers: vec![crate::model::Controller {
                endpoints: vec!["c-1".into()],
                node_arn: None,
            }],
            ..cluster("kraft", "lab")
        };
        let reach = |controller| ClusterReachability {
            cluster_id: c.id.clone(),
            checked_at: String::new(),
            brokers: vec![crate::model::BrokerReachability {
                broker_id: 1,
                host: "h".into(),
                jmx: probe(ProbeState::Up),
                node: probe(ProbeState::Up),
            }],
            controllers: vec![crate::model::ControllerReachability {
                host: "c-1".into(),
                jmx: probe(controller),
            }],
            listeners: Vec::new(),
        };
        let at = |controller| {
            let inv = Inventory {
                clusters: vec![c.clone()],
                reachability: [(c.id.clone(), reach(controller))].into(),
                ..Inventory::default()
            };
            coverage(&inv, None, None)
        };
        let up = at(ProbeState::Up);
        assert_eq!(up.clusters[0].status, CoverageStatus::Covered);
        assert_eq!(
            (up.totals.controllers, up.totals.controllers_covered),
            (1, 1)
        );
        let down = at(ProbeState::Down);
        assert_eq!(down.clusters[0].status, CoverageStatus::Partial);
        assert_eq!(
            (
                down.clusters[0].controllers,
                down.clusters[0].controllers_up
            ),
            (1, 0)
        );
    }

    #[test]
    fn sample_clusters_are_not_probed_and_say_so() {
        let inv = Inventory {
            clusters: vec![cluster("s", SAMPLE_SOURCE), cluster("lab", "lab")],
            sample: true,
            ..Inventory::default()
        };
        assert!(!inv.probes(&inv.clusters[0]));
        assert!(inv.probes(&inv.clusters[1]));
        let cov = coverage(&inv, None, None);
        let status: Vec<_> = cov
            .clusters
            .iter()
            .map(|c| (c.name.as_str(), c.status))
            .collect();
        assert_eq!(
            status,
            [
                ("lab", CoverageStatus::Pending),
                ("s", CoverageStatus::Sample)
            ]
        );
        // Without --sample, a source that happens to be named "sample" is probed.
        let real = Inventory {
            sample: false,
            ..inv
        };
        assert!(real.probes(&real.clusters[0]));
    }
}
