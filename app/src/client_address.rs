//! Which address a request comes from, for sign-in throttling, the audit log and the
//! open API's limits.
//!
//! Behind a load balancer every request arrives from the balancer, and the client's own
//! address is in `X-Forwarded-For` or `Forwarded`. Those headers are written by whoever
//! sends the request, so they are believed only when the request comes from a proxy
//! Paydesk was told to trust (`PAYDESK_TRUSTED_PROXIES`), and then only the part that
//! the trusted proxies added: the address just before the last trusted hop. Otherwise
//! anyone could pick a fresh address for each guess at a password (docs/SECURITY.md).

use std::net::IpAddr;

/// A network: an address and how many of its leading bits count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Network {
    addr: IpAddr,
    prefix: u8,
}

impl Network {
    /// `10.0.0.0/8`, `::1/128`, or a bare address (all of its bits).
    pub fn parse(s: &str) -> Option<Network> {
        let (addr, prefix) = match s.trim().split_once('/') {
            Some((a, p)) => (a.parse::<IpAddr>().ok()?, Some(p.parse::<u8>().ok()?)),
            None => (s.trim().parse::<IpAddr>().ok()?, None),
        };
        let bits = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(bits);
        (prefix <= bits).then_some(Network { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        fn masked(bits: u128, prefix: u8, width: u8) -> u128 {
            if prefix == 0 {
                0
            } else {
                bits >> (width - prefix)
            }
        }
        match (self.addr, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                masked(u32::from(net).into(), self.prefix, 32)
                    == masked(u32::from(ip).into(), self.prefix, 32)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                masked(u128::from(net), self.prefix, 128)
                    == masked(u128::from(ip), self.prefix, 128)
            }
            _ => false,
        }
    }
}

/// An IPv4 address written as IPv6 (`::ffff:10.0.0.1`) is the IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The proxies whose forwarding headers are believed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Network>);

impl TrustedProxies {
    /// A comma-separated list of addresses and networks; empty trusts no proxy.
    pub fn parse(list: &str) -> Result<TrustedProxies, String> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                Network::parse(s).ok_or_else(|| format!("{s:?} is not an IP address or network"))
            })
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(ip))
    }

    /// The client's address: `peer` (the connection's other end) unless it is a trusted
    /// proxy; then, walking the forwarded addresses from the nearest hop back, the
    /// first one that is not itself a trusted proxy. `forwarded_for` holds the values
    /// of `X-Forwarded-For` headers and `forwarded` those of `Forwarded` (RFC 7239);
    /// `Forwarded` wins when both are present. Anything unreadable stops the walk at
    /// the last trusted hop.
    pub fn client(&self, peer: IpAddr, forwarded: &[&str], forwarded_for: &[&str]) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let hops: Vec<Option<IpAddr>> = if !forwarded.is_empty() {
            forwarded
                .iter()
                .flat_map(|h| h.split(','))
                .map(|element| {
                    element
                        .split(';')
                        .filter_map(|pair| pair.split_once('='))
                        .find(|(k, _)| k.trim().eq_ignore_ascii_case("for"))
                        .and_then(|(_, v)| parse_node(v))
                })
                .collect()
        } else {
            forwarded_for
                .iter()
                .flat_map(|h| h.split(','))
                .map(parse_node)
                .collect()
        };
        let mut client = peer;
        for hop in hops.into_iter().rev() {
            match hop {
                Some(ip) => {
                    client = canonical(ip);
                    if !self.trusts(client) {
                        break;
                    }
                }
                None => break,
            }
        }
        client
    }
}

#[cfg(feature = "ssr")]
impl TrustedProxies {
    /// [`client`](Self::client) of a request from `peer` with `headers`.
    pub fn client_of(&self, peer: IpAddr, headers: &http::HeaderMap) -> IpAddr {
        let values = |name: &str| -> Vec<&str> {
            headers
                .get_all(name)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect()
        };
        self.client(peer, &values("forwarded"), &values("x-forwarded-for"))
    }
}

/// An address as forwarding headers write it: `203.0.113.7`, `"[2001:db8::1]:443"`,
/// `198.51.100.2:8080`.
fn parse_node(v: &str) -> Option<IpAddr> {
    let v = v.trim().trim_matches('"');
    if let Ok(ip) = v.parse() {
        return Some(ip);
    }
    if let Some(rest) = v.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    v.rsplit_once(':')?.0.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn networks() {
        let n = Network::parse("10.0.0.0/8").unwrap();
        assert!(n.contains(ip("10.200.1.1")) && !n.contains(ip("11.0.0.1")));
        assert!(n.contains(ip("::ffff:10.0.0.1")));
        assert!(Network::parse("::1").unwrap().contains(ip("::1")));
        assert!(Network::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
        for bad in ["10.0.0.0/33", "nonsense", "10.0.0/8", "::1/129"] {
            assert_eq!(Network::parse(bad), None, "{bad}");
        }
        assert!(TrustedProxies::parse("10.0.0.1, bogus").is_err());
    }

    #[test]
    fn forwarding_headers_are_believed_only_from_trusted_proxies() {
        let none = TrustedProxies::default();
        // A client cannot choose its address by sending the header itself.
        assert_eq!(
            none.client(ip("198.51.100.9"), &[], &["1.2.3.4"]),
            ip("198.51.100.9")
        );

        let lb = TrustedProxies::parse("10.0.0.0/8").unwrap();
        assert_eq!(
            lb.client(ip("10.0.0.5"), &[], &["203.0.113.7"]),
            ip("203.0.113.7")
        );
        // A forged entry before the client's real one is ignored: the walk stops at the
        // first address the trusted proxies did not add.
        assert_eq!(
            lb.client(ip("10.0.0.5"), &[], &["6.6.6.6, 203.0.113.7"]),
            ip("203.0.113.7")
        );
        // Two trusted hops.
        assert_eq!(
            lb.client(ip("10.0.0.5"), &[], &["203.0.113.7, 10.0.0.9"]),
            ip("203.0.113.7")
        );
        assert_eq!(
            lb.client(
                ip("10.0.0.5"),
                &["for=\"[2001:db8::7]:443\";proto=https"],
                &["9.9.9.9"]
            ),
            ip("2001:db8::7")
        );
        assert_eq!(lb.client(ip("10.0.0.5"), &[], &["garbage"]), ip("10.0.0.5"));
        assert_eq!(lb.client(ip("10.0.0.5"), &[], &[]), ip("10.0.0.5"));
        // Not from the proxy: the header is not read.
        assert_eq!(
            lb.client(ip("198.51.100.9"), &[], &["1.2.3.4"]),
            ip("198.51.100.9")
        );
    }
}
