//! Client connectivity: can a Kafka client connect to each listener of a cluster from
//! where the console runs? For every `host:port` of every bootstrap string, on the probe
//! schedule and with "Probe now":
//!
//! 1. the host is resolved (an address the console never contacts, such as link-local
//!    ones, counts as not resolving);
//! 2. a TCP connection is opened;
//! 3. on every listener but plaintext, a TLS handshake runs with the console's own
//!    truststore (`--ca-bundle`, else the system bundle: the same certificates as the
//!    truststore download) and hostname verification, as a Java or librdkafka client
//!    does it;
//! 4. a Kafka ApiVersions request is sent ([`kafka`]); brokers answer it before any
//!    SASL authentication, so an answer proves a Kafka broker is there.
//!
//! Only the hosts and ports of the inventory's bootstrap strings are ever contacted
//! (checked where they enter the inventory), each step has the probe timeout, and the
//! result is told in words: "TLS ok, Kafka answered ApiVersions in 12 ms",
//! "connection refused", "certificate not trusted: …", "timed out: check the security
//! group".

pub mod kafka;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::model::{Auth, Cluster, ConnectStep, Listener, ListenerCheck, ServerCheck};
use futures::StreamExt;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use tokio::net::TcpStream;
use tokio_rustls::rustls::{self, CertificateError, ClientConfig, RootCertStore};
use tokio_rustls::TlsConnector;

/// The most servers of one bootstrap string that are tried.
const MAX_SERVERS: usize = 6;

pub struct Connector {
    /// The client TLS settings, or why there are none (no CA bundle).
    tls: Result<TlsConnector, String>,
    timeout: Duration,
    /// Host names reached at a fixed address (sample mode's stand-ins).
    overrides: HashMap<String, IpAddr>,
}

/// The CA certificates of a PEM bundle.
pub fn read_roots(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
        .map_err(|e| format!("cannot read the CA bundle {}: {e}", path.display()))?
        .filter_map(Result::ok)
        .collect();
    if certs.is_empty() {
        return Err(format!(
            "the CA bundle {} holds no certificate",
            path.display()
        ));
    }
    Ok(certs)
}

impl Connector {
    /// A connector trusting the CAs of `bundle` (a PEM file) and `extra` ones.
    pub fn new(
        bundle: Option<&Path>,
        extra: Vec<CertificateDer<'static>>,
        timeout: Duration,
        overrides: &[(String, SocketAddr)],
    ) -> Connector {
        let tls = match bundle {
            Some(path) => read_roots(path),
            None => Err("no CA bundle was found on this machine; set --ca-bundle".into()),
        }
        .and_then(|mut certs| {
            certs.extend(extra);
            let mut roots = RootCertStore::empty();
            let (_, ignored) = roots.add_parsable_certificates(certs);
            if ignored > 0 {
                tracing::debug!(ignored, "CA bundle entries rustls cannot use");
            }
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map_err(|e| e.to_string())
                .map(|b| b.with_root_certificates(roots).with_no_client_auth())
        })
        .map(|config| TlsConnector::from(Arc::new(config)));
        Connector {
            tls,
            timeout,
            overrides: overrides
                .iter()
                .map(|(h, a)| (h.to_ascii_lowercase(), a.ip()))
                .collect(),
        }
    }

    /// Tries every listener of every cluster, `concurrency` servers at a time. The
    /// result has one list per cluster, in order.
    pub async fn check_clusters(
        &self,
        clusters: &[&Cluster],
        concurrency: usize,
    ) -> Vec<Vec<ListenerCheck>> {
        let mut work = Vec::new();
        let mut out: Vec<Vec<ListenerCheck>> = Vec::with_capacity(clusters.len());
        for (ci, c) in clusters.iter().enumerate() {
            let mut listeners = Vec::new();
            for (li, b) in c.bootstrap.iter().enumerate() {
                for server in b
                    .servers
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .take(MAX_SERVERS)
                {
                    work.push((ci, li, b.listener, server.to_string()));
                }
                listeners.push(ListenerCheck {
                    listener: b.listener,
                    servers: Vec::new(),
                });
            }
            out.push(listeners);
        }
        let mut done: Vec<(usize, usize, usize, ServerCheck)> =
            futures::stream::iter(work.into_iter().enumerate())
                .map(|(order, (ci, li, listener, server))| async move {
                    (order, ci, li, self.check(listener, &server).await)
                })
                .buffer_unordered(concurrency.max(1))
                .collect()
                .await;
        done.sort_unstable_by_key(|(order, ..)| *order);
        for (_, ci, li, check) in done {
            out[ci][li].servers.push(check);
        }
        out
    }

    /// Tries one `host:port` of a bootstrap string as a client of `listener` would.
    pub async fn check(&self, listener: Listener, server: &str) -> ServerCheck {
        let start = Instant::now();
        let (reached, message) = self.attempt(listener, server, start).await;
        ServerCheck {
            server: server.to_string(),
            reached,
            message,
            latency_ms: Some(start.elapsed().as_millis().min(u128::from(u32::MAX)) as u32),
        }
    }

    async fn attempt(
        &self,
        listener: Listener,
        server: &str,
        start: Instant,
    ) -> (ConnectStep, String) {
        let Some((host, port)) = split(server) else {
            return (ConnectStep::Resolve, "not a host:port".into());
        };
        let addr = match self.resolve(host, port).await {
            Ok(a) => a,
            Err(e) => return (ConnectStep::Resolve, e),
        };
        let tcp = match tokio::time::timeout(self.timeout, TcpStream::connect(addr)).await {
            Err(_) => {
                return (
                    ConnectStep::Tcp,
                    "timed out: check the security group and the route from here".into(),
                )
            }
            Ok(Err(e)) => return (ConnectStep::Tcp, io_reason(&e)),
            Ok(Ok(s)) => s,
        };
        let _ = tcp.set_nodelay(true);
        if listener.auth() == Auth::None {
            return self.kafka(tcp, "", start).await;
        }
        let connector = match &self.tls {
            Ok(c) => c,
            Err(e) => return (ConnectStep::Tls, format!("cannot check TLS: {e}")),
        };
        let name = match ServerName::try_from(host.to_string()) {
            Ok(n) => n,
            Err(_) => {
                return (
                    ConnectStep::Tls,
                    format!("`{host}` is not a TLS server name"),
                )
            }
        };
        match tokio::time::timeout(self.timeout, connector.connect(name, tcp)).await {
            Err(_) => (
                ConnectStep::Tls,
                "timed out during the TLS handshake (is this a TLS listener?)".into(),
            ),
            Ok(Err(e)) => (ConnectStep::Tls, tls_reason(&e, host)),
            Ok(Ok(tls)) => self.kafka(tls, "TLS ok, ", start).await,
        }
    }

    async fn kafka<S>(&self, mut stream: S, prefix: &str, start: Instant) -> (ConnectStep, String)
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    {
        match tokio::time::timeout(self.timeout, kafka::ask(&mut stream)).await {
            Err(_) => (
                ConnectStep::Kafka,
                format!("{prefix}but no Kafka answer to ApiVersions in time"),
            ),
            Ok(Err(e)) => (
                ConnectStep::Kafka,
                if prefix.is_empty() {
                    e
                } else {
                    format!("{prefix}but {e}")
                },
            ),
            Ok(Ok(answer)) => {
                let ms = start.elapsed().as_millis();
                let note = if answer.error_code == kafka::UNSUPPORTED_VERSION {
                    " (with UNSUPPORTED_VERSION)"
                } else {
                    ""
                };
                (
                    ConnectStep::Done,
                    format!("{prefix}Kafka answered ApiVersions{note} in {ms} ms"),
                )
            }
        }
    }

    /// The address to connect to: an override, a literal address, or the first answer
    /// of the resolver the console may contact.
    async fn resolve(&self, host: &str, port: u16) -> Result<SocketAddr, String> {
        if let Some(ip) = self.overrides.get(&host.to_ascii_lowercase()) {
            return Ok(SocketAddr::new(*ip, port));
        }
        if let Ok(ip) = host.parse::<IpAddr>() {
            return if crate::net_guard::forbidden(ip) {
                Err("a link-local address: never contacted".into())
            } else {
                Ok(SocketAddr::new(ip, port))
            };
        }
        let found = tokio::time::timeout(self.timeout, tokio::net::lookup_host((host, port)))
            .await
            .map_err(|_| "DNS lookup timed out".to_string())?
            .map_err(|_| "DNS failure: the host name does not resolve".to_string())?;
        found
            .into_iter()
            .find(|a| !crate::net_guard::forbidden(a.ip()))
            .ok_or_else(|| {
                "the host name resolves only to link-local addresses: never contacted".into()
            })
    }
}

/// `host:port` (with `[v6]:port`) into its parts.
fn split(server: &str) -> Option<(&str, u16)> {
    let (host, port) = server.rsplit_once(':')?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    Some((host, port.parse().ok()?))
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::ConnectionRefused => "connection refused".into(),
        std::io::ErrorKind::ConnectionReset => "connection reset".into(),
        std::io::ErrorKind::TimedOut => {
            "timed out: check the security group and the route from here".into()
        }
        _ => format!("network error: {e}"),
    }
}

/// A failed handshake in words.
fn tls_reason(e: &std::io::Error, host: &str) -> String {
    let inner = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>());
    match inner {
        Some(rustls::Error::InvalidCertificate(c)) => match c {
            CertificateError::UnknownIssuer => {
                "certificate not trusted: its issuer is not in the console's truststore (--ca-bundle)".into()
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                format!("certificate not valid for {host}: the name does not match")
            }
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                "certificate expired".into()
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                "certificate not valid yet (check the clocks)".into()
            }
            other => format!("certificate rejected: {other:?}"),
        },
        Some(other) => format!("TLS handshake failed: {other} (is this a TLS listener?)"),
        None if matches!(
            e.kind(),
            std::io::ErrorKind::UnexpectedEof
                | std::io::ErrorKind::ConnectionReset
                | std::io::ErrorKind::ConnectionAborted
        ) =>
        {
            "the server closed the connection during the TLS handshake (is this a TLS listener?)"
                .into()
        }
        None => format!("TLS handshake failed: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_split_into_host_and_port() {
        assert_eq!(split("b-1.x:9094"), Some(("b-1.x", 9094)));
        assert_eq!(split("[::1]:9092"), Some(("::1", 9092)));
        assert_eq!(split("b-1.x"), None);
        assert_eq!(split("b-1.x:port"), None);
    }

    #[tokio::test]
    async fn link_local_addresses_are_never_contacted() {
        let c = Connector::new(None, vec![], Duration::from_secs(1), &[]);
        let r = c.check(Listener::Plaintext, "169.254.169.254:9092").await;
        assert_eq!(r.reached, ConnectStep::Resolve);
        assert!(r.message.contains("link-local"), "{}", r.message);
        let r = c.check(Listener::Tls, "127.0.0.1:1").await;
        assert_eq!(
            (r.reached, r.message.as_str()),
            (ConnectStep::Tcp, "connection refused")
        );
    }
}
