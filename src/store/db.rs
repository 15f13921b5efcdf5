//! The pool of either kind ([`Db`]), how it is opened and migrated, the one macro that
//! runs a statement on either ([`with_db!`]), and the error every query returns.

use std::path::Path;
use std::str::FromStr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use app::error::AppError;

use crate::error::StartError;

/// The console's database: one pool, of either kind. Cheap to clone.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(Pg),
}

/// A PostgreSQL pool and the fencing epoch of this replica's leadership.
#[derive(Clone, Debug)]
pub struct Pg {
    pub pool: PgPool,
    /// The epoch this replica leads in; 0 while it does not lead. History writes check
    /// it against the `leadership` row inside their transaction.
    pub fence: Arc<AtomicI64>,
    /// Where to connect a session of its own (the leader's lock, LISTEN).
    pub options: Arc<PgConnectOptions>,
}

impl Pg {
    pub fn fence(&self) -> i64 {
        self.fence.load(Ordering::Acquire)
    }
}

/// Runs `$body` with `$p` bound to the pool, whichever kind it is: the body is compiled
/// once per backend, so one statement text serves both.
#[macro_export]
macro_rules! with_db {
    ($db:expr, |$p:ident| $body:expr) => {
        match $db {
            $crate::store::db::Db::Sqlite($p) => $body,
            $crate::store::db::Db::Postgres(pg) => {
                let $p = &pg.pool;
                $body
            }
        }
    };
}
pub use with_db;

impl Db {
    /// Whether several replicas can share this database.
    pub fn is_postgres(&self) -> bool {
        matches!(self, Db::Postgres(_))
    }

    /// How a transaction that writes begins: SQLite must take the write lock at once
    /// (`IMMEDIATE`), or a transaction that read first fails with "database is locked"
    /// when another connection wrote in between, instead of waiting its turn.
    pub fn begin_write(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "BEGIN IMMEDIATE",
            Db::Postgres(_) => "BEGIN",
        }
    }

    /// The SQLite pool, for what only SQLite has (benchmarks' `VACUUM`, crash tests).
    pub fn sqlite(&self) -> Option<&SqlitePool> {
        match self {
            Db::Sqlite(p) => Some(p),
            Db::Postgres(_) => None,
        }
    }

    pub async fn close(&self) {
        with_db!(self, |p| p.close().await)
    }
}

/// Opens (creating if needed) the database at `url` and brings its schema up to date.
pub async fn connect(url: &str) -> Result<Db, StartError> {
    let bad = |reason: String| StartError::Database {
        url: redacted(url),
        reason,
    };
    match check_scheme(url).map_err(bad)? {
        Backend::Sqlite => connect_sqlite(url).await.map_err(bad),
        Backend::Postgres => connect_postgres(url).await.map_err(bad),
    }
}

async fn connect_sqlite(url: &str) -> Result<Db, String> {
    let opts = SqliteConnectOptions::from_str(url)
        .map_err(|e| format!("not a SQLite URL: {e}"))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true);
    let file = opts.get_filename().to_path_buf();
    if file.as_path() != Path::new(":memory:") {
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create the directory {}: {e}", dir.display()))?;
        }
    }
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(opts)
        .await
        .map_err(|e| format!("cannot open {}: {e}", file.display()))?;
    sqlx::migrate!("./migrations/sqlite")
        .run(&pool)
        .await
        .map_err(|e| format!("migrating the schema failed: {e}"))?;
    Ok(Db::Sqlite(pool))
}

async fn connect_postgres(url: &str) -> Result<Db, String> {
    let options = PgConnectOptions::from_str(url)
        .map_err(|e| format!("not a PostgreSQL URL: {e}"))?
        .application_name("msk-console");
    // One connection first, for the real reason when it fails (the pool would retry
    // until its timeout and then only say that it timed out).
    {
        use sqlx::Connection;
        let first = tokio::time::timeout(
            Duration::from_secs(10),
            sqlx::PgConnection::connect_with(&options),
        )
        .await
        .map_err(|_| "cannot connect: no answer within 10 s".to_string())?
        .map_err(|e| format!("cannot connect: {}", one_line(&e.to_string())))?;
        let _ = first.close().await;
    }
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options.clone())
        .await
        .map_err(|e| format!("cannot connect: {}", one_line(&e.to_string())))?;
    // Several replicas may start at once: the migrator takes an advisory lock of its
    // own, so only one of them migrates and the others wait for it.
    sqlx::migrate!("./migrations/postgres")
        .run(&pool)
        .await
        .map_err(|e| format!("migrating the schema failed: {e}"))?;
    Ok(Db::Postgres(Pg {
        pool,
        fence: Arc::new(AtomicI64::new(0)),
        options: Arc::new(options),
    }))
}

/// Text as every backend can store it: PostgreSQL refuses NUL in `text`, so a NUL from
/// a request, an inventory file or AWS becomes U+FFFD on both backends (the same value
/// is then written and looked up everywhere).
pub(crate) fn text(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains('\0') {
        std::borrow::Cow::Owned(s.replace('\0', "\u{FFFD}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// An error on one line (PostgreSQL's messages may carry a DETAIL line).
fn one_line(s: &str) -> String {
    s.split(['\n', '\r']).next().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use sqlx::sqlite::SqlitePoolOptions;

    #[test]
    fn nul_becomes_a_replacement_character() {
        assert_eq!(super::text("a\0b"), "a\u{FFFD}b");
        assert!(matches!(
            super::text("ab"),
            std::borrow::Cow::Borrowed("ab")
        ));
    }

    /// The CloudWatch trigger rebuilds `snapshots` (SQLite cannot change a CHECK in
    /// place): a history written before it keeps every snapshot and change, and the
    /// rebuilt table still cascades.
    #[tokio::test]
    async fn a_history_from_before_the_cloudwatch_trigger_survives_its_migration() {
        use sqlx::sqlite::SqliteConnectOptions;
        let dir = tempfile::tempdir().unwrap();
        let opts = SqliteConnectOptions::new()
            .filename(dir.path().join("old.db"))
            .create_if_missing(true)
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new().connect_with(opts).await.unwrap();
        let all = sqlx::migrate!("./migrations/sqlite");
        let mut before = sqlx::migrate!("./migrations/sqlite");
        before.migrations = all
            .migrations
            .iter()
            .filter(|m| m.version < 20261203000002)
            .cloned()
            .collect();
        before.run(&pool).await.unwrap();
        let exec = |q: &'static str| {
            let pool = pool.clone();
            async move { sqlx::query(q).execute(&pool).await }
        };
        exec("INSERT INTO snapshots (id, trigger, taken_at, checked_at, changes, clusters, brokers, monitored_clusters, covered_clusters, monitored_brokers, covered_brokers) VALUES (7, 'probe', 1, 2, 1, 1, 3, 1, 1, 3, 3)").await.unwrap();
        exec("INSERT INTO states (id, cluster_id, hash, body) VALUES (1, 'c', 'h', '{}')")
            .await
            .unwrap();
        exec("INSERT INTO changes (snapshot_id, cluster_id, cluster_name, source, region, kinds, summary, state_id, brokers) VALUES (7, 'c', 'c', 's', 'r', 1, 'x', 1, 3)").await.unwrap();
        assert!(
            exec("INSERT INTO snapshots (trigger, taken_at, checked_at, changes, clusters, brokers, monitored_clusters, covered_clusters, monitored_brokers, covered_brokers) VALUES ('cloudwatch', 3, 3, 0, 0, 0, 0, 0, 0, 0)").await.is_err(),
            "the old CHECK refuses the new trigger"
        );
        all.run(&pool).await.unwrap();
        let count = |q: &'static str| {
            let pool = pool.clone();
            async move {
                sqlx::query_scalar::<_, i64>(q)
                    .fetch_one(&pool)
                    .await
                    .unwrap()
            }
        };
        assert_eq!(
            count("SELECT COUNT(*) FROM snapshots WHERE id = 7 AND trigger = 'probe'").await,
            1
        );
        assert_eq!(
            count("SELECT COUNT(*) FROM changes WHERE snapshot_id = 7").await,
            1
        );
        exec("INSERT INTO snapshots (trigger, taken_at, checked_at, changes, clusters, brokers, monitored_clusters, covered_clusters, monitored_brokers, covered_brokers) VALUES ('cloudwatch', 3, 3, 0, 0, 0, 0, 0, 0, 0)").await.unwrap();
        assert!(exec("INSERT INTO snapshots (trigger, taken_at, checked_at, changes, clusters, brokers, monitored_clusters, covered_clusters, monitored_brokers, covered_brokers) VALUES ('bogus', 3, 3, 0, 0, 0, 0, 0, 0, 0)").await.is_err());
        exec("DELETE FROM snapshots WHERE id = 7").await.unwrap();
        assert_eq!(
            count("SELECT COUNT(*) FROM changes").await,
            0,
            "deleting a snapshot still cascades"
        );
        assert_eq!(
            count("SELECT COUNT(*) FROM pragma_foreign_key_check").await,
            0
        );
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

/// Which backend a URL names; any other URL is refused before anything is created
/// (SQLite would otherwise take `mysql://host/db` for a file path and make a directory).
fn check_scheme(url: &str) -> Result<Backend, String> {
    let scheme = url.split_once(':').map(|(s, _)| s.to_ascii_lowercase());
    match scheme.as_deref() {
        Some("sqlite") => Ok(Backend::Sqlite),
        Some("postgres" | "postgresql") => Ok(Backend::Postgres),
        _ => Err("not a database URL this console can use; give sqlite://PATH (e.g. sqlite://data/msk-console.db) or postgres://USER@HOST/DATABASE".into()),
    }
}

/// The URL without its password, for messages and logs.
pub fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

/// Whether the database answers, for `/healthz`.
pub async fn ping(db: &Db) -> bool {
    with_db!(db, |p| sqlx::query_scalar::<_, i64>(
        "SELECT CAST(1 AS BIGINT)"
    )
    .fetch_one(p)
    .await
    .is_ok())
}

/// A failed query or an unreadable stored value.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("a stored value could not be read or written: {0}")]
    Json(#[from] serde_json::Error),
    /// A PostgreSQL replica wrote as the leader after another replica took over.
    #[error("this replica no longer leads; the write was left to the new leader")]
    NotLeader,
}

impl From<StoreError> for AppError {
    /// Logs the detail; the answer says only what the reader can act on.
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::Sql(e) => {
                tracing::error!(error = %e, "database query failed");
                AppError::Unavailable(
                    "The history database could not be read just now. Try again; the server log has the details."
                        .into(),
                )
            }
            StoreError::Json(e) => AppError::internal(e),
            StoreError::NotLeader => {
                AppError::Unavailable("Another replica took over; try again.".into())
            }
        }
    }
}
