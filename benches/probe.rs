//! Probe-sweep benchmark: 1,000 exporter targets on loopback, half of them listeners that
//! accept and never answer, with the default 2 s timeout and concurrency. Prints the wall
//! time (the physical floor is one timeout), its ratio to the timeout, and the process's
//! peak resident memory.
//!
//!     cargo bench --bench probe

use std::time::Instant;

use axum::routing::get;
use msk_console::prober::{Exporter, Prober, ProberSettings, Target};

const TARGETS: usize = 1000;
const LISTENERS: usize = 50;

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

#[tokio::main]
async fn main() {
    let config = msk_console::Config::for_tests();
    let metrics = "# TYPE kafka_server_BrokerTopicMetrics_Count untyped\n".to_string()
        + &(0..200)
            .map(|i| format!("kafka_server_BrokerTopicMetrics_Count{{topic=\"t{i}\"}} {i}\n"))
            .collect::<String>();
    let mut answering = Vec::new();
    let mut silent = Vec::new();
    for i in 0..LISTENERS {
        let ip = format!("127.0.1.{}", i + 1);
        let l = tokio::net::TcpListener::bind(format!("{ip}:0"))
            .await
            .unwrap();
        answering.push((ip.clone(), l.local_addr().unwrap().port()));
        let body = metrics.clone();
        tokio::spawn(async move {
            axum::serve(
                l,
                axum::Router::new().route("/metrics", get(move || async move { body })),
            )
            .await
        });
        let s = tokio::net::TcpListener::bind(format!("{ip}:0"))
            .await
            .unwrap();
        silent.push((ip, s.local_addr().unwrap().port()));
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((sock, _)) = s.accept().await {
                held.push(sock);
            }
        });
    }
    let targets: Vec<Target> = (0..TARGETS)
        .map(|i| {
            let (host, port) = if i % 2 == 0 {
                &answering[i / 2 % LISTENERS]
            } else {
                &silent[i / 2 % LISTENERS]
            };
            Target {
                host: host.clone(),
                port: *port,
                exporter: Exporter::Jmx,
                enabled: true,
            }
        })
        .collect();
    let prober = Prober::new(ProberSettings {
        timeout: config.probe_timeout,
        concurrency: usize::from(config.probe_concurrency),
        body_limit: config.probe_body_limit,
    });
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
    assert_eq!(up, TARGETS / 2);
    assert_eq!(timed_out, TARGETS / 2);
    println!("probe sweep of {TARGETS} targets ({up} answering, {timed_out} never answering)");
    println!(
        "  timeout {:?}, concurrency {}",
        config.probe_timeout, config.probe_concurrency
    );
    println!("  wall time:        {:>8.1} ms", wall.as_secs_f64() * 1e3);
    println!(
        "  x timeout:        {:>8.2}",
        wall.as_secs_f64() / config.probe_timeout.as_secs_f64()
    );
    println!(
        "  peak RSS:         {:>8.1} MiB (before the sweep {:.1} MiB)",
        peak_rss_kib() as f64 / 1024.0,
        rss_before as f64 / 1024.0
    );
}
