//! Inventory files: clusters listed by hand in TOML.
//!
//! Teams use them to show self-managed Kafka beside their MSK clusters, and the console's
//! sample data (`--sample`) is one of them, built in. The format mirrors the model:
//!
//! ```toml
//! source = "on-prem"                 # default: the file's name
//!
//! [[cluster]]
//! name = "ledger"
//! region = "dc-frankfurt"            # any location label
//! kind = "self-managed"              # or "provisioned" / "serverless" (sample data)
//! kafka_version = "3.7.1"
//! metadata = "kraft"                 # or "zookeeper"
//! auth = { scram = true }
//! monitoring = { jmx_exporter = true, node_exporter = true }
//! bootstrap = { sasl-scram = "kafka-1.dc.example:9096,kafka-2.dc.example:9096" }
//! brokers = [ { id = 1, endpoints = ["kafka-1.dc.example"] } ]
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use app::model::{
    AuthModes, Bootstrap, Broker, Cluster, ClusterKind, Controller, Encryption, Listener,
    MetadataMode, Monitoring,
};
use serde::Deserialize;

use super::ids::{arn_account, stable_id};

/// The sample inventory shown by `--sample`.
pub const SAMPLE: &str = include_str!("../../examples/sample-inventory.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    source: Option<String>,
    #[serde(default)]
    cluster: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    region: String,
    arn: Option<String>,
    account: Option<String>,
    #[serde(default = "self_managed")]
    kind: ClusterKind,
    #[serde(default = "active")]
    state: String,
    kafka_version: Option<String>,
    metadata: Option<MetadataMode>,
    broker_count: Option<u32>,
    instance_type: Option<String>,
    #[serde(default)]
    auth: AuthFlags,
    #[serde(default)]
    public_access: bool,
    #[serde(default)]
    encryption: EncryptionEntry,
    #[serde(default)]
    monitoring: MonitoringEntry,
    zookeeper: Option<String>,
    zookeeper_tls: Option<String>,
    #[serde(default)]
    bootstrap: BTreeMap<Listener, String>,
    #[serde(default)]
    brokers: Vec<BrokerEntry>,
    /// `tags = { team = "payments" }`.
    #[serde(default)]
    tags: BTreeMap<String, String>,
    /// KRaft controllers: `controllers = [{ endpoints = ["c-1.kafka.example"] }]`.
    #[serde(default)]
    controllers: Vec<ControllerEntry>,
    created: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ControllerEntry {
    endpoints: Vec<String>,
}

fn self_managed() -> ClusterKind {
    ClusterKind::SelfManaged
}

fn active() -> String {
    "ACTIVE".into()
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct AuthFlags {
    #[serde(default)]
    unauthenticated: bool,
    #[serde(default)]
    tls: bool,
    #[serde(default)]
    scram: bool,
    #[serde(default)]
    iam: bool,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct EncryptionEntry {
    client_broker: Option<String>,
    in_cluster: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct MonitoringEntry {
    #[serde(default)]
    jmx_exporter: bool,
    #[serde(default)]
    node_exporter: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BrokerEntry {
    id: u32,
    endpoints: Vec<String>,
    client_vpc_ip: Option<String>,
}

/// The source name a file's clusters are listed under: its `source` key, or else its
/// file name without the extension.
pub fn source_name(path: &Path) -> String {
    #[derive(Deserialize)]
    struct Head {
        source: Option<String>,
    }
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| toml::from_str::<Head>(&t).ok())
        .and_then(|h| h.source)
        .unwrap_or_else(|| {
            path.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "inventory".into())
        })
}

/// Reads an inventory file; the error says what is wrong and where.
pub fn read(path: &Path) -> Result<(String, Vec<Cluster>), String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let default_source = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "inventory".into());
    parse(&text, &default_source).map_err(|e| format!("{}: {e}", path.display()))
}

/// Refuses a cluster whose endpoints or bootstrap strings are not host names and
/// `host:port` lists: they become probe URLs and lines of generated files.
fn check_endpoints(e: &Entry) -> Result<(), String> {
    let place =
        |what: String, why: String| format!("cluster `{}`: {what}: {why}", e.name.escape_debug());
    for (listener, servers) in &e.bootstrap {
        app::model::endpoint::check_servers(servers)
            .map_err(|why| place(format!("bootstrap {}", listener.slug()), why))?;
    }
    for zk in [&e.zookeeper, &e.zookeeper_tls].into_iter().flatten() {
        app::model::endpoint::check_servers(zk).map_err(|why| place("zookeeper".into(), why))?;
    }
    for b in &e.brokers {
        for h in &b.endpoints {
            app::model::endpoint::check_host(h)
                .map_err(|why| place(format!("broker {}", b.id), why))?;
        }
    }
    for c in &e.controllers {
        for h in &c.endpoints {
            app::model::endpoint::check_host(h).map_err(|why| place("controller".into(), why))?;
        }
    }
    Ok(())
}

/// Parses inventory TOML; `default_source` names the source when the file does not.
pub fn parse(text: &str, default_source: &str) -> Result<(String, Vec<Cluster>), String> {
    let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
    let source = file.source.unwrap_or_else(|| default_source.to_string());
    let mut seen = std::collections::HashSet::new();
    let mut clusters = Vec::new();
    for e in file.cluster {
        check_endpoints(&e)?;
        let arn = e
            .arn
            .unwrap_or_else(|| format!("self-managed:{source}:{}:{}", e.region, e.name));
        if !seen.insert(arn.clone()) {
            return Err(format!(
                "cluster `{}` in {} is listed twice",
                e.name, e.region
            ));
        }
        let metadata = e.metadata.unwrap_or(match (e.kind, &e.zookeeper) {
            (ClusterKind::Serverless, _) => MetadataMode::Managed,
            (_, Some(_)) => MetadataMode::ZooKeeper,
            _ => MetadataMode::KRaft,
        });
        let brokers: Vec<Broker> = e
            .brokers
            .into_iter()
            .map(|b| Broker {
                id: b.id,
                endpoints: b.endpoints,
                client_vpc_ip: b.client_vpc_ip,
                node_arn: None,
            })
            .collect();
        clusters.push(Cluster {
            id: stable_id(&e.name, &arn),
            source: source.clone(),
            account: e.account.or_else(|| arn_account(&arn)),
            region: e.region,
            name: e.name,
            kind: e.kind,
            state: e.state.into(),
            kafka_version: e.kafka_version,
            metadata,
            broker_count: e
                .broker_count
                .or_else(|| (!brokers.is_empty()).then_some(brokers.len() as u32)),
            instance_type: e.instance_type,
            auth: AuthModes {
                unauthenticated: e.auth.unauthenticated,
                tls: e.auth.tls,
                scram: e.auth.scram,
                iam: e.auth.iam,
            },
            public_access: e.public_access,
            encryption: Encryption {
                client_broker: e.encryption.client_broker,
                in_cluster: e.encryption.in_cluster,
            },
            monitoring: Monitoring {
                jmx_exporter: e.monitoring.jmx_exporter,
                node_exporter: e.monitoring.node_exporter,
            },
            zookeeper: e.zookeeper,
            zookeeper_tls: e.zookeeper_tls,
            bootstrap: e
                .bootstrap
                .into_iter()
                .map(|(listener, servers)| Bootstrap { listener, servers })
                .collect(),
            brokers,
            controllers: e
                .controllers
                .into_iter()
                .map(|c| Controller {
                    endpoints: c.endpoints,
                    node_arn: None,
                })
                .collect(),
            created: e.created,
            tags: e.tags,
            settings: Default::default(),
            scram_secrets: Vec::new(),
            operations: Vec::new(),
            notes: Vec::new(),
            links: Default::default(),
            partial_error: None,
            arn,
        });
    }
    Ok((source, clusters))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_parses_and_covers_every_shape() {
        let (source, clusters) = parse(SAMPLE, "sample").unwrap();
        assert_eq!(source, "sample");
        assert!(clusters.len() >= 4);
        assert!(clusters.iter().any(|c| c.kind == ClusterKind::Serverless));
        assert!(clusters.iter().any(|c| c.metadata == MetadataMode::KRaft));
        assert!(clusters.iter().any(|c| c.kind == ClusterKind::SelfManaged));
        assert!(clusters.iter().any(|c| !c.monitoring.jmx_exporter));
    }

    #[test]
    fn mistakes_are_reported_with_their_place() {
        let e = parse(
            "[[cluster]]\nname = \"a\"\nregion = \"x\"\nbootstrap = { kerberos = \"h:1\" }\n",
            "f",
        )
        .unwrap_err();
        assert!(e.contains("kerberos"), "{e}");
        let e = parse("[[cluster]]\nname = \"a\"\n", "f").unwrap_err();
        assert!(e.contains("region"), "{e}");
    }
}
