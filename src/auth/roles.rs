//! Who is a viewer and who an operator, from `--operators` and `--viewers`.
//!
//! Each entry matches a group, an email or a user name, case-insensitively. Operators
//! are also viewers. With no `--viewers`, everyone who signs in is at least a viewer.

use std::collections::HashSet;

use app::model::Role;

#[derive(Clone, Debug, Default)]
pub struct RoleMap {
    operators: HashSet<String>,
    viewers: HashSet<String>,
}

fn set(entries: &[String]) -> HashSet<String> {
    entries
        .iter()
        .map(|e| e.trim().to_lowercase())
        .filter(|e| !e.is_empty())
        .collect()
}

impl RoleMap {
    pub fn new(operators: &[String], viewers: &[String]) -> RoleMap {
        RoleMap {
            operators: set(operators),
            viewers: set(viewers),
        }
    }

    /// The role of a user, or `None` if the user may not use the console.
    pub fn role(&self, user: &str, email: Option<&str>, groups: &[String]) -> Option<Role> {
        let names: Vec<String> = std::iter::once(user)
            .chain(email)
            .chain(groups.iter().map(String::as_str))
            .map(str::to_lowercase)
            .collect();
        let any = |set: &HashSet<String>| names.iter().any(|n| set.contains(n));
        if any(&self.operators) {
            Some(Role::Operator)
        } else if self.viewers.is_empty() || any(&self.viewers) {
            Some(Role::Viewer)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_emails_and_names_map_to_roles() {
        let m = RoleMap::new(&["Kafka-Admins".into(), "carol".into()], &[]);
        assert_eq!(
            m.role("alice", None, &["kafka-admins".into()]),
            Some(Role::Operator)
        );
        assert_eq!(m.role("Carol", None, &[]), Some(Role::Operator));
        assert_eq!(
            m.role("bob", Some("bob@x"), &["dev".into()]),
            Some(Role::Viewer)
        );
        let closed = RoleMap::new(&["ops".into()], &["dev".into(), "eve@x".into()]);
        assert_eq!(
            closed.role("bob", None, &["dev".into()]),
            Some(Role::Viewer)
        );
        assert_eq!(closed.role("eve", Some("EVE@x"), &[]), Some(Role::Viewer));
        assert_eq!(closed.role("mallory", None, &["guests".into()]), None);
        assert_eq!(
            closed.role("olga", None, &["ops".into()]),
            Some(Role::Operator)
        );
    }
}
