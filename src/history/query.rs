//! What the pages and the JSON API ask of the history: timelines, a cluster's history,
//! diffs between snapshots, past states and the export.

use app::error::AppError;
use app::history::{
    diff, ChangeEntry, ChangeFilter, ChangeKind, ChangesPage, ClusterDiff, ClusterHistory,
    ClusterRef, ClusterState, HistoryStats, Trigger, Version, MAX_VERSIONS,
};
use app::model::{ClusterDetail, RecordedAt};
use app::params::{ChangeId, ClusterId, PageSize, SnapshotId};

use app::service::TextStream;
use futures::StreamExt as _;

use super::core::History;
use crate::clock::{now_unix, rfc3339};
use crate::store::timeline::{self, Bounds, ChangeRow, ExportRow, VersionRow};
use crate::store::{Db, StoreError};

/// How many changes the export reads (and holds) at a time.
pub const EXPORT_PAGE: i64 = 50;

/// Where the export of one cluster's history stands.
struct ExportPages {
    pool: Db,
    cluster: String,
    /// Read, not written yet.
    page: Vec<ExportRow>,
    /// The last change written (the next page starts after it).
    after: i64,
    written: u64,
    done: bool,
}

impl From<ChangeRow> for ChangeEntry {
    fn from(r: ChangeRow) -> Self {
        ChangeEntry {
            id: r.id,
            snapshot: r.snapshot_id,
            at: rfc3339(r.taken_at),
            trigger: Trigger::from_stored(&r.trigger),
            cluster_id: r.cluster_id,
            cluster_name: r.cluster_name,
            source: r.source,
            region: r.region,
            kinds: ChangeKind::from_mask(r.kinds as u32),
            summary: r.summary,
        }
    }
}

/// A recorded state and its version line.
type Found = (Version, Option<ClusterState>);

fn found(r: VersionRow) -> Result<Found, StoreError> {
    let state = r
        .body
        .map(|b| serde_json::from_str::<ClusterState>(&b))
        .transpose()?;
    Ok((
        Version {
            snapshot: r.snapshot_id,
            at: rfc3339(r.taken_at),
            summary: r.summary,
            removed: state.is_none(),
        },
        state,
    ))
}

impl History {
    /// One page of changes and where the next one starts.
    async fn entries(
        &self,
        f: &ChangeFilter,
    ) -> Result<(Vec<ChangeEntry>, Option<i64>), StoreError> {
        let limit = f.limit.get() as usize;
        let rows = timeline::changes(&self.pool, f, limit as i64 + 1).await?;
        let mut entries: Vec<ChangeEntry> = rows.into_iter().map(ChangeEntry::from).collect();
        let next = if entries.len() > limit {
            entries.truncate(limit);
            entries.last().map(|e| e.id)
        } else {
            None
        };
        Ok((entries, next))
    }

    /// The history's totals.
    async fn stats(&self, bounds: Bounds) -> Result<HistoryStats, StoreError> {
        let counts = timeline::counts(&self.pool).await?;
        Ok(HistoryStats {
            snapshots: counts.snapshots,
            checks: counts.checks,
            first_at: bounds.first.map(rfc3339),
            last_checked_at: bounds.last.map(rfc3339),
            retention_days: self.retention.as_secs() / 86_400,
        })
    }

    /// One page of the global timeline, with the filters' choices and the coverage chart.
    /// Its five queries are independent and run at once, each on its own connection.
    pub async fn changes(&self, f: &ChangeFilter) -> Result<ChangesPage, AppError> {
        let bounds = timeline::bounds(&self.pool).await?;
        let clusters = async {
            Ok::<_, StoreError>(
                timeline::clusters(&self.pool)
                    .await?
                    .into_iter()
                    .map(|r| ClusterRef {
                        id: r.cluster_id,
                        name: r.cluster_name,
                        region: r.region,
                    })
                    .collect(),
            )
        };
        let ((entries, next_before), stats, sources, clusters, chart) = tokio::try_join!(
            self.entries(f),
            self.stats(bounds),
            timeline::sources(&self.pool),
            clusters,
            self.coverage_chart(bounds),
        )?;
        Ok(ChangesPage {
            entries,
            next_before,
            sources,
            clusters,
            chart,
            stats,
        })
    }

    async fn versions(&self, id: &ClusterId) -> Result<Vec<Version>, StoreError> {
        Ok(
            timeline::versions(&self.pool, id.as_str(), MAX_VERSIONS as i64)
                .await?
                .into_iter()
                .map(|r| Version {
                    snapshot: r.snapshot_id,
                    at: rfc3339(r.taken_at),
                    summary: r.summary,
                    removed: r.removed,
                })
                .collect(),
        )
    }

    /// A cluster's timeline (newest first, paged), its chart and its recorded versions.
    /// `current` says whether the cluster is in today's inventory.
    pub async fn cluster_history(
        &self,
        id: &ClusterId,
        before: Option<ChangeId>,
        limit: PageSize,
        current: bool,
    ) -> Result<ClusterHistory, AppError> {
        let versions = self.versions(id).await?;
        let Some(latest) = timeline::cluster(&self.pool, id.as_str()).await? else {
            return Err(AppError::not_found(format!(
                "No history is recorded for cluster `{id}`. The console records a cluster from its first refresh on."
            )));
        };
        let (entries, next_before) = self
            .entries(&ChangeFilter {
                cluster: Some(id.clone()),
                before,
                limit,
                ..ChangeFilter::default()
            })
            .await?;
        Ok(ClusterHistory {
            chart: self.cluster_chart(id, &latest.cluster_name).await?,
            cluster_id: id.to_string(),
            cluster_name: latest.cluster_name,
            source: latest.source,
            region: latest.region,
            current,
            entries,
            next_before,
            versions,
        })
    }

    /// The cluster's recorded state in force at `snapshot`: the version and the state
    /// (`None` if the cluster had been removed then). `None` if nothing was recorded yet.
    async fn version_at(&self, id: &ClusterId, snapshot: i64) -> Result<Option<Found>, StoreError> {
        timeline::version_at(&self.pool, id.as_str(), snapshot)
            .await?
            .map(found)
            .transpose()
    }

    /// What changed in a cluster between two snapshots. `to` defaults to the latest
    /// recorded state, `from` to the state just before `to`.
    pub async fn diff(
        &self,
        id: &ClusterId,
        from: Option<SnapshotId>,
        to: Option<SnapshotId>,
    ) -> Result<ClusterDiff, AppError> {
        // Without `to`, the latest state: the one in force at the largest snapshot id.
        let to_snap = to.map_or(i64::MAX, |s| s.0);
        let Some((to_version, to_state)) = self.version_at(id, to_snap).await? else {
            return Err(AppError::not_found(
                match timeline::latest_snapshot_of(&self.pool, id.as_str()).await? {
                    None => format!("No history is recorded for cluster `{id}`."),
                    Some(_) => format!(
                        "Cluster `{id}` has no recorded state at or before snapshot {to_snap}."
                    ),
                },
            ));
        };
        let from_snap = from.map_or(to_version.snapshot - 1, |s| s.0);
        let (from_version, from_state) = match self.version_at(id, from_snap).await? {
            Some((v, s)) => (Some(v), s),
            None => (None, None),
        };
        let entries = diff(from_state.as_ref(), to_state.as_ref());
        let name = to_state
            .as_ref()
            .or(from_state.as_ref())
            .map(|s| s.cluster.name.clone())
            .unwrap_or_else(|| id.to_string());
        Ok(ClusterDiff {
            cluster_id: id.to_string(),
            cluster_name: name,
            from: from_version,
            to: to_version,
            entries,
            versions: self.versions(id).await?,
        })
    }

    /// The cluster as recorded at `snapshot`, for the cluster page and its downloads.
    pub async fn state_at(
        &self,
        id: &ClusterId,
        snapshot: SnapshotId,
    ) -> Result<(ClusterState, RecordedAt), AppError> {
        let latest = timeline::latest_snapshot_of(&self.pool, id.as_str()).await?;
        match self.version_at(id, snapshot.0).await? {
            Some((v, Some(state))) => Ok((
                state,
                RecordedAt {
                    snapshot: snapshot.0,
                    since: v.at,
                    latest: latest == Some(v.snapshot),
                },
            )),
            Some((v, None)) => {
                let before = self
                    .version_at(id, v.snapshot - 1)
                    .await?
                    .map(|(b, _)| b.snapshot);
                Err(AppError::not_found(format!(
                    "Cluster `{id}` was removed from the inventory at {} (snapshot {}).{}",
                    v.at,
                    v.snapshot,
                    before
                        .map(|b| format!(" Its last recorded state is at snapshot {b}."))
                        .unwrap_or_default()
                )))
            }
            None => Err(AppError::not_found(format!(
                "Cluster `{id}` has no recorded state at or before snapshot {snapshot}. Its history page lists the snapshots."
            ))),
        }
    }

    /// The cluster page's data for a past snapshot: the recorded cluster and what its
    /// exporters answered then.
    pub async fn detail_at(
        &self,
        id: &ClusterId,
        snapshot: SnapshotId,
    ) -> Result<ClusterDetail, AppError> {
        let (state, recorded) = self.state_at(id, snapshot).await?;
        Ok(ClusterDetail {
            cloudwatch: None,
            reachability: state.reachability(&recorded.since),
            health: state
                .health
                .as_ref()
                .map(|h| app::model::ClusterHealth::recorded(h.state)),
            cluster: state.cluster,
            sample: false,
            sweep: Default::default(),
            recorded: Some(recorded),
        })
    }

    /// Everything recorded about a cluster, oldest first, with every state in full: a
    /// JSON document written as it is read, a page of changes at a time
    /// ([`EXPORT_PAGE`]), so a cluster with years of history costs one page of memory.
    pub async fn export(&self, id: &ClusterId) -> Result<TextStream, AppError> {
        let first = timeline::export_page(&self.pool, id.as_str(), 0, EXPORT_PAGE).await?;
        if first.is_empty() {
            return Err(AppError::not_found(format!(
                "No history is recorded for cluster `{id}`."
            )));
        }
        let stats = self.stats(timeline::bounds(&self.pool).await?).await?;
        let head = format!(
            "{{\"cluster_id\":{},\"exported_at\":{},\"retention_days\":{},\"last_checked_at\":{},\"changes\":[",
            serde_json::Value::from(id.as_str()),
            serde_json::Value::from(rfc3339(now_unix())),
            stats.retention_days,
            serde_json::to_value(&stats.last_checked_at).unwrap_or_default(),
        );
        let pages = ExportPages {
            pool: self.pool.clone(),
            cluster: id.as_str().to_string(),
            page: first,
            after: 0,
            written: 0,
            done: false,
        };
        let body = futures::stream::unfold(pages, |mut st| async move {
            if st.done {
                return None;
            }
            if st.page.is_empty() {
                match timeline::export_page(&st.pool, &st.cluster, st.after, EXPORT_PAGE).await {
                    Ok(rows) if rows.is_empty() => {
                        st.done = true;
                        return Some((Ok("\n]}\n".to_string()), st));
                    }
                    Ok(rows) => st.page = rows,
                    Err(e) => {
                        st.done = true;
                        return Some((Err(AppError::from(e)), st));
                    }
                }
            }
            let mut chunk = String::new();
            for r in std::mem::take(&mut st.page) {
                st.after = r.id;
                let state: serde_json::Value = match r.body.as_deref().map(serde_json::from_str) {
                    Some(Ok(v)) => v,
                    Some(Err(e)) => {
                        st.done = true;
                        return Some((Err(AppError::from(StoreError::from(e))), st));
                    }
                    None => serde_json::Value::Null,
                };
                let change = serde_json::json!({
                    "snapshot": r.snapshot_id,
                    "at": rfc3339(r.taken_at),
                    "trigger": Trigger::from_stored(&r.trigger),
                    "kinds": ChangeKind::from_mask(r.kinds as u32),
                    "summary": r.summary,
                    "state": state,
                });
                chunk.push_str(if st.written == 0 { "\n" } else { ",\n" });
                chunk.push_str(&change.to_string());
                st.written += 1;
            }
            Some((Ok(chunk), st))
        });
        Ok(Box::pin(
            futures::stream::once(async { Ok(head) }).chain(body),
        ))
    }
}
