//! The diff sections of what the exporters answered: brokers' JMX and node exporters,
//! and controllers' JMX exporters.

use std::collections::BTreeMap;

use super::Entries;
use crate::history::state::RecordedHealth;
use crate::history::summary::exporters_summary;
use crate::history::{ChangeKind, ClusterState, RecordedBroker, RecordedController, RecordedProbe};

/// What the controllers' JMX exporters answered, by controller.
pub(super) fn controller_exporters(
    out: &mut Entries,
    old: &[RecordedController],
    new: &[RecordedController],
) {
    let by_host = |v: &[RecordedController]| -> BTreeMap<String, String> {
        v.iter()
            .map(|c| (c.host.clone(), c.jmx.describe()))
            .collect()
    };
    out.keyed(
        ChangeKind::Reachability,
        |host| format!("Controller {host} JMX exporter"),
        &by_host(old),
        &by_host(new),
    );
}

/// What the exporters answered: a first probe is one summary line, later ones one line per exporter that changed.
pub(super) fn exporters(out: &mut Entries, o: &ClusterState, n: &ClusterState) {
    let (old, new) = (o.exporters.as_deref(), n.exporters.as_deref());
    use ChangeKind as K;
    match (old, new) {
        (None, None) => {}
        (None, Some(e)) => out.opt(
            K::Reachability,
            "Exporters",
            Some("not probed".into()),
            Some(exporters_summary(e, &n.controller_exporters)),
        ),
        (Some(e), None) => out.opt(
            K::Reachability,
            "Exporters",
            Some(exporters_summary(e, &o.controller_exporters)),
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

/// Health by state: the cluster's, then each broker's that changed.
pub(super) fn health(
    out: &mut Entries,
    old: Option<&RecordedHealth>,
    new: Option<&RecordedHealth>,
) {
    let state =
        |h: Option<&RecordedHealth>| Some(h.map_or("not judged", |h| h.state.label()).to_string());
    out.opt(ChangeKind::Health, "Health", state(old), state(new));
    let by_broker = |h: Option<&RecordedHealth>| -> BTreeMap<String, String> {
        h.map(|h| {
            h.brokers
                .iter()
                .map(|(id, s)| (id.to_string(), s.label().to_string()))
                .collect()
        })
        .unwrap_or_default()
    };
    // Per broker only while the cluster was judged before and after: a first
    // judgement is one line, not one per broker.
    if old.is_some() && new.is_some() {
        out.keyed(
            ChangeKind::Health,
            |id| format!("Broker {id} health"),
            &by_broker(old),
            &by_broker(new),
        );
    }
}
