//! Reading an exporter's answer as it streams in, line by line, keeping only what the
//! console shows: how many samples, how many `kafka_server_*` samples, and the node
//! exporter's clock and boot time (for uptime).
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
            Some((name, value)) => {
                self.samples = self.samples.saturating_add(1);
                if name.starts_with("kafka_server_") {
                    self.kafka_server = self.kafka_server.saturating_add(1);
                }
                match name {
                    "node_time_seconds" => self.node_time = Some(value),
                    "node_boot_time_seconds" => self.node_boot_time = Some(value),
                    _ => {}
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

/// A sample line's metric name and value: `name{labels} value [timestamp]`.
fn sample(line: &str) -> Option<(&str, f64)> {
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
    if rest.starts_with('{') {
        rest = &rest[labels_end(rest)?..];
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
    fields.next().is_none().then_some((name, value))
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
}
