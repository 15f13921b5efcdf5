//! The console's own `/metrics`: behind the login (a bearer token works), accepted by
//! `promtool check metrics`, scraped by a real Prometheus that fires the "cluster without
//! open monitoring" alert from the console's rules file, and those rules' fixtures run
//! by `promtool test rules`.

use crate::support;

use msk_console::config::AuthMode;
use support::tools::{self, run, text};
use support::TestApp;

/// `orders` has open monitoring on; `bare` has it off; `events` is serverless (never has
/// it); a name full of markup and line breaks must stay inside its label value.
const INVENTORY: &str = r#"
source = "lab"

[[cluster]]
name = "orders"
region = "eu-west-1"
kind = "provisioned"
monitoring = { jmx_exporter = true, node_exporter = true }
bootstrap = { tls = "b-1.orders.example:9094" }
brokers = [ { id = 1, endpoints = ["b-1.orders.example"] } ]

[[cluster]]
name = "bare"
region = "eu-west-1"
kind = "provisioned"
monitoring = { jmx_exporter = false, node_exporter = false }
bootstrap = { tls = "b-1.bare.example:9094" }

[[cluster]]
name = "events"
region = "eu-west-1"
kind = "serverless"
bootstrap = { sasl-iam = "boot-1.events.example:9098" }

[[cluster]]
name = "x\"}\\ <b>y</b>\r\n# TYPE evil gauge"
region = "eu-west-1"
kind = "provisioned"
monitoring = { jmx_exporter = true, node_exporter = false }
"#;

fn proxy_mode(c: &mut msk_console::Config) {
    c.auth = Some(AuthMode::Proxy);
    c.trusted_proxy = vec!["127.0.0.1/32".parse().unwrap()];
    c.viewers = vec!["developers".into()];
}

async fn lab() -> (TestApp, tempfile::TempDir, String) {
    let (app, dir) = support::file_lab(INVENTORY, proxy_mode).await;
    let token = app.token("prometheus", "viewer").await;
    (app, dir, token)
}

/// `path` with the bearer token.
async fn get(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    app.client
        .get(format!("{}{path}", app.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn metrics(app: &TestApp, token: &str) -> String {
    let r = get(app, token, "/metrics").await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    r.text().await.unwrap()
}

#[tokio::test]
async fn metrics_need_an_identity_pass_promtool_and_describe_the_fleet() {
    let (app, dir, token) = lab().await;
    // No identity, no metrics; a query string is refused, not ignored.
    assert_eq!(app.get("/metrics").await.status(), 401);
    let r = get(&app, &token, "/metrics?cluster=x").await;
    assert_eq!(r.status(), 400);
    // A page twice: the second comes from the cache.
    for _ in 0..2 {
        let r = get(&app, &token, "/").await;
        assert_eq!(r.status(), 200);
    }
    let body = metrics(&app, &token).await;
    let file = dir.path().join("metrics.txt");
    std::fs::write(&file, &body).unwrap();
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("promtool check metrics < '{}'", file.display()))
        .output()
        .expect("promtool (scripts/setup.sh --test installs it)");
    assert!(
        out.status.success(),
        "promtool check metrics: {}\n{body}",
        text(&out)
    );
    let inv = app.inventory.live().inventory();
    let arn = |name: &str| {
        inv.clusters
            .iter()
            .find(|c| c.name == name)
            .unwrap()
            .arn
            .clone()
    };
    for want in [
        format!("msk_console_cluster_monitoring_enabled{{cluster=\"bare\",cluster_arn=\"{}\",exporter=\"jmx\"}} 0", arn("bare")),
        format!("msk_console_cluster_monitoring_enabled{{cluster=\"orders\",cluster_arn=\"{}\",exporter=\"node\"}} 1", arn("orders")),
        "msk_console_source_up{source=\"lab\",region=\"inventory file\"} 1".to_string(),
        "msk_console_page_cache_requests_total{result=\"hit\"}".to_string(),
        "msk_console_refresh_duration_seconds_count ".to_string(),
        "msk_console_history_writes_total{outcome=\"snapshot\"}".to_string(),
        format!("msk_console_build_info{{version=\"{}\"}} 1", app::VERSION),
    ] {
        assert!(body.contains(&want), "missing {want}:\n{body}");
    }
    assert!(
        body.contains("msk_console_cluster_info{cluster=\"events\""),
        "{body}"
    );
    assert!(body.contains("kind=\"serverless\""), "{body}");
    assert!(
        !body.contains("monitoring_enabled{cluster=\"events\""),
        "{body}"
    );
    // The hostile name is one escaped label value: no line of its own.
    assert!(
        body.contains("cluster=\"x\\\"}\\\\ <b>y</b>\u{fffd}\\n# TYPE evil gauge\""),
        "{body}"
    );
    assert!(!body.contains("\n# TYPE evil"), "{body}");
}

#[tokio::test]
async fn a_real_prometheus_scrapes_the_console_with_a_token_and_fires_the_open_monitoring_alert() {
    let (app, dir, token) = lab().await;
    let rules = get(&app, &token, "/msk-console-rules.yml").await;
    assert_eq!(rules.status(), 200);
    let rules = rules.text().await.unwrap();
    // The rules hold an alert for an hour; `promtool test rules` proves that (below).
    // Here the hold is cut so the alert fires while the test waits.
    assert!(rules.contains("        for: \"1h\"\n"), "{rules}");
    let quick = rules.replace("        for: \"1h\"\n", "        for: \"0s\"\n");
    std::fs::write(dir.path().join("msk-console-rules.yml"), quick).unwrap();
    std::fs::write(dir.path().join("token"), &token).unwrap();
    let target = app.url.trim_start_matches("http://").to_string();
    let yml = format!(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - msk-console-rules.yml\nscrape_configs:\n  - job_name: msk-console\n    metrics_path: /metrics\n    authorization:\n      type: Bearer\n      credentials_file: {}\n    static_configs:\n      - targets: [\"{target}\"]\n",
        dir.path().join("token").display()
    );
    let config = dir.path().join("prometheus.yml");
    std::fs::write(&config, yml).unwrap();
    let out = run("promtool", &["check", "config", config.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "promtool check config: {}",
        text(&out)
    );
    let port = support::free_port();
    let _prom = tools::spawn(
        "prometheus",
        &[
            &format!("--config.file={}", config.display()),
            &format!("--web.listen-address=127.0.0.1:{port}"),
            &format!("--storage.tsdb.path={}", dir.path().join("tsdb").display()),
        ],
        dir.path(),
    );
    let client = reqwest::Client::new();
    let alerts_url = format!("http://127.0.0.1:{port}/api/v1/alerts");
    let alerts = support::eventually(
        "Prometheus to fire MskClusterWithoutOpenMonitoring for cluster bare (jmx and node)",
        support::PATIENCE,
        || async {
            let v: serde_json::Value = client
                .get(&alerts_url)
                .send()
                .await
                .map_err(|e| e.to_string())?
                .json()
                .await
                .map_err(|e| e.to_string())?;
            let firing: Vec<(String, String)> = v["data"]["alerts"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|a| {
                    a["labels"]["alertname"] == "MskClusterWithoutOpenMonitoring"
                        && a["state"] == "firing"
                })
                .map(|a| {
                    (
                        a["labels"]["cluster"].as_str().unwrap_or("").to_string(),
                        a["labels"]["exporter"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect();
            let bare = firing.iter().filter(|(c, _)| c == "bare").count();
            if bare == 2 {
                Ok(firing)
            } else {
                Err(format!("firing so far: {firing:?}; all alerts: {v}"))
            }
        },
    )
    .await;
    // The hostile cluster lacks its node exporter: it fires under its own name; the
    // serverless cluster and `orders` never do.
    assert!(
        alerts
            .iter()
            .any(|(c, e)| c.starts_with("x\"}") && e == "node"),
        "{alerts:?}"
    );
    assert!(
        alerts.iter().all(|(c, _)| c != "events" && c != "orders"),
        "{alerts:?}"
    );
    // The scrape itself was healthy: the token worked.
    let up: serde_json::Value = client
        .get(format!(
            "http://127.0.0.1:{port}/api/v1/query?query=up%7Bjob%3D%22msk-console%22%7D"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(up["data"]["result"][0]["value"][1], "1", "{up}");
}

#[tokio::test]
async fn the_console_rules_pass_promtool_and_fire_as_the_fixtures_say() {
    let (app, dir, token) = lab().await;
    let rules = get(&app, &token, "/msk-console-rules.yml")
        .await
        .text()
        .await
        .unwrap();
    let file = dir.path().join("msk-console-rules.yml");
    std::fs::write(&file, rules).unwrap();
    let out = run("promtool", &["check", "rules", file.to_str().unwrap()]);
    assert!(out.status.success(), "promtool check rules: {}", text(&out));
    let test = dir.path().join("console-rules.test.yml");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/prometheus/console-rules.test.yml"
        ),
        &test,
    )
    .unwrap();
    let out = run("promtool", &["test", "rules", test.to_str().unwrap()]);
    assert!(out.status.success(), "promtool test rules:\n{}", text(&out));
}
