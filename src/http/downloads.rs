//! Downloads, for browsers and for `curl -OJ`: every response is an attachment with a
//! safe file name (`Content-Disposition`), the right `Content-Type`, and `no-store`.
//!
//! Per cluster (`{id}` from the cluster list):
//! - `GET /clusters/{id}/client.properties?mode=MODE[&options]` (Java)
//! - `GET /clusters/{id}/librdkafka.properties?mode=MODE[&options]`
//! - `GET /clusters/{id}/truststore.p12[?password=…]`
//! - `GET /clusters/{id}/targets.json`
//! - `GET /clusters/{id}/prometheus.yml[?sd=file|http]`
//! - `GET /clusters/{id}/prometheus-rules.yml`: alerting rules for its targets
//! - `GET /clusters/{id}/history.json`: everything the history recorded about the cluster
//!
//! Each per-cluster file also takes `at=SNAPSHOT`: the file as it would have been
//! generated from the cluster's state recorded at that snapshot.
//!
//! For many clusters, with the cluster list's filters (`q`, `source`, `region`):
//! - `GET /targets.json`, `GET /prometheus.yml[?sd=file|http]`, `GET /prometheus-rules.yml`
//! - `GET /sd/targets`: the live Prometheus http_sd endpoint (also takes `cluster=ID`).
//!
//! Unknown query parameters, unknown modes and options that would break a file are 400s
//! with a message; an unknown cluster is a 404.

use std::collections::BTreeMap;

use app::error::AppError;
use app::generate::client::{ClientOptions, OptionField, DEFAULT_TRUSTSTORE_PASSWORD};
use app::generate::prometheus::TargetGroup;
use app::generate::{safe_file_name, FileKind, Rendered};
use app::model::Selection;
use app::params::{ClusterId, ClusterKey, SnapshotId};
use app::service::Console;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use super::query::Q;
use super::state::AppState;

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
        .route(
            "/clusters/{id}/prometheus-rules.yml",
            file_route(FileKind::AlertRules),
        )
        .route("/targets.json", get(all_targets))
        .route("/prometheus-rules.yml", get(all_rules))
        .route("/prometheus.yml", get(all_prometheus))
        .route("/sd/targets", get(http_sd))
}

/// The route of one of a cluster's text files.
fn file_route(kind: FileKind) -> axum::routing::MethodRouter<AppState> {
    get(
        move |State(console): State<Console>,
              headers: HeaderMap,
              Path(id): Path<String>,
              Q(q): Q<DownloadQuery>| { cluster_file(console, headers, id, q, kind) },
    )
}

/// The query parameters a download takes besides the client options.
const PARAMS: [&str; 8] = [
    "mode", "password", "sd", "q", "source", "region", "cluster", "at",
];

/// Every query parameter a download takes: the client options of the options table and
/// the parameters above. Unknown ones are refused, so a typo such as `?mdoe=tls` is a
/// 400 that says so rather than a file with the wrong settings.
#[derive(Debug, Default)]
pub struct DownloadQuery {
    /// The client options (`truststore`, `scram_username`, …).
    pub options: ClientOptions,
    /// The other parameters, by name.
    params: BTreeMap<&'static str, String>,
}

impl<'de> Deserialize<'de> for DownloadQuery {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = BTreeMap::<String, String>::deserialize(d)?;
        let mut q = DownloadQuery::default();
        for (k, v) in raw {
            if let Some(f) = OptionField::from_name(&k) {
                q.options.set(f, v);
            } else if let Some(p) = PARAMS.into_iter().find(|p| *p == k) {
                q.params.insert(p, v);
            } else {
                let known: Vec<&str> = OptionField::ALL
                    .into_iter()
                    .map(OptionField::name)
                    .chain(PARAMS)
                    .collect();
                return Err(serde::de::Error::custom(format!(
                    "unknown field `{k}`, expected one of {}",
                    known.join(", ")
                )));
            }
        }
        Ok(q)
    }
}

impl DownloadQuery {
    fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }

    /// `at=SNAPSHOT`: the file from the cluster's state recorded then.
    fn at(&self) -> Result<Option<SnapshotId>, AppError> {
        SnapshotId::parse("at", self.param("at"))
    }

    /// `sd=file` (default) or `sd=http` for a `prometheus.yml`.
    fn prometheus_kind(&self) -> Result<FileKind, AppError> {
        match self.param("sd").map(str::trim) {
            None | Some("") | Some("file") => Ok(FileKind::PrometheusFileSd),
            Some("http") => Ok(FileKind::PrometheusHttpSd),
            Some(other) => Err(AppError::bad_request(format!(
                "unknown service discovery `{other}`; use sd=file or sd=http"
            ))),
        }
    }

    /// The clusters a many-cluster file covers.
    fn selection(&self) -> Result<Selection, AppError> {
        Selection::parse(
            self.param("cluster"),
            self.param("q"),
            self.param("source"),
            self.param("region"),
        )
    }
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

fn host(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::HOST).and_then(|h| h.to_str().ok())
}

async fn cluster_file(
    console: Console,
    headers: HeaderMap,
    id: String,
    q: DownloadQuery,
    kind: FileKind,
) -> Result<Response, AppError> {
    let key = ClusterKey::parse(&id)?;
    let kind = if kind == FileKind::PrometheusFileSd {
        q.prometheus_kind()?
    } else {
        kind
    };
    let r = console
        .cluster_file(
            &key,
            kind,
            q.param("mode"),
            &q.options,
            q.at()?,
            host(&headers),
        )
        .await?;
    Ok(rendered(r))
}

async fn truststore(
    State(console): State<Console>,
    Path(id): Path<String>,
    Q(q): Q<DownloadQuery>,
) -> Result<Response, AppError> {
    let key = ClusterKey::parse(&id)?;
    let password = q.param("password").unwrap_or(DEFAULT_TRUSTSTORE_PASSWORD);
    let (name, bytes) = console.truststore(&key, q.at()?, password).await?;
    Ok(attachment(&name, "application/x-pkcs12", bytes))
}

/// A cluster's whole recorded history as a JSON attachment.
async fn history_export(
    State(console): State<Console>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = ClusterId::parse(&id)?;
    let pieces = console.export(id.clone()).await?;
    // Written as it is read; an error half-way ends the answer early (and is logged),
    // so a client never takes a cut-off file for a whole one.
    let body = axum::body::Body::from_stream(futures::StreamExt::map(pieces, |piece| {
        piece.map_err(|e| std::io::Error::other(e.to_string()))
    }));
    Ok(attachment(
        &format!("{}-history.json", safe_file_name(id.as_str())),
        "application/json",
        body,
    ))
}

async fn all_targets(
    State(console): State<Console>,
    Q(q): Q<DownloadQuery>,
) -> Result<Response, AppError> {
    let body = console.targets_json(&q.selection()?)?;
    Ok(attachment("msk-targets.json", "application/json", body))
}

async fn all_rules(
    State(console): State<Console>,
    Q(q): Q<DownloadQuery>,
) -> Result<Response, AppError> {
    let body = console.prometheus_rules(&q.selection()?)?;
    Ok(attachment(
        "msk-prometheus-rules.yml",
        "application/yaml; charset=utf-8",
        body,
    ))
}

async fn all_prometheus(
    State(console): State<Console>,
    headers: HeaderMap,
    Q(q): Q<DownloadQuery>,
) -> Result<Response, AppError> {
    let body = console.prometheus_yml(&q.selection()?, q.prometheus_kind()?, host(&headers))?;
    Ok(attachment(
        "prometheus.yml",
        "application/yaml; charset=utf-8",
        body,
    ))
}

/// Prometheus `http_sd_configs` polls this: the current target groups, always fresh.
async fn http_sd(
    State(console): State<Console>,
    Q(q): Q<DownloadQuery>,
) -> Result<Json<Vec<TargetGroup>>, AppError> {
    console.sd_targets(&q.selection()?).map(Json)
}
