//! Probe-sweep benchmark: 1,000 exporter targets on loopback, half of them listeners that
//! accept and never answer, with the default 2 s timeout and concurrency. The others
//! answer as MSK's exporters do, with the health figures among a few thousand other
//! samples (JMX exporter on :11001, node exporter on :11002), so the health parsing runs
//! on every answer. Prints the wall time (the physical floor is one timeout), its ratio
//! to the timeout, and the prober's peak resident memory.
//!
//! The listeners run in a child process (this same binary, started with
//! `PROBE_BENCH_LISTENERS=1`), so the memory reported is the prober's alone.
//!
//!     cargo bench --bench probe
//!     cargo bench --bench probe -- --quick     (40 targets, listeners in-process)

// A bench stops at the first surprise and says where: unwrap and expect are its way.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use axum::routing::get;
use msk_console::prober::{Exporter, Prober, ProberSettings, Target};

/// How many targets the bench probes, and where their listeners run.
pub struct Scale {
    pub targets: usize,
    /// Listener addresses (each serves both ports); half answer, half never do.
    pub listeners: usize,
    /// The first address's last byte: listeners are 127.0.N.1 … (a network of their own).
    pub network: u8,
    pub timeout: Duration,
    /// Run the listeners in a child process, so the reported memory is the prober's.
    pub child: bool,
}

impl Scale {
    /// The README's figures: 1,000 targets behind 50 addresses, the default timeout.
    pub fn full() -> Scale {
        Scale {
            targets: 1000,
            listeners: 50,
            network: 2,
            timeout: msk_console::Config::for_tests().probe_timeout,
            child: true,
        }
    }

    /// What CI runs (`tests/benches.rs`): 40 targets, in-process, with the console's
    /// 2 s timeout. (At 300 ms, a loaded machine running the suite beside it left two
    /// answering targets unread in one run of twenty: the bench's checks would then
    /// measure the machine, not the prober.)
    pub fn quick() -> Scale {
        Scale {
            targets: 40,
            listeners: 4,
            network: 3,
            timeout: msk_console::Config::for_tests().probe_timeout,
            child: false,
        }
    }
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_string)
        })
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

/// Serves the answering and the silent listeners (on 127.0.`network`.x), and gives their
/// addresses to `found` ("answering ADDR", "silent ADDR").
async fn listeners(count: usize, network: u8, mut found: impl FnMut(String)) {
    let jmx = msk_console::demo::jmx_text(&msk_console::demo::Behaviour {
        under_replicated: 2,
        ..msk_console::demo::Behaviour::healthy(false)
    }) + &(0..3000)
        .map(|i| {
            format!(
                "kafka_server_BrokerTopicMetrics_Count{{name=\"BytesInPerSec\",topic=\"topic-{i}\",}} {i}.0\n"
            )
        })
        .collect::<String>();
    let node = msk_console::demo::node_text(&msk_console::demo::Behaviour::healthy(false), 0.0)
        + &(0..1000)
            .map(|i| format!("node_network_receive_bytes_total{{device=\"eth{i}\"}} {i}\n"))
            .collect::<String>();
    // Answering exporters on the first half of the addresses (both ports), silent ones
    // on the second.
    for i in 0..count {
        let ip = format!("127.0.{network}.{}", i + 1);
        for (port, body) in [(11001, jmx.clone()), (11002, node.clone())] {
            let l = tokio::net::TcpListener::bind(format!("{ip}:{port}"))
                .await
                .unwrap();
            if i < count / 2 {
                found(format!("answering {}", l.local_addr().unwrap()));
                tokio::spawn(async move {
                    axum::serve(
                        l,
                        axum::Router::new().route("/metrics", get(move || async move { body })),
                    )
                    .await
                });
            } else {
                found(format!("silent {}", l.local_addr().unwrap()));
                tokio::spawn(async move {
                    let mut held = Vec::new();
                    while let Ok((sock, _)) = l.accept().await {
                        held.push(sock);
                    }
                });
            }
        }
    }
    found("ready".into());
}

/// Kills the listener process when the benchmark ends.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[cfg_attr(test, allow(dead_code))]
#[tokio::main]
async fn main() {
    let full = Scale::full();
    if std::env::var_os("PROBE_BENCH_LISTENERS").is_some() {
        // The child: serves the listeners, prints their addresses, runs until killed.
        listeners(full.listeners, full.network, |l| println!("{l}")).await;
        return std::future::pending::<()>().await;
    }
    let quick = std::env::args().any(|a| a == "--quick");
    run(if quick { Scale::quick() } else { full }).await
}

/// Probes every target once and prints the numbers.
pub async fn run(scale: Scale) {
    let config = msk_console::Config::for_tests();
    let mut lines = Vec::new();
    let mut child = None;
    if scale.child {
        let mut c = Child(
            std::process::Command::new(std::env::current_exe().unwrap())
                .env("PROBE_BENCH_LISTENERS", "1")
                .stdout(std::process::Stdio::piped())
                .spawn()
                .expect("the listener process"),
        );
        let out = std::io::BufReader::new(c.0.stdout.take().unwrap());
        for line in std::io::BufRead::lines(out) {
            let line = line.unwrap();
            let ready = line == "ready";
            lines.push(line);
            if ready {
                break;
            }
        }
        child = Some(c);
    } else {
        listeners(scale.listeners, scale.network, |l| lines.push(l)).await;
    }
    let (mut answering, mut silent) = (Vec::new(), Vec::new());
    for line in &lines {
        let addr = |l: &str| -> (String, u16) {
            let a: std::net::SocketAddr = l.parse().unwrap();
            (a.ip().to_string(), a.port())
        };
        if let Some(a) = line.strip_prefix("answering ") {
            answering.push(addr(a));
        } else if let Some(a) = line.strip_prefix("silent ") {
            silent.push(addr(a));
        }
    }
    let listeners = scale.listeners;
    let targets_n = scale.targets;
    assert_eq!((answering.len(), silent.len()), (listeners, listeners));
    answering.sort_by_key(|(_, port)| *port);
    let targets: Vec<Target> = (0..targets_n)
        .map(|i| {
            let (host, port) = if i % 2 == 0 {
                &answering[i / 2 % listeners]
            } else {
                &silent[i / 2 % listeners]
            };
            Target {
                host: host.clone(),
                port: *port,
                exporter: if *port == 11001 {
                    Exporter::Jmx
                } else {
                    Exporter::Node
                },
                enabled: true,
            }
        })
        .collect();
    let prober = Prober::new(ProberSettings {
        timeout: scale.timeout,
        concurrency: usize::from(config.probe_concurrency),
        body_limit: config.probe_body_limit,
        overrides: Vec::new(),
        connectivity: false,
        ca_bundle: None,
        extra_roots: Vec::new(),
    })
    .expect("a prober");
    let rss_before = peak_rss_kib();
    let start = Instant::now();
    let results = prober.probe_all(targets).await;
    let wall = start.elapsed();
    let up = results
        .iter()
        .filter(|r| r.state == app::model::ProbeState::Up)
        .count();
    let timed_out = results
        .iter()
        .filter(|r| r.reason.as_deref() == Some("timed out"))
        .count();
    let judged = results
        .iter()
        .filter(|r| r.figures.under_replicated == Some(2) || r.figures.volume_used.is_some())
        .count();
    assert_eq!(
        up,
        targets_n / 2,
        "the answering half is up: {:?}",
        results
            .iter()
            .filter(|r| r.state != app::model::ProbeState::Up)
            .map(|r| (&r.target, &r.reason))
            .collect::<Vec<_>>()
    );
    assert_eq!(judged, up, "every answer's health figures are read");
    assert_eq!(timed_out, targets_n / 2);
    println!("probe sweep of {targets_n} targets ({up} answering, {timed_out} never answering)");
    println!(
        "  answers: JMX {} samples, node {} samples; health figures read from all {judged}",
        results
            .iter()
            .find(|r| r.target.ends_with(":11001") && r.samples.is_some())
            .and_then(|r| r.samples)
            .unwrap_or(0),
        results
            .iter()
            .find(|r| r.target.ends_with(":11002") && r.samples.is_some())
            .and_then(|r| r.samples)
            .unwrap_or(0),
    );
    println!(
        "  timeout {:?}, concurrency {}",
        scale.timeout, config.probe_concurrency
    );
    println!("  wall time:        {:>8.1} ms", wall.as_secs_f64() * 1e3);
    println!(
        "  x timeout:        {:>8.2}",
        wall.as_secs_f64() / scale.timeout.as_secs_f64()
    );
    println!(
        "  prober peak RSS:  {:>8.1} MiB (before the sweep {:.1} MiB; {})",
        peak_rss_kib() as f64 / 1024.0,
        rss_before as f64 / 1024.0,
        if child.is_some() {
            "the listeners run in another process"
        } else {
            "the listeners run in this process"
        }
    );
    drop(child);
}
