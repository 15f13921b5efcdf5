//! Topic changes: topics added and removed, partition counts and replication factors,
//! and replicas falling out of sync or all back in sync. A first listing (or the loss
//! of the listing) is one line, not one per topic.

use std::collections::BTreeMap;

use super::{ChangeKind, Entries};
use crate::history::RecordedTopic;

pub(super) fn topics(
    out: &mut Entries,
    old: Option<&[RecordedTopic]>,
    new: Option<&[RecordedTopic]>,
) {
    use ChangeKind as K;
    let count = |t: &[RecordedTopic]| format!("{} topics", t.len());
    let (o, n) = match (old, new) {
        (None, None) => return,
        (None, Some(n)) => {
            return out.opt(K::Topics, "Topics (first listed)", None, Some(count(n)))
        }
        (Some(o), None) => {
            return out.opt(K::Topics, "Topics (no longer listed)", Some(count(o)), None)
        }
        (Some(o), Some(n)) => (o, n),
    };
    let by_name = |t: &[RecordedTopic]| -> BTreeMap<String, RecordedTopic> {
        t.iter().map(|t| (t.name.clone(), t.clone())).collect()
    };
    let (o, n) = (by_name(o), by_name(n));
    let shape = |t: &RecordedTopic| {
        format!(
            "{} partitions, replication factor {}",
            t.partitions, t.replication_factor
        )
    };
    for (name, t) in &o {
        if !n.contains_key(name) {
            out.opt(K::Topics, &format!("Topic {name}"), Some(shape(t)), None);
        }
    }
    let mut first_read = 0;
    for (name, t) in &n {
        let subject = format!("Topic {name}");
        match o.get(name) {
            None => out.opt(K::Topics, &subject, None, Some(shape(t))),
            Some(before) => {
                out.field(
                    K::Topics,
                    &format!("{subject} partitions"),
                    &before.partitions,
                    &t.partitions,
                );
                out.field(
                    K::Topics,
                    &format!("{subject} replication factor"),
                    &before.replication_factor,
                    &t.replication_factor,
                );
                let sync = |b: bool| {
                    if b {
                        "replicas out of sync".to_string()
                    } else {
                        "all replicas in sync".to_string()
                    }
                };
                out.field(
                    K::TopicReplicas,
                    &subject,
                    &sync(before.out_of_sync),
                    &sync(t.out_of_sync),
                );
                match (&before.configs, &t.configs) {
                    // Changed settings, line by line, as server.properties.
                    (Some(b), Some(a)) => {
                        out.keyed(K::TopicConfig, |k| format!("{subject} {k}"), b, a)
                    }
                    (None, Some(_)) => first_read += 1,
                    // A configuration once read is kept until its topic goes.
                    (_, None) => {}
                }
            }
        }
    }
    // Configurations read for the first time (the rotation's first round): one line.
    if first_read > 0 {
        out.opt(
            K::TopicConfig,
            "Topic configurations (first read)",
            None,
            Some(format!("{first_read} topics")),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::history::fixtures::state;
    use crate::history::{diff, ChangeKind, ClusterState, RecordedTopic};

    fn topic(name: &str, partitions: u32, rf: u32, out_of_sync: bool) -> RecordedTopic {
        RecordedTopic {
            name: name.into(),
            partitions,
            replication_factor: rf,
            out_of_sync,
            configs: None,
        }
    }

    fn with(topics: Option<Vec<RecordedTopic>>) -> ClusterState {
        ClusterState { topics, ..state() }
    }

    #[test]
    fn topics_added_removed_resized_and_out_of_sync_are_changes() {
        let old = with(Some(vec![
            topic("orders", 6, 3, false),
            topic("gone", 1, 1, false),
            topic("payments", 3, 3, false),
        ]));
        let new = with(Some(vec![
            topic("orders", 12, 3, false),
            topic("new", 3, 2, false),
            topic("payments", 3, 3, true),
        ]));
        let d = diff(Some(&old), Some(&new));
        let lines: Vec<String> = d.iter().map(|e| e.describe()).collect();
        assert_eq!(
            lines,
            [
                "Topic gone removed (was 1 partitions, replication factor 1)",
                "Topic new added: 3 partitions, replication factor 2",
                "Topic orders partitions: 6 → 12",
                "Topic payments: all replicas in sync → replicas out of sync",
            ]
        );
        assert_eq!(d[3].kind, ChangeKind::TopicReplicas);
        assert!(d[..3].iter().all(|e| e.kind == ChangeKind::Topics));
        // A first listing is one line; the same listing again is no change.
        let first = diff(Some(&with(None)), Some(&new));
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].describe(), "Topics (first listed) added: 3 topics");
        assert!(diff(Some(&new), Some(&new.clone())).is_empty());
    }

    #[test]
    fn configurations_read_first_are_one_line_and_then_each_setting_is_a_change() {
        let cfg = |pairs: &[(&str, &str)]| {
            Some(
                pairs
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            )
        };
        let unread = with(Some(vec![
            topic("orders", 6, 3, false),
            topic("payments", 3, 3, false),
        ]));
        let mut read = unread.clone();
        for t in read.topics.as_mut().unwrap() {
            t.configs = cfg(&[("retention.ms", "604800000"), ("cleanup.policy", "delete")]);
        }
        let d = diff(Some(&unread), Some(&read));
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[0].describe(),
            "Topic configurations (first read) added: 2 topics"
        );
        let mut changed = read.clone();
        changed.topics.as_mut().unwrap()[0].configs =
            cfg(&[("retention.ms", "86400000"), ("min.insync.replicas", "2")]);
        let lines: Vec<String> = diff(Some(&read), Some(&changed))
            .iter()
            .map(|e| e.describe())
            .collect();
        assert_eq!(
            lines,
            [
                "Topic orders cleanup.policy removed (was delete)",
                "Topic orders min.insync.replicas added: 2",
                "Topic orders retention.ms: 604800000 → 86400000",
            ]
        );
    }
}
