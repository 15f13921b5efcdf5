//! A Grafana dashboard (JSON model, import it under Dashboards → New → Import) for MSK
//! open monitoring on the labels of the targets the console generates (`job` = `jmx` or
//! `node`, `cluster`, `cluster_arn`, `node_type`, `instance`), with a `cluster`
//! variable (several or all at once) and a Prometheus data source variable.
//!
//! Every query reads a metric MSK's exporters serve under the name AWS's open-monitoring
//! JMX exporter gives it (the MBean's `name` as a label:
//! `kafka_server_ReplicaManager_Value{name="UnderReplicatedPartitions"}`) or a node
//! exporter metric; `tests/dashboards.rs` checks every query with `promtool`. The
//! thresholds are those of the console's health judgement, as in the alert rules.

use serde_json::{json, Value};

use super::rules::{scope_matcher, Scope, VOLUME_MOUNTPOINT};
use crate::model::health::{VOLUME_CRITICAL, VOLUME_WARNING};

/// One panel: its title, unit, kind and queries (legend, PromQL with `{m}` standing for
/// the cluster matcher).
struct Panel {
    title: &'static str,
    description: &'static str,
    kind: &'static str,
    unit: &'static str,
    width: u32,
    queries: Vec<(&'static str, String)>,
}

fn panels(m: &str) -> Vec<Panel> {
    let jmx = format!("job=\"jmx\",{m}");
    let node = format!("job=\"node\",{m}");
    let rate = "$__rate_interval";
    vec![
        Panel {
            title: "Exporters up",
            description: "Share of the cluster's exporter targets Prometheus scraped last time.",
            kind: "stat",
            unit: "percentunit",
            width: 6,
            queries: vec![(
                "{{cluster}}",
                format!("sum by (cluster) (up{{job=~\"jmx|node\",{m}}}) / count by (cluster) (up{{job=~\"jmx|node\",{m}}})"),
            )],
        },
        Panel {
            title: "Active controllers",
            description: "Summed over the brokers (or KRaft controllers): exactly 1 is healthy.",
            kind: "stat",
            unit: "short",
            width: 6,
            queries: vec![(
                "{{cluster}}",
                format!("sum by (cluster) (kafka_controller_KafkaController_Value{{name=\"ActiveControllerCount\",{jmx}}})"),
            )],
        },
        Panel {
            title: "Offline partitions",
            description: "Partitions without a leader: clients can neither read nor write them.",
            kind: "stat",
            unit: "short",
            width: 6,
            queries: vec![(
                "{{cluster}}",
                format!("sum by (cluster) (kafka_controller_KafkaController_Value{{name=\"OfflinePartitionsCount\",{jmx}}})"),
            )],
        },
        Panel {
            title: "Partitions",
            description: "Partition replicas per broker.",
            kind: "stat",
            unit: "short",
            width: 6,
            queries: vec![(
                "{{cluster}}",
                format!("sum by (cluster) (kafka_server_ReplicaManager_Value{{name=\"PartitionCount\",{jmx}}})"),
            )],
        },
        Panel {
            title: "Under-replicated partitions",
            description: "Above 0 for long: a broker is down, slow or overloaded.",
            kind: "timeseries",
            unit: "short",
            width: 12,
            queries: vec![(
                "{{cluster}} {{instance}}",
                format!("kafka_server_ReplicaManager_Value{{name=\"UnderReplicatedPartitions\",{jmx}}}"),
            )],
        },
        Panel {
            title: "Partitions under min ISR",
            description: "Producers with acks=all cannot write to these partitions.",
            kind: "timeseries",
            unit: "short",
            width: 12,
            queries: vec![(
                "{{cluster}} {{instance}}",
                format!("kafka_server_ReplicaManager_Value{{name=\"UnderMinIsrPartitionCount\",{jmx}}}"),
            )],
        },
        Panel {
            title: "Bytes in",
            description: "Bytes produced to each broker per second (all topics).",
            kind: "timeseries",
            unit: "Bps",
            width: 12,
            queries: vec![(
                "{{cluster}} {{instance}}",
                format!("rate(kafka_server_BrokerTopicMetrics_Count{{name=\"BytesInPerSec\",topic=\"\",{jmx}}}[{rate}])"),
            )],
        },
        Panel {
            title: "Bytes out",
            description: "Bytes fetched from each broker per second (all topics; replication included).",
            kind: "timeseries",
            unit: "Bps",
            width: 12,
            queries: vec![(
                "{{cluster}} {{instance}}",
                format!("rate(kafka_server_BrokerTopicMetrics_Count{{name=\"BytesOutPerSec\",topic=\"\",{jmx}}}[{rate}])"),
            )],
        },
        Panel {
            title: "Messages in",
            description: "Messages produced to each broker per second (all topics).",
            kind: "timeseries",
            unit: "short",
            width: 12,
            queries: vec![(
                "{{cluster}} {{instance}}",
                format!("rate(kafka_server_BrokerTopicMetrics_Count{{name=\"MessagesInPerSec\",topic=\"\",{jmx}}}[{rate}])"),
            )],
        },
        Panel {
            title: "Request latency (mean total time)",
            description: "Mean time a Produce or consumer Fetch request spends in the broker, in milliseconds.",
            kind: "timeseries",
            unit: "ms",
            width: 12,
            queries: vec![(
                "{{cluster}} {{instance}} {{request}}",
                format!("kafka_network_RequestMetrics_Mean{{name=\"TotalTimeMs\",request=~\"Produce|FetchConsumer\",{jmx}}}"),
            )],
        },
        Panel {
            title: "CPU busy",
            description: "Share of CPU time not idle, per broker.",
            kind: "timeseries",
            unit: "percent",
            width: 8,
            queries: vec![(
                "{{cluster}} {{instance}}",
                format!("100 * (1 - avg by (cluster, instance) (rate(node_cpu_seconds_total{{mode=\"idle\",{node}}}[{rate}])))"),
            )],
        },
        Panel {
            title: "Memory used",
            description: "Memory not available to new work, per broker.",
            kind: "timeseries",
            unit: "percent",
            width: 8,
            queries: vec![(
                "{{cluster}} {{instance}}",
                format!("100 * (1 - node_memory_MemAvailable_bytes{{{node}}} / node_memory_MemTotal_bytes{{{node}}})"),
            )],
        },
        Panel {
            title: "Data volume used",
            description: "The broker's data volume (mounted under /kafka), used.",
            kind: "timeseries",
            unit: "percent",
            width: 8,
            queries: vec![(
                "{{cluster}} {{instance}} {{mountpoint}}",
                format!(
                    "100 * (1 - node_filesystem_avail_bytes{{mountpoint=~\"{VOLUME_MOUNTPOINT}\",{node}}} / node_filesystem_size_bytes{{mountpoint=~\"{VOLUME_MOUNTPOINT}\",{node}}})"
                ),
            )],
        },
    ]
}

/// What a dashboard covers.
pub struct DashboardScope<'a> {
    pub scope: Scope<'a>,
    /// Its title and uid stem (`uid` is made of letters, digits and `-`, at most 40).
    pub title: String,
    pub uid: String,
    /// The cluster the `cluster` variable starts on (a per-cluster dashboard).
    pub selected: Option<&'a str>,
    pub generated_at: &'a str,
}

/// The dashboard as Grafana's JSON model.
pub fn dashboard(d: &DashboardScope) -> String {
    // The variable's own query and every panel's: the `cluster` variable, narrowed to
    // the scope's clusters by ARN.
    let scope = scope_matcher(&d.scope);
    let m = format!("cluster=~\"$cluster\"{scope}");
    let datasource = json!({"type": "prometheus", "uid": "${datasource}"});
    let (mut x, mut y, mut row_height) = (0u32, 0u32, 0u32);
    let mut out = Vec::new();
    for (i, p) in panels(&m).into_iter().enumerate() {
        let height = if p.kind == "stat" { 4 } else { 8 };
        if x + p.width > 24 {
            x = 0;
            y += row_height;
            row_height = 0;
        }
        let targets: Vec<Value> = p
            .queries
            .iter()
            .enumerate()
            .map(|(j, (legend, expr))| {
                json!({
                    "refId": char::from(b'A' + (j % 26) as u8).to_string(),
                    "datasource": datasource,
                    "expr": expr,
                    "legendFormat": legend,
                })
            })
            .collect();
        let mut defaults = json!({"unit": p.unit});
        if p.title == "Data volume used" {
            defaults["thresholds"] = json!({"mode": "absolute", "steps": [
                {"color": "green", "value": null},
                {"color": "orange", "value": VOLUME_WARNING / 10},
                {"color": "red", "value": VOLUME_CRITICAL / 10},
            ]});
        }
        out.push(json!({
            "id": i + 1,
            "type": p.kind,
            "title": p.title,
            "description": p.description,
            "datasource": datasource,
            "gridPos": {"h": height, "w": p.width, "x": x, "y": y},
            "fieldConfig": {"defaults": defaults, "overrides": []},
            "targets": targets,
        }));
        x += p.width;
        row_height = row_height.max(height);
    }
    let current = match d.selected {
        Some(name) => json!({"selected": true, "text": [name], "value": [name]}),
        None => json!({"selected": true, "text": ["All"], "value": ["$__all"]}),
    };
    let doc = json!({
        "title": d.title,
        "uid": d.uid,
        "description": format!(
            "Amazon MSK open monitoring, generated by msk-console {} at {}",
            crate::VERSION,
            d.generated_at
        ),
        "tags": ["msk", "kafka", "msk-console"],
        "timezone": "browser",
        "schemaVersion": 39,
        "version": 1,
        "editable": true,
        "refresh": "1m",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {"list": [
            {
                "name": "datasource",
                "label": "Data source",
                "type": "datasource",
                "query": "prometheus",
                "hide": 0,
            },
            {
                "name": "cluster",
                "label": "Cluster",
                "type": "query",
                "datasource": datasource,
                "query": {
                    "query": format!("label_values(up{{job=~\"jmx|node\"{scope}}}, cluster)"),
                    "refId": "PrometheusVariableQueryEditor-VariableQuery",
                },
                "definition": format!("label_values(up{{job=~\"jmx|node\"{scope}}}, cluster)"),
                "refresh": 2,
                "multi": true,
                "includeAll": true,
                "allValue": ".*",
                "sort": 1,
                "current": current,
                "hide": 0,
            },
        ]},
        "panels": out,
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// A dashboard uid from `s`: letters, digits and `-`, at most 40 characters.
pub fn uid(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let cut: String = out.trim_matches('-').chars().take(40).collect();
    if cut.is_empty() {
        "msk".into()
    } else {
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_panel_is_placed_once_and_reads_the_cluster_variable() {
        let text = dashboard(&DashboardScope {
            scope: Scope::All,
            title: "MSK \"all\"</script>".into(),
            uid: uid("msk-all"),
            selected: None,
            generated_at: "now",
        });
        let v: Value = serde_json::from_str(&text).unwrap();
        let panels = v["panels"].as_array().unwrap();
        assert_eq!(panels.len(), 13);
        let mut ids: Vec<u64> = panels.iter().map(|p| p["id"].as_u64().unwrap()).collect();
        ids.dedup();
        assert_eq!(ids.len(), 13);
        for p in panels {
            assert!(
                p["gridPos"]["x"].as_u64().unwrap() + p["gridPos"]["w"].as_u64().unwrap() <= 24
            );
            for t in p["targets"].as_array().unwrap() {
                assert!(
                    t["expr"]
                        .as_str()
                        .unwrap()
                        .contains("cluster=~\"$cluster\""),
                    "{t}"
                );
            }
        }
        assert_eq!(v["title"], "MSK \"all\"</script>");
    }

    #[test]
    fn uids_are_short_and_plain() {
        assert_eq!(uid("msk-Orders Prod/1"), "msk-orders-prod-1");
        assert_eq!(uid(&"x".repeat(99)).len(), 40);
        assert_eq!(uid("///"), "msk");
    }
}
