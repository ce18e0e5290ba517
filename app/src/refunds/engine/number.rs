//! The IDs a new refund is given, all made from one number of `refund_number_seq`.

use chrono::{DateTime, Utc};

/// A number drawn from `refund_number_seq`: unique, so every ID made from it is too.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct RefundNumber(i64);

impl RefundNumber {
    /// The number `nextval('refund_number_seq')` gave. The engine draws it in the
    /// statement that claims the request ID, so a refused request leaves a gap in the
    /// numbers: they need to be unique, not dense.
    pub(super) fn drawn(n: i64) -> RefundNumber {
        RefundNumber(n)
    }

    /// Refund IDs look like Antom's: the UTC date, `1190` and a 16-digit serial.
    pub(super) fn transaction_id(self, now: DateTime<Utc>) -> String {
        format!("{}1190{:016}", now.format("%Y%m%d"), self.0)
    }

    /// Serial numbers of new refunds: far above the demo data's per-merchant ranges
    /// (merchant × 10^9 + n), still digits only.
    pub(super) fn serial_no(self) -> String {
        (9_000_000_000_000_i64 + self.0).to_string()
    }

    /// A refund ID at the acquirer, as the simulated acquirer hands it out.
    pub(super) fn acquirer_refund_id(self) -> String {
        format!("SIMR{:012}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn refund_ids_carry_the_utc_date_and_a_sixteen_digit_serial() {
        let t = Utc.with_ymd_and_hms(2026, 11, 29, 1, 2, 3).unwrap();
        assert_eq!(
            RefundNumber(42).transaction_id(t),
            "2026112911900000000000000042"
        );
        // Late in the day in Asia is still the UTC date.
        let late = Utc.with_ymd_and_hms(2026, 12, 31, 23, 59, 59).unwrap();
        assert!(RefundNumber(1).transaction_id(late).starts_with("20261231"));
    }

    #[test]
    fn serials_stay_above_the_demo_ranges() {
        assert_eq!(RefundNumber(7).serial_no(), "9000000000007");
        assert!(RefundNumber(1)
            .serial_no()
            .bytes()
            .all(|b| b.is_ascii_digit()));
    }

    #[test]
    fn acquirer_ids_are_padded() {
        assert_eq!(RefundNumber(42).acquirer_refund_id(), "SIMR000000000042");
    }
}
