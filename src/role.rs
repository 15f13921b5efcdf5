//! What this console does among replicas: it leads, follows, or is the only one.
//!
//! Every background loop that changes something (the refresh, the sweeps, the
//! recorder, the pruner) runs only while its console leads; a follower serves what the
//! leader wrote. The election that decides the role is [`crate::replica`]'s; this module
//! is only the role itself and how to wait for it, so the loops below the election can
//! read it without depending on it.

use tokio::sync::watch;

/// What this console does now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The only console (SQLite): it does everything.
    Single,
    /// It leads the replicas on PostgreSQL, in this epoch.
    Leader { epoch: i64 },
    /// It serves what the leader writes.
    Follower,
}

impl Role {
    /// Whether this console refreshes, probes, records and prunes.
    pub fn leads(self) -> bool {
        !matches!(self, Role::Follower)
    }

    pub fn name(self) -> &'static str {
        match self {
            Role::Single => "single",
            Role::Leader { .. } => "leader",
            Role::Follower => "follower",
        }
    }
}

/// Where a loop reads this console's role.
pub type Roles = watch::Receiver<Role>;

/// A receiver that always says [`Role::Single`] (one console; tests and benches that
/// start the parts themselves).
pub fn single() -> Roles {
    static SINGLE: std::sync::OnceLock<watch::Sender<Role>> = std::sync::OnceLock::new();
    SINGLE
        .get_or_init(|| watch::channel(Role::Single).0)
        .subscribe()
}

/// Waits until `roles` says this console leads; `false` if the sender is gone.
pub async fn until_leading(roles: &mut Roles) -> bool {
    roles.wait_for(|r| r.leads()).await.is_ok()
}
