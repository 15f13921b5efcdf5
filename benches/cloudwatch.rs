//! CloudWatch sweep benchmark: 2,000 provisioned clusters of 3 brokers in 5 regions
//! (400 a region, 24 series each: 9,600 series a region), 50 consumer-lag pairs and 100
//! alarms a region, behind a fake CloudWatch that speaks the awsQuery protocol the
//! console's client uses and adds a fixed latency to every call. Prints, per region,
//! the calls of one sweep by API and the calls per 500 series, and the sweep's time
//! against one call's latency: the time to the health figures (GetMetricData, and
//! ListMetrics then GetMetricData for the lag) and to the alarms (DescribeAlarms, one
//! page of 100 after another, at the same time).
//!
//! One untimed warm-up sweep (clients built, connections open), then the median of
//! five timed ones.
//!
//!     cargo bench --bench cloudwatch
//!     cargo bench --bench cloudwatch -- --quick     (20 clusters, 1 ms a call, one run)
//!     cargo bench --bench cloudwatch -- --latency-ms 250
//!
//! At 50 ms a call the sweep is bound by the CPU of two cores (the SDK writes and reads
//! every query, the fake answers it), which the bench prints beside the times; a longer
//! latency, nearer a real GetMetricData call of 500 queries, shows the rounds of calls.
//!
//! Goals (issue 27): at most 2 calls per region per 500 series, and a sweep within 2×
//! one call's latency per region. Numbers, not assertions: CI does not time anything.

// A bench stops at the first surprise and says where: unwrap and expect are its way.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::model::Cluster;
use aws_config::{BehaviorVersion, Region};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use axum::body::Bytes;
use axum::http::HeaderMap;
use msk_console::cloudwatch::{sweep_region, CloudWatchService, Settings};
use msk_console::inventory::aws::SourceAccess;
use msk_console::live::{Live, Slot};

const REGIONS: [&str; 5] = [
    "eu-west-1",
    "us-east-1",
    "ap-northeast-2",
    "eu-central-1",
    "sa-east-1",
];

/// How much the bench reads.
pub struct Scale {
    pub clusters: usize,
    pub latency: Duration,
    pub lag_pairs_per_region: usize,
    pub alarms_per_region: usize,
    pub runs: usize,
}

impl Scale {
    /// The README's figures.
    pub fn full() -> Scale {
        Scale {
            clusters: 2_000,
            latency: Duration::from_millis(50),
            lag_pairs_per_region: 50,
            alarms_per_region: 100,
            runs: 5,
        }
    }

    /// What CI runs (`tests/benches.rs`), in a second.
    pub fn quick() -> Scale {
        Scale {
            clusters: 20,
            latency: Duration::from_millis(1),
            lag_pairs_per_region: 2,
            alarms_per_region: 3,
            runs: 1,
        }
    }
}

/// What the fake answers and counts.
#[derive(Default)]
struct Fake {
    /// (region, action) → calls.
    calls: Mutex<BTreeMap<(String, String), usize>>,
    /// Per region: the cluster names (for the lag series and alarms it lists).
    clusters: BTreeMap<String, Vec<String>>,
    lag_pairs: usize,
    alarms: usize,
    latency: Duration,
}

const NS: &str = "http://monitoring.amazonaws.com/doc/2010-08-01/";

/// The region of a SigV4-signed request (its credential scope).
fn region_of(headers: &HeaderMap) -> String {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|a| a.split("Credential=").nth(1))
        .and_then(|c| c.split('/').nth(2))
        .unwrap_or("?")
        .to_string()
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

impl Fake {
    async fn answer(
        &self,
        headers: HeaderMap,
        body: Bytes,
    ) -> ([(&'static str, &'static str); 1], String) {
        tokio::time::sleep(self.latency).await;
        // The form's pairs, split but not decoded: a GetMetricData body holds 5,000 of
        // them and the fake should cost the bench little. Keys and the ids are plain
        // ASCII; the few values read are decoded one pair at a time.
        let raw = std::str::from_utf8(&body).unwrap_or_default();
        let pairs = || raw.split('&').filter_map(|p| p.split_once('='));
        let get = |k: &str| {
            raw.split('&')
                .find(|p| p.split_once('=').is_some_and(|(n, _)| n == k))
                .and_then(|p| url::form_urlencoded::parse(p.as_bytes()).next())
                .map(|(_, v)| v.into_owned())
        };
        let action = get("Action").unwrap_or_default();
        let region = region_of(&headers);
        *self
            .calls
            .lock()
            .unwrap()
            .entry((region.clone(), action.clone()))
            .or_default() += 1;
        let names = self.clusters.get(&region).cloned().unwrap_or_default();
        let mut x = String::new();
        match action.as_str() {
            "GetMetricData" => {
                let now = aws_smithy_types::DateTime::from(std::time::SystemTime::now())
                    .fmt(aws_smithy_types::date_time::Format::DateTime)
                    .unwrap();
                let _ = write!(x, "<GetMetricDataResponse xmlns=\"{NS}\"><GetMetricDataResult><MetricDataResults>");
                for (k, id) in pairs() {
                    if k.starts_with("MetricDataQueries.member.") && k.ends_with(".Id") {
                        let _ = write!(
                            x,
                            "<member><Id>{id}</Id><Label>x</Label><Timestamps><member>{now}</member></Timestamps><Values><member>1.0</member></Values><StatusCode>Complete</StatusCode></member>"
                        );
                    }
                }
                x.push_str("</MetricDataResults><Messages/></GetMetricDataResult><ResponseMetadata><RequestId>b</RequestId></ResponseMetadata></GetMetricDataResponse>");
            }
            "ListMetrics" => {
                let metric = xml_escape(&get("MetricName").unwrap_or_default());
                let _ = write!(
                    x,
                    "<ListMetricsResponse xmlns=\"{NS}\"><ListMetricsResult><Metrics>"
                );
                for (i, name) in names.iter().take(self.lag_pairs).enumerate() {
                    let _ = write!(
                        x,
                        "<member><Namespace>AWS/Kafka</Namespace><MetricName>{metric}</MetricName><Dimensions>\
                         <member><Name>Cluster Name</Name><Value>{}</Value></member>\
                         <member><Name>Consumer Group</Name><Value>group-{i}</Value></member>\
                         <member><Name>Topic</Name><Value>topic-{i}</Value></member></Dimensions></member>",
                        xml_escape(name)
                    );
                }
                x.push_str("</Metrics></ListMetricsResult><ResponseMetadata><RequestId>b</RequestId></ResponseMetadata></ListMetricsResponse>");
            }
            "DescribeAlarms" => {
                let from: usize = get("NextToken").and_then(|t| t.parse().ok()).unwrap_or(0);
                let to = (from + 100).min(self.alarms);
                let _ = write!(
                    x,
                    "<DescribeAlarmsResponse xmlns=\"{NS}\"><DescribeAlarmsResult><MetricAlarms>"
                );
                for i in from..to {
                    let name = &names[i % names.len().max(1)];
                    let _ = write!(
                        x,
                        "<member><AlarmName>alarm-{i}</AlarmName><StateValue>OK</StateValue><Namespace>AWS/Kafka</Namespace>\
                         <MetricName>ActiveControllerCount</MetricName><Dimensions><member><Name>Cluster Name</Name><Value>{}</Value></member></Dimensions></member>",
                        xml_escape(name)
                    );
                }
                x.push_str("</MetricAlarms><CompositeAlarms/>");
                if to < self.alarms {
                    let _ = write!(x, "<NextToken>{to}</NextToken>");
                }
                x.push_str("</DescribeAlarmsResult><ResponseMetadata><RequestId>b</RequestId></ResponseMetadata></DescribeAlarmsResponse>");
            }
            _ => {}
        }
        ([("content-type", "text/xml")], x)
    }
}

fn cluster(name: &str, region: &str) -> Cluster {
    let mut c = app::model::fixtures::cluster(name, "bench", region);
    c.instance_type = Some("kafka.m7g.large".into());
    c.brokers = app::model::fixtures::brokers(name, 3);
    c
}

#[cfg_attr(test, allow(dead_code))]
#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mut scale = if args.iter().any(|a| a == "--quick") {
        Scale::quick()
    } else {
        Scale::full()
    };
    if let Some(ms) = args
        .iter()
        .position(|a| a == "--latency-ms")
        .and_then(|i| args.get(i + 1))
    {
        scale.latency = Duration::from_millis(ms.parse().expect("--latency-ms takes a number"));
    }
    run(scale).await
}

/// Sweeps the fake's regions; prints the calls and times.
pub async fn run(scale: Scale) {
    let mut by_region: BTreeMap<String, Vec<Cluster>> = BTreeMap::new();
    for i in 0..scale.clusters {
        let region = REGIONS[i % REGIONS.len()];
        by_region
            .entry(region.to_string())
            .or_default()
            .push(cluster(&format!("bench-{i:04}"), region));
    }
    let fake = Arc::new(Fake {
        clusters: by_region
            .iter()
            .map(|(r, cs)| (r.clone(), cs.iter().map(|c| c.name.clone()).collect()))
            .collect(),
        lag_pairs: scale.lag_pairs_per_region,
        alarms: scale.alarms_per_region,
        latency: scale.latency,
        ..Fake::default()
    });
    let answering = fake.clone();
    let router = axum::Router::new().fallback(axum::routing::post(
        move |headers: HeaderMap, body: Bytes| {
            let fake = answering.clone();
            async move { fake.answer(headers, body).await }
        },
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });

    let sdk = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(REGIONS[0]))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIDBENCH",
            "secret",
            None,
            None,
            "bench",
        )))
        .load()
        .await;
    let access = SourceAccess {
        name: "bench".into(),
        sdk,
        cloudwatch_endpoint_url: Some(url),
    };
    let live = Live::new(false, false);
    {
        let mut state = live.lock();
        for (region, clusters) in &by_region {
            state.slots.insert(
                ("bench".into(), region.clone()),
                Slot {
                    clusters: clusters.clone(),
                    ..Slot::default()
                },
            );
        }
    }
    live.publish();
    let settings = Settings {
        interval: Duration::from_secs(3600),
        concurrency: 16,
    };
    let svc = CloudWatchService::new(vec![access.clone()], settings, live.clone());

    // A warm-up sweep, then timed ones.
    svc.sweep().await;
    fake.calls.lock().unwrap().clear();
    let mut times = Vec::new();
    let cpu_before = cpu_time();
    for _ in 0..scale.runs {
        let t = Instant::now();
        svc.sweep().await;
        times.push(t.elapsed());
    }
    let sweep_cpu = (cpu_time() - cpu_before) / scale.runs as u32;
    times.sort();
    let sweep = times[times.len() / 2];
    let calls = fake.calls.lock().unwrap().clone();
    let inv = live.inventory();
    let judged = inv
        .clusters
        .iter()
        .filter(|c| inv.health(c).is_some())
        .count();
    assert_eq!(
        judged, scale.clusters,
        "every cluster judged from CloudWatch"
    );
    let with_alarms = inv
        .cloudwatch
        .values()
        .filter(|r| r.alarms.is_some())
        .count();
    assert_eq!(with_alarms, scale.clusters);

    // One region alone, its health figures and its alarms timed apart.
    let region = REGIONS[0];
    let reader = msk_console::cloudwatch::reader::RegionReader::new(
        &access.sdk,
        access.cloudwatch_endpoint_url.as_deref(),
        "bench",
        region,
        settings.concurrency,
        live.telemetry(),
    );
    let refs: Vec<&Cluster> = by_region[region].iter().collect();
    let _ = sweep_region(&reader, &refs).await;
    let t = Instant::now();
    let series = msk_console::cloudwatch::metrics::cluster_series(&refs);
    let _ = reader.read(&series).await.unwrap();
    let metrics_only = t.elapsed();
    let t = Instant::now();
    let _ = reader.alarms().await.unwrap();
    let alarms_only = t.elapsed();
    let (t, cpu) = (Instant::now(), cpu_time());
    let _ = sweep_region(&reader, &refs).await;
    let one_region = t.elapsed();
    let one_region_cpu = cpu_time() - cpu;

    let per_region = scale.clusters / REGIONS.len();
    let series_per_region = series.len() + 2 * scale.lag_pairs_per_region.min(per_region);
    println!(
        "CloudWatch sweep of {} clusters of 3 brokers in {} regions ({} series a region), {} ms per call",
        scale.clusters,
        REGIONS.len(),
        series_per_region,
        scale.latency.as_millis()
    );
    let runs = scale.runs;
    let mut total = 0;
    for r in REGIONS {
        let of = |a: &str| {
            calls
                .get(&(r.to_string(), a.to_string()))
                .copied()
                .unwrap_or(0)
                / runs
        };
        let (gmd, list, alarms) = (of("GetMetricData"), of("ListMetrics"), of("DescribeAlarms"));
        let sum = gmd + list + alarms;
        total += sum;
        println!(
            "  {r:<15} calls per sweep: {sum} (GetMetricData {gmd}, ListMetrics {list}, DescribeAlarms {alarms}): {:.2} per 500 series",
            sum as f64 * 500.0 / series_per_region as f64
        );
    }
    let latency = scale.latency.as_secs_f64() * 1000.0;
    println!("  calls per sweep, all regions: {total}");
    println!(
        "  sweep, all regions at once: {:.1} ms = {:.2}× one call's latency (median of {runs})",
        sweep.as_secs_f64() * 1000.0,
        sweep.as_secs_f64() * 1000.0 / latency
    );
    println!(
        "  CPU time of the process (the console and the fake together, 2 cores) per sweep: {:.0} ms",
        sweep_cpu.as_secs_f64() * 1000.0
    );
    println!(
        "  one region: {:.1} ms ({:.2}×, CPU {:.0} ms); its cluster and broker figures alone {:.1} ms ({:.2}×), its alarms alone {:.1} ms ({:.2}×)",
        one_region.as_secs_f64() * 1000.0,
        one_region.as_secs_f64() * 1000.0 / latency,
        one_region_cpu.as_secs_f64() * 1000.0,
        metrics_only.as_secs_f64() * 1000.0,
        metrics_only.as_secs_f64() * 1000.0 / latency,
        alarms_only.as_secs_f64() * 1000.0,
        alarms_only.as_secs_f64() * 1000.0 / latency,
    );
}

/// The CPU time this process has used so far, user and system, from /proc/self/stat
/// (in the kernel's clock ticks, 10 ms on Linux; zero where it cannot be read).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name, which is in parentheses and may hold spaces.
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
    let fields: Vec<&str> = after.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i)?.parse::<u64>().ok())
        .sum();
    Duration::from_millis(ticks * 10)
}
