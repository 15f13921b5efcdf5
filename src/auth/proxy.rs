//! `--auth proxy`: identity headers set by a proxy that has already authenticated the
//! user (oauth2-proxy, an ingress with OIDC, …).
//!
//! The headers are believed only when the request's peer address is one of
//! `--trusted-proxy`; from anyone else they are ignored (and logged), since any client
//! can send them. Values are bounded and must be printable.

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

    /// The user the headers name, if the peer is trusted and names one.
    pub fn user(&self, headers: &HeaderMap, peer: Option<SocketAddr>) -> Option<ProxyUser> {
        let named = headers.contains_key(self.user.as_str());
        if !self.trusts(peer) {
            if named {
                tracing::warn!(peer = ?peer, "ignored identity headers from an address that is not a trusted proxy");
            }
            return None;
        }
        let user = value(headers, &self.user)?;
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
        Some(ProxyUser {
            user,
            email: value(headers, &self.email),
            groups,
        })
    }
}
