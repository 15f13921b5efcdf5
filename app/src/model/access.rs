//! Who is asking, and what they may do.
//!
//! The server's login layer (`--auth none | oidc | proxy`, plus bearer tokens) puts an
//! [`Identity`] on every request. A [`Role`] decides what it may do: a viewer reads the
//! pages, the JSON API and the downloads; an operator may also start a refresh or a
//! probe. Pages ask for [`Permissions`] to show only the buttons the caller may use.

use serde::{Deserialize, Serialize};

/// What a caller may do. Ordered: an operator may do all a viewer may.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Pages, the JSON API and the downloads.
    Viewer,
    /// Also "Refresh now" and "Probe now".
    Operator,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
        }
    }

    pub fn parse(s: &str) -> Result<Role, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "viewer" => Ok(Role::Viewer),
            "operator" => Ok(Role::Operator),
            other => Err(format!(
                "`{}` is not a role: use viewer or operator",
                other.chars().take(40).collect::<String>()
            )),
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a caller was identified.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    /// `--auth none`: nobody signs in and everyone may do everything.
    Open,
    /// A session cookie from an OpenID Connect sign-in.
    Session,
    /// Identity headers from a trusted proxy.
    Proxy,
    /// A bearer token.
    Token,
}

/// The caller of one request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// The user name (or the token's name, or `anonymous`).
    pub name: String,
    pub email: Option<String>,
    pub role: Role,
    pub via: Via,
}

impl Identity {
    /// The caller when nobody signs in (`--auth none`).
    pub fn open() -> Identity {
        Identity {
            name: "anonymous".into(),
            email: None,
            role: Role::Operator,
            via: Via::Open,
        }
    }

    pub fn can_operate(&self) -> bool {
        self.role >= Role::Operator
    }

    /// The name the audit log and the History page show: `alice`,
    /// `alice <alice@example.com>`, `token ci-nightly`.
    pub fn display(&self) -> String {
        match (&self.via, &self.email) {
            (Via::Token, _) => format!("token {}", self.name),
            (_, Some(e)) if e != &self.name => format!("{} <{e}>", self.name),
            _ => self.name.clone(),
        }
    }
}

/// What the pages need to know about the caller.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permissions {
    /// Whether a login is in force (any mode but `none`).
    pub login: bool,
    /// The signed-in user, when there is one to show.
    pub user: Option<String>,
    pub role: Role,
    pub can_operate: bool,
    /// Whether "Sign out" makes sense (an OpenID Connect session).
    pub can_sign_out: bool,
}

impl Permissions {
    /// Nothing allowed: what a page assumes when it cannot tell.
    pub fn none() -> Permissions {
        Permissions {
            login: true,
            user: None,
            role: Role::Viewer,
            can_operate: false,
            can_sign_out: false,
        }
    }

    pub fn of(who: &Identity) -> Permissions {
        Permissions {
            login: who.via != Via::Open,
            user: (who.via != Via::Open).then(|| who.display()),
            role: who.role,
            can_operate: who.can_operate(),
            can_sign_out: who.via == Via::Session,
        }
    }
}

/// One line of the audit log: who signed in or out, who started a refresh or a probe.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub id: i64,
    /// RFC 3339, UTC.
    pub at: String,
    pub actor: String,
    /// `sign_in`, `sign_out`, `refresh`, `probe`.
    pub action: String,
    pub detail: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_order_and_parse() {
        assert!(Role::Operator > Role::Viewer);
        assert_eq!(Role::parse(" Operator ").unwrap(), Role::Operator);
        assert!(Role::parse("admin")
            .unwrap_err()
            .contains("viewer or operator"));
        let v = Identity {
            name: "bob".into(),
            email: Some("bob@example.com".into()),
            role: Role::Viewer,
            via: Via::Session,
        };
        assert!(!v.can_operate());
        assert_eq!(v.display(), "bob <bob@example.com>");
        let a = Permissions::of(&v);
        assert!(a.login && a.can_sign_out && !a.can_operate);
        assert!(!Permissions::of(&Identity::open()).login);
    }
}
