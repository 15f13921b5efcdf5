//! The downloadable alerting rules, checked by promtool: `promtool check rules` on every
//! way to download them, and `promtool test rules` with the fixtures in
//! `tests/prometheus/rules.test.yml`, which prove what fires, when, with which labels
//! and words, and that the rules stay within the clusters they were made for.

use crate::support;

use support::file_lab;
use support::tools::{run, text};

/// Two clusters in eu-west-1 (one with an ARN full of regex metacharacters) and one in
/// us-east-1, as the fixtures expect.
const INVENTORY: &str = r#"
[[cluster]]
name = "orders"
region = "eu-west-1"
arn = "arn:aws:kafka:eu-west-1:123456789012:cluster/orders/aaaa-1"
kind = "provisioned"
monitoring = { jmx_exporter = true, node_exporter = true }
brokers = [ { id = 1, endpoints = ["b-1.orders"] }, { id = 2, endpoints = ["b-2.orders"] } ]

[[cluster]]
name = "odd"
region = "eu-west-1"
arn = "arn:aws:kafka:eu-west-1:123456789012:cluster/odd.v2+x(1)/bbbb-1"
kind = "provisioned"
monitoring = { jmx_exporter = true, node_exporter = true }
brokers = [ { id = 1, endpoints = ["b-1.odd"] } ]

[[cluster]]
name = "other"
region = "us-east-1"
arn = "arn:aws:kafka:us-east-1:123456789012:cluster/other/cccc-1"
kind = "provisioned"
monitoring = { jmx_exporter = true, node_exporter = true }
brokers = [ { id = 1, endpoints = ["b-1.other"] } ]
"#;

async fn rules(app: &support::TestApp, path: &str) -> String {
    let r = app.get(path).await;
    assert_eq!(r.status(), 200, "{path}");
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/yaml"));
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("prometheus-rules.yml"));
    r.text().await.unwrap()
}

fn check(dir: &std::path::Path, name: &str, body: &str) {
    let file = dir.join(name);
    std::fs::write(&file, body).unwrap();
    let out = run("promtool", &["check", "rules", file.to_str().unwrap()]);
    assert!(out.status.success(), "{name}: {}\n{body}", text(&out));
    assert!(
        text(&out).contains("SUCCESS: 7 rules found"),
        "{name}: {}",
        text(&out)
    );
}

#[tokio::test]
async fn alert_rules_pass_promtool_and_fire_as_the_fixtures_say() {
    let (app, _guard) = file_lab(INVENTORY, |_| {}).await;
    let dir = tempfile::tempdir().unwrap();

    // Every way to download them is valid.
    check(
        dir.path(),
        "all.yml",
        &rules(&app, "/prometheus-rules.yml").await,
    );
    let odd = app.id_of("odd").await;
    let one = rules(&app, &format!("/clusters/{odd}/prometheus-rules.yml")).await;
    check(dir.path(), "one.yml", &one);
    assert!(one.contains("cluster odd"), "{one}");

    // The fixtures: the eu-west-1 rules fire for orders and odd, never for other.
    let scoped = rules(&app, "/prometheus-rules.yml?region=eu-west-1").await;
    assert!(scoped.contains("# Scope: 2 clusters"), "{scoped}");
    check(dir.path(), "prometheus-rules.yml", &scoped);
    let fixtures = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/prometheus/rules.test.yml"
    );
    let test = dir.path().join("rules.test.yml");
    std::fs::copy(fixtures, &test).unwrap();
    let out = run("promtool", &["test", "rules", test.to_str().unwrap()]);
    assert!(out.status.success(), "promtool test rules:\n{}", text(&out));

    // The same fixtures against rules for every cluster must fail: other's series
    // alert too, which the fixtures do not expect.
    std::fs::write(
        dir.path().join("prometheus-rules.yml"),
        rules(&app, "/prometheus-rules.yml").await,
    )
    .unwrap();
    let out = run("promtool", &["test", "rules", test.to_str().unwrap()]);
    assert!(!out.status.success(), "unscoped rules matched the fixtures");
    assert!(text(&out).contains("other"), "{}", text(&out));
}
