//! What differs between two recorded states of a cluster, in the words the timeline and
//! the diff view show, and the one-line summary of a change.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::summary::one_line;
use super::{ChangeKind, ClusterState};

mod exporters;
mod record;
mod topics;

use exporters::{controller_exporters, exporters, health};
use record::{
    auth, bootstrap, brokers, configuration, controllers, details, encryption, lifecycle, links,
    monitoring, settings, tags, zookeeper,
};

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

pub(super) fn on_off(b: bool) -> String {
    if b { "enabled" } else { "off" }.to_string()
}

/// The entries of a diff, in the order they are found.
pub(super) struct Entries(Vec<DiffEntry>);

impl Entries {
    /// A field both states have: an entry when it changed.
    pub(super) fn field<T: PartialEq + ToString>(
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

    /// Two maps compared key by key: what is gone, then what was added or changed, in
    /// key order. `subject` names the entry of a key.
    pub(super) fn keyed(
        &mut self,
        kind: ChangeKind,
        subject: impl Fn(&str) -> String,
        old: &BTreeMap<String, String>,
        new: &BTreeMap<String, String>,
    ) {
        for (k, v) in old {
            if !new.contains_key(k) {
                self.opt(kind, &subject(k), Some(v.clone()), None);
            }
        }
        for (k, v) in new {
            self.opt(kind, &subject(k), old.get(k).cloned(), Some(v.clone()));
        }
    }

    /// A field that may be absent on either side (added, removed, changed).
    pub(super) fn opt(
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
    controllers(&mut out, oc, nc);
    bootstrap(&mut out, oc, nc);
    auth(&mut out, oc, nc);
    encryption(&mut out, oc, nc);
    zookeeper(&mut out, oc, nc);
    monitoring(&mut out, oc, nc);
    settings(&mut out, oc, nc);
    tags(&mut out, oc, nc);
    details(&mut out, oc, nc);
    configuration(&mut out, oc, nc);
    links(&mut out, oc, nc);
    exporters(&mut out, o, n);
    // A first probe (or its loss) is the one summary line above.
    if o.exporters.is_some() == n.exporters.is_some() {
        controller_exporters(&mut out, &o.controller_exporters, &n.controller_exporters);
    }
    health(&mut out, o.health.as_ref(), n.health.as_ref());
    topics::topics(&mut out, o.topics.as_deref(), n.topics.as_deref());
    out.0
}

#[cfg(test)]
mod tests;
