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
//! a 304 while the file is unchanged). `scripts/build.sh` writes brotli (`.br`) and
//! gzip (`.gz`) copies next to the wasm, JS, CSS and SVG files; a browser that accepts
//! one gets it as it is, so nothing is compressed per request.

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
    let plain = Embedded::get(name)?;
    let accepted = accepted_encodings(headers);
    let (file, encoding) = ["br", "gzip"]
        .into_iter()
        .filter(|e| accepted.contains(e))
        .find_map(|e| {
            let suffix = if e == "br" { "br" } else { "gz" };
            Embedded::get(&format!("{name}.{suffix}")).map(|f| (f, Some(e)))
        })
        .unwrap_or((plain.clone(), None));
    let etag = format!(
        "\"{}{}\"",
        hex(&file.metadata.sha256_hash()[..16]),
        encoding.map(|e| format!("-{e}")).unwrap_or_default()
    );
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
    if let Ok(v) = HeaderValue::from_str(plain.metadata.mimetype()) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Some(e) = encoding {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(e));
    }
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Some(response)
}

/// The content codings the request accepts (`br`, `gzip`), minding `;q=0`.
fn accepted_encodings(headers: &HeaderMap) -> Vec<&'static str> {
    let mut out = Vec::new();
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for part in value.split(',') {
            let mut fields = part.split(';').map(str::trim);
            let coding = fields.next().unwrap_or("").to_ascii_lowercase();
            let refused = fields.any(|f| {
                f.strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            if refused {
                continue;
            }
            match coding.as_str() {
                "br" => out.push("br"),
                "gzip" | "x-gzip" => out.push("gzip"),
                _ => {}
            }
        }
    }
    out
}

/// The names of the site's files (`pkg/msk-console.wasm`, `favicon.svg`, …): those
/// inside the binary, or those under `site_root`. The login gate lets exactly these
/// through without an identity.
pub fn files(site_root: Option<&std::path::Path>) -> Vec<String> {
    match site_root {
        None => Embedded::iter().map(|f| f.into_owned()).collect(),
        Some(root) => {
            let mut out = Vec::new();
            let mut dirs = vec![root.to_path_buf()];
            while let Some(dir) = dirs.pop() {
                let Ok(entries) = std::fs::read_dir(&dir) else {
                    continue;
                };
                for e in entries.flatten() {
                    let path = e.path();
                    match e.file_type() {
                        Ok(t) if t.is_dir() => dirs.push(path),
                        Ok(t) if t.is_file() => {
                            if let Some(name) = path
                                .strip_prefix(root)
                                .ok()
                                .and_then(|p| p.to_str())
                                .filter(|p| !p.contains('\\'))
                            {
                                out.push(name.to_string());
                            }
                        }
                        _ => {}
                    }
                }
            }
            out
        }
    }
}

/// Whether this binary has the site (the app's JS glue) to serve.
pub fn has_embedded_site() -> bool {
    Embedded::get(&format!("pkg/{}.js", app::OUTPUT_NAME)).is_some()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_encodings_mind_q_zero() {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("gzip, deflate, br;q=0"),
        );
        assert_eq!(accepted_encodings(&h), ["gzip"]);
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("br;q=1.0, GZIP;q=0.5"),
        );
        assert_eq!(accepted_encodings(&h), ["br", "gzip"]);
        assert!(accepted_encodings(&HeaderMap::new()).is_empty());
    }
}
