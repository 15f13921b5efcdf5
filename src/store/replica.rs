//! PostgreSQL only: the statements that let several replicas share one database.
//!
//! - The leader holds a session-level advisory lock ([`LOCK_KEY`]) on a connection of
//!   its own; PostgreSQL drops it when that session ends, even when the process was
//!   killed, so another replica can take it.
//! - Each new leader bumps the `leadership` row's epoch; history writes check it
//!   ([`super::snapshots`]), and so does [`write_view`].
//! - The leader writes its inventory to `replica_view` and tells the followers with
//!   `NOTIFY msk_console_view`; followers ask the leader for a refresh or a sweep with
//!   `NOTIFY msk_console_request`.

use sqlx::postgres::{PgConnection, PgPool};

use super::db::StoreError;

/// The advisory lock whose holder leads ("msk-con" in ASCII).
pub const LOCK_KEY: i64 = 0x006d_736b_2d63_6f6e;
/// Followers LISTEN here for a new view; the payload is its version.
pub const VIEW_CHANNEL: &str = "msk_console_view";
/// The leader LISTENs here for what followers were asked: `refresh`, `probe` or
/// `probe:CLUSTER_ID`.
pub const REQUEST_CHANNEL: &str = "msk_console_request";

/// Tries to take the leader's lock on this session; `true` if it now holds it.
pub async fn try_lock(conn: &mut PgConnection) -> Result<bool, StoreError> {
    Ok(sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(LOCK_KEY)
        .fetch_one(conn)
        .await?)
}

/// Starts a new leadership: returns its epoch, one more than the last leader's.
pub async fn begin_term(
    conn: &mut PgConnection,
    leader: &str,
    now: i64,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO leadership (id, epoch, leader, since) VALUES (1, 1, $1, $2) \
         ON CONFLICT (id) DO UPDATE SET epoch = leadership.epoch + 1, \
         leader = excluded.leader, since = excluded.since RETURNING epoch",
    )
    .bind(leader)
    .bind(now)
    .fetch_one(conn)
    .await?)
}

/// Whether the lock's session still answers (the leader checks it every second).
pub async fn still_there(conn: &mut PgConnection) -> Result<(), StoreError> {
    sqlx::query("SELECT 1").execute(conn).await?;
    Ok(())
}

/// The current leader: its epoch, name and since when (Unix seconds).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct LeaderRow {
    pub epoch: i64,
    pub leader: String,
    pub since: i64,
}

pub async fn leader(pool: &PgPool) -> Result<Option<LeaderRow>, StoreError> {
    Ok(
        sqlx::query_as("SELECT epoch, leader, since FROM leadership WHERE id = 1")
            .fetch_optional(pool)
            .await?,
    )
}

/// Writes the leader's view and notifies the followers, if `epoch` still leads;
/// returns the view's new version.
pub async fn write_view(
    pool: &PgPool,
    epoch: i64,
    leader: &str,
    now: i64,
    body: &str,
) -> Result<i64, StoreError> {
    let mut tx = pool.begin().await?;
    let current: Option<i64> =
        sqlx::query_scalar("SELECT epoch FROM leadership WHERE id = 1 FOR SHARE")
            .fetch_optional(&mut *tx)
            .await?;
    if epoch == 0 || current != Some(epoch) {
        return Err(StoreError::NotLeader);
    }
    let version: i64 = sqlx::query_scalar(
        "INSERT INTO replica_view (id, version, epoch, leader, written_at, body) \
         VALUES (1, 1, $1, $2, $3, $4) \
         ON CONFLICT (id) DO UPDATE SET version = replica_view.version + 1, \
         epoch = excluded.epoch, leader = excluded.leader, written_at = excluded.written_at, \
         body = excluded.body RETURNING version",
    )
    .bind(epoch)
    .bind(leader)
    .bind(now)
    .bind(body)
    .fetch_one(&mut *tx)
    .await?;
    // Delivered at the commit, so a follower never reads an older row than announced.
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(VIEW_CHANNEL)
        .bind(version.to_string())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(version)
}

/// The leader's view, if it is newer than `after`.
#[derive(Debug, sqlx::FromRow)]
pub struct ViewRow {
    pub version: i64,
    pub epoch: i64,
    pub leader: String,
    pub written_at: i64,
    pub body: String,
}

pub async fn read_view(pool: &PgPool, after: i64) -> Result<Option<ViewRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT version, epoch, leader, written_at, body FROM replica_view \
         WHERE id = 1 AND version > $1",
    )
    .bind(after)
    .fetch_optional(pool)
    .await?)
}

/// Asks the leader (whichever replica it is) for a refresh or a sweep.
pub async fn request(pool: &PgPool, what: &str) -> Result<(), StoreError> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(REQUEST_CHANNEL)
        .bind(what)
        .execute(pool)
        .await?;
    Ok(())
}
