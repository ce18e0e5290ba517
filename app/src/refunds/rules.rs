//! The refund rules of docs/RULES.md as pure functions, shared by the open API, the
//! dashboard's refund form and the transaction details page (which shows how much can
//! still be refunded, or why nothing can, before anyone asks).
//!
//! Everything here works on facts already read from the database, so the same decision
//! is made in the browser for display and inside the refund transaction for real.

use chrono::{DateTime, Datelike, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

use crate::i18n::{td_display, td_string};
use crate::locale::Language;
use crate::transactions::kind::{TransactionStatus, TransactionType};

/// What a payment method allows (the `payment_methods` row).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodRules {
    pub refund_supported: bool,
    pub partial_refund_supported: bool,
    pub multiple_refunds_supported: bool,
    /// Days after payment success during which a refund is accepted.
    pub refund_window_days: i32,
    /// Smallest refund, in minor units of the payment currency.
    pub min_refund_minor: i64,
    pub is_card: bool,
}

/// What is known about the payment a refund would belong to. A refund requested on a
/// capture is decided on the facts of the capture's payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentFacts {
    /// Of the resolved transaction (a capture's payment).
    pub transaction_type: TransactionType,
    pub status: TransactionStatus,
    pub amount_minor: i64,
    pub currency: String,
    /// When the payment succeeded; the refund window counts from here.
    pub succeeded_at: Option<DateTime<Utc>>,
    /// Card payments only: a capture of the payment succeeded.
    pub captured: bool,
    /// A chargeback whose liability is not yet judged (status PROCESSING).
    pub chargeback_pending: bool,
    /// Refunds that succeeded or are still processing. Failed refunds give their amount
    /// back; refund reversals do not (returned funds are the merchant's to handle).
    pub refunded_minor: i64,
    /// Number of refunds that succeeded or are still processing.
    pub refund_count: i64,
    /// Taken back from the merchant by chargebacks the cardholder won (SUCCESS): those
    /// funds have already gone back, so refunding them again would pay twice.
    pub charged_back_minor: i64,
}

/// Why a payment cannot be refunded at all, whatever the amount.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RefundBlocked {
    /// Only payments (and authorisations) are refunded; refunds, cancels, chargebacks
    /// and reversals are not.
    NotRefundableType,
    /// The payment is processing, failed or closed.
    NotSuccessful,
    /// A card payment that was authorised but never captured.
    NotCaptured,
    ChargebackPending,
    MethodHasNoRefunds,
    /// Everything has been refunded (or is being refunded).
    NothingLeft,
    /// Less than the method's minimum refund is left, so no refund can be accepted.
    RemainderBelowMinimum {
        left_minor: i64,
        min_minor: i64,
    },
    WindowEnded {
        ended_at: DateTime<Utc>,
    },
    /// The method allows one refund per payment and there already is one.
    OnlyOneRefund,
}

impl RefundBlocked {
    /// The Antom result code the refund API answers with.
    pub fn result_code(&self) -> &'static str {
        match self {
            RefundBlocked::NotRefundableType
            | RefundBlocked::NotSuccessful
            | RefundBlocked::NotCaptured
            | RefundBlocked::ChargebackPending => "ORDER_STATUS_INVALID",
            RefundBlocked::MethodHasNoRefunds => "PAYMENT_METHOD_NOT_SUPPORTED",
            RefundBlocked::NothingLeft | RefundBlocked::RemainderBelowMinimum { .. } => {
                "REFUND_AMOUNT_EXCEED"
            }
            RefundBlocked::WindowEnded { .. } => "REFUND_WINDOW_EXCEED",
            RefundBlocked::OnlyOneRefund => "MULTIPLE_REFUNDS_NOT_SUPPORTED",
        }
    }

    /// One sentence for people in `language`. Dates are UTC here; the dashboard formats
    /// `ended_at` in the merchant's zone itself when it needs to.
    pub fn message(&self, language: Language) -> String {
        let l = language.locale();
        match self {
            RefundBlocked::NotRefundableType => td_string!(l, refund.blocked_type).into(),
            RefundBlocked::NotSuccessful => td_string!(l, refund.blocked_not_successful).into(),
            RefundBlocked::NotCaptured => td_string!(l, refund.blocked_not_captured).into(),
            RefundBlocked::ChargebackPending => td_string!(l, refund.blocked_chargeback).into(),
            RefundBlocked::MethodHasNoRefunds => td_string!(l, refund.blocked_no_refunds).into(),
            RefundBlocked::NothingLeft => td_string!(l, refund.blocked_nothing_left).into(),
            RefundBlocked::RemainderBelowMinimum { .. } => {
                td_string!(l, refund.blocked_below_minimum).into()
            }
            RefundBlocked::WindowEnded { ended_at } => {
                let date = language.date(ended_at.year(), ended_at.month(), ended_at.day());
                window_ended(language, &date)
            }
            RefundBlocked::OnlyOneRefund => td_string!(l, refund.blocked_one_refund).into(),
        }
    }
}

/// "The refund window ended on …" with `date` already written in `language`.
pub(crate) fn window_ended(language: Language, date: &str) -> String {
    td_display!(language.locale(), refund.window_ended, date).to_string()
}

/// English, as the open API answers and logs record it.
impl fmt::Display for RefundBlocked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RefundBlocked::NotRefundableType => "Only payments can be refunded.",
            RefundBlocked::NotSuccessful => "The payment has not succeeded.",
            RefundBlocked::NotCaptured => {
                "The card payment has not been captured; only captured payments can be refunded."
            }
            RefundBlocked::ChargebackPending => "A chargeback on this payment is not yet decided.",
            RefundBlocked::MethodHasNoRefunds => "The payment method does not support refunds.",
            RefundBlocked::NothingLeft => "The payment has been refunded in full.",
            RefundBlocked::RemainderBelowMinimum { .. } => {
                "What is left of the payment is less than the minimum refund."
            }
            RefundBlocked::WindowEnded { ended_at } => {
                return write!(
                    f,
                    "The refund window ended on {}.",
                    ended_at.format("%Y-%m-%d")
                )
            }
            RefundBlocked::OnlyOneRefund => {
                "The payment method allows only one refund per payment."
            }
        })
    }
}

/// Why a particular refund request is refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RefundRefusal {
    Blocked(RefundBlocked),
    CurrencyMismatch {
        payment_currency: String,
    },
    /// Zero, negative or under the method's minimum.
    BelowMinimum {
        min_minor: i64,
        currency: String,
    },
    /// More than is left to refund.
    ExceedsAvailable {
        available_minor: i64,
        currency: String,
    },
    /// The method refunds only the whole payment.
    PartialNotSupported {
        full_minor: i64,
        currency: String,
    },
}

impl RefundRefusal {
    pub fn result_code(&self) -> &'static str {
        match self {
            RefundRefusal::Blocked(b) => b.result_code(),
            RefundRefusal::CurrencyMismatch { .. } => "CURRENCY_NOT_SUPPORT",
            RefundRefusal::BelowMinimum { .. } | RefundRefusal::ExceedsAvailable { .. } => {
                "REFUND_AMOUNT_EXCEED"
            }
            RefundRefusal::PartialNotSupported { .. } => "PARTIAL_REFUND_NOT_SUPPORTED",
        }
    }

    /// One sentence for people in `language`, amounts written in it.
    pub fn message(&self, language: Language) -> String {
        let l = language.locale();
        match self {
            RefundRefusal::Blocked(b) => b.message(language),
            RefundRefusal::CurrencyMismatch { payment_currency } => {
                td_display!(l, refund.currency_mismatch, currency = payment_currency).to_string()
            }
            RefundRefusal::BelowMinimum {
                min_minor,
                currency,
            } => {
                let amount = language.money(*min_minor, currency);
                td_display!(l, refund.below_minimum, amount).to_string()
            }
            RefundRefusal::ExceedsAvailable {
                available_minor,
                currency,
            } => {
                let amount = language.money(*available_minor, currency);
                td_display!(l, refund.exceeds_available, amount).to_string()
            }
            RefundRefusal::PartialNotSupported {
                full_minor,
                currency,
            } => {
                let amount = language.money(*full_minor, currency);
                td_display!(l, refund.full_only, amount).to_string()
            }
        }
    }
}

/// English, as the open API answers and the refusal is kept for the request.
impl fmt::Display for RefundRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RefundRefusal::Blocked(b) => b.fmt(f),
            RefundRefusal::CurrencyMismatch { payment_currency } => write!(
                f,
                "The refund currency must be the payment currency, {payment_currency}."
            ),
            RefundRefusal::BelowMinimum {
                min_minor,
                currency,
            } => write!(
                f,
                "The refund amount must be at least {}.",
                Language::En.money(*min_minor, currency)
            ),
            RefundRefusal::ExceedsAvailable {
                available_minor,
                currency,
            } => write!(
                f,
                "The refund amount exceeds the refundable amount of {}.",
                Language::En.money(*available_minor, currency)
            ),
            RefundRefusal::PartialNotSupported {
                full_minor,
                currency,
            } => write!(
                f,
                "The payment method allows only a full refund of {}.",
                Language::En.money(*full_minor, currency)
            ),
        }
    }
}

impl From<RefundBlocked> for RefundRefusal {
    fn from(b: RefundBlocked) -> Self {
        RefundRefusal::Blocked(b)
    }
}

/// When the refund window of a payment that succeeded at `succeeded_at` ends.
pub fn window_end(succeeded_at: DateTime<Utc>, m: &MethodRules) -> DateTime<Utc> {
    succeeded_at + Duration::days(i64::from(m.refund_window_days))
}

/// How much can still be refunded, or why nothing can.
///
/// Checks run from the most permanent reason to the most passing one, so the dashboard
/// shows the reason that matters (a Konbini payment says "no refunds", not "not
/// successful").
pub fn availability(
    p: &PaymentFacts,
    m: &MethodRules,
    now: DateTime<Utc>,
) -> Result<i64, RefundBlocked> {
    if !p.transaction_type.is_payment() {
        return Err(RefundBlocked::NotRefundableType);
    }
    if !m.refund_supported {
        return Err(RefundBlocked::MethodHasNoRefunds);
    }
    let succeeded_at = match (p.status, p.succeeded_at) {
        (TransactionStatus::Success, Some(at)) => at,
        _ => return Err(RefundBlocked::NotSuccessful),
    };
    if m.is_card && !p.captured {
        return Err(RefundBlocked::NotCaptured);
    }
    if p.chargeback_pending {
        return Err(RefundBlocked::ChargebackPending);
    }
    let ended_at = window_end(succeeded_at, m);
    if now > ended_at {
        return Err(RefundBlocked::WindowEnded { ended_at });
    }
    let left = p.amount_minor - p.refunded_minor - p.charged_back_minor;
    if left <= 0 {
        return Err(RefundBlocked::NothingLeft);
    }
    if p.refund_count > 0 && !m.multiple_refunds_supported {
        return Err(RefundBlocked::OnlyOneRefund);
    }
    if left < m.min_refund_minor {
        return Err(RefundBlocked::RemainderBelowMinimum {
            left_minor: left,
            min_minor: m.min_refund_minor,
        });
    }
    Ok(left)
}

/// The full decision for a refund of `amount_minor` of `currency`.
pub fn decide(
    p: &PaymentFacts,
    m: &MethodRules,
    currency: &str,
    amount_minor: i64,
    now: DateTime<Utc>,
) -> Result<(), RefundRefusal> {
    let left = availability(p, m, now)?;
    if !currency.eq_ignore_ascii_case(p.currency.trim()) {
        return Err(RefundRefusal::CurrencyMismatch {
            payment_currency: p.currency.trim().to_string(),
        });
    }
    if amount_minor > left {
        return Err(RefundRefusal::ExceedsAvailable {
            available_minor: left,
            currency: p.currency.trim().to_string(),
        });
    }
    if amount_minor < m.min_refund_minor || amount_minor <= 0 {
        return Err(RefundRefusal::BelowMinimum {
            min_minor: m.min_refund_minor.max(1),
            currency: p.currency.trim().to_string(),
        });
    }
    // Only a refund of the whole payment is a full refund; availability already
    // guarantees nothing else was refunded when `left` equals the payment amount.
    if !m.partial_refund_supported && amount_minor != p.amount_minor {
        return Err(RefundRefusal::PartialNotSupported {
            full_minor: p.amount_minor,
            currency: p.currency.trim().to_string(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(y: i32, mo: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, 12, 0, 0).unwrap()
    }

    fn wallet() -> MethodRules {
        MethodRules {
            refund_supported: true,
            partial_refund_supported: true,
            multiple_refunds_supported: true,
            refund_window_days: 30,
            min_refund_minor: 100,
            is_card: false,
        }
    }

    fn paid(amount: i64) -> PaymentFacts {
        PaymentFacts {
            transaction_type: TransactionType::Payment,
            status: TransactionStatus::Success,
            amount_minor: amount,
            currency: "USD".into(),
            succeeded_at: Some(t(2026, 3, 1)),
            captured: false,
            chargeback_pending: false,
            refunded_minor: 0,
            refund_count: 0,
            charged_back_minor: 0,
        }
    }

    const NOW: fn() -> DateTime<Utc> = || t(2026, 3, 10);

    fn code(r: Result<(), RefundRefusal>) -> &'static str {
        r.err().map(|e| e.result_code()).unwrap_or("OK")
    }

    #[test]
    fn full_and_partial_refunds_of_a_fresh_payment() {
        let p = paid(10_000);
        assert_eq!(availability(&p, &wallet(), NOW()), Ok(10_000));
        assert_eq!(decide(&p, &wallet(), "USD", 10_000, NOW()), Ok(()));
        assert_eq!(decide(&p, &wallet(), "USD", 100, NOW()), Ok(()));
        assert_eq!(decide(&p, &wallet(), "usd", 100, NOW()), Ok(()));
    }

    #[test]
    fn currency_must_match() {
        let r = decide(&paid(10_000), &wallet(), "EUR", 100, NOW());
        assert_eq!(code(r.clone()), "CURRENCY_NOT_SUPPORT");
        assert!(r.unwrap_err().to_string().contains("USD"));
    }

    #[test]
    fn amount_between_minimum_and_what_is_left() {
        let mut p = paid(10_000);
        p.refunded_minor = 9_000;
        p.refund_count = 2;
        assert_eq!(availability(&p, &wallet(), NOW()), Ok(1_000));
        assert_eq!(
            code(decide(&p, &wallet(), "USD", 1_001, NOW())),
            "REFUND_AMOUNT_EXCEED"
        );
        assert_eq!(code(decide(&p, &wallet(), "USD", 1_000, NOW())), "OK");
        assert_eq!(
            code(decide(&p, &wallet(), "USD", 99, NOW())),
            "REFUND_AMOUNT_EXCEED"
        );
        assert_eq!(
            code(decide(&p, &wallet(), "USD", 0, NOW())),
            "REFUND_AMOUNT_EXCEED"
        );
        assert_eq!(
            code(decide(&p, &wallet(), "USD", -5, NOW())),
            "REFUND_AMOUNT_EXCEED"
        );
        let msg = decide(&p, &wallet(), "USD", 1_001, NOW())
            .unwrap_err()
            .to_string();
        assert_eq!(
            msg,
            "The refund amount exceeds the refundable amount of 10.00 USD."
        );
    }

    #[test]
    fn fully_refunded_and_remainder_below_minimum() {
        let mut p = paid(10_000);
        p.refunded_minor = 10_000;
        p.refund_count = 1;
        assert_eq!(
            availability(&p, &wallet(), NOW()),
            Err(RefundBlocked::NothingLeft)
        );
        p.refunded_minor = 9_950;
        let b = availability(&p, &wallet(), NOW()).unwrap_err();
        assert_eq!(b.result_code(), "REFUND_AMOUNT_EXCEED");
        assert_eq!(
            b,
            RefundBlocked::RemainderBelowMinimum {
                left_minor: 50,
                min_minor: 100
            }
        );
    }

    #[test]
    fn won_chargebacks_reduce_what_is_left() {
        let mut p = paid(10_000);
        p.charged_back_minor = 10_000;
        assert_eq!(
            availability(&p, &wallet(), NOW()),
            Err(RefundBlocked::NothingLeft)
        );
    }

    #[test]
    fn payment_must_have_succeeded() {
        for status in [
            TransactionStatus::Processing,
            TransactionStatus::Fail,
            TransactionStatus::Closed,
        ] {
            let mut p = paid(10_000);
            p.status = status;
            assert_eq!(
                code(decide(&p, &wallet(), "USD", 100, NOW())),
                "ORDER_STATUS_INVALID"
            );
        }
        let mut p = paid(10_000);
        p.succeeded_at = None;
        assert_eq!(
            availability(&p, &wallet(), NOW()),
            Err(RefundBlocked::NotSuccessful)
        );
    }

    #[test]
    fn only_payments_are_refundable() {
        for ty in [
            TransactionType::Refund,
            TransactionType::Cancel,
            TransactionType::Chargeback,
            TransactionType::RefundReversal,
            TransactionType::Capture,
        ] {
            let mut p = paid(10_000);
            p.transaction_type = ty;
            assert_eq!(
                availability(&p, &wallet(), NOW()),
                Err(RefundBlocked::NotRefundableType)
            );
        }
    }

    #[test]
    fn cards_must_be_captured_and_free_of_open_chargebacks() {
        let card = MethodRules {
            is_card: true,
            ..wallet()
        };
        let mut p = paid(10_000);
        assert_eq!(
            availability(&p, &card, NOW()),
            Err(RefundBlocked::NotCaptured)
        );
        p.captured = true;
        assert_eq!(availability(&p, &card, NOW()), Ok(10_000));
        p.chargeback_pending = true;
        let b = availability(&p, &card, NOW()).unwrap_err();
        assert_eq!(b, RefundBlocked::ChargebackPending);
        assert_eq!(b.result_code(), "ORDER_STATUS_INVALID");
    }

    #[test]
    fn refund_window() {
        let p = paid(10_000);
        let m = wallet();
        // Succeeded 2026-03-01 12:00, 30 days: the last instant is 2026-03-31 12:00.
        assert_eq!(availability(&p, &m, t(2026, 3, 31)), Ok(10_000));
        let late = t(2026, 3, 31) + Duration::seconds(1);
        let b = availability(&p, &m, late).unwrap_err();
        assert_eq!(b.result_code(), "REFUND_WINDOW_EXCEED");
        assert_eq!(b.to_string(), "The refund window ended on 2026-03-31.");
    }

    #[test]
    fn method_without_refunds() {
        let m = MethodRules {
            refund_supported: false,
            partial_refund_supported: false,
            multiple_refunds_supported: false,
            ..wallet()
        };
        let mut p = paid(10_000);
        p.status = TransactionStatus::Fail;
        assert_eq!(
            code(decide(&p, &m, "USD", 10_000, NOW())),
            "PAYMENT_METHOD_NOT_SUPPORTED"
        );
    }

    #[test]
    fn full_refund_only() {
        let m = MethodRules {
            partial_refund_supported: false,
            multiple_refunds_supported: false,
            ..wallet()
        };
        let p = paid(10_000);
        assert_eq!(
            code(decide(&p, &m, "USD", 9_999, NOW())),
            "PARTIAL_REFUND_NOT_SUPPORTED"
        );
        assert_eq!(code(decide(&p, &m, "USD", 10_000, NOW())), "OK");
        let mut p2 = p.clone();
        p2.refunded_minor = 10_000;
        p2.refund_count = 1;
        assert_eq!(
            code(decide(&p2, &m, "USD", 10_000, NOW())),
            "REFUND_AMOUNT_EXCEED"
        );
    }

    #[test]
    fn one_refund_only() {
        let m = MethodRules {
            multiple_refunds_supported: false,
            ..wallet()
        };
        let mut p = paid(10_000);
        assert_eq!(code(decide(&p, &m, "USD", 4_000, NOW())), "OK");
        p.refunded_minor = 4_000;
        p.refund_count = 1;
        assert_eq!(
            code(decide(&p, &m, "USD", 1_000, NOW())),
            "MULTIPLE_REFUNDS_NOT_SUPPORTED"
        );
        // A failed first refund does not count (the caller leaves it out of the facts).
        p.refunded_minor = 0;
        p.refund_count = 0;
        assert_eq!(code(decide(&p, &m, "USD", 1_000, NOW())), "OK");
    }

    fn every_refusal() -> Vec<RefundRefusal> {
        let blocked = [
            RefundBlocked::NotRefundableType,
            RefundBlocked::NotSuccessful,
            RefundBlocked::NotCaptured,
            RefundBlocked::ChargebackPending,
            RefundBlocked::MethodHasNoRefunds,
            RefundBlocked::NothingLeft,
            RefundBlocked::RemainderBelowMinimum {
                left_minor: 50,
                min_minor: 100,
            },
            RefundBlocked::WindowEnded {
                ended_at: t(2026, 3, 31),
            },
            RefundBlocked::OnlyOneRefund,
        ];
        let usd = || "USD".to_owned();
        blocked
            .into_iter()
            .map(RefundRefusal::from)
            .chain([
                RefundRefusal::CurrencyMismatch {
                    payment_currency: usd(),
                },
                RefundRefusal::BelowMinimum {
                    min_minor: 100,
                    currency: usd(),
                },
                RefundRefusal::ExceedsAvailable {
                    available_minor: 123_456,
                    currency: usd(),
                },
                RefundRefusal::PartialNotSupported {
                    full_minor: 10_000,
                    currency: usd(),
                },
            ])
            .collect()
    }

    #[test]
    fn users_reading_english_see_what_the_api_answers() {
        for r in every_refusal() {
            assert_eq!(r.message(Language::En), r.to_string(), "{r:?}");
        }
    }

    #[test]
    fn refusals_are_explained_in_each_language_with_its_amounts_and_dates() {
        let exceeds = RefundRefusal::ExceedsAvailable {
            available_minor: 123_456,
            currency: "USD".into(),
        };
        assert_eq!(
            exceeds.message(Language::PtBr),
            "O valor do reembolso excede o valor reembolsável de 1.234,56 USD."
        );
        assert_eq!(
            exceeds.message(Language::ZhCn),
            "退款金额超过了可退金额 1,234.56 USD。"
        );
        let ended = RefundBlocked::WindowEnded {
            ended_at: t(2026, 3, 31),
        };
        assert_eq!(
            ended.message(Language::ZhCn),
            "退款期限已于2026年3月31日结束。"
        );
        assert_eq!(
            ended.message(Language::PtBr),
            "O prazo de reembolso terminou em 31/03/2026."
        );
        for r in every_refusal() {
            assert_ne!(r.message(Language::PtBr), r.to_string(), "{r:?}");
        }
    }
}
