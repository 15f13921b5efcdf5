//! Describing changes in words: the one-line description of a cluster and of its
//! exporters that a diff entry carries, and the one-line summary of a whole change that
//! the timeline shows.

use super::{
    ChangeKind, ClusterState, DiffEntry, RecordedBroker, RecordedController, RecordedProbe,
};
use crate::model::{ClusterKind, ProbeState};

/// `provisioned orders, ACTIVE, Kafka 3.6.0, 3 brokers`: a cluster added or removed.
pub(super) fn one_line(s: &ClusterState) -> String {
    let c = &s.cluster;
    let mut line = format!("{} {}, {}", c.kind.label().to_lowercase(), c.name, c.state);
    if let Some(v) = &c.kafka_version {
        line.push_str(&format!(", Kafka {v}"));
    }
    if c.kind != ClusterKind::Serverless {
        let (n, _, _) = s.counts();
        line.push_str(&format!(", {n} broker{}", if n == 1 { "" } else { "s" }));
    }
    line
}

/// `JMX up on 3 of 3, node up on 2 of 3`, and for KRaft `, controllers' JMX up on 2 of 3`:
/// a first probe in one line.
pub(crate) fn exporters_summary(
    e: &[RecordedBroker],
    controllers: &[RecordedController],
) -> String {
    let n = e.len();
    let one = |name: &str, f: fn(&RecordedBroker) -> &RecordedProbe| {
        if e.iter().all(|b| f(b).state == ProbeState::Off) {
            format!("{name} off")
        } else {
            let up = e.iter().filter(|b| f(b).state == ProbeState::Up).count();
            format!("{name} up on {up} of {n}")
        }
    };
    let mut line = format!("{}, {}", one("JMX", |b| &b.jmx), one("node", |b| &b.node));
    if !controllers.is_empty() {
        let up = controllers
            .iter()
            .filter(|c| c.jmx.state == ProbeState::Up)
            .count();
        line.push_str(&format!(
            ", controllers' JMX up on {up} of {}",
            controllers.len()
        ));
    }
    line
}

/// The kinds of a diff as a mask.
pub fn kinds_of(entries: &[DiffEntry]) -> u32 {
    ChangeKind::mask(entries.iter().map(|e| e.kind))
}

/// A one-line summary for the timeline: the first few changes, long values cut short
/// (the diff view has them whole), and how many more.
pub fn summary(entries: &[DiffEntry]) -> String {
    const SHOWN: usize = 3;
    const LONGEST: usize = 48;
    let cut = |v: &Option<String>| v.as_deref().map(|v| shorten(v, LONGEST));
    let mut s = entries
        .iter()
        .take(SHOWN)
        .map(|e| {
            DiffEntry {
                before: cut(&e.before),
                after: cut(&e.after),
                ..e.clone()
            }
            .describe()
        })
        .collect::<Vec<_>>()
        .join("; ");
    if entries.len() > SHOWN {
        s.push_str(&format!("; and {} more", entries.len() - SHOWN));
    }
    s
}

/// `v` cut to at most `longest` characters (plus `…`), between list items or words where
/// there is such a place in the second half: `2 brokers` reads better gone than as
/// `2 brok…`. A long bootstrap string has no spaces and is cut where it reaches the limit.
fn shorten(v: &str, longest: usize) -> String {
    let Some((end, _)) = v.char_indices().nth(longest) else {
        return v.to_string();
    };
    let (head, rest) = v.split_at(end);
    // Lists (`ACTIVE, Kafka 3.6.0, 2 brokers`) are cut between items, prose between words.
    let at_least_half = |i: &usize| head[..*i].chars().count() >= longest / 2;
    let head = if rest.starts_with([' ', ',']) {
        head
    } else if let Some(i) = head.rfind(", ").filter(at_least_half) {
        &head[..i]
    } else if let Some(i) = head.rfind(' ').filter(at_least_half) {
        &head[..i]
    } else {
        head
    };
    let head = head.trim_end_matches([',', ' ']);
    format!("{head}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_cut_long_values_at_a_word() {
        let line = "self-managed orders, ACTIVE, Kafka 3.6.0, 2 brokers";
        assert_eq!(
            shorten(line, 48),
            "self-managed orders, ACTIVE, Kafka 3.6.0…"
        );
        assert_eq!(shorten(line, 100), line);
        // The word ends where the cut falls: it stays whole.
        assert_eq!(shorten("abc def ghi", 7), "abc def…");
        assert_eq!(shorten("one two three four", 16), "one two three…");
        // No space in the second half (a bootstrap string): cut at the limit.
        let boot = "b-1.orders.kafka.eu-west-1.amazonaws.com:9094,b-2.orders.kafka";
        assert_eq!(shorten(boot, 20), "b-1.orders.kafka.eu-…");
        // Characters, not bytes.
        assert_eq!(shorten("ääääää", 3), "äää…");
    }
}
