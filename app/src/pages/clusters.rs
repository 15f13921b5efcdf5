//! The cluster list: every cluster of every source, a page at a time, with a filter box,
//! sortable columns, the state of each source and a refresh button.
//!
//! Filtering, sorting and paging happen on the server ([`crate::model::list`]): the page
//! asks for the rows of its URL (`?q=…&sort=…&dir=…&page=…`), so an inventory of
//! thousands of clusters still sends one page. Without JavaScript the filter is a GET
//! form and the headers and pager are links; with the wasm loaded the filter box puts
//! what you type into the URL as you type, and the rows follow (see [`crate::live`]).

use leptos::prelude::*;

use crate::localtime::Time;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::{get_overview, RefreshInventory};
use crate::components::{Badge, ErrorPanel};
use crate::live::LivePage;
use crate::model::cloudwatch::CloudWatchSource;
use crate::model::{
    ClusterSummary, InventoryOverview, ListQuery, RefreshStatus, SortKey, SourceStatus,
};

#[component]
pub fn ClustersPage() -> impl IntoView {
    let query = use_query_map().with_untracked(|q| {
        ListQuery::parse(
            q.get("q").as_deref(),
            q.get("sort").as_deref(),
            q.get("dir").as_deref(),
            q.get("page").as_deref(),
        )
    });
    let operate = crate::components::can_operate();
    let overview = {
        let q = query.clone();
        Resource::new(
            || (),
            move |_| {
                get_overview(
                    Some(q.q.clone()),
                    Some(q.sort.slug().to_string()),
                    Some(if q.descending { "desc" } else { "asc" }.to_string()),
                    Some(q.page.to_string()),
                )
            },
        )
    };

    view! {
        <Title text="Clusters"/>
        <Suspense fallback=|| view! { <div class="page-head"><h1>"Clusters"</h1></div><p class="muted">"Loading the inventory…"</p> }>
            {move || { let query = query.clone(); Suspend::new(async move {
                match overview.await {
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                    Ok(o) => {
                        let running = o.refresh.running;
                        view! {
                            // While a refresh runs, the page follows it once a second.
                            <LivePage every_ms=1000>
                                <div id="clusters-head" data-live="" data-busy=running.then_some("")>
                                    <Head total=o.total sources=o.sources.clone() cloudwatch=o.cloudwatch.clone() status=o.refresh.clone() sample=o.sample operate/>
                                </div>
                                <FilterForm query/>
                                <div id="cluster-rows" data-live="">
                                    <Rows overview=o/>
                                </div>
                            </LivePage>
                        }.into_any()
                    }
                }
            })}}
        </Suspense>
    }
}

/// The filter box: a GET form, followed as you type when the wasm is loaded.
#[component]
fn FilterForm(query: ListQuery) -> impl IntoView {
    let sorted = query.sort != SortKey::Name || query.descending;
    view! {
        <form method="get" action="/" class="filter" role="search" data-live-form="">
            <label for="cluster-filter" class="visually-hidden">"Filter clusters"</label>
            <input id="cluster-filter" type="search" aria-keyshortcuts="/" name="q" placeholder="Filter by name, source, region, state, version, auth, tag:KEY, alarms:missing…"
                value=query.q.clone() autocomplete="off"/>
            {sorted.then(|| view! {
                <input type="hidden" name="sort" value=query.sort.slug()/>
                <input type="hidden" name="dir" value=if query.descending { "desc" } else { "asc" }/>
            })}
            <noscript><button type="submit" class="button">"Filter"</button></noscript>
        </form>
    }
}

/// The heading, the refresh button, and what is wrong with the sources.
#[component]
fn Head(
    total: usize,
    sources: Vec<SourceStatus>,
    /// CloudWatch sources whose last sweep failed or left something out.
    cloudwatch: Vec<CloudWatchSource>,
    status: RefreshStatus,
    sample: bool,
    /// Whether the caller may start a refresh (operators only).
    operate: bool,
) -> impl IntoView {
    let no_sources = sources.is_empty();
    let failing: Vec<SourceStatus> = sources
        .iter()
        .filter(|s| s.error.is_some())
        .cloned()
        .collect();
    let button = if status.running {
        format!("Refreshing… {}/{}", status.done, status.total)
    } else {
        "Refresh now".to_string()
    };
    view! {
        <div class="page-head">
            <h1>"Clusters"</h1>
            {operate.then(|| view! {
                <form method="post" action=RefreshInventory::PATH class="inline-form" data-poll="">
                    <button type="submit" class="button" id="refresh-button" disabled=status.running>{button}</button>
                </form>
            })}
        </div>
        {sample.then(|| view! {
            <div class="banner info" id="sample-banner">
                <strong>"Sample data. "</strong>
                "These clusters are made up, to show what the console does. Start it without "
                <code>"--sample"</code>" and with AWS credentials to see your own."
            </div>
        }.into_any())}
        {failing.into_iter().map(|s| view! { <SourceBanner status=s/> }).collect_view().into_any()}
        {cloudwatch.into_iter().map(|s| view! { <CloudWatchBanner status=s/> }).collect_view().into_any()}
        {no_sources.then(|| view! {
            <div class="empty">
                <h2>"No sources are configured"</h2>
                <p>"Tell the console where your clusters are: an AWS profile and regions "
                   "(" <code>"--aws-profile prod --aws-regions eu-west-1,us-east-1"</code> "), a sources file with several accounts ("
                   <code>"--sources-file sources.toml"</code> "), or an inventory file of self-managed clusters ("
                   <code>"--inventory-file"</code> "). " <code>"--sample"</code> " shows sample data."</p>
            </div>
        }.into_any())}
        {(!no_sources && total == 0).then(|| view! {
            <div class="empty">
                <h2>"No clusters found"</h2>
                <p>"None of the configured sources has an MSK cluster in its regions. "
                   "Check the regions, or create a cluster and press Refresh now."</p>
            </div>
        }.into_any())}
    }
}

/// The rows of this page, the sortable headers, the pager and the last refresh.
#[component]
fn Rows(overview: InventoryOverview) -> impl IntoView {
    let count = overview.count_label();
    let InventoryOverview {
        clusters,
        total,
        query,
        pages,
        refresh: status,
        ..
    } = overview;
    let last = status.finished_at.clone();
    let empty = clusters.is_empty();
    let pager = (pages > 1).then(|| {
        let page = query.page;
        let prev = (page > 1).then(|| query.on_page(page - 1).href());
        let next = (page < pages).then(|| query.on_page(page + 1).href());
        view! {
            <nav class="pager" id="cluster-pager" aria-label="Pages of clusters">
                {prev.map(|h| view! { <a href=h rel="prev">"← Previous"</a> })}
                <span class="muted">{format!("Page {page} of {pages}")}</span>
                {next.map(|h| view! { <a href=h rel="next">"Next →"</a> })}
            </nav>
        }
    });
    view! {
        {(total > 0).then(|| view! {
            <p class="muted count" id="cluster-count">{count}</p>
            <div class="table-wrap">
            <table class="clusters" id="cluster-table">
                <thead><tr>
                    {SortKey::ALL.into_iter().map(|(key, _, label)| {
                        let here = query.sort == key;
                        let aria = match (here, query.descending) { (true, true) => "descending", (true, false) => "ascending", _ => "none" };
                        let arrow = match (here, query.descending) { (true, true) => " ▾", (true, false) => " ▴", _ => "" };
                        view! { <th aria-sort=aria><a href=query.sorted_by(key).href()>{label}{arrow}</a></th> }
                    }).collect_view()}
                    <th>"Auth"</th>
                    <th>"Exporters"</th>
                    <th>"Health"</th>
                </tr></thead>
                <tbody>
                    {clusters.into_iter().map(|c| view! { <Row c/> }).collect_view()}
                </tbody>
            </table>
            </div>
            {pager}
            {empty.then(|| view! { <p class="empty">"No cluster matches the filter."</p> })}
        })}
        <p class="muted small" id="refresh-status">
            {match last { Some(t) => view! { "Last refresh finished " <Time at=t relative=true/> "." }.into_any(), None => "The first refresh has not finished yet.".into_any() }}
        </p>
    }
}

#[component]
fn Row(c: ClusterSummary) -> impl IntoView {
    let href = format!("/clusters/{}", c.id);
    let state_tone = c.state.tone();
    let exporters = match (c.monitoring.jmx_exporter, c.monitoring.node_exporter) {
        (true, true) => "JMX, node",
        (true, false) => "JMX",
        (false, true) => "node",
        (false, false) => "off",
    };
    view! {
        <tr data-cluster=c.id.to_string()>
            <td><a href=href>{c.name.clone()}</a>
                {(!c.replicates.is_empty()).then(|| view! {
                    <div class="small muted replicates" title="MSK Replicator flows: → replicates to, ← replicates from">
                        {c.replicates.join(" ")}
                    </div>
                })}
            </td>
            <td>{c.source.clone()} <span class="muted">" · " {c.region.clone()}</span></td>
            <td>{c.kind.label()}</td>
            <td><Badge text=c.state.to_string() tone=state_tone/></td>
            <td>{c.kafka_version.clone().unwrap_or_else(|| "—".into())}</td>
            <td class="num">{c.brokers.map(|b| b.to_string()).unwrap_or_else(|| "—".into())}</td>
            <td>{c.auth.clone()}</td>
            <td>{exporters}</td>
            <td class="health-cell">{c.health.map(|h| view! {
                <span data-health=h.label()><Badge text=h.label() tone=crate::pages::coverage::health_tone(h)/></span>
                {c.health_reason.clone().map(|w| view! { <div class="small muted health-reason">{w}</div> })}
            })}
            {c.alarms.filter(|a| !a.complete() || a.firing > 0).map(|a| view! {
                <div class="small muted alarms-brief" data-alarms=format!("{} of {}", a.covered, a.total)>
                    {format!(
                        "CloudWatch alarms: {} of {}{}",
                        a.covered,
                        a.total,
                        if a.firing > 0 { format!(" · {} in ALARM", a.firing) } else { String::new() }
                    )}
                </div>
            })}</td>
        </tr>
    }
}

/// A CloudWatch source and region whose last sweep failed (its figures are older) or
/// could not read everything (a missing permission).
#[component]
fn CloudWatchBanner(status: CloudWatchSource) -> impl IntoView {
    let tone = if status.error.is_some() {
        "error"
    } else {
        "info"
    };
    let (message, hint) = status
        .error
        .as_ref()
        .map(|e| (e.message.clone(), e.hint.clone()))
        .unwrap_or_default();
    let kept = match (&status.error, &status.last_ok) {
        (None, _) => String::new(),
        (Some(_), Some(t)) => format!("CloudWatch figures are from {t}."),
        (Some(_), None) => "No CloudWatch figures from here yet.".to_string(),
    };
    view! {
        <div class=format!("banner {tone} cloudwatch-banner") data-source=status.source.clone() data-region=status.region.clone()>
            <strong>{format!("CloudWatch · {} · {}: ", status.source, status.region)}</strong>
            {message}
            {status.notes.into_iter().map(|n| view! { <div class="note">{n}</div> }).collect_view()}
            {(!hint.is_empty() || !kept.is_empty()).then(|| view! { <div class="hint">{hint} " " {kept}</div> })}
        </div>
    }
}

#[component]
fn SourceBanner(status: SourceStatus) -> impl IntoView {
    let (message, hint) = status
        .error
        .as_ref()
        .map(|e| (e.message.clone(), e.hint.clone()))
        .unwrap_or_default();
    let kept = match &status.last_ok {
        Some(t) => format!("Showing the {} clusters found at {t}.", status.clusters),
        None => "No data from this source yet.".to_string(),
    };
    view! {
        <div class="banner error source-error" data-source=status.source.clone() data-region=status.region.clone()>
            <strong>{format!("{} · {}: ", status.source, status.region)}</strong>
            {message}
            <div class="hint">{hint} " " {kept}</div>
        </div>
    }
}
