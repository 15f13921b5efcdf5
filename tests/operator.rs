//! The prometheus-operator resources and the Grafana dashboard: each `ScrapeConfig` and
//! `PrometheusRule` download validates against the CRD schemas of prometheus-operator
//! v0.93.0 (`tests/data/crds/`), a `PrometheusRule`'s groups pass `promtool check
//! rules`, and every dashboard query passes `promtool` as a recording rule.

use crate::support;

use std::path::Path;

use msk_console::config::AuthMode;
use support::tools::{python, run, text};
use support::TestApp;

const INVENTORY: &str = r#"
source = "lab"

[[cluster]]
name = "Orders_Prod <b>\"v2\"</b>"
region = "eu-west-1"
arn = "arn:aws:kafka:eu-west-1:123456789012:cluster/orders.(v2)|x/aaaa-1"
kind = "provisioned"
monitoring = { jmx_exporter = true, node_exporter = true }
bootstrap = { tls = "b-1.orders.example:9094" }
brokers = [ { id = 1, endpoints = ["b-1.orders.example"] } ]

[[cluster]]
name = "payments"
region = "us-east-1"
kind = "provisioned"
monitoring = { jmx_exporter = true, node_exporter = false }
bootstrap = { tls = "b-1.payments.example:9094" }
"#;

async fn lab(login: bool) -> (TestApp, tempfile::TempDir) {
    support::file_lab(INVENTORY, |c| {
        if login {
            c.auth = Some(AuthMode::Proxy);
            c.trusted_proxy = vec!["127.0.0.1/32".parse().unwrap()];
            c.viewers = vec!["developers".into()];
        }
    })
    .await
}

async fn download(app: &TestApp, token: Option<&str>, path: &str) -> (u16, String) {
    let mut req = app.client.get(format!("{}{path}", app.url));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// A listed cluster's id (read directly: the API needs the token too).
fn id_of(app: &TestApp, name: &str) -> String {
    let inv = app.inventory.live().inventory();
    inv.clusters
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no cluster named {name}"))
        .id
        .to_string()
}

fn validate(crd: &str, doc: &str, dir: &Path, name: &str) {
    let file = dir.join(name);
    std::fs::write(&file, doc).unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let out = std::process::Command::new(python())
        .arg(format!("{root}/tests/data/crds/validate.py"))
        .arg(format!("{root}/tests/data/crds/{crd}"))
        .arg(&file)
        .output()
        .expect("the test Python (scripts/setup.sh --test)");
    assert!(
        out.status.success(),
        "{name} against {crd}:\n{}\n{doc}",
        text(&out)
    );
}

/// The groups of a `PrometheusRule`, as a rules file promtool reads.
fn groups_of(rule: &str) -> String {
    let spec = rule.split("\nspec:\n").nth(1).expect("a spec");
    spec.lines()
        .map(|l| l.strip_prefix("  ").unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[tokio::test]
async fn scrape_configs_and_prometheus_rules_validate_against_the_operator_crds() {
    for login in [true, false] {
        let (app, dir) = lab(login).await;
        let token = if login {
            Some(app.token("prometheus", "viewer").await)
        } else {
            None
        };
        let t = token.as_deref();
        let id = id_of(&app, "payments");
        let odd = id_of(&app, "Orders_Prod <b>\"v2\"</b>");
        for (path, self_scrape) in [
            ("/scrape-config.yaml".to_string(), true),
            ("/scrape-config.yaml?region=eu-west-1".to_string(), true),
            (
                format!("/clusters/{id}/scrape-config.yaml?secret=kube.token-1"),
                false,
            ),
            (format!("/clusters/{odd}/scrape-config.yaml"), false),
        ] {
            let (status, doc) = download(&app, t, &path).await;
            assert_eq!(status, 200, "{path}: {doc}");
            validate(
                "monitoring.coreos.com_scrapeconfigs.yaml",
                &doc,
                dir.path(),
                "sc.yaml",
            );
            assert_eq!(doc.contains("authorization:"), login, "{path}: {doc}");
            assert_eq!(doc.contains("\n---\n"), self_scrape, "{path}: {doc}");
            if path.contains("secret=") && login {
                assert!(doc.contains("name: \"kube.token-1\""), "{doc}");
            }
        }
        let (status, body) = download(&app, t, "/scrape-config.yaml?secret=Not_A_Name").await;
        assert_eq!(status, 400, "{body}");
        for path in [
            "/prometheus-rule.yaml".to_string(),
            "/prometheus-rule.yaml?region=eu-west-1".to_string(),
            format!("/clusters/{odd}/prometheus-rule.yaml"),
        ] {
            let (status, doc) = download(&app, t, &path).await;
            assert_eq!(status, 200, "{path}: {doc}");
            validate(
                "monitoring.coreos.com_prometheusrules.yaml",
                &doc,
                dir.path(),
                "pr.yaml",
            );
            let rules = dir.path().join("groups.yml");
            std::fs::write(&rules, groups_of(&doc)).unwrap();
            let out = run("promtool", &["check", "rules", rules.to_str().unwrap()]);
            assert!(
                out.status.success(),
                "{path}: promtool check rules: {}\n{doc}",
                text(&out)
            );
            // The fleet's also carries the rules on the console's own /metrics.
            assert_eq!(
                doc.contains("MskClusterWithoutOpenMonitoring"),
                !path.starts_with("/clusters/"),
                "{path}"
            );
        }
    }
}

/// Metric names MSK's exporters serve (AWS's open-monitoring JMX exporter and the node
/// exporter), and `up`.
const EXPORTER_METRICS: [&str; 10] = [
    "up",
    "kafka_controller_KafkaController_Value",
    "kafka_server_ReplicaManager_Value",
    "kafka_server_BrokerTopicMetrics_Count",
    "kafka_network_RequestMetrics_Mean",
    "node_cpu_seconds_total",
    "node_memory_MemAvailable_bytes",
    "node_memory_MemTotal_bytes",
    "node_filesystem_avail_bytes",
    "node_filesystem_size_bytes",
];

#[tokio::test]
async fn every_dashboard_query_passes_promtool_and_reads_exporter_metrics() {
    let (app, dir) = lab(false).await;
    let odd = id_of(&app, "Orders_Prod <b>\"v2\"</b>");
    for path in [
        "/grafana-dashboard.json".to_string(),
        "/grafana-dashboard.json?region=eu-west-1".to_string(),
        format!("/clusters/{odd}/grafana-dashboard.json"),
    ] {
        let (status, body) = download(&app, None, &path).await;
        assert_eq!(status, 200, "{path}: {body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        let mut exprs: Vec<String> = v["panels"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| p["targets"].as_array().unwrap().clone())
            .map(|t| t["expr"].as_str().unwrap().to_string())
            .collect();
        let vars = &v["templating"]["list"];
        assert_eq!(vars[1]["name"], "cluster");
        exprs.push(
            vars[1]["definition"]
                .as_str()
                .unwrap()
                .trim_start_matches("label_values(")
                .rsplit_once(", cluster)")
                .unwrap()
                .0
                .to_string(),
        );
        assert!(exprs.len() >= 13, "{path}");
        // As Grafana sends them: the variable's "All" value and a rate interval.
        let mut rules = String::from("groups:\n  - name: dashboard\n    rules:\n");
        for (i, e) in exprs.iter().enumerate() {
            let q = e
                .replace("$cluster", ".*")
                .replace("$__rate_interval", "5m");
            rules.push_str(&format!(
                "      - record: dashboard:panel_{i}\n        expr: {}\n",
                serde_json::to_string(&q).unwrap()
            ));
            let names: Vec<&str> = q
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .filter(|w| w.starts_with("kafka_") || w.starts_with("node_") || *w == "up")
                .collect();
            assert!(!names.is_empty(), "{q}");
            for n in names {
                assert!(EXPORTER_METRICS.contains(&n), "{n} in {q}");
            }
        }
        let file = dir.path().join("dashboard-rules.yml");
        std::fs::write(&file, &rules).unwrap();
        let out = run("promtool", &["check", "rules", file.to_str().unwrap()]);
        assert!(
            out.status.success(),
            "{path}: promtool check rules: {}\n{rules}",
            text(&out)
        );
        if path.starts_with("/clusters/") {
            // One cluster: its ARN narrows every query, literally.
            assert!(
                exprs.iter().all(|e| {
                    e.contains(
                "cluster_arn=\"arn:aws:kafka:eu-west-1:123456789012:cluster/orders.(v2)|x/aaaa-1\""
            )
                }),
                "{exprs:?}"
            );
            assert_eq!(vars[1]["current"]["value"][0], "Orders_Prod <b>\"v2\"</b>");
        }
    }
}
