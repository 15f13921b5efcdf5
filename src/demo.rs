//! Sample mode's stand-in exporters: with `--sample`, the console serves a JMX exporter
//! (:11001) and a node exporter (:11002) for each sample broker on its own loopback
//! address, so a newcomer sees reachability, health and the history move within a
//! minute, without AWS.
//!
//! The sample brokers keep their made-up MSK host names (the downloads look as they
//! would for a real cluster); the prober resolves exactly those names to the stand-ins'
//! loopback addresses ([`Demo::overrides`]) and nothing else, so no name is looked up
//! and nothing leaves loopback. The pages still say "sample data" everywhere.
//!
//! What the stand-ins show, cluster by cluster of the sample inventory (in order):
//! - the first cluster is healthy;
//! - the second has 3 under-replicated partitions on broker 2, and broker 3's
//!   exporters flap (they answer every other probe and fail the others with 503);
//! - the third has broker 3 down (nothing listens);
//! - every other one is healthy, its data volumes filling a little more each minute;
//! - brokers of clusters whose open monitoring is off get an address with nothing
//!   listening, as their exporters would not answer either.
//!
//! The answers use the names MSK's open monitoring exposes (see `docs/health.md`).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use app::model::{Auth, Cluster, Listener, MetadataMode, JMX_EXPORTER_PORT, NODE_EXPORTER_PORT};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls;
use tokio_util::sync::CancellationToken;

use crate::connect::kafka;
use crate::prober::Prober;

/// How a stand-in broker behaves.
#[derive(Clone, Debug, PartialEq)]
pub struct Behaviour {
    pub under_replicated: u32,
    /// This broker reports the cluster's one active controller.
    pub active_controller: bool,
    /// The data volume's used share, 0 to 1, at start.
    pub volume_used: f64,
    pub answers: Answers,
    /// The whole broker is down: its Kafka listeners refuse connections too.
    pub broker_down: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answers {
    Always,
    /// Nothing listens: connection refused.
    Never,
    /// Answers every other request and fails the others with 503, so each sweep
    /// finds it the other way.
    Flapping,
}

impl Behaviour {
    pub fn healthy(active_controller: bool) -> Behaviour {
        Behaviour {
            under_replicated: 0,
            active_controller,
            volume_used: 0.42,
            answers: Answers::Always,
            broker_down: false,
        }
    }

    fn answering(&self, request: u64) -> bool {
        match self.answers {
            Answers::Always => true,
            Answers::Never => false,
            Answers::Flapping => request.is_multiple_of(2),
        }
    }
}

/// The JMX exporter's answer for a broker, in MSK's names.
pub fn jmx_text(b: &Behaviour) -> String {
    let mut out = String::with_capacity(2048);
    out.push_str("# HELP kafka_server_ReplicaManager_Value Attribute exposed for management kafka.server:name=...,type=ReplicaManager,attribute=Value\n");
    out.push_str("# TYPE kafka_server_ReplicaManager_Value gauge\n");
    for (name, value) in [
        ("UnderReplicatedPartitions", b.under_replicated),
        ("UnderMinIsrPartitionCount", 0),
        ("OfflineReplicaCount", 0),
        ("PartitionCount", 120),
        ("LeaderCount", 40),
    ] {
        out.push_str(&format!(
            "kafka_server_ReplicaManager_Value{{name=\"{name}\",}} {value}.0\n"
        ));
    }
    out.push_str("# TYPE kafka_controller_KafkaController_Value gauge\n");
    for (name, value) in [
        ("ActiveControllerCount", u32::from(b.active_controller)),
        ("OfflinePartitionsCount", 0),
    ] {
        out.push_str(&format!(
            "kafka_controller_KafkaController_Value{{name=\"{name}\",}} {value}.0\n"
        ));
    }
    out.push_str("# TYPE kafka_server_BrokerTopicMetrics_Count untyped\n");
    out.push_str("kafka_server_BrokerTopicMetrics_Count{name=\"BytesInPerSec\",} 1.2345678E7\n");
    out.push_str("jvm_threads_current 87.0\n");
    out
}

/// The node exporter's answer for a broker's host, `elapsed` seconds after start.
pub fn node_text(b: &Behaviour, elapsed: f64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    let boot = now - 86_400.0 * 3.0 - elapsed;
    // Two CPUs, about 20% busy.
    let busy = 0.2 * (86_400.0 * 3.0 + elapsed);
    let size = 1_000_000_000_000.0;
    // A volume fills by 0.1% of its size a minute.
    let used = (b.volume_used + elapsed / 60.0 * 0.001).min(1.0);
    let mut out = String::with_capacity(2048);
    out.push_str("# TYPE node_cpu_seconds_total counter\n");
    for cpu in 0..2 {
        out.push_str(&format!(
            "node_cpu_seconds_total{{cpu=\"{cpu}\",mode=\"idle\"}} {:.2}\nnode_cpu_seconds_total{{cpu=\"{cpu}\",mode=\"user\"}} {:.2}\n",
            (86_400.0 * 3.0 + elapsed) - busy,
            busy
        ));
    }
    out.push_str(&format!(
        "node_memory_MemTotal_bytes 8.0e9\nnode_memory_MemAvailable_bytes 3.1e9\n\
         node_filesystem_size_bytes{{device=\"/dev/nvme1n1\",fstype=\"xfs\",mountpoint=\"/kafka/datalogs\"}} {size:e}\n\
         node_filesystem_avail_bytes{{device=\"/dev/nvme1n1\",fstype=\"xfs\",mountpoint=\"/kafka/datalogs\"}} {:e}\n\
         node_filesystem_size_bytes{{device=\"tmpfs\",fstype=\"tmpfs\",mountpoint=\"/run\"}} 1.0e9\n\
         node_time_seconds {now:.3}\nnode_boot_time_seconds {boot:.0}\n",
        size * (1.0 - used)
    ));
    out
}

/// Serves one stand-in exporter on `addr` until `shutdown`.
pub async fn serve(
    addr: SocketAddr,
    behaviour: Arc<std::sync::Mutex<Behaviour>>,
    jmx: bool,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let started = Instant::now();
    let requests = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let app = axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let b = behaviour.lock().unwrap_or_else(|e| e.into_inner()).clone();
            let request = requests.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            async move {
                if !b.answering(request) {
                    return (StatusCode::SERVICE_UNAVAILABLE, "flapping: down for now\n")
                        .into_response();
                }
                let body = if jmx {
                    jmx_text(&b)
                } else {
                    node_text(&b, started.elapsed().as_secs_f64())
                };
                let mut r: Response = body.into_response();
                r.headers_mut().insert(
                    header::CONTENT_TYPE,
                    header::HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
                );
                r
            }
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown.cancelled_owned())
            .await;
    });
    Ok(())
}

/// The running stand-ins.
#[derive(Clone, Debug, Default)]
pub struct Demo {
    /// Each sample host name and the loopback address its stand-ins listen on.
    pub overrides: Vec<(String, SocketAddr)>,
    /// The stand-in brokers' CA, which the console trusts in sample mode only.
    pub roots: Vec<rustls_pki_types::CertificateDer<'static>>,
}

/// What each sample broker (by host) does: see the module's list. Every host the
/// prober would ask about is planned, so none is ever looked up.
pub fn plan(clusters: &[Cluster]) -> Vec<(String, Behaviour)> {
    let mut out = Vec::new();
    let mut monitored = 0;
    for c in clusters {
        let on = c.monitoring.jmx_exporter || c.monitoring.node_exporter;
        let n = if on { monitored } else { usize::MAX };
        monitored += usize::from(on);
        let kraft = c.metadata == MetadataMode::KRaft;
        for (i, (_, host)) in Prober::targets(c).into_iter().enumerate() {
            let mut behaviour = Behaviour::healthy(i == 0 && !kraft);
            match (n, i) {
                (usize::MAX, _) => behaviour.answers = Answers::Never,
                (1, 1) => behaviour.under_replicated = 3,
                (1, 2) => behaviour.answers = Answers::Flapping,
                (2, 2) => {
                    behaviour.answers = Answers::Never;
                    behaviour.broker_down = true;
                }
                _ => behaviour.volume_used = 0.35 + 0.1 * i as f64,
            }
            // On KRaft without listed controllers, the first broker stands in for them.
            behaviour.active_controller |= kraft && c.controllers.is_empty() && i == 0;
            out.push((host, behaviour));
        }
        for (i, host) in Prober::controller_targets(c).into_iter().enumerate() {
            let mut behaviour = Behaviour::healthy(i == 0);
            if !on {
                behaviour.answers = Answers::Never;
            }
            out.push((host, behaviour));
        }
    }
    out
}

/// The loopback address of the `n`-th stand-in host (from 1): 127.0.1.1, 127.0.1.2, …
fn address(n: usize) -> IpAddr {
    let [hi, lo] = u16::try_from(n).unwrap_or(u16::MAX).to_be_bytes();
    IpAddr::V4(Ipv4Addr::new(127, 0, 1u8.saturating_add(hi), lo))
}

/// Every `host:port` of the sample clusters' bootstrap strings, with its listener.
fn bootstrap_servers(clusters: &[Cluster]) -> Vec<(Listener, String, u16)> {
    let mut out = Vec::new();
    for c in clusters {
        for b in &c.bootstrap {
            for server in b.servers.split(',').map(str::trim) {
                if let Some((host, port)) = server.rsplit_once(':') {
                    if let Ok(port) = port.parse() {
                        out.push((b.listener, host.to_string(), port));
                    }
                }
            }
        }
    }
    out
}

/// A CA for the stand-in brokers, and one certificate for every sample host, signed by
/// it (as MSK's brokers present certificates for their names).
fn certificates(
    hosts: Vec<String>,
) -> Result<(CertificateDer<'static>, Arc<rustls::ServerConfig>), String> {
    let e = |e: rcgen::Error| e.to_string();
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(e)?;
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name.push(
        rcgen::DnType::CommonName,
        "msk-console sample CA (not a real CA)",
    );
    let ca_key = rcgen::KeyPair::generate().map_err(e)?;
    let ca = ca.self_signed(&ca_key).map_err(e)?;
    let key = rcgen::KeyPair::generate().map_err(e)?;
    let leaf = rcgen::CertificateParams::new(hosts)
        .map_err(e)?
        .signed_by(&key, &ca, &ca_key)
        .map_err(e)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone(), ca.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .map_err(|e| e.to_string())?;
    Ok((ca.der().clone(), Arc::new(config)))
}

/// Serves a stand-in Kafka listener on `addr` until `shutdown`: it answers ApiVersions
/// (after a TLS handshake, with `tls`) on every connection.
pub async fn serve_kafka(
    addr: SocketAddr,
    tls: Option<Arc<rustls::ServerConfig>>,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    serve_kafka_counting(addr, tls, shutdown).await.map(|_| ())
}

/// [`serve_kafka`], counting the ApiVersions requests it answered (tests of generated
/// client code: a client that got this far parsed its configuration and, on TLS,
/// trusted the listener's certificate).
pub async fn serve_kafka_counting(
    addr: SocketAddr,
    tls: Option<Arc<rustls::ServerConfig>>,
    shutdown: CancellationToken,
) -> std::io::Result<Arc<std::sync::atomic::AtomicUsize>> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    let answered = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = answered.clone();
    tokio::spawn(async move {
        loop {
            let (mut stream, _) = tokio::select! {
                r = listener.accept() => match r { Ok(s) => s, Err(_) => continue },
                _ = shutdown.cancelled() => return,
            };
            let acceptor = acceptor.clone();
            let count = count.clone();
            tokio::spawn(async move {
                let limit = std::time::Duration::from_secs(10);
                let one = || count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let _ = tokio::time::timeout(limit, async move {
                    match acceptor {
                        Some(a) => {
                            if let Ok(mut tls) = a.accept(stream).await {
                                while kafka::answer(&mut tls).await {
                                    one();
                                }
                            }
                        }
                        None => {
                            while kafka::answer(&mut stream).await {
                                one();
                            }
                        }
                    }
                })
                .await;
            });
        }
    });
    Ok(answered)
}

/// Starts the stand-ins for the sample clusters on 127.0.1.1, 127.0.1.2, …: exporters
/// for each broker, and a Kafka listener for every `host:port` of every bootstrap
/// string (TLS with the sample CA, which only this console trusts), except on the
/// broker that is down.
pub async fn start(clusters: &[Cluster], shutdown: &CancellationToken) -> std::io::Result<Demo> {
    let mut demo = Demo::default();
    let mut addresses: std::collections::HashMap<String, IpAddr> = Default::default();
    let mut down = std::collections::HashSet::new();
    for (host, behaviour) in plan(clusters) {
        let ip = address(addresses.len() + 1);
        addresses.insert(host.clone(), ip);
        if behaviour.broker_down {
            down.insert(host.clone());
        }
        let shared = Arc::new(std::sync::Mutex::new(behaviour.clone()));
        if behaviour.answers != Answers::Never {
            for (port, jmx) in [(JMX_EXPORTER_PORT, true), (NODE_EXPORTER_PORT, false)] {
                serve(
                    SocketAddr::new(ip, port),
                    shared.clone(),
                    jmx,
                    shutdown.clone(),
                )
                .await?;
            }
        }
        demo.overrides.push((host, SocketAddr::new(ip, 0)));
    }
    let servers = bootstrap_servers(clusters);
    for (_, host, _) in &servers {
        if !addresses.contains_key(host) {
            let ip = address(addresses.len() + 1);
            addresses.insert(host.clone(), ip);
            demo.overrides.push((host.clone(), SocketAddr::new(ip, 0)));
        }
    }
    let (ca, tls) =
        certificates(addresses.keys().cloned().collect()).map_err(std::io::Error::other)?;
    demo.roots.push(ca);
    let mut bound = std::collections::HashSet::new();
    for (listener, host, port) in servers {
        let addr = SocketAddr::new(addresses[&host], port);
        if down.contains(&host) || !bound.insert(addr) {
            continue;
        }
        let tls = (listener.auth() != Auth::None).then(|| tls.clone());
        serve_kafka(addr, tls, shutdown.clone()).await?;
    }
    Ok(demo)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_inventory_gets_healthy_sick_flapping_and_dead_brokers() {
        let (_, clusters) =
            crate::inventory::file::parse(crate::inventory::file::SAMPLE, "sample").unwrap();
        let plan = plan(&clusters);
        let count = |f: fn(&Behaviour) -> bool| plan.iter().filter(|(_, b)| f(b)).count();
        assert!(count(|b| b.under_replicated > 0) >= 1);
        assert_eq!(count(|b| b.answers == Answers::Flapping), 1);
        assert!(
            count(|b| *b
                == Behaviour {
                    volume_used: b.volume_used,
                    ..Behaviour::healthy(b.active_controller)
                })
                >= 3
        );
        // Every host the prober would ask about is planned, so none is looked up.
        let planned: Vec<&str> = plan.iter().map(|(h, _)| h.as_str()).collect();
        for c in &clusters {
            for (_, h) in Prober::targets(c) {
                assert!(planned.contains(&h.as_str()), "{h} is not planned");
            }
        }
        assert!(planned.contains(&"kafka-1.dc.example.internal"));
        // ... and every bootstrap host gets an address too (see `start`).
        assert!(bootstrap_servers(&clusters)
            .iter()
            .any(|(_, h, _)| h.contains("-public.")));
    }
}
