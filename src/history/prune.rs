//! Retention: on a schedule (and once at start), remove every state that was superseded
//! before `now - retention`. A cluster's latest state is always kept, and so is a removed
//! cluster's last state.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::History;
use crate::clock::now_unix;
use crate::store::snapshots;
use crate::store::StoreError;

pub use crate::store::snapshots::Pruned;

/// Prunes every `every`, the first time at once, until `shutdown`.
pub(super) async fn run(history: Arc<History>, every: Duration, shutdown: CancellationToken) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.cancelled() => return,
        }
        match history.prune(now_unix()).await {
            Ok(p) if p != Pruned::default() => tracing::info!(
                changes = p.changes,
                snapshots = p.snapshots,
                states = p.states,
                "pruned the history"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not prune the history"),
        }
    }
}

impl History {
    /// Removes what was superseded before `now - retention`, in one transaction.
    pub async fn prune(&self, now: i64) -> Result<Pruned, StoreError> {
        let cutoff =
            now.saturating_sub(i64::try_from(self.retention.as_secs()).unwrap_or(i64::MAX));
        let pruned = snapshots::prune(&self.pool, cutoff).await?;
        // Summed-up coverage intervals may hold what was just pruned.
        if pruned.snapshots > 0 {
            *self.coverage.lock().await = None;
        }
        Ok(pruned)
    }
}
