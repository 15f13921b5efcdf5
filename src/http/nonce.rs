//! A page's CSP nonce, replaced per response: the cached body is cut at every occurrence
//! of its render's nonce, and each response stitches the pieces together with a fresh
//! one (a random 128-bit value, so the replacement cannot touch anything else) without
//! copying the page.

use axum::body::{Body, Bytes};
use base64::Engine;

/// A fresh nonce (empty if the system has no randomness to give).
pub fn fresh_nonce() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        return String::new();
    }
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes)
}

/// The nonce in a policy: what follows `'nonce-` up to the quote.
pub fn nonce_of(policy: &str) -> Option<&str> {
    let start = policy.find("'nonce-")? + "'nonce-".len();
    let len = policy[start..].find('\'')?;
    Some(&policy[start..start + len]).filter(|n| n.len() >= 16)
}

/// `body` cut at every occurrence of `at` (which is left out).
pub fn pieces(body: &Bytes, at: &str) -> Vec<Bytes> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in memchr::memmem::find_iter(body, at.as_bytes()) {
        out.push(body.slice(start..i));
        start = i + at.len();
    }
    out.push(body.slice(start..));
    out
}

/// A response body of `pieces` with `nonce` between them, and its length.
pub fn stitched(pieces: &[Bytes], nonce: &str) -> (Body, usize) {
    let nonce = Bytes::from(nonce.to_string());
    let mut chunks = Vec::with_capacity(pieces.len() * 2);
    for (i, piece) in pieces.iter().enumerate() {
        if i > 0 {
            chunks.push(nonce.clone());
        }
        chunks.push(piece.clone());
    }
    let len = chunks.iter().map(Bytes::len).sum::<usize>();
    let body = Body::from_stream(futures::stream::iter(
        chunks.into_iter().map(Ok::<_, std::convert::Infallible>),
    ));
    (body, len)
}

/// Whether a value could be one of our nonces: only such a value is ever put into a
/// policy header from a request (`If-None-Match`).
pub fn nonce_like(n: &str) -> bool {
    (16..=64).contains(&n.len())
        && n.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+/_-".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nonce_is_found_and_replaced_everywhere() {
        let policy = "default-src 'self'; script-src 'self' 'nonce-AbCdEfGhIjKlMnOpQrStUv' 'wasm-unsafe-eval'";
        assert_eq!(nonce_of(policy), Some("AbCdEfGhIjKlMnOpQrStUv"));
        assert_eq!(nonce_of("script-src 'none'"), None);
        let body = Bytes::from_static(b"<script nonce=\"N1\">a</script><script nonce=\"N1\">b");
        let cut = pieces(&body, "N1");
        assert_eq!(cut.len(), 3);
        assert_eq!(
            cut.join(&b"XYZ"[..]),
            b"<script nonce=\"XYZ\">a</script><script nonce=\"XYZ\">b".to_vec()
        );
        assert_ne!(fresh_nonce(), fresh_nonce());
        assert!(fresh_nonce().len() >= 21);
    }
}
