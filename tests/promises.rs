//! What the README promises, each checked on the running console: AWS call concurrency,
//! several accounts through an assumed role, /healthz when the database is gone, ARNs in
//! URLs, the error JSON, --public-url, --ca-bundle, --probe-body-limit,
//! --request-timeout, the librdkafka and truststore downloads, sample data that is never
//! probed, and pruning once at start.

use crate::support;

use std::collections::HashMap;
use std::time::Duration;

use axum::routing::get;
use fake_msk::{Cluster as Fake, Config as FakeConfig, FakeMsk};
use msk_console::inventory::sources::{AwsSource, Source};
use serde_json::Value;
use support::tools::{run, text};
use support::{aws_source, TestApp};

#[tokio::test]
async fn aws_calls_in_flight_stay_within_the_concurrency_per_region() {
    let clusters = (0..12)
        .map(|i| Fake::provisioned(&format!("c{i:02}"), "eu-west-1"))
        .chain((0..12).map(|i| Fake::provisioned(&format!("d{i:02}"), "us-east-1")))
        .collect();
    let fake = FakeMsk::start(FakeConfig {
        clusters,
        latency: Duration::from_millis(30),
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    let app = TestApp::spawn_with(vec![aws_source("prod", &fake.url(), &["eu-west-1"])], |c| {
        c.aws_concurrency = 3
    })
    .await;
    let inv = app.refreshed(1).await;
    assert_eq!(inv.clusters.len(), 12);
    // Used to the full, never beyond.
    assert_eq!(fake.max_in_flight(), 3, "one region, --aws-concurrency 3");

    // Two regions: the bound is per region.
    let fake = FakeMsk::start(FakeConfig {
        clusters: fake_clusters_of_two_regions(),
        latency: Duration::from_millis(30),
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    let app = TestApp::spawn_with(
        vec![aws_source("prod", &fake.url(), &["eu-west-1", "us-east-1"])],
        |c| c.aws_concurrency = 3,
    )
    .await;
    assert_eq!(app.refreshed(1).await.clusters.len(), 24);
    let seen = fake.max_in_flight();
    assert!(
        (4..=6).contains(&seen),
        "two regions of 3: {seen} in flight"
    );
}

fn fake_clusters_of_two_regions() -> Vec<Fake> {
    (0..12)
        .map(|i| Fake::provisioned(&format!("c{i:02}"), "eu-west-1"))
        .chain((0..12).map(|i| Fake::provisioned(&format!("d{i:02}"), "us-east-1")))
        .collect()
}

#[tokio::test]
async fn several_accounts_are_listed_together_through_an_assumed_role() {
    let role = "arn:aws:iam::210987654321:role/msk-console-reader";
    let ours = Fake {
        access_key: Some("AKIDTEST".into()),
        ..Fake::provisioned("ours", "eu-west-1")
    };
    let theirs = Fake {
        access_key: Some("ASIAPARTNER".into()),
        account: "210987654321".into(),
        ..Fake::provisioned("theirs", "eu-west-1")
    };
    let fake = FakeMsk::start(FakeConfig {
        clusters: vec![ours, theirs],
        roles: HashMap::from([(role.to_string(), "ASIAPARTNER".to_string())]),
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    let partner = Source::Aws(AwsSource {
        name: "partner".into(),
        profile: None,
        role_arn: Some(role.into()),
        regions: vec!["eu-west-1".into()],
        endpoint_url: Some(fake.url()),
        cloudwatch_endpoint_url: None,
    });
    let app = TestApp::spawn(vec![
        aws_source("own", &fake.url(), &["eu-west-1"]),
        partner,
    ])
    .await;
    let inv = app.refreshed(1).await;
    let listed: Vec<(&str, &str, Option<&str>)> = inv
        .clusters
        .iter()
        .map(|c| (c.source.as_str(), c.name.as_str(), c.account.as_deref()))
        .collect();
    assert_eq!(
        listed,
        [
            ("own", "ours", Some("123456789012")),
            ("partner", "theirs", Some("210987654321"))
        ],
        "{:?}",
        inv.sources
    );
    let sources: Vec<(&str, Option<&str>)> = inv
        .sources
        .iter()
        .map(|s| (s.source.as_str(), s.account.as_deref()))
        .collect();
    assert_eq!(
        sources,
        [
            ("own", Some("123456789012")),
            ("partner", Some("210987654321"))
        ]
    );
    let mut assumed = Vec::new();
    fake.update(|c| assumed = c.assumed.clone());
    assert!(
        assumed.iter().all(|r| r == role) && !assumed.is_empty(),
        "{assumed:?}"
    );
}

#[tokio::test]
async fn healthz_is_503_when_the_database_is_gone() {
    let app = TestApp::spawn(vec![]).await;
    let (status, h) = app.get_json("/healthz").await;
    assert_eq!((status, h["database"].as_str()), (200, Some("ok")));
    app.pool.close().await;
    let (status, h) = app.get_json("/healthz").await;
    assert_eq!(status, 503, "{h}");
    assert_eq!(h["status"], "degraded");
    assert_eq!(h["database"], "unreachable");
}

/// An inventory file with one cluster whose brokers are loopback addresses.
fn lab_inventory(dir: &std::path::Path, exporter_host: &str) -> std::path::PathBuf {
    let file = dir.join("lab.toml");
    std::fs::write(
        &file,
        format!(
            "source = \"lab\"\n\n[[cluster]]\nname = \"orders\"\nregion = \"eu-west-1\"\n\
             arn = \"arn:aws:kafka:eu-west-1:123456789012:cluster/orders/abc-1\"\n\
             kind = \"provisioned\"\nauth = {{ tls = true }}\n\
             monitoring = {{ jmx_exporter = true, node_exporter = false }}\n\
             bootstrap = {{ tls = \"{exporter_host}:9094\" }}\n\
             brokers = [ {{ id = 1, endpoints = [\"{exporter_host}\"] }} ]\n"
        ),
    )
    .unwrap();
    file
}

#[tokio::test]
async fn arns_in_urls_errors_as_json_public_url_and_the_client_downloads() {
    let dir = tempfile::tempdir().unwrap();
    let app = TestApp::spawn_with(
        vec![Source::File(lab_inventory(dir.path(), "127.0.0.1"))],
        |c| c.public_url = Some("https://console.example/msk/".into()),
    )
    .await;
    let inv = app.refreshed(1).await;
    let c = &inv.clusters[0];

    // The percent-encoded ARN names the cluster as its id does.
    let arn = serde_urlencoded::to_string([("", c.arn.as_str())]).unwrap();
    let (status, by_arn) = app
        .get_json(&format!("/api/clusters/{}", arn.trim_start_matches('=')))
        .await;
    assert_eq!(status, 200, "{by_arn}");
    assert_eq!(by_arn["id"], c.id.as_str());

    // Errors are JSON with their status and kind.
    let (status, e) = app.get_json("/api/clusters/nope-0000000000").await;
    assert_eq!(status, 404);
    assert_eq!(e["error"]["status"], 404);
    assert_eq!(e["error"]["kind"], "not_found");
    let (status, e) = app.get_json("/api/changes?limit=x").await;
    assert_eq!(status, 400);
    assert_eq!(
        (e["error"]["status"].as_u64(), e["error"]["kind"].as_str()),
        (Some(400), Some("bad_request"))
    );

    // --public-url is where the http_sd config sends Prometheus.
    let yml = app
        .get(&format!("/clusters/{}/prometheus.yml?sd=http", c.id))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        yml.contains(&format!(
            "\"https://console.example/msk/sd/targets?cluster={}\"",
            c.id
        )),
        "{yml}"
    );

    // librdkafka over HTTP, and the truststore choices of client.properties.
    let r = app
        .get(&format!(
            "/clusters/{}/librdkafka.properties?mode=tls",
            c.id
        ))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-disposition"],
        "attachment; filename=\"orders-tls-librdkafka.properties\""
    );
    let body = r.text().await.unwrap();
    assert!(body.contains("\nbootstrap.servers=127.0.0.1:9094\nsecurity.protocol=ssl\nssl.ca.location=/etc/ssl/certs/ca-certificates.crt\n"), "{body}");
    let props = |truststore: &'static str| {
        let app = &app;
        let id = c.id.clone();
        async move {
            app.get(&format!(
                "/clusters/{id}/client.properties?mode=tls&truststore={truststore}"
            ))
            .await
            .text()
            .await
            .unwrap()
        }
    };
    let jks = props("jks").await;
    assert!(
        jks.contains("\nssl.truststore.location=/tmp/kafka.client.truststore.jks\n"),
        "{jks}"
    );
    assert!(!jks.contains("ssl.truststore.type"), "{jks}");
    let none = props("none").await;
    assert!(!none.contains("ssl.truststore"), "{none}");
    let r = app
        .get(&format!(
            "/clusters/{}/client.properties?mode=tls&truststore=pem",
            c.id
        ))
        .await;
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn the_truststore_is_built_from_the_ca_bundle_given() {
    let dir = tempfile::tempdir().unwrap();
    let (key, cert) = (dir.path().join("ca.key"), dir.path().join("ca.pem"));
    let o = run(
        "openssl",
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=msk-console test CA",
            "-keyout",
            key.to_str().unwrap(),
            "-out",
            cert.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let app = TestApp::spawn_with(
        vec![Source::File(lab_inventory(dir.path(), "127.0.0.1"))],
        |c| c.ca_bundle = Some(cert.clone()),
    )
    .await;
    let inv = app.refreshed(1).await;
    let r = app
        .get(&format!(
            "/clusters/{}/truststore.p12?password=s3cret",
            inv.clusters[0].id
        ))
        .await;
    assert_eq!(r.status(), 200);
    let p12 = dir.path().join("t.p12");
    std::fs::write(&p12, r.bytes().await.unwrap()).unwrap();
    let o = run(
        "keytool",
        &[
            "-list",
            "-v",
            "-keystore",
            p12.to_str().unwrap(),
            "-storetype",
            "PKCS12",
            "-storepass",
            "s3cret",
        ],
    );
    let listing = text(&o);
    assert!(o.status.success(), "{listing}");
    assert!(
        listing.contains("Your keystore contains 1 entry"),
        "{listing}"
    );
    assert!(listing.contains("CN=msk-console test CA"), "{listing}");
}

#[tokio::test]
async fn probe_answers_are_read_up_to_the_body_limit() {
    // 200 KB of metrics: read whole under the default limit, cut at 4 KiB under a small one.
    let body: String = (0..4000)
        .map(|i| format!("kafka_server_BrokerTopicMetrics_Count{{topic=\"t{i}\"}} {i}\n"))
        .collect();
    assert!(body.len() > 150_000);
    let listener = tokio::net::TcpListener::bind("127.0.0.71:11001")
        .await
        .unwrap();
    let app = axum::Router::new().route("/metrics", get(move || async move { body.clone() }));
    tokio::spawn(async move { axum::serve(listener, app).await });
    let dir = tempfile::tempdir().unwrap();
    for (limit, truncated) in [(16 * 1024 * 1024, false), (4096, true)] {
        let app = TestApp::spawn_with(
            vec![Source::File(lab_inventory(dir.path(), "127.0.0.71"))],
            |c| {
                c.no_probe = false;
                c.probe_body_limit = limit;
            },
        )
        .await;
        let inv = app
            .inventory_when("a finished sweep", |i| {
                !i.reachability.is_empty() && !i.sweep.running
            })
            .await;
        let jmx = &inv.reachability.values().next().unwrap().brokers[0].jmx;
        let samples = jmx.samples.unwrap();
        let detail = jmx.detail.clone().unwrap();
        if truncated {
            assert!(samples < 200, "cut at {limit} bytes: {samples} samples");
            assert!(
                detail.ends_with("(answer cut at the size limit)"),
                "{detail}"
            );
        } else {
            assert_eq!(samples, 4000);
            assert!(!detail.contains("cut"), "{detail}");
        }
    }
}

#[tokio::test]
async fn a_request_that_outlasts_the_request_timeout_is_a_408() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let dir = tempfile::tempdir().unwrap();
    let app = TestApp::spawn_with(
        vec![Source::File(lab_inventory(dir.path(), "127.0.0.1"))],
        |c| c.request_timeout = Duration::from_millis(300),
    )
    .await;
    app.refreshed(1).await;
    // A server function's call whose body promises 1,000 bytes and sends 3: the handler
    // waits for the rest for as long as the client likes, so the request can only end by
    // its timeout, whatever the machine's speed. (A fast answer racing a tiny timeout
    // was a coin toss.)
    let mut s = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let head = format!(
        "POST /sfn/cluster_history HTTP/1.1\r\nHost: {}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nid=",
        app.addr
    );
    s.write_all(head.as_bytes()).await.unwrap();
    // A blocking read of the answer's head, with a deadline: the read ends as soon as
    // the console answers.
    let mut answer = Vec::new();
    let read_head = async {
        let mut buf = [0u8; 4096];
        while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
    };
    let waited = tokio::time::timeout(support::PATIENCE, read_head).await;
    let text = String::from_utf8_lossy(&answer);
    assert!(
        waited.is_ok(),
        "waited {:?} for the answer to a request still sending its body; seen: {text:?}",
        support::PATIENCE
    );
    assert!(
        text.starts_with("HTTP/1.1 408"),
        "a request still waiting for its body at the timeout: {text:?}"
    );
}

#[tokio::test]
async fn sample_hosts_are_reached_only_at_their_loopback_stand_ins() {
    // (This binds 127.0.1.x: a sample console running elsewhere on the machine would
    // hold those addresses, and this console would fall back as the second one below.)
    let app = TestApp::spawn_with(vec![Source::Sample], |c| {
        c.no_probe = false;
        c.probe_interval = Duration::from_millis(300);
    })
    .await;
    let inv = app.refreshed(1).await;
    assert!(inv.sample && inv.sample_exporters && !inv.clusters.is_empty());
    let inv = app
        .inventory_when("three sweeps of the sample", |i| {
            i.sweep.generation >= 3 && !i.sweep.running && !i.reachability.is_empty()
        })
        .await
        .clone();
    // Every sample cluster was probed, and no sample host name was looked up: every
    // exporter and every listener answered or refused at its loopback address.
    assert_eq!(inv.reachability.len(), inv.clusters.len());
    for r in inv.reachability.values() {
        for b in &r.brokers {
            for p in [&b.jmx, &b.node] {
                let why = p.reason.as_deref().unwrap_or("");
                assert!(!why.contains("DNS"), "{}: {why}", p.target);
            }
        }
        for l in &r.listeners {
            for s in &l.servers {
                assert_ne!(s.reached, app::model::ConnectStep::Resolve, "{s:?}");
            }
        }
    }
    let (_, cov) = app.get_json("/api/coverage").await;
    let status = |name: &str| {
        cov["clusters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .map(|c| (c["status"].clone(), c["health"]["state"].clone()))
            .unwrap()
    };
    assert_eq!(status("ycshinmsk"), ("covered".into(), "healthy".into()));
    assert_eq!(status("events-kraft").0, "partial");
    assert_eq!(status("ledger-onprem").0, "off");

    // A second sample console cannot bind the stand-ins' addresses: it says so in its
    // log and keeps the sample unprobed, as without stand-ins.
    let second = TestApp::spawn_with(vec![Source::Sample], |c| {
        c.no_probe = false;
        c.probe_interval = Duration::from_millis(100);
    })
    .await;
    let inv = second.refreshed(1).await;
    assert!(inv.sample && !inv.sample_exporters);
    let inv = second
        .inventory_when("three sweeps with nothing to probe", |i| {
            i.sweep.generation >= 3 && !i.sweep.running
        })
        .await;
    assert_eq!(inv.sweep.total, 0, "{:?}", inv.sweep);
    assert!(inv.reachability.is_empty());
    let (_, cov) = second.get_json("/api/coverage").await;
    assert!(
        cov["clusters"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["status"] == "off" || c["status"] == "sample"),
        "{cov}"
    );
}

#[tokio::test]
async fn the_history_is_pruned_once_at_start() {
    use app::history::Trigger;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    std::fs::create_dir_all(&db).unwrap();
    let url = support::database_url(&db);
    // Two old states of one cluster, recorded a year ago.
    {
        let pool = msk_console::store::connect(&url).await.unwrap();
        let leading = support::pg::lead(&pool).await;
        let history = msk_console::history::History::new(pool.clone(), Duration::from_secs(86_400));
        let file = lab_inventory(dir.path(), "127.0.0.1");
        let (_, mut clusters) =
            msk_console::inventory::file::parse(&std::fs::read_to_string(&file).unwrap(), "lab")
                .unwrap();
        let year_ago = msk_console::clock::now_unix() - 365 * 86_400;
        for (i, version) in ["3.5.1", "3.6.0"].into_iter().enumerate() {
            clusters[0].kafka_version = Some(version.into());
            let inv = app::model::Inventory {
                clusters: clusters.clone(),
                sources: vec![app::model::SourceStatus {
                    source: "lab".into(),
                    region: "inventory file".into(),
                    account: None,
                    clusters: 1,
                    last_ok: None,
                    last_attempt: None,
                    error: None,
                }],
                ..Default::default()
            };
            history
                .record(&inv, Trigger::Refresh, year_ago + i as i64)
                .await
                .unwrap();
        }
        let n: i64 = msk_console::with_db!(&pool, |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM changes"
        )
        .fetch_one(p)
        .await
        .unwrap());
        assert_eq!(n, 2);
        drop(leading);
        pool.close().await;
    }
    // Started with an hourly prune on that database: the superseded state goes at once.
    let mut config = support::test_config(&db);
    config.database_url = url;
    config.history_retention = Duration::from_secs(86_400);
    config.history_prune_interval = Duration::from_secs(3600);
    let db_dir = tempfile::TempDir::new_in(dir.path()).unwrap();
    let app = TestApp::spawn_in(db_dir, config, vec![]).await;
    support::eventually(
        "the superseded state to be pruned at start",
        support::PATIENCE,
        || async {
            let n: i64 = msk_console::with_db!(&app.pool, |p| sqlx::query_scalar(
                "SELECT COUNT(*) FROM changes"
            )
            .fetch_one(p)
            .await
            .unwrap());
            support::when(n == 1, ()).map_err(|_| format!("{n} changes"))
        },
    )
    .await;
    let _: &Value = &Value::Null;
}
