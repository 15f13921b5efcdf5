//! Who may use the console: `--auth none | oidc | proxy`, bearer tokens, and roles.
//!
//! Every request passes [`authenticate`], which puts the caller's [`Identity`] on it (as
//! an extension the server functions and handlers read) or answers for it:
//! - a page (a browser asking for HTML) without a sign-in is sent to `/auth/login`
//!   (oidc) or told to come through the proxy (proxy);
//! - anything else without a valid identity gets a 401 with `WWW-Authenticate: Bearer`;
//! - a user who signed in but is in neither `--viewers` nor `--operators` gets a 403.
//!
//! Bearer tokens (`Authorization: Bearer mskc_…`) work in every mode but `none`, for
//! scripts and Prometheus. What a role may do is decided in the one service
//! ([`app::service::Console`]), not here, so every door applies the same rule.
//!
//! One concept per file: [`session`] (encrypted cookies), [`oidc`] (the sign-in flow),
//! [`proxy`] (trusted identity headers), [`tokens`] (bearer tokens), [`roles`].

pub mod oidc;
pub mod proxy;
pub mod roles;
pub mod session;
pub mod tokens;

use std::net::SocketAddr;
use std::sync::Arc;

use crate::store::Db;
use app::error::AppError;
use app::model::{Identity, Role, Via};
use app::service::Console;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::clock::now_unix;
use crate::config::{AuthMode, Config};
use crate::error::StartError;
use crate::store::access;

pub use roles::RoleMap;

/// The login settings and what they need at run time.
pub struct Auth {
    pub mode: AuthMode,
    pub roles: RoleMap,
    pub sessions: Option<session::Sessions>,
    pub oidc: Option<oidc::Oidc>,
    pub proxy: Option<proxy::ProxyAuth>,
    pool: Db,
    console: Console,
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

impl Auth {
    pub fn from_config(config: &Config, pool: Db, console: Console) -> Result<Auth, StartError> {
        let mode = mode(config)?;
        let bad = |m: String| StartError::Config(m);
        let secure = config
            .public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"));
        let sessions = if mode == AuthMode::Oidc {
            Some(session::Sessions::new(
                session::Sessions::load_key(&config.session_key_file)?,
                config.session_ttl,
                secure,
                pool.clone(),
            ))
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
                oidc::Oidc::new(
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
            Some(proxy::ProxyAuth {
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
        Ok(Auth {
            mode,
            roles,
            sessions,
            oidc,
            proxy,
            pool,
            console,
        })
    }

    /// Writes an audit event through the one service.
    pub async fn audit(&self, who: &Identity, action: &'static str, detail: String) {
        let _ = self.console.service().audit(who, action, detail).await;
    }

    /// The caller of `req`: `Ok(None)` when it brings no identity at all.
    async fn identify(
        &self,
        headers: &axum::http::HeaderMap,
        peer: Option<SocketAddr>,
    ) -> Result<Option<Identity>, AppError> {
        if let Some(value) = headers.get(header::AUTHORIZATION) {
            return self.bearer(value).await.map(Some);
        }
        let now = now_unix();
        let session = match &self.sessions {
            Some(s) => s.session(headers, now).await.map_err(AppError::from)?,
            None => None,
        };
        if let Some(s) = session {
            return Ok(Some(Identity {
                name: s.name,
                email: s.email,
                role: s.role,
                via: Via::Session,
            }));
        }
        if let Some(proxy) = &self.proxy {
            let named = proxy.user(headers, peer).map_err(|e| {
                tracing::warn!(reason = %e, "refused a request with a repeated identity header");
                AppError::BadRequest(e)
            })?;
            if let Some(u) = named {
                let who = roles::Who {
                    user: &u.user,
                    email: u.email.as_deref(),
                    groups: &u.groups,
                };
                let Some(role) = self.roles.role(&who) else {
                    return Err(AppError::Forbidden(format!(
                        "{} may not use this console: neither --viewers nor --operators names this user or a group of theirs.",
                        u.user
                    )));
                };
                return Ok(Some(Identity {
                    name: u.user,
                    email: u.email,
                    role,
                    via: Via::Proxy,
                }));
            }
        }
        Ok(None)
    }

    async fn bearer(&self, value: &HeaderValue) -> Result<Identity, AppError> {
        let invalid = || {
            AppError::Unauthorized(
                "The bearer token is not valid: it is unknown, revoked or expired.".into(),
            )
        };
        let token = value
            .to_str()
            .ok()
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| t.starts_with(tokens::PREFIX) && t.len() <= 128)
            .ok_or_else(invalid)?;
        let row = access::find_token(&self.pool, &tokens::hash(token), now_unix())
            .await
            .map_err(AppError::from)?
            .ok_or_else(invalid)?;
        Ok(Identity {
            name: row.name,
            email: None,
            role: Role::parse(&row.role).unwrap_or(Role::Viewer),
            via: Via::Token,
        })
    }

    /// The answer to a request that brings no identity.
    fn challenge(&self, req: &Request) -> Response {
        let wants_page = req.method() == Method::GET
            && req
                .headers()
                .get(header::ACCEPT)
                .and_then(|a| a.to_str().ok())
                .is_some_and(|a| a.contains("text/html"))
            && !req.uri().path().starts_with("/api/");
        if wants_page && self.mode == AuthMode::Oidc {
            let next = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            let next = oidc::safe_next(Some(next));
            let to = format!("/auth/login?next={}", url_escape(&next));
            return Redirect::to(&to).into_response();
        }
        let msg = match self.mode {
            AuthMode::Oidc => {
                "Sign in first (open the console in a browser), or send a bearer token."
            }
            _ => "Come in through the console's authenticating proxy, or send a bearer token.",
        };
        let mut res = AppError::Unauthorized(msg.into()).into_response();
        res.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"msk-console\""),
        );
        res
    }
}

fn url_escape(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|e| e.trim_start_matches('=').to_string())
        .unwrap_or_default()
}

/// The exact paths anyone may fetch without an identity: liveness, the sign-in routes
/// and the built site's files by their exact names (the wasm, its JS glue, the
/// stylesheet, the icon: they hold no data). Everything else needs an identity; there
/// is no prefix rule, so no path can be made to look public.
#[derive(Clone, Debug, Default)]
pub struct PublicPaths(std::collections::HashSet<String>);

/// The sign-in routes and `/healthz` (which answers liveness only, without an identity).
pub const PUBLIC_ROUTES: [&str; 5] = [
    "/healthz",
    "/auth/login",
    "/auth/callback",
    "/auth/logout",
    "/auth/signed-out",
];

impl PublicPaths {
    /// The public routes and the site's files (`pkg/msk-console.wasm`, `favicon.svg`…).
    pub fn new<'a>(site_files: impl IntoIterator<Item = &'a str>) -> PublicPaths {
        let mut set: std::collections::HashSet<String> =
            PUBLIC_ROUTES.iter().map(|p| p.to_string()).collect();
        set.extend(
            site_files
                .into_iter()
                .map(|f| format!("/{}", f.trim_start_matches('/'))),
        );
        PublicPaths(set)
    }

    pub fn contains(&self, path: &str) -> bool {
        self.0.contains(path)
    }
}

/// The gate every request passes: the login settings and the public paths.
pub struct Gate {
    pub auth: Arc<Auth>,
    pub public: PublicPaths,
}

/// Puts the caller's identity on the request, or answers for it: a path on the exact
/// public list passes without one (with the identity, if the request brings a valid
/// one); any other request without an identity is a 401, or for a browser asking for a
/// page the way to sign in.
pub async fn authenticate(State(gate): State<Arc<Gate>>, mut req: Request, next: Next) -> Response {
    let auth = &gate.auth;
    if auth.mode == AuthMode::None {
        req.extensions_mut().insert(Identity::open());
        return next.run(req).await;
    }
    let public = gate.public.contains(req.uri().path());
    // The site's files and the sign-in routes do not need to know who asks; `/healthz`
    // tells a caller with an identity more.
    if public && req.uri().path() != "/healthz" {
        return next.run(req).await;
    }
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let identified = auth.identify(req.headers(), peer).await;
    match identified {
        Ok(Some(who)) => {
            req.extensions_mut().insert(who);
            next.run(req).await
        }
        // Public paths need no identity, and a bad one does not stop them (a sign-in
        // page must still open for someone whose session ended).
        _ if public => next.run(req).await,
        Ok(None) => auth.challenge(&req),
        Err(e) => {
            let unauthorized = e.status_code() == StatusCode::UNAUTHORIZED.as_u16();
            let mut res = e.into_response();
            if unauthorized {
                res.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static(
                        "Bearer realm=\"msk-console\", error=\"invalid_token\"",
                    ),
                );
            }
            res
        }
    }
}

/// The sign-in routes (`/auth/…`).
pub fn router(auth: Arc<Auth>) -> Router {
    Router::new()
        .route("/auth/login", get(oidc::login))
        .route("/auth/callback", get(oidc::callback))
        .route("/auth/logout", post(oidc::logout))
        .route("/auth/signed-out", get(oidc::signed_out))
        .with_state(auth)
}
