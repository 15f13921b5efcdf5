//! Times as the reader lives them. Every time on a page is a [`Time`]: a
//! `<time datetime="2026-12-03T12:11:06Z">` whose text, from the server, is the absolute
//! UTC time ("2026-12-03 12:11:06 UTC"), which is what a page without JavaScript keeps.
//!
//! In the browser the [`LocalTimes`] island (one per page, in the header) rewrites each
//! one's text in the reader's time zone and language: an absolute time as a local date
//! and time, a time where recency matters (`relative`) as "2 min ago"; the title then holds
//! the local and the UTC time, shown on hover. Relative times are kept current, and times
//! that a live region brings in later are rewritten too. The server's HTML never depends on
//! the reader, so the page cache is not affected.

use leptos::prelude::*;

/// The server's text for an RFC 3339 time: `2026-12-03T12:11:06.123Z` reads
/// `2026-12-03 12:11:06 UTC`. Anything else (a time MSK wrote in another form) is shown
/// as it is.
pub fn utc_text(at: &str) -> String {
    let b = at.as_bytes();
    let shaped = b.len() >= 20
        && b[4] == b'-'
        && b[7] == b'-'
        && (b[10] == b'T' || b[10] == b' ')
        && b[13] == b':'
        && b[16] == b':'
        && at.ends_with('Z')
        && at.is_char_boundary(19);
    if shaped {
        format!("{} {} UTC", &at[..10], &at[11..19])
    } else {
        at.to_string()
    }
}

/// A time on a page: see the module documentation. `relative` shows it as "2 min ago" in
/// the browser (for "last checked", "last refresh"); otherwise as a local date and time.
#[component]
pub fn Time(#[prop(into)] at: String, #[prop(optional)] relative: bool) -> impl IntoView {
    let text = utc_text(&at);
    let title = text.clone();
    let kind = if relative { "relative" } else { "absolute" };
    view! {
        <time datetime=at title=title data-local=kind>{text}</time>
    }
}

/// Rewrites the page's [`Time`]s in the reader's time zone, at once and every second for
/// times that arrive with a live region (relative ones are recomputed every 15 s). It
/// also makes `/` focus the page's filter box. An island without a view of its own.
#[island]
pub fn LocalTimes() -> impl IntoView {
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        browser::start();
    });
    view! { <span hidden=""></span> }
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::Cell;
    use std::time::Duration;

    use js_sys::{Array, Date, Intl, Object, Reflect};
    use leptos::prelude::set_interval;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::{JsCast, JsValue};
    use web_sys::{Element, HtmlElement, KeyboardEvent};

    thread_local! {
        static TICKS: Cell<u32> = const { Cell::new(0) };
    }

    pub fn start() {
        format_all(true);
        set_interval(
            || {
                let n = TICKS.with(|t| {
                    t.set(t.get().wrapping_add(1));
                    t.get()
                });
                format_all(n.is_multiple_of(15));
            },
            Duration::from_secs(1),
        );
        slash_focuses_filter();
    }

    fn options(pairs: &[(&str, &str)]) -> Object {
        let o = Object::new();
        for (k, v) in pairs {
            let _ = Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_str(v));
        }
        o
    }

    /// Formats every time not formatted yet, and with `relative_too` the relative ones again.
    fn format_all(relative_too: bool) {
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let selector = if relative_too {
            "time[data-local]"
        } else {
            "time[data-local]:not([data-shown])"
        };
        let Ok(list) = doc.query_selector_all(selector) else {
            return;
        };
        let absolute = Intl::DateTimeFormat::new(
            &Array::new(),
            &options(&[("dateStyle", "medium"), ("timeStyle", "medium")]),
        );
        let relative =
            Intl::RelativeTimeFormat::new(&Array::new(), &options(&[("numeric", "auto")]));
        let now = Date::now();
        for i in 0..list.length() {
            let Some(el) = list.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
                continue;
            };
            let Some(at) = el.get_attribute("datetime") else {
                continue;
            };
            let date = Date::new(&JsValue::from_str(&at));
            let ms = date.get_time();
            if ms.is_nan() {
                // Not a time the browser reads: keep the server's text.
                let _ = el.set_attribute("data-shown", "");
                continue;
            }
            let local = absolute
                .format()
                .call1(&JsValue::NULL, &date)
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default();
            let text = if el.get_attribute("data-local").as_deref() == Some("relative") {
                let (value, unit) = relative_parts((ms - now) / 1000.0);
                relative.format(value, unit).as_string().unwrap_or_default()
            } else {
                local.clone()
            };
            let utc = super::utc_text(&at);
            el.set_text_content(Some(&text));
            let _ = el.set_attribute("title", &format!("{local} ({utc})"));
            let _ = el.set_attribute("data-shown", "");
        }
    }

    /// A signed number of seconds as the value and unit "2 min ago" reads best in.
    fn relative_parts(seconds: f64) -> (f64, &'static str) {
        let a = seconds.abs();
        let round = |x: f64| x.round();
        if a < 45.0 {
            (round(seconds), "second")
        } else if a < 45.0 * 60.0 {
            (round(seconds / 60.0), "minute")
        } else if a < 22.0 * 3600.0 {
            (round(seconds / 3600.0), "hour")
        } else {
            (round(seconds / 86_400.0), "day")
        }
    }

    /// `/` (outside a text field) focuses the page's filter box, as on most consoles.
    fn slash_focuses_filter() {
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let handler = Closure::<dyn Fn(KeyboardEvent)>::new(move |ev: KeyboardEvent| {
            if ev.key() != "/" || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
                return;
            }
            let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
                return;
            };
            let typing = doc.active_element().is_some_and(|e| {
                matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                    || e.has_attribute("contenteditable")
            });
            if typing {
                return;
            }
            if let Some(filter) = doc
                .query_selector("main input[type=search]")
                .ok()
                .flatten()
                .and_then(|e| e.dyn_into::<HtmlElement>().ok())
            {
                ev.prevent_default();
                let _ = filter.focus();
            }
        });
        let _ = doc.add_event_listener_with_callback("keydown", handler.as_ref().unchecked_ref());
        handler.forget();
    }
}
