//! Who else connects to the clusters of one source and region: multi-VPC private
//! connections, MSK Replicator flows and MSK Connect connectors ([`app::model::Links`]).
//!
//! - Owner side, per cluster with multi-VPC connectivity on: ListClientVpcConnections
//!   ([`client_vpc_connections`], one of the cluster's detail calls).
//! - Per region ([`read_region`]): ListVpcConnections (the connections this account's
//!   VPCs hold, with their VPC), ListReplicators with DescribeReplicator for each (the
//!   topics and groups it replicates), and MSK Connect's ListConnectors with
//!   DescribeConnector for a failed one (why it failed). A connector belongs to the
//!   cluster its bootstrap servers name.
//!
//! Each call is optional: one that is denied or fails leaves a note naming the action
//! (`kafka:ListReplicators`, `kafkaconnect:ListConnectors`) on the clusters it concerns,
//! and never fails the listing. The region's links are read on full refreshes only; the
//! refreshes between reuse them (they are not updates of a cluster, so its
//! `CurrentVersion` does not tell).
//!
//! API references: <https://docs.aws.amazon.com/msk/1.0/apireference/resources.html>,
//! <https://docs.aws.amazon.com/MSKC/latest/mskc/API_Operations.html>.

use std::collections::HashSet;

use app::model::{Cluster, Connector, Direction, Replication, VpcConnection};
use aws_sdk_kafka::types::ReplicatorSummary;
use aws_smithy_types::date_time::Format;
use tokio::sync::Semaphore;

use super::errors::note_for;

/// What one region's link calls found, for [`attach`].
#[derive(Clone, Debug, Default)]
pub struct RegionLinks {
    /// Client-side VPC connections, with the ARN of the cluster each targets.
    pub vpc_connections: Vec<(String, VpcConnection)>,
    /// Replication flows, from the source's side (direction `To`) with the source's ARN.
    pub replications: Vec<(String, Replication)>,
    /// Connectors, with the hosts of their bootstrap servers.
    pub connectors: Vec<(Vec<String>, Connector)>,
    /// Notes for every provisioned cluster of the region (a denied call).
    pub notes: Vec<String>,
}

fn time(t: Option<&aws_smithy_types::DateTime>) -> Option<String> {
    t.and_then(|t| t.fmt(Format::DateTime).ok())
}

/// The multi-VPC connections a cluster's owner sees (ListClientVpcConnections).
pub async fn client_vpc_connections(
    client: &aws_sdk_kafka::Client,
    permits: &Semaphore,
    arn: &str,
) -> Result<Vec<VpcConnection>, String> {
    let _p = permits.acquire().await;
    let listed: Result<Vec<_>, _> = client
        .list_client_vpc_connections()
        .cluster_arn(arn)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    match listed {
        Ok(list) => Ok(list
            .iter()
            .filter_map(|c| {
                Some(VpcConnection {
                    arn: c.vpc_connection_arn()?.to_string(),
                    account: c.owner().map(str::to_string),
                    vpc_id: None,
                    authentication: c.authentication().map(str::to_string),
                    state: c.state().map(|s| s.as_str()).unwrap_or("UNKNOWN").into(),
                    created: time(c.creation_time()),
                })
            })
            .collect()),
        Err(e) => Err(note_for(
            "kafka:ListClientVpcConnections",
            "Multi-VPC connections",
            &e,
        )),
    }
}

/// Reads the region's VPC connections, replicators and connectors.
pub async fn read_region(
    kafka: &aws_sdk_kafka::Client,
    connect: &aws_sdk_kafkaconnect::Client,
    permits: &Semaphore,
) -> RegionLinks {
    let (vpc, replications, connectors) = tokio::join!(
        vpc_connections(kafka, permits),
        replications(kafka, permits),
        connectors(connect, permits)
    );
    let mut links = RegionLinks::default();
    match vpc {
        Ok(v) => links.vpc_connections = v,
        Err(n) => links.notes.push(n),
    }
    match replications {
        Ok((r, notes)) => {
            links.replications = r;
            links.notes.extend(notes);
        }
        Err(n) => links.notes.push(n),
    }
    match connectors {
        Ok((c, notes)) => {
            links.connectors = c;
            links.notes.extend(notes);
        }
        Err(n) => links.notes.push(n),
    }
    links
}

async fn vpc_connections(
    client: &aws_sdk_kafka::Client,
    permits: &Semaphore,
) -> Result<Vec<(String, VpcConnection)>, String> {
    let _p = permits.acquire().await;
    let listed: Result<Vec<_>, _> = client
        .list_vpc_connections()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    let list = listed.map_err(|e| {
        note_for(
            "kafka:ListVpcConnections",
            "This account's VPC connections",
            &e,
        )
    })?;
    Ok(list
        .iter()
        .filter_map(|c| {
            Some((
                c.target_cluster_arn()?.to_string(),
                VpcConnection {
                    arn: c.vpc_connection_arn()?.to_string(),
                    account: None,
                    vpc_id: c.vpc_id().map(str::to_string),
                    authentication: c.authentication().map(str::to_string),
                    state: c.state().map(|s| s.as_str()).unwrap_or("UNKNOWN").into(),
                    created: time(c.creation_time()),
                },
            ))
        })
        .collect())
}

/// Every flow of every replicator: (source ARN, the flow seen from the source).
async fn replications(
    client: &aws_sdk_kafka::Client,
    permits: &Semaphore,
) -> Result<(Vec<(String, Replication)>, Vec<String>), String> {
    let listed: Result<Vec<ReplicatorSummary>, _> = {
        let _p = permits.acquire().await;
        client
            .list_replicators()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
    };
    let replicators =
        listed.map_err(|e| note_for("kafka:ListReplicators", "MSK Replicator flows", &e))?;
    let described = replicators.iter().map(|r| async move {
        let arn = r.replicator_arn()?;
        let _p = permits.acquire().await;
        Some(
            client
                .describe_replicator()
                .replicator_arn(arn)
                .send()
                .await,
        )
    });
    let described = futures::future::join_all(described).await;
    let mut flows = Vec::new();
    let mut notes = Vec::new();
    for (summary, detail) in replicators.iter().zip(described) {
        let (Some(arn), Some(name)) = (summary.replicator_arn(), summary.replicator_name()) else {
            continue;
        };
        // Alias → MSK cluster ARN.
        let clusters: Vec<(&str, Option<&str>)> = summary
            .kafka_clusters_summary()
            .iter()
            .filter_map(|k| {
                Some((
                    k.kafka_cluster_alias()?,
                    k.amazon_msk_cluster().and_then(|m| m.msk_cluster_arn()),
                ))
            })
            .collect();
        let arn_of = |alias: Option<&str>| {
            alias.and_then(|a| {
                clusters
                    .iter()
                    .find(|(x, _)| *x == a)
                    .and_then(|(_, arn)| *arn)
            })
        };
        let state = summary
            .replicator_state()
            .map(|s| s.as_str())
            .unwrap_or("UNKNOWN")
            .to_string();
        let detail = match detail {
            Some(Ok(d)) => Some(d),
            Some(Err(e)) => {
                notes.push(note_for(
                    "kafka:DescribeReplicator",
                    &format!("The topics and groups replicator {name} replicates"),
                    &e,
                ));
                None
            }
            None => None,
        };
        let state_info = detail.as_ref().and_then(|d| d.state_info()).and_then(|i| {
            match (i.code(), i.message()) {
                (Some(c), Some(m)) => Some(format!("{c}: {m}")),
                (c, m) => c.or(m).map(str::to_string),
            }
        });
        for info in summary.replication_info_summary_list() {
            let (source_alias, target_alias) = (
                info.source_kafka_cluster_alias(),
                info.target_kafka_cluster_alias(),
            );
            let Some(source_arn) = arn_of(source_alias) else {
                continue;
            };
            let mut flow = Replication {
                arn: arn.to_string(),
                name: name.to_string(),
                direction: Direction::To,
                peer_arn: arn_of(target_alias).map(str::to_string),
                peer_alias: target_alias.map(str::to_string),
                state: state.clone(),
                state_info: state_info.clone(),
                topics: Vec::new(),
                topics_excluded: Vec::new(),
                groups: Vec::new(),
                groups_excluded: Vec::new(),
            };
            if let Some(d) = &detail {
                if let Some(ri) = d.replication_info_list().iter().find(|ri| {
                    ri.source_kafka_cluster_alias() == source_alias
                        && ri.target_kafka_cluster_alias() == target_alias
                }) {
                    if let Some(t) = ri.topic_replication() {
                        flow.topics = t.topics_to_replicate().to_vec();
                        flow.topics_excluded = t.topics_to_exclude().to_vec();
                    }
                    if let Some(g) = ri.consumer_group_replication() {
                        flow.groups = g.consumer_groups_to_replicate().to_vec();
                        flow.groups_excluded = g.consumer_groups_to_exclude().to_vec();
                    }
                }
            }
            flows.push((source_arn.to_string(), flow));
        }
    }
    Ok((flows, notes))
}

/// Every connector with the hosts of its bootstrap servers.
async fn connectors(
    client: &aws_sdk_kafkaconnect::Client,
    permits: &Semaphore,
) -> Result<(Vec<(Vec<String>, Connector)>, Vec<String>), String> {
    let listed: Result<Vec<_>, _> = {
        let _p = permits.acquire().await;
        client
            .list_connectors()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
    };
    let list = listed
        .map_err(|e| note_for("kafkaconnect:ListConnectors", "MSK Connect connectors", &e))?;
    let mut out = Vec::new();
    let mut notes = Vec::new();
    for c in &list {
        let (Some(arn), Some(name)) = (c.connector_arn(), c.connector_name()) else {
            continue;
        };
        let servers = c
            .kafka_cluster()
            .and_then(|k| k.apache_kafka_cluster())
            .and_then(|a| a.bootstrap_servers())
            .unwrap_or_default();
        let hosts: Vec<String> = servers
            .split(',')
            .filter_map(|hp| {
                let hp = hp.trim();
                let host = hp.rsplit_once(':').map_or(hp, |(h, _)| h);
                (!host.is_empty()).then(|| host.to_ascii_lowercase())
            })
            .collect();
        let state = c
            .connector_state()
            .map(|s| s.as_str())
            .unwrap_or("UNKNOWN")
            .to_string();
        let capacity = c.capacity().and_then(|cap| {
            if let Some(p) = cap.provisioned_capacity() {
                Some(format!(
                    "{} workers × {} MCU",
                    p.worker_count(),
                    p.mcu_count()
                ))
            } else {
                cap.auto_scaling().map(|a| {
                    format!(
                        "autoscaling {}-{} workers × {} MCU",
                        a.min_worker_count(),
                        a.max_worker_count(),
                        a.mcu_count()
                    )
                })
            }
        });
        let mut plugins: Vec<String> = c
            .plugins()
            .iter()
            .filter_map(|p| p.custom_plugin())
            .filter_map(|p| Some(format!("{} rev {}", p.custom_plugin_arn()?, p.revision())))
            .collect();
        plugins.sort();
        // Why a connector failed is told by DescribeConnector only.
        let state_info = if state == "FAILED" {
            let _p = permits.acquire().await;
            match client.describe_connector().connector_arn(arn).send().await {
                Ok(d) => d
                    .state_description()
                    .and_then(|s| match (s.code(), s.message()) {
                        (Some(c), Some(m)) => Some(format!("{c}: {m}")),
                        (c, m) => c.or(m).map(str::to_string),
                    }),
                Err(e) => {
                    notes.push(note_for(
                        "kafkaconnect:DescribeConnector",
                        &format!("Why connector {name} failed"),
                        &e,
                    ));
                    None
                }
            }
        } else {
            None
        };
        out.push((
            hosts,
            Connector {
                arn: arn.to_string(),
                name: name.to_string(),
                state,
                state_info,
                capacity,
                plugins,
                authentication: c
                    .kafka_cluster_client_authentication()
                    .and_then(|a| a.authentication_type())
                    .map(|t| t.as_str().to_string()),
                kafka_connect_version: c.kafka_connect_version().map(str::to_string),
            },
        ));
    }
    Ok((out, notes))
}

/// The hosts a cluster answers to: its brokers' endpoints and every bootstrap host.
fn hosts_of(c: &Cluster) -> HashSet<String> {
    c.brokers
        .iter()
        .flat_map(|b| b.endpoints.iter())
        .cloned()
        .chain(c.bootstrap.iter().flat_map(|b| {
            b.servers
                .split(',')
                .filter_map(|hp| hp.trim().rsplit_once(':').map(|(h, _)| h.to_string()))
                .collect::<Vec<_>>()
        }))
        .map(|h| h.to_ascii_lowercase())
        .collect()
}

/// Puts a region's links on the clusters they concern. A flow whose other end is in
/// another region or account is mirrored onto that cluster when the inventory is
/// assembled ([`app::model::links::mirror_replications`]).
pub fn attach(clusters: &mut [Cluster], links: &RegionLinks) {
    for c in clusters.iter_mut() {
        for (target, v) in &links.vpc_connections {
            if *target != c.arn {
                continue;
            }
            match c.links.vpc_connections.iter_mut().find(|x| x.arn == v.arn) {
                // The owner's view has the account; the client's adds the VPC.
                Some(known) => known.vpc_id = v.vpc_id.clone(),
                None => c.links.vpc_connections.push(v.clone()),
            }
        }
        for (source, flow) in &links.replications {
            if *source == c.arn {
                c.links.replications.push(flow.clone());
            } else if flow.peer_arn.as_deref() == Some(c.arn.as_str()) {
                c.links.replications.push(flow.mirrored(source));
            }
        }
        let hosts = hosts_of(c);
        for (servers, connector) in &links.connectors {
            if !servers.is_empty() && servers.iter().any(|h| hosts.contains(h)) {
                c.links.connectors.push(connector.clone());
            }
        }
        if c.kind == app::model::ClusterKind::Provisioned {
            c.notes.extend(links.notes.iter().cloned());
        }
        c.links.sort();
    }
}
