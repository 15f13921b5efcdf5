//! The one network guard: where the console's own requests may go. A probe goes to the
//! two open-monitoring ports of an inventory host, path `/metrics`; a connectivity check
//! to a bootstrap string's own `host:port`; neither ever to a link-local address, named
//! directly or by a DNS name that resolves there.
//!
//! Link-local addresses hold the cloud's instance metadata service (169.254.169.254,
//! fd00:ec2::254 is unique-local and stays reachable only if listed) and other
//! host-only services; an inventory entry, or a DNS name that resolves there, must not
//! turn the prober into a way to read them.

use std::net::{IpAddr, SocketAddr};

use app::model::{endpoint, JMX_EXPORTER_PORT, NODE_EXPORTER_PORT};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Whether an address is link-local (or unspecified), IPv4-mapped ones included.
pub fn forbidden(ip: IpAddr) -> bool {
    let ip = match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    };
    match ip {
        IpAddr::V4(v4) => v4.is_link_local() || v4.is_unspecified() || v4.is_broadcast(),
        IpAddr::V6(v6) => {
            v6.is_unspecified() || (v6.segments()[0] & 0xffc0) == 0xfe80 || v6.is_multicast()
        }
    }
}

/// The one URL a probe of `host` on `port` may fetch.
pub fn metrics_url(host: &str, port: u16) -> Result<url::Url, String> {
    endpoint::check_host(host)?;
    if port != JMX_EXPORTER_PORT && port != NODE_EXPORTER_PORT {
        return Err(format!("port {port} is not an open-monitoring port"));
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        if forbidden(ip) {
            return Err("a link-local address: never probed".into());
        }
    }
    let mut url = url::Url::parse("http://exporter.invalid/metrics").map_err(|e| e.to_string())?;
    let host_part = if bare.contains(':') {
        format!("[{bare}]")
    } else {
        bare.to_string()
    };
    url.set_host(Some(&host_part))
        .map_err(|e| format!("`{host}`: {e}"))?;
    url.set_port(Some(port))
        .map_err(|_| "no port".to_string())?;
    if url.path() != "/metrics" || url.query().is_some() || url.port() != Some(port) {
        return Err("the probe URL came out wrong".into());
    }
    Ok(url)
}

/// The system resolver, without link-local answers: a name that resolves only there is
/// a failed look-up.
pub struct NoLinkLocal;

impl Resolve for NoLinkLocal {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| !forbidden(a.ip()))
                .collect();
            if addrs.is_empty() {
                return Err(format!(
                    "{host} resolves only to link-local addresses, which are never probed"
                )
                .into());
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_metrics_on_the_exporter_ports_of_a_host() {
        assert_eq!(
            metrics_url("b-1.x.example", 11001).unwrap().as_str(),
            "http://b-1.x.example:11001/metrics"
        );
        assert_eq!(
            metrics_url("::1", 11002).unwrap().as_str(),
            "http://[::1]:11002/metrics"
        );
        for (host, port) in [
            ("[::ffff:127.0.0.1]:8099/admin?x=#", 11001),
            ("b-1.x.example/admin", 11001),
            ("b-1.x.example", 8099),
            ("169.254.169.254", 11001),
            ("::ffff:169.254.169.254", 11002),
            ("fe80::1", 11001),
            ("0.0.0.0", 11001),
        ] {
            assert!(metrics_url(host, port).is_err(), "{host}:{port}");
        }
    }
}
