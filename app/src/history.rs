//! History: what the console recorded about each cluster over time, and what changed.
//!
//! The server records a [`ClusterState`] for every cluster after each inventory refresh
//! and each exporter sweep, but only when it differs from the cluster's previous state;
//! [`diff`] says how it differs, in the words the timeline and the diff view show. The
//! state leaves out what changes on every check (probe times, latencies, sample counts),
//! so a quiet cluster records nothing new however often it is checked.
//!
//! Everything here is pure and shared with the browser: the diff, the change kinds the
//! timeline filters on, and the geometry of the server-rendered SVG charts.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{
    Broker, BrokerReachability, Cluster, ClusterReachability, ExporterProbe, ProbeState,
    JMX_EXPORTER_PORT, NODE_EXPORTER_PORT,
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

/// One cluster as the history keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ClusterState {
    /// The cluster's record, without `partial_error` (a failed call is not a change).
    pub cluster: Cluster,
    /// What the last probe found, if the cluster has been probed.
    pub exporters: Option<Vec<RecordedBroker>>,
}

impl ClusterState {
    pub fn of(cluster: &Cluster, probe: Option<&ClusterReachability>) -> ClusterState {
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
            cluster: Cluster {
                partial_error: None,
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
        })
    }
}

/// The kinds of change the timeline tells apart and filters on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// The cluster appeared in the inventory.
    Added,
    /// The cluster left the inventory while its source listed fine.
    Removed,
    State,
    Version,
    /// Brokers added or removed, or the broker count changed.
    Brokers,
    /// A broker's endpoints or client VPC IP.
    Endpoints,
    Bootstrap,
    /// Client authentication modes and public access.
    Auth,
    Encryption,
    Zookeeper,
    /// Open monitoring settings (which exporters are enabled).
    Monitoring,
    /// What the exporters answered.
    Reachability,
    /// Anything else: instance type, metadata mode, name, account.
    Settings,
}

impl ChangeKind {
    pub const ALL: [ChangeKind; 13] = [
        ChangeKind::Added,
        ChangeKind::Removed,
        ChangeKind::State,
        ChangeKind::Version,
        ChangeKind::Brokers,
        ChangeKind::Endpoints,
        ChangeKind::Bootstrap,
        ChangeKind::Auth,
        ChangeKind::Encryption,
        ChangeKind::Zookeeper,
        ChangeKind::Monitoring,
        ChangeKind::Reachability,
        ChangeKind::Settings,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::State => "state",
            ChangeKind::Version => "version",
            ChangeKind::Brokers => "brokers",
            ChangeKind::Endpoints => "endpoints",
            ChangeKind::Bootstrap => "bootstrap",
            ChangeKind::Auth => "auth",
            ChangeKind::Encryption => "encryption",
            ChangeKind::Zookeeper => "zookeeper",
            ChangeKind::Monitoring => "monitoring",
            ChangeKind::Reachability => "reachability",
            ChangeKind::Settings => "settings",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ChangeKind::Added => "cluster added",
            ChangeKind::Removed => "cluster removed",
            ChangeKind::State => "state",
            ChangeKind::Version => "Kafka version",
            ChangeKind::Brokers => "brokers",
            ChangeKind::Endpoints => "endpoints",
            ChangeKind::Bootstrap => "bootstrap strings",
            ChangeKind::Auth => "auth modes",
            ChangeKind::Encryption => "encryption",
            ChangeKind::Zookeeper => "ZooKeeper",
            ChangeKind::Monitoring => "monitoring settings",
            ChangeKind::Reachability => "exporter reachability",
            ChangeKind::Settings => "other settings",
        }
    }

    /// The bit of this kind in a change's `kinds` mask (what the store indexes).
    pub fn bit(self) -> u32 {
        1 << (self as u32)
    }

    pub fn mask(kinds: impl IntoIterator<Item = ChangeKind>) -> u32 {
        kinds.into_iter().fold(0, |m, k| m | k.bit())
    }

    pub fn from_mask(mask: u32) -> Vec<ChangeKind> {
        ChangeKind::ALL
            .into_iter()
            .filter(|k| mask & k.bit() != 0)
            .collect()
    }
}

impl std::str::FromStr for ChangeKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ChangeKind::ALL
            .into_iter()
            .find(|k| k.slug() == s)
            .ok_or_else(|| {
                let known: Vec<&str> = ChangeKind::ALL.iter().map(|k| k.slug()).collect();
                format!(
                    "unknown kind of change `{s}`; known kinds are {}",
                    known.join(", ")
                )
            })
    }
}

/// One difference between two states of a cluster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffEntry {
    pub kind: ChangeKind,
    /// What changed: `Broker 4`, `TLS bootstrap`, `Broker 2 node exporter`.
    pub subject: String,
    /// `None`: it did not exist before (added).
    pub before: Option<String>,
    /// `None`: it does not exist any more (removed).
    pub after: Option<String>,
}

impl DiffEntry {
    /// One line: `Broker 4 added: b-4.x`, `Kafka version: 3.5.1 → 3.6.0`.
    pub fn describe(&self) -> String {
        match (&self.before, &self.after) {
            (None, Some(a)) => format!("{} added: {a}", self.subject),
            (Some(b), None) => format!("{} removed (was {b})", self.subject),
            (Some(b), Some(a)) => format!("{}: {b} → {a}", self.subject),
            (None, None) => self.subject.clone(),
        }
    }
}

fn on_off(b: bool) -> String {
    if b { "enabled" } else { "off" }.to_string()
}

fn push<T: PartialEq + ToString>(
    out: &mut Vec<DiffEntry>,
    kind: ChangeKind,
    subject: &str,
    before: &T,
    after: &T,
) {
    if before != after {
        out.push(DiffEntry {
            kind,
            subject: subject.to_string(),
            before: Some(before.to_string()),
            after: Some(after.to_string()),
        });
    }
}

fn push_opt(
    out: &mut Vec<DiffEntry>,
    kind: ChangeKind,
    subject: &str,
    before: Option<String>,
    after: Option<String>,
) {
    if before != after {
        out.push(DiffEntry {
            kind,
            subject: subject.to_string(),
            before,
            after,
        });
    }
}

fn one_line(s: &ClusterState) -> String {
    let c = &s.cluster;
    let mut line = format!("{} {}, {}", c.kind.label().to_lowercase(), c.name, c.state);
    if let Some(v) = &c.kafka_version {
        line.push_str(&format!(", Kafka {v}"));
    }
    if c.kind != crate::model::ClusterKind::Serverless {
        let (n, _, _) = s.counts();
        line.push_str(&format!(", {n} broker{}", if n == 1 { "" } else { "s" }));
    }
    line
}

fn exporters_summary(e: &[RecordedBroker]) -> String {
    let n = e.len();
    let one = |name: &str, f: fn(&RecordedBroker) -> &RecordedProbe| {
        if e.iter().all(|b| f(b).state == ProbeState::Off) {
            format!("{name} off")
        } else {
            let up = e.iter().filter(|b| f(b).state == ProbeState::Up).count();
            format!("{name} up on {up} of {n}")
        }
    };
    format!("{}, {}", one("JMX", |b| &b.jmx), one("node", |b| &b.node))
}

fn endpoints(b: &Broker) -> String {
    b.endpoints.join(", ")
}

/// What differs between two recorded states of a cluster (`None`: not in the inventory).
/// It covers every field of [`ClusterState`]: two states differ exactly when the diff is
/// not empty, which the recorder relies on. Entries come in a fixed order: the cluster itself, then its brokers, listeners,
/// settings and finally its exporters.
pub fn diff(old: Option<&ClusterState>, new: Option<&ClusterState>) -> Vec<DiffEntry> {
    let (o, n) = match (old, new) {
        (None, None) => return vec![],
        (None, Some(n)) => {
            return vec![DiffEntry {
                kind: ChangeKind::Added,
                subject: "Cluster".into(),
                before: None,
                after: Some(one_line(n)),
            }]
        }
        (Some(o), None) => {
            return vec![DiffEntry {
                kind: ChangeKind::Removed,
                subject: "Cluster".into(),
                before: Some(one_line(o)),
                after: None,
            }]
        }
        (Some(o), Some(n)) => (o, n),
    };
    let (oc, nc) = (&o.cluster, &n.cluster);
    let mut out = Vec::new();
    use ChangeKind as K;

    push(&mut out, K::State, "State", &oc.state, &nc.state);
    push_opt(
        &mut out,
        K::Version,
        "Kafka version",
        oc.kafka_version.clone(),
        nc.kafka_version.clone(),
    );

    // Brokers, by id.
    let ob: BTreeMap<u32, &Broker> = oc.brokers.iter().map(|b| (b.id, b)).collect();
    let nb: BTreeMap<u32, &Broker> = nc.brokers.iter().map(|b| (b.id, b)).collect();
    push_opt(
        &mut out,
        K::Brokers,
        "Broker count",
        oc.broker_count.map(|n| n.to_string()),
        nc.broker_count.map(|n| n.to_string()),
    );
    for (id, b) in &ob {
        if !nb.contains_key(id) {
            push_opt(
                &mut out,
                K::Brokers,
                &format!("Broker {id}"),
                Some(endpoints(b)),
                None,
            );
        }
    }
    for (id, b) in &nb {
        match ob.get(id) {
            None => push_opt(
                &mut out,
                K::Brokers,
                &format!("Broker {id}"),
                None,
                Some(endpoints(b)),
            ),
            Some(old) => {
                push(
                    &mut out,
                    K::Endpoints,
                    &format!("Broker {id} endpoints"),
                    &endpoints(old),
                    &endpoints(b),
                );
                push_opt(
                    &mut out,
                    K::Endpoints,
                    &format!("Broker {id} client VPC IP"),
                    old.client_vpc_ip.clone(),
                    b.client_vpc_ip.clone(),
                );
                push_opt(
                    &mut out,
                    K::Settings,
                    &format!("Broker {id} node ARN"),
                    old.node_arn.clone(),
                    b.node_arn.clone(),
                );
            }
        }
    }

    // Bootstrap strings, by listener.
    for l in crate::model::Listener::ALL {
        push_opt(
            &mut out,
            K::Bootstrap,
            &format!("{} bootstrap", l.label()),
            oc.bootstrap_for(l).map(|b| b.servers.clone()),
            nc.bootstrap_for(l).map(|b| b.servers.clone()),
        );
    }

    let (oa, na) = (&oc.auth, &nc.auth);
    push(&mut out, K::Auth, "IAM", &on_off(oa.iam), &on_off(na.iam));
    push(
        &mut out,
        K::Auth,
        "SASL/SCRAM",
        &on_off(oa.scram),
        &on_off(na.scram),
    );
    push(
        &mut out,
        K::Auth,
        "Mutual TLS",
        &on_off(oa.tls),
        &on_off(na.tls),
    );
    push(
        &mut out,
        K::Auth,
        "Unauthenticated",
        &on_off(oa.unauthenticated),
        &on_off(na.unauthenticated),
    );
    push(
        &mut out,
        K::Auth,
        "Public access",
        &on_off(oc.public_access),
        &on_off(nc.public_access),
    );

    push_opt(
        &mut out,
        K::Encryption,
        "Encryption client–broker",
        oc.encryption.client_broker.clone(),
        nc.encryption.client_broker.clone(),
    );
    push_opt(
        &mut out,
        K::Encryption,
        "Encryption in cluster",
        oc.encryption.in_cluster.map(on_off),
        nc.encryption.in_cluster.map(on_off),
    );

    push_opt(
        &mut out,
        K::Zookeeper,
        "ZooKeeper",
        oc.zookeeper.clone(),
        nc.zookeeper.clone(),
    );
    push_opt(
        &mut out,
        K::Zookeeper,
        "ZooKeeper TLS",
        oc.zookeeper_tls.clone(),
        nc.zookeeper_tls.clone(),
    );

    push(
        &mut out,
        K::Monitoring,
        "JMX exporter",
        &on_off(oc.monitoring.jmx_exporter),
        &on_off(nc.monitoring.jmx_exporter),
    );
    push(
        &mut out,
        K::Monitoring,
        "Node exporter",
        &on_off(oc.monitoring.node_exporter),
        &on_off(nc.monitoring.node_exporter),
    );

    push(&mut out, K::Settings, "Name", &oc.name, &nc.name);
    push(
        &mut out,
        K::Settings,
        "Kind",
        &oc.kind.label(),
        &nc.kind.label(),
    );
    push(
        &mut out,
        K::Settings,
        "Metadata",
        &format!("{:?}", oc.metadata),
        &format!("{:?}", nc.metadata),
    );
    push_opt(
        &mut out,
        K::Settings,
        "Broker type",
        oc.instance_type.clone(),
        nc.instance_type.clone(),
    );
    push_opt(
        &mut out,
        K::Settings,
        "Account",
        oc.account.clone(),
        nc.account.clone(),
    );
    push(&mut out, K::Settings, "Source", &oc.source, &nc.source);
    push(&mut out, K::Settings, "Region", &oc.region, &nc.region);
    push(&mut out, K::Settings, "ARN", &oc.arn, &nc.arn);
    push_opt(
        &mut out,
        K::Settings,
        "Created",
        oc.created.clone(),
        nc.created.clone(),
    );

    match (&o.exporters, &n.exporters) {
        (None, None) => {}
        (None, Some(e)) => push_opt(
            &mut out,
            K::Reachability,
            "Exporters",
            Some("not probed".into()),
            Some(exporters_summary(e)),
        ),
        (Some(e), None) => push_opt(
            &mut out,
            K::Reachability,
            "Exporters",
            Some(exporters_summary(e)),
            Some("not probed".into()),
        ),
        (Some(oe), Some(ne)) => {
            let old: BTreeMap<u32, &RecordedBroker> = oe.iter().map(|b| (b.broker_id, b)).collect();
            let new: BTreeMap<u32, &RecordedBroker> = ne.iter().map(|b| (b.broker_id, b)).collect();
            for (id, b) in &old {
                if !new.contains_key(id) {
                    push_opt(
                        &mut out,
                        K::Reachability,
                        &format!("Broker {id} exporters"),
                        Some(format!(
                            "JMX {}, node {}",
                            b.jmx.describe(),
                            b.node.describe()
                        )),
                        None,
                    );
                }
            }
            for b in ne {
                let prev = old.get(&b.broker_id);
                if let Some(p) = prev {
                    push(
                        &mut out,
                        K::Reachability,
                        &format!("Broker {} probed at", b.broker_id),
                        &p.host,
                        &b.host,
                    );
                }
                for (name, p, q) in [
                    ("JMX exporter", prev.map(|x| &x.jmx), &b.jmx),
                    ("node exporter", prev.map(|x| &x.node), &b.node),
                ] {
                    push_opt(
                        &mut out,
                        K::Reachability,
                        &format!("Broker {} {name}", b.broker_id),
                        p.map(RecordedProbe::describe),
                        Some(q.describe()),
                    );
                }
            }
        }
    }
    out
}

/// The kinds of a diff as a mask.
pub fn kinds_of(entries: &[DiffEntry]) -> u32 {
    ChangeKind::mask(entries.iter().map(|e| e.kind))
}

/// A one-line summary for the timeline: the first few changes, long values cut short
/// (the diff view has them whole), and how many more.
pub fn summary(entries: &[DiffEntry]) -> String {
    const SHOWN: usize = 3;
    const LONGEST: usize = 48;
    let cut = |v: &Option<String>| v.as_deref().map(|v| shorten(v, LONGEST));
    let mut s = entries
        .iter()
        .take(SHOWN)
        .map(|e| {
            DiffEntry {
                before: cut(&e.before),
                after: cut(&e.after),
                ..e.clone()
            }
            .describe()
        })
        .collect::<Vec<_>>()
        .join("; ");
    if entries.len() > SHOWN {
        s.push_str(&format!("; and {} more", entries.len() - SHOWN));
    }
    s
}

/// `v` cut to at most `longest` characters (plus `…`), between list items or words where
/// there is such a place in the second half: `2 brokers` reads better gone than as
/// `2 brok…`. A long bootstrap string has no spaces and is cut where it reaches the limit.
fn shorten(v: &str, longest: usize) -> String {
    let Some((end, _)) = v.char_indices().nth(longest) else {
        return v.to_string();
    };
    let (head, rest) = v.split_at(end);
    // Lists (`ACTIVE, Kafka 3.6.0, 2 brokers`) are cut between items, prose between words.
    let at_least_half = |i: &usize| head[..*i].chars().count() >= longest / 2;
    let head = if rest.starts_with([' ', ',']) {
        head
    } else if let Some(i) = head.rfind(", ").filter(at_least_half) {
        &head[..i]
    } else if let Some(i) = head.rfind(' ').filter(at_least_half) {
        &head[..i]
    } else {
        head
    };
    let head = head.trim_end_matches([',', ' ']);
    format!("{head}…")
}

/// One row of a timeline: one cluster's change in one snapshot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeEntry {
    /// The change's id, which orders the timeline (pages continue `before` it).
    pub id: i64,
    /// The snapshot that recorded it.
    pub snapshot: i64,
    /// RFC 3339 time of that snapshot.
    pub at: String,
    /// `refresh` or `probe`: what took the snapshot.
    pub trigger: String,
    pub cluster_id: String,
    pub cluster_name: String,
    pub source: String,
    pub region: String,
    pub kinds: Vec<ChangeKind>,
    pub summary: String,
}

/// What a timeline shows: a filter over the changes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeFilter {
    pub cluster: Option<String>,
    pub source: Option<String>,
    pub kind: Option<ChangeKind>,
    /// Only changes older than this change id (the next page).
    pub before: Option<i64>,
    pub limit: u32,
}

/// The largest page of a timeline.
pub const MAX_PAGE: u32 = 200;
/// The page size when none is asked for.
pub const DEFAULT_PAGE: u32 = 50;

/// One page of the global timeline, with the global coverage chart.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ChangesPage {
    pub entries: Vec<ChangeEntry>,
    /// Pass as `before` for the next (older) page; `None` on the last page.
    pub next_before: Option<i64>,
    /// Every source and every cluster with history, for the filters.
    pub sources: Vec<String>,
    pub clusters: Vec<ClusterRef>,
    pub stats: HistoryStats,
    pub chart: Chart,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterRef {
    pub id: String,
    pub name: String,
    pub region: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryStats {
    /// Snapshots that changed something.
    pub snapshots: i64,
    /// Refreshes and sweeps checked, changed or not.
    pub checks: i64,
    pub first_at: Option<String>,
    /// The last time the current state was confirmed.
    pub last_checked_at: Option<String>,
    pub retention_days: u64,
}

/// One recorded state of a cluster, for choosing what to compare.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    pub snapshot: i64,
    pub at: String,
    pub summary: String,
    pub removed: bool,
}

/// A cluster's history page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClusterHistory {
    pub cluster_id: String,
    pub cluster_name: String,
    pub source: String,
    pub region: String,
    /// The cluster is in the current inventory.
    pub current: bool,
    pub entries: Vec<ChangeEntry>,
    pub next_before: Option<i64>,
    pub chart: Chart,
    /// The newest recorded states (up to [`MAX_VERSIONS`]), newest first.
    pub versions: Vec<Version>,
}

pub const MAX_VERSIONS: usize = 500;

/// The difference between a cluster's states at two snapshots.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClusterDiff {
    pub cluster_id: String,
    pub cluster_name: String,
    /// The state compared from (`None`: before the cluster was first recorded).
    pub from: Option<Version>,
    pub to: Version,
    pub entries: Vec<DiffEntry>,
    pub versions: Vec<Version>,
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

/// The "generated at" text of a file made from a past state, so the file says so.
pub fn generated_from(now: &str, r: &RecordedAt) -> String {
    format!(
        "{now} from the state recorded at {} (snapshot {})",
        r.since, r.snapshot
    )
}

/// A line chart of step series over time, laid out for SVG.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Chart {
    pub title: String,
    /// Unix seconds of the left and right edges.
    pub start: i64,
    pub end: i64,
    pub start_label: String,
    pub end_label: String,
    pub y_max: f64,
    /// `%` or empty.
    pub unit: String,
    pub series: Vec<Series>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Series {
    pub label: String,
    /// A CSS class: `s1`, `s2`, `s3`.
    pub class: String,
    /// (unix seconds, value), oldest first; each value holds until the next point.
    pub points: Vec<(i64, f64)>,
}

/// One interval of a chart series as the database sums it up.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Bucket {
    /// When the interval's first and last recorded values were taken (Unix seconds).
    pub first_at: i64,
    pub last_at: i64,
    /// The value worth seeing inside the interval: the lowest share answering, the most
    /// brokers. `None` where nothing was measured (not probed).
    pub extreme: Option<f64>,
    /// The value in force at the interval's end, which holds until the next interval.
    pub last: Option<f64>,
}

impl Bucket {
    /// An interval holding one value.
    pub fn of(at: i64, value: Option<f64>) -> Bucket {
        Bucket {
            first_at: at,
            last_at: at,
            extreme: value,
            last: value,
        }
    }

    /// Takes in a value recorded after every value already in the interval; the
    /// interval keeps the lowest.
    pub fn add_lowest(&mut self, at: i64, value: Option<f64>) {
        self.first_at = self.first_at.min(at);
        self.last_at = self.last_at.max(at);
        self.extreme = match (self.extreme, value) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.last = value;
    }
}

/// Interval lengths a chart may use, in seconds: fixed steps, so that an interval's
/// bounds do not move as the chart's window does and a summed-up interval stays valid.
const INTERVALS: [i64; 13] = [
    60, 300, 900, 1_800, 3_600, 7_200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800, 2_592_000,
];

/// The shortest interval that draws a window of `span` seconds in at most `buckets`
/// intervals.
pub fn interval_for(span: i64, buckets: i64) -> i64 {
    let want = (span.max(1) + buckets - 1) / buckets.max(1);
    INTERVALS
        .into_iter()
        .find(|&i| i >= want)
        .unwrap_or(INTERVALS[INTERVALS.len() - 1])
}

/// The points of a step series from its intervals, oldest first. Each interval shows its
/// extreme from its first value on, then its last value, which holds until the next
/// change: a dip that recovered inside an interval stays visible without being drawn
/// for the quiet weeks after it. Intervals that ended before `start` give only what was
/// in force when the window opens: the last of them, at `start`.
pub fn bucket_points(buckets: &[Bucket], start: i64) -> Vec<(i64, f64)> {
    let mut points = Vec::with_capacity(buckets.len() * 2);
    let in_force = buckets
        .iter()
        .take_while(|b| b.last_at < start)
        .last()
        .and_then(|b| b.last);
    points.extend(in_force.map(|v| (start, v)));
    for b in buckets.iter().filter(|b| b.last_at >= start) {
        points.extend(b.extreme.map(|v| (b.first_at, v)));
        if let Some(last) = b.last {
            if b.last_at > b.first_at && b.extreme != Some(last) {
                points.push((b.last_at, last));
            }
        }
    }
    points
}

/// Chart drawing area, in SVG user units.
pub const CHART_W: f64 = 720.0;
pub const CHART_H: f64 = 160.0;

impl Chart {
    pub fn is_empty(&self) -> bool {
        self.series.iter().all(|s| s.points.is_empty())
    }

    fn x(&self, t: i64) -> f64 {
        let span = (self.end - self.start).max(1) as f64;
        ((t.clamp(self.start, self.end) - self.start) as f64 / span * CHART_W).clamp(0.0, CHART_W)
    }

    fn y(&self, v: f64) -> f64 {
        let max = if self.y_max > 0.0 { self.y_max } else { 1.0 };
        CHART_H - (v / max).clamp(0.0, 1.0) * CHART_H
    }

    /// The SVG path of a step series: each value is held until the next point, and the
    /// last one until the right edge.
    pub fn step_path(&self, s: &Series) -> String {
        let mut d = String::new();
        for (i, &(t, v)) in s.points.iter().enumerate() {
            let (x, y) = (self.x(t), self.y(v));
            if i == 0 {
                d.push_str(&format!("M{x:.1} {y:.1}"));
            } else {
                d.push_str(&format!(" H{x:.1} V{y:.1}"));
            }
        }
        if !s.points.is_empty() {
            d.push_str(&format!(" H{CHART_W:.1}"));
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures;
    use crate::model::{Bootstrap, Listener};

    fn broker(id: u32) -> Broker {
        Broker {
            id,
            endpoints: vec![format!("b-{id}.orders.kafka.eu-west-1.amazonaws.com")],
            client_vpc_ip: Some(format!("10.0.0.{id}")),
            node_arn: None,
        }
    }

    fn state() -> ClusterState {
        let c = Cluster {
            kafka_version: Some("3.5.1".into()),
            broker_count: Some(3),
            brokers: (1..=3).map(broker).collect(),
            bootstrap: vec![Bootstrap {
                listener: Listener::Tls,
                servers: "b-1.orders:9094,b-2.orders:9094,b-3.orders:9094".into(),
            }],
            ..fixtures::cluster("orders", "prod", "eu-west-1")
        };
        let rec = |s| RecordedProbe {
            state: s,
            reason: None,
        };
        ClusterState {
            exporters: Some(
                (1..=3)
                    .map(|id| RecordedBroker {
                        broker_id: id,
                        host: format!("b-{id}.orders"),
                        jmx: rec(ProbeState::Up),
                        node: rec(ProbeState::Up),
                    })
                    .collect(),
            ),
            cluster: c,
        }
    }

    fn kinds(old: &ClusterState, new: &ClusterState) -> Vec<ChangeKind> {
        let mut k: Vec<ChangeKind> = diff(Some(old), Some(new)).iter().map(|e| e.kind).collect();
        k.dedup();
        k
    }

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
        };
        let reach = |at: &str, latency| ClusterReachability {
            cluster_id: s.cluster.id.clone(),
            checked_at: at.into(),
            brokers: vec![BrokerReachability {
                broker_id: 1,
                host: "h".into(),
                jmx: probe(latency),
                node: probe(latency),
            }],
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

    #[test]
    fn added_and_removed_clusters() {
        let s = state();
        let added = diff(None, Some(&s));
        assert_eq!(added.len(), 1);
        assert_eq!(added[0].kind, ChangeKind::Added);
        assert!(
            added[0]
                .describe()
                .starts_with("Cluster added: provisioned orders, ACTIVE, Kafka 3.5.1, 3 brokers"),
            "{}",
            added[0].describe()
        );
        let removed = diff(Some(&s), None);
        assert_eq!(removed[0].kind, ChangeKind::Removed);
        assert!(diff(None, None).is_empty());
    }

    #[test]
    fn summaries_cut_long_values_at_a_word() {
        let line = "self-managed orders, ACTIVE, Kafka 3.6.0, 2 brokers";
        assert_eq!(
            shorten(line, 48),
            "self-managed orders, ACTIVE, Kafka 3.6.0…"
        );
        assert_eq!(shorten(line, 100), line);
        // The word ends where the cut falls: it stays whole.
        assert_eq!(shorten("abc def ghi", 7), "abc def…");
        assert_eq!(shorten("one two three four", 16), "one two three…");
        // No space in the second half (a bootstrap string): cut at the limit.
        let boot = "b-1.orders.kafka.eu-west-1.amazonaws.com:9094,b-2.orders.kafka";
        assert_eq!(shorten(boot, 20), "b-1.orders.kafka.eu-…");
        // Characters, not bytes.
        assert_eq!(shorten("ääääää", 3), "äää…");
    }

    #[test]
    fn broker_added_and_removed() {
        let old = state();
        let mut new = old.clone();
        new.cluster.brokers.push(broker(4));
        new.cluster.broker_count = Some(4);
        new.cluster.brokers.retain(|b| b.id != 2);
        let d = diff(Some(&old), Some(&new));
        let lines: Vec<String> = d.iter().map(DiffEntry::describe).collect();
        assert_eq!(
            lines,
            [
                "Broker count: 3 → 4",
                "Broker 2 removed (was b-2.orders.kafka.eu-west-1.amazonaws.com)",
                "Broker 4 added: b-4.orders.kafka.eu-west-1.amazonaws.com",
            ]
        );
        assert!(d.iter().all(|e| e.kind == ChangeKind::Brokers));
    }

    #[test]
    fn endpoints_version_and_state() {
        let old = state();
        let mut new = old.clone();
        new.cluster.brokers[0].endpoints = vec!["b-1-new.orders".into()];
        new.cluster.brokers[1].client_vpc_ip = Some("10.9.9.9".into());
        new.cluster.kafka_version = Some("3.6.0".into());
        new.cluster.state = "UPDATING".into();
        let d = diff(Some(&old), Some(&new));
        let lines: Vec<String> = d.iter().map(DiffEntry::describe).collect();
        assert_eq!(
            lines,
            [
                "State: ACTIVE → UPDATING",
                "Kafka version: 3.5.1 → 3.6.0",
                "Broker 1 endpoints: b-1.orders.kafka.eu-west-1.amazonaws.com → b-1-new.orders",
                "Broker 2 client VPC IP: 10.0.0.2 → 10.9.9.9",
            ]
        );
        assert_eq!(
            kinds(&old, &new),
            [
                ChangeKind::State,
                ChangeKind::Version,
                ChangeKind::Endpoints
            ]
        );
    }

    #[test]
    fn auth_modes_and_bootstrap_strings() {
        let old = state();
        let mut new = old.clone();
        // The TLS listener is gone, IAM arrives.
        new.cluster.auth.iam = true;
        new.cluster.bootstrap = vec![Bootstrap {
            listener: Listener::SaslIam,
            servers: "b-1.orders:9098".into(),
        }];
        let d = diff(Some(&old), Some(&new));
        let lines: Vec<String> = d.iter().map(DiffEntry::describe).collect();
        assert_eq!(
            lines,
            [
                "TLS bootstrap removed (was b-1.orders:9094,b-2.orders:9094,b-3.orders:9094)",
                "IAM bootstrap added: b-1.orders:9098",
                "IAM: off → enabled",
            ]
        );
        assert_eq!(kinds(&old, &new), [ChangeKind::Bootstrap, ChangeKind::Auth]);
        // A changed string is one entry with both sides.
        let mut moved = old.clone();
        moved.cluster.bootstrap[0].servers = "b-1.orders:9094".into();
        let d = diff(Some(&old), Some(&moved));
        assert_eq!(d.len(), 1);
        assert_eq!(
            summary(&d),
            "TLS bootstrap: b-1.orders:9094,b-2.orders:9094,b-3.orders:9094 → b-1.orders:9094"
        );
        assert_eq!(
            d[0].before.as_deref(),
            Some("b-1.orders:9094,b-2.orders:9094,b-3.orders:9094")
        );
        assert_eq!(d[0].after.as_deref(), Some("b-1.orders:9094"));
        let long = "b-1.a-very-long-cluster-name.k2x9qa.c3.kafka.eu-west-1.amazonaws.com:9094";
        moved.cluster.bootstrap[0].servers = long.into();
        let d = diff(Some(&old), Some(&moved));
        assert_eq!(
            d[0].after.as_deref(),
            Some(long),
            "the diff keeps the whole value"
        );
        assert!(
            summary(&d).ends_with("→ b-1.a-very-long-cluster-name.k2x9qa.c3.kafka.eu-…"),
            "{}",
            summary(&d)
        );
    }

    #[test]
    fn exporter_reachability_changes() {
        let old = state();
        let mut new = old.clone();
        let e = new.exporters.as_mut().unwrap();
        e[1].node = RecordedProbe {
            state: ProbeState::Down,
            reason: Some("connection refused".into()),
        };
        let d = diff(Some(&old), Some(&new));
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].kind, ChangeKind::Reachability);
        assert_eq!(
            d[0].describe(),
            "Broker 2 node exporter: up → down (connection refused)"
        );
        // A first probe is one summary line, not one per exporter.
        let unprobed = ClusterState {
            exporters: None,
            ..old.clone()
        };
        let d = diff(Some(&unprobed), Some(&new));
        assert_eq!(
            d.iter().map(DiffEntry::describe).collect::<Vec<_>>(),
            ["Exporters: not probed → JMX up on 3 of 3, node up on 2 of 3"]
        );
        assert_eq!(new.counts(), (3, Some(3), Some(2)));
    }

    #[test]
    fn encryption_zookeeper_monitoring_and_other_settings() {
        let old = state();
        let mut new = old.clone();
        new.cluster.encryption.client_broker = Some("TLS".into());
        new.cluster.zookeeper = Some("z-1:2181".into());
        new.cluster.monitoring.jmx_exporter = false;
        new.cluster.instance_type = Some("kafka.m7g.large".into());
        assert_eq!(
            kinds(&old, &new),
            [
                ChangeKind::Encryption,
                ChangeKind::Zookeeper,
                ChangeKind::Monitoring,
                ChangeKind::Settings
            ]
        );
        let d = diff(Some(&old), Some(&new));
        let m = ChangeKind::mask(d.iter().map(|e| e.kind));
        assert_eq!(
            ChangeKind::from_mask(m),
            [
                ChangeKind::Encryption,
                ChangeKind::Zookeeper,
                ChangeKind::Monitoring,
                ChangeKind::Settings
            ]
        );
        assert_eq!(
            summary(&d),
            "Encryption client–broker added: TLS; ZooKeeper added: z-1:2181; JMX exporter: enabled → off; and 1 more"
        );
    }

    #[test]
    fn every_field_of_a_state_shows_in_the_diff() {
        let mut base = state();
        base.exporters.as_mut().unwrap()[2].node = RecordedProbe {
            state: ProbeState::Down,
            reason: Some("timed out after 2s".into()),
        };
        let changes: Vec<fn(&mut ClusterState)> = vec![
            |s| s.cluster.source = "staging".into(),
            |s| s.cluster.account = Some("210987654321".into()),
            |s| s.cluster.region = "us-east-1".into(),
            |s| s.cluster.arn.push('2'),
            |s| s.cluster.name = "orders-2".into(),
            |s| s.cluster.kind = crate::model::ClusterKind::Serverless,
            |s| s.cluster.state = "DELETING".into(),
            |s| s.cluster.kafka_version = None,
            |s| s.cluster.metadata = crate::model::MetadataMode::ZooKeeper,
            |s| s.cluster.broker_count = Some(4),
            |s| s.cluster.instance_type = Some("kafka.t3.small".into()),
            |s| s.cluster.auth.unauthenticated = true,
            |s| s.cluster.auth.tls = true,
            |s| s.cluster.auth.scram = true,
            |s| s.cluster.auth.iam = true,
            |s| s.cluster.public_access = true,
            |s| s.cluster.encryption.client_broker = Some("TLS".into()),
            |s| s.cluster.encryption.in_cluster = Some(true),
            |s| s.cluster.monitoring.jmx_exporter = false,
            |s| s.cluster.monitoring.node_exporter = false,
            |s| s.cluster.zookeeper = Some("z:2181".into()),
            |s| s.cluster.zookeeper_tls = Some("z:2182".into()),
            |s| s.cluster.bootstrap.clear(),
            |s| s.cluster.brokers.truncate(2),
            |s| s.cluster.brokers[0].endpoints.push("alt".into()),
            |s| s.cluster.brokers[0].client_vpc_ip = None,
            |s| s.cluster.brokers[0].node_arn = Some("arn:aws:kafka:node".into()),
            |s| s.cluster.created = Some("2024-01-01T00:00:00Z".into()),
            |s| s.exporters = None,
            |s| s.exporters.as_mut().unwrap().truncate(2),
            |s| s.exporters.as_mut().unwrap()[0].host = "10.0.0.1".into(),
            |s| s.exporters.as_mut().unwrap()[0].jmx.state = ProbeState::Down,
            |s| s.exporters.as_mut().unwrap()[2].node.reason = Some("refused".into()),
        ];
        for (i, change) in changes.into_iter().enumerate() {
            let mut s = base.clone();
            change(&mut s);
            assert_ne!(s, base, "change {i} changes the state");
            assert!(
                !diff(Some(&base), Some(&s)).is_empty(),
                "change {i} shows in the diff"
            );
        }
    }

    #[test]
    fn change_kinds_parse_and_explain_unknown_ones() {
        for k in ChangeKind::ALL {
            assert_eq!(k.slug().parse::<ChangeKind>(), Ok(k));
        }
        let e = "weather".parse::<ChangeKind>().unwrap_err();
        assert!(e.contains("unknown kind of change `weather`"), "{e}");
    }

    #[test]
    fn a_dip_inside_an_interval_shows_and_does_not_outlast_it() {
        let b = |first_at, last_at, extreme, last| Bucket {
            first_at,
            last_at,
            extreme: Some(extreme),
            last: Some(last),
        };
        let points = bucket_points(
            &[
                // Before the window: only what was in force when it opens.
                b(0, 5, 10.0, 20.0),
                b(10, 50, 0.0, 80.0),
                // Down to 50 and back to 100 within one interval.
                b(100, 130, 50.0, 100.0),
                // One value only.
                b(200, 200, 75.0, 75.0),
                // Not probed in this interval: nothing to draw.
                Bucket {
                    first_at: 300,
                    last_at: 300,
                    ..Bucket::default()
                },
            ],
            60,
        );
        assert_eq!(points, [(60, 80.0), (100, 50.0), (130, 100.0), (200, 75.0)]);
        let chart = Chart {
            start: 60,
            end: 420,
            y_max: 100.0,
            series: vec![Series {
                points,
                ..Series::default()
            }],
            ..Chart::default()
        };
        // After the dip the line is back at the top (y = 0) until the next change.
        assert_eq!(
            chart.step_path(&chart.series[0]),
            "M0.0 32.0 H80.0 V80.0 H140.0 V0.0 H280.0 V40.0 H720.0"
        );
    }

    #[test]
    fn an_interval_keeps_its_lowest_and_its_last_value() {
        let mut b = Bucket::of(100, Some(100.0));
        b.add_lowest(130, Some(40.0));
        b.add_lowest(160, None);
        b.add_lowest(190, Some(90.0));
        assert_eq!(
            b,
            Bucket {
                first_at: 100,
                last_at: 190,
                extreme: Some(40.0),
                last: Some(90.0),
            }
        );
        let mut unmeasured = Bucket::of(5, None);
        unmeasured.add_lowest(6, Some(7.0));
        assert_eq!(unmeasured.extreme, Some(7.0));
    }

    #[test]
    fn intervals_are_fixed_steps_that_fit_the_window() {
        // 90 days in 360 intervals: 6 hours each.
        assert_eq!(interval_for(90 * 86_400, 360), 21_600);
        // A bit more than that needs the next step.
        assert_eq!(interval_for(90 * 86_400 + 1, 360), 43_200);
        assert_eq!(interval_for(0, 360), 60);
        assert_eq!(interval_for(100 * 365 * 86_400, 360), 2_592_000);
    }

    #[test]
    fn step_paths_hold_each_value_until_the_next_point() {
        let chart = Chart {
            start: 0,
            end: 100,
            y_max: 4.0,
            series: vec![Series {
                points: vec![(0, 4.0), (50, 2.0)],
                ..Series::default()
            }],
            ..Chart::default()
        };
        assert_eq!(
            chart.step_path(&chart.series[0]),
            "M0.0 0.0 H360.0 V80.0 H720.0"
        );
    }
}
