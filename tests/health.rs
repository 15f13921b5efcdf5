//! Broker and cluster health end to end: JMX-exporter stand-ins in MSK's names, the
//! Debian node exporter for one host's real CPU, memory and filesystems, and stand-in
//! node exporters for a full and a healthy data volume. Checks the JSON API, the pages
//! and the history (health changes recorded by state, not by value).

use crate::support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::history::ClusterDiff;
use msk_console::demo::{self, Behaviour};
use serde_json::Value;
use support::file_lab;
use support::tools::{node_exporter, wait_listening};
use tokio_util::sync::CancellationToken;

const LAB: &str = r#"
[[cluster]]
name = "lab"
region = "eu-west-1"
kind = "provisioned"
auth = { tls = true }
monitoring = { jmx_exporter = true, node_exporter = true }
bootstrap = { tls = "127.0.0.81:9094,127.0.0.82:9094,127.0.0.83:9094" }
brokers = [
  { id = 1, endpoints = ["127.0.0.81"] },
  { id = 2, endpoints = ["127.0.0.82"] },
  { id = 3, endpoints = ["127.0.0.83"] },
]
"#;

type Shared = Arc<Mutex<Behaviour>>;

async fn stand_in(addr: &str, b: &Shared, jmx: bool, stop: &CancellationToken) {
    demo::serve(addr.parse().unwrap(), b.clone(), jmx, stop.clone())
        .await
        .unwrap_or_else(|e| panic!("bind {addr}: {e}"));
}

fn broker(detail: &Value, id: u64) -> &Value {
    detail["health"]["brokers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["broker_id"] == id)
        .unwrap()
}

/// The newest diff of cluster `id`, each entry as the console describes it
/// (`subject: before → after`).
async fn newest_changes(app: &support::TestApp, id: &str) -> Vec<String> {
    let (status, diff) = app.get_json(&format!("/api/clusters/{id}/diff")).await;
    assert_eq!(status, 200, "{diff}");
    let diff: ClusterDiff = serde_json::from_value(diff).unwrap();
    diff.entries.iter().map(|e| e.describe()).collect()
}

#[tokio::test]
async fn health_is_judged_from_real_figures_shown_everywhere_and_recorded_by_state() {
    let dir = tempfile::tempdir().unwrap();
    let stop = CancellationToken::new();
    let b1: Shared = Arc::new(Mutex::new(Behaviour::healthy(true)));
    let b2: Shared = Arc::new(Mutex::new(Behaviour {
        volume_used: 0.91,
        ..Behaviour::healthy(false)
    }));
    let b3: Shared = Arc::new(Mutex::new(Behaviour {
        under_replicated: 3,
        ..Behaviour::healthy(false)
    }));
    stand_in("127.0.0.81:11001", &b1, true, &stop).await;
    let _real = node_exporter("127.0.0.81:11002", dir.path());
    stand_in("127.0.0.82:11001", &b2, true, &stop).await;
    stand_in("127.0.0.82:11002", &b2, false, &stop).await;
    stand_in("127.0.0.83:11001", &b3, true, &stop).await;
    stand_in("127.0.0.83:11002", &b3, false, &stop).await;
    wait_listening("127.0.0.81:11002").await;

    let (app, _guard) = file_lab(LAB, |c| {
        c.no_probe = false;
        c.probe_interval = Duration::from_secs(3600);
    })
    .await;
    app.swept(0).await;
    let (_, list) = app.get_json("/api/clusters").await;
    let row = &list["clusters"][0];
    let id = row["id"].as_str().unwrap().to_string();

    // The cluster's detail: every figure, per broker and cluster-wide.
    let (status, d) = app.get_json(&format!("/api/clusters/{id}")).await;
    assert_eq!(status, 200);
    let h = &d["health"];
    assert_eq!(h["state"], "critical", "{h}");
    assert_eq!(h["active_controllers"], 1);
    assert_eq!(h["under_replicated"], 3);
    assert_eq!(h["offline_partitions"], 0);
    let reasons = support::strs(&h["reasons"]);
    assert!(
        reasons.contains(&"data volume /kafka/datalogs 91% full on broker 2"),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&"3 under-replicated partitions on broker 3"),
        "{reasons:?}"
    );
    assert_eq!(broker(&d, 2)["state"], "critical");
    assert_eq!(broker(&d, 3)["state"], "warning");
    // The real node exporter's figures arrive: CPU, memory, a filesystem.
    let real = &d["reachability"]["brokers"][0]["node"]["figures"];
    for f in ["cpu_busy", "memory_used", "volume_used", "volume"] {
        assert!(
            !real[f].is_null(),
            "{f} missing from the real node exporter: {real}"
        );
    }
    // Its host is judged on them; whatever this machine's disk holds, nothing is unknown.
    assert_ne!(broker(&d, 1)["state"], "unknown", "{}", broker(&d, 1));
    let jmx = &d["reachability"]["brokers"][2]["jmx"]["figures"];
    assert_eq!(
        (jmx["under_replicated"].as_u64(), jmx["partitions"].as_u64()),
        (Some(3), Some(120))
    );

    // The list and the coverage overview carry the cluster's state and worst reason.
    assert_eq!(row["health"], "critical");
    assert_eq!(
        row["health_reason"],
        format!("{} (and {} more)", reasons[0], reasons.len() - 1)
    );
    let (_, cov) = app.get_json("/api/coverage").await;
    assert_eq!(cov["clusters"][0]["health"]["state"], "critical");
    assert_eq!(cov["totals"]["critical"], 1);

    // The pages show it.
    for (path, marker) in [
        ("/".to_string(), r#"data-health="critical""#),
        ("/coverage".to_string(), "91% full on broker 2"),
        (format!("/clusters/{id}"), r#"id="cluster-health""#),
    ] {
        let html = app.page(&path).await;
        assert!(html.contains(marker), "{path} lacks {marker}");
    }

    // The first sweep's states are in the history before anything moves (the sweep is
    // over when the pages show it; its recording may still be on its way).
    support::eventually(
        "the first sweep's health states in the history",
        support::PATIENCE,
        || async {
            let (_, changes) = app.get_json("/api/changes?kind=health").await;
            let summaries = changes["entries"].to_string();
            support::when(summaries.contains("Health: not judged → critical"), ())
                .map_err(|_| summaries)
        },
    )
    .await;

    // The volume is freed and the replicas catch up: one change of state each.
    b2.lock().unwrap().volume_used = 0.3;
    b3.lock().unwrap().under_replicated = 0;
    let generation = app.inventory.inventory().sweep.generation;
    let handled = *app.history.subscribe_recorded().borrow();
    let r = app
        .client
        .post(format!("{}/api/probe?cluster={id}", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    app.swept(generation).await;
    app.recorded(handled + 1).await;
    // Broker 1 is judged on this machine's real CPU, memory and disk, which may cross a
    // threshold between two probes on a busy machine: look at brokers 2 and 3 only, in
    // the newest diff (the timeline's summary shows the first three changes).
    let changed = newest_changes(&app, &id).await;
    for expected in [
        "Broker 2 health: critical → healthy",
        "Broker 3 health: warning → healthy",
    ] {
        assert!(changed.iter().any(|c| c == expected), "{changed:?}");
    }

    // Figures move on every probe (the volume fills, CPU counters run), states do not:
    // another sweep records no change for the stand-ins (broker 1's real host may).
    let before = app.get_json("/api/changes").await.1["entries"]
        .as_array()
        .unwrap()
        .len();
    let generation = app.inventory.inventory().sweep.generation;
    let handled = *app.history.subscribe_recorded().borrow();
    app.client
        .post(format!("{}/api/probe", app.url))
        .send()
        .await
        .unwrap();
    app.swept(generation).await;
    app.recorded(handled + 1).await;
    let after = app.get_json("/api/changes").await.1["entries"]
        .as_array()
        .unwrap()
        .len();
    if after != before {
        let changed = newest_changes(&app, &id).await;
        assert!(
            changed
                .iter()
                .all(|c| c.starts_with("Broker 1 health: ") || c.starts_with("Health: ")),
            "{changed:?}"
        );
    }
    stop.cancel();
}
