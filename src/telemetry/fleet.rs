//! The fleet as series, worked out from one inventory at scrape time: nothing is kept
//! between scrapes, so a cluster that leaves the inventory leaves `/metrics` with it.
//!
//! Every per-cluster series carries `cluster` (the name) and `cluster_arn`, the labels
//! the generated targets carry, so they join with the exporters' own series;
//! `msk_console_cluster_info` adds the rest (region, source, account, kind, Kafka
//! version) to join on. The series:
//! - `msk_console_cluster_info{cluster,cluster_arn,region,source,account,kind,kafka_version}` 1;
//! - `msk_console_cluster_monitoring_enabled{cluster,cluster_arn,exporter}` 1 or 0, for
//!   clusters that can have open monitoring (not serverless);
//! - `msk_console_exporter_up{cluster,cluster_arn,broker,node_type,exporter}` 1 or 0, for
//!   every enabled exporter the last probe asked (`broker` is the node's host name);
//! - `msk_console_cluster_health{cluster,cluster_arn,state}` 1 for the cluster's state and
//!   0 for the others, once it has a judgement;
//! - `msk_console_cluster_alarm_key_metrics{cluster,cluster_arn}`, `…_covered` and
//!   `msk_console_cluster_alarms_firing`: the CloudWatch alarm coverage, once read;
//! - `msk_console_source_up{source,region}` 1 when the source's last listing of the
//!   region succeeded, and `msk_console_source_clusters{source,region}`.

use app::model::{Cluster, ClusterKind, HealthState, Inventory, ProbeState};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use super::counters::{label, Labels};

/// The fleet's text, kept until the inventory moves: a scrape between two publishes
/// costs the console's own counters only.
#[derive(Debug, Default)]
pub struct Cache(std::sync::Mutex<Option<(u64, std::sync::Arc<String>)>>);

impl Cache {
    /// The exposition of `inv`, the inventory of `version` ([`crate::live::Live::version`]).
    pub fn text(
        &self,
        version: u64,
        inv: &Inventory,
    ) -> Result<std::sync::Arc<String>, std::fmt::Error> {
        let mut kept = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((v, text)) = kept.as_ref() {
            if *v == version {
                return Ok(text.clone());
            }
        }
        let mut out = String::new();
        prometheus_client::encoding::prometheus_text::encode(&mut out, &registry(inv))?;
        let text = std::sync::Arc::new(out);
        *kept = Some((version, text.clone()));
        Ok(text)
    }
}

/// Each cluster's identifying labels.
fn ids(c: &Cluster) -> Labels {
    vec![("cluster", label(&c.name)), ("cluster_arn", label(&c.arn))]
}

fn with(mut base: Labels, more: &[(&'static str, &str)]) -> Labels {
    base.extend(more.iter().map(|(k, v)| (*k, label(v))));
    base
}

const STATES: [HealthState; 4] = [
    HealthState::Critical,
    HealthState::Warning,
    HealthState::Unknown,
    HealthState::Healthy,
];

/// The series of one inventory, in a registry of their own.
pub fn registry(inv: &Inventory) -> Registry {
    let gauges = || Family::<Labels, Gauge>::default();
    let (info, monitoring, up, health) = (gauges(), gauges(), gauges(), gauges());
    let (key_metrics, covered, firing) = (gauges(), gauges(), gauges());
    let (source_up, source_clusters) = (gauges(), gauges());
    for c in &inv.clusters {
        info.get_or_create(&with(
            ids(c),
            &[
                ("region", &c.region),
                ("source", &c.source),
                ("account", c.account.as_deref().unwrap_or("")),
                ("kind", kind(c.kind)),
                ("kafka_version", c.kafka_version.as_deref().unwrap_or("")),
            ],
        ))
        .set(1);
        if c.kind != ClusterKind::Serverless {
            for (exporter, on) in [
                ("jmx", c.monitoring.jmx_exporter),
                ("node", c.monitoring.node_exporter),
            ] {
                monitoring
                    .get_or_create(&with(ids(c), &[("exporter", exporter)]))
                    .set(i64::from(on));
            }
        }
        if let Some(r) = inv.reachability.get(&c.id).filter(|_| inv.probes(c)) {
            let exporter = |host: &str, node_type: &str, name: &str, state: ProbeState| {
                let value = match state {
                    ProbeState::Up => 1,
                    ProbeState::Down => 0,
                    // Off (or answering while off): not an enabled exporter.
                    ProbeState::Off | ProbeState::Unexpected => return,
                };
                up.get_or_create(&with(
                    ids(c),
                    &[
                        ("broker", host),
                        ("node_type", node_type),
                        ("exporter", name),
                    ],
                ))
                .set(value);
            };
            for b in &r.brokers {
                exporter(&b.host, "broker", "jmx", b.jmx.state);
                exporter(&b.host, "broker", "node", b.node.state);
            }
            for k in &r.controllers {
                exporter(&k.host, "controller", "jmx", k.jmx.state);
            }
        }
        if let Some(h) = inv.health(c) {
            for s in STATES {
                health
                    .get_or_create(&with(ids(c), &[("state", s.label())]))
                    .set(i64::from(s == h.state));
            }
        }
        if let Some(a) = inv.cloudwatch.get(&c.id).and_then(|r| r.alarms.as_ref()) {
            let brief = app::model::AlarmsBrief::of(a);
            key_metrics
                .get_or_create(&ids(c))
                .set(i64::from(brief.total));
            covered.get_or_create(&ids(c)).set(i64::from(brief.covered));
            firing.get_or_create(&ids(c)).set(i64::from(brief.firing));
        }
    }
    for s in &inv.sources {
        let labels = vec![("source", label(&s.source)), ("region", label(&s.region))];
        source_up
            .get_or_create(&labels)
            .set(i64::from(s.error.is_none()));
        source_clusters
            .get_or_create(&labels)
            .set(i64::try_from(s.clusters).unwrap_or(i64::MAX));
    }
    let mut r = Registry::default();
    r.register(
        "msk_console_cluster_info",
        "Every cluster the console lists (always 1); join on cluster_arn for its region, source, account, kind and Kafka version",
        info,
    );
    r.register(
        "msk_console_cluster_monitoring_enabled",
        "Whether MSK's open monitoring has the exporter enabled (1) or not (0); serverless clusters have none",
        monitoring,
    );
    r.register(
        "msk_console_exporter_up",
        "Whether the console's last probe of an enabled exporter got metrics (1) or not (0)",
        up,
    );
    r.register(
        "msk_console_cluster_health",
        "The cluster's health as the console judges it: 1 for its state, 0 for the others",
        health,
    );
    r.register(
        "msk_console_cluster_alarm_key_metrics",
        "Key MSK metrics that should have a CloudWatch alarm on this cluster",
        key_metrics,
    );
    r.register(
        "msk_console_cluster_alarm_key_metrics_covered",
        "Key MSK metrics with a CloudWatch alarm on every broker they apply to",
        covered,
    );
    r.register(
        "msk_console_cluster_alarms_firing",
        "CloudWatch alarms on the cluster's key metrics in the ALARM state",
        firing,
    );
    r.register(
        "msk_console_source_up",
        "Whether the source's last listing of the region succeeded (1) or failed (0)",
        source_up,
    );
    r.register(
        "msk_console_source_clusters",
        "Clusters the source's last good listing of the region found",
        source_clusters,
    );
    r
}

fn kind(k: ClusterKind) -> &'static str {
    match k {
        ClusterKind::Provisioned => "provisioned",
        ClusterKind::Serverless => "serverless",
        ClusterKind::SelfManaged => "self-managed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::fixtures;

    fn text(inv: &Inventory) -> String {
        let mut out = String::new();
        prometheus_client::encoding::prometheus_text::encode(&mut out, &registry(inv)).unwrap();
        out
    }

    #[test]
    fn a_cluster_without_open_monitoring_says_so_and_serverless_has_no_such_series() {
        let mut off = fixtures::cluster("orders", "prod", "eu-west-1");
        off.monitoring.jmx_exporter = false;
        off.monitoring.node_exporter = true;
        let mut sl = fixtures::cluster("events", "prod", "eu-west-1");
        sl.kind = ClusterKind::Serverless;
        let inv = Inventory {
            clusters: vec![off.clone(), sl.clone()],
            ..Inventory::default()
        };
        let t = text(&inv);
        let line = |exporter: &str| {
            format!(
                "msk_console_cluster_monitoring_enabled{{cluster=\"orders\",cluster_arn=\"{}\",exporter=\"{exporter}\"}}",
                off.arn
            )
        };
        assert!(t.contains(&format!("{} 0\n", line("jmx"))), "{t}");
        assert!(t.contains(&format!("{} 1\n", line("node"))), "{t}");
        assert!(!t.contains("monitoring_enabled{cluster=\"events\""), "{t}");
        assert!(
            t.contains("msk_console_cluster_info{cluster=\"events\""),
            "{t}"
        );
        assert!(t.contains("kind=\"serverless\""), "{t}");
    }

    #[test]
    fn hostile_names_stay_inside_their_label_value() {
        let mut c = fixtures::cluster("hostile", "prod", "eu-west-1");
        c.name = "a\"b\\c\nd}\r\u{2028}<x>".into();
        c.kafka_version = Some("3.6\n# TYPE evil gauge".into());
        let inv = Inventory {
            clusters: vec![c],
            ..Inventory::default()
        };
        let t = text(&inv);
        assert!(
            t.lines()
                .all(|l| l.starts_with("msk_console_") || l.starts_with("# ")),
            "{t}"
        );
        assert!(
            t.contains("cluster=\"a\\\"b\\\\c\\nd}\u{fffd}\u{fffd}<x>\""),
            "{t}"
        );
        assert!(!t.contains(['\r', '\u{2028}']), "{t}");
        assert!(!t.contains("\n# TYPE evil"), "{t}");
    }
}
