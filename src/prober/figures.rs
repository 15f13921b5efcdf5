//! The health figures of one answer, from the raw values [`super::scan`] picked out:
//! counts as whole numbers and shares in per mille, as the model keeps them.

use app::model::Figures;

use super::scan::HealthScan;

/// The longest mount point kept (an exporter's answer is not trusted to be short).
const MAX_MOUNT: usize = 256;

/// A non-negative count.
fn count(v: Option<f64>) -> Option<u32> {
    v.filter(|v| v.is_finite() && *v >= 0.0)
        .map(|v| v.round().min(f64::from(u32::MAX)) as u32)
}

/// `part / whole` in per mille, when it means something.
fn share(part: f64, whole: f64) -> Option<u16> {
    (whole > 0.0 && part.is_finite() && whole.is_finite())
        .then(|| ((part / whole) * 1000.0).round().clamp(0.0, 1000.0) as u16)
}

pub fn of(h: &HealthScan) -> Figures {
    let [urp, min_isr, offline_replicas, partitions, leaders] = h.replica_manager.map(count);
    let [offline_partitions, active_controllers] = h.controller.map(count);
    let memory_used = match (h.mem_total, h.mem_available) {
        (Some(t), Some(a)) => share(t - a, t),
        _ => None,
    };
    // The data volume: on MSK the one mounted under /kafka; elsewhere the fullest
    // real filesystem.
    let used = |(_, size, avail): &(String, Option<f64>, Option<f64>)| match (size, avail) {
        (Some(s), Some(a)) => share(s - a, *s),
        _ => None,
    };
    let volume = h
        .filesystems
        .iter()
        .filter(|f| used(f).is_some())
        .find(|f| f.0.starts_with("/kafka"))
        .or_else(|| {
            h.filesystems
                .iter()
                .filter(|f| used(f).is_some())
                .max_by_key(|f| used(f))
        });
    Figures {
        under_replicated: urp,
        under_min_isr: min_isr,
        offline_replicas,
        partitions,
        leaders,
        offline_partitions,
        active_controllers,
        cpu_busy: None,
        memory_used,
        volume_used: volume.and_then(used),
        volume: volume.map(|f| f.0.chars().take(MAX_MOUNT).collect()),
    }
}

/// CPU busy between two readings of the counters (all modes, idle and iowait); from
/// boot when there is no earlier reading or the counters went back (a reboot).
pub fn cpu_busy(now: (f64, f64), before: Option<(f64, f64)>) -> Option<u16> {
    let (total, idle) = match before {
        Some((t0, i0)) if now.0 > t0 && now.1 >= i0 => (now.0 - t0, now.1 - i0),
        _ => now,
    };
    share(total - idle, total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_and_counts_are_bounded_and_the_kafka_volume_is_preferred() {
        let h = HealthScan {
            replica_manager: [Some(3.0), Some(-1.0), None, Some(5e12), Some(7.4)],
            mem_total: Some(1000.0),
            mem_available: Some(85.0),
            filesystems: vec![
                ("/".into(), Some(100.0), Some(1.0)),
                ("/kafka/datalogs".into(), Some(100.0), Some(40.0)),
            ],
            ..HealthScan::default()
        };
        let f = of(&h);
        assert_eq!(f.under_replicated, Some(3));
        assert_eq!(f.under_min_isr, None);
        assert_eq!(f.partitions, Some(u32::MAX));
        assert_eq!(f.leaders, Some(7));
        assert_eq!(f.memory_used, Some(915));
        assert_eq!(
            (f.volume_used, f.volume.as_deref()),
            (Some(600), Some("/kafka/datalogs"))
        );
        let h = HealthScan {
            filesystems: vec![
                ("/".into(), Some(100.0), Some(30.0)),
                ("/data".into(), Some(10.0), Some(1.0)),
            ],
            ..HealthScan::default()
        };
        assert_eq!(of(&h).volume.as_deref(), Some("/data"));
    }

    #[test]
    fn a_hostile_mount_point_is_cut_and_kept_as_text() {
        let hostile = format!(
            "/kafka</td><script>x</script>\r\n\u{2028}{}",
            "a".repeat(400)
        );
        let h = HealthScan {
            filesystems: vec![(hostile.clone(), Some(100.0), Some(10.0))],
            ..HealthScan::default()
        };
        let f = of(&h);
        let volume = f.volume.unwrap();
        assert_eq!(volume.chars().count(), MAX_MOUNT);
        assert!(hostile.starts_with(&volume));
    }

    #[test]
    fn cpu_busy_is_measured_between_probes() {
        assert_eq!(cpu_busy((100.0, 75.0), None), Some(250));
        assert_eq!(cpu_busy((200.0, 85.0), Some((100.0, 75.0))), Some(900));
        // Counters that went back (a reboot) start over from boot.
        assert_eq!(cpu_busy((10.0, 5.0), Some((100.0, 75.0))), Some(500));
    }
}
