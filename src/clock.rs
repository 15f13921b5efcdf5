//! The one clock: the current time, and the two ways the console writes a time.
//!
//! The history stores Unix seconds; pages, files and the JSON API show RFC 3339 in UTC.

/// The current time in Unix seconds (how the history stores times).
pub fn now_unix() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// The current time as RFC 3339 in UTC, to the second (`2026-11-25T14:31:00Z`).
pub fn now_rfc3339() -> String {
    rfc3339(now_unix())
}

/// Unix seconds as RFC 3339 in UTC (`2026-11-25T14:31:00Z`).
pub fn rfc3339(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|d| {
            d.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| t.to_string())
}

/// Unix seconds as a short label for chart axes (`2026-11-25 14:31 UTC`).
pub fn short_time(t: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(t) {
        Ok(d) => format!(
            "{:04}-{:02}-{:02} {:02}:{:02} UTC",
            d.year(),
            u8::from(d.month()),
            d.day(),
            d.hour(),
            d.minute()
        ),
        Err(_) => t.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_the_same_everywhere() {
        assert_eq!(rfc3339(1_764_081_060), "2025-11-25T14:31:00Z");
        assert_eq!(short_time(1_764_081_060), "2025-11-25 14:31 UTC");
        // Out of range: the number, not a panic.
        assert_eq!(rfc3339(i64::MAX), i64::MAX.to_string());
    }
}
