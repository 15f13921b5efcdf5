//! The Java `client.properties` for one auth mode, with the lines AWS documents.

use super::setup::setup_comment;
use super::{
    begin, escape_properties_value, mtls_steps, mutual_tls, scram_note, setup, Client,
    IamMechanism, OptionField, Truststore, ValidOptions, DEFAULT_JKS_LOCATION,
    DEFAULT_KEYSTORE_LOCATION, DEFAULT_P12_LOCATION, DEFAULT_TRUSTSTORE_PASSWORD, IAM_BACKOFF,
    KEYSTORE_PASSWORD_PLACEHOLDER, KEY_PASSWORD_PLACEHOLDER,
};
use crate::error::AppError;
use crate::generate::{comment_safe, docs};
use crate::model::{Auth, Cluster, Listener};

/// The Java `client.properties` for one auth mode of one cluster.
pub fn java_properties(
    cluster: &Cluster,
    mode: Listener,
    options: &ValidOptions,
    console_url: &str,
    generated_at: &str,
) -> Result<String, AppError> {
    let (bootstrap, mut out) = begin(
        cluster,
        mode,
        "Kafka client configuration (Java)",
        generated_at,
    )?;
    let listener = bootstrap.listener;
    out.push_str("#\n# Use it with the Kafka CLI tools, e.g.\n");
    out.push_str("#   kafka-topics.sh --bootstrap-server \"$BOOTSTRAP\" --command-config client.properties --list\n");
    out.push_str("#   kafka-console-consumer.sh --bootstrap-server \"$BOOTSTRAP\" --consumer.config client.properties --topic T\n");
    for (k, v) in java_settings(cluster, listener, &bootstrap.servers, options) {
        out.push_str(k);
        out.push('=');
        out.push_str(&escape_properties_value(&v));
        out.push('\n');
    }
    match listener.auth() {
        Auth::Scram => out.push_str(&scram_note(cluster)),
        Auth::Iam => {
            out.push_str(&format!(
                "# Needs aws-msk-iam-auth on the client's classpath: {}\n",
                docs::IAM_AUTH_LIB
            ));
            out.push_str(&setup_comment(&setup(Client::JavaProperties, listener)));
            out.push_str(IAM_BACKOFF);
        }
        Auth::Tls if mutual_tls(cluster, listener) => out.push_str(&mtls_steps(cluster, true)),
        _ => {}
    }
    match options.truststore {
        Truststore::Pkcs12 if listener.auth() != Auth::None => out.push_str(&format!(
            "# The truststore: curl -o {} '{}/clusters/{}/truststore.p12'\n",
            comment_safe(options.get_or(OptionField::TruststoreLocation, DEFAULT_P12_LOCATION)),
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

/// The Java client settings of one listener, in file order: what `client.properties`
/// holds and what Spring Boot's `application.yml` maps ([`super::spring`]).
pub(crate) fn java_settings(
    cluster: &Cluster,
    listener: Listener,
    servers: &str,
    options: &ValidOptions,
) -> Vec<(&'static str, String)> {
    let mut pairs: Vec<(&'static str, String)> = Vec::new();
    let mut kv = |k: &'static str, v: &str| pairs.push((k, v.to_string()));
    kv("bootstrap.servers", servers);
    kv("security.protocol", listener.security_protocol());
    match listener.auth() {
        Auth::None => {}
        Auth::Tls => {}
        Auth::Scram => {
            let user = options.get_or(OptionField::ScramUsername, "<username>");
            kv("sasl.mechanism", "SCRAM-SHA-512");
            kv(
                "sasl.jaas.config",
                &format!(
                    "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"{user}\" password=\"<password>\";"
                ),
            );
        }
        Auth::Iam => {
            // aws-msk-iam-auth's own mechanism, or its OAUTHBEARER token handler.
            let (mechanism, module, handler, handler_keys): (_, _, _, &[&str]) =
                match options.iam_mechanism {
                    IamMechanism::AwsMskIam => (
                        "AWS_MSK_IAM",
                        "software.amazon.msk.auth.iam.IAMLoginModule",
                        "software.amazon.msk.auth.iam.IAMClientCallbackHandler",
                        &["sasl.client.callback.handler.class"],
                    ),
                    IamMechanism::OAuthBearer => (
                        "OAUTHBEARER",
                        "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule",
                        "software.amazon.msk.auth.iam.IAMOAuthBearerLoginCallbackHandler",
                        &[
                            "sasl.login.callback.handler.class",
                            "sasl.client.callback.handler.class",
                        ],
                    ),
                };
            let mut jaas = format!("{module} required");
            for (key, v) in [
                ("awsProfileName", OptionField::AwsProfile),
                ("awsRoleArn", OptionField::AwsRoleArn),
                ("awsRoleSessionName", OptionField::AwsRoleSessionName),
                ("awsStsRegion", OptionField::AwsStsRegion),
            ] {
                if let Some(v) = options.get(v) {
                    jaas.push_str(&format!(" {key}=\"{v}\""));
                }
            }
            jaas.push(';');
            kv("sasl.mechanism", mechanism);
            kv("sasl.jaas.config", &jaas);
            for key in handler_keys {
                kv(key, handler);
            }
        }
    }
    if listener.auth() != Auth::None {
        match options.truststore {
            Truststore::Pkcs12 => {
                kv("ssl.truststore.type", "PKCS12");
                kv(
                    "ssl.truststore.location",
                    options.get_or(OptionField::TruststoreLocation, DEFAULT_P12_LOCATION),
                );
                kv(
                    "ssl.truststore.password",
                    options.get_or(OptionField::TruststorePassword, DEFAULT_TRUSTSTORE_PASSWORD),
                );
            }
            Truststore::Jks => {
                kv(
                    "ssl.truststore.location",
                    options.get_or(OptionField::TruststoreLocation, DEFAULT_JKS_LOCATION),
                );
                if let Some(p) = options.get(OptionField::TruststorePassword) {
                    kv("ssl.truststore.password", p);
                }
            }
            Truststore::None => {}
        }
    }
    if mutual_tls(cluster, listener) {
        kv("ssl.keystore.type", "PKCS12");
        kv(
            "ssl.keystore.location",
            options.get_or(OptionField::KeystoreLocation, DEFAULT_KEYSTORE_LOCATION),
        );
        kv(
            "ssl.keystore.password",
            options.get_or(OptionField::KeystorePassword, KEYSTORE_PASSWORD_PLACEHOLDER),
        );
        kv(
            "ssl.key.password",
            options.get_or(OptionField::KeyPassword, KEY_PASSWORD_PLACEHOLDER),
        );
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::client::fixtures::{cluster, lines, T};
    use crate::generate::client::ClientOptions;

    #[test]
    fn tls_with_a_jks_copy_is_exactly_awss_example() {
        let o = ClientOptions::default().with(OptionField::Truststore, "jks");
        let out = java_properties(
            &cluster(),
            Listener::Tls,
            &o.parse().unwrap(),
            "http://console",
            T,
        )
        .unwrap();
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
            Listener::Tls,
            &ValidOptions::default(),
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
        let o = ClientOptions::default().with(OptionField::Truststore, "none");
        let out = java_properties(
            &cluster(),
            Listener::SaslScram,
            &o.parse().unwrap(),
            "http://console",
            T,
        )
        .unwrap();
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
        let o = ClientOptions::default().with(OptionField::Truststore, "none");
        let out = java_properties(
            &cluster(),
            Listener::SaslIam,
            &o.parse().unwrap(),
            "http://console",
            T,
        )
        .unwrap();
        assert_eq!(
            &lines(&out)[1..],
            [
                "security.protocol=SASL_SSL",
                "sasl.mechanism=AWS_MSK_IAM",
                "sasl.jaas.config=software.amazon.msk.auth.iam.IAMLoginModule required;",
                "sasl.client.callback.handler.class=software.amazon.msk.auth.iam.IAMClientCallbackHandler",
            ]
        );
        let o = ClientOptions::default()
            .with(OptionField::Truststore, "none")
            .with(OptionField::AwsProfile, "prod")
            .with(
                OptionField::AwsRoleArn,
                "arn:aws:iam::123456789012:role/reader",
            )
            .with(OptionField::AwsRoleSessionName, "orders-app")
            .with(OptionField::AwsStsRegion, "eu-west-1");
        let out = java_properties(
            &cluster(),
            Listener::SaslIam,
            &o.parse().unwrap(),
            "http://console",
            T,
        )
        .unwrap();
        assert!(out.contains(
            "sasl.jaas.config=software.amazon.msk.auth.iam.IAMLoginModule required awsProfileName=\"prod\" \
             awsRoleArn=\"arn:aws:iam::123456789012:role/reader\" awsRoleSessionName=\"orders-app\" awsStsRegion=\"eu-west-1\";\n"
        ));
    }

    #[test]
    fn iam_over_oauthbearer_is_awss_alternative_with_the_same_jaas_options() {
        let o = ClientOptions::default()
            .with(OptionField::Truststore, "none")
            .with(OptionField::IamMechanism, "oauthbearer")
            .with(OptionField::AwsProfile, "prod");
        let out = java_properties(
            &cluster(),
            Listener::SaslIam,
            &o.parse().unwrap(),
            "http://console",
            T,
        )
        .unwrap();
        assert_eq!(
            &lines(&out)[1..],
            [
                "security.protocol=SASL_SSL",
                "sasl.mechanism=OAUTHBEARER",
                "sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required awsProfileName=\"prod\";",
                "sasl.login.callback.handler.class=software.amazon.msk.auth.iam.IAMOAuthBearerLoginCallbackHandler",
                "sasl.client.callback.handler.class=software.amazon.msk.auth.iam.IAMOAuthBearerLoginCallbackHandler",
            ]
        );
        assert!(
            out.contains("# Many clients (re)connecting at once"),
            "{out}"
        );
        assert!(out.contains("reconnect.backoff.ms=1000"), "{out}");
        let e = ClientOptions::default()
            .with(OptionField::IamMechanism, "kerberos")
            .parse()
            .unwrap_err();
        assert!(e.to_string().contains("unknown IAM mechanism"), "{e}");
    }

    #[test]
    fn mutual_tls_adds_the_keystore_and_the_steps_to_get_a_certificate() {
        let mut c = cluster();
        c.auth.tls = true;
        c.settings.certificate_authorities =
            vec!["arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/abc".into()];
        let o = ClientOptions::default()
            .with(OptionField::Truststore, "jks")
            .with(OptionField::KeystoreLocation, "/etc/kafka/client.p12");
        let out =
            java_properties(&c, Listener::Tls, &o.parse().unwrap(), "http://console", T).unwrap();
        assert_eq!(
            &lines(&out)[1..],
            [
                "security.protocol=SSL",
                "ssl.truststore.location=/tmp/kafka.client.truststore.jks",
                "ssl.keystore.type=PKCS12",
                "ssl.keystore.location=/etc/kafka/client.p12",
                "ssl.keystore.password=<keystore-password>",
                "ssl.key.password=<key-password>",
            ]
        );
        assert!(out.contains("# Certificates come from its private CA: arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/abc\n"), "{out}");
        assert!(
            out.contains(
                "aws acm-pca issue-certificate --certificate-authority-arn arn:aws:acm-pca:"
            ),
            "{out}"
        );
        // A TLS listener of a cluster without client certificates has none of it.
        let plain = java_properties(
            &cluster(),
            Listener::Tls,
            &o.parse().unwrap(),
            "http://console",
            T,
        )
        .unwrap();
        assert!(!plain.contains("keystore"), "{plain}");
    }

    #[test]
    fn the_header_names_cluster_arn_region_mode_time_and_doc() {
        let out = java_properties(
            &cluster(),
            Listener::PublicSaslIam,
            &ValidOptions::default(),
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
            Listener::Plaintext,
            &ValidOptions::default(),
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
            Listener::PublicTls,
            &ValidOptions::default(),
            "http://console",
            T,
        )
        .unwrap_err();
        assert_eq!(e.status_code(), 400);
        assert!(e.to_string().contains("has no Public TLS listener"), "{e}");
        assert!(e.to_string().contains("sasl-iam"), "{e}");
        // An unknown mode never gets this far: it is refused where it enters.
        let e = Listener::parse_opt(Some("kerberos")).unwrap_err();
        assert_eq!(e.status_code(), 400);
        assert!(
            e.to_string().contains("unknown auth mode `kerberos`"),
            "{e}"
        );
        assert_eq!(Listener::parse_opt(Some(" ")).unwrap(), None);
        let e = Listener::parse_opt(Some("<x>\r\nset-cookie")).unwrap_err();
        assert!(!e.to_string().contains('\n'), "{e}");
    }

    #[test]
    fn options_that_would_break_the_file_are_rejected() {
        for o in [
            ClientOptions::default().with(OptionField::AwsProfile, "a\"b"),
            ClientOptions::default().with(
                OptionField::TruststoreLocation,
                "/tmp/x\nsecurity.protocol=PLAINTEXT",
            ),
            ClientOptions::default().with(OptionField::AwsRoleArn, "not-an-arn"),
            ClientOptions::default().with(OptionField::AwsRoleSessionName, "x"),
            ClientOptions::default().with(OptionField::Truststore, "pem"),
            ClientOptions::default().with(OptionField::ScramUsername, "a b"),
        ] {
            let e = o
                .parse()
                .and_then(|o| {
                    java_properties(&cluster(), Listener::SaslIam, &o, "http://console", T)
                })
                .unwrap_err();
            assert_eq!(e.status_code(), 400, "{o:?}");
        }
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
            Listener::SaslIam,
            &ValidOptions::default(),
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
}
