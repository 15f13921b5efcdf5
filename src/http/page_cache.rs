//! Rendered pages, kept until the inventory changes: the cluster list, a cluster's page
//! and the coverage overview are rendered once per inventory version, caller and URL,
//! and served from memory after that.
//!
//! The inventory changes only when a refresh or a sweep publishes (progress included),
//! so the key is (inventory version, the caller's name and role, the `Host`, path and
//! query), and
//! an entry also expires after [`TTL`] (a cluster page's Downloads preview says when it
//! was generated). History pages read the database and are never cached.
//!
//! At most 512 entries and 32 MiB of pages are kept; past that the cache starts over.
//!
//! When the inventory moves, the first request for a page renders it again; requests for
//! the same page that arrive while that render runs get the page as it was (if it is
//! younger than [`TTL`]) instead of rendering it too. A refresh under load then costs one
//! render per page, not one per waiting connection, and no request ever waits for
//! another's render. A render that takes longer than [`RENDER_GRACE`] no longer holds the
//! others back: they render for themselves.
//!
//! Each response still gets its own CSP nonce: the cached body and policy carry the
//! nonce of the render, which is replaced by a fresh one ([`super::nonce`]). The `ETag` is the page's digest and the
//! nonce of that response. A request whose `If-None-Match` names the page gets a 304 with
//! the policy of the nonce it names, so the browser's copy and its policy agree (a 304
//! with another nonce's policy would block the copy's scripts).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::model::Identity;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::nonce::{fresh_nonce, nonce_like, nonce_of, pieces, stitched};
use crate::live::Live;

/// How long an entry may be served without a new render.
pub const TTL: Duration = Duration::from_secs(30);
/// The most entries kept; when full, the cache starts over.
const MAX_ENTRIES: usize = 512;
/// The most page bytes kept (distinct query strings cannot grow it without bound).
const MAX_BYTES: usize = 32 * 1024 * 1024;
/// The largest page kept.
const MAX_BODY: usize = 4 * 1024 * 1024;
/// How long other requests get the previous page while one renders the new one.
pub const RENDER_GRACE: Duration = Duration::from_secs(2);
/// A render still running after this is abandoned and started again (pages render in
/// milliseconds).
pub const RENDER_DEADLINE: Duration = Duration::from_secs(5);

/// Awaits `first`; if it has not finished after `deadline`, drops it and awaits what
/// `second` makes.
async fn second_chance<T, F, G>(deadline: Duration, first: F, second: impl FnOnce() -> G) -> T
where
    F: std::future::Future<Output = T>,
    G: std::future::Future<Output = T>,
{
    match tokio::time::timeout(deadline, first).await {
        Ok(done) => done,
        Err(_) => second().await,
    }
}

/// A copy of a GET request (cached pages are GETs, so there is no body to copy).
fn copy_of_get(req: &Request) -> Request {
    let mut copy = Request::new(Body::empty());
    *copy.method_mut() = req.method().clone();
    *copy.uri_mut() = req.uri().clone();
    *copy.version_mut() = req.version();
    *copy.headers_mut() = req.headers().clone();
    *copy.extensions_mut() = req.extensions().clone();
    copy
}

/// What a rendered page depends on besides the inventory: who asks, the URL, and the
/// `Host` it was asked under (without `--public-url`, a page's download lines and
/// http_sd URLs name that host, so a page rendered for one host is never served to a
/// request for another).
#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    caller: String,
    host: String,
    uri: String,
}

/// One page: its last render, and whether a request renders it now.
#[derive(Default)]
struct Slot {
    entry: Option<Arc<Entry>>,
    rendering: Option<Instant>,
}

/// What a request does with a page.
enum Plan {
    /// Serve this copy.
    Serve(Arc<Entry>),
    /// Render it (and keep it); the slot says so until the render ends.
    Render,
}

impl Slot {
    /// Serves a current copy; or, while another request renders the page, the last copy
    /// if it is younger than [`TTL`]; else this request renders.
    fn plan(&mut self, version: u64, now: Instant) -> Plan {
        if let Some(e) = &self.entry {
            let young = now.duration_since(e.at) < TTL;
            let other_renders = self
                .rendering
                .is_some_and(|since| now.duration_since(since) < RENDER_GRACE);
            if young && (e.version == version || other_renders) {
                return Plan::Serve(e.clone());
            }
        }
        self.rendering = Some(now);
        Plan::Render
    }
}

struct Entry {
    /// The inventory version it was rendered under.
    version: u64,
    /// The body cut at every occurrence of the nonce: a response is these pieces with a
    /// fresh nonce between them, sent without copying the page.
    pieces: Vec<Bytes>,
    content_type: HeaderValue,
    /// The policy with the render's nonce.
    policy: String,
    nonce: String,
    /// The start of the page's ETag, `"p-` and the page's digest (see [`Entry::etag`]).
    tag: String,
    at: Instant,
    /// The page's size in bytes.
    size: usize,
}

impl Entry {
    /// The ETag of this page as sent with `nonce`. It names the nonce, so a browser's
    /// `If-None-Match` says which nonce its copy carries, and a 304 can carry the policy
    /// of that copy: the browser keeps the policy of a 304, and a policy with another
    /// nonce would block the copy's scripts.
    fn etag(&self, nonce: &str) -> String {
        format!("{}.{nonce}\"", self.tag)
    }

    /// The nonce of the browser's copy, when `If-None-Match` names this page. Only a
    /// nonce's characters are accepted, so nothing else reaches the policy header.
    fn held_nonce<'a>(&self, if_none_match: Option<&'a str>) -> Option<&'a str> {
        if self.tag.is_empty() {
            return None;
        }
        if_none_match?.split(',').find_map(|t| {
            let n = t
                .trim()
                .strip_prefix(self.tag.as_str())?
                .strip_prefix('.')?
                .strip_suffix('"')?;
            nonce_like(n).then_some(n)
        })
    }
}

pub struct PageCache {
    live: Arc<Live>,
    slots: Mutex<HashMap<Key, Slot>>,
}

/// Clears a slot's "rendering" mark when the render ends, however it ends (an error, or
/// the client going away and the request being dropped).
struct Rendering<'a> {
    cache: &'a PageCache,
    key: &'a Key,
}

impl Drop for Rendering<'_> {
    fn drop(&mut self) {
        let mut slots = self.cache.lock();
        if let Some(slot) = slots.get_mut(self.key) {
            slot.rendering = None;
            // A page that was never kept (an error page, a 404) leaves nothing behind.
            if slot.entry.is_none() {
                slots.remove(self.key);
            }
        }
    }
}

impl PageCache {
    pub fn new(live: Arc<Live>) -> Arc<PageCache> {
        Arc::new(PageCache {
            live,
            slots: Mutex::new(HashMap::new()),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Slot>> {
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn plan(&self, key: &Key, version: u64) -> Plan {
        let now = Instant::now();
        let mut slots = self.lock();
        // A hit looks the key up without copying it.
        if let Some(slot) = slots.get_mut(key) {
            return slot.plan(version, now);
        }
        slots.entry(key.clone()).or_default().plan(version, now)
    }

    /// Keeps a render, within the cache's bounds.
    fn keep(&self, key: &Key, entry: Arc<Entry>) {
        let mut slots = self.lock();
        let held: usize = slots
            .values()
            .filter_map(|s| s.entry.as_ref())
            .map(|e| e.size)
            .sum();
        if slots.len() >= MAX_ENTRIES || held + entry.size > MAX_BYTES {
            // Renders in flight keep their mark; every copy goes.
            slots.retain(|_, s| s.rendering.is_some());
            for s in slots.values_mut() {
                s.entry = None;
            }
        }
        slots.entry(key.clone()).or_default().entry = Some(entry);
    }
}

/// Whether a path is one of the cached pages: `/`, `/coverage`, `/clusters/{id}`.
fn cacheable(path: &str, query: Option<&str>) -> bool {
    // A past state (`?at=`) reads the database.
    if query.is_some_and(|q| q.split('&').any(|p| p.starts_with("at="))) {
        return false;
    }
    match path {
        "/" | "/coverage" => true,
        p => p
            .strip_prefix("/clusters/")
            .is_some_and(|id| !id.is_empty() && !id.contains('/')),
    }
}

fn respond(e: &Entry, if_none_match: Option<&str>) -> Response {
    let mut length = None;
    let (status, body, nonce) = if let Some(held) = e.held_nonce(if_none_match) {
        (StatusCode::NOT_MODIFIED, Body::empty(), held.to_string())
    } else {
        let nonce = fresh_nonce();
        if nonce.is_empty() {
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
        let (body, len) = stitched(&e.pieces, &nonce);
        length = Some(len);
        (StatusCode::OK, body, nonce)
    };
    let policy = e.policy.replace(&e.nonce, &nonce);
    let mut r = Response::new(body);
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, e.content_type.clone());
    if let Some(n) = length {
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(n));
    }
    // The policy's bytes become the header's without a copy (they are still checked).
    if let Ok(v) = HeaderValue::from_maybe_shared(Bytes::from(policy)) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    if let Ok(v) = HeaderValue::from_str(&e.etag(&nonce)) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}

/// The middleware: serves a cached page, or renders it and keeps it.
pub async fn serve(State(cache): State<Arc<PageCache>>, req: Request, next: Next) -> Response {
    if req.method() != Method::GET || !cacheable(req.uri().path(), req.uri().query()) {
        return next.run(req).await;
    }
    let caller = req
        .extensions()
        .get::<Identity>()
        .map(|i| format!("{}\u{0}{:?}", i.name, i.role))
        .unwrap_or_default();
    let host = req
        .headers()
        .get(header::HOST)
        .map(|h| String::from_utf8_lossy(h.as_bytes()).to_ascii_lowercase())
        .unwrap_or_default();
    let key = Key {
        caller,
        host,
        uri: req.uri().to_string(),
    };
    let version = cache.live.version();
    let if_none_match = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if let Plan::Serve(e) = cache.plan(&key, version) {
        cache.live.telemetry().page_cache(true);
        return respond(&e, if_none_match.as_deref());
    }
    cache.live.telemetry().page_cache(false);
    let _rendering = Rendering {
        cache: &cache,
        key: &key,
    };
    // A render stuck in Leptos would hold its client until the request timeout: after
    // RENDER_DEADLINE it is dropped and the page rendered once more. (The stall seen in
    // test processes was leptos issue #4773, a process-wide flag set while another
    // console walked its routes; `http::route_list` walks them once per process now.
    // This stays for whatever else could stall a render.)
    let again = copy_of_get(&req);
    let response = second_chance(RENDER_DEADLINE, next.clone().run(req), || {
        // The path only: a query string can hold a download's passwords.
        tracing::warn!(path = %again.uri().path(), "a page render did not finish in time; rendering it again");
        next.run(again)
    })
    .await;
    let policy = response
        .headers()
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let content_type = response.headers().get(header::CONTENT_TYPE).cloned();
    let (Some(policy), Some(content_type)) = (policy, content_type) else {
        return response;
    };
    let Some(nonce) = nonce_of(&policy).map(str::to_string) else {
        return response;
    };
    if response.status() != StatusCode::OK
        || !content_type.as_bytes().starts_with(b"text/html")
        || response.headers().contains_key(header::SET_COOKIE)
    {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    // The page's part of the ETag does not depend on the nonce.
    let pieces = pieces(&bytes, &nonce);
    let mut hasher = Sha256::new();
    for p in &pieces {
        hasher.update(p);
    }
    let digest = hasher.finalize();
    let tag = format!("\"p-{}", hex16(&digest));
    let entry = Arc::new(Entry {
        version,
        pieces,
        content_type,
        policy,
        nonce,
        tag,
        at: Instant::now(),
        size: bytes.len(),
    });
    cache.keep(&key, entry.clone());
    if entry.held_nonce(if_none_match.as_deref()).is_some() {
        return respond(&entry, if_none_match.as_deref());
    }
    let mut response = Response::from_parts(parts, Body::from(bytes));
    if let Ok(v) = HeaderValue::from_str(&entry.etag(&entry.nonce)) {
        response.headers_mut().insert(header::ETAG, v);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

fn hex16(d: &[u8]) -> String {
    d.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_304_names_the_nonce_of_the_browsers_copy() {
        let mut e = Arc::into_inner(entry(1, Instant::now())).expect("one owner");
        e.tag = "\"p-00ff".to_string();
        let nonce = "AbCdEfGhIjKlMnOpQrStUv";
        let tag = e.etag(nonce);
        assert_eq!(tag, format!("\"p-00ff.{nonce}\""));
        assert_eq!(e.held_nonce(Some(&tag)), Some(nonce));
        assert_eq!(e.held_nonce(Some(&format!("W/\"x\", {tag}"))), Some(nonce));
        // Another page, no nonce, or something that is not a nonce: no 304.
        assert_eq!(e.held_nonce(Some(&format!("\"p-00fe.{nonce}\""))), None);
        assert_eq!(e.held_nonce(Some("\"p-00ff\"")), None);
        assert_eq!(
            e.held_nonce(Some("\"p-00ff.a'; script-src *; x-abcdefgh\"")),
            None
        );
        assert_eq!(e.held_nonce(Some("\"p-00ff.short\"")), None);
        assert_eq!(e.held_nonce(None), None);
    }

    #[test]
    fn only_the_live_pages_are_cached() {
        assert!(cacheable("/", None));
        assert!(cacheable("/coverage", Some("source=prod")));
        assert!(cacheable("/clusters/orders-1234", None));
        assert!(!cacheable("/clusters/orders-1234", Some("at=7")));
        assert!(!cacheable("/clusters/orders-1234/history", None));
        assert!(!cacheable("/history", None));
        assert!(!cacheable("/clusters/", None));
    }

    fn entry(version: u64, at: Instant) -> Arc<Entry> {
        Arc::new(Entry {
            version,
            pieces: vec![Bytes::from_static(b"page")],
            content_type: HeaderValue::from_static("text/html"),
            policy: String::new(),
            nonce: String::new(),
            tag: String::new(),
            at,
            size: 4,
        })
    }

    #[test]
    fn one_request_renders_while_the_others_get_the_last_copy() {
        let now = Instant::now();
        let serves = |p: Plan, version: u64| matches!(p, Plan::Serve(e) if e.version == version);
        // Nothing kept: render, and say so.
        let mut slot = Slot::default();
        assert!(matches!(slot.plan(1, now), Plan::Render));
        assert_eq!(slot.rendering, Some(now));
        // A copy of this version: served.
        slot = Slot {
            entry: Some(entry(1, now)),
            rendering: None,
        };
        assert!(serves(slot.plan(1, now), 1));
        // The inventory moved: the first request renders...
        assert!(matches!(slot.plan(2, now), Plan::Render));
        // ...and the others get the last copy meanwhile.
        let soon = now + Duration::from_millis(50);
        assert!(serves(slot.plan(2, soon), 1));
        // A render that takes too long holds nobody back.
        let late = now + RENDER_GRACE + Duration::from_millis(1);
        assert!(matches!(slot.plan(2, late), Plan::Render));
        // A copy older than the TTL is not served, even while another renders.
        slot = Slot {
            entry: Some(entry(1, now)),
            rendering: Some(now + TTL),
        };
        assert!(matches!(slot.plan(2, now + TTL), Plan::Render));
        // Nor is an old copy of the current version.
        slot = Slot {
            entry: Some(entry(2, now)),
            rendering: None,
        };
        assert!(matches!(slot.plan(2, now + TTL), Plan::Render));
    }

    #[tokio::test]
    async fn a_render_that_does_not_finish_gets_a_second_chance() {
        let short = Duration::from_millis(20);
        let stuck = std::future::pending::<u32>();
        assert_eq!(second_chance(short, stuck, || async { 7 }).await, 7);
        let fine = async { 1 };
        let second = || async { panic!("a finished render is not repeated") };
        assert_eq!(second_chance(short, fine, second).await, 1);
        let req = Request::builder()
            .uri("/?q=x")
            .header("host", "console")
            .extension(Identity::open())
            .body(Body::empty())
            .unwrap();
        let copy = copy_of_get(&req);
        assert_eq!(copy.uri(), "/?q=x");
        assert_eq!(copy.headers()["host"], "console");
        assert!(copy.extensions().get::<Identity>().is_some());
    }
}
