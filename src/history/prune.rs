//! Retention: on a schedule (and once at start), remove every state that was superseded
//! before `now - retention`. A cluster's latest state is always kept, and so is a removed
//! cluster's last state.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::core::History;
use crate::clock::now_unix;
use crate::store::snapshots;
use crate::store::StoreError;

pub use crate::store::snapshots::Pruned;

/// Prunes every `every` while this console leads, the first time as soon as it leads
/// (at start, or when a replica takes over), until `shutdown`.
pub(super) async fn run(
    history: Arc<History>,
    every: Duration,
    mut roles: crate::role::Roles,
    shutdown: CancellationToken,
) {
    loop {
        tokio::select! {
            leading = crate::role::until_leading(&mut roles) => if !leading { return },
            _ = shutdown.cancelled() => return,
        }
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = shutdown.cancelled() => return,
            }
            if !roles.borrow().leads() {
                break;
            }
            prune_now(&history).await;
        }
    }
}

async fn prune_now(history: &History) {
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
