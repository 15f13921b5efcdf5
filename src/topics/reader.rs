//! The topic API calls (`aws-sdk-kafka`): `ListTopics` (paged) for a cluster's list,
//! `DescribeTopic` and `DescribeTopicPartitions` (paged) for one topic. A failed call
//! becomes a sentence for the page: which permission is missing, that MSK throttled, or
//! what MSK said.
//!
//! API reference: <https://docs.aws.amazon.com/msk/1.0/apireference/v1-clusters-clusterarn-topics.html>.

use std::collections::BTreeMap;

use app::model::topics::{parse_configs, ConfigEntry, PartitionInfo, TopicSummary};
use aws_sdk_kafka::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_kafka::Client;

use crate::inventory::errors::{is_denied, is_throttled};

/// The IAM actions the topic APIs need on the cluster (MSK checks them as Kafka ACLs).
pub const PERMISSIONS: &str =
    "kafka-cluster:Connect, kafka-cluster:DescribeTopic and kafka-cluster:DescribeTopicDynamicConfiguration";

/// Why a topic call failed, in words; `not_found` when MSK has no such topic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicError {
    pub message: String,
    pub not_found: bool,
}

fn explain<E, R>(e: &SdkError<E, R>, call: &str) -> TopicError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let code = e.code().unwrap_or_default();
    let said = e
        .message()
        .map(|m| m.chars().take(300).collect::<String>())
        .unwrap_or_default();
    let message = match code {
        c if is_denied(c) => format!(
            "The console's credentials may not read topics ({c} on {call}): allow {PERMISSIONS} on this cluster."
        ),
        c if is_throttled(c) => format!("MSK throttled {call} even after retries."),
        "BadRequestException" => format!(
            "MSK's topic API refused {call}: {said} (it serves provisioned clusters on Kafka 3.6 or later)."
        ),
        "NotFoundException" => format!("MSK knows no such topic ({said})."),
        "" => format!(
            "{call} failed: {}",
            aws_smithy_types::error::display::DisplayErrorContext(e)
        ),
        c => format!("{call} failed: {c}: {said}"),
    };
    TopicError {
        message,
        not_found: code == "NotFoundException",
    }
}

fn count(v: Option<i32>) -> u32 {
    v.and_then(|n| u32::try_from(n).ok()).unwrap_or(0)
}

/// Every topic of the cluster, sorted by name.
pub async fn list(client: &Client, arn: &str) -> Result<Vec<TopicSummary>, TopicError> {
    let items: Vec<aws_sdk_kafka::types::TopicInfo> = client
        .list_topics()
        .cluster_arn(arn)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| explain(&e, "ListTopics"))?;
    let mut out: Vec<TopicSummary> = items
        .into_iter()
        .filter_map(|t| {
            Some(TopicSummary {
                name: t.topic_name()?.to_string(),
                partitions: count(t.partition_count()),
                replication_factor: count(t.replication_factor()),
                out_of_sync_replicas: count(t.out_of_sync_replica_count()),
            })
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out.dedup_by(|a, b| a.name == b.name);
    Ok(out)
}

/// What `DescribeTopic` and `DescribeTopicPartitions` say of one topic.
pub struct Described {
    pub summary: TopicSummary,
    pub status: String,
    pub configs: Vec<ConfigEntry>,
    /// Set when the configuration could not be read (it is then empty).
    pub configs_problem: Option<String>,
    pub partitions: Vec<PartitionInfo>,
}

/// The entries of `DescribeTopic`'s `configs` (Base64 of JSON or `key=value` lines), or
/// why they cannot be read.
fn decode_configs(b64: Option<&str>) -> Result<Vec<ConfigEntry>, String> {
    use base64::Engine;
    let Some(b64) = b64 else {
        return Ok(Vec::new());
    };
    base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .map_err(|e| format!("not Base64: {e}"))
        .and_then(|bytes| String::from_utf8(bytes).map_err(|_| "not UTF-8".to_string()))
        .and_then(|text| parse_configs(&text))
        .map_err(|why| format!("MSK's configuration of the topic could not be read: {why}."))
}

/// One topic's configuration alone (`DescribeTopic`), as `key` → `value`, for the
/// history's rotation through a cluster's topics.
pub async fn configs(
    client: &Client,
    arn: &str,
    name: &str,
) -> Result<BTreeMap<String, String>, TopicError> {
    let topic = client
        .describe_topic()
        .cluster_arn(arn)
        .topic_name(name)
        .send()
        .await
        .map_err(|e| explain(&e, "DescribeTopic"))?;
    decode_configs(topic.configs())
        .map(|entries| entries.into_iter().map(|e| (e.key, e.value)).collect())
        .map_err(|message| TopicError {
            message,
            not_found: false,
        })
}

/// One topic in full: both calls at once.
pub async fn describe(client: &Client, arn: &str, name: &str) -> Result<Described, TopicError> {
    let topic = client
        .describe_topic()
        .cluster_arn(arn)
        .topic_name(name)
        .send();
    let parts = client
        .describe_topic_partitions()
        .cluster_arn(arn)
        .topic_name(name)
        .into_paginator()
        .items()
        .send()
        .try_collect();
    let (topic, parts) = tokio::join!(topic, parts);
    let topic = topic.map_err(|e| explain(&e, "DescribeTopic"))?;
    let parts: Vec<aws_sdk_kafka::types::TopicPartitionInfo> =
        parts.map_err(|e| explain(&e, "DescribeTopicPartitions"))?;
    let ids = |v: &[i32]| -> Vec<u32> { v.iter().filter_map(|n| u32::try_from(*n).ok()).collect() };
    let mut partitions: Vec<PartitionInfo> = parts
        .iter()
        .map(|p| PartitionInfo {
            partition: count(p.partition()),
            leader: p.leader().and_then(|l| u32::try_from(l).ok()),
            replicas: ids(p.replicas()),
            isr: ids(p.isr()),
        })
        .collect();
    partitions.sort_by_key(|p| (p.out_of_sync().is_empty(), p.partition));
    let (configs, configs_problem) = match decode_configs(topic.configs()) {
        Ok(c) => (c, None),
        Err(why) => (Vec::new(), Some(why)),
    };
    let out_of_sync = partitions
        .iter()
        .map(|p| p.out_of_sync().len() as u32)
        .sum();
    Ok(Described {
        summary: TopicSummary {
            name: topic.topic_name().unwrap_or(name).to_string(),
            partitions: count(topic.partition_count()),
            replication_factor: count(topic.replication_factor()),
            out_of_sync_replicas: out_of_sync,
        },
        status: topic
            .status()
            .map(|s| s.as_str().to_string())
            .unwrap_or_else(|| "UNKNOWN".into()),
        configs,
        configs_problem,
        partitions,
    })
}
