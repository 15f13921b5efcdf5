//! The systemd unit in docs/deploy: `systemd-analyze verify` finds nothing to say about
//! it, and the settings it gives the console are ones the binary starts with.

use crate::support;
use std::process::{Command, Stdio};

const UNIT: &str = include_str!("../docs/deploy/msk-console.service");
const BIN: &str = env!("CARGO_BIN_EXE_msk-console");

#[test]
fn the_systemd_unit_verifies_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    // The unit names the installed binary; verify checks that it is executable.
    let unit = dir.path().join("msk-console.service");
    std::fs::write(&unit, UNIT.replace("/usr/local/bin/msk-console", BIN)).unwrap();
    let out = Command::new("systemd-analyze")
        .args(["verify", unit.to_str().unwrap()])
        .output()
        .expect("systemd-analyze (scripts/setup.sh --test installs systemd)");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{said}");
    assert!(
        said.trim().is_empty(),
        "systemd-analyze had remarks:\n{said}"
    );
}

#[test]
fn the_units_settings_start_the_console() {
    let state = tempfile::tempdir().unwrap();
    let state_dir = state.path().to_str().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .current_dir(state.path());
    for line in UNIT.lines() {
        if let Some((k, v)) = line
            .strip_prefix("Environment=")
            .and_then(|e| e.split_once('='))
        {
            cmd.env(k, v.replace("/var/lib/msk-console", state_dir));
        }
    }
    cmd.env("MSK_CONSOLE_LISTEN", format!("127.0.0.1:{port}"))
        .env("MSK_CONSOLE_NO_AWS", "true")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = cmd.spawn().unwrap();
    let healthy = support::eventually_blocking(
        "the console started by the unit's command line to answer /healthz",
        support::PATIENCE,
        || {
            use std::io::{Read, Write};
            let mut s =
                std::net::TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
            let _ = s.write_all(
                b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
            );
            let mut body = String::new();
            let _ = s.read_to_string(&mut body);
            Ok::<_, String>(body)
        },
    );
    let _ = child.kill();
    let _ = child.wait();
    assert!(healthy.starts_with("HTTP/1.1 200"), "{healthy}");
    assert!(
        state.path().join("msk-console.db").exists(),
        "the database is in the state directory"
    );
}
