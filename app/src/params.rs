//! Values that enter from a URL, a query string or a form, parsed once where they enter.
//!
//! Each type's `parse` owns its error sentence, so a malformed cluster id, snapshot id,
//! change id or page size reads the same whichever door it came through (a page, the JSON
//! API, a download). Past the edge the rest of the code takes these types and never
//! checks again.

use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// How much of a hostile value an error message repeats.
const SHOWN: usize = 80;

fn shown(s: &str, n: usize) -> String {
    s.chars()
        .take(n)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// A cluster id: the cluster name made URL-safe plus ten hex digits of its ARN's SHA-256
/// (`orders-prod-e9b1361d9d`). It is checked wherever it enters (a request, a stored
/// state, a leader's view: deserializing refuses a malformed one) and carried as this
/// type after, so no code checks it twice.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClusterId(String);

impl TryFrom<String> for ClusterId {
    type Error = String;

    fn try_from(id: String) -> Result<ClusterId, String> {
        if ClusterId::is_valid(&id) {
            Ok(ClusterId(id))
        } else {
            Err(format!("`{}` is not a cluster id", shown(&id, SHOWN)))
        }
    }
}

impl From<ClusterId> for String {
    fn from(id: ClusterId) -> String {
        id.0
    }
}

impl std::ops::Deref for ClusterId {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for ClusterId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for ClusterId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for ClusterId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for ClusterId {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for ClusterId {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

impl ClusterId {
    /// Whether a string has the shape of a cluster id at all.
    pub fn is_valid(id: &str) -> bool {
        !id.is_empty()
            && id.len() <= 128
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    }

    /// A cluster id from a request, or a 404 that says it cannot be one (before any
    /// lookup, so a malformed id gets its own message).
    pub fn parse(id: &str) -> Result<ClusterId, AppError> {
        if Self::is_valid(id) {
            return Ok(ClusterId(id.to_string()));
        }
        Err(AppError::not_found(format!(
            "`{}` is not a cluster id. Cluster ids look like `orders-3f9a2c1b7e` and are listed on the Clusters page.",
            shown(id, SHOWN)
        )))
    }

    /// An optional id from a query string: empty means none.
    pub fn parse_opt(v: Option<&str>) -> Result<Option<ClusterId>, AppError> {
        match v.map(str::trim) {
            None | Some("") => Ok(None),
            Some(s) => Self::parse(s).map(Some),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id of the cluster with this name and ARN: the name made URL-safe (at most 48
    /// characters) and 10 hex digits of the ARN's SHA-256. It survives restarts and
    /// refreshes, and is unique for distinct ARNs (`orders-prod-e9b1361d9d`; a name with
    /// nothing URL-safe in it gives `cluster-e9b1361d9d`).
    #[cfg(feature = "ssr")]
    pub fn derive(name: &str, arn: &str) -> ClusterId {
        use sha2::Digest;
        let mut slug = String::new();
        for c in name.chars().flat_map(char::to_lowercase) {
            if c.is_ascii_alphanumeric() {
                slug.push(c);
            } else if !slug.ends_with('-') && !slug.is_empty() {
                slug.push('-');
            }
            if slug.len() >= 48 {
                break;
            }
        }
        let slug = slug.trim_end_matches('-');
        let digest = sha2::Sha256::digest(arn.as_bytes());
        let hex: String = digest.iter().take(5).map(|b| format!("{b:02x}")).collect();
        if slug.is_empty() {
            ClusterId(format!("cluster-{hex}"))
        } else {
            ClusterId(format!("{slug}-{hex}"))
        }
    }
}

impl std::fmt::Display for ClusterId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// How a request names a live cluster: its id, or its ARN (percent-decoded by the router).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClusterKey {
    Id(ClusterId),
    Arn(String),
}

impl ClusterKey {
    /// An id, or a string that starts with `arn:` and holds no control characters.
    pub fn parse(s: &str) -> Result<ClusterKey, AppError> {
        if s.starts_with("arn:") && s.len() <= 2048 && !s.chars().any(char::is_control) {
            return Ok(ClusterKey::Arn(s.to_string()));
        }
        ClusterId::parse(s).map(ClusterKey::Id)
    }

    pub fn as_str(&self) -> &str {
        match self {
            ClusterKey::Id(id) => id.as_str(),
            ClusterKey::Arn(arn) => arn,
        }
    }
}

impl From<ClusterId> for ClusterKey {
    fn from(id: ClusterId) -> Self {
        ClusterKey::Id(id)
    }
}

impl std::fmt::Display for ClusterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A positive number from a query string; empty is none, anything else is a 400 that
/// names the parameter and says what it holds.
fn positive(name: &str, what: &str, v: Option<&str>) -> Result<Option<i64>, AppError> {
    match v.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .map(Some)
            .ok_or_else(|| {
                AppError::bad_request(format!(
                    "`{name}` must be a positive number ({what}), not `{}`",
                    shown(s, 40)
                ))
            }),
    }
}

/// A snapshot of the history (`at`, `from`, `to`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SnapshotId(pub i64);

impl SnapshotId {
    /// The query parameter `name`, if given.
    pub fn parse(name: &str, v: Option<&str>) -> Result<Option<SnapshotId>, AppError> {
        Ok(positive(name, "a snapshot id", v)?.map(SnapshotId))
    }
}

impl std::fmt::Display for SnapshotId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A change in a timeline (`before`: the page continues below it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ChangeId(pub i64);

impl ChangeId {
    /// The query parameter `name`, if given.
    pub fn parse(name: &str, v: Option<&str>) -> Result<Option<ChangeId>, AppError> {
        Ok(positive(name, "a change id", v)?.map(ChangeId))
    }
}

/// How many entries one page of a timeline holds: [`PageSize::DEFAULT`] unless asked,
/// and never more than [`PageSize::MAX`]. Every timeline (the pages and the JSON API)
/// takes its size from [`PageSize::parse`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PageSize(u32);

impl PageSize {
    /// The largest page of a timeline.
    pub const MAX: u32 = 200;
    /// The page size when none is asked for.
    pub const DEFAULT: u32 = 50;

    /// `limit` from a query string: empty is the default, a larger number is cut to the
    /// largest page, anything but a positive number is a 400.
    pub fn parse(v: Option<&str>) -> Result<PageSize, AppError> {
        Ok(match positive("limit", "a page size", v)? {
            None => PageSize::default(),
            Some(n) => PageSize(n.min(i64::from(Self::MAX)) as u32),
        })
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

impl Default for PageSize {
    fn default() -> Self {
        PageSize(Self::DEFAULT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_ids_are_checked_for_shape() {
        assert!(ClusterId::parse("orders-0a1b2c3d4e").is_ok());
        for bad in ["../etc/passwd", "Orders", "", "a b"] {
            let e = ClusterId::parse(bad).unwrap_err();
            assert_eq!(e.status_code(), 404);
            assert!(e.to_string().contains("is not a cluster id"), "{e}");
        }
        assert_eq!(ClusterId::parse_opt(Some(" ")).unwrap(), None);
    }

    #[test]
    fn a_cluster_id_is_checked_when_it_is_read_back_too() {
        let id: ClusterId = serde_json::from_str(r#""orders-0a1b2c3d4e""#).unwrap();
        assert_eq!(id, "orders-0a1b2c3d4e");
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            r#""orders-0a1b2c3d4e""#
        );
        for bad in [r#""../etc""#, r#""<x>""#, r#""""#, r#""Orders""#] {
            let e = serde_json::from_str::<ClusterId>(bad).unwrap_err();
            assert!(e.to_string().contains("is not a cluster id"), "{bad}: {e}");
        }
        // As a map key (the probes by cluster) as well.
        let m: std::collections::BTreeMap<ClusterId, u8> =
            serde_json::from_str(r#"{"a-1": 1}"#).unwrap();
        assert_eq!(m.get("a-1"), Some(&1));
        assert!(
            serde_json::from_str::<std::collections::BTreeMap<ClusterId, u8>>(r#"{"A B": 1}"#)
                .is_err()
        );
    }

    #[test]
    fn a_key_is_an_id_or_an_arn() {
        let arn = "arn:aws:kafka:eu-west-1:1:cluster/a/b";
        assert_eq!(ClusterKey::parse(arn).unwrap(), ClusterKey::Arn(arn.into()));
        assert!(matches!(
            ClusterKey::parse("orders-0a1b2c3d4e").unwrap(),
            ClusterKey::Id(_)
        ));
        assert!(ClusterKey::parse("arn:x\ny").is_err());
    }

    #[test]
    fn numbers_say_what_they_hold() {
        assert_eq!(
            SnapshotId::parse("at", Some("7")).unwrap(),
            Some(SnapshotId(7))
        );
        assert_eq!(SnapshotId::parse("at", Some("")).unwrap(), None);
        let e = SnapshotId::parse("from", Some("-1")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "`from` must be a positive number (a snapshot id), not `-1`"
        );
        let e = ChangeId::parse("before", Some("x")).unwrap_err();
        assert!(e.to_string().contains("(a change id)"), "{e}");
        assert_eq!(e.status_code(), 400);
    }

    #[test]
    fn page_sizes_default_and_are_capped() {
        assert_eq!(PageSize::parse(None).unwrap().get(), PageSize::DEFAULT);
        assert_eq!(PageSize::parse(Some("3")).unwrap().get(), 3);
        assert_eq!(
            PageSize::parse(Some("100000")).unwrap().get(),
            PageSize::MAX
        );
        let e = PageSize::parse(Some("0")).unwrap_err();
        assert!(e.to_string().contains("(a page size)"), "{e}");
    }
}
