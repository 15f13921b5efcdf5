//! Reading an exporter's answer as it streams in, line by line, keeping only what the
//! console shows: how many samples, how many `kafka_server_*` samples, the node
//! exporter's clock and boot time (for uptime), and the health figures
//! ([`HealthScan`]): the broker's replica and controller counters, CPU, memory and
//! filesystems.
//!
//! Nothing but the current partial line is buffered, so a probe's memory does not grow
//! with the size of the answer (a Kafka broker's JMX exporter can answer megabytes), and
//! the work per chunk is a plain scan, cheap enough for the async workers. A line that
//! is not in the Prometheus text format makes the whole answer "not Prometheus text",
//! as Prometheus itself would refuse the scrape.

/// What the answer told so far.
#[derive(Debug, Default)]
pub struct Scan {
    pub samples: u32,
    pub kafka_server: u32,
    pub node_time: Option<f64>,
    pub node_boot_time: Option<f64>,
    pub health: HealthScan,
    /// The start of a line whose end has not arrived yet.
    partial: Vec<u8>,
    line: u32,
    error: Option<String>,
}

/// The longest line accepted (a sample with many labels is a few hundred bytes).
const MAX_LINE: usize = 64 * 1024;

impl Scan {
    /// Feeds the next bytes of the answer.
    pub fn feed(&mut self, mut chunk: &[u8]) {
        if self.error.is_some() {
            return;
        }
        while let Some(nl) = chunk.iter().position(|&b| b == b'\n') {
            let (head, rest) = chunk.split_at(nl);
            if self.partial.is_empty() {
                self.line(head);
            } else {
                let mut whole = std::mem::take(&mut self.partial);
                whole.extend_from_slice(head);
                self.line(&whole);
            }
            chunk = &rest[1..];
            if self.error.is_some() {
                return;
            }
        }
        self.partial.extend_from_slice(chunk);
        if self.partial.len() > MAX_LINE {
            self.error = Some(format!(
                "not Prometheus text: line {} is longer than 64 KiB",
                self.line + 1
            ));
        }
    }

    /// Ends the answer. `cut` says the answer was cut at the size limit, so its last
    /// line may be incomplete and is dropped.
    pub fn finish(mut self, cut: bool) -> Result<Scan, String> {
        if !cut && !self.partial.is_empty() && self.error.is_none() {
            let last = std::mem::take(&mut self.partial);
            self.line(&last);
        }
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        if self.samples == 0 {
            return Err("not Prometheus text: no metric samples in the answer".into());
        }
        Ok(self)
    }

    fn line(&mut self, raw: &[u8]) {
        self.line += 1;
        let Ok(text) = std::str::from_utf8(raw) else {
            self.error = Some(format!(
                "not Prometheus text: line {} is not UTF-8",
                self.line
            ));
            return;
        };
        let text = text.trim();
        if text.is_empty() || text.starts_with('#') {
            return;
        }
        match sample(text) {
            Some((name, labels, value)) => {
                self.samples = self.samples.saturating_add(1);
                if name.starts_with("kafka_server_") {
                    self.kafka_server = self.kafka_server.saturating_add(1);
                }
                match name {
                    "node_time_seconds" => self.node_time = Some(value),
                    "node_boot_time_seconds" => self.node_boot_time = Some(value),
                    _ => self.health.sample(name, labels, value),
                }
            }
            None => {
                let shown: String = text.chars().take(60).collect();
                self.error = Some(format!(
                    "not Prometheus text: line {} (`{}`) is not a sample",
                    self.line,
                    shown.escape_debug()
                ));
            }
        }
    }
}

/// A sample line's metric name, label set (with its braces, or empty) and value:
/// `name{labels} value [timestamp]`.
fn sample(line: &str) -> Option<(&str, &str, f64)> {
    let name_end = line
        .find(|c: char| c == '{' || c.is_ascii_whitespace())
        .unwrap_or(line.len());
    let name = &line[..name_end];
    let mut chars = name.chars();
    let first = chars.next()?;
    if !(first.is_ascii_alphabetic() || first == '_' || first == ':')
        || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
    {
        return None;
    }
    let mut rest = &line[name_end..];
    let mut labels = "";
    if rest.starts_with('{') {
        let end = labels_end(rest)?;
        (labels, rest) = rest.split_at(end);
    }
    let mut fields = rest.split_ascii_whitespace();
    let value = match fields.next()? {
        "+Inf" | "Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        "NaN" => f64::NAN,
        v => v.parse().ok()?,
    };
    if let Some(ts) = fields.next() {
        ts.parse::<i64>().ok()?;
    }
    fields.next().is_none().then_some((name, labels, value))
}

/// The byte just after the `}` that closes a label set starting at 0, minding quoted
/// values and their escapes.
fn labels_end(s: &str) -> Option<usize> {
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in s.char_indices().skip(1) {
        match (quoted, escaped, c) {
            (true, true, _) => escaped = false,
            (true, false, '\\') => escaped = true,
            (true, false, '"') => quoted = false,
            (false, _, '"') => quoted = true,
            (false, _, '}') => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// The value of label `key` in a label set `{a="x",b="y"}`, unescaped.
fn label(labels: &str, key: &str) -> Option<String> {
    let inner = labels.strip_prefix('{')?.strip_suffix('}')?;
    let mut rest = inner;
    loop {
        rest = rest.trim_start_matches([',', ' ', '\t']);
        let eq = rest.find('=')?;
        let name = rest[..eq].trim();
        let after = rest[eq + 1..].trim_start().strip_prefix('"')?;
        let mut value = String::new();
        let mut escaped = false;
        let mut end = None;
        for (i, c) in after.char_indices() {
            if escaped {
                value.push(if c == 'n' { '\n' } else { c });
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                end = Some(i + 1);
                break;
            } else {
                value.push(c);
            }
        }
        if name == key {
            return end.map(|_| value);
        }
        rest = &after[end?..];
    }
}

/// How many filesystems an answer may list before the rest are ignored.
const MAX_FILESYSTEMS: usize = 64;

/// File systems that hold no data (the node exporter lists them all).
const VIRTUAL_FS: [&str; 12] = [
    "tmpfs", "devtmpfs", "ramfs", "overlay", "squashfs", "proc", "sysfs", "nsfs", "autofs",
    "cgroup", "cgroup2", "rootfs",
];

/// The health figures of one answer, raw.
#[derive(Debug, Default)]
pub struct HealthScan {
    /// `kafka_server_ReplicaManager_Value` by MBean name: UnderReplicatedPartitions,
    /// UnderMinIsrPartitionCount, OfflineReplicaCount, PartitionCount, LeaderCount.
    pub replica_manager: [Option<f64>; 5],
    /// `kafka_controller_KafkaController_Value`: OfflinePartitionsCount,
    /// ActiveControllerCount.
    pub controller: [Option<f64>; 2],
    /// `node_cpu_seconds_total`, summed over CPUs: all modes, and idle plus iowait.
    pub cpu_total: Option<f64>,
    pub cpu_idle: f64,
    pub mem_total: Option<f64>,
    pub mem_available: Option<f64>,
    /// Real filesystems: mount point, size, available bytes.
    pub filesystems: Vec<(String, Option<f64>, Option<f64>)>,
}

pub const REPLICA_MANAGER: [&str; 5] = [
    "UnderReplicatedPartitions",
    "UnderMinIsrPartitionCount",
    "OfflineReplicaCount",
    "PartitionCount",
    "LeaderCount",
];
pub const CONTROLLER: [&str; 2] = ["OfflinePartitionsCount", "ActiveControllerCount"];

impl HealthScan {
    fn sample(&mut self, name: &str, labels: &str, value: f64) {
        if !value.is_finite() {
            return;
        }
        match name {
            "kafka_server_ReplicaManager_Value" => {
                let Some(mbean) = label(labels, "name") else {
                    return;
                };
                if let Some(i) = REPLICA_MANAGER.iter().position(|n| *n == mbean) {
                    self.replica_manager[i] = Some(value);
                }
            }
            "kafka_controller_KafkaController_Value" => {
                let Some(mbean) = label(labels, "name") else {
                    return;
                };
                if let Some(i) = CONTROLLER.iter().position(|n| *n == mbean) {
                    self.controller[i] = Some(value);
                }
            }
            "node_cpu_seconds_total" => {
                *self.cpu_total.get_or_insert(0.0) += value;
                if matches!(label(labels, "mode").as_deref(), Some("idle" | "iowait")) {
                    self.cpu_idle += value;
                }
            }
            "node_memory_MemTotal_bytes" => self.mem_total = Some(value),
            "node_memory_MemAvailable_bytes" => self.mem_available = Some(value),
            "node_filesystem_size_bytes" | "node_filesystem_avail_bytes" => {
                let fstype = label(labels, "fstype").unwrap_or_default();
                if VIRTUAL_FS.contains(&fstype.as_str()) {
                    return;
                }
                let Some(mount) = label(labels, "mountpoint") else {
                    return;
                };
                let i = match self.filesystems.iter().position(|f| f.0 == mount) {
                    Some(i) => i,
                    None if self.filesystems.len() < MAX_FILESYSTEMS => {
                        self.filesystems.push((mount, None, None));
                        self.filesystems.len() - 1
                    }
                    None => return,
                };
                if name == "node_filesystem_size_bytes" {
                    self.filesystems[i].1 = Some(value);
                } else {
                    self.filesystems[i].2 = Some(value);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(chunks: &[&[u8]], cut: bool) -> Result<Scan, String> {
        let mut s = Scan::default();
        for c in chunks {
            s.feed(c);
        }
        s.finish(cut)
    }

    #[test]
    fn samples_are_counted_across_chunk_boundaries() {
        let text = b"# HELP x y\n# TYPE kafka_server_a counter\nkafka_server_a{name=\"M}\\\"x\",b=\"2\"} 42\nnode_time_seconds 1.7e9 1700000000000\nnode_boot_time_seconds 1.6e9\ngo_gc{quantile=\"0.5\"} NaN\nup +Inf";
        for split in 0..text.len() {
            let (a, b) = text.split_at(split);
            let s = scan(&[a, b], false).unwrap();
            assert_eq!((s.samples, s.kafka_server), (5, 1), "split at {split}");
            assert_eq!(s.node_time, Some(1.7e9));
            assert_eq!(s.node_boot_time, Some(1.6e9));
        }
    }

    #[test]
    fn what_is_not_the_text_format_is_said_so() {
        for bad in [
            &b"<html><body>It works!</body></html>"[..],
            b"",
            b"x{a=\"1\" 1\n",
            b"1x 2\n",
            b"x 1 2 3\n",
            b"x one\n",
        ] {
            let e = scan(&[bad], false).unwrap_err();
            assert!(e.starts_with("not Prometheus text"), "{e}");
        }
        // A cut answer drops its unfinished last line instead of failing on it.
        let s = scan(&[b"a 1\nb 2\nc{x=\"unfini"], true).unwrap();
        assert_eq!(s.samples, 2);
    }

    #[test]
    fn health_figures_are_picked_out_by_mbean_name_and_mode() {
        let text = br#"kafka_server_ReplicaManager_Value{name="UnderReplicatedPartitions",} 3.0
kafka_server_ReplicaManager_Value{name="PartitionCount",} 50.0
kafka_server_ReplicaManager_Value{name="Other",} 9.0
kafka_controller_KafkaController_Value{name="ActiveControllerCount",} 1.0
kafka_controller_KafkaController_Value{name="OfflinePartitionsCount",} NaN
node_cpu_seconds_total{cpu="0",mode="idle"} 90
node_cpu_seconds_total{cpu="0",mode="user"} 8
node_cpu_seconds_total{cpu="0",mode="iowait"} 2
node_memory_MemTotal_bytes 1000
node_memory_MemAvailable_bytes 250
node_filesystem_size_bytes{device="/dev/nvme1n1",fstype="xfs",mountpoint="/kafka/datalogs"} 100
node_filesystem_avail_bytes{device="/dev/nvme1n1",fstype="xfs",mountpoint="/kafka/datalogs"} 9
node_filesystem_size_bytes{device="tmpfs",fstype="tmpfs",mountpoint="/run"} 100
node_filesystem_avail_bytes{mountpoint="/a \"quoted\" \\ path",fstype="ext4"} 1
"#;
        let h = scan(&[text], false).unwrap().health;
        assert_eq!(h.replica_manager, [Some(3.0), None, None, Some(50.0), None]);
        assert_eq!(h.controller, [None, Some(1.0)]);
        assert_eq!((h.cpu_total, h.cpu_idle), (Some(100.0), 92.0));
        assert_eq!((h.mem_total, h.mem_available), (Some(1000.0), Some(250.0)));
        assert_eq!(
            h.filesystems,
            [
                ("/kafka/datalogs".to_string(), Some(100.0), Some(9.0)),
                ("/a \"quoted\" \\ path".to_string(), None, Some(1.0)),
            ]
        );
    }
}
