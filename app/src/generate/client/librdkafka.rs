//! The librdkafka configuration (kcat `-F`, confluent-kafka) for one auth mode.

use super::{
    begin, mtls_steps, mutual_tls, scram_note, OptionField, ValidOptions, DEFAULT_CA_LOCATION,
    DEFAULT_CERTIFICATE_LOCATION, DEFAULT_KEY_LOCATION, IAM_BACKOFF, KEY_PASSWORD_PLACEHOLDER,
};
use crate::error::AppError;
use crate::generate::{comment_safe, docs};
use crate::model::{Auth, Cluster, Listener};

/// A librdkafka configuration (kcat `-F`, confluent-kafka) for one auth mode.
pub fn librdkafka_properties(
    cluster: &Cluster,
    mode: Listener,
    options: &ValidOptions,
    generated_at: &str,
) -> Result<String, AppError> {
    let (bootstrap, mut out) = begin(
        cluster,
        mode,
        "librdkafka configuration (kcat -F, confluent-kafka)",
        generated_at,
    )?;
    let listener = bootstrap.listener;
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
            if mutual_tls(cluster, listener) {
                kv(
                    "ssl.certificate.location",
                    options.get_or(
                        OptionField::CertificateLocation,
                        DEFAULT_CERTIFICATE_LOCATION,
                    ),
                );
                kv(
                    "ssl.key.location",
                    options.get_or(OptionField::KeyLocation, DEFAULT_KEY_LOCATION),
                );
                kv(
                    "ssl.key.password",
                    options.get_or(OptionField::KeyPassword, KEY_PASSWORD_PLACEHOLDER),
                );
            }
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
        Auth::Scram => out.push_str(&scram_note(cluster)),
        Auth::Tls if mutual_tls(cluster, listener) => out.push_str(&mtls_steps(cluster, false)),
        Auth::Iam => out.push_str(&format!(
            "# IAM needs more than this file: librdkafka has no AWS_MSK_IAM mechanism. Use\n\
             # sasl.mechanisms=OAUTHBEARER with a token callback (oauth_cb) from AWS's signer library,\n\
             # {}, e.g. in Python with confluent-kafka:\n\
             #   from aws_msk_iam_sasl_signer import MSKAuthTokenProvider\n\
             #   def oauth_cb(config):\n\
             #       token, expiry_ms = MSKAuthTokenProvider.generate_auth_token(\"{}\")\n\
             #       return token, expiry_ms / 1000  # confluent-kafka wants the expiry in seconds\n\
             # kcat alone cannot sign IAM requests.\n{}",
            docs::IAM_SIGNERS,
            comment_safe(&cluster.region),
            IAM_BACKOFF,
        )),
        _ => {}
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::client::fixtures::{cluster, lines, T};

    #[test]
    fn librdkafka_mutual_tls_names_the_pem_files() {
        let mut c = cluster();
        c.auth.tls = true;
        let out = librdkafka_properties(&c, Listener::Tls, &ValidOptions::default(), T).unwrap();
        assert_eq!(
            &lines(&out)[1..],
            [
                "security.protocol=ssl",
                "ssl.ca.location=/etc/ssl/certs/ca-certificates.crt",
                "ssl.certificate.location=/tmp/client-cert.pem",
                "ssl.key.location=/tmp/client-key.pem",
                "ssl.key.password=<key-password>",
            ]
        );
        assert!(
            out.contains("openssl req -new -newkey rsa:2048 -keyout client-key.pem"),
            "{out}"
        );
    }

    #[test]
    fn librdkafka_scram_tls_and_iam() {
        let out =
            librdkafka_properties(&cluster(), Listener::SaslScram, &ValidOptions::default(), T)
                .unwrap();
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
        let out =
            librdkafka_properties(&cluster(), Listener::Tls, &ValidOptions::default(), T).unwrap();
        assert_eq!(
            &lines(&out)[1..],
            [
                "security.protocol=ssl",
                "ssl.ca.location=/etc/ssl/certs/ca-certificates.crt"
            ]
        );
        let out = librdkafka_properties(&cluster(), Listener::SaslIam, &ValidOptions::default(), T)
            .unwrap();
        assert!(out.contains("sasl.mechanisms=OAUTHBEARER\n"));
        assert!(out.contains("aws-msk-iam-sasl-signer-python"));
        assert!(!out.contains("jaas"));
    }
}
