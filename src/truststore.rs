//! The truststore download: a PKCS12 store of the machine's CA certificates.
//!
//! AWS's guide has people copy the JVM's `cacerts`; this builds the same thing from the
//! system CA bundle (which has Amazon's roots), so it can be downloaded next to the
//! `client.properties` that references it. Java reads a PKCS12 store without a password
//! as empty, so it always gets one (`changeit` unless the user picks another), and the
//! properties say `ssl.truststore.type=PKCS12` and `ssl.truststore.password`.
//!
//! The bundle is read and parsed once, on the first download.

use std::path::{Path, PathBuf};

use app::error::AppError;
use p12_keystore::{Certificate, KeyStore, KeyStoreEntry};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use tokio::sync::OnceCell;

/// Where Linux distributions keep their PEM CA bundle, in the order we look.
pub const BUNDLE_CANDIDATES: [&str; 3] = [
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/cert.pem",
];

/// The CA bundle in use: the configured one, else the first of [`BUNDLE_CANDIDATES`]
/// that exists. The connectivity check trusts the same certificates.
pub fn bundle_path(configured: Option<&Path>) -> Option<PathBuf> {
    configured.map(Path::to_path_buf).or_else(|| {
        BUNDLE_CANDIDATES
            .iter()
            .map(PathBuf::from)
            .find(|p| p.exists())
    })
}

pub struct Truststore {
    configured: Option<PathBuf>,
    certs: OnceCell<Result<Vec<(String, Certificate)>, String>>,
}

impl Truststore {
    pub fn new(configured: Option<PathBuf>) -> Truststore {
        Truststore {
            configured,
            certs: OnceCell::new(),
        }
    }

    fn bundle_path(&self) -> Option<PathBuf> {
        bundle_path(self.configured.as_deref())
    }

    async fn certificates(&self) -> Result<&Vec<(String, Certificate)>, AppError> {
        let loaded = self
            .certs
            .get_or_init(|| async {
                let Some(path) = self.bundle_path() else {
                    return Err(
                        "no CA bundle was found on this machine; set --ca-bundle".to_string()
                    );
                };
                tokio::task::spawn_blocking(move || read_bundle(&path))
                    .await
                    .unwrap_or_else(|e| Err(e.to_string()))
            })
            .await;
        loaded
            .as_ref()
            .map_err(|e| AppError::Unavailable(format!("The truststore cannot be built: {e}")))
    }

    /// A PKCS12 store of every CA in the bundle, protected with `password`.
    pub async fn pkcs12(&self, password: &str) -> Result<Vec<u8>, AppError> {
        if password.is_empty() {
            return Err(AppError::bad_request(
                "The truststore needs a password: Java reads a PKCS12 store without one as empty.",
            ));
        }
        if password.chars().any(char::is_control) {
            return Err(AppError::bad_request(
                "The truststore password contains a control character.",
            ));
        }
        let certs = self.certificates().await?.clone();
        let password = password.to_string();
        tokio::task::spawn_blocking(move || {
            let mut store = KeyStore::new();
            for (alias, cert) in certs {
                store.add_entry(&alias, KeyStoreEntry::Certificate(cert));
            }
            store.writer(&password).write().map_err(AppError::internal)
        })
        .await
        .map_err(AppError::internal)?
    }
}

fn read_bundle(path: &Path) -> Result<Vec<(String, Certificate)>, String> {
    let ders = CertificateDer::pem_file_iter(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{} is not a PEM bundle: {e}", path.display()))?;
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for der in ders {
        let Ok(cert) = Certificate::from_der(der.as_ref()) else {
            continue;
        };
        let base = alias_of(cert.subject());
        let mut alias = base.clone();
        let mut n = 2;
        while !seen.insert(alias.clone()) {
            alias = format!("{base}-{n}");
            n += 1;
        }
        out.push((alias, cert));
    }
    if out.is_empty() {
        return Err(format!("{} holds no certificates", path.display()));
    }
    Ok(out)
}

/// `CN=Amazon Root CA 1,O=Amazon,C=US` → `amazon-root-ca-1`.
fn alias_of(subject: &str) -> String {
    let cn = subject
        .split(',')
        .find_map(|part| part.trim().strip_prefix("CN="))
        .unwrap_or(subject);
    app::generate::safe_file_name(cn).to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_come_from_the_common_name() {
        assert_eq!(
            alias_of("CN=Amazon Root CA 1,O=Amazon,C=US"),
            "amazon-root-ca-1"
        );
        assert_eq!(alias_of("O=Example"), "o-example");
    }

    #[tokio::test]
    async fn a_missing_bundle_is_a_clear_error_and_an_empty_password_is_refused() {
        let t = Truststore::new(Some(PathBuf::from("/nonexistent/bundle.pem")));
        let e = t.pkcs12("changeit").await.unwrap_err();
        assert_eq!(e.status_code(), 503);
        assert!(e.to_string().contains("/nonexistent/bundle.pem"), "{e}");
        assert_eq!(t.pkcs12("").await.unwrap_err().status_code(), 400);
    }
}
