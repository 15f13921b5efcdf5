//! Several consoles on one PostgreSQL: one leads, the others follow.
//!
//! On SQLite there is one console and it does everything ([`Role::Single`]). On
//! PostgreSQL any number of replicas serve pages, the API and downloads, and exactly one
//! of them, the leader, refreshes the inventory, sweeps the probes, records the history
//! and prunes it:
//!
//! - **Election** ([`Replica::elect`]): the leader holds a PostgreSQL advisory lock on a
//!   connection of its own and checks that connection every second. PostgreSQL releases
//!   the lock when the session ends, so when the leader dies (even `kill -9`: the kernel
//!   closes its socket) a follower's next try, at most a second later, takes it. Each
//!   leadership has a new epoch, and every history write checks it ([`crate::store::Pg`]),
//!   so a leader that lost its lock but still runs cannot write after its successor.
//! - **The view** ([`Replica::sync`]): the leader writes its inventory (clusters, source
//!   statuses, refresh and sweep progress, every cluster's last probe) to the database
//!   after every change, at most every [`VIEW_WRITE_EVERY`], and NOTIFYs; followers
//!   LISTEN, read it and serve it, and also poll every [`VIEW_POLL_EVERY`] in case a
//!   notification was lost (a dropped LISTEN connection).
//! - **Requests**: "Refresh now" or "Probe now" on a follower is sent to the leader with
//!   NOTIFY; the follower shows it as running until the leader's view says otherwise.
//! - **Taking over**: a new leader rebuilds its inventory from the last view
//!   ([`InventoryService::take_over`]), reloads the history's latest states, and refreshes
//!   at once. What the old leader did not commit is recorded by the new one; what it
//!   committed is not recorded again, since the recorder compares with the database.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::model::Inventory;
use sqlx::postgres::{PgConnection, PgListener};
use sqlx::Connection;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use app::params::ClusterId;

use crate::background::Background;
use crate::clock::now_unix;
use crate::cloudwatch::CloudWatchService;
use crate::inventory::InventoryService;
use crate::prober::ProbeService;
use crate::store::{self, replica as sql, Db, Pg};

/// How often a follower tries the lock, and the leader checks its lock's connection.
pub const ELECTION_EVERY: Duration = Duration::from_secs(1);
/// The leader's lock connection must answer within this, or it steps down.
const LOCK_CHECK_TIMEOUT: Duration = Duration::from_secs(3);
/// The leader writes its view at most this often (sweep progress changes 4× a second).
pub const VIEW_WRITE_EVERY: Duration = Duration::from_millis(200);
/// Followers read the view at least this often, notification or not.
pub const VIEW_POLL_EVERY: Duration = Duration::from_secs(2);
/// A request shown as running on a follower is dropped if no view confirmed it by then.
const REQUEST_SHOWN_FOR: Duration = Duration::from_secs(10);

pub use crate::role::{single, until_leading, Role};

/// What a follower asks the leader to do (sent with `NOTIFY msk_console_request`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LeaderRequest {
    /// Refresh every source now.
    Refresh,
    /// Probe every cluster now.
    ProbeAll,
    /// Probe one cluster now.
    Probe(ClusterId),
}

impl LeaderRequest {
    /// How it travels: `refresh`, `probe` or `probe:ID`.
    pub fn payload(&self) -> String {
        match self {
            LeaderRequest::Refresh => "refresh".into(),
            LeaderRequest::ProbeAll => "probe".into(),
            LeaderRequest::Probe(id) => format!("probe:{id}"),
        }
    }

    /// A payload as it arrived; `None` for anything else (another version's request).
    pub fn parse(payload: &str) -> Option<LeaderRequest> {
        match payload {
            "refresh" => Some(LeaderRequest::Refresh),
            "probe" => Some(LeaderRequest::ProbeAll),
            other => other
                .strip_prefix("probe:")
                .and_then(|id| ClusterId::parse(id).ok())
                .map(LeaderRequest::Probe),
        }
    }
}

/// What a follower knows of the view it serves, for `/healthz`.
#[derive(Clone, Debug, Default)]
struct ViewState {
    version: i64,
    leader: Option<String>,
    written_at: Option<i64>,
    /// When this replica last found its view current (or, leading, wrote it).
    synced: Option<Instant>,
    /// The last view as the leader wrote it (a shown request is laid over a copy).
    adopted: Option<Arc<Inventory>>,
    /// A forwarded request shown as running since then.
    shown: Option<Instant>,
}

/// This console's place among the replicas.
pub struct Replica {
    /// How this replica names itself in the leadership row and `/healthz`.
    pub name: String,
    db: Db,
    role: watch::Sender<Role>,
    view: Mutex<ViewState>,
}

/// What `/healthz` says about the replicas.
#[derive(Clone, Debug)]
pub struct Status {
    pub role: Role,
    pub name: String,
    /// The leader's name, as it wrote it (on a follower: of the view it serves).
    pub leader: Option<String>,
    pub view_version: i64,
    /// When the leader wrote the view this replica serves (Unix seconds).
    pub view_written_at: Option<i64>,
    /// How long ago this replica last confirmed its view is the latest (0 leading).
    pub view_age: Option<Duration>,
}

impl Replica {
    /// A replica over `db`: the only console on SQLite, a follower on PostgreSQL until it
    /// wins the election ([`Replica::start`]).
    pub fn new(db: Db, name: String) -> Arc<Replica> {
        let role = if db.is_postgres() {
            Role::Follower
        } else {
            Role::Single
        };
        Arc::new(Replica {
            name,
            db,
            role: watch::channel(role).0,
            view: Mutex::new(ViewState::default()),
        })
    }

    /// The default name: the host's name and the process id.
    pub fn default_name() -> String {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "console".into());
        format!("{host}:{}", std::process::id())
    }

    pub fn role(&self) -> Role {
        *self.role.borrow()
    }

    pub fn roles(&self) -> watch::Receiver<Role> {
        self.role.subscribe()
    }

    fn lock_view(&self) -> std::sync::MutexGuard<'_, ViewState> {
        self.view.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// On PostgreSQL, starts the election and the view's sync; both stop on `shutdown`
    /// (the lock's connection closes with it, so a follower takes over at once).
    pub fn start(
        self: &Arc<Self>,
        inventory: Arc<InventoryService>,
        probes: Arc<ProbeService>,
        cloudwatch: Option<Arc<CloudWatchService>>,
        background: &Background,
    ) {
        let Db::Postgres(pg) = &self.db else {
            return;
        };
        let shutdown = background.shutdown.clone();
        background.spawn(
            self.clone()
                .elect(pg.clone(), inventory.clone(), shutdown.clone()),
        );
        let sweeps = Sweeps { probes, cloudwatch };
        background.spawn(self.clone().sync(pg.clone(), inventory, sweeps, shutdown));
    }

    /// What `/healthz` reports.
    pub fn status(&self) -> Status {
        let role = self.role();
        let v = self.lock_view().clone();
        Status {
            role,
            name: self.name.clone(),
            leader: match role {
                Role::Single => None,
                Role::Leader { .. } => Some(self.name.clone()),
                Role::Follower => v.leader,
            },
            view_version: v.version,
            view_written_at: v.written_at,
            view_age: match role {
                Role::Single => None,
                // The leader's view is its own inventory: current by definition.
                Role::Leader { .. } => Some(Duration::ZERO),
                Role::Follower => v.synced.map(|s| s.elapsed()),
            },
        }
    }

    /// Sends a request to the leader, and shows it as running here until the leader's
    /// view says otherwise.
    pub fn forward(self: &Arc<Self>, request: LeaderRequest, inventory: &InventoryService) {
        let Db::Postgres(pg) = &self.db else {
            return;
        };
        {
            let mut v = self.lock_view();
            let mut shown = (*inventory.inventory()).clone();
            if request == LeaderRequest::Refresh {
                shown.refresh.running = true;
                shown.refresh.done = 0;
            } else {
                shown.sweep.running = true;
                shown.sweep.done = 0;
            }
            v.shown = Some(Instant::now());
            inventory.live().adopt(shown);
        }
        let pool = pg.pool.clone();
        let what = request.payload();
        tokio::spawn(async move {
            if let Err(e) = sql::request(&pool, &what).await {
                tracing::warn!(error = %e, request = %what, "could not pass a request to the leader");
            }
        });
    }

    /// Takes the lock when it is free, holds it while its connection answers, and gives it
    /// up on shutdown.
    async fn elect(
        self: Arc<Self>,
        pg: Pg,
        inventory: Arc<InventoryService>,
        shutdown: CancellationToken,
    ) {
        let pause = || async {
            tokio::select! {
                _ = tokio::time::sleep(ELECTION_EVERY) => true,
                _ = shutdown.cancelled() => false,
            }
        };
        loop {
            let mut conn = match PgConnection::connect_with(&pg.options).await {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(error = %e, "the election cannot reach PostgreSQL; trying again");
                    if !pause().await {
                        return;
                    }
                    continue;
                }
            };
            // Follow until the lock is ours.
            let won = loop {
                match sql::try_lock(&mut conn).await {
                    Ok(true) => break true,
                    Ok(false) => {
                        if !pause().await {
                            return;
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "the election lost its connection; reconnecting");
                        break false;
                    }
                }
            };
            if !won {
                continue;
            }
            let epoch = match sql::begin_term(&mut conn, &self.name, now_unix()).await {
                Ok(e) => e,
                Err(e) => {
                    tracing::warn!(error = %e, "could not start a leadership; giving the lock back");
                    let _ = conn.close().await;
                    continue;
                }
            };
            pg.fence.store(epoch, std::sync::atomic::Ordering::Release);
            // The last leader's inventory first, so this replica never leads (records,
            // serves as the leader's) with a follower's view.
            inventory.take_over().await;
            tracing::info!(epoch, replica = %self.name, "this replica leads now");
            self.role.send_replace(Role::Leader { epoch });
            // Lead while the lock's session answers.
            let stop = loop {
                if !pause().await {
                    break true;
                }
                match tokio::time::timeout(LOCK_CHECK_TIMEOUT, sql::still_there(&mut conn)).await {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => {
                        tracing::error!(error = %e, "the leader's lock connection failed; stepping down");
                        break false;
                    }
                    Err(_) => {
                        tracing::error!(
                            "the leader's lock connection stopped answering; stepping down"
                        );
                        break false;
                    }
                }
            };
            if stop {
                // The followers get the last state before one of them takes over.
                let _ = tokio::time::timeout(
                    LOCK_CHECK_TIMEOUT,
                    self.write_view(&pg, epoch, &inventory),
                )
                .await;
            }
            pg.fence.store(0, std::sync::atomic::Ordering::Release);
            self.role.send_replace(Role::Follower);
            // Closing the session releases the lock for the others.
            let _ = tokio::time::timeout(LOCK_CHECK_TIMEOUT, conn.close()).await;
            if stop {
                tracing::info!("shutting down: gave up the leadership");
                return;
            }
        }
    }

    /// Leading: writes the view after every change and answers forwarded requests.
    /// Following: serves the leader's view as it changes.
    async fn sync(
        self: Arc<Self>,
        pg: Pg,
        inventory: Arc<InventoryService>,
        sweeps: Sweeps,
        shutdown: CancellationToken,
    ) {
        // `PgListener::recv` is not documented as cancel-safe: it runs in a task of its own
        // and hands each notification over a channel, which `select!` may drop safely.
        let (tx, mut notes) = tokio::sync::mpsc::channel::<(String, String)>(64);
        tokio::spawn(listen(pg.clone(), tx, shutdown.clone()));
        let mut roles = self.roles();
        let mut published = inventory.subscribe();
        let mut poll = tokio::time::interval(VIEW_POLL_EVERY);
        poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // Leading: the inventory changed since the last write.
        let mut dirty = false;
        let mut last_write = Instant::now() - VIEW_WRITE_EVERY;
        loop {
            let role = *roles.borrow_and_update();
            let write_at = tokio::time::Instant::from_std(last_write + VIEW_WRITE_EVERY);
            tokio::select! {
                note = notes.recv() => match note {
                    Some((channel, payload)) if channel == sql::REQUEST_CHANNEL => {
                        if role.leads() {
                            self.answer(&payload, &inventory, &sweeps);
                        }
                    }
                    Some(_) => {
                        if !role.leads() {
                            self.catch_up(&pg, &inventory).await;
                        }
                    }
                    None => return,
                },
                _ = poll.tick() => {
                    if !role.leads() {
                        self.catch_up(&pg, &inventory).await;
                    }
                }
                changed = published.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    dirty = role.leads();
                }
                _ = tokio::time::sleep_until(write_at), if dirty => {
                    dirty = false;
                    last_write = Instant::now();
                    if let Role::Leader { epoch } = role {
                        self.write_view(&pg, epoch, &inventory).await;
                    }
                }
                changed = roles.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    // A new leader writes its view once it has taken over (the inventory
                    // publishes then, which marks it dirty).
                }
                _ = shutdown.cancelled() => return,
            }
        }
    }

    /// Runs what a follower forwarded.
    fn answer(&self, payload: &str, inventory: &InventoryService, sweeps: &Sweeps) {
        let probe = |id| {
            if let Some(cw) = &sweeps.cloudwatch {
                cw.request();
            }
            sweeps.probes.request(id);
        };
        match LeaderRequest::parse(payload) {
            Some(LeaderRequest::Refresh) => {
                inventory.request_refresh();
            }
            Some(LeaderRequest::ProbeAll) => probe(None),
            Some(LeaderRequest::Probe(id)) => probe(Some(id)),
            None => {
                tracing::warn!(request = %payload.escape_debug(), "ignoring an unknown request")
            }
        }
    }

    async fn write_view(&self, pg: &Pg, epoch: i64, inventory: &InventoryService) {
        let inv = inventory.inventory();
        let body = match serde_json::to_string(&*inv) {
            Ok(b) => b,
            Err(e) => {
                tracing::error!(error = %e, "could not serialise the view");
                return;
            }
        };
        let now = now_unix();
        match sql::write_view(&pg.pool, epoch, &self.name, now, &body).await {
            Ok(version) => {
                let mut v = self.lock_view();
                v.version = version;
                v.written_at = Some(now);
                v.leader = Some(self.name.clone());
                v.synced = Some(Instant::now());
            }
            Err(store::StoreError::NotLeader) => {
                tracing::warn!("another replica leads now; this one stops writing its view")
            }
            Err(e) => tracing::warn!(error = %e, "could not write the view for the followers"),
        }
    }

    /// Serves the leader's newest view, if there is one this replica has not served.
    async fn catch_up(&self, pg: &Pg, inventory: &InventoryService) {
        let after = self.lock_view().version;
        match sql::read_view(&pg.pool, after).await {
            Ok(Some(row)) => match serde_json::from_str::<Inventory>(&row.body) {
                Ok(inv) => {
                    // The role may have changed while reading: a leader keeps its own.
                    if self.role().leads() {
                        return;
                    }
                    let inv = Arc::new(inv);
                    {
                        let mut v = self.lock_view();
                        v.version = row.version;
                        v.leader = Some(row.leader);
                        v.written_at = Some(row.written_at);
                        v.synced = Some(Instant::now());
                        v.adopted = Some(inv.clone());
                        v.shown = None;
                    }
                    inventory.live().adopt((*inv).clone());
                }
                Err(e) => {
                    tracing::warn!(error = %e, version = row.version, "the leader's view could not be read (another version?)")
                }
            },
            Ok(None) => {
                let mut v = self.lock_view();
                v.synced = Some(Instant::now());
                // A forwarded request nobody took up: show the last view again.
                if v.shown.is_some_and(|s| s.elapsed() > REQUEST_SHOWN_FOR) {
                    v.shown = None;
                    if let Some(inv) = v.adopted.clone() {
                        inventory.live().adopt((*inv).clone());
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "could not read the leader's view"),
        }
    }
}

/// LISTENs for views and requests until `shutdown`, reconnecting after a failure (the
/// followers' poll covers what was sent in between).
/// Takes the leadership now on a connection of its own, without the election loop (for
/// tools and tests that write the history themselves): the connection holds it until
/// dropped. `None` if another replica leads.
pub async fn lead(pg: &Pg, name: &str) -> Result<Option<PgConnection>, store::StoreError> {
    let mut conn = PgConnection::connect_with(&pg.options).await?;
    if !sql::try_lock(&mut conn).await? {
        return Ok(None);
    }
    let epoch = sql::begin_term(&mut conn, name, now_unix()).await?;
    pg.fence.store(epoch, std::sync::atomic::Ordering::Release);
    Ok(Some(conn))
}

async fn listen(
    pg: Pg,
    tx: tokio::sync::mpsc::Sender<(String, String)>,
    shutdown: CancellationToken,
) {
    loop {
        let mut listener = match PgListener::connect_with(&pg.pool).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "cannot LISTEN for the replicas' notifications yet");
                tokio::select! {
                    _ = tokio::time::sleep(ELECTION_EVERY) => continue,
                    _ = shutdown.cancelled() => return,
                }
            }
        };
        if let Err(e) = listener
            .listen_all([sql::VIEW_CHANNEL, sql::REQUEST_CHANNEL])
            .await
        {
            tracing::warn!(error = %e, "LISTEN failed");
            continue;
        }
        loop {
            tokio::select! {
                n = listener.recv() => match n {
                    Ok(n) => {
                        if tx.send((n.channel().to_string(), n.payload().to_string())).await.is_err() {
                            return;
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "the LISTEN connection failed; reconnecting");
                        break;
                    }
                },
                _ = shutdown.cancelled() => return,
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(ELECTION_EVERY) => {}
            _ = shutdown.cancelled() => return,
        }
    }
}

/// What answers a forwarded "Probe now": the exporter sweeps and the CloudWatch reader.
struct Sweeps {
    probes: Arc<ProbeService>,
    cloudwatch: Option<Arc<CloudWatchService>>,
}
