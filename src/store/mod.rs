//! The store: SQLite (the embedded default) or PostgreSQL (several replicas).
//!
//! [`Db`] is one pool of either kind. Every statement is written once, in the SQL both
//! understand (`$1` parameters, `CASE` instead of SQLite's two-argument `MAX`, `CAST(…
//! AS BIGINT)` around sums), and [`with_db!`] runs it on whichever pool this is.
//! SQLite runs in WAL mode so page reads never wait for a refresh's write, with a busy
//! timeout so two writers queue instead of failing. Each backend has its migrations
//! (`migrations/sqlite`, `migrations/postgres`), compiled into the binary and run at
//! start.
//!
//! The store owns every SQL statement of the console:
//! - [`access`]: bearer tokens (hashed) and the audit log;
//! - [`sessions`]: sign-in sessions (the hash of each cookie's id);
//! - [`source_cache`]: the last good inventory of every source and region, so a
//!   restarted console shows the clusters at once and a source that fails keeps showing
//!   what it last listed;
//! - [`revisions`]: MSK configuration revisions' `server.properties`, read once each;
//! - [`snapshots`]: writing the history (one transaction per snapshot) and pruning it;
//! - [`timeline`]: reading the history back (timelines, versions, chart rows);
//! - [`replica`]: PostgreSQL only: the leader's epoch and the view followers serve.
//!
//! Queries return [`StoreError`]; at the HTTP boundary it becomes an
//! [`app::error::AppError`] that shows no SQL, and the detail goes to the log. The pool,
//! the error and the helpers every file here shares are in [`db`].

pub mod access;
pub mod db;
pub mod replica;
pub mod revisions;
pub mod sessions;
pub mod snapshots;
pub mod source_cache;
pub mod timeline;

pub use db::{connect, ping, redacted, with_db, Db, Pg, StoreError};
