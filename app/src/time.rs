//! Times are stored in UTC and shown in the merchant's time zone (written per language by
//! `crate::locale::format::local`).

use chrono_tz::Tz;

/// The zone a merchant's stored IANA name stands for. A name this build does not know
/// (one added to the IANA database later) is logged and read as UTC, rather than
/// failing every page of that merchant.
pub fn zone_named(name: &str) -> Tz {
    name.parse().unwrap_or_else(|_| {
        tracing::error!(zone = name, "unknown time zone; showing times in UTC");
        Tz::UTC
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_zones_read_as_utc() {
        assert_eq!(zone_named("Asia/Shanghai"), chrono_tz::Asia::Shanghai);
        assert_eq!(zone_named("Nowhere/Else"), Tz::UTC);
    }
}
