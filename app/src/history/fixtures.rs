//! A recorded cluster state for unit tests: three brokers, a TLS listener, every
//! exporter up.

use super::*;
use crate::model::fixtures;
use crate::model::{Bootstrap, Broker, Cluster, Listener, ProbeState};

pub fn broker(id: u32) -> Broker {
    Broker {
        id,
        endpoints: vec![format!("b-{id}.orders.kafka.eu-west-1.amazonaws.com")],
        client_vpc_ip: Some(format!("10.0.0.{id}")),
        node_arn: None,
    }
}

pub fn state() -> ClusterState {
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
        controller_exporters: vec![],
        health: None,
        topics: None,
        cluster: c,
    }
}

pub fn kinds(old: &ClusterState, new: &ClusterState) -> Vec<ChangeKind> {
    let mut k: Vec<ChangeKind> = diff(Some(old), Some(new)).iter().map(|e| e.kind).collect();
    k.dedup();
    k
}
