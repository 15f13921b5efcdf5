//! Topics: a cluster's topics section (filtered and paged on the server, like the cluster
//! list: `?topics=FILTER&tpage=N`) and one topic's page (`/clusters/{id}/topics/{name}`):
//! its status, configuration (what differs from Kafka's defaults marked), partitions
//! (out-of-sync ones first) and its consumer groups' lag.

use leptos::prelude::*;

use crate::localtime::Time;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::{get_topic, get_topics};
use crate::components::{Badge, ErrorPanel};
use crate::model::judgement::behind;
use crate::model::topics::{TopicDetail, TopicsPage};

/// The link to a topic's page, for a name Kafka allows (`[A-Za-z0-9._-]`, safe in a
/// path); a name MSK sent that Kafka would not allow gets no link.
fn topic_href(cluster: &str, name: &str) -> Option<String> {
    crate::model::topics::TopicName::parse(name)
        .ok()
        .map(|n| format!("/clusters/{cluster}/topics/{n}"))
}

/// A configuration value on one line: line breaks and other control characters are
/// shown as escapes, so a value cannot forge a second `key=value` line.
fn one_line(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let hidden = c.is_control() || matches!(c, '\u{2028}' | '\u{2029}');
            let shown: Vec<char> = if hidden {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            shown
        })
        .collect()
}

/// The topics section of a cluster page.
#[component]
pub fn TopicsSection(id: String) -> impl IntoView {
    let (q, page) = use_query_map().with_untracked(|m| (m.get("topics"), m.get("tpage")));
    let topics = Resource::new(
        || (),
        move |_| get_topics(id.clone(), q.clone(), page.clone()),
    );
    view! {
        <section id="topics">
            <h2>"Topics"</h2>
            <Suspense fallback=|| view! { <p class="muted">"Loading the topics…"</p> }>
                {move || Suspend::new(async move {
                    match topics.await {
                        Ok(t) => view! { <TopicsList t/> }.into_any(),
                        Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn TopicsList(t: TopicsPage) -> impl IntoView {
    let TopicsPage {
        cluster_id,
        topics,
        filter,
        page,
        pages,
        matching,
        total,
        checked_at,
        problem,
        configs_problem,
        ..
    } = t;
    let filter_for_links = filter.clone();
    let href = move |p: usize| {
        let q = serde_urlencoded::to_string([
            ("topics", filter_for_links.as_str()),
            ("tpage", &p.to_string()),
        ])
        .unwrap_or_default();
        format!("?{q}#topics")
    };
    let pager = (pages > 1).then(|| {
        let prev = (page > 1).then(|| href(page - 1));
        let next = (page < pages).then(|| href(page + 1));
        view! {
            <nav class="pager" id="topic-pager" aria-label="Pages of topics">
                {prev.map(|h| view! { <a href=h rel="prev">"← Previous"</a> })}
                <span class="muted">{format!("Page {page} of {pages}")}</span>
                {next.map(|h| view! { <a href=h rel="next">"Next →"</a> })}
            </nav>
        }
    });
    let status = match (&checked_at, total) {
        (Some(at), _) => view! {
            {format!("{total} topic{} as MSK listed them ", if total == 1 { "" } else { "s" })}
            <Time at=at.clone() relative=true/>
            {if matching != total { format!("; {matching} match the filter.") } else { ".".to_string() }}
        }.into_any(),
        (None, _) => "MSK has not listed this cluster's topics yet.".into_any(),
    };
    let rows = topics
        .into_iter()
        .map(|s| {
            let href = topic_href(cluster_id.as_str(), &s.name);
            let oos = s.out_of_sync_replicas;
            view! {
                <tr data-topic=s.name.clone()>
                    <td>{match href {
                        Some(h) => view! { <a href=h>{s.name.clone()}</a> }.into_any(),
                        None => view! { <span>{s.name.clone()}</span> }.into_any(),
                    }}</td>
                    <td class="num">{s.partitions}</td>
                    <td class="num">{s.replication_factor}</td>
                    <td class="num">{if oos > 0 {
                        view! { <Badge text=format!("{oos} out of sync") tone="warn"/> }.into_any()
                    } else {
                        view! { <span class="muted">"0"</span> }.into_any()
                    }}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        {problem.map(|p| view! { <p class="banner info" id="topics-problem">{p}</p> })}
        {configs_problem.map(|p| view! { <p class="muted small" id="topic-configs-problem">{format!("Topic configurations are not recorded: {p}")}</p> })}
        <p class="muted small" id="topics-status">{status}</p>
        {(total > 0).then(|| view! {
            <form method="get" class="filter" role="search" action="#topics">
                <label for="topic-filter" class="visually-hidden">"Filter topics by name"</label>
                <input id="topic-filter" type="search" aria-keyshortcuts="/" name="topics" placeholder="Filter topics by name…" value=filter.clone()/>
                <button type="submit">"Filter"</button>
            </form>
            <div class="table-wrap">
            <table id="topic-table">
                <thead><tr><th>"Topic"</th><th>"Partitions"</th><th>"Replication factor"</th><th>"Out-of-sync replicas"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
            </div>
            {pager}
        })}
    }
}

/// `/clusters/{id}/topics/{name}`.
#[component]
pub fn TopicPage() -> impl IntoView {
    let (id, name) = use_params_map().with_untracked(|p| {
        (
            p.get("id").unwrap_or_default(),
            p.get("name").unwrap_or_default(),
        )
    });
    let topic = Resource::new(|| (), move |_| get_topic(id.clone(), name.clone()));
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading the topic…"</p> }>
            {move || Suspend::new(async move {
                match topic.await {
                    Ok(t) => view! { <Topic t/> }.into_any(),
                    Err(e) => view! { <Title text="Topic not found"/><ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Topic(t: TopicDetail) -> impl IntoView {
    let TopicDetail {
        cluster_id,
        cluster_name,
        summary,
        status,
        configs,
        configs_problem,
        partitions,
        consumers,
        checked_at,
    } = t;
    let back = format!("/clusters/{cluster_id}#topics");
    let tone = if status == "ACTIVE" { "ok" } else { "warn" };
    let oos = summary.out_of_sync_replicas;
    view! {
        <Title text=format!("{} · {cluster_name}", summary.name)/>
        <div class="page-head">
            <h1 id="topic-name">{summary.name.clone()}</h1>
            <p class="muted"><a href=back>{format!("← {cluster_name}")}</a></p>
        </div>
        <dl class="settings" id="topic-facts">
            <dt>"Status"</dt><dd><Badge text=status.clone() tone/></dd>
            <dt>"Partitions"</dt><dd>{summary.partitions}</dd>
            <dt>"Replication factor"</dt><dd>{summary.replication_factor}</dd>
            <dt>"Out-of-sync replicas"</dt><dd id="topic-oos">{oos}</dd>
            <dt>"Read from MSK"</dt><dd><Time at=checked_at relative=true/></dd>
        </dl>
        <section id="topic-config">
            <h2>"Configuration"</h2>
            {configs_problem.map(|p| view! { <p class="banner info">{p}</p> })}
            {(!configs.is_empty()).then(|| view! {
                <p class="muted small">"Values that differ from Kafka's defaults are marked."</p>
                <pre class="config" id="topic-config-text">{configs.iter().map(|e| {
                    let line = format!("{}={}", one_line(&e.key), one_line(&e.value));
                    match &e.default {
                        Some(d) => view! { <span class="changed" title=format!("Kafka's default: {}", one_line(d))>{line}" "<span class="muted">{format!("# default {d}")}</span></span>"\n" }.into_any(),
                        None => view! { <span>{line}</span>"\n" }.into_any(),
                    }
                }).collect_view()}</pre>
            })}
        </section>
        <section id="topic-partitions">
            <h2>"Partitions"</h2>
            <div class="table-wrap">
            <table id="partition-table" tabindex="0">
                <thead><tr><th>"Partition"</th><th>"Leader"</th><th>"Replicas"</th><th>"In sync"</th><th>"Out of sync"</th></tr></thead>
                <tbody>
                {partitions.into_iter().map(|p| {
                    let out = p.out_of_sync();
                    let ids = |v: &[u32]| v.iter().map(u32::to_string).collect::<Vec<_>>().join(", ");
                    view! {
                        <tr data-partition=p.partition.to_string() data-oos=(!out.is_empty()).then_some("")>
                            <td class="num">{p.partition}</td>
                            <td class="num">{p.leader.map(|l| l.to_string()).unwrap_or_else(|| "none (offline)".into())}</td>
                            <td>{ids(&p.replicas)}</td>
                            <td>{ids(&p.isr)}</td>
                            <td>{if out.is_empty() { view! { <span class="muted">"—"</span> }.into_any() } else { view! { <Badge text=ids(&out) tone="warn"/> }.into_any() }}</td>
                        </tr>
                    }
                }).collect_view()}
                </tbody>
            </table>
            </div>
        </section>
        <section id="topic-consumers">
            <h2>"Consumers"</h2>
            {if consumers.is_empty() {
                view! { <p class="muted small">"CloudWatch knows no consumer group reading this topic (groups show once they commit offsets; CloudWatch is read every --cloudwatch-interval)."</p> }.into_any()
            } else {
                view! {
                    <table id="consumer-table" tabindex="0">
                        <thead><tr><th>"Consumer group"</th><th>"Time behind"</th><th>"Offsets behind"</th><th>"Last hour"</th></tr></thead>
                        <tbody>
                        {consumers.into_iter().map(|l| view! {
                            <tr data-group=l.group.clone()>
                                <td>{l.group.clone()}</td>
                                <td class="num">{l.time_lag_seconds.as_ref().map(|d| behind(d.value)).unwrap_or_else(|| "—".into())}</td>
                                <td class="num">{l.max_offset_lag.as_ref().map(|d| d.value.to_string()).unwrap_or_else(|| "—".into())}</td>
                                <td><crate::components::LagSparkline points=l.recent.clone()/></td>
                            </tr>
                        }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}
