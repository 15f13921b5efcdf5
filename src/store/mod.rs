//! The SQLite store.
//!
//! One pool for the whole process, in WAL mode so that page reads never wait for a
//! refresh's write, with a busy timeout so two writers queue instead of failing.
//! Migrations from `migrations/` are compiled into the binary and run at start.
//!
//! The store owns every SQL statement of the console:
//! - [`access`]: bearer tokens (hashed) and the audit log;
//! - [`source_cache`]: the last good inventory of every source and region, so a
//!   restarted console shows the clusters at once and a source that fails keeps showing
//!   what it last listed;
//! - [`snapshots`]: writing the history (one transaction per snapshot) and pruning it;
//! - [`timeline`]: reading the history back (timelines, versions, chart rows).
//!
//! Queries return [`StoreError`]; at the HTTP boundary it becomes an [`AppError`] that
//! shows no SQL, and the detail goes to the log.

pub mod access;
pub mod snapshots;
pub mod source_cache;
pub mod timeline;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use app::error::AppError;

use crate::error::StartError;

/// Opens (creating if needed) the database at `url` and brings its schema up to date.
pub async fn connect(url: &str) -> Result<SqlitePool, StartError> {
    let bad = |reason: String| StartError::Database {
        url: redacted(url),
        reason,
    };
    check_scheme(url).map_err(bad)?;
    let opts = SqliteConnectOptions::from_str(url)
        .map_err(|e| bad(format!("not a SQLite URL: {e}")))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true);
    let file = opts.get_filename().to_path_buf();
    if file.as_path() != Path::new(":memory:") {
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                bad(format!(
                    "cannot create the directory {}: {e}",
                    dir.display()
                ))
            })?;
        }
    }
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(opts)
        .await
        .map_err(|e| bad(format!("cannot open {}: {e}", file.display())))?;
    sqlx::migrate!()
        .run(&pool)
        .await
        .map_err(|e| bad(format!("migrating the schema failed: {e}")))?;
    Ok(pool)
}

/// Refuses a URL this console cannot use, before anything is created: SQLite would
/// otherwise take `postgres://host/db` for a file path and make a directory `postgres:`.
fn check_scheme(url: &str) -> Result<(), String> {
    let scheme = url.split_once(':').map(|(s, _)| s.to_ascii_lowercase());
    match scheme.as_deref() {
        Some("sqlite") => Ok(()),
        Some("postgres" | "postgresql") => Err(
            "PostgreSQL is not supported by this version yet; give a sqlite:// URL (e.g. sqlite://data/msk-console.db)".into(),
        ),
        _ => Err("not a database URL this console can use; give sqlite://PATH (e.g. sqlite://data/msk-console.db)".into()),
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
pub async fn ping(pool: &SqlitePool) -> bool {
    sqlx::query_scalar::<_, i64>("SELECT 1")
        .fetch_one(pool)
        .await
        .is_ok()
}

/// A failed query or an unreadable stored value.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("a stored value could not be read or written: {0}")]
    Json(#[from] serde_json::Error),
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
        }
    }
}
