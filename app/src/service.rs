//! The one way into the server's data (server-side only).
//!
//! Every door into the server asks [`Console`] for what it serves: the pages (through the
//! server functions in [`crate::api`]), the JSON API and the downloads (through the axum
//! routes in the server crate). `Console` holds what the three share (finding a cluster,
//! choosing a file's source state, rendering a file, selecting clusters for Prometheus)
//! and asks the [`ConsoleService`] backend for data.
//!
//! The server crate implements [`ConsoleService`] over its inventory, prober, history
//! and truststore. Keeping it a trait keeps the layers apart: the app crate never links
//! the AWS SDK or SQLite.

use std::sync::Arc;

use leptos::prelude::use_context;

use crate::error::AppError;
use crate::generate::client::ClientOptions;
use crate::generate::cloudwatch::{alarm_template, AlarmTarget};
use crate::generate::prometheus::{
    prometheus_yml, target_groups_with, targets_json_with, Discovery, TagLabels, TargetGroup,
};
use crate::generate::rules::{prometheus_rules, Scope};
use crate::generate::{render_cluster_file, FileKind, Rendered};
use crate::history::{ChangeFilter, ChangesPage, ClusterDiff, ClusterHistory};
use crate::model::cloudwatch::ConsumerLag;
use crate::model::topics::{TopicDetail, TopicName, TopicsPage};
use crate::model::{
    coverage, AuditEvent, Cluster, ClusterDetail, ClusterListing, Coverage, Identity, Inventory,
    InventoryOverview, Permissions, RefreshStatus, Selection, SweepStatus,
};
use crate::params::{ChangeId, ClusterId, ClusterKey, PageSize, SnapshotId};

/// A text answer written as it is produced (a cluster's whole history), for the server
/// to stream: each item is the next piece, or the error that ends it.
pub type TextStream =
    std::pin::Pin<Box<dyn futures::Stream<Item = Result<String, AppError>> + Send + 'static>>;

/// What the history and the other asynchronous calls return.
pub type Fut<'a, T> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, AppError>> + Send + 'a>>;

/// How the server is doing, for `/healthz`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Health {
    /// The database answered.
    pub database: bool,
    pub replica: ReplicaHealth,
}

/// This console's place among replicas sharing one PostgreSQL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplicaHealth {
    /// "single" (SQLite), "leader" or "follower".
    pub role: &'static str,
    pub name: String,
    /// The leader's name (a follower: of the view it serves).
    pub leader: Option<String>,
    /// The version of the leader's view this replica serves (0: none yet).
    pub view_version: i64,
    /// When the leader wrote that view (RFC 3339).
    pub view_written_at: Option<String>,
    /// How long ago this replica last found its view current (ms); `None` on SQLite.
    pub view_age_ms: Option<u64>,
}

/// What the server provides; [`Console`] builds every answer from these.
pub trait ConsoleService: Send + Sync + 'static {
    /// The current inventory (cheap: a shared snapshot).
    fn inventory(&self) -> Arc<Inventory>;

    /// Starts a refresh of every source now, unless one is running; returns its status.
    fn request_refresh(&self) -> RefreshStatus;

    /// Starts probing the exporters of one cluster (or all) now; returns the sweep status.
    fn request_probe(&self, cluster: Option<ClusterId>) -> SweepStatus;

    /// The current time for "generated at" lines (RFC 3339, UTC).
    fn now(&self) -> String;

    /// How Prometheus reaches the console, given the request's `Host` header.
    fn console_url(&self, host: Option<&str>) -> String;

    /// One page of the global timeline of changes.
    fn changes(&self, filter: ChangeFilter) -> Fut<'_, ChangesPage>;

    /// One cluster's timeline page, chart and recorded versions (also of removed
    /// clusters); `current` says whether it is in today's inventory.
    fn cluster_history(
        &self,
        id: ClusterId,
        before: Option<ChangeId>,
        limit: PageSize,
        current: bool,
    ) -> Fut<'_, ClusterHistory>;

    /// What changed in a cluster between two snapshots (defaults: the latest change).
    fn cluster_diff(
        &self,
        id: ClusterId,
        from: Option<SnapshotId>,
        to: Option<SnapshotId>,
    ) -> Fut<'_, ClusterDiff>;

    /// The cluster as recorded at a past snapshot.
    fn cluster_at(&self, id: ClusterId, snapshot: SnapshotId) -> Fut<'_, ClusterDetail>;

    /// Everything the history holds about a cluster, oldest first, as a JSON document
    /// written as it is read.
    fn export(&self, id: ClusterId) -> Fut<'_, TextStream>;

    /// The PKCS12 truststore of the console's CA bundle, under `password`.
    fn truststore(&self, password: String) -> Fut<'_, Vec<u8>>;

    /// Whether the database answers.
    fn health(&self) -> Fut<'_, Health>;

    /// Which tags become target labels (`--target-tag-labels`).
    fn tag_labels(&self) -> TagLabels;

    /// Whether callers must sign in or send a token (`--auth` other than `none`); the
    /// generated http_sd config then carries an `authorization` block.
    fn login_required(&self) -> bool;

    /// Writes one line of the audit log (and the server log). A failed write is logged
    /// and does not undo the action.
    fn audit(&self, who: &Identity, action: &'static str, detail: String) -> Fut<'_, ()>;

    /// The newest audit events, newest first.
    fn activity(&self, limit: PageSize) -> Fut<'_, Vec<AuditEvent>>;

    /// The console's own metrics and the fleet's, in Prometheus text format 0.0.4.
    fn metrics(&self) -> Result<String, AppError>;

    /// One topic of a listed cluster in full (configuration, partitions, consumers),
    /// from MSK's topic APIs.
    fn topic(&self, id: ClusterId, name: TopicName) -> Fut<'_, TopicDetail>;
}

/// Refuses a caller that is not an operator, saying what it tried.
fn operator(who: &Identity, what: &str) -> Result<(), AppError> {
    if who.can_operate() {
        return Ok(());
    }
    Err(AppError::Forbidden(format!(
        "Only operators may {what}; you are signed in as a {}.",
        who.role
    )))
}

/// The service every door asks: a cheap handle, cloned into every request.
#[derive(Clone)]
pub struct Console(Arc<dyn ConsoleService>);

/// Who makes the current request, from the identity the server's login layer put on
/// it. A request without one fails closed: the login layer lets no request reach a page
/// or a server function without an identity, and if one got there anyway it would see
/// nothing.
pub fn caller() -> Result<Identity, AppError> {
    use_context::<axum::http::request::Parts>()
        .and_then(|p| p.extensions.get::<Identity>().cloned())
        .ok_or_else(|| AppError::Unauthorized("Sign in first, or send a bearer token.".into()))
}

/// The service from the Leptos context, for a caller with an identity: every page and
/// server function asks through this, so none can answer a request that has none.
pub fn console() -> Result<Console, AppError> {
    caller()?;
    use_context::<Console>()
        .ok_or_else(|| AppError::internal("Console is not in the Leptos context"))
}

impl Console {
    pub fn new(service: impl ConsoleService) -> Console {
        Console(Arc::new(service))
    }

    /// The backend, for what `Console` does not wrap.
    pub fn service(&self) -> &dyn ConsoleService {
        &*self.0
    }

    pub fn inventory(&self) -> Arc<Inventory> {
        self.0.inventory()
    }

    /// One page of the cluster list (filtered and sorted) with the state of every
    /// source.
    pub fn overview(&self, query: &crate::model::ListQuery) -> InventoryOverview {
        InventoryOverview::of(&self.0.inventory(), query)
    }

    /// `GET /api/clusters`: rows with ARNs, accounts, tags and bootstrap strings, or
    /// `brief` ones without.
    pub fn listing(&self, selection: &Selection, brief: bool) -> Result<ClusterListing, AppError> {
        ClusterListing::of(&self.0.inventory(), selection, brief)
    }

    /// The monitoring-coverage overview, filtered by source and region.
    pub fn coverage(&self, source: Option<&str>, region: Option<&str>) -> Coverage {
        coverage(&self.0.inventory(), source, region)
    }

    /// The id of the cluster a key names: an id as it is, an ARN through the inventory.
    fn id_of(&self, key: &ClusterKey) -> Result<ClusterId, AppError> {
        match key {
            ClusterKey::Id(id) => Ok(id.clone()),
            ClusterKey::Arn(_) => Ok(self.0.inventory().find(key)?.id.clone()),
        }
    }

    /// A cluster with its last probe; with `at`, as the history recorded it then.
    pub async fn cluster(
        &self,
        key: &ClusterKey,
        at: Option<SnapshotId>,
    ) -> Result<ClusterDetail, AppError> {
        match at {
            Some(snapshot) => self.0.cluster_at(self.id_of(key)?, snapshot).await,
            None => self.0.inventory().detail(key),
        }
    }

    /// The cluster a per-cluster file is made from, and the "generated at" its header
    /// shows: the live cluster now, or with `at` the state recorded at that snapshot
    /// (and the header says so).
    pub async fn file_source(
        &self,
        key: &ClusterKey,
        at: Option<SnapshotId>,
    ) -> Result<(Cluster, String), AppError> {
        let now = self.0.now();
        match at {
            Some(snapshot) => {
                let d = self.0.cluster_at(self.id_of(key)?, snapshot).await?;
                let generated = match &d.recorded {
                    Some(r) => r.generated_from(&now),
                    None => now,
                };
                Ok((d.cluster, generated))
            }
            None => Ok((self.0.inventory().find(key)?.clone(), now)),
        }
    }

    /// One of a cluster's text files, as the download and the Downloads panel's preview
    /// deliver it. The options are checked once, here.
    pub async fn cluster_file(
        &self,
        key: &ClusterKey,
        kind: FileKind,
        mode: Option<crate::model::Listener>,
        options: &ClientOptions,
        at: Option<SnapshotId>,
        host: Option<&str>,
    ) -> Result<Rendered, AppError> {
        let (cluster, generated_at) = self.file_source(key, at).await?;
        let options = if kind.is_client_config() {
            options.parse()?
        } else {
            Default::default()
        };
        render_cluster_file(
            &cluster,
            kind,
            mode,
            &options,
            &self.sd_endpoint(host),
            &generated_at,
            &self.0.tag_labels(),
        )
    }

    /// The truststore download: its file name (after the cluster) and bytes.
    pub async fn truststore(
        &self,
        key: &ClusterKey,
        at: Option<SnapshotId>,
        password: &str,
    ) -> Result<(String, Vec<u8>), AppError> {
        let (cluster, _) = self.file_source(key, at).await?;
        let bytes = self.0.truststore(password.to_string()).await?;
        Ok((
            format!(
                "{}-truststore.p12",
                crate::generate::safe_file_name(&cluster.name)
            ),
            bytes,
        ))
    }

    /// The clusters a many-cluster file covers.
    pub fn select(&self, selection: &Selection) -> Result<Vec<Cluster>, AppError> {
        Ok(self
            .0
            .inventory()
            .select(selection)?
            .into_iter()
            .cloned()
            .collect())
    }

    /// `targets.json` of every selected cluster.
    pub fn targets_json(&self, selection: &Selection) -> Result<String, AppError> {
        Ok(targets_json_with(
            &self.select(selection)?,
            &self.0.tag_labels(),
        ))
    }

    /// Alerting rules for the selected clusters' targets. With no filter they cover
    /// every cluster the targets name, including ones listed later.
    pub fn prometheus_rules(&self, selection: &Selection) -> Result<String, AppError> {
        let clusters = self.select(selection)?;
        let refs: Vec<&Cluster> = clusters.iter().collect();
        let scope = if selection.is_empty() {
            Scope::All
        } else {
            Scope::Clusters(&refs)
        };
        Ok(prometheus_rules(
            &scope,
            &selection.describe(clusters.len()),
            &self.0.now(),
        ))
    }

    /// Alerting rules on the console's own `/metrics` (`msk-console-rules.yml`).
    pub fn console_rules(&self) -> String {
        crate::generate::console_rules::console_rules(&self.0.now())
    }

    /// The selection's name for a Kubernetes object or a dashboard: the one cluster's
    /// name, else the filters'.
    fn scope_name(&self, selection: &Selection) -> Result<(String, Vec<Cluster>), AppError> {
        let clusters = self.select(selection)?;
        let name = match (&selection.cluster, clusters.as_slice()) {
            (Some(_), [one]) => one.name.clone(),
            _ if selection.is_empty() => "all".into(),
            _ => format!("{} {} {}", selection.q, selection.source, selection.region),
        };
        Ok((name, clusters))
    }

    /// A prometheus-operator `ScrapeConfig` polling this console's `/sd/targets` for the
    /// selection; a many-cluster one also scrapes the console's own `/metrics`. With a
    /// login in force the token comes from the Secret `secret` (default
    /// [`operator::DEFAULT_SECRET`]).
    pub fn scrape_config(
        &self,
        selection: &Selection,
        secret: Option<&str>,
        host: Option<&str>,
    ) -> Result<Rendered, AppError> {
        use crate::generate::operator;
        let (name, clusters) = self.scope_name(selection)?;
        let console = self.0.console_url(host);
        let sd_url = match &selection.cluster {
            Some(_) => format!(
                "{console}/sd/targets?cluster={}",
                clusters.first().map(|c| c.id.as_str()).unwrap_or_default()
            ),
            None => format!("{console}/sd/targets?{}", selection.query_string()),
        };
        let object = operator::object_name("msk-", &name);
        let body = operator::scrape_config(&operator::ScrapeTarget {
            name: &object,
            sd_url: &sd_url,
            console_url: selection.cluster.is_none().then_some(console.as_str()),
            secret: self
                .0
                .login_required()
                .then(|| secret.unwrap_or(operator::DEFAULT_SECRET)),
            described: &selection.describe(clusters.len()),
            generated_at: &self.0.now(),
        });
        Ok(Rendered {
            file_name: format!("{object}-scrapeconfig.yaml"),
            content_type: "application/yaml; charset=utf-8".into(),
            body,
        })
    }

    /// A prometheus-operator `PrometheusRule` with the selection's alert rules; a
    /// many-cluster one also holds the rules on the console's own `/metrics`.
    pub fn prometheus_rule(&self, selection: &Selection) -> Result<Rendered, AppError> {
        use crate::generate::{console_rules, operator, rules};
        let (name, clusters) = self.scope_name(selection)?;
        let refs: Vec<&Cluster> = clusters.iter().collect();
        let scope = if selection.is_empty() {
            Scope::All
        } else {
            Scope::Clusters(&refs)
        };
        let mut groups = vec![rules::rule_group(&scope)];
        if selection.cluster.is_none() {
            groups.push(console_rules::console_rule_groups());
        }
        let object = operator::object_name("msk-", &name);
        Ok(Rendered {
            file_name: format!("{object}-prometheusrule.yaml"),
            content_type: "application/yaml; charset=utf-8".into(),
            body: operator::prometheus_rule(
                &object,
                &groups,
                &selection.describe(clusters.len()),
                &self.0.now(),
            ),
        })
    }

    /// A Grafana dashboard of the selection's open monitoring.
    pub fn grafana_dashboard(&self, selection: &Selection) -> Result<Rendered, AppError> {
        use crate::generate::grafana;
        let (name, clusters) = self.scope_name(selection)?;
        let refs: Vec<&Cluster> = clusters.iter().collect();
        let one = selection.cluster.is_some();
        let scope = if selection.is_empty() {
            Scope::All
        } else {
            Scope::Clusters(&refs)
        };
        let uid = grafana::uid(&format!(
            "msk-{}",
            match (one, clusters.first()) {
                (true, Some(c)) => c.id.as_str(),
                _ => name.as_str(),
            }
        ));
        let body = grafana::dashboard(&grafana::DashboardScope {
            scope,
            title: format!("MSK: {}", name.trim()),
            uid: uid.clone(),
            selected: if one {
                clusters.first().map(|c| c.name.as_str())
            } else {
                None
            },
            generated_at: &self.0.now(),
        });
        Ok(Rendered {
            file_name: format!("{uid}-dashboard.json"),
            content_type: "application/json".into(),
            body,
        })
    }

    /// A CloudFormation template of the CloudWatch alarms the selected clusters lack
    /// (404 when none is missing: every key metric has its alarms).
    pub fn cloudwatch_alarms(&self, selection: &Selection) -> Result<Rendered, AppError> {
        let inv = self.0.inventory();
        let clusters = inv.select(selection)?;
        let targets: Vec<AlarmTarget> = clusters
            .iter()
            .map(|c| {
                let reading = inv.cloudwatch.get(&c.id);
                AlarmTarget {
                    cluster: c,
                    coverage: reading.and_then(|r| r.alarms.as_ref()),
                    lag: reading
                        .and_then(|r| r.metrics.as_ref())
                        .map(|m| m.lag.as_slice())
                        .unwrap_or_default(),
                }
            })
            .collect();
        let body = alarm_template(&targets, &selection.describe(clusters.len()), &self.0.now())
            .map_err(AppError::not_found)?;
        let file_name = match (&selection.cluster, clusters.as_slice()) {
            (Some(_), [one]) => format!(
                "{}-cloudwatch-alarms.yaml",
                crate::generate::safe_file_name(&one.name)
            ),
            _ => "msk-cloudwatch-alarms.yaml".to_string(),
        };
        Ok(Rendered {
            file_name,
            content_type: "application/yaml; charset=utf-8".into(),
            body,
        })
    }

    /// The live http_sd answer: the selected clusters' target groups.
    pub fn sd_targets(&self, selection: &Selection) -> Result<Vec<TargetGroup>, AppError> {
        Ok(target_groups_with(
            &self.select(selection)?,
            &self.0.tag_labels(),
        ))
    }

    /// `prometheus.yml` for the selected clusters, reading a downloaded targets file or
    /// polling this console's http_sd endpoint.
    pub fn prometheus_yml(
        &self,
        selection: &Selection,
        kind: FileKind,
        host: Option<&str>,
    ) -> Result<String, AppError> {
        let clusters = self.select(selection)?;
        let discovery = match kind {
            FileKind::PrometheusHttpSd => Discovery::Http {
                url: format!(
                    "{}/sd/targets?{}",
                    self.0.console_url(host),
                    selection.query_string()
                ),
                credentials_file: self.sd_endpoint(host).credentials_file,
            },
            _ => Discovery::File {
                path: "msk-targets.json".into(),
            },
        };
        Ok(prometheus_yml(
            &selection.describe(clusters.len()),
            &discovery,
            "msk-open-monitoring",
            &self.0.now(),
        ))
    }

    /// Where Prometheus reaches the live `/sd/targets`, and with which token file.
    fn sd_endpoint(&self, host: Option<&str>) -> crate::generate::prometheus::SdEndpoint {
        crate::generate::prometheus::SdEndpoint {
            console_url: self.0.console_url(host),
            credentials_file: self
                .0
                .login_required()
                .then(|| crate::generate::prometheus::TOKEN_FILE.to_string()),
        }
    }

    /// What the caller may see and do, for the pages.
    pub fn access(&self, who: &Identity) -> Permissions {
        Permissions::of(who)
    }

    /// Starts a refresh now, for an operator; the audit log names who asked.
    pub async fn request_refresh(&self, who: &Identity) -> Result<RefreshStatus, AppError> {
        operator(who, "start a refresh")?;
        let status = self.0.request_refresh();
        self.0.audit(who, "refresh", "every source".into()).await?;
        Ok(status)
    }

    /// Starts probing one listed cluster (or every cluster) now, for an operator.
    pub async fn request_probe(
        &self,
        who: &Identity,
        cluster: Option<&ClusterKey>,
    ) -> Result<SweepStatus, AppError> {
        operator(who, "start a probe")?;
        let (id, what) = match cluster {
            None => (None, "every cluster".to_string()),
            Some(key) => {
                let c = self.0.inventory().find(key)?.clone();
                (Some(c.id.clone()), format!("{} ({})", c.name, c.id))
            }
        };
        let status = self.0.request_probe(id);
        self.0.audit(who, "probe", what).await?;
        Ok(status)
    }

    /// The newest audit events, for the History page and the JSON API.
    pub async fn activity(&self, limit: PageSize) -> Result<Vec<AuditEvent>, AppError> {
        self.0.activity(limit).await
    }

    /// One page of a cluster's topics, filtered by name (`filter`), as the last topic
    /// refresh read them.
    pub fn topics(
        &self,
        key: &ClusterKey,
        filter: &str,
        page: usize,
    ) -> Result<TopicsPage, AppError> {
        let inv = self.0.inventory();
        let c = inv.find(key)?;
        Ok(TopicsPage::of(
            &c.id,
            &c.name,
            inv.topics.get(&c.id).map(|t| &**t),
            filter,
            page,
        ))
    }

    /// One topic in full. A name the last listing of the cluster did not hold is a 404
    /// without asking MSK.
    pub async fn topic(&self, key: &ClusterKey, name: &TopicName) -> Result<TopicDetail, AppError> {
        let id = {
            let inv = self.0.inventory();
            let c = inv.find(key)?;
            if let Some(t) = inv.topics.get(&c.id).filter(|t| t.read) {
                if !t.topics.iter().any(|s| s.name == name.as_str()) {
                    return Err(AppError::not_found(format!(
                        "Cluster {} has no topic `{name}` (as MSK listed its topics at {}).",
                        c.name, t.checked_at
                    )));
                }
            }
            c.id.clone()
        };
        self.0.topic(id, name.clone()).await
    }

    /// Every consumer group CloudWatch knows on a cluster, most behind first.
    pub fn consumers(&self, key: &ClusterKey) -> Result<Vec<ConsumerLag>, AppError> {
        let inv = self.0.inventory();
        let c = inv.find(key)?;
        let mut lag: Vec<ConsumerLag> = inv.metrics(c).map(|m| m.lag.clone()).unwrap_or_default();
        lag.sort_by(|a, b| {
            let s = |l: &ConsumerLag| l.time_lag_seconds.as_ref().map(|d| d.value);
            s(b).cmp(&s(a))
                .then_with(|| (&a.group, &a.topic).cmp(&(&b.group, &b.topic)))
        });
        Ok(lag)
    }

    /// `GET /metrics`: what Prometheus scrapes of the console itself.
    pub fn metrics(&self) -> Result<String, AppError> {
        self.0.metrics()
    }

    /// One page of the global timeline.
    pub async fn changes(&self, filter: ChangeFilter) -> Result<ChangesPage, AppError> {
        self.0.changes(filter).await
    }

    /// One cluster's timeline page: the same page-size rules for the page and the API.
    pub async fn cluster_history(
        &self,
        id: ClusterId,
        before: Option<ChangeId>,
        limit: PageSize,
    ) -> Result<ClusterHistory, AppError> {
        let current = self.0.inventory().cluster(id.as_str()).is_some();
        self.0.cluster_history(id, before, limit, current).await
    }

    /// What changed between two snapshots of a cluster.
    pub async fn cluster_diff(
        &self,
        id: ClusterId,
        from: Option<SnapshotId>,
        to: Option<SnapshotId>,
    ) -> Result<ClusterDiff, AppError> {
        self.0.cluster_diff(id, from, to).await
    }

    /// A cluster's whole recorded history, oldest first, as a JSON document written as
    /// it is read.
    pub async fn export(&self, id: ClusterId) -> Result<TextStream, AppError> {
        self.0.export(id).await
    }

    pub async fn health(&self) -> Result<Health, AppError> {
        self.0.health().await
    }
}
