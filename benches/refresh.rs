//! Refresh benchmark: 200 clusters across 4 regions behind the fake MSK endpoint with
//! 20 ms added to every call. Prints the console's refresh time, the time of the same
//! calls made one after another, the speed-up, and the most calls the fake ever had in
//! flight at once (the concurrency bound that keeps MSK from throttling).
//!
//!     cargo bench --bench refresh
//!
//! Numbers, not assertions: CI does not time anything.

use std::time::{Duration, Instant};

use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use aws_sdk_kafka::config::{BehaviorVersion, Region};
use fake_msk::{Cluster, Config as FakeConfig, FakeMsk};
use msk_console::inventory::sources::{AwsSource, Source};
use msk_console::{App, Config};

const REGIONS: [&str; 4] = ["eu-west-1", "us-east-1", "ap-northeast-2", "eu-central-1"];
const CLUSTERS: usize = 200;
const LATENCY: Duration = Duration::from_millis(20);

fn credentials() -> SharedCredentialsProvider {
    SharedCredentialsProvider::new(Credentials::new("AKIDBENCH", "secret", None, None, "bench"))
}

/// The same calls the console makes, one after another.
async fn sequential(endpoint: &str) -> (Duration, usize) {
    let start = Instant::now();
    let mut clusters = 0;
    for region in REGIONS {
        let conf = aws_sdk_kafka::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(region))
            .endpoint_url(endpoint)
            .credentials_provider(credentials())
            .build();
        let client = aws_sdk_kafka::Client::from_conf(conf);
        let list: Vec<_> = client
            .list_clusters_v2()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .expect("list");
        for c in list {
            let arn = c.cluster_arn().unwrap();
            client
                .get_bootstrap_brokers()
                .cluster_arn(arn)
                .send()
                .await
                .expect("bootstrap");
            let _nodes: Vec<_> = client
                .list_nodes()
                .cluster_arn(arn)
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await
                .expect("nodes");
            clusters += 1;
        }
    }
    (start.elapsed(), clusters)
}

#[tokio::main]
async fn main() {
    let clusters = (0..CLUSTERS)
        .map(|i| Cluster::provisioned(&format!("bench-{i:03}"), REGIONS[i % REGIONS.len()]))
        .collect();
    let fake = FakeMsk::start(FakeConfig {
        clusters,
        latency: LATENCY,
        ..FakeConfig::default()
    })
    .await
    .expect("fake MSK");

    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::for_tests();
    config.database_url = format!("sqlite://{}/bench.db", dir.path().display());
    config.refresh_interval = Duration::from_secs(3600);
    config.no_probe = true;
    let source = Source::Aws(AwsSource {
        name: "bench".into(),
        profile: None,
        role_arn: None,
        regions: REGIONS.iter().map(|r| r.to_string()).collect(),
        endpoint_url: Some(fake.url()),
    });
    let app = App::build_with(config.clone(), vec![source], Some(credentials()))
        .await
        .expect("console");
    let svc = app.inventory.clone();
    // The first refresh starts with the service; wait for it, then time fresh ones.
    let mut rx = svc.subscribe();
    rx.wait_for(|i| i.refresh.generation >= 1).await.unwrap();

    let calls_before = fake.calls();
    let runs = 3;
    let mut best = Duration::MAX;
    for _ in 0..runs {
        let t = Instant::now();
        svc.refresh().await;
        best = best.min(t.elapsed());
    }
    let calls = (fake.calls() - calls_before) / runs;
    let found = svc.subscribe().borrow().clusters.len();
    let max_in_flight = fake.max_in_flight();

    let (seq, seq_clusters) = sequential(&fake.url()).await;
    assert_eq!(found, CLUSTERS);
    assert_eq!(seq_clusters, CLUSTERS);

    println!(
        "refresh of {CLUSTERS} clusters in {} regions, {} ms per call",
        REGIONS.len(),
        LATENCY.as_millis()
    );
    println!("  calls per refresh:        {calls}");
    println!(
        "  console refresh (best of {runs}): {:>8.1} ms",
        best.as_secs_f64() * 1e3
    );
    println!(
        "  sequential calls:         {:>8.1} ms",
        seq.as_secs_f64() * 1e3
    );
    println!(
        "  speed-up:                 {:>8.1}x",
        seq.as_secs_f64() / best.as_secs_f64()
    );
    println!(
        "  most calls in flight:     {max_in_flight} (bound: {} per region x {} regions)",
        config.aws_concurrency,
        REGIONS.len()
    );
}
