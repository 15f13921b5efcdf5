//! One-shot subcommands for cron jobs and CI: refresh the configured sources once (the
//! same source flags and files as the server), print one thing to stdout, exit.
//!
//! ```sh
//! msk-console clusters --format json
//! msk-console targets --source prod > targets.json
//! msk-console client-properties orders-prod --mode sasl-iam > client.properties
//! msk-console prometheus-yml --sd http --public-url https://msk.example.com
//! msk-console prometheus-rules > msk-rules.yml
//! ```
//!
//! They go through the same service as the pages and the API. They keep no state: the
//! database is a private in-memory one (nothing is recorded, `--database-url` is not
//! touched), nothing is probed. A source that fails to list, an unknown cluster or a bad
//! option prints one line on stderr and exits 1, and nothing on stdout, so
//! `… > targets.json` never leaves a file that silently lacks a source's clusters.

use app::generate::client::{ClientOptions, OptionField};
use app::generate::FileKind;
use app::model::{ClusterListing, Selection};
use app::params::ClusterKey;

use crate::config::{ClientFileArgs, Command, Config, Discovery, FilterArgs, ListFormat};
use crate::core::{sources_of, Core};

/// Runs one of the one-shot commands; `Err` is the one-line reason.
pub async fn run(config: &Config, command: &Command) -> Result<String, String> {
    let sources = sources_of(config).map_err(|e| e.to_string())?;
    let core = Core::quiet(config, sources)
        .await
        .map_err(|e| e.to_string())?;
    let out = refreshed_then(&core, config, command).await;
    core.background.stop().await;
    out
}

async fn refreshed_then(core: &Core, config: &Config, command: &Command) -> Result<String, String> {
    let mut rx = core.inventory.subscribe();
    // Every call of a refresh has its own time limit (with retries); this bounds the
    // whole in case a source hangs in a way those do not catch.
    let limit = config.aws_timeout * 4 + std::time::Duration::from_secs(10);
    let inv = tokio::time::timeout(limit, rx.wait_for(|i| i.refresh.generation >= 1))
        .await
        .map_err(|_| format!("the sources did not finish listing within {limit:?}"))?
        .map_err(|_| "the inventory stopped".to_string())?
        .clone();
    if let Some((s, e)) = inv
        .sources
        .iter()
        .find_map(|s| s.error.as_ref().map(|e| (s, e)))
    {
        return Err(format!(
            "source {} ({}): {} {}",
            s.source, s.region, e.message, e.hint
        ));
    }
    let console = &core.console;
    let e = |e: app::error::AppError| e.to_string();
    match command {
        Command::Token(_) | Command::Sessions(_) => Err("not a one-shot command".into()),
        Command::Clusters { format, filter } => {
            let listing = console.listing(&selection(filter)?, false).map_err(e)?;
            match format {
                ListFormat::Json => serde_json::to_string_pretty(&listing)
                    .map(|s| s + "\n")
                    .map_err(|e| e.to_string()),
                ListFormat::Table => Ok(table(&listing)),
            }
        }
        Command::Targets { filter } => console.targets_json(&selection(filter)?).map_err(e),
        Command::PrometheusYml { sd, filter } => {
            let kind = match sd {
                Discovery::File => FileKind::PrometheusFileSd,
                Discovery::Http => FileKind::PrometheusHttpSd,
            };
            if kind == FileKind::PrometheusHttpSd && config.public_url.is_none() {
                return Err(
                    "--sd http needs --public-url: where Prometheus reaches the console".into(),
                );
            }
            console
                .prometheus_yml(&selection(filter)?, kind, None)
                .map_err(e)
        }
        Command::PrometheusRules { filter } => {
            console.prometheus_rules(&selection(filter)?).map_err(e)
        }
        Command::ClientProperties(args) => {
            client_file(core, args, FileKind::ClientProperties).await
        }
        Command::Librdkafka(args) => client_file(core, args, FileKind::Librdkafka).await,
    }
}

fn selection(f: &FilterArgs) -> Result<Selection, String> {
    Selection::parse(
        None,
        f.q.as_deref(),
        f.source.as_deref(),
        f.region.as_deref(),
    )
    .map_err(|e| e.to_string())
}

/// Tab-separated rows with a header; tabs and line breaks inside values become spaces.
fn table(listing: &ClusterListing) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
                    ' '
                } else {
                    c
                }
            })
            .collect()
    };
    let mut out =
        String::from("id\tname\tsource\tregion\tkind\tstate\tkafka\tbrokers\tauth\thealth\n");
    for r in &listing.clusters {
        let s = &r.summary;
        let fields = [
            s.id.to_string(),
            s.name.clone(),
            s.source.clone(),
            s.region.clone(),
            s.kind.label().to_string(),
            s.state.to_string(),
            s.kafka_version.clone().unwrap_or_default(),
            s.brokers.map(|b| b.to_string()).unwrap_or_default(),
            s.auth.clone(),
            s.health.map(|h| h.label().to_string()).unwrap_or_default(),
        ];
        let line: Vec<String> = fields.iter().map(|f| clean(f)).collect();
        out.push_str(&line.join("\t"));
        out.push('\n');
    }
    out
}

/// A cluster named by id, ARN, or (when no other cluster has it) its name.
fn cluster_key(core: &Core, named: &str) -> Result<ClusterKey, String> {
    let inv = core.inventory.inventory();
    if let Ok(key) = ClusterKey::parse(named) {
        if inv.find(&key).is_ok() {
            return Ok(key);
        }
    }
    let same: Vec<&app::model::Cluster> = inv.clusters.iter().filter(|c| c.name == named).collect();
    match same.as_slice() {
        [one] => ClusterKey::parse(&one.id).map_err(|e| e.to_string()),
        [] => Err(format!(
            "no cluster has the id, ARN or name `{named}`; `msk-console clusters` lists them"
        )),
        many => Err(format!(
            "{} clusters are named `{named}`; give one of their ids: {}",
            many.len(),
            many.iter()
                .map(|c| c.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

async fn client_file(core: &Core, args: &ClientFileArgs, kind: FileKind) -> Result<String, String> {
    let key = cluster_key(core, &args.cluster)?;
    let mut options = ClientOptions::default();
    for (name, value) in &args.options {
        let field = OptionField::from_name(name).ok_or_else(|| {
            let known: Vec<&str> = OptionField::ALL
                .into_iter()
                .map(OptionField::name)
                .collect();
            format!(
                "unknown option `{name}`; known options are {}",
                known.join(", ")
            )
        })?;
        options.set(field, value.clone());
    }
    core.console
        .cluster_file(&key, kind, Some(args.mode), &options, None, None)
        .await
        .map(|r| r.body)
        .map_err(|e| e.to_string())
}
