//! The snapshot history: what every cluster looked like after each refresh and each
//! exporter sweep, kept in SQLite.
//!
//! Storage grows with changes, not with time. For every cluster the recorder keeps its
//! latest [`ClusterState`] in memory (the *heads*) and compares the new state with it;
//! a check that changes nothing only moves the latest snapshot's `checked_at`. When
//! something changed, one transaction writes the snapshot row, the new states (content
//! addressed: a state seen before is not stored again) and one `changes` row per
//! changed cluster with its kinds and a one-line summary. A crash at any point leaves
//! the snapshot whole or absent: SQLite discards an uncommitted WAL tail on open.
//!
//! Reads (timelines, diffs, charts, past states) run on the pool's other connections
//! and never wait for the writer, because the database is in WAL mode.
//!
//! Charts are step lines over at most 360 intervals. An interval shows its extreme (the
//! lowest coverage, the most brokers), then the value it ended with, so a short outage
//! is visible but not drawn for the quiet weeks after it. Intervals have fixed bounds
//! (multiples of a step from [`interval_for`]). The global coverage chart spans the
//! whole retention window, so its intervals are summed up once and then topped up with
//! the snapshots recorded since; a cluster's chart has few rows and is summed up per view.
//!
//! Retention prunes, on a schedule, every state that was superseded before the cutoff,
//! and never a cluster's latest state (nor, for a removed cluster, its last state before
//! the removal).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use app::api::check_cluster_id;
use app::error::AppError;
use app::history::{
    bucket_points, diff, interval_for, kinds_of, summary, Bucket, ChangeEntry, ChangeFilter,
    ChangeKind, ChangesPage, Chart, ClusterDiff, ClusterHistory, ClusterRef, ClusterState,
    DiffEntry, HistoryStats, RecordedAt, Series, Version, DEFAULT_PAGE, MAX_PAGE, MAX_VERSIONS,
};
use app::model::{coverage, ClusterDetail, CoverageStatus, Inventory};
use sha2::{Digest, Sha256};
use sqlx::{QueryBuilder, Sqlite, SqlitePool};
use tokio::sync::{watch, Mutex};

use crate::{now_unix, rfc3339};

/// What took a snapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    Refresh,
    Probe,
}

impl Trigger {
    fn as_str(self) -> &'static str {
        match self {
            Trigger::Refresh => "refresh",
            Trigger::Probe => "probe",
        }
    }
}

/// What one call to [`History::record`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
    /// The new snapshot, or `None` when nothing changed (only the check time moved).
    pub snapshot: Option<i64>,
    pub changes: usize,
}

/// What one prune removed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    pub changes: u64,
    pub snapshots: u64,
    pub states: u64,
}

/// The latest recorded state of one cluster.
struct Head {
    /// `None`: the cluster was removed.
    state: Option<ClusterState>,
    name: String,
    source: String,
    region: String,
}

/// A change about to be written.
struct Pending {
    cluster_id: String,
    name: String,
    source: String,
    region: String,
    state: Option<ClusterState>,
    entries: Vec<DiffEntry>,
}

/// Buckets a chart is reduced to: enough for a 720-unit-wide SVG.
const CHART_BUCKETS: i64 = 360;

/// The coverage chart's intervals, summed up once and then only topped up with the
/// snapshots recorded since: the global chart spans the whole retention window, and
/// summing up a year of snapshots on every view of `/history` would cost tens of ms.
/// Intervals have fixed bounds (multiples of `interval` seconds), so a summed-up interval
/// stays valid as the window moves; a prune clears the cache.
struct CoverageCache {
    interval: i64,
    /// The newest snapshot taken in.
    upto: i64,
    /// Interval number (`taken_at / interval`) → brokers covered %, clusters covered %.
    buckets: BTreeMap<i64, (Bucket, Bucket)>,
}

pub struct History {
    pool: SqlitePool,
    retention: Duration,
    heads: Mutex<Option<HashMap<String, Head>>>,
    coverage: Mutex<Option<CoverageCache>>,
    /// Counts finished `record` calls (tests wait on it).
    recorded: watch::Sender<u64>,
}

fn db_error(e: sqlx::Error) -> AppError {
    tracing::error!(error = %e, "history query failed");
    AppError::Unavailable(
        "The history database could not be read just now. Try again; the server log has the details."
            .into(),
    )
}

/// Unix seconds as a short label for chart axes (`2026-11-25 14:31 UTC`).
fn short_time(t: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(t) {
        Ok(d) => format!(
            "{:04}-{:02}-{:02} {:02}:{:02} UTC",
            d.year(),
            u8::from(d.month()),
            d.day(),
            d.hour(),
            d.minute()
        ),
        Err(_) => t.to_string(),
    }
}

type ChangeRow = (
    i64,
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
);

/// A snapshot for the coverage chart: time, % brokers covered, % clusters covered.
type CoverageRow = (i64, Option<f64>, Option<f64>);
/// An interval of the coverage chart: its number, first and last time, then the lowest
/// and the last % of brokers covered, and of clusters covered.
type CoverageBucketRow = (
    i64,
    i64,
    i64,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<f64>,
);
/// An interval of a cluster's chart: first and last time, then the most and the last
/// brokers, the fewest and the last JMX exporters up, and node exporters up.
type ClusterChartRow = (
    i64,
    i64,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

fn entry(r: ChangeRow) -> ChangeEntry {
    ChangeEntry {
        id: r.0,
        snapshot: r.1,
        at: rfc3339(r.2),
        trigger: r.3,
        cluster_id: r.4,
        cluster_name: r.5,
        source: r.6,
        region: r.7,
        kinds: ChangeKind::from_mask(r.8 as u32),
        summary: r.9,
    }
}

impl History {
    pub fn new(pool: SqlitePool, retention: Duration) -> Arc<History> {
        Arc::new(History {
            pool,
            retention,
            heads: Mutex::new(None),
            coverage: Mutex::new(None),
            recorded: watch::channel(0).0,
        })
    }

    /// Records after every refresh and sweep the inventory publishes, and prunes every
    /// `prune_every` (and once now).
    pub fn start(self: &Arc<Self>, inventory: Arc<crate::InventoryService>, prune_every: Duration) {
        let history = self.clone();
        tokio::spawn(async move {
            let mut rx = inventory.subscribe();
            // Generation 0 is "nothing finished yet". Starting from it (not from the
            // current value) records a refresh that finished before this task first ran.
            let (mut refreshes, mut sweeps) = (0, 0);
            loop {
                let inv = rx.borrow_and_update().clone();
                let trigger = if inv.refresh.generation != refreshes {
                    Some(Trigger::Refresh)
                } else if inv.sweep.generation != sweeps {
                    Some(Trigger::Probe)
                } else {
                    None
                };
                refreshes = inv.refresh.generation;
                sweeps = inv.sweep.generation;
                if let Some(trigger) = trigger {
                    if let Err(e) = history.record(&inv, trigger, now_unix()).await {
                        tracing::warn!(error = %e, "could not record a history snapshot; the next check tries again");
                    }
                }
                if rx.changed().await.is_err() {
                    return;
                }
            }
        });
        let history = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(prune_every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                match history.prune(now_unix()).await {
                    Ok(p) if p != Pruned::default() => {
                        tracing::info!(
                            changes = p.changes,
                            snapshots = p.snapshots,
                            states = p.states,
                            "pruned the history"
                        )
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "could not prune the history"),
                }
            }
        });
    }

    /// A receiver of the number of finished `record` calls.
    pub fn subscribe_recorded(&self) -> watch::Receiver<u64> {
        self.recorded.subscribe()
    }

    pub fn retention(&self) -> Duration {
        self.retention
    }

    async fn load_heads(&self) -> Result<HashMap<String, Head>, sqlx::Error> {
        let rows: Vec<(String, String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT c.cluster_id, c.cluster_name, c.source, c.region, s.body \
             FROM changes c LEFT JOIN states s ON s.id = c.state_id \
             WHERE c.id IN (SELECT MAX(id) FROM changes GROUP BY cluster_id)",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut heads = HashMap::with_capacity(rows.len());
        for (id, name, source, region, body) in rows {
            let state = match body.map(|b| serde_json::from_str::<ClusterState>(&b)) {
                Some(Ok(s)) => Some(s),
                // A state this version cannot read: the next check records a fresh one.
                Some(Err(e)) => {
                    tracing::warn!(cluster = %id, error = %e, "unreadable recorded state");
                    None
                }
                None => None,
            };
            heads.insert(
                id,
                Head {
                    state,
                    name,
                    source,
                    region,
                },
            );
        }
        Ok(heads)
    }

    /// Records what `inv` says, at `at` (Unix seconds): a new snapshot if any cluster
    /// changed, else only the check time.
    pub async fn record(
        &self,
        inv: &Inventory,
        trigger: Trigger,
        at: i64,
    ) -> Result<Recorded, sqlx::Error> {
        let result = self.record_inner(inv, trigger, at).await;
        self.recorded.send_modify(|n| *n += 1);
        result
    }

    async fn record_inner(
        &self,
        inv: &Inventory,
        trigger: Trigger,
        at: i64,
    ) -> Result<Recorded, sqlx::Error> {
        // A console with no source watched nothing: that confirms no state.
        if inv.sources.is_empty() && inv.clusters.is_empty() {
            return Ok(Recorded {
                snapshot: None,
                changes: 0,
            });
        }
        let mut guard = self.heads.lock().await;
        if guard.is_none() {
            *guard = Some(self.load_heads().await?);
        }
        let heads = guard.as_mut().expect("heads loaded");

        let mut pending = Vec::new();
        let mut present = HashSet::with_capacity(inv.clusters.len());
        for c in &inv.clusters {
            present.insert(c.id.as_str());
            let old = heads.get(&c.id).and_then(|h| h.state.as_ref());
            // A cluster whose details could not all be fetched this time keeps its
            // recorded state: a failed call is not a change.
            if c.partial_error.is_some() && old.is_some() {
                continue;
            }
            let new = ClusterState::of(c, inv.reachability.get(&c.id));
            if old == Some(&new) {
                continue;
            }
            let entries = diff(old, Some(&new));
            pending.push(Pending {
                cluster_id: c.id.clone(),
                name: c.name.clone(),
                source: c.source.clone(),
                region: c.region.clone(),
                state: Some(new),
                entries,
            });
        }
        // A cluster that is gone while its source still lists fine was removed. One whose
        // source failed is only out of sight, and one whose source is no longer
        // configured is no longer watched: neither is a change of the cluster.
        let mut listing: HashMap<&str, bool> = HashMap::new();
        for s in &inv.sources {
            *listing.entry(s.source.as_str()).or_insert(true) &= s.error.is_none();
        }
        let mut gone: Vec<(&String, &Head)> = heads
            .iter()
            .filter(|(id, h)| {
                h.state.is_some()
                    && !present.contains(id.as_str())
                    && listing.get(h.source.as_str()) == Some(&true)
            })
            .collect();
        gone.sort_by(|a, b| a.0.cmp(b.0));
        for (id, h) in gone {
            pending.push(Pending {
                cluster_id: id.clone(),
                name: h.name.clone(),
                source: h.source.clone(),
                region: h.region.clone(),
                state: None,
                entries: diff(h.state.as_ref(), None),
            });
        }

        if pending.is_empty() {
            sqlx::query(
                "UPDATE snapshots SET checked_at = MAX(checked_at, ?1), checks = checks + 1 \
                 WHERE id = (SELECT MAX(id) FROM snapshots)",
            )
            .bind(at)
            .execute(&self.pool)
            .await?;
            return Ok(Recorded {
                snapshot: None,
                changes: 0,
            });
        }

        let cov = coverage(inv, None, None);
        let monitored: Vec<_> = cov
            .clusters
            .iter()
            .filter(|c| {
                matches!(
                    c.status,
                    CoverageStatus::Covered | CoverageStatus::Partial | CoverageStatus::Unreachable
                )
            })
            .collect();
        let monitored_brokers: usize = monitored.iter().map(|c| c.brokers).sum();
        let covered_clusters = monitored
            .iter()
            .filter(|c| c.status == CoverageStatus::Covered)
            .count();

        tracing::info!(
            trigger = trigger.as_str(),
            changes = pending.len(),
            "recording a history snapshot"
        );
        let started = std::time::Instant::now();
        let mut tx = self.pool.begin().await?;
        let snapshot: i64 = sqlx::query_scalar(
            "INSERT INTO snapshots (trigger, taken_at, checked_at, changes, clusters, brokers, \
             monitored_clusters, covered_clusters, monitored_brokers, covered_brokers) \
             VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING id",
        )
        .bind(trigger.as_str())
        .bind(at)
        .bind(pending.len() as i64)
        .bind(cov.totals.clusters as i64)
        .bind(cov.totals.brokers as i64)
        .bind(monitored.len() as i64)
        .bind(covered_clusters as i64)
        .bind(monitored_brokers as i64)
        .bind(cov.totals.brokers_covered as i64)
        .fetch_one(&mut *tx)
        .await?;
        for p in &pending {
            let state_id = match &p.state {
                None => None,
                Some(s) => {
                    let body =
                        serde_json::to_string(s).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
                    let hash = format!("{:x}", Sha256::digest(body.as_bytes()));
                    let existing: Option<i64> = sqlx::query_scalar(
                        "SELECT id FROM states WHERE cluster_id = ? AND hash = ?",
                    )
                    .bind(&p.cluster_id)
                    .bind(&hash)
                    .fetch_optional(&mut *tx)
                    .await?;
                    match existing {
                        Some(id) => Some(id),
                        None => Some(
                            sqlx::query_scalar(
                                "INSERT INTO states (cluster_id, hash, body) VALUES (?, ?, ?) RETURNING id",
                            )
                            .bind(&p.cluster_id)
                            .bind(&hash)
                            .bind(&body)
                            .fetch_one(&mut *tx)
                            .await?,
                        ),
                    }
                }
            };
            let (brokers, jmx_up, node_up) = p
                .state
                .as_ref()
                .map(ClusterState::counts)
                .unwrap_or((0, None, None));
            sqlx::query(
                "INSERT INTO changes (snapshot_id, cluster_id, cluster_name, source, region, state_id, \
                 kinds, summary, brokers, jmx_up, node_up) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(snapshot)
            .bind(&p.cluster_id)
            .bind(&p.name)
            .bind(&p.source)
            .bind(&p.region)
            .bind(state_id)
            .bind(i64::from(kinds_of(&p.entries)))
            .bind(summary(&p.entries))
            .bind(i64::from(brokers))
            .bind(jmx_up.map(i64::from))
            .bind(node_up.map(i64::from))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        tracing::info!(
            snapshot,
            changes = pending.len(),
            ms = started.elapsed().as_millis() as u64,
            "recorded a history snapshot"
        );

        let changes = pending.len();
        for p in pending {
            heads.insert(
                p.cluster_id,
                Head {
                    state: p.state,
                    name: p.name,
                    source: p.source,
                    region: p.region,
                },
            );
        }
        Ok(Recorded {
            snapshot: Some(snapshot),
            changes,
        })
    }

    /// Removes what was superseded before `now - retention`, in one transaction.
    pub async fn prune(&self, now: i64) -> Result<Pruned, sqlx::Error> {
        let cutoff = now.saturating_sub(self.retention.as_secs() as i64);
        let mut tx = self.pool.begin().await?;
        // A change goes when a later change of its cluster was taken before the cutoff:
        // it was no longer the cluster's state anywhere inside the retention window.
        let changes = sqlx::query(
            "DELETE FROM changes WHERE id IN ( \
               SELECT c.id FROM changes c \
               WHERE EXISTS (SELECT 1 FROM changes n JOIN snapshots ns ON ns.id = n.snapshot_id \
                             WHERE n.cluster_id = c.cluster_id AND n.id > c.id AND ns.taken_at < ?1) \
                 AND c.id IS NOT (SELECT MAX(m.id) FROM changes m \
                                  WHERE m.cluster_id = c.cluster_id AND m.state_id IS NOT NULL))",
        )
        .bind(cutoff)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let snapshots = sqlx::query(
            "DELETE FROM snapshots WHERE taken_at < ?1 \
               AND NOT EXISTS (SELECT 1 FROM changes WHERE snapshot_id = snapshots.id) \
               AND id <> (SELECT MAX(id) FROM snapshots)",
        )
        .bind(cutoff)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        // Kept snapshots say how many changes they still hold.
        sqlx::query(
            "UPDATE snapshots SET changes = (SELECT COUNT(*) FROM changes WHERE snapshot_id = snapshots.id) \
             WHERE taken_at < ?1",
        )
        .bind(cutoff)
        .execute(&mut *tx)
        .await?;
        let states = sqlx::query(
            "DELETE FROM states WHERE NOT EXISTS (SELECT 1 FROM changes WHERE state_id = states.id)",
        )
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        // Summed-up coverage intervals may hold what was just pruned.
        if snapshots > 0 {
            *self.coverage.lock().await = None;
        }
        Ok(Pruned {
            changes,
            snapshots,
            states,
        })
    }

    async fn entries(&self, f: &ChangeFilter) -> Result<(Vec<ChangeEntry>, Option<i64>), AppError> {
        let limit = match f.limit {
            0 => DEFAULT_PAGE,
            n => n.min(MAX_PAGE),
        };
        let mut qb: QueryBuilder<Sqlite> = QueryBuilder::new(
            "SELECT c.id, c.snapshot_id, s.taken_at, s.trigger, c.cluster_id, c.cluster_name, \
             c.source, c.region, c.kinds, c.summary \
             FROM changes c JOIN snapshots s ON s.id = c.snapshot_id WHERE 1 = 1",
        );
        if let Some(c) = &f.cluster {
            qb.push(" AND c.cluster_id = ").push_bind(c.clone());
        }
        if let Some(s) = &f.source {
            qb.push(" AND c.source = ").push_bind(s.clone());
        }
        if let Some(k) = f.kind {
            qb.push(" AND (c.kinds & ")
                .push_bind(i64::from(k.bit()))
                .push(") != 0");
        }
        if let Some(b) = f.before {
            qb.push(" AND c.id < ").push_bind(b);
        }
        qb.push(" ORDER BY c.id DESC LIMIT ")
            .push_bind(i64::from(limit) + 1);
        let rows: Vec<ChangeRow> = qb
            .build_query_as()
            .fetch_all(&self.pool)
            .await
            .map_err(db_error)?;
        let mut entries: Vec<ChangeEntry> = rows.into_iter().map(entry).collect();
        let next = if entries.len() > limit as usize {
            entries.truncate(limit as usize);
            entries.last().map(|e| e.id)
        } else {
            None
        };
        Ok((entries, next))
    }

    /// The oldest snapshot's time and the last check's (both index lookups: only the
    /// newest snapshot's `checked_at` ever moves, and it moves forward).
    async fn bounds(&self) -> Result<(Option<i64>, Option<i64>), AppError> {
        sqlx::query_as(
            "SELECT (SELECT MIN(taken_at) FROM snapshots), \
                    (SELECT checked_at FROM snapshots ORDER BY id DESC LIMIT 1)",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(db_error)
    }

    /// The history's totals. `bounds` is what [`History::bounds`] found.
    async fn stats(
        &self,
        (first, last): (Option<i64>, Option<i64>),
    ) -> Result<HistoryStats, AppError> {
        let (snapshots, checks): (i64, i64) =
            sqlx::query_as("SELECT COUNT(*), COALESCE(SUM(checks), 0) FROM snapshots")
                .fetch_one(&self.pool)
                .await
                .map_err(db_error)?;
        Ok(HistoryStats {
            snapshots,
            checks,
            first_at: first.map(rfc3339),
            last_checked_at: last.map(rfc3339),
            retention_days: self.retention.as_secs() / 86_400,
        })
    }

    /// The window a chart shows: from `first` (the oldest snapshot, or a cluster's first
    /// change) to `last` (the last check), but no more than the retention period.
    fn window(&self, first: Option<i64>, last: Option<i64>) -> Option<(i64, i64)> {
        let (f, l) = (first?, last?);
        let start = f.max(l - self.retention.as_secs() as i64);
        Some((start, l.max(start + 1)))
    }

    fn chart(
        title: &str,
        (start, end): (i64, i64),
        y_max: f64,
        unit: &str,
        series: Vec<Series>,
    ) -> Chart {
        Chart {
            title: title.into(),
            start,
            end,
            start_label: short_time(start),
            end_label: short_time(end),
            y_max,
            unit: unit.into(),
            series,
        }
    }

    /// Global coverage over time: the share of monitored brokers and clusters whose
    /// enabled exporters all answer; each interval shows its lowest value, then the
    /// value it ended with.
    async fn coverage_chart(&self, window: Option<(i64, i64)>) -> Result<Chart, AppError> {
        let Some((start, end)) = window else {
            return Ok(Chart::default());
        };
        let interval = interval_for(end - start, CHART_BUCKETS);
        let mut cache = self.coverage.lock().await;
        let upto: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM snapshots")
            .fetch_one(&self.pool)
            .await
            .map_err(db_error)?;
        match cache.as_mut() {
            Some(c) if c.interval == interval => {
                if upto > c.upto {
                    let rows: Vec<CoverageRow> = sqlx::query_as(
                        "SELECT taken_at, CAST(covered_brokers AS REAL) * 100 / monitored_brokers, \
                                CAST(covered_clusters AS REAL) * 100 / monitored_clusters \
                         FROM snapshots WHERE id > ?1 AND id <= ?2 AND monitored_brokers > 0 \
                         ORDER BY id",
                    )
                    .bind(c.upto)
                    .bind(upto)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_error)?;
                    for (at, brokers, clusters) in rows {
                        c.buckets
                            .entry(at.div_euclid(interval))
                            .and_modify(|(b, c)| {
                                b.add_lowest(at, brokers);
                                c.add_lowest(at, clusters);
                            })
                            .or_insert((Bucket::of(at, brokers), Bucket::of(at, clusters)));
                    }
                    c.upto = upto;
                }
            }
            _ => *cache = Some(self.sum_up_coverage(interval, upto).await?),
        }
        let c = cache.as_ref().expect("filled above");
        let series = |label: &str, class: &str, pick: fn(&(Bucket, Bucket)) -> Bucket| {
            let buckets: Vec<Bucket> = c.buckets.values().map(pick).collect();
            Series {
                label: label.into(),
                class: class.into(),
                points: bucket_points(&buckets, start),
            }
        };
        Ok(Self::chart(
            "Monitoring coverage over time",
            (start, end),
            100.0,
            "%",
            vec![
                series("Brokers with every enabled exporter answering", "s1", |b| {
                    b.0
                }),
                series("Clusters fully covered", "s2", |b| b.1),
            ],
        ))
    }

    /// Sums up every snapshot up to `upto` into intervals of `interval` seconds: the
    /// first and last time, the lowest values (`a`), and the values of the interval's
    /// last snapshot (`l`: SQLite takes a bare column from the row `MAX` picked).
    async fn sum_up_coverage(&self, interval: i64, upto: i64) -> Result<CoverageCache, AppError> {
        let rows: Vec<CoverageBucketRow> = sqlx::query_as(
            "WITH r AS ( \
               SELECT id, taken_at AS t, \
                      CAST(covered_brokers AS REAL) * 100 / monitored_brokers AS b, \
                      CAST(covered_clusters AS REAL) * 100 / monitored_clusters AS c, \
                      taken_at / ?1 AS k \
               FROM snapshots WHERE id <= ?2 AND monitored_brokers > 0) \
             SELECT a.k, a.first, a.last, a.min_b, l.b, a.min_c, l.c FROM \
               (SELECT k, MIN(t) AS first, MAX(t) AS last, MIN(b) AS min_b, MIN(c) AS min_c \
                FROM r GROUP BY k) a \
               JOIN (SELECT k, MAX(id), b, c FROM r GROUP BY k) l ON l.k = a.k",
        )
        .bind(interval)
        .bind(upto)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        let bucket = |first_at, last_at, extreme, last| Bucket {
            first_at,
            last_at,
            extreme,
            last,
        };
        Ok(CoverageCache {
            interval,
            upto,
            buckets: rows
                .into_iter()
                .map(|(k, first, last, min_b, b, min_c, c)| {
                    (
                        k,
                        (bucket(first, last, min_b, b), bucket(first, last, min_c, c)),
                    )
                })
                .collect(),
        })
    }

    /// One page of the global timeline, with the filters' choices and the coverage chart.
    /// Its five queries are independent and run at once, each on its own connection.
    pub async fn changes(&self, f: &ChangeFilter) -> Result<ChangesPage, AppError> {
        if let Some(c) = &f.cluster {
            check_cluster_id(c)?;
        }
        let bounds = self.bounds().await?;
        let sources = async {
            sqlx::query_scalar("SELECT DISTINCT source FROM changes ORDER BY source")
                .fetch_all(&self.pool)
                .await
                .map_err(db_error)
        };
        let clusters = async {
            let rows: Vec<(String, String, String)> = sqlx::query_as(
                "SELECT cluster_id, cluster_name, region FROM changes \
                 WHERE id IN (SELECT MAX(id) FROM changes GROUP BY cluster_id) \
                 ORDER BY cluster_name, region",
            )
            .fetch_all(&self.pool)
            .await
            .map_err(db_error)?;
            Ok(rows
                .into_iter()
                .map(|(id, name, region)| ClusterRef { id, name, region })
                .collect())
        };
        let ((entries, next_before), stats, sources, clusters, chart) = tokio::try_join!(
            self.entries(f),
            self.stats(bounds),
            sources,
            clusters,
            self.coverage_chart(self.window(bounds.0, bounds.1)),
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

    async fn versions(&self, id: &str) -> Result<Vec<Version>, AppError> {
        let rows: Vec<(i64, i64, String, bool)> = sqlx::query_as(
            "SELECT c.snapshot_id, s.taken_at, c.summary, c.state_id IS NULL \
             FROM changes c JOIN snapshots s ON s.id = c.snapshot_id \
             WHERE c.cluster_id = ? ORDER BY c.id DESC LIMIT ?",
        )
        .bind(id)
        .bind(MAX_VERSIONS as i64)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(rows
            .into_iter()
            .map(|(snapshot, at, summary, removed)| Version {
                snapshot,
                at: rfc3339(at),
                summary,
                removed,
            })
            .collect())
    }

    /// A cluster's brokers and answering exporters over time.
    async fn cluster_chart(&self, id: &str, name: &str) -> Result<Chart, AppError> {
        let first: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(s.taken_at) FROM changes c JOIN snapshots s ON s.id = c.snapshot_id \
             WHERE c.cluster_id = ?",
        )
        .bind(id)
        .fetch_one(&self.pool)
        .await
        .map_err(db_error)?;
        let (_, last) = self.bounds().await?;
        let Some((start, end)) = self.window(first, last) else {
            return Ok(Chart::default());
        };
        // The same intervals as the coverage chart's, summed up the same way.
        let rows: Vec<ClusterChartRow> = sqlx::query_as(
            "WITH r AS ( \
               SELECT c.id, s.taken_at AS t, c.brokers AS b, \
                      CASE WHEN c.state_id IS NULL THEN 0 ELSE c.jmx_up END AS j, \
                      CASE WHEN c.state_id IS NULL THEN 0 ELSE c.node_up END AS n, \
                      s.taken_at / ?2 AS k \
               FROM changes c JOIN snapshots s ON s.id = c.snapshot_id WHERE c.cluster_id = ?1) \
             SELECT a.first, a.last, a.max_b, l.b, a.min_j, l.j, a.min_n, l.n FROM \
               (SELECT k, MIN(t) AS first, MAX(t) AS last, MAX(b) AS max_b, MIN(j) AS min_j, \
                       MIN(n) AS min_n FROM r GROUP BY k) a \
               JOIN (SELECT k, MAX(id), b, j, n FROM r GROUP BY k) l ON l.k = a.k \
             ORDER BY a.k",
        )
        .bind(id)
        .bind(interval_for(end - start, CHART_BUCKETS))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        let series =
            |label: &str, class: &str, f: fn(&ClusterChartRow) -> (Option<i64>, Option<i64>)| {
                let buckets: Vec<Bucket> = rows
                    .iter()
                    .map(|r| {
                        let (extreme, last) = f(r);
                        Bucket {
                            first_at: r.0,
                            last_at: r.1,
                            extreme: extreme.map(|v| v as f64),
                            last: last.map(|v| v as f64),
                        }
                    })
                    .collect();
                Series {
                    label: label.into(),
                    class: class.into(),
                    points: bucket_points(&buckets, start),
                }
            };
        let series = vec![
            series("Brokers", "s1", |r| (Some(r.2), r.3)),
            series("JMX exporters up", "s2", |r| (r.4, r.5)),
            series("Node exporters up", "s3", |r| (r.6, r.7)),
        ];
        let y_max = series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.1))
            .fold(1.0, f64::max);
        Ok(Self::chart(
            &format!("{name}: brokers and answering exporters"),
            (start, end),
            y_max,
            "",
            series,
        ))
    }

    /// A cluster's timeline (newest first, paged), its chart and its recorded versions.
    /// `current` says whether the cluster is in today's inventory.
    pub async fn cluster_history(
        &self,
        id: &str,
        before: Option<i64>,
        limit: u32,
        current: bool,
    ) -> Result<ClusterHistory, AppError> {
        check_cluster_id(id)?;
        let versions = self.versions(id).await?;
        let latest: Option<(String, String, String)> = sqlx::query_as(
            "SELECT cluster_name, source, region FROM changes WHERE cluster_id = ? ORDER BY id DESC LIMIT 1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error)?;
        let Some((name, source, region)) = latest else {
            return Err(AppError::not_found(format!(
                "No history is recorded for cluster `{id}`. The console records a cluster from its first refresh on."
            )));
        };
        let (entries, next_before) = self
            .entries(&ChangeFilter {
                cluster: Some(id.to_string()),
                before,
                limit,
                ..ChangeFilter::default()
            })
            .await?;
        Ok(ClusterHistory {
            chart: self.cluster_chart(id, &name).await?,
            cluster_id: id.to_string(),
            cluster_name: name,
            source,
            region,
            current,
            entries,
            next_before,
            versions,
        })
    }

    /// The cluster's recorded state in force at `snapshot`: the version and the state
    /// (`None` if the cluster had been removed then). `None` if nothing was recorded yet.
    async fn version_at(
        &self,
        id: &str,
        snapshot: i64,
    ) -> Result<Option<(Version, Option<ClusterState>)>, AppError> {
        let row: Option<(i64, i64, String, Option<String>)> = sqlx::query_as(
            "SELECT c.snapshot_id, s.taken_at, c.summary, st.body \
             FROM changes c JOIN snapshots s ON s.id = c.snapshot_id \
             LEFT JOIN states st ON st.id = c.state_id \
             WHERE c.cluster_id = ? AND c.snapshot_id <= ? ORDER BY c.snapshot_id DESC LIMIT 1",
        )
        .bind(id)
        .bind(snapshot)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error)?;
        let Some((snap, at, summary, body)) = row else {
            return Ok(None);
        };
        let state = match body {
            None => None,
            Some(b) => Some(serde_json::from_str::<ClusterState>(&b).map_err(AppError::internal)?),
        };
        Ok(Some((
            Version {
                snapshot: snap,
                at: rfc3339(at),
                summary,
                removed: state.is_none(),
            },
            state,
        )))
    }

    async fn latest_snapshot_of(&self, id: &str) -> Result<Option<i64>, AppError> {
        sqlx::query_scalar("SELECT MAX(snapshot_id) FROM changes WHERE cluster_id = ?")
            .bind(id)
            .fetch_one(&self.pool)
            .await
            .map_err(db_error)
    }

    /// What changed in a cluster between two snapshots. `to` defaults to the latest
    /// recorded state, `from` to the state just before `to`.
    pub async fn diff(
        &self,
        id: &str,
        from: Option<i64>,
        to: Option<i64>,
    ) -> Result<ClusterDiff, AppError> {
        check_cluster_id(id)?;
        // Without `to`, the latest state: the one in force at the largest snapshot id.
        let to_snap = to.unwrap_or(i64::MAX);
        let Some((to_version, to_state)) = self.version_at(id, to_snap).await? else {
            return Err(AppError::not_found(
                match self.latest_snapshot_of(id).await? {
                    None => format!("No history is recorded for cluster `{id}`."),
                    Some(_) => format!(
                        "Cluster `{id}` has no recorded state at or before snapshot {to_snap}."
                    ),
                },
            ));
        };
        let from_snap = from.unwrap_or(to_version.snapshot - 1);
        let from_found = self.version_at(id, from_snap).await?;
        let (from_version, from_state) = match from_found {
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
        id: &str,
        snapshot: i64,
    ) -> Result<(ClusterState, RecordedAt), AppError> {
        check_cluster_id(id)?;
        let latest = self.latest_snapshot_of(id).await?;
        let found = self.version_at(id, snapshot).await?;
        match found {
            Some((v, Some(state))) => Ok((
                state,
                RecordedAt {
                    snapshot,
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
    pub async fn detail_at(&self, id: &str, snapshot: i64) -> Result<ClusterDetail, AppError> {
        let (state, recorded) = self.state_at(id, snapshot).await?;
        Ok(ClusterDetail {
            reachability: state.reachability(&recorded.since),
            cluster: state.cluster,
            sweep: Default::default(),
            recorded: Some(recorded),
        })
    }

    /// Everything recorded about a cluster, oldest first, with every state in full.
    pub async fn export(&self, id: &str) -> Result<serde_json::Value, AppError> {
        check_cluster_id(id)?;
        let rows: Vec<(i64, i64, String, i64, String, Option<String>)> = sqlx::query_as(
            "SELECT c.snapshot_id, s.taken_at, s.trigger, c.kinds, c.summary, st.body \
             FROM changes c JOIN snapshots s ON s.id = c.snapshot_id \
             LEFT JOIN states st ON st.id = c.state_id \
             WHERE c.cluster_id = ? ORDER BY c.id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        if rows.is_empty() {
            return Err(AppError::not_found(format!(
                "No history is recorded for cluster `{id}`."
            )));
        }
        let mut changes = Vec::with_capacity(rows.len());
        for (snapshot, at, trigger, kinds, summary, body) in rows {
            let state: serde_json::Value = match body {
                Some(b) => serde_json::from_str(&b).map_err(AppError::internal)?,
                None => serde_json::Value::Null,
            };
            changes.push(serde_json::json!({
                "snapshot": snapshot,
                "at": rfc3339(at),
                "trigger": trigger,
                "kinds": ChangeKind::from_mask(kinds as u32),
                "summary": summary,
                "state": state,
            }));
        }
        let stats = self.stats(self.bounds().await?).await?;
        Ok(serde_json::json!({
            "cluster_id": id,
            "exported_at": rfc3339(now_unix()),
            "retention_days": stats.retention_days,
            "last_checked_at": stats.last_checked_at,
            "changes": changes,
        }))
    }
}
