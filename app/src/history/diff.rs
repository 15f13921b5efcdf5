//! What differs between two recorded states of a cluster, in the words the timeline and
//! the diff view show, and the one-line summary of a change.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::summary::{exporters_summary, one_line};
use super::{ChangeKind, ClusterState, RecordedBroker, RecordedProbe};
use crate::model::{Broker, Cluster, Listener};

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

/// The entries of a diff, in the order they are found.
struct Entries(Vec<DiffEntry>);

impl Entries {
    /// A field both states have: an entry when it changed.
    fn field<T: PartialEq + ToString>(
        &mut self,
        kind: ChangeKind,
        subject: &str,
        before: &T,
        after: &T,
    ) {
        if before != after {
            self.0.push(DiffEntry {
                kind,
                subject: subject.to_string(),
                before: Some(before.to_string()),
                after: Some(after.to_string()),
            });
        }
    }

    /// A field that may be absent on either side (added, removed, changed).
    fn opt(
        &mut self,
        kind: ChangeKind,
        subject: &str,
        before: Option<String>,
        after: Option<String>,
    ) {
        if before != after {
            self.0.push(DiffEntry {
                kind,
                subject: subject.to_string(),
                before,
                after,
            });
        }
    }
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
    let mut out = Entries(Vec::new());
    lifecycle(&mut out, oc, nc);
    brokers(&mut out, oc, nc);
    bootstrap(&mut out, oc, nc);
    auth(&mut out, oc, nc);
    encryption(&mut out, oc, nc);
    zookeeper(&mut out, oc, nc);
    monitoring(&mut out, oc, nc);
    settings(&mut out, oc, nc);
    exporters(&mut out, o.exporters.as_deref(), n.exporters.as_deref());
    out.0
}

/// State and Kafka version.
fn lifecycle(out: &mut Entries, oc: &Cluster, nc: &Cluster) {
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
fn brokers(out: &mut Entries, oc: &Cluster, nc: &Cluster) {
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

/// Bootstrap strings, by listener.
fn bootstrap(out: &mut Entries, oc: &Cluster, nc: &Cluster) {
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
fn auth(out: &mut Entries, oc: &Cluster, nc: &Cluster) {
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
fn encryption(out: &mut Entries, oc: &Cluster, nc: &Cluster) {
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
fn zookeeper(out: &mut Entries, oc: &Cluster, nc: &Cluster) {
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
fn monitoring(out: &mut Entries, oc: &Cluster, nc: &Cluster) {
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
fn settings(out: &mut Entries, oc: &Cluster, nc: &Cluster) {
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

/// What the exporters answered: a first probe is one summary line, later ones one line per exporter that changed.
fn exporters(out: &mut Entries, old: Option<&[RecordedBroker]>, new: Option<&[RecordedBroker]>) {
    use ChangeKind as K;
    match (old, new) {
        (None, None) => {}
        (None, Some(e)) => out.opt(
            K::Reachability,
            "Exporters",
            Some("not probed".into()),
            Some(exporters_summary(e)),
        ),
        (Some(e), None) => out.opt(
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
                    out.opt(
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
                    out.field(
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
                    out.opt(
                        K::Reachability,
                        &format!("Broker {} {name}", b.broker_id),
                        p.map(RecordedProbe::describe),
                        Some(q.describe()),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::fixtures::{broker, kinds, state};
    use crate::history::summary::summary;
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
}
