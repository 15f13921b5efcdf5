//! Spring Boot's `application.yml` for one auth mode: the Java client's settings
//! ([`super::java::java_settings`], so each option has one spelling) under the names
//! Spring Boot's Kafka auto-configuration binds
//! (<https://docs.spring.io/spring-boot/appendix/application-properties/index.html#appendix.application-properties.integration>):
//! `spring.kafka.bootstrap-servers`, `spring.kafka.security.protocol`,
//! `spring.kafka.ssl.*` for the stores (as `file:` resources), and every other Kafka
//! client setting (SASL mechanism, JAAS line, aws-msk-iam-auth's handlers) under
//! `spring.kafka.properties`, which Spring passes to every client as it is.

use super::java::java_settings;
use super::setup::setup_comment;
use super::{
    begin, mtls_steps, mutual_tls, quoted, scram_note, setup, Client, ValidOptions, IAM_BACKOFF,
};
use crate::error::AppError;
use crate::generate::docs;
use crate::model::{Auth, Cluster, Listener};

/// Where Spring Boot's auto-configuration reads a Java client setting: its own property
/// under `spring.kafka` (with `file:` for a store's path), or `None` for
/// `spring.kafka.properties`.
fn spring_name(java_key: &str) -> Option<(&'static str, &'static str, bool)> {
    // (section, name, is a resource)
    Some(match java_key {
        "bootstrap.servers" => ("", "bootstrap-servers", false),
        "security.protocol" => ("security", "protocol", false),
        "ssl.truststore.location" => ("ssl", "trust-store-location", true),
        "ssl.truststore.password" => ("ssl", "trust-store-password", false),
        "ssl.truststore.type" => ("ssl", "trust-store-type", false),
        "ssl.keystore.location" => ("ssl", "key-store-location", true),
        "ssl.keystore.password" => ("ssl", "key-store-password", false),
        "ssl.keystore.type" => ("ssl", "key-store-type", false),
        "ssl.key.password" => ("ssl", "key-password", false),
        _ => return None,
    })
}

/// Spring Boot's `application.yml` for one auth mode of one cluster.
pub fn spring_boot_yaml(
    cluster: &Cluster,
    mode: Listener,
    options: &ValidOptions,
    generated_at: &str,
) -> Result<String, AppError> {
    let (bootstrap, mut out) = begin(
        cluster,
        mode,
        "Spring Boot application.yml (spring-kafka)",
        generated_at,
    )?;
    let listener = bootstrap.listener;
    out.push_str(
        "#\n# Merge it into src/main/resources/application.yml; Spring Boot's Kafka\n\
         # auto-configuration passes it to every producer, consumer and admin client.\n",
    );
    out.push_str(&setup_comment(&setup(Client::SpringBoot, listener)));
    if listener.auth() == Auth::Iam {
        out.push_str(&format!(
            "# Needs software.amazon.msk:aws-msk-iam-auth on the classpath: {}\n{IAM_BACKOFF}",
            docs::IAM_AUTH_LIB
        ));
    }
    match listener.auth() {
        Auth::Scram => out.push_str(&scram_note(cluster)),
        Auth::Tls if mutual_tls(cluster, listener) => out.push_str(&mtls_steps(cluster, true)),
        _ => {}
    }
    let settings = java_settings(cluster, listener, &bootstrap.servers, options);
    let mut top = Vec::new();
    let mut security = Vec::new();
    let mut ssl = Vec::new();
    let mut properties = Vec::new();
    for (key, value) in settings {
        match spring_name(key) {
            Some((section, name, resource)) => {
                let value = if resource {
                    format!("file:{value}")
                } else {
                    value
                };
                let line = format!("{name}: {}", quoted(&value));
                match section {
                    "" => top.push(line),
                    "security" => security.push(line),
                    _ => ssl.push(line),
                }
            }
            None => properties.push(format!("{key}: {}", quoted(&value))),
        }
    }
    out.push_str("spring:\n  kafka:\n");
    for l in &top {
        out.push_str(&format!("    {l}\n"));
    }
    for (name, lines) in [
        ("security", &security),
        ("ssl", &ssl),
        ("properties", &properties),
    ] {
        if !lines.is_empty() {
            out.push_str(&format!("    {name}:\n"));
            for l in lines {
                out.push_str(&format!("      {l}\n"));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::client::fixtures::{cluster, T};
    use crate::generate::client::ClientOptions;

    #[test]
    fn iam_maps_the_java_lines_onto_spring_boot_names() {
        let y = spring_boot_yaml(
            &cluster(),
            Listener::SaslIam,
            &ClientOptions::default().parse().unwrap(),
            T,
        )
        .unwrap();
        assert!(
            y.contains("spring:\n  kafka:\n    bootstrap-servers: \"b-1."),
            "{y}"
        );
        assert!(
            y.contains("    security:\n      protocol: \"SASL_SSL\"\n"),
            "{y}"
        );
        assert!(
            y.contains("      trust-store-location: \"file:/tmp/kafka.client.truststore.p12\"\n")
        );
        assert!(y.contains("      trust-store-type: \"PKCS12\"\n"));
        assert!(y.contains("    properties:\n      sasl.mechanism: \"AWS_MSK_IAM\"\n"));
        assert!(y.contains(
            "      sasl.jaas.config: \"software.amazon.msk.auth.iam.IAMLoginModule required;\"\n"
        ));
        assert!(y.contains(
            "      sasl.client.callback.handler.class: \"software.amazon.msk.auth.iam.IAMClientCallbackHandler\"\n"
        ));
    }

    #[test]
    fn plaintext_has_no_ssl_section() {
        let y = spring_boot_yaml(
            &cluster(),
            Listener::Plaintext,
            &ClientOptions::default().parse().unwrap(),
            T,
        )
        .unwrap();
        assert!(!y.contains("ssl:"), "{y}");
        assert!(y.contains("      protocol: \"PLAINTEXT\"\n"));
    }
}
