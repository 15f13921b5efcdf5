//! The kinds of change the timeline tells apart and filters on, and their bit masks.

use serde::{Deserialize, Serialize};

/// The kinds of change the timeline tells apart and filters on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// The cluster appeared in the inventory.
    Added,
    /// The cluster left the inventory while its source listed fine.
    Removed,
    State,
    Version,
    /// Brokers added or removed, or the broker count changed.
    Brokers,
    /// A broker's endpoints or client VPC IP.
    Endpoints,
    Bootstrap,
    /// Client authentication modes and public access.
    Auth,
    Encryption,
    Zookeeper,
    /// Open monitoring settings (which exporters are enabled).
    Monitoring,
    /// What the exporters answered.
    Reachability,
    /// Anything else: instance type, metadata mode, name, account, tags, storage, logging.
    Settings,
    /// The cluster's MSK configuration: its revision and `server.properties`.
    /// (Kinds are stored as bits in the order declared: new kinds go last.)
    Configuration,
    /// The cluster's or a broker's health state (healthy, warning, critical, unknown).
    Health,
    /// Topics added or removed, their partition count or replication factor changed
    /// (from MSK's topic API).
    Topics,
    /// A topic's replicas falling out of sync, or all back in sync.
    TopicReplicas,
    /// A topic's configuration (read in rotation, a few topics per listing).
    TopicConfig,
    /// Multi-VPC connections, MSK Replicator flows and MSK Connect connectors.
    Links,
}

impl ChangeKind {
    pub const ALL: [ChangeKind; 19] = [
        ChangeKind::Added,
        ChangeKind::Removed,
        ChangeKind::State,
        ChangeKind::Version,
        ChangeKind::Brokers,
        ChangeKind::Endpoints,
        ChangeKind::Bootstrap,
        ChangeKind::Auth,
        ChangeKind::Encryption,
        ChangeKind::Zookeeper,
        ChangeKind::Monitoring,
        ChangeKind::Reachability,
        ChangeKind::Settings,
        ChangeKind::Configuration,
        ChangeKind::Health,
        ChangeKind::Topics,
        ChangeKind::TopicReplicas,
        ChangeKind::TopicConfig,
        ChangeKind::Links,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::State => "state",
            ChangeKind::Version => "version",
            ChangeKind::Brokers => "brokers",
            ChangeKind::Endpoints => "endpoints",
            ChangeKind::Bootstrap => "bootstrap",
            ChangeKind::Auth => "auth",
            ChangeKind::Encryption => "encryption",
            ChangeKind::Zookeeper => "zookeeper",
            ChangeKind::Monitoring => "monitoring",
            ChangeKind::Reachability => "reachability",
            ChangeKind::Settings => "settings",
            ChangeKind::Configuration => "configuration",
            ChangeKind::Health => "health",
            ChangeKind::Topics => "topics",
            ChangeKind::TopicReplicas => "topic-replicas",
            ChangeKind::TopicConfig => "topic-config",
            ChangeKind::Links => "links",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ChangeKind::Added => "cluster added",
            ChangeKind::Removed => "cluster removed",
            ChangeKind::State => "state",
            ChangeKind::Version => "Kafka version",
            ChangeKind::Brokers => "brokers",
            ChangeKind::Endpoints => "endpoints",
            ChangeKind::Bootstrap => "bootstrap strings",
            ChangeKind::Auth => "auth modes",
            ChangeKind::Encryption => "encryption",
            ChangeKind::Zookeeper => "ZooKeeper",
            ChangeKind::Monitoring => "monitoring settings",
            ChangeKind::Reachability => "exporter reachability",
            ChangeKind::Settings => "other settings",
            ChangeKind::Configuration => "configuration",
            ChangeKind::Health => "health",
            ChangeKind::Topics => "topics",
            ChangeKind::TopicReplicas => "out-of-sync replicas",
            ChangeKind::TopicConfig => "topic configuration",
            ChangeKind::Links => "connections, replicators, connectors",
        }
    }

    /// The bit of this kind in a change's `kinds` mask (what the store indexes).
    pub fn bit(self) -> u32 {
        1 << (self as u32)
    }

    pub fn mask(kinds: impl IntoIterator<Item = ChangeKind>) -> u32 {
        kinds.into_iter().fold(0, |m, k| m | k.bit())
    }

    pub fn from_mask(mask: u32) -> Vec<ChangeKind> {
        ChangeKind::ALL
            .into_iter()
            .filter(|k| mask & k.bit() != 0)
            .collect()
    }
}

impl std::str::FromStr for ChangeKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ChangeKind::ALL
            .into_iter()
            .find(|k| k.slug() == s)
            .ok_or_else(|| {
                let known: Vec<&str> = ChangeKind::ALL.iter().map(|k| k.slug()).collect();
                format!(
                    "unknown kind of change `{s}`; known kinds are {}",
                    known.join(", ")
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_bits_keep_their_meaning() {
        // Stored masks were written with these bits: new kinds only ever go last.
        assert_eq!(ChangeKind::Added.bit(), 1);
        assert_eq!(ChangeKind::Configuration.bit(), 1 << 13);
        assert_eq!(ChangeKind::Health.bit(), 1 << 14);
        assert_eq!(ChangeKind::Topics.bit(), 1 << 15);
        assert_eq!(ChangeKind::TopicReplicas.bit(), 1 << 16);
        assert_eq!(ChangeKind::TopicConfig.bit(), 1 << 17);
    }

    #[test]
    fn change_kinds_parse_and_explain_unknown_ones() {
        for k in ChangeKind::ALL {
            assert_eq!(k.slug().parse::<ChangeKind>(), Ok(k));
        }
        let e = "weather".parse::<ChangeKind>().unwrap_err();
        assert!(e.contains("unknown kind of change `weather`"), "{e}");
    }
}
