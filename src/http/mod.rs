//! The HTTP surface: pages (Leptos, server-rendered, with islands), server functions, the
//! JSON API, `/metrics`, `/healthz` and the static site, with the middleware every
//! response passes: request tracing, compression, a time limit and security headers.

pub mod api;
pub mod downloads;
pub mod guard;
pub mod metrics;
pub mod nonce;
pub mod page_cache;
pub mod query;
pub mod serve;
pub mod site;
pub mod state;

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use app::service::Console;

use state::AppState;

pub use guard::BODY_LIMIT;

pub fn router(
    state: AppState,
    auth: std::sync::Arc<crate::auth::Auth>,
    pages: std::sync::Arc<page_cache::PageCache>,
) -> Router {
    let routes = route_list();
    // Built once; every page render and server function gets a clone of the handle.
    let console = state.console.clone();
    let provide = move || provide_context(console.clone());
    let guard = guard::Guard::new(
        state.config.public_url.as_deref(),
        &state.config.allowed_hosts,
    );
    let site_files = site::files(state.config.site_root.as_deref());
    let gate = std::sync::Arc::new(crate::auth::Gate {
        auth: auth.clone(),
        public: crate::auth::PublicPaths::new(site_files.iter().map(String::as_str)),
    });
    let routes = Router::new()
        .route("/healthz", get(healthz))
        .merge(crate::auth::router(&auth).with_state(()))
        .merge(api::router())
        .merge(downloads::router())
        .merge(metrics::router())
        .leptos_routes_with_context(&state, routes, provide.clone(), {
            // axum clones this closure for every request: it holds the state's one `Arc`
            // and clones the options only when a page renders.
            let state = state.clone();
            move || app::shell(state.leptos_options.clone())
        })
        .fallback({
            // The site's files: from the binary, or from --site-root; anything else is
            // the app's own 404 page.
            let leptos = leptos_axum::file_and_error_handler_with_context::<AppState, _>(
                provide,
                app::shell,
            );
            let from_dir = state.config.site_root.is_some();
            move |uri: axum::http::Uri, state: State<AppState>, req: axum::extract::Request| {
                let embedded = (!from_dir)
                    .then(|| site::embedded(uri.path(), req.headers()))
                    .flatten();
                let leptos = leptos.clone();
                async move {
                    match embedded {
                        Some(r) => r,
                        None => leptos(uri, state, req).await,
                    }
                }
            }
        })
        .with_state(state.clone());
    // The middleware wraps the routes as one service rather than route by route, so a
    // page served from the cache never clones a route's handler (axum clones the
    // matched route for every request).
    Router::new()
        .fallback_service(routes)
        .layer(axum::middleware::map_response(server_fn_status))
        // Inside the login check, so the caller is known.
        .layer(axum::middleware::from_fn_with_state(pages, page_cache::serve))
        .layer(axum::middleware::from_fn_with_state(
            gate,
            crate::auth::authenticate,
        ))
        // Pages set their own policy with their nonce; everything else runs no script.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            // The policy is ASCII; were it not, nothing would run rather than anything.
            HeaderValue::from_str(&app::content_security_policy(None))
                .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'")),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(CompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(guard, guard::check))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            state.config.request_timeout,
        ))
        // The span names the path only: query strings can hold passwords (download
        // options) and are never logged.
        .layer(TraceLayer::new_for_http().make_span_with(
            |req: &axum::http::Request<axum::body::Body>| {
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
            },
        ))
}

/// The app's page routes, walked once per process.
///
/// Walking them (`generate_route_list`) renders the app with a *process-wide* flag set
/// that makes every resource polled for the first time meanwhile wait for ever
/// (leptos_server's `SuppressResourceLoad`; leptos issue #4773): a page another console
/// in the same process rendered at that moment never finished. A server builds one
/// router, but tests and benches build many consoles while others serve pages, so the
/// list is made once, before any console serves, and shared.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(app::App)).clone()
}

/// Server functions answer every error with 500; ours carry an [`AppError`] that knows
/// its status (a malformed request is a 400, an unknown cluster a 404), so give the
/// response that status. The browser decodes the error from any 4xx or 5xx alike.
async fn server_fn_status(res: axum::response::Response) -> axum::response::Response {
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !res
            .headers()
            .contains_key(leptos::server_fn::error::SERVER_FN_ERROR_HEADER)
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    // The error is ours and small, but it may quote a piece of the request: read as much
    // as a request may carry.
    let bytes = match axum::body::to_bytes(body, 4 * BODY_LIMIT).await {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "a server function's error answer could not be read");
            return app::error::AppError::internal("unreadable server function error")
                .into_response();
        }
    };
    if let Ok(err) = serde_json::from_slice::<app::error::AppError>(&bytes) {
        parts.status =
            StatusCode::from_u16(err.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    axum::response::Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// Liveness and readiness: 200 when the database answers, 503 when it does not.
///
/// Anyone may ask (a load balancer has no identity), and gets the status alone. A caller
/// with an identity (signed in, a token, or anyone with `--auth none`) also gets the
/// details: `replica` says whether this console leads (`single` on SQLite), its name,
/// the leader's name and how old its view is (`view_age_ms`: how long ago a follower
/// last found it current, it polls every 2 s, or the leader last wrote it).
async fn healthz(
    State(console): State<Console>,
    who: Option<axum::Extension<app::model::Identity>>,
) -> impl IntoResponse {
    let health = console.health().await.ok();
    let db = health.as_ref().is_some_and(|h| h.database);
    let code = if db {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let status = if db { "ok" } else { "degraded" };
    if who.is_none() {
        return (code, Json(serde_json::json!({ "status": status })));
    }
    let inv = console.inventory();
    let replica = health.map(|h| {
        let r = h.replica;
        serde_json::json!({
            "role": r.role,
            "leads": r.role != "follower",
            "name": r.name,
            "leader": r.leader,
            "view_version": r.view_version,
            "view_written_at": r.view_written_at,
            "view_age_ms": r.view_age_ms,
        })
    });
    let body = serde_json::json!({
        "status": status,
        "database": if db { "ok" } else { "unreachable" },
        "clusters": inv.clusters.len(),
        "refreshes": inv.refresh.generation,
        "replica": replica,
        "version": app::VERSION,
    });
    (code, Json(body))
}
