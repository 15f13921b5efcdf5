//! Listeners: the auth modes and network paths a client can bootstrap from, with the
//! ports, labels and security protocols AWS documents for each.

use serde::{Deserialize, Serialize};

/// A listener a client can bootstrap from: one auth mode on one network path.
///
/// MSK's GetBootstrapBrokers answers one string per listener. The slugs are the names
/// used in URLs (`/clusters/{id}/client.properties?mode=sasl-iam`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Listener {
    Plaintext,
    Tls,
    SaslScram,
    SaslIam,
    PublicTls,
    PublicSaslScram,
    PublicSaslIam,
    VpcTls,
    VpcSaslScram,
    VpcSaslIam,
    /// The listeners of a dual-stack cluster's IPv6 addresses (MSK since November 2025).
    Ipv6Plaintext,
    Ipv6Tls,
    Ipv6SaslScram,
    Ipv6SaslIam,
}

/// How a client authenticates on a listener.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Auth {
    /// No authentication and no encryption.
    None,
    /// TLS encryption (mutual TLS is configured on the client, with the cluster's private CA).
    Tls,
    /// SASL/SCRAM-SHA-512 over TLS, with credentials in AWS Secrets Manager.
    Scram,
    /// SASL with AWS IAM over TLS (`AWS_MSK_IAM`).
    Iam,
}

/// Where the client connects from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Access {
    /// From inside the cluster's VPC (or a peered network).
    Private,
    /// From the internet, through the brokers' public addresses.
    Public,
    /// From another VPC through MSK multi-VPC private connectivity.
    VpcConnectivity,
    /// From inside the VPC over IPv6, on a dual-stack cluster.
    Ipv6,
}

impl Listener {
    pub const ALL: [Listener; 14] = [
        Listener::Plaintext,
        Listener::Tls,
        Listener::SaslScram,
        Listener::SaslIam,
        Listener::PublicTls,
        Listener::PublicSaslScram,
        Listener::PublicSaslIam,
        Listener::VpcTls,
        Listener::VpcSaslScram,
        Listener::VpcSaslIam,
        Listener::Ipv6Plaintext,
        Listener::Ipv6Tls,
        Listener::Ipv6SaslScram,
        Listener::Ipv6SaslIam,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Listener::Plaintext => "plaintext",
            Listener::Tls => "tls",
            Listener::SaslScram => "sasl-scram",
            Listener::SaslIam => "sasl-iam",
            Listener::PublicTls => "public-tls",
            Listener::PublicSaslScram => "public-sasl-scram",
            Listener::PublicSaslIam => "public-sasl-iam",
            Listener::VpcTls => "vpc-tls",
            Listener::VpcSaslScram => "vpc-sasl-scram",
            Listener::VpcSaslIam => "vpc-sasl-iam",
            Listener::Ipv6Plaintext => "ipv6-plaintext",
            Listener::Ipv6Tls => "ipv6-tls",
            Listener::Ipv6SaslScram => "ipv6-sasl-scram",
            Listener::Ipv6SaslIam => "ipv6-sasl-iam",
        }
    }

    pub fn from_slug(s: &str) -> Option<Listener> {
        Listener::ALL.into_iter().find(|l| l.slug() == s)
    }

    /// An auth mode from a request (`?mode=sasl-iam`): empty is none, an unknown one a
    /// 400 that lists the known modes.
    pub fn parse_opt(mode: Option<&str>) -> Result<Option<Listener>, crate::error::AppError> {
        match mode.map(str::trim) {
            None | Some("") => Ok(None),
            Some(m) => m
                .parse()
                .map(Some)
                .map_err(crate::error::AppError::BadRequest),
        }
    }

    pub fn auth(self) -> Auth {
        match self {
            Listener::Plaintext | Listener::Ipv6Plaintext => Auth::None,
            Listener::Tls | Listener::PublicTls | Listener::VpcTls | Listener::Ipv6Tls => Auth::Tls,
            Listener::SaslScram
            | Listener::PublicSaslScram
            | Listener::VpcSaslScram
            | Listener::Ipv6SaslScram => Auth::Scram,
            Listener::SaslIam
            | Listener::PublicSaslIam
            | Listener::VpcSaslIam
            | Listener::Ipv6SaslIam => Auth::Iam,
        }
    }

    pub fn access(self) -> Access {
        match self {
            Listener::Plaintext | Listener::Tls | Listener::SaslScram | Listener::SaslIam => {
                Access::Private
            }
            Listener::PublicTls | Listener::PublicSaslScram | Listener::PublicSaslIam => {
                Access::Public
            }
            Listener::VpcTls | Listener::VpcSaslScram | Listener::VpcSaslIam => {
                Access::VpcConnectivity
            }
            Listener::Ipv6Plaintext
            | Listener::Ipv6Tls
            | Listener::Ipv6SaslScram
            | Listener::Ipv6SaslIam => Access::Ipv6,
        }
    }

    /// The port AWS documents for this listener; the bootstrap string itself is the truth.
    pub fn documented_port(self) -> u16 {
        match self {
            Listener::Plaintext => 9092,
            Listener::Tls => 9094,
            Listener::SaslScram => 9096,
            Listener::SaslIam => 9098,
            Listener::PublicTls => 9194,
            Listener::PublicSaslScram => 9196,
            Listener::PublicSaslIam => 9198,
            Listener::VpcTls => 14001,
            Listener::VpcSaslScram => 14002,
            Listener::VpcSaslIam => 14003,
            // https://docs.aws.amazon.com/msk/latest/developerguide/port-info.html
            Listener::Ipv6Plaintext => 20092,
            Listener::Ipv6Tls => 20094,
            Listener::Ipv6SaslScram => 20096,
            Listener::Ipv6SaslIam => 20098,
        }
    }

    /// The Kafka `security.protocol` a Java client sets for this listener.
    pub fn security_protocol(self) -> &'static str {
        match self.auth() {
            Auth::None => "PLAINTEXT",
            Auth::Tls => "SSL",
            Auth::Scram | Auth::Iam => "SASL_SSL",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Listener::Plaintext => "Plaintext",
            Listener::Tls => "TLS",
            Listener::SaslScram => "SASL/SCRAM",
            Listener::SaslIam => "IAM",
            Listener::PublicTls => "Public TLS",
            Listener::PublicSaslScram => "Public SASL/SCRAM",
            Listener::PublicSaslIam => "Public IAM",
            Listener::VpcTls => "Multi-VPC TLS",
            Listener::VpcSaslScram => "Multi-VPC SASL/SCRAM",
            Listener::VpcSaslIam => "Multi-VPC IAM",
            Listener::Ipv6Plaintext => "IPv6 plaintext",
            Listener::Ipv6Tls => "IPv6 TLS",
            Listener::Ipv6SaslScram => "IPv6 SASL/SCRAM",
            Listener::Ipv6SaslIam => "IPv6 IAM",
        }
    }

    /// One line on who uses this listener, for the client-information table.
    pub fn purpose(self) -> &'static str {
        match self {
            Listener::Plaintext => "Clients inside the VPC; no encryption, no authentication",
            Listener::Tls => {
                "Clients inside the VPC over TLS (mutual TLS if the cluster has a private CA)"
            }
            Listener::SaslScram => {
                "Clients inside the VPC with a username and password from Secrets Manager"
            }
            Listener::SaslIam => "Clients inside the VPC that sign in with AWS IAM credentials",
            Listener::PublicTls => "Clients on the internet, over TLS",
            Listener::PublicSaslScram => {
                "Clients on the internet, with a SCRAM username and password"
            }
            Listener::PublicSaslIam => "Clients on the internet, with AWS IAM credentials",
            Listener::VpcTls => {
                "Clients in another VPC through multi-VPC private connectivity, over TLS"
            }
            Listener::VpcSaslScram => {
                "Clients in another VPC through multi-VPC private connectivity, with SCRAM"
            }
            Listener::VpcSaslIam => {
                "Clients in another VPC through multi-VPC private connectivity, with IAM"
            }
            Listener::Ipv6Plaintext => {
                "IPv6 clients inside the VPC of a dual-stack cluster; no encryption"
            }
            Listener::Ipv6Tls => "IPv6 clients inside the VPC of a dual-stack cluster, over TLS",
            Listener::Ipv6SaslScram => {
                "IPv6 clients inside the VPC of a dual-stack cluster, with SCRAM"
            }
            Listener::Ipv6SaslIam => {
                "IPv6 clients inside the VPC of a dual-stack cluster, with AWS IAM credentials"
            }
        }
    }
}

impl std::str::FromStr for Listener {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Listener::from_slug(s.trim()).ok_or_else(|| {
            let known: Vec<&str> = Listener::ALL.iter().map(|l| l.slug()).collect();
            let shown: String = s
                .chars()
                .take(40)
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            format!(
                "unknown auth mode `{shown}`; known modes are {}",
                known.join(", ")
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listener_slugs_round_trip_and_unknown_mode_is_explained() {
        for l in Listener::ALL {
            assert_eq!(l.slug().parse::<Listener>(), Ok(l));
        }
        let err = "kerberos".parse::<Listener>().unwrap_err();
        assert!(err.contains("unknown auth mode `kerberos`"), "{err}");
        assert!(err.contains("sasl-iam"), "{err}");
    }

    #[test]
    fn ports_follow_the_msk_documentation() {
        assert_eq!(Listener::Plaintext.documented_port(), 9092);
        assert_eq!(Listener::Tls.documented_port(), 9094);
        assert_eq!(Listener::SaslScram.documented_port(), 9096);
        assert_eq!(Listener::SaslIam.documented_port(), 9098);
        assert_eq!(Listener::PublicTls.documented_port(), 9194);
        assert_eq!(Listener::PublicSaslScram.documented_port(), 9196);
        assert_eq!(Listener::PublicSaslIam.documented_port(), 9198);
        assert_eq!(Listener::Ipv6Plaintext.documented_port(), 20092);
        assert_eq!(Listener::Ipv6Tls.documented_port(), 20094);
        assert_eq!(Listener::Ipv6SaslScram.documented_port(), 20096);
        assert_eq!(Listener::Ipv6SaslIam.documented_port(), 20098);
        assert_eq!(Listener::Ipv6SaslIam.security_protocol(), "SASL_SSL");
        assert_eq!(Listener::Ipv6Plaintext.security_protocol(), "PLAINTEXT");
        assert_eq!(
            "ipv6-sasl-iam".parse::<Listener>(),
            Ok(Listener::Ipv6SaslIam)
        );
        assert_eq!(
            serde_json::to_string(&Listener::Ipv6SaslScram).unwrap(),
            "\"ipv6-sasl-scram\""
        );
        assert_eq!(Listener::SaslScram.security_protocol(), "SASL_SSL");
        assert_eq!(Listener::Tls.security_protocol(), "SSL");
    }
}
