//! The fake MSK on a port of your choice, with a small fleet whose clusters have topics,
//! IPv6 strings, a multi-VPC connection, a replicator to a DR cluster and two MSK Connect
//! connectors (one failed): for demos and the README's topic screenshots
//! (`end2end/screenshots.mjs`).
//!
//!     cargo run -p fake-msk --example serve -- 127.0.0.1:4566
//!     AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo \
//!       target/debug/msk-console --aws-endpoint-url http://127.0.0.1:4566 --aws-regions eu-west-1

use fake_msk::{Cluster, Config, Connector, FakeMsk, Partition, Replicator, Topic, VpcConnection};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:4566".into());
    let mut orders = Cluster::provisioned("orders-prod", "eu-west-1");
    orders.topics = [
        ("orders.created", 12),
        ("orders.paid", 12),
        ("orders.shipped", 6),
        ("payments.v2", 6),
        ("billing.invoices", 3),
        ("inventory.reserved", 6),
        ("__consumer_offsets", 50),
        ("audit.log", 1),
    ]
    .into_iter()
    .map(|(name, partitions)| Topic::new(name, partitions, 3))
    .collect();
    if let Some(t) = orders.topics.iter_mut().find(|t| t.name == "payments.v2") {
        t.partitions[4] = Partition {
            leader: 2,
            replicas: vec![2, 3, 1],
            isr: vec![2, 3],
        };
        t.configs = vec![
            ("cleanup.policy".into(), "delete".into()),
            ("retention.ms".into(), "259200000".into()),
            ("min.insync.replicas".into(), "2".into()),
            ("compression.type".into(), "zstd".into()),
        ];
    }
    orders.dual_stack = true;
    orders.vpc_connectivity = true;
    let mut legacy = Cluster::provisioned("legacy-analytics", "eu-west-1");
    legacy.kafka_version = "2.8.1".into();
    let events = Cluster::serverless("events-stream", "eu-west-1");
    let dr = Cluster::provisioned("orders-dr", "eu-west-1");
    let connector = |name: &str, state: &str, servers: &str| Connector {
        region: "eu-west-1".into(),
        name: name.into(),
        bootstrap_servers: servers.into(),
        state: state.into(),
        state_info: (state == "FAILED").then(|| {
            (
                "InvalidInput.InvalidConnectorConfiguration".into(),
                "The connector configuration is invalid: topics.regex is not set".into(),
            )
        }),
        workers: 2,
        mcu: 1,
        plugins: vec![(
            "arn:aws:kafkaconnect:eu-west-1:123456789012:custom-plugin/s3-sink/1".into(),
            1,
        )],
        authentication: "IAM".into(),
    };
    let servers = format!("{}:9098", orders.broker_hosts[0]);
    let fake = FakeMsk::start_on(
        &addr,
        Config {
            vpc_connections: vec![VpcConnection {
                region: "eu-west-1".into(),
                arn: "arn:aws:kafka:eu-west-1:123456789012:vpc-connection/123456789012/orders-prod/5d2c1f0e-3".into(),
                target_cluster_arn: orders.arn(),
                owner: "210987654321".into(),
                vpc_id: "vpc-0f1e2d3c".into(),
                authentication: "SASL_IAM".into(),
                state: "AVAILABLE".into(),
            }],
            replicators: vec![Replicator {
                region: "eu-west-1".into(),
                name: "orders-to-dr".into(),
                source_arn: orders.arn(),
                target_arn: dr.arn(),
                state: "RUNNING".into(),
                state_info: None,
                topics: vec!["orders\\..*".into(), "payments\\..*".into()],
                topics_excluded: vec![".*\\.internal".into()],
                groups: vec![".*".into()],
                groups_excluded: vec![],
            }],
            connectors: vec![
                connector("orders-to-s3", "RUNNING", &servers),
                connector("orders-to-warehouse", "FAILED", &servers),
            ],
            clusters: vec![orders, legacy, events, dr],
            ..Config::default()
        },
    )
    .await?;
    println!("fake MSK on {}", fake.url());
    tokio::signal::ctrl_c().await
}
