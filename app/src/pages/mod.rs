//! One module per page.

pub mod cluster;
pub mod clusters;
pub mod coverage;
pub mod downloads;
pub mod history;
pub mod topics;

use leptos::prelude::*;

use crate::components::ErrorPanel;
use crate::error::AppError;

/// The page for any path no route matches.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <leptos_meta::Title text="Not found"/>
        <ErrorPanel error=AppError::not_found("There is no page at this address.")/>
    }
}
