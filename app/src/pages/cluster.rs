//! One cluster's client information: the console's version of MSK's "View client
//! information" dialog. Every bootstrap string with its auth mode, port and purpose, the
//! ZooKeeper strings (or that the cluster runs KRaft), the brokers and their endpoints,
//! and the auth, encryption and monitoring settings.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::{get_cluster, ProbeExporters};
use crate::components::{Badge, CopyButton, ErrorPanel};
use crate::live::LivePage;
use crate::localtime::Time;
use crate::model::{
    is_express, Cluster, ClusterDetail, ClusterKind, Controller, ControllerReachability,
    ExporterProbe, MetadataMode, ProbeState, JMX_EXPORTER_PORT, NODE_EXPORTER_PORT,
};
use crate::model::{RecordedAt, SweepStatus};
use crate::pages::downloads::DownloadsPanel;

#[component]
pub fn ClusterPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").unwrap_or_default());
    // `?at=SNAPSHOT`: the cluster as the history recorded it then.
    let at = use_query_map()
        .with_untracked(|q| q.get("at"))
        .filter(|s| !s.is_empty());
    let cluster = Resource::new(|| (), move |_| get_cluster(id.clone(), at.clone()));
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading the cluster…"</p> }>
            {move || Suspend::new(async move {
                match cluster.await {
                    // While a probe runs, the page follows it.
                    Ok(d) => view! {
                        <LivePage every_ms=700>
                            <ClientInformation c=d.cluster recorded=d.recorded reachability=d.reachability health=d.health cloudwatch=d.cloudwatch sample=d.sample sweep=d.sweep/>
                        </LivePage>
                    }.into_any(),
                    Err(e) => view! { <Title text="Not found"/><ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The page's sections in a short bar that stays in view, and its history.
#[component]
fn SectionNav(items: Vec<(&'static str, &'static str)>, history: String) -> impl IntoView {
    view! {
        <nav class="section-nav" aria-label="Sections of this page">
            {items.into_iter().map(|(id, label)| view! { <a href=format!("#{id}")>{label}</a> }).collect_view()}
            <a href=history>"History"</a>
        </nav>
    }
}

fn on_off(b: bool) -> &'static str {
    if b {
        "Enabled"
    } else {
        "Off"
    }
}

#[component]
fn ClientInformation(
    c: Cluster,
    recorded: Option<RecordedAt>,
    reachability: Option<crate::model::ClusterReachability>,
    health: Option<crate::model::ClusterHealth>,
    cloudwatch: Option<crate::model::cloudwatch::CloudWatchReading>,
    sample: bool,
    sweep: SweepStatus,
) -> impl IntoView {
    let operate = crate::components::can_operate();
    let health_section = health
        .clone()
        .filter(|_| c.kind == ClusterKind::Serverless || c.brokers.is_empty())
        .map(|h| view! { <section id="health"><h2>"Health"</h2><HealthSummary h/></section> });
    let topics_section = (recorded.is_none() && c.kind != ClusterKind::SelfManaged)
        .then(|| view! { <crate::pages::topics::TopicsSection id=c.id.to_string()/> });
    let cloudwatch_section = (recorded.is_none())
        .then(|| view! { <CloudWatchSection c=c.clone() reading=cloudwatch.clone()/> });
    let at = recorded.as_ref().map(|r| r.snapshot);
    let state_tone = c.state.tone();
    let location = [
        Some(c.source.clone()),
        c.account.clone(),
        Some(c.region.clone()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let serverless = c.kind == ClusterKind::Serverless;
    // What the last sweep's connectivity check found, by listener (live state only: a
    // recorded state keeps none).
    let checks: Vec<crate::model::ListenerCheck> = reachability
        .as_ref()
        .filter(|_| recorded.is_none())
        .map(|r| r.listeners.clone())
        .unwrap_or_default();
    let checked_at = reachability.as_ref().map(|r| r.checked_at.clone());
    let has_downloads =
        !c.bootstrap.is_empty() || c.monitoring.jmx_exporter || c.monitoring.node_exporter;
    let sections: Vec<(&'static str, &'static str)> = [
        Some(("bootstrap", "Bootstrap")),
        has_downloads.then_some(("downloads", "Connect")),
        Some(("brokers", "Brokers")),
        topics_section.is_some().then_some(("topics", "Topics")),
        cloudwatch_section
            .is_some()
            .then_some(("cloudwatch", "CloudWatch")),
        (!c.links.is_empty()).then_some(("links", "Connections")),
        Some(("settings", "Settings")),
    ]
    .into_iter()
    .flatten()
    .collect();
    view! {
        <Title text=c.name.clone()/>
        <nav class="crumbs"><a href="/">"Clusters"</a> " / " {c.name.clone()}</nav>
        <div class="page-head">
            <h1>{c.name.clone()}</h1>
            <Badge text=c.kind.label() tone="neutral"/>
            <Badge text=c.state.to_string() tone=state_tone/>
            <a class="button secondary" id="history-link" href=format!("/clusters/{}/history", c.id)>"History"</a>
        </div>
        <SectionNav items=sections history=format!("/clusters/{}/history", c.id)/>
        {recorded.clone().map(|r| view! {
            <div class="banner info" id="recorded-banner">
                <strong>{format!("As recorded at snapshot {}", r.snapshot)}</strong>
                ": this state was first recorded " <Time at=r.since.clone()/> {format!("{}. ", if r.latest { " and is still the latest" } else { "" })}
                "Bootstrap strings, brokers and downloads below are from that state. "
                <a href=format!("/clusters/{}", c.id)>"Current state"</a> " · "
                <a href=format!("/clusters/{}/history", c.id)>"History"</a>
            </div>
        })}
        {sample.then(|| view! {
            <div class="banner info" id="sample-banner">
                <strong>"Sample data. "</strong>
                "This cluster is made up; its exporters and Kafka listeners are stand-ins the console serves on loopback addresses."
            </div>
        })}
        <p class="muted">{location}</p>
        <p class="arn"><code>{c.arn.clone()}</code> <CopyButton text=c.arn.clone() label="Copy ARN"/></p>
        {c.partial_error.clone().map(|e| view! {
            <div class="banner error">"Part of this cluster's information could not be fetched: " {e}</div>
        })}

        <section id="bootstrap">
            <h2>"Bootstrap servers"</h2>
            {if c.bootstrap.is_empty() {
                view! { <p class="empty">"MSK returned no bootstrap strings for this cluster. A cluster that is still being created has none yet."</p> }.into_any()
            } else {
                view! {
                    <table class="bootstrap" id="bootstrap-table">
                        <thead><tr><th>"Auth mode"</th><th>"Port"</th><th>"Bootstrap string"</th>
                            <th title=checked_at.clone().map(|t| format!("Checked {}", crate::localtime::utc_text(&t))).unwrap_or_default()>"Connects from here"</th></tr></thead>
                        <tbody>
                        {c.bootstrap.iter().map(|b| {
                            let ports = b.ports().iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", ");
                            let check = checks.iter().find(|l| l.listener == b.listener).cloned();
                            view! {
                                <tr data-listener=b.listener.slug()>
                                    <td class="auth-mode"><strong>{b.listener.label()}</strong>" "<span class="muted small">{b.listener.security_protocol()}</span>
                                        <div class="muted small purpose">{b.listener.purpose()}</div></td>
                                    <td class="num">{ports}</td>
                                    <td class="copyable"><code class="bootstrap-string">{b.servers.clone()}</code>
                                        <CopyButton text=b.servers.clone()/></td>
                                    {connect_cell(check)}
                                </tr>
                            }
                        }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>

        {has_downloads.then(|| {
            let c = c.clone();
            view! { <DownloadsPanel cluster=c at=at/> }.into_any()
        })}


        {if serverless {
            view! { <section id="brokers"><h2>"Brokers"</h2><p>"Serverless clusters have no brokers to address: clients use the bootstrap string. They have no open monitoring either."</p></section> }.into_any()
        } else if c.brokers.is_empty() && c.bootstrap.is_empty() {
            view! { <section id="brokers"><h2>"Brokers"</h2><p class="empty">"No broker nodes were listed for this cluster."</p></section> }.into_any()
        } else {
            // A recorded state has no probe to run.
            let live = recorded.is_none();
            let running = live && sweep.running;
            let d = ClusterDetail { cluster: c.clone(), reachability, health, cloudwatch: None, sample, sweep, recorded: recorded.clone() };
            view! {
                <section id="brokers" data-live="" data-busy=running.then_some("")>
                    <BrokerTable d operate=live && operate id=c.id.to_string()/>
                </section>
            }.into_any()
        }}
        {health_section}
        {topics_section}
        {cloudwatch_section}
        {(!c.links.is_empty()).then(|| view! { <LinksSection links=c.links.clone()/> })}

        <section id="settings">
            <h2>"Settings"</h2>
            <dl class="settings">
                <dt>"Kafka version"</dt><dd>{c.kafka_version.clone().unwrap_or_else(|| "managed by AWS".into())}</dd>
                <dt>"Metadata"</dt><dd>{match c.metadata { MetadataMode::ZooKeeper => "ZooKeeper", MetadataMode::KRaft => "KRaft", MetadataMode::Managed => "Managed by AWS" }}</dd>
                {c.instance_type.clone().map(|t| view! { <dt>"Broker type"</dt><dd>{t}</dd> })}
                {c.broker_count.map(|n| view! { <dt>"Brokers"</dt><dd>{n}</dd> })}
                <dt>"IAM"</dt><dd>{on_off(c.auth.iam)}</dd>
                <dt>"SASL/SCRAM"</dt><dd>{on_off(c.auth.scram)}</dd>
                <dt>"Mutual TLS"</dt><dd>{on_off(c.auth.tls)}</dd>
                <dt>"Unauthenticated"</dt><dd>{on_off(c.auth.unauthenticated)}</dd>
                <dt>"Encryption client–broker"</dt><dd>{c.encryption.client_broker.clone().unwrap_or_else(|| if serverless { "TLS".into() } else { "—".into() })}</dd>
                <dt>"Encryption in cluster"</dt><dd>{match c.encryption.in_cluster { Some(true) => "TLS", Some(false) => "Off", None => "—" }}</dd>
                <dt>"Public access"</dt><dd>{on_off(c.public_access)}</dd>
                <dt>{format!("JMX exporter (:{JMX_EXPORTER_PORT})")}</dt><dd>{on_off(c.monitoring.jmx_exporter)}</dd>
                <dt>{format!("Node exporter (:{NODE_EXPORTER_PORT})")}</dt><dd>{on_off(c.monitoring.node_exporter)}</dd>
                {c.created.clone().map(|t| view! { <dt>"Created"</dt><dd><Time at=t/></dd> })}
            </dl>
        </section>
        <section id="zookeeper-section">
            <h2>"ZooKeeper"</h2>
            {match (c.metadata, c.zookeeper.clone(), c.zookeeper_tls.clone()) {
                (MetadataMode::KRaft, _, _) => view! { <p id="zookeeper">"This cluster runs in KRaft mode: it has no ZooKeeper. Admin tools connect with "<code>"--bootstrap-server"</code>"."</p> }.into_any(),
                (MetadataMode::Managed, _, _) => view! { <p id="zookeeper">"Serverless clusters do not expose ZooKeeper."</p> }.into_any(),
                (_, zk, zk_tls) => view! {
                    <table id="zookeeper" tabindex="0">
                        <tbody>
                        {zk.map(|z| view! { <tr><th>"Plaintext (2181)"</th><td class="copyable"><code>{z.clone()}</code><CopyButton text=z/></td></tr> })}
                        {zk_tls.map(|z| view! { <tr><th>"TLS (2182)"</th><td class="copyable"><code>{z.clone()}</code><CopyButton text=z/></td></tr> })}
                        </tbody>
                    </table>
                }.into_any(),
            }}
        </section>
        <ClusterDetails c=c.clone()/>
    }
}

/// Who else connects: multi-VPC connections, MSK Replicator flows (with where CloudWatch
/// keeps their lag) and MSK Connect connectors.
#[component]
fn LinksSection(links: crate::model::Links) -> impl IntoView {
    let dash = |o: Option<String>| o.unwrap_or_else(|| "—".into());
    let patterns = |inc: &[String], exc: &[String]| {
        let mut s = if inc.is_empty() {
            "—".to_string()
        } else {
            inc.join(", ")
        };
        if !exc.is_empty() {
            s.push_str(&format!(" (except {})", exc.join(", ")));
        }
        s
    };
    view! {
        <section id="links">
            <h2>"Connections"</h2>
            {(!links.vpc_connections.is_empty()).then(|| view! {
                <h3>"Multi-VPC connections"</h3>
                <table id="vpc-connections" tabindex="0">
                    <thead><tr><th>"Connection"</th><th>"Client account"</th><th>"Client VPC"</th><th>"Auth"</th><th>"State"</th><th>"Created"</th></tr></thead>
                    <tbody>{links.vpc_connections.iter().map(|v| view! {
                        <tr data-state=v.state.clone()>
                            <td><code>{v.arn.clone()}</code></td>
                            <td>{dash(v.account.clone())}</td>
                            <td>{dash(v.vpc_id.clone())}</td>
                            <td>{dash(v.authentication.clone())}</td>
                            <td>{v.state.clone()}</td>
                            <td class="small">{match v.created.clone() { Some(t) => view! { <Time at=t/> }.into_any(), None => "—".into_any() }}</td>
                        </tr>
                    }).collect_view()}</tbody>
                </table>
            })}
            {(!links.replications.is_empty()).then(|| view! {
                <h3>"MSK Replicator"</h3>
                <table id="replications" tabindex="0">
                    <thead><tr><th>"Replicator"</th><th>"Flow"</th><th>"State"</th><th>"Topics"</th><th>"Consumer groups"</th></tr></thead>
                    <tbody>{links.replications.iter().map(|r| view! {
                        <tr data-direction=r.direction.label()>
                            <td>{r.name.clone()}
                                <div class="small muted">{format!(
                                    "Lag in CloudWatch: AWS/Kafka {} with ReplicatorName={} (the target's region)",
                                    crate::model::Replication::LAG_METRICS.join(", "),
                                    r.name
                                )}</div>
                            </td>
                            <td>{r.direction.label()} " "
                                <code>{r.peer_arn.clone().or(r.peer_alias.clone()).unwrap_or_else(|| "an unknown cluster".into())}</code></td>
                            <td>{r.state.clone()}{r.state_info.clone().map(|i| view! { <div class="small muted">{i}</div> })}</td>
                            <td>{patterns(&r.topics, &r.topics_excluded)}</td>
                            <td>{patterns(&r.groups, &r.groups_excluded)}</td>
                        </tr>
                    }).collect_view()}</tbody>
                </table>
            })}
            {(!links.connectors.is_empty()).then(|| view! {
                <h3>"MSK Connect connectors"</h3>
                <table id="connectors" tabindex="0">
                    <thead><tr><th>"Connector"</th><th>"State"</th><th>"Capacity"</th><th>"Plugins"</th><th>"Auth"</th></tr></thead>
                    <tbody>{links.connectors.iter().map(|k| view! {
                        <tr data-state=k.state.clone()>
                            <td>{k.name.clone()}<div class="small muted"><code>{k.arn.clone()}</code></div></td>
                            <td>{k.state.clone()}{k.state_info.clone().map(|i| view! { <div class="small muted">{i}</div> })}</td>
                            <td>{dash(k.capacity.clone())}</td>
                            <td>{if k.plugins.is_empty() { "—".into_any() } else { k.plugins.iter().map(|p| view! { <code>{p.clone()}</code> " " }).collect_view().into_any() }}</td>
                            <td>{dash(k.authentication.clone())}</td>
                        </tr>
                    }).collect_view()}</tbody>
                </table>
            })}
        </section>
    }
}

/// Tags, the settings beyond client information, the configuration, SCRAM secrets,
/// recent operations, and what the console could not look up.
#[component]
fn ClusterDetails(c: Cluster) -> impl IntoView {
    let s = c.settings.clone();
    let list = |v: &[String]| {
        if v.is_empty() {
            "—".to_string()
        } else {
            v.join(", ")
        }
    };
    let express = is_express(c.instance_type.as_deref());
    view! {
        {(!c.notes.is_empty()).then(|| view! {
            <div class="banner info" id="cluster-notes">
                {c.notes.iter().map(|n| view! { <p>{n.clone()}</p> }).collect_view()}
                <p class="hint">"The README's IAM policy lists every action the console calls."</p>
            </div>
        })}
        {(!c.tags.is_empty()).then(|| view! {
            <section id="tags">
                <h2>"Tags"</h2>
                <p class="tags">{c.tags.iter().map(|(k, v)| view! {
                    <a class="tag" href=format!("/?{}", serde_urlencoded::to_string([("q", format!("tag:{k}={v}"))]).unwrap_or_default())>
                        <code>{format!("{k}={v}")}</code>
                    </a> " "
                }).collect_view()}</p>
            </section>
        })}
        {(!s.is_empty() || express).then(|| view! {
            <section id="more-settings">
                <h2>"Operations settings"</h2>
                <dl class="settings">
                    {express.then(|| view! { <dt>"Broker kind"</dt><dd>"Express"</dd> })}
                    {s.state_info.clone().map(|i| view! { <dt>"State info"</dt><dd>{i}</dd> })}
                    <dt>"Enhanced monitoring"</dt><dd>{s.enhanced_monitoring.clone().unwrap_or_else(|| "—".into())}</dd>
                    <dt>"Broker logs"</dt><dd>{list(&s.log_delivery)}</dd>
                    <dt>"Storage"</dt><dd>{format!(
                        "{}{}{}",
                        s.storage_mode.clone().unwrap_or_else(|| "—".into()),
                        s.volume_size_gib.map(|v| format!(", {v} GiB EBS per broker")).unwrap_or_default(),
                        s.provisioned_throughput_mibps.map(|v| format!(", {v} MiB/s provisioned")).unwrap_or_default()
                    )}</dd>
                    <dt>"Network type"</dt><dd>{s.network_type.clone().unwrap_or_else(|| "—".into())}</dd>
                    <dt>"Multi-VPC connectivity"</dt><dd>{list(&s.vpc_connectivity)}</dd>
                    {(!s.certificate_authorities.is_empty()).then(|| view! {
                        <dt>"Mutual TLS CAs"</dt><dd>{s.certificate_authorities.iter().map(|a| view! { <code>{a.clone()}</code> " " }).collect_view()}</dd>
                    })}
                    {s.configuration_arn.clone().map(|a| view! {
                        <dt>"Configuration"</dt><dd><code>{a}</code>{s.configuration_revision.map(|r| format!(" revision {r}"))}</dd>
                    })}
                </dl>
                {s.server_properties.clone().map(|p| view! {
                    <details id="server-properties"><summary>"server.properties of this revision"</summary>
                        <pre class="preview">{p}</pre>
                    </details>
                })}
            </section>
        })}
        {(!c.scram_secrets.is_empty()).then(|| view! {
            <section id="scram-secrets">
                <h2>"SCRAM secrets"</h2>
                <p class="muted small">"Secrets Manager secrets associated with the cluster; the console never reads their values."</p>
                <ul>{c.scram_secrets.iter().map(|a| view! { <li><code>{a.clone()}</code></li> }).collect_view()}</ul>
            </section>
        })}
        {(!c.operations.is_empty()).then(|| view! {
            <section id="operations">
                <h2>"Recent operations"</h2>
                <table tabindex="0">
                    <thead><tr><th>"Operation"</th><th>"State"</th><th>"Started"</th><th>"Ended"</th></tr></thead>
                    <tbody>{c.operations.iter().map(|o| view! {
                        <tr><td>{o.operation_type.clone()}</td><td>{o.state.clone()}</td>
                            <td class="small">{match o.started.clone() { Some(t) => view! { <Time at=t/> }.into_any(), None => "—".into_any() }}</td>
                            <td class="small">{match o.ended.clone() { Some(t) => view! { <Time at=t/> }.into_any(), None => "—".into_any() }}</td></tr>
                    }).collect_view()}</tbody>
                </table>
            </section>
        })}
    }
}

fn probe_cell(p: &ExporterProbe) -> impl IntoView {
    let tone = match p.state {
        ProbeState::Up => "ok",
        ProbeState::Down => "bad",
        ProbeState::Off => "neutral",
        ProbeState::Unexpected => "warn",
    };
    let latency = p
        .latency_ms
        .filter(|_| p.state == ProbeState::Up || p.state == ProbeState::Unexpected)
        .map(|l| format!("{l} ms"));
    let note = p
        .detail
        .clone()
        .or_else(|| p.reason.clone())
        .unwrap_or_default();
    let title = format!(
        "{}: {}",
        p.target,
        p.reason
            .clone()
            .or_else(|| p.detail.clone())
            .unwrap_or_default()
    );
    view! {
        <td class="probe" data-state=p.state.label() title=title>
            <Badge text=p.state.label() tone=tone/>
            {latency.map(|l| view! { <span class="muted small">" " {l}</span> })}
            <div class="small muted reason">{note}</div>
        </td>
    }
}

/// Whether a client connects to a listener from where the console runs: the result in
/// one line, and each server's in a list.
fn connect_cell(check: Option<crate::model::ListenerCheck>) -> AnyView {
    let Some(check) = check else {
        return view! { <td class="connect muted small" data-connect="unchecked">"not checked yet"</td> }.into_any();
    };
    let (state, tone) = if check.ok() {
        ("ok", "ok")
    } else {
        ("failed", "bad")
    };
    // One line; each server's result is one click away, and a failure shows them at once.
    let headline = check.headline();
    let details = (check.servers.len() > 1).then(|| {
        view! {
            <details class="connect-servers" open=(!check.ok()).then_some("")>
                <summary class="small connect-summary">{headline.clone()}</summary>
                <ul class="small muted">
                    {check.servers.iter().map(|s| view! {
                        <li data-reached=format!("{:?}", s.reached).to_lowercase()><code>{s.server.clone()}</code>": "{s.message.clone()}</li>
                    }).collect_view()}
                </ul>
            </details>
        }
    });
    view! {
        <td class="connect" data-connect=state>
            <Badge text=if check.ok() { "connects" } else { "fails" } tone=tone/>
            {match details {
                Some(d) => d.into_any(),
                None => view! { <div class="small connect-summary">{headline}</div> }.into_any(),
            }}
        </td>
    }
    .into_any()
}

/// The brokers with their endpoints and what probing their exporters found, plus a
/// "Probe now" button (for an operator) that shows the probe's progress.
#[component]
fn BrokerTable(
    d: ClusterDetail,
    /// Whether to offer "Probe now".
    operate: bool,
    id: String,
) -> impl IntoView {
    let c = d.cluster;
    let running = d.sweep.running;
    let button = if running {
        format!("Probing… {}/{}", d.sweep.done, d.sweep.total)
    } else {
        "Probe now".to_string()
    };
    let checked = match &d.reachability {
        Some(_) if d.recorded.is_some() => "Exporters as recorded in this snapshot.".into_any(),
        None if d.recorded.is_some() => "The exporters had not been probed then.".into_any(),
        Some(r) => {
            view! { "Exporters last probed " <Time at=r.checked_at.clone() relative=true/> "." }
                .into_any()
        }
        None if running => "Probing the exporters…".into_any(),
        None => "The exporters have not been probed yet.".into_any(),
    };
    let judged_at = d.health.as_ref().and_then(|h| h.judged_at.clone());
    let broker_health = |id: u32| {
        d.health
            .as_ref()
            .and_then(|h| h.brokers.iter().find(|x| x.broker_id == Some(id)).cloned())
    };
    let rows: Vec<_> = c
        .brokers
        .iter()
        .map(|b| {
            let r = d
                .reachability
                .as_ref()
                .and_then(|r| r.brokers.iter().find(|x| x.broker_id == b.id).cloned());
            (b.clone(), r, broker_health(b.id))
        })
        .collect();
    let health = d.health.clone().map(|h| view! { <HealthSummary h/> });
    let controllers: Vec<_> = c
        .controllers
        .iter()
        .map(|k| {
            let r = d.reachability.as_ref().and_then(|r| {
                r.controllers
                    .iter()
                    .find(|x| Some(x.host.as_str()) == k.host())
                    .cloned()
            });
            (k.clone(), r)
        })
        .collect();
    let monitoring = format!(
        "Open monitoring: JMX exporter {}, node exporter {}.",
        if c.monitoring.jmx_exporter {
            "on"
        } else {
            "off"
        },
        if c.monitoring.node_exporter {
            "on"
        } else {
            "off"
        }
    );
    view! {
        <div class="page-head">
            <h2>"Brokers"</h2>
            {operate.then(|| view! {
                <form method="post" action=ProbeExporters::PATH class="inline-form" data-poll="">
                    <input type="hidden" name="cluster" value=id/>
                    <button type="submit" class="button" id="probe-button" disabled=running>{button}</button>
                </form>
            })}
        </div>
        <p class="muted small" id="probe-status">{checked} " " {monitoring}</p>
        {health}
        <table id="broker-table" tabindex="0">
            <thead><tr><th>"ID"</th><th>"Endpoints"</th><th>"Client VPC IP"</th>
                <th>{format!("JMX :{JMX_EXPORTER_PORT}")}</th><th>{format!("Node :{NODE_EXPORTER_PORT}")}</th><th>"Health"</th></tr></thead>
            <tbody>
            {rows.into_iter().map(|(b, r, h)| view! {
                <tr data-broker=b.id>
                    <td class="num">{b.id}</td>
                    <td>{b.endpoints.iter().map(|e| view! { <code>{e.clone()}</code> " " }).collect_view()}</td>
                    <td>{b.client_vpc_ip.clone().unwrap_or_else(|| "—".into())}</td>
                    {match r {
                        Some(r) => view! { {probe_cell(&r.jmx)} {probe_cell(&r.node)} }.into_any(),
                        None => view! { <td class="muted">"—"</td><td class="muted">"—"</td> }.into_any(),
                    }}
                    <td class="health-cell">{match h {
                        Some(h) => {
                            let from = figures_from(&h, judged_at.as_deref());
                            view! {
                                <span data-health=h.state.label()><Badge text=h.state.label() tone=crate::pages::coverage::health_tone(h.state)/></span>
                                <div class="small muted health-reason">{h.reasons.join("; ")}</div>
                                {(!from.is_empty()).then(|| view! { <div class="small muted figures-from">{from}</div> })}
                            }.into_any()
                        }
                        None => view! { <span class="muted">"—"</span> }.into_any(),
                    }}</td>
                </tr>
            }).collect_view()}
            </tbody>
        </table>
        {(!controllers.is_empty()).then(|| view! { <ControllerTable controllers/> })}
    }
}

/// A KRaft cluster's controllers: their names and what their JMX exporter answered
/// (controllers run no node exporter).
#[component]
fn ControllerTable(
    controllers: Vec<(Controller, Option<ControllerReachability>)>,
) -> impl IntoView {
    view! {
        <h3>"KRaft controllers"</h3>
        <table id="controller-table" tabindex="0">
            <thead><tr><th>"Endpoints"</th><th>{format!("JMX :{JMX_EXPORTER_PORT}")}</th></tr></thead>
            <tbody>
            {controllers.into_iter().map(|(k, r)| view! {
                <tr data-controller=k.host().unwrap_or_default().to_string()>
                    <td>{k.endpoints.iter().map(|e| view! { <code>{e.clone()}</code> " " }).collect_view()}</td>
                    {match r {
                        Some(r) => probe_cell(&r.jmx).into_any(),
                        None => view! { <td class="muted">"—"</td> }.into_any(),
                    }}
                </tr>
            }).collect_view()}
            </tbody>
        </table>
    }
}

/// Where a broker's figures came from: "Kafka figures from CloudWatch, 2 min old; host
/// figures from the node exporter" (empty when only the exporters were asked).
fn figures_from(h: &crate::model::BrokerHealth, judged_at: Option<&str>) -> String {
    use crate::model::FigureSource;
    let now = judged_at.unwrap_or_default();
    let cw = |o: &Option<crate::model::Origin>| {
        o.as_ref()
            .is_some_and(|o| o.source == FigureSource::CloudWatch)
    };
    if !cw(&h.kafka_from) && !cw(&h.host_from) {
        return String::new();
    }
    [
        h.kafka_from
            .as_ref()
            .map(|o| format!("Kafka figures {}", o.describe("JMX exporter", now))),
        h.host_from
            .as_ref()
            .map(|o| format!("host figures {}", o.describe("node exporter", now))),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("; ")
}

/// The cluster's health: its state, the cluster-wide figures with where they came from,
/// and every reason.
#[component]
fn HealthSummary(h: crate::model::ClusterHealth) -> impl IntoView {
    let figures = [
        h.active_controllers
            .map(|n| format!("{n} active controller{}", if n == 1 { "" } else { "s" })),
        h.offline_partitions
            .map(|n| format!("{n} offline partitions")),
        h.under_replicated.map(|n| format!("{n} under-replicated")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let from = h
        .cluster_from
        .as_ref()
        .map(|o| o.describe("JMX exporters", h.judged_at.as_deref().unwrap_or_default()));
    view! {
        <div class="health-summary" id="cluster-health" data-health=h.state.label()>
            <strong>"Health: "</strong>
            <Badge text=h.state.label() tone=crate::pages::coverage::health_tone(h.state)/>
            <span class="small muted">" " {figures}</span>
            {from.map(|f| view! { <span class="small muted" id="health-from">" (" {f} ")"</span> })}
            {(!h.reasons.is_empty()).then(|| view! {
                <ul class="health-reasons small">{h.reasons.iter().map(|r| view! { <li>{r.clone()}</li> }).collect_view()}</ul>
            })}
        </div>
    }
}

/// What CloudWatch says: which key metrics have alarms (and a template for the missing
/// ones), and how far behind each consumer group is.
#[component]
fn CloudWatchSection(
    c: Cluster,
    reading: Option<crate::model::cloudwatch::CloudWatchReading>,
) -> impl IntoView {
    let kind = crate::model::cloudwatch::MetricsKind::of(&c);
    let reading = reading.unwrap_or_default();
    let alarms = reading.alarms.clone();
    let mut lag = reading
        .metrics
        .as_ref()
        .map(|m| m.lag.clone())
        .unwrap_or_default();
    lag.sort_by(|a, b| {
        let s = |l: &crate::model::cloudwatch::ConsumerLag| {
            l.time_lag_seconds.as_ref().map(|d| d.value)
        };
        s(b).cmp(&s(a))
            .then_with(|| (&a.group, &a.topic).cmp(&(&b.group, &b.topic)))
    });
    let checked = reading.metrics.as_ref().map(|m| m.checked_at.clone());
    let template = format!("/clusters/{}/cloudwatch-alarms.yaml", c.id);
    view! {
        <section id="cloudwatch">
            <h2>"CloudWatch"</h2>
            <p class="muted small" id="cloudwatch-status">{match checked {
                Some(t) => view! { "AWS/Kafka metrics last read " <Time at=t relative=true/> "." }.into_any(),
                None => "CloudWatch has not been read for this cluster yet (or it is off: --no-cloudwatch).".into_any(),
            }}</p>
            {match alarms {
                Some(a) => {
                    let missing: Vec<String> = a.missing().iter().map(|m| m.to_string()).collect();
                    view! {
                        <h3>"Alarms on the key metrics: " <span id="alarm-coverage">{a.summary()}</span></h3>
                        <table id="alarm-table" tabindex="0">
                            <thead><tr><th>"Metric"</th><th>"Alarms"</th></tr></thead>
                            <tbody>
                            {a.key.iter().map(|k| view! {
                                <tr data-metric=k.metric.clone()>
                                    <td><code>{k.metric.clone()}</code></td>
                                    <td>{if k.alarms.is_empty() {
                                        view! { <span class="badge bad">"none: nobody would be told"</span> }.into_any()
                                    } else {
                                        k.alarms.iter().map(|al| view! {
                                            <span class="alarm" data-state=al.state.label()>{al.name.clone()} " (" {al.state.label()} ") "</span>
                                        }).collect_view().into_any()
                                    }}</td>
                                </tr>
                            }).collect_view()}
                            </tbody>
                        </table>
                        {(!missing.is_empty()).then(|| view! {
                            <p class="small">"Missing: " {missing.join(", ")} ". "
                                <a href=template.clone() id="alarm-template" download="">"CloudFormation template for the missing alarms"</a>
                                " (its thresholds are the console's own health rules; give it your SNS topic's ARN)."</p>
                        })}
                    }.into_any()
                }
                None => view! { <p class="muted small" id="alarm-coverage">{format!("Alarms not read yet; the key metrics for this kind of cluster: {}.", kind.key_alarm_metrics().join(", "))}</p> }.into_any(),
            }}
            {(!lag.is_empty()).then(|| view! {
                <h3 id="consumers">"Consumers"</h3>
                <table id="lag-table" tabindex="0">
                    <thead><tr><th>"Consumer group"</th><th>"Topic"</th><th>"Time behind"</th><th>"Offsets behind"</th><th>"Last hour"</th></tr></thead>
                    <tbody>
                    {lag.into_iter().map(|l| view! {
                        <tr data-group=l.group.clone()>
                            <td>{l.group.clone()}</td>
                            <td>{match crate::model::topics::TopicName::parse(&l.topic) {
                                Ok(n) => view! { <a href=format!("/clusters/{}/topics/{n}", c.id)>{l.topic.clone()}</a> }.into_any(),
                                Err(_) => view! { <span>{l.topic.clone()}</span> }.into_any(),
                            }}</td>
                            <td class="num">{l.time_lag_seconds.as_ref().map(|d| crate::model::judgement::behind(d.value)).unwrap_or_else(|| "—".into())}</td>
                            <td class="num">{l.max_offset_lag.as_ref().map(|d| d.value.to_string()).unwrap_or_else(|| "—".into())}</td>
                            <td><crate::components::LagSparkline points=l.recent.clone()/></td>
                        </tr>
                    }).collect_view()}
                    </tbody>
                </table>
            })}
        </section>
    }
}
