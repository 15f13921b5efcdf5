//! How a cluster is named in URLs and the history: the one rule, for clusters listed by
//! AWS and by inventory files alike.

/// The stable id of a cluster: its name made URL-safe plus 10 hex digits of the SHA-256
/// of its ARN. It survives restarts and refreshes, and is unique for distinct ARNs.
pub fn stable_id(name: &str, arn: &str) -> String {
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
        format!("cluster-{hex}")
    } else {
        format!("{slug}-{hex}")
    }
}

/// The account id in an ARN (`arn:aws:kafka:REGION:ACCOUNT:cluster/…`).
pub fn arn_account(arn: &str) -> Option<String> {
    arn.split(':')
        .nth(4)
        .filter(|a| !a.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_url_safe_and_distinct() {
        let a = stable_id(
            "Orders Prod!",
            "arn:aws:kafka:eu-west-1:1:cluster/Orders/abc-1",
        );
        assert_eq!(
            a,
            stable_id(
                "Orders Prod!",
                "arn:aws:kafka:eu-west-1:1:cluster/Orders/abc-1"
            )
        );
        assert!(a.starts_with("orders-prod-"), "{a}");
        assert!(app::params::ClusterId::is_valid(&a));
        assert_ne!(
            a,
            stable_id(
                "Orders Prod!",
                "arn:aws:kafka:eu-west-1:1:cluster/Orders/abc-2"
            )
        );
        assert!(stable_id("!!!", "x").starts_with("cluster-"));
    }

    #[test]
    fn account_comes_from_the_arn() {
        assert_eq!(
            arn_account("arn:aws:kafka:ap-northeast-2:123456789012:cluster/n/u-1").as_deref(),
            Some("123456789012")
        );
        assert_eq!(arn_account("self-managed:x"), None);
    }
}
