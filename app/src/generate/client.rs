//! Client configurations per auth mode: Java `client.properties` and librdkafka configs.
//!
//! The Java lines are the ones AWS documents:
//!
//! - TLS: `security.protocol=SSL` plus a truststore
//!   (<https://docs.aws.amazon.com/msk/latest/developerguide/msk-encryption.html>);
//! - SASL/SCRAM: `SASL_SSL`, `SCRAM-SHA-512` and a `ScramLoginModule` JAAS line
//!   (<https://docs.aws.amazon.com/msk/latest/developerguide/msk-password-tutorial.html>);
//! - IAM: `AWS_MSK_IAM` with `IAMLoginModule` and `IAMClientCallbackHandler`
//!   (<https://docs.aws.amazon.com/msk/latest/developerguide/configure-clients-for-iam-access-control.html>).
//!
//! librdkafka (kcat `-F`, confluent-kafka) reads neither Java truststores nor JAAS lines:
//! it takes `ssl.ca.location` (PEM) and `sasl.username`/`sasl.password`, and IAM needs an
//! OAUTHBEARER token callback from AWS's signer libraries, which a file cannot express.
//!
//! Secrets are never fetched, stored or shown: SCRAM passwords stay a `<password>`
//! placeholder.

use serde::{Deserialize, Serialize};

use super::{check_value, comment_safe, docs, opt};
use crate::error::AppError;
use crate::model::{Access, Auth, Cluster, Listener};

/// Where the Java client finds the CAs that signed the brokers' certificates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Truststore {
    /// The PKCS12 truststore the console builds (`/clusters/{id}/truststore.p12`).
    #[default]
    Pkcs12,
    /// A copy of the JVM's `cacerts` (JKS), as AWS's guide does it.
    Jks,
    /// The JVM's default truststore, which already trusts Amazon's roots.
    None,
}

impl Truststore {
    pub fn slug(self) -> &'static str {
        match self {
            Truststore::Pkcs12 => "pkcs12",
            Truststore::Jks => "jks",
            Truststore::None => "none",
        }
    }

    pub fn parse(s: &str) -> Result<Truststore, AppError> {
        match s {
            "pkcs12" | "p12" => Ok(Truststore::Pkcs12),
            "jks" => Ok(Truststore::Jks),
            "none" | "jvm-default" => Ok(Truststore::None),
            other => Err(AppError::bad_request(format!(
                "unknown truststore `{other}`; use pkcs12 (the console's download), jks (a copy of the JVM's cacerts) or none"
            ))),
        }
    }
}

pub const DEFAULT_P12_LOCATION: &str = "/tmp/kafka.client.truststore.p12";
pub const DEFAULT_JKS_LOCATION: &str = "/tmp/kafka.client.truststore.jks";
/// Java's conventional keystore password; the store holds only public CA certificates.
pub const DEFAULT_TRUSTSTORE_PASSWORD: &str = "changeit";
/// Debian and Ubuntu's CA bundle, where librdkafka clients usually find it.
pub const DEFAULT_CA_LOCATION: &str = "/etc/ssl/certs/ca-certificates.crt";

/// The user's choices for a client configuration. Every field is optional; empty strings
/// count as unset, so a plain HTML form can send them all.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientOptions {
    /// `pkcs12` (default), `jks` or `none`.
    pub truststore: Option<String>,
    pub truststore_location: Option<String>,
    pub truststore_password: Option<String>,
    /// SCRAM user name; the password is always a placeholder.
    pub scram_username: Option<String>,
    /// IAM: the `awsProfileName` JAAS option.
    pub aws_profile: Option<String>,
    /// IAM: the `awsRoleArn` JAAS option.
    pub aws_role_arn: Option<String>,
    /// IAM: the `awsRoleSessionName` JAAS option.
    pub aws_role_session_name: Option<String>,
    /// IAM: the `awsStsRegion` JAAS option.
    pub aws_sts_region: Option<String>,
    /// librdkafka: the PEM CA bundle path.
    pub ca_location: Option<String>,
}

/// JAAS option values are double-quoted: a quote or backslash would end or escape them.
const JAAS_FORBIDDEN: &[char] = &['"', '\\'];

impl ClientOptions {
    /// Checks every option, so a bad one is a 400 that names it.
    pub fn validate(&self) -> Result<(), AppError> {
        self.truststore()?;
        for (name, v) in [
            ("truststore_location", &self.truststore_location),
            ("truststore_password", &self.truststore_password),
            ("ca_location", &self.ca_location),
        ] {
            if let Some(v) = opt(v) {
                check_value(name, v, &[])?;
            }
        }
        for (name, v) in [
            ("scram_username", &self.scram_username),
            ("aws_profile", &self.aws_profile),
            ("aws_role_session_name", &self.aws_role_session_name),
            ("aws_sts_region", &self.aws_sts_region),
            ("aws_role_arn", &self.aws_role_arn),
        ] {
            if let Some(v) = opt(v) {
                check_value(name, v, JAAS_FORBIDDEN)?;
                if v.chars().any(char::is_whitespace) {
                    return Err(AppError::bad_request(format!(
                        "The option {name} must not contain spaces."
                    )));
                }
            }
        }
        if let Some(arn) = opt(&self.aws_role_arn) {
            if !(arn.starts_with("arn:") && arn.contains(":role/")) {
                return Err(AppError::bad_request(format!(
                    "aws_role_arn `{arn}` is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)."
                )));
            }
        }
        if let Some(r) = opt(&self.aws_sts_region) {
            if !r
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            {
                return Err(AppError::bad_request(format!(
                    "aws_sts_region `{r}` is not a region name like eu-west-1."
                )));
            }
        }
        if let Some(n) = opt(&self.aws_role_session_name) {
            let ok = (2..=64).contains(&n.len())
                && n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c));
            if !ok {
                return Err(AppError::bad_request(
                    "aws_role_session_name must be 2 to 64 letters, digits or _+=,.@- characters.",
                ));
            }
        }
        Ok(())
    }

    /// Only the options that matter for a Java (`java`) or librdkafka file in this auth
    /// mode; the rest are dropped, so they neither travel in URLs nor fail validation.
    pub fn relevant_to(&self, java: bool, auth: Auth) -> ClientOptions {
        let keep = |on: bool, v: &Option<String>| if on { v.clone() } else { None };
        let tls = auth != Auth::None;
        ClientOptions {
            truststore: keep(java && tls, &self.truststore),
            truststore_location: keep(java && tls, &self.truststore_location),
            truststore_password: keep(java && tls, &self.truststore_password),
            scram_username: keep(auth == Auth::Scram, &self.scram_username),
            aws_profile: keep(java && auth == Auth::Iam, &self.aws_profile),
            aws_role_arn: keep(java && auth == Auth::Iam, &self.aws_role_arn),
            aws_role_session_name: keep(java && auth == Auth::Iam, &self.aws_role_session_name),
            aws_sts_region: keep(java && auth == Auth::Iam, &self.aws_sts_region),
            ca_location: keep(!java && tls, &self.ca_location),
        }
    }

    pub fn truststore(&self) -> Result<Truststore, AppError> {
        opt(&self.truststore)
            .map(Truststore::parse)
            .unwrap_or(Ok(Truststore::default()))
    }
}

/// The listener a request names, if the cluster has it; otherwise a 400 that lists the
/// modes it does have.
pub fn listener_of<'a>(
    cluster: &'a Cluster,
    mode: &str,
) -> Result<&'a crate::model::Bootstrap, AppError> {
    let listener: Listener = mode.parse().map_err(AppError::BadRequest)?;
    cluster.bootstrap_for(listener).ok_or_else(|| {
        let have: Vec<&str> = cluster.bootstrap.iter().map(|b| b.listener.slug()).collect();
        AppError::bad_request(if have.is_empty() {
            format!("The cluster {} has no bootstrap brokers yet, so no client configuration can work.", cluster.name)
        } else {
            format!(
                "The cluster {} has no {} listener, so a {} configuration could not connect. Its modes: {}.",
                cluster.name,
                listener.label(),
                listener.slug(),
                have.join(", ")
            )
        })
    })
}

fn doc_for(listener: Listener) -> &'static str {
    match (listener.auth(), listener.access()) {
        (_, Access::Public) => docs::PUBLIC,
        (_, Access::VpcConnectivity) => docs::MULTI_VPC,
        (Auth::Scram, _) => docs::SCRAM,
        (Auth::Iam, _) => docs::IAM,
        (Auth::None | Auth::Tls, _) => docs::PLAINTEXT_TLS,
    }
}

fn header(
    out: &mut String,
    what: &str,
    cluster: &Cluster,
    listener: Listener,
    port: &str,
    generated_at: &str,
) {
    let mut line = |s: String| {
        out.push_str("# ");
        out.push_str(&comment_safe(&s));
        out.push('\n');
    };
    line(format!("{what} for the MSK cluster \"{}\"", cluster.name));
    line(format!("Cluster ARN: {}", cluster.arn));
    let account = cluster
        .account
        .as_deref()
        .map(|a| format!(", account {a}"))
        .unwrap_or_default();
    line(format!(
        "Region: {} (source {}{account})",
        cluster.region, cluster.source
    ));
    line(format!(
        "Auth mode: {} ({}, port {port})",
        listener.label(),
        listener.security_protocol()
    ));
    line(format!(
        "Generated by msk-console {} at {generated_at}",
        crate::VERSION
    ));
    line(format!("Follows: {}", doc_for(listener)));
}

/// Escapes a `.properties` value the way `java.util.Properties.load` reads it back:
/// backslashes doubled, and characters outside ASCII as `\uXXXX` (Kafka loads client
/// configs as ISO-8859-1).
pub fn escape_properties_value(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            c if c.is_ascii() => out.push(c),
            c => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04X}"));
                }
            }
        }
    }
    out
}

fn port_text(b: &crate::model::Bootstrap) -> String {
    let ports = b.ports();
    if ports.is_empty() {
        b.listener.documented_port().to_string()
    } else {
        ports
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The Java `client.properties` for one auth mode of one cluster.
pub fn java_properties(
    cluster: &Cluster,
    mode: &str,
    options: &ClientOptions,
    console_url: &str,
    generated_at: &str,
) -> Result<String, AppError> {
    options.validate()?;
    let bootstrap = listener_of(cluster, mode)?;
    let listener = bootstrap.listener;
    let mut out = String::new();
    header(
        &mut out,
        "Kafka client configuration (Java)",
        cluster,
        listener,
        &port_text(bootstrap),
        generated_at,
    );
    out.push_str("#\n# Use it with the Kafka CLI tools, e.g.\n");
    out.push_str("#   kafka-topics.sh --bootstrap-server \"$BOOTSTRAP\" --command-config client.properties --list\n");
    out.push_str("#   kafka-console-consumer.sh --bootstrap-server \"$BOOTSTRAP\" --consumer.config client.properties --topic T\n");
    let mut kv = |k: &str, v: &str| {
        out.push_str(k);
        out.push('=');
        out.push_str(&escape_properties_value(v));
        out.push('\n');
    };
    kv("bootstrap.servers", &bootstrap.servers);
    kv("security.protocol", listener.security_protocol());
    match listener.auth() {
        Auth::None => {}
        Auth::Tls => {}
        Auth::Scram => {
            let user = opt(&options.scram_username).unwrap_or("<username>");
            kv("sasl.mechanism", "SCRAM-SHA-512");
            kv(
                "sasl.jaas.config",
                &format!(
                    "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"{user}\" password=\"<password>\";"
                ),
            );
        }
        Auth::Iam => {
            let mut jaas = String::from("software.amazon.msk.auth.iam.IAMLoginModule required");
            for (key, v) in [
                ("awsProfileName", &options.aws_profile),
                ("awsRoleArn", &options.aws_role_arn),
                ("awsRoleSessionName", &options.aws_role_session_name),
                ("awsStsRegion", &options.aws_sts_region),
            ] {
                if let Some(v) = opt(v) {
                    jaas.push_str(&format!(" {key}=\"{v}\""));
                }
            }
            jaas.push(';');
            kv("sasl.mechanism", "AWS_MSK_IAM");
            kv("sasl.jaas.config", &jaas);
            kv(
                "sasl.client.callback.handler.class",
                "software.amazon.msk.auth.iam.IAMClientCallbackHandler",
            );
        }
    }
    if listener.auth() != Auth::None {
        match options.truststore()? {
            Truststore::Pkcs12 => {
                kv("ssl.truststore.type", "PKCS12");
                kv(
                    "ssl.truststore.location",
                    opt(&options.truststore_location).unwrap_or(DEFAULT_P12_LOCATION),
                );
                kv(
                    "ssl.truststore.password",
                    opt(&options.truststore_password).unwrap_or(DEFAULT_TRUSTSTORE_PASSWORD),
                );
            }
            Truststore::Jks => {
                kv(
                    "ssl.truststore.location",
                    opt(&options.truststore_location).unwrap_or(DEFAULT_JKS_LOCATION),
                );
                if let Some(p) = opt(&options.truststore_password) {
                    kv("ssl.truststore.password", p);
                }
            }
            Truststore::None => {}
        }
    }
    match listener.auth() {
        Auth::Scram => out.push_str(
            "# Replace <password> with the password stored in the cluster's AmazonMSK_ secret in AWS\n\
             # Secrets Manager. Keep the filled-in file out of version control.\n",
        ),
        Auth::Iam => out.push_str(&format!(
            "# Needs aws-msk-iam-auth on the client's classpath: {}\n",
            docs::IAM_AUTH_LIB
        )),
        Auth::Tls if cluster.auth.tls => out.push_str(
            "# The cluster also accepts mutual TLS: add ssl.keystore.location and ssl.keystore.password\n\
             # for a client certificate issued by the cluster's private CA.\n",
        ),
        _ => {}
    }
    match options.truststore()? {
        Truststore::Pkcs12 if listener.auth() != Auth::None => out.push_str(&format!(
            "# The truststore: curl -o {} '{}/clusters/{}/truststore.p12'\n",
            comment_safe(opt(&options.truststore_location).unwrap_or(DEFAULT_P12_LOCATION)),
            comment_safe(console_url.trim_end_matches('/')),
            cluster.id
        )),
        Truststore::Jks if listener.auth() != Auth::None => {
            out.push_str("# The truststore: cp \"$JAVA_HOME/lib/security/cacerts\" /tmp/kafka.client.truststore.jks\n")
        }
        _ => {}
    }
    Ok(out)
}

/// A librdkafka configuration (kcat `-F`, confluent-kafka) for one auth mode.
pub fn librdkafka_properties(
    cluster: &Cluster,
    mode: &str,
    options: &ClientOptions,
    generated_at: &str,
) -> Result<String, AppError> {
    options.validate()?;
    let bootstrap = listener_of(cluster, mode)?;
    let listener = bootstrap.listener;
    let mut out = String::new();
    header(
        &mut out,
        "librdkafka configuration (kcat -F, confluent-kafka)",
        cluster,
        listener,
        &port_text(bootstrap),
        generated_at,
    );
    out.push_str("#\n# Use it with kcat, e.g.  kcat -F librdkafka.properties -L\n");
    out.push_str("# or load the key=value pairs into a confluent-kafka client's configuration.\n");
    let mut kv = |k: &str, v: &str| {
        out.push_str(k);
        out.push('=');
        out.push_str(v);
        out.push('\n');
    };
    kv("bootstrap.servers", &bootstrap.servers);
    let ca = opt(&options.ca_location).unwrap_or(DEFAULT_CA_LOCATION);
    match listener.auth() {
        Auth::None => kv("security.protocol", "plaintext"),
        Auth::Tls => {
            kv("security.protocol", "ssl");
            kv("ssl.ca.location", ca);
        }
        Auth::Scram => {
            kv("security.protocol", "sasl_ssl");
            kv("sasl.mechanisms", "SCRAM-SHA-512");
            kv(
                "sasl.username",
                opt(&options.scram_username).unwrap_or("<username>"),
            );
            kv("sasl.password", "<password>");
            kv("ssl.ca.location", ca);
        }
        Auth::Iam => {
            kv("security.protocol", "sasl_ssl");
            kv("sasl.mechanisms", "OAUTHBEARER");
            kv("ssl.ca.location", ca);
        }
    }
    match listener.auth() {
        Auth::Scram => out.push_str(
            "# Replace <password> with the password stored in the cluster's AmazonMSK_ secret in AWS\n\
             # Secrets Manager. Keep the filled-in file out of version control.\n",
        ),
        Auth::Iam => out.push_str(&format!(
            "# IAM needs more than this file: librdkafka has no AWS_MSK_IAM mechanism. Use\n\
             # sasl.mechanisms=OAUTHBEARER with a token callback (oauth_cb) from AWS's signer library,\n\
             # {}, e.g. in Python:\n\
             #   from aws_msk_iam_sasl_signer import MSKAuthTokenProvider\n\
             #   def oauth_cb(config): return MSKAuthTokenProvider.generate_auth_token(\"{}\")\n\
             # kcat alone cannot sign IAM requests.\n",
            docs::IAM_SIGNERS,
            comment_safe(&cluster.region)
        )),
        _ => {}
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;

    fn cluster() -> Cluster {
        let b = |l: Listener, port: u16, public: bool| Bootstrap {
            listener: l,
            servers: (1..=2)
                .map(|i| {
                    format!(
                        "b-{i}{}.demo.abc123.c2.kafka.eu-west-1.amazonaws.com:{port}",
                        if public { "-public" } else { "" }
                    )
                })
                .collect::<Vec<_>>()
                .join(","),
        };
        Cluster {
            arn: "arn:aws:kafka:eu-west-1:123456789012:cluster/demo/abc-1".into(),
            kafka_version: Some("3.6.0".into()),
            metadata: MetadataMode::ZooKeeper,
            broker_count: Some(2),
            auth: AuthModes {
                unauthenticated: true,
                tls: false,
                scram: true,
                iam: true,
            },
            public_access: true,
            bootstrap: vec![
                b(Listener::Plaintext, 9092, false),
                b(Listener::Tls, 9094, false),
                b(Listener::SaslScram, 9096, false),
                b(Listener::SaslIam, 9098, false),
                b(Listener::PublicSaslIam, 9198, true),
            ],
            ..crate::model::fixtures::cluster("demo", "prod", "eu-west-1")
        }
    }

    /// The key=value lines of a file, comments left out.
    fn lines(s: &str) -> Vec<&str> {
        s.lines().filter(|l| !l.starts_with('#')).collect()
    }

    const T: &str = "2026-11-25T12:00:00Z";

    #[test]
    fn tls_with_a_jks_copy_is_exactly_awss_example() {
        let o = ClientOptions {
            truststore: Some("jks".into()),
            ..Default::default()
        };
        let out = java_properties(&cluster(), "tls", &o, "http://console", T).unwrap();
        assert_eq!(
            lines(&out),
            [
                "bootstrap.servers=b-1.demo.abc123.c2.kafka.eu-west-1.amazonaws.com:9094,b-2.demo.abc123.c2.kafka.eu-west-1.amazonaws.com:9094",
                "security.protocol=SSL",
                "ssl.truststore.location=/tmp/kafka.client.truststore.jks",
            ]
        );
    }

    #[test]
    fn tls_with_the_consoles_truststore_names_type_and_password() {
        let out = java_properties(
            &cluster(),
            "tls",
            &ClientOptions::default(),
            "http://console",
            T,
        )
        .unwrap();
        let l = lines(&out);
        assert_eq!(
            &l[1..],
            [
                "security.protocol=SSL",
                "ssl.truststore.type=PKCS12",
                "ssl.truststore.location=/tmp/kafka.client.truststore.p12",
                "ssl.truststore.password=changeit",
            ]
        );
    }

    #[test]
    fn scram_is_awss_jaas_line_with_placeholders() {
        let o = ClientOptions {
            truststore: Some("none".into()),
            ..Default::default()
        };
        let out = java_properties(&cluster(), "sasl-scram", &o, "http://console", T).unwrap();
        assert_eq!(
            &lines(&out)[1..],
            [
                "security.protocol=SASL_SSL",
                "sasl.mechanism=SCRAM-SHA-512",
                "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"<username>\" password=\"<password>\";",
            ]
        );
        assert!(out.contains(":9096"));
    }

    #[test]
    fn iam_is_awss_four_lines_and_takes_the_jaas_options() {
        let o = ClientOptions {
            truststore: Some("none".into()),
            ..Default::default()
        };
        let out = java_properties(&cluster(), "sasl-iam", &o, "http://console", T).unwrap();
        assert_eq!(
            &lines(&out)[1..],
            [
                "security.protocol=SASL_SSL",
                "sasl.mechanism=AWS_MSK_IAM",
                "sasl.jaas.config=software.amazon.msk.auth.iam.IAMLoginModule required;",
                "sasl.client.callback.handler.class=software.amazon.msk.auth.iam.IAMClientCallbackHandler",
            ]
        );
        let o = ClientOptions {
            truststore: Some("none".into()),
            aws_profile: Some("prod".into()),
            aws_role_arn: Some("arn:aws:iam::123456789012:role/reader".into()),
            aws_role_session_name: Some("orders-app".into()),
            aws_sts_region: Some("eu-west-1".into()),
            ..Default::default()
        };
        let out = java_properties(&cluster(), "sasl-iam", &o, "http://console", T).unwrap();
        assert!(out.contains(
            "sasl.jaas.config=software.amazon.msk.auth.iam.IAMLoginModule required awsProfileName=\"prod\" \
             awsRoleArn=\"arn:aws:iam::123456789012:role/reader\" awsRoleSessionName=\"orders-app\" awsStsRegion=\"eu-west-1\";\n"
        ));
    }

    #[test]
    fn the_header_names_cluster_arn_region_mode_time_and_doc() {
        let out = java_properties(
            &cluster(),
            "public-sasl-iam",
            &ClientOptions::default(),
            "http://console",
            T,
        )
        .unwrap();
        assert!(
            out.starts_with("# Kafka client configuration (Java) for the MSK cluster \"demo\"\n")
        );
        assert!(out
            .contains("# Cluster ARN: arn:aws:kafka:eu-west-1:123456789012:cluster/demo/abc-1\n"));
        assert!(out.contains("# Region: eu-west-1 (source prod, account 123456789012)\n"));
        assert!(out.contains("# Auth mode: Public IAM (SASL_SSL, port 9198)\n"));
        assert!(out.contains(&format!(
            "# Generated by msk-console {} at {T}\n",
            crate::VERSION
        )));
        assert!(out.contains(docs::PUBLIC));
        assert!(out.contains("b-1-public.demo"));
        assert!(out.contains("# The truststore: curl -o /tmp/kafka.client.truststore.p12 'http://console/clusters/demo-0123456789/truststore.p12'\n"));
    }

    #[test]
    fn plaintext_has_no_truststore() {
        let out = java_properties(
            &cluster(),
            "plaintext",
            &ClientOptions::default(),
            "http://console",
            T,
        )
        .unwrap();
        assert_eq!(&lines(&out)[1..], ["security.protocol=PLAINTEXT"]);
    }

    #[test]
    fn a_mode_the_cluster_lacks_is_a_clear_400() {
        let e = java_properties(
            &cluster(),
            "public-tls",
            &ClientOptions::default(),
            "http://console",
            T,
        )
        .unwrap_err();
        assert_eq!(e.status_code(), 400);
        assert!(e.to_string().contains("has no Public TLS listener"), "{e}");
        assert!(e.to_string().contains("sasl-iam"), "{e}");
        let e = java_properties(
            &cluster(),
            "kerberos",
            &ClientOptions::default(),
            "http://console",
            T,
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("unknown auth mode `kerberos`"),
            "{e}"
        );
    }

    #[test]
    fn options_that_would_break_the_file_are_rejected() {
        for o in [
            ClientOptions {
                aws_profile: Some("a\"b".into()),
                ..Default::default()
            },
            ClientOptions {
                truststore_location: Some("/tmp/x\nsecurity.protocol=PLAINTEXT".into()),
                ..Default::default()
            },
            ClientOptions {
                aws_role_arn: Some("not-an-arn".into()),
                ..Default::default()
            },
            ClientOptions {
                aws_role_session_name: Some("x".into()),
                ..Default::default()
            },
            ClientOptions {
                truststore: Some("pem".into()),
                ..Default::default()
            },
            ClientOptions {
                scram_username: Some("a b".into()),
                ..Default::default()
            },
        ] {
            let e = java_properties(&cluster(), "sasl-iam", &o, "http://console", T).unwrap_err();
            assert_eq!(e.status_code(), 400, "{o:?}");
        }
    }

    #[test]
    fn only_relevant_options_are_kept() {
        let o = ClientOptions {
            scram_username: Some("alice".into()),
            aws_profile: Some("prod".into()),
            ca_location: Some("/ca.pem".into()),
            truststore: Some("jks".into()),
            ..Default::default()
        };
        let iam = o.relevant_to(true, Auth::Iam);
        assert_eq!(
            (
                iam.scram_username,
                iam.aws_profile.as_deref(),
                iam.ca_location,
                iam.truststore.as_deref()
            ),
            (None, Some("prod"), None, Some("jks"))
        );
        let rd = o.relevant_to(false, Auth::Scram);
        assert_eq!(
            (
                rd.scram_username.as_deref(),
                rd.aws_profile,
                rd.ca_location.as_deref(),
                rd.truststore
            ),
            (Some("alice"), None, Some("/ca.pem"), None)
        );
        assert_eq!(o.relevant_to(true, Auth::None), ClientOptions::default());
    }

    #[test]
    fn values_are_escaped_for_java_properties() {
        assert_eq!(
            escape_properties_value(r"C:\certs\store.p12"),
            r"C:\\certs\\store.p12"
        );
        assert_eq!(escape_properties_value("pässword"), r"p\u00E4ssword");
        assert_eq!(escape_properties_value("😀"), r"\uD83D\uDE00");
    }

    #[test]
    fn a_cluster_name_with_newlines_cannot_inject_settings() {
        let mut c = cluster();
        c.name = "evil\nsecurity.protocol=PLAINTEXT".into();
        let out = java_properties(
            &c,
            "sasl-iam",
            &ClientOptions::default(),
            "http://console",
            T,
        )
        .unwrap();
        assert_eq!(
            out.lines()
                .filter(|l| l.starts_with("security.protocol="))
                .count(),
            1,
            "{out}"
        );
    }

    #[test]
    fn librdkafka_scram_tls_and_iam() {
        let out =
            librdkafka_properties(&cluster(), "sasl-scram", &ClientOptions::default(), T).unwrap();
        assert_eq!(
            &lines(&out)[1..],
            [
                "security.protocol=sasl_ssl",
                "sasl.mechanisms=SCRAM-SHA-512",
                "sasl.username=<username>",
                "sasl.password=<password>",
                "ssl.ca.location=/etc/ssl/certs/ca-certificates.crt",
            ]
        );
        let out = librdkafka_properties(&cluster(), "tls", &ClientOptions::default(), T).unwrap();
        assert_eq!(
            &lines(&out)[1..],
            [
                "security.protocol=ssl",
                "ssl.ca.location=/etc/ssl/certs/ca-certificates.crt"
            ]
        );
        let out =
            librdkafka_properties(&cluster(), "sasl-iam", &ClientOptions::default(), T).unwrap();
        assert!(out.contains("sasl.mechanisms=OAUTHBEARER\n"));
        assert!(out.contains("aws-msk-iam-sasl-signer-python"));
        assert!(!out.contains("jaas"));
    }
}
