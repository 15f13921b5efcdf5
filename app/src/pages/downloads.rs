//! The Connect and download panel of the cluster page: pick a client (by language) or a
//! monitoring file, an auth mode and the options; see what to install, how to run it and
//! the pages it follows, and the file as it will download; then download or copy it.
//!
//! The panel is a GET form, so without JavaScript "Preview" reloads the page with the
//! choices in the query string and the server renders the preview. With the wasm loaded
//! the page follows every change at once, by fetching the same page for the form's query
//! (see [`crate::live`]). Either way the preview is produced by the same code as the
//! download itself.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::preview_file;
use crate::components::CopyButton;
use crate::generate::client::{setup, ClientOptions, OptionField, DEFAULT_TRUSTSTORE_PASSWORD};
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
///
/// The choices come from the query string (`?file=…&mode=…&aws_profile=…`), which the
/// form sends. The preview, the download links and which fields show are live regions
/// (see [`crate::live`]): with the wasm loaded they follow every change.
#[component]
pub fn DownloadsPanel(cluster: Cluster, at: Option<i64>) -> impl IntoView {
    let query = use_query_map().get_untracked();
    let param = |k: &str| query.get(k).unwrap_or_default();
    let listeners: Vec<Listener> = cluster.bootstrap.iter().map(|b| b.listener).collect();
    let default_mode = listeners
        .iter()
        .find(|l| l.auth() == Auth::Iam)
        .or_else(|| listeners.first())
        .map(|l| l.slug().to_string())
        .unwrap_or_default();
    let id = cluster.id.clone();

    let kind = FileKind::parse(&param("file")).unwrap_or(FileKind::ClientProperties);
    let mode = Some(param("mode"))
        .filter(|m| !m.is_empty())
        .unwrap_or(default_mode);
    // Each option of the table with its value; a list starts at its first choice.
    let fields: Vec<(OptionField, String)> = OptionField::ALL
        .into_iter()
        .map(|f| {
            let v = param(f.name());
            let v = match f.choices() {
                Some(choices) if v.is_empty() => choices[0].0.to_string(),
                _ => v,
            };
            (f, v)
        })
        .collect();
    let truststore_password = fields
        .iter()
        .find(|(f, _)| *f == OptionField::TruststorePassword)
        .map(|(_, v)| v.clone())
        .unwrap_or_default();

    let auth = Listener::from_slug(&mode)
        .map(Listener::auth)
        .unwrap_or(Auth::None);
    let family = kind
        .client_family()
        .unwrap_or(crate::generate::client::ClientFamily::Java);
    let all_options = fields
        .iter()
        .fold(ClientOptions::default(), |o, (f, v)| o.with(*f, v.clone()));
    // Client certificates matter only to a cluster that authenticates clients by them.
    let mutual_tls = cluster.auth.tls;
    let options = all_options
        .relevant_to(family, auth)
        .retain(|f| mutual_tls || !f.is_mutual_tls());
    // Whether an option's input shows: the same rule that decides what travels.
    let truststore = all_options.truststore_choice();
    let applies =
        |f: OptionField| (mutual_tls || !f.is_mutual_tls()) && f.applies(family, auth, truststore);
    let preview = {
        let (id, mode, options) = (id.clone(), mode.clone(), options.clone());
        Resource::new(
            || (),
            move |_| {
                preview_file(
                    id.to_string(),
                    kind.slug().to_string(),
                    Some(mode.clone()),
                    options.clone(),
                    at,
                )
            },
        )
    };
    let href = format!(
        "/clusters/{id}/{}{}",
        kind.path(),
        download_query(kind, &mode, &options, at)
    );
    let truststore_href = {
        let p = if truststore_password.trim().is_empty() {
            DEFAULT_TRUSTSTORE_PASSWORD.to_string()
        } else {
            truststore_password
        };
        format!(
            "/clusters/{id}/truststore.p12?{}",
            serde_urlencoded::to_string([("password", p)]).unwrap_or_default()
        )
    };
    // What the chosen client needs besides the file: install, run, the pages it follows.
    let listener = Listener::from_slug(&mode);
    let client_setup = kind.client().zip(listener).map(|(c, l)| setup(c, l));
    let servers = listener
        .and_then(|l| cluster.bootstrap_for(l))
        .map(|b| b.servers.clone())
        .unwrap_or_default();
    let shown = |on: bool| if on { "" } else { "display:none" };
    let monitoring_note = no_targets_reason(&cluster);
    let monitoring_file = matches!(
        kind,
        FileKind::TargetsJson
            | FileKind::PrometheusFileSd
            | FileKind::PrometheusHttpSd
            | FileKind::AlertRules
    );

    view! {
        <section id="downloads" class="downloads">
            <h2>"Connect and download"</h2>
            <form method="get" action=format!("/clusters/{id}#downloads") class="download-form" data-live-form="">
                {at.map(|at| view! { <input type="hidden" name="at" value=at.to_string()/> })}
                <div class="fields">
                    <label class="field">
                        <span>"Client or file"</span>
                        <select name="file" id="download-file">
                            {FileKind::GROUPS.into_iter().map(|group| view! {
                                <optgroup label=group>
                                    {FileKind::ALL.into_iter().filter(|k| k.group() == group).map(|k| view! {
                                        <option value=k.slug() selected=kind == k>{k.short_label()}</option>
                                    }).collect_view()}
                                </optgroup>
                            }).collect_view()}
                        </select>
                    </label>
                    <label class="field" id="field-mode" data-live="style" style=shown(kind.is_client_config())>
                        <span>"Auth mode"</span>
                        <select name="mode" id="download-mode">
                            {listeners.iter().map(|l| {
                                let slug = l.slug();
                                view! { <option value=slug selected=mode == slug>{format!("{} ({})", l.label(), slug)}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    {fields.into_iter().map(|(f, value)| {
                        let field_id = format!("field-{}", f.name());
                        if let Some(choices) = f.choices() {
                            view! {
                                <label class="field" id=field_id data-live="style" style=shown(applies(f))>
                                    <span>{f.label()}</span>
                                    <select name=f.name()>
                                        {choices.into_iter().map(|(choice, label)| view! {
                                            <option value=choice selected=value == choice>{label}</option>
                                        }).collect_view()}
                                    </select>
                                </label>
                            }.into_any()
                        } else {
                            view! {
                                <label class="field" id=field_id data-live="style" style=shown(applies(f))>
                                    <span>{f.label()}</span>
                                    <input type="text" name=f.name() placeholder=f.hint() value=value autocomplete="off"/>
                                </label>
                            }.into_any()
                        }
                    }).collect_view()}
                </div>
                <noscript><button type="submit" class="button">"Preview"</button></noscript>
            </form>
            {monitoring_note.map(|n| view! {
                <p class="banner info" id="monitoring-note" data-live="style" style=shown(monitoring_file)>{n}</p>
            })}
            <div id="download-preview" data-live="">
                <Suspense fallback=|| view! { <p class="muted">"Preparing the preview…"</p> }>
                    {move || { let (href, client_setup, servers) = (href.clone(), client_setup.clone(), servers.clone()); Suspend::new(async move {
                        match preview.await {
                            Ok(r) => view! {
                                {client_setup.clone().map(|s| view! {
                                    <div class="connect-setup" id="connect-setup">
                                        {(!s.install.is_empty()).then(|| {
                                            let commands = s.install.join("\n");
                                            view! {
                                                <div class="preview-head">
                                                    <strong>"Install"</strong>
                                                    <CopyButton text=commands.clone() label="Copy commands"/>
                                                </div>
                                                <pre id="install-commands" class="preview install" tabindex="0" aria-label="Install commands">{commands}</pre>
                                            }
                                        })}
                                        <p class="small" id="run-line">"Run: " <code>{s.run_line(&r.file_name, &servers)}</code></p>
                                        <p class="small" id="follows">"Follows: "
                                            {s.docs.iter().enumerate().map(|(i, d)| view! {
                                                {(i > 0).then_some(" · ")}
                                                <a href=d.url rel="noreferrer" target="_blank">{d.label}</a>
                                            }).collect_view()}
                                        </p>
                                    </div>
                                })}
                                <div class="preview-head">
                                    <code id="preview-name">{r.file_name.clone()}</code>
                                    <a class="button" id="download-link" href=href download=r.file_name.clone()>"Download"</a>
                                    <CopyButton text=r.body.clone() label="Copy file"/>
                                </div>
                                <pre id="preview" class="preview" tabindex="0" aria-label="Preview of the file">{r.body}</pre>
                            }.into_any(),
                            Err(e) => view! { <p class="banner error" id="preview-error">{e.to_string()}</p> }.into_any(),
                        }
                    })}}
                </Suspense>
            </div>
            <p class="small muted" id="download-more" data-live="">
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
