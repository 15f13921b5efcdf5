//! The generated Python producers, run with their real libraries (kafka-python,
//! aiokafka, confluent-kafka from PyPI; AWS's signer for IAM) against stand-in Kafka
//! listeners on loopback: plaintext, and TLS, SCRAM and IAM behind TLS with a test CA.
//!
//! Each snippet is downloaded as a user would, imported, and its `producer()` built and
//! started. A stand-in answers only ApiVersions, so no client gets further than that;
//! what the test proves is that the snippet loads with no configuration error and that
//! its client reached the listener (on TLS: trusted the certificate, since the handshake
//! comes first). For IAM the snippet's token provider (or `oauth_cb`) is called too,
//! with static credentials: AWS's signer returns a token that is a signed
//! `kafka-cluster:Connect` URL, and confluent-kafka's expiry is in seconds.

use crate::support;

use serde_json::Value;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use support::{file_lab, tls};
use tokio_util::sync::CancellationToken;

/// One cluster per client library, each with its own four stand-in listeners, so the
/// clients run at once and each listener's count is one client's.
const CLIENTS: [(&str, &str, u8); 5] = [
    ("kafka-python", "kafka-python.py", 121),
    ("aiokafka", "aiokafka.py", 125),
    ("confluent-kafka", "confluent-kafka.py", 129),
    ("kafkajs", "kafkajs.js", 133),
    ("cli", "cli.sh", 137),
];
const MODES: [(&str, u16, bool); 4] = [
    ("plaintext", 9092, false),
    ("tls", 9094, true),
    ("sasl-scram", 9096, true),
    ("sasl-iam", 9098, true),
];

fn lab() -> String {
    CLIENTS
        .iter()
        .map(|(kind, _, first)| {
            let addr = |i: u8, port: u16| format!("127.0.0.{}:{port}", first + i);
            format!(
                "[[cluster]]\nname = \"py-{kind}\"\nregion = \"eu-west-1\"\nkind = \"provisioned\"\n\
                 auth = {{ tls = false, scram = true, iam = true, unauthenticated = true }}\n\
                 monitoring = {{ jmx_exporter = false, node_exporter = false }}\n\
                 bootstrap = {{ plaintext = \"{}\", tls = \"{}\", sasl-scram = \"{}\", sasl-iam = \"{}\" }}\n\n",
                addr(0, 9092),
                addr(1, 9094),
                addr(2, 9096),
                addr(3, 9098)
            )
        })
        .collect()
}

/// Imports the snippet, builds its producer and starts it (stopping at the first
/// error, which a stand-in makes certain), then calls its IAM token source if it has
/// one. Prints `RESULT {json}`: what happened.
const HARNESS: &str = r#"
import asyncio, base64, importlib.util, json, sys, urllib.parse
path, kind = sys.argv[1], sys.argv[2]
spec = importlib.util.spec_from_file_location("snippet", path)
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
out = {}
def failed(e):
    out["error"] = f"{type(e).__module__}.{type(e).__name__}: {e}"
try:
    if kind == "aiokafka":
        async def run():
            p = m.producer()
            try:
                await asyncio.wait_for(p.start(), 2)
            finally:
                await p.stop()
        asyncio.run(run())
    elif kind == "kafka-python":
        m.producer().close()
    else:
        p = m.producer()
        p.list_topics(timeout=2)
except Exception as e:
    failed(e)
token = None
if hasattr(m, "MSKTokenProvider"):
    t = m.MSKTokenProvider().token()
    token = asyncio.run(t) if asyncio.iscoroutine(t) else t
if hasattr(m, "oauth_cb"):
    token, expiry = m.oauth_cb(None)
    out["expiry"] = expiry
if token:
    url = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    out["token_action"] = urllib.parse.parse_qs(urllib.parse.urlparse(url).query).get("Action")
print("RESULT " + json.dumps(out))
"#;

/// The same for a kafkajs module: `connect()` (within 3 s), then its
/// `oauthBearerProvider` if it has one. Prints `RESULT {json}` (kafkajs logs too).
const NODE_HARNESS: &str = r#"
const m = require(process.argv[1]);
const out = {};
(async () => {
  const p = m.producer();
  try {
    await Promise.race([
      p.connect(),
      new Promise((_, reject) => setTimeout(() => reject(new Error("no connection in 3 s")), 3000)),
    ]);
  } catch (e) {
    out.error = `${e.name}: ${e.message}`;
  }
  p.disconnect().catch(() => {});
  if (m.oauthBearerProvider) {
    const t = (await m.oauthBearerProvider()).value;
    const url = new URL(Buffer.from(t, "base64url").toString());
    out.token_action = url.searchParams.getAll("Action");
  }
  console.log("RESULT " + JSON.stringify(out));
  process.exit(0);
})();
"#;

#[tokio::test]
async fn python_and_node_producers_load_and_reach_each_listener_with_their_real_libraries() {
    let stop = CancellationToken::new();
    let ca = tls::ca("py-lab CA");
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, ca.cert.pem()).unwrap();
    let (app, _guard) = file_lab(&lab(), |_| {}).await;

    // Every snippet, downloaded as a user would, beside its listener's counter.
    let mut runs = Vec::new();
    for (kind, path, first) in CLIENTS {
        let id = app.id_of(&format!("py-{kind}")).await;
        for (i, (mode, port, tls)) in MODES.into_iter().enumerate() {
            let a: SocketAddr = format!("127.0.0.{}:{port}", first + i as u8)
                .parse()
                .unwrap();
            let config = tls.then(|| tls::server(&ca, &[a.ip().to_string().as_str()]));
            let counter = msk_console::demo::serve_kafka_counting(a, config, stop.clone())
                .await
                .unwrap_or_else(|e| panic!("bind {a}: {e}"));
            let q = serde_urlencoded::to_string([
                ("mode", mode),
                ("ca_location", ca_file.to_str().unwrap()),
            ])
            .unwrap();
            let r = app.get(&format!("/clusters/{id}/{path}?{q}")).await;
            assert_eq!(r.status(), 200, "{kind} {mode}");
            let disposition = r.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .to_string();
            assert!(
                disposition.ends_with(&format!(".{}\"", path.rsplit('.').next().unwrap())),
                "{kind} {mode}: {disposition}"
            );
            let body = r.text().await.unwrap();
            let file = dir.path().join(format!(
                "{}_{}.{}",
                kind.replace('-', "_"),
                mode.replace('-', "_"),
                path.rsplit('.').next().unwrap()
            ));
            std::fs::write(&file, &body).unwrap();
            runs.push((kind, mode, counter, file, body));
        }
    }

    // Every client at once (the stand-ins answer on this test's runtime meanwhile).
    let outputs = futures::future::join_all(runs.iter().map(|(kind, _, _, file, _)| {
        let (file, kind) = (file.clone(), kind.to_string());
        tokio::task::spawn_blocking(move || {
            let mut cmd = if kind == "cli" {
                let mut c = std::process::Command::new("sh");
                c.arg(&file).env("KAFKA_PASSWORD", "test-password");
                c
            } else if kind == "kafkajs" {
                let mut c = std::process::Command::new("node");
                c.arg("-e").arg(NODE_HARNESS).arg(&file).env(
                    "NODE_PATH",
                    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                        .join("tools/node-clients/node_modules"),
                );
                c
            } else {
                let mut c = std::process::Command::new(support::tools::python());
                c.arg("-c").arg(HARNESS).arg(&file).arg(&kind);
                c
            };
            cmd.env("AWS_ACCESS_KEY_ID", "AKIDTEST")
                .env("AWS_SECRET_ACCESS_KEY", "test-secret")
                .env("AWS_EC2_METADATA_DISABLED", "true")
                .env_remove("AWS_PROFILE")
                .output()
                .unwrap()
        })
    }))
    .await;

    let mut failures = Vec::new();
    for ((kind, mode, counter, _, body), out) in runs.iter().zip(outputs) {
        let out = out.unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        if *kind == "cli" {
            // kcat's -L fails after ApiVersions (a stand-in serves no metadata); a setting
            // it refuses, or a line the shell cannot read, fails before.
            let refused = [
                "No such configuration property",
                "Invalid value",
                "syntax error",
                "not found",
            ]
            .iter()
            .any(|e| stderr.contains(e));
            let n = counter.load(Ordering::SeqCst);
            if refused || (*mode != "sasl-iam" && n == 0) {
                failures.push(format!(
                    "cli {mode}: kcat did not reach its listener ({n}):\n{stderr}\n{body}"
                ));
            }
            if *mode == "sasl-iam" && stdout.contains("kcat") {
                failures.push(format!(
                    "cli sasl-iam: ran kcat, which cannot sign IAM:\n{stdout}"
                ));
            }
            continue;
        }
        let Some(result) = stdout
            .lines()
            .rev()
            .filter_map(|l| l.strip_prefix("RESULT "))
            .find_map(|l| serde_json::from_str::<Value>(l).ok())
        else {
            failures.push(format!("{kind} {mode}: no result\n{stdout}\n{stderr}"));
            continue;
        };
        // A stand-in answers ApiVersions and nothing else: connection errors after it
        // are expected; a configuration error is not.
        let error = result["error"].as_str().unwrap_or_default();
        let config_error = [
            "ConfigurationError",
            "TypeError",
            "ValueError",
            "AttributeError",
            "ImportError",
            "NameError",
            "_INVALID_ARG",
            "KafkaJSNonRetriableError: Invalid",
            "ReferenceError",
            "Cannot find module",
        ]
        .iter()
        .any(|e| error.contains(e));
        if config_error {
            failures.push(format!("{kind} {mode}: {error}\n{body}"));
            continue;
        }
        // The client process has ended: every connection it made has been answered.
        let n = counter.load(Ordering::SeqCst);
        if n == 0 {
            failures.push(format!(
                "{kind} {mode}: never reached its listener; the client said: {error}\n{stderr}"
            ));
            continue;
        }
        if *mode == "sasl-iam" {
            if result["token_action"] != serde_json::json!(["kafka-cluster:Connect"]) {
                failures.push(format!(
                    "{kind}: no signed kafka-cluster:Connect token: {result}"
                ));
            }
            if *kind == "confluent-kafka" {
                let expiry = result["expiry"].as_f64().unwrap_or_default();
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_secs_f64();
                if !(expiry > now && expiry < now + 3600.0 + 60.0) {
                    failures.push(format!(
                        "confluent-kafka: the expiry {expiry} is not seconds within the hour after {now}"
                    ));
                }
            }
        }
    }
    stop.cancel();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Spring Boot's documented Kafka properties that the generated `application.yml` may
/// set (Spring Boot's application-properties appendix, "Integration"); everything else
/// goes under `spring.kafka.properties`.
const SPRING_KEYS: [&str; 9] = [
    "spring.kafka.bootstrap-servers",
    "spring.kafka.security.protocol",
    "spring.kafka.ssl.trust-store-location",
    "spring.kafka.ssl.trust-store-password",
    "spring.kafka.ssl.trust-store-type",
    "spring.kafka.ssl.key-store-location",
    "spring.kafka.ssl.key-store-password",
    "spring.kafka.ssl.key-store-type",
    "spring.kafka.ssl.key-password",
];

/// Parses YAML with PyYAML and prints it flattened to `a.b.c` keys as JSON.
const FLATTEN: &str = r#"
import json, sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
flat = {}
def walk(prefix, node):
    for k, v in node.items():
        key = f"{prefix}.{k}" if prefix else k
        if key == "spring.kafka.properties":
            for pk, pv in v.items():
                flat[f"{key}.{pk}"] = pv
        elif isinstance(v, dict):
            walk(key, v)
        else:
            flat[key] = v
walk("", doc)
print(json.dumps(flat))
"#;

/// The Spring Boot file parses as YAML, sets only Spring Boot's documented names (the
/// rest as `spring.kafka.properties`), and says exactly what `client.properties` says,
/// option for option.
#[tokio::test]
async fn spring_boot_yaml_is_the_java_configuration_under_spring_boots_names() {
    let (app, guard) = file_lab(&lab(), |_| {}).await;
    let id = app.id_of("py-kafka-python").await;
    // Every file first, then the checks (no request waits behind a process).
    let mut files = Vec::new();
    for mode in ["plaintext", "tls", "sasl-scram", "sasl-iam"] {
        let q = serde_urlencoded::to_string([
            ("mode", mode),
            ("scram_username", "alice"),
            ("aws_profile", "prod"),
            ("truststore_location", "/etc/kafka/truststore.p12"),
        ])
        .unwrap();
        let yml = app
            .get(&format!("/clusters/{id}/application.yml?{q}"))
            .await;
        assert_eq!(yml.status(), 200, "{mode}");
        assert!(yml.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .ends_with("-application.yml\""));
        let yml = yml.text().await.unwrap();
        let props = app
            .get(&format!("/clusters/{id}/client.properties?{q}"))
            .await
            .text()
            .await
            .unwrap();
        files.push((mode, yml, props));
    }
    for (mode, yml, props) in files {
        let file = guard.path().join(format!("{mode}.yml"));
        std::fs::write(&file, &yml).unwrap();
        let out = std::process::Command::new(support::tools::python())
            .arg("-c")
            .arg(FLATTEN)
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{mode}: PyYAML refused it: {}\n{yml}",
            String::from_utf8_lossy(&out.stderr)
        );
        let flat: serde_json::Map<String, Value> = serde_json::from_slice(&out.stdout).unwrap();
        for key in flat.keys() {
            assert!(
                SPRING_KEYS.contains(&key.as_str()) || key.starts_with("spring.kafka.properties."),
                "{mode}: {key} is not a Spring Boot property\n{yml}"
            );
        }
        // The same settings as client.properties, one by one.
        let java: Vec<(String, String)> = props
            .lines()
            .filter(|l| !l.starts_with('#') && l.contains('='))
            .map(|l| {
                let (k, v) = l.split_once('=').unwrap();
                (k.to_string(), v.to_string())
            })
            .collect();
        assert_eq!(flat.len(), java.len(), "{mode}: {flat:?} vs {java:?}");
        for (k, v) in java {
            let spring = match k.as_str() {
                "bootstrap.servers" => "spring.kafka.bootstrap-servers".to_string(),
                "security.protocol" => "spring.kafka.security.protocol".to_string(),
                "ssl.truststore.location" => "spring.kafka.ssl.trust-store-location".to_string(),
                "ssl.truststore.password" => "spring.kafka.ssl.trust-store-password".to_string(),
                "ssl.truststore.type" => "spring.kafka.ssl.trust-store-type".to_string(),
                other => format!("spring.kafka.properties.{other}"),
            };
            let want = if k.ends_with(".location") {
                format!("file:{v}")
            } else {
                v
            };
            assert_eq!(flat[&spring], Value::String(want), "{mode}: {spring}");
        }
    }
}

/// The Sarama snippets compile with Debian's Go and Debian's packages of Sarama and
/// xdg-go/scram, in GOPATH mode (no module proxy here). Debian packages Sarama under
/// its old import path, `github.com/Shopify/sarama`, which the test puts in place of
/// today's `github.com/IBM/sarama`. AWS's Go signer is not packaged, so the IAM snippet
/// is checked against its README's lines instead (the unit tests).
#[tokio::test]
async fn sarama_snippets_compile_with_debians_go() {
    let (app, guard) = file_lab(&lab(), |_| {}).await;
    let id = app.id_of("py-kafka-python").await;
    let gopath = guard.path().join("gopath");
    // Every file first: the builds take seconds, longer than the console keeps an idle
    // connection open, so no request follows one.
    let mut packages = Vec::new();
    for mode in ["plaintext", "tls", "sasl-scram"] {
        for ca in [None, Some("/etc/ssl/certs/ca-certificates.crt")] {
            let mut q = vec![("mode", mode)];
            if let Some(ca) = ca {
                q.push(("ca_location", ca));
            }
            let q = serde_urlencoded::to_string(&q).unwrap();
            let r = app.get(&format!("/clusters/{id}/sarama.go?{q}")).await;
            assert_eq!(r.status(), 200, "{mode}");
            let go = r
                .text()
                .await
                .unwrap()
                .replace("github.com/IBM/sarama", "github.com/Shopify/sarama");
            let pkg = gopath.join(format!(
                "src/snippet_{}_{}",
                mode.replace('-', "_"),
                ca.is_some()
            ));
            std::fs::create_dir_all(&pkg).unwrap();
            std::fs::write(pkg.join("main.go"), &go).unwrap();
            packages.push((mode, ca, pkg, go));
        }
    }
    let cache = guard.path().join("gocache");
    tokio::task::spawn_blocking(move || {
        for (mode, ca, pkg, go) in packages {
            let out = std::process::Command::new("go")
                .args(["build", "-o", "snippet", "."])
                .current_dir(&pkg)
                .env("GO111MODULE", "off")
                .env("GOPATH", format!("/usr/share/gocode:{}", gopath.display()))
                .env("GOCACHE", &cache)
                .env("GOFLAGS", "")
                .output()
                .unwrap_or_else(|e| panic!("cannot run go ({e}); run scripts/setup.sh --test"));
            assert!(
                out.status.success(),
                "{mode} (CA file {ca:?}) does not compile:\n{}\n{go}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(pkg.join("snippet").exists());
        }
    })
    .await
    .unwrap();
}

/// Hostile values in the options every snippet takes: a CA path with both quotes, a
/// backslash, a `$(…)` and non-ASCII stays one string literal (one shell word), and each
/// file still parses: Python's `ast`, `node --check`, `sh -n`, `gofmt -e`. A line break
/// is refused before any file is made.
#[tokio::test]
async fn hostile_option_values_stay_inside_their_string_literals() {
    let (app, guard) = file_lab(&lab(), |_| {}).await;
    let id = app.id_of("py-kafka-python").await;
    let evil = "/tmp/it's \"quoted\" \\ $(touch /tmp/pwned) é";
    let mut files = Vec::new();
    for (path, ext) in [
        ("kafka-python.py", "py"),
        ("aiokafka.py", "py"),
        ("confluent-kafka.py", "py"),
        ("kafkajs.js", "js"),
        ("confluent-kafka-javascript.js", "js"),
        ("cli.sh", "sh"),
        ("sarama.go", "go"),
        ("franz-go.go", "go"),
        ("Program.cs", "cs"),
    ] {
        for mode in ["tls", "sasl-scram", "sasl-iam"] {
            let q = serde_urlencoded::to_string([
                ("mode", mode),
                ("ca_location", evil),
                ("scram_username", "alice"),
            ])
            .unwrap();
            let r = app.get(&format!("/clusters/{id}/{path}?{q}")).await;
            assert_eq!(r.status(), 200, "{path} {mode}");
            files.push((path, ext, mode, r.text().await.unwrap()));
        }
        let q =
            serde_urlencoded::to_string([("mode", "tls"), ("ca_location", "/tmp/a\nb")]).unwrap();
        let r = app.get(&format!("/clusters/{id}/{path}?{q}")).await;
        assert_eq!(r.status(), 400, "{path}: a line break in an option");
    }
    const PY_CHECK: &str = r#"
import ast, sys
tree = ast.parse(open(sys.argv[1]).read())
values = [n.value.value for n in tree.body if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "CA_FILE"]
print(values[0] if values else "")
"#;
    for (i, (path, ext, mode, body)) in files.into_iter().enumerate() {
        let file = guard.path().join(format!("hostile{i}.{ext}"));
        std::fs::write(&file, &body).unwrap();
        let (ok, detail) = match ext {
            "py" => {
                let out = std::process::Command::new(support::tools::python())
                    .arg("-c")
                    .arg(PY_CHECK)
                    .arg(&file)
                    .output()
                    .unwrap();
                let ca = String::from_utf8_lossy(&out.stdout).trim_end().to_string();
                (
                    out.status.success() && ca == evil,
                    format!("{ca:?} {}", String::from_utf8_lossy(&out.stderr)),
                )
            }
            "js" => {
                let out = std::process::Command::new("node")
                    .arg("--check")
                    .arg(&file)
                    .output()
                    .unwrap();
                (
                    out.status.success(),
                    String::from_utf8_lossy(&out.stderr).to_string(),
                )
            }
            "sh" => {
                let out = std::process::Command::new("sh")
                    .arg("-n")
                    .arg(&file)
                    .output()
                    .unwrap();
                let word = format!("'{}'", evil.replace('\'', "'\\''"));
                (
                    out.status.success() && (mode == "sasl-iam" || body.contains(&word)),
                    String::from_utf8_lossy(&out.stderr).to_string(),
                )
            }
            "go" => {
                let out = std::process::Command::new("gofmt")
                    .arg("-e")
                    .arg(&file)
                    .output()
                    .unwrap();
                (
                    out.status.success(),
                    String::from_utf8_lossy(&out.stderr).to_string(),
                )
            }
            // No C# compiler here: the path must be one C# string literal.
            _ => (
                mode == "sasl-scram" && !body.contains("SslCaLocation")
                    || body.contains(&format!(
                        "SslCaLocation = {},",
                        serde_json::to_string(evil).unwrap()
                    )),
                String::new(),
            ),
        };
        assert!(ok, "{path} {mode}: {detail}\n{body}");
        assert!(!std::path::Path::new("/tmp/pwned").exists());
    }
}
