//! `--auth proxy`: identity headers set by a proxy that has already authenticated the
//! user (oauth2-proxy, an ingress with OIDC, …).
//!
//! The headers are believed only when the request's peer address is one of
//! `--trusted-proxy`; from anyone else they are ignored (and logged), since any client
//! can send them. Values are bounded and must be printable.
//!
//! An identity header that comes more than once is refused: a proxy that appends its
//! own header to the client's would otherwise let the client's copy name the user.

use std::net::SocketAddr;

use axum::http::HeaderMap;

/// The header names and the trusted peers.
#[derive(Clone, Debug)]
pub struct ProxyAuth {
    pub trusted: Vec<ipnet::IpNet>,
    pub user: String,
    pub email: String,
    pub groups: String,
}

/// What a trusted proxy says about the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyUser {
    pub user: String,
    pub email: Option<String>,
    pub groups: Vec<String>,
}

/// A header value fit to be a name: printable, at most 256 characters.
fn value(headers: &HeaderMap, name: &str) -> Option<String> {
    let v = headers.get(name)?.to_str().ok()?.trim();
    (!v.is_empty() && v.len() <= 256 && !v.chars().any(char::is_control)).then(|| v.to_string())
}

/// Refuses a header that comes more than once: which copy is the proxy's cannot be told.
fn once(headers: &HeaderMap, name: &str) -> Result<(), String> {
    let n = headers.get_all(name).iter().count();
    if n > 1 {
        return Err(format!(
            "The identity header {name} came {n} times; the proxy must send it once, replacing any the client sent."
        ));
    }
    Ok(())
}

impl ProxyAuth {
    pub fn trusts(&self, peer: Option<SocketAddr>) -> bool {
        peer.is_some_and(|p| {
            let ip = match p.ip() {
                std::net::IpAddr::V6(v6) => v6
                    .to_ipv4_mapped()
                    .map(std::net::IpAddr::V4)
                    .unwrap_or(std::net::IpAddr::V6(v6)),
                v4 => v4,
            };
            self.trusted.iter().any(|n| n.contains(&ip))
        })
    }

    /// The user the headers name, if the peer is trusted and names one; an error when
    /// an identity header comes more than once.
    pub fn user(
        &self,
        headers: &HeaderMap,
        peer: Option<SocketAddr>,
    ) -> Result<Option<ProxyUser>, String> {
        let named = headers.contains_key(self.user.as_str());
        if !self.trusts(peer) {
            if named {
                tracing::warn!(peer = ?peer, "ignored identity headers from an address that is not a trusted proxy");
            }
            return Ok(None);
        }
        for name in [&self.user, &self.email, &self.groups] {
            once(headers, name)?;
        }
        let Some(user) = value(headers, &self.user) else {
            return Ok(None);
        };
        let groups = headers
            .get(self.groups.as_str())
            .and_then(|g| g.to_str().ok())
            .map(|g| {
                g.split(',')
                    .map(str::trim)
                    .filter(|g| !g.is_empty() && g.len() <= 256)
                    .take(200)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        Ok(Some(ProxyUser {
            user,
            email: value(headers, &self.email),
            groups,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn proxy() -> ProxyAuth {
        ProxyAuth {
            trusted: vec!["127.0.0.1/32".parse().unwrap()],
            user: "x-forwarded-user".into(),
            email: "x-forwarded-email".into(),
            groups: "x-forwarded-groups".into(),
        }
    }

    #[test]
    fn a_repeated_identity_header_is_refused_not_read_first_come() {
        let peer = Some("127.0.0.1:5000".parse().unwrap());
        let mut h = HeaderMap::new();
        h.append("x-forwarded-user", HeaderValue::from_static("olga"));
        assert_eq!(proxy().user(&h, peer).unwrap().unwrap().user, "olga");
        h.append("x-forwarded-user", HeaderValue::from_static("victor"));
        let e = proxy().user(&h, peer).unwrap_err();
        assert!(
            e.contains("X-Forwarded-User") || e.contains("x-forwarded-user"),
            "{e}"
        );
        let mut h = HeaderMap::new();
        h.append("x-forwarded-user", HeaderValue::from_static("victor"));
        h.append(
            "x-forwarded-groups",
            HeaderValue::from_static("kafka-admins"),
        );
        h.append("x-forwarded-groups", HeaderValue::from_static("developers"));
        assert!(proxy().user(&h, peer).is_err());
        // From an untrusted peer the headers are ignored, however many.
        assert_eq!(
            proxy().user(&h, Some("127.0.0.2:1".parse().unwrap())),
            Ok(None)
        );
    }
}
