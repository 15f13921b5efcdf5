//! Generators: the files the manual procedure had people write by hand.
//!
//! Every function here is pure: a cluster (or several) and options in, text out. No I/O,
//! no clock (the caller passes the generation time), so each is golden-tested against
//! the exact lines AWS documents, and the same code serves downloads, previews and the
//! http_sd endpoint.
//!
//! - [`client`]: Java `client.properties` and librdkafka configs per auth mode;
//! - [`prometheus`]: file_sd `targets.json`, http_sd target groups and `prometheus.yml`;
//! - [`rules`]: Prometheus alerting rules for those targets;
//! - [`cloudwatch`]: a CloudFormation template of the CloudWatch alarms a cluster lacks.

pub mod client;
pub mod cloudwatch;
pub mod console_rules;
pub mod grafana;
pub mod operator;
pub mod prometheus;
pub mod rules;

use crate::error::AppError;

/// Where each generated file says it comes from.
pub mod docs {
    pub const BOOTSTRAP: &str =
        "https://docs.aws.amazon.com/msk/latest/developerguide/msk-get-bootstrap-brokers.html";
    pub const PLAINTEXT_TLS: &str =
        "https://docs.aws.amazon.com/msk/latest/developerguide/msk-encryption.html";
    pub const SCRAM: &str =
        "https://docs.aws.amazon.com/msk/latest/developerguide/msk-password-tutorial.html";
    pub const IAM: &str =
        "https://docs.aws.amazon.com/msk/latest/developerguide/configure-clients-for-iam-access-control.html";
    pub const PUBLIC: &str =
        "https://docs.aws.amazon.com/msk/latest/developerguide/public-access.html";
    pub const MULTI_VPC: &str =
        "https://docs.aws.amazon.com/msk/latest/developerguide/aws-access-mult-vpc.html";
    pub const OPEN_MONITORING: &str =
        "https://docs.aws.amazon.com/msk/latest/developerguide/open-monitoring.html";
    pub const IAM_SIGNERS: &str =
        "https://github.com/aws/aws-msk-iam-sasl-signer-python (also -go, -js, -net)";
    pub const IAM_AUTH_LIB: &str = "https://github.com/aws/aws-msk-iam-auth";
    pub const MUTUAL_TLS: &str =
        "https://docs.aws.amazon.com/msk/latest/developerguide/msk-authentication.html";
}

/// Text safe inside a one-line comment: control characters (a newline would end the
/// comment and inject a line) become spaces.
pub fn comment_safe(s: &str) -> String {
    s.chars()
        .map(|c| if unsafe_in_line(c) { ' ' } else { c })
        .collect()
}

/// Whether a character may end a line in some reader of our files, or make a reader
/// refuse the file: control characters (CR, LF, U+0085, DEL, the C1 controls …), the
/// Unicode line and paragraph separators, which YAML reads as line breaks, and the
/// noncharacters and byte-order mark YAML does not allow anywhere.
pub(crate) fn unsafe_in_line(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
        )
}

/// Rejects an option value that would break the file it goes into.
pub(crate) fn check_value(name: &str, v: &str, forbid: &[char]) -> Result<(), AppError> {
    if let Some(c) = v.chars().find(|c| unsafe_in_line(*c) || forbid.contains(c)) {
        let shown = if unsafe_in_line(c) {
            format!("U+{:04X}", c as u32)
        } else {
            format!("`{c}`")
        };
        return Err(AppError::bad_request(format!(
            "The option {name} contains {shown}, which cannot be written safely into the file."
        )));
    }
    Ok(())
}

/// A file name safe in `Content-Disposition` and on every file system: letters, digits,
/// `.`, `_` and `-`; anything else becomes `-`.
pub fn safe_file_name(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_matches(|c| c == '-' || c == '.');
    if trimmed.is_empty() {
        "cluster".to_string()
    } else {
        trimmed.chars().take(100).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_sits_in_one_listed_group_and_clients_are_the_client_configs() {
        for k in FileKind::ALL {
            assert!(FileKind::GROUPS.contains(&k.group()), "{k:?}");
            assert_eq!(k.client().is_some(), k.is_client_config(), "{k:?}");
            assert!(!k.short_label().is_empty());
        }
        assert_eq!(FileKind::KafkaPython.short_label(), "kafka-python producer");
        // Groups hold their files together, in the order of ALL.
        let groups: Vec<&str> = FileKind::ALL.map(FileKind::group).to_vec();
        let mut seen: Vec<&str> = groups.clone();
        seen.dedup();
        assert_eq!(seen.len(), FileKind::GROUPS.len());
    }

    #[test]
    fn file_names_cannot_inject_headers_or_paths() {
        assert_eq!(safe_file_name("orders-prod"), "orders-prod");
        assert_eq!(safe_file_name("a\"b\r\nSet-Cookie: x"), "a-b-Set-Cookie-x");
        assert_eq!(safe_file_name("../../etc/passwd"), "etc-passwd");
        assert_eq!(safe_file_name("\"\"\""), "cluster");
    }

    #[test]
    fn comments_cannot_inject_lines() {
        assert_eq!(
            comment_safe("a\nsecurity.protocol=PLAINTEXT"),
            "a security.protocol=PLAINTEXT"
        );
        for sep in ["\r", "\u{85}", "\u{2028}", "\u{2029}"] {
            assert_eq!(comment_safe(&format!("a{sep}b")), "a b");
            assert!(check_value("x", &format!("a{sep}b"), &[]).is_err());
        }
    }
}

/// The text files the console offers for one cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    /// Java `client.properties`.
    ClientProperties,
    /// librdkafka (kcat `-F`, confluent-kafka).
    Librdkafka,
    /// Spring Boot's `application.yml` (spring-kafka).
    SpringBoot,
    /// A kafka-python producer, as code.
    KafkaPython,
    /// An aiokafka producer, as code.
    Aiokafka,
    /// A confluent-kafka (Python) producer, as code.
    ConfluentPython,
    /// A kafkajs producer (Node.js), as code.
    Kafkajs,
    /// A `@confluentinc/kafka-javascript` producer (Node.js), as code.
    ConfluentJs,
    /// A Sarama producer (Go), as code.
    Sarama,
    /// A franz-go producer (Go), as code.
    FranzGo,
    /// A Confluent.Kafka producer (.NET), as code.
    Dotnet,
    /// kcat and Kafka CLI command lines, as a shell script.
    Cli,
    /// Prometheus file_sd `targets.json`.
    TargetsJson,
    /// `prometheus.yml` reading a downloaded `targets.json`.
    PrometheusFileSd,
    /// `prometheus.yml` polling the console's http_sd endpoint.
    PrometheusHttpSd,
    /// Prometheus alerting rules for the cluster's targets.
    AlertRules,
}

impl FileKind {
    pub const ALL: [FileKind; 16] = [
        FileKind::ClientProperties,
        FileKind::SpringBoot,
        FileKind::KafkaPython,
        FileKind::Aiokafka,
        FileKind::ConfluentPython,
        FileKind::Kafkajs,
        FileKind::ConfluentJs,
        FileKind::Sarama,
        FileKind::FranzGo,
        FileKind::Dotnet,
        FileKind::Cli,
        FileKind::Librdkafka,
        FileKind::TargetsJson,
        FileKind::PrometheusFileSd,
        FileKind::PrometheusHttpSd,
        FileKind::AlertRules,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            FileKind::ClientProperties => "client-properties",
            FileKind::Librdkafka => "librdkafka",
            FileKind::SpringBoot => "spring-boot",
            FileKind::KafkaPython => "kafka-python",
            FileKind::Aiokafka => "aiokafka",
            FileKind::ConfluentPython => "confluent-kafka-python",
            FileKind::Kafkajs => "kafkajs",
            FileKind::ConfluentJs => "confluent-kafka-javascript",
            FileKind::Sarama => "sarama",
            FileKind::FranzGo => "franz-go",
            FileKind::Dotnet => "dotnet",
            FileKind::Cli => "cli",
            FileKind::TargetsJson => "targets-json",
            FileKind::PrometheusFileSd => "prometheus-file-sd",
            FileKind::PrometheusHttpSd => "prometheus-http-sd",
            FileKind::AlertRules => "prometheus-rules",
        }
    }

    pub fn parse(s: &str) -> Result<FileKind, AppError> {
        FileKind::ALL
            .into_iter()
            .find(|k| k.slug() == s)
            .ok_or_else(|| {
                AppError::bad_request(format!(
                    "unknown file `{s}`; one of {}",
                    FileKind::ALL.map(FileKind::slug).join(", ")
                ))
            })
    }

    pub fn label(self) -> &'static str {
        match self {
            FileKind::ClientProperties => "Java: client.properties (clients, Kafka CLI tools)",
            FileKind::Librdkafka => "librdkafka (kcat, confluent-kafka)",
            FileKind::SpringBoot => "Java: Spring Boot application.yml",
            FileKind::KafkaPython => "Python: kafka-python producer",
            FileKind::Aiokafka => "Python: aiokafka producer (asyncio)",
            FileKind::ConfluentPython => "Python: confluent-kafka producer",
            FileKind::Kafkajs => "Node.js: kafkajs producer",
            FileKind::ConfluentJs => "Node.js: @confluentinc/kafka-javascript producer",
            FileKind::Sarama => "Go: Sarama producer",
            FileKind::FranzGo => "Go: franz-go producer",
            FileKind::Dotnet => ".NET: Confluent.Kafka producer",
            FileKind::Cli => "Command line: kcat and the Kafka CLI tools",
            FileKind::TargetsJson => "targets.json (Prometheus file_sd)",
            FileKind::PrometheusFileSd => "prometheus.yml (file_sd)",
            FileKind::PrometheusHttpSd => "prometheus.yml (http_sd)",
            FileKind::AlertRules => "prometheus-rules.yml (alert rules)",
        }
    }

    /// The picker's group: the language, or what the file is for.
    pub fn group(self) -> &'static str {
        match self {
            FileKind::ClientProperties | FileKind::SpringBoot => "Java",
            FileKind::KafkaPython | FileKind::Aiokafka | FileKind::ConfluentPython => "Python",
            FileKind::Kafkajs | FileKind::ConfluentJs => "Node.js",
            FileKind::Sarama | FileKind::FranzGo => "Go",
            FileKind::Dotnet => ".NET",
            FileKind::Cli | FileKind::Librdkafka => "Command line and librdkafka",
            FileKind::TargetsJson
            | FileKind::PrometheusFileSd
            | FileKind::PrometheusHttpSd
            | FileKind::AlertRules => "Monitor the cluster (Prometheus)",
        }
    }

    /// The picker's groups, in order.
    pub const GROUPS: [&'static str; 7] = [
        "Java",
        "Python",
        "Node.js",
        "Go",
        ".NET",
        "Command line and librdkafka",
        "Monitor the cluster (Prometheus)",
    ];

    /// The name within its group.
    pub fn short_label(self) -> &'static str {
        let label = self.label();
        match self.group() {
            "Command line and librdkafka" | "Monitor the cluster (Prometheus)" => label,
            _ => label.split_once(": ").map_or(label, |(_, rest)| rest),
        }
    }

    /// The client a client configuration is for (what to install, how to run it).
    pub fn client(self) -> Option<client::Client> {
        use client::{Client, GoClient, NodeClient, PythonClient};
        Some(match self {
            FileKind::ClientProperties => Client::JavaProperties,
            FileKind::SpringBoot => Client::SpringBoot,
            FileKind::Librdkafka => Client::Librdkafka,
            FileKind::KafkaPython => Client::Python(PythonClient::KafkaPython),
            FileKind::Aiokafka => Client::Python(PythonClient::Aiokafka),
            FileKind::ConfluentPython => Client::Python(PythonClient::ConfluentKafka),
            FileKind::Kafkajs => Client::Node(NodeClient::Kafkajs),
            FileKind::ConfluentJs => Client::Node(NodeClient::Confluent),
            FileKind::Sarama => Client::Go(GoClient::Sarama),
            FileKind::FranzGo => Client::Go(GoClient::FranzGo),
            FileKind::Dotnet => Client::Dotnet,
            FileKind::Cli => Client::Cli,
            FileKind::TargetsJson
            | FileKind::PrometheusFileSd
            | FileKind::PrometheusHttpSd
            | FileKind::AlertRules => return None,
        })
    }

    /// Whether the file depends on the auth mode and client options.
    pub fn is_client_config(self) -> bool {
        self.client_family().is_some()
    }

    /// The client family of a client configuration (which options apply to it).
    pub fn client_family(self) -> Option<client::ClientFamily> {
        match self {
            FileKind::ClientProperties | FileKind::SpringBoot => Some(client::ClientFamily::Java),
            FileKind::Librdkafka => Some(client::ClientFamily::Librdkafka),
            FileKind::KafkaPython
            | FileKind::Aiokafka
            | FileKind::ConfluentPython
            | FileKind::Kafkajs
            | FileKind::ConfluentJs
            | FileKind::Sarama
            | FileKind::FranzGo
            | FileKind::Dotnet => Some(client::ClientFamily::Signer),
            FileKind::Cli => Some(client::ClientFamily::Librdkafka),
            _ => None,
        }
    }

    /// The download path below `/clusters/{id}/`.
    pub fn path(self) -> &'static str {
        match self {
            FileKind::ClientProperties => "client.properties",
            FileKind::Librdkafka => "librdkafka.properties",
            FileKind::SpringBoot => "application.yml",
            FileKind::KafkaPython => "kafka-python.py",
            FileKind::Aiokafka => "aiokafka.py",
            FileKind::ConfluentPython => "confluent-kafka.py",
            FileKind::Kafkajs => "kafkajs.js",
            FileKind::ConfluentJs => "confluent-kafka-javascript.js",
            FileKind::Dotnet => "Program.cs",
            FileKind::Sarama => "sarama.go",
            FileKind::FranzGo => "franz-go.go",
            FileKind::Cli => "cli.sh",
            FileKind::TargetsJson => "targets.json",
            FileKind::PrometheusFileSd | FileKind::PrometheusHttpSd => "prometheus.yml",
            FileKind::AlertRules => "prometheus-rules.yml",
        }
    }
}

/// A rendered file: its name for `Content-Disposition`, its type and its text.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Rendered {
    pub file_name: String,
    pub content_type: String,
    pub body: String,
}

/// The name of a cluster's targets file, which its file_sd `prometheus.yml` reads.
pub fn targets_file_name(cluster: &crate::model::Cluster) -> String {
    format!("{}-targets.json", safe_file_name(&cluster.name))
}

/// Renders one of a cluster's text files. `sd` is how Prometheus reaches the
/// console (for http_sd).
pub fn render_cluster_file(
    cluster: &crate::model::Cluster,
    kind: FileKind,
    mode: Option<crate::model::Listener>,
    options: &client::ValidOptions,
    sd: &prometheus::SdEndpoint,
    generated_at: &str,
    tags: &prometheus::TagLabels,
) -> Result<Rendered, AppError> {
    let name = safe_file_name(&cluster.name);
    let text = "text/plain; charset=utf-8";
    let need_mode = || {
        mode.ok_or_else(|| {
            let have: Vec<&str> = cluster
                .bootstrap
                .iter()
                .map(|b| b.listener.slug())
                .collect();
            AppError::bad_request(format!(
                "Say which auth mode with ?mode=…; this cluster has: {}.",
                if have.is_empty() {
                    "none yet".to_string()
                } else {
                    have.join(", ")
                }
            ))
        })
    };
    Ok(match kind {
        FileKind::ClientProperties => {
            let mode = need_mode()?;
            Rendered {
                file_name: format!("{name}-{}-client.properties", mode.slug()),
                content_type: text.into(),
                body: client::java_properties(
                    cluster,
                    mode,
                    options,
                    &sd.console_url,
                    generated_at,
                )?,
            }
        }
        FileKind::Librdkafka => {
            let mode = need_mode()?;
            Rendered {
                file_name: format!("{name}-{}-librdkafka.properties", mode.slug()),
                content_type: text.into(),
                body: client::librdkafka_properties(cluster, mode, options, generated_at)?,
            }
        }
        FileKind::SpringBoot => {
            let mode = need_mode()?;
            Rendered {
                file_name: format!("{name}-{}-application.yml", mode.slug()),
                content_type: "application/yaml; charset=utf-8".into(),
                body: client::spring_boot_yaml(cluster, mode, options, generated_at)?,
            }
        }
        FileKind::KafkaPython | FileKind::Aiokafka | FileKind::ConfluentPython => {
            let mode = need_mode()?;
            let (client, file) = match kind {
                FileKind::KafkaPython => (client::PythonClient::KafkaPython, "kafka_python"),
                FileKind::Aiokafka => (client::PythonClient::Aiokafka, "aiokafka"),
                _ => (client::PythonClient::ConfluentKafka, "confluent_kafka"),
            };
            Rendered {
                // A module name Python can import: no dashes.
                file_name: format!(
                    "{}_{}_{file}.py",
                    name.replace(['-', '.'], "_"),
                    mode.slug().replace('-', "_")
                ),
                content_type: "text/x-python; charset=utf-8".into(),
                body: client::python_client(cluster, mode, client, options, generated_at)?,
            }
        }
        FileKind::Kafkajs => {
            let mode = need_mode()?;
            Rendered {
                file_name: format!("{name}-{}-kafkajs.js", mode.slug()),
                content_type: "text/javascript; charset=utf-8".into(),
                body: client::kafkajs_client(cluster, mode, options, generated_at)?,
            }
        }
        FileKind::ConfluentJs => {
            let mode = need_mode()?;
            Rendered {
                file_name: format!("{name}-{}-confluent-kafka-javascript.js", mode.slug()),
                content_type: "text/javascript; charset=utf-8".into(),
                body: client::node_client(
                    cluster,
                    mode,
                    client::NodeClient::Confluent,
                    options,
                    generated_at,
                )?,
            }
        }
        FileKind::Dotnet => {
            let mode = need_mode()?;
            Rendered {
                file_name: format!("{name}-{}-Program.cs", mode.slug()),
                content_type: "text/x-csharp; charset=utf-8".into(),
                body: client::dotnet_client(cluster, mode, options, generated_at)?,
            }
        }
        FileKind::Cli => {
            let mode = need_mode()?;
            Rendered {
                file_name: format!("{name}-{}-cli.sh", mode.slug()),
                content_type: "text/x-shellscript; charset=utf-8".into(),
                body: client::cli_commands(cluster, mode, options, &sd.console_url, generated_at)?,
            }
        }
        FileKind::Sarama | FileKind::FranzGo => {
            let mode = need_mode()?;
            let (client, file) = if kind == FileKind::Sarama {
                (client::GoClient::Sarama, "sarama")
            } else {
                (client::GoClient::FranzGo, "franz-go")
            };
            Rendered {
                file_name: format!("{name}-{}-{file}.go", mode.slug()),
                content_type: "text/x-go; charset=utf-8".into(),
                body: client::go_client(cluster, mode, client, options, generated_at)?,
            }
        }
        FileKind::AlertRules => Rendered {
            file_name: format!("{name}-prometheus-rules.yml"),
            content_type: "application/yaml; charset=utf-8".into(),
            body: rules::prometheus_rules(
                &rules::Scope::Clusters(&[cluster]),
                &format!("cluster {} ({})", cluster.name, cluster.arn),
                generated_at,
            ),
        },
        FileKind::TargetsJson => Rendered {
            file_name: targets_file_name(cluster),
            content_type: "application/json".into(),
            body: prometheus::targets_json_with([cluster], tags),
        },
        FileKind::PrometheusFileSd | FileKind::PrometheusHttpSd => {
            let discovery = if kind == FileKind::PrometheusFileSd {
                prometheus::Discovery::File {
                    path: targets_file_name(cluster),
                }
            } else {
                prometheus::Discovery::Http {
                    url: format!(
                        "{}/sd/targets?cluster={}",
                        sd.console_url.trim_end_matches('/'),
                        cluster.id
                    ),
                    credentials_file: sd.credentials_file.clone(),
                }
            };
            Rendered {
                file_name: format!("{name}-prometheus.yml"),
                content_type: "application/yaml; charset=utf-8".into(),
                body: prometheus::prometheus_yml(
                    &format!("cluster {} ({})", cluster.name, cluster.arn),
                    &discovery,
                    "msk-open-monitoring",
                    generated_at,
                ),
            }
        }
    })
}
