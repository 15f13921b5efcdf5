//! Node.js producers for one auth mode, as modules (`producer()` builds one; run
//! directly it sends one record): kafkajs, and Confluent's
//! `@confluentinc/kafka-javascript` through its KafkaJS-compatible API.
//!
//! The two look alike but differ where people trip: Confluent's `oauthBearerProvider`
//! must return the token's `lifetime` (ms) and a `principal` as well as its `value`
//! (it refuses kafkajs's `{ value }` alone), and TLS files go in librdkafka's own
//! settings (`ssl.ca.location`) beside the `kafkaJS` block.
//!
//! IAM uses AWS's signer library, `aws-msk-iam-sasl-signer-js`, as kafkajs's
//! `oauthBearerProvider`, as its README shows
//! (<https://github.com/aws/aws-msk-iam-sasl-signer-js>); SCRAM is `scram-sha-512`; TLS
//! verifies the brokers with Node's CAs (Amazon's roots are among them) unless a CA
//! bundle is given. Every value is a JSON string literal, which JavaScript reads as it is.

use super::{
    begin, mutual_tls, producer_notes, quoted, slash_comments, Client, OptionField, ValidOptions,
};
use crate::error::AppError;
use crate::model::{Auth, Cluster, Listener};

/// The signer call for the chosen credentials.
fn signer_call(options: &ValidOptions) -> String {
    if let Some(role) = options.get(OptionField::AwsRoleArn) {
        let session = options
            .get(OptionField::AwsRoleSessionName)
            .map(|s| format!(", awsRoleSessionName: {}", quoted(s)))
            .unwrap_or_default();
        format!(
            "generateAuthTokenFromRole({{ region: REGION, awsRoleArn: {}{session} }})",
            quoted(role)
        )
    } else if let Some(p) = options.get(OptionField::AwsProfile) {
        format!(
            "generateAuthTokenFromProfile({{ region: REGION, awsProfileName: {} }})",
            quoted(p)
        )
    } else {
        "generateAuthToken({ region: REGION })".into()
    }
}

/// The lines both clients share: the signer's import (IAM), the brokers, the region
/// (IAM), the SCRAM user and the topic.
fn constants(cluster: &Cluster, servers: &str, auth: Auth, options: &ValidOptions) -> String {
    let mut out = String::new();
    if auth == Auth::Iam {
        let f = signer_call(options);
        let name = &f[..f.find('(').unwrap_or(f.len())];
        out.push_str(&format!(
            "const {{ {name} }} = require(\"aws-msk-iam-sasl-signer-js\");\n"
        ));
    }
    out.push('\n');
    out.push_str(&format!(
        "const BROKERS = {}.split(\",\");\n",
        quoted(servers)
    ));
    if auth == Auth::Iam {
        out.push_str(&format!("const REGION = {};\n", quoted(&cluster.region)));
    }
    if auth == Auth::Scram {
        out.push_str(&format!(
            "const USERNAME = {};\nconst PASSWORD = \"<password>\"; // from the AmazonMSK_ secret in Secrets Manager\n",
            quoted(options.get_or(OptionField::ScramUsername, "<username>"))
        ));
    }
    out.push_str("const TOPIC = \"msk-console-test\";\n\n");
    out
}

/// A Node.js Kafka client library.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeClient {
    Kafkajs,
    /// `@confluentinc/kafka-javascript` (librdkafka underneath), KafkaJS-style API.
    Confluent,
}

/// The kafkajs module for one auth mode of one cluster.
pub fn kafkajs_client(
    cluster: &Cluster,
    mode: Listener,
    options: &ValidOptions,
    generated_at: &str,
) -> Result<String, AppError> {
    node_client(cluster, mode, NodeClient::Kafkajs, options, generated_at)
}

/// The Node.js module for one auth mode of one cluster with `client`.
pub fn node_client(
    cluster: &Cluster,
    mode: Listener,
    client: NodeClient,
    options: &ValidOptions,
    generated_at: &str,
) -> Result<String, AppError> {
    if client == NodeClient::Confluent {
        return confluent(cluster, mode, options, generated_at);
    }
    let (bootstrap, header) = begin(cluster, mode, "kafkajs producer (Node.js)", generated_at)?;
    let listener = bootstrap.listener;
    let auth = listener.auth();
    let mtls = auth == Auth::Tls && mutual_tls(cluster, listener);
    let notes = producer_notes(
        cluster,
        listener,
        Client::Node(NodeClient::Kafkajs),
        "this-file.js",
    );
    let mut out = slash_comments(&header, &notes);
    out.push_str("\"use strict\";\n\n");
    if auth != Auth::None && (options.get(OptionField::CaLocation).is_some() || mtls) {
        out.push_str("const fs = require(\"fs\");\n");
    }
    out.push_str("const { Kafka } = require(\"kafkajs\");\n");
    out.push_str(&constants(cluster, &bootstrap.servers, auth, options));

    // TLS: Node's CAs, or the bundle given.
    let ssl = if auth == Auth::None {
        None
    } else {
        let mut parts = Vec::new();
        if let Some(ca) = options.get(OptionField::CaLocation) {
            parts.push(format!("ca: [fs.readFileSync({}, \"utf-8\")]", quoted(ca)));
        }
        if mtls {
            parts.push(format!(
                "cert: fs.readFileSync({}, \"utf-8\")",
                quoted(options.get_or(
                    OptionField::CertificateLocation,
                    super::DEFAULT_CERTIFICATE_LOCATION
                ))
            ));
            parts.push(format!(
                "key: fs.readFileSync({}, \"utf-8\")",
                quoted(options.get_or(OptionField::KeyLocation, super::DEFAULT_KEY_LOCATION))
            ));
            parts.push(format!(
                "passphrase: {}",
                quoted(options.get_or(OptionField::KeyPassword, super::KEY_PASSWORD_PLACEHOLDER))
            ));
        }
        Some(if parts.is_empty() {
            "true".to_string()
        } else {
            format!("{{\n    {},\n  }}", parts.join(",\n    "))
        })
    };
    if auth == Auth::Iam {
        out.push_str(&format!(
            "// kafkajs asks for a token at every connection; the signer signs with this\n\
             // machine's AWS credentials.\nasync function oauthBearerProvider() {{\n  \
             const auth = await {};\n  return {{ value: auth.token }};\n}}\n\n",
            signer_call(options)
        ));
    }
    out.push_str("function producer() {\n  const kafka = new Kafka({\n");
    out.push_str("    clientId: require(\"os\").hostname(),\n    brokers: BROKERS,\n");
    if let Some(ssl) = ssl {
        out.push_str(&format!("    ssl: {},\n", ssl.replace('\n', "\n  ")));
    }
    match auth {
        Auth::Scram => out.push_str(
            "    sasl: { mechanism: \"scram-sha-512\", username: USERNAME, password: PASSWORD },\n",
        ),
        Auth::Iam => out.push_str(
            "    sasl: { mechanism: \"oauthbearer\", oauthBearerProvider },\n    \
             retry: { initialRetryTime: 1000 },\n",
        ),
        _ => {}
    }
    out.push_str("  });\n  return kafka.producer();\n}\n\n");
    out.push_str(
        "module.exports = { producer };\n\nif (require.main === module) {\n  (async () => {\n    \
         const p = producer();\n    await p.connect();\n    \
         await p.send({ topic: TOPIC, messages: [{ value: \"hello from msk-console\" }] });\n    \
         await p.disconnect();\n  })().catch((e) => {\n    console.error(e);\n    process.exit(1);\n  });\n}\n",
    );
    if auth == Auth::Iam {
        out = out.replace(
            "module.exports = { producer };",
            "module.exports = { producer, oauthBearerProvider };",
        );
    }
    Ok(out)
}

/// The `@confluentinc/kafka-javascript` module.
fn confluent(
    cluster: &Cluster,
    mode: Listener,
    options: &ValidOptions,
    generated_at: &str,
) -> Result<String, AppError> {
    let (bootstrap, header) = begin(
        cluster,
        mode,
        "@confluentinc/kafka-javascript producer (Node.js)",
        generated_at,
    )?;
    let listener = bootstrap.listener;
    let auth = listener.auth();
    let mtls = auth == Auth::Tls && mutual_tls(cluster, listener);
    let notes = producer_notes(
        cluster,
        listener,
        Client::Node(NodeClient::Confluent),
        "this-file.js",
    );
    let mut out = slash_comments(&header, &notes);
    out.push_str("\"use strict\";\n\nconst { Kafka } = require(\"@confluentinc/kafka-javascript\").KafkaJS;\n");
    out.push_str(&constants(cluster, &bootstrap.servers, auth, options));
    if auth == Auth::Iam {
        out.push_str(&format!(
            "// Unlike kafkajs, this client needs the token's lifetime (ms) and a principal too.\n\
             async function oauthBearerProvider() {{\n  const auth = await {};\n  \
             return {{ value: auth.token, lifetime: auth.expiryTime, principal: \"msk-client\" }};\n}}\n\n",
            signer_call(options)
        ));
    }
    out.push_str("function producer() {\n  return new Kafka({}).producer({\n");
    // librdkafka's own settings: the TLS files.
    if auth != Auth::None {
        if let Some(ca) = options.get(OptionField::CaLocation) {
            out.push_str(&format!("    \"ssl.ca.location\": {},\n", quoted(ca)));
        }
        if mtls {
            out.push_str(&format!(
                "    \"ssl.certificate.location\": {},\n    \"ssl.key.location\": {},\n    \"ssl.key.password\": {},\n",
                quoted(options.get_or(
                    OptionField::CertificateLocation,
                    super::DEFAULT_CERTIFICATE_LOCATION
                )),
                quoted(options.get_or(OptionField::KeyLocation, super::DEFAULT_KEY_LOCATION)),
                quoted(options.get_or(OptionField::KeyPassword, super::KEY_PASSWORD_PLACEHOLDER))
            ));
        }
    }
    out.push_str("    kafkaJS: {\n      brokers: BROKERS,\n");
    if auth != Auth::None {
        out.push_str("      ssl: true,\n");
    }
    match auth {
        Auth::Scram => out.push_str(
            "      sasl: { mechanism: \"scram-sha-512\", username: USERNAME, password: PASSWORD },\n",
        ),
        Auth::Iam => {
            out.push_str("      sasl: { mechanism: \"oauthbearer\", oauthBearerProvider },\n")
        }
        _ => {}
    }
    out.push_str("    },\n  });\n}\n\n");
    out.push_str(if auth == Auth::Iam {
        "module.exports = { producer, oauthBearerProvider };\n"
    } else {
        "module.exports = { producer };\n"
    });
    out.push_str(
        "\nif (require.main === module) {\n  (async () => {\n    const p = producer();\n    await p.connect();\n    \
         await p.send({ topic: TOPIC, messages: [{ value: \"hello from msk-console\" }] });\n    \
         await p.disconnect();\n  })().catch((e) => {\n    console.error(e);\n    process.exit(1);\n  });\n}\n",
    );
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::client::fixtures::{cluster, T};
    use crate::generate::client::ClientOptions;

    #[test]
    fn iam_follows_the_signers_readme() {
        let js = kafkajs_client(
            &cluster(),
            Listener::SaslIam,
            &ClientOptions::default().parse().unwrap(),
            T,
        )
        .unwrap();
        assert!(js.starts_with("// "), "{js}");
        assert!(
            js.contains("const { generateAuthToken } = require(\"aws-msk-iam-sasl-signer-js\");")
        );
        assert!(js.contains("const auth = await generateAuthToken({ region: REGION });"));
        assert!(js.contains("return { value: auth.token };"));
        assert!(js.contains("sasl: { mechanism: \"oauthbearer\", oauthBearerProvider },"));
        assert!(js.contains("    ssl: true,\n"));
        assert!(!js.lines().any(|l| l.starts_with('#')), "{js}");
    }

    #[test]
    fn confluents_provider_returns_lifetime_and_principal() {
        let js = node_client(
            &cluster(),
            Listener::SaslIam,
            NodeClient::Confluent,
            &ClientOptions::default()
                .with(OptionField::CaLocation, "/etc/ca.pem")
                .parse()
                .unwrap(),
            T,
        )
        .unwrap();
        assert!(js.contains("require(\"@confluentinc/kafka-javascript\").KafkaJS;"));
        assert!(js.contains(
            "return { value: auth.token, lifetime: auth.expiryTime, principal: \"msk-client\" };"
        ));
        assert!(js.contains("    \"ssl.ca.location\": \"/etc/ca.pem\",\n    kafkaJS: {"));
        assert!(js.contains("      sasl: { mechanism: \"oauthbearer\", oauthBearerProvider },"));
    }

    #[test]
    fn a_profile_chooses_the_profile_variant() {
        let js = kafkajs_client(
            &cluster(),
            Listener::SaslIam,
            &ClientOptions::default()
                .with(OptionField::AwsProfile, "prod")
                .parse()
                .unwrap(),
            T,
        )
        .unwrap();
        assert!(js.contains("const { generateAuthTokenFromProfile } = require("));
        assert!(js.contains(
            "generateAuthTokenFromProfile({ region: REGION, awsProfileName: \"prod\" })"
        ));
    }
}
