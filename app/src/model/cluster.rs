//! One cluster as the console knows it: what "View client information" shows and more,
//! and the one-line summary the cluster list shows, sorts and filters on.

use serde::{Deserialize, Serialize};

use crate::params::ClusterId;

use std::collections::BTreeMap;

use super::{ClusterSettings, Links, Listener, Operation};

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

/// Where a cluster is in its life, as MSK's `State` says (`ACTIVE`, `UPDATING`, …).
///
/// It travels as MSK's own string; a state this version does not know is kept as it
/// came (`Other`), so a new AWS state shows instead of failing the listing.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum LifecycleState {
    Active,
    Creating,
    Updating,
    Deleting,
    Failed,
    Healing,
    Maintenance,
    RebootingBroker,
    Other(String),
}

impl LifecycleState {
    const KNOWN: [(LifecycleState, &'static str); 8] = [
        (LifecycleState::Active, "ACTIVE"),
        (LifecycleState::Creating, "CREATING"),
        (LifecycleState::Updating, "UPDATING"),
        (LifecycleState::Deleting, "DELETING"),
        (LifecycleState::Failed, "FAILED"),
        (LifecycleState::Healing, "HEALING"),
        (LifecycleState::Maintenance, "MAINTENANCE"),
        (LifecycleState::RebootingBroker, "REBOOTING_BROKER"),
    ];

    /// MSK's name of the state.
    pub fn as_str(&self) -> &str {
        match self {
            LifecycleState::Other(s) => s,
            known => LifecycleState::KNOWN
                .iter()
                .find(|(k, _)| k == known)
                .map(|(_, name)| *name)
                .unwrap_or("UNKNOWN"),
        }
    }

    /// How the state reads at a glance: `ok` (serving), `bad` (failed or going away), or
    /// `warn` (changing).
    pub fn tone(&self) -> &'static str {
        match self {
            LifecycleState::Active => "ok",
            LifecycleState::Failed | LifecycleState::Deleting => "bad",
            _ => "warn",
        }
    }
}

impl From<&str> for LifecycleState {
    fn from(s: &str) -> Self {
        LifecycleState::KNOWN
            .iter()
            .find(|(_, name)| *name == s)
            .map(|(k, _)| k.clone())
            .unwrap_or_else(|| LifecycleState::Other(s.to_string()))
    }
}

impl From<String> for LifecycleState {
    fn from(s: String) -> Self {
        LifecycleState::from(s.as_str())
    }
}

impl From<LifecycleState> for String {
    fn from(s: LifecycleState) -> Self {
        s.as_str().to_string()
    }
}

impl std::fmt::Display for LifecycleState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
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

/// A KRaft controller node. ListNodes gives its endpoints only; it runs the JMX
/// exporter (:11001) but no node exporter.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Controller {
    /// DNS names of the controller (usually one, `c-N.<cluster>.…`).
    pub endpoints: Vec<String>,
    pub node_arn: Option<String>,
}

impl Controller {
    /// The name it is probed and scraped at.
    pub fn host(&self) -> Option<&str> {
        self.endpoints.first().map(String::as_str)
    }
}

/// One cluster with everything "View client information" shows, and more.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Cluster {
    /// Stable, URL-safe id derived from the ARN: `<name>-<10 hex digits>`.
    pub id: ClusterId,
    /// The configured source (AWS profile/account, or inventory file) it came from.
    pub source: String,
    pub account: Option<String>,
    pub region: String,
    pub arn: String,
    pub name: String,
    pub kind: ClusterKind,
    pub state: LifecycleState,
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
    /// KRaft controllers, in the order of their names (none on ZooKeeper clusters).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub controllers: Vec<Controller>,
    pub created: Option<String>,
    /// The cluster's AWS tags.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// Settings beyond client information.
    #[serde(default, skip_serializing_if = "ClusterSettings::is_empty")]
    pub settings: ClusterSettings,
    /// ARNs of the Secrets Manager secrets associated for SCRAM (never their values).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scram_secrets: Vec<String>,
    /// Recent operations, newest first (not part of the recorded state).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operations: Vec<Operation>,
    /// What the console could not look up for this cluster (a missing permission for an
    /// optional call); the listing itself is whole (not part of the recorded state).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Multi-VPC connections, replication flows and connectors that use the cluster.
    #[serde(default, skip_serializing_if = "Links::is_empty")]
    pub links: Links,
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
            tags: self.tags.clone(),
            health: None,
            health_reason: None,
            alarms: None,
            replicates: self.links.replication_brief(),
        }
    }
}

/// A cluster's CloudWatch alarm coverage in brief, for its list row and the filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlarmsBrief {
    /// Key metrics with alarms on every broker they apply to.
    pub covered: u16,
    /// Key metrics of the cluster's kind.
    pub total: u16,
    /// Alarms on them in the ALARM state.
    pub firing: u16,
}

impl AlarmsBrief {
    pub fn of(a: &super::cloudwatch::AlarmCoverage) -> AlarmsBrief {
        let n = |v: usize| u16::try_from(v).unwrap_or(u16::MAX);
        AlarmsBrief {
            covered: n(a.covered()),
            total: n(a.key.len()),
            firing: n(a.firing().len()),
        }
    }

    pub fn complete(self) -> bool {
        self.covered >= self.total
    }
}

/// A row of the cluster list: what the table shows, sorts and filters on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterSummary {
    pub id: ClusterId,
    pub name: String,
    pub source: String,
    pub region: String,
    pub kind: ClusterKind,
    pub state: LifecycleState,
    pub kafka_version: Option<String>,
    pub brokers: Option<u32>,
    pub auth: String,
    pub monitoring: Monitoring,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// Health from the last probe (`None`: not probed, or nothing to judge).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<super::HealthState>,
    /// The worst reason, when not healthy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_reason: Option<String>,
    /// CloudWatch alarm coverage of the key metrics (`None`: not read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alarms: Option<AlarmsBrief>,
    /// Its replication flows in brief: `→ orders-dr` (replicates to), `← orders` (from).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replicates: Vec<String>,
}

impl ClusterSummary {
    /// Whether the row matches a free-text filter (case-insensitive, every word must
    /// match). A word `tag:KEY=VALUE` matches a tag exactly, `tag:KEY` any value of that
    /// tag; `alarms:missing`, `alarms:complete`, `alarms:firing` and `alarms:unknown`
    /// match on CloudWatch alarm coverage; other words match any column, or a tag's
    /// value.
    pub fn matches(&self, filter: &str) -> bool {
        TextFilter::parse(filter).matches(self, &self.haystack())
    }

    /// The lower-case text a filter word is looked for in: every column and every tag's
    /// value. The list builds it once per inventory (see [`super::ListRows`]).
    pub fn haystack(&self) -> String {
        let mut hay = format!(
            "{} {} {} {} {} {} {}",
            self.name,
            self.source,
            self.region,
            self.kind.label(),
            self.state.as_str(),
            self.kafka_version.as_deref().unwrap_or(""),
            self.auth,
        );
        for v in self.tags.values() {
            hay.push(' ');
            hay.push_str(v);
        }
        hay.to_lowercase()
    }
}

/// A free-text filter, lower-cased and split into words once (see
/// [`ClusterSummary::matches`]).
#[derive(Clone, Debug, Default)]
pub struct TextFilter(Vec<String>);

impl TextFilter {
    pub fn parse(filter: &str) -> TextFilter {
        TextFilter(filter.split_whitespace().map(str::to_lowercase).collect())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `row`, whose [`ClusterSummary::haystack`] is `hay`, matches every word.
    pub fn matches(&self, row: &ClusterSummary, hay: &str) -> bool {
        self.0.iter().all(|w| {
            if let Some(want) = w.strip_prefix("alarms:") {
                return match (want, row.alarms) {
                    ("missing", Some(a)) => !a.complete(),
                    ("complete", Some(a)) => a.complete(),
                    ("firing", Some(a)) => a.firing > 0,
                    ("unknown", None) => true,
                    _ => false,
                };
            }
            match w.strip_prefix("tag:") {
                Some(t) => {
                    let (key, value) = match t.split_once('=') {
                        Some((k, v)) => (k, Some(v)),
                        None => (t, None),
                    };
                    row.tags.iter().any(|(k, v)| {
                        k.to_lowercase() == key && value.is_none_or(|want| v.to_lowercase() == want)
                    })
                }
                None => hay.contains(w.as_str()),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            id: crate::params::ClusterId::parse("orders-0123456789").unwrap(),
            name: "orders".into(),
            source: "prod".into(),
            region: "eu-west-1".into(),
            kind: ClusterKind::Provisioned,
            state: LifecycleState::Active,
            kafka_version: Some("3.6.0".into()),
            brokers: Some(3),
            auth: "IAM".into(),
            monitoring: Monitoring::default(),
            tags: [("team".to_string(), "Payments".to_string())].into(),
            health: None,
            health_reason: None,
            alarms: None,
            replicates: Vec::new(),
        };
        assert!(s.matches("ORDERS eu-west"));
        assert!(s.matches("alarms:unknown orders"));
        assert!(!s.matches("alarms:missing"));
        let mut missing = s.clone();
        missing.alarms = Some(AlarmsBrief {
            covered: 3,
            total: 4,
            firing: 1,
        });
        assert!(missing.matches("alarms:missing"));
        assert!(missing.matches("ALARMS:FIRING"));
        assert!(!missing.matches("alarms:complete"));
        assert!(!missing.matches("alarms:unknown"));
        assert!(!missing.matches("alarms:bogus"));
        assert!(s.matches("tag:team=payments orders"));
        assert!(s.matches("tag:Team"));
        assert!(!s.matches("tag:team=search"));
        assert!(!s.matches("tag:owner"));
        assert!(s.matches("payments"));
        assert!(s.matches(""));
        assert!(!s.matches("orders us-east"));
    }

    #[test]
    fn lifecycle_states_keep_msks_strings() {
        for (state, name) in LifecycleState::KNOWN {
            assert_eq!(LifecycleState::from(name), state);
            assert_eq!(state.as_str(), name);
        }
        let new = LifecycleState::from("PAUSED_BY_AWS");
        assert_eq!(new, LifecycleState::Other("PAUSED_BY_AWS".into()));
        assert_eq!(serde_json::to_string(&new).unwrap(), "\"PAUSED_BY_AWS\"");
        let back: LifecycleState = serde_json::from_str("\"ACTIVE\"").unwrap();
        assert_eq!(back, LifecycleState::Active);
        assert_eq!(LifecycleState::Active.tone(), "ok");
        assert_eq!(LifecycleState::Failed.tone(), "bad");
        assert_eq!(LifecycleState::Updating.tone(), "warn");
    }
}
