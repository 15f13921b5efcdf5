//! `--auth oidc`: sign in with any OpenID Connect provider, by the authorization code
//! flow with PKCE, `state` and `nonce` (through the `openidconnect` crate).
//!
//! - `GET /auth/login?next=/path`: remembers the sign-in in an encrypted, short-lived
//!   cookie and sends the browser to the provider.
//! - `GET /auth/callback`: checks `state`, exchanges the code (with the PKCE verifier),
//!   verifies the ID token (signature, issuer, audience, expiry, nonce), maps the user's
//!   groups to a role and starts a session.
//! - `POST /auth/logout`: ends the session, on the server too (a copy of the cookie
//!   stops working).
//!
//! The provider's metadata is discovered on first use and kept; if the provider cannot
//! be reached, the sign-in page says so and the next attempt tries again.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine as _;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    TokenResponse,
};
use serde::Deserialize;
use tokio::sync::OnceCell;

use app::model::{Identity, Via};

use super::roles::RoleMap;
use super::session::{PendingLogin, Sessions};
use crate::clock::now_unix;

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The provider's settings and, once discovered, its client.
pub struct Oidc {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    pub redirect: String,
    pub scopes: Vec<String>,
    pub groups_claim: String,
    http: reqwest::Client,
    client: OnceCell<Client>,
}

impl Oidc {
    pub fn new(
        issuer: String,
        client_id: String,
        client_secret: Option<String>,
        public_url: &str,
        scopes: Vec<String>,
        groups_claim: String,
    ) -> Result<Oidc, String> {
        let http = reqwest::Client::builder()
            // Following redirects would let a provider's answer point us anywhere.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| format!("an HTTP client for the provider: {e}"))?;
        Ok(Oidc {
            issuer,
            client_id,
            client_secret,
            redirect: format!("{}/auth/callback", public_url.trim_end_matches('/')),
            scopes,
            groups_claim,
            http,
            client: OnceCell::new(),
        })
    }

    async fn client(&self) -> Result<&Client, String> {
        self.client
            .get_or_try_init(|| async {
                let issuer = IssuerUrl::new(self.issuer.clone()).map_err(|e| e.to_string())?;
                let meta = CoreProviderMetadata::discover_async(issuer, &self.http)
                    .await
                    .map_err(|e| format!("discovery at {} failed: {e}", self.issuer))?;
                let redirect =
                    RedirectUrl::new(self.redirect.clone()).map_err(|e| e.to_string())?;
                Ok(CoreClient::from_provider_metadata(
                    meta,
                    ClientId::new(self.client_id.clone()),
                    self.client_secret.clone().map(ClientSecret::new),
                )
                .set_redirect_uri(redirect))
            })
            .await
    }
}

/// What the sign-in routes need: the provider, where sessions live, the role lists,
/// and the one service (the audit log).
pub struct SignIn {
    pub oidc: Oidc,
    pub sessions: Sessions,
    pub roles: RoleMap,
    pub console: app::service::Console,
}

impl SignIn {
    /// Writes an audit event through the one service.
    async fn audit(&self, who: &Identity, action: &'static str, detail: String) {
        let _ = self.console.service().audit(who, action, detail).await;
    }
}

/// `/auth/login` and `/auth/callback` on a console without `--auth oidc`.
pub async fn not_configured() -> Response {
    failure(
        StatusCode::NOT_FOUND,
        "Sign-in is not configured on this console.",
    )
}

/// `/auth/logout` on a console without sessions: back to the start page.
pub async fn home() -> Response {
    Redirect::to("/").into_response()
}

/// A plain page for a sign-in that did not work; it says why and offers to try again.
fn failure(status: StatusCode, why: &str) -> Response {
    let why = html_escape::encode_text(why);
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign-in failed · msk-console</title>\
         <link rel=\"stylesheet\" href=\"/pkg/msk-console.css\"></head><body><main id=\"main\">\
         <h1>Sign-in failed</h1><p class=\"banner error\">{why}</p>\
         <p><a class=\"button\" href=\"/auth/login\">Try again</a></p></main></body></html>"
    );
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

/// Where to go after signing in: a path on this console, nothing else (no open
/// redirect through `next`).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/auth/")
                && n.len() <= 2048
                && !n.contains('\\')
                && !n.chars().any(char::is_control) =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

pub async fn login(State(auth): State<Arc<SignIn>>, Query(q): Query<LoginQuery>) -> Response {
    let (oidc, sessions) = (&auth.oidc, &auth.sessions);
    let client = match oidc.client().await {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "the OpenID Connect provider could not be reached");
            return failure(
                StatusCode::SERVICE_UNAVAILABLE,
                "The sign-in provider could not be reached. Try again in a moment; the server log has the details.",
            );
        }
    };
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .set_pkce_challenge(challenge);
    for s in oidc
        .scopes
        .iter()
        .filter(|s| !s.is_empty() && *s != "openid")
    {
        request = request.add_scope(Scope::new(s.clone()));
    }
    let (url, state, nonce) = request.url();
    let pending = PendingLogin {
        state: state.secret().clone(),
        nonce: nonce.secret().clone(),
        pkce_verifier: verifier.secret().clone(),
        next: safe_next(q.next.as_deref()),
        expires: now_unix() + 600,
    };
    (
        [(header::SET_COOKIE, sessions.begin_login(&pending))],
        Redirect::to(url.as_str()),
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

pub async fn callback(
    State(auth): State<Arc<SignIn>>,
    headers: HeaderMap,
    Query(q): Query<CallbackQuery>,
) -> Response {
    let (oidc, sessions) = (&auth.oidc, &auth.sessions);
    if let Some(err) = q.error {
        let why = q.error_description.unwrap_or(err);
        return failure(
            StatusCode::UNAUTHORIZED,
            &format!(
                "The provider refused the sign-in: {}",
                why.chars().take(200).collect::<String>()
            ),
        );
    }
    let Some(pending) = sessions.pending(&headers, now_unix()) else {
        return failure(
            StatusCode::BAD_REQUEST,
            "This sign-in was not started here or took longer than ten minutes.",
        );
    };
    if q.state.as_deref() != Some(pending.state.as_str()) {
        return failure(
            StatusCode::BAD_REQUEST,
            "The sign-in answer does not match the sign-in that was started (state).",
        );
    }
    let Some(code) = q.code else {
        return failure(
            StatusCode::BAD_REQUEST,
            "The provider sent no authorization code.",
        );
    };
    match finish(oidc, code, &pending).await {
        Ok((name, email, groups)) => {
            let who = super::roles::Who {
                user: &name,
                email: email.as_deref(),
                groups: &groups,
            };
            let Some(role) = auth.roles.role(&who) else {
                tracing::warn!(target: "audit", user = %name, "sign-in refused: not in --viewers or --operators");
                return failure(
                    StatusCode::FORBIDDEN,
                    &format!("You signed in as {name}, but this console's --viewers list does not include you or your groups."),
                );
            };
            let started = sessions
                .start(&name, email.as_deref(), role, now_unix())
                .await;
            let cookie = match started {
                Ok((_, cookie)) => cookie,
                Err(e) => {
                    tracing::error!(error = %e, "could not start a session");
                    return failure(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "The sign-in worked, but the session could not be stored. Try again; the server log has the details.",
                    );
                }
            };
            let who = Identity {
                name,
                email,
                role,
                via: Via::Session,
            };
            auth.audit(&who, "sign_in", format!("as {role}")).await;
            let mut res = Redirect::to(&pending.next).into_response();
            let h = res.headers_mut();
            h.append(header::SET_COOKIE, cookie);
            h.append(header::SET_COOKIE, sessions.end_login());
            res
        }
        Err(e) => {
            tracing::warn!(error = %e, "an OpenID Connect sign-in failed");
            failure(
                StatusCode::UNAUTHORIZED,
                &format!("The sign-in could not be completed: {e}"),
            )
        }
    }
}

/// Exchanges the code and verifies the ID token; returns the user's name, email and
/// groups.
async fn finish(
    oidc: &Oidc,
    code: String,
    pending: &PendingLogin,
) -> Result<(String, Option<String>, Vec<String>), String> {
    let client = oidc.client().await?;
    let token = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|e| e.to_string())?
        .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
        .request_async(&oidc.http)
        .await
        .map_err(|e| format!("the token request failed: {e}"))?;
    let id_token = token.id_token().ok_or("the provider sent no ID token")?;
    let claims = id_token
        .claims(
            &client.id_token_verifier(),
            &Nonce::new(pending.nonce.clone()),
        )
        .map_err(|e| format!("the ID token is not valid: {e}"))?;
    let email = verified_email(claims.email().map(|e| e.as_str()), claims.email_verified());
    let name = claims
        .preferred_username()
        .map(|u| u.as_str().to_string())
        .or_else(|| email.clone())
        .unwrap_or_else(|| claims.subject().as_str().to_string());
    let groups = groups_claim(&id_token.to_string(), &oidc.groups_claim);
    Ok((name, email, groups))
}

/// The email claim, only when the provider says it verified it (`email_verified`): an
/// unverified address is whatever the user typed when registering, and role lists and
/// the audit log name people by their email.
fn verified_email(email: Option<&str>, verified: Option<bool>) -> Option<String> {
    email.filter(|_| verified == Some(true)).map(str::to_string)
}

/// The groups in a (verified) ID token's payload: a list of strings, or one string.
fn groups_claim(jwt: &str, claim: &str) -> Vec<String> {
    let Some(payload) = jwt.split('.').nth(1) else {
        return vec![];
    };
    let Ok(bytes) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload) else {
        return vec![];
    };
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return vec![];
    };
    match json.get(claim) {
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .filter_map(|g| g.as_str().map(str::to_string))
            .take(200)
            .collect(),
        Some(serde_json::Value::String(s)) => vec![s.clone()],
        _ => vec![],
    }
}

/// Ends the session; the browser lands on a page that says so.
pub async fn logout(State(auth): State<Arc<SignIn>>, headers: HeaderMap) -> Response {
    let sessions = &auth.sessions;
    if let Ok(Some(s)) = sessions.session(&headers, now_unix()).await {
        let who = Identity {
            name: s.name,
            email: s.email,
            role: s.role,
            via: Via::Session,
        };
        auth.audit(&who, "sign_out", String::new()).await;
    }
    (
        [(header::SET_COOKIE, sessions.end(&headers).await)],
        Redirect::to("/auth/signed-out"),
    )
        .into_response()
}

pub async fn signed_out() -> Response {
    let body = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Signed out · msk-console</title>\
         <link rel=\"stylesheet\" href=\"/pkg/msk-console.css\"></head><body><main id=\"main\">\
         <h1>Signed out</h1><p>You have signed out of msk-console.</p>\
         <p><a class=\"button\" id=\"sign-in\" href=\"/auth/login\">Sign in again</a></p></main></body></html>";
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_the_console() {
        assert_eq!(safe_next(Some("/clusters/x?y=1")), "/clusters/x?y=1");
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil",
            "/auth/login",
            "x",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn an_email_counts_only_when_the_provider_verified_it() {
        assert_eq!(
            verified_email(Some("olga@example.com"), Some(true)).as_deref(),
            Some("olga@example.com")
        );
        assert_eq!(verified_email(Some("olga@example.com"), Some(false)), None);
        assert_eq!(verified_email(Some("olga@example.com"), None), None);
        assert_eq!(verified_email(None, Some(true)), None);
    }

    #[test]
    fn groups_come_from_the_named_claim() {
        let enc = |v: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
        let jwt = format!("h.{}.s", enc(r#"{"groups":["a","b"],"team":"ops"}"#));
        assert_eq!(groups_claim(&jwt, "groups"), vec!["a", "b"]);
        assert_eq!(groups_claim(&jwt, "team"), vec!["ops"]);
        assert!(groups_claim(&jwt, "none").is_empty());
        assert!(groups_claim("garbage", "groups").is_empty());
    }
}
