//! Prometheus alerting rules for the targets the console generates: a
//! `prometheus-rules.yml` to load with `rule_files:`.
//!
//! The rules select series by the labels our target groups carry (`job` = `jmx` or
//! `node`, `cluster`, `cluster_arn`, `node_type`), so they apply to exactly the
//! clusters the file was made for, and their annotations name the cluster and the
//! broker (`instance`). Thresholds are the ones the console's own health judgement uses
//! ([`crate::model::health`]), so a page and an alert agree.
//!
//! Like `prometheus.yml`, every scalar is written as a JSON string, which YAML reads as a
//! double-quoted scalar, and every label value inside an expression is a PromQL string
//! (Go escapes, which JSON's are), so no cluster name or ARN can break the file or the
//! expression.

use super::comment_safe;
use super::prometheus::yaml_str;
use crate::model::health::{VOLUME_CRITICAL, VOLUME_WARNING};
use crate::model::Cluster;

/// The clusters a rules file covers.
pub enum Scope<'a> {
    /// Every cluster the targets name, including ones added later.
    All,
    /// Only these clusters (by ARN).
    Clusters(&'a [&'a Cluster]),
}

/// The data volume the volume rules watch: MSK mounts the broker's data under `/kafka`.
pub const VOLUME_MOUNTPOINT: &str = "/kafka.*";

/// A regex that matches `s` literally (RE2 syntax, as Prometheus uses).
fn regex_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The label matcher that limits a rule to the scope, with a leading comma (or empty).
pub(super) fn scope_matcher(scope: &Scope) -> String {
    match scope {
        Scope::All => String::new(),
        Scope::Clusters([one]) => format!(
            ",cluster_arn={}",
            serde_json::to_string(&one.arn).unwrap_or_default()
        ),
        Scope::Clusters(many) => {
            let alternatives: Vec<String> = many.iter().map(|c| regex_literal(&c.arn)).collect();
            format!(
                ",cluster_arn=~{}",
                serde_json::to_string(&alternatives.join("|")).unwrap_or_default()
            )
        }
    }
}

/// One alerting rule, as the rules files write it.
pub(super) struct Rule {
    pub alert: &'static str,
    pub expr: String,
    pub for_: &'static str,
    pub severity: &'static str,
    pub summary: &'static str,
    pub description: &'static str,
}

/// Writes `lines` as a header comment (each line made safe for a comment).
pub(super) fn header(out: &mut String, lines: &[String]) {
    for line in lines {
        out.push_str("# ");
        out.push_str(&comment_safe(line));
        out.push('\n');
    }
}

/// Writes one rule group, an item of a `groups:` list, indented as a rules file's.
pub(super) fn group(out: &mut String, name: &str, rules: &[Rule]) {
    out.push_str(&format!("  - name: {}\n    rules:\n", yaml_str(name)));
    for r in rules {
        out.push_str(&format!("      - alert: {}\n", yaml_str(r.alert)));
        out.push_str(&format!("        expr: {}\n", yaml_str(&r.expr)));
        out.push_str(&format!("        for: {}\n", yaml_str(r.for_)));
        out.push_str("        labels:\n");
        out.push_str(&format!("          severity: {}\n", yaml_str(r.severity)));
        out.push_str("        annotations:\n");
        out.push_str(&format!("          summary: {}\n", yaml_str(r.summary)));
        out.push_str(&format!(
            "          description: {}\n",
            yaml_str(r.description)
        ));
    }
}

fn rules(m: &str) -> Vec<Rule> {
    let volume = |op_threshold: u16| {
        format!(
            "100 * (1 - node_filesystem_avail_bytes{{job=\"node\",mountpoint=~\"{VOLUME_MOUNTPOINT}\"{m}}} \
             / node_filesystem_size_bytes{{job=\"node\",mountpoint=~\"{VOLUME_MOUNTPOINT}\"{m}}}) >= {}",
            op_threshold / 10
        )
    };
    vec![
        Rule {
            alert: "MskExporterDown",
            expr: format!("up{{job=~\"jmx|node\"{m}}} == 0"),
            for_: "5m",
            severity: "warning",
            summary: "{{ $labels.job }} exporter down on {{ $labels.instance }} (cluster {{ $labels.cluster }})",
            description: "Prometheus has not scraped the {{ $labels.job }} exporter of {{ $labels.node_type }} {{ $labels.instance }} in cluster {{ $labels.cluster }} for 5 minutes. Check that open monitoring is enabled and that the security group allows ports 11001-11002 from Prometheus.",
        },
        Rule {
            alert: "MskUnderReplicatedPartitions",
            expr: format!(
                "kafka_server_ReplicaManager_Value{{name=\"UnderReplicatedPartitions\"{m}}} > 0"
            ),
            for_: "10m",
            severity: "warning",
            summary: "{{ $value }} under-replicated partitions on {{ $labels.instance }} (cluster {{ $labels.cluster }})",
            description: "Broker {{ $labels.instance }} of cluster {{ $labels.cluster }} has had under-replicated partitions for 10 minutes: a broker is down, slow or overloaded.",
        },
        Rule {
            alert: "MskUnderMinIsrPartitions",
            expr: format!(
                "kafka_server_ReplicaManager_Value{{name=\"UnderMinIsrPartitionCount\"{m}}} > 0"
            ),
            for_: "5m",
            severity: "critical",
            summary: "{{ $value }} partitions under min ISR on {{ $labels.instance }} (cluster {{ $labels.cluster }})",
            description: "Producers with acks=all cannot write to these partitions of cluster {{ $labels.cluster }} (broker {{ $labels.instance }}).",
        },
        Rule {
            alert: "MskOfflinePartitions",
            expr: format!(
                "sum by (cluster, cluster_arn) (kafka_controller_KafkaController_Value{{name=\"OfflinePartitionsCount\"{m}}}) > 0"
            ),
            for_: "1m",
            severity: "critical",
            summary: "{{ $value }} offline partitions in cluster {{ $labels.cluster }}",
            description: "Partitions of cluster {{ $labels.cluster }} have no leader: clients can neither read nor write them.",
        },
        Rule {
            alert: "MskActiveControllerCount",
            expr: format!(
                "sum by (cluster, cluster_arn) (kafka_controller_KafkaController_Value{{name=\"ActiveControllerCount\"{m}}}) != 1"
            ),
            for_: "5m",
            severity: "critical",
            summary: "Cluster {{ $labels.cluster }} has {{ $value }} active controllers (exactly 1 expected)",
            description: "Summed over the brokers (or the KRaft controllers) of cluster {{ $labels.cluster }}, the active controller count is {{ $value }}.",
        },
        Rule {
            alert: "MskDataVolumeFilling",
            expr: volume(VOLUME_WARNING),
            for_: "15m",
            severity: "warning",
            summary: "Data volume {{ $labels.mountpoint }} {{ $value | humanize }}% full on {{ $labels.instance }} (cluster {{ $labels.cluster }})",
            description: "Expand the broker storage of cluster {{ $labels.cluster }} or lower retention before the volume fills.",
        },
        Rule {
            alert: "MskDataVolumeFull",
            expr: volume(VOLUME_CRITICAL),
            for_: "5m",
            severity: "critical",
            summary: "Data volume {{ $labels.mountpoint }} {{ $value | humanize }}% full on {{ $labels.instance }} (cluster {{ $labels.cluster }})",
            description: "A broker of cluster {{ $labels.cluster }} is about to run out of disk: expand its storage now.",
        },
    ]
}

/// The rules file for `scope`, described by `described` in its header comment.
pub fn prometheus_rules(scope: &Scope, described: &str, generated_at: &str) -> String {
    let mut out = String::new();
    header(
        &mut out,
        &[
            "Prometheus alerting rules for Amazon MSK open monitoring, matching the targets".to_string(),
            "msk-console generates (labels job, cluster, cluster_arn, node_type).".to_string(),
            format!("Scope: {described}"),
            format!("Generated by msk-console {} at {generated_at}", crate::VERSION),
            "Load it with rule_files: in prometheus.yml; check it with: promtool check rules".to_string(),
            format!(
                "The volume rules watch mount points matching {VOLUME_MOUNTPOINT} (MSK's data volume); change"
            ),
            "the mountpoint matcher for self-managed brokers.".to_string(),
        ],
    );
    if let Scope::Clusters([]) = scope {
        out.push_str("# No cluster matched, so there are no rules.\ngroups: []\n");
        return out;
    }
    out.push_str("groups:\n");
    out.push_str(&rule_group(scope));
    out
}

/// The open-monitoring rules for `scope` as one item of a `groups:` list (empty for no
/// cluster), for a `PrometheusRule` ([`super::operator`]).
pub fn rule_group(scope: &Scope) -> String {
    let mut out = String::new();
    if !matches!(scope, Scope::Clusters([])) {
        group(&mut out, "msk-console", &rules(&scope_matcher(scope)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cluster(name: &str, arn: &str) -> Cluster {
        Cluster {
            arn: arn.into(),
            ..crate::model::fixtures::cluster(name, "prod", "eu-west-1")
        }
    }

    #[test]
    fn the_scope_limits_every_rule_by_arn_literally() {
        let a = cluster("a", "arn:aws:kafka:eu-west-1:1:cluster/a/x-1");
        let b = cluster("b", "arn:aws:kafka:eu-west-1:1:cluster/b.(x)|y\"\\z/2");
        let one = prometheus_rules(&Scope::Clusters(&[&a]), "cluster a", "now");
        assert!(one.contains(r#"up{job=~\"jmx|node\",cluster_arn=\"arn:aws:kafka:eu-west-1:1:cluster/a/x-1\"} == 0"#), "{one}");
        let two = prometheus_rules(&Scope::Clusters(&[&a, &b]), "2 clusters", "now");
        // Each expression is a YAML (JSON) string holding PromQL whose label value is a
        // PromQL (JSON) string holding a regex that matches b's ARN literally.
        let expr: String = two
            .lines()
            .find_map(|l| l.trim().strip_prefix("expr: "))
            .map(|e| serde_json::from_str(e).unwrap())
            .unwrap();
        let value = expr.split("cluster_arn=~").nth(1).unwrap();
        let value = &value[..value.rfind('}').unwrap()];
        let regex: String = serde_json::from_str(value).unwrap();
        assert_eq!(
            regex,
            r#"arn:aws:kafka:eu-west-1:1:cluster/a/x-1|arn:aws:kafka:eu-west-1:1:cluster/b\.\(x\)\|y"\\z/2"#
        );
        let all = prometheus_rules(&Scope::All, "all clusters", "now");
        assert!(
            all.contains(r#"expr: "up{job=~\"jmx|node\"} == 0""#),
            "{all}"
        );
        assert_eq!(all.matches("- alert:").count(), 7);
        let none = prometheus_rules(&Scope::Clusters(&[]), "no cluster", "now");
        assert!(none.ends_with("groups: []\n"));
    }

    #[test]
    fn the_header_cannot_be_broken_by_a_scope() {
        let out = prometheus_rules(&Scope::All, "x\ngroups: evil\u{2028}", "now");
        assert!(out.lines().all(|l| !l.starts_with("groups: evil")));
        assert_eq!(out.lines().filter(|l| l.starts_with("groups:")).count(), 1);
    }
}
