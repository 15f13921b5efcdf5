//! Command-line and environment configuration.
//!
//! Every option is a flag with an environment variable of the same name in upper case,
//! prefixed `MSK_CONSOLE_`, and a doc comment that `--help` prints. Values are checked
//! when they are parsed, so a bad address or duration stops the console at once with
//! clap's one-line reason instead of failing later.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

#[derive(Parser, Debug, Clone)]
#[command(name = "msk-console", version, about, long_about = None)]
pub struct Config {
    /// Address and port the web console listens on.
    #[arg(long, env = "MSK_CONSOLE_LISTEN", default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,

    /// Database URL: `sqlite://PATH` (the file and its directory are created if
    /// missing) or `postgres://USER:PASSWORD@HOST:PORT/DATABASE`, which lets several
    /// replicas share one database (one of them leads; see docs/deploy.md).
    #[arg(
        long,
        global = true,
        env = "MSK_CONSOLE_DATABASE_URL",
        default_value = "sqlite://data/msk-console.db"
    )]
    pub database_url: String,

    /// How this replica names itself to the others and in /healthz (PostgreSQL);
    /// default: the host name and the process id.
    #[arg(long, env = "MSK_CONSOLE_REPLICA_NAME", value_parser = parse_replica_name)]
    pub replica_name: Option<String>,

    /// Serve the built site (`pkg/` with the wasm, JS and CSS, and the static assets)
    /// from this directory instead of the copy inside the binary (for development;
    /// `scripts/build.sh` writes `target/site`).
    #[arg(long, env = "MSK_CONSOLE_SITE_ROOT")]
    pub site_root: Option<PathBuf>,

    /// AWS profiles to list clusters with, comma-separated. Each becomes a source named
    /// after the profile. Without profiles (and without --sources-file, --no-aws or
    /// --sample) one source named `default` uses the SDK's default credential chain:
    /// environment, shared config and SSO, web identity, container or instance role.
    #[arg(
        global = true,
        long,
        env = "MSK_CONSOLE_AWS_PROFILES",
        value_delimiter = ','
    )]
    pub aws_profiles: Vec<String>,

    /// Regions to list, comma-separated. Default: each profile's own region.
    #[arg(
        global = true,
        long,
        env = "MSK_CONSOLE_AWS_REGIONS",
        value_delimiter = ','
    )]
    pub aws_regions: Vec<String>,

    /// An IAM role the flag-configured sources assume (for a read-only role in another
    /// account). Needs kafka:ListClustersV2, kafka:DescribeClusterV2,
    /// kafka:GetBootstrapBrokers and kafka:ListNodes.
    #[arg(global = true, long, env = "MSK_CONSOLE_AWS_ROLE_ARN")]
    pub aws_role_arn: Option<String>,

    /// MSK API endpoint for every AWS source, for MSK-compatible endpoints and tests.
    /// The SDK's own AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_KAFKA work too.
    #[arg(global = true, long, env = "MSK_CONSOLE_AWS_ENDPOINT_URL", value_parser = parse_url)]
    pub aws_endpoint_url: Option<String>,

    /// CloudWatch API endpoint for every AWS source (a CloudWatch-compatible endpoint,
    /// tests). The SDK's AWS_ENDPOINT_URL_CLOUDWATCH works too.
    #[arg(global = true, long, env = "MSK_CONSOLE_CLOUDWATCH_ENDPOINT_URL", value_parser = parse_url)]
    pub cloudwatch_endpoint_url: Option<String>,

    /// How often CloudWatch is read: every cluster's AWS/Kafka metrics (health, consumer
    /// lag) and the alarms on them.
    #[arg(long, env = "MSK_CONSOLE_CLOUDWATCH_INTERVAL", default_value = "1m", value_parser = parse_duration)]
    pub cloudwatch_interval: Duration,

    /// Most CloudWatch calls in flight at once per source and region. GetMetricData's
    /// default quota is 50 calls a second per account and region; a sweep needs one
    /// call per 500 series.
    #[arg(long, env = "MSK_CONSOLE_CLOUDWATCH_CONCURRENCY", default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub cloudwatch_concurrency: u16,

    /// Never read CloudWatch (health then comes from the exporters alone).
    #[arg(long, env = "MSK_CONSOLE_NO_CLOUDWATCH")]
    pub no_cloudwatch: bool,

    /// How often every provisioned cluster's topics are listed with MSK's topic API
    /// (ListTopics; Kafka 3.6 or later).
    #[arg(long, env = "MSK_CONSOLE_TOPICS_INTERVAL", default_value = "5m", value_parser = parse_duration)]
    pub topics_interval: Duration,

    /// Topic configurations read per cluster at each topic listing (DescribeTopic, in
    /// rotation through the cluster's topics), so the history records their changes: a
    /// cluster of N topics has each read every N / this many listings. 0: none.
    #[arg(
        long,
        env = "MSK_CONSOLE_TOPIC_CONFIGS_PER_REFRESH",
        default_value_t = 20
    )]
    pub topic_configs_per_refresh: u16,

    /// Never list topics (MSK's topic APIs are then not called).
    #[arg(long, env = "MSK_CONSOLE_NO_TOPICS")]
    pub no_topics: bool,

    /// TOML file describing several sources (accounts, profiles, roles, regions); see
    /// docs/configuration.md. Used instead of the --aws-* source flags.
    #[arg(global = true, long, env = "MSK_CONSOLE_SOURCES_FILE")]
    pub sources_file: Option<PathBuf>,

    /// TOML inventory files listing clusters by hand, such as self-managed Kafka; they
    /// appear beside the MSK clusters. May be given several times (comma-separated in the
    /// environment).
    #[arg(
        global = true,
        long = "inventory-file",
        env = "MSK_CONSOLE_INVENTORY_FILES",
        value_delimiter = ','
    )]
    pub inventory_files: Vec<PathBuf>,

    /// Show the built-in sample inventory instead of calling AWS; clearly marked as
    /// sample data. For a first look without AWS credentials.
    #[arg(global = true, long, env = "MSK_CONSOLE_SAMPLE")]
    pub sample: bool,

    /// Do not call AWS at all; list only the inventory files.
    #[arg(global = true, long, env = "MSK_CONSOLE_NO_AWS")]
    pub no_aws: bool,

    /// How often the inventory refreshes by itself (e.g. `5m`, `90s`).
    #[arg(long, env = "MSK_CONSOLE_REFRESH_INTERVAL", default_value = "5m", value_parser = parse_duration)]
    pub refresh_interval: Duration,

    /// How often a refresh asks every cluster's details again (bootstrap brokers, nodes,
    /// SCRAM secrets, operations). The refreshes between list the clusters only and ask
    /// the details of the clusters that are new or whose `CurrentVersion` changed;
    /// "Refresh now" is always a full refresh.
    #[arg(long, env = "MSK_CONSOLE_FULL_REFRESH_INTERVAL", default_value = "1h", value_parser = parse_duration)]
    pub full_refresh_interval: Duration,

    /// Time limit for one AWS API call, retries included.
    #[arg(global = true, long, env = "MSK_CONSOLE_AWS_TIMEOUT", default_value = "20s", value_parser = parse_duration)]
    pub aws_timeout: Duration,

    /// Most AWS API calls in flight at once per source and region. MSK throttles per
    /// account and region; this keeps a refresh of many clusters from causing it.
    #[arg(global = true, long, env = "MSK_CONSOLE_AWS_CONCURRENCY", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub aws_concurrency: u16,

    /// Attempts per AWS call, with the SDK's standard backoff; throttling and transient
    /// errors are retried, the rest fail at once. 1 turns retries off.
    #[arg(global = true, long, env = "MSK_CONSOLE_AWS_MAX_ATTEMPTS", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=10))]
    pub aws_max_attempts: u32,

    /// PEM bundle of CA certificates the truststore download is built from. Default: the
    /// system bundle (/etc/ssl/certs/ca-certificates.crt and the like), which holds
    /// Amazon's root CAs.
    #[arg(global = true, long, env = "MSK_CONSOLE_CA_BUNDLE")]
    pub ca_bundle: Option<PathBuf>,

    /// The console's URL as Prometheus sees it, used in generated http_sd configs.
    /// Default: taken from each request's Host header.
    #[arg(global = true, long, env = "MSK_CONSOLE_PUBLIC_URL", value_parser = parse_url)]
    pub public_url: Option<String>,

    /// Cluster tags that become labels of the Prometheus targets (targets.json, http_sd),
    /// comma-separated keys: `team` gives every target `tag_team="…"`. None by default,
    /// since every label is a new series dimension.
    #[arg(
        global = true,
        long,
        env = "MSK_CONSOLE_TARGET_TAG_LABELS",
        value_delimiter = ','
    )]
    pub target_tag_labels: Vec<String>,

    /// Connect and answer time limit for one exporter probe (`GET /metrics` on a
    /// broker's :11001 or :11002).
    #[arg(long, env = "MSK_CONSOLE_PROBE_TIMEOUT", default_value = "2s", value_parser = parse_duration)]
    pub probe_timeout: Duration,

    /// How often every broker's exporters are probed (also after each inventory refresh
    /// and on request).
    #[arg(long, env = "MSK_CONSOLE_PROBE_INTERVAL", default_value = "1m", value_parser = parse_duration)]
    pub probe_interval: Duration,

    /// Most exporter probes in flight at once.
    #[arg(long, env = "MSK_CONSOLE_PROBE_CONCURRENCY", default_value_t = 512, value_parser = clap::value_parser!(u16).range(1..=4096))]
    pub probe_concurrency: u16,

    /// Most bytes read from one exporter's answer (a Kafka broker's JMX exporter can
    /// answer several MiB). Answers are read line by line as they stream in and are
    /// never held whole, so this bounds time, not memory.
    #[arg(long, env = "MSK_CONSOLE_PROBE_BODY_LIMIT", default_value_t = 16 * 1024 * 1024)]
    pub probe_body_limit: usize,

    /// Do not check client connectivity (TCP, TLS, Kafka ApiVersions) to each listener
    /// in the probe sweeps.
    #[arg(long, env = "MSK_CONSOLE_NO_CONNECTIVITY")]
    pub no_connectivity: bool,

    /// Never probe exporters (for consoles that cannot reach the brokers' network).
    #[arg(long, env = "MSK_CONSOLE_NO_PROBE")]
    pub no_probe: bool,

    /// How long the snapshot history is kept. Older snapshots are pruned on a schedule;
    /// the latest recorded state of every cluster is always kept.
    #[arg(long, env = "MSK_CONSOLE_HISTORY_RETENTION", default_value = "90days", value_parser = parse_duration)]
    pub history_retention: Duration,

    /// How often snapshots older than the retention are pruned (also once at start).
    #[arg(long, env = "MSK_CONSOLE_HISTORY_PRUNE_INTERVAL", default_value = "1h", value_parser = parse_duration)]
    pub history_prune_interval: Duration,

    /// Longest time one HTTP request to the console may take.
    #[arg(long, env = "MSK_CONSOLE_REQUEST_TIMEOUT", default_value = "30s", value_parser = parse_duration)]
    pub request_timeout: Duration,

    /// Host names the console answers to besides IP addresses, `localhost` and the host
    /// of --public-url, comma-separated. Requests for any other `Host` are refused
    /// (a guard against DNS rebinding).
    #[arg(long, env = "MSK_CONSOLE_ALLOWED_HOSTS", value_delimiter = ',')]
    pub allowed_hosts: Vec<String>,

    /// A client must send a request's headers within this time, on a new connection
    /// or an idle kept-alive one, or it is disconnected.
    #[arg(long, env = "MSK_CONSOLE_HEADER_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub header_timeout: Duration,

    /// A connection whose answer makes no progress for this long (a client that stops
    /// reading) is closed, so clients that never read cannot hold every connection.
    #[arg(long, env = "MSK_CONSOLE_WRITE_TIMEOUT", default_value = "30s", value_parser = parse_duration)]
    pub write_timeout: Duration,

    /// A connection on which the console waits this long for the client to send
    /// anything (the rest of a request body, say) is closed. Between requests, a
    /// kept-alive connection gets --header-timeout.
    #[arg(long, env = "MSK_CONSOLE_IDLE_TIMEOUT", default_value = "60s", value_parser = parse_duration)]
    pub idle_timeout: Duration,

    /// Most client connections served at once; more wait until one closes.
    #[arg(long, env = "MSK_CONSOLE_MAX_CONNECTIONS", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..=65536))]
    pub max_connections: u32,

    /// Who may use the console: `none` (anyone who reaches it), `oidc` (sign in with an
    /// OpenID Connect provider) or `proxy` (identity headers from --trusted-proxy). Bearer
    /// tokens work in every mode but `none`. Default: `none` when listening on a loopback
    /// address; on any other address the console refuses to start until a mode is given.
    #[arg(long, env = "MSK_CONSOLE_AUTH", value_enum)]
    pub auth: Option<AuthMode>,

    /// The OpenID Connect issuer URL (its `/.well-known/openid-configuration` is read).
    #[arg(long, env = "MSK_CONSOLE_OIDC_ISSUER", value_parser = parse_url)]
    pub oidc_issuer: Option<String>,

    /// The console's client id at the OpenID Connect provider. The redirect URI to
    /// register there is `<--public-url>/auth/callback`.
    #[arg(long, env = "MSK_CONSOLE_OIDC_CLIENT_ID")]
    pub oidc_client_id: Option<String>,

    /// The client secret (prefer --oidc-client-secret-file or the environment, so it
    /// stays out of process listings). None for a public client (PKCE only).
    #[arg(long, env = "MSK_CONSOLE_OIDC_CLIENT_SECRET", hide_env_values = true)]
    pub oidc_client_secret: Option<String>,

    /// A file holding the client secret.
    #[arg(long, env = "MSK_CONSOLE_OIDC_CLIENT_SECRET_FILE")]
    pub oidc_client_secret_file: Option<PathBuf>,

    /// Scopes asked for at sign-in, comma-separated (`openid` is always asked).
    #[arg(
        long,
        env = "MSK_CONSOLE_OIDC_SCOPES",
        value_delimiter = ',',
        default_value = "openid,email,profile"
    )]
    pub oidc_scopes: Vec<String>,

    /// The ID-token claim that lists the user's groups.
    #[arg(long, env = "MSK_CONSOLE_OIDC_GROUPS_CLAIM", default_value = "groups")]
    pub oidc_groups_claim: String,

    /// The key that encrypts session cookies (64 random bytes). Created on first start
    /// if missing; replicas must share it. Deleting it signs everyone out.
    #[arg(
        long,
        env = "MSK_CONSOLE_SESSION_KEY_FILE",
        default_value = "data/session.key"
    )]
    pub session_key_file: PathBuf,

    /// How long a sign-in lasts.
    #[arg(long, env = "MSK_CONSOLE_SESSION_TTL", default_value = "12h", value_parser = parse_duration)]
    pub session_ttl: Duration,

    /// Addresses (IPs or CIDR ranges, comma-separated) of the proxies whose identity
    /// headers are trusted with `--auth proxy`. Headers from anyone else are ignored.
    #[arg(long, env = "MSK_CONSOLE_TRUSTED_PROXY", value_delimiter = ',', value_parser = parse_net)]
    pub trusted_proxy: Vec<ipnet::IpNet>,

    /// The header that names the user, with `--auth proxy`.
    #[arg(
        long,
        env = "MSK_CONSOLE_PROXY_USER_HEADER",
        default_value = "X-Forwarded-User"
    )]
    pub proxy_user_header: String,

    /// The header that carries the user's email, with `--auth proxy`.
    #[arg(
        long,
        env = "MSK_CONSOLE_PROXY_EMAIL_HEADER",
        default_value = "X-Forwarded-Email"
    )]
    pub proxy_email_header: String,

    /// The header that lists the user's groups (comma-separated), with `--auth proxy`.
    #[arg(
        long,
        env = "MSK_CONSOLE_PROXY_GROUPS_HEADER",
        default_value = "X-Forwarded-Groups"
    )]
    pub proxy_groups_header: String,

    /// Who is an operator (may also start refreshes and probes): group names, emails or
    /// user names, comma-separated.
    #[arg(long, env = "MSK_CONSOLE_OPERATORS", value_delimiter = ',')]
    pub operators: Vec<String>,

    /// Who may use the console at all (groups, emails or user names, comma-separated).
    /// Empty: everyone who signs in is at least a viewer.
    #[arg(long, env = "MSK_CONSOLE_VIEWERS", value_delimiter = ',')]
    pub viewers: Vec<String>,

    /// Log filter, in tracing's EnvFilter syntax (`info`, `msk_console=debug,info`).
    #[arg(global = true, long, env = "MSK_CONSOLE_LOG", default_value = "info")]
    pub log: String,

    /// How log lines are written: `text` (for people; colour only on a terminal) or
    /// `json` (one object per line, for log shippers). Either way, no value from outside
    /// can break a line.
    #[arg(
        global = true,
        long,
        env = "MSK_CONSOLE_LOG_FORMAT",
        value_enum,
        default_value_t
    )]
    pub log_format: crate::logging::LogFormat,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// `--auth`: who may use the console.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthMode {
    None,
    Oidc,
    Proxy,
}

/// One-shot commands instead of serving.
#[derive(clap::Subcommand, Debug, Clone)]
pub enum Command {
    /// Manage the bearer tokens scripts and Prometheus authenticate with.
    #[command(subcommand)]
    Token(TokenCommand),
    /// List the live sign-in sessions (--auth oidc), or end a user's sessions.
    #[command(subcommand)]
    Sessions(SessionsCommand),
    /// Refresh the sources once and print every cluster (for cron jobs and CI).
    Clusters {
        /// `table` (tab-separated, with a header) or `json` (as `GET /api/clusters`).
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
        #[command(flatten)]
        filter: FilterArgs,
    },
    /// Refresh the sources once and print Prometheus file_sd `targets.json`.
    Targets {
        #[command(flatten)]
        filter: FilterArgs,
    },
    /// Refresh the sources once and print a `prometheus.yml` for the targets.
    PrometheusYml {
        /// `file` (reads a downloaded targets.json) or `http` (polls the console's
        /// http_sd endpoint at --public-url).
        #[arg(long, value_enum, default_value_t = Discovery::File)]
        sd: Discovery,
        #[command(flatten)]
        filter: FilterArgs,
    },
    /// Refresh the sources once and print Prometheus alerting rules for the targets.
    PrometheusRules {
        #[command(flatten)]
        filter: FilterArgs,
    },
    /// Refresh the sources once and print a cluster's Java `client.properties`.
    ClientProperties(ClientFileArgs),
    /// Refresh the sources once and print a cluster's librdkafka configuration.
    Librdkafka(ClientFileArgs),
}

/// Which clusters a many-cluster command covers: the cluster list's filters.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct FilterArgs {
    /// Words every listed cluster must match (as the list's filter box).
    #[arg(long = "filter")]
    pub q: Option<String>,
    /// Only clusters of this source.
    #[arg(long)]
    pub source: Option<String>,
    /// Only clusters in this region.
    #[arg(long)]
    pub region: Option<String>,
}

/// One cluster's client configuration file.
#[derive(clap::Args, Debug, Clone)]
pub struct ClientFileArgs {
    /// The cluster: its id, its ARN, or its name when no other cluster has that name.
    pub cluster: String,
    /// The auth mode: plaintext, tls, sasl-scram, sasl-iam, public-…, vpc-….
    #[arg(long, value_parser = parse_listener)]
    pub mode: app::model::Listener,
    /// A client option as `name=value` (the download's query parameters, such as
    /// `truststore_location=/etc/kafka/truststore.p12`); may be given several times.
    #[arg(long = "option", value_parser = parse_option)]
    pub options: Vec<(String, String)>,
}

/// How `msk-console clusters` prints.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListFormat {
    /// Tab-separated, with a header.
    Table,
    /// As `GET /api/clusters` answers.
    Json,
}

/// How a generated `prometheus.yml` finds its targets.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Discovery {
    /// Reads a downloaded targets.json.
    File,
    /// Polls the console's http_sd endpoint at --public-url.
    Http,
}

fn parse_listener(s: &str) -> Result<app::model::Listener, String> {
    s.parse()
}

fn parse_role(s: &str) -> Result<app::model::Role, String> {
    app::model::Role::parse(s)
}

fn parse_option(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.trim().to_string(), v.to_string()))
        .ok_or_else(|| format!("`{s}` is not name=value"))
}

#[derive(clap::Subcommand, Debug, Clone)]
pub enum TokenCommand {
    /// Create a token and print it (it is shown only this once).
    Create {
        /// A unique name that says who uses it (`prometheus`, `ci-nightly`).
        name: String,
        /// `viewer` (read) or `operator` (also refresh and probe).
        #[arg(long, value_parser = parse_role, default_value = "viewer")]
        role: app::model::Role,
        /// Expire it after this long (`90days`); default: never.
        #[arg(long, value_parser = parse_duration)]
        expires: Option<Duration>,
    },
    /// List the tokens (never their secrets).
    List,
    /// Revoke a token by name.
    Revoke { name: String },
}

#[derive(clap::Subcommand, Debug, Clone)]
pub enum SessionsCommand {
    /// List the live sessions: who, their role, when they signed in and until when.
    List,
    /// End every live session of a user (by user name); their cookies stop working.
    Revoke { user: String },
}

fn parse_net(s: &str) -> Result<ipnet::IpNet, String> {
    let s = s.trim();
    s.parse::<ipnet::IpNet>()
        .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("`{s}` is not an IP address or a CIDR range like 10.0.0.0/8"))
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(s)
        .map_err(|e| format!("`{s}` is not a duration like 30s or 5m: {e}"))?;
    if d.is_zero() {
        return Err("the duration must be more than zero".into());
    }
    Ok(d)
}

fn parse_url(s: &str) -> Result<String, String> {
    let uri: axum::http::Uri = s.parse().map_err(|e| format!("`{s}` is not a URL: {e}"))?;
    match (uri.scheme_str(), uri.authority()) {
        (Some("http" | "https"), Some(_)) => Ok(s.trim_end_matches('/').to_string()),
        _ => Err(format!("`{s}` must be an absolute http:// or https:// URL")),
    }
}

impl Config {
    /// A configuration with every default and no sources, for tests and embedding.
    pub fn for_tests() -> Config {
        Config::parse_from(["msk-console", "--no-aws"])
    }
}

/// A replica name: 1 to 128 printable characters, no line breaks or control characters
/// (it is shown on pages and written in the log).
fn parse_replica_name(s: &str) -> Result<String, String> {
    let s = s.trim();
    if s.is_empty() || s.chars().count() > 128 || s.chars().any(char::is_control) {
        return Err("give 1 to 128 printable characters".into());
    }
    Ok(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_documented_ones() {
        let c = Config::parse_from(["msk-console"]);
        assert_eq!(c.listen.to_string(), "127.0.0.1:3000");
        assert_eq!(c.refresh_interval, Duration::from_secs(300));
        assert_eq!(c.full_refresh_interval, Duration::from_secs(3600));
        assert_eq!(c.database_url, "sqlite://data/msk-console.db");
        assert_eq!(c.history_retention, Duration::from_secs(90 * 86_400));
    }

    #[test]
    fn bad_values_are_rejected_with_a_reason() {
        let e = Config::try_parse_from(["msk-console", "--listen", "nonsense"]).unwrap_err();
        assert!(e.to_string().contains("invalid socket address"), "{e}");
        let e = Config::try_parse_from(["msk-console", "--refresh-interval", "often"]).unwrap_err();
        assert!(e.to_string().contains("not a duration"), "{e}");
        let e = Config::try_parse_from(["msk-console", "--aws-concurrency", "0"]).unwrap_err();
        assert!(e.to_string().contains("--aws-concurrency"), "{e}");
    }

    #[test]
    fn endpoint_urls_are_absolute_http_urls_checked_at_start() {
        for flag in ["--aws-endpoint-url", "--cloudwatch-endpoint-url"] {
            for bad in [
                "http://127.0.0.1:4566\n",
                "http://127.0.0.1:4566\u{2028}",
                "http://127.0.0.1\r\n:4566",
                "http://127.0.0.1:4566/\u{7}",
                "/etc/passwd",
                "javascript:alert(1)",
                "127.0.0.1:4566",
                "http://<b>host</b>/",
                "",
            ] {
                let r = Config::try_parse_from(["msk-console", flag, bad]);
                assert!(r.is_err(), "{flag} {bad:?} was taken");
            }
            let c = Config::parse_from(["msk-console", flag, "http://127.0.0.1:4566/"]);
            let got = if flag == "--aws-endpoint-url" {
                c.aws_endpoint_url
            } else {
                c.cloudwatch_endpoint_url
            };
            assert_eq!(got.as_deref(), Some("http://127.0.0.1:4566"));
        }
    }

    #[test]
    fn a_replica_name_refuses_line_breaks_and_control_characters() {
        for bad in [
            "a\nb",
            "a\r\nb",
            "a\u{2028}b",
            "a\u{7}b",
            "",
            &"x".repeat(129),
        ] {
            let r = Config::try_parse_from(["msk-console", "--replica-name", bad]);
            // U+2028 is not a control character: it is kept, as text, like HTML is.
            if bad == "a\u{2028}b" {
                assert_eq!(r.unwrap().replica_name.as_deref(), Some(bad));
                continue;
            }
            let e = r.unwrap_err().to_string();
            assert!(e.contains("printable"), "{bad:?}: {e}");
        }
        let c = Config::parse_from(["msk-console", "--replica-name", "<b>r1</b>"]);
        assert_eq!(c.replica_name.as_deref(), Some("<b>r1</b>"));
    }

    #[test]
    fn lists_split_on_commas() {
        let c = Config::parse_from(["msk-console", "--aws-regions", "eu-west-1,us-east-1"]);
        assert_eq!(c.aws_regions, vec!["eu-west-1", "us-east-1"]);
    }
}
