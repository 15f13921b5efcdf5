//! The options a client configuration takes, as one table.
//!
//! [`OptionField`] is that table: each option's query-parameter name, its form label
//! and hint, the files and auth modes it applies to, and the rule its value must pass.
//! The download routes, the Downloads panel (its inputs and its URLs) and the
//! generators all read it, so adding an option is one row.
//!
//! [`ClientOptions`] is what a form or a query string sent (a value per field, empty
//! ones dropped); [`ClientOptions::parse`] checks every value once and gives the
//! [`ValidOptions`] the generators take.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::generate::check_value;
use crate::model::Auth;

/// Where the Java client finds the CAs that signed the brokers' certificates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Truststore {
    /// The PKCS12 truststore the console builds (`/clusters/{id}/truststore.p12`).
    #[default]
    Pkcs12,
    /// A copy of the JVM's `cacerts` (JKS), as AWS's guide does it.
    Jks,
    /// The JVM's default truststore, which already trusts Amazon's roots.
    None,
}

impl Truststore {
    pub const ALL: [Truststore; 3] = [Truststore::Pkcs12, Truststore::Jks, Truststore::None];

    pub fn slug(self) -> &'static str {
        match self {
            Truststore::Pkcs12 => "pkcs12",
            Truststore::Jks => "jks",
            Truststore::None => "none",
        }
    }

    /// What the Downloads panel's choice says.
    pub fn label(self) -> &'static str {
        match self {
            Truststore::Pkcs12 => "PKCS12 from this console",
            Truststore::Jks => "Copy of the JVM's cacerts (JKS)",
            Truststore::None => "The JVM's default truststore",
        }
    }

    pub fn parse(s: &str) -> Result<Truststore, AppError> {
        match s {
            "pkcs12" | "p12" => Ok(Truststore::Pkcs12),
            "jks" => Ok(Truststore::Jks),
            "none" | "jvm-default" => Ok(Truststore::None),
            other => Err(AppError::bad_request(format!(
                "unknown truststore `{other}`; use pkcs12 (the console's download), jks (a copy of the JVM's cacerts) or none"
            ))),
        }
    }
}

/// How a Java client signs in with IAM: aws-msk-iam-auth offers its own SASL mechanism
/// and, for clients that already use it, Kafka's OAUTHBEARER.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IamMechanism {
    /// `AWS_MSK_IAM` with `IAMLoginModule` and `IAMClientCallbackHandler`.
    #[default]
    AwsMskIam,
    /// `OAUTHBEARER` with `OAuthBearerLoginModule` and `IAMOAuthBearerLoginCallbackHandler`.
    OAuthBearer,
}

impl IamMechanism {
    pub const ALL: [IamMechanism; 2] = [IamMechanism::AwsMskIam, IamMechanism::OAuthBearer];

    pub fn slug(self) -> &'static str {
        match self {
            IamMechanism::AwsMskIam => "aws-msk-iam",
            IamMechanism::OAuthBearer => "oauthbearer",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            IamMechanism::AwsMskIam => "AWS_MSK_IAM (aws-msk-iam-auth's own mechanism)",
            IamMechanism::OAuthBearer => "OAUTHBEARER (aws-msk-iam-auth's token handler)",
        }
    }

    pub fn parse(s: &str) -> Result<IamMechanism, AppError> {
        IamMechanism::ALL
            .into_iter()
            .find(|m| m.slug() == s.to_ascii_lowercase())
            .ok_or_else(|| {
                AppError::bad_request(format!(
                    "unknown IAM mechanism `{s}`; use aws-msk-iam or oauthbearer"
                ))
            })
    }
}

pub const DEFAULT_P12_LOCATION: &str = "/tmp/kafka.client.truststore.p12";
pub const DEFAULT_JKS_LOCATION: &str = "/tmp/kafka.client.truststore.jks";
/// Java's conventional keystore password; the store holds only public CA certificates.
pub const DEFAULT_TRUSTSTORE_PASSWORD: &str = "changeit";
/// Mutual TLS: where AWS's guide keeps the client keystore, and where librdkafka clients
/// are told to keep the PEM certificate and key.
pub const DEFAULT_KEYSTORE_LOCATION: &str = "/tmp/kafka.client.keystore.jks";
pub const DEFAULT_CERTIFICATE_LOCATION: &str = "/tmp/client-cert.pem";
pub const DEFAULT_KEY_LOCATION: &str = "/tmp/client-key.pem";
/// Client secrets are never made up: a file without them says where they go.
pub const KEYSTORE_PASSWORD_PLACEHOLDER: &str = "<keystore-password>";
pub const KEY_PASSWORD_PLACEHOLDER: &str = "<key-password>";
/// Debian and Ubuntu's CA bundle, where librdkafka clients usually find it.
pub const DEFAULT_CA_LOCATION: &str = "/etc/ssl/certs/ca-certificates.crt";

/// Which kind of client a file configures: the option table's rows apply per kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientFamily {
    /// Java clients (`client.properties`, Spring Boot): a truststore, a keystore, and
    /// aws-msk-iam-auth's JAAS options.
    Java,
    /// librdkafka's properties file (kcat `-F`): PEM files; IAM only as code.
    Librdkafka,
    /// Code with AWS's signer library (Python, Node.js): PEM files, and the signer's
    /// profile and role options.
    Signer,
}

/// JAAS option values are double-quoted: a quote or backslash would end or escape them.
const JAAS_FORBIDDEN: &[char] = &['"', '\\'];

/// One option of a client configuration: the table every form, URL and check reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptionField {
    /// `pkcs12` (default), `jks` or `none`.
    Truststore,
    TruststoreLocation,
    TruststorePassword,
    /// SCRAM user name; the password is always a placeholder.
    ScramUsername,
    /// IAM: the `awsProfileName` JAAS option.
    AwsProfile,
    /// IAM: the `awsRoleArn` JAAS option.
    AwsRoleArn,
    /// IAM: the `awsRoleSessionName` JAAS option.
    AwsRoleSessionName,
    /// IAM: the `awsStsRegion` JAAS option.
    AwsStsRegion,
    /// librdkafka: the PEM CA bundle path.
    CaLocation,
    /// IAM, Java: `aws-msk-iam` (default) or `oauthbearer`.
    IamMechanism,
    /// Mutual TLS, Java: the client's keystore (certificate and key from the private CA).
    KeystoreLocation,
    KeystorePassword,
    /// Mutual TLS: the private key's password (Java and librdkafka).
    KeyPassword,
    /// Mutual TLS, librdkafka: the client certificate and key as PEM files.
    CertificateLocation,
    KeyLocation,
}

impl OptionField {
    pub const ALL: [OptionField; 15] = [
        OptionField::Truststore,
        OptionField::TruststoreLocation,
        OptionField::TruststorePassword,
        OptionField::ScramUsername,
        OptionField::AwsProfile,
        OptionField::AwsRoleArn,
        OptionField::AwsRoleSessionName,
        OptionField::AwsStsRegion,
        OptionField::CaLocation,
        OptionField::IamMechanism,
        OptionField::KeystoreLocation,
        OptionField::KeystorePassword,
        OptionField::KeyPassword,
        OptionField::CertificateLocation,
        OptionField::KeyLocation,
    ];

    /// The query parameter and form field name.
    pub fn name(self) -> &'static str {
        match self {
            OptionField::Truststore => "truststore",
            OptionField::TruststoreLocation => "truststore_location",
            OptionField::TruststorePassword => "truststore_password",
            OptionField::ScramUsername => "scram_username",
            OptionField::AwsProfile => "aws_profile",
            OptionField::AwsRoleArn => "aws_role_arn",
            OptionField::AwsRoleSessionName => "aws_role_session_name",
            OptionField::AwsStsRegion => "aws_sts_region",
            OptionField::CaLocation => "ca_location",
            OptionField::IamMechanism => "iam_mechanism",
            OptionField::KeystoreLocation => "keystore_location",
            OptionField::KeystorePassword => "keystore_password",
            OptionField::KeyPassword => "key_password",
            OptionField::CertificateLocation => "certificate_location",
            OptionField::KeyLocation => "key_location",
        }
    }

    pub fn from_name(name: &str) -> Option<OptionField> {
        OptionField::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The form label.
    pub fn label(self) -> &'static str {
        match self {
            OptionField::Truststore => "Truststore",
            OptionField::TruststoreLocation => "Truststore path",
            OptionField::TruststorePassword => "Truststore password",
            OptionField::ScramUsername => "SCRAM user name",
            OptionField::AwsProfile => "AWS profile (awsProfileName)",
            OptionField::AwsRoleArn => "Role ARN (awsRoleArn)",
            OptionField::AwsRoleSessionName => "Role session name",
            OptionField::AwsStsRegion => "STS region",
            OptionField::CaLocation => "CA bundle (PEM file)",
            OptionField::IamMechanism => "IAM mechanism",
            OptionField::KeystoreLocation => "Client keystore path (mutual TLS)",
            OptionField::KeystorePassword => "Client keystore password",
            OptionField::KeyPassword => "Private key password",
            OptionField::CertificateLocation => "Client certificate (PEM)",
            OptionField::KeyLocation => "Private key (PEM)",
        }
    }

    /// The form field's placeholder.
    pub fn hint(self) -> &'static str {
        match self {
            OptionField::Truststore => "pkcs12",
            OptionField::TruststoreLocation => DEFAULT_P12_LOCATION,
            OptionField::TruststorePassword => DEFAULT_TRUSTSTORE_PASSWORD,
            OptionField::ScramUsername => "<username>",
            OptionField::AwsRoleArn => "arn:aws:iam::ACCOUNT:role/NAME",
            OptionField::CaLocation => DEFAULT_CA_LOCATION,
            OptionField::IamMechanism => "aws-msk-iam",
            OptionField::KeystoreLocation => DEFAULT_KEYSTORE_LOCATION,
            OptionField::KeystorePassword => KEYSTORE_PASSWORD_PLACEHOLDER,
            OptionField::KeyPassword => KEY_PASSWORD_PLACEHOLDER,
            OptionField::CertificateLocation => DEFAULT_CERTIFICATE_LOCATION,
            OptionField::KeyLocation => DEFAULT_KEY_LOCATION,
            OptionField::AwsProfile
            | OptionField::AwsRoleSessionName
            | OptionField::AwsStsRegion => "optional",
        }
    }

    /// Whether the option matters for a file of this client family in this auth mode,
    /// with this truststore.
    pub fn applies(self, family: ClientFamily, auth: Auth, truststore: Truststore) -> bool {
        let tls = auth != Auth::None;
        let java = family == ClientFamily::Java;
        match self {
            OptionField::Truststore => java && tls,
            OptionField::TruststoreLocation | OptionField::TruststorePassword => {
                java && tls && truststore != Truststore::None
            }
            OptionField::ScramUsername => auth == Auth::Scram,
            OptionField::AwsProfile | OptionField::AwsRoleArn | OptionField::AwsRoleSessionName => {
                family != ClientFamily::Librdkafka && auth == Auth::Iam
            }
            OptionField::AwsStsRegion | OptionField::IamMechanism => java && auth == Auth::Iam,
            OptionField::CaLocation => !java && tls,
            OptionField::KeystoreLocation | OptionField::KeystorePassword => {
                java && auth == Auth::Tls
            }
            OptionField::KeyPassword => auth == Auth::Tls,
            OptionField::CertificateLocation | OptionField::KeyLocation => {
                !java && auth == Auth::Tls
            }
        }
    }

    /// Whether the option sets up a client certificate (mutual TLS), which only clusters
    /// that authenticate clients by certificate use.
    pub fn is_mutual_tls(self) -> bool {
        matches!(
            self,
            OptionField::KeystoreLocation
                | OptionField::KeystorePassword
                | OptionField::KeyPassword
                | OptionField::CertificateLocation
                | OptionField::KeyLocation
        )
    }

    /// The values of an option chosen from a list (`value`, `label`), first the default;
    /// `None` for free text.
    pub fn choices(self) -> Option<Vec<(&'static str, &'static str)>> {
        match self {
            OptionField::Truststore => Some(
                Truststore::ALL
                    .into_iter()
                    .map(|t| (t.slug(), t.label()))
                    .collect(),
            ),
            OptionField::IamMechanism => Some(
                IamMechanism::ALL
                    .into_iter()
                    .map(|m| (m.slug(), m.label()))
                    .collect(),
            ),
            _ => None,
        }
    }

    /// Checks a value, so a bad one is a 400 that names the option.
    fn check(self, v: &str) -> Result<(), AppError> {
        let name = self.name();
        match self {
            OptionField::Truststore => Truststore::parse(v).map(|_| ()),
            OptionField::IamMechanism => IamMechanism::parse(v).map(|_| ()),
            OptionField::TruststoreLocation
            | OptionField::TruststorePassword
            | OptionField::CaLocation
            | OptionField::KeystoreLocation
            | OptionField::KeystorePassword
            | OptionField::KeyPassword
            | OptionField::CertificateLocation
            | OptionField::KeyLocation => check_value(name, v, &[]),
            OptionField::ScramUsername
            | OptionField::AwsProfile
            | OptionField::AwsRoleArn
            | OptionField::AwsRoleSessionName
            | OptionField::AwsStsRegion => {
                check_value(name, v, JAAS_FORBIDDEN)?;
                if v.chars().any(char::is_whitespace) {
                    return Err(AppError::bad_request(format!(
                        "The option {name} must not contain spaces."
                    )));
                }
                self.check_shape(v)
            }
        }
    }

    /// The IAM options' own shapes.
    fn check_shape(self, v: &str) -> Result<(), AppError> {
        match self {
            OptionField::AwsRoleArn if !(v.starts_with("arn:") && v.contains(":role/")) => {
                Err(AppError::bad_request(format!(
                    "aws_role_arn `{v}` is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)."
                )))
            }
            OptionField::AwsStsRegion
                if !v
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') =>
            {
                Err(AppError::bad_request(format!(
                    "aws_sts_region `{v}` is not a region name like eu-west-1."
                )))
            }
            OptionField::AwsRoleSessionName
                if !((2..=64).contains(&v.len())
                    && v.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c))) =>
            {
                Err(AppError::bad_request(
                    "aws_role_session_name must be 2 to 64 letters, digits or _+=,.@- characters.",
                ))
            }
            _ => Ok(()),
        }
    }
}

/// The user's choices for a client configuration, as a form or query string sent them.
/// Every option is optional; empty values count as unset, so a plain HTML form can send
/// them all.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClientOptions(BTreeMap<OptionField, String>);

impl ClientOptions {
    /// Sets an option (an empty value unsets it).
    pub fn set(&mut self, field: OptionField, value: impl Into<String>) {
        let value = value.into();
        if value.trim().is_empty() {
            self.0.remove(&field);
        } else {
            self.0.insert(field, value);
        }
    }

    /// The options with one more set (for building them in code).
    pub fn with(mut self, field: OptionField, value: impl Into<String>) -> ClientOptions {
        self.set(field, value);
        self
    }

    /// A set option, trimmed.
    pub fn get(&self, field: OptionField) -> Option<&str> {
        self.0
            .get(&field)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// The truststore choice as far as it parses (the default otherwise); for showing
    /// the form, not for generating files.
    pub fn truststore_choice(&self) -> Truststore {
        self.get(OptionField::Truststore)
            .and_then(|t| Truststore::parse(t).ok())
            .unwrap_or_default()
    }

    /// Only the options that matter for a file of this client family in this auth mode;
    /// the rest are dropped, so they neither travel in URLs nor fail validation.
    pub fn relevant_to(&self, family: ClientFamily, auth: Auth) -> ClientOptions {
        let truststore = self.truststore_choice();
        ClientOptions(
            self.0
                .iter()
                .filter(|(f, _)| f.applies(family, auth, truststore))
                .map(|(f, v)| (*f, v.clone()))
                .collect(),
        )
    }

    /// Only the options `keep` says yes to.
    pub fn retain(&self, keep: impl Fn(OptionField) -> bool) -> ClientOptions {
        ClientOptions(
            self.0
                .iter()
                .filter(|(f, _)| keep(**f))
                .map(|(f, v)| (*f, v.clone()))
                .collect(),
        )
    }

    /// The set options as query-string pairs, in the table's order.
    pub fn pairs(&self) -> impl Iterator<Item = (&'static str, &str)> {
        OptionField::ALL
            .into_iter()
            .filter_map(|f| self.get(f).map(|v| (f.name(), v)))
    }

    /// Checks every option once; the generators take the result.
    pub fn parse(&self) -> Result<ValidOptions, AppError> {
        for f in OptionField::ALL {
            if let Some(v) = self.get(f) {
                f.check(v)?;
            }
        }
        Ok(ValidOptions {
            iam_mechanism: self
                .get(OptionField::IamMechanism)
                .map(IamMechanism::parse)
                .transpose()?
                .unwrap_or_default(),
            truststore: self
                .get(OptionField::Truststore)
                .map(Truststore::parse)
                .transpose()?
                .unwrap_or_default(),
            values: self.clone(),
        })
    }
}

/// Client options whose every value passed its check: what the generators take.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValidOptions {
    pub truststore: Truststore,
    pub iam_mechanism: IamMechanism,
    values: ClientOptions,
}

impl ValidOptions {
    /// A set option, trimmed.
    pub fn get(&self, field: OptionField) -> Option<&str> {
        self.values.get(field)
    }

    /// A set option, or its default.
    pub fn get_or<'a>(&'a self, field: OptionField, default: &'a str) -> &'a str {
        self.get(field).unwrap_or(default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_relevant_options_are_kept() {
        let o = ClientOptions::default()
            .with(OptionField::ScramUsername, "alice")
            .with(OptionField::AwsProfile, "prod")
            .with(OptionField::CaLocation, "/ca.pem")
            .with(OptionField::Truststore, "jks");
        let iam = o.relevant_to(ClientFamily::Java, Auth::Iam);
        assert_eq!(
            (
                iam.get(OptionField::ScramUsername),
                iam.get(OptionField::AwsProfile),
                iam.get(OptionField::CaLocation),
                iam.get(OptionField::Truststore)
            ),
            (None, Some("prod"), None, Some("jks"))
        );
        let rd = o.relevant_to(ClientFamily::Librdkafka, Auth::Scram);
        assert_eq!(
            (
                rd.get(OptionField::ScramUsername),
                rd.get(OptionField::AwsProfile),
                rd.get(OptionField::CaLocation),
                rd.get(OptionField::Truststore)
            ),
            (Some("alice"), None, Some("/ca.pem"), None)
        );
        assert_eq!(
            o.relevant_to(ClientFamily::Java, Auth::None),
            ClientOptions::default()
        );
        // Code with AWS's signer takes the profile, not the Java-only STS region.
        let py = o
            .clone()
            .with(OptionField::AwsStsRegion, "eu-west-1")
            .relevant_to(ClientFamily::Signer, Auth::Iam);
        assert_eq!(
            (
                py.get(OptionField::AwsProfile),
                py.get(OptionField::AwsStsRegion),
                py.get(OptionField::CaLocation)
            ),
            (Some("prod"), None, Some("/ca.pem"))
        );
    }

    #[test]
    fn the_table_names_round_trip_and_travel_as_json_keys() {
        for f in OptionField::ALL {
            assert_eq!(OptionField::from_name(f.name()), Some(f));
        }
        let o = ClientOptions::default().with(OptionField::AwsStsRegion, "eu-west-1");
        let json = serde_json::to_string(&o).unwrap();
        assert_eq!(json, r#"{"aws_sts_region":"eu-west-1"}"#);
        assert_eq!(serde_json::from_str::<ClientOptions>(&json).unwrap(), o);
        assert_eq!(
            o.pairs().collect::<Vec<_>>(),
            [("aws_sts_region", "eu-west-1")]
        );
    }

    #[test]
    fn parsing_resolves_the_truststore_once() {
        let v = ClientOptions::default()
            .with(OptionField::Truststore, "p12")
            .parse()
            .unwrap();
        assert_eq!(v.truststore, Truststore::Pkcs12);
        assert_eq!(
            v.get_or(OptionField::TruststorePassword, DEFAULT_TRUSTSTORE_PASSWORD),
            "changeit"
        );
        let e = ClientOptions::default()
            .with(OptionField::Truststore, "pem")
            .parse()
            .unwrap_err();
        assert!(e.to_string().contains("unknown truststore `pem`"), "{e}");
    }
}
