//! What CloudWatch says about a cluster: the DEFAULT-level `AWS/Kafka` metrics MSK
//! publishes for every cluster at no cost (open monitoring or not, serverless too), and
//! the alarms on them.
//!
//! Figures are whole numbers (counts, seconds, offsets) and per-mille shares, like the
//! exporters' ([`super::Figures`]), each with the time of the datapoint it came from, so
//! the health rules can use whichever source is fresher and say which.
//!
//! Which metric is read for which kind of cluster, and why those alarms are the key
//! ones, is in docs/health.md.

use serde::{Deserialize, Serialize};

use super::{Cluster, ClusterKind};

/// One datapoint: its value and when CloudWatch has it (RFC 3339, UTC).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Datum<T> {
    pub value: T,
    pub at: String,
}

/// One broker's health figures from CloudWatch (`Cluster Name`, `Broker ID`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BrokerMetrics {
    pub broker_id: u32,
    /// `UnderReplicatedPartitions`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub under_replicated: Option<Datum<u32>>,
    /// `UnderMinIsrPartitionCount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub under_min_isr: Option<Datum<u32>>,
    /// `KafkaDataLogsDiskUsed`, per mille (Standard brokers; Express storage is managed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk_used: Option<Datum<u16>>,
    /// `CpuUser` + `CpuSystem`, per mille.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_busy: Option<Datum<u16>>,
    /// `MemoryUsed` of `MemoryUsed` + `MemoryFree`, per mille.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_used: Option<Datum<u16>>,
}

/// How far one consumer group is behind on one topic (`Consumer Group`, `Topic`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ConsumerLag {
    pub group: String,
    pub topic: String,
    /// Seconds: `EstimatedMaxTimeLag` (provisioned) or `MaxEstimatedTimeLag`
    /// (serverless).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_lag_seconds: Option<Datum<u64>>,
    /// `MaxOffsetLag`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_offset_lag: Option<Datum<u64>>,
    /// The time lag at each CloudWatch read of the last hour, oldest first (the
    /// sparkline).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recent: Vec<LagPoint>,
}

/// The time lag one CloudWatch read found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LagPoint {
    /// Unix seconds of the read.
    pub at: i64,
    pub seconds: u64,
}

/// How far back the lag sparkline reaches.
pub const LAG_HISTORY_SECONDS: i64 = 3600;

impl ClusterMetrics {
    /// Carries each consumer group's recent time lags over from the previous reading
    /// (`old`) and adds this read's, at `now`: the last hour, one point per read.
    pub fn carry_lag_history(&mut self, old: Option<&ClusterMetrics>, now: i64) {
        for l in &mut self.lag {
            let mut recent: Vec<LagPoint> = old
                .and_then(|o| {
                    o.lag
                        .iter()
                        .find(|p| p.group == l.group && p.topic == l.topic)
                })
                .map(|p| {
                    p.recent
                        .iter()
                        .copied()
                        .filter(|p| p.at > now - LAG_HISTORY_SECONDS && p.at < now)
                        .collect()
                })
                .unwrap_or_default();
            if let Some(d) = &l.time_lag_seconds {
                recent.push(LagPoint {
                    at: now,
                    seconds: d.value,
                });
            }
            l.recent = recent;
        }
    }
}

/// Everything the last CloudWatch sweep read about one cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ClusterMetrics {
    /// When the sweep read it (RFC 3339).
    pub checked_at: String,
    /// `ActiveControllerCount` (`Cluster Name`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_controllers: Option<Datum<u32>>,
    /// `OfflinePartitionsCount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offline_partitions: Option<Datum<u32>>,
    /// `GlobalPartitionCount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub global_partitions: Option<Datum<u32>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub brokers: Vec<BrokerMetrics>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lag: Vec<ConsumerLag>,
}

impl ClusterMetrics {
    /// Whether any figure had a datapoint.
    pub fn has_data(&self) -> bool {
        self.active_controllers.is_some()
            || self.offline_partitions.is_some()
            || self.global_partitions.is_some()
            || self.brokers.iter().any(|b| {
                b.under_replicated.is_some()
                    || b.under_min_isr.is_some()
                    || b.disk_used.is_some()
                    || b.cpu_busy.is_some()
                    || b.memory_used.is_some()
            })
            || self
                .lag
                .iter()
                .any(|l| l.time_lag_seconds.is_some() || l.max_offset_lag.is_some())
    }

    pub fn broker(&self, id: u32) -> Option<&BrokerMetrics> {
        self.brokers.iter().find(|b| b.broker_id == id)
    }
}

/// An alarm's state, as `DescribeAlarms` says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AlarmState {
    Ok,
    Alarm,
    InsufficientData,
}

impl AlarmState {
    pub fn parse(s: &str) -> Option<AlarmState> {
        match s {
            "OK" => Some(AlarmState::Ok),
            "ALARM" => Some(AlarmState::Alarm),
            "INSUFFICIENT_DATA" => Some(AlarmState::InsufficientData),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AlarmState::Ok => "OK",
            AlarmState::Alarm => "ALARM",
            AlarmState::InsufficientData => "INSUFFICIENT_DATA",
        }
    }
}

/// One alarm that watches a cluster's metric.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AlarmRef {
    pub name: String,
    pub state: AlarmState,
}

/// The alarms on one key metric of a cluster (none: nobody would be told).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct KeyAlarms {
    pub metric: String,
    pub alarms: Vec<AlarmRef>,
    /// For a per-broker metric: the brokers no alarm watches (an alarm without a
    /// `Broker ID`, such as metric math over every broker, watches them all).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing_brokers: Vec<u32>,
}

impl KeyAlarms {
    /// Whether an alarm would fire for this metric on every broker it applies to.
    pub fn covered(&self) -> bool {
        !self.alarms.is_empty() && self.missing_brokers.is_empty()
    }

    /// "KafkaDataLogsDiskUsed", or "KafkaDataLogsDiskUsed (brokers 2, 3)" when some
    /// brokers have alarms and these do not.
    pub fn describe_missing(&self) -> String {
        if self.alarms.is_empty() || self.missing_brokers.is_empty() {
            return self.metric.clone();
        }
        let ids: Vec<String> = self.missing_brokers.iter().map(u32::to_string).collect();
        format!(
            "{} (broker{} {})",
            self.metric,
            if ids.len() == 1 { "" } else { "s" },
            ids.join(", ")
        )
    }
}

/// Which key metrics of a cluster have an alarm.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AlarmCoverage {
    /// When the alarms were read (RFC 3339).
    pub checked_at: String,
    pub key: Vec<KeyAlarms>,
}

impl AlarmCoverage {
    /// How many of the key metrics have alarms on every broker they apply to.
    pub fn covered(&self) -> usize {
        self.key.iter().filter(|k| k.covered()).count()
    }

    /// The key metrics (or brokers of them) nobody watches.
    pub fn missing(&self) -> Vec<String> {
        self.key
            .iter()
            .filter(|k| !k.covered())
            .map(KeyAlarms::describe_missing)
            .collect()
    }

    /// Whether every key metric is watched.
    pub fn complete(&self) -> bool {
        self.covered() == self.key.len()
    }

    /// "3 of 4".
    pub fn summary(&self) -> String {
        format!("{} of {}", self.covered(), self.key.len())
    }

    /// The watched alarms that are firing.
    pub fn firing(&self) -> Vec<&AlarmRef> {
        let mut out: Vec<&AlarmRef> = self
            .key
            .iter()
            .flat_map(|k| &k.alarms)
            .filter(|a| a.state == AlarmState::Alarm)
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out.dedup_by(|a, b| a.name == b.name);
        out
    }
}

/// What the CloudWatch sweeps know about one cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CloudWatchReading {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<ClusterMetrics>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alarms: Option<AlarmCoverage>,
}

/// How one source and region's CloudWatch sweep went.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloudWatchSource {
    pub source: String,
    pub region: String,
    /// RFC 3339 time of the last sweep that read the metrics.
    pub last_ok: Option<String>,
    pub last_attempt: Option<String>,
    /// Why the last sweep could not read the metrics (its figures are from `last_ok`).
    pub error: Option<super::SourceError>,
    /// What it could not read without failing (a missing `cloudwatch:DescribeAlarms`
    /// permission leaves the metrics whole).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// GetMetricData and DescribeAlarms calls the last sweep made here.
    #[serde(default)]
    pub calls: u32,
}

/// The kinds of clusters whose metrics differ (see docs/health.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricsKind {
    /// Provisioned, Standard brokers (EBS data volumes).
    Standard,
    /// Provisioned, Express brokers (`express.*` instance types; storage is managed).
    Express,
    /// Serverless: per topic and consumer lag only.
    Serverless,
}

impl MetricsKind {
    pub fn of(cluster: &Cluster) -> MetricsKind {
        match cluster.kind {
            ClusterKind::Serverless => MetricsKind::Serverless,
            _ if cluster
                .instance_type
                .as_deref()
                .is_some_and(|t| t.starts_with("express.")) =>
            {
                MetricsKind::Express
            }
            _ => MetricsKind::Standard,
        }
    }

    /// The metrics whose alarms a team lead wants in place, worst consequence first
    /// (docs/health.md says why each).
    pub fn key_alarm_metrics(self) -> &'static [&'static str] {
        match self {
            MetricsKind::Standard => &[
                "ActiveControllerCount",
                "OfflinePartitionsCount",
                "UnderMinIsrPartitionCount",
                "KafkaDataLogsDiskUsed",
            ],
            MetricsKind::Express => &["ActiveControllerCount", "UnderMinIsrPartitionCount"],
            MetricsKind::Serverless => &["MaxEstimatedTimeLag"],
        }
    }

    /// The consumer lag metric, in seconds, this kind publishes.
    pub fn time_lag_metric(self) -> &'static str {
        match self {
            MetricsKind::Serverless => "MaxEstimatedTimeLag",
            _ => "EstimatedMaxTimeLag",
        }
    }
}

#[cfg(test)]
mod lag_history_tests {
    use super::*;

    #[test]
    fn lag_history_keeps_the_last_hour_one_point_per_read() {
        let lag = |s: u64| ConsumerLag {
            group: "billing".into(),
            topic: "orders".into(),
            time_lag_seconds: Some(Datum {
                value: s,
                at: "t".into(),
            }),
            max_offset_lag: None,
            recent: vec![],
        };
        let mut old = ClusterMetrics {
            lag: vec![lag(10)],
            ..ClusterMetrics::default()
        };
        old.carry_lag_history(None, 1000);
        let mut reading = old.clone();
        for (i, s) in [20u64, 30, 40].into_iter().enumerate() {
            let mut next = ClusterMetrics {
                lag: vec![lag(s)],
                ..ClusterMetrics::default()
            };
            next.carry_lag_history(Some(&reading), 1000 + 1800 * (i as i64 + 1));
            reading = next;
        }
        // Reads at 1000, 2800, 4600, 6400: the last hour before 6400 holds 4600 and 6400.
        let points: Vec<(i64, u64)> = reading.lag[0]
            .recent
            .iter()
            .map(|p| (p.at, p.seconds))
            .collect();
        assert_eq!(points, [(4600, 30), (6400, 40)]);
    }
}
