//! Monitoring coverage, for team leads: every cluster with its exporters (enabled or
//! not) and how many brokers answer on each, problems first: enabled but unreachable,
//! then partially reachable, then off. Totals on top, a filter by source and region, and
//! a bar per exporter that shows at a glance how much of a cluster is covered.

use leptos::prelude::*;

use crate::localtime::Time;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::{get_coverage, ProbeExporters};
use crate::components::{Badge, ErrorPanel};
use crate::live::LivePage;
use crate::model::cloudwatch::AlarmCoverage;
use crate::model::{ClusterCoverage, ClusterHealth, Coverage, CoverageStatus, HealthState};
use crate::params::ClusterId;

#[component]
pub fn CoveragePage() -> impl IntoView {
    let (source, region) = use_query_map().with_untracked(|q| {
        (
            q.get("source").unwrap_or_default(),
            q.get("region").unwrap_or_default(),
        )
    });
    let operate = crate::components::can_operate();
    let data = {
        let (s, r) = (source.clone(), region.clone());
        Resource::new(
            || (),
            move |_| get_coverage(Some(s.clone()), Some(r.clone())),
        )
    };
    view! {
        <Title text="Coverage"/>
        <Suspense fallback=|| view! { <h1>"Monitoring coverage"</h1><p class="muted">"Loading…"</p> }>
            {move || { let (source, region) = (source.clone(), region.clone()); Suspend::new(async move {
                match data.await {
                    Ok(c) => view! {
                        // While a sweep runs, the page follows it.
                        <LivePage every_ms=700>
                            <CoverageView c source region operate/>
                        </LivePage>
                    }.into_any(),
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                }
            })}}
        </Suspense>
    }
}

#[component]
fn CoverageView(
    c: Coverage,
    source: String,
    region: String,
    /// Whether the caller may start a probe (operators only).
    operate: bool,
) -> impl IntoView {
    let t = c.totals.clone();
    let running = c.sweep.running;
    let button = if running {
        format!("Probing… {}/{}", c.sweep.done, c.sweep.total)
    } else {
        "Probe all now".to_string()
    };
    let last = c
        .sweep
        .finished_at
        .clone()
        .map(|t| view! { "Last sweep finished " <Time at=t relative=true/> "." }.into_any())
        .unwrap_or_else(|| "No sweep has finished yet.".into_any());
    let select = |name: &'static str, label: &'static str, options: Vec<String>, now: &str| {
        let now = now.to_string();
        view! {
            <label class="field">
                <span>{label}</span>
                <select name=name>
                    <option value="" selected=now.is_empty()>"All"</option>
                    {options.into_iter().map(|o| {
                        let selected = o == now;
                        let value = o.clone();
                        view! { <option value=value selected=selected>{o}</option> }
                    }).collect_view()}
                </select>
            </label>
        }
    };
    let filter = filter_query(&source, &region);
    view! {
        <div id="coverage-head" data-live="" data-busy=running.then_some("")>
            <div class="page-head">
                <h1>"Monitoring coverage"</h1>
                {operate.then(|| view! {
                    <form method="post" action=ProbeExporters::PATH class="inline-form" data-poll="">
                        <button type="submit" class="button" id="probe-all" disabled=running>{button}</button>
                    </form>
                })}
            </div>
            {c.sample.then(|| view! {
                <div class="banner info" id="sample-banner">
                    <strong>"Sample data. "</strong>
                    "The exporters and Kafka listeners answering here are stand-ins the console serves on loopback addresses for the made-up sample brokers."
                </div>
            })}
            <div class="totals" id="coverage-totals">
                <div class="total"><strong>{format!("{} of {}", t.clusters_fully_covered, t.clusters)}</strong>
                    <span>"clusters fully covered (both exporters on, answering on every broker)"</span></div>
                <div class="total"><strong>{format!("{} of {}", t.brokers_covered, t.brokers)}</strong>
                    <span>"brokers whose enabled exporters all answer"</span></div>
                <div class="total" id="health-totals"><strong>{format!("{} healthy", t.healthy)}</strong>
                    <span>{format!("{} warning · {} critical · {} unknown", t.warning, t.critical, t.health_unknown)}</span></div>
                <div class="total" id="alarm-totals"><strong>{format!("{} of {}", t.alarms_complete, t.clusters)}</strong>
                    <span>{format!(
                        "clusters with CloudWatch alarms on every key metric · {} missing some · {} firing · {} not read",
                        t.alarms_missing, t.alarms_firing, t.alarms_unknown
                    )}</span></div>
            </div>
        </div>
        <form method="get" action="/coverage" class="filter download-form" data-live-form="">
            <div class="fields">
                {select("source", "Source", c.sources.clone(), &source)}
                {select("region", "Region", c.regions.clone(), &region)}
            </div>
            <noscript><button type="submit" class="button">"Filter"</button></noscript>
        </form>
        <div id="coverage-body" data-live="">
            <p class="small" id="coverage-downloads">"For the clusters shown: "
                {["targets.json", "prometheus.yml", "prometheus-rules.yml"].into_iter().enumerate().map(|(i, file)| view! {
                    {(i > 0).then_some(" · ")}
                    <a href=format!("/{file}{filter}") download="">{file}</a>
                }).collect_view()}
                {(t.alarms_missing > 0).then(|| view! {
                    " · "
                    <a id="missing-alarms-template" href=format!("/cloudwatch-alarms.yaml{}", filter_query_with(&source, &region, "alarms:missing")) download="">
                        "cloudwatch-alarms.yaml (CloudFormation: the missing alarms)"
                    </a>
                })}
            </p>
            <p class="muted small" id="sweep-status">{last}</p>
            {if c.clusters.is_empty() {
                view! { <p class="empty">"No clusters match."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                    <table id="coverage-table">
                        <thead><tr><th>"Cluster"</th><th>"Source · region"</th><th>"Status"</th><th>"Health"</th>
                            <th>"CloudWatch alarms"</th><th>"JMX exporter"</th><th>"Node exporter"</th><th>"Probed"</th></tr></thead>
                        <tbody>{c.clusters.into_iter().map(|cc| view! { <CoverageRow cc/> }).collect_view()}</tbody>
                    </table>
                    </div>
                }.into_any()
            }}
        </div>
    }
}

/// `?source=…&region=…` for the download links (empty filters left out).
fn filter_query(source: &str, region: &str) -> String {
    filter_query_with(source, region, "")
}

/// `?source=…&region=…&q=…` (empty ones left out).
fn filter_query_with(source: &str, region: &str, q: &str) -> String {
    let pairs: Vec<(&str, &str)> = [("source", source), ("region", region), ("q", q)]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
    if pairs.is_empty() {
        String::new()
    } else {
        format!(
            "?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    }
}

fn bar(enabled: bool, up: usize, total: usize, probed: bool) -> impl IntoView {
    if !enabled {
        return view! { <span class="muted">"not enabled"</span> }.into_any();
    }
    if !probed {
        return view! { <span class="muted">"enabled, not probed yet"</span> }.into_any();
    }
    let pct = (up * 100).checked_div(total).unwrap_or(0);
    let tone = if up == total && total > 0 {
        "ok"
    } else if up == 0 {
        "bad"
    } else {
        "warn"
    };
    view! {
        <div class="cover" title=format!("{up} of {total} brokers answer")>
            <div class=format!("bar {tone}")><div class="fill" style=format!("width:{pct}%")></div></div>
            <span class="small">{format!("{up} of {total}")}</span>
        </div>
    }
    .into_any()
}

/// The badge tone of a health state.
pub fn health_tone(state: HealthState) -> &'static str {
    match state {
        HealthState::Critical => "bad",
        HealthState::Warning => "warn",
        HealthState::Unknown => "neutral",
        HealthState::Healthy => "ok",
    }
}

/// A cluster's health: its badge and the worst reason, in words; every reason shows on
/// hover.
pub fn health_cell(h: Option<&ClusterHealth>) -> AnyView {
    match h {
        None => view! { <span class="muted">"—"</span> }.into_any(),
        Some(h) => {
            let why = (h.state != HealthState::Healthy).then(|| h.summary());
            let all = h.reasons.join("\n");
            let by = h.judged_by();
            view! {
                <span data-health=h.state.label() data-from=by><Badge text=h.state.label() tone=health_tone(h.state)/></span>
                {why.map(|w| view! { <div class="small muted health-reason" title=all>{w}</div> })}
                {by.map(|b| view! { <div class="small muted health-from">{format!("from {b}")}</div> })}
            }
            .into_any()
        }
    }
}

/// "3 of 4", the missing key metrics named, the firing ones, and a link to the template
/// that adds what is missing.
fn alarms_cell(id: &ClusterId, a: Option<&AlarmCoverage>) -> AnyView {
    let Some(a) = a else {
        return view! { <span class="muted">"not read"</span> }.into_any();
    };
    let tone = if a.complete() { "ok" } else { "warn" };
    let missing = a.missing();
    let firing: Vec<String> = a.firing().iter().map(|f| f.name.clone()).collect();
    view! {
        <span data-alarms=a.summary()><Badge text=a.summary() tone=tone/></span>
        {(!missing.is_empty()).then(|| view! {
            <div class="small muted alarms-missing">{format!("missing: {}", missing.join(", "))}</div>
            <div class="small"><a href=format!("/clusters/{id}/cloudwatch-alarms.yaml") download="">"template"</a></div>
        })}
        {(!firing.is_empty()).then(|| view! {
            <div class="small alarms-firing">{format!("in ALARM: {}", firing.join(", "))}</div>
        })}
    }
    .into_any()
}

#[component]
fn CoverageRow(cc: ClusterCoverage) -> impl IntoView {
    let tone = match cc.status {
        CoverageStatus::Unreachable => "bad",
        CoverageStatus::Partial => "warn",
        CoverageStatus::Covered => "ok",
        CoverageStatus::Pending | CoverageStatus::Off | CoverageStatus::Sample => "neutral",
    };
    let probed = cc.checked_at.is_some();
    view! {
        <tr data-cluster=cc.id.to_string() data-status=cc.status.label()>
            <td><a href=format!("/clusters/{}#brokers", cc.id)>{cc.name.clone()}</a></td>
            <td>{cc.source.clone()} <span class="muted">" · " {cc.region.clone()}</span></td>
            <td><Badge text=cc.status.label() tone=tone/></td>
            <td class="health-cell">{health_cell(cc.health.as_ref())}</td>
            <td class="alarms-cell">{alarms_cell(&cc.id, cc.alarms.as_ref())}</td>
            <td>{bar(cc.jmx_enabled, cc.jmx_up, cc.brokers, probed)}</td>
            <td>{bar(cc.node_enabled, cc.node_up, cc.brokers, probed)}</td>
            <td class="small muted">{match cc.checked_at.clone() { Some(t) => view! { <Time at=t relative=true/> }.into_any(), None => "—".into_any() }}</td>
        </tr>
    }
}
