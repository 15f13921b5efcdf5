//! The CloudWatch calls of one source and region: ListMetrics for the consumer-lag
//! series, GetMetricData in batches of 500 queries, DescribeAlarms. Every call holds a
//! permit of the region's semaphore and is counted; throttling and transient errors are
//! retried by the SDK's standard strategy (the source's retry and timeout settings).
//!
//! API reference: <https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/>

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use app::model::cloudwatch::AlarmState;
use app::model::SourceError;
use aws_config::{Region, SdkConfig};
use aws_sdk_cloudwatch::types::{
    AlarmType, Dimension, Metric, MetricAlarm, MetricDataQuery, MetricStat, RecentlyActive, ScanBy,
};
use aws_sdk_cloudwatch::Client;
use aws_smithy_types::date_time::Format;
use aws_smithy_types::DateTime;
use tokio::sync::Semaphore;

use super::alarms::{Alarm, Watched};
use super::metrics::{
    query_id, LagSeries, Reading, Series, CLUSTER_NAME, CONSUMER_GROUP, NAMESPACE, TOPIC,
};
use crate::inventory::errors::{classify_api, Api};
use crate::telemetry::aws::CountCalls;
use crate::telemetry::Telemetry;

/// The CloudWatch API, as its banners name it.
pub const CLOUDWATCH: Api = Api {
    name: "CloudWatch",
    permissions: "cloudwatch:GetMetricData, cloudwatch:ListMetrics and cloudwatch:DescribeAlarms",
    ease: "Lower --cloudwatch-concurrency, or read less often with --cloudwatch-interval.",
    meanwhile: "the figures shown are from the last good read",
};

/// How far back a sweep looks for each series' newest datapoint. MSK publishes every
/// minute; a series silent for longer than this has no datapoint ("unknown").
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

/// The period of the datapoints read (MSK's own).
const PERIOD_SECONDS: i32 = 60;

/// The most lag series read per region and sweep (group × topic × metric); beyond it the
/// rest are left out with a note, so one region cannot make a sweep unbounded.
pub const MAX_LAG_SERIES: usize = 5_000;

/// One source and region's CloudWatch client and its limits.
pub struct RegionReader {
    client: Client,
    pub source: String,
    pub region: String,
    permits: Semaphore,
    /// Calls made (pages count one each).
    calls: AtomicU32,
}

/// A failed call: the banner, and whether it was a missing permission.
#[derive(Clone, Debug)]
pub struct CallError {
    pub error: SourceError,
    pub denied: bool,
    pub call: &'static str,
}

impl RegionReader {
    pub fn new(
        sdk: &SdkConfig,
        endpoint_url: Option<&str>,
        source: &str,
        region: &str,
        concurrency: usize,
        telemetry: &Telemetry,
    ) -> RegionReader {
        let mut conf = aws_sdk_cloudwatch::config::Builder::from(sdk)
            .region(Region::new(region.to_string()))
            .interceptor(CountCalls(telemetry.clone()));
        if let Some(url) = endpoint_url {
            conf = conf.endpoint_url(url);
        }
        RegionReader {
            client: Client::from_conf(conf.build()),
            source: source.to_string(),
            region: region.to_string(),
            permits: Semaphore::new(concurrency.max(1)),
            calls: AtomicU32::new(0),
        }
    }

    /// Calls made since the last [`RegionReader::take_calls`].
    pub fn take_calls(&self) -> u32 {
        self.calls.swap(0, Ordering::Relaxed)
    }

    fn fail<E, R>(
        &self,
        e: &aws_sdk_cloudwatch::error::SdkError<E, R>,
        call: &'static str,
    ) -> CallError
    where
        E: aws_sdk_cloudwatch::error::ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        let error = classify_api(e, call, &self.source, &self.region, &CLOUDWATCH);
        CallError {
            denied: error.kind == app::model::SourceErrorKind::AccessDenied,
            error,
            call,
        }
    }

    async fn permit(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        // The semaphore is never closed; were it, the call would go ahead unbounded.
        self.permits.acquire().await.ok()
    }

    /// The consumer-lag series of the region's clusters that were active in the last
    /// three hours, for the named metrics. Returns the series and whether some were
    /// left out ([`MAX_LAG_SERIES`]).
    pub async fn lag_series(&self, metrics: &[&str]) -> Result<(Vec<LagSeries>, bool), CallError> {
        let per_metric = metrics.iter().map(|m| self.list_metric(m));
        let mut out = Vec::new();
        let mut capped = false;
        for r in futures::future::join_all(per_metric).await {
            let (series, more) = r?;
            capped |= more;
            out.extend(series);
        }
        if out.len() > MAX_LAG_SERIES {
            out.truncate(MAX_LAG_SERIES);
            capped = true;
        }
        Ok((out, capped))
    }

    async fn list_metric(&self, metric: &str) -> Result<(Vec<LagSeries>, bool), CallError> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = {
                let _p = self.permit().await;
                self.client
                    .list_metrics()
                    .namespace(NAMESPACE)
                    .metric_name(metric)
                    .recently_active(RecentlyActive::Pt3H)
                    .set_next_token(token.take())
                    .send()
                    .await
                    .map_err(|e| self.fail(&e, "ListMetrics"))?
            };
            out.extend(page.metrics().iter().filter_map(lag_series));
            if out.len() > MAX_LAG_SERIES {
                return Ok((out, true));
            }
            match page.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => return Ok((out, false)),
            }
        }
    }

    /// The newest datapoint of every series in the window before now, one
    /// GetMetricData call per [`super::metrics::QUERIES_PER_CALL`] series, all at once.
    pub async fn read(&self, series: &[Series]) -> Result<Vec<Option<Reading>>, CallError> {
        let end = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        // To the end of the current minute (its datapoint may still grow), in whole
        // minutes, so every query of a sweep asks for the same periods.
        let end = end - end % 60 + 60;
        let start = end.saturating_sub(WINDOW.as_secs());
        let batches = series
            .chunks(super::metrics::QUERIES_PER_CALL)
            .map(|batch| self.read_batch(batch, start, end));
        let mut out = Vec::with_capacity(series.len());
        for r in futures::future::join_all(batches).await {
            out.extend(r?);
        }
        Ok(out)
    }

    async fn read_batch(
        &self,
        batch: &[Series],
        start: u64,
        end: u64,
    ) -> Result<Vec<Option<Reading>>, CallError> {
        let queries: Vec<MetricDataQuery> =
            batch.iter().enumerate().map(|(i, s)| query(i, s)).collect();
        let mut out: Vec<Option<Reading>> = vec![None; batch.len()];
        let mut token: Option<String> = None;
        loop {
            let page = {
                let _p = self.permit().await;
                self.client
                    .get_metric_data()
                    .set_metric_data_queries(Some(queries.clone()))
                    .start_time(DateTime::from_secs(start as i64))
                    .end_time(DateTime::from_secs(end as i64))
                    .scan_by(ScanBy::TimestampDescending)
                    .set_next_token(token.take())
                    .send()
                    .await
                    .map_err(|e| self.fail(&e, "GetMetricData"))?
            };
            for r in page.metric_data_results() {
                let Some(i) = r
                    .id()
                    .and_then(|id| id.strip_prefix('q')?.parse::<usize>().ok())
                else {
                    continue;
                };
                let Some(slot) = out.get_mut(i) else { continue };
                if slot.is_some() {
                    continue;
                }
                let Some(t) = newest_index(r.timestamps()) else {
                    continue;
                };
                if let (Some(value), Ok(at)) =
                    (r.values().get(t), r.timestamps()[t].fmt(Format::DateTime))
                {
                    *slot = Some(Reading { value: *value, at });
                }
            }
            match page.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => return Ok(out),
            }
        }
    }

    /// Every metric alarm of the region that reads an `AWS/Kafka` metric.
    pub async fn alarms(&self) -> Result<Vec<Alarm>, CallError> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = {
                let _p = self.permit().await;
                self.client
                    .describe_alarms()
                    .alarm_types(AlarmType::MetricAlarm)
                    .max_records(100)
                    .set_next_token(token.take())
                    .send()
                    .await
                    .map_err(|e| self.fail(&e, "DescribeAlarms"))?
            };
            out.extend(page.metric_alarms().iter().filter_map(alarm));
            match page.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => return Ok(out),
            }
        }
    }
}

/// The index of the newest timestamp (CloudWatch sends them newest first when asked,
/// but a reader does not rely on it).
fn newest_index(ts: &[DateTime]) -> Option<usize> {
    ts.iter()
        .enumerate()
        .max_by_key(|(_, t)| (t.secs(), t.subsec_nanos()))
        .map(|(i, _)| i)
}

fn query(i: usize, s: &Series) -> MetricDataQuery {
    let dimensions = s
        .dimensions
        .iter()
        .map(|(name, value)| Dimension::builder().name(*name).value(value).build())
        .collect();
    let metric = Metric::builder()
        .namespace(NAMESPACE)
        .metric_name(s.metric)
        .set_dimensions(Some(dimensions))
        .build();
    MetricDataQuery::builder()
        .id(query_id(i))
        .metric_stat(
            MetricStat::builder()
                .metric(metric)
                .period(PERIOD_SECONDS)
                .stat(s.stat)
                .build(),
        )
        .return_data(true)
        .build()
}

/// A ListMetrics row as a lag series, if it has the three lag dimensions.
fn lag_series(m: &Metric) -> Option<LagSeries> {
    let dim = |name: &str| {
        m.dimensions()
            .iter()
            .find(|d| d.name() == Some(name))
            .and_then(|d| d.value())
            .map(str::to_string)
    };
    // Exactly the DEFAULT level's dimensions: a per-partition series is another one.
    if m.dimensions().len() != 3 {
        return None;
    }
    Some(LagSeries {
        cluster_name: dim(CLUSTER_NAME)?,
        group: dim(CONSUMER_GROUP)?,
        topic: dim(TOPIC)?,
        metric: m.metric_name()?.to_string(),
    })
}

/// A DescribeAlarms row as an [`Alarm`], if it reads some `AWS/Kafka` metric.
fn alarm(a: &MetricAlarm) -> Option<Alarm> {
    let dims = |d: &[Dimension]| -> Vec<(String, String)> {
        d.iter()
            .filter_map(|d| Some((d.name()?.to_string(), d.value()?.to_string())))
            .collect()
    };
    let watch = |namespace: Option<&str>, metric: Option<&str>, d: &[Dimension]| {
        let d = dims(d);
        Watched::of(
            namespace,
            metric,
            d.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        )
    };
    let mut watches: Vec<Watched> = watch(a.namespace(), a.metric_name(), a.dimensions())
        .into_iter()
        .collect();
    for q in a.metrics() {
        if let Some(m) = q.metric_stat().and_then(|s| s.metric()) {
            watches.extend(watch(m.namespace(), m.metric_name(), m.dimensions()));
        }
    }
    if watches.is_empty() {
        return None;
    }
    Some(Alarm {
        name: a.alarm_name()?.to_string(),
        state: a
            .state_value()
            .and_then(|s| AlarmState::parse(s.as_str()))
            .unwrap_or(AlarmState::InsufficientData),
        watches,
    })
}
