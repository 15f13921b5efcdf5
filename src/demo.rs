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

use app::model::{Cluster, MetadataMode, JMX_EXPORTER_PORT, NODE_EXPORTER_PORT};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio_util::sync::CancellationToken;

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
                (2, 2) => behaviour.answers = Answers::Never,
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

/// Starts the stand-ins for the sample clusters on 127.0.1.1, 127.0.1.2, …
pub async fn start(clusters: &[Cluster], shutdown: &CancellationToken) -> std::io::Result<Demo> {
    let mut demo = Demo::default();
    for (i, (host, behaviour)) in plan(clusters).into_iter().enumerate() {
        let octets = u16::try_from(i + 1).unwrap_or(u16::MAX).to_be_bytes();
        let ip = IpAddr::V4(Ipv4Addr::new(127, 0, 1 + octets[0], octets[1]));
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
    }
}
