//! Downloads, for browsers and for `curl -OJ`: every response is an attachment with a
//! safe file name (`Content-Disposition`), the right `Content-Type`, and `no-store`.
//!
//! Per cluster (`{id}` from the cluster list):
//! - `GET /clusters/{id}/client.properties?mode=MODE[&options]` (Java)
//! - `GET /clusters/{id}/librdkafka.properties?mode=MODE[&options]`
//! - `GET /clusters/{id}/application.yml?mode=MODE[&options]` (Spring Boot)
//! - `GET /clusters/{id}/kafka-python.py`, `aiokafka.py`, `confluent-kafka.py`
//!   `?mode=MODE[&options]`: a Python producer as code (IAM with AWS's signer)
//! - `GET /clusters/{id}/kafkajs.js?mode=MODE[&options]`: a kafkajs producer (Node.js)
//! - `GET /clusters/{id}/sarama.go`, `franz-go.go` `?mode=MODE[&options]`: Go producers
//! - `GET /clusters/{id}/cli.sh?mode=MODE[&options]`: kcat and Kafka CLI command lines
//! - `GET /clusters/{id}/confluent-kafka-javascript.js`, `Program.cs` `?mode=MODE[&options]`:
//!   Confluent's Node.js client and .NET's Confluent.Kafka
//! - `GET /clusters/{id}/truststore.p12[?password=…]`
//! - `GET /clusters/{id}/targets.json`
//! - `GET /clusters/{id}/prometheus.yml[?sd=file|http]`
//! - `GET /clusters/{id}/prometheus-rules.yml`: alerting rules for its targets
//! - `GET /clusters/{id}/history.json`: everything the history recorded about the cluster
//! - `GET /clusters/{id}/cloudwatch-alarms.yaml`: a CloudFormation template of the
//!   CloudWatch alarms it lacks (404 when none is missing)
//!
//! Each per-cluster file also takes `at=SNAPSHOT`: the file as it would have been
//! generated from the cluster's state recorded at that snapshot.
//!
//! For many clusters, with the cluster list's filters (`q`, `source`, `region`):
//! - `GET /targets.json`, `GET /prometheus.yml[?sd=file|http]`, `GET /prometheus-rules.yml`
//! - `GET /cloudwatch-alarms.yaml`: the alarms the selected clusters lack (the filter
//!   `q=alarms:missing` picks the clusters that lack some)
//! - `GET /sd/targets`: the live Prometheus http_sd endpoint (also takes `cluster=ID`).
//! - `GET /msk-console-rules.yml`: alerting rules on the console's own `/metrics`.
//!
//! For prometheus-operator and Grafana, per cluster (`/clusters/{id}/…`) and for the
//! filtered set (`/…?q=&source=&region=`):
//! - `scrape-config.yaml[?secret=NAME]`: a `ScrapeConfig` polling `/sd/targets` (the set's
//!   also scrapes the console's `/metrics`); with a login in force it reads the token
//!   from the Secret `NAME` (default `msk-console-token`, key `token`);
//! - `prometheus-rule.yaml`: a `PrometheusRule` with the alert rules (the set's also
//!   holds the console rules);
//! - `grafana-dashboard.json`: a dashboard of the open-monitoring metrics.
//!
//! Unknown query parameters, unknown modes and options that would break a file are 400s
//! with a message; an unknown cluster is a 404.

use std::collections::BTreeMap;

use app::error::AppError;
use app::generate::client::{ClientOptions, OptionField, DEFAULT_TRUSTSTORE_PASSWORD};
use app::generate::operator;
use app::generate::prometheus::TargetGroup;
use app::generate::{safe_file_name, FileKind, Rendered};
use app::model::{Listener, Selection};
use app::params::{ClusterId, ClusterKey, SnapshotId};
use app::service::Console;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

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
        .route(
            "/clusters/{id}/application.yml",
            file_route(FileKind::SpringBoot),
        )
        .route(
            "/clusters/{id}/kafka-python.py",
            file_route(FileKind::KafkaPython),
        )
        .route("/clusters/{id}/aiokafka.py", file_route(FileKind::Aiokafka))
        .route(
            "/clusters/{id}/confluent-kafka.py",
            file_route(FileKind::ConfluentPython),
        )
        .route("/clusters/{id}/kafkajs.js", file_route(FileKind::Kafkajs))
        .route("/clusters/{id}/sarama.go", file_route(FileKind::Sarama))
        .route("/clusters/{id}/franz-go.go", file_route(FileKind::FranzGo))
        .route("/clusters/{id}/cli.sh", file_route(FileKind::Cli))
        .route(
            "/clusters/{id}/confluent-kafka-javascript.js",
            file_route(FileKind::ConfluentJs),
        )
        .route("/clusters/{id}/Program.cs", file_route(FileKind::Dotnet))
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
        .route("/clusters/{id}/cloudwatch-alarms.yaml", get(cluster_alarms))
        .route("/cloudwatch-alarms.yaml", get(all_alarms))
        .route("/targets.json", get(all_targets))
        .route("/prometheus-rules.yml", get(all_rules))
        .route("/prometheus.yml", get(all_prometheus))
        .route("/sd/targets", get(http_sd))
        .route("/msk-console-rules.yml", get(console_rules))
        .route(
            "/clusters/{id}/scrape-config.yaml",
            get(cluster_scrape_config),
        )
        .route("/scrape-config.yaml", get(all_scrape_config))
        .route(
            "/clusters/{id}/prometheus-rule.yaml",
            get(cluster_prometheus_rule),
        )
        .route("/prometheus-rule.yaml", get(all_prometheus_rule))
        .route(
            "/clusters/{id}/grafana-dashboard.json",
            get(cluster_dashboard),
        )
        .route("/grafana-dashboard.json", get(all_dashboard))
}

/// The route of one of a cluster's text files.
fn file_route(kind: FileKind) -> axum::routing::MethodRouter<AppState> {
    get(
        move |State(console): State<Console>,
              headers: HeaderMap,
              Path(id): Path<String>,
              q: DownloadQuery| { cluster_file(console, headers, id, q, kind) },
    )
}

/// The query parameters a download takes besides the client options.
const PARAMS: [&str; 9] = [
    "mode", "password", "sd", "q", "source", "region", "cluster", "at", "secret",
];

/// Every query parameter a download takes, parsed where it enters: the client options
/// of the options table, the auth mode, the truststore password, the service discovery,
/// the snapshot and the cluster selection. Unknown parameters are refused, so a typo such
/// as `?mdoe=tls` is a 400 that says so rather than a file with the wrong settings; a
/// malformed value is a 400 that says which.
#[derive(Debug)]
pub struct DownloadQuery {
    /// The client options (`truststore`, `scram_username`, …); checked against each
    /// other when a file is made.
    pub options: ClientOptions,
    /// `mode=…`: the listener a client file is for.
    pub mode: Option<Listener>,
    /// `password=…` of the truststore.
    pub password: Option<String>,
    /// `sd=file` (default) or `sd=http` for a `prometheus.yml`.
    pub sd: FileKind,
    /// `at=SNAPSHOT`: the file from the cluster's state recorded then.
    pub at: Option<SnapshotId>,
    /// `cluster`, `q`, `source`, `region`: the clusters a many-cluster file covers.
    pub selection: Selection,
    /// `secret=NAME`: the Kubernetes Secret a `ScrapeConfig` reads the token from.
    pub secret: Option<String>,
}

impl DownloadQuery {
    /// Parses a download's query string; each kind of mistake is the error its value
    /// would be anywhere else (a malformed cluster id a 404, a bad mode a 400).
    pub fn parse(query: &str) -> Result<DownloadQuery, AppError> {
        let raw: Vec<(String, String)> = serde_urlencoded::from_str(query)
            .map_err(|e| AppError::bad_request(format!("The query string is not valid: {e}")))?;
        let mut options = ClientOptions::default();
        let mut params: BTreeMap<&str, String> = BTreeMap::new();
        for (k, v) in raw {
            if let Some(f) = OptionField::from_name(&k) {
                options.set(f, v);
            } else if let Some(p) = PARAMS.into_iter().find(|p| *p == k) {
                params.insert(p, v);
            } else {
                let known: Vec<&str> = OptionField::ALL
                    .into_iter()
                    .map(OptionField::name)
                    .chain(PARAMS)
                    .collect();
                return Err(AppError::bad_request(format!(
                    "The query string is not valid: unknown field `{}`, expected one of {}",
                    k.chars()
                        .take(40)
                        .map(|c| if c.is_control() { ' ' } else { c })
                        .collect::<String>(),
                    known.join(", ")
                )));
            }
        }
        let param = |name: &str| params.get(name).map(String::as_str);
        Ok(DownloadQuery {
            options,
            mode: Listener::parse_opt(param("mode"))?,
            password: param("password").map(str::to_string),
            sd: match param("sd").map(str::trim) {
                None | Some("") | Some("file") => FileKind::PrometheusFileSd,
                Some("http") => FileKind::PrometheusHttpSd,
                Some(other) => {
                    return Err(AppError::bad_request(format!(
                        "unknown service discovery `{}`; use sd=file or sd=http",
                        other.chars().take(40).collect::<String>()
                    )))
                }
            },
            at: SnapshotId::parse("at", param("at"))?,
            selection: Selection::parse(
                param("cluster"),
                param("q"),
                param("source"),
                param("region"),
            )?,
            secret: match param("secret") {
                None | Some("") => None,
                Some(name) if operator::valid_object_name(name) => Some(name.to_string()),
                Some(_) => {
                    return Err(AppError::bad_request(
                        "`secret` must name a Kubernetes Secret: lower-case letters, digits, `-` and `.`, at most 253 characters",
                    ))
                }
            },
        })
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for DownloadQuery {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<DownloadQuery, AppError> {
        DownloadQuery::parse(parts.uri.query().unwrap_or(""))
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
        q.sd
    } else {
        kind
    };
    let r = console
        .cluster_file(&key, kind, q.mode, &q.options, q.at, host(&headers))
        .await?;
    Ok(rendered(r))
}

async fn truststore(
    State(console): State<Console>,
    Path(id): Path<String>,
    q: DownloadQuery,
) -> Result<Response, AppError> {
    let key = ClusterKey::parse(&id)?;
    let password = q.password.as_deref().unwrap_or(DEFAULT_TRUSTSTORE_PASSWORD);
    let (name, bytes) = console.truststore(&key, q.at, password).await?;
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
    q: DownloadQuery,
) -> Result<Response, AppError> {
    let body = console.targets_json(&q.selection)?;
    Ok(attachment("msk-targets.json", "application/json", body))
}

async fn all_rules(State(console): State<Console>, q: DownloadQuery) -> Result<Response, AppError> {
    let body = console.prometheus_rules(&q.selection)?;
    Ok(attachment(
        "msk-prometheus-rules.yml",
        "application/yaml; charset=utf-8",
        body,
    ))
}

/// The CloudWatch alarms one cluster lacks, as a CloudFormation template.
async fn cluster_alarms(
    State(console): State<Console>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let selection = Selection {
        cluster: Some(ClusterKey::parse(&id)?),
        ..Selection::default()
    };
    Ok(rendered(console.cloudwatch_alarms(&selection)?))
}

/// The CloudWatch alarms the selected clusters lack (`?q=alarms:missing&source=…`).
async fn all_alarms(
    State(console): State<Console>,
    q: DownloadQuery,
) -> Result<Response, AppError> {
    Ok(rendered(console.cloudwatch_alarms(&q.selection)?))
}

async fn all_prometheus(
    State(console): State<Console>,
    headers: HeaderMap,
    q: DownloadQuery,
) -> Result<Response, AppError> {
    let body = console.prometheus_yml(&q.selection, q.sd, host(&headers))?;
    Ok(attachment(
        "prometheus.yml",
        "application/yaml; charset=utf-8",
        body,
    ))
}

/// Prometheus `http_sd_configs` polls this: the current target groups, always fresh.
async fn http_sd(
    State(console): State<Console>,
    q: DownloadQuery,
) -> Result<Json<Vec<TargetGroup>>, AppError> {
    console.sd_targets(&q.selection).map(Json)
}

/// The selection of one cluster's file.
fn one(id: &str) -> Result<Selection, AppError> {
    Ok(Selection {
        cluster: Some(ClusterKey::parse(id)?),
        ..Selection::default()
    })
}

async fn console_rules(State(console): State<Console>, _: DownloadQuery) -> Response {
    attachment(
        "msk-console-rules.yml",
        "application/yaml; charset=utf-8",
        console.console_rules(),
    )
}

async fn cluster_scrape_config(
    State(console): State<Console>,
    headers: HeaderMap,
    Path(id): Path<String>,
    q: DownloadQuery,
) -> Result<Response, AppError> {
    let r = console.scrape_config(&one(&id)?, q.secret.as_deref(), host(&headers))?;
    Ok(rendered(r))
}

async fn all_scrape_config(
    State(console): State<Console>,
    headers: HeaderMap,
    q: DownloadQuery,
) -> Result<Response, AppError> {
    let r = console.scrape_config(&q.selection, q.secret.as_deref(), host(&headers))?;
    Ok(rendered(r))
}

async fn cluster_prometheus_rule(
    State(console): State<Console>,
    Path(id): Path<String>,
    _: DownloadQuery,
) -> Result<Response, AppError> {
    Ok(rendered(console.prometheus_rule(&one(&id)?)?))
}

async fn all_prometheus_rule(
    State(console): State<Console>,
    q: DownloadQuery,
) -> Result<Response, AppError> {
    Ok(rendered(console.prometheus_rule(&q.selection)?))
}

async fn cluster_dashboard(
    State(console): State<Console>,
    Path(id): Path<String>,
    _: DownloadQuery,
) -> Result<Response, AppError> {
    Ok(rendered(console.grafana_dashboard(&one(&id)?)?))
}

async fn all_dashboard(
    State(console): State<Console>,
    q: DownloadQuery,
) -> Result<Response, AppError> {
    Ok(rendered(console.grafana_dashboard(&q.selection)?))
}
