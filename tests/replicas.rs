//! Three consoles (the real binary) on one real PostgreSQL: one leads, all serve the same
//! inventory, a follower's "Refresh now" reaches the leader, and after a `kill -9` of the
//! leader in the middle of a refresh another replica takes over, with every change in the
//! history exactly once. The takeover's time is printed; the documented bound is
//! measured by `scripts/bench-replicas.sh`, not asserted by a test a loaded machine
//! could fail.
//!
//! Needs the test PostgreSQL (`MSK_TEST_PG_URL`, started by scripts/test.sh).

use crate::support;
use support::{eventually, when, PATIENCE};

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fake_msk::{Cluster as Fake, Config as FakeConfig, FakeMsk};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_msk-console");

struct Replica {
    name: String,
    url: String,
    child: Child,
    _home: tempfile::TempDir,
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(name: &str, database: &str, aws: &str) -> Replica {
    let home = tempfile::tempdir().unwrap();
    let port = support::free_port();
    let log = std::fs::File::create(home.path().join("console.log")).unwrap();
    let child = Command::new(BIN)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", home.path().join("no-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            home.path().join("no-credentials"),
        )
        .env("AWS_ACCESS_KEY_ID", "AKIDTEST")
        .env("AWS_SECRET_ACCESS_KEY", "test-secret")
        .args([
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            database,
            "--replica-name",
            name,
            "--aws-regions",
            "eu-west-1",
            "--aws-endpoint-url",
            aws,
            "--aws-max-attempts",
            "1",
            "--no-probe",
            "--no-cloudwatch",
            // Topic listings would add a "first listed" change per cluster, racing the
            // removal this test checks; tests/topics.rs covers them.
            "--no-topics",
            "--refresh-interval",
            "1h",
            "--session-key-file",
            &home.path().join("session.key").display().to_string(),
            "--log",
            "info",
        ])
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start a console");
    Replica {
        name: name.into(),
        url: format!("http://127.0.0.1:{port}"),
        child,
        _home: home,
    }
}

async fn get(url: &str) -> Option<Value> {
    let r = reqwest::get(url).await.ok()?;
    r.json().await.ok()
}

/// "Refresh now" through the JSON API; the status it answers.
async fn refresh_now(url: &str) -> Value {
    let r = reqwest::Client::new()
        .post(format!("{url}/api/refresh"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

/// A replica's change history: `cluster kind+kind` per change, sorted, and the entries.
async fn history(url: &str) -> (Vec<String>, Value) {
    let changes = get(&format!("{url}/api/changes?limit=100")).await.unwrap();
    let mut told: Vec<String> = changes["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e["cluster_name"].as_str().unwrap(),
                support::strs(&e["kinds"]).join("+")
            )
        })
        .collect();
    told.sort();
    (told, changes["entries"].clone())
}

/// Each running replica's role ("leader" / "follower"), by name.
async fn roles(replicas: &[&Replica]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for r in replicas {
        let role = get(&format!("{}/healthz", r.url))
            .await
            .and_then(|h| h["replica"]["role"].as_str().map(String::from))
            .unwrap_or_else(|| "down".into());
        out.push((r.name.clone(), role));
    }
    out
}

fn leaders(roles: &[(String, String)]) -> Vec<String> {
    roles
        .iter()
        .filter(|(_, r)| r == "leader")
        .map(|(n, _)| n.clone())
        .collect()
}

/// The cluster names every replica serves, if they all serve the same `/api/clusters`.
async fn same_clusters(replicas: &[&Replica]) -> Option<Vec<String>> {
    let mut first: Option<Value> = None;
    for r in replicas {
        let v = get(&format!("{}/api/clusters", r.url)).await?;
        match &first {
            None => first = Some(v),
            Some(f) if *f == v => {}
            Some(_) => return None,
        }
    }
    let mut names: Vec<String> = first?["clusters"]
        .as_array()?
        .iter()
        .filter_map(|c| c["name"].as_str().map(String::from))
        .collect();
    names.sort();
    Some(names)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_replicas_share_one_leader_and_survive_its_kill_9_mid_refresh() {
    let database = support::pg::fresh_database();
    let fake = FakeMsk::start(FakeConfig {
        clusters: vec![
            Fake::provisioned("orders", "eu-west-1"),
            Fake::provisioned("payments", "eu-west-1"),
        ],
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    let mut replicas: Vec<Replica> = ["r1", "r2", "r3"]
        .iter()
        .map(|n| start(n, &database, &fake.url()))
        .collect();

    // Exactly one leads, and every replica serves its inventory.
    let all: Vec<&Replica> = replicas.iter().collect();
    eventually("one leader among three", PATIENCE, || async {
        let r = roles(&all).await;
        when(
            leaders(&r).len() == 1 && r.iter().all(|(_, role)| role != "down"),
            (),
        )
        .map_err(|_| r)
    })
    .await;
    eventually(
        "every replica to serve orders and payments",
        PATIENCE,
        || async {
            let c = same_clusters(&all).await;
            when(c == Some(vec!["orders".into(), "payments".into()]), ()).map_err(|_| c)
        },
    )
    .await;
    let leader = leaders(&roles(&all).await).remove(0);
    let follower_url = all.iter().find(|r| r.name != leader).unwrap().url.clone();

    // A follower's "Refresh now" reaches the leader: a cluster created since shows on
    // every replica.
    fake.update(|c| c.clusters.push(Fake::provisioned("events", "eu-west-1")));
    assert_eq!(refresh_now(&follower_url).await["running"], true);
    eventually(
        "every replica to serve the new cluster",
        PATIENCE,
        || async {
            let c = same_clusters(&all).await;
            when(
                c == Some(vec!["events".into(), "orders".into(), "payments".into()]),
                (),
            )
            .map_err(|_| c)
        },
    )
    .await;
    drop(all);

    // The leader is killed in the middle of a refresh: its AWS calls are slow, and one
    // is in flight when it dies.
    fake.update(|c| {
        c.latency = Duration::from_secs(3);
        c.clusters.retain(|x| x.name != "payments");
        c.clusters.push(Fake::provisioned("ledger", "eu-west-1"));
    });
    let calls = fake.calls();
    refresh_now(&follower_url).await;
    eventually("the leader to call AWS", PATIENCE, || async {
        let now = fake.calls();
        when(now > calls, ()).map_err(|_| now)
    })
    .await;
    let i = replicas.iter().position(|r| r.name == leader).unwrap();
    let mut dead = replicas.remove(i);
    dead.child.kill().unwrap(); // SIGKILL
    dead.child.wait().unwrap();
    let killed = Instant::now();
    fake.update(|c| c.latency = Duration::ZERO);

    let rest: Vec<&Replica> = replicas.iter().collect();
    eventually("another replica to lead", PATIENCE, || async {
        let r = roles(&rest).await;
        when(leaders(&r).len() == 1, ()).map_err(|_| r)
    })
    .await;
    let takeover = killed.elapsed();
    eprintln!("takeover after kill -9: {} ms", takeover.as_millis());
    let new_leader = leaders(&roles(&rest).await).remove(0);
    assert_ne!(new_leader, leader);

    // The new leader refreshes at once; both replicas serve what AWS lists now.
    eventually(
        "both replicas to serve the clusters after the takeover",
        PATIENCE,
        || async {
            let c = same_clusters(&rest).await;
            when(
                c == Some(vec!["events".into(), "ledger".into(), "orders".into()]),
                (),
            )
            .map_err(|_| c)
        },
    )
    .await;
    // The history: every change once, the same on every replica. A refresh is recorded
    // after it is published, so the history may follow the clusters by a moment.
    const EXPECTED: [&str; 5] = [
        "events added",
        "ledger added",
        "orders added",
        "payments added",
        "payments removed",
    ];
    eventually(
        "every replica's history to hold each change once",
        PATIENCE,
        || async {
            let mut told = Vec::new();
            for r in &rest {
                told.push(history(&r.url).await.0);
            }
            when(told.iter().all(|t| t == &EXPECTED), ()).map_err(|_| told)
        },
    )
    .await;
    let mut seen = None;
    for r in &rest {
        let (told, entries) = history(&r.url).await;
        assert_eq!(told, EXPECTED, "on {}: {entries}", r.name);
        match &seen {
            None => seen = Some(entries),
            Some(s) => assert_eq!(*s, entries, "replicas disagree"),
        }
    }
    // `/healthz` on the follower says who leads and that its view is fresh (it finds it
    // current every 2 s).
    let follower = rest.iter().find(|r| r.name != new_leader).unwrap();
    let h = eventually("the follower's view to be fresh", PATIENCE, || async {
        let h = get(&format!("{}/healthz", follower.url))
            .await
            .unwrap_or_default();
        let fresh = h["replica"]["view_age_ms"]
            .as_u64()
            .is_some_and(|ms| ms < 5_000);
        when(fresh, h)
    })
    .await;
    assert_eq!(h["replica"]["role"], "follower", "{h}");
    assert_eq!(h["replica"]["leads"], false, "{h}");
    assert_eq!(h["replica"]["leader"], new_leader.as_str(), "{h}");
    let h = get(&format!(
        "{}/healthz",
        rest.iter().find(|r| r.name == new_leader).unwrap().url
    ))
    .await
    .unwrap();
    assert_eq!(h["replica"]["role"], "leader", "{h}");
    assert_eq!(h["replica"]["leads"], true, "{h}");
}
