//! Client connectivity against real TLS servers on loopback: a test CA the console
//! trusts (`--ca-bundle`), a server it does not trust, one whose certificate names
//! another host, a plaintext Kafka listener, a closed port, an HTTP server where Kafka
//! should be, and a plaintext server on a TLS listener. Each listener speaks Kafka's
//! ApiVersions framing ([`msk_console::connect::kafka`]).

use crate::support;

use std::net::SocketAddr;
use std::sync::Arc;

use serde_json::Value;
use support::file_lab;
use support::tls::{ca, server};
use tokio_rustls::rustls;
use tokio_util::sync::CancellationToken;

const LAB: &str = r#"
[[cluster]]
name = "lab"
region = "eu-west-1"
kind = "provisioned"
auth = { tls = true, scram = true, unauthenticated = true }
monitoring = { jmx_exporter = false, node_exporter = false }
bootstrap = { tls = "127.0.0.91:9094,127.0.0.92:9094,127.0.0.93:9094", plaintext = "127.0.0.94:9092,127.0.0.95:9092,127.0.0.96:9092", sasl-scram = "127.0.0.97:9096", ipv6-tls = "127.0.0.98:20094" }
"#;

async fn kafka(addr: &str, tls: Option<Arc<rustls::ServerConfig>>, stop: &CancellationToken) {
    let addr: SocketAddr = addr.parse().unwrap();
    msk_console::demo::serve_kafka(addr, tls, stop.clone())
        .await
        .unwrap_or_else(|e| panic!("bind {addr}: {e}"));
}

fn server_check<'a>(d: &'a Value, listener: &str, server: &str) -> &'a Value {
    d["reachability"]["listeners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["listener"] == listener)
        .unwrap_or_else(|| panic!("no {listener} check in {d}"))["servers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["server"] == server)
        .unwrap_or_else(|| panic!("no {server} check"))
}

#[tokio::test]
async fn each_listener_is_tried_with_tcp_tls_and_api_versions_and_told_in_words() {
    let stop = CancellationToken::new();
    let trusted = ca("test CA");
    let stranger = ca("someone else's CA");
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("ca.pem");
    std::fs::write(&bundle, trusted.cert.pem()).unwrap();

    kafka(
        "127.0.0.91:9094",
        Some(server(&trusted, &["127.0.0.91"])),
        &stop,
    )
    .await;
    kafka(
        "127.0.0.92:9094",
        Some(server(&stranger, &["127.0.0.92"])),
        &stop,
    )
    .await;
    kafka(
        "127.0.0.93:9094",
        Some(server(&trusted, &["wrong.example"])),
        &stop,
    )
    .await;
    kafka("127.0.0.94:9092", None, &stop).await;
    // 127.0.0.95:9092: nothing listens.
    let http = tokio::net::TcpListener::bind("127.0.0.96:9092")
        .await
        .unwrap();
    tokio::spawn(async move {
        let app = axum::Router::new().fallback(|| async { "It works!" });
        axum::serve(http, app).await
    });
    kafka("127.0.0.97:9096", None, &stop).await;
    // A dual-stack cluster's IPv6 TLS listener is checked like any TLS one.
    kafka(
        "127.0.0.98:20094",
        Some(server(&trusted, &["127.0.0.98"])),
        &stop,
    )
    .await;
    // A port of a listed host that no bootstrap string names: never contacted.
    let unlisted = std::net::TcpListener::bind("127.0.0.94:9093").unwrap();
    unlisted.set_nonblocking(true).unwrap();

    let (app, _guard) = file_lab(LAB, |c| {
        c.no_probe = false;
        c.ca_bundle = Some(bundle.clone());
        c.probe_interval = std::time::Duration::from_secs(3600);
    })
    .await;
    app.swept(0).await;
    let id = app.id_of("lab").await;
    let (_, d) = app.get_json(&format!("/api/clusters/{id}")).await;

    let says = |listener: &str, server: &str| -> (String, String) {
        let s = server_check(&d, listener, server);
        (
            s["reached"].as_str().unwrap().to_string(),
            s["message"].as_str().unwrap().to_string(),
        )
    };
    let (reached, message) = says("tls", "127.0.0.91:9094");
    assert_eq!(reached, "done", "{message}");
    assert!(
        message.starts_with("TLS ok, Kafka answered ApiVersions in "),
        "{message}"
    );
    let (reached, message) = says("tls", "127.0.0.92:9094");
    assert_eq!(reached, "tls");
    assert!(message.starts_with("certificate not trusted"), "{message}");
    let (reached, message) = says("tls", "127.0.0.93:9094");
    assert_eq!(reached, "tls");
    assert!(
        message.starts_with("certificate not valid for 127.0.0.93"),
        "{message}"
    );
    let (reached, message) = says("plaintext", "127.0.0.94:9092");
    assert_eq!(reached, "done");
    assert!(
        message.starts_with("Kafka answered ApiVersions in "),
        "{message}"
    );
    assert_eq!(
        says("plaintext", "127.0.0.95:9092"),
        ("tcp".into(), "connection refused".into())
    );
    let (reached, message) = says("plaintext", "127.0.0.96:9092");
    assert_eq!(reached, "kafka");
    assert!(message.starts_with("not a Kafka answer"), "{message}");
    let (reached, message) = says("sasl-scram", "127.0.0.97:9096");
    assert_eq!(reached, "tls");
    assert!(message.contains("is this a TLS listener?"), "{message}");

    let (reached, message) = says("ipv6-tls", "127.0.0.98:20094");
    assert_eq!(reached, "done", "{message}");
    assert!(message.starts_with("TLS ok, Kafka answered"), "{message}");

    // The cluster page shows each result beside its bootstrap string.
    let html = app.page(&format!("/clusters/{id}")).await;
    let row = |listener: &str| {
        let start = html
            .find(&format!("data-listener=\"{listener}\""))
            .unwrap_or_else(|| panic!("no {listener} row"));
        html[start..start + html[start..].find("</tr>").unwrap()].to_string()
    };
    assert!(row("tls").contains(r#"data-connect="failed""#));
    assert!(
        row("tls").contains("127.0.0.92:9094: certificate not trusted"),
        "{}",
        row("tls")
    );
    assert!(row("sasl-scram").contains("is this a TLS listener?"));

    // Nothing but the bootstrap strings' ports was contacted.
    // (A contact would wait in the listener's queue: the kernel completes the handshake
    // whether or not anyone accepts.)
    let probe = unlisted.accept();
    assert!(
        probe
            .as_ref()
            .is_err_and(|e| e.kind() == std::io::ErrorKind::WouldBlock),
        "an unlisted port was contacted: {probe:?}"
    );
    stop.cancel();
}
