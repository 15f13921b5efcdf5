//! Guards every request passes before it reaches a route.
//!
//! - **Plain paths only** ([`path_problem`]): a path with an encoded dot (`%2e`), an
//!   encoded slash (`%2f`) or backslash (`%5c`), a backslash, a percent-encoded percent
//!   (double encoding), a dot segment (`.`, `..`) or an empty segment (`//`) is refused
//!   with a 400 before anything reads it. No route of the console needs one, and every
//!   layer behind (the login gate, the router, the page renderer's own router, the site
//!   files) may read such a path differently: refusing it at the edge means they all see
//!   the same plain path. The one exception is a percent-encoded ARN as a cluster key
//!   (`/api/clusters/arn%3Aaws%3Akafka%3A…%2Fcluster%2F…`), whose slashes are encoded
//!   inside a segment that starts with `arn%3A`.
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

/// The largest request body accepted (forms, server-function arguments). Larger ones
/// are answered 413 before they are read.
pub const BODY_LIMIT: usize = 256 * 1024;

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

/// Why a request path (as sent, before any decoding) is refused, if it is.
pub fn path_problem(path: &str) -> Option<&'static str> {
    if !path.starts_with('/') {
        return Some("the path must start with /");
    }
    if path.contains('\\') {
        return Some("the path holds a backslash");
    }
    if path == "/" {
        return None;
    }
    let segments: Vec<&str> = path[1..].split('/').collect();
    for (i, segment) in segments.iter().enumerate() {
        // A trailing slash is a typo, not a trick: the router answers it (404).
        if segment.is_empty() && i + 1 == segments.len() {
            continue;
        }
        if segment.is_empty() {
            return Some("the path holds an empty segment (//)");
        }
        if segment.bytes().all(|b| b == b'.') {
            return Some("the path holds a dot segment (. or ..)");
        }
        let lower = segment.to_ascii_lowercase();
        if lower.contains("%2e") {
            return Some("the path holds an encoded dot (%2e)");
        }
        if lower.contains("%5c") {
            return Some("the path holds an encoded backslash (%5c)");
        }
        if lower.contains("%25") {
            return Some("the path holds an encoded percent sign (%25): double encoding");
        }
        if lower.contains("%2f") && !lower.starts_with("arn%3a") {
            return Some("the path holds an encoded slash (%2f)");
        }
    }
    None
}

pub async fn check(State(guard): State<Guard>, req: Request, next: Next) -> Response {
    if let Some(why) = path_problem(req.uri().path()) {
        tracing::warn!(why, "refused a request for an unusual path");
        return AppError::bad_request(format!(
            "This path is refused: {why}. Ask for the page by its plain path."
        ))
        .into_response();
    }
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
    if declared.is_some_and(|n| n > BODY_LIMIT as u64) {
        return too_large();
    }
    let (parts, body) = req.into_parts();
    match axum::body::to_bytes(body, BODY_LIMIT).await {
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
            BODY_LIMIT / 1024
        ),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_read_differently_in_different_layers_are_refused() {
        for ok in [
            "/",
            "/clusters/orders-0123456789",
            "/clusters/orders-0123456789/client.properties",
            "/pkg/msk-console.wasm",
            "/api/clusters/arn%3Aaws%3Akafka%3Aeu-west-1%3A1%3Acluster%2Forders%2Fab-1",
            "/clusters/a.b",
            "/clusters/orders.",
            "/coverage/",
        ] {
            assert_eq!(path_problem(ok), None, "{ok}");
        }
        for bad in [
            "/pkg/%2e%2e/clusters/x",
            "/pkg/%2E%2E/clusters/x",
            "/auth/%2e%2e/history",
            "/pkg/..%2fclusters/x",
            "/pkg/..%2Fhistory",
            "/pkg%5c..%5cclusters/x",
            "/pkg\\..\\clusters",
            "/pkg/%252e%252e/clusters/x",
            "/pkg/../clusters/x",
            "/clusters/x/.",
            "/clusters/x/..",
            "/clusters/x/...",
            "//clusters/x",
            "/clusters//x",
            "/api/clusters/..%2F..%2Fetc",
            "/api/clusters/arn%3Aaws%2F%2e%2e",
            "*",
        ] {
            assert!(path_problem(bad).is_some(), "{bad}");
        }
    }

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
