//! A demo cluster with five listeners, for the generators' golden tests.

use crate::model::*;

pub fn cluster() -> Cluster {
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
pub fn lines(s: &str) -> Vec<&str> {
    s.lines().filter(|l| !l.starts_with('#')).collect()
}

pub const T: &str = "2026-11-25T12:00:00Z";
