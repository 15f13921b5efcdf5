//! Refresh benchmark: 200 clusters across 4 regions behind the fake MSK endpoint with
//! 20 ms added to every call. Prints the console's refresh time, the time of the same
//! calls made one after another, the speed-up, both call counts (so the comparison is of
//! the same work), and the most calls the fake ever had in flight at once (the
//! concurrency bound that keeps MSK from throttling).
//!
//! Both sides are measured alike: one untimed warm-up run (clients built, connections
//! open), then the median of five timed runs.
//!
//!     cargo bench --bench refresh
//!     cargo bench --bench refresh -- --quick     (12 clusters, 1 ms a call, one run)
//!
//! Numbers, not assertions: CI does not time anything.

// A bench stops at the first surprise and says where: unwrap and expect are its way.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use aws_sdk_kafka::config::{BehaviorVersion, Region};
use fake_msk::{Cluster, Config as FakeConfig, FakeMsk};
use msk_console::inventory::sources::{AwsSource, Source};
use msk_console::{App, Config};

const REGIONS: [&str; 4] = ["eu-west-1", "us-east-1", "ap-northeast-2", "eu-central-1"];

/// How much the bench lists.
pub struct Scale {
    pub clusters: usize,
    pub latency: Duration,
    /// Timed runs of each side (the median is printed).
    pub runs: usize,
}

impl Scale {
    /// The README's figures: 200 clusters, 20 ms a call, the median of five runs.
    pub fn full() -> Scale {
        Scale {
            clusters: 200,
            latency: Duration::from_millis(20),
            runs: 5,
        }
    }

    /// What CI runs (`tests/benches.rs`), in a second.
    pub fn quick() -> Scale {
        Scale {
            clusters: 12,
            latency: Duration::from_millis(1),
            runs: 1,
        }
    }
}

fn credentials() -> SharedCredentialsProvider {
    SharedCredentialsProvider::new(Credentials::new("AKIDBENCH", "secret", None, None, "bench"))
}

/// One client per region, built once (as the console builds its own once).
fn clients(endpoint: &str) -> Vec<aws_sdk_kafka::Client> {
    REGIONS
        .iter()
        .map(|region| {
            let conf = aws_sdk_kafka::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(Region::new(*region))
                .endpoint_url(endpoint)
                .credentials_provider(credentials())
                .build();
            aws_sdk_kafka::Client::from_conf(conf)
        })
        .collect()
}

/// The same calls the console makes, one after another.
async fn sequential(clients: &[aws_sdk_kafka::Client]) -> (Duration, usize) {
    let start = Instant::now();
    let mut clusters = 0;
    for client in clients {
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
            client
                .list_cluster_operations_v2()
                .cluster_arn(arn)
                .max_results(10)
                .send()
                .await
                .expect("operations");
            clusters += 1;
        }
    }
    (start.elapsed(), clusters)
}

#[cfg_attr(test, allow(dead_code))]
#[tokio::main]
async fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    run(if quick { Scale::quick() } else { Scale::full() }).await
}

/// Times the console's refresh and the same calls one after another; prints both.
pub async fn run(scale: Scale) {
    let clusters = (0..scale.clusters)
        .map(|i| Cluster::provisioned(&format!("bench-{i:03}"), REGIONS[i % REGIONS.len()]))
        .collect();
    let fake = FakeMsk::start(FakeConfig {
        clusters,
        latency: scale.latency,
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
        cloudwatch_endpoint_url: None,
    });
    let app = App::build_with(config.clone(), vec![source], Some(credentials()))
        .await
        .expect("console");
    let svc = app.inventory.clone();
    // The first refresh starts with the service; wait for it, then time fresh ones.
    let mut rx = svc.subscribe();
    rx.wait_for(|i| i.refresh.generation >= 1).await.unwrap();

    let runs = scale.runs;
    let median = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };

    // The console: a warm-up refresh (above), then timed ones.
    let calls_before = fake.calls();
    let mut times = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        svc.refresh().await;
        times.push(t.elapsed());
    }
    let calls = (fake.calls() - calls_before) / runs;
    let console = median(times);
    let found = svc.subscribe().borrow().clusters.len();
    let max_in_flight = fake.max_in_flight();

    // The same calls one after another: a warm-up run, then timed ones.
    let clients = clients(&fake.url());
    let (_, seq_clusters) = sequential(&clients).await;
    let calls_before = fake.calls();
    let mut times = Vec::new();
    for _ in 0..runs {
        times.push(sequential(&clients).await.0);
    }
    let seq_calls = (fake.calls() - calls_before) / runs;
    let seq = median(times);
    assert_eq!(found, scale.clusters);
    assert_eq!(seq_clusters, scale.clusters);

    println!(
        "refresh of {} clusters in {} regions, {} ms per call",
        scale.clusters,
        REGIONS.len(),
        scale.latency.as_millis()
    );
    println!("  calls per refresh:        console {calls}, sequential {seq_calls}");
    println!(
        "  console refresh (median of {runs}): {:>8.1} ms",
        console.as_secs_f64() * 1e3
    );
    println!(
        "  sequential (median of {runs}):     {:>8.1} ms",
        seq.as_secs_f64() * 1e3
    );
    println!(
        "  speed-up:                 {:>8.1}x",
        seq.as_secs_f64() / console.as_secs_f64()
    );
    println!(
        "  most calls in flight:     {max_in_flight} (bound: {} per region x {} regions)",
        config.aws_concurrency,
        REGIONS.len()
    );
}
