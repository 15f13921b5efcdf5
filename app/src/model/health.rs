//! Broker and cluster health, judged from the figures the exporter probes read: the
//! Kafka broker's own counters (JMX exporter) and the host's (node exporter).
//!
//! The rules, worst first (the same thresholds as the downloadable alert rules):
//! - **critical**: an offline partition; a cluster whose active controllers do not sum
//!   to exactly one; a partition under its minimum ISR; a data volume
//!   [`VOLUME_CRITICAL`] or more full;
//! - **warning**: under-replicated partitions; offline replicas; a data volume
//!   [`VOLUME_WARNING`] or more full; CPU [`CPU_WARNING`] or more busy; memory
//!   [`MEMORY_WARNING`] or more used;
//! - **unknown**: a figure the rules need is missing (the exporter is down, or does not
//!   serve it). A missing figure never counts as healthy;
//! - **healthy**: every figure is there and within bounds.
//!
//! Figures are whole numbers (counts) and per-mille shares, so a probe stays `Eq` and
//! `Hash` like the rest of the model.

use serde::{Deserialize, Serialize};

use super::{Cluster, ClusterReachability, ExporterProbe, ProbeState};

/// Data volume used share (per mille) from which a broker is in warning.
pub const VOLUME_WARNING: u16 = 800;
/// Data volume used share (per mille) from which a broker is critical.
pub const VOLUME_CRITICAL: u16 = 900;
/// CPU busy share (per mille) from which a broker is in warning.
pub const CPU_WARNING: u16 = 900;
/// Memory used share (per mille) from which a broker is in warning.
pub const MEMORY_WARNING: u16 = 950;

/// How a broker or a cluster is doing, worst first (so sorting puts problems on top).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum HealthState {
    Critical,
    Warning,
    #[default]
    Unknown,
    Healthy,
}

impl HealthState {
    pub fn label(self) -> &'static str {
        match self {
            HealthState::Critical => "critical",
            HealthState::Warning => "warning",
            HealthState::Unknown => "unknown",
            HealthState::Healthy => "healthy",
        }
    }
}

impl std::fmt::Display for HealthState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// What one exporter's answer said about health. Every field is `None` when the answer
/// did not carry it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Figures {
    // From the JMX exporter (`kafka_server_ReplicaManager_Value{name=…}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub under_replicated: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub under_min_isr: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offline_replicas: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partitions: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leaders: Option<u32>,
    // From the JMX exporter (`kafka_controller_KafkaController_Value{name=…}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offline_partitions: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_controllers: Option<u32>,
    // From the node exporter, in per mille.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_busy: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_used: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume_used: Option<u16>,
    /// The data volume's mount point.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume: Option<String>,
}

impl Figures {
    pub fn is_empty(&self) -> bool {
        self == &Figures::default()
    }
}

/// Where a set of figures came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FigureSource {
    /// The broker's own exporters (open monitoring), asked by the console's probe.
    Exporter,
    /// The `AWS/Kafka` metrics MSK publishes to CloudWatch.
    #[serde(rename = "cloudwatch")]
    CloudWatch,
}

/// Where figures came from, and how recent they are: the probe's time, or the
/// CloudWatch datapoint's.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Origin {
    pub source: FigureSource,
    /// RFC 3339, UTC.
    pub at: String,
}

impl Origin {
    /// "from the JMX exporter" or "from CloudWatch, 2 min old" (its age when `now` was
    /// checked; RFC 3339 times).
    pub fn describe(&self, exporter: &str, now: &str) -> String {
        match self.source {
            FigureSource::Exporter => format!("from the {exporter}"),
            FigureSource::CloudWatch => match age_minutes(&self.at, now) {
                Some(0) => "from CloudWatch, under a minute old".into(),
                Some(m) => format!("from CloudWatch, {m} min old"),
                None => "from CloudWatch".into(),
            },
        }
    }
}

/// Whole minutes from `then` to `now` (RFC 3339 UTC times to the second); `None` if
/// either does not parse.
fn age_minutes(then: &str, now: &str) -> Option<i64> {
    let secs = |t: &str| -> Option<i64> {
        // YYYY-MM-DDTHH:MM:SS…Z: days from the civil date, then the time of day.
        let b = t.as_bytes();
        if b.len() < 19 || b[4] != b'-' || b[10] != b'T' {
            return None;
        }
        let n = |r: std::ops::Range<usize>| t.get(r)?.parse::<i64>().ok();
        let (y, m, d) = (n(0..4)?, n(5..7)?, n(8..10)?);
        let (hh, mm, ss) = (n(11..13)?, n(14..16)?, n(17..19)?);
        // Howard Hinnant's days_from_civil.
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146_097 + doe - 719_468;
        Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
    };
    Some(((secs(now)? - secs(then)?) / 60).max(0))
}

/// One broker's (or KRaft controller's) health and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokerHealth {
    /// The broker id; `None` for a KRaft controller.
    pub broker_id: Option<u32>,
    pub host: String,
    pub state: HealthState,
    /// Why, in words; empty when healthy.
    pub reasons: Vec<String>,
    /// Where its Kafka figures (partitions) came from; `None`: none were known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kafka_from: Option<Origin>,
    /// Where its host figures (disk, CPU, memory) came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_from: Option<Origin>,
}

/// A cluster's health: the worst of its brokers and its cluster-wide figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterHealth {
    pub state: HealthState,
    /// Why, in words, worst first; empty when healthy.
    pub reasons: Vec<String>,
    /// Active controllers summed over brokers and KRaft controllers (`None`: unknown).
    pub active_controllers: Option<u32>,
    /// Offline partitions (as the active controller counts them).
    pub offline_partitions: Option<u32>,
    /// Under-replicated partitions summed over brokers (`None`: some broker unknown).
    pub under_replicated: Option<u32>,
    pub brokers: Vec<BrokerHealth>,
    /// Where the cluster-wide figures (controllers, offline partitions) came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_from: Option<Origin>,
    /// When the figures were judged (RFC 3339): the newest probe or CloudWatch sweep.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub judged_at: Option<String>,
}

impl ClusterHealth {
    /// The one-line reason the list and coverage pages show: the worst reason, and how
    /// many more there are.
    pub fn summary(&self) -> String {
        match self.reasons.as_slice() {
            [] => self.state.label().to_string(),
            [one] => one.clone(),
            [first, rest @ ..] => format!("{first} (and {} more)", rest.len()),
        }
    }

    /// Which sources the figures came from, in words: "CloudWatch", "exporters" or
    /// "exporters and CloudWatch" (`None`: none recorded, as for a past state).
    pub fn judged_by(&self) -> Option<&'static str> {
        let origins = self.cluster_from.iter().chain(
            self.brokers
                .iter()
                .flat_map(|b| b.kafka_from.iter().chain(b.host_from.iter())),
        );
        let (mut exporter, mut cloudwatch) = (false, false);
        for o in origins {
            match o.source {
                FigureSource::Exporter => exporter = true,
                FigureSource::CloudWatch => cloudwatch = true,
            }
        }
        match (exporter, cloudwatch) {
            (true, true) => Some("exporters and CloudWatch"),
            (true, false) => Some("exporters"),
            (false, true) => Some("CloudWatch"),
            (false, false) => None,
        }
    }

    /// A past state as the history recorded it: only its state is kept.
    pub fn recorded(state: HealthState) -> ClusterHealth {
        ClusterHealth {
            state,
            reasons: vec!["as recorded at this snapshot (figures are not kept)".into()],
            active_controllers: None,
            offline_partitions: None,
            under_replicated: None,
            brokers: Vec::new(),
            cluster_from: None,
            judged_at: None,
        }
    }
}

/// A reason with the state it causes.
pub(super) struct Finding(pub HealthState, pub String);

pub(super) fn percent(per_mille: u16) -> String {
    format!("{}%", (per_mille + 5) / 10)
}

pub(super) fn plural(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The figures of the JMX answer, if it answered with metrics.
fn answered(p: &ExporterProbe) -> Option<&Figures> {
    matches!(p.state, ProbeState::Up | ProbeState::Unexpected).then_some(&p.figures)
}

/// Judges one broker from its JMX and node exporters' answers. `node_expected`: the
/// node exporter is enabled, so its figures are needed.
fn broker(
    who: &str,
    jmx: &ExporterProbe,
    node: Option<&ExporterProbe>,
    node_expected: bool,
) -> Vec<Finding> {
    let kafka = answered(jmx)
        .ok_or_else(|| format!("JMX exporter not answering on {who}: Kafka figures unknown"));
    let host = node.and_then(|node| match answered(node) {
        Some(f) => Some(Ok(f)),
        None if node_expected => Some(Err(format!(
            "node exporter not answering on {who}: host figures unknown"
        ))),
        None => None,
    });
    judge_broker(who, kafka, host, "node exporter", Needs::ALL)
}

/// Which figures a broker must have to be judged: what its source can publish.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Needs {
    /// The data volume's use (not on Express brokers, whose storage is managed).
    pub volume: bool,
    /// The ReplicaManager's counts (not in CloudWatch for Express brokers).
    pub replica_counts: bool,
}

impl Needs {
    pub(super) const ALL: Needs = Needs {
        volume: true,
        replica_counts: true,
    };
}

/// The rules for one broker, whatever its figures came from. `kafka`: its Kafka figures,
/// or why they are unknown; `host`: its host figures, why they are unknown, or `None`
/// when none are needed. `host_source` names where host figures come from in the
/// reasons ("node exporter", "CloudWatch").
pub(super) fn judge_broker(
    who: &str,
    kafka: Result<&Figures, String>,
    host: Option<Result<&Figures, String>>,
    host_source: &str,
    needs: Needs,
) -> Vec<Finding> {
    use HealthState::*;
    let mut out = Vec::new();
    match kafka {
        Err(why) => out.push(Finding(Unknown, why)),
        Ok(f) => {
            let kafka = [
                (
                    f.under_min_isr,
                    Critical,
                    "partition under min ISR",
                    "partitions under min ISR",
                ),
                (
                    f.under_replicated,
                    Warning,
                    "under-replicated partition",
                    "under-replicated partitions",
                ),
                (
                    f.offline_replicas,
                    Warning,
                    "offline replica",
                    "offline replicas",
                ),
            ];
            if needs.replica_counts && f.under_replicated.is_none() && f.partitions.is_none() {
                out.push(Finding(
                    Unknown,
                    format!("no ReplicaManager metrics from {who}'s JMX exporter"),
                ));
            }
            for (value, state, one, many) in kafka {
                if let Some(n @ 1..) = value {
                    out.push(Finding(state, format!("{} on {who}", plural(n, one, many))));
                }
            }
        }
    }
    match host {
        None => {}
        Some(Err(why)) => out.push(Finding(Unknown, why)),
        Some(Ok(f)) => {
            match (f.volume_used, &f.volume) {
                (Some(v), volume) if v >= VOLUME_WARNING => {
                    let state = if v >= VOLUME_CRITICAL {
                        Critical
                    } else {
                        Warning
                    };
                    let name = volume.as_deref().unwrap_or("data volume");
                    out.push(Finding(
                        state,
                        format!("data volume {name} {} full on {who}", percent(v)),
                    ));
                }
                (Some(_), _) => {}
                (None, _) if !needs.volume => {}
                (None, _) => out.push(Finding(
                    Unknown,
                    format!("no filesystem figures from {who}'s {host_source}"),
                )),
            }
            if let Some(c @ CPU_WARNING..) = f.cpu_busy {
                out.push(Finding(
                    Warning,
                    format!("CPU {} busy on {who}", percent(c)),
                ));
            }
            if let Some(m @ MEMORY_WARNING..) = f.memory_used {
                out.push(Finding(
                    Warning,
                    format!("memory {} used on {who}", percent(m)),
                ));
            }
        }
    }
    out
}

pub(super) fn worst(findings: &[Finding]) -> HealthState {
    findings
        .iter()
        .map(|f| f.0)
        .min()
        .unwrap_or(HealthState::Healthy)
}

/// Judges a cluster from its last probe. `None` when there is nothing to judge (a
/// serverless cluster, or open monitoring's JMX exporter off: MSK then exposes no Kafka
/// figures at all).
pub fn cluster_health(cluster: &Cluster, r: &ClusterReachability) -> Option<ClusterHealth> {
    if !cluster.monitoring.jmx_exporter || r.brokers.is_empty() {
        return None;
    }
    let node_expected = cluster.monitoring.node_exporter;
    let mut findings = Vec::new();
    let mut brokers = Vec::new();
    for b in &r.brokers {
        let who = format!("broker {}", b.broker_id);
        let f = broker(&who, &b.jmx, Some(&b.node), node_expected);
        let origin = || Origin {
            source: FigureSource::Exporter,
            at: r.checked_at.clone(),
        };
        brokers.push(BrokerHealth {
            broker_id: Some(b.broker_id),
            host: b.host.clone(),
            state: worst(&f),
            reasons: f.iter().map(|f| f.1.clone()).collect(),
            kafka_from: answered(&b.jmx).map(|_| origin()),
            host_from: answered(&b.node).map(|_| origin()),
        });
        findings.extend(f);
    }
    for c in &r.controllers {
        let who = format!("controller {}", c.host);
        let f: Vec<Finding> = match answered(&c.jmx) {
            Some(_) => Vec::new(),
            None => vec![Finding(
                HealthState::Unknown,
                format!("JMX exporter not answering on {who}"),
            )],
        };
        brokers.push(BrokerHealth {
            broker_id: None,
            host: c.host.clone(),
            state: worst(&f),
            reasons: f.iter().map(|f| f.1.clone()).collect(),
            kafka_from: answered(&c.jmx).map(|_| Origin {
                source: FigureSource::Exporter,
                at: r.checked_at.clone(),
            }),
            host_from: None,
        });
        findings.extend(f);
    }

    // Cluster-wide: the controller counts, summed over every JMX exporter (brokers on
    // ZooKeeper clusters, controllers on KRaft; the others report 0).
    let jmx: Vec<&ExporterProbe> = r
        .brokers
        .iter()
        .map(|b| &b.jmx)
        .chain(r.controllers.iter().map(|c| &c.jmx))
        .collect();
    let known: Vec<&Figures> = jmx.iter().filter_map(|p| answered(p)).collect();
    let all_known = known.len() == jmx.len();
    let sum = |f: fn(&Figures) -> Option<u32>| -> (u32, bool) {
        let values: Vec<u32> = known.iter().filter_map(|k| f(k)).collect();
        let complete = all_known && values.len() == jmx.len();
        (
            values.iter().fold(0u32, |a, v| a.saturating_add(*v)),
            complete,
        )
    };
    let (active, active_complete) = sum(|f| f.active_controllers);
    // A partial sum of 1 or more is already telling; a partial 0 is not.
    let active_controllers = (active_complete || active >= 1).then_some(active);
    let (offline, _) = sum(|f| f.offline_partitions);
    let offline_partitions = known
        .iter()
        .any(|k| k.offline_partitions.is_some())
        .then_some(offline);
    findings.extend(cluster_findings(
        active_controllers,
        offline_partitions,
        "active controller unknown: not every JMX exporter answered with it",
    ));
    let (urp, urp_complete) = sum(|f| f.under_replicated);
    let under_replicated = urp_complete.then_some(urp).or((urp > 0).then_some(urp));

    findings.sort_by_key(|f| f.0);
    let mut reasons: Vec<String> = Vec::new();
    for f in &findings {
        if !reasons.contains(&f.1) {
            reasons.push(f.1.clone());
        }
    }
    Some(ClusterHealth {
        state: worst(&findings),
        reasons,
        active_controllers,
        offline_partitions,
        under_replicated,
        brokers,
        cluster_from: (!known.is_empty()).then(|| Origin {
            source: FigureSource::Exporter,
            at: r.checked_at.clone(),
        }),
        judged_at: Some(r.checked_at.clone()),
    })
}

/// The cluster-wide findings: exactly one active controller, no offline partition.
/// `unknown` says why the controller count is not known, where it was looked for.
pub(super) fn cluster_findings(
    active_controllers: Option<u32>,
    offline_partitions: Option<u32>,
    unknown: &str,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    match active_controllers {
        Some(1) => {}
        Some(0) => findings.push(Finding(
            HealthState::Critical,
            "no active controller".into(),
        )),
        Some(n) => findings.push(Finding(
            HealthState::Critical,
            format!("{n} active controllers (exactly 1 expected)"),
        )),
        None => findings.push(Finding(HealthState::Unknown, unknown.into())),
    }
    if let Some(n @ 1..) = offline_partitions {
        findings.push(Finding(
            HealthState::Critical,
            plural(n, "offline partition", "offline partitions"),
        ));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures;

    fn cluster() -> Cluster {
        fixtures::cluster("orders", "prod", "eu-west-1")
    }
    use crate::model::{BrokerReachability, ControllerReachability};

    fn probe(state: ProbeState, figures: Figures) -> ExporterProbe {
        ExporterProbe {
            target: "h:11001".into(),
            state,
            reason: None,
            latency_ms: Some(3),
            samples: Some(10),
            detail: None,
            figures,
        }
    }

    fn kafka(urp: u32, active: u32) -> Figures {
        Figures {
            under_replicated: Some(urp),
            under_min_isr: Some(0),
            offline_replicas: Some(0),
            partitions: Some(50),
            leaders: Some(17),
            offline_partitions: Some(0),
            active_controllers: Some(active),
            ..Figures::default()
        }
    }

    fn host(volume: u16) -> Figures {
        Figures {
            cpu_busy: Some(120),
            memory_used: Some(400),
            volume_used: Some(volume),
            volume: Some("/kafka/datalogs".into()),
            ..Figures::default()
        }
    }

    fn reach(brokers: Vec<(Figures, Figures)>) -> ClusterReachability {
        ClusterReachability {
            cluster_id: crate::params::ClusterId::parse("c").unwrap(),
            checked_at: "2026-11-27T00:00:00Z".into(),
            brokers: brokers
                .into_iter()
                .enumerate()
                .map(|(i, (j, n))| BrokerReachability {
                    broker_id: i as u32 + 1,
                    host: format!("b-{}", i + 1),
                    jmx: probe(ProbeState::Up, j),
                    node: probe(ProbeState::Up, n),
                })
                .collect(),
            controllers: vec![],
            listeners: Vec::new(),
        }
    }

    #[test]
    fn a_cluster_with_every_figure_in_bounds_is_healthy() {
        let r = reach(vec![
            (kafka(0, 1), host(300)),
            (kafka(0, 0), host(310)),
            (kafka(0, 0), host(320)),
        ]);
        let h = cluster_health(&cluster(), &r).unwrap();
        assert_eq!(h.state, HealthState::Healthy, "{:?}", h.reasons);
        assert_eq!(h.summary(), "healthy");
        assert_eq!(
            (h.active_controllers, h.under_replicated),
            (Some(1), Some(0))
        );
    }

    #[test]
    fn problems_are_named_with_their_broker_worst_first() {
        let r = reach(vec![
            (kafka(0, 1), host(300)),
            (kafka(3, 0), host(914)),
            (kafka(0, 0), host(320)),
        ]);
        let h = cluster_health(&cluster(), &r).unwrap();
        assert_eq!(h.state, HealthState::Critical);
        assert_eq!(
            h.reasons,
            [
                "data volume /kafka/datalogs 91% full on broker 2",
                "3 under-replicated partitions on broker 2"
            ]
        );
        assert_eq!(h.brokers[1].state, HealthState::Critical);
        assert_eq!(h.brokers[0].state, HealthState::Healthy);
        assert_eq!(h.under_replicated, Some(3));
    }

    #[test]
    fn the_active_controller_count_must_be_one() {
        let none = reach(vec![(kafka(0, 0), host(1)), (kafka(0, 0), host(1))]);
        let h = cluster_health(&cluster(), &none).unwrap();
        assert_eq!(
            (h.state, h.summary().as_str()),
            (HealthState::Critical, "no active controller")
        );
        let two = reach(vec![(kafka(0, 1), host(1)), (kafka(0, 1), host(1))]);
        let h = cluster_health(&cluster(), &two).unwrap();
        assert_eq!(h.reasons, ["2 active controllers (exactly 1 expected)"]);
        // On KRaft, the controllers carry the count and the brokers report 0.
        let mut kraft = reach(vec![(kafka(0, 0), host(1))]);
        kraft.controllers = vec![ControllerReachability {
            host: "c-1".into(),
            jmx: probe(
                ProbeState::Up,
                Figures {
                    active_controllers: Some(1),
                    ..Figures::default()
                },
            ),
        }];
        let h = cluster_health(&cluster(), &kraft).unwrap();
        assert_eq!(h.state, HealthState::Healthy, "{:?}", h.reasons);
    }

    #[test]
    fn missing_figures_are_unknown_never_healthy() {
        let mut r = reach(vec![(kafka(0, 1), host(1)), (kafka(0, 0), host(1))]);
        r.brokers[1].jmx = probe(ProbeState::Down, Figures::default());
        let h = cluster_health(&cluster(), &r).unwrap();
        assert_eq!(h.state, HealthState::Unknown);
        assert_eq!(
            h.reasons[0],
            "JMX exporter not answering on broker 2: Kafka figures unknown"
        );
        // An answer without the Kafka figures (a plain JVM exporter) is unknown too.
        let r = reach(vec![(Figures::default(), host(1))]);
        let h = cluster_health(&cluster(), &r).unwrap();
        assert_eq!(h.state, HealthState::Unknown);
        // A node exporter that is on but silent leaves the host figures unknown.
        let mut r = reach(vec![(kafka(0, 1), host(1))]);
        r.brokers[0].node = probe(ProbeState::Down, Figures::default());
        assert_eq!(
            cluster_health(&cluster(), &r).unwrap().state,
            HealthState::Unknown
        );
        // ... but one that MSK says is off is not needed.
        let mut c = cluster();
        c.monitoring.node_exporter = false;
        r.brokers[0].node = probe(ProbeState::Off, Figures::default());
        assert_eq!(cluster_health(&c, &r).unwrap().state, HealthState::Healthy);
        // Without the JMX exporter there is nothing to judge.
        c.monitoring.jmx_exporter = false;
        assert!(cluster_health(&c, &r).is_none());
    }

    #[test]
    fn offline_partitions_and_min_isr_are_critical_and_host_load_a_warning() {
        let mut k = kafka(0, 1);
        k.offline_partitions = Some(2);
        let r = reach(vec![(
            k,
            Figures {
                cpu_busy: Some(950),
                ..host(100)
            },
        )]);
        let h = cluster_health(&cluster(), &r).unwrap();
        assert_eq!(h.state, HealthState::Critical);
        assert_eq!(
            h.reasons,
            ["2 offline partitions", "CPU 95% busy on broker 1"]
        );
        assert_eq!(h.summary(), "2 offline partitions (and 1 more)");
    }
}
