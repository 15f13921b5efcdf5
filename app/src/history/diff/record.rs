//! The diff sections of a cluster's record: lifecycle, brokers and controllers,
//! listeners, authentication, encryption, ZooKeeper, monitoring and the rest.

use std::collections::BTreeMap;

use super::{on_off, Entries};
use crate::history::ChangeKind;
use crate::model::{Broker, Cluster, Listener};

fn endpoints(b: &Broker) -> String {
    b.endpoints.join(", ")
}

/// State and Kafka version.
pub(super) fn lifecycle(out: &mut Entries, oc: &Cluster, nc: &Cluster) {
    use ChangeKind as K;
    out.field(K::State, "State", &oc.state, &nc.state);
    out.opt(
        K::Version,
        "Kafka version",
        oc.kafka_version.clone(),
        nc.kafka_version.clone(),
    );
}

/// Brokers by id: added, removed, and their endpoints.
pub(super) fn brokers(out: &mut Entries, oc: &Cluster, nc: &Cluster) {
    use ChangeKind as K;
    let ob: BTreeMap<u32, &Broker> = oc.brokers.iter().map(|b| (b.id, b)).collect();
    let nb: BTreeMap<u32, &Broker> = nc.brokers.iter().map(|b| (b.id, b)).collect();
    out.opt(
        K::Brokers,
        "Broker count",
        oc.broker_count.map(|n| n.to_string()),
        nc.broker_count.map(|n| n.to_string()),
    );
    for (id, b) in &ob {
        if !nb.contains_key(id) {
            out.opt(
                K::Brokers,
                &format!("Broker {id}"),
                Some(endpoints(b)),
                None,
            );
        }
    }
    for (id, b) in &nb {
        match ob.get(id) {
            None => out.opt(
                K::Brokers,
                &format!("Broker {id}"),
                None,
                Some(endpoints(b)),
            ),
            Some(old) => {
                out.field(
                    K::Endpoints,
                    &format!("Broker {id} endpoints"),
                    &endpoints(old),
                    &endpoints(b),
                );
                out.opt(
                    K::Endpoints,
                    &format!("Broker {id} client VPC IP"),
                    old.client_vpc_ip.clone(),
                    b.client_vpc_ip.clone(),
                );
                out.opt(
                    K::Settings,
                    &format!("Broker {id} node ARN"),
                    old.node_arn.clone(),
                    b.node_arn.clone(),
                );
            }
        }
    }
}

/// KRaft controllers, by name: added and removed.
pub(super) fn controllers(out: &mut Entries, oc: &Cluster, nc: &Cluster) {
    let names = |c: &Cluster| -> BTreeMap<String, String> {
        c.controllers
            .iter()
            .filter_map(|k| Some((k.host()?.to_string(), k.endpoints.join(", "))))
            .collect()
    };
    out.keyed(
        ChangeKind::Brokers,
        |host| format!("Controller {host}"),
        &names(oc),
        &names(nc),
    );
}

/// Bootstrap strings, by listener.
pub(super) fn bootstrap(out: &mut Entries, oc: &Cluster, nc: &Cluster) {
    use ChangeKind as K;
    for l in Listener::ALL {
        out.opt(
            K::Bootstrap,
            &format!("{} bootstrap", l.label()),
            oc.bootstrap_for(l).map(|b| b.servers.clone()),
            nc.bootstrap_for(l).map(|b| b.servers.clone()),
        );
    }
}

/// Client authentication modes and public access.
pub(super) fn auth(out: &mut Entries, oc: &Cluster, nc: &Cluster) {
    use ChangeKind as K;
    let (oa, na) = (&oc.auth, &nc.auth);
    out.field(K::Auth, "IAM", &on_off(oa.iam), &on_off(na.iam));
    out.field(K::Auth, "SASL/SCRAM", &on_off(oa.scram), &on_off(na.scram));
    out.field(K::Auth, "Mutual TLS", &on_off(oa.tls), &on_off(na.tls));
    out.field(
        K::Auth,
        "Unauthenticated",
        &on_off(oa.unauthenticated),
        &on_off(na.unauthenticated),
    );
    out.field(
        K::Auth,
        "Public access",
        &on_off(oc.public_access),
        &on_off(nc.public_access),
    );
}

/// Encryption in transit.
pub(super) fn encryption(out: &mut Entries, oc: &Cluster, nc: &Cluster) {
    use ChangeKind as K;
    out.opt(
        K::Encryption,
        "Encryption client–broker",
        oc.encryption.client_broker.clone(),
        nc.encryption.client_broker.clone(),
    );
    out.opt(
        K::Encryption,
        "Encryption in cluster",
        oc.encryption.in_cluster.map(on_off),
        nc.encryption.in_cluster.map(on_off),
    );
}

/// ZooKeeper connection strings.
pub(super) fn zookeeper(out: &mut Entries, oc: &Cluster, nc: &Cluster) {
    use ChangeKind as K;
    out.opt(
        K::Zookeeper,
        "ZooKeeper",
        oc.zookeeper.clone(),
        nc.zookeeper.clone(),
    );
    out.opt(
        K::Zookeeper,
        "ZooKeeper TLS",
        oc.zookeeper_tls.clone(),
        nc.zookeeper_tls.clone(),
    );
}

/// Which exporters open monitoring enables.
pub(super) fn monitoring(out: &mut Entries, oc: &Cluster, nc: &Cluster) {
    use ChangeKind as K;
    out.field(
        K::Monitoring,
        "JMX exporter",
        &on_off(oc.monitoring.jmx_exporter),
        &on_off(nc.monitoring.jmx_exporter),
    );
    out.field(
        K::Monitoring,
        "Node exporter",
        &on_off(oc.monitoring.node_exporter),
        &on_off(nc.monitoring.node_exporter),
    );
}

/// Everything else about the cluster: name, kind, metadata, broker type, where it is listed.
pub(super) fn settings(out: &mut Entries, oc: &Cluster, nc: &Cluster) {
    use ChangeKind as K;
    out.field(K::Settings, "Name", &oc.name, &nc.name);
    out.field(K::Settings, "Kind", &oc.kind.label(), &nc.kind.label());
    out.field(
        K::Settings,
        "Metadata",
        &format!("{:?}", oc.metadata),
        &format!("{:?}", nc.metadata),
    );
    out.opt(
        K::Settings,
        "Broker type",
        oc.instance_type.clone(),
        nc.instance_type.clone(),
    );
    out.opt(
        K::Settings,
        "Account",
        oc.account.clone(),
        nc.account.clone(),
    );
    out.field(K::Settings, "Source", &oc.source, &nc.source);
    out.field(K::Settings, "Region", &oc.region, &nc.region);
    out.field(K::Settings, "ARN", &oc.arn, &nc.arn);
    out.opt(
        K::Settings,
        "Created",
        oc.created.clone(),
        nc.created.clone(),
    );
}

/// Multi-VPC connections, replication flows and connectors, each by its name or ARN.
pub(super) fn links(out: &mut Entries, oc: &Cluster, nc: &Cluster) {
    out.keyed(
        ChangeKind::Links,
        |k| k.to_string(),
        &oc.links.described(),
        &nc.links.described(),
    );
}

/// Tags, by key.
pub(super) fn tags(out: &mut Entries, oc: &Cluster, nc: &Cluster) {
    out.keyed(
        ChangeKind::Settings,
        |k| format!("Tag {k}"),
        &oc.tags,
        &nc.tags,
    );
}

/// What MSK says beyond client information: monitoring level, logs, storage, network,
/// state info, mutual-TLS authorities and SCRAM secrets.
pub(super) fn details(out: &mut Entries, oc: &Cluster, nc: &Cluster) {
    use ChangeKind as K;
    let (o, n) = (&oc.settings, &nc.settings);
    let list = |v: &Vec<String>| (!v.is_empty()).then(|| v.join(", "));
    out.opt(
        K::Settings,
        "Enhanced monitoring",
        o.enhanced_monitoring.clone(),
        n.enhanced_monitoring.clone(),
    );
    out.opt(
        K::Settings,
        "Broker log delivery",
        list(&o.log_delivery),
        list(&n.log_delivery),
    );
    out.opt(
        K::Settings,
        "Storage mode",
        o.storage_mode.clone(),
        n.storage_mode.clone(),
    );
    out.opt(
        K::Settings,
        "EBS volume per broker",
        o.volume_size_gib.map(|v| format!("{v} GiB")),
        n.volume_size_gib.map(|v| format!("{v} GiB")),
    );
    out.opt(
        K::Settings,
        "Provisioned storage throughput",
        o.provisioned_throughput_mibps.map(|v| format!("{v} MiB/s")),
        n.provisioned_throughput_mibps.map(|v| format!("{v} MiB/s")),
    );
    out.opt(
        K::Settings,
        "Network type",
        o.network_type.clone(),
        n.network_type.clone(),
    );
    out.opt(
        K::Settings,
        "Multi-VPC connectivity",
        list(&o.vpc_connectivity),
        list(&n.vpc_connectivity),
    );
    out.opt(
        K::State,
        "State info",
        o.state_info.clone(),
        n.state_info.clone(),
    );
    out.opt(
        K::Auth,
        "Mutual TLS certificate authorities",
        list(&o.certificate_authorities),
        list(&n.certificate_authorities),
    );
    out.opt(
        K::Auth,
        "SCRAM secrets",
        list(&oc.scram_secrets),
        list(&nc.scram_secrets),
    );
}

/// The MSK configuration: which one and which revision, and its `server.properties`
/// line by line.
pub(super) fn configuration(out: &mut Entries, oc: &Cluster, nc: &Cluster) {
    use ChangeKind as K;
    let (o, n) = (&oc.settings, &nc.settings);
    out.opt(
        K::Configuration,
        "Configuration",
        o.configuration_arn.clone(),
        n.configuration_arn.clone(),
    );
    out.opt(
        K::Configuration,
        "Configuration revision",
        o.configuration_revision.map(|r| r.to_string()),
        n.configuration_revision.map(|r| r.to_string()),
    );
    let props = |p: &Option<String>| -> BTreeMap<String, String> {
        p.as_deref()
            .unwrap_or("")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| match l.split_once('=') {
                Some((k, v)) => (k.trim().to_string(), v.trim().to_string()),
                None => (l.to_string(), String::new()),
            })
            .collect()
    };
    let (op, np) = (props(&o.server_properties), props(&n.server_properties));
    out.keyed(K::Configuration, str::to_string, &op, &np);
    // Text the line-by-line view cannot tell apart (comments, order) still differs.
    if op == np && o.server_properties != n.server_properties {
        out.opt(
            K::Configuration,
            "server.properties",
            o.server_properties.clone(),
            n.server_properties.clone(),
        );
    }
}
