//! Bootstrap strings that do not flap.
//!
//! For a cluster with more than three brokers, MSK's GetBootstrapBrokers answers a
//! random selection of three, a different three on each call (the API reference: "this
//! list doesn't necessarily include all of the brokers"). Shown as it comes, every
//! refresh would show another string, every generated file would change, and the history
//! would record a change each time.
//!
//! The rule, for each listener's string:
//! 1. Every `host:port` in AWS's answer must name a broker ListNodes listed: its endpoint
//!    as it is (private and multi-VPC listeners), or its public name, which MSK forms as
//!    `b-N-public.<rest>` from the endpoint `b-N.<rest>` (public listeners). All of them
//!    must use one port.
//! 2. Then the string is every listed broker's name of that kind with that port, in
//!    broker-id order: the same on every call, and it changes exactly when a broker or
//!    the listener does.
//! 3. Otherwise (ListNodes failed or listed no endpoints, a name that matches no broker,
//!    several ports) AWS's answer is kept, its entries sorted, so at least their order
//!    does not flap.

use app::model::Broker;

/// A broker's name as a public listener shows it: `b-1.x.kafka…` → `b-1-public.x.kafka…`.
fn public_name(endpoint: &str) -> Option<String> {
    let (first, rest) = endpoint.split_once('.')?;
    Some(format!("{first}-public.{rest}"))
}

/// The names each broker answers to on a listener of this kind: its endpoint, or its
/// public name.
fn names(brokers: &[Broker], public: bool) -> Vec<String> {
    brokers
        .iter()
        .filter_map(|b| b.endpoints.first())
        .filter_map(|e| {
            if public {
                public_name(e)
            } else {
                Some(e.clone())
            }
        })
        .collect()
}

/// The full, stable string of one listener, from AWS's answer and the brokers
/// (sorted by id) that ListNodes listed.
pub fn stable(servers: &str, brokers: &[Broker]) -> String {
    let entries: Vec<&str> = servers
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let parsed: Option<Vec<(&str, &str)>> = entries.iter().map(|e| e.rsplit_once(':')).collect();
    let derived = parsed.and_then(|hosts| {
        let port = hosts.first()?.1;
        if hosts.iter().any(|(_, p)| *p != port) {
            return None;
        }
        [false, true].into_iter().find_map(|public| {
            let names = names(brokers, public);
            hosts
                .iter()
                .all(|(h, _)| names.iter().any(|n| n == h))
                .then(|| {
                    names
                        .iter()
                        .map(|n| format!("{n}:{port}"))
                        .collect::<Vec<_>>()
                        .join(",")
                })
        })
    });
    derived.unwrap_or_else(|| {
        let mut sorted = entries;
        sorted.sort_unstable();
        sorted.join(",")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brokers(n: u32) -> Vec<Broker> {
        (1..=n)
            .map(|id| Broker {
                id,
                endpoints: vec![format!(
                    "b-{id}.orders.k2x9qa.c2.kafka.eu-west-1.amazonaws.com"
                )],
                client_vpc_ip: None,
                node_arn: None,
            })
            .collect()
    }

    fn host(id: u32, public: bool) -> String {
        let p = if public { "-public" } else { "" };
        format!("b-{id}{p}.orders.k2x9qa.c2.kafka.eu-west-1.amazonaws.com")
    }

    #[test]
    fn any_three_of_six_give_all_six_in_id_order() {
        let all = (1..=6)
            .map(|i| format!("{}:9098", host(i, false)))
            .collect::<Vec<_>>()
            .join(",");
        for pick in [[1, 2, 3], [6, 4, 2], [5, 1, 3]] {
            let answer = pick.map(|i| format!("{}:9098", host(i, false))).join(",");
            assert_eq!(stable(&answer, &brokers(6)), all);
        }
    }

    #[test]
    fn public_names_are_derived_from_the_endpoints() {
        let answer = format!("{}:9198,{}:9198", host(4, true), host(2, true));
        let all = (1..=4)
            .map(|i| format!("{}:9198", host(i, true)))
            .collect::<Vec<_>>()
            .join(",");
        assert_eq!(stable(&answer, &brokers(4)), all);
    }

    #[test]
    fn what_cannot_be_derived_is_kept_sorted() {
        // ListNodes failed: nothing to derive from.
        let answer = format!("{}:9094,{}:9094", host(3, false), host(1, false));
        assert_eq!(
            stable(&answer, &[]),
            format!("{}:9094,{}:9094", host(1, false), host(3, false))
        );
        // A name no broker has (a VPC endpoint, say).
        let odd = "vpce-1.example:14001,b-1.x:14001";
        assert_eq!(stable(odd, &brokers(3)), "b-1.x:14001,vpce-1.example:14001");
        // Two ports.
        let two = format!("{}:9094,{}:9096", host(1, false), host(2, false));
        assert_eq!(stable(&two, &brokers(3)), two);
    }
}
