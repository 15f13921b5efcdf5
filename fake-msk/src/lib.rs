//! A local stand-in for the Amazon MSK control plane.
//!
//! AWS is not reachable from our machines, and stock moto neither implements
//! `GetBootstrapBrokers`/`ListNodes` nor writes timestamps the Rust SDK accepts. This crate
//! serves the four calls msk-console makes, in MSK's exact REST-JSON wire format
//! (camelCase keys, RFC 3339 timestamps ending in `Z`, `brokerId` as a float, ARNs
//! percent-encoded in the path), so the real `aws-sdk-kafka` client can be pointed at it
//! with `AWS_ENDPOINT_URL` and dummy credentials.
//!
//! One fake serves every region: the SDK signs each request with SigV4, and the region is
//! read from the `Credential=` scope of the `Authorization` header. Clusters can likewise
//! be restricted to one access key id, so two "accounts" can share one fake.
//!
//! Like real MSK, GetBootstrapBrokers names a random three brokers of a larger cluster,
//! a different three on every call ([`Cluster::bootstrap_sample`]).
//!
//! Beyond the happy path it can add latency to every call, page results, fail chosen
//! calls with MSK's error shapes (403/404/429/500), and report the most calls it ever had
//! in flight at once, which is how the refresh benchmark proves its concurrency bound.

// Handlers return a ready `Response` as their error, the usual axum style; its size does
// not matter in a test fake.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

/// Where a cluster's brokers are reachable from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    Provisioned,
    Serverless,
}

/// One cluster as the fake serves it. Build with [`Cluster::provisioned`] or
/// [`Cluster::serverless`] and adjust the public fields.
#[derive(Clone, Debug)]
pub struct Cluster {
    pub name: String,
    pub region: String,
    pub account: String,
    /// Only requests signed with this access key id see the cluster (`None`: everyone).
    pub access_key: Option<String>,
    pub kind: Kind,
    pub state: String,
    pub kafka_version: String,
    pub instance_type: String,
    /// `None` is a KRaft cluster: no ZooKeeper strings at all.
    pub zookeeper: bool,
    pub plaintext: bool,
    pub tls: bool,
    pub scram: bool,
    pub iam: bool,
    pub public_access: bool,
    pub vpc_connectivity: bool,
    /// Dual-stack network type: GetBootstrapBrokers adds the IPv6 strings (ports
    /// 20092-20098) and `connectivityInfo.networkType` is `DUAL`.
    pub dual_stack: bool,
    /// GetBootstrapBrokers keys answered as given, whatever the listeners say (hostile
    /// or odd strings for tests).
    pub bootstrap_overrides: Vec<(String, String)>,
    pub jmx_exporter: bool,
    pub node_exporter: bool,
    /// Host names of the brokers; by default `b-N.<name>.<id>.c2.kafka.<region>.amazonaws.com`.
    /// Tests of the prober replace them with loopback addresses.
    pub broker_hosts: Vec<String>,
    /// The cluster id part of the ARN (`<uuid>-<n>`).
    pub uuid: String,
    /// AWS tags (`tags` of ListClustersV2).
    pub tags: Vec<(String, String)>,
    /// The MSK configuration the brokers run: ARN, revision and that revision's
    /// `server.properties` (DescribeConfigurationRevision serves it, base64 on the wire).
    pub configuration: Option<(String, i64, String)>,
    /// Secrets Manager secret ARNs associated for SCRAM (ListScramSecrets).
    pub scram_secrets: Vec<String>,
    /// Recent operations (ListClusterOperationsV2): type, state, start time.
    pub operations: Vec<(String, String, String)>,
    /// `stateInfo` (code, message), as MSK sets it on FAILED or MAINTENANCE clusters.
    pub state_info: Option<(String, String)>,
    /// ACM Private CA ARNs for mutual TLS (`clientAuthentication.tls`); non-empty turns
    /// TLS client authentication on.
    pub certificate_authorities: Vec<String>,
    /// KRaft controllers' host names, listed by ListNodes as `CONTROLLER` nodes
    /// (`controllerNodeInfo.endpoints`); empty on ZooKeeper clusters.
    pub controller_hosts: Vec<String>,
    /// GetBootstrapBrokers names at most this many brokers, a random choice in a random
    /// order on every call, as real MSK does for clusters of more than three (`0`: all,
    /// in order).
    pub bootstrap_sample: usize,
    /// Topics, as the topic APIs (ListTopics, DescribeTopic, DescribeTopicPartitions)
    /// serve them; they answer only for provisioned clusters on Kafka 3.6 or later.
    pub topics: Vec<Topic>,
}

/// One topic of a fake cluster.
#[derive(Clone, Debug)]
pub struct Topic {
    pub name: String,
    /// CREATING, UPDATING, DELETING or ACTIVE.
    pub status: String,
    pub partitions: Vec<Partition>,
    /// The topic's configuration; DescribeTopic serves it Base64-encoded, as a JSON
    /// object, or as `key=value` lines with `configs_as_properties`.
    pub configs: Vec<(String, String)>,
    pub configs_as_properties: bool,
}

/// One partition: its leader (`-1`: none), replicas and in-sync replicas (broker ids).
#[derive(Clone, Debug)]
pub struct Partition {
    pub leader: i32,
    pub replicas: Vec<i32>,
    pub isr: Vec<i32>,
}

impl Topic {
    /// An ACTIVE topic of `partitions` partitions on brokers 1 to `replicas`, all in
    /// sync, leaders spread over the brokers.
    pub fn new(name: &str, partitions: usize, replicas: usize) -> Topic {
        let brokers = replicas.max(1) as i32;
        Topic {
            name: name.to_string(),
            status: "ACTIVE".into(),
            partitions: (0..partitions)
                .map(|p| {
                    let ids: Vec<i32> =
                        (0..brokers).map(|r| (p as i32 + r) % brokers + 1).collect();
                    Partition {
                        leader: ids[0],
                        replicas: ids.clone(),
                        isr: ids,
                    }
                })
                .collect(),
            configs: vec![
                ("cleanup.policy".into(), "delete".into()),
                ("retention.ms".into(), "604800000".into()),
            ],
            configs_as_properties: false,
        }
    }

    fn replication_factor(&self) -> usize {
        self.partitions
            .first()
            .map(|p| p.replicas.len())
            .unwrap_or(0)
    }

    fn out_of_sync(&self) -> usize {
        self.partitions
            .iter()
            .map(|p| p.replicas.iter().filter(|r| !p.isr.contains(r)).count())
            .sum()
    }

    fn arn(&self, cluster: &Cluster) -> String {
        format!(
            "arn:aws:kafka:{}:{}:topic/{}/{}/{}",
            cluster.region, cluster.account, cluster.name, cluster.uuid, self.name
        )
    }

    fn info(&self, cluster: &Cluster) -> Value {
        json!({
            "topicArn": self.arn(cluster),
            "topicName": self.name,
            "replicationFactor": self.replication_factor(),
            "partitionCount": self.partitions.len(),
            "outOfSyncReplicaCount": self.out_of_sync(),
        })
    }

    fn encoded_configs(&self) -> String {
        use base64::Engine;
        let text = if self.configs_as_properties {
            self.configs
                .iter()
                .map(|(k, v)| format!("{k}={v}\n"))
                .collect::<String>()
        } else {
            let map: serde_json::Map<String, Value> = self
                .configs
                .iter()
                .map(|(k, v)| (k.clone(), json!(v)))
                .collect();
            Value::Object(map).to_string()
        };
        base64::engine::general_purpose::STANDARD.encode(text)
    }
}

impl Cluster {
    /// A provisioned ZooKeeper cluster with three brokers, TLS in transit and IAM, the
    /// shape most teams run; flip fields for other shapes.
    pub fn provisioned(name: &str, region: &str) -> Self {
        let uuid = pseudo_uuid(name, region);
        let short = &uuid[..6];
        let broker_hosts = (1..=3)
            .map(|n| format!("b-{n}.{name}.{short}.c2.kafka.{region}.amazonaws.com"))
            .collect();
        Cluster {
            name: name.to_string(),
            region: region.to_string(),
            account: "123456789012".to_string(),
            access_key: None,
            kind: Kind::Provisioned,
            state: "ACTIVE".into(),
            kafka_version: "3.6.0".into(),
            instance_type: "kafka.m5.large".into(),
            zookeeper: true,
            plaintext: false,
            tls: true,
            scram: false,
            iam: true,
            public_access: false,
            vpc_connectivity: false,
            dual_stack: false,
            bootstrap_overrides: Vec::new(),
            jmx_exporter: true,
            node_exporter: true,
            broker_hosts,
            uuid,
            controller_hosts: Vec::new(),
            tags: Vec::new(),
            configuration: None,
            scram_secrets: Vec::new(),
            operations: Vec::new(),
            state_info: None,
            certificate_authorities: Vec::new(),
            bootstrap_sample: 3,
            topics: Vec::new(),
        }
    }

    /// A serverless cluster: IAM only, one bootstrap host, no brokers to list.
    pub fn serverless(name: &str, region: &str) -> Self {
        Cluster {
            kind: Kind::Serverless,
            zookeeper: false,
            tls: false,
            jmx_exporter: false,
            node_exporter: false,
            broker_hosts: Vec::new(),
            instance_type: String::new(),
            kafka_version: String::new(),
            ..Cluster::provisioned(name, region)
        }
    }

    /// Every listener MSK has: plaintext, TLS, SCRAM, IAM, public and VPC connectivity,
    /// and the IPv6 ones of a dual-stack cluster.
    pub fn with_every_auth_mode(mut self) -> Self {
        self.dual_stack = true;
        self.plaintext = true;
        self.tls = true;
        self.scram = true;
        self.iam = true;
        self.public_access = true;
        self.vpc_connectivity = true;
        self
    }

    pub fn with_brokers(mut self, n: usize) -> Self {
        let short = self.uuid[..6].to_string();
        self.broker_hosts = (1..=n)
            .map(|i| {
                format!(
                    "b-{i}.{}.{short}.c2.kafka.{}.amazonaws.com",
                    self.name, self.region
                )
            })
            .collect();
        self
    }

    /// A KRaft cluster (no ZooKeeper) with `n` controllers named
    /// `c-N.<name>.<id>.c2.kafka.<region>.amazonaws.com`.
    pub fn kraft(mut self, n: usize) -> Self {
        let short = self.uuid[..6].to_string();
        self.zookeeper = false;
        self.kafka_version = "3.7.x.kraft".into();
        self.controller_hosts = (1..=n)
            .map(|i| {
                format!(
                    "c-{i}.{}.{short}.c2.kafka.{}.amazonaws.com",
                    self.name, self.region
                )
            })
            .collect();
        self
    }

    pub fn arn(&self) -> String {
        let kind = match self.kind {
            Kind::Provisioned => "cluster",
            Kind::Serverless => "cluster",
        };
        format!(
            "arn:aws:kafka:{}:{}:{kind}/{}/{}",
            self.region, self.account, self.name, self.uuid
        )
    }

    /// `CurrentVersion`: MSK changes it with every update of the cluster. The fake
    /// derives it from everything an update can change, so any change a test makes
    /// (a broker, an auth mode, the configuration, an operation) gives a new one; tags,
    /// SCRAM secrets, topics and the state (AWS's own maintenance) are not updates of
    /// the cluster and leave it as it is.
    pub fn current_version(&self) -> String {
        let mut shape = self.clone();
        shape.tags.clear();
        shape.scram_secrets.clear();
        shape.topics.clear();
        shape.state.clear();
        shape.state_info = None;
        shape.bootstrap_sample = 0;
        let mut h: u64 = 0xcbf29ce484222325;
        for b in format!("{shape:?}").bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x100000001b3);
        }
        // MSK's look: 14 upper-case letters and digits.
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        (0..14)
            .map(|i| {
                let x = splitmix64(h.wrapping_add(i));
                ALPHABET[(x % ALPHABET.len() as u64) as usize] as char
            })
            .collect()
    }

    fn short_id(&self) -> &str {
        &self.uuid[..6]
    }

    /// Which brokers one GetBootstrapBrokers answer names: all of them, or a random
    /// `bootstrap_sample` of them in a random order.
    fn sample(&self) -> Vec<&String> {
        let mut hosts: Vec<&String> = self.broker_hosts.iter().collect();
        if self.bootstrap_sample == 0 || hosts.len() <= self.bootstrap_sample {
            return hosts;
        }
        let mut seed = next_random();
        for i in 0..self.bootstrap_sample {
            seed = splitmix64(seed);
            let j = i + (seed % (hosts.len() - i) as u64) as usize;
            hosts.swap(i, j);
        }
        hosts.truncate(self.bootstrap_sample);
        hosts
    }

    fn broker_list(&self, hosts: &[&String], port: u16, public: bool) -> String {
        hosts
            .iter()
            .map(|h| {
                let h = if public {
                    h.replacen('.', "-public.", 1)
                } else {
                    h.to_string()
                };
                format!("{h}:{port}")
            })
            .collect::<Vec<_>>()
            .join(",")
    }

    fn client_broker(&self) -> &'static str {
        match (self.plaintext, self.tls || self.scram || self.iam) {
            (true, true) => "TLS_PLAINTEXT",
            (true, false) => "PLAINTEXT",
            _ => "TLS",
        }
    }

    /// The `clusterInfo` object of ListClustersV2 and DescribeClusterV2.
    pub fn cluster_info(&self) -> Value {
        let mut info = json!({
            "activeOperationArn": null,
            "clusterArn": self.arn(),
            "clusterName": self.name,
            "clusterType": match self.kind { Kind::Provisioned => "PROVISIONED", Kind::Serverless => "SERVERLESS" },
            "creationTime": "2024-03-18T06:41:12.554Z",
            "currentVersion": self.current_version(),
            "state": self.state,
            "tags": self.tags.iter().map(|(k, v)| (k.clone(), json!(v))).collect::<serde_json::Map<String, Value>>(),
        });
        if let Some((code, message)) = &self.state_info {
            info["stateInfo"] = json!({"code": code, "message": message});
        }
        let Some(obj) = info.as_object_mut() else {
            return info;
        };
        obj.retain(|_, v| !v.is_null());
        match self.kind {
            Kind::Serverless => {
                obj.insert(
                    "serverless".into(),
                    json!({
                        "vpcConfigs": [{"subnetIds": ["subnet-0a1b2c3d"], "securityGroupIds": ["sg-0a1b2c3d"]}],
                        "clientAuthentication": {"sasl": {"iam": {"enabled": true}}}
                    }),
                );
            }
            Kind::Provisioned => {
                let mut p = json!({
                    "brokerNodeGroupInfo": {
                        "brokerAZDistribution": "DEFAULT",
                        "clientSubnets": ["subnet-0a1b2c3d", "subnet-1a1b2c3d", "subnet-2a1b2c3d"],
                        "instanceType": self.instance_type,
                        "securityGroups": ["sg-0a1b2c3d"],
                        "storageInfo": {"ebsStorageInfo": {"volumeSize": 100}},
                        "connectivityInfo": {
                            "networkType": if self.dual_stack { "DUAL" } else { "IPV4" },
                            "publicAccess": {"type": if self.public_access { "SERVICE_PROVIDED_EIPS" } else { "DISABLED" }},
                            "vpcConnectivity": {"clientAuthentication": {
                                "sasl": {"scram": {"enabled": self.vpc_connectivity && self.scram}, "iam": {"enabled": self.vpc_connectivity && self.iam}},
                                "tls": {"enabled": self.vpc_connectivity && self.tls}
                            }}
                        }
                    },
                    "clientAuthentication": {
                        "sasl": {"scram": {"enabled": self.scram}, "iam": {"enabled": self.iam}},
                        "tls": {"certificateAuthorityArnList": self.certificate_authorities, "enabled": !self.certificate_authorities.is_empty()},
                        "unauthenticated": {"enabled": self.plaintext}
                    },
                    "currentBrokerSoftwareInfo": match &self.configuration {
                        Some((arn, revision, _)) => json!({"kafkaVersion": self.kafka_version, "configurationArn": arn, "configurationRevision": revision}),
                        None => json!({"kafkaVersion": self.kafka_version}),
                    },
                    "loggingInfo": {"brokerLogs": {
                        "cloudWatchLogs": {"enabled": true, "logGroup": format!("/msk/{}", self.name)},
                        "firehose": {"enabled": false},
                        "s3": {"enabled": false}
                    }},
                    "encryptionInfo": {
                        "encryptionAtRest": {"dataVolumeKMSKeyId": format!("arn:aws:kms:{}:{}:key/0000", self.region, self.account)},
                        "encryptionInTransit": {"clientBroker": self.client_broker(), "inCluster": true}
                    },
                    "enhancedMonitoring": "DEFAULT",
                    "openMonitoring": {"prometheus": {
                        "jmxExporter": {"enabledInBroker": self.jmx_exporter},
                        "nodeExporter": {"enabledInBroker": self.node_exporter}
                    }},
                    "numberOfBrokerNodes": self.broker_hosts.len(),
                    "storageMode": "LOCAL"
                });
                if self.zookeeper {
                    let zk = |port: u16| {
                        (1..=3)
                            .map(|n| {
                                format!(
                                    "z-{n}.{}.{}.c2.kafka.{}.amazonaws.com:{port}",
                                    self.name,
                                    self.short_id(),
                                    self.region
                                )
                            })
                            .collect::<Vec<_>>()
                            .join(",")
                    };
                    p["zookeeperConnectString"] = json!(zk(2181));
                    p["zookeeperConnectStringTls"] = json!(zk(2182));
                }
                obj.insert("provisioned".into(), p);
            }
        }
        info
    }

    fn bootstrap(&self) -> Value {
        let mut out = serde_json::Map::new();
        let hosts = self.sample();
        let mut put = |key: &str, on: bool, port: u16, public: bool| {
            if on && !hosts.is_empty() {
                out.insert(key.into(), json!(self.broker_list(&hosts, port, public)));
            }
        };
        if self.kind == Kind::Serverless {
            out.insert(
                "bootstrapBrokerStringSaslIam".into(),
                json!(format!(
                    "boot-{}.c2.kafka-serverless.{}.amazonaws.com:9098",
                    self.short_id(),
                    self.region
                )),
            );
            return Value::Object(out);
        }
        put("bootstrapBrokerString", self.plaintext, 9092, false);
        put("bootstrapBrokerStringTls", self.tls, 9094, false);
        put("bootstrapBrokerStringSaslScram", self.scram, 9096, false);
        put("bootstrapBrokerStringSaslIam", self.iam, 9098, false);
        put(
            "bootstrapBrokerStringPublicTls",
            self.public_access && self.tls,
            9194,
            true,
        );
        put(
            "bootstrapBrokerStringPublicSaslScram",
            self.public_access && self.scram,
            9196,
            true,
        );
        put(
            "bootstrapBrokerStringPublicSaslIam",
            self.public_access && self.iam,
            9198,
            true,
        );
        put(
            "bootstrapBrokerStringVpcConnectivityTls",
            self.vpc_connectivity && self.tls,
            14001,
            false,
        );
        put(
            "bootstrapBrokerStringVpcConnectivitySaslScram",
            self.vpc_connectivity && self.scram,
            14002,
            false,
        );
        put(
            "bootstrapBrokerStringVpcConnectivitySaslIam",
            self.vpc_connectivity && self.iam,
            14003,
            false,
        );
        // https://docs.aws.amazon.com/msk/latest/developerguide/port-info.html
        put(
            "bootstrapBrokerStringIpv6",
            self.dual_stack && self.plaintext,
            20092,
            false,
        );
        put(
            "bootstrapBrokerStringTlsIpv6",
            self.dual_stack && self.tls,
            20094,
            false,
        );
        put(
            "bootstrapBrokerStringSaslScramIpv6",
            self.dual_stack && self.scram,
            20096,
            false,
        );
        put(
            "bootstrapBrokerStringSaslIamIpv6",
            self.dual_stack && self.iam,
            20098,
            false,
        );
        for (key, value) in &self.bootstrap_overrides {
            out.insert(key.clone(), json!(value));
        }
        Value::Object(out)
    }

    fn nodes(&self) -> Vec<Value> {
        let controllers = self.controller_hosts.iter().enumerate().map(|(i, host)| {
            json!({
                "addedToClusterTime": "2024-03-18T06:55:40.123Z",
                "controllerNodeInfo": {"endpoints": [host]},
                "nodeARN": format!("arn:aws:kafka:{}:{}:controller/{}/{}/{}", self.region, self.account, self.name, self.uuid, i + 1),
                "nodeType": "CONTROLLER"
            })
        });
        self.broker_hosts
            .iter()
            .enumerate()
            .map(|(i, host)| {
                let id = i + 1;
                json!({
                    "addedToClusterTime": "2024-03-18T06:55:40.123Z",
                    "brokerNodeInfo": {
                        "attachedENIId": format!("eni-0{id:07}"),
                        // MSK's model types brokerId as a double: it arrives as 1.0, not 1.
                        "brokerId": id as f64,
                        "clientSubnet": "subnet-0a1b2c3d",
                        "clientVpcIpAddress": format!("10.0.{}.{}", i % 3, 10 + i),
                        "currentBrokerSoftwareInfo": {"kafkaVersion": self.kafka_version},
                        "endpoints": [host]
                    },
                    "instanceType": self.instance_type.trim_start_matches("kafka."),
                    "nodeARN": format!("arn:aws:kafka:{}:{}:broker/{}/{}/{id}", self.region, self.account, self.name, self.uuid),
                    "nodeType": "BROKER"
                })
            })
            .chain(controllers)
            .collect()
    }
}

/// A fresh pseudo-random number for each call (no dependency needed for a test fake).
fn next_random() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let start = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    splitmix64(start ^ COUNTER.fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::Relaxed))
}

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A stable fake `<uuid>-<n>` cluster id derived from the name and region.
fn pseudo_uuid(name: &str, region: &str) -> String {
    // FNV-1a: deterministic across runs, unlike std's RandomState.
    let mut h: u64 = 0xcbf29ce484222325;
    for b in name.bytes().chain(region.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    let h2 = h.rotate_left(17) ^ 0x9e3779b97f4a7c15;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}-2",
        h as u32,
        (h >> 32) as u16,
        (h >> 48) as u16,
        h2 as u16,
        h2 >> 16 & 0xffff_ffff_ffff
    )
}

/// The operations, for failure injection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    ListClusters,
    DescribeCluster,
    Bootstrap,
    ListNodes,
    DescribeConfigurationRevision,
    ListScramSecrets,
    ListClusterOperations,
    ListTopics,
    DescribeTopic,
    DescribeTopicPartitions,
    ListClientVpcConnections,
    ListVpcConnections,
    ListReplicators,
    DescribeReplicator,
    /// MSK Connect (`kafkaconnect`), served on the same endpoint.
    ListConnectors,
    DescribeConnector,
}

/// A multi-VPC private connection to a cluster.
#[derive(Clone, Debug)]
pub struct VpcConnection {
    /// The region of the client VPC (where ListVpcConnections lists it).
    pub region: String,
    pub arn: String,
    pub target_cluster_arn: String,
    /// The client's account (ListClientVpcConnections' `owner`).
    pub owner: String,
    pub vpc_id: String,
    pub authentication: String,
    pub state: String,
}

/// An MSK Replicator from one MSK cluster to another, in the target's region.
#[derive(Clone, Debug)]
pub struct Replicator {
    pub region: String,
    pub name: String,
    pub source_arn: String,
    pub target_arn: String,
    pub state: String,
    pub state_info: Option<(String, String)>,
    pub topics: Vec<String>,
    pub topics_excluded: Vec<String>,
    pub groups: Vec<String>,
    pub groups_excluded: Vec<String>,
}

impl Replicator {
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:kafka:{}:123456789012:replicator/{}/{}",
            self.region,
            self.name,
            pseudo_uuid(&self.name, &self.region)
        )
    }
}

/// An MSK Connect connector.
#[derive(Clone, Debug)]
pub struct Connector {
    pub region: String,
    pub name: String,
    pub bootstrap_servers: String,
    pub state: String,
    /// Why it failed (DescribeConnector's `stateDescription`).
    pub state_info: Option<(String, String)>,
    pub workers: i32,
    pub mcu: i32,
    pub plugins: Vec<(String, i64)>,
    /// `IAM` or `NONE`.
    pub authentication: String,
}

impl Connector {
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:kafkaconnect:{}:123456789012:connector/{}/{}",
            self.region,
            self.name,
            pseudo_uuid(&self.name, &self.region)
        )
    }

    fn summary(&self) -> Value {
        json!({
            "capacity": {"provisionedCapacity": {"mcuCount": self.mcu, "workerCount": self.workers}},
            "connectorArn": self.arn(),
            "connectorName": self.name,
            "connectorState": self.state,
            "creationTime": "2024-05-02T09:12:44.112Z",
            "currentVersion": "K1PA6795UKMFR7",
            "kafkaCluster": {"apacheKafkaCluster": {
                "bootstrapServers": self.bootstrap_servers,
                "vpc": {"securityGroups": ["sg-0a1b2c3d"], "subnets": ["subnet-0a1b2c3d"]}
            }},
            "kafkaClusterClientAuthentication": {"authenticationType": self.authentication},
            "kafkaClusterEncryptionInTransit": {"encryptionType": "TLS"},
            "kafkaConnectVersion": "2.7.1",
            "plugins": self.plugins.iter().map(|(arn, rev)| json!({"customPlugin": {"customPluginArn": arn, "revision": rev}})).collect::<Vec<_>>(),
            "serviceExecutionRoleArn": "arn:aws:iam::123456789012:role/connect"
        })
    }
}

/// Knobs a test turns.
#[derive(Debug)]
pub struct Config {
    pub clusters: Vec<Cluster>,
    /// Added to every call before it answers.
    pub latency: Duration,
    /// ListClustersV2 and ListNodes return at most this many items a page
    /// (and fewer if the caller's `maxResults` says so).
    pub page_size: usize,
    /// `(region, op)` → HTTP status to fail with; `"*"` matches any region.
    pub failures: HashMap<(String, Op), u16>,
    /// `(region, op)` → (status, n): fail the next n calls, then answer normally
    /// (throttling that retries get through).
    pub transient: HashMap<(String, Op), (u16, usize)>,
    /// ListClustersV2 leaves out `provisioned`/`serverless`, so callers must use
    /// DescribeClusterV2 for the details.
    pub list_without_details: bool,
    /// STS AssumeRole: role ARN → the access key id of the credentials it hands out, so
    /// clusters restricted to that key are what the role sees.
    pub roles: HashMap<String, String>,
    /// The role ARNs AssumeRole was asked for, in order.
    pub assumed: Vec<String>,
    pub vpc_connections: Vec<VpcConnection>,
    pub replicators: Vec<Replicator>,
    pub connectors: Vec<Connector>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            clusters: Vec::new(),
            latency: Duration::ZERO,
            page_size: 100,
            failures: HashMap::new(),
            transient: HashMap::new(),
            list_without_details: false,
            roles: HashMap::new(),
            assumed: Vec::new(),
            vpc_connections: Vec::new(),
            replicators: Vec::new(),
            connectors: Vec::new(),
        }
    }
}

/// What the fake saw, for assertions.
#[derive(Debug, Default)]
pub struct Stats {
    pub calls: AtomicUsize,
    /// Calls by operation, for tests that count what a refresh asked.
    by_op: Mutex<HashMap<Op, usize>>,
    in_flight: AtomicUsize,
    pub max_in_flight: AtomicUsize,
}

#[derive(Clone)]
struct Shared {
    config: Arc<Mutex<Config>>,
    stats: Arc<Stats>,
}

/// A running fake. Dropping it does not stop the server; the tokio runtime's end does.
pub struct FakeMsk {
    pub addr: SocketAddr,
    config: Arc<Mutex<Config>>,
    pub stats: Arc<Stats>,
}

impl FakeMsk {
    /// Binds `127.0.0.1:0` and serves in the background on the current tokio runtime.
    pub async fn start(config: Config) -> std::io::Result<FakeMsk> {
        Self::start_on("127.0.0.1:0", config).await
    }

    pub async fn start_on(addr: &str, config: Config) -> std::io::Result<FakeMsk> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let shared = Shared {
            config: Arc::new(Mutex::new(config)),
            stats: Arc::new(Stats::default()),
        };
        let fake = FakeMsk {
            addr,
            config: shared.config.clone(),
            stats: shared.stats.clone(),
        };
        tokio::spawn(async move {
            let _ = axum::serve(listener, router(shared)).await;
        });
        Ok(fake)
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Changes the fake while it runs (add a broker, fail a region, ...).
    pub fn update(&self, f: impl FnOnce(&mut Config)) {
        f(&mut self
            .config
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner));
    }

    pub fn calls(&self) -> usize {
        self.stats.calls.load(Ordering::SeqCst)
    }

    /// How many calls of one operation the fake has answered (or failed) so far.
    pub fn calls_of(&self, op: Op) -> usize {
        self.stats
            .by_op
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&op)
            .copied()
            .unwrap_or(0)
    }

    /// Every operation's call count so far.
    pub fn calls_by_op(&self) -> HashMap<Op, usize> {
        self.stats
            .by_op
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    pub fn max_in_flight(&self) -> usize {
        self.stats.max_in_flight.load(Ordering::SeqCst)
    }
}

/// The axum router of the fake, for embedding.
fn router(shared: Shared) -> Router {
    Router::new()
        .route("/api/v2/clusters", get(list_clusters))
        .route("/api/v2/clusters/{arn}", get(describe_cluster))
        .route("/v1/clusters/{arn}/bootstrap-brokers", get(bootstrap))
        .route("/v1/clusters/{arn}/nodes", get(list_nodes))
        .route(
            "/v1/configurations/{arn}/revisions/{revision}",
            get(describe_configuration_revision),
        )
        .route("/v1/clusters/{arn}/scram-secrets", get(list_scram_secrets))
        .route("/api/v2/clusters/{arn}/operations", get(list_operations))
        .route("/v1/clusters/{arn}/topics", get(list_topics))
        .route("/v1/clusters/{arn}/topics/{topic}", get(describe_topic))
        .route(
            "/v1/clusters/{arn}/topics/{topic}/partitions",
            get(describe_topic_partitions),
        )
        .route(
            "/v1/clusters/{arn}/client-vpc-connections",
            get(list_client_vpc_connections),
        )
        .route("/v1/vpc-connections", get(list_vpc_connections))
        .route("/replication/v1/replicators", get(list_replicators))
        .route(
            "/replication/v1/replicators/{arn}",
            get(describe_replicator),
        )
        .route("/v1/connectors", get(list_connectors))
        .route("/v1/connectors/{arn}", get(describe_connector))
        // STS shares the endpoint when the SDK is pointed at one (`endpoint_url`).
        .route("/", axum::routing::post(sts))
        .fallback(|| async { error(404, "NotFoundException", "No such API") })
        .with_state(shared)
}

/// The signing region from `Authorization: AWS4-HMAC-SHA256 Credential=AKID/date/REGION/kafka/aws4_request, ...`.
fn scope(headers: &HeaderMap) -> (String, String) {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let cred = auth
        .split("Credential=")
        .nth(1)
        .and_then(|s| s.split([',', ' ']).next())
        .unwrap_or("");
    let mut parts = cred.split('/');
    let key = parts.next().unwrap_or("").to_string();
    let region = parts.nth(1).unwrap_or("us-east-1").to_string();
    (key, region)
}

fn error(status: u16, code: &str, message: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [
            ("x-amzn-errortype", code),
            ("content-type", "application/json"),
        ],
        Json(json!({ "message": message })),
    )
        .into_response()
}

fn injected(status: u16) -> Response {
    match status {
        401 => error(401, "UnauthorizedException", "The request is not authorized."),
        403 => error(
            403,
            "ForbiddenException",
            "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: kafka:ListClustersV2",
        ),
        404 => error(404, "NotFoundException", "The requested resource does not exist."),
        429 => error(429, "TooManyRequestsException", "Too Many Requests"),
        503 => error(503, "ServiceUnavailableException", "Service Unavailable"),
        s => error(s, "InternalServerErrorException", "Internal server error"),
    }
}

struct Call {
    stats: Arc<Stats>,
}

impl Drop for Call {
    fn drop(&mut self) {
        self.stats.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Common prologue: count the call, wait the latency, check injected failures.
async fn enter(
    shared: &Shared,
    headers: &HeaderMap,
    op: Op,
) -> (Call, String, String, Option<Response>) {
    shared.stats.calls.fetch_add(1, Ordering::SeqCst);
    *shared
        .stats
        .by_op
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .entry(op)
        .or_default() += 1;
    let now = shared.stats.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    shared.stats.max_in_flight.fetch_max(now, Ordering::SeqCst);
    let call = Call {
        stats: shared.stats.clone(),
    };
    let (key, region) = scope(headers);
    let (latency, failure) = {
        let mut c = shared
            .config
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut f = c
            .failures
            .get(&(region.clone(), op))
            .or_else(|| c.failures.get(&("*".to_string(), op)))
            .copied();
        if f.is_none() {
            if let Some((status, left)) = c.transient.get_mut(&(region.clone(), op)) {
                if *left > 0 {
                    *left -= 1;
                    f = Some(*status);
                }
            }
        }
        (c.latency, f)
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    (call, key, region, failure.map(injected))
}

fn visible<'a>(c: &'a Config, key: &'a str, region: &'a str) -> impl Iterator<Item = &'a Cluster> {
    c.clusters
        .iter()
        .filter(move |cl| cl.region == region && cl.access_key.as_deref().is_none_or(|k| k == key))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageQuery {
    max_results: Option<usize>,
    next_token: Option<String>,
    cluster_type_filter: Option<String>,
    cluster_name_filter: Option<String>,
    topic_name_filter: Option<String>,
}

fn page<T: Clone>(
    items: &[T],
    q: &PageQuery,
    page_size: usize,
) -> Result<(Vec<T>, Option<String>), Response> {
    let start = match &q.next_token {
        None => 0,
        Some(t) => t
            .strip_prefix("page-")
            .and_then(|n| n.parse::<usize>().ok())
            .ok_or_else(|| error(400, "BadRequestException", "The nextToken is not valid."))?,
    };
    let size = q
        .max_results
        .unwrap_or(page_size)
        .clamp(1, page_size.max(1));
    let end = (start + size).min(items.len());
    let slice = items.get(start..end).unwrap_or_default().to_vec();
    let next = (end < items.len()).then(|| format!("page-{end}"));
    Ok((slice, next))
}

async fn list_clusters(
    State(s): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
) -> Response {
    let (_call, key, region, failure) = enter(&s, &headers, Op::ListClusters).await;
    if let Some(f) = failure {
        return f;
    }
    let (infos, page_size) = {
        let c = s
            .config
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let infos: Vec<Value> = visible(&c, &key, &region)
            .filter(|cl| {
                q.cluster_type_filter.as_deref().is_none_or(|t| match t {
                    "SERVERLESS" => cl.kind == Kind::Serverless,
                    _ => cl.kind == Kind::Provisioned,
                })
            })
            .filter(|cl| {
                q.cluster_name_filter
                    .as_deref()
                    .is_none_or(|n| cl.name.starts_with(n))
            })
            .map(|cl| {
                let mut info = cl.cluster_info();
                if c.list_without_details {
                    if let Some(o) = info.as_object_mut() {
                        o.remove("provisioned");
                        o.remove("serverless");
                    }
                }
                info
            })
            .collect();
        (infos, c.page_size)
    };
    match page(&infos, &q, page_size) {
        Ok((list, next)) => {
            let mut body = json!({ "clusterInfoList": list });
            if let Some(n) = next {
                body["nextToken"] = json!(n);
            }
            Json(body).into_response()
        }
        Err(r) => r,
    }
}

/// Finds a cluster by (already percent-decoded) ARN; a malformed ARN is a 400, an
/// unknown one a 404, as MSK answers.
fn find(c: &Config, key: &str, region: &str, arn: &str) -> Result<Cluster, Response> {
    if !arn.starts_with("arn:") {
        return Err(error(
            400,
            "BadRequestException",
            "The request is missing a valid cluster ARN.",
        ));
    }
    visible(c, key, region)
        .find(|cl| cl.arn() == arn)
        .cloned()
        .ok_or_else(|| {
            error(
                404,
                "NotFoundException",
                &format!("The cluster {arn} does not exist."),
            )
        })
}

async fn describe_cluster(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(arn): Path<String>,
) -> Response {
    let (_call, key, region, failure) = enter(&s, &headers, Op::DescribeCluster).await;
    if let Some(f) = failure {
        return f;
    }
    let c = s
        .config
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match find(&c, &key, &region, &arn) {
        Ok(cl) => Json(json!({ "clusterInfo": cl.cluster_info() })).into_response(),
        Err(r) => r,
    }
}

async fn bootstrap(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(arn): Path<String>,
) -> Response {
    let (_call, key, region, failure) = enter(&s, &headers, Op::Bootstrap).await;
    if let Some(f) = failure {
        return f;
    }
    let c = s
        .config
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match find(&c, &key, &region, &arn) {
        Ok(cl) => Json(cl.bootstrap()).into_response(),
        Err(r) => r,
    }
}

async fn list_nodes(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(arn): Path<String>,
    Query(q): Query<PageQuery>,
) -> Response {
    let (_call, key, region, failure) = enter(&s, &headers, Op::ListNodes).await;
    if let Some(f) = failure {
        return f;
    }
    let (cl, page_size) = {
        let c = s
            .config
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match find(&c, &key, &region, &arn) {
            Ok(cl) => (cl, c.page_size),
            Err(r) => return r,
        }
    };
    if cl.kind == Kind::Serverless {
        return error(
            400,
            "BadRequestException",
            "This operation cannot be performed on serverless clusters.",
        );
    }
    match page(&cl.nodes(), &q, page_size) {
        Ok((list, next)) => {
            let mut body = json!({ "nodeInfoList": list });
            if let Some(n) = next {
                body["nextToken"] = json!(n);
            }
            Json(body).into_response()
        }
        Err(r) => r,
    }
}

async fn describe_configuration_revision(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path((arn, revision)): Path<(String, i64)>,
) -> Response {
    use base64::Engine;
    let (_call, key, region, failure) =
        enter(&s, &headers, Op::DescribeConfigurationRevision).await;
    if let Some(f) = failure {
        return f;
    }
    let c = s
        .config
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let found = visible(&c, &key, &region).find_map(|cl| {
        cl.configuration
            .as_ref()
            .filter(|(a, r, _)| *a == arn && *r == revision)
            .cloned()
    });
    match found {
        Some((arn, revision, text)) => Json(json!({
            "arn": arn,
            "creationTime": "2024-03-18T06:41:12.554Z",
            "description": "fake revision",
            "revision": revision,
            "serverProperties": base64::engine::general_purpose::STANDARD.encode(text),
        }))
        .into_response(),
        None => error(
            404,
            "NotFoundException",
            &format!("The configuration {arn} revision {revision} does not exist."),
        ),
    }
}

async fn list_scram_secrets(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(arn): Path<String>,
) -> Response {
    let (_call, key, region, failure) = enter(&s, &headers, Op::ListScramSecrets).await;
    if let Some(f) = failure {
        return f;
    }
    let c = s
        .config
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match find(&c, &key, &region, &arn) {
        Ok(cl) => Json(json!({ "secretArnList": cl.scram_secrets })).into_response(),
        Err(r) => r,
    }
}

async fn list_operations(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(arn): Path<String>,
) -> Response {
    let (_call, key, region, failure) = enter(&s, &headers, Op::ListClusterOperations).await;
    if let Some(f) = failure {
        return f;
    }
    let c = s
        .config
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match find(&c, &key, &region, &arn) {
        Ok(cl) => {
            let list: Vec<Value> = cl
                .operations
                .iter()
                .enumerate()
                .map(|(i, (kind, state, start))| {
                    json!({
                        "clusterArn": cl.arn(),
                        "clusterType": "PROVISIONED",
                        "operationArn": format!("arn:aws:kafka:{}:{}:cluster-operation/{}/{}/{i}", cl.region, cl.account, cl.name, cl.uuid),
                        "operationType": kind,
                        "operationState": state,
                        "startTime": start,
                    })
                })
                .collect();
            Json(json!({ "clusterOperationInfoList": list })).into_response()
        }
        Err(r) => r,
    }
}

async fn list_client_vpc_connections(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(arn): Path<String>,
) -> Response {
    let (_call, key, region, failure) = enter(&s, &headers, Op::ListClientVpcConnections).await;
    if let Some(f) = failure {
        return f;
    }
    let c = s
        .config
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Err(r) = find(&c, &key, &region, &arn) {
        return r;
    }
    let list: Vec<Value> = c
        .vpc_connections
        .iter()
        .filter(|v| v.target_cluster_arn == arn)
        .map(|v| {
            json!({
                "authentication": v.authentication,
                "creationTime": "2024-04-11T08:21:03.457Z",
                "owner": v.owner,
                "state": v.state,
                "vpcConnectionArn": v.arn,
            })
        })
        .collect();
    Json(json!({ "clientVpcConnections": list })).into_response()
}

async fn list_vpc_connections(State(s): State<Shared>, headers: HeaderMap) -> Response {
    let (_call, _key, region, failure) = enter(&s, &headers, Op::ListVpcConnections).await;
    if let Some(f) = failure {
        return f;
    }
    let c = s
        .config
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let list: Vec<Value> = c
        .vpc_connections
        .iter()
        .filter(|v| v.region == region)
        .map(|v| {
            json!({
                "authentication": v.authentication,
                "creationTime": "2024-04-11T08:21:03.457Z",
                "state": v.state,
                "targetClusterArn": v.target_cluster_arn,
                "vpcConnectionArn": v.arn,
                "vpcId": v.vpc_id,
            })
        })
        .collect();
    Json(json!({ "vpcConnections": list })).into_response()
}

fn replicator_clusters(r: &Replicator) -> Value {
    json!([
        {"amazonMskCluster": {"mskClusterArn": r.source_arn}, "kafkaClusterAlias": "source"},
        {"amazonMskCluster": {"mskClusterArn": r.target_arn}, "kafkaClusterAlias": "target"}
    ])
}

async fn list_replicators(State(s): State<Shared>, headers: HeaderMap) -> Response {
    let (_call, _key, region, failure) = enter(&s, &headers, Op::ListReplicators).await;
    if let Some(f) = failure {
        return f;
    }
    let c = s
        .config
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let list: Vec<Value> = c
        .replicators
        .iter()
        .filter(|r| r.region == region)
        .map(|r| {
            json!({
                "creationTime": "2024-06-01T10:00:00.000Z",
                "currentVersion": "K1F8GVT4M8D3RF",
                "isReplicatorReference": false,
                "kafkaClustersSummary": replicator_clusters(r),
                "replicationInfoSummaryList": [{"sourceKafkaClusterAlias": "source", "targetKafkaClusterAlias": "target"}],
                "replicatorArn": r.arn(),
                "replicatorName": r.name,
                "replicatorResourceArn": r.arn(),
                "replicatorState": r.state,
            })
        })
        .collect();
    Json(json!({ "replicators": list })).into_response()
}

async fn describe_replicator(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(arn): Path<String>,
) -> Response {
    let (_call, _key, region, failure) = enter(&s, &headers, Op::DescribeReplicator).await;
    if let Some(f) = failure {
        return f;
    }
    let c = s
        .config
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let Some(r) = c
        .replicators
        .iter()
        .find(|r| r.region == region && r.arn() == arn)
    else {
        return error(404, "NotFoundException", "The replicator does not exist.");
    };
    let mut body = json!({
        "creationTime": "2024-06-01T10:00:00.000Z",
        "currentVersion": "K1F8GVT4M8D3RF",
        "isReplicatorReference": false,
        "kafkaClusters": replicator_clusters(r),
        "replicationInfoList": [{
            "consumerGroupReplication": {
                "consumerGroupsToReplicate": r.groups,
                "consumerGroupsToExclude": r.groups_excluded,
                "detectAndCopyNewConsumerGroups": true,
                "synchroniseConsumerGroupOffsets": true
            },
            "sourceKafkaClusterAlias": "source",
            "targetCompressionType": "NONE",
            "targetKafkaClusterAlias": "target",
            "topicReplication": {
                "copyAccessControlListsForTopics": true,
                "copyTopicConfigurations": true,
                "detectAndCopyNewTopics": true,
                "topicsToReplicate": r.topics,
                "topicsToExclude": r.topics_excluded
            }
        }],
        "replicatorArn": r.arn(),
        "replicatorName": r.name,
        "replicatorResourceArn": r.arn(),
        "replicatorState": r.state,
        "serviceExecutionRoleArn": "arn:aws:iam::123456789012:role/replicator",
        "tags": {}
    });
    if let Some((code, message)) = &r.state_info {
        body["stateInfo"] = json!({"code": code, "message": message});
    }
    Json(body).into_response()
}

async fn list_connectors(State(s): State<Shared>, headers: HeaderMap) -> Response {
    let (_call, _key, region, failure) = enter(&s, &headers, Op::ListConnectors).await;
    if let Some(f) = failure {
        return f;
    }
    let c = s
        .config
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let list: Vec<Value> = c
        .connectors
        .iter()
        .filter(|k| k.region == region)
        .map(Connector::summary)
        .collect();
    Json(json!({ "connectors": list })).into_response()
}

async fn describe_connector(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(arn): Path<String>,
) -> Response {
    let (_call, _key, region, failure) = enter(&s, &headers, Op::DescribeConnector).await;
    if let Some(f) = failure {
        return f;
    }
    let c = s
        .config
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let Some(k) = c
        .connectors
        .iter()
        .find(|k| k.region == region && k.arn() == arn)
    else {
        return error(404, "NotFoundException", "The connector does not exist.");
    };
    let mut body = k.summary();
    body["connectorConfiguration"] =
        json!({"connector.class": "io.example.Sink", "tasks.max": "2"});
    if let Some((code, message)) = &k.state_info {
        body["stateDescription"] = json!({"code": code, "message": message});
    }
    Json(body).into_response()
}

/// STS `AssumeRole` (AWS query protocol: a form body in, XML out).
async fn sts(State(s): State<Shared>, body: String) -> Response {
    let form: HashMap<String, String> = serde_urlencoded::from_str(&body).unwrap_or_default();
    if form.get("Action").map(String::as_str) != Some("AssumeRole") {
        return (StatusCode::BAD_REQUEST, "only AssumeRole is served").into_response();
    }
    let role = form.get("RoleArn").cloned().unwrap_or_default();
    let mut c = s
        .config
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    c.assumed.push(role.clone());
    let Some(key) = c.roles.get(&role).cloned() else {
        return (
            StatusCode::FORBIDDEN,
            [("content-type", "text/xml")],
            format!(
                "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>\
                 <Message>not allowed to assume {role}</Message></Error><RequestId>1</RequestId></ErrorResponse>"
            ),
        )
            .into_response();
    };
    let account = role.split(':').nth(4).unwrap_or("000000000000").to_string();
    (
        [("content-type", "text/xml")],
        format!(
            r#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <Credentials>
      <AccessKeyId>{key}</AccessKeyId>
      <SecretAccessKey>fake-secret</SecretAccessKey>
      <SessionToken>fake-session-token</SessionToken>
      <Expiration>2099-01-01T00:00:00Z</Expiration>
    </Credentials>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::{account}:assumed-role/fake/msk-console</Arn>
      <AssumedRoleId>AROAFAKE:msk-console</AssumedRoleId>
    </AssumedRoleUser>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>1</RequestId></ResponseMetadata>
</AssumeRoleResponse>"#
        ),
    )
        .into_response()
}

/// The cluster a topic call names, when the topic APIs serve it: provisioned, on Kafka
/// 3.6 or later (MSK's answers otherwise).
async fn topic_cluster(
    s: &Shared,
    headers: &HeaderMap,
    op: Op,
    arn: &str,
) -> Result<(Call, Cluster, usize), Response> {
    let (call, key, region, failure) = enter(s, headers, op).await;
    if let Some(f) = failure {
        return Err(f);
    }
    let (cl, page_size) = {
        let c = s
            .config
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        (find(&c, &key, &region, arn)?, c.page_size)
    };
    if cl.kind == Kind::Serverless {
        return Err(error(
            400,
            "BadRequestException",
            "This operation cannot be performed on serverless clusters.",
        ));
    }
    let version: Vec<u32> = cl
        .kafka_version
        .split('.')
        .map_while(|p| p.parse().ok())
        .collect();
    if version.as_slice() < [3, 6].as_slice() {
        return Err(error(
            400,
            "BadRequestException",
            "Topic APIs are supported only on clusters running Apache Kafka version 3.6.0 or above.",
        ));
    }
    Ok((call, cl, page_size))
}

fn find_topic<'a>(cl: &'a Cluster, name: &str) -> Result<&'a Topic, Response> {
    cl.topics.iter().find(|t| t.name == name).ok_or_else(|| {
        error(
            404,
            "NotFoundException",
            &format!("The topic {name} does not exist."),
        )
    })
}

async fn list_topics(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path(arn): Path<String>,
    Query(q): Query<PageQuery>,
) -> Response {
    let (_call, cl, page_size) = match topic_cluster(&s, &headers, Op::ListTopics, &arn).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let infos: Vec<Value> = cl
        .topics
        .iter()
        .filter(|t| {
            q.topic_name_filter
                .as_deref()
                .is_none_or(|f| t.name.starts_with(f))
        })
        .map(|t| t.info(&cl))
        .collect();
    match page(&infos, &q, page_size) {
        Ok((list, next)) => {
            let mut body = json!({ "topics": list });
            if let Some(n) = next {
                body["nextToken"] = json!(n);
            }
            Json(body).into_response()
        }
        Err(r) => r,
    }
}

async fn describe_topic(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path((arn, topic)): Path<(String, String)>,
) -> Response {
    let (_call, cl, _) = match topic_cluster(&s, &headers, Op::DescribeTopic, &arn).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match find_topic(&cl, &topic) {
        Ok(t) => {
            let mut body = t.info(&cl);
            body["configs"] = json!(t.encoded_configs());
            body["status"] = json!(t.status);
            if let Some(o) = body.as_object_mut() {
                o.remove("outOfSyncReplicaCount");
            }
            Json(body).into_response()
        }
        Err(r) => r,
    }
}

async fn describe_topic_partitions(
    State(s): State<Shared>,
    headers: HeaderMap,
    Path((arn, topic)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
) -> Response {
    let (_call, cl, page_size) =
        match topic_cluster(&s, &headers, Op::DescribeTopicPartitions, &arn).await {
            Ok(x) => x,
            Err(r) => return r,
        };
    let t = match find_topic(&cl, &topic) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let parts: Vec<Value> = t
        .partitions
        .iter()
        .enumerate()
        .map(|(i, p)| {
            json!({
                "partition": i,
                "leader": p.leader,
                "replicas": p.replicas,
                "isr": p.isr,
            })
        })
        .collect();
    match page(&parts, &q, page_size) {
        Ok((list, next)) => {
            let mut body = json!({ "partitions": list });
            if let Some(n) = next {
                body["nextToken"] = json!(n);
            }
            Json(body).into_response()
        }
        Err(r) => r,
    }
}
