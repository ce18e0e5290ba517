//! Times are stored in UTC and shown in the merchant's time zone, with the offset.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// `at` in the zone named `zone`, e.g. `2026-11-29 20:05:11 +08:00`; an unknown zone
/// name falls back to UTC rather than failing a page.
pub fn format_local(at: DateTime<Utc>, zone: &str) -> String {
    let tz: Tz = zone.parse().unwrap_or(Tz::UTC);
    at.with_timezone(&tz)
        .format("%Y-%m-%d %H:%M:%S %:z")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn times_show_in_the_merchants_zone_with_the_offset() {
        let at = Utc.with_ymd_and_hms(2026, 11, 29, 18, 5, 11).unwrap();
        assert_eq!(
            format_local(at, "Asia/Shanghai"),
            "2026-11-30 02:05:11 +08:00"
        );
        assert_eq!(
            format_local(at, "America/Sao_Paulo"),
            "2026-11-29 15:05:11 -03:00"
        );
        assert_eq!(
            format_local(at, "Nowhere/Else"),
            "2026-11-29 18:05:11 +00:00"
        );
    }
}
