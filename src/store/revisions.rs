//! MSK configuration revisions' `server.properties`, kept once read: a revision never
//! changes, so DescribeConfigurationRevision is asked once per revision, ever.

use super::db::{text, with_db, Db, StoreError};

/// One kept revision.
#[derive(Debug, sqlx::FromRow)]
pub struct Revision {
    pub configuration_arn: String,
    pub revision: i64,
    pub server_properties: String,
}

/// Every kept revision.
pub async fn load(db: &Db) -> Result<Vec<Revision>, StoreError> {
    with_db!(db, |p| {
        Ok(sqlx::query_as(
            "SELECT configuration_arn, revision, server_properties FROM config_revisions",
        )
        .fetch_all(p)
        .await?)
    })
}

/// Keeps a revision (a second write of the same one changes nothing).
pub async fn save(db: &Db, r: &Revision) -> Result<(), StoreError> {
    with_db!(db, |p| {
        sqlx::query(
            "INSERT INTO config_revisions (configuration_arn, revision, server_properties) \
             VALUES ($1, $2, $3) ON CONFLICT (configuration_arn, revision) DO NOTHING",
        )
        .bind(text(&r.configuration_arn))
        .bind(r.revision)
        .bind(text(&r.server_properties))
        .execute(p)
        .await?;
        Ok(())
    })
}
