//! The history's charts: step lines over at most [`CHART_BUCKETS`] intervals.
//!
//! The global coverage chart spans the whole retention window, so its intervals are
//! summed up once and then topped up with the snapshots recorded since (summing up a
//! year of snapshots on every view of `/history` would cost tens of ms). Intervals have
//! fixed bounds (multiples of a step from [`interval_for`]), so a summed-up interval
//! stays valid as the window moves; a prune clears the cache. A cluster's chart has few
//! rows and is summed up per view.

use app::chart::{bucket_points, interval_for, Bucket, Chart, Series};
use app::params::ClusterId;

use super::core::{CoverageCache, History};
use crate::clock::short_time;
use crate::store::timeline::{self, Bounds, ClusterBucketRow};
use crate::store::StoreError;

/// Buckets a chart is reduced to: enough for a 720-unit-wide SVG.
const CHART_BUCKETS: i64 = 360;

fn chart(
    title: &str,
    (start, end): (i64, i64),
    y_max: f64,
    unit: &str,
    series: Vec<Series>,
) -> Chart {
    Chart {
        title: title.into(),
        start,
        end,
        start_label: short_time(start),
        end_label: short_time(end),
        y_max,
        unit: unit.into(),
        series,
    }
}

impl History {
    /// The window a chart shows: from `first` (the oldest snapshot, or a cluster's first
    /// change) to `last` (the last check), but no more than the retention period.
    pub(super) fn window(&self, first: Option<i64>, last: Option<i64>) -> Option<(i64, i64)> {
        let (f, l) = (first?, last?);
        let start = f.max(l - i64::try_from(self.retention.as_secs()).unwrap_or(i64::MAX));
        Some((start, l.max(start + 1)))
    }

    /// Global coverage over time: the share of monitored brokers and clusters whose
    /// enabled exporters all answer; each interval shows its lowest value, then the
    /// value it ended with.
    pub(super) async fn coverage_chart(&self, bounds: Bounds) -> Result<Chart, StoreError> {
        let Some((start, end)) = self.window(bounds.first, bounds.last) else {
            return Ok(Chart::default());
        };
        let interval = interval_for(end - start, CHART_BUCKETS);
        let mut cache = self.coverage.lock().await;
        let upto = timeline::newest_snapshot(&self.pool).await?;
        let c = match cache.as_mut() {
            Some(c) if c.interval == interval => {
                if upto > c.upto {
                    for r in timeline::coverage_since(&self.pool, c.upto, upto).await? {
                        let at = r.taken_at;
                        c.buckets
                            .entry(at.div_euclid(interval))
                            .and_modify(|(b, cl)| {
                                b.add_lowest(at, r.brokers);
                                cl.add_lowest(at, r.clusters);
                            })
                            .or_insert((Bucket::of(at, r.brokers), Bucket::of(at, r.clusters)));
                    }
                    c.upto = upto;
                }
                c
            }
            _ => cache.insert(self.sum_up_coverage(interval, upto).await?),
        };
        let series = |label: &str, class: &str, pick: fn(&(Bucket, Bucket)) -> Bucket| {
            let buckets: Vec<Bucket> = c.buckets.values().map(pick).collect();
            Series {
                label: label.into(),
                class: class.into(),
                points: bucket_points(&buckets, start),
            }
        };
        Ok(chart(
            "Monitoring coverage over time",
            (start, end),
            100.0,
            "%",
            vec![
                series("Brokers with every enabled exporter answering", "s1", |b| {
                    b.0
                }),
                series("Clusters fully covered", "s2", |b| b.1),
            ],
        ))
    }

    /// Sums up every snapshot up to `upto` into intervals of `interval` seconds.
    async fn sum_up_coverage(&self, interval: i64, upto: i64) -> Result<CoverageCache, StoreError> {
        let rows = timeline::coverage_buckets(&self.pool, interval, upto).await?;
        let bucket = |first_at, last_at, extreme, last| Bucket {
            first_at,
            last_at,
            extreme,
            last,
        };
        Ok(CoverageCache {
            interval,
            upto,
            buckets: rows
                .into_iter()
                .map(|r| {
                    (
                        r.k,
                        (
                            bucket(r.first, r.last, r.min_b, r.b),
                            bucket(r.first, r.last, r.min_c, r.c),
                        ),
                    )
                })
                .collect(),
        })
    }

    /// A cluster's brokers and answering exporters over time.
    pub(super) async fn cluster_chart(
        &self,
        id: &ClusterId,
        name: &str,
    ) -> Result<Chart, StoreError> {
        let first = timeline::first_change_at(&self.pool, id.as_str()).await?;
        let last = timeline::bounds(&self.pool).await?.last;
        let Some((start, end)) = self.window(first, last) else {
            return Ok(Chart::default());
        };
        // The same intervals as the coverage chart's, summed up the same way.
        let rows = timeline::cluster_buckets(
            &self.pool,
            id.as_str(),
            interval_for(end - start, CHART_BUCKETS),
        )
        .await?;
        type Pick = fn(&ClusterBucketRow) -> (Option<i64>, Option<i64>);
        let series = |label: &str, class: &str, pick: Pick| {
            let buckets: Vec<Bucket> = rows
                .iter()
                .map(|r| {
                    let (extreme, last) = pick(r);
                    Bucket {
                        first_at: r.first,
                        last_at: r.last,
                        extreme: extreme.map(|v| v as f64),
                        last: last.map(|v| v as f64),
                    }
                })
                .collect();
            Series {
                label: label.into(),
                class: class.into(),
                points: bucket_points(&buckets, start),
            }
        };
        let series = vec![
            series("Brokers", "s1", |r| (Some(r.max_b), r.b)),
            series("JMX exporters up", "s2", |r| (r.min_j, r.j)),
            series("Node exporters up", "s3", |r| (r.min_n, r.n)),
        ];
        let y_max = series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.1))
            .fold(1.0, f64::max);
        Ok(chart(
            &format!("{name}: brokers and answering exporters"),
            (start, end),
            y_max,
            "",
            series,
        ))
    }
}
