//! A cluster for unit tests to adjust with struct-update syntax: provisioned, active,
//! both exporters on, no brokers or bootstrap strings yet; and brokers to give it.

use super::*;

pub fn cluster(name: &str, source: &str, region: &str) -> Cluster {
    let id = format!("{}-0123456789", name.to_lowercase());
    Cluster {
        id: crate::params::ClusterId::parse(&id).unwrap_or_else(|_| panic!("bad test id {id}")),
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
        controllers: vec![],
        created: None,
        tags: Default::default(),
        settings: Default::default(),
        scram_secrets: vec![],
        operations: vec![],
        notes: vec![],
        links: Default::default(),
        partial_error: None,
    }
}

/// Brokers 1 to `n` of cluster `name`, each with one endpoint `b-{id}.{name}.example`.
pub fn brokers(name: &str, n: u32) -> Vec<Broker> {
    (1..=n)
        .map(|id| Broker {
            id,
            endpoints: vec![format!("b-{id}.{name}.example")],
            client_vpc_ip: None,
            node_arn: None,
        })
        .collect()
}
