//! The last good listing of every AWS source and region.
//!
//! A refresh stores each listing that succeeded; at start the inventory reads them back,
//! so a restarted console shows the clusters before its first refresh ends. The clusters
//! are kept as JSON, as the model serialises them.

use sqlx::SqlitePool;

use super::StoreError;

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
pub async fn load(pool: &SqlitePool) -> Result<Vec<CachedListing>, StoreError> {
    Ok(
        sqlx::query_as("SELECT source, region, account, fetched_at, clusters FROM source_cache")
            .fetch_all(pool)
            .await?,
    )
}

/// Stores a listing, replacing the one before it.
pub async fn save(pool: &SqlitePool, listing: &CachedListing) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO source_cache (source, region, account, fetched_at, clusters) VALUES (?, ?, ?, ?, ?) \
         ON CONFLICT (source, region) DO UPDATE SET account = excluded.account, \
         fetched_at = excluded.fetched_at, clusters = excluded.clusters",
    )
    .bind(&listing.source)
    .bind(&listing.region)
    .bind(&listing.account)
    .bind(&listing.fetched_at)
    .bind(&listing.clusters)
    .execute(pool)
    .await?;
    Ok(())
}

/// Drops a stored listing (a region the source no longer covers).
pub async fn forget(pool: &SqlitePool, source: &str, region: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM source_cache WHERE source = ? AND region = ?")
        .bind(source)
        .bind(region)
        .execute(pool)
        .await?;
    Ok(())
}
