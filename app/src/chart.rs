//! The geometry of the server-rendered SVG charts: step series over fixed intervals.
//!
//! An interval shows its extreme (the lowest coverage, the most brokers), then the value
//! it ended with, so a short outage is visible but not drawn for the quiet weeks after
//! it. Interval lengths are fixed steps ([`interval_for`]), so an interval's bounds do
//! not move with the chart's window and a summed-up interval stays valid.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Chart {
    pub title: String,
    /// Unix seconds of the left and right edges.
    pub start: i64,
    pub end: i64,
    pub start_label: String,
    pub end_label: String,
    pub y_max: f64,
    /// `%` or empty.
    pub unit: String,
    pub series: Vec<Series>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Series {
    pub label: String,
    /// A CSS class: `s1`, `s2`, `s3`.
    pub class: String,
    /// (unix seconds, value), oldest first; each value holds until the next point.
    pub points: Vec<(i64, f64)>,
}

/// One interval of a chart series as the database sums it up.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Bucket {
    /// When the interval's first and last recorded values were taken (Unix seconds).
    pub first_at: i64,
    pub last_at: i64,
    /// The value worth seeing inside the interval: the lowest share answering, the most
    /// brokers. `None` where nothing was measured (not probed).
    pub extreme: Option<f64>,
    /// The value in force at the interval's end, which holds until the next interval.
    pub last: Option<f64>,
}

impl Bucket {
    /// An interval holding one value.
    pub fn of(at: i64, value: Option<f64>) -> Bucket {
        Bucket {
            first_at: at,
            last_at: at,
            extreme: value,
            last: value,
        }
    }

    /// Takes in a value recorded after every value already in the interval; the
    /// interval keeps the lowest.
    pub fn add_lowest(&mut self, at: i64, value: Option<f64>) {
        self.first_at = self.first_at.min(at);
        self.last_at = self.last_at.max(at);
        self.extreme = match (self.extreme, value) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.last = value;
    }
}

/// Interval lengths a chart may use, in seconds: fixed steps, so that an interval's
/// bounds do not move as the chart's window does and a summed-up interval stays valid.
const INTERVALS: [i64; 13] = [
    60, 300, 900, 1_800, 3_600, 7_200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800, 2_592_000,
];

/// The shortest interval that draws a window of `span` seconds in at most `buckets`
/// intervals.
pub fn interval_for(span: i64, buckets: i64) -> i64 {
    let want = (span.max(1) + buckets - 1) / buckets.max(1);
    INTERVALS
        .into_iter()
        .find(|&i| i >= want)
        .unwrap_or(INTERVALS[INTERVALS.len() - 1])
}

/// The points of a step series from its intervals, oldest first. Each interval shows its
/// extreme from its first value on, then its last value, which holds until the next
/// change: a dip that recovered inside an interval stays visible without being drawn
/// for the quiet weeks after it. Intervals that ended before `start` give only what was
/// in force when the window opens: the last of them, at `start`.
pub fn bucket_points(buckets: &[Bucket], start: i64) -> Vec<(i64, f64)> {
    let mut points = Vec::with_capacity(buckets.len() * 2);
    let in_force = buckets
        .iter()
        .take_while(|b| b.last_at < start)
        .last()
        .and_then(|b| b.last);
    points.extend(in_force.map(|v| (start, v)));
    for b in buckets.iter().filter(|b| b.last_at >= start) {
        points.extend(b.extreme.map(|v| (b.first_at, v)));
        if let Some(last) = b.last {
            if b.last_at > b.first_at && b.extreme != Some(last) {
                points.push((b.last_at, last));
            }
        }
    }
    points
}

/// Chart drawing area, in SVG user units.
pub const CHART_W: f64 = 720.0;
pub const CHART_H: f64 = 160.0;

impl Chart {
    pub fn is_empty(&self) -> bool {
        self.series.iter().all(|s| s.points.is_empty())
    }

    fn x(&self, t: i64) -> f64 {
        let span = (self.end - self.start).max(1) as f64;
        ((t.clamp(self.start, self.end) - self.start) as f64 / span * CHART_W).clamp(0.0, CHART_W)
    }

    fn y(&self, v: f64) -> f64 {
        let max = if self.y_max > 0.0 { self.y_max } else { 1.0 };
        CHART_H - (v / max).clamp(0.0, 1.0) * CHART_H
    }

    /// The SVG path of a step series: each value is held until the next point, and the
    /// last one until the right edge.
    pub fn step_path(&self, s: &Series) -> String {
        let mut d = String::new();
        for (i, &(t, v)) in s.points.iter().enumerate() {
            let (x, y) = (self.x(t), self.y(v));
            if i == 0 {
                d.push_str(&format!("M{x:.1} {y:.1}"));
            } else {
                d.push_str(&format!(" H{x:.1} V{y:.1}"));
            }
        }
        if !s.points.is_empty() {
            d.push_str(&format!(" H{CHART_W:.1}"));
        }
        d
    }

    /// A series in words, the chart's text alternative: "Exporters answering: 66.7% now,
    /// lowest 50%, highest 100%". None for a series with no points.
    pub fn in_words(&self, s: &Series) -> Option<String> {
        let last = s.points.last()?.1;
        let (low, high) = s
            .points
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &(_, v)| {
                (lo.min(v), hi.max(v))
            });
        let unit = &self.unit;
        let n = |v: f64| format!("{}{unit}", (v * 10.0).round() / 10.0);
        Some(if low == high {
            format!("{}: {} throughout", s.label, n(last))
        } else {
            format!(
                "{}: {} now, lowest {}, highest {}",
                s.label,
                n(last),
                n(low),
                n(high)
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dip_inside_an_interval_shows_and_does_not_outlast_it() {
        let b = |first_at, last_at, extreme, last| Bucket {
            first_at,
            last_at,
            extreme: Some(extreme),
            last: Some(last),
        };
        let points = bucket_points(
            &[
                // Before the window: only what was in force when it opens.
                b(0, 5, 10.0, 20.0),
                b(10, 50, 0.0, 80.0),
                // Down to 50 and back to 100 within one interval.
                b(100, 130, 50.0, 100.0),
                // One value only.
                b(200, 200, 75.0, 75.0),
                // Not probed in this interval: nothing to draw.
                Bucket {
                    first_at: 300,
                    last_at: 300,
                    ..Bucket::default()
                },
            ],
            60,
        );
        assert_eq!(points, [(60, 80.0), (100, 50.0), (130, 100.0), (200, 75.0)]);
        let chart = Chart {
            start: 60,
            end: 420,
            y_max: 100.0,
            series: vec![Series {
                points,
                ..Series::default()
            }],
            ..Chart::default()
        };
        // After the dip the line is back at the top (y = 0) until the next change.
        assert_eq!(
            chart.step_path(&chart.series[0]),
            "M0.0 32.0 H80.0 V80.0 H140.0 V0.0 H280.0 V40.0 H720.0"
        );
    }

    #[test]
    fn an_interval_keeps_its_lowest_and_its_last_value() {
        let mut b = Bucket::of(100, Some(100.0));
        b.add_lowest(130, Some(40.0));
        b.add_lowest(160, None);
        b.add_lowest(190, Some(90.0));
        assert_eq!(
            b,
            Bucket {
                first_at: 100,
                last_at: 190,
                extreme: Some(40.0),
                last: Some(90.0),
            }
        );
        let mut unmeasured = Bucket::of(5, None);
        unmeasured.add_lowest(6, Some(7.0));
        assert_eq!(unmeasured.extreme, Some(7.0));
    }

    #[test]
    fn intervals_are_fixed_steps_that_fit_the_window() {
        // 90 days in 360 intervals: 6 hours each.
        assert_eq!(interval_for(90 * 86_400, 360), 21_600);
        // A bit more than that needs the next step.
        assert_eq!(interval_for(90 * 86_400 + 1, 360), 43_200);
        assert_eq!(interval_for(0, 360), 60);
        assert_eq!(interval_for(100 * 365 * 86_400, 360), 2_592_000);
    }

    #[test]
    fn a_series_in_words_gives_now_lowest_and_highest() {
        let chart = Chart {
            unit: "%".into(),
            series: vec![
                Series {
                    label: "Exporters answering".into(),
                    points: vec![(0, 100.0), (10, 50.0), (20, 66.666)],
                    ..Series::default()
                },
                Series {
                    label: "Brokers".into(),
                    points: vec![(0, 3.0), (10, 3.0)],
                    ..Series::default()
                },
                Series::default(),
            ],
            ..Chart::default()
        };
        assert_eq!(
            chart.in_words(&chart.series[0]).unwrap(),
            "Exporters answering: 66.7% now, lowest 50%, highest 100%"
        );
        assert_eq!(
            chart.in_words(&chart.series[1]).unwrap(),
            "Brokers: 3% throughout"
        );
        assert_eq!(chart.in_words(&chart.series[2]), None);
    }

    #[test]
    fn step_paths_hold_each_value_until_the_next_point() {
        let chart = Chart {
            start: 0,
            end: 100,
            y_max: 4.0,
            series: vec![Series {
                points: vec![(0, 4.0), (50, 2.0)],
                ..Series::default()
            }],
            ..Chart::default()
        };
        assert_eq!(
            chart.step_path(&chart.series[0]),
            "M0.0 0.0 H360.0 V80.0 H720.0"
        );
    }
}
