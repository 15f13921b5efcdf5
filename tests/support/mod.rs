//! Test harness: each test gets the whole console on its own port-0 listener, a fresh
//! database (SQLite in a temporary directory, or with `MSK_TEST_DATABASE=postgres` a new
//! PostgreSQL database: see [`pg`]), and (where it needs AWS) its own fake MSK endpoint.
//! The SDK's retries are off unless a test turns them on.

pub mod moto;
pub mod pg;
pub mod process;
pub mod raw;
pub mod tls;
pub mod tools;
pub mod wait;

pub use wait::{eventually, eventually_blocking, when, PATIENCE};

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use app::model::Inventory;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use msk_console::inventory::sources::{AwsSource, Source};
use msk_console::{App, Config, InventoryService};

pub struct TestApp {
    pub addr: SocketAddr,
    pub url: String,
    pub inventory: Arc<InventoryService>,
    pub history: Arc<msk_console::history::History>,
    pub db_dir: tempfile::TempDir,
    pub client: reqwest::Client,
    /// Cancelled once the server has been told to stop.
    pub stopped: tokio_util::sync::CancellationToken,
    /// The console's background loops (how many still run).
    pub background: msk_console::background::Background,
    /// The console's own database pool.
    pub pool: msk_console::store::Db,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

/// The runtime every test console runs on.
pub fn server_runtime() -> &'static tokio::runtime::Runtime {
    static RT: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("the test servers' runtime")
    })
}

/// A loopback port free right now (for consoles started as processes).
/// A JSON array of strings as `&str`s (panics on anything else: a test's answer is wrong).
pub fn strs(v: &serde_json::Value) -> Vec<&str> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|s| s.as_str().unwrap_or_else(|| panic!("not a string: {s}")))
        .collect()
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind a free port")
        .local_addr()
        .expect("its address")
        .port()
}

/// A fresh database for a test console: SQLite in `dir`, or a new PostgreSQL database
/// when the run asks for it ([`pg::consoles_on_postgres`]).
pub fn database_url(dir: &std::path::Path) -> String {
    if pg::consoles_on_postgres() {
        // One database per directory, so a restart on the same directory finds its data.
        let note = dir.join("postgres-url");
        if let Ok(url) = std::fs::read_to_string(&note) {
            return url;
        }
        let url = pg::fresh_database();
        std::fs::write(&note, &url).expect("note the test database's URL");
        url
    } else {
        format!("sqlite://{}/console.db", dir.display())
    }
}

/// A test configuration: no retries, short timeouts, a database in `dir`.
pub fn test_config(dir: &std::path::Path) -> Config {
    let mut c = Config::for_tests();
    c.database_url = database_url(dir);
    c.session_key_file = dir.join("session.key");
    c.aws_max_attempts = 1;
    c.aws_timeout = Duration::from_secs(5);
    c.refresh_interval = Duration::from_secs(3600);
    // Fake clusters have made-up host names; tests that probe turn this back on.
    c.no_probe = true;
    // CloudWatch would be AWS's own endpoint: tests that read it point a source at moto
    // (tests/cloudwatch.rs) and turn this back on.
    c.no_cloudwatch = true;
    // Topic listings would add calls to the fake MSK that other tests count: the topic
    // tests (tests/topics.rs) turn them back on.
    c.no_topics = true;
    c.probe_timeout = Duration::from_secs(1);
    c
}

/// A console over one inventory file with `text`, refreshed and recorded once; the
/// directory holding the file lives as long as the returned guard.
pub async fn file_lab(text: &str, tweak: impl FnOnce(&mut Config)) -> (TestApp, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let inv = dir.path().join("lab.toml");
    std::fs::write(&inv, text).expect("inventory file");
    let app = TestApp::spawn_with(vec![Source::File(inv)], tweak).await;
    app.refreshed(1).await;
    app.recorded(1).await;
    (app, dir)
}

/// An AWS source pointed at a fake MSK endpoint.
pub fn aws_source(name: &str, endpoint: &str, regions: &[&str]) -> Source {
    Source::Aws(AwsSource {
        name: name.to_string(),
        profile: None,
        role_arn: None,
        regions: regions.iter().map(|r| r.to_string()).collect(),
        endpoint_url: Some(endpoint.to_string()),
        cloudwatch_endpoint_url: None,
    })
}

pub fn test_credentials(key: &str) -> SharedCredentialsProvider {
    SharedCredentialsProvider::new(Credentials::new(key, "test-secret", None, None, "tests"))
}

impl TestApp {
    pub async fn spawn(sources: Vec<Source>) -> TestApp {
        Self::spawn_with(sources, |_| {}).await
    }

    pub async fn spawn_with(sources: Vec<Source>, tweak: impl FnOnce(&mut Config)) -> TestApp {
        let db_dir = tempfile::tempdir().expect("temp dir");
        let mut config = test_config(db_dir.path());
        tweak(&mut config);
        Self::spawn_in(db_dir, config, sources).await
    }

    /// Starts the console on an existing database directory (restart tests).
    pub async fn spawn_in(
        db_dir: tempfile::TempDir,
        config: Config,
        sources: Vec<Source>,
    ) -> TestApp {
        // Every test's console runs on one shared multi-threaded runtime, as the real
        // binary does; the tests themselves run on their own runtimes. (Renders that
        // never finished, seen when many consoles ran in one process, were leptos issue
        // #4773: see `tests/page_cache.rs`, `pages_render_while_other_consoles_start`.)
        let (app_parts, addr, tx) = server_runtime()
            .spawn(async move {
                let app = App::build_with(config, sources, Some(test_credentials("AKIDTEST")))
                    .await
                    .expect("console starts");
                // On PostgreSQL the console leads once its election ran (at once: it is
                // alone on its database); tests expect a console that records.
                let roles = app.replica.roles();
                eventually(
                    "the test console to lead its database",
                    PATIENCE,
                    || async {
                        let role = *roles.borrow();
                        when(role.leads(), ()).map_err(|_| role)
                    },
                )
                .await;
                let parts = (
                    app.inventory.clone(),
                    app.history.clone(),
                    app.shutdown.clone(),
                    app.pool.clone(),
                    app.background.clone(),
                );
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind");
                let addr = listener.local_addr().expect("addr");
                let (tx, rx) = tokio::sync::oneshot::channel::<()>();
                tokio::spawn(app.serve(listener, async {
                    let _ = rx.await;
                }));
                (parts, addr, tx)
            })
            .await
            .expect("the console started");
        let (inventory, history, stopped, pool, background) = app_parts;
        TestApp {
            addr,
            url: format!("http://{addr}"),
            inventory,
            history,
            db_dir,
            stopped,
            pool,
            background,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            shutdown: Some(tx),
        }
    }

    /// Waits until `n` refreshes have completed and returns the inventory then.
    pub async fn refreshed(&self, n: u64) -> Arc<Inventory> {
        eventually(&format!("refresh {n} to finish"), PATIENCE, || async {
            let inv = self.inventory.inventory();
            let status = inv.refresh.clone();
            when(status.generation >= n, inv).map_err(|_| status)
        })
        .await
    }

    /// Waits until the history has handled `n` refreshes or sweeps.
    pub async fn recorded(&self, n: u64) {
        let rx = self.history.subscribe_recorded();
        eventually(
            &format!("the history to record {n} refreshes or sweeps"),
            PATIENCE,
            || async {
                let handled = *rx.borrow();
                when(handled >= n, ()).map_err(|_| format!("{handled} handled"))
            },
        )
        .await
    }

    /// Waits until the inventory satisfies `ready`; on failure, says `what` and shows
    /// the refresh and sweep status last seen.
    pub async fn inventory_when(
        &self,
        what: &str,
        ready: impl Fn(&Inventory) -> bool,
    ) -> Arc<Inventory> {
        eventually(what, PATIENCE, || async {
            let inv = self.inventory.inventory();
            if ready(&inv) {
                Ok(inv)
            } else {
                Err(format!(
                    "refresh {:?}; sweep {:?}; {} clusters, {} probed",
                    inv.refresh,
                    inv.sweep,
                    inv.clusters.len(),
                    inv.reachability.len()
                ))
            }
        })
        .await
    }

    /// Adds a bearer token to every request of this app's client.
    pub fn with_token(mut self, token: &str) -> TestApp {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert(
            reqwest::header::AUTHORIZATION,
            format!("Bearer {token}").parse().expect("header"),
        );
        self.client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(h)
            .build()
            .expect("client");
        self
    }

    /// Creates a token in this console's database, as `msk-console token create` does.
    pub async fn token(&self, name: &str, role: &str) -> String {
        msk_console::auth::tokens::run(
            &self.pool,
            &msk_console::config::TokenCommand::Create {
                name: name.into(),
                role: app::model::Role::parse(role).expect("a role"),
                expires: None,
            },
        )
        .await
        .expect("token created")
        .trim()
        .to_string()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .expect("request")
    }

    pub async fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        let r = self.get(path).await;
        let status = r.status().as_u16();
        (status, r.json().await.expect("JSON body"))
    }

    /// A page's HTML.
    pub async fn page(&self, path: &str) -> String {
        self.get(path).await.text().await.expect("page text")
    }

    /// The id of the listed cluster named `name`.
    pub async fn id_of(&self, name: &str) -> String {
        let (_, list) = self.get_json("/api/clusters").await;
        list["clusters"]
            .as_array()
            .expect("a cluster list")
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("no cluster named {name}"))["id"]
            .as_str()
            .expect("an id")
            .to_string()
    }

    /// Waits for a sweep after generation `after` that found something to probe (a
    /// sweep may run before the first refresh lists anything).
    pub async fn swept(&self, after: u64) -> Arc<Inventory> {
        self.inventory_when(&format!("a sweep after sweep {after}"), |i| {
            i.sweep.generation > after && !i.sweep.running && !i.reachability.is_empty()
        })
        .await
    }

    pub fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.stop();
    }
}
