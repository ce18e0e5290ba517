//! What the analytics overview shows, as plain values for the page: every amount in
//! minor units of the one currency asked for, every rate as the two numbers it divides
//! (docs/RULES.md, "Analytics").

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Where a point of a series sits on the merchant's local clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Slot {
    Day(NaiveDate),
    /// An hour (0–23) of the day of a one-day range.
    Hour(NaiveDate, u32),
}

/// The payments and refunds of one slot, or of a whole range.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    /// Successful payments.
    pub payments: i64,
    pub paid_minor: i64,
    /// Payment attempts: every payment, whatever its status.
    pub attempts: i64,
    /// Refunds made: successful or still processing.
    pub refunds: i64,
    pub refunded_minor: i64,
}

impl Figures {
    /// The figures of several slots together.
    pub fn sum<'a>(points: impl IntoIterator<Item = &'a Point>) -> Figures {
        points.into_iter().fold(Figures::default(), |a, p| Figures {
            payments: a.payments + p.figures.payments,
            paid_minor: a.paid_minor + p.figures.paid_minor,
            attempts: a.attempts + p.figures.attempts,
            refunds: a.refunds + p.figures.refunds,
            refunded_minor: a.refunded_minor + p.figures.refunded_minor,
        })
    }

    /// Successful payments out of all attempts.
    pub fn success_rate(&self) -> Rate {
        Rate {
            part: self.payments,
            whole: self.attempts,
        }
    }

    /// The amount refunded out of the amount paid, both of the same slot.
    pub fn refund_rate(&self) -> Rate {
        Rate {
            part: self.refunded_minor,
            whole: self.paid_minor,
        }
    }
}

/// One point of a series.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Point {
    pub slot: Slot,
    pub figures: Figures,
}

/// A range's series and, for comparison, the previous period's: one point for every
/// slot of each, in order, zero where nothing happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    pub current: Vec<Point>,
    pub previous: Vec<Point>,
}

/// `part` out of `whole`, kept exact; the page shows it as a percentage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rate {
    pub part: i64,
    pub whole: i64,
}

impl Rate {
    /// The rate in hundredths of a percent, rounded half up; None when `whole` is zero.
    /// A refund rate can be over 10,000 (refunds of earlier days' payments).
    pub fn basis_points(self) -> Option<i64> {
        let (part, whole) = (i128::from(self.part), i128::from(self.whole));
        (whole != 0)
            .then(|| i64::try_from((part * 20_000 + whole) / (2 * whole)).unwrap_or(i64::MAX))
    }
}

/// The count and amount of one key of a breakdown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Share {
    /// A code as stored: a payment method, an acquirer, a transaction type, a request
    /// source or a result code.
    pub key: String,
    pub count: i64,
    pub amount_minor: i64,
}

/// Successful transactions of a range, by payment method and by acquirer (payments
/// only) and by transaction type; each list largest amount first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Breakdowns {
    pub by_method: Vec<Share>,
    pub by_acquirer: Vec<Share>,
    pub by_type: Vec<Share>,
}

/// Refund requests of a range, refusals included, by where they came from (`API`,
/// `DASHBOARD`) and by the result code they were answered with; most requests first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundRequests {
    pub by_source: Vec<Share>,
    pub by_result: Vec<Share>,
}

/// The refunds made for one reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundReason {
    /// Trimmed; None for refunds without a reason (or a blank one).
    pub reason: Option<String>,
    pub count: i64,
    pub amount_minor: i64,
}

/// A balance as it is now, and how much it changed during the merchant's today.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    pub currency: String,
    pub available_minor: i64,
    pub change_today_minor: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_round_half_up_and_need_a_whole() {
        let bp = |part, whole| Rate { part, whole }.basis_points();
        assert_eq!(bp(1, 3), Some(3_333));
        assert_eq!(bp(2, 3), Some(6_667));
        assert_eq!(bp(1, 20_000), Some(1));
        assert_eq!(bp(1, 20_001), Some(0));
        assert_eq!(bp(3, 2), Some(15_000));
        assert_eq!(bp(0, 5), Some(0));
        assert_eq!(bp(0, 0), None);
        assert_eq!(bp(i64::MAX, i64::MAX), Some(10_000));
    }

    #[test]
    fn figures_add_up_and_give_their_rates() {
        let point = |payments, paid_minor, attempts, refunds, refunded_minor| Point {
            slot: Slot::Day(NaiveDate::from_ymd_opt(2026, 12, 6).unwrap()),
            figures: Figures {
                payments,
                paid_minor,
                attempts,
                refunds,
                refunded_minor,
            },
        };
        let total = Figures::sum(&[point(3, 3_000, 4, 1, 500), point(1, 1_000, 4, 0, 0)]);
        assert_eq!(total, point(4, 4_000, 8, 1, 500).figures);
        assert_eq!(total.success_rate().basis_points(), Some(5_000));
        assert_eq!(total.refund_rate().basis_points(), Some(1_250));
        assert_eq!(Figures::default().success_rate().basis_points(), None);
    }
}
