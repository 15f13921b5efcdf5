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
//!
//! One file per format: [`java`], [`spring`], [`librdkafka`], [`python`], [`node`],
//! [`golang`], [`dotnet`] and [`cli`]; [`options`] is the table of the options they take,
//! and [`setup`] what each client installs, how it runs and the pages it follows.

pub mod cli;
pub mod dotnet;
pub mod golang;
pub mod java;
pub mod librdkafka;
pub mod node;
pub mod options;
pub mod python;
pub mod setup;
pub mod spring;

#[cfg(test)]
pub(crate) mod fixtures;

pub use cli::cli_commands;
pub use dotnet::dotnet_client;
pub use golang::{go_client, GoClient};
pub use java::java_properties;
pub use librdkafka::librdkafka_properties;
pub use node::{kafkajs_client, node_client, NodeClient};
pub use options::*;
pub use python::{python_client, PythonClient};
pub use setup::{setup, Client, Doc, Setup};
pub use spring::spring_boot_yaml;

use super::{comment_safe, docs};
use crate::error::AppError;
use crate::model::{Auth, Bootstrap, Cluster, Listener};

/// The listener a request names, if the cluster has it; otherwise a 400 that lists the
/// modes it does have.
pub fn listener_of(cluster: &Cluster, listener: Listener) -> Result<&Bootstrap, AppError> {
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

/// MSK limits how fast each broker accepts new IAM connections (its quotas page); a
/// fleet of clients reconnecting at once is refused unless they back off.
pub(crate) const IAM_BACKOFF: &str =
    "# Many clients (re)connecting at once can exceed MSK's rate of new IAM connections per\n\
     # broker: set reconnect.backoff.ms=1000 (or more) so they back off and retry.\n";

/// Where a SCRAM client's password is: the note both formats end with, naming the
/// secrets associated with the cluster (their ARNs only; values are never read).
pub(crate) fn scram_note(cluster: &Cluster) -> String {
    let mut note = String::from(
        "# Replace <password> with the password stored in the cluster's AmazonMSK_ secret in AWS\n\
         # Secrets Manager. Keep the filled-in file out of version control.\n",
    );
    if !cluster.scram_secrets.is_empty() {
        note.push_str("# Secrets associated with this cluster:\n");
        for arn in &cluster.scram_secrets {
            note.push_str(&format!("#   {}\n", comment_safe(arn)));
        }
    }
    note
}

/// The notes a producer file carries after its header: what to install, how to run it
/// (it sends one record), and for IAM AWS's signer and the backoff, for SCRAM where the
/// password is. `this_file` stands for the file's name in the run line.
pub(crate) fn producer_notes(
    cluster: &Cluster,
    listener: Listener,
    client: Client,
    this_file: &str,
) -> String {
    let s = setup(client, listener);
    let mut notes = String::from("#\n");
    notes.push_str(&setup::setup_comment(&s));
    notes.push_str(&format!(
        "#   {}   sends one record to the topic msk-console-test\n",
        s.run_line(this_file, "")
    ));
    match listener.auth() {
        Auth::Iam => {
            notes.push_str(&format!(
                "# IAM: AWS's signer library, {}\n",
                docs::IAM_SIGNERS
            ));
            notes.push_str(IAM_BACKOFF);
        }
        Auth::Scram => notes.push_str(&scram_note(cluster)),
        _ => {}
    }
    notes
}

/// Whether a file for this listener sets up mutual TLS: a TLS listener of a cluster that
/// authenticates clients by certificate.
pub(crate) fn mutual_tls(cluster: &Cluster, listener: Listener) -> bool {
    listener.auth() == Auth::Tls && cluster.auth.tls
}

/// How to get a client certificate from the cluster's private CA (ACM Private CA), the
/// steps AWS's mutual-TLS guide gives, with the cluster's CA ARNs filled in: a keystore
/// for Java, PEM files for librdkafka.
pub(crate) fn mtls_steps(cluster: &Cluster, java: bool) -> String {
    let cas = &cluster.settings.certificate_authorities;
    let ca = cas
        .first()
        .map(|a| comment_safe(a))
        .unwrap_or_else(|| "<private-CA-ARN>".into());
    let mut s = String::from("# Mutual TLS: the cluster authenticates clients by certificate.\n");
    match cas.len() {
        0 => s.push_str("# Its private CA (ACM Private CA) issues client certificates.\n"),
        1 => s.push_str(&format!("# Certificates come from its private CA: {ca}\n")),
        _ => {
            s.push_str("# Certificates come from one of its private CAs:\n");
            for a in cas {
                s.push_str(&format!("#   {}\n", comment_safe(a)));
            }
        }
    }
    s.push_str(&format!("# How to get one ({}):\n", docs::MUTUAL_TLS));
    if java {
        s.push_str(&format!(
            "#   keytool -genkey -keystore kafka.client.keystore.jks -validity 300 -storetype pkcs12 -keyalg rsa \\\n\
             #     -alias client -dname \"CN=<client-name>\" -storepass <keystore-password> -keypass <key-password>\n\
             #   keytool -keystore kafka.client.keystore.jks -certreq -file client.csr -alias client -storepass <keystore-password>\n\
             #   (change BEGIN NEW CERTIFICATE REQUEST to BEGIN CERTIFICATE REQUEST in client.csr, and END likewise)\n\
             #   aws acm-pca issue-certificate --certificate-authority-arn {ca} --csr fileb://client.csr \\\n\
             #     --signing-algorithm SHA256WITHRSA --validity Value=300,Type=DAYS\n\
             #   aws acm-pca get-certificate --certificate-authority-arn {ca} --certificate-arn <certificate-ARN> \\\n\
             #     --output text > signed-certificate.pem   (the certificate, then its chain)\n\
             #   keytool -keystore kafka.client.keystore.jks -import -file signed-certificate.pem -alias client -storepass <keystore-password>\n"
        ));
    } else {
        s.push_str(&format!(
            "#   openssl req -new -newkey rsa:2048 -keyout client-key.pem -out client.csr -subj \"/CN=<client-name>\"\n\
             #   aws acm-pca issue-certificate --certificate-authority-arn {ca} --csr fileb://client.csr \\\n\
             #     --signing-algorithm SHA256WITHRSA --validity Value=300,Type=DAYS\n\
             #   aws acm-pca get-certificate --certificate-authority-arn {ca} --certificate-arn <certificate-ARN> \\\n\
             #     --query Certificate --output text > client-cert.pem\n"
        ));
    }
    s
}

/// The listener a file is for, and the file so far: its header comment.
pub(crate) fn begin<'a>(
    cluster: &'a Cluster,
    mode: Listener,
    what: &str,
    generated_at: &str,
) -> Result<(&'a Bootstrap, String), AppError> {
    let bootstrap = listener_of(cluster, mode)?;
    let mut out = String::new();
    header(
        &mut out,
        what,
        cluster,
        bootstrap.listener,
        &port_text(bootstrap),
        generated_at,
    );
    Ok((bootstrap, out))
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
    line(format!("Follows: {}", setup::aws_doc(listener).url));
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

/// A value as a double-quoted string in JSON's escapes, which Python, JavaScript and
/// YAML read the same; the line and paragraph separators are escaped too (YAML and
/// editors take them for line breaks).
pub(crate) fn quoted(s: &str) -> String {
    serde_json::to_string(s)
        .unwrap_or_else(|_| "\"\"".into())
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// A value as one shell word (a `'` becomes `'\''`).
pub(crate) fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// A file's `# ` header and notes as `// ` comments (JavaScript, Go, C#).
pub(crate) fn slash_comments(header: &str, notes: &str) -> String {
    header
        .lines()
        .chain(notes.lines())
        .map(|l| format!("//{}\n", l.strip_prefix('#').unwrap_or(l)))
        .collect()
}

fn port_text(b: &Bootstrap) -> String {
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
