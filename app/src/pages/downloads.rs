//! The Downloads panel of the cluster page: pick a file, an auth mode and the options,
//! see the file as it will download, then download or copy it.
//!
//! The panel is a GET form, so without JavaScript "Preview" reloads the page with the
//! choices in the query string and the server renders the preview. With the wasm loaded
//! the preview follows every change at once. Either way the preview is produced by the
//! same code as the download itself.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::preview_file;
use crate::components::CopyButton;
use crate::generate::client::{ClientOptions, OptionField, DEFAULT_TRUSTSTORE_PASSWORD};
use crate::generate::prometheus::no_targets_reason;
use crate::generate::FileKind;
use crate::model::{Auth, Cluster, Listener};

/// The query string of a download URL: only the parameters that apply, none empty.
fn download_query(kind: FileKind, mode: &str, o: &ClientOptions, at: Option<i64>) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if kind.is_client_config() {
        pairs.push(("mode", mode.to_string()));
        pairs.extend(o.pairs().map(|(k, v)| (k, v.to_string())));
    }
    match kind {
        FileKind::PrometheusHttpSd => pairs.push(("sd", "http".into())),
        FileKind::PrometheusFileSd => pairs.push(("sd", "file".into())),
        _ => {}
    }
    if let Some(at) = at {
        pairs.push(("at", at.to_string()));
    }
    let qs = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    if qs.is_empty() {
        qs
    } else {
        format!("?{qs}")
    }
}

/// With `at`, every file comes from the cluster's state recorded at that snapshot.
#[component]
pub fn DownloadsPanel(cluster: Cluster, at: Option<i64>) -> impl IntoView {
    let query = use_query_map();
    let param = move |k: &str| query.with_untracked(|q| q.get(k).unwrap_or_default());
    let listeners: Vec<Listener> = cluster.bootstrap.iter().map(|b| b.listener).collect();
    let default_mode = listeners
        .iter()
        .find(|l| l.auth() == Auth::Iam)
        .or_else(|| listeners.first())
        .map(|l| l.slug().to_string())
        .unwrap_or_default();
    let id = cluster.id.clone();

    let kind = RwSignal::new(FileKind::parse(&param("file")).unwrap_or(FileKind::ClientProperties));
    let mode = RwSignal::new(
        Some(param("mode"))
            .filter(|m| !m.is_empty())
            .unwrap_or(default_mode),
    );
    // One signal per option of the table; the truststore select starts at its default.
    let fields: Vec<(OptionField, RwSignal<String>)> = OptionField::ALL
        .into_iter()
        .map(|f| {
            let v = param(f.name());
            // A list starts at its default, its first choice.
            let v = match f.choices() {
                Some(choices) if v.is_empty() => choices[0].0.to_string(),
                _ => v,
            };
            (f, RwSignal::new(v))
        })
        .collect();
    let signal = {
        let fields = fields.clone();
        move |f: OptionField| {
            fields
                .iter()
                .find(|(g, _)| *g == f)
                .map(|(_, s)| *s)
                .expect("every option has a signal")
        }
    };
    let truststore_password = signal(OptionField::TruststorePassword);

    let auth = move || Listener::from_slug(&mode.get()).map(Listener::auth);
    let all_options = {
        let fields = fields.clone();
        Memo::new(move |_| {
            fields
                .iter()
                .fold(ClientOptions::default(), |o, (f, s)| o.with(*f, s.get()))
        })
    };
    // Client certificates matter only to a cluster that authenticates clients by them.
    let mutual_tls = cluster.auth.tls;
    let options = Memo::new(move |_| {
        all_options
            .get()
            .relevant_to(
                kind.get() == FileKind::ClientProperties,
                auth().unwrap_or(Auth::None),
            )
            .retain(|f| mutual_tls || !f.is_mutual_tls())
    });
    // Whether an option's input shows: the same rule that decides what travels.
    let applies = move |f: OptionField| {
        (mutual_tls || !f.is_mutual_tls())
            && f.applies(
                kind.get() == FileKind::ClientProperties,
                auth().unwrap_or(Auth::None),
                all_options.get().truststore_choice(),
            )
    };
    let preview_id = id.clone();
    let preview = Resource::new(
        move || (preview_id.clone(), kind.get(), mode.get(), options.get()),
        move |(id, kind, mode, options)| {
            preview_file(id, kind.slug().to_string(), Some(mode), options, at)
        },
    );
    let href_id = id.clone();
    let href = move || {
        let k = kind.get();
        format!(
            "/clusters/{href_id}/{}{}",
            k.path(),
            download_query(k, &mode.get(), &options.get(), at)
        )
    };
    let truststore_href = {
        let id = id.clone();
        move || {
            let p = truststore_password.get();
            let p = if p.trim().is_empty() {
                DEFAULT_TRUSTSTORE_PASSWORD.to_string()
            } else {
                p
            };
            format!(
                "/clusters/{id}/truststore.p12?{}",
                serde_urlencoded::to_string([("password", p)]).unwrap_or_default()
            )
        }
    };
    let shown = move |on: bool| if on { "" } else { "display:none" };
    let monitoring_note = no_targets_reason(&cluster);

    let text_input = move |name: &'static str,
                           label: &'static str,
                           hint: &'static str,
                           sig: RwSignal<String>| {
        view! {
            <label class="field">
                <span>{label}</span>
                <input type="text" name=name placeholder=hint prop:value=move || sig.get()
                    on:input=move |ev| sig.set(event_target_value(&ev))/>
            </label>
        }
    };

    view! {
        <section id="downloads" class="downloads">
            <h2>"Downloads"</h2>
            <form method="get" action=format!("/clusters/{id}#downloads") class="download-form">
                {at.map(|at| view! { <input type="hidden" name="at" value=at.to_string()/> })}
                <div class="fields">
                    <label class="field">
                        <span>"File"</span>
                        <select name="file" id="download-file" on:change=move |ev| {
                            if let Ok(k) = FileKind::parse(&event_target_value(&ev)) { kind.set(k) }
                        }>
                            {FileKind::ALL.into_iter().map(|k| view! {
                                <option value=k.slug() selected=move || kind.get() == k>{k.label()}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label class="field" style=move || shown(kind.get().is_client_config())>
                        <span>"Auth mode"</span>
                        <select name="mode" id="download-mode" on:change=move |ev| mode.set(event_target_value(&ev))>
                            {listeners.iter().map(|l| {
                                let slug = l.slug();
                                view! { <option value=slug selected=move || mode.get() == slug>{format!("{} ({})", l.label(), slug)}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    {fields.iter().map(|&(f, sig)| {
                        if let Some(choices) = f.choices() {
                            view! {
                                <label class="field" style=move || shown(applies(f))>
                                    <span>{f.label()}</span>
                                    <select name=f.name() on:change=move |ev| sig.set(event_target_value(&ev))>
                                        {choices.into_iter().map(|(value, label)| view! {
                                            <option value=value selected=move || sig.get() == value>{label}</option>
                                        }).collect_view()}
                                    </select>
                                </label>
                            }.into_any()
                        } else {
                            view! {
                                <div style=move || shown(applies(f))>
                                    {text_input(f.name(), f.label(), f.hint(), sig)}
                                </div>
                            }.into_any()
                        }
                    }).collect_view()}
                </div>
                <noscript><button type="submit" class="button">"Preview"</button></noscript>
            </form>
            {monitoring_note.map(|n| view! {
                <p class="banner info" id="monitoring-note"
                    style=move || shown(matches!(kind.get(), FileKind::TargetsJson | FileKind::PrometheusFileSd | FileKind::PrometheusHttpSd | FileKind::AlertRules))>{n}</p>
            })}
            <Transition fallback=|| view! { <p class="muted">"Preparing the preview…"</p> }>
                {move || { let href = href.clone(); Suspend::new(async move {
                    match preview.await {
                        Ok(r) => view! {
                            <div class="preview-head">
                                <code id="preview-name">{r.file_name.clone()}</code>
                                <a class="button" id="download-link" href=href download=r.file_name.clone()>"Download"</a>
                                <CopyButton text=r.body.clone() label="Copy file"/>
                            </div>
                            <pre id="preview" class="preview">{r.body}</pre>
                        }.into_any(),
                        Err(e) => view! { <p class="banner error" id="preview-error">{e.to_string()}</p> }.into_any(),
                    }
                })}}
            </Transition>
            <p class="small muted">
                "Also: " <a href=truststore_href id="truststore-link">"truststore.p12"</a>
                " (PKCS12 of this machine's CA certificates, password as above or " <code>"changeit"</code> "), and the live Prometheus http_sd endpoint "
                <a href=format!("/sd/targets?cluster={id}")><code>{format!("/sd/targets?cluster={id}")}</code></a> "."
            </p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn download_urls_carry_only_the_options_that_apply() {
        let o = ClientOptions::default()
            .with(OptionField::AwsProfile, "prod team")
            .with(OptionField::Truststore, "");
        assert_eq!(
            download_query(FileKind::ClientProperties, "sasl-iam", &o, None),
            "?mode=sasl-iam&aws_profile=prod+team"
        );
        assert_eq!(
            download_query(FileKind::TargetsJson, "sasl-iam", &o, None),
            ""
        );
        assert_eq!(
            download_query(FileKind::PrometheusHttpSd, "x", &o, None),
            "?sd=http"
        );
        assert_eq!(
            download_query(FileKind::TargetsJson, "x", &o, Some(42)),
            "?at=42"
        );
    }
}
