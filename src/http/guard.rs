//! Guards every request passes before it reaches a route.
//!
//! - **Host allow-list** (DNS rebinding): a browser on a hostile page can make a name it
//!   controls resolve to the console's address, and then read the console as that
//!   name's own origin. Such a request carries the hostile name in `Host`, so only these
//!   hosts are served: IP literals (a rebinding needs a name), `localhost`, the host of
//!   `--public-url`, and the names in `--allowed-hosts`. Others get a 421.
//! - **Same origin for changes** (cross-site request forgery): a request that is not
//!   `GET`, `HEAD` or `OPTIONS` is refused with a 403 when the browser says it comes
//!   from another site (`Sec-Fetch-Site: cross-site` or `same-site`) or when its
//!   `Origin` is not the console's own. Scripts send neither header and pass; they
//!   authenticate with a token.

use std::collections::HashSet;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use app::error::AppError;

/// The hosts the console answers to, besides IP literals and `localhost`.
#[derive(Clone, Debug, Default)]
pub struct Guard {
    names: Arc<HashSet<String>>,
}

impl Guard {
    pub fn new(public_url: Option<&str>, allowed: &[String]) -> Guard {
        let mut names: HashSet<String> = allowed
            .iter()
            .map(|h| h.trim().trim_end_matches('.').to_ascii_lowercase())
            .filter(|h| !h.is_empty())
            .collect();
        if let Some(host) = public_url
            .and_then(|u| u.parse::<axum::http::Uri>().ok())
            .and_then(|u| u.host().map(str::to_ascii_lowercase))
        {
            names.insert(host);
        }
        Guard {
            names: Arc::new(names),
        }
    }

    /// Whether a `Host` header value (`name`, `name:port`, `[v6]:port`) may be served.
    pub fn host_allowed(&self, host: &str) -> bool {
        let Ok(authority) = host.parse::<axum::http::uri::Authority>() else {
            return false;
        };
        let name = authority.host().trim_end_matches('.').to_ascii_lowercase();
        let bare = name.trim_start_matches('[').trim_end_matches(']');
        bare.parse::<std::net::IpAddr>().is_ok()
            || name == "localhost"
            || self.names.contains(&name)
    }

    /// Whether a state-changing request comes from the console's own pages (or from
    /// something that is not a browser).
    fn same_origin(&self, req: &Request) -> bool {
        let headers = req.headers();
        if let Some(site) = headers.get("sec-fetch-site") {
            return matches!(site.as_bytes(), b"same-origin" | b"none");
        }
        let Some(origin) = headers.get(header::ORIGIN) else {
            return true;
        };
        let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
            return false;
        };
        let Some(origin) = origin
            .to_str()
            .ok()
            .and_then(|o| o.parse::<axum::http::Uri>().ok())
        else {
            return false;
        };
        origin
            .authority()
            .is_some_and(|a| a.as_str().eq_ignore_ascii_case(host))
    }
}

pub async fn check(State(guard): State<Guard>, req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| req.uri().authority().map(|a| a.to_string()));
    match host {
        Some(h) if guard.host_allowed(&h) => {}
        _ => {
            tracing::warn!(host = ?host, "refused a request for a host this console does not serve");
            return (
                StatusCode::MISDIRECTED_REQUEST,
                "This console does not answer to that host name. Add it to --allowed-hosts or --public-url.\n",
            )
                .into_response();
        }
    }
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && !guard.same_origin(&req) {
        tracing::warn!(path = %req.uri().path(), "refused a cross-site request");
        return AppError::Forbidden(
            "This request came from another site. Changes are only accepted from the console's own pages."
                .into(),
        )
        .into_response();
    }
    if safe {
        return next.run(req).await;
    }
    // Read the whole body (it is small: the body limit applies) before any handler
    // runs. A handler that refuses a request without reading its body would otherwise
    // answer while the client is still sending, and the client would see a broken
    // connection instead of the answer.
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > super::BODY_LIMIT as u64) {
        return too_large();
    }
    let (parts, body) = req.into_parts();
    match axum::body::to_bytes(body, super::BODY_LIMIT).await {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
                .await
        }
        Err(_) => too_large(),
    }
}

fn too_large() -> Response {
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "The request body is larger than {} KiB, or broke off.\n",
            super::BODY_LIMIT / 1024
        ),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        let g = Guard::new(
            Some("https://msk.example.com:8443"),
            &["console.internal".into()],
        );
        for ok in [
            "127.0.0.1:3000",
            "10.1.2.3",
            "[::1]:3000",
            "localhost:3000",
            "msk.example.com",
            "MSK.example.com.:8443",
            "console.internal:80",
        ] {
            assert!(g.host_allowed(ok), "{ok}");
        }
        for bad in ["evil.example", "msk.example.com.evil", "", "a b", "x/y"] {
            assert!(!g.host_allowed(bad), "{bad}");
        }
    }
}
