//! CloudWatch: every listed MSK cluster's `AWS/Kafka` metrics and the alarms on them,
//! read on a schedule, so clusters without open monitoring (serverless ones never have
//! it) are judged too, and a team lead sees whether anyone would be told.
//!
//! A sweep reads every AWS source and region that lists clusters, all at once. Per
//! region it makes, concurrently: one GetMetricData call per 500 cluster and broker
//! series; ListMetrics for the consumer-lag series (one call per lag metric and page),
//! then GetMetricData for those; and DescribeAlarms (one call per 100 alarms). The
//! results go to the live view region by region, like the inventory's listings.
//!
//! Sweeps run every `--cloudwatch-interval`, after every inventory refresh, and on
//! request ("Probe now"); requests made while one runs merge into one next sweep. Only
//! a leading console sweeps. A region whose calls fail keeps its last figures and shows
//! a banner; a missing permission for one call is a note, and the other calls' results
//! stand.
//!
//! - [`metrics`]: which series, and the answers read back into figures (pure);
//! - [`alarms`]: which key metrics have alarms (pure);
//! - [`reader`]: the calls.

pub mod alarms;
pub mod metrics;
pub mod reader;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::model::cloudwatch::CloudWatchSource;
use app::model::Cluster;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use self::reader::{CallError, RegionReader};
use crate::background::Background;
use crate::clock::now_rfc3339;
use crate::inventory::aws::SourceAccess;
use crate::live::{Live, RegionOutcome, Update};
use crate::role::Roles;

/// Settings of the CloudWatch sweeps.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    pub interval: Duration,
    /// Most calls in flight at once per source and region.
    pub concurrency: usize,
}

/// Reads CloudWatch for every AWS source's clusters, on a schedule and on request.
pub struct CloudWatchService {
    sources: Vec<SourceAccess>,
    settings: Settings,
    live: Arc<Live>,
    /// One reader per source and region, kept so its clients' connections are reused.
    readers: Mutex<HashMap<(String, String), Arc<RegionReader>>>,
    /// A sweep was asked for; requests before it starts merge into it.
    wake: Notify,
}

impl CloudWatchService {
    /// The service for `sources`, without its loop (tests and benches sweep by hand).
    pub fn new(sources: Vec<SourceAccess>, settings: Settings, live: Arc<Live>) -> Arc<Self> {
        Arc::new(CloudWatchService {
            sources,
            settings,
            live,
            readers: Mutex::new(HashMap::new()),
            wake: Notify::new(),
        })
    }

    /// Starts the sweep loop: at once, every interval, after each inventory refresh and
    /// when asked, while this console leads. It stops when `background` shuts down.
    pub fn start(
        sources: Vec<SourceAccess>,
        settings: Settings,
        live: Arc<Live>,
        roles: Roles,
        background: &Background,
    ) -> Arc<Self> {
        let svc = Self::new(sources, settings, live);
        let looping = svc.clone();
        let shutdown: CancellationToken = background.shutdown.clone();
        background.spawn(async move {
            let live = looping.live.clone();
            live.run_after_refreshes(
                settings.interval,
                Some(&looping.wake),
                roles,
                shutdown,
                || looping.sweep(),
            )
            .await
        });
        svc
    }

    /// Asks for a sweep soon; requests made before it starts merge into one.
    pub fn request(&self) {
        self.wake.notify_one();
    }

    fn reader(&self, access: &SourceAccess, region: &str) -> Arc<RegionReader> {
        let mut readers = self.readers.lock().unwrap_or_else(|e| e.into_inner());
        readers
            .entry((access.name.clone(), region.to_string()))
            .or_insert_with(|| {
                Arc::new(RegionReader::new(
                    &access.sdk,
                    access.cloudwatch_endpoint_url.as_deref(),
                    &access.name,
                    region,
                    self.settings.concurrency,
                    self.live.telemetry(),
                ))
            })
            .clone()
    }

    /// Reads every AWS source and region that lists clusters, now, and publishes each
    /// region's results as it ends.
    pub async fn sweep(&self) {
        let inventory = self.live.inventory();
        let mut regions: BTreeMap<(&str, &str), Vec<&Cluster>> = BTreeMap::new();
        for c in &inventory.clusters {
            if self.sources.iter().any(|s| s.name == c.source) {
                regions
                    .entry((c.source.as_str(), c.region.as_str()))
                    .or_default()
                    .push(c);
            }
        }
        self.live.cloudwatch_started(regions.len());
        let timer = std::time::Instant::now();
        let swept: Vec<(String, String)> = regions
            .keys()
            .map(|(s, r)| (s.to_string(), r.to_string()))
            .collect();
        let per_region = regions.iter().filter_map(|((source, region), clusters)| {
            let access = self.sources.iter().find(|s| s.name == *source)?;
            let reader = self.reader(access, region);
            Some(async move {
                let outcome = sweep_region(&reader, clusters).await;
                self.live.cloudwatch_region(outcome);
            })
        });
        futures::future::join_all(per_region).await;
        self.live.telemetry().cloudwatch_sweep_took(timer.elapsed());
        self.live.cloudwatch_finished(&swept);
    }
}

/// Reads one region: its clusters' series, their consumer lag and the alarms, at once.
pub async fn sweep_region(reader: &RegionReader, clusters: &[&Cluster]) -> RegionOutcome {
    let attempt = now_rfc3339();
    let fixed = metrics::cluster_series(clusters);
    let lag_names = metrics::lag_metrics(clusters);
    let fixed_read = reader.read(&fixed);
    let lag_read = async {
        if lag_names.is_empty() {
            return Ok((Vec::new(), Vec::new(), false));
        }
        let (found, capped) = reader.lag_series(&lag_names).await?;
        let queries = metrics::lag_queries(clusters, &found);
        let readings = reader.read(&queries).await?;
        Ok::<_, CallError>((queries, readings, capped))
    };
    // The region's permits are handed out first come, first served (a fair semaphore),
    // and join! polls in order: the lag's ListMetrics and the alarms' first page go
    // first, so the lag's GetMetricData, which must wait for ListMetrics, runs in the
    // second round of calls with the rest of the fixed series rather than a third.
    let (lag_r, alarms_r, fixed_r) = tokio::join!(lag_read, reader.alarms(), fixed_read);
    let checked_at = now_rfc3339();

    let mut notes = Vec::new();
    let mut error = None;
    let mut note_or_error = |e: CallError, what: &str, notes: &mut Vec<String>| {
        if e.denied {
            notes.push(format!(
                "No cloudwatch:{} permission in {}: {what}.",
                e.call, reader.region
            ));
        } else {
            notes.push(format!("{} {what}.", e.error.message));
            error.get_or_insert(e.error);
        }
    };
    let metrics = match fixed_r {
        Ok(readings) => {
            let (mut series, mut all) = (fixed, readings);
            match lag_r {
                Ok((queries, readings, capped)) => {
                    if capped {
                        notes.push(format!(
                            "More than {} consumer-lag series in {}: the first {} are read.",
                            reader::MAX_LAG_SERIES,
                            reader.region,
                            reader::MAX_LAG_SERIES
                        ));
                    }
                    series.extend(queries);
                    all.extend(readings);
                }
                Err(e) => note_or_error(e, "consumer lag is not read", &mut notes),
            }
            Update::Set(metrics::assemble(clusters, &series, &all, &checked_at))
        }
        Err(e) => {
            let denied = e.denied;
            note_or_error(e, "health comes from the exporters alone", &mut notes);
            if denied {
                Update::Clear
            } else {
                Update::Keep
            }
        }
    };
    let alarms = match alarms_r {
        Ok(list) => Update::Set(alarms::coverage(clusters, &list, &checked_at)),
        Err(e) => {
            let denied = e.denied;
            note_or_error(e, "alarm coverage is not known", &mut notes);
            if denied {
                Update::Clear
            } else {
                Update::Keep
            }
        }
    };
    let ok = matches!(metrics, Update::Set(_));
    RegionOutcome {
        clusters: clusters.iter().map(|c| c.id.clone()).collect(),
        metrics,
        alarms,
        status: CloudWatchSource {
            source: reader.source.clone(),
            region: reader.region.clone(),
            last_ok: ok.then(|| checked_at.clone()),
            last_attempt: Some(attempt),
            error,
            notes,
            calls: reader.take_calls(),
        },
    }
}
