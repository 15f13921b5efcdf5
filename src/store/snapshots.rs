//! Writing the history: snapshots, their changes and the states they point to, and
//! pruning what the retention no longer keeps.
//!
//! A snapshot is written in one transaction with all its changes, so a crash leaves it
//! whole or absent (SQLite discards an uncommitted WAL tail on open). States are content
//! addressed: a state a cluster had before is pointed to again, not stored again.
//!
//! On PostgreSQL, every write first checks in its transaction that this replica still
//! holds the leadership epoch it was given ([`super::Pg::fence`]): a deposed leader's
//! write fails instead of duplicating its successor's.

use app::history::Trigger;

use super::db::{text, with_db, Db, StoreError};

/// The epoch a PostgreSQL write must still hold (`None` on SQLite: one process).
fn fence(db: &Db) -> Option<i64> {
    match db {
        Db::Postgres(pg) => Some(pg.fence()),
        Db::Sqlite(_) => None,
    }
}

/// Checks the fence inside the transaction `$tx`, holding the leadership row until the
/// commit so a new leader's epoch cannot be written in between.
macro_rules! check_fence {
    ($tx:expr, $fence:expr) => {
        if let Some(f) = $fence {
            let epoch: Option<i64> =
                sqlx::query_scalar("SELECT epoch FROM leadership WHERE id = 1 FOR SHARE")
                    .fetch_optional(&mut *$tx)
                    .await?;
            if f == 0 || epoch != Some(f) {
                return Err(StoreError::NotLeader);
            }
        }
    };
}

/// The latest recorded change of a cluster, with its state (`None`: removed).
#[derive(Debug, sqlx::FromRow)]
pub struct HeadRow {
    pub cluster_id: String,
    pub cluster_name: String,
    pub source: String,
    pub region: String,
    pub body: Option<String>,
}

/// The latest change of every cluster.
pub async fn heads(db: &Db) -> Result<Vec<HeadRow>, StoreError> {
    Ok(with_db!(db, |p| sqlx::query_as(
        "SELECT c.cluster_id, c.cluster_name, c.source, c.region, s.body \
         FROM changes c LEFT JOIN states s ON s.id = c.state_id \
         WHERE c.id IN (SELECT MAX(id) FROM changes GROUP BY cluster_id)",
    )
    .fetch_all(p)
    .await?))
}

/// A check that changed nothing: the latest snapshot was confirmed at `at`.
pub async fn confirm_latest(db: &Db, at: i64) -> Result<(), StoreError> {
    let fence = fence(db);
    let begin = db.begin_write();
    with_db!(db, |p| {
        let mut tx = p.begin_with(begin).await?;
        check_fence!(tx, fence);
        sqlx::query(
            "UPDATE snapshots SET checks = checks + 1, \
             checked_at = CASE WHEN checked_at > $1 THEN checked_at ELSE $1 END \
             WHERE id = (SELECT MAX(id) FROM snapshots)",
        )
        .bind(at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
    });
    Ok(())
}

/// The inventory's coverage totals after a snapshot, for the coverage chart.
#[derive(Clone, Copy, Debug, Default)]
pub struct Totals {
    pub clusters: i64,
    pub brokers: i64,
    pub monitored_clusters: i64,
    pub covered_clusters: i64,
    pub monitored_brokers: i64,
    pub covered_brokers: i64,
}

/// One cluster's change in a new snapshot.
#[derive(Debug)]
pub struct NewChange {
    pub cluster_id: String,
    pub cluster_name: String,
    pub source: String,
    pub region: String,
    /// The new state as JSON and its SHA-256 (hex); `None`: the cluster was removed.
    pub state: Option<(String, String)>,
    /// Bit mask of `ChangeKind`s.
    pub kinds: u32,
    pub summary: String,
    pub brokers: u32,
    pub jmx_up: Option<u32>,
    pub node_up: Option<u32>,
}

/// Writes a snapshot and its changes in one transaction; returns the snapshot's id.
///
/// A snapshot is never dated before the one before it: if the clock went back, it takes
/// the previous snapshot's time. Pruning compares those times with its cutoff, so a
/// snapshot dated in the past would otherwise prune the history it follows.
pub async fn write(
    db: &Db,
    trigger: Trigger,
    taken_at: i64,
    totals: Totals,
    changes: &[NewChange],
) -> Result<i64, StoreError> {
    let fence = fence(db);
    let begin = db.begin_write();
    with_db!(db, |p| {
        let mut tx = p.begin_with(begin).await?;
        check_fence!(tx, fence);
        let floor: Option<i64> = sqlx::query_scalar("SELECT MAX(taken_at) FROM snapshots")
            .fetch_one(&mut *tx)
            .await?;
        let taken_at = floor.map_or(taken_at, |f| f.max(taken_at));
        let snapshot: i64 = sqlx::query_scalar(
            "INSERT INTO snapshots (trigger, taken_at, checked_at, changes, clusters, brokers, \
             monitored_clusters, covered_clusters, monitored_brokers, covered_brokers) \
             VALUES ($1, $2, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(trigger.as_str())
        .bind(taken_at)
        .bind(changes.len() as i64)
        .bind(totals.clusters)
        .bind(totals.brokers)
        .bind(totals.monitored_clusters)
        .bind(totals.covered_clusters)
        .bind(totals.monitored_brokers)
        .bind(totals.covered_brokers)
        .fetch_one(&mut *tx)
        .await?;
        // Inside the transaction now: nothing of this snapshot is visible until the commit.
        // (Tests kill the console on this line to interrupt a write.)
        tracing::info!(
            snapshot,
            changes = changes.len(),
            "writing a history snapshot inside its transaction"
        );
        for c in changes {
            let state_id = match &c.state {
                None => None,
                Some((body, hash)) => {
                    let existing: Option<i64> = sqlx::query_scalar(
                        "SELECT id FROM states WHERE cluster_id = $1 AND hash = $2",
                    )
                    .bind(text(&c.cluster_id))
                    .bind(hash)
                    .fetch_optional(&mut *tx)
                    .await?;
                    match existing {
                        Some(id) => Some(id),
                        None => Some(
                            sqlx::query_scalar(
                                "INSERT INTO states (cluster_id, hash, body) VALUES ($1, $2, $3) RETURNING id",
                            )
                            .bind(text(&c.cluster_id))
                            .bind(hash)
                            .bind(body)
                            .fetch_one(&mut *tx)
                            .await?,
                        ),
                    }
                }
            };
            sqlx::query(
                "INSERT INTO changes (snapshot_id, cluster_id, cluster_name, source, region, state_id, \
                 kinds, summary, brokers, jmx_up, node_up) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(snapshot)
            .bind(text(&c.cluster_id))
            .bind(text(&c.cluster_name))
            .bind(text(&c.source))
            .bind(text(&c.region))
            .bind(state_id)
            .bind(i64::from(c.kinds))
            .bind(text(&c.summary))
            .bind(i64::from(c.brokers))
            .bind(c.jmx_up.map(i64::from))
            .bind(c.node_up.map(i64::from))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(snapshot)
    })
}

/// What one prune removed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    pub changes: u64,
    pub snapshots: u64,
    pub states: u64,
}

/// Removes what was superseded before `cutoff` (Unix seconds), in one transaction. A
/// cluster's latest state is never removed, nor a removed cluster's last state.
pub async fn prune(db: &Db, cutoff: i64) -> Result<Pruned, StoreError> {
    let fence = fence(db);
    let begin = db.begin_write();
    with_db!(db, |p| {
        let mut tx = p.begin_with(begin).await?;
        check_fence!(tx, fence);
        // A change goes when a later change of its cluster was taken before the cutoff:
        // it was no longer the cluster's state anywhere inside the retention window.
        let changes = sqlx::query(
            "DELETE FROM changes WHERE id IN ( \
               SELECT c.id FROM changes c \
               WHERE EXISTS (SELECT 1 FROM changes n JOIN snapshots ns ON ns.id = n.snapshot_id \
                             WHERE n.cluster_id = c.cluster_id AND n.id > c.id AND ns.taken_at < $1) \
                 AND c.id IS DISTINCT FROM (SELECT MAX(m.id) FROM changes m \
                                  WHERE m.cluster_id = c.cluster_id AND m.state_id IS NOT NULL))",
        )
        .bind(cutoff)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let snapshots = sqlx::query(
            "DELETE FROM snapshots WHERE taken_at < $1 \
               AND NOT EXISTS (SELECT 1 FROM changes WHERE snapshot_id = snapshots.id) \
               AND id <> (SELECT MAX(id) FROM snapshots)",
        )
        .bind(cutoff)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        // Kept snapshots say how many changes they still hold.
        sqlx::query(
            "UPDATE snapshots SET changes = \
               (SELECT COUNT(*) FROM changes WHERE snapshot_id = snapshots.id) \
             WHERE taken_at < $1",
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
        Ok(Pruned {
            changes,
            snapshots,
            states,
        })
    })
}
