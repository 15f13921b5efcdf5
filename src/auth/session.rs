//! Session cookies: who signed in, until when, encrypted and authenticated with the
//! key in `--session-key-file` (AES-256-GCM, through the `cookie` crate's private jar).
//!
//! The cookie is `HttpOnly` (no script reads it), `SameSite=Lax` (no cross-site POST
//! carries it), `Secure` when the console's public URL is https, and carries its own
//! expiry, which is checked on every request: a stolen old cookie stops working even if
//! the browser kept it. A second, short-lived cookie carries a sign-in in progress (the
//! OpenID Connect state, nonce and PKCE verifier).

use std::path::Path;
use std::time::Duration;

use axum::http::{header, HeaderMap, HeaderValue};
use cookie::{Cookie, CookieJar, Key, SameSite};
use serde::{de::DeserializeOwned, Deserialize, Serialize};

use app::model::Role;

use crate::error::StartError;

pub const SESSION_COOKIE: &str = "msk_console_session";
pub const LOGIN_COOKIE: &str = "msk_console_login";

/// What a session cookie holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
}

impl Sessions {
    pub fn new(key: Key, ttl: Duration, secure: bool) -> Sessions {
        Sessions { key, ttl, secure }
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

    fn read<T: DeserializeOwned>(&self, headers: &HeaderMap, name: &str) -> Option<T> {
        let mut jar = CookieJar::new();
        for value in headers.get_all(header::COOKIE) {
            let Ok(value) = value.to_str() else { continue };
            for c in Cookie::split_parse_encoded(value.to_string()).flatten() {
                if c.name() == name {
                    jar.add_original(c.into_owned());
                }
            }
        }
        let c = jar.private(&self.key).get(name)?;
        serde_json::from_str(c.value()).ok()
    }

    fn cookie(&self, name: &'static str, value: String, max_age: Duration) -> HeaderValue {
        let mut jar = CookieJar::new();
        let mut c = Cookie::new(name, value);
        c.set_http_only(true);
        c.set_same_site(SameSite::Lax);
        c.set_secure(self.secure);
        c.set_path("/");
        c.set_max_age(cookie::time::Duration::seconds(
            i64::try_from(max_age.as_secs()).unwrap_or(i64::MAX / 2),
        ));
        jar.private_mut(&self.key).add(c);
        let sealed = jar
            .get(name)
            .map(|c| c.encoded().to_string())
            .unwrap_or_default();
        HeaderValue::from_str(&sealed).unwrap_or_else(|_| HeaderValue::from_static(""))
    }

    fn removal(&self, name: &'static str) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{name}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure}"
        ))
        .unwrap_or_else(|_| HeaderValue::from_static(""))
    }

    /// The live session in a request's cookies, if any.
    pub fn session(&self, headers: &HeaderMap, now: i64) -> Option<Session> {
        self.read::<Session>(headers, SESSION_COOKIE)
            .filter(|s| s.expires > now)
    }

    /// The `Set-Cookie` value that starts a session.
    pub fn start(&self, session: &Session) -> HeaderValue {
        self.cookie(
            SESSION_COOKIE,
            serde_json::to_string(session).unwrap_or_default(),
            self.ttl,
        )
    }

    /// The `Set-Cookie` value that ends the session.
    pub fn end(&self) -> HeaderValue {
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

    #[test]
    fn a_session_reads_back_until_it_expires_and_not_with_another_key() {
        let s = Sessions::new(Key::generate(), Duration::from_secs(60), true);
        let session = Session {
            name: "alice".into(),
            email: Some("alice@example.com".into()),
            role: Role::Operator,
            expires: 1_000,
        };
        let set = s.start(&session);
        let text = set.to_str().unwrap();
        assert!(
            text.contains("HttpOnly") && text.contains("SameSite=Lax") && text.contains("Secure"),
            "{text}"
        );
        assert!(!text.contains("alice"), "the cookie is encrypted: {text}");
        let h = headers(&set);
        assert_eq!(s.session(&h, 999), Some(session));
        assert_eq!(s.session(&h, 1_000), None, "expired");
        let other = Sessions::new(Key::generate(), Duration::from_secs(60), true);
        assert_eq!(other.session(&h, 0), None, "another key cannot read it");
        // Change one letter in the middle of the sealed value (not inside a %XX escape).
        let v = h.get(header::COOKIE).unwrap().to_str().unwrap().to_string();
        let mut chars: Vec<char> = v.chars().collect();
        let start = v.find('=').unwrap() + 20;
        let i = (start..chars.len())
            .find(|&i| chars[i].is_ascii_alphabetic() && chars[i - 1] != '%' && chars[i - 2] != '%')
            .unwrap();
        chars[i] = if chars[i] == 'x' { 'y' } else { 'x' };
        let v: String = chars.into_iter().collect();
        let mut tampered = HeaderMap::new();
        tampered.insert(header::COOKIE, HeaderValue::from_str(&v).unwrap());
        assert_eq!(s.session(&tampered, 0), None, "a changed cookie is refused");
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
