//! Downloads, for browsers and for `curl -OJ`: every response is an attachment with a
//! safe file name (`Content-Disposition`), the right `Content-Type`, and `no-store`.
//!
//! Per cluster (`{id}` from the cluster list):
//! - `GET /clusters/{id}/client.properties?mode=MODE[&options]` (Java)
//! - `GET /clusters/{id}/librdkafka.properties?mode=MODE[&options]`
//! - `GET /clusters/{id}/truststore.p12[?password=…]`
//! - `GET /clusters/{id}/targets.json`
//! - `GET /clusters/{id}/prometheus.yml[?sd=file|http]`
//! - `GET /clusters/{id}/history.json`: everything the history recorded about the cluster
//!
//! Each per-cluster file also takes `at=SNAPSHOT`: the file as it would have been
//! generated from the cluster's state recorded at that snapshot.
//!
//! For many clusters, with the cluster list's filters (`q`, `source`, `region`):
//! - `GET /targets.json`, `GET /prometheus.yml[?sd=file|http]`
//! - `GET /sd/targets`: the live Prometheus http_sd endpoint (also takes `cluster=ID`).
//!
//! Unknown query parameters, unknown modes and options that would break a file are 400s
//! with a message; an unknown cluster is a 404.

use app::error::AppError;
use app::generate::client::{ClientOptions, DEFAULT_TRUSTSTORE_PASSWORD};
use app::generate::prometheus::{
    prometheus_yml, target_groups, targets_json, Discovery, TargetGroup,
};
use app::generate::{render_cluster_file, safe_file_name, FileKind, Rendered};
use app::model::{Cluster, Inventory};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/clusters/{id}/client.properties",
            file_route(FileKind::ClientProperties),
        )
        .route(
            "/clusters/{id}/librdkafka.properties",
            file_route(FileKind::Librdkafka),
        )
        .route("/clusters/{id}/truststore.p12", get(truststore))
        .route("/clusters/{id}/history.json", get(history_export))
        .route(
            "/clusters/{id}/targets.json",
            file_route(FileKind::TargetsJson),
        )
        .route(
            "/clusters/{id}/prometheus.yml",
            file_route(FileKind::PrometheusFileSd),
        )
        .route("/targets.json", get(all_targets))
        .route("/prometheus.yml", get(all_prometheus))
        .route("/sd/targets", get(http_sd))
}

/// The route of one of a cluster's text files.
fn file_route(kind: FileKind) -> axum::routing::MethodRouter<AppState> {
    get(
        move |State(s): State<AppState>, h: HeaderMap, Path(id): Path<String>, q: Q| {
            cluster_file(s, h, id, q, kind)
        },
    )
}

/// Every query parameter a download takes; unknown ones are refused, so a typo such as
/// `?mdoe=tls` is a 400 that says so rather than a file with the wrong settings.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DownloadQuery {
    pub mode: Option<String>,
    pub truststore: Option<String>,
    pub truststore_location: Option<String>,
    pub truststore_password: Option<String>,
    pub scram_username: Option<String>,
    pub aws_profile: Option<String>,
    pub aws_role_arn: Option<String>,
    pub aws_role_session_name: Option<String>,
    pub aws_sts_region: Option<String>,
    pub ca_location: Option<String>,
    /// truststore.p12
    pub password: Option<String>,
    /// prometheus.yml: `file` (default) or `http`.
    pub sd: Option<String>,
    /// Filters over many clusters.
    pub q: Option<String>,
    pub source: Option<String>,
    pub region: Option<String>,
    pub cluster: Option<String>,
    /// A snapshot id: the file from the cluster's state recorded then.
    pub at: Option<String>,
}

impl DownloadQuery {
    fn options(&self) -> ClientOptions {
        ClientOptions {
            truststore: self.truststore.clone(),
            truststore_location: self.truststore_location.clone(),
            truststore_password: self.truststore_password.clone(),
            scram_username: self.scram_username.clone(),
            aws_profile: self.aws_profile.clone(),
            aws_role_arn: self.aws_role_arn.clone(),
            aws_role_session_name: self.aws_role_session_name.clone(),
            aws_sts_region: self.aws_sts_region.clone(),
            ca_location: self.ca_location.clone(),
        }
    }

    fn prometheus_kind(&self) -> Result<FileKind, AppError> {
        match self.sd.as_deref().map(str::trim) {
            None | Some("") | Some("file") => Ok(FileKind::PrometheusFileSd),
            Some("http") => Ok(FileKind::PrometheusHttpSd),
            Some(other) => Err(AppError::bad_request(format!(
                "unknown service discovery `{other}`; use sd=file or sd=http"
            ))),
        }
    }
}

type Q = Result<Query<DownloadQuery>, QueryRejection>;

fn query(q: Q) -> Result<DownloadQuery, AppError> {
    q.map(|Query(q)| q).map_err(|e| {
        AppError::bad_request(format!("The query string is not valid: {}", e.body_text()))
    })
}

/// An attachment response. The file name is reduced to `[A-Za-z0-9._-]`, so it can
/// neither break the header nor name a path.
pub fn attachment(
    file_name: &str,
    content_type: &str,
    body: impl Into<axum::body::Body>,
) -> Response {
    let disposition = format!("attachment; filename=\"{}\"", safe_file_name(file_name));
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("attachment")),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    (headers, body.into()).into_response()
}

fn rendered(r: Rendered) -> Response {
    attachment(&r.file_name, &r.content_type, r.body)
}

fn console_url(state: &AppState, headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    super::console_url(
        state.config.public_url.as_deref(),
        state.config.listen,
        host,
    )
}

fn cluster<'a>(inv: &'a Inventory, id: &str) -> Result<&'a Cluster, AppError> {
    app::api::find_cluster(inv, id)
}

/// The cluster behind a per-cluster download (live, or as recorded at `at=`).
async fn file_source(
    state: &AppState,
    id: &str,
    q: &DownloadQuery,
) -> Result<(Cluster, String), AppError> {
    let at = app::api::parse_number("at", q.at.clone())?;
    app::api::file_source(&*state.console.0, id, at).await
}

async fn cluster_file(
    state: AppState,
    headers: HeaderMap,
    id: String,
    q: Q,
    kind: FileKind,
) -> Result<Response, AppError> {
    let q = query(q)?;
    let (c, generated_at) = file_source(&state, &id, &q).await?;
    let kind = if kind == FileKind::PrometheusFileSd {
        q.prometheus_kind()?
    } else {
        kind
    };
    let r = render_cluster_file(
        &c,
        kind,
        q.mode.as_deref(),
        &q.options(),
        &console_url(&state, &headers),
        &generated_at,
    )?;
    Ok(rendered(r))
}

async fn truststore(
    State(state): State<AppState>,
    Path(id): Path<String>,
    q: Q,
) -> Result<Response, AppError> {
    let q = query(q)?;
    let (c, _) = file_source(&state, &id, &q).await?;
    let password = q.password.as_deref().unwrap_or(DEFAULT_TRUSTSTORE_PASSWORD);
    let bytes = state.truststore.pkcs12(password).await?;
    Ok(attachment(
        &format!("{}-truststore.p12", safe_file_name(&c.name)),
        "application/x-pkcs12",
        bytes,
    ))
}

/// A cluster's whole recorded history as a JSON attachment.
async fn history_export(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let body = state.history.export(&id).await?;
    let text = serde_json::to_string_pretty(&body).map_err(AppError::internal)?;
    Ok(attachment(
        &format!("{}-history.json", safe_file_name(&id)),
        "application/json",
        text,
    ))
}

/// The clusters a many-cluster request selects: one by `cluster=ID`, or all that match
/// the list's filters.
fn select<'a>(inv: &'a Inventory, q: &DownloadQuery) -> Result<Vec<&'a Cluster>, AppError> {
    if let Some(id) = q.cluster.as_deref().filter(|s| !s.is_empty()) {
        return Ok(vec![cluster(inv, id)?]);
    }
    let text = q.q.as_deref().unwrap_or("");
    Ok(inv
        .clusters
        .iter()
        .filter(|c| {
            q.source
                .as_deref()
                .is_none_or(|s| s.is_empty() || c.source == s)
        })
        .filter(|c| {
            q.region
                .as_deref()
                .is_none_or(|r| r.is_empty() || c.region == r)
        })
        .filter(|c| c.summary().matches(text))
        .collect())
}

fn scope_of(q: &DownloadQuery, n: usize) -> String {
    let mut parts = vec![format!("{n} clusters")];
    for (k, v) in [
        ("filter", &q.q),
        ("source", &q.source),
        ("region", &q.region),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            parts.push(format!("{k} \"{v}\""));
        }
    }
    parts.join(", ")
}

async fn all_targets(State(state): State<AppState>, q: Q) -> Result<Response, AppError> {
    let q = query(q)?;
    let inv = state.inventory.inventory();
    let clusters = select(&inv, &q)?;
    Ok(attachment(
        "msk-targets.json",
        "application/json",
        targets_json(clusters),
    ))
}

async fn all_prometheus(
    State(state): State<AppState>,
    headers: HeaderMap,
    q: Q,
) -> Result<Response, AppError> {
    let q = query(q)?;
    let inv = state.inventory.inventory();
    let clusters = select(&inv, &q)?;
    let discovery = match q.prometheus_kind()? {
        FileKind::PrometheusHttpSd => {
            let params = serde_urlencoded::to_string(
                [("q", &q.q), ("source", &q.source), ("region", &q.region)]
                    .map(|(k, v)| (k, v.clone().unwrap_or_default())),
            )
            .unwrap_or_default();
            Discovery::Http {
                url: format!("{}/sd/targets?{params}", console_url(&state, &headers)),
            }
        }
        _ => Discovery::File {
            path: "msk-targets.json".into(),
        },
    };
    let body = prometheus_yml(
        &scope_of(&q, clusters.len()),
        &discovery,
        "msk-open-monitoring",
        &crate::now_rfc3339(),
    );
    Ok(attachment(
        "prometheus.yml",
        "application/yaml; charset=utf-8",
        body,
    ))
}

/// Prometheus `http_sd_configs` polls this: the current target groups, always fresh.
async fn http_sd(State(state): State<AppState>, q: Q) -> Result<Json<Vec<TargetGroup>>, AppError> {
    let q = query(q)?;
    let inv = state.inventory.inventory();
    let clusters = select(&inv, &q)?;
    Ok(Json(target_groups(clusters)))
}
