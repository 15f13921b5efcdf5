//! A kafkajs producer for one auth mode, as a Node.js module (`producer()` builds it;
//! run directly it sends one record).
//!
//! IAM uses AWS's signer library, `aws-msk-iam-sasl-signer-js`, as kafkajs's
//! `oauthBearerProvider`, as its README shows
//! (<https://github.com/aws/aws-msk-iam-sasl-signer-js>); SCRAM is `scram-sha-512`; TLS
//! verifies the brokers with Node's CAs (Amazon's roots are among them) unless a CA
//! bundle is given. Every value is a JSON string literal, which JavaScript reads as it is.

use super::{begin, mutual_tls, quoted, scram_note, OptionField, ValidOptions, IAM_BACKOFF};
use crate::error::AppError;
use crate::generate::docs;
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

/// The kafkajs module for one auth mode of one cluster.
pub fn kafkajs_client(
    cluster: &Cluster,
    mode: Listener,
    options: &ValidOptions,
    generated_at: &str,
) -> Result<String, AppError> {
    let (bootstrap, header) = begin(cluster, mode, "kafkajs producer (Node.js)", generated_at)?;
    let listener = bootstrap.listener;
    let auth = listener.auth();
    let mtls = auth == Auth::Tls && mutual_tls(cluster, listener);
    let mut notes = String::from("#\n");
    if auth == Auth::Iam {
        notes.push_str("#   npm install kafkajs@^2.2.4 aws-msk-iam-sasl-signer-js@^1.0.3\n");
        notes.push_str(&format!(
            "# IAM: AWS's signer library, {}\n",
            docs::IAM_SIGNERS
        ));
        notes.push_str(IAM_BACKOFF);
    } else {
        notes.push_str("#   npm install kafkajs@^2.2.4\n");
    }
    notes.push_str("#   node this-file.js   sends one record to the topic named by TOPIC\n");
    if auth == Auth::Scram {
        notes.push_str(&scram_note(cluster));
    }
    // The header is `# ` comments: the same lines as `// ` ones.
    let mut out: String = header
        .lines()
        .chain(notes.lines())
        .map(|l| format!("//{}\n", l.strip_prefix('#').unwrap_or(l)))
        .collect();
    out.push_str("\"use strict\";\n\n");
    if auth != Auth::None && (options.get(OptionField::CaLocation).is_some() || mtls) {
        out.push_str("const fs = require(\"fs\");\n");
    }
    out.push_str("const { Kafka } = require(\"kafkajs\");\n");
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
        quoted(&bootstrap.servers)
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
