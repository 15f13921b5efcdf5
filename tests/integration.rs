//! The integration tests, as one test binary.
//!
//! Each file beside this one is a module of this crate, with `support` shared by all.
//! One binary instead of one per file: every test binary links the whole console (its
//! Leptos views, the AWS SDK, sqlx), about 360 MB each in a debug build. Nineteen of them
//! filled a CI machine's disk and took minutes to link; one links once.
//!
//! Run one file's tests by its module path: `cargo test --test integration history::`.

// Tests stop at the first surprise and say where; helpers outside `#[test]` functions
// (the support module, the benches run at their quick scale) do the same.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod access;
mod benches;
mod clients;
mod cloudwatch;
mod connectivity;
mod deny;
mod deploy;
mod downloads;
mod health;
mod history;
mod hostile;
mod inventory_aws;
mod list;
mod metrics;
mod msk_behaviour;
mod operator;
mod page_cache;
mod page_security;
mod promises;
mod proxy_login;
mod reachability;
mod replicas;
mod rules;
mod shutdown;
mod startup;
mod topics;
