//! Sign-in sessions, kept on the server; and the short-lived cookie of a sign-in in
//! progress.
//!
//! A session cookie carries only a random 256-bit id, sealed (AES-256-GCM, through the
//! `cookie` crate's private jar, with the key in `--session-key-file`); the database
//! keeps the id's SHA-256 with who signed in, their role and the session's expiry
//! ([`crate::store::sessions`]). Every request looks its session up, so signing out or
//! `msk-console sessions revoke USER` ends a session everywhere at once, even for a
//! copy of the cookie taken before.
//!
//! The cookie is `HttpOnly` (no script reads it) and `SameSite=Lax` (no cross-site POST
//! carries it); behind https (`--public-url https://…`) it is `Secure` and named with
//! the `__Host-` prefix, which browsers accept only from a secure origin, for the whole
//! site (`Path=/`) and for this host alone (no `Domain`), so no other site under the
//! same domain can set or shadow it. A second, short-lived cookie carries a sign-in in
//! progress (the OpenID Connect state, nonce and PKCE verifier), sealed the same way.

use std::path::Path;
use std::time::Duration;

use axum::http::{header, HeaderMap, HeaderValue};
use base64::Engine as _;
use cookie::{Cookie, CookieJar, Key, SameSite};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use sha2::{Digest, Sha256};

use app::model::Role;

use crate::clock::{now_unix, rfc3339};
use crate::config::SessionsCommand;
use crate::error::StartError;
use crate::store::{sessions as store, Db, StoreError};

const SESSION_COOKIE: &str = "msk_console_session";
const LOGIN_COOKIE: &str = "msk_console_login";
/// The prefix browsers hold to "secure origin, this host, whole site".
const HOST_PREFIX: &str = "__Host-";

/// A live session: who, and until when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub name: String,
    pub email: Option<String>,
    pub role: Role,
    /// Unix seconds after which the session is over.
    pub expires: i64,
}

/// A sign-in in progress.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PendingLogin {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    /// Where to go after signing in (a path on this console).
    pub next: String,
    pub expires: i64,
}

#[derive(Clone)]
pub struct Sessions {
    key: Key,
    pub ttl: Duration,
    secure: bool,
    pool: Db,
}

/// The stored form of a session id.
fn hash(id: &str) -> String {
    Sha256::digest(id.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Sessions {
    pub fn new(key: Key, ttl: Duration, secure: bool, pool: Db) -> Sessions {
        Sessions {
            key,
            ttl,
            secure,
            pool,
        }
    }

    /// Reads the key file, or creates it with a new random key (readable by the owner
    /// only) if it does not exist.
    pub fn load_key(path: &Path) -> Result<Key, StartError> {
        let bad = |reason: String| {
            StartError::Config(format!("session key file {}: {reason}", path.display()))
        };
        match std::fs::read(path) {
            Ok(bytes) => Key::try_from(bytes.as_slice())
                .map_err(|_| bad(format!("holds {} bytes; it must hold at least 64 random bytes (delete it to have a new one made)", bytes.len()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = Key::generate();
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| bad(e.to_string()))?;
                }
                write_private(path, key.master()).map_err(|e| bad(e.to_string()))?;
                tracing::info!(path = %path.display(), "created a new session key");
                Ok(key)
            }
            Err(e) => Err(bad(e.to_string())),
        }
    }

    /// A cookie's name: with the `__Host-` prefix behind https.
    fn name(&self, base: &str) -> String {
        if self.secure {
            format!("{HOST_PREFIX}{base}")
        } else {
            base.to_string()
        }
    }

    fn read<T: DeserializeOwned>(&self, headers: &HeaderMap, base: &str) -> Option<T> {
        let name = self.name(base);
        let mut jar = CookieJar::new();
        for value in headers.get_all(header::COOKIE) {
            let Ok(value) = value.to_str() else { continue };
            for c in Cookie::split_parse_encoded(value.to_string()).flatten() {
                if c.name() == name {
                    jar.add_original(c.into_owned());
                }
            }
        }
        let c = jar.private(&self.key).get(&name)?;
        serde_json::from_str(c.value()).ok()
    }

    fn cookie(&self, base: &str, value: String, max_age: Duration) -> HeaderValue {
        let name = self.name(base);
        let mut jar = CookieJar::new();
        let mut c = Cookie::new(name.clone(), value);
        c.set_http_only(true);
        c.set_same_site(SameSite::Lax);
        c.set_secure(self.secure);
        c.set_path("/");
        c.set_max_age(cookie::time::Duration::seconds(
            i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX / 2),
        ));
        jar.private_mut(&self.key).add(c);
        let sealed = jar
            .get(&name)
            .map(|c| c.encoded().to_string())
            .unwrap_or_default();
        HeaderValue::from_str(&sealed).unwrap_or_else(|_| HeaderValue::from_static(""))
    }

    fn removal(&self, base: &str) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure}",
            self.name(base)
        ))
        .unwrap_or_else(|_| HeaderValue::from_static(""))
    }

    /// The id a request's session cookie carries, if it carries a sealed one.
    fn id(&self, headers: &HeaderMap) -> Option<String> {
        self.read::<String>(headers, SESSION_COOKIE)
            .filter(|id| !id.is_empty() && id.len() <= 128)
    }

    /// The live session of a request, if any: its cookie's id is stored, not revoked,
    /// not expired.
    pub async fn session(
        &self,
        headers: &HeaderMap,
        now: i64,
    ) -> Result<Option<Session>, StoreError> {
        let Some(id) = self.id(headers) else {
            return Ok(None);
        };
        Ok(store::find(&self.pool, &hash(&id), now)
            .await?
            .map(|r| Session {
                name: r.name,
                email: r.email,
                role: Role::parse(&r.role).unwrap_or(Role::Viewer),
                expires: r.expires_at,
            }))
    }

    /// Starts a session: stores it and returns the `Set-Cookie` value that carries it.
    /// The error says what failed (no randomness, the database), for the log.
    pub async fn start(
        &self,
        name: &str,
        email: Option<&str>,
        role: Role,
        now: i64,
    ) -> Result<(Session, HeaderValue), String> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| format!("no randomness for a session id: {e}"))?;
        let id = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let expires = now.saturating_add(i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX / 2));
        store::insert(
            &self.pool,
            &store::NewSession {
                hash: &hash(&id),
                name,
                email,
                role: role.as_str(),
                created_at: now,
                expires_at: expires,
            },
        )
        .await
        .map_err(|e| format!("storing the session: {e}"))?;
        let session = Session {
            name: name.to_string(),
            email: email.map(str::to_string),
            role,
            expires,
        };
        let cookie = self.cookie(
            SESSION_COOKIE,
            serde_json::to_string(&id).unwrap_or_default(),
            self.ttl,
        );
        Ok((session, cookie))
    }

    /// Ends the request's session on the server (any copy of its cookie stops working)
    /// and returns the `Set-Cookie` value that drops it from the browser.
    pub async fn end(&self, headers: &HeaderMap) -> HeaderValue {
        if let Some(id) = self.id(headers) {
            if let Err(e) = store::revoke(&self.pool, &hash(&id), now_unix()).await {
                tracing::error!(error = %e, "could not end a session in the database");
            }
        }
        self.removal(SESSION_COOKIE)
    }

    pub fn pending(&self, headers: &HeaderMap, now: i64) -> Option<PendingLogin> {
        self.read::<PendingLogin>(headers, LOGIN_COOKIE)
            .filter(|p| p.expires > now)
    }

    pub fn begin_login(&self, login: &PendingLogin) -> HeaderValue {
        self.cookie(
            LOGIN_COOKIE,
            serde_json::to_string(login).unwrap_or_default(),
            Duration::from_secs(600),
        )
    }

    pub fn end_login(&self) -> HeaderValue {
        self.removal(LOGIN_COOKIE)
    }
}

/// Runs one `sessions` subcommand, returning what to print.
pub async fn run(pool: &Db, cmd: &SessionsCommand) -> Result<String, String> {
    let db = |e: StoreError| format!("the database: {e}");
    let now = now_unix();
    match cmd {
        SessionsCommand::List => {
            let rows = store::live(pool, now).await.map_err(db)?;
            let mut out = String::from("user\temail\trole\tsigned in\texpires\n");
            for r in rows {
                out.push_str(&format!(
                    "{}\t{}\t{}\t{}\t{}\n",
                    crate::logging::escape(&r.name),
                    crate::logging::escape(r.email.as_deref().unwrap_or("-")),
                    r.role,
                    rfc3339(r.created_at),
                    rfc3339(r.expires_at),
                ));
            }
            Ok(out)
        }
        SessionsCommand::Revoke { user } => {
            let n = store::revoke_user(pool, user, now).await.map_err(db)?;
            tracing::info!(target: "audit", user = %user, sessions = n, "sessions revoked");
            Ok(format!(
                "revoked {n} live session{} of {}\n",
                if n == 1 { "" } else { "s" },
                crate::logging::escape(user)
            ))
        }
    }
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn sessions(secure: bool) -> (Sessions, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let pool = crate::store::connect(&format!("sqlite://{}/s.db", dir.path().display()))
            .await
            .unwrap();
        (
            Sessions::new(Key::generate(), Duration::from_secs(60), secure, pool),
            dir,
        )
    }

    fn headers(set_cookie: &HeaderValue) -> HeaderMap {
        let pair = set_cookie
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_str(&pair).unwrap());
        h
    }

    #[tokio::test]
    async fn a_session_lives_on_the_server_until_it_expires_or_is_ended() {
        let (s, _dir) = sessions(true).await;
        let (session, set) = s
            .start("alice", Some("alice@example.com"), Role::Operator, 1_000)
            .await
            .unwrap();
        let text = set.to_str().unwrap();
        assert!(
            text.starts_with("__Host-msk_console_session=")
                && text.contains("HttpOnly")
                && text.contains("SameSite=Lax")
                && text.contains("Secure")
                && text.contains("Path=/")
                && !text.contains("Domain"),
            "{text}"
        );
        assert!(
            !text.contains("alice"),
            "the cookie carries an id only: {text}"
        );
        let h = headers(&set);
        assert_eq!(s.session(&h, 1_001).await.unwrap(), Some(session));
        assert_eq!(s.session(&h, 1_060).await.unwrap(), None, "expired");
        // Only the id's hash is stored.
        let stored: Vec<(String,)> = crate::store::with_db!(&s.pool, |p| {
            sqlx::query_as("SELECT hash FROM sessions")
                .fetch_all(p)
                .await
                .unwrap()
        });
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].0.len(), 64);
        // Another key cannot read the cookie; a changed cookie is refused.
        let (other, _d2) = sessions(true).await;
        assert_eq!(other.session(&h, 1_001).await.unwrap(), None);
        let v = h.get(header::COOKIE).unwrap().to_str().unwrap().to_string();
        let mut chars: Vec<char> = v.chars().collect();
        let start = v.find('=').unwrap() + 20;
        let i = (start..chars.len())
            .find(|&i| chars[i].is_ascii_alphabetic() && chars[i - 1] != '%' && chars[i - 2] != '%')
            .unwrap();
        chars[i] = if chars[i] == 'x' { 'y' } else { 'x' };
        let mut tampered = HeaderMap::new();
        tampered.insert(
            header::COOKIE,
            HeaderValue::from_str(&chars.into_iter().collect::<String>()).unwrap(),
        );
        assert_eq!(s.session(&tampered, 1_001).await.unwrap(), None);
        // Without the __Host- prefix the cookie is not read behind https.
        let plain = v.trim_start_matches("__Host-").to_string();
        let mut h2 = HeaderMap::new();
        h2.insert(header::COOKIE, HeaderValue::from_str(&plain).unwrap());
        assert_eq!(s.session(&h2, 1_001).await.unwrap(), None);
    }

    #[tokio::test]
    async fn signing_out_ends_every_copy_of_the_cookie_and_revoke_ends_a_users_sessions() {
        let (s, _dir) = sessions(false).await;
        let now = now_unix();
        let (_, set) = s.start("bob", None, Role::Viewer, now).await.unwrap();
        assert!(set.to_str().unwrap().starts_with("msk_console_session="));
        let copy = headers(&set);
        assert!(s.session(&copy, now).await.unwrap().is_some());
        let removal = s.end(&copy).await;
        assert!(removal.to_str().unwrap().contains("Max-Age=0"));
        assert_eq!(
            s.session(&copy, now).await.unwrap(),
            None,
            "the copy is dead too"
        );
        let (_, a) = s.start("Carol", None, Role::Viewer, now).await.unwrap();
        let (_, b) = s.start("carol", None, Role::Operator, now).await.unwrap();
        let (_, d) = s.start("dana", None, Role::Viewer, now).await.unwrap();
        let list = run(&s.pool, &SessionsCommand::List).await.unwrap();
        assert_eq!(list.lines().count(), 4, "{list}");
        let out = run(
            &s.pool,
            &SessionsCommand::Revoke {
                user: "carol".into(),
            },
        )
        .await
        .unwrap();
        assert_eq!(out, "revoked 2 live sessions of carol\n");
        assert_eq!(s.session(&headers(&a), now).await.unwrap(), None);
        assert_eq!(s.session(&headers(&b), now).await.unwrap(), None);
        assert!(s.session(&headers(&d), now).await.unwrap().is_some());
    }

    #[test]
    fn the_key_file_is_created_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/session.key");
        let a = Sessions::load_key(&path).unwrap();
        let b = Sessions::load_key(&path).unwrap();
        assert_eq!(a.master(), b.master());
        std::fs::write(&path, b"short").unwrap();
        let e = Sessions::load_key(&path).unwrap_err().to_string();
        assert!(e.contains("at least 64"), "{e}");
    }
}
