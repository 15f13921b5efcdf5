//! Topics, as MSK's own topic APIs describe them (no Kafka connection): every topic of a
//! cluster from `ListTopics`, refreshed on a schedule, and one topic's configuration and
//! partitions from `DescribeTopic` and `DescribeTopicPartitions`, read when its page is
//! asked for.
//!
//! MSK serves these APIs for provisioned clusters on Kafka 3.6 or later; for the others
//! (and without `kafka-cluster:DescribeTopic`) [`ClusterTopics::problem`] says why, in
//! words, and the rest of the cluster page works.

use serde::{Deserialize, Serialize};

use super::cloudwatch::ConsumerLag;
use crate::error::AppError;
use crate::params::ClusterId;

/// One topic of the list.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TopicSummary {
    pub name: String,
    pub partitions: u32,
    pub replication_factor: u32,
    /// Replicas not in their partition's ISR, summed over the partitions.
    pub out_of_sync_replicas: u32,
}

/// What the last topic refresh read of one cluster.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterTopics {
    /// RFC 3339 time of the last refresh that read the topics (or tried to).
    pub checked_at: String,
    /// Sorted by name; from the last refresh that read them.
    pub topics: Vec<TopicSummary>,
    /// Whether `topics` were ever read (a problem on the first try leaves none).
    pub read: bool,
    /// Why the topics are not (or no longer) read, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// Topics' configurations read so far (`DescribeTopic`, a few topics per listing in
    /// rotation): topic → key → value. The history records their changes.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub configs: std::collections::BTreeMap<String, std::collections::BTreeMap<String, String>>,
    /// Why the last configurations could not be read, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configs_problem: Option<String>,
}

/// A topic name from a request: as Kafka allows (1 to 249 of `[A-Za-z0-9._-]`), checked
/// where it enters; anything else cannot name a topic and is a 404 that says so.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TopicName(String);

impl TopicName {
    pub fn parse(s: &str) -> Result<TopicName, AppError> {
        let ok = !s.is_empty()
            && s.len() <= 249
            && s != "."
            && s != ".."
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if ok {
            Ok(TopicName(s.to_string()))
        } else {
            let shown: String = s
                .chars()
                .take(60)
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            Err(AppError::not_found(format!(
                "`{shown}` is not a Kafka topic name (1 to 249 letters, digits, `.`, `_` or `-`)."
            )))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for TopicName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One configuration entry of a topic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigEntry {
    pub key: String,
    pub value: String,
    /// Kafka's default for the key, when the value differs from it (known keys only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

/// One partition: its leader (none while offline), replicas and in-sync replicas.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionInfo {
    pub partition: u32,
    pub leader: Option<u32>,
    pub replicas: Vec<u32>,
    pub isr: Vec<u32>,
}

impl PartitionInfo {
    pub fn out_of_sync(&self) -> Vec<u32> {
        self.replicas
            .iter()
            .copied()
            .filter(|r| !self.isr.contains(r))
            .collect()
    }
}

/// One topic in full: what its page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicDetail {
    pub cluster_id: ClusterId,
    pub cluster_name: String,
    pub summary: TopicSummary,
    /// CREATING, UPDATING, DELETING or ACTIVE.
    pub status: String,
    pub configs: Vec<ConfigEntry>,
    /// Why the configuration is not shown, when MSK's answer could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configs_problem: Option<String>,
    /// Out-of-sync partitions first, then by number.
    pub partitions: Vec<PartitionInfo>,
    /// The consumer groups CloudWatch knows on this topic, most behind first.
    pub consumers: Vec<ConsumerLag>,
    /// RFC 3339 time MSK was asked.
    pub checked_at: String,
}

/// Kafka's defaults for the topic settings people most often change (Kafka 3.x,
/// `TopicConfig`), to mark what a topic overrides.
pub const KAFKA_DEFAULTS: [(&str, &str); 14] = [
    ("cleanup.policy", "delete"),
    ("compression.type", "producer"),
    ("delete.retention.ms", "86400000"),
    ("max.message.bytes", "1048588"),
    ("message.timestamp.type", "CreateTime"),
    ("min.cleanable.dirty.ratio", "0.5"),
    ("min.insync.replicas", "1"),
    ("retention.bytes", "-1"),
    ("retention.ms", "604800000"),
    ("segment.bytes", "1073741824"),
    ("segment.ms", "604800000"),
    ("unclean.leader.election.enable", "false"),
    ("message.downconversion.enable", "true"),
    ("local.retention.ms", "-2"),
];

/// The entries of a decoded `configs` text: a JSON object (what MSK's API model
/// describes) or `key=value` lines (what AWS's CLI example shows), sorted by key, each
/// with Kafka's default when the value differs. Anything else is an error that says so.
pub fn parse_configs(text: &str) -> Result<Vec<ConfigEntry>, String> {
    let pairs: Vec<(String, String)> = if text.trim_start().starts_with('{') {
        let map: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(text).map_err(|e| format!("not a JSON object: {e}"))?;
        map.into_iter()
            .map(|(k, v)| {
                let v = match v {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                };
                (k, v)
            })
            .collect()
    } else {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| {
                l.split_once('=')
                    .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                    .ok_or_else(|| "a line without `=`".to_string())
            })
            .collect::<Result<_, _>>()?
    };
    let mut out: Vec<ConfigEntry> = pairs
        .into_iter()
        .map(|(key, value)| {
            let default = KAFKA_DEFAULTS
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, d)| d.to_string())
                .filter(|d| *d != value);
            ConfigEntry {
                key,
                value,
                default,
            }
        })
        .collect();
    out.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(out)
}

/// One page of a cluster's topics, filtered by name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicsPage {
    pub cluster_id: ClusterId,
    pub cluster_name: String,
    /// Topics whose name holds `filter` (case-insensitive), out-of-sync ones first.
    pub topics: Vec<TopicSummary>,
    pub filter: String,
    /// 1-based.
    pub page: usize,
    pub pages: usize,
    /// Topics matching the filter, and in all.
    pub matching: usize,
    pub total: usize,
    pub checked_at: Option<String>,
    pub problem: Option<String>,
    /// Why the topics' configurations (for the history) could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configs_problem: Option<String>,
}

/// Topics a page lists.
pub const TOPICS_PAGE_SIZE: usize = 50;

impl TopicsPage {
    pub fn of(
        id: &ClusterId,
        name: &str,
        topics: Option<&ClusterTopics>,
        filter: &str,
        page: usize,
    ) -> TopicsPage {
        let needle = filter.trim().to_lowercase();
        let mut matching: Vec<&TopicSummary> = topics
            .map(|t| t.topics.iter().collect())
            .unwrap_or_default();
        let total = matching.len();
        if !needle.is_empty() {
            matching.retain(|t| t.name.to_lowercase().contains(&needle));
        }
        // Out-of-sync topics first; the list is already sorted by name.
        matching.sort_by_key(|t| std::cmp::Reverse(t.out_of_sync_replicas > 0));
        let pages = matching.len().div_ceil(TOPICS_PAGE_SIZE).max(1);
        let page = page.clamp(1, pages);
        TopicsPage {
            cluster_id: id.clone(),
            cluster_name: name.to_string(),
            topics: matching
                .iter()
                .skip((page - 1) * TOPICS_PAGE_SIZE)
                .take(TOPICS_PAGE_SIZE)
                .map(|t| (*t).clone())
                .collect(),
            filter: filter.trim().to_string(),
            page,
            pages,
            matching: matching.len(),
            total,
            checked_at: topics.filter(|t| t.read).map(|t| t.checked_at.clone()),
            problem: topics.and_then(|t| t.problem.clone()),
            configs_problem: topics.and_then(|t| t.configs_problem.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configs_read_as_json_or_properties_and_mark_what_differs() {
        let json = parse_configs(r#"{"retention.ms":"86400000","cleanup.policy":"delete","x":3}"#)
            .unwrap();
        assert_eq!(json[0].key, "cleanup.policy");
        assert_eq!(json[0].default, None);
        assert_eq!(json[1].key, "retention.ms");
        assert_eq!(json[1].default.as_deref(), Some("604800000"));
        assert_eq!(json[2].value, "3");
        let props = parse_configs("compression.type=producer\nretention.ms=604800000\n").unwrap();
        assert_eq!(props.len(), 2);
        assert!(props.iter().all(|e| e.default.is_none()));
        assert!(parse_configs("not a config").is_err());
    }

    #[test]
    fn topic_names_are_kafkas() {
        assert!(TopicName::parse("orders.v2_x-1").is_ok());
        assert!(TopicName::parse(&"a".repeat(249)).is_ok());
        for bad in ["", ".", "..", "a/b", "<b>", "a b", &"a".repeat(250)] {
            assert!(TopicName::parse(bad).is_err(), "{bad}");
        }
    }
}
