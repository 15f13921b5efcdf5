//! Reading the history back: timeline rows, versions, recorded states and the rows the
//! charts are summed up from.
//!
//! Reads run on the pool's other connections and never wait for the writer, because the
//! database is in WAL mode.

use sqlx::QueryBuilder;

use super::db::{text, with_db, Db, StoreError};
use app::history::ChangeFilter;

/// One row of a timeline.
#[derive(Debug, sqlx::FromRow)]
pub struct ChangeRow {
    pub id: i64,
    pub snapshot_id: i64,
    pub taken_at: i64,
    pub trigger: String,
    pub cluster_id: String,
    pub cluster_name: String,
    pub source: String,
    pub region: String,
    pub kinds: i64,
    pub summary: String,
}

/// The changes a filter selects, newest first: at most `limit` rows.
pub async fn changes(db: &Db, f: &ChangeFilter, limit: i64) -> Result<Vec<ChangeRow>, StoreError> {
    with_db!(db, |p| {
        let mut qb = QueryBuilder::new(
            "SELECT c.id, c.snapshot_id, s.taken_at, s.trigger, c.cluster_id, c.cluster_name, \
             c.source, c.region, c.kinds, c.summary \
             FROM changes c JOIN snapshots s ON s.id = c.snapshot_id WHERE 1 = 1",
        );
        if let Some(c) = &f.cluster {
            qb.push(" AND c.cluster_id = ")
                .push_bind(c.as_str().to_string());
        }
        if let Some(s) = &f.source {
            qb.push(" AND c.source = ").push_bind(text(s).into_owned());
        }
        if let Some(k) = f.kind {
            qb.push(" AND (c.kinds & ")
                .push_bind(i64::from(k.bit()))
                .push(") <> 0");
        }
        if let Some(b) = f.before {
            qb.push(" AND c.id < ").push_bind(b.0);
        }
        qb.push(" ORDER BY c.id DESC LIMIT ").push_bind(limit);
        Ok(qb.build_query_as().fetch_all(p).await?)
    })
}

/// The oldest snapshot's time and the last check's.
#[derive(Clone, Copy, Debug, Default, sqlx::FromRow)]
pub struct Bounds {
    pub first: Option<i64>,
    pub last: Option<i64>,
}

/// Both are index lookups: only the newest snapshot's `checked_at` ever moves, and it
/// moves forward.
pub async fn bounds(db: &Db) -> Result<Bounds, StoreError> {
    with_db!(db, |p| {
        Ok(sqlx::query_as(
            "SELECT (SELECT MIN(taken_at) FROM snapshots) AS first, \
                (SELECT checked_at FROM snapshots ORDER BY id DESC LIMIT 1) AS last",
        )
        .fetch_one(p)
        .await?)
    })
}

/// Snapshots kept, and checks made (changed or not).
#[derive(Clone, Copy, Debug, sqlx::FromRow)]
pub struct Counts {
    pub snapshots: i64,
    pub checks: i64,
}

pub async fn counts(db: &Db) -> Result<Counts, StoreError> {
    with_db!(db, |p| {
        Ok(sqlx::query_as(
            "SELECT COUNT(*) AS snapshots, CAST(COALESCE(SUM(checks), 0) AS BIGINT) AS checks FROM snapshots",
        )
        .fetch_one(p)
        .await?)
    })
}

/// Every source with recorded changes, for the timeline's filter.
pub async fn sources(db: &Db) -> Result<Vec<String>, StoreError> {
    with_db!(db, |p| {
        Ok(
            sqlx::query_scalar("SELECT DISTINCT source FROM changes ORDER BY source")
                .fetch_all(p)
                .await?,
        )
    })
}

/// A cluster with history, under its latest name.
#[derive(Debug, sqlx::FromRow)]
pub struct ClusterNameRow {
    pub cluster_id: String,
    pub cluster_name: String,
    pub source: String,
    pub region: String,
}

/// Every cluster with history, by name, for the timeline's filter.
pub async fn clusters(db: &Db) -> Result<Vec<ClusterNameRow>, StoreError> {
    with_db!(db, |p| {
        Ok(sqlx::query_as(
            "SELECT cluster_id, cluster_name, source, region FROM changes \
         WHERE id IN (SELECT MAX(id) FROM changes GROUP BY cluster_id) \
         ORDER BY cluster_name, region",
        )
        .fetch_all(p)
        .await?)
    })
}

/// A cluster's latest name, source and region, if it has history.
pub async fn cluster(db: &Db, id: &str) -> Result<Option<ClusterNameRow>, StoreError> {
    with_db!(db, |p| {
        Ok(sqlx::query_as(
            "SELECT cluster_id, cluster_name, source, region FROM changes \
         WHERE cluster_id = $1 ORDER BY id DESC LIMIT 1",
        )
        .bind(text(id))
        .fetch_optional(p)
        .await?)
    })
}

/// One recorded state of a cluster, with its body (`None`: the cluster was removed).
#[derive(Debug, sqlx::FromRow)]
pub struct VersionRow {
    pub snapshot_id: i64,
    pub taken_at: i64,
    pub summary: String,
    pub body: Option<String>,
}

/// One recorded state of a cluster, without its body.
#[derive(Debug, sqlx::FromRow)]
pub struct VersionSummaryRow {
    pub snapshot_id: i64,
    pub taken_at: i64,
    pub summary: String,
    /// The cluster was removed then.
    pub removed: bool,
}

/// A cluster's newest recorded states, newest first.
pub async fn versions(db: &Db, id: &str, limit: i64) -> Result<Vec<VersionSummaryRow>, StoreError> {
    with_db!(db, |p| {
        Ok(sqlx::query_as(
            "SELECT c.snapshot_id, s.taken_at, c.summary, c.state_id IS NULL AS removed \
         FROM changes c JOIN snapshots s ON s.id = c.snapshot_id \
         WHERE c.cluster_id = $1 ORDER BY c.id DESC LIMIT $2",
        )
        .bind(text(id))
        .bind(limit)
        .fetch_all(p)
        .await?)
    })
}

/// The cluster's state in force at `snapshot`, with its body.
pub async fn version_at(
    db: &Db,
    id: &str,
    snapshot: i64,
) -> Result<Option<VersionRow>, StoreError> {
    with_db!(db, |p| {
        Ok(sqlx::query_as(
            "SELECT c.snapshot_id, s.taken_at, c.summary, st.body \
         FROM changes c JOIN snapshots s ON s.id = c.snapshot_id \
         LEFT JOIN states st ON st.id = c.state_id \
         WHERE c.cluster_id = $1 AND c.snapshot_id <= $2 ORDER BY c.snapshot_id DESC LIMIT 1",
        )
        .bind(text(id))
        .bind(snapshot)
        .fetch_optional(p)
        .await?)
    })
}

/// The snapshot of a cluster's latest change.
pub async fn latest_snapshot_of(db: &Db, id: &str) -> Result<Option<i64>, StoreError> {
    with_db!(db, |p| {
        Ok(
            sqlx::query_scalar("SELECT MAX(snapshot_id) FROM changes WHERE cluster_id = $1")
                .bind(text(id))
                .fetch_one(p)
                .await?,
        )
    })
}

/// When a cluster's history begins.
pub async fn first_change_at(db: &Db, id: &str) -> Result<Option<i64>, StoreError> {
    with_db!(db, |p| {
        Ok(sqlx::query_scalar(
            "SELECT MIN(s.taken_at) FROM changes c JOIN snapshots s ON s.id = c.snapshot_id \
         WHERE c.cluster_id = $1",
        )
        .bind(text(id))
        .fetch_one(p)
        .await?)
    })
}

/// One change of a cluster with its full state, for the export.
#[derive(Debug, sqlx::FromRow)]
pub struct ExportRow {
    /// The change's own id: the export pages by it.
    pub id: i64,
    pub snapshot_id: i64,
    pub taken_at: i64,
    pub trigger: String,
    pub kinds: i64,
    pub summary: String,
    pub body: Option<String>,
}

/// Up to `limit` changes of a cluster after the change `after` (0: from the first),
/// oldest first: the export reads a cluster's history a page at a time.
pub async fn export_page(
    db: &Db,
    id: &str,
    after: i64,
    limit: i64,
) -> Result<Vec<ExportRow>, StoreError> {
    with_db!(db, |p| {
        Ok(sqlx::query_as(
            "SELECT c.id, c.snapshot_id, s.taken_at, s.trigger, c.kinds, c.summary, st.body \
         FROM changes c JOIN snapshots s ON s.id = c.snapshot_id \
         LEFT JOIN states st ON st.id = c.state_id \
         WHERE c.cluster_id = $1 AND c.id > $2 ORDER BY c.id LIMIT $3",
        )
        .bind(text(id))
        .bind(after)
        .bind(limit)
        .fetch_all(p)
        .await?)
    })
}

/// The newest snapshot's id (0 when there is none).
pub async fn newest_snapshot(db: &Db) -> Result<i64, StoreError> {
    with_db!(db, |p| {
        Ok(
            sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM snapshots")
                .fetch_one(p)
                .await?,
        )
    })
}

/// A snapshot for the coverage chart: time, % brokers covered, % clusters covered.
#[derive(Debug, sqlx::FromRow)]
pub struct CoverageRow {
    pub taken_at: i64,
    pub brokers: Option<f64>,
    pub clusters: Option<f64>,
}

/// The monitored snapshots after `after`, up to `upto`, oldest first.
pub async fn coverage_since(
    db: &Db,
    after: i64,
    upto: i64,
) -> Result<Vec<CoverageRow>, StoreError> {
    with_db!(db, |p| {
        Ok(sqlx::query_as(
            "SELECT taken_at, CAST(covered_brokers AS DOUBLE PRECISION) * 100 / monitored_brokers AS brokers, \
                CAST(covered_clusters AS DOUBLE PRECISION) * 100 / monitored_clusters AS clusters \
         FROM snapshots WHERE id > $1 AND id <= $2 AND monitored_brokers > 0 \
         ORDER BY id",
        )
        .bind(after)
        .bind(upto)
        .fetch_all(p)
        .await?)
    })
}

/// An interval of the coverage chart: its number, first and last time, then the lowest
/// and the last % of brokers covered, and of clusters covered.
#[derive(Debug, sqlx::FromRow)]
pub struct CoverageBucketRow {
    pub k: i64,
    pub first: i64,
    pub last: i64,
    pub min_b: Option<f64>,
    pub b: Option<f64>,
    pub min_c: Option<f64>,
    pub c: Option<f64>,
}

/// Sums up every snapshot up to `upto` into intervals of `interval` seconds: the first
/// and last time, the lowest values, and the values of the interval's last snapshot.
pub async fn coverage_buckets(
    db: &Db,
    interval: i64,
    upto: i64,
) -> Result<Vec<CoverageBucketRow>, StoreError> {
    with_db!(db, |p| {
        Ok(sqlx::query_as(
            "WITH r AS ( \
           SELECT id, taken_at AS t, \
                  CAST(covered_brokers AS DOUBLE PRECISION) * 100 / monitored_brokers AS b, \
                  CAST(covered_clusters AS DOUBLE PRECISION) * 100 / monitored_clusters AS c, \
                  taken_at / $1 AS k \
           FROM snapshots WHERE id <= $2 AND monitored_brokers > 0) \
         SELECT a.k, a.first, a.last, a.min_b, l.b, a.min_c, l.c FROM \
           (SELECT k, MIN(t) AS first, MAX(t) AS last, MIN(b) AS min_b, MIN(c) AS min_c, \
                   MAX(id) AS last_id FROM r GROUP BY k) a \
           JOIN r l ON l.id = a.last_id",
        )
        .bind(interval)
        .bind(upto)
        .fetch_all(p)
        .await?)
    })
}

/// An interval of a cluster's chart: first and last time, then the most and the last
/// brokers, the fewest and the last JMX exporters up, and node exporters up.
#[derive(Debug, sqlx::FromRow)]
pub struct ClusterBucketRow {
    pub first: i64,
    pub last: i64,
    pub max_b: i64,
    pub b: Option<i64>,
    pub min_j: Option<i64>,
    pub j: Option<i64>,
    pub min_n: Option<i64>,
    pub n: Option<i64>,
}

/// A cluster's changes summed up into intervals of `interval` seconds, the same way as
/// the coverage chart's.
pub async fn cluster_buckets(
    db: &Db,
    id: &str,
    interval: i64,
) -> Result<Vec<ClusterBucketRow>, StoreError> {
    with_db!(db, |p| {
        Ok(sqlx::query_as(
            "WITH r AS ( \
           SELECT c.id, s.taken_at AS t, c.brokers AS b, \
                  CASE WHEN c.state_id IS NULL THEN 0 ELSE c.jmx_up END AS j, \
                  CASE WHEN c.state_id IS NULL THEN 0 ELSE c.node_up END AS n, \
                  s.taken_at / $2 AS k \
           FROM changes c JOIN snapshots s ON s.id = c.snapshot_id WHERE c.cluster_id = $1) \
         SELECT a.first, a.last, a.max_b, l.b, a.min_j, l.j, a.min_n, l.n FROM \
           (SELECT k, MIN(t) AS first, MAX(t) AS last, MAX(b) AS max_b, MIN(j) AS min_j, \
                   MIN(n) AS min_n, MAX(id) AS last_id FROM r GROUP BY k) a \
           JOIN r l ON l.id = a.last_id \
         ORDER BY a.k",
        )
        .bind(text(id))
        .bind(interval)
        .fetch_all(p)
        .await?)
    })
}
