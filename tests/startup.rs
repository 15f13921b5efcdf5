//! The real binary: bad configuration exits with a one-line reason, a console without AWS
//! credentials still starts and says what to do, and SIGTERM stops it cleanly.

use std::process::{Command, Stdio};

use crate::support::free_port;
use crate::support::process::console;
use crate::support::{eventually_blocking, when, PATIENCE};

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
fn a_database_url_it_cannot_use_stops_it_at_start_and_creates_nothing() {
    for (url, says) in [
        (
            "postgres://console:s3cret@127.0.0.1:1/msk",
            "cannot connect: error communicating with database: Connection refused",
        ),
        (
            "mysql://console:s3cret@127.0.0.1/msk",
            "not a database URL this console can use",
        ),
        ("data/msk.db", "not a database URL this console can use"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let out = console(dir.path())
            .current_dir(dir.path())
            .args([
                "--no-aws",
                "--listen",
                &format!("127.0.0.1:{}", free_port()),
                "--database-url",
                url,
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{url}");
        let err = String::from_utf8_lossy(&out.stderr);
        let lines: Vec<&str> = err
            .lines()
            .filter(|l| l.starts_with("msk-console:"))
            .collect();
        assert_eq!(lines.len(), 1, "{err}");
        assert!(lines[0].contains(says), "{err}");
        assert!(
            !err.contains("s3cret"),
            "the password reached the message: {err}"
        );
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(left.is_empty(), "{url} created {left:?}");
    }
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
    let body = eventually_blocking(
        "the missing credentials reported on the source",
        PATIENCE,
        || {
            let body = http_get(&format!("{base}/api/clusters"))?;
            let v: serde_json::Value = serde_json::from_str(&body).map_err(|e| e.to_string())?;
            when(v["sources"][0]["error"]["kind"] == "no-credentials", v).map_err(|v| v.to_string())
        },
    );
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
    let code = eventually_blocking("the console to stop on SIGTERM", PATIENCE, || {
        child.try_wait().unwrap().ok_or("still running")
    });
    assert!(code.success(), "graceful exit, got {code:?}");
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

/// `--help` lists every option with its environment variable.
#[test]
fn help_lists_every_flag_with_its_environment_variable() {
    let dir = tempfile::tempdir().unwrap();
    let out = console(dir.path()).arg("--help").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    let config = include_str!("../src/config.rs");
    let envs: Vec<&str> = config
        .split("env = \"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .collect();
    assert!(envs.len() >= 25, "{envs:?}");
    for env in envs {
        assert!(
            help.contains(&format!("[env: {env}")),
            "{env} missing from --help"
        );
        let flag = format!(
            "--{}",
            env.trim_start_matches("MSK_CONSOLE_")
                .to_lowercase()
                .replace('_', "-")
        );
        // The one flag whose variable is named in the plural.
        let flag = flag.replace("--inventory-files", "--inventory-file");
        assert!(help.contains(&flag), "{flag} missing from --help");
    }
}

/// Every kind of option (an address, a path, a list, a duration, a number, a switch)
/// can come from the environment alone, and a bad value there is refused like a bad flag.
#[test]
fn options_come_from_the_environment_too() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let inventory = dir.path().join("lab.toml");
    std::fs::write(
        &inventory,
        "source = \"env-lab\"\n\n[[cluster]]\nname = \"from-env\"\nregion = \"lab-1\"\n\
         bootstrap = { plaintext = \"127.0.0.1:9092\" }\n",
    )
    .unwrap();
    let mut child = console(dir.path())
        .env("MSK_CONSOLE_LISTEN", format!("127.0.0.1:{port}"))
        .env(
            "MSK_CONSOLE_DATABASE_URL",
            format!("sqlite://{}/env.db", dir.path().display()),
        )
        .env("MSK_CONSOLE_INVENTORY_FILES", &inventory)
        .env("MSK_CONSOLE_NO_AWS", "true")
        .env("MSK_CONSOLE_NO_PROBE", "true")
        .env("MSK_CONSOLE_REFRESH_INTERVAL", "90s")
        .env("MSK_CONSOLE_AWS_CONCURRENCY", "2")
        .env("MSK_CONSOLE_TARGET_TAG_LABELS", "team,env")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let list = eventually_blocking(
        "the console configured by its environment to list its cluster",
        PATIENCE,
        || {
            let body = http_get(&format!("http://127.0.0.1:{port}/api/clusters"))?;
            when(body.contains("from-env"), body)
        },
    );
    assert!(list.contains("\"source\":\"env-lab\""), "{list}");
    let _ = child.kill();
    let _ = child.wait();

    for (var, value, flag) in [
        ("MSK_CONSOLE_LISTEN", "nowhere", "--listen"),
        ("MSK_CONSOLE_REFRESH_INTERVAL", "soon", "--refresh-interval"),
        ("MSK_CONSOLE_AWS_CONCURRENCY", "many", "--aws-concurrency"),
        ("MSK_CONSOLE_NO_PROBE", "perhaps", "--no-probe"),
    ] {
        // Refused at once; a console that starts instead is stopped and fails the test.
        let mut child = console(dir.path())
            .env(var, value)
            .env(
                "MSK_CONSOLE_LISTEN",
                if var == "MSK_CONSOLE_LISTEN" {
                    value.to_string()
                } else {
                    format!("127.0.0.1:{}", free_port())
                },
            )
            .env("MSK_CONSOLE_NO_AWS", "true")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // A console that started instead is killed when the wait fails (below).
        let waited = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            eventually_blocking(
                &format!("{var}={value} to be refused at start"),
                PATIENCE,
                || child.try_wait().unwrap().ok_or("the console runs"),
            )
        }));
        let status = match waited {
            Ok(status) => status,
            Err(panic) => {
                let _ = child.kill();
                let _ = child.wait();
                std::panic::resume_unwind(panic);
            }
        };
        let out = child.wait_with_output().unwrap();
        assert_eq!(status.code(), Some(2), "{var}={value}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&format!("invalid value '{value}' for '{flag}")),
            "{var}={value}: {err}"
        );
    }
}

/// Download URLs carry passwords in their query strings: at the most verbose log level,
/// no query string reaches the log. And the token subcommand works on the same binary.
#[test]
fn query_strings_never_reach_the_log_and_tokens_are_made_by_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let db = format!("sqlite://{}/db.sqlite", dir.path().display());
    let log = dir.path().join("console.log");
    let mut child = console(dir.path())
        .args([
            "--sample",
            "--no-probe",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            &db,
            "--log",
            "trace,hyper=info,h2=info",
        ])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let list = eventually_blocking("the console to answer", PATIENCE, || {
        http_get(&format!("{base}/api/clusters"))
    });
    let v: serde_json::Value = serde_json::from_str(&list).unwrap();
    let id = v["clusters"][0]["id"].as_str().unwrap().to_string();
    let secret = "Sup3rSecretPassw0rd";
    for path in [
        format!("/clusters/{id}/client.properties?mode=tls&truststore=pkcs12&password={secret}"),
        format!("/clusters/{id}/truststore.p12?password={secret}"),
        format!("/clusters/{id}?q={secret}"),
    ] {
        let _ = http_get(&format!("{base}{path}"));
    }
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains("client.properties"),
        "the requests were logged: {}",
        text.len()
    );
    assert!(!text.contains(secret), "a query string reached the log");

    // `token create` prints the token and nothing else; `token list` never shows it.
    let out = console(dir.path())
        .args([
            "--database-url",
            &db,
            "token",
            "create",
            "ci",
            "--role",
            "operator",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap();
    assert!(
        token.trim().starts_with("mskc_") && token.lines().count() == 1,
        "{token}"
    );
    let out = console(dir.path())
        .args(["token", "list", "--database-url", &db])
        .output()
        .unwrap();
    let list = String::from_utf8(out.stdout).unwrap();
    assert!(
        list.contains("ci\toperator") && !list.contains(token.trim()),
        "{list}"
    );
    let out = console(dir.path())
        .args(["--database-url", &db, "token", "revoke", "nobody"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("msk-console: there is no live token named `nobody`"),
        "{err}"
    );
}

/// Kills a console started for a test when the test ends, however it ends.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the binary in `cwd` with `args` and waits until it answers `/healthz`.
fn started(cwd: &std::path::Path, args: &[&str]) -> (Running, String) {
    let port = free_port();
    let db = format!("sqlite://{}/db.sqlite", cwd.display());
    let child = console(cwd)
        .current_dir(cwd)
        .args([
            "--no-aws",
            "--log",
            "warn",
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .args(["--database-url", &db])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let running = Running(child);
    let base = format!("http://127.0.0.1:{port}");
    eventually_blocking("the console to answer /healthz", PATIENCE, || {
        http_get(&format!("{base}/healthz"))
    });
    (running, base)
}

#[test]
fn the_site_comes_with_the_binary_wherever_it_runs_and_site_root_overrides_it() {
    // Run from an empty directory: nothing of the checkout is at hand.
    let dir = tempfile::tempdir().unwrap();
    let (_console, base) = started(dir.path(), &[]);
    let js = http_get(&format!("{base}/pkg/msk-console.js")).unwrap();
    assert!(
        js.contains("wasm"),
        "no site in the binary: build it with scripts/build.sh first"
    );
    let page = http_get(&format!("{base}/")).unwrap();
    assert!(page.contains("/pkg/msk-console.js"));
    let missing = http_get(&format!("{base}/pkg/none.js")).unwrap();
    assert!(
        missing.contains("<html"),
        "the app's own 404 page: {missing}"
    );

    // The precompressed copies go to browsers that accept them, as they are.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let site = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/target/site/pkg/msk-console_bg.wasm"
    );
    for (accept, encoding, file) in [
        ("gzip, deflate, br", Some("br"), format!("{site}.br")),
        ("gzip, br;q=0", Some("gzip"), format!("{site}.gz")),
        ("identity", None, site.to_string()),
    ] {
        let (got, body) = rt.block_on(async {
            let r = reqwest::Client::new()
                .get(format!("{base}/pkg/msk-console_bg.wasm"))
                .header("accept-encoding", accept)
                .send()
                .await
                .unwrap();
            assert_eq!(r.headers()["content-type"], "application/wasm");
            let got = r
                .headers()
                .get("content-encoding")
                .map(|v| v.to_str().unwrap().to_string());
            (got, r.bytes().await.unwrap())
        });
        assert_eq!(got.as_deref(), encoding, "{accept}");
        assert!(
            body[..] == std::fs::read(&file).unwrap()[..],
            "{accept}: not {file}"
        );
    }

    // --site-root serves a directory instead.
    let other = tempfile::tempdir().unwrap();
    std::fs::create_dir(other.path().join("pkg")).unwrap();
    std::fs::write(
        other.path().join("pkg/msk-console.js"),
        "// from the directory\n",
    )
    .unwrap();
    let root = other.path().to_str().unwrap().to_string();
    let (_console, base) = started(dir.path(), &["--site-root", &root]);
    assert_eq!(
        http_get(&format!("{base}/pkg/msk-console.js")).unwrap(),
        "// from the directory\n"
    );
}

const ONE_SHOT_INVENTORY: &str = r#"
[[cluster]]
name = "orders"
region = "eu-west-1"
arn = "arn:aws:kafka:eu-west-1:123456789012:cluster/orders/aaaa-1"
kind = "provisioned"
auth = { tls = true, iam = true }
monitoring = { jmx_exporter = true, node_exporter = true }
bootstrap = { tls = "b-1.orders.example:9094", sasl-iam = "b-1.orders.example:9098" }
brokers = [ { id = 1, endpoints = ["b-1.orders.example"] } ]
"#;

#[test]
fn one_shot_commands_print_to_stdout_and_fail_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("lab.toml");
    std::fs::write(&inv, ONE_SHOT_INVENTORY).unwrap();
    let inv = inv.to_str().unwrap().to_string();
    let run = |args: &[&str]| {
        let out = console(dir.path())
            .current_dir(dir.path())
            .args(args)
            .args(["--no-aws", "--inventory-file", &inv, "--log", "error"])
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };

    let (code, out, err) = run(&["clusters", "--format", "json"]);
    assert_eq!(code, Some(0), "{err}");
    let listing: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(listing["clusters"][0]["name"], "orders");
    assert_eq!(
        listing["clusters"][0]["bootstrap"]["sasl-iam"],
        "b-1.orders.example:9098"
    );
    let (code, out, _) = run(&["clusters"]);
    assert_eq!(code, Some(0));
    assert!(
        out.starts_with("id\tname\t") && out.contains("\torders\t"),
        "{out}"
    );

    let (code, out, _) = run(&["targets"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("\"b-1.orders.example:11001\""), "{out}");
    let (code, out, err) = run(&[
        "client-properties",
        "orders",
        "--mode",
        "sasl-iam",
        "--option",
        "aws_profile=prod",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("bootstrap.servers=b-1.orders.example:9098\n"),
        "{out}"
    );
    assert!(out.contains("awsProfileName=\"prod\""), "{out}");
    let (code, out, _) = run(&["prometheus-yml"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("file_sd_configs:"), "{out}");

    // The rules print as promtool reads them.
    let (code, out, _) = run(&["prometheus-rules"]);
    assert_eq!(code, Some(0));
    let rules = dir.path().join("rules.yml");
    std::fs::write(&rules, &out).unwrap();
    let checked = Command::new("promtool")
        .args(["check", "rules", rules.to_str().unwrap()])
        .output()
        .expect("promtool (scripts/setup.sh --test installs it)");
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stdout)
    );

    // Failures: one line on stderr, nothing on stdout, exit 1.
    for (args, says) in [
        (
            &["client-properties", "nope", "--mode", "tls"][..],
            "no cluster has the id, ARN or name `nope`",
        ),
        (
            &["client-properties", "orders", "--mode", "plaintext"][..],
            "plaintext",
        ),
        (
            &[
                "client-properties",
                "orders",
                "--mode",
                "tls",
                "--option",
                "colour=red",
            ][..],
            "unknown option `colour`",
        ),
        // Hostile values: a line break that would inject a property, a path or markup
        // where a cluster belongs.
        (
            &[
                "client-properties",
                "orders",
                "--mode",
                "sasl-scram",
                "--option",
                "scram_username=a\nsecurity.protocol=PLAINTEXT",
            ][..],
            "cannot be written safely",
        ),
        (
            &[
                "client-properties",
                "orders",
                "--mode",
                "tls",
                "--option",
                "truststore_location=/x\u{2028}y",
            ][..],
            "cannot be written safely",
        ),
        (
            &["client-properties", "../../etc/passwd", "--mode", "tls"][..],
            "no cluster has",
        ),
        (
            &["client-properties", "<script>x</script>", "--mode", "tls"][..],
            "no cluster has",
        ),
        (&["prometheus-yml", "--sd", "http"][..], "--public-url"),
    ] {
        let (code, out, err) = run(args);
        assert_eq!(code, Some(1), "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?} printed {out}");
        let lines: Vec<&str> = err
            .lines()
            .filter(|l| l.starts_with("msk-console:"))
            .collect();
        assert_eq!(lines.len(), 1, "{args:?}: {err}");
        assert!(lines[0].contains(says), "{args:?}: {err}");
    }
    // A value of the wrong kind is refused where it enters, by the argument parser, as a
    // bad flag of the server is: exit 2 and its one-line reason, nothing on stdout.
    for (args, says) in [
        (
            &["clusters", "--format", "xml"][..],
            "invalid value 'xml' for '--format",
        ),
        (
            &["prometheus-yml", "--sd", "consul"][..],
            "invalid value 'consul' for '--sd",
        ),
        (
            &["client-properties", "orders", "--mode", "gssapi"][..],
            "unknown auth mode `gssapi`",
        ),
    ] {
        let (code, out, err) = run(args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?} printed {out}");
        assert!(
            err.lines().next().unwrap_or("").contains(says),
            "{args:?}: {err}"
        );
    }
    // A source that cannot be listed fails the command instead of printing less.
    let out = console(dir.path())
        .current_dir(dir.path())
        .args([
            "targets",
            "--no-aws",
            "--inventory-file",
            "missing.toml",
            "--log",
            "error",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("source"),
        "{:?}",
        out
    );
    // Nothing was written where they ran (no database directory).
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left.len(), 2, "{left:?}");
}
