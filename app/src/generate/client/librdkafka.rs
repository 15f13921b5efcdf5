//! The librdkafka configuration (kcat `-F`, confluent-kafka) for one auth mode.

use super::{header, listener_of, port_text, OptionField, ValidOptions, DEFAULT_CA_LOCATION};
use crate::error::AppError;
use crate::generate::{comment_safe, docs};
use crate::model::{Auth, Cluster};

/// A librdkafka configuration (kcat `-F`, confluent-kafka) for one auth mode.
pub fn librdkafka_properties(
    cluster: &Cluster,
    mode: &str,
    options: &ValidOptions,
    generated_at: &str,
) -> Result<String, AppError> {
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
    let ca = options.get_or(OptionField::CaLocation, DEFAULT_CA_LOCATION);
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
                options.get_or(OptionField::ScramUsername, "<username>"),
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
    fn librdkafka_scram_tls_and_iam() {
        let out =
            librdkafka_properties(&cluster(), "sasl-scram", &ValidOptions::default(), T).unwrap();
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
        let out = librdkafka_properties(&cluster(), "tls", &ValidOptions::default(), T).unwrap();
        assert_eq!(
            &lines(&out)[1..],
            [
                "security.protocol=ssl",
                "ssl.ca.location=/etc/ssl/certs/ca-certificates.crt"
            ]
        );
        let out =
            librdkafka_properties(&cluster(), "sasl-iam", &ValidOptions::default(), T).unwrap();
        assert!(out.contains("sasl.mechanisms=OAUTHBEARER\n"));
        assert!(out.contains("aws-msk-iam-sasl-signer-python"));
        assert!(!out.contains("jaas"));
    }
}
