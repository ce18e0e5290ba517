//! The transaction reports calendar's rules, as pure functions of the merchant's local
//! date: which daily and monthly reports exist yet, and how reports and exports are named.

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// A day's report exists once the day has closed in the merchant's zone: today and
/// later days are still changing (docs/RULES.md: yesterday and earlier, never today).
pub fn daily_available(day: NaiveDate, today_local: NaiveDate) -> bool {
    day < today_local
}

/// A month's report is offered from the 2nd of the following month, local time (spec
/// 000: "usually generated on the second of the following month"): the 1st leaves a
/// day for late-finishing transactions of the month's last day to settle.
pub fn monthly_available(year: i32, month: u32, today_local: NaiveDate) -> bool {
    match first_of_month(year, month)
        .and_then(|first| first.checked_add_months(Months::new(1)))
        .and_then(|next| next.checked_add_days(Days::new(1)))
    {
        Some(second_of_next) => today_local >= second_of_next,
        None => false,
    }
}

pub fn first_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, 1)
}

/// Every day of a month, in order.
pub fn month_days(year: i32, month: u32) -> Vec<NaiveDate> {
    let Some(first) = first_of_month(year, month) else {
        return Vec::new();
    };
    first
        .iter_days()
        .take_while(|d| d.month() == month)
        .collect()
}

/// A report's period: one local day or one local month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Period {
    Day(NaiveDate),
    Month { year: i32, month: u32 },
}

impl Period {
    /// `daily` or `monthly`, as stored and as in download paths.
    pub fn kind(self) -> &'static str {
        match self {
            Period::Day(_) => "daily",
            Period::Month { .. } => "monthly",
        }
    }

    /// `2026-11-28` for a day, `2026-11` for a month.
    pub fn key(self) -> String {
        match self {
            Period::Day(d) => d.format("%Y-%m-%d").to_string(),
            Period::Month { year, month } => format!("{year:04}-{month:02}"),
        }
    }

    /// The period named by a download path's `kind` and `key`.
    pub fn parse(kind: &str, key: &str) -> Option<Period> {
        match kind {
            "daily" => NaiveDate::parse_from_str(key, "%Y-%m-%d")
                .ok()
                .map(Period::Day),
            "monthly" => {
                let (y, m) = key.split_once('-')?;
                if y.len() != 4 || m.len() != 2 {
                    return None;
                }
                let (year, month) = (y.parse().ok()?, m.parse().ok()?);
                first_of_month(year, month).map(|_| Period::Month { year, month })
            }
            _ => None,
        }
    }

    /// First and last local day, both inclusive.
    pub fn days(self) -> (NaiveDate, NaiveDate) {
        match self {
            Period::Day(d) => (d, d),
            Period::Month { year, month } => {
                let days = month_days(year, month);
                (days[0], *days.last().expect("a month has days"))
            }
        }
    }

    /// The first local day, as stored.
    pub fn start(self) -> NaiveDate {
        self.days().0
    }

    pub fn from_start(kind: &str, start: NaiveDate) -> Option<Period> {
        match kind {
            "daily" => Some(Period::Day(start)),
            "monthly" => Some(Period::Month {
                year: start.year(),
                month: start.month(),
            }),
            _ => None,
        }
    }

    /// Whether this period has a report: it has closed by `today_local`, and it does
    /// not end before the merchant's `first_day` (days before a merchant existed have
    /// no report, and asking for one must not make one).
    pub fn available(self, first_day: NaiveDate, today_local: NaiveDate) -> bool {
        self.days().1 >= first_day
            && match self {
                Period::Day(d) => daily_available(d, today_local),
                Period::Month { year, month } => monthly_available(year, month, today_local),
            }
    }

    /// Where the zip of this period's report is downloaded.
    pub fn download_path(self) -> String {
        format!("/reports/{}/{}.zip", self.kind(), self.key())
    }
}

/// A merchant name for file names: lower-case ASCII letters and digits joined by `-`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    if out.is_empty() {
        "merchant".to_owned()
    } else {
        out
    }
}

/// `Asia/Shanghai` as `Asia-Shanghai`: zone names carry slashes that file names cannot.
pub fn zone_for_file(zone: &str) -> String {
    zone.replace('/', "-")
}

/// The file name of an export: merchant, range and time zone, e.g.
/// `lotus-tea-house_transactions_2026-11-01_2026-11-28_Asia-Shanghai.csv`.
pub fn export_file_name(
    merchant: &str,
    from: NaiveDate,
    to: NaiveDate,
    zone: &str,
    ext: &str,
) -> String {
    format!(
        "{}_transactions_{from}_{to}_{}.{ext}",
        slug(merchant),
        zone_for_file(zone)
    )
}

/// The name (without extension) of a report's files, e.g.
/// `lotus-tea-house_daily_2026-11-28_Asia-Shanghai`.
pub fn report_stem(merchant: &str, period: Period, zone: &str) -> String {
    format!(
        "{}_{}_{}_{}",
        slug(merchant),
        period.kind(),
        period.key(),
        zone_for_file(zone)
    )
}

/// A heat-map level 0–4 of `count` against the month's busiest day `max`.
pub fn heat_level(count: i64, max: i64) -> u8 {
    if count <= 0 || max <= 0 {
        0
    } else {
        (1 + (count.min(max) * 3) / max) as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn today_and_later_days_are_not_offered() {
        let today = d(2026, 11, 29);
        assert!(daily_available(d(2026, 11, 28), today));
        assert!(daily_available(d(2025, 1, 1), today));
        assert!(!daily_available(today, today));
        assert!(!daily_available(d(2026, 11, 30), today));
    }

    #[test]
    fn a_month_is_offered_from_the_second_of_the_next() {
        assert!(!monthly_available(2026, 10, d(2026, 10, 31)));
        assert!(!monthly_available(2026, 10, d(2026, 11, 1)));
        assert!(monthly_available(2026, 10, d(2026, 11, 2)));
        assert!(monthly_available(2026, 10, d(2027, 3, 1)));
        assert!(!monthly_available(2026, 11, d(2026, 11, 29)));
        // December's report waits for the 2nd of January of the next year.
        assert!(!monthly_available(2026, 12, d(2027, 1, 1)));
        assert!(monthly_available(2026, 12, d(2027, 1, 2)));
        assert!(!monthly_available(2026, 13, d(2030, 1, 1)));
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn the_merchants_zone_decides_what_today_is() {
        use chrono::TimeZone;
        // 2026-11-29 20:00 UTC is already the 30th in Shanghai (+08:00) and still the
        // 29th in Los Angeles (-08:00).
        let now = chrono::Utc
            .with_ymd_and_hms(2026, 11, 29, 20, 0, 0)
            .unwrap();
        let shanghai = now.with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
        let la = now
            .with_timezone(&chrono_tz::America::Los_Angeles)
            .date_naive();
        assert!(daily_available(d(2026, 11, 29), shanghai));
        assert!(!daily_available(d(2026, 11, 29), la));
        // 2026-12-01 17:00 UTC: the 2nd in Tokyo, the 1st in São Paulo.
        let now = chrono::Utc.with_ymd_and_hms(2026, 12, 1, 17, 0, 0).unwrap();
        let tokyo = now.with_timezone(&chrono_tz::Asia::Tokyo).date_naive();
        let sao_paulo = now
            .with_timezone(&chrono_tz::America::Sao_Paulo)
            .date_naive();
        assert!(monthly_available(2026, 11, tokyo));
        assert!(!monthly_available(2026, 11, sao_paulo));
    }

    #[test]
    fn nothing_before_the_merchants_first_day_is_available() {
        let (first, today) = (d(2026, 3, 15), d(2026, 12, 3));
        assert!(Period::Day(d(2026, 3, 15)).available(first, today));
        assert!(!Period::Day(d(2026, 3, 14)).available(first, today));
        assert!(!Period::Day(d(0, 1, 1)).available(first, today));
        assert!(!Period::Day(NaiveDate::MIN).available(first, today));
        // The month of the first day has its report; the month before has none.
        let march = Period::Month {
            year: 2026,
            month: 3,
        };
        assert!(march.available(first, today));
        assert!(!Period::Month {
            year: 2026,
            month: 2
        }
        .available(first, today));
        assert!(!Period::Day(d(2026, 12, 3)).available(first, today));
    }

    #[test]
    fn periods_parse_from_download_paths() {
        assert_eq!(
            Period::parse("daily", "2026-11-28"),
            Some(Period::Day(d(2026, 11, 28)))
        );
        let feb = Period::parse("monthly", "2028-02").unwrap();
        assert_eq!(feb.days(), (d(2028, 2, 1), d(2028, 2, 29)));
        assert_eq!(feb.download_path(), "/reports/monthly/2028-02.zip");
        for (kind, key) in [
            ("daily", "2026-02-30"),
            ("monthly", "2026-13"),
            ("monthly", "26-1"),
            ("weekly", "2026-11"),
        ] {
            assert_eq!(Period::parse(kind, key), None, "{kind} {key}");
        }
        assert_eq!(month_days(2026, 2).len(), 28);
    }

    #[test]
    fn names_carry_merchant_range_and_zone() {
        assert_eq!(
            export_file_name(
                "Lotus Tea House",
                d(2026, 11, 1),
                d(2026, 11, 28),
                "Asia/Shanghai",
                "csv"
            ),
            "lotus-tea-house_transactions_2026-11-01_2026-11-28_Asia-Shanghai.csv"
        );
        assert_eq!(slug("  Café & Co. "), "caf-co");
        assert_eq!(slug("日本"), "merchant");
        assert_eq!(
            report_stem(
                "Fjord Outdoor",
                Period::Month {
                    year: 2026,
                    month: 10
                },
                "America/Los_Angeles"
            ),
            "fjord-outdoor_monthly_2026-10_America-Los_Angeles"
        );
    }

    #[test]
    fn heat_levels_scale_to_the_busiest_day() {
        assert_eq!(heat_level(0, 10), 0);
        assert_eq!(heat_level(1, 10), 1);
        assert_eq!(heat_level(10, 10), 4);
        assert_eq!(heat_level(5, 0), 0);
    }
}
