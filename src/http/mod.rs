//! The HTTP surface: pages (Leptos, server-rendered and hydrated), server functions, the
//! JSON API, `/healthz` and the static site, with the middleware every response passes:
//! request tracing, compression, a time limit and security headers.

pub mod api;
pub mod downloads;
pub mod query;

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use app::service::Console;

use crate::AppState;

/// Scripts are the app's own module plus Leptos's inline hydration bootstrap; wasm needs
/// `wasm-unsafe-eval`. Nothing may frame the console.
const CSP: &str = "default-src 'self'; script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
    frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(app::App);
    // Built once; every page render and server function gets a clone of the handle.
    let console = state.console.clone();
    let provide = move || provide_context(console.clone());
    Router::new()
        .route("/healthz", get(healthz))
        .merge(api::router())
        .merge(downloads::router())
        .leptos_routes_with_context(&state, routes, provide.clone(), {
            let options = state.leptos_options.clone();
            move || app::shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(provide, app::shell))
        .layer(axum::middleware::map_response(server_fn_status))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
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
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            state.config.request_timeout,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
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
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    if let Ok(err) = serde_json::from_slice::<app::error::AppError>(&bytes) {
        parts.status =
            StatusCode::from_u16(err.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    axum::response::Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// Liveness and readiness: 200 when the database answers, 503 when it does not.
async fn healthz(State(console): State<Console>) -> impl IntoResponse {
    let db = console.health().await.is_ok_and(|h| h.database);
    let inv = console.inventory();
    let body = serde_json::json!({
        "status": if db { "ok" } else { "degraded" },
        "database": if db { "ok" } else { "unreachable" },
        "clusters": inv.clusters.len(),
        "refreshes": inv.refresh.generation,
        "version": app::VERSION,
    });
    let code = if db {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, Json(body))
}
