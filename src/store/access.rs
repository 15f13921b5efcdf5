//! Bearer tokens and the audit log.
//!
//! A token is stored as the hex SHA-256 of its secret: tokens are 256 random bits, so a
//! fast hash is as safe as a slow one and lets every request be checked with one indexed
//! look-up. Revoked tokens stay listed (with when) so the list tells what existed.

use super::db::{text, with_db, Db, StoreError};

/// One stored token (never its secret).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TokenRow {
    pub name: String,
    pub role: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// Stores a new token; `false` if one with that name exists (revoked ones included).
pub async fn insert_token(
    db: &Db,
    name: &str,
    role: &str,
    hash: &str,
    now: i64,
    expires_at: Option<i64>,
) -> Result<bool, StoreError> {
    with_db!(db, |p| {
        let r = sqlx::query(
        "INSERT INTO api_tokens (name, role, hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(text(name))
    .bind(role)
    .bind(hash)
    .bind(now)
    .bind(expires_at)
    .execute(p)
    .await?;
        Ok(r.rows_affected() == 1)
    })
}

/// The live token with this hash: not revoked, not expired at `now`. Marks it used (at
/// most once a minute, so reads do not turn into a write per request).
pub async fn find_token(db: &Db, hash: &str, now: i64) -> Result<Option<TokenRow>, StoreError> {
    with_db!(db, |p| {
        let row: Option<TokenRow> = sqlx::query_as(
            "SELECT name, role, created_at, expires_at, last_used_at, revoked_at FROM api_tokens \
         WHERE hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)",
        )
        .bind(hash)
        .bind(now)
        .fetch_optional(p)
        .await?;
        if let Some(r) = &row {
            if r.last_used_at.is_none_or(|t| now - t >= 60) {
                sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE hash = $2")
                    .bind(now)
                    .bind(hash)
                    .execute(p)
                    .await?;
            }
        }
        Ok(row)
    })
}

/// Every token, newest first.
pub async fn list_tokens(db: &Db) -> Result<Vec<TokenRow>, StoreError> {
    with_db!(db, |p| {
        Ok(sqlx::query_as(
            "SELECT name, role, created_at, expires_at, last_used_at, revoked_at FROM api_tokens \
         ORDER BY id DESC",
        )
        .fetch_all(p)
        .await?)
    })
}

/// Revokes a live token by name; `false` if there is none.
pub async fn revoke_token(db: &Db, name: &str, now: i64) -> Result<bool, StoreError> {
    with_db!(db, |p| {
        let r = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(text(name))
        .execute(p)
        .await?;
        Ok(r.rows_affected() == 1)
    })
}

/// One stored audit event.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub detail: String,
}

pub async fn insert_audit(
    db: &Db,
    at: i64,
    actor: &str,
    action: &str,
    detail: &str,
) -> Result<(), StoreError> {
    with_db!(db, |p| {
        sqlx::query("INSERT INTO audit_events (at, actor, action, detail) VALUES ($1, $2, $3, $4)")
            .bind(at)
            .bind(text(actor))
            .bind(text(action))
            .bind(text(detail))
            .execute(p)
            .await?;
        Ok(())
    })
}

/// The newest `limit` audit events, newest first.
pub async fn recent_audit(db: &Db, limit: i64) -> Result<Vec<AuditRow>, StoreError> {
    with_db!(db, |p| {
        Ok(sqlx::query_as(
            "SELECT id, at, actor, action, detail FROM audit_events ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(p)
        .await?)
    })
}

/// Deletes audit events older than `before` (the history's retention applies).
pub async fn prune_audit(db: &Db, before: i64) -> Result<u64, StoreError> {
    with_db!(db, |p| {
        Ok(sqlx::query("DELETE FROM audit_events WHERE at < $1")
            .bind(before)
            .execute(p)
            .await?
            .rows_affected())
    })
}
