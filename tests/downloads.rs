//! Generated files, checked by the real tools that read them: promtool, keytool, Java's
//! Properties and JAAS parsers, and a real Prometheus scraping real node exporters
//! through the console's http_sd endpoint.

use crate::support;

use msk_console::inventory::sources::Source;
use support::tools::{self, node_exporter, run, text};
use support::TestApp;

/// An inventory file: one cluster whose brokers are loopback addresses (node exporters
/// on 127.0.0.2 and .3 stand in for brokers; nothing listens on .4), and one with a
/// name full of quotes and newlines.
const INVENTORY: &str = r#"
source = "lab"

[[cluster]]
name = "loop"
region = "eu-west-1"
arn = "arn:aws:kafka:eu-west-1:123456789012:cluster/loop/11111111-2222-3333-4444-555555555555-1"
kind = "provisioned"
auth = { scram = true, iam = true }
monitoring = { jmx_exporter = false, node_exporter = true }
bootstrap = { tls = "127.0.0.2:9094,127.0.0.3:9094,127.0.0.4:9094", sasl-scram = "127.0.0.2:9096,127.0.0.3:9096,127.0.0.4:9096", sasl-iam = "127.0.0.2:9098,127.0.0.3:9098,127.0.0.4:9098" }
brokers = [ { id = 1, endpoints = ["127.0.0.2"] }, { id = 2, endpoints = ["127.0.0.3"] }, { id = 3, endpoints = ["127.0.0.4"] } ]

[[cluster]]
name = "evil\"name\r\nSet-Cookie: x=1"
region = "eu-west-1"
kind = "provisioned"
monitoring = { jmx_exporter = true, node_exporter = true }
bootstrap = { tls = "b-1.evil.example:9094" }
brokers = [ { id = 1, endpoints = ["b-1.evil.example"] } ]

[[cluster]]
name = "quiet"
region = "eu-west-1"
kind = "provisioned"
bootstrap = { tls = "b-1.quiet.example:9094" }
brokers = [ { id = 1, endpoints = ["b-1.quiet.example"] } ]
"#;

async fn lab() -> (TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("lab.toml");
    std::fs::write(&inv, INVENTORY).unwrap();
    let app = TestApp::spawn(vec![Source::File(inv)]).await;
    app.refreshed(1).await;
    (app, dir)
}

async fn id_of(app: &TestApp, name_start: &str) -> String {
    let (_, list) = app.get_json("/api/clusters").await;
    list["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"].as_str().unwrap().starts_with(name_start))
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn download(
    app: &TestApp,
    path: &str,
    dir: &std::path::Path,
) -> (std::path::PathBuf, reqwest::header::HeaderMap) {
    let r = app.get(path).await;
    assert_eq!(r.status(), 200, "{path}");
    let headers = r.headers().clone();
    let cd = headers["content-disposition"].to_str().unwrap().to_string();
    let name = cd
        .split("filename=\"")
        .nth(1)
        .unwrap()
        .trim_end_matches('"')
        .to_string();
    let file = dir.join(&name);
    std::fs::write(&file, r.bytes().await.unwrap()).unwrap();
    (file, headers)
}

#[tokio::test]
async fn prometheus_yml_passes_promtool_and_its_targets_are_discovered() {
    let (app, dir) = lab().await;
    let id = id_of(&app, "loop").await;
    let (targets, h) = download(&app, &format!("/clusters/{id}/targets.json"), dir.path()).await;
    assert_eq!(h["content-type"], "application/json");
    assert_eq!(targets.file_name().unwrap(), "loop-targets.json");
    let (yml, h) = download(&app, &format!("/clusters/{id}/prometheus.yml"), dir.path()).await;
    assert!(h["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/yaml"));

    let out = run("promtool", &["check", "config", yml.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "promtool check config: {}",
        text(&out)
    );
    assert!(text(&out).contains("SUCCESS"), "{}", text(&out));

    // promtool exits 0 even for a broken targets file, so read what it prints.
    let out = run(
        "promtool",
        &[
            "check",
            "service-discovery",
            "--timeout=3s",
            yml.to_str().unwrap(),
            "msk-open-monitoring",
        ],
    );
    let printed = text(&out);
    for host in ["127.0.0.2:11002", "127.0.0.3:11002", "127.0.0.4:11002"] {
        assert!(printed.contains(host), "{host} not discovered: {printed}");
    }
    assert!(
        !printed.contains(":11001"),
        "the JMX exporter is off: {printed}"
    );
    // Every target Prometheus reads carries the labels that keep clusters apart.
    let groups: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&targets).unwrap()).unwrap();
    let groups = groups.as_array().unwrap();
    assert_eq!(groups.len(), 1, "the node exporter only: {groups:?}");
    let labels = &groups[0]["labels"];
    for (k, v) in [
        ("job", "node"),
        ("node_type", "broker"),
        ("cluster", "loop"),
        (
            "cluster_arn",
            "arn:aws:kafka:eu-west-1:123456789012:cluster/loop/11111111-2222-3333-4444-555555555555-1",
        ),
        ("region", "eu-west-1"),
        ("source", "lab"),
        ("account", "123456789012"),
    ] {
        assert_eq!(labels[k], v, "label {k}: {labels}");
    }

    // The http_sd variant and the all-clusters files are valid too.
    for path in [
        format!("/clusters/{id}/prometheus.yml?sd=http"),
        "/prometheus.yml?sd=http&q=loop".to_string(),
        "/prometheus.yml".to_string(),
    ] {
        let (yml, _) = download(&app, &path, dir.path()).await;
        let out = run("promtool", &["check", "config", yml.to_str().unwrap()]);
        assert!(out.status.success(), "{path}: {}", text(&out));
    }
}

#[tokio::test]
async fn all_cluster_targets_follow_the_list_filters_and_skip_unmonitored_clusters() {
    let (app, _dir) = lab().await;
    let r = app.get("/targets.json").await;
    assert_eq!(
        r.headers()["content-disposition"],
        "attachment; filename=\"msk-targets.json\""
    );
    let v: serde_json::Value = r.json().await.unwrap();
    let clusters: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["labels"]["cluster"].as_str().unwrap())
        .collect();
    assert!(clusters.contains(&"loop"));
    assert!(
        !clusters.contains(&"quiet"),
        "monitoring off contributes nothing"
    );
    // The source and region filters, as the list page sets them.
    let names = |v: serde_json::Value| -> Vec<String> {
        let mut n: Vec<String> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["labels"]["cluster"].as_str().unwrap().to_string())
            .collect();
        n.dedup();
        n
    };
    let by_source: serde_json::Value = app
        .get("/targets.json?source=lab")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        names(by_source).len(),
        2,
        "loop and the evil one, both monitored"
    );
    let elsewhere: serde_json::Value = app
        .get("/targets.json?source=prod")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(elsewhere, serde_json::json!([]));
    let by_region: serde_json::Value = app
        .get("/sd/targets?region=us-east-1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_region, serde_json::json!([]));
    let by_region: serde_json::Value = app
        .get("/sd/targets?region=eu-west-1&q=loop")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(names(by_region), ["loop"]);
    // prometheus.yml follows the filter: its scope says so, and http_sd asks for it.
    let yml = app
        .get("/prometheus.yml?q=loop")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        yml.contains("# Scope: 1 cluster, filter \"loop\"\n"),
        "{yml}"
    );
    let yml = app
        .get("/prometheus.yml?sd=http&q=loop&source=lab")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        yml.contains("/sd/targets?q=loop&source=lab&region=\""),
        "{yml}"
    );
    let v: serde_json::Value = app.get("/sd/targets?q=loop").await.json().await.unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["labels"]["job"], "node");
    assert_eq!(
        v[0]["labels"]["cluster_arn"],
        "arn:aws:kafka:eu-west-1:123456789012:cluster/loop/11111111-2222-3333-4444-555555555555-1"
    );
    assert_eq!(
        v[0]["targets"],
        serde_json::json!(["127.0.0.2:11002", "127.0.0.3:11002", "127.0.0.4:11002"])
    );
    let quiet = id_of(&app, "quiet").await;
    let page = app
        .get(&format!("/clusters/{quiet}?file=targets-json"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Open monitoring is off for this cluster"),
        "the page says so"
    );
}

#[tokio::test]
async fn the_truststore_lists_amazons_roots_as_trusted_in_keytool() {
    let (app, dir) = lab().await;
    let id = id_of(&app, "loop").await;
    let (p12, h) = download(
        &app,
        &format!("/clusters/{id}/truststore.p12?password=s3cret"),
        dir.path(),
    )
    .await;
    assert_eq!(h["content-type"], "application/x-pkcs12");
    let out = run(
        "keytool",
        &[
            "-list",
            "-keystore",
            p12.to_str().unwrap(),
            "-storetype",
            "PKCS12",
            "-storepass",
            "s3cret",
        ],
    );
    let listing = text(&out);
    assert!(out.status.success(), "{listing}");
    let trusted = listing.matches("trustedCertEntry").count();
    assert!(trusted > 50, "only {trusted} trusted entries: {listing}");
    assert!(listing.contains("amazon-root-ca-1"), "{listing}");
    let out = run(
        "keytool",
        &[
            "-list",
            "-keystore",
            p12.to_str().unwrap(),
            "-storetype",
            "PKCS12",
            "-storepass",
            "wrong",
        ],
    );
    assert!(!out.status.success(), "a wrong password must not open it");
    let r = app
        .get(&format!("/clusters/{id}/truststore.p12?password="))
        .await;
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn client_properties_load_in_java_and_their_jaas_lines_parse() {
    let (app, dir) = lab().await;
    let id = id_of(&app, "loop").await;
    let cases = [
        ("tls", "", None),
        ("sasl-scram", "&scram_username=alice", Some("org.apache.kafka.common.security.scram.ScramLoginModule")),
        (
            "sasl-iam",
            "&aws_profile=prod&aws_role_arn=arn:aws:iam::123456789012:role/reader&aws_role_session_name=app-1&truststore_location=C:%5Ccerts%5Cstore.p12",
            Some("software.amazon.msk.auth.iam.IAMLoginModule"),
        ),
    ];
    for (mode, extra, module) in cases {
        let (file, h) = download(
            &app,
            &format!("/clusters/{id}/client.properties?mode={mode}{extra}"),
            dir.path(),
        )
        .await;
        assert_eq!(h["content-type"], "text/plain; charset=utf-8");
        assert_eq!(
            file.file_name().unwrap().to_str().unwrap(),
            format!("loop-{mode}-client.properties")
        );
        let out = run(
            "java",
            &["tests/java/CheckConfig.java", file.to_str().unwrap()],
        );
        let printed = text(&out);
        assert!(out.status.success(), "{mode}: {printed}");
        assert!(
            printed.contains("prop ssl.truststore.type=PKCS12"),
            "{printed}"
        );
        assert!(
            printed.contains("prop ssl.truststore.password=changeit"),
            "{printed}"
        );
        match module {
            None => assert!(printed.contains("prop security.protocol=SSL"), "{printed}"),
            Some(m) => {
                assert!(
                    printed.contains(&format!(
                        "jaas module={m} flag=LoginModuleControlFlag: required"
                    )),
                    "{printed}"
                );
            }
        }
        if mode == "sasl-scram" {
            assert!(
                printed.contains("options={password=<password>, username=alice}"),
                "{printed}"
            );
        }
        if mode == "sasl-iam" {
            assert!(printed.contains("awsProfileName=prod"), "{printed}");
            assert!(
                printed.contains("awsRoleArn=arn:aws:iam::123456789012:role/reader"),
                "{printed}"
            );
            assert!(
                printed.contains("prop ssl.truststore.location=C:\\certs\\store.p12"),
                "{printed}"
            );
            assert!(printed.contains("prop sasl.client.callback.handler.class=software.amazon.msk.auth.iam.IAMClientCallbackHandler"));
        }
    }
}

#[tokio::test]
async fn bad_requests_get_4xx_and_names_stay_safe() {
    let (app, _dir) = lab().await;
    let id = id_of(&app, "loop").await;
    for (path, status, says) in [
        (
            format!("/clusters/{id}/client.properties?mode=public-tls"),
            400,
            "has no Public TLS listener",
        ),
        (
            format!("/clusters/{id}/client.properties?mode=gssapi"),
            400,
            "unknown auth mode `gssapi`",
        ),
        (
            format!("/clusters/{id}/client.properties"),
            400,
            "Say which auth mode",
        ),
        (
            format!("/clusters/{id}/client.properties?mode=sasl-iam&aws_profile=a%22b"),
            400,
            "aws_profile",
        ),
        (
            format!("/clusters/{id}/client.properties?mode=tls&truststore_location=%2Ftmp%0Ax"),
            400,
            "truststore_location",
        ),
        (
            format!("/clusters/{id}/client.properties?mdoe=tls"),
            400,
            "unknown field `mdoe`",
        ),
        (
            format!("/clusters/{id}/prometheus.yml?sd=consul"),
            400,
            "sd=file or sd=http",
        ),
        (
            "/clusters/nope-0000000000/targets.json".to_string(),
            404,
            "No cluster with id",
        ),
        (
            "/sd/targets?cluster=..%2F".to_string(),
            404,
            "is not a cluster id",
        ),
    ] {
        let r = app.get(&path).await;
        assert_eq!(r.status().as_u16(), status, "{path}");
        let body = r.text().await.unwrap();
        assert!(body.contains(says), "{path}: {body}");
    }
    // A name full of quotes and newlines gives a header-safe file name and a file whose
    // comments cannot inject settings.
    let evil = id_of(&app, "evil").await;
    let r = app
        .get(&format!("/clusters/{evil}/client.properties?mode=tls"))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-disposition"],
        "attachment; filename=\"evil-name-Set-Cookie-x-1-tls-client.properties\""
    );
    assert!(r.headers().get("set-cookie").is_none());
    let body = r.text().await.unwrap();
    assert_eq!(
        body.lines()
            .filter(|l| !l.starts_with('#') && l.contains("Set-Cookie"))
            .count(),
        0,
        "{body}"
    );
    let r = app.get(&format!("/clusters/{evil}/prometheus.yml")).await;
    let dir = tempfile::tempdir().unwrap();
    let yml = dir.path().join("p.yml");
    std::fs::write(&yml, r.text().await.unwrap()).unwrap();
    let out = run("promtool", &["check", "config", yml.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
}

#[tokio::test]
async fn a_real_prometheus_scrapes_node_exporters_found_through_http_sd() {
    let (app, dir) = lab().await;
    let _n1 = node_exporter("127.0.0.2:11002", dir.path());
    let _n2 = node_exporter("127.0.0.3:11002", dir.path());
    tools::wait_listening("127.0.0.2:11002").await;
    tools::wait_listening("127.0.0.3:11002").await;

    let id = id_of(&app, "loop").await;
    let snippet = app
        .get(&format!("/clusters/{id}/prometheus.yml?sd=http"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        snippet.contains(&format!("{}/sd/targets?cluster={id}", app.url)),
        "{snippet}"
    );
    let config = format!("global:\n  scrape_interval: 1s\n  scrape_timeout: 800ms\n{snippet}");
    let yml = dir.path().join("prometheus.yml");
    std::fs::write(&yml, config).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let _prom = tools::spawn(
        "prometheus",
        &[
            &format!("--config.file={}", yml.display()),
            &format!("--web.listen-address=127.0.0.1:{port}"),
            &format!("--storage.tsdb.path={}", dir.path().join("tsdb").display()),
        ],
        dir.path(),
    );
    let client = reqwest::Client::new();
    let health = support::eventually(
        "Prometheus to report every target of the downloaded config as up or down",
        support::PATIENCE,
        || async {
            let r = client
                .get(format!("http://127.0.0.1:{port}/api/v1/targets"))
                .send()
                .await
                .map_err(|e| e.to_string())?;
            let v: serde_json::Value = r.json().await.map_err(|e| e.to_string())?;
            let targets = v["data"]["activeTargets"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let health: std::collections::BTreeMap<String, String> = targets
                .iter()
                .map(|t| {
                    (
                        t["labels"]["instance"].as_str().unwrap_or("?").to_string(),
                        t["health"].as_str().unwrap_or("?").to_string(),
                    )
                })
                .collect();
            if health.len() == 3 && health.values().all(|h| h != "unknown") {
                for t in &targets {
                    assert_eq!(t["labels"]["cluster"], "loop");
                    assert_eq!(t["labels"]["job"], "node");
                    assert_eq!(t["labels"]["source"], "lab");
                }
                Ok(health)
            } else {
                Err(format!("{health:?}"))
            }
        },
    )
    .await;
    assert_eq!(health["127.0.0.2:11002"], "up");
    assert_eq!(health["127.0.0.3:11002"], "up");
    assert_eq!(health["127.0.0.4:11002"], "down");
}
