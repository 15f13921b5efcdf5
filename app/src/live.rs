//! Live pages without a client-side render: how the list's filter, the Downloads preview,
//! the coverage filters and the refresh and probe buttons update a page in place.
//!
//! The app runs in Leptos's islands mode. Pages are HTML from the server, and only a few
//! small islands are hydrated: the theme switch, the copy buttons and one [`LivePage`]
//! around a page's content. The wasm holds no page views and no model types, so the
//! first load stays small.
//!
//! A `LivePage` island listens to the forms inside it (events bubble up to it):
//! - A GET form marked `data-live-form` (the list's filter box, the coverage filters, the
//!   Downloads panel) is followed as you pick, or type and pause for 150 ms: the island
//!   puts the form's query into the address bar, fetches that URL (the same page the form
//!   would load without JavaScript, often from the page cache) and swaps the page's live
//!   regions for the fetched ones. The control you are typing in is never replaced, so it
//!   keeps its focus.
//! - A POST form marked `data-poll` (Refresh now, Probe now) is sent with `fetch`. The
//!   island then fetches the page again every `every_ms` and swaps the live regions, while
//!   the fetched page marks a job as running (`data-busy`).
//!
//! A live region is an element with an `id` and `data-live`: it is replaced whole by the
//! element of the same id in the fetched page, and islands inside it (a copy button) are
//! hydrated again. With `data-live="style"` only its `style` attribute is copied (fields
//! that show or hide while you type into a neighbour). A response that arrives after a
//! newer one was asked for is dropped, so fast typing never shows an older answer.
//!
//! Without JavaScript the same forms load or post as usual, and the server renders the
//! same regions.

use leptos::prelude::*;

/// The wrapper of a page's content that makes its live forms and regions work. See the
/// module documentation.
#[island]
pub fn LivePage(
    /// How often to fetch the page while a job runs, in milliseconds.
    every_ms: u32,
    children: Children,
) -> impl IntoView {
    let problem = RwSignal::new(None::<String>);
    // In the browser: a page that shows a job running follows it from the start.
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        browser::follow_job_if_busy(every_ms);
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        browser::on_submit(ev, every_ms, problem);
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, problem, every_ms);
    };
    let on_input = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        browser::on_input(ev);
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    view! {
        <div class="live-page" on:submit=on_submit on:input=on_input>
            {move || problem.get().map(|p| view! { <p class="banner error" role="alert" id="live-problem">{p}</p> })}
            {children()}
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::Cell;

    use leptos::prelude::*;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{
        Document, DomParser, Element, FormData, HtmlFormElement, RequestInit, Response,
        SupportedType, UrlSearchParams,
    };

    thread_local! {
        /// The number of the last page fetch asked for; older answers are dropped.
        static LATEST: Cell<u64> = const { Cell::new(0) };
        /// Whether a job is being followed already (one loop per page).
        static FOLLOWING: Cell<bool> = const { Cell::new(false) };
        /// The number of the last input into a live form; typing waits for a pause.
        static TYPED: Cell<u64> = const { Cell::new(0) };
    }

    /// How long typing must pause before a live form's page is fetched.
    const TYPING_PAUSE_MS: u32 = 150;

    /// How long to wait for a job to show as running before the page stops asking.
    const START_WAIT_MS: f64 = 4_000.0;
    /// The longest a page follows one job.
    const FOLLOW_AT_MOST_MS: f64 = 15.0 * 60_000.0;

    /// The browser window (an island runs in one; `None` would be a worker, where
    /// nothing here has anything to do).
    fn window() -> Option<web_sys::Window> {
        web_sys::window()
    }

    /// This page's address.
    fn location() -> Option<web_sys::Location> {
        window().map(|w| w.location())
    }

    pub fn on_submit(
        ev: leptos::ev::SubmitEvent,
        every_ms: u32,
        problem: RwSignal<Option<String>>,
    ) {
        let Some(form) = ev
            .target()
            .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
        else {
            return;
        };
        if form.has_attribute("data-poll") {
            ev.prevent_default();
            set_buttons(&form, true);
            problem.set(None);
            leptos::task::spawn_local(async move {
                match post(&form).await {
                    Ok(()) => follow_job_now(every_ms, false).await,
                    Err(message) => {
                        set_buttons(&form, false);
                        problem.set(Some(message));
                    }
                }
            });
        } else if form.has_attribute("data-live-form") {
            ev.prevent_default();
            leptos::task::spawn_local(follow_form(form));
        }
    }

    /// Follows a live form on input: a pick (a select, a checkbox) at once, typing once it
    /// pauses for [`TYPING_PAUSE_MS`], so a word typed is one page fetch, not one a key.
    pub fn on_input(ev: leptos::ev::Event) {
        let Some(field) = ev.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
            return;
        };
        let Some(form) = field
            .closest("form[data-live-form]")
            .ok()
            .flatten()
            .and_then(|f| f.dyn_into::<HtmlFormElement>().ok())
        else {
            return;
        };
        let typing = match field.tag_name().to_ascii_lowercase().as_str() {
            "textarea" => true,
            "input" => !matches!(
                field
                    .get_attribute("type")
                    .map(|t| t.to_ascii_lowercase())
                    .as_deref(),
                Some("checkbox" | "radio")
            ),
            _ => false,
        };
        let input = TYPED.with(|t| {
            t.set(t.get() + 1);
            t.get()
        });
        leptos::task::spawn_local(async move {
            if typing {
                sleep(TYPING_PAUSE_MS).await;
                if TYPED.with(|t| t.get()) != input {
                    return;
                }
            }
            follow_form(form).await;
        });
    }

    /// Follows the job this page shows running (`data-busy`), if any.
    pub fn follow_job_if_busy(every_ms: u32) {
        let busy = document()
            .and_then(|d| d.query_selector("[data-busy]").ok().flatten())
            .is_some();
        if busy {
            leptos::task::spawn_local(follow_job_now(every_ms, true));
        }
    }

    /// Fetches the page every `every_ms` and swaps its live regions until the job it
    /// shows has ended (or never started within a few seconds).
    async fn follow_job_now(every_ms: u32, mut seen_busy: bool) {
        if FOLLOWING.with(|f| f.replace(true)) {
            return;
        }
        let start = js_sys::Date::now();
        loop {
            sleep(every_ms).await;
            let elapsed = js_sys::Date::now() - start;
            let href = location().and_then(|l| l.href().ok()).unwrap_or_default();
            if let Ok(Some(busy)) = refresh(&href).await {
                seen_busy |= busy;
                if !busy && (seen_busy || elapsed > START_WAIT_MS) {
                    break;
                }
            }
            if elapsed > FOLLOW_AT_MOST_MS {
                break;
            }
        }
        FOLLOWING.with(|f| f.set(false));
    }

    /// Puts the form's query into the address bar and shows that page's regions. If the
    /// page cannot be fetched, the browser loads it instead.
    async fn follow_form(form: HtmlFormElement) {
        let url = form_url(&form);
        let hash = location().and_then(|l| l.hash().ok()).unwrap_or_default();
        if let Some(history) = window().and_then(|w| w.history().ok()) {
            let _ =
                history.replace_state_with_url(&JsValue::NULL, "", Some(&format!("{url}{hash}")));
        }
        if refresh(&url).await.is_err() {
            if let Some(l) = location() {
                let _ = l.assign(&url);
            }
        }
    }

    /// Fetches `url` and swaps the live regions, unless a newer fetch was asked for in the
    /// meantime (then `Ok(None)`). Says whether the fetched page shows a job running.
    async fn refresh(url: &str) -> Result<Option<bool>, JsValue> {
        let seq = LATEST.with(|l| {
            l.set(l.get() + 1);
            l.get()
        });
        let page = load(url).await?;
        if LATEST.with(|l| l.get()) != seq {
            return Ok(None);
        }
        swap(&page);
        Ok(Some(page.query_selector("[data-busy]")?.is_some()))
    }

    fn document() -> Option<Document> {
        window()?.document()
    }

    /// The GET form's URL: its action (or this path) with the fields that have a value.
    fn form_url(form: &HtmlFormElement) -> String {
        let path = form
            .get_attribute("action")
            .map(|a| a.split('#').next().unwrap_or_default().to_string())
            .filter(|a| !a.is_empty())
            .unwrap_or_else(|| {
                location()
                    .and_then(|l| l.pathname().ok())
                    .unwrap_or_default()
            });
        let query = encode(form, false);
        if query.is_empty() {
            path
        } else {
            format!("{path}?{query}")
        }
    }

    /// The form's fields, URL-encoded; without `keep_empty`, empty fields are left out.
    fn encode(form: &HtmlFormElement, keep_empty: bool) -> String {
        let (Ok(data), Ok(params)) = (FormData::new_with_form(form), UrlSearchParams::new()) else {
            return String::new();
        };
        if let Ok(Some(entries)) = js_sys::try_iter(&data) {
            for entry in entries.flatten() {
                let pair = js_sys::Array::from(&entry);
                let (Some(name), Some(value)) = (pair.get(0).as_string(), pair.get(1).as_string())
                else {
                    continue;
                };
                if keep_empty || !value.is_empty() {
                    params.append(&name, &value);
                }
            }
        }
        String::from(params.to_string())
    }

    fn set_buttons(form: &HtmlFormElement, disabled: bool) {
        if let Ok(buttons) = form.query_selector_all("button") {
            for i in 0..buttons.length() {
                if let Some(b) = buttons.get(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                    let _ = if disabled {
                        b.set_attribute("disabled", "")
                    } else {
                        b.remove_attribute("disabled")
                    };
                }
            }
        }
    }

    async fn fetch(url: &str, init: &RequestInit) -> Result<(u16, String), JsValue> {
        let window = window().ok_or_else(|| JsValue::from_str("no window"))?;
        let resp: Response = JsFuture::from(window.fetch_with_str_and_init(url, init))
            .await?
            .dyn_into()?;
        let text = JsFuture::from(resp.text()?).await?;
        Ok((resp.status(), text.as_string().unwrap_or_default()))
    }

    /// Sends a POST form (a server function) and says what went wrong, if anything.
    async fn post(form: &HtmlFormElement) -> Result<(), String> {
        let action = form.get_attribute("action").unwrap_or_default();
        let init = RequestInit::new();
        init.set_method("POST");
        init.set_body(&JsValue::from_str(&encode(form, true)));
        if let Ok(headers) = web_sys::Headers::new() {
            let _ = headers.set("Content-Type", "application/x-www-form-urlencoded");
            let _ = headers.set("Accept", "application/json");
            init.set_headers(&headers);
        }
        match fetch(&action, &init).await {
            Ok((status, _)) if (200..300).contains(&status) => Ok(()),
            Ok((status, body)) => Err(format!(
                "The server refused (HTTP {status}): {}",
                error_message(&body)
            )),
            Err(_) => Err("The console could not be reached.".to_string()),
        }
    }

    /// What an error answer says: the `message` of the console's JSON error
    /// (`{"kind": …, "message": …}`), or the start of any other answer.
    fn error_message(body: &str) -> String {
        js_sys::JSON::parse(body)
            .ok()
            .and_then(|v| js_sys::Reflect::get(&v, &JsValue::from_str("message")).ok())
            .and_then(|m| m.as_string())
            .unwrap_or_else(|| body.chars().take(200).collect())
    }

    /// Fetches a page and parses it.
    async fn load(url: &str) -> Result<Document, JsValue> {
        let init = RequestInit::new();
        if let Ok(headers) = web_sys::Headers::new() {
            let _ = headers.set("Accept", "text/html");
            init.set_headers(&headers);
        }
        let (_, html) = fetch(url, &init).await?;
        DomParser::new()?.parse_from_string(&html, SupportedType::TextHtml)
    }

    /// Replaces each live region of this page with the fetched page's region of the same
    /// id, and hydrates the islands in it.
    fn swap(from: &Document) {
        let Some(doc) = document() else { return };
        let Ok(regions) = doc.query_selector_all("[data-live]") else {
            return;
        };
        let hydrate = window()
            .and_then(|w| js_sys::Reflect::get(&w, &JsValue::from_str("__hydrateIsland")).ok())
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        for i in 0..regions.length() {
            let Some(el) = regions.get(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
                continue;
            };
            let id = el.id();
            let Some(new) = (!id.is_empty())
                .then(|| from.get_element_by_id(&id))
                .flatten()
            else {
                continue;
            };
            if el.get_attribute("data-live").as_deref() == Some("style") {
                let _ = match new.get_attribute("style") {
                    Some(s) => el.set_attribute("style", &s),
                    None => el.remove_attribute("style"),
                };
                continue;
            }
            let Ok(node) = doc.import_node_with_deep(&new, true) else {
                continue;
            };
            if el.replace_with_with_node_1(&node).is_err() {
                continue;
            }
            let (Some(hydrate), Ok(region)) = (&hydrate, node.dyn_into::<Element>()) else {
                continue;
            };
            if let Ok(islands) = region.query_selector_all("leptos-island") {
                for j in 0..islands.length() {
                    if let Some(island) = islands.get(j).and_then(|n| n.dyn_into::<Element>().ok())
                    {
                        let name = island.get_attribute("data-component").unwrap_or_default();
                        let _ = hydrate.call2(&JsValue::NULL, &island, &JsValue::from_str(&name));
                    }
                }
            }
        }
    }

    async fn sleep(ms: u32) {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            if let Some(w) = window() {
                let _ =
                    w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32);
            }
        });
        let _ = JsFuture::from(promise).await;
    }
}
