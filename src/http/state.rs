//! What every route shares: the Leptos options, the one service, and the settings the
//! middleware reads.

use std::sync::Arc;

use app::service::Console;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use crate::config::Config;

/// What every route shares: the Leptos options, the one service, and the settings the
/// middleware reads.
///
/// axum clones a route's handler, and with it this state, for every request; behind
/// one `Arc` that is one reference count, where the fields' own `Arc`s were a dozen
/// (measured: cloning and dropping the Leptos options alone took 9% of a cached page's
/// CPU, the counts bouncing between cores).
#[derive(Clone)]
pub struct AppState(Arc<SharedState>);

pub struct SharedState {
    pub leptos_options: LeptosOptions,
    /// The one way into the server's data, for pages, the JSON API and downloads.
    pub console: Console,
    pub config: Arc<Config>,
}

impl AppState {
    pub fn new(leptos_options: LeptosOptions, console: Console, config: Config) -> AppState {
        AppState(Arc::new(SharedState {
            leptos_options,
            console,
            config: Arc::new(config),
        }))
    }
}

impl std::ops::Deref for AppState {
    type Target = SharedState;

    fn deref(&self) -> &SharedState {
        &self.0
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(s: &AppState) -> LeptosOptions {
        s.leptos_options.clone()
    }
}

impl FromRef<AppState> for Console {
    fn from_ref(s: &AppState) -> Console {
        s.console.clone()
    }
}

impl FromRef<AppState> for Arc<Config> {
    fn from_ref(s: &AppState) -> Arc<Config> {
        s.config.clone()
    }
}
