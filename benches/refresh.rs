//! Refresh benchmark: 2,000 clusters across 20 regions behind the fake MSK endpoint with
//! 20 ms added to every call, the scale at which a refresh that asked every cluster's
//! details every time would meet MSK's API rate limits.
//!
//! Prints, for each kind of refresh, the calls it made (by operation) and its time:
//! - the first refresh of a fresh console (every cluster's details);
//! - a full refresh of a warm console (`--full-refresh-interval`, "Refresh now"), which
//!   also reads each region's VPC connections, replicators and connectors;
//! - a steady-state refresh, nothing changed (ListClustersV2 pages only);
//! - a refresh after 10 clusters changed (their details alone asked again);
//!
//! and the dependency-chain floor a full refresh cannot beat: per region (regions run in
//! parallel), the pages of ListClustersV2 one after another, then the detail calls
//! `--aws-concurrency` at a time, each taking the added latency. The goals (issue #29):
//! steady state at most one call per region per page of clusters, and a first refresh
//! within twice the floor.
//!
//!     cargo bench --bench refresh
//!     cargo bench --bench refresh -- --quick     (40 clusters in 4 regions, 1 ms a call)
//!
//! Call counts are asserted (they are exact); times are printed, never asserted.

// A bench stops at the first surprise and says where: unwrap and expect are its way.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use fake_msk::{Cluster, Config as FakeConfig, FakeMsk, Op};
use msk_console::inventory::sources::{AwsSource, Source};
use msk_console::{App, Config};

/// How much the bench lists.
pub struct Scale {
    pub clusters: usize,
    pub regions: usize,
    pub latency: Duration,
    /// Clusters changed before the last refresh.
    pub changed: usize,
}

impl Scale {
    /// The README's figures: 2,000 clusters in 20 regions, 20 ms a call.
    pub fn full() -> Scale {
        Scale {
            clusters: 2000,
            regions: 20,
            latency: Duration::from_millis(20),
            changed: 10,
        }
    }

    /// What CI runs (`tests/benches.rs`), in a second.
    pub fn quick() -> Scale {
        Scale {
            clusters: 40,
            regions: 4,
            latency: Duration::from_millis(1),
            changed: 3,
        }
    }
}

fn credentials() -> SharedCredentialsProvider {
    SharedCredentialsProvider::new(Credentials::new("AKIDBENCH", "secret", None, None, "bench"))
}

/// The region names: `bench-1` … (the fake serves any region the SDK signs for).
fn regions(n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("bench-{i}")).collect()
}

/// Calls by operation since `before`.
fn since(fake: &FakeMsk, before: &std::collections::HashMap<Op, usize>) -> BTreeMap<String, usize> {
    fake.calls_by_op()
        .into_iter()
        .map(|(op, n)| (format!("{op:?}"), n - before.get(&op).copied().unwrap_or(0)))
        .filter(|(_, n)| *n > 0)
        .collect()
}

fn total(calls: &BTreeMap<String, usize>) -> usize {
    calls.values().sum()
}

fn line(what: &str, took: Duration, calls: &BTreeMap<String, usize>) {
    let by_op: Vec<String> = calls.iter().map(|(op, n)| format!("{op} {n}")).collect();
    println!(
        "  {what:<34} {:>9.1} ms  {:>6} calls ({})",
        took.as_secs_f64() * 1e3,
        total(calls),
        by_op.join(", ")
    );
}

#[cfg_attr(test, allow(dead_code))]
#[tokio::main]
async fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    run(if quick { Scale::quick() } else { Scale::full() }).await
}

/// Runs the four refreshes and prints their calls and times.
pub async fn run(scale: Scale) {
    let regions = regions(scale.regions);
    let clusters = (0..scale.clusters)
        .map(|i| Cluster::provisioned(&format!("bench-{i:04}"), &regions[i % regions.len()]))
        .collect();
    let fake = FakeMsk::start(FakeConfig {
        clusters,
        latency: scale.latency,
        ..FakeConfig::default()
    })
    .await
    .expect("fake MSK");
    let page_size = 100;

    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::for_tests();
    config.database_url = format!("sqlite://{}/bench.db", dir.path().display());
    config.refresh_interval = Duration::from_secs(3600);
    config.full_refresh_interval = Duration::from_secs(3600);
    config.no_probe = true;
    config.no_cloudwatch = true;
    config.no_topics = true;
    let source = Source::Aws(AwsSource {
        name: "bench".into(),
        profile: None,
        role_arn: None,
        regions: regions.clone(),
        endpoint_url: Some(fake.url()),
        cloudwatch_endpoint_url: None,
    });

    // The first refresh starts with the console: timed from the start to its end.
    let before = fake.calls_by_op();
    let started = Instant::now();
    let app = App::build_with(config.clone(), vec![source], Some(credentials()))
        .await
        .expect("console");
    let svc = app.inventory.clone();
    let mut rx = svc.subscribe();
    rx.wait_for(|i| i.refresh.generation >= 1).await.unwrap();
    let first_took = started.elapsed();
    let first = since(&fake, &before);
    assert_eq!(svc.inventory().clusters.len(), scale.clusters);

    let timed = |full: bool| {
        let svc = svc.clone();
        let fake = &fake;
        async move {
            let before = fake.calls_by_op();
            let t = Instant::now();
            if full {
                svc.refresh_full().await;
            } else {
                svc.refresh().await;
            }
            (t.elapsed(), since(fake, &before))
        }
    };
    let (full_took, full) = timed(true).await;
    let (steady_took, steady) = timed(false).await;
    fake.update(|c| {
        for i in 0..scale.changed {
            c.clusters[i * 7 % scale.clusters] =
                c.clusters[i * 7 % scale.clusters].clone().with_brokers(4);
        }
    });
    let (changed_took, changed) = timed(false).await;

    // The counts are exact.
    let per_region = scale.clusters.div_ceil(scale.regions);
    let pages = scale.regions * per_region.div_ceil(page_size);
    let details = 3; // GetBootstrapBrokers, ListNodes (one page), ListClusterOperationsV2
                     // Per region on a full refresh: ListVpcConnections, ListReplicators, ListConnectors.
    let links = 3 * scale.regions;
    assert_eq!(
        total(&first),
        pages + scale.clusters * details + links,
        "{first:?}"
    );
    assert_eq!(total(&full), total(&first), "{full:?}");
    assert_eq!(total(&steady), pages, "steady state: {steady:?}");
    assert_eq!(
        total(&changed),
        pages + scale.changed * details,
        "after {} changed: {changed:?}",
        scale.changed
    );
    assert_eq!(
        svc.inventory()
            .clusters
            .iter()
            .filter(|c| c.brokers.len() == 4)
            .count(),
        scale.changed
    );

    // The floor of a full refresh: one region's pages, then its detail calls
    // `--aws-concurrency` at a time (ListClusterOperationsV2 follows the other two).
    let concurrency = usize::from(config.aws_concurrency);
    let rounds =
        per_region.div_ceil(page_size) + (per_region * details).div_ceil(concurrency).max(2);
    let floor = scale.latency * rounds as u32;

    println!(
        "refresh of {} clusters in {} regions, {} ms per call, --aws-concurrency {concurrency}",
        scale.clusters,
        scale.regions,
        scale.latency.as_millis()
    );
    line("first refresh (fresh console)", first_took, &first);
    line("full refresh (warm)", full_took, &full);
    line("steady state (nothing changed)", steady_took, &steady);
    line(
        &format!("after {} clusters changed", scale.changed),
        changed_took,
        &changed,
    );
    println!(
        "  dependency-chain floor of a full refresh: {:.1} ms ({rounds} calls in a row per region); first refresh {:.2}x, warm full refresh {:.2}x",
        floor.as_secs_f64() * 1e3,
        first_took.as_secs_f64() / floor.as_secs_f64(),
        full_took.as_secs_f64() / floor.as_secs_f64()
    );
    println!(
        "  most calls in flight: {} (bound: {concurrency} per region x {} regions)",
        fake.max_in_flight(),
        scale.regions
    );
    app.shutdown.cancel();
}
