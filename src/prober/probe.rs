//! Probing: one target's `/metrics` in plain words, and a sweep of clusters' targets.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::generate::prometheus::broker_hosts;
use app::model::{
    BrokerReachability, Cluster, ClusterKind, ClusterReachability, ControllerReachability,
    ExporterProbe, ProbeState, JMX_EXPORTER_PORT, NODE_EXPORTER_PORT,
};
use futures::StreamExt;

use super::{figures, scan};

/// Which exporter a target is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exporter {
    Jmx,
    Node,
}

/// One `host:port` to ask, and whether MSK says the exporter is enabled there.
#[derive(Clone, Debug)]
pub struct Target {
    pub host: String,
    pub port: u16,
    pub exporter: Exporter,
    pub enabled: bool,
}

impl Target {
    /// An exporter's target on its open-monitoring port.
    pub fn new(host: &str, exporter: Exporter, enabled: bool) -> Target {
        Target {
            host: host.to_string(),
            port: match exporter {
                Exporter::Jmx => JMX_EXPORTER_PORT,
                Exporter::Node => NODE_EXPORTER_PORT,
            },
            exporter,
            enabled,
        }
    }
}

/// What stands in for a probe result that is missing (never expected: `probe_all`
/// answers once per target).
fn not_probed() -> ExporterProbe {
    ExporterProbe {
        target: String::new(),
        state: ProbeState::Down,
        reason: Some("not probed".into()),
        latency_ms: None,
        samples: None,
        detail: None,
        figures: Default::default(),
    }
}

#[derive(Clone, Debug)]
pub struct ProberSettings {
    pub timeout: Duration,
    pub concurrency: usize,
    pub body_limit: usize,
    /// Host names reached at a fixed address instead of being looked up: the sample
    /// brokers' stand-in exporters ([`crate::demo`]).
    pub overrides: Vec<(String, std::net::SocketAddr)>,
    /// Check client connectivity to every listener in each sweep ([`crate::connect`]).
    pub connectivity: bool,
    /// The PEM CA bundle the connectivity check trusts (none: TLS cannot be checked).
    pub ca_bundle: Option<std::path::PathBuf>,
    /// More CAs to trust: sample mode's stand-in CA.
    pub extra_roots: Vec<rustls_pki_types::CertificateDer<'static>>,
}

pub struct Prober {
    client: reqwest::Client,
    connector: crate::connect::Connector,
    settings: ProberSettings,
    /// Each node exporter's last CPU counters (all modes, idle), so CPU busy is the
    /// share between two probes rather than the average since boot.
    cpu: std::sync::Mutex<std::collections::HashMap<String, (f64, f64)>>,
}

impl Prober {
    /// The prober; an error when no HTTP client can be made here (no TLS backend).
    pub fn new(settings: ProberSettings) -> Result<Prober, String> {
        let mut builder = reqwest::Client::builder();
        for (host, addr) in &settings.overrides {
            builder = builder.resolve(host, *addr);
        }
        let client = builder
            .dns_resolver(Arc::new(crate::net_guard::NoLinkLocal))
            .connect_timeout(settings.timeout)
            .timeout(settings.timeout)
            // Exporters answer directly; a proxy from the environment would change what
            // we measure, and a redirect could lead outside the inventory.
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!(
                "msk-console/",
                env!("CARGO_PKG_VERSION"),
                " (exporter probe)"
            ))
            .build()
            .map_err(|e| format!("the exporter probes' HTTP client: {e}"))?;
        let connector = crate::connect::Connector::new(
            settings.ca_bundle.as_deref(),
            settings.extra_roots.clone(),
            settings.timeout,
            &settings.overrides,
        );
        Ok(Prober {
            client,
            connector,
            settings,
            cpu: Default::default(),
        })
    }

    /// The targets of one cluster: each broker's id and host. A broker without an
    /// endpoint is left out (and the others keep their own ids); only a cluster listed
    /// without any broker endpoint falls back to its bootstrap hosts, numbered in order.
    pub fn targets(cluster: &Cluster) -> Vec<(u32, String)> {
        if cluster.kind == ClusterKind::Serverless {
            return Vec::new();
        }
        let listed: Vec<(u32, String)> = cluster
            .brokers
            .iter()
            .filter_map(|b| b.endpoints.first().map(|h| (b.id, h.clone())))
            .collect();
        if !listed.is_empty() {
            return listed;
        }
        broker_hosts(cluster)
            .into_iter()
            .enumerate()
            .map(|(i, h)| (i as u32 + 1, h))
            .collect()
    }

    /// The KRaft controllers of one cluster: their JMX exporter only.
    pub fn controller_targets(cluster: &Cluster) -> Vec<String> {
        if cluster.kind == ClusterKind::Serverless {
            return Vec::new();
        }
        cluster
            .controllers
            .iter()
            .filter_map(|c| c.host().map(str::to_string))
            .collect()
    }

    /// Probes every broker (both exporters) and every KRaft controller (JMX) of the given
    /// clusters; `progress` counts finished clusters.
    pub async fn sweep(
        &self,
        clusters: &[Cluster],
        progress: &AtomicUsize,
    ) -> Vec<ClusterReachability> {
        type Plan<'a> = (&'a Cluster, Vec<(u32, String)>, Vec<String>);
        let plans: Vec<Plan> = clusters
            .iter()
            .map(|c| (c, Self::targets(c), Self::controller_targets(c)))
            .collect();
        let mut targets = Vec::new();
        for (c, brokers, controllers) in &plans {
            let (jmx, node) = (c.monitoring.jmx_exporter, c.monitoring.node_exporter);
            for (_, host) in brokers {
                targets.push(Target::new(host, Exporter::Jmx, jmx));
                targets.push(Target::new(host, Exporter::Node, node));
            }
            for host in controllers {
                targets.push(Target::new(host, Exporter::Jmx, jmx));
            }
        }
        let listed: Vec<&Cluster> = plans.iter().map(|(c, ..)| *c).collect();
        let connectivity = async {
            if self.settings.connectivity {
                self.connector
                    .check_clusters(&listed, self.settings.concurrency)
                    .await
            } else {
                Vec::new()
            }
        };
        let (results, listeners) = futures::join!(self.probe_all(targets), connectivity);
        let mut results = results.into_iter();
        let mut listeners = listeners.into_iter();
        let checked_at = crate::clock::now_rfc3339();
        let mut out = Vec::new();
        // Results come back in the targets' order: take them as they were laid out.
        let mut next = || results.next().unwrap_or_else(not_probed);
        for (c, brokers, controllers) in plans {
            let brokers = brokers
                .into_iter()
                .map(|(broker_id, host)| BrokerReachability {
                    broker_id,
                    jmx: next(),
                    node: next(),
                    host,
                })
                .collect();
            let controllers = controllers
                .into_iter()
                .map(|host| ControllerReachability { jmx: next(), host })
                .collect();
            progress.fetch_add(1, Ordering::SeqCst);
            out.push(ClusterReachability {
                cluster_id: c.id.clone(),
                checked_at: checked_at.clone(),
                brokers,
                controllers,
                listeners: listeners.next().unwrap_or_default(),
            });
        }
        out
    }

    /// Probes targets with bounded concurrency; results come back in the targets' order.
    ///
    /// Unordered buffering matters: an ordered buffer keeps finished probes in their slots
    /// behind a slow one, so dead targets would hold the sweep for a timeout per batch.
    pub async fn probe_all(&self, targets: Vec<Target>) -> Vec<ExporterProbe> {
        let mut results: Vec<(usize, ExporterProbe)> =
            futures::stream::iter(targets.into_iter().enumerate())
                .map(|(i, t)| async move { (i, self.probe(&t).await) })
                .buffer_unordered(self.settings.concurrency.max(1))
                .collect()
                .await;
        results.sort_unstable_by_key(|(i, _)| *i);
        results.into_iter().map(|(_, r)| r).collect()
    }

    /// Asks one exporter for `/metrics`.
    pub async fn probe(&self, t: &Target) -> ExporterProbe {
        let target = format!("{}:{}", bracket_ipv6(&t.host), t.port);
        let start = Instant::now();
        let outcome = match crate::net_guard::metrics_url(&t.host, t.port) {
            Ok(url) => self.fetch(url).await,
            Err(e) => Err(e),
        };
        let outcome = outcome.map(|mut m| {
            if let Some(counters) = m.cpu.take() {
                let mut seen = self.cpu.lock().unwrap_or_else(|e| e.into_inner());
                let before = seen.insert(target.clone(), counters);
                m.figures.cpu_busy = figures::cpu_busy(counters, before);
            }
            m
        });
        let latency_ms = Some(start.elapsed().as_millis().min(u128::from(u32::MAX)) as u32);
        let (state, reason, metrics) = match (outcome, t.enabled) {
            (Ok(m), true) => (ProbeState::Up, None, Some(m)),
            (Ok(m), false) => (
                ProbeState::Unexpected,
                Some("answers with metrics although MSK says this exporter is off".to_string()),
                Some(m),
            ),
            (Err(reason), true) => (ProbeState::Down, Some(reason), None),
            (Err(reason), false) => (ProbeState::Off, Some(reason), None),
        };
        ExporterProbe {
            target,
            state,
            reason,
            latency_ms,
            samples: metrics.as_ref().map(|m| m.samples),
            detail: metrics.as_ref().and_then(|m| m.detail(t.exporter)),
            figures: metrics.map(|m| m.figures).unwrap_or_default(),
        }
    }

    async fn fetch(&self, url: url::Url) -> Result<Metrics, String> {
        let resp = self
            .client
            .get(url)
            .send()
            .await
            .map_err(|e| plain_reason(&e))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(format!("HTTP {status}"));
        }
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        if content_type.starts_with("text/html") {
            return Err("answers HTML, not Prometheus metrics".into());
        }
        let mut scan = scan::Scan::default();
        let mut read = 0usize;
        let mut truncated = false;
        let mut stream = resp.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| plain_reason(&e))?;
            let room = self.settings.body_limit.saturating_sub(read);
            if chunk.len() > room {
                scan.feed(&chunk[..room]);
                truncated = true;
                break;
            }
            read += chunk.len();
            scan.feed(&chunk);
        }
        Metrics::from_scan(scan.finish(truncated)?, truncated)
    }
}

fn bracket_ipv6(host: &str) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_string()
    }
}

/// A failed request in plain words: refused, timed out, DNS failure, …
fn plain_reason(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        return "timed out".into();
    }
    // The root cause tells refused connections and DNS failures apart.
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            return match io.kind() {
                std::io::ErrorKind::ConnectionRefused => "connection refused".into(),
                std::io::ErrorKind::ConnectionReset => "connection reset".into(),
                std::io::ErrorKind::TimedOut => "timed out".into(),
                _ => format!("network error: {io}"),
            };
        }
        let text = s.to_string();
        if text.contains("dns error") || text.contains("failed to lookup address") {
            return "DNS failure: the host name does not resolve".into();
        }
        source = s.source();
    }
    if e.is_connect() {
        "could not connect".into()
    } else if e.is_body() || e.is_decode() {
        "the response broke off".into()
    } else {
        format!("HTTP error: {e}")
    }
}

/// What a parsed exposition tells.
#[derive(Debug)]
struct Metrics {
    samples: u32,
    kafka_server: u32,
    uptime: Option<f64>,
    truncated: bool,
    figures: app::model::Figures,
    /// The CPU counters (all modes, idle), until the prober turns them into a share.
    cpu: Option<(f64, f64)>,
}

impl Metrics {
    fn from_scan(scan: scan::Scan, truncated: bool) -> Result<Metrics, String> {
        let uptime = match (scan.node_time, scan.node_boot_time) {
            (Some(now), Some(boot)) if now >= boot && (now - boot).is_finite() => Some(now - boot),
            _ => None,
        };
        let cpu = scan.health.cpu_total.map(|t| (t, scan.health.cpu_idle));
        Ok(Metrics {
            samples: scan.samples,
            kafka_server: scan.kafka_server,
            uptime,
            truncated,
            figures: figures::of(&scan.health),
            cpu,
        })
    }

    #[cfg(test)]
    fn parse(body: &[u8], truncated: bool) -> Result<Metrics, String> {
        let mut scan = scan::Scan::default();
        scan.feed(body);
        Metrics::from_scan(scan.finish(truncated)?, truncated)
    }

    fn detail(&self, exporter: Exporter) -> Option<String> {
        let mut d = match exporter {
            Exporter::Jmx if self.kafka_server > 0 => {
                format!("{} kafka_server_* samples", self.kafka_server)
            }
            Exporter::Jmx => "no kafka_server_* metrics".to_string(),
            Exporter::Node => match self.uptime {
                Some(s) => format!(
                    "host up {}",
                    humantime::format_duration(Duration::from_secs(s as u64))
                ),
                None => format!("{} samples", self.samples),
            },
        };
        if self.truncated {
            d.push_str(" (answer cut at the size limit)");
        }
        Some(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_uptime_and_kafka_metrics_are_picked_out() {
        let node = b"# HELP node_boot_time_seconds Node boot time.\n# TYPE node_boot_time_seconds gauge\nnode_boot_time_seconds 1.7e9\n# TYPE node_time_seconds gauge\nnode_time_seconds 1.7000936e9\n";
        let m = Metrics::parse(node, false).unwrap();
        assert_eq!(m.samples, 2);
        assert_eq!(m.detail(Exporter::Node).unwrap(), "host up 1day 2h");
        let jmx =
            b"kafka_server_BrokerTopicMetrics_Count{name=\"MessagesInPerSec\"} 42\njvm_threads 7\n";
        let m = Metrics::parse(jmx, false).unwrap();
        assert_eq!(m.detail(Exporter::Jmx).unwrap(), "1 kafka_server_* samples");
    }

    #[test]
    fn html_and_empty_answers_are_not_metrics() {
        let e = Metrics::parse(b"<html><body>It works!</body></html>", false).unwrap_err();
        assert!(e.contains("not Prometheus text"), "{e}");
        assert!(Metrics::parse(b"", false).is_err());
    }
}
