//! The accept loop: HTTP/1.1 connections with the limits `axum::serve` does not set.
//!
//! - **Header-read timeout**: a client that opens a connection (or keeps an idle one
//!   alive) and does not finish sending a request's headers within `header_timeout` is
//!   disconnected, so half-open and slow-loris connections cannot pile up.
//! - **Write timeout**: a connection whose answer makes no progress for
//!   `write_timeout` (a client that stopped reading, or pipelines requests and never
//!   reads the answers) is closed, so such clients cannot hold every connection.
//! - **Idle timeout**: a connection on which the console waits `idle_timeout` for the
//!   client to send anything (a request body that stops half-way) is closed.
//! - **Connection limit**: at most `max_connections` are served at once; further
//!   clients wait in the kernel's accept queue until one closes.
//! - **Peer address**: every request carries the client's address as
//!   [`axum::extract::ConnectInfo`], which the proxy login mode checks against
//!   `--trusted-proxy`.
//! - **Graceful shutdown**: when `shutdown` completes, no new connection is accepted and
//!   open ones finish their current request.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// The limits of [`serve`].
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub header_timeout: Duration,
    pub write_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_connections: usize,
}

/// Serves `router` on `listener` until `shutdown` completes, then waits (at most
/// `drain`) for open connections to finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    drain: Duration,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            _ = &mut shutdown => break,
            p = permits.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
        };
        let (stream, peer) = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of descriptors and the like: wait a moment rather than spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let mut stream = tokio_io_timeout::TimeoutStream::new(stream);
        stream.set_write_timeout(Some(limits.write_timeout));
        stream.set_read_timeout(Some(limits.idle_timeout));
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<_>| {
            req.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
            router.clone().oneshot(req.map(axum::body::Body::new))
        });
        let conn = builder.serve_connection(TokioIo::new(Box::pin(stream)), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(drain) => {
            tracing::warn!("open connections did not finish in time; closing them");
        }
    }
    Ok(())
}
