//! Topics benchmark: one cluster of 2,000 topics behind the fake MSK (ListTopics answers
//! 100 a page, 20 ms added to every call) and 200 consumer groups in its CloudWatch
//! reading. Prints the topic refresh's calls and time, and the p50/p99 of the topic list
//! (the JSON API, filters and pages varied so nothing is cached) and of the cluster page
//! with its topics section (each URL once, so each is rendered, then each again from
//! the page cache), all served from memory: no request asks MSK.
//!
//!     cargo bench --bench topics
//!     cargo bench --bench topics -- --quick     (200 topics, 20 groups, 1 ms a call)
//!
//! Numbers, not assertions: CI does not time anything.

// A bench stops at the first surprise and says where: unwrap and expect are its way.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use app::model::cloudwatch::{CloudWatchReading, ClusterMetrics, ConsumerLag, Datum, LagPoint};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use axum::body::Body;
use axum::http::Request;
use fake_msk::{Cluster, Config as FakeConfig, FakeMsk, Topic};
use msk_console::inventory::sources::{AwsSource, Source};
use msk_console::topics::TopicService;
use msk_console::{App, Config};
use tower::ServiceExt;

/// How much the bench lists and serves.
pub struct Scale {
    pub topics: usize,
    pub groups: usize,
    pub latency: Duration,
    pub requests: usize,
}

impl Scale {
    /// The README's figures.
    #[cfg_attr(test, allow(dead_code))]
    pub fn full() -> Scale {
        Scale {
            topics: 2000,
            groups: 200,
            latency: Duration::from_millis(20),
            requests: 500,
        }
    }

    /// What CI runs (`tests/benches.rs`).
    pub fn quick() -> Scale {
        Scale {
            topics: 200,
            groups: 20,
            latency: Duration::from_millis(1),
            requests: 20,
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

async fn timed(router: &axum::Router, paths: &[String]) -> (Duration, Duration, usize) {
    let mut times = Vec::with_capacity(paths.len());
    let mut bytes = 0;
    for p in paths {
        let start = Instant::now();
        let res = router
            .clone()
            .oneshot(
                Request::get(p.as_str())
                    .header("host", "localhost")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert!(res.status().is_success(), "{p}: {}", res.status());
        let body = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        times.push(start.elapsed());
        bytes += body.len();
    }
    times.sort();
    (
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        bytes / paths.len().max(1),
    )
}

#[cfg_attr(test, allow(dead_code))]
#[tokio::main]
async fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    run(if quick { Scale::quick() } else { Scale::full() }).await
}

/// Refreshes the topics, serves the lists and prints the numbers.
pub async fn run(scale: Scale) {
    let mut cluster = Cluster::provisioned("bench", "eu-west-1");
    cluster.topics = (0..scale.topics)
        .map(|i| Topic::new(&format!("service-{:02}.events.t{i:05}", i % 40), 6, 3))
        .collect();
    let fake = FakeMsk::start(FakeConfig {
        clusters: vec![cluster],
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
    config.no_cloudwatch = true;
    // The bench refreshes the topics itself.
    config.no_topics = true;
    let source = Source::Aws(AwsSource {
        name: "bench".into(),
        profile: None,
        role_arn: None,
        regions: vec!["eu-west-1".into()],
        endpoint_url: Some(fake.url()),
        cloudwatch_endpoint_url: None,
    });
    let credentials = SharedCredentialsProvider::new(Credentials::new(
        "AKIDBENCH",
        "secret",
        None,
        None,
        "bench",
    ));
    let app = App::build_with(config, vec![source], Some(credentials))
        .await
        .expect("console");
    let mut rx = app.inventory.subscribe();
    rx.wait_for(|i| i.refresh.generation >= 1).await.unwrap();
    let id = app.inventory.inventory().clusters[0].id.clone();

    // 200 consumer groups on the cluster, as a CloudWatch read leaves them.
    {
        let live = app.inventory.live();
        let mut state = live.lock();
        let lag = (0..scale.groups)
            .map(|g| ConsumerLag {
                group: format!("group-{g:03}"),
                topic: format!("service-{:02}.events.t{g:05}", g % 40),
                time_lag_seconds: Some(Datum {
                    value: g as u64 * 7,
                    at: "2026-12-03T12:00:00Z".into(),
                }),
                max_offset_lag: Some(Datum {
                    value: g as u64 * 100,
                    at: "2026-12-03T12:00:00Z".into(),
                }),
                recent: (0..60)
                    .map(|i| LagPoint {
                        at: 1_700_000_000 + i * 60,
                        seconds: (g as u64 + i as u64) % 90,
                    })
                    .collect(),
            })
            .collect();
        state.cloudwatch.insert(
            id.clone(),
            Arc::new(CloudWatchReading {
                metrics: Some(ClusterMetrics {
                    checked_at: "2026-12-03T12:00:00Z".into(),
                    lag,
                    ..ClusterMetrics::default()
                }),
                ..CloudWatchReading::default()
            }),
        );
    }
    app.inventory.live().publish();

    let topics = TopicService::new(app.inventory.clone(), 20);
    // A warm-up refresh (clients built, connections open), then a timed one.
    topics.refresh().await;
    let before = fake.calls();
    let t = Instant::now();
    topics.refresh().await;
    let refresh = t.elapsed();
    let calls = fake.calls() - before;
    let listed = app.inventory.inventory().topics[&id].topics.len();
    assert_eq!(listed, scale.topics);

    let router = app.router.clone();
    let calls_before_pages = fake.calls();
    let api: Vec<String> = (0..scale.requests)
        .map(|i| match i % 3 {
            0 => format!("/api/clusters/{id}/topics?page={}", i % 40 + 1),
            1 => format!("/api/clusters/{id}/topics?q=service-{:02}", i % 40),
            _ => format!("/api/clusters/{id}/topics?q=t{:04}&page=1", i % 200),
        })
        .collect();
    let (api50, api99, api_bytes) = timed(&router, &api).await;
    let pages: Vec<String> = (0..scale.requests)
        .map(|i| {
            format!(
                "/clusters/{id}?topics=service-{:02}&tpage={}",
                i % 40,
                i / 40 + 1
            )
        })
        .collect();
    let (page50, page99, page_bytes) = timed(&router, &pages).await;
    // The first 40 of them again, over and over: the page cache serves them until the
    // inventory moves (it keeps up to 32 MiB of pages, so not all 500 at once).
    let again: Vec<String> = (0..scale.requests)
        .map(|i| pages[i % 40.min(pages.len())].clone())
        .collect();
    let _ = timed(&router, &again[..40.min(again.len())]).await;
    let (cached50, cached99, _) = timed(&router, &again).await;
    assert_eq!(fake.calls(), calls_before_pages, "a page asked MSK");

    println!(
        "topics of one cluster: {} topics, {} consumer groups, {} ms per call",
        scale.topics,
        scale.groups,
        scale.latency.as_millis()
    );
    println!(
        "  topic refresh:        {calls} calls (ListTopics pages, then 20 DescribeTopic for the history's rotation), {:>7.1} ms",
        refresh.as_secs_f64() * 1e3
    );
    println!(
        "  topic list (JSON):    p50 {:>6.2} ms, p99 {:>6.2} ms ({} requests, {} KiB each)",
        api50.as_secs_f64() * 1e3,
        api99.as_secs_f64() * 1e3,
        scale.requests,
        api_bytes / 1024
    );
    println!(
        "  cluster page + topics: p50 {:>6.2} ms, p99 {:>6.2} ms ({} renders, {} KiB each)",
        page50.as_secs_f64() * 1e3,
        page99.as_secs_f64() * 1e3,
        scale.requests,
        page_bytes / 1024
    );
    println!(
        "  40 of them, cached:   p50 {:>6.2} ms, p99 {:>6.2} ms",
        cached50.as_secs_f64() * 1e3,
        cached99.as_secs_f64() * 1e3
    );
}
