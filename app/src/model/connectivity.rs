//! Can a client connect from where the console runs? For each listener of a cluster (its
//! bootstrap string), each `host:port` is tried as a client would: a TCP connection, a
//! TLS handshake with the console's truststore and hostname verification (on every
//! listener but plaintext), then a Kafka ApiVersions request, which brokers answer
//! before any SASL authentication.

use serde::{Deserialize, Serialize};

use super::Listener;

/// How far a connection got.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConnectStep {
    /// The host name did not resolve (or only to addresses the console never contacts).
    Resolve,
    /// No TCP connection.
    Tcp,
    /// TCP connected, the TLS handshake failed.
    Tls,
    /// Connected (and TLS agreed), but no Kafka answer to ApiVersions.
    Kafka,
    /// A Kafka broker answered.
    Done,
}

/// One `host:port` of a bootstrap string, tried.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ServerCheck {
    /// `host:port` as in the bootstrap string.
    pub server: String,
    /// How far it got (`done`: a Kafka broker answered).
    pub reached: ConnectStep,
    /// In words: "TLS ok, Kafka answered ApiVersions in 12 ms", "connection refused",
    /// "certificate not trusted: …", "timed out: check the security group".
    pub message: String,
    /// Time to the Kafka answer (or to the failure).
    pub latency_ms: Option<u32>,
}

impl ServerCheck {
    pub fn ok(&self) -> bool {
        self.reached == ConnectStep::Done
    }
}

/// One listener's bootstrap string, tried server by server.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ListenerCheck {
    pub listener: Listener,
    pub servers: Vec<ServerCheck>,
}

impl ListenerCheck {
    /// Every server of the bootstrap string answered.
    pub fn ok(&self) -> bool {
        !self.servers.is_empty() && self.servers.iter().all(ServerCheck::ok)
    }

    /// The result in a few words, for the collapsed cell: "TLS ok, ApiVersions 56 ms, 3 of
    /// 3 brokers" (the slowest answer), or the first failure as in [`Self::summary`].
    pub fn headline(&self) -> String {
        let n = self.servers.len();
        if !self.ok() {
            return self.summary();
        }
        let slowest = self.servers.iter().filter_map(|s| s.latency_ms).max();
        let tls = if self.listener.security_protocol() == "PLAINTEXT" {
            ""
        } else {
            "TLS ok, "
        };
        let time = slowest.map(|ms| format!(" {ms} ms")).unwrap_or_default();
        let brokers = if n == 1 { "broker" } else { "brokers" };
        format!("{tls}ApiVersions{time}, {n} of {n} {brokers}")
    }

    /// The result in one line, as shown beside the bootstrap string: the first failure
    /// (and how many failed), or the slowest success.
    pub fn summary(&self) -> String {
        let n = self.servers.len();
        let failed: Vec<&ServerCheck> = self.servers.iter().filter(|s| !s.ok()).collect();
        match failed.first() {
            None => {
                let slowest = self
                    .servers
                    .iter()
                    .max_by_key(|s| s.latency_ms)
                    .map(|s| s.message.clone())
                    .unwrap_or_default();
                if n == 1 {
                    slowest
                } else {
                    format!("{slowest} (slowest of {n} brokers)")
                }
            }
            Some(f) if n == 1 => f.message.clone(),
            Some(f) => format!(
                "{}: {} ({} of {n} failed)",
                f.server,
                f.message,
                failed.len()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(name: &str, reached: ConnectStep, message: &str, ms: u32) -> ServerCheck {
        ServerCheck {
            server: name.into(),
            reached,
            message: message.into(),
            latency_ms: Some(ms),
        }
    }

    #[test]
    fn a_listener_summary_names_the_first_failure_or_the_slowest_answer() {
        let ok = |n, ms| {
            server(
                n,
                ConnectStep::Done,
                &format!("TLS ok, Kafka answered ApiVersions in {ms} ms"),
                ms,
            )
        };
        let good = ListenerCheck {
            listener: Listener::Tls,
            servers: vec![ok("b-1:9094", 3), ok("b-2:9094", 12)],
        };
        assert!(good.ok());
        assert_eq!(
            good.summary(),
            "TLS ok, Kafka answered ApiVersions in 12 ms (slowest of 2 brokers)"
        );
        let bad = ListenerCheck {
            listener: Listener::Tls,
            servers: vec![
                ok("b-1:9094", 3),
                server("b-2:9094", ConnectStep::Tcp, "connection refused", 1),
            ],
        };
        assert_eq!(good.headline(), "TLS ok, ApiVersions 12 ms, 2 of 2 brokers");
        let plain = ListenerCheck {
            listener: Listener::Plaintext,
            servers: vec![ok("b-1:9092", 7)],
        };
        assert_eq!(plain.headline(), "ApiVersions 7 ms, 1 of 1 broker");
        assert!(!bad.ok());
        assert_eq!(
            bad.summary(),
            "b-2:9094: connection refused (1 of 2 failed)"
        );
        assert_eq!(bad.headline(), bad.summary());
    }
}
