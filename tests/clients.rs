//! The generated Python and Node.js producers, run with their real libraries
//! (kafka-python, aiokafka, confluent-kafka from PyPI; kafkajs and
//! `@confluentinc/kafka-javascript` from npm; AWS's signers for IAM) against stand-in
//! Kafka listeners on loopback: plaintext, and TLS, SCRAM and IAM behind TLS with a test
//! CA; and, for plaintext and TLS, against a real broker (tansu) that they produce to.
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
const CLIENTS: [(&str, &str, u8); 6] = [
    ("kafka-python", "kafka-python.py", 121),
    ("aiokafka", "aiokafka.py", 125),
    ("confluent-kafka", "confluent-kafka.py", 129),
    ("kafkajs", "kafkajs.js", 133),
    (
        "confluent-kafka-javascript",
        "confluent-kafka-javascript.js",
        145,
    ),
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

/// A client file for `mode` with the CA bundle given, downloaded as a user would.
async fn snippet(
    app: &support::TestApp,
    id: &str,
    path: &str,
    mode: &str,
    ca_file: &std::path::Path,
) -> reqwest::Response {
    let q =
        serde_urlencoded::to_string([("mode", mode), ("ca_location", ca_file.to_str().unwrap())])
            .unwrap();
    let r = app.get(&format!("/clusters/{id}/{path}?{q}")).await;
    assert_eq!(r.status(), 200, "{path} {mode}");
    r
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
    const t = await m.oauthBearerProvider();
    const url = new URL(Buffer.from(t.value, "base64url").toString());
    out.token_action = url.searchParams.getAll("Action");
    out.lifetime = t.lifetime;
    out.principal = t.principal;
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
            let r = snippet(&app, &id, path, mode, &ca_file).await;
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
            } else if file.extension().is_some_and(|e| e == "js") {
                let mut c = std::process::Command::new("node");
                c.arg("-e")
                    .arg(NODE_HARNESS)
                    .arg(&file)
                    .env("NODE_PATH", support::tools::node_path());
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
            // Confluent's client refuses a token without its lifetime (ms) and principal.
            if *kind == "confluent-kafka-javascript" {
                let lifetime = result["lifetime"].as_f64().unwrap_or_default();
                let now_ms = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_millis() as f64;
                if !(lifetime > now_ms && lifetime < now_ms + 3_660_000.0)
                    || result["principal"].as_str().unwrap_or_default().is_empty()
                {
                    failures.push(format!(
                        "confluent-kafka-javascript: the token needs a lifetime in ms within the hour after {now_ms} and a principal: {result}"
                    ));
                }
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

/// Every cluster kind, every auth mode it has.
const KINDS: &str = r#"
[[cluster]]
name = "every-mode"
region = "eu-west-1"
kind = "provisioned"
auth = { tls = true, scram = true, iam = true, unauthenticated = true }
bootstrap = { plaintext = "b-1.every.example:9092", tls = "b-1.every.example:9094", sasl-scram = "b-1.every.example:9096", sasl-iam = "b-1.every.example:9098", public-tls = "b-1-public.every.example:9194", public-sasl-scram = "b-1-public.every.example:9196", public-sasl-iam = "b-1-public.every.example:9198", vpc-tls = "b-1-vpc.every.example:14001", vpc-sasl-scram = "b-1-vpc.every.example:14002", vpc-sasl-iam = "b-1-vpc.every.example:14003", ipv6-plaintext = "b-1-ipv6.every.example:20092", ipv6-tls = "b-1-ipv6.every.example:20094", ipv6-sasl-scram = "b-1-ipv6.every.example:20096", ipv6-sasl-iam = "b-1-ipv6.every.example:20098" }

[[cluster]]
name = "serverless-one"
region = "us-east-1"
kind = "serverless"
auth = { iam = true }
bootstrap = { sasl-iam = "boot-abc.c1.kafka-serverless.us-east-1.amazonaws.com:9098" }

[[cluster]]
name = "no-brokers-yet"
region = "eu-west-1"
kind = "provisioned"
"#;

/// The text of the element with this id (`<pre id=…>`), unescaped.
fn element_text(page: &str, id: &str) -> Option<String> {
    let at = page.find(&format!("id=\"{id}\""))?;
    let start = at + page[at..].find('>')? + 1;
    let end = start + page[start..].find("</")?;
    Some(
        page[start..end]
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#x27;", "'")
            .replace("&#39;", "'")
            .replace("&amp;", "&"),
    )
}

/// The Connect picker: for every cluster kind, every auth mode it has and every client,
/// the page shows the file, what to install (the very lines the file's header names),
/// how to run it and AWS's page for the mode; a cluster without brokers says why.
#[tokio::test]
async fn the_connect_picker_works_for_every_cluster_kind_and_auth_mode() {
    use app::generate::FileKind;
    use app::model::Listener;
    let (app, _dir) = file_lab(KINDS, |_| {}).await;
    let mut shown = 0;
    for (cluster, modes) in [
        ("every-mode", Listener::ALL.to_vec()),
        ("serverless-one", vec![Listener::SaslIam]),
    ] {
        let id = app.id_of(cluster).await;
        for mode in modes {
            for kind in FileKind::ALL.into_iter().filter(|k| k.is_client_config()) {
                let path = format!("/clusters/{id}?file={}&mode={}", kind.slug(), mode.slug());
                let page = app.page(&path).await;
                let what = format!("{cluster} {} {}", kind.slug(), mode.slug());
                assert!(!page.contains("id=\"preview-error\""), "{what}: {page}");
                let preview =
                    element_text(&page, "preview").unwrap_or_else(|| panic!("{what}: no preview"));
                let aws = app::generate::client::setup::aws_doc(mode);
                let follows = page
                    .split("id=\"follows\"")
                    .nth(1)
                    .and_then(|s| s.split("</p>").next())
                    .unwrap_or_else(|| panic!("{what}: no Follows line"));
                assert!(
                    follows.contains(&format!("href=\"{}\"", aws.url)),
                    "{what}: {follows}"
                );
                assert!(
                    preview.contains(aws.url),
                    "{what}: the file follows the same page"
                );
                let run = element_text(&page, "run-line").unwrap_or_default();
                assert!(!run.trim().is_empty(), "{what}: no run line");
                if kind == FileKind::ClientProperties {
                    // The cluster's own bootstrap string, one shell word.
                    let servers = preview
                        .lines()
                        .find_map(|l| l.strip_prefix("bootstrap.servers="));
                    let servers = servers.unwrap_or_else(|| panic!("{what}: no bootstrap.servers"));
                    assert!(
                        run.contains(&format!("--bootstrap-server '{servers}' --command-config ")),
                        "{what}: {run}"
                    );
                }
                // The install lines on the page are the ones the file's header names.
                if let Some(install) = element_text(&page, "install-commands") {
                    for line in install.lines() {
                        let in_file = preview.contains(&format!("#   {line}"))
                            || preview.contains(&format!("//   {line}"));
                        assert!(in_file, "{what}: {line:?} is not in the file's header");
                    }
                    if mode.auth() == app::model::Auth::Iam
                        && kind.client_family() == Some(app::generate::client::ClientFamily::Signer)
                    {
                        assert!(
                            install.contains("signer")
                                || install.contains("AWS.MSK.Auth")
                                || install.contains("aws-sdk-go-v2"),
                            "{what}: IAM needs AWS's signer: {install}"
                        );
                    }
                } else {
                    assert!(
                        matches!(kind, FileKind::Librdkafka | FileKind::ClientProperties),
                        "{what}: nothing to install?"
                    );
                }
                shown += 1;
            }
        }
    }
    assert_eq!(
        shown,
        15 * 12,
        "14 modes and serverless's one, 12 clients each"
    );
    // The picker groups clients by language, with monitoring apart.
    let id = app.id_of("every-mode").await;
    let page = app.page(&format!("/clusters/{id}")).await;
    for group in FileKind::GROUPS {
        assert!(
            page.contains(&format!("<optgroup label=\"{group}\"")),
            "{group}"
        );
    }
    // A cluster with no bootstrap brokers yet: a clear reason, not an empty file.
    let none = app.id_of("no-brokers-yet").await;
    let page = app.page(&format!("/clusters/{none}?file=kafkajs")).await;
    assert!(page.contains("MSK returned no bootstrap strings for this cluster"));
    assert!(
        !page.contains("id=\"download-file\""),
        "no picker without a listener"
    );
    let r = app
        .get(&format!("/clusters/{none}/kafkajs.js?mode=sasl-iam"))
        .await;
    assert_eq!(r.status(), 400);
    let body = r.text().await.unwrap();
    assert!(body.contains("no bootstrap brokers yet"), "{body}");
}

/// Reads back what the producers sent: every record of partition 0 of the test topic,
/// and its high watermark. Prints `VALUES [..]` and `HIGH n`.
const READ_BACK: &str = r#"
import json, sys, time
from confluent_kafka import Consumer, TopicPartition, OFFSET_BEGINNING
bootstrap, ca, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
conf = {"bootstrap.servers": bootstrap, "group.id": "msk-console-read-back", "enable.auto.commit": False}
if ca:
    conf.update({"security.protocol": "ssl", "ssl.ca.location": ca})
c = Consumer(conf)
tp = TopicPartition("msk-console-test", 0, OFFSET_BEGINNING)
c.assign([tp])
values, deadline = [], time.time() + 60
while len(values) < want and time.time() < deadline:
    m = c.poll(0.5)
    if m is None:
        continue
    if m.error():
        print("ERROR", m.error(), file=sys.stderr)
        continue
    values.append(m.value().decode())
_, high = c.get_watermark_offsets(TopicPartition("msk-console-test", 0), timeout=10)
c.close()
print("VALUES " + json.dumps(values))
print("HIGH", high)
"#;

/// Runs a command to its end (with the test's patience), its output into `log`.
fn run_to_end(what: &str, mut cmd: std::process::Command, log: &std::path::Path) -> (bool, String) {
    let out = std::fs::File::create(log).unwrap();
    cmd.stdout(out.try_clone().unwrap()).stderr(out);
    let mut p = support::tools::Proc(
        cmd.spawn()
            .unwrap_or_else(|e| panic!("{what}: cannot start ({e}); run scripts/setup.sh --test")),
    );
    let status =
        support::eventually_blocking(&format!("{what} to exit"), support::PATIENCE, || {
            match p.0.try_wait() {
                Ok(Some(status)) => Ok(status),
                Ok(None) => Err(std::fs::read_to_string(log).unwrap_or_default()),
                Err(e) => Err(e.to_string()),
            }
        });
    (
        status.success(),
        std::fs::read_to_string(log).unwrap_or_default(),
    )
}

/// Produce and consume on a real Kafka-compatible broker: tansu (crates.io), once in
/// plaintext and once behind TLS with the test CA. Every Python and kafkajs snippet is
/// downloaded, run as a user runs it (its `__main__` sends one record and fails if it is
/// not delivered), and the records are read back from the broker.
#[tokio::test]
async fn generated_producers_deliver_to_a_real_broker_over_plaintext_and_tls() {
    use support::tools;
    let dir = tempfile::tempdir().unwrap();
    let stop = CancellationToken::new();
    let ca = tls::ca("tansu-lab CA");
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, ca.cert.pem()).unwrap();

    // Plaintext: tansu itself. TLS: tansu behind a TLS terminator holding a certificate
    // from the test CA, advertising the TLS address, so every connection is TLS.
    let (plain, tls_addr, tls_inner) =
        ("127.0.0.141:9092", "127.0.0.142:9094", "127.0.0.142:19092");
    let _brokers = [
        tools::tansu_broker(plain, plain, &dir.path().join("broker-plaintext.log")),
        tools::tansu_broker(tls_inner, tls_addr, &dir.path().join("broker-tls.log")),
    ];
    tls::terminate(
        tls_addr.parse().unwrap(),
        tls_inner.parse().unwrap(),
        tls::server(&ca, &["127.0.0.142"]),
        stop.clone(),
    )
    .await;
    for (addr, broker) in [(plain, plain), (tls_inner, tls_inner)] {
        tools::wait_listening(addr).await;
        let mut create = std::process::Command::new(tools::tansu());
        create
            .args([
                "topic",
                "create",
                "msk-console-test",
                "--partitions",
                "1",
                "--broker",
            ])
            .arg(format!("tcp://{broker}"));
        let log = dir
            .path()
            .join(format!("create-{}.log", addr.replace(':', "_")));
        let (ok, out) =
            tokio::task::spawn_blocking(move || run_to_end("tansu topic create", create, &log))
                .await
                .unwrap();
        assert!(ok, "tansu topic create on {broker}: {out}");
    }

    let lab = format!(
        "[[cluster]]\nname = \"tansu\"\nregion = \"eu-west-1\"\nkind = \"provisioned\"\n\
         auth = {{ unauthenticated = true }}\n\
         bootstrap = {{ plaintext = \"{plain}\", tls = \"{tls_addr}\" }}\n"
    );
    let (app, _guard) = file_lab(&lab, |_| {}).await;
    let id = app.id_of("tansu").await;
    let clients = [
        ("kafka-python", "kafka-python.py"),
        ("aiokafka", "aiokafka.py"),
        ("confluent-kafka", "confluent-kafka.py"),
        ("kafkajs", "kafkajs.js"),
        (
            "confluent-kafka-javascript",
            "confluent-kafka-javascript.js",
        ),
    ];
    let mut runs = Vec::new();
    for (kind, path) in clients {
        for mode in ["plaintext", "tls"] {
            let r = snippet(&app, &id, path, mode, &ca_file).await;
            let ext = path.rsplit('.').next().unwrap();
            let file = dir
                .path()
                .join(format!("{}_{mode}.{ext}", kind.replace('-', "_")));
            std::fs::write(&file, r.text().await.unwrap()).unwrap();
            let mut cmd = if ext == "js" {
                let mut c = std::process::Command::new("node");
                c.env("NODE_PATH", tools::node_path());
                c
            } else {
                std::process::Command::new(tools::python())
            };
            cmd.arg(&file);
            let log = file.with_extension("log");
            runs.push((
                kind,
                mode,
                tokio::task::spawn_blocking(move || run_to_end("a snippet", cmd, &log)),
            ));
        }
    }
    let mut failures = Vec::new();
    for (kind, mode, run) in runs {
        let (ok, out) = run.await.unwrap();
        if !ok {
            failures.push(format!("{kind} {mode}: its producer failed:\n{out}"));
        }
    }

    // Each broker holds exactly one record from each client.
    for (mode, bootstrap, ca) in [
        ("plaintext", plain, ""),
        ("tls", tls_addr, ca_file.to_str().unwrap()),
    ] {
        let mut read = std::process::Command::new(tools::python());
        read.args(["-c", READ_BACK, bootstrap, ca, &clients.len().to_string()]);
        let log = dir.path().join(format!("read-{mode}.log"));
        let (ok, out) =
            tokio::task::spawn_blocking(move || run_to_end("the read-back", read, &log))
                .await
                .unwrap();
        let values: Vec<String> = out
            .lines()
            .find_map(|l| l.strip_prefix("VALUES "))
            .and_then(|v| serde_json::from_str(v).ok())
            .unwrap_or_default();
        let high = out
            .lines()
            .find_map(|l| l.strip_prefix("HIGH "))
            .unwrap_or_default();
        if !ok
            || values != vec!["hello from msk-console"; clients.len()]
            || high.trim() != clients.len().to_string()
        {
            let broker = std::fs::read_to_string(dir.path().join(format!("broker-{mode}.log")))
                .unwrap_or_default();
            failures.push(format!(
                "{mode}: read back {values:?} (high watermark {high}), want {} records\n{out}\nbroker:\n{}",
                clients.len(),
                broker.lines().rev().take(30).collect::<Vec<_>>().join("\n")
            ));
        }
    }
    stop.cancel();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
