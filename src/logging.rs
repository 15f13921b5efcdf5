//! The log: one line per event, which no value from outside can break or forge.
//!
//! Cluster names, tags, AWS error messages, header values and user names reach the log,
//! and any of them may hold a line break (CR, LF, U+0085, U+2028, U+2029), another
//! control character or an ANSI escape. Written as they are, a cluster named
//! `x\n2026-01-01T00:00:00Z  INFO audit: actor=root action=refresh` would add a line of
//! its own. So every field value and every message is escaped ([`escape`]) before it is
//! written:
//!
//! - `--log-format text` (the default): tracing's usual `time LEVEL target: message
//!   field=value` lines, with control characters written as `\n`, `\r`, `\t` or
//!   `\u{…}`; colour only when standard error is a terminal (never in a file or
//!   journald), and never with `NO_COLOR` set;
//! - `--log-format json`: one JSON object per line (`timestamp`, `level`, `target`,
//!   `fields`), for log shippers; JSON's own escaping keeps each event on one line.

use std::fmt::Write as _;
use std::io::IsTerminal;

use tracing_subscriber::field::MakeExt;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::EnvFilter;

/// `--log-format`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// Lines for people: `time LEVEL target: message field=value`.
    #[default]
    Text,
    /// One JSON object per line, for log shippers.
    Json,
}

/// `s` with every control character, line or paragraph separator written as an escape,
/// so it stays on its line and cannot carry a terminal escape sequence.
pub fn escape(s: &str) -> String {
    if !s.chars().any(needs_escape) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Sets up the global logger: the filter (`--log`), the format, colour only on a
/// terminal. Returns the filter's error, to be reported in one line.
pub fn init(filter: &str, format: LogFormat) -> Result<(), String> {
    let filter = EnvFilter::try_new(filter)
        .map_err(|e| format!("--log `{filter}` is not a valid filter: {e}"))?;
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder
            .with_ansi(colour)
            .fmt_fields(escaped_fields())
            .try_init(),
        LogFormat::Json => builder
            .json()
            .with_ansi(false)
            .flatten_event(false)
            .try_init(),
    }
    .map_err(|e| format!("the logger could not start: {e}"))
}

/// Text fields as tracing writes them (`message field=value field2="str"`), escaped.
fn escaped_fields() -> impl for<'w> tracing_subscriber::fmt::FormatFields<'w> + Send + Sync + 'static
{
    tracing_subscriber::fmt::format::debug_fn(|w: &mut Writer<'_>, field, value| {
        let text = format!("{value:?}");
        if field.name() == "message" {
            w.write_str(&escape(&text))
        } else {
            write!(w, "{}={}", field.name(), escape(&text))
        }
    })
    .delimited(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_and_escapes_stay_on_the_line() {
        assert_eq!(escape("orders"), "orders");
        assert_eq!(
            escape("x\n2026-01-01T00:00:00Z  INFO audit: actor=root"),
            "x\\n2026-01-01T00:00:00Z  INFO audit: actor=root"
        );
        assert_eq!(escape("a\r\nb"), "a\\r\\nb");
        assert_eq!(
            escape("a\u{85}b\u{2028}c\u{2029}d"),
            "a\\u{85}b\\u{2028}c\\u{2029}d"
        );
        assert_eq!(escape("\u{1b}[31mred"), "\\u{1b}[31mred");
        assert_eq!(escape("del\u{7f}"), "del\\u{7f}");
        assert_eq!(escape("rtl\u{202e}txt"), "rtl\\u{202e}txt");
        assert_eq!(escape("<b>Grüße</b>"), "<b>Grüße</b>");
    }
}
