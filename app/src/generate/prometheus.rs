//! Prometheus service discovery for MSK open monitoring.
//!
//! AWS documents file_sd `targets.json` with one group per exporter
//! (<https://docs.aws.amazon.com/msk/latest/developerguide/open-monitoring.html>):
//!
//! ```json
//! [{"labels":{"job":"jmx"},"targets":["b-1.…:11001","b-2.…:11001"]},
//!  {"labels":{"job":"node"},"targets":["b-1.…:11002","b-2.…:11002"]}]
//! ```
//!
//! We emit that per cluster, for enabled exporters only, with labels that keep many
//! clusters apart (`cluster`, `cluster_arn`, `region`, `source`, `account`) and say what
//! kind of node a target is (`node_type`: `broker`, or `controller` for the KRaft
//! controllers, which AWS's guide adds to the jmx job). The http_sd
//! endpoint serves the same groups live. The `prometheus.yml` we write is valid YAML (the
//! seed's snippet is not): every scalar is a JSON string, which YAML reads as a
//! double-quoted scalar, so no name or path can break it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::comment_safe;
use crate::model::{Access, Cluster, ClusterKind, JMX_EXPORTER_PORT, NODE_EXPORTER_PORT};

/// One file_sd / http_sd target group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetGroup {
    pub labels: BTreeMap<String, String>,
    pub targets: Vec<String>,
}

/// The brokers' host names: from ListNodes, or, when that is missing (self-managed
/// clusters listed without brokers), from the first private bootstrap string.
pub fn broker_hosts(c: &Cluster) -> Vec<String> {
    let mut hosts: Vec<String> = c
        .brokers
        .iter()
        .filter_map(|b| b.endpoints.first().cloned())
        .collect();
    if hosts.is_empty() {
        if let Some(b) = c
            .bootstrap
            .iter()
            .find(|b| b.listener.access() == Access::Private)
            .or_else(|| c.bootstrap.first())
        {
            hosts = b
                .servers
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|hp| {
                    hp.rsplit_once(':')
                        .map(|(h, _)| h)
                        .unwrap_or(hp)
                        .to_string()
                })
                .collect();
        }
    }
    hosts.dedup();
    hosts
}

/// Why a cluster contributes no targets, if it does not.
pub fn no_targets_reason(c: &Cluster) -> Option<String> {
    if c.kind == ClusterKind::Serverless {
        return Some(
            "Serverless clusters have no open monitoring: there are no exporters to scrape.".into(),
        );
    }
    if !c.monitoring.jmx_exporter && !c.monitoring.node_exporter {
        return Some(
            "Open monitoring is off for this cluster (neither the JMX nor the node exporter is enabled), \
             so it contributes no targets."
                .into(),
        );
    }
    if broker_hosts(c).is_empty() {
        return Some(
            "No broker host names are known for this cluster, so there are no targets.".into(),
        );
    }
    None
}

/// The KRaft controllers' host names (they run the JMX exporter only).
pub fn controller_hosts(c: &Cluster) -> Vec<String> {
    c.controllers
        .iter()
        .filter_map(|k| k.host().map(str::to_string))
        .collect()
}

/// Which tags of a cluster become labels of its targets (`tag_<key>`), as the console
/// is configured: teams choose, since every label is a new series dimension.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TagLabels(Vec<String>);

impl TagLabels {
    pub fn new(keys: impl IntoIterator<Item = String>) -> TagLabels {
        TagLabels(keys.into_iter().filter(|k| !k.trim().is_empty()).collect())
    }

    /// A tag key as a Prometheus label name: `tag_` and the key with every character
    /// outside `[A-Za-z0-9_]` as `_` (`cost-center` → `tag_cost_center`).
    pub fn label_name(key: &str) -> String {
        let mut name = String::from("tag_");
        name.extend(key.chars().map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        }));
        name
    }

    fn labels(&self, c: &Cluster) -> impl Iterator<Item = (String, String)> + '_ {
        let tags = c.tags.clone();
        self.0
            .iter()
            .filter_map(move |k| tags.get(k).map(|v| (Self::label_name(k), comment_safe(v))))
    }
}

/// The target groups of some clusters: per cluster, one group per enabled exporter and
/// kind of node. Brokers run both exporters; KRaft controllers only the JMX exporter, so
/// they join the `jmx` job on :11001 (as AWS's open-monitoring guide does it for KRaft).
/// Every group says which kind of node it holds in `node_type` (`broker`, `controller`).
pub fn target_groups<'a>(clusters: impl IntoIterator<Item = &'a Cluster>) -> Vec<TargetGroup> {
    target_groups_with(clusters, &TagLabels::default())
}

/// [`target_groups`] with the chosen tags as labels.
pub fn target_groups_with<'a>(
    clusters: impl IntoIterator<Item = &'a Cluster>,
    tags: &TagLabels,
) -> Vec<TargetGroup> {
    let mut groups = Vec::new();
    for c in clusters {
        if no_targets_reason(c).is_some() {
            continue;
        }
        let (brokers, controllers) = (broker_hosts(c), controller_hosts(c));
        for (enabled, job, port, node_type, hosts) in [
            (
                c.monitoring.jmx_exporter,
                "jmx",
                JMX_EXPORTER_PORT,
                "broker",
                &brokers,
            ),
            (
                c.monitoring.jmx_exporter,
                "jmx",
                JMX_EXPORTER_PORT,
                "controller",
                &controllers,
            ),
            (
                c.monitoring.node_exporter,
                "node",
                NODE_EXPORTER_PORT,
                "broker",
                &brokers,
            ),
        ] {
            if !enabled || hosts.is_empty() {
                continue;
            }
            let mut labels = BTreeMap::from([
                ("job".to_string(), job.to_string()),
                ("cluster".to_string(), c.name.clone()),
                ("cluster_arn".to_string(), c.arn.clone()),
                ("region".to_string(), c.region.clone()),
                ("source".to_string(), c.source.clone()),
                ("node_type".to_string(), node_type.to_string()),
            ]);
            if let Some(a) = &c.account {
                labels.insert("account".into(), a.clone());
            }
            labels.extend(tags.labels(c));
            groups.push(TargetGroup {
                labels,
                targets: hosts.iter().map(|h| format!("{h}:{port}")).collect(),
            });
        }
    }
    groups
}

/// `targets.json`, pretty-printed as AWS shows it.
pub fn targets_json<'a>(clusters: impl IntoIterator<Item = &'a Cluster>) -> String {
    targets_json_with(clusters, &TagLabels::default())
}

/// [`targets_json`] with the chosen tags as labels.
pub fn targets_json_with<'a>(
    clusters: impl IntoIterator<Item = &'a Cluster>,
    tags: &TagLabels,
) -> String {
    let mut s = serde_json::to_string_pretty(&target_groups_with(clusters, tags))
        .unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}

/// How Prometheus finds the targets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Discovery {
    /// `file_sd_configs` reading a downloaded `targets.json` at this path.
    File { path: String },
    /// `http_sd_configs` polling the console's live endpoint at this URL; with a login
    /// in force, Prometheus sends the bearer token in `credentials_file`.
    Http {
        url: String,
        credentials_file: Option<String>,
    },
}

/// Where Prometheus reaches the console's live `/sd/targets` endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SdEndpoint {
    /// The console's base URL, without a trailing slash.
    pub console_url: String,
    /// The token file Prometheus authenticates with, when a login is in force.
    pub credentials_file: Option<String>,
}

/// Where the generated http_sd config tells Prometheus to read its console token.
pub const TOKEN_FILE: &str = "/etc/prometheus/msk-console.token";

/// A YAML scalar that nothing can break: a JSON string is a YAML double-quoted scalar,
/// and what YAML does not allow in a document even there (DEL, the C1 controls, the line
/// and paragraph separators, U+FFFE and U+FFFF: Prometheus refuses a file with "control
/// characters are not allowed") is written as a `\uXXXX` escape, which YAML reads back
/// as the same character.
pub(crate) fn yaml_str(s: &str) -> String {
    let json = serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    if !json.chars().any(yaml_unprintable) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if yaml_unprintable(c) {
            out.push_str(&format!("\\u{:04X}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Characters outside YAML's printable set (YAML 1.2, 5.1) that JSON leaves as they are.
fn yaml_unprintable(c: char) -> bool {
    matches!(
        c,
        '\u{7f}'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{fffe}' | '\u{ffff}' | '\u{feff}'
    )
}

/// A complete, valid `prometheus.yml` with one scrape job for the exporters.
pub fn prometheus_yml(
    scope: &str,
    discovery: &Discovery,
    job_name: &str,
    generated_at: &str,
) -> String {
    let mut out = String::new();
    let mut comment = |s: &str| {
        out.push_str("# ");
        out.push_str(&comment_safe(s));
        out.push('\n');
    };
    comment("Prometheus scrape configuration for Amazon MSK open monitoring:");
    comment(&format!("JMX exporter on :{JMX_EXPORTER_PORT}, node exporter on :{NODE_EXPORTER_PORT} of every broker;"));
    comment(&format!(
        "on KRaft clusters also the controllers' JMX exporter on :{JMX_EXPORTER_PORT}."
    ));
    comment(&format!("Scope: {scope}"));
    comment(&format!(
        "Generated by msk-console {} at {generated_at}",
        crate::VERSION
    ));
    comment(&format!("Follows: {}", super::docs::OPEN_MONITORING));
    comment(
        "Targets carry the labels job (jmx or node), node_type (broker or controller), cluster,",
    );
    comment("cluster_arn, region, source and account.");
    comment("Check it with: promtool check config prometheus.yml");
    out.push_str("scrape_configs:\n");
    out.push_str(&format!("  - job_name: {}\n", yaml_str(job_name)));
    match discovery {
        Discovery::File { path } => {
            out.push_str("    file_sd_configs:\n");
            out.push_str("      - files:\n");
            out.push_str(&format!("          - {}\n", yaml_str(path)));
            out.push_str("        refresh_interval: 5m\n");
        }
        Discovery::Http {
            url,
            credentials_file,
        } => {
            out.push_str("    http_sd_configs:\n");
            out.push_str(&format!("      - url: {}\n", yaml_str(url)));
            out.push_str("        refresh_interval: 1m\n");
            if let Some(file) = credentials_file {
                out.push_str("        # The console asks for a token: create one with\n");
                out.push_str("        #   msk-console token create prometheus --role viewer\n");
                out.push_str("        # and write it (alone) into this file.\n");
                out.push_str("        authorization:\n");
                out.push_str("          type: Bearer\n");
                out.push_str(&format!("          credentials_file: {}\n", yaml_str(file)));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn yaml_strings_escape_what_yaml_refuses() {
        use super::yaml_str;
        assert_eq!(yaml_str("orders"), "\"orders\"");
        assert_eq!(yaml_str("a\nb\"c"), "\"a\\nb\\\"c\"");
        assert_eq!(
            yaml_str("del\u{7f} c1\u{85}\u{9b} sep\u{2028} bom\u{feff} non\u{ffff}"),
            "\"del\\u007F c1\\u0085\\u009B sep\\u2028 bom\\uFEFF non\\uFFFF\""
        );
        assert_eq!(yaml_str("Grüße <b>"), "\"Grüße <b>\"");
    }

    use super::*;
    use crate::model::*;

    /// The seed's cluster: three brokers, both exporters on.
    fn seed_cluster() -> Cluster {
        Cluster {
            arn: "arn:aws:kafka:ap-northeast-2:123456789012:cluster/ycshinmsk/7arwuf-4".into(),
            metadata: MetadataMode::ZooKeeper,
            broker_count: Some(3),
            brokers: (1..=3)
                .map(|i| Broker {
                    id: i,
                    endpoints: vec![format!(
                        "b-{i}.ycshinmsk.7arwuf.c4.kafka.ap-northeast-2.amazonaws.com"
                    )],
                    client_vpc_ip: None,
                    node_arn: None,
                })
                .collect(),
            ..crate::model::fixtures::cluster("ycshinmsk", "seoul", "ap-northeast-2")
        }
    }

    #[test]
    fn kraft_controllers_join_the_jmx_job_only_and_every_group_names_its_node_type() {
        let kraft = Cluster {
            metadata: MetadataMode::KRaft,
            controllers: (1..=3)
                .map(|i| Controller {
                    endpoints: vec![format!(
                        "c-{i}.ycshinmsk.7arwuf.c4.kafka.ap-northeast-2.amazonaws.com"
                    )],
                    node_arn: None,
                })
                .collect(),
            ..seed_cluster()
        };
        let groups = target_groups([&kraft]);
        let shape: Vec<(&str, &str, usize)> = groups
            .iter()
            .map(|g| {
                (
                    g.labels["job"].as_str(),
                    g.labels["node_type"].as_str(),
                    g.targets.len(),
                )
            })
            .collect();
        assert_eq!(
            shape,
            [
                ("jmx", "broker", 3),
                ("jmx", "controller", 3),
                ("node", "broker", 3)
            ]
        );
        assert_eq!(
            groups[1].targets[0],
            "c-1.ycshinmsk.7arwuf.c4.kafka.ap-northeast-2.amazonaws.com:11001"
        );
        // Without the JMX exporter the controllers have nothing to scrape.
        let mut node_only = kraft.clone();
        node_only.monitoring.jmx_exporter = false;
        let groups = target_groups([&node_only]);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].labels["node_type"], "broker");
    }

    #[test]
    fn chosen_tags_become_labels_with_prometheus_names() {
        let mut c = seed_cluster();
        c.tags.insert("cost-center".into(), "42".into());
        c.tags.insert("team".into(), "data\nplatform".into());
        c.tags.insert("secret".into(), "not a label".into());
        let tags = TagLabels::new([
            "cost-center".to_string(),
            "team".to_string(),
            "absent".to_string(),
        ]);
        let g = &target_groups_with([&c], &tags)[0];
        assert_eq!(g.labels["tag_cost_center"], "42");
        assert_eq!(g.labels["tag_team"], "data platform");
        assert!(!g.labels.contains_key("tag_secret"));
        assert!(!g.labels.contains_key("tag_absent"));
        // Without the option, no tag is a label.
        assert!(!target_groups([&c])[0]
            .labels
            .keys()
            .any(|k| k.starts_with("tag_")));
    }

    #[test]
    fn targets_are_the_seeds_groups_with_labels_added() {
        let groups = target_groups([&seed_cluster()]);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].labels["job"], "jmx");
        assert_eq!(
            groups[0].targets,
            [
                "b-1.ycshinmsk.7arwuf.c4.kafka.ap-northeast-2.amazonaws.com:11001",
                "b-2.ycshinmsk.7arwuf.c4.kafka.ap-northeast-2.amazonaws.com:11001",
                "b-3.ycshinmsk.7arwuf.c4.kafka.ap-northeast-2.amazonaws.com:11001",
            ]
        );
        assert_eq!(groups[1].labels["job"], "node");
        assert_eq!(
            groups[1].targets,
            [
                "b-1.ycshinmsk.7arwuf.c4.kafka.ap-northeast-2.amazonaws.com:11002",
                "b-2.ycshinmsk.7arwuf.c4.kafka.ap-northeast-2.amazonaws.com:11002",
                "b-3.ycshinmsk.7arwuf.c4.kafka.ap-northeast-2.amazonaws.com:11002",
            ]
        );
        for g in &groups {
            assert_eq!(g.labels["cluster"], "ycshinmsk");
            assert_eq!(g.labels["region"], "ap-northeast-2");
            assert_eq!(g.labels["source"], "seoul");
            assert_eq!(g.labels["account"], "123456789012");
            assert!(g.labels["cluster_arn"].starts_with("arn:aws:kafka:"));
        }
        // The JSON has AWS's shape: a list of {labels, targets}.
        let v: serde_json::Value = serde_json::from_str(&targets_json([&seed_cluster()])).unwrap();
        assert_eq!(v[0]["labels"]["job"], "jmx");
        assert_eq!(
            v[1]["targets"][2],
            "b-3.ycshinmsk.7arwuf.c4.kafka.ap-northeast-2.amazonaws.com:11002"
        );
    }

    #[test]
    fn only_enabled_exporters_and_monitored_clusters_contribute() {
        let mut c = seed_cluster();
        c.monitoring.node_exporter = false;
        let g = target_groups([&c]);
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].labels["job"], "jmx");
        c.monitoring.jmx_exporter = false;
        assert!(target_groups([&c]).is_empty());
        assert!(no_targets_reason(&c)
            .unwrap()
            .contains("Open monitoring is off"));
        assert_eq!(targets_json([&c]), "[]\n");
    }

    #[test]
    fn without_brokers_the_bootstrap_hosts_stand_in() {
        let mut c = seed_cluster();
        c.brokers.clear();
        c.bootstrap = vec![Bootstrap {
            listener: Listener::SaslScram,
            servers: "k1.dc:9096,k2.dc:9096".into(),
        }];
        assert_eq!(broker_hosts(&c), ["k1.dc", "k2.dc"]);
    }

    #[test]
    fn prometheus_yml_quotes_everything_and_has_no_tabs() {
        let y = prometheus_yml(
            "cluster \"x\"\nnewline",
            &Discovery::File {
                path: "targets \"1\".json".into(),
            },
            "msk",
            "T",
        );
        assert!(y.contains("scrape_configs:\n  - job_name: \"msk\"\n    file_sd_configs:\n      - files:\n          - \"targets \\\"1\\\".json\"\n"));
        assert!(!y.contains('\t'));
        assert!(
            y.lines()
                .all(|l| l.starts_with('#') || l.starts_with(' ') || l == "scrape_configs:"),
            "{y}"
        );
        let h = prometheus_yml(
            "all",
            &Discovery::Http {
                url: "http://127.0.0.1:3000/sd/targets".into(),
                credentials_file: None,
            },
            "msk",
            "T",
        );
        assert!(h.contains("    http_sd_configs:\n      - url: \"http://127.0.0.1:3000/sd/targets\"\n        refresh_interval: 1m\n"));
        assert!(!h.contains("authorization"));
        let a = prometheus_yml(
            "all",
            &Discovery::Http {
                url: "http://127.0.0.1:3000/sd/targets".into(),
                credentials_file: Some(TOKEN_FILE.into()),
            },
            "msk",
            "T",
        );
        assert!(a.ends_with("        authorization:\n          type: Bearer\n          credentials_file: \"/etc/prometheus/msk-console.token\"\n"), "{a}");
    }
}
