//! One query-string extractor for every route: a query that does not parse (an unknown
//! field, a value of the wrong shape) is an [`app::error::AppError`] 400 that says why,
//! like every other bad input, instead of axum's plain-text rejection.

use app::error::AppError;
use axum::extract::FromRequestParts;

/// `Query<T>` whose rejection is an [`AppError`].
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct Q<T>(pub T);
