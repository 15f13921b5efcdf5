//! The inventory model shared by the server and the browser.
//!
//! The AWS layer fills these types from `aws-sdk-kafka` answers, an inventory file fills
//! them for self-managed clusters and the sample data, and the pages, the JSON API and the
//! generators read them. They carry no SDK types, so the browser build (wasm) uses them as
//! they are, and the JSON API is simply their serde form.

use serde::{Deserialize, Serialize};

/// A listener a client can bootstrap from: one auth mode on one network path.
///
/// MSK's GetBootstrapBrokers answers one string per listener. The slugs are the names
/// used in URLs (`/clusters/{id}/client.properties?mode=sasl-iam`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Listener {
    Plaintext,
    Tls,
    SaslScram,
    SaslIam,
    PublicTls,
    PublicSaslScram,
    PublicSaslIam,
    VpcTls,
    VpcSaslScram,
    VpcSaslIam,
}

/// How a client authenticates on a listener.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Auth {
    /// No authentication and no encryption.
    None,
    /// TLS encryption (mutual TLS is configured on the client, with the cluster's private CA).
    Tls,
    /// SASL/SCRAM-SHA-512 over TLS, with credentials in AWS Secrets Manager.
    Scram,
    /// SASL with AWS IAM over TLS (`AWS_MSK_IAM`).
    Iam,
}

/// Where the client connects from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Access {
    /// From inside the cluster's VPC (or a peered network).
    Private,
    /// From the internet, through the brokers' public addresses.
    Public,
    /// From another VPC through MSK multi-VPC private connectivity.
    VpcConnectivity,
}

impl Listener {
    pub const ALL: [Listener; 10] = [
        Listener::Plaintext,
        Listener::Tls,
        Listener::SaslScram,
        Listener::SaslIam,
        Listener::PublicTls,
        Listener::PublicSaslScram,
        Listener::PublicSaslIam,
        Listener::VpcTls,
        Listener::VpcSaslScram,
        Listener::VpcSaslIam,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Listener::Plaintext => "plaintext",
            Listener::Tls => "tls",
            Listener::SaslScram => "sasl-scram",
            Listener::SaslIam => "sasl-iam",
            Listener::PublicTls => "public-tls",
            Listener::PublicSaslScram => "public-sasl-scram",
            Listener::PublicSaslIam => "public-sasl-iam",
            Listener::VpcTls => "vpc-tls",
            Listener::VpcSaslScram => "vpc-sasl-scram",
            Listener::VpcSaslIam => "vpc-sasl-iam",
        }
    }

    pub fn from_slug(s: &str) -> Option<Listener> {
        Listener::ALL.into_iter().find(|l| l.slug() == s)
    }

    pub fn auth(self) -> Auth {
        match self {
            Listener::Plaintext => Auth::None,
            Listener::Tls | Listener::PublicTls | Listener::VpcTls => Auth::Tls,
            Listener::SaslScram | Listener::PublicSaslScram | Listener::VpcSaslScram => Auth::Scram,
            Listener::SaslIam | Listener::PublicSaslIam | Listener::VpcSaslIam => Auth::Iam,
        }
    }

    pub fn access(self) -> Access {
        match self {
            Listener::Plaintext | Listener::Tls | Listener::SaslScram | Listener::SaslIam => {
                Access::Private
            }
            Listener::PublicTls | Listener::PublicSaslScram | Listener::PublicSaslIam => {
                Access::Public
            }
            Listener::VpcTls | Listener::VpcSaslScram | Listener::VpcSaslIam => {
                Access::VpcConnectivity
            }
        }
    }

    /// The port AWS documents for this listener; the bootstrap string itself is the truth.
    pub fn documented_port(self) -> u16 {
        match self {
            Listener::Plaintext => 9092,
            Listener::Tls => 9094,
            Listener::SaslScram => 9096,
            Listener::SaslIam => 9098,
            Listener::PublicTls => 9194,
            Listener::PublicSaslScram => 9196,
            Listener::PublicSaslIam => 9198,
            Listener::VpcTls => 14001,
            Listener::VpcSaslScram => 14002,
            Listener::VpcSaslIam => 14003,
        }
    }

    /// The Kafka `security.protocol` a Java client sets for this listener.
    pub fn security_protocol(self) -> &'static str {
        match self.auth() {
            Auth::None => "PLAINTEXT",
            Auth::Tls => "SSL",
            Auth::Scram | Auth::Iam => "SASL_SSL",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Listener::Plaintext => "Plaintext",
            Listener::Tls => "TLS",
            Listener::SaslScram => "SASL/SCRAM",
            Listener::SaslIam => "IAM",
            Listener::PublicTls => "Public TLS",
            Listener::PublicSaslScram => "Public SASL/SCRAM",
            Listener::PublicSaslIam => "Public IAM",
            Listener::VpcTls => "Multi-VPC TLS",
            Listener::VpcSaslScram => "Multi-VPC SASL/SCRAM",
            Listener::VpcSaslIam => "Multi-VPC IAM",
        }
    }

    /// One line on who uses this listener, for the client-information table.
    pub fn purpose(self) -> &'static str {
        match self {
            Listener::Plaintext => "Clients inside the VPC; no encryption, no authentication",
            Listener::Tls => {
                "Clients inside the VPC over TLS (mutual TLS if the cluster has a private CA)"
            }
            Listener::SaslScram => {
                "Clients inside the VPC with a username and password from Secrets Manager"
            }
            Listener::SaslIam => "Clients inside the VPC that sign in with AWS IAM credentials",
            Listener::PublicTls => "Clients on the internet, over TLS",
            Listener::PublicSaslScram => {
                "Clients on the internet, with a SCRAM username and password"
            }
            Listener::PublicSaslIam => "Clients on the internet, with AWS IAM credentials",
            Listener::VpcTls => {
                "Clients in another VPC through multi-VPC private connectivity, over TLS"
            }
            Listener::VpcSaslScram => {
                "Clients in another VPC through multi-VPC private connectivity, with SCRAM"
            }
            Listener::VpcSaslIam => {
                "Clients in another VPC through multi-VPC private connectivity, with IAM"
            }
        }
    }
}

impl std::str::FromStr for Listener {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Listener::from_slug(s).ok_or_else(|| {
            let known: Vec<&str> = Listener::ALL.iter().map(|l| l.slug()).collect();
            format!(
                "unknown auth mode `{s}`; known modes are {}",
                known.join(", ")
            )
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClusterKind {
    Provisioned,
    Serverless,
    /// Listed from an inventory file: Kafka that MSK does not manage.
    SelfManaged,
}

impl ClusterKind {
    pub fn label(self) -> &'static str {
        match self {
            ClusterKind::Provisioned => "Provisioned",
            ClusterKind::Serverless => "Serverless",
            ClusterKind::SelfManaged => "Self-managed",
        }
    }
}

/// Where the cluster keeps its metadata.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MetadataMode {
    ZooKeeper,
    KRaft,
    /// Serverless clusters hide it.
    Managed,
}

/// Which client authentication the cluster has enabled.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AuthModes {
    pub unauthenticated: bool,
    pub tls: bool,
    pub scram: bool,
    pub iam: bool,
}

impl AuthModes {
    /// Short names for tables: "IAM, SCRAM, TLS".
    pub fn names(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        if self.iam {
            v.push("IAM");
        }
        if self.scram {
            v.push("SCRAM");
        }
        if self.tls {
            v.push("mTLS");
        }
        if self.unauthenticated {
            v.push("Unauthenticated");
        }
        v
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Encryption {
    /// `TLS`, `TLS_PLAINTEXT` or `PLAINTEXT`.
    pub client_broker: Option<String>,
    pub in_cluster: Option<bool>,
}

/// Open monitoring with Prometheus: which exporters run on every broker.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Monitoring {
    /// JMX exporter on port 11001.
    pub jmx_exporter: bool,
    /// Node exporter on port 11002.
    pub node_exporter: bool,
}

pub const JMX_EXPORTER_PORT: u16 = 11001;
pub const NODE_EXPORTER_PORT: u16 = 11002;

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Bootstrap {
    pub listener: Listener,
    /// Comma-separated `host:port` list, exactly as MSK returns it.
    pub servers: String,
}

impl Bootstrap {
    /// The port(s) the string uses; usually one.
    pub fn ports(&self) -> Vec<u16> {
        let mut ports: Vec<u16> = self
            .servers
            .split(',')
            .filter_map(|hp| hp.trim().rsplit_once(':'))
            .filter_map(|(_, p)| p.parse().ok())
            .collect();
        ports.sort_unstable();
        ports.dedup();
        ports
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Broker {
    pub id: u32,
    /// DNS names of the broker (usually one).
    pub endpoints: Vec<String>,
    pub client_vpc_ip: Option<String>,
    pub node_arn: Option<String>,
}

/// One cluster with everything "View client information" shows, and more.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Cluster {
    /// Stable, URL-safe id derived from the ARN: `<name>-<10 hex digits>`.
    pub id: String,
    /// The configured source (AWS profile/account, or inventory file) it came from.
    pub source: String,
    pub account: Option<String>,
    pub region: String,
    pub arn: String,
    pub name: String,
    pub kind: ClusterKind,
    pub state: String,
    pub kafka_version: Option<String>,
    pub metadata: MetadataMode,
    pub broker_count: Option<u32>,
    pub instance_type: Option<String>,
    pub auth: AuthModes,
    pub public_access: bool,
    pub encryption: Encryption,
    pub monitoring: Monitoring,
    pub zookeeper: Option<String>,
    pub zookeeper_tls: Option<String>,
    pub bootstrap: Vec<Bootstrap>,
    pub brokers: Vec<Broker>,
    pub created: Option<String>,
    /// What could not be fetched for this cluster (its bootstrap or nodes call failed);
    /// the rest of the record is still good.
    pub partial_error: Option<String>,
}

impl Cluster {
    pub fn bootstrap_for(&self, listener: Listener) -> Option<&Bootstrap> {
        self.bootstrap.iter().find(|b| b.listener == listener)
    }

    /// The one-line row the cluster list shows.
    pub fn summary(&self) -> ClusterSummary {
        ClusterSummary {
            id: self.id.clone(),
            name: self.name.clone(),
            source: self.source.clone(),
            region: self.region.clone(),
            kind: self.kind,
            state: self.state.clone(),
            kafka_version: self.kafka_version.clone(),
            brokers: self
                .broker_count
                .or_else(|| (!self.brokers.is_empty()).then_some(self.brokers.len() as u32)),
            auth: self.auth.names().join(", "),
            monitoring: self.monitoring,
        }
    }
}

/// A row of the cluster list: what the table shows, sorts and filters on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterSummary {
    pub id: String,
    pub name: String,
    pub source: String,
    pub region: String,
    pub kind: ClusterKind,
    pub state: String,
    pub kafka_version: Option<String>,
    pub brokers: Option<u32>,
    pub auth: String,
    pub monitoring: Monitoring,
}

impl ClusterSummary {
    /// Whether the row matches a free-text filter (case-insensitive, every word must match
    /// some column).
    pub fn matches(&self, filter: &str) -> bool {
        let hay = format!(
            "{} {} {} {} {} {} {}",
            self.name,
            self.source,
            self.region,
            self.kind.label(),
            self.state,
            self.kafka_version.as_deref().unwrap_or(""),
            self.auth
        )
        .to_lowercase();
        filter
            .split_whitespace()
            .all(|w| hay.contains(&w.to_lowercase()))
    }
}

/// How the last refresh of one source in one region went.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceStatus {
    pub source: String,
    pub region: String,
    pub account: Option<String>,
    pub clusters: usize,
    /// RFC 3339 time of the last refresh that succeeded.
    pub last_ok: Option<String>,
    /// RFC 3339 time of the last attempt.
    pub last_attempt: Option<String>,
    /// Why the last attempt failed; the clusters shown are from `last_ok`.
    pub error: Option<SourceError>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceError {
    /// `no-credentials`, `access-denied`, `throttled`, `timeout`, `unreachable`, `aws-error`,
    /// `config`, `file`.
    pub kind: String,
    pub message: String,
    /// What to do about it.
    pub hint: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshStatus {
    pub running: bool,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    /// Source/region pairs done of the total, while running.
    pub done: usize,
    pub total: usize,
    /// Completed refreshes since start.
    pub generation: u64,
}

/// Everything the console knows right now.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inventory {
    pub clusters: Vec<Cluster>,
    pub sources: Vec<SourceStatus>,
    pub refresh: RefreshStatus,
    /// The inventory holds the built-in sample data, not real clusters.
    pub sample: bool,
    /// The last exporter probe of each cluster, by cluster id.
    pub reachability: std::collections::BTreeMap<String, ClusterReachability>,
    pub sweep: SweepStatus,
}

/// The source name of the built-in sample inventory.
pub const SAMPLE_SOURCE: &str = "sample";

impl Inventory {
    /// Whether the console probes this cluster's exporters: every listed cluster except
    /// the built-in sample data, whose made-up host names must not be looked up.
    pub fn probes(&self, c: &Cluster) -> bool {
        !(self.sample && c.source == SAMPLE_SOURCE)
    }

    pub fn cluster(&self, id: &str) -> Option<&Cluster> {
        self.clusters.iter().find(|c| c.id == id || c.arn == id)
    }
}

/// What the cluster list page needs: the rows plus the state of every source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryOverview {
    pub clusters: Vec<ClusterSummary>,
    pub sources: Vec<SourceStatus>,
    pub refresh: RefreshStatus,
    pub sample: bool,
}

impl From<&Inventory> for InventoryOverview {
    fn from(inv: &Inventory) -> Self {
        InventoryOverview {
            clusters: inv.clusters.iter().map(Cluster::summary).collect(),
            sources: inv.sources.clone(),
            refresh: inv.refresh.clone(),
            sample: inv.sample,
        }
    }
}

/// Whether a string can be a cluster id at all (checked before any lookup, so a malformed
/// id in a URL gets its own message).
pub fn is_valid_cluster_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listener_slugs_round_trip_and_unknown_mode_is_explained() {
        for l in Listener::ALL {
            assert_eq!(l.slug().parse::<Listener>(), Ok(l));
        }
        let err = "kerberos".parse::<Listener>().unwrap_err();
        assert!(err.contains("unknown auth mode `kerberos`"), "{err}");
        assert!(err.contains("sasl-iam"), "{err}");
    }

    #[test]
    fn ports_follow_the_msk_documentation() {
        assert_eq!(Listener::Plaintext.documented_port(), 9092);
        assert_eq!(Listener::Tls.documented_port(), 9094);
        assert_eq!(Listener::SaslScram.documented_port(), 9096);
        assert_eq!(Listener::SaslIam.documented_port(), 9098);
        assert_eq!(Listener::PublicTls.documented_port(), 9194);
        assert_eq!(Listener::PublicSaslScram.documented_port(), 9196);
        assert_eq!(Listener::PublicSaslIam.documented_port(), 9198);
        assert_eq!(Listener::SaslScram.security_protocol(), "SASL_SSL");
        assert_eq!(Listener::Tls.security_protocol(), "SSL");
    }

    #[test]
    fn bootstrap_ports_come_from_the_string() {
        let b = Bootstrap {
            listener: Listener::Tls,
            servers: "b-1.x:9094,b-2.x:9094".into(),
        };
        assert_eq!(b.ports(), vec![9094]);
    }

    #[test]
    fn filter_needs_every_word() {
        let s = ClusterSummary {
            id: "orders-0123456789".into(),
            name: "orders".into(),
            source: "prod".into(),
            region: "eu-west-1".into(),
            kind: ClusterKind::Provisioned,
            state: "ACTIVE".into(),
            kafka_version: Some("3.6.0".into()),
            brokers: Some(3),
            auth: "IAM".into(),
            monitoring: Monitoring::default(),
        };
        assert!(s.matches("ORDERS eu-west"));
        assert!(s.matches(""));
        assert!(!s.matches("orders us-east"));
    }

    #[test]
    fn cluster_ids_are_checked_for_shape() {
        assert!(is_valid_cluster_id("orders-0a1b2c3d4e"));
        assert!(!is_valid_cluster_id("../etc/passwd"));
        assert!(!is_valid_cluster_id("Orders"));
        assert!(!is_valid_cluster_id(""));
    }
}

/// What probing one exporter of one broker found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProbeState {
    /// Enabled, answered 200 with Prometheus text.
    Up,
    /// Enabled, but did not answer usefully (see the reason).
    Down,
    /// Not enabled, and indeed not answering.
    Off,
    /// Not enabled in MSK's settings, yet it answers with metrics.
    Unexpected,
}

impl ProbeState {
    pub fn label(self) -> &'static str {
        match self {
            ProbeState::Up => "up",
            ProbeState::Down => "down",
            ProbeState::Off => "off",
            ProbeState::Unexpected => "answers while off",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ExporterProbe {
    /// `host:port` that was asked for `/metrics`.
    pub target: String,
    pub state: ProbeState,
    /// Why it is down, in plain words (refused, timed out, DNS failure, HTTP 404, …).
    pub reason: Option<String>,
    pub latency_ms: Option<u32>,
    /// Samples in the exposition, when it parsed.
    pub samples: Option<u32>,
    /// A telling value: `kafka_server_*` presence, node uptime.
    pub detail: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BrokerReachability {
    pub broker_id: u32,
    pub host: String,
    pub jmx: ExporterProbe,
    pub node: ExporterProbe,
}

/// The last probe of one cluster's exporters.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ClusterReachability {
    pub cluster_id: String,
    /// RFC 3339 time the probe finished.
    pub checked_at: String,
    pub brokers: Vec<BrokerReachability>,
}

impl ClusterReachability {
    /// (reachable, total) for the JMX and the node exporter.
    pub fn counts(&self) -> ((usize, usize), (usize, usize)) {
        let n = self.brokers.len();
        let up = |f: fn(&BrokerReachability) -> &ExporterProbe| {
            self.brokers
                .iter()
                .filter(|b| f(b).state == ProbeState::Up)
                .count()
        };
        ((up(|b| &b.jmx), n), (up(|b| &b.node), n))
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepStatus {
    pub running: bool,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub done: usize,
    pub total: usize,
    /// Completed sweeps since start.
    pub generation: u64,
}

/// A cluster with its last exporter probe: what the cluster page and
/// `GET /api/clusters/{id}` show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterDetail {
    #[serde(flatten)]
    pub cluster: Cluster,
    pub reachability: Option<ClusterReachability>,
    /// The state of the exporter sweeps (for the "Probe now" progress).
    pub sweep: SweepStatus,
    /// Set when this is a past state from the history, not the live inventory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded: Option<crate::history::RecordedAt>,
}

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
    pub id: String,
    pub name: String,
    pub source: String,
    pub region: String,
    pub kind: ClusterKind,
    pub jmx_enabled: bool,
    pub node_enabled: bool,
    pub brokers: usize,
    pub jmx_up: usize,
    pub node_up: usize,
    pub status: CoverageStatus,
    pub checked_at: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageTotals {
    pub clusters: usize,
    /// Both exporters enabled and answering on every broker.
    pub clusters_fully_covered: usize,
    pub brokers: usize,
    /// Brokers on which every enabled exporter answers (of clusters with monitoring on).
    pub brokers_covered: usize,
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
            let (jmx, node) = (c.monitoring.jmx_exporter, c.monitoring.node_exporter);
            let status = if c.kind == ClusterKind::Serverless || !(jmx || node) {
                CoverageStatus::Off
            } else if !inv.probes(c) {
                CoverageStatus::Sample
            } else if r.is_none() {
                CoverageStatus::Pending
            } else if (jmx && jmx_up == 0) || (node && node_up == 0) {
                CoverageStatus::Unreachable
            } else if (jmx && jmx_up < brokers) || (node && node_up < brokers) {
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
                status,
                checked_at: r.map(|r| r.checked_at.clone()),
            }
        })
        .collect();
    clusters.sort_by(|a, b| (a.status, &a.name, &a.region).cmp(&(b.status, &b.name, &b.region)));
    let mut totals = CoverageTotals {
        clusters: clusters.len(),
        ..CoverageTotals::default()
    };
    for c in &clusters {
        totals.brokers += c.brokers;
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
    }
}

/// A cluster for unit tests to adjust with struct-update syntax: provisioned, active,
/// both exporters on, no brokers or bootstrap strings yet.
#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;

    pub fn cluster(name: &str, source: &str, region: &str) -> Cluster {
        Cluster {
            id: format!("{name}-0123456789"),
            source: source.into(),
            account: Some("123456789012".into()),
            region: region.into(),
            arn: format!("arn:aws:kafka:{region}:123456789012:cluster/{name}/x"),
            name: name.into(),
            kind: ClusterKind::Provisioned,
            state: "ACTIVE".into(),
            kafka_version: None,
            metadata: MetadataMode::KRaft,
            broker_count: None,
            instance_type: None,
            auth: AuthModes::default(),
            public_access: false,
            encryption: Encryption::default(),
            monitoring: Monitoring {
                jmx_exporter: true,
                node_exporter: true,
            },
            zookeeper: None,
            zookeeper_tls: None,
            bootstrap: vec![],
            brokers: vec![],
            created: None,
            partial_error: None,
        }
    }
}

#[cfg(test)]
mod coverage_tests {
    use super::*;

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
