//! The history pages: what changed, when, at a glance.
//!
//! - `/history`: every change across all clusters, newest first, filterable by cluster,
//!   source and kind, paged with "Older changes", under a chart of monitoring coverage
//!   over time.
//! - `/clusters/:id/history`: one cluster's timeline under a chart of its brokers and
//!   answering exporters, with a form to compare any two of its snapshots.
//! - `/clusters/:id/diff?from=&to=`: what differs between two snapshots, field by field.
//!
//! Filters and the compare form are plain GET forms, links are links and the charts
//! are SVG rendered on the server, so all of it works without JavaScript.

use leptos::prelude::*;

use crate::localtime::Time;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::{get_changes, get_cluster_diff, get_cluster_history};
use crate::chart::{Chart, CHART_H, CHART_W};
use crate::components::{Badge, ErrorPanel};
use crate::history::{ChangeEntry, ChangeKind, ChangesPage, ClusterDiff, ClusterHistory, Version};

/// A query-string value, `None` when absent or empty.
fn param(q: &leptos_router::params::ParamsMap, k: &str) -> Option<String> {
    q.get(k).filter(|v| !v.trim().is_empty())
}

fn kind_tone(k: ChangeKind) -> &'static str {
    match k {
        ChangeKind::Added => "ok",
        ChangeKind::Removed => "bad",
        ChangeKind::Reachability | ChangeKind::State => "warn",
        _ => "neutral",
    }
}

/// A step chart as inline SVG, with its legend.
#[component]
pub fn ChartView(chart: Chart, #[prop(into)] id: String) -> impl IntoView {
    if chart.is_empty() {
        return view! { <p class="empty" id=id>"Nothing to chart yet: the first snapshot is recorded after the first refresh."</p> }.into_any();
    }
    let unit = chart.unit.clone();
    let max_label = format!("{}{unit}", chart.y_max.round());
    let mid_label = format!("{}{unit}", (chart.y_max / 2.0 * 10.0).round() / 10.0);
    // Each series in words: the legend (so the numbers are there for every reader) and
    // the SVG's text alternative.
    let paths: Vec<(String, String, String)> = chart
        .series
        .iter()
        .filter_map(|s| Some((s.class.clone(), chart.step_path(s), chart.in_words(s)?)))
        .collect();
    let legend = paths.clone();
    let title = chart.title.clone();
    let alt = format!(
        "{title}, {} to {}. {}.",
        chart.start_label,
        chart.end_label,
        paths
            .iter()
            .map(|(_, _, w)| w.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    );
    view! {
        <figure class="chart" id=id>
            <figcaption>{title.clone()}</figcaption>
            <svg viewBox=format!("-48 -10 {} {}", CHART_W + 60.0, CHART_H + 34.0) role="img" aria-label=alt
                preserveAspectRatio="xMidYMid meet">
                <line class="grid" x1="0" y1="0" x2=CHART_W.to_string() y2="0"/>
                <line class="grid" x1="0" y1=(CHART_H / 2.0).to_string() x2=CHART_W.to_string() y2=(CHART_H / 2.0).to_string()/>
                <line class="axis-line" x1="0" y1=CHART_H.to_string() x2=CHART_W.to_string() y2=CHART_H.to_string()/>
                <text class="axis" x="-6" y="4" text-anchor="end">{max_label}</text>
                <text class="axis" x="-6" y=(CHART_H / 2.0 + 4.0).to_string() text-anchor="end">{mid_label}</text>
                <text class="axis" x="-6" y=(CHART_H + 4.0).to_string() text-anchor="end">{format!("0{unit}")}</text>
                {paths.into_iter().map(|(class, d, label)| view! {
                    <path class=format!("series {class}") d=d><title>{label}</title></path>
                }).collect_view()}
                <text class="axis" x="0" y=(CHART_H + 20.0).to_string()>{chart.start_label.clone()}</text>
                <text class="axis" x=CHART_W.to_string() y=(CHART_H + 20.0).to_string() text-anchor="end">{chart.end_label.clone()}</text>
            </svg>
            <ul class="legend">
                {legend.into_iter().map(|(class, _, label)| view! {
                    <li><span class=format!("swatch {class}")></span>{label}</li>
                }).collect_view()}
            </ul>
        </figure>
    }
    .into_any()
}

/// Timeline rows; `show_cluster` adds the cluster column (the global timeline).
#[component]
fn Timeline(entries: Vec<ChangeEntry>, show_cluster: bool) -> impl IntoView {
    if entries.is_empty() {
        return view! { <p class="empty" id="timeline-empty">"No changes match."</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
        <table id="timeline" class="timeline" tabindex="0">
            <thead><tr><th>"When"</th>{show_cluster.then(|| view! { <th>"Cluster"</th> })}<th>"What changed"</th><th>"Kinds"</th><th></th></tr></thead>
            <tbody>
            {entries.into_iter().map(|e| {
                let diff = format!("/clusters/{}/diff?to={}", e.cluster_id, e.snapshot);
                let removed = e.kinds.contains(&ChangeKind::Removed);
                let at = format!("/clusters/{}?at={}", e.cluster_id, e.snapshot);
                view! {
                    <tr data-change=e.id data-cluster=e.cluster_id.clone()>
                        <td class="small nowrap"><Time at=e.at.clone()/><div class="muted">{format!("snapshot {} · {}", e.snapshot, e.trigger)}</div></td>
                        {show_cluster.then(|| view! {
                            <td><a href=format!("/clusters/{}/history", e.cluster_id)>{e.cluster_name.clone()}</a>
                                <div class="muted small">{format!("{} · {}", e.source, e.region)}</div></td>
                        })}
                        <td><a class="change-link" href=diff>{e.summary.clone()}</a></td>
                        <td>{e.kinds.iter().map(|k| view! { <Badge text=k.label() tone=kind_tone(*k)/> " " }).collect_view()}</td>
                        <td class="small nowrap">{(!removed).then(|| view! { <a href=at>"client info then"</a> })}</td>
                    </tr>
                }
            }).collect_view()}
            </tbody>
        </table>
        </div>
    }
    .into_any()
}

#[component]
pub fn HistoryPage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(
        move || {
            query.with(|q| {
                (
                    param(q, "cluster"),
                    param(q, "source"),
                    param(q, "kind"),
                    param(q, "before"),
                )
            })
        },
        |(c, s, k, b)| get_changes(c, s, k, b),
    );
    let activity = Resource::new(|| (), |_| crate::api::get_activity());
    view! {
        <Title text="History"/>
        <Suspense fallback=|| view! { <h1>"History"</h1><p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(p) => view! { <HistoryView p/> }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Suspense>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                activity.await.ok().map(|events| view! { <Activity events/> })
            })}
        </Suspense>
    }
}

/// Who signed in or out and who started refreshes and probes, newest first.
#[component]
fn Activity(events: Vec<crate::model::AuditEvent>) -> impl IntoView {
    view! {
        <section id="activity">
            <h2>"Recent activity"</h2>
            {if events.is_empty() {
                view! { <p class="muted small">"Nobody has signed in or started a refresh or a probe yet."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                    <table id="activity-table" tabindex="0">
                        <thead><tr><th>"When"</th><th>"Who"</th><th>"What"</th></tr></thead>
                        <tbody>
                        {events.into_iter().map(|e| {
                            let what = match e.action.as_str() {
                                "sign_in" => format!("signed in {}", e.detail),
                                "sign_out" => "signed out".to_string(),
                                "refresh" => format!("started a refresh of {}", e.detail),
                                "probe" => format!("started a probe of {}", e.detail),
                                other => format!("{other} {}", e.detail),
                            };
                            view! {
                                <tr data-action=e.action.clone()>
                                    <td class="nowrap small"><Time at=e.at/></td>
                                    <td class="actor">{e.actor}</td>
                                    <td>{what}</td>
                                </tr>
                            }
                        }).collect_view()}
                        </tbody>
                    </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn HistoryView(p: ChangesPage) -> impl IntoView {
    let query = use_query_map();
    let (cluster, source, kind) = query.with_untracked(|q| {
        (
            param(q, "cluster").unwrap_or_default(),
            param(q, "source").unwrap_or_default(),
            param(q, "kind").unwrap_or_default(),
        )
    });
    // Paging keeps the filters; only non-empty ones go into the link.
    let link = |before: Option<i64>| {
        let before = before.map(|b| b.to_string()).unwrap_or_default();
        let pairs: Vec<(&str, &str)> = [
            ("cluster", cluster.as_str()),
            ("source", source.as_str()),
            ("kind", kind.as_str()),
            ("before", before.as_str()),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
        match serde_urlencoded::to_string(pairs).unwrap_or_default() {
            qs if qs.is_empty() => "/history".to_string(),
            qs => format!("/history?{qs}"),
        }
    };
    let next = p.next_before.map(|b| link(Some(b)));
    let newest = link(None);
    let paged = query.with_untracked(|q| param(q, "before").is_some());
    let stats = p.stats.clone();
    let checked = match (&stats.first_at, &stats.last_checked_at) {
        (Some(f), Some(l)) => view! {
            {format!("{} snapshots with changes from {} checks since ", stats.snapshots, stats.checks)}
            <Time at=f.clone()/> "; last checked " <Time at=l.clone() relative=true/>
            {format!(". Kept for {} days.", stats.retention_days)}
        }.into_any(),
        _ => "Nothing recorded yet: the first snapshot is taken when the first refresh ends.".into_any(),
    };
    view! {
        <div class="page-head"><h1>"History"</h1></div>
        <p class="muted small" id="history-stats">{checked}</p>
        <ChartView chart=p.chart.clone() id="coverage-chart"/>
        <form method="get" action="/history" class="filter download-form" id="history-filter">
            <div class="fields">
                <label class="field"><span>"Cluster"</span>
                    <select name="cluster">
                        <option value="" selected=cluster.is_empty()>"All"</option>
                        {p.clusters.iter().map(|c| view! {
                            <option value=c.id.clone() selected=c.id == cluster>{format!("{} ({})", c.name, c.region)}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label class="field"><span>"Source"</span>
                    <select name="source">
                        <option value="" selected=source.is_empty()>"All"</option>
                        {p.sources.iter().map(|s| view! {
                            <option value=s.clone() selected=*s == source>{s.clone()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label class="field"><span>"Kind of change"</span>
                    <select name="kind">
                        <option value="" selected=kind.is_empty()>"All"</option>
                        {ChangeKind::ALL.into_iter().map(|k| view! {
                            <option value=k.slug() selected=k.slug() == kind>{k.label()}</option>
                        }).collect_view()}
                    </select>
                </label>
            </div>
            <button type="submit" class="button">"Filter"</button>
        </form>
        <Timeline entries=p.entries show_cluster=true/>
        <p class="pager">
            {paged.then(|| view! { <a href=newest>"Newest changes"</a> " " })}
            {next.map(|n| view! { <a id="older" class="button secondary" href=n>"Older changes"</a> })}
        </p>
    }
}

#[component]
pub fn ClusterHistoryPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let data = Resource::new(
        move || {
            (
                params.with(|p| p.get("id").unwrap_or_default()),
                query.with(|q| param(q, "before")),
                query.with(|q| param(q, "limit")),
            )
        },
        |(id, before, limit)| get_cluster_history(id, before, limit),
    );
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading the history…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(h) => {
                        let limit = query.with_untracked(|q| param(q, "limit"));
                        view! { <ClusterHistoryView h limit/> }.into_any()
                    }
                    Err(e) => view! { <Title text="Not found"/><ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The two selects that pick snapshots to compare.
#[component]
fn CompareForm(
    id: String,
    versions: Vec<Version>,
    from: Option<i64>,
    to: Option<i64>,
) -> impl IntoView {
    let option = move |v: &Version, chosen: Option<i64>| {
        let label = format!(
            "#{} · {} · {}",
            v.snapshot,
            crate::localtime::utc_text(&v.at),
            v.summary.chars().take(60).collect::<String>()
        );
        view! { <option value=v.snapshot.to_string() selected=chosen == Some(v.snapshot)>{label}</option> }
    };
    let from_opts = versions.iter().map(|v| option(v, from)).collect_view();
    let to_opts = versions.iter().map(|v| option(v, to)).collect_view();
    view! {
        <form method="get" action=format!("/clusters/{id}/diff") class="download-form" id="compare-form">
            <div class="fields">
                <label class="field"><span>"From snapshot"</span>
                    <select name="from" id="compare-from">
                        <option value="" selected=from.is_none()>"The one before “to”"</option>
                        {from_opts}
                    </select>
                </label>
                <label class="field"><span>"To snapshot"</span>
                    <select name="to" id="compare-to">{to_opts}</select>
                </label>
            </div>
            <button type="submit" class="button">"Compare"</button>
        </form>
    }
}

#[component]
fn ClusterHistoryView(h: ClusterHistory, limit: Option<String>) -> impl IntoView {
    let id = h.cluster_id.clone();
    let export = format!("/clusters/{id}/history.json");
    // The next page keeps the page size asked for.
    let next = h.next_before.map(|b| {
        let mut pairs = vec![("before", b.to_string())];
        pairs.extend(limit.map(|l| ("limit", l)));
        format!(
            "/clusters/{id}/history?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    });
    let latest = h.versions.first().map(|v| v.snapshot);
    view! {
        <Title text=format!("{} history", h.cluster_name)/>
        <nav class="crumbs"><a href="/">"Clusters"</a> " / "
            {if h.current {
                view! { <a href=format!("/clusters/{id}")>{h.cluster_name.clone()}</a> }.into_any()
            } else {
                view! { <span>{h.cluster_name.clone()}</span> }.into_any()
            }}
            " / history"</nav>
        <div class="page-head">
            <h1>{format!("{}: history", h.cluster_name)}</h1>
            {(!h.current).then(|| view! { <Badge text="not in the inventory now" tone="bad"/> })}
            <a class="button secondary" id="export-link" href=export download="">"Export JSON"</a>
        </div>
        <p class="muted">{format!("{} · {}", h.source, h.region)}</p>
        <ChartView chart=h.chart.clone() id="cluster-chart"/>
        <section>
            <h2>"Compare two snapshots"</h2>
            <CompareForm id=id.clone() versions=h.versions.clone() from=None to=latest/>
        </section>
        <section>
            <h2>"Timeline"</h2>
            <Timeline entries=h.entries show_cluster=false/>
            <p class="pager">{next.map(|n| view! { <a id="older" class="button secondary" href=n>"Older changes"</a> })}</p>
        </section>
    }
}

#[component]
pub fn DiffPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let data = Resource::new(
        move || {
            (
                params.with(|p| p.get("id").unwrap_or_default()),
                query.with(|q| param(q, "from")),
                query.with(|q| param(q, "to")),
            )
        },
        |(id, from, to)| get_cluster_diff(id, from, to),
    );
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Comparing…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <DiffView d/> }.into_any(),
                    Err(e) => view! { <Title text="Not found"/><ErrorPanel error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn side(id: &str, v: &Option<Version>) -> impl IntoView {
    match v {
        None => {
            view! { <span class="muted">"before the cluster was first recorded"</span> }.into_any()
        }
        Some(v) => {
            let link = (!v.removed).then(|| {
                view! { " · " <a href=format!("/clusters/{id}?at={}", v.snapshot)>"client info then"</a> }
            });
            view! { <span>{format!("snapshot {} (", v.snapshot)}<Time at=v.at.clone()/>")"</span> {link} }.into_any()
        }
    }
}

#[component]
fn DiffView(d: ClusterDiff) -> impl IntoView {
    let id = d.cluster_id.clone();
    let from = d.from.as_ref().map(|v| v.snapshot);
    let count = d.entries.len();
    view! {
        <Title text=format!("{} diff", d.cluster_name)/>
        <nav class="crumbs"><a href="/">"Clusters"</a> " / "
            <a href=format!("/clusters/{id}/history")>{format!("{} history", d.cluster_name)}</a> " / diff"</nav>
        <h1>{format!("{}: what changed", d.cluster_name)}</h1>
        <dl class="settings" id="diff-sides">
            <dt>"From"</dt><dd>{side(&id, &d.from)}</dd>
            <dt>"To"</dt><dd>{side(&id, &Some(d.to.clone()))}</dd>
        </dl>
        <CompareForm id=id.clone() versions=d.versions.clone() from=from to=Some(d.to.snapshot)/>
        {if d.entries.is_empty() {
            view! { <p class="empty" id="diff-empty">"The two snapshots record the same state."</p> }.into_any()
        } else {
            view! {
                <p class="muted small">{format!("{count} difference{}", if count == 1 { "" } else { "s" })}</p>
                <div class="table-wrap">
                <table id="diff-table" class="diff" tabindex="0">
                    <thead><tr><th>"Kind"</th><th>"What"</th><th>"Before"</th><th>"After"</th></tr></thead>
                    <tbody>
                    {d.entries.into_iter().map(|e| view! {
                        <tr data-kind=e.kind.slug()>
                            <td><Badge text=e.kind.label() tone=kind_tone(e.kind)/></td>
                            <td>{e.subject.clone()}</td>
                            <td class="before">{match e.before { Some(b) => view! { <code>{b}</code> }.into_any(), None => view! { <span class="muted">"—"</span> }.into_any() }}</td>
                            <td class="after">{match e.after { Some(a) => view! { <code>{a}</code> }.into_any(), None => view! { <span class="muted">"—"</span> }.into_any() }}</td>
                        </tr>
                    }).collect_view()}
                    </tbody>
                </table>
                </div>
            }.into_any()
        }}
    }
}
