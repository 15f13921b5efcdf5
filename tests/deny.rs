//! Deny by default: nothing is served without an identity unless it is on the exact
//! public list, whatever the path looks like; no request changes what another visitor
//! sees; clients that stop reading or sending cannot hold the connections; and no value
//! from outside can write a line of the log.
//!
//! Paths are sent byte for byte ([`support::raw`]), as `curl --path-as-is` would: a
//! client library would tidy `..` and `%2e%2e` away before they reached the console.

use crate::hostile::{GET_ROUTES, SERVER_FNS};
use crate::support;

use std::io::BufRead;
use std::process::Stdio;
use std::time::Duration;

use msk_console::config::AuthMode;
use support::raw;
use support::{eventually, PATIENCE};

const SECRET_NAME: &str = "orders-secret-name";
const SECRET_HOST: &str = "b-1.secret-bootstrap.example";

const INVENTORY: &str = r#"
source = "lab"

[[cluster]]
name = "orders-secret-name"
arn = "arn:aws:kafka:eu-west-1:123456789012:cluster/orders-secret-name/0a1b2c3d-1"
region = "eu-west-1"
kind = "provisioned"
monitoring = { jmx_exporter = true, node_exporter = true }
bootstrap = { tls = "b-1.secret-bootstrap.example:9094" }
brokers = [ { id = 1, endpoints = ["b-1.secret-bootstrap.example"] } ]
tags = { team = "payments" }
"#;

fn proxy_mode(c: &mut msk_console::Config) {
    c.auth = Some(AuthMode::Proxy);
    c.trusted_proxy = vec!["127.0.0.1/32".parse().unwrap()];
    c.operators = vec!["group:kafka-admins".into()];
}

fn oidc_mode(c: &mut msk_console::Config) {
    c.auth = Some(AuthMode::Oidc);
    // Never reached: the provider is asked only when someone signs in.
    c.oidc_issuer = Some("http://127.0.0.1:9".into());
    c.oidc_client_id = Some("msk-console".into());
    c.public_url = Some("http://127.0.0.1:3000".into());
}

/// Every spelling of `route` a path-confused layer might read as `route` itself. The
/// first two are plain paths (the login gate answers them); the rest are refused at the
/// edge.
fn spellings(route: &str) -> Vec<String> {
    let bare = route.trim_start_matches('/');
    vec![
        route.to_string(),
        format!("{route}."),
        format!("/pkg/%2e%2e/{bare}"),
        format!("/pkg/%2E%2E/{bare}"),
        format!("/auth/%2e%2e/{bare}"),
        format!("/auth/login/%2e%2e/%2e%2e/{bare}"),
        format!("/pkg/..%2f{bare}"),
        format!("/pkg/..%2F..%2F{bare}"),
        format!("/pkg%5c..%5c{bare}"),
        format!("/pkg\\..\\{bare}"),
        format!("/pkg/%252e%252e/{bare}"),
        format!("/pkg/../{bare}"),
        format!("/favicon.svg/../{bare}"),
        format!("/healthz/../{bare}"),
        format!("/pkg/msk-console.js/%2e%2e/{bare}"),
        format!("//{bare}"),
        format!("{route}/."),
        format!("{route}/.."),
        format!("{route}%2e"),
        format!("{route}/..."),
    ]
}

/// Whether an answer shows anything of the cluster.
fn leaks(body: &str) -> bool {
    body.contains(SECRET_NAME) || body.contains(SECRET_HOST) || body.contains("123456789012")
}

async fn every_route_is_closed(tweak: fn(&mut msk_console::Config), mode: &str) {
    let (app, _dir) = support::file_lab(INVENTORY, tweak).await;
    let id = app.inventory.inventory().clusters[0].id.clone();
    let mut routes: Vec<String> = GET_ROUTES
        .iter()
        .filter(|r| **r != "/healthz")
        .map(|r| r.replace("{id}", &id))
        .collect();
    routes.extend(
        [
            "/clusters/{id}/prometheus-rules.yml",
            "/prometheus-rules.yml",
            "/clusters/{id}/cloudwatch-alarms.yaml",
            "/cloudwatch-alarms.yaml",
            "/no-such-page",
            "/clusters/{id}/no-such-file",
            "/pkg/no-such-file.js",
            "/pkg/",
            "/auth/",
            "/auth/login.",
        ]
        .iter()
        .map(|r| r.replace("{id}", &id)),
    );
    let mut failures = Vec::new();
    for route in &routes {
        for (i, path) in spellings(route).into_iter().enumerate() {
            // `route.` is plain too, unless it makes a dot segment (`/pkg/.`).
            let plain = i == 0 || (i == 1 && !route.ends_with('/'));
            for accept in ["*/*", "text/html"] {
                let r = raw::get(app.addr, &path, &[("Accept", accept)]).await;
                let allowed = match r.status {
                    // A plain path without an identity: the gate asks for one (even
                    // for a page that does not exist: only the public list is open).
                    401 => plain,
                    // A browser asking for a page is sent to sign in.
                    302 | 303 | 307 => {
                        plain
                            && mode == "oidc"
                            && accept == "text/html"
                            && !route.starts_with("/api/")
                            && r.header("location")
                                .is_some_and(|l| l.starts_with("/auth/login"))
                    }
                    // Any other spelling is refused at the edge.
                    400 => !plain,
                    _ => false,
                };
                if !allowed || leaks(&r.body) {
                    failures.push(format!(
                        "{mode} GET {path} (Accept {accept}): {} {}",
                        r.status,
                        r.body.chars().take(160).collect::<String>()
                    ));
                }
            }
        }
    }
    for f in SERVER_FNS {
        for (i, path) in spellings(f).into_iter().enumerate() {
            let r = raw::send(
                app.addr,
                &format!("POST {path} HTTP/1.1"),
                &[
                    ("Content-Type", "application/x-www-form-urlencoded"),
                    ("Content-Length", "0"),
                ],
            )
            .await;
            let expected = if i < 2 { 401 } else { 400 };
            if r.status != expected || leaks(&r.body) {
                failures.push(format!("{mode} POST {path}: {} {}", r.status, r.body));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} answers let a caller without an identity through:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The exact public list stays open: liveness (status alone) and the site's files.
    let health = raw::get(app.addr, "/healthz", &[]).await;
    assert_eq!(health.status, 200, "{health:?}");
    let body: serde_json::Value = serde_json::from_str(&health.body).unwrap();
    assert_eq!(body, serde_json::json!({"status": "ok"}), "{mode}");
    let css = raw::get(app.addr, "/pkg/msk-console.css", &[]).await;
    assert_eq!(css.status, 200, "{mode}: the stylesheet is public");
}

#[tokio::test]
async fn every_route_and_the_fallback_need_an_identity_under_any_path_spelling_behind_a_proxy() {
    every_route_is_closed(proxy_mode, "proxy").await;
}

#[tokio::test]
async fn every_route_and_the_fallback_need_an_identity_under_any_path_spelling_with_oidc() {
    every_route_is_closed(oidc_mode, "oidc").await;
}

/// `/healthz` tells anyone the console is alive, and only a caller with an identity
/// which replica it is and who leads.
#[tokio::test]
async fn healthz_says_alive_to_anyone_and_details_to_a_caller_with_an_identity() {
    let (app, _dir) = support::file_lab(INVENTORY, proxy_mode).await;
    let (status, anon) = app.get_json("/healthz").await;
    assert_eq!(status, 200);
    assert_eq!(anon, serde_json::json!({"status": "ok"}));
    let token = app.token("monitor", "viewer").await;
    let app = app.with_token(&token);
    let (status, full) = app.get_json("/healthz").await;
    assert_eq!(status, 200);
    assert_eq!(full["replica"]["role"], "single", "{full}");
    assert!(full["replica"]["name"].is_string(), "{full}");
    // A wrong token on a public path is no identity, and no error either.
    let r = raw::get(
        app.addr,
        "/healthz",
        &[("Authorization", "Bearer mskc_wrong")],
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body.trim(), r#"{"status":"ok"}"#);
}

/// Without `--public-url`, a page's download lines name the host the request came by.
/// A request with a forged `Host` (an IP literal passes the host guard) sees its own
/// host, and never puts it into the page the next visitor gets.
#[tokio::test]
async fn a_forged_host_never_reaches_another_visitors_page() {
    let (app, _dir) = support::file_lab(INVENTORY, |c| c.public_url = None).await;
    let id = app.inventory.inventory().clusters[0].id.clone();
    let path = format!("/clusters/{id}");
    let forged = "203.0.113.66";
    for _ in 0..5 {
        let r = raw::get(app.addr, &path, &[("Host", forged)]).await;
        assert_eq!(r.status, 200);
        assert!(
            r.body
                .contains(&format!("http://{forged}/clusters/{id}/truststore.p12")),
            "the forged request sees its own host (the test exercises the page's URLs)"
        );
    }
    let page = app.page(&path).await;
    assert!(
        !page.contains(forged),
        "the next visitor's page names the forged host"
    );
    assert!(page.contains(&format!("{}/clusters/{id}/truststore.p12", app.url)));
}

/// A repeated identity header (a proxy that appends its own to the client's) is refused:
/// the first copy, the client's, would make a viewer an operator.
#[tokio::test]
async fn a_repeated_identity_header_is_refused() {
    let (app, _dir) = support::file_lab(INVENTORY, proxy_mode).await;
    let r = raw::send(
        app.addr,
        "POST /api/refresh HTTP/1.1",
        &[
            ("X-Forwarded-User", "olga"),
            ("X-Forwarded-Groups", "kafka-admins"),
            ("X-Forwarded-User", "victor"),
            ("X-Forwarded-Groups", "developers"),
            ("Content-Length", "0"),
        ],
    )
    .await;
    assert_eq!(r.status, 400, "{r:?}");
    assert!(r.body.contains("came 2 times"), "{}", r.body);
    // One of each is fine.
    let r = raw::get(
        app.addr,
        "/api/clusters",
        &[
            ("X-Forwarded-User", "victor"),
            ("X-Forwarded-Groups", "developers"),
        ],
    )
    .await;
    assert_eq!(r.status, 200);
}

/// A console that stops because nobody reads: 24 clients that pipeline requests for the
/// wasm and never read their answers, against 16 connections. Each is dropped once its
/// answer makes no progress for --write-timeout, so the console answers others again.
#[tokio::test]
async fn clients_that_never_read_cannot_hold_every_connection() {
    let (app, _dir) = support::file_lab(INVENTORY, |c| {
        c.max_connections = 16;
        c.write_timeout = Duration::from_secs(1);
    })
    .await;
    let wasm = raw::get(app.addr, "/pkg/msk-console_bg.wasm", &[]).await;
    assert_eq!(wasm.status, 200, "the site is built (scripts/build.sh)");
    let mut hogs = Vec::new();
    for _ in 0..24 {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        let mut stream = socket.connect(app.addr).await.unwrap();
        let request = format!(
            "GET /pkg/msk-console_bg.wasm HTTP/1.1\r\nHost: {}\r\n\r\n",
            app.addr
        )
        .repeat(50);
        // Sent in the background: a client that never reads may also block in sending.
        hogs.push(tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            let _ = stream.write_all(request.as_bytes()).await;
            // Hold the connection open, unread, until the test ends.
            std::future::pending::<()>().await;
            drop(stream);
        }));
    }
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    eventually(
        "/healthz answering while 24 clients hold connections they never read",
        PATIENCE,
        || async {
            match client.get(format!("{}/healthz", app.url)).send().await {
                Ok(r) if r.status() == 200 => Ok(()),
                Ok(r) => Err(format!("status {}", r.status())),
                Err(e) => Err(e.to_string()),
            }
        },
    )
    .await;
    for h in hogs {
        h.abort();
    }
}

/// A client that starts a request body and stops sending is dropped after
/// --idle-timeout, not kept until the request timeout.
#[tokio::test]
async fn a_client_that_stops_sending_is_dropped_after_the_idle_timeout() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (app, _dir) = support::file_lab(INVENTORY, |c| {
        c.idle_timeout = Duration::from_secs(1);
        c.request_timeout = Duration::from_secs(3600);
    })
    .await;
    let mut s = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    s.write_all(
        format!(
            "POST /api/refresh HTTP/1.1\r\nHost: {}\r\nContent-Length: 1000\r\n\r\nonly-a-little",
            app.addr
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    let mut buf = Vec::new();
    let read = tokio::time::timeout(PATIENCE, s.read_to_end(&mut buf)).await;
    assert!(
        read.is_ok(),
        "the connection was still open {PATIENCE:?} after the client stopped sending"
    );
}

/// No value from outside writes a line of its own into the log: a cluster name with a
/// line break, in the audit line of a probe of that cluster. Without a terminal the log
/// has no colour codes; `--log-format json` writes one JSON object per line.
#[test]
fn log_lines_cannot_be_forged_carry_no_query_and_no_colour_off_a_terminal() {
    let forged = "2026-01-01T00:00:00Z  INFO audit: actor=root action=refresh";
    for format in ["text", "json"] {
        let dir = tempfile::tempdir().unwrap();
        let inv = dir.path().join("lab.toml");
        std::fs::write(
            &inv,
            format!(
                "source = \"lab\"\n[[cluster]]\nname = \"x\\n{forged}\\r\\nand\\u2028more\"\nregion = \"eu-west-1\"\nkind = \"provisioned\"\nbootstrap = {{ tls = \"b-1.x.example:9094\" }}\nbrokers = [ {{ id = 1, endpoints = [\"b-1.x.example\"] }} ]\n"
            ),
        )
        .unwrap();
        let port = support::free_port();
        let mut child = support::process::console(dir.path())
            .args([
                "--no-aws",
                "--no-probe",
                "--inventory-file",
                inv.to_str().unwrap(),
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--database-url",
                &format!("sqlite://{}/db.sqlite", dir.path().display()),
                "--log-format",
                format,
                // Every request's own lines too: they name the path, never the query.
                "--log",
                "info,tower_http=debug",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let base = format!("http://127.0.0.1:{port}");
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let client = reqwest::Client::new();
            let id: String = eventually("the console listing the cluster", PATIENCE, || async {
                let list: serde_json::Value =
                    match client.get(format!("{base}/api/clusters")).send().await {
                        Ok(r) => r.json().await.map_err(|e| e.to_string())?,
                        Err(e) => return Err(e.to_string()),
                    };
                list["clusters"][0]["id"]
                    .as_str()
                    .map(str::to_string)
                    .ok_or_else(|| list.to_string())
            })
            .await;
            // A download's password travels in its query string.
            let r = client
                .get(format!(
                    "{base}/clusters/{id}/truststore.p12?password=hunter2-in-the-query"
                ))
                .send()
                .await
                .unwrap();
            assert!(r.status().as_u16() < 500, "{format}: {}", r.status());
            let r = client
                .post(format!("{base}/api/probe?cluster={id}"))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{format}");
        });
        let mut lines: Vec<String> = Vec::new();
        let audit = eventually_lines(&rx, &mut lines, |l| {
            l.contains("audit") && l.contains("probe")
        });
        let _ = std::process::Command::new("kill")
            .arg(child.id().to_string())
            .status();
        let _ = child.wait();
        assert!(
            lines.iter().any(|l| l.contains("/truststore.p12")),
            "{format}: the download's request is logged: {lines:#?}"
        );
        for l in &lines {
            assert!(!l.contains("hunter2"), "{format}: a query in the log: {l}");
            assert!(!l.starts_with("2026-01-01"), "{format}: a forged line: {l}");
            assert!(!l.contains('\u{1b}'), "{format}: a colour code: {l:?}");
            if format == "json" {
                let v: serde_json::Value = serde_json::from_str(l)
                    .unwrap_or_else(|e| panic!("not one JSON object a line: {e}: {l}"));
                assert!(v["level"].is_string(), "{l}");
            }
        }
        if format == "text" {
            assert!(
                audit.contains("x\\n2026-01-01T00:00:00Z") && audit.contains("\\u{2028}"),
                "the name is in the audit line, escaped: {audit}"
            );
        } else {
            let v: serde_json::Value = serde_json::from_str(&audit).unwrap();
            assert!(
                v["fields"]["detail"].as_str().unwrap().contains(forged),
                "the name is in the JSON line whole: {audit}"
            );
        }
    }
}

/// Reads log lines into `seen` until one matches; returns it.
fn eventually_lines(
    rx: &std::sync::mpsc::Receiver<String>,
    seen: &mut Vec<String>,
    wanted: impl Fn(&str) -> bool,
) -> String {
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => {
                let hit = wanted(&line);
                seen.push(line.clone());
                if hit {
                    // Whatever else is already written comes along too.
                    while let Ok(more) = rx.try_recv() {
                        seen.push(more);
                    }
                    return line;
                }
            }
            Err(_) => panic!(
                "waited {PATIENCE:?} for the audit line of the probe; the log so far:\n{}",
                seen.join("\n")
            ),
        }
    }
}

/// What YAML refuses even inside double quotes (DEL, the C1 controls, the byte-order
/// mark, noncharacters) never reaches a generated YAML file as it is: Prometheus would
/// refuse the whole file ("control characters are not allowed").
#[tokio::test]
async fn control_characters_yaml_refuses_never_reach_a_generated_file() {
    use support::tools::{run, text};
    let name = "odd\u{7f}del\u{85}nel\u{9b}csi\u{feff}bom\u{ffff}";
    let inventory = format!(
        "source = \"lab\"\n[[cluster]]\nname = \"{}\"\nregion = \"eu-west-1\"\nkind = \"provisioned\"\nmonitoring = {{ jmx_exporter = true, node_exporter = true }}\ntags = {{ team = \"pay\\u0080ments\\u009f\" }}\nbootstrap = {{ tls = \"b-1.odd.example:9094\" }}\nbrokers = [ {{ id = 1, endpoints = [\"b-1.odd.example\"] }} ]\n",
        toml_escaped(name)
    );
    let (app, dir) = support::file_lab(&inventory, |c| {
        c.target_tag_labels = vec!["team".into()];
    })
    .await;
    let id = app.inventory.inventory().clusters[0].id.clone();
    assert_eq!(app.inventory.inventory().clusters[0].name, name);
    for (path, check) in [
        (format!("/clusters/{id}/prometheus.yml?sd=http"), "config"),
        (format!("/clusters/{id}/prometheus.yml"), "config"),
        ("/prometheus.yml?sd=http&q=odd".to_string(), "config"),
        (format!("/clusters/{id}/prometheus-rules.yml"), "rules"),
        ("/prometheus-rules.yml?q=odd".to_string(), "rules"),
        // No alarms read (no CloudWatch here): every key alarm, checked by cfn-lint.
        (format!("/clusters/{id}/cloudwatch-alarms.yaml"), "cfn-lint"),
    ] {
        let r = app.get(&path).await;
        assert_eq!(r.status(), 200, "{path}");
        let body = r.text().await.unwrap();
        let file = dir.path().join("check.yml");
        std::fs::write(&file, &body).unwrap();
        let out = if check == "cfn-lint" {
            let lint = support::tools::python().with_file_name("cfn-lint");
            run(lint.to_str().unwrap(), &[file.to_str().unwrap()])
        } else {
            run("promtool", &["check", check, file.to_str().unwrap()])
        };
        assert!(out.status.success(), "{path}: {}\n{body}", text(&out));
    }
}

/// `s` as the inside of a TOML basic string, every character outside printable ASCII
/// written as a `\U` escape.
fn toml_escaped(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            ' '..='~' if c != '"' && c != '\\' => c.to_string(),
            c => format!("\\U{:08X}", c as u32),
        })
        .collect()
}
