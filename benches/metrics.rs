//! `/metrics` benchmark: the exposition the console writes at each scrape for a fleet of
//! 2,000 provisioned clusters of 6 brokers, every exporter probed (24,000 exporter
//! series) and every cluster judged. Prints the time to work out the fleet's series and
//! write the text (median and slowest of 20 scrapes, each after the inventory moved),
//! the same between two publishes (the fleet's text kept), the size of the text and its
//! number of samples.
//!
//!     cargo bench --bench metrics
//!     cargo bench --bench metrics -- --quick     (50 clusters)

// A bench stops at the first surprise and says where: unwrap and expect are its way.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use app::model::{
    fixtures, BrokerReachability, ClusterReachability, ExporterProbe, Inventory, ProbeState,
};
use msk_console::telemetry::{fleet, Telemetry};

/// How big a fleet the bench writes.
pub struct Scale {
    pub clusters: usize,
    pub brokers: u32,
    pub scrapes: usize,
}

impl Scale {
    /// The README's figures.
    #[cfg_attr(test, allow(dead_code))]
    pub fn full() -> Scale {
        Scale {
            clusters: 2000,
            brokers: 6,
            scrapes: 20,
        }
    }

    /// What CI runs (`tests/benches.rs`).
    pub fn quick() -> Scale {
        Scale {
            clusters: 50,
            brokers: 3,
            scrapes: 3,
        }
    }
}

fn probe(target: String, state: ProbeState) -> ExporterProbe {
    ExporterProbe {
        target,
        state,
        reason: None,
        latency_ms: Some(3),
        samples: Some(4000),
        detail: None,
        figures: Default::default(),
    }
}

fn fleet_of(scale: &Scale) -> Inventory {
    let mut inv = Inventory::default();
    for i in 0..scale.clusters {
        let name = format!("cluster-{i:05}");
        let mut c = fixtures::cluster(&name, "prod", ["eu-west-1", "us-east-1"][i % 2]);
        c.brokers = fixtures::brokers(&name, scale.brokers);
        let reach = ClusterReachability {
            cluster_id: c.id.clone(),
            checked_at: "2026-12-03T12:00:00Z".into(),
            brokers: c
                .brokers
                .iter()
                .map(|b| {
                    let host = b.endpoints[0].clone();
                    BrokerReachability {
                        broker_id: b.id,
                        jmx: probe(format!("{host}:11001"), ProbeState::Up),
                        node: probe(format!("{host}:11002"), ProbeState::Up),
                        host,
                    }
                })
                .collect(),
            controllers: vec![],
            listeners: vec![],
        };
        inv.reachability.insert(c.id.clone(), reach);
        inv.clusters.push(c);
    }
    inv
}

/// Writes the exposition `scale.scrapes` times and prints the numbers.
pub async fn run(scale: Scale) {
    let inv = fleet_of(&scale);
    let telemetry = Telemetry::new();
    let mut times: Vec<Duration> = Vec::new();
    let mut text = String::new();
    // Every scrape after the inventory moved (a new version each time), then scrapes of
    // one version, as between two publishes.
    let cache = fleet::Cache::default();
    let mut builds: Vec<Duration> = Vec::new();
    for v in 0..scale.scrapes {
        let t = Instant::now();
        let _ = fleet::registry(&inv);
        builds.push(t.elapsed());
        let t = Instant::now();
        text = telemetry.encode().unwrap() + &cache.text(v as u64, &inv).unwrap();
        times.push(t.elapsed());
    }
    builds.sort();
    let t = Instant::now();
    let judged = inv
        .clusters
        .iter()
        .filter(|c| inv.health(c).is_some())
        .count();
    let judging = t.elapsed();
    let mut same: Vec<Duration> = (0..scale.scrapes)
        .map(|_| {
            let t = Instant::now();
            let _ = telemetry.encode().unwrap() + &cache.text(u64::MAX, &inv).unwrap();
            t.elapsed()
        })
        .skip(1)
        .collect();
    same.sort();
    times.sort();
    let samples = text.lines().filter(|l| !l.starts_with('#')).count();
    let exporters = text
        .lines()
        .filter(|l| l.starts_with("msk_console_exporter_up{"))
        .count();
    assert_eq!(exporters, scale.clusters * scale.brokers as usize * 2);
    println!(
        "/metrics of {} clusters x {} brokers ({} samples, {:.0} KiB):",
        scale.clusters,
        scale.brokers,
        samples,
        text.len() as f64 / 1024.0
    );
    println!(
        "  per scrape:  median {:>7.1} ms, slowest {:>7.1} ms ({} scrapes)",
        times[times.len() / 2].as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3,
        scale.scrapes
    );
    println!(
        "  of which working out the fleet's series: median {:>7.1} ms (the rest is writing)",
        builds[builds.len() / 2].as_secs_f64() * 1e3
    );
    println!(
        "  judging the {judged} clusters' health alone: {:>7.1} ms",
        judging.as_secs_f64() * 1e3
    );
    println!(
        "  scrapes between two publishes (the fleet's text kept): median {:>7.2} ms",
        same.get(same.len() / 2)
            .copied()
            .unwrap_or_default()
            .as_secs_f64()
            * 1e3
    );
}

#[cfg_attr(test, allow(dead_code))]
#[tokio::main]
async fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    run(if quick { Scale::quick() } else { Scale::full() }).await
}
