//! Waiting for a condition, never for a time.
//!
//! Every test that waits for something calls [`eventually`]: it polls a check until the
//! check says it holds or a deadline passes, and then fails with what it waited for and
//! the last thing it saw. A machine that is slower than the one a test was written on
//! makes the test take longer, not fail; a test that waits for the wrong thing fails
//! with a message that says what it got instead.

use std::fmt::Debug;
use std::future::Future;
use std::time::{Duration, Instant};

/// How long a test waits for a condition by default: long enough for a loaded CI
/// machine (a sweep, a refresh, a recording), short enough to fail before CI gives up.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// Polls `check` until it returns `Ok(value)` and returns that value; panics after
/// `timeout` with `what` and the last `Err(seen)`.
///
/// The first check runs at once; later ones follow at growing intervals (10 ms up to
/// 250 ms), so a quick condition is seen quickly and a slow one costs little.
pub async fn eventually<T, S, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    S: Debug,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, S>>,
{
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(10);
    let mut tries = 0u32;
    loop {
        tries += 1;
        let seen = match check().await {
            Ok(v) => return v,
            Err(seen) => seen,
        };
        let now = Instant::now();
        if now >= deadline {
            panic!(
                "waited {timeout:?} ({tries} checks) for {what}, and it did not happen.\nLast seen: {seen:#?}"
            );
        }
        tokio::time::sleep(pause.min(deadline - now)).await;
        pause = (pause * 2).min(Duration::from_millis(250));
    }
}

/// [`eventually`] for code that is not async (a child process, a file): polls from a
/// plain thread.
pub fn eventually_blocking<T, S, F>(what: &str, timeout: Duration, mut check: F) -> T
where
    S: Debug,
    F: FnMut() -> Result<T, S>,
{
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(10);
    let mut tries = 0u32;
    loop {
        tries += 1;
        let seen = match check() {
            Ok(v) => return v,
            Err(seen) => seen,
        };
        let now = Instant::now();
        if now >= deadline {
            panic!(
                "waited {timeout:?} ({tries} checks) for {what}, and it did not happen.\nLast seen: {seen:#?}"
            );
        }
        std::thread::sleep(pause.min(deadline - now));
        pause = (pause * 2).min(Duration::from_millis(250));
    }
}

/// `Ok(v)` when `ok`, else `Err(v)`: the common shape of a check that looks at one value.
pub fn when<T>(ok: bool, v: T) -> Result<T, T> {
    if ok {
        Ok(v)
    } else {
        Err(v)
    }
}
