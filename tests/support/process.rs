//! The real binary, started as a process: a clean environment (no AWS settings from the
//! machine, no instance-metadata look-ups), so nothing leaves loopback.

use std::process::Command;

pub const BIN: &str = env!("CARGO_BIN_EXE_msk-console");

/// `msk-console` with a clean environment and `home` as its home directory.
pub fn console(home: &std::path::Path) -> Command {
    let mut c = Command::new(BIN);
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", home.join("no-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("no-credentials"));
    c
}
