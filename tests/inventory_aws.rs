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
    // bootstrap brokers, nodes and recent operations once each, and the region's VPC
    // connections, replicators and connectors.
    assert_eq!(fake.calls(), 3 + 3 + 3);
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
    // its nodes and its recent operations; the region's VPC connections, replicators and
    // connectors.
    assert_eq!(fake.calls(), 1 + 2 + 2 + 1 + 1 + 3);
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

/// The calls of each kind the fake answered since `before`.
fn calls_since(fake: &FakeMsk, before: &HashMap<Op, usize>) -> HashMap<Op, usize> {
    fake.calls_by_op()
        .into_iter()
        .map(|(op, n)| (op, n - before.get(&op).copied().unwrap_or(0)))
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// A steady refresh lists the clusters and nothing else; a cluster whose CurrentVersion
/// changed is asked again, alone; what the listing carries (tags, state) is current
/// without any other call; "Refresh now" asks everything again except a configuration
/// revision, which is read once ever, a restart included.
#[tokio::test]
async fn a_refresh_costs_what_changed() {
    let config_arn = "arn:aws:kafka:eu-west-1:123456789012:configuration/base/1";
    let mut clusters: Vec<Fake> = ["a", "b", "c"]
        .into_iter()
        .map(|n| Fake::provisioned(n, "eu-west-1"))
        .collect();
    clusters[0].scram = true;
    clusters[0].scram_secrets =
        vec!["arn:aws:secretsmanager:eu-west-1:1:secret:AmazonMSK_a".into()];
    clusters[0].configuration = Some((config_arn.into(), 1, "log.retention.hours=24\n".into()));
    let fake = FakeMsk::start(FakeConfig {
        clusters,
        // Two pages of clusters.
        page_size: 2,
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    let mut app = TestApp::spawn(vec![aws_source("prod", &fake.url(), &["eu-west-1"])]).await;
    app.refreshed(1).await;
    let first = fake.calls_by_op();
    assert_eq!(first.get(&Op::ListClusters), Some(&2), "{first:?}");
    assert_eq!(first.get(&Op::Bootstrap), Some(&3), "{first:?}");
    assert_eq!(first.get(&Op::DescribeConfigurationRevision), Some(&1));

    // Nothing changed: one call per page of clusters.
    let before = fake.calls_by_op();
    app.inventory.refresh().await;
    let steady = calls_since(&fake, &before);
    assert_eq!(
        steady,
        HashMap::from([(Op::ListClusters, 2)]),
        "steady state"
    );
    let inv = app.inventory.inventory();
    assert_eq!(inv.clusters.len(), 3);
    let a = inv.clusters.iter().find(|c| c.name == "a").unwrap();
    assert_eq!(a.scram_secrets.len(), 1, "details kept: {a:?}");
    assert!(a.settings.server_properties.is_some());
    assert_eq!(a.bootstrap.len(), 3, "{:?}", a.bootstrap);

    // A broker added to b: b alone is asked again. A tag and a state on c need no call.
    fake.update(|c| {
        c.clusters[1] = c.clusters[1].clone().with_brokers(4);
        c.clusters[2].tags = vec![("team".into(), "ledger".into())];
        c.clusters[2].state = "MAINTENANCE".into();
    });
    let before = fake.calls_by_op();
    app.inventory.refresh().await;
    let changed = calls_since(&fake, &before);
    assert_eq!(
        changed,
        HashMap::from([
            (Op::ListClusters, 2),
            (Op::Bootstrap, 1),
            // Four brokers on pages of two.
            (Op::ListNodes, 2),
            (Op::ListClusterOperations, 1),
        ]),
        "one changed cluster"
    );
    let inv = app.inventory.inventory();
    let b = inv.clusters.iter().find(|c| c.name == "b").unwrap();
    assert_eq!(b.brokers.len(), 4);
    let c = inv.clusters.iter().find(|c| c.name == "c").unwrap();
    assert_eq!(c.tags.get("team").map(String::as_str), Some("ledger"));
    assert_eq!(c.state.to_string(), "MAINTENANCE");

    // A SCRAM secret associated is not an update of the cluster: a full refresh ("Refresh
    // now") finds it, and asks no configuration revision again.
    fake.update(|c| {
        c.clusters[0]
            .scram_secrets
            .push("arn:aws:secretsmanager:eu-west-1:1:secret:AmazonMSK_b".into())
    });
    let before = fake.calls_by_op();
    app.inventory.request_refresh();
    let inv = app
        .inventory_when("the full refresh to see the second secret", |i| {
            i.clusters
                .iter()
                .any(|c| c.name == "a" && c.scram_secrets.len() == 2)
        })
        .await;
    assert_eq!(inv.clusters.len(), 3);
    let full = calls_since(&fake, &before);
    assert_eq!(full.get(&Op::Bootstrap), Some(&3), "{full:?}");
    assert_eq!(full.get(&Op::ListScramSecrets), Some(&1), "{full:?}");
    assert_eq!(
        full.get(&Op::DescribeConfigurationRevision),
        None,
        "{full:?}"
    );

    // A restart starts with a full refresh, but the revision comes from the database.
    app.stop();
    let dir = std::mem::replace(&mut app.db_dir, tempfile::tempdir().unwrap());
    let config = support::test_config(dir.path());
    let before = fake.calls_by_op();
    let app2 = TestApp::spawn_in(
        dir,
        config,
        vec![aws_source("prod", &fake.url(), &["eu-west-1"])],
    )
    .await;
    // Waiting for the calls and the end of the refresh, not a refresh count: on
    // PostgreSQL the count goes on from the last leader's view.
    let restarted = support::eventually(
        "the restarted console's first refresh (a full one)",
        support::PATIENCE,
        || async {
            let calls = calls_since(&fake, &before);
            let running = app2.inventory.inventory().refresh.running;
            support::when(
                calls.get(&Op::Bootstrap) == Some(&3)
                    && calls.get(&Op::ListClusterOperations) == Some(&3)
                    && !running,
                calls.clone(),
            )
            .map_err(|_| format!("{calls:?}, running {running}"))
        },
    )
    .await;
    let inv = app2.inventory.inventory();
    let a = inv.clusters.iter().find(|c| c.name == "a").unwrap();
    assert_eq!(
        a.settings.server_properties.as_deref(),
        Some("log.retention.hours=24\n")
    );
    assert_eq!(
        restarted.get(&Op::DescribeConfigurationRevision),
        None,
        "{restarted:?}"
    );
}

/// Multi-VPC connections (both sides), an MSK Replicator flow across regions and MSK
/// Connect connectors come through the real SDKs: on the API, on both clusters' pages and
/// list rows, a failed connector as a warning, hostile names escaped, a change recorded,
/// read again only on full refreshes, and each denied permission named in a note.
#[tokio::test]
async fn connections_replicators_and_connectors() {
    let evil = "<script>alert(1)</script>\r\nx\u{2028}y";
    let mut orders = Fake::provisioned("orders", "eu-west-1");
    orders.vpc_connectivity = true;
    let dr = Fake::provisioned("orders-dr", "us-east-1");
    let (orders_arn, dr_arn) = (orders.arn(), dr.arn());
    let b1 = orders.broker_hosts[0].clone();
    let vpc_arn = format!(
        "arn:aws:kafka:eu-west-1:123456789012:vpc-connection/123456789012/orders/{}",
        "0c9f1a2b-1"
    );
    let fake = FakeMsk::start(FakeConfig {
        clusters: vec![orders, dr],
        vpc_connections: vec![
            fake_msk::VpcConnection {
                region: "eu-west-1".into(),
                arn: vpc_arn.clone(),
                target_cluster_arn: orders_arn.clone(),
                owner: "210987654321".into(),
                vpc_id: "vpc-0abc".into(),
                authentication: "SASL_IAM".into(),
                state: "AVAILABLE".into(),
            },
            // Hostile strings in every field a connection brings.
            fake_msk::VpcConnection {
                region: "eu-west-1".into(),
                arn: format!("{vpc_arn}-{evil}"),
                target_cluster_arn: orders_arn.clone(),
                owner: evil.into(),
                vpc_id: evil.into(),
                authentication: evil.into(),
                state: evil.into(),
            },
        ],
        replicators: vec![fake_msk::Replicator {
            region: "us-east-1".into(),
            name: "orders-to-dr".into(),
            source_arn: orders_arn.clone(),
            target_arn: dr_arn.clone(),
            state: "RUNNING".into(),
            state_info: None,
            topics: vec!["orders.*".into(), evil.into()],
            topics_excluded: vec![".*internal".into()],
            groups: vec![".*".into()],
            groups_excluded: vec![],
        }],
        connectors: vec![
            fake_msk::Connector {
                region: "eu-west-1".into(),
                name: "s3-sink".into(),
                bootstrap_servers: format!("{b1}:9098"),
                state: "RUNNING".into(),
                state_info: None,
                workers: 2,
                mcu: 1,
                plugins: vec![(
                    "arn:aws:kafkaconnect:eu-west-1:1:custom-plugin/s3/1".into(),
                    3,
                )],
                authentication: "IAM".into(),
            },
            fake_msk::Connector {
                region: "eu-west-1".into(),
                name: format!("db-{evil}"),
                bootstrap_servers: format!("{}:9098", b1.to_uppercase()),
                state: "FAILED".into(),
                state_info: Some((
                    "InvalidInput.InvalidConnectorConfiguration".into(),
                    evil.into(),
                )),
                workers: 1,
                mcu: 1,
                plugins: vec![],
                authentication: "IAM".into(),
            },
            fake_msk::Connector {
                region: "eu-west-1".into(),
                name: "elsewhere".into(),
                bootstrap_servers: "b-1.other.x.c2.kafka.eu-west-1.amazonaws.com:9098".into(),
                state: "RUNNING".into(),
                state_info: None,
                workers: 1,
                mcu: 1,
                plugins: vec![],
                authentication: "NONE".into(),
            },
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
    app.refreshed(1).await;
    app.recorded(1).await;

    let o = cluster_by_name(&app, "orders").await;
    let links = &o["links"];
    assert_eq!(links["vpc_connections"].as_array().unwrap().len(), 2);
    let vpc = &links["vpc_connections"][0];
    assert_eq!(vpc["arn"], vpc_arn.as_str());
    assert_eq!(vpc["account"], "210987654321", "owner side: {vpc}");
    assert_eq!(vpc["vpc_id"], "vpc-0abc", "client side: {vpc}");
    assert_eq!(vpc["authentication"], "SASL_IAM");
    assert_eq!(vpc["state"], "AVAILABLE");
    let flow = &links["replications"][0];
    assert_eq!(flow["direction"], "to", "{flow}");
    assert_eq!(flow["peer_arn"], dr_arn.as_str());
    assert_eq!(flow["topics_excluded"][0], ".*internal");
    let names: Vec<&str> = links["connectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names.len(),
        2,
        "matched by bootstrap host, any case: {names:?}"
    );
    assert!(names.contains(&"s3-sink"));
    let s3 = links["connectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "s3-sink")
        .unwrap();
    assert_eq!(s3["capacity"], "2 workers × 1 MCU");
    assert_eq!(
        s3["plugins"][0],
        "arn:aws:kafkaconnect:eu-west-1:1:custom-plugin/s3/1 rev 3"
    );

    // The target's side, listed in the other region: the same flow, mirrored.
    let d = cluster_by_name(&app, "orders-dr").await;
    let back = &d["links"]["replications"][0];
    assert_eq!(back["direction"], "from", "{back}");
    assert_eq!(back["peer_arn"], orders_arn.as_str());
    assert!(d["links"]["connectors"].is_null(), "{d}");

    // List rows: the flow in brief; the failed connector a warning.
    let (_, list) = app.get_json("/api/clusters").await;
    let row = |name: &str| {
        list["clusters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(row("orders")["replicates"][0], "→ orders-dr");
    assert_eq!(row("orders-dr")["replicates"][0], "← orders");
    assert_eq!(row("orders")["health"], "warning", "{}", row("orders"));
    assert!(row("orders")["health_reason"]
        .as_str()
        .unwrap()
        .starts_with("MSK Connect connector db-"));
    let home = app.page("/").await;
    assert!(home.contains("→ orders-dr"), "the list shows the flow");

    // Pages escape what AWS sent, and keep one line per value.
    let id = o["id"].as_str().unwrap().to_string();
    let page = app.page(&format!("/clusters/{id}")).await;
    assert!(page.contains(r#"<section id="links">"#));
    assert!(!page.contains("<script>alert"), "unescaped HTML");
    assert!(page.contains("&lt;script&gt;alert(1)"));
    assert!(page.contains("ReplicationLatency, MessageLag with ReplicatorName=orders-to-dr"));

    // A steady refresh reads none of it again; a connector that recovers is seen by the
    // next full refresh and recorded.
    let before = fake.calls_by_op();
    app.inventory.refresh().await;
    let steady = calls_since(&fake, &before);
    assert_eq!(
        steady,
        HashMap::from([(Op::ListClusters, 2)]),
        "steady state"
    );
    fake.update(|c| {
        c.connectors[1].state = "RUNNING".into();
        c.connectors[1].state_info = None;
    });
    app.inventory.request_refresh();
    app.inventory_when("the full refresh to see the connector running", |i| {
        i.clusters
            .iter()
            .any(|c| c.name == "orders" && c.links.connectors.iter().all(|k| k.state == "RUNNING"))
    })
    .await;
    let (_, changes) = support::eventually(
        "the connector's recovery in the history",
        support::PATIENCE,
        || async {
            let (s, c) = app.get_json("/api/changes?kind=links").await;
            let n = c["entries"].as_array().map_or(0, |e| e.len());
            support::when(n >= 1, (s, c.clone())).map_err(|_| c)
        },
    )
    .await;
    assert!(
        changes.to_string().contains("FAILED"),
        "the diff says what it was: {changes}"
    );

    // Without the permissions: a note per missing action, and the clusters still listed.
    fake.update(|c| {
        for op in [
            Op::ListReplicators,
            Op::ListConnectors,
            Op::ListVpcConnections,
            Op::ListClientVpcConnections,
        ] {
            c.failures.insert(("*".into(), op), 403);
        }
    });
    app.inventory.request_refresh();
    let inv = app
        .inventory_when("notes for the denied calls", |i| {
            i.clusters.iter().any(|c| {
                c.name == "orders"
                    && c.notes
                        .iter()
                        .any(|n| n.contains("kafkaconnect:ListConnectors"))
            })
        })
        .await;
    let orders = inv.clusters.iter().find(|c| c.name == "orders").unwrap();
    for action in [
        "kafka:ListReplicators",
        "kafkaconnect:ListConnectors",
        "kafka:ListVpcConnections",
        "kafka:ListClientVpcConnections",
    ] {
        assert!(
            orders.notes.iter().any(|n| n.contains(action)),
            "{action}: {:?} {:?} {:?}",
            orders.notes,
            fake.calls_by_op(),
            orders.links
        );
    }
    assert_eq!(inv.clusters.len(), 2);
    assert!(inv.sources.iter().all(|s| s.error.is_none()));
}
