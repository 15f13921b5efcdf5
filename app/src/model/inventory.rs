//! The whole inventory: every cluster of every source, how each source's last refresh
//! went, and the refresh in progress.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Cluster, ClusterDetail, ClusterReachability, ClusterSummary, Progress, SweepStatus};
use crate::error::AppError;
use crate::params::{ClusterId, ClusterKey};

/// How the last refresh of one source in one region went.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceStatus {
    pub source: String,
    pub region: String,
    pub account: Option<String>,
    pub clusters: usize,
    /// RFC 3339 time of the last refresh that succeeded.
    pub last_ok: Option<String>,
    /// RFC 3339 time of the last attempt.
    pub last_attempt: Option<String>,
    /// Why the last attempt failed; the clusters shown are from `last_ok`.
    pub error: Option<SourceError>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceError {
    pub kind: SourceErrorKind,
    pub message: String,
    /// What to do about it.
    pub hint: String,
}

/// Why a source could not be listed; the JSON API carries the kebab-case name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceErrorKind {
    /// The credential chain found nothing.
    NoCredentials,
    /// AWS refused the call (IAM policy, SCP, expired session).
    AccessDenied,
    /// AWS throttled the calls, even after retries.
    Throttled,
    /// A call took longer than `--aws-timeout`.
    Timeout,
    /// The endpoint could not be reached (network, DNS, proxy).
    Unreachable,
    /// AWS answered with another error, or an answer could not be read.
    AwsError,
    /// The source is misconfigured (no region).
    Config,
    /// An inventory file could not be read or parsed.
    File,
}

impl SourceErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceErrorKind::NoCredentials => "no-credentials",
            SourceErrorKind::AccessDenied => "access-denied",
            SourceErrorKind::Throttled => "throttled",
            SourceErrorKind::Timeout => "timeout",
            SourceErrorKind::Unreachable => "unreachable",
            SourceErrorKind::AwsError => "aws-error",
            SourceErrorKind::Config => "config",
            SourceErrorKind::File => "file",
        }
    }
}

/// `error.kind == "timeout"` compares with the name the JSON API carries.
impl PartialEq<&str> for SourceErrorKind {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::fmt::Display for SourceErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The progress of a refresh (units: sources and regions).
pub type RefreshStatus = Progress;

/// Everything the console knows right now.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inventory {
    pub clusters: Vec<Cluster>,
    pub sources: Vec<SourceStatus>,
    pub refresh: RefreshStatus,
    /// The inventory holds the built-in sample data, not real clusters.
    pub sample: bool,
    /// The sample brokers have stand-in exporters on loopback (`--sample`), so they are
    /// probed like real ones.
    #[serde(default)]
    pub sample_exporters: bool,
    /// The last exporter probe of each cluster, by cluster id.
    pub reachability: std::collections::BTreeMap<ClusterId, ClusterReachability>,
    pub sweep: SweepStatus,
    /// What the last CloudWatch sweeps read of each cluster (metrics, alarms), by id.
    /// Shared with the live state: each sweep of a region publishes the inventory, and a
    /// publish copies pointers rather than every cluster's figures.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub cloudwatch:
        std::collections::BTreeMap<ClusterId, std::sync::Arc<super::cloudwatch::CloudWatchReading>>,
    /// The CloudWatch sweep under way or the last one.
    #[serde(default)]
    pub cloudwatch_sweep: SweepStatus,
    /// How each source and region's CloudWatch sweep went.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cloudwatch_sources: Vec<super::cloudwatch::CloudWatchSource>,
    /// What the last topic refreshes read of each cluster (MSK's topic APIs), by id.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub topics: std::collections::BTreeMap<ClusterId, std::sync::Arc<super::topics::ClusterTopics>>,
    /// Counts finished topic refreshes (the history records after each).
    #[serde(default)]
    pub topics_generation: u64,
    /// Values worked out from the fields above on first use (not serialised).
    #[serde(skip)]
    pub derived: Derived,
}

/// What an [`Inventory`] works out from its fields once, on first use: the cluster list's
/// rows. The server publishes each inventory behind an `Arc` and never changes it, so
/// every request of one inventory version shares them. A clone starts empty, since a
/// clone may be changed; change an inventory's fields only before anything reads these.
#[derive(Default)]
pub struct Derived {
    list_rows: std::sync::OnceLock<super::list::ListRows>,
}

impl Clone for Derived {
    fn clone(&self) -> Self {
        Derived::default()
    }
}

/// Derived values follow from the fields, so they never make two inventories differ.
impl PartialEq for Derived {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Derived {}

impl std::fmt::Debug for Derived {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Derived")
    }
}

/// The source name of the built-in sample inventory.
pub const SAMPLE_SOURCE: &str = "sample";

impl Inventory {
    /// Whether the console probes this cluster's exporters: every listed cluster except
    /// the built-in sample data, whose made-up host names must not be looked up (unless
    /// the sample brokers' stand-in exporters run, which the prober reaches by address).
    pub fn probes(&self, c: &Cluster) -> bool {
        !(self.sample && c.source == SAMPLE_SOURCE && !self.sample_exporters)
    }

    pub fn cluster(&self, id: &str) -> Option<&Cluster> {
        self.clusters.iter().find(|c| c.id == id || c.arn == id)
    }

    /// The cluster a request names, or a 404 that says it is not (or no longer) listed.
    pub fn find(&self, key: &ClusterKey) -> Result<&Cluster, AppError> {
        self.cluster(key.as_str()).ok_or_else(|| {
            AppError::not_found(format!(
                "No cluster with id `{key}` is in the inventory. It may have been deleted, or its source failed to refresh."
            ))
        })
    }

    /// What the last CloudWatch sweep read of a cluster's metrics.
    pub fn metrics(&self, c: &Cluster) -> Option<&super::cloudwatch::ClusterMetrics> {
        self.cloudwatch.get(&c.id).and_then(|r| r.metrics.as_ref())
    }

    /// A cluster's health from its last probe and its last CloudWatch reading.
    pub fn health(&self, c: &Cluster) -> Option<super::ClusterHealth> {
        super::judge(c, self.reachability.get(&c.id), self.metrics(c))
    }

    /// A cluster with its last probe and the sweep status: what the cluster page shows.
    pub fn detail(&self, key: &ClusterKey) -> Result<ClusterDetail, AppError> {
        let c = self.find(key)?;
        let reachability = self.reachability.get(&c.id).cloned();
        Ok(ClusterDetail {
            health: self.health(c),
            cloudwatch: self.cloudwatch.get(&c.id).map(|r| (**r).clone()),
            sample: self.sample && c.source == SAMPLE_SOURCE,
            cluster: c.clone(),
            reachability,
            sweep: self.sweep.clone(),
            recorded: None,
        })
    }
}

impl Inventory {
    /// Every cluster's list row, built on the first call (see [`Derived`]).
    pub fn list_rows(&self) -> &super::list::ListRows {
        self.derived
            .list_rows
            .get_or_init(|| super::list::ListRows::build(self))
    }

    /// A cluster's list row, with its health from the last probe.
    pub fn summary(&self, c: &Cluster) -> ClusterSummary {
        let mut row = c.summary();
        if let Some(h) = self.health(c) {
            row.health_reason = (h.state != super::HealthState::Healthy).then(|| h.summary());
            row.health = Some(h.state);
        }
        row.alarms = self
            .cloudwatch
            .get(&c.id)
            .and_then(|r| r.alarms.as_ref())
            .map(super::AlarmsBrief::of);
        row
    }

    pub fn select(&self, s: &Selection) -> Result<Vec<&Cluster>, AppError> {
        if let Some(key) = &s.cluster {
            return Ok(vec![self.find(key)?]);
        }
        let wanted = |filter: &str, v: &str| filter.is_empty() || filter == v;
        let filter = super::TextFilter::parse(&s.q);
        Ok(self
            .clusters
            .iter()
            .filter(|c| wanted(&s.source, &c.source) && wanted(&s.region, &c.region))
            .filter(|c| {
                // Health and alarm coverage too: `alarms:missing` selects by them.
                let row = self.summary(c);
                filter.matches(&row, &row.haystack())
            })
            .collect())
    }
}

/// Which clusters a many-cluster file (targets.json, prometheus.yml, http_sd) covers:
/// one by `cluster=ID`, or all that match the cluster list's filters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    pub cluster: Option<ClusterKey>,
    /// The list's free-text filter.
    pub q: String,
    pub source: String,
    pub region: String,
}

impl Selection {
    /// The longest filter value accepted.
    pub const MAX_LEN: usize = 256;
    /// The most words in the `q` filter.
    pub const MAX_TERMS: usize = 16;

    /// A selection from query-string values; empty values mean "any".
    pub fn parse(
        cluster: Option<&str>,
        q: Option<&str>,
        source: Option<&str>,
        region: Option<&str>,
    ) -> Result<Selection, AppError> {
        let text = |v: Option<&str>| v.unwrap_or("").to_string();
        // Every term is matched against every cluster: keep the work a request can ask
        // for small.
        for (name, v) in [("q", q), ("source", source), ("region", region)] {
            let v = v.unwrap_or("");
            if v.chars().count() > Self::MAX_LEN {
                return Err(AppError::bad_request(format!(
                    "`{name}` is longer than {} characters",
                    Self::MAX_LEN
                )));
            }
        }
        if q.unwrap_or("").split_whitespace().count() > Self::MAX_TERMS {
            return Err(AppError::bad_request(format!(
                "the filter `q` has more than {} words",
                Self::MAX_TERMS
            )));
        }
        Ok(Selection {
            cluster: cluster
                .filter(|c| !c.is_empty())
                .map(ClusterKey::parse)
                .transpose()?,
            q: text(q),
            source: text(source),
            region: text(region),
        })
    }

    /// No filter at all: every cluster, including ones listed later.
    pub fn is_empty(&self) -> bool {
        self.cluster.is_none()
            && self.q.trim().is_empty()
            && self.source.is_empty()
            && self.region.is_empty()
    }

    /// The filters as a query string (for the http_sd URL in a `prometheus.yml`).
    pub fn query_string(&self) -> String {
        serde_urlencoded::to_string([
            ("q", &self.q),
            ("source", &self.source),
            ("region", &self.region),
        ])
        .unwrap_or_default()
    }

    /// What a file made of `n` selected clusters covers, for its header.
    pub fn describe(&self, n: usize) -> String {
        let mut parts = vec![format!("{n} cluster{}", if n == 1 { "" } else { "s" })];
        for (k, v) in [
            ("filter", &self.q),
            ("source", &self.source),
            ("region", &self.region),
        ] {
            if !v.is_empty() {
                parts.push(format!("{k} \"{v}\""));
            }
        }
        parts.join(", ")
    }
}

/// A row of `GET /api/clusters`: the list row, and what a script needs to connect
/// without a call per cluster (left out with `brief`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterRow {
    #[serde(flatten)]
    pub summary: ClusterSummary,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Every bootstrap string by auth mode (`"sasl-iam": "b-1…:9098,…"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bootstrap: Option<BTreeMap<String, String>>,
}

impl ClusterRow {
    pub fn of(inv: &Inventory, c: &Cluster, brief: bool) -> ClusterRow {
        let mut summary = inv.summary(c);
        if brief {
            summary.tags.clear();
            return ClusterRow {
                summary,
                arn: None,
                account: None,
                bootstrap: None,
            };
        }
        ClusterRow {
            summary,
            arn: Some(c.arn.clone()),
            account: c.account.clone(),
            bootstrap: Some(
                c.bootstrap
                    .iter()
                    .map(|b| (b.listener.slug().to_string(), b.servers.clone()))
                    .collect(),
            ),
        }
    }
}

/// `GET /api/clusters`: every cluster's row and the state of every source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterListing {
    pub clusters: Vec<ClusterRow>,
    pub sources: Vec<SourceStatus>,
    pub refresh: RefreshStatus,
    pub sample: bool,
}

impl ClusterListing {
    /// The rows of the clusters a selection covers (every cluster when it is empty),
    /// in the inventory's order.
    pub fn of(
        inv: &Inventory,
        selection: &Selection,
        brief: bool,
    ) -> Result<ClusterListing, AppError> {
        Ok(ClusterListing {
            clusters: inv
                .select(selection)?
                .into_iter()
                .map(|c| ClusterRow::of(inv, c, brief))
                .collect(),
            sources: inv.sources.clone(),
            refresh: inv.refresh.clone(),
            sample: inv.sample,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_error_kinds_keep_their_json_names() {
        for (kind, name) in [
            (SourceErrorKind::NoCredentials, "no-credentials"),
            (SourceErrorKind::AccessDenied, "access-denied"),
            (SourceErrorKind::Throttled, "throttled"),
            (SourceErrorKind::Timeout, "timeout"),
            (SourceErrorKind::Unreachable, "unreachable"),
            (SourceErrorKind::AwsError, "aws-error"),
            (SourceErrorKind::Config, "config"),
            (SourceErrorKind::File, "file"),
        ] {
            assert_eq!(kind.as_str(), name);
            assert_eq!(serde_json::to_string(&kind).unwrap(), format!("\"{name}\""));
        }
    }
}
