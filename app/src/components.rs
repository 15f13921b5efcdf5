//! Pieces every page uses: the header and footer, the error panel, the copy button and
//! the theme switch.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::error::AppError;
use crate::model::Permissions;

/// What the caller may see and do, from the request's identity (see
/// [`crate::App`]). Pages render on the server only, so this never runs in the browser:
/// an island that needs to know gets it as a prop.
pub fn permissions() -> Permissions {
    use_context::<Permissions>().unwrap_or_else(Permissions::none)
}

/// Whether the caller may use the operator buttons ("Refresh now", "Probe now"). A
/// viewer never sees a button it cannot use.
pub fn can_operate() -> bool {
    permissions().can_operate
}

/// The permissions of this page's caller, from the request.
pub fn initial_permissions() -> Permissions {
    #[cfg(feature = "ssr")]
    {
        crate::service::caller()
            .map(|who| Permissions::of(&who))
            .unwrap_or_else(|_| Permissions::none())
    }
    #[cfg(not(feature = "ssr"))]
    {
        Permissions::none()
    }
}

/// The signed-in user and a "Sign out" button, when a login is in force.
#[component]
fn UserMenu() -> impl IntoView {
    let me = permissions();
    me.login.then(|| view! {
        <div class="user-menu" id="user-menu">
            <span class="muted small" id="signed-in-as">{me.user.clone().unwrap_or_default()} " · " {me.role.as_str()}</span>
            {me.can_sign_out.then(|| view! {
                <form method="post" action="/auth/logout" class="inline-form">
                    <button type="submit" class="button secondary" id="sign-out">"Sign out"</button>
                </form>
            })}
        </div>
    })
}

#[component]
pub fn Header() -> impl IntoView {
    view! {
        <header class="site-header">
            <a class="brand" href="/">
                <img src="/favicon.svg" alt="" width="24" height="24"/>
                <span>"msk-console"</span>
            </a>
            <nav aria-label="Main">
                <A href="/" exact=true>"Clusters"</A>
                <A href="/coverage">"Coverage"</A>
                <A href="/history">"History"</A>
            </nav>
            <UserMenu/>
            <ThemeSwitch/>
            <crate::localtime::LocalTimes/>
        </header>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <span>"msk-console " {crate::VERSION}</span>
            <span class="muted">"Connection strings, configs and monitoring for Amazon MSK"</span>
            <a href="/healthz">"health"</a>
        </footer>
    }
}

/// Switches between the system colour scheme, light and dark. The choice is kept in
/// `localStorage` and applied as `data-theme` on `<html>`; without JavaScript the page
/// follows the system setting through `prefers-color-scheme`. An island.
#[island]
pub fn ThemeSwitch() -> impl IntoView {
    let theme = RwSignal::new(String::from("auto"));

    // Runs in the browser only, after hydration: read the stored choice.
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(saved) = storage().and_then(|s| s.get_item("theme").ok().flatten()) {
            theme.set(saved);
        }
    });
    Effect::new(move |_| {
        let t = theme.get();
        #[cfg(feature = "hydrate")]
        {
            if let Some(root) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.document_element())
            {
                let _ = if t == "auto" {
                    root.remove_attribute("data-theme")
                } else {
                    root.set_attribute("data-theme", &t)
                };
            }
            if let Some(s) = storage() {
                let _ = s.set_item("theme", &t);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = t;
    });

    let next = move |_| {
        theme.update(|t| {
            *t = match t.as_str() {
                "auto" => "light",
                "light" => "dark",
                _ => "auto",
            }
            .to_string()
        })
    };
    view! {
        <button class="theme-switch js-only" type="button" on:click=next
            title="Colour scheme: system, light or dark">
            "Theme: " <span class="theme-name">{move || theme.get()}</span>
        </button>
    }
}

#[cfg(feature = "hydrate")]
fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// A button that puts `text` on the clipboard and says so. An island: `text` travels in
/// the page as its prop.
#[island]
pub fn CopyButton(
    #[prop(into)] text: String,
    #[prop(optional, into)] label: Option<String>,
) -> impl IntoView {
    let copied = RwSignal::new(false);
    let label = label.unwrap_or_else(|| "Copy".to_string());
    let on_click = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let text = text.clone();
            leptos::task::spawn_local(async move {
                let Some(win) = web_sys::window() else { return };
                let promise = win.navigator().clipboard().write_text(&text);
                if wasm_bindgen_futures::JsFuture::from(promise).await.is_ok() {
                    copied.set(true);
                    set_timeout(
                        move || copied.set(false),
                        std::time::Duration::from_millis(1500),
                    );
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &text;
    };
    let label2 = label.clone();
    view! {
        <button type="button" class="copy js-only" on:click=on_click
            aria-label=label.clone()>
            {move || if copied.get() { "Copied".to_string() } else { label2.clone() }}
        </button>
    }
}

/// An error shown in place of a page's content. On the server it also sets the
/// response's status code, so a missing cluster is a real 404.
#[component]
pub fn ErrorPanel(error: AppError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(code) = axum::http::StatusCode::from_u16(error.status_code()) {
            opts.set_status(code);
        }
    }
    view! {
        <section class="error-panel" role="alert">
            <h1>{error.title()}</h1>
            <p>{error.to_string()}</p>
            <p><a href="/">"Back to all clusters"</a></p>
        </section>
    }
}

/// A small coloured label.
#[component]
pub fn Badge(
    #[prop(into)] text: String,
    #[prop(optional, into)] tone: Option<&'static str>,
) -> impl IntoView {
    let class = format!("badge {}", tone.unwrap_or(""));
    view! { <span class=class>{text}</span> }
}

/// A consumer group's time lag over the last hour as a small line (SVG drawn on the
/// server), with the same in words for screen readers and as its tooltip.
#[component]
pub fn LagSparkline(points: Vec<crate::model::cloudwatch::LagPoint>) -> impl IntoView {
    use crate::model::judgement::behind;
    const W: f64 = 120.0;
    const H: f64 = 24.0;
    if points.len() < 2 {
        return view! { <span class="muted small">"—"</span> }.into_any();
    }
    let (first, last) = (points[0], points[points.len() - 1]);
    let max = points.iter().map(|p| p.seconds).max().unwrap_or(0);
    let span = (last.at - first.at).max(1) as f64;
    let line: Vec<String> = points
        .iter()
        .map(|p| {
            let x = (p.at - first.at) as f64 / span * (W - 2.0) + 1.0;
            let y = if max == 0 {
                H - 1.0
            } else {
                H - 1.0 - p.seconds as f64 / max as f64 * (H - 2.0)
            };
            format!("{x:.1},{y:.1}")
        })
        .collect();
    let words = format!(
        "Time lag over the last hour: {} then, {} now, at most {}",
        behind(first.seconds),
        behind(last.seconds),
        behind(max)
    );
    let label = words.clone();
    view! {
        <svg class="sparkline" role="img" aria-label=label viewBox="0 0 120 24" width="120" height="24">
            <title>{words}</title>
            <polyline fill="none" stroke="currentColor" stroke-width="1.5" points=line.join(" ")/>
        </svg>
    }
    .into_any()
}
