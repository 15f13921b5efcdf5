//! Real peers for tests: Prometheus, promtool, node_exporter, keytool and java, as the
//! project's setup script installs them. A missing tool fails the test with what to run;
//! it never skips silently.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

/// Runs a tool, failing the test with a setup hint if it is not installed.
pub fn run(tool: &str, args: &[&str]) -> Output {
    Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `{tool}` ({e}); run scripts/setup.sh --test"))
}

pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A background process killed when the guard drops.
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn spawn(tool: &str, args: &[&str], dir: &Path) -> Proc {
    let child = Command::new(tool)
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start `{tool}` ({e}); run scripts/setup.sh --test"));
    Proc(child)
}

/// Debian's node_exporter on `addr` (e.g. 127.0.0.12:11002), with its collectors cut to
/// a cheap few.
pub fn node_exporter(addr: &str, dir: &Path) -> Proc {
    spawn(
        "prometheus-node-exporter",
        &[
            &format!("--web.listen-address={addr}"),
            "--collector.disable-defaults",
            "--collector.time",
            "--collector.stat",
            "--collector.loadavg",
            "--collector.meminfo",
            "--collector.cpu",
            "--collector.filesystem",
        ],
        dir,
    )
}

/// Waits until something accepts TCP connections on `addr`.
pub async fn wait_listening(addr: &str) {
    super::eventually(
        &format!("something to listen on {addr}"),
        super::PATIENCE,
        || async {
            tokio::net::TcpStream::connect(addr)
                .await
                .map(drop)
                .map_err(|e| e.to_string())
        },
    )
    .await
}

/// The Python of the test virtual environment (AWS's IAM signer, confluent-kafka).
pub fn python() -> std::path::PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/python/bin/python");
    assert!(
        p.exists(),
        "{} is missing; run scripts/setup.sh --test",
        p.display()
    );
    p
}

/// Where scripts/setup.sh --test keeps what it builds once per machine, outside the
/// clone: `$XDG_CACHE_HOME` or `~/.cache`, then `msk-console/`.
fn machine_cache(rest: &str) -> std::path::PathBuf {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache")
        });
    let p = cache.join("msk-console").join(rest);
    assert!(
        p.exists(),
        "{} is missing; run scripts/setup.sh --test",
        p.display()
    );
    p
}

/// The tansu broker (crates.io), built by scripts/setup.sh --test.
pub fn tansu() -> std::path::PathBuf {
    machine_cache("tansu-0.6.0/bin/tansu")
}

/// `NODE_PATH` for the Node.js snippets: kafkajs and AWS's signer (`tools/node-clients`),
/// and `@confluentinc/kafka-javascript`, which builds librdkafka on install and so is
/// kept in the machine's cache (`tools/node-confluent` says which version).
pub fn node_path() -> std::ffi::OsString {
    let clients = Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/node-clients/node_modules");
    let confluent = machine_cache("node-confluent/node_modules/@confluentinc/kafka-javascript")
        .parent()
        .and_then(Path::parent)
        .expect("node_modules")
        .to_path_buf();
    std::env::join_paths([clients, confluent]).expect("NODE_PATH")
}

/// A tansu broker with in-memory storage, listening on `listen` and telling clients to
/// connect to `advertised`; its output goes to `log`. Killed when the guard drops.
pub fn tansu_broker(listen: &str, advertised: &str, log: &Path) -> Proc {
    let out = std::fs::File::create(log).expect("broker log");
    let child = Command::new(tansu())
        .args([
            "broker",
            "--listener-url",
            &format!("tcp://{listen}"),
            "--advertised-listener-url",
            &format!("tcp://{advertised}"),
            "--storage-engine",
            "memory://tansu/",
        ])
        .stdout(out.try_clone().expect("broker log"))
        .stderr(out)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start tansu ({e}); run scripts/setup.sh --test"));
    Proc(child)
}
