//! Who may use the console: the secure default, bearer tokens and roles, the host and
//! origin guards, and the server's connection limits. Trusted proxy headers are in
//! `proxy_login.rs`, the content security policy in `page_security.rs`, and signing in
//! through a real OpenID provider in the browser test `end2end/tests/login.spec.mjs`.

use crate::support;

use std::time::Duration;

use msk_console::config::AuthMode;
use support::TestApp;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const INVENTORY: &str = r#"
source = "lab"

[[cluster]]
name = "orders</title><script>alert(1)</script>"
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

#[tokio::test]
async fn a_console_reachable_from_other_machines_needs_a_login_mode() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = support::test_config(dir.path());
    c.listen = "0.0.0.0:0".parse().unwrap();
    let err = msk_console::App::build_with(c.clone(), vec![], None)
        .await
        .err()
        .expect("refused")
        .to_string();
    assert!(
        err.contains("--auth none") && err.contains("0.0.0.0"),
        "{err}"
    );
    assert!(!err.contains('\n'), "one line: {err}");
    c.auth = Some(AuthMode::None);
    assert!(msk_console::App::build_with(c.clone(), vec![], None)
        .await
        .is_ok());
    // Each mode says what it misses.
    c.auth = Some(AuthMode::Proxy);
    let err = msk_console::App::build_with(c.clone(), vec![], None)
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("--trusted-proxy"), "{err}");
    c.auth = Some(AuthMode::Oidc);
    let err = msk_console::App::build_with(c.clone(), vec![], None)
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("--oidc-issuer"), "{err}");
    c.oidc_issuer = Some("http://127.0.0.1:9".into());
    c.oidc_client_id = Some("console".into());
    let err = msk_console::App::build_with(c, vec![], None)
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("--public-url"), "{err}");
}

#[tokio::test]
async fn bearer_tokens_are_checked_hashed_revocable_and_expire() {
    let (app, _dir) = lab(proxy_mode).await;
    let viewer = app.token("prometheus", "viewer").await;
    let operator = app.token("ci-nightly", "operator").await;
    assert!(viewer.starts_with("mskc_"));
    // Only the hash is stored.
    let stored: Vec<(String,)> =
        msk_console::with_db!(&app.pool, |p| sqlx::query_as("SELECT hash FROM api_tokens")
            .fetch_all(p)
            .await
            .unwrap());
    assert!(stored
        .iter()
        .all(|(h,)| h.len() == 64 && !h.contains(&viewer[5..])));
    let call = |token: &str, method: reqwest::Method, path: &str| {
        app.client
            .request(method, format!("{}{path}", app.url))
            .bearer_auth(token)
            .send()
    };
    use reqwest::Method;
    assert_eq!(
        call(&viewer, Method::GET, "/api/clusters")
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        call(&viewer, Method::GET, "/sd/targets")
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        call(&viewer, Method::POST, "/api/refresh")
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        call(&operator, Method::POST, "/api/refresh")
            .await
            .unwrap()
            .status(),
        200
    );
    let r = call("mskc_not-a-real-token", Method::GET, "/api/clusters")
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .contains("invalid_token"));
    // The generated http_sd config authenticates as the Prometheus docs describe.
    let yml = call(&viewer, Method::GET, "/prometheus.yml?sd=http")
        .await
        .unwrap();
    assert_eq!(yml.status(), 200);
    let yml = yml.text().await.unwrap();
    assert!(yml.contains("authorization:\n          type: Bearer\n          credentials_file: \"/etc/prometheus/msk-console.token\""), "{yml}");

    // Revoked: refused at once.
    let out = msk_console::auth::tokens::run(
        &app.pool,
        &msk_console::config::TokenCommand::Revoke {
            name: "prometheus".into(),
        },
    )
    .await
    .unwrap();
    assert!(out.contains("revoked"));
    assert_eq!(
        call(&viewer, Method::GET, "/api/clusters")
            .await
            .unwrap()
            .status(),
        401
    );
    // Expired: refused.
    msk_console::with_db!(&app.pool, |p| {
        sqlx::query("UPDATE api_tokens SET expires_at = 1 WHERE name = 'ci-nightly'")
            .execute(p)
            .await
            .unwrap();
    });
    assert_eq!(
        call(&operator, Method::GET, "/api/clusters")
            .await
            .unwrap()
            .status(),
        401
    );
    // The list shows both, never a secret.
    let list = msk_console::auth::tokens::run(&app.pool, &msk_console::config::TokenCommand::List)
        .await
        .unwrap();
    assert!(list.contains("prometheus\tviewer") && list.contains("ci-nightly\toperator"));
    assert!(!list.contains("mskc_"));
    // A duplicate name is refused.
    let dup = msk_console::auth::tokens::run(
        &app.pool,
        &msk_console::config::TokenCommand::Create {
            name: "prometheus".into(),
            role: app::model::Role::Viewer,
            expires: None,
        },
    )
    .await
    .unwrap_err();
    assert!(dup.contains("exists already"), "{dup}");
}

#[tokio::test]
async fn oidc_mode_sends_browsers_to_sign_in_and_scripts_a_401() {
    let (app, _dir) = lab(|c| {
        c.auth = Some(AuthMode::Oidc);
        // Nothing listens here: the provider is down.
        c.oidc_issuer = Some("http://127.0.0.1:9".into());
        c.oidc_client_id = Some("msk-console".into());
        c.public_url = Some("http://127.0.0.1:3000".into());
    })
    .await;
    let page = app
        .client
        .get(format!("{}/coverage?source=lab", app.url))
        .header("Accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 303);
    assert_eq!(
        page.headers()["location"],
        "/auth/login?next=%2Fcoverage%3Fsource%3Dlab"
    );
    assert_eq!(app.get("/api/clusters").await.status(), 401);
    // The provider is unreachable: a clear page, not a 500.
    let login = app.get("/auth/login").await;
    assert_eq!(login.status(), 503);
    assert!(login.text().await.unwrap().contains("could not be reached"));
    // A callback that was never started here is refused.
    let cb = app.get("/auth/callback?code=x&state=y").await;
    assert_eq!(cb.status(), 400);
    // A forged session cookie is no session.
    let r = app
        .client
        .get(format!("{}/api/clusters", app.url))
        .header("Cookie", "msk_console_session=forged")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn foreign_hosts_and_cross_site_changes_are_refused() {
    let (app, _dir) = lab(|_| {}).await;
    let r = app
        .client
        .get(format!("{}/api/clusters", app.url))
        .header("Host", "attacker.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 421);
    let post = |headers: &[(&str, &str)]| {
        let mut r = app
            .client
            .post(format!("{}/sfn/refresh", app.url))
            .header("Content-Type", "text/plain")
            .body("");
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        r.send()
    };
    assert_eq!(
        post(&[("Sec-Fetch-Site", "cross-site")])
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        post(&[("Origin", "https://evil.example")])
            .await
            .unwrap()
            .status(),
        403
    );
    let own = format!("http://{}", app.addr);
    assert_eq!(
        post(&[("Origin", own.as_str())]).await.unwrap().status(),
        200
    );
    assert_eq!(
        post(&[("Sec-Fetch-Site", "same-origin")])
            .await
            .unwrap()
            .status(),
        200
    );
    // Reads are not changes.
    let r = app
        .client
        .get(format!("{}/api/clusters", app.url))
        .header("Sec-Fetch-Site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn silent_and_oversized_clients_are_cut_off() {
    let (app, _dir) = lab(|c| c.header_timeout = Duration::from_millis(500)).await;
    // A connection that never sends its headers is closed.
    let mut s = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(support::PATIENCE, s.read_to_end(&mut buf)).await;
    assert!(read.is_ok(), "the server closed the silent connection");
    // A body over the limit is a 413, not a 500; a 70 KB field is a 400 that says why.
    // (Sent by hand: the server answers from the Content-Length alone, before a client
    // could finish writing such a body.)
    let mut s = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    s.write_all(
        format!(
            "POST /sfn/changes HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
            app.addr,
            300 * 1024
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let mut head = vec![0u8; 64];
    let n = tokio::time::timeout(support::PATIENCE, s.read(&mut head))
        .await
        .unwrap()
        .unwrap();
    let head = String::from_utf8_lossy(&head[..n]).to_string();
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
    let field = "9".repeat(70 * 1024);
    let r = app
        .client
        .post(format!("{}/sfn/changes", app.url))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!("before={field}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body = r.text().await.unwrap();
    assert!(body.contains("before") && body.len() < 2000, "{body}");
}
