//! Health from every source the console has: the exporters' last probe and the last
//! CloudWatch reading. Per figure set (a broker's Kafka figures, its host figures, the
//! cluster-wide figures) the fresher source wins, and the health says which it used.
//!
//! The rules are [`super::health`]'s, with the same thresholds; a figure neither source
//! has is "unknown", never "healthy". A serverless cluster has no broker figures at all:
//! it is judged by its consumer groups' lag.

use std::borrow::Cow;

use super::cloudwatch::{BrokerMetrics, ClusterMetrics, Datum, MetricsKind};
use super::health::{cluster_findings, judge_broker, worst, Finding, Needs};
use super::{
    cluster_health, BrokerHealth, Cluster, ClusterHealth, ClusterReachability, ExporterProbe,
    FigureSource, Figures, HealthState, Origin, ProbeState,
};

/// A consumer group this many seconds (or more) behind on a topic is a warning.
pub const LAG_WARNING_SECONDS: u64 = 300;

/// The cluster's health from its last probe and its last CloudWatch reading; `None` when
/// neither has anything to judge by.
pub fn judge(
    cluster: &Cluster,
    probe: Option<&ClusterReachability>,
    cloudwatch: Option<&ClusterMetrics>,
) -> Option<ClusterHealth> {
    let health = match cloudwatch.filter(|m| m.has_data()) {
        None => probe.and_then(|r| cluster_health(cluster, r)),
        Some(cw) => {
            let kind = MetricsKind::of(cluster);
            Some(match kind {
                MetricsKind::Serverless => serverless(cw),
                _ => provisioned(cluster, probe, cw, kind),
            })
        }
    };
    with_failed_connectors(cluster, health)
}

/// A failed MSK Connect connector on the cluster is a warning, whatever the figures say.
fn with_failed_connectors(
    cluster: &Cluster,
    health: Option<ClusterHealth>,
) -> Option<ClusterHealth> {
    let failed: Vec<String> = cluster
        .links
        .failed_connectors()
        .map(|c| match &c.state_info {
            Some(why) => format!("MSK Connect connector {} failed: {why}", c.name),
            None => format!("MSK Connect connector {} failed", c.name),
        })
        .collect();
    if failed.is_empty() {
        return health;
    }
    let mut h = health.unwrap_or(ClusterHealth {
        state: HealthState::Unknown,
        reasons: Vec::new(),
        active_controllers: None,
        offline_partitions: None,
        under_replicated: None,
        brokers: Vec::new(),
        cluster_from: None,
        judged_at: None,
    });
    h.state = h.state.min(HealthState::Warning);
    // Worst first: after any critical reason, before the rest.
    let at = if h.state == HealthState::Critical {
        h.reasons.len()
    } else {
        0
    };
    for (i, r) in failed.into_iter().enumerate() {
        h.reasons.insert(at + i, r);
    }
    Some(h)
}

fn answered(p: &ExporterProbe) -> Option<&Figures> {
    matches!(p.state, ProbeState::Up | ProbeState::Unexpected).then_some(&p.figures)
}

/// The older of two datapoints' times (a set is as old as its oldest figure).
fn older<'a>(a: Option<&'a str>, b: &'a str) -> &'a str {
    match a {
        Some(a) if a < b => a,
        _ => b,
    }
}

fn cloudwatch(at: &str) -> Origin {
    Origin {
        source: FigureSource::CloudWatch,
        at: at.to_string(),
    }
}

fn exporter(at: &str) -> Origin {
    Origin {
        source: FigureSource::Exporter,
        at: at.to_string(),
    }
}

/// Of two sources of the same figures, the fresher (the exporter on a tie: it is read
/// directly).
fn fresher<T>(ex: Option<(T, Origin)>, cw: Option<(T, Origin)>) -> Option<(T, Origin)> {
    match (ex, cw) {
        (Some(e), Some(c)) => Some(if c.1.at > e.1.at { c } else { e }),
        (e, c) => e.or(c),
    }
}

/// The CloudWatch metric a broker's Kafka figures hang on: `UnderReplicatedPartitions`,
/// or on Express brokers (which do not publish it) `UnderMinIsrPartitionCount`.
fn kafka_anchor(kind: MetricsKind) -> &'static str {
    match kind {
        MetricsKind::Express => "UnderMinIsrPartitionCount",
        _ => "UnderReplicatedPartitions",
    }
}

/// A broker's Kafka figures from CloudWatch, if it has its kind's anchor metric.
fn cw_kafka(b: &BrokerMetrics, kind: MetricsKind) -> Option<(Figures, Origin)> {
    let (anchor, other) = match kind {
        MetricsKind::Express => (b.under_min_isr.as_ref()?, None),
        _ => (b.under_replicated.as_ref()?, b.under_min_isr.as_ref()),
    };
    let at = older(other.map(|d| d.at.as_str()), &anchor.at);
    Some((
        Figures {
            under_replicated: b.under_replicated.as_ref().map(|d| d.value),
            under_min_isr: b.under_min_isr.as_ref().map(|d| d.value),
            ..Figures::default()
        },
        cloudwatch(at),
    ))
}

/// A broker's host figures from CloudWatch, if it has the ones its kind needs (the data
/// volume for Standard brokers, CPU for Express ones, whose storage is managed).
fn cw_host(b: &BrokerMetrics, kind: MetricsKind) -> Option<(Figures, Origin)> {
    let anchor = match kind {
        MetricsKind::Standard => b.disk_used.as_ref().map(|d| d.at.as_str()),
        _ => b.cpu_busy.as_ref().map(|d| d.at.as_str()),
    }?;
    let at = [&b.disk_used, &b.cpu_busy, &b.memory_used]
        .into_iter()
        .flatten()
        .map(|d| d.at.as_str())
        .fold(anchor, |a, b| if b < a { b } else { a });
    Some((
        Figures {
            volume_used: b.disk_used.as_ref().map(|d| d.value),
            // MSK's data volume: what the node exporter names it too.
            volume: b.disk_used.as_ref().map(|_| "/kafka/datalogs".to_string()),
            cpu_busy: b.cpu_busy.as_ref().map(|d| d.value),
            memory_used: b.memory_used.as_ref().map(|d| d.value),
            ..Figures::default()
        },
        cloudwatch(at),
    ))
}

/// A provisioned cluster, broker by broker, the fresher source per figure set.
fn provisioned(
    cluster: &Cluster,
    probe: Option<&ClusterReachability>,
    cw: &ClusterMetrics,
    kind: MetricsKind,
) -> ClusterHealth {
    let jmx_on = cluster.monitoring.jmx_exporter;
    let node_on = cluster.monitoring.node_exporter;
    let probe = probe.filter(|r| !r.brokers.is_empty());
    let mut ids: Vec<u32> = cluster.brokers.iter().map(|b| b.id).collect();
    ids.extend(
        probe
            .iter()
            .flat_map(|r| r.brokers.iter().map(|b| b.broker_id)),
    );
    ids.extend(cw.brokers.iter().map(|b| b.broker_id));
    ids.sort_unstable();
    ids.dedup();

    let mut findings = Vec::new();
    let mut brokers = Vec::new();
    let mut urp_sum: Option<u32> = Some(0);
    for id in ids {
        let who = format!("broker {id}");
        let probed = probe.and_then(|r| r.brokers.iter().find(|b| b.broker_id == id));
        let at = probe.map(|r| r.checked_at.as_str()).unwrap_or_default();
        let cwb = cw.broker(id);
        let kafka = fresher(
            probed
                .filter(|_| jmx_on)
                .and_then(|b| answered(&b.jmx))
                .map(|f| (Cow::Borrowed(f), exporter(at))),
            cwb.and_then(|b| cw_kafka(b, kind))
                .map(|(f, o)| (Cow::Owned(f), o)),
        );
        let host = fresher(
            probed
                .filter(|_| node_on)
                .and_then(|b| answered(&b.node))
                .map(|f| (Cow::Borrowed(f), exporter(at))),
            cwb.and_then(|b| cw_host(b, kind))
                .map(|(f, o)| (Cow::Owned(f), o)),
        );
        let kafka_in = match &kafka {
            Some((f, _)) => Ok(f.as_ref()),
            None => Err(format!(
                "no Kafka figures for {who}: {}, and CloudWatch has no {} datapoint",
                if jmx_on {
                    "its JMX exporter is not answering"
                } else {
                    "open monitoring is off"
                },
                kafka_anchor(kind)
            )),
        };
        let host_in = match &host {
            Some((f, _)) => Some(Ok(f.as_ref())),
            None => Some(Err(format!(
                "no host figures for {who}: {}, and CloudWatch has no {} datapoint",
                if node_on {
                    "its node exporter is not answering"
                } else {
                    "the node exporter is off"
                },
                if kind == MetricsKind::Standard {
                    "KafkaDataLogsDiskUsed"
                } else {
                    "CpuUser"
                }
            ))),
        };
        let host_source = match &host {
            Some((_, o)) if o.source == FigureSource::CloudWatch => "CloudWatch metrics",
            _ => "node exporter",
        };
        let kafka_from_cloudwatch =
            matches!(&kafka, Some((_, o)) if o.source == FigureSource::CloudWatch);
        let needs = Needs {
            volume: kind == MetricsKind::Standard,
            replica_counts: !(kafka_from_cloudwatch && kind == MetricsKind::Express),
        };
        let f = judge_broker(&who, kafka_in, host_in, host_source, needs);
        urp_sum = match (
            urp_sum,
            kafka.as_ref().and_then(|(f, _)| f.under_replicated),
        ) {
            (Some(s), Some(n)) => Some(s.saturating_add(n)),
            _ => None,
        };
        brokers.push(BrokerHealth {
            broker_id: Some(id),
            host: cluster
                .brokers
                .iter()
                .find(|b| b.id == id)
                .and_then(|b| b.endpoints.first().map(String::as_str))
                .or(probed.map(|b| b.host.as_str()))
                .unwrap_or_default()
                .to_string(),
            state: worst(&f),
            reasons: f.iter().map(|f| f.1.clone()).collect(),
            kafka_from: kafka.map(|(_, o)| o),
            host_from: host.map(|(_, o)| o),
        });
        findings.extend(f);
    }

    // Cluster-wide: the exporters' sums (when every JMX exporter answered) or
    // CloudWatch's cluster figures, the fresher.
    let exporter_cluster = probe.filter(|_| jmx_on).and_then(|r| {
        let jmx: Vec<&ExporterProbe> = r
            .brokers
            .iter()
            .map(|b| &b.jmx)
            .chain(r.controllers.iter().map(|c| &c.jmx))
            .collect();
        let known: Vec<&Figures> = jmx.iter().filter_map(|p| answered(p)).collect();
        if known.len() != jmx.len() {
            return None;
        }
        let sum = |f: fn(&Figures) -> Option<u32>| -> Option<u32> {
            let v: Vec<u32> = known.iter().filter_map(|k| f(k)).collect();
            (v.len() == known.len()).then(|| v.iter().fold(0u32, |a, b| a.saturating_add(*b)))
        };
        let active = sum(|f| f.active_controllers)?;
        let offline = known
            .iter()
            .any(|k| k.offline_partitions.is_some())
            .then(|| sum(|f| f.offline_partitions.or(Some(0))).unwrap_or(0));
        Some(((Some(active), offline), exporter(&r.checked_at)))
    });
    let cw_cluster = cw.active_controllers.as_ref().map(|a: &Datum<u32>| {
        let offline = cw.offline_partitions.as_ref();
        (
            (Some(a.value), offline.map(|d| d.value)),
            cloudwatch(older(offline.map(|d| d.at.as_str()), &a.at)),
        )
    });
    let chosen = fresher(exporter_cluster, cw_cluster);
    let (active_controllers, offline_partitions) =
        chosen.as_ref().map(|(v, _)| *v).unwrap_or((None, None));
    findings.extend(cluster_findings(
        active_controllers,
        offline_partitions,
        "active controller unknown: no JMX exporter sum and no ActiveControllerCount datapoint in CloudWatch",
    ));
    findings.extend(lag_findings(cw));
    let judged_at = match probe.map(|r| r.checked_at.as_str()) {
        Some(p) if p > cw.checked_at.as_str() => p.to_string(),
        _ => cw.checked_at.clone(),
    };
    finish(
        findings,
        brokers,
        active_controllers,
        offline_partitions,
        urp_sum,
        chosen.map(|(_, o)| o),
        judged_at,
    )
}

/// A serverless cluster: its consumer groups' lag is all CloudWatch says about it.
fn serverless(cw: &ClusterMetrics) -> ClusterHealth {
    let mut findings = lag_findings(cw);
    let newest = cw
        .lag
        .iter()
        .filter_map(|l| l.time_lag_seconds.as_ref())
        .map(|d| d.at.as_str())
        .max();
    if newest.is_none() {
        findings.push(Finding(
            HealthState::Unknown,
            "no consumer lag in CloudWatch: a serverless cluster publishes no broker figures, and no consumer group has read from it lately".into(),
        ));
    }
    let from = newest.map(cloudwatch);
    finish(
        findings,
        Vec::new(),
        None,
        None,
        None,
        from,
        cw.checked_at.clone(),
    )
}

/// A warning per consumer group and topic at least [`LAG_WARNING_SECONDS`] behind.
fn lag_findings(cw: &ClusterMetrics) -> Vec<Finding> {
    let mut lagging: Vec<(&str, &str, u64)> = cw
        .lag
        .iter()
        .filter_map(|l| {
            let s = l.time_lag_seconds.as_ref()?.value;
            (s >= LAG_WARNING_SECONDS).then_some((l.group.as_str(), l.topic.as_str(), s))
        })
        .collect();
    lagging.sort_by_key(|l| std::cmp::Reverse(l.2));
    lagging
        .into_iter()
        .map(|(group, topic, s)| {
            Finding(
                HealthState::Warning,
                format!("{group} is {} behind on {topic}", behind(s)),
            )
        })
        .collect()
}

/// "4 min", "2 h 5 min", "45 s".
pub fn behind(seconds: u64) -> String {
    match seconds {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min", s / 60),
        s => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

fn finish(
    mut findings: Vec<Finding>,
    brokers: Vec<BrokerHealth>,
    active_controllers: Option<u32>,
    offline_partitions: Option<u32>,
    under_replicated: Option<u32>,
    cluster_from: Option<Origin>,
    judged_at: String,
) -> ClusterHealth {
    findings.sort_by_key(|f| f.0);
    let mut reasons: Vec<String> = Vec::new();
    for f in &findings {
        if !reasons.contains(&f.1) {
            reasons.push(f.1.clone());
        }
    }
    ClusterHealth {
        state: worst(&findings),
        reasons,
        active_controllers,
        offline_partitions,
        under_replicated,
        brokers,
        cluster_from,
        judged_at: Some(judged_at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::cloudwatch::ConsumerLag;
    use crate::model::{fixtures, BrokerReachability};

    const T0: &str = "2026-12-03T10:00:00Z";
    const T1: &str = "2026-12-03T10:02:00Z";

    fn d<T>(value: T, at: &str) -> Option<Datum<T>> {
        Some(Datum {
            value,
            at: at.into(),
        })
    }

    fn cluster(jmx: bool, node: bool) -> Cluster {
        let mut c = fixtures::cluster("orders", "prod", "eu-west-1");
        c.monitoring.jmx_exporter = jmx;
        c.monitoring.node_exporter = node;
        c.brokers = fixtures::brokers("orders", 2);
        c
    }

    fn healthy_broker(id: u32, at: &str) -> BrokerMetrics {
        BrokerMetrics {
            broker_id: id,
            under_replicated: d(0, at),
            under_min_isr: d(0, at),
            disk_used: d(400, at),
            cpu_busy: d(150, at),
            memory_used: d(500, at),
        }
    }

    fn metrics(brokers: Vec<BrokerMetrics>, active: u32, at: &str) -> ClusterMetrics {
        ClusterMetrics {
            checked_at: at.into(),
            active_controllers: d(active, at),
            offline_partitions: d(0, at),
            global_partitions: d(120, at),
            brokers,
            lag: Vec::new(),
        }
    }

    #[test]
    fn a_cluster_with_open_monitoring_off_is_judged_from_cloudwatch() {
        let c = cluster(false, false);
        let mut b2 = healthy_broker(2, T0);
        b2.under_replicated = d(3, T0);
        b2.disk_used = d(915, T0);
        let h = judge(
            &c,
            None,
            Some(&metrics(vec![healthy_broker(1, T0), b2], 1, T0)),
        )
        .unwrap();
        assert_eq!(h.state, HealthState::Critical);
        assert_eq!(
            h.reasons,
            [
                "data volume /kafka/datalogs 92% full on broker 2",
                "3 under-replicated partitions on broker 2"
            ]
        );
        assert_eq!(h.under_replicated, Some(3));
        assert_eq!(h.active_controllers, Some(1));
        let from = h.brokers[1].kafka_from.as_ref().unwrap();
        assert_eq!(from.source, FigureSource::CloudWatch);
        assert_eq!(
            from.describe("JMX exporter", T1),
            "from CloudWatch, 2 min old"
        );
        assert_eq!(h.cluster_from.unwrap().source, FigureSource::CloudWatch);
    }

    #[test]
    fn a_missing_datapoint_is_unknown_never_healthy() {
        let c = cluster(false, false);
        let mut b1 = healthy_broker(1, T0);
        b1.under_replicated = None;
        let mut m = metrics(vec![b1, healthy_broker(2, T0)], 1, T0);
        m.active_controllers = None;
        let h = judge(&c, None, Some(&m)).unwrap();
        assert_eq!(h.state, HealthState::Unknown);
        assert!(
            h.reasons
                .iter()
                .any(|r| r.contains("no Kafka figures for broker 1")),
            "{h:?}"
        );
        assert!(
            h.reasons
                .iter()
                .any(|r| r.contains("active controller unknown")),
            "{h:?}"
        );
        // Nothing at all from CloudWatch and no probe: nothing to judge.
        assert_eq!(judge(&c, None, Some(&ClusterMetrics::default())), None);
    }

    #[test]
    fn the_fresher_source_wins_and_says_so() {
        let c = cluster(true, true);
        let probe_at = T0;
        let figures = Figures {
            under_replicated: Some(0),
            under_min_isr: Some(0),
            offline_replicas: Some(0),
            partitions: Some(10),
            active_controllers: Some(0),
            offline_partitions: Some(0),
            cpu_busy: Some(100),
            memory_used: Some(100),
            volume_used: Some(100),
            volume: Some("/kafka/datalogs".into()),
            ..Figures::default()
        };
        let up = |f: Figures| ExporterProbe {
            target: "x".into(),
            state: ProbeState::Up,
            reason: None,
            latency_ms: Some(1),
            samples: Some(1),
            detail: None,
            figures: f,
        };
        let mut f1 = figures.clone();
        f1.active_controllers = Some(1);
        let r = ClusterReachability {
            cluster_id: c.id.clone(),
            checked_at: probe_at.into(),
            brokers: vec![
                BrokerReachability {
                    broker_id: 1,
                    host: "b-1".into(),
                    jmx: up(f1.clone()),
                    node: up(f1),
                },
                BrokerReachability {
                    broker_id: 2,
                    host: "b-2".into(),
                    jmx: up(figures.clone()),
                    node: up(figures),
                },
            ],
            controllers: Vec::new(),
            listeners: Vec::new(),
        };
        // CloudWatch is newer and says broker 2 has under-replicated partitions.
        let mut b2 = healthy_broker(2, T1);
        b2.under_replicated = d(4, T1);
        let m = metrics(vec![healthy_broker(1, T1), b2], 1, T1);
        let h = judge(&c, Some(&r), Some(&m)).unwrap();
        assert_eq!(h.state, HealthState::Warning, "{h:?}");
        assert_eq!(h.reasons, ["4 under-replicated partitions on broker 2"]);
        assert_eq!(
            h.brokers[1].kafka_from.as_ref().unwrap().source,
            FigureSource::CloudWatch
        );
        // The probe is newer: its figures are used.
        let old = metrics(vec![healthy_broker(1, "2026-12-03T09:00:00Z")], 1, T1);
        let h = judge(&c, Some(&r), Some(&old)).unwrap();
        assert_eq!(h.state, HealthState::Healthy, "{h:?}");
        assert_eq!(
            h.brokers[0].kafka_from.as_ref().unwrap().source,
            FigureSource::Exporter
        );
        // Without CloudWatch, the exporter rules as before.
        assert_eq!(judge(&c, Some(&r), None), cluster_health(&c, &r));
    }

    #[test]
    fn express_brokers_need_no_data_volume() {
        let mut c = cluster(false, false);
        c.instance_type = Some("express.m7g.large".into());
        let mut b = healthy_broker(1, T0);
        b.disk_used = None;
        let mut b2 = healthy_broker(2, T0);
        b2.disk_used = None;
        let h = judge(&c, None, Some(&metrics(vec![b, b2], 1, T0))).unwrap();
        assert_eq!(h.state, HealthState::Healthy, "{h:?}");
    }

    #[test]
    fn serverless_is_judged_by_consumer_lag() {
        let mut c = cluster(false, false);
        c.kind = crate::model::ClusterKind::Serverless;
        c.brokers.clear();
        let lag = |group: &str, topic: &str, s: u64| ConsumerLag {
            group: group.into(),
            topic: topic.into(),
            time_lag_seconds: d(s, T0),
            max_offset_lag: d(s * 10, T0),
            recent: vec![],
        };
        let mut m = metrics(Vec::new(), 1, T0);
        m.active_controllers = None;
        m.offline_partitions = None;
        m.global_partitions = None;
        m.lag = vec![
            lag("billing", "orders", 250),
            lag("audit", "orders", 4 * 60 + 10),
        ];
        let h = judge(&c, None, Some(&m)).unwrap();
        assert_eq!(h.state, HealthState::Healthy, "{h:?}");
        m.lag.push(lag("billing", "refunds", 301));
        let h = judge(&c, None, Some(&m)).unwrap();
        assert_eq!(h.state, HealthState::Warning);
        assert_eq!(h.reasons, ["billing is 5 min behind on refunds"]);
        m.lag.clear();
        m.global_partitions = d(3, T0);
        let h = judge(&c, None, Some(&m)).unwrap();
        assert_eq!(h.state, HealthState::Unknown);
        assert_eq!(behind(7500), "2 h 5 min");
    }
}
