//! Exporter reachability against real peers: Debian node exporters, a JMX-exporter
//! stand-in, an HTML answer, a listener that never answers, and a closed port, with the
//! inventory served by the fake MSK endpoint.

use crate::support;

use std::time::Duration;

use axum::routing::get;
use fake_msk::{Cluster as Fake, Config as FakeConfig, FakeMsk};
use serde_json::Value;
use support::tools::{node_exporter, wait_listening};
use support::{aws_source, TestApp};

async fn serve(addr: &str, app: axum::Router) {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .unwrap_or_else(|e| panic!("bind {addr}: {e}"));
    tokio::spawn(async move { axum::serve(listener, app).await });
}

/// Accepts connections and never answers them.
async fn silent(addr: &str) {
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((sock, _)) = listener.accept().await {
            held.push(sock);
        }
    });
}

fn probe<'a>(c: &'a Value, broker: u64, exporter: &str) -> &'a Value {
    let b = c["reachability"]["brokers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["broker_id"] == broker)
        .unwrap();
    &b[exporter]
}

#[tokio::test]
async fn every_kind_of_answer_is_told_apart_and_coverage_sorts_problems_first() {
    let dir = tempfile::tempdir().unwrap();
    let _n2 = node_exporter("127.0.0.2:11002", dir.path());
    let _n3 = node_exporter("127.0.0.3:11002", dir.path());
    serve(
        "127.0.0.2:11001",
        axum::Router::new().route(
            "/metrics",
            get(|| async {
                (
                    [("content-type", "text/plain; version=0.0.4")],
                    "# TYPE kafka_server_BrokerTopicMetrics_Count untyped\n\
                     kafka_server_BrokerTopicMetrics_Count{name=\"MessagesInPerSec\",topic=\"orders\"} 42\n\
                     kafka_server_ReplicaManager_Value{name=\"UnderReplicatedPartitions\"} 0\n\
                     jvm_threads_current 71\n",
                )
            }),
        ),
    )
    .await;
    serve(
        "127.0.0.3:11001",
        axum::Router::new().route(
            "/metrics",
            get(|| async { axum::response::Html("<html><body>Welcome</body></html>") }),
        ),
    )
    .await;
    // A web server without /metrics: HTTP 404 on both ports.
    serve("127.0.0.6:11001", axum::Router::new()).await;
    serve("127.0.0.6:11002", axum::Router::new()).await;
    silent("127.0.0.4:11001").await;
    silent("127.0.0.4:11002").await;
    wait_listening("127.0.0.2:11002").await;
    wait_listening("127.0.0.3:11002").await;

    let mut lab = Fake::provisioned("lab", "eu-west-1");
    lab.broker_hosts = ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"]
        .map(String::from)
        .to_vec();
    let mut dark = Fake::provisioned("dark", "eu-west-1");
    dark.jmx_exporter = false;
    dark.node_exporter = false;
    dark.broker_hosts = ["127.0.0.2", "127.0.0.5"].map(String::from).to_vec();
    let mut gone = Fake::provisioned("gone", "eu-west-1");
    gone.broker_hosts = vec!["127.0.0.5".into()];
    // A host name that cannot resolve. Its 70-character label cannot even be put in a DNS
    // query, so the lookup fails on this machine without sending one (a `.invalid` name
    // would still ask the configured resolver, off loopback).
    let unresolvable = format!("{}.invalid", "x".repeat(70));
    let mut odd = Fake::provisioned("odd", "eu-west-1");
    odd.broker_hosts = vec!["127.0.0.6".into(), unresolvable.clone()];
    let fake = FakeMsk::start(FakeConfig {
        clusters: vec![lab, dark, gone, odd],
        ..FakeConfig::default()
    })
    .await
    .unwrap();

    let app = TestApp::spawn_with(vec![aws_source("prod", &fake.url(), &["eu-west-1"])], |c| {
        c.no_probe = false;
        c.probe_timeout = Duration::from_secs(1);
    })
    .await;
    app.inventory_when("a sweep of the four clusters after the refresh", |i| {
        i.reachability.len() == 4 && !i.sweep.running
    })
    .await;

    let (_, list) = app.get_json("/api/clusters").await;
    let id = |name: &str| {
        list["clusters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (status, c) = app.get_json(&format!("/api/clusters/{}", id("lab"))).await;
    assert_eq!(status, 200);
    // Broker 1: the JMX stand-in and a real node exporter.
    assert_eq!(probe(&c, 1, "jmx")["state"], "up");
    assert_eq!(probe(&c, 1, "jmx")["detail"], "2 kafka_server_* samples");
    assert_eq!(probe(&c, 1, "jmx")["samples"], 3);
    assert_eq!(probe(&c, 1, "node")["state"], "up");
    assert!(
        probe(&c, 1, "node")["detail"]
            .as_str()
            .unwrap()
            .starts_with("host up "),
        "{}",
        probe(&c, 1, "node")
    );
    assert!(probe(&c, 1, "node")["latency_ms"].as_u64().unwrap() < 1000);
    // Broker 2: HTML is not metrics.
    assert_eq!(probe(&c, 2, "jmx")["state"], "down");
    assert_eq!(
        probe(&c, 2, "jmx")["reason"],
        "answers HTML, not Prometheus metrics"
    );
    assert_eq!(probe(&c, 2, "node")["state"], "up");
    // Broker 3: accepts, never answers.
    assert_eq!(probe(&c, 3, "jmx")["reason"], "timed out");
    assert_eq!(probe(&c, 3, "node")["reason"], "timed out");
    // Broker 4: nothing listens.
    assert_eq!(probe(&c, 4, "jmx")["reason"], "connection refused");
    assert_eq!(probe(&c, 4, "node")["target"], "127.0.0.5:11002");

    // A server without /metrics, and a host that does not resolve.
    let (_, o) = app.get_json(&format!("/api/clusters/{}", id("odd"))).await;
    assert_eq!(probe(&o, 1, "jmx")["state"], "down");
    assert_eq!(probe(&o, 1, "jmx")["reason"], "HTTP 404 Not Found");
    assert_eq!(probe(&o, 1, "node")["reason"], "HTTP 404 Not Found");
    assert_eq!(probe(&o, 2, "jmx")["state"], "down");
    assert_eq!(
        probe(&o, 2, "node")["reason"],
        "DNS failure: the host name does not resolve"
    );

    // Monitoring off: "off", unless something answers anyway.
    let (_, d) = app.get_json(&format!("/api/clusters/{}", id("dark"))).await;
    assert_eq!(probe(&d, 1, "jmx")["state"], "unexpected");
    assert_eq!(probe(&d, 1, "node")["state"], "unexpected");
    assert_eq!(probe(&d, 2, "jmx")["state"], "off");

    // Coverage: enabled-but-unreachable first, then partial, then off.
    let (status, cov) = app.get_json("/api/coverage").await;
    assert_eq!(status, 200);
    let order: Vec<(&str, &str)> = cov["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        order,
        [
            ("gone", "unreachable"),
            ("odd", "unreachable"),
            ("lab", "partial"),
            ("dark", "off")
        ]
    );
    let lab = &cov["clusters"][2];
    assert_eq!(
        (
            lab["jmx_up"].as_u64(),
            lab["node_up"].as_u64(),
            lab["brokers"].as_u64()
        ),
        (Some(1), Some(2), Some(4))
    );
    assert_eq!(cov["totals"]["clusters"], 4);
    assert_eq!(cov["totals"]["clusters_fully_covered"], 0);
    assert_eq!(cov["totals"]["brokers"], 9);
    assert_eq!(cov["totals"]["brokers_covered"], 1);
    let (_, filtered) = app.get_json("/api/coverage?region=us-east-1").await;
    assert_eq!(filtered["clusters"], serde_json::json!([]));
    let (status, _) = app.get_json("/api/coverage?regoin=x").await;
    assert_eq!(status, 400);

    // The pages say it in words.
    let page = app
        .get(&format!("/clusters/{}", id("lab")))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("connection refused") && page.contains("answers HTML"),
        "cluster page shows reasons"
    );
    let page = app.get("/coverage").await.text().await.unwrap();
    assert!(
        page.contains("enabled but unreachable") && page.contains("1 of 9"),
        "coverage page"
    );

    // On demand, for one cluster: a new sweep runs, and only that cluster is probed
    // again. Check times are to the second: let one pass first.
    let checked = |inv: &app::model::Inventory| -> Vec<(String, String)> {
        inv.reachability
            .iter()
            .map(|(id, r)| (id.to_string(), r.checked_at.clone()))
            .collect()
    };
    let then = checked(&app.inventory.inventory());
    let newest = then
        .iter()
        .map(|(_, at)| at.clone())
        .max()
        .unwrap_or_default();
    support::eventually(
        "the clock to pass the second of the last check",
        support::PATIENCE,
        || async {
            let now = msk_console::clock::now_rfc3339();
            support::when(now > newest, ()).map_err(|_| now)
        },
    )
    .await;
    let before = app.inventory.inventory().sweep.generation;
    let r = app
        .client
        .post(format!("{}/sfn/probe", app.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(format!("cluster={}", id("gone")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    app.inventory_when("the requested sweep", |i| {
        i.sweep.generation > before && !i.sweep.running
    })
    .await;
    let now = checked(&app.inventory.inventory());
    for ((id_then, at_then), (id_now, at_now)) in then.iter().zip(&now) {
        assert_eq!(id_then, id_now);
        if *id_now == id("gone") {
            assert_ne!(at_then, at_now, "the probed cluster's check time moved");
        } else {
            assert_eq!(at_then, at_now, "{id_now} was not probed again");
        }
    }
    // Only inventory clusters can be asked for.
    let r = app
        .client
        .post(format!("{}/sfn/probe", app.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("cluster=http%3A%2F%2Fevil.example%2F")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}
