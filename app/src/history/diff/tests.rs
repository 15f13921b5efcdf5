//! The diff, field by field.

use super::*;
use crate::history::fixtures::{broker, kinds, state};
use crate::history::summary::summary;
use crate::history::ClusterState;
use crate::history::{RecordedController, RecordedProbe};
use crate::model::ProbeState;
use crate::model::{Bootstrap, Listener};

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
fn kraft_controllers_and_their_exporters() {
    let mut old = state();
    old.cluster.controllers = vec![crate::model::Controller {
        endpoints: vec!["c-1.orders".into()],
        node_arn: None,
    }];
    old.controller_exporters = vec![RecordedController {
        host: "c-1.orders".into(),
        jmx: RecordedProbe {
            state: ProbeState::Up,
            reason: None,
        },
    }];
    let mut new = old.clone();
    new.cluster.controllers.push(crate::model::Controller {
        endpoints: vec!["c-2.orders".into()],
        node_arn: None,
    });
    new.controller_exporters[0].jmx = RecordedProbe {
        state: ProbeState::Down,
        reason: Some("connection refused".into()),
    };
    let d = diff(Some(&old), Some(&new));
    assert_eq!(
        d.iter().map(DiffEntry::describe).collect::<Vec<_>>(),
        [
            "Controller c-2.orders added: c-2.orders",
            "Controller c-1.orders JMX exporter: up → down (connection refused)",
        ]
    );
    assert_eq!(
        kinds(&old, &new),
        [ChangeKind::Brokers, ChangeKind::Reachability]
    );
}

#[test]
fn a_new_configuration_revision_shows_line_by_line() {
    let mut old = state();
    old.cluster.settings.configuration_arn =
        Some("arn:aws:kafka:eu-west-1:1:configuration/std/x".into());
    old.cluster.settings.configuration_revision = Some(1);
    old.cluster.settings.server_properties =
        Some("auto.create.topics.enable=false\nlog.retention.hours=168\n".into());
    let mut new = old.clone();
    new.cluster.settings.configuration_revision = Some(2);
    new.cluster.settings.server_properties =
        Some("auto.create.topics.enable=true\nlog.retention.hours=168\nnum.partitions=6\n".into());
    let d = diff(Some(&old), Some(&new));
    assert_eq!(
        d.iter().map(DiffEntry::describe).collect::<Vec<_>>(),
        [
            "Configuration revision: 1 → 2",
            "auto.create.topics.enable: false → true",
            "num.partitions added: 6",
        ]
    );
    assert!(d.iter().all(|e| e.kind == ChangeKind::Configuration));
    // Operations and notes are not part of the recorded state.
    let mut busy = old.cluster.clone();
    busy.operations.push(crate::model::Operation {
        operation_type: "UPDATE_BROKER_COUNT".into(),
        state: "UPDATE_IN_PROGRESS".into(),
        started: None,
        ended: None,
    });
    busy.notes.push("Recent operations not shown".into());
    assert_eq!(
        ClusterState::of(&busy, None),
        ClusterState::of(&old.cluster, None)
    );
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
    base.cluster.controllers = (1..=3)
        .map(|i| crate::model::Controller {
            endpoints: vec![format!("c-{i}.orders")],
            node_arn: None,
        })
        .collect();
    base.controller_exporters = (1..=3)
        .map(|i| RecordedController {
            host: format!("c-{i}.orders"),
            jmx: RecordedProbe {
                state: ProbeState::Up,
                reason: None,
            },
        })
        .collect();
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
        |s| {
            s.cluster.controllers.push(crate::model::Controller {
                endpoints: vec!["c-4.orders".into()],
                node_arn: None,
            })
        },
        |s| s.cluster.controllers.clear(),
        |s| s.controller_exporters[0].jmx.state = ProbeState::Down,
        |s| s.controller_exporters.clear(),
        |s| {
            s.cluster.tags.insert("team".into(), "payments".into());
        },
        |s| s.cluster.settings.enhanced_monitoring = Some("PER_BROKER".into()),
        |s| s.cluster.settings.log_delivery.push("S3 (logs/msk)".into()),
        |s| s.cluster.settings.storage_mode = Some("TIERED".into()),
        |s| s.cluster.settings.volume_size_gib = Some(1000),
        |s| s.cluster.settings.provisioned_throughput_mibps = Some(250),
        |s| s.cluster.settings.network_type = Some("DUAL".into()),
        |s| s.cluster.settings.vpc_connectivity.push("IAM".into()),
        |s| s.cluster.settings.state_info = Some("InternalError: broker replaced".into()),
        |s| {
            s.cluster.settings.configuration_arn =
                Some("arn:aws:kafka:x:1:configuration/c/1".into())
        },
        |s| s.cluster.settings.configuration_revision = Some(2),
        |s| s.cluster.settings.server_properties = Some("auto.create.topics.enable=true".into()),
        |s| {
            s.cluster
                .settings
                .certificate_authorities
                .push("arn:aws:acm-pca:x:1:certificate-authority/a".into())
        },
        |s| {
            s.cluster
                .scram_secrets
                .push("arn:aws:secretsmanager:x:1:secret:AmazonMSK_a".into())
        },
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
