//! Where Paydesk may send a notification: a merchant's public web server, never an
//! address inside Paydesk's own network.
//!
//! A notification URL is given by whoever calls the refund API, and the delivery log
//! shows what happened to each attempt, so an unchecked URL would let a client make
//! Paydesk's servers call internal services (the cloud metadata service, the admin port
//! of a database, Paydesk itself) and read the outcome: a port scanner from inside. So
//! URLs are checked when a refund request names one, and again at every delivery after
//! DNS resolution (a public name can point at a private address, and can change).
//! Redirects are not followed. See docs/SECURITY.md.
//!
//! For local development and tests, a setting (`PAYDESK_NOTIFY_ALLOW_PRIVATE=true`) lets
//! notifications go to private addresses.

use crate::refunds::types::ParamError;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use url::{Host, Url};

/// Antom's limit for refundNotifyUrl.
pub const MAX_NOTIFY_URL_LEN: usize = 1024;

/// Whether notifications may go to private and loopback addresses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TargetPolicy {
    pub allow_private: bool,
}

impl TargetPolicy {
    /// Whether a notification may be sent to `ip`.
    pub fn allows(self, ip: IpAddr) -> bool {
        self.allow_private || is_public(ip)
    }
}

/// Whether `ip` is an ordinary address on the internet: not loopback, private,
/// link-local (where cloud metadata services live), shared, multicast, broadcast,
/// unspecified, reserved or for documentation, in either IP version (IPv4 inside IPv6
/// included).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // shared address space (carrier NAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local (fd00:ec2::254 is a metadata address)
        || (first & 0xffc0) == 0xfe80 // link-local
        || (first & 0xffc0) == 0xfec0 // site-local (deprecated)
        || first == 0x2001 && ip.segments()[1] == 0x0db8 // documentation
        || first == 0x0064 && ip.segments()[1] == 0xff9b) // NAT64 to IPv4 inside
}

/// Host names that always mean this machine or a private network.
fn is_internal_name(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost"
        || [
            ".localhost",
            ".local",
            ".internal",
            ".localdomain",
            ".home.arpa",
        ]
        .iter()
        .any(|suffix| name.ends_with(suffix))
        || !name.contains('.')
}

/// A notification URL as the refund API accepts it: absolute http(s), at most 1024
/// characters, no user name or password, and (unless `policy` allows private targets)
/// a host that is neither an internal name nor a non-public address. Addresses are
/// read the way the HTTP client reads them (so `http://2130706433/` is 127.0.0.1).
pub fn parse_notify_url(
    raw: Option<&str>,
    policy: TargetPolicy,
) -> Result<Option<String>, ParamError> {
    let u = match raw {
        None | Some("") => return Ok(None),
        Some(u) => u,
    };
    if u.len() > MAX_NOTIFY_URL_LEN {
        return Err(ParamError(format!(
            "refundNotifyUrl is longer than {MAX_NOTIFY_URL_LEN} characters."
        )));
    }
    let not_absolute = || ParamError("refundNotifyUrl must be an absolute http(s) URL.".into());
    if !u.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(not_absolute());
    }
    let parsed = Url::parse(u).map_err(|_| not_absolute())?;
    if !matches!(parsed.scheme(), "http" | "https")
        || !(u.starts_with("http://") || u.starts_with("https://"))
    {
        return Err(not_absolute());
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(ParamError(
            "refundNotifyUrl must not carry a user name or password.".into(),
        ));
    }
    check_host(&parsed, policy).map_err(ParamError)?;
    Ok(Some(u.to_owned()))
}

/// Refuses a URL whose host is an internal name or a non-public IP address; a public
/// name is checked again once resolved, at delivery.
pub fn check_host(url: &Url, policy: TargetPolicy) -> Result<(), String> {
    let refused = || "refundNotifyUrl must be a public internet address.".to_owned();
    match url.host() {
        None => Err(refused()),
        Some(_) if policy.allow_private => Ok(()),
        Some(Host::Ipv4(ip)) if !is_public_v4(ip) => Err(refused()),
        Some(Host::Ipv6(ip)) if !is_public(IpAddr::V6(ip)) => Err(refused()),
        Some(Host::Domain(name)) if is_internal_name(name) => Err(refused()),
        Some(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: TargetPolicy = TargetPolicy {
        allow_private: false,
    };

    fn accepted(u: &str) -> bool {
        parse_notify_url(Some(u), STRICT).is_ok()
    }

    #[test]
    fn public_urls_are_accepted() {
        assert_eq!(
            parse_notify_url(Some("https://shop.example.com/notify"), STRICT),
            Ok(Some("https://shop.example.com/notify".into()))
        );
        assert!(accepted("http://203.0.114.7:8080/n"));
        assert!(accepted("https://[2606:4700::1111]/n"));
        assert_eq!(parse_notify_url(None, STRICT), Ok(None));
    }

    #[test]
    fn internal_addresses_are_refused_however_they_are_written() {
        for u in [
            "http://169.254.169.254/latest/meta-data/",
            "http://127.0.0.1:3000/api/sign_out",
            "http://localhost/x",
            "http://LOCALHOST./x",
            "http://db.internal/x",
            "http://intranet/x",
            "http://10.1.2.3/x",
            "http://172.16.0.1/x",
            "http://192.168.1.1/x",
            "http://100.64.0.1/x",
            "http://0.0.0.0/x",
            "http://2130706433/x", // 127.0.0.1 as one number
            "http://0x7f.0.0.1/x", // hexadecimal
            "http://0177.0.0.1/x", // octal
            "http://127.1/x",      // short form
            "http://[::1]/x",
            "http://[::ffff:127.0.0.1]/x",
            "http://[fd00:ec2::254]/x",
            "http://[fe80::1]/x",
            "http://224.0.0.1/x",
            "http://255.255.255.255/x",
        ] {
            assert!(!accepted(u), "{u} was accepted");
        }
    }

    #[test]
    fn other_malformed_urls_are_refused() {
        for u in [
            "ftp://shop.example.com/x",
            "https:///x",
            "https://a b.example/x",
            "https://user:pw@shop.example.com/x",
            "//shop.example.com/x",
            "https://shop.example.com/\u{0}",
            "javascript:alert(1)",
        ] {
            assert!(!accepted(u), "{u} was accepted");
        }
        assert!(!accepted(&format!(
            "https://shop.example.com/{}",
            "x".repeat(1024)
        )));
    }

    #[test]
    fn the_development_setting_allows_private_targets() {
        let dev = TargetPolicy {
            allow_private: true,
        };
        assert!(parse_notify_url(Some("http://127.0.0.1:9/n"), dev).is_ok());
        assert!(dev.allows("10.0.0.1".parse().unwrap()));
        assert!(!STRICT.allows("10.0.0.1".parse().unwrap()));
        assert!(STRICT.allows("8.8.8.8".parse().unwrap()));
    }
}
