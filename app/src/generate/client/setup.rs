//! What a client needs besides its file: the packages to install, with versions, how to
//! run the file, and the pages its lines follow.
//!
//! One table serves the file's header comment and the Connect picker on the cluster
//! page, so the two never disagree. The versions are the ones the tests run where the
//! tests can install the library (`tools/requirements-test.txt`,
//! `tools/node-clients/package.json`; a unit test holds them equal), and otherwise the
//! newest release of each library as of this console's release.

use super::{GoClient, NodeClient, PythonClient};
use crate::generate::docs;
use crate::model::{Access, Auth, Listener};

/// The versions the install lines name.
pub mod versions {
    pub const KAFKA_PYTHON: &str = "3.0.12";
    pub const AIOKAFKA: &str = "0.14.0";
    pub const CONFLUENT_KAFKA_PYTHON: &str = "2.16.1";
    pub const SIGNER_PYTHON: &str = "1.0.2";
    pub const KAFKAJS: &str = "2.2.4";
    pub const CONFLUENT_KAFKA_JAVASCRIPT: &str = "1.10.1";
    pub const SIGNER_JS: &str = "1.0.3";
    pub const SARAMA: &str = "v1.60.1";
    pub const SIGNER_GO: &str = "v1.0.4";
    pub const XDG_SCRAM: &str = "v1.1.2";
    pub const FRANZ_GO: &str = "v1.21.5";
    pub const AWS_SDK_GO_CONFIG: &str = "v1.28.2";
    pub const CONFLUENT_KAFKA_DOTNET: &str = "2.15.0";
    pub const SIGNER_DOTNET: &str = "1.1.1";
    pub const AWS_MSK_IAM_AUTH: &str = "2.3.6";
}

/// A client the Connect picker offers: one generated file each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Client {
    /// Java clients and the Kafka CLI tools, through `client.properties`.
    JavaProperties,
    SpringBoot,
    /// Any librdkafka-based client (kcat `-F`, confluent-kafka's config dict).
    Librdkafka,
    Python(PythonClient),
    Node(NodeClient),
    Go(GoClient),
    Dotnet,
    /// kcat and the Kafka CLI tools, as a shell script.
    Cli,
}

/// A page a file follows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Doc {
    pub label: &'static str,
    pub url: &'static str,
}

/// What a client needs besides its file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setup {
    /// Shell lines that install the client (and, for IAM, AWS's signer), in order.
    pub install: Vec<String>,
    /// How to run the file; `{file}` stands for its name, `{servers}` for the bootstrap
    /// string.
    pub run: &'static str,
    /// The pages the file's lines follow: AWS's page for the auth mode first.
    pub docs: Vec<Doc>,
}

impl Setup {
    /// The run line for a file of this name, for these bootstrap servers (quoted for the
    /// shell, as everything from AWS may hold anything).
    pub fn run_line(&self, file_name: &str, servers: &str) -> String {
        self.run
            .replace("{file}", file_name)
            .replace("{servers}", &super::sh_quote(servers))
    }
}

/// AWS's page for a listener: public access, multi-VPC, then by auth mode.
pub fn aws_doc(listener: Listener) -> Doc {
    let (label, url) = match (listener.auth(), listener.access()) {
        (_, Access::Public) => ("AWS: public access to MSK", docs::PUBLIC),
        (_, Access::VpcConnectivity) => ("AWS: multi-VPC private connectivity", docs::MULTI_VPC),
        (Auth::Scram, _) => ("AWS: SASL/SCRAM authentication", docs::SCRAM),
        (Auth::Iam, _) => ("AWS: IAM access control for clients", docs::IAM),
        (Auth::None | Auth::Tls, _) => ("AWS: encryption in transit", docs::PLAINTEXT_TLS),
    };
    Doc { label, url }
}

fn doc(label: &'static str, url: &'static str) -> Doc {
    Doc { label, url }
}

/// What `client` needs for `listener`.
pub fn setup(client: Client, listener: Listener) -> Setup {
    use versions::*;
    let iam = listener.auth() == Auth::Iam;
    let scram = listener.auth() == Auth::Scram;
    let mut docs = vec![aws_doc(listener)];
    let mut install = Vec::new();
    let run;
    match client {
        Client::JavaProperties | Client::Cli => {
            if iam {
                install.push(format!(
                    "curl -fLO https://github.com/aws/aws-msk-iam-auth/releases/download/v{AWS_MSK_IAM_AUTH}/aws-msk-iam-auth-{AWS_MSK_IAM_AUTH}-all.jar"
                ));
                install.push(format!(
                    "export CLASSPATH=\"$PWD/aws-msk-iam-auth-{AWS_MSK_IAM_AUTH}-all.jar\"   # the Kafka CLI tools read it"
                ));
                docs.push(doc("aws-msk-iam-auth", docs::IAM_AUTH_LIB));
            }
            if client == Client::Cli {
                install.insert(
                    0,
                    "sudo apt-get install kcat   # or: brew install kcat".into(),
                );
                run = "sh {file}";
                docs.push(doc("kcat", "https://github.com/edenhill/kcat"));
            } else {
                run = "kafka-topics.sh --bootstrap-server {servers} --command-config {file} --list";
                docs.push(doc(
                    "Kafka client configs",
                    "https://kafka.apache.org/documentation/#producerconfigs",
                ));
            }
        }
        Client::SpringBoot => {
            install.push(
                "Maven: org.springframework.kafka:spring-kafka (its version comes from Spring Boot's BOM)"
                    .into(),
            );
            if iam {
                install.push(format!(
                    "Maven: software.amazon.msk:aws-msk-iam-auth:{AWS_MSK_IAM_AUTH}"
                ));
                docs.push(doc("aws-msk-iam-auth", docs::IAM_AUTH_LIB));
            }
            run = "merge {file} into src/main/resources/application.yml";
            docs.push(doc(
                "Spring Boot: Kafka properties",
                "https://docs.spring.io/spring-boot/appendix/application-properties/index.html#appendix.application-properties.integration",
            ));
        }
        Client::Librdkafka => {
            run = "kcat -F {file} -L";
            docs.push(doc(
                "librdkafka configuration",
                "https://github.com/confluentinc/librdkafka/blob/master/CONFIGURATION.md",
            ));
            if iam {
                docs.push(doc("aws-msk-iam-sasl-signer-python", SIGNER_PY_DOC));
            }
        }
        Client::Python(p) => {
            let (package, version, url) = match p {
                PythonClient::KafkaPython => (
                    "kafka-python",
                    KAFKA_PYTHON,
                    "https://kafka-python.readthedocs.io/",
                ),
                PythonClient::Aiokafka => (
                    "aiokafka",
                    AIOKAFKA,
                    "https://aiokafka.readthedocs.io/",
                ),
                PythonClient::ConfluentKafka => (
                    "confluent-kafka",
                    CONFLUENT_KAFKA_PYTHON,
                    "https://docs.confluent.io/platform/current/clients/confluent-kafka-python/html/index.html",
                ),
            };
            let mut line = format!("pip install \"{package}=={version}\"");
            if iam {
                line.push_str(&format!(
                    " \"aws-msk-iam-sasl-signer-python=={SIGNER_PYTHON}\""
                ));
                docs.push(doc("aws-msk-iam-sasl-signer-python", SIGNER_PY_DOC));
            }
            install.push(line);
            run = "python3 {file}";
            docs.push(doc(package, url));
        }
        Client::Node(n) => {
            let (package, version, url) = match n {
                NodeClient::Kafkajs => (
                    "kafkajs",
                    KAFKAJS,
                    "https://kafka.js.org/docs/configuration",
                ),
                NodeClient::Confluent => (
                    "@confluentinc/kafka-javascript",
                    CONFLUENT_KAFKA_JAVASCRIPT,
                    "https://github.com/confluentinc/confluent-kafka-javascript",
                ),
            };
            let mut line = format!("npm install {package}@{version}");
            if iam {
                line.push_str(&format!(" aws-msk-iam-sasl-signer-js@{SIGNER_JS}"));
                docs.push(doc(
                    "aws-msk-iam-sasl-signer-js",
                    "https://github.com/aws/aws-msk-iam-sasl-signer-js",
                ));
            }
            install.push(line);
            run = "node {file}";
            docs.push(doc(package, url));
        }
        Client::Go(g) => {
            install
                .push("go mod init msk-client   # in a new directory, with the file in it".into());
            let modules = match (g, listener.auth()) {
                (GoClient::Sarama, Auth::Iam) => format!(
                    "github.com/IBM/sarama@{SARAMA} github.com/aws/aws-msk-iam-sasl-signer-go@{SIGNER_GO}"
                ),
                (GoClient::Sarama, Auth::Scram) => format!(
                    "github.com/IBM/sarama@{SARAMA} github.com/xdg-go/scram@{XDG_SCRAM}"
                ),
                (GoClient::Sarama, _) => format!("github.com/IBM/sarama@{SARAMA}"),
                (GoClient::FranzGo, Auth::Iam) => format!(
                    "github.com/twmb/franz-go@{FRANZ_GO} github.com/aws/aws-sdk-go-v2/config@{AWS_SDK_GO_CONFIG}"
                ),
                (GoClient::FranzGo, _) => format!("github.com/twmb/franz-go@{FRANZ_GO}"),
            };
            install.push(format!("go get {modules}"));
            run = "go run .";
            match g {
                GoClient::Sarama => {
                    if iam {
                        docs.push(doc(
                            "aws-msk-iam-sasl-signer-go",
                            "https://github.com/aws/aws-msk-iam-sasl-signer-go",
                        ));
                    }
                    docs.push(doc("Sarama", "https://pkg.go.dev/github.com/IBM/sarama"));
                }
                GoClient::FranzGo => {
                    let url = if iam {
                        "https://pkg.go.dev/github.com/twmb/franz-go/pkg/sasl/aws"
                    } else if scram {
                        "https://pkg.go.dev/github.com/twmb/franz-go/pkg/sasl/scram"
                    } else {
                        "https://pkg.go.dev/github.com/twmb/franz-go/pkg/kgo"
                    };
                    docs.push(doc("franz-go", url));
                }
            }
        }
        Client::Dotnet => {
            install.push("dotnet new console -n MskClient && cd MskClient   # then replace Program.cs with the file".into());
            install.push(format!(
                "dotnet add package Confluent.Kafka --version {CONFLUENT_KAFKA_DOTNET}"
            ));
            if iam {
                install.push(format!(
                    "dotnet add package AWS.MSK.Auth --version {SIGNER_DOTNET}"
                ));
                docs.push(doc(
                    "AWS.MSK.Auth (aws-msk-iam-sasl-signer-net)",
                    "https://github.com/aws/aws-msk-iam-sasl-signer-net",
                ));
            }
            run = "dotnet run";
            docs.push(doc(
                "Confluent.Kafka",
                "https://docs.confluent.io/kafka-clients/dotnet/current/overview.html",
            ));
        }
    }
    Setup { install, run, docs }
}

const SIGNER_PY_DOC: &str = "https://github.com/aws/aws-msk-iam-sasl-signer-python";

/// The install lines as header comment lines (`#   ` before each), which every
/// generated file carries after its first lines; none when there is nothing to install.
pub(crate) fn setup_comment(s: &Setup) -> String {
    if s.install.is_empty() {
        return String::new();
    }
    let mut out = String::from("# Install:\n");
    for line in &s.install {
        out.push_str("#   ");
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pins of a requirements file or a package.json, as (name, version).
    fn pins(text: &str) -> Vec<(String, String)> {
        text.lines()
            .filter_map(|l| {
                let l = l.trim().trim_end_matches(',');
                if let Some((n, v)) = l.split_once("==") {
                    return Some((n.trim().to_string(), v.trim().to_string()));
                }
                let (n, v) = l.split_once("\": \"")?;
                Some((
                    n.trim_matches('"').to_string(),
                    v.trim_end_matches('"').to_string(),
                ))
            })
            .collect()
    }

    #[test]
    fn the_versions_named_are_the_versions_the_tests_run() {
        let py = pins(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tools/requirements-test.txt"
        )));
        let js = pins(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tools/node-clients/package.json"
        )));
        let pinned = |list: &[(String, String)], name: &str| {
            list.iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| panic!("{name} is not pinned"))
        };
        assert_eq!(pinned(&py, "kafka-python"), versions::KAFKA_PYTHON);
        assert_eq!(pinned(&py, "aiokafka"), versions::AIOKAFKA);
        assert_eq!(
            pinned(&py, "confluent-kafka"),
            versions::CONFLUENT_KAFKA_PYTHON
        );
        assert_eq!(
            pinned(&py, "aws-msk-iam-sasl-signer-python"),
            versions::SIGNER_PYTHON
        );
        assert_eq!(pinned(&js, "kafkajs"), versions::KAFKAJS);
        assert_eq!(
            pinned(&js, "aws-msk-iam-sasl-signer-js"),
            versions::SIGNER_JS
        );
    }

    #[test]
    fn iam_adds_the_signer_and_its_page() {
        let s = setup(Client::Python(PythonClient::KafkaPython), Listener::SaslIam);
        assert_eq!(
            s.install,
            ["pip install \"kafka-python==3.0.12\" \"aws-msk-iam-sasl-signer-python==1.0.2\""]
        );
        assert_eq!(s.docs[0].url, docs::IAM);
        assert!(s.docs.iter().any(|d| d.url == SIGNER_PY_DOC));
        let plain = setup(Client::Python(PythonClient::KafkaPython), Listener::Tls);
        assert_eq!(plain.install, ["pip install \"kafka-python==3.0.12\""]);
        assert_eq!(plain.docs[0].url, docs::PLAINTEXT_TLS);
        assert_eq!(plain.run_line("a.py", "b:9094"), "python3 a.py");
        let java = setup(Client::JavaProperties, Listener::Tls);
        assert_eq!(
            java.run_line("c.properties", "b-1:9094,it's"),
            "kafka-topics.sh --bootstrap-server 'b-1:9094,it'\\''s' --command-config c.properties --list"
        );
    }

    #[test]
    fn go_pins_every_module_and_starts_a_module() {
        let s = setup(Client::Go(GoClient::Sarama), Listener::SaslIam);
        assert_eq!(
            s.install[0],
            "go mod init msk-client   # in a new directory, with the file in it"
        );
        assert_eq!(
            s.install[1],
            "go get github.com/IBM/sarama@v1.60.1 github.com/aws/aws-msk-iam-sasl-signer-go@v1.0.4"
        );
        let f = setup(Client::Go(GoClient::FranzGo), Listener::SaslScram);
        assert_eq!(f.install[1], "go get github.com/twmb/franz-go@v1.21.5");
        for line in s.install.iter().chain(&f.install).skip(1) {
            if let Some(modules) = line.strip_prefix("go get ") {
                assert!(modules.split(' ').all(|m| m.contains("@v")), "{line}");
            }
        }
    }

    #[test]
    fn public_and_multi_vpc_listeners_follow_their_own_pages() {
        assert_eq!(aws_doc(Listener::PublicSaslIam).url, docs::PUBLIC);
        assert_eq!(aws_doc(Listener::VpcSaslScram).url, docs::MULTI_VPC);
        assert_eq!(aws_doc(Listener::SaslScram).url, docs::SCRAM);
    }
}
