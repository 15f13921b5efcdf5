//! The msk-console Leptos app: pages, components, server functions and the shared model.
//!
//! The crate is built twice. With `ssr` it is linked into the server binary, which renders
//! every page to HTML and runs the server functions. With `hydrate` it is compiled to wasm
//! and brings the pages' islands to life in the browser. Pages stay usable without
//! JavaScript: every link, form and download is plain HTML. The app runs in Leptos's
//! islands mode: only the theme switch, the copy buttons and the [`live::LivePage`] around
//! each page are hydrated, and they add live filtering, previews and progress (see
//! [`live`]). The rest of a page never ships to the browser.
//!
//! The pages never reach AWS. Server functions ask the [`service::Console`] that the
//! server puts into context: the same service the JSON API and the downloads ask.
//!
//! Where things live: [`model`] (the inventory), [`history`] (recorded states and diffs),
//! [`chart`] (SVG chart geometry), [`generate`] (pure file generators), [`params`] (request
//! values parsed at the edge), [`error`] (the one error type), [`api`] (server
//! functions), [`pages`] and [`components`] (the views).

#![recursion_limit = "256"]

pub mod api;
pub mod chart;
pub mod components;
pub mod error;
pub mod generate;
pub mod history;
pub mod live;
pub mod localtime;
pub mod model;
pub mod pages;
pub mod params;
#[cfg(feature = "ssr")]
pub mod service;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, Meta, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

/// The crate's version, shown in the footer.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The name the wasm, JS and CSS files are published under (`/pkg/msk-console.js`).
pub const OUTPUT_NAME: &str = "msk-console";

/// The Content-Security-Policy of every response. Pages allow the console's own script
/// files and only the inline scripts that carry this response's `nonce` (Leptos's
/// islands bootstrap); other
/// responses allow no script at all. wasm needs `wasm-unsafe-eval`; style attributes
/// (bar widths) need inline styles. Nothing may frame the console.
pub fn content_security_policy(nonce: Option<&str>) -> String {
    let scripts = match nonce {
        Some(n) => format!("'self' 'nonce-{n}' 'wasm-unsafe-eval'"),
        None => "'none'".to_string(),
    };
    format!(
        "default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; \
         form-action 'self'; object-src 'none'"
    )
}

/// Puts this page's nonce into its Content-Security-Policy header.
#[cfg(feature = "ssr")]
fn set_content_security_policy() {
    use axum::http::{header, HeaderValue};
    let (Some(nonce), Some(res)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    if let Ok(v) = HeaderValue::from_str(&content_security_policy(Some(&nonce))) {
        res.insert_header(header::CONTENT_SECURITY_POLICY, v);
    }
}

/// The document title for a page title. leptos_meta writes the title into the
/// server-rendered `<head>` without escaping it, so on the server it is escaped here (a
/// cluster named `</title><script>` stays text). In the browser it is set as
/// `document.title`, which is text already.
fn document_title(t: String) -> String {
    let full = if t.is_empty() {
        "msk-console".to_string()
    } else {
        format!("{t} · msk-console")
    };
    #[cfg(feature = "ssr")]
    let full = html_escape::encode_text(&full).into_owned();
    full
}

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(components::initial_permissions());
    view! {
        <Stylesheet id="leptos" href=format!("/pkg/{OUTPUT_NAME}.css")/>
        <Link rel="icon" type_="image/svg+xml" href="/favicon.svg"/>
        <Meta name="color-scheme" content="light dark"/>
        <Meta name="description" content="Amazon MSK clusters across accounts and regions: connection strings, client configs, monitoring coverage and history."/>
        <Title formatter=document_title/>
        <Router>
            <components::Header/>
            <main id="main">
                // Async rendering waits for the data before the first byte, so a missing
                // cluster answers with a real 404 status and the page works without JS.
                <Routes fallback=|| view! { <pages::NotFound/> }>
                    <Route path=path!("/") view=pages::clusters::ClustersPage ssr=SsrMode::Async/>
                    <Route path=path!("/clusters/:id") view=pages::cluster::ClusterPage ssr=SsrMode::Async/>
                    <Route path=path!("/coverage") view=pages::coverage::CoveragePage ssr=SsrMode::Async/>
                    <Route path=path!("/history") view=pages::history::HistoryPage ssr=SsrMode::Async/>
                    <Route path=path!("/clusters/:id/history") view=pages::history::ClusterHistoryPage ssr=SsrMode::Async/>
                    <Route path=path!("/clusters/:id/diff") view=pages::history::DiffPage ssr=SsrMode::Async/>
                    <Route path=path!("/clusters/:id/topics/:name") view=pages::topics::TopicPage ssr=SsrMode::Async/>
                </Routes>
            </main>
            <components::Footer/>
        </Router>
    }
}

/// The wasm entry point: marks the page as scripted; the islands hydrate after it.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // CSS shows JS-only controls (copy buttons, the theme switch) once this class is set.
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.class_list().add_1("js");
    }
    leptos::mount::hydrate_islands();
}
