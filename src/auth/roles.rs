//! Who is a viewer and who an operator, from `--operators` and `--viewers`.
//!
//! Each entry names one kind of thing by its prefix: `group:kafka-admins` (a group the
//! provider or the proxy lists), `email:olga@example.com` (a verified email) or
//! `user:olga` (a user name). Each matches only its own kind, case-insensitively, so a
//! user who registers the name `kafka-admins` is not in the group `kafka-admins`.
//!
//! An entry without a prefix is read as before prefixes existed: it matches a group, an
//! email or a user name alike. The console says so at start, in one line naming them.
//!
//! Operators are also viewers. With no `--viewers`, everyone who signs in is at least a
//! viewer.

use std::collections::HashSet;

use app::model::Role;

/// What one entry of a role list matches.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Entry {
    Group(String),
    Email(String),
    User(String),
    /// No prefix: a group, an email or a user name.
    Any(String),
}

impl Entry {
    fn parse(raw: &str) -> Option<Entry> {
        let raw = raw.trim();
        let lower = |s: &str| s.trim().to_lowercase();
        let e = if let Some(g) = raw.strip_prefix("group:") {
            Entry::Group(lower(g))
        } else if let Some(m) = raw.strip_prefix("email:") {
            Entry::Email(lower(m))
        } else if let Some(u) = raw.strip_prefix("user:") {
            Entry::User(lower(u))
        } else {
            Entry::Any(lower(raw))
        };
        let empty = match &e {
            Entry::Group(v) | Entry::Email(v) | Entry::User(v) | Entry::Any(v) => v.is_empty(),
        };
        (!empty).then_some(e)
    }
}

/// Who a caller is, as the role lists can name it.
pub struct Who<'a> {
    pub user: &'a str,
    /// A verified email only.
    pub email: Option<&'a str>,
    pub groups: &'a [String],
}

#[derive(Clone, Debug, Default)]
pub struct RoleMap {
    operators: HashSet<Entry>,
    viewers: HashSet<Entry>,
}

fn set(entries: &[String]) -> HashSet<Entry> {
    entries.iter().filter_map(|e| Entry::parse(e)).collect()
}

impl RoleMap {
    pub fn new(operators: &[String], viewers: &[String]) -> RoleMap {
        RoleMap {
            operators: set(operators),
            viewers: set(viewers),
        }
    }

    /// The entries without a kind prefix, sorted (the start-up warning names them).
    pub fn unprefixed(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .operators
            .iter()
            .chain(&self.viewers)
            .filter_map(|e| match e {
                Entry::Any(v) => Some(v.clone()),
                _ => None,
            })
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// The role of a user, or `None` if the user may not use the console.
    pub fn role(&self, who: &Who) -> Option<Role> {
        let user = who.user.to_lowercase();
        let email = who.email.map(str::to_lowercase);
        let groups: Vec<String> = who.groups.iter().map(|g| g.to_lowercase()).collect();
        let matches = |e: &Entry| match e {
            Entry::Group(g) => groups.contains(g),
            Entry::Email(m) => email.as_ref() == Some(m),
            Entry::User(u) => &user == u,
            Entry::Any(v) => &user == v || email.as_ref() == Some(v) || groups.contains(v),
        };
        if self.operators.iter().any(matches) {
            Some(Role::Operator)
        } else if self.viewers.is_empty() || self.viewers.iter().any(matches) {
            Some(Role::Viewer)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who<'a>(user: &'a str, email: Option<&'a str>, groups: &'a [String]) -> Who<'a> {
        Who {
            user,
            email,
            groups,
        }
    }

    #[test]
    fn groups_emails_and_names_map_to_roles() {
        let m = RoleMap::new(&["Kafka-Admins".into(), "carol".into()], &[]);
        let admins = ["kafka-admins".to_string()];
        let dev = ["dev".to_string()];
        assert_eq!(m.role(&who("alice", None, &admins)), Some(Role::Operator));
        assert_eq!(m.role(&who("Carol", None, &[])), Some(Role::Operator));
        assert_eq!(m.role(&who("bob", Some("bob@x"), &dev)), Some(Role::Viewer));
        let closed = RoleMap::new(&["ops".into()], &["dev".into(), "eve@x".into()]);
        assert_eq!(closed.role(&who("bob", None, &dev)), Some(Role::Viewer));
        assert_eq!(
            closed.role(&who("eve", Some("EVE@x"), &[])),
            Some(Role::Viewer)
        );
        let guests = ["guests".to_string()];
        assert_eq!(closed.role(&who("mallory", None, &guests)), None);
        let ops = ["ops".to_string()];
        assert_eq!(closed.role(&who("olga", None, &ops)), Some(Role::Operator));
        assert_eq!(closed.unprefixed(), ["dev", "eve@x", "ops"]);
    }

    #[test]
    fn a_prefixed_entry_matches_only_its_own_kind() {
        let m = RoleMap::new(
            &["group:kafka-admins".into(), "email:olga@example.com".into()],
            &["group:developers".into(), "user:carol".into()],
        );
        assert!(m.unprefixed().is_empty());
        // A user who registered the name of the operators' group is not in it.
        assert_eq!(m.role(&who("kafka-admins", None, &[])), None);
        let admins = ["kafka-admins".to_string()];
        assert_eq!(m.role(&who("victor", None, &admins)), Some(Role::Operator));
        // An email entry is not a user name, and a user entry is not a group.
        assert_eq!(m.role(&who("olga@example.com", None, &[])), None);
        assert_eq!(
            m.role(&who("olga", Some("Olga@Example.com"), &[])),
            Some(Role::Operator)
        );
        let carol = ["carol".to_string()];
        assert_eq!(m.role(&who("dana", None, &carol)), None);
        assert_eq!(m.role(&who("carol", None, &[])), Some(Role::Viewer));
        let devs = ["developers".to_string()];
        assert_eq!(m.role(&who("dana", None, &devs)), Some(Role::Viewer));
        assert_eq!(m.role(&who("developers", None, &[])), None);
        // Empty entries are dropped.
        assert!(RoleMap::new(&["group:".into(), " ".into()], &[])
            .operators
            .is_empty());
    }
}
