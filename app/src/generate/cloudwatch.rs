//! A CloudFormation template with the CloudWatch alarms a cluster (or several) is
//! missing: one `AWS::CloudWatch::Alarm` per key metric (and per broker of a per-broker
//! metric) that no alarm watches, notifying an SNS topic given as a parameter.
//!
//! Which metrics are key per kind of cluster is [`MetricsKind::key_alarm_metrics`]
//! (docs/health.md says why each); the thresholds are the console's own health rules
//! ([`crate::model::health`], [`crate::model::judgement`]), so an alarm fires when the
//! console's page turns critical or warning for the same reason.
//!
//! A stack lives in one account and region, and alarms watch metrics of their own
//! region: every alarm carries a condition on `AWS::AccountId` and `AWS::Region`, so the
//! one template can be deployed in each account and region it names (by hand, or as a
//! StackSet) and creates there only that region's alarms.
//!
//! Every scalar is a JSON string, which YAML reads as a double-quoted scalar
//! ([`super::prometheus::yaml_str`]); comments pass through [`super::comment_safe`].

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use super::comment_safe;
use super::prometheus::yaml_str;
use crate::model::cloudwatch::{AlarmCoverage, ConsumerLag, MetricsKind};
use crate::model::health::VOLUME_WARNING;
use crate::model::judgement::LAG_WARNING_SECONDS;
use crate::model::Cluster;

/// One cluster and what the console knows of its alarms.
pub struct AlarmTarget<'a> {
    pub cluster: &'a Cluster,
    /// The last reading of its alarms (`None`: not read, so every key alarm is written).
    pub coverage: Option<&'a AlarmCoverage>,
    /// The consumer groups and topics CloudWatch has lag for (a serverless cluster's
    /// lag alarms are per group and topic).
    pub lag: &'a [ConsumerLag],
}

/// How one key metric is alarmed on.
#[derive(Clone, Copy)]
struct Rule {
    metric: &'static str,
    stat: &'static str,
    comparison: &'static str,
    threshold: u64,
    /// Minutes the condition must hold (one-minute periods, every one breaching).
    minutes: u32,
    /// `TreatMissingData`: a silent controller count means the cluster is not reporting.
    missing: &'static str,
    description: &'static str,
}

fn rule(metric: &str) -> Option<Rule> {
    Some(match metric {
        "ActiveControllerCount" => Rule {
            metric: "ActiveControllerCount",
            stat: "Maximum",
            comparison: "LessThanThreshold",
            threshold: 1,
            minutes: 5,
            missing: "breaching",
            description: "No active controller for 5 minutes (critical): the cluster cannot change leaders or topics.",
        },
        "OfflinePartitionsCount" => Rule {
            metric: "OfflinePartitionsCount",
            stat: "Maximum",
            comparison: "GreaterThanThreshold",
            threshold: 0,
            minutes: 1,
            missing: "missing",
            description: "Partitions without a leader (critical): clients can neither read nor write them.",
        },
        "UnderMinIsrPartitionCount" => Rule {
            metric: "UnderMinIsrPartitionCount",
            stat: "Maximum",
            comparison: "GreaterThanThreshold",
            threshold: 0,
            minutes: 5,
            missing: "missing",
            description: "Partitions under min ISR for 5 minutes (critical): producers with acks=all cannot write to them.",
        },
        "KafkaDataLogsDiskUsed" => Rule {
            metric: "KafkaDataLogsDiskUsed",
            stat: "Maximum",
            comparison: "GreaterThanOrEqualToThreshold",
            threshold: u64::from(VOLUME_WARNING / 10),
            minutes: 15,
            missing: "missing",
            description: "The data volume has been at least 80% full for 15 minutes (warning; 90% is critical): expand the storage or lower retention.",
        },
        "MaxEstimatedTimeLag" | "EstimatedMaxTimeLag" => Rule {
            metric: if metric == "MaxEstimatedTimeLag" {
                "MaxEstimatedTimeLag"
            } else {
                "EstimatedMaxTimeLag"
            },
            stat: "Maximum",
            comparison: "GreaterThanOrEqualToThreshold",
            threshold: LAG_WARNING_SECONDS,
            minutes: 15,
            missing: "notBreaching",
            description: "The consumer group has been at least 5 minutes behind on the topic for 15 minutes (warning).",
        },
        _ => return None,
    })
}

/// One alarm to write.
struct Planned<'a> {
    cluster: &'a Cluster,
    rule: Rule,
    broker: Option<u32>,
    lag: Option<(&'a str, &'a str)>,
}

fn plan<'a>(t: &AlarmTarget<'a>, notes: &mut Vec<String>) -> Vec<Planned<'a>> {
    let c = t.cluster;
    let mut out = Vec::new();
    let brokers: Vec<u32> = if c.brokers.is_empty() {
        (1..=c.broker_count.unwrap_or(0)).collect()
    } else {
        c.brokers.iter().map(|b| b.id).collect()
    };
    for metric in MetricsKind::of(c).key_alarm_metrics() {
        let Some(rule) = rule(metric) else {
            continue;
        };
        let key = t
            .coverage
            .and_then(|cov| cov.key.iter().find(|k| k.metric == *metric));
        if key.is_some_and(|k| k.covered()) {
            continue;
        }
        let per_broker = matches!(
            *metric,
            "UnderMinIsrPartitionCount" | "KafkaDataLogsDiskUsed"
        );
        if *metric == "MaxEstimatedTimeLag" || *metric == "EstimatedMaxTimeLag" {
            if t.lag.is_empty() {
                notes.push(format!(
                    "{}: no consumer group has lag in CloudWatch yet, so there is no {metric} series to alarm on.",
                    c.name
                ));
            }
            let pairs: BTreeSet<(&str, &str)> = t
                .lag
                .iter()
                .map(|l| (l.group.as_str(), l.topic.as_str()))
                .collect();
            for pair in pairs {
                out.push(Planned {
                    cluster: c,
                    rule,
                    broker: None,
                    lag: Some(pair),
                });
            }
        } else if per_broker {
            // Only the brokers no alarm watches, when some are watched.
            let missing: Vec<u32> = match key {
                Some(k) if !k.alarms.is_empty() => k.missing_brokers.clone(),
                _ => brokers.clone(),
            };
            if missing.is_empty() {
                notes.push(format!(
                    "{}: its brokers are not known, so no per-broker {metric} alarm is written.",
                    c.name
                ));
            }
            for id in missing {
                out.push(Planned {
                    cluster: c,
                    rule,
                    broker: Some(id),
                    lag: None,
                });
            }
        } else {
            out.push(Planned {
                cluster: c,
                rule,
                broker: None,
                lag: None,
            });
        }
    }
    out
}

/// Letters and digits only (a logical id, a condition name), at most `max` of them.
fn alnum(s: &str, max: usize) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .take(max)
        .collect()
}

/// Letters, digits, `-`, `_` and `.` (an alarm name part); the rest become `-`.
fn name_part(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let t = out.trim_matches('-');
    if t.is_empty() {
        "x".to_string()
    } else {
        t.chars().take(80).collect()
    }
}

/// The CloudFormation condition of an account (if known) and region.
fn condition_name(account: Option<&str>, region: &str) -> String {
    format!(
        "In{}{}",
        account.map(|a| alnum(a, 12)).unwrap_or_default(),
        alnum(region, 40)
    )
}

/// The template with every missing key alarm of `targets`; `Err` says why there is
/// nothing to write.
pub fn alarm_template(
    targets: &[AlarmTarget],
    described: &str,
    generated_at: &str,
) -> Result<String, String> {
    let mut notes = Vec::new();
    let planned: Vec<Planned> = targets.iter().flat_map(|t| plan(t, &mut notes)).collect();
    if planned.is_empty() {
        let mut why = format!(
            "No CloudWatch alarms are missing for {described}: every key metric has an alarm."
        );
        for n in &notes {
            why.push(' ');
            why.push_str(n);
        }
        return Err(why);
    }
    let not_read: Vec<&str> = targets
        .iter()
        .filter(|t| t.coverage.is_none())
        .map(|t| t.cluster.name.as_str())
        .collect();
    let mut places: BTreeMap<String, (Option<&str>, &str)> = BTreeMap::new();
    for p in &planned {
        let c = p.cluster;
        places.insert(
            condition_name(c.account.as_deref(), &c.region),
            (c.account.as_deref(), c.region.as_str()),
        );
    }

    let mut y = String::new();
    let _ = writeln!(
        y,
        "# CloudWatch alarms missing for {}, generated by msk-console at {}.",
        comment_safe(described),
        comment_safe(generated_at)
    );
    let _ = writeln!(
        y,
        "# Thresholds are the console's health rules; every alarm notifies the SNS topic AlarmTopicArn."
    );
    let _ = writeln!(
        y,
        "# Deploy it in each account and region below; each stack creates only its own region's alarms:"
    );
    for (account, region) in places.values() {
        let _ = writeln!(
            y,
            "#   aws cloudformation deploy --template-file msk-cloudwatch-alarms.yaml --stack-name msk-console-alarms \\\n#     --region {} --parameter-overrides AlarmTopicArn=arn:aws:sns:{}:{}:TOPIC{}",
            comment_safe(region),
            comment_safe(region),
            comment_safe(account.unwrap_or("ACCOUNT")),
            account
                .map(|a| format!("   # account {}", comment_safe(a)))
                .unwrap_or_default()
        );
    }
    if !not_read.is_empty() {
        let _ = writeln!(
            y,
            "# The alarms of {} were not read, so every key alarm is written for them: check for duplicates.",
            comment_safe(&not_read.join(", "))
        );
    }
    for n in &notes {
        let _ = writeln!(y, "# Note: {}", comment_safe(n));
    }
    let _ = writeln!(y, "AWSTemplateFormatVersion: \"2010-09-09\"");
    let _ = writeln!(
        y,
        "Description: {}",
        yaml_str(&format!(
            "CloudWatch alarms missing for {described} (msk-console)"
        ))
    );
    y.push_str("Parameters:\n  AlarmTopicArn:\n    Type: \"String\"\n");
    y.push_str(
        "    Description: \"The SNS topic the alarms notify (ALARM and OK).\"\n    AllowedPattern: \"^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$\"\n",
    );
    y.push_str("Conditions:\n");
    for (name, (account, region)) in &places {
        let _ = writeln!(y, "  {name}:");
        match account {
            Some(a) => {
                let _ = writeln!(y, "    Fn::And:");
                let _ = writeln!(
                    y,
                    "      - Fn::Equals: [{{\"Ref\": \"AWS::AccountId\"}}, {}]",
                    yaml_str(a)
                );
                let _ = writeln!(
                    y,
                    "      - Fn::Equals: [{{\"Ref\": \"AWS::Region\"}}, {}]",
                    yaml_str(region)
                );
            }
            None => {
                let _ = writeln!(
                    y,
                    "    Fn::Equals: [{{\"Ref\": \"AWS::Region\"}}, {}]",
                    yaml_str(region)
                );
            }
        }
    }
    y.push_str("Resources:\n");
    let mut ids = BTreeSet::new();
    let mut names = BTreeSet::new();
    for p in &planned {
        let c = p.cluster;
        let suffix = match (p.broker, p.lag) {
            (Some(b), _) => format!("-broker-{b}"),
            (None, Some((g, t))) => format!("-{}-{}", name_part(g), name_part(t)),
            _ => String::new(),
        };
        let base_name = format!("msk-{}-{}{suffix}", name_part(&c.name), p.rule.metric);
        let mut alarm_name: String = base_name.chars().take(240).collect();
        let mut n = 2;
        while !names.insert(alarm_name.clone()) {
            alarm_name = format!("{}-{n}", base_name.chars().take(235).collect::<String>());
            n += 1;
        }
        let base_id = format!(
            "{}{}{}",
            alnum(&c.name, 40),
            p.rule.metric,
            p.broker.map(|b| format!("Broker{b}")).unwrap_or_default()
        );
        let base_id = if base_id.starts_with(|ch: char| ch.is_ascii_alphabetic()) {
            base_id
        } else {
            format!("Msk{base_id}")
        };
        let mut id = base_id.clone();
        let mut n = 2;
        while !ids.insert(id.clone()) {
            id = format!("{base_id}N{n}");
            n += 1;
        }
        let who = match (p.broker, p.lag) {
            (Some(b), _) => format!("broker {b} of cluster {}", c.name),
            (None, Some((g, t))) => format!("group {g} on topic {t} of cluster {}", c.name),
            _ => format!("cluster {}", c.name),
        };
        let _ = writeln!(y, "  {id}:");
        let _ = writeln!(y, "    Type: \"AWS::CloudWatch::Alarm\"");
        let _ = writeln!(
            y,
            "    Condition: {}",
            condition_name(c.account.as_deref(), &c.region)
        );
        y.push_str("    Properties:\n");
        let _ = writeln!(y, "      AlarmName: {}", yaml_str(&alarm_name));
        let _ = writeln!(
            y,
            "      AlarmDescription: {}",
            yaml_str(&format!("{} ({who}; {})", p.rule.description, c.arn))
        );
        let _ = writeln!(y, "      Namespace: \"AWS/Kafka\"");
        let _ = writeln!(y, "      MetricName: {}", yaml_str(p.rule.metric));
        y.push_str("      Dimensions:\n");
        let mut dims: Vec<(&str, String)> = vec![("Cluster Name", c.name.clone())];
        if let Some(b) = p.broker {
            dims.push(("Broker ID", b.to_string()));
        }
        if let Some((g, t)) = p.lag {
            dims.push(("Consumer Group", g.to_string()));
            dims.push(("Topic", t.to_string()));
        }
        for (name, value) in dims {
            let _ = writeln!(
                y,
                "        - Name: {}\n          Value: {}",
                yaml_str(name),
                yaml_str(&value)
            );
        }
        let _ = writeln!(y, "      Statistic: {}", yaml_str(p.rule.stat));
        y.push_str("      Period: 60\n");
        let _ = writeln!(y, "      EvaluationPeriods: {}", p.rule.minutes);
        let _ = writeln!(y, "      DatapointsToAlarm: {}", p.rule.minutes);
        let _ = writeln!(y, "      Threshold: {}", p.rule.threshold);
        let _ = writeln!(
            y,
            "      ComparisonOperator: {}",
            yaml_str(p.rule.comparison)
        );
        let _ = writeln!(y, "      TreatMissingData: {}", yaml_str(p.rule.missing));
        y.push_str("      AlarmActions:\n        - Ref: \"AlarmTopicArn\"\n");
        y.push_str("      OKActions:\n        - Ref: \"AlarmTopicArn\"\n");
    }
    Ok(y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::cloudwatch::{AlarmRef, AlarmState, KeyAlarms};
    use crate::model::{fixtures, ClusterKind};

    fn cluster(name: &str, brokers: u32) -> Cluster {
        let mut c = fixtures::cluster(name, "prod", "eu-west-1");
        c.instance_type = Some("kafka.m7g.large".into());
        c.brokers = fixtures::brokers(name, brokers);
        c
    }

    fn key(metric: &str, alarms: &[&str], missing_brokers: Vec<u32>) -> KeyAlarms {
        KeyAlarms {
            metric: metric.into(),
            alarms: alarms
                .iter()
                .map(|n| AlarmRef {
                    name: n.to_string(),
                    state: AlarmState::Ok,
                })
                .collect(),
            missing_brokers,
        }
    }

    #[test]
    fn only_the_missing_alarms_are_written_with_the_health_rules_thresholds() {
        let c = cluster("orders", 3);
        let cov = AlarmCoverage {
            checked_at: "t".into(),
            key: vec![
                key("ActiveControllerCount", &["a"], vec![]),
                key("OfflinePartitionsCount", &[], vec![]),
                key("UnderMinIsrPartitionCount", &["m"], vec![]),
                key("KafkaDataLogsDiskUsed", &["d1"], vec![2, 3]),
            ],
        };
        let t = AlarmTarget {
            cluster: &c,
            coverage: Some(&cov),
            lag: &[],
        };
        let y = alarm_template(&[t], "cluster orders", "2026-12-03T10:00:00Z").unwrap();
        assert!(!y.contains("ActiveControllerCount"), "{y}");
        assert!(y.contains("  ordersOfflinePartitionsCount:\n"), "{y}");
        assert!(y.contains("  ordersKafkaDataLogsDiskUsedBroker2:\n"), "{y}");
        assert!(y.contains("  ordersKafkaDataLogsDiskUsedBroker3:\n"), "{y}");
        assert!(!y.contains("Broker1"), "{y}");
        assert!(y.contains("      Threshold: 80\n"));
        assert!(y.contains("        - Name: \"Broker ID\"\n          Value: \"2\"\n"));
        assert!(y.contains("Fn::Equals: [{\"Ref\": \"AWS::AccountId\"}, \"123456789012\"]"));
        assert!(y.contains("    Condition: In123456789012euwest1\n"));
    }

    #[test]
    fn nothing_missing_is_an_error_and_serverless_alarms_are_per_group() {
        let c = cluster("orders", 1);
        let cov = AlarmCoverage {
            checked_at: "t".into(),
            key: MetricsKind::of(&c)
                .key_alarm_metrics()
                .iter()
                .map(|m| key(m, &["x"], vec![]))
                .collect(),
        };
        let t = AlarmTarget {
            cluster: &c,
            coverage: Some(&cov),
            lag: &[],
        };
        assert!(alarm_template(&[t], "cluster orders", "t").is_err());

        let mut s = cluster("stream", 0);
        s.kind = ClusterKind::Serverless;
        let lag = vec![ConsumerLag {
            group: "billing\n# evil".into(),
            topic: "orders".into(),
            time_lag_seconds: None,
            max_offset_lag: None,
            recent: vec![],
        }];
        let t = AlarmTarget {
            cluster: &s,
            coverage: None,
            lag: &lag,
        };
        let y = alarm_template(&[t], "cluster stream", "t").unwrap();
        assert!(y.contains("MetricName: \"MaxEstimatedTimeLag\""), "{y}");
        assert!(y.contains("Value: \"billing\\n# evil\""), "{y}");
        assert!(
            y.contains("AlarmName: \"msk-stream-MaxEstimatedTimeLag-billing-evil-orders\""),
            "{y}"
        );
        assert!(y.contains("Threshold: 300"));
        assert!(y.contains("were not read"));
    }

    #[test]
    fn hostile_names_stay_inside_their_strings() {
        let mut c = cluster("x", 1);
        c.name = "x\r\nResources: <b>\u{2028}".into();
        c.region = "eu-west-1\n#".into();
        let t = AlarmTarget {
            cluster: &c,
            coverage: None,
            lag: &[],
        };
        let y = alarm_template(&[t], "cluster x\nevil: 1", "t").unwrap();
        // Only the template's own top-level keys start a line without indentation.
        for line in y.lines().filter(|l| !l.starts_with([' ', '#'])) {
            assert!(
                [
                    "AWSTemplateFormatVersion:",
                    "Description:",
                    "Parameters:",
                    "Conditions:",
                    "Resources:"
                ]
                .iter()
                .any(|k| line.starts_with(k)),
                "{line:?} in\n{y}"
            );
        }
        assert!(y.contains("\\u2028"));
    }
}
