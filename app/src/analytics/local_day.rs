//! A local day as the instants it spans.

use crate::transactions::query::start_of_day;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use std::ops::Range;

/// From the first instant of `day` in `zone` to the first of the next day, in UTC: 24
/// hours, or 23 or 25 on the days the clocks change.
pub fn local_day(day: NaiveDate, zone: Tz) -> Range<DateTime<Utc>> {
    let next = day.succ_opt().unwrap_or(day);
    start_of_day(day, zone)..start_of_day(next, zone)
}
