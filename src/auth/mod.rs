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
//! One concept per file: [`settings`] (the flags, checked at start), [`gate`] (the
//! middleware and the exact public list), [`session`] (sessions kept on the server),
//! [`oidc`] (the sign-in flow), [`proxy`] (trusted identity headers), [`tokens`] (bearer
//! tokens), [`roles`].
//!
//! [`Identity`]: app::model::Identity

pub mod gate;
pub mod oidc;
pub mod proxy;
pub mod roles;
pub mod session;
pub mod settings;
pub mod tokens;

use axum::routing::{get, post};
use axum::Router;

pub use gate::{authenticate, Auth, Gate, PublicPaths, PUBLIC_ROUTES};
pub use roles::RoleMap;
pub use settings::{mode, AuthSettings};

/// The sign-in routes (`/auth/…`): the OpenID Connect flow with `--auth oidc`; in other
/// modes pages that say sign-in is not configured here.
pub fn router(auth: &Auth) -> Router {
    match &auth.sign_in {
        Some(sign_in) => Router::new()
            .route("/auth/login", get(oidc::login))
            .route("/auth/callback", get(oidc::callback))
            .route("/auth/logout", post(oidc::logout))
            .route("/auth/signed-out", get(oidc::signed_out))
            .with_state(sign_in.clone()),
        None => Router::new()
            .route("/auth/login", get(oidc::not_configured))
            .route("/auth/callback", get(oidc::not_configured))
            .route("/auth/logout", post(oidc::home))
            .route("/auth/signed-out", get(oidc::signed_out)),
    }
}
