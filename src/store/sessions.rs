//! Sign-in sessions: who signed in, until when, and whether the session was ended.
//!
//! A session is stored as the hex SHA-256 of the random id its cookie carries (256 bits,
//! so a fast hash is as safe as a slow one), so the table alone cannot sign anybody
//! in. Signing out and `msk-console sessions revoke USER` mark rows revoked; expired and
//! revoked rows are deleted a day later, when a new session starts.

use super::db::{text, with_db, Db, StoreError};

/// One stored session (never its id).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SessionRow {
    pub name: String,
    pub email: Option<String>,
    pub role: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

/// What a new session is.
pub struct NewSession<'a> {
    pub hash: &'a str,
    pub name: &'a str,
    pub email: Option<&'a str>,
    pub role: &'a str,
    pub created_at: i64,
    pub expires_at: i64,
}

/// Stores a new session, and deletes those that ended more than a day ago.
pub async fn insert(db: &Db, s: &NewSession<'_>) -> Result<(), StoreError> {
    with_db!(db, |p| {
        sqlx::query(
            "INSERT INTO sessions (hash, name, email, role, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(s.hash)
        .bind(text(s.name))
        .bind(s.email.map(text))
        .bind(s.role)
        .bind(s.created_at)
        .bind(s.expires_at)
        .execute(p)
        .await?;
        sqlx::query(
            "DELETE FROM sessions WHERE expires_at < $1 OR (revoked_at IS NOT NULL AND revoked_at < $1)",
        )
        .bind(s.created_at - 86_400)
        .execute(p)
        .await?;
        Ok(())
    })
}

/// The live session with this hash: not revoked, not expired at `now`.
pub async fn find(db: &Db, hash: &str, now: i64) -> Result<Option<SessionRow>, StoreError> {
    with_db!(db, |p| {
        Ok(sqlx::query_as(
            "SELECT name, email, role, created_at, expires_at, revoked_at FROM sessions \
             WHERE hash = $1 AND revoked_at IS NULL AND expires_at > $2",
        )
        .bind(hash)
        .bind(now)
        .fetch_optional(p)
        .await?)
    })
}

/// Ends one session (signing out); `false` if it was not live.
pub async fn revoke(db: &Db, hash: &str, now: i64) -> Result<bool, StoreError> {
    with_db!(db, |p| {
        let r = sqlx::query(
            "UPDATE sessions SET revoked_at = $1 WHERE hash = $2 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(hash)
        .execute(p)
        .await?;
        Ok(r.rows_affected() == 1)
    })
}

/// Ends every live session of a user (by name, case-insensitively); how many.
pub async fn revoke_user(db: &Db, name: &str, now: i64) -> Result<u64, StoreError> {
    with_db!(db, |p| {
        let r = sqlx::query(
            "UPDATE sessions SET revoked_at = $1 \
             WHERE LOWER(name) = LOWER($2) AND revoked_at IS NULL AND expires_at > $1",
        )
        .bind(now)
        .bind(text(name))
        .execute(p)
        .await?;
        Ok(r.rows_affected())
    })
}

/// The live sessions at `now`, newest first.
pub async fn live(db: &Db, now: i64) -> Result<Vec<SessionRow>, StoreError> {
    with_db!(db, |p| {
        Ok(sqlx::query_as(
            "SELECT name, email, role, created_at, expires_at, revoked_at FROM sessions \
             WHERE revoked_at IS NULL AND expires_at > $1 ORDER BY created_at DESC",
        )
        .bind(now)
        .fetch_all(p)
        .await?)
    })
}
