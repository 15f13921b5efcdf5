//! Every benchmark the README cites, run at its quick scale on every CI run: a bench that
//! no longer builds or no longer runs (a route it asks for refuses it, an API it calls
//! moved) fails here, not months later when someone wants its numbers. Nothing is timed:
//! the numbers are printed, as the full benches print them.
//!
//! The bench files are included as modules, so they share this one test binary (each
//! bench binary of its own would be another 360 MB link in CI). They run on the runtime
//! the test consoles share ([`support::server_runtime`]), as the consoles do.

use crate::support;

#[path = "../benches/cloudwatch.rs"]
mod cloudwatch_bench;
#[path = "../benches/history.rs"]
mod history_bench;
#[path = "../benches/metrics.rs"]
mod metrics_bench;
#[path = "../benches/probe.rs"]
mod probe_bench;
#[path = "../benches/refresh.rs"]
mod refresh_bench;
#[path = "../benches/topics.rs"]
mod topics_bench;

#[tokio::test]
async fn the_refresh_bench_runs_at_its_quick_scale() {
    support::server_runtime()
        .spawn(refresh_bench::run(refresh_bench::Scale::quick()))
        .await
        .expect("the refresh bench ran");
}

#[tokio::test]
async fn the_probe_bench_runs_at_its_quick_scale() {
    support::server_runtime()
        .spawn(probe_bench::run(probe_bench::Scale::quick()))
        .await
        .expect("the probe bench ran");
}

#[tokio::test]
async fn the_history_bench_runs_at_its_quick_scale() {
    support::server_runtime()
        .spawn(history_bench::run(history_bench::Scale::quick()))
        .await
        .expect("the history bench ran");
}

#[tokio::test]
async fn the_cloudwatch_bench_runs_at_its_quick_scale() {
    support::server_runtime()
        .spawn(cloudwatch_bench::run(cloudwatch_bench::Scale::quick()))
        .await
        .expect("the CloudWatch bench ran");
}

#[tokio::test]
async fn the_metrics_bench_runs_at_its_quick_scale() {
    support::server_runtime()
        .spawn(metrics_bench::run(metrics_bench::Scale::quick()))
        .await
        .expect("the metrics bench ran");
}

#[tokio::test]
async fn the_topics_bench_runs_at_its_quick_scale() {
    support::server_runtime()
        .spawn(topics_bench::run(topics_bench::Scale::quick()))
        .await
        .expect("the topics bench ran");
}
