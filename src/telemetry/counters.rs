//! The console's counters and timers ([`Telemetry`]), one registry per console.

use std::sync::Arc;
use std::time::Duration;

use prometheus_client::encoding::prometheus_text;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// A label set: names fixed here, values from wherever they come (escaped on output).
pub type Labels = Vec<(&'static str, String)>;

/// A label value from outside, as the exposition may carry it: the library escapes
/// `\`, `"` and line feeds; the other characters that end a line for some reader
/// (carriage return, the other control characters, U+2028 and U+2029) become U+FFFD.
pub fn label(v: &str) -> String {
    v.chars()
        .map(|c| {
            if (c.is_control() && c != '\n') || matches!(c, '\u{2028}' | '\u{2029}') {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}

/// The `Content-Type` of the exposition.
pub const CONTENT_TYPE: &str = prometheus_text::CONTENT_TYPE;

/// Bucket bounds of the duration histograms, in seconds: a refresh of one file takes
/// milliseconds, a sweep of thousands of brokers minutes.
const DURATION_BUCKETS: [f64; 12] = [
    0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0,
];

/// What one AWS request attempt came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallOutcome {
    Ok,
    /// AWS throttled it.
    Throttled,
    /// The caller may not make it (or its credentials are no good).
    Denied,
    /// Anything else: an AWS error, a timeout, an unreachable endpoint.
    Error,
}

impl CallOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            CallOutcome::Ok => "ok",
            CallOutcome::Throttled => "throttled",
            CallOutcome::Denied => "denied",
            CallOutcome::Error => "error",
        }
    }
}

/// What a history check wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HistoryWrite {
    /// A new snapshot with the clusters that changed.
    Snapshot,
    /// Nothing changed: only the latest snapshot's check time moved.
    Unchanged,
    /// The write failed (the next check tries again).
    Failed,
}

/// The console's counters and timers: a cheap handle, cloned into every loop.
#[derive(Clone, Debug)]
pub struct Telemetry(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    registry: Registry,
    refresh_seconds: Histogram,
    probe_sweep_seconds: Histogram,
    cloudwatch_sweep_seconds: Histogram,
    aws_calls: Family<Labels, Counter>,
    source_errors: Family<Labels, Counter>,
    history_writes: Family<Labels, Counter>,
    page_cache: Family<Labels, Counter>,
}

fn durations() -> Histogram {
    Histogram::new(DURATION_BUCKETS)
}

impl Default for Telemetry {
    fn default() -> Self {
        Telemetry::new()
    }
}

impl Telemetry {
    pub fn new() -> Telemetry {
        let mut registry = Registry::default();
        let refresh_seconds = durations();
        let probe_sweep_seconds = durations();
        let cloudwatch_sweep_seconds = durations();
        let aws_calls = Family::<Labels, Counter>::default();
        let source_errors = Family::<Labels, Counter>::default();
        let history_writes = Family::<Labels, Counter>::default();
        let page_cache = Family::<Labels, Counter>::default();
        let build = Family::<Labels, Gauge>::default();
        build
            .get_or_create(&vec![("version", app::VERSION.to_string())])
            .set(1);
        registry.register(
            "msk_console_build_info",
            "The running console's version (always 1)",
            build,
        );
        registry.register(
            "msk_console_refresh_duration_seconds",
            "How long a refresh of every source took",
            refresh_seconds.clone(),
        );
        registry.register(
            "msk_console_probe_sweep_duration_seconds",
            "How long a sweep of the brokers' exporters took",
            probe_sweep_seconds.clone(),
        );
        registry.register(
            "msk_console_cloudwatch_sweep_duration_seconds",
            "How long a CloudWatch sweep of every source and region took",
            cloudwatch_sweep_seconds.clone(),
        );
        registry.register(
            "msk_console_aws_calls",
            "AWS API requests by service, operation and outcome (ok, throttled, denied, error): every page and every retry counts",
            aws_calls.clone(),
        );
        registry.register(
            "msk_console_source_errors",
            "Failed listings of a source's region (AWS errors, unreadable inventory files)",
            source_errors.clone(),
        );
        registry.register(
            "msk_console_history_writes",
            "History checks by what they wrote (snapshot, unchanged, failed)",
            history_writes.clone(),
        );
        registry.register(
            "msk_console_page_cache_requests",
            "Page requests the page cache answered (hit) or rendered (miss)",
            page_cache.clone(),
        );
        Telemetry(Arc::new(Inner {
            registry,
            refresh_seconds,
            probe_sweep_seconds,
            cloudwatch_sweep_seconds,
            aws_calls,
            source_errors,
            history_writes,
            page_cache,
        }))
    }

    pub fn refresh_took(&self, d: Duration) {
        self.0.refresh_seconds.observe(d.as_secs_f64());
    }

    pub fn probe_sweep_took(&self, d: Duration) {
        self.0.probe_sweep_seconds.observe(d.as_secs_f64());
    }

    pub fn cloudwatch_sweep_took(&self, d: Duration) {
        self.0.cloudwatch_sweep_seconds.observe(d.as_secs_f64());
    }

    /// Counts one AWS call attempt ([`crate::telemetry::aws::CountCalls`] does, for every client).
    pub fn aws_call(&self, service: &str, operation: &str, outcome: CallOutcome) {
        self.0
            .aws_calls
            .get_or_create(&vec![
                ("service", service.to_string()),
                ("operation", operation.to_string()),
                ("outcome", outcome.as_str().to_string()),
            ])
            .inc();
    }

    /// Counts a failed listing of one of a source's regions.
    pub fn source_error(&self, source: &str) {
        self.0
            .source_errors
            .get_or_create(&vec![("source", label(source))])
            .inc();
    }

    pub fn history_write(&self, what: HistoryWrite) {
        let outcome = match what {
            HistoryWrite::Snapshot => "snapshot",
            HistoryWrite::Unchanged => "unchanged",
            HistoryWrite::Failed => "failed",
        };
        self.0
            .history_writes
            .get_or_create(&vec![("outcome", outcome.to_string())])
            .inc();
    }

    /// Counts a page request the cache answered (`hit`) or sent on to render.
    pub fn page_cache(&self, hit: bool) {
        let result = if hit { "hit" } else { "miss" };
        self.0
            .page_cache
            .get_or_create(&vec![("result", result.to_string())])
            .inc();
    }

    /// The console's counters as exposition text (the fleet's series follow them).
    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut out = String::new();
        prometheus_text::encode(&mut out, &self.0.registry)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_carry_total_and_histograms_their_buckets() {
        let t = Telemetry::new();
        t.aws_call("kafka", "ListClustersV2", CallOutcome::Throttled);
        t.aws_call("kafka", "ListClustersV2", CallOutcome::Throttled);
        t.refresh_took(Duration::from_millis(300));
        t.source_error("prod \"eu\"\nx");
        t.page_cache(true);
        let text = t.encode().unwrap();
        assert!(text.contains(
            "msk_console_aws_calls_total{service=\"kafka\",operation=\"ListClustersV2\",outcome=\"throttled\"} 2\n"
        ), "{text}");
        assert!(
            text.contains("msk_console_refresh_duration_seconds_bucket{le=\"0.5\"} 1\n"),
            "{text}"
        );
        assert!(
            text.contains("msk_console_refresh_duration_seconds_count 1\n"),
            "{text}"
        );
        // The library escapes label values: a source name cannot break the line.
        assert!(
            text.contains("msk_console_source_errors_total{source=\"prod \\\"eu\\\"\\nx\"} 1\n"),
            "{text}"
        );
        assert!(
            text.contains("msk_console_page_cache_requests_total{result=\"hit\"} 1\n"),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "msk_console_build_info{{version=\"{}\"}} 1\n",
                app::VERSION
            )),
            "{text}"
        );
    }
}
