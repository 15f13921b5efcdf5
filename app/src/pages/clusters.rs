//! The cluster list: every cluster of every source, with a filter box, sortable columns,
//! the state of each source and a refresh button.
//!
//! Filtering and sorting work without JavaScript too: the filter is a GET form (`?q=`)
//! and the column headers are links (`?sort=name&dir=asc`). With the wasm loaded the
//! filter applies as you type.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::{get_overview, RefreshInventory};
use crate::components::{poll_while, Badge, ErrorPanel};
use crate::model::{ClusterSummary, InventoryOverview, SourceStatus};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SortKey {
    Name,
    Source,
    Kind,
    State,
    Version,
    Brokers,
}

impl SortKey {
    const ALL: [(SortKey, &'static str, &'static str); 6] = [
        (SortKey::Name, "name", "Name"),
        (SortKey::Source, "source", "Source · region"),
        (SortKey::Kind, "type", "Type"),
        (SortKey::State, "state", "State"),
        (SortKey::Version, "version", "Kafka"),
        (SortKey::Brokers, "brokers", "Brokers"),
    ];

    fn parse(s: &str) -> SortKey {
        SortKey::ALL
            .iter()
            .find(|(_, slug, _)| *slug == s)
            .map(|(k, _, _)| *k)
            .unwrap_or(SortKey::Name)
    }

    fn sort(self, rows: &mut [ClusterSummary], descending: bool) {
        rows.sort_by(|a, b| {
            let ord = match self {
                SortKey::Name => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
                SortKey::Source => (&a.source, &a.region).cmp(&(&b.source, &b.region)),
                SortKey::Kind => a.kind.label().cmp(b.kind.label()),
                SortKey::State => a.state.as_str().cmp(b.state.as_str()),
                SortKey::Version => {
                    version_key(&a.kafka_version).cmp(&version_key(&b.kafka_version))
                }
                SortKey::Brokers => a.brokers.cmp(&b.brokers),
            }
            .then_with(|| a.name.cmp(&b.name));
            if descending {
                ord.reverse()
            } else {
                ord
            }
        });
    }
}

/// "3.10.0" sorts after "3.9.1".
fn version_key(v: &Option<String>) -> Vec<u64> {
    v.as_deref()
        .unwrap_or("")
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|p| p.parse().ok())
        .collect()
}

#[component]
pub fn ClustersPage() -> impl IntoView {
    let query = use_query_map();
    let refresh = ServerAction::<RefreshInventory>::new();
    let operate = crate::components::can_operate();
    let tick = RwSignal::new(0u64);
    let overview = Resource::new(
        move || (tick.get(), refresh.version().get()),
        |_| get_overview(),
    );

    // While a refresh runs, poll once a second so the progress and the rows update.
    poll_while(
        tick,
        std::time::Duration::from_secs(1),
        move || matches!(overview.get(), Some(Ok(o)) if o.refresh.running),
    );

    let filter = RwSignal::new(query.with_untracked(|q| q.get("q").unwrap_or_default()));
    let sort = Memo::new(move |_| {
        query.with(|q| {
            (
                SortKey::parse(&q.get("sort").unwrap_or_default()),
                q.get("dir").as_deref() == Some("desc"),
            )
        })
    });

    view! {
        <Title text="Clusters"/>
        <Transition fallback=|| view! { <div class="page-head"><h1>"Clusters"</h1></div><p class="muted">"Loading the inventory…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                    Ok(o) => view! { <Overview overview=o filter sort refresh operate/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Overview(
    overview: InventoryOverview,
    filter: RwSignal<String>,
    sort: Memo<(SortKey, bool)>,
    refresh: ServerAction<RefreshInventory>,
    /// Whether the caller may start a refresh (operators only).
    operate: bool,
) -> impl IntoView {
    let InventoryOverview {
        clusters,
        sources,
        refresh: status,
        sample,
    } = overview;
    let total = clusters.len();
    let no_sources = sources.is_empty();
    let failing: Vec<SourceStatus> = sources
        .iter()
        .filter(|s| s.error.is_some())
        .cloned()
        .collect();
    let rows = StoredValue::new(clusters);
    let last = status.finished_at.clone();
    let button = if status.running {
        format!("Refreshing… {}/{}", status.done, status.total)
    } else {
        "Refresh now".to_string()
    };

    let visible = move || {
        let f = filter.get();
        let (key, desc) = sort.get();
        let mut v: Vec<ClusterSummary> =
            rows.with_value(|r| r.iter().filter(|c| c.matches(&f)).cloned().collect());
        key.sort(&mut v, desc);
        v
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
        {(total > 0).then(move || view! {
            <form method="get" class="filter" role="search">
                <label for="cluster-filter" class="visually-hidden">"Filter clusters"</label>
                <input id="cluster-filter" type="search" name="q" placeholder="Filter by name, source, region, state, version, auth…"
                    prop:value=move || filter.get()
                    on:input=move |ev| filter.set(event_target_value(&ev))/>
                <noscript><button type="submit" class="button">"Filter"</button></noscript>
                <span class="muted count" id="cluster-count">
                    {move || { let n = visible().len(); if n == total { format!("{total} clusters") } else { format!("{n} of {total} clusters") } }}
                </span>
            </form>
            <div class="table-wrap">
            <table class="clusters" id="cluster-table">
                <thead><tr>
                    {SortKey::ALL.into_iter().map(|(key, slug, label)| view! {
                        <th aria-sort=move || match sort.get() { (k, d) if k == key => if d { "descending" } else { "ascending" }, _ => "none" }>
                            <a href=move || {
                                let (k, d) = sort.get();
                                let dir = if k == key && !d { "desc" } else { "asc" };
                                let q = filter.get();
                                let mut pairs = vec![("sort", slug.to_string()), ("dir", dir.to_string())];
                                if !q.is_empty() { pairs.push(("q", q)); }
                                format!("?{}", serde_urlencoded::to_string(pairs).unwrap_or_default())
                            }>{label}{move || match sort.get() { (k, d) if k == key => if d { " ▾" } else { " ▴" }, _ => "" }}</a>
                        </th>
                    }).collect_view()}
                    <th>"Auth"</th>
                    <th>"Exporters"</th>
                    <th>"Health"</th>
                </tr></thead>
                <tbody>
                    {move || visible().into_iter().map(|c| view! { <Row c/> }).collect_view()}
                </tbody>
            </table>
            </div>
            {move || (visible().is_empty()).then(|| view! { <p class="empty">"No cluster matches the filter."</p> })}
        }.into_any())}
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
