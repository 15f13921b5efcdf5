//! The built site: the wasm, its JS glue, the stylesheet and the static assets that
//! `scripts/build.sh` writes to `target/site`.
//!
//! A release binary carries the site inside it, so deploying the console is copying one
//! file. `--site-root DIR` serves a directory instead (development, or a site built
//! separately). A debug build reads `target/site` of the checkout it was built from at
//! run time (rust-embed's debug mode), so rebuilding the site needs no server rebuild.
//!
//! Files are served with their type, an `ETag` from their SHA-256, and
//! `Cache-Control: no-cache` (the names carry no hash, so browsers revalidate and get
//! a 304 while the file is unchanged).

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

#[derive(rust_embed::RustEmbed)]
#[folder = "target/site"]
#[allow_missing = true]
struct Embedded;

/// The embedded file at `path` (the request path), if there is one.
pub fn embedded(path: &str, headers: &HeaderMap) -> Option<Response> {
    let name = path.trim_start_matches('/');
    if name.is_empty() || name.contains("..") {
        return None;
    }
    let file = Embedded::get(name)?;
    let etag = format!("\"{}\"", hex(&file.metadata.sha256_hash()[..16]));
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        Response::new(Body::from(file.data.into_owned()))
    };
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(file.metadata.mimetype()) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Some(response)
}

/// Whether this binary has the site (the app's JS glue) to serve.
pub fn has_embedded_site() -> bool {
    Embedded::get(&format!("pkg/{}.js", app::OUTPUT_NAME)).is_some()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
