//! The hostile-input suite: every route, fed query strings, form bodies and inventory
//! values made of HTML, every kind of line break, paths where host names belong, and
//! sheer length. It asserts what must hold for any input:
//! - no answer is a 5xx, and the server keeps answering;
//! - no HTML answer carries the input's markup unescaped;
//! - no generated file has a line break inside a line (each value stays on its line);
//! - the prober only ever asks inventory hosts for `GET /metrics` on 11001 or 11002.
//!
//! Part of it is a property test (proptest) over generated inputs; it runs in CI with
//! the rest of `cargo test`.

use crate::support;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fake_msk::{Cluster as Fake, Config as FakeConfig, FakeMsk};
use msk_console::inventory::sources::Source;
use proptest::prelude::*;
use support::{aws_source, TestApp};

/// Markup that must never reach a page as markup.
const MARK: &str = "<x-hostile>";

const INVENTORY: &str = r#"
source = "lab"

[[cluster]]
name = "<x-hostile>name\u2028</title><script>alert(1)</script>"
region = "eu-west-1"
kind = "provisioned"
auth = { scram = true, iam = true, tls = true }
monitoring = { jmx_exporter = true, node_exporter = true }
tags = { team = "<x-hostile>\r\nteam\u0085x\u2029y" }
bootstrap = { tls = "b-1.lab.example:9094", sasl-scram = "b-1.lab.example:9096", sasl-iam = "b-1.lab.example:9098" }
brokers = [ { id = 1, endpoints = ["b-1.lab.example"] } ]
"#;

/// The routes a browser or a script can reach, with `{id}` for the cluster.
pub(crate) const GET_ROUTES: &[&str] = &[
    "/",
    "/coverage",
    "/history",
    "/clusters/{id}",
    "/clusters/{id}/history",
    "/clusters/{id}/diff",
    "/api/clusters",
    "/api/clusters/{id}",
    "/api/coverage",
    "/api/changes",
    "/api/activity",
    "/api/clusters/{id}/history",
    "/api/clusters/{id}/diff",
    "/clusters/{id}/client.properties",
    "/clusters/{id}/librdkafka.properties",
    "/clusters/{id}/application.yml",
    "/clusters/{id}/kafka-python.py",
    "/clusters/{id}/aiokafka.py",
    "/clusters/{id}/confluent-kafka.py",
    "/clusters/{id}/kafkajs.js",
    "/clusters/{id}/confluent-kafka-javascript.js",
    "/clusters/{id}/sarama.go",
    "/clusters/{id}/franz-go.go",
    "/clusters/{id}/Program.cs",
    "/clusters/{id}/cli.sh",
    "/clusters/{id}/targets.json",
    "/clusters/{id}/prometheus.yml",
    "/clusters/{id}/truststore.p12",
    "/clusters/{id}/history.json",
    "/targets.json",
    "/prometheus.yml",
    "/sd/targets",
    "/metrics",
    "/api/clusters/{id}/topics",
    "/api/clusters/{id}/topics/orders",
    "/api/clusters/{id}/consumers",
    "/clusters/{id}/topics/orders",
    "/msk-console-rules.yml",
    "/clusters/{id}/scrape-config.yaml",
    "/scrape-config.yaml",
    "/clusters/{id}/prometheus-rule.yaml",
    "/prometheus-rule.yaml",
    "/clusters/{id}/grafana-dashboard.json",
    "/grafana-dashboard.json",
    "/healthz",
];

const PARAMS: &[&str] = &[
    "q",
    "source",
    "region",
    "cluster",
    "kind",
    "before",
    "limit",
    "at",
    "from",
    "to",
    "mode",
    "sd",
    "brief",
    "password",
    "truststore",
    "truststore_location",
    "keystore_location",
    "key_password",
    "iam_mechanism",
    "topics",
    "tpage",
    "secret",
    "page",
    "x",
];

pub(crate) const SERVER_FNS: &[&str] = &[
    "/sfn/overview",
    "/sfn/cluster",
    "/sfn/changes",
    "/sfn/cluster_history",
    "/sfn/cluster_diff",
    "/sfn/coverage",
    "/sfn/preview",
    "/sfn/activity",
    "/sfn/probe",
    "/sfn/refresh",
];

fn breaks(s: &str) -> bool {
    s.contains(['\r', '\u{85}', '\u{2028}', '\u{2029}', '\u{b}', '\u{c}'])
}

/// Checks one answer against the rules; returns a description of what broke.
async fn check(path: &str, r: reqwest::Response) -> Result<(), String> {
    let status = r.status().as_u16();
    let kind = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = r.bytes().await.map_err(|e| format!("{path}: body: {e}"))?;
    if status >= 500 {
        let shown: String = String::from_utf8_lossy(&body).chars().take(300).collect();
        return Err(format!("{path}: {status}: {shown}"));
    }
    let text = String::from_utf8_lossy(&body);
    if kind.starts_with("text/html") && text.contains(MARK) {
        return Err(format!("{path}: the input's markup reached the page"));
    }
    let generated = kind.starts_with("text/plain") || kind.contains("yaml");
    if status == 200 && generated && breaks(&text) {
        return Err(format!("{path}: a line break inside a generated line"));
    }
    Ok(())
}

async fn lab() -> (TestApp, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("lab.toml");
    std::fs::write(&inv, INVENTORY).unwrap();
    let app = TestApp::spawn(vec![Source::File(inv)]).await;
    app.refreshed(1).await;
    let (_, list) = app.get_json("/api/clusters").await;
    let id = list["clusters"][0]["id"]
        .as_str()
        .expect("the cluster")
        .to_string();
    (app, id, dir)
}

/// Every route with every parameter set to each hostile value, and every server
/// function with a hostile form body.
#[tokio::test]
async fn every_route_survives_hostile_values() {
    let (app, id, _dir) = lab().await;
    // Long, but within what an HTTP client sends in a URL; form bodies get 70 KB below.
    let long = "A".repeat(8 * 1024);
    let values = [
        MARK.to_string(),
        format!("{MARK}\r\nInjected: 1"),
        "a\u{2028}b\u{2029}c\u{85}d".into(),
        "../../../etc/passwd".into(),
        "%00%ff%".into(),
        "[::ffff:127.0.0.1]:8099/admin?x=#".into(),
        "-1".into(),
        "99999999999999999999999".into(),
        long,
    ];
    let mut failures = Vec::new();
    for route in GET_ROUTES {
        let path = route.replace("{id}", &id);
        for value in &values {
            for param in PARAMS {
                let q = serde_urlencoded::to_string([(param, value)]).unwrap();
                let url = format!("{}{path}?{q}", app.url);
                let Ok(r) = app.client.get(&url).send().await else {
                    failures.push(format!("{path}?{param}=…: no answer"));
                    continue;
                };
                if let Err(e) = check(&format!("{path}?{param}=…"), r).await {
                    failures.push(e);
                }
            }
        }
    }
    let mut form_values = values.to_vec();
    form_values.push("B".repeat(70 * 1024));
    for f in SERVER_FNS {
        for value in &form_values {
            // Every parameter at once; the 70 KB value in one field (the whole body must
            // stay within the console's 256 KiB limit).
            let fields: Vec<&str> = if value.len() > 16 * 1024 {
                vec!["id"]
            } else {
                PARAMS.to_vec()
            };
            let body = serde_urlencoded::to_string(
                fields
                    .iter()
                    .map(|p| (*p, value.as_str()))
                    .collect::<Vec<_>>(),
            )
            .unwrap();
            let mut bodies = vec![("application/x-www-form-urlencoded", body.clone())];
            // (A server function refuses a body of the wrong type before reading it, and
            // closes the connection; a client still writing 70 KB then sees no answer.
            // Wrong types get the short values.)
            if value.len() < 16 * 1024 {
                bodies.push(("application/json", format!("{{\"id\": {:?}}}", value)));
                bodies.push(("text/plain", value.clone()));
            }
            for (ct, body) in bodies {
                let r = app
                    .client
                    .post(format!("{}{f}", app.url))
                    .header("content-type", ct)
                    .body(body)
                    .send()
                    .await
                    .map_err(|e| e.without_url());
                let Ok(r) = r else {
                    failures.push(format!("POST {f} ({ct}): no answer"));
                    continue;
                };
                if let Err(e) = check(&format!("POST {f} ({ct})"), r).await {
                    failures.push(e);
                }
            }
        }
    }
    // Paths themselves.
    for path in [
        format!("/clusters/{}", urlencode(MARK)),
        "/clusters/%ZZ".into(),
        format!("/api/clusters/{}", urlencode("arn:\r\n<x-hostile>")),
        "/%2e%2e/%2e%2e/etc/passwd".into(),
        format!("/{}", "x/".repeat(2000)),
    ] {
        let r = app
            .client
            .get(format!("{}{path}", app.url))
            .send()
            .await
            .expect("an answer");
        if let Err(e) = check(&path.chars().take(60).collect::<String>(), r).await {
            failures.push(e);
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(app.get("/healthz").await.status(), 200, "still answering");
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)]).unwrap()[1..].to_string()
}

/// Inventory files with hostile endpoints are refused with a reason, and nothing
/// hostile reaches the list.
#[tokio::test]
async fn hostile_inventory_files_are_refused_where_they_enter() {
    for (what, line) in [
        (
            "an endpoint with a path",
            r#"brokers = [ { id = 1, endpoints = ["[::ffff:127.0.0.1]:8099/admin?x=#"] } ]"#,
        ),
        (
            "a bootstrap string with a line break",
            "bootstrap = { tls = \"b-1.x:9094\\nssl.endpoint.identification.algorithm=\" }",
        ),
        (
            "a bootstrap string with U+2028",
            "bootstrap = { tls = \"b-1.x:9094\\u2028x=1\" }",
        ),
        (
            "a controller with a scheme",
            r#"controllers = [ { endpoints = ["http://169.254.169.254/latest"] } ]"#,
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let inv = dir.path().join("bad.toml");
        std::fs::write(
            &inv,
            format!("[[cluster]]\nname = \"x\"\nregion = \"eu-west-1\"\n{line}\n"),
        )
        .unwrap();
        let app = TestApp::spawn(vec![Source::File(inv)]).await;
        app.refreshed(1).await;
        let (_, list) = app.get_json("/api/clusters").await;
        assert_eq!(list["clusters"].as_array().unwrap().len(), 0, "{what}");
        let err = list["sources"][0]["error"]["message"]
            .as_str()
            .unwrap_or_default();
        assert!(err.contains("cluster `x`"), "{what}: {err}");
        assert!(!err.contains('\n'), "{what}: one line: {err:?}");
    }
}

/// A stand-in exporter that records every request it gets.
async fn recorder(addr: &str, seen: Arc<Mutex<Vec<String>>>) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    let local = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = listener.accept().await else {
                return;
            };
            let seen = seen.clone();
            tokio::spawn(async move {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let mut buf = vec![0u8; 4096];
                let n = s.read(&mut buf).await.unwrap_or(0);
                let line = String::from_utf8_lossy(&buf[..n])
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_string();
                seen.lock().unwrap().push(format!("{local} {line}"));
                let body = "kafka_server_x 1\n";
                let _ = s
                    .write_all(format!("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len()).as_bytes())
                    .await;
            });
        }
    });
    local
}

/// MSK answering hostile endpoints: they are left out (with a note), and the prober
/// asks only the good hosts, only for `/metrics` on the exporter ports. A name that
/// resolves only to a link-local address is never fetched either.
#[tokio::test]
async fn the_prober_goes_only_to_inventory_hosts_on_exporter_ports() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    for addr in [
        "127.0.0.61:11001",
        "127.0.0.61:11002",
        "127.0.0.61:8099",
        "127.0.0.62:11001",
    ] {
        recorder(addr, seen.clone()).await;
    }
    let mut c = Fake::provisioned("ssrf", "eu-west-1");
    c.jmx_exporter = true;
    c.node_exporter = true;
    c.broker_hosts = vec![
        "127.0.0.61".into(),
        "[::ffff:127.0.0.61]:8099/admin?x=#".into(),
        "127.0.0.61:8099".into(),
        "169.254.169.254".into(),
    ];
    let fake = FakeMsk::start(FakeConfig {
        clusters: vec![c],
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    let app = TestApp::spawn_with(vec![aws_source("prod", &fake.url(), &["eu-west-1"])], |c| {
        c.no_probe = false;
        c.probe_interval = Duration::from_secs(3600);
    })
    .await;
    let inv = app.refreshed(1).await;
    let cluster = &inv.clusters[0];
    let hosts: Vec<&str> = cluster
        .brokers
        .iter()
        .flat_map(|b| b.endpoints.iter().map(String::as_str))
        .collect();
    assert_eq!(
        hosts,
        ["127.0.0.61", "169.254.169.254"],
        "hostile endpoints are left out"
    );
    assert!(
        cluster.notes.iter().any(|n| n.contains("left out")),
        "{:?}",
        cluster.notes
    );
    // Probe and wait for the sweep.
    let r = app
        .client
        .post(format!("{}/api/probe", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    app.inventory_when("the probe asked for to finish", |i| {
        i.sweep.generation >= 1 && !i.sweep.running
    })
    .await;
    let seen = seen.lock().unwrap().clone();
    assert!(!seen.is_empty(), "the good host was probed");
    for s in &seen {
        assert!(
            (s.starts_with("127.0.0.61:11001 ") || s.starts_with("127.0.0.61:11002 "))
                && s.ends_with("GET /metrics HTTP/1.1"),
            "an unexpected request: {s}"
        );
    }
    let (_, detail) = app.get_json(&format!("/api/clusters/{}", cluster.id)).await;
    let link_local = detail["reachability"]["brokers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["host"] == "169.254.169.254")
        .expect("the link-local broker is listed");
    assert!(
        link_local["jmx"]["reason"]
            .as_str()
            .unwrap()
            .contains("link-local"),
        "{link_local}"
    );
}

fn hostile_string() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just(MARK.to_string()),
        Just("\r\n".to_string()),
        Just("\u{2028}".to_string()),
        Just("\u{85}".to_string()),
        Just("%".to_string()),
        Just("&".to_string()),
        Just("\"".to_string()),
        Just("=".to_string()),
        Just("/..".to_string()),
        "[a-z0-9:._-]{0,12}",
        any::<char>().prop_map(|c| c.to_string()),
    ];
    proptest::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    /// Generated query strings on generated routes: the same rules hold.
    #[test]
    fn generated_query_strings_break_nothing(
        route in 0..GET_ROUTES.len(),
        pairs in proptest::collection::vec((0..PARAMS.len(), hostile_string()), 1..4),
        raw in hostile_string(),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let result: Result<(), String> = rt.block_on(async {
            let (app, id, _dir) = shared_lab().await;
            // A client of this case's runtime (a pooled connection dies with its runtime).
            let client = reqwest::Client::new();
            let path = GET_ROUTES[route].replace("{id}", &id);
            let q = serde_urlencoded::to_string(
                pairs.iter().map(|(p, v)| (PARAMS[*p], v.as_str())).collect::<Vec<_>>(),
            ).unwrap();
            // Once encoded properly, once as it came (what a careless client sends).
            for url in [format!("{}{path}?{q}", app.url), format!("{}{path}?{raw}", app.url)] {
                let Ok(r) = client.get(&url).send().await else { continue };
                check(&path, r).await?;
            }
            let body = format!("{q}&{raw}");
            let r = client.post(format!("{}/sfn/changes", app.url))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body).send().await.map_err(|e| e.to_string())?;
            check("/sfn/changes", r).await
        });
        prop_assert!(result.is_ok(), "{}", result.unwrap_err());
    }
}

/// One console for every generated case (starting one per case would dominate).
async fn shared_lab() -> (&'static TestApp, String, ()) {
    static LAB: tokio::sync::OnceCell<(TestApp, String, tempfile::TempDir)> =
        tokio::sync::OnceCell::const_new();
    let (app, id, _) = LAB.get_or_init(lab).await;
    (app, id.clone(), ())
}
