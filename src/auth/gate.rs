//! The one gate in front of every route: it puts the caller's [`Identity`] on each
//! request, or answers for it. See [`crate::auth`] for the rules.

use std::net::SocketAddr;
use std::sync::Arc;

use app::error::AppError;
use app::model::{Identity, Role, Via};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use super::oidc::{safe_next, SignIn};
use super::proxy::ProxyAuth;
use super::roles::{self, RoleMap};
use super::session::Sessions;
use super::settings::AuthSettings;
use super::tokens;
use crate::clock::now_unix;
use crate::config::AuthMode;
use crate::store::{access, Db};

/// The login settings and what they need at run time.
pub struct Auth {
    pub mode: AuthMode,
    pub roles: RoleMap,
    pub sessions: Option<Sessions>,
    /// With `--auth oidc`: what the sign-in routes need.
    pub sign_in: Option<Arc<SignIn>>,
    pub proxy: Option<ProxyAuth>,
    pool: Db,
}

impl Auth {
    /// The gate's state, from checked settings: sessions live in `pool`, sign-ins are
    /// written to the audit log through `console`.
    pub fn new(settings: AuthSettings, pool: Db, console: app::service::Console) -> Auth {
        let sessions = settings
            .sessions
            .map(|s| Sessions::new(s.key, s.ttl, s.secure, pool.clone()));
        let sign_in = match (settings.oidc, &sessions) {
            (Some(oidc), Some(sessions)) => Some(Arc::new(SignIn {
                oidc,
                sessions: sessions.clone(),
                roles: settings.roles.clone(),
                console,
            })),
            _ => None,
        };
        Auth {
            mode: settings.mode,
            roles: settings.roles,
            sessions,
            sign_in,
            proxy: settings.proxy,
            pool,
        }
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
            let next = safe_next(Some(next));
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
