//! The AWS layer through the real SDK over HTTP, against the fake MSK endpoint.

use crate::support;

use std::collections::HashMap;

use fake_msk::{Cluster as Fake, Config as FakeConfig, FakeMsk, Op};
use serde_json::Value;
use support::{aws_source, TestApp};

fn listeners(c: &Value) -> Vec<String> {
    c["bootstrap"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["listener"].as_str().unwrap().to_string())
        .collect()
}

async fn cluster_by_name(app: &TestApp, name: &str) -> Value {
    let (status, list) = app.get_json("/api/clusters").await;
    assert_eq!(status, 200);
    let id = list["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("{name} listed in {list}"))["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, c) = app.get_json(&format!("/api/clusters/{id}")).await;
    assert_eq!(status, 200, "{c}");
    c
}

#[tokio::test]
async fn every_auth_mode_serverless_and_kraft_come_through_the_sdk() {
    let mut kraft = Fake::provisioned("events", "us-east-1");
    kraft.zookeeper = false;
    kraft.kafka_version = "3.7.x.kraft".into();
    let fake = FakeMsk::start(FakeConfig {
        clusters: vec![
            Fake::provisioned("orders", "eu-west-1").with_every_auth_mode(),
            Fake::serverless("clicks", "eu-west-1"),
            kraft,
        ],
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    let app = TestApp::spawn(vec![aws_source(
        "prod",
        &fake.url(),
        &["eu-west-1", "us-east-1"],
    )])
    .await;
    let inv = app.refreshed(1).await;
    assert_eq!(inv.clusters.len(), 3, "{:?}", inv.sources);
    assert!(
        inv.sources.iter().all(|s| s.error.is_none()),
        "{:?}",
        inv.sources
    );

    let orders = cluster_by_name(&app, "orders").await;
    assert_eq!(
        listeners(&orders),
        [
            "plaintext",
            "tls",
            "sasl-scram",
            "sasl-iam",
            "public-tls",
            "public-sasl-scram",
            "public-sasl-iam",
            "vpc-tls",
            "vpc-sasl-scram",
            "vpc-sasl-iam",
            "ipv6-plaintext",
            "ipv6-tls",
            "ipv6-sasl-scram",
            "ipv6-sasl-iam"
        ]
    );
    // A dual-stack cluster's IPv6 strings, each on its documented port, every broker.
    for (mode, port) in [
        ("ipv6-plaintext", 20092),
        ("ipv6-tls", 20094),
        ("ipv6-sasl-scram", 20096),
        ("ipv6-sasl-iam", 20098),
    ] {
        let b = orders["bootstrap"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["listener"] == mode)
            .unwrap();
        let servers = b["servers"].as_str().unwrap();
        assert_eq!(servers.split(',').count(), 3, "{mode}: {servers}");
        assert!(
            servers.split(',').all(|s| s.ends_with(&format!(":{port}"))),
            "{mode}: {servers}"
        );
    }
    assert_eq!(orders["settings"]["network_type"], "DUAL");
    assert_eq!(orders["account"], "123456789012");
    assert_eq!(orders["source"], "prod");
    assert_eq!(orders["region"], "eu-west-1");
    assert_eq!(orders["kind"], "provisioned");
    assert_eq!(orders["metadata"], "zookeeper");
    assert_eq!(orders["kafka_version"], "3.6.0");
    assert_eq!(orders["broker_count"], 3);
    assert_eq!(orders["instance_type"], "kafka.m5.large");
    assert_eq!(orders["public_access"], true);
    assert_eq!(
        orders["auth"],
        serde_json::json!({"unauthenticated": true, "tls": false, "scram": true, "iam": true})
    );
    assert_eq!(orders["encryption"]["client_broker"], "TLS_PLAINTEXT");
    assert_eq!(
        orders["monitoring"],
        serde_json::json!({"jmx_exporter": true, "node_exporter": true})
    );
    assert!(orders["zookeeper"].as_str().unwrap().ends_with(":2181"));
    assert!(orders["zookeeper_tls"].as_str().unwrap().ends_with(":2182"));
    assert_eq!(orders["created"], "2024-03-18T06:41:12.554Z");
    let brokers = orders["brokers"].as_array().unwrap();
    assert_eq!(
        brokers
            .iter()
            .map(|b| b["id"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert!(brokers[0]["endpoints"][0]
        .as_str()
        .unwrap()
        .starts_with("b-1.orders."));
    let public = orders["bootstrap"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["listener"] == "public-sasl-iam")
        .unwrap();
    assert!(
        public["servers"]
            .as_str()
            .unwrap()
            .contains("b-1-public.orders."),
        "{public}"
    );
    assert!(public["servers"].as_str().unwrap().ends_with(":9198"));

    let clicks = cluster_by_name(&app, "clicks").await;
    assert_eq!(clicks["kind"], "serverless");
    assert_eq!(listeners(&clicks), ["sasl-iam"]);
    assert!(clicks["bootstrap"][0]["servers"]
        .as_str()
        .unwrap()
        .contains("kafka-serverless.eu-west-1"));
    assert_eq!(clicks["brokers"], serde_json::json!([]));
    assert_eq!(clicks["auth"]["iam"], true);
    assert_eq!(clicks["metadata"], "managed");

    let events = cluster_by_name(&app, "events").await;
    assert_eq!(events["metadata"], "kraft");
    assert_eq!(events["zookeeper"], Value::Null);
    assert_eq!(events["region"], "us-east-1");
}

#[tokio::test]
async fn listings_and_nodes_are_paginated() {
    let mut clusters: Vec<Fake> = (0..7)
        .map(|i| Fake::provisioned(&format!("c{i}"), "eu-west-1"))
        .collect();
    clusters[0] = clusters[0].clone().with_brokers(9);
    let fake = FakeMsk::start(FakeConfig {
        clusters,
        page_size: 2,
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    let app = TestApp::spawn(vec![aws_source("prod", &fake.url(), &["eu-west-1"])]).await;
    let inv = app.refreshed(1).await;
    assert_eq!(inv.clusters.len(), 7);
    let c0 = inv.clusters.iter().find(|c| c.name == "c0").unwrap();
    assert_eq!(
        c0.brokers.iter().map(|b| b.id).collect::<Vec<_>>(),
        (1..=9).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn a_denied_region_shows_its_error_and_the_other_region_still_works() {
    let fake = FakeMsk::start(FakeConfig {
        clusters: vec![
            Fake::provisioned("a", "eu-west-1"),
            Fake::provisioned("b", "us-east-1"),
        ],
        failures: HashMap::from([(("us-east-1".to_string(), Op::ListClusters), 403)]),
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    let app = TestApp::spawn(vec![aws_source(
        "prod",
        &fake.url(),
        &["eu-west-1", "us-east-1"],
    )])
    .await;
    let inv = app.refreshed(1).await;
    assert_eq!(
        inv.clusters
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        ["a"]
    );
    let denied = inv
        .sources
        .iter()
        .find(|s| s.region == "us-east-1")
        .unwrap();
    let err = denied.error.as_ref().expect("error recorded");
    assert_eq!(err.kind, "access-denied");
    assert!(
        err.message.contains("ForbiddenException"),
        "{}",
        err.message
    );
    assert!(err.hint.contains("kafka:ListClustersV2"), "{}", err.hint);

    // The page shows the banner, with a 200.
    let page = app.get("/").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Access denied in us-east-1"),
        "banner missing"
    );
    // /metrics counts the calls by outcome, and the failing region.
    let m = app.get("/metrics").await.text().await.unwrap();
    let calls = |outcome: &str| {
        metric(
            &m,
            &format!("msk_console_aws_calls_total{{service=\"kafka\",operation=\"ListClustersV2\",outcome=\"{outcome}\"}}"),
        )
    };
    assert_eq!(calls("denied"), Some(1.0), "{m}");
    assert_eq!(calls("ok"), Some(1.0), "{m}");
    assert_eq!(
        metric(
            &m,
            "msk_console_source_up{source=\"prod\",region=\"us-east-1\"}"
        ),
        Some(0.0),
        "{m}"
    );
    assert_eq!(
        metric(&m, "msk_console_source_errors_total{source=\"prod\"}"),
        Some(1.0),
        "{m}"
    );
}

/// The value of the sample whose name and labels are `series`, in an exposition.
fn metric(exposition: &str, series: &str) -> Option<f64> {
    exposition
        .lines()
        .find_map(|l| l.strip_prefix(series)?.trim().parse().ok())
}

#[tokio::test]
async fn server_errors_and_throttling_without_retries_are_explained() {
    let fake = FakeMsk::start(FakeConfig {
        clusters: vec![Fake::provisioned("a", "eu-west-1")],
        failures: HashMap::from([
            (("eu-west-1".to_string(), Op::ListClusters), 500),
            (("us-east-1".to_string(), Op::ListClusters), 429),
        ]),
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    let app = TestApp::spawn(vec![aws_source(
        "prod",
        &fake.url(),
        &["eu-west-1", "us-east-1"],
    )])
    .await;
    let inv = app.refreshed(1).await;
    let kind = |r: &str| {
        inv.sources
            .iter()
            .find(|s| s.region == r)
            .unwrap()
            .error
            .clone()
            .unwrap()
            .kind
    };
    assert_eq!(kind("eu-west-1"), "aws-error");
    assert_eq!(kind("us-east-1"), "throttled");
    let m = app.get("/metrics").await.text().await.unwrap();
    for outcome in ["error", "throttled"] {
        let series = format!("msk_console_aws_calls_total{{service=\"kafka\",operation=\"ListClustersV2\",outcome=\"{outcome}\"}}");
        assert!(
            metric(&m, &series).is_some_and(|n| n >= 1.0),
            "{series}: {m}"
        );
    }
}

#[tokio::test]
async fn throttling_is_retried_when_retries_are_on() {
    let fake = FakeMsk::start(FakeConfig {
        clusters: vec![Fake::provisioned("a", "eu-west-1")],
        transient: HashMap::from([(("eu-west-1".to_string(), Op::ListClusters), (429, 2))]),
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    let app = TestApp::spawn_with(vec![aws_source("prod", &fake.url(), &["eu-west-1"])], |c| {
        c.aws_max_attempts = 3;
    })
    .await;
    let inv = app.refreshed(1).await;
    assert!(inv.sources[0].error.is_none(), "{:?}", inv.sources[0].error);
    assert_eq!(inv.clusters.len(), 1);
    // ListClustersV2 three times (throttled twice, then answered), then the cluster's
    // bootstrap brokers, nodes and recent operations once each.
    assert_eq!(fake.calls(), 3 + 3);
    // Every attempt counts, by what AWS answered.
    let m = app.get("/metrics").await.text().await.unwrap();
    let calls = |op: &str, outcome: &str| {
        metric(
            &m,
            &format!("msk_console_aws_calls_total{{service=\"kafka\",operation=\"{op}\",outcome=\"{outcome}\"}}"),
        )
    };
    assert_eq!(calls("ListClustersV2", "throttled"), Some(2.0), "{m}");
    assert_eq!(calls("ListClustersV2", "ok"), Some(1.0), "{m}");
    assert_eq!(calls("ListNodes", "ok"), Some(1.0), "{m}");
}

#[tokio::test]
async fn a_failed_per_cluster_call_keeps_the_cluster_with_a_note() {
    let fake = FakeMsk::start(FakeConfig {
        clusters: vec![Fake::provisioned("a", "eu-west-1")],
        failures: HashMap::from([(("eu-west-1".to_string(), Op::Bootstrap), 404)]),
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    let app = TestApp::spawn(vec![aws_source("prod", &fake.url(), &["eu-west-1"])]).await;
    let inv = app.refreshed(1).await;
    let c = &inv.clusters[0];
    assert!(c.bootstrap.is_empty());
    assert_eq!(c.brokers.len(), 3);
    assert!(c
        .partial_error
        .as_deref()
        .unwrap()
        .contains("GetBootstrapBrokers failed: NotFoundException"));
}

#[tokio::test]
async fn a_failing_refresh_keeps_the_last_good_clusters_and_a_restart_shows_them() {
    let fake = FakeMsk::start(FakeConfig {
        clusters: vec![Fake::provisioned("a", "eu-west-1")],
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    let mut app = TestApp::spawn(vec![aws_source("prod", &fake.url(), &["eu-west-1"])]).await;
    app.refreshed(1).await;
    fake.update(|c| {
        c.failures
            .insert(("eu-west-1".into(), Op::ListClusters), 500);
    });
    let r = app
        .client
        .post(format!("{}/sfn/refresh", app.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body("")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    let inv = app.refreshed(2).await;
    assert_eq!(inv.clusters.len(), 1, "last good data kept");
    let error = inv.sources[0].error.as_ref().expect("the failure is shown");
    assert_eq!(error.kind, "aws-error", "{error:?}");
    assert!(error.message.contains("ListClustersV2"), "{error:?}");
    assert!(inv.sources[0].last_ok.is_some());

    // Restart on the same database with AWS unreachable: the cache shows the cluster at once.
    app.stop();
    let dir = std::mem::replace(&mut app.db_dir, tempfile::tempdir().unwrap());
    let config = support::test_config(dir.path());
    let app2 = TestApp::spawn_in(
        dir,
        config,
        vec![aws_source("prod", "http://127.0.0.1:9", &["eu-west-1"])],
    )
    .await;
    let inv = app2.inventory.subscribe().borrow().clone();
    assert_eq!(inv.clusters.len(), 1, "cached before the first refresh");
    // The first refresh fails: the cached cluster stays, with the new reason. (Waiting
    // for the reason, not a refresh count: on PostgreSQL the count goes on from the last
    // leader's.)
    let inv = app2
        .inventory_when("the failed refresh's reason on its source", |i| {
            i.sources
                .first()
                .and_then(|s| s.error.as_ref())
                .is_some_and(|e| e.kind == "unreachable")
        })
        .await;
    assert_eq!(inv.clusters.len(), 1);
}

#[tokio::test]
async fn unknown_and_malformed_ids_are_404s_with_reasons() {
    let fake = FakeMsk::start(FakeConfig::default()).await.unwrap();
    let app = TestApp::spawn(vec![aws_source("prod", &fake.url(), &["eu-west-1"])]).await;
    app.refreshed(1).await;
    let (status, body) = app.get_json("/api/clusters/orders-0123456789").await;
    assert_eq!(status, 404);
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("No cluster with id"));
    let (status, body) = app.get_json("/api/clusters/not%20an%20id%3Cx%3E").await;
    assert_eq!(status, 404);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("is not a cluster id"),
        "{body}"
    );
    // Encoded slashes and dots never reach a route: refused at the edge (tests/deny.rs).
    let (status, body) = app.get_json("/api/clusters/..%2F..%2Fetc").await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("encoded"),
        "{body}"
    );
    let page = app.get("/clusters/NOT-AN-ID").await;
    assert_eq!(page.status(), 404);
    assert!(page.text().await.unwrap().contains("is not a cluster id"));
    let (status, _) = app.get_json("/api/nope").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn two_accounts_share_one_endpoint_by_access_key() {
    let mut other = Fake::provisioned("theirs", "eu-west-1");
    other.access_key = Some("AKIDOTHER".into());
    other.account = "999999999999".into();
    let fake = FakeMsk::start(FakeConfig {
        clusters: vec![Fake::provisioned("ours", "eu-west-1"), other],
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    // The harness signs as AKIDTEST, so only the unrestricted cluster is visible.
    let app = TestApp::spawn(vec![aws_source("prod", &fake.url(), &["eu-west-1"])]).await;
    let inv = app.refreshed(1).await;
    assert_eq!(
        inv.clusters
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        ["ours"]
    );
}

#[tokio::test]
async fn server_functions_answer_bad_input_with_4xx_not_500() {
    let app = TestApp::spawn(vec![]).await;
    app.refreshed(1).await;
    let post = |path: &'static str, ct: &'static str, body: &'static str| {
        app.client
            .post(format!("{}{path}", app.url))
            .header("content-type", ct)
            .body(body)
            .send()
    };
    let r = post("/sfn/preview", "application/json", "{garbage")
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("could not be read"));
    let r = post(
        "/sfn/cluster",
        "application/x-www-form-urlencoded",
        "id=nope-0000000000",
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 404);
    let r = post("/sfn/cluster", "application/x-www-form-urlencoded", "")
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = post("/sfn/overview", "application/x-www-form-urlencoded", "")
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let overview: Value = r.json().await.unwrap();
    assert_eq!(overview["clusters"], serde_json::json!([]), "{overview}");
    assert_eq!(overview["sample"], false);
    assert!(
        overview["refresh"]["generation"].as_u64().unwrap() >= 1,
        "{overview}"
    );
}

#[tokio::test]
async fn details_missing_from_the_listing_come_from_describe_cluster() {
    let fake = FakeMsk::start(FakeConfig {
        clusters: vec![
            Fake::provisioned("a", "eu-west-1"),
            Fake::serverless("s", "eu-west-1"),
        ],
        list_without_details: true,
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    let app = TestApp::spawn(vec![aws_source("prod", &fake.url(), &["eu-west-1"])]).await;
    let inv = app.refreshed(1).await;
    let a = inv.clusters.iter().find(|c| c.name == "a").unwrap();
    assert_eq!(a.kafka_version.as_deref(), Some("3.6.0"));
    assert_eq!(a.broker_count, Some(3));
    assert!(a.monitoring.jmx_exporter && a.auth.iam);
    let s = inv.clusters.iter().find(|c| c.name == "s").unwrap();
    assert!(s.auth.iam);
    // One list, then per cluster a describe and a bootstrap, and for the provisioned one
    // its nodes and its recent operations.
    assert_eq!(fake.calls(), 1 + 2 + 2 + 1 + 1);
}

#[tokio::test]
async fn a_call_that_outlives_the_timeout_is_reported_as_a_timeout() {
    let fake = FakeMsk::start(FakeConfig {
        clusters: vec![Fake::provisioned("a", "eu-west-1")],
        latency: std::time::Duration::from_secs(3),
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    let app = TestApp::spawn_with(vec![aws_source("prod", &fake.url(), &["eu-west-1"])], |c| {
        c.aws_timeout = std::time::Duration::from_millis(500);
    })
    .await;
    let inv = app.refreshed(1).await;
    let err = inv.sources[0].error.as_ref().expect("an error");
    assert_eq!(err.kind, "timeout", "{err:?}");
    assert!(err.hint.contains("--aws-timeout"));
}
