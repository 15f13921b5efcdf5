//! Which key metrics of a region's clusters have alarms: the alarms DescribeAlarms
//! listed, matched to the clusters by namespace, metric name and dimensions. Pure: no
//! calls here.
//!
//! An alarm watches a cluster's metric when it (or one of its metric-math inputs) reads
//! that metric in `AWS/Kafka` with the cluster's `Cluster Name`. For a per-broker metric
//! an alarm with a `Broker ID` watches that broker only, and one without watches them
//! all. Metric math built on `SEARCH` names no metric, so it watches nothing here
//! (docs/health.md says so).

use std::collections::{BTreeMap, BTreeSet};

use app::model::cloudwatch::{AlarmCoverage, AlarmRef, AlarmState, KeyAlarms, MetricsKind};
use app::model::Cluster;
use app::params::ClusterId;

use super::metrics::{broker_ids, BROKER_ID, CLUSTER_NAME, NAMESPACE};

/// One metric an alarm reads (only `AWS/Kafka` metrics are kept).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Watched {
    pub metric: String,
    pub cluster_name: Option<String>,
    pub broker_id: Option<String>,
}

impl Watched {
    /// The watched metric, if it is in `AWS/Kafka`.
    pub fn of<'a>(
        namespace: Option<&str>,
        metric: Option<&str>,
        dimensions: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Option<Watched> {
        if namespace != Some(NAMESPACE) {
            return None;
        }
        let mut w = Watched {
            metric: metric?.to_string(),
            cluster_name: None,
            broker_id: None,
        };
        for (name, value) in dimensions {
            match name {
                CLUSTER_NAME => w.cluster_name = Some(value.to_string()),
                BROKER_ID => w.broker_id = Some(value.to_string()),
                _ => {}
            }
        }
        Some(w)
    }
}

/// A metric alarm as DescribeAlarms lists it, reduced to what coverage needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alarm {
    pub name: String,
    pub state: AlarmState,
    pub watches: Vec<Watched>,
}

/// Whether a key metric is published per broker (its alarms name a `Broker ID`).
pub fn per_broker(metric: &str) -> bool {
    matches!(
        metric,
        "UnderMinIsrPartitionCount" | "UnderReplicatedPartitions" | "KafkaDataLogsDiskUsed"
    )
}

/// Each cluster's alarm coverage from one region's alarms.
pub fn coverage(
    clusters: &[&Cluster],
    alarms: &[Alarm],
    checked_at: &str,
) -> BTreeMap<ClusterId, AlarmCoverage> {
    // Alarms by the cluster name they watch, so a region of many clusters and many
    // alarms is matched in one pass.
    let mut by_cluster: BTreeMap<&str, Vec<(&Alarm, &Watched)>> = BTreeMap::new();
    for a in alarms {
        for w in &a.watches {
            if let Some(name) = &w.cluster_name {
                by_cluster.entry(name.as_str()).or_default().push((a, w));
            }
        }
    }
    clusters
        .iter()
        .map(|c| {
            let watching = by_cluster
                .get(c.name.as_str())
                .map(Vec::as_slice)
                .unwrap_or_default();
            let key = MetricsKind::of(c)
                .key_alarm_metrics()
                .iter()
                .map(|metric| key_alarms(c, metric, watching))
                .collect();
            (
                c.id.clone(),
                AlarmCoverage {
                    checked_at: checked_at.to_string(),
                    key,
                },
            )
        })
        .collect()
}

fn key_alarms(c: &Cluster, metric: &str, watching: &[(&Alarm, &Watched)]) -> KeyAlarms {
    let on_metric: Vec<&(&Alarm, &Watched)> = watching
        .iter()
        .filter(|(_, w)| w.metric == metric)
        .collect();
    let mut alarms: Vec<AlarmRef> = on_metric
        .iter()
        .map(|(a, _)| AlarmRef {
            name: a.name.clone(),
            state: a.state,
        })
        .collect();
    alarms.sort_by(|a, b| a.name.cmp(&b.name));
    alarms.dedup();
    let missing_brokers =
        if per_broker(metric) && !on_metric.iter().any(|(_, w)| w.broker_id.is_none()) {
            let watched: BTreeSet<&str> = on_metric
                .iter()
                .filter_map(|(_, w)| w.broker_id.as_deref())
                .collect();
            broker_ids(c)
                .into_iter()
                .filter(|id| !watched.contains(id.to_string().as_str()))
                .collect()
        } else {
            Vec::new()
        };
    KeyAlarms {
        metric: metric.to_string(),
        alarms,
        missing_brokers,
    }
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

    fn alarm(
        name: &str,
        state: AlarmState,
        metric: &str,
        cluster: &str,
        broker: Option<&str>,
    ) -> Alarm {
        let mut dims = vec![(CLUSTER_NAME, cluster)];
        if let Some(b) = broker {
            dims.push((BROKER_ID, b));
        }
        Alarm {
            name: name.into(),
            state,
            watches: Watched::of(Some(NAMESPACE), Some(metric), dims)
                .into_iter()
                .collect(),
        }
    }

    #[test]
    fn a_key_metric_is_covered_when_every_broker_it_applies_to_is_watched() {
        let orders = cluster("orders", "kafka.m7g.large", 3);
        let alarms = vec![
            alarm(
                "orders-controller",
                AlarmState::Ok,
                "ActiveControllerCount",
                "orders",
                None,
            ),
            alarm(
                "orders-offline",
                AlarmState::Alarm,
                "OfflinePartitionsCount",
                "orders",
                None,
            ),
            // The disk of brokers 1 and 3 only.
            alarm(
                "orders-disk-1",
                AlarmState::Ok,
                "KafkaDataLogsDiskUsed",
                "orders",
                Some("1"),
            ),
            alarm(
                "orders-disk-3",
                AlarmState::InsufficientData,
                "KafkaDataLogsDiskUsed",
                "orders",
                Some("3"),
            ),
            // Another cluster's, another namespace's and an unkeyed metric's alarms.
            alarm(
                "payments-min-isr",
                AlarmState::Ok,
                "UnderMinIsrPartitionCount",
                "payments",
                None,
            ),
            Alarm {
                name: "ec2".into(),
                state: AlarmState::Ok,
                watches: Watched::of(
                    Some("AWS/EC2"),
                    Some("UnderMinIsrPartitionCount"),
                    [(CLUSTER_NAME, "orders")],
                )
                .into_iter()
                .collect(),
            },
            alarm("orders-cpu", AlarmState::Ok, "CpuUser", "orders", Some("1")),
        ];
        let cov = &coverage(&[&orders], &alarms, "t")[&orders.id];
        assert_eq!(cov.summary(), "2 of 4");
        assert_eq!(
            cov.missing(),
            vec![
                "UnderMinIsrPartitionCount",
                "KafkaDataLogsDiskUsed (broker 2)"
            ]
        );
        assert_eq!(cov.firing().len(), 1);
        assert_eq!(cov.firing()[0].name, "orders-offline");
        assert!(!cov.complete());
    }

    #[test]
    fn an_alarm_without_a_broker_watches_them_all_and_serverless_has_its_own_keys() {
        let orders = cluster("orders", "kafka.m7g.large", 2);
        let mut stream = cluster("stream", "", 0);
        stream.kind = ClusterKind::Serverless;
        let math = Alarm {
            name: "orders-min-isr-any".into(),
            state: AlarmState::Ok,
            watches: vec![Watched::of(
                Some(NAMESPACE),
                Some("UnderMinIsrPartitionCount"),
                [(CLUSTER_NAME, "orders")],
            )
            .unwrap()],
        };
        let lag = alarm(
            "stream-lag",
            AlarmState::Ok,
            "MaxEstimatedTimeLag",
            "stream",
            None,
        );
        let cov = coverage(&[&orders, &stream], &[math, lag], "t");
        assert!(
            cov[&orders.id].key[2].covered(),
            "{:?}",
            cov[&orders.id].key[2]
        );
        assert_eq!(cov[&stream.id].summary(), "1 of 1");
        assert!(cov[&stream.id].complete());
    }
}
