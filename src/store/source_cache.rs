//! The last good listing of every AWS source and region.
//!
//! A refresh stores each listing that succeeded; at start the inventory reads them back,
//! so a restarted console shows the clusters before its first refresh ends. The clusters
//! are kept as JSON, as the model serialises them.

use super::db::{text, with_db, Db, StoreError};

/// One stored listing.
#[derive(Debug, sqlx::FromRow)]
pub struct CachedListing {
    pub source: String,
    pub region: String,
    pub account: Option<String>,
    /// RFC 3339 time of the listing.
    pub fetched_at: String,
    /// The clusters, as JSON.
    pub clusters: String,
}

/// Every stored listing.
pub async fn load(db: &Db) -> Result<Vec<CachedListing>, StoreError> {
    with_db!(db, |p| {
        Ok(
            sqlx::query_as(
                "SELECT source, region, account, fetched_at, clusters FROM source_cache",
            )
            .fetch_all(p)
            .await?,
        )
    })
}

/// Stores a listing, replacing the one before it.
pub async fn save(db: &Db, listing: &CachedListing) -> Result<(), StoreError> {
    with_db!(db, |p| {
        sqlx::query(
        "INSERT INTO source_cache (source, region, account, fetched_at, clusters) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (source, region) DO UPDATE SET account = excluded.account, \
         fetched_at = excluded.fetched_at, clusters = excluded.clusters",
    )
    .bind(text(&listing.source))
    .bind(text(&listing.region))
    .bind(listing.account.as_deref().map(text))
    .bind(&listing.fetched_at)
    .bind(&listing.clusters)
    .execute(p)
    .await?;
        Ok(())
    })
}

/// Moves a stored listing's time: the source listed the same clusters again.
pub async fn touch(
    db: &Db,
    source: &str,
    region: &str,
    fetched_at: &str,
) -> Result<(), StoreError> {
    with_db!(db, |p| {
        sqlx::query("UPDATE source_cache SET fetched_at = $1 WHERE source = $2 AND region = $3")
            .bind(fetched_at)
            .bind(text(source))
            .bind(text(region))
            .execute(p)
            .await?;
        Ok(())
    })
}

/// Drops a stored listing (a region the source no longer covers).
pub async fn forget(db: &Db, source: &str, region: &str) -> Result<(), StoreError> {
    with_db!(db, |p| {
        sqlx::query("DELETE FROM source_cache WHERE source = $1 AND region = $2")
            .bind(text(source))
            .bind(text(region))
            .execute(p)
            .await?;
        Ok(())
    })
}
