//! PostgreSQL for tests: `scripts/test.sh` starts a private server (`scripts/pg.sh`) and
//! exports its URL as `MSK_TEST_PG_URL`; every test that uses it gets a database of its
//! own. With `MSK_TEST_DATABASE=postgres`, every test console runs on PostgreSQL instead
//! of SQLite (the test script reruns the store, history and API tests that way).

use std::sync::atomic::{AtomicU32, Ordering};

/// The server's URL (its `postgres` database), if the test script started one.
pub fn server_url() -> Option<String> {
    std::env::var("MSK_TEST_PG_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// Whether test consoles run on PostgreSQL.
pub fn consoles_on_postgres() -> bool {
    std::env::var("MSK_TEST_DATABASE").as_deref() == Ok("postgres")
}

/// A new, empty database on the test server; its URL.
///
/// Panics with what to do when no server was started: a test that needs PostgreSQL must
/// not pass without one.
pub fn fresh_database() -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let server = server_url().expect(
        "MSK_TEST_PG_URL is not set: run scripts/test.sh, or start a server with \
         `scripts/pg.sh start DIR` and export the URL it prints",
    );
    let name = format!(
        "t_{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0)
    );
    let create = format!("CREATE DATABASE {name}");
    let admin = server.clone();
    // Callers may be inside a runtime: create it from a thread of its own.
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(async move {
                use sqlx::Connection;
                let mut c = sqlx::PgConnection::connect(&admin)
                    .await
                    .expect("connect to the test PostgreSQL");
                sqlx::query(sqlx::AssertSqlSafe(create))
                    .execute(&mut c)
                    .await
                    .expect("create a test database");
            })
    })
    .join()
    .expect("creating the test database");
    let mut url = url::Url::parse(&server).expect("MSK_TEST_PG_URL is a URL");
    url.set_path(&name);
    url.to_string()
}

/// On PostgreSQL, makes `db` the leader (history writes check it) until the returned
/// guard is dropped; nothing on SQLite.
pub async fn lead(db: &msk_console::store::Db) -> Option<sqlx::PgConnection> {
    match db {
        msk_console::store::Db::Postgres(pg) => Some(
            msk_console::replica::lead(pg, "test")
                .await
                .expect("take the leadership")
                .expect("nobody else leads a fresh test database"),
        ),
        msk_console::store::Db::Sqlite(_) => None,
    }
}
