//! The server's side of [`app::service::ConsoleService`]: the inventory, the prober, the
//! history and the truststore behind the one service every door (pages, JSON API,
//! downloads) asks.

use std::net::SocketAddr;
use std::sync::Arc;

use crate::store::Db;
use app::error::AppError;
use app::generate::prometheus::TagLabels;
use app::history::{ChangeFilter, ChangesPage, ClusterDiff, ClusterHistory};
use app::model::topics::{TopicDetail, TopicName};
use app::model::{AuditEvent, ClusterDetail, Identity, Inventory, RefreshStatus, SweepStatus};
use app::params::{ChangeId, ClusterId, ClusterKey, PageSize, SnapshotId};
use app::service::{ConsoleService, Fut, Health};

use crate::cloudwatch::CloudWatchService;
use crate::history::History;
use crate::inventory::InventoryService;
use crate::prober::ProbeService;
use crate::replica::{LeaderRequest, Replica};
use crate::truststore::Truststore;

/// What the service is built from.
pub struct ServerConsole {
    pub inventory: Arc<InventoryService>,
    pub probes: Arc<ProbeService>,
    /// The CloudWatch reader (none with `--no-cloudwatch` or in a one-shot command).
    pub cloudwatch: Option<Arc<CloudWatchService>>,
    /// The topic reader (none with `--no-topics` or in a one-shot command).
    pub topics: Option<Arc<crate::topics::TopicService>>,
    /// The fleet's `/metrics` text of the current inventory version.
    pub fleet_metrics: crate::telemetry::fleet::Cache,
    /// Whether this console leads; a follower passes refreshes and probes on.
    pub replica: Arc<Replica>,
    pub history: Arc<History>,
    pub truststore: Arc<Truststore>,
    pub pool: Db,
    /// `--public-url`: how Prometheus reaches the console, if not by the request's Host.
    pub public_url: Option<String>,
    /// The listen address, the last resort for the console's own URL.
    pub listen: SocketAddr,
    /// Which tags become target labels.
    pub tag_labels: TagLabels,
    /// Whether callers must sign in or send a token.
    pub login_required: bool,
}

/// How Prometheus reaches the console: `--public-url`, else the request's `Host` header
/// (when it is a valid authority), else the listen address.
pub fn console_url(public_url: Option<&str>, listen: SocketAddr, host: Option<&str>) -> String {
    if let Some(u) = public_url {
        return u.trim_end_matches('/').to_string();
    }
    host.and_then(|h| h.parse::<axum::http::uri::Authority>().ok())
        .map(|a| format!("http://{a}"))
        .unwrap_or_else(|| format!("http://{listen}"))
}

impl ConsoleService for ServerConsole {
    fn inventory(&self) -> Arc<Inventory> {
        self.inventory.inventory()
    }

    fn request_refresh(&self) -> RefreshStatus {
        if self.replica.role().leads() {
            return self.inventory.request_refresh();
        }
        self.replica
            .forward(LeaderRequest::Refresh, &self.inventory);
        self.inventory.inventory().refresh.clone()
    }

    fn request_probe(&self, cluster: Option<ClusterId>) -> SweepStatus {
        if !self.replica.role().leads() {
            let request = match cluster {
                Some(id) => LeaderRequest::Probe(id),
                None => LeaderRequest::ProbeAll,
            };
            self.replica.forward(request, &self.inventory);
            return self.inventory.inventory().sweep.clone();
        }
        // CloudWatch is read again too: "Probe now" asks for every figure.
        if let Some(cw) = &self.cloudwatch {
            cw.request();
        }
        self.probes.request(cluster)
    }

    fn now(&self) -> String {
        crate::clock::now_rfc3339()
    }

    fn console_url(&self, host: Option<&str>) -> String {
        console_url(self.public_url.as_deref(), self.listen, host)
    }

    fn changes(&self, filter: ChangeFilter) -> Fut<'_, ChangesPage> {
        Box::pin(async move { self.history.changes(&filter).await })
    }

    fn cluster_history(
        &self,
        id: ClusterId,
        before: Option<ChangeId>,
        limit: PageSize,
        current: bool,
    ) -> Fut<'_, ClusterHistory> {
        Box::pin(async move {
            self.history
                .cluster_history(&id, before, limit, current)
                .await
        })
    }

    fn cluster_diff(
        &self,
        id: ClusterId,
        from: Option<SnapshotId>,
        to: Option<SnapshotId>,
    ) -> Fut<'_, ClusterDiff> {
        Box::pin(async move { self.history.diff(&id, from, to).await })
    }

    fn cluster_at(&self, id: ClusterId, snapshot: SnapshotId) -> Fut<'_, ClusterDetail> {
        Box::pin(async move { self.history.detail_at(&id, snapshot).await })
    }

    fn export(&self, id: ClusterId) -> Fut<'_, app::service::TextStream> {
        Box::pin(async move { self.history.export(&id).await })
    }

    fn truststore(&self, password: String) -> Fut<'_, Vec<u8>> {
        Box::pin(async move { self.truststore.pkcs12(&password).await })
    }

    fn tag_labels(&self) -> TagLabels {
        self.tag_labels.clone()
    }

    fn login_required(&self) -> bool {
        self.login_required
    }

    fn audit(&self, who: &Identity, action: &'static str, detail: String) -> Fut<'_, ()> {
        let actor = who.display();
        Box::pin(async move {
            tracing::info!(target: "audit", %actor, action, %detail, "audit");
            if let Err(e) = crate::store::access::insert_audit(
                &self.pool,
                crate::clock::now_unix(),
                &actor,
                action,
                &detail,
            )
            .await
            {
                // The action itself went ahead; the log line above still records it.
                tracing::error!(error = %e, "writing an audit event failed");
            }
            Ok(())
        })
    }

    fn topic(&self, id: ClusterId, name: TopicName) -> Fut<'_, TopicDetail> {
        Box::pin(async move {
            let Some(topics) = &self.topics else {
                return Err(AppError::not_found(
                    "This console does not read topics (--no-topics).",
                ));
            };
            let inv = self.inventory.live().inventory();
            let c = inv.find(&ClusterKey::Id(id))?;
            Ok((*topics.describe(c, &name).await?).clone())
        })
    }

    fn metrics(&self) -> Result<String, AppError> {
        let live = self.inventory.live();
        // The version first: an inventory published meanwhile is newer, never older.
        let version = live.version();
        let failed = |_| AppError::internal("the metrics could not be written");
        let fleet = self
            .fleet_metrics
            .text(version, &live.inventory())
            .map_err(failed)?;
        let mut out = live.telemetry().encode().map_err(failed)?;
        out.push_str(&fleet);
        Ok(out)
    }

    fn activity(&self, limit: PageSize) -> Fut<'_, Vec<AuditEvent>> {
        Box::pin(async move {
            let rows =
                crate::store::access::recent_audit(&self.pool, i64::from(limit.get())).await?;
            Ok(rows
                .into_iter()
                .map(|r| AuditEvent {
                    id: r.id,
                    at: crate::clock::rfc3339(r.at),
                    actor: r.actor,
                    action: r.action,
                    detail: r.detail,
                })
                .collect())
        })
    }

    fn health(&self) -> Fut<'_, Health> {
        Box::pin(async move {
            let r = self.replica.status();
            Ok::<_, AppError>(Health {
                database: crate::store::ping(&self.pool).await,
                replica: app::service::ReplicaHealth {
                    role: r.role.name(),
                    name: r.name,
                    leader: r.leader,
                    view_version: r.view_version,
                    view_written_at: r.view_written_at.map(crate::clock::rfc3339),
                    view_age_ms: r.view_age.map(|d| d.as_millis() as u64),
                },
            })
        })
    }
}
