//! The cluster list: every cluster of every source, a page at a time, with a filter box,
//! sortable columns, the state of each source and a refresh button.
//!
//! Filtering, sorting and paging happen on the server ([`crate::model::list`]): the page
//! asks for the rows of its URL (`?q=…&sort=…&dir=…&page=…`), so an inventory of
//! thousands of clusters still sends one page. Without JavaScript the filter is a GET
//! form and the headers and pager are links; with the wasm loaded the filter box puts
//! what you type into the URL as you type, and the rows follow.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use crate::api::{get_overview, RefreshInventory};
use crate::components::{poll_while, Badge, ErrorPanel};
use crate::model::{ClusterSummary, InventoryOverview, ListQuery, SortKey, SourceStatus};

#[component]
pub fn ClustersPage() -> impl IntoView {
    let query_map = use_query_map();
    let query = Memo::new(move |_| {
        query_map.with(|q| {
            ListQuery::parse(
                q.get("q").as_deref(),
                q.get("sort").as_deref(),
                q.get("dir").as_deref(),
                q.get("page").as_deref(),
            )
        })
    });
    let refresh = ServerAction::<RefreshInventory>::new();
    let operate = crate::components::can_operate();
    let tick = RwSignal::new(0u64);
    let overview = Resource::new(
        move || (tick.get(), refresh.version().get(), query.get()),
        |(_, _, q)| {
            get_overview(
                Some(q.q.clone()),
                Some(q.sort.slug().to_string()),
                Some(if q.descending { "desc" } else { "asc" }.to_string()),
                Some(q.page.to_string()),
            )
        },
    );

    // While a refresh runs, poll once a second so the progress and the rows update.
    poll_while(
        tick,
        std::time::Duration::from_secs(1),
        move || matches!(overview.get(), Some(Ok(o)) if o.refresh.running),
    );

    // The filter box keeps what is typed; the URL (and so the rows) follows it.
    let filter = RwSignal::new(query.with_untracked(|q| q.q.clone()));
    let navigate = use_navigate();
    let on_input = move |ev| {
        let typed = event_target_value(&ev);
        filter.set(typed.clone());
        let next = ListQuery {
            q: typed,
            page: 1,
            ..query.get_untracked()
        };
        navigate(
            &next.href(),
            NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
    };

    view! {
        <Title text="Clusters"/>
        <Transition fallback=|| view! { <div class="page-head"><h1>"Clusters"</h1></div><p class="muted">"Loading the inventory…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                    Ok(o) => view! { <Head overview=o refresh operate/> }.into_any(),
                }
            })}
        </Transition>
        // Outside the transitions, so typing never loses the box's focus.
        <form method="get" action="/" class="filter" role="search">
            <label for="cluster-filter" class="visually-hidden">"Filter clusters"</label>
            <input id="cluster-filter" type="search" name="q" placeholder="Filter by name, source, region, state, version, auth…"
                prop:value=move || filter.get()
                on:input=on_input/>
            {move || {
                let q = query.get();
                (q.sort != SortKey::Name || q.descending).then(|| view! {
                    <input type="hidden" name="sort" value=q.sort.slug()/>
                    <input type="hidden" name="dir" value=if q.descending { "desc" } else { "asc" }/>
                })
            }}
            <noscript><button type="submit" class="button">"Filter"</button></noscript>
        </form>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match overview.await {
                    Err(_) => ().into_any(),
                    Ok(o) => view! { <Rows overview=o/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The heading, the refresh button, and what is wrong with the sources.
#[component]
fn Head(
    overview: InventoryOverview,
    refresh: ServerAction<RefreshInventory>,
    /// Whether the caller may start a refresh (operators only).
    operate: bool,
) -> impl IntoView {
    let InventoryOverview {
        total,
        sources,
        refresh: status,
        sample,
        ..
    } = overview;
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
                <ActionForm action=refresh attr:class="inline-form">
                    <button type="submit" class="button" id="refresh-button" disabled=status.running>{button}</button>
                </ActionForm>
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
            {match last { Some(t) => format!("Last refresh finished {}.", t), None => "The first refresh has not finished yet.".into() }}
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
        <tr data-cluster=c.id.clone()>
            <td><a href=href>{c.name.clone()}</a></td>
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
            })}</td>
        </tr>
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
