//! What a CloudWatch sweep hands the live view for one region: its readings, as an
//! [`Update`] per kind of reading, and how its calls went ([`super::Live`]'s
//! `cloudwatch_*` methods apply them).

use std::collections::BTreeMap;

use app::model::cloudwatch::{AlarmCoverage, CloudWatchSource, ClusterMetrics};
use app::params::ClusterId;

/// What a region's sweep does to the readings the live view holds.
#[derive(Debug)]
pub enum Update<T> {
    /// New readings for every cluster of the region.
    Set(BTreeMap<ClusterId, T>),
    /// The call is not allowed: what was read before is dropped, not shown as current.
    Clear,
    /// The call failed: the last readings stay (their times say how old they are).
    Keep,
}

/// One region's CloudWatch sweep.
#[derive(Debug)]
pub struct RegionOutcome {
    pub clusters: Vec<ClusterId>,
    pub metrics: Update<ClusterMetrics>,
    pub alarms: Update<AlarmCoverage>,
    pub status: CloudWatchSource,
}
