//! A cluster's details beyond client information: settings MSK sends with the cluster
//! (mapped by [`settings`]), and three optional calls made per cluster (by [`extras`]):
//! DescribeConfigurationRevision for the configuration's `server.properties`,
//! ListScramSecrets for the associated secrets' ARNs, and ListClusterOperationsV2 for
//! recent operations.
//!
//! An optional call that fails (most often a permission the console's policy lacks)
//! becomes a note on that cluster; it never fails the listing and never counts as a
//! change of the cluster.

use std::collections::HashMap;
use std::sync::Mutex;

use app::model::{Cluster, ClusterSettings, Operation};
use aws_sdk_kafka::error::ProvideErrorMetadata;
use aws_sdk_kafka::types::{self, ClientAuthentication};
use aws_sdk_kafka::Client;
use aws_smithy_types::date_time::Format;
use tokio::sync::Semaphore;

/// How many recent operations a cluster page shows.
const OPERATIONS: i32 = 10;

/// The settings MSK sends with a provisioned cluster.
pub fn settings(info: &types::Cluster) -> ClusterSettings {
    let mut s = ClusterSettings {
        state_info: info
            .state_info()
            .and_then(|i| match (i.code(), i.message()) {
                (Some(c), Some(m)) => Some(format!("{c}: {m}")),
                (c, m) => c.or(m).map(str::to_string),
            }),
        ..ClusterSettings::default()
    };
    let Some(p) = info.provisioned() else {
        return s;
    };
    s.enhanced_monitoring = p.enhanced_monitoring().map(|m| m.as_str().to_string());
    s.storage_mode = p.storage_mode().map(|m| m.as_str().to_string());
    if let Some(b) = p.logging_info().and_then(|l| l.broker_logs()) {
        if let Some(cw) = b.cloud_watch_logs().filter(|c| c.enabled() == Some(true)) {
            s.log_delivery.push(format!(
                "CloudWatch Logs ({})",
                cw.log_group().unwrap_or("no group")
            ));
        }
        if let Some(f) = b.firehose().filter(|f| f.enabled() == Some(true)) {
            s.log_delivery.push(format!(
                "Firehose ({})",
                f.delivery_stream().unwrap_or("no stream")
            ));
        }
        if let Some(s3) = b.s3().filter(|s| s.enabled() == Some(true)) {
            s.log_delivery.push(format!(
                "S3 ({}/{})",
                s3.bucket().unwrap_or("no bucket"),
                s3.prefix().unwrap_or("")
            ));
        }
    }
    if let Some(g) = p.broker_node_group_info() {
        let ebs = g.storage_info().and_then(|i| i.ebs_storage_info());
        s.volume_size_gib = ebs
            .and_then(|e| e.volume_size())
            .and_then(|v| u32::try_from(v).ok());
        s.provisioned_throughput_mibps = ebs
            .and_then(|e| e.provisioned_throughput())
            .filter(|t| t.enabled() == Some(true))
            .and_then(|t| t.volume_throughput())
            .and_then(|v| u32::try_from(v).ok());
        let ci = g.connectivity_info();
        s.network_type = ci
            .and_then(|c| c.network_type())
            .map(|n| n.as_str().to_string());
        if let Some(v) = ci
            .and_then(|c| c.vpc_connectivity())
            .and_then(|v| v.client_authentication())
        {
            let sasl = v.sasl();
            for (on, name) in [
                (sasl.and_then(|s| s.iam()).and_then(|i| i.enabled()), "IAM"),
                (
                    sasl.and_then(|s| s.scram()).and_then(|i| i.enabled()),
                    "SCRAM",
                ),
                (v.tls().and_then(|t| t.enabled()), "TLS"),
            ] {
                if on == Some(true) {
                    s.vpc_connectivity.push(name.to_string());
                }
            }
        }
    }
    if let Some(sw) = p.current_broker_software_info() {
        s.configuration_arn = sw.configuration_arn().map(str::to_string);
        s.configuration_revision = sw.configuration_revision();
    }
    s.certificate_authorities = p
        .client_authentication()
        .and_then(ClientAuthentication::tls)
        .filter(|t| t.enabled() == Some(true))
        .map(|t| t.certificate_authority_arn_list().to_vec())
        .unwrap_or_default();
    s
}

/// A configuration revision's `server.properties`, by (ARN, revision): a revision never
/// changes, so each is asked for once, and kept in the database
/// ([`crate::store::revisions`]) so a restart does not ask again.
#[derive(Default)]
pub struct RevisionCache(Mutex<HashMap<(String, i64), String>>);

impl RevisionCache {
    fn get(&self, key: &(String, i64)) -> Option<String> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(key)
            .cloned()
    }

    /// Adds revisions read elsewhere (the database).
    pub fn put(&self, key: (String, i64), text: String) {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(key, text);
    }
}

/// What the optional calls answered for a cluster: the configuration's
/// `server.properties`, the SCRAM secrets, the recent operations, and a note for each
/// call that failed.
#[derive(Clone, Debug, Default)]
pub struct Extras {
    pub server_properties: Option<String>,
    pub scram_secrets: Vec<String>,
    pub operations: Vec<Operation>,
    /// Multi-VPC connections, as the cluster's owner sees them.
    pub vpc_connections: Vec<app::model::VpcConnection>,
    pub notes: Vec<String>,
    /// A revision read from MSK now, for the database to keep.
    pub new_revision: Option<((String, i64), String)>,
}

impl Extras {
    /// Puts them on the cluster.
    pub fn apply(&self, c: &mut Cluster) {
        if self.server_properties.is_some() {
            c.settings.server_properties = self.server_properties.clone();
        }
        c.scram_secrets = self.scram_secrets.clone();
        c.operations = self.operations.clone();
        c.links.vpc_connections = self.vpc_connections.clone();
        c.notes.extend(self.notes.iter().cloned());
    }
}

/// The note an optional MSK call leaves when it fails.
fn note<E: ProvideErrorMetadata>(call: &str, what: &str, e: &E) -> String {
    super::errors::note_for(&format!("kafka:{call}"), what, e)
}

/// Asks the configuration's `server.properties` (unless known), the SCRAM secrets and
/// the recent operations of a provisioned cluster; what cannot be fetched becomes a note.
pub async fn extras(
    client: &Client,
    permits: &Semaphore,
    cache: &RevisionCache,
    c: &Cluster,
) -> Extras {
    let arn = c.arn.clone();
    let mut x = Extras::default();
    if let (Some(cfg), Some(rev)) = (
        c.settings.configuration_arn.clone(),
        c.settings.configuration_revision,
    ) {
        let key = (cfg, rev);
        match cache.get(&key) {
            Some(text) => x.server_properties = Some(text),
            None => {
                let _p = permits.acquire().await;
                match client
                    .describe_configuration_revision()
                    .arn(&key.0)
                    .revision(rev)
                    .send()
                    .await
                {
                    Ok(out) => {
                        let text = out
                            .server_properties()
                            .map(|b| String::from_utf8_lossy(b.as_ref()).into_owned())
                            .unwrap_or_default();
                        cache.put(key.clone(), text.clone());
                        x.new_revision = Some((key, text.clone()));
                        x.server_properties = Some(text);
                    }
                    Err(e) => x.notes.push(note(
                        "DescribeConfigurationRevision",
                        "The configuration's server.properties",
                        &e,
                    )),
                }
            }
        }
    }
    if c.auth.scram {
        let _p = permits.acquire().await;
        let listed: Result<Vec<String>, _> = client
            .list_scram_secrets()
            .cluster_arn(&arn)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await;
        match listed {
            Ok(mut secrets) => {
                secrets.sort();
                x.scram_secrets = secrets;
            }
            Err(e) => x
                .notes
                .push(note("ListScramSecrets", "The SCRAM secrets", &e)),
        }
    }
    // Only a cluster open to multi-VPC connectivity can have connections.
    if !c.settings.vpc_connectivity.is_empty() {
        match super::links::client_vpc_connections(client, permits, &arn).await {
            Ok(v) => x.vpc_connections = v,
            Err(n) => x.notes.push(n),
        }
    }
    let _p = permits.acquire().await;
    match client
        .list_cluster_operations_v2()
        .cluster_arn(&arn)
        .max_results(OPERATIONS)
        .send()
        .await
    {
        Ok(out) => {
            let time = |t: Option<&aws_smithy_types::DateTime>| {
                t.and_then(|t| t.fmt(Format::DateTime).ok())
            };
            x.operations = out
                .cluster_operation_info_list()
                .iter()
                .map(|o| Operation {
                    operation_type: o.operation_type().unwrap_or("UNKNOWN").to_string(),
                    state: o.operation_state().unwrap_or("UNKNOWN").to_string(),
                    started: time(o.start_time()),
                    ended: time(o.end_time()),
                })
                .collect();
            x.operations.sort_by(|a, b| b.started.cmp(&a.started));
        }
        Err(e) => x
            .notes
            .push(note("ListClusterOperationsV2", "Recent operations", &e)),
    }
    x
}
