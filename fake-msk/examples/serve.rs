//! The fake MSK on a port of your choice, with a small fleet whose clusters have topics:
//! for demos and the README's topic screenshots (`end2end/screenshots.mjs`).
//!
//!     cargo run -p fake-msk --example serve -- 127.0.0.1:4566
//!     AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo \
//!       target/debug/msk-console --aws-endpoint-url http://127.0.0.1:4566 --aws-regions eu-west-1

use fake_msk::{Cluster, Config, FakeMsk, Partition, Topic};

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
    let mut legacy = Cluster::provisioned("legacy-analytics", "eu-west-1");
    legacy.kafka_version = "2.8.1".into();
    let events = Cluster::serverless("events-stream", "eu-west-1");
    let fake = FakeMsk::start_on(
        &addr,
        Config {
            clusters: vec![orders, legacy, events],
            ..Config::default()
        },
    )
    .await?;
    println!("fake MSK on {}", fake.url());
    tokio::signal::ctrl_c().await
}
