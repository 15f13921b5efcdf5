//! `--auth proxy`: identity headers count only from `--trusted-proxy` peers and map to
//! roles; a viewer sees no operator button and is refused the operator calls; the audit
//! log names who started what.
//!
//! (In a test binary of its own, like `page_security.rs`: it renders pages, and with
//! many consoles in one test process a page render now and then waited for ever.)

use crate::support;

use msk_console::config::AuthMode;
use support::TestApp;

const INVENTORY: &str = r#"
source = "lab"

[[cluster]]
name = "orders"
region = "eu-west-1"
kind = "provisioned"
monitoring = { jmx_exporter = true, node_exporter = true }
bootstrap = { tls = "b-1.orders.example:9094" }
brokers = [ { id = 1, endpoints = ["b-1.orders.example"] } ]
"#;

async fn lab(tweak: impl FnOnce(&mut msk_console::Config)) -> (TestApp, tempfile::TempDir) {
    support::file_lab(INVENTORY, tweak).await
}

fn proxy_mode(c: &mut msk_console::Config) {
    c.auth = Some(AuthMode::Proxy);
    c.trusted_proxy = vec!["127.0.0.1/32".parse().unwrap()];
    c.operators = vec!["kafka-admins".into()];
    c.viewers = vec!["developers".into(), "kafka-admins".into()];
}

/// A client whose requests come from `ip` (another loopback address than the proxy's).
fn client_from(ip: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(ip.parse::<std::net::IpAddr>().unwrap())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn proxy_headers_count_only_from_trusted_proxies_and_map_to_roles() {
    let (app, _dir) = lab(proxy_mode).await;
    let proxy = client_from("127.0.0.1");
    let stranger = client_from("127.0.0.2");
    let get = |client: &reqwest::Client, path: &str, user: Option<(&str, &str)>| {
        let mut r = client.get(format!("{}{path}", app.url));
        if let Some((u, g)) = user {
            r = r
                .header("X-Forwarded-User", u)
                .header("X-Forwarded-Groups", g);
        }
        r.send()
    };
    // Through the proxy: a developer is a viewer, sees the page but no operator button.
    let page = get(&proxy, "/", Some(("dana", "developers")))
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("dana") && html.contains("viewer"),
        "the header names the user"
    );
    assert!(
        !html.contains("id=\"refresh-button\""),
        "a viewer sees no Refresh button"
    );
    // An admin is an operator and sees it.
    let html = get(&proxy, "/", Some(("olga", "ops, kafka-admins")))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("id=\"refresh-button\""),
        "an operator sees the Refresh button"
    );
    // The same headers from a client that is not the proxy count for nothing.
    let r = get(&stranger, "/api/clusters", Some(("olga", "kafka-admins")))
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Bearer"));
    // No headers at all, even from the proxy: 401.
    assert_eq!(
        get(&proxy, "/api/clusters", None).await.unwrap().status(),
        401
    );
    // A user in no allowed group: 403 with the reason.
    let r = get(&proxy, "/api/clusters", Some(("mallory", "guests")))
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("--viewers"));
    // The health check and the static site need no login.
    assert_eq!(
        get(&stranger, "/healthz", None).await.unwrap().status(),
        200
    );

    // Roles: a viewer may not start a refresh, through either door; an operator may.
    let post = |path: &str, user: &str, groups: &str| {
        proxy
            .post(format!("{}{path}", app.url))
            .header("X-Forwarded-User", user)
            .header("X-Forwarded-Groups", groups)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .send()
    };
    for path in ["/sfn/refresh", "/api/refresh", "/sfn/probe", "/api/probe"] {
        let r = post(path, "dana", "developers").await.unwrap();
        assert_eq!(r.status(), 403, "{path}");
        assert!(r.text().await.unwrap().contains("Only operators"), "{path}");
    }
    assert_eq!(
        post("/api/refresh", "olga", "kafka-admins")
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        post("/sfn/probe", "olga", "kafka-admins")
            .await
            .unwrap()
            .status(),
        200
    );
    // The audit log names who did it, on the API and the History page.
    let events: serde_json::Value = get(&proxy, "/api/activity", Some(("dana", "developers")))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let events = events.as_array().unwrap();
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0]["action"], "probe");
    assert_eq!(events[1]["action"], "refresh");
    assert!(events.iter().all(|e| e["actor"] == "olga"));
    let history = get(&proxy, "/history", Some(("dana", "developers")))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(history.contains("id=\"activity-table\"") && history.contains("started a refresh"));
}
