//! Timelines: the rows, filters, pages and versions the history pages and the JSON API
//! show, and what took each snapshot.

use serde::{Deserialize, Serialize};

use super::{ChangeKind, DiffEntry};
use crate::chart::Chart;
use crate::error::AppError;
use crate::params::{ChangeId, ClusterId, PageSize};

/// What took a snapshot: an inventory refresh or an exporter sweep.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Trigger {
    Refresh,
    Probe,
    /// A CloudWatch sweep (its figures moved a cluster's health).
    #[serde(rename = "cloudwatch")]
    CloudWatch,
}

impl Trigger {
    /// The name the store and the JSON API use.
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Refresh => "refresh",
            Trigger::Probe => "probe",
            Trigger::CloudWatch => "cloudwatch",
        }
    }

    /// The trigger stored as `name`; an unknown one reads as a refresh.
    pub fn from_stored(name: &str) -> Trigger {
        match name {
            "probe" => Trigger::Probe,
            "cloudwatch" => Trigger::CloudWatch,
            _ => Trigger::Refresh,
        }
    }
}

/// `entry.trigger == "probe"` reads as it did when the trigger was a string.
impl PartialEq<&str> for Trigger {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::fmt::Display for Trigger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One row of a timeline: one cluster's change in one snapshot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeEntry {
    /// The change's id, which orders the timeline (pages continue `before` it).
    pub id: i64,
    /// The snapshot that recorded it.
    pub snapshot: i64,
    /// RFC 3339 time of that snapshot.
    pub at: String,
    /// What took the snapshot.
    pub trigger: Trigger,
    pub cluster_id: String,
    pub cluster_name: String,
    pub source: String,
    pub region: String,
    pub kinds: Vec<ChangeKind>,
    pub summary: String,
}

/// What a timeline shows: a filter over the changes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeFilter {
    pub cluster: Option<ClusterId>,
    pub source: Option<String>,
    pub kind: Option<ChangeKind>,
    /// Only changes older than this one (the next page).
    pub before: Option<ChangeId>,
    pub limit: PageSize,
}

impl ChangeFilter {
    /// A filter from query-string values; empty values mean "any".
    pub fn parse(
        cluster: Option<&str>,
        source: Option<&str>,
        kind: Option<&str>,
        before: Option<&str>,
        limit: Option<&str>,
    ) -> Result<ChangeFilter, AppError> {
        fn some(v: Option<&str>) -> Option<&str> {
            v.map(str::trim).filter(|s| !s.is_empty())
        }
        Ok(ChangeFilter {
            cluster: ClusterId::parse_opt(cluster)?,
            source: some(source).map(str::to_string),
            kind: some(kind)
                .map(|k| k.parse::<ChangeKind>().map_err(AppError::bad_request))
                .transpose()?,
            before: ChangeId::parse("before", before)?,
            limit: PageSize::parse(limit)?,
        })
    }
}

/// One page of the global timeline, with the global coverage chart.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ChangesPage {
    pub entries: Vec<ChangeEntry>,
    /// Pass as `before` for the next (older) page; `None` on the last page.
    pub next_before: Option<i64>,
    /// Every source and every cluster with history, for the filters.
    pub sources: Vec<String>,
    pub clusters: Vec<ClusterRef>,
    pub stats: HistoryStats,
    pub chart: Chart,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterRef {
    pub id: String,
    pub name: String,
    pub region: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryStats {
    /// Snapshots that changed something.
    pub snapshots: i64,
    /// Refreshes and sweeps checked, changed or not.
    pub checks: i64,
    pub first_at: Option<String>,
    /// The last time the current state was confirmed.
    pub last_checked_at: Option<String>,
    pub retention_days: u64,
}

/// One recorded state of a cluster, for choosing what to compare.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    pub snapshot: i64,
    pub at: String,
    pub summary: String,
    pub removed: bool,
}

/// A cluster's history page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClusterHistory {
    pub cluster_id: String,
    pub cluster_name: String,
    pub source: String,
    pub region: String,
    /// The cluster is in the current inventory.
    pub current: bool,
    pub entries: Vec<ChangeEntry>,
    pub next_before: Option<i64>,
    pub chart: Chart,
    /// The newest recorded states (up to [`MAX_VERSIONS`]), newest first.
    pub versions: Vec<Version>,
}

pub const MAX_VERSIONS: usize = 500;

/// The difference between a cluster's states at two snapshots.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClusterDiff {
    pub cluster_id: String,
    pub cluster_name: String,
    /// The state compared from (`None`: before the cluster was first recorded).
    pub from: Option<Version>,
    pub to: Version,
    pub entries: Vec<DiffEntry>,
    pub versions: Vec<Version>,
}
