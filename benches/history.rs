//! History benchmark: a year of 5-minute snapshots of 200 clusters with realistic churn,
//! recorded through the console's own recorder into a SQLite file, then the history
//! page, the timeline API and the diff API served by the real router.
//!
//! Churn per cluster, drawn from a fixed seed:
//! - an exporter on one broker stops answering about once a week and answers again
//!   5 to 60 minutes later;
//! - monthly maintenance: state MAINTENANCE for 30 minutes;
//! - two Kafka upgrades a year: UPDATING for an hour, then the new version;
//! - one broker added a year (brokers, endpoints and bootstrap strings change);
//! - over the year 10 clusters are deleted and 10 created.
//!
//! Prints the database size (a year kept, and after pruning to the default 90 days),
//! the time to record one snapshot (changed or not) and the p50/p99 of the pages and
//! APIs.
//!
//!     cargo bench --bench history [-- --days 365 --clusters 200 --db PATH]
//!     cargo bench --bench history -- --quick     (2 days of 10 clusters, seconds)
//!
//! `--db PATH` keeps the generated database (for a look at the pages with
//! `msk-console --no-aws --database-url sqlite://PATH`). The quick scale is what
//! `tests/benches.rs` runs on every CI run, so the bench cannot rot unseen.

// A bench stops at the first surprise and says where: unwrap and expect are its way.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use app::model::{
    AuthModes, Bootstrap, Broker, BrokerReachability, Cluster, ClusterKind, ClusterReachability,
    Encryption, ExporterProbe, Inventory, Listener, MetadataMode, Monitoring, ProbeState,
    SourceStatus,
};
use axum::body::Body;
use axum::http::Request;
use msk_console::history::{History, Trigger};
use tower::ServiceExt;

/// A small deterministic generator (xorshift64*), so every run sees the same year.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// True with probability 1/n.
    fn one_in(&mut self, n: u64) -> bool {
        self.next().is_multiple_of(n)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

struct Sim {
    cluster: Cluster,
    version: usize,
    /// (broker index, exporter: 0 JMX / 1 node, snapshots left down)
    down: Option<(usize, u8, u32)>,
    /// (state, snapshots left)
    transient: Option<(&'static str, u32)>,
    upgrade_pending: bool,
}

const VERSIONS: [&str; 5] = ["3.5.1", "3.6.0", "3.7.x", "3.8.x", "3.9.x"];

fn cluster(i: usize, brokers: u32) -> Cluster {
    let name = format!("team{:02}-svc{i:03}", i % 37);
    let region = ["eu-west-1", "us-east-1", "ap-northeast-2", "eu-central-1"][i % 4];
    let host = |b: u32| format!("b-{b}.{name}.k2x9qa.c3.kafka.{region}.amazonaws.com");
    let boot = |port: u16| {
        (1..=brokers)
            .map(|b| format!("{}:{port}", host(b)))
            .collect::<Vec<_>>()
            .join(",")
    };
    Cluster {
        id: app::params::ClusterId::parse(&format!("{name}-{:010x}", i * 7919 + 12345))
            .expect("a cluster id"),
        source: "prod".into(),
        account: Some("123456789012".into()),
        region: region.into(),
        arn: format!("arn:aws:kafka:{region}:123456789012:cluster/{name}/0f3c8d2e-{i:04}"),
        name: name.clone(),
        kind: ClusterKind::Provisioned,
        state: "ACTIVE".into(),
        kafka_version: Some(VERSIONS[0].into()),
        metadata: MetadataMode::ZooKeeper,
        broker_count: Some(brokers),
        instance_type: Some("kafka.m7g.large".into()),
        auth: AuthModes {
            tls: true,
            scram: true,
            iam: true,
            unauthenticated: false,
        },
        public_access: false,
        encryption: Encryption {
            client_broker: Some("TLS".into()),
            in_cluster: Some(true),
        },
        monitoring: Monitoring {
            jmx_exporter: true,
            node_exporter: true,
        },
        zookeeper: Some(format!("z-1.{name}:2181,z-2.{name}:2181,z-3.{name}:2181")),
        zookeeper_tls: Some(format!("z-1.{name}:2182,z-2.{name}:2182,z-3.{name}:2182")),
        bootstrap: vec![
            Bootstrap {
                listener: Listener::Tls,
                servers: boot(9094),
            },
            Bootstrap {
                listener: Listener::SaslScram,
                servers: boot(9096),
            },
            Bootstrap {
                listener: Listener::SaslIam,
                servers: boot(9098),
            },
        ],
        brokers: (1..=brokers)
            .map(|b| Broker {
                id: b,
                endpoints: vec![host(b)],
                client_vpc_ip: Some(format!("10.{}.{}.{b}", i % 250, b)),
                node_arn: None,
            })
            .collect(),
        created: Some("2024-02-01T09:30:00Z".into()),
        controllers: vec![],
        tags: Default::default(),
        settings: Default::default(),
        scram_secrets: vec![],
        operations: vec![],
        notes: vec![],
        links: Default::default(),
        partial_error: None,
    }
}

fn add_broker(c: &mut Cluster) {
    let n = c.brokers.len() as u32 + 1;
    let template = c.brokers[0].endpoints[0].replacen("b-1.", &format!("b-{n}."), 1);
    c.brokers.push(Broker {
        id: n,
        endpoints: vec![template.clone()],
        client_vpc_ip: Some(format!("10.99.0.{n}")),
        node_arn: None,
    });
    c.broker_count = Some(n);
    for b in &mut c.bootstrap {
        let port = b.listener.documented_port();
        b.servers.push_str(&format!(",{template}:{port}"));
    }
}

fn reachability(s: &Sim) -> ClusterReachability {
    let probe = |up: bool, host: &str, port: u16| ExporterProbe {
        target: format!("{host}:{port}"),
        state: if up { ProbeState::Up } else { ProbeState::Down },
        reason: (!up).then(|| "timed out after 2s".to_string()),
        latency_ms: Some(4),
        samples: Some(1800),
        detail: None,
        figures: Default::default(),
    };
    ClusterReachability {
        cluster_id: s.cluster.id.clone(),
        checked_at: String::new(),
        controllers: vec![],
        brokers: s
            .cluster
            .brokers
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let down = |e: u8| s.down.is_some_and(|(bi, de, _)| bi == i && de == e);
                BrokerReachability {
                    broker_id: b.id,
                    host: b.endpoints[0].clone(),
                    jmx: probe(!down(0), &b.endpoints[0], 11001),
                    node: probe(!down(1), &b.endpoints[0], 11002),
                }
            })
            .collect(),
        listeners: Vec::new(),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn file_size(path: &std::path::Path) -> u64 {
    ["", "-wal", "-shm"]
        .iter()
        .filter_map(|s| {
            std::fs::metadata(format!("{}{s}", path.display()))
                .ok()
                .map(|m| m.len())
        })
        .sum()
}

async fn timed(router: &axum::Router, paths: &[String]) -> (Duration, Duration, usize) {
    let mut times = Vec::with_capacity(paths.len());
    let mut bytes = 0;
    for p in paths {
        let start = Instant::now();
        // As a browser on the console's own machine asks (the host guard refuses a
        // request without a Host it serves).
        let res = router
            .clone()
            .oneshot(
                Request::get(p.as_str())
                    .header("host", "localhost")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert!(res.status().is_success(), "{p}: {}", res.status());
        let body = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        times.push(start.elapsed());
        bytes += body.len();
    }
    times.sort();
    (
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        bytes / paths.len().max(1),
    )
}

/// How big a history the bench generates.
pub struct Scale {
    pub days: usize,
    pub clusters: usize,
    /// Where to keep the database (a temporary file when `None`).
    pub db: Option<std::path::PathBuf>,
}

impl Scale {
    /// What CI runs: two days of ten clusters.
    pub fn quick() -> Scale {
        Scale {
            days: 2,
            clusters: 10,
            db: None,
        }
    }
}

#[cfg_attr(test, allow(dead_code))]
#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    let base = if quick {
        Scale::quick()
    } else {
        Scale {
            days: 365,
            clusters: 200,
            db: None,
        }
    };
    run(Scale {
        days: arg("--days", base.days),
        clusters: arg("--clusters", base.clusters),
        db: args
            .iter()
            .position(|a| a == "--db")
            .and_then(|i| args.get(i + 1))
            .map(std::path::PathBuf::from),
    })
    .await
}

/// Generates the history, serves it and prints the numbers.
pub async fn run(scale: Scale) {
    let days = scale.days;
    let n = scale.clusters;
    let snapshots = days * 24 * 12;
    let dir = tempfile::tempdir().unwrap();
    let db = scale.db.unwrap_or_else(|| dir.path().join("history.db"));
    let url = format!("sqlite://{}", db.display());
    let pool = msk_console::store::connect(&url).await.unwrap();
    // Keep the whole year while generating; pruning to 90 days is measured after.
    let history = History::new(pool.clone(), Duration::from_secs(10 * 365 * 86_400));
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut sims: Vec<Sim> = (0..n)
        .map(|i| Sim {
            cluster: cluster(i, 3 + (i % 4) as u32),
            version: 0,
            down: None,
            transient: None,
            upgrade_pending: false,
        })
        .collect();
    let mut next_id = n;
    // The simulated year ends now, so that a console started on the database afterwards
    // (the last measurement) prunes it as it would prune its own.
    let t0: i64 = msk_console::clock::now_unix() / 300 * 300 - (snapshots as i64) * 300;
    let per_day = 24 * 12;
    let source = SourceStatus {
        source: "prod".into(),
        region: "eu-west-1".into(),
        account: None,
        clusters: n,
        last_ok: None,
        last_attempt: None,
        error: None,
    };

    println!("recording {snapshots} snapshots ({days} days every 5 minutes) of {n} clusters…");
    let mut changed_times = Vec::new();
    let mut unchanged_times = Vec::new();
    let mut changes = 0usize;
    let started = Instant::now();
    for s in 0..snapshots {
        let at = t0 + (s as i64) * 300;
        for sim in sims.iter_mut() {
            if let Some((b, e, left)) = sim.down {
                sim.down = (left > 1).then_some((b, e, left - 1));
            } else if rng.one_in(7 * per_day as u64) {
                let b = rng.below(sim.cluster.brokers.len() as u64) as usize;
                sim.down = Some((b, rng.below(2) as u8, 1 + rng.below(12) as u32));
            }
            match sim.transient {
                Some((_, left)) if left > 1 => {
                    sim.transient = sim.transient.map(|(st, l)| (st, l - 1))
                }
                Some(_) => {
                    sim.transient = None;
                    sim.cluster.state = "ACTIVE".into();
                    if sim.upgrade_pending {
                        sim.upgrade_pending = false;
                        sim.version = (sim.version + 1).min(VERSIONS.len() - 1);
                        sim.cluster.kafka_version = Some(VERSIONS[sim.version].into());
                    }
                }
                None => {
                    if rng.one_in(30 * per_day as u64) {
                        sim.transient = Some(("MAINTENANCE", 6));
                        sim.cluster.state = "MAINTENANCE".into();
                    } else if rng.one_in(182 * per_day as u64) {
                        sim.transient = Some(("UPDATING", 12));
                        sim.upgrade_pending = true;
                        sim.cluster.state = "UPDATING".into();
                    } else if rng.one_in(365 * per_day as u64) {
                        add_broker(&mut sim.cluster);
                    }
                }
            }
        }
        // About ten deletions and ten creations over a year.
        if rng.one_in((365 * per_day / 10) as u64) {
            let i = rng.below(sims.len() as u64) as usize;
            sims.remove(i);
            sims.push(Sim {
                cluster: cluster(next_id, 3),
                version: VERSIONS.len() - 1,
                down: None,
                transient: None,
                upgrade_pending: false,
            });
            next_id += 1;
        }
        let inv = Inventory {
            clusters: sims.iter().map(|s| s.cluster.clone()).collect(),
            reachability: sims
                .iter()
                .map(|s| (s.cluster.id.clone(), reachability(s)))
                .collect(),
            sources: vec![source.clone()],
            ..Inventory::default()
        };
        let t = Instant::now();
        let r = history.record(&inv, Trigger::Refresh, at).await.unwrap();
        let took = t.elapsed();
        if r.snapshot.is_some() {
            changed_times.push(took);
            changes += r.changes;
        } else {
            unchanged_times.push(took);
        }
        if s % (30 * per_day) == 0 && s > 0 {
            println!(
                "  day {:>3}: {} changes so far, {:.1}s",
                s / per_day,
                changes,
                started.elapsed().as_secs_f64()
            );
        }
    }
    let generation = started.elapsed();
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(pool.sqlite().expect("the bench runs on SQLite"))
        .await
        .unwrap();
    let year_size = file_size(&db);
    changed_times.sort();
    unchanged_times.sort();

    println!();
    println!(
        "snapshots recorded: {} with changes ({} cluster changes), {} checks without",
        changed_times.len(),
        changes,
        unchanged_times.len()
    );
    println!("generation took {:.1} s", generation.as_secs_f64());
    println!(
        "database size, {days} days kept: {:.1} MiB (target < 100 MiB)",
        year_size as f64 / 1048576.0
    );
    println!(
        "record one snapshot with changes: p50 {} p99 {} max {}",
        ms(percentile(&changed_times, 0.5)),
        ms(percentile(&changed_times, 0.99)),
        ms(*changed_times.last().unwrap_or(&Duration::ZERO))
    );
    println!(
        "record one check without changes: p50 {} p99 {}",
        ms(percentile(&unchanged_times, 0.5)),
        ms(percentile(&unchanged_times, 0.99))
    );

    // Serve it: the real router over the same database, no sources (nothing to refresh).
    pool.close().await;
    let mut config = msk_console::Config::for_tests();
    config.database_url = url.clone();
    config.no_probe = true;
    // The console's own pruner must leave the generated year alone (it is measured below).
    config.history_retention = Duration::from_secs(100 * 365 * 86_400);
    config.refresh_interval = Duration::from_secs(3600);
    let app = msk_console::App::build_with(config, vec![], None)
        .await
        .unwrap();
    let router = app.router.clone();
    let ids: Vec<String> = sims.iter().map(|s| s.cluster.id.to_string()).collect();
    let page = |i: usize| -> String {
        match i % 4 {
            0 => "/history".into(),
            1 => format!("/history?kind=reachability&cluster={}", ids[i % ids.len()]),
            2 => "/history?kind=version".into(),
            _ => format!(
                "/history?source=prod&kind=brokers&cluster={}",
                ids[(i * 7) % ids.len()]
            ),
        }
    };
    let pages: Vec<String> = (0..200).map(page).collect();
    // The first view sums up the whole year for the coverage chart; later views only
    // top that up with the snapshots recorded since.
    let (first, _, _) = timed(&router, &pages[..1]).await;
    println!(
        "GET /history, first view after start (sums up the coverage chart): {}",
        ms(first)
    );
    // Each kind of timeline URL on its own: 50 requests each.
    for (i, label) in [
        "/history",
        "/history?kind=reachability&cluster={id}",
        "/history?kind=version",
        "/history?source=prod&kind=brokers&cluster={id}",
    ]
    .into_iter()
    .enumerate()
    {
        let these: Vec<String> = pages.iter().skip(i).step_by(4).cloned().collect();
        let (p50, p99, bytes) = timed(&router, &these).await;
        println!(
            "GET {label}: p50 {} p99 {} ({} KiB)",
            ms(p50),
            ms(p99),
            bytes / 1024
        );
    }
    let cluster_pages: Vec<String> = (0..100)
        .map(|i| format!("/clusters/{}/history", ids[(i * 13) % ids.len()]))
        .collect();
    let (p50, p99, bytes) = timed(&router, &cluster_pages).await;
    println!(
        "GET /clusters/{{id}}/history: p50 {} p99 {} ({} KiB)",
        ms(p50),
        ms(p99),
        bytes / 1024
    );
    let api: Vec<String> = (0..200)
        .map(|i| {
            format!(
                "/api/changes?kind={}",
                ["reachability", "state", "version", "brokers"][i % 4]
            )
        })
        .collect();
    let (p50, p99, _) = timed(&router, &api).await;
    println!("GET /api/changes: p50 {} p99 {}", ms(p50), ms(p99));

    // Diffs between random pairs of each cluster's recorded snapshots.
    let mut ok = Vec::new();
    let mut rng = Rng(42);
    for i in 0..300 {
        let id = &ids[(i * 17) % ids.len()];
        let h = app
            .history
            .cluster_history(
                &app::params::ClusterId::parse(id).unwrap(),
                None,
                app::params::PageSize::parse(Some("1")).unwrap(),
                true,
            )
            .await
            .unwrap();
        let v = &h.versions;
        let a = v[rng.below(v.len() as u64) as usize].snapshot;
        let b = v[rng.below(v.len() as u64) as usize].snapshot;
        ok.push(format!(
            "/api/clusters/{id}/diff?from={}&to={}",
            a.min(b),
            a.max(b)
        ));
    }
    let (p50, p99, bytes) = timed(&router, &ok).await;
    println!(
        "GET /api/clusters/{{id}}/diff (300 random pairs of recorded snapshots): p50 {} p99 {} ({} bytes)",
        ms(p50),
        ms(p99),
        bytes
    );
    let diff_pages: Vec<String> = ok
        .iter()
        .take(100)
        .map(|d| d.replace("/api/clusters/", "/clusters/"))
        .collect();
    let (p50, p99, _) = timed(&router, &diff_pages).await;
    println!(
        "GET /clusters/{{id}}/diff page: p50 {} p99 {}",
        ms(p50),
        ms(p99)
    );

    // Pruning to the default 90 days.
    let pruner = History::new(app.pool.clone(), Duration::from_secs(90 * 86_400));
    let last = t0 + (snapshots as i64) * 300;
    let t = Instant::now();
    let pruned = pruner.prune(last).await.unwrap();
    let prune_time = t.elapsed();
    sqlx::query("VACUUM")
        .execute(app.pool.sqlite().expect("the bench runs on SQLite"))
        .await
        .unwrap();
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(app.pool.sqlite().expect("the bench runs on SQLite"))
        .await
        .unwrap();
    println!(
        "prune to 90 days: {} (removed {} changes, {} snapshots, {} states); size after VACUUM {:.1} MiB",
        ms(prune_time),
        pruned.changes,
        pruned.snapshots,
        pruned.states,
        file_size(&db) as f64 / 1048576.0
    );

    // The pages as a console with the default retention sees that database.
    let mut config = msk_console::Config::for_tests();
    config.database_url = url.clone();
    config.no_probe = true;
    config.refresh_interval = Duration::from_secs(3600);
    let app = msk_console::App::build_with(config, vec![], None)
        .await
        .unwrap();
    let (first, _, _) = timed(&app.router, &pages[..1]).await;
    let (p50, p99, _) = timed(&app.router, &pages).await;
    println!(
        "GET /history with 90 days kept: first view {}, then p50 {} p99 {}",
        ms(first),
        ms(p50),
        ms(p99)
    );
}
