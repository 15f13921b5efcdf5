//! Which `AWS/Kafka` series a region's clusters have, as GetMetricData queries, and the
//! answers read back into each cluster's [`ClusterMetrics`]. Pure: no calls here.
//!
//! Per provisioned cluster (`Cluster Name`): `ActiveControllerCount`,
//! `GlobalPartitionCount`, and `OfflinePartitionsCount` on Standard brokers; per broker
//! (`Cluster Name`, `Broker ID`): `UnderMinIsrPartitionCount`, `CpuUser`, `CpuSystem`,
//! `MemoryUsed`, `MemoryFree`, and on Standard brokers `UnderReplicatedPartitions` and
//! `KafkaDataLogsDiskUsed` (Express brokers publish neither: their storage and
//! replication are managed). Consumer lag (`Consumer Group`, `Topic`) is read for the
//! series ListMetrics names: `EstimatedMaxTimeLag` on provisioned clusters,
//! `MaxEstimatedTimeLag` on serverless ones, and `MaxOffsetLag`.
//!
//! Cluster-level figures are published by every broker, the active controller with
//! the real value and the others with 0, so every count is read as its `Maximum`.

use std::collections::BTreeMap;

use app::model::cloudwatch::{BrokerMetrics, ClusterMetrics, ConsumerLag, Datum, MetricsKind};
use app::model::Cluster;
use app::params::ClusterId;

/// The most queries one GetMetricData call takes.
pub const QUERIES_PER_CALL: usize = 500;

pub const NAMESPACE: &str = "AWS/Kafka";
pub const CLUSTER_NAME: &str = "Cluster Name";
pub const BROKER_ID: &str = "Broker ID";
pub const CONSUMER_GROUP: &str = "Consumer Group";
pub const TOPIC: &str = "Topic";

/// What a series is a figure of.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Figure {
    ActiveControllers,
    OfflinePartitions,
    GlobalPartitions,
    Broker(u32, BrokerFigure),
    Lag {
        group: String,
        topic: String,
        what: LagFigure,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BrokerFigure {
    UnderReplicated,
    UnderMinIsr,
    DiskUsed,
    CpuUser,
    CpuSystem,
    MemoryUsed,
    MemoryFree,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LagFigure {
    TimeLag,
    OffsetLag,
}

/// One series to read: its metric, dimensions and statistic, and what it means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Series {
    pub cluster: ClusterId,
    pub metric: &'static str,
    pub dimensions: Vec<(&'static str, String)>,
    /// `Maximum` for counts and shares of capacity, `Average` for CPU and memory.
    pub stat: &'static str,
    pub figure: Figure,
}

/// A consumer-lag series ListMetrics named: which cluster, group and topic, which
/// metric.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LagSeries {
    pub cluster_name: String,
    pub group: String,
    pub topic: String,
    pub metric: String,
}

const BROKER_SERIES: [(&str, BrokerFigure, &str); 7] = [
    (
        "UnderReplicatedPartitions",
        BrokerFigure::UnderReplicated,
        "Maximum",
    ),
    (
        "UnderMinIsrPartitionCount",
        BrokerFigure::UnderMinIsr,
        "Maximum",
    ),
    ("KafkaDataLogsDiskUsed", BrokerFigure::DiskUsed, "Maximum"),
    ("CpuUser", BrokerFigure::CpuUser, "Average"),
    ("CpuSystem", BrokerFigure::CpuSystem, "Average"),
    ("MemoryUsed", BrokerFigure::MemoryUsed, "Average"),
    ("MemoryFree", BrokerFigure::MemoryFree, "Average"),
];

/// The broker ids of a cluster: from ListNodes, else numbered up to its broker count.
pub fn broker_ids(c: &Cluster) -> Vec<u32> {
    if !c.brokers.is_empty() {
        return c.brokers.iter().map(|b| b.id).collect();
    }
    (1..=c.broker_count.unwrap_or(0)).collect()
}

/// Every series to read for `clusters` (one region's), with the lag series ListMetrics
/// found there.
pub fn series(clusters: &[&Cluster], lag: &[LagSeries]) -> Vec<Series> {
    let mut out = cluster_series(clusters);
    out.extend(lag_queries(clusters, lag));
    out
}

/// The consumer-lag metrics to ask ListMetrics about for `clusters`: the time lag
/// each kind publishes, and the offset lag.
pub fn lag_metrics(clusters: &[&Cluster]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = clusters
        .iter()
        .map(|c| MetricsKind::of(c).time_lag_metric())
        .collect();
    out.sort_unstable();
    out.dedup();
    if !out.is_empty() {
        out.push("MaxOffsetLag");
    }
    out
}

/// The cluster and broker series of `clusters`, which need no listing first.
pub fn cluster_series(clusters: &[&Cluster]) -> Vec<Series> {
    let mut out = Vec::new();
    for c in clusters {
        let kind = MetricsKind::of(c);
        let cluster_dim = || vec![(CLUSTER_NAME, c.name.clone())];
        if kind != MetricsKind::Serverless {
            for (metric, figure) in [
                ("ActiveControllerCount", Figure::ActiveControllers),
                ("OfflinePartitionsCount", Figure::OfflinePartitions),
                ("GlobalPartitionCount", Figure::GlobalPartitions),
            ] {
                if figure == Figure::OfflinePartitions && kind == MetricsKind::Express {
                    continue;
                }
                out.push(Series {
                    cluster: c.id.clone(),
                    metric,
                    dimensions: cluster_dim(),
                    stat: "Maximum",
                    figure,
                });
            }
            for id in broker_ids(c) {
                for (metric, figure, stat) in BROKER_SERIES {
                    let standard_only = matches!(
                        figure,
                        BrokerFigure::DiskUsed | BrokerFigure::UnderReplicated
                    );
                    if standard_only && kind == MetricsKind::Express {
                        continue;
                    }
                    out.push(Series {
                        cluster: c.id.clone(),
                        metric,
                        dimensions: vec![
                            (CLUSTER_NAME, c.name.clone()),
                            (BROKER_ID, id.to_string()),
                        ],
                        stat,
                        figure: Figure::Broker(id, figure),
                    });
                }
            }
        }
    }
    out
}

/// The queries for the lag series ListMetrics found, of the clusters they belong to.
pub fn lag_queries(clusters: &[&Cluster], lag: &[LagSeries]) -> Vec<Series> {
    let by_name: std::collections::HashMap<&str, &Cluster> =
        clusters.iter().map(|c| (c.name.as_str(), *c)).collect();
    let mut out = Vec::new();
    for l in lag {
        let Some(c) = by_name.get(l.cluster_name.as_str()) else {
            continue;
        };
        let kind = MetricsKind::of(c);
        let (metric, what) = match l.metric.as_str() {
            "MaxOffsetLag" => ("MaxOffsetLag", LagFigure::OffsetLag),
            m if m == kind.time_lag_metric() => (kind.time_lag_metric(), LagFigure::TimeLag),
            _ => continue,
        };
        out.push(Series {
            cluster: c.id.clone(),
            metric,
            dimensions: vec![
                (CLUSTER_NAME, c.name.clone()),
                (CONSUMER_GROUP, l.group.clone()),
                (TOPIC, l.topic.clone()),
            ],
            stat: "Maximum",
            figure: Figure::Lag {
                group: l.group.clone(),
                topic: l.topic.clone(),
                what,
            },
        });
    }
    out
}

/// The query id of the `n`th series: GetMetricData ids start with a lower-case letter.
pub fn query_id(n: usize) -> String {
    format!("q{n}")
}

/// The newest datapoint of one series, as the sweep read it.
#[derive(Clone, Debug, PartialEq)]
pub struct Reading {
    pub value: f64,
    /// RFC 3339, UTC.
    pub at: String,
}

fn count(r: &Reading) -> Option<u32> {
    (r.value.is_finite() && r.value >= 0.0).then(|| r.value.round().min(u32::MAX as f64) as u32)
}

fn big(r: &Reading) -> Option<u64> {
    (r.value.is_finite() && r.value >= 0.0).then(|| r.value.round().min(u64::MAX as f64) as u64)
}

/// A percentage as per mille, within 0..=1000.
fn per_mille(percent: f64) -> Option<u16> {
    percent
        .is_finite()
        .then(|| (percent * 10.0).round().clamp(0.0, 1000.0) as u16)
}

fn older(a: &str, b: &str) -> String {
    if a < b { a } else { b }.to_string()
}

/// Each cluster's metrics from the readings of `series` (same order; `None`: no
/// datapoint in the window). Every cluster of `clusters` gets an entry, empty when
/// CloudWatch had nothing for it.
pub fn assemble(
    clusters: &[&Cluster],
    series: &[Series],
    readings: &[Option<Reading>],
    checked_at: &str,
) -> BTreeMap<ClusterId, ClusterMetrics> {
    let mut out: BTreeMap<ClusterId, ClusterMetrics> = clusters
        .iter()
        .map(|c| {
            (
                c.id.clone(),
                ClusterMetrics {
                    checked_at: checked_at.to_string(),
                    ..ClusterMetrics::default()
                },
            )
        })
        .collect();
    // CPU and memory come in two series each; keep the halves until both are read.
    let mut halves: BTreeMap<(ClusterId, u32), [Option<Reading>; 4]> = BTreeMap::new();
    let mut lag: BTreeMap<(ClusterId, String, String), ConsumerLag> = BTreeMap::new();
    for (s, r) in series.iter().zip(readings) {
        let Some(r) = r else { continue };
        let Some(m) = out.get_mut(&s.cluster) else {
            continue;
        };
        let datum = |v| Datum {
            value: v,
            at: r.at.clone(),
        };
        match &s.figure {
            Figure::ActiveControllers => m.active_controllers = count(r).map(datum),
            Figure::OfflinePartitions => m.offline_partitions = count(r).map(datum),
            Figure::GlobalPartitions => m.global_partitions = count(r).map(datum),
            Figure::Broker(id, f) => {
                let i = match m.brokers.iter().position(|b| b.broker_id == *id) {
                    Some(i) => i,
                    None => {
                        m.brokers.push(BrokerMetrics {
                            broker_id: *id,
                            ..BrokerMetrics::default()
                        });
                        m.brokers.len() - 1
                    }
                };
                let b = &mut m.brokers[i];
                let half = |i: usize, halves: &mut BTreeMap<_, [Option<Reading>; 4]>| {
                    halves.entry((s.cluster.clone(), *id)).or_default()[i] = Some(r.clone());
                };
                match f {
                    BrokerFigure::UnderReplicated => {
                        b.under_replicated = count(r).map(|v| Datum {
                            value: v,
                            at: r.at.clone(),
                        })
                    }
                    BrokerFigure::UnderMinIsr => {
                        b.under_min_isr = count(r).map(|v| Datum {
                            value: v,
                            at: r.at.clone(),
                        })
                    }
                    BrokerFigure::DiskUsed => {
                        b.disk_used = per_mille(r.value).map(|v| Datum {
                            value: v,
                            at: r.at.clone(),
                        })
                    }
                    BrokerFigure::CpuUser => half(0, &mut halves),
                    BrokerFigure::CpuSystem => half(1, &mut halves),
                    BrokerFigure::MemoryUsed => half(2, &mut halves),
                    BrokerFigure::MemoryFree => half(3, &mut halves),
                }
            }
            Figure::Lag { group, topic, what } => {
                let l = lag
                    .entry((s.cluster.clone(), group.clone(), topic.clone()))
                    .or_insert_with(|| ConsumerLag {
                        group: group.clone(),
                        topic: topic.clone(),
                        time_lag_seconds: None,
                        max_offset_lag: None,
                        recent: Vec::new(),
                    });
                let d = big(r).map(|v| Datum {
                    value: v,
                    at: r.at.clone(),
                });
                match what {
                    LagFigure::TimeLag => l.time_lag_seconds = d,
                    LagFigure::OffsetLag => l.max_offset_lag = d,
                }
            }
        }
    }
    for ((cluster, id), [user, system, used, free]) in halves {
        let Some(b) = out
            .get_mut(&cluster)
            .and_then(|m| m.brokers.iter_mut().find(|b| b.broker_id == id))
        else {
            continue;
        };
        if let (Some(u), Some(s)) = (&user, &system) {
            b.cpu_busy = per_mille(u.value + s.value).map(|v| Datum {
                value: v,
                at: older(&u.at, &s.at),
            });
        }
        if let (Some(u), Some(f)) = (&used, &free) {
            let total = u.value + f.value;
            if total > 0.0 {
                b.memory_used = per_mille(u.value / total * 100.0).map(|v| Datum {
                    value: v,
                    at: older(&u.at, &f.at),
                });
            }
        }
    }
    for ((cluster, _, _), l) in lag {
        if let Some(m) = out.get_mut(&cluster) {
            m.lag.push(l);
        }
    }
    for m in out.values_mut() {
        m.brokers.sort_by_key(|b| b.broker_id);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::ClusterKind;

    fn cluster(name: &str, instance: &str, brokers: u32) -> Cluster {
        let mut c = app::model::fixtures::cluster(name, "test", "eu-west-1");
        c.instance_type = Some(instance.into());
        c.brokers = app::model::fixtures::brokers(name, brokers);
        c
    }

    fn at(s: &str) -> Option<Reading> {
        s.split_once('@').map(|(v, t)| Reading {
            value: v.parse().unwrap(),
            at: t.into(),
        })
    }

    #[test]
    fn every_figure_of_every_broker_is_one_query_and_reads_back() {
        let orders = cluster("orders", "kafka.m7g.large", 2);
        let express = cluster("events", "express.m7g.large", 1);
        let mut serverless = cluster("stream", "", 0);
        serverless.kind = ClusterKind::Serverless;
        let lag = vec![
            LagSeries {
                cluster_name: "stream".into(),
                group: "billing".into(),
                topic: "orders".into(),
                metric: "MaxEstimatedTimeLag".into(),
            },
            LagSeries {
                cluster_name: "stream".into(),
                group: "billing".into(),
                topic: "orders".into(),
                metric: "EstimatedMaxTimeLag".into(),
            },
        ];
        let all = [&orders, &express, &serverless];
        let s = series(&all, &lag);
        // 3 + 7 × 2 for orders, 2 + 5 for Express (no data volume, no replication
        // counts), 1 lag series (the provisioned name does not apply to a serverless
        // cluster).
        assert_eq!(s.len(), 3 + 14 + 2 + 5 + 1);
        for absent in [
            "KafkaDataLogsDiskUsed",
            "UnderReplicatedPartitions",
            "OfflinePartitionsCount",
        ] {
            assert!(!s
                .iter()
                .any(|x| x.cluster == express.id && x.metric == absent));
        }
        let t = "2026-12-03T10:00:00Z";
        let t2 = "2026-12-03T10:01:00Z";
        let readings: Vec<Option<Reading>> = s
            .iter()
            .map(|x| match (&x.figure, x.cluster == orders.id) {
                (Figure::ActiveControllers, true) => at(&format!("1@{t}")),
                (Figure::Broker(2, BrokerFigure::UnderReplicated), true) => at(&format!("3@{t}")),
                (Figure::Broker(_, BrokerFigure::DiskUsed), true) => at(&format!("91.5@{t}")),
                (Figure::Broker(_, BrokerFigure::CpuUser), true) => at(&format!("60@{t}")),
                (Figure::Broker(_, BrokerFigure::CpuSystem), true) => at(&format!("25.5@{t2}")),
                (Figure::Broker(_, BrokerFigure::MemoryUsed), true) => at(&format!("3@{t}")),
                (Figure::Broker(_, BrokerFigure::MemoryFree), true) => at(&format!("1@{t}")),
                (Figure::Lag { .. }, _) => at(&format!("320@{t}")),
                _ => None,
            })
            .collect();
        let m = assemble(&all, &s, &readings, t2);
        let o = &m[&orders.id];
        assert_eq!(o.active_controllers.as_ref().unwrap().value, 1);
        assert_eq!(o.offline_partitions, None);
        let b2 = o.broker(2).unwrap();
        assert_eq!(b2.under_replicated.as_ref().unwrap().value, 3);
        assert_eq!(b2.disk_used.as_ref().unwrap().value, 915);
        let cpu = b2.cpu_busy.as_ref().unwrap();
        assert_eq!(
            (cpu.value, cpu.at.as_str()),
            (855, t),
            "the older half's time"
        );
        assert_eq!(b2.memory_used.as_ref().unwrap().value, 750);
        assert_eq!(o.broker(1).unwrap().under_replicated, None);
        assert!(!m[&express.id].has_data());
        let l = &m[&serverless.id].lag[0];
        assert_eq!((l.group.as_str(), l.topic.as_str()), ("billing", "orders"));
        assert_eq!(l.time_lag_seconds.as_ref().unwrap().value, 320);
        // Nonsense from CloudWatch is no figure.
        assert_eq!(per_mille(f64::NAN), None);
        assert_eq!(per_mille(250.0), Some(1000));
        assert_eq!(
            count(&Reading {
                value: -1.0,
                at: t.into()
            }),
            None
        );
    }
}
