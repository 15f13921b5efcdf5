//! How a cluster is named in URLs and the history: the one rule, for clusters listed by
//! AWS and by inventory files alike.

use app::params::ClusterId;

/// The stable id of a cluster (see [`ClusterId::derive`]).
pub fn stable_id(name: &str, arn: &str) -> ClusterId {
    ClusterId::derive(name, arn)
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
