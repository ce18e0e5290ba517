//! The period the analytics overview covers: a preset or custom dates of the merchant's
//! local calendar, checked once when parsed, so that every query takes a [`Range`] that
//! is known to be good (docs/RULES.md, "Analytics").

use super::types::Slot;
use crate::transactions::filter::{DatePreset, EARLIEST_DATE};
use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// The longest custom range, in calendar months.
pub const MAX_MONTHS: u32 = 13;

/// A range as the page asks for it, not yet checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RangeInput<'a> {
    /// `today`, `7d` (today and the 6 days before), `30d`, `this_month` (up to today)
    /// or `last_month`.
    Preset(&'a str),
    /// Dates written YYYY-MM-DD, both included.
    Custom { from: &'a str, to: &'a str },
}

/// Why a range was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum RangeError {
    #[error("no such range preset")]
    UnknownPreset,
    #[error("a date is not a date written YYYY-MM-DD")]
    BadDate,
    #[error("the first date is after the last")]
    Reversed,
    #[error("the range starts before 2000-01-01")]
    TooEarly,
    #[error("the range ends more than a day after today")]
    TooLate,
    #[error("the range is longer than {MAX_MONTHS} months")]
    TooLong,
}

/// Local days from [`from`](Range::from) to [`to`](Range::to), both included. As parsed,
/// `from` is not after `to` nor before 2000-01-01, `to` not after tomorrow, and the whole
/// at most [`MAX_MONTHS`] months long (its [`previous`](Range::previous) period may reach
/// before 2000).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    from: NaiveDate,
    to: NaiveDate,
}

impl Range {
    /// The range `input` names when the merchant's local date is `today`.
    pub fn parse(input: RangeInput<'_>, today: NaiveDate) -> Result<Range, RangeError> {
        let (from, to) = match input {
            RangeInput::Preset(name) => preset(name, today).ok_or(RangeError::UnknownPreset)?,
            RangeInput::Custom { from, to } => (date(from)?, date(to)?),
        };
        Range::checked(from, to, today)
    }

    /// The range from `from` to `to` if it keeps the rules of [`Range`]. Tomorrow is
    /// allowed: a user ahead of the merchant's time zone may already be in it.
    fn checked(from: NaiveDate, to: NaiveDate, today: NaiveDate) -> Result<Range, RangeError> {
        if from > to {
            return Err(RangeError::Reversed);
        }
        if from < EARLIEST_DATE {
            return Err(RangeError::TooEarly);
        }
        if today.succ_opt().is_none_or(|tomorrow| to > tomorrow) {
            return Err(RangeError::TooLate);
        }
        match from.checked_add_months(Months::new(MAX_MONTHS)) {
            Some(limit) if to < limit => Ok(Range { from, to }),
            _ => Err(RangeError::TooLong),
        }
    }

    pub fn from(self) -> NaiveDate {
        self.from
    }

    pub fn to(self) -> NaiveDate {
        self.to
    }

    /// How many days the range has.
    pub fn days(self) -> u64 {
        (self.to - self.from).num_days().unsigned_abs() + 1
    }

    /// The period of as many days that ends the day before this one starts: what the
    /// overview compares with.
    pub fn previous(self) -> Range {
        Range {
            from: self.from - Days::new(self.days()),
            to: self.from - Days::new(1),
        }
    }

    /// The whole calendar months inside the range, as the first day of the first and the
    /// first day after the last (`[start, end)`); both are the day after the range when
    /// it holds no whole month. Long ranges read these months from monthly totals and
    /// only the days before and after them from daily ones.
    pub fn whole_months(self) -> (NaiveDate, NaiveDate) {
        let first_of = |d: NaiveDate| d - Days::new(u64::from(d.day0()));
        let start = if self.from.day() == 1 {
            self.from
        } else {
            first_of(self.from) + Months::new(1)
        };
        let after = self.to + Days::new(1);
        let end = first_of(after);
        if start < end {
            (start, end)
        } else {
            (after, after)
        }
    }

    /// One day is shown by the hour, longer ranges by the day.
    pub fn is_hourly(self) -> bool {
        self.from == self.to
    }

    /// Every point of the range's series, in order: the 24 hours of its one day, or
    /// its days.
    pub fn slots(self) -> Vec<Slot> {
        if self.is_hourly() {
            (0..24).map(|hour| Slot::Hour(self.from, hour)).collect()
        } else {
            self.from
                .iter_days()
                .take_while(|d| *d <= self.to)
                .map(Slot::Day)
                .collect()
        }
    }
}

/// The first and last day of the preset `name` when today is `today`.
fn preset(name: &str, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let shared = |p: DatePreset| Some(p.range(today));
    match name {
        "today" => shared(DatePreset::Today),
        "7d" => shared(DatePreset::Last7Days),
        "30d" => Some((today.checked_sub_days(Days::new(29))?, today)),
        "this_month" => shared(DatePreset::ThisMonth),
        "last_month" => shared(DatePreset::LastMonth),
        _ => None,
    }
}

fn date(text: &str) -> Result<NaiveDate, RangeError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| RangeError::BadDate)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        date(text).unwrap()
    }

    fn preset_on(name: &str, today: &str) -> (NaiveDate, NaiveDate) {
        let r = Range::parse(RangeInput::Preset(name), d(today)).unwrap();
        (r.from(), r.to())
    }

    fn custom(from: &str, to: &str, today: &str) -> Result<Range, RangeError> {
        Range::parse(RangeInput::Custom { from, to }, d(today))
    }

    #[test]
    fn presets_end_today_in_the_merchants_calendar() {
        assert_eq!(
            preset_on("today", "2024-02-29"),
            (d("2024-02-29"), d("2024-02-29"))
        );
        assert_eq!(
            preset_on("7d", "2026-01-03"),
            (d("2025-12-28"), d("2026-01-03"))
        );
        assert_eq!(
            preset_on("30d", "2024-03-01"),
            (d("2024-02-01"), d("2024-03-01"))
        );
        assert_eq!(
            preset_on("30d", "2025-03-01"),
            (d("2025-01-31"), d("2025-03-01"))
        );
        assert_eq!(
            preset_on("this_month", "2026-12-31"),
            (d("2026-12-01"), d("2026-12-31"))
        );
        assert_eq!(
            preset_on("this_month", "2027-01-01"),
            (d("2027-01-01"), d("2027-01-01"))
        );
    }

    #[test]
    fn last_month_is_the_whole_calendar_month_before() {
        assert_eq!(
            preset_on("last_month", "2027-01-15"),
            (d("2026-12-01"), d("2026-12-31"))
        );
        assert_eq!(
            preset_on("last_month", "2024-03-31"),
            (d("2024-02-01"), d("2024-02-29"))
        );
        assert_eq!(
            preset_on("last_month", "2025-03-01"),
            (d("2025-02-01"), d("2025-02-28"))
        );
        assert_eq!(
            preset_on("last_month", "2026-05-31"),
            (d("2026-04-01"), d("2026-04-30"))
        );
    }

    #[test]
    fn custom_ranges_include_both_dates() {
        let r = custom("2025-12-31", "2026-01-01", "2026-01-10").unwrap();
        assert_eq!(
            (r.from(), r.to(), r.days()),
            (d("2025-12-31"), d("2026-01-01"), 2)
        );
        assert_eq!(
            r.slots(),
            [Slot::Day(d("2025-12-31")), Slot::Day(d("2026-01-01"))]
        );
        assert!(!r.is_hourly());
    }

    #[test]
    fn refused_ranges_say_why() {
        let today = "2026-12-06";
        for (name, why) in [
            ("yesterday", RangeError::UnknownPreset),
            ("", RangeError::UnknownPreset),
        ] {
            assert_eq!(Range::parse(RangeInput::Preset(name), d(today)), Err(why));
        }
        for (from, to, why) in [
            ("2026-02-30", "2026-03-01", RangeError::BadDate),
            ("2026-01-05", "yesterday", RangeError::BadDate),
            ("", "2026-01-06", RangeError::BadDate),
            ("2026-01-06T00:00", "2026-01-06", RangeError::BadDate),
            ("2026-01-06", "2026-01-05", RangeError::Reversed),
            ("1999-12-31", "2000-01-31", RangeError::TooEarly),
            ("2026-12-01", "2026-12-08", RangeError::TooLate),
            ("2027-01-01", "2027-01-01", RangeError::TooLate),
            ("2025-11-06", "2026-12-06", RangeError::TooLong),
        ] {
            assert_eq!(custom(from, to, today), Err(why), "{from} to {to}");
        }
        assert_eq!(
            Range::parse(RangeInput::Preset("7d"), d("2000-01-03")),
            Err(RangeError::TooEarly)
        );
    }

    #[test]
    fn ranges_reach_from_2000_to_tomorrow() {
        assert!(custom("2000-01-01", "2000-01-01", "2026-12-06").is_ok());
        // Today is Dec 31: tomorrow is in the next year.
        let r = custom("2026-12-31", "2027-01-01", "2026-12-31").unwrap();
        assert_eq!(r.to(), d("2027-01-01"));
    }

    #[test]
    fn a_range_is_at_most_13_calendar_months() {
        let today = "2026-12-06";
        assert!(custom("2025-11-06", "2026-12-05", today).is_ok());
        assert_eq!(
            custom("2025-11-06", "2026-12-06", today),
            Err(RangeError::TooLong)
        );
        // From Jan 31, 13 months on is Feb 28 (no Feb 31): the range ends the day before.
        assert!(custom("2025-01-31", "2026-02-27", today).is_ok());
        assert_eq!(
            custom("2025-01-31", "2026-02-28", today),
            Err(RangeError::TooLong)
        );
        // Across a leap day.
        assert!(custom("2023-02-28", "2024-03-27", today).is_ok());
        assert_eq!(
            custom("2023-02-28", "2024-03-28", today),
            Err(RangeError::TooLong)
        );
    }

    #[test]
    fn the_previous_period_has_as_many_days_and_ends_the_day_before() {
        let previous = |from: &str, to: &str| {
            let p = custom(from, to, "2026-12-06").unwrap().previous();
            (p.from(), p.to())
        };
        assert_eq!(
            previous("2024-03-01", "2024-03-01"),
            (d("2024-02-29"), d("2024-02-29"))
        );
        assert_eq!(
            previous("2024-03-01", "2024-03-31"),
            (d("2024-01-30"), d("2024-02-29"))
        );
        assert_eq!(
            previous("2026-01-01", "2026-01-07"),
            (d("2025-12-25"), d("2025-12-31"))
        );
        assert_eq!(
            previous("2025-03-01", "2025-03-02"),
            (d("2025-02-27"), d("2025-02-28"))
        );
        let last_month = Range::parse(RangeInput::Preset("last_month"), d("2027-01-15")).unwrap();
        assert_eq!(
            (last_month.previous().from(), last_month.previous().to()),
            (d("2026-10-31"), d("2026-11-30"))
        );
    }

    #[test]
    fn one_day_is_24_hours_of_that_day() {
        let r = custom("2024-02-29", "2024-02-29", "2026-12-06").unwrap();
        assert!(r.is_hourly());
        let slots = r.slots();
        assert_eq!(slots.len(), 24);
        assert_eq!(slots[0], Slot::Hour(d("2024-02-29"), 0));
        assert_eq!(slots[23], Slot::Hour(d("2024-02-29"), 23));
        assert!(r.previous().is_hourly());
    }

    #[test]
    fn slots_cover_every_day_in_order() {
        let r = Range::parse(RangeInput::Preset("30d"), d("2024-03-01")).unwrap();
        let slots = r.slots();
        assert_eq!(slots.len(), 30);
        assert_eq!(slots.first(), Some(&Slot::Day(d("2024-02-01"))));
        assert!(slots.contains(&Slot::Day(d("2024-02-29"))));
        assert_eq!(slots.last(), Some(&Slot::Day(d("2024-03-01"))));
        assert!(slots.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn whole_months_are_the_calendar_months_inside_the_range() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let months = |from: &str, to: &str| {
            Range {
                from: d(from),
                to: d(to),
            }
            .whole_months()
        };
        // Days before, two whole months (one of 29 days), days after.
        assert_eq!(
            months("2024-01-15", "2024-04-10"),
            (d("2024-02-01"), d("2024-04-01"))
        );
        // Exactly one month, and a year from a first to a last day.
        assert_eq!(
            months("2026-02-01", "2026-02-28"),
            (d("2026-02-01"), d("2026-03-01"))
        );
        assert_eq!(
            months("2025-12-01", "2026-11-30"),
            (d("2025-12-01"), d("2026-12-01"))
        );
        // Across a year's end without a whole month, and within one month: none.
        assert_eq!(
            months("2025-12-15", "2026-01-10"),
            (d("2026-01-11"), d("2026-01-11"))
        );
        assert_eq!(
            months("2026-03-01", "2026-03-30"),
            (d("2026-03-31"), d("2026-03-31"))
        );
    }
}
