//! Python clients for one auth mode, as code: kafka-python, aiokafka and confluent-kafka.
//!
//! Each file is a module with a `producer()` (for aiokafka an `async` one) that builds a
//! producer for the cluster, and a `__main__` that sends one record. The lines follow:
//!
//! - IAM: AWS's signer library, `aws-msk-iam-sasl-signer-python`, as an OAUTHBEARER
//!   token provider (<https://github.com/aws/aws-msk-iam-sasl-signer-python>). kafka-python
//!   3 and aiokafka accept only a subclass of their own `AbstractTokenProvider` (a plain
//!   class with `token()`, as older samples show, is refused); confluent-kafka's
//!   `oauth_cb` must return the expiry in seconds, where the signer gives milliseconds.
//! - SCRAM: `SASL_SSL` with `SCRAM-SHA-512`; the password stays a placeholder.
//! - TLS: `SSL`; the system's CAs verify the brokers (Amazon's roots are among them)
//!   unless a CA bundle is given; mutual TLS adds the client certificate and key (PEM).
//!
//! Every value is written as a Python string literal (JSON's escapes, which Python
//! reads the same), so nothing from AWS or a request can end a string or a line.

use super::{begin, mutual_tls, producer_notes, Client, OptionField, ValidOptions};
use crate::error::AppError;
use crate::model::{Auth, Cluster, Listener};

/// A Python Kafka client library.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PythonClient {
    KafkaPython,
    Aiokafka,
    ConfluentKafka,
}

impl PythonClient {
    fn label(self) -> &'static str {
        match self {
            PythonClient::KafkaPython => "kafka-python",
            PythonClient::Aiokafka => "aiokafka",
            PythonClient::ConfluentKafka => "confluent-kafka",
        }
    }
}

/// A value as a Python string literal (JSON's escapes, which Python reads the same).
pub(crate) fn py_str(s: &str) -> String {
    super::quoted(s)
}

/// The lines that get an IAM token from AWS's signer, for the chosen credentials:
/// `generate_auth_token(REGION)` and its profile and role variants.
fn signer_call(options: &ValidOptions) -> String {
    if let Some(role) = options.get(OptionField::AwsRoleArn) {
        match options.get(OptionField::AwsRoleSessionName) {
            Some(s) => format!(
                "MSKAuthTokenProvider.generate_auth_token_from_role_arn(REGION, {}, {})",
                py_str(role),
                py_str(s)
            ),
            None => format!(
                "MSKAuthTokenProvider.generate_auth_token_from_role_arn(REGION, {})",
                py_str(role)
            ),
        }
    } else if let Some(p) = options.get(OptionField::AwsProfile) {
        format!(
            "MSKAuthTokenProvider.generate_auth_token_from_profile(REGION, {})",
            py_str(p)
        )
    } else {
        "MSKAuthTokenProvider.generate_auth_token(REGION)".into()
    }
}

/// A Python module that builds a producer for one auth mode with `client`.
pub fn python_client(
    cluster: &Cluster,
    mode: Listener,
    client: PythonClient,
    options: &ValidOptions,
    generated_at: &str,
) -> Result<String, AppError> {
    let (bootstrap, mut out) = begin(
        cluster,
        mode,
        &format!("{} producer (Python)", client.label()),
        generated_at,
    )?;
    let listener = bootstrap.listener;
    let auth = listener.auth();
    let mtls = auth == Auth::Tls && mutual_tls(cluster, listener);
    out.push_str(&producer_notes(
        cluster,
        listener,
        Client::Python(client),
        "this-file.py",
    ));
    out.push('\n');

    // Imports.
    match client {
        PythonClient::KafkaPython => {
            out.push_str("import socket\n\nfrom kafka import KafkaProducer\n");
            if auth == Auth::Iam {
                out.push_str(
                    "try:\n    from kafka.net.sasl.oauth import AbstractTokenProvider  # kafka-python 3\n\
                     except ImportError:\n    from kafka.sasl.oauth import AbstractTokenProvider  # kafka-python 2.1, 2.2\n",
                );
            }
        }
        PythonClient::Aiokafka => {
            out.push_str("import asyncio\n\nfrom aiokafka import AIOKafkaProducer\n");
            if auth == Auth::Iam {
                out.push_str("from aiokafka.abc import AbstractTokenProvider\n");
            }
            if auth != Auth::None {
                out.push_str("from aiokafka.helpers import create_ssl_context\n");
            }
        }
        PythonClient::ConfluentKafka => {
            out.push_str("import socket\n\nfrom confluent_kafka import Producer\n");
        }
    }
    if auth == Auth::Iam {
        out.push_str("from aws_msk_iam_sasl_signer import MSKAuthTokenProvider\n");
    }
    out.push('\n');

    // Settings.
    let line = |out: &mut String, name: &str, value: &str| {
        out.push_str(&format!("{name} = {}\n", py_str(value)));
    };
    line(&mut out, "BOOTSTRAP_SERVERS", &bootstrap.servers);
    if auth == Auth::Iam {
        line(&mut out, "REGION", &cluster.region);
    }
    if matches!(auth, Auth::Scram) {
        line(
            &mut out,
            "USERNAME",
            options.get_or(OptionField::ScramUsername, "<username>"),
        );
        out.push_str(
            "PASSWORD = \"<password>\"  # from the AmazonMSK_ secret in Secrets Manager\n",
        );
    }
    let ca = options.get(OptionField::CaLocation);
    match ca {
        Some(ca) if auth != Auth::None => line(&mut out, "CA_FILE", ca),
        _ if auth != Auth::None => out.push_str(
            "CA_FILE = None  # None: the system's CA certificates (Amazon's roots are among them)\n",
        ),
        _ => {}
    }
    if mtls {
        line(
            &mut out,
            "CERT_FILE",
            options.get_or(
                OptionField::CertificateLocation,
                super::DEFAULT_CERTIFICATE_LOCATION,
            ),
        );
        line(
            &mut out,
            "KEY_FILE",
            options.get_or(OptionField::KeyLocation, super::DEFAULT_KEY_LOCATION),
        );
        line(
            &mut out,
            "KEY_PASSWORD",
            options.get_or(OptionField::KeyPassword, super::KEY_PASSWORD_PLACEHOLDER),
        );
    }
    out.push_str("TOPIC = \"msk-console-test\"\n\n");

    // The token provider (IAM).
    if auth == Auth::Iam {
        let call = signer_call(options);
        match client {
            PythonClient::KafkaPython => out.push_str(&format!(
                "\nclass MSKTokenProvider(AbstractTokenProvider):\n    \
                 \"\"\"An OAUTHBEARER token signed with this machine's AWS credentials.\"\"\"\n\n    \
                 def token(self):\n        token, _expiry_ms = {call}\n        return token\n\n"
            )),
            PythonClient::Aiokafka => out.push_str(&format!(
                "\nclass MSKTokenProvider(AbstractTokenProvider):\n    \
                 \"\"\"An OAUTHBEARER token signed with this machine's AWS credentials.\"\"\"\n\n    \
                 async def token(self):\n        \
                 # The signer may call STS: keep it off the event loop.\n        \
                 return await asyncio.get_running_loop().run_in_executor(None, self._token)\n\n    \
                 def _token(self):\n        token, _expiry_ms = {call}\n        return token\n\n"
            )),
            PythonClient::ConfluentKafka => out.push_str(&format!(
                "\ndef oauth_cb(_config):\n    \
                 token, expiry_ms = {call}\n    \
                 # confluent-kafka wants the expiry in seconds; the signer gives milliseconds.\n    \
                 return token, expiry_ms / 1000\n\n"
            )),
        }
    }

    // The producer.
    let protocol = listener.security_protocol();
    match client {
        PythonClient::KafkaPython => {
            out.push_str("\ndef producer():\n    return KafkaProducer(\n");
            out.push_str("        bootstrap_servers=BOOTSTRAP_SERVERS.split(\",\"),\n");
            out.push_str("        client_id=socket.gethostname(),\n");
            out.push_str(&format!("        security_protocol=\"{protocol}\",\n"));
            match auth {
                Auth::None => {}
                Auth::Tls => {
                    out.push_str("        ssl_cafile=CA_FILE,\n");
                    if mtls {
                        out.push_str("        ssl_certfile=CERT_FILE,\n        ssl_keyfile=KEY_FILE,\n        ssl_password=KEY_PASSWORD,\n");
                    }
                }
                Auth::Scram => out.push_str(
                    "        ssl_cafile=CA_FILE,\n        sasl_mechanism=\"SCRAM-SHA-512\",\n        \
                     sasl_plain_username=USERNAME,\n        sasl_plain_password=PASSWORD,\n",
                ),
                Auth::Iam => out.push_str(
                    "        ssl_cafile=CA_FILE,\n        sasl_mechanism=\"OAUTHBEARER\",\n        \
                     sasl_oauth_token_provider=MSKTokenProvider(),\n        reconnect_backoff_ms=1000,\n",
                ),
            }
            out.push_str("    )\n\n\nif __name__ == \"__main__\":\n    p = producer()\n    \
                          p.send(TOPIC, b\"hello from msk-console\").get(timeout=30)\n    p.close()\n");
        }
        PythonClient::Aiokafka => {
            out.push_str("\ndef producer():\n    \"\"\"Call it inside a running event loop.\"\"\"\n    return AIOKafkaProducer(\n");
            out.push_str("        bootstrap_servers=BOOTSTRAP_SERVERS,\n");
            out.push_str(&format!("        security_protocol=\"{protocol}\",\n"));
            match auth {
                Auth::None => {}
                Auth::Tls if mtls => out.push_str(
                    "        ssl_context=create_ssl_context(\n            cafile=CA_FILE,\n            \
                     certfile=CERT_FILE,\n            keyfile=KEY_FILE,\n            password=KEY_PASSWORD,\n        ),\n",
                ),
                Auth::Tls => out.push_str("        ssl_context=create_ssl_context(cafile=CA_FILE),\n"),
                Auth::Scram => out.push_str(
                    "        ssl_context=create_ssl_context(cafile=CA_FILE),\n        \
                     sasl_mechanism=\"SCRAM-SHA-512\",\n        sasl_plain_username=USERNAME,\n        \
                     sasl_plain_password=PASSWORD,\n",
                ),
                Auth::Iam => out.push_str(
                    "        ssl_context=create_ssl_context(cafile=CA_FILE),\n        \
                     sasl_mechanism=\"OAUTHBEARER\",\n        sasl_oauth_token_provider=MSKTokenProvider(),\n        \
                     retry_backoff_ms=1000,\n",
                ),
            }
            out.push_str(
                "    )\n\n\nasync def main():\n    p = producer()\n    await p.start()\n    try:\n        \
                 await p.send_and_wait(TOPIC, b\"hello from msk-console\")\n    finally:\n        \
                 await p.stop()\n\n\nif __name__ == \"__main__\":\n    asyncio.run(main())\n",
            );
        }
        PythonClient::ConfluentKafka => {
            out.push_str("\ndef producer():\n    config = {\n");
            out.push_str("        \"bootstrap.servers\": BOOTSTRAP_SERVERS,\n");
            out.push_str("        \"client.id\": socket.gethostname(),\n");
            out.push_str(&format!(
                "        \"security.protocol\": \"{}\",\n",
                protocol.to_ascii_lowercase()
            ));
            match auth {
                Auth::None => {}
                Auth::Tls if mtls => out.push_str(
                    "        \"ssl.certificate.location\": CERT_FILE,\n        \
                     \"ssl.key.location\": KEY_FILE,\n        \"ssl.key.password\": KEY_PASSWORD,\n",
                ),
                Auth::Tls => {}
                Auth::Scram => out.push_str(
                    "        \"sasl.mechanisms\": \"SCRAM-SHA-512\",\n        \"sasl.username\": USERNAME,\n        \
                     \"sasl.password\": PASSWORD,\n",
                ),
                Auth::Iam => out.push_str(
                    "        \"sasl.mechanisms\": \"OAUTHBEARER\",\n        \"oauth_cb\": oauth_cb,\n        \
                     \"reconnect.backoff.ms\": 1000,\n",
                ),
            }
            out.push_str("    }\n");
            if auth != Auth::None {
                out.push_str("    if CA_FILE:\n        config[\"ssl.ca.location\"] = CA_FILE\n");
            }
            out.push_str(
                "    return Producer(config)\n\n\nif __name__ == \"__main__\":\n    p = producer()\n    \
                 errors = []\n    p.produce(TOPIC, b\"hello from msk-console\", on_delivery=lambda err, _msg: err and errors.append(err))\n    \
                 if p.flush(30) or errors:\n        raise SystemExit(f\"not delivered: {errors or 'no answer in 30 s'}\")\n",
            );
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::client::fixtures::{cluster, T};
    use crate::generate::client::ClientOptions;

    fn iam(client: PythonClient, o: ClientOptions) -> String {
        python_client(
            &cluster(),
            Listener::SaslIam,
            client,
            &o.parse().unwrap(),
            T,
        )
        .unwrap()
    }

    #[test]
    fn iam_follows_the_signers_readme_with_the_clients_own_provider_class() {
        let k = iam(PythonClient::KafkaPython, ClientOptions::default());
        assert!(k.contains("from kafka.net.sasl.oauth import AbstractTokenProvider"));
        assert!(k.contains("class MSKTokenProvider(AbstractTokenProvider):"));
        assert!(k.contains("token, _expiry_ms = MSKAuthTokenProvider.generate_auth_token(REGION)"));
        assert!(k.contains("security_protocol=\"SASL_SSL\""));
        assert!(k.contains("sasl_mechanism=\"OAUTHBEARER\""));
        assert!(k.contains("REGION = \"eu-west-1\""));
        let a = iam(PythonClient::Aiokafka, ClientOptions::default());
        assert!(a.contains("from aiokafka.abc import AbstractTokenProvider"));
        assert!(a.contains("async def token(self):"));
        let c = iam(PythonClient::ConfluentKafka, ClientOptions::default());
        assert!(c.contains("return token, expiry_ms / 1000"));
        assert!(c.contains("\"sasl.mechanisms\": \"OAUTHBEARER\""));
    }

    #[test]
    fn profile_and_role_choose_the_signers_variant() {
        let p = iam(
            PythonClient::KafkaPython,
            ClientOptions::default().with(OptionField::AwsProfile, "prod"),
        );
        assert!(p.contains("generate_auth_token_from_profile(REGION, \"prod\")"));
        let r = iam(
            PythonClient::Aiokafka,
            ClientOptions::default()
                .with(OptionField::AwsRoleArn, "arn:aws:iam::1:role/app")
                .with(OptionField::AwsRoleSessionName, "orders"),
        );
        assert!(r.contains(
            "generate_auth_token_from_role_arn(REGION, \"arn:aws:iam::1:role/app\", \"orders\")"
        ));
    }

    #[test]
    fn values_are_python_string_literals() {
        assert_eq!(py_str("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(py_str("x\u{2028}y"), r#""x\u2028y""#);
        let s = python_client(
            &cluster(),
            Listener::SaslScram,
            PythonClient::KafkaPython,
            &ClientOptions::default()
                .with(OptionField::ScramUsername, "alice")
                .parse()
                .unwrap(),
            T,
        )
        .unwrap();
        assert!(s.contains("USERNAME = \"alice\""));
        assert!(s.contains("PASSWORD = \"<password>\""));
        assert!(s.contains("sasl_mechanism=\"SCRAM-SHA-512\""));
    }
}
