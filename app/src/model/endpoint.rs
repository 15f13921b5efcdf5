//! Host names and `host:port` lists, checked where they enter the console (AWS answers
//! and inventory files).
//!
//! A broker endpoint must be a host name or an IP address and nothing else: no scheme,
//! path, query, user or port, no spaces, no line breaks. A bootstrap string must be a
//! comma-separated list of `host:port` (IPv6 in brackets). What passes can go into a
//! generated file's line and into a probe URL as it is.

/// Whether `s` is a DNS name (letters, digits, `-`, `_` and dots, at most 253
/// characters) or an IP address (IPv6 with or without brackets).
pub fn is_host(s: &str) -> bool {
    let bare = s
        .strip_prefix('[')
        .and_then(|r| r.strip_suffix(']'))
        .unwrap_or(s);
    if bare.parse::<std::net::IpAddr>().is_ok() {
        return true;
    }
    let name = s.strip_suffix('.').unwrap_or(s);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// Checks one endpoint, saying what is wrong.
pub fn check_host(s: &str) -> Result<(), String> {
    if is_host(s) {
        Ok(())
    } else {
        Err(format!(
            "`{}` is not a host name or an IP address",
            shown(s)
        ))
    }
}

/// Checks a bootstrap (or ZooKeeper) string: `host:port` entries separated by commas.
pub fn check_servers(s: &str) -> Result<(), String> {
    let bad = |why: &str| Err(format!("`{}` is not a list of host:port: {why}", shown(s)));
    if s.trim().is_empty() {
        return bad("it is empty");
    }
    for entry in s.split(',') {
        let entry = entry.trim();
        let Some((host, port)) = entry.rsplit_once(':') else {
            return bad("an entry has no port");
        };
        if !is_host(host) || (host.contains(':') && !host.starts_with('[')) {
            return bad("an entry's host is not a host name or an IP address");
        }
        if !port.bytes().all(|b| b.is_ascii_digit()) || !matches!(port.parse::<u16>(), Ok(1..)) {
            return bad("an entry's port is not a number from 1 to 65535");
        }
    }
    Ok(())
}

/// At most 80 characters of a rejected value, with control characters made visible.
fn shown(s: &str) -> String {
    s.chars()
        .take(80)
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
                '�'
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        for ok in [
            "b-1.orders.abc123.c2.kafka.eu-west-1.amazonaws.com",
            "kafka_1.dc",
            "10.0.0.1",
            "::1",
            "[::ffff:127.0.0.1]",
            "localhost.",
        ] {
            assert!(is_host(ok), "{ok}");
        }
        for bad in [
            "",
            "b-1.example/admin",
            "[::ffff:127.0.0.1]:8099/admin?x=#",
            "host:11001",
            "user@host",
            "a b",
            "x\ny",
            "x\u{2028}y",
            "-x.example",
            "x..example",
            "<script>",
        ] {
            assert!(!is_host(bad), "{bad:?}");
        }
    }

    #[test]
    fn server_lists() {
        assert!(check_servers("b-1.x:9094,b-2.x:9094").is_ok());
        assert!(check_servers("[::1]:9092, 10.0.0.1:9092").is_ok());
        for bad in [
            "b-1.x",
            "b-1.x:0",
            "b-1.x:99999",
            "b-1.x:9094\nssl.endpoint.identification.algorithm=",
            "::1:9092",
            "b-1.x:9094/path",
            "",
        ] {
            let e = check_servers(bad).unwrap_err();
            assert!(!e.contains('\n'), "{e}");
        }
    }
}
