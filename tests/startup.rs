//! The real binary: bad configuration exits with a one-line reason, a console without AWS
//! credentials still starts and says what to do, and SIGTERM stops it cleanly.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_msk-console");

/// A command with a clean environment: no AWS settings from the machine, and the SDK's
/// instance-metadata lookup off so nothing leaves loopback.
fn console(home: &std::path::Path) -> Command {
    let mut c = Command::new(BIN);
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", home.join("no-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("no-credentials"));
    c
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn an_unparseable_address_exits_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let out = console(dir.path())
        .args(["--listen", "not-an-address"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.lines()
            .next()
            .unwrap()
            .contains("invalid value 'not-an-address' for '--listen"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn an_unwritable_database_path_exits_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "not a directory").unwrap();
    let url = format!("sqlite://{}/sub/db.sqlite", blocker.display());
    let out = console(dir.path())
        .args([
            "--no-aws",
            "--listen",
            &format!("127.0.0.1:{}", free_port()),
            "--database-url",
            &url,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("msk-console:"))
        .collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].contains("cannot create the directory"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn without_credentials_it_starts_explains_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = console(dir.path())
        .args([
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            &format!("sqlite://{}/db.sqlite", dir.path().display()),
            "--aws-regions",
            "eu-west-1",
            "--log",
            "warn",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    let body = loop {
        assert!(
            Instant::now() < deadline,
            "no credentials error reported in time"
        );
        if let Ok(body) = http_get(&format!("{base}/api/clusters")) {
            let v: serde_json::Value = serde_json::from_str(&body).unwrap();
            if v["sources"][0]["error"]["kind"] == "no-credentials" {
                break v;
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(body["sources"][0]["error"]["hint"]
        .as_str()
        .unwrap()
        .contains("aws sso login"));
    let page = http_get(&format!("{base}/")).unwrap();
    assert!(
        page.contains("No AWS credentials were found"),
        "banner on the page"
    );

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(code) = child.try_wait().unwrap() {
            assert!(code.success(), "graceful exit, got {code:?}");
            break;
        }
        assert!(Instant::now() < deadline, "did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn http_get(url: &str) -> Result<String, String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let r = reqwest::get(url).await.map_err(|e| e.to_string())?;
        r.text().await.map_err(|e| e.to_string())
    })
}
