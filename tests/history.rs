//! The snapshot history end to end: recording from real refreshes of an inventory file,
//! dedup, diffs through the API and the pages, past states and their downloads,
//! retention, reads during a write, and a `kill -9` in the middle of a snapshot.

use crate::support;

use std::path::Path;
use std::time::Duration;

use app::model::{BrokerReachability, ClusterReachability, ExporterProbe, Inventory, ProbeState};
use app::params::{ClusterId, PageSize, SnapshotId};
use msk_console::history::{History, Trigger};
use msk_console::inventory::sources::Source;
use msk_console::store::Db;
use serde_json::Value;
use support::TestApp;
use tokio_util::sync::CancellationToken;

/// An inventory file in the documented format: `clusters` of (name, version, brokers).
fn inventory(clusters: &[(&str, &str, u32)]) -> String {
    let mut s = String::from("source = \"lab\"\n");
    for (name, version, brokers) in clusters {
        let hosts: Vec<String> = (1..=*brokers)
            .map(|i| format!("b-{i}.{name}.example"))
            .collect();
        let bootstrap: Vec<String> = hosts.iter().map(|h| format!("{h}:9094")).collect();
        let brokers: Vec<String> = hosts
            .iter()
            .enumerate()
            .map(|(i, h)| format!("{{ id = {}, endpoints = [\"{h}\"] }}", i + 1))
            .collect();
        s.push_str(&format!(
            "\n[[cluster]]\nname = \"{name}\"\nregion = \"lab-1\"\nkind = \"self-managed\"\n\
             kafka_version = \"{version}\"\nauth = {{ tls = true }}\n\
             monitoring = {{ jmx_exporter = true, node_exporter = true }}\n\
             bootstrap = {{ tls = \"{}\" }}\nbrokers = [ {} ]\n",
            bootstrap.join(","),
            brokers.join(", ")
        ));
    }
    s
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).expect("write the inventory file");
}

/// The console's database (SQLite or, in the PostgreSQL run, PostgreSQL).
async fn db(app: &TestApp) -> Db {
    app.pool.clone()
}

async fn count(db: &Db, sql: &'static str) -> i64 {
    msk_console::with_db!(db, |p| sqlx::query_scalar(sql)
        .fetch_one(p)
        .await
        .expect(sql))
}

fn cluster_id<'a>(overview: &'a Value, name: &str) -> &'a str {
    overview["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("{name} listed"))["id"]
        .as_str()
        .unwrap()
}

#[tokio::test]
async fn refreshes_record_changes_once_and_the_api_and_pages_show_them() {
    let files = tempfile::tempdir().unwrap();
    let file = files.path().join("lab.toml");
    write(
        &file,
        &inventory(&[("orders", "3.5.1", 2), ("payments", "3.6.0", 3)]),
    );
    let app = TestApp::spawn(vec![Source::File(file.clone())]).await;
    app.refreshed(1).await;
    app.recorded(1).await;
    let (_, overview) = app.get_json("/api/clusters").await;
    let orders = cluster_id(&overview, "orders").to_string();
    let payments = cluster_id(&overview, "payments").to_string();

    // Two more refreshes of the same data: checks, not snapshots.
    app.inventory.refresh().await;
    app.recorded(2).await;
    app.inventory.refresh().await;
    app.recorded(3).await;
    let pool = db(&app).await;
    assert_eq!(count(&pool, "SELECT COUNT(*) FROM snapshots").await, 1);
    assert_eq!(count(&pool, "SELECT checks FROM snapshots").await, 3);
    assert_eq!(count(&pool, "SELECT COUNT(*) FROM states").await, 2);
    let (status, changes) = app.get_json("/api/changes").await;
    assert_eq!(status, 200);
    let entries = changes["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{changes}");
    assert!(entries
        .iter()
        .all(|e| e["kinds"] == serde_json::json!(["added"])));
    assert_eq!(changes["stats"]["checks"], 3);

    // orders grows a broker and is upgraded.
    write(
        &file,
        &inventory(&[("orders", "3.6.0", 3), ("payments", "3.6.0", 3)]),
    );
    app.inventory.refresh().await;
    app.recorded(4).await;
    let (_, changes) = app.get_json("/api/changes").await;
    let newest = &changes["entries"][0];
    assert_eq!(newest["cluster_id"], orders.as_str());
    assert_eq!(
        newest["kinds"],
        serde_json::json!(["version", "brokers", "bootstrap"])
    );
    assert_eq!(
        newest["summary"],
        "Kafka version: 3.5.1 → 3.6.0; Broker count: 2 → 3; Broker 3 added: b-3.orders.example; and 1 more"
    );
    let upgrade = newest["snapshot"].as_i64().unwrap();

    let (status, diff) = app.get_json(&format!("/api/clusters/{orders}/diff")).await;
    assert_eq!(status, 200, "{diff}");
    assert_eq!(diff["to"]["snapshot"], upgrade);
    assert_eq!(diff["from"]["snapshot"], 1);
    let subjects: Vec<&str> = diff["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["subject"].as_str().unwrap())
        .collect();
    assert_eq!(
        subjects,
        ["Kafka version", "Broker count", "Broker 3", "TLS bootstrap"]
    );

    // Back to the first state: a change, but its state is stored once.
    write(
        &file,
        &inventory(&[("orders", "3.5.1", 2), ("payments", "3.6.0", 3)]),
    );
    app.inventory.refresh().await;
    app.recorded(5).await;
    assert_eq!(count(&pool, "SELECT COUNT(*) FROM snapshots").await, 3);
    assert_eq!(count(&pool, "SELECT COUNT(*) FROM states").await, 3);

    // payments leaves the inventory while its source lists fine: removed.
    write(&file, &inventory(&[("orders", "3.5.1", 2)]));
    app.inventory.refresh().await;
    app.recorded(6).await;
    let (_, h) = app
        .get_json(&format!("/api/clusters/{payments}/history"))
        .await;
    assert_eq!(h["current"], false);
    assert_eq!(h["entries"][0]["kinds"], serde_json::json!(["removed"]));
    assert_eq!(h["versions"].as_array().unwrap().len(), 2);

    // Its state as recorded at snapshot 1 is still there, with its downloads.
    let (status, past) = app
        .get_json(&format!("/api/clusters/{payments}?at=1"))
        .await;
    assert_eq!(status, 200, "{past}");
    assert_eq!(past["brokers"].as_array().unwrap().len(), 3);
    assert_eq!(past["recorded"]["snapshot"], 1);
    let r = app
        .get(&format!(
            "/clusters/{payments}/client.properties?mode=tls&at=1"
        ))
        .await;
    assert_eq!(r.status(), 200);
    let props = r.text().await.unwrap();
    assert!(
        props.contains("bootstrap.servers=b-1.payments.example:9094,b-2.payments.example:9094,b-3.payments.example:9094"),
        "{props}"
    );
    assert!(
        props.contains(" from the state recorded at "),
        "a file from a past state says so: {props}"
    );
    let (status, gone) = app
        .get_json(&format!("/api/clusters/{payments}?at=999"))
        .await;
    assert_eq!(status, 404);
    assert!(
        gone["error"]["message"]
            .as_str()
            .unwrap()
            .contains("was removed"),
        "{gone}"
    );

    // A source that fails hides nothing: its clusters are not recorded as removed.
    write(&file, "this is [not toml");
    app.inventory.refresh().await;
    app.recorded(7).await;
    let (_, h) = app
        .get_json(&format!("/api/clusters/{orders}/history"))
        .await;
    assert_eq!(
        h["current"], true,
        "the failed source keeps its last good clusters"
    );
    assert_ne!(h["entries"][0]["kinds"], serde_json::json!(["removed"]));
    assert_eq!(count(&pool, "SELECT COUNT(*) FROM snapshots").await, 4);

    // Filters and paging.
    let (_, removed) = app.get_json("/api/changes?kind=removed").await;
    assert_eq!(removed["entries"].as_array().unwrap().len(), 1);
    let (_, page) = app
        .get_json(&format!("/api/changes?cluster={orders}&limit=2"))
        .await;
    assert_eq!(page["entries"].as_array().unwrap().len(), 2);
    let before = page["next_before"].as_i64().expect("a next page");
    let (_, rest) = app
        .get_json(&format!(
            "/api/changes?cluster={orders}&limit=2&before={before}"
        ))
        .await;
    assert_eq!(rest["entries"].as_array().unwrap().len(), 1);
    assert!(rest["next_before"].is_null());
    // The overview (stats, chart, filter choices) comes with the first page only,
    // unless asked for.
    assert!(page["chart"].is_object() && page["stats"].is_object());
    for key in ["chart", "stats", "sources", "clusters"] {
        assert!(rest.get(key).is_none(), "{key} on a later page");
    }
    let (_, asked) = app
        .get_json(&format!(
            "/api/changes?cluster={orders}&limit=2&before={before}&overview=true"
        ))
        .await;
    assert!(asked["chart"].is_object());
    let (_, bare) = app.get_json("/api/changes?overview=false").await;
    assert!(bare.get("chart").is_none() && bare["entries"].is_array());

    // Bad input is a clear 4xx, never a 500.
    for (path, status, words) in [
        (
            "/api/changes?kind=weather",
            400,
            "unknown kind of change `weather`",
        ),
        (
            "/api/changes?before=abc",
            400,
            "`before` must be a positive number",
        ),
        ("/api/changes?colour=red", 400, "unknown field `colour`"),
        (
            "/api/changes?overview=maybe",
            400,
            "overview must be true or false",
        ),
        (
            "/api/clusters/nope-0123456789/history",
            404,
            "No history is recorded",
        ),
        (
            "/api/clusters/Not%20An%20Id/diff",
            404,
            "is not a cluster id",
        ),
        (
            "/api/clusters/orders-x/diff?to=-4",
            400,
            "`to` must be a positive number",
        ),
    ] {
        let (s, body) = app.get_json(path).await;
        assert_eq!(s, status, "{path}: {body}");
        assert!(
            body["error"]["message"].as_str().unwrap().contains(words),
            "{path}: {body}"
        );
    }
    let (s, _) = app.get_json(&format!("/api/clusters/{orders}?at=0")).await;
    assert_eq!(s, 400);

    // The pages: server-rendered, charts included.
    let page = app.get("/history").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Broker 3 added: b-3.orders.example"),
        "{html}"
    );
    assert!(html.contains("id=\"coverage-chart\""), "{html}");
    let html = app
        .get(&format!("/clusters/{orders}/history"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("<svg"), "{html}");
    assert!(html.contains("class=\"series s1\""), "{html}");
    let r = app
        .get(&format!("/clusters/{orders}/diff?from=1&to={upgrade}"))
        .await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"diff-table\""), "{html}");
    assert!(html.contains("b-3.orders.example"), "{html}");
    let html = app
        .get(&format!("/clusters/{payments}?at=1"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("As recorded at snapshot 1"), "{html}");
    assert_eq!(app.get("/history?kind=weather").await.status(), 400);
    assert_eq!(
        app.get("/clusters/nope-0123456789/history").await.status(),
        404
    );

    // The export is an attachment with every state in full.
    let r = app.get(&format!("/clusters/{orders}/history.json")).await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains(&format!("{orders}-history.json")));
    let export: Value = r.json().await.unwrap();
    let changes = export["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 3);
    assert_eq!(changes[1]["state"]["cluster"]["kafka_version"], "3.6.0");
}

/// A cluster as the inventory file format describes it, parsed by the console's parser.
fn parsed(text: &str) -> Vec<app::model::Cluster> {
    msk_console::inventory::file::parse(text, "lab")
        .expect("valid inventory")
        .1
}

fn probed(c: &app::model::Cluster, node: ProbeState) -> ClusterReachability {
    let p = |state, port| ExporterProbe {
        target: format!("h:{port}"),
        state,
        reason: (state == ProbeState::Down).then(|| "connection refused".to_string()),
        latency_ms: Some(3),
        samples: Some(10),
        detail: None,
        figures: Default::default(),
    };
    ClusterReachability {
        controllers: vec![],
        cluster_id: c.id.clone(),
        checked_at: "2026-01-01T00:00:00Z".into(),
        brokers: c
            .brokers
            .iter()
            .map(|b| BrokerReachability {
                broker_id: b.id,
                host: b.endpoints[0].clone(),
                jmx: p(ProbeState::Up, 11001),
                node: p(node, 11002),
            })
            .collect(),
        listeners: Vec::new(),
    }
}

const DAY: i64 = 86_400;

/// An inventory whose one source, `lab`, listed `clusters` fine (so a cluster missing
/// from it was removed).
fn listed(clusters: Vec<app::model::Cluster>) -> Inventory {
    Inventory {
        sources: vec![app::model::SourceStatus {
            source: "lab".into(),
            region: "inventory file".into(),
            account: None,
            clusters: clusters.len(),
            last_ok: None,
            last_attempt: None,
            error: None,
        }],
        clusters,
        ..Inventory::default()
    }
}

/// A history with 90 days kept over a fresh database in `dir`, and its pool.
async fn fresh_history(dir: &Path) -> (Db, std::sync::Arc<History>, Option<sqlx::PgConnection>) {
    let pool = msk_console::store::connect(&support::database_url(dir))
        .await
        .unwrap();
    // On PostgreSQL, history writes need the leadership; the caller holds it throughout.
    let leading = support::pg::lead(&pool).await;
    let history = History::new(pool.clone(), Duration::from_secs(90 * DAY as u64));
    (pool, history, leading)
}

#[tokio::test]
async fn retention_prunes_superseded_states_and_keeps_the_latest_of_every_cluster() {
    let dir = tempfile::tempdir().unwrap();
    let (pool, history, _leading) = fresh_history(dir.path()).await;
    let t0 = 1_760_000_000;
    let v1 = parsed(&inventory(&[
        ("a", "3.5.1", 2),
        ("b", "3.6.0", 2),
        ("c", "3.6.0", 1),
    ]));
    let inv = listed;

    // Day 0: three clusters. Day 5: c is removed. Day 10: a upgraded. Day 20: a's node
    // exporters stop answering (a probe sweep). Day 150: they answer again.
    let r = history
        .record(&inv(v1.clone()), Trigger::Refresh, t0)
        .await
        .unwrap();
    assert_eq!(r.changes, 3);
    let no_c: Vec<_> = v1.iter().filter(|c| c.name != "c").cloned().collect();
    history
        .record(&inv(no_c.clone()), Trigger::Refresh, t0 + 5 * DAY)
        .await
        .unwrap();
    let mut v2 = parsed(&inventory(&[("a", "3.6.0", 2), ("b", "3.6.0", 2)]));
    history
        .record(&inv(v2.clone()), Trigger::Refresh, t0 + 10 * DAY)
        .await
        .unwrap();
    let mut down = inv(v2.clone());
    down.reachability
        .insert(v2[0].id.clone(), probed(&v2[0], ProbeState::Down));
    let r = history
        .record(&down, Trigger::Probe, t0 + 20 * DAY)
        .await
        .unwrap();
    assert_eq!(r.changes, 1);
    // The same findings again, with other latencies, sample counts, details and probe
    // time: only the check time moves.
    let mut again = down.clone();
    let probe = again.reachability.get_mut(&v2[0].id).unwrap();
    probe.checked_at = "2026-01-02T00:00:00Z".into();
    for b in &mut probe.brokers {
        for p in [&mut b.jmx, &mut b.node] {
            p.latency_ms = Some(250);
            p.samples = p.samples.map(|n| n + 7);
            p.detail = Some("host up 3days".into());
        }
    }
    assert_ne!(again, down, "the probe differs in its volatile parts");
    let r = history
        .record(&again, Trigger::Probe, t0 + 21 * DAY)
        .await
        .unwrap();
    assert_eq!(
        r,
        msk_console::history::Recorded {
            snapshot: None,
            changes: 0
        }
    );
    let mut up = inv(std::mem::take(&mut v2));
    up.reachability.insert(
        up.clusters[0].id.clone(),
        probed(&up.clusters[0], ProbeState::Up),
    );
    history
        .record(&up, Trigger::Probe, t0 + 150 * DAY)
        .await
        .unwrap();

    // A console started without that source (no source statuses, no clusters) records
    // no removals: the clusters are no longer watched, not gone.
    let r = history
        .record(&Inventory::default(), Trigger::Refresh, t0 + 160 * DAY)
        .await
        .unwrap();
    assert_eq!(r.snapshot, None);

    let before = history.changes(&Default::default()).await.unwrap();
    assert_eq!(before.entries.len(), 7);
    let reach = &before.entries[1];
    assert_eq!(reach.trigger, "probe");
    // The probes carry no health figures: health is unknown, never healthy.
    assert_eq!(
        reach.summary,
        "Exporters: not probed → JMX up on 2 of 2, node up on 0 of 2; Health: not judged → unknown"
    );

    // Day 200, 90 days kept: the cutoff is day 110.
    let pruned = history.prune(t0 + 200 * DAY).await.unwrap();
    let after = history.changes(&Default::default()).await.unwrap();
    let kept: Vec<(&str, &str)> = after
        .entries
        .iter()
        .map(|e| {
            (
                e.cluster_name.as_str(),
                e.summary.split(':').next().unwrap(),
            )
        })
        .collect();
    // a: its day-20 state was in force until day 150 (inside the window) and its latest
    // state stays; b: only ever one state; c: its removal and its last state.
    assert_eq!(
        kept,
        [
            ("a", "Broker 1 node exporter"),
            ("a", "Exporters"),
            (
                "c",
                "Cluster removed (was self-managed c, ACTIVE, Kafka 3.6.0, 1 broker)"
            ),
            ("c", "Cluster added"),
            ("b", "Cluster added"),
        ]
    );
    assert_eq!(pruned.changes, 2);
    assert_eq!(pruned.snapshots, 1);
    let b_id = &v1[1].id;
    let (state, at) = history
        .state_at(&ClusterId::parse(b_id).unwrap(), SnapshotId(999))
        .await
        .unwrap();
    assert_eq!(state.cluster.name, "b");
    assert!(at.latest);
    // Every kept change still has its state; no state is left without a change.
    assert_eq!(
        count(&pool, "SELECT COUNT(*) FROM states WHERE id NOT IN (SELECT state_id FROM changes WHERE state_id IS NOT NULL)").await,
        0
    );
    // Pruning again removes nothing more.
    assert_eq!(
        history.prune(t0 + 200 * DAY).await.unwrap(),
        Default::default()
    );
}

#[tokio::test]
async fn reads_do_not_wait_for_a_writer() {
    let files = tempfile::tempdir().unwrap();
    let file = files.path().join("lab.toml");
    write(&file, &inventory(&[("orders", "3.5.1", 2)]));
    let app = TestApp::spawn(vec![Source::File(file)]).await;
    app.refreshed(1).await;
    app.recorded(1).await;

    // Another connection holds the write lock with an uncommitted snapshot.
    let writer = db(&app).await;
    msk_console::with_db!(&writer, |p| {
        let mut tx = p.begin().await.unwrap();
        sqlx::query(
            "INSERT INTO snapshots (trigger, taken_at, checked_at, changes, clusters, brokers, \
         monitored_clusters, covered_clusters, monitored_brokers, covered_brokers) \
         VALUES ('refresh', 1, 1, 0, 0, 0, 0, 0, 0, 0)",
        )
        .execute(&mut *tx)
        .await
        .unwrap();

        // The busy timeout is 5 s; readers in WAL mode do not wait on it at all.
        let reads = async {
            let (s, changes) = app.get_json("/api/changes").await;
            assert_eq!(s, 200);
            assert_eq!(
                changes["stats"]["snapshots"], 1,
                "the uncommitted snapshot is not seen"
            );
            assert_eq!(app.get("/history").await.status(), 200);
        };
        // A read that waited for the writer would wait out the busy timeout and fail;
        // the deadline only keeps a hang from holding the suite.
        tokio::time::timeout(support::PATIENCE, reads)
            .await
            .expect("reads answered while a write transaction was open");
        tx.rollback().await.unwrap();
    });
}

/// The console's log lines, read on a thread so a wait can time out.
fn log_lines(out: std::process::ChildStderr) -> std::sync::mpsc::Receiver<String> {
    use std::io::BufRead;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    rx
}

fn wait_for_line(lines: &std::sync::mpsc::Receiver<String>, needle: &str) {
    // Not a poll: the kill that follows must land the moment the line is written, so
    // this blocks on the log itself (with a deadline, saying what it saw).
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    let mut last = std::collections::VecDeque::new();
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match lines.recv_timeout(left) {
            Ok(l) if l.contains(needle) => return,
            Ok(l) => {
                last.push_back(l);
                if last.len() > 5 {
                    last.pop_front();
                }
            }
            Err(e) => panic!(
                "waited 120 s for the console to log `{needle}` ({e}); its last lines: {last:#?}"
            ),
        }
    }
}

async fn snapshot_counts(url: &str) -> (String, i64, i64, i64) {
    let pool = sqlx::SqlitePool::connect(url).await.unwrap();
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&pool)
        .await
        .unwrap();
    let (snapshots, changes, half): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM snapshots), (SELECT COUNT(*) FROM changes), \
                (SELECT COUNT(*) FROM snapshots s \
                 WHERE s.changes != (SELECT COUNT(*) FROM changes c WHERE c.snapshot_id = s.id)) \
                + (SELECT COUNT(*) FROM states WHERE id NOT IN \
                   (SELECT state_id FROM changes WHERE state_id IS NOT NULL))",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    pool.close().await;
    (check, snapshots, changes, half)
}

#[tokio::test]
async fn kill_9_during_a_snapshot_leaves_it_whole_or_absent_and_the_next_start_carries_on() {
    use std::process::{Command, Stdio};

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.toml");
    // 3000 clusters of 6 brokers: the first snapshot writes 3000 states and changes in
    // one transaction, long enough to be killed in the middle.
    let names: Vec<String> = (0..3000).map(|i| format!("c{i:04}")).collect();
    let spec: Vec<(&str, &str, u32)> = names.iter().map(|n| (n.as_str(), "3.6.0", 6)).collect();
    write(&file, &inventory(&spec));
    let start = |url: &str| {
        Command::new(env!("CARGO_BIN_EXE_msk-console"))
            .args([
                "--no-aws",
                "--no-probe",
                "--listen",
                "127.0.0.1:0",
                "--log",
                "info",
            ])
            .arg("--inventory-file")
            .arg(&file)
            .args(["--database-url", url])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the console")
    };

    let mut killed_inside = 0;
    for (i, delay_ms) in [0u64, 10, 40, 120].into_iter().enumerate() {
        let url = format!("sqlite://{}/crash-{i}.db", dir.path().display());
        let mut child = start(&url);
        let lines = log_lines(child.stderr.take().unwrap());
        // Logged after the transaction began and wrote its first row.
        wait_for_line(&lines, "writing a history snapshot inside its transaction");
        // Not a wait for a condition: the delay is the experiment (a kill 0, 10, 40
        // and 120 ms into the write).
        if delay_ms > 0 {
            std::thread::sleep(Duration::from_millis(delay_ms));
        }
        // SIGKILL: no shutdown, no rollback, no checkpoint.
        child.kill().unwrap();
        child.wait().unwrap();

        let (check, snapshots, changes, half) = snapshot_counts(&url).await;
        assert_eq!(
            check, "ok",
            "integrity after a kill {delay_ms} ms into the write"
        );
        assert_eq!(
            half, 0,
            "a half-written snapshot after a kill {delay_ms} ms in"
        );
        assert!(
            (snapshots, changes) == (0, 0) || (snapshots, changes) == (1, 3000),
            "whole or absent, not {snapshots} snapshots with {changes} changes"
        );
        if snapshots == 0 {
            killed_inside += 1;
        }
        // Killed the moment the transaction was under way: the write was interrupted,
        // and nothing of it survived.
        if delay_ms == 0 {
            assert_eq!(
                (snapshots, changes),
                (0, 0),
                "a kill inside the transaction leaves no snapshot"
            );
        }

        // The next start carries on: it records the snapshot (or finds it recorded).
        let mut child = start(&url);
        let _lines = log_lines(child.stderr.take().unwrap());
        support::eventually(
            "the restarted console to record the whole snapshot",
            Duration::from_secs(120),
            || async {
                let (check, snapshots, changes, half) = snapshot_counts(&url).await;
                assert_eq!((check.as_str(), half), ("ok", 0));
                assert!(snapshots <= 1, "one snapshot, not {snapshots}");
                support::when((snapshots, changes) == (1, 3000), ())
                    .map_err(|_| format!("{snapshots} snapshots, {changes} changes"))
            },
        )
        .await;
        child.kill().unwrap();
        child.wait().unwrap();
    }
    // At least the immediate kill landed inside the transaction (it was under way, not
    // committed), so the test saw a real interrupted write.
    assert!(
        killed_inside > 0,
        "no kill landed inside the write transaction"
    );
}

#[tokio::test]
async fn the_console_prunes_on_its_schedule() {
    let mut app = TestApp::spawn_with(vec![], |c| {
        c.history_retention = Duration::from_secs(DAY as u64);
        c.history_prune_interval = Duration::from_millis(200);
    })
    .await;
    let now = msk_console::clock::now_unix();
    let record = |version: &str, at: i64| {
        let inv = listed(parsed(&inventory(&[("old", version, 3)])));
        let history = app.history.clone();
        async move { history.record(&inv, Trigger::Refresh, at).await.unwrap() }
    };
    // Ten days ago the cluster ran 3.5.1; five days ago it was upgraded.
    record("3.5.1", now - 10 * DAY).await;
    record("3.6.0", now - 5 * DAY).await;
    let id = parsed(&inventory(&[("old", "3.6.0", 3)]))[0].id.clone();
    let h = support::eventually(
        "the state superseded 5 days ago to be pruned with 1 day kept",
        support::PATIENCE,
        || async {
            let (status, h) = app.get_json(&format!("/api/clusters/{id}/history")).await;
            assert_eq!(status, 200, "{h}");
            let versions = h["versions"].as_array().map(Vec::len).unwrap_or(0);
            support::when(versions == 1, h)
        },
    )
    .await;
    // The latest state stays, however old.
    assert!(h["entries"][0]["summary"]
        .as_str()
        .unwrap()
        .contains("3.5.1 → 3.6.0"));
    app.stop();
}

#[tokio::test]
async fn a_refresh_that_finished_before_the_recorder_started_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("lab.toml");
    write(&file, &inventory(&[("early", "3.6.0", 3)]));
    let pool = msk_console::store::connect(&support::database_url(dir.path()))
        .await
        .unwrap();
    let _leading = support::pg::lead(&pool).await;
    let inventory = msk_console::InventoryService::start(
        vec![Source::File(file)],
        msk_console::inventory::Settings {
            limits: msk_console::inventory::aws::Limits {
                concurrency: 1,
                timeout: Duration::from_secs(5),
                max_attempts: 1,
            },
            refresh_interval: Duration::from_secs(3600),
            full_refresh_interval: Duration::from_secs(3600),
            credentials: None,
            sample_exporters: false,
        },
        pool.clone(),
        msk_console::replica::single(),
        CancellationToken::new(),
    )
    .await;
    support::eventually("the first refresh", support::PATIENCE, || async {
        let r = inventory.inventory().refresh.clone();
        support::when(r.generation >= 1, ()).map_err(|_| r)
    })
    .await;

    // Only now does the recorder start: it must not wait for the next refresh.
    let history = History::new(pool, Duration::from_secs(90 * DAY as u64));
    history.start(
        inventory.live().clone(),
        Duration::from_secs(3600),
        msk_console::replica::single(),
        CancellationToken::new(),
    );
    let recorded = history.subscribe_recorded();
    support::eventually(
        "the refresh that finished before the recorder started to be recorded",
        support::PATIENCE,
        || async {
            let n = *recorded.borrow();
            support::when(n >= 1, ()).map_err(|_| n)
        },
    )
    .await;
    let page = history.changes(&Default::default()).await.unwrap();
    assert_eq!(page.entries.len(), 1);
    assert_eq!(page.entries[0].cluster_name, "early");
}

#[tokio::test]
async fn charts_show_a_short_outage_without_drawing_it_for_the_quiet_weeks_after() {
    let dir = tempfile::tempdir().unwrap();
    let (pool, history, _leading) = fresh_history(dir.path()).await;
    let clusters = parsed(&inventory(&[("orders", "3.6.0", 2)]));
    let at = |node| {
        let mut inv = listed(clusters.clone());
        inv.reachability
            .insert(clusters[0].id.clone(), probed(&clusters[0], node));
        inv
    };
    let t0 = 1_760_000_000;
    // Up from day 0; on day 30 the node exporters stop answering for ten minutes; then
    // nothing changes until day 80. Each chart interval is about 5 hours long, so the
    // outage and the recovery fall into one interval.
    for (t, node) in [
        (t0, ProbeState::Up),
        (t0 + 30 * DAY, ProbeState::Down),
        (t0 + 30 * DAY + 600, ProbeState::Up),
        (t0 + 80 * DAY, ProbeState::Up),
    ] {
        history.record(&at(node), Trigger::Probe, t).await.unwrap();
    }

    let h = history
        .cluster_history(
            &ClusterId::parse(&clusters[0].id).unwrap(),
            None,
            PageSize::default(),
            true,
        )
        .await
        .unwrap();
    let node = h
        .chart
        .series
        .iter()
        .find(|s| s.label == "Node exporters up")
        .unwrap();
    // The outage shows as a drop to 0 ...
    assert!(node.points.contains(&(t0 + 30 * DAY, 0.0)), "{node:?}");
    // ... and the line ends where the exporters are: both up, not 0 for 50 days.
    assert_eq!(node.points.last(), Some(&(t0 + 30 * DAY + 600, 2.0)));

    let page = history.changes(&Default::default()).await.unwrap();
    let brokers = &page.chart.series[0];
    assert!(
        brokers.points.contains(&(t0 + 30 * DAY, 0.0)),
        "{brokers:?}"
    );
    assert_eq!(brokers.points.last().map(|p| p.1), Some(100.0));

    // The global chart's intervals are summed up once and then topped up with new
    // snapshots: after more outages it draws what a console summing up afresh draws.
    for (t, node) in [
        (t0 + 85 * DAY, ProbeState::Down),
        (t0 + 85 * DAY + 60, ProbeState::Up),
        (t0 + 85 * DAY + 120, ProbeState::Down),
    ] {
        history.record(&at(node), Trigger::Probe, t).await.unwrap();
    }
    let topped_up = history.changes(&Default::default()).await.unwrap().chart;
    let fresh = History::new(pool, Duration::from_secs(90 * DAY as u64))
        .changes(&Default::default())
        .await
        .unwrap()
        .chart;
    assert_eq!(topped_up, fresh);
    assert_eq!(
        topped_up.series[0].points.last(),
        // Down, up for a minute and down again inside one interval: down from the first.
        Some(&(t0 + 85 * DAY, 0.0)),
        "{topped_up:?}"
    );
}

/// The page (its server function and its HTML) and the JSON API take one cluster's
/// timeline through the same service with the same page-size rules: the default, a
/// size asked for, a size cut to the largest page, and the same 400 for a bad one.
#[tokio::test]
async fn the_cluster_history_page_and_the_json_api_page_the_same_way() {
    let files = tempfile::tempdir().unwrap();
    let file = files.path().join("lab.toml");
    write(&file, &inventory(&[("orders", "3.5.0", 2)]));
    let app = TestApp::spawn(vec![Source::File(file.clone())]).await;
    app.refreshed(1).await;
    app.recorded(1).await;
    for (n, version) in [(2, "3.5.1"), (3, "3.6.0")] {
        write(&file, &inventory(&[("orders", version, 2)]));
        app.inventory.refresh().await;
        app.recorded(n).await;
    }
    let (_, overview) = app.get_json("/api/clusters").await;
    let id = cluster_id(&overview, "orders").to_string();

    let sfn = |limit: &str| {
        let body = serde_urlencoded::to_string([("id", id.as_str()), ("limit", limit)]).unwrap();
        app.client
            .post(format!("{}/sfn/cluster_history", app.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    for (limit, entries, more) in [
        ("", 3, false),
        ("1", 1, true),
        ("2", 2, true),
        ("100000", 3, false),
    ] {
        let (status, api) = app
            .get_json(&format!("/api/clusters/{id}/history?limit={limit}"))
            .await;
        assert_eq!(status, 200, "{api}");
        let page: Value = sfn(limit).await.unwrap().json().await.unwrap();
        assert_eq!(
            api["entries"].as_array().unwrap().len(),
            entries,
            "limit={limit}: {api}"
        );
        assert_eq!(page["entries"], api["entries"], "limit={limit}");
        assert_eq!(page["next_before"], api["next_before"], "limit={limit}");
        assert_eq!(api["next_before"].is_number(), more, "limit={limit}");

        // The HTML page shows the same rows, and its "Older changes" link keeps the size.
        let html = app
            .get(&format!("/clusters/{id}/history?limit={limit}"))
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(
            html.matches("<tr data-change=").count(),
            entries,
            "limit={limit}"
        );
        if more {
            let next = format!(
                "/clusters/{id}/history?before={}&amp;limit={limit}",
                api["next_before"]
            );
            assert!(html.contains(&next), "limit={limit}: no link {next}");
        }
    }
    for bad in ["0", "-3", "ten"] {
        let (status, api) = app
            .get_json(&format!("/api/clusters/{id}/history?limit={bad}"))
            .await;
        assert_eq!(status, 400);
        let page = sfn(bad).await.unwrap();
        assert_eq!(page.status(), 400);
        let page: Value = page.json().await.unwrap();
        assert_eq!(page["message"], api["error"]["message"], "limit={bad}");
        assert!(
            api["error"]["message"]
                .as_str()
                .unwrap()
                .contains("must be a positive number (a page size)"),
            "{api}"
        );
    }
}

#[tokio::test]
async fn the_export_is_written_a_page_at_a_time_and_whole() {
    let dir = tempfile::tempdir().unwrap();
    let (_pool, history, _leading) = fresh_history(dir.path()).await;
    let page = msk_console::history::query::EXPORT_PAGE as usize;
    // Every record changes the version: 2½ pages of changes.
    let total = page * 2 + page / 2;
    let t0 = 1_760_000_000;
    let mut id = None;
    for i in 0..total {
        let version = if i % 2 == 0 { "3.5.1" } else { "3.6.0" };
        let clusters = parsed(&inventory(&[("orders", version, 2)]));
        id.get_or_insert_with(|| clusters[0].id.clone());
        let r = history
            .record(&listed(clusters), Trigger::Refresh, t0 + i as i64 * 60)
            .await
            .unwrap();
        assert_eq!(r.changes, 1, "record {i} is a change");
    }
    let id = id.unwrap();

    let mut stream = history.export(&id).await.unwrap();
    let mut pieces = Vec::new();
    while let Some(piece) = futures::StreamExt::next(&mut stream).await {
        pieces.push(piece.unwrap());
    }
    // The head, one piece per page of changes, the tail: no piece holds more than a page.
    let per_piece: Vec<usize> = pieces
        .iter()
        .map(|p| p.matches("\"snapshot\":").count())
        .collect();
    assert_eq!(per_piece, vec![0, page, page, page / 2, 0], "{per_piece:?}");
    let export: Value = serde_json::from_str(&pieces.concat()).unwrap();
    let changes = export["changes"].as_array().unwrap();
    assert_eq!(changes.len(), total);
    let versions: Vec<&str> = changes
        .iter()
        .map(|c| c["state"]["cluster"]["kafka_version"].as_str().unwrap())
        .collect();
    assert!(
        versions
            .iter()
            .enumerate()
            .all(|(i, v)| *v == if i % 2 == 0 { "3.5.1" } else { "3.6.0" }),
        "oldest first, every state in full: {versions:?}"
    );
}
