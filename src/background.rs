//! The console's background loops: how they are started, told to stop, and waited for.
//!
//! Every loop (the refresh, the sweeps, the recorder, the pruner, the election, the
//! view's writer and reader) is spawned through one [`Background`]: it stops when the
//! shutdown token is cancelled, and the task tracker says when the last one has ended,
//! so a console that shuts down can wait for its loops instead of guessing how long they
//! take.

use std::future::Future;

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// The shutdown signal and the loops started under it. Cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct Background {
    /// Cancelled when the console shuts down; every loop stops on it.
    pub shutdown: CancellationToken,
    tasks: TaskTracker,
}

impl Background {
    pub fn new() -> Background {
        Background::default()
    }

    /// Starts a loop; it is counted until it ends.
    pub fn spawn<F>(&self, task: F)
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.tasks.spawn(task);
    }

    /// Tells every loop to stop, and waits until the last has ended.
    pub async fn stop(&self) {
        self.shutdown.cancel();
        self.tasks.close();
        self.tasks.wait().await;
    }

    /// How many loops are still running.
    pub fn running(&self) -> usize {
        self.tasks.len()
    }
}

impl From<CancellationToken> for Background {
    /// Loops that stop when `shutdown` is cancelled (tests that start the parts alone).
    fn from(shutdown: CancellationToken) -> Background {
        Background {
            shutdown,
            tasks: TaskTracker::new(),
        }
    }
}
