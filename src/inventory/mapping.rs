//! MSK's answers mapped to the console's model, one section of a cluster at a time: what
//! every cluster has (name, state, tags, settings), what a provisioned one adds (version,
//! brokers, client authentication, encryption, open monitoring, ZooKeeper), what a
//! serverless one says, the bootstrap strings, and the nodes (brokers and KRaft
//! controllers).
//!
//! Every string that becomes a host name or a `host:port` list is checked here, where
//! it enters ([`app::model::endpoint`]): one that is not is left out, with a note on the
//! cluster page saying so.

use app::model::endpoint;
use app::model::{
    AuthModes, Bootstrap, Broker, Cluster, ClusterKind, Controller, Encryption, Listener,
    MetadataMode, Monitoring,
};
use aws_sdk_kafka::operation::get_bootstrap_brokers::GetBootstrapBrokersOutput;
use aws_sdk_kafka::types::{self, ClientAuthentication, ClusterType, NodeInfo, Provisioned};
use aws_smithy_types::date_time::Format;

use super::ids::{arn_account, stable_id};

/// Maps the SDK's answers to the console's model.
pub fn to_model(
    source: &str,
    region: &str,
    info: &types::Cluster,
    bootstrap: Option<&GetBootstrapBrokersOutput>,
    nodes: &[NodeInfo],
) -> Cluster {
    let mut c = common(source, region, info);
    if let Some(p) = info.provisioned() {
        provisioned(&mut c, p);
    }
    if let Some(s) = info.serverless() {
        c.auth.iam = s
            .client_authentication()
            .and_then(|a| a.sasl())
            .and_then(|s| s.iam())
            .and_then(|i| i.enabled())
            .unwrap_or(true);
        c.encryption.client_broker = Some("TLS".into());
    }
    if let Some(b) = bootstrap {
        c.bootstrap = bootstrap_strings(b);
    }
    let brokers = brokers(nodes, &mut c.notes);
    c.controllers = controllers(nodes, &mut c.notes);
    // GetBootstrapBrokers answers a random three of a larger cluster: derive the full list.
    for b in &mut c.bootstrap {
        b.servers = super::bootstrap::stable(&b.servers, &brokers);
    }
    c.brokers = brokers;
    keep_valid_strings(&mut c);
    c
}

/// What every cluster has, provisioned or serverless.
fn common(source: &str, region: &str, info: &types::Cluster) -> Cluster {
    let arn = info.cluster_arn().unwrap_or_default().to_string();
    let name = info.cluster_name().unwrap_or_default().to_string();
    Cluster {
        id: stable_id(&name, &arn),
        source: source.to_string(),
        account: arn_account(&arn),
        region: region.to_string(),
        arn,
        name,
        kind: if info.cluster_type() == Some(&ClusterType::Serverless) {
            ClusterKind::Serverless
        } else {
            ClusterKind::Provisioned
        },
        state: info
            .state()
            .map_or_else(|| "UNKNOWN".into(), |s| s.as_str().into()),
        kafka_version: None,
        metadata: MetadataMode::Managed,
        broker_count: None,
        instance_type: None,
        auth: AuthModes::default(),
        public_access: false,
        encryption: Encryption::default(),
        monitoring: Monitoring::default(),
        zookeeper: None,
        zookeeper_tls: None,
        bootstrap: Vec::new(),
        brokers: Vec::new(),
        controllers: Vec::new(),
        tags: info
            .tags()
            .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default(),
        settings: super::details::settings(info),
        scram_secrets: Vec::new(),
        operations: Vec::new(),
        notes: Vec::new(),
        created: info
            .creation_time()
            .and_then(|t| t.fmt(Format::DateTime).ok()),
        links: Default::default(),
        partial_error: None,
    }
}

/// What a provisioned cluster adds: version, brokers, public access, client
/// authentication, encryption, open monitoring, ZooKeeper or KRaft.
fn provisioned(c: &mut Cluster, p: &Provisioned) {
    c.kafka_version = p
        .current_broker_software_info()
        .and_then(|s| s.kafka_version())
        .map(str::to_string);
    c.broker_count = p
        .number_of_broker_nodes()
        .and_then(|n| u32::try_from(n).ok());
    let group = p.broker_node_group_info();
    c.instance_type = group.and_then(|g| g.instance_type()).map(str::to_string);
    c.public_access = group
        .and_then(|g| g.connectivity_info())
        .and_then(|ci| ci.public_access())
        .and_then(|pa| pa.r#type())
        == Some("SERVICE_PROVIDED_EIPS");
    c.auth = client_auth(p.client_authentication());
    if let Some(eit) = p.encryption_info().and_then(|e| e.encryption_in_transit()) {
        c.encryption = Encryption {
            client_broker: eit.client_broker().map(|cb| cb.as_str().to_string()),
            in_cluster: eit.in_cluster(),
        };
    }
    let prom = p.open_monitoring().and_then(|o| o.prometheus());
    c.monitoring = Monitoring {
        jmx_exporter: prom
            .and_then(|p| p.jmx_exporter())
            .and_then(|j| j.enabled_in_broker())
            .unwrap_or(false),
        node_exporter: prom
            .and_then(|p| p.node_exporter())
            .and_then(|n| n.enabled_in_broker())
            .unwrap_or(false),
    };
    c.zookeeper = p.zookeeper_connect_string().map(str::to_string);
    c.zookeeper_tls = p.zookeeper_connect_string_tls().map(str::to_string);
    // KRaft clusters have no ZooKeeper strings at all.
    c.metadata = if c.zookeeper.is_some() || c.zookeeper_tls.is_some() {
        MetadataMode::ZooKeeper
    } else {
        MetadataMode::KRaft
    };
}

/// The auth modes a provisioned cluster takes.
fn client_auth(ca: Option<&ClientAuthentication>) -> AuthModes {
    match ca {
        // A cluster created without client authentication takes unauthenticated clients.
        None => AuthModes {
            unauthenticated: true,
            ..AuthModes::default()
        },
        Some(ca) => AuthModes {
            unauthenticated: ca
                .unauthenticated()
                .and_then(|u| u.enabled())
                .unwrap_or(false),
            tls: ca.tls().and_then(|t| t.enabled()).unwrap_or(false),
            scram: ca
                .sasl()
                .and_then(|s| s.scram())
                .and_then(|s| s.enabled())
                .unwrap_or(false),
            iam: ca
                .sasl()
                .and_then(|s| s.iam())
                .and_then(|s| s.enabled())
                .unwrap_or(false),
        },
    }
}

/// Every bootstrap string GetBootstrapBrokers answered, by listener.
fn bootstrap_strings(b: &GetBootstrapBrokersOutput) -> Vec<Bootstrap> {
    let pairs: [(Listener, Option<&str>); 14] = [
        (Listener::Plaintext, b.bootstrap_broker_string()),
        (Listener::Tls, b.bootstrap_broker_string_tls()),
        (Listener::SaslScram, b.bootstrap_broker_string_sasl_scram()),
        (Listener::SaslIam, b.bootstrap_broker_string_sasl_iam()),
        (Listener::PublicTls, b.bootstrap_broker_string_public_tls()),
        (
            Listener::PublicSaslScram,
            b.bootstrap_broker_string_public_sasl_scram(),
        ),
        (
            Listener::PublicSaslIam,
            b.bootstrap_broker_string_public_sasl_iam(),
        ),
        (
            Listener::VpcTls,
            b.bootstrap_broker_string_vpc_connectivity_tls(),
        ),
        (
            Listener::VpcSaslScram,
            b.bootstrap_broker_string_vpc_connectivity_sasl_scram(),
        ),
        (
            Listener::VpcSaslIam,
            b.bootstrap_broker_string_vpc_connectivity_sasl_iam(),
        ),
        (Listener::Ipv6Plaintext, b.bootstrap_broker_string_ipv6()),
        (Listener::Ipv6Tls, b.bootstrap_broker_string_tls_ipv6()),
        (
            Listener::Ipv6SaslScram,
            b.bootstrap_broker_string_sasl_scram_ipv6(),
        ),
        (
            Listener::Ipv6SaslIam,
            b.bootstrap_broker_string_sasl_iam_ipv6(),
        ),
    ];
    pairs
        .into_iter()
        .filter_map(|(listener, s)| {
            s.filter(|s| !s.trim().is_empty()).map(|s| Bootstrap {
                listener,
                servers: s.to_string(),
            })
        })
        .collect()
}

/// The brokers ListNodes lists, by id, each with only the endpoints that are host names.
fn brokers(nodes: &[NodeInfo], notes: &mut Vec<String>) -> Vec<Broker> {
    let mut brokers: Vec<Broker> = nodes
        .iter()
        .filter_map(|n| {
            let b = n.broker_node_info()?;
            Some(Broker {
                // MSK types the id as a double; ids are small whole numbers.
                id: b.broker_id().map(|f| f.round() as u32)?,
                endpoints: b.endpoints().to_vec(),
                client_vpc_ip: b.client_vpc_ip_address().map(str::to_string),
                node_arn: n.node_arn().map(str::to_string),
            })
        })
        .collect();
    brokers.sort_by_key(|b| b.id);
    // Endpoints become probe URLs and lines of generated files: keep only host names.
    for b in &mut brokers {
        keep_hosts(&mut b.endpoints, notes, &format!("broker {}", b.id));
    }
    brokers
}

/// The KRaft controllers ListNodes lists (`controllerNodeInfo`), by host.
fn controllers(nodes: &[NodeInfo], notes: &mut Vec<String>) -> Vec<Controller> {
    let mut controllers: Vec<Controller> = nodes
        .iter()
        .filter_map(|n| {
            let ctl = n.controller_node_info()?;
            Some(Controller {
                endpoints: ctl.endpoints().to_vec(),
                node_arn: n.node_arn().map(str::to_string),
            })
        })
        .filter(|c| c.host().is_some())
        .collect();
    for ctl in &mut controllers {
        keep_hosts(&mut ctl.endpoints, notes, "a controller");
    }
    controllers.retain(|c| c.host().is_some());
    controllers.sort_by(|a, b| a.host().cmp(&b.host()));
    controllers
}

/// Leaves out the bootstrap and ZooKeeper strings that are not `host:port` lists, with a
/// note each.
fn keep_valid_strings(c: &mut Cluster) {
    let notes = &mut c.notes;
    c.bootstrap.retain(|b| match endpoint::check_servers(&b.servers) {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(listener = ?b.listener, error = %e, "dropped a bootstrap string MSK answered");
            notes.push(format!("A bootstrap string MSK answered was left out: {e}."));
            false
        }
    });
    for zk in [&mut c.zookeeper, &mut c.zookeeper_tls] {
        if let Some(Err(e)) = zk.as_deref().map(endpoint::check_servers) {
            c.notes.push(format!(
                "A ZooKeeper connection string MSK answered was left out: {e}."
            ));
            *zk = None;
        }
    }
}

/// Drops the endpoints that are not host names, with a note saying so.
fn keep_hosts(endpoints: &mut Vec<String>, notes: &mut Vec<String>, whose: &str) {
    endpoints.retain(|e| match endpoint::check_host(e) {
        Ok(()) => true,
        Err(why) => {
            tracing::warn!(%whose, error = %why, "dropped an endpoint MSK answered");
            notes.push(format!("An endpoint of {whose} was left out: {why}."));
            false
        }
    });
}
