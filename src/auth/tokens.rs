//! Bearer tokens: made here, stored hashed (see [`crate::store::access`]), managed with
//! `msk-console token create | list | revoke`.

use std::time::Duration;

use crate::store::Db;
use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::clock::{now_unix, rfc3339};
use crate::config::TokenCommand;
use crate::store::access;

/// Every token starts with this, so a leaked one is easy to recognise (and to search
/// for in code).
pub const PREFIX: &str = "mskc_";

/// A new random token: the prefix and 256 random bits.
pub fn generate() -> Result<String, String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness: {e}"))?;
    Ok(format!(
        "{PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    ))
}

/// What the store keeps of a token.
pub fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A token name: 1 to 64 of letters, digits, `-`, `_`, `.`.
fn check_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{}` is not a token name: use 1 to 64 letters, digits, `-`, `_` or `.`",
            name.chars().take(64).collect::<String>()
        ))
    }
}

/// Runs one `token` subcommand, returning what to print.
pub async fn run(pool: &Db, cmd: &TokenCommand) -> Result<String, String> {
    let db = |e: crate::store::StoreError| format!("the database: {e}");
    match cmd {
        TokenCommand::Create {
            name,
            role,
            expires,
        } => {
            check_name(name)?;
            let role = *role;
            let token = generate()?;
            let now = now_unix();
            let expires_at = expires.map(|d: Duration| {
                now.saturating_add(i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            });
            if !access::insert_token(pool, name, role.as_str(), &hash(&token), now, expires_at)
                .await
                .map_err(db)?
            {
                return Err(format!(
                    "a token named `{name}` exists already: revoke it or choose another name"
                ));
            }
            tracing::info!(target: "audit", token = %name, %role, "token created");
            Ok(format!("{token}\n"))
        }
        TokenCommand::List => {
            let rows = access::list_tokens(pool).await.map_err(db)?;
            let mut out = String::from("NAME\tROLE\tCREATED\tEXPIRES\tLAST USED\tREVOKED\n");
            let t = |v: Option<i64>| v.map(rfc3339).unwrap_or_else(|| "-".into());
            for r in rows {
                out.push_str(&format!(
                    "{}\t{}\t{}\t{}\t{}\t{}\n",
                    r.name,
                    r.role,
                    rfc3339(r.created_at),
                    t(r.expires_at),
                    t(r.last_used_at),
                    t(r.revoked_at)
                ));
            }
            Ok(out)
        }
        TokenCommand::Revoke { name } => {
            if access::revoke_token(pool, name, now_unix())
                .await
                .map_err(db)?
            {
                tracing::info!(target: "audit", token = %name, "token revoked");
                Ok(format!("revoked `{name}`\n"))
            } else {
                Err(format!(
                    "there is no live token named `{}`",
                    name.chars().take(64).collect::<String>()
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_prefixed_and_hashed() {
        let a = generate().unwrap();
        let b = generate().unwrap();
        assert!(a.starts_with(PREFIX) && a.len() == PREFIX.len() + 43);
        assert_ne!(a, b);
        assert_eq!(hash(&a).len(), 64);
        assert_ne!(hash(&a), hash(&b));
        assert!(check_name("ci-nightly.2").is_ok());
        assert!(check_name("a b").is_err() && check_name("").is_err());
    }
}
