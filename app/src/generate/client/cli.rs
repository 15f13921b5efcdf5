//! Command lines for one auth mode: kcat (librdkafka) with `-X` settings, and the Kafka
//! CLI tools with `--command-config` and this console's `client.properties`.
//!
//! Every value is single-quoted for the shell (a `'` becomes `'\''`), so nothing from
//! AWS or a request can end a word or start a command.

use super::setup::setup_comment;
use super::{
    begin, mutual_tls, setup, sh_quote, Client, OptionField, ValidOptions, DEFAULT_CA_LOCATION,
    IAM_BACKOFF,
};
use crate::error::AppError;
use crate::generate::comment_safe;
use crate::model::{Auth, Cluster, Listener};

/// A POSIX shell script with the kcat and Kafka CLI command lines for one auth mode.
pub fn cli_commands(
    cluster: &Cluster,
    mode: Listener,
    options: &ValidOptions,
    console_url: &str,
    generated_at: &str,
) -> Result<String, AppError> {
    let (bootstrap, header) = begin(
        cluster,
        mode,
        "Command lines (kcat, Kafka CLI tools)",
        generated_at,
    )?;
    let listener = bootstrap.listener;
    let auth = listener.auth();
    let mut out = String::from("#!/bin/sh\n");
    out.push_str(&header);
    out.push_str("#\n");
    out.push_str(&setup_comment(&setup(Client::Cli, listener)));
    out.push_str("# Run it as it is (it lists the cluster's brokers and topics), or copy a line.\nset -eu\n\n");
    out.push_str(&format!("BOOTSTRAP={}\n\n", sh_quote(&bootstrap.servers)));

    // kcat: librdkafka's settings as -X pairs.
    let ca = options.get_or(OptionField::CaLocation, DEFAULT_CA_LOCATION);
    let mut x: Vec<(String, String)> = Vec::new();
    match auth {
        Auth::None => {}
        Auth::Tls => {
            x.push(("security.protocol".into(), "ssl".into()));
            x.push(("ssl.ca.location".into(), ca.into()));
            if mutual_tls(cluster, listener) {
                x.push((
                    "ssl.certificate.location".into(),
                    options
                        .get_or(
                            OptionField::CertificateLocation,
                            super::DEFAULT_CERTIFICATE_LOCATION,
                        )
                        .into(),
                ));
                x.push((
                    "ssl.key.location".into(),
                    options
                        .get_or(OptionField::KeyLocation, super::DEFAULT_KEY_LOCATION)
                        .into(),
                ));
                x.push((
                    "ssl.key.password".into(),
                    options
                        .get_or(OptionField::KeyPassword, super::KEY_PASSWORD_PLACEHOLDER)
                        .into(),
                ));
            }
        }
        Auth::Scram => {
            x.push(("security.protocol".into(), "sasl_ssl".into()));
            x.push(("sasl.mechanisms".into(), "SCRAM-SHA-512".into()));
            x.push((
                "sasl.username".into(),
                options
                    .get_or(OptionField::ScramUsername, "<username>")
                    .into(),
            ));
            x.push(("sasl.password".into(), "$KAFKA_PASSWORD".into()));
            x.push(("ssl.ca.location".into(), ca.into()));
        }
        Auth::Iam => {}
    }
    if auth == Auth::Iam {
        out.push_str(
            "# kcat cannot sign AWS IAM requests (librdkafka has no AWS_MSK_IAM mechanism and kcat\n\
             # takes no token callback): use the Kafka CLI tools below, or a client from the\n\
             # Downloads panel.\n",
        );
        out.push_str(IAM_BACKOFF);
    } else {
        if auth == Auth::Scram {
            out.push_str(
                "# The password of the AmazonMSK_ secret in Secrets Manager, e.g.\n\
                 #   export KAFKA_PASSWORD=\"$(aws secretsmanager get-secret-value --secret-id AmazonMSK_… --query SecretString --output text | jq -r .password)\"\n\
                 : \"${KAFKA_PASSWORD:?set KAFKA_PASSWORD}\"\n",
            );
        }
        out.push_str("# kcat: the brokers and topics (metadata).\nkcat -b \"$BOOTSTRAP\"");
        for (k, v) in &x {
            // The password stays a variable; every other value is a quoted word.
            let v = if v == "$KAFKA_PASSWORD" {
                "\"$KAFKA_PASSWORD\"".to_string()
            } else {
                sh_quote(v)
            };
            out.push_str(&format!(" \\\n  -X {k}={v}"));
        }
        out.push_str(" \\\n  -L\n\n");
    }

    // The Kafka CLI tools, with this console's client.properties.
    let url = format!(
        "{}/clusters/{}/client.properties?mode={}",
        console_url.trim_end_matches('/'),
        cluster.id,
        listener.slug()
    );
    out.push_str(&format!(
        "# The Kafka CLI tools (from Apache Kafka's bin/), with this console's client.properties\n\
         # ({} on the classpath for IAM):\n\
         #   curl -fsS -o client.properties {}\n\
         #   kafka-topics.sh --bootstrap-server \"$BOOTSTRAP\" --command-config client.properties --list\n\
         #   kafka-console-producer.sh --bootstrap-server \"$BOOTSTRAP\" --producer.config client.properties --topic T\n\
         #   kafka-console-consumer.sh --bootstrap-server \"$BOOTSTRAP\" --consumer.config client.properties --topic T --from-beginning\n",
        crate::generate::docs::IAM_AUTH_LIB,
        comment_safe(&sh_quote(&url)),
    ));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::client::fixtures::{cluster, T};
    use crate::generate::client::ClientOptions;

    #[test]
    fn values_are_single_quoted_words() {
        assert_eq!(sh_quote("a'b"), "'a'\\''b'");
        let s = cli_commands(
            &cluster(),
            Listener::SaslScram,
            &ClientOptions::default()
                .with(OptionField::ScramUsername, "o'brien")
                .parse()
                .unwrap(),
            "http://console",
            T,
        )
        .unwrap();
        assert!(s.contains("-X sasl.username='o'\\''brien'"), "{s}");
        assert!(s.contains("-X sasl.password=\"$KAFKA_PASSWORD\""));
        assert!(s.starts_with("#!/bin/sh\n# "));
    }

    #[test]
    fn iam_says_kcat_cannot_sign() {
        let s = cli_commands(
            &cluster(),
            Listener::SaslIam,
            &ClientOptions::default().parse().unwrap(),
            "http://console",
            T,
        )
        .unwrap();
        assert!(!s.contains("\nkcat "), "{s}");
        assert!(s.contains("kcat cannot sign AWS IAM requests"));
        assert!(s.contains("--command-config client.properties"));
    }
}
