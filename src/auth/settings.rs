//! The login settings, checked when the console starts and before it starts anything:
//! a mode that lacks what it needs (`--auth oidc` without `--oidc-issuer`, `--auth
//! proxy` without `--trusted-proxy`), a client secret file that cannot be read, a session
//! key file that is too short, each stops the console with a one-line reason.

use std::time::Duration;

use cookie::Key;

use super::oidc::Oidc;
use super::proxy::ProxyAuth;
use super::roles::RoleMap;
use super::session::Sessions;
use crate::config::{AuthMode, Config};
use crate::error::StartError;

/// What the login needs, read and checked.
pub struct AuthSettings {
    pub mode: AuthMode,
    pub roles: RoleMap,
    /// With `--auth oidc`: how sessions are sealed and how long they last.
    pub sessions: Option<SessionSettings>,
    pub oidc: Option<Oidc>,
    pub proxy: Option<ProxyAuth>,
}

/// The session key, how long a sign-in lasts, and whether cookies are `Secure`.
pub struct SessionSettings {
    pub key: Key,
    pub ttl: Duration,
    pub secure: bool,
}

/// The mode the configuration asks for; refuses an open console on a reachable address.
pub fn mode(config: &Config) -> Result<AuthMode, StartError> {
    match config.auth {
        Some(m) => Ok(m),
        None if config.listen.ip().is_loopback() => Ok(AuthMode::None),
        None => Err(StartError::Config(format!(
            "listening on {}, which other machines can reach, with no login: give --auth oidc or --auth proxy, or --auth none to let in anyone who can reach it",
            config.listen
        ))),
    }
}

impl AuthSettings {
    /// Checks every login setting and reads what they name (the client secret file, the
    /// session key, made on first start), before the console starts anything.
    pub fn from_config(config: &Config) -> Result<AuthSettings, StartError> {
        let mode = mode(config)?;
        let bad = |m: String| StartError::Config(m);
        let secure = config
            .public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"));
        let sessions = if mode == AuthMode::Oidc {
            Some(SessionSettings {
                key: Sessions::load_key(&config.session_key_file)?,
                ttl: config.session_ttl,
                secure,
            })
        } else {
            None
        };
        let oidc = if mode == AuthMode::Oidc {
            let issuer = config
                .oidc_issuer
                .clone()
                .ok_or_else(|| bad("--auth oidc needs --oidc-issuer".into()))?;
            let client_id = config
                .oidc_client_id
                .clone()
                .filter(|c| !c.trim().is_empty())
                .ok_or_else(|| bad("--auth oidc needs --oidc-client-id".into()))?;
            let public_url = config.public_url.as_deref().ok_or_else(|| {
                bad("--auth oidc needs --public-url (the provider sends the browser back to <public-url>/auth/callback)".into())
            })?;
            let secret = match (&config.oidc_client_secret, &config.oidc_client_secret_file) {
                (Some(s), _) => Some(s.trim().to_string()),
                (None, Some(path)) => Some(
                    std::fs::read_to_string(path)
                        .map_err(|e| {
                            bad(format!("--oidc-client-secret-file {}: {e}", path.display()))
                        })?
                        .trim()
                        .to_string(),
                ),
                (None, None) => None,
            };
            Some(
                Oidc::new(
                    issuer,
                    client_id,
                    secret,
                    public_url,
                    config.oidc_scopes.clone(),
                    config.oidc_groups_claim.clone(),
                )
                .map_err(bad)?,
            )
        } else {
            None
        };
        let proxy = if mode == AuthMode::Proxy {
            if config.trusted_proxy.is_empty() {
                return Err(bad(
                    "--auth proxy needs --trusted-proxy: the addresses whose identity headers are believed".into(),
                ));
            }
            Some(ProxyAuth {
                trusted: config.trusted_proxy.clone(),
                user: config.proxy_user_header.to_ascii_lowercase(),
                email: config.proxy_email_header.to_ascii_lowercase(),
                groups: config.proxy_groups_header.to_ascii_lowercase(),
            })
        } else {
            None
        };
        let roles = RoleMap::new(&config.operators, &config.viewers);
        let bare = roles.unprefixed();
        if mode != AuthMode::None && !bare.is_empty() {
            tracing::warn!(
                "--operators/--viewers entries without a group:, email: or user: prefix match a group, an email or a user name alike: {}",
                bare.join(", ")
            );
        }
        Ok(AuthSettings {
            mode,
            roles,
            sessions,
            oidc,
            proxy,
        })
    }
}
