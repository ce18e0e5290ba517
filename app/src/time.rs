//! Times are stored in UTC and shown in the merchant's time zone, with the offset.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// `at` in `zone`, e.g. `2026-11-29 20:05:11 +08:00`.
pub fn format_local(at: DateTime<Utc>, zone: Tz) -> String {
    at.with_timezone(&zone)
        .format("%Y-%m-%d %H:%M:%S %:z")
        .to_string()
}

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
    use chrono::TimeZone;

    #[test]
    fn times_show_in_the_merchants_zone_with_the_offset() {
        let at = Utc.with_ymd_and_hms(2026, 11, 29, 18, 5, 11).unwrap();
        assert_eq!(
            format_local(at, zone_named("Asia/Shanghai")),
            "2026-11-30 02:05:11 +08:00"
        );
        assert_eq!(
            format_local(at, zone_named("America/Sao_Paulo")),
            "2026-11-29 15:05:11 -03:00"
        );
        assert_eq!(zone_named("Nowhere/Else"), Tz::UTC);
    }
}
